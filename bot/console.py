"""The console adapter: `standards-bot chat`. Reads questions, calls the ask handler, prints the reply.

Works interactively (readline editing and history in ~/.standards_bot_history) and with piped stdin,
so scripts and tests can drive it. `helpful` / `not helpful` vote on the last answer; `quit` leaves.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from handlers.errors import InvalidInput
from handlers.types import Request

HISTORY = Path.home() / ".standards_bot_history"
PROMPT = "you> "
HELP = (
    "Ask about the management standards, e.g. 'how often should NQSWs have supervision?'.\n"
    "Type 'helpful' or 'not helpful' after an answer to tell the standards' owners, 'quit' to leave."
)


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _setup_readline() -> None:
    try:
        import atexit
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return
    try:
        readline.read_history_file(HISTORY)
    except OSError:
        pass
    readline.set_history_length(500)
    atexit.register(_save_history, readline)


def _save_history(readline) -> None:
    try:
        readline.write_history_file(HISTORY)
    except OSError:
        pass


def run_console(app) -> None:
    """The read-answer-print loop until `quit`, `exit` or end of input."""
    from handlers.ask import answer, record_feedback

    interactive = _interactive()
    if interactive:
        _setup_readline()
    click.echo("standards-bot chat: " + HELP)
    index = app.knowledge
    last_question: str | None = None
    last_passage: str | None = None
    while True:
        try:
            line = input(PROMPT) if interactive else _read_line()
        except (EOFError, KeyboardInterrupt):
            click.echo("")
            break
        if line is None:
            break
        text = line.strip()
        if not interactive and text:
            click.echo(f"{PROMPT}{text}")
        command = text.lower().rstrip(".!").lstrip("/")
        if command in ("quit", "exit", "bye", ":q"):
            break
        if not text:
            continue
        if command in ("help", "?"):
            click.echo(HELP)
            continue
        if command in ("helpful", "not helpful", "unhelpful"):
            if last_passage is None:
                click.echo("Ask a question first, then say whether the answer helped.")
                continue
            with app.db.unit() as session:
                record_feedback(session, last_passage, command == "helpful", last_question, app.now(), policy=app.policy)
            click.echo("Thanks, noted." if command == "helpful" else "Thanks: the standards' owners will see this question.")
            continue
        try:
            with app.db.unit() as session:
                reply = answer(index, Request(now=app.now(), platform="console", text=text), session=session, policy=app.policy)
        except InvalidInput as exc:
            click.echo(f"! {exc.message}")
            continue
        last_question = text
        last_passage = next((b.value for part in reply.parts for b in getattr(part, "buttons", ()) if b.action_id == "answer.helpful"), None)
        click.echo(reply.plain_text())
        click.echo("")
    click.echo("Bye.")


def _read_line() -> str | None:
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\n")
