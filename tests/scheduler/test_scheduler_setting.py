"""SCHEDULER_ENABLED: an IT admin can turn the in-process scheduler off on some `serve` replicas."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from scheduler_fakes import Sleeps
from sqlalchemy import func, select

from bot.app import App
from bot.config import Settings
from bot.storage.models.scheduler import ApschedulerJob, Delivery
from scheduler import SCHEDULER_KEY, setup


@pytest.mark.parametrize(("raw", "enabled"), [(None, True), ("true", True), ("1", True), ("false", False), ("0", False), ("no", False), ("off", False)])
def test_the_setting_is_read_from_the_environment(monkeypatch, raw, enabled):
    monkeypatch.delenv("SCHEDULER_ENABLED", raising=False)
    if raw is not None:
        monkeypatch.setenv("SCHEDULER_ENABLED", raw)
    assert Settings(_env_file=None).scheduler_enabled is enabled


def test_a_value_that_is_not_a_boolean_is_refused_naming_the_variable(sqlite_cli):
    result = sqlite_cli("admin", "check", env={"SCHEDULER_ENABLED": "sometimes"})
    assert result.exit_code == 2 and "SCHEDULER_ENABLED" in result.stderr


async def test_a_replica_with_the_scheduler_off_starts_no_scheduler_and_sends_nothing(org, settings, clock, slack, teams, table):
    off = App(settings.model_copy(update={"scheduler_enabled": False}), clock=clock)
    web_app = web.Application()
    runtime = setup(web_app, off, deliverers=[slack, teams], sleep=Sleeps(), source=table, start=True)
    runner = web.AppRunner(web_app)
    await runner.setup()
    try:
        assert web_app[SCHEDULER_KEY] is runtime
        assert runtime.starting is None and runtime.scheduler is None
    finally:
        await runner.cleanup()
        off.close()
    assert slack.sent == [] and teams.sent == []
    with org.db.unit() as session:
        assert session.scalar(select(func.count()).select_from(ApschedulerJob)) == 0
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0


async def test_serve_wiring_honours_the_setting(db_url):
    """`serve` builds its server with bot.server.build_web_app: on the system clock the scheduler starts
    unless SCHEDULER_ENABLED=false."""
    from bot.server import build_web_app

    for enabled in (False, True):
        app = App(Settings(database_url=db_url, scheduler_enabled=enabled, _env_file=None))
        web_app = build_web_app(app)
        runtime = web_app[SCHEDULER_KEY]
        runner = web.AppRunner(web_app)
        await runner.setup()
        try:
            assert (runtime.starting is not None) is enabled
        finally:
            await runner.cleanup()
            app.close()


def test_admin_check_reports_the_scheduler_setting(cli):
    assert json.loads(cli("admin", "check", "--json").stdout)["scheduler"] == "enabled"
    off = cli("admin", "check", "--json", env={"SCHEDULER_ENABLED": "false"})
    assert json.loads(off.stdout)["scheduler"].startswith("disabled")
