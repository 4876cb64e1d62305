"""Logging: JSON lines when not on a terminal, a request id on every line, and no personal data.

Log calls must never pass message text, tokens or names; the redaction filter is a second line of
defence that masks anything shaped like a token, an email address or a case reference.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import datetime, timezone

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_SECRETS = re.compile(
    r"(xox[abposr]-[\w-]+|xapp-[\w-]+|eyJ[\w-]+\.[\w-]+\.[\w-]+|[\w.+-]+@[\w-]+\.[\w.-]+|\b[A-Za-z]{2,5}-?\d{4,12}\b)"
)


def redact(text: str) -> str:
    """Mask tokens, JWTs, email addresses and case references."""
    return _SECRETS.sub("[redacted]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "error"
        return json.dumps(entry)


def configure_logging(level: int = logging.INFO, json_output: bool | None = None) -> None:
    """Install the formatter and redaction filter on the root logger (idempotent)."""
    if json_output is None:
        json_output = not sys.stderr.isatty()
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_output
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiohttp.access", "alembic.runtime.plugins", "apscheduler.executors.default", "slack_bolt", "slack_sdk"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
