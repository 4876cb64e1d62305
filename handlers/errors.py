"""Errors handlers raise; adapters map them (CLI exit 2, HTTP 4xx, form field errors)."""

from __future__ import annotations


class InvalidInput(ValueError):
    """Input the user can fix. `field` names the offending field when there is one."""

    def __init__(self, message: str, field: str | None = None, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: message} if field else {})


class NotFound(InvalidInput):
    """A referenced thing (staff id, decision id, team) does not exist."""


class Forbidden(Exception):
    """The asker is not entitled to see or change this record."""
