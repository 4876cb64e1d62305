from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.storage import Database
from bot.storage.models import Staff, Team


def test_unit_of_work_commits_on_success_and_rolls_back_on_error(db):
    with db.unit() as session:
        session.add(Team(team_id="north", name="North"))
    with pytest.raises(RuntimeError):
        with db.unit() as session:
            session.add(Team(team_id="south", name="South"))
            session.flush()
            raise RuntimeError("boom")
    with db.unit() as session:
        assert session.scalars(select(Team.team_id)).all() == ["north"]


def test_timestamps_come_back_aware_in_utc(db):
    moment = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/London"))
    with db.unit() as session:
        session.add(Staff(staff_id="s1", name="A", role="social_worker", created_at=moment, updated_at=moment))
    with db.unit() as session:
        staff = session.get(Staff, "s1")
        assert staff.created_at.tzinfo is not None
        assert staff.created_at == moment
        assert staff.created_at.utcoffset() == timezone.utc.utcoffset(None)


def test_naive_datetimes_are_refused(db):
    with pytest.raises(Exception, match="naive"):
        with db.unit() as session:
            session.add(Staff(staff_id="s2", name="B", role="other", created_at=datetime(2026, 1, 1)))


def test_migrations_downgrade_to_base_and_upgrade_again(db_url):
    database = Database(db_url)
    try:
        database.downgrade("base")
        assert database.schema_version() is None
        database.upgrade()
        assert database.schema_version() is not None
    finally:
        database.dispose()


def test_foreign_keys_are_enforced(db):
    with pytest.raises(Exception):
        with db.unit() as session:
            session.add(Staff(staff_id="s3", name="C", role="other", manager_id="nobody"))


def test_head_revision_is_alembics_head_and_each_file_names_its_revision():
    from alembic.script import ScriptDirectory

    from bot.storage import alembic_config, head_revision

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert head_revision() == script.get_current_head()
    for rev in script.walk_revisions():
        assert rev.path.endswith(f"{rev.revision}.py")


def test_a_current_schema_is_not_migrated_again(db_url, monkeypatch):
    database = Database(db_url)
    try:
        database.ensure_current()
        assert database.is_current()

        def refuse(*args, **kwargs):
            raise AssertionError("upgrade() called on a current schema")

        monkeypatch.setattr(Database, "upgrade", refuse)
        database.ensure_current()
        database.downgrade("0006_teams")
        assert not database.is_current()
        with pytest.raises(AssertionError, match="current schema"):
            database.ensure_current()
    finally:
        database.dispose()


def test_warm_up_builds_the_index_and_freezes_what_is_loaded(db_url):
    import gc

    from bot.app import App
    from bot.config import Settings

    app = App(Settings(database_url=db_url, _env_file=None))
    try:
        before = gc.get_freeze_count()
        app.warm_up()
        assert "knowledge" in app.__dict__ and app.knowledge.search("EAP helpline")
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
        app.close()


def test_warm_up_loads_what_the_first_questions_would_otherwise_wait_for(tmp_path):
    """A question with a number asks wordfreq (0.2 s to import) how common the number is; the server's warm-up
    asks one such question so no manager waits for it. Checked in a fresh interpreter."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from bot.app import App\n"
        "from bot.config import Settings\n"
        f"app = App(Settings(database_url='sqlite:///{tmp_path / 'w.db'}', _env_file=None))\n"
        "app.knowledge\n"
        "before = 'wordfreq' in sys.modules\n"
        "app.warm_up()\n"
        "print(before, 'wordfreq' in sys.modules)\n"
        "app.close()\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["False", "True"], out.stderr[-2000:]
