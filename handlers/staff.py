"""Staff import: upsert the organisation chart from a CSV file, rejecting bad rows with their line numbers.

The whole file is one unit of work: good rows import together, bad rows are reported and skipped, and
importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import ROLES, Staff, Team
from handlers.errors import InvalidInput

COLUMNS = (
    "staff_id", "name", "email", "role", "team", "manager_id", "slack_user_id", "teams_user_id", "start_date", "asye_start",
)
REQUIRED_COLUMNS = ("staff_id", "name", "role")
_STAFF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"name": 200, "email": 254, "team": 64, "slack_user_id": 32, "teams_user_id": 64}
_FIELDS = ("name", "email", "role", "team_id", "manager_id", "slack_user_id", "teams_user_id", "start_date", "asye_start")


@dataclass(frozen=True)
class Rejection:
    line: int
    staff_id: str
    reason: str

    def __str__(self) -> str:
        who = f" ({self.staff_id})" if self.staff_id else ""
        return f"line {self.line}{who}: {self.reason}"


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    teams_added: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [{"line": r.line, "staff_id": r.staff_id, "reason": r.reason} for r in self.rejected],
            "teams_added": self.teams_added,
        }

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.rejected)} rejected; {self.teams_added} new team(s)"
        )


@dataclass
class _Row:
    line: int
    values: dict  # model field -> value


def _parse_date(text: str, column: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a date in YYYY-MM-DD form") from None


def _clean(raw: dict[str, str | None]) -> dict:
    """One CSV row as model values, or ValueError naming the first problem."""
    get = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    for column in REQUIRED_COLUMNS:
        if not get[column]:
            raise ValueError(f"{column} is missing")
    if not _STAFF_ID.match(get["staff_id"]):
        raise ValueError(f"staff_id {get['staff_id']!r} must be 1-64 letters, digits, '.', '_', '@' or '-'")
    for column, limit in _LIMITS.items():
        if len(get[column]) > limit:
            raise ValueError(f"{column} is longer than {limit} characters")
    if get["role"] not in ROLES:
        raise ValueError(f"unknown role {get['role']!r}; use one of {', '.join(ROLES)}")
    if get["email"] and not _EMAIL.match(get["email"]):
        raise ValueError(f"email {get['email']!r} is not an email address")
    if get["manager_id"] == get["staff_id"]:
        raise ValueError("line management cycle: a person cannot be their own manager")
    start = _parse_date(get["start_date"], "start_date")
    asye = _parse_date(get["asye_start"], "asye_start")
    if asye is not None and get["role"] != "nqsw":
        raise ValueError(f"asye_start is only for newly qualified social workers (role nqsw), not {get['role']}")
    return {
        "staff_id": get["staff_id"],
        "name": get["name"],
        "email": get["email"] or None,
        "role": get["role"],
        "team_id": get["team"] or None,
        "manager_id": get["manager_id"] or None,
        "slack_user_id": get["slack_user_id"] or None,
        "teams_user_id": get["teams_user_id"] or None,
        "start_date": start,
        "asye_start": asye,
    }


def read_staff_csv(text: str) -> tuple[list[_Row], list[Rejection]]:
    """Parse the file: header checks (whole file refused), then each row cleaned or rejected."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise InvalidInput("the CSV file is empty: a header row is required", field="file")
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            f"the header row lacks {', '.join(missing)} (columns: {', '.join(COLUMNS)})", field="file"
        )
    rows: list[_Row] = []
    rejected: list[Rejection] = []
    first_line: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
                continue  # blank line
            try:
                values = _clean(record)
            except ValueError as exc:
                rejected.append(Rejection(line, (record.get("staff_id") or "").strip(), str(exc)))
                continue
            if values["staff_id"] in first_line:
                rejected.append(
                    Rejection(line, values["staff_id"], f"duplicate staff_id (first on line {first_line[values['staff_id']]})")
                )
                continue
            first_line[values["staff_id"]] = line
            rows.append(_Row(line, values))
    except csv.Error as exc:
        raise InvalidInput(f"line {reader.line_num}: not valid CSV: {exc}", field="file") from exc
    return rows, rejected


def _unique_identities(rows: list[_Row], session: Session, rejected: list[Rejection]) -> list[_Row]:
    """Slack and Teams ids and emails belong to one person: reject a row that reuses someone else's."""
    kept: list[_Row] = []
    claimed: dict[tuple[str, str], str] = {}
    file_ids = {r.values["staff_id"] for r in rows}
    for column in ("slack_user_id", "teams_user_id"):
        attr = getattr(Staff, column)
        for staff_id, value in session.execute(select(Staff.staff_id, attr).where(attr.is_not(None))):
            if staff_id not in file_ids:
                claimed[(column, value)] = staff_id
    for row in rows:
        clash = None
        for column in ("slack_user_id", "teams_user_id"):
            value = row.values[column]
            owner = claimed.get((column, value)) if value else None
            if owner and owner != row.values["staff_id"]:
                clash = f"{column} {value!r} already belongs to {owner}"
                break
        if clash:
            rejected.append(Rejection(row.line, row.values["staff_id"], clash))
            continue
        for column in ("slack_user_id", "teams_user_id"):
            if row.values[column]:
                claimed[(column, row.values[column])] = row.values["staff_id"]
        kept.append(row)
    return kept


def _check_managers(rows: list[_Row], existing: dict[str, str | None], rejected: list[Rejection]) -> list[_Row]:
    """Reject rows whose manager is unknown or who sit in a line-management cycle, until none are left."""
    while True:
        by_id = {r.values["staff_id"]: r for r in rows}
        managers = dict(existing)
        managers.update({sid: r.values["manager_id"] for sid, r in by_id.items()})
        bad: dict[str, str] = {}
        for sid, row in by_id.items():
            boss = row.values["manager_id"]
            if boss and boss not in managers:
                bad[sid] = f"manager {boss!r} not found (not in this file or already imported)"
                continue
            chain, current = [sid], boss
            while current and current not in chain and len(chain) < 10_000:
                chain.append(current)
                current = managers.get(current)
            if current in chain and current is not None:
                loop = chain[chain.index(current):] + [current]
                if sid in loop:
                    bad[sid] = "line management cycle: " + " -> ".join(loop)
        if not bad:
            return rows
        for sid, reason in bad.items():
            rejected.append(Rejection(by_id[sid].line, sid, reason))
        rows = [r for r in rows if r.values["staff_id"] not in bad]


def _in_manager_order(rows: list[_Row]) -> list[_Row]:
    """Managers before their reports, so foreign keys hold at every insert."""
    by_id = {r.values["staff_id"]: r for r in rows}
    ordered: list[_Row] = []
    done: set[str] = set()
    for row in rows:
        stack, current = [], row
        while current is not None and current.values["staff_id"] not in done:
            stack.append(current)
            current = by_id.get(current.values["manager_id"] or "")
            if current is not None and current in stack:
                break
        for item in reversed(stack):
            if item.values["staff_id"] not in done:
                done.add(item.values["staff_id"])
                ordered.append(item)
    return ordered


def import_staff(session: Session, text: str) -> ImportReport:
    """Upsert staff (and their teams) from CSV text; bad rows are reported, good rows imported."""
    rows, rejected = read_staff_csv(text)
    existing = dict(session.execute(select(Staff.staff_id, Staff.manager_id)).all())
    rows = _unique_identities(rows, session, rejected)
    rows = _check_managers(rows, existing, rejected)
    report = ImportReport(rejected=sorted(rejected, key=lambda r: r.line))
    teams = {t.team_id: t for t in session.scalars(select(Team))}
    for team_id in sorted({r.values["team_id"] for r in rows if r.values["team_id"]}):
        if team_id not in teams:
            teams[team_id] = Team(team_id=team_id, name=team_id)
            session.add(teams[team_id])
            report.teams_added += 1
    session.flush()
    current = {s.staff_id: s for s in session.scalars(select(Staff).where(Staff.staff_id.in_([r.values["staff_id"] for r in rows])))} if rows else {}
    before = {sid: tuple(getattr(staff, name) for name in _FIELDS) for sid, staff in current.items()}
    # Identities move between people within one file: clear the moving ones first so unique indexes hold.
    for row in rows:
        staff = current.get(row.values["staff_id"])
        if staff is None:
            continue
        for column in ("slack_user_id", "teams_user_id"):
            if getattr(staff, column) != row.values[column]:
                setattr(staff, column, None)
    session.flush()
    for row in _in_manager_order(rows):
        staff = current.get(row.values["staff_id"])
        if staff is None:
            session.add(Staff(**row.values))
            session.flush()
            report.added += 1
            continue
        for name in _FIELDS:
            if getattr(staff, name) != row.values[name]:
                setattr(staff, name, row.values[name])
        session.flush()
        if before[staff.staff_id] != tuple(row.values[name] for name in _FIELDS):
            report.updated += 1
        else:
            report.unchanged += 1
    return report
