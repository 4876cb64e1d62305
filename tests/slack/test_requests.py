"""POST /slack/events at the HTTP edge: configuration, signatures, malformed bodies, retries."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.server import build_web_app
from bot.storage.models.decisions import Decision
from bot.storage.models.slack import SlackProcessedEvent
from tests.slack.conftest import ALEX, TEAM, sign


def stored_rows(app: App) -> tuple[int, int]:
    with app.db.unit() as session:
        return (
            session.scalar(select(func.count()).select_from(SlackProcessedEvent)),
            session.scalar(select(func.count()).select_from(Decision)),
        )


async def test_slack_routes_answer_503_until_configured(aiohttp_client, app):
    client = await aiohttp_client(build_web_app(app))
    body = b"command=%2Fstandard&text=hello"
    response = await client.post("/slack/events", data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})
    assert response.status == 503
    assert "not configured" in (await response.json())["error"]


async def test_url_verification_echoes_the_challenge(slack):
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})
    response = await slack.post(body.encode(), "application/json")
    assert response.status == 200
    assert (await response.json())["challenge"] == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # unsigned
        {"X-Slack-Request-Timestamp": "TS", "X-Slack-Signature": "v0=" + "0" * 64},  # wrong signature
        "stale",  # signed 6 minutes ago
        "other-secret",
        {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "TS", "X-Slack-Signature": "v0=é"},
    ],
    ids=["unsigned", "wrong", "stale", "other-secret", "bad-timestamp", "non-ascii-signature"],
)
async def test_requests_without_a_valid_signature_get_401_and_change_nothing(slack, headers):
    body = urlencode({"command": "/oversight", "text": "LCS204815: step down because risks reduced", "user_id": ALEX,
                      "channel_id": "C0NORTH", "team_id": TEAM, "response_url": slack.fake.response_url()}).encode()
    if headers == "stale":
        headers = sign(body, timestamp=int(time.time()) - 6 * 60)
    elif headers == "other-secret":
        headers = sign(body, secret="not-the-signing-secret")
    else:
        headers = {k: v.replace("TS", str(int(time.time()))) for k, v in headers.items()}
    response = await slack.post(body, "application/x-www-form-urlencoded", headers=headers, signed=False)
    assert response.status == 401
    await slack.app_settled()
    assert stored_rows(slack.app) == (0, 0)
    assert slack.fake.calls == []


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MALFORMED = [
    (b"", FORM),
    (b"\xff\xfe\x00garbage", FORM),
    (b"payload=not-json", FORM),
    (b"payload=%5B%5D", FORM),  # payload=[]
    (b"payload=%7B%7D", FORM),  # payload={}
    (urlencode({"payload": json.dumps({"type": "block_actions", "user": {"id": ALEX}, "actions": []})}).encode(), FORM),
    (urlencode({"payload": json.dumps({"type": "block_actions", "user": {"id": ALEX}, "actions": ["x"]})}).encode(), FORM),
    (urlencode({"payload": json.dumps({"type": "block_actions", "user": "nobody", "actions": [{"action_id": 5}]})}).encode(), FORM),
    (urlencode({"payload": json.dumps({"type": "view_submission", "user": {"id": ALEX}, "view": "x"})}).encode(), FORM),
    (urlencode({"payload": json.dumps({"type": "view_submission", "user": {"id": ALEX}, "view": {"callback_id": "decision.form", "state": {"values": []}}})}).encode(), FORM),
    (urlencode({"payload": json.dumps({"type": "message_action", "user": {"id": ALEX}, "callback_id": "reply.needs_reply", "trigger_id": "t"})}).encode(), FORM),
    (urlencode({"payload": json.dumps({"type": "shortcut", "user": {"id": ALEX}, "team": ["T"], "callback_id": "x", "trigger_id": "t"})}).encode(), FORM),
    (b"command=standard&text=x&user_id=U1&channel_id=C1&team_id=T1", FORM),  # no leading slash
    (b"command=%2Fstandard&text=x", FORM),  # no user or channel
    (b"command=%2Fstandard&command=%2Foversight&user_id=U1&channel_id=C1&team_id=T1", FORM),
    (b"just some text", FORM),
    (b"[1, 2, 3]", JSON),
    (b"{not json", JSON),
    (json.dumps({"type": "event_callback", "event_id": "Ev1", "event": "app_mention"}).encode(), JSON),
    (json.dumps({"type": "event_callback", "event": {"type": "app_mention", "channel": "C1", "ts": "1"}}).encode(), JSON),
    (json.dumps({"type": "event_callback", "event_id": "Ev2", "event": {"type": "message", "channel": 7, "ts": "1"}}).encode(), JSON),
    (json.dumps({"type": "event_callback", "event_id": "Ev3", "authorizations": "all", "event": {"type": "app_home_opened", "user": ALEX}}).encode(), JSON),
    (json.dumps({"type": "url_verification"}).encode(), JSON),
    (json.dumps({"type": "something_else"}).encode(), JSON),
    (json.dumps({"command": 5}).encode(), JSON),
    (b"<xml>nope</xml>", "text/xml"),
]


@pytest.mark.parametrize("body,content_type", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
async def test_malformed_but_signed_bodies_get_400_never_5xx_and_store_nothing(slack, body, content_type):
    response = await slack.post(body, content_type)
    assert response.status == 400, await response.text()
    assert "not a Slack payload" in (await response.json())["error"]
    await slack.app_settled()
    assert stored_rows(slack.app) == (0, 0)
    assert [c.method for c in slack.fake.calls] == []


async def test_an_unknown_command_is_acknowledged_with_a_hint(slack):
    response = await slack.command("/weather", "today")
    assert response.status == 200
    assert "don't know that command" in await response.text()


async def test_unknown_event_types_and_interactions_get_2xx_and_do_nothing(slack):
    response = await slack.event({"type": "reaction_added", "user": ALEX, "reaction": "thumbsup",
                                  "item": {"type": "message", "channel": "C0NORTH", "ts": "1700000000.000100"}}, "Ev9")
    assert response.status == 200
    payload = slack.base_payload("shortcut")
    payload.update(callback_id="something.unknown")
    response = await slack.interactive(payload)
    assert response.status == 200
    await slack.app_settled()
    assert [c.method for c in slack.fake.calls if c.method != "auth.test"] == []


async def test_a_retried_event_is_answered_once(slack):
    event = {"type": "app_mention", "user": ALEX, "text": "<@U0BOT> how often is supervision?", "ts": "1700000000.000100",
             "channel": "C0NORTH", "event_ts": "1700000000.000100", "client_msg_id": "c0ffee"}
    first = await slack.event(event, "Ev0RETRY")
    assert first.status == 200
    await slack.fake.wait_for("chat.postMessage")
    for attempt in (1, 2, 3):
        again = await slack.event(event, "Ev0RETRY", retry=attempt)
        assert again.status == 200
    await slack.app_settled()
    assert len(slack.fake.called("chat.postMessage")) == 1


async def test_processed_event_ids_expire_after_a_day(slack_app):
    from datetime import datetime, timedelta, timezone

    from bot.slack import dedupe

    now = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    assert dedupe.claim(slack_app.db, "event:old", now - timedelta(days=2))
    assert dedupe.claim(slack_app.db, "event:new", now)
    assert not dedupe.claim(slack_app.db, "event:new", now)
    assert dedupe.expire_processed(slack_app.db, now) == 1
    assert dedupe.claim(slack_app.db, "event:old", now)  # forgotten, so claimable again


def _mutations(payload: dict, path: tuple = ()):
    """Every copy of `payload` with one field (top level or one level down) replaced by a value of the wrong type."""
    import copy

    for key, value in payload.items():
        for wrong in (None, 7, "x", [], {}, [{}], {"id": 5}):
            if wrong == value:
                continue
            mutated = copy.deepcopy(payload)
            mutated[key] = wrong
            yield path + (key,), mutated
        if isinstance(value, dict) and not path:
            for inner_path, inner in _mutations(value, (key,)):
                mutated = copy.deepcopy(payload)
                mutated[key] = inner
                yield inner_path, mutated


async def test_no_wrongly_typed_field_of_a_signed_payload_causes_a_5xx_or_a_crash_after_the_ack(slack, caplog):
    import logging

    caplog.set_level(logging.WARNING, logger="bot.slack")
    action = slack.base_payload("block_actions")
    action.update(actions=[{"action_id": "answer.helpful", "block_id": "b", "type": "button", "value": "p1|q"}],
                  channel={"id": "C0NORTH"}, container={"type": "message"}, response_url=slack.fake.response_url("m"))
    shortcut = slack.base_payload("message_action")
    shortcut.update(callback_id="reply.needs_reply", message={"type": "message", "user": "U0KIM", "ts": "1795424400.000100", "text": "hi"},
                    channel={"id": "C0NORTH"}, response_url=slack.fake.response_url("s"))
    event = {"type": "event_callback", "team_id": TEAM, "event_id": "Ev0", "event": {
        "type": "app_mention", "user": ALEX, "text": "<@U0BOT> supervision", "ts": "1700000000.000100", "channel": "C0NORTH"}}
    submission = slack.base_payload("view_submission")
    submission["view"] = {"id": "V1", "type": "modal", "callback_id": "supervision.form", "private_metadata": "{}",
                          "state": {"values": {"staff_id": {"input": {"type": "users_select", "selected_user": "U0KIM"}},
                                               "date": {"input": {"type": "datepicker", "selected_date": "2026-11-20"}},
                                               "kind": {"input": {"type": "static_select", "selected_option": {"value": "case"}}}}}}
    statuses = set()
    for _, mutated in _mutations(submission):
        statuses.add((await slack.interactive(mutated)).status)
    for n, (_, mutated) in enumerate(_mutations(action)):
        statuses.add((await slack.interactive(mutated)).status)
    for _, mutated in _mutations(shortcut):
        statuses.add((await slack.interactive(mutated)).status)
    for n, (_, mutated) in enumerate(_mutations(event)):
        if isinstance(mutated.get("event"), dict) and isinstance(mutated.get("event_id"), str):
            mutated["event_id"] = f"Ev{n}"
        statuses.add((await slack.post(json.dumps(mutated).encode(), "application/json")).status)
    await slack.app_settled()
    assert statuses <= {200, 400}
    assert 400 in statuses and 200 in statuses
    crashes = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert crashes == []


async def test_when_the_database_is_down_events_get_503_for_a_retry_and_commands_an_apology(slack):
    from bot.storage import Database

    slack.app.__dict__["db"] = Database("postgresql+psycopg://nobody@127.0.0.1:1/unreachable?connect_timeout=1")
    mention = {"type": "app_mention", "user": ALEX, "text": "<@U0BOT> supervision", "ts": "1700000000.000100",
               "channel": "C0NORTH", "event_ts": "1700000000.000100", "client_msg_id": "db-1"}
    response = await slack.event(mention, "Ev0DOWN")
    assert response.status == 503
    response = await slack.command("/oversight", "LCS204815: step down because risks reduced", user="U0KIM")
    assert response.status == 200
    reply = (await slack.fake.wait_for("respond"))[0]
    assert "something went wrong" in reply["text"] and reply["response_type"] == "ephemeral"


async def test_an_options_request_gets_an_empty_list(slack):
    payload = slack.base_payload("block_suggestion")
    payload.update(action_id="input", block_id="case_ref", value="LCS", view={"id": "V1", "callback_id": "decision.form",
                                                                          "state": {"values": {}}})
    response = await slack.interactive(payload)
    assert response.status == 200
    assert await response.json() == {"options": []}
