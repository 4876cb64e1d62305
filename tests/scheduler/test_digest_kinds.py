"""Every kind of nudge the engine produces has a digest heading, a place in the digest and a standard to open."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from scheduler_fakes import MONDAY

from handlers import nudges as engine
from handlers.digest import (
    KIND_HEADINGS,
    KIND_SECTIONS,
    apply_nudge_action,
    kind_heading,
    open_standard_value,
    parse_nudge_value,
    render_digest,
)
from handlers.policy import load_policy
from handlers.types import ItemList, Nudge

HANDLERS = Path(engine.__file__).resolve().parent


def _constructed_kinds() -> set[str]:
    """Every literal `kind=` of a `Nudge(...)` in handlers/, plus the review kinds built from a table."""
    from handlers.supervision import _REVIEWS

    kinds = {row[1] for row in _REVIEWS}
    for path in HANDLERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Nudge"):
                continue
            for keyword in node.keywords:
                if keyword.arg != "kind":
                    continue
                values = [keyword.value.body, keyword.value.orelse] if isinstance(keyword.value, ast.IfExp) else [keyword.value]
                kinds.update(v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return kinds


def test_the_engines_kind_list_names_every_kind_the_handlers_construct():
    constructed = _constructed_kinds()
    assert {"decision_action_due", "pdr_due", "supervision_notes_due", "supervision_overdue"} <= constructed
    assert constructed <= set(engine.KIND_ORDER), constructed - set(engine.KIND_ORDER)


@pytest.mark.parametrize("kind", engine.KIND_ORDER)
def test_every_engine_kind_has_a_heading_and_a_standard_to_open(kind):
    assert kind in KIND_HEADINGS, f"{kind} has no digest heading (handlers/digest.py KIND_HEADINGS)"
    assert kind_heading(kind) == KIND_HEADINGS[kind]
    assert kind in KIND_SECTIONS, f"{kind} has no policy section for 'Open the standard'"
    for profile in ("default", "sefton", "wscc", "npt"):
        cite = getattr(load_policy(profile), KIND_SECTIONS[kind]).cite
        assert cite is not None and cite.query, (profile, kind)


def _nudge(kind: str, query: str = "", recipient: str = "M1", subject: str = "W1") -> Nudge:
    return Nudge(recipient, kind, subject, date(2026, 11, 20), f"about {kind}", cite="Doc, section", query=query)


def test_a_digest_of_every_kind_reads_in_the_heading_order():
    nudges = [_nudge(kind) for kind in reversed(engine.KIND_ORDER)]
    reply = render_digest(nudges, MONDAY)
    titles = [part.title for part in reply.parts if isinstance(part, ItemList)]
    assert titles == [KIND_HEADINGS[k] for k in KIND_HEADINGS if k in engine.KIND_ORDER]
    assert len(titles) == len(engine.KIND_ORDER)


class SearchRecorder:
    """A knowledge index that records what was searched and finds nothing."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def search(self, query, limit=3):
        self.queries.append(query)
        return []


def _open(value: str, knowledge, policy):
    return apply_nudge_action(None, "M1", "nudge.open_standard", value, MONDAY, None, policy=policy, knowledge=knowledge)


def test_open_the_standard_searches_the_nudges_own_query_and_falls_back_to_the_section():
    policy = load_policy("default")
    own = _nudge("supervision_due", query="newly qualified social worker weekly supervision | first weeks")
    [open_button] = [b for b in render_digest([own]).parts[1].items[0].buttons if b.action_id == "nudge.open_standard"]
    assert open_button.value == open_standard_value(own)
    assert parse_nudge_value(open_button.value) == ("supervision_due", "W1", date(2026, 11, 20))

    knowledge = SearchRecorder()
    reply = _open(open_button.value, knowledge, policy)
    assert knowledge.queries == ["newly qualified social worker weekly supervision first weeks"]
    assert "/standard newly qualified social worker weekly supervision first weeks" in reply.plain_text()

    plain = _nudge("pdr_due")  # no query of its own: the policy section's citation
    assert open_standard_value(plain) == "pdr_due|W1|2026-11-20"
    _open(open_standard_value(plain), knowledge, policy)
    assert knowledge.queries[-1] == policy.appraisals.cite.query
    assert policy.appraisals.cite.section in _open(open_standard_value(plain), None, policy).plain_text()


def test_the_other_buttons_keep_the_short_value():
    own = _nudge("message_unanswered", query="all messages to be responded to within two working days")
    buttons = {b.action_id: b.value for b in render_digest([own]).parts[1].items[0].buttons}
    assert buttons["nudge.done"] == buttons["nudge.snooze_week"] == "message_unanswered|W1|2026-11-20"
    assert buttons["nudge.open_standard"].endswith("|all messages to be responded to within two working days")
