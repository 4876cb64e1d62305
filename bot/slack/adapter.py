"""The Slack adapter: checks the caller, hands Bolt a checked payload, maps Slack users to staff, sends replies.

Every Slack request takes this path: signature (401) -> body parsed and checked (400) -> Bolt dispatch ->
a listener acknowledges at once and schedules the slow work (database and search in a worker thread) as a
task; replies are rendered by `bot.slack.render` and sent with the Web API at `SLACK_API_URL`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack import dedupe, render
from bot.slack.payloads import BadPayload, parse_body
from handlers import router
from handlers.errors import Forbidden, InvalidInput
from handlers.types import FieldErrors, Form, FormPart, Reply, Request, Text

log = logging.getLogger(__name__)
BOLT_LOG = logging.getLogger("bot.slack.bolt")
BOLT_LOG.setLevel(logging.ERROR)  # Bolt's warnings quote request bodies (message text): keep them out of the logs

IDENTITY_TTL = 300.0  # seconds a Slack user -> staff mapping is trusted (staff imports change it rarely)
UNKNOWN_TTL = 60.0
HANDLER_THREADS = 2  # see `in_worker`
SIGNATURE_WINDOW = 5 * 60  # seconds; older (or future) timestamps are replays
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
SORRY = "Sorry, something went wrong on our side; please try again shortly."
FORBIDDEN = "Sorry, you are not allowed to see or change that record."


class SlackAdapter:
    """One per server: the Bolt app, the Web API client, the staff mapping cache and the background tasks."""

    def __init__(self, app) -> None:
        settings = app.settings
        self.app = app
        self.client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url)
        self._secret = settings.slack_signing_secret.get_secret_value().encode()
        # Every listener acks and hands slow work to `spawn`, so Bolt can await it inline (no 10 ms ack polling).
        self.bolt = AsyncApp(
            client=self.client,
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            process_before_response=True,
            logger=BOLT_LOG,
        )
        self.tasks: set[asyncio.Task] = set()
        self.http: aiohttp.ClientSession | None = None
        self.workers = ThreadPoolExecutor(max_workers=HANDLER_THREADS, thread_name_prefix="slack-handler")
        self._identities: dict[str, tuple[str | None, float]] = {}
        from bot.slack import listeners

        listeners.register(self)

    # ---- HTTP -------------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        """POST /slack/events: 401 unless signed, 400 unless a Slack payload, else Bolt's answer (the ack)."""
        raw = await request.read()
        if not self._signed(raw, request.headers):
            return web.json_response({"error": "invalid or missing Slack signature"}, status=401)
        try:
            body = parse_body(raw, request.content_type)
        except BadPayload as exc:
            log.info("rejected a Slack request: %s", exc)
            return web.json_response({"error": f"not a Slack payload: {exc}"}, status=400)
        if body.get("type") == "url_verification":
            return web.json_response({"challenge": body["challenge"]})
        headers = {name.lower(): value for name, value in request.headers.items()}
        # The signature is checked above and the body parsed; Bolt gets the dict ("socket_mode" is how
        # Bolt accepts a pre-parsed body, and it skips only its own second signature check).
        bolt_request = AsyncBoltRequest(body=body, headers=headers, mode="socket_mode")
        bolt_response: BoltResponse = await self.bolt.async_dispatch(bolt_request)
        if bolt_response.status == 503:  # the database is unreachable: Slack retries events later
            return web.json_response({"error": "The service is briefly unavailable; please try again shortly."}, status=503)
        if bolt_response.status >= 500:
            log.warning("Slack listener failed before acknowledging (%s)", body.get("type") or "command")
            return web.json_response({"error": "could not handle this request"}, status=400)
        return await to_aiohttp_response(bolt_response)

    def _signed(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        """Slack's v0 signature: HMAC-SHA256 of `v0:<timestamp>:<raw body>`, timestamp within 5 minutes."""
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if not timestamp.isdigit() or not signature.isascii() or abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW:
            return False
        expected = hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
        return hmac.compare_digest("v0=" + expected, signature)

    async def start(self) -> None:
        """On server start: one HTTP connection pool for the Web API and response_url posts."""
        if self.http is None or self.http.closed:
            self.http = aiohttp.ClientSession()
            self.client.session = self.http

    async def stop(self) -> None:
        await self.drain()
        if self.http is not None:
            await self.http.close()
        self.workers.shutdown(wait=False, cancel_futures=True)

    def responder(self, body: Mapping[str, Any]):
        """`respond(...)` for this payload's response_url (None without one), on the shared connection pool."""
        url = body.get("response_url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            return None

        async def respond(**message: Any) -> None:
            webhook = AsyncWebhookClient(url, session=self.http if self.http and not self.http.closed else None)
            response = await webhook.send_dict(message)
            if response.status_code >= 400:
                log.warning("response_url refused the answer (HTTP %s)", response.status_code)

        return respond

    # ---- background work ---------------------------------------------------------------------------

    def spawn(self, work: Awaitable[None], what: str, respond=None, *, channel: str | None = None,
              thread: str | None = None, user: str | None = None) -> None:
        """Run slow work after the ack; a failure is logged by kind only (never its text or the message's) and
        apologised for: via `respond` (commands, buttons, shortcuts), else in `channel` (in `thread` for a
        mention), else by DM to `user`. Work with none of them (App Home, thread replies) fails quietly."""

        async def guarded() -> None:
            try:
                await work
            except Exception as exc:  # noqa: BLE001 - background work must not die silently or loudly
                log.warning("Slack %s failed (%s)", what, type(exc).__name__)
                await self.apologise(respond=respond, channel=channel, thread=thread, user=user)

        task = asyncio.get_running_loop().create_task(guarded())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def apologise(self, *, respond=None, channel: str | None = None, thread: str | None = None,
                        user: str | None = None) -> None:
        """Tell the person their request failed on our side (short, no detail); never raises."""
        try:
            if respond is not None:
                await respond(text=SORRY, response_type="ephemeral", replace_original=False)
            elif channel:
                await self.client.chat_postMessage(channel=channel, thread_ts=thread or None, text=SORRY)
            elif user:
                await self.client.chat_postMessage(channel=user, text=SORRY)
        except Exception as again:  # noqa: BLE001 - Slack itself may be what failed
            log.warning("Slack apology failed too (%s)", type(again).__name__)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for background work (shutdown, benchmarks)."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)

    async def in_thread(self, function, *args, **kwargs):
        """Run quick blocking work (a database lookup) in a worker thread."""
        return await asyncio.to_thread(function, *args, **kwargs)

    async def in_worker(self, function, *args):
        """Run a handler (search, records) on the few handler threads.

        Searching is CPU-bound Python: many threads at once would only fight the event loop for the GIL
        and delay every acknowledgement; a small pool keeps acks fast and answers in arrival order.
        """
        return await asyncio.get_running_loop().run_in_executor(self.workers, function, *args)

    async def claim(self, key: str) -> bool:
        """True the first time `key` is seen (across workers and replicas); False for a retry or duplicate."""
        return await self.in_thread(dedupe.claim, self.app.db, key, datetime.now(timezone.utc))

    # ---- people ------------------------------------------------------------------------------------

    async def identify(self, slack_user_id: str) -> str | None:
        """The staff id of a Slack user: by imported `slack_user_id`, else by their email (users.info)."""
        if not slack_user_id:
            return None
        cached = self._identities.get(slack_user_id)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        staff_id = await self.in_thread(_staff_by, self.app.db, slack_user_id=slack_user_id)
        if staff_id is None:
            email = await self._email_of(slack_user_id)
            if email:
                staff_id = await self.in_thread(_staff_by, self.app.db, email=email)
        self._identities[slack_user_id] = (staff_id, time.monotonic() + (IDENTITY_TTL if staff_id else UNKNOWN_TTL))
        return staff_id

    async def _email_of(self, slack_user_id: str) -> str | None:
        try:
            response = await self.client.users_info(user=slack_user_id)
        except Exception as exc:  # noqa: BLE001 - no email means "unknown user", which is answered politely
            log.info("users.info unavailable (%s)", type(exc).__name__)
            return None
        profile = (response.get("user") or {}).get("profile") or {}
        email = profile.get("email")
        return email if isinstance(email, str) and "@" in email else None

    async def resolve_mentions(self, text: str, *, strict: bool = True) -> str:
        """Replace `<@U123|name>` mentions with staff ids.

        Strict (commands that record something about a person): InvalidInput when someone is not in the staff
        list. Otherwise unknown mentions are left as they are.
        """
        for user_id in dict.fromkeys(MENTION.findall(text)):
            staff_id = await self.identify(user_id)
            if staff_id is None:
                if strict:
                    raise InvalidInput(f"<@{user_id}> is not in the staff list; ask your administrator to import them",
                                       field="staff_id")
                continue
            text = re.sub(rf"<@{user_id}(?:\|[^>]*)?>", staff_id, text)
        return text

    async def slack_ids(self, staff_ids: list[str]) -> dict[str, str]:
        """Slack user ids of staff (to prefill people pickers)."""
        if not staff_ids:
            return {}
        return await self.in_thread(_slack_ids_of, self.app.db, staff_ids)

    def request(self, staff_id: str | None, text: str = "", *, place: str | None = None, thread: str | None = None,
                values: Mapping[str, str] | None = None) -> Request:
        return Request(now=self.app.now(), platform="slack", staff_id=staff_id, text=text, place=place, thread=thread,
                       values=dict(values or {}))

    # ---- replies -----------------------------------------------------------------------------------

    async def route(self, function, *args) -> Reply:
        """Call a router function in a worker thread; user-fixable errors become a reply, not a failure."""
        try:
            reply = await self.in_worker(function, self.app, *args)
        except Forbidden:
            return Reply.text(FORBIDDEN, ephemeral=True)
        except InvalidInput as exc:
            return Reply(parts=(Text(exc.message, "warning"),), summary=exc.message, ephemeral=True)
        except Exception as exc:  # noqa: BLE001 - e.g. the database is down: tell the person, log the kind only
            log.warning("Slack handler %s failed (%s)", getattr(function, "__name__", "?"), type(exc).__name__)
            return Reply.text(SORRY, ephemeral=True)
        return reply if reply is not None else Reply()

    async def open_modal(self, trigger_id: str, form: Form, *, metadata: Mapping[str, str] | None = None,
                         values: Mapping[str, str] | None = None, initial_users: Mapping[str, str] | None = None) -> bool:
        """views.open for a form; False when Slack refused (e.g. the trigger expired)."""
        view = render.modal_view(form, values=values, metadata=metadata, initial_users=initial_users)
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as exc:
            log.warning("views.open refused (%s)", exc.response.get("error"))
            return False
        return True

    async def send(self, reply: Reply, *, respond=None, trigger_id: str | None = None, channel: str | None = None,
                   thread: str | None = None, user: str | None = None) -> None:
        """Deliver a reply: a form opens as a modal (given a trigger); else via response_url, a channel, or a DM."""
        if not reply.parts:
            return
        form = next((p.form for p in reply.parts if isinstance(p, FormPart)), None)
        if form is not None and trigger_id:
            initial_users = await self.form_users(form)
            if await self.open_modal(trigger_id, form, metadata={"channel": channel or ""}, initial_users=initial_users):
                return
        payload = render.message(reply)
        if respond is not None:
            await respond(**payload, response_type="ephemeral" if reply.ephemeral else "in_channel", replace_original=False)
        elif channel and reply.ephemeral and user and not channel.startswith("D"):  # only the asker sees it
            await self.client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread, **payload)
        elif channel:
            await self.client.chat_postMessage(channel=channel, thread_ts=thread, **payload)
        elif user:
            await self.client.chat_postMessage(channel=user, **payload)

    async def form_users(self, form: Form) -> dict[str, str]:
        """Slack user ids for staff fields that come prefilled (field name -> Slack user id)."""
        wanted = {f.name: f.initial for f in form.fields if f.kind == "staff" and f.initial}
        known = await self.slack_ids(list(set(wanted.values())))
        return {name: known[staff_id] for name, staff_id in wanted.items() if staff_id in known}

    async def refresh_home(self, slack_user_id: str) -> None:
        """App Home after the person's request was answered: a failure here is logged, not apologised for."""
        try:
            await self.publish_home(slack_user_id)
        except Exception as exc:  # noqa: BLE001 - the answer was delivered; the Home tab catches up on next open
            log.warning("Slack home refresh failed (%s)", type(exc).__name__)

    async def publish_home(self, slack_user_id: str) -> None:
        """App Home: the manager's week, or a note on how to get access."""
        staff_id = await self.identify(slack_user_id)
        if staff_id is None:
            reply = Reply.text(router.UNKNOWN_USER)
        else:
            reply = await self.route(router.my_week, self.request(staff_id))
        await self.client.views_publish(user_id=slack_user_id, view=render.home_view(reply))


def field_errors_of(reply: Reply) -> Mapping[str, str] | None:
    """The field errors a form handler returned as a reply part, if any."""
    part = next((p for p in reply.parts if isinstance(p, FieldErrors)), None)
    return dict(part.errors) if part is not None else None


def _staff_by(db, **identity: Any) -> str | None:
    from handlers.org import find_staff

    with db.unit() as session:
        staff = find_staff(session, **identity)
        return staff.staff_id if staff is not None else None


def _slack_ids_of(db, staff_ids: list[str]) -> dict[str, str]:
    from sqlalchemy import select

    from bot.storage.models import Staff

    with db.unit() as session:
        rows = session.execute(select(Staff.staff_id, Staff.slack_user_id).where(Staff.staff_id.in_(staff_ids)))
        return {staff_id: slack_id for staff_id, slack_id in rows if slack_id}


def metadata_of(view: Mapping[str, Any]) -> dict[str, str]:
    """A modal's private_metadata as a dict (it is ours, but arrives from the client: parse defensively)."""
    try:
        value = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(value, dict) else {}
