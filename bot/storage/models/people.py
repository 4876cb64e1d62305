"""People records: supervision sessions, agreements, observations, appraisals, absences, messages awaiting reply."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime, utcnow

SUPERVISION_KINDS = ("case", "welfare", "group")


class SupervisionSession(Base):
    """A supervision session held (case, welfare or group) and when its notes reached the file."""

    __tablename__ = "supervision_sessions"
    __table_args__ = (Index("ix_supervision_sessions_staff_held", "staff_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    supervisor_id: Mapped[str | None] = mapped_column(ForeignKey("staff.staff_id"))
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    notes_recorded_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SupervisionAgreement(Base):
    """A supervision agreement (contract) agreed or reviewed on a date with a supervisor."""

    __tablename__ = "supervision_agreements"
    __table_args__ = (Index("ix_supervision_agreements_staff_agreed", "staff_id", "agreed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    supervisor_id: Mapped[str | None] = mapped_column(ForeignKey("staff.staff_id"))
    agreed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Observation(Base):
    """An observation of practice."""

    __tablename__ = "practice_observations"
    __table_args__ = (Index("ix_practice_observations_staff_observed", "staff_id", "observed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    observer_id: Mapped[str | None] = mapped_column(ForeignKey("staff.staff_id"))
    observed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Appraisal(Base):
    """An annual appraisal / Personal Development Review (PDR) meeting."""

    __tablename__ = "appraisals"
    __table_args__ = (Index("ix_appraisals_staff_held", "staff_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    appraiser_id: Mapped[str | None] = mapped_column(ForeignKey("staff.staff_id"))
    held_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Absence(Base):
    """A sickness absence and its milestones (day-4 update, fit note, return, return-to-work meeting)."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_staff_started", "staff_id", "started_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    started_on: Mapped[date] = mapped_column(Date)
    update_on: Mapped[date | None] = mapped_column(Date)
    fit_note_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date, index=True)
    rtw_meeting_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AwaitingReply(Base):
    """A message someone must reply to; `sender` is a short label (never the message text)."""

    __tablename__ = "messages_awaiting_reply"
    __table_args__ = (Index("ix_messages_awaiting_reply_owner_received", "owner_id", "received_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    sender: Mapped[str | None] = mapped_column(String(200))
    received_on: Mapped[date] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
