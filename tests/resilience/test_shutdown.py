"""Graceful shutdown as `serve` does it: in-flight requests finish, then the scheduler stops cleanly."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web

import scheduler
from bot.app import App
from bot.config import Settings
from bot.server import build_web_app
from scheduler import SCHEDULER_KEY
from tests.resilience.conftest import eventually


async def test_shutdown_finishes_in_flight_requests_and_stops_the_scheduler(sqlite_url):
    app = App(Settings(database_url=sqlite_url, _env_file=None))  # the system clock: the scheduler really starts
    web_app = build_web_app(app)
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        entered.set()
        await release.wait()
        return web.Response(text="finished")

    web_app.router.add_get("/test/slow", slow)
    runner = web.AppRunner(web_app, shutdown_timeout=20)  # as `serve`: web.run_app(..., shutdown_timeout=20)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    runtime = web_app[SCHEDULER_KEY]
    try:
        await eventually(lambda: runtime.scheduler is not None and runtime.scheduler.running)
        async with aiohttp.ClientSession() as http:
            in_flight = asyncio.create_task(http.get(f"http://127.0.0.1:{port}/test/slow"))
            await asyncio.wait_for(entered.wait(), 10)
            shutdown = asyncio.create_task(runner.cleanup())
            await eventually(lambda: not runner.sites)  # the port is closed to new connections first
            assert not shutdown.done()  # ...and shutdown waits for the request in flight
            release.set()
            response = await asyncio.wait_for(in_flight, 10)
            assert response.status == 200 and await response.text() == "finished"
            await asyncio.wait_for(shutdown, 20)
        assert not runtime.scheduler.running
        assert scheduler.RUNTIME_KEY not in scheduler._runtimes
    finally:
        release.set()
        app.close()
