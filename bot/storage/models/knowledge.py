"""Knowledge base tables: imported documents, "was this helpful?" votes and the knowledge-gaps log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime, utcnow


class KnowledgeDocument(Base):
    """A council's own standards document, imported once and shared by every replica through the DB."""

    __tablename__ = "knowledge_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_key: Mapped[str] = mapped_column(String(120), unique=True)
    organisation: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    document_date: Mapped[str | None] = mapped_column(String(60))
    content: Mapped[str] = mapped_column(Text)  # extracted text; parsed into passages at start-up
    content_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class KnowledgeVectors(Base):
    """The sentence vectors of one imported passage (float16 rows), by a hash of the model and the texts
    embedded: the text itself is not repeated here, and a changed passage or model simply misses."""

    __tablename__ = "knowledge_vectors"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class KnowledgeGap(Base):
    """A question the standards did not answer (or whose answer was voted not helpful), redacted."""

    __tablename__ = "knowledge_gaps"
    __table_args__ = (Index("ix_knowledge_gaps_created_at", "created_at"), Index("ix_knowledge_gaps_question_key", "question_key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(String(500))
    question_key: Mapped[str] = mapped_column(String(500))  # normalised for counting repeats
    reason: Mapped[str] = mapped_column(String(20))  # "no_answer" or "not_helpful"
    passage_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class KnowledgeFeedback(Base):
    """A helpful / not helpful vote on a passage."""

    __tablename__ = "knowledge_feedback"
    __table_args__ = (Index("ix_knowledge_feedback_passage_id", "passage_id"), Index("ix_knowledge_feedback_created_at", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    passage_id: Mapped[str] = mapped_column(String(200))
    helpful: Mapped[bool] = mapped_column(Boolean)
    question: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
