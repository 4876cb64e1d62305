"""Scheduler tables: deliveries claimed exactly once, the nudge log, nudge state, digest settings,
team meetings with their agenda items and actions, and APScheduler's job store."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Unicode,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime, utcnow

DELIVERY_KINDS = ("digest", "agenda")
DELIVERY_STATUSES = ("sending", "sent", "failed", "gave_up")


class Delivery(Base):
    """One message to one person (a day's digest) or one channel (a meeting's agenda), claimed once.

    The unique key (kind, target, day) is what makes delivery exactly-once: whoever inserts the row owns
    the send; everyone else (a restart, a second replica, `nudges --send` run twice) finds it taken.
    """

    __tablename__ = "scheduler_deliveries"
    __table_args__ = (UniqueConstraint("kind", "target", "day", name="uq_scheduler_deliveries_kind_target_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(64))  # staff id (digest) or team id (agenda)
    day: Mapped[date] = mapped_column(Date)  # digest day, or the meeting date of an agenda
    status: Mapped[str] = mapped_column(String(16), default="sending")
    platform: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    permanent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeliveryAttempt(Base):
    """Each try of a delivery: outcome and a short reason (never message text or personal data)."""

    __tablename__ = "scheduler_delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("scheduler_deliveries.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # sent | retry | failed
    reason: Mapped[str | None] = mapped_column(String(200))
    retry_after: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NudgeLogEntry(Base):
    """A nudge put in someone's digest on a day; unique per (recipient, kind, subject, day)."""

    __tablename__ = "nudge_log"
    __table_args__ = (
        UniqueConstraint("recipient", "kind", "subject", "day", name="uq_nudge_log_recipient_kind_subject_day"),
        Index("ix_nudge_log_recipient_kind_subject", "recipient", "kind", "subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("scheduler_deliveries.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NudgeState(Base):
    """What a person did with a nudge: done, or snoozed until a date (it comes back that day)."""

    __tablename__ = "nudge_states"
    __table_args__ = (
        UniqueConstraint("recipient", "kind", "subject", "due", name="uq_nudge_states_recipient_kind_subject_due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(64))
    due: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class DigestSettings(Base):
    """A person's own digest time (HH:MM, org time zone) and a pause while on leave (inclusive date)."""

    __tablename__ = "digest_settings"

    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id", ondelete="CASCADE"), primary_key=True)
    send_time: Mapped[str | None] = mapped_column(String(5))
    paused_until: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class DigestRun(Base):
    """A daily send slot (day, HH:MM) that has been run, so the scheduler does not recompute it each tick."""

    __tablename__ = "digest_runs"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    slot: Mapped[str] = mapped_column(String(5), primary_key=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TeamMeeting(Base):
    """Where and when a team meets: the channel its agenda goes to, weekday (0=Monday), time, cadence."""

    __tablename__ = "team_meetings"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.team_id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # slack | teams
    channel: Mapped[str] = mapped_column(String(200))
    weekday: Mapped[int] = mapped_column(Integer)
    meeting_time: Mapped[str] = mapped_column(String(5))
    cadence: Mapped[str] = mapped_column(String(10))  # weekly | monthly (first such weekday of the month)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AgendaItem(Base):
    """An item a team member added to a particular meeting's agenda."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.team_id", ondelete="CASCADE"), index=True)
    meeting_date: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(String(500))
    added_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TeamAction(Base):
    """An action agreed at a team meeting: owner and due date; carried forward until done."""

    __tablename__ = "team_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.team_id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("staff.staff_id", ondelete="SET NULL"))
    due: Mapped[date | None] = mapped_column(Date)
    raised_on: Mapped[date] = mapped_column(Date)
    added_by: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApschedulerJob(Base):
    """APScheduler 3.x's SQLAlchemyJobStore table, declared here so migrations own it."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
