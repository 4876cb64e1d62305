"""`standards-bot knowledge import|gaps|documents`: a council's own standards and what they don't answer."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click

from bot.cli import get_app


@click.group()
def knowledge() -> None:
    """The knowledge base: import documents, list knowledge gaps."""


@knowledge.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--org", "org", metavar="NAME", help="Organisation the documents belong to (shown as their source).")
@click.pass_context
def import_(ctx, files: tuple[Path, ...], org: str | None) -> None:
    """Add standards from .md, .txt, .docx or .pdf FILES (all or nothing: one bad file imports none)."""
    from knowledge import import_files

    app = get_app(ctx)
    with app.db.unit() as session, contextlib.ExitStack() as bars:

        def vectors_bar(total: int):
            # reading meaning is the slow part (about 40 ms a passage): show it when it is more than a moment
            if total < 25:
                return None
            bar = bars.enter_context(click.progressbar(length=total, label="Reading meaning", file=click.get_text_stream("stderr")))
            return bar.update

        if len(files) > 3:
            with click.progressbar(length=len(files), label="Reading documents", file=click.get_text_stream("stderr")) as bar:
                imported = import_files(session, list(files), org, app.now(), progress=bar.update, vectors_progress=vectors_bar)
        else:
            imported = import_files(session, list(files), org, app.now(), vectors_progress=vectors_bar)
    app.__dict__.pop("knowledge", None)  # the next question sees the new documents
    for key, count in imported:
        click.echo(f"imported {key}: {count} passages")
    click.echo(f"{len(imported)} document(s) imported", err=True)


@knowledge.command()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500), help="How many questions.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.pass_context
def gaps(ctx, limit: int, as_json: bool) -> None:
    """The most frequent questions the standards did not answer (or answered unhelpfully)."""
    from handlers.ask import knowledge_gaps

    app = get_app(ctx)
    with app.db.unit() as session:
        rows = knowledge_gaps(session, app.now(), policy=app.policy, limit=limit)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "gaps": [
                        {"question": g.question, "count": g.count, "last_asked": g.last_asked.isoformat(), "reasons": list(g.reasons)}
                        for g in rows
                    ]
                }
            )
        )
        return
    if not rows:
        click.echo("No knowledge gaps recorded in the retention period.")
        return
    for g in rows:
        click.echo(f"{g.count:>4}  {g.question}  ({', '.join(g.reasons)}; last {g.last_asked.date().isoformat()})")


@knowledge.command()
@click.pass_context
def documents(ctx) -> None:
    """List the documents the bot answers from (bundled and imported), with their dates."""
    app = get_app(ctx)
    index = app.knowledge
    for doc in index.documents:
        count = sum(1 for p in index.passages if p.doc.key == doc.key)
        click.echo(f"{doc.key}: {doc.organisation}, {doc.title} ({doc.date or 'undated'}), {count} passages")


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
    main.add_command(knowledge)
