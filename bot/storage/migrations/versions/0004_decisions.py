"""Oversight decisions: versions, actions.

Revision ID: 0004_decisions
Revises: 0003_people
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.base import UTCDateTime

revision = "0004_decisions"
down_revision = "0003_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_reference", sa.String(40), nullable=False),
        sa.Column(
            "author_id", sa.String(64), sa.ForeignKey("staff.staff_id", name="fk_decisions_author_id_staff"), nullable=False
        ),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("decision_type", sa.String(40), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=True),
        sa.Column("recorded_system", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_decisions_case_reference", "decisions", ["case_reference"])
    op.create_index("ix_decisions_author_id", "decisions", ["author_id"])
    op.create_index("ix_decisions_decided_on", "decisions", ["decided_on"])
    op.create_index("ix_decisions_updated_at", "decisions", ["updated_at"])

    op.create_table(
        "decision_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "decision_id",
            sa.Integer(),
            sa.ForeignKey("decisions.id", name="fk_decision_versions_decision_id_decisions"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column(
            "author_id",
            sa.String(64),
            sa.ForeignKey("staff.staff_id", name="fk_decision_versions_author_id_staff"),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decision_type", sa.String(40), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("risk", sa.Text(), nullable=False),
        sa.Column("child_voice", sa.Text(), nullable=False),
        sa.Column("maker_role", sa.String(40), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=True),
        sa.Column("recorded_system", sa.String(40), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decision_versions"),
        sa.UniqueConstraint("decision_id", "version", name="uq_decision_versions_decision_id_version"),
    )
    op.create_index("ix_decision_versions_decision_id", "decision_versions", ["decision_id"])

    op.create_table(
        "decision_actions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "version_id",
            sa.Integer(),
            sa.ForeignKey("decision_versions.id", name="fk_decision_actions_version_id_decision_versions"),
            nullable=False,
        ),
        sa.Column(
            "decision_id",
            sa.Integer(),
            sa.ForeignKey("decisions.id", name="fk_decision_actions_decision_id_decisions"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "owner_id",
            sa.String(64),
            sa.ForeignKey("staff.staff_id", name="fk_decision_actions_owner_id_staff"),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decision_actions"),
        sa.UniqueConstraint("version_id", "position", name="uq_decision_actions_version_id_position"),
    )
    op.create_index("ix_decision_actions_version_id", "decision_actions", ["version_id"])
    op.create_index("ix_decision_actions_decision_id", "decision_actions", ["decision_id"])
    op.create_index("ix_decision_actions_due_on", "decision_actions", ["due_on"])


def downgrade() -> None:
    op.drop_index("ix_decision_actions_due_on", table_name="decision_actions")
    op.drop_index("ix_decision_actions_decision_id", table_name="decision_actions")
    op.drop_index("ix_decision_actions_version_id", table_name="decision_actions")
    op.drop_table("decision_actions")
    op.drop_index("ix_decision_versions_decision_id", table_name="decision_versions")
    op.drop_table("decision_versions")
    op.drop_index("ix_decisions_updated_at", table_name="decisions")
    op.drop_index("ix_decisions_decided_on", table_name="decisions")
    op.drop_index("ix_decisions_author_id", table_name="decisions")
    op.drop_index("ix_decisions_case_reference", table_name="decisions")
    op.drop_table("decisions")
