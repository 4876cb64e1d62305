"""Platform-neutral requests and replies.

Adapters (console, Slack, Teams) turn their payloads into a `Request`, call a handler, and render the
`Reply` it returns with their one renderer. A reply is a list of parts; a new kind of part is added here
once and once per renderer. Handlers never see Block Kit or Activities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Union

Platform = Literal["slack", "teams", "console", "cli", "scheduler"]


@dataclass(frozen=True)
class Request:
    """Who asks, where, what, and when (`now` is aware, in the organisation's time zone)."""

    now: datetime
    platform: Platform
    staff_id: str | None = None
    text: str = ""
    values: Mapping[str, str] = field(default_factory=dict)
    place: str | None = None  # channel / conversation id, when there is one
    thread: str | None = None


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Passage:
    """A passage of a standard: what a manager reads, where it comes from, and its links."""

    id: str
    title: str
    text: str
    source: str
    section: str
    links: tuple[Link, ...] = ()
    score: float = 0.0
    document_date: str | None = None


@dataclass(frozen=True)
class Button:
    """An action with a stable, feature-namespaced id (e.g. `answer.helpful`, `nudge.snooze`)."""

    label: str
    action_id: str
    value: str = ""
    url: str | None = None
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True)
class Option:
    label: str
    value: str


FieldKind = Literal["text", "multiline", "date", "select", "staff", "number"]


@dataclass(frozen=True)
class FormField:
    """One input of a form; `name` doubles as the Slack block id and the Teams input id."""

    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = True
    options: tuple[Option, ...] = ()
    initial: str | None = None
    placeholder: str | None = None
    max_length: int | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Form:
    """A form to fill in: a Slack modal or an Adaptive Card with `Action.Submit`."""

    form_id: str  # e.g. "decision.form"; Slack callback_id, Teams submit `form` value
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"
    context: str = ""  # opaque state carried through the round trip (Slack private_metadata)


# ---- reply parts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str
    style: Literal["plain", "heading", "muted", "warning"] = "plain"


@dataclass(frozen=True)
class PassagePart:
    passage: Passage


@dataclass(frozen=True)
class Actions:
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Item:
    """A line in a list (a nudge, an open action, a decision), optionally with its own buttons."""

    text: str
    detail: str = ""
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class ItemList:
    title: str
    items: tuple[Item, ...]
    empty_text: str = ""


@dataclass(frozen=True)
class FormPart:
    form: Form


@dataclass(frozen=True)
class FieldErrors:
    """Validation messages keyed by form field name; the form's values are echoed back in `values`."""

    errors: Mapping[str, str]
    form: Form | None = None
    values: Mapping[str, str] = field(default_factory=dict)


Part = Union[Text, PassagePart, Actions, ItemList, FormPart, FieldErrors]


@dataclass(frozen=True)
class Reply:
    """What a handler answers: parts in reading order, plus a plain-text summary for notifications."""

    parts: tuple[Part, ...] = ()
    summary: str = ""
    ephemeral: bool = False  # only the asker should see it (Slack ephemeral / Teams 1:1)

    @classmethod
    def text(cls, text: str, *, ephemeral: bool = False) -> Reply:
        return cls(parts=(Text(text),), summary=text, ephemeral=ephemeral)

    def plain_text(self) -> str:
        """The reply as readable plain text (console, notification fallback, logs of shape only)."""
        from handlers.plaintext import render_plain

        return render_plain(self)


# ---- nudges ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nudge:
    """One thing a person must act on, as `nudges --json` prints it (CONTRACT.md).

    `recipient` is the staff id of the person who must act; `subject` the staff, message or decision id
    the nudge is about; `cite` names the standard (document and section) and `query` finds its passage.
    """

    recipient: str
    kind: str
    subject: str
    due: date
    detail: str
    cite: str = ""
    query: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "recipient": self.recipient,
            "kind": self.kind,
            "subject": self.subject,
            "due": self.due.isoformat(),
            "detail": self.detail,
        }
