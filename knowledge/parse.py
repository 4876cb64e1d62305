"""Turn a standards document (PDF-to-text conversions with table fragments) into structured passages.

The sources mix Markdown headings, plain-text headings, HTML table cells (`<p>`, `<ul><li>`, `<b>`) and
tab-separated table rows split across page breaks. `parse_document` normalises all of that into
headed blocks, joins sentences broken by page breaks, renders table rows as readable text
("Induction. Standard expected: ... Standard not met: ...") and groups blocks into passages of a few
hundred characters, each with its section path, roles, timescales and resource links.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field

# blocks under one heading are grouped into passages of at most this size, an answer's length (README, "Passage
# size"): a story told over several paragraphs ("Initially ...", "In hindsight ...") stays in one answer
TARGET_CHARS = 700
MAX_BLOCK_CHARS = 650  # longer paragraphs are split at sentence boundaries


@dataclass(frozen=True)
class DocumentInfo:
    """Where a document comes from: what a manager needs to judge how current and relevant it is."""

    key: str
    organisation: str
    title: str
    short_title: str
    date: str | None = None
    aliases: tuple[str, ...] = ()  # words a question may use to name the organisation ("sefton", "npt")


@dataclass(frozen=True)
class ResourceLink:
    title: str
    url: str


@dataclass(frozen=True)
class StructuredPassage:
    """One passage of a standard with everything the search and the answer need."""

    id: str
    doc: DocumentInfo
    headings: tuple[str, ...]
    text: str
    roles: tuple[str, ...] = ()
    timescales: tuple[str, ...] = ()
    links: tuple[ResourceLink, ...] = ()
    appendices: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        return " > ".join((self.doc.short_title, *self.headings))

    @property
    def title(self) -> str:
        return self.headings[-1] if self.headings else self.doc.short_title


@dataclass
class _Block:
    headings: tuple[str, ...]
    text: str
    label: str | None = None  # a table row's first cell (its theme), used as the passage title
    links: list[ResourceLink] = field(default_factory=list)


# ---- inline clean-up --------------------------------------------------------------------------

_MD_LINK = re.compile(r"\[([^\]]*)\]\((https?://[^)\s]+|#[^)]*)\)")
_ANGLE_URL = re.compile(r"<(https?://[^>\s]+)>")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_PHONE = re.compile(r"(?<![\d])(0\d{3}[ ]?\d{3}[ ]?\d{4}|0\d{4}[ ]?\d{6}|0\d{3}[ ]?\d{7})(?![\d])")
_TAG = re.compile(r"<[^>]{0,400}>")
_WS = re.compile(r"[ \u00a0\u2009\u200b]+")


def _inline(text: str, links: list[ResourceLink]) -> str:
    """Markdown/HTML inline markup to plain text; links found on the way are collected."""
    def md_link(m: re.Match) -> str:
        label, url = m.group(1).strip(), m.group(2)
        if url.startswith("http"):
            links.append(ResourceLink(label or url, url))
        return label

    text = _MD_LINK.sub(md_link, text)
    text = _ANGLE_URL.sub(lambda m: m.group(1), text)
    text = re.sub(r"(?i)<\s*li[^>]*>", "\n- ", text)
    text = re.sub(r"(?i)<\s*(br|/p|p|/ul|ul|/div|div|/ol|ol)(\s[^>]*)?/?>", "\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = text.replace("\\_", "_").replace("\\*", "*").replace("\\-", "-").replace("\\(", "(").replace("\\)", ")")
    text = re.sub(r"\*\*+|__+", "", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"[✓✔•▪●◦]", "- ", text)
    text = re.sub(r"^\s*-\s*-\s+", "- ", text, flags=re.M)
    # stray non-Latin glyphs from the PDF conversion (e.g. Lao/Sinhala page-stamp noise)
    text = re.sub(r"[\u0d80-\u0dff\u0e80-\u0eff]+", "", text)
    return text


def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


# ---- headings --------------------------------------------------------------------------------

_NUMBERED = re.compile(r"^(\d{1,2})(\.\d{1,2})*\.?\s+[A-Za-z(]")
_LETTERED = re.compile(r"^[A-H]\.\s+[A-Z]")
# dotted leaders ("Introduction ........ 3") or a tab before a page number; an ellipsis alone ("Dear Managers...")
# is a heading or a sentence trailing off, not a contents line
_TOC_LINE = re.compile(r"(\.{4,}|…{2,})\s*\d*\s*$|(\.{3}|…)\s*\d+\s*$|\t\s*\d{1,3}\s*$")
_PAGES_REF = re.compile(r"\(\*?pages?\s+\d+(\s*[-–]?\s*\d+)?\*?\)\s*$", re.I)  # an agenda item's "(Pages 67 - 70)"
_TOP_WORDS = {"introduction", "appendices", "contents", "summary", "index", "table of contents"}
_SKIP_SECTIONS = {"contents", "table of contents", "index"}
# a long Markdown heading that opens with underlined or bold words: those words, then ordinary text
_MARKED_HEADING = re.compile(r"^(?:<u>(.+?)</u>|\*\*(.+?)\*\*)\s+([^<*\s].*)$")


def _heading_level(text: str, hashes: int) -> int:
    """0 = a part of the document (resets the path), 1 = a numbered section, 2+ = sub-headings."""
    if _NUMBERED.match(text) and not re.match(r"^\d+\.\d", text):
        return 1
    if re.match(r"^\d+\.\d", text):
        return 2
    if text.lower().rstrip(":") in _TOP_WORDS:
        return 1
    if hashes == 1:
        return 0
    return max(2, hashes)


def _all_caps(text: str) -> bool:
    """A title in capitals: in a converted PDF, the heading of a part, above the mixed-case ones under it."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def _clean_heading(text: str) -> str:
    text = _squash(_inline(text, []).replace("\n", " "))
    text = text.strip(" :-")
    half = len(text) // 2
    if len(text) % 2 == 1 and text[:half].lower() == text[half + 1 :].lower():
        text = text[:half]  # "APPENDIX 1 APPENDIX 1": a heading repeated by the PDF conversion
    return text


def _looks_like_plain_heading(line: str, prev_blank: bool, next_line: str) -> bool:
    s = line.strip()
    if not prev_blank or not s or len(s) > 80 or len(s.split()) > 11:
        return False
    if s.startswith(("-", "*", "(", '"', "“", "'", "<", "|")) or "\t" in line:
        return False
    if re.search(r"[.,;!?]$", s) or not (s[0].isupper() or s[0].isdigit()):
        return False
    if re.fullmatch(r"[\d\s/.-]+", s) or re.search(r"https?://|www\.", s):
        return False
    if re.search(r"\b(is|are|was|were|will|would|should|must|can|has|have|had|does|did)\b", s) and not _NUMBERED.match(s):
        return False  # a sentence that lost its full stop, not a heading
    if re.fullmatch(r"(\d{1,2}(st|nd|rd|th)?\s+)?(January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4}", s):
        return False
    nxt = next_line.strip()
    if re.match(r"^\d+[.)]\s", nxt) and _NUMBERED.match(s):
        return False  # the first item of a numbered list
    return nxt == "" or nxt.startswith(("-", "*")) or len(nxt) > len(s)


# ---- tables ----------------------------------------------------------------------------------


def _split_cells(line: str) -> list[str]:
    return line.rstrip("\n").split("\t")


def _cell_text(cell: str, links: list[ResourceLink]) -> str:
    text = _inline(cell, links)
    parts = [_squash(p) for p in text.split("\n")]
    parts = [p for p in parts if p and p != "-"]
    out: list[str] = []
    for p in parts:
        if out and not p.startswith("- ") and out[-1][-1:] not in ".:;!?" and (
            p[:1].islower() or out[-1].rsplit(" ", 1)[-1].lower() in _OPEN_ENDINGS
        ):
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return "\n".join(out)


_APPENDIX_CELL = re.compile(r"^Appendix (\d{1,2})\b;?\s*([^.:|;\n]{0,60})")
_BOLD_CELL = re.compile(r"^\s*(?:<p>)?\s*<b>(.{2,120}?)</b>\s*(?:</p>)?\s*(.*)$", re.S)


# ---- the document walk ----------------------------------------------------------------------


_OPEN_ENDINGS = frozenset("a an the of to for and or in on at by with from into as be is are should must will".split())
_TAGS = re.compile(r"<[^>]+>")


def _is_url_fragment(text: str) -> bool:
    """A piece of a web address without its start: "Forms/AllItems.aspx&DefaultItemOpen=1", "09%20Resource%20I"."""
    return len(text.split()) <= 3 and not _URL.search(text) and bool(re.search(r"%[0-9A-Fa-f]{2}|\.aspx|\w=\d|/\w+/", text))


def _cell_plain(cell: str) -> str:
    return _squash(_TAGS.sub(" ", cell))


def _continues(prev: list[str], cells: list[str]) -> bool:
    """A table line that goes on with the row above (a PDF cell wrapped over several lines)."""
    first, before = _cell_plain(cells[0]), _cell_plain(prev[0])
    if not first or not before or before[-1:] in ".:;!?" or "<b>" in cells[0] or _URL.match(first):
        return False
    if any(_APPENDIX_CELL.match(_cell_plain(c)) for c in cells):
        return False  # a new appendix row of a resources table
    last_word = before.rsplit(" ", 1)[-1].lower()
    return first[:1].islower() or last_word in _OPEN_ENDINGS


def _join_wrapped_rows(lines: list[str], header_rows: set[str]) -> list[str]:
    """Table rows wrapped over several lines, column by column, as one line per row."""
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        if "\t" in line and "\t" in prev and _squash(line) not in header_rows and _squash(prev) not in header_rows:
            cells, above = _split_cells(line), _split_cells(prev)
            if _continues(above, cells):
                width = max(len(cells), len(above))
                above += [""] * (width - len(above))
                cells += [""] * (width - len(cells))
                out[-1] = "\t".join(f"{a}\n{c}" if a.strip() and c.strip() else a + c for a, c in zip(above, cells))
                continue
        out.append(line)
    return out


def _blocks(raw: str) -> list[_Block]:
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tab_lines = Counter(_squash(l) for l in lines if "\t" in l)
    header_rows = {
        l for l, n in tab_lines.items() if n >= 2 and all(len(c.strip()) < 40 for c in l.split("\t"))
    }
    lines = _join_wrapped_rows(lines, header_rows)
    stack: dict[int, str] = {}
    blocks: list[_Block] = []
    header: list[str] | None = None
    prev_blank = True
    md_level: int | None = None  # level of the last Markdown heading: plain headings nest below it

    def headings() -> tuple[str, ...]:
        return tuple(stack[k] for k in sorted(stack))

    empty: list[tuple[int, str]] = []  # the last heading, while nothing has been written under it

    def set_heading(text: str, level: int) -> None:
        if empty and level <= empty[0][0] and empty[0][0] >= 2:
            # a sub-heading with nothing under it (its figure was lost): keep the heading as a passage
            above = tuple(stack[k] for k in sorted(stack) if k < empty[0][0])
            blocks.append(_Block(above, empty[0][1] + ".", None, []))
        for k in [k for k in stack if k >= level]:
            del stack[k]
        stack[level] = text
        empty[:] = [(level, text)]

    def open_ended() -> bool:
        """The last block stops mid-sentence (a page break cut it): a lower-case line goes on with it."""
        return bool(blocks) and blocks[-1].text[-1:] not in ".:;!?\"”)"

    def add(text: str, links: list[ResourceLink], label: str | None = None, join: bool = False) -> None:
        text = text.strip()
        if not text:
            return
        empty.clear()
        if join and blocks and blocks[-1].headings == headings():
            blocks[-1].text = f"{blocks[-1].text} {text}"
            blocks[-1].links.extend(links)
            return
        blocks.append(_Block(headings(), text, label, list(links)))

    for i, line in enumerate(lines):
        stripped = line.strip()
        next_line = lines[i + 1] if i + 1 < len(lines) else ""
        if not stripped:
            prev_blank = True
            continue
        if (_TOC_LINE.search(stripped) and len(stripped) < 120) or _PAGES_REF.search(stripped):
            prev_blank = False
            continue
        if "\t" in line:
            key = _squash(line)
            cells = _split_cells(line)
            if key in header_rows:
                header = [_squash(_inline(c, [])) for c in cells]
                prev_blank = False
                continue
            links: list[ResourceLink] = []
            first = cells[0]
            label = None
            bold = _BOLD_CELL.match(first)
            if bold:
                label = _clean_heading(bold.group(1))
                first = bold.group(2)
            texts = [_cell_text(c, links) for c in [first, *cells[1:]]]
            broken_link = bool(texts[0]) and _is_url_fragment(texts[0])
            if broken_link:
                texts[0] = ""  # the tail of a link cut by a page break ("Forms/AllItems.aspx&..."): not a label
            if not any(texts) and label:
                if len(label) < 100:
                    set_heading(label, 2 if re.match(r"^\d", label) else 3)
                prev_blank = False
                continue
            appendix = next((m for t in texts if (m := _APPENDIX_CELL.match(t))), None)
            if appendix:
                name = texts[0].split("\n")[0].strip(" :;") if texts[0] and not _URL.search(texts[0]) and "%" not in texts[0] else ""
                described = appendix.group(2).strip(" ;:")
                if 3 <= len(described) <= 40 or not 3 <= len(name) <= 80:
                    name = _short(described) or name
                label = f"Appendix {appendix.group(1)}: {name}".rstrip(": ")
            elif label is None and texts[0] and len(texts[0]) < 90 and len([t for t in texts if t]) > 1 and header:
                label = texts[0].rstrip(":")
                texts[0] = ""
            if label and (_URL.search(label) or "%" in label):
                label = None
            parts = []
            for col, text in enumerate(texts):
                if not text:
                    continue
                name = header[col] if header and col < len(header) and col > 0 else ""
                if name and name.lower() not in ("resources",):
                    parts.append(f"{name}: {text}")
                else:
                    parts.append(text)
            body = " | ".join(parts)
            # a row with an empty first cell, or one that goes on mid-sentence after a page break, continues the last
            first_text = body[:1]
            continuation = label is None and (not cells[0].strip() or broken_link or (first_text.islower() and open_ended()))
            if label:
                add(f"{label}. {body}" if body else label, links, label=label)
            else:
                add(body, links, join=continuation)
            prev_blank = False
            continue
        header = None if prev_blank and not stripped.startswith(("-", "<")) else header
        m = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        if m:
            marked = _MARKED_HEADING.match(m.group(2).strip())
            title = _clean_heading(marked.group(1) or marked.group(2)) if marked else ""
            if marked and len(title.split()) >= 3 and len(title) <= 100 and not title.endswith("."):
                # "#### <u>PART 9 - Individual Learning Plan</u> To be completed jointly by ...": the marked
                # words are the heading, the rest is the first line under it
                md_level = _heading_level(title, len(m.group(1)))
                set_heading(title, md_level)
                m, stripped, prev_blank = None, marked.group(3), False
        if m:
            text = _clean_heading(m.group(2))
            text = re.sub(r"(\.\.\.|…)$", "", text).strip()
            if text and len(text) <= 120 and not text.endswith("."):
                md_level = _heading_level(text, len(m.group(1)))
                if md_level == 0 and not _all_caps(text) and _all_caps(stack.get(0, "")) and len(stack[0].split()) >= 3:
                    md_level = 1  # "# Content of the Act" under "# THE SOCIAL SERVICES AND WELL-BEING (WALES) ACT 2014"
                set_heading(text, md_level)
                prev_blank = False
                continue
            stripped = m.group(2)
        bold_line = re.fullmatch(r"\*\*([^*]{2,80})\*\*", stripped)
        if bold_line and prev_blank and not re.search(r"[.!?\"”]$", bold_line.group(1).strip()):
            set_heading(_clean_heading(bold_line.group(1)), 0)
            prev_blank = False
            continue
        if _looks_like_plain_heading(stripped, prev_blank, next_line):
            text = _clean_heading(stripped)
            if text:
                plain_level = 2 if md_level is None else max(2, md_level + 1)
                set_heading(text, _heading_level(text, 0) if _NUMBERED.match(text) or text.lower() in _TOP_WORDS else plain_level)
                prev_blank = False
                continue
        links = []
        text = _inline(stripped, links)
        for piece in text.split("\n"):
            piece = _squash(piece)
            if not piece or piece == "-":
                continue
            starts_lower = piece[:1].islower()
            add(piece, links, join=starts_lower and open_ended())
            links = []
        prev_blank = False
    return [b for b in blocks if not (b.headings and b.headings[-1].lower() in _SKIP_SECTIONS)]


# ---- extraction of roles, timescales, links ---------------------------------------------------

ROLE_PATTERNS = {
    "head of service": r"\bheads? of service\b|\bHoS\b",
    "service manager": r"\bservice managers?\b|\bSMs?\b",
    "team manager": r"(?<!assistant )\bteam managers?\b|\bTMs?\b",
    "assistant team manager": r"\bassistant team managers?\b|\bATMs?\b",
    "deputy team manager": r"\bdeputy team managers?\b",
    "social worker": r"\bsocial workers?\b",
    "newly qualified social worker": r"\bnewly qualified\b|\bNQSWS?\b|\bASYE\b",
    "supervisor": r"\bsupervisors?\b",
    "independent reviewing officer": r"\bindependent reviewing officers?\b|\bIROs?\b",
    "child protection chair": r"\bchild protection chairs?\b|\bCP chairs?\b",
    "registered manager": r"\bregistered managers?\b",
    "assistant director": r"\bassistant directors?\b",
    "principal officer": r"\bprincipal officers?\b",
    "line manager": r"\bline managers?\b",
    "group manager": r"\bgroup managers?\b",
    "practice manager": r"\bpractice managers?\b",
    "executive director": r"\bexecutive directors?\b",
    "consultant social worker": r"\bconsultant social workers?\b",
    "HR": r"\bHR\b",
}
_ROLE_RES = {name: re.compile(p, re.I if name not in ("HR",) else 0) for name, p in ROLE_PATTERNS.items()}

_NUM = r"(?:\d+|one|two|three|four|five|six|seven|eight|ten|twelve|twenty|twenty-four|28)"
_TIMESCALE = re.compile(
    rf"\b(?:within (?:the )?(?:first |next )?{_NUM}(?: working| calendar)? (?:days?|weeks?|months?|hours?|years?)"
    rf"|within (?:the )?first (?:day|week|month)"
    rf"|every {_NUM}(?: working)? (?:days?|weeks?|months?|years?)|every (?:day|week|month|year)"
    rf"|at least (?:once )?(?:every|each|once a) (?:{_NUM} )?(?:days?|weeks?|months?|years?)"
    rf"|at least (?:annually|monthly|weekly|quarterly)"
    rf"|(?:first|last) (?:working )?day(?: of (?:absence|sickness))?"
    rf"|by no later than [^.;,]{{3,30}}"
    rf"|{_NUM}[- ](?:monthly|weekly|yearly)(?: intervals?)?"
    rf"|(?:fortnightly|monthly|weekly|quarterly|annually|annual|yearly|six-monthly|bi-monthly)"
    rf"|(?:day|week) {_NUM}"
    rf"|{_NUM} (?:working )?days?"
    rf"|{_NUM}[- ]months?"
    rf"|{_NUM}[- ](?:weeks?|years?)"
    rf"|{_NUM} ?(?:hours?|hrs?)(?:,? (?:and )?{_NUM} ?(?:minutes?|mins?))?|{_NUM} ?(?:minutes?|mins?))\b",
    re.I,
)
_APPENDIX_REF = re.compile(r"\bAppendix (\d{1,2})\b", re.I)


def roles_in(text: str) -> tuple[str, ...]:
    """The roles a text names (team manager, head of service, IRO...), acronyms included."""
    return _roles(text)


def _roles(text: str) -> tuple[str, ...]:
    return tuple(name for name, rx in _ROLE_RES.items() if rx.search(text))


def _timescales(text: str) -> tuple[str, ...]:
    seen: list[str] = []
    for m in _TIMESCALE.finditer(text):
        value = m.group(0).lower()
        if value not in seen:
            seen.append(value)
    return tuple(seen[:6])


def _links_in(text: str, collected: list[ResourceLink]) -> tuple[ResourceLink, ...]:
    out: list[ResourceLink] = []
    for link in collected:
        if link not in out:
            out.append(link)
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;")
        if not any(link.url == url for link in out):
            out.append(ResourceLink(_url_title(url), url))
    for m in _PHONE.finditer(text):
        number = m.group(1)
        title = "Helpline " + number if re.search(r"helpline|24-hour|phone|call", text, re.I) else "Telephone " + number
        out.append(ResourceLink(title, "tel:" + number.replace(" ", "")))
    return tuple(out)


def _url_title(url: str) -> str:
    tail = re.sub(r"[?#].*$", "", url.rstrip("/")).rsplit("/", 1)[-1]
    tail = re.sub(r"\.(aspx|pdf|docx?|html?)$", "", tail, flags=re.I)
    words = re.sub(r"[-_%20]+", " ", tail).strip()
    return words[:1].upper() + words[1:] if words and not words.isdigit() else url.split("/")[2]


# ---- passages --------------------------------------------------------------------------------


def _split_long(text: str) -> list[str]:
    if len(text) <= MAX_BLOCK_CHARS:
        return [text]
    # split after a sentence, keeping whether a new line followed it (a list item stays a line of its own)
    pieces = re.split(r"((?<=[.;!?])\s+(?=[A-Z0-9\"“(-]))", text)
    sentences = [(piece, "\n" if "\n" in (pieces[k - 1] if k else "") else " ") for k, piece in enumerate(pieces) if k % 2 == 0]
    out: list[str] = []
    current = ""
    for sentence, joint in sentences:
        while len(sentence) > MAX_BLOCK_CHARS:
            cut = sentence.rfind(" ", 0, MAX_BLOCK_CHARS)
            cut = cut if cut > 200 else MAX_BLOCK_CHARS
            if current:
                out.append(current)
                current = ""
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + len(sentence) + 1 > MAX_BLOCK_CHARS:
            out.append(current)
            current = sentence
        else:
            current = f"{current}{joint}{sentence}".strip()
    if current:
        out.append(current)
    return out


def _slug(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "section"


def parse_document(raw: str, doc: DocumentInfo) -> list[StructuredPassage]:
    """The passages of one document, in reading order, with stable ids (`doc-key:section-slug:n`)."""
    blocks = _blocks(raw)
    appendix_titles = _appendix_titles(blocks)
    groups: list[tuple[tuple[str, ...], list[_Block]]] = []
    for block in blocks:
        heads = block.headings + ((block.label,) if block.label else ())
        pieces = _split_long(block.text)
        for piece in pieces:
            piece_block = _Block(block.headings, piece, block.label, block.links if piece is pieces[0] else [])
            lead_in = piece is pieces[0] and piece.rstrip().endswith(":")
            if (
                groups
                and groups[-1][0] == heads
                and not block.label
                and not lead_in
                and sum(len(b.text) + 1 for b in groups[-1][1]) + len(piece) <= TARGET_CHARS
            ):
                groups[-1][1].append(piece_block)
            else:
                groups.append((heads, [piece_block]))
    passages: list[StructuredPassage] = []
    counters: Counter[str] = Counter()
    for heads, members in groups:
        heads = tuple(h for h in heads if h.lower() not in doc.short_title.lower())
        text = "\n".join(b.text for b in members)
        if len(re.sub(r"\W", "", text)) < 12 or len(re.findall(r"[A-Za-z]{2,}", text)) < 3:
            continue  # page furniture: a lone date, a page number
        collected = [link for b in members for link in b.links]
        slug = _slug(heads[-1] if heads else "start")
        counters[slug] += 1
        refs = tuple(
            dict.fromkeys(
                f"Appendix {n}: {appendix_titles[n]}" if n in appendix_titles else f"Appendix {n}"
                for n in _APPENDIX_REF.findall(text)
            )
        )
        passages.append(
            StructuredPassage(
                id=f"{doc.key}:{slug}:{counters[slug]}",
                doc=doc,
                headings=heads,
                text=text,
                roles=_roles(" ".join((*heads, text))),
                timescales=_timescales(text),
                links=_links_in(text, collected),
                appendices=refs,
            )
        )
    return passages


def _short(text: str, limit: int = 48) -> str:
    text = text.strip(" ;:")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0]


def _appendix_titles(blocks: list[_Block]) -> dict[str, str]:
    """Appendix numbers to their titles, from an appendix table ("Appendix 9 The employee assistance ...")."""
    titles: dict[str, str] = {}
    for block in blocks:
        for m in re.finditer(r"\bAppendix (\d{1,2})[;:]?\s+([A-Z][^.:|;]{3,60})", block.text):
            titles.setdefault(m.group(1), _short(m.group(2)))
    return titles
