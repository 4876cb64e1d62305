"""`standards-bot slack-manifest`: the Slack app manifest for this server, to paste when creating the app."""

from __future__ import annotations

from urllib.parse import urlparse

import click


PLACEHOLDER_URL = "https://standards-bot.example.org"


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
    main.add_command(slack_manifest)


@click.command("slack-manifest")
@click.option("--url", "base_url", default=None, help="Public https address of `standards-bot serve`, e.g. https://bot.council.gov.uk")
@click.option("--socket-mode", is_flag=True, help="Use Socket Mode (no public address; set SLACK_APP_TOKEN too).")
def slack_manifest(base_url: str | None, socket_mode: bool) -> None:
    """Print the Slack app manifest (YAML) for a server at --url (a placeholder address when omitted)."""
    from bot.cli import BadInput
    from bot.slack.manifest import manifest_yaml

    if base_url is None:
        base_url = PLACEHOLDER_URL
        if not socket_mode:
            click.echo(f"warning: no --url given: the manifest points Slack at {PLACEHOLDER_URL}; replace it with the "
                       "public https address of `standards-bot serve` (or use --socket-mode)", err=True)
    parsed = urlparse(base_url)
    if parsed.scheme != "https" or not parsed.netloc or parsed.query or parsed.fragment:
        raise BadInput("--url must be an https address such as https://bot.council.gov.uk (Slack requires https)")
    click.echo(manifest_yaml(base_url, socket_mode=socket_mode), nl=False)
