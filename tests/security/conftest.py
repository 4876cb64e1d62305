"""Security-review harness: the real server with Slack and Teams on, a fake Slack Web API and a fake connector."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.server import build_web_app
from tests.security.fakes import FakePlatforms, add_two_teams, platform_settings, start_platforms


@pytest.fixture
async def platforms(aiohttp_server) -> FakePlatforms:
    return await start_platforms(aiohttp_server)


@pytest.fixture
def org_app(db_url, clock, platforms) -> App:
    """Two teams: north (manager mgr, worker wrk) and south (manager other, worker sth)."""
    application = App(platform_settings(db_url, platforms), clock=clock)
    add_two_teams(application)
    yield application
    application.close()


@pytest.fixture
async def server(aiohttp_client, org_app):
    """A test client for the real aiohttp application (Slack, Teams and /healthz)."""
    return await aiohttp_client(build_web_app(org_app))
