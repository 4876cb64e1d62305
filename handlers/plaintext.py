"""The plain-text renderer of neutral replies: the console chat and notification fallbacks use it."""

from __future__ import annotations

import textwrap

from handlers.types import Actions, FieldErrors, FormPart, ItemList, PassagePart, Reply, Text


def render_plain(reply: Reply, width: int = 88) -> str:
    lines: list[str] = []
    for part in reply.parts:
        if isinstance(part, Text):
            if part.style == "heading":
                lines += ["", part.text.upper()]
            elif part.style == "warning":
                lines.append(f"! {part.text}")
            else:
                lines.append(part.text)
        elif isinstance(part, PassagePart):
            p = part.passage
            dated = f" ({p.document_date})" if p.document_date else ""
            lines += ["", f"{p.title}", f"  {p.source}{dated} > {p.section}"]
            lines += textwrap.wrap(p.text, width, initial_indent="  ", subsequent_indent="  ")
            lines += [f"  - {link.title}: {link.url}" for link in p.links]
        elif isinstance(part, Actions):
            labels = [b.label + (f" <{b.url}>" if b.url else "") for b in part.buttons]
            if labels:
                lines.append("[" + "] [".join(labels) + "]")
        elif isinstance(part, ItemList):
            lines.append(part.title)
            if not part.items and part.empty_text:
                lines.append(f"  {part.empty_text}")
            for item in part.items:
                lines.append(f"  - {item.text}" + (f" ({item.detail})" if item.detail else ""))
        elif isinstance(part, FormPart):
            lines.append(f"{part.form.title}: " + ", ".join(f.label for f in part.form.fields))
        elif isinstance(part, FieldErrors):
            lines += [f"! {name}: {message}" for name, message in part.errors.items()]
    return "\n".join(lines).strip("\n")
