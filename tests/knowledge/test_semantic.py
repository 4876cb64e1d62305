"""Sentence vectors: the bundled encoder, the checked-in vectors, near-ties broken by meaning, and the
vectors of imported documents kept in the database."""

import hashlib
import re

import numpy as np
import pytest
from sqlalchemy import delete, func, select

import knowledge.search as search_module
import knowledge.semantic as semantic
from bot.app import App
from bot.config import Settings
from knowledge.corpus import VECTORS_FILE, bundled_passages, bundled_vectors, vectors_digest
from knowledge.parse import DocumentInfo, parse_document
from knowledge.search import SearchIndex


def cosine(a, b):
    return float(np.dot(a, b))


def test_the_encoder_gives_unit_vectors_and_puts_paraphrases_closer_than_unrelated_text():
    asked, paraphrase, unrelated = semantic.encoder().encode(
        [
            "a member of my team rang in sick this morning",
            "the employee reported that they are absent because of illness",
            "the agency staffing budget for the next financial year",
        ]
    )
    assert asked.shape == (semantic.DIM,)
    assert abs(np.linalg.norm(asked) - 1.0) < 1e-3
    assert cosine(asked, paraphrase) > cosine(asked, unrelated) + 0.2


def test_long_text_is_cut_to_what_the_model_reads_not_refused():
    vector = semantic.encoder().encode(["supervision " * 2000])[0]
    assert np.isfinite(vector).all() and abs(np.linalg.norm(vector) - 1.0) < 1e-3


def row_cosines(a, b):
    return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_the_checked_in_vectors_are_current_and_match_the_encoder():
    """Close, not bit-identical: the 8-bit graph rounds its activations, so another CPU's float arithmetic can
    shift a row slightly (README, "Vectors on other CPUs": every row's cosine 0.993 or more on an AVX-512 VNNI
    CPU, against vectors made on an AVX2 one). Vectors of another model or of other texts are far apart."""
    stored = np.load(VECTORS_FILE)
    assert str(stored["digest"]) == vectors_digest(), "run `python -m knowledge.corpus`"
    vectors = bundled_vectors()
    passages = bundled_passages()
    assert len(vectors) == len(passages)
    sample = np.linspace(0, len(passages) - 1, 12).astype(int).tolist()
    for i in sample:
        fresh = semantic.encoder().encode(semantic.embedded_texts(passages[i]))
        kept = vectors.group(i).astype(np.float32)
        assert row_cosines(kept, fresh).min() > 0.98, passages[i].id
        assert row_cosines(kept[:1], fresh[:1]).mean() > 0.99
    # the check tells vectors apart: a neighbouring passage's whole-text vector is not this one's
    a, b = sample[1], sample[1] + 1
    other = semantic.encoder().encode(semantic.embedded_texts(passages[b])[:1])
    assert row_cosines(vectors.group(a)[:1].astype(np.float32), other)[0] < 0.98


def unsigned_weights(model_file) -> tuple[int, int]:
    """(integer matrix products, those whose weights are unsigned 8-bit) in an ONNX graph."""
    import onnx

    graph = onnx.load(str(model_file)).graph
    weights = {i.name: i.data_type for i in graph.initializer}
    products = [n for n in graph.node if n.op_type == "MatMulInteger" and n.input[1] in weights]
    return len(products), sum(weights[n.input[1]] == onnx.TensorProto.UINT8 for n in products)


def test_the_encoder_has_unsigned_8bit_weights_so_no_cpu_saturates_its_sums():
    """Signed 8-bit weights (U8S8) saturate on CPUs without VNNI: vectors would differ by machine by far more
    than rounding (README, "Vectors on other CPUs"). A re-export with `QuantType.QInt8` fails here on any
    machine."""
    products, unsigned = unsigned_weights(semantic.MODEL_FILE)
    assert products >= 36  # six layers x (query, key, value, attention output, two feed-forward)
    assert unsigned == products


def test_the_model_notice_names_the_checkpoint_it_was_made_from():
    notice = (semantic.MODEL_DIR / "NOTICE.md").read_text(encoding="utf-8")
    assert "all-MiniLM-L6-v2" in notice and "Apache" in notice
    assert re.search(r"\b[0-9a-f]{64}\b", notice)
    recorded = re.search(r"encoder-int8\.onnx[^\n]*?([0-9a-f]{64})", notice).group(1)
    assert recorded == hashlib.sha256(semantic.MODEL_FILE.read_bytes()).hexdigest()


INFO = DocumentInfo(key="kite", organisation="Kite Council", title="Kite Standards", short_title="Kite Standards")
NEAR_TIE = """# Kite Standards

## Placement costs

Tell the service manager about overspending on a child's placement.

## Safeguarding concerns

Tell the service manager at once about a child at risk of significant harm.
"""


def test_meaning_breaks_a_near_tie_between_passages_the_words_rank_alike():
    index = SearchIndex(parse_document(NEAR_TIE, INFO))
    placement, harm = (i for i, p in enumerate(index.passages) if "Tell the service manager" in p.text)
    question = "which manager do I tell when a child is in danger"
    for tied in ([(placement, 2.0, 0.6), (harm, 2.0, 0.6)], [(harm, 2.0, 0.6), (placement, 2.0, 0.6)]):
        fused = index._with_meaning(question, tied)
        assert [i for i, _, _ in fused] == [harm, placement]
        assert fused[0][1] > 2.0 and fused[0][2] == 0.6  # the words' score gains, coverage is kept


def test_meaning_does_not_overturn_a_clear_lead_by_words():
    index = SearchIndex(parse_document(NEAR_TIE, INFO))
    placement, harm = (i for i, p in enumerate(index.passages) if "Tell the service manager" in p.text)
    fused = index._with_meaning("which manager do I tell when a child is in danger", [(placement, 6.0, 0.9), (harm, 0.5, 0.2)])
    assert fused[0][0] == placement


def test_meaning_overturns_a_moderate_lead_by_words_when_the_meanings_are_far_apart():
    """At the weight chosen in the seventh session (2.5, README "Meaning"): words three times as strong do not
    hold when the passage they favour is about something else (cosine 0.37 against 0.69 here)."""
    index = SearchIndex(parse_document(NEAR_TIE, INFO))
    placement, harm = (i for i, p in enumerate(index.passages) if "Tell the service manager" in p.text)
    fused = index._with_meaning("which manager do I tell when a child is in danger", [(placement, 6.0, 0.9), (harm, 2.0, 0.5)])
    assert fused[0][0] == harm


def test_without_meaning_the_order_is_the_words_order(monkeypatch):
    index = SearchIndex(parse_document(NEAR_TIE, INFO))
    monkeypatch.setattr(search_module, "SEMANTIC_WEIGHT", 0.0)
    tied = [(0, 2.0, 0.6), (1, 2.0, 0.6)]
    assert index._with_meaning("which manager do I tell when a child is in danger", tied) == tied


def test_meaning_only_reorders_candidates_the_words_found():
    index = SearchIndex(parse_document(NEAR_TIE, INFO))
    assert index.search("what is the weather forecast for tomorrow", limit=3) == []


def test_vectors_must_match_the_passages():
    passages = parse_document(NEAR_TIE, INFO)
    with pytest.raises(ValueError):
        SearchIndex(passages, vectors=semantic.vectors_of(passages[:1])[0])


@pytest.fixture
def standards(tmp_path):
    path = tmp_path / "kite-standards.md"
    path.write_text(NEAR_TIE, encoding="utf-8")
    return path


def test_an_import_keeps_its_passages_vectors_and_another_replica_uses_them(cli, standards, db_url, monkeypatch):
    from bot.storage.models.knowledge import KnowledgeVectors

    assert cli("knowledge", "import", str(standards), "--org", "Kite Council").exit_code == 0
    replica = App(Settings(database_url=db_url, _env_file=None))
    try:
        with replica.db.unit() as session:
            stored = session.scalar(select(func.count()).select_from(KnowledgeVectors))
        assert stored == 2  # one row per imported passage
        # a replica starting with a fresh process memo reads them instead of running the encoder
        monkeypatch.setattr(semantic, "_memo", {})
        monkeypatch.setattr(semantic, "encoder", lambda: pytest.fail("imported vectors were recomputed"))
        from knowledge import _combined

        _combined.clear()
        results = replica.knowledge.search("which manager do I tell when a child is in danger", limit=1)
    finally:
        replica.close()
    assert results and "significant harm" in results[0].passage.text


def test_missing_vectors_are_computed_once_and_stored(cli, standards, db_url, monkeypatch):
    from bot.storage.models.knowledge import KnowledgeVectors
    from knowledge import _combined

    assert cli("knowledge", "import", str(standards)).exit_code == 0
    replica = App(Settings(database_url=db_url, _env_file=None))
    try:
        with replica.db.unit() as session:
            session.execute(delete(KnowledgeVectors))  # as after an encoder upgrade
        monkeypatch.setattr(semantic, "_memo", {})
        _combined.clear()
        assert replica.knowledge.search("overspending on a placement", limit=1)
        with replica.db.unit() as session:
            assert session.scalar(select(func.count()).select_from(KnowledgeVectors)) == 2
    finally:
        replica.close()


@pytest.mark.parametrize(
    ("coverage", "meaning", "answered"),
    # enough of the words answer whatever the meaning (0.75); half of them, far in meaning, do not (0.50, 0.10)
    [(0.45, 0.60, True), (0.30, 0.50, True), (0.45, 0.40, False), (0.15, 0.90, False), (0.50, 0.10, False), (0.75, 0.10, True)],
)
def test_a_passage_close_in_meaning_is_answered_with_less_of_the_words(monkeypatch, coverage, meaning, answered):
    index = SearchIndex(parse_document(NEAR_TIE, INFO))
    question = "which manager do I tell when a child is in danger"
    plan = index.plan(question)
    ranked = [(0, 5.0, coverage)]
    monkeypatch.setattr(index, "_ranked", lambda q: (plan, ranked, (5.0, coverage, meaning)))
    monkeypatch.setattr(index, "_misses_the_main_idea", lambda plan, i: False)  # this test is about meaning alone
    assert bool(index.search(question, limit=3)) is answered


def test_the_closeness_that_rescues_a_near_miss_is_the_best_passages(monkeypatch):
    index = SearchIndex(parse_document(NEAR_TIE, INFO))
    harm = next(i for i, p in enumerate(index.passages) if "significant harm" in p.text)
    plan, fused, (_, _, meaning) = index._ranked("which manager do I tell when a child is in danger")
    assert fused[0][0] == harm
    expected = index.vectors.closeness(semantic.question_vector("which manager do I tell when a child is in danger"), np.array([harm]))
    assert meaning == pytest.approx(float(expected[0]), abs=1e-6)


def test_a_large_import_shows_progress_while_it_reads_meaning(sqlite_cli, tmp_path):
    path = tmp_path / "heron-rules.md"
    path.write_text(
        "# Heron Rules\n\n" + "".join(f"## Rule {n}\n\nManagers file heron form {n} within {n} working days.\n\n" for n in range(30)),
        encoding="utf-8",
    )
    result = sqlite_cli("knowledge", "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "Reading meaning" in result.stderr


def test_a_small_import_does_not_show_that_progress(sqlite_cli, standards):
    result = sqlite_cli("knowledge", "import", str(standards))
    assert result.exit_code == 0, result.stderr
    assert "Reading meaning" not in result.stderr


def test_the_encoder_is_never_trained_on_the_sets_that_measure_it():
    """tools/finetune_encoder.py learns from the tuning and training-only sets; the dev, validation and
    measure-only sets are what the README's figures for the fine-tuned encoder rest on."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "tools" / "finetune_encoder.py"
    spec = importlib.util.spec_from_file_location("finetune_encoder", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)  # torch is imported only when training runs
    assert all((tool.QUESTIONS / f"{name}.jsonl").exists() for name in tool.TRAINING_SETS)
    measured = ("dev", "validation", "unseen", "fresh", "short_unseen", "every_passage")
    assert not [name for name in tool.TRAINING_SETS if name.startswith(measured)]
    assert {"questions", "diagnostic11_questions", "training1_questions"} <= set(tool.TRAINING_SETS)


# ---- example questions ---------------------------------------------------------------------------------


def load_tool(name):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_the_example_questions_are_current_and_none_comes_from_a_set_that_measures_the_search():
    """`knowledge/example_questions.json` is what tools/example_questions.py writes from the training sets,
    every example names a bundled passage, and no example is a question of the dev, validation, every-passage
    or measure-only sets (their figures in the README measure what the examples add)."""
    import json
    from pathlib import Path

    from knowledge.corpus import EXAMPLES_FILE, example_questions

    from rapidfuzz import fuzz, process

    tool = load_tool("example_questions")
    kept = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    written = tool.examples()
    if tool.DEV.exists():
        assert kept == written, "run `python tools/example_questions.py`"
    else:  # without the dev questions beside the project, the tool cannot leave out their near-copies
        assert [e for e in written if e in kept] == kept
    from knowledge.corpus import not_covered_questions

    answered = [e for e in kept if e["passage"] is not None]
    assert len(answered) > 800 and len(example_questions()) == len(answered)  # each names a passage of the corpus
    assert len(not_covered_questions()) == len(kept) - len(answered) > 50
    measuring = [tool.normalised(q) for q in tool.measuring_questions()]
    assert len(measuring) > 900  # the dev, validation, every-passage and measure-only questions
    near = [e["question"] for e in kept if process.extractOne(tool.normalised(e["question"]), measuring, scorer=fuzz.ratio, score_cutoff=80)]
    assert not near


def test_the_checked_in_example_vectors_match_the_encoder():
    from knowledge.corpus import example_questions

    vectors, examples = bundled_vectors(), example_questions()
    assert vectors.example_of.tolist() == [i for i, _ in examples]
    for k in np.linspace(0, len(examples) - 1, 12).astype(int).tolist():
        fresh = semantic.encoder().encode([examples[k][1]])
        assert row_cosines(vectors.examples[k : k + 1], fresh)[0] > 0.98
    assert row_cosines(vectors.examples[:1], semantic.encoder().encode([examples[1][1]]))[0] < 0.98
    from knowledge.corpus import not_covered_questions

    gaps = not_covered_questions()
    assert len(vectors.not_covered) == len(gaps)
    for k in (0, len(gaps) // 2, len(gaps) - 1):
        assert row_cosines(vectors.not_covered[k : k + 1], semantic.encoder().encode([gaps[k]]))[0] > 0.98


def with_examples(vectors, rows, owners):
    return semantic.PassageVectors(vectors.whole, vectors.sentences, vectors.start, rows, np.array(owners, dtype=np.int64))


def test_a_question_asked_before_in_other_words_brings_its_passage_closer():
    passages = parse_document(NEAR_TIE, INFO)
    plain = semantic.vectors_of(passages)[0]
    placement, harm = (i for i, p in enumerate(passages) if "Tell the service manager" in p.text)
    question = semantic.question_vector("the council is paying too much for where a child lives")
    before = plain.closeness(question, np.array([placement, harm]))
    example = semantic.encoder().encode(["we are paying too much for where a child lives, who do I tell"])
    vectors = with_examples(plain, example, [placement])
    after = vectors.closeness(question, np.array([placement, harm]))
    asked = float(example[0] @ question)
    assert asked > before[0]  # the example is closer to the question than the standard's own wording
    assert after[0] == pytest.approx(max(before[0], semantic.EXAMPLE_WEIGHT * asked), abs=1e-5)
    assert after[0] > before[0] and after[1] == pytest.approx(before[1])  # only the passage it answers gains
    assert vectors.closeness(question, np.array([placement, harm]), examples=False) == pytest.approx(before)


def test_the_closest_question_the_standards_do_not_cover_is_found_and_kept_when_corpora_are_joined():
    passages = parse_document(NEAR_TIE, INFO)
    plain = semantic.vectors_of(passages)[0]
    assert plain.closest_not_covered(semantic.question_vector("canteen opening hours")) == -1.0  # none known
    gaps = semantic.encoder().encode(["canteen opening hours", "parking permit for the town hall"])
    known = semantic.PassageVectors(plain.whole, plain.sentences, plain.start, not_covered=gaps)
    close = known.closest_not_covered(semantic.question_vector("when is the canteen open"))
    assert close == pytest.approx(float(gaps[0] @ semantic.question_vector("when is the canteen open")), abs=1e-5)
    assert close > known.closest_not_covered(semantic.question_vector("who do I tell about a child at risk")) + 0.2
    assert len(semantic.concat([plain, known]).not_covered) == 2
    assert len(semantic.concat([known, known]).not_covered) == 2  # the same questions are kept once


def test_example_questions_follow_their_passages_when_corpora_are_joined():
    passages = parse_document(NEAR_TIE, INFO)
    plain = semantic.vectors_of(passages)[0]
    example = semantic.encoder().encode(["who do I tell about a child at risk"])
    mine = with_examples(plain, example, [len(passages) - 1])
    joined = semantic.concat([plain, mine])
    assert joined.example_of.tolist() == [2 * len(passages) - 1]
    assert semantic.concat([mine, plain]).example_of.tolist() == [len(passages) - 1]
    with pytest.raises(ValueError):
        with_examples(plain, example, [len(passages)])  # an example must name one of the passages
    with pytest.raises(ValueError):
        with_examples(plain, example, [0, 1])


def test_an_example_question_turns_a_near_tie_its_way():
    """Two passages the words rank alike: the one that answers an example close to the question comes first."""
    passages = parse_document(NEAR_TIE, INFO)
    plain = semantic.vectors_of(passages)[0]
    placement, harm = (i for i, p in enumerate(passages) if "Tell the service manager" in p.text)
    question = "what must I report to the service manager straight away"
    tied = [(harm, 2.0, 0.6), (placement, 2.0, 0.6)]
    example = semantic.encoder().encode(["what do I report straight away to the service manager when a placement costs more"])
    assert SearchIndex(passages, vectors=plain)._with_meaning(question, tied)[0][0] == harm
    assert SearchIndex(passages, vectors=with_examples(plain, example, [placement]))._with_meaning(question, tied)[0][0] == placement


def test_a_question_near_one_the_standards_do_not_cover_is_not_answered(monkeypatch):
    """"private fostering" shares words with a passage on communicating with children, but questions about
    private fostering timescales are known to be outside the standards: the nearer of the two wins."""
    from knowledge import build_index

    index = build_index()
    question = "how many days do we have to notify about a private fostering arrangement"
    plan, fused, (_, _, meaning) = index.index._ranked(question)
    gap = index.index.vectors.closest_not_covered(semantic.question_vector(question))
    assert gap >= search_module.NOT_COVERED and gap > meaning + search_module.NOT_COVERED_MARGIN
    assert index.search(question) == []
    monkeypatch.setattr(search_module, "NOT_COVERED", 2.0)
    assert index.search(question)  # the words alone would have answered it
    monkeypatch.undo()
    # a question the standards do cover, near an answered example, is answered as before
    assert index.search("rtw meeting after sickness - when")
    # and one whose words the best passage holds well is answered whatever its nearest example: the encoder
    # finds "return to work interview" close to "return home interview after a missing episode"
    question = "return to work interview"
    plan, fused, (_, coverage, meaning) = index.index._ranked(question)
    gap = index.index.vectors.closest_not_covered(semantic.question_vector(question))
    assert gap >= search_module.NOT_COVERED and gap > meaning + search_module.NOT_COVERED_MARGIN
    assert max(coverage, fused[0][2]) >= search_module.NOT_COVERED_COVERAGE
    assert index.search(question) and "return to work" in index.search(question)[0].passage.text.lower()


# ---- far in meaning ---------------------------------------------------------------------------------


def test_a_best_passage_far_in_meaning_that_holds_little_of_the_question_is_withheld(monkeypatch):
    """"setting up a desk at home" shares words with a passage on keeping records confidential (desk, home),
    which means something else: without the rule that passage would be the answer."""
    from knowledge import build_index

    index = build_index()
    question = "guidance on setting up a desk at home"
    plan, fused, (_, coverage, meaning) = index.index._ranked(question)
    assert meaning < search_module.FAR_MEANING and max(coverage, fused[0][2]) < search_module.FAR_COVERAGE
    assert index.search(question) == []
    monkeypatch.setattr(search_module, "FAR_MEANING", -1.0)
    assert index.search(question)


def test_an_acronym_the_encoder_does_not_know_is_spelt_out_before_a_passage_is_judged_far(monkeypatch):
    from knowledge import build_index
    from knowledge.search import spell_out

    assert spell_out("wfh equipment guidance") == "working from home equipment guidance"
    assert spell_out("SMART actions") == "specific measurable achievable realistic timely actions"
    assert spell_out("smart goals") == "smart goals" and spell_out("oh no") == "oh no"  # everyday words, in lower case
    index = build_index()
    question = "wfh equipment guidance"
    # read as asked only, the best passage is far in meaning; the far rule reads it again spelt out and answers
    monkeypatch.setattr(search_module, "SPELT_MEANING", False)
    index.index._recent.clear()
    plan, fused, (_, coverage, meaning) = index.index._ranked(question)
    assert meaning < search_module.FAR_MEANING <= index.index._closeness(spell_out(question), fused[0][0])
    answer = index.search(question)
    assert answer and "working" in answer[0].passage.text.lower()
    # and the ranking's own closeness reads it spelt out too
    monkeypatch.setattr(search_module, "SPELT_MEANING", True)
    index.index._recent.clear()
    plan, fused, (_, coverage, meaning) = index.index._ranked(question)
    assert meaning >= search_module.FAR_MEANING
    assert "working" in index.search(question)[0].passage.text.lower()


def test_closeness_in_meaning_is_the_closer_of_the_question_as_asked_and_spelt_out():
    """"SM gave advice": the encoder learnt few acronyms, so each candidate is as close as the nearer of the
    question as typed and with its acronyms spelt out; council names ("NPT") stay as typed, since they name
    documents the search already prefers."""
    from knowledge import build_index
    from knowledge.search import spell_out

    index = build_index().index
    question = "SM gave advice on one of my cases"
    spelt = spell_out(question, index.alias_vocab)
    assert spelt == "service manager gave advice on one of my cases"
    ids = np.arange(index.size, dtype=np.int64)
    asked = index.vectors.closeness(semantic.question_vector(question), ids)
    read = index.vectors.closeness(semantic.question_vector(spelt), ids)
    combined = index._meaning_of(question, ids)
    assert np.allclose(combined, np.maximum(asked, read))
    assert (read > asked).any() and (asked > read).any()  # both readings decide somewhere
    assert "npt" in index.alias_vocab
    assert spell_out("how did NPT cut sickness", index.alias_vocab) == "how did NPT cut sickness"
    assert spell_out("how did NPT cut sickness") == "how did neath port talbot cut sickness"


def test_a_passage_no_example_speaks_for_is_judged_far_at_a_lower_closeness(monkeypatch):
    """An imported document's passages answer no example question, so they are never as close as bundled ones
    that do: they are withheld only below FAR_MEANING_PLAIN."""
    passages = parse_document(NEAR_TIE, INFO)
    plain = semantic.vectors_of(passages)[0]
    example = semantic.encoder().encode(["who do I tell about a child at risk"])
    vectors = with_examples(plain, example, [1])
    assert vectors.has_examples(1) and not vectors.has_examples(0)
    index = SearchIndex(passages, vectors=vectors)
    between = (search_module.FAR_MEANING_PLAIN + search_module.FAR_MEANING) / 2
    assert search_module.FAR_MEANING_PLAIN < search_module.FAR_MEANING
    assert not index._far_in_meaning("a question", 0, between)  # no examples: not far at this closeness ...
    assert index._far_in_meaning("a question", 1, between)  # ... but far for a passage examples speak for
    assert index._far_in_meaning("a question", 0, search_module.FAR_MEANING_PLAIN - 0.01)
