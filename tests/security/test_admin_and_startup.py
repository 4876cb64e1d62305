"""`standards-bot admin` (export, purge) for information governance, and start-up configuration errors."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from bot.storage.models import Staff, Team
from bot.storage.models.decisions import Decision, DecisionVersion
from bot.storage.models.knowledge import KnowledgeFeedback, KnowledgeGap


def _org(db) -> None:
    with db.unit() as s:
        s.add(Team(team_id="north", name="North"))
        s.flush()
        s.add(Staff(staff_id="tm", name="Tina Team", email="tina@council.gov.uk", role="team_manager", team_id="north"))
        s.flush()
        s.add_all([
            Staff(staff_id="sw", name="Sam Worker", email="sam@council.gov.uk", role="social_worker", team_id="north", manager_id="tm"),
            Staff(staff_id="sw2", name="Sue Worker", role="social_worker", team_id="north", manager_id="tm"),
        ])


def _decide(cli, by: str, case: str = "LCS204815") -> None:
    result = cli("decisions", "add", "--case", case, "--type", "step_down", "--decision", "Step down to early help",
                 "--rationale", "Risks reduced", "--by", by)
    assert result.exit_code == 0, result.stderr


def test_subject_access_export_holds_everything_about_one_person_and_nothing_about_others(cli, db):
    _org(db)
    _decide(cli, "sw")
    _decide(cli, "sw2", "MOS-1234")
    assert cli("record", "supervision", "sw", "--date", "2026-11-20").exit_code == 0
    assert cli("record", "absence", "sw2", "--start", "2026-11-16").exit_code == 0

    result = cli("admin", "export", "--staff", "sw")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    tables = document["tables"]
    assert document["scope"] == {"staff_id": "sw"} and document["schema"]
    assert [row["staff_id"] for row in tables["staff"]] == ["sw"]
    assert tables["staff"][0]["email"] == "sam@council.gov.uk"
    assert [row["case_reference"] for row in tables["decisions"]] == ["LCS204815"]
    assert [row["staff_id"] for row in tables["supervision_sessions"]] == ["sw"]
    assert "absences" not in tables  # sw2's absence is not sw's data
    assert "MOS-1234" not in result.stdout and "Sue Worker" not in result.stdout


def test_organisation_export_is_every_table_of_data(cli, db):
    _org(db)
    _decide(cli, "sw")
    result = cli("admin", "export")
    assert result.exit_code == 0, result.stderr
    tables = json.loads(result.stdout)["tables"]
    assert {row["staff_id"] for row in tables["staff"]} == {"tm", "sw", "sw2"}
    assert len(tables["decisions"]) == 1 and len(tables["decision_versions"]) == 1
    assert "apscheduler_jobs" not in tables and "slack_processed_events" not in tables


def test_export_of_an_unknown_person_exits_2_naming_them(cli, db):
    result = cli("admin", "export", "--staff", "ghost")
    assert result.exit_code == 2 and "ghost" in result.stderr and result.stdout == ""


def test_purge_is_a_dry_run_until_yes_then_removes_exactly_what_retention_says(cli, db):
    _org(db)
    _decide(cli, "sw")
    _decide(cli, "sw2", "MOS-1234")
    old = datetime.now(timezone.utc) - timedelta(days=400)
    with db.unit() as s:
        s.execute(update(Decision).where(Decision.case_reference == "MOS-1234").values(decided_on=date(1990, 1, 5)))
        s.add_all([
            KnowledgeGap(question="old question", question_key="old question", reason="no_answer", created_at=old),
            KnowledgeGap(question="new question", question_key="new question", reason="no_answer",
                         created_at=datetime.now(timezone.utc)),
            KnowledgeFeedback(passage_id="p1", helpful=False, question="old vote", created_at=old),
        ])

    dry = cli("admin", "purge", "--json")
    assert dry.exit_code == 0, dry.stderr
    assert json.loads(dry.stdout) == {"applied": False, "decisions": 1, "knowledge_gaps": 1, "feedback_questions": 1}
    with db.unit() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 2
        assert s.scalar(select(func.count()).select_from(KnowledgeGap)) == 2

    applied = cli("admin", "purge", "--yes")
    assert applied.exit_code == 0, applied.stderr
    assert "deleted: 1 decision" in applied.stdout
    with db.unit() as s:
        assert s.scalars(select(Decision.case_reference)).all() == ["LCS204815"]
        assert s.scalar(select(func.count()).select_from(DecisionVersion)) == 1
        assert s.scalars(select(KnowledgeGap.question)).all() == ["new question"]
        assert s.scalar(select(KnowledgeFeedback.question)) is None
    again = cli("admin", "purge", "--yes", "--json")
    assert json.loads(again.stdout)["decisions"] == 0


def test_admin_schema_and_check_report_the_version(cli):
    schema = cli("admin", "schema")
    assert schema.exit_code == 0 and schema.stdout.strip() == "0008_knowledge_vectors"
    check = cli("admin", "check", "--json")
    assert check.exit_code == 0 and json.loads(check.stdout)["schema"] == "0008_knowledge_vectors"


def test_admin_check_exits_1_when_the_database_is_unreachable(sqlite_cli):
    result = sqlite_cli("admin", "check", env={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert result.exit_code == 1
    assert "unreachable" in result.stdout + result.stderr


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TZ_NAME": "Mars/Olympus"}, "TZ_NAME"),
        ({"PORT": "99999"}, "PORT"),
        ({"PORT": "eighty"}, "PORT"),
        ({"DATABASE_URL": "mysql://db/standards"}, "DATABASE_URL"),
        ({"STANDARDS_POLICY": "no-such-profile"}, "no-such-profile"),
    ],
)
def test_serve_refuses_bad_configuration_in_one_readable_line(sqlite_cli, restore_logging, env, named):
    result = sqlite_cli("serve", env=env)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and named in errors[0]
    assert "Traceback" not in result.stderr
