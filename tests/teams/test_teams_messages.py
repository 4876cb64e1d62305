"""Messages and Adaptive Card submits posted as real Teams activities, answered at the fake connector."""

from sqlalchemy import func, select

from bot.storage.models.decisions import Decision
from tests.teams.conftest import activity, card_elements, card_texts, channel_message

PERSONAL = "a:1alex-personal"
THREAD = "19:north-general@thread.tacv2;messageid=1700000000001"


async def post(client, body):
    response = await client.post("/api/messages", json=body)
    assert response.status == 200, await response.text()
    return response


async def test_help_is_answered_in_the_chat_as_a_card(teams_client, connector):
    await post(teams_client, activity(connector, text="help"))
    (call,) = [c for c in connector.calls if c.method == "POST"]
    assert call.path == f"/v3/conversations/{PERSONAL}/activities/1700000000001"  # a reply to the message
    card = connector.cards(PERSONAL)[0]
    assert card["type"] == "AdaptiveCard"
    assert "What I can do" in card_texts(card)


async def test_channel_mention_is_stripped_and_answered_in_the_thread(teams_client, connector):
    await post(teams_client, channel_message(connector, "help"))
    assert "What I can do" in card_texts(connector.cards(THREAD)[0])


async def oversight_card(client, connector, **overrides):
    await post(client, activity(connector, text="oversight", **overrides))
    card = connector.cards()[-1]
    (submit,) = card_elements(card, "Action.Submit")
    return card, submit


async def test_oversight_typed_opens_the_decision_form_card(teams_client, connector):
    card, submit = await oversight_card(teams_client, connector)
    inputs = {element["id"]: element["type"] for element in card_elements(card, "Input.")}
    assert inputs["case_ref"] == "Input.Text" and inputs["type"] == "Input.ChoiceSet"
    assert inputs["decision"] == "Input.Text" and inputs["action1_due"] == "Input.Date"
    assert submit["data"]["form"] == "decision.form"


async def test_form_submit_with_errors_returns_the_card_with_messages_and_values(teams_client, connector, staff):
    _card, submit = await oversight_card(teams_client, connector)
    value = {**submit["data"], "case_ref": "not a ref!", "type": "case_consultation", "decision": "", "rationale": "Because"}
    await post(teams_client, activity(connector, text=None, value=value, id="1700000000002", replyToId="activity-1"))
    (update,) = connector.updates()
    assert update.path == f"/v3/conversations/{PERSONAL}/activities/activity-1"  # the form card itself is replaced
    card = update.body["attachments"][0]["content"]
    ids = [element.get("id") for element in card["body"]]
    assert ids.index("error.case_ref") > ids.index("case_ref") and "error.decision" in ids
    assert "error.rationale" not in ids
    errors = {element["id"]: element["text"] for element in card["body"] if str(element.get("id", "")).startswith("error.")}
    assert "case_ref" in errors["error.case_ref"] and "decided" in errors["error.decision"]
    inputs = {element["id"]: element for element in card_elements(card, "Input.")}
    assert inputs["case_ref"]["value"] == "not a ref!" and inputs["rationale"]["value"] == "Because"
    assert card_elements(card, "Action.Submit")[0]["data"]["form"] == "decision.form"  # can be corrected and resent
    with staff.db.unit() as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 0


async def test_valid_form_submit_stores_the_decision_and_replaces_the_form(teams_client, connector, staff):
    _card, submit = await oversight_card(teams_client, connector)
    value = {
        **submit["data"],
        "case_ref": "LCS204815",
        "type": "case_consultation",
        "decision": "Step down to early help",
        "rationale": "Risks reduced over three visits",
    }
    await post(teams_client, activity(connector, text=None, value=value, id="1700000000002", replyToId="activity-1"))
    (update,) = connector.updates()
    texts = card_texts(update.body["attachments"][0]["content"])
    assert any("saved for case LCS204815" in text for text in texts)
    with staff.db.unit() as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 1


async def test_unknown_person_asking_for_their_week_gets_a_helpful_message(teams_client, connector):
    body = activity(
        connector,
        text="my week",
        **{"from": {"id": "29:1stranger", "name": "Stranger", "aadObjectId": "aad-stranger"}},
        conversation={"conversationType": "personal", "id": "a:1stranger"},
    )
    await post(teams_client, body)
    text = " ".join(card_texts(connector.cards("a:1stranger")[0]))
    assert "don't know who you are" in text or "can't match your Teams account" in text


async def test_a_submit_the_bot_did_not_create_does_nothing(teams_client, connector):
    await post(teams_client, activity(connector, text=None, value={"something": "else"}))
    assert connector.activities() == []


async def test_a_question_is_answered_with_passages_source_and_vote_buttons(teams_client, connector):
    await post(teams_client, activity(connector, text="how often should a newly qualified social worker be supervised?"))
    card = connector.cards(PERSONAL)[0]
    passages = [element for element in card["body"] if element.get("type") == "Container" and element.get("items")]
    assert passages, card_texts(card)
    first = card_texts({"body": [passages[0]]})
    assert "supervis" in " ".join(first).lower()
    assert "›" in first[2]  # source › section
    votes = {action["data"]["action_id"]: action["data"]["value"] for action in card_elements(card, "Action.Submit")}
    assert set(votes) >= {"answer.helpful", "answer.not_helpful"} and votes["answer.helpful"]


async def test_helpful_vote_from_the_card_is_recorded_and_acknowledged(teams_client, connector, staff):
    from bot.storage.models.knowledge import KnowledgeFeedback

    await post(teams_client, activity(connector, text="what happens at a return to work meeting?"))
    helpful = next(a for a in card_elements(connector.cards(PERSONAL)[0], "Action.Submit") if a["data"]["action_id"] == "answer.helpful")
    await post(teams_client, activity(connector, text=None, value=helpful["data"], id="1700000000002", replyToId="activity-1"))
    assert "Thanks" in " ".join(card_texts(connector.cards(PERSONAL)[-1]))
    assert connector.updates() == []  # a vote is acknowledged, the answer stays
    with staff.db.unit() as session:
        (vote,) = session.scalars(select(KnowledgeFeedback)).all()
        assert vote.helpful is True and vote.passage_id == helpful["data"]["value"].split("|")[0]


async def test_typed_commands_start_the_same_flows_as_slack(teams_client, connector):
    forms = {}
    for command in ("supervision", "absence", "awaiting reply"):
        await post(teams_client, activity(connector, text=command))
        (submit,) = card_elements(connector.cards(PERSONAL)[-1], "Action.Submit")
        forms[command] = submit["data"]["form"]
    assert forms == {"supervision": "supervision.form", "absence": "absence.form", "awaiting reply": "reply.form"}
    await post(teams_client, activity(connector, text="my week"))
    week = " ".join(card_texts(connector.cards(PERSONAL)[-1]))
    assert "not available" not in week and "know who you are" not in week and week.strip()


async def test_supervision_form_with_a_bad_date_comes_back_with_the_message(teams_client, connector, staff):
    await post(teams_client, activity(connector, text="supervision"))
    (submit,) = card_elements(connector.cards(PERSONAL)[-1], "Action.Submit")
    value = {**submit["data"], "staff_id": "sam", "date": "31/12/2026", "kind": "case"}
    await post(teams_client, activity(connector, text=None, value=value, id="1700000000002", replyToId="activity-1"))
    card = connector.updates()[-1].body["attachments"][0]["content"]
    errors = {e["id"]: e["text"] for e in card["body"] if str(e.get("id", "")).startswith("error.")}
    assert "error.date" in errors and "YYYY-MM-DD" in errors["error.date"]
    assert {e["id"]: e.get("value") for e in card_elements(card, "Input.")}["date"] == "31/12/2026"


async def test_a_private_reply_asked_for_in_a_channel_goes_to_the_1to1_chat(teams_client, connector):
    await post(teams_client, channel_message(connector, "oversight"))
    (created,) = [call for call in connector.calls if call.path == "/v3/conversations"]
    assert created.body["members"] == [{"id": "29:1alex"}] and created.body["isGroup"] is False
    (form,) = connector.cards("a:new-29:1alex")
    assert card_elements(form, "Action.Submit")[0]["data"]["form"] == "decision.form"
    (note,) = connector.cards(THREAD)
    assert card_texts(note) == ["I've replied in our 1:1 chat."]
    assert not card_elements(note, "Input.")  # the form itself never appears in the channel


async def test_when_a_private_reply_is_impossible_nothing_private_is_posted_in_the_channel(teams_client, connector):
    connector.fail_with["29:1alex"] = (403, {})
    await post(teams_client, channel_message(connector, "oversight"))
    (note,) = connector.cards(THREAD)
    assert "private" in card_texts(note)[0] and not card_elements(note, "Input.")


async def test_a_failing_connector_is_logged_and_answered_200_not_500(teams_client, connector):
    connector.fail_with[PERSONAL] = (500, {})
    await post(teams_client, activity(connector, text="help"))
    sent = connector.activities(PERSONAL)
    assert len(sent) == 2  # the reply, then the apology, both refused by the connector
    assert "Sorry, something went wrong" in " ".join(card_texts(sent[1]["attachments"][0]["content"]))


async def test_an_unreachable_service_url_is_not_a_5xx(teams_client, connector):
    response = await teams_client.post("/api/messages", json=activity(connector, text="help", serviceUrl="http://127.0.0.1:9/"))
    assert response.status < 500
