"""`standards-bot record ...`: supervision, absences and their steps, messages awaiting reply, reviews.

Every command validates first and stores in one unit of work: bad input exits 2 and stores nothing.
"""

from __future__ import annotations

import json

import click

from bot.cli import get_app, parse_date


@click.group()
def record() -> None:
    """Record something that happened (supervision held, absence, message awaiting reply, ...)."""


def _emit(as_json: bool, payload: dict, text: str) -> None:
    click.echo(json.dumps(payload) if as_json else text)


def _absence_json(absence) -> dict:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "id": absence.id,
        "staff_id": absence.staff_id,
        "start": iso(absence.started_on),
        "update": iso(absence.update_on),
        "fit_note": iso(absence.fit_note_on),
        "returned": iso(absence.returned_on),
        "rtw_meeting": iso(absence.rtw_meeting_on),
    }


_json_option = click.option("--json", "as_json", is_flag=True, help="Print the stored record as JSON on stdout.")


@record.command()
@click.argument("staff_id")
@click.option("--date", "date_", metavar="D", help="Day the session was held (default: today).")
@click.option("--kind", type=click.Choice(["case", "welfare", "group"]), default="case", show_default=True)
@click.option("--by", "by", metavar="STAFF_ID", help="Supervisor (default: the line manager).")
@click.option("--notes-recorded", metavar="D", help="Day the notes reached the file, if already.")
@_json_option
@click.pass_context
def supervision(ctx, staff_id, date_, kind, by, notes_recorded, as_json) -> None:
    """A supervision session held with STAFF_ID."""
    from handlers.rules import notes_due
    from handlers.supervision import record_supervision, supervision_due_for

    app = get_app(ctx)
    today = app.today()
    held = parse_date(date_, "--date", today)
    notes = parse_date(notes_recorded, "--notes-recorded") if notes_recorded else None
    with app.db.unit() as session:
        row = record_supervision(session, staff_id, held, today, kind=kind, supervisor_id=by, notes_recorded_on=notes)
        rec = app.policy.recording
        notes_by = notes_due(held, kind, rec.supervision_notes_working_days, rec.case_consultation_working_days, app.calendar)
        next_due = supervision_due_for(session, staff_id, app.policy, app.calendar, max(held, today))
        payload = {
            "id": row.id, "staff_id": staff_id, "date": held.isoformat(), "kind": kind,
            "supervisor_id": row.supervisor_id, "notes_due": notes_by.isoformat(),
            "next_due": next_due.isoformat() if next_due else None,
        }
    text = f"Recorded {kind} supervision of {staff_id} on {held.isoformat()}; notes due on file by {notes_by.isoformat()}"
    if next_due:
        text += f"; next supervision due by {next_due.isoformat()}"
    _emit(as_json, payload, text + ".")


@record.command(name="supervision-notes")
@click.argument("staff_id")
@click.option("--date", "date_", metavar="D", help="Day the notes reached the file (default: today).")
@_json_option
@click.pass_context
def supervision_notes(ctx, staff_id, date_, as_json) -> None:
    """The notes of STAFF_ID's supervision(s) are now on file."""
    from handlers.supervision import record_supervision_notes

    app = get_app(ctx)
    today = app.today()
    on = parse_date(date_, "--date", today)
    with app.db.unit() as session:
        rows = record_supervision_notes(session, staff_id, on, today)
        held = [row.held_on.isoformat() for row in rows]
    _emit(as_json, {"staff_id": staff_id, "date": on.isoformat(), "sessions": held},
          f"Notes of {len(held)} supervision(s) of {staff_id} recorded on {on.isoformat()}.")


@record.command()
@click.argument("staff_id")
@click.option("--start", metavar="D", required=True, help="First day of absence (day 1).")
@click.option("--returned", metavar="D", help="First day back at work.")
@_json_option
@click.pass_context
def absence(ctx, staff_id, start, returned, as_json) -> None:
    """An absence of STAFF_ID from --start (and the return, when known)."""
    from handlers.absence import record_absence

    app = get_app(ctx)
    today = app.today()
    started = parse_date(start, "--start")
    back = parse_date(returned, "--returned") if returned else None
    with app.db.unit() as session:
        row = record_absence(session, staff_id, started, today, returned_on=back)
        payload = _absence_json(row)
    text = f"Recorded absence of {staff_id} from {started.isoformat()}"
    text += f", back {back.isoformat()}." if back else "."
    _emit(as_json, payload, text)


def _absence_event(name: str, event: str, help_text: str):
    @record.command(name=name, help=help_text)
    @click.argument("staff_id")
    @click.option("--date", "date_", metavar="D", help="Day it happened (default: today).")
    @_json_option
    @click.pass_context
    def command(ctx, staff_id, date_, as_json) -> None:
        from handlers.absence import record_absence_event

        app = get_app(ctx)
        today = app.today()
        on = parse_date(date_, "--date", today)
        with app.db.unit() as session:
            row = record_absence_event(session, staff_id, event, on, today)
            payload = _absence_json(row)
        _emit(as_json, payload, f"Recorded {name.replace('-', ' ')} for {staff_id} on {on.isoformat()}.")

    return command


_absence_event("absence-update", "update", "The day-4 update from (or contact with) STAFF_ID during their absence.")
_absence_event("fit-note", "fit_note", "A fit note received from STAFF_ID for their current absence.")
_absence_event("returned", "returned", "STAFF_ID's first day back at work after their absence.")
_absence_event("return-to-work", "rtw_meeting", "The return-to-work meeting held with STAFF_ID (records the return too).")


@record.command()
@click.option("--to", "to", metavar="STAFF_ID", required=True, help="Who owes the reply.")
@click.option("--received", metavar="D", required=True, help="Day the message arrived.")
@click.option("--from", "sender", metavar="TEXT", help="Who sent it (a role or organisation; never a child's name).")
@click.option("--answered", metavar="D", help="Day it was answered, if already.")
@_json_option
@click.pass_context
def message(ctx, to, received, sender, answered, as_json) -> None:
    """A message that STAFF_ID must reply to (within the policy's working days)."""
    from handlers.replies import format_message_id, track_message
    from handlers.rules import reply_status

    app = get_app(ctx)
    today = app.today()
    got = parse_date(received, "--received")
    done = parse_date(answered, "--answered") if answered else None
    with app.db.unit() as session:
        row = track_message(session, to, got, today, sender=sender, answered_on=done)
        status = reply_status(got, done, today, app.policy.messages.reply_within_working_days, app.calendar)
        public_id = format_message_id(row.id)
    payload = {
        "id": public_id, "to": to, "received": got.isoformat(), "from": sender,
        "answered": done.isoformat() if done else None, "due": status.due.isoformat(), "late": status.late,
    }
    text = f"Tracking {public_id} for {to}: reply due by {status.due.isoformat()}."
    if done:
        text = f"Recorded {public_id} for {to}: answered {done.isoformat()} ({'late' if status.late else 'in time'}; due {status.due.isoformat()})."
    _emit(as_json, payload, text)


@record.command()
@click.argument("message_id")
@click.option("--date", "date_", metavar="D", help="Day it was answered (default: today).")
@_json_option
@click.pass_context
def answered(ctx, message_id, date_, as_json) -> None:
    """Mark MESSAGE_ID (M-000123) as answered."""
    from handlers.replies import format_message_id, mark_message_answered

    app = get_app(ctx)
    today = app.today()
    on = parse_date(date_, "--date", today)
    with app.db.unit() as session:
        row = mark_message_answered(session, message_id, on, today=today)
        public_id, when = format_message_id(row.id), row.answered_on
    _emit(as_json, {"id": public_id, "answered": when.isoformat()}, f"{public_id} answered on {when.isoformat()}.")


def _review(name: str, function: str, label: str, help_text: str):
    @record.command(name=name, help=help_text)
    @click.argument("staff_id")
    @click.option("--date", "date_", metavar="D", help="Day it happened (default: today).")
    @click.option("--by", "by", metavar="STAFF_ID", help="Who held it (default: the line manager).")
    @_json_option
    @click.pass_context
    def command(ctx, staff_id, date_, by, as_json) -> None:
        from handlers import supervision as feature
        from handlers.org import get_staff
        from handlers.rules import next_review_due

        app = get_app(ctx)
        today = app.today()
        on = parse_date(date_, "--date", today)
        with app.db.unit() as session:
            row = getattr(feature, function)(session, staff_id, on, today, by)
            staff = get_staff(session, staff_id)
            rules = getattr(app.policy, {"agreement": "agreements", "observation": "observations", "pdr": "appraisals"}[name])
            following = next_review_due(on, staff.start_date or on, rules, app.calendar)
            payload = {"id": row.id, "staff_id": staff_id, "date": on.isoformat(), "next_due": following.isoformat() if following else None}
        text = f"Recorded {label} for {staff_id} on {on.isoformat()}"
        _emit(as_json, payload, text + (f"; next due by {following.isoformat()}." if following else "."))

    return command


_review("agreement", "record_agreement", "supervision agreement", "A supervision agreement agreed or reviewed with STAFF_ID.")
_review("observation", "record_observation", "observation of practice", "An observation of STAFF_ID's practice.")
_review("pdr", "record_appraisal", "PDR (appraisal)", "A PDR / annual appraisal held with STAFF_ID.")


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
    main.add_command(record)

