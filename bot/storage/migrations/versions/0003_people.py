"""Supervision sessions, agreements, observations, appraisals, absences, messages awaiting reply.

Revision ID: 0003_people
Revises: 0002_knowledge
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.base import UTCDateTime

revision = "0003_people"
down_revision = "0002_knowledge"
branch_labels = None
depends_on = None


def _staff_fk(table: str, column: str, nullable: bool = True) -> sa.Column:
    return sa.Column(
        column, sa.String(64), sa.ForeignKey("staff.staff_id", name=f"fk_{table}_{column}_staff"), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "supervision_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _staff_fk("supervision_sessions", "staff_id", nullable=False),
        _staff_fk("supervision_sessions", "supervisor_id"),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("notes_recorded_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_supervision_sessions_staff_held", "supervision_sessions", ["staff_id", "held_on"])
    op.create_table(
        "supervision_agreements",
        sa.Column("id", sa.Integer(), primary_key=True),
        _staff_fk("supervision_agreements", "staff_id", nullable=False),
        _staff_fk("supervision_agreements", "supervisor_id"),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_supervision_agreements_staff_agreed", "supervision_agreements", ["staff_id", "agreed_on"])
    op.create_table(
        "practice_observations",
        sa.Column("id", sa.Integer(), primary_key=True),
        _staff_fk("practice_observations", "staff_id", nullable=False),
        _staff_fk("practice_observations", "observer_id"),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_practice_observations_staff_observed", "practice_observations", ["staff_id", "observed_on"])
    op.create_table(
        "appraisals",
        sa.Column("id", sa.Integer(), primary_key=True),
        _staff_fk("appraisals", "staff_id", nullable=False),
        _staff_fk("appraisals", "appraiser_id"),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_appraisals_staff_held", "appraisals", ["staff_id", "held_on"])
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), primary_key=True),
        _staff_fk("absences", "staff_id", nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("update_on", sa.Date(), nullable=True),
        sa.Column("fit_note_on", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("rtw_meeting_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_absences_staff_started", "absences", ["staff_id", "started_on"])
    op.create_index("ix_absences_returned_on", "absences", ["returned_on"])
    op.create_table(
        "messages_awaiting_reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        _staff_fk("messages_awaiting_reply", "owner_id", nullable=False),
        sa.Column("sender", sa.String(200), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_messages_awaiting_reply_owner_received", "messages_awaiting_reply", ["owner_id", "received_on"]
    )
    op.create_index("ix_messages_awaiting_reply_answered_on", "messages_awaiting_reply", ["answered_on"])


def downgrade() -> None:
    op.drop_table("messages_awaiting_reply")
    op.drop_table("absences")
    op.drop_table("appraisals")
    op.drop_table("practice_observations")
    op.drop_table("supervision_agreements")
    op.drop_table("supervision_sessions")
