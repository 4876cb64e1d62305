"""CLI commands of the decisions feature: add, capture, amend, list, show, note, mark-recorded, export, verify, purge.

The CLI is the operator's tool: without `--as STAFF_ID`, list/show/export see every decision (whoever can run
it can read the database anyway). With `--as`, the same permission rule as in chat applies.
"""

from __future__ import annotations

import json
import re

import click

from bot.cli import BadInput, Failure, get_app, lazy_module, parse_date
from handlers.errors import InvalidInput
from handlers.types import Request

feature = lazy_module("handlers.decisions")  # imported when a decisions command runs, not for every command

_OPTION_NAMES = {
    "case_ref": "--case",
    "type": "--type",
    "decision": "--decision",
    "rationale": "--rationale",
    "risk": "--risk",
    "child_voice": "--child-voice",
    "reason": "--reason",
}
_ACTION_FIELD = re.compile(r"^action(\d+)_(text|owner|due)$")


def _option_name(field: str) -> str:
    match = _ACTION_FIELD.match(field)
    if match:
        return f"--action {match.group(1)} ({match.group(2)})"
    return _OPTION_NAMES.get(field, field)


def _cli_error(exc: InvalidInput) -> BadInput:
    """The handler's field errors, named by the command-line options a user typed."""
    if not exc.errors:
        return BadInput(exc.message)
    parts = []
    for name, message in exc.errors.items():
        text = message[len(name) + 1 :].strip() if message.startswith(f"{name}:") else message
        parts.append(f"{_option_name(name)}: {text}")
    return BadInput("; ".join(parts))


def _action_values(actions: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for n, spec in enumerate(actions, start=1):
        pieces = spec.rsplit("|", 2)
        if len(pieces) != 3:
            raise BadInput(f"--action {n}: write it as \"TEXT|OWNER_ID|YYYY-MM-DD\"")
        values[f"action{n}_text"], values[f"action{n}_owner"], values[f"action{n}_due"] = (p.strip() for p in pieces)
    return values


def _print_view(view: feature.DecisionView, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(view.as_json(), ensure_ascii=False, indent=1))
    else:
        click.echo(feature.case_note(view))


def _store_and_show(app, request: Request, values, as_json: bool) -> None:
    """Validate and store one decision in one transaction (exit 2 naming each bad field), then show it."""
    try:
        with app.db.unit() as session:
            header = feature.store_decision(session, app.policy, request, values())
            view = feature.show_decision(session, app.policy, app.calendar, header.id, None, operator=True, tz=app.tz)
    except InvalidInput as exc:
        raise _cli_error(exc) from exc
    if as_json:
        _print_view(view, True)
    else:
        click.echo(feature.saved_reply(view, app.policy).plain_text())


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""

    @main.group("decisions")
    def decisions() -> None:
        """Oversight decisions: capture, amend (append-only), record on file, export, verify."""

    @decisions.command("add")
    @click.option("--case", "case_ref", required=True, help="Case reference number (never a child's name).")
    @click.option("--type", "kind", required=True, help="Decision type key or label, e.g. case_consultation.")
    @click.option("--decision", required=True)
    @click.option("--rationale", required=True)
    @click.option("--risk", default="", help="Risk considered.")
    @click.option("--child-voice", default="", help="The child's voice, or why it could not be sought.")
    @click.option("--action", "actions", multiple=True, metavar='"TEXT|OWNER_ID|YYYY-MM-DD"')
    @click.option("--by", "by", required=True, metavar="STAFF_ID", help="Who decided (the author).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def add(ctx, case_ref, kind, decision, rationale, risk, child_voice, actions, by, as_json) -> None:
        """Record a decision: one transaction, or nothing at all (exit 2) when any field is wrong."""
        app = get_app(ctx)
        values = {"case_ref": case_ref, "type": kind, "decision": decision, "rationale": rationale,
                  "risk": risk, "child_voice": child_voice, **_action_values(actions)}
        _store_and_show(app, Request(now=app.now(), platform="cli", staff_id=by), lambda: values, as_json)

    @decisions.command("capture")
    @click.argument("line")
    @click.option("--by", "by", required=True, metavar="STAFF_ID")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def capture(ctx, line, by, as_json) -> None:
        """Quick capture from one line: "LCS204815: step down to early help because risks reduced"."""
        app = get_app(ctx)
        request = Request(now=app.now(), platform="cli", staff_id=by, text=line)
        _store_and_show(app, request, lambda: feature.quick_capture_values(app.policy, line), as_json)

    @decisions.command("amend")
    @click.argument("decision_id")
    @click.option("--reason", required=True, help="Why the decision is amended (kept in its history).")
    @click.option("--decision", default=None)
    @click.option("--rationale", default=None)
    @click.option("--risk", default=None)
    @click.option("--child-voice", default=None)
    @click.option("--type", "kind", default=None)
    @click.option("--by", "by", required=True, metavar="STAFF_ID")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def amend(ctx, decision_id, reason, decision, rationale, risk, child_voice, kind, by, as_json) -> None:
        """Add an amended version; the original and every earlier version stay readable."""
        app = get_app(ctx)
        changes = {"decision": decision, "rationale": rationale, "risk": risk, "child_voice": child_voice, "type": kind}
        try:
            with app.db.unit() as session:
                header = feature.amend_decision(
                    session, app.policy, decision_id, by, app.now(), reason, {k: v for k, v in changes.items() if v is not None}
                )
                view = feature.show_decision(session, app.policy, app.calendar, header.id, None, operator=True, tz=app.tz)
        except InvalidInput as exc:
            raise _cli_error(exc) from exc
        if as_json:
            _print_view(view, True)
        else:
            click.echo(f"{view.id} amended: now version {view.current.version}. Record the change on {view.case_system} by {view.record_by.isoformat()}.")

    @decisions.command("list")
    @click.option("--as", "viewer", default=None, metavar="STAFF_ID", help="Only what this person may see.")
    @click.option("--case", "case_ref", default=None)
    @click.option("--unrecorded", is_flag=True, help="Only decisions not yet marked recorded on file.")
    @click.option("--since", default=None, metavar="D")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def list_(ctx, viewer, case_ref, unrecorded, since, as_json) -> None:
        """Decisions, oldest first (id, case, type, record-by date, recorded or not)."""
        app = get_app(ctx)
        since_day = parse_date(since, "--since") if since else None
        with app.db.unit() as session:
            views = feature.list_decisions(
                session, app.policy, app.calendar, viewer, admin_ids=app.settings.admin_ids, operator=viewer is None,
                since=since_day, case_reference=case_ref, unrecorded_only=unrecorded, tz=app.tz,
            )
        if as_json:
            click.echo(json.dumps([v.as_json() for v in views], ensure_ascii=False, indent=1))
            return
        for v in views:
            state = f"recorded on {v.current.recorded_system}" if v.recorded else f"record by {v.record_by.isoformat()}"
            click.echo(f"{v.id}  {v.case_reference}  {v.type_label}  v{v.current.version}  {v.decided_by}  {state}")
        if not views:
            click.echo("no decisions", err=True)

    @decisions.command("show")
    @click.argument("decision_id")
    @click.option("--as", "viewer", default=None, metavar="STAFF_ID")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def show(ctx, decision_id, viewer, as_json) -> None:
        """One decision with its history (JSON) or as its case note."""
        app = get_app(ctx)
        with app.db.unit() as session:
            view = feature.show_decision(
                session, app.policy, app.calendar, decision_id, viewer, admin_ids=app.settings.admin_ids,
                operator=viewer is None, tz=app.tz,
            )
        if as_json:
            _print_view(view, True)
            return
        click.echo(feature.case_note(view))
        click.echo("")
        click.echo("HISTORY:")
        for v in view.versions:
            click.echo(f"v{v.version} {v.at.isoformat(timespec='minutes')} {v.change} by {v.author_id}" + (f": {v.reason}" if v.reason else ""))

    @decisions.command("note")
    @click.argument("decision_id")
    @click.option("--as", "viewer", default=None, metavar="STAFF_ID")
    @click.pass_context
    def note(ctx, decision_id, viewer) -> None:
        """The paste-ready case note for the child's file."""
        app = get_app(ctx)
        with app.db.unit() as session:
            view = feature.show_decision(
                session, app.policy, app.calendar, decision_id, viewer, admin_ids=app.settings.admin_ids,
                operator=viewer is None, tz=app.tz,
            )
        click.echo(feature.case_note(view))

    @decisions.command("mark-recorded")
    @click.argument("decision_id")
    @click.option("--by", "by", default=None, metavar="STAFF_ID", help="Who recorded it (default: the author).")
    @click.option("--system", default=None, help="Case management system (default: the policy's, e.g. LCS).")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def mark_recorded(ctx, decision_id, by, system, as_json) -> None:
        """Mark a decision as recorded on the child's file; stops its reminders."""
        app = get_app(ctx)
        with app.db.unit() as session:
            header = feature.get_decision(session, decision_id)
            reply = feature.mark_recorded(
                session, header.id, by or header.author_id, app.now(), system or app.policy.decisions.case_system,
                admin_ids=app.settings.admin_ids,
            )
            view = feature.show_decision(session, app.policy, app.calendar, header.id, None, operator=True, tz=app.tz)
        if as_json:
            _print_view(view, True)
        else:
            click.echo(reply.plain_text())

    @decisions.command("export")
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
    @click.option("--since", default=None, metavar="D", help="Only decisions made or changed on or after D.")
    @click.option("--as", "viewer", default=None, metavar="STAFF_ID", help="Only what this person may see.")
    @click.pass_context
    def export(ctx, fmt, since, viewer) -> None:
        """Every decision with its full history: CSV for Excel (UTF-8 BOM, formulas neutralised) or JSON."""
        app = get_app(ctx)
        since_day = parse_date(since, "--since") if since else None
        with app.db.unit() as session:
            views = feature.list_decisions(
                session, app.policy, app.calendar, viewer, admin_ids=app.settings.admin_ids, operator=viewer is None,
                since=since_day, tz=app.tz,
            )
        text = feature.export_json(views) + "\n" if fmt == "json" else feature.export_csv(views)
        stream = click.get_binary_stream("stdout")  # bytes, so the CSV keeps its CRLF rows and BOM exactly
        stream.write(text.encode("utf-8"))
        stream.flush()
        click.echo(f"{len(views)} decisions exported", err=True)

    @decisions.command("verify")
    @click.pass_context
    def verify(ctx) -> None:
        """Recompute the hash chain of every decision; exit 1 naming each tampered decision and version."""
        app = get_app(ctx)
        with app.db.unit() as session:
            checked, problems = feature.verify_chain(session)
        for problem in problems:
            click.echo(f"tampered: {problem}", err=True)
        if problems:
            raise Failure(f"{len(problems)} problem(s) in the decision history")
        click.echo(f"ok: {checked} versions verified")

    @decisions.command("purge")
    @click.option("--date", "day", default=None, metavar="D", help="Today, for the retention rule (default: today).")
    @click.option("--yes", is_flag=True, help="Really delete; without it, only say how many would go.")
    @click.pass_context
    def purge(ctx, day, yes) -> None:
        """Delete decisions older than the policy's retention period (the only way anything is deleted)."""
        app = get_app(ctx)
        today = parse_date(day, "--date", app.today())
        years = app.policy.decisions.retention_years
        with app.db.unit() as session:
            count = feature.purge_expired_decisions(session, app.policy, today)
            if not yes:
                session.rollback()
        if yes:
            click.echo(f"{count} decisions older than {years} years deleted")
        else:
            click.echo(f"{count} decisions older than {years} years would be deleted; add --yes to delete them")
