"""Slack: ids of events already handled, so Slack's retries never produce a second answer or record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime, utcnow


class SlackProcessedEvent(Base):
    """One handled Slack delivery (`event:<event_id>` or `message:<client_msg_id>`); rows expire after a day.

    The primary key makes the claim atomic across workers and replicas: the first insert wins.
    """

    __tablename__ = "slack_processed_events"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class SlackTrackedThread(Base):
    """Where a message tracked with "Needs a reply" lives in Slack, so a reply in its thread closes it."""

    __tablename__ = "slack_tracked_threads"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages_awaiting_reply.id", ondelete="CASCADE", name="fk_slack_tracked_threads_message_id_messages_awaiting_reply"),
        primary_key=True,
    )
    channel: Mapped[str] = mapped_column(String(64))
    thread_ts: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_slack_tracked_threads_channel_thread_ts", "channel", "thread_ts"),)
