"""PostgreSQL goes away and comes back: /healthz says so, nothing is half-written, the service recovers alone."""

from __future__ import annotations

import json

from aiohttp import web
from sqlalchemy import func, select

from bot.app import App
from bot.config import Settings
from bot.server import build_web_app
from bot.slack.adapter import SORRY
from bot.storage.models.people import SupervisionSession
from bot.teams.endpoint import APOLOGY
from tests.resilience.conftest import eventually
from tests.security.fakes import (
    MANAGER_SLACK,
    add_two_teams,
    command_body,
    platform_settings,
    settle,
    sign,
    start_platforms,
    teams_message,
)


async def _event(client, event: dict, event_id: str, retry: int | None = None):
    body = json.dumps({"type": "event_callback", "team_id": "T0", "api_app_id": "A0", "event_id": event_id, "event_time": 1,
                       "event": event}).encode()
    retried = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"} if retry else {}
    return await client.post("/slack/events", data=body, headers={"Content-Type": "application/json", **sign(body), **retried})


async def _supervision(client, platforms, day: str):
    body = command_body("/supervision", f"wrk {day}", MANAGER_SLACK, platforms.base + "respond/cmd")
    return await client.post("/slack/events", data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})


def _sessions(app: App) -> int:
    with app.db.unit() as session:
        return session.scalar(select(func.count()).select_from(SupervisionSession))


async def test_outage_gives_503_and_polite_answers_then_recovers_by_itself(pg_proxy, clock, aiohttp_server, aiohttp_client):
    url, proxy = pg_proxy
    platforms = await start_platforms(aiohttp_server)
    app = App(platform_settings(url, platforms), clock=clock)
    add_two_teams(app)
    client = await aiohttp_client(build_web_app(app))
    try:
        assert (await client.get("/healthz")).status == 200
        assert (await _supervision(client, platforms, "2026-11-18")).status == 200
        await settle(client.server.app)
        assert _sessions(app) == 1

        proxy.cut()  # the database disappears: open connections drop, new ones are refused
        health = await client.get("/healthz")
        assert health.status == 503
        assert await health.json() == {"status": "unavailable", "database": "unreachable"}
        assert (await _supervision(client, platforms, "2026-11-19")).status == 200  # still acknowledged
        await settle(client.server.app)
        apologies = [args for method, args in platforms.slack if method == "respond" and args.get("text") == SORRY]
        assert len(apologies) == 1 and apologies[0]["response_type"] == "ephemeral", "no apology in Slack after the ack"
        dm = {"type": "message", "channel_type": "im", "user": MANAGER_SLACK, "text": "how often is supervision",
              "ts": "1700000000.000400", "channel": "D0MGR", "event_ts": "1700000000.000400", "client_msg_id": "outage-dm"}
        assert (await _event(client, dm, "Ev0OUTAGE")).status == 503  # Slack will send it again later
        assert (await _event(client, dm, "Ev0OUTAGE", retry=3)).status == 200  # its last retry: tell the person
        await settle(client.server.app)
        assert [(p["channel"], p["text"]) for p in platforms.posts()] == [("D0MGR", SORRY)]
        teams = await client.post("/api/messages", json=teams_message(platforms.base, "how often is supervision"))
        assert teams.status < 500
        teams_replies = json.dumps(platforms.connector)
        assert APOLOGY in teams_replies, f"no polite retry message in Teams: {teams_replies[:400]}"

        proxy.start()  # the database is back: no restart, the pool's pre-ping replaces dead connections
        await eventually(lambda: _health_ok(client))
        assert (await _supervision(client, platforms, "2026-11-20")).status == 200
        await settle(client.server.app)
        assert _sessions(app) == 2  # the one sent during the outage was not half-written, nor replayed
    finally:
        app.close()


async def _health_ok(client) -> bool:
    return (await client.get("/healthz")).status == 200


async def test_a_database_error_inside_any_route_is_a_polite_503_not_a_500(pg_proxy, clock, aiohttp_client):
    """The request middleware turns a lost connection anywhere behind a route into 'try again shortly'."""
    url, proxy = pg_proxy
    app = App(Settings(database_url=url, _env_file=None), clock=clock)
    web_app = build_web_app(app)

    async def writes_two_rows(request):
        from bot.storage.models import Team

        with app.db.unit() as session:
            session.add(Team(team_id="t1", name="One"))
            session.flush()
            proxy.cut()  # the connection dies between the two writes
            session.add(Team(team_id="t2", name="Two"))
            session.flush()
        return web.json_response({})

    web_app.router.add_post("/test/two-rows", writes_two_rows)
    client = await aiohttp_client(web_app)
    try:
        response = await client.post("/test/two-rows")
        assert response.status == 503
        assert "try again shortly" in (await response.json())["error"]
        proxy.start()
        await eventually(lambda: _health_ok(client))
        from bot.storage.models import Team

        with app.db.unit() as session:
            assert session.scalars(select(Team.team_id)).all() == []  # nothing half-written
    finally:
        app.close()
