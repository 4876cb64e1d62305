"""Soak: 30 minutes' worth of mixed traffic, compressed, at 20 concurrent over loopback, with memory sampled.

    python -m bench.soak [--requests 1200] [--concurrency 20] [--database-url URL] [--max-seconds 600]

The server under test is `standards-bot serve` in its own process (so its memory is measured alone), with
SLACK_API_URL and every activity's serviceUrl pointing at a fake Slack Web API and a fake Bot Framework
connector run by this process on loopback. The traffic is a busy half hour of a 111-person service: Slack
`/standard` questions (55 %), Teams questions (10 %), oversight decisions captured in one line (15 %),
supervisions recorded (20 %), and the daily digests sent for five working days (`nudges --send`, each day
run twice to show it is delivered once) while the rest goes on.

Reported: error responses (target 0), every record accounted for afterwards (each question answered, each
decision and supervision stored once, each digest delivered once), and the server's resident memory (RSS)
sampled every 0.25 s: growth from the end of the warm-up (first 10 % of requests, which loads the search
index) to the end (target <= 10 %). Baselines in the same run: RSS at idle after start-up, and ack latency
of the first 10 % of requests against the last 10 % (drift).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

SECRET = "soak-signing-secret"
TOKEN = "xoxb-soak"
MANAGERS = 10
WORKERS = 100
QUESTIONS = [
    "how often should an NQSW be supervised?",
    "return to work interview after sickness",
    "what should a supervision agreement cover",
    "how quickly must I reply to messages",
    "case consultation recording timescales",
    "what happens on day 8 of sickness absence",
    "annual appraisal PDR",
    "management oversight on the child's file",
]
DIGEST_DAYS = [date(2026, 11, 16) + timedelta(days=n) for n in range(5)]  # Mon-Fri of the week before


PREFIX = {"slack_question": "q", "teams_question": "t", "decision": "d", "supervision": "v"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": "application/x-www-form-urlencoded"}


def staff_csv() -> str:
    rows = ["staff_id,name,role,team,manager_id,slack_user_id,teams_user_id,start_date",
            "hos,Head of Service,head_of_service,,,U0HOS,,2020-01-06"]
    for m in range(MANAGERS):
        rows.append(f"m{m},Manager {m},team_manager,team{m},hos,U0M{m},aad-m{m},2021-03-01")
    for w in range(WORKERS):
        rows.append(f"w{w},Worker {w},social_worker,team{w % MANAGERS},m{w % MANAGERS},U0W{w},,2024-06-03")
    return "\n".join(rows) + "\n"


def seed(database_url: str) -> None:
    """Migrate and import the organisation; a supervision in August for everyone, so digests have items."""
    from bot.app import App
    from bot.config import Settings
    from bot.storage.models.people import SupervisionSession
    from handlers.staff import import_staff

    app = App(Settings(database_url=database_url, _env_file=None))
    with app.db.unit() as session:
        report = import_staff(session, staff_csv())
        assert not report.rejected, report.rejected
        for w in range(WORKERS):
            session.add(SupervisionSession(staff_id=f"w{w}", supervisor_id=f"m{w % MANAGERS}", held_on=date(2026, 8, 3), kind="case"))
    app.close()


class Fakes:
    """Fake Slack Web API + response_url endpoint + Bot Framework connector; each answer wakes its waiter."""

    def __init__(self) -> None:
        self.answers: dict[str, asyncio.Future] = {}
        self.response_bodies: dict[str, str] = {}
        self.dm_posts: list[str] = []
        self.calls = 0
        self.ts = itertools.count(1)

    def expect(self, key: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.answers[key] = future
        return future

    def _arrived(self, key: str, text: str) -> None:
        self.response_bodies[key] = text
        future = self.answers.get(key)
        if future is not None and not future.done():
            future.set_result(text)

    async def slack_api(self, request: web.Request) -> web.Response:
        self.calls += 1
        method = request.match_info["method"]
        raw = await request.text()
        args = dict(parse_qsl(raw)) if request.content_type != "application/json" else (json.loads(raw) if raw else {})
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": "D" + str(args.get("users", ""))[1:]}})
        if method == "chat.postMessage":
            channel = str(args.get("channel", ""))
            if channel.startswith(("D", "U", "W")):  # a DM channel, or a user id (Slack posts in the app's DM)
                self.dm_posts.append(channel)
                channel = "D" + channel[1:]
            return web.json_response({"ok": True, "channel": channel, "ts": f"1700000000.{next(self.ts):06d}"})
        if method == "users.info":
            return web.json_response({"ok": False, "error": "user_not_found"})
        if method == "auth.test":
            return web.json_response({"ok": True, "team_id": "T0", "user_id": "U0BOT", "bot_id": "B0"})
        return web.json_response({"ok": True, "view": {"id": "V0"}})

    async def respond(self, request: web.Request) -> web.Response:
        self._arrived(request.match_info["name"], await request.text())
        return web.Response(text="ok")

    async def connector(self, request: web.Request) -> web.Response:
        body = await request.text()
        self._arrived(request.match_info.get("reply_to", ""), body)
        return web.json_response({"id": f"reply-{next(self.ts)}"})

    def app(self) -> web.Application:
        application = web.Application(client_max_size=4 * 1024 * 1024)
        application.router.add_route("*", "/api/{method}", self.slack_api)
        application.router.add_post("/respond/{name}", self.respond)
        application.router.add_post("/v3/conversations/{cid}/activities/{reply_to}", self.connector)
        application.router.add_post("/v3/conversations/{cid}/activities", self.connector)
        return application


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def plan(count: int) -> list[tuple[str, int]]:
    """The mix, interleaved deterministically: (kind, sequence number)."""
    shares = [("slack_question", 55), ("teams_question", 10), ("decision", 15), ("supervision", 20)]
    wheel = [kind for kind, share in shares for _ in range(share)]
    wheel = [wheel[(i * 37) % 100] for i in range(100)]  # spread each kind through the cycle
    return [(wheel[i % 100], i) for i in range(count)]


class Soak:
    def __init__(self, base: str, fakes: Fakes, fake_base: str) -> None:
        self.base = base
        self.fakes = fakes
        self.fake_base = fake_base
        self.errors: list[str] = []
        self.missing: list[str] = []
        self.acks: list[float] = []
        self.sent = {"slack_question": 0, "teams_question": 0, "decision": 0, "supervision": 0}
        self.supervisions: set[tuple[str, str]] = set()

    async def one(self, http: ClientSession, kind: str, i: int) -> None:
        key = f"{PREFIX[kind]}{i}"
        waiter = self.fakes.expect(key)
        if kind == "teams_question":
            m = i % 5
            activity = {
                "type": "message", "id": key, "timestamp": "2026-11-23T09:00:00.000Z", "serviceUrl": self.fake_base,
                "channelId": "msteams", "from": {"id": f"29:m{m}", "name": f"Manager {m}", "aadObjectId": f"aad-m{m}"},
                "conversation": {"conversationType": "personal", "tenantId": "t", "id": f"a:m{m}"},
                "recipient": {"id": "28:bot", "name": "Standards Bot"}, "text": QUESTIONS[i % len(QUESTIONS)],
                "channelData": {"tenant": {"id": "t"}},
            }
            started = time.perf_counter()
            async with http.post(self.base + "api/messages", json=activity) as response:
                await response.read()
                status = response.status
        else:
            w = i % WORKERS
            manager = f"U0M{w % MANAGERS}"
            if kind == "slack_question":
                command, text, user = "/standard", QUESTIONS[i % len(QUESTIONS)], f"U0W{w}"
            elif kind == "decision":
                command, text, user = "/oversight", f"LCS{400000 + i}: step down to early help because risks reduced", manager
            else:
                day = (date(2026, 11, 20) - timedelta(days=i // WORKERS)).isoformat()
                command, text, user = "/supervision", f"w{w} {day}", manager
                self.supervisions.add((f"w{w}", day))
            body = urlencode({"team_id": "T0", "channel_id": "C0SOAK", "user_id": user, "user_name": "u", "command": command,
                              "text": text, "api_app_id": "A0", "trigger_id": f"1.2.{i}",
                              "response_url": f"{self.fake_base}respond/{key}"}).encode()
            started = time.perf_counter()
            async with http.post(self.base + "slack/events", data=body, headers=signed(body)) as response:
                await response.read()
                status = response.status
        self.acks.append(time.perf_counter() - started)
        self.sent[kind] += 1
        if status >= 400:
            self.errors.append(f"{kind} {i}: HTTP {status}")
            return
        try:
            answer = await asyncio.wait_for(waiter, 30)
        except asyncio.TimeoutError:
            self.missing.append(key)
            return
        if "something went wrong" in answer or "briefly unavailable" in answer:
            self.errors.append(f"{kind} {i}: apology")


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, env=env,
                                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await process.communicate()
    return process.returncode, (out + err).decode(errors="replace")


async def soak(args) -> dict:
    workdir = tempfile.mkdtemp(prefix="soak-")
    database_url = args.database_url or f"sqlite:///{workdir}/soak.db"
    seed(database_url)
    fakes = Fakes()
    runner = web.AppRunner(fakes.app(), access_log=None)
    await runner.setup()
    fake_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", fake_port).start()
    fake_base = f"http://127.0.0.1:{fake_port}/"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": fake_base + "api/", "TZ_NAME": "Europe/London", "PORT": str(port)}
    env.pop("SLACK_APP_TOKEN", None)
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=open(f"{workdir}/server.log", "wb"))
    base = f"http://127.0.0.1:{port}/"
    samples: list[tuple[float, int]] = []
    result: dict = {}
    try:
        async with ClientSession(connector=TCPConnector(limit=args.concurrency * 2), timeout=ClientTimeout(total=60)) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    async with http.get(base + "healthz") as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"server did not start; see {workdir}/server.log")
                await asyncio.sleep(0.1)
            idle = rss_kib(server.pid)
            soak_run = Soak(base, fakes, fake_base)
            work = plan(args.requests)
            queue: asyncio.Queue = asyncio.Queue()
            for item in work:
                queue.put_nowait(item)
            warmup_at = max(1, len(work) // 10)
            done = itertools.count(1)
            warm: dict[str, int] = {}
            started = time.monotonic()
            stop_sampling = asyncio.Event()

            async def sample() -> None:
                while not stop_sampling.is_set():
                    samples.append((time.monotonic() - started, rss_kib(server.pid)))
                    try:
                        await asyncio.wait_for(stop_sampling.wait(), 0.25)
                    except asyncio.TimeoutError:
                        pass

            async def user() -> None:
                while not queue.empty() and time.monotonic() - started < args.max_seconds:
                    kind, i = queue.get_nowait()
                    await soak_run.one(http, kind, i)
                    if next(done) == warmup_at:
                        warm["rss"] = rss_kib(server.pid)

            async def digests() -> list[tuple[str, int, str]]:
                runs = []
                for day in DIGEST_DAYS:
                    for attempt in (1, 2):
                        code, output = await run_cli(env, "nudges", "--send", "--date", day.isoformat())
                        runs.append((day.isoformat(), attempt, code, output.strip().splitlines()[-1:] or [""]))
                return runs

            sampler = asyncio.create_task(sample())
            digest_task = asyncio.create_task(digests())
            await asyncio.gather(*(user() for _ in range(args.concurrency)))
            digest_runs = await digest_task
            elapsed = time.monotonic() - started
            # let the server finish anything after the last ack (home-tab refreshes), then sample once more
            async with http.get(base + "healthz") as response:
                final_health = response.status
            stop_sampling.set()
            await sampler
            final = rss_kib(server.pid)
        result = account(database_url, soak_run, fakes, digest_runs)
        warm_rss = warm.get("rss") or idle
        early = soak_run.acks[: max(1, len(soak_run.acks) // 10)]
        late = soak_run.acks[-max(1, len(soak_run.acks) // 10):]
        result.update(
            requests=sum(soak_run.sent.values()), sent=soak_run.sent, seconds=round(elapsed, 1), concurrency=args.concurrency,
            errors=soak_run.errors[:10], error_count=len(soak_run.errors), missing=soak_run.missing[:10],
            missing_count=len(soak_run.missing), final_health=final_health,
            rss_idle_mib=round(idle / 1024, 1), rss_warm_mib=round(warm_rss / 1024, 1), rss_final_mib=round(final / 1024, 1),
            rss_peak_mib=round(max(kib for _, kib in samples) / 1024, 1) if samples else None,
            rss_growth_pct=round(100 * (final - warm_rss) / warm_rss, 1), samples=len(samples),
            ack_p50_first_ms=round(1000 * statistics.median(early), 1), ack_p50_last_ms=round(1000 * statistics.median(late), 1),
            server_log=f"{workdir}/server.log",
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        result["server_exit"] = server.returncode
        await runner.cleanup()
    return result


def account(database_url: str, soak_run: Soak, fakes: Fakes, digest_runs) -> dict:
    """Every record accounted for: count what the database holds against what was sent."""
    from sqlalchemy import func, select

    from bot.storage import Database
    from bot.storage.models.decisions import Decision
    from bot.storage.models.people import SupervisionSession
    from bot.storage.models.scheduler import Delivery

    db = Database(database_url)
    with db.unit() as session:
        decisions = session.scalar(select(func.count()).select_from(Decision).where(Decision.case_reference.like("LCS4%")))
        supervisions = session.scalar(select(func.count()).select_from(SupervisionSession).where(SupervisionSession.held_on > date(2026, 8, 3)))
        digests_sent = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kind == "digest", Delivery.status == "sent"))
        digests_other = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kind == "digest", Delivery.status != "sent"))
    db.dispose()
    answered = {key for key in fakes.response_bodies}
    return {
        "questions_answered": sum(1 for key in answered if key[0] in "qt"),
        "questions_sent": soak_run.sent["slack_question"] + soak_run.sent["teams_question"],
        "decisions_stored": decisions, "decisions_sent": soak_run.sent["decision"],
        "supervisions_stored": supervisions, "supervisions_sent": len(soak_run.supervisions),
        "digests_delivered": len(fakes.dm_posts), "digest_deliveries_sent": digests_sent, "digest_deliveries_not_sent": digests_other,
        "digest_cli_runs": [f"{day} run {attempt}: exit {code} {tail[0] if tail else ''}" for day, attempt, code, tail in digest_runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON too")
    args = parser.parse_args()
    result = asyncio.run(soak(args))
    checks = [
        ("error responses", result["error_count"], 0, result["error_count"] == 0),
        ("requests without an answer", result["missing_count"], 0, result["missing_count"] == 0),
        ("questions answered / sent", f"{result['questions_answered']} / {result['questions_sent']}", "all",
         result["questions_answered"] == result["questions_sent"]),
        ("decisions stored / sent", f"{result['decisions_stored']} / {result['decisions_sent']}", "all",
         result["decisions_stored"] == result["decisions_sent"]),
        ("supervisions stored / sent", f"{result['supervisions_stored']} / {result['supervisions_sent']}", "all",
         result["supervisions_stored"] == result["supervisions_sent"]),
        ("digest DMs received / deliveries recorded sent", f"{result['digests_delivered']} / {result['digest_deliveries_sent']}", "equal",
         result["digests_delivered"] == result["digest_deliveries_sent"]),
        ("RSS growth after warm-up (%)", result["rss_growth_pct"], "<= 10", result["rss_growth_pct"] <= 10),
        ("/healthz after the soak", result["final_health"], 200, result["final_health"] == 200),
    ]
    print(f"soak: {result['requests']} requests ({result['sent']}) at {result['concurrency']} concurrent in {result['seconds']} s")
    print(f"{'check':<48} {'measured':>16} {'target':>8}  ok")
    for name, measured, target, ok in checks:
        print(f"{name:<48} {str(measured):>16} {str(target):>8}  {'yes' if ok else 'NO'}")
    print(f"RSS MiB: idle {result['rss_idle_mib']}, after warm-up {result['rss_warm_mib']}, peak {result['rss_peak_mib']}, "
          f"final {result['rss_final_mib']} (final / warm-up = {result['rss_final_mib'] / result['rss_warm_mib']:.3f}; "
          f"{result['samples']} samples)")
    print(f"ack p50: first 10 % {result['ack_p50_first_ms']} ms, last 10 % {result['ack_p50_last_ms']} ms "
          f"(drift ratio {result['ack_p50_last_ms'] / max(result['ack_p50_first_ms'], 0.001):.2f})")
    for line in result["digest_cli_runs"]:
        print("  nudges --send", line)
    if result["errors"] or result["missing"]:
        print("examples:", result["errors"][:5], result["missing"][:5])
    print(f"server exit code after SIGTERM: {result['server_exit']} (graceful shutdown); log {result['server_log']}")
    if args.json:
        print(json.dumps(result, default=str))
    sys.exit(0 if all(ok for *_, ok in checks) else 1)


if __name__ == "__main__":
    main()
