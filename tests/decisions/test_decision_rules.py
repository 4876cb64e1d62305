"""Pure rules: case references, the one-line parser, deadlines, ids and CSV cells."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.calendar import WorkingCalendar
from handlers.decisions import (
    check_case_reference,
    excel_safe,
    parse_decision_id,
    parse_quick_capture,
    record_deadline,
    resolve_type,
)
from handlers.errors import InvalidInput
from handlers.policy import DecisionPolicy, load_policy

RULES = load_policy("default").decisions


@pytest.mark.parametrize("ref", ["LCS204815", "MOS-1234", "ab1234", "1234", "123456789012", "  LCS204815 "])
def test_contract_case_references_are_accepted(ref):
    assert check_case_reference(ref, RULES) == ref.strip()


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("", "required"),
        ("   ", "required"),
        ("Jayden Smith", "looks like a name"),
        ("jayden", "looks like a name"),
        ("Mary-Jane O'Neil", "looks like a name"),
        ("12/03/2015", "date of birth"),
        ("2015-03-12", "date of birth"),
        ("12.03.15", "date of birth"),
        ("12 March 2015", "date of birth"),
        ("DOB 120315", "date of birth"),
        ("LCS123", "not a case reference"),
        ("ABCDEF1234", "not a case reference"),
        ("1234567890123", "not a case reference"),
        ("LCS 204815", "not a case reference"),
        ("X" * 41, "at most 40"),
    ],
)
def test_bad_case_references_are_refused_with_a_reason_and_never_echoed(ref, says):
    with pytest.raises(InvalidInput) as caught:
        check_case_reference(ref, RULES)
    assert caught.value.field == "case_ref"
    assert says in caught.value.message
    if ref.strip() and len(ref) < 41:
        assert ref.strip() not in caught.value.message


def test_a_council_pattern_replaces_the_default_but_names_are_still_refused():
    mosaic = DecisionPolicy(case_reference_pattern=r"^\d{7}$", case_reference_hint="7 digits")
    assert check_case_reference("1234567", mosaic) == "1234567"
    with pytest.raises(InvalidInput, match="7 digits"):
        check_case_reference("LCS204815", mosaic)
    loose = DecisionPolicy(case_reference_pattern=r"^.+$")
    with pytest.raises(InvalidInput, match="looks like a name"):
        check_case_reference("Jayden Smith", loose)


def test_quick_capture_splits_reference_decision_and_rationale():
    parsed = parse_quick_capture("LCS204815: step down to early help because risks reduced and family engaging")
    assert parsed.case_ref == "LCS204815"
    assert parsed.decision == "step down to early help"
    assert parsed.rationale == "risks reduced and family engaging"
    assert parsed.type is None


def test_quick_capture_takes_an_optional_type_and_splits_at_the_first_because():
    parsed = parse_quick_capture("MOS-1234 [closure]: close because work complete because goals met: see plan")
    assert (parsed.case_ref, parsed.type) == ("MOS-1234", "closure")
    assert parsed.decision == "close"
    assert parsed.rationale == "work complete because goals met: see plan"


@pytest.mark.parametrize(
    ("line", "field"),
    [("no colon here because reasons", "line"), (": nothing before because x", "line"), ("LCS1234: no reason given", "rationale"), ("", "line")],
)
def test_quick_capture_errors_name_what_is_missing(line, field):
    with pytest.raises(InvalidInput) as caught:
        parse_quick_capture(line)
    assert caught.value.field == field


_refs = st.from_regex(r"\A(?:[A-Za-z]{2,5}-?\d{4,12}|\d{4,12})\Z")
_words = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs"), exclude_characters="\n\r"), min_size=1, max_size=60)


def _no_because(text: str) -> bool:
    return "because" not in text.lower() and text.strip() != ""


@given(ref=_refs, decision=_words.filter(_no_because), rationale=_words.filter(lambda t: t.strip() != ""))
def test_quick_capture_round_trips(ref, decision, rationale):
    parsed = parse_quick_capture(f"{ref}: {decision} because {rationale}")
    assert parsed.case_ref == ref
    assert parsed.decision == decision.strip()
    assert parsed.rationale == rationale.strip()
    assert check_case_reference(parsed.case_ref, RULES) == ref


@given(st.text(max_size=200))
def test_quick_capture_never_fails_except_with_invalid_input(line):
    try:
        parsed = parse_quick_capture(line)
    except InvalidInput as exc:
        assert exc.field in ("line", "rationale")
    else:
        assert ":" in line and parsed.case_ref


def test_recording_deadlines_follow_the_policy_in_working_days():
    cal = WorkingCalendar("ENG")
    consultation, supervision = RULES.type_for("case_consultation"), RULES.type_for("case_supervision")
    monday = date(2026, 11, 23)
    assert record_deadline(monday, consultation, cal) == date(2026, 11, 24)
    assert record_deadline(monday, supervision, cal) == date(2026, 11, 30)
    friday = date(2026, 11, 27)
    assert record_deadline(friday, consultation, cal) == date(2026, 11, 30)
    # Christmas Eve 2026 is a Thursday: 25th, Boxing Day (observed Monday 28th) and the weekend are closed.
    assert record_deadline(date(2026, 12, 24), consultation, cal) == date(2026, 12, 29)


def test_consultation_is_one_working_day_and_supervision_five_by_default():
    assert RULES.type_for("case_consultation").record_within_working_days == 1
    assert RULES.type_for("case_supervision").record_within_working_days == 5
    assert "NPT" in RULES.type_for("case_consultation").cite.document
    assert {t.key for t in RULES.types} >= {
        "allocation_direction", "case_supervision", "case_consultation", "change_of_direction", "step_up_down",
        "closure", "escalation", "no_further_action", "other",
    }


@pytest.mark.parametrize(("text", "key"), [("closure", "closure"), ("Case consultation", "case_consultation"), ("step down", "step_up_down"), ("No further action", "no_further_action")])
def test_types_resolve_from_key_or_label(text, key):
    assert resolve_type(RULES, text).key == key


def test_an_unknown_type_lists_the_choices():
    with pytest.raises(InvalidInput, match="case_consultation") as caught:
        resolve_type(RULES, "lunch")
    assert caught.value.field == "type"


@pytest.mark.parametrize(("text", "pk"), [("D-000123", 123), ("D-123", 123), ("123", 123), ("d000007", 7)])
def test_decision_ids_parse(text, pk):
    assert parse_decision_id(text) == pk


def test_a_bad_decision_id_is_invalid_input():
    with pytest.raises(InvalidInput):
        parse_decision_id("X-12")


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_formula_cells_are_neutralised(cell):
    assert excel_safe(cell) == "'" + cell


def test_ordinary_cells_are_left_alone():
    assert excel_safe("Step down") == "Step down"
    assert excel_safe(3) == 3


@pytest.mark.parametrize("bad", [{"case_reference_pattern": "("}, {"quick_capture_type": "lunch"}])
def test_a_broken_decisions_policy_is_refused_on_load(bad):
    with pytest.raises(ValueError):
        DecisionPolicy(**bad)


@pytest.mark.parametrize(("profile", "system"), [("default", "LCS"), ("sefton", "LCS"), ("wscc", "Mosaic"), ("npt", "SSIS")])
def test_each_profile_names_its_case_system(profile, system):
    assert load_policy(profile).decisions.case_system == system
