"""The bundled example corpus: five published standards documents shipped in `knowledge/sources/`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from knowledge.parse import DocumentInfo, StructuredPassage, parse_document

SOURCES_DIR = Path(__file__).with_name("sources")

BUNDLED: dict[str, DocumentInfo] = {
    "sefton-practice-standards-for-managers-2023.txt": DocumentInfo(
        key="sefton-2023",
        organisation="Sefton Council (Children's Services)",
        title="Practice Standards for All Managers",
        short_title="Sefton Practice Standards",
        date="June 2023",
        aliases=("sefton", "sefton mbc", "bootle"),
    ),
    "wscc-management-standards-2023.txt": DocumentInfo(
        key="wscc-standards-2023",
        organisation="West Sussex County Council (Children, Young People and Learning)",
        title="Management Standards, Expectations & Accountabilities",
        short_title="WSCC Management Standards",
        date="January 2023 (L&D support added July 2023)",
        aliases=("wscc", "west sussex", "westsussex"),
    ),
    "wscc-workforce-management-development-update-2021.txt": DocumentInfo(
        key="wscc-workforce-2021",
        organisation="West Sussex County Council (Children and Young People's Services Scrutiny Committee)",
        title="Children First Improvement: Workforce and Management Development Programme Update",
        short_title="WSCC Workforce and Management Development Update",
        date="29 September 2021",
        aliases=("wscc", "west sussex", "westsussex"),
    ),
    "npt-supervision-and-appraisal-2015.txt": DocumentInfo(
        key="npt-2015",
        organisation="Neath Port Talbot County Borough Council (Children and Young People Services)",
        title="Supervision Policy, Supervision Standards and Personal Development Review (Cabinet Board papers)",
        short_title="NPT Supervision and Appraisal",
        date="24 September 2015",
        aliases=("npt", "neath port talbot", "neath", "port talbot"),
    ),
    "childrens-services-management-standards-self-assessment.txt": DocumentInfo(
        key="self-assessment",
        organisation="Children's Services (management standards template)",
        title="Children's Services Management Standards: self-assessment",
        short_title="Management Standards Self-Assessment",
        date=None,
        aliases=("self-assessment", "self assessment"),
    ),
}


@lru_cache(maxsize=1)
def bundled_passages() -> tuple[StructuredPassage, ...]:
    """Every passage of the bundled documents, parsed once per process."""
    passages: list[StructuredPassage] = []
    for filename, info in BUNDLED.items():
        raw = (SOURCES_DIR / filename).read_text(encoding="utf-8")
        passages.extend(parse_document(raw, info))
    return tuple(passages)
