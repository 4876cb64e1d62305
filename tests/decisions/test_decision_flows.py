"""The chat flows adapters call: the form, submitting it, quick capture, the case note and its button."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.decisions import (
    FORM_ID,
    MARK_RECORDED_ACTION,
    case_note,
    decision_form,
    decision_reply,
    decisions_to_record,
    list_decisions,
    mark_recorded,
    quick_capture,
    show_decision,
    submit_decision,
)
from handlers.errors import InvalidInput
from handlers.types import Actions, Request

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London"))


def _request(by="tm"):
    return Request(now=MONDAY, platform="slack", staff_id=by)


def test_the_form_has_the_contract_field_names(policy):
    form = decision_form(policy, prefill={"case_ref": "LCS204815"})
    names = [f.name for f in form.fields]
    assert form.form_id == FORM_ID
    assert names[:6] == ["case_ref", "type", "decision", "rationale", "risk", "child_voice"]
    for n in range(1, 6):
        assert {f"action{n}_text", f"action{n}_owner", f"action{n}_due"} <= set(names)
    kinds = {f.name: f.kind for f in form.fields}
    assert (kinds["type"], kinds["action1_owner"], kinds["action1_due"]) == ("select", "staff", "date")
    assert form.fields[0].initial == "LCS204815"
    assert "closure" in [o.value for o in form.fields[1].options]


def test_submitting_the_form_replies_with_the_case_note_and_the_mark_recorded_button(org, policy, calendar, values):
    with org.unit() as s:
        reply = submit_decision(s, policy, calendar, _request(), values(action1_text="Visit", action1_owner="sw", action1_due="2026-11-30"))
    (actions,) = [p for p in reply.parts if isinstance(p, Actions)]
    (button,) = actions.buttons
    assert (button.label, button.action_id) == ("Mark recorded on file", MARK_RECORDED_ACTION)
    assert button.value.startswith("D-")
    text = reply.plain_text()
    assert "MANAGEMENT OVERSIGHT DECISION RECORD" in text and "Case reference: LCS204815" in text
    assert "1. Visit | Who: Sam Worker | By: 30/11/2026" in text
    assert "Tue 24 Nov 2026" in text  # one working day for a case consultation


def test_a_bad_form_raises_every_error_under_the_form_field_names(org, policy, calendar, values):
    with pytest.raises(InvalidInput) as caught, org.unit() as s:
        submit_decision(s, policy, calendar, _request(), values(case_ref="Jayden Smith", rationale="", action3_owner="sw"))
    form_names = {f.name for f in decision_form(policy).fields}
    assert set(caught.value.errors) == {"case_ref", "rationale", "action3_text", "action3_due"}
    assert set(caught.value.errors) <= form_names
    assert "Jayden" not in caught.value.message


def test_quick_capture_stores_a_case_consultation(org, policy, calendar):
    with org.unit() as s:
        reply = quick_capture(s, policy, calendar, _request(), "LCS204815: step down to early help because risks reduced and family engaging")
    decision_id = reply.parts[-1].buttons[0].value
    with org.unit() as s:
        view = show_decision(s, policy, calendar, decision_id, "tm")
    assert (view.case_reference, view.type, view.current.decision, view.current.rationale) == (
        "LCS204815", "case_consultation", "step down to early help", "risks reduced and family engaging",
    )


def test_quick_capture_refuses_a_name_and_stores_nothing(org, policy, calendar):
    with pytest.raises(InvalidInput) as caught, org.unit() as s:
        quick_capture(s, policy, calendar, _request(), "Jayden Smith: close because safe")
    assert "case_ref" in caught.value.errors
    with org.unit() as s:
        assert list_decisions(s, policy, calendar, "tm") == []


def test_the_case_note_shows_amendments_and_the_reply_drops_the_button_once_recorded(org, policy, calendar, add):
    pk = add()
    with org.unit() as s:
        mark_recorded(s, pk, "tm", MONDAY, "Mosaic")
        view = show_decision(s, policy, calendar, pk, "tm")
    note = case_note(view)
    assert "Recorded on Mosaic on 23/11/2026 by tm." in note
    assert not any(isinstance(p, Actions) for p in decision_reply(view).parts)
    assert decisions_to_record([view], MONDAY.date()).parts[0].items == ()
