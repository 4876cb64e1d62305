"""POST /api/messages: check the activity, authenticate it, then let botbuilder run the turn.

Order matters: a malformed body is a 400 before anything else; a missing or wrong Bot Framework token is
a 401 (when credentials are configured); only then does botbuilder see the activity. Activity types and
invokes this bot does not handle get a 200 with nothing done. Failures inside a turn are logged (type
only, never content) and answered 200, so the Bot Framework does not retry a message we cannot process.
"""

from __future__ import annotations

import logging
import traceback

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ActivityTypes

from bot.teams.activity import InvalidActivity, parse_activity
from bot.teams.bot import StandardsBot, reply_activity
from handlers.types import Reply

log = logging.getLogger(__name__)

HANDLED_TYPES = frozenset({ActivityTypes.message, ActivityTypes.conversation_update, ActivityTypes.installation_update})
HANDLED_INVOKES: frozenset[str] = frozenset()  # cards use Action.Submit (message activities), not invokes
APOLOGY = "Sorry, something went wrong on our side; please try again shortly."


class MessagesEndpoint:
    """The aiohttp handler for Bot Framework activities."""

    def __init__(self, adapter: CloudAdapter, bot: StandardsBot) -> None:
        self.adapter = adapter
        self.bot = bot
        adapter.on_turn_error = self.on_turn_error

    async def __call__(self, request: web.Request) -> web.Response:
        try:
            raw = await request.read()
            activity = parse_activity(raw)
        except web.HTTPRequestEntityTooLarge:
            return web.json_response({"error": "activity too large"}, status=413)
        except InvalidActivity as exc:
            return web.json_response({"error": str(exc)}, status=400)

        auth_header = request.headers.get("Authorization", "")
        try:
            authenticated = await self.adapter.bot_framework_authentication.authenticate_request(activity, auth_header)
        except Exception as exc:  # noqa: BLE001 - any failure to verify the token means "not authorised"
            log.info("bot framework authentication refused (%s)", type(exc).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)

        if activity.type not in HANDLED_TYPES and not (activity.type == ActivityTypes.invoke and activity.name in HANDLED_INVOKES):
            return web.json_response({}, status=200)  # typing, reactions, unsupported invokes: nothing to do

        try:
            invoke_response = await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)
        except Exception as exc:  # noqa: BLE001 - e.g. a connector that cannot be built for this serviceUrl
            log.warning("activity could not be processed (%s)", type(exc).__name__)
            return web.json_response({"error": "activity could not be processed"}, status=400)
        if invoke_response:
            return web.json_response(invoke_response.body, status=invoke_response.status)
        return web.json_response({}, status=200)

    async def on_turn_error(self, turn_context: TurnContext, error: Exception) -> None:
        """Log the failure (its type, never the message) and apologise in the conversation if we can."""
        frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
        where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else "?"
        log.error("teams turn failed (%s at %s)", type(error).__name__, where)  # no message: it may hold user text
        try:
            await turn_context.send_activity(reply_activity(Reply.text(APOLOGY)))
        except Exception as exc:  # noqa: BLE001 - the connector itself may be what failed
            log.warning("apology could not be sent (%s)", type(exc).__name__)
