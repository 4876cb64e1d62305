"""`standards-bot import staff FILE.csv`: upsert the organisation chart.

Exit codes: 0 when every row imported; 2 when any row was rejected (the good rows are still imported,
each rejected row is reported on stderr with its line number and reason) or the file cannot be used.
"""

from __future__ import annotations

import json

import click

from bot.cli import BadInput, get_app


@click.group(name="import")
def import_group() -> None:
    """Import data from files."""


@import_group.command(name="staff")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the counts and rejected rows as JSON on stdout.")
@click.pass_context
def import_staff_command(ctx: click.Context, file: str, as_json: bool) -> None:
    """Upsert staff from FILE.csv (header row; columns staff_id, name, email, role, team, manager_id,
    slack_user_id, teams_user_id, start_date, asye_start). Exit 2 if any row was rejected."""
    from handlers.staff import import_staff

    app = get_app(ctx)
    try:
        with click.open_file(file, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise BadInput(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{file} is not UTF-8 text (save the CSV as UTF-8)") from None
    with app.db.unit() as session:
        report = import_staff(session, text)
    for rejection in report.rejected:
        click.echo(f"rejected {rejection}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_json()))
    else:
        click.echo(f"{file}: {report}")
    if report.rejected:
        ctx.exit(2)


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
    main.add_command(import_group)
