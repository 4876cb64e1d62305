"""`standards-bot serve`: the HTTP server for Slack, Teams and health checks."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    main.add_command(serve)


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="HTTP port (default: $PORT or 3978).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on.")
@click.pass_context
def serve(ctx: click.Context, port: int | None, host: str) -> None:
    """Serve Slack (/slack/events), Teams (/api/messages) and /healthz (and run the scheduler)."""
    import logging

    from aiohttp import web

    from bot.cli import Failure, database_problem, get_app
    from bot.logs import configure_logging
    from bot.server import build_web_app

    configure_logging(logging.INFO)
    app = get_app(ctx)
    try:
        app.db.ping()  # also migrates (first use of app.db), before accepting traffic
    except Exception as exc:  # noqa: BLE001 - one readable line, exit 1, never a traceback
        problem = database_problem(exc, app.settings.database_url, connecting=True)
        if problem is None:
            raise
        raise Failure(problem) from None
    try:
        app.warm_up()  # build the search index now, so the first questions are not the slow ones
    except Exception as exc:  # noqa: BLE001 - the index is built again on the first question
        logging.getLogger("standards_bot.serve").warning("search index not preloaded (%s); it is built on first use", type(exc).__name__)
    web_app = build_web_app(app)  # its scheduler starts with the server unless SCHEDULER_ENABLED=false
    if app.settings.slack_app_token:  # Slack Socket Mode alongside HTTP (issue 5)
        from bot.slack.socket_mode import start as start_slack_socket_mode

        start_slack_socket_mode(web_app)
    web.run_app(web_app, host=host, port=port or app.settings.port, print=None, shutdown_timeout=20, access_log=None)
