"""The `standards-bot decisions` commands against both databases, as the contract describes them."""

from __future__ import annotations

import csv
import io
import json

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from handlers.calendar import WorkingCalendar

# The CLI runs on the real clock: dates are relative to today in London.
TODAY = datetime.now(ZoneInfo("Europe/London")).date()
DUE = (TODAY + timedelta(days=7)).isoformat()
RECORD_BY = WorkingCalendar("ENG").add_working_days(TODAY, 1).isoformat()

ADD = ("decisions", "add", "--case", "LCS204815", "--type", "case_consultation", "--decision", "Step down",
       "--rationale", "Risks reduced", "--by", "tm")


@pytest.fixture
def run(cli, org):
    """The CLI with the test organisation loaded."""
    return cli


def _add(run, *extra):
    result = run(*ADD, *extra, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_add_prints_the_decision_as_json(run):
    decision = _add(run, "--action", f"Visit | with a pipe|sw|{DUE}")
    assert decision["id"] == "D-000001"
    assert decision["case_reference"] == "LCS204815"
    assert decision["actions"] == [{"text": "Visit | with a pipe", "owner": "sw", "due": f"{DUE}"}]
    assert decision["history"][0]["change"] == "created"


def test_add_without_json_prints_the_case_note(run):
    result = run(*ADD)
    assert result.exit_code == 0
    assert "MANAGEMENT OVERSIGHT DECISION RECORD" in result.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--case", "Jayden Smith"), "--case: this looks like a name"),
        (("--type", "lunch"), "--type: unknown decision type"),
        (("--decision", " "), "--decision: say what was decided"),
        (("--rationale", ""), "--rationale: give the reasons"),
        (("--action", f"Visit|ghost|{DUE}"), "--action 1 (owner): no staff member"),
        (("--action", "Visit|sw|2020-01-01"), "--action 1 (due): 2020-01-01 is in the past"),
        (("--action", "Visit only"), "--action 1: write it as"),
        (("--by", "ghost"), "ghost"),
        (("--by", "gone"), "has left"),
    ],
)
def test_bad_input_exits_2_naming_the_option_and_stores_nothing(run, args, says):
    base = list(ADD)
    for i in range(0, len(args), 2):
        if args[i] in base:
            base[base.index(args[i]) + 1] = args[i + 1]
        else:
            base += [args[i], args[i + 1]]
    result = run(*base)
    assert result.exit_code == 2, result.stdout
    assert says in result.stderr and result.stderr.startswith("error:")
    assert result.stdout == ""
    assert run("decisions", "list", "--json").stdout.strip() == "[]"


def test_amend_keeps_the_original_and_records_author_time_and_reason(run):
    _add(run)
    result = run("decisions", "amend", "D-000001", "--reason", "School raised concerns", "--rationale", "New concerns", "--by", "sm", "--json")
    assert result.exit_code == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["rationale"] == "New concerns" and decision["version"] == 2
    first, second = decision["history"]
    assert first["rationale"] == "Risks reduced"
    assert (second["author"], second["reason"], second["change"]) == ("sm", "School raised concerns", "amended")


def test_amend_errors(run):
    _add(run)
    assert run("decisions", "amend", "D-000001", "--reason", "x", "--by", "tm").exit_code == 2
    assert run("decisions", "amend", "D-000009", "--reason", "x", "--decision", "y", "--by", "tm").exit_code == 2
    forbidden = run("decisions", "amend", "D-000001", "--reason", "x", "--decision", "y", "--by", "tm2")
    assert forbidden.exit_code == 1 and "tm2 may not amend" in forbidden.stderr


def test_list_show_note_and_mark_recorded(run):
    _add(run)
    listed = run("decisions", "list")
    assert f"D-000001  LCS204815  Case consultation  v1  tm  record by {RECORD_BY}" in listed.stdout
    assert "Case reference: LCS204815" in run("decisions", "note", "D-000001").stdout
    assert run("decisions", "show", "1", "--as", "tm2").exit_code == 1
    assert json.loads(run("decisions", "show", "1", "--as", "sm", "--json").stdout)["id"] == "D-000001"
    marked = run("decisions", "mark-recorded", "D-000001", "--json")
    assert marked.exit_code == 0 and json.loads(marked.stdout)["recorded_on_file"] is True
    assert run("decisions", "list", "--unrecorded", "--json").stdout.strip() == "[]"
    assert json.loads(run("decisions", "list", "--as", "tm2", "--json").stdout) == []


def test_export_json_has_every_version(run):
    _add(run)
    run("decisions", "amend", "D-000001", "--reason", "why", "--decision", "Changed", "--by", "tm")
    result = run("decisions", "export", "--format", "json")
    assert result.exit_code == 0
    (decision,) = json.loads(result.stdout)
    assert decision["case_reference"] == "LCS204815" and decision["decision"] == "Changed"
    assert [(v["version"], v["author"], v["reason"]) for v in decision["history"]] == [(1, "tm", None), (2, "tm", "why")]
    assert all(v["at"] for v in decision["history"])


def test_export_since_keeps_decisions_made_or_changed_since(run):
    _add(run)
    assert len(json.loads(run("decisions", "export", "--format", "json", "--since", "2000-01-01").stdout)) == 1
    assert json.loads(run("decisions", "export", "--format", "json", "--since", "2999-01-01").stdout) == []
    assert run("decisions", "export", "--since", "yesterday").exit_code == 2


def test_export_csv_opens_cleanly_in_excel_with_formulas_neutralised(run):
    _add(run, "--risk", "=HYPERLINK(\"http://evil\")", "--child-voice", "@SUM(1)", "--action", f"+call|sw|{DUE}")
    result = run("decisions", "export", "--format", "csv")
    assert result.exit_code == 0
    raw = result.stdout_bytes.decode("utf-8")  # `stdout` would fold CRLF; check the bytes Excel gets
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw[1:])))
    (row,) = rows
    assert row["case_reference"] == "LCS204815"
    assert row["risk"] == "'=HYPERLINK(\"http://evil\")"
    assert row["child_voice"] == "'@SUM(1)"
    assert row["actions"] == f"'+call | sw | {DUE}"
    assert raw.count("\r\n") == 2  # header and one row, each ended as Excel expects
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_verify_exits_1_naming_the_tampered_version(run, org):
    _add(run)
    run("decisions", "amend", "D-000001", "--reason", "why", "--decision", "Changed", "--by", "tm")
    assert run("decisions", "verify").exit_code == 0
    with org.engine.begin() as conn:
        conn.execute(text("UPDATE decision_versions SET decision = 'Rewritten' WHERE version = 2"))
    result = run("decisions", "verify")
    assert result.exit_code == 1
    assert "D-000001 version 2" in result.stderr


def test_quick_capture_from_the_command_line(run):
    result = run("decisions", "capture", "LCS204815: close the case because work is complete", "--by", "tm", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rationale"] == "work is complete"
    assert run("decisions", "capture", "Jayden Smith: close because done", "--by", "tm").exit_code == 2


def test_purge_needs_yes(run):
    _add(run)
    dry = run("decisions", "purge", "--date", "2060-01-01")
    assert "1 decisions older than 25 years would be deleted" in dry.stdout
    assert len(json.loads(run("decisions", "list", "--json").stdout)) == 1
    assert "1 decisions older than 25 years deleted" in run("decisions", "purge", "--date", "2060-01-01", "--yes").stdout
    assert json.loads(run("decisions", "list", "--json").stdout) == []
