"""Decisions in Teams: the same entitlement as Slack (author, their line managers, admins) and the council's case system."""

from __future__ import annotations

from bot.storage.models import Staff
from bot.teams.bot import FORBIDDEN_TEXT
from handlers.decisions import get_decision, quick_capture
from handlers.policy import load_policy
from handlers.types import Actions, Request
from tests.teams.conftest import activity, card_texts

ADMIN_AAD = "aad-ada-0001"
COLLEAGUE_AAD = "aad-col-0001"


def _decision_by_sam(app) -> str:
    with app.db.unit() as session:
        session.add(Staff(staff_id="ada", name="Ada Admin", role="business_support", teams_user_id=ADMIN_AAD))
        session.add(Staff(staff_id="col", name="Cole League", role="team_manager", teams_user_id=COLLEAGUE_AAD))
        session.flush()
        request = Request(now=app.now(), platform="teams", staff_id="sam")
        reply = quick_capture(session, app.policy, app.calendar, request, "LCS204815: step down to early help because risks reduced")
    (actions,) = [part for part in reply.parts if isinstance(part, Actions)]
    return actions.buttons[0].value


def _press(connector, decision_id: str, aad: str, conversation: str) -> dict:
    """The "Mark recorded on file" button pressed in the person's 1:1 chat (an Action.Submit)."""
    return activity(connector, text=None, value={"action_id": "decision.mark_recorded", "value": decision_id},
                    **{"from": {"id": f"29:{aad}", "name": "Someone", "aadObjectId": aad}},
                    conversation={"conversationType": "personal", "tenantId": "t", "id": conversation})


async def test_an_admin_can_open_a_decision_on_the_councils_system_and_an_unrelated_colleague_cannot(teams_client, connector, staff):
    staff.settings.standards_admins = "ada"
    staff.__dict__["policy"] = load_policy("wscc")  # West Sussex records decisions on Mosaic
    decision_id = _decision_by_sam(staff)

    response = await teams_client.post("/api/messages", json=_press(connector, decision_id, COLLEAGUE_AAD, "a:col"))
    assert response.status == 200
    refused = " ".join(card_texts(connector.cards("a:col")[0]))
    assert FORBIDDEN_TEXT in refused and "LCS204815" not in refused
    with staff.db.unit() as session:
        assert get_decision(session, decision_id).recorded_at is None

    response = await teams_client.post("/api/messages", json=_press(connector, decision_id, ADMIN_AAD, "a:ada"))
    assert response.status == 200
    shown = " ".join(card_texts(connector.cards("a:ada")[0]))
    assert f"{decision_id} (case LCS204815) is marked as recorded on Mosaic" in shown
    with staff.db.unit() as session:
        decision = get_decision(session, decision_id)
        assert decision.recorded_system == "Mosaic" and decision.recorded_at is not None


async def test_the_authors_line_manager_can_and_the_button_records_the_policys_system(teams_client, connector, staff):
    from tests.teams.conftest import ALEX_AAD

    staff.__dict__["policy"] = load_policy("npt")  # Neath Port Talbot: SSIS
    decision_id = _decision_by_sam(staff)
    await teams_client.post("/api/messages", json=_press(connector, decision_id, ALEX_AAD, "a:alex"))  # Sam's manager
    assert "is marked as recorded on SSIS" in " ".join(card_texts(connector.cards("a:alex")[0]))
