"""Teams: the conversation references the bot keeps to reach people and channels proactively."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime, utcnow

REFERENCE_SCOPES = ("user", "channel")


class TeamsConversation(Base):
    """A stored Bot Framework conversation reference: a person's 1:1 chat or a team channel.

    `address` is the AAD object id for a user, the conversation id for a channel. `stale` is set when the
    connector answers 403/404 (the app was uninstalled or the channel removed); a new contact clears it.
    """

    __tablename__ = "teams_conversations"
    __table_args__ = (UniqueConstraint("scope", "address", name="uq_teams_conversations_scope_address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200))
    staff_id: Mapped[str | None] = mapped_column(
        ForeignKey("staff.staff_id", ondelete="SET NULL", name="fk_teams_conversations_staff_id_staff"), index=True
    )
    conversation_id: Mapped[str] = mapped_column(String(400))
    service_url: Mapped[str] = mapped_column(String(400))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(Text)  # serialized ConversationReference (JSON)
    stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    stale_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
