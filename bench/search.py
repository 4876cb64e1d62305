"""Search quality and latency against two plain baselines, in one run: `python -m bench.search`.

Systems, all on the same five bundled documents:
- standards-bot: structured passages, glossary, BM25 + section titles + coverage + rapidfuzz, re-ranked by
  sentence-vector closeness (knowledge/). Its start-up includes loading the encoder and the stored vectors.
- bm25s: plain BM25 (bm25s, English stop words) over simple paragraph chunks of at most 700 characters.
- rapidfuzz: `token_set_ratio` of the question against every paragraph chunk.

A hit is a result whose first 700 characters contain one of the question's `expect_any` strings. Top-1
and top-3 are over answerable questions; abstention is the share of unanswerable questions that got no
result (the baselines always return something). Latency is per query after start-up and one warm-up pass (each question run 3 times), then again with the
corpus replicated 20x (varied ids) to show how it grows.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_QUESTIONS = REPO.parent / "shared" / "eval" / "dev_questions.jsonl"
FALLBACK_QUESTIONS = REPO / "tests" / "knowledge" / "questions.jsonl"


def load_questions(path: Path | None) -> tuple[Path, list[dict]]:
    path = path or (DEV_QUESTIONS if DEV_QUESTIONS.exists() else FALLBACK_QUESTIONS)
    with path.open(encoding="utf-8") as handle:
        return path, [json.loads(line) for line in handle if line.strip()]


def paragraph_chunks(copies: int = 1) -> list[str]:
    """The baselines' corpus: blank-line separated paragraphs, cut to at most 700 characters."""
    from knowledge.corpus import BUNDLED, SOURCES_DIR

    chunks: list[str] = []
    for filename in BUNDLED:
        text = (SOURCES_DIR / filename).read_text(encoding="utf-8")
        for paragraph in text.split("\n\n"):
            paragraph = " ".join(paragraph.split())
            while paragraph:
                chunks.append(paragraph[:700])
                paragraph = paragraph[700:]
    return [c for c in chunks if len(c) > 20] * copies


def with_slip(question: str, rng) -> str:
    """The question with one typing slip (swapped, dropped or doubled letter) in a word of 6+ letters."""
    ws = question.split()
    candidates = [i for i, w in enumerate(ws) if len(w) >= 6 and w.isalpha()]
    if not candidates:
        return question
    i = rng.choice(candidates)
    w, j = ws[i], rng.randrange(1, len(ws[i]) - 2)
    ws[i] = rng.choice([w[:j] + w[j + 1] + w[j] + w[j + 2 :], w[:j] + w[j + 1 :], w[:j] + w[j] + w[j:]])
    return " ".join(ws)


def slipped(questions: list[dict], seed: int = 1) -> list[dict]:
    import random

    rng = random.Random(seed)
    return [{**q, "question": with_slip(q["question"], rng)} for q in questions]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def score(questions: list[dict], run, repeat: int = 3) -> dict:
    """Accuracy and latency of `run(question) -> list of result texts` (after one warm-up pass)."""
    for q in questions:
        run(q["question"])
    gc.collect()
    top1 = top3 = answerable = abstained = unanswerable = 0
    latencies: list[float] = []
    cpu: list[float] = []
    for q in questions:
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            texts = run(q["question"])
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        if q.get("unanswerable") or not q.get("expect_any"):
            unanswerable += 1
            abstained += not texts
            continue
        answerable += 1
        hits = [any(e.lower() in t[:700].lower() for e in q["expect_any"]) for t in texts[:3]]
        top1 += bool(hits and hits[0])
        top3 += any(hits)
    return {
        "top1": top1 / max(answerable, 1),
        "top3": top3 / max(answerable, 1),
        "abstain": abstained / max(unanswerable, 1),
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "p99_cpu_ms": percentile(cpu, 0.99),
    }


def ours(copies: int = 1):
    """Build the standards-bot index (timed) over the bundled passages, replicated `copies` times."""
    import knowledge.semantic as semantic
    from knowledge import KnowledgeIndex
    from knowledge.corpus import bundled_passages, bundled_tokens, bundled_vectors

    bundled_passages.cache_clear()
    bundled_vectors.cache_clear()
    semantic._encoder = None  # start-up includes loading the sentence encoder
    started = time.perf_counter()
    semantic.encoder()
    passages, tokens = list(bundled_passages()), list(bundled_tokens())
    vectors = semantic.concat([bundled_vectors()] * copies)
    for n in range(1, copies):
        for p, t in zip(bundled_passages(), bundled_tokens()):
            doc = replace(p.doc, key=f"{p.doc.key}-copy{n}", aliases=())
            passages.append(replace(p, id=f"{doc.key}:{p.id.split(':', 1)[1]}", doc=doc))
            tokens.append(t)
    index = KnowledgeIndex(passages, tokens, vectors)
    build = time.perf_counter() - started

    def run(question: str) -> list[str]:
        index.index._recent.clear()  # measure the search, not the answer cache ...
        semantic.question_vector.cache_clear()  # ... nor the question's cached vector
        return [r.passage.text for r in index.search(question, limit=3)]

    return build, run, len(passages)


def bm25_baseline(copies: int = 1):
    import bm25s

    chunks = paragraph_chunks(copies)
    started = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(chunks, stopwords="en", show_progress=False), show_progress=False)
    build = time.perf_counter() - started

    def run(question: str) -> list[str]:
        ids, _ = retriever.retrieve(bm25s.tokenize([question], stopwords="en", show_progress=False), k=3, show_progress=False)
        return [chunks[i] for i in ids[0]]

    return build, run, len(chunks)


def fuzz_baseline(copies: int = 1):
    from rapidfuzz import fuzz, process

    chunks = paragraph_chunks(copies)
    started = time.perf_counter()
    lowered = [c.lower() for c in chunks]
    build = time.perf_counter() - started

    def run(question: str) -> list[str]:
        matches = process.extract(question.lower(), lowered, scorer=fuzz.token_set_ratio, limit=3)
        return [chunks[i] for _, _, i in matches]

    return build, run, len(chunks)


SYSTEMS = {"standards-bot": ours, "bm25s (paragraphs)": bm25_baseline, "rapidfuzz token_set (paragraphs)": fuzz_baseline}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, help="JSON Lines with question / expect_any / unanswerable")
    parser.add_argument("--scale", type=int, default=20, help="corpus copies for the latency-growth run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    path, questions = load_questions(args.questions)
    rows = []
    for name, make in SYSTEMS.items():
        build, run, size = make(1)
        result = score(questions, run)
        result["typo_top1"] = score(slipped(questions), run, repeat=1)["top1"]
        build_big, run_big, size_big = make(args.scale)
        big = score(questions, run_big)
        rows.append({"system": name, "passages": size, "build_s": build, **result,
                     f"x{args.scale}_passages": size_big, f"x{args.scale}_build_s": build_big,
                     f"x{args.scale}_p50_ms": big["p50_ms"], f"x{args.scale}_p99_ms": big["p99_ms"],
                     f"x{args.scale}_p99_cpu_ms": big["p99_cpu_ms"]})
    if args.json:
        print(json.dumps({"questions": str(path), "results": rows}, indent=1))
        return 0
    answerable = sum(1 for q in questions if q.get("expect_any") and not q.get("unanswerable"))
    print(f"questions: {path} ({answerable} answerable, {len(questions) - answerable} unanswerable)")
    print("typo-1: top-1 with one seeded typing slip per question (a swapped, dropped or doubled letter)")
    print("latency: wall-clock per query (p50/p99) and CPU time (p99 cpu), which load on the machine does not inflate")
    header = f"{'system':34} {'passages':>8} {'build s':>8} {'top-1':>6} {'typo-1':>6} {'top-3':>6} {'abstain':>7} {'p50 ms':>7} {'p99 ms':>7} {'p99 cpu':>7} | x{args.scale}: {'passages':>8} {'build s':>8} {'p50 ms':>7} {'p99 ms':>7} {'p99 cpu':>7}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['system']:34} {r['passages']:>8} {r['build_s']:>8.3f} {r['top1']:>6.1%} {r['typo_top1']:>6.1%} {r['top3']:>6.1%} {r['abstain']:>7.1%} "
              f"{r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} {r['p99_cpu_ms']:>7.2f} | {'':>4}{r[f'x{args.scale}_passages']:>8} {r[f'x{args.scale}_build_s']:>8.3f} "
              f"{r[f'x{args.scale}_p50_ms']:>7.2f} {r[f'x{args.scale}_p99_ms']:>7.2f} {r[f'x{args.scale}_p99_cpu_ms']:>7.2f}")
    ours_row = rows[0]
    for r in rows[1:]:
        print(f"standards-bot vs {r['system']}: top-1 x{ours_row['top1'] / max(r['top1'], 1e-9):.2f}, "
              f"top-3 x{ours_row['top3'] / max(r['top3'], 1e-9):.2f}, p99 latency x{ours_row['p99_ms'] / max(r['p99_ms'], 1e-9):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
