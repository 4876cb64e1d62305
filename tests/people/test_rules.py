"""Table-driven tests of the pure due-date rules: no database, no clock."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from handlers.calendar import WorkingCalendar, local_today
from handlers.policy import load_policy
from handlers.rules import (
    absence_day,
    absence_steps_outstanding,
    add_interval,
    add_months,
    escalates,
    is_absent,
    next_review_due,
    next_supervision_due,
    notes_due,
    reply_status,
    supervision_interval,
    within_notice,
)

ENG = WorkingCalendar("ENG")
SCT = WorkingCalendar("SCT")
DEFAULT = load_policy("default")
NPT = load_policy("npt")
D = date.fromisoformat


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),  # month end clamps
        ("2028-01-31", 1, "2028-02-29"),  # leap year
        ("2028-02-29", 12, "2029-02-28"),  # leap day a year on
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-12-31", 1, "2027-01-31"),  # year rollover
        ("2026-11-15", 3, "2027-02-15"),
        ("2026-05-15", -1, "2026-04-15"),
    ],
)
def test_add_months_clamps_to_the_end_of_shorter_months(start, months, expected):
    assert add_months(D(start), months) == D(expected)


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        ("monthly", "2026-02-28"),
        ("weekly", "2026-02-07"),
        ("fortnightly", "2026-02-14"),
        ("every 28 days", "2026-02-28"),
        ("every 6 months", "2026-07-31"),
        ("annually", "2027-01-31"),
        ("every 2 weeks", "2026-02-14"),
        ("none", None),
    ],
)
def test_add_interval_understands_every_policy_interval(interval, expected):
    assert add_interval(D("2026-01-31"), interval) == (D(expected) if expected else None)


@pytest.mark.parametrize(
    ("last", "expected", "why"),
    [
        ("2026-01-15", "2026-02-13", "15 Feb 2026 is a Sunday: due the Friday before"),
        ("2026-01-31", "2026-02-27", "31 Jan + 1 month = 28 Feb (Saturday) -> Fri 27 Feb"),
        ("2028-01-31", "2028-02-29", "leap year: 29 Feb 2028 is a Tuesday"),
        ("2026-11-25", "2026-12-24", "25 Dec is Christmas Day: due Thursday 24 Dec"),
        ("2026-11-28", "2026-12-24", "a session recorded on a Saturday: 28 Dec is Boxing Day (observed)"),
        ("2026-03-04", "2026-04-02", "4 Apr 2026 is Easter Saturday, 3 Apr Good Friday: due Thursday 2 Apr"),
        ("2026-02-27", "2026-03-27", "the BST change on 29 Mar does not move a date"),
        ("2026-09-25", "2026-10-23", "25 Oct (clocks go back) is a Sunday: due Friday 23 Oct"),
    ],
)
def test_monthly_supervision_is_due_on_the_last_working_day_by_the_same_date_next_month(last, expected, why):
    due = next_supervision_due("social_worker", None, D(last), D("2020-01-01"), DEFAULT.supervision, ENG)
    assert due == D(expected), why


def test_npt_supervision_is_every_28_days():
    assert next_supervision_due("social_worker", None, D("2026-11-02"), D("2020-01-01"), NPT.supervision, ENG) == D("2026-11-30")
    # 28 days after Fri 31 Jul 2026 is Fri 28 Aug; a session on Mon 3 Aug -> 31 Aug is the English bank holiday
    assert next_supervision_due("social_worker", None, D("2026-08-03"), D("2020-01-01"), NPT.supervision, ENG) == D("2026-08-28")
    # ... but not a Scottish one
    assert next_supervision_due("social_worker", None, D("2026-08-03"), D("2020-01-01"), NPT.supervision, SCT) == D("2026-08-31")


ASYE = D("2026-09-07")


@pytest.mark.parametrize(
    ("last", "expected", "phase"),
    [
        (None, "2026-09-14", "weekly from the ASYE start when never supervised"),
        ("2026-09-14", "2026-09-21", "weekly"),
        ("2026-12-04", "2026-12-11", "last weekly session before the 3-month point (7 Dec) keeps the weekly interval"),
        ("2026-12-07", "2026-12-21", "from the 3-month point: fortnightly"),
        ("2027-03-05", "2027-03-19", "fortnightly until 6 months (7 Mar)"),
        ("2027-03-08", "2027-04-08", "after 6 months: monthly"),
    ],
)
def test_newly_qualified_worker_is_supervised_weekly_then_fortnightly_then_monthly(last, expected, phase):
    due = next_supervision_due("nqsw", ASYE, D(last) if last else None, D("2026-09-01"), DEFAULT.supervision, ENG)
    assert due == D(expected), phase


def test_supervision_interval_depends_on_role_and_phase():
    rules = DEFAULT.supervision
    assert supervision_interval("nqsw", ASYE, D("2026-10-01"), rules) == "weekly"
    assert supervision_interval("nqsw", ASYE, D("2027-01-01"), rules) == "fortnightly"
    assert supervision_interval("nqsw", ASYE, D("2027-06-01"), rules) == "monthly"
    assert supervision_interval("nqsw", None, D("2026-10-01"), rules) == "monthly"  # no ASYE start recorded
    assert supervision_interval("team_manager", None, D("2026-10-01"), rules) == "monthly"
    assert supervision_interval("other", None, D("2026-10-01"), rules) == "none"
    assert next_supervision_due("other", None, None, D("2026-01-01"), rules, ENG) is None


def test_never_supervised_counts_from_joining():
    assert next_supervision_due("social_worker", None, None, D("2026-10-12"), DEFAULT.supervision, ENG) == D("2026-11-12")


@pytest.mark.parametrize(
    ("held", "kind", "expected"),
    [
        ("2026-11-23", "supervision", "2026-11-30"),  # Mon + 5 working days
        ("2026-11-21", "supervision", "2026-11-27"),  # held on a Saturday: counts from Monday
        ("2026-12-21", "supervision", "2026-12-30"),  # Christmas, Boxing Day (observed) skipped
        ("2026-11-27", "consultation", "2026-11-30"),  # Friday consultation: next working day
        ("2026-04-02", "consultation", "2026-04-07"),  # Easter
    ],
)
def test_notes_are_due_in_working_days(held, kind, expected):
    assert notes_due(D(held), kind, 5, 1, ENG) == D(expected)


@pytest.mark.parametrize(
    ("received", "answered", "today", "due", "answered_flag", "late"),
    [
        ("2026-11-23", None, "2026-11-24", "2026-11-25", False, False),
        ("2026-11-23", None, "2026-11-26", "2026-11-25", False, True),
        ("2026-11-20", None, "2026-11-24", "2026-11-24", False, False),  # Friday -> Tuesday
        ("2026-11-21", None, "2026-11-24", "2026-11-24", False, False),  # Saturday counts from Monday
        ("2026-12-23", None, "2026-12-29", "2026-12-29", False, False),  # over Christmas
        ("2026-11-23", "2026-11-25", "2026-11-30", "2026-11-25", True, False),  # answered on the due day
        ("2026-11-23", "2026-11-27", "2026-11-30", "2026-11-25", True, True),  # answered late
        ("2026-11-23", "2026-11-27", "2026-11-26", "2026-11-25", False, True),  # answered after `today`: not yet
    ],
)
def test_reply_status(received, answered, today, due, answered_flag, late):
    status = reply_status(D(received), D(answered) if answered else None, D(today), 2, ENG)
    assert (status.due, status.answered, status.late) == (D(due), answered_flag, late)


def test_absence_day_n_counts_the_first_day_as_day_1():
    assert absence_day(D("2026-11-16"), 1) == D("2026-11-16")
    assert absence_day(D("2026-11-16"), 4) == D("2026-11-19")
    assert absence_day(D("2026-11-16"), 8) == D("2026-11-23")
    assert absence_day(D("2028-02-27"), 4) == D("2028-03-01")  # across a leap day


def _steps(start, today, update=None, fit=None, back=None, rtw=None):
    found = absence_steps_outstanding(
        D(start), D(update) if update else None, D(fit) if fit else None, D(back) if back else None,
        D(rtw) if rtw else None, D(today), DEFAULT.absence,
    )
    return [(s.key, s.due.isoformat()) for s in found]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"start": "2026-11-16", "today": "2026-11-16"}, [("contact", "2026-11-16")]),
        ({"start": "2026-11-16", "today": "2026-11-17"}, []),
        ({"start": "2026-11-16", "today": "2026-11-19"}, [("update", "2026-11-19")]),
        ({"start": "2026-11-16", "today": "2026-11-19", "update": "2026-11-19"}, []),
        ({"start": "2026-11-16", "today": "2026-11-23"}, [("update", "2026-11-19"), ("fit_note", "2026-11-23")]),
        ({"start": "2026-11-16", "today": "2026-11-23", "update": "2026-11-18", "fit": "2026-11-20"}, []),
        # returned on day 3: no day-4 update, no fit note, a return-to-work meeting on the day back
        ({"start": "2026-11-16", "today": "2026-11-18", "back": "2026-11-18"}, [("rtw_meeting", "2026-11-18")]),
        ({"start": "2026-11-16", "today": "2026-11-20", "back": "2026-11-18"}, [("rtw_meeting", "2026-11-18")]),
        ({"start": "2026-11-16", "today": "2026-11-20", "back": "2026-11-18", "rtw": "2026-11-18"}, []),
        # a return recorded in advance does not count until the day comes
        ({"start": "2026-11-16", "today": "2026-11-19", "back": "2026-11-25"}, [("update", "2026-11-19")]),
        # back on day 5 without a day-4 update: only the meeting is left
        ({"start": "2026-11-16", "today": "2026-11-23", "back": "2026-11-20"}, [("rtw_meeting", "2026-11-20")]),
        # reminders about the return stop after follow_up_days (30)
        ({"start": "2026-10-01", "today": "2026-11-20", "back": "2026-10-05"}, []),
    ],
)
def test_absence_steps(kwargs, expected):
    assert _steps(**kwargs) == expected


def test_is_absent_until_the_day_before_the_return():
    assert is_absent(D("2026-11-16"), D("2026-11-20"), D("2026-11-19"))
    assert not is_absent(D("2026-11-16"), D("2026-11-20"), D("2026-11-20"))
    assert is_absent(D("2026-11-16"), None, D("2027-01-01"))
    assert not is_absent(D("2026-11-16"), None, D("2026-11-15"))


@pytest.mark.parametrize(
    ("last", "policy", "expected"),
    [
        ("2025-11-24", "default", "2026-11-24"),  # annual
        ("2026-02-28", "npt-agreements", "2026-08-28"),  # NPT: every six months
        ("2024-02-29", "default", "2025-02-28"),  # leap day + a year
    ],
)
def test_agreement_reviews(last, policy, expected):
    rules = NPT.agreements if policy == "npt-agreements" else DEFAULT.agreements
    assert next_review_due(D(last), D("2020-01-01"), rules, ENG) == D(expected)


@pytest.mark.parametrize(
    ("last", "joined", "expected", "why"),
    [
        ("2026-05-10", "2020-01-01", "2027-08-31", "PDR in the 2026/27 cycle: next by 31 Aug 2027"),
        ("2026-09-15", "2020-01-01", "2027-08-31", "held late in the cycle still counts for 2026/27"),
        ("2026-02-10", "2020-01-01", "2026-08-28", "2025/26 cycle: next by 31 Aug 2026, a bank holiday -> Fri 28 Aug"),
        (None, "2026-10-01", "2027-08-31", "new staff: first PDR after six months' probation, by the next 31 Aug"),
        (None, "2026-01-15", "2026-08-28", "probation ends 15 Jul 2026: by 31 Aug 2026 (bank holiday)"),
    ],
)
def test_npt_pdr_is_due_by_31_august(last, joined, expected, why):
    due = next_review_due(D(last) if last else None, D(joined), NPT.appraisals, ENG)
    assert due == D(expected), why


def test_default_pdr_and_observation_are_annual():
    assert next_review_due(D("2025-12-01"), D("2020-01-01"), DEFAULT.appraisals, ENG) == D("2026-12-01")
    assert next_review_due(None, D("2026-03-02"), DEFAULT.observations, ENG) == D("2027-03-02")


@pytest.mark.parametrize(
    ("due", "today", "n", "expected"),
    [
        ("2026-11-20", "2026-11-27", 5, True),
        ("2026-11-20", "2026-11-26", 5, False),
        ("2026-12-22", "2026-12-31", 5, True),  # 23, 24, 29, 30, 31
        ("2026-12-22", "2026-12-30", 5, False),
        ("2026-11-20", "2026-11-20", 1, False),
    ],
)
def test_escalation_counts_working_days_overdue(due, today, n, expected):
    assert escalates(D(due), D(today), n, ENG) is expected


@pytest.mark.parametrize(
    ("due", "today", "n", "expected"),
    [
        ("2026-11-27", "2026-11-24", 3, True),
        ("2026-11-27", "2026-11-23", 3, False),
        ("2026-11-30", "2026-11-25", 3, True),  # the weekend does not count
        ("2026-11-20", "2026-11-25", 0, True),  # overdue is always in view
        ("2026-11-25", "2026-11-24", 0, False),
    ],
)
def test_reminder_window_in_working_days(due, today, n, expected):
    assert within_notice(D(due), D(today), n, ENG) is expected


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc), "2026-07-01"),  # BST: already tomorrow in London
        (datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc), "2026-12-31"),  # GMT
        (datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc), "2026-03-29"),  # the night the clocks go forward
        (datetime(2026, 10, 24, 23, 30, tzinfo=timezone.utc), "2026-10-25"),  # the night they go back
    ],
)
def test_today_is_taken_in_the_organisation_time_zone(utc, expected):
    assert local_today(utc, ZoneInfo("Europe/London")) == D(expected)


def test_a_change_of_supervisor_brings_the_agreement_review_forward():
    from handlers.rules import agreement_review_due

    rules = DEFAULT.agreements
    same = agreement_review_due(D("2026-06-01"), "tm", "tm", D("2026-11-02"), D("2020-01-01"), rules, ENG)
    assert same == D("2027-06-01")
    changed = agreement_review_due(D("2026-06-01"), "tm", "tm2", D("2026-11-02"), D("2020-01-01"), rules, ENG)
    assert changed == D("2026-12-02")  # within a month of the change
    # an agreement made with the new supervisor after the change resets it
    assert agreement_review_due(D("2026-11-10"), "tm2", "tm2", D("2026-11-02"), D("2020-01-01"), rules, ENG) == D("2027-11-10")
