"""The one Adaptive Card renderer covers every neutral part type."""

import json

from bot.teams.render import form_from_json, render_attachment, render_card, submitted_values
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
from tests.teams.conftest import card_elements, card_texts

PASSAGE = Passage(
    id="p1",
    title="Supervision frequency",
    text="Newly qualified social workers are supervised weekly for the first six weeks.",
    source="Practice Standards",
    section="4.2 Supervision",
    links=(Link("ASYE framework", "https://example.org/asye"),),
    document_date="2025-04-01",
)

FORM = Form(
    form_id="decision.form",
    title="Record an oversight decision",
    fields=(
        FormField("case_ref", "Case reference", placeholder="LCS204815", max_length=20),
        FormField("decision_type", "Type", kind="select", options=(Option("Step down", "step_down"), Option("Escalate", "escalate"))),
        FormField("rationale", "Rationale", kind="multiline", hint="Why, in a sentence or two"),
        FormField("review_on", "Review on", kind="date", required=False),
        FormField("count", "Children in household", kind="number", required=False),
    ),
    submit_label="Save decision",
    context="ctx-1",
)


def test_text_styles_and_summary():
    card = render_card(Reply(parts=(Text("Hello", "heading"), Text("note", "muted"), Text("careful", "warning"))))
    blocks = card["body"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert blocks[0]["weight"] == "Bolder" and blocks[1]["isSubtle"] and blocks[2]["color"] == "Attention"
    assert render_attachment(Reply.text("x"))["contentType"] == "application/vnd.microsoft.card.adaptive"


def test_passage_shows_title_text_source_section_and_links_and_the_vote_and_link_buttons():
    reply = Reply(
        parts=(
            PassagePart(PASSAGE),
            Actions(
                (
                    Button("Helpful", "answer.helpful", value="p1"),
                    Button("Not helpful", "answer.not_helpful", value="p1"),
                    Button("ASYE framework", "answer.open_link", value="p1", url="https://example.org/asye"),
                )
            ),
        )
    )
    card = render_card(reply)
    texts = card_texts(card)
    assert texts[:2] == ["Supervision frequency", PASSAGE.text]
    assert texts[2] == "Practice Standards › 4.2 Supervision · 2025-04-01 · [ASYE framework](https://example.org/asye)"
    open_urls = card_elements(card, "Action.OpenUrl")
    assert open_urls == [{"type": "Action.OpenUrl", "title": "ASYE framework", "url": "https://example.org/asye"}]
    submits = card_elements(card, "Action.Submit")
    assert [s["data"] for s in submits] == [
        {"action_id": "answer.helpful", "value": "p1"},
        {"action_id": "answer.not_helpful", "value": "p1"},
    ]


def test_item_list_with_item_buttons_and_empty_text():
    card = render_card(
        Reply(
            parts=(
                ItemList("Supervisions due", (Item("Sam Worker", "due Wed 25 Nov", (Button("Done", "nudge.done", "n1", style="primary"),)),)),
                ItemList("Replies owed", (), empty_text="Nothing owed"),
            )
        )
    )
    texts = card_texts(card)
    assert ["Supervisions due", "Sam Worker", "due Wed 25 Nov", "Replies owed", "Nothing owed"] == texts
    (done,) = card_elements(card, "Action.Submit")
    assert done["data"] == {"action_id": "nudge.done", "value": "n1"} and done["style"] == "positive"


def test_url_button_becomes_open_url():
    card = render_card(Reply(parts=(Actions((Button("Open the standard", "nudge.open", url="https://example.org/s"),)),)))
    assert card_elements(card, "Action.OpenUrl")[0]["url"] == "https://example.org/s"


def test_form_becomes_inputs_with_a_submit_carrying_the_form_id():
    card = render_card(Reply(parts=(FormPart(FORM),)))
    inputs = {element["id"]: element for element in card_elements(card, "Input.")}
    assert inputs["case_ref"]["type"] == "Input.Text" and inputs["case_ref"]["maxLength"] == 20
    assert inputs["case_ref"]["isRequired"] is True and inputs["case_ref"]["label"] == "Case reference"
    assert inputs["decision_type"]["type"] == "Input.ChoiceSet"
    assert inputs["decision_type"]["choices"] == [{"title": "Step down", "value": "step_down"}, {"title": "Escalate", "value": "escalate"}]
    assert inputs["rationale"]["isMultiline"] is True
    assert inputs["review_on"]["type"] == "Input.Date" and inputs["review_on"]["isRequired"] is False
    assert inputs["count"]["type"] == "Input.Number"
    (submit,) = card_elements(card, "Action.Submit")
    assert submit["title"] == "Save decision"
    assert submit["data"]["form"] == "decision.form" and submit["data"]["context"] == "ctx-1"
    assert form_from_json(submit["data"]["form_spec"], "decision.form") == FORM


def test_field_errors_come_back_on_the_same_card_next_to_the_fields_with_values_kept():
    values = {"case_ref": "bad ref", "decision_type": "escalate", "rationale": ""}
    card = render_card(
        Reply(parts=(FieldErrors({"case_ref": "Not a case reference", "rationale": "Required", "other": "Try again"}, FORM, values),))
    )
    body_ids = [element.get("id") for element in card["body"]]
    assert body_ids.index("error.case_ref") == body_ids.index("case_ref") + 1
    assert body_ids.index("error.rationale") == body_ids.index("rationale") + 2  # after the hint
    texts = card_texts(card)
    assert "Not a case reference" in texts and "Required" in texts and "Try again" in texts
    inputs = {element["id"]: element for element in card_elements(card, "Input.")}
    assert inputs["case_ref"]["value"] == "bad ref" and inputs["decision_type"]["value"] == "escalate"
    assert "value" not in inputs["rationale"]


def test_field_errors_without_a_form_are_listed():
    card = render_card(Reply(parts=(FieldErrors({"case_ref": "Not a case reference"}),)))
    assert card_texts(card) == ["case_ref: Not a case reference"]


def test_submitted_values_drop_routing_keys_and_bad_specs_are_ignored():
    assert submitted_values({"form": "x", "context": "c", "form_spec": "{}", "case_ref": "A1", "n": 3, "empty": None}) == {
        "case_ref": "A1",
        "n": "3",
        "empty": "",
    }
    assert form_from_json("not json", "x") is None
    assert form_from_json(json.dumps({"form_id": "other", "fields": []}), "x") is None


def test_every_part_type_renders():
    import typing

    from handlers import types

    rendered = {
        types.Text: Text("a"),
        types.PassagePart: PassagePart(PASSAGE),
        types.Actions: Actions((Button("b", "x.y"),)),
        types.ItemList: ItemList("t", ()),
        types.FormPart: FormPart(FORM),
        types.FieldErrors: FieldErrors({"a": "b"}),
    }
    assert set(typing.get_args(types.Part)) == set(rendered)
    for part in rendered.values():
        assert render_card(Reply(parts=(part,)))["body"]
