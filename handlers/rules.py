"""Due dates from the standards' timescales: pure functions of facts + policy + today (no clock, no database).

Every function here takes the dates it needs and a `WorkingCalendar` (or a policy section) as arguments,
so the CLI, the scheduler, chat and the tests all get the same answer for the same facts.
"""

from __future__ import annotations

import calendar as gregorian
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta

from handlers.calendar import WorkingCalendar
from handlers.policy import AbsencePolicy, Citation, ReviewPolicy, SupervisionPolicy

_EVERY = re.compile(r"^every (\d+) (day|week|month|year)s?$")
_NAMED = {
    "weekly": (7, "day"),
    "fortnightly": (14, "day"),
    "monthly": (1, "month"),
    "annually": (1, "year"),
}


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = gregorian.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_interval(day: date, interval: str) -> date | None:
    """`day` plus a policy interval ("monthly", "every 28 days", ...); None for "none"."""
    if interval == "none":
        return None
    if interval in _NAMED:
        count, unit = _NAMED[interval]
    else:
        match = _EVERY.match(interval)
        if not match:
            raise ValueError(f"not an interval: {interval!r}")
        count, unit = int(match.group(1)), match.group(2)
    if unit == "day":
        return day + timedelta(days=count)
    if unit == "week":
        return day + timedelta(weeks=count)
    if unit == "month":
        return add_months(day, count)
    return add_months(day, 12 * count)


def due_on_working_day(nominal: date, calendar: WorkingCalendar) -> date:
    """A deadline that falls on a weekend or bank holiday moves back to the working day before it.

    "At least monthly" / "not exceed 28 days" are maxima, so the deadline is never moved later.
    """
    return nominal if calendar.is_working_day(nominal) else calendar.previous_working_day(nominal)


# ---- supervision ---------------------------------------------------------------------------------


def supervision_interval(role: str, asye_start: date | None, on: date, rules: SupervisionPolicy) -> str:
    """The supervision interval in force for a person on `on`.

    Sefton Practice Standards 2023, 2. Supervision: newly qualified social workers are supervised weekly
    until the 3-month review, fortnightly during months 3-6, then monthly (phases from `nqsw_phases`,
    counted from the ASYE start). Everyone else: their role's interval, or the policy's default.
    """
    if role == "nqsw" and asye_start is not None:
        for phase in rules.nqsw_phases:
            if on < add_months(asye_start, phase.until_months):
                return phase.interval
    return rules.roles.get(role, rules.interval)


def next_supervision_due(
    role: str,
    asye_start: date | None,
    last_supervised: date | None,
    joined: date,
    rules: SupervisionPolicy,
    calendar: WorkingCalendar,
) -> date | None:
    """When the next supervision is due: last session (or joining / ASYE start) plus the interval then in force.

    The interval is the one in force on the day of the last session, so an NQSW seen weekly on the eve of
    the 3-month review is still due a week later; from the following session the fortnightly cadence applies.
    None when the role is not supervised through the bot.
    """
    since = last_supervised
    if since is None:
        since = max(d for d in (joined, asye_start if role == "nqsw" else None) if d is not None)
    nominal = add_interval(since, supervision_interval(role, asye_start, since, rules))
    return None if nominal is None else due_on_working_day(nominal, calendar)


def notes_due(held_on: date, kind: str, working_days: int, consultation_working_days: int, calendar: WorkingCalendar) -> date:
    """When the notes of a supervision (or a case consultation) must be on file, in working days after it."""
    n = consultation_working_days if kind == "consultation" else working_days
    return calendar.add_working_days(held_on, n)


# ---- periodic reviews: agreements, observations, PDR -------------------------------------------------


def _month_day(value: str, year: int) -> date:
    month, day = (int(p) for p in value.split("-"))
    return date(year, month, min(day, gregorian.monthrange(year, month)[1]))


def next_review_due(last: date | None, joined: date, rules: ReviewPolicy, calendar: WorkingCalendar) -> date | None:
    """When the next agreement review / observation / PDR is due.

    With a fixed `deadline` (NPT PDR Guidance: "completed by no later than 31st August each year"), a
    review held in a cycle year (from `cycle_starts`, 1 April) counts for that year, so the next is due
    by the deadline in the following cycle year. Without one: the last review plus the interval. With
    no review yet: joining plus `first_due_after` (NPT 3.5: first appraisal after six months' probation).
    """
    if last is None:
        nominal = add_interval(joined, rules.first_due_after)
        if nominal is not None and rules.deadline:
            deadline = _month_day(rules.deadline, nominal.year)
            nominal = deadline if deadline >= nominal else _month_day(rules.deadline, nominal.year + 1)
    elif rules.deadline:
        cycle_start = _month_day(rules.cycle_starts, last.year)
        cycle_year = last.year if last >= cycle_start else last.year - 1
        deadline_year = cycle_year + 1
        if _month_day(rules.deadline, cycle_year) < _month_day(rules.cycle_starts, cycle_year):
            deadline_year += 1  # a deadline early in the calendar year falls in the cycle's second half
        nominal = _month_day(rules.deadline, deadline_year)
    else:
        nominal = add_interval(last, rules.interval)
    return None if nominal is None else due_on_working_day(nominal, calendar)


def agreement_review_due(
    last: date | None,
    last_supervisor: str | None,
    current_manager: str | None,
    manager_since: date,
    joined: date,
    rules: ReviewPolicy,
    calendar: WorkingCalendar,
) -> date | None:
    """When the supervision agreement must next be reviewed: on schedule, or sooner after a change of supervisor.

    Sefton Practice Standards 2023, Supervision: "reviewed on an annual basis or when there is a change in
    supervisor". After a change (the line manager differs from the agreement's supervisor; `manager_since`
    is when the staff record last changed), a new agreement is due within `first_due_after`.
    """
    due = next_review_due(last, joined, rules, calendar)
    if last is not None and last_supervisor and current_manager and last_supervisor != current_manager:
        nominal = add_interval(max(last, manager_since), rules.first_due_after)
        if nominal is not None:
            on_change = due_on_working_day(nominal, calendar)
            due = on_change if due is None else min(due, on_change)
    return due


# ---- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyStatus:
    due: date
    answered: bool
    late: bool  # answered after the due date, or still unanswered after it


def reply_status(received: date, answered: date | None, today: date, working_days: int, calendar: WorkingCalendar) -> ReplyStatus:
    """A message's reply deadline (N working days after it arrived) and whether it is met.

    Sefton Practice Standards 2023, Communication: "All messages to be responded to within two working
    days". A message received on a weekend or bank holiday counts from the next working day.
    """
    due = calendar.add_working_days(received, working_days)
    is_answered = answered is not None and answered <= today
    if is_answered:
        return ReplyStatus(due=due, answered=True, late=answered > due)
    return ReplyStatus(due=due, answered=False, late=today > due)


# ---- absence -------------------------------------------------------------------------------------


def absence_day(started: date, n: int) -> date:
    """Calendar day N of an absence, counting the first day of absence as day 1."""
    return started + timedelta(days=n - 1)


def is_absent(started: date, returned: date | None, day: date) -> bool:
    """Whether someone is off on `day` (the return date is their first day back at work)."""
    return started <= day and (returned is None or returned > day)


@dataclass(frozen=True)
class AbsenceStep:
    key: str  # contact | update | fit_note | rtw_meeting
    due: date
    text: str


def absence_steps_outstanding(
    started: date,
    update_on: date | None,
    fit_note_on: date | None,
    returned: date | None,
    rtw_meeting_on: date | None,
    today: date,
    rules: AbsencePolicy,
) -> list[AbsenceStep]:
    """What the line manager still has to do for one absence on `today`, earliest first.

    Sefton Practice Standards 2023, 5. Sickness Absence: day 1 contact and recording, day 4 update,
    day 8 fit note; a return-to-work meeting on the first day back. Once the person is back only the
    meeting remains, and reminders about it stop `follow_up_days` after the return.
    """
    steps: list[AbsenceStep] = []
    contact = absence_day(started, rules.contact_day)
    update = absence_day(started, rules.update_day)
    fit_note = absence_day(started, rules.fit_note_day)
    back = returned if returned is not None and returned <= today else None
    if today == contact and (back is None or back > contact):
        steps.append(AbsenceStep("contact", contact, f"day {rules.contact_day}: make contact and record the absence"))
    if update_on is None and today >= update and back is None:
        steps.append(AbsenceStep("update", update, f"day {rules.update_day}: get an update (contact them if they have not called)"))
    if fit_note_on is None and today >= fit_note and back is None:
        steps.append(AbsenceStep("fit_note", fit_note, f"day {rules.fit_note_day}: make sure a fit note is received and recorded"))
    if back is not None and rtw_meeting_on is None and today < back + timedelta(days=rules.follow_up_days):
        steps.append(AbsenceStep("rtw_meeting", back, "hold the return-to-work meeting on their first day back"))
    return steps


# ---- escalation ----------------------------------------------------------------------------------


@lru_cache(maxsize=65_536)
def nth_working_day_after(calendar: WorkingCalendar, day: date, n: int) -> date:
    """`calendar.add_working_days(day, n)`, remembered: the nudge engine asks the same few thousand times a run."""
    return calendar.add_working_days(day, n)


def escalates(due: date, today: date, after_working_days: int, calendar: WorkingCalendar) -> bool:
    """Whether an item overdue since `due` has been overdue for `after_working_days` working days or more."""
    return today > due and nth_working_day_after(calendar, due, max(after_working_days, 1)) <= today


def within_notice(due: date, today: date, notice_working_days: int, calendar: WorkingCalendar) -> bool:
    """Whether `due` is at most `notice_working_days` working days after `today` (or already reached)."""
    if today >= due:
        return True
    return due < nth_working_day_after(calendar, today, notice_working_days + 1)


def cite_label(cite: Citation | None) -> str:
    """A citation as a short label: the document and the section heading (before its colon)."""
    if cite is None:
        return ""
    return f"{cite.document}, {cite.section.split(':', 1)[0].strip()}"


def cite_full(cite: Citation | None) -> str:
    return f"{cite.document}, {cite.section}" if cite else ""
