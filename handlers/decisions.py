"""Oversight decisions (issue 4). Placeholder until the feature lands."""

from __future__ import annotations

from datetime import date

from handlers.types import Nudge


def decision_nudges(session, policy, calendar, day: date) -> list[Nudge]:
    """`decision_unrecorded` and action-due nudges for `day` (filled in by the decisions feature)."""
    return []
