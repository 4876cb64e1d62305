"""Scheduler fixtures: a small organisation, recording platforms, a table of nudges, an injected sleep."""

from __future__ import annotations

from datetime import date

import pytest
from scheduler_fakes import NudgeTable, RecordingPlatform, Sleeps, nudge

from bot.storage.models import Staff, Team


@pytest.fixture
def org(app):
    """Team T1 with a manager M1 (Slack), W1 (Slack), W2 (Teams), W3 (no platform) and W4 (left)."""
    with app.db.unit() as session:
        session.add(Team(team_id="T1", name="Bognor Assessment"))
        session.add(Team(team_id="T2", name="Crawley Children in Care"))
        session.flush()
        session.add(Staff(staff_id="M1", name="Mina Manager", role="team_manager", team_id="T1", slack_user_id="UM1"))
        session.flush()
        session.add_all(
            [
                Staff(staff_id="W1", name="Wes One", role="social_worker", team_id="T1", manager_id="M1", slack_user_id="UW1"),
                Staff(staff_id="W2", name="Wen Two", role="social_worker", team_id="T1", manager_id="M1", teams_user_id="aad-w2"),
                Staff(staff_id="W3", name="Win Three", role="nqsw", team_id="T1", manager_id="M1"),
                Staff(staff_id="W5", name="Wyn Five", role="social_worker", team_id="T2", manager_id="M1", slack_user_id="UW5"),
                Staff(
                    staff_id="W4", name="Wil Four", role="social_worker", team_id="T1", manager_id="M1",
                    slack_user_id="UW4", left_on=date(2026, 10, 30),
                ),
            ]
        )
    return app


@pytest.fixture
def slack():
    return RecordingPlatform("slack", reach={"M1", "W1", "W4", "W5"})


@pytest.fixture
def teams():
    return RecordingPlatform("teams", reach={"W2"})


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def table():
    """M1 owes a supervision for W1 and a reply; W1 owes a reply; W2 owes a reply; W3 (unreachable) too."""
    return NudgeTable(
        [
            nudge("M1", "supervision_overdue", "W1", date(2026, 11, 20)),
            nudge("M1", "message_unanswered", "MSG-1"),
            nudge("M1", "absence_checkin", "W5"),
            nudge("W1", "message_unanswered", "MSG-2"),
            nudge("W2", "message_unanswered", "MSG-3"),
            nudge("W3", "supervision_due", "W3"),
            nudge("W4", "message_unanswered", "MSG-4"),
        ]
    )
