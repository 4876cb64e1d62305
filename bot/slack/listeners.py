"""Bolt listeners: each acknowledges at once, then hands the slow work to the router in the background.

Slash commands, events (mentions, DMs, thread replies, App Home), buttons, modal submissions and message
shortcuts all become neutral requests; nothing here decides anything a handler should decide.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from slack_bolt.response import BoltResponse
from sqlalchemy.exc import DBAPIError

from bot.slack import render, threads
from bot.slack.adapter import FORBIDDEN, SORRY, field_errors_of, metadata_of
from handlers import router
from handlers.errors import Forbidden, InvalidInput
from handlers.types import Reply

if TYPE_CHECKING:
    from bot.slack.adapter import SlackAdapter

COMMAND_WORDS = {"/oversight": "oversight", "/supervision": "supervision", "/absence": "absence", "/awaiting-reply": "awaiting reply"}
EMPTY_FORMS = {"/oversight": "decision.form", "/supervision": router.SUPERVISION_FORM, "/absence": router.ABSENCE_FORM}
OVERSIGHT_SHORTCUT = "oversight.from_message"
NEEDS_REPLY_SHORTCUT = "reply.needs_reply"
SUBMIT_WAIT = 2.5  # seconds a form submission may take before we acknowledge and answer by DM instead
REFRESH_HOME_AFTER = ("decision", "nudge", "message", "agenda", "week")
log = logging.getLogger(__name__)
LAST_SLACK_RETRY = 3  # Slack retries a failed event delivery three times (X-Slack-Retry-Num 1..3)
LEADING_MENTION = re.compile(r"^\s*<@[UWB][A-Z0-9]+(?:\|[^>]*)?>[\s,:]*")  # "@standards-bot, ..."


def register(adapter: SlackAdapter) -> None:
    """Attach every listener to the adapter's Bolt app (order matters: catch-alls last)."""
    bolt = adapter.bolt
    app = adapter.app

    @bolt.middleware
    async def ignore_retries_of_handled_events(req, body, next):  # noqa: A002 - Bolt's name
        """Slack re-sends events it thinks we missed (X-Slack-Retry-Num): answer each event_id once.

        With the database down, the event gets a 503 so Slack sends it again later; on Slack's last retry
        the person who asked (a mention or a DM) is told instead, since no further retry will come.
        """
        if body.get("type") == "event_callback" and isinstance(body.get("event_id"), str):
            try:
                first = await adapter.claim("event:" + body["event_id"])
            except DBAPIError:
                if _retry_number(req.headers) >= LAST_SLACK_RETRY:
                    log.warning("database unavailable on Slack's last retry: apologising")
                    target = _asker_of(body.get("event"))
                    if target is not None:
                        adapter.spawn(adapter.apologise(channel=target[0], thread=target[1]), "apology")
                    return BoltResponse(status=200, body="")
                log.warning("database unavailable: Slack will retry the event")
                return BoltResponse(status=503, body="")
            if not first:
                return BoltResponse(status=200, body="")
        return await next()

    # ---- slash commands ----------------------------------------------------------------------------

    @bolt.command("/standard")
    async def standard(ack, body):
        await ack()
        respond = adapter.responder(body)
        adapter.spawn(answer_question(body, respond), "/standard", respond)

    async def answer_question(body, respond) -> None:
        staff_id = await adapter.identify(body["user_id"])
        request = adapter.request(staff_id, body.get("text") or "", place=body["channel_id"])
        reply = await adapter.route(router.ask, request)
        # only the asker sees it: an in-channel answer would also show everyone the question they typed
        await adapter.send(replace(reply, ephemeral=True), respond=respond)

    async def record_command(ack, body):
        """/oversight, /supervision, /absence, /awaiting-reply: a modal when empty, else the one-line flow."""
        await ack()
        command, text = body["command"], (body.get("text") or "").strip()
        if not text and body.get("trigger_id") and (command in EMPTY_FORMS or command == "/awaiting-reply"):
            adapter.spawn(open_empty_form(command, body), command, adapter.responder(body))
        else:
            respond = adapter.responder(body)
            adapter.spawn(run_command(command, text, body, respond), command, respond)

    async def open_empty_form(command: str, body) -> None:
        """The modal opens first, with no database work before it (a trigger_id lasts 3 seconds)."""
        metadata = {"channel": body["channel_id"]}
        if command == "/awaiting-reply":
            form = router.awaiting_reply_form({"date": app.today().isoformat()})
            await adapter.open_modal(body["trigger_id"], form, metadata=metadata, initial_users={"staff_id": body["user_id"]})
        else:
            await adapter.open_modal(body["trigger_id"], router.open_form(app, EMPTY_FORMS[command]), metadata=metadata)

    for name in COMMAND_WORDS:
        bolt.command(name)(record_command)

    async def run_command(command: str, text: str, body, respond) -> None:
        staff_id = await adapter.identify(body["user_id"])
        try:
            text = await adapter.resolve_mentions(text)
        except InvalidInput as exc:
            await adapter.send(Reply.text(exc.message, ephemeral=True), respond=respond, user=body["user_id"])
            return
        request = adapter.request(staff_id, f"{COMMAND_WORDS[command]} {text}".strip(), place=body["channel_id"])
        reply = await adapter.route(router.command, request)
        await adapter.send(reply, respond=respond, trigger_id=body.get("trigger_id"), channel=body["channel_id"])
        if staff_id:
            adapter.spawn(adapter.refresh_home(body["user_id"]), "home refresh")

    @bolt.command(re.compile(".*"))
    async def other_command(ack):
        await ack(text="Sorry, I don't know that command. Try `/standard help`.")

    # ---- events ------------------------------------------------------------------------------------

    @bolt.event("app_mention")
    async def mention(event, context):
        channel, thread = _asker_of(event) or (None, None)
        adapter.spawn(answer_message(event, context.bot_user_id, in_thread=True), "app_mention", channel=channel, thread=thread)

    @bolt.event("message")
    async def message(event, context):
        if event.get("subtype") or event.get("bot_id"):
            return
        if event.get("channel_type") == "im":
            channel, thread = _asker_of(event) or (None, None)
            adapter.spawn(answer_message(event, context.bot_user_id, in_thread=bool(event.get("thread_ts"))), "direct message",
                          channel=channel, thread=thread)
        elif event.get("thread_ts") and event.get("thread_ts") != event.get("ts"):
            adapter.spawn(close_tracked_message(event), "thread reply")

    async def answer_message(event, bot_user_id: str | None, *, in_thread: bool) -> None:
        # a channel message arrives as app_mention and (with message.channels) as message: answer once
        key = event.get("client_msg_id") or f"{event['channel']}:{event['ts']}"
        if not await adapter.claim("message:" + key):
            return
        text = LEADING_MENTION.sub("", event.get("text") or "")
        if bot_user_id:
            text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", "", text)
        text = await adapter.resolve_mentions(" ".join(text.split()), strict=False)
        staff_id = await adapter.identify(event.get("user") or "")
        thread = (event.get("thread_ts") or event["ts"]) if in_thread else None
        request = adapter.request(staff_id, text, place=event["channel"], thread=thread)
        reply = await adapter.route(router.route_message, request)
        await adapter.send(reply, channel=event["channel"], thread=thread, user=event.get("user"))

    async def close_tracked_message(event) -> None:
        """A reply in the thread of a message tracked with "Needs a reply", by the person who owes it, closes it."""
        channel, thread_ts = event["channel"], event["thread_ts"]
        tracked = await adapter.in_thread(threads.open_messages_in_thread, app.db, channel, thread_ts)
        if not tracked:  # most thread replies: nothing to look up, nobody to identify
            return
        staff_id = await adapter.identify(event.get("user") or "")
        owed = [message_id for message_id, owner_id in tracked.items() if owner_id == staff_id]
        request = adapter.request(staff_id, place=channel, thread=thread_ts)
        for message_id in owed:
            await adapter.route(router.mark_replied, request, str(message_id))
        if owed:
            await adapter.refresh_home(event["user"])

    @bolt.event("app_home_opened")
    async def home_opened(event):
        if event.get("tab", "home") == "home":
            adapter.spawn(adapter.publish_home(event["user"]), "app home")

    @bolt.event(re.compile(".*"))
    async def other_event():
        return None

    # ---- buttons ------------------------------------------------------------------------------------

    @bolt.action(re.compile(".*"))
    async def action(ack, body):
        await ack()
        pressed = body["actions"][0]
        action_id = pressed["action_id"].split("#", 1)[0]
        if action_id.startswith("link."):
            return  # a link button: Slack opened the URL
        value = pressed.get("value") or (pressed.get("selected_option") or {}).get("value") or ""
        if action_id == render.FORM_OPEN_ACTION:
            adapter.spawn(open_form_from_button(body, value), "form button", adapter.responder(body), user=_user_of(body))
            return
        respond = adapter.responder(body)
        adapter.spawn(run_action(body, action_id, value, respond), "button", respond, user=_user_of(body))

    async def open_form_from_button(body, value: str) -> None:
        try:
            spec = json.loads(value)
            form = await adapter.in_thread(router.open_form, app, spec["form_id"], spec.get("context", ""))
        except (ValueError, KeyError, TypeError, InvalidInput):
            return
        channel = (body.get("channel") or {}).get("id", "")
        await adapter.open_modal(body["trigger_id"], form, metadata={"channel": channel},
                                 initial_users=await adapter.form_users(form))

    async def run_action(body, action_id: str, value: str, respond) -> None:
        user_id = body["user"]["id"]
        staff_id = await adapter.identify(user_id)
        channel = (body.get("channel") or {}).get("id")
        request = adapter.request(staff_id, place=channel)
        reply = await adapter.route(router.handle_action, request, action_id, value)
        from_home = (body.get("container") or {}).get("type") == "view"
        await adapter.send(reply, respond=None if from_home else respond,
                           trigger_id=body.get("trigger_id"), user=user_id)
        if staff_id and action_id.split(".", 1)[0] in REFRESH_HOME_AFTER:
            await adapter.refresh_home(user_id)

    # ---- modal submissions ---------------------------------------------------------------------------

    @bolt.view(re.compile(".*"))
    async def submission(ack, body, view):
        form_id = view["callback_id"]
        user_id = body["user"]["id"]
        fields = [block_id for block_id in (view.get("state") or {}).get("values", {})]
        values, picked = render.submitted_values(view)
        metadata = metadata_of(view)
        staff_id = await adapter.identify(user_id)
        if staff_id is None:
            await ack(render.form_errors({"form": router.UNKNOWN_USER}, fields))
            return
        errors: dict[str, str] = {}
        for field, picked_user in picked.items():
            picked_staff = await adapter.identify(picked_user)
            if picked_staff is None:
                errors[field] = "This person is not in the staff list."
            else:
                values[field] = picked_staff
        if errors:
            await ack(render.form_errors(errors, fields))
            return
        if metadata.get("context"):
            values["context"] = metadata["context"]
        request = adapter.request(staff_id, values=values, place=metadata.get("channel") or None)
        work = asyncio.ensure_future(adapter.in_thread(router.submit_form, app, request, form_id, values))  # not queued
        done, _ = await asyncio.wait({work}, timeout=SUBMIT_WAIT)
        if not done:  # slow database: close the modal now and send the outcome when it comes
            await ack()
            adapter.spawn(send_submission_outcome(work, user_id), "form submission", user=user_id)
            return
        try:
            reply = work.result()
        except InvalidInput as exc:
            await ack(render.form_errors(exc.errors or {"form": exc.message}, fields))
            return
        except Forbidden:
            await ack(render.form_errors({"form": FORBIDDEN}, fields))
            return
        except Exception as exc:  # noqa: BLE001 - the person gets a message on the form, the log gets the kind
            log.warning("form %s failed (%s)", form_id, type(exc).__name__)
            await ack(render.form_errors({"form": SORRY}, fields))
            return
        shown = field_errors_of(reply)
        if shown:
            await ack(render.form_errors(shown, fields))
            return
        await ack()
        adapter.spawn(deliver_outcome(reply, user_id), "form outcome")

    async def deliver_outcome(reply, user_id: str) -> None:
        await adapter.send(reply, user=user_id)
        await adapter.refresh_home(user_id)

    async def send_submission_outcome(work: asyncio.Future, user_id: str) -> None:
        try:
            reply = await work
        except InvalidInput as exc:
            await adapter.client.chat_postMessage(channel=user_id, text=f"Not saved: {exc.message}")
            return
        await deliver_outcome(reply, user_id)

    @bolt.view_closed(re.compile(".*"))
    async def closed(ack):
        await ack()

    # ---- message shortcuts ---------------------------------------------------------------------------

    @bolt.shortcut(OVERSIGHT_SHORTCUT)
    async def oversight_from_message(ack, body):
        """Open the decision form prefilled from the message (`REF: decision because rationale` if it parses)."""
        await ack()
        text = (body["message"].get("text") or "").strip()
        form = router.open_form(app, "decision.form", prefill=prefill_from_message(app, text))
        adapter.spawn(adapter.open_modal(body["trigger_id"], form, metadata={"channel": body["channel"]["id"]}), "shortcut",
                      adapter.responder(body))

    @bolt.shortcut(NEEDS_REPLY_SHORTCUT)
    async def needs_reply(ack, body):
        await ack()
        respond = adapter.responder(body)
        adapter.spawn(track_from_message(body, respond), "needs a reply", respond)

    async def track_from_message(body, respond) -> None:
        user_id = body["user"]["id"]
        staff_id = await adapter.identify(user_id)
        message = body["message"]
        sender = await adapter.identify(message.get("user") or "") if message.get("user") else None
        received = datetime.fromtimestamp(float(message["ts"]), tz=app.tz).date() if _is_ts(message["ts"]) else app.today()
        channel, thread_ts = body["channel"]["id"], message.get("thread_ts") or message["ts"]
        values = {"staff_id": staff_id or "", "date": received.isoformat(), "sender": sender or ""}
        request = adapter.request(staff_id, values=values, place=channel)
        if staff_id is None:
            reply = Reply.text(router.UNKNOWN_USER, ephemeral=True)
        else:
            remember = threads.remember_thread(channel, thread_ts, staff_id)
            reply = await adapter.route(router.track_message, request, values, remember)
        await adapter.send(reply, respond=respond, user=user_id)
        if staff_id:
            await adapter.refresh_home(user_id)

    @bolt.shortcut(re.compile(".*"))
    async def other_shortcut(ack):
        await ack()

    @bolt.options(re.compile(".*"))
    async def no_options(ack):
        await ack(options=[])  # this app has no external selects


def prefill_from_message(app, text: str) -> dict[str, str]:
    """Form values from a message: parsed when written as a quick capture, else the text as the decision."""
    try:
        from handlers.decisions import quick_capture_values

        return quick_capture_values(app.policy, text)
    except (ImportError, InvalidInput, ValueError):
        return {"decision": text[: app.policy.decisions.max_text]} if hasattr(app.policy, "decisions") else {"decision": text}


def _retry_number(headers) -> int:
    """X-Slack-Retry-Num of a request (0 for a first delivery)."""
    value = (headers or {}).get("x-slack-retry-num")
    value = value[0] if isinstance(value, (list, tuple)) and value else value
    return int(value) if isinstance(value, str) and value.isdigit() else 0


def _asker_of(event) -> tuple[str, str | None] | None:
    """Where to answer an event someone addressed to the bot: (channel, thread) of a mention or a DM, else None."""
    if not isinstance(event, dict) or event.get("subtype") or event.get("bot_id") or not _text(event.get("channel")):
        return None
    if event.get("type") == "app_mention":
        return event["channel"], _text(event.get("thread_ts")) or _text(event.get("ts"))
    if event.get("type") == "message" and event.get("channel_type") == "im":
        return event["channel"], _text(event.get("thread_ts"))
    return None


def _text(value) -> str | None:
    """A payload value that should be a non-empty string, or None (payloads arrive from outside: trust no type)."""
    return value if isinstance(value, str) and value else None


def _user_of(body) -> str | None:
    """The Slack user id of an interaction's sender, or None."""
    user = body.get("user")
    return _text(user.get("id")) if isinstance(user, dict) else None


def _is_ts(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
