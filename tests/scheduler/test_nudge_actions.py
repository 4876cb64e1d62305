"""Digest buttons (done, snooze, open the standard) and a person's own digest settings."""

from __future__ import annotations

from datetime import date

import pytest
from scheduler_fakes import MONDAY, NudgeTable, Sleeps, nudge

from handlers.digest import apply_nudge_action, nudge_value, settings
from handlers.errors import InvalidInput, NotFound
from scheduler.digests import deliver_day, pending_for_day

TUESDAY, WEDNESDAY, THURSDAY = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)
NEXT_MONDAY = date(2026, 11, 30)


def pending(app, day, table):
    with app.db.unit() as session:
        return [(n.recipient, n.kind, n.subject) for n in pending_for_day(session, app.policy, app.calendar, day, table)]


def press(app, staff_id, action_id, item, today=MONDAY):
    with app.db.unit() as session:
        return apply_nudge_action(session, staff_id, action_id, nudge_value(item), today, app.calendar, policy=app.policy)


def test_done_removes_the_item_for_good(org):
    item = nudge("W1", "supervision_overdue", "W3")
    table = NudgeTable([item])
    reply = press(org, "W1", "nudge.done", item)
    assert "done" in reply.plain_text().lower() and reply.ephemeral
    for day in (MONDAY, WEDNESDAY, NEXT_MONDAY):
        assert pending(org, day, table) == []


def test_done_is_only_for_the_person_who_pressed_it(org):
    item = nudge("W1", "message_unanswered", "MSG-9")
    press(org, "M1", "nudge.done", item)  # someone else's button value: changes M1's state, not W1's
    assert pending(org, MONDAY, NudgeTable([item])) == [("W1", "message_unanswered", "MSG-9")]


def test_snooze_to_tomorrow_brings_the_item_back_tomorrow_despite_the_repeat_cap(org, slack, teams):
    item = nudge("W1", "message_unanswered", "MSG-2")
    table = NudgeTable([item])
    deliver_day(org, MONDAY, deliverers=[slack, teams], sleep=Sleeps(), source=table)
    press(org, "W1", "nudge.snooze_tomorrow", item, today=MONDAY)
    assert pending(org, TUESDAY, table) == [("W1", "message_unanswered", "MSG-2")]
    deliver_day(org, TUESDAY, deliverers=[slack, teams], sleep=Sleeps(), source=table)
    assert len(slack.sent) == 2


def test_snooze_to_next_week_is_silent_until_monday(org):
    item = nudge("W1", "message_unanswered", "MSG-2")
    table = NudgeTable([item])
    reply = press(org, "W1", "nudge.snooze_week", item, today=WEDNESDAY)
    assert "Monday 30 November" in reply.plain_text()
    assert pending(org, THURSDAY, table) == []
    assert pending(org, NEXT_MONDAY, table) == [("W1", "message_unanswered", "MSG-2")]


def test_snooze_to_tomorrow_on_friday_means_monday(org):
    item = nudge("W1", "message_unanswered", "MSG-2")
    reply = press(org, "W1", "nudge.snooze_tomorrow", item, today=date(2026, 11, 27))
    assert "Monday 30 November" in reply.plain_text()


def test_open_the_standard_names_its_source(org):
    reply = press(org, "W1", "nudge.open_standard", nudge("W1", "message_unanswered", "MSG-2"))
    assert "/standard" in reply.plain_text()


@pytest.mark.parametrize(
    "action_id, value", [("nudge.explode", "message_unanswered|M|2026-11-23"), ("nudge.done", "garbage"), ("nudge.done", "a|b|c")]
)
def test_bad_button_payloads_are_refused_cleanly(org, action_id, value):
    with org.db.unit() as session, pytest.raises(InvalidInput):
        apply_nudge_action(session, "W1", action_id, value, MONDAY, org.calendar)


def test_settings_change_the_digest_time_and_pause_while_on_leave(org):
    with org.db.unit() as session:
        shown = settings(session, "W1", "", MONDAY, org.policy).plain_text()
        assert "08:30" in shown
        shown = settings(session, "W1", "time 9:15", MONDAY, org.policy).plain_text()
        assert "09:15" in shown
        shown = settings(session, "W1", "pause 2026-12-04", MONDAY, org.policy).plain_text()
        assert "Friday 4 December 2026" in shown
    table = NudgeTable([nudge("W1", "message_unanswered", "MSG-2")])
    from scheduler_fakes import RecordingPlatform

    slack = RecordingPlatform("slack", reach={"W1"})
    report = deliver_day(org, MONDAY, deliverers=[slack], sleep=Sleeps(), source=table)
    assert slack.sent == [] and report.paused == 1
    with org.db.unit() as session:
        assert "Paused" not in settings(session, "W1", "resume", MONDAY, org.policy).plain_text()
    deliver_day(org, MONDAY, deliverers=[slack], sleep=Sleeps(), source=table)
    assert slack.recipients() == ["W1"]


@pytest.mark.parametrize("args", ["time 25:00", "pause tomorrow", "pause 2020-01-01", "dance"])
def test_bad_settings_are_refused_with_a_message(org, args):
    with org.db.unit() as session, pytest.raises(InvalidInput) as caught:
        settings(session, "W1", args, MONDAY, org.policy)
    assert caught.value.message


def test_settings_for_an_unknown_person_are_refused(org):
    with org.db.unit() as session, pytest.raises(NotFound):
        settings(session, "NOPE", "time 09:00", MONDAY, org.policy)
