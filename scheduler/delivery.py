"""How the scheduler reaches people: one Deliverer per platform, implemented by each platform adapter.

`bot/slack/delivery.py` and `bot/teams/delivery.py` implement this protocol; the scheduler only
knows the protocol, so digests and agendas are built once (as neutral replies) and rendered per platform.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.storage.models import Staff
from handlers.types import Reply


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
