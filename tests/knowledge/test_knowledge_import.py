"""`standards-bot knowledge import`: .md, .txt, .docx and .pdf, all-or-nothing, stored in the database."""

import json

import docx
import pytest

from bot.app import App
from bot.config import Settings


def write_pdf(path, lines):
    """A tiny valid one-page PDF with Helvetica text (offsets computed, so pypdf reads it cleanly)."""
    stream = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(out)


@pytest.fixture
def documents(tmp_path):
    md = tmp_path / "kite-standards.md"
    md.write_text("# Kite Council Standards\n\n## Lanyards\n\nStaff must wear a purple lanyard on every home visit.\n", encoding="utf-8")
    txt = tmp_path / "kite-parking.txt"
    txt.write_text("Parking\n\nManagers approve parking permits for the Quayside car park within three working days.\n", encoding="utf-8")
    word = tmp_path / "kite-duty.docx"
    document = docx.Document()
    document.add_heading("Duty rota", level=1)
    document.add_paragraph("The duty manager checks the tangerine tray of referrals every morning before 10am.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Task", "When"
    table.cell(1, 0).text, table.cell(1, 1).text = "Audit the tangerine tray", "Every Friday"
    document.save(word)
    pdf = tmp_path / "kite-visits.pdf"
    write_pdf(pdf, ["Home visits", "Workers record a walrus check after each statutory visit within one working day."])
    return md, txt, word, pdf


def ask(cli, question):
    result = cli("ask", question, "--json", "--limit", "1")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["results"]


def test_importing_md_txt_docx_and_pdf_makes_them_answerable(cli, documents):
    result = cli("knowledge", "import", *map(str, documents), "--org", "Kite Council")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("imported import-kite-council-") == 4
    assert "purple lanyard" in ask(cli, "lanyard colour on home visits")[0]["text"]
    assert "Quayside" in ask(cli, "who approves parking permits")[0]["text"]
    duty = ask(cli, "tangerine tray referrals")[0]
    assert "tangerine tray" in duty["text"] and duty["source"].startswith("Kite Council")
    assert "walrus check" in ask(cli, "walrus check after statutory visit")[0]["text"]


def test_imported_documents_are_shared_through_the_database(cli, documents, db_url):
    assert cli("knowledge", "import", str(documents[0]), "--org", "Kite Council").exit_code == 0
    other_replica = App(Settings(database_url=db_url, _env_file=None))
    try:
        results = other_replica.knowledge.search("purple lanyard", limit=1)
    finally:
        other_replica.close()
    assert results and "purple lanyard" in results[0].passage.text


def test_a_binary_file_is_refused_and_nothing_is_imported(cli, documents, tmp_path):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    result = cli("knowledge", "import", str(documents[0]), str(binary))
    assert result.exit_code == 2
    assert "photo.txt" in result.stderr and "binary" in result.stderr
    assert ask(cli, "purple lanyard home visit") == [] or "purple" not in ask(cli, "purple lanyard home visit")[0]["text"]
    assert "0800 028 0199" in ask(cli, "EAP helpline")[0]["text"]  # the bundled corpus is intact


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable .docx"),
        ("broken.pdf", b"%PDF-1.4 garbage", "not a readable PDF"),
        ("empty.md", b"   \n", "empty"),
        ("slides.pptx", b"whatever", "unsupported file type"),
    ],
)
def test_bad_files_get_a_clear_error_and_exit_2(sqlite_cli, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = sqlite_cli("knowledge", "import", str(path))
    assert result.exit_code == 2
    assert name in result.stderr and message in result.stderr


def test_a_missing_file_is_bad_input(sqlite_cli, tmp_path):
    result = sqlite_cli("knowledge", "import", str(tmp_path / "nope.md"))
    assert result.exit_code == 2 and "nope.md" in result.stderr


def test_many_files_show_a_progress_bar_on_stderr(sqlite_cli, tmp_path):
    paths = []
    for n in range(5):
        path = tmp_path / f"rule-{n}.md"
        path.write_text(f"# Rule {n}\n\nThe rule number {n} says managers file the heron form.\n", encoding="utf-8")
        paths.append(str(path))
    result = sqlite_cli("knowledge", "import", *paths)
    assert result.exit_code == 0, result.stderr
    assert "Reading documents" in result.stderr
    assert result.stdout.count("imported import-rule-") == 5
