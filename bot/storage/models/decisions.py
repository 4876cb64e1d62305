"""Oversight decisions: an append-only, hash-chained history of versions per decision, with SMART actions.

`decisions` holds what never changes (case reference, author, when) plus a cache of the current state for
fast queries; `decision_versions` holds every version (created, amended, recorded) and is never updated;
`decision_actions` holds the actions of each version. Only the retention purge deletes rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime

GENESIS_HASH = "0" * 64


class Decision(Base):
    """One decision about one case; its content lives in its versions."""

    __tablename__ = "decisions"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, even after a purge

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_reference: Mapped[str] = mapped_column(String(40), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"), index=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_on: Mapped[date] = mapped_column(Date, index=True)  # the organisation's local date
    # Local date of the last change of content (creation or amendment): the recording deadline runs from it.
    changed_on: Mapped[date] = mapped_column(Date)
    # Cache of the latest version, kept in step by the handlers in the same transaction.
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    decision_type: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_system: Mapped[str | None] = mapped_column(String(40))

    @property
    def public_id(self) -> str:
        return format_decision_id(self.id)


class DecisionVersion(Base):
    """One immutable version: the full content at that point, who changed it, why, and its chain hash."""

    __tablename__ = "decision_versions"
    __table_args__ = (UniqueConstraint("decision_id", "version", name="uq_decision_versions_decision_id_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(20))  # created | amended | recorded
    author_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    decision_type: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    risk: Mapped[str] = mapped_column(Text, default="")
    child_voice: Mapped[str] = mapped_column(Text, default="")
    maker_role: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_system: Mapped[str | None] = mapped_column(String(40))
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class DecisionAction(Base):
    """A SMART action of one version: what, who (a staff id) and by when."""

    __tablename__ = "decision_actions"
    __table_args__ = (UniqueConstraint("version_id", "position", name="uq_decision_actions_version_id_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("decision_versions.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    due_on: Mapped[date] = mapped_column(Date, index=True)


def format_decision_id(number: int) -> str:
    """The public id of a decision: `D-` and at least six digits (`D-000123`)."""
    return f"D-{number:06d}"
