"""The Slack app manifest declares everything the app handles, all on the one /slack/events URL."""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from click.testing import CliRunner

from bot.cli import slack as slack_cli
from bot.slack.listeners import COMMAND_WORDS, NEEDS_REPLY_SHORTCUT, OVERSIGHT_SHORTCUT
from bot.slack.manifest import build_manifest

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def test_the_manifest_lists_every_command_shortcut_event_and_scope():
    manifest = yaml.safe_load(MANIFEST.read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert {c["command"] for c in features["slash_commands"]} == {"/standard", *COMMAND_WORDS}
    assert {s["callback_id"] for s in features["shortcuts"]} == {OVERSIGHT_SHORTCUT, NEEDS_REPLY_SHORTCUT}
    assert {"app_home_opened", "app_mention", "message.im", "message.channels"} <= set(settings["event_subscriptions"]["bot_events"])
    assert {"commands", "chat:write", "app_mentions:read", "im:history", "im:write", "users:read", "users:read.email",
            "channels:history"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    urls = {c["url"] for c in features["slash_commands"]} | {settings["interactivity"]["request_url"],
                                                              settings["event_subscriptions"]["request_url"]}
    assert urls == {"https://standards-bot.example.org/slack/events"}


def test_the_checked_in_manifest_is_the_generated_one():
    assert yaml.safe_load(MANIFEST.read_text()) == build_manifest()


def cli() -> click.Group:
    group = click.Group()
    slack_cli.register(group)
    return group


def test_slack_manifest_prints_the_manifest_for_a_server():
    result = CliRunner().invoke(cli(), ["slack-manifest", "--url", "https://bot.council.gov.uk/"])
    assert result.exit_code == 0
    manifest = yaml.safe_load(result.stdout)
    assert manifest["settings"]["interactivity"]["request_url"] == "https://bot.council.gov.uk/slack/events"
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_slack_manifest_refuses_a_non_https_address():
    result = CliRunner().invoke(cli(), ["slack-manifest", "--url", "http://bot.council.gov.uk"])
    assert result.exit_code == 2
    assert "https" in result.stderr
