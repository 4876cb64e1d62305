"""Oversight decisions: versions, actions.

Revision ID: 0004_decisions
Revises: 0003_people
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from bot.storage.base import UTCDateTime  # noqa: F401

revision = "0004_decisions"
down_revision = "0003_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
