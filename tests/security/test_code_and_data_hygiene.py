"""Secrets only from the environment, SQL only with bound parameters, CSV exports safe to open in Excel."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = [path for folder in ("bot", "handlers", "knowledge", "scheduler") for path in (ROOT / folder).rglob("*.py")
           if "migrations" not in path.parts]
# The one environment read outside bot/config.py: a debugging switch that shows tracebacks, not a secret.
ENV_READS_ALLOWED = {("bot/cli/__init__.py", "STANDARDS_BOT_DEBUG")}


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_only_bot_config_reads_the_environment():
    found = set()
    for path in PRODUCT:
        if _relative(path) == "bot/config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") and \
                    isinstance(node.value, ast.Name) and node.value.id == "os":
                parent_call = next((n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                                    if isinstance(n, ast.Call) and n.lineno == node.lineno and n.args
                                    and isinstance(n.args[0], ast.Constant)), None)
                found.add((_relative(path), parent_call.args[0].value if parent_call else "?"))
    assert found <= ENV_READS_ALLOWED, f"environment read outside bot/config.py: {sorted(found - ENV_READS_ALLOWED)}"


def test_secrets_are_typed_as_secrets_and_never_printed():
    settings = Settings(slack_bot_token="xoxb-secret-1", slack_signing_secret="signing-secret-2", slack_app_token="xapp-secret-3",
                        microsoft_app_password="teams-secret-4", _env_file=None)
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    for secret in ("xoxb-secret-1", "signing-secret-2", "xapp-secret-3", "teams-secret-4"):
        assert secret not in shown


def _sql_text_calls(tree: ast.AST):
    """Calls of sqlalchemy's text() (imported by name, or as sqlalchemy.text / sa.text) and exec_driver_sql()."""
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("sqlalchemy") for alias in node.names if alias.name == "text"}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in imported:
            yield node
        elif isinstance(func, ast.Attribute) and func.attr == "exec_driver_sql":
            yield node
        elif isinstance(func, ast.Attribute) and func.attr == "text" and isinstance(func.value, ast.Name) \
                and func.value.id in ("sa", "sqlalchemy"):
            yield node


def test_sql_is_only_ever_built_with_bound_parameters():
    """Raw SQL (sqlalchemy.text / exec_driver_sql) must be a literal; values go in as bound parameters."""
    offenders, checked = [], 0
    for path in PRODUCT:
        for call in _sql_text_calls(ast.parse(path.read_text(encoding="utf-8"))):
            checked += 1
            if not isinstance(call.args[0], ast.Constant):
                offenders.append(f"{_relative(path)}:{call.lineno}")
    assert offenders == []
    assert checked >= 2  # the scan does find the raw SQL there is (advisory lock, ping)


def test_a_csv_export_never_hands_excel_a_formula(sqlite_cli):
    staff = ("staff_id,name,role,team,manager_id\n"
             "tm,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",team_manager,north,\n"
             "sw,@SUM(1+1),social_worker,north,tm\n")
    path = Path(sqlite_cli.env["DATABASE_URL"].split(":///", 1)[1]).with_name("staff.csv")
    path.write_text(staff, encoding="utf-8")
    assert sqlite_cli("import", "staff", str(path)).exit_code == 0
    added = sqlite_cli("decisions", "add", "--case", "LCS204815", "--type", "step_down", "--decision", "=1+2",
                       "--rationale", "+cmd|' /C calc'!A0", "--by", "sw", "--action", "-2+3|sw|2026-12-30")
    assert added.exit_code == 0, added.stderr
    exported = sqlite_cli("decisions", "export", "--format", "csv")
    assert exported.exit_code == 0, exported.stderr
    cells = [cell for row in csv.reader(io.StringIO(exported.stdout)) for cell in row]
    assert all(any(text in cell for cell in cells) for text in ("=1+2", "+cmd", "-2+3"))
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
