"""Knowledge base: imported documents, feedback votes and the knowledge-gaps log.

Revision ID: 0002_knowledge
Revises: 0001_staff
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from bot.storage.base import UTCDateTime  # noqa: F401

revision = "0002_knowledge"
down_revision = "0001_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
