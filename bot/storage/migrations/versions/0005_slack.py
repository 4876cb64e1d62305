"""Slack: processed event ids and other Slack-side state.

Revision ID: 0005_slack
Revises: 0004_decisions
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from bot.storage.base import UTCDateTime  # noqa: F401

revision = "0005_slack"
down_revision = "0004_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
