"""Export of 10,000 oversight decisions (with amendments and actions) as CSV and JSON, on SQLite and PostgreSQL.

    python -m bench.decisions_export [--decisions 10000] [--postgres-url URL] [--no-postgres] [--runs 3]

Each backend gets a fresh database (a temporary SQLite file; a private PostgreSQL database created and
dropped by the bench, from `--postgres-url`, else TEST_DATABASE_URL, else postgres@127.0.0.1:5432). The data:
30% of decisions amended once, half with two actions, ten staff in a line-management chain. A decision's
hash chain is computed exactly as the handlers do, so `verify` is timed on the same data.

The timed export is what `standards-bot decisions export` does (bulk queries, then rendering); the baseline
is the naive ORM way (one query per decision for its versions, one per version for its actions, one per
person for names), measured on the first `--baseline` decisions and scaled to the full count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from bot.storage import Database
from bot.storage.models import Staff
from bot.storage.models.decisions import GENESIS_HASH, Decision, DecisionAction, DecisionVersion
from handlers.calendar import WorkingCalendar
from handlers.decisions import chain_hash, export_csv, export_json, list_decisions, verify_chain, version_content
from handlers.policy import load_policy

TARGET_SECONDS = 2.0
LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
STAFF = [(f"s{n}", f"Staff {n}", "team_manager" if n < 3 else "social_worker", f"s{n - 1}" if n else None) for n in range(10)]


def seed(db: Database, count: int) -> None:
    """Insert `count` decisions with valid hash chains, in bulk (Core inserts, a few thousand rows at a time)."""
    with db.unit() as s:
        s.add_all([Staff(staff_id=i, name=name, role=role, manager_id=boss) for i, name, role, boss in STAFF])
    headers, versions, actions = [], [], []
    version_id = action_id = 0
    for n in range(1, count + 1):
        at = START + timedelta(minutes=n)
        author = STAFF[n % 3][0]
        amended = n % 10 < 3
        header = Decision(
            id=n, case_reference=f"LCS{200000 + n}", author_id=author, decided_at=at, decided_on=at.date(),
            changed_on=at.date(), latest_version=2 if amended else 1, decision_type="case_supervision", updated_at=at,
            recorded_at=None, recorded_system=None,
        )
        headers.append(header)
        prev = GENESIS_HASH
        for number in (1, 2) if amended else (1,):
            version_id += 1
            version = DecisionVersion(
                id=version_id, decision_id=n, version=number, change="created" if number == 1 else "amended",
                author_id=author, created_at=at + timedelta(seconds=number), reason=None if number == 1 else "new information",
                decision_type="case_supervision", decision=f"Decision {n} v{number}: continue the child in need plan",
                rationale="Risks reduced; family engaging; school reports improved attendance", risk="Neglect reviewed",
                child_voice="Wants to stay at home", maker_role="team_manager", recorded_at=None, recorded_system=None,
                recorded_by=None, prev_hash=prev, hash="",
            )
            mine = []
            if n % 2 == 0:
                for position in (1, 2):
                    action_id += 1
                    mine.append(DecisionAction(
                        id=action_id, version_id=version_id, decision_id=n, position=position,
                        text=f"=Action {position}: visit and review", owner_id=STAFF[5 + position][0],
                        due_on=date(2027, 1, 1) + timedelta(days=n % 300),
                    ))
            version.hash = chain_hash(prev, version_content(header, version, mine))
            prev = version.hash
            versions.append(version)
            actions.extend(mine)

    def rows(objects, model):
        columns = [c.key for c in model.__table__.columns]
        return [{c: getattr(o, c) for c in columns} for o in objects]

    with db.unit() as s:
        for model, objects in ((Decision, headers), (DecisionVersion, versions), (DecisionAction, actions)):
            data = rows(objects, model)
            for start in range(0, len(data), 5000):
                s.execute(insert(model), data[start : start + 5000])
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('decisions', 'id'), :n)"), {"n": count})


def fast_export(db: Database, fmt: str) -> int:
    """What `decisions export` does; returns the size of the output."""
    policy, calendar = load_policy("default"), WorkingCalendar("ENG")
    with db.unit() as s:
        views = list_decisions(s, policy, calendar, None, operator=True, tz=LONDON)
    return len(export_json(views) if fmt == "json" else export_csv(views))


def naive_export(db: Database, limit: int) -> int:
    """The baseline: ORM objects fetched one decision, one version and one person at a time."""
    import json

    out = []
    with db.unit() as s:
        for header in s.scalars(select(Decision).order_by(Decision.id).limit(limit)):
            history = []
            for v in s.scalars(select(DecisionVersion).where(DecisionVersion.decision_id == header.id).order_by(DecisionVersion.version)):
                acts = s.scalars(select(DecisionAction).where(DecisionAction.version_id == v.id)).all()
                history.append({"version": v.version, "author": s.get(Staff, v.author_id).name, "decision": v.decision,
                                "actions": [{"text": a.text, "owner": s.get(Staff, a.owner_id).name} for a in acts]})
            out.append({"id": header.id, "case": header.case_reference, "history": history})
            s.expunge_all()  # no identity-map shortcut: each lookup is a round trip, as in a naive loop
    return len(json.dumps(out))


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_backend(name: str, url: str, count: int, runs: int, baseline: int) -> dict:
    db = Database(url)
    try:
        db.upgrade()
        started = time.perf_counter()
        seed(db, count)
        seeded = time.perf_counter() - started
        csv_s = timed(lambda: fast_export(db, "csv"), runs)
        json_s = timed(lambda: fast_export(db, "json"), runs)
        naive_s = timed(lambda: naive_export(db, baseline), 1) * (count / baseline)
        started = time.perf_counter()
        with db.unit() as s:
            checked, problems = verify_chain(s)
        verify_s = time.perf_counter() - started
        assert not problems, problems[:3]
        return {"backend": name, "seed": seeded, "csv": csv_s, "json": json_s, "naive": naive_s, "verify": verify_s, "versions": checked}
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=1_000, help="decisions the naive baseline really exports")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    baseline = min(args.baseline, args.decisions)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(bench_backend("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", args.decisions, args.runs, baseline))
    if not args.no_postgres:
        name = f"bench_decisions_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:  # noqa: BLE001
            print(f"postgresql: skipped, cannot create a database at {make_url(args.postgres_url).host}: {type(exc).__name__}", file=sys.stderr)
        else:
            try:
                url = make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)
                results.append(bench_backend("postgresql", url, args.decisions, args.runs, baseline))
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(f"decisions export: {args.decisions} decisions, median of {args.runs} runs, target <= {TARGET_SECONDS:.1f} s")
    print(f"{'backend':<11} {'versions':>8} {'csv s':>7} {'json s':>7} {'naive s*':>9} {'speed-up':>9} {'verify s':>9}  ok")
    ok = True
    for r in results:
        passed = max(r["csv"], r["json"]) <= TARGET_SECONDS
        ok &= passed
        print(f"{r['backend']:<11} {r['versions']:>8} {r['csv']:>7.2f} {r['json']:>7.2f} {r['naive']:>9.2f} "
              f"{r['naive'] / r['json']:>8.1f}x {r['verify']:>9.2f}  {'yes' if passed else 'NO'}")
    print(f"* naive baseline measured on {baseline} decisions and scaled to {args.decisions}; speed-up = naive / json")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
