"""Knowledge base: imported documents, feedback votes and the knowledge-gaps log.

Revision ID: 0002_knowledge
Revises: 0001_staff
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.base import UTCDateTime

revision = "0002_knowledge"
down_revision = "0001_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_documents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("doc_key", sa.String(120), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("document_date", sa.String(60), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_documents"),
        sa.UniqueConstraint("doc_key", name="uq_knowledge_documents_doc_key"),
    )
    op.create_table(
        "knowledge_gaps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("question_key", sa.String(500), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("passage_id", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_gaps"),
    )
    op.create_index("ix_knowledge_gaps_created_at", "knowledge_gaps", ["created_at"])
    op.create_index("ix_knowledge_gaps_question_key", "knowledge_gaps", ["question_key"])
    op.create_table(
        "knowledge_feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("passage_id", sa.String(200), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("question", sa.String(500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_feedback"),
    )
    op.create_index("ix_knowledge_feedback_passage_id", "knowledge_feedback", ["passage_id"])
    op.create_index("ix_knowledge_feedback_created_at", "knowledge_feedback", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_knowledge_feedback_created_at", table_name="knowledge_feedback")
    op.drop_index("ix_knowledge_feedback_passage_id", table_name="knowledge_feedback")
    op.drop_table("knowledge_feedback")
    op.drop_index("ix_knowledge_gaps_question_key", table_name="knowledge_gaps")
    op.drop_index("ix_knowledge_gaps_created_at", table_name="knowledge_gaps")
    op.drop_table("knowledge_gaps")
    op.drop_table("knowledge_documents")
