"""Teams and staff.

Revision ID: 0001_staff
Revises:
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.base import UTCDateTime

revision = "0001_staff"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("team_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "staff",
        sa.Column("staff_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("team_id", sa.String(64), sa.ForeignKey("teams.team_id", name="fk_staff_team_id_teams"), nullable=True),
        sa.Column("manager_id", sa.String(64), sa.ForeignKey("staff.staff_id", name="fk_staff_manager_id_staff"), nullable=True),
        sa.Column("slack_user_id", sa.String(32), nullable=True),
        sa.Column("teams_user_id", sa.String(64), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("asye_start", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("pseudonymised", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_staff_manager_id", "staff", ["manager_id"])
    op.create_index("ix_staff_team_id", "staff", ["team_id"])
    op.create_index("ix_staff_email", "staff", ["email"])
    op.create_index("ix_staff_slack_user_id", "staff", ["slack_user_id"], unique=True)
    op.create_index("ix_staff_teams_user_id", "staff", ["teams_user_id"], unique=True)


def downgrade() -> None:
    op.drop_table("staff")
    op.drop_table("teams")
