"""Slack Socket Mode: the same Bolt app over an outbound WebSocket, for councils without a public URL."""

from __future__ import annotations

import logging

from aiohttp import web

log = logging.getLogger(__name__)
HANDLER_KEY = web.AppKey("slack_socket_mode", object)


def start(web_app: web.Application) -> None:
    """Open a Socket Mode connection alongside the web server when SLACK_APP_TOKEN is set (call before run_app)."""
    from bot.server import APP_KEY
    from bot.slack import adapter_of

    app = web_app[APP_KEY]
    token = app.settings.slack_app_token
    adapter = adapter_of(web_app)
    if token is None or not token.get_secret_value() or adapter is None:
        return

    async def connect(_: web.Application) -> None:
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(adapter.bolt, app_token=token.get_secret_value())
        handler.client.logger = logging.getLogger("bot.slack.socket_mode")
        await handler.connect_async()
        web_app[HANDLER_KEY] = handler
        log.info("Slack Socket Mode connected")

    async def disconnect(_: web.Application) -> None:
        handler = web_app.get(HANDLER_KEY)
        if handler is not None:
            await handler.close_async()

    web_app.on_startup.append(connect)
    web_app.on_cleanup.append(disconnect)
