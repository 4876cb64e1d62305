"""`standards-bot ask`, `ask --batch` and `chat` as a user runs them."""

import json

import pytest


def test_ask_json_follows_the_contract(cli):
    result = cli("ask", "how often should supervision take place", "--json", "--limit", "2")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"query", "results"}
    assert payload["query"] == "how often should supervision take place"
    assert 1 <= len(payload["results"]) <= 2
    for item in payload["results"]:
        assert set(item) == {"id", "title", "text", "source", "section", "links", "score"}
        assert isinstance(item["score"], float)
        assert len(item["text"]) <= 700
        assert all(set(link) == {"title", "url"} for link in item["links"])
        assert " > " in item["section"]


def test_unanswerable_question_gives_empty_results_and_exit_0(cli):
    result = cli("ask", "how do I book a pool car", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"query": "how do I book a pool car", "results": []}


def test_plain_answer_shows_source_section_date_and_buttons(cli):
    result = cli("ask", "EAP helpline number")
    assert result.exit_code == 0, result.stderr
    assert "0800 028 0199" in result.stdout
    assert "West Sussex County Council" in result.stdout and "January 2023" in result.stdout
    assert "[Helpful] [Not helpful]" in result.stdout


@pytest.mark.parametrize("question", ["", "   ", "x" * 10_000])
def test_empty_and_oversized_questions_are_bad_input(cli, question):
    result = cli("ask", question, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "question" in result.stderr and "Traceback" not in result.stderr


def test_limit_out_of_range_is_bad_input(cli):
    result = cli("ask", "supervision", "--limit", "0")
    assert result.exit_code == 2 and "--limit" in result.stderr
    assert cli("ask", "supervision", "--limit", "51").exit_code == 2
    many = cli("ask", "supervision", "--json", "--limit", "20")
    assert many.exit_code == 0 and 3 < len(json.loads(many.stdout)["results"]) <= 20


def test_batch_prints_one_json_line_per_question_in_order_with_timing(cli):
    questions = "EAP helpline\nwifi password for visitors\n\nNQSW supervision frequency\n\n\n"
    result = cli("ask", "--batch", "-", "--limit", "1", input=questions)
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    # output line N answers input line N: the blank third line gets an error object; trailing blanks nothing
    assert [line["query"] for line in lines] == ["EAP helpline", "wifi password for visitors", "", "NQSW supervision frequency"]
    assert "empty" in lines[2]["error"] and lines[2]["results"] == []
    assert all(isinstance(line["elapsed_ms"], float) and line["elapsed_ms"] >= 0 for line in lines)
    assert lines[1]["results"] == [] and len(lines[0]["results"]) == 1 and lines[3]["results"]


def test_batch_reads_a_file_and_reports_a_too_long_line_without_stopping(cli, tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text("supervision records\n" + "y" * 2000 + "\ninduction\n", encoding="utf-8")
    result = cli("ask", "--batch", str(path))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3 and "error" in lines[1] and lines[2]["results"]


def test_chat_answers_piped_questions_records_votes_and_quits(cli):
    result = cli("chat", input="EAP helpline\nhelpful\nwifi password for visitors\nquit\nnever read\n")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "0800 028 0199" in out
    assert "Thanks, noted." in out
    assert "The standards don't cover that" in out.replace("THE STANDARDS DON'T COVER THAT", "The standards don't cover that")
    assert "never read" not in out and out.rstrip().endswith("Bye.")


def test_chat_ends_at_end_of_input_and_rejects_oversized_questions(cli):
    result = cli("chat", input="z" * 10_000 + "\n")
    assert result.exit_code == 0
    assert "too long" in result.stdout and result.stdout.rstrip().endswith("Bye.")


@pytest.mark.parametrize("word", ["/quit", "exit", "/exit", "Bye!"])
def test_chat_understands_the_usual_ways_to_leave(cli, word):
    result = cli("chat", input=f"{word}\nnever read\n")
    assert result.exit_code == 0
    assert "never read" not in result.stdout and result.stdout.rstrip().endswith("Bye.")
