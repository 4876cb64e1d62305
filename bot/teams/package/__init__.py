"""Teams app package template and icons (data files; built by bot.teams.app_package)."""
