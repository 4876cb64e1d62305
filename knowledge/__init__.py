"""The knowledge base: the bundled standards plus documents imported into the database, and their search.

`load_index(app)` is what the App calls (once per process, on first use): it parses the bundled corpus
(cached in memory), adds the councils' own documents stored in the database, and builds the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.errors import InvalidInput
from handlers.types import Link, Passage
from knowledge.corpus import BUNDLED, SOURCES_DIR, bundled_passages, bundled_tokens, bundled_vectors
from knowledge.importer import ExtractedDocument, extract
from knowledge.parse import DocumentInfo, StructuredPassage, parse_document
from knowledge.search import Hit, SearchIndex
from knowledge.semantic import DIM, concat, passage_key, vectors_of

__all__ = ["KnowledgeIndex", "Result", "load_index", "build_index", "import_files", "known_words"]


@dataclass(frozen=True)
class Result:
    """One answer: the neutral passage adapters render, plus the structured passage it comes from."""

    passage: Passage
    source: StructuredPassage
    score: float
    coverage: float


def to_passage(hit_or_passage: Hit | StructuredPassage, text: str | None = None, score: float = 0.0) -> Passage:
    """The platform-neutral `Passage` of a structured passage (text = the answer window when given)."""
    sp = hit_or_passage.passage if isinstance(hit_or_passage, Hit) else hit_or_passage
    if isinstance(hit_or_passage, Hit):
        text = hit_or_passage.text
        score = hit_or_passage.score
    return Passage(
        id=sp.id,
        title=sp.title,
        text=(text if text is not None else sp.text)[:700],
        source=f"{sp.doc.organisation}: {sp.doc.title}",
        section=sp.section,
        links=tuple(Link(link.title, link.url) for link in sp.links),
        score=score,
        document_date=sp.doc.date,
    )


class KnowledgeIndex:
    """Search over every passage; what handlers and adapters use."""

    def __init__(self, passages: Sequence[StructuredPassage], tokens=None, vectors=None) -> None:
        self.index = SearchIndex(passages, tokens, vectors)
        self.passages = self.index.passages
        self.documents = tuple(dict.fromkeys(p.doc for p in self.passages))

    def search(self, query: str, limit: int = 3) -> list[Result]:
        """The best passages for a question (empty when the standards do not cover it)."""
        return [Result(to_passage(hit), hit.passage, hit.score, hit.coverage) for hit in self.index.search(query, limit)]

    def related(self, results: Sequence[Result], query: str, limit: int = 3) -> list[StructuredPassage]:
        hits = [Hit(r.source, r.score, r.coverage, r.passage.text) for r in results]
        return self.index.related(hits, query, limit)

    def suggestion(self, query: str) -> str | None:
        return self.index.suggestion(query)

    def get(self, passage_id: str) -> StructuredPassage | None:
        return self.index.by_id.get(passage_id)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Words the standards use (any case, lower-cased): what redaction treats as "not a name"."""
        return known_words()


@lru_cache(maxsize=1)
def _bundled_index() -> KnowledgeIndex:
    return KnowledgeIndex(bundled_passages(), bundled_tokens(), bundled_vectors())


_combined: dict[tuple, KnowledgeIndex] = {}


def build_index(extra: Iterable[StructuredPassage] = (), known_vectors: dict | None = None) -> KnowledgeIndex:
    """The bundled corpus plus extra passages (cached per set of documents).

    `known_vectors` holds stored sentence vectors of extra passages by passage key; others are computed.
    """
    extra = tuple(extra)
    if not extra:
        return _bundled_index()
    key = (tuple(sorted({p.doc.key for p in extra})), hash(tuple((p.id, p.text) for p in extra)))
    if key not in _combined:
        _combined.clear()
        from knowledge.search import passage_tokens

        vectors = concat([bundled_vectors(), vectors_of(extra, known_vectors)[0]])
        _combined[key] = KnowledgeIndex(
            (*bundled_passages(), *extra), (*bundled_tokens(), *(passage_tokens(p) for p in extra)), vectors
        )
    return _combined[key]


def imported_passages(session: Session) -> list[StructuredPassage]:
    """Passages of every document imported into the database."""
    from bot.storage.models.knowledge import KnowledgeDocument

    passages: list[StructuredPassage] = []
    for doc in session.scalars(select(KnowledgeDocument).order_by(KnowledgeDocument.id)):
        passages.extend(parse_document(doc.content, imported_info(doc.doc_key, doc.organisation, doc.title, doc.document_date)))
    return passages


def imported_info(key: str, organisation: str, title: str, date: str | None = None) -> DocumentInfo:
    """How an imported document is described, both when it is checked at import and when it is read back
    (its passages, and so the keys of their stored vectors, must come out the same both times)."""
    return DocumentInfo(
        key=key,
        organisation=organisation,
        title=title,
        short_title=title[:60],
        date=date,
        aliases=tuple(a for a in (organisation.lower(),) if a and a != "imported"),
    )


def stored_vectors(session: Session, passages: Sequence[StructuredPassage]) -> dict[str, np.ndarray]:
    """The stored sentence vectors of these passages, by passage key (missing ones are simply absent)."""
    from bot.storage.models.knowledge import KnowledgeVectors

    keys = sorted({passage_key(p) for p in passages})
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(keys), 500):
        for row in session.scalars(select(KnowledgeVectors).where(KnowledgeVectors.key.in_(keys[start : start + 500]))):
            rows = np.frombuffer(row.vectors, dtype=np.float16)
            if rows.size == row.rows * DIM:
                found[row.key] = rows.reshape(row.rows, DIM)
    return found


def store_vectors(session: Session, computed: dict[str, np.ndarray], now: datetime) -> None:
    """Keep newly computed sentence vectors (in the caller's transaction)."""
    from bot.storage.models.knowledge import KnowledgeVectors

    for key, rows in computed.items():
        if session.get(KnowledgeVectors, key) is None:
            session.add(KnowledgeVectors(key=key, rows=len(rows), vectors=rows.astype(np.float16).tobytes(), created_at=now))


def load_index(app) -> KnowledgeIndex:
    """The index for this App: bundled standards plus the documents imported into its database.

    Imported passages' sentence vectors come from the database; any it lacks (a new encoder) are computed
    once and stored for the other replicas.
    """
    with app.db.unit() as session:
        extra = imported_passages(session)
        known = stored_vectors(session, extra) if extra else {}
    fresh = vectors_of(extra, known)[1] if extra else {}
    index = build_index(extra, {**known, **fresh})
    if fresh:
        try:
            with app.db.unit() as session:
                store_vectors(session, fresh, app.now())
        except IntegrityError:
            pass  # another replica stored them first
    return index


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "document"


def _info(doc: ExtractedDocument, key: str, org: str) -> DocumentInfo:
    return imported_info(key, org or "Imported", doc.title[:300])  # as the row below stores it


def import_files(
    session: Session, paths: Sequence[Path], organisation: str | None, now: datetime, progress=None, vectors_progress=None
) -> list[tuple[str, int]]:
    """Read, check and store documents; all or nothing. Returns (document key, passages) per file.

    Every file is read and parsed before anything is written, so one bad file leaves the corpus as it was.
    `progress(1)` is called per file read; `vectors_progress(total)`, when given, returns the callable that
    is called per passage whose sentence vectors are computed (`total` of them).
    """
    from bot.storage.models.knowledge import KnowledgeDocument

    org = (organisation or "").strip()
    if len(org) > 200:
        raise InvalidInput("--org: at most 200 characters", field="org")
    extracted: list[tuple[ExtractedDocument, str, int]] = []
    seen: set[str] = set()
    for path in paths:
        doc = extract(Path(path))
        key = "import-" + _slug(f"{org} {Path(doc.filename).stem}" if org else Path(doc.filename).stem)
        if key in seen:
            raise InvalidInput(f"{doc.filename}: imported twice in one command", field="file")
        seen.add(key)
        count = len(parse_document(doc.text, _info(doc, key, org)))
        if count == 0:
            raise InvalidInput(f"{doc.filename}: no passages found in the text", field="file")
        extracted.append((doc, key, count))
        if progress is not None:
            progress(1)
    # sentence vectors are computed now, once, and kept with the documents (the slow part of an import)
    passages = [p for doc, key, _ in extracted for p in parse_document(doc.text, _info(doc, key, org))]
    known = stored_vectors(session, passages)
    todo = sum(1 for p in passages if passage_key(p) not in known)
    step = vectors_progress(todo) if vectors_progress is not None and todo else None
    store_vectors(session, vectors_of(passages, known, progress=step)[1], now)
    for doc, key, _ in extracted:
        row = session.scalar(select(KnowledgeDocument).where(KnowledgeDocument.doc_key == key))
        if row is None:
            row = KnowledgeDocument(doc_key=key)
            session.add(row)
        row.organisation = org or "Imported"
        row.title = doc.title[:300]
        row.filename = doc.filename[:300]
        row.document_date = f"imported {now.date().isoformat()}"
        row.content = doc.text
        row.content_sha256 = doc.sha256
        row.imported_at = now
    session.flush()
    return [(key, count) for _, key, count in extracted]


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Every word of the bundled sources and the glossary, lower-cased (names and case numbers are not)."""
    from knowledge.glossary import GLOSSARY
    from knowledge.search import LIGHT_WORDS, STOP_WORDS

    words: set[str] = set(STOP_WORDS) | set(LIGHT_WORDS)
    for filename in BUNDLED:
        text = (SOURCES_DIR / filename).read_text(encoding="utf-8")
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+", text) if not w[:1].isupper() or w.isupper())
        # capitalised words that also occur in lower case somewhere are ordinary words
    for phrase in GLOSSARY:
        words.update(phrase.split())
    for info in BUNDLED.values():
        for alias in info.aliases:
            words.update(re.findall(r"[a-z]+", alias))
    return frozenset(words)
