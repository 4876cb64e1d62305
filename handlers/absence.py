"""Sickness absence: record the start, the day-4 update, the fit note, the return and the return-to-work meeting."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.storage.models.people import Absence
from handlers.calendar import WorkingCalendar
from handlers.errors import InvalidInput, NotFound
from handlers.org import Roster, get_staff
from handlers.policy import Policy
from handlers.rules import absence_steps_outstanding, cite_full, cite_label
from handlers.supervision import check_past_date, with_escalation
from handlers.types import Nudge

ABSENCE_EVENTS = ("update", "fit_note", "returned", "rtw_meeting")
_EVENT_LABELS = {
    "update": "day-4 update",
    "fit_note": "fit note",
    "returned": "return to work",
    "rtw_meeting": "return-to-work meeting",
}


def record_absence(
    session: Session, staff_id: str, started_on: date, today: date, returned_on: date | None = None
) -> Absence:
    """Record an absence that started on `started_on` (and, optionally, the first day back).

    Recording the same start again only adds the return, so re-running a command changes nothing.
    """
    get_staff(session, staff_id)
    check_past_date(started_on, today, "start", "absence start")
    if returned_on is not None:
        check_past_date(returned_on, today, "returned", "return date")
        if returned_on <= started_on:
            raise InvalidInput("the return date must be after the first day of absence", field="returned")
    existing = session.scalars(select(Absence).where(Absence.staff_id == staff_id).order_by(Absence.started_on)).all()
    for absence in existing:
        if absence.started_on == started_on:
            if returned_on is not None:
                if absence.returned_on is not None and absence.returned_on != returned_on:
                    raise InvalidInput(
                        f"that absence already has a return date ({absence.returned_on.isoformat()})", field="returned"
                    )
                absence.returned_on = returned_on
                session.flush()
            return absence
        end = absence.returned_on
        overlaps = started_on >= absence.started_on and (end is None or started_on < end)
        covers = absence.started_on > started_on and (returned_on is None or absence.started_on < returned_on)
        if overlaps or covers:
            until = f"to {end.isoformat()}" if end else "still open"
            raise InvalidInput(
                f"{staff_id} already has an absence from {absence.started_on.isoformat()} ({until}); "
                "record its return first",
                field="start",
            )
    row = Absence(staff_id=staff_id, started_on=started_on, returned_on=returned_on)
    session.add(row)
    session.flush()
    return row


def current_absence(session: Session, staff_id: str) -> Absence:
    """The absence an event applies to: the open one, else the most recent."""
    get_staff(session, staff_id)
    absence = session.scalars(
        select(Absence).where(Absence.staff_id == staff_id).order_by(Absence.returned_on.is_(None).desc(), Absence.started_on.desc())
    ).first()
    if absence is None:
        raise NotFound(f"{staff_id} has no recorded absence; record it first with `record absence`", field="staff_id")
    return absence


def record_absence_event(session: Session, staff_id: str, event: str, on: date, today: date) -> Absence:
    """Record a step of the current absence: `update`, `fit_note`, `returned` or `rtw_meeting` on `on`.

    A return-to-work meeting on a day with no return recorded also records that day as the return.
    """
    if event not in ABSENCE_EVENTS:
        raise InvalidInput(f"event must be one of {', '.join(ABSENCE_EVENTS)}, not {event!r}", field="event")
    check_past_date(on, today, "date", f"{_EVENT_LABELS[event]} date")
    absence = current_absence(session, staff_id)
    if on < absence.started_on:
        raise InvalidInput(
            f"the {_EVENT_LABELS[event]} ({on.isoformat()}) is before the absence started ({absence.started_on.isoformat()})",
            field="date",
        )
    if event == "returned":
        if on == absence.started_on:
            raise InvalidInput("the return date must be after the first day of absence", field="date")
        absence.returned_on = on
    elif event == "rtw_meeting":
        if absence.returned_on is None:
            if on == absence.started_on:
                raise InvalidInput("the return-to-work meeting must be after the first day of absence", field="date")
            absence.returned_on = on
        elif on < absence.returned_on:
            raise InvalidInput(
                f"the return-to-work meeting cannot be before the return ({absence.returned_on.isoformat()})", field="date"
            )
        absence.rtw_meeting_on = on
    elif event == "update":
        absence.update_on = on
    else:
        absence.fit_note_on = on
    session.flush()
    return absence


def open_absences(session: Session, day: date) -> list[Absence]:
    """Absences under way on `day`, earliest first."""
    return list(
        session.scalars(
            select(Absence)
            .where(Absence.started_on <= day, or_(Absence.returned_on.is_(None), Absence.returned_on > day))
            .order_by(Absence.started_on, Absence.id)
        )
    )


def absence_nudges(session: Session, policy: Policy, calendar: WorkingCalendar, day: date, roster: Roster) -> list[Nudge]:
    """`absence_checkin` (day 1, day 4, day 8 steps) and `return_to_work` nudges for line managers."""
    rules = policy.absence
    rows = session.execute(
        select(
            Absence.id, Absence.staff_id, Absence.started_on, Absence.update_on, Absence.fit_note_on,
            Absence.returned_on, Absence.rtw_meeting_on,
        )
        .where(
            Absence.started_on <= day,
            or_(Absence.returned_on.is_(None), Absence.returned_on > day - timedelta(days=rules.follow_up_days)),
        )
        .order_by(Absence.started_on, Absence.id)
    ).all()
    nudges: list[Nudge] = []
    for row in rows:
        person = roster.people.get(row.staff_id)
        if person is None or (person.left_on is not None and person.left_on <= day):
            continue
        recipient = roster.acting(person.manager_id)
        if recipient is None:
            continue
        rtw_on = row.rtw_meeting_on if row.rtw_meeting_on is not None and row.rtw_meeting_on <= day else None
        steps = absence_steps_outstanding(
            row.started_on,
            row.update_on if row.update_on is not None and row.update_on <= day else None,
            row.fit_note_on if row.fit_note_on is not None and row.fit_note_on <= day else None,
            row.returned_on,
            rtw_on,
            day,
            rules,
        )
        checkins = [s for s in steps if s.key != "rtw_meeting"]
        found: list[Nudge] = []
        if checkins:
            found.append(
                Nudge(
                    recipient=recipient,
                    kind="absence_checkin",
                    subject=row.staff_id,
                    due=min(s.due for s in checkins),
                    detail=f"{person.name}, off since {row.started_on:%a %d %b}: "
                    + "; ".join(s.text for s in checkins)
                    + f" ({cite_label(rules.cite)})",
                    cite=cite_full(rules.cite),
                    query=rules.cite.query if rules.cite else "",
                )
            )
        for step in steps:
            if step.key == "rtw_meeting":
                cite = rules.rtw_cite or rules.cite
                when = "today" if day == step.due else f"they returned {step.due:%a %d %b}"
                found.append(
                    Nudge(
                        recipient=recipient,
                        kind="return_to_work",
                        subject=row.staff_id,
                        due=step.due,
                        detail=f"Hold and record the return-to-work meeting with {person.name} ({when}; {cite_label(cite)})",
                        cite=cite_full(cite),
                        query=cite.query if cite else "",
                    )
                )
        for nudge in found:
            nudges.extend(with_escalation(nudge, roster, policy, calendar, day))
    return nudges
