"""Reminders: unrecorded decisions to their author (or their manager after they leave), actions to owners."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.storage.models import Staff
from handlers.decisions import amend_decision, decision_nudges, mark_recorded

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)


def _nudges(db, policy, calendar, day, kind=None):
    with db.unit() as s:
        found = decision_nudges(s, policy, calendar, day)
    return [n for n in found if kind is None or n.kind == kind]


@pytest.mark.parametrize(
    ("kind", "quiet_until", "due"),
    [("case_consultation", date(2026, 11, 23), date(2026, 11, 24)), ("case_supervision", date(2026, 11, 27), date(2026, 11, 30))],
)
def test_an_unrecorded_decision_nudges_its_author_from_its_deadline(org, policy, calendar, add, kind, quiet_until, due):
    pk = add(type=kind)
    assert _nudges(org, policy, calendar, quiet_until, "decision_unrecorded") == []
    for day in (due, due + timedelta(days=1)):
        (nudge,) = _nudges(org, policy, calendar, day, "decision_unrecorded")
        assert (nudge.recipient, nudge.subject, nudge.due) == ("tm", f"D-{pk:06d}", due)
        assert "LCS204815" in nudge.detail and "NPT" in nudge.cite


def test_recording_it_stops_the_nudge(org, policy, calendar, add):
    pk = add()
    with org.unit() as s:
        mark_recorded(s, pk, "tm", MONDAY)
    assert _nudges(org, policy, calendar, date(2026, 11, 25), "decision_unrecorded") == []


def test_an_amendment_restarts_the_clock(org, policy, calendar, add):
    pk = add()
    with org.unit() as s:
        mark_recorded(s, pk, "tm", MONDAY)
        amend_decision(s, policy, pk, "tm", MONDAY + timedelta(days=2), "new information", {"decision": "Changed"})
    assert _nudges(org, policy, calendar, date(2026, 11, 25), "decision_unrecorded") == []
    assert len(_nudges(org, policy, calendar, date(2026, 11, 26), "decision_unrecorded")) == 1


def test_a_decision_whose_author_leaves_goes_to_their_line_manager(org, policy, calendar, add):
    pk = add(by="sw")
    with org.unit() as s:
        s.execute(update(Staff).where(Staff.staff_id == "sw").values(left_on=date(2026, 11, 24)))
    (nudge,) = _nudges(org, policy, calendar, date(2026, 11, 24), "decision_unrecorded")
    assert (nudge.recipient, nudge.subject) == ("tm", f"D-{pk:06d}")
    with org.unit() as s:  # and if the manager has gone too, the next one up
        s.execute(update(Staff).where(Staff.staff_id == "tm").values(left_on=date(2026, 11, 24)))
    (nudge,) = _nudges(org, policy, calendar, date(2026, 11, 24), "decision_unrecorded")
    assert nudge.recipient == "sm"


def test_actions_remind_their_owners_on_the_due_date(org, policy, calendar, add):
    pk = add(
        action1_text="Refer to early help", action1_owner="sw", action1_due="2026-11-26",
        action2_text="Call the school", action2_owner="sw", action2_due="2026-11-26",
        action3_text="Review", action3_owner="sw2", action3_due="2026-12-01",
    )
    assert _nudges(org, policy, calendar, date(2026, 11, 25), "decision_action_due") == []
    (nudge,) = _nudges(org, policy, calendar, date(2026, 11, 26), "decision_action_due")
    assert (nudge.recipient, nudge.subject, nudge.due) == ("sw", f"D-{pk:06d}", date(2026, 11, 26))
    assert "Refer to early help" in nudge.detail and "Call the school" in nudge.detail
    (review,) = _nudges(org, policy, calendar, date(2026, 12, 1), "decision_action_due")
    assert review.recipient == "sw2"


def test_an_action_due_at_the_weekend_is_reminded_on_friday(org, policy, calendar, add):
    add(action1_text="Visit", action1_owner="sw", action1_due="2026-11-29")
    (nudge,) = _nudges(org, policy, calendar, date(2026, 11, 27), "decision_action_due")
    assert nudge.due == date(2026, 11, 29)


def test_only_the_current_versions_actions_count(org, policy, calendar, add):
    pk = add(action1_text="Visit", action1_owner="sw", action1_due="2026-11-26")
    with org.unit() as s:
        amend_decision(
            s, policy, pk, "tm", MONDAY, "moved", {"action1_text": "Visit", "action1_owner": "sw", "action1_due": "2026-11-27"}
        )
    assert _nudges(org, policy, calendar, date(2026, 11, 26), "decision_action_due") == []
    assert len(_nudges(org, policy, calendar, date(2026, 11, 27), "decision_action_due")) == 1


def test_an_owner_who_has_left_is_covered_by_their_manager(org, policy, calendar, add):
    add(action1_text="Visit", action1_owner="sw", action1_due="2026-11-26")
    with org.unit() as s:
        s.execute(update(Staff).where(Staff.staff_id == "sw").values(left_on=date(2026, 11, 25)))
    (nudge,) = _nudges(org, policy, calendar, date(2026, 11, 26), "decision_action_due")
    assert nudge.recipient == "tm"
