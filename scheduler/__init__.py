"""The scheduler inside `standards-bot serve`: APScheduler 3.x, job store in the project's database.

One job, `standards-bot.tick`, runs every minute on a CronTrigger in TZ_NAME (coalesced, so a backlog after
downtime runs once). Each tick sends whatever is due by then and not yet claimed: the day's digests for
everyone whose digest time has passed, and agendas whose posting time has come. The same tick runs once at
start-up, which is how a run missed while the service was down is caught up the same day. Exactly-once is
not the scheduler's job: every send is claimed under a unique key first (see scheduler/delivery.py), so a
restart, a second replica or `nudges --send` never repeat a message.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

log = logging.getLogger(__name__)

TICK_JOB_ID = "standards-bot.tick"
RUNTIME_KEY = "serve"  # one runtime per process; every replica's stored job names the same key
_runtimes: dict[str, SchedulerRuntime] = {}


@dataclass
class TickResult:
    digests: object | None = None
    agendas: object | None = None
    slots_run: list[str] = field(default_factory=list)


class SchedulerRuntime:
    """What a tick needs: the App, the platforms, and how to wait (tests inject a sleep that returns at once)."""

    def __init__(self, app, deliverers=None, sleep=asyncio.sleep, source=None) -> None:
        self.app = app
        self.deliverers = deliverers
        self.sleep = sleep
        self.source = source
        self.scheduler = None
        self.starting: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    async def start(self, retry_seconds: float = 60.0) -> None:
        """Start APScheduler (job store in the database) and run the catch-up tick; retry while the DB is down."""
        while True:
            try:
                self.scheduler = await asyncio.to_thread(build_scheduler, self.app, RUNTIME_KEY)
                _runtimes[RUNTIME_KEY] = self
                self.scheduler.start()
                break
            except Exception as exc:  # noqa: BLE001 - keep serving; try again later
                log.warning("scheduler not started (%s); retrying in %.0f s", type(exc).__name__, retry_seconds)
                await asyncio.sleep(retry_seconds)
        await self.safe_tick()

    async def safe_tick(self) -> None:
        """A tick whose failure is logged, never raised: the next tick tries again."""
        try:
            await self.tick()
        except Exception:  # noqa: BLE001
            log.exception("scheduler tick failed")

    async def stop(self) -> None:
        """Cancel a pending start, shut APScheduler down, forget this runtime."""
        task = self.starting
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler.shutdown is scheduled on the loop (call_soon_threadsafe)
        if _runtimes.get(RUNTIME_KEY) is self:
            del _runtimes[RUNTIME_KEY]

    async def tick(self, now: datetime | None = None) -> TickResult:
        """Send what is due at `now` (default: the App's clock). Safe to call any number of times."""
        from scheduler.agendas import post_agendas
        from scheduler.digests import deliver_digests

        now = (now or self.app.now()).astimezone(self.app.tz)
        day, clock_time = now.date(), now.time()
        result = TickResult()
        if not self.app.calendar.is_working_day(day):
            return result
        async with self._lock:  # one tick at a time in this process; other replicas are held off by the claims
            if self.deliverers is None:
                from scheduler.delivery import platform_deliverers

                self.deliverers = platform_deliverers(self.app)
            deliverers = self.deliverers
            pending_slots = await asyncio.to_thread(self._pending_slots, day, clock_time.strftime("%H:%M"))
            if pending_slots:
                result.digests = await deliver_digests(
                    self.app, day, deliverers=deliverers, sleep=self.sleep, source=self.source, not_after=clock_time
                )
                await asyncio.to_thread(self._complete_slots, day, pending_slots)
                result.slots_run = pending_slots
                report = result.digests
                log.info(  # counts only: no staff ids in the logs
                    "digest run %s: sent %d, already sent %d, paused %d, unreachable %d, failed %d",
                    day.isoformat(), report.sent, report.already_sent, report.paused, len(report.unreachable),
                    report.failed,
                )
            result.agendas = await post_agendas(
                self.app, day, now_time=clock_time, deliverers=deliverers, sleep=self.sleep, source=self.source
            )
        return result

    def _pending_slots(self, day, hhmm: str) -> list[str]:
        from bot.storage.models.scheduler import DigestRun
        from scheduler.digests import send_slots

        with self.app.db.unit() as session:
            slots = {s for s in send_slots(session, self.app.policy) if s <= hhmm}
            done = set(session.scalars(select(DigestRun.slot).where(DigestRun.day == day)))
        return sorted(slots - done)

    def _complete_slots(self, day, slots: list[str]) -> None:
        from bot.storage.base import utcnow
        from bot.storage.models.scheduler import DigestRun
        from scheduler.delivery import insert_ignoring_conflicts

        with self.app.db.unit() as session:
            for slot in slots:
                insert_ignoring_conflicts(session, DigestRun, {"day": day, "slot": slot, "completed_at": utcnow()})


_scheduler_key = None


def scheduler_key():
    """The aiohttp AppKey under which `setup` stores the runtime (also `scheduler.SCHEDULER_KEY`).

    Made on first use so that commands which only read the digests (`nudges`) do not import aiohttp.
    """
    global _scheduler_key
    if _scheduler_key is None:
        from aiohttp import web

        _scheduler_key = web.AppKey("standards_scheduler", SchedulerRuntime)
    return _scheduler_key


def __getattr__(name: str):
    if name == "SCHEDULER_KEY":
        return scheduler_key()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


async def run_tick(runtime_key: str) -> None:
    """The job APScheduler runs (a textual reference, so the job survives in the persistent store)."""
    runtime = _runtimes.get(runtime_key)
    if runtime is None:
        log.warning("scheduler tick with no runtime %s", runtime_key)
        return
    await runtime.safe_tick()


def build_scheduler(app, runtime_key: str):
    """An AsyncIOScheduler in TZ_NAME with the SQLAlchemy job store on the app's database, and the tick job."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=app.db.engine, tablename="apscheduler_jobs")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=app.tz,
    )
    scheduler.add_job(
        "scheduler:run_tick",
        trigger=CronTrigger(minute="*", timezone=app.tz),
        args=[runtime_key],
        id=TICK_JOB_ID,
        name="digests and agendas",
        replace_existing=True,
        coalesce=True,
        misfire_grace_time=3600,
        max_instances=1,
    )
    return scheduler


def scheduler_enabled(app) -> bool:
    """The `SCHEDULER_ENABLED` setting (default true) of the App's settings."""
    settings = getattr(app, "settings", None)
    return bool(getattr(settings, "scheduler_enabled", True))


def setup(web_app, app, *, deliverers=None, sleep=asyncio.sleep, source=None, start: bool | None = None) -> SchedulerRuntime:
    """Start the scheduler when the web app starts (with a catch-up tick) and shut it down on cleanup.

    Start-up never fails the server: if the database is unreachable the scheduler retries every minute
    (`/healthz` reports the outage meanwhile). APScheduler fires on wall time, so by default it starts only
    for an App on the system clock; tests with a controllable clock drive `runtime.tick(now)` themselves,
    or pass `start=True`. With `SCHEDULER_ENABLED=false` it never starts (whatever `start` says): this
    process then sends no digests or agendas by itself, and `nudges --send` still works.
    """
    from bot.app import system_clock

    runtime = SchedulerRuntime(app, deliverers=deliverers, sleep=sleep, source=source)
    web_app[scheduler_key()] = runtime
    if not scheduler_enabled(app):
        log.info("scheduler disabled (SCHEDULER_ENABLED=false): this process sends no digests or agendas")
        start = False
    elif start is None:
        start = getattr(app, "_clock", system_clock) is system_clock

    async def begin(_web_app) -> None:
        if start:
            runtime.starting = asyncio.create_task(runtime.start())

    async def end(_web_app) -> None:
        await runtime.stop()

    web_app.on_startup.append(begin)
    web_app.on_cleanup.append(end)
    return runtime
