"""The neutral answer reply, feedback votes and the redacted knowledge-gaps log."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.storage.models.knowledge import KnowledgeFeedback, KnowledgeGap
from handlers.ask import answer, knowledge_gaps, record_feedback, redact, search_json
from handlers.errors import InvalidInput
from handlers.policy import load_policy
from handlers.types import Actions, ItemList, PassagePart, Request, Text
from knowledge import build_index

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def index():
    return build_index()


def ask(text):
    return Request(now=NOW, platform="console", text=text)


def test_answer_reply_has_heading_passages_see_also_and_vote_and_link_buttons(index):
    reply = answer(index, ask("EAP free 24-hour helpline"), limit=2)
    kinds = [type(p) for p in reply.parts]
    assert kinds[0] is Text and reply.parts[0].style == "heading"
    passages = [p.passage for p in reply.parts if isinstance(p, PassagePart)]
    assert 1 <= len(passages) <= 2 and "0800 028 0199" in passages[0].text
    assert passages[0].document_date and passages[0].section and passages[0].source
    (actions,) = [p for p in reply.parts if isinstance(p, Actions)]
    by_id = {b.action_id: b for b in actions.buttons}
    assert by_id["answer.helpful"].value == passages[0].id
    assert by_id["answer.not_helpful"].value == passages[0].id
    assert "tel:08000280199" in {b.url for b in actions.buttons if b.url}


def test_related_sections_are_offered_as_see_also(index):
    reply = answer(index, ask("supervision records"), limit=2)
    (see_also,) = [p for p in reply.parts if isinstance(p, ItemList)]
    shown = {p.passage.section for p in reply.parts if isinstance(p, PassagePart)}
    assert see_also.title == "See also" and see_also.items
    assert all(item.detail not in shown for item in see_also.items)


def test_abstention_says_plainly_and_suggests_a_rephrase(index):
    reply = answer(index, ask("supervison recrods for the wifi router"))
    text = reply.plain_text()
    assert not any(isinstance(p, PassagePart) for p in reply.parts)
    assert "don't cover" in text
    assert "Did you mean" in text


@pytest.mark.parametrize("text", ["", "  ", "q" * 10_000])
def test_empty_and_oversized_questions_are_invalid(index, text):
    with pytest.raises(InvalidInput) as error:
        answer(index, ask(text))
    assert error.value.field == "question"
    with pytest.raises(InvalidInput):
        search_json(index, text, 3)


def test_redaction_removes_case_references_numbers_and_names():
    redacted = redact("Can Sarah Okafor see LCS204815 and MOS-1234 for Mr Jones, ref 1234567?")
    assert "Sarah" not in redacted and "Okafor" not in redacted and "Jones" not in redacted
    assert "204815" not in redacted and "1234" not in redacted and "1234567" not in redacted
    assert redacted.startswith("Can [name] see [case ref] and [case ref] for [name], ref [number]?")
    assert redact("Does the NQSW supervision standard apply in Sefton?") == "Does the NQSW supervision standard apply in Sefton?"


def test_unanswered_questions_are_logged_redacted_and_counted(db, index):
    policy = load_policy("default")
    with db.unit() as session:
        answer(index, Request(now=NOW, platform="slack", text="wifi password for Priya Raman"), session=session, policy=policy)
        answer(index, Request(now=NOW, platform="slack", text="wifi password for Tom"), session=session, policy=policy)
        answer(index, Request(now=NOW, platform="slack", text="EAP helpline"), session=session, policy=policy)
        answer(index, Request(now=NOW, platform="slack", text="pool car booking for LCS204815"), session=session, policy=policy)
    with db.unit() as session:
        stored = session.scalars(select(KnowledgeGap.question)).all()
        gaps = knowledge_gaps(session, NOW, policy=policy)
    assert len(stored) == 3
    assert not any("Priya" in q or "Tom" in q or "204815" in q for q in stored)
    assert gaps[0].question == "wifi password for [name]" and gaps[0].count == 2
    assert gaps[0].reasons == ("no_answer",)


def test_feedback_is_stored_and_not_helpful_votes_count_as_gaps(db):
    with db.unit() as session:
        record_feedback(session, "sefton-2023:5-sickness-absence:1", True, "when do I call someone off sick", NOW)
        record_feedback(session, "sefton-2023:5-sickness-absence:1", False, "fit note for Dave after LCS998877", NOW)
    with db.unit() as session:
        votes = session.scalars(select(KnowledgeFeedback).order_by(KnowledgeFeedback.id)).all()
        gaps = knowledge_gaps(session, NOW)
    assert [v.helpful for v in votes] == [True, False]
    assert votes[1].question == "fit note for [name] after [case ref]"
    assert [(g.question, g.reasons) for g in gaps] == [("fit note for [name] after [case ref]", ("not_helpful",))]
    with pytest.raises(InvalidInput):
        with db.unit() as session:
            record_feedback(session, "", True, None, NOW)


def test_question_text_is_kept_only_for_the_retention_period(db):
    policy = load_policy("default")
    old = NOW - timedelta(days=policy.knowledge.gap_retention_days + 1)
    with db.unit() as session:
        record_feedback(session, "p1", False, "old question about parking", old, policy=policy)
        record_feedback(session, "p1", False, "new question about parking", NOW, policy=policy)
    with db.unit() as session:
        gaps = knowledge_gaps(session, NOW, policy=policy)
        votes = session.scalars(select(KnowledgeFeedback).order_by(KnowledgeFeedback.id)).all()
    assert [g.question for g in gaps] == ["new question about parking"]
    assert votes[0].question is None and votes[1].question == "new question about parking"


def test_gaps_command_lists_the_most_frequent(cli):
    for _ in range(2):
        assert cli("ask", "how do I book a pool car").exit_code == 0
    assert cli("ask", "christmas party budget", "--json").exit_code == 0
    result = cli("knowledge", "gaps")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[0] == "2" and "pool car" in lines[0]
    assert "christmas party budget" in result.stdout
