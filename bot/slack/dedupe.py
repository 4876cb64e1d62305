"""Slack delivers an event again when it thinks we missed it: remember what was handled, for a day."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.storage import Database
from bot.storage.models.slack import SlackProcessedEvent

KEEP_FOR = timedelta(days=1)  # Slack retries within minutes; a day is ample
CLEANUP_EVERY = 600.0  # seconds between deletions of expired ids, per process

_last_cleanup = 0.0
_cleanup_lock = threading.Lock()


def claim(db: Database, key: str, now: datetime) -> bool:
    """Record `key` as handled; True if this call was first (atomic on SQLite and PostgreSQL, across replicas)."""
    with db.unit() as session:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = (
            insert(SlackProcessedEvent)
            .values(key=key[:160], processed_at=now)
            .on_conflict_do_nothing()
            .returning(SlackProcessedEvent.key)
        )
        first = session.execute(statement).scalar_one_or_none() is not None
    _cleanup_now_and_then(db, now)
    return first


def _cleanup_now_and_then(db: Database, now: datetime) -> None:
    global _last_cleanup
    with _cleanup_lock:
        if time.monotonic() - _last_cleanup < CLEANUP_EVERY:
            return
        _last_cleanup = time.monotonic()
    expire_processed(db, now)


def expire_processed(db: Database, now: datetime) -> int:
    """Delete handled ids older than a day; returns how many."""
    with db.unit() as session:
        result = session.execute(delete(SlackProcessedEvent).where(SlackProcessedEvent.processed_at < now - KEEP_FOR))
        return result.rowcount or 0
