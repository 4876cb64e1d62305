"""The contract's commands: import staff, record ..., nudges (both databases)."""

from __future__ import annotations

import json

import pytest

HEADER = "staff_id,name,email,role,team,manager_id,slack_user_id,teams_user_id,start_date,asye_start\n"
GOOD = (
    "SW1,Sam Worker,sam@example.org,social_worker,north,TM1,U01,,2024-01-08,\n"
    "TM1,Tess Manager,tess@example.org,team_manager,north,SM1,U02,aad-2,2019-04-01,\n"
    "SM1,Sue Senior,sue@example.org,service_manager,,,,,2015-01-05,\n"
    "NQ1,Ned New,ned@example.org,nqsw,north,TM1,,,2026-09-01,2026-09-07\n"
)


def _write(tmp_path, text, name="staff.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_is_an_upsert_and_reimport_changes_nothing(cli, tmp_path):
    path = _write(tmp_path, HEADER + GOOD)
    first = cli("import", "staff", path, "--json")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout) == {"added": 4, "updated": 0, "unchanged": 0, "rejected": [], "teams_added": 1}
    again = cli("import", "staff", path, "--json")
    assert json.loads(again.stdout)["unchanged"] == 4 and json.loads(again.stdout)["added"] == 0
    changed = _write(tmp_path, HEADER + GOOD.replace("Sam Worker", "Samira Worker"), "v2.csv")
    third = cli("import", "staff", changed)
    assert third.exit_code == 0 and "0 added, 1 updated, 3 unchanged, 0 rejected" in third.stdout


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("BAD,Bad Role,,wizard,north,TM1,,,,", "unknown role 'wizard'"),
        ("BAD,Bad Manager,,social_worker,north,ZZZ,,,,", "manager 'ZZZ' not found"),
        ("BAD,Bad Date,,social_worker,north,TM1,,,2026-02-30,", "start_date '2026-02-30' is not a date"),
        ("SW1,Again,,social_worker,north,TM1,,,,", "duplicate staff_id (first on line 2)"),
        (",No Id,,social_worker,north,TM1,,,,", "staff_id is missing"),
        ("BAD,,,social_worker,north,TM1,,,,", "name is missing"),
        ("BAD,Not New,,social_worker,north,TM1,,,,2026-01-05", "asye_start is only for newly qualified"),
        ("BAD,Self,,social_worker,north,BAD,,,,", "cycle"),
        ("BAD,Slack Clash,,social_worker,north,TM1,U01,,,", "slack_user_id 'U01' already belongs to SW1"),
    ],
)
def test_bad_rows_are_rejected_with_line_and_reason_while_good_rows_import(cli, tmp_path, row, reason):
    path = _write(tmp_path, HEADER + GOOD + row + "\n")
    result = cli("import", "staff", path, "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["added"] == 4
    [rejected] = report["rejected"]
    assert rejected["line"] == 6 and reason in rejected["reason"]
    assert "line 6" in result.stderr and reason in result.stderr


def test_line_management_cycles_are_rejected_and_managers_may_come_later(cli, tmp_path):
    rows = (
        "A1,Worker,,social_worker,t,B1,,,,\n"  # manager defined on a later line
        "B1,Boss,,team_manager,t,,,,,\n"
        "X1,Loop A,,social_worker,t,X2,,,,\n"
        "X2,Loop B,,team_manager,t,X3,,,,\n"
        "X3,Loop C,,service_manager,t,X1,,,,\n"
        "Y1,Reports to loop,,social_worker,t,X1,,,,\n"
    )
    result = cli("import", "staff", _write(tmp_path, HEADER + rows), "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 2 and report["added"] == 2
    reasons = {r["staff_id"]: r["reason"] for r in report["rejected"]}
    assert set(reasons) == {"X1", "X2", "X3", "Y1"}
    assert "X1 -> X2 -> X3 -> X1" in reasons["X1"]
    assert "manager 'X1' not found" in reasons["Y1"]


def test_a_cycle_through_existing_staff_is_refused(cli, tmp_path):
    assert cli("import", "staff", _write(tmp_path, HEADER + GOOD)).exit_code == 0
    flip = _write(tmp_path, HEADER + "SM1,Sue Senior,sue@example.org,service_manager,,SW1,,,2015-01-05,\n", "flip.csv")
    result = cli("import", "staff", flip, "--json")
    assert result.exit_code == 2 and "cycle" in json.loads(result.stdout)["rejected"][0]["reason"]


def test_a_file_without_the_required_columns_is_refused_whole(cli, tmp_path):
    result = cli("import", "staff", _write(tmp_path, "id,name\nA,B\n"))
    assert result.exit_code == 2 and "staff_id" in result.stderr and "role" in result.stderr
    missing = cli("import", "staff", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_record_commands_and_nudges_json(cli, tmp_path):
    assert cli("import", "staff", _write(tmp_path, HEADER + GOOD)).exit_code == 0
    sup = cli("record", "supervision", "SW1", "--date", "2026-10-26", "--kind", "case", "--json")
    assert sup.exit_code == 0, sup.stderr
    assert json.loads(sup.stdout)["next_due"] == "2026-11-26"
    msg = cli("record", "message", "--to", "TM1", "--received", "2026-11-18", "--from", "IRO", "--json")
    message_id = json.loads(msg.stdout)["id"]
    assert json.loads(msg.stdout)["due"] == "2026-11-20"
    assert cli("record", "absence", "NQ1", "--start", "2026-11-17").exit_code == 0

    result = cli("nudges", "--date", "2026-11-23", "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["date"] == "2026-11-23"
    for nudge in payload["nudges"]:
        assert set(nudge) == {"recipient", "kind", "subject", "due", "detail"}
    found = {(n["recipient"], n["kind"], n["subject"], n["due"]) for n in payload["nudges"]}
    assert ("TM1", "supervision_due", "SW1", "2026-11-26") in found
    assert ("TM1", "message_unanswered", message_id, "2026-11-20") in found
    assert ("TM1", "absence_checkin", "NQ1", "2026-11-20") in found
    assert not any(n["subject"] == "NQ1" and n["kind"].startswith("supervision") for n in payload["nudges"])

    assert cli("record", "answered", message_id, "--date", "2026-11-23").exit_code == 0
    assert cli("record", "absence-update", "NQ1", "--date", "2026-11-20").exit_code == 0
    after = json.loads(cli("nudges", "--date", "2026-11-23", "--json").stdout)["nudges"]
    assert not any(n["subject"] in (message_id, "NQ1") for n in after)

    text = cli("nudges", "--date", "2026-11-23")
    assert text.exit_code == 0 and "Tess Manager (TM1)" in text.stdout and "[supervision_due]" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("record", "supervision", "NOBODY", "--date", "2026-11-20"), "unknown staff id"),
        (("record", "supervision", "SW1", "--date", "2026-11-31"), "--date"),
        (("record", "supervision", "SW1", "--date", "2099-01-01"), "future"),
        (("record", "absence", "SW1", "--start", "2026-11-20", "--returned", "2026-11-19"), "after the first day"),
        (("record", "message", "--to", "SW1", "--received", "yesterday"), "--received"),
        (("record", "answered", "M-424242"), "unknown message id"),
        (("record", "fit-note", "SW1", "--date", "2026-11-20"), "no recorded absence"),
        (("record", "pdr", "SW1", "--date", "2099-01-01"), "future"),
        (("nudges", "--date", "soon"), "--date"),
    ],
)
def test_bad_input_exits_2_and_stores_nothing(cli, tmp_path, args, message):
    assert cli("import", "staff", _write(tmp_path, HEADER + GOOD)).exit_code == 0
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_companion_records(cli, tmp_path):
    assert cli("import", "staff", _write(tmp_path, HEADER + GOOD)).exit_code == 0
    for kind in ("agreement", "observation", "pdr"):
        result = cli("record", kind, "SW1", "--date", "2026-11-02", "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["next_due"] == "2027-11-02"
    assert cli("record", "absence", "SW1", "--start", "2026-11-02").exit_code == 0
    assert cli("record", "fit-note", "SW1", "--date", "2026-11-09").exit_code == 0
    rtw = cli("record", "return-to-work", "SW1", "--date", "2026-11-16", "--json")
    assert json.loads(rtw.stdout)["returned"] == "2026-11-16" and json.loads(rtw.stdout)["rtw_meeting"] == "2026-11-16"


def test_nudges_send_reports_what_delivery_did(cli, tmp_path):
    assert cli("import", "staff", _write(tmp_path, HEADER + GOOD)).exit_code == 0
    result = cli("nudges", "--send", "--date", "2026-11-21")  # a Saturday: nothing is sent
    assert result.exit_code == 0, result.stderr
    assert "not a working day" in result.stdout


def test_platform_ids_can_move_between_people_in_one_file(cli, tmp_path):
    assert cli("import", "staff", _write(tmp_path, HEADER + GOOD)).exit_code == 0
    swapped = GOOD.replace(",U01,", ",TMP,").replace(",U02,", ",U01,").replace(",TMP,", ",U02,")
    result = cli("import", "staff", _write(tmp_path, HEADER + swapped, "swap.csv"), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["updated"] == 2


def test_import_creates_teams_that_agendas_can_use(cli, tmp_path, db_url):
    from sqlalchemy import create_engine, text

    assert cli("import", "staff", _write(tmp_path, HEADER + GOOD)).exit_code == 0
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT team_id FROM teams")).scalars().all() == ["north"]
            assert conn.execute(text("SELECT team_id FROM staff WHERE staff_id = 'SW1'")).scalar() == "north"
    finally:
        engine.dispose()


def test_supervision_notes_command(cli, tmp_path):
    assert cli("import", "staff", _write(tmp_path, HEADER + GOOD)).exit_code == 0
    assert cli("record", "supervision", "SW1", "--date", "2026-11-02").exit_code == 0
    done = cli("record", "supervision-notes", "SW1", "--date", "2026-11-05", "--json")
    assert done.exit_code == 0 and json.loads(done.stdout)["sessions"] == ["2026-11-02"]
    again = cli("record", "supervision-notes", "SW1", "--date", "2026-11-05")
    assert again.exit_code == 2 and "waiting for notes" in again.stderr
