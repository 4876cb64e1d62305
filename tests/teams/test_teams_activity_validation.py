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
        ("type null", variant(type=None)),
        ("type a list", variant(type=["message"])),
        ("type an object", variant(type={"kind": "message"})),
        ("type blank", variant(type="   ")),
        ("serviceUrl null", variant(serviceUrl=None)),
        ("serviceUrl too long", variant(serviceUrl="https://example.org/" + "x" * 500)),
        ("no serviceUrl", variant(serviceUrl=...)),
        ("serviceUrl not a url", variant(serviceUrl="not a url")),
        ("serviceUrl ftp", variant(serviceUrl="ftp://example.org/")),
        ("no conversation", variant(conversation=...)),
        ("conversation without id", variant(conversation={})),
        ("conversation a string", variant(conversation="a:1")),
        ("from a list", variant(**{"from": ["x"]})),
        ("message without from", variant(**{"from": ...})),
        ("message from null", variant(**{"from": None})),
        ("message from without id", variant(**{"from": {"aadObjectId": "aad-x"}})),
        ("message from id blank", variant(**{"from": {"id": " "}})),
        ("aadObjectId a number", variant(**{"from": {"id": "29:1x", "aadObjectId": 12}})),
        ("aadObjectId too long", variant(**{"from": {"id": "29:1x", "aadObjectId": "a" * 300}})),
        ("conversation null", variant(conversation=None)),
        ("conversation id a number", variant(conversation={"id": 1})),
        ("conversation id too long", variant(conversation={"id": "a:" + "1" * 500})),
        ("channel conversation id too long", variant(conversation={"id": "19:" + "1" * 300, "conversationType": "channel"})),
        ("conversationType an object", variant(conversation={"id": "a:1", "conversationType": {"x": 1}})),
        ("tenantId a list", variant(conversation={"id": "a:1", "tenantId": ["t"]})),
        ("isGroup a string", variant(conversation={"id": "a:1", "isGroup": "yes"})),
        ("from id a number", variant(**{"from": {"id": 7}})),
        ("text an object", variant(text={"a": 1})),
        ("entities an object", variant(entities={"type": "mention"})),
        ("entities of strings", variant(entities=["mention"])),
        ("membersAdded without ids", variant(type="conversationUpdate", membersAdded=[{"name": "x"}])),
        ("mentioned not an account", variant(entities=[{"type": "mention", "mentioned": "bot"}])),
        ("channelData tenant a string", variant(channelData={"tenant": "t"})),
        ("channelData tenant id a number", variant(channelData={"tenant": {"id": 7}})),
        ("channelData tenant id an object", variant(channelData={"tenant": {"id": {"a": 1}}})),
        ("channelData tenant id too long", variant(channelData={"tenant": {"id": "t" * 100}})),
        ("channelData channel id a list", variant(channelData={"channel": {"id": ["19:x"]}})),
        ("channelData team id a number", variant(channelData={"team": {"id": 1}})),
        ("channelData a list", variant(channelData=["tenant"])),
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


_ODD_VALUES = (None, 7, 1.5, True, "", [], {}, [1], {"a": 1}, "y" * 500)
_FIELD_PATHS = (
    ("type",), ("id",), ("channelId",), ("text",), ("name",), ("locale",), ("replyToId",), ("textFormat",), ("timestamp",),
    ("from",), ("recipient",), ("conversation",), ("channelData",), ("entities",), ("value",), ("attachments",), ("membersAdded",),
    ("from", "id"), ("from", "name"), ("from", "aadObjectId"), ("from", "role"), ("recipient", "id"),
    ("conversation", "id"), ("conversation", "conversationType"), ("conversation", "tenantId"), ("conversation", "isGroup"),
    ("channelData", "tenant"), ("channelData", "tenant", "id"), ("channelData", "channel"), ("channelData", "channel", "id"),
    ("channelData", "team"), ("channelData", "team", "id"),
    ("entities", 0), ("entities", 0, "type"), ("entities", 0, "text"), ("entities", 0, "mentioned"), ("entities", 0, "mentioned", "id"),
    ("value", "form"), ("value", "context"), ("value", "form_spec"), ("value", "action_id"), ("value", "value"),
)


def _with_value_at(body, path, value):
    changed = json.loads(json.dumps(body))
    here = changed
    for step in path[:-1]:
        here = here[step]
    here[path[-1]] = value
    return changed


async def test_odd_types_anywhere_in_an_activity_are_refused_or_handled_never_a_failed_turn(teams_client, connector, caplog):
    """Every field the bot reads, set to null / numbers / lists / objects / long text: a 4xx, or a turn that runs cleanly."""
    import logging

    from tests.teams.conftest import channel_message

    spec = json.dumps({"form_id": "decision.form", "fields": [{"name": "case_ref", "label": "Case", "hint": {"a": 1},
                                                               "placeholder": [1], "initial": 5, "kind": [1]}]})
    bases = {
        "personal": activity(connector),
        "channel": channel_message(connector, "help"),
        "form submit": activity(connector, text=None, value={"form": "decision.form", "form_spec": spec, "case_ref": "LCS1234"}),
        "button": activity(connector, text=None, value={"action_id": "answer.helpful", "value": "x"}),
        "install": activity(connector, type="conversationUpdate", text=None, membersAdded=[{"id": "28:standards-bot"}]),
    }
    caplog.set_level(logging.INFO, logger="bot.teams")
    failures = []
    for base_name, base in bases.items():
        for path in _FIELD_PATHS:
            for value in _ODD_VALUES:
                try:
                    body = _with_value_at(base, path, value)
                except (KeyError, IndexError, TypeError):
                    continue  # this base has no such field
                caplog.clear()
                response = await teams_client.post("/api/messages", data=json.dumps(body), headers={"Content-Type": "application/json"})
                errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("bot.")]
                if response.status >= 500 or errors:
                    failures.append((base_name, path, value if not isinstance(value, str) else value[:10], response.status, errors[:1]))
    assert failures == []
