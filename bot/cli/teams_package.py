"""`standards-bot teams-package`: the Teams app package (manifest + icons) an admin uploads."""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_OUT = "standards-bot-teams.zip"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
    main.add_command(teams_package)


@click.command("teams-package")
@click.option("--out", "out", default=DEFAULT_OUT, show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the zip.")
@click.option("--domain", "domains", multiple=True, help="A domain for the manifest's validDomains (repeatable).")
@click.option("--app-id", "app_id", default=None, metavar="GUID", help="The bot's Microsoft App ID (default: $MICROSOFT_APP_ID).")
@click.pass_context
def teams_package(ctx: click.Context, out: Path, domains: tuple[str, ...], app_id: str | None) -> None:
    """Build the Microsoft Teams app package (manifest.json, color.png, outline.png) for MICROSOFT_APP_ID.

    Without an app id (local emulator mode) the package is built with a placeholder bot id, for checking
    only, and a warning says so: Teams needs the Azure Bot's Microsoft App ID to reach this bot.
    """
    from bot.cli import BadInput, Failure, get_app
    from bot.teams.app_package import PackageError, build_package

    bot_id = (app_id if app_id is not None else get_app(ctx).settings.microsoft_app_id or "").strip()
    placeholder = not bot_id
    try:
        data = build_package(bot_id or PLACEHOLDER_ID, valid_domains=domains)
    except PackageError as exc:
        raise BadInput(str(exc)) from exc
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise Failure(f"cannot write {out}: {exc.strerror or exc}") from exc
    if placeholder:
        click.echo(
            f"warning: MICROSOFT_APP_ID is not set, so {out} carries a placeholder bot id ({PLACEHOLDER_ID}) and is "
            "for checking only: register the bot in Azure (Azure Bot resource), set MICROSOFT_APP_ID (or --app-id) "
            "to its Microsoft App ID and build the package again before uploading it",
            err=True,
        )
    else:
        click.echo(f"wrote {out} (upload it in Teams: Apps > Manage your apps > Upload an app)", err=True)
