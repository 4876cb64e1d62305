"""Public record functions (used by the chat adapters): validation, idempotence, nothing half-written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.storage.models.people import Absence, AwaitingReply, SupervisionSession
from handlers.absence import record_absence, record_absence_event
from handlers.errors import InvalidInput, NotFound
from handlers.replies import format_message_id, mark_message_answered, parse_message_id, track_message
from handlers.supervision import record_supervision

D = date.fromisoformat
TODAY = D("2026-11-23")


def test_record_supervision_defaults_to_the_line_manager(org):
    with org.unit() as s:
        row = record_supervision(s, "sw", D("2026-11-20"), TODAY, kind="welfare")
        assert (row.supervisor_id, row.kind, row.held_on) == ("tm", "welfare", D("2026-11-20"))
        assert row.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"staff_id": "nobody", "held_on": D("2026-11-20")}, "staff_id"),
        ({"staff_id": "sw", "held_on": D("2026-11-24")}, "date"),
        ({"staff_id": "sw", "held_on": D("2026-11-20"), "kind": "lunch"}, "kind"),
        ({"staff_id": "sw", "held_on": D("2026-11-20"), "supervisor_id": "sw"}, "by"),
        ({"staff_id": "sw", "held_on": D("2026-11-20"), "notes_recorded_on": D("2026-11-19")}, "notes_recorded"),
    ],
)
def test_record_supervision_rejects_bad_input(org, args, field):
    with pytest.raises(InvalidInput) as caught, org.unit() as s:
        record_supervision(s, today=TODAY, **args)
    assert caught.value.field == field
    with org.unit() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionSession)) == 0


def test_absence_recording_is_idempotent_and_refuses_overlaps(org):
    with org.unit() as s:
        first = record_absence(s, "sw", D("2026-11-16"), TODAY)
        again = record_absence(s, "sw", D("2026-11-16"), TODAY, returned_on=D("2026-11-20"))
        assert first.id == again.id and again.returned_on == D("2026-11-20")
    with pytest.raises(InvalidInput, match="already has an absence"), org.unit() as s:
        record_absence(s, "sw", D("2026-11-18"), TODAY)
    with pytest.raises(InvalidInput, match="after the first day"), org.unit() as s:
        record_absence(s, "sw2", D("2026-11-18"), TODAY, returned_on=D("2026-11-18"))
    with pytest.raises(InvalidInput, match="future"), org.unit() as s:
        record_absence(s, "sw2", D("2026-12-01"), TODAY)
    with org.unit() as s:
        assert s.scalar(select(func.count()).select_from(Absence)) == 1


def test_absence_events(org):
    with pytest.raises(NotFound, match="no recorded absence"), org.unit() as s:
        record_absence_event(s, "sw", "fit_note", D("2026-11-20"), TODAY)
    with org.unit() as s:
        record_absence(s, "sw", D("2026-11-16"), TODAY)
    with pytest.raises(InvalidInput, match="before the absence started"), org.unit() as s:
        record_absence_event(s, "sw", "update", D("2026-11-10"), TODAY)
    with pytest.raises(InvalidInput, match="event must be"), org.unit() as s:
        record_absence_event(s, "sw", "party", D("2026-11-20"), TODAY)
    with org.unit() as s:
        row = record_absence_event(s, "sw", "rtw_meeting", D("2026-11-23"), TODAY)
        assert (row.returned_on, row.rtw_meeting_on) == (D("2026-11-23"), D("2026-11-23"))


def test_messages_have_public_ids_and_answers_keep_the_first_date(org):
    with org.unit() as s:
        row = track_message(s, "sw", D("2026-11-19"), TODAY, sender="School")
        public = format_message_id(row.id)
    assert public.startswith("M-") and parse_message_id(public) == parse_message_id(public.lower().replace("-", ""))
    with pytest.raises(InvalidInput, match="cannot be answered before"), org.unit() as s:
        mark_message_answered(s, public, D("2026-11-18"))
    with org.unit() as s:
        mark_message_answered(s, public, D("2026-11-20"))
        mark_message_answered(s, public, D("2026-11-22"))
    with org.unit() as s:
        assert s.get(AwaitingReply, row.id).answered_on == D("2026-11-20")
    with pytest.raises(NotFound), org.unit() as s:
        mark_message_answered(s, "M-999999", D("2026-11-20"))
    with pytest.raises(InvalidInput, match="not a message id"), org.unit() as s:
        mark_message_answered(s, "hello", D("2026-11-20"))


def test_track_message_rejects_unknown_staff_and_future_dates(org):
    with pytest.raises(NotFound), org.unit() as s:
        track_message(s, "nobody", D("2026-11-19"), TODAY)
    with pytest.raises(InvalidInput, match="future"), org.unit() as s:
        track_message(s, "sw", D("2026-11-24"), TODAY)
    with pytest.raises(InvalidInput, match="before it was received"), org.unit() as s:
        track_message(s, "sw", D("2026-11-19"), TODAY, answered_on=D("2026-11-18"))
