"""The one Teams renderer: a neutral `Reply` becomes one Adaptive Card (and back, for form submits).

Every part type of `handlers/types.py` is rendered here and nowhere else. Buttons become
`Action.Submit` carrying `{"action_id": ..., "value": ...}` (or `Action.OpenUrl` when they have a url);
forms become `Input.*` elements with an `Action.Submit` carrying `{"form": form_id, "context": ...}`, plus
the form's own description so a rejected submit can come back as the same card with the messages shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from handlers.types import (
    Actions,
    Button,
    FieldErrors,
    Form,
    FormField,
    FormPart,
    ItemList,
    Option,
    PassagePart,
    Reply,
    Text,
)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"  # supported by Teams desktop, web and mobile
FORM_KEY = "form"
CONTEXT_KEY = "context"
FORM_SPEC_KEY = "form_spec"  # the form's description, echoed back by Teams with the submitted values
ACTION_KEY = "action_id"
VALUE_KEY = "value"
ERROR_PREFIX = "error."  # id prefix of the TextBlock that shows a field's validation message
MAX_TEXT = 4000

_BUTTON_STYLE = {"primary": "positive", "danger": "destructive"}


def render_card(reply: Reply) -> dict[str, Any]:
    """The Adaptive Card (its JSON content) for a neutral reply."""
    body: list[dict[str, Any]] = []
    for part in reply.parts:
        body.extend(_render_part(part))
    if not body:
        body.append(_text_block(reply.summary or " "))
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }


def render_attachment(reply: Reply) -> dict[str, Any]:
    """The Bot Framework attachment (plain dict) carrying the reply's card."""
    return {"contentType": CARD_CONTENT_TYPE, "content": render_card(reply)}


def _render_part(part) -> list[dict[str, Any]]:
    if isinstance(part, Text):
        return [_render_text(part)]
    if isinstance(part, PassagePart):
        return _render_passage(part)
    if isinstance(part, Actions):
        return [_action_set(part.buttons)] if part.buttons else []
    if isinstance(part, ItemList):
        return _render_items(part)
    if isinstance(part, FormPart):
        return _render_form(part.form, errors={}, values={})
    if isinstance(part, FieldErrors):
        if part.form is not None:
            return _render_form(part.form, errors=part.errors, values=part.values)
        return [_text_block(f"{name}: {message}", color="Attention") for name, message in part.errors.items()]
    raise TypeError(f"no Adaptive Card rendering for {type(part).__name__}")


def _text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text[:MAX_TEXT], "wrap": True, **style}


def _render_text(part: Text) -> dict[str, Any]:
    if part.style == "heading":
        return _text_block(part.text, size="Medium", weight="Bolder")
    if part.style == "muted":
        return _text_block(part.text, isSubtle=True, size="Small")
    if part.style == "warning":
        return _text_block(part.text, color="Attention")
    return _text_block(part.text)


def _render_passage(part: PassagePart) -> list[dict[str, Any]]:
    """Title, source › section (date), the passage, and its links inline (the reply's Actions carry the buttons)."""
    passage = part.passage
    dated = f" · {passage.document_date}" if passage.document_date else ""
    links = "".join(f" · [{_markdown_label(link.title)}]({_markdown_url(link.url)})" for link in passage.links[:10])
    items = [
        _text_block(passage.title, weight="Bolder"),
        _text_block(passage.text),
        _text_block(f"{passage.source} › {passage.section}{dated}{links}", isSubtle=True, size="Small", spacing="Small"),
    ]
    return [{"type": "Container", "separator": True, "spacing": "Medium", "items": items}]


def _markdown_label(text: str) -> str:
    return text.replace("[", "(").replace("]", ")")


def _markdown_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _button(button: Button) -> dict[str, Any]:
    if button.url:
        action: dict[str, Any] = {"type": "Action.OpenUrl", "title": button.label, "url": button.url}
    else:
        action = {
            "type": "Action.Submit",
            "title": button.label,
            "data": {ACTION_KEY: button.action_id, VALUE_KEY: button.value},
        }
    if button.style in _BUTTON_STYLE:
        action["style"] = _BUTTON_STYLE[button.style]
    return action


def _action_set(buttons) -> dict[str, Any]:
    return {"type": "ActionSet", "actions": [_button(button) for button in buttons]}


def _render_items(part: ItemList) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_text_block(part.title, weight="Bolder", spacing="Medium")]
    if not part.items and part.empty_text:
        blocks.append(_text_block(part.empty_text, isSubtle=True))
    for item in part.items:
        items = [_text_block(item.text)]
        if item.detail:
            items.append(_text_block(item.detail, isSubtle=True, size="Small", spacing="None"))
        if item.buttons:
            items.append(_action_set(item.buttons))
        blocks.append({"type": "Container", "separator": True, "items": items})
    return blocks


# ---- forms -------------------------------------------------------------------------------------


def _input(field: FormField, value: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"id": field.name, "label": field.label, "isRequired": field.required}
    if field.kind == "date":
        element["type"] = "Input.Date"
    elif field.kind == "number":
        element["type"] = "Input.Number"
    elif field.kind == "select" or (field.kind == "staff" and field.options):
        element["type"] = "Input.ChoiceSet"
        element["style"] = "compact"
        element["choices"] = [{"title": option.label, "value": option.value} for option in field.options]
    else:
        element["type"] = "Input.Text"
        if field.kind == "multiline":
            element["isMultiline"] = True
        if field.max_length:
            element["maxLength"] = field.max_length
    if field.placeholder and element["type"] != "Input.ChoiceSet":
        element["placeholder"] = field.placeholder
    if field.required:
        element["errorMessage"] = f"{field.label} is required"
    if value not in (None, ""):
        element["value"] = value
    return element


def _render_form(form: Form, *, errors: Mapping[str, str], values: Mapping[str, str]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_text_block(form.title, size="Medium", weight="Bolder")]
    known = {field.name for field in form.fields}
    for name, message in errors.items():
        if name not in known:
            blocks.append(_text_block(message, color="Attention"))
    for field in form.fields:
        value = values.get(field.name, field.initial)
        blocks.append(_input(field, value))
        if field.hint:
            blocks.append(_text_block(field.hint, isSubtle=True, size="Small", spacing="None"))
        if field.name in errors:
            blocks.append(
                _text_block(errors[field.name], id=ERROR_PREFIX + field.name, color="Attention", size="Small", spacing="None")
            )
    submit = {
        "type": "Action.Submit",
        "title": form.submit_label,
        "style": "positive",
        "data": {FORM_KEY: form.form_id, CONTEXT_KEY: form.context, FORM_SPEC_KEY: form_to_json(form)},
    }
    blocks.append({"type": "ActionSet", "actions": [submit]})
    return blocks


def form_to_json(form: Form) -> str:
    """A compact description of a form, carried in its submit data so errors can re-render it."""
    return json.dumps(
        {
            "form_id": form.form_id,
            "title": form.title,
            "submit_label": form.submit_label,
            "context": form.context,
            "fields": [
                {
                    "name": f.name,
                    "label": f.label,
                    "kind": f.kind,
                    "required": f.required,
                    "options": [[o.label, o.value] for o in f.options],
                    "initial": f.initial,
                    "placeholder": f.placeholder,
                    "max_length": f.max_length,
                    "hint": f.hint,
                }
                for f in form.fields
            ],
        },
        separators=(",", ":"),
    )


def _text_or_none(value: Any) -> str | None:
    """A string from a card's echoed form description, or None (it arrives from the client: trust no type)."""
    return value if isinstance(value, str) else None


def form_from_json(text: str, form_id: str) -> Form | None:
    """The form described by a submit's `form_spec`, or None when it is missing or not for `form_id`."""
    try:
        data = json.loads(text)
        if data.get("form_id") != form_id:
            return None
        fields = tuple(
            FormField(
                name=str(f["name"]),
                label=str(f["label"]),
                kind=f.get("kind", "text") if f.get("kind") in ("text", "multiline", "date", "select", "staff", "number") else "text",
                required=bool(f.get("required", True)),
                options=tuple(Option(label=str(label), value=str(value)) for label, value in f.get("options") or ()),
                initial=_text_or_none(f.get("initial")),
                placeholder=_text_or_none(f.get("placeholder")),
                max_length=f.get("max_length") if isinstance(f.get("max_length"), int) and not isinstance(f.get("max_length"), bool) else None,
                hint=_text_or_none(f.get("hint")),
            )
            for f in data["fields"]
        )
        return Form(
            form_id=form_id,
            title=str(data.get("title", "")),
            fields=fields,
            submit_label=str(data.get("submit_label") or "Submit"),
            context=str(data.get("context") or ""),
        )
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def submitted_values(value: Mapping[str, Any]) -> dict[str, str]:
    """The user's input values from a card submit, without the routing keys the card added."""
    routing = {FORM_KEY, CONTEXT_KEY, FORM_SPEC_KEY, ACTION_KEY, "msteams"}
    return {str(key): "" if item is None else str(item) for key, item in value.items() if key not in routing}
