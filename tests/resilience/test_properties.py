"""Property-based tests (hypothesis): due-date rules, the one-line decision parser, the staff CSV import."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.storage.models import ROLES
from handlers.calendar import WorkingCalendar
from handlers.decisions import QuickCapture, parse_quick_capture
from handlers.errors import InvalidInput
from handlers.policy import load_policy
from handlers.rules import add_months, due_on_working_day, next_supervision_due, reply_status
from handlers.staff import COLUMNS, import_staff

CALENDARS = {nation: WorkingCalendar(nation) for nation in ("ENG", "WLS", "SCT", "NIR")}
days = st.dates(min_value=date(2019, 1, 1), max_value=date(2032, 12, 31))
calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.get)
FAST = settings(max_examples=200, deadline=None)


# ---- due-date rules ---------------------------------------------------------------------------------


@FAST
@given(days, calendars)
def test_a_deadline_on_a_closed_day_moves_back_to_the_last_working_day_never_later(day, calendar):
    due = due_on_working_day(day, calendar)
    assert calendar.is_working_day(due) and due <= day
    assert all(not calendar.is_working_day(due + timedelta(days=k)) for k in range(1, (day - due).days + 1))


@FAST
@given(days, days, st.integers(min_value=0, max_value=36))
def test_adding_months_is_monotonic_and_clamps_to_the_month_end(a, b, months):
    first, second = sorted((a, b))
    assert add_months(first, months) <= add_months(second, months)
    moved = add_months(a, months)
    assert (moved.year * 12 + moved.month) - (a.year * 12 + a.month) == months
    assert moved.day == a.day or (moved.day < a.day and (moved + timedelta(days=1)).day == 1)


@FAST
@given(days, calendars, st.sampled_from(["default", "sefton", "wscc", "npt"]),
       st.sampled_from(["social_worker", "nqsw", "team_manager", "assistant_team_manager"]),
       st.integers(min_value=0, max_value=400))
def test_the_next_supervision_is_on_a_working_day_after_the_last_and_within_the_interval(last, calendar, profile, role, asye_offset):
    rules = load_policy(profile).supervision
    asye = last - timedelta(days=asye_offset) if role == "nqsw" else None
    due = next_supervision_due(role, asye, last, last - timedelta(days=500), rules, calendar)
    if due is None:
        return
    assert calendar.is_working_day(due)
    assert last < due <= add_months(last, 12)
    # once someone has been supervised, when they joined no longer matters
    assert next_supervision_due(role, asye, last, last, rules, calendar) == due


@FAST
@given(days, calendars, st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=40))
def test_a_reply_is_due_exactly_n_working_days_after_it_arrived(received, calendar, n, later):
    status = reply_status(received, None, received + timedelta(days=later), n, calendar)
    assert calendar.is_working_day(status.due) and status.due >= received
    assert calendar.working_days_between(received, status.due) == n or (n == 0 and not calendar.is_working_day(received))
    assert status.late == (received + timedelta(days=later) > status.due)
    answered = reply_status(received, status.due, status.due, n, calendar)
    assert answered.answered and not answered.late


# ---- the one-line decision parser -------------------------------------------------------------------

refs = st.from_regex(r"[A-Z]{2,5}-?[0-9]{4,12}", fullmatch=True)
words = st.text(st.characters(categories=("L", "N", "Zs", "P"), exclude_characters=":[]\n\r"), min_size=1, max_size=80)


def _no_because(text: str) -> bool:
    return "because" not in text.lower().split() and text.strip() != ""


@FAST
@given(refs, words, words, st.sampled_from(["", " [step_down]", " [case consultation]"]))
def test_a_well_formed_line_parses_back_to_its_parts(ref, decision, rationale, kind):
    assume(_no_because(decision) and decision.strip() and rationale.strip())
    assume(not any(ch.isspace() and ch not in " " for ch in decision + rationale))
    parsed = parse_quick_capture(f"{ref}{kind}: {decision} because {rationale}")
    assert parsed == QuickCapture(case_ref=ref, decision=decision.strip(), rationale=rationale.strip(),
                                  type=kind.strip(" []") or None)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_line_either_parses_or_is_refused_with_a_message(line):
    try:
        parsed = parse_quick_capture(line)
    except InvalidInput as exc:
        assert exc.message and exc.field in ("line", "rationale")
        return
    assert parsed.case_ref and ":" not in parsed.case_ref
    assert len(parsed.decision) + len(parsed.rationale) <= len(line)


# ---- the staff CSV import ---------------------------------------------------------------------------

cells = st.one_of(
    st.just(""),
    st.text(max_size=12),
    st.sampled_from(["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "2026-02-30", "not-a-date", "a@b.gov.uk", " padded "]),
)
staff_rows = st.fixed_dictionaries({
    "staff_id": st.one_of(st.sampled_from(["s1", "s2", "s3", "m1", "m2"]), st.text(max_size=10)),
    "name": st.one_of(st.just("Pat Person"), cells),
    "email": st.one_of(st.just(""), st.sampled_from(["p@council.gov.uk", "q@council.gov.uk"]), cells),
    "role": st.one_of(st.sampled_from(ROLES), cells),
    "team": st.one_of(st.sampled_from(["north", "south", ""]), cells),
    "manager_id": st.one_of(st.sampled_from(["", "m1", "m2", "s1", "ghost"]), cells),
    "slack_user_id": st.one_of(st.sampled_from(["", "U1", "U2"]), cells),
    "teams_user_id": st.one_of(st.just(""), cells),
    "start_date": st.one_of(st.sampled_from(["", "2024-01-05"]), cells),
    "asye_start": st.one_of(st.sampled_from(["", "2026-09-01"]), cells),
})


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def import_db(sqlite_url):
    from bot.storage import Database

    database = Database(sqlite_url)
    yield database
    database.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(staff_rows, max_size=8))
def test_every_row_is_imported_or_rejected_with_its_line_and_a_second_import_changes_nothing(import_db, rows):
    text = _csv(rows)
    session = import_db.sessions()
    try:
        report = import_staff(session, text)
        counted = report.added + report.updated + report.unchanged + len(report.rejected)
        assert counted == len(rows)
        physical_lines = text.count("\n")  # a quoted cell may hold a line break: lines are the file's own
        assert all(2 <= r.line <= physical_lines and r.reason for r in report.rejected)
        again = import_staff(session, text)
        assert again.added == 0 and again.updated == 0
        assert again.unchanged == report.added + report.updated + report.unchanged
    finally:
        session.rollback()
        session.close()
