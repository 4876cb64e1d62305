"""The Slack app manifest declares everything the app handles, all on the one /slack/events URL."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.listeners import COMMAND_WORDS, NEEDS_REPLY_SHORTCUT, OVERSIGHT_SHORTCUT

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
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
