"""`standards-bot nudges --send` end to end: real records, real nudge engine, a fake Slack Web API in a thread."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import date

from aiohttp import web

from handlers.replies import track_message


class SlackInAThread:
    """A fake Slack Web API on a free port, served from its own thread (the CLI runs its own event loop)."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.loop = asyncio.new_event_loop()
        self.url = ""
        ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self.thread.start()
        assert ready.wait(10), "fake Slack did not start"

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)

        async def handle(request: web.Request) -> web.Response:
            method = request.match_info["method"]
            data = dict(request.query)
            if request.content_type == "application/json":
                data.update(await request.json())
            else:
                data.update(await request.post())
            if method == "conversations.open":
                return web.json_response({"ok": True, "channel": {"id": "D" + str(data.get("users"))}})
            if method == "chat.postMessage":
                self.posts.append(data)
                return web.json_response({"ok": True, "channel": data.get("channel"), "ts": "1.0"})
            return web.json_response({"ok": True})

        async def start() -> None:
            app = web.Application()
            app.router.add_post("/api/{method}", handle)
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/api/"

        self.loop.run_until_complete(start())
        ready.set()
        self.loop.run_forever()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def test_nudges_send_twice_delivers_each_digest_once(org, cli):
    with org.db.unit() as session:
        track_message(session, "W1", date(2026, 11, 18), date(2026, 11, 23))
    slack = SlackInAThread()
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "SLACK_API_URL": slack.url}
    try:
        first = cli("nudges", "--send", "--date", "2026-11-23", env=env)
        sent_first = len(slack.posts)
        second = cli("nudges", "--send", "--date", "2026-11-23", env=env)
    finally:
        slack.close()
    assert first.exit_code == 0, first.stderr
    assert "2026-11-23: sent" in first.stdout and sent_first >= 1
    assert any(p["channel"] == "UW1" for p in slack.posts)
    assert second.exit_code == 0 and "sent 0 digest(s)" in second.stdout
    assert len(slack.posts) == sent_first
    blocks = [b for p in slack.posts for b in (p["blocks"] if isinstance(p["blocks"], list) else json.loads(p["blocks"]))]
    assert blocks


def test_nudges_send_on_a_bank_holiday_sends_nothing(org, cli):
    result = cli("nudges", "--send", "--date", "2026-12-25")
    assert result.exit_code == 0 and "not a working day" in result.stdout


def _preview(cli, day: str, env=None) -> set[tuple[str, str, str, str]]:
    result = cli("nudges", "--date", day, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["date"] == day and all(set(n) == {"recipient", "kind", "subject", "due", "detail"} for n in payload["nudges"])
    return {(n["recipient"], n["kind"], n["subject"], n["due"]) for n in payload["nudges"]}


def test_the_preview_is_what_nudges_send_then_sends_and_afterwards_only_what_is_still_unsent(org, cli):
    """`nudges --date D` before `--send` lists exactly the items the run logs as sent (plus the items of people
    it cannot reach); afterwards it lists only what a second run would still try: the unreachable person's."""
    from sqlalchemy import select

    from bot.storage.models.scheduler import NudgeLogEntry
    from handlers.digest import pause_digests

    with org.db.unit() as session:
        for owner in ("W1", "M1", "W3", "W5"):  # W3 has no Slack/Teams address; W5 pauses digests
            track_message(session, owner, date(2026, 11, 18), date(2026, 11, 23))
        pause_digests(session, "W5", date(2026, 11, 27), date(2026, 11, 23))
    slack = SlackInAThread()
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "SLACK_API_URL": slack.url}
    try:
        before = _preview(cli, "2026-11-23", env)
        first = cli("nudges", "--send", "--date", "2026-11-23", env=env)
        after = _preview(cli, "2026-11-23", env)
    finally:
        slack.close()
    assert first.exit_code == 0, first.stderr
    assert {r for r, *_ in before} == {"W1", "M1", "W3"}  # the paused person's reply owed is not in it
    with org.db.unit() as session:
        logged = {
            (r.recipient, r.kind, r.subject, r.due.isoformat())
            for r in session.scalars(select(NudgeLogEntry).where(NudgeLogEntry.day == date(2026, 11, 23)))
        }
    unreachable = {item for item in before if item[0] == "W3"}
    assert logged == before - unreachable and logged
    assert sorted(p["channel"] for p in slack.posts) == ["UM1", "UW1"]
    assert after == unreachable  # W3 is still owed a digest nobody could deliver; the others are done for the day

    text = cli("nudges", "--date", "2026-11-23", env=env)
    assert "already sent today: 2 digest(s)" in text.stdout and "paused: 1 digest(s)" in text.stdout
    assert "Win Three (W3)" in text.stdout and "Wes One" not in text.stdout


def test_the_preview_is_empty_on_weekends_and_bank_holidays(org, cli):
    with org.db.unit() as session:
        track_message(session, "W1", date(2026, 11, 18), date(2026, 11, 23))
    assert _preview(cli, "2026-11-24")  # a working day: the reply is owed
    for closed in ("2026-11-28", "2026-12-25"):
        assert _preview(cli, closed) == set()
        assert "not a working day" in cli("nudges", "--date", closed).stdout
