"""Check an incoming Bot Framework activity before botbuilder sees it, so bad input gets a 400, never a 500.

botbuilder's `CloudAdapter.process` answers 500 to most malformed activities (missing conversation,
wrong types, non-objects) and 501 to an invoke without a name; these checks reject them first.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlparse

from botbuilder.schema import Activity

MAX_ACTIVITY_BYTES = 256 * 1024  # Bot Framework activities are far smaller; anything bigger is not one
MAX_TEXT_CHARS = 28_000  # Teams' own message size limit

_OBJECT_FIELDS = ("from", "recipient", "conversation", "channelData")
_STRING_FIELDS = ("type", "id", "channelId", "serviceUrl", "text", "name", "locale", "replyToId", "textFormat")
_ACCOUNT_FIELDS = ("id", "name", "aadObjectId", "role")
_CONVERSATION_FIELDS = ("id", "conversationType", "tenantId", "name", "aadObjectId", "role")
# activity types that carry a person's words or card input: they must say who sent them
_FROM_REQUIRED = ("message", "invoke")
# the longest values the stored conversation references keep (bot/storage/models/teams.py)
MAX_ID_CHARS = 200
MAX_CONVERSATION_ID_CHARS = 400
MAX_SERVICE_URL_CHARS = 400
MAX_TENANT_ID_CHARS = 64


class InvalidActivity(ValueError):
    """The request body is not an activity this bot can accept; the message says why (no user content)."""


def parse_activity(raw: bytes) -> Activity:
    """A checked, deserialized activity, or InvalidActivity naming the first problem found."""
    if len(raw) > MAX_ACTIVITY_BYTES:
        raise InvalidActivity(f"activity larger than {MAX_ACTIVITY_BYTES} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidActivity("body is not JSON") from None
    check_activity_json(body)
    try:
        activity = Activity().deserialize(body)
    except Exception:  # noqa: BLE001 - msrest raises several types for bad shapes
        raise InvalidActivity("body is not a Bot Framework activity") from None
    if not activity.type or not activity.service_url or not activity.conversation or not activity.conversation.id:
        raise InvalidActivity("activity lacks type, serviceUrl or conversation.id")
    return activity


def check_activity_json(body: Any) -> None:
    """The structural checks on the activity's JSON (types of the fields the bot relies on)."""
    if not isinstance(body, dict):
        raise InvalidActivity("activity must be a JSON object")
    for name in _STRING_FIELDS:
        if name in body and body[name] is not None and not isinstance(body[name], str):
            raise InvalidActivity(f"{name} must be a string")
    for name in _OBJECT_FIELDS:
        if name in body and body[name] is not None and not isinstance(body[name], dict):
            raise InvalidActivity(f"{name} must be an object")
    kind = body.get("type")
    if not isinstance(kind, str) or not kind.strip():  # missing, null, or blank: not an activity
        raise InvalidActivity("type is required")
    service_url_text = body.get("serviceUrl")
    if not isinstance(service_url_text, str) or len(service_url_text) > MAX_SERVICE_URL_CHARS:
        raise InvalidActivity("serviceUrl must be an http(s) URL")
    service_url = urlparse(service_url_text)
    if service_url.scheme not in ("http", "https") or not service_url.netloc:
        raise InvalidActivity("serviceUrl must be an http(s) URL")
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str) or not conversation["id"].strip():
        raise InvalidActivity("conversation.id is required")
    if len(conversation["id"]) > MAX_CONVERSATION_ID_CHARS:
        raise InvalidActivity("conversation.id is too long")
    for key in _CONVERSATION_FIELDS:
        if conversation.get(key) is not None and not isinstance(conversation[key], str):
            raise InvalidActivity(f"conversation.{key} must be a string")
    if conversation.get("isGroup") is not None and not isinstance(conversation["isGroup"], bool):
        raise InvalidActivity("conversation.isGroup must be true or false")
    if conversation.get("conversationType") not in (None, "", "personal") and len(conversation["id"].split(";", 1)[0]) > MAX_ID_CHARS:
        raise InvalidActivity("conversation.id is too long")  # a channel or group chat is stored by this id
    if len(conversation.get("tenantId") or "") > MAX_TENANT_ID_CHARS:
        raise InvalidActivity("conversation.tenantId is too long")
    for name in ("from", "recipient"):
        account = body.get(name) or {}
        for key in _ACCOUNT_FIELDS:
            if key in account and account[key] is not None and not isinstance(account[key], str):
                raise InvalidActivity(f"{name}.{key} must be a string")
        for key in ("id", "aadObjectId"):
            if len(account.get(key) or "") > MAX_ID_CHARS:
                raise InvalidActivity(f"{name}.{key} is too long")
    if kind in _FROM_REQUIRED:
        sender = body.get("from")
        if not isinstance(sender, dict) or not (sender.get("id") or "").strip():
            raise InvalidActivity("from.id is required")
    if len(body.get("text") or "") > MAX_TEXT_CHARS:
        raise InvalidActivity("text is too long")
    for name in ("membersAdded", "membersRemoved", "entities", "attachments"):
        items = body.get(name)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise InvalidActivity(f"{name} must be a list of objects")
    for name in ("membersAdded", "membersRemoved"):
        for member in body.get(name) or ():
            if not isinstance(member.get("id"), str):
                raise InvalidActivity(f"{name}[].id must be a string")
    for entity in body.get("entities") or ():
        if not isinstance(entity.get("type", ""), str):
            raise InvalidActivity("entities[].type must be a string")
        mentioned = entity.get("mentioned")
        if mentioned is not None and not (isinstance(mentioned, dict) and isinstance(mentioned.get("id", ""), str)):
            raise InvalidActivity("entities[].mentioned must be an account")
    channel_data = body.get("channelData") or {}
    for key in ("tenant", "team", "channel"):
        if key in channel_data and channel_data[key] is not None and not isinstance(channel_data[key], dict):
            raise InvalidActivity(f"channelData.{key} must be an object")
        part = channel_data.get(key) or {}
        if part.get("id") is not None and not isinstance(part["id"], str):
            raise InvalidActivity(f"channelData.{key}.id must be a string")
        limit = MAX_TENANT_ID_CHARS if key == "tenant" else MAX_ID_CHARS
        if len(part.get("id") or "") > limit:
            raise InvalidActivity(f"channelData.{key}.id is too long")
