"""When the slow work after the ack fails (e.g. the database is down), the person is told, and the log says only what kind."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError

from bot.slack import adapter_of
from bot.slack.adapter import SORRY
from tests.slack.conftest import ALEX

SECRET_WORDS = "Kim Jones LCS204815"  # in the message: must never reach the log
DRIVER_TEXT = "password authentication failed for user standards at 10.0.0.7"  # in the exception: likewise


def _database_down(*_args, **_kwargs):
    raise OperationalError("SELECT staff.staff_id FROM staff", {}, Exception(DRIVER_TEXT))


@pytest.fixture
def failing_lookups(slack, monkeypatch):
    """The database fails after the event was claimed: every staff lookup raises OperationalError."""
    adapter = adapter_of(slack.client.server.app)

    async def identify(_slack_user_id: str):
        _database_down()

    monkeypatch.setattr(adapter, "identify", identify)
    return adapter


def _logged(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def _apologies(slack) -> list[dict]:
    return [args for args in slack.fake.called("chat.postMessage") if args.get("text") == SORRY]


async def test_a_mention_that_fails_after_the_ack_gets_an_apology_in_its_thread(slack, failing_lookups, caplog):
    caplog.set_level(logging.DEBUG)
    event = {"type": "app_mention", "user": ALEX, "text": f"<@U0BOT> what about {SECRET_WORDS}?", "ts": "1700000000.000200",
             "channel": "C0NORTH", "event_ts": "1700000000.000200", "client_msg_id": "fail-1"}
    assert (await slack.event(event, "Ev0FAIL1")).status == 200
    await slack.app_settled()
    apologies = _apologies(slack)
    assert len(apologies) == 1
    assert apologies[0]["channel"] == "C0NORTH" and apologies[0]["thread_ts"] == "1700000000.000200"
    assert "went wrong on our side" in SORRY and "try again shortly" in SORRY
    assert "OperationalError" in _logged(caplog)  # the kind is logged ...
    assert SECRET_WORDS not in _logged(caplog) and "Kim" not in _logged(caplog)  # ... never the message
    assert DRIVER_TEXT not in _logged(caplog) and "10.0.0.7" not in _logged(caplog)  # ... nor the exception's text


async def test_a_threaded_mention_gets_the_apology_in_the_same_thread(slack, failing_lookups):
    event = {"type": "app_mention", "user": ALEX, "text": "<@U0BOT> supervision", "ts": "1700000000.000900",
             "thread_ts": "1700000000.000100", "channel": "C0NORTH", "event_ts": "1700000000.000900", "client_msg_id": "fail-2"}
    await slack.event(event, "Ev0FAIL2")
    await slack.app_settled()
    assert [(a["channel"], a["thread_ts"]) for a in _apologies(slack)] == [("C0NORTH", "1700000000.000100")]


async def test_a_direct_message_that_fails_after_the_ack_gets_an_apology_in_the_dm(slack, failing_lookups, caplog):
    caplog.set_level(logging.DEBUG)
    dm = {"type": "message", "channel_type": "im", "user": ALEX, "text": SECRET_WORDS, "ts": "1700000000.000400",
          "channel": "D0ALEX", "event_ts": "1700000000.000400", "client_msg_id": "fail-3"}
    await slack.event(dm, "Ev0FAIL3")
    await slack.app_settled()
    apologies = _apologies(slack)
    assert len(apologies) == 1 and apologies[0]["channel"] == "D0ALEX" and not apologies[0].get("thread_ts")
    assert SECRET_WORDS not in _logged(caplog) and DRIVER_TEXT not in _logged(caplog)


async def test_a_slash_command_that_fails_after_the_ack_gets_an_ephemeral_apology(slack, failing_lookups, caplog):
    caplog.set_level(logging.DEBUG)
    assert (await slack.command("/standard", SECRET_WORDS)).status == 200
    reply = (await slack.fake.wait_for("respond"))[0]
    assert reply["text"] == SORRY and reply["response_type"] == "ephemeral"
    assert slack.fake.called("chat.postMessage") == []  # the response_url is the way back, nothing in the channel
    assert SECRET_WORDS not in _logged(caplog) and DRIVER_TEXT not in _logged(caplog)


async def test_an_app_home_button_that_fails_gets_the_apology_by_dm(slack, failing_lookups):
    """Buttons in App Home have no response_url: the apology goes to the person's DM."""
    assert (await slack.block_action("nudge.done", "x", in_home=True)).status == 200
    await slack.app_settled()
    assert [a["channel"] for a in _apologies(slack)] == [ALEX]


async def test_a_failed_home_refresh_after_an_answer_is_not_apologised_for(slack, monkeypatch):
    """The answer was delivered; telling the person to try again would make them record it twice."""
    adapter = adapter_of(slack.client.server.app)

    async def broken_home(_user: str) -> None:
        _database_down()

    refreshed = []
    monkeypatch.setattr(adapter, "publish_home", lambda user: refreshed.append(user) or broken_home(user))
    await slack.block_action("nudge.done", "not-a-nudge")  # a nudge button: the answer, then App Home is refreshed
    await slack.app_settled()
    answers = slack.fake.called("respond")
    assert refreshed == [ALEX] and len(answers) == 1 and answers[0]["text"] != SORRY
    assert _apologies(slack) == []


async def test_with_the_database_down_an_event_is_refused_for_a_retry_and_on_slacks_last_retry_apologised_for(slack, caplog):
    from bot.storage import Database

    caplog.set_level(logging.DEBUG)
    slack.app.__dict__["db"] = Database("postgresql+psycopg://nobody@127.0.0.1:1/unreachable?connect_timeout=1")
    mention = {"type": "app_mention", "user": ALEX, "text": f"<@U0BOT> {SECRET_WORDS}", "ts": "1700000000.000200",
               "channel": "C0NORTH", "event_ts": "1700000000.000200", "client_msg_id": "down-1"}
    assert (await slack.event(mention, "Ev0DOWN")).status == 503
    assert (await slack.event(mention, "Ev0DOWN", retry=1)).status == 503
    await slack.app_settled()
    assert _apologies(slack) == []  # Slack will send it again: nothing said yet
    assert (await slack.event(mention, "Ev0DOWN", retry=3)).status == 200  # the last retry: no more will come
    await slack.app_settled()
    assert [(a["channel"], a["thread_ts"]) for a in _apologies(slack)] == [("C0NORTH", "1700000000.000200")]
    assert SECRET_WORDS not in _logged(caplog)
