"""Knowledge: sentence vectors of imported passages, computed once at import and shared by every replica.

Revision ID: 0008_knowledge_vectors
Revises: 0007_scheduler
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.base import UTCDateTime

revision = "0008_knowledge_vectors"
down_revision = "0007_scheduler"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_vectors",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_knowledge_vectors"),
    )


def downgrade() -> None:
    op.drop_table("knowledge_vectors")
