"""Parsing the five bundled source documents into structured passages."""

import re

import pytest

from knowledge.corpus import BUNDLED, SOURCES_DIR, bundled_passages
from knowledge.parse import DocumentInfo, parse_document


def passages_of(key):
    return [p for p in bundled_passages() if p.doc.key == key]


@pytest.mark.parametrize("info", list(BUNDLED.values()), ids=lambda i: i.key)
def test_every_bundled_document_yields_clean_passages_with_stable_unique_ids(info):
    passages = passages_of(info.key)
    assert len(passages) >= 20
    ids = [p.id for p in passages]
    assert len(ids) == len(set(ids))
    assert all(p.id.startswith(info.key + ":") for p in passages)
    for p in passages:
        assert p.section.startswith(info.short_title)
        assert "\t" not in p.text
        assert not re.search(r"</?(p|li|ul|b|u|div|sup)\b", p.text), p.text[:200]
        assert "**" not in p.text
    filename = next(name for name, i in BUNDLED.items() if i is info)
    again = parse_document((SOURCES_DIR / filename).read_text(encoding="utf-8"), info)
    assert [p.id for p in again] == ids


def test_sefton_sections_follow_the_document_numbering():
    sections = {p.section for p in passages_of("sefton-2023")}
    assert "Sefton Practice Standards > 5. Sickness Absence" in sections
    assert any(s.endswith("1. General Management Standards > Supervision Records") for s in sections)


def test_sefton_standard_expected_table_becomes_readable_rows():
    induction = [p for p in passages_of("sefton-2023") if p.title == "Induction" and "Practice Guidance 1" in p.section]
    assert induction, "the Theme / Standard expected / Standard not met row for Induction"
    text = induction[0].text
    assert text.startswith("Induction.")
    assert "Standard expected: Evidence that every new starter whatever their role receives an induction" in text
    assert "Standard not met: Little or no induction plan in place." in text


def test_wscc_appendix_table_gives_titles_urls_and_the_eap_helpline():
    eap = next(p for p in passages_of("wscc-standards-2023") if p.title.startswith("Appendix 9"))
    assert "employee assistance programme" in eap.title.lower()
    urls = {link.url for link in eap.links}
    assert "tel:08000280199" in urls
    assert any(u.startswith("http://theintranet.westsussex.gov.uk/") for u in urls)
    team_meetings = next(p for p in passages_of("wscc-standards-2023") if "weekly team meetings, with a fixed agenda" in p.text)
    assert any(ref.startswith("Appendix 5: ") for ref in team_meetings.appendices)


def test_npt_roles_and_timescales_are_extracted():
    timescales = next(p for p in passages_of("npt-2015") if "8. Timescales For Supervision Sessions" in p.section)
    assert "every 28 days" in timescales.timescales
    assert "Supervision Policy" in timescales.section
    chairs = [p for p in passages_of("npt-2015") if "independent reviewing officer" in p.roles]
    assert chairs


def test_durations_and_weeks_are_timescales():
    from knowledge.parse import _timescales

    assert _timescales("Sessions last for the duration of 1 hour 30minutes per session") == ("1 hour 30minutes",)
    assert _timescales("Tracked at 8 weeks, 16 weeks and 24 weeks") == ("8 weeks", "16 weeks", "24 weeks")
    session = next(p for p in passages_of("npt-2015") if "1 hour 30minutes" in p.text)
    assert "1 hour 30minutes" in session.timescales


def test_line_group_and_practice_managers_and_executive_directors_are_roles():
    from knowledge.parse import roles_in

    assert set(roles_in("Raise with group managers; tell your line manager")) >= {"group manager", "line manager"}
    assert set(roles_in("The Practice Manager meets the Executive Director")) >= {"practice manager", "executive director"}
    raise_with = next(p for p in passages_of("self-assessment") if "raise with group managers" in p.text)
    assert "group manager" in raise_with.roles


def test_self_assessment_html_cells_become_bullets_under_their_standard():
    passages = passages_of("self-assessment")
    meetings = next(p for p in passages if "team meetings at least every month" in p.text)
    assert "6. Systems and processes to promote communication" in meetings.section
    assert "monthly" in " ".join(meetings.timescales) or "at least every month" in meetings.timescales


def test_sentences_broken_by_page_breaks_are_joined():
    text = " ".join(p.text for p in passages_of("wscc-standards-2023"))
    assert "resources available to benefit mental health and wellbeing" in text


def test_table_rows_broken_by_page_breaks_are_joined():
    # the self-assessment's resources standard runs over a page break in the middle of a sentence
    text = "\n".join(p.text for p in passages_of("self-assessment"))
    assert "collaborate with senior managers on the budget expenditure gaps" in text
    assert not any(p.text[:1].islower() for p in passages_of("self-assessment"))


def test_table_cells_wrapped_over_several_lines_are_read_column_by_column():
    # NPT's supervision standards table: each cell of a row wraps over several lines of the PDF text
    row = next(p for p in passages_of("npt-2015") if "All supervision notes" in p.text)
    assert "All supervision notes relating directly to case management should be recorded during supervision." in row.text
    assert "made available to the supervisee at the end of the supervision session" in row.text
    info = DocumentInfo(key="t", organisation="Test Council", title="Test standards", short_title="Test")
    raw = (
        "# Standards\n\nStandard\tWhat it means\tTimescale\nStandard\tWhat it means\tTimescale\n"
        "Records are kept with the\t<ul> <li>Notes are signed by the supervisor and</li> </ul>\t5 working days\n"
        "Practitioners file\tthe supervisee.\t\n"
        "Audits happen yearly.\tAn auditor reads the notes.\tAnnually\n"
    )
    texts = [p.text for p in parse_document(raw, info)]
    joined = "\n".join(texts)
    assert "Records are kept with the Practitioners file" in joined
    assert "Notes are signed by the supervisor and the supervisee." in joined
    assert "Audits happen yearly" in joined and "the supervisee. Audits" not in joined


def test_mixed_case_headings_nest_under_a_heading_in_capitals():
    # the converted PDF marks the Act's title and its sub-headings alike ("# ..."); capitals tell them apart
    contents = next(p for p in passages_of("npt-2015") if "made up of 11 Parts" in p.text)
    assert contents.headings == ("THE SOCIAL SERVICES AND WELL-BEING (WALES) ACT 2014", "Content of the Act")
    info = DocumentInfo(key="t", organisation="Test Council", title="Test", short_title="Test")
    raw = (
        "# STAFF WELLBEING POLICY\n\n# Stress\n\nTalk to your manager about stress.\n\n"
        "# LONE WORKING POLICY\n\nCarry a charged phone on visits.\n"
    )
    assert [p.headings for p in parse_document(raw, info)] == [("STAFF WELLBEING POLICY", "Stress"), ("LONE WORKING POLICY",)]


def test_the_tail_of_a_link_cut_by_a_page_break_is_not_a_heading():
    passages = passages_of("wscc-standards-2023")
    assert not any("aspx" in h.lower() or "%20" in h for p in passages for h in p.headings)
    charter = next(p for p in passages if "Appendix 25" in p.section)
    assert charter.section.endswith("Appendix 25: Team Charter Template")
    wellbeing = next(p for p in passages if "Appendix 24" in p.section)
    assert "what are some of the challenges and barriers" in wellbeing.text


def test_workforce_update_plain_text_headings_become_sections():
    sections = {p.section for p in passages_of("wscc-workforce-2021")}
    assert any("3 Management Development Programme" in s for s in sections)


def test_markdown_and_plain_documents_parse_with_headings_and_links():
    info = DocumentInfo(key="t", organisation="Org", title="Doc", short_title="Doc")
    raw = "# Team rules\n\n## Annual leave\n\nBook leave at least 2 weeks ahead on [the HR portal](https://hr.example.org/leave).\n"
    (passage,) = parse_document(raw, info)
    assert passage.section == "Doc > Team rules > Annual leave"
    assert passage.links[0].url == "https://hr.example.org/leave"
    assert passage.text == "Book leave at least 2 weeks ahead on the HR portal."


def test_a_long_heading_opening_with_underlined_words_keeps_its_tail_as_text():
    # "#### <u>PART 9 - ... (ILP)</u> To be completed jointly by ...": who completes the plan is the answer
    plan = next(p for p in passages_of("npt-2015") if "completed jointly by the manager" in p.text)
    assert plan.headings[-1] == "PART 9 - Next 12 Months - Individual Learning Plan (ILP)"
    assert plan.text.startswith("To be completed jointly by the manager and the employee")
    info = DocumentInfo(key="t", organisation="Org", title="Doc", short_title="Doc")
    raw = "## **Lone working at night** Staff must phone the duty manager on arrival and on leaving.\n\nCarry a charged phone.\n"
    passages = parse_document(raw, info)
    assert [p.headings for p in passages] == [("Lone working at night",)]
    assert passages[0].text.startswith("Staff must phone the duty manager on arrival")
    # a short marker ("NB") is not a heading: the line stays a sentence
    (nb,) = parse_document("# <u>NB</u> Records can be disclosed to a court and must be factual.\n", info)
    assert nb.headings == () and "Records can be disclosed" in nb.text


def test_a_markdown_heading_of_up_to_120_characters_is_a_heading():
    headings = {h for p in passages_of("sefton-2023") for h in p.headings}
    assert "Communication with children, young people, care experienced young adults, foster carers and families" in headings


def test_agenda_lines_pointing_to_pages_are_contents_not_passages():
    # "7. The Social Services and Wellbeing (Wales) Act 2014 (Pages 67 - 70)" lists the report; it answers nothing
    assert not any(re.search(r"\(\*?Pages? \d", p.text) for p in passages_of("npt-2015"))
    assert any("to be implemented from April 2016" in p.text for p in passages_of("npt-2015"))
    info = DocumentInfo(key="t", organisation="Org", title="Doc", short_title="Doc")
    raw = "# Agenda\n\n5. Sickness policy review (Pages 9 - 34)\n6. Lone working (Page 35)\n\n# Sickness\n\nPhone in by 9am.\n"
    assert [p.text for p in parse_document(raw, info)] == ["Phone in by 9am."]


def test_a_long_list_split_into_passages_keeps_each_item_on_its_own_line():
    # the self-assessment's HTML list items run over a page break; split for length, they stay lines
    resources = next(p for p in passages_of("self-assessment") if "equipment is received and returned" in p.text)
    assert "\n- When there are staff changes, ensure all equipment is received" in resources.text


def test_passages_grow_to_an_answers_length_so_a_story_stays_whole():
    """Blocks under one heading are grouped up to 700 characters (an answer's length, README "Passage size"):
    NPT's case-file audits ("Initially ...") and why they failed ("In hindsight ...") are one passage."""
    from knowledge.parse import TARGET_CHARS
    from knowledge.search import WINDOW_CHARS

    passages = bundled_passages()
    assert TARGET_CHARS <= WINDOW_CHARS
    # a single paragraph is split at MAX_BLOCK_CHARS (650); grouped paragraphs never pass TARGET_CHARS
    assert max(len(p.text) for p in passages) <= TARGET_CHARS
    story = [p for p in passages if "placed firmly on Team Managers' shoulders" in p.text]
    assert len(story) == 1 and "most of whom were relatively new in post" in story[0].text
