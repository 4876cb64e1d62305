"""Microsoft Teams adapter (issue 6): Bot Framework activities in, Adaptive Cards out.

Every botbuilder import lives in this package (and its tests), so moving to the Microsoft 365 Agents SDK
touches one package.
"""

from __future__ import annotations

import logging

from aiohttp import web

log = logging.getLogger(__name__)


def setup(web_app: web.Application, app) -> None:
    """Add POST /api/messages to the server (503 with the reason when the credentials are unusable)."""
    from bot.teams.adapter import build_adapter
    from bot.teams.bot import StandardsBot
    from bot.teams.endpoint import MessagesEndpoint

    try:
        endpoint = MessagesEndpoint(build_adapter(app.settings), StandardsBot(app))
    except Exception as exc:  # noqa: BLE001 - e.g. SingleTenant without a password
        reason = f"Teams adapter not configured: {exc}"
        log.error("%s", reason)

        async def not_configured(request: web.Request) -> web.Response:
            return web.json_response({"error": reason}, status=503)

        web_app.router.add_post("/api/messages", not_configured)
        return
    web_app.router.add_post("/api/messages", endpoint)
