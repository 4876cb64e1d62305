"""Supervision, agreements, observations, appraisals, absences, messages awaiting reply, nudge log.

Revision ID: 0003_people
Revises: 0002_knowledge
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from bot.storage.base import UTCDateTime  # noqa: F401

revision = "0003_people"
down_revision = "0002_knowledge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
