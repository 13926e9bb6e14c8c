"""The Strategic Framework page (001): vision, mission and strategic goals under headings.

Layout: one paragraph a line. ``Notre vision`` and ``Notre mission`` are headings whose next
paragraph is the statement and whose further paragraphs explain it; ``Buts stratégiques``
opens the goals, each headed ``But stratégique N : <goal>`` (non-breaking spaces inside), with
explanatory paragraphs after it. Paragraphs under no heading introduce the document.
"""

from __future__ import annotations

import re

from policing_kg.extraction.reader import Line, Reader
from policing_kg.extraction.records import Conversion, ItemKind, Span

__all__ = ["convert"]

_SECTION = {
    "Notre vision": (ItemKind.VISION, ("vision",)),
    "Notre mission": (ItemKind.MISSION, ("mission",)),
}
_GOALS_HEADING = re.compile(r"^Buts\s+stratégiques$")
_GOAL = re.compile(r"^But\s+stratégique\s+(\d+)\s*:\s*(\S.*)$")


def _span(reader: Reader, line: Line, start: int = 0) -> Span:
    return Span(reader.source.name, line.start + start, line.end)


def convert(reader: Reader) -> Conversion:
    """Read the Strategic Framework page into a vision, a mission and its strategic goals."""
    intro: list[Span] = []
    # (kind, path, notation, label spans, description spans) of the item being read
    current: tuple[ItemKind, tuple[str, ...], str | None, list[Span], list[Span]] | None = None
    pending_heading: tuple[ItemKind, tuple[str, ...]] | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            kind, path, notation, label, description = current
            reader.add_item(kind, path, notation, label=label, description=description)
        current = None

    for line in reader.lines():
        text = line.text.strip()
        if text in _SECTION:
            close()
            reader.claim(line.start, line.end)
            pending_heading = _SECTION[text]
            continue
        if _GOALS_HEADING.match(text):
            close()
            reader.claim(line.start, line.end)
            pending_heading = None
            continue
        goal = _GOAL.match(text)
        if goal:
            close()
            number = goal.group(1)
            reader.claim(line.start, line.start + goal.start(2))
            current = (ItemKind.STRATEGIC_GOAL, ("goal", number), number,
                       [_span(reader, line, goal.start(2))], [])
            continue
        if pending_heading is not None:
            kind, path = pending_heading
            current = (kind, path, None, [_span(reader, line)], [])
            pending_heading = None
        elif current is not None:
            current[4].append(_span(reader, line))
        else:
            intro.append(_span(reader, line))
    close()
    if pending_heading is not None:
        raise reader.error(reader.part.end, f"heading for {pending_heading[0].value} has no text")
    document, items = reader.finish(intro)
    return Conversion(document, tuple(items), tuple(reader.ignored))
