"""Teams: conversation references.

Revision ID: 0006_teams
Revises: 0005_slack
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.base import UTCDateTime

revision = "0006_teams"
down_revision = "0005_slack"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams_conversations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("staff_id", sa.String(64), nullable=True),
        sa.Column("conversation_id", sa.String(400), nullable=False),
        sa.Column("service_url", sa.String(400), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("stale_reason", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_teams_conversations"),
        sa.UniqueConstraint("scope", "address", name="uq_teams_conversations_scope_address"),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.staff_id"], name="fk_teams_conversations_staff_id_staff", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_teams_conversations_staff_id", "teams_conversations", ["staff_id"])


def downgrade() -> None:
    op.drop_index("ix_teams_conversations_staff_id", table_name="teams_conversations")
    op.drop_table("teams_conversations")
