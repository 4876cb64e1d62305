"""The daily digest run: one DM per person with nudges, claimed exactly once, retried on failure.

`deliver_day(app, day)` is what `standards-bot nudges --send` calls and what the scheduler's tick runs
(with `not_after`, so people whose own digest time has not come yet wait for a later tick).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.base import utcnow
from bot.storage.models import Staff
from bot.storage.models.scheduler import Delivery, DigestSettings, NudgeLogEntry
from handlers.calendar import WorkingCalendar
from handlers.digest import apply_state_and_cap, effective_send_time, is_paused, render_digest
from handlers.policy import Policy
from handlers.types import Nudge
from scheduler.delivery import (
    Deliverer,
    RateGate,
    Sleep,
    choose_deliverer,
    claim_delivery,
    insert_ignoring_conflicts,
    platform_deliverers,
    record_attempt,
    send_with_retries,
)

log = logging.getLogger(__name__)

NudgeSource = Callable[[Session, Policy, WorkingCalendar, date], list[Nudge]]
DEFAULT_CONCURRENCY = 16


def nudges_from_rules(session: Session, policy: Policy, calendar: WorkingCalendar, day: date) -> list[Nudge]:
    """Every nudge the rules produce for `day` (the nudge engine, `handlers.nudges`, when present)."""
    try:
        from handlers.nudges import nudges_for_day
    except ImportError:
        return []
    return list(nudges_for_day(session, policy, calendar, day))


def pending_for_day(
    session: Session, policy: Policy, calendar: WorkingCalendar, day: date, source: NudgeSource | None = None
) -> list[Nudge]:
    """What the daily run would send on `day`: the rules' nudges minus done, snoozed and repeat-capped ones.

    Nothing is sent on a day that is not a working day (weekends, bank holidays).
    """
    if not calendar.is_working_day(day):
        return []
    nudges = (source or nudges_from_rules)(session, policy, calendar, day)
    return apply_state_and_cap(session, nudges, policy, calendar, day)


@dataclass
class DeliveryReport:
    """What a run did; `str()` is the one-line summary `nudges --send` prints."""

    day: date
    working_day: bool = True
    sent: int = 0
    items: int = 0
    already_sent: int = 0
    failed: int = 0
    paused: int = 0
    not_yet: int = 0
    unreachable: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.already_sent + self.paused + len(self.unreachable)

    def __str__(self) -> str:
        if not self.working_day:
            return f"{self.day.isoformat()}: not a working day; nothing sent"
        text = (
            f"{self.day.isoformat()}: sent {self.sent} digest(s) with {self.items} item(s); "
            f"skipped {self.skipped} (already sent {self.already_sent}, paused {self.paused}, "
            f"unreachable {len(self.unreachable)}); failed {self.failed}"
        )
        if self.unreachable:
            text += "\nno Slack or Teams address for: " + ", ".join(sorted(self.unreachable))
        return text


@dataclass
class _Digest:
    staff: Staff
    nudges: list[Nudge]
    held_back: int = 0


def plan_digests(
    session: Session,
    policy: Policy,
    calendar: WorkingCalendar,
    day: date,
    *,
    source: NudgeSource | None = None,
    not_after: time | None = None,
    report: DeliveryReport | None = None,
) -> list[_Digest]:
    """Who gets which items in `day`'s digests if a run started now (the one rule for the run and the preview).

    Skipped: people who have left or are unknown, anyone whose digest for `day` is already claimed (sent, or
    in flight), paused digests and, with `not_after`, people whose own digest time has not come yet. Each
    digest holds at most `digest.max_items` items, the oldest due first; the rest wait for later digests.
    """
    report = report if report is not None else DeliveryReport(day=day)
    if not calendar.is_working_day(day):
        report.working_day = False
        return []
    pending = pending_for_day(session, policy, calendar, day, source)
    by_recipient: dict[str, list[Nudge]] = {}
    for nudge in pending:
        by_recipient.setdefault(nudge.recipient, []).append(nudge)
    if not by_recipient:
        return []
    recipients = sorted(by_recipient)
    staff = {s.staff_id: s for s in _in_chunks(session, Staff, Staff.staff_id, recipients)}
    settings = {s.staff_id: s for s in _in_chunks(session, DigestSettings, DigestSettings.staff_id, recipients)}
    claimed = set(session.scalars(select(Delivery.target).where(Delivery.kind == "digest", Delivery.day == day)))
    plan = []
    for recipient in recipients:
        person = staff.get(recipient)
        if person is None or (person.left_on is not None and person.left_on <= day):
            continue
        if recipient in claimed:
            report.already_sent += 1
            continue
        if is_paused(settings.get(recipient), day):
            report.paused += 1
            continue
        if not_after is not None and effective_send_time(settings.get(recipient), policy) > not_after.strftime("%H:%M"):
            report.not_yet += 1
            continue
        items = sorted(by_recipient[recipient], key=lambda n: (n.due, n.kind, n.subject))
        limit = policy.digest.max_items
        plan.append(_Digest(person, items[:limit], held_back=max(0, len(items) - limit)))
    return plan


def would_send(
    session: Session, policy: Policy, calendar: WorkingCalendar, day: date, *, source: NudgeSource | None = None,
    report: DeliveryReport | None = None,
) -> list[Nudge]:
    """The items a run of `day`'s digests started now would send (`standards-bot nudges --date D`).

    Same rule as the run (`plan_digests`), in the nudge engine's order. After `nudges --send` for D it
    lists only what a second run would still send: nothing for the people whose digest went. Whether a
    person can be reached on Slack or Teams is not checked here (the run reports them as unreachable).
    """
    from handlers.nudges import sort_key

    plan = plan_digests(session, policy, calendar, day, source=source, report=report)
    return sorted((n for digest in plan for n in digest.nudges), key=sort_key)


def _plan(
    app, day: date, not_after: time | None, source: NudgeSource | None, report: DeliveryReport
) -> list[_Digest]:
    """Read everything the run needs in one unit of work: who gets which items today."""
    with app.db.unit() as session:
        plan = plan_digests(
            session, app.policy, app.calendar, day, source=source, not_after=not_after, report=report
        )
        for digest in plan:
            session.expunge(digest.staff)
        return plan


def _in_chunks(session: Session, model, column, values: list[str], size: int = 500):
    for start in range(0, len(values), size):
        yield from session.scalars(select(model).where(column.in_(values[start : start + size])))


def _claim(app, digest: _Digest, day: date, platform: str) -> int | None:
    """Claim the person's digest and log its items, in one transaction; None if someone already has."""
    with app.db.unit() as session:
        delivery_id = claim_delivery(session, "digest", digest.staff.staff_id, day, platform, len(digest.nudges))
        if delivery_id is None:
            return None
        for nudge in digest.nudges:
            insert_ignoring_conflicts(
                session,
                NudgeLogEntry,
                {
                    "recipient": nudge.recipient,
                    "kind": nudge.kind,
                    "subject": nudge.subject,
                    "day": day,
                    "due": nudge.due,
                    "delivery_id": delivery_id,
                    "created_at": utcnow(),
                },
            )
        return delivery_id


def _record(app, delivery_id: int, attempt: int, outcome: str, reason: str | None, retry_after: float | None) -> None:
    with app.db.unit() as session:
        record_attempt(session, delivery_id, attempt, outcome, reason, retry_after)


async def deliver_digests(
    app,
    day: date,
    *,
    deliverers: list[Deliverer] | None = None,
    sleep: Sleep = asyncio.sleep,
    source: NudgeSource | None = None,
    not_after: time | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> DeliveryReport:
    """Send `day`'s digests: each person at most once, failures retried and recorded, none blocking others."""
    report = DeliveryReport(day=day)
    if not app.calendar.is_working_day(day):
        report.working_day = False
        return report
    if deliverers is None:
        deliverers = platform_deliverers(app)
    plan = await asyncio.to_thread(_plan, app, day, not_after, source, report)
    gate = RateGate(concurrency)
    limit = asyncio.Semaphore(max(1, concurrency))
    digest_policy = app.policy.digest

    async def deliver(digest: _Digest) -> None:
        deliverer = choose_deliverer(digest.staff, deliverers)
        if deliverer is None:
            report.unreachable.append(digest.staff.staff_id)
            return
        async with limit:
            delivery_id = await asyncio.to_thread(_claim, app, digest, day, deliverer.platform)
            if delivery_id is None:
                report.already_sent += 1
                return
            reply = render_digest(digest.nudges, day, more=digest.held_back)

            async def record(attempt: int, outcome: str, reason: str | None, retry_after: float | None) -> None:
                await asyncio.to_thread(_record, app, delivery_id, attempt, outcome, reason, retry_after)

            outcome = await send_with_retries(
                lambda: deliverer.send_direct(digest.staff, reply),
                record,
                max_attempts=digest_policy.max_attempts,
                backoff_seconds=digest_policy.backoff_seconds,
                sleep=sleep,
                gate=gate,
            )
        if outcome == "sent":
            report.sent += 1
            report.items += len(digest.nudges)
        else:
            report.failed += 1
            log.warning("digest delivery %s ended %s", delivery_id, outcome)

    results = await asyncio.gather(*(deliver(d) for d in plan), return_exceptions=True)
    for result in results:
        if isinstance(result, Exception):  # e.g. the database went away mid-run: count it, keep the others
            report.failed += 1
            log.warning("digest delivery error (%s)", type(result).__name__)
        elif isinstance(result, BaseException):
            raise result
    return report


def deliver_day(
    app,
    day: date,
    *,
    deliverers: list[Deliverer] | None = None,
    sleep: Sleep = asyncio.sleep,
    source: NudgeSource | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> DeliveryReport:
    """Deliver `day`'s digests now (`nudges --send`); a second call for the same day sends nothing new."""
    return asyncio.run(
        deliver_digests(app, day, deliverers=deliverers, sleep=sleep, source=source, concurrency=concurrency)
    )


def send_slots(session: Session, policy: Policy) -> set[str]:
    """Every digest time in use today: the policy's, plus each person's own."""
    slots = {policy.digest.send_time}
    slots.update(t for t in session.scalars(select(DigestSettings.send_time).distinct()) if t)
    return slots
