"""Microsoft Teams adapter (issue 6): Bot Framework activities in, Adaptive Cards out."""

from __future__ import annotations

from aiohttp import web


def setup(web_app: web.Application, app) -> None:
    """Add POST /api/messages to the server."""

    async def not_ready(request: web.Request) -> web.Response:
        return web.json_response({"error": "Teams adapter not available"}, status=503)

    web_app.router.add_post("/api/messages", not_ready)
