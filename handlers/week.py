"""The manager's week (Slack App Home, Teams): what is due for them over the coming working week."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from handlers.calendar import WorkingCalendar
from handlers.nudges import nudges_for_day, sort_key
from handlers.org import get_staff
from handlers.policy import Policy
from handlers.types import Item, ItemList, Nudge, Reply, Text

WEEK_WORKING_DAYS = 5
_SECTIONS = (
    ("Supervisions due", ("supervision_overdue", "supervision_due", "supervision_notes_due"), "No supervisions due this week."),
    ("Absences and return-to-work meetings", ("absence_checkin", "return_to_work"), "Nobody in your team is off."),
    ("Replies owed", ("message_unanswered",), "No replies owed."),
    ("Decisions to record", ("decision_unrecorded",), "No decisions waiting to be recorded."),
)


def week_days(today: date, calendar: WorkingCalendar) -> list[date]:
    """Today (if a working day) and the working days after it, five in all."""
    days = [calendar.on_or_after(today)]
    while len(days) < WEEK_WORKING_DAYS:
        days.append(calendar.next_working_day(days[-1]))
    return days


def nudges_for_week(session: Session, policy: Policy, calendar: WorkingCalendar, staff_id: str, today: date) -> list[Nudge]:
    """`staff_id`'s nudges over the coming working week, each item once (at its first appearance)."""
    seen: dict[tuple[str, str], Nudge] = {}
    for day in week_days(today, calendar):
        for nudge in nudges_for_day(session, policy, calendar, day):
            if nudge.recipient == staff_id:
                seen.setdefault((nudge.kind, nudge.subject), nudge)
    return sorted(seen.values(), key=sort_key)


def _item(nudge: Nudge) -> Item:
    return Item(text=nudge.detail, detail=nudge.cite)


def manager_week(session: Session, policy: Policy, calendar: WorkingCalendar, staff_id: str, today: date) -> Reply:
    """Supervisions due, absences and their next check-in, replies owed, decisions to record, other actions."""
    person = get_staff(session, staff_id)
    nudges = nudges_for_week(session, policy, calendar, staff_id, today)
    parts: list = [Text(f"Your week from {today:%A %d %B %Y}", style="heading")]
    placed: set[int] = set()
    for title, kinds, empty in _SECTIONS:
        chosen = [n for n in nudges if n.kind in kinds]
        placed.update(id(n) for n in chosen)
        parts.append(ItemList(title=title, items=tuple(_item(n) for n in chosen), empty_text=empty))
    rest = [n for n in nudges if id(n) not in placed]
    parts.append(
        ItemList(title="Actions due", items=tuple(_item(n) for n in rest), empty_text="No other actions due this week.")
    )
    summary = f"{len(nudges)} item(s) for {person.name} this week" if nudges else f"Nothing due for {person.name} this week"
    return Reply(parts=tuple(parts), summary=summary, ephemeral=True)
