"""Daily digests: one per person, exactly once, retried with backoff, quiet on non-working days."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from scheduler_fakes import MONDAY, NudgeTable, RecordingPlatform, Sleeps, nudge
from sqlalchemy import select

from bot.app import App
from bot.storage.models.scheduler import Delivery, DeliveryAttempt, NudgeLogEntry
from handlers.types import ItemList
from scheduler.delivery import DeliveryFailed
from scheduler.digests import deliver_day, pending_for_day


def run(app, day, slack, teams, table, sleeps=None, **kwargs):
    return deliver_day(app, day, deliverers=[teams, slack], sleep=sleeps or Sleeps(), source=table, **kwargs)


def test_a_days_run_sends_one_digest_per_person_through_their_platform(org, slack, teams, table):
    report = run(org, MONDAY, slack, teams, table)

    assert sorted(slack.recipients()) == ["M1", "W1"]  # W4 has left; W5 has no nudges
    assert teams.recipients() == ["W2"]
    assert report.sent == 3 and report.items == 5 and report.failed == 0
    assert report.unreachable == ["W3"]
    assert "sent 3 digest(s)" in str(report) and "W3" in str(report)
    with org.db.unit() as session:
        logged = session.execute(select(NudgeLogEntry.recipient, NudgeLogEntry.kind, NudgeLogEntry.subject)).all()
    assert sorted(logged) == sorted(
        [
            ("M1", "supervision_overdue", "W1"),
            ("M1", "message_unanswered", "MSG-1"),
            ("M1", "absence_checkin", "W5"),
            ("W1", "message_unanswered", "MSG-2"),
            ("W2", "message_unanswered", "MSG-3"),
        ]
    )


def test_digest_is_grouped_by_kind_and_every_item_has_its_buttons(org, slack, teams, table):
    run(org, MONDAY, slack, teams, table)

    reply = dict(slack.sent)["M1"]
    lists = [part for part in reply.parts if isinstance(part, ItemList)]
    assert [l.title for l in lists] == ["Supervision overdue", "Replies owed", "Keeping in touch (only you see this)"]
    for item_list in lists:
        for item in item_list.items:
            assert [b.action_id for b in item.buttons] == [
                "nudge.done",
                "nudge.snooze_tomorrow",
                "nudge.snooze_week",
                "nudge.open_standard",
            ]
            assert "Sefton Practice Standards" in item.detail
            assert all(len(b.value) < 2000 for b in item.buttons)
    assert lists[0].items[0].buttons[0].value == "supervision_overdue|W1|2026-11-20"


def test_running_the_same_day_twice_sends_nothing_new(org, slack, teams, table):
    run(org, MONDAY, slack, teams, table)
    again = run(org, MONDAY, slack, teams, table)

    assert len(slack.sent) == 2 and len(teams.sent) == 1
    assert again.sent == 0 and again.already_sent == 3


class ProcessKilled(BaseException):
    """The process dying in the middle of a run (not an error the run could catch)."""


def test_a_restart_mid_run_sends_the_rest_and_repeats_nothing(org, teams, table):
    crashing = RecordingPlatform("slack", reach={"M1", "W1"}, failures={"W1": [ProcessKilled()]})
    with pytest.raises(ProcessKilled):
        run(org, MONDAY, crashing, teams, table, concurrency=1)
    first = crashing.recipients() + teams.recipients()

    fresh_slack = RecordingPlatform("slack", reach={"M1", "W1"})
    fresh_teams = RecordingPlatform("teams", reach={"W2"})
    report = run(org, MONDAY, fresh_slack, fresh_teams, table)
    second = fresh_slack.recipients() + fresh_teams.recipients()

    assert not set(first) & set(second)  # nobody got the same digest twice
    assert "M1" in first
    with org.db.unit() as session:
        in_flight = set(session.scalars(select(Delivery.target).where(Delivery.status == "sending")))
    # Sends in flight when the process died (W1's, perhaps one more already claimed) stay claimed and are
    # never repeated: at most once. Everyone else got theirs exactly once, from one run or the other.
    assert "W1" in in_flight and "W1" not in first + second
    assert set(first) | set(second) | in_flight == {"M1", "W1", "W2"}
    assert report.already_sent >= 2


def test_two_runs_in_parallel_on_one_database_send_each_digest_once(org, settings, clock, slack, teams, table):
    apps = [App(settings, clock=clock) for _ in range(4)]
    barrier = threading.Barrier(len(apps))
    reports, errors = [], []

    def replica(app):
        try:
            barrier.wait(timeout=30)
            reports.append(run(app, MONDAY, slack, teams, table))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=replica, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for app in apps:
        app.close()

    assert not errors
    assert sorted(slack.recipients()) == ["M1", "W1"] and teams.recipients() == ["W2"]
    assert sum(r.sent for r in reports) == 3
    with org.db.unit() as session:
        assert session.query(NudgeLogEntry).count() == 5
        assert session.query(Delivery).count() == 3


def test_no_digests_on_weekends_or_bank_holidays(org, slack, teams, table):
    saturday, boxing_day_substitute = date(2026, 11, 28), date(2026, 12, 28)
    for day in (saturday, boxing_day_substitute):
        report = run(org, day, slack, teams, table)
        assert not report.working_day and "not a working day" in str(report)
        with org.db.unit() as session:
            assert pending_for_day(session, org.policy, org.calendar, day, table) == []
    assert slack.sent == [] and teams.sent == []


def test_items_repeat_on_the_due_day_then_every_two_working_days(org, slack, teams):
    table = NudgeTable([nudge("W1", "message_unanswered", "MSG-2")])
    days = [date(2026, 11, d) for d in (23, 24, 25, 26, 27, 30)]
    sent_on = []
    for day in days:
        before = len(slack.sent)
        run(org, day, slack, teams, table)
        if len(slack.sent) > before:
            sent_on.append(day.day)
    assert sent_on == [23, 25, 27]
    # Friday 27 -> Monday 30 is one working day: held back; Tuesday 1 December is two.
    run(org, date(2026, 12, 1), slack, teams, table)
    assert len(slack.sent) == 4


def test_repeat_cap_counts_working_days_across_a_bank_holiday(org, slack, teams):
    table = NudgeTable([nudge("W1", "message_unanswered", "MSG-2", date(2026, 12, 24))])
    run(org, date(2026, 12, 24), slack, teams, table)
    # 25 Dec and 28 Dec (Boxing Day substitute) are bank holidays: 29 Dec is the 2nd working day after 24 Dec.
    run(org, date(2026, 12, 29), slack, teams, table)
    assert len(slack.sent) == 1
    run(org, date(2026, 12, 30), slack, teams, table)
    assert len(slack.sent) == 2


def test_absence_items_go_to_the_line_manager_never_to_the_absent_person(org, slack, teams):
    table = NudgeTable([nudge("W1", "absence_checkin", "W1"), nudge("M1", "absence_checkin", "W1")])
    run(org, MONDAY, slack, teams, table)
    assert slack.recipients() == ["M1"]


def test_a_rate_limited_send_waits_for_retry_after_and_others_still_get_theirs(org, teams, table):
    slack = RecordingPlatform(
        "slack",
        reach={"M1", "W1"},
        failures={"M1": [DeliveryFailed("ratelimited", retry_after=7), DeliveryFailed("ratelimited", retry_after=3)]},
    )
    sleeps = Sleeps()
    report = run(org, MONDAY, slack, teams, table, sleeps)

    assert sorted(slack.recipients()) == ["M1", "W1"] and report.sent == 3
    assert sleeps.waits == [7, 3]
    with org.db.unit() as session:
        delivery = session.scalar(select(Delivery).where(Delivery.target == "M1"))
        attempts = session.execute(
            select(DeliveryAttempt.attempt, DeliveryAttempt.outcome, DeliveryAttempt.retry_after)
            .where(DeliveryAttempt.delivery_id == delivery.id)
            .order_by(DeliveryAttempt.attempt)
        ).all()
    assert delivery.status == "sent" and delivery.attempts == 3
    assert attempts == [(1, "retry", 7.0), (2, "retry", 3.0), (3, "sent", None)]


def test_a_platform_that_stays_down_is_retried_with_backoff_then_recorded_as_failed(org, teams, table):
    slack = RecordingPlatform(
        "slack", reach={"M1", "W1"}, failures={"M1": [DeliveryFailed("connection refused") for _ in range(10)]}
    )
    sleeps = Sleeps()
    report = run(org, MONDAY, slack, teams, table, sleeps)

    assert sleeps.waits == [2.0, 4.0, 8.0]  # policy: 4 attempts, 2 s doubling
    assert report.failed == 1 and report.sent == 2
    assert slack.calls.count("M1") == 4
    with org.db.unit() as session:
        delivery = session.scalar(select(Delivery).where(Delivery.target == "M1"))
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 4, "connection refused")
    # A failed digest is not sent again by a second run the same day (never twice, even if it half-arrived).
    run(org, MONDAY, slack, teams, table, sleeps)
    assert slack.calls.count("M1") == 4


def test_an_unknown_user_is_not_retried(org, teams, table):
    slack = RecordingPlatform("slack", reach={"M1", "W1"}, failures={"W1": [DeliveryFailed("user_not_found", permanent=True)]})
    sleeps = Sleeps()
    report = run(org, MONDAY, slack, teams, table, sleeps)
    assert slack.calls.count("W1") == 1 and sleeps.waits == [] and report.failed == 1
    with org.db.unit() as session:
        assert session.scalar(select(Delivery.status).where(Delivery.target == "W1")) == "gave_up"


def test_rate_limit_answers_do_not_use_up_the_retries(org, teams, table):
    slack = RecordingPlatform(
        "slack", reach={"M1", "W1"}, failures={"W1": [DeliveryFailed("ratelimited", retry_after=1) for _ in range(6)]}
    )
    sleeps = Sleeps()
    report = run(org, MONDAY, slack, teams, table, sleeps)
    assert report.failed == 0 and sorted(slack.recipients()) == ["M1", "W1"]
    assert sleeps.waits == [1] * 6


def test_a_long_digest_shows_the_oldest_items_and_keeps_the_rest_for_later(org, teams):
    many = [nudge("W1", "message_unanswered", f"MSG-{i:02d}", date(2026, 11, 1 + i)) for i in range(15)]
    slack = RecordingPlatform("slack", reach={"W1"})
    run(org, MONDAY, slack, teams, NudgeTable(many))
    reply = slack.sent[0][1]
    shown = [item.buttons[0].value.split("|")[1] for p in reply.parts if isinstance(p, ItemList) for item in p.items]
    assert shown == [f"MSG-{i:02d}" for i in range(12)]
    assert "3 more items will follow" in reply.plain_text()
    run(org, date(2026, 11, 24), slack, teams, NudgeTable(many))  # the held-back three were never logged
    assert [item.buttons[0].value.split("|")[1] for p in slack.sent[1][1].parts if isinstance(p, ItemList)
            for item in p.items] == ["MSG-12", "MSG-13", "MSG-14"]
