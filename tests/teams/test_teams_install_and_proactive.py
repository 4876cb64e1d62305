"""Installation stores conversation references and welcomes once; the scheduler sends through them."""

import pytest
from sqlalchemy import select

from bot.storage.models import Staff
from bot.storage.models.teams import TeamsConversation
from bot.teams.bot import WELCOME_TITLE
from bot.teams.delivery import TeamsDeliverer, build_deliverer
from handlers.types import Reply
from scheduler.delivery import Deliverer, DeliveryFailed
from tests.teams.conftest import ALEX_AAD, BOT_ID, TENANT, activity, card_texts

PERSONAL = "a:1alex-personal"
CHANNEL = "19:north-general@thread.tacv2"


def personal_install(connector, action: str | None = None):
    if action:
        body = activity(connector, type="installationUpdate", action=action)
    else:
        body = activity(connector, type="conversationUpdate", membersAdded=[{"id": BOT_ID}])
    body.pop("text")
    body.pop("entities")
    return body


def team_install(connector):
    body = activity(
        connector,
        type="conversationUpdate",
        membersAdded=[{"id": BOT_ID}],
        conversation={"isGroup": True, "conversationType": "channel", "tenantId": TENANT, "id": CHANNEL},
        channelData={"team": {"id": CHANNEL, "name": "North"}, "eventType": "teamMemberAdded", "tenant": {"id": TENANT}},
    )
    body.pop("text")
    body.pop("entities")
    return body


def rows(app):
    with app.db.unit() as session:
        return [
            (row.scope, row.address, row.staff_id, row.conversation_id, row.stale)
            for row in session.scalars(select(TeamsConversation).order_by(TeamsConversation.id))
        ]


def staff_member(app, staff_id):
    with app.db.unit() as session:
        return session.get(Staff, staff_id)


async def test_personal_install_stores_the_reference_and_sends_one_welcome_card(teams_client, connector, staff):
    response = await teams_client.post("/api/messages", json=personal_install(connector))
    assert response.status == 200
    assert rows(staff) == [("user", ALEX_AAD, "alex", PERSONAL, False)]
    cards = connector.cards(PERSONAL)
    assert len(cards) == 1
    assert WELCOME_TITLE in card_texts(cards[0])

    # Teams also sends installationUpdate for the same install: no second welcome.
    response = await teams_client.post("/api/messages", json=personal_install(connector, "add"))
    assert response.status == 200
    assert len(connector.cards(PERSONAL)) == 1


async def test_uninstall_marks_stale_and_reinstall_welcomes_again(teams_client, connector, staff):
    await teams_client.post("/api/messages", json=personal_install(connector))
    await teams_client.post("/api/messages", json=personal_install(connector, "remove"))
    assert rows(staff) == [("user", ALEX_AAD, "alex", PERSONAL, True)]
    assert not TeamsDeliverer(staff).can_reach(staff_member(staff, "alex"))
    await teams_client.post("/api/messages", json=personal_install(connector, "add"))
    assert rows(staff) == [("user", ALEX_AAD, "alex", PERSONAL, False)]
    assert len(connector.cards(PERSONAL)) == 2


async def test_team_install_stores_the_channel_and_welcomes_there(teams_client, connector, staff):
    response = await teams_client.post("/api/messages", json=team_install(connector))
    assert response.status == 200
    assert rows(staff) == [("channel", CHANNEL, None, CHANNEL, False)]
    assert WELCOME_TITLE in card_texts(connector.cards(CHANNEL)[0])


async def test_proactive_direct_message_goes_to_the_stored_conversation(teams_client, connector, staff):
    await teams_client.post("/api/messages", json=personal_install(connector))
    deliverer = build_deliverer(staff)
    assert isinstance(deliverer, Deliverer) and deliverer.platform == "teams"
    alex = staff_member(staff, "alex")
    assert deliverer.can_reach(alex)
    await deliverer.send_direct(alex, Reply.text("Supervision due for Sam on Wednesday"))
    cards = connector.cards(PERSONAL)
    assert "Supervision due for Sam on Wednesday" in card_texts(cards[-1])
    assert connector.activities(PERSONAL)[-1]["summary"] == "Supervision due for Sam on Wednesday"


async def test_a_person_the_bot_never_met_is_reported_not_skipped(teams_client, connector, staff):
    deliverer = TeamsDeliverer(staff)
    sam = staff_member(staff, "sam")
    assert not deliverer.can_reach(sam)
    with pytest.raises(DeliveryFailed) as failure:
        await deliverer.send_direct(sam, Reply.text("hello"))
    assert failure.value.permanent
    assert "sam" in failure.value.reason and "never" in failure.value.reason
    assert connector.calls == []


@pytest.mark.parametrize("status", [403, 404])
async def test_connector_refusal_marks_the_reference_stale(teams_client, connector, staff, status):
    await teams_client.post("/api/messages", json=personal_install(connector))
    connector.fail_with[PERSONAL] = (status, {})
    deliverer = TeamsDeliverer(staff)
    alex = staff_member(staff, "alex")
    with pytest.raises(DeliveryFailed) as failure:
        await deliverer.send_direct(alex, Reply.text("digest"))
    assert failure.value.permanent
    assert rows(staff)[0][-1] is True
    assert not deliverer.can_reach(alex)
    calls_before = len(connector.calls)
    with pytest.raises(DeliveryFailed) as again:
        await deliverer.send_direct(alex, Reply.text("digest"))
    assert again.value.permanent
    assert len(connector.calls) == calls_before  # a stale reference is not tried again


async def test_throttling_asks_the_scheduler_to_wait(teams_client, connector, staff):
    await teams_client.post("/api/messages", json=personal_install(connector))
    connector.fail_with[PERSONAL] = (429, {"Retry-After": "7"})
    with pytest.raises(DeliveryFailed) as failure:
        await TeamsDeliverer(staff).send_direct(staff_member(staff, "alex"), Reply.text("digest"))
    assert failure.value.retry_after == 7.0
    assert not failure.value.permanent
    assert rows(staff)[0][-1] is False


async def test_channel_posts_go_to_the_stored_channel(teams_client, connector, staff):
    await teams_client.post("/api/messages", json=team_install(connector))
    deliverer = TeamsDeliverer(staff)
    await deliverer.send_channel(CHANNEL, Reply.text("Team meeting agenda for Thursday"))
    assert "Team meeting agenda for Thursday" in card_texts(connector.cards(CHANNEL)[-1])
    with pytest.raises(DeliveryFailed) as failure:
        await deliverer.send_channel("19:unknown@thread.tacv2", Reply.text("x"))
    assert failure.value.permanent


async def test_known_aad_user_without_a_chat_gets_a_new_one_in_the_installed_tenant(teams_client, connector, staff):
    await teams_client.post("/api/messages", json=team_install(connector))
    with staff.db.unit() as session:
        session.get(Staff, "sam").teams_user_id = "aad-sam-0002"
    deliverer = TeamsDeliverer(staff)
    sam = staff_member(staff, "sam")
    assert deliverer.can_reach(sam)
    await deliverer.send_direct(sam, Reply.text("Your weekly digest"))
    created = [call for call in connector.calls if call.path == "/v3/conversations"]
    assert created and created[0].body["members"] == [{"id": "aad-sam-0002"}]
    assert created[0].body["channelData"]["tenant"]["id"] == TENANT
    assert "Your weekly digest" in card_texts(connector.cards("a:new-aad-sam-0002")[-1])
    assert deliverer.can_reach(staff_member(staff, "sam"))


async def test_new_chat_refused_by_teams_is_a_permanent_failure(teams_client, connector, staff):
    await teams_client.post("/api/messages", json=team_install(connector))
    with staff.db.unit() as session:
        session.get(Staff, "sam").teams_user_id = "aad-sam-0002"
    connector.fail_with["aad-sam-0002"] = (403, {})
    with pytest.raises(DeliveryFailed) as failure:
        await TeamsDeliverer(staff).send_direct(staff_member(staff, "sam"), Reply.text("digest"))
    assert failure.value.permanent and "not installed" in failure.value.reason


async def test_known_aad_user_but_bot_installed_nowhere_is_reported(teams_client, connector, staff):
    assert not TeamsDeliverer(staff).can_reach(staff_member(staff, "alex"))
    with pytest.raises(DeliveryFailed) as failure:
        await TeamsDeliverer(staff).send_direct(staff_member(staff, "alex"), Reply.text("digest"))
    assert failure.value.permanent and "never" in failure.value.reason
    assert connector.calls == []
