"""Write `knowledge/example_questions.json`: questions managers ask, each with the passage that answers it
(or none, when the standards do not cover it).

    python tools/example_questions.py     # then: python -m knowledge.corpus

A passage's closeness in meaning to a new question is also taken from the example questions it answers
(knowledge/semantic.py): "who do I tell when I'm struggling" is closer to an example asked in other words
than to the standard's own wording. The examples are the answerable questions the encoder is fine-tuned on
(`TRAINING_SETS` of tools/finetune_encoder.py) and four sets written for examples only (`EXAMPLE_SETS`,
1,194 questions, two for each passage a manager could ask about: one terse, one plain or a situation in
everyday words, written from the passages alone): never the dev questions, the validation sets, the
every-passage set, the off-topic sets or the sets kept to be measured only, which measure what the examples add (README,
"Example questions"). Different writers sometimes word a common question alike, so a training question that
nearly copies a measuring one (rapidfuzz ratio 80 or more, lower-cased, punctuation aside) is left out too:
otherwise the search would answer that measuring question by looking it up. Each example is paired with the
first passage whose first 700 characters hold one of its `expect_any` phrases, as the fine-tuning pairs
them; questions no passage answers are left out. The same sets' questions the standards do not cover
("maternity pay rates", "private fostering notification") are kept too, with `"passage": null`: a new
question closer to one of them than to any passage is not answered (knowledge/search.py, NOT_COVERED).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "knowledge"
OUT = ROOT / "knowledge" / "example_questions.json"
DEV = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
MEASURING = ("validation", "unseen", "fresh", "short_unseen", "every_passage", "offtopic")  # with the dev questions
NEAR_COPY = 80  # rapidfuzz ratio of two normalised questions
EXAMPLE_SETS = (
    "examples1_questions", "examples2_questions", "examples3_questions", "examples4_questions",
    "diagnostic13_questions", "diagnostic14_questions", "diagnostic15_questions", "diagnostic16_questions", "diagnostic17_questions",
    # written as examples in the diagnostic sets' style (a natural mix; situations and terse), with more
    # questions the standards do not cover
    "examples7_questions", "examples8_questions",
)


def normalised(question: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", question.lower()).split())


def measuring_questions() -> list[str]:
    """The questions of every set that measures the search (the dev set when it is beside the project)."""
    paths = [p for p in sorted(QUESTIONS.glob("*_questions.jsonl")) if p.name.startswith(MEASURING)]
    paths += [DEV] if DEV.exists() else []
    return [json.loads(line)["question"] for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def examples() -> list[dict[str, str]]:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tools"))
    from finetune_encoder import TRAINING_SETS

    from knowledge.corpus import bundled_passages

    passages = bundled_passages()
    measuring = [normalised(q) for q in measuring_questions()]
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for name in (*TRAINING_SETS, *EXAMPLE_SETS):
        for line in (QUESTIONS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            q = json.loads(line) if line.strip() else None
            if not q or not (q.get("unanswerable") or q.get("expect_any")):
                continue
            question = " ".join(q["question"].split())
            if q.get("unanswerable"):
                answer = None
            else:
                answer = next((p for p in passages if any(e in p.text[:700] for e in q["expect_any"])), None)
                if answer is None:
                    continue
            if question.lower() in seen:
                continue
            if process.extractOne(normalised(question), measuring, scorer=fuzz.ratio, score_cutoff=NEAR_COPY):
                continue  # nearly a measuring question: looked up, it would not be measured
            seen.add(question.lower())
            out.append({"passage": answer.id if answer else None, "question": question})
    return out


def main() -> None:
    found = examples()
    lines = ",\n".join(json.dumps(e, ensure_ascii=False) for e in found)  # one example a line: readable diffs
    OUT.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    answered = [e for e in found if e["passage"]]
    print(
        f"wrote {len(answered)} example questions for {len({e['passage'] for e in answered})} passages"
        f" and {len(found) - len(answered)} the standards do not cover to {OUT}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
