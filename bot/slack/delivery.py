"""Proactive Slack sends for the scheduler (digests, agendas): the `Deliverer` of scheduler/delivery.py."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import render
from bot.storage.models import Staff
from handlers.types import Reply
from scheduler.delivery import DeliveryFailed

log = logging.getLogger(__name__)

# Slack errors that no retry can fix: the person, channel or installation is gone or barred.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found", "users_not_found", "channel_not_found", "not_in_channel", "is_archived",
        "account_inactive", "invalid_auth", "not_authed", "token_revoked", "token_expired", "no_permission",
        "missing_scope", "cannot_dm_bot", "user_disabled", "restricted_action", "team_access_not_granted",
        "ekm_access_denied", "msg_too_long", "invalid_blocks", "too_many_attachments",
    }
)


class SlackDeliverer:
    """Sends neutral replies to people (a DM) and to channels: one Web API call per message.

    A bot token may post straight to a user id (`chat.postMessage` with `channel=U…`): Slack delivers it in
    the app's DM with that person, so no `conversations.open` round trip is needed per digest.
    """

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    def can_reach(self, staff: Staff) -> bool:
        return bool(staff.slack_user_id)

    async def send_direct(self, staff: Staff, reply: Reply) -> None:
        if not staff.slack_user_id:
            raise DeliveryFailed("no Slack user id", permanent=True)
        await self._call("chat_postMessage", channel=staff.slack_user_id, **render.message(reply))

    async def send_channel(self, channel: str, reply: Reply) -> None:
        await self._call("chat_postMessage", channel=channel, **render.message(reply))

    async def _call(self, method: str, **kwargs):
        """One Web API call; every failure becomes DeliveryFailed (429 with its Retry-After)."""
        try:
            return await getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            response = exc.response
            error = str(response.get("error") or "unknown_error")
            if response.status_code == 429 or error == "ratelimited":
                raise DeliveryFailed("ratelimited", retry_after=_retry_after(response.headers)) from None
            raise DeliveryFailed(error, permanent=error in PERMANENT_ERRORS) from None
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise DeliveryFailed(f"network: {type(exc).__name__}") from None


def _retry_after(headers) -> float:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return max(float(value), 0.0)
            except (TypeError, ValueError):
                break
    return 1.0


def build_deliverer(app) -> SlackDeliverer | None:
    """The Slack deliverer when SLACK_BOT_TOKEN is set, else None (Slack is not used)."""
    token = app.settings.slack_bot_token
    if token is None or not token.get_secret_value():
        return None
    return SlackDeliverer(AsyncWebClient(token=token.get_secret_value(), base_url=app.settings.slack_api_url))
