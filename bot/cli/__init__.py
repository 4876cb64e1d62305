"""The `standards-bot` command line. Each feature registers its commands with one call below.

Conventions: `--json` prints JSON on stdout; errors go to stderr; exit 2 for bad input, 1 otherwise.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported when a command runs, so `--help` and light commands start fast
    from bot.app import App


class BadInput(click.ClickException):
    """Bad input: message on stderr, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class Failure(click.ClickException):
    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class StandardsGroup(click.Group):
    """Maps handler errors to the contract's exit codes; never shows a traceback to the user."""

    def invoke(self, ctx: click.Context):
        from pydantic import ValidationError

        from handlers.errors import Forbidden, InvalidInput
        from handlers.policy import PolicyError

        try:
            return super().invoke(ctx)
        except InvalidInput as exc:
            raise BadInput(exc.message) from exc
        except Forbidden as exc:
            raise Failure(str(exc) or "not permitted") from exc
        except PolicyError as exc:
            raise BadInput(str(exc)) from exc
        except ValidationError as exc:
            raise BadInput(_settings_problem(exc)) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - last resort: a readable message, exit 1
            if os.environ.get("STANDARDS_BOT_DEBUG"):
                raise
            problem = database_problem(exc, _database_url(ctx))
            if problem is not None:
                raise Failure(problem) from exc
            raise Failure(_one_line(f"{type(exc).__name__}: {exc}")) from exc


def _settings_problem(exc) -> str:
    return "configuration: " + "; ".join(
        f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}" for err in exc.errors()
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _database_url(ctx: click.Context) -> str | None:
    app = ctx.find_root().obj
    settings = getattr(app, "settings", None)
    return getattr(settings, "database_url", None)


def safe_database_url(url: str | None) -> str:
    """The database URL to show a person: password (also one given as a query parameter) masked."""
    if not url:
        return "(unset)"
    try:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        query = {k: ("***" if "pass" in k.lower() else v) for k, v in parsed.query.items()}
        return parsed.set(query=query).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL: show only its scheme
        return url.split(":", 1)[0] + ":…"


def _password(url: str | None) -> str | None:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).password if url else None
    except Exception:  # noqa: BLE001
        return None


def database_problem(exc: BaseException, url: str | None, *, connecting: bool = False) -> str | None:
    """One readable line for a database failure (no password, no SQL, no parameters), or None if it is not one.

    Only the driver's own first line is kept: SQLAlchemy's text adds the statement and its parameters
    (which may hold personal data) and a web link. `connecting`: the failure happened opening the database,
    so an OSError (e.g. a SQLite folder that cannot be created) is a database problem too.
    """
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None and isinstance(exc, sa_exc.DBAPIError):
        original = exc.orig if exc.orig is not None else exc
        lines = [line.strip() for line in str(original).splitlines() if line.strip()]
        reason = lines[0] if lines else type(original).__name__
        # A failure to connect has no statement: SQLAlchemy raises it from the connection pool.
        unreachable = isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)) and exc.statement is None
    elif connecting and isinstance(exc, OSError):  # e.g. SQLite: the database folder cannot be created
        reason = f"{type(exc).__name__}: {exc.strerror or exc}"
        unreachable = True
    else:
        return None
    secret = _password(url)
    if secret:
        reason = reason.replace(secret, "***")
    reason = _one_line(reason)
    where = safe_database_url(url)
    if unreachable:
        return f"cannot reach the database at {where} ({reason}); check DATABASE_URL and that the database is running"
    return f"database error at {where} ({reason})"


def get_app(ctx: click.Context) -> App:
    """The App for this invocation (built once, from the environment)."""
    root = ctx.find_root()
    if root.obj is None:
        from bot.app import App
        from bot.config import Settings

        root.obj = App(Settings())
        root.call_on_close(root.obj.close)
    return root.obj


class lazy_module:  # noqa: N801 - reads like the module it stands for
    """A module imported on first attribute access, so a command module can name a heavy feature at top level."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str):
        import importlib

        return getattr(importlib.import_module(self._name), attribute)


def parse_date(value: str | None, name: str, default: date | None = None) -> date:
    """An ISO date from the command line, or a clear exit-2 error naming the option."""
    if value is None:
        if default is None:
            raise BadInput(f"{name} is required")
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{name}: {value!r} is not a date in YYYY-MM-DD form") from None


@click.group(cls=StandardsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="standards-bot")
@click.pass_context
def main(ctx: click.Context) -> None:
    """standards-bot: management standards in chat, daily nudges and oversight decisions."""
    get_app(ctx)


def _register() -> None:
    from bot.cli import (  # noqa: PLC0415 - each module adds its commands to `main`
        admin,
        agenda,
        ask,
        decisions,
        knowledge,
        nudges,
        records,
        serve,
        slack,
        staff,
        teams_package,
    )

    for module in (ask, knowledge, staff, records, nudges, decisions, agenda, serve, slack, teams_package, admin):
        module.register(main)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
