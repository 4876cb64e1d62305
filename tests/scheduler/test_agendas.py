"""Weekly team-meeting agendas: the prompt, its posting the working day before, items and actions."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from scheduler_fakes import RecordingPlatform, Sleeps

from bot.app import App
from bot.config import Settings
from handlers.agenda import (
    agenda_item_form,
    build_agenda,
    configure_meeting,
    next_meeting,
    occurrence_on_or_after,
    post_date,
    render_agenda,
    submit_agenda_item,
)
from handlers.calendar import WorkingCalendar
from handlers.types import FieldErrors, ItemList
from scheduler import SchedulerRuntime

LONDON = ZoneInfo("Europe/London")
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)
CAL = WorkingCalendar("ENG")


@pytest.mark.parametrize(
    "weekday, cadence, day, expected",
    [
        (1, "weekly", date(2026, 11, 23), date(2026, 11, 24)),
        (1, "weekly", date(2026, 11, 24), date(2026, 11, 24)),
        (1, "weekly", date(2026, 11, 25), date(2026, 12, 1)),
        (1, "monthly", date(2026, 11, 23), date(2026, 12, 1)),  # first Tuesday of December
        (1, "monthly", date(2026, 12, 2), date(2027, 1, 5)),
        (0, "monthly", date(2026, 2, 1), date(2026, 2, 2)),
    ],
)
def test_meeting_dates(weekday, cadence, day, expected):
    assert occurrence_on_or_after(weekday, cadence, day) == expected


def test_a_meeting_on_a_bank_holiday_is_skipped_and_posting_counts_working_days():
    # Monday meetings: 28 Dec 2026 is the Boxing Day substitute holiday, so the next is 4 January 2027.
    assert next_meeting(0, "weekly", date(2026, 12, 26), CAL) == date(2027, 1, 4)
    # The working day before Monday 4 January 2027 is Thursday 31 December (Friday 1 January is a holiday).
    assert post_date(date(2027, 1, 4), CAL, 1) == date(2026, 12, 31)
    assert post_date(TUESDAY, CAL, 1) == MONDAY


@pytest.fixture
def cli_on_monday(cli, clock, monkeypatch):
    """The CLI with the tests' clock (Monday 23 November 2026) in place of the real one."""
    monkeypatch.setattr("bot.app.system_clock", clock)
    return cli


def configure(org):
    with org.db.unit() as session:
        configure_meeting(session, "T1", org.policy, channel="C0TEAM1", day="tuesday", time="10:00")
        configure_meeting(session, "T2", org.policy, channel="19:abc@thread.tacv2", platform="teams", day="wed", time="14:00")


def test_the_agenda_carries_template_items_actions_figures_and_celebrating_success(org, cli_on_monday, table):
    cli = cli_on_monday
    configure(org)
    assert cli("team-meeting", "add-item", "T1", "Duty rota over Christmas", "--by", "W1").exit_code == 0
    added = cli("team-meeting", "add-action", "T1", "Update the team charter", "--owner", "W2", "--due", "2026-12-04")
    assert added.exit_code == 0, added.stderr
    with org.db.unit() as session:
        agenda = build_agenda(session, "T1", MONDAY, org.policy, org.calendar, table(session, None, None, MONDAY))
    assert agenda.meeting_date == TUESDAY and agenda.post_on == MONDAY
    assert agenda.template[0].startswith("Welcome") and "Celebrating success" in agenda.template
    assert agenda.added_items == ("Duty rota over Christmas",)
    assert [(a.text, a.owner_id, a.due) for a in agenda.actions] == [("Update the team charter", "W2", date(2026, 12, 4))]
    # Counts only: W1's supervision is overdue; M1, W1 and W2 owe replies; W5's absence is team T2's.
    assert dict(agenda.figures) == {"supervisions_overdue": 1, "replies_owed": 3, "absences_open": 0}
    reply = render_agenda(agenda)
    text = reply.plain_text()
    assert "Celebrating success" in text and "Supervisions overdue: 1" in text
    assert "W5" not in text and "MSG-" not in text
    buttons = [b.action_id for part in reply.parts for b in getattr(part, "buttons", ())]
    assert buttons == ["agenda.add_item", "agenda.add_action"]


def test_agenda_cli_prints_json_and_text_and_refuses_an_unknown_team(org, cli):
    configure(org)
    result = cli("agenda", "T1", "--date", "2026-11-25", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["team"] == "T1" and data["meeting_date"] == "2026-12-01" and data["post_on"] == "2026-11-30"
    assert data["channel"] == "C0TEAM1" and data["platform"] == "slack" and data["celebrating_success"] is True
    assert set(data["figures"]) == {"supervisions_overdue", "replies_owed", "absences_open"}
    text = cli("agenda", "T1", "--date", "2026-11-23")
    assert text.exit_code == 0
    assert "weekly team meeting: bognor assessment, tuesday 24 november 2026 at 10:00" in text.stdout.lower()
    assert "Posted on 2026-11-23 to slack channel C0TEAM1" in text.stderr
    missing = cli("agenda", "NOPE")
    assert missing.exit_code == 2 and "unknown team 'NOPE'" in missing.stderr and missing.stdout == ""
    bad_date = cli("agenda", "T1", "--date", "tomorrow")
    assert bad_date.exit_code == 2 and "--date" in bad_date.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("team-meeting", "set", "T1", "--day", "funday"), "day"),
        (("team-meeting", "set", "T1", "--time", "25:00"), "time"),
        (("team-meeting", "set", "NOPE", "--channel", "C1"), "unknown team"),
        (("team-meeting", "set", "T2", "--day", "monday"), "channel"),
        (("team-meeting", "add-action", "T1", "x", "--owner", "NOPE", "--due", "2026-12-01"), "owner"),
        (("team-meeting", "add-action", "T1", "x", "--owner", "W1", "--due", "2026-01-01"), "past"),
        (("team-meeting", "add-item", "T1", "   "), "text"),
        (("team-meeting", "done", "A999"), "unknown action"),
    ],
)
def test_bad_team_meeting_input_exits_2_naming_the_problem(org, cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2 and message in result.stderr


def test_actions_are_carried_forward_until_done(org, cli):
    configure(org)
    cli("team-meeting", "add-action", "T1", "Book the team away day", "--owner", "M1", "--due", "2026-12-11")
    for day in ("2026-11-23", "2026-11-30", "2026-12-07"):
        assert "Book the team away day" in cli("agenda", "T1", "--date", day).stdout
    assert cli("team-meeting", "done", "A1").exit_code == 0
    assert "Book the team away day" not in cli("agenda", "T1", "--date", "2026-12-07").stdout
    shown = cli("team-meeting", "set", "T1", "--json")
    assert json.loads(shown.stdout) == {
        "team": "T1", "platform": "slack", "channel": "C0TEAM1", "day": "tuesday", "time": "10:00", "every": "weekly"
    }


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


async def test_the_agenda_is_posted_the_working_day_before_once(org, table):
    configure(org)
    slack, teams = RecordingPlatform("slack"), RecordingPlatform("teams")
    runtime = SchedulerRuntime(org, deliverers=[slack, teams], sleep=Sleeps(), source=table)
    await runtime.tick(at(23, 8, 59))
    assert slack.posted == []
    await runtime.tick(at(23, 9, 0))  # Monday 09:00: T1 meets Tuesday
    assert [c for c, _ in slack.posted] == ["C0TEAM1"] and teams.posted == []
    await runtime.tick(at(23, 9, 1))
    await runtime.tick(at(24, 9, 0))  # Tuesday 09:00: T2 (Wednesday) is due, T1 is not posted again
    assert [c for c, _ in slack.posted] == ["C0TEAM1"]
    assert [c for c, _ in teams.posted] == ["19:abc@thread.tacv2"]
    reply = slack.posted[0][1]
    assert "Tuesday 24 November 2026 at 10:00" in reply.summary
    assert any(isinstance(p, ItemList) and p.title.startswith("This week's figures") for p in reply.parts)


async def test_a_missed_agenda_is_caught_up_before_the_meeting_but_not_after(org, table):
    configure(org)  # T1 meets Tuesday 10:00 (Slack), T2 Wednesday 14:00 (Teams)
    slack, teams = RecordingPlatform("slack"), RecordingPlatform("teams")
    runtime = SchedulerRuntime(org, deliverers=[slack, teams], sleep=Sleeps(), source=table)
    await runtime.tick(at(25, 9, 0))  # the service was down Monday and Tuesday
    assert slack.posted == []  # T1's meeting has happened: too late
    assert [c for c, _ in teams.posted] == ["19:abc@thread.tacv2"]  # T2's is caught up before the meeting
    await runtime.tick(at(25, 9, 1))
    await runtime.tick(at(25, 14, 30))
    assert len(teams.posted) == 1


def test_sefton_meets_monthly_and_discusses_the_newsletter(db_url, clock):
    app = App(Settings(database_url=db_url, standards_policy="sefton", _env_file=None), clock=clock)
    try:
        with app.db.unit() as session:
            from bot.storage.models import Team

            session.add(Team(team_id="S1", name="Sefton Locality North"))
            session.flush()
            configure_meeting(session, "S1", app.policy, channel="C0SEFTON", day="tuesday", time="09:30")
            agenda = build_agenda(session, "S1", MONDAY, app.policy, app.calendar, [])
        assert agenda.meeting_date == date(2026, 12, 1) and agenda.title == "Monthly team meeting"
        text = render_agenda(agenda).plain_text()
        assert "Sefton Scoop" in text and "Actions from the previous meeting" in agenda.template
    finally:
        app.close()


def test_the_add_action_form_validates_and_stores(org):
    configure(org)
    form = agenda_item_form("agenda.add_action", "T1|2026-11-24")
    assert [f.name for f in form.fields] == ["text", "owner", "due"]
    with org.db.unit() as session:
        reply = submit_agenda_item(
            session, "W1", form.form_id, {"text": "", "owner": "NOPE", "due": "2020-01-01"}, form.context,
            MONDAY, org.policy, org.calendar,
        )
    errors = reply.parts[0]
    assert isinstance(errors, FieldErrors) and set(errors.errors) == {"text", "owner", "due"}
    with org.db.unit() as session:
        reply = submit_agenda_item(
            session, "W1", form.form_id, {"text": "Chase the IT tickets", "owner": "W1", "due": "2026-12-01"},
            form.context, MONDAY, org.policy, org.calendar,
        )
        item = submit_agenda_item(
            session, "W1", "agenda.item_form", {"text": "Caseload weighting"}, "T1|2026-11-24",
            MONDAY, org.policy, org.calendar,
        )
    assert "Action added" in reply.plain_text() and "Tuesday 24 November" in item.plain_text()
    with org.db.unit() as session:
        agenda = build_agenda(session, "T1", MONDAY, org.policy, org.calendar)
    assert agenda.added_items == ("Caseload weighting",) and agenda.actions[0].text == "Chase the IT tickets"


def test_a_team_member_marks_an_action_done_from_the_agenda(org, cli):
    from handlers.agenda import mark_action_done
    from handlers.errors import Forbidden

    configure(org)
    cli("team-meeting", "add-action", "T1", "Refresh the duty rota", "--owner", "W1", "--due", "2026-12-01")
    with org.db.unit() as session:
        agenda = build_agenda(session, "T1", MONDAY, org.policy, org.calendar)
    [items] = [p for p in render_agenda(agenda).parts if isinstance(p, ItemList) and p.title.startswith("Open actions")]
    button = items.items[0].buttons[0]
    assert (button.action_id, button.value) == ("agenda.action_done", "A1")
    with org.db.unit() as session, pytest.raises(Forbidden):
        mark_action_done(session, "W5", button.value)  # another team
    with org.db.unit() as session:
        assert "Done" in mark_action_done(session, "W2", button.value).plain_text()
    with org.db.unit() as session:
        assert build_agenda(session, "T1", MONDAY, org.policy, org.calendar).actions == ()


def test_the_team_channel_agenda_never_shows_oversight_decisions(org, cli_on_monday):
    """Decisions are visible to their author, line managers and admins only; the agenda goes to the whole team."""
    cli = cli_on_monday
    configure(org)
    added = cli(
        "decisions", "add", "--case", "LCS204815", "--type", "case_supervision", "--decision", "Convene a strategy meeting",
        "--rationale", "New concerns", "--by", "M1", "--action", "Arrange the strategy discussion|W1|2026-11-27",
    )
    assert added.exit_code == 0, added.stderr
    cli("team-meeting", "add-action", "T1", "Book the team away day", "--owner", "W1", "--due", "2026-12-11")
    result = cli("agenda", "T1", "--date", "2026-11-23", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [a["text"] for a in data["open_actions"]] == ["Book the team away day"]
    text = cli("agenda", "T1", "--date", "2026-11-23").stdout
    assert "LCS204815" not in result.stdout + text and "strategy discussion" not in result.stdout + text
