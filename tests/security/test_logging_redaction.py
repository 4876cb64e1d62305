"""Logs carry a request id and never message text, tokens or personal data (production logging set-up)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from tests.security.fakes import BOT_TOKEN, MANAGER_SLACK, SIGNING_SECRET, command_body, settle, sign, teams_message

from bot.logs import RedactingFilter, configure_logging, redact

QUESTION = "how often must Lily Hargreaves at lily.hargreaves@example.org be supervised on case LCS204815"
SECRETS = ("Hargreaves", "lily.hargreaves@example.org", "LCS204815", BOT_TOKEN, SIGNING_SECRET, "morgan.manager@council.gov.uk",
           "Morgan Manager")


class RawRecords(logging.Handler):
    """Keeps each record's message as the log call produced it, before the redaction filter runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + str(record.exc_info[1])
        self.messages.append(text)


@pytest.fixture
def production_logging():
    """configure_logging() as `serve` calls it (JSON to a stream), restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in ("aiohttp.access", "apscheduler.executors.default", "slack_bolt", "slack_sdk")}
    configure_logging(logging.INFO, json_output=True)
    stream = io.StringIO()
    root.handlers[0].setStream(stream)
    raw = RawRecords()
    root.handlers.insert(0, raw)
    yield stream, raw
    root.handlers[:], _ = saved
    root.setLevel(saved[1])
    for name, level in noisy.items():
        logging.getLogger(name).setLevel(level)


async def test_requests_through_the_server_log_no_question_token_or_email(server, platforms, production_logging, caplog):
    stream, raw = production_logging
    respond = platforms.base + "respond/cmd"
    for text in (QUESTION, ""):
        body = command_body("/standard", text, MANAGER_SLACK, respond)
        assert (await server.post("/slack/events", data=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", **sign(body), "X-Request-Id": "req-slack-1"})).status == 200
    body = command_body("/supervision", "wrk 2026-11-20 because " + QUESTION, MANAGER_SLACK, respond)
    await server.post("/slack/events", data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})
    forged = command_body("/standard", QUESTION, MANAGER_SLACK, respond)
    assert (await server.post("/slack/events", data=forged, headers={
        "Content-Type": "application/x-www-form-urlencoded", **sign(forged, secret="wrong")})).status == 401
    await settle(server.server.app)
    service_url = platforms.base.rstrip("/") + "/"
    teams = await server.post("/api/messages", json=teams_message(service_url, QUESTION), headers={"X-Request-Id": "req-teams-1"})
    assert teams.status < 500
    bad = await server.post("/api/messages", data=json.dumps({"type": "message", "text": QUESTION}),
                            headers={"Content-Type": "application/json"})
    assert bad.status == 400
    assert (await server.get("/healthz", headers={"X-Request-Id": "req-health-1"})).status == 200
    # the requests really were handled: Slack and Teams both got answers
    assert any(method == "respond" for method, _ in platforms.slack)
    assert platforms.connector

    raw_text = "\n".join(raw.messages)
    output = stream.getvalue()
    for secret in SECRETS:
        assert secret not in raw_text, f"a log call passed {secret!r}"
        assert secret not in output
        assert all(secret not in record.getMessage() for record in caplog.records)
    for line in output.splitlines():
        entry = json.loads(line)  # every line is one JSON object
        assert {"time", "level", "logger", "message", "request_id"} <= entry.keys()


async def test_each_log_line_carries_the_request_id_of_its_request(server, production_logging):
    stream, _ = production_logging
    body = b"{not json"
    response = await server.post("/slack/events", data=body, headers={
        "Content-Type": "application/json", **sign(body), "X-Request-Id": "abc123"})
    assert response.status == 400
    logging.getLogger("tests.security").info("outside any request")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    inside = [entry for entry in lines if entry["logger"].startswith("bot.")]
    assert inside and all(entry["request_id"] == "abc123" for entry in inside)
    assert [entry["request_id"] for entry in lines if entry["message"] == "outside any request"] == ["-"]


def test_the_redaction_filter_masks_tokens_emails_jwts_and_case_references():
    text = (f"token {BOT_TOKEN} app xapp-1-A0-123-abc jwt eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl mail a.b@c.gov.uk "
            "case MOS-1234 and LCS204815")
    cleaned = redact(text)
    for secret in (BOT_TOKEN, "xapp-1-A0-123-abc", "eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl", "a.b@c.gov.uk", "MOS-1234", "LCS204815"):
        assert secret not in cleaned
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "asked by %s", ("a.b@c.gov.uk",), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == "asked by [redacted]"
