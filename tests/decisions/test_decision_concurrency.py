"""Concurrent amends of one decision on both databases: every version kept, the chain intact."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.storage import Database
from bot.storage.models.decisions import DecisionVersion
from handlers.decisions import amend_decision, mark_recorded, verify_chain

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London"))
WORKERS = 8


def _run_together(target, count: int) -> list[BaseException]:
    """Start `count` threads at the same moment (a barrier) and wait for them; returns their errors."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            target(n)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def test_concurrent_amends_never_lose_a_version(org, policy, add):
    pk = add()
    database = Database(org.url)  # its own pool, as separate processes or requests would have

    def amend(n: int) -> None:
        with database.unit() as s:
            amend_decision(s, policy, pk, "tm", MONDAY + timedelta(seconds=n), f"reason {n}", {"rationale": f"rationale {n}"})

    try:
        errors = _run_together(amend, WORKERS)
    finally:
        database.dispose()
    assert errors == []
    with org.unit() as s:
        versions = list(s.scalars(select(DecisionVersion).where(DecisionVersion.decision_id == pk).order_by(DecisionVersion.version)))
        assert [v.version for v in versions] == list(range(1, WORKERS + 2))
        assert sorted(v.reason for v in versions[1:]) == sorted(f"reason {n}" for n in range(WORKERS))
        assert verify_chain(s) == (WORKERS + 1, [])


def test_concurrent_amends_build_on_each_other(org, policy, add):
    """Two people change different fields at the same moment: the latest version has both changes."""
    pk = add()
    database = Database(org.url)
    changes = [{"decision": "New decision"}, {"risk": "New risk"}]

    def amend(n: int) -> None:
        with database.unit() as s:
            amend_decision(s, policy, pk, "tm", MONDAY, "why", changes[n])

    try:
        assert _run_together(amend, 2) == []
    finally:
        database.dispose()
    with org.unit() as s:
        latest = s.scalars(select(DecisionVersion).where(DecisionVersion.decision_id == pk).order_by(DecisionVersion.version.desc())).first()
        assert (latest.version, latest.decision, latest.risk) == (3, "New decision", "New risk")


def test_concurrent_mark_recorded_adds_one_version(org, add):
    pk = add()
    database = Database(org.url)

    def mark(n: int) -> None:
        with database.unit() as s:
            mark_recorded(s, pk, "tm", MONDAY, "LCS")

    try:
        assert _run_together(mark, WORKERS) == []
    finally:
        database.dispose()
    with org.unit() as s:
        changes = list(s.scalars(select(DecisionVersion.change).where(DecisionVersion.decision_id == pk)))
        assert sorted(changes) == ["created", "recorded"]
        assert verify_chain(s)[1] == []
