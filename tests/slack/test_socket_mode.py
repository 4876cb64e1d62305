"""Socket Mode: with SLACK_APP_TOKEN the same Bolt app also takes events over Slack's WebSocket."""

from __future__ import annotations

import asyncio
import time

from pydantic import SecretStr

from bot.server import build_web_app
from bot.slack.socket_mode import start
from tests.slack.conftest import ALEX


async def test_socket_mode_acks_envelopes_and_answers_through_the_web_api(aiohttp_client, slack_app, fake_slack):
    slack_app.settings.slack_app_token = SecretStr("xapp-1-A0STANDARDS-test")
    fake_slack.socket_outbox.append({
        "envelope_id": "env-1",
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": {
            "token": "x", "team_id": "T0COUNCIL", "api_app_id": "A0STANDARDS", "type": "event_callback", "event_id": "Ev0SOCKET",
            "event_time": 1700000000,
            "event": {"type": "app_mention", "user": ALEX, "text": "<@U0BOT> how often is supervision?", "ts": "1700000000.000100",
                      "channel": "C0NORTH", "event_ts": "1700000000.000100", "client_msg_id": "s-1"},
        },
    })
    web_app = build_web_app(slack_app)
    start(web_app)
    client = await aiohttp_client(web_app)
    posted = (await fake_slack.wait_for("chat.postMessage"))[0]
    assert posted["channel"] == "C0NORTH" and posted["thread_ts"] == "1700000000.000100"
    deadline = time.monotonic() + 10
    while not any(r.get("envelope_id") == "env-1" for r in fake_slack.socket_received):
        assert time.monotonic() < deadline, "no ack envelope"
        await asyncio.sleep(0.005)
    assert fake_slack.called("apps.connections.open")
    await client.close()


async def test_without_an_app_token_no_socket_is_opened(aiohttp_client, slack_app, fake_slack):
    web_app = build_web_app(slack_app)
    start(web_app)
    await aiohttp_client(web_app)
    assert not fake_slack.called("apps.connections.open")
