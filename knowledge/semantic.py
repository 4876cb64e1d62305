"""Meaning, not just words: sentence vectors that break near-ties between passages the words rank alike.

The words of a question find the candidates (knowledge/search.py); this module adds how close in meaning
each candidate is. It uses all-MiniLM-L6-v2, a small sentence encoder (Apache-2.0; see model/NOTICE.md),
fine-tuned on the project's own tuning questions (tools/finetune_encoder.py) and shipped as an 8-bit ONNX
graph run with onnxruntime: 3-8 ms per question on up to two cores, nothing fetched at run time.

A passage's closeness is the mean of two cosines: the question against the whole passage, and against the
passage's best sentence (a standard often answers in one line of a long table row); or, when higher,
EXAMPLE_WEIGHT x the cosine to the closest example question the passage answers (`example_questions.json`,
questions managers ask in their own words, written by tools/example_questions.py).

Vectors of the bundled passages are checked in (`bundled_vectors.npz`, built by `python -m knowledge.corpus`);
those of imported documents are computed when the documents are imported and kept in the database.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

MODEL_DIR = Path(__file__).with_name("model")
MODEL_FILE = MODEL_DIR / "encoder-int8.onnx"
TOKENIZER_FILE = MODEL_DIR / "tokenizer.json"
DIM = 384
MAX_TOKENS = 256  # what the model was trained on; longer text is cut
# a question asked before in other words speaks for its passage, a little less than the passage itself would
# (README, "Example questions": 0.7-0.9 tried, chosen by the validation and every-passage sets' totals)
EXAMPLE_WEIGHT = 0.8


@lru_cache(maxsize=1)
def model_digest() -> str:
    """A fingerprint of the encoder: stored vectors made by another model are not used."""
    digest = hashlib.sha256()
    for path in (MODEL_FILE, TOKENIZER_FILE):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def text_key(text: str) -> str:
    """The key a text's vector is stored under (the text itself is never stored with it)."""
    return hashlib.sha256(f"{model_digest()}\n{text}".encode()).hexdigest()


class Encoder:
    """Texts to unit-length 384-dimensional vectors (thread-safe: onnxruntime sessions are)."""

    def __init__(self, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        # one thread a text: the search encodes a question (and its spelt-out reading) on other threads while
        # it ranks by words, and many texts run side by side (`encode`); on two cores this beat two threads a
        # text by 2-4 ms a question, p50 and p99 alike
        options.intra_op_num_threads = threads or 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(str(MODEL_FILE), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
        tokenizer.no_padding()  # each text runs alone (see `encode`): nothing to pad
        tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer = tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text. Each text runs alone: the 8-bit graph scales its activations over the whole
        input, so a text batched with others (and their padding) would get a slightly different vector."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))

        def run(row: int) -> None:
            ids = np.array([encodings[row].ids], dtype=np.int64)
            out[row] = self._session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]

        if len(texts) < 4 or (os.cpu_count() or 1) < 2:
            for row in range(len(texts)):
                run(row)
        else:  # onnxruntime releases the GIL: one text per core
            with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 8)) as pool:
                list(pool.map(run, range(len(texts))))
        return out


_encoder: Encoder | None = None
_encoder_lock = threading.Lock()


def encoder() -> Encoder:
    """The process's one encoder (loaded once: about 0.15 s)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            _encoder = Encoder()
        return _encoder


@lru_cache(maxsize=256)
def question_vector(question: str) -> np.ndarray:
    """A question's vector (cached: the answer and its see-also ask twice)."""
    return encoder().encode([question])[0]


ENCODING_THREADS = 2  # questions encoded at once, beside the searches that go on ranking by words
_background: ThreadPoolExecutor | None = None


def question_vector_soon(question: str) -> Future:
    """A question's vector, computed on one of the encoding threads (onnxruntime releases the GIL), so the
    caller can rank by words meanwhile; `.result()` waits for it."""
    global _background
    with _encoder_lock:
        if _background is None:
            _background = ThreadPoolExecutor(max_workers=ENCODING_THREADS, thread_name_prefix="encode")
        pool = _background
    return pool.submit(question_vector, question)


def _forget_background() -> None:
    global _background
    _background = None  # a forked child has none of its parent's threads


os.register_at_fork(after_in_child=_forget_background)


def sentences_of(text: str) -> list[str]:
    """A passage's sentences and lines: the pieces the answer window and the sentence vectors are made of."""
    return [p.strip() for p in _PIECES.split(text) if p.strip()]


_PIECES = re.compile(r"(?<=[.;!?:])\s+(?=[A-Z0-9\"“(-])|\n")


@dataclass(frozen=True)
class PassageVectors:
    """Vectors of many passages: each passage's row `whole`, and its sentences' rows `start[i]:start[i + 1]`."""

    whole: np.ndarray  # (passages, DIM)
    sentences: np.ndarray  # (sentences, DIM), grouped by passage
    start: np.ndarray  # (passages + 1,) offsets into `sentences`
    examples: np.ndarray | None = None  # (example questions, DIM) ...
    example_of: np.ndarray | None = None  # ... and the index of the passage each answers
    not_covered: np.ndarray | None = None  # (questions the standards do not cover, DIM)

    def __post_init__(self) -> None:  # stored as float16, used as float32 (numpy has no fast float16 product)
        object.__setattr__(self, "whole", np.asarray(self.whole, dtype=np.float32))
        object.__setattr__(self, "sentences", np.asarray(self.sentences, dtype=np.float32))
        examples = np.zeros((0, DIM), np.float32) if self.examples is None else np.asarray(self.examples, dtype=np.float32)
        example_of = np.zeros(0, np.int64) if self.example_of is None else np.asarray(self.example_of, dtype=np.int64)
        if len(examples) != len(example_of) or (len(example_of) and not 0 <= example_of.min() <= example_of.max() < len(self.whole)):
            raise ValueError("example questions must each name one of the passages")
        object.__setattr__(self, "examples", examples)
        object.__setattr__(self, "example_of", example_of)
        gaps = np.zeros((0, DIM), np.float32) if self.not_covered is None else np.asarray(self.not_covered, dtype=np.float32)
        object.__setattr__(self, "not_covered", gaps.reshape(-1, DIM))
        # passage i's examples, in order of passage: rows order[example_start[i]:example_start[i + 1]]
        order = np.argsort(example_of, kind="stable")
        object.__setattr__(self, "_example_rows", examples[order])
        object.__setattr__(self, "_example_start", np.searchsorted(example_of[order], np.arange(len(self.whole) + 1)))

    def __len__(self) -> int:
        return len(self.whole)

    def closeness(self, question: np.ndarray, candidates: np.ndarray, examples: bool = True) -> np.ndarray:
        """For each candidate passage index: the mean of its whole-passage and best-sentence cosines, or
        EXAMPLE_WEIGHT x its closest example question's cosine when that is higher.

        `question` may also be several readings of one question, one row each: then each candidate's
        closeness is that of the reading closest to it.
        """
        forms = np.atleast_2d(question).T  # (DIM, readings)
        whole = self.whole[candidates] @ forms
        best = whole.copy()
        asked = np.full(whole.shape, -1.0, dtype=np.float32)
        examples = examples and len(self.example_of) > 0
        for k, c in enumerate(candidates.tolist()):
            lo, hi = int(self.start[c]), int(self.start[c + 1])
            if hi > lo:
                best[k] = (self.sentences[lo:hi] @ forms).max(axis=0)
            if examples:
                lo, hi = int(self._example_start[c]), int(self._example_start[c + 1])
                if hi > lo:
                    asked[k] = (self._example_rows[lo:hi] @ forms).max(axis=0)
        return np.maximum(0.5 * whole + 0.5 * best, EXAMPLE_WEIGHT * asked).max(axis=1)

    def has_examples(self, i: int) -> bool:
        """Whether passage i answers any example question (an imported document's passages answer none)."""
        return bool(self._example_start[i + 1] > self._example_start[i])

    def closest_not_covered(self, question: np.ndarray) -> float:
        """The cosine of the question to the closest example question the standards do not cover (-1: none)."""
        return float((self.not_covered @ question).max()) if len(self.not_covered) else -1.0

    def group(self, i: int) -> np.ndarray:
        """Passage i's rows: the whole passage first, then its sentences."""
        return np.concatenate([self.whole[i : i + 1], self.sentences[int(self.start[i]) : int(self.start[i + 1])]])

    @staticmethod
    def from_groups(groups: Sequence[np.ndarray]) -> "PassageVectors":
        """From one array per passage: its whole-passage row first, then its sentence rows."""
        if not groups:
            return PassageVectors(np.zeros((0, DIM), np.float16), np.zeros((0, DIM), np.float16), np.zeros(1, np.int64))
        whole = np.stack([g[0] for g in groups]).astype(np.float16)
        sentences = np.concatenate([g[1:] for g in groups]).astype(np.float16)
        start = np.concatenate([[0], np.cumsum([len(g) - 1 for g in groups])]).astype(np.int64)
        return PassageVectors(whole, sentences, start)


def concat(parts: Sequence[PassageVectors]) -> PassageVectors:
    """Vectors of several passage lists, in order."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return PassageVectors.from_groups([])
    offsets = np.cumsum([0] + [len(p.sentences) for p in parts[:-1]])
    start = np.concatenate([[0], *[p.start[1:] + o for p, o in zip(parts, offsets)]]).astype(np.int64)
    firsts = np.cumsum([0] + [len(p) for p in parts[:-1]])  # each part's first passage in the whole
    return PassageVectors(
        np.concatenate([p.whole for p in parts]),
        np.concatenate([p.sentences for p in parts]),
        start,
        np.concatenate([p.examples for p in parts]),
        np.concatenate([p.example_of + f for p, f in zip(parts, firsts)]),
        # the same questions once, however many parts carry them (a large matrix product would also start
        # BLAS threads that fight the encoder's for the cores: 6 ms a question with the bundled set 20 times)
        np.unique(np.concatenate([p.not_covered for p in parts]), axis=0),
    )


def passage_key(passage) -> str:
    """The storage key of a passage's vectors: the model and every text embedded for it."""
    return text_key("\x1f".join(embedded_texts(passage)))


def embedded_texts(passage) -> list[str]:
    """What is embedded for one passage: the passage under its last two headings, then each sentence under its title."""
    whole = f"{' > '.join(passage.headings[-2:])}: {passage.text}" if passage.headings else passage.text
    return [whole, *(f"{passage.title}: {s}" for s in sentences_of(passage.text))]


_memo: dict[str, np.ndarray] = {}  # passage key -> rows, for passages embedded in this process
MEMO_LIMIT = 50_000


def vectors_of(passages: Sequence, known: dict[str, np.ndarray] | None = None, progress=None) -> tuple[PassageVectors, dict[str, np.ndarray]]:
    """Vectors of passages: from `known` (stored rows by passage key) or this process's memo, else computed.

    Returns the vectors and, by key, the rows of every passage `known` lacked: for the caller to store.
    `progress(1)` is called for each passage computed now.
    """
    known = known or {}
    keys = [passage_key(p) for p in passages]
    missing = [i for i, k in enumerate(keys) if k not in known and k not in _memo]
    computed: dict[str, np.ndarray] = {}
    if missing:
        for i in missing:
            computed[keys[i]] = encoder().encode(embedded_texts(passages[i])).astype(np.float16)
            if progress is not None:
                progress(1)
        if len(_memo) + len(computed) <= MEMO_LIMIT:
            _memo.update(computed)
    unknown = {k: computed[k] if k in computed else _memo[k] for k in keys if k not in known}
    return PassageVectors.from_groups([known[k] if k in known else unknown[k] for k in keys]), unknown
