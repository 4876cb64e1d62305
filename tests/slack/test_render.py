"""The one Block Kit renderer: every neutral part, Slack's limits, modals and their submitted values."""

from __future__ import annotations

import json

from bot.slack import render
from handlers.types import (
    Actions,
    Button,
    FieldErrors,
    Form,
    FormField,
    FormPart,
    Item,
    ItemList,
    Link,
    Option,
    Passage,
    PassagePart,
    Reply,
    Text,
)


def test_text_styles_become_header_section_context_and_warning():
    blocks = render.render_blocks(Reply(parts=(Text("Title", "heading"), Text("Body"), Text("Small", "muted"), Text("Careful", "warning"))))
    assert [b["type"] for b in blocks] == ["header", "section", "context", "section"]
    assert blocks[3]["text"]["text"].startswith(":warning:")


def test_user_text_cannot_ping_channels_or_forge_links():
    blocks = render.render_blocks(Reply.text("<!channel> see <https://evil.example|here> & more"))
    assert blocks[0]["text"]["text"] == "&lt;!channel&gt; see &lt;https://evil.example|here&gt; &amp; more"


def test_a_passage_shows_title_text_source_section_date_and_links():
    passage = Passage(id="p1", title="Supervision", text="Monthly supervision.", source="Sefton 2023", section="2. Supervision",
                      links=(Link("EAP helpline", "https://eap.example/help line"),), document_date="June 2023")
    section, context = render.render_blocks(Reply(parts=(PassagePart(passage),)))
    assert section["text"]["text"] == "*Supervision*\nMonthly supervision."
    assert context["elements"][0]["text"] == "Sefton 2023 › 2. Supervision · June 2023 · <https://eap.example/help%20line|EAP helpline>"


def test_buttons_keep_unique_action_ids_and_more_buttons_become_an_overflow():
    part = Actions((Button("Open", "answer.open_link", "p1", url="https://a.example"), Button("Open", "answer.open_link", "p2", url="https://b.example"),
                    Button("Yes", "answer.helpful", "p1", style="primary"), Button("Other result", "answer.more", "p9"),
                    Button("Another", "answer.more", "p8")))
    (block,) = render.render_blocks(Reply(parts=(part,)))
    ids = [e["action_id"] for e in block["elements"]]
    assert ids == ["answer.open_link", "answer.open_link#1", "answer.helpful", "answer.more"]
    assert block["elements"][0]["url"] == "https://a.example"
    assert block["elements"][2]["style"] == "primary"
    assert block["elements"][3] == {"type": "overflow", "action_id": "answer.more", "options": [
        {"text": {"type": "plain_text", "text": "Other result", "emoji": True}, "value": "p9"},
        {"text": {"type": "plain_text", "text": "Another", "emoji": True}, "value": "p8"}]}


def test_long_lists_stay_within_slacks_fifty_blocks_and_say_how_many_more():
    items = tuple(Item(f"Item {n}", "detail", (Button("Done", "nudge.done", str(n)), Button("Later", "nudge.snooze_week", str(n)))) for n in range(60))
    blocks = render.render_blocks(Reply(parts=(Text("Digest", "heading"), ItemList("Today", items))))
    assert len(blocks) <= render.MAX_MESSAGE_BLOCKS
    assert blocks[-1]["type"] == "context" and "more" in blocks[-1]["elements"][0]["text"]


def test_an_empty_list_shows_its_empty_text_and_single_buttons_sit_beside_the_item():
    blocks = render.render_blocks(Reply(parts=(ItemList("Replies owed", (), "No replies owed."),
                                               ItemList("Decisions", (Item("D-000001", "record by Fri", (Button("Mark", "decision.mark_recorded", "D-000001"),)),)))))
    assert blocks[1]["elements"][0]["text"] == "No replies owed."
    assert blocks[3]["accessory"]["action_id"] == "decision.mark_recorded"
    assert blocks[3]["text"]["text"] == "D-000001\n_record by Fri_"


def test_long_texts_are_clipped_to_slacks_limits():
    (block,) = render.render_blocks(Reply.text("x" * 5000))
    assert len(block["text"]["text"]) == render.MAX_TEXT
    (actions,) = render.render_blocks(Reply(parts=(Actions((Button("y" * 100, "a.b"),)),)))
    assert len(actions["elements"][0]["text"]["text"]) == render.MAX_BUTTON_TEXT


FORM = Form(
    "demo.form",
    "A form with a very long title indeed",
    (
        FormField("name", "Name", "text", max_length=40, placeholder="e.g. x", initial="abc"),
        FormField("notes", "Notes", "multiline", required=False, hint="Why"),
        FormField("when", "When", "date", initial="2026-11-23"),
        FormField("kind", "Kind", "select", options=(Option("Case", "case"), Option("Welfare", "welfare")), initial="welfare"),
        FormField("who", "Who", "staff", initial="kim"),
        FormField("count", "Count", "number", required=False),
    ),
    submit_label="Save",
    context="north|2026-11-26",
)


def test_a_form_becomes_a_modal_with_one_input_block_per_field():
    view = render.modal_view(FORM, metadata={"channel": "C0NORTH"}, initial_users={"who": "U0KIM"})
    assert view["callback_id"] == "demo.form" and len(view["title"]["text"]) <= 24
    assert json.loads(view["private_metadata"]) == {"context": "north|2026-11-26", "channel": "C0NORTH"}
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["name"]["element"] == {"action_id": "input", "type": "plain_text_input", "multiline": False, "max_length": 40,
                                         "initial_value": "abc", "placeholder": {"type": "plain_text", "text": "e.g. x", "emoji": True}}
    assert blocks["notes"]["optional"] is True and blocks["notes"]["hint"]["text"] == "Why"
    assert blocks["when"]["element"]["initial_date"] == "2026-11-23"
    assert blocks["kind"]["element"]["initial_option"]["value"] == "welfare"
    assert blocks["who"]["element"] == {"action_id": "input", "type": "users_select", "initial_user": "U0KIM"}
    assert blocks["count"]["element"]["type"] == "number_input"


def test_submitted_values_are_read_by_field_name():
    state = {"values": {
        "name": {"input": {"type": "plain_text_input", "value": "abc"}},
        "notes": {"input": {"type": "plain_text_input", "value": None}},
        "when": {"input": {"type": "datepicker", "selected_date": "2026-11-20"}},
        "kind": {"input": {"type": "static_select", "selected_option": {"value": "case"}}},
        "who": {"input": {"type": "users_select", "selected_user": "U0KIM"}},
    }}
    values, users = render.submitted_values({"state": state})
    assert values == {"name": "abc", "notes": "", "when": "2026-11-20", "kind": "case"}
    assert users == {"who": "U0KIM"}


def test_field_errors_go_on_their_blocks_and_unknown_fields_on_the_first():
    answer = render.form_errors({"when": "in the future", "form": "not allowed", "by": "own supervisor"}, ["name", "when"])
    assert answer == {"response_action": "errors", "errors": {"when": "in the future", "name": "not allowed own supervisor"}}


def test_a_form_inside_a_message_becomes_a_button_that_opens_it():
    blocks = render.render_blocks(Reply(parts=(FormPart(FORM), FieldErrors({"name": "required"}, FORM))))
    button = blocks[1]["elements"][0]
    assert button["action_id"] == render.FORM_OPEN_ACTION
    assert json.loads(button["value"]) == {"form_id": "demo.form", "context": "north|2026-11-26"}
    assert blocks[2]["text"]["text"] == ":warning: Name: required"


def test_home_and_message_payloads():
    reply = Reply(parts=(Text("Your week", "heading"),), summary="3 items")
    assert render.home_view(reply)["type"] == "home"
    assert render.message(reply)["text"] == "3 items"
    assert render.message(Reply(parts=(Text("only text"),)))["text"] == "only text"


def test_a_single_more_button_stays_a_button_and_a_bad_initial_date_is_left_out():
    (block,) = render.render_blocks(Reply(parts=(Actions((Button("Other", "answer.more", "p9"),)),)))
    assert block["elements"][0]["type"] == "button"
    view = render.modal_view(Form("f", "F", (FormField("when", "When", "date", initial="next tuesday"),)))
    assert "initial_date" not in view["blocks"][0]["element"]


def test_every_reply_and_form_the_features_produce_passes_slack_sdk_block_kit_validation(sqlite_url):
    """slack_sdk's Block Kit models check Slack's documented limits (lengths, counts, required fields)."""
    from datetime import date

    from slack_sdk.models.blocks import Block
    from slack_sdk.models.views import View

    from bot.app import App
    from bot.config import Settings
    from handlers import router
    from handlers.agenda import agenda_item_form
    from handlers.digest import render_digest
    from handlers.types import Nudge, Request

    app = App(Settings(database_url=sqlite_url, _env_file=None))
    replies = [
        router.route_message(app, Request(now=app.now(), platform="slack", text="how often should an NQSW be supervised?")),
        router.route_message(app, Request(now=app.now(), platform="slack", text="best recipe for banana bread")),
        router.help_reply(),
        router.route_message(app, Request(now=app.now(), platform="slack", text="oversight")),
        render_digest([Nudge("alex", "supervision_due", "kim", date(2026, 11, 25), "Supervise Kim", "Sefton 2023")] * 30,
                      date(2026, 11, 23)),
    ]
    for reply in replies:
        for block in render.render_blocks(reply):
            Block.parse(block).validate_json()
        View(**render.home_view(reply)).validate_json()
    forms = [router.open_form(app, form_id) for form_id in ("decision.form", "supervision.form", "absence.form", "reply.form")]
    forms += [agenda_item_form("agenda.add_item", "north|2026-11-26"), agenda_item_form("agenda.add_action", "north|2026-11-26")]
    for form in forms:
        View(**render.modal_view(form, metadata={"channel": "C0NORTH"})).validate_json()
    app.close()
