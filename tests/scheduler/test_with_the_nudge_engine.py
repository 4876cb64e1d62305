"""Digests from the real nudge engine and records (no nudge table): a reply owed, sent, then marked done."""

from __future__ import annotations

from datetime import date

from scheduler_fakes import MONDAY, Sleeps
from sqlalchemy import select

from bot.storage.models.people import AwaitingReply
from handlers.digest import apply_nudge_action
from handlers.replies import track_message
from handlers.types import ItemList
from scheduler.digests import deliver_day, pending_for_day


def reply_items(reply):
    return [
        item
        for part in reply.parts
        if isinstance(part, ItemList)
        for item in part.items
        if item.buttons and item.buttons[0].value.startswith("message_unanswered|")
    ]


def test_a_reply_owed_reaches_its_owner_and_done_records_the_answer(org, slack, teams):
    with org.db.unit() as session:
        message_id = track_message(session, "W1", date(2026, 11, 18), MONDAY).id

    report = deliver_day(org, MONDAY, deliverers=[slack, teams], sleep=Sleeps())
    assert report.sent >= 1
    digest = dict(slack.sent)["W1"]
    [item] = reply_items(digest)
    kind, subject, due = item.buttons[0].value.split("|")
    assert (kind, subject) == ("message_unanswered", f"M-{message_id:06d}")

    with org.db.unit() as session:
        apply_nudge_action(session, "W1", "nudge.done", item.buttons[0].value, MONDAY, org.calendar)
    with org.db.unit() as session:
        assert session.scalar(select(AwaitingReply.answered_on).where(AwaitingReply.id == message_id)) == MONDAY
        later = pending_for_day(session, org.policy, org.calendar, date(2026, 11, 25))
    assert not [n for n in later if n.kind == "message_unanswered" and n.recipient == "W1"]
    # The same day again: nothing new for anyone.
    assert deliver_day(org, MONDAY, deliverers=[slack, teams], sleep=Sleeps()).sent == 0


def test_open_the_standard_shows_the_passage_from_the_knowledge_base(org):
    value = "message_unanswered|M-000001|2026-11-20"
    with org.db.unit() as session:
        reply = apply_nudge_action(
            session, "W1", "nudge.open_standard", value, MONDAY, org.calendar, policy=org.policy, knowledge=org.knowledge
        )
    [passage] = [p.passage for p in reply.parts if hasattr(p, "passage")]
    assert reply.ephemeral and passage.source and passage.text
