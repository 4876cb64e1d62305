"""Fixtures for the decisions tests: a small organisation and a helper that records a decision."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.storage.models import Staff
from handlers.calendar import WorkingCalendar
from handlers.decisions import store_decision
from handlers.policy import load_policy
from handlers.types import Request

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)


@pytest.fixture
def policy():
    return load_policy("default")


@pytest.fixture
def calendar():
    return WorkingCalendar("ENG")


@pytest.fixture
def org(db):
    """hos > sm > tm > sw, plus an unrelated team manager `tm2` and an admin `ig` (not in the chain)."""
    with db.unit() as s:
        s.add_all(
            [
                Staff(staff_id="hos", name="Hana Head", role="head_of_service"),
                Staff(staff_id="sm", name="Sol Service", role="service_manager", manager_id="hos"),
                Staff(staff_id="tm", name="Tina Team", role="team_manager", manager_id="sm"),
                Staff(staff_id="sw", name="Sam Worker", role="social_worker", manager_id="tm"),
                Staff(staff_id="sw2", name="Sue Worker", role="social_worker", manager_id="tm"),
                Staff(staff_id="tm2", name="Tom Other", role="team_manager", manager_id="sm"),
                Staff(staff_id="ig", name="Iris Governance", role="other"),
                Staff(staff_id="gone", name="Gary Gone", role="social_worker", manager_id="tm", left_on=date(2026, 1, 1)),
            ]
        )
    return db


def good_values(**overrides) -> dict[str, str]:
    """Form values of a good decision, with overrides."""
    base = {
        "case_ref": "LCS204815",
        "type": "case_consultation",
        "decision": "Step down to early help",
        "rationale": "Risks reduced and the family is engaging",
        "risk": "Neglect risk reviewed; no new concerns",
        "child_voice": "Wants to stay at home",
    }
    base.update(overrides)
    return base


@pytest.fixture
def values():
    """`values(**overrides)`: form values of a good decision."""
    return good_values


@pytest.fixture
def add(org, policy):
    """`add(by="tm", now=MONDAY, **overrides)`: store a decision in its own unit of work; returns its row id."""

    def _add(*, by: str = "tm", now: datetime = MONDAY, **overrides) -> int:
        with org.unit() as s:
            header = store_decision(s, policy, Request(now=now, platform="cli", staff_id=by), good_values(**overrides))
            return header.id

    return _add
