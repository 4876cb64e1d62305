"""Working days: weekends and the bank holidays of the organisation's UK nation. Pure date arithmetic.

Nations follow the `holidays` package subdivisions: ENG (England), WLS (Wales), SCT (Scotland),
NIR (Northern Ireland). Substitute days are included (Boxing Day 2026 is observed on Monday 28 December).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

NATIONS = ("ENG", "WLS", "SCT", "NIR")


@lru_cache(maxsize=8)
def bank_holidays(nation: str = "ENG") -> holidays.HolidayBase:
    if nation not in NATIONS:
        raise ValueError(f"unknown UK nation {nation!r}; use one of {', '.join(NATIONS)}")
    return holidays.country_holidays("GB", subdiv=nation)


class WorkingCalendar:
    """Working-day arithmetic for one nation. Give it the holiday set explicitly in tests if you like."""

    def __init__(self, nation: str = "ENG", extra_closures: frozenset[date] = frozenset()) -> None:
        self.nation = nation
        self._holidays = bank_holidays(nation)
        self._closures = extra_closures

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays and day not in self._closures

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day`."""
        day -= timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n=0: `day` itself if working, else the next working day)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return self.on_or_after(day)
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def local_today(now: datetime, tz: ZoneInfo) -> date:
    """Today's date in the organisation's zone for an aware instant."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: attach a time zone")
    return now.astimezone(tz).date()
