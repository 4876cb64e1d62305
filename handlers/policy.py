"""Policy profiles: the standards' timescales and rules as data (YAML), validated on load.

A profile may `extends:` another; its keys are merged over the parent's. Every rule that produces a
nudge carries a `cite` (document and section) so the nudge can say why it was sent.

Each feature owns its section model below; add fields there, with defaults, and in the YAML profiles.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


class SupervisionPolicy(_Section):
    """Owned by the supervision feature (issue 3)."""

    interval: str = "monthly"  # "monthly" or "every N days"
    cite: Citation | None = None


class MessagePolicy(_Section):
    """Owned by the replies feature (issue 3)."""

    reply_within_working_days: int = 2
    cite: Citation | None = None


class AbsencePolicy(_Section):
    """Owned by the absence feature (issue 3)."""

    update_day: int = 4
    fit_note_day: int = 8
    cite: Citation | None = None


class RecordingPolicy(_Section):
    """Owned by issue 3: how fast supervision notes / consultations must be recorded."""

    supervision_notes_working_days: int = 5
    case_consultation_working_days: int = 1
    cite: Citation | None = None


class DecisionPolicy(_Section):
    """Owned by the decisions feature (issue 4)."""

    case_reference_pattern: str = r"^(?:[A-Za-z]{2,5}-?\d{4,12}|\d{4,12})$"
    case_reference_hint: str = "2-5 letters, an optional hyphen and 4-12 digits (LCS204815, MOS-1234), or 4-12 digits"
    retention_years: int = 25
    cite: Citation | None = None


class KnowledgePolicy(_Section):
    """Owned by the knowledge feature (issue 2)."""

    gap_retention_days: int = 90


class DigestPolicy(_Section):
    """Owned by the scheduler (issue 7)."""

    send_time: str = "08:30"
    repeat_every_working_days: int = 2


class AgendaPolicy(_Section):
    """Owned by the agenda feature (issue 7)."""

    post_working_days_before: int = 1
    items: tuple[str, ...] = ()


class Policy(_Section):
    name: str
    organisation: str = ""
    nation: Literal["ENG", "WLS", "SCT", "NIR"] = "ENG"
    supervision: SupervisionPolicy = Field(default_factory=SupervisionPolicy)
    messages: MessagePolicy = Field(default_factory=MessagePolicy)
    absence: AbsencePolicy = Field(default_factory=AbsencePolicy)
    recording: RecordingPolicy = Field(default_factory=RecordingPolicy)
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
