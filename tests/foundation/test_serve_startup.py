"""`standards-bot serve` with the database down: one readable line on stderr, exit 1, no password, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "DATABASE_URL", "STANDARDS_BOT_DEBUG"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", str(_closed_port()), "--host", "127.0.0.1"],
        env={**clean, **env}, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )


def test_serve_with_an_unreachable_postgresql_exits_1_naming_the_database_without_its_password(tmp_path):
    port = _closed_port()
    url = f"postgresql+psycopg://standards:S3cret-pw@127.0.0.1:{port}/standards?application_name=bot"
    result = _serve({"DATABASE_URL": url}, tmp_path)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert line.startswith("error: cannot reach the database at postgresql+psycopg://standards:***@127.0.0.1:")
    assert f":{port}/standards" in line and "DATABASE_URL" in line and "refused" in line.lower()
    assert "S3cret-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr and "sqlalche.me" not in result.stderr
    assert result.stdout == ""


def test_serve_with_a_sqlite_file_it_cannot_create_exits_1_in_one_line(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    result = _serve({"DATABASE_URL": f"sqlite:///{blocker}/bot.db"}, tmp_path)
    assert result.returncode == 1
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("error: cannot reach the database at sqlite:///") and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [("nudges", "--json"), ("admin", "schema")])
def test_other_commands_report_an_unreachable_database_in_one_line_too(sqlite_cli, command):
    url = f"postgresql+psycopg://standards:S3cret-pw@127.0.0.1:{_closed_port()}/standards"
    result = sqlite_cli(*command, env={"DATABASE_URL": url})
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot reach the database at postgresql+psycopg://standards:***@")
    assert len(result.stderr.strip().splitlines()) == 1 and "S3cret-pw" not in result.stderr


def test_a_failed_statement_is_reported_without_its_sql_parameters_or_the_password():
    from sqlalchemy import exc as sa_exc

    from bot.cli import database_problem

    url = "postgresql+psycopg://standards:S3cret-pw@db.internal:5432/standards"
    failed = sa_exc.IntegrityError(
        "INSERT INTO staff (staff_id, name) VALUES (%s, %s)", ("S1", "Jane Doe"),
        Exception("duplicate key value violates unique constraint \"staff_pkey\"\nDETAIL:  Key (name)=(Jane Doe) already exists."),
    )
    message = database_problem(failed, url)
    assert message == (
        "database error at postgresql+psycopg://standards:***@db.internal:5432/standards "
        "(duplicate key value violates unique constraint \"staff_pkey\")"
    )
    assert database_problem(ValueError("not a database error"), url) is None
