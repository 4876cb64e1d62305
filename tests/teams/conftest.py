"""Teams test harness: a local fake Bot Framework connector and real activity JSON for /api/messages."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from bot.server import build_web_app
from bot.storage.models import Staff, Team

TENANT = "72f988bf-0000-4000-8000-000000000001"
BOT_ID = "28:standards-bot"
ALEX_AAD = "aad-alex-0001"
ALEX_TEAMS_ID = "29:1alex"
SAM_TEAMS_ID = "29:1sam"
CARD = "application/vnd.microsoft.card.adaptive"


@dataclass
class Recorded:
    method: str
    path: str
    conversation_id: str | None
    body: Any
    headers: dict[str, str]


@dataclass
class FakeConnector:
    """Records what the bot sends to the Bot Framework connector; tests script failures and members."""

    url: str = ""
    calls: list[Recorded] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_with: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)  # conversation id -> status

    def activities(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        return [
            call.body
            for call in self.calls
            if call.method in ("POST", "PUT") and "/activities" in call.path
            if conversation_id is None or call.conversation_id == conversation_id
        ]

    def cards(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        return [
            attachment["content"]
            for activity in self.activities(conversation_id)
            for attachment in activity.get("attachments") or ()
            if attachment.get("contentType") == CARD
        ]

    def updates(self) -> list[Recorded]:
        return [call for call in self.calls if call.method == "PUT"]

    def member_lookups(self) -> list[str]:
        return [call.path for call in self.calls if call.method == "GET" and "/members/" in call.path]


def card_texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock text in a card, depth first."""
    found: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element, dict):
            if element.get("type") == "TextBlock":
                found.append(element.get("text", ""))
            for value in element.values():
                walk(value)
        elif isinstance(element, list):
            for value in element:
                walk(value)

    walk(card.get("body", []))
    return found


def card_elements(card: dict[str, Any], type_prefix: str) -> list[dict[str, Any]]:
    """Every element (or action) whose type starts with `type_prefix`, depth first."""
    found: list[dict[str, Any]] = []

    def walk(element: Any) -> None:
        if isinstance(element, dict):
            if str(element.get("type", "")).startswith(type_prefix):
                found.append(element)
            for value in element.values():
                walk(value)
        elif isinstance(element, list):
            for value in element:
                walk(value)

    walk(card.get("body", []))
    return found


@pytest.fixture
async def connector(aiohttp_server) -> FakeConnector:
    """A fake connector on a free local port (the activities' serviceUrl)."""
    fake = FakeConnector()
    ids = itertools.count(1)

    def scripted_failure(conversation_id: str) -> web.Response | None:
        if conversation_id in fake.fail_with:
            status, headers = fake.fail_with[conversation_id]
            return web.json_response({"error": {"code": "Scripted", "message": "scripted"}}, status=status, headers=headers)
        return None

    async def send(request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        fake.calls.append(
            Recorded("POST", request.path, conversation_id, await request.json(), dict(request.headers))
        )
        return scripted_failure(conversation_id) or web.json_response({"id": f"activity-{next(ids)}"})

    async def update(request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        fake.calls.append(Recorded("PUT", request.path, conversation_id, await request.json(), dict(request.headers)))
        return scripted_failure(conversation_id) or web.json_response({"id": request.match_info["activity_id"]})

    async def create(request: web.Request) -> web.Response:
        body = await request.json()
        fake.calls.append(Recorded("POST", request.path, None, body, dict(request.headers)))
        member = (body.get("members") or [{}])[0].get("id", "")
        if member in fake.fail_with:
            status, headers = fake.fail_with[member]
            return web.json_response({"error": {"code": "Scripted", "message": "scripted"}}, status=status, headers=headers)
        return web.json_response({"id": f"a:new-{member}", "activityId": f"activity-{next(ids)}"})

    async def member(request: web.Request) -> web.Response:
        fake.calls.append(Recorded("GET", request.path, request.match_info["conversation_id"], None, dict(request.headers)))
        found = fake.members.get(request.match_info["member_id"])
        if found is None:
            return web.json_response({"error": {"code": "NotFound", "message": "member not found"}}, status=404)
        return web.json_response(found)

    fake_app = web.Application()
    fake_app.router.add_post("/v3/conversations/{conversation_id}/activities", send)
    fake_app.router.add_post("/v3/conversations/{conversation_id}/activities/{reply_to}", send)
    fake_app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", update)
    fake_app.router.add_post("/v3/conversations", create)
    fake_app.router.add_get("/v3/conversations/{conversation_id}/members/{member_id}", member)
    server = await aiohttp_server(fake_app)
    fake.url = str(server.make_url("/")).rstrip("/") + "/"
    return fake


@pytest.fixture
def staff(app):
    """A small org: Alex (team manager, known by AAD id) and Sam (social worker, known by email only)."""
    with app.db.unit() as session:
        session.add(Team(team_id="north", name="North"))
        session.add(
            Staff(staff_id="alex", name="Alex Manager", email="alex@council.gov.uk", role="team_manager", team_id="north",
                  teams_user_id=ALEX_AAD)
        )
        session.add(
            Staff(staff_id="sam", name="Sam Worker", email="sam@council.gov.uk", role="social_worker", team_id="north",
                  manager_id="alex")
        )
    return app


@pytest.fixture
async def teams_client(aiohttp_client, staff):
    """The real server (`bot.server.build_web_app`) in Emulator mode (no credentials)."""
    return await aiohttp_client(build_web_app(staff))


def activity(connector: FakeConnector, **overrides: Any) -> dict[str, Any]:
    """A Teams 1:1 message from Alex, as the Bot Framework posts it; `overrides` replace top-level keys."""
    body: dict[str, Any] = {
        "type": "message",
        "id": "1700000000001",
        "timestamp": "2026-11-23T09:00:00.000Z",
        "localTimestamp": "2026-11-23T09:00:00.000+00:00",
        "serviceUrl": connector.url,
        "channelId": "msteams",
        "from": {"id": ALEX_TEAMS_ID, "name": "Alex Manager", "aadObjectId": ALEX_AAD},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": "a:1alex-personal"},
        "recipient": {"id": BOT_ID, "name": "Standards Bot"},
        "textFormat": "plain",
        "locale": "en-GB",
        "text": "help",
        "entities": [{"type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web"}],
        "channelData": {"tenant": {"id": TENANT}},
    }
    body.update(overrides)
    return body


def channel_message(connector: FakeConnector, text: str, **overrides: Any) -> dict[str, Any]:
    """An @mention of the bot in a team channel thread."""
    body = activity(
        connector,
        text=f"<at>Standards Bot</at> {text}",
        conversation={
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": "19:north-general@thread.tacv2;messageid=1700000000001",
        },
        entities=[
            {"type": "mention", "text": "<at>Standards Bot</at>", "mentioned": {"id": BOT_ID, "name": "Standards Bot"}},
        ],
        channelData={
            "teamsChannelId": "19:north-general@thread.tacv2",
            "teamsTeamId": "19:north-general@thread.tacv2",
            "channel": {"id": "19:north-general@thread.tacv2"},
            "team": {"id": "19:north-general@thread.tacv2"},
            "tenant": {"id": TENANT},
        },
    )
    body.update(overrides)
    return body
