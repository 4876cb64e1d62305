"""The organisation chart: find staff by any platform id, walk line management, decide who may see what."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.storage.models import Staff
from handlers.errors import NotFound

MAX_CHAIN = 50  # line management deeper than this is a data error (imports refuse cycles)


def get_staff(session: Session, staff_id: str) -> Staff:
    """The staff member with this id, or NotFound naming it."""
    staff = session.get(Staff, staff_id) if staff_id else None
    if staff is None:
        raise NotFound(f"unknown staff id {staff_id!r}", field="staff_id")
    return staff


def find_staff(
    session: Session,
    *,
    slack_user_id: str | None = None,
    teams_user_id: str | None = None,
    email: str | None = None,
) -> Staff | None:
    """The staff member behind a platform identity: Slack id, Teams AAD object id, then email (case-insensitive)."""
    if slack_user_id:
        found = session.scalar(select(Staff).where(Staff.slack_user_id == slack_user_id))
        if found:
            return found
    if teams_user_id:
        found = session.scalar(select(Staff).where(Staff.teams_user_id == teams_user_id))
        if found:
            return found
    if email:
        return session.scalar(select(Staff).where(func.lower(Staff.email) == email.strip().lower()))
    return None


def manager_chain(session: Session, staff_id: str) -> list[str]:
    """Line managers of `staff_id`, nearest first, up to the top of the organisation."""
    chain: list[str] = []
    current = session.get(Staff, staff_id)
    while current is not None and current.manager_id and len(chain) < MAX_CHAIN:
        if current.manager_id in chain or current.manager_id == staff_id:
            break
        chain.append(current.manager_id)
        current = session.get(Staff, current.manager_id)
    return chain


def can_view(session: Session, viewer_id: str | None, owner_id: str, admin_ids: Iterable[str] = ()) -> bool:
    """A record is visible to its owner, the owner's line managers up the chain, and admins."""
    if not viewer_id:
        return False
    if viewer_id == owner_id or viewer_id in set(admin_ids):
        return True
    return viewer_id in manager_chain(session, owner_id)


def reports_of(session: Session, manager_id: str) -> list[Staff]:
    """Direct reports of a manager who are still in post."""
    return list(
        session.scalars(
            select(Staff).where(Staff.manager_id == manager_id, Staff.left_on.is_(None)).order_by(Staff.name)
        )
    )


def erase_personal_data(session: Session, staff_id: str, today) -> Staff:
    """Pseudonymise one person on request (UK GDPR erasure) while keeping decision history intact.

    The staff id stays, so records they authored still verify and still show who their managers are;
    name, email and platform identities are removed, and they are marked as having left.
    """
    import hashlib

    staff = get_staff(session, staff_id)
    tag = hashlib.sha256(staff.staff_id.encode()).hexdigest()[:8]
    staff.name = f"Former staff member {tag}"
    staff.email = None
    staff.slack_user_id = None
    staff.teams_user_id = None
    staff.pseudonymised = True
    if staff.left_on is None:
        staff.left_on = today
    return staff


def everyone_managed_by(session: Session, manager_id: str) -> set[str]:
    """Staff ids of everyone below `manager_id` in line management (reports, their reports, and so on)."""
    children: dict[str, list[str]] = {}
    for staff_id, boss in session.execute(select(Staff.staff_id, Staff.manager_id)):
        if boss:
            children.setdefault(boss, []).append(staff_id)
    found: set[str] = set()
    frontier = [manager_id]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in found and child != manager_id:
                found.add(child)
                frontier.append(child)
    return found


def in_post(staff: Staff, day) -> bool:
    """Whether the person is still in post on `day` (they have not left on or before it)."""
    return staff.left_on is None or staff.left_on > day


def acting_for(session: Session, staff_id: str, day) -> str:
    """Who acts for `staff_id` on `day`: themselves while in post, else their nearest line manager in post."""
    staff = session.get(Staff, staff_id)
    if staff is None or in_post(staff, day):
        return staff_id
    for manager_id in manager_chain(session, staff_id):
        manager = session.get(Staff, manager_id)
        if manager is not None and in_post(manager, day):
            return manager_id
    return staff_id


class Roster:
    """Everyone's line manager, role and dates, plus who is off on one day: loaded in two queries.

    The nudge engine routes every item through `acting(...)`, so a manager who has left or is off sick
    is replaced by the next manager up the chain, without a query per person.
    """

    def __init__(self, people: dict, absent: frozenset[str], day) -> None:
        self.people = people  # staff_id -> Row(staff_id, name, role, manager_id, start_date, asye_start, created_at, updated_at, left_on)
        self.absent = absent
        self.day = day

    def available(self, staff_id: str | None) -> bool:
        """In post and not absent on the roster's day."""
        person = self.people.get(staff_id) if staff_id else None
        return person is not None and (person.left_on is None or person.left_on > self.day) and staff_id not in self.absent

    def acting(self, staff_id: str | None) -> str | None:
        """`staff_id` if available, else the nearest available manager above them (None at the top)."""
        seen = 0
        while staff_id and seen < MAX_CHAIN:
            if self.available(staff_id):
                return staff_id
            person = self.people.get(staff_id)
            staff_id = person.manager_id if person is not None else None
            seen += 1
        return None

    def manager_of(self, staff_id: str) -> str | None:
        person = self.people.get(staff_id)
        return person.manager_id if person is not None else None

    def escalate_to(self, recipient: str) -> str | None:
        """Who an overdue item of `recipient` escalates to: their nearest available manager."""
        target = self.acting(self.manager_of(recipient))
        return target if target and target != recipient else None

    def name(self, staff_id: str) -> str:
        person = self.people.get(staff_id)
        return person.name if person is not None else staff_id


def load_roster(session: Session, day) -> Roster:
    """The organisation on `day`: every staff row (two columns of dates each) and who is off sick that day."""
    from sqlalchemy import or_  # noqa: PLC0415

    from bot.storage.models.people import Absence  # noqa: PLC0415

    rows = session.execute(
        select(
            Staff.staff_id, Staff.name, Staff.role, Staff.manager_id, Staff.start_date, Staff.asye_start,
            Staff.created_at, Staff.updated_at, Staff.left_on,
        )
    ).all()
    absent = session.scalars(
        select(Absence.staff_id).where(
            Absence.started_on <= day, or_(Absence.returned_on.is_(None), Absence.returned_on > day)
        )
    ).all()
    return Roster({row.staff_id: row for row in rows}, frozenset(absent), day)


# ---- information governance: exports and retention -------------------------------------------------------

# Tables that hold no organisational data: APScheduler's pickled job and Slack's retry-dedupe keys.
NOT_EXPORTED = frozenset({"apscheduler_jobs", "slack_processed_events", "alembic_version"})
# Columns naming a person without a foreign key (the nudge log and digest deliveries address staff ids).
_PERSON_COLUMNS = {"nudge_log": ("recipient",), "nudge_states": ("recipient",), "scheduler_deliveries": ("target",)}


def _json_value(value):
    """A column value as JSON: dates and times in ISO form, bytes left out."""
    from datetime import date, datetime  # noqa: PLC0415
    from decimal import Decimal  # noqa: PLC0415

    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    return value


def _rows(session: Session, table, where=None) -> list[dict]:
    statement = select(table).order_by(*table.primary_key.columns)
    if where is not None:
        statement = statement.where(where)
    return [{key: _json_value(value) for key, value in row._mapping.items()} for row in session.execute(statement)]


def _exported_tables():
    from bot.storage import Base  # noqa: PLC0415

    return [table for table in Base.metadata.sorted_tables if table.name not in NOT_EXPORTED]


def export_organisation(session: Session) -> dict:
    """Every table of the organisation's data as lists of rows (for an information-governance request)."""
    return {table.name: _rows(session, table) for table in _exported_tables()}


def _person_columns(table) -> list:
    """Columns of `table` that hold a staff id: foreign keys to staff, plus the known unlinked ones."""
    columns = [
        column
        for column in table.columns
        if any(fk.column.table.name == "staff" and fk.column.name == "staff_id" for fk in column.foreign_keys)
    ]
    columns += [table.columns[name] for name in _PERSON_COLUMNS.get(table.name, ()) if name in table.columns]
    if table.name == "staff":
        columns.append(table.columns["staff_id"])
    return columns


def export_staff_data(session: Session, staff_id: str) -> dict:
    """Everything held about one person (a subject access request): every row that names their staff id."""
    from sqlalchemy import or_  # noqa: PLC0415

    get_staff(session, staff_id)
    found: dict[str, list[dict]] = {}
    for table in _exported_tables():
        columns = _person_columns(table)
        if not columns:
            continue
        rows = _rows(session, table, or_(*(column == staff_id for column in columns)))
        if rows:
            found[table.name] = rows
    return found


def purge_by_retention(session: Session, policy, now) -> dict[str, int]:
    """Apply the policy's retention rules: expired decisions, and question text older than the gaps period.

    Returns how many rows each rule removed (or, when the caller rolls back, would remove).
    """
    from datetime import timedelta  # noqa: PLC0415

    from bot.storage.models.knowledge import KnowledgeFeedback, KnowledgeGap  # noqa: PLC0415
    from handlers import ask, decisions  # noqa: PLC0415

    cutoff = now - timedelta(days=policy.knowledge.gap_retention_days)
    gaps = session.scalar(select(func.count()).select_from(KnowledgeGap).where(KnowledgeGap.created_at < cutoff)) or 0
    votes = session.scalar(
        select(func.count())
        .select_from(KnowledgeFeedback)
        .where(KnowledgeFeedback.created_at < cutoff, KnowledgeFeedback.question.is_not(None))
    ) or 0
    ask.purge_expired(session, now, policy)
    expired = decisions.purge_expired_decisions(session, policy, now.date())
    return {"decisions": expired, "knowledge_gaps": gaps, "feedback_questions": votes}
