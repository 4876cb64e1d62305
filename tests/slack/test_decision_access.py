"""Decisions in Slack: who may see one (author, their line managers, admins), on the council's case system."""

from __future__ import annotations

from bot.slack.adapter import FORBIDDEN
from bot.storage.models import Staff
from handlers.decisions import get_decision, quick_capture
from handlers.policy import load_policy
from handlers.types import Actions, Request

ADMIN_SLACK = "U0ADA"  # information governance: an admin, nobody's manager
COLLEAGUE_SLACK = "U0COL"  # another team's manager: no line to the author


def _decision_by_sam(app) -> str:
    """Sam (managed by Alex) records a decision; its id, as carried by the "Mark recorded on file" button."""
    with app.db.unit() as session:
        session.add(Staff(staff_id="ada", name="Ada Admin", role="business_support", slack_user_id=ADMIN_SLACK))
        session.add(Staff(staff_id="col", name="Cole League", role="team_manager", slack_user_id=COLLEAGUE_SLACK))
        session.flush()
        request = Request(now=app.now(), platform="slack", staff_id="sam")
        reply = quick_capture(session, app.policy, app.calendar, request, "LCS204815: step down to early help because risks reduced")
    (actions,) = [part for part in reply.parts if isinstance(part, Actions)]
    return actions.buttons[0].value


async def test_an_admin_can_open_a_decision_on_the_councils_system_and_an_unrelated_colleague_cannot(slack):
    app = slack.app
    app.settings.standards_admins = "ada"
    app.__dict__["policy"] = load_policy("wscc")  # West Sussex records decisions on Mosaic
    decision_id = _decision_by_sam(app)

    await slack.block_action("decision.mark_recorded", decision_id, user=COLLEAGUE_SLACK)
    refused = (await slack.fake.wait_for("respond"))[0]
    assert refused["text"] == FORBIDDEN and refused["response_type"] == "ephemeral"
    assert "LCS204815" not in str(refused)
    with app.db.unit() as session:
        assert get_decision(session, decision_id).recorded_at is None

    await slack.block_action("decision.mark_recorded", decision_id, user=ADMIN_SLACK)
    shown = (await slack.fake.wait_for("respond", count=2))[1]
    assert f"{decision_id} (case LCS204815) is marked as recorded on Mosaic" in shown["text"]
    with app.db.unit() as session:
        decision = get_decision(session, decision_id)
        assert decision.recorded_system == "Mosaic" and decision.recorded_at is not None


async def test_the_authors_line_manager_can_and_the_button_records_the_policys_system(slack):
    app = slack.app
    app.__dict__["policy"] = load_policy("npt")  # Neath Port Talbot: SSIS
    decision_id = _decision_by_sam(app)
    await slack.block_action("decision.mark_recorded", decision_id)  # Alex, Sam's manager
    shown = (await slack.fake.wait_for("respond"))[0]
    assert "is marked as recorded on SSIS" in shown["text"]
