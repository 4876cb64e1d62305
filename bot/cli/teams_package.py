"""`standards-bot teams-package`: the Teams app package (manifest + icons) an admin uploads."""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_OUT = "standards-bot-teams.zip"


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
    main.add_command(teams_package)


@click.command("teams-package")
@click.option("--out", "out", default=DEFAULT_OUT, show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the zip.")
@click.option("--domain", "domains", multiple=True, help="A domain for the manifest's validDomains (repeatable).")
@click.pass_context
def teams_package(ctx: click.Context, out: Path, domains: tuple[str, ...]) -> None:
    """Build the Microsoft Teams app package (manifest.json, color.png, outline.png) for MICROSOFT_APP_ID."""
    from bot.cli import BadInput, Failure, get_app
    from bot.teams.app_package import PackageError, build_package

    settings = get_app(ctx).settings
    try:
        data = build_package(settings.microsoft_app_id, valid_domains=domains)
    except PackageError as exc:
        raise BadInput(str(exc)) from exc
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise Failure(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {out} (upload it in Teams: Apps > Manage your apps > Upload an app)", err=True)
