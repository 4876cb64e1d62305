"""Answer quality on the dev questions (or, without them, the question set bundled with these tests).

A hit is a result whose first 700 characters contain one of `expect_any`. The dev questions live outside
the repository (`../shared/eval/dev_questions.jsonl`); `questions.jsonl` here is our own, smaller set.
"""

import json
from pathlib import Path

import pytest

from knowledge import build_index
from knowledge.corpus import CACHE_FILE, build_cache

HERE = Path(__file__).parent
DEV = HERE.parents[2] / "shared" / "eval" / "dev_questions.jsonl"
OWN = HERE / "questions.jsonl"
HELDOUT = HERE / "heldout_questions.jsonl"  # written from the sources alone, by someone who never saw the search code
FINAL = HERE / "final_questions.jsonl"  # the same, a second time; used to measure, not to find failures to fix
# the same a third time (2026-11-29), measured once when written and not looked at since: the next honest measure
FRESH = HERE / "fresh_questions.jsonl"
# the same a fourth time (2026-11-29), used like the held-out set: to find kinds of failure to fix in general
DIAGNOSTIC = HERE / "diagnostic_questions.jsonl"
# the same a fifth time (2026-11-29, after the sentence encoder), measured once and not looked at since
UNSEEN = HERE / "unseen_questions.jsonl"
# the same a sixth time (2026-11-29, after the encoder), used like the diagnostic set: to find kinds of failure
DIAGNOSTIC2 = HERE / "diagnostic2_questions.jsonl"
# the same a seventh time (2026-11-29), used the same way
DIAGNOSTIC3 = HERE / "diagnostic3_questions.jsonl"
# short, terse questions in the dev set's style (2026-11-29): one set used to find kinds of failure, and one
# written the same way at the same time, measured only and not looked at
SHORT = HERE / "short_questions.jsonl"
SHORT_UNSEEN = HERE / "short_unseen_questions.jsonl"
# the same again in the third session of 2026-11-29, mixing terse, plain and chatty questions: one set used to
# find kinds of failure, and one written the same way at the same time, measured only and not looked at
DIAGNOSTIC4 = HERE / "diagnostic4_questions.jsonl"
UNSEEN2 = HERE / "unseen2_questions.jsonl"
# the same again, later that session: a set of terse questions and one of chatty situations about less obvious
# facts, both used to find kinds of failure, and a third in mixed styles, measured only and not looked at
SHORT2 = HERE / "short2_questions.jsonl"
DIAGNOSTIC5 = HERE / "diagnostic5_questions.jsonl"
UNSEEN3 = HERE / "unseen3_questions.jsonl"
# a sixth diagnostic set at the end of that session: short plain questions of what a manager needs in the moment
DIAGNOSTIC6 = HERE / "diagnostic6_questions.jsonl"
# the same again in the fourth session of 2026-11-29, terse questions in the dev set's style on less obvious facts:
# one set used to find kinds of failure, and one written the same way at the same time, measured only
DIAGNOSTIC7 = HERE / "diagnostic7_questions.jsonl"
UNSEEN4 = HERE / "unseen4_questions.jsonl"
# later that session, questions that deliberately paraphrase the standards' wording, half of them situations:
# one set used to find kinds of failure, and one written the same way at the same time, measured only
DIAGNOSTIC8 = HERE / "diagnostic8_questions.jsonl"
UNSEEN5 = HERE / "unseen5_questions.jsonl"
# and once more, terse paraphrases in the dev set's style: one used to find kinds of failure, one measured only
DIAGNOSTIC9 = HERE / "diagnostic9_questions.jsonl"
UNSEEN6 = HERE / "unseen6_questions.jsonl"
# and a last pair: half "where do I find ..." questions about guides, forms and appendices, half everyday duties
DIAGNOSTIC10 = HERE / "diagnostic10_questions.jsonl"
UNSEEN7 = HERE / "unseen7_questions.jsonl"
# and situations told in one or two sentences, often naming the council, then "what do the standards say?":
# the weakest kind (see README); one used to find kinds of failure, one measured only
DIAGNOSTIC11 = HERE / "diagnostic11_questions.jsonl"
UNSEEN8 = HERE / "unseen8_questions.jsonl"
# and a last terse pair in the dev set's style, drawing on sections rarely asked about
DIAGNOSTIC12 = HERE / "diagnostic12_questions.jsonl"
UNSEEN9 = HERE / "unseen9_questions.jsonl"
# three validation sets (fifth session, 2026-11-30), in three styles (terse on a phone, full sentences from newer
# managers, a mix): used only to choose between methods by their totals, never to find failures to fix
VALIDATION1 = HERE / "validation1_questions.jsonl"
VALIDATION2 = HERE / "validation2_questions.jsonl"
VALIDATION3 = HERE / "validation3_questions.jsonl"
# one question for every passage a manager could ask about (seventh session, 2026-11-30), written from the
# passages alone in four styles (a situation, terse phone-typing, a paraphrase, "who / where / when"); used
# like the validation sets, by totals only, to choose the weight of meaning and the near-miss rule (README, "Meaning")
EVERY_PASSAGE = HERE / "every_passage_questions.jsonl"
# questions the standards do not cover, on subjects no tuning set asked about (eighth session, 2026-11-30): near
# the standards' practice subjects (1) and about running a team and the workplace (2), written from the section
# headings alone; used like the validation sets, by totals only, to choose the "far in meaning" rule (README)
OFFTOPIC1 = HERE / "offtopic1_questions.jsonl"
OFFTOPIC2 = HERE / "offtopic2_questions.jsonl"
# ninth session (2026-11-30): two more sets written from the sources alone by writers who saw no code and no
# other set (a dev-like mix; full sentences from newer managers), measured once when written, not looked at since
FRESH2 = HERE / "fresh2_questions.jsonl"
FRESH3 = HERE / "fresh3_questions.jsonl"
# tenth session (2026-11-30): one more set in the dev set's mix, written from the sources alone by a writer who saw no
# code and no other set; used like the diagnostic sets, to find kinds of failure (README, "Tenth session")
DIAGNOSTIC13 = HERE / "diagnostic13_questions.jsonl"
# and two more written at the same time by other writers: situations told in everyday words (14), terse phone-typing (15)
DIAGNOSTIC14 = HERE / "diagnostic14_questions.jsonl"
DIAGNOSTIC15 = HERE / "diagnostic15_questions.jsonl"
# and a fourth writer at the same time, a mix of styles: measured only, its questions not looked at
FRESH4 = HERE / "fresh4_questions.jsonl"
# later that session: situations again (16) and short who / where / what questions (17), used to find kinds of
# failure, and a fifth fresh set in a natural mix, measured only
DIAGNOSTIC16 = HERE / "diagnostic16_questions.jsonl"
DIAGNOSTIC17 = HERE / "diagnostic17_questions.jsonl"
FRESH5 = HERE / "fresh5_questions.jsonl"
# and a sixth at the end of the tenth session, in the same mix: measured only
FRESH6 = HERE / "fresh6_questions.jsonl"
# eleventh session (2026-11-30): two sets in the dev set's terse style on less obvious facts (18: who / can I / what;
# 19: search-box queries and one-sentence questions), used to find kinds of failure, and a seventh fresh set in a
# natural mix, measured once when written (README, "Passage size")
DIAGNOSTIC18 = HERE / "diagnostic18_questions.jsonl"
DIAGNOSTIC19 = HERE / "diagnostic19_questions.jsonl"
FRESH7 = HERE / "fresh7_questions.jsonl"
# later that session: situations and "why / what happened" questions about the reports (20), terse search-box
# questions (21), used to find kinds of failure, and an eighth fresh set in a natural mix, measured once when written
DIAGNOSTIC20 = HERE / "diagnostic20_questions.jsonl"
DIAGNOSTIC21 = HERE / "diagnostic21_questions.jsonl"
FRESH8 = HERE / "fresh8_questions.jsonl"

# Measured floors (see README "Standards Q&A"); the targets are top-1 0.90, top-3 0.97, abstain 0.80.
FLOORS = {
    "dev": {"top1": 0.91, "top3": 0.97, "abstain": 1.0},
    "own": {"top1": 0.94, "top3": 1.0, "abstain": 1.0},
    "heldout": {"top1": 1.0, "top3": 1.0, "abstain": 0.91},
    "final": {"top1": 0.93, "top3": 0.97, "abstain": 0.91},
    "fresh": {"top1": 0.94, "top3": 1.0, "abstain": 0.91},
    "diagnostic": {"top1": 0.96, "top3": 1.0, "abstain": 0.9},
    "unseen": {"top1": 0.86, "top3": 0.98, "abstain": 1.0},
    "diagnostic2": {"top1": 0.96, "top3": 1.0, "abstain": 1.0},
    "diagnostic3": {"top1": 0.96, "top3": 1.0, "abstain": 0.9},
    "short": {"top1": 0.98, "top3": 1.0, "abstain": 1.0},
    "short_unseen": {"top1": 0.91, "top3": 0.98, "abstain": 0.75},
    "diagnostic4": {"top1": 0.94, "top3": 0.98, "abstain": 1.0},
    "unseen2": {"top1": 0.92, "top3": 0.98, "abstain": 1.0},
    "short2": {"top1": 0.92, "top3": 0.98, "abstain": 1.0},
    "diagnostic5": {"top1": 0.96, "top3": 0.98, "abstain": 1.0},
    "unseen3": {"top1": 0.94, "top3": 0.98, "abstain": 1.0},
    "diagnostic6": {"top1": 0.98, "top3": 1.0, "abstain": 1.0},
    "diagnostic7": {"top1": 1.0, "top3": 1.0, "abstain": 1.0},
    "unseen4": {"top1": 0.98, "top3": 1.0, "abstain": 1.0},
    "diagnostic8": {"top1": 0.96, "top3": 0.98, "abstain": 1.0},
    "unseen5": {"top1": 0.89, "top3": 0.92, "abstain": 1.0},
    "diagnostic9": {"top1": 1.0, "top3": 1.0, "abstain": 1.0},
    "unseen6": {"top1": 0.98, "top3": 1.0, "abstain": 1.0},
    "diagnostic10": {"top1": 0.96, "top3": 1.0, "abstain": 1.0},
    "unseen7": {"top1": 0.92, "top3": 0.94, "abstain": 0.87},
    "diagnostic11": {"top1": 1.0, "top3": 1.0, "abstain": 1.0},
    "unseen8": {"top1": 0.89, "top3": 0.92, "abstain": 1.0},
    "diagnostic12": {"top1": 1.0, "top3": 1.0, "abstain": 1.0},
    "unseen9": {"top1": 0.94, "top3": 1.0, "abstain": 0.87},
    "validation1": {"top1": 0.94, "top3": 0.98, "abstain": 1.0},
    "validation2": {"top1": 0.91, "top3": 1.0, "abstain": 1.0},
    "validation3": {"top1": 1.0, "top3": 1.0, "abstain": 0.87},
    "every_passage": {"top1": 0.57, "top3": 0.71, "abstain": 0.0},
    "offtopic1": {"abstain": 0.86},
    "offtopic2": {"abstain": 0.91},
    "fresh2": {"top1": 0.96, "top3": 1.0, "abstain": 1.0},
    "fresh3": {"top1": 0.94, "top3": 0.98, "abstain": 1.0},
    "diagnostic13": {"top1": 1.0, "top3": 1.0, "abstain": 1.0},
    "diagnostic14": {"top1": 1.0, "top3": 1.0, "abstain": 1.0},
    "fresh4": {"top1": 0.87, "top3": 1.0, "abstain": 1.0},
    "diagnostic16": {"top1": 0.98, "top3": 1.0, "abstain": 1.0},
    "diagnostic17": {"top1": 0.98, "top3": 1.0, "abstain": 1.0},
    "fresh6": {"top1": 0.89, "top3": 0.98, "abstain": 1.0},
    "fresh5": {"top1": 0.91, "top3": 0.98, "abstain": 1.0},
    "diagnostic15": {"top1": 0.98, "top3": 1.0, "abstain": 0.87},
    "diagnostic18": {"top1": 0.96, "top3": 1.0, "abstain": 1.0},
    "diagnostic19": {"top1": 0.94, "top3": 1.0, "abstain": 1.0},
    "diagnostic20": {"top1": 0.75, "top3": 0.85, "abstain": 0.66},
    "diagnostic21": {"top1": 0.87, "top3": 0.94, "abstain": 1.0},
    "fresh8": {"top1": 0.9, "top3": 1.0, "abstain": 0.83},
    "fresh7": {"top1": 0.9, "top3": 0.98, "abstain": 0.83},
}


def measure(path: Path) -> dict[str, float]:
    index = build_index()
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    top1 = top3 = answerable = abstained = unanswerable = 0
    for q in questions:
        results = index.search(q["question"], limit=3)
        if q.get("unanswerable"):
            unanswerable += 1
            abstained += not results
            continue
        answerable += 1
        hits = [any(e.lower() in r.passage.text[:700].lower() for e in q["expect_any"]) for r in results]
        top1 += bool(hits and hits[0])
        top3 += any(hits)
    return {"top1": top1 / max(answerable, 1), "top3": top3 / max(answerable, 1), "abstain": abstained / max(unanswerable, 1)}


@pytest.mark.parametrize("name", list(FLOORS))
def test_answer_quality_meets_the_measured_floor(name):
    path = {
        "dev": DEV, "own": OWN, "heldout": HELDOUT, "final": FINAL, "fresh": FRESH, "diagnostic": DIAGNOSTIC, "unseen": UNSEEN,
        "diagnostic2": DIAGNOSTIC2, "diagnostic3": DIAGNOSTIC3, "short": SHORT, "short_unseen": SHORT_UNSEEN,
        "diagnostic4": DIAGNOSTIC4, "unseen2": UNSEEN2, "short2": SHORT2, "diagnostic5": DIAGNOSTIC5, "unseen3": UNSEEN3,
        "diagnostic6": DIAGNOSTIC6, "diagnostic7": DIAGNOSTIC7, "unseen4": UNSEEN4,
        "diagnostic8": DIAGNOSTIC8, "unseen5": UNSEEN5, "diagnostic9": DIAGNOSTIC9, "unseen6": UNSEEN6,
        "diagnostic10": DIAGNOSTIC10, "unseen7": UNSEEN7, "diagnostic11": DIAGNOSTIC11, "unseen8": UNSEEN8,
        "diagnostic12": DIAGNOSTIC12, "unseen9": UNSEEN9,
        "validation1": VALIDATION1, "validation2": VALIDATION2, "validation3": VALIDATION3,
        "every_passage": EVERY_PASSAGE, "offtopic1": OFFTOPIC1, "offtopic2": OFFTOPIC2,
        "fresh2": FRESH2, "fresh3": FRESH3, "diagnostic13": DIAGNOSTIC13,
        "diagnostic14": DIAGNOSTIC14, "diagnostic15": DIAGNOSTIC15, "fresh4": FRESH4,
        "diagnostic16": DIAGNOSTIC16, "diagnostic17": DIAGNOSTIC17, "fresh5": FRESH5, "fresh6": FRESH6,
        "diagnostic18": DIAGNOSTIC18, "diagnostic19": DIAGNOSTIC19, "fresh7": FRESH7,
        "diagnostic20": DIAGNOSTIC20, "diagnostic21": DIAGNOSTIC21, "fresh8": FRESH8,
    }[name]
    if name == "dev" and not DEV.exists():
        path, name = OWN, "own"
    scores = measure(path)
    for metric, floor in FLOORS[name].items():
        assert scores[metric] >= floor, f"{metric} {scores[metric]:.3f} < {floor} on {path.name}"


def test_checked_in_corpus_cache_is_up_to_date():
    """Run `python -m knowledge.corpus` after changing the sources or the parsing/search code."""
    assert json.loads(CACHE_FILE.read_text(encoding="utf-8")) == build_cache()
