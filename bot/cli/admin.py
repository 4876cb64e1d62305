"""Administration commands: schema, configuration checks, and information governance (export, purge, erase)."""

from __future__ import annotations

import json

import click


def register(main: click.Group) -> None:
    """Add `standards-bot admin ...` to the group."""
    main.add_command(admin)


@click.group()
def admin() -> None:
    """Administer the deployment (database schema, configuration)."""


@admin.command("upgrade")
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Upgrade the database schema to the latest version (the Procfile's release step)."""
    from bot.cli import get_app

    app = get_app(ctx)
    version = app.db.schema_version()
    click.echo(f"database schema at {version}")


@admin.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Check configuration and database connectivity."""
    from bot.cli import Failure, get_app

    app = get_app(ctx)
    report = {"policy": app.policy.name, "timezone": app.settings.tz_name, "nation": app.policy.nation}
    try:
        app.db.ping()
        report["database"] = "ok"
        report["schema"] = app.db.schema_version()
    except Exception as exc:  # noqa: BLE001
        report["database"] = f"unreachable: {type(exc).__name__}"
    report["slack"] = "configured" if app.settings.slack_enabled else "not configured"
    report["teams"] = "emulator mode" if app.settings.teams_emulator_mode else "credentials set"
    report["scheduler"] = "enabled" if app.settings.scheduler_enabled else "disabled (SCHEDULER_ENABLED=false)"
    if as_json:
        click.echo(json.dumps(report))
    else:
        for key, value in report.items():
            click.echo(f"{key}: {value}")
    if report["database"] != "ok":
        raise Failure("database unreachable")


@admin.command("erase")
@click.argument("staff_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def erase(ctx: click.Context, staff_id: str, yes: bool) -> None:
    """Erase one person's personal data (GDPR request); their records stay, pseudonymised."""
    from bot.cli import get_app
    from handlers.org import erase_personal_data

    app = get_app(ctx)
    if not yes:
        click.confirm(f"Pseudonymise staff member {staff_id}? This cannot be undone", abort=True, err=True)
    with app.db.unit() as session:
        staff = erase_personal_data(session, staff_id, app.today())
        click.echo(f"{staff.staff_id}: personal data erased; records kept under {staff.name!r}")


@admin.command("schema")
@click.pass_context
def schema(ctx: click.Context) -> None:
    """Show the database schema version."""
    from bot.cli import get_app

    click.echo(get_app(ctx).db.schema_version() or "empty")


@admin.command("export")
@click.option("--staff", "staff_id", default=None, metavar="ID", help="Only what is held about one person (subject access).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="Write to FILE instead of stdout.")
@click.pass_context
def export(ctx: click.Context, staff_id: str | None, out: str | None) -> None:
    """Export the organisation's data as JSON (for an information-governance request), or one person's."""
    from bot.cli import get_app
    from handlers.org import export_organisation, export_staff_data

    app = get_app(ctx)
    with app.db.unit() as session:  # an unknown --staff id is NotFound: exit 2 naming it
        tables = export_staff_data(session, staff_id) if staff_id is not None else export_organisation(session)
    document = {
        "exported_at": app.now().isoformat(),
        "schema": app.db.schema_version(),
        "scope": {"staff_id": staff_id} if staff_id is not None else {"organisation": True},
        "tables": tables,
    }
    text = json.dumps(document, indent=1, sort_keys=True)
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        click.echo(f"exported {sum(len(rows) for rows in tables.values())} rows from {len(tables)} tables to {out}", err=True)
    else:
        click.echo(text)


@admin.command("purge")
@click.option("--yes", is_flag=True, help="Delete for real (the default is a dry run that changes nothing).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def purge(ctx: click.Context, yes: bool, as_json: bool) -> None:
    """Apply the retention rules of the policy (decisions, knowledge-gap questions); a dry run unless --yes."""
    from bot.cli import get_app
    from handlers.org import purge_by_retention

    app = get_app(ctx)
    session = app.db.sessions()
    try:
        counts = purge_by_retention(session, app.policy, app.now())
        if yes:
            session.commit()
        else:
            session.rollback()  # the same code path, undone: the counts are exactly what --yes would remove
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    if as_json:
        click.echo(json.dumps({"applied": yes, **counts}))
        return
    verb = "deleted" if yes else "would delete"
    click.echo(
        f"{verb}: {counts['decisions']} decision(s) past {app.policy.decisions.retention_years} years; "
        f"{counts['knowledge_gaps']} knowledge-gap question(s) and {counts['feedback_questions']} vote question(s) "
        f"older than {app.policy.knowledge.gap_retention_days} days"
    )
    if not yes:
        click.echo("dry run: nothing changed (add --yes to apply)", err=True)
