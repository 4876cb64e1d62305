"""Every table, imported here so Alembic and the app see one metadata. One module per feature."""

from bot.storage.models.staff import MANAGER_ROLES, ROLES, Staff, Team
from bot.storage.models import knowledge, people, decisions, slack, teams, scheduler  # noqa: F401,E402

__all__ = ["MANAGER_ROLES", "ROLES", "Staff", "Team"]
