"""Proactive Teams messages for the scheduler: the `Deliverer` of `scheduler/delivery.py`.

A person is reached through the 1:1 conversation reference stored when they first talked to the bot (or
installed it); a channel through the reference stored when the bot was added to the team. A person the
bot has never met cannot be messaged and is reported (`DeliveryFailed(permanent=True)`), not skipped.
A 403/404 from the connector means the app was removed: the reference is marked stale.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import ClientError
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationParameters, ConversationReference
from botframework.connector.models import ErrorResponseException

from bot.storage.models import Staff
from bot.teams import references
from bot.teams.adapter import build_adapter
from bot.teams.bot import reply_activity
from handlers.types import Reply
from scheduler.delivery import DeliveryFailed

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 1.0  # seconds, when a 429 carries no Retry-After header
GONE_STATUSES = (403, 404)


def build_deliverer(app) -> TeamsDeliverer:
    """The Teams deliverer for this deployment (the scheduler calls this)."""
    return TeamsDeliverer(app)


class TeamsDeliverer:
    """Sends neutral replies, rendered as Adaptive Cards, to stored Teams conversations."""

    platform = "teams"

    def __init__(self, app, adapter: CloudAdapter | None = None) -> None:
        self.app = app
        self.adapter = adapter or build_adapter(app.settings)

    def can_reach(self, staff: Staff) -> bool:
        """True when the person has a usable 1:1 chat with the bot, or an AAD id in a tenant the bot is installed in."""
        with self.app.db.unit() as session:
            row = references.personal_conversation(session, staff)
            if row is not None:
                return not row.stale
            return bool(staff.teams_user_id) and references.tenant_service(session) is not None

    async def send_direct(self, staff: Staff, reply: Reply) -> None:
        """Send `reply` to the person's 1:1 chat; DeliveryFailed when it cannot be delivered."""
        found = await asyncio.to_thread(self._personal, staff)
        if found is None:
            if staff.teams_user_id:
                await self._create_and_send(staff, reply)
                return
            raise DeliveryFailed(
                f"staff {staff.staff_id} has never talked to the bot in Teams (no conversation reference, "
                "no teams_user_id); they need to install the app or message it once",
                permanent=True,
            )
        row_id, stale, reference = found
        if stale:
            raise DeliveryFailed(f"staff {staff.staff_id}: the Teams app was removed (conversation stale)", permanent=True)
        await self._send(row_id, reference, reply)

    async def send_channel(self, channel: str, reply: Reply) -> None:
        """Post `reply` to a team channel whose reference was stored when the bot was added to the team."""
        found = await asyncio.to_thread(self._channel, channel)
        if found is None:
            raise DeliveryFailed(
                f"no Teams conversation stored for channel {channel!r}; add the bot to that team first", permanent=True
            )
        row_id, stale, reference = found
        if stale:
            raise DeliveryFailed(f"channel {channel!r}: the Teams app was removed (conversation stale)", permanent=True)
        await self._send(row_id, reference, reply)

    # ---- internals ---------------------------------------------------------------------------------

    def _personal(self, staff: Staff) -> tuple[int, bool, ConversationReference] | None:
        with self.app.db.unit() as session:
            row = references.personal_conversation(session, staff)
            return None if row is None else (row.id, row.stale, references.load_reference(row))

    def _channel(self, channel: str) -> tuple[int, bool, ConversationReference] | None:
        with self.app.db.unit() as session:
            row = references.channel_conversation(session, channel)
            return None if row is None else (row.id, row.stale, references.load_reference(row))

    def _mark_stale(self, row_id: int, reason: str) -> None:
        with self.app.db.unit() as session:
            references.mark_stale(session, row_id, reason)

    def _tenant(self) -> tuple[str, str, ConversationReference] | None:
        with self.app.db.unit() as session:
            row = references.tenant_service(session)
            return None if row is None else (row.service_url, row.tenant_id, references.load_reference(row))

    def _remember_created(self, staff: Staff, reference: ConversationReference, tenant_id: str) -> None:
        with self.app.db.unit() as session:
            references.remember_reference(session, staff, reference, tenant_id)

    async def _send(self, row_id: int, reference: ConversationReference, reply: Reply) -> None:
        activity = reply_activity(reply)

        async def send(turn_context: TurnContext) -> None:
            await turn_context.send_activity(activity)

        try:
            await self.adapter.continue_conversation(reference, send, bot_app_id=self.app.settings.microsoft_app_id or None)
        except ErrorResponseException as exc:
            status = _status(exc)
            if status in GONE_STATUSES:
                await asyncio.to_thread(self._mark_stale, row_id, f"connector answered {status}")
            raise _failure(exc) from None
        except (ClientError, asyncio.TimeoutError, OSError) as exc:
            raise DeliveryFailed(f"Teams connector unreachable ({type(exc).__name__})") from None

    async def _create_and_send(self, staff: Staff, reply: Reply) -> None:
        """Open a 1:1 chat with someone known by AAD id but never met, in a tenant where the bot is installed."""
        tenant = await asyncio.to_thread(self._tenant)
        if tenant is None:
            raise DeliveryFailed(
                f"staff {staff.staff_id} has never talked to the bot in Teams and it is installed nowhere yet",
                permanent=True,
            )
        service_url, tenant_id, known = tenant
        activity = reply_activity(reply)

        async def send(turn_context: TurnContext) -> None:
            await turn_context.send_activity(activity)
            reference = TurnContext.get_conversation_reference(turn_context.activity)
            await asyncio.to_thread(self._remember_created, staff, reference, tenant_id)

        parameters = ConversationParameters(
            is_group=False,
            bot=known.bot,
            members=[ChannelAccount(id=staff.teams_user_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
        )
        try:
            await self.adapter.create_conversation(
                self.app.settings.microsoft_app_id or None,
                send,
                parameters,
                channel_id=known.channel_id or "msteams",
                service_url=service_url,
            )
        except ErrorResponseException as exc:
            if _status(exc) in GONE_STATUSES:
                raise DeliveryFailed(
                    f"staff {staff.staff_id}: Teams refused a new chat ({_status(exc)}); the app is not installed for them",
                    permanent=True,
                ) from None
            raise _failure(exc) from None
        except (ClientError, asyncio.TimeoutError, OSError) as exc:
            raise DeliveryFailed(f"Teams connector unreachable ({type(exc).__name__})") from None


def _status(exc: ErrorResponseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None) or getattr(response, "status", None)


def _retry_after(exc: ErrorResponseException) -> float:
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        return max(float(headers.get("Retry-After", DEFAULT_RETRY_AFTER)), 0.0)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def _failure(exc: ErrorResponseException) -> DeliveryFailed:
    """Connector status -> DeliveryFailed: 403/404 gone for good, 429 wait, other 4xx permanent, 5xx retry."""
    status = _status(exc)
    if status in GONE_STATUSES:
        return DeliveryFailed(f"Teams connector answered {status}: app removed or conversation gone", permanent=True)
    if status == 429:
        return DeliveryFailed("Teams connector throttled the bot (429)", retry_after=_retry_after(exc))
    if status is not None and 400 <= status < 500:
        return DeliveryFailed(f"Teams connector rejected the message ({status})", permanent=True)
    return DeliveryFailed(f"Teams connector failed ({status})")
