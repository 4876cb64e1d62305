"""The one place that reads the environment: every variable of CONTRACT.md, validated at start-up."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/standards-bot.db"


class Settings(BaseSettings):
    """Runtime configuration. Build it once in the wiring and pass it down; tests build it explicitly."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    database_url: str = DEFAULT_DATABASE_URL
    standards_policy: str = "default"
    tz_name: str = "Europe/London"

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    microsoft_app_id: str = ""
    microsoft_app_password: SecretStr = SecretStr("")
    microsoft_app_tenant_id: str = ""

    port: int = Field(default=3978, ge=1, le=65535)

    # Comma-separated staff ids who may see every record (information governance, admins).
    standards_admins: str = ""

    # Run the in-process scheduler (daily digests, agenda posts) in `serve`. Sends are claimed exactly once
    # whatever runs them, so several replicas may all keep it on; an IT admin may still turn it off on some.
    scheduler_enabled: bool = True

    @field_validator("tz_name")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TZ_NAME {value!r} is not a known IANA time zone") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_url(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError("DATABASE_URL must be sqlite:///… or postgresql+psycopg://…")
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.standards_admins.split(",") if part.strip())

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def teams_emulator_mode(self) -> bool:
        return not self.microsoft_app_id and not self.microsoft_app_password.get_secret_value()
