"""The scheduler inside `serve`: ticks driven by a controllable clock, catch-up, replicas, APScheduler set-up."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from scheduler_fakes import NudgeTable, Sleeps
from sqlalchemy import select

from bot.app import App
from bot.storage.models.scheduler import ApschedulerJob, Delivery
from handlers.digest import set_digest_time
from scheduler import SCHEDULER_KEY, TICK_JOB_ID, SchedulerRuntime, setup

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


class CountingTable(NudgeTable):
    calls = 0

    def __call__(self, *args):
        self.calls += 1
        return super().__call__(*args)


def runtime_for(app, slack, teams, table) -> SchedulerRuntime:
    return SchedulerRuntime(app, deliverers=[slack, teams], sleep=Sleeps(), source=table)


async def test_the_digest_goes_at_the_policy_time_once(org, slack, teams, table):
    table = CountingTable(table.nudges)
    runtime = runtime_for(org, slack, teams, table)

    await runtime.tick(at(23, 8, 29))
    assert slack.sent == [] and table.calls == 0
    await runtime.tick(at(23, 8, 30))
    assert sorted(slack.recipients()) == ["M1", "W1"] and teams.recipients() == ["W2"]
    calls = table.calls
    for minute in range(31, 40):
        await runtime.tick(at(23, 8, minute))
    assert len(slack.sent) == 2 and len(teams.sent) == 1
    assert table.calls == calls  # a completed slot is not recomputed every minute


async def test_a_run_missed_while_the_service_was_down_is_caught_up_the_same_day_once(org, slack, teams, table):
    runtime = runtime_for(org, slack, teams, table)
    await runtime.tick(at(23, 11, 15))  # first tick after a restart at 11:15
    assert sorted(slack.recipients()) == ["M1", "W1"]

    restarted = runtime_for(org, slack, teams, table)  # and another restart
    await restarted.tick(at(23, 11, 20))
    await restarted.tick(at(24, 7, 0))  # next morning, before the digest time: nothing
    assert len(slack.sent) == 2 and len(teams.sent) == 1


async def test_a_personal_digest_time_waits_for_its_own_slot(org, slack, teams, table):
    with org.db.unit() as session:
        set_digest_time(session, "W1", "10:00")
    runtime = runtime_for(org, slack, teams, table)
    await runtime.tick(at(23, 8, 30))
    assert slack.recipients() == ["M1"]
    await runtime.tick(at(23, 9, 59))
    assert slack.recipients() == ["M1"]
    await runtime.tick(at(23, 10, 0))
    assert slack.recipients() == ["M1", "W1"]


async def test_ticks_on_weekends_and_bank_holidays_send_nothing(org, slack, teams, table):
    runtime = runtime_for(org, slack, teams, table)
    for moment in (at(28, 9), at(29, 12), at(25, 9, month=12), at(28, 9, month=12)):
        await runtime.tick(moment)
    assert slack.sent == [] and teams.sent == []


async def test_two_replicas_ticking_together_send_each_digest_once(org, settings, clock, slack, teams, table):
    replicas = [App(settings, clock=clock) for _ in range(3)]
    runtimes = [runtime_for(app, slack, teams, table) for app in replicas]
    await asyncio.gather(*(r.tick(at(23, 8, 30)) for r in runtimes))
    await asyncio.gather(*(r.tick(at(23, 8, 31)) for r in runtimes))
    for app in replicas:
        app.close()
    assert sorted(slack.recipients()) == ["M1", "W1"] and teams.recipients() == ["W2"]


async def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        await asyncio.sleep(0.02)


async def test_serve_starts_apscheduler_with_its_job_in_the_database_and_catches_up(org, slack, teams, table):
    web_app = web.Application()
    runtime = setup(web_app, org, deliverers=[slack, teams], sleep=Sleeps(), source=table, start=True)
    assert web_app[SCHEDULER_KEY] is runtime
    runner = web.AppRunner(web_app)
    await runner.setup()  # on_startup: the scheduler starts and a catch-up tick runs (clock: Monday 09:00)
    try:
        await wait_for(lambda: runtime.scheduler is not None and runtime.scheduler.running)
        scheduler = runtime.scheduler
        assert scheduler.running and str(scheduler.timezone) == "Europe/London"
        job = scheduler.get_job(TICK_JOB_ID)
        assert job.coalesce is True and job.misfire_grace_time == 3600 and job.max_instances == 1
        assert str(job.trigger.timezone) == "Europe/London" and "minute='*'" in str(job.trigger)
        with org.db.unit() as session:
            assert session.scalar(select(ApschedulerJob.id)) == TICK_JOB_ID
        await wait_for(lambda: len(slack.sent) == 2 and len(teams.sent) == 1)
        await job.func(*job.args)  # what APScheduler runs each minute (stored as "scheduler:run_tick")
        assert job.func_ref == "scheduler:run_tick"
    finally:
        await runner.cleanup()
    assert not runtime.scheduler.running

    # A restart the same day: the job is replaced, not duplicated, and nothing is sent twice.
    again = web.Application()
    second = setup(again, org, deliverers=[slack, teams], sleep=Sleeps(), source=table, start=True)
    runner = web.AppRunner(again)
    await runner.setup()
    try:
        await wait_for(lambda: second.starting.done())
        with org.db.unit() as session:
            assert session.query(ApschedulerJob).count() == 1
            assert session.query(Delivery).count() == 3
    finally:
        await runner.cleanup()
    assert len(slack.sent) == 2 and len(teams.sent) == 1


async def test_an_unreachable_database_does_not_stop_the_server_starting(clock):
    from bot.config import Settings

    broken = App(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", _env_file=None), clock=clock)
    web_app = web.Application()
    runtime = setup(web_app, broken, deliverers=[], start=True)
    runner = web.AppRunner(web_app)
    await runner.setup()  # does not raise: the scheduler keeps retrying in the background
    try:
        await wait_for(lambda: runtime.starting is not None)
        assert not runtime.starting.done() and runtime.scheduler is None
    finally:
        await runner.cleanup()
    assert runtime.starting.cancelled() or runtime.starting.done()


async def test_an_app_on_a_test_clock_does_not_start_apscheduler_by_itself(org, slack, teams, table):
    web_app = web.Application()
    runtime = setup(web_app, org, deliverers=[slack, teams], source=table)
    runner = web.AppRunner(web_app)
    await runner.setup()
    try:
        assert runtime.starting is None and runtime.scheduler is None
    finally:
        await runner.cleanup()
    assert slack.sent == [] and teams.sent == []


async def test_two_serve_replicas_with_their_own_apscheduler_on_one_database_send_once(
    org, settings, clock, slack, teams, table
):
    replicas = [App(settings, clock=clock) for _ in range(2)]
    web_apps = [web.Application() for _ in replicas]
    runtimes = [
        setup(w, app, deliverers=[slack, teams], sleep=Sleeps(), source=table, start=True)
        for w, app in zip(web_apps, replicas)
    ]
    runners = [web.AppRunner(w) for w in web_apps]
    try:
        await asyncio.gather(*(r.setup() for r in runners))  # both start and catch up at the same moment
        await wait_for(lambda: all(rt.starting is not None and rt.starting.done() for rt in runtimes))
    finally:
        for runner in runners:
            await runner.cleanup()
        for app in replicas:
            app.close()
    assert sorted(slack.recipients()) == ["M1", "W1"] and teams.recipients() == ["W2"]
    with org.db.unit() as session:
        assert session.query(ApschedulerJob).count() == 1
