"""Answering "what's the standard for ...?": the reply every adapter renders, feedback votes, the gaps log.

Adapters (console, Slack, Teams) call `answer(...)` with a neutral `Request` and render the `Reply`;
buttons `answer.helpful` / `answer.not_helpful` carry the passage id back to `record_feedback(...)`.
Questions are stored only in the knowledge-gaps log, redacted (case references, numbers, names), and
only for `policy.knowledge.gap_retention_days`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from handlers.errors import InvalidInput
from handlers.policy import Policy
from handlers.types import Actions, Button, Item, ItemList, PassagePart, Reply, Request, Text

MAX_QUESTION_CHARS = 500  # a question, not a document: longer input is almost always a paste by mistake
MAX_LIMIT = 50
DEFAULT_RETENTION_DAYS = 90


def check_question(question: str | None) -> str:
    """The question, trimmed; InvalidInput when it is empty or too long to be a question."""
    text = " ".join((question or "").split())
    if not text:
        raise InvalidInput("the question is empty: type what you want to know, e.g. 'how often is supervision?'", field="question")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidInput(
            f"the question is too long ({len(text)} characters; at most {MAX_QUESTION_CHARS}): ask one thing at a time",
            field="question",
        )
    return text


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"--limit must be between 1 and {MAX_LIMIT}", field="limit")
    return limit


# ---- the JSON of `ask --json` --------------------------------------------------------------------


def search_json(index, query: str, limit: int = 3) -> dict:
    """The contract's `ask --json` object: query and results (id, title, text, source, section, links, score)."""
    question = check_question(query)
    check_limit(limit)
    results = index.search(question, limit=limit)
    return {
        "query": question,
        "results": [
            {
                "id": r.passage.id,
                "title": r.passage.title,
                "text": r.passage.text,
                "source": r.passage.source + (f" ({r.passage.document_date})" if r.passage.document_date else ""),
                "section": r.passage.section,
                "links": [{"title": link.title, "url": link.url} for link in r.passage.links],
                "score": round(float(r.score), 3),
            }
            for r in results
        ],
    }


# ---- the answer ----------------------------------------------------------------------------------


def answer(index, request: Request, *, limit: int = 3, session: Session | None = None, policy: Policy | None = None) -> Reply:
    """The reply to a question: the best passages with source, section, date and links, or a plain "not covered".

    With a session, unanswered questions are logged (redacted) for the standards' owners.
    """
    question = check_question(request.text)
    check_limit(limit)
    results = index.search(question, limit=limit)
    if not results:
        if session is not None:
            log_gap(session, question, "no_answer", request.now, policy=policy)
        suggestion = index.suggestion(question)
        parts: list = [
            Text("The standards don't cover that, as far as I can find.", style="warning"),
            Text(
                "Try rephrasing with the words a standard would use (for example 'supervision frequency', "
                "'return to work interview', 'case recording timescales')."
            ),
        ]
        if suggestion:
            parts.append(Text(f"Did you mean: {suggestion}?", style="muted"))
        return Reply(parts=tuple(parts), summary="The standards don't cover that.")
    best = results[0]
    parts = [Text(f"From the standards: {best.passage.title}", style="heading")]
    parts += [PassagePart(r.passage) for r in results]
    related = index.related(results, question, limit=3)
    if related:
        parts.append(
            ItemList(
                "See also",
                tuple(Item(text=p.title, detail=p.section, buttons=()) for p in related),
            )
        )
    buttons = [
        Button("Helpful", "answer.helpful", value=best.passage.id, style="primary"),
        Button("Not helpful", "answer.not_helpful", value=best.passage.id),
    ]
    seen: set[str] = set()
    for r in results:
        for link in r.passage.links:
            if link.url not in seen and len(seen) < 4:
                seen.add(link.url)
                buttons.append(Button(link.title[:75], "answer.open_link", value=r.passage.id, url=link.url))
    parts.append(Actions(tuple(buttons)))
    return Reply(parts=tuple(parts), summary=f"{best.passage.title} ({best.passage.source})")


# ---- feedback and the knowledge-gaps log ---------------------------------------------------------

_CASE_REF = re.compile(r"\b[A-Za-z]{2,5}-?\d{4,12}\b")
_LONG_NUMBER = re.compile(r"\b\d[\d ]{3,}\d\b|\b\d{4,}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][\w'-]+")
_CAPITALISED = re.compile(r"\b[A-Z][a-z][\w'-]*\b")


def redact(question: str, known_words: Iterable[str] | None = None) -> str:
    """The question with case references, long numbers, e-mails and likely names replaced.

    A capitalised word the standards never use ("Sarah", "Okafor") is taken for a name.
    """
    if known_words is None:
        from knowledge import known_words as bundled_words

        known_words = bundled_words()
    known = known_words if isinstance(known_words, (set, frozenset)) else set(known_words)
    text = _EMAIL.sub("[email]", question)
    text = _CASE_REF.sub("[case ref]", text)
    text = _LONG_NUMBER.sub("[number]", text)
    text = _TITLED_NAME.sub("[name]", text)
    text = _CAPITALISED.sub(lambda m: m.group(0) if m.group(0).lower().split("'")[0] in known else "[name]", text)
    text = re.sub(r"\[name\](?:\s+\[name\])+", "[name]", text)
    return text[:500]


def _question_key(redacted: str) -> str:
    return " ".join(re.findall(r"[a-z0-9\[\]]+", redacted.lower()))[:500]


def _retention(policy: Policy | None) -> int:
    return policy.knowledge.gap_retention_days if policy is not None else DEFAULT_RETENTION_DAYS


def purge_expired(session: Session, now: datetime, policy: Policy | None = None) -> None:
    """Forget question text older than the retention period (gaps deleted, votes keep no question)."""
    from bot.storage.models.knowledge import KnowledgeFeedback, KnowledgeGap

    cutoff = now - timedelta(days=_retention(policy))
    session.execute(delete(KnowledgeGap).where(KnowledgeGap.created_at < cutoff))
    session.execute(
        update(KnowledgeFeedback)
        .where(KnowledgeFeedback.created_at < cutoff, KnowledgeFeedback.question.is_not(None))
        .values(question=None)
    )


def log_gap(session: Session, question: str, reason: str, now: datetime, *, policy: Policy | None = None, passage_id: str | None = None) -> None:
    """Record an unanswered (or unhelpfully answered) question, redacted, for the standards' owners."""
    from bot.storage.models.knowledge import KnowledgeGap

    purge_expired(session, now, policy)
    text = redact(question)
    session.add(KnowledgeGap(question=text, question_key=_question_key(text), reason=reason, passage_id=passage_id, created_at=now))


def record_feedback(session: Session, passage_id: str, helpful: bool, question: str | None, now: datetime, *, policy: Policy | None = None) -> None:
    """Store a helpful / not helpful vote; a "not helpful" with its question also goes to the gaps log."""
    from bot.storage.models.knowledge import KnowledgeFeedback

    passage_id = (passage_id or "").strip()
    if not passage_id or len(passage_id) > 200:
        raise InvalidInput("the vote does not name a passage", field="passage_id")
    if now.tzinfo is None:
        raise InvalidInput("now must be timezone-aware", field="now")
    text = redact(question) if question and question.strip() else None
    session.add(KnowledgeFeedback(passage_id=passage_id, helpful=bool(helpful), question=text, created_at=now))
    if not helpful and question and question.strip():
        log_gap(session, question, "not_helpful", now, policy=policy, passage_id=passage_id)


@dataclass(frozen=True)
class Gap:
    question: str
    count: int
    last_asked: datetime
    reasons: tuple[str, ...]


def knowledge_gaps(session: Session, now: datetime, *, policy: Policy | None = None, limit: int = 20) -> list[Gap]:
    """The most frequent unanswered / not-helpful questions within the retention period."""
    from bot.storage.models.knowledge import KnowledgeGap

    purge_expired(session, now, policy)
    rows = session.execute(
        select(
            KnowledgeGap.question_key,
            func.count(KnowledgeGap.id),
            func.max(KnowledgeGap.created_at),
            func.min(KnowledgeGap.question),
        )
        .group_by(KnowledgeGap.question_key)
        .order_by(func.count(KnowledgeGap.id).desc(), func.max(KnowledgeGap.created_at).desc())
        .limit(limit)
    ).all()
    gaps = []
    for key, count, last, question in rows:
        reasons = tuple(
            sorted(set(session.scalars(select(KnowledgeGap.reason).where(KnowledgeGap.question_key == key)).all()))
        )
        gaps.append(Gap(question=question, count=int(count), last_asked=_aware(last), reasons=reasons))
    return gaps


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
