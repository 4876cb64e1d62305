"""The wiring: build settings, database, policy and calendar once, and hand them to whatever runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from functools import cached_property
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.storage import Database
from handlers.calendar import WorkingCalendar
from handlers.policy import Policy, load_policy


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class App:
    """Process-wide services, created lazily so a command only pays for what it uses."""

    def __init__(self, settings: Settings | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings or Settings()
        self._clock = clock or system_clock

    @cached_property
    def db(self) -> Database:
        """The database, migrated to the latest schema on first use."""
        database = Database(self.settings.database_url)
        database.ensure_current()
        return database

    @cached_property
    def policy(self) -> Policy:
        return load_policy(self.settings.standards_policy)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.policy.nation)

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    def now(self) -> datetime:
        """The current instant in the organisation's time zone."""
        return self._clock().astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()

    @cached_property
    def knowledge(self):
        """The search index over the bundled and imported standards (built on first use)."""
        from knowledge import load_index

        return load_index(self)

    def warm_up(self) -> None:
        """Before a server takes traffic: build the search index, then move everything loaded so far (the
        index, the word-frequency table, the policy) out of the garbage collector's sight, so full collections
        stay short and no request stalls behind one."""
        import gc

        self.policy, self.calendar, self.knowledge  # noqa: B018 - built for their side effect
        # one question through the whole search loads what it loads lazily (the encoder's threads, and wordfreq
        # for words with digits, 0.2 s), so the first manager to ask a question with a number does not wait
        self.knowledge.search("how often is supervision - every 28 days?", limit=1)
        gc.collect()
        gc.freeze()

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
