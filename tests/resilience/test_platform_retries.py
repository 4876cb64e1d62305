"""Slack and Teams answer 429 and 5xx: the scheduler waits and retries, nothing is lost, each digest goes once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from bot.app import App
from bot.server import build_web_app
from bot.storage.models import Staff
from bot.storage.models.people import SupervisionSession
from bot.storage.models.scheduler import Delivery, DeliveryAttempt
from scheduler import SCHEDULER_KEY
from tests.security.fakes import add_two_teams, platform_settings, start_platforms, teams_message


class RecordedSleeps:
    """The scheduler's sleep, injected: records each wait and returns at once (no test waits on a clock)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_rate_limits_and_errors_are_retried_and_each_digest_arrives_once(db_url, clock, aiohttp_server, aiohttp_client):
    platforms = await start_platforms(aiohttp_server)
    app = App(platform_settings(db_url, platforms), clock=clock)
    add_two_teams(app)
    with app.db.unit() as session:
        # Olive (south) uses Teams only; both managers have a supervision overdue for their worker.
        session.execute(update(Staff).where(Staff.staff_id == "other").values(slack_user_id=None, teams_user_id="aad-other"))
        session.add_all([
            SupervisionSession(staff_id="wrk", supervisor_id="mgr", held_on=date(2026, 8, 3), kind="case"),
            SupervisionSession(staff_id="sth", supervisor_id="other", held_on=date(2026, 8, 3), kind="case"),
        ])
    client = await aiohttp_client(build_web_app(app))
    try:
        hello = await client.post("/api/messages", json=teams_message(platforms.base, "hello", aad="aad-other"))
        assert hello.status == 200  # Olive talks to the bot once: her conversation reference is stored
        platforms.connector.clear()

        platforms.failures = {
            "chat.postMessage": [(429, {"Retry-After": "7"}), (503, {})],
            "teams": [(429, {"Retry-After": "5"}), (500, {}), (502, {})],
        }
        runtime = client.server.app[SCHEDULER_KEY]
        runtime.sleep = sleeps = RecordedSleeps()
        first = await runtime.tick(clock.now.replace(hour=9, minute=0))
        again = await runtime.tick(clock.now.replace(hour=9, minute=1))
        later = await runtime.tick(clock.now.replace(hour=16, minute=0))
    finally:
        app.close()

    assert first.digests.sent == 2 and first.digests.failed == 0
    assert again.digests is None or again.digests.sent == 0
    assert later.digests is None or later.digests.sent == 0
    slack_digests = [post for post in platforms.posts() if post.get("channel") == "U0MGR"]
    assert len(slack_digests) == 1, "the Slack digest arrives exactly once"
    assert "Wendy Worker" in str(slack_digests[0]) or "wrk" in str(slack_digests[0])
    assert len(platforms.connector) == 1, "the Teams digest arrives exactly once"
    assert 7.0 in sleeps.waits and 5.0 in sleeps.waits  # Retry-After honoured
    assert any(0 < wait < 5.0 for wait in sleeps.waits)  # 5xx: exponential backoff from the policy
    with app.db.unit() as session:
        assert sorted(session.scalars(select(Delivery.status))) == ["sent", "sent"]
        outcomes = session.scalars(select(DeliveryAttempt.outcome)).all()
    assert sorted(outcomes) == ["retry"] * 5 + ["sent"] * 2
