"""Slack test harness: a local fake Slack Web API, the real server, and properly signed Slack requests."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from aiohttp import web

from bot.app import App
from bot.config import Settings
from bot.server import build_web_app
from bot.storage.models import Staff, Team

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0COUNCIL"
ALEX = "U0ALEX"  # team manager, imported with a Slack id
SAM = "U0SAM"  # social worker, known to Slack by email only
NOBODY = "U0NOBODY"  # not in the staff list
BOT_USER = "U0BOT"


@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class FakeSlack:
    """Records Web API calls and response_url posts, and answers like Slack does."""

    url: str = ""
    base: str = ""
    calls: list[Call] = field(default_factory=list)
    emails: dict[str, str] = field(default_factory=dict)  # Slack user id -> email (users.info)
    fail: dict[str, tuple[int, str, dict[str, str]]] = field(default_factory=dict)  # method -> (status, error, headers)
    socket_outbox: list[dict[str, Any]] = field(default_factory=list)  # Socket Mode envelopes sent after hello
    socket_received: list[dict[str, Any]] = field(default_factory=list)  # what the app sent back (acks)

    def called(self, method: str) -> list[dict[str, Any]]:
        return [call.args for call in self.calls if call.method == method]

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.base}respond/{name}"

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Poll until `count` calls of `method` arrived (no sleeping on a guess: a deadline)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.called(method)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.005)
        raise AssertionError(f"expected {count} call(s) of {method}, got {self.called(method)}; all: {[c.method for c in self.calls]}")


async def _args(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    raw = await request.text()
    if not raw:
        return args
    if request.content_type == "application/json":
        args.update(json.loads(raw))
    else:
        for name, value in parse_qsl(raw, keep_blank_values=True):
            if name in ("blocks", "view") and value.startswith(("[", "{")):
                value = json.loads(value)
            args[name] = value
    return args


@pytest.fixture
async def fake_slack(aiohttp_server) -> FakeSlack:
    """A fake Slack Web API (and response_url endpoint) on a free local port."""
    fake = FakeSlack()
    ts = itertools.count(1)

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _args(request)
        fake.calls.append(Call(method, args))
        if method in fake.fail:
            status, error, headers = fake.fail[method]
            return web.json_response({"ok": False, "error": error}, status=status, headers=headers)
        if method == "auth.test":
            return web.json_response({"ok": True, "url": "https://council.slack.com/", "team": "Council", "user": "standards-bot",
                                      "team_id": TEAM, "user_id": BOT_USER, "bot_id": "B0BOT"})
        if method == "users.info":
            user = args.get("user", "")
            if user not in fake.emails:
                return web.json_response({"ok": False, "error": "user_not_found"})
            return web.json_response({"ok": True, "user": {"id": user, "profile": {"email": fake.emails[user]}}})
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": "D" + str(args.get("users", ""))[1:]}})
        if method == "chat.postMessage":
            channel = str(args.get("channel", ""))
            if channel.startswith(("U", "W")):  # posting to a user id lands in the app's DM with them, as in Slack
                channel = "D" + channel[1:]
            return web.json_response({"ok": True, "channel": channel, "ts": f"1700000000.{next(ts):06d}"})
        if method == "apps.connections.open":
            return web.json_response({"ok": True, "url": fake.base.replace("http://", "ws://") + "socket"})
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            return web.json_response({"ok": True, "view": {"id": "V0VIEW", **(args.get("view") or {})}})
        return web.json_response({"ok": True})

    async def respond(request: web.Request) -> web.Response:
        fake.calls.append(Call("respond", {"name": request.match_info["name"], **(await request.json())}))
        return web.Response(text="ok")

    async def socket(request: web.Request) -> web.WebSocketResponse:
        """Slack's Socket Mode endpoint: hello, then the scripted envelopes; records the app's acks."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}, "connection_info": {"app_id": "A0STANDARDS"}})
        for envelope in fake.socket_outbox:
            await ws.send_json(envelope)
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                fake.socket_received.append(json.loads(message.data))
        return ws

    fake_app = web.Application()
    fake_app.router.add_get("/socket", socket)
    fake_app.router.add_route("*", "/api/{method}", api)
    fake_app.router.add_post("/respond/{name}", respond)
    server = await aiohttp_server(fake_app)
    fake.base = str(server.make_url("/"))
    fake.url = fake.base + "api/"
    return fake


@pytest.fixture
def slack_settings(db_url, fake_slack) -> Settings:
    return Settings(
        database_url=db_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.url,
        _env_file=None,
    )


@pytest.fixture
def slack_app(slack_settings, clock) -> App:
    """The App with Slack configured, and a small org: Alex manages Sam; Alex also manages Kim."""
    application = App(slack_settings, clock=clock)
    with application.db.unit() as session:
        session.add(Team(team_id="north", name="North"))
        session.add(Staff(staff_id="alex", name="Alex Manager", email="alex@council.gov.uk", role="team_manager",
                          team_id="north", slack_user_id=ALEX))
        session.add(Staff(staff_id="sam", name="Sam Worker", email="sam@council.gov.uk", role="social_worker",
                          team_id="north", manager_id="alex"))
        session.add(Staff(staff_id="kim", name="Kim Worker", email="kim@council.gov.uk", role="social_worker",
                          team_id="north", manager_id="alex", slack_user_id="U0KIM"))
    yield application
    application.close()


@pytest.fixture
async def slack(aiohttp_client, slack_app, fake_slack) -> SlackClient:
    """The real server with Slack on, and a client that signs requests like Slack."""
    fake_slack.emails[SAM] = "Sam@Council.gov.uk"
    client = await aiohttp_client(build_web_app(slack_app))
    return SlackClient(client, fake_slack, slack_app)


def sign(body: bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's request signature headers for `body` (v0 HMAC-SHA256 of `v0:ts:body`)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class SlackClient:
    """Sends Slack's wire formats to /slack/events, signed."""

    def __init__(self, client, fake: FakeSlack, app: App) -> None:
        self.client = client
        self.fake = fake
        self.app = app
        self.trigger = itertools.count(1)

    async def app_settled(self, timeout: float = 10.0) -> None:
        """Wait until the server's background work (answers sent after the ack) has finished."""
        from bot.slack import adapter_of

        adapter = adapter_of(self.client.server.app)
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 3:
            assert time.monotonic() < deadline, "background work did not finish"
            await asyncio.sleep(0)  # let listeners scheduled by Bolt start their work
            if adapter is not None and adapter.tasks:
                quiet = 0
                await adapter.drain(timeout=deadline - time.monotonic())
            else:
                quiet += 1

    async def post(self, body: bytes, content_type: str, *, headers: dict[str, str] | None = None, signed: bool = True):
        sent = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        return await self.client.post("/slack/events", data=body, headers=sent)

    async def command(self, command: str, text: str = "", user: str = ALEX, **extra: str):
        fields = {
            "token": "deprecated-verification-token",
            "team_id": TEAM,
            "team_domain": "council",
            "channel_id": "C0NORTH",
            "channel_name": "north-team",
            "user_id": user,
            "user_name": "someone",
            "command": command,
            "text": text,
            "api_app_id": "A0STANDARDS",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(),
            "trigger_id": f"13345224609.738474920.{next(self.trigger)}",
            **extra,
        }
        return await self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], event_id: str = "Ev0001", *, retry: int | None = None):
        body = {
            "token": "deprecated-verification-token",
            "team_id": TEAM,
            "api_app_id": "A0STANDARDS",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": TEAM, "user_id": BOT_USER, "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
            "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIn0",
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(json.dumps(body).encode(), "application/json", headers=headers)

    async def interactive(self, payload: dict[str, Any]):
        return await self.post(urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded")

    def base_payload(self, kind: str, user: str = ALEX) -> dict[str, Any]:
        return {
            "type": kind,
            "user": {"id": user, "username": "someone", "name": "someone", "team_id": TEAM},
            "api_app_id": "A0STANDARDS",
            "token": "deprecated-verification-token",
            "team": {"id": TEAM, "domain": "council"},
            "enterprise": None,
            "is_enterprise_install": False,
            "trigger_id": f"13345224609.738474920.{next(self.trigger)}",
        }

    async def block_action(self, action_id: str, value: str = "", user: str = ALEX, *, in_home: bool = False,
                           selected_option: str | None = None):
        payload = self.base_payload("block_actions", user)
        action: dict[str, Any] = {"action_id": action_id, "block_id": "b1", "type": "button", "action_ts": "1700000001.000200",
                                  "text": {"type": "plain_text", "text": "x"}}
        if selected_option is not None:
            action.update(type="overflow", selected_option={"text": {"type": "plain_text", "text": "x"}, "value": selected_option})
        else:
            action["value"] = value
        payload["actions"] = [action]
        if in_home:
            payload["container"] = {"type": "view", "view_id": "V0HOME"}
            payload["view"] = {"id": "V0HOME", "type": "home", "callback_id": "", "private_metadata": "",
                               "state": {"values": {}}, "team_id": TEAM}
        else:
            payload["container"] = {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0NORTH",
                                    "is_ephemeral": True}
            payload["channel"] = {"id": "C0NORTH", "name": "north-team"}
            payload["response_url"] = self.fake.response_url("action")
        return await self.interactive(payload)

    async def submit(self, view: dict[str, Any], state: dict[str, dict[str, Any]], user: str = ALEX):
        """A view_submission of `view` (as we opened it) with `state` values (block_id -> element state)."""
        payload = self.base_payload("view_submission", user)
        payload["view"] = {
            "id": "V0MODAL", "team_id": TEAM, "type": "modal", "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""), "hash": "1700000000.abc",
            "title": view["title"], "blocks": view["blocks"],
            "state": {"values": {block: {"input": element} for block, element in state.items()}},
        }
        payload["response_urls"] = []
        return await self.interactive(payload)

    async def message_shortcut(self, callback_id: str, text: str, user: str = ALEX, author: str = "U0KIM",
                               ts: str = "1795424400.000100"):
        payload = self.base_payload("message_action", user)
        payload.update(
            callback_id=callback_id,
            action_ts="1700000002.000300",
            message_ts=ts,
            message={"type": "message", "user": author, "ts": ts, "text": text, "client_msg_id": "5f0a"},
            channel={"id": "C0NORTH", "name": "north-team"},
            response_url=self.fake.response_url("shortcut"),
        )
        return await self.interactive(payload)


def text_input(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def select_input(value: str | None) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value} if value else None}


def date_input(value: str | None) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": value}


def user_input(value: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": value}


def block_texts(blocks: list[dict[str, Any]]) -> str:
    """All the text in some Block Kit blocks, joined (for assertions)."""
    found: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element, dict):
            if isinstance(element.get("text"), str):
                found.append(element["text"])
            for value in element.values():
                walk(value)
        elif isinstance(element, list):
            for value in element:
                walk(value)

    walk(blocks)
    return "\n".join(found)
