"""Administration commands: schema upgrades and configuration checks."""

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
