"""Teams: conversation references.

Revision ID: 0006_teams
Revises: 0005_slack
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from bot.storage.base import UTCDateTime  # noqa: F401

revision = "0006_teams"
down_revision = "0005_slack"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
