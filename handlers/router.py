"""Platform-neutral routing: a typed message, a submitted form or a pressed button goes to its feature.

Slack, Teams and the console all call these three functions (in a worker thread: they use the database)
with a neutral `Request`, and render the `Reply` they return. Feature modules are imported when first
needed, so a feature that is not installed yet answers "not available yet" instead of failing.
Each call is one unit of work: a handler's `InvalidInput` rolls everything back and reaches the adapter,
which shows it as a message or as form field errors.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from types import ModuleType

from handlers.errors import InvalidInput
from handlers.types import Actions, Button, Form, FormField, FormPart, Option, PassagePart, Reply, Request, Text

NOT_AVAILABLE = "Sorry, that is not available yet. Type `help` to see what I can do."
UNKNOWN_USER = (
    "I don't know who you are yet, so I can't keep records for you. Ask your administrator to add your "
    "Slack or Teams id (or your work email) to the staff list. You can still ask me about the standards."
)

HELP_LINES = (
    "Ask me anything about the practice standards, e.g. `how often should an NQSW be supervised?`",
    "`oversight` opens the oversight decision form; `oversight LCS204815: decision because rationale` records one in a line.",
    "`supervision STAFF_ID [YYYY-MM-DD] [case|welfare|group]` records a supervision you held.",
    "`absence STAFF_ID start|update|fit-note|returned [YYYY-MM-DD]` records an absence event.",
    "`awaiting reply STAFF_ID [YYYY-MM-DD] [from WHO]` tracks a message that needs a reply within two working days.",
    "`my week` shows supervisions due, open absences, replies owed, decisions to record and actions due.",
    "`digest` shows or changes your daily reminders (e.g. `digest time 08:30`, `digest pause 2026-12-31`).",
)

SUPERVISION_KINDS = ("case", "welfare", "group")
ABSENCE_EVENTS = {
    "start": "start",
    "started": "start",
    "update": "update",
    "day-4": "update",
    "fit-note": "fit_note",
    "fitnote": "fit_note",
    "fit_note": "fit_note",
    "returned": "returned",
    "return": "returned",
    "back": "returned",
    "rtw": "rtw_meeting",
    "rtw-meeting": "rtw_meeting",
}

ABSENCE_LABELS = {
    "start": "Absence start",
    "update": "Day 4 update",
    "fit_note": "Fit note",
    "returned": "Return to work",
    "rtw_meeting": "Return-to-work meeting",
}

SUPERVISION_FORM = "supervision.form"
ABSENCE_FORM = "absence.form"
REPLY_FORM = "reply.form"


class FeatureMissing(Exception):
    """A feature module or function is not installed yet (a parallel branch has not landed)."""


def _feature(module: str, name: str) -> Callable:
    """`handlers.<module>.<name>`, or FeatureMissing when it is not there yet."""
    try:
        found: ModuleType = importlib.import_module(f"handlers.{module}")
    except ImportError as exc:
        if exc.name and exc.name.startswith("handlers"):
            raise FeatureMissing(f"handlers.{module}") from None
        raise
    function = getattr(found, name, None)
    if function is None:
        raise FeatureMissing(f"handlers.{module}.{name}")
    return function


def _not_available() -> Reply:
    return Reply.text(NOT_AVAILABLE, ephemeral=True)


def help_reply() -> Reply:
    """What the bot can do, one line per capability."""
    parts = (Text("What I can do", "heading"),) + tuple(Text(line) for line in HELP_LINES)
    return Reply(parts=parts, summary="What I can do")


# ---- typed messages -----------------------------------------------------------------------------

_COMMAND = re.compile(
    r"^\s*(?P<cmd>help|oversight|decisions?|supervision|absence|awaiting[\s\-_]+reply|awaiting-reply|"
    r"my\s+week|week|digest|reminders)\b[\s:]*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)


def route_message(app, request: Request) -> Reply:
    """Answer a typed message: a command word starts its flow, anything else is a question for the standards.

    A command word followed by words that do not fit the flow ("supervision frequency for NQSWs") is a
    question, so people can ask about supervision without being told off for a missing staff id.
    """
    return _route(app, request, strict=False)


def command(app, request: Request) -> Reply:
    """A platform command (e.g. Slack's `/supervision ...`, sent as `supervision ...`): always the flow, never a question."""
    return _route(app, request, strict=True)


DIGEST_WORDS = ("time", "pause", "resume", "off", "on", "show", "status", "settings")


def _route(app, request: Request, *, strict: bool) -> Reply:
    text = (request.text or "").strip()
    match = _COMMAND.match(text)
    if not text or text == "?":
        return help_reply()
    if not match:
        return _ask(app, request, text)
    command = re.sub(r"[\s\-_]+", " ", match.group("cmd").lower())
    rest = match.group("rest").strip()
    if not strict and rest and _reads_as_question(app, command, rest):
        return _ask(app, request, text)
    try:
        if command == "help":
            return help_reply()
        if command in ("oversight", "decision", "decisions"):
            return _oversight(app, request, rest)
        if command == "supervision":
            return _supervision(app, request, rest)
        if command == "absence":
            return _absence(app, request, rest)
        if command == "awaiting reply":
            return _awaiting_reply(app, request, rest)
        if command in ("my week", "week"):
            return my_week(app, request)
        if command in ("digest", "reminders"):
            return _digest(app, request, rest)
    except FeatureMissing:
        return _not_available()
    return _ask(app, request, text)  # pragma: no cover - every command word is handled above


def _reads_as_question(app, command: str, rest: str) -> bool:
    """Whether the words after a command word do not fit that command (so they are a question)."""
    if command in ("oversight", "decision", "decisions"):
        return ":" not in rest
    if command in ("supervision", "absence", "awaiting reply"):
        first = rest.split()[0].lstrip("@")
        from bot.storage.models import Staff

        with app.db.unit() as session:
            return session.get(Staff, first) is None
    if command in ("digest", "reminders"):
        return rest.split()[0].lower() not in DIGEST_WORDS
    return True  # help / my week followed by more words


SHOWN_ANSWERS = 3
MORE_ANSWERS = 5  # further results offered in a "more results" menu


def _ask(app, request: Request, text: str) -> Reply:
    try:
        answer = _feature("ask", "answer")
    except FeatureMissing:
        return _not_available()
    asked = request if request.text == text else _with(request, text=text)
    with app.db.unit() as session:
        reply = answer(app.knowledge, asked, limit=SHOWN_ANSWERS + MORE_ANSWERS, session=session, policy=app.policy)
    return offer_more_results(reply, text)


def offer_more_results(reply: Reply, question: str) -> Reply:
    """Show the first answers; offer the rest as `answer.more` buttons; votes carry the question back.

    A vote's value is `passage_id|question` so a "not helpful" reaches the knowledge-gaps log with its
    question (which `record_feedback` redacts before storing).
    """
    shown = 0
    extra: list[Button] = []
    parts: list = []
    for part in reply.parts:
        if isinstance(part, PassagePart):
            shown += 1
            if shown > SHOWN_ANSWERS:
                extra.append(Button(part.passage.title[:75] or "More", "answer.more", value=part.passage.id))
                continue
        parts.append(part)
    votes = ("answer.helpful", "answer.not_helpful")
    for index, part in enumerate(parts):
        if isinstance(part, Actions):
            buttons = tuple(
                replace(b, value=f"{b.value}|{question[:500]}") if b.action_id in votes and "|" not in b.value else b
                for b in part.buttons
            )
            parts[index] = Actions(buttons + tuple(extra))
            extra = []
    if extra:
        parts.append(Actions(tuple(extra)))
    return replace(reply, parts=tuple(parts))


def more_result(app, request: Request, passage_id: str) -> Reply:
    """One further result picked from the "more results" menu."""
    found = app.knowledge.get(passage_id) if hasattr(app.knowledge, "get") else None
    if found is None:
        return Reply.text("That result is no longer available; please ask again.", ephemeral=True)
    from knowledge import to_passage

    passage = to_passage(found)
    buttons = (
        Button("Helpful", "answer.helpful", value=passage.id, style="primary"),
        Button("Not helpful", "answer.not_helpful", value=passage.id),
    )
    return Reply(parts=(PassagePart(passage), Actions(buttons)), summary=passage.title, ephemeral=True)


def _with(request: Request, **changes) -> Request:
    return replace(request, **changes)


def _unknown_user() -> Reply:
    return Reply.text(UNKNOWN_USER, ephemeral=True)


def _oversight(app, request: Request, rest: str) -> Reply:
    if not rest:
        return Reply(parts=(FormPart(oversight_form(app)),), summary="Oversight decision", ephemeral=True)
    if not request.staff_id:
        return _unknown_user()
    quick_capture = _feature("decisions", "quick_capture")
    with app.db.unit() as session:
        return quick_capture(session, app.policy, app.calendar, request, rest)


def oversight_form(app, prefill: Mapping[str, str] | None = None) -> Form:
    """The oversight decision form, optionally prefilled (e.g. from a Slack message shortcut)."""
    return _feature("decisions", "decision_form")(app.policy, prefill)


def my_week(app, request: Request) -> Reply:
    """The manager's week (App Home, `my week`)."""
    if not request.staff_id:
        return _unknown_user()
    manager_week = _feature("week", "manager_week")
    with app.db.unit() as session:
        return manager_week(session, app.policy, app.calendar, request.staff_id, request.now.date())


def _digest(app, request: Request, rest: str) -> Reply:
    if not request.staff_id:
        return _unknown_user()
    settings = _feature("digest", "settings")
    with app.db.unit() as session:
        return settings(session, request.staff_id, rest, request.now.date(), app.policy)


# ---- the record flows: supervision, absence, awaiting reply --------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(word: str, today: date, field: str = "date") -> date:
    """`YYYY-MM-DD`, `today` or `yesterday`; InvalidInput naming the field otherwise."""
    lowered = word.strip().lower()
    if lowered == "today":
        return today
    if lowered == "yesterday":
        return today - timedelta(days=1)
    if _DATE.match(lowered):
        try:
            return date.fromisoformat(lowered)
        except ValueError:
            pass
    raise InvalidInput(f"{field}: {word!r} is not a date; use YYYY-MM-DD", field=field)


def _staff_word(words: list[str], usage: str) -> str:
    if not words:
        raise InvalidInput(f"say who: {usage}", field="staff_id")
    return words.pop(0).lstrip("@")


def supervision_form() -> Form:
    """Record a supervision held: who, when, what kind."""
    return Form(
        SUPERVISION_FORM,
        "Record a supervision",
        (
            FormField("staff_id", "Who was supervised", "staff"),
            FormField("date", "Date held", "date"),
            FormField("kind", "Kind", "select", options=tuple(Option(k.title(), k) for k in SUPERVISION_KINDS), initial="case"),
        ),
        submit_label="Record",
    )


def absence_form() -> Form:
    """Record an absence event: who, what happened, when."""
    events = (("Absence started", "start"), ("Day 4 update", "update"), ("Fit note received", "fit_note"),
              ("Returned to work", "returned"), ("Return-to-work meeting held", "rtw_meeting"))
    return Form(
        ABSENCE_FORM,
        "Record an absence event",
        (
            FormField("staff_id", "Who", "staff"),
            FormField("event", "What happened", "select", options=tuple(Option(label, key) for label, key in events), initial="start"),
            FormField("date", "Date", "date"),
        ),
        submit_label="Record",
    )


def awaiting_reply_form(prefill: Mapping[str, str] | None = None) -> Form:
    """Track a message that needs a reply: who owes it, when it arrived, who it is from."""
    values = dict(prefill or {})
    return Form(
        REPLY_FORM,
        "Needs a reply",
        (
            FormField("staff_id", "Who owes the reply", "staff", initial=values.get("staff_id")),
            FormField("date", "Received", "date", initial=values.get("date")),
            FormField("sender", "From", "text", required=False, initial=values.get("sender"), max_length=200,
                      hint="A name or role; never a child's name"),
        ),
        submit_label="Track",
        context=values.get("context", ""),
    )


def _form_reply(form: Form) -> Reply:
    return Reply(parts=(FormPart(form),), summary=form.title, ephemeral=True)


def _supervision(app, request: Request, rest: str) -> Reply:
    if not request.staff_id:
        return _unknown_user()
    if not rest:
        return _form_reply(supervision_form())
    words = rest.split()
    usage = "supervision STAFF_ID [YYYY-MM-DD] [case|welfare|group]"
    values = {"staff_id": _staff_word(words, usage), "date": request.now.date().isoformat(), "kind": "case"}
    for word in words:
        if word.lower() in SUPERVISION_KINDS:
            values["kind"] = word.lower()
        else:
            values["date"] = parse_day(word, request.now.date()).isoformat()
    return record_supervision(app, request, values)


def record_supervision(app, request: Request, values: Mapping[str, str]) -> Reply:
    """Store a supervision the asker held, from form or parsed values (staff_id, date, kind)."""
    record = _feature("supervision", "record_supervision")
    due_for = _feature("supervision", "supervision_due_for")
    today = request.now.date()
    with _field_names({"by": "staff_id", "kind": "kind"}):
        staff_id = _required(values, "staff_id", "choose who was supervised")
        held = parse_day(values.get("date") or today.isoformat(), today)
        kind = (values.get("kind") or "case").strip().lower()
        if kind not in SUPERVISION_KINDS:
            raise InvalidInput("kind: choose case, welfare or group", field="kind")
        with app.db.unit() as session:
            name = _check_may_record(app, session, request, staff_id)
            record(session, staff_id, held, today, kind=kind, supervisor_id=request.staff_id)
            next_due = due_for(session, staff_id, app.policy, app.calendar, today)
            text = f"{kind.title()} supervision with {name} on {held:%a %d %b %Y} recorded."
            if next_due is not None:
                text += f" The next one is due by {next_due:%a %d %b %Y}."
            return Reply.text(text, ephemeral=True)


def _absence(app, request: Request, rest: str) -> Reply:
    if not request.staff_id:
        return _unknown_user()
    if not rest:
        return _form_reply(absence_form())
    words = rest.split()
    usage = "absence STAFF_ID start|update|fit-note|returned [YYYY-MM-DD]"
    staff_id = _staff_word(words, usage)
    if not words or words[0].lower() not in ABSENCE_EVENTS:
        raise InvalidInput(f"say what happened: {usage}", field="event")
    event = ABSENCE_EVENTS[words.pop(0).lower()]
    day = parse_day(words[0], request.now.date()) if words else request.now.date()
    return record_absence(app, request, {"staff_id": staff_id, "event": event, "date": day.isoformat()})


def record_absence(app, request: Request, values: Mapping[str, str]) -> Reply:
    """Store an absence event from form or parsed values (staff_id, event, date)."""
    today = request.now.date()
    with _field_names({"start": "date", "returned": "date"}):
        staff_id = _required(values, "staff_id", "choose who is absent")
        raw_event = (values.get("event") or "").strip().lower()
        event = ABSENCE_EVENTS.get(raw_event, raw_event)
        if event not in set(ABSENCE_EVENTS.values()):
            raise InvalidInput("event: choose start, update, fit-note or returned", field="event")
        day = parse_day(values.get("date") or today.isoformat(), today)
        with app.db.unit() as session:
            name = _check_may_record(app, session, request, staff_id)
            if event == "start":
                _feature("absence", "record_absence")(session, staff_id, day, today)
            else:
                _feature("absence", "record_absence_event")(session, staff_id, event, day, today)
            label = ABSENCE_LABELS[event]
            return Reply.text(f"{label} for {name} on {day:%a %d %b %Y} recorded.", ephemeral=True)


def _awaiting_reply(app, request: Request, rest: str) -> Reply:
    if not request.staff_id:
        return _unknown_user()
    if not rest:
        return _form_reply(awaiting_reply_form({"staff_id": request.staff_id, "date": request.now.date().isoformat()}))
    sender = ""
    if re.search(r"\bfrom\b", rest, re.IGNORECASE):
        rest, sender = re.split(r"\bfrom\b", rest, maxsplit=1, flags=re.IGNORECASE)
    words = rest.split()
    values = {"staff_id": _staff_word(words, "awaiting reply STAFF_ID [YYYY-MM-DD] [from WHO]"),
              "date": request.now.date().isoformat(), "sender": sender.strip()}
    if words:
        values["date"] = parse_day(words[0], request.now.date()).isoformat()
    return track_message(app, request, values)


def track_message(app, request: Request, values: Mapping[str, str], on_tracked: Callable | None = None) -> Reply:
    """Track a message that needs a reply (staff_id owes it, date received, sender label).

    `on_tracked(session, message_id)` runs in the same unit of work, so an adapter can remember where the
    message lives (e.g. its Slack thread) atomically with the record.
    """
    track = _feature("replies", "track_message")
    public_id = _feature("replies", "format_message_id")
    today = request.now.date()
    with _field_names({"received": "date", "from": "sender"}):
        staff_id = _required(values, "staff_id", "choose who owes the reply")
        received = parse_day(values.get("date") or today.isoformat(), today)
        sender = (values.get("sender") or "").strip() or None
        with app.db.unit() as session:
            name = _check_may_record(app, session, request, staff_id)
            row = track(session, staff_id, received, today, sender=sender)
            if on_tracked is not None:
                on_tracked(session, row.id)
            due = app.calendar.add_working_days(received, app.policy.messages.reply_within_working_days)
            text = f"Tracking {public_id(row.id)}: a reply owed by {name} (received {received:%a %d %b}). Reply by {due:%a %d %b}."
            button = Button("Mark as replied", "message.replied", value=public_id(row.id), style="primary")
            return Reply(parts=(Text(text), Actions((button,))), summary=text, ephemeral=True)


def _check_may_record(app, session, request: Request, staff_id: str) -> str:
    """The person's name, if the asker may keep records about them (themselves, their line reports, admins)."""
    from handlers.org import can_view, get_staff

    person = get_staff(session, staff_id)
    if not can_view(session, request.staff_id, staff_id, app.settings.admin_ids):
        raise InvalidInput(f"staff_id: you can only keep records for yourself and the people you manage", field="staff_id")
    return person.name


@contextmanager
def _field_names(renames: Mapping[str, str]):
    """Rename a handler's error fields to this flow's form fields (e.g. `start` -> `date`)."""
    try:
        yield
    except InvalidInput as exc:
        if exc.errors:
            exc.errors = {renames.get(name, name): message for name, message in exc.errors.items()}
        if exc.field:
            exc.field = renames.get(exc.field, exc.field)
        raise


def _required(values: Mapping[str, str], name: str, message: str) -> str:
    value = (values.get(name) or "").strip()
    if not value:
        raise InvalidInput(f"{name}: {message}", field=name)
    return value


# ---- forms and buttons --------------------------------------------------------------------------


def submit_form(app, request: Request, form_id: str, values: Mapping[str, str]) -> Reply:
    """Store a submitted form; InvalidInput(errors={field: message}) when fields need fixing."""
    if not request.staff_id:
        return _unknown_user()
    try:
        if form_id == "decision.form":
            submit = _feature("decisions", "submit_decision")
            with app.db.unit() as session:
                return submit(session, app.policy, app.calendar, request, values)
        if form_id == SUPERVISION_FORM:
            return record_supervision(app, request, values)
        if form_id == ABSENCE_FORM:
            return record_absence(app, request, values)
        if form_id == REPLY_FORM:
            return track_message(app, request, values)
        if form_id in ("agenda.item_form", "agenda.action_form"):
            submit = _feature("agenda", "submit_agenda_item")
            with app.db.unit() as session:
                return submit(session, request.staff_id, form_id, values, values.get("context", ""), request.now.date(),
                              app.policy, app.calendar)
    except FeatureMissing:
        return _not_available()
    raise InvalidInput(f"unknown form {form_id!r}", field="form_id")


def open_form(app, form_id: str, context: str = "", prefill: Mapping[str, str] | None = None) -> Form:
    """The form with this id (a "fill in the form" button re-opens it on platforms that need a fresh trigger)."""
    if form_id == "decision.form":
        return oversight_form(app, prefill)
    if form_id == SUPERVISION_FORM:
        return supervision_form()
    if form_id == ABSENCE_FORM:
        return absence_form()
    if form_id == REPLY_FORM:
        return awaiting_reply_form({**(prefill or {}), "context": context})
    if form_id in ("agenda.item_form", "agenda.action_form"):
        action_id = "agenda.add_item" if form_id == "agenda.item_form" else "agenda.add_action"
        return _feature("agenda", "agenda_item_form")(action_id, context)
    raise InvalidInput(f"unknown form {form_id!r}", field="form_id")


def ask(app, request: Request) -> Reply:
    """Answer a question from the standards, whatever its first word (Slack's `/standard`)."""
    text = (request.text or "").strip()
    if not text:
        return Reply.text("Ask a question about the standards, e.g. `/standard how often is supervision for an NQSW?`",
                          ephemeral=True)
    return _ask(app, request, text)


def handle_action(app, request: Request, action_id: str, value: str) -> Reply | None:
    """A pressed button, by namespace; None when there is nothing to say (e.g. a plain link button)."""
    namespace = action_id.split(".", 1)[0]
    try:
        if namespace == "answer":
            return _answer_action(app, request, action_id, value)
        if not request.staff_id:
            return _unknown_user()
        if action_id == "decision.mark_recorded":
            mark = _feature("decisions", "mark_recorded")
            with app.db.unit() as session:
                return mark(session, value, request.staff_id, request.now, app.policy.decisions.case_system,
                            admin_ids=app.settings.admin_ids)
        if action_id == "decision.open_form":
            return Reply(parts=(FormPart(oversight_form(app)),), summary="Oversight decision", ephemeral=True)
        if namespace == "nudge":
            apply = _feature("digest", "apply_nudge_action")
            with app.db.unit() as session:
                return apply(session, request.staff_id, action_id, value, request.now.date(), app.calendar,
                             policy=app.policy, knowledge=_knowledge_or_none(app))
        if action_id == "message.replied":
            return mark_replied(app, request, value)
        if action_id in ("agenda.add_item", "agenda.add_action"):
            return _feature("agenda", "agenda_form_reply")(action_id, value)
        if action_id == "agenda.action_done":
            done = _feature("agenda", "mark_action_done")
            with app.db.unit() as session:
                return done(session, request.staff_id, value)
        if action_id == "week.refresh":
            return my_week(app, request)
    except FeatureMissing:
        return _not_available()
    return None


def mark_replied(app, request: Request, message_id: str) -> Reply:
    """Close a tracked message (the "replied" button, or a reply in its thread) as answered today."""
    get_message = _feature("replies", "get_message")
    mark = _feature("replies", "mark_message_answered")
    public_id = _feature("replies", "format_message_id")
    from handlers.errors import Forbidden
    from handlers.org import can_view

    today = request.now.date()
    with app.db.unit() as session:
        row = get_message(session, message_id)
        if not can_view(session, request.staff_id, row.owner_id, app.settings.admin_ids):
            raise Forbidden(f"{request.staff_id} may not close {public_id(row.id)}")
        already = row.answered_on is not None
        mark(session, message_id, max(today, row.received_on), staff_id=request.staff_id)
        if already:
            return Reply.text(f"{public_id(row.id)} was already marked as replied on {row.answered_on:%a %d %b}.", ephemeral=True)
        return Reply.text(f"{public_id(row.id)} marked as replied. Thank you.", ephemeral=True)


def _knowledge_or_none(app):
    try:
        return app.knowledge
    except Exception:  # noqa: BLE001 - the knowledge base is optional for reminders
        return None


def _answer_action(app, request: Request, action_id: str, value: str) -> Reply | None:
    if action_id in ("answer.helpful", "answer.not_helpful"):
        passage_id, _, question = (value or "").partition("|")
        record = _feature("ask", "record_feedback")
        with app.db.unit() as session:
            record(session, passage_id, action_id == "answer.helpful", question or None, request.now, policy=app.policy)
        return Reply.text("Thanks, your feedback helps the standards' owners." if action_id == "answer.helpful"
                          else "Thanks. I've passed this to the standards' owners; try rephrasing your question.",
                          ephemeral=True)
    if action_id == "answer.more":
        return more_result(app, request, value)
    return None

