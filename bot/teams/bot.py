"""The Teams bot: who is asking, what they typed or submitted, and the neutral reply rendered as a card.

Feature logic lives in `handlers/`; this class only translates. Messages and card submits go through
the platform-neutral router; conversation references are kept on every contact and on installation.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Mapping
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, Attachment, ChannelAccount, ConversationParameters

from bot.teams import references
from bot.teams.render import (
    ACTION_KEY,
    CARD_CONTENT_TYPE,
    CONTEXT_KEY,
    FORM_KEY,
    FORM_SPEC_KEY,
    VALUE_KEY,
    form_from_json,
    render_card,
    submitted_values,
)
from handlers.errors import Forbidden, InvalidInput
from handlers.org import find_staff
from handlers.types import FieldErrors, Reply, Request, Text

log = logging.getLogger(__name__)

UNKNOWN_USER_TEXT = (
    "I can't match your Teams account to a staff record yet, so I can only answer questions about the "
    "standards. Ask your administrator to add your Microsoft Entra object id (teams_user_id) or your work "
    "email to the staff list (`standards-bot import staff`)."
)
FORBIDDEN_TEXT = "You are not allowed to see or change that record."
WELCOME_TITLE = "Hello! I'm Standards Bot."
PRIVATE_SENT_TEXT = "I've replied in our 1:1 chat."
PRIVATE_FAILED_TEXT = "That reply is private, so I won't post it here. Open a 1:1 chat with me (install the app for yourself) and ask again."
_AT_TAG = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)


def reply_activity(reply: Reply) -> Activity:
    """The message activity carrying a reply's Adaptive Card (summary for notifications)."""
    activity = MessageFactory.attachment(Attachment(content_type=CARD_CONTENT_TYPE, content=render_card(reply)))
    activity.summary = (reply.summary or reply.plain_text())[:200] or None
    return activity


def text_without_mention(activity: Activity) -> str:
    """The message text with the bot's @mention removed (other people's mentions keep their names)."""
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or ():
        if (entity.type or "").lower() != "mention":
            continue
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned") if isinstance(props.get("mentioned"), dict) else {}
        mention_text = props.get("text")
        if bot_id and mentioned.get("id") == bot_id and isinstance(mention_text, str) and mention_text:
            text = text.replace(mention_text, " ")
    text = _AT_TAG.sub(lambda match: match.group(1), text)
    return " ".join(html.unescape(text).split())


def _router():
    """The platform-neutral router (`handlers/router.py`), imported when first needed."""
    from handlers import router

    return router


class StandardsBot(TeamsActivityHandler):
    """Maps Teams users to staff, keeps conversation references, and answers through the router."""

    def __init__(self, app) -> None:
        self.app = app

    # ---- identity and references -----------------------------------------------------------------

    async def identify(self, turn_context: TurnContext) -> str | None:
        """The asker's staff id: AAD object id, then the email/UPN the connector reports, then (Emulator) the id."""
        activity = turn_context.activity
        sender = activity.from_property
        if sender is None:
            return None
        staff_id = await asyncio.to_thread(self._staff_by, sender.aad_object_id, None)
        if staff_id:
            return staff_id
        if activity.channel_id == "msteams" and sender.id:
            try:
                member = await TeamsInfo.get_member(turn_context, sender.id)
            except Exception as exc:  # noqa: BLE001 - the lookup is a fallback; failing it means "unknown"
                log.info("teams member lookup failed (%s)", type(exc).__name__)
                member = None
            if member is not None:
                email = member.email or member.user_principal_name
                return await asyncio.to_thread(self._staff_by, sender.aad_object_id or member.aad_object_id, email, True)
        if activity.channel_id == "emulator" and self.app.settings.teams_emulator_mode and sender.id:
            return await asyncio.to_thread(self._staff_by_id, sender.id)
        return None

    def _staff_by(self, aad_object_id: str | None, email: str | None, link: bool = False) -> str | None:
        with self.app.db.unit() as session:
            staff = find_staff(session, teams_user_id=aad_object_id, email=email)
            if staff is None:
                return None
            if link and aad_object_id and not staff.teams_user_id and find_staff(session, teams_user_id=aad_object_id) is None:
                staff.teams_user_id = aad_object_id  # found by email: remember the AAD id for next time
            return staff.staff_id

    def _staff_by_id(self, staff_id: str) -> str | None:
        from bot.storage.models import Staff

        with self.app.db.unit() as session:
            return staff_id if session.get(Staff, staff_id) is not None else None

    def _remember(self, activity: Activity, staff_id: str | None) -> bool:
        if not references.address_of(activity):  # e.g. an update without a sender id: nothing to keep
            return False
        with self.app.db.unit() as session:
            _row, fresh = references.remember_conversation(session, activity, staff_id)
            return fresh

    def _forget(self, activity: Activity) -> None:
        if not references.address_of(activity):
            return
        with self.app.db.unit() as session:
            references.forget_installation(session, activity)

    # ---- turns -------------------------------------------------------------------------------------

    def request_for(self, activity: Activity, staff_id: str | None, text: str = "", values: Mapping[str, str] | None = None) -> Request:
        return Request(
            now=self.app.now(),
            platform="teams",
            staff_id=staff_id,
            text=text,
            values=dict(values or {}),
            place=activity.conversation.id,
            thread=activity.reply_to_id or activity.id,
        )

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        staff_id = await self.identify(turn_context)
        await asyncio.to_thread(self._remember, activity, staff_id)
        if isinstance(activity.value, dict) and activity.value:
            reply = await self.card_submit(activity, staff_id, activity.value)
            in_place = references.is_personal(activity) or (reply is not None and not reply.ephemeral)
            if reply is not None and reply.parts and activity.value.get(FORM_KEY) and activity.reply_to_id and in_place:
                if await self.replace_card(turn_context, activity.reply_to_id, reply):
                    return
        else:
            text = text_without_mention(activity)
            reply = await self.message(activity, staff_id, text)
        if reply is None or not reply.parts:
            return
        if reply.ephemeral and not references.is_personal(activity):
            await self.send_privately(turn_context, reply)
            return
        await turn_context.send_activity(reply_activity(reply))

    async def send_privately(self, turn_context: TurnContext, reply: Reply) -> None:
        """Teams has no ephemeral messages: a private reply asked for in a channel goes to the person's 1:1 chat.

        Forms and saved decisions (case notes) must not land in a channel everyone reads.
        """
        activity = turn_context.activity
        tenant = references.tenant_of(activity)
        parameters = ConversationParameters(
            is_group=False,
            bot=activity.recipient,
            members=[ChannelAccount(id=activity.from_property.id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        private = reply_activity(reply)

        async def send(private_context: TurnContext) -> None:
            await private_context.send_activity(private)

        try:
            await turn_context.adapter.create_conversation(
                self.app.settings.microsoft_app_id or None,
                send,
                parameters,
                channel_id=activity.channel_id,
                service_url=activity.service_url,
            )
        except Exception as exc:  # noqa: BLE001 - e.g. the app is not installed for the person
            log.info("private reply not possible (%s)", type(exc).__name__)
            await turn_context.send_activity(reply_activity(Reply.text(PRIVATE_FAILED_TEXT)))
            return
        await turn_context.send_activity(reply_activity(Reply.text(PRIVATE_SENT_TEXT)))

    async def replace_card(self, turn_context: TurnContext, card_activity_id: str, reply: Reply) -> bool:
        """Show a form's outcome in place of the submitted card (no second submit); False if Teams refused."""
        update = reply_activity(reply)
        update.id = card_activity_id
        try:
            await turn_context.update_activity(update)
        except Exception as exc:  # noqa: BLE001 - e.g. the card is too old to edit: send a new message instead
            log.info("card update refused (%s); sending a new message", type(exc).__name__)
            return False
        return True

    async def message(self, activity: Activity, staff_id: str | None, text: str) -> Reply:
        request = self.request_for(activity, staff_id, text=text)
        try:
            return await asyncio.to_thread(_router().route_message, self.app, request)
        except Forbidden:
            return Reply.text(FORBIDDEN_TEXT)
        except InvalidInput as exc:
            if staff_id is None:
                return Reply.text(UNKNOWN_USER_TEXT)
            return Reply(parts=(Text(exc.message, style="warning"),), summary=exc.message)

    async def card_submit(self, activity: Activity, staff_id: str | None, value: Mapping[str, Any]) -> Reply | None:
        """An Adaptive Card `Action.Submit`: a form (`form` key) or a button (`action_id` key)."""
        router = _router()
        if isinstance(value.get(FORM_KEY), str) and value[FORM_KEY]:
            form_id = value[FORM_KEY]
            values = submitted_values(value)
            if isinstance(value.get(CONTEXT_KEY), str) and value[CONTEXT_KEY]:
                values.setdefault("context", value[CONTEXT_KEY])
            request = self.request_for(activity, staff_id, values=values)
            try:
                return await asyncio.to_thread(router.submit_form, self.app, request, form_id, values)
            except Forbidden:
                return Reply.text(FORBIDDEN_TEXT)
            except InvalidInput as exc:
                if staff_id is None:
                    return Reply.text(UNKNOWN_USER_TEXT)
                form = form_from_json(value.get(FORM_SPEC_KEY) or "", form_id)
                errors = exc.errors or {"form": exc.message}
                return Reply(parts=(FieldErrors(errors=errors, form=form, values=values),), summary=exc.message)
        if isinstance(value.get(ACTION_KEY), str) and value[ACTION_KEY]:
            request = self.request_for(activity, staff_id, values=submitted_values(value))
            action_value = value.get(VALUE_KEY)
            try:
                return await asyncio.to_thread(
                    router.handle_action, self.app, request, value[ACTION_KEY], "" if action_value is None else str(action_value)
                )
            except Forbidden:
                return Reply.text(FORBIDDEN_TEXT)
            except InvalidInput as exc:
                if staff_id is None:
                    return Reply.text(UNKNOWN_USER_TEXT)
                return Reply(parts=(Text(exc.message, style="warning"),), summary=exc.message)
        return None  # a submit this bot did not create: nothing to do

    async def welcome(self, turn_context: TurnContext) -> None:
        """The welcome card: what the bot can do (the router's help), sent once per installation."""
        activity = turn_context.activity
        request = self.request_for(activity, None, text="help")
        try:
            help_reply = await asyncio.to_thread(_router().route_message, self.app, request)
            parts = help_reply.parts
        except Exception as exc:  # noqa: BLE001 - a welcome without the help list is still a welcome
            log.warning("help reply unavailable for welcome (%s)", type(exc).__name__)
            parts = (Text("Ask me about the standards, or type `help`."),)
        reply = Reply(parts=(Text(WELCOME_TITLE, style="heading"), *parts), summary=WELCOME_TITLE)
        await turn_context.send_activity(reply_activity(reply))

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = [member.id for member in activity.members_added or ()]
        removed = [member.id for member in activity.members_removed or ()]
        if bot_id and bot_id in removed:
            await asyncio.to_thread(self._forget, activity)
            return
        if not bot_id or bot_id not in added or activity.from_property is None:
            return
        staff_id = await self.identify(turn_context) if references.is_personal(activity) else None
        if await asyncio.to_thread(self._remember, activity, staff_id):
            await self.welcome(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.from_property is None:
            return
        staff_id = await self.identify(turn_context) if references.is_personal(activity) else None
        if await asyncio.to_thread(self._remember, activity, staff_id):
            await self.welcome(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        if turn_context.activity.from_property is not None:
            await asyncio.to_thread(self._forget, turn_context.activity)
