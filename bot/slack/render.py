"""The one Block Kit renderer: every neutral reply part becomes blocks, every Form a modal view.

Feature code never builds Block Kit; a new part type is added to handlers/types.py and rendered here once.
Slack's limits are applied here too (50 blocks a message, 100 a view, 3000 characters a text, 75 a button).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from handlers.types import (
    Actions,
    Button,
    FieldErrors,
    Form,
    FormField,
    FormPart,
    Item,
    ItemList,
    PassagePart,
    Reply,
    Text,
)

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_ELEMENTS = 25
FORM_OPEN_ACTION = "form.open"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
INPUT_ACTION = "input"  # action_id of every modal input; the block_id is the form field's name


def escape(text: str) -> str:
    """Escape Slack's control characters so text can never ping @channel or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": _clip(text or " ", limit), "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _clip(text or " ", MAX_TEXT)}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [_mrkdwn(text)]}


def render_button(button: Button, action_id: str | None = None) -> dict[str, Any]:
    """A Block Kit button; a button with a URL opens the link (its action id still arrives, and is ignored)."""
    element: dict[str, Any] = {"type": "button", "text": _plain(button.label, MAX_BUTTON_TEXT), "action_id": action_id or button.action_id}
    if button.value:
        element["value"] = button.value[:2000]
    if button.url:
        element["url"] = button.url[:3000]
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def _overflow(buttons: list[Button]) -> dict[str, Any]:
    """Buttons whose action id ends in `.more` go into one overflow menu (e.g. "more results")."""
    return {
        "type": "overflow",
        "action_id": buttons[0].action_id,
        "options": [{"text": _plain(b.label, MAX_BUTTON_TEXT), "value": (b.value or b.action_id)[:150]} for b in buttons[:5]],
    }


def _actions_blocks(buttons: tuple[Button, ...]) -> list[dict[str, Any]]:
    """Actions blocks for buttons; action ids stay unique within a block (Slack requires it) via `#n` suffixes."""
    more = [b for b in buttons if b.action_id.endswith(".more")]
    plain = [b for b in buttons if not b.action_id.endswith(".more")]
    if len(more) == 1:  # an overflow menu needs at least two options
        plain, more = plain + more, []
    elements: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for button in plain:
        count = seen.get(button.action_id, 0)
        seen[button.action_id] = count + 1
        elements.append(render_button(button, button.action_id if count == 0 else f"{button.action_id}#{count}"))
    if more:
        elements.append(_overflow(more))
    return [{"type": "actions", "elements": elements[i : i + MAX_ELEMENTS]} for i in range(0, len(elements), MAX_ELEMENTS)]


def _text_blocks(part: Text) -> list[dict[str, Any]]:
    if part.style == "heading":
        return [{"type": "header", "text": _plain(part.text, 150)}]
    if part.style == "muted":
        return [_context(escape(part.text))]
    if part.style == "warning":
        return [_section(":warning: " + escape(part.text))]
    return [_section(escape(part.text))]


def _passage_blocks(part: PassagePart) -> list[dict[str, Any]]:
    passage = part.passage
    dated = f" · {escape(passage.document_date)}" if passage.document_date else ""
    links = "".join(f" · <{_link_url(link.url)}|{escape(link.title)}>" for link in passage.links[:10])
    return [
        _section(f"*{escape(passage.title)}*\n{escape(passage.text)}"),
        _context(f"{escape(passage.source)} › {escape(passage.section)}{dated}{links}"),
    ]


def _link_url(url: str) -> str:
    """A URL safe inside Slack's `<url|title>` link syntax."""
    return url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C").replace(" ", "%20")


def _item_blocks(item: Item) -> list[dict[str, Any]]:
    text = escape(item.text) + (f"\n_{escape(item.detail)}_" if item.detail else "")
    block = _section(text)
    if len(item.buttons) == 1:
        block["accessory"] = render_button(item.buttons[0])
        return [block]
    return [block] + (_actions_blocks(item.buttons) if item.buttons else [])


def _list_blocks(part: ItemList, room: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_section(f"*{escape(part.title)}*")]
    if not part.items:
        if part.empty_text:
            blocks.append(_context(escape(part.empty_text)))
        return blocks
    for index, item in enumerate(part.items):
        rendered = _item_blocks(item)
        if len(blocks) + len(rendered) > room - 1:
            blocks.append(_context(f"…and {len(part.items) - index} more"))
            break
        blocks += rendered
    return blocks


def _errors_blocks(part: FieldErrors) -> list[dict[str, Any]]:
    labels = {f.name: f.label for f in part.form.fields} if part.form else {}
    return [_section(":warning: " + escape(f"{labels.get(name, name)}: {message}")) for name, message in part.errors.items()]


def _form_button_blocks(part: FormPart) -> list[dict[str, Any]]:
    """A message cannot hold a modal: offer a button that opens it (its click brings a fresh trigger_id)."""
    value = json.dumps({"form_id": part.form.form_id, "context": part.form.context})
    return [
        _section(f"*{escape(part.form.title)}*"),
        {"type": "actions", "elements": [render_button(Button(f"Open: {part.form.title}", FORM_OPEN_ACTION, value, style="primary"))]},
    ]


def render_blocks(reply: Reply, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """Block Kit blocks for every part of a reply, in reading order, within Slack's block limit."""
    blocks: list[dict[str, Any]] = []
    for part in reply.parts:
        room = max_blocks - len(blocks)
        if isinstance(part, Text):
            rendered = _text_blocks(part)
        elif isinstance(part, PassagePart):
            rendered = _passage_blocks(part)
        elif isinstance(part, Actions):
            rendered = _actions_blocks(part.buttons) if part.buttons else []
        elif isinstance(part, ItemList):
            rendered = _list_blocks(part, room)
        elif isinstance(part, FormPart):
            rendered = _form_button_blocks(part)
        elif isinstance(part, FieldErrors):
            rendered = _errors_blocks(part)
        else:  # pragma: no cover - a new part type must be added here
            rendered = [_section(escape(str(part)))]
        if len(rendered) > room:
            break
        blocks += rendered
    return blocks


def message(reply: Reply) -> dict[str, Any]:
    """Arguments for chat.postMessage / respond: the blocks and a plain-text fallback for notifications."""
    summary = reply.summary or reply.plain_text()[:300] or "…"
    return {"text": _clip(summary, 3000), "blocks": render_blocks(reply)}


def home_view(reply: Reply) -> dict[str, Any]:
    """The App Home tab for a reply (the manager's week)."""
    return {"type": "home", "blocks": render_blocks(reply, MAX_VIEW_BLOCKS)}


# ---- forms as modals ------------------------------------------------------------------------------


def _element(field: FormField, initial: str | None, initial_user: str | None) -> dict[str, Any]:
    kind = field.kind
    element: dict[str, Any] = {"action_id": INPUT_ACTION}
    if kind in ("text", "multiline"):
        element["type"] = "plain_text_input"
        element["multiline"] = kind == "multiline"
        if field.max_length:
            element["max_length"] = min(field.max_length, 3000)
        if initial:
            element["initial_value"] = initial[: element.get("max_length", 3000)]
        if field.placeholder:
            element["placeholder"] = _plain(field.placeholder, 150)
    elif kind == "number":
        element.update(type="number_input", is_decimal_allowed=False)
        if initial:
            element["initial_value"] = initial
    elif kind == "date":
        element["type"] = "datepicker"
        if initial and ISO_DATE.fullmatch(initial):
            element["initial_date"] = initial
    elif kind == "select":
        options = [{"text": _plain(o.label, 75), "value": o.value[:150]} for o in field.options[:100]]
        element.update(type="static_select", options=options)
        chosen = next((o for o in options if o["value"] == initial), None)
        if chosen:
            element["initial_option"] = chosen
    elif kind == "staff":
        element["type"] = "users_select"
        if initial_user:
            element["initial_user"] = initial_user
    else:  # pragma: no cover - a new field kind must be added here
        element["type"] = "plain_text_input"
    return element


def modal_view(
    form: Form,
    *,
    values: Mapping[str, str] | None = None,
    metadata: Mapping[str, str] | None = None,
    initial_users: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A modal for a neutral Form: one input block per field, block_id = field name, callback_id = form id.

    `initial_users` gives the Slack user to preselect in a staff field (by field name);
    `metadata` (the form's context plus where to answer) rides in private_metadata.
    """
    values = values or {}
    initial_users = initial_users or {}
    blocks = []
    for field in form.fields[:MAX_VIEW_BLOCKS]:
        block: dict[str, Any] = {
            "type": "input",
            "block_id": field.name,
            "label": _plain(field.label, 2000),
            "optional": not field.required,
            "element": _element(field, values.get(field.name, field.initial), initial_users.get(field.name)),
        }
        if field.hint:
            block["hint"] = _plain(field.hint, 2000)
        blocks.append(block)
    private = {"context": form.context, **(metadata or {})}
    return {
        "type": "modal",
        "callback_id": form.form_id,
        "title": _plain(form.title, 24),
        "submit": _plain(form.submit_label, 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps(private)[:3000],
        "blocks": blocks,
    }


def form_errors(errors: Mapping[str, str], form_fields: list[str]) -> dict[str, Any]:
    """The `view_submission` answer that shows messages under the fields (keyed by block_id).

    Messages for names that are not a field of the modal go on the first field, so none is lost.
    """
    shown: dict[str, str] = {}
    for name, text in errors.items():
        target = name if name in form_fields else (form_fields[0] if form_fields else name)
        shown[target] = _clip(f"{shown[target]} {text}" if target in shown else text, 2000)
    return {"response_action": "errors", "errors": shown}


def submitted_values(view: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """A submitted modal's values by field name, and the Slack user ids picked in staff fields (by field)."""
    values: dict[str, str] = {}
    users: dict[str, str] = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        for element in elements.values():
            kind = element.get("type")
            if kind == "users_select":
                if isinstance(element.get("selected_user"), str):
                    users[block_id] = element["selected_user"]
                continue
            if kind == "static_select":
                option = element.get("selected_option")
                value = option.get("value") if isinstance(option, dict) else None
            elif kind == "datepicker":
                value = element.get("selected_date")
            else:
                value = element.get("value")
            values[block_id] = value if isinstance(value, str) else ""
    return values, users
