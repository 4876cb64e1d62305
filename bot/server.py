"""One aiohttp server for everything: Slack on /slack/events, Teams on /api/messages, /healthz."""

from __future__ import annotations

import asyncio
import logging
import uuid

from aiohttp import web
from sqlalchemy.exc import DBAPIError, OperationalError

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


@web.middleware
async def request_context(request: web.Request, handler):
    """Give every request an id for the logs, and turn unexpected errors into a 500 without details."""
    from bot.logs import request_id

    token = request_id.set(request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:12])
    try:
        response = await handler(request)
    except web.HTTPException:
        raise
    except DBAPIError as exc:
        if not exc.connection_invalidated and not isinstance(exc, OperationalError):
            log.exception("database error on %s %s", request.method, request.path)
        else:
            log.warning("database unavailable on %s %s", request.method, request.path)
        response = web.json_response(
            {"error": "The service is briefly unavailable; please try again shortly."}, status=503
        )
    except Exception:  # noqa: BLE001
        log.exception("unhandled error on %s %s", request.method, request.path)
        response = web.json_response({"error": "internal error"}, status=500)
    finally:
        request_id.reset(token)
    return response


def build_web_app(app: App) -> web.Application:
    """The HTTP application; each platform adds its routes with one call.

    The policy and calendar are loaded here, before the port opens, so a bad STANDARDS_POLICY stops
    `serve` at start-up with one readable message instead of failing every scheduler tick later.
    """
    from bot import slack, teams

    app.policy, app.calendar  # noqa: B018 - raise PolicyError now (the CLI reports it, exit 2)
    web_app = web.Application(client_max_size=MAX_BODY, middlewares=[request_context])
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
