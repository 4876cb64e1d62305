"""A day's nudges for a large authority, on SQLite and PostgreSQL.

    python -m bench.nudges [--sizes 500,5000,50000] [--backends sqlite,postgresql] [--pg-url URL]

For each size N (staff): 12·N supervision sessions, 0.4·N absences, 4·N tracked messages and one
agreement, observation and PDR each per person (5,000 staff = 60,000 supervisions, 2,000 absences,
20,000 messages). Each backend gets a fresh database (SQLite in a temporary folder; a private PostgreSQL
database created and dropped, like the tests). Measures, for `nudges_for_day` on a Monday:

- time (best of 3, after a warm-up run),
- SQL statements executed (counted with a SQLAlchemy `before_cursor_execute` listener; must not grow with N),
- peak Python memory during the computation (tracemalloc) and the process's peak RSS.

Targets at 5,000 staff: <= 2 s and <= 300 MB on both backends, and the same statement count at every size.
Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import make_url

from bot.storage import Database
from bot.storage.models import Staff, Team
from bot.storage.models.people import (
    Absence,
    Appraisal,
    AwaitingReply,
    Observation,
    SupervisionAgreement,
    SupervisionSession,
)
from handlers.calendar import WorkingCalendar
from handlers.nudges import nudges_for_day
from handlers.policy import load_policy

DAY = date(2026, 11, 23)  # a Monday
TARGET_SECONDS = 2.0
TARGET_MB = 300.0
TARGET_SIZE = 5_000
DEFAULT_PG = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ADDED = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)
CHUNK = 5_000


def _chunks(rows: list[dict]):
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def organisation(n: int, rng: random.Random) -> list[dict]:
    """N staff: heads of service, service managers, team managers (1 per 10) and workers (10% NQSW)."""
    staff: list[dict] = []
    heads = max(1, n // 1000)
    services = max(1, n // 100)
    teams = max(1, n // 11)

    def person(i: int, role: str, manager: str | None, team: str | None = None, asye: date | None = None) -> dict:
        return {
            "staff_id": f"S{i:06d}", "name": f"Person {i}", "email": f"p{i}@example.org", "role": role,
            "team_id": team, "manager_id": manager, "start_date": date(2020, 1, 6), "asye_start": asye,
            "pseudonymised": False, "created_at": ADDED, "updated_at": ADDED,
        }

    i = 0
    for _ in range(heads):
        staff.append(person(i, "head_of_service", None))
        i += 1
    head_ids = [s["staff_id"] for s in staff]
    service_ids = []
    for k in range(services):
        staff.append(person(i, "service_manager", head_ids[k % heads]))
        service_ids.append(staff[-1]["staff_id"])
        i += 1
    team_ids = []
    for k in range(teams):
        staff.append(person(i, "team_manager", service_ids[k % services], f"T{k:05d}"))
        team_ids.append((staff[-1]["staff_id"], f"T{k:05d}"))
        i += 1
    while i < n:
        manager, team = team_ids[i % teams]
        if rng.random() < 0.1:
            asye = DAY - timedelta(days=rng.randint(0, 330))
            staff.append(person(i, "nqsw", manager, team, asye))
        else:
            staff.append(person(i, "social_worker", manager, team))
        i += 1
    return staff


def populate(db: Database, n: int) -> dict[str, int]:
    """Fill a migrated, empty database with an authority of `n` staff and their records."""
    rng = random.Random(n)
    staff = organisation(n, rng)
    ids = [s["staff_id"] for s in staff]
    managers = {s["staff_id"]: s["manager_id"] for s in staff}
    teams = sorted({s["team_id"] for s in staff if s["team_id"]})
    supervisions, absences, messages, agreements, observations, appraisals = [], [], [], [], [], []
    for staff_id in ids:
        if managers[staff_id] is None:
            continue
        last = DAY - timedelta(days=rng.randint(0, 45))
        for k in range(12):
            supervisions.append({
                "staff_id": staff_id, "supervisor_id": managers[staff_id], "held_on": last - timedelta(days=30 * k),
                "kind": "case" if k % 2 == 0 else "welfare", "notes_recorded_on": None, "created_at": ADDED,
            })
        for rows, column, who in ((agreements, "agreed_on", "supervisor_id"), (observations, "observed_on", "observer_id"),
                                  (appraisals, "held_on", "appraiser_id")):
            rows.append({"staff_id": staff_id, who: managers[staff_id], column: DAY - timedelta(days=rng.randint(0, 420)),
                         "created_at": ADDED})
    for k in range(int(0.4 * n)):
        staff_id = ids[rng.randrange(len(ids))]
        start = DAY - timedelta(days=rng.randint(0, 120))
        returned = start + timedelta(days=rng.randint(1, 20)) if rng.random() < 0.7 else None
        if returned is not None and returned > DAY:
            returned = None
        absences.append({
            "staff_id": staff_id, "started_on": start, "update_on": None, "fit_note_on": None, "returned_on": returned,
            "rtw_meeting_on": returned if returned and rng.random() < 0.6 else None, "created_at": ADDED, "updated_at": ADDED,
        })
    for k in range(4 * n):
        received = DAY - timedelta(days=rng.randint(0, 60))
        answered = received + timedelta(days=rng.randint(0, 4)) if rng.random() < 0.8 else None
        messages.append({"owner_id": ids[rng.randrange(len(ids))], "sender": "Partner agency", "received_on": received,
                         "answered_on": answered if answered and answered <= DAY else None, "created_at": ADDED})
    with db.engine.begin() as conn:
        conn.execute(insert(Team), [{"team_id": t, "name": t, "created_at": ADDED} for t in teams])
        # managers first: ids are generated top-down, so every manager precedes their reports
        for chunk in _chunks(staff):
            conn.execute(insert(Staff), chunk)
        for model, rows in ((SupervisionSession, supervisions), (Absence, absences), (AwaitingReply, messages),
                            (SupervisionAgreement, agreements), (Observation, observations), (Appraisal, appraisals)):
            for chunk in _chunks(rows):
                conn.execute(insert(model), chunk)
    return {"staff": len(staff), "supervisions": len(supervisions), "absences": len(absences), "messages": len(messages)}


def measure(db: Database, policy, calendar) -> dict[str, float]:
    """Time (best of 3 after a warm-up), statements per run and peak traced memory of one day's nudges."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def run() -> int:
        with db.unit() as session:
            return len(nudges_for_day(session, policy, calendar, DAY))

    run()  # warm-up: connection, caches, holiday tables
    times = []
    for _ in range(3):
        gc.collect()
        started = time.perf_counter()
        found = run()
        times.append(time.perf_counter() - started)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    gc.collect()
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {"seconds": min(times), "queries": len(statements), "peak_mb": peak / 2**20, "nudges": found}


def _sqlite(tmp: Path, n: int) -> tuple[Database, callable]:
    path = tmp / f"bench-{n}.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    return db, lambda: path.unlink(missing_ok=True)


def _postgres(base_url: str) -> tuple[Database, callable]:
    name = f"sbbench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(make_url(base_url).set(database=name).render_as_string(hide_password=False))
    db.upgrade()

    def drop() -> None:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return db, drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,5000,50000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--policy", default="default")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    policy = load_policy(args.policy)
    calendar = WorkingCalendar(policy.nation)
    results = []
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-nudges-") as tmp:
        for backend in args.backends.split(","):
            baseline = None
            for n in sizes:
                if backend == "sqlite":
                    db, cleanup = _sqlite(Path(tmp), n)
                else:
                    try:
                        db, cleanup = _postgres(args.pg_url)
                    except Exception as exc:  # noqa: BLE001
                        print(f"postgresql unavailable at {args.pg_url}: {exc}", file=sys.stderr)
                        ok = False
                        break
                try:
                    started = time.perf_counter()
                    counts = populate(db, n)
                    load_s = time.perf_counter() - started
                    figures = measure(db, policy, calendar)
                finally:
                    db.dispose()
                    cleanup()
                baseline = baseline or figures
                figures.update(counts, backend=backend, load_s=load_s,
                               ratio=figures["seconds"] / baseline["seconds"] if baseline["seconds"] else 0.0)
                results.append(figures)
                print(
                    f"{backend:<10} staff={n:>6} nudges={figures['nudges']:>6} time={figures['seconds']:.3f}s "
                    f"(x{figures['ratio']:.1f} vs {sizes[0]}) queries={figures['queries']} "
                    f"peak={figures['peak_mb']:.1f}MB (load {load_s:.1f}s)",
                    file=sys.stderr, flush=True,
                )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"{'backend':<11}{'staff':>7}{'superv.':>9}{'absences':>9}{'messages':>9}{'nudges':>8}"
          f"{'time s':>9}{'x base':>8}{'queries':>9}{'peak MB':>9}")
    for r in results:
        print(f"{r['backend']:<11}{r['staff']:>7}{r['supervisions']:>9}{r['absences']:>9}{r['messages']:>9}"
              f"{r['nudges']:>8}{r['seconds']:>9.3f}{r['ratio']:>8.1f}{r['queries']:>9}{r['peak_mb']:>9.1f}")
    print(f"process peak RSS (including data generation): {rss_mb:.0f} MB")
    for backend in {r["backend"] for r in results}:
        rows = [r for r in results if r["backend"] == backend]
        if len({r["queries"] for r in rows}) != 1:
            print(f"FAIL {backend}: statement count grows with the organisation: {[r['queries'] for r in rows]}")
            ok = False
        for r in rows:
            if r["staff"] == TARGET_SIZE and (r["seconds"] > TARGET_SECONDS or r["peak_mb"] > TARGET_MB):
                print(f"FAIL {backend} at {TARGET_SIZE} staff: {r['seconds']:.2f}s, {r['peak_mb']:.0f} MB")
                ok = False
    print("targets met" if ok else "targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
