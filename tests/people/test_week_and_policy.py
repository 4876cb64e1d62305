"""The manager's week, policy validation, and the people migration going down and up."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect

from bot.storage import Database
from handlers.absence import record_absence
from handlers.policy import PolicyError, load_policy
from handlers.replies import track_message
from handlers.supervision import record_supervision
from handlers.types import ItemList
from handlers.week import manager_week

D = date.fromisoformat
TODAY = D("2026-11-23")


def test_manager_week_lists_what_is_due_this_week_in_sections(org, policy, calendar):
    with org.unit() as s:
        record_supervision(s, "sw", D("2026-10-30"), TODAY)  # due Mon 30 Nov: in view from Thu 26 Nov
        record_absence(s, "sw2", D("2026-11-20"), TODAY)
        track_message(s, "tm", D("2026-11-20"), TODAY)
        reply = manager_week(s, policy, calendar, "tm", TODAY)
    lists = {part.title: part for part in reply.parts if isinstance(part, ItemList)}
    assert list(lists) == [
        "Supervisions due", "Absences and return-to-work meetings", "Replies owed", "Decisions to record", "Actions due",
    ]
    assert any("Sam Worker" in item.text for item in lists["Supervisions due"].items)
    assert any("Sue Worker" in item.text for item in lists["Absences and return-to-work meetings"].items)
    assert len(lists["Replies owed"].items) == 1
    assert lists["Decisions to record"].items == ()
    assert "Sam Worker" in reply.plain_text()
    with org.unit() as s:
        quiet = manager_week(s, policy, calendar, "sw", TODAY)
    assert all(part.items == () for part in quiet.parts if isinstance(part, ItemList))


@pytest.mark.parametrize(
    ("yaml_text", "problem"),
    [
        ("supervision:\n  interval: sometimes\n", "supervision.interval"),
        ("supervision:\n  roles: {wizard: monthly}\n", "unknown role 'wizard'"),
        ("supervision:\n  roles: {nqsw: often}\n", "interval 'often'"),
        ("messages:\n  reply_within_working_days: -1\n", "messages.reply_within_working_days"),
        ("appraisals:\n  deadline: '13-40'\n", "appraisals.deadline"),
        ("absence:\n  fit_note_day: 8\n  sick_pay: yes\n", "absence.sick_pay"),
        ("nation: FRA\n", "nation"),
    ],
)
def test_policy_files_are_validated_with_the_field_named(tmp_path, yaml_text, problem):
    path = tmp_path / "council.yaml"
    path.write_text("extends: default\n" + yaml_text)
    with pytest.raises(PolicyError) as caught:
        load_policy(str(path))
    assert problem in str(caught.value) and str(path) in str(caught.value)


def test_every_profile_cites_its_rules():
    for name in ("default", "sefton", "wscc", "npt"):
        policy = load_policy(name)
        for section in (policy.supervision, policy.messages, policy.absence, policy.recording, policy.agreements,
                        policy.observations, policy.appraisals, policy.escalation):
            assert section.cite is not None and section.cite.document and section.cite.section
    npt = load_policy("npt")
    assert (npt.nation, npt.supervision.interval, npt.agreements.interval, npt.appraisals.deadline) == (
        "WLS", "every 28 days", "every 6 months", "08-31",
    )


def test_people_migration_downgrades_and_upgrades(db_url):
    db = Database(db_url)
    try:
        db.downgrade("0002_knowledge")
        assert "absences" not in inspect(db.engine).get_table_names()
        db.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"supervision_sessions", "supervision_agreements", "practice_observations", "appraisals", "absences",
                "messages_awaiting_reply"} <= tables
    finally:
        db.dispose()
