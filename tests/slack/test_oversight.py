"""Oversight decisions from Slack: the modal, its server-side validation, quick capture, the shortcut."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models.decisions import Decision, DecisionAction
from tests.slack.conftest import ALEX, NOBODY, block_texts, date_input, select_input, text_input, user_input


def decisions(app) -> list[tuple[str, str, str]]:
    with app.db.unit() as session:
        return [(d.case_reference, d.author_id, d.decision_type) for d in session.scalars(select(Decision))]


def filled(view, **overrides) -> dict:
    """Modal state as Slack sends it, for a complete and valid decision."""
    state = {
        "case_ref": text_input("LCS204815"),
        "type": select_input("case_consultation"),
        "decision": text_input("Step down to early help"),
        "rationale": text_input("Risks reduced: school attendance 95%, no new referrals in 3 months"),
        "risk": text_input(""),
        "child_voice": text_input("Wants to stay with mum"),
    }
    for n in range(1, 6):
        state[f"action{n}_text"] = text_input("")
        state[f"action{n}_owner"] = user_input(None)
        state[f"action{n}_due"] = date_input(None)
    state.update(overrides)
    assert set(state) == {b["block_id"] for b in view["blocks"]}
    return state


async def open_oversight_modal(slack) -> dict:
    response = await slack.command("/oversight", "")
    assert response.status == 200
    opened = (await slack.fake.wait_for("views.open"))[0]
    assert opened["trigger_id"].startswith("13345224609")
    return opened["view"]


async def test_oversight_without_text_opens_the_decision_modal_at_once(slack):
    view = await open_oversight_modal(slack)
    assert view["type"] == "modal" and view["callback_id"] == "decision.form"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["case_ref"]["element"]["type"] == "plain_text_input"
    assert blocks["type"]["element"]["type"] == "static_select"
    assert blocks["action1_owner"]["element"]["type"] == "users_select"
    assert blocks["action1_due"]["element"]["type"] == "datepicker"
    assert blocks["risk"]["optional"] is True and blocks["decision"]["optional"] is False
    assert [c.method for c in slack.fake.calls] == ["auth.test", "views.open"]  # nothing else before the modal


async def test_invalid_fields_come_back_as_response_action_errors_on_their_blocks(slack):
    view = await open_oversight_modal(slack)
    state = filled(view, case_ref=text_input("Jane Smith"), rationale=text_input(""),
                   action1_text=text_input("Visit at home"), action1_owner=user_input("U0KIM"),
                   action1_due=date_input("2026-11-01"))
    response = await slack.submit(view, state)
    assert response.status == 200
    body = await response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) >= {"case_ref", "rationale", "action1_due"}
    assert "name" in body["errors"]["case_ref"] and "Jane" not in body["errors"]["case_ref"]
    assert decisions(slack.app) == []


async def test_an_owner_who_is_not_staff_is_an_error_on_that_field(slack):
    view = await open_oversight_modal(slack)
    state = filled(view, action1_text=text_input("Visit"), action1_owner=user_input(NOBODY), action1_due=date_input("2026-12-01"))
    body = await (await slack.submit(view, state)).json()
    assert body == {"response_action": "errors", "errors": {"action1_owner": "This person is not in the staff list."}}
    assert decisions(slack.app) == []


async def test_a_valid_submission_stores_the_decision_and_sends_the_case_note(slack):
    view = await open_oversight_modal(slack)
    state = filled(view, action1_text=text_input("Review at next supervision"), action1_owner=user_input("U0KIM"),
                   action1_due=date_input("2026-12-07"))
    response = await slack.submit(view, state)
    assert response.status == 200
    assert await response.text() == ""  # closes the modal
    assert decisions(slack.app) == [("LCS204815", "alex", "case_consultation")]
    with slack.app.db.unit() as session:
        assert [(a.owner_id, a.due_on.isoformat()) for a in session.scalars(select(DecisionAction))] == [("kim", "2026-12-07")]
    posted = (await slack.fake.wait_for("chat.postMessage"))[0]
    assert posted["channel"] == ALEX
    texts = block_texts(posted["blocks"])
    assert "LCS204815" in texts and "Step down to early help" in texts
    assert any(e.get("action_id") == "decision.mark_recorded" for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"])
    await slack.fake.wait_for("views.publish")  # App Home refreshed after the change


async def test_mark_recorded_button_marks_the_decision_once(slack):
    await slack.command("/oversight", "LCS204815: step down to early help because risks reduced")
    saved = (await slack.fake.wait_for("respond"))[0]
    button = next(e for b in saved["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == "decision.mark_recorded")
    await slack.block_action("decision.mark_recorded", button["value"])
    done = (await slack.fake.wait_for("respond", 2))[1]
    assert "marked as recorded" in done["text"]
    with slack.app.db.unit() as session:
        assert session.scalar(select(Decision)).recorded_at is not None


async def test_oversight_with_text_is_a_quick_capture(slack):
    await slack.command("/oversight", "MOS-1234 [step down]: close to early help because goals met")
    reply = (await slack.fake.wait_for("respond"))[0]
    assert reply["response_type"] == "ephemeral"
    assert "MOS-1234" in reply["text"]
    assert [d[0] for d in decisions(slack.app)] == ["MOS-1234"]


async def test_a_quick_capture_that_does_not_parse_explains_the_format_and_stores_nothing(slack):
    await slack.command("/oversight", "just some words")
    reply = (await slack.fake.wait_for("respond"))[0]
    assert "because" in reply["text"] or "CASE REF" in reply["text"]
    assert decisions(slack.app) == []


async def test_an_unknown_user_cannot_submit_the_form(slack):
    view = await open_oversight_modal(slack)
    body = await (await slack.submit(view, filled(view), user=NOBODY)).json()
    assert body["response_action"] == "errors"
    assert "administrator" in body["errors"]["case_ref"]
    assert decisions(slack.app) == []


async def test_the_message_shortcut_opens_the_form_prefilled_from_the_message(slack):
    response = await slack.message_shortcut("oversight.from_message", "LCS204815: step down to early help because risks reduced")
    assert response.status == 200
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert blocks["case_ref"]["initial_value"] == "LCS204815"
    assert blocks["decision"]["initial_value"].startswith("step down to early help")
    assert blocks["rationale"]["initial_value"] == "risks reduced"
    assert blocks["type"]["initial_option"]["value"] == "case_consultation"


async def test_the_shortcut_on_a_free_text_message_prefills_the_decision_only(slack):
    await slack.message_shortcut("oversight.from_message", "We agreed to step down to early help")
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert blocks["decision"]["initial_value"] == "We agreed to step down to early help"
    assert "initial_value" not in blocks["case_ref"]


async def test_typing_oversight_in_a_dm_offers_a_button_that_opens_the_modal(slack):
    dm = {"type": "message", "channel_type": "im", "user": ALEX, "text": "oversight", "ts": "1700000000.000400",
          "channel": "D0ALEX", "event_ts": "1700000000.000400", "client_msg_id": "o-1"}
    await slack.event(dm, "Ev0OVS")
    posted = (await slack.fake.wait_for("chat.postMessage"))[0]
    button = next(e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert button["action_id"] == "form.open"
    await slack.block_action("form.open", button["value"])
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    assert view["callback_id"] == "decision.form"
