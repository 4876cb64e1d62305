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
    """What the daily digest run would send on D (sends nothing), or --send to deliver D's digests now.

    Without --send: the items of the digests a run for D started now would send, after done, snoozed and
    repeat-capped items, paused digests, people who have left and digests already sent for D are taken
    out (nothing on weekends and bank holidays). After `--send` it lists only what is still unsent.
    """
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
    from scheduler.digests import DeliveryReport, would_send

    report = DeliveryReport(day=day)
    with app.db.unit() as session:
        found = would_send(session, app.policy, app.calendar, day, report=report)
        names = {}
        if not as_json and found:
            names = dict(session.execute(select(Staff.staff_id, Staff.name).where(Staff.staff_id.in_({n.recipient for n in found}))).all())
    if as_json:
        click.echo(json.dumps({"date": day.isoformat(), "nudges": [n.as_json() for n in found]}))
        return
    if not report.working_day:
        click.echo(f"{day:%A %d %B %Y} is not a working day: no digests are sent.")
        return
    click.echo(f"Digests for {day:%A %d %B %Y} (what the daily run would send; nothing is sent now):")
    click.echo(render_digest_text(found, names))
    notes = []
    if report.already_sent:
        notes.append(f"already sent today: {report.already_sent} digest(s)")
    if report.paused:
        notes.append(f"paused: {report.paused} digest(s)")
    if notes:
        click.echo("(" + "; ".join(notes) + ")")


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
    main.add_command(nudges)
