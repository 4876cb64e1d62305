"""Digests and agendas through the real Slack deliverer against a local fake Slack Web API."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from aiohttp import web
from scheduler_fakes import MONDAY, Sleeps
from sqlalchemy import select

from bot.app import App
from bot.config import Settings
from bot.storage.models.scheduler import DeliveryAttempt
from handlers.agenda import configure_meeting
from scheduler import SchedulerRuntime
from scheduler.delivery import platform_deliverers
from scheduler.digests import deliver_digests


class FakeSlackApi:
    """Records Web API calls; the first chat.postMessage is answered 429 with Retry-After: 3."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.limited = False

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        body = dict(request.query)
        if request.content_type == "application/json":
            body.update(json.loads(raw))
        else:
            body.update({k: v[0] for k, v in parse_qs(raw).items()})
            body.update(await request.post())
        self.calls.append((method, body))
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": "D" + str(body.get("users"))}})
        if method == "chat.postMessage":
            if not self.limited:
                self.limited = True
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "3"})
            if body.get("channel") == "UGONE":
                return web.json_response({"ok": False, "error": "user_not_found"})
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": "1.000"})
        return web.json_response({"ok": True})

    def posts(self) -> list[dict]:
        return [body for method, body in self.calls if method == "chat.postMessage"]


async def slack_app(db_url, clock, aiohttp_server):
    fake = FakeSlackApi()
    server_app = web.Application()
    server_app.router.add_post("/api/{method}", fake.handle)
    server = await aiohttp_server(server_app)
    settings = Settings(
        database_url=db_url,
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        slack_api_url=str(server.make_url("/api/")),
        _env_file=None,
    )
    return fake, App(settings, clock=clock)


async def test_digests_reach_slack_once_respecting_retry_after(org, db_url, clock, aiohttp_server, table):
    fake, app = await slack_app(db_url, clock, aiohttp_server)
    try:
        deliverers = platform_deliverers(app)
        slack = [d for d in deliverers if d.platform == "slack"]
        assert slack, "bot.slack.delivery.build_deliverer should give a Slack deliverer when a token is set"
        sleeps = Sleeps()
        report = await deliver_digests(app, MONDAY, deliverers=slack, sleep=sleeps, source=table)
        again = await deliver_digests(app, MONDAY, deliverers=slack, sleep=sleeps, source=table)
    finally:
        app.close()

    delivered = sorted(body["channel"] for body in fake.posts()[1:])
    assert delivered == ["UM1", "UW1"]  # W2 is Teams-only, W3 has no platform: reported, not sent
    assert report.sent == 2 and again.sent == 0 and report.unreachable == ["W2", "W3"]
    assert sleeps.waits == [3.0]
    post = next(body for body in fake.posts()[1:] if body["channel"] == "UM1")
    blocks = post["blocks"] if isinstance(post["blocks"], list) else json.loads(post["blocks"])
    action_ids = {el.get("action_id") for b in blocks for el in (b.get("elements") or [b.get("accessory") or {}])}
    assert {"nudge.done", "nudge.snooze_tomorrow", "nudge.snooze_week", "nudge.open_standard"} <= action_ids
    with org.db.unit() as session:
        outcomes = session.scalars(select(DeliveryAttempt.outcome).order_by(DeliveryAttempt.id)).all()
    assert sorted(outcomes) == ["retry", "sent", "sent"]


async def test_the_agenda_is_posted_to_the_team_channel(org, db_url, clock, aiohttp_server, table):
    fake, app = await slack_app(db_url, clock, aiohttp_server)
    fake.limited = True  # no 429 this time
    with app.db.unit() as session:
        configure_meeting(session, "T1", app.policy, channel="C0TEAM1", day="tuesday", time="10:00")
    try:
        runtime = SchedulerRuntime(app, sleep=Sleeps(), source=table)
        result = await runtime.tick(clock.now.replace(hour=9, minute=5))
    finally:
        app.close()
    assert result.agendas.posted == ["T1"]
    channel_posts = [body for body in fake.posts() if body["channel"] == "C0TEAM1"]
    assert len(channel_posts) == 1
    assert "Bognor Assessment" in channel_posts[0]["text"] or "Bognor Assessment" in json.dumps(channel_posts[0])
