"""Who sees a decision: its author, the author's line managers up the chain, and admins. Nobody else."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.storage.models import Staff
from handlers.decisions import amend_decision, list_decisions, mark_recorded, show_decision
from handlers.errors import Forbidden, InvalidInput


@pytest.mark.parametrize("viewer", ["sw", "tm", "sm", "hos"])
def test_the_author_and_their_managers_see_it(org, policy, calendar, add, viewer):
    pk = add(by="sw")
    with org.unit() as s:
        assert show_decision(s, policy, calendar, pk, viewer).decided_by == "sw"
        assert [v.id for v in list_decisions(s, policy, calendar, viewer)] == [f"D-{pk:06d}"]


@pytest.mark.parametrize("viewer", ["sw2", "tm2", "ig", None])
def test_colleagues_and_strangers_do_not(org, policy, calendar, add, viewer):
    pk = add(by="sw")
    with org.unit() as s, pytest.raises(Forbidden):
        show_decision(s, policy, calendar, pk, viewer)
    if viewer:
        with org.unit() as s:
            assert list_decisions(s, policy, calendar, viewer) == []


def test_a_manager_does_not_see_their_own_managers_decisions(org, policy, calendar, add):
    add(by="sm")
    with org.unit() as s:
        assert list_decisions(s, policy, calendar, "tm") == []
        assert len(list_decisions(s, policy, calendar, "hos")) == 1


def test_admins_see_everything(org, policy, calendar, add):
    add(by="sw")
    add(by="tm2")
    with org.unit() as s:
        assert len(list_decisions(s, policy, calendar, "ig", admin_ids={"ig"})) == 2
        for view in list_decisions(s, policy, calendar, "ig", admin_ids={"ig"}):
            assert show_decision(s, policy, calendar, view.id, "ig", admin_ids={"ig"}).id == view.id


def test_a_list_without_a_viewer_is_refused_unless_the_operator_asks(org, policy, calendar, add):
    add(by="sw")
    with org.unit() as s:
        with pytest.raises(Forbidden):
            list_decisions(s, policy, calendar, None)
        assert len(list_decisions(s, policy, calendar, None, operator=True)) == 1


def test_when_the_author_leaves_their_managers_still_see_it(org, policy, calendar, add):
    pk = add(by="sw")
    with org.unit() as s:
        s.execute(update(Staff).where(Staff.staff_id == "sw").values(left_on=date(2026, 11, 24)))
    with org.unit() as s:
        assert show_decision(s, policy, calendar, pk, "tm").decided_by == "sw"
        assert len(list_decisions(s, policy, calendar, "sm")) == 1
        with pytest.raises(Forbidden):
            show_decision(s, policy, calendar, pk, "tm2")


def test_when_the_author_leaves_their_manager_can_amend_and_record_it(org, policy, calendar, add):
    pk = add(by="sw")
    with org.unit() as s:
        s.execute(update(Staff).where(Staff.staff_id == "sw").values(left_on=date(2026, 11, 24)))
    later = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    with org.unit() as s:
        amend_decision(s, policy, pk, "tm", later, "worker left; plan confirmed", {"rationale": "Confirmed at handover"})
        mark_recorded(s, pk, "tm", later, "LCS")
    with org.unit() as s:
        view = show_decision(s, policy, calendar, pk, "sm")
    assert view.decided_by == "sw"
    assert [(v.change, v.author_id) for v in view.versions] == [("created", "sw"), ("amended", "tm"), ("recorded", "tm")]
    with org.unit() as s, pytest.raises(InvalidInput, match="has left"):
        amend_decision(s, policy, pk, "sw", later, "x", {"decision": "y"})
