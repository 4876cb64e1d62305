"""The organisation: teams and staff with their line management."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.storage.base import Base, UTCDateTime, utcnow

ROLES = (
    "social_worker",
    "nqsw",
    "assistant_team_manager",
    "team_manager",
    "service_manager",
    "head_of_service",
    "business_support",
    "other",
)
MANAGER_ROLES = frozenset({"assistant_team_manager", "team_manager", "service_manager", "head_of_service"})


class Team(Base):
    __tablename__ = "teams"

    team_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Staff(Base):
    __tablename__ = "staff"

    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(40))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.team_id"), index=True)
    manager_id: Mapped[str | None] = mapped_column(ForeignKey("staff.staff_id"), index=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    teams_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    asye_start: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    pseudonymised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    team: Mapped[Team | None] = relationship(lazy="joined")
    manager: Mapped[Staff | None] = relationship(remote_side="Staff.staff_id", lazy="select")

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES
