"""Shared test harness: databases (SQLite and PostgreSQL), settings, the App and the CLI runner.

Storage tests take the `db` fixture (or `app`), which runs each test on both SQLite and PostgreSQL.
PostgreSQL comes from TEST_DATABASE_URL (default: 127.0.0.1:5432, trust auth). A private database is
created for the test session and dropped afterwards, so parallel runs never collide. Without a reachable
server those tests are skipped, unless REQUIRE_POSTGRES=1 (CI), which fails them instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app import App
from bot.config import Settings
from bot.storage import Base, Database

LONDON = ZoneInfo("Europe/London")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class FixedClock:
    """A controllable clock: tests set `now` (aware) and advance it; nothing sleeps."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A private, migrated PostgreSQL database for this test session (or None when unavailable)."""
    base = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    name = f"sbtest_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required (REQUIRE_POSTGRES=1) but unreachable at {base}: {exc}")
        yield None
        return
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    db.upgrade()
    db.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as conn:
        existing = set(
            conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
        )
        names = [f'"{t}"' for t in tables if t in existing]
        extra = [f'"{t}"' for t in existing - set(tables) if t not in ("alembic_version",)]
        if names or extra:
            conn.execute(text(f"TRUNCATE {', '.join(names + extra)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, sqlite_template) -> Iterator[str]:
    """A migrated, empty database URL: every storage test runs once per backend."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    if url is None:
        pytest.skip("PostgreSQL not reachable (set TEST_DATABASE_URL, or REQUIRE_POSTGRES=1 to fail instead)")
    try:
        yield url
    finally:
        _truncate_postgres(url)


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    """A migrated SQLite URL, for tests that need no second backend."""
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(db_url) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """Monday 23 November 2026, 09:00 in London, unless a test moves it."""
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=LONDON))


@pytest.fixture
def settings(db_url) -> Settings:
    return Settings(database_url=db_url, _env_file=None)


@pytest.fixture
def app(settings, clock) -> Iterator[App]:
    application = App(settings, clock=clock)
    yield application
    application.close()


class Cli:
    """Runs `standards-bot` in-process with an explicit environment, as a user would from a shell."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None):
        from bot.cli import main

        runner = CliRunner()
        return runner.invoke(main, list(args), input=input, env={**self.env, **(env or {})}, catch_exceptions=False)


@pytest.fixture
def cli(db_url) -> Cli:
    """The CLI against the test database (both backends)."""
    return Cli({"DATABASE_URL": db_url, "TZ_NAME": "Europe/London", "STANDARDS_POLICY": "default"})


@pytest.fixture
def sqlite_cli(sqlite_url) -> Cli:
    return Cli({"DATABASE_URL": sqlite_url, "TZ_NAME": "Europe/London", "STANDARDS_POLICY": "default"})
