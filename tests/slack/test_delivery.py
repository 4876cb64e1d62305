"""Proactive Slack sends (digests, agendas) against the fake Web API, and digest buttons coming back."""

from __future__ import annotations

from datetime import date

import pytest

from bot.slack.delivery import SlackDeliverer, build_deliverer
from bot.storage.models import Staff
from handlers.digest import render_digest
from handlers.types import Nudge, Reply
from scheduler.delivery import Deliverer, DeliveryFailed, platform_deliverers
from tests.slack.conftest import block_texts


def nudge() -> Nudge:
    return Nudge(recipient="alex", kind="supervision_due", subject="kim", due=date(2026, 11, 25),
                 detail="Supervise Kim Worker by Wed 25 Nov", cite="Sefton 2023, Supervision", query="supervision frequency")


def person(slack_user_id: str | None = "U0ALEX") -> Staff:
    return Staff(staff_id="alex", name="Alex Manager", role="team_manager", slack_user_id=slack_user_id)


async def test_the_deliverer_is_found_by_the_scheduler_when_slack_is_configured(slack_app, app):
    found = platform_deliverers(slack_app)
    assert any(isinstance(d, SlackDeliverer) for d in found)
    assert isinstance(build_deliverer(slack_app), Deliverer)
    assert build_deliverer(app) is None  # no token: Slack is not used


async def test_send_direct_posts_the_digest_to_the_user_id_as_block_kit(slack_app, fake_slack):
    deliverer = build_deliverer(slack_app)
    assert deliverer.can_reach(person()) and not deliverer.can_reach(person(None))
    await deliverer.send_direct(person(), render_digest([nudge()], date(2026, 11, 23)))
    assert fake_slack.called("conversations.open") == []  # a bot token posts straight to the user id: no DM lookup
    posted = fake_slack.called("chat.postMessage")[0]
    assert posted["channel"] == "U0ALEX"
    assert "Supervise Kim Worker" in block_texts(posted["blocks"])
    actions = [e["action_id"] for b in posted["blocks"] for e in ([b["accessory"]] if "accessory" in b else b.get("elements", []))
               if isinstance(e, dict) and "action_id" in e]
    assert {"nudge.done", "nudge.snooze_tomorrow"} <= {a.split("#")[0] for a in actions}


async def test_many_digests_cost_one_web_api_call_each(slack_app, fake_slack):
    deliverer = build_deliverer(slack_app)
    people = [Staff(staff_id=f"s{n}", name=f"Person {n}", role="team_manager", slack_user_id=f"U0P{n:04d}") for n in range(60)]
    for staff in people:
        await deliverer.send_direct(staff, Reply.text("Your reminders for today"))
    assert [call.method for call in fake_slack.calls] == ["chat.postMessage"] * len(people)
    assert [args["channel"] for args in fake_slack.called("chat.postMessage")] == [s.slack_user_id for s in people]


async def test_a_rate_limited_digest_carries_retry_after(slack_app, fake_slack):
    fake_slack.fail["chat.postMessage"] = (429, "ratelimited", {"Retry-After": "12"})
    with pytest.raises(DeliveryFailed) as failed:
        await build_deliverer(slack_app).send_direct(person(), Reply.text("hello"))
    assert failed.value.retry_after == 12.0 and not failed.value.permanent and failed.value.reason == "ratelimited"


async def test_send_channel_posts_to_the_channel(slack_app, fake_slack):
    await build_deliverer(slack_app).send_channel("C0NORTH", Reply.text("Team meeting agenda"))
    assert fake_slack.called("chat.postMessage")[0]["channel"] == "C0NORTH"


async def test_rate_limits_carry_retry_after(slack_app, fake_slack):
    fake_slack.fail["chat.postMessage"] = (429, "ratelimited", {"Retry-After": "7"})
    with pytest.raises(DeliveryFailed) as failed:
        await build_deliverer(slack_app).send_channel("C0NORTH", Reply.text("hello"))
    assert failed.value.retry_after == 7.0 and not failed.value.permanent


@pytest.mark.parametrize("error,permanent", [("user_not_found", True), ("channel_not_found", True), ("account_inactive", True),
                                             ("user_disabled", True), ("internal_error", False)])
async def test_errors_are_permanent_only_when_retrying_cannot_help(slack_app, fake_slack, error, permanent):
    fake_slack.fail["chat.postMessage"] = (200, error, {})
    with pytest.raises(DeliveryFailed) as failed:
        await build_deliverer(slack_app).send_direct(person(), Reply.text("hello"))
    assert failed.value.permanent is permanent
    assert failed.value.reason == error


async def test_an_unreachable_api_is_a_transient_failure(slack_app):
    slack_app.settings.slack_api_url = "http://127.0.0.1:9/api/"
    with pytest.raises(DeliveryFailed) as failed:
        await build_deliverer(slack_app).send_channel("C0NORTH", Reply.text("hello"))
    assert not failed.value.permanent


async def test_a_digest_button_snoozes_the_reminder_for_whoever_pressed_it(slack):
    from handlers.digest import nudge_value

    response = await slack.block_action("nudge.snooze_tomorrow", nudge_value(nudge()))
    assert response.status == 200
    reply = (await slack.fake.wait_for("respond"))[0]
    assert "Snoozed until Tuesday 24 November" in reply["text"]
    await slack.fake.wait_for("views.publish")  # App Home refreshed



async def test_an_agenda_button_opens_its_form_and_the_submission_adds_the_item(slack):
    from sqlalchemy import select

    from bot.storage.models.scheduler import AgendaItem
    from tests.slack.conftest import text_input

    await slack.block_action("agenda.add_item", "north|2026-11-26")
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    assert view["callback_id"] == "agenda.item_form"
    empty = await (await slack.submit(view, {"text": text_input("  ")})).json()
    assert empty["response_action"] == "errors" and "text" in empty["errors"]
    response = await slack.submit(view, {"text": text_input("Caseload review")})
    assert response.status == 200
    with slack.app.db.unit() as session:
        items = [(i.team_id, i.meeting_date.isoformat(), i.text) for i in session.scalars(select(AgendaItem))]
    assert items == [("north", "2026-11-26", "Caseload review")]
    assert "Added to the agenda" in (await slack.fake.wait_for("chat.postMessage"))[0]["text"]


async def test_with_the_scheduler_retries_a_rate_limit_after_its_retry_after_and_gives_up_on_an_unknown_user(slack_app, fake_slack):
    from scheduler.delivery import RateGate, send_with_retries

    deliverer = build_deliverer(slack_app)
    waits: list[float] = []
    outcomes: list[tuple[int, str, str | None]] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        fake_slack.fail.pop("chat.postMessage", None)  # the rate limit has passed

    async def record(attempt: int, outcome: str, reason: str | None, retry_after: float | None) -> None:
        outcomes.append((attempt, outcome, reason))

    fake_slack.fail["chat.postMessage"] = (429, "ratelimited", {"Retry-After": "9"})
    sent = await send_with_retries(lambda: deliverer.send_direct(person(), Reply.text("hi")), record,
                                   max_attempts=3, backoff_seconds=1.0, sleep=sleep, gate=RateGate())
    assert sent == "sent" and waits == [9.0]
    assert outcomes == [(1, "retry", "ratelimited"), (2, "sent", None)]

    outcomes.clear()
    fake_slack.fail["chat.postMessage"] = (200, "channel_not_found", {})  # what Slack says for a user id it does not know
    gone = await send_with_retries(lambda: deliverer.send_direct(person("U0GONE"), Reply.text("hi")), record,
                                   max_attempts=3, backoff_seconds=1.0, sleep=sleep, gate=RateGate())
    assert gone == "gave_up" and outcomes == [(1, "gave_up", "channel_not_found")]
