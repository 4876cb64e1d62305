"""Scheduler: job store, deliveries, team meeting settings, agenda items, digest settings.

Revision ID: 0007_scheduler
Revises: 0006_teams
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from bot.storage.base import UTCDateTime  # noqa: F401

revision = "0007_scheduler"
down_revision = "0006_teams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
