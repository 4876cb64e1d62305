"""Daily digests: what goes in a person's digest, how it reads, and what its buttons do.

The scheduler (scheduler/digests.py) decides when and to whom; this module decides the content:
the repeat cap and nudge state (done, snoozed) as pure rules, the neutral reply, the button actions,
and the person's own digest settings (time, pause while on leave).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.base import utcnow
from bot.storage.models.scheduler import DigestSettings, NudgeLogEntry, NudgeState
from handlers.calendar import WorkingCalendar
from handlers.errors import InvalidInput
from handlers.policy import DigestPolicy, Policy
from handlers.types import Button, Item, ItemList, Nudge, PassagePart, Reply, Text

ABSENCE_KINDS = frozenset({"absence_checkin", "return_to_work"})

# Reading order and headings of a digest; unknown kinds follow under their own name.
KIND_HEADINGS: Mapping[str, str] = {
    "supervision_overdue": "Supervision overdue",
    "supervision_due": "Supervision due",
    "supervision_notes_due": "Supervision notes to record",
    "message_unanswered": "Replies owed",
    "decision_unrecorded": "Decisions to record",
    "decision_action_due": "Decision actions due",
    "agreement_review_due": "Supervision agreements to review",
    "observation_due": "Observations of practice due",
    "pdr_due": "Appraisals (PDR) due",
    "absence_checkin": "Keeping in touch (only you see this)",
    "return_to_work": "Return to work (only you see this)",
}

NUDGE_ACTIONS = ("nudge.done", "nudge.snooze_tomorrow", "nudge.snooze_week", "nudge.open_standard")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


# ---- pure rules -------------------------------------------------------------------------------


def repeat_is_due(last_sent: date | None, day: date, calendar: WorkingCalendar, every_working_days: int) -> bool:
    """The repeat cap: an item shows the first time, then only once `every_working_days` have passed."""
    if last_sent is None:
        return True
    return calendar.working_days_between(last_sent, day) >= every_working_days


def include_in_digest(
    nudge: Nudge,
    day: date,
    calendar: WorkingCalendar,
    policy: DigestPolicy,
    *,
    last_sent: date | None,
    state: NudgeState | None,
) -> bool:
    """Whether a nudge belongs in `day`'s digest, given its log and what the person did with it.

    Done items never come back; snoozed items are silent until their date and then come back that day even
    if the repeat cap would hold them; absence items never go to the absent person unless the policy says so.
    """
    if nudge.kind in ABSENCE_KINDS and nudge.recipient == nudge.subject and not policy.notify_absent_person:
        return False
    if state is not None and state.done_at is not None:
        return False
    if state is not None and state.snoozed_until is not None:
        if day < state.snoozed_until:
            return False
        if last_sent is None or last_sent < state.snoozed_until:
            return True
    return repeat_is_due(last_sent, day, calendar, policy.repeat_every_working_days)


def parse_time(value: str, field: str = "time") -> str:
    """A clock time as HH:MM, or InvalidInput naming the field."""
    match = _TIME.match(value.strip())
    if not match:
        raise InvalidInput(f"{field}: {value.strip()!r} is not a time like 08:30", field=field)
    return f"{int(match.group(1)):02d}:{match.group(2)}"


# ---- the digest filter over stored state --------------------------------------------------------


def apply_state_and_cap(
    session: Session, nudges: Iterable[Nudge], policy: Policy, calendar: WorkingCalendar, day: date
) -> list[Nudge]:
    """Keep the nudges that belong in `day`'s digests (nudge state, repeat cap, absence privacy)."""
    nudges = list(nudges)
    if not nudges:
        return []
    recipients = {n.recipient for n in nudges}
    last_sent: dict[tuple[str, str, str, date], date] = {}
    for recipient_chunk in _chunks(sorted(recipients), 500):
        rows = session.execute(
            select(NudgeLogEntry.recipient, NudgeLogEntry.kind, NudgeLogEntry.subject, NudgeLogEntry.due, NudgeLogEntry.day)
            .where(NudgeLogEntry.recipient.in_(recipient_chunk), NudgeLogEntry.day < day)
        )
        for recipient, kind, subject, due, sent_day in rows:
            key = (recipient, kind, subject, due)
            if key not in last_sent or sent_day > last_sent[key]:
                last_sent[key] = sent_day
    states: dict[tuple[str, str, str, date], NudgeState] = {}
    for recipient_chunk in _chunks(sorted(recipients), 500):
        for state in session.scalars(select(NudgeState).where(NudgeState.recipient.in_(recipient_chunk))):
            states[(state.recipient, state.kind, state.subject, state.due)] = state
    kept = []
    for nudge in nudges:
        key = (nudge.recipient, nudge.kind, nudge.subject, nudge.due)
        if include_in_digest(nudge, day, calendar, policy.digest, last_sent=last_sent.get(key), state=states.get(key)):
            kept.append(nudge)
    return kept


def _chunks(values: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ---- rendering --------------------------------------------------------------------------------


def nudge_value(nudge: Nudge) -> str:
    """The button value naming a nudge: `kind|subject|due` (short, well under Slack's 2000 characters)."""
    return f"{nudge.kind}|{nudge.subject}|{nudge.due.isoformat()}"


_QUERY_LIMIT = 200


def open_standard_value(nudge: Nudge) -> str:
    """The "Open the standard" button value: `kind|subject|due`, plus `|query` when the nudge names its passage."""
    query = " ".join((nudge.query or "").replace("|", " ").split())[:_QUERY_LIMIT]
    return nudge_value(nudge) + (f"|{query}" if query else "")


def _split_value(value: str) -> tuple[str, str, date, str]:
    parts = (value or "").split("|", 3)
    if len(parts) not in (3, 4) or not parts[0] or not parts[1]:
        raise InvalidInput("this button does not name a reminder", field="value")
    try:
        due = date.fromisoformat(parts[2])
    except ValueError:
        raise InvalidInput("this button does not name a reminder", field="value") from None
    return parts[0], parts[1], due, (parts[3].strip() if len(parts) == 4 else "")


def parse_nudge_value(value: str) -> tuple[str, str, date]:
    """The (kind, subject, due) a button value names, or InvalidInput."""
    kind, subject, due, _query = _split_value(value)
    return kind, subject, due


def nudge_buttons(nudge: Nudge) -> tuple[Button, ...]:
    value = nudge_value(nudge)
    return (
        Button("Done", "nudge.done", value, style="primary"),
        Button("Tomorrow", "nudge.snooze_tomorrow", value),
        Button("Next week", "nudge.snooze_week", value),
        Button("Open the standard", "nudge.open_standard", open_standard_value(nudge)),
    )


def kind_heading(kind: str) -> str:
    """The digest section heading of a nudge kind (a kind without one reads as its own name)."""
    return KIND_HEADINGS.get(kind, kind.replace("_", " ").capitalize())


def render_digest(nudges: Iterable[Nudge], day: date | None = None, more: int = 0) -> Reply:
    """One person's digest: grouped by kind, each item naming its standard, with done/snooze/open buttons.

    `more` counts items held back for later digests (the policy's `max_items`), so the reader knows.
    """
    nudges = list(nudges)
    order = list(KIND_HEADINGS)
    by_kind: dict[str, list[Nudge]] = {}
    for nudge in nudges:
        by_kind.setdefault(nudge.kind, []).append(nudge)
    kinds = sorted(by_kind, key=lambda k: (order.index(k) if k in order else len(order), k))
    when = f" for {day.strftime('%A')} {day.day} {day.strftime('%B')}" if day else ""
    count = len(nudges)
    summary = f"{count} reminder{'s' if count != 1 else ''} from the standards{when}"
    parts: list = [Text(f"Your standards digest{when}", style="heading")]
    if not nudges:
        parts.append(Text("Nothing needs you today."))
    for kind in kinds:
        items = tuple(
            Item(
                text=n.detail,
                detail=(f"{n.cite}; due {n.due.isoformat()}" if n.cite else f"due {n.due.isoformat()}"),
                buttons=nudge_buttons(n),
            )
            for n in sorted(by_kind[kind], key=lambda n: (n.due, n.subject))
        )
        parts.append(ItemList(title=kind_heading(kind), items=items))
    if more:
        parts.append(Text(f"{more} more item{'s' if more != 1 else ''} will follow in your next digests.", style="muted"))
    parts.append(Text("Snoozed items come back on the day you chose. Change your digest time or pause it with `settings`.", style="muted"))
    return Reply(parts=tuple(parts), summary=summary)


# ---- button actions ---------------------------------------------------------------------------


def _state(session: Session, staff_id: str, kind: str, subject: str, due: date) -> NudgeState:
    state = session.scalar(
        select(NudgeState).where(
            NudgeState.recipient == staff_id, NudgeState.kind == kind, NudgeState.subject == subject, NudgeState.due == due
        )
    )
    if state is None:
        state = NudgeState(recipient=staff_id, kind=kind, subject=subject, due=due)
        session.add(state)
    return state


def next_week(day: date, calendar: WorkingCalendar) -> date:
    """The first working day of the week after `day`'s."""
    return calendar.on_or_after(day + timedelta(days=7 - day.weekday()))


def apply_nudge_action(
    session: Session,
    staff_id: str,
    action_id: str,
    value: str,
    today: date,
    calendar: WorkingCalendar,
    *,
    policy: Policy | None = None,
    knowledge=None,
) -> Reply:
    """Handle a digest button (`nudge.done`, `nudge.snooze_tomorrow`, `nudge.snooze_week`, `nudge.open_standard`).

    State is keyed by the person who clicked, so a person can only change their own reminders.
    """
    if action_id not in NUDGE_ACTIONS:
        raise InvalidInput(f"unknown reminder action {action_id!r}", field="action_id")
    kind, subject, due, query = _split_value(value)
    if action_id == "nudge.open_standard":
        return _open_standard(kind, policy, knowledge, query)
    state = _state(session, staff_id, kind, subject, due)
    if action_id == "nudge.done":
        state.done_at = utcnow()
        state.snoozed_until = None
        _mark_underlying_done(session, staff_id, kind, subject, today)
        return Reply.text("Marked as done. It will not appear in your digest again.", ephemeral=True)
    until = calendar.next_working_day(today) if action_id == "nudge.snooze_tomorrow" else next_week(today, calendar)
    state.snoozed_until = until
    state.done_at = None
    return Reply.text(
        f"Snoozed until {until.strftime('%A')} {until.day} {until.strftime('%B')}; it comes back in that day's digest.",
        ephemeral=True,
    )


def _mark_underlying_done(session: Session, staff_id: str, kind: str, subject: str, today: date) -> None:
    """Done on a reply owed also records the message as answered, when the person pressing owes it."""
    if kind != "message_unanswered":
        return
    try:
        from handlers.replies import get_message, mark_message_answered
    except ImportError:
        return
    try:
        if get_message(session, subject).owner_id == staff_id:
            mark_message_answered(session, subject, today, staff_id=staff_id, today=today)
    except InvalidInput:
        return  # not a tracked message (or already settled): the nudge state alone records "done"


# The policy section whose `cite` a kind falls back on when its button carries no query of its own.
KIND_SECTIONS: Mapping[str, str] = {
    "supervision_due": "supervision",
    "supervision_overdue": "supervision",
    "message_unanswered": "messages",
    "absence_checkin": "absence",
    "return_to_work": "absence",
    "decision_unrecorded": "decisions",
    "decision_action_due": "decisions",
    "supervision_notes_due": "recording",
    "agreement_review_due": "agreements",
    "observation_due": "observations",
    "pdr_due": "appraisals",
}


def _open_standard(kind: str, policy: Policy | None, knowledge, query: str = "") -> Reply:
    """The passage behind a reminder: the nudge's own query (its rule's cite), else its policy section's."""
    cite = None
    if policy is not None and kind in KIND_SECTIONS:
        cite = getattr(getattr(policy, KIND_SECTIONS[kind], None), "cite", None)
    if query and cite is not None and cite.query != query:
        cite = None  # the nudge's own rule (e.g. the NQSW timetable) is not the section's general one
    query = query or (cite.query if cite and cite.query else kind.replace("_", " "))
    if knowledge is not None and hasattr(knowledge, "search"):
        try:
            results = knowledge.search(query, limit=1)
        except TypeError:
            results = knowledge.search(query)
        if results:
            first = results[0]
            passage = getattr(first, "passage", first)
            return Reply(parts=(PassagePart(passage),), summary=getattr(passage, "title", query), ephemeral=True)
    where = f"{cite.document}, {cite.section}" if cite else "the standards"
    return Reply.text(f"This reminder comes from {where}. Ask `/standard {query}` to read the passage.", ephemeral=True)


# ---- personal settings ------------------------------------------------------------------------


def effective_send_time(settings: DigestSettings | None, policy: Policy) -> str:
    return settings.send_time if settings is not None and settings.send_time else policy.digest.send_time


def is_paused(settings: DigestSettings | None, day: date) -> bool:
    return settings is not None and settings.paused_until is not None and day <= settings.paused_until


def _settings_row(session: Session, staff_id: str) -> DigestSettings:
    from handlers.org import get_staff

    get_staff(session, staff_id)
    row = session.get(DigestSettings, staff_id)
    if row is None:
        row = DigestSettings(staff_id=staff_id)
        session.add(row)
    return row


def set_digest_time(session: Session, staff_id: str, value: str | None) -> DigestSettings:
    """Set the person's digest time (HH:MM in the organisation's time zone); None goes back to the policy's."""
    row = _settings_row(session, staff_id)
    row.send_time = parse_time(value) if value else None
    return row


def pause_digests(session: Session, staff_id: str, until: date, today: date) -> DigestSettings:
    """Pause digests up to and including `until` (e.g. the last day of leave)."""
    if until < today:
        raise InvalidInput(f"until: {until.isoformat()} is in the past", field="until")
    row = _settings_row(session, staff_id)
    row.paused_until = until
    return row


def resume_digests(session: Session, staff_id: str) -> DigestSettings:
    row = _settings_row(session, staff_id)
    row.paused_until = None
    return row


SETTINGS_HELP = (
    "settings: show your digest settings\n"
    "settings time 09:15: get your daily digest at 09:15 (settings time default: the policy's time)\n"
    "settings pause 2026-12-04: no digests up to and including that day (while on leave)\n"
    "settings resume: digests again from the next working day"
)


def settings(session: Session, staff_id: str, args: str, today: date, policy: Policy) -> Reply:
    """`/standards-bot settings ...` (Slack) and `settings ...` (Teams): show or change digest time and pause."""
    words = (args or "").split()
    if words and words[0].lower() == "settings":
        words = words[1:]
    command = words[0].lower() if words else ""
    if command == "time" and len(words) == 2:
        set_digest_time(session, staff_id, None if words[1].lower() == "default" else words[1])
    elif command == "pause" and len(words) in (2, 3):
        raw = words[-1]
        try:
            until = date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(f"until: {raw!r} is not a date in YYYY-MM-DD form", field="until") from None
        pause_digests(session, staff_id, until, today)
    elif command == "resume" and len(words) == 1:
        resume_digests(session, staff_id)
    elif command in ("", "show"):
        from handlers.org import get_staff

        get_staff(session, staff_id)
    elif command == "help":
        return Reply.text(SETTINGS_HELP, ephemeral=True)
    else:
        raise InvalidInput("I did not understand that. " + SETTINGS_HELP, field="settings")
    session.flush()
    row = session.get(DigestSettings, staff_id)
    lines = [f"Your daily digest comes at {effective_send_time(row, policy)} on working days."]
    if is_paused(row, today) or (row is not None and row.paused_until and row.paused_until >= today):
        until = row.paused_until
        lines.append(f"Paused up to and including {until.strftime('%A')} {until.day} {until.strftime('%B %Y')}.")
    return Reply(
        parts=(Text("\n".join(lines)), Text(SETTINGS_HELP, style="muted")),
        summary=lines[0],
        ephemeral=True,
    )
