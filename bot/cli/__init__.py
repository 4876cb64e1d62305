"""The `standards-bot` command line. Each feature registers its commands with one call below.

Conventions: `--json` prints JSON on stdout; errors go to stderr; exit 2 for bad input, 1 otherwise.
"""

from __future__ import annotations

import os
import sys
from datetime import date

import click
from pydantic import ValidationError

from bot.app import App
from bot.config import Settings
from handlers.errors import Forbidden, InvalidInput
from handlers.policy import PolicyError


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
            raise Failure(f"{type(exc).__name__}: {exc}") from exc


def _settings_problem(exc: ValidationError) -> str:
    return "configuration: " + "; ".join(
        f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}" for err in exc.errors()
    )


def get_app(ctx: click.Context) -> App:
    """The App for this invocation (built once, from the environment)."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = App(Settings())
        root.call_on_close(root.obj.close)
    return root.obj


pass_app = click.make_pass_decorator(App)


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
        staff,
        teams_package,
    )

    for module in (ask, knowledge, staff, records, nudges, decisions, agenda, serve, teams_package, admin):
        module.register(main)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
