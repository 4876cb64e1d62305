"""Stored conversation references: how the bot reaches a person's 1:1 chat or a team channel later."""

from __future__ import annotations

import json

from botbuilder.schema import Activity, ConversationReference
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import Staff
from bot.storage.models.teams import TeamsConversation

USER = "user"
CHANNEL = "channel"


def user_address(activity: Activity) -> str | None:
    """How a person is addressed: their AAD object id, or the channel account id when there is none (Emulator)."""
    sender = activity.from_property
    if sender is None:
        return None
    if sender.aad_object_id:
        return sender.aad_object_id
    return f"id:{sender.id}" if sender.id else None


def channel_address(activity: Activity) -> str:
    """The channel or group chat, without the `;messageid=` suffix Teams adds for threads."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    channel = channel_data.get("channel") if isinstance(channel_data.get("channel"), dict) else {}
    if isinstance(channel.get("id"), str) and channel["id"]:
        return channel["id"]
    return activity.conversation.id.split(";", 1)[0]


def is_personal(activity: Activity) -> bool:
    """A 1:1 chat with the bot (Teams `personal`; the Emulator sends no conversation type)."""
    kind = activity.conversation.conversation_type
    return kind in (None, "", "personal")


def tenant_of(activity: Activity) -> str | None:
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant") if isinstance(channel_data.get("tenant"), dict) else {}
    for candidate in (tenant.get("id"), getattr(activity.conversation, "tenant_id", None)):
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def address_of(activity: Activity) -> str | None:
    """Where this activity's conversation is kept: the person (1:1) or the channel; None when it has no sender."""
    return user_address(activity) if is_personal(activity) else channel_address(activity)


def reference_for(activity: Activity, *, channel: bool) -> ConversationReference:
    """The conversation reference to keep (for a channel: the channel itself, not the thread)."""
    reference = ConversationReference(
        activity_id=None,
        user=None if channel else activity.from_property,
        bot=activity.recipient,
        conversation=activity.conversation,
        channel_id=activity.channel_id,
        locale=activity.locale,
        service_url=activity.service_url,
    )
    if channel:
        conversation = ConversationReference().deserialize(reference.serialize()).conversation
        conversation.id = channel_address(activity)
        reference.conversation = conversation
    return reference


def remember_conversation(session: Session, activity: Activity, staff_id: str | None) -> tuple[TeamsConversation, bool]:
    """Store (or refresh) the reference for this activity's conversation; True when new or no longer stale."""
    personal = is_personal(activity)
    scope = USER if personal else CHANNEL
    address = address_of(activity)
    if not address:
        raise ValueError("activity has no sender to address")
    reference = reference_for(activity, channel=not personal)
    row = session.scalar(select(TeamsConversation).where(TeamsConversation.scope == scope, TeamsConversation.address == address))
    fresh = row is None or row.stale
    if row is None:
        row = TeamsConversation(scope=scope, address=address)
        session.add(row)
    row.conversation_id = reference.conversation.id
    row.service_url = activity.service_url
    row.tenant_id = tenant_of(activity)
    row.reference = json.dumps(reference.serialize())
    row.stale = False
    row.stale_reason = None
    if personal and staff_id:
        row.staff_id = staff_id
    session.flush()
    return row, fresh


def mark_stale(session: Session, conversation_row_id: int, reason: str) -> None:
    """The connector refused this conversation (uninstalled, removed): stop using it until the next contact."""
    row = session.get(TeamsConversation, conversation_row_id)
    if row is not None:
        row.stale = True
        row.stale_reason = reason[:200]


def forget_installation(session: Session, activity: Activity) -> None:
    """The app was removed from this conversation: keep the row, but mark it stale."""
    personal = is_personal(activity)
    address = user_address(activity) if personal else channel_address(activity)
    row = session.scalar(
        select(TeamsConversation).where(TeamsConversation.scope == (USER if personal else CHANNEL), TeamsConversation.address == address)
    )
    if row is not None:
        row.stale = True
        row.stale_reason = "app uninstalled"


def personal_conversation(session: Session, staff: Staff) -> TeamsConversation | None:
    """The person's 1:1 conversation with the bot, by staff id or by their AAD object id."""
    row = session.scalar(
        select(TeamsConversation)
        .where(TeamsConversation.scope == USER, TeamsConversation.staff_id == staff.staff_id)
        .order_by(TeamsConversation.updated_at.desc())
    )
    if row is None and staff.teams_user_id:
        row = session.scalar(
            select(TeamsConversation).where(TeamsConversation.scope == USER, TeamsConversation.address == staff.teams_user_id)
        )
    return row


def channel_conversation(session: Session, channel: str) -> TeamsConversation | None:
    """A stored channel (or group chat) conversation, by its id."""
    return session.scalar(
        select(TeamsConversation).where(TeamsConversation.scope == CHANNEL, TeamsConversation.address == channel.split(";", 1)[0])
    )


def tenant_service(session: Session) -> TeamsConversation | None:
    """Any fresh reference with a tenant: where to create a new 1:1 conversation with someone in it."""
    return session.scalar(
        select(TeamsConversation)
        .where(TeamsConversation.stale.is_(False), TeamsConversation.tenant_id.is_not(None))
        .order_by(TeamsConversation.updated_at.desc())
        .limit(1)
    )


def load_reference(row: TeamsConversation) -> ConversationReference:
    return ConversationReference().deserialize(json.loads(row.reference))


def remember_reference(session: Session, staff: Staff, reference: ConversationReference, tenant_id: str | None) -> None:
    """Keep the 1:1 conversation the bot opened itself, so the next send goes straight to it."""
    address = staff.teams_user_id or f"staff:{staff.staff_id}"
    row = session.scalar(select(TeamsConversation).where(TeamsConversation.scope == USER, TeamsConversation.address == address))
    if row is None:
        row = TeamsConversation(scope=USER, address=address)
        session.add(row)
    row.staff_id = staff.staff_id
    row.conversation_id = reference.conversation.id
    row.service_url = reference.service_url
    row.tenant_id = tenant_id
    row.reference = json.dumps(reference.serialize())
    row.stale = False
    row.stale_reason = None
