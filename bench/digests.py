"""A day's digests for 500 recipients through a local fake Slack Web API that rate-limits like Slack.

    python -m bench.digests [--recipients 500] [--database-url URL] [--latency-ms 100] [--rate 50]

The fake answers `chat.postMessage` after `--latency-ms` and allows `--rate` messages a second across the
workspace (a token bucket); over that it answers 429 with `Retry-After: 1`. It counts a *violation* when a
request arrives while the client has already been told to wait (more than 50 ms after a 429 and before its
Retry-After ends). Two runs on fresh databases: the baseline sends one at a time; the scheduler's run sends
with its default concurrency and one shared Retry-After gate. A second run of the same day must send nothing.
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


class FakeSlack:
    """chat.postMessage with Slack-like latency and a workspace-wide rate limit."""

    def __init__(self, rate: float, latency: float) -> None:
        self.rate, self.latency = rate, latency
        self.tokens, self.updated = rate, time.monotonic()
        self.blocked_until = 0.0
        self.last_429 = 0.0
        self.delivered: list[str] = []
        self.limited = 0
        self.violations = 0

    async def post_message(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        if now < self.blocked_until and now - self.last_429 > 0.05:
            self.violations += 1
        data = await request.post() if request.content_type != "application/json" else await request.json()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        await asyncio.sleep(self.latency)
        if now < self.blocked_until or self.tokens < 1:
            self.limited += 1
            self.last_429 = time.monotonic()
            self.blocked_until = max(self.blocked_until, self.last_429 + 1.0)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        self.tokens -= 1
        self.delivered.append(str(data.get("channel")))
        return web.json_response({"ok": True, "channel": data.get("channel"), "ts": f"{time.time():.6f}"})

    async def generic_ok(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "channel": {"id": "D0BENCH"}, "user_id": "UBOT", "team_id": "TBENCH"})

    async def start(self) -> tuple[web.AppRunner, str]:
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", self.post_message)
        app.router.add_post("/api/{method}", self.generic_ok)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        return runner, f"http://127.0.0.1:{port}/api/"


class BenchSlackDeliverer:
    """Used only when `bot.slack.delivery` is not there: chat.postMessage via slack_sdk, 429 -> Retry-After."""

    platform = "slack"

    def __init__(self, app) -> None:
        from slack_sdk.web.async_client import AsyncWebClient

        self.client = AsyncWebClient(
            token=app.settings.slack_bot_token.get_secret_value(), base_url=app.settings.slack_api_url
        )

    def can_reach(self, staff) -> bool:
        return bool(staff.slack_user_id)

    async def send_direct(self, staff, reply) -> None:
        from slack_sdk.errors import SlackApiError

        from scheduler.delivery import DeliveryFailed

        try:
            await self.client.chat_postMessage(channel=staff.slack_user_id, text=reply.plain_text()[:3000])
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise DeliveryFailed("ratelimited", retry_after=float(exc.response.headers.get("Retry-After", 1))) from None
            raise DeliveryFailed(str(exc.response.get("error", "slack error")), permanent=True) from None

    async def send_channel(self, channel, reply) -> None:  # pragma: no cover - not used by the bench
        await self.client.chat_postMessage(channel=channel, text=reply.plain_text()[:3000])


def slack_deliverer(app):
    try:
        from bot.slack.delivery import build_deliverer
    except ImportError:
        return BenchSlackDeliverer(app), "bench's own slack_sdk deliverer (bot.slack.delivery not present)"
    return build_deliverer(app), "bot.slack.delivery"


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


async def one_run(label: str, database_url: str, recipients: int, rate: float, latency: float, concurrency: int) -> dict:
    from scheduler.digests import deliver_digests

    fake = FakeSlack(rate, latency)
    runner, api_url = await fake.start()
    app = make_app(database_url, api_url)
    try:
        await asyncio.to_thread(lambda: app.db)
        await asyncio.to_thread(seed, app, recipients)
        deliverer, which = slack_deliverer(app)
        source = nudge_source(recipients)
        started = time.perf_counter()
        report = await deliver_digests(app, DAY, deliverers=[deliverer], source=source, concurrency=concurrency)
        elapsed = time.perf_counter() - started
        again = await deliver_digests(app, DAY, deliverers=[deliverer], source=source, concurrency=concurrency)
    finally:
        app.close()
        await runner.cleanup()
    return {
        "run": label,
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "sent": report.sent,
        "failed": report.failed,
        "delivered_by_fake": len(fake.delivered),
        "duplicates": len(fake.delivered) - len(set(fake.delivered)),
        "429s": fake.limited,
        "violations": fake.violations,
        "second_run_sent": again.sent,
        "deliverer": which,
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
    parser.add_argument("--rate", type=float, default=50.0, help="messages a second the fake allows")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL (a bench database is created)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from scheduler.digests import DEFAULT_CONCURRENCY

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        runs = [("scheduler", DEFAULT_CONCURRENCY)] + ([] if args.skip_baseline else [("baseline: one at a time", 1)])
        for index, (label, concurrency) in enumerate(runs):
            name = f"sb_bench_digests_{index}"
            url = fresh_postgres(args.database_url, name) if args.database_url else fresh_sqlite(Path(folder), name)
            try:
                rows.append(
                    asyncio.run(one_run(label, url, args.recipients, args.rate, args.latency_ms / 1000, concurrency))
                )
            finally:
                if args.database_url:
                    drop_postgres(args.database_url, name)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        backend = "postgresql" if args.database_url else "sqlite"
        print(f"{args.recipients} recipients, {backend}, fake Slack: {args.rate:g} msg/s, {args.latency_ms:g} ms latency")
        print(f"deliverer: {rows[0]['deliverer']}")
        header = ("run", "conc", "seconds", "sent", "failed", "dupes", "429s", "violations", "2nd run sent")
        print("{:<26}{:>5}{:>9}{:>6}{:>8}{:>7}{:>6}{:>12}{:>14}".format(*header))
        for r in rows:
            print(
                "{:<26}{:>5}{:>9}{:>6}{:>8}{:>7}{:>6}{:>12}{:>14}".format(
                    r["run"], r["concurrency"], r["seconds"], r["sent"], r["failed"], r["duplicates"], r["429s"],
                    r["violations"], r["second_run_sent"],
                )
            )
        if len(rows) == 2:
            print(f"speed-up over the baseline: {rows[1]['seconds'] / rows[0]['seconds']:.1f}x")
    ours = rows[0]
    ok = (
        ours["seconds"] <= TARGET_SECONDS
        and ours["sent"] == args.recipients
        and ours["duplicates"] == 0
        and ours["violations"] == 0
        and ours["second_run_sent"] == 0
    )
    print(f"target (<= {TARGET_SECONDS:g} s, all sent once, no rate-limit violations): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
