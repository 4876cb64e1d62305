"""CLI start-up: commands that need no server import no Slack, Teams, aiohttp or APScheduler code."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("slack_bolt", "slack_sdk", "botbuilder", "aiohttp", "apscheduler", "bot.slack", "bot.teams", "bot.server")

PROBE = """
import json, sys
from bot.cli import main
try:
    main(sys.argv[2:], prog_name="standards-bot")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = json.loads(sys.argv[1])
loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def _probe(args, env_url: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), *args],
        capture_output=True, text=True, timeout=120,
        env={"DATABASE_URL": env_url, "PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("ask", "EAP helpline", "--json", "--limit", "1"),
        ("nudges", "--json", "--date", "2026-11-23"),
        ("decisions", "list", "--json"),
        ("agenda", "--help"),
    ],
)
def test_commands_without_a_server_import_no_platform_or_scheduler_code(sqlite_url, args):
    outcome = _probe(args, sqlite_url)
    assert outcome["code"] in (0, None)
    assert outcome["loaded"] == []


def test_serve_still_finds_its_modules_lazily(sqlite_url):
    """The lazy imports are only deferred: `serve --help` works and the server module imports."""
    outcome = _probe(("serve", "--help"), sqlite_url)
    assert outcome["code"] in (0, None)
    import bot.server  # noqa: F401 - what `serve` imports when it runs
    from scheduler import SCHEDULER_KEY, scheduler_key

    assert SCHEDULER_KEY is scheduler_key()


def test_python_dash_m_bot_lists_every_command():
    result = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for command in ("ask", "chat", "serve", "nudges", "agenda", "decisions", "slack-manifest", "teams-package", "admin"):
        assert command in result.stdout
