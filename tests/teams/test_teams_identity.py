"""Teams users are mapped to staff: AAD object id first, then the email/UPN the connector reports."""

from botbuilder.schema import Activity
from sqlalchemy import select

from bot.storage.models import Staff
from bot.storage.models.teams import TeamsConversation
from bot.teams.bot import text_without_mention
from tests.teams.conftest import ALEX_AAD, SAM_TEAMS_ID, activity, channel_message


def sam_message(connector, **overrides):
    return activity(
        connector,
        **{"from": {"id": SAM_TEAMS_ID, "name": "Sam Worker", "aadObjectId": "aad-sam-0002"}},
        conversation={"conversationType": "personal", "tenantId": "t", "id": "a:1sam-personal"},
        **overrides,
    )


async def test_known_aad_id_needs_no_connector_lookup(teams_client, connector, staff):
    response = await teams_client.post("/api/messages", json=activity(connector, text="help"))
    assert response.status == 200
    assert connector.member_lookups() == []
    with staff.db.unit() as session:
        row = session.scalar(select(TeamsConversation))
        assert (row.scope, row.address, row.staff_id) == ("user", ALEX_AAD, "alex")


async def test_email_fallback_through_the_connector_links_the_aad_id(teams_client, connector, staff):
    connector.members[SAM_TEAMS_ID] = {
        "id": SAM_TEAMS_ID,
        "name": "Sam Worker",
        "aadObjectId": "aad-sam-0002",
        "email": "Sam@Council.gov.uk",
        "userPrincipalName": "sam@council.gov.uk",
        "tenantId": "t",
    }
    response = await teams_client.post("/api/messages", json=sam_message(connector, text="help"))
    assert response.status == 200
    assert connector.member_lookups() == [f"/v3/conversations/a:1sam-personal/members/{SAM_TEAMS_ID}"]
    with staff.db.unit() as session:
        assert session.get(Staff, "sam").teams_user_id == "aad-sam-0002"
        row = session.scalar(select(TeamsConversation).where(TeamsConversation.address == "aad-sam-0002"))
        assert row.staff_id == "sam"


async def test_unknown_person_is_stored_without_a_staff_id(teams_client, connector, staff):
    body = activity(
        connector,
        **{"from": {"id": "29:1stranger", "name": "Stranger", "aadObjectId": "aad-stranger"}},
        conversation={"conversationType": "personal", "id": "a:1stranger"},
    )
    response = await teams_client.post("/api/messages", json=body)
    assert response.status == 200
    assert connector.member_lookups()  # asked the connector, which did not know them
    with staff.db.unit() as session:
        row = session.scalar(select(TeamsConversation).where(TeamsConversation.address == "aad-stranger"))
        assert row.staff_id is None


def test_the_bots_mention_is_stripped_and_other_mentions_keep_their_names():
    body = channel_message(type("C", (), {"url": "https://x.example/"})(), "what about <at>Sam Worker</at>&nbsp;supervision?")
    body["entities"].append({"type": "mention", "text": "<at>Sam Worker</at>", "mentioned": {"id": "29:1sam", "name": "Sam Worker"}})
    assert text_without_mention(Activity().deserialize(body)) == "what about Sam Worker supervision?"


async def test_emulator_user_id_is_taken_as_the_staff_id_in_emulator_mode(teams_client, connector, staff):
    body = activity(
        connector,
        channelId="emulator",
        text="help",
        **{"from": {"id": "alex", "name": "Alex (emulator)"}},
        conversation={"id": "emulator-conversation-1"},
        channelData=None,
    )
    response = await teams_client.post("/api/messages", json=body)
    assert response.status == 200
    assert connector.member_lookups() == []
    with staff.db.unit() as session:
        row = session.scalar(select(TeamsConversation))
        assert (row.address, row.staff_id) == ("id:alex", "alex")
