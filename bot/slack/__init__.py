"""Slack adapter (issue 5): translates Slack payloads to neutral requests and renders replies as Block Kit."""

from __future__ import annotations

from aiohttp import web

ADAPTER_KEY = web.AppKey("slack_adapter", object)


def setup(web_app: web.Application, app) -> None:
    """Add POST /slack/events to the server (503 until SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set)."""
    if not app.settings.slack_enabled:

        async def not_configured(request: web.Request) -> web.Response:
            return web.json_response({"error": "Slack is not configured"}, status=503)

        web_app.router.add_post("/slack/events", not_configured)
        return

    import sys

    from bot.slack.adapter import SlackAdapter

    # Handlers (search) run on threads and are CPU-bound; hand the GIL back to the event loop within 1 ms
    # (default 5 ms) so acknowledgements are not held up behind them.
    sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
    adapter = SlackAdapter(app)
    web_app[ADAPTER_KEY] = adapter
    web_app.router.add_post("/slack/events", adapter.handle)

    async def start(_: web.Application) -> None:
        await adapter.start()

    async def stop(_: web.Application) -> None:
        await adapter.stop()

    web_app.on_startup.append(start)
    web_app.on_shutdown.append(stop)


def adapter_of(web_app: web.Application):
    """The SlackAdapter serving `web_app` (None when Slack is not configured)."""
    return web_app.get(ADAPTER_KEY)
