"""Reading a council's own standards from .md, .txt, .docx and .pdf files into plain text for the parser."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from handlers.errors import InvalidInput

SUPPORTED = (".md", ".markdown", ".txt", ".docx", ".pdf")
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ExtractedDocument:
    """A file's text, ready to be stored and parsed."""

    filename: str
    title: str
    text: str
    sha256: str


def extract(path: Path) -> ExtractedDocument:
    """The text of one file, or InvalidInput naming the file and what is wrong with it."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InvalidInput(f"{name}: unsupported file type {suffix or '(none)'}; use .md, .txt, .docx or .pdf", field="file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{name}: cannot read file: {exc.strerror or exc}", field="file") from exc
    if not data.strip():
        raise InvalidInput(f"{name}: the file is empty", field="file")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{name}: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", field="file")
    if suffix == ".docx":
        text = _docx_text(name, data)
    elif suffix == ".pdf":
        text = _pdf_text(name, data)
    else:
        text = _plain_text(name, data)
    if len(re.findall(r"[A-Za-z]{3,}", text)) < 5:
        raise InvalidInput(f"{name}: no readable text found (is it a scanned image or an empty document?)", field="file")
    return ExtractedDocument(name, _title(text, path), text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _plain_text(name: str, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise InvalidInput(f"{name}: this looks like a binary file, not text", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{name}: not UTF-8 text; save it as UTF-8 and import it again", field="file") from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 8192):
        raise InvalidInput(f"{name}: this looks like a binary file, not text", field="file")
    return text


def _docx_text(name: str, data: bytes) -> str:
    """Word headings become Markdown headings, tables become tab-separated rows (as in the sources)."""
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several types for corrupt files
        raise InvalidInput(f"{name}: not a readable .docx file ({type(exc).__name__})", field="file") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(child, document)
            text = paragraph.text.strip()
            if not text:
                lines.append("")
                continue
            style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
            level = re.match(r"heading (\d)", style)
            if level or style == "title":
                lines += ["", "#" * (int(level.group(1)) + 1 if level else 1) + " " + text, ""]
            elif "list" in style:
                lines.append(f"- {text}")
            else:
                lines += [text, ""]
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            lines.append("")
            for row in table.rows:
                cells = [cell.text.replace("\n", " ").replace("\t", " ").strip() for cell in row.cells]
                lines.append("\t".join(cells))
            lines.append("")
    return "\n".join(lines)


def _pdf_text(name: str, data: bytes) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # noqa: BLE001 - pypdf raises several types for corrupt files
        raise InvalidInput(f"{name}: not a readable PDF ({type(exc).__name__})", field="file") from exc
    return "\n\n".join(_reflow(page) for page in pages)


def _reflow(page: str) -> str:
    """Join the hard-wrapped lines of a PDF page back into paragraphs (bullets and short lines stay)."""
    out: list[str] = []
    for line in page.splitlines():
        line = line.rstrip()
        previous = out[-1] if out else ""
        wrapped = (
            line
            and previous
            and len(previous) > 50
            and not re.search(r"[.:;!?]$", previous)
            and not re.match(r"^\s*([-•*▪]|\d+[.)])\s", line)
        )
        if wrapped:
            out[-1] = f"{previous} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)


def _title(text: str, path: Path) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip().strip("*").strip()
        if 3 <= len(line) <= 120 and re.search(r"[A-Za-z]{3,}", line):
            return line
    return path.stem.replace("-", " ").replace("_", " ")
