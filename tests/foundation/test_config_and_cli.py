import pytest
from pydantic import ValidationError

from bot.config import Settings


def test_defaults_need_no_environment():
    settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///data/standards-bot.db"
    assert settings.tz_name == "Europe/London"
    assert settings.port == 3978
    assert settings.teams_emulator_mode
    assert not settings.slack_enabled


def test_unknown_time_zone_is_rejected_with_its_name():
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        Settings(tz_name="Mars/Olympus")


def test_plain_postgres_url_is_given_the_psycopg_driver():
    assert Settings(database_url="postgresql://u@h/db").database_url == "postgresql+psycopg://u@h/db"


def test_bad_configuration_exits_2_with_a_readable_message(sqlite_cli):
    result = sqlite_cli("admin", "check", env={"TZ_NAME": "Nowhere/Land"})
    assert result.exit_code == 2
    assert "TZ_NAME" in result.stderr and "Traceback" not in result.stderr


def test_admin_check_reports_database_ok(cli):
    result = cli("admin", "check", "--json")
    assert result.exit_code == 0, result.stderr
    assert '"database": "ok"' in result.stdout
