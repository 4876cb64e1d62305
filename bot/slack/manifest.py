"""The Slack app manifest: every command, shortcut, event and scope the listeners handle, for one paste.

`manifest.yml` at the repository root is this manifest for an example address (a test keeps them equal);
`standards-bot slack-manifest --url https://your.server` prints it for yours.
"""

from __future__ import annotations

from typing import Any

import yaml

EXAMPLE_URL = "https://standards-bot.example.org"
EVENTS_PATH = "/slack/events"

COMMANDS = (
    ("/standard", "Ask what the practice standards say", "how often should an NQSW be supervised?"),
    ("/oversight", "Record an oversight decision (no text opens the form)", "[LCS204815: decision because rationale]"),
    ("/supervision", "Record a supervision you held", "@person [YYYY-MM-DD] [case|welfare|group]"),
    ("/absence", "Record an absence event", "@person start|update|fit-note|returned [YYYY-MM-DD]"),
    ("/awaiting-reply", "Track a message that needs a reply within two working days", "[@person] [YYYY-MM-DD] [from WHO]"),
)
SHORTCUTS = (
    ("Record as oversight decision", "oversight.from_message", "Open the oversight decision form prefilled from this message"),
    ("Needs a reply", "reply.needs_reply", "Track this message; replying in its thread closes it"),
)
BOT_EVENTS = ("app_home_opened", "app_mention", "message.channels", "message.groups", "message.im")
BOT_SCOPES = (
    "app_mentions:read", "channels:history", "groups:history", "chat:write", "commands", "im:history", "im:read",
    "im:write", "users:read", "users:read.email",
)


def build_manifest(base_url: str = EXAMPLE_URL, *, socket_mode: bool = False) -> dict[str, Any]:
    """The manifest for a server at `base_url` (all requests go to its /slack/events)."""
    url = base_url.rstrip("/") + EVENTS_PATH
    return {
        "display_information": {
            "name": "Standards Bot",
            "description": "Practice standards, reminders and oversight records for children's social care managers",
            "background_color": "#1d4f91",
            "long_description": (
                "Answers \"what's the standard for ...?\" from your council's practice standards (/standard), records "
                "oversight decisions (/oversight), supervisions (/supervision), absences (/absence) and messages that "
                "need a reply (/awaiting-reply), sends each manager a daily digest of what is due, and shows the "
                "manager's week on the App Home tab. Records hold case reference numbers only, never children's names."
            ),
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True, "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": "standards-bot", "always_online": True},
            "slash_commands": [
                {"command": name, "url": url, "description": description, "usage_hint": hint, "should_escape": True}
                for name, description, hint in COMMANDS
            ],
            "shortcuts": [
                {"name": name, "type": "message", "callback_id": callback_id, "description": description}
                for name, callback_id, description in SHORTCUTS
            ],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"request_url": url, "bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True, "request_url": url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(base_url: str = EXAMPLE_URL, *, socket_mode: bool = False) -> str:
    return yaml.safe_dump(build_manifest(base_url, socket_mode=socket_mode), sort_keys=False, width=120, allow_unicode=True)
