"""Supervision: sessions held, supervision agreements, observations of practice and PDRs, and their nudges."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.storage.models.people import SUPERVISION_KINDS, Appraisal, Observation, SupervisionAgreement, SupervisionSession
from handlers.calendar import WorkingCalendar
from handlers.errors import InvalidInput
from handlers.org import Roster, get_staff
from handlers.policy import Policy, ReviewPolicy
from handlers.rules import (
    agreement_review_due,
    cite_full,
    cite_label,
    escalates,
    next_review_due,
    next_supervision_due,
    notes_due,
    supervision_interval,
    within_notice,
)
from handlers.types import Nudge


def check_past_date(value: date, today: date, field: str, label: str) -> None:
    """Refuse a date after today for something that has already happened."""
    if value > today:
        raise InvalidInput(f"{label} {value.isoformat()} is in the future (today is {today.isoformat()})", field=field)


def _supervisor(session: Session, staff_id: str, by: str | None) -> str | None:
    staff = get_staff(session, staff_id)
    if by:
        get_staff(session, by)
        if by == staff_id:
            raise InvalidInput("a person cannot be their own supervisor", field="by")
        return by
    return staff.manager_id


def record_supervision(
    session: Session,
    staff_id: str,
    held_on: date,
    today: date,
    kind: str = "case",
    supervisor_id: str | None = None,
    notes_recorded_on: date | None = None,
) -> SupervisionSession:
    """Store a supervision session held with `staff_id` (supervisor: `supervisor_id` or their line manager)."""
    if kind not in SUPERVISION_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(SUPERVISION_KINDS)}, not {kind!r}", field="kind")
    check_past_date(held_on, today, "date", "supervision date")
    supervisor = _supervisor(session, staff_id, supervisor_id)
    if notes_recorded_on is not None:
        check_past_date(notes_recorded_on, today, "notes_recorded", "notes date")
        if notes_recorded_on < held_on:
            raise InvalidInput("notes cannot be recorded before the session was held", field="notes_recorded")
    row = SupervisionSession(
        staff_id=staff_id, supervisor_id=supervisor, held_on=held_on, kind=kind, notes_recorded_on=notes_recorded_on
    )
    session.add(row)
    session.flush()
    return row


def record_supervision_notes(session: Session, staff_id: str, recorded_on: date, today: date) -> list[SupervisionSession]:
    """Mark the notes of every earlier session with `staff_id` still missing notes as on file from `recorded_on`."""
    get_staff(session, staff_id)
    check_past_date(recorded_on, today, "date", "notes date")
    pending = list(
        session.scalars(
            select(SupervisionSession)
            .where(
                SupervisionSession.staff_id == staff_id,
                SupervisionSession.notes_recorded_on.is_(None),
                SupervisionSession.held_on <= recorded_on,
            )
            .order_by(SupervisionSession.held_on, SupervisionSession.id)
        )
    )
    if not pending:
        raise InvalidInput(f"no supervision of {staff_id} on or before {recorded_on.isoformat()} is waiting for notes", field="date")
    for row in pending:
        row.notes_recorded_on = recorded_on
    session.flush()
    return pending


def record_agreement(session: Session, staff_id: str, agreed_on: date, today: date, supervisor_id: str | None = None) -> SupervisionAgreement:
    """Store a supervision agreement agreed or reviewed on `agreed_on`."""
    check_past_date(agreed_on, today, "date", "agreement date")
    row = SupervisionAgreement(staff_id=staff_id, supervisor_id=_supervisor(session, staff_id, supervisor_id), agreed_on=agreed_on)
    session.add(row)
    session.flush()
    return row


def record_observation(session: Session, staff_id: str, observed_on: date, today: date, observer_id: str | None = None) -> Observation:
    """Store an observation of practice."""
    check_past_date(observed_on, today, "date", "observation date")
    row = Observation(staff_id=staff_id, observer_id=_supervisor(session, staff_id, observer_id), observed_on=observed_on)
    session.add(row)
    session.flush()
    return row


def record_appraisal(session: Session, staff_id: str, held_on: date, today: date, appraiser_id: str | None = None) -> Appraisal:
    """Store an appraisal / PDR meeting."""
    check_past_date(held_on, today, "date", "PDR date")
    row = Appraisal(staff_id=staff_id, appraiser_id=_supervisor(session, staff_id, appraiser_id), held_on=held_on)
    session.add(row)
    session.flush()
    return row


def last_supervised(session: Session, staff_id: str, policy: Policy, day: date) -> date | None:
    """The date of the last session that counts towards the cadence, on or before `day`."""
    return session.scalar(
        select(func.max(SupervisionSession.held_on)).where(
            SupervisionSession.staff_id == staff_id,
            SupervisionSession.kind.in_(policy.supervision.kinds_that_count),
            SupervisionSession.held_on <= day,
        )
    )


def supervision_due_for(session: Session, staff_id: str, policy: Policy, calendar: WorkingCalendar, day: date) -> date | None:
    """When `staff_id`'s next supervision is due, counting sessions up to `day`."""
    staff = get_staff(session, staff_id)
    return next_supervision_due(
        staff.role, staff.asye_start, last_supervised(session, staff_id, policy, day), tracked_since(staff),
        policy.supervision, calendar,
    )


# ---- nudges --------------------------------------------------------------------------------------


def _latest(session: Session, model, column, day: date, *where) -> dict[str, date]:
    """Latest date per staff member in one grouped query."""
    query = select(model.staff_id, func.max(column)).where(column <= day, *where).group_by(model.staff_id)
    return dict(session.execute(query).all())


def tracked_since(person) -> date:
    """The later of the start date and the day the person was added: nothing is owed from before either."""
    added = person.created_at.date()
    return max(person.start_date, added) if person.start_date else added


def with_escalation(nudge: Nudge, roster: Roster, policy: Policy, calendar: WorkingCalendar, day: date) -> list[Nudge]:
    """The nudge, plus a copy to the recipient's manager once it is overdue long enough."""
    out = [nudge]
    if escalates(nudge.due, day, policy.escalation.after_working_days, calendar):
        target = roster.escalate_to(nudge.recipient)
        if target:
            out.append(
                Nudge(
                    recipient=target,
                    kind=nudge.kind,
                    subject=nudge.subject,
                    due=nudge.due,
                    detail=f"Escalated ({roster.name(nudge.recipient)} is {policy.escalation.after_working_days}+ working days late): {nudge.detail}",
                    cite=nudge.cite,
                    query=nudge.query,
                )
            )
    return out


def supervision_nudges(session: Session, policy: Policy, calendar: WorkingCalendar, day: date, roster: Roster) -> list[Nudge]:
    """`supervision_due` (within the reminder window) and `supervision_overdue` nudges for the supervisors."""
    rules = policy.supervision
    last = _latest(
        session, SupervisionSession, SupervisionSession.held_on, day, SupervisionSession.kind.in_(rules.kinds_that_count)
    )
    nudges: list[Nudge] = []
    for staff_id, person in roster.people.items():
        if not person.manager_id or not roster.available(staff_id):
            continue
        due = next_supervision_due(person.role, person.asye_start, last.get(staff_id), tracked_since(person), rules, calendar)
        if due is None or not within_notice(due, day, rules.remind_working_days_before, calendar):
            continue
        recipient = roster.acting(person.manager_id)
        if recipient is None:
            continue
        interval = supervision_interval(person.role, person.asye_start, last.get(staff_id) or day, rules)
        cite = rules.nqsw_cite if person.role == "nqsw" and person.asye_start and rules.nqsw_cite else rules.cite
        overdue = day > due
        when = f"overdue since {due:%a %d %b}" if overdue else ("due today" if day == due else f"due by {due:%a %d %b}")
        why = f"{interval}; {cite_label(cite)}" if cite else interval
        detail = f"Supervision with {person.name} {when} ({why})"
        nudge = Nudge(
            recipient=recipient,
            kind="supervision_overdue" if overdue else "supervision_due",
            subject=staff_id,
            due=due,
            detail=detail,
            cite=cite_full(cite),
            query=cite.query if cite else "",
        )
        nudges.extend(with_escalation(nudge, roster, policy, calendar, day) if overdue else [nudge])
    return nudges


def notes_nudges(session: Session, policy: Policy, calendar: WorkingCalendar, day: date, roster: Roster) -> list[Nudge]:
    """`supervision_notes_due`: sessions whose notes are not on file by the deadline (only when enabled)."""
    rules = policy.recording
    if not rules.nudge_unrecorded_notes:
        return []
    rows = session.execute(
        select(SupervisionSession.id, SupervisionSession.staff_id, SupervisionSession.supervisor_id, SupervisionSession.held_on)
        .where(SupervisionSession.notes_recorded_on.is_(None), SupervisionSession.held_on <= day)
        .order_by(SupervisionSession.id)
    ).all()
    nudges = []
    for pk, staff_id, supervisor_id, held_on in rows:
        due = notes_due(held_on, "supervision", rules.supervision_notes_working_days, rules.case_consultation_working_days, calendar)
        recipient = roster.acting(supervisor_id or roster.manager_of(staff_id))
        if day < due or recipient is None:
            continue
        nudges.append(
            Nudge(
                recipient=recipient,
                kind="supervision_notes_due",
                subject=staff_id,
                due=due,
                detail=f"Record the notes of supervision with {roster.name(staff_id)} on {held_on:%d %b} (due {due:%a %d %b}; {cite_label(rules.cite)})",
                cite=cite_full(rules.cite),
                query=rules.cite.query if rules.cite else "",
            )
        )
    return nudges


def _agreement_supervisors(session: Session, day: date) -> dict[str, str | None]:
    """The supervisor named on each person's latest agreement (one query)."""
    latest = (
        select(SupervisionAgreement.staff_id, func.max(SupervisionAgreement.agreed_on).label("agreed_on"))
        .where(SupervisionAgreement.agreed_on <= day)
        .group_by(SupervisionAgreement.staff_id)
        .subquery()
    )
    rows = session.execute(
        select(SupervisionAgreement.staff_id, SupervisionAgreement.supervisor_id)
        .join(
            latest,
            and_(SupervisionAgreement.staff_id == latest.c.staff_id, SupervisionAgreement.agreed_on == latest.c.agreed_on),
        )
        .order_by(SupervisionAgreement.id)
    )
    return dict(rows.all())


_REVIEWS = (
    ("agreements", "agreement_review_due", SupervisionAgreement, "agreed_on", "Review the supervision agreement with"),
    ("observations", "observation_due", Observation, "observed_on", "Observe the practice of"),
    ("appraisals", "pdr_due", Appraisal, "held_on", "Hold the PDR (appraisal) with"),
)


def review_nudges(session: Session, policy: Policy, calendar: WorkingCalendar, day: date, roster: Roster) -> list[Nudge]:
    """`agreement_review_due`, `observation_due` and `pdr_due` nudges for line managers."""
    nudges: list[Nudge] = []
    for section, kind, model, column, verb in _REVIEWS:
        rules: ReviewPolicy = getattr(policy, section)
        last = _latest(session, model, getattr(model, column), day)
        agreed_with = _agreement_supervisors(session, day) if model is SupervisionAgreement else {}
        for staff_id, person in roster.people.items():
            if not person.manager_id or not roster.available(staff_id):
                continue
            if rules.roles and person.role not in rules.roles:
                continue
            if rules is policy.agreements and policy.supervision.roles.get(person.role) == "none":
                continue
            if model is SupervisionAgreement:
                due = agreement_review_due(
                    last.get(staff_id), agreed_with.get(staff_id), person.manager_id, person.updated_at.date(),
                    tracked_since(person), rules, calendar,
                )
            else:
                due = next_review_due(last.get(staff_id), tracked_since(person), rules, calendar)
            if due is None or not within_notice(due, day, rules.remind_working_days_before, calendar):
                continue
            recipient = roster.acting(person.manager_id)
            if recipient is None:
                continue
            when = f"overdue since {due:%a %d %b}" if day > due else f"due by {due:%a %d %b %Y}"
            nudge = Nudge(
                recipient=recipient,
                kind=kind,
                subject=staff_id,
                due=due,
                detail=f"{verb} {person.name}: {when} ({cite_label(rules.cite)})".replace(" ()", ""),
                cite=cite_full(rules.cite),
                query=rules.cite.query if rules.cite else "",
            )
            nudges.extend(with_escalation(nudge, roster, policy, calendar, day))
    return nudges
