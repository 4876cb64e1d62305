"""500 signed `/standard` commands by 20 concurrent users over loopback, against the real server and a fake Slack.

    python -m bench.slack_load [--commands 500] [--concurrency 20] [--database-url URL]

Measures, per command, the ack (HTTP response to the slash command) and the answer (the moment the Block
Kit answer arrives at the command's response_url on the local fake Slack). Each of the 20 users waits for
its answer before sending its next command, so 20 commands are in flight at any time. Targets: p99 ack <= 100 ms,
p99 answer <= 300 ms. Baselines in the same run, same questions, same concurrency:

- `healthz`: GET /healthz on the same server (the HTTP stack's floor);
- `answer-in-ack`: Bolt's stock aiohttp server (`AsyncApp.web_app()`) whose listener searches and
  answers inside the ack, i.e. what you get without "ack first, work after" (its ack IS its answer).

The fake Slack and the load generator run in one process; the server under test runs in another (so the
figures are not flattered or hurt by sharing one event loop).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from urllib.parse import urlencode

from aiohttp import ClientSession, TCPConnector, web

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
USER = "U0BENCH"
QUESTIONS = [
    "how often should an NQSW be supervised?",
    "return to work interview after sickness",
    "supervision frequency for a team manager",
    "what should a supervision agreement cover",
    "when is a fit note needed",
    "case recording timescales",
    "how quickly must I reply to a message",
    "annual appraisal PDR deadline",
    "observation of practice",
    "management oversight of decisions",
    "best recipe for banana bread",  # no answer: the abstention path
    "EAP helpline number",
]
ACK_TARGET_MS = 100.0
ANSWER_TARGET_MS = 300.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": "application/x-www-form-urlencoded"}


# ---- the server under test (a child process) -------------------------------------------------------


def settings_for(database_url: str, api_url: str):
    from bot.config import Settings

    return Settings(database_url=database_url, slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=api_url,
                    _env_file=None)


def seed(app) -> None:
    from bot.storage.models import Staff

    with app.db.unit() as session:
        if session.get(Staff, "bench") is None:
            session.add(Staff(staff_id="bench", name="Bench Manager", role="team_manager", slack_user_id=USER))


def serve(kind: str, database_url: str, api_url: str, port: int, ready) -> None:
    """Run the real server (`kind="real"`) or the answer-in-ack baseline on `port` until killed."""
    import logging

    logging.disable(logging.WARNING)
    from bot.app import App

    app = App(settings_for(database_url, api_url))
    app.db
    seed(app)
    app.warm_up()  # build the index before taking traffic, as `serve` does
    if kind == "real":
        from bot.server import build_web_app

        web_app = build_web_app(app)
    else:
        web_app = answer_in_ack_app(app)
    ready.set()
    web.run_app(web_app, host="127.0.0.1", port=port, print=None, access_log=None, handle_signals=True)


def answer_in_ack_app(app) -> web.Application:
    """The baseline: Bolt's stock aiohttp server; the listener searches, then acks with the answer."""
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.slack import render
    from handlers import router
    from handlers.types import Request

    bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=app.settings.slack_api_url), signing_secret=SECRET)

    @bolt.command("/standard")
    async def standard(ack, body):
        request = Request(now=app.now(), platform="slack", staff_id="bench", text=body.get("text", ""))
        reply = await asyncio.to_thread(router.ask, app, request)
        await ack(**render.message(reply), response_type="in_channel")

    return bolt.web_app(path="/slack/events")


# ---- the load generator and the fake Slack ---------------------------------------------------------


async def fake_slack(arrivals: dict[str, float], answered: dict[str, asyncio.Event]) -> tuple[web.AppRunner, str]:
    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "U0BOT", "bot_id": "B0BOT", "team_id": "T0BENCH", "user": "bot"})
        return web.json_response({"ok": True})

    async def respond(request: web.Request) -> web.Response:
        await request.read()
        key = request.match_info["id"]
        arrivals[key] = time.perf_counter()
        if key in answered:
            answered[key].set()
        return web.Response(text="ok")

    fake = web.Application()
    fake.router.add_route("*", "/api/{method}", api)
    fake.router.add_post("/respond/{id}", respond)
    runner = web.AppRunner(fake, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/"


async def run_commands(url: str, fake_url: str, arrivals: dict[str, float], answered: dict[str, asyncio.Event],
                       commands: int, concurrency: int, tag: str, ack_is_answer: bool) -> tuple[list[float], list[float], int]:
    """`concurrency` users each send a command and wait for its answer before the next (a closed loop).

    Returns ack latencies, answer latencies (ms) and the number of errors (non-200 acks, missing answers).
    """
    acks: list[float] = []
    answers: list[float] = []
    errors = 0
    queue = iter(range(commands))
    async with ClientSession(connector=TCPConnector(limit=concurrency)) as session:

        async def user() -> None:
            nonlocal errors
            for n in queue:
                key = f"{tag}-{n}"
                body = urlencode({"command": "/standard", "text": QUESTIONS[n % len(QUESTIONS)], "user_id": USER,
                                  "team_id": "T0BENCH", "channel_id": "C0BENCH", "response_url": f"{fake_url}respond/{key}",
                                  "trigger_id": f"1.2.{n}"}).encode()
                answered[key] = asyncio.Event()
                start = time.perf_counter()
                async with session.post(url, data=body, headers=signed(body)) as response:
                    await response.read()
                    acks.append((time.perf_counter() - start) * 1000)
                    if response.status != 200:
                        errors += 1
                        continue
                if ack_is_answer:
                    arrivals[key] = time.perf_counter()
                else:
                    try:
                        await asyncio.wait_for(answered[key].wait(), timeout=30)
                    except asyncio.TimeoutError:
                        errors += 1
                        continue
                answers.append((arrivals[key] - start) * 1000)

        await asyncio.gather(*(user() for _ in range(concurrency)))
    return acks, answers, errors


async def run_healthz(url: str, requests: int, concurrency: int) -> list[float]:
    times: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    async with ClientSession(connector=TCPConnector(limit=concurrency)) as session:

        async def one() -> None:
            async with gate:
                start = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                times.append((time.perf_counter() - start) * 1000)

        await asyncio.gather(*(one() for _ in range(requests)))
    return times


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered))) - 1))]


def start_server(kind: str, database_url: str, api_url: str) -> tuple[multiprocessing.Process, int]:
    port = free_port()
    ready = multiprocessing.Event()
    process = multiprocessing.Process(target=serve, args=(kind, database_url, api_url, port, ready), daemon=True)
    process.start()
    if not ready.wait(60):
        raise SystemExit(f"{kind} server did not start")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.02)
    raise SystemExit(f"{kind} server is not listening")


async def main_async(args) -> int:
    arrivals: dict[str, float] = {}
    answered: dict[str, asyncio.Event] = {}
    fake_runner, fake_url = await fake_slack(arrivals, answered)
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    rows = []
    try:
        real, real_port = start_server("real", database_url, fake_url + "api/")
        try:
            events = f"http://127.0.0.1:{real_port}/slack/events"
            await run_commands(events, fake_url, arrivals, answered, min(40, args.commands), args.concurrency, "warm", False)
            acks, answers, errors = await run_commands(events, fake_url, arrivals, answered, args.commands, args.concurrency, "real", False)
            health = await run_healthz(f"http://127.0.0.1:{real_port}/healthz", args.commands, args.concurrency)
        finally:
            real.terminate()
            real.join(10)
        baseline, base_port = start_server("answer-in-ack", database_url, fake_url + "api/")
        try:
            events = f"http://127.0.0.1:{base_port}/slack/events"
            await run_commands(events, fake_url, arrivals, answered, min(40, args.commands), args.concurrency, "bwarm", True)
            b_acks, b_answers, b_errors = await run_commands(events, fake_url, arrivals, answered, args.commands, args.concurrency, "base", True)
        finally:
            baseline.terminate()
            baseline.join(10)
    finally:
        await fake_runner.cleanup()

    rows.append(("standards-bot ack", acks, errors))
    rows.append(("standards-bot answer posted", answers, errors))
    rows.append(("baseline healthz round trip", health, 0))
    rows.append(("baseline answer-in-ack (ack = answer)", b_acks, b_errors))
    print(f"{args.commands} /standard commands, {args.concurrency} concurrent, loopback; {os.cpu_count()} CPUs; "
          f"database {database_url.split(':')[0]}")
    print(f"{'measure':42} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    for name, values, errs in rows:
        print(f"{name:42} {p(values, 50):8.1f} {p(values, 90):8.1f} {p(values, 99):8.1f} {max(values or [0]):8.1f} {errs:7d}")
    ack99, answer99, base99 = p(acks, 99), p(answers, 99), p(b_acks, 99)
    print(f"ack p99 vs answer-in-ack p99: {ack99 / base99:.2f}x; ack p99 vs healthz p99: {ack99 / p(health, 99):.2f}x")
    ok = ack99 <= ACK_TARGET_MS and answer99 <= ANSWER_TARGET_MS and errors == 0
    print(f"targets: ack p99 <= {ACK_TARGET_MS:.0f} ms: {'met' if ack99 <= ACK_TARGET_MS else 'MISSED'}; "
          f"answer p99 <= {ANSWER_TARGET_MS:.0f} ms: {'met' if answer99 <= ANSWER_TARGET_MS else 'MISSED'}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args(argv)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
