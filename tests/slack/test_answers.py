"""Standards answers in Slack: /standard, mentions, DMs, votes, more results, App Home and identity."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models.knowledge import KnowledgeFeedback
from tests.slack.conftest import ALEX, NOBODY, SAM, block_texts


def buttons(blocks, action_id=None):
    found = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return [e for e in found if action_id is None or e.get("action_id") == action_id]


async def test_standard_acks_at_once_and_answers_with_passage_source_and_votes(slack):
    response = await slack.command("/standard", "how often should supervision happen")
    assert response.status == 200
    assert await response.text() == ""  # the ack carries nothing; the answer follows via response_url
    answer = (await slack.fake.wait_for("respond"))[0]
    texts = block_texts(answer["blocks"])
    assert answer["response_type"] == "ephemeral"  # the question stays private to the asker
    assert "supervis" in texts.lower()
    assert any(b["type"] == "context" and "›" in b["elements"][0]["text"] for b in answer["blocks"])  # source › section
    helpful = buttons(answer["blocks"], "answer.helpful")[0]
    assert helpful["value"].endswith("|how often should supervision happen")
    overflow = buttons(answer["blocks"], "answer.more")  # 3 more results: one overflow menu (Slack needs 2-5 options)
    assert overflow and overflow[0]["type"] == "overflow" and len(overflow[0]["options"]) >= 2


async def test_votes_are_stored_for_the_knowledge_owners(slack):
    await slack.command("/standard", "sickness absence return to work interview")
    answer = (await slack.fake.wait_for("respond"))[0]
    not_helpful = buttons(answer["blocks"], "answer.not_helpful")[0]
    response = await slack.block_action("answer.not_helpful", not_helpful["value"])
    assert response.status == 200
    thanks = await slack.fake.wait_for("respond", 2)
    assert "Thanks" in thanks[1]["text"]
    with slack.app.db.unit() as session:
        votes = session.scalars(select(KnowledgeFeedback)).all()
        assert [(v.passage_id, v.helpful) for v in votes] == [(not_helpful["value"].split("|")[0], False)]


async def test_more_results_overflow_shows_the_chosen_passage(slack):
    await slack.command("/standard", "supervision frequency")
    answer = (await slack.fake.wait_for("respond"))[0]
    option = buttons(answer["blocks"], "answer.more")[0]["options"][0]
    await slack.block_action("answer.more", selected_option=option["value"])
    shown = (await slack.fake.wait_for("respond", 2))[1]
    assert option["text"]["text"].split("…")[0] in block_texts(shown["blocks"])


async def test_a_question_without_an_answer_says_so_and_suggests_a_rephrase(slack):
    await slack.command("/standard", "best recipe for banana bread")
    answer = (await slack.fake.wait_for("respond"))[0]
    texts = block_texts(answer["blocks"])
    assert "don't cover" in texts
    assert "rephras" in texts.lower()


async def test_an_empty_standard_command_explains_how_to_ask(slack):
    await slack.command("/standard", "")
    answer = (await slack.fake.wait_for("respond"))[0]
    assert "/standard" in answer["text"]
    assert answer["response_type"] == "ephemeral"


async def test_a_mention_is_answered_in_its_thread(slack):
    event = {"type": "app_mention", "user": ALEX, "text": "<@U0BOT> what is the return to work standard?",
             "ts": "1700000000.000200", "thread_ts": "1700000000.000100", "channel": "C0NORTH",
             "event_ts": "1700000000.000200", "client_msg_id": "m-1"}
    assert (await slack.event(event, "Ev0MENTION")).status == 200
    posted = (await slack.fake.wait_for("chat.postMessage"))[0]
    assert posted["channel"] == "C0NORTH"
    assert posted["thread_ts"] == "1700000000.000100"
    assert "U0BOT" not in posted["text"]
    assert buttons(posted["blocks"], "answer.helpful")


async def test_a_top_level_mention_starts_a_thread_and_is_answered_once_with_its_message_event(slack):
    text = "<@U0BOT> supervision frequency"
    mention = {"type": "app_mention", "user": ALEX, "text": text, "ts": "1700000000.000300", "channel": "C0NORTH",
               "event_ts": "1700000000.000300", "client_msg_id": "m-2"}
    message = {**mention, "type": "message", "channel_type": "channel"}
    await slack.event(mention, "Ev0A")
    await slack.event(message, "Ev0B")
    posted = await slack.fake.wait_for("chat.postMessage")
    await slack.app_settled()
    assert len(slack.fake.called("chat.postMessage")) == 1
    assert posted[0]["thread_ts"] == "1700000000.000300"


async def test_a_direct_message_is_answered_in_the_dm_and_bot_messages_are_ignored(slack):
    dm = {"type": "message", "channel_type": "im", "user": ALEX, "text": "help", "ts": "1700000000.000400",
          "channel": "D0ALEX", "event_ts": "1700000000.000400", "client_msg_id": "m-3"}
    await slack.event(dm, "Ev0DM")
    posted = (await slack.fake.wait_for("chat.postMessage"))[0]
    assert posted["channel"] == "D0ALEX"
    assert "thread_ts" not in posted or posted["thread_ts"] is None
    assert "oversight" in block_texts(posted["blocks"])
    await slack.event({**dm, "bot_id": "B0BOT", "ts": "1700000000.000500", "client_msg_id": "m-4"}, "Ev0DM2")
    await slack.event({**dm, "subtype": "message_changed", "ts": "1700000000.000600", "client_msg_id": "m-5"}, "Ev0DM3")
    await slack.app_settled()
    assert len(slack.fake.called("chat.postMessage")) == 1


async def test_users_without_a_slack_id_are_found_by_their_email(slack):
    await slack.command("/supervision", "", user=SAM)  # opens a modal; no lookup needed
    await slack.event({"type": "app_home_opened", "user": SAM, "channel": "D0SAM", "tab": "home",
                       "event_ts": "1700000000.000700"}, "Ev0HOME")
    home = (await slack.fake.wait_for("views.publish"))[0]
    assert home["user_id"] == SAM
    assert "Sam Worker" in block_texts(home["view"]["blocks"]) or "week" in block_texts(home["view"]["blocks"]).lower()
    assert [c["user"] for c in slack.fake.called("users.info")] == [SAM]


async def test_app_home_shows_the_managers_week(slack):
    await slack.event({"type": "app_home_opened", "user": ALEX, "channel": "D0ALEX", "tab": "home",
                       "event_ts": "1700000000.000800"}, "Ev0HOME2")
    home = (await slack.fake.wait_for("views.publish"))[0]
    assert home["view"]["type"] == "home"
    texts = block_texts(home["view"]["blocks"])
    assert "Your week" in texts
    for section in ("Supervisions due", "Replies owed", "Decisions to record"):
        assert section in texts


async def test_an_unknown_user_gets_a_helpful_message_not_an_error(slack):
    await slack.event({"type": "app_home_opened", "user": NOBODY, "channel": "D0NOBODY", "tab": "home",
                       "event_ts": "1700000000.000900"}, "Ev0HOME3")
    home = (await slack.fake.wait_for("views.publish"))[0]
    assert "administrator" in block_texts(home["view"]["blocks"])
    await slack.command("/oversight", "LCS204815: step down because risks reduced", user=NOBODY)
    reply = (await slack.fake.wait_for("respond"))[0]
    assert "administrator" in reply["text"]
    assert reply["response_type"] == "ephemeral"
