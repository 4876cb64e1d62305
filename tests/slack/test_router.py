"""handlers/router.py, the platform-neutral routing every adapter (Slack, Teams, console) goes through."""

from __future__ import annotations

import pytest

from bot.storage.models import Staff
from handlers import router
from handlers.errors import InvalidInput
from handlers.types import Actions, FormPart, PassagePart, Request


@pytest.fixture
def org(app):
    with app.db.unit() as session:
        session.add(Staff(staff_id="alex", name="Alex Manager", role="team_manager"))
        session.add(Staff(staff_id="kim", name="Kim Worker", role="social_worker", manager_id="alex"))
    return app


def ask(app, text: str, staff_id: str | None = "alex") -> Request:
    return Request(now=app.now(), platform="console", staff_id=staff_id, text=text)


@pytest.mark.parametrize("text", ["", "help", "  HELP  ", "?"])
def test_help_lists_what_the_bot_can_do(org, text):
    reply = router.route_message(org, ask(org, text))
    assert "oversight" in reply.plain_text() and "my week" in reply.plain_text()


def test_a_question_gets_passages_votes_that_carry_the_question_and_more_results(org):
    reply = router.route_message(org, ask(org, "how often should an NQSW be supervised?"))
    passages = [p for p in reply.parts if isinstance(p, PassagePart)]
    assert 1 <= len(passages) <= router.SHOWN_ANSWERS
    buttons = [b for p in reply.parts if isinstance(p, Actions) for b in p.buttons]
    helpful = next(b for b in buttons if b.action_id == "answer.helpful")
    assert helpful.value == f"{passages[0].passage.id}|how often should an NQSW be supervised?"
    more = [b for b in buttons if b.action_id == "answer.more"]
    assert more and all(b.value not in {p.passage.id for p in passages} for b in more)
    shown = router.handle_action(org, ask(org, ""), "answer.more", more[0].value)
    assert isinstance(shown.parts[0], PassagePart) and shown.parts[0].passage.id == more[0].value


@pytest.mark.parametrize("text", ["supervision frequency for NQSWs", "absence management policy", "oversight of decisions",
                                  "help with return to work", "awaiting reply standard"])
def test_command_words_followed_by_a_question_are_answered_as_questions(org, text):
    reply = router.route_message(org, ask(org, text))
    assert not any(isinstance(p, FormPart) for p in reply.parts)
    assert "say who" not in reply.plain_text() and "What I can do" not in reply.plain_text()


def test_the_same_words_as_a_platform_command_start_the_flow(org):
    with pytest.raises(InvalidInput, match="staff"):
        router.command(org, ask(org, "supervision frequency"))


@pytest.mark.parametrize("text,form_id", [("oversight", "decision.form"), ("supervision", "supervision.form"),
                                          ("absence", "absence.form"), ("awaiting reply", "reply.form")])
def test_a_flow_word_alone_offers_its_form(org, text, form_id):
    (part,) = router.route_message(org, ask(org, text)).parts
    assert isinstance(part, FormPart) and part.form.form_id == form_id
    assert router.open_form(org, form_id).form_id == form_id


def test_typed_records_are_stored_for_people_the_asker_manages(org):
    reply = router.route_message(org, ask(org, "supervision kim 2026-11-20 welfare"))
    assert "Welfare supervision with Kim Worker on Fri 20 Nov 2026 recorded" in reply.plain_text()
    with pytest.raises(InvalidInput, match="people you manage"):
        router.route_message(org, ask(org, "supervision alex 2026-11-20", staff_id="kim"))


def test_unknown_people_get_a_helpful_message_for_records_but_can_still_ask(org):
    for text in ("oversight LCS204815: step down because risks reduced", "my week", "supervision kim"):
        assert "administrator" in router.route_message(org, ask(org, text, staff_id=None)).plain_text()
    assert "administrator" in router.submit_form(org, ask(org, "", staff_id=None), "decision.form", {}).plain_text()
    answer = router.route_message(org, ask(org, "return to work interview", staff_id=None))
    assert any(isinstance(p, PassagePart) for p in answer.parts)


def test_form_errors_are_raised_with_field_names_of_the_form(org):
    with pytest.raises(InvalidInput) as failed:
        router.submit_form(org, ask(org, ""), "absence.form", {"staff_id": "kim", "event": "start", "date": "2027-01-04"})
    assert set(failed.value.errors) == {"date"}
    with pytest.raises(InvalidInput):
        router.submit_form(org, ask(org, ""), "no.such.form", {})


def test_buttons_route_by_namespace_and_unknown_ones_do_nothing(org):
    tracked = router.route_message(org, ask(org, "awaiting reply kim 2026-11-19 from IRO"))
    button = next(b for p in tracked.parts if isinstance(p, Actions) for b in p.buttons)
    assert button.action_id == "message.replied"
    assert "marked as replied" in router.handle_action(org, ask(org, "", "kim"), "message.replied", button.value).plain_text()
    assert router.handle_action(org, ask(org, ""), "answer.open_link", "p1") is None
    assert router.handle_action(org, ask(org, ""), "something.else", "") is None


def test_an_agenda_action_is_marked_done_by_its_owner(org):
    from datetime import date

    from bot.storage.models import Team
    from handlers.agenda import add_team_action

    with org.db.unit() as session:
        session.add(Team(team_id="north", name="North"))
        session.flush()
        action_id = add_team_action(session, "north", "Update the duty rota", "kim", date(2026, 11, 30), date(2026, 11, 23)).id
    reply = router.handle_action(org, ask(org, "", "kim"), "agenda.action_done", f"A{action_id}")
    assert reply.plain_text() == "Done: Update the duty rota"
