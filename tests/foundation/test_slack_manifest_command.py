"""`standards-bot slack-manifest` is a registered command and prints a manifest a Slack admin can paste."""

from __future__ import annotations

import subprocess
import sys

import yaml
from click.testing import CliRunner

from bot.cli import main

CONTRACT_COMMANDS = {"/standard", "/oversight", "/supervision", "/absence", "/awaiting-reply"}


def _urls(manifest: dict) -> set[str]:
    features, settings = manifest["features"], manifest["settings"]
    urls = {c["url"] for c in features["slash_commands"]}
    urls.add(settings["interactivity"]["request_url"])
    urls.add(settings["event_subscriptions"]["request_url"])
    return urls


def test_the_command_is_listed_in_the_help():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "slack-manifest" in result.output


def test_slack_manifest_prints_yaml_naming_the_contract_commands_on_the_events_url(sqlite_cli):
    result = sqlite_cli("slack-manifest", "--url", "https://bot.kite-council.gov.uk/")
    assert result.exit_code == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    assert {c["command"] for c in manifest["features"]["slash_commands"]} == CONTRACT_COMMANDS
    assert _urls(manifest) == {"https://bot.kite-council.gov.uk/slack/events"}
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_slack_manifest_for_socket_mode_and_a_bad_url(sqlite_cli):
    socket_mode = yaml.safe_load(sqlite_cli("slack-manifest", "--url", "https://bot.example.org", "--socket-mode").stdout)
    assert socket_mode["settings"]["socket_mode_enabled"] is True
    assert {c["command"] for c in socket_mode["features"]["slash_commands"]} == CONTRACT_COMMANDS
    bad = sqlite_cli("slack-manifest", "--url", "http://bot.example.org")
    assert bad.exit_code == 2 and "https" in bad.stderr and bad.stdout == ""


def test_python_dash_m_bot_runs_it_too():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "slack-manifest", "--url", "https://bot.example.org"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "https://bot.example.org/slack/events" in {c["url"] for c in yaml.safe_load(result.stdout)["features"]["slash_commands"]}


def test_without_url_a_placeholder_address_is_used_with_a_warning(sqlite_cli):
    result = sqlite_cli("slack-manifest")
    assert result.exit_code == 0, result.stderr
    assert _urls(yaml.safe_load(result.stdout)) == {"https://standards-bot.example.org/slack/events"}
    assert "warning" in result.stderr and "--url" in result.stderr
    quiet = sqlite_cli("slack-manifest", "--socket-mode")
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
