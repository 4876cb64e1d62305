"""`standards-bot ask` (one question, or a batch as JSON Lines) and `standards-bot chat` (the console)."""

from __future__ import annotations

import json
import sys
import time

import click

from bot.cli import BadInput, get_app
from handlers.errors import InvalidInput


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the contract's JSON object on stdout.")
@click.option("--limit", default=3, show_default=True, metavar="N", type=int, help="How many passages (1-50).")
@click.option("--batch", "batch", metavar="FILE", type=click.File("r", encoding="utf-8"), help="One question a line (- for stdin); prints JSON Lines.")
@click.pass_context
def ask(ctx, question, as_json, limit, batch) -> None:
    """Answer QUESTION from the standards (or every line of --batch FILE)."""
    from handlers.ask import answer, check_limit, check_question, search_json
    from handlers.types import Request

    app = get_app(ctx)
    check_limit(limit)
    if batch is not None:
        if question:
            raise BadInput("give either QUESTION or --batch FILE, not both")
        _batch(app, batch, limit)
        return
    if question is None:
        raise BadInput("the question is empty: standards-bot ask \"how often is supervision?\"")
    question = check_question(question)
    index = app.knowledge
    if as_json:
        payload = search_json(index, question, limit)
        if not payload["results"]:
            with app.db.unit() as session:
                from handlers.ask import log_gap

                log_gap(session, question, "no_answer", app.now(), policy=app.policy)
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    request = Request(now=app.now(), platform="cli", text=question)
    with app.db.unit() as session:
        reply = answer(index, request, limit=limit, session=session, policy=app.policy)
    click.echo(reply.plain_text())


def _batch(app, stream, limit: int) -> None:
    """One JSON object per input line, in order, each with the search time in ms.

    A blank line between questions gets an object with an error, so output line N still answers input
    line N; blank lines at the end of the input are ignored.
    """
    from handlers.ask import search_json

    index = app.knowledge  # start-up happens here, before any timing
    blanks = 0
    for line in stream:
        query = line.strip()
        if not query:
            blanks += 1
            continue
        for _ in range(blanks):
            click.echo(json.dumps({"query": "", "results": [], "error": "the question is empty", "elapsed_ms": 0.0}))
        blanks = 0
        started = time.perf_counter()
        try:
            payload = search_json(index, query, limit)
        except InvalidInput as exc:
            payload = {"query": query[:200], "results": [], "error": exc.message}
        payload["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 3)
        click.echo(json.dumps(payload, ensure_ascii=False))
        sys.stdout.flush()


@click.command()
@click.pass_context
def chat(ctx) -> None:
    """Interactive console: ask questions, read the standards (quit or Ctrl-D to leave)."""
    from bot.console import run_console

    run_console(get_app(ctx))


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
    main.add_command(ask)
    main.add_command(chat)
