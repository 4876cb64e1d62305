"""CLI commands of the agenda feature: the agenda prompt, team meeting set-up, items, actions, digest settings."""

from __future__ import annotations

import json

import click


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
    main.add_command(agenda)
    main.add_command(team_meeting)
    main.add_command(digest_settings)


@click.command()
@click.argument("team")
@click.option("--date", "date_", metavar="D", help="Show the agenda of the next meeting on or after D (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_context
def agenda(ctx: click.Context, team: str, date_: str | None, as_json: bool) -> None:
    """The team-meeting agenda prompt that would be posted for TEAM's next meeting; sends nothing."""
    from bot.cli import get_app, parse_date
    from handlers.agenda import build_agenda, render_agenda
    from scheduler.digests import nudges_from_rules

    app = get_app(ctx)
    day = parse_date(date_, "--date", app.today())
    with app.db.unit() as session:
        from handlers.agenda import get_team

        get_team(session, team)
        nudges = nudges_from_rules(session, app.policy, app.calendar, day)
        built = build_agenda(session, team, day, app.policy, app.calendar, nudges)
    if as_json:
        click.echo(json.dumps(built.as_json(), indent=2))
        return
    where = f"{built.platform} channel {built.channel}" if built.channel else "no channel set (see `team-meeting set`)"
    click.echo(f"Posted on {built.post_on.isoformat()} to {where}", err=True)
    click.echo(render_agenda(built).plain_text())


@click.group("team-meeting")
def team_meeting() -> None:
    """Configure a team's meeting (channel, day, time) and add agenda items and actions."""


@team_meeting.command("set")
@click.argument("team")
@click.option("--channel", help="Slack channel id (C…) or Teams channel conversation id.")
@click.option("--platform", type=click.Choice(["slack", "teams"]), help="Default: slack for C…/G… ids, else teams.")
@click.option("--day", help="Meeting weekday, e.g. tuesday.")
@click.option("--time", "time_", metavar="HH:MM", help="Meeting time in TZ_NAME.")
@click.option("--every", type=click.Choice(["weekly", "monthly"]), help="weekly, or monthly (first such weekday).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def set_meeting(ctx, team, channel, platform, day, time_, every, as_json) -> None:
    """Create or change TEAM's meeting; with no options, show it."""
    from bot.cli import get_app
    from handlers.agenda import WEEKDAYS, configure_meeting, get_team
    from bot.storage.models.scheduler import TeamMeeting

    app = get_app(ctx)
    with app.db.unit() as session:
        if any(v is not None for v in (channel, platform, day, time_, every)):
            meeting = configure_meeting(
                session, team, app.policy, channel=channel, platform=platform, day=day, time=time_, cadence=every
            )
        else:
            get_team(session, team)
            meeting = session.get(TeamMeeting, team)
        shown = (
            {
                "team": meeting.team_id,
                "platform": meeting.platform,
                "channel": meeting.channel,
                "day": WEEKDAYS[meeting.weekday],
                "time": meeting.meeting_time,
                "every": meeting.cadence,
            }
            if meeting
            else None
        )
    if as_json:
        click.echo(json.dumps(shown))
    elif shown is None:
        click.echo(f"{team}: no meeting set; use --channel, --day and --time")
    else:
        click.echo(f"{team}: {shown['every']} on {shown['day']} at {shown['time']}, {shown['platform']} channel {shown['channel']}")


@team_meeting.command("add-item")
@click.argument("team")
@click.argument("text")
@click.option("--date", "date_", metavar="D", help="Meeting date (default: the next meeting).")
@click.option("--by", "by", metavar="STAFF_ID", help="Who added it.")
@click.pass_context
def add_item(ctx, team, text, date_, by) -> None:
    """Add TEXT to the agenda of TEAM's next meeting."""
    from bot.cli import get_app, parse_date
    from handlers.agenda import add_agenda_item

    app = get_app(ctx)
    meeting_date = parse_date(date_, "--date") if date_ else None
    with app.db.unit() as session:
        item = add_agenda_item(
            session, team, text, app.today(), app.policy, app.calendar, added_by=by, meeting_date=meeting_date
        )
        click.echo(f"added item {item.id} to {team}'s meeting on {item.meeting_date.isoformat()}")


@team_meeting.command("add-action")
@click.argument("team")
@click.argument("text")
@click.option("--owner", required=True, metavar="STAFF_ID")
@click.option("--due", required=True, metavar="D")
@click.option("--by", "by", metavar="STAFF_ID")
@click.pass_context
def add_action(ctx, team, text, owner, due, by) -> None:
    """Record an action for TEAM with an owner and due date; it is carried forward until done."""
    from bot.cli import get_app, parse_date
    from handlers.agenda import add_team_action

    app = get_app(ctx)
    due_date = parse_date(due, "--due")
    with app.db.unit() as session:
        action = add_team_action(session, team, text, owner, due_date, app.today(), added_by=by)
        click.echo(f"added action A{action.id} for {team}, owner {owner}, due {due_date.isoformat()}")


@team_meeting.command("done")
@click.argument("action_id")
@click.pass_context
def action_done(ctx, action_id) -> None:
    """Mark action ACTION_ID (e.g. A12) done; it leaves the agenda."""
    from bot.cli import BadInput, get_app
    from handlers.agenda import complete_action

    raw = action_id[1:] if action_id[:1].upper() == "A" else action_id
    if not raw.isdigit():
        raise BadInput(f"ACTION_ID: {action_id!r} is not an action id like A12")
    app = get_app(ctx)
    with app.db.unit() as session:
        complete_action(session, int(raw))
    click.echo(f"action A{raw} done")


@click.command("digest-settings")
@click.argument("staff_id")
@click.option("--time", "time_", metavar="HH:MM", help="Daily digest time (or 'default').")
@click.option("--pause-until", metavar="D", help="No digests up to and including D.")
@click.option("--resume", is_flag=True, help="Cancel a pause.")
@click.pass_context
def digest_settings(ctx, staff_id, time_, pause_until, resume) -> None:
    """Show or change STAFF_ID's daily digest time and pause (as `settings` in Slack and Teams)."""
    from bot.cli import get_app, parse_date
    from handlers.digest import pause_digests, resume_digests, set_digest_time, settings

    app = get_app(ctx)
    today = app.today()
    with app.db.unit() as session:
        if time_:
            set_digest_time(session, staff_id, None if time_ == "default" else time_)
        if pause_until:
            pause_digests(session, staff_id, parse_date(pause_until, "--pause-until"), today)
        if resume:
            resume_digests(session, staff_id)
        reply = settings(session, staff_id, "", today, app.policy)
    click.echo(reply.parts[0].text)
