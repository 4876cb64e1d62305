"""Team-meeting agendas: when a team meets, what its agenda prompt says, and adding items and actions.

West Sussex: "regular weekly team meetings, with a fixed agenda", team performance discussed there, and
"space at team meetings to recognise team members who have excelled" (Management Standards 2023, 1.2, 2.2,
2.5). Sefton: monthly team meetings, with the Sefton Scoop newsletter "discussed at every team meeting"
(Practice Standards for Managers 2023, section 3). The template itself is policy data (`agenda:`).
"""

from __future__ import annotations

import calendar as calendar_module
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.base import utcnow
from bot.storage.models import Staff, Team
from bot.storage.models.scheduler import AgendaItem, TeamAction, TeamMeeting
from handlers.calendar import WorkingCalendar
from handlers.digest import ABSENCE_KINDS, parse_time
from handlers.errors import Forbidden, InvalidInput, NotFound
from handlers.policy import Policy
from handlers.types import Actions, Button, FieldErrors, Form, FormField, FormPart, Item, ItemList, Nudge, Reply, Text

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PLATFORMS = ("slack", "teams")
CADENCES = ("weekly", "monthly")
MAX_TEXT = 500


# ---- pure date rules ----------------------------------------------------------------------------


def occurrence_on_or_after(weekday: int, cadence: str, day: date) -> date:
    """The first meeting date on or after `day`: every `weekday`, or the first such weekday of each month."""
    if cadence == "weekly":
        return day + timedelta(days=(weekday - day.weekday()) % 7)
    year, month = day.year, day.month
    while True:
        first = date(year, month, 1)
        candidate = first + timedelta(days=(weekday - first.weekday()) % 7)
        if candidate >= day:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def next_meeting(weekday: int, cadence: str, day: date, calendar: WorkingCalendar) -> date:
    """The next meeting on or after `day` that falls on a working day (a bank-holiday meeting is skipped)."""
    candidate = occurrence_on_or_after(weekday, cadence, day)
    for _ in range(60):
        if calendar.is_working_day(candidate):
            return candidate
        candidate = occurrence_on_or_after(weekday, cadence, candidate + timedelta(days=1))
    return candidate


def post_date(meeting_date: date, calendar: WorkingCalendar, working_days_before: int) -> date:
    """When the agenda prompt is posted: `working_days_before` working days before the meeting."""
    day = meeting_date
    for _ in range(working_days_before):
        day = calendar.previous_working_day(day)
    return day


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# ---- team meeting settings ----------------------------------------------------------------------


def parse_weekday(value: str) -> int:
    text = (value or "").strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if text in (name, name[:3]):
            return index
    raise InvalidInput(f"day: {value!r} is not a weekday (monday … sunday)", field="day")


def get_team(session: Session, team_id: str) -> Team:
    team = session.get(Team, team_id) if team_id else None
    if team is None:
        raise NotFound(f"unknown team {team_id!r}", field="team")
    return team


def configure_meeting(
    session: Session,
    team_id: str,
    policy: Policy,
    *,
    channel: str | None = None,
    platform: str | None = None,
    day: str | None = None,
    time: str | None = None,
    cadence: str | None = None,
) -> TeamMeeting:
    """Create or change a team's meeting: channel (Slack channel id or Teams conversation id), day, time."""
    get_team(session, team_id)
    if platform is not None and platform not in PLATFORMS:
        raise InvalidInput(f"platform: {platform!r} is not one of {', '.join(PLATFORMS)}", field="platform")
    if cadence is not None and cadence not in CADENCES:
        raise InvalidInput(f"every: {cadence!r} is not one of {', '.join(CADENCES)}", field="every")
    if channel is not None and not channel.strip():
        raise InvalidInput("channel: must not be empty", field="channel")
    weekday = parse_weekday(day) if day else None
    meeting_time = parse_time(time, "time") if time else None
    meeting = session.get(TeamMeeting, team_id)
    if meeting is None:
        if not channel:
            raise InvalidInput("channel: a new team meeting needs --channel", field="channel")
        meeting = TeamMeeting(
            team_id=team_id,
            platform=platform or ("slack" if channel.strip()[:1] in ("C", "G") else "teams"),
            channel=channel.strip(),
            weekday=1 if weekday is None else weekday,
            meeting_time=meeting_time or "10:00",
            cadence=cadence or policy.agenda.cadence,
        )
        session.add(meeting)
    else:
        meeting.channel = channel.strip() if channel else meeting.channel
        meeting.platform = platform or meeting.platform
        meeting.weekday = meeting.weekday if weekday is None else weekday
        meeting.meeting_time = meeting_time or meeting.meeting_time
        meeting.cadence = cadence or meeting.cadence
    session.flush()
    return meeting


def _clean_text(value: str | None, field: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InvalidInput(f"{field}: must not be empty", field=field)
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{field}: at most {MAX_TEXT} characters", field=field)
    return text


def meeting_for_day(session: Session, team_id: str, day: date, policy: Policy, calendar: WorkingCalendar) -> date:
    """The date of the team's next meeting on or after `day` (the policy's cadence on Tuesdays if unset)."""
    meeting = session.get(TeamMeeting, team_id)
    weekday, cadence = (meeting.weekday, meeting.cadence) if meeting else (1, policy.agenda.cadence)
    return next_meeting(weekday, cadence, day, calendar)


def add_agenda_item(
    session: Session, team_id: str, text: str, today: date, policy: Policy, calendar: WorkingCalendar,
    *, added_by: str | None = None, meeting_date: date | None = None,
) -> AgendaItem:
    """Add an item to the team's next meeting (or the given meeting date)."""
    get_team(session, team_id)
    clean = _clean_text(text, "text")
    when = meeting_date or meeting_for_day(session, team_id, today, policy, calendar)
    if when < today:
        raise InvalidInput(f"date: the meeting on {when.isoformat()} has already happened", field="date")
    item = AgendaItem(team_id=team_id, meeting_date=when, text=clean, added_by=added_by)
    session.add(item)
    session.flush()
    return item


def add_team_action(
    session: Session, team_id: str, text: str, owner_id: str, due: date, today: date,
    *, added_by: str | None = None,
) -> TeamAction:
    """Record an action with an owner and a due date; it appears on each agenda until done."""
    get_team(session, team_id)
    clean = _clean_text(text, "text")
    errors = {}
    if not owner_id or session.get(Staff, owner_id) is None:
        errors["owner"] = f"unknown staff id {owner_id!r}"
    if due < today:
        errors["due"] = f"{due.isoformat()} is in the past"
    if errors:
        field, message = next(iter(errors.items()))
        raise InvalidInput(f"{field}: {message}", field=field, errors=errors)
    action = TeamAction(team_id=team_id, text=clean, owner_id=owner_id, due=due, raised_on=today, added_by=added_by)
    session.add(action)
    session.flush()
    return action


def mark_action_done(session: Session, staff_id: str, value: str) -> Reply:
    """The `agenda.action_done` button: a member of the action's team (or its owner) marks it done."""
    raw = (value or "").strip()
    number = raw[1:] if raw[:1].upper() == "A" else raw
    if not number.isdigit():
        raise InvalidInput("this button does not name an action", field="value")
    action = session.get(TeamAction, int(number))
    if action is None:
        raise NotFound(f"unknown action {raw}", field="action")
    person = session.get(Staff, staff_id) if staff_id else None
    if person is None or (person.team_id != action.team_id and action.owner_id != staff_id):
        raise Forbidden("only the team or the action's owner can mark it done")
    complete_action(session, action.id)
    return Reply.text(f"Done: {action.text}", ephemeral=True)


def complete_action(session: Session, action_id: int) -> TeamAction:
    action = session.get(TeamAction, action_id)
    if action is None:
        raise NotFound(f"unknown action {action_id}", field="action")
    if action.done_at is None:
        action.done_at = utcnow()
    return action


# ---- building the agenda ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenAction:
    id: str
    text: str
    owner_id: str | None
    owner_name: str | None
    due: date | None
    source: str  # "meeting": an action agreed at a team meeting

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "owner": self.owner_id,
            "owner_name": self.owner_name,
            "due": self.due.isoformat() if self.due else None,
            "source": self.source,
        }


@dataclass(frozen=True)
class Agenda:
    team_id: str
    team_name: str
    title: str
    meeting_date: date
    meeting_time: str
    post_on: date
    platform: str | None
    channel: str | None
    template: tuple[str, ...]
    added_items: tuple[str, ...]
    actions: tuple[OpenAction, ...]
    figures: Mapping[str, int] | None
    newsletter: str = ""
    cite: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict:
        return {
            "team": self.team_id,
            "team_name": self.team_name,
            "title": self.title,
            "meeting_date": self.meeting_date.isoformat(),
            "meeting_time": self.meeting_time,
            "post_on": self.post_on.isoformat(),
            "platform": self.platform,
            "channel": self.channel,
            "items": list(self.template),
            "added_items": list(self.added_items),
            "open_actions": [a.as_json() for a in self.actions],
            "figures": dict(self.figures) if self.figures is not None else None,
            "celebrating_success": True,
            "newsletter": self.newsletter or None,
            "cite": self.cite or None,
        }


def team_figures(session: Session, team_id: str, nudges: list[Nudge]) -> dict[str, int]:
    """The week's counts for a team (no names): supervisions overdue, replies owed, absences open."""
    members = set(session.scalars(select(Staff.staff_id).where(Staff.team_id == team_id, Staff.left_on.is_(None))))
    overdue = {n.subject for n in nudges if n.kind == "supervision_overdue" and n.subject in members}
    replies = {n.subject for n in nudges if n.kind == "message_unanswered" and n.recipient in members}
    absences = {n.subject for n in nudges if n.kind in ABSENCE_KINDS and n.subject in members}
    return {"supervisions_overdue": len(overdue), "replies_owed": len(replies), "absences_open": len(absences)}


def build_agenda(
    session: Session,
    team_id: str,
    day: date,
    policy: Policy,
    calendar: WorkingCalendar,
    nudges: list[Nudge] | None = None,
) -> Agenda:
    """The agenda prompt for the team's next meeting on or after `day` (unknown team: NotFound)."""
    team = get_team(session, team_id)
    meeting = session.get(TeamMeeting, team_id)
    meeting_date = meeting_for_day(session, team_id, day, policy, calendar)
    items = tuple(
        session.scalars(
            select(AgendaItem.text)
            .where(AgendaItem.team_id == team_id, AgendaItem.meeting_date == meeting_date)
            .order_by(AgendaItem.id)
        )
    )
    actions = []
    for action in session.scalars(
        select(TeamAction)
        .where(TeamAction.team_id == team_id, TeamAction.done_at.is_(None))
        .order_by(TeamAction.due, TeamAction.id)
    ):
        owner = session.get(Staff, action.owner_id) if action.owner_id else None
        actions.append(
            OpenAction(
                id=f"A{action.id}",
                text=action.text,
                owner_id=action.owner_id,
                owner_name=owner.name if owner else None,
                due=action.due,
                source="meeting",
            )
        )
    # Actions of oversight decisions are deliberately not carried here: the agenda is posted to the whole
    # team's channel, and a decision (its case reference and actions) may only be seen by its author, their
    # line managers and admins. Their owners get them in their own daily digest (`decision_action_due`).
    cite = policy.agenda.cite
    return Agenda(
        team_id=team.team_id,
        team_name=team.name,
        title=policy.agenda.title,
        meeting_date=meeting_date,
        meeting_time=meeting.meeting_time if meeting else "",
        post_on=post_date(meeting_date, calendar, policy.agenda.post_working_days_before),
        platform=meeting.platform if meeting else None,
        channel=meeting.channel if meeting else None,
        template=tuple(policy.agenda.items),
        added_items=items,
        actions=tuple(actions),
        figures=team_figures(session, team_id, nudges) if nudges is not None else None,
        newsletter=policy.agenda.newsletter,
        cite=f"{cite.document}, {cite.section}" if cite else "",
    )


def _long_date(day: date) -> str:
    return f"{calendar_module.day_name[day.weekday()]} {day.day} {calendar_module.month_name[day.month]} {day.year}"


def _action_detail(action: OpenAction) -> str:
    parts = [
        action.owner_name or action.owner_id or "",
        f"due {action.due.isoformat()}" if action.due else "",
    ]
    return ", ".join(p for p in parts if p)


def _action_buttons(action: OpenAction) -> tuple[Button, ...]:
    """Meeting actions can be closed from the agenda."""
    return (Button("Done", "agenda.action_done", action.id),)


def render_agenda(agenda: Agenda) -> Reply:
    """The agenda prompt as a neutral reply: template, added items, open actions, figures, celebrating success."""
    when = _long_date(agenda.meeting_date) + (f" at {agenda.meeting_time}" if agenda.meeting_time else "")
    parts: list = [Text(f"{agenda.title}: {agenda.team_name}, {when}", style="heading")]
    parts.append(ItemList("Agenda", tuple(Item(t) for t in agenda.template), empty_text="(no fixed agenda set)"))
    parts.append(
        ItemList(
            "Items added by the team",
            tuple(Item(t) for t in agenda.added_items),
            empty_text="None yet: add one below.",
        )
    )
    parts.append(
        ItemList(
            "Open actions carried forward",
            tuple(Item(a.text, _action_detail(a), buttons=_action_buttons(a)) for a in agenda.actions),
            empty_text="No open actions.",
        )
    )
    if agenda.figures is not None:
        f = agenda.figures
        parts.append(
            ItemList(
                "This week's figures (counts only)",
                (
                    Item(f"Supervisions overdue: {f['supervisions_overdue']}"),
                    Item(f"Replies owed: {f['replies_owed']}"),
                    Item(f"Absences open: {f['absences_open']}"),
                ),
            )
        )
    if agenda.newsletter:
        parts.append(Text(f"Discuss this month's {agenda.newsletter}.", style="plain"))
    parts.append(Text("Celebrating success: who has excelled recently? Bring a thank-you or a nomination.", style="plain"))
    value = f"{agenda.team_id}|{agenda.meeting_date.isoformat()}"
    parts.append(Actions((Button("Add an agenda item", "agenda.add_item", value), Button("Add an action", "agenda.add_action", value))))
    if agenda.cite:
        parts.append(Text(agenda.cite, style="muted"))
    return Reply(parts=tuple(parts), summary=f"{agenda.title} agenda for {agenda.team_name}, {when}")


# ---- forms from the message buttons -------------------------------------------------------------


def _parse_agenda_value(value: str) -> tuple[str, date]:
    team_id, _, raw = (value or "").partition("|")
    try:
        return team_id, date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("this button does not name a team meeting", field="value") from None


def agenda_item_form(action_id: str, value: str) -> Form:
    """The form a button opens: `agenda.add_item` (one field) or `agenda.add_action` (text, owner, due)."""
    team_id, meeting_date = _parse_agenda_value(value)
    context = f"{team_id}|{meeting_date.isoformat()}"
    if action_id == "agenda.add_item":
        return Form(
            form_id="agenda.item_form",
            title="Add an agenda item",
            fields=(FormField("text", "Agenda item", "multiline", max_length=MAX_TEXT),),
            submit_label="Add",
            context=context,
        )
    if action_id == "agenda.add_action":
        return Form(
            form_id="agenda.action_form",
            title="Add an action",
            fields=(
                FormField("text", "Action", "multiline", max_length=MAX_TEXT),
                FormField("owner", "Owner", "staff"),
                FormField("due", "Due", "date"),
            ),
            submit_label="Add",
            context=context,
        )
    raise InvalidInput(f"unknown agenda action {action_id!r}", field="action_id")


def agenda_form_reply(action_id: str, value: str) -> Reply:
    form = agenda_item_form(action_id, value)
    return Reply(parts=(FormPart(form),), summary=form.title, ephemeral=True)


def submit_agenda_item(
    session: Session,
    staff_id: str,
    form_id: str,
    values: Mapping[str, str],
    context: str,
    today: date,
    policy: Policy,
    calendar: WorkingCalendar,
) -> Reply:
    """Store a submitted agenda item or action; field errors come back as FieldErrors with the form."""
    team_id, meeting_date = _parse_agenda_value(context)
    action_id = "agenda.add_item" if form_id == "agenda.item_form" else "agenda.add_action" if form_id == "agenda.action_form" else ""
    if not action_id:
        raise InvalidInput(f"unknown form {form_id!r}", field="form_id")
    form = agenda_item_form(action_id, context)
    errors: dict[str, str] = {}
    text = " ".join((values.get("text") or "").split())
    if not text:
        errors["text"] = "Please write something."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"At most {MAX_TEXT} characters."
    if form_id == "agenda.item_form":
        if meeting_date < today:
            meeting_date = meeting_for_day(session, team_id, today, policy, calendar)
        if errors:
            return Reply(parts=(FieldErrors(errors, form, dict(values)),), summary="Please check the form.", ephemeral=True)
        add_agenda_item(session, team_id, text, today, policy, calendar, added_by=staff_id, meeting_date=meeting_date)
        return Reply.text(f"Added to the agenda for {_long_date(meeting_date)}.", ephemeral=True)
    owner = (values.get("owner") or "").strip()
    if not owner or session.get(Staff, owner) is None:
        errors["owner"] = "Choose a member of staff."
    due_raw = (values.get("due") or "").strip()
    due = None
    try:
        due = date.fromisoformat(due_raw)
        if due < today:
            errors["due"] = "The due date is in the past."
    except ValueError:
        errors["due"] = "Give a date (YYYY-MM-DD)."
    if errors:
        return Reply(parts=(FieldErrors(errors, form, dict(values)),), summary="Please check the form.", ephemeral=True)
    add_team_action(session, team_id, text, owner, due, today, added_by=staff_id)
    return Reply.text(f"Action added, due {due.isoformat()}; it will be on each agenda until done.", ephemeral=True)
