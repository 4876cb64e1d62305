"""Fakes shared by the security and resilience tests: Slack Web API + Bot Framework connector, Slack signing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from bot.app import App
from bot.config import Settings
from bot.storage.models import Staff, Team

SIGNING_SECRET = "sec-review-signing-secret-0001"
BOT_TOKEN = "xoxb-1111-2222-SECRETTOKENVALUE"
MANAGER_SLACK = "U0MGR"
WORKER_SLACK = "U0WRK"
OTHER_MANAGER_SLACK = "U0OTHER"


class FakePlatforms:
    """Records what the server sends to Slack's Web API, response_urls and the Bot Framework connector."""

    def __init__(self) -> None:
        self.slack: list[tuple[str, dict[str, Any]]] = []
        self.connector: list[dict[str, Any]] = []
        self.base = ""
        # scripted failures, used up in order: Slack method name or "teams" -> [(HTTP status, headers), ...]
        self.failures: dict[str, list[tuple[int, dict[str, str]]]] = {}

    def _scripted(self, key: str) -> web.Response | None:
        queue = self.failures.get(key)
        if not queue:
            return None
        status, headers = queue.pop(0)
        error = "ratelimited" if status == 429 else "internal_error"
        return web.json_response({"ok": False, "error": error}, status=status, headers=headers)

    def posts(self) -> list[dict[str, Any]]:
        """chat.postMessage calls that succeeded."""
        return [args for method, args in self.slack if method == "chat.postMessage" and not args.get("_failed")]

    async def slack_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        args: dict[str, Any] = dict(request.query)
        if raw and request.content_type == "application/json":
            args.update(json.loads(raw))
        elif raw:
            args.update(parse_qsl(raw, keep_blank_values=True))
        self.slack.append((method, args))
        scripted = self._scripted(method)
        if scripted is not None:
            args["_failed"] = scripted.status
            return scripted
        if method == "auth.test":
            return web.json_response({"ok": True, "team_id": "T0", "user_id": "U0BOT", "bot_id": "B0BOT"})
        if method == "users.info":
            return web.json_response({"ok": False, "error": "user_not_found"})
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": "D" + str(args.get("users", ""))[1:]}})
        if method == "chat.postMessage":
            return web.json_response({"ok": True, "channel": args.get("channel"), "ts": f"{time.time():.6f}"})
        if method.startswith("views."):
            return web.json_response({"ok": True, "view": {"id": "V0"}})
        return web.json_response({"ok": True})

    async def respond(self, request: web.Request) -> web.Response:
        self.slack.append(("respond", await request.json()))
        return web.Response(text="ok")

    async def activities(self, request: web.Request) -> web.Response:
        activity = await request.json()
        scripted = self._scripted("teams")
        if scripted is not None:
            return scripted
        self.connector.append(activity)
        return web.json_response({"id": f"activity-{len(self.connector)}"})

    async def create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        member = (body.get("members") or [{}])[0].get("id", "")
        return web.json_response({"id": f"a:new-{member}"})


def sign(body: bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's v0 signature headers for `body`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def command_body(command: str, text: str, user: str, response_url: str) -> bytes:
    return urlencode({
        "team_id": "T0", "channel_id": "C0NORTH", "user_id": user, "user_name": "someone", "command": command,
        "text": text, "api_app_id": "A0", "response_url": response_url, "trigger_id": "1.2.3",
    }).encode()


def teams_message(service_url: str, text: str, aad: str = "aad-mgr") -> dict[str, Any]:
    return {
        "type": "message", "id": "1", "timestamp": "2026-11-23T09:00:00.000Z", "serviceUrl": service_url,
        "channelId": "msteams", "from": {"id": "29:1", "name": "Someone", "aadObjectId": aad},
        "conversation": {"conversationType": "personal", "tenantId": "t", "id": "a:conv"},
        "recipient": {"id": "28:bot", "name": "Standards Bot"}, "text": text, "textFormat": "plain",
        "channelData": {"tenant": {"id": "t"}},
    }


async def settle(web_app: web.Application, timeout: float = 10.0) -> None:
    """Wait, with a deadline, until the Slack adapter's background work has finished."""
    from bot.slack import adapter_of

    adapter = adapter_of(web_app)
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3:
        assert time.monotonic() < deadline, "background work did not finish"
        await asyncio.sleep(0)
        if adapter is not None and adapter.tasks:
            quiet = 0
            await adapter.drain(timeout=deadline - time.monotonic())
        else:
            quiet += 1


async def start_platforms(aiohttp_server) -> FakePlatforms:
    """The fakes on a free loopback port."""
    fake = FakePlatforms()
    server_app = web.Application()
    server_app.router.add_route("*", "/api/{method}", fake.slack_api)
    server_app.router.add_post("/respond/{name}", fake.respond)
    server_app.router.add_post("/v3/conversations/{cid}/activities", fake.activities)
    server_app.router.add_post("/v3/conversations/{cid}/activities/{reply_to}", fake.activities)
    server_app.router.add_post("/v3/conversations", fake.create_conversation)
    server = await aiohttp_server(server_app)
    fake.base = str(server.make_url("/"))
    return fake


def add_two_teams(application: App) -> None:
    """Two teams: north (manager mgr, worker wrk) and south (manager other, worker sth)."""
    with application.db.unit() as session:
        session.add_all([Team(team_id="north", name="North"), Team(team_id="south", name="South")])
        session.flush()
        session.add_all([
            Staff(staff_id="mgr", name="Morgan Manager", email="morgan.manager@council.gov.uk", role="team_manager",
                  team_id="north", slack_user_id=MANAGER_SLACK, teams_user_id="aad-mgr"),
            Staff(staff_id="other", name="Olive Other", email="olive.other@council.gov.uk", role="team_manager",
                  team_id="south", slack_user_id=OTHER_MANAGER_SLACK),
        ])
        session.flush()
        session.add_all([
            Staff(staff_id="wrk", name="Wendy Worker", email="wendy.worker@council.gov.uk", role="social_worker",
                  team_id="north", manager_id="mgr", slack_user_id=WORKER_SLACK),
            Staff(staff_id="sth", name="Stan South", email="stan.south@council.gov.uk", role="social_worker",
                  team_id="south", manager_id="other"),
        ])


def platform_settings(database_url: str, platforms: FakePlatforms) -> Settings:
    return Settings(database_url=database_url, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                    slack_api_url=platforms.base + "api/", _env_file=None)
