"""Slack: processed event ids and other Slack-side state.

Revision ID: 0005_slack
Revises: 0004_decisions
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.base import UTCDateTime

revision = "0005_slack"
down_revision = "0004_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_processed_events",
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_slack_processed_events"),
    )
    op.create_index("ix_slack_processed_events_processed_at", "slack_processed_events", ["processed_at"])
    op.create_table(
        "slack_tracked_threads",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_slack_tracked_threads"),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages_awaiting_reply.id"],
            name="fk_slack_tracked_threads_message_id_messages_awaiting_reply", ondelete="CASCADE",
        ),
    )
    op.create_index("ix_slack_tracked_threads_channel_thread_ts", "slack_tracked_threads", ["channel", "thread_ts"])


def downgrade() -> None:
    op.drop_index("ix_slack_tracked_threads_channel_thread_ts", table_name="slack_tracked_threads")
    op.drop_table("slack_tracked_threads")
    op.drop_index("ix_slack_processed_events_processed_at", table_name="slack_processed_events")
    op.drop_table("slack_processed_events")
