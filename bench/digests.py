"""A day's digests for 500 recipients through a local fake Slack Web API that rate-limits like Slack.

    python -m bench.digests [--recipients 500] [--database-url URL] [--latency-ms 100] [--rate 50]

The fake answers after `--latency-ms`. `chat.postMessage` is allowed `--rate` messages a second across the
workspace; `conversations.open` is Tier 3 (`--open-rate` a minute, bursts of that size). Over a limit it
answers 429 with a Retry-After (1 s, or the time until the method's next free slot). It counts a
*violation* when a request for a limited method arrives while the client has already been told to wait
(more than 50 ms after a 429 and before its Retry-After ends). Runs, each on a fresh database:

- the scheduler with `bot.slack.delivery` (one chat.postMessage to the person's user id per digest; the
  `conversations.open` column must stay 0);
- the baseline: the same deliverer, one digest at a time.

A second run of the same day must send nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

from aiohttp import web

TARGET_SECONDS = 30.0
DAY = date(2026, 11, 23)  # a Monday


class Bucket:
    """A token bucket: `rate` requests a second, bursts of `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.updated = burst, time.monotonic()
        self.blocked_until = 0.0
        self.last_429 = 0.0

    def take(self, now: float) -> float | None:
        """None when allowed, else the Retry-After in seconds."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if now >= self.blocked_until and self.tokens >= 1:
            self.tokens -= 1
            return None
        wait = max(1.0, (1 - self.tokens) / self.rate)
        self.last_429 = now
        self.blocked_until = max(self.blocked_until, now + wait)
        return wait


class FakeSlack:
    """chat.postMessage and conversations.open with Slack-like latency and rate limits."""

    def __init__(self, rate: float, open_per_minute: float, latency: float) -> None:
        self.latency = latency
        self.buckets = {
            "chat.postMessage": Bucket(rate, rate),
            "conversations.open": Bucket(open_per_minute / 60.0, open_per_minute),
        }
        self.delivered: list[str] = []
        self.opened = 0
        self.limited = 0
        self.violations = 0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        bucket = self.buckets.get(method)
        now = time.monotonic()
        # 50 ms either side of a Retry-After window is timing jitter, not a client ignoring the header.
        if bucket is not None and now < bucket.blocked_until - 0.05 and now - bucket.last_429 > 0.05:
            self.violations += 1
        data = dict(request.query)
        if request.content_type == "application/json":
            data.update(await request.json())
        else:
            data.update(await request.post())
        await asyncio.sleep(self.latency)
        wait = bucket.take(time.monotonic()) if bucket is not None else None
        if wait is not None:
            self.limited += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(int(wait + 0.999))}
            )
        if method == "conversations.open":
            self.opened += 1
            return web.json_response({"ok": True, "channel": {"id": "D" + str(data.get("users"))}})
        if method == "chat.postMessage":
            self.delivered.append(str(data.get("channel")))
            return web.json_response({"ok": True, "channel": data.get("channel"), "ts": f"{time.time():.6f}"})
        return web.json_response({"ok": True})

    async def start(self) -> tuple[web.AppRunner, str]:
        app = web.Application()
        app.router.add_post("/api/{method}", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        return runner, f"http://127.0.0.1:{port}/api/"


def slack_deliverer(app):
    from bot.slack.delivery import build_deliverer

    return build_deliverer(app)


def make_app(database_url: str, api_url: str):
    from bot.app import App
    from bot.config import Settings

    settings = Settings(
        database_url=database_url,
        slack_bot_token="xoxb-bench",
        slack_signing_secret="bench-secret",
        slack_api_url=api_url,
        _env_file=None,
    )
    now = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    return App(settings, clock=lambda: now)


def seed(app, recipients: int) -> None:
    from bot.storage.models import Staff, Team

    with app.db.unit() as session:
        session.add(Team(team_id="B1", name="Bench team"))
        session.flush()
        session.add_all(
            Staff(staff_id=f"S{i:04d}", name=f"Person {i}", role="social_worker", team_id="B1", slack_user_id=f"U{i:06d}")
            for i in range(recipients)
        )


def nudge_source(recipients: int):
    from handlers.types import Nudge

    nudges = [
        Nudge(f"S{i:04d}", kind, f"M{i}-{k}", DAY, "A reply is owed (within 2 working days)", "Sefton 2023, 6")
        for i in range(recipients)
        for k, kind in enumerate(("message_unanswered", "supervision_due"))
    ]
    return lambda session, policy, calendar, day: nudges


async def one_run(label: str, database_url: str, args, concurrency: int, limit: float | None) -> dict:
    from scheduler.digests import deliver_digests

    fake = FakeSlack(args.rate, args.open_rate, args.latency_ms / 1000)
    runner, api_url = await fake.start()
    app = make_app(database_url, api_url)
    finished = True
    try:
        await asyncio.to_thread(lambda: app.db)
        await asyncio.to_thread(seed, app, args.recipients)
        deliverer = slack_deliverer(app)
        source = nudge_source(args.recipients)
        started = time.perf_counter()
        run = deliver_digests(app, DAY, deliverers=[deliverer], source=source, concurrency=concurrency)
        try:
            report = await asyncio.wait_for(run, timeout=limit)
        except asyncio.TimeoutError:
            finished, report = False, None
        elapsed = time.perf_counter() - started
        again = None
        if finished:
            again = await deliver_digests(app, DAY, deliverers=[deliverer], source=source, concurrency=concurrency)
    finally:
        await runner.cleanup()
        app.close()
    return {
        "run": label,
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "finished": finished,
        "sent": report.sent if report else len(set(fake.delivered)),
        "failed": report.failed if report else None,
        "delivered_by_fake": len(fake.delivered),
        "duplicates": len(fake.delivered) - len(set(fake.delivered)),
        "429s": fake.limited,
        "conversations_open": fake.opened,
        "violations": fake.violations,
        "second_run_sent": again.sent if again else None,
    }


def fresh_sqlite(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / name}.db"


def fresh_postgres(base_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(base_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0, help="chat.postMessage a second the fake allows")
    parser.add_argument("--open-rate", type=float, default=50.0, help="conversations.open a minute (Tier 3)")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL (a bench database is created)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from scheduler.digests import DEFAULT_CONCURRENCY

    runs = [("scheduler, bot.slack.delivery", DEFAULT_CONCURRENCY, None)]
    if not args.skip_baseline:
        runs.append(("baseline: one at a time", 1, None))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for index, (label, concurrency, limit) in enumerate(runs):
            name = f"sb_bench_digests_{index}"
            url = fresh_postgres(args.database_url, name) if args.database_url else fresh_sqlite(Path(folder), name)
            try:
                rows.append(asyncio.run(one_run(label, url, args, concurrency, limit)))
            finally:
                if args.database_url:
                    drop_postgres(args.database_url, name)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        backend = "postgresql" if args.database_url else "sqlite"
        print(
            f"{args.recipients} recipients, {backend}; fake Slack: chat.postMessage {args.rate:g}/s, "
            f"conversations.open {args.open_rate:g}/min, {args.latency_ms:g} ms latency"
        )
        line = "{:<32}{:>5}{:>9}{:>10}{:>6}{:>8}{:>7}{:>6}{:>12}{:>7}{:>14}"
        print(line.format("run", "conc", "seconds", "finished", "sent", "failed", "dupes", "429s", "violations",
                          "opens", "2nd run sent"))
        for r in rows:
            print(line.format(r["run"], r["concurrency"], r["seconds"], str(r["finished"]), r["sent"],
                              str(r["failed"]), r["duplicates"], r["429s"], r["violations"], r["conversations_open"],
                              str(r["second_run_sent"])))
        baseline = next((r for r in rows if r["concurrency"] == 1), None)
        if baseline:
            print(f"speed-up over the baseline: {baseline['seconds'] / rows[0]['seconds']:.1f}x")
    ours = rows[0]
    ok = (
        ours["seconds"] <= TARGET_SECONDS
        and ours["sent"] == args.recipients
        and all(r["duplicates"] == 0 and r["violations"] == 0 for r in rows)
        and ours["second_run_sent"] == 0
    )
    print(f"target (<= {TARGET_SECONDS:g} s, all sent once, no rate-limit violations): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
