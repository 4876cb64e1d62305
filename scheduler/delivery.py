"""How the scheduler reaches people: one Deliverer per platform, implemented by each platform adapter.

`bot/slack/delivery.py` and `bot/teams/delivery.py` implement this protocol; the scheduler only
knows the protocol, so digests and agendas are built once (as neutral replies) and rendered per platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Protocol, runtime_checkable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.storage.base import utcnow
from bot.storage.models import Staff
from bot.storage.models.scheduler import Delivery, DeliveryAttempt
from handlers.types import Reply


log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]


class DeliveryFailed(Exception):
    """A send that did not happen. `retry_after` (seconds) when the platform asked us to wait (429);
    `permanent` when retrying cannot help (user unknown, app uninstalled, channel gone)."""

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent


@runtime_checkable
class Deliverer(Protocol):
    platform: str  # "slack" | "teams"

    def can_reach(self, staff: Staff) -> bool:
        """True when this platform knows how to address the person (e.g. has their Slack id / a conversation reference)."""

    async def send_direct(self, staff: Staff, reply: Reply) -> None:
        """Send `reply` privately to one person; raise DeliveryFailed on failure."""

    async def send_channel(self, channel: str, reply: Reply) -> None:
        """Post `reply` to a team channel (Slack channel id, or a stored Teams channel conversation id)."""


PLATFORM_PREFERENCE = ("slack", "teams")


def choose_deliverer(staff: Staff, deliverers: list[Deliverer]) -> Deliverer | None:
    """The platform that reaches this person: Slack when it knows them, else Teams (a stored conversation)."""
    ranked = sorted(
        deliverers,
        key=lambda d: PLATFORM_PREFERENCE.index(d.platform) if d.platform in PLATFORM_PREFERENCE else len(PLATFORM_PREFERENCE),
    )
    for deliverer in ranked:
        try:
            if deliverer.can_reach(staff):
                return deliverer
        except Exception:  # noqa: BLE001 - a broken platform must not stop the others
            continue
    return None


def channel_deliverer(platform: str, deliverers: list[Deliverer]) -> Deliverer | None:
    """The deliverer that posts to a team channel on `platform`."""
    return next((d for d in deliverers if d.platform == platform), None)


def platform_deliverers(app) -> list[Deliverer]:
    """The configured platforms' deliverers (`bot.slack.delivery`, `bot.teams.delivery`), each if present.

    Each module may expose `build_deliverer(app) -> Deliverer | None` (None when the platform is not
    configured); a platform whose module is missing or not configured is simply not used.
    """
    found: list[Deliverer] = []
    for module_name in ("bot.slack.delivery", "bot.teams.delivery"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        factory = getattr(module, "build_deliverer", None)
        if factory is None:
            continue
        try:
            deliverer = factory(app)
        except Exception as exc:  # noqa: BLE001
            log.warning("deliverer %s unavailable (%s)", module_name, type(exc).__name__)
            continue
        if deliverer is not None:
            found.append(deliverer)
    return found


# ---- claiming and sending ----------------------------------------------------------------------


def insert_ignoring_conflicts(session: Session, model, values: dict, returning=None):
    """INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL); returns the new row's column or None."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model).values(**values).on_conflict_do_nothing()
    if returning is None:
        session.execute(statement)
        return None
    return session.execute(statement.returning(returning)).scalar_one_or_none()


def claim_delivery(session: Session, kind: str, target: str, day: date, platform: str, item_count: int) -> int | None:
    """Claim the one delivery of `kind` to `target` for `day`; the delivery id, or None if already claimed.

    The unique key does the work: of any number of concurrent claimers (threads, processes, replicas),
    exactly one inserts the row; PostgreSQL makes the others wait for its commit and then skip.
    """
    return insert_ignoring_conflicts(
        session,
        Delivery,
        {
            "kind": kind,
            "target": target,
            "day": day,
            "status": "sending",
            "platform": platform,
            "attempts": 0,
            "item_count": item_count,
            "permanent": False,
            "claimed_at": utcnow(),
        },
        returning=Delivery.id,
    )


def record_attempt(
    session: Session, delivery_id: int, attempt: int, outcome: str, reason: str | None = None, retry_after: float | None = None
) -> None:
    """Log one try and update the delivery's status (sending while retrying, then sent / failed / gave_up)."""
    session.add(
        DeliveryAttempt(
            delivery_id=delivery_id, attempt=attempt, outcome=outcome, reason=(reason or None) and reason[:200], retry_after=retry_after
        )
    )
    status = {"sent": "sent", "retry": "sending", "failed": "failed", "gave_up": "gave_up"}[outcome]
    values = {"status": status, "attempts": attempt}
    if outcome != "retry":
        values["finished_at"] = utcnow()
    if outcome != "sent":
        values["last_error"] = (reason or "")[:200]
        values["permanent"] = outcome == "gave_up"
    session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


class RateGate:
    """Shared by all sends of a run so that a platform's rate limit is respected by the run as a whole.

    While any send waits out a 429's Retry-After, nobody sends. Each 429 also halves how many sends may be
    in flight at once, and each success allows one more (up to `limit`): the run settles just under the
    platform's rate instead of hitting the limit again with every send that was waiting.
    """

    def __init__(self, limit: int = 16) -> None:
        self.limit = max(1, limit)
        self.allowed = self.limit
        self.in_flight = 0
        self._waiting = 0
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def slot(self):
        """Wait until a send may go, and count it in flight while it does."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._waiting == 0 and self.in_flight < self.allowed)
            self.in_flight += 1
        try:
            yield
        finally:
            async with self._changed:
                self.in_flight -= 1
                self._changed.notify_all()

    def succeeded(self) -> None:
        self.allowed = min(self.limit, self.allowed + 1)

    async def hold(self, seconds: float, sleep: Sleep) -> None:
        """Stop every send of the run for `seconds` (a Retry-After) and halve the sends in flight."""
        self.allowed = max(1, self.allowed // 2)
        self._waiting += 1
        try:
            await sleep(seconds)
        finally:
            self._waiting -= 1
            async with self._changed:
                self._changed.notify_all()


MAX_RATE_LIMITED_TRIES = 20  # 429s are the platform pacing us, not failures; this only stops a runaway


async def send_with_retries(
    send: Callable[[], Awaitable[None]],
    record: Callable[[int, str, str | None, float | None], Awaitable[None]],
    *,
    max_attempts: int,
    backoff_seconds: float,
    sleep: Sleep,
    gate: RateGate,
) -> str:
    """Try a send with exponential backoff; a 429 waits its Retry-After (for every send of the run).

    Failures count against `max_attempts`; rate-limit answers do not (up to MAX_RATE_LIMITED_TRIES tries).
    Returns the final outcome: "sent", "failed" (gave up after retries) or "gave_up" (permanent failure).
    """
    failures = 0
    for attempt in range(1, max_attempts + MAX_RATE_LIMITED_TRIES + 1):
        failure = None
        async with gate.slot():
            try:
                await send()
            except DeliveryFailed as exc:
                failure = exc
            except Exception as exc:  # noqa: BLE001 - an unexpected platform error is a transient failure
                failure = DeliveryFailed(type(exc).__name__)
            else:
                gate.succeeded()
        if failure is None:
            await record(attempt, "sent", None, None)
            return "sent"
        if failure.permanent:
            await record(attempt, "gave_up", failure.reason, None)
            return "gave_up"
        rate_limited = failure.retry_after is not None
        failures += 0 if rate_limited else 1
        if failures >= max_attempts or attempt >= max_attempts + MAX_RATE_LIMITED_TRIES:
            await record(attempt, "failed", failure.reason, failure.retry_after)
            return "failed"
        await record(attempt, "retry", failure.reason, failure.retry_after)
        if rate_limited:
            await gate.hold(max(failure.retry_after, 0.0), sleep)
        else:
            await sleep(backoff_seconds * 2 ** (failures - 1))
    return "failed"  # pragma: no cover - the loop always returns


def delivery_status(session: Session, kind: str, target: str, day: date) -> str | None:
    return session.scalar(select(Delivery.status).where(Delivery.kind == kind, Delivery.target == target, Delivery.day == day))
