"""Messages awaiting a reply: track them, mark them answered, and nudge whoever owes the reply."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.storage.models.people import AwaitingReply
from handlers.calendar import WorkingCalendar
from handlers.errors import InvalidInput, NotFound
from handlers.org import Roster, get_staff
from handlers.policy import Policy
from handlers.rules import cite_full, cite_label, reply_status
from handlers.supervision import with_escalation, check_past_date
from handlers.types import Nudge

_MESSAGE_ID = re.compile(r"^\s*(?:M-?)?0*(\d{1,12})\s*$", re.IGNORECASE)
MAX_SENDER = 200


def format_message_id(pk: int) -> str:
    """The public id of a tracked message, as users type it (`M-000123`)."""
    return f"M-{pk:06d}"


def parse_message_id(value: str) -> int:
    """The row id behind a public message id (`M-000123`, `M-123`, `m123` or `123`)."""
    match = _MESSAGE_ID.match(value or "")
    if not match or int(match.group(1)) == 0:
        raise InvalidInput(f"{value!r} is not a message id like M-000123", field="message_id")
    return int(match.group(1))


def track_message(
    session: Session,
    owner_id: str,
    received_on: date,
    today: date,
    sender: str | None = None,
    answered_on: date | None = None,
) -> AwaitingReply:
    """Track a message `owner_id` must reply to; `sender` is a short label such as a role, never the text."""
    get_staff(session, owner_id)
    check_past_date(received_on, today, "received", "received date")
    if answered_on is not None:
        check_past_date(answered_on, today, "answered", "answered date")
        if answered_on < received_on:
            raise InvalidInput("a message cannot be answered before it was received", field="answered")
    label = (sender or "").strip() or None
    if label is not None and len(label) > MAX_SENDER:
        raise InvalidInput(f"--from is too long (at most {MAX_SENDER} characters)", field="from")
    row = AwaitingReply(owner_id=owner_id, sender=label, received_on=received_on, answered_on=answered_on)
    session.add(row)
    session.flush()
    return row


def get_message(session: Session, message_id: str) -> AwaitingReply:
    row = session.get(AwaitingReply, parse_message_id(message_id))
    if row is None:
        raise NotFound(f"unknown message id {message_id!r}", field="message_id")
    return row


def mark_message_answered(
    session: Session, message_id: str, answered_on: date, staff_id: str | None = None, today: date | None = None
) -> AwaitingReply:
    """Record that a tracked message was answered on `answered_on` (idempotent: the first answer stands)."""
    row = get_message(session, message_id)
    if today is not None:
        check_past_date(answered_on, today, "date", "answered date")
    if answered_on < row.received_on:
        raise InvalidInput(
            f"{format_message_id(row.id)} was received on {row.received_on.isoformat()}; it cannot be answered before that",
            field="date",
        )
    if row.answered_on is None:
        row.answered_on = answered_on
        session.flush()
    return row


def replies_owed(session: Session, owner_id: str, day: date) -> list[AwaitingReply]:
    """Messages `owner_id` has not answered by `day`, oldest first."""
    return list(
        session.scalars(
            select(AwaitingReply)
            .where(
                AwaitingReply.owner_id == owner_id,
                AwaitingReply.received_on <= day,
                or_(AwaitingReply.answered_on.is_(None), AwaitingReply.answered_on > day),
            )
            .order_by(AwaitingReply.received_on, AwaitingReply.id)
        )
    )


def reply_nudges(session: Session, policy: Policy, calendar: WorkingCalendar, day: date, roster: Roster) -> list[Nudge]:
    """`message_unanswered` nudges from the reply deadline on; an absent owner's replies go to their manager."""
    rules = policy.messages
    rows = session.execute(
        select(AwaitingReply.id, AwaitingReply.owner_id, AwaitingReply.received_on)
        .where(
            AwaitingReply.received_on <= day,
            or_(AwaitingReply.answered_on.is_(None), AwaitingReply.answered_on > day),
        )
        .order_by(AwaitingReply.id)
    ).all()
    nudges: list[Nudge] = []
    for pk, owner_id, received_on in rows:
        status = reply_status(received_on, None, day, rules.reply_within_working_days, calendar)
        if day < status.due:
            continue
        recipient = roster.acting(owner_id)
        if recipient is None:
            continue
        public_id = format_message_id(pk)
        cover = "" if recipient == owner_id else f" on behalf of {roster.name(owner_id)} (absent or left)"
        when = "due today" if day == status.due else f"overdue since {status.due:%a %d %b}"
        nudge = Nudge(
            recipient=recipient,
            kind="message_unanswered",
            subject=public_id,
            due=status.due,
            detail=(
                f"Reply to message {public_id} received {received_on:%a %d %b}{cover}: {when} "
                f"({rules.reply_within_working_days} working days; {cite_label(rules.cite)})"
            ),
            cite=cite_full(rules.cite),
            query=rules.cite.query if rules.cite else "",
        )
        nudges.extend(with_escalation(nudge, roster, policy, calendar, day))
    return nudges
