"""`standards-bot nudges [--date D] [--json]` (what the daily run would send) and `nudges --send`."""

from __future__ import annotations

import json

import click

from bot.cli import Failure, get_app, parse_date


def render_digest_text(nudges, names: dict[str, str]) -> str:
    """Nudges grouped per recipient, as a person would read them."""
    if not nudges:
        return "No nudges."
    from handlers.nudges import nudges_by_recipient

    lines: list[str] = []
    for recipient, items in nudges_by_recipient(nudges).items():
        lines.append(f"{names.get(recipient, recipient)} ({recipient}): {len(items)} item(s)")
        for nudge in items:
            lines.append(f"  - [{nudge.kind}] {nudge.detail}")
        lines.append("")
    return "\n".join(lines).rstrip()


@click.command()
@click.option("--date", "date_", metavar="D", help="The day (default: today in TZ_NAME).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--send", is_flag=True, help="Deliver D's digests now (a second run for D sends nothing new).")
@click.pass_context
def nudges(ctx: click.Context, date_: str | None, as_json: bool, send: bool) -> None:
    """Every nudge due on D, per recipient; sends nothing unless --send."""
    app = get_app(ctx)
    day = parse_date(date_, "--date", app.today())
    if send:
        try:
            from scheduler.digests import deliver_day
        except ImportError:
            raise Failure("digest delivery is not available in this build (scheduler.digests.deliver_day)") from None
        click.echo(str(deliver_day(app, day)))
        return
    from sqlalchemy import select

    from bot.storage.models import Staff
    from handlers.nudges import nudges_for_day

    with app.db.unit() as session:
        found = nudges_for_day(session, app.policy, app.calendar, day)
        names = {}
        if not as_json and found:
            names = dict(session.execute(select(Staff.staff_id, Staff.name).where(Staff.staff_id.in_({n.recipient for n in found}))).all())
    if as_json:
        click.echo(json.dumps({"date": day.isoformat(), "nudges": [n.as_json() for n in found]}))
    else:
        click.echo(f"Nudges for {day:%A %d %B %Y}:")
        click.echo(render_digest_text(found, names))


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
    main.add_command(nudges)
