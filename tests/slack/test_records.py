"""Supervision, absence and awaiting-reply records from Slack commands, modals, shortcuts and threads."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models.people import Absence, AwaitingReply, SupervisionSession
from tests.slack.conftest import ALEX, SAM, block_texts, date_input, select_input, text_input, user_input


def supervisions(app):
    with app.db.unit() as session:
        return [(s.staff_id, s.supervisor_id, s.held_on.isoformat(), s.kind) for s in session.scalars(select(SupervisionSession))]


def absences(app):
    with app.db.unit() as session:
        return [(a.staff_id, a.started_on.isoformat(), a.fit_note_on and a.fit_note_on.isoformat())
                for a in session.scalars(select(Absence))]


def awaiting(app):
    with app.db.unit() as session:
        return [(m.owner_id, m.sender, m.received_on.isoformat(), m.answered_on and m.answered_on.isoformat())
                for m in session.scalars(select(AwaitingReply))]


async def test_supervision_with_a_mention_records_the_session(slack):
    await slack.command("/supervision", "<@U0KIM|kim> 2026-11-20 welfare")
    reply = (await slack.fake.wait_for("respond"))[0]
    assert reply["response_type"] == "ephemeral"
    assert "Kim Worker" in reply["text"] and "next one is due" in reply["text"]
    assert supervisions(slack.app) == [("kim", "alex", "2026-11-20", "welfare")]


async def test_supervision_of_someone_outside_the_staff_list_is_refused_politely(slack):
    await slack.command("/supervision", "<@U0STRANGER|who> 2026-11-20")
    reply = (await slack.fake.wait_for("respond"))[0]
    assert "not in the staff list" in reply["text"]
    assert supervisions(slack.app) == []


async def test_a_future_supervision_date_is_refused_with_a_reason(slack):
    await slack.command("/supervision", "<@U0KIM> 2027-01-05")
    reply = (await slack.fake.wait_for("respond"))[0]
    assert "future" in reply["text"]
    assert supervisions(slack.app) == []


async def test_a_worker_cannot_record_for_someone_they_do_not_manage(slack):
    await slack.command("/supervision", f"<@{ALEX}> 2026-11-20", user="U0KIM")
    reply = (await slack.fake.wait_for("respond"))[0]
    assert "people you manage" in reply["text"]
    assert supervisions(slack.app) == []


async def test_supervision_without_text_opens_a_modal_whose_submission_records_it(slack):
    await slack.command("/supervision", "")
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    assert view["callback_id"] == "supervision.form"
    state = {"staff_id": user_input(SAM), "date": date_input("2026-11-19"), "kind": select_input("case")}
    response = await slack.submit(view, state)
    assert response.status == 200 and await response.text() == ""
    assert supervisions(slack.app) == [("sam", "alex", "2026-11-19", "case")]
    assert "Sam Worker" in (await slack.fake.wait_for("chat.postMessage"))[0]["text"]


async def test_absence_start_and_fit_note(slack):
    await slack.command("/absence", "<@U0KIM> start 2026-11-16")
    await slack.fake.wait_for("respond")
    await slack.command("/absence", "<@U0KIM> fit-note 2026-11-23")
    replies = await slack.fake.wait_for("respond", 2)
    assert "Fit note" in replies[1]["text"]
    assert absences(slack.app) == [("kim", "2026-11-16", "2026-11-23")]


async def test_absence_form_errors_land_on_the_date_field(slack):
    await slack.command("/absence", "")
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    state = {"staff_id": user_input("U0KIM"), "event": select_input("start"), "date": date_input("2027-02-01")}
    body = await (await slack.submit(view, state)).json()
    assert body["response_action"] == "errors" and "future" in body["errors"]["date"]
    assert absences(slack.app) == []


async def test_absence_without_an_event_word_explains_the_usage(slack):
    await slack.command("/absence", "<@U0KIM> poorly")
    reply = (await slack.fake.wait_for("respond"))[0]
    assert "start|update|fit-note|returned" in reply["text"]
    assert absences(slack.app) == []


async def test_awaiting_reply_modal_is_prefilled_with_the_asker(slack):
    await slack.command("/awaiting-reply", "")
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert blocks["staff_id"]["initial_user"] == ALEX
    assert blocks["date"]["initial_date"] == "2026-11-23"
    state = {"staff_id": user_input(ALEX), "date": date_input("2026-11-20"), "sender": text_input("IRO")}
    assert (await slack.submit(view, state)).status == 200
    assert awaiting(slack.app) == [("alex", "IRO", "2026-11-20", None)]


async def test_needs_a_reply_shortcut_tracks_and_a_reply_in_the_thread_closes_it(slack):
    await slack.message_shortcut("reply.needs_reply", "Can you sign off the plan for LCS204815?", ts="1795424400.000100")
    reply = (await slack.fake.wait_for("respond"))[0]
    assert "Reply by" in reply["text"]
    assert awaiting(slack.app) == [("alex", "kim", "2026-11-23", None)]
    # someone else replying in the thread does not close it
    other = {"type": "message", "channel_type": "channel", "user": "U0KIM", "text": "any news?", "channel": "C0NORTH",
             "ts": "1795424500.000200", "thread_ts": "1795424400.000100", "event_ts": "1795424500.000200"}
    await slack.event(other, "Ev0T1")
    await slack.app_settled()
    assert awaiting(slack.app)[0][3] is None
    mine = {**other, "user": ALEX, "text": "Signed off", "ts": "1795424600.000300", "event_ts": "1795424600.000300"}
    await slack.event(mine, "Ev0T2")
    await slack.app_settled()
    assert awaiting(slack.app)[0][3] == "2026-11-23"
    assert not slack.fake.called("chat.postMessage")  # nothing posted into the channel's thread


async def test_the_replied_button_closes_a_tracked_message(slack):
    await slack.command("/awaiting-reply", "<@U0KIM> 2026-11-19 from Head of Service")
    reply = (await slack.fake.wait_for("respond"))[0]
    button = next(e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "message.replied")
    await slack.block_action("message.replied", button["value"], user="U0KIM")
    done = (await slack.fake.wait_for("respond", 2))[1]
    assert "marked as replied" in done["text"]
    assert awaiting(slack.app) == [("kim", "Head of Service", "2026-11-19", "2026-11-23")]
    await slack.block_action("message.replied", button["value"], user="U0KIM")
    again = (await slack.fake.wait_for("respond", 3))[2]
    assert "already" in again["text"]


async def test_my_week_in_a_dm_lists_what_is_due(slack):
    await slack.command("/awaiting-reply", "<@U0KIM> 2026-11-17")
    await slack.fake.wait_for("respond")
    dm = {"type": "message", "channel_type": "im", "user": "U0KIM", "text": "my week", "ts": "1700000000.000400",
          "channel": "D0KIM", "event_ts": "1700000000.000400", "client_msg_id": "w-1"}
    await slack.event(dm, "Ev0WEEK")
    posted = (await slack.fake.wait_for("chat.postMessage"))[0]
    texts = block_texts(posted["blocks"])
    assert "Replies owed" in texts
    assert "M-000001" in texts and "overdue" in texts
