"""Every record read or written through chat is checked: a manager cannot reach another team's people."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.storage.models.decisions import Decision
from bot.storage.models.people import Absence, SupervisionSession
from handlers import router
from handlers.absence import record_absence
from handlers.decisions import list_decisions, show_decision, store_decision
from handlers.errors import Forbidden
from handlers.types import Request
from tests.security.fakes import MANAGER_SLACK, OTHER_MANAGER_SLACK, command_body, settle, sign


def _count(app, model) -> int:
    with app.db.unit() as session:
        return session.scalar(select(func.count()).select_from(model))


async def _command(server, platforms, command: str, text: str, user: str) -> str:
    before = len(platforms.slack)
    body = command_body(command, text, user, platforms.base + "respond/cmd")
    response = await server.post("/slack/events", data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})
    assert response.status == 200
    await settle(server.server.app)
    return json.dumps([args for method, args in platforms.slack[before:] if method == "respond"])


@pytest.mark.parametrize(("command", "text", "model"), [
    ("/absence", "wrk start 2026-11-20", Absence),
    ("/supervision", "wrk 2026-11-20", SupervisionSession),
])
async def test_a_manager_cannot_keep_records_about_another_teams_staff(server, platforms, org_app, command, text, model):
    refused = await _command(server, platforms, command, text, OTHER_MANAGER_SLACK)
    assert "only keep records for yourself and the people you manage" in refused
    assert _count(org_app, model) == 0
    allowed = await _command(server, platforms, command, text, MANAGER_SLACK)
    assert "recorded" in allowed and _count(org_app, model) == 1


def _decision_by_wrk(app) -> int:
    request = Request(now=app.now(), platform="cli", staff_id="wrk")
    values = {"case_ref": "LCS204815", "type": "step_down", "decision": "Step down to early help", "rationale": "Risks reduced"}
    with app.db.unit() as session:
        return store_decision(session, app.policy, request, values).id


def test_a_manager_cannot_read_another_teams_decisions(org_app):
    decision_id = _decision_by_wrk(org_app)
    rules = (org_app.policy, org_app.calendar)
    with org_app.db.unit() as session:
        assert [v.case_reference for v in list_decisions(session, *rules, "mgr")] == ["LCS204815"]
        assert list_decisions(session, *rules, "other") == []
        assert list_decisions(session, *rules, "sth") == []
        with pytest.raises(Forbidden):
            show_decision(session, *rules, decision_id, "other")
        assert show_decision(session, *rules, decision_id, "mgr").case_reference == "LCS204815"


async def test_a_manager_cannot_mark_another_teams_decision_recorded_from_a_button(server, platforms, org_app):
    decision_id = _decision_by_wrk(org_app)
    payload = {"type": "block_actions", "user": {"id": OTHER_MANAGER_SLACK}, "team": {"id": "T0"}, "api_app_id": "A0",
               "trigger_id": "1.2.3", "response_url": platforms.base + "respond/action",
               "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0"}, "channel": {"id": "C0"},
               "actions": [{"action_id": "decision.mark_recorded", "value": str(decision_id), "block_id": "b", "type": "button"}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    response = await server.post("/slack/events", data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)})
    assert response.status == 200
    await settle(server.server.app)
    with org_app.db.unit() as session:
        assert session.get(Decision, decision_id).recorded_at is None
    answers = json.dumps([args for method, args in platforms.slack if method in ("respond", "chat.postEphemeral", "chat.postMessage")])
    assert "not allowed" in answers


def test_a_managers_week_shows_only_their_own_people(org_app):
    with org_app.db.unit() as session:
        record_absence(session, "wrk", date(2026, 11, 16), org_app.today())
        record_absence(session, "sth", date(2026, 11, 16), org_app.today())
    mine = router.my_week(org_app, Request(now=org_app.now(), platform="cli", staff_id="mgr"))
    theirs = router.my_week(org_app, Request(now=org_app.now(), platform="cli", staff_id="other"))
    mine_text, theirs_text = json.dumps(mine, default=str), json.dumps(theirs, default=str)
    assert "Wendy Worker" in mine_text and "Stan South" not in mine_text
    assert "Stan South" in theirs_text and "Wendy Worker" not in theirs_text
