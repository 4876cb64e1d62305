"""Storing decisions: validation (every field named, nothing stored), versions, the hash chain, retention."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from bot.storage.models.decisions import Decision, DecisionAction, DecisionVersion
from handlers.decisions import (
    amend_decision,
    mark_recorded,
    purge_expired_decisions,
    show_decision,
    store_decision,
    verify_chain,
)
from handlers.errors import Forbidden, InvalidInput, NotFound
from handlers.types import Request

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)


def _count(db, model) -> int:
    with db.unit() as s:
        return s.scalar(select(func.count()).select_from(model))


def _request(by="tm", now=MONDAY):
    return Request(now=now, platform="cli", staff_id=by)


def test_a_decision_is_stored_as_version_one_with_its_actions(org, policy, calendar, values):
    with org.unit() as s:
        header = store_decision(
            s, policy, _request(),
            values(action1_text="Refer to early help", action1_owner="sw", action1_due="2026-11-30",
                   action2_text="Tell the school", action2_owner="sw2", action2_due="2026-11-23"),
        )
        pk = header.id
    with org.unit() as s:
        view = show_decision(s, policy, calendar, pk, "tm")
    assert view.id == f"D-{pk:06d}"
    assert view.case_reference == "LCS204815"
    assert view.current.version == 1 and view.current.change == "created"
    assert view.current.maker_role == "team_manager"
    assert [(a.text, a.owner_id, a.due) for a in view.current.actions] == [
        ("Refer to early help", "sw", date(2026, 11, 30)),
        ("Tell the school", "sw2", date(2026, 11, 23)),
    ]
    assert view.decided_at == MONDAY
    assert view.record_by == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"case_ref": ""}, "case_ref", "required"),
        ({"case_ref": "Jayden Smith"}, "case_ref", "looks like a name"),
        ({"case_ref": "03/04/2016"}, "case_ref", "date of birth"),
        ({"type": "lunch"}, "type", "unknown decision type"),
        ({"type": ""}, "type", "choose"),
        ({"decision": "  "}, "decision", "say what was decided"),
        ({"rationale": ""}, "rationale", "reasons"),
        ({"decision": "x" * 4001}, "decision", "at most 4000"),
        ({"rationale": "x" * 4001}, "rationale", "at most 4000"),
        ({"risk": "x" * 4001}, "risk", "at most 4000"),
        ({"child_voice": "x" * 4001}, "child_voice", "at most 4000"),
        ({"action1_text": "Visit", "action1_owner": "sw"}, "action1_due", "due date"),
        ({"action1_text": "Visit", "action1_owner": "sw", "action1_due": "next week"}, "action1_due", "YYYY-MM-DD"),
        ({"action1_text": "Visit", "action1_owner": "sw", "action1_due": "2026-11-20"}, "action1_due", "in the past"),
        ({"action1_text": "Visit", "action1_due": "2026-11-30"}, "action1_owner", "who will do it"),
        ({"action1_text": "Visit", "action1_owner": "ghost", "action1_due": "2026-11-30"}, "action1_owner", "no staff member"),
        ({"action1_text": "Visit", "action1_owner": "gone", "action1_due": "2026-11-30"}, "action1_owner", "has left"),
        ({"action1_owner": "sw", "action1_due": "2026-11-30"}, "action1_text", "what must be done"),
        ({"action1_text": "x" * 501, "action1_owner": "sw", "action1_due": "2026-11-30"}, "action1_text", "at most 500"),
        ({"action11_text": "x", "action11_owner": "sw", "action11_due": "2026-11-30"}, "action11_text", "at most 10 actions"),
    ],
)
def test_every_bad_field_is_named_and_nothing_is_stored(org, policy, values, overrides, field, says):
    with pytest.raises(InvalidInput) as caught:
        with org.unit() as s:
            store_decision(s, policy, _request(), values(**overrides))
    assert field in caught.value.errors
    assert says in caught.value.errors[field]
    assert _count(org, Decision) == 0 and _count(org, DecisionVersion) == 0


def test_all_bad_fields_are_reported_at_once(org, policy, values):
    with pytest.raises(InvalidInput) as caught:
        with org.unit() as s:
            store_decision(s, policy, _request(), values(case_ref="", decision="", rationale="", action2_text="x"))
    assert set(caught.value.errors) == {"case_ref", "decision", "rationale", "action2_owner", "action2_due"}


@pytest.mark.parametrize(("by", "error"), [("ghost", NotFound), ("gone", InvalidInput), (None, InvalidInput)])
def test_the_author_must_be_known_and_in_post(org, policy, values, by, error):
    with pytest.raises(error):
        with org.unit() as s:
            store_decision(s, policy, _request(by=by), values())
    assert _count(org, Decision) == 0


def test_an_amendment_is_a_new_version_and_the_original_stays_readable(org, policy, calendar, add):
    pk = add(action1_text="Visit", action1_owner="sw", action1_due="2026-11-30")
    later = MONDAY + timedelta(hours=2)
    with org.unit() as s:
        amend_decision(s, policy, pk, "sm", later, "School reported new concerns", {"rationale": "New concerns from school"})
    with org.unit() as s:
        view = show_decision(s, policy, calendar, pk, "tm")
    first, second = view.versions
    assert first.rationale == "Risks reduced and the family is engaging" and first.reason is None
    assert second.rationale == "New concerns from school" and second.decision == first.decision
    assert (second.author_id, second.reason, second.at) == ("sm", "School reported new concerns", later)
    assert [a.text for a in second.actions] == ["Visit"]
    assert _count(org, DecisionVersion) == 2


def test_an_amendment_needs_a_reason_and_a_change(org, policy, add):
    pk = add()
    with pytest.raises(InvalidInput) as caught, org.unit() as s:
        amend_decision(s, policy, pk, "tm", MONDAY, "  ", {"rationale": ""})
    assert set(caught.value.errors) == {"reason", "rationale"}
    with pytest.raises(InvalidInput, match="nothing to amend"), org.unit() as s:
        amend_decision(s, policy, pk, "tm", MONDAY, "because", {})
    assert _count(org, DecisionVersion) == 1


@pytest.mark.parametrize("by", ["sw", "tm2", "ig"])
def test_only_the_author_and_their_managers_may_amend(org, policy, add, by):
    pk = add()
    with pytest.raises(Forbidden), org.unit() as s:
        amend_decision(s, policy, pk, by, MONDAY, "reason", {"decision": "Changed"})
    assert _count(org, DecisionVersion) == 1


def test_marking_recorded_is_a_version_and_happens_once(org, policy, calendar, add):
    pk = add()
    with org.unit() as s:
        first = mark_recorded(s, pk, "tm", MONDAY, "LCS")
    with org.unit() as s:
        again = mark_recorded(s, f"D-{pk:06d}", "tm", MONDAY, "LCS")
    assert "marked as recorded" in first.plain_text() and "already" in again.plain_text()
    with org.unit() as s:
        view = show_decision(s, policy, calendar, pk, "tm")
    assert [v.change for v in view.versions] == ["created", "recorded"]
    assert view.recorded and view.current.recorded_system == "LCS" and view.current.recorded_by == "tm"


def test_an_amendment_after_recording_must_be_recorded_again(org, policy, calendar, add):
    pk = add()
    with org.unit() as s:
        mark_recorded(s, pk, "tm", MONDAY, "LCS")
    tuesday = MONDAY + timedelta(days=1)
    with org.unit() as s:
        amend_decision(s, policy, pk, "tm", tuesday, "typo", {"decision": "Step down to early help now"})
    with org.unit() as s:
        view = show_decision(s, policy, calendar, pk, "tm")
    assert not view.recorded and view.record_by == date(2026, 11, 25)


def test_strangers_cannot_mark_recorded(org, add):
    pk = add()
    with pytest.raises(Forbidden), org.unit() as s:
        mark_recorded(s, pk, "tm2", MONDAY)


def test_verify_passes_on_an_untouched_history(org, policy, add):
    pk = add(action1_text="Visit", action1_owner="sw", action1_due="2026-11-30")
    with org.unit() as s:
        amend_decision(s, policy, pk, "tm", MONDAY, "why", {"decision": "Other"})
        mark_recorded(s, pk, "tm", MONDAY)
    with org.unit() as s:
        checked, problems = verify_chain(s)
    assert (checked, problems) == (3, [])


@pytest.mark.parametrize(
    ("sql", "version"),
    [
        ("UPDATE decision_versions SET rationale = 'rewritten' WHERE version = 1", 1),
        ("UPDATE decision_versions SET reason = 'other reason' WHERE version = 2", 2),
        ("UPDATE decision_actions SET due_on = '2027-01-01' WHERE version_id = (SELECT MIN(id) FROM decision_versions)", 1),
        ("UPDATE decisions SET case_reference = 'LCS999999'", 1),
    ],
)
def test_verify_names_the_tampered_decision_and_version(org, policy, add, sql, version):
    pk = add(action1_text="Visit", action1_owner="sw", action1_due="2026-11-30")
    with org.unit() as s:
        amend_decision(s, policy, pk, "tm", MONDAY, "why", {"decision": "Other"})
    with org.engine.begin() as conn:
        conn.execute(text(sql))
    with org.unit() as s:
        _, problems = verify_chain(s)
    assert problems
    assert problems[0].decision_id == f"D-{pk:06d}" and problems[0].version == version


def test_verify_notices_a_deleted_version(org, policy, add):
    pk = add()
    with org.unit() as s:
        amend_decision(s, policy, pk, "tm", MONDAY, "why", {"decision": "Other"})
    with org.engine.begin() as conn:
        conn.execute(text("DELETE FROM decision_versions WHERE version = 2"))
    with org.unit() as s:
        _, problems = verify_chain(s)
    assert any("2 versions but 1" in p.problem for p in problems)


def test_purge_deletes_only_decisions_past_the_retention_period(org, policy, add):
    old = add(now=datetime(2000, 11, 22, 9, 0, tzinfo=LONDON))
    kept = add(now=datetime(2001, 11, 23, 9, 0, tzinfo=LONDON), action1_text="x", action1_owner="sw", action1_due="2001-12-01")
    with org.unit() as s:
        amend_decision(s, policy, old, "tm", datetime(2001, 1, 1, tzinfo=LONDON), "why", {"decision": "Other"})
    with org.unit() as s:
        assert purge_expired_decisions(s, policy, date(2026, 11, 23)) == 1
    with org.unit() as s:
        assert s.get(Decision, old) is None and s.get(Decision, kept) is not None
        assert s.scalar(select(func.count()).select_from(DecisionVersion).where(DecisionVersion.decision_id == old)) == 0
        assert s.scalar(select(func.count()).select_from(DecisionAction)) == 1
        assert verify_chain(s)[1] == []


def test_ids_are_not_reused_after_a_purge(org, policy, add):
    first = add(now=datetime(2000, 1, 3, 9, 0, tzinfo=LONDON))
    with org.unit() as s:
        purge_expired_decisions(s, policy, date(2026, 11, 23))
    assert add() > first
