"""The nudge engine on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from handlers.absence import record_absence, record_absence_event
from handlers.nudges import nudges_for_day
from handlers.policy import load_policy
from handlers.replies import track_message
from handlers.supervision import record_agreement, record_appraisal, record_observation, record_supervision

D = date.fromisoformat
TODAY = D("2026-11-23")


def _nudges(db, policy, calendar, day):
    with db.unit() as s:
        return nudges_for_day(s, policy, calendar, D(day) if isinstance(day, str) else day)


def _about(nudges, subject, kind=None):
    return [n for n in nudges if n.subject == subject and (kind is None or n.kind == kind)]


def _sup(nudges, subject):
    return [n for n in nudges if n.subject == subject and n.kind.startswith("supervision")]


def test_supervision_due_goes_to_the_line_manager_within_the_reminder_window(org, policy, calendar):
    with org.unit() as s:
        record_supervision(s, "sw", D("2026-10-27"), TODAY)  # due Fri 27 Nov
    assert _sup(_nudges(org, policy, calendar, "2026-11-23"), "sw") == []  # 4 working days before
    [due] = _sup(_nudges(org, policy, calendar, "2026-11-24"), "sw")
    assert (due.recipient, due.kind, due.due) == ("tm", "supervision_due", D("2026-11-27"))
    assert "Sefton Practice Standards for Managers 2023" in due.detail
    [late] = _sup(_nudges(org, policy, calendar, "2026-11-30"), "sw")
    assert (late.recipient, late.kind) == ("tm", "supervision_overdue")


def test_group_supervision_does_not_count_towards_one_to_one_cadence(org, policy, calendar):
    with org.unit() as s:
        record_supervision(s, "sw", D("2026-10-27"), TODAY)
        record_supervision(s, "sw", D("2026-11-20"), TODAY, kind="group")
    [late] = _sup(_nudges(org, policy, calendar, "2026-11-30"), "sw")
    assert late.kind == "supervision_overdue"
    with org.unit() as s:
        record_supervision(s, "sw", D("2026-11-20"), TODAY, kind="welfare")
    assert _sup(_nudges(org, policy, calendar, "2026-11-30"), "sw") == []


def test_newly_qualified_worker_is_supervised_weekly_at_first(org, policy, calendar):
    with org.unit() as s:
        record_supervision(s, "nq", D("2026-11-16"), TODAY)
    [due] = _sup(_nudges(org, policy, calendar, "2026-11-23"), "nq")
    assert (due.kind, due.due, due.recipient) == ("supervision_due", D("2026-11-23"), "tm")
    assert "weekly" in due.detail and "NQSW" not in due.subject


def test_overdue_supervision_escalates_to_the_managers_manager(org, policy, calendar):
    with org.unit() as s:
        record_supervision(s, "sw", D("2026-10-16"), TODAY)  # due Mon 16 Nov
    on_day = _sup(_nudges(org, policy, calendar, "2026-11-20"), "sw")
    assert [n.recipient for n in on_day] == ["tm"]  # 4 working days late: not yet
    escalated = _sup(_nudges(org, policy, calendar, "2026-11-23"), "sw")
    assert sorted(n.recipient for n in escalated) == ["sm", "tm"]
    assert next(n for n in escalated if n.recipient == "sm").detail.startswith("Escalated")


def test_absent_supervisor_is_replaced_by_their_manager_and_absent_supervisee_is_not_chased(org, policy, calendar):
    with org.unit() as s:
        record_supervision(s, "sw", D("2026-10-27"), TODAY)
        record_supervision(s, "sw2", D("2026-10-27"), TODAY)
        record_absence(s, "tm", D("2026-11-20"), TODAY)
        record_absence(s, "sw2", D("2026-11-23"), TODAY)
    nudges = _nudges(org, policy, calendar, "2026-11-24")
    assert [(n.recipient, n.kind) for n in _sup(nudges, "sw")] == [("sm", "supervision_due")]
    assert _about(nudges, "sw2", "supervision_due") == []
    # nobody nudges the absent team manager about anything
    assert [n for n in nudges if n.recipient == "tm"] == []


def test_leavers_are_not_nudged_about_or_to(org, policy, calendar):
    nudges = _nudges(org, policy, calendar, "2026-11-23")
    assert _about(nudges, "gone") == []
    assert [n for n in nudges if n.recipient == "gone"] == []


def test_message_unanswered_from_the_deadline_until_answered(org, policy, calendar):
    with org.unit() as s:
        message = track_message(s, "sw", D("2026-11-19"), TODAY, sender="IRO")  # Thu -> due Mon 23
    mid = f"M-{message.id:06d}"
    assert _about(_nudges(org, policy, calendar, "2026-11-20"), mid) == []
    [owed] = _about(_nudges(org, policy, calendar, "2026-11-23"), mid)
    assert (owed.recipient, owed.kind, owed.due) == ("sw", "message_unanswered", D("2026-11-23"))
    assert "IRO" not in owed.detail  # the sender label stays out of digests
    from handlers.replies import mark_message_answered

    with org.unit() as s:
        mark_message_answered(s, mid, D("2026-11-25"))
    assert _about(_nudges(org, policy, calendar, "2026-11-26"), mid) == []
    # looking back at a day before the answer, it was still owed
    assert len(_about(_nudges(org, policy, calendar, "2026-11-24"), mid)) == 1


def test_replies_owed_by_someone_absent_go_to_their_manager(org, policy, calendar):
    with org.unit() as s:
        message = track_message(s, "sw", D("2026-11-18"), TODAY)
        record_absence(s, "sw", D("2026-11-20"), TODAY)
    [owed] = _about(_nudges(org, policy, calendar, "2026-11-23"), f"M-{message.id:06d}")
    assert owed.recipient == "tm" and "on behalf of Sam Worker" in owed.detail


def test_absence_checkins_on_day_1_day_4_and_day_8_then_return_to_work(org, policy, calendar):
    with org.unit() as s:
        record_absence(s, "sw", D("2026-11-16"), TODAY)
    [day1] = _about(_nudges(org, policy, calendar, "2026-11-16"), "sw", "absence_checkin")
    assert (day1.recipient, day1.due) == ("tm", D("2026-11-16")) and "day 1" in day1.detail
    assert _about(_nudges(org, policy, calendar, "2026-11-18"), "sw", "absence_checkin") == []
    [day4] = _about(_nudges(org, policy, calendar, "2026-11-19"), "sw", "absence_checkin")
    assert day4.due == D("2026-11-19") and "day 4" in day4.detail
    with org.unit() as s:
        record_absence_event(s, "sw", "update", D("2026-11-19"), TODAY)
    [day8] = _about(_nudges(org, policy, calendar, "2026-11-23"), "sw", "absence_checkin")
    assert day8.due == D("2026-11-23") and "fit note" in day8.detail and "day 4" not in day8.detail
    with org.unit() as s:
        record_absence_event(s, "sw", "fit_note", D("2026-11-23"), TODAY)
        record_absence_event(s, "sw", "returned", D("2026-11-23"), TODAY)
    nudges = [n for n in _about(_nudges(org, policy, calendar, "2026-11-23"), "sw") if n.kind.startswith(("absence", "return"))]
    assert [(n.kind, n.recipient, n.due) for n in nudges] == [("return_to_work", "tm", D("2026-11-23"))]
    with org.unit() as s:
        record_absence_event(s, "sw", "rtw_meeting", D("2026-11-23"), TODAY)
    assert [n for n in _about(_nudges(org, policy, calendar, "2026-11-24"), "sw") if n.kind.startswith(("absence", "return"))] == []


def test_reviews_agreement_observation_pdr(org, policy, calendar):
    with org.unit() as s:
        record_supervision(s, "sw", D("2026-11-20"), TODAY)
        record_agreement(s, "sw", D("2025-11-27"), TODAY)
        record_observation(s, "sw", D("2025-12-01"), TODAY)
        record_appraisal(s, "sw", D("2026-03-02"), TODAY)
    kinds = {n.kind: n for n in _about(_nudges(org, policy, calendar, "2026-11-23"), "sw") if n.recipient == "tm"}
    assert set(kinds) == {"agreement_review_due", "observation_due"}
    assert kinds["agreement_review_due"].due == D("2026-11-27")
    assert kinds["observation_due"].due == D("2026-12-01")
    assert all(n.recipient == "tm" for n in kinds.values())
    # business support staff get agreements but not observations of practice
    bs = {n.kind for n in _about(_nudges(org, policy, calendar, "2026-11-23"), "bs")}
    assert "observation_due" not in bs and "agreement_review_due" in bs


def test_npt_profile_uses_28_days_and_the_welsh_calendar(org, calendar):
    npt = load_policy("npt")
    from handlers.calendar import WorkingCalendar

    with org.unit() as s:
        record_supervision(s, "sw", D("2026-11-02"), TODAY)
    [due] = _about(_nudges(org, npt, WorkingCalendar(npt.nation), "2026-11-30"), "sw", "supervision_due")
    assert due.due == D("2026-11-30") and "NPT Supervision and Appraisal Policy 2015" in due.detail


def test_decision_nudges_are_included(org, policy, calendar, monkeypatch):
    from handlers import decisions
    from handlers.types import Nudge

    marker = Nudge(recipient="tm", kind="decision_unrecorded", subject="D-000001", due=TODAY, detail="x")
    monkeypatch.setattr(decisions, "decision_nudges", lambda *a: [marker])
    assert marker in _nudges(org, policy, calendar, TODAY)


def test_order_is_deterministic_and_grouped_by_recipient(org, policy, calendar):
    with org.unit() as s:
        record_absence(s, "sw2", D("2026-11-16"), TODAY)
        track_message(s, "tm", D("2026-11-10"), TODAY)
    first = _nudges(org, policy, calendar, TODAY)
    again = _nudges(org, policy, calendar, TODAY)
    assert first == again
    recipients = [n.recipient for n in first]
    assert recipients == sorted(recipients)
    keys = [(n.recipient, n.kind, n.subject) for n in first]
    assert len(keys) == len(set(keys))


def test_query_count_does_not_grow_with_the_organisation(org, policy, calendar):
    def count(db):
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            _nudges(db, policy, calendar, TODAY)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    small = count(org)
    from bot.storage.models import Staff

    with org.unit() as s:
        for n in range(40):
            s.add(Staff(staff_id=f"x{n}", name=f"X {n}", role="social_worker", manager_id="tm"))
        s.flush()
        for n in range(40):
            record_supervision(s, f"x{n}", D("2026-10-01"), TODAY)
            track_message(s, f"x{n}", D("2026-11-02"), TODAY)
    assert count(org) == small


@pytest.mark.parametrize("profile", ["default", "sefton", "wscc", "npt"])
def test_every_nudge_names_its_standard(org, profile):
    from handlers.calendar import WorkingCalendar

    chosen = load_policy(profile)
    with org.unit() as s:
        record_absence(s, "sw2", D("2026-11-16"), TODAY)
        track_message(s, "tm", D("2026-11-10"), TODAY)
    nudges = _nudges(org, chosen, WorkingCalendar(chosen.nation), TODAY)
    kinds = {n.kind for n in nudges}
    assert {"absence_checkin", "message_unanswered", "supervision_overdue"} <= kinds
    for nudge in nudges:
        assert nudge.cite and nudge.cite.split(",")[0] in nudge.detail


def test_new_line_manager_is_asked_for_a_new_agreement(org, policy, calendar):
    from datetime import datetime, timezone

    from bot.storage.models import Staff

    with org.unit() as s:
        record_agreement(s, "sw", D("2026-06-01"), TODAY)
        s.add(Staff(staff_id="tm2", name="Tom Two", role="team_manager", manager_id="sm"))
        s.flush()
        sw = s.get(Staff, "sw")
        sw.manager_id = "tm2"
        sw.updated_at = datetime(2026, 10, 20, 12, 0, tzinfo=timezone.utc)
    [agreement] = [n for n in _about(_nudges(org, policy, calendar, "2026-11-23"), "sw", "agreement_review_due") if n.recipient == "tm2"]
    assert agreement.due == D("2026-11-20")


def test_unanswered_absence_checkins_escalate(org, policy, calendar):
    with org.unit() as s:
        record_absence(s, "sw", D("2026-11-09"), TODAY)  # day 4 = Thu 12 Nov
    recipients = sorted(n.recipient for n in _about(_nudges(org, policy, calendar, "2026-11-19"), "sw", "absence_checkin"))
    assert recipients == ["sm", "tm"]
    assert [n.recipient for n in _about(_nudges(org, policy, calendar, "2026-11-18"), "sw", "absence_checkin")] == ["tm"]


def test_unrecorded_supervision_notes_are_nudged_when_the_policy_asks(org, calendar, tmp_path):
    from handlers.supervision import record_supervision_notes

    path = tmp_path / "notes.yaml"
    path.write_text("extends: default\nrecording:\n  nudge_unrecorded_notes: true\n")
    strict = load_policy(str(path))
    with org.unit() as s:
        record_supervision(s, "sw", D("2026-11-16"), TODAY)  # notes due Mon 23 Nov
    assert _about(_nudges(org, strict, calendar, "2026-11-20"), "sw", "supervision_notes_due") == []
    [notes] = _about(_nudges(org, strict, calendar, "2026-11-23"), "sw", "supervision_notes_due")
    assert (notes.recipient, notes.due) == ("tm", D("2026-11-23"))
    assert _about(_nudges(org, load_policy("default"), calendar, "2026-11-23"), "sw", "supervision_notes_due") == []
    with org.unit() as s:
        assert len(record_supervision_notes(s, "sw", D("2026-11-23"), TODAY)) == 1
    assert _about(_nudges(org, strict, calendar, "2026-11-24"), "sw", "supervision_notes_due") == []
