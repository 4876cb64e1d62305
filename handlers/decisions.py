"""Oversight decisions (issue 4): capture in a line or a form, keep every version, paste to the child's file.

The standards this follows:
- "Model showing the rationale for decisions and evidencing the risk and analysis that has been considered"
  (Children's Services Management Standards self-assessment, 1: Management Oversight): decision, rationale
  and risk are captured together; SMART actions carry an owner and a date (Sefton Practice Standards for
  Managers 2023, Quality Assurance: "smart management oversight which includes timescales").
- Recording deadlines: a case consultation within one working day, supervision decisions within five
  (NPT Supervision and Appraisal Policy 2015, 5 A). The days per type are policy data (`decisions.types`).
- "Supervision records must not be changed or amended unless the change is agreed" and "courts [may] ...
  disclose supervision records" (NPT 2015, 5.6 and 6): versions are append-only and hash-chained.
- Only a case reference is stored, never a child's name (Sefton 2023, Supervision Records: "only their LCS
  number should be recorded").

Decision ids are `D-` plus at least six digits (`D-000123`); `D-123` and `123` are accepted as input.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.storage.models import Staff
from bot.storage.models.decisions import (
    GENESIS_HASH,
    Decision,
    DecisionAction,
    DecisionVersion,
    format_decision_id,
)
from handlers.calendar import WorkingCalendar
from handlers.errors import Forbidden, InvalidInput, NotFound
from handlers.org import acting_for, can_view, everyone_managed_by, get_staff, in_post, manager_chain
from handlers.policy import DecisionPolicy, DecisionType, Policy
from handlers.types import (
    Actions,
    Button,
    Form,
    FormField,
    Item,
    ItemList,
    Nudge,
    Option,
    Reply,
    Request,
    Text,
)

FORM_ID = "decision.form"
MARK_RECORDED_ACTION = "decision.mark_recorded"
FORM_ACTION_SLOTS = 5
DEFAULT_TZ = ZoneInfo("Europe/London")

# ---- pure rules: case references, the one-line parser, ids, deadlines -----------------------------

_DATE_LIKE = re.compile(
    r"\d{1,4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{2,4}\b"
    r"|\b(?:dob|d\.o\.b|born)\b",
    re.IGNORECASE,
)
_WORDS_ONLY = re.compile(r"^[^\W\d_][^\W\d_'’.\- ]*(?:[\s'’.\-]+[^\W\d_]+)*\.?$")
_DECISION_ID = re.compile(r"^\s*(?:[Dd]-?)?0*(\d{1,12})\s*$")
_QUICK = re.compile(r"^\s*(?P<ref>[^:\[\]\n]*?)\s*(?:\[(?P<type>[^\]\n]*)\])?\s*:(?P<rest>.*)$", re.DOTALL)
_BECAUSE = re.compile(r"(?:^|\s)because(?:\s|$)", re.IGNORECASE)


def check_case_reference(value: str | None, policy: DecisionPolicy) -> str:
    """The trimmed case reference, or InvalidInput(field="case_ref") saying why it cannot be stored.

    The value is never echoed back: if it is a child's name or date of birth it must not travel further.
    """
    text = (value or "").strip()
    if not text:
        raise InvalidInput("case_ref: a case reference is required", field="case_ref")
    if len(text) > policy.max_case_reference:
        raise InvalidInput(
            f"case_ref: at most {policy.max_case_reference} characters; use the case reference number only",
            field="case_ref",
        )
    if _DATE_LIKE.search(text):
        raise InvalidInput(
            "case_ref: this looks like a date of birth; records hold the case reference number only "
            f"({policy.case_reference_hint})",
            field="case_ref",
        )
    if _WORDS_ONLY.match(text):
        raise InvalidInput(
            "case_ref: this looks like a name, not a case reference; never record a child's name, "
            f"use the case reference number ({policy.case_reference_hint})",
            field="case_ref",
        )
    if not re.fullmatch(policy.case_reference_pattern, text):
        raise InvalidInput(f"case_ref: not a case reference; expected {policy.case_reference_hint}", field="case_ref")
    return text


def resolve_type(policy: DecisionPolicy, value: str | None) -> DecisionType:
    """The decision type named by a key or label (`case_consultation`, `Case consultation`, `step down`)."""
    wanted = _normalise(value or "")
    if not wanted:
        raise InvalidInput("type: choose a decision type", field="type")
    for kind in policy.types:
        if wanted in (kind.key, _normalise(kind.label)):
            return kind
    partial = [k for k in policy.types if wanted in k.key or wanted in _normalise(k.label)]
    if len(partial) == 1:
        return partial[0]
    keys = ", ".join(k.key for k in policy.types)
    raise InvalidInput(f"type: unknown decision type; use one of {keys}", field="type")


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def parse_decision_id(value: str) -> int:
    """The row id behind a public decision id (`D-000123`, `D-123` or `123`)."""
    match = _DECISION_ID.match(value or "")
    if not match:
        raise InvalidInput(f"{value!r} is not a decision id like D-000123", field="decision_id")
    return int(match.group(1))


@dataclass(frozen=True)
class QuickCapture:
    """The parts of a one-line capture: `REF [type]: decision because rationale`."""

    case_ref: str
    decision: str
    rationale: str
    type: str | None = None


QUICK_USAGE = "write it as  CASE REF: decision because rationale  (e.g. LCS204815: step down to early help because risks reduced)"


def parse_quick_capture(line: str) -> QuickCapture:
    """Split one line into case reference, optional [type], decision and rationale (split at the first 'because')."""
    match = _QUICK.match(line or "")
    if not match or not match.group("ref").strip():
        raise InvalidInput(f"line: {QUICK_USAGE}", field="line")
    rest = match.group("rest")
    because = _BECAUSE.search(rest)
    if because is None:
        raise InvalidInput(f"rationale: say why, after the word 'because'; {QUICK_USAGE}", field="rationale")
    kind = match.group("type")
    return QuickCapture(
        case_ref=match.group("ref").strip(),
        decision=rest[: because.start()].strip(),
        rationale=rest[because.end() :].strip(),
        type=kind.strip() if kind and kind.strip() else None,
    )


def record_deadline(changed_on: date, kind: DecisionType | None, calendar: WorkingCalendar) -> date:
    """The last day to put the decision on the child's file: N working days after it was made (or amended)."""
    days = kind.record_within_working_days if kind is not None else 5
    return calendar.add_working_days(changed_on, days)


def excel_safe(value: object) -> object:
    """A CSV cell that Excel will not run as a formula (OWASP CSV injection: prefix a quote)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# ---- hashing -----------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds") if value is not None else ""


def version_content(decision: Decision, version: DecisionVersion, actions: Sequence[DecisionAction]) -> dict:
    """Everything a version asserts, including the decision's fixed header, in a canonical shape."""
    return {
        "id": format_decision_id(decision.id),
        "case_reference": decision.case_reference,
        "author": decision.author_id,
        "decided_at": _iso(decision.decided_at),
        "version": version.version,
        "change": version.change,
        "changed_by": version.author_id,
        "changed_at": _iso(version.created_at),
        "reason": version.reason or "",
        "type": version.decision_type,
        "decision": version.decision,
        "rationale": version.rationale,
        "risk": version.risk,
        "child_voice": version.child_voice,
        "maker_role": version.maker_role,
        "recorded_at": _iso(version.recorded_at),
        "recorded_system": version.recorded_system or "",
        "recorded_by": version.recorded_by or "",
        "actions": [[a.position, a.text, a.owner_id, a.due_on.isoformat()] for a in sorted(actions, key=lambda a: a.position)],
    }


def chain_hash(prev_hash: str, content: Mapping) -> str:
    """SHA-256 over the previous version's hash and this version's canonical JSON."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


# ---- validation ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionDraft:
    text: str
    owner_id: str
    due: date


@dataclass(frozen=True)
class DecisionDraft:
    """A validated decision, ready to store."""

    case_reference: str
    type: DecisionType
    decision: str
    rationale: str
    risk: str = ""
    child_voice: str = ""
    actions: tuple[ActionDraft, ...] = ()


_ACTION_KEY = re.compile(r"^action(\d+)_(text|owner|due)$")


def _bounded(values: Mapping[str, str], name: str, limit: int, errors: dict[str, str], *, required: str = "") -> str:
    text = (values.get(name) or "").strip()
    if required and not text:
        errors[name] = f"{name}: {required}"
    elif len(text) > limit:
        errors[name] = f"{name}: at most {limit} characters (this has {len(text)})"
    return text


def validate_actions(session: Session, policy: DecisionPolicy, values: Mapping[str, str], today: date, errors: dict[str, str]) -> tuple[ActionDraft, ...]:
    """Actions from `actionN_text/_owner/_due` values: each needs text, an owner in post and a date not past."""
    slots = sorted({int(m.group(1)) for key in values if (m := _ACTION_KEY.match(key))})
    actions: list[ActionDraft] = []
    for n in slots:
        names = {part: f"action{n}_{part}" for part in ("text", "owner", "due")}
        raw = {part: (values.get(name) or "").strip() for part, name in names.items()}
        if not any(raw.values()):
            continue
        if n > policy.max_actions:
            errors[names["text"]] = f"{names['text']}: at most {policy.max_actions} actions"
            continue
        if not raw["text"]:
            errors[names["text"]] = f"{names['text']}: say what must be done"
        elif len(raw["text"]) > policy.max_action_text:
            errors[names["text"]] = f"{names['text']}: at most {policy.max_action_text} characters (this has {len(raw['text'])})"
        owner = session.get(Staff, raw["owner"]) if raw["owner"] else None
        if not raw["owner"]:
            errors[names["owner"]] = f"{names['owner']}: who will do it? give a staff id"
        elif owner is None:
            errors[names["owner"]] = f"{names['owner']}: no staff member with id {raw['owner']!r}"
        elif not in_post(owner, today):
            errors[names["owner"]] = f"{names['owner']}: {raw['owner']} has left; choose someone in post"
        due: date | None = None
        if not raw["due"]:
            errors[names["due"]] = f"{names['due']}: give a due date (YYYY-MM-DD)"
        else:
            try:
                due = date.fromisoformat(raw["due"])
            except ValueError:
                errors[names["due"]] = f"{names['due']}: not a date in YYYY-MM-DD form"
            else:
                if due < today:
                    errors[names["due"]] = f"{names['due']}: {due.isoformat()} is in the past"
        if raw["text"] and owner is not None and due is not None:
            actions.append(ActionDraft(raw["text"], raw["owner"], due))
    return tuple(actions)


def validate_decision(session: Session, policy: Policy, values: Mapping[str, str], today: date) -> DecisionDraft:
    """Check every field of a decision at once; InvalidInput carries one message per bad field (form names)."""
    rules = policy.decisions
    errors: dict[str, str] = {}
    case_ref = ""
    try:
        case_ref = check_case_reference(values.get("case_ref"), rules)
    except InvalidInput as exc:
        errors["case_ref"] = exc.message
    kind: DecisionType | None = None
    try:
        kind = resolve_type(rules, values.get("type"))
    except InvalidInput as exc:
        errors["type"] = exc.message
    decision = _bounded(values, "decision", rules.max_text, errors, required="say what was decided")
    rationale = _bounded(values, "rationale", rules.max_text, errors, required="give the reasons for the decision")
    risk = _bounded(values, "risk", rules.max_text, errors)
    child_voice = _bounded(values, "child_voice", rules.max_text, errors)
    actions = validate_actions(session, rules, values, today, errors)
    if errors:
        raise InvalidInput("; ".join(errors.values()), field=next(iter(errors)), errors=errors)
    assert kind is not None
    return DecisionDraft(case_ref, kind, decision, rationale, risk, child_voice, actions)


def _author_in_post(session: Session, staff_id: str | None, today: date) -> Staff:
    if not staff_id:
        raise InvalidInput("who decided? give your staff id", field="staff_id")
    author = get_staff(session, staff_id)
    if not in_post(author, today):
        raise InvalidInput(f"{staff_id} has left and cannot record decisions", field="staff_id")
    return author


# ---- storing ------------------------------------------------------------------------------------------


def record_decision(session: Session, author_id: str, now: datetime, draft: DecisionDraft) -> Decision:
    """Store a new decision as version 1 of its chain (one transaction: the caller's unit of work)."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: attach the organisation's time zone")
    author = _author_in_post(session, author_id, now.date())
    header = Decision(
        case_reference=draft.case_reference,
        author_id=author.staff_id,
        decided_at=now,
        decided_on=now.date(),
        changed_on=now.date(),
        latest_version=1,
        decision_type=draft.type.key,
        updated_at=now,
    )
    session.add(header)
    session.flush()
    version = DecisionVersion(
        decision_id=header.id,
        version=1,
        change="created",
        author_id=author.staff_id,
        created_at=now,
        reason=None,
        decision_type=draft.type.key,
        decision=draft.decision,
        rationale=draft.rationale,
        risk=draft.risk,
        child_voice=draft.child_voice,
        maker_role=author.role,
        prev_hash=GENESIS_HASH,
        hash="",
    )
    _store_version(session, header, version, [(a.text, a.owner_id, a.due) for a in draft.actions])
    return header


def _store_version(
    session: Session, header: Decision, version: DecisionVersion, actions: Sequence[tuple[str, str, date]]
) -> DecisionVersion:
    session.add(version)
    session.flush()
    rows = [
        DecisionAction(version_id=version.id, decision_id=header.id, position=i, text=text, owner_id=owner, due_on=due)
        for i, (text, owner, due) in enumerate(actions, start=1)
    ]
    session.add_all(rows)
    version.hash = chain_hash(version.prev_hash, version_content(header, version, rows))
    session.flush()
    return version


def _allocate_version(session: Session, pk: int, now: datetime, *, only_if_unrecorded: bool = False, **header) -> int | None:
    """Take the next version number of a decision atomically; None when the condition does not hold.

    `UPDATE ... SET latest_version = latest_version + 1 RETURNING` locks the decision's row until commit
    (PostgreSQL) or takes the write lock (SQLite), so concurrent amends queue up and each builds on the one
    before; the unique (decision_id, version) constraint is the backstop.
    """
    statement = (
        update(Decision)
        .where(Decision.id == pk)
        .values(latest_version=Decision.latest_version + 1, updated_at=now, **header)
        .returning(Decision.latest_version)
        .execution_options(synchronize_session=False)
    )
    if only_if_unrecorded:
        statement = statement.where(Decision.recorded_at.is_(None))
    return session.execute(statement).scalar_one_or_none()


def _append_version(
    session: Session,
    pk: int,
    number: int,
    *,
    change: str,
    author_id: str,
    now: datetime,
    reason: str | None,
    fields: Mapping[str, object],
    actions: Sequence[tuple[str, str, date]] | None = None,
) -> DecisionVersion:
    header = session.get(Decision, pk, populate_existing=True)
    previous = session.scalars(
        select(DecisionVersion).where(DecisionVersion.decision_id == pk, DecisionVersion.version == number - 1)
    ).one()
    if actions is None:
        actions = [
            (a.text, a.owner_id, a.due_on)
            for a in session.scalars(
                select(DecisionAction).where(DecisionAction.version_id == previous.id).order_by(DecisionAction.position)
            )
        ]
    content = {
        name: getattr(previous, name)
        for name in ("decision_type", "decision", "rationale", "risk", "child_voice", "maker_role", "recorded_at", "recorded_system", "recorded_by")
    }
    content.update(fields)
    version = DecisionVersion(
        decision_id=pk,
        version=number,
        change=change,
        author_id=author_id,
        created_at=now,
        reason=reason,
        prev_hash=previous.hash,
        hash="",
        **content,
    )
    return _store_version(session, header, version, actions)


def get_decision(session: Session, decision_id: str | int) -> Decision:
    """The stored decision behind a public id (or row id), or NotFound naming it."""
    pk = decision_id if isinstance(decision_id, int) else parse_decision_id(decision_id)
    header = session.get(Decision, pk)
    if header is None:
        raise NotFound(f"no decision {format_decision_id(pk)}", field="decision_id")
    return header


def amend_decision(
    session: Session,
    policy: Policy,
    decision_id: str | int,
    by_staff_id: str,
    now: datetime,
    reason: str,
    changes: Mapping[str, str],
) -> Decision:
    """Append an amended version (with its reason and author); the earlier versions stay as they were.

    Who may amend: the author and the author's line managers. An amendment clears "recorded on file",
    because the child's file must then show the change and its reason (NPT 2015, 5.6).
    """
    rules = policy.decisions
    header = get_decision(session, decision_id)
    editor = _author_in_post(session, by_staff_id, now.date())
    if editor.staff_id != header.author_id and editor.staff_id not in manager_chain(session, header.author_id):
        raise Forbidden(f"{editor.staff_id} may not amend {header.public_id}: only its author and their line managers can")
    errors: dict[str, str] = {}
    reason_text = _bounded({"reason": reason}, "reason", rules.max_reason, errors, required="say why it is amended")
    fields: dict[str, object] = {}
    for name in ("decision", "rationale", "risk", "child_voice"):
        if name in changes and changes[name] is not None:
            required = {"decision": "say what was decided", "rationale": "give the reasons for the decision"}.get(name, "")
            fields[name] = _bounded(changes, name, rules.max_text, errors, required=required)
    if changes.get("type"):
        try:
            fields["decision_type"] = resolve_type(rules, changes["type"]).key
        except InvalidInput as exc:
            errors["type"] = exc.message
    actions = None
    if any(_ACTION_KEY.match(k) for k in changes):
        actions = [(a.text, a.owner_id, a.due) for a in validate_actions(session, rules, changes, now.date(), errors)]
    if not fields and actions is None and "reason" not in errors:
        errors["decision"] = "decision: nothing to amend; give a new decision, rationale, risk, child's voice or type"
    if errors:
        raise InvalidInput("; ".join(errors.values()), field=next(iter(errors)), errors=errors)
    fields.update(recorded_at=None, recorded_system=None, recorded_by=None)
    header_values = {"recorded_at": None, "recorded_system": None, "changed_on": now.date()}
    if "decision_type" in fields:
        header_values["decision_type"] = fields["decision_type"]
    number = _allocate_version(session, header.id, now, **header_values)
    _append_version(
        session, header.id, number, change="amended", author_id=editor.staff_id, now=now, reason=reason_text,
        fields=fields, actions=actions,
    )
    return session.get(Decision, header.id, populate_existing=True)


def mark_recorded(
    session: Session,
    decision_id: str | int,
    by_staff_id: str,
    now: datetime,
    system: str = "LCS",
    *,
    admin_ids: Iterable[str] = (),
) -> Reply:
    """Mark a decision as recorded on the child's file (a new version); pressing it twice changes nothing."""
    header = get_decision(session, decision_id)
    get_staff(session, by_staff_id)
    if not can_view(session, by_staff_id, header.author_id, admin_ids):
        raise Forbidden(f"{by_staff_id} may not see {header.public_id}")
    system_name = (system or "").strip()[:40] or "LCS"
    number = _allocate_version(
        session, header.id, now, only_if_unrecorded=True, recorded_at=now, recorded_system=system_name
    )
    if number is None:
        session.refresh(header)
        text = f"{header.public_id} was already marked as recorded on {header.recorded_system}."
        return Reply.text(text, ephemeral=True)
    _append_version(
        session, header.id, number, change="recorded", author_id=by_staff_id, now=now,
        reason=f"recorded on {system_name}",
        fields={"recorded_at": now, "recorded_system": system_name, "recorded_by": by_staff_id},
    )
    text = f"{header.public_id} (case {header.case_reference}) is marked as recorded on {system_name}. Thank you."
    return Reply(parts=(Text(text),), summary=text, ephemeral=True)


def purge_expired_decisions(session: Session, policy: Policy, today: date) -> int:
    """Delete decisions older than the policy's retention period (the only deletion there is); returns how many."""
    years = policy.decisions.retention_years
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    expired = select(Decision.id).where(Decision.decided_on < cutoff)
    count = len(session.scalars(expired).all())
    if count:
        session.execute(delete(DecisionAction).where(DecisionAction.decision_id.in_(expired)))
        session.execute(delete(DecisionVersion).where(DecisionVersion.decision_id.in_(expired)))
        session.execute(delete(Decision).where(Decision.id.in_(expired)))
    return count


# ---- reading: views, permissions, export ----------------------------------------------------------------


@dataclass(slots=True)
class ActionView:
    position: int
    text: str
    owner_id: str
    owner_name: str
    due: date

    def as_json(self) -> dict:
        return {"text": self.text, "owner": self.owner_id, "due": self.due.isoformat()}


@dataclass(slots=True)
class VersionView:
    version: int
    change: str
    author_id: str
    at: datetime
    reason: str | None
    type: str
    decision: str
    rationale: str
    risk: str
    child_voice: str
    maker_role: str
    recorded_at: datetime | None
    recorded_system: str | None
    recorded_by: str | None
    actions: tuple[ActionView, ...]
    hash: str

    def as_json(self) -> dict:
        return {
            "version": self.version,
            "change": self.change,
            "author": self.author_id,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "type": self.type,
            "decision": self.decision,
            "rationale": self.rationale,
            "risk": self.risk,
            "child_voice": self.child_voice,
            "decision_maker_role": self.maker_role,
            "recorded_on_file": self.recorded_at is not None,
            "actions": [a.as_json() for a in self.actions],
            "hash": self.hash,
        }


@dataclass(slots=True)
class DecisionView:
    """A decision as people read it: current fields, names, deadline and every version (times in org tz)."""

    id: str
    case_reference: str
    type: str
    type_label: str
    decided_by: str
    decided_by_name: str
    decided_at: datetime
    record_by: date
    record_within_working_days: int
    case_system: str
    versions: tuple[VersionView, ...] = field(repr=False)

    @property
    def current(self) -> VersionView:
        return self.versions[-1]

    @property
    def recorded(self) -> bool:
        return self.current.recorded_at is not None

    def as_json(self) -> dict:
        now = self.current
        return {
            "id": self.id,
            "case_reference": self.case_reference,
            "type": self.type,
            "type_label": self.type_label,
            "decision": now.decision,
            "rationale": now.rationale,
            "risk": now.risk,
            "child_voice": now.child_voice,
            "actions": [a.as_json() for a in now.actions],
            "decided_by": self.decided_by,
            "decision_maker_role": now.maker_role,
            "decided_at": self.decided_at.isoformat(),
            "record_by": self.record_by.isoformat(),
            "recorded_on_file": now.recorded_at is not None,
            "recorded_at": now.recorded_at.isoformat() if now.recorded_at else None,
            "recorded_system": now.recorded_system,
            "recorded_by": now.recorded_by,
            "version": now.version,
            "history": [v.as_json() for v in self.versions],
        }


def _chunks(ids: Sequence[int], size: int = 900) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects (an export of 10,000 decisions).

    The objects hold no reference cycles, so reference counting frees them; without the pause, collections
    triggered by allocation alone took about 40% of the export's time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


HEADER_COLUMNS = (
    Decision.id, Decision.case_reference, Decision.author_id, Decision.decided_at, Decision.changed_on, Decision.decision_type,
)


def build_views(
    session: Session,
    policy: Policy,
    calendar: WorkingCalendar,
    headers: Sequence,
    tz: ZoneInfo = DEFAULT_TZ,
    *,
    id_query=None,
) -> list[DecisionView]:
    """Views of many decisions with three bulk queries (versions, actions, names), in the order given.

    `headers` are Decision objects or rows of HEADER_COLUMNS; `id_query` (a select of Decision.id matching
    them) lets the database filter versions and actions itself instead of receiving long id lists.
    """
    ids = [h.id for h in headers]
    versions: dict[int, list] = {pk: [] for pk in ids}
    actions: dict[int, list] = {}
    v_cols = (
        DecisionVersion.id, DecisionVersion.decision_id, DecisionVersion.version, DecisionVersion.change,
        DecisionVersion.author_id, DecisionVersion.created_at, DecisionVersion.reason, DecisionVersion.decision_type,
        DecisionVersion.decision, DecisionVersion.rationale, DecisionVersion.risk, DecisionVersion.child_voice,
        DecisionVersion.maker_role, DecisionVersion.recorded_at, DecisionVersion.recorded_system,
        DecisionVersion.recorded_by, DecisionVersion.hash,
    )
    a_cols = (DecisionAction.version_id, DecisionAction.position, DecisionAction.text, DecisionAction.owner_id, DecisionAction.due_on)
    names = dict(session.execute(select(Staff.staff_id, Staff.name)).tuples().all())
    filters = [id_query] if id_query is not None else list(_chunks(ids))
    for chosen in filters if ids else ():
        version_rows = session.execute(
            select(*v_cols).where(DecisionVersion.decision_id.in_(chosen)).order_by(DecisionVersion.decision_id, DecisionVersion.version)
        )
        for row in version_rows.tuples():
            if row[1] in versions:
                versions[row[1]].append(row)
        action_rows = session.execute(
            select(*a_cols).where(DecisionAction.decision_id.in_(chosen)).order_by(DecisionAction.version_id, DecisionAction.position)
        )
        for version_id, position, text, owner_id, due_on in action_rows.tuples():
            actions.setdefault(version_id, []).append(
                ActionView(position, text, owner_id, names.get(owner_id, owner_id), due_on)
            )
    rules = policy.decisions
    types = {t.key: t for t in rules.types}
    deadlines: dict[tuple[date, str], date] = {}
    views = []
    for header in headers:
        kind = types.get(header.decision_type)
        deadline_key = (header.changed_on, header.decision_type)
        if deadline_key not in deadlines:
            deadlines[deadline_key] = record_deadline(header.changed_on, kind, calendar)
        version_views = tuple(
            VersionView(
                version, change, author_id, created_at.astimezone(tz), reason, decision_type, decision, rationale, risk,
                child_voice, maker_role, recorded_at.astimezone(tz) if recorded_at else None, recorded_system,
                recorded_by, tuple(actions.get(version_id, ())), hash_,
            )
            for (
                version_id, _, version, change, author_id, created_at, reason, decision_type, decision, rationale, risk,
                child_voice, maker_role, recorded_at, recorded_system, recorded_by, hash_,
            ) in versions[header.id]
        )
        views.append(
            DecisionView(
                id=format_decision_id(header.id),
                case_reference=header.case_reference,
                type=header.decision_type,
                type_label=kind.label if kind else header.decision_type,
                decided_by=header.author_id,
                decided_by_name=names.get(header.author_id, header.author_id),
                decided_at=header.decided_at.astimezone(tz),
                record_by=deadlines[deadline_key],
                record_within_working_days=kind.record_within_working_days if kind else 5,
                case_system=rules.case_system,
                versions=version_views,
            )
        )
    return views


def _visible_authors(session: Session, viewer_id: str | None, admin_ids: Iterable[str]) -> set[str] | None:
    """Authors whose decisions `viewer_id` may see; None means everyone (admins, or the operator CLI)."""
    if viewer_id is None:
        return None
    get_staff(session, viewer_id)
    if viewer_id in set(admin_ids):
        return None
    return {viewer_id} | everyone_managed_by(session, viewer_id)


def show_decision(
    session: Session,
    policy: Policy,
    calendar: WorkingCalendar,
    decision_id: str | int,
    viewer_id: str | None,
    *,
    admin_ids: Iterable[str] = (),
    operator: bool = False,
    tz: ZoneInfo = DEFAULT_TZ,
) -> DecisionView:
    """One decision, if `viewer_id` may see it (author, their line managers, admins); `operator` skips the check."""
    header = get_decision(session, decision_id)
    if not operator and not can_view(session, viewer_id, header.author_id, admin_ids):
        raise Forbidden(f"{viewer_id or 'nobody'} may not see {header.public_id}")
    return build_views(session, policy, calendar, [header], tz)[0]


def list_decisions(
    session: Session,
    policy: Policy,
    calendar: WorkingCalendar,
    viewer_id: str | None,
    *,
    admin_ids: Iterable[str] = (),
    operator: bool = False,
    since: date | None = None,
    case_reference: str | None = None,
    unrecorded_only: bool = False,
    tz: ZoneInfo = DEFAULT_TZ,
) -> list[DecisionView]:
    """Decisions the viewer may see, oldest first; `since` keeps those made or changed on or after that date."""
    if viewer_id is None and not operator:
        raise Forbidden("say who is asking")
    query = select(*HEADER_COLUMNS).order_by(Decision.id)
    authors = None if operator and viewer_id is None else _visible_authors(session, viewer_id, admin_ids)
    if authors is not None:
        query = query.where(Decision.author_id.in_(sorted(authors)))
    if since is not None:
        query = query.where((Decision.decided_on >= since) | (Decision.changed_on >= since) | (Decision.updated_at >= datetime(since.year, since.month, since.day, tzinfo=tz)))
    if case_reference:
        query = query.where(Decision.case_reference == case_reference.strip())
    if unrecorded_only:
        query = query.where(Decision.recorded_at.is_(None))
    id_query = query.with_only_columns(Decision.id).order_by(None)
    with _bulk_allocation():
        headers = list(session.execute(query))
        return build_views(session, policy, calendar, headers, tz, id_query=id_query)


def export_json(views: Sequence[DecisionView]) -> str:
    """The JSON export: an array of decision objects with their full history."""
    with _bulk_allocation():
        return json.dumps([v.as_json() for v in views], ensure_ascii=False)  # compact, so the C encoder is used


CSV_COLUMNS = (
    "id", "case_reference", "type", "decision", "rationale", "risk", "child_voice", "actions", "decided_by",
    "decision_maker_role", "decided_at", "record_by", "recorded_on_file", "recorded_at", "recorded_system",
    "version", "history",
)


def export_csv(views: Sequence[DecisionView]) -> str:
    """The CSV export: UTF-8 with a BOM and CRLF rows so Excel opens it cleanly; formulas neutralised."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    with _bulk_allocation():
        _write_csv_rows(writer, views)
    return out.getvalue()


def _write_csv_rows(writer, views: Sequence[DecisionView]) -> None:
    for view in views:
        now = view.current
        history = "\n".join(
            f"v{v.version} {v.at.isoformat(timespec='minutes')} {v.change} by {v.author_id}" + (f": {v.reason}" if v.reason else "")
            for v in view.versions
        )
        actions = "\n".join(f"{a.text} | {a.owner_id} | {a.due.isoformat()}" for a in now.actions)
        row = (
            view.id, view.case_reference, view.type_label, now.decision, now.rationale, now.risk, now.child_voice,
            actions, view.decided_by, now.maker_role, view.decided_at.isoformat(timespec="minutes"),
            view.record_by.isoformat(), "yes" if now.recorded_at else "no",
            now.recorded_at.isoformat(timespec="minutes") if now.recorded_at else "", now.recorded_system or "",
            now.version, history,
        )
        writer.writerow([excel_safe(cell) for cell in row])


# ---- verifying the chain ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    decision_id: str
    version: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.decision_id} version {self.version}" if self.version is not None else self.decision_id
        return f"{where}: {self.problem}"


def verify_chain(session: Session) -> tuple[int, list[ChainProblem]]:
    """Recompute every version's hash; (versions checked, problems) - tampering shows as a named problem."""
    problems: list[ChainProblem] = []
    checked = 0
    headers = list(session.scalars(select(Decision).order_by(Decision.id)))
    by_id = {h.id: h for h in headers}
    for chunk in _chunks([h.id for h in headers], 500):
        versions: dict[int, list[DecisionVersion]] = {pk: [] for pk in chunk}
        for v in session.scalars(select(DecisionVersion).where(DecisionVersion.decision_id.in_(chunk)).order_by(DecisionVersion.version)):
            versions[v.decision_id].append(v)
        actions: dict[int, list[DecisionAction]] = {}
        for a in session.scalars(select(DecisionAction).where(DecisionAction.decision_id.in_(chunk))):
            actions.setdefault(a.version_id, []).append(a)
        for pk in chunk:
            header, chain = by_id[pk], versions[pk]
            public = format_decision_id(pk)
            numbers = [v.version for v in chain]
            if numbers != list(range(1, len(chain) + 1)):
                problems.append(ChainProblem(public, None, f"versions are not 1..{len(chain)} (found {numbers})"))
            if header.latest_version != len(chain):
                problems.append(ChainProblem(public, None, f"says it has {header.latest_version} versions but {len(chain)} are stored"))
            prev = GENESIS_HASH
            for v in chain:
                checked += 1
                if v.prev_hash != prev:
                    problems.append(ChainProblem(public, v.version, "does not follow the version before it (previous hash differs)"))
                if chain_hash(v.prev_hash, version_content(header, v, actions.get(v.id, []))) != v.hash:
                    problems.append(ChainProblem(public, v.version, "content does not match its hash (changed after it was written)"))
                prev = v.hash
            if chain:
                last = chain[-1]
                if _iso(header.recorded_at) != _iso(last.recorded_at) or header.decision_type != last.decision_type:
                    problems.append(ChainProblem(public, last.version, "the decision's summary row differs from its latest version"))
    return checked, problems


# ---- chat flows: the form, quick capture, replies, the case note ------------------------------------------


def decision_form(policy: Policy, prefill: Mapping[str, str] | None = None) -> Form:
    """The oversight decision form (Slack modal / Teams card): case, type, decision, rationale, risk, voice, actions."""
    rules = policy.decisions
    values = dict(prefill or {})
    fields = [
        FormField("case_ref", "Case reference", "text", initial=values.get("case_ref"), max_length=rules.max_case_reference,
                  placeholder="e.g. LCS204815", hint=f"The case number only, never the child's name: {rules.case_reference_hint}"),
        FormField("type", "Type of decision", "select", options=tuple(Option(t.label, t.key) for t in rules.types),
                  initial=values.get("type")),
        FormField("decision", "Decision", "multiline", initial=values.get("decision"), max_length=rules.max_text),
        FormField("rationale", "Rationale", "multiline", initial=values.get("rationale"), max_length=rules.max_text,
                  hint="Why: the evidence and analysis behind the decision"),
        FormField("risk", "Risk considered", "multiline", required=False, initial=values.get("risk"), max_length=rules.max_text),
        FormField("child_voice", "Child's voice", "multiline", required=False, initial=values.get("child_voice"),
                  max_length=rules.max_text, hint="What the child wants, in their words, or why it could not be sought"),
    ]
    for n in range(1, FORM_ACTION_SLOTS + 1):
        fields += [
            FormField(f"action{n}_text", f"Action {n}", "text", required=False, initial=values.get(f"action{n}_text"),
                      max_length=rules.max_action_text, hint="Specific and measurable: what will be done" if n == 1 else None),
            FormField(f"action{n}_owner", f"Action {n}: who", "staff", required=False, initial=values.get(f"action{n}_owner")),
            FormField(f"action{n}_due", f"Action {n}: by when", "date", required=False, initial=values.get(f"action{n}_due")),
        ]
    return Form(FORM_ID, "Oversight decision", tuple(fields), submit_label="Save decision")


def store_decision(session: Session, policy: Policy, request: Request, values: Mapping[str, str]) -> Decision:
    """Validate form values and store the decision as the asker's; InvalidInput lists every bad field."""
    today = request.now.date()
    _author_in_post(session, request.staff_id, today)
    draft = validate_decision(session, policy, values, today)
    return record_decision(session, request.staff_id, request.now, draft)


def submit_decision(session: Session, policy: Policy, calendar: WorkingCalendar, request: Request, values: Mapping[str, str]) -> Reply:
    """Validate and store a decision from the form; InvalidInput(errors={field: message}) lists every bad field."""
    header = store_decision(session, policy, request, values)
    view = build_views(session, policy, calendar, [header], request.now.tzinfo or DEFAULT_TZ)[0]
    return saved_reply(view, policy)


def quick_capture_values(policy: Policy, line: str) -> dict[str, str]:
    """Form values from one line; the type defaults to the policy's quick-capture type (a case consultation)."""
    parsed = parse_quick_capture(line)
    return {
        "case_ref": parsed.case_ref,
        "type": parsed.type or policy.decisions.quick_capture_type,
        "decision": parsed.decision,
        "rationale": parsed.rationale,
    }


def quick_capture(session: Session, policy: Policy, calendar: WorkingCalendar, request: Request, line: str) -> Reply:
    """Store a decision from one line: `LCS204815: step down to early help because risks reduced`."""
    return submit_decision(session, policy, calendar, request, quick_capture_values(policy, line))


def mark_recorded_button(decision_id: str) -> Button:
    return Button("Mark recorded on file", MARK_RECORDED_ACTION, value=decision_id, style="primary")


def saved_reply(view: DecisionView, policy: Policy) -> Reply:
    """What the manager sees after saving: the deadline, the paste-ready case note and the mark-recorded button."""
    days = view.record_within_working_days
    heading = f"Decision {view.id} saved for case {view.case_reference}."
    when = (
        f"Paste it into {view.case_system} by {view.record_by:%a %d %b %Y} "
        f"({view.type_label.lower()} decisions: within {days} working day{'s' if days != 1 else ''}), then mark it recorded."
    )
    return Reply(
        parts=(Text(heading, "heading"), Text(when, "muted"), Text(case_note(view)), Actions((mark_recorded_button(view.id),))),
        summary=heading,
        ephemeral=True,
    )


def decision_reply(view: DecisionView) -> Reply:
    """One decision as a reply: its case note and, until recorded, the mark-recorded button."""
    buttons = () if view.recorded else (mark_recorded_button(view.id),)
    parts = (Text(f"Decision {view.id}, case {view.case_reference}", "heading"), Text(case_note(view)))
    return Reply(parts=parts + ((Actions(buttons),) if buttons else ()), summary=f"Decision {view.id}", ephemeral=True)


def decisions_to_record(views: Sequence[DecisionView], today: date) -> Reply:
    """The "decisions to record" list (App Home, console): unrecorded decisions with their deadlines."""
    items = tuple(
        Item(
            f"{v.id} case {v.case_reference}: {v.type_label}",
            detail=("overdue since " if v.record_by < today else "record by ") + f"{v.record_by:%a %d %b}",
            buttons=(mark_recorded_button(v.id),),
        )
        for v in views
        if not v.recorded
    )
    return Reply(parts=(ItemList("Decisions to record", items, empty_text="Nothing waiting to be recorded."),), summary=f"{len(items)} decisions to record")


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def case_note(decision: DecisionView) -> str:
    """Paste-ready plain text laid out like a council's management decision record (for LCS or Mosaic)."""
    d = decision
    now = d.current
    lines = [
        "MANAGEMENT OVERSIGHT DECISION RECORD",
        "",
        f"Case reference: {d.case_reference}",
        f"Decision reference: {d.id} (version {now.version})",
        f"Type of decision: {d.type_label}",
        f"Date and time of decision: {_uk(d.decided_at.date())} {d.decided_at:%H:%M}",
        f"Decision made by: {d.decided_by_name} ({now.maker_role.replace('_', ' ')})",
        "",
        "DECISION:",
        now.decision,
        "",
        "RATIONALE (why this decision; evidence and analysis considered):",
        now.rationale,
        "",
        "RISK CONSIDERED:",
        now.risk or "Not recorded.",
        "",
        "CHILD'S VOICE (wishes and feelings, or why they could not be sought):",
        now.child_voice or "Not recorded.",
        "",
        "ACTIONS (what, who, by when):",
    ]
    if now.actions:
        lines += [f"{a.position}. {a.text} | Who: {a.owner_name} | By: {_uk(a.due)}" for a in now.actions]
    else:
        lines.append("None.")
    amendments = [v for v in d.versions if v.change == "amended"]
    if amendments:
        lines += ["", "AMENDMENTS:"]
        lines += [f"Version {v.version}, {_uk(v.at.date())} {v.at:%H:%M}, by {v.author_id}: {v.reason}" for v in amendments]
    if now.recorded_at is not None:
        lines += ["", f"Recorded on {now.recorded_system} on {_uk(now.recorded_at.date())} by {now.recorded_by}."]
    else:
        lines += ["", f"To be recorded on the child's file by {_uk(d.record_by)}."]
    return "\n".join(lines)


# ---- nudges ---------------------------------------------------------------------------------------------


def decision_nudges(session, policy, calendar, day: date) -> list[Nudge]:
    """`decision_unrecorded` nudges (deadline reached, not on file) and `decision_action_due` reminders for `day`.

    An author who has left is replaced by their nearest line manager in post; so is an action owner.
    """
    rules = policy.decisions
    nudges: list[Nudge] = []
    unrecorded = session.execute(
        select(Decision.id, Decision.author_id, Decision.decision_type, Decision.changed_on, Decision.case_reference)
        .where(Decision.recorded_at.is_(None), Decision.changed_on <= day)
        .order_by(Decision.id)
    )
    for pk, author_id, type_key, changed_on, case_reference in unrecorded:
        kind = rules.type_for(type_key)
        deadline = record_deadline(changed_on, kind, calendar)
        if day < deadline:
            continue
        label = kind.label if kind else type_key
        late = "today" if day == deadline else f"by {deadline:%a %d %b}, now overdue"
        cite = kind.cite if kind and kind.cite else rules.cite
        nudges.append(
            Nudge(
                recipient=acting_for(session, author_id, day),
                kind="decision_unrecorded",
                subject=format_decision_id(pk),
                due=deadline,
                detail=f"Record {label.lower()} decision {format_decision_id(pk)} (case {case_reference}) on {rules.case_system}: due {late}",
                cite=f"{cite.document}, {cite.section}" if cite else "",
                query=cite.query if cite else "",
            )
        )
    due_days = [day]
    if calendar.is_working_day(day):  # remind on the working day before a due date that falls on a closed day
        following = calendar.next_working_day(day)
        due_days += [date.fromordinal(n) for n in range(day.toordinal() + 1, following.toordinal())]
    actions = session.execute(
        select(DecisionAction.decision_id, DecisionAction.owner_id, DecisionAction.text, DecisionAction.due_on, Decision.case_reference)
        .join(DecisionVersion, DecisionVersion.id == DecisionAction.version_id)
        .join(Decision, Decision.id == DecisionAction.decision_id)
        .where(DecisionVersion.version == Decision.latest_version, DecisionAction.due_on.in_(due_days))
        .order_by(DecisionAction.decision_id, DecisionAction.position)
    )
    grouped: dict[tuple[str, int], list] = {}
    for row in actions:
        grouped.setdefault((acting_for(session, row.owner_id, day), row.decision_id), []).append(row)
    cite = rules.cite
    for (recipient, pk), rows in grouped.items():
        texts = "; ".join(r.text if len(r.text) <= 120 else r.text[:117] + "..." for r in rows)
        nudges.append(
            Nudge(
                recipient=recipient,
                kind="decision_action_due",
                subject=format_decision_id(pk),
                due=min(r.due_on for r in rows),
                detail=f"Action due {min(r.due_on for r in rows):%a %d %b} from decision {format_decision_id(pk)} (case {rows[0].case_reference}): {texts}",
                cite=f"{cite.document}, {cite.section}" if cite else "",
                query=cite.query if cite else "",
            )
        )
    return nudges
