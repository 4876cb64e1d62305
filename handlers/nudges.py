"""The nudge engine: every item someone must act on, on one day, from the policy's rules and the records.

A fixed number of queries per day whatever the size of the organisation: the roster (staff and who is off),
one grouped query per record type, then pure rules from `handlers.rules` per person in memory.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from handlers.absence import absence_nudges
from handlers.calendar import WorkingCalendar
from handlers.org import load_roster
from handlers.policy import Policy
from handlers.replies import reply_nudges
from handlers.supervision import notes_nudges, review_nudges, supervision_nudges
from handlers.types import Nudge

KIND_ORDER = (
    "absence_checkin",
    "return_to_work",
    "message_unanswered",
    "supervision_overdue",
    "supervision_due",
    "supervision_notes_due",
    "decision_unrecorded",
    "agreement_review_due",
    "observation_due",
    "pdr_due",
    "decision_action_due",
)


def _decision_nudges(session: Session, policy: Policy, calendar: WorkingCalendar, day: date) -> list[Nudge]:
    try:
        from handlers.decisions import decision_nudges  # noqa: PLC0415 - owned by the decisions feature
    except ImportError:
        return []
    return list(decision_nudges(session, policy, calendar, day))


def sort_key(nudge: Nudge) -> tuple:
    """Recipient, then the most pressing kinds first, then the oldest due date."""
    rank = KIND_ORDER.index(nudge.kind) if nudge.kind in KIND_ORDER else len(KIND_ORDER)
    return (nudge.recipient, rank, nudge.kind, nudge.due, nudge.subject, nudge.detail)


def nudges_for_day(session: Session, policy: Policy, calendar: WorkingCalendar, day: date) -> list[Nudge]:
    """Every nudge due on `day`: supervision, reviews, replies, absence and decisions, in a stable order."""
    roster = load_roster(session, day)
    nudges: list[Nudge] = []
    nudges += absence_nudges(session, policy, calendar, day, roster)
    nudges += reply_nudges(session, policy, calendar, day, roster)
    nudges += supervision_nudges(session, policy, calendar, day, roster)
    nudges += notes_nudges(session, policy, calendar, day, roster)
    nudges += review_nudges(session, policy, calendar, day, roster)
    nudges += _decision_nudges(session, policy, calendar, day)
    unique: dict[tuple[str, str, str], Nudge] = {}
    for nudge in sorted(nudges, key=sort_key):
        unique.setdefault((nudge.recipient, nudge.kind, nudge.subject), nudge)
    return list(unique.values())


def nudges_by_recipient(nudges: list[Nudge]) -> dict[str, list[Nudge]]:
    grouped: dict[str, list[Nudge]] = {}
    for nudge in nudges:
        grouped.setdefault(nudge.recipient, []).append(nudge)
    return grouped
