"""One aiohttp server for everything: Slack on /slack/events, Teams on /api/messages, /healthz."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.app import App

log = logging.getLogger(__name__)
APP_KEY = web.AppKey("standards_app", App)
MAX_BODY = 1024 * 1024


async def healthz(request: web.Request) -> web.Response:
    app: App = request.app[APP_KEY]
    try:
        await asyncio.get_running_loop().run_in_executor(None, app.db.ping)
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def build_web_app(app: App) -> web.Application:
    """The HTTP application; each platform adds its routes with one call."""
    from bot import slack, teams

    web_app = web.Application(client_max_size=MAX_BODY)
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    slack.setup(web_app, app)
    teams.setup(web_app, app)
    try:
        import scheduler

        if hasattr(scheduler, "setup"):
            scheduler.setup(web_app, app)
    except ImportError:  # pragma: no cover
        pass
    return web_app
