"""Malformed activities are refused with a 4xx before botbuilder sees them; unsupported ones do nothing."""

import json

import pytest

from tests.teams.conftest import activity


def _malformed(url: str) -> list[tuple[str, bytes]]:
    base = {
        "type": "message",
        "serviceUrl": url,
        "channelId": "msteams",
        "from": {"id": "29:1x", "aadObjectId": "aad-x"},
        "conversation": {"id": "a:1"},
        "recipient": {"id": "28:bot"},
        "text": "hi",
    }

    def variant(**changes):
        body = dict(base)
        for key, value in changes.items():
            if value is ...:
                body.pop(key, None)
            else:
                body[key] = value
        return json.dumps(body).encode()

    return [
        ("empty body", b""),
        ("not json", b"{not json"),
        ("json array", b"[]"),
        ("json string", b'"message"'),
        ("json null", b"null"),
        ("no type", variant(type=...)),
        ("empty type", variant(type="")),
        ("type not a string", variant(type=5)),
        ("no serviceUrl", variant(serviceUrl=...)),
        ("serviceUrl not a url", variant(serviceUrl="not a url")),
        ("serviceUrl ftp", variant(serviceUrl="ftp://example.org/")),
        ("no conversation", variant(conversation=...)),
        ("conversation without id", variant(conversation={})),
        ("conversation a string", variant(conversation="a:1")),
        ("from a list", variant(**{"from": ["x"]})),
        ("from id a number", variant(**{"from": {"id": 7}})),
        ("text an object", variant(text={"a": 1})),
        ("entities an object", variant(entities={"type": "mention"})),
        ("entities of strings", variant(entities=["mention"])),
        ("membersAdded without ids", variant(type="conversationUpdate", membersAdded=[{"name": "x"}])),
        ("mentioned not an account", variant(entities=[{"type": "mention", "mentioned": "bot"}])),
        ("channelData tenant a string", variant(channelData={"tenant": "t"})),
        ("too large", variant(text="x" * 300_000)),
    ]


async def test_malformed_activities_get_400_and_nothing_is_sent(teams_client, connector):
    for name, body in _malformed(connector.url):
        response = await teams_client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
        assert 400 <= response.status < 500, (name, response.status)
        assert response.status != 401, name
    assert connector.calls == []


async def test_invoke_without_a_name_is_acknowledged_with_nothing_done(teams_client, connector):
    body = activity(connector, type="invoke", value={"anything": 1})
    body.pop("text")
    response = await teams_client.post("/api/messages", json=body)
    assert 200 <= response.status < 300
    assert connector.calls == []


@pytest.mark.parametrize("name", ["composeExtension/query", "task/fetch", "adaptiveCard/action", "signin/verifyState"])
async def test_unsupported_invokes_get_2xx_and_nothing_happens(teams_client, connector, name):
    response = await teams_client.post("/api/messages", json=activity(connector, type="invoke", name=name, value={}))
    assert 200 <= response.status < 300
    assert connector.calls == []


@pytest.mark.parametrize("kind", ["typing", "messageReaction", "event", "endOfConversation", "somethingNew"])
async def test_other_activity_types_get_2xx_and_nothing_happens(teams_client, connector, kind):
    response = await teams_client.post("/api/messages", json=activity(connector, type=kind))
    assert 200 <= response.status < 300
    assert connector.calls == []
