"""The bundled example corpus: five published standards documents shipped in `knowledge/sources/`.

Parsing and stemming them takes most of a second in pure Python, so the structured corpus (passages and
their index tokens) is checked in as `bundled_index.json`, built by `python -m knowledge.corpus`. It is
used only while its digest matches the sources and the parsing code; otherwise the corpus is parsed live
(correct, just slower). A test fails when the checked-in file is out of date.

The passages' sentence vectors (knowledge/semantic.py) are checked in beside it as `bundled_vectors.npz`,
under a digest of the texts they embed and of the encoder: computing them takes about 30 s. So are the
vectors of the example questions (`example_questions.json`, questions managers ask, each with the id of the
passage that answers it).
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path

from knowledge.parse import DocumentInfo, ResourceLink, StructuredPassage, parse_document

SOURCES_DIR = Path(__file__).with_name("sources")
CACHE_FILE = Path(__file__).with_name("bundled_index.json")
VECTORS_FILE = Path(__file__).with_name("bundled_vectors.npz")
EXAMPLES_FILE = Path(__file__).with_name("example_questions.json")
_CODE = ("parse.py", "search.py", "glossary.py", "corpus.py", "semantic.py")

BUNDLED: dict[str, DocumentInfo] = {
    "sefton-practice-standards-for-managers-2023.txt": DocumentInfo(
        key="sefton-2023",
        organisation="Sefton Council (Children's Services)",
        title="Practice Standards for All Managers",
        short_title="Sefton Practice Standards",
        date="June 2023",
        aliases=("sefton", "sefton mbc", "bootle"),
    ),
    "wscc-management-standards-2023.txt": DocumentInfo(
        key="wscc-standards-2023",
        organisation="West Sussex County Council (Children, Young People and Learning)",
        title="Management Standards, Expectations & Accountabilities",
        short_title="WSCC Management Standards",
        date="January 2023, L&D support added July 2023",
        aliases=("wscc", "west sussex", "westsussex"),
    ),
    "wscc-workforce-management-development-update-2021.txt": DocumentInfo(
        key="wscc-workforce-2021",
        organisation="West Sussex County Council (Children and Young People's Services Scrutiny Committee)",
        title="Children First Improvement: Workforce and Management Development Programme Update",
        short_title="WSCC Workforce and Management Development Update",
        date="29 September 2021",
        aliases=("wscc", "west sussex", "westsussex"),
    ),
    "npt-supervision-and-appraisal-2015.txt": DocumentInfo(
        key="npt-2015",
        organisation="Neath Port Talbot County Borough Council (Children and Young People Services)",
        title="Supervision Policy, Supervision Standards and Personal Development Review (Cabinet Board papers)",
        short_title="NPT Supervision and Appraisal",
        date="24 September 2015",
        aliases=("npt", "neath port talbot", "neath", "port talbot"),
    ),
    "childrens-services-management-standards-self-assessment.txt": DocumentInfo(
        key="self-assessment",
        organisation="Children's Services (management standards template)",
        title="Children's Services Management Standards: self-assessment",
        short_title="Management Standards Self-Assessment",
        date=None,
        aliases=("self-assessment", "self assessment", "standards checklist"),
    ),
}


def sources_digest() -> str:
    """A fingerprint of the source texts and of the code that turns them into an index."""
    digest = hashlib.sha256()
    for filename in sorted(BUNDLED):
        digest.update(filename.encode())
        digest.update((SOURCES_DIR / filename).read_bytes())
    for name in _CODE:
        digest.update((Path(__file__).with_name(name)).read_bytes())
    if EXAMPLES_FILE.exists():  # the example questions' words are index tokens of their passages
        digest.update(EXAMPLES_FILE.read_bytes())
    return digest.hexdigest()


def _with_examples(passages: list[StructuredPassage], tokens: list) -> list:
    """The passages' index tokens with the content stems of the example questions each answers."""
    from dataclasses import replace

    from knowledge.search import REAL_WORD_ZIPF, STOP_WORDS, everyday_zipf, question_words, stem

    vocabulary = {s for t in tokens for s in (*t.body, *t.title)}

    def stems_of(question: str) -> list[str]:
        # read as a question is read; a word neither the standards nor everyday English use is a slip of the
        # example's writer, not a word to match
        out = []
        for w in question_words(question):
            if w in STOP_WORDS or (len(w) < 2 and not w.isdigit()):
                continue
            if stem(w) in vocabulary or w.isdigit() or everyday_zipf(w) >= REAL_WORD_ZIPF:
                out.append(stem(w))
        return out

    where = {p.id: i for i, p in enumerate(passages)}
    asked: dict[int, list[list[str]]] = {}
    for entry in _examples():
        i = where.get(entry.get("passage"))
        if i is not None and entry.get("question"):
            stems = stems_of(entry["question"])
            if stems:
                asked.setdefault(i, []).append(stems)
    return [replace(t, asked=asked.get(i, [])) for i, t in enumerate(tokens)]


def _parse_all() -> list[StructuredPassage]:
    passages: list[StructuredPassage] = []
    for filename, info in BUNDLED.items():
        passages.extend(parse_document((SOURCES_DIR / filename).read_text(encoding="utf-8"), info))
    return passages


def build_cache() -> dict:
    """The checked-in form of the bundled corpus: passages, their index tokens and the stems used."""
    from knowledge.search import passage_tokens, stem

    passages = _parse_all()
    tokens = _with_examples(passages, [passage_tokens(p) for p in passages])
    surface = sorted({w for t in tokens for w in t.surface})
    return {
        "digest": sources_digest(),
        "passages": [
            {
                "id": p.id,
                "doc": p.doc.key,
                "headings": list(p.headings),
                "text": p.text,
                "roles": list(p.roles),
                "timescales": list(p.timescales),
                "links": [[link.title, link.url] for link in p.links],
                "appendices": list(p.appendices),
                "body": t.body,
                "title": t.title,
                "surface": t.surface,
                "breaks": t.breaks,
                "asked": t.asked,
            }
            for p, t in zip(passages, tokens)
        ],
        "stems": {w: stem(w) for w in surface},
    }


@lru_cache(maxsize=1)
def _bundled():
    from knowledge.search import KNOWN_STEMS, PassageTokens, passage_tokens

    docs = {info.key: info for info in BUNDLED.values()}
    try:
        cache = json.loads(CACHE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = None
    if cache and cache.get("digest") == sources_digest():
        KNOWN_STEMS.update(cache["stems"])
        passages, tokens = [], []
        for item in cache["passages"]:
            passages.append(
                StructuredPassage(
                    id=item["id"],
                    doc=docs[item["doc"]],
                    headings=tuple(item["headings"]),
                    text=item["text"],
                    roles=tuple(item["roles"]),
                    timescales=tuple(item["timescales"]),
                    links=tuple(ResourceLink(title, url) for title, url in item["links"]),
                    appendices=tuple(item["appendices"]),
                )
            )
            tokens.append(PassageTokens(item["body"], item["title"], item["surface"], item["breaks"], item.get("asked", [])))
        return tuple(passages), tuple(tokens)
    passages = _parse_all()
    return tuple(passages), tuple(_with_examples(passages, [passage_tokens(p) for p in passages]))


def bundled_passages() -> tuple[StructuredPassage, ...]:
    """Every passage of the bundled documents (from the checked-in cache when it is current)."""
    return _bundled()[0]


def bundled_tokens():
    """The index tokens of `bundled_passages()`, in the same order."""
    return _bundled()[1]


bundled_passages.cache_clear = _bundled.cache_clear  # type: ignore[attr-defined]


def _examples() -> list[dict]:
    """The entries of `example_questions.json` (none when it is missing or unreadable)."""
    try:
        return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


@lru_cache(maxsize=1)
def example_questions() -> tuple[tuple[int, str], ...]:
    """(passage index in `bundled_passages()`, question) for each example question whose passage exists."""
    where = {p.id: i for i, p in enumerate(bundled_passages())}
    return tuple((where[e["passage"]], e["question"]) for e in _examples() if e.get("passage") in where and e.get("question"))


@lru_cache(maxsize=1)
def not_covered_questions() -> tuple[str, ...]:
    """The example questions the standards do not cover (`"passage": null`)."""
    return tuple(e["question"] for e in _examples() if e.get("passage") is None and e.get("question"))


def vectors_digest() -> str:
    """A fingerprint of what the bundled vectors embed: every passage's texts, the example questions, and
    the encoder."""
    from knowledge.semantic import passage_key, text_key

    digest = hashlib.sha256()
    for passage in bundled_passages():
        digest.update(passage_key(passage).encode())
    for i, question in example_questions():
        digest.update(f"{i}:{text_key(question)}".encode())
    for question in not_covered_questions():
        digest.update(f"-:{text_key(question)}".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def bundled_vectors():
    """The sentence vectors of `bundled_passages()` and of their example questions (from the checked-in
    file when it is current)."""
    import numpy as np

    from knowledge.semantic import PassageVectors, encoder, vectors_of

    try:
        with np.load(VECTORS_FILE) as stored:
            if str(stored["digest"]) == vectors_digest():
                return PassageVectors(
                    stored["whole"], stored["sentences"], stored["start"], stored["examples"], stored["example_of"], stored["not_covered"]
                )
    except (OSError, KeyError, ValueError):
        pass
    passages = vectors_of(bundled_passages())[0]
    examples, gaps = example_questions(), not_covered_questions()
    rows = encoder().encode([q for _, q in examples]).astype(np.float16) if examples else None
    gap_rows = encoder().encode(list(gaps)).astype(np.float16) if gaps else None
    return PassageVectors(
        passages.whole, passages.sentences, passages.start, rows, np.array([i for i, _ in examples], dtype=np.int64), gap_rows
    )


def write_cache() -> Path:
    import numpy as np

    CACHE_FILE.write_text(json.dumps(build_cache(), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    _bundled.cache_clear()
    example_questions.cache_clear()
    not_covered_questions.cache_clear()
    bundled_vectors.cache_clear()
    vectors = bundled_vectors()  # the stored ones while the texts they embed are unchanged
    np.savez_compressed(
        VECTORS_FILE,
        digest=np.array(vectors_digest()),
        whole=vectors.whole.astype(np.float16),
        sentences=vectors.sentences.astype(np.float16),
        start=vectors.start,
        examples=vectors.examples.astype(np.float16),
        example_of=vectors.example_of,
        not_covered=vectors.not_covered.astype(np.float16),
    )
    return CACHE_FILE


if __name__ == "__main__":
    print(f"wrote {write_cache()} and {VECTORS_FILE.name}", file=sys.stderr)
