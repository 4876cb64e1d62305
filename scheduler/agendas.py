"""Posting team-meeting agendas to team channels, once per meeting, the working day before (policy-set)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select

from bot.storage.models.scheduler import Delivery, TeamMeeting
from handlers.agenda import build_agenda, next_meeting, post_date, render_agenda
from handlers.types import Reply
from scheduler.delivery import (
    Deliverer,
    RateGate,
    Sleep,
    channel_deliverer,
    claim_delivery,
    platform_deliverers,
    record_attempt,
    send_with_retries,
)
from scheduler.digests import NudgeSource, nudges_from_rules

log = logging.getLogger(__name__)


@dataclass
class AgendaReport:
    day: date
    posted: list[str] = field(default_factory=list)
    already_posted: int = 0
    failed: list[str] = field(default_factory=list)
    no_platform: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.day.isoformat()}: posted {len(self.posted)} agenda(s); already posted {self.already_posted}; "
            f"failed {len(self.failed)}; no platform for {len(self.no_platform)}"
        )


def agendas_due(app, day: date, now_time: time | None, source: NudgeSource | None = None) -> list[tuple[str, str, str, date, Reply]]:
    """(team, platform, channel, meeting date, reply) for every agenda whose posting time has come on `day`.

    An agenda is due from its posting day (and time) until the meeting itself, so a run missed while the
    service was down is caught up later, but never after the meeting.
    """
    if not app.calendar.is_working_day(day):
        return []
    policy, calendar = app.policy, app.calendar
    due = []
    with app.db.unit() as session:
        meetings = list(session.scalars(select(TeamMeeting).order_by(TeamMeeting.team_id)))
        claimed = set(
            session.execute(
                select(Delivery.target, Delivery.day).where(Delivery.kind == "agenda", Delivery.day >= day)
            ).tuples()
        )
        nudges = None
        for meeting in meetings:
            meeting_date = next_meeting(meeting.weekday, meeting.cadence, day, calendar)
            posting_day = post_date(meeting_date, calendar, policy.agenda.post_working_days_before)
            if day < posting_day or (meeting.team_id, meeting_date) in claimed:
                continue
            if day == posting_day and now_time is not None and now_time.strftime("%H:%M") < policy.agenda.post_time:
                continue
            if day == meeting_date and now_time is not None and now_time.strftime("%H:%M") >= meeting.meeting_time:
                continue
            if nudges is None:
                nudges = (source or nudges_from_rules)(session, policy, calendar, day)
            agenda = build_agenda(session, meeting.team_id, day, policy, calendar, nudges)
            due.append((meeting.team_id, meeting.platform, meeting.channel, meeting_date, render_agenda(agenda)))
    return due


async def post_agendas(
    app,
    day: date,
    *,
    now_time: time | None = None,
    deliverers: list[Deliverer] | None = None,
    sleep: Sleep = asyncio.sleep,
    source: NudgeSource | None = None,
) -> AgendaReport:
    """Post every due agenda once (claimed under (agenda, team, meeting date)); failures retried and recorded."""
    report = AgendaReport(day=day)
    due = await asyncio.to_thread(agendas_due, app, day, now_time, source)
    if not due:
        return report
    if deliverers is None:
        deliverers = platform_deliverers(app)
    gate = RateGate()
    for team_id, platform, channel, meeting_date, reply in due:
        deliverer = channel_deliverer(platform, deliverers)
        if deliverer is None:
            report.no_platform.append(team_id)
            continue

        def claim(team_id=team_id, meeting_date=meeting_date, platform=platform):
            with app.db.unit() as session:
                return claim_delivery(session, "agenda", team_id, meeting_date, platform, 1)

        delivery_id = await asyncio.to_thread(claim)
        if delivery_id is None:
            report.already_posted += 1
            continue

        async def record(attempt, outcome, reason, retry_after, delivery_id=delivery_id):
            def write():
                with app.db.unit() as session:
                    record_attempt(session, delivery_id, attempt, outcome, reason, retry_after)

            await asyncio.to_thread(write)

        outcome = await send_with_retries(
            lambda deliverer=deliverer, channel=channel, reply=reply: deliverer.send_channel(channel, reply),
            record,
            max_attempts=app.policy.digest.max_attempts,
            backoff_seconds=app.policy.digest.backoff_seconds,
            sleep=sleep,
            gate=gate,
        )
        (report.posted if outcome == "sent" else report.failed).append(team_id)
    return report
