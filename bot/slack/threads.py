"""Slack threads of messages tracked with "Needs a reply": a reply in the thread by its owner closes them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage import Database
from bot.storage.models.people import AwaitingReply
from bot.storage.models.slack import SlackTrackedThread


def remember_thread(channel: str, thread_ts: str, owner_id: str) -> Callable[[Session, int], None]:
    """A callback for `router.track_message`: store the message's thread in the same unit of work."""

    def store(session: Session, message_id: int) -> None:
        session.add(SlackTrackedThread(message_id=message_id, channel=channel, thread_ts=thread_ts, owner_id=owner_id))

    return store


def open_messages_in_thread(db: Database, channel: str, thread_ts: str) -> dict[int, str]:
    """Unanswered tracked messages in this thread: message id -> staff id of who owes the reply."""
    with db.unit() as session:
        rows = session.execute(
            select(SlackTrackedThread.message_id, SlackTrackedThread.owner_id)
            .join(AwaitingReply, AwaitingReply.id == SlackTrackedThread.message_id)
            .where(
                SlackTrackedThread.channel == channel,
                SlackTrackedThread.thread_ts == thread_ts,
                AwaitingReply.answered_on.is_(None),
            )
        )
        return {message_id: owner_id for message_id, owner_id in rows}
