"""Scheduler: job store, deliveries, team meeting settings, agenda items, digest settings.

Revision ID: 0007_scheduler
Revises: 0006_teams
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.base import UTCDateTime

revision = "0007_scheduler"
down_revision = "0006_teams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("platform", sa.String(16), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("permanent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_scheduler_deliveries"),
        sa.UniqueConstraint("kind", "target", "day", name="uq_scheduler_deliveries_kind_target_day"),
    )
    op.create_table(
        "scheduler_delivery_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "delivery_id",
            sa.Integer(),
            sa.ForeignKey(
                "scheduler_deliveries.id",
                name="fk_scheduler_delivery_attempts_delivery_id_scheduler_deliveries",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("retry_after", sa.Float(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scheduler_delivery_attempts"),
    )
    op.create_index(
        "ix_scheduler_delivery_attempts_delivery_id", "scheduler_delivery_attempts", ["delivery_id"]
    )
    op.create_table(
        "nudge_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column(
            "delivery_id",
            sa.Integer(),
            sa.ForeignKey(
                "scheduler_deliveries.id", name="fk_nudge_log_delivery_id_scheduler_deliveries", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_nudge_log"),
        sa.UniqueConstraint("recipient", "kind", "subject", "day", name="uq_nudge_log_recipient_kind_subject_day"),
    )
    op.create_index("ix_nudge_log_recipient_kind_subject", "nudge_log", ["recipient", "kind", "subject"])
    op.create_index("ix_nudge_log_delivery_id", "nudge_log", ["delivery_id"])
    op.create_table(
        "nudge_states",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_nudge_states"),
        sa.UniqueConstraint("recipient", "kind", "subject", "due", name="uq_nudge_states_recipient_kind_subject_due"),
    )
    op.create_table(
        "digest_settings",
        sa.Column(
            "staff_id",
            sa.String(64),
            sa.ForeignKey("staff.staff_id", name="fk_digest_settings_staff_id_staff", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("send_time", sa.String(5), nullable=True),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("staff_id", name="pk_digest_settings"),
    )
    op.create_table(
        "digest_runs",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot", sa.String(5), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", "slot", name="pk_digest_runs"),
    )
    op.create_table(
        "team_meetings",
        sa.Column(
            "team_id",
            sa.String(64),
            sa.ForeignKey("teams.team_id", name="fk_team_meetings_team_id_teams", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("meeting_time", sa.String(5), nullable=False),
        sa.Column("cadence", sa.String(10), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name="pk_team_meetings"),
    )
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "team_id",
            sa.String(64),
            sa.ForeignKey("teams.team_id", name="fk_agenda_items_team_id_teams", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agenda_items"),
    )
    op.create_index("ix_agenda_items_team_id", "agenda_items", ["team_id"])
    op.create_table(
        "team_actions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "team_id",
            sa.String(64),
            sa.ForeignKey("teams.team_id", name="fk_team_actions_team_id_teams", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column(
            "owner_id",
            sa.String(64),
            sa.ForeignKey("staff.staff_id", name="fk_team_actions_owner_id_staff", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_team_actions"),
    )
    op.create_index("ix_team_actions_team_id", "team_actions", ["team_id"])
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), nullable=False),
        sa.Column("next_run_time", sa.Float(25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_apscheduler_jobs"),
    )
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])


def downgrade() -> None:
    op.drop_index("ix_apscheduler_jobs_next_run_time", table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")
    op.drop_index("ix_team_actions_team_id", table_name="team_actions")
    op.drop_table("team_actions")
    op.drop_index("ix_agenda_items_team_id", table_name="agenda_items")
    op.drop_table("agenda_items")
    op.drop_table("team_meetings")
    op.drop_table("digest_runs")
    op.drop_table("digest_settings")
    op.drop_table("nudge_states")
    op.drop_index("ix_nudge_log_delivery_id", table_name="nudge_log")
    op.drop_index("ix_nudge_log_recipient_kind_subject", table_name="nudge_log")
    op.drop_table("nudge_log")
    op.drop_index("ix_scheduler_delivery_attempts_delivery_id", table_name="scheduler_delivery_attempts")
    op.drop_table("scheduler_delivery_attempts")
    op.drop_table("scheduler_deliveries")
