"""CLI commands of the serve feature."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add this feature's commands to the `standards-bot` group."""
