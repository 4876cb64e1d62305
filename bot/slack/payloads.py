"""Parse and check a Slack request body before Bolt sees it: anything that is not a Slack payload is a 400.

Bolt's aiohttp adapter answers HTTP 500 to some malformed but correctly signed bodies (NOTES.md), so the
adapter parses the body here, checks the fields Bolt and our listeners read, and hands Bolt the dict.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

INTERACTIVE_TYPES = ("block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion")
ID_OBJECTS = ("enterprise", "team", "user", "channel")
NESTED_OBJECTS = ("event", "message", "previous_message", "item", "view", "container", "assistant_thread", "function_data")


class BadPayload(ValueError):
    """The body is not a Slack payload this app understands; the reason is safe to log (no content)."""


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The Slack payload in `raw` as a dict, checked; BadPayload (answer 400) when it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadPayload("body is not UTF-8") from None
    if not text.strip():
        raise BadPayload("empty body")
    if content_type == "application/json":
        body = _json(text, "body")
    elif content_type == "application/x-www-form-urlencoded":
        body = _form(text)
    else:
        raise BadPayload("unsupported content type")
    check_payload(body)
    return body


def _json(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise BadPayload(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise BadPayload(f"{what} is not a JSON object")
    return value


def _form(text: str) -> dict[str, Any]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, max_num_fields=200)
    except ValueError:
        raise BadPayload("body is not form-encoded") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise BadPayload(f"repeated form field {name!r}")
        fields[name] = value
    if "payload" in fields:
        if len(fields) != 1:
            raise BadPayload("interactive payload with extra fields")
        return _json(fields["payload"], "payload")
    if "command" in fields:
        return fields
    raise BadPayload("form body is neither a command nor an interactive payload")


def check_payload(body: dict[str, Any]) -> None:
    """Raise BadPayload unless `body` is a slash command, an event callback, url_verification or interactivity."""
    _check_common(body, "body")
    if "command" in body and "type" not in body:
        _check_command(body)
        return
    kind = body.get("type")
    if kind == "url_verification":
        _text(body, "challenge", required=True)
    elif kind == "event_callback":
        _check_event_callback(body)
    elif kind in INTERACTIVE_TYPES:
        _check_interactive(body, kind)
    elif kind == "app_rate_limited":
        pass
    else:
        raise BadPayload("unknown payload type")


def _text(obj: dict[str, Any], name: str, *, required: bool = False, max_length: int = 40_000) -> None:
    value = obj.get(name)
    if value is None:
        if required:
            raise BadPayload(f"missing {name}")
        return
    if not isinstance(value, str) or len(value) > max_length:
        raise BadPayload(f"{name} is not a string")
    if required and not value:
        raise BadPayload(f"empty {name}")


def _object(obj: dict[str, Any], name: str, *, required: bool = False) -> dict[str, Any] | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise BadPayload(f"missing {name}")
        return None
    if not isinstance(value, dict):
        raise BadPayload(f"{name} is not an object")
    return value


def _check_common(obj: dict[str, Any], where: str, depth: int = 0) -> None:
    """The id-bearing fields Bolt reads to build its context: a string or an object with a string id."""
    if depth > 3:
        return
    for name in ID_OBJECTS:
        value = obj.get(name)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict) or not isinstance(value.get("id", ""), str):
            raise BadPayload(f"{where}.{name} is malformed")
    for name in ("team_id", "user_id", "channel_id", "enterprise_id", "thread_ts", "response_url", "trigger_id"):
        if obj.get(name) is not None and not isinstance(obj[name], str):
            raise BadPayload(f"{where}.{name} is not a string")
    authorizations = obj.get("authorizations")
    if authorizations is not None:
        if not isinstance(authorizations, list) or not all(isinstance(a, dict) for a in authorizations):
            raise BadPayload(f"{where}.authorizations is malformed")
        for index, item in enumerate(authorizations):
            _check_common(item, f"{where}.authorizations[{index}]", depth + 1)
    response_urls = obj.get("response_urls")
    if response_urls is not None:
        if not isinstance(response_urls, list) or not all(
            isinstance(u, dict) and isinstance(u.get("response_url", ""), str) for u in response_urls
        ):
            raise BadPayload(f"{where}.response_urls is malformed")
    for name in NESTED_OBJECTS:
        nested = _object(obj, name)
        if nested is not None:
            _check_common(nested, f"{where}.{name}", depth + 1)


def _check_command(body: dict[str, Any]) -> None:
    _text(body, "command", required=True, max_length=64)
    command = body["command"]
    if not command.startswith("/") or len(command) > 64:
        raise BadPayload("command does not start with /")
    for name in ("user_id", "channel_id", "team_id"):
        _text(body, name, required=True, max_length=64)
    _text(body, "text", max_length=4000)
    _text(body, "trigger_id", max_length=200)
    _text(body, "response_url", max_length=2000)


def _check_event_callback(body: dict[str, Any]) -> None:
    _text(body, "event_id", required=True, max_length=100)
    _text(body, "team_id", max_length=64)
    event = _object(body, "event", required=True)
    _text(event, "type", required=True, max_length=100)
    for name in ("text", "ts", "thread_ts", "subtype", "channel_type", "bot_id", "client_msg_id", "tab"):
        _text(event, name, max_length=40_000)
    if event["type"] in ("app_mention", "message"):
        _text(event, "channel", required=True, max_length=64)
        _text(event, "ts", required=True, max_length=64)
    if event["type"] == "app_home_opened":
        _text(event, "user", required=True, max_length=64)


def _check_interactive(body: dict[str, Any], kind: str) -> None:
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
        raise BadPayload("interactive payload without a user")
    _object(body, "channel")  # interactivity names its channel as an object, when it has one
    _text(body, "response_url", max_length=2000)
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            raise BadPayload("block_actions without actions")
        for action in actions:
            if not isinstance(action, dict):
                raise BadPayload("action is not an object")
            _text(action, "action_id", required=True, max_length=255)
            _text(action, "type", max_length=64)
            _text(action, "block_id", max_length=255)
            _text(action, "value", max_length=2000)
            _text(action, "selected_date", max_length=20)
            selected = _object(action, "selected_option")
            if selected is not None:
                _text(selected, "value", required=True, max_length=2000)
    elif kind in ("view_submission", "view_closed"):
        view = _object(body, "view", required=True)
        _text(view, "callback_id", required=True, max_length=255)
        _text(view, "id", max_length=64)
        _text(view, "private_metadata", max_length=3000)
        state = _object(view, "state", required=True)
        values = _object(state, "values", required=True)
        for block in values.values():
            if not isinstance(block, dict) or not all(isinstance(element, dict) for element in block.values()):
                raise BadPayload("view state is malformed")
    elif kind in ("shortcut", "message_action"):
        _text(body, "callback_id", required=True, max_length=255)
        _text(body, "trigger_id", required=True, max_length=200)
        if kind == "message_action":
            message = _object(body, "message", required=True)
            _text(message, "ts", required=True, max_length=64)
            _text(message, "text", max_length=40_000)
            _text(message, "thread_ts", max_length=64)
            _text(message, "user", max_length=64)
            channel = _object(body, "channel", required=True)
            _text(channel, "id", required=True, max_length=64)
    elif kind == "block_suggestion":
        _text(body, "action_id", required=True, max_length=255)
        _text(body, "value", max_length=2000)
