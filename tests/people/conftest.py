"""A small organisation for the people tests: hos > sm > tm > (sw, sw2, nq), plus a leaver."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.storage.models import Staff
from handlers.calendar import WorkingCalendar
from handlers.policy import load_policy

ADDED = datetime(2025, 1, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def policy():
    return load_policy("default")


@pytest.fixture
def calendar():
    return WorkingCalendar("ENG")


@pytest.fixture
def org(db):
    """Staff added long ago (created_at fixed) so due dates depend only on the records the tests add."""
    people = [
        ("hos", "Hana Head", "head_of_service", None, None),
        ("sm", "Sol Service", "service_manager", "hos", None),
        ("tm", "Tina Team", "team_manager", "sm", None),
        ("sw", "Sam Worker", "social_worker", "tm", None),
        ("sw2", "Sue Worker", "social_worker", "tm", None),
        ("nq", "Ned New", "nqsw", "tm", date(2026, 9, 7)),
        ("bs", "Bea Support", "business_support", "tm", None),
    ]
    with db.unit() as s:
        for staff_id, name, role, manager, asye in people:
            s.add(
                Staff(
                    staff_id=staff_id, name=name, role=role, manager_id=manager, asye_start=asye,
                    start_date=date(2020, 1, 6), created_at=ADDED, updated_at=ADDED,
                )
            )
            s.flush()
        s.add(
            Staff(staff_id="gone", name="Gary Gone", role="social_worker", manager_id="tm", left_on=date(2026, 1, 1),
                  start_date=date(2020, 1, 6), created_at=ADDED, updated_at=ADDED)
        )
    return db
