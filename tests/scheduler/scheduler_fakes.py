"""Fakes for the scheduler tests: a recording platform (a fake Slack/Teams), a table of nudges, a sleep."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date

from bot.storage.models import Staff
from handlers.types import Nudge, Reply


@dataclass
class RecordingPlatform:
    """A fake platform: reaches the staff ids it is told about, records what it would have sent.

    `failures` maps a staff id (or channel) to a list of DeliveryFailed to raise before succeeding.
    """

    platform: str = "slack"
    reach: set[str] = field(default_factory=set)
    failures: dict[str, list[BaseException]] = field(default_factory=dict)
    sent: list[tuple[str, Reply]] = field(default_factory=list)
    posted: list[tuple[str, Reply]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def can_reach(self, staff: Staff) -> bool:
        return staff.staff_id in self.reach

    async def send_direct(self, staff: Staff, reply: Reply) -> None:
        self._maybe_fail(staff.staff_id)
        with self.lock:
            self.sent.append((staff.staff_id, reply))

    async def send_channel(self, channel: str, reply: Reply) -> None:
        self._maybe_fail(channel)
        with self.lock:
            self.posted.append((channel, reply))

    def _maybe_fail(self, key: str) -> None:
        with self.lock:
            self.calls.append(key)
            pending = self.failures.get(key)
            if pending:
                raise pending.pop(0)

    def recipients(self) -> list[str]:
        return [staff_id for staff_id, _ in self.sent]


class NudgeTable:
    """A nudge source for the scheduler's tests: the same open items every day until the test changes them."""

    def __init__(self, nudges: list[Nudge]) -> None:
        self.nudges = list(nudges)

    def __call__(self, session, policy, calendar, day: date) -> list[Nudge]:
        return list(self.nudges)


class Sleeps:
    """An injected sleep: records how long the run asked to wait, returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


MONDAY = date(2026, 11, 23)


def nudge(recipient: str, kind: str, subject: str, due: date = MONDAY, detail: str | None = None) -> Nudge:
    return Nudge(
        recipient=recipient,
        kind=kind,
        subject=subject,
        due=due,
        detail=detail or f"{kind.replace('_', ' ')} about {subject}",
        cite="Sefton Practice Standards for Managers 2023, 5",
        query=kind.replace("_", " "),
    )
