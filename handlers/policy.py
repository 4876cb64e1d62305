"""Policy profiles: the standards' timescales and rules as data (YAML), validated on load.

A profile may `extends:` another; its keys are merged over the parent's. Every rule that produces a
nudge carries a `cite` (document and section) so the nudge can say why it was sent.

Each feature owns its section model below; add fields there, with defaults, and in the YAML profiles.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

PROFILES_DIR = Path(__file__).with_name("policies")
PROFILE_NAMES = ("default", "sefton", "wscc", "npt")


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the field."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Section):
    """Where a rule comes from, and the question that finds its passage in the knowledge base."""

    document: str
    section: str
    query: str = ""


# ---- sections (one per feature) ------------------------------------------------------------------


_INTERVAL_HELP = '"monthly", "weekly", "fortnightly", "annually", "every N days|weeks|months|years" or "none"'
_INTERVAL_PATTERN = r"^(monthly|weekly|fortnightly|annually|none|every [1-9]\d{0,3} (day|week|month|year)s?)$"


class NqswPhase(_Section):
    """One phase of a newly qualified social worker's supervision, counted from their ASYE start."""

    until_months: int = Field(ge=1, le=36)
    interval: str = Field(pattern=_INTERVAL_PATTERN)


class SupervisionPolicy(_Section):
    """Owned by the supervision feature (issue 3): how often each role is supervised, and reminders."""

    interval: str = Field(default="monthly", pattern=_INTERVAL_PATTERN)  # every role not listed in `roles`
    roles: dict[str, str] = Field(default_factory=dict)  # role -> interval ("none": not nudged)
    nqsw_phases: tuple[NqswPhase, ...] = ()  # in order; after the last phase the role's interval applies
    kinds_that_count: tuple[Literal["case", "welfare", "group"], ...] = ("case", "welfare")
    remind_working_days_before: int = Field(default=3, ge=0, le=20)
    cite: Citation | None = None
    nqsw_cite: Citation | None = None

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: dict[str, str]) -> dict[str, str]:
        from bot.storage.models.staff import ROLES  # noqa: PLC0415 - the one list of roles

        for role, interval in roles.items():
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
            if not re.match(_INTERVAL_PATTERN, interval):
                raise ValueError(f"role {role}: interval {interval!r} is not one of {_INTERVAL_HELP}")
        return roles


class MessagePolicy(_Section):
    """Owned by the replies feature (issue 3)."""

    reply_within_working_days: int = Field(default=2, ge=0, le=30)
    cite: Citation | None = None


class AbsencePolicy(_Section):
    """Owned by the absence feature (issue 3). Day N counts the first day of absence as day 1."""

    contact_day: int = Field(default=1, ge=1, le=30)
    update_day: int = Field(default=4, ge=1, le=60)
    fit_note_day: int = Field(default=8, ge=1, le=60)
    follow_up_days: int = Field(default=30, ge=1, le=365)  # return-to-work reminders stop after this many days
    cite: Citation | None = None
    rtw_cite: Citation | None = None


class RecordingPolicy(_Section):
    """Owned by issue 3: how fast supervision notes / consultations must be recorded."""

    supervision_notes_working_days: int = Field(default=5, ge=0, le=60)
    case_consultation_working_days: int = Field(default=1, ge=0, le=60)
    nudge_unrecorded_notes: bool = False  # only useful when notes dates are recorded (`--notes-recorded`)
    cite: Citation | None = None


class ReviewPolicy(_Section):
    """A periodic review (supervision agreement, observation of practice, PDR): how often and how soon first."""

    interval: str = Field(default="annually", pattern=_INTERVAL_PATTERN)
    first_due_after: str = Field(default="every 1 months", pattern=_INTERVAL_PATTERN)  # from start / joining
    deadline: str | None = Field(default=None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")  # MM-DD
    cycle_starts: str = Field(default="04-01", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
    remind_working_days_before: int = Field(default=10, ge=0, le=60)
    roles: tuple[str, ...] = ()  # roles it applies to; empty: everyone with a line manager
    cite: Citation | None = None


class EscalationPolicy(_Section):
    """Owned by issue 3: overdue items go to the manager's manager after this many working days."""

    after_working_days: int = Field(default=5, ge=1, le=60)
    cite: Citation | None = None


class DecisionType(_Section):
    """One kind of oversight decision and how soon it must reach the child's file."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: str
    record_within_working_days: int = Field(default=5, ge=0, le=60)
    cite: Citation | None = None


def _default_decision_types() -> tuple[DecisionType, ...]:
    npt_consult = Citation(
        document="NPT Supervision and Appraisal Policy 2015",
        section="5 A: urgent case decisions outside supervision recorded as a case consultation within one working day",
        query="urgent case decisions case consultation within one working day",
    )
    npt_supervision = Citation(
        document="NPT Supervision and Appraisal Policy 2015",
        section="5 A: all supervision decisions recorded within five working days",
        query="supervision decisions recorded within five working days",
    )
    sefton_allocation = Citation(
        document="Sefton Practice Standards for Managers 2023",
        section="Management Oversight: management direction recorded on the child's file at the point of allocation",
        query="management direction recorded at the point of allocation",
    )
    return (
        DecisionType(key="allocation_direction", label="Allocation direction", record_within_working_days=1, cite=sefton_allocation),
        DecisionType(key="case_supervision", label="Case supervision", record_within_working_days=5, cite=npt_supervision),
        DecisionType(key="case_consultation", label="Case consultation", record_within_working_days=1, cite=npt_consult),
        DecisionType(key="change_of_direction", label="Change of direction", record_within_working_days=1, cite=npt_consult),
        DecisionType(key="step_up_down", label="Step up / step down", record_within_working_days=5, cite=npt_supervision),
        DecisionType(key="closure", label="Closure", record_within_working_days=5, cite=npt_supervision),
        DecisionType(key="escalation", label="Escalation", record_within_working_days=1, cite=npt_consult),
        DecisionType(key="no_further_action", label="No further action / not proceeding", record_within_working_days=5, cite=npt_supervision),
        DecisionType(key="other", label="Other", record_within_working_days=5, cite=npt_supervision),
    )


class DecisionPolicy(_Section):
    """Owned by the decisions feature (issue 4): decision types, recording deadlines, case references, limits."""

    case_reference_pattern: str = r"^(?:[A-Za-z]{2,5}-?\d{4,12}|\d{4,12})$"
    case_reference_hint: str = "2-5 letters, an optional hyphen and 4-12 digits (LCS204815, MOS-1234), or 4-12 digits"
    case_system: str = "LCS"  # the case management system decisions are pasted into (LCS, Mosaic, SSIS...)
    types: tuple[DecisionType, ...] = Field(default_factory=_default_decision_types, min_length=1)
    quick_capture_type: str = "case_consultation"  # one-line captures are usually corridor or phone decisions
    retention_years: int = Field(default=25, ge=1, le=100)
    max_case_reference: int = Field(default=40, ge=4)
    max_text: int = Field(default=4000, ge=100)  # decision, rationale, risk, child's voice
    max_action_text: int = Field(default=500, ge=20)
    max_reason: int = Field(default=1000, ge=20)
    max_actions: int = Field(default=10, ge=1, le=50)
    cite: Citation | None = Citation(
        document="Sefton Practice Standards for Managers 2023",
        section="Management Oversight; Quality Assurance: smart management oversight with timescales and a clear rationale",
        query="smart management oversight timescales rationale for decisions",
    )

    def type_for(self, key: str) -> DecisionType | None:
        """The decision type with this key, if the policy has one."""
        return next((t for t in self.types if t.key == key), None)

    @field_validator("case_reference_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _types_are_consistent(self) -> DecisionPolicy:
        keys = [t.key for t in self.types]
        if len(set(keys)) != len(keys):
            raise ValueError("decision type keys must be unique")
        if self.quick_capture_type not in keys:
            raise ValueError(f"quick_capture_type {self.quick_capture_type!r} is not one of the decision types")
        return self


class KnowledgePolicy(_Section):
    """Owned by the knowledge feature (issue 2)."""

    gap_retention_days: int = 90


class DigestPolicy(_Section):
    """Owned by the scheduler (issue 7): when daily digests go out and how often an item repeats."""

    send_time: str = Field(default="08:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # An item appears on its first day, then again only after this many working days (the repeat cap).
    repeat_every_working_days: int = Field(default=2, ge=1)
    # Absence items go to the line manager only; the absent person is contacted only when this is true.
    notify_absent_person: bool = False
    max_attempts: int = Field(default=4, ge=1, le=10)
    backoff_seconds: float = Field(default=2.0, ge=0)
    # A digest stays readable (and within Slack's 50 blocks): the oldest items first, the rest on later days.
    max_items: int = Field(default=12, ge=1, le=20)


class AgendaPolicy(_Section):
    """Owned by the agenda feature (issue 7): the team-meeting agenda template and when it is posted."""

    title: str = "Team meeting"
    cadence: Literal["weekly", "monthly"] = "weekly"
    post_working_days_before: int = Field(default=1, ge=0)
    post_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    items: tuple[str, ...] = ()
    newsletter: str = ""  # e.g. "Sefton Scoop": discussed at every team meeting
    cite: Citation | None = None


class Policy(_Section):
    name: str
    organisation: str = ""
    nation: Literal["ENG", "WLS", "SCT", "NIR"] = "ENG"
    supervision: SupervisionPolicy = Field(default_factory=SupervisionPolicy)
    messages: MessagePolicy = Field(default_factory=MessagePolicy)
    absence: AbsencePolicy = Field(default_factory=AbsencePolicy)
    recording: RecordingPolicy = Field(default_factory=RecordingPolicy)
    agreements: ReviewPolicy = Field(default_factory=ReviewPolicy)
    observations: ReviewPolicy = Field(default_factory=ReviewPolicy)
    appraisals: ReviewPolicy = Field(default_factory=ReviewPolicy)
    escalation: EscalationPolicy = Field(default_factory=EscalationPolicy)
    decisions: DecisionPolicy = Field(default_factory=DecisionPolicy)
    knowledge: KnowledgePolicy = Field(default_factory=KnowledgePolicy)
    digest: DigestPolicy = Field(default_factory=DigestPolicy)
    agenda: AgendaPolicy = Field(default_factory=AgendaPolicy)


# ---- loading -------------------------------------------------------------------------------------


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path in seen:
        raise PolicyError(f"{path}: 'extends' goes round in a circle")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: a policy file must be a mapping of sections")
    parent = data.pop("extends", None)
    if parent:
        data = _merge(_read(_resolve(str(parent), relative_to=path.parent), (*seen, path)), data)
    return data


def _resolve(name_or_path: str, relative_to: Path | None = None) -> Path:
    if name_or_path in PROFILE_NAMES or (PROFILES_DIR / f"{name_or_path}.yaml").exists():
        return PROFILES_DIR / f"{name_or_path}.yaml"
    path = Path(name_or_path)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    if not path.exists():
        raise PolicyError(
            f"unknown policy {name_or_path!r}: use one of {', '.join(PROFILE_NAMES)} or a path to a YAML file"
        )
    return path


@lru_cache(maxsize=16)
def load_policy(name_or_path: str = "default") -> Policy:
    """Load and validate a profile by name or a policy YAML by path."""
    path = _resolve(name_or_path)
    data = _read(path)
    data.setdefault("name", path.stem)
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise PolicyError(f"{path}: invalid policy: {problems}") from exc
