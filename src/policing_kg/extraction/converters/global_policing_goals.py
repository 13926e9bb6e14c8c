"""The Global Policing Goals brochure (004): seven goals and five cross-cutting themes.

Layout: one paragraph a line. Before the first goal, prose paragraphs introduce the document.
A goal is a heading in capitals (the goals are not numbered in the text: their number is their
order, as in the 2017 numbering); its statements follow, one a line, each opened by ``- ``.
``THÈMES FONDAMENTAUX TRANSVERSAUX`` opens the themes, headed ``I. <theme>`` to ``V. <theme>``,
with their statements likewise.
"""

from __future__ import annotations

import re

from policing_kg.extraction.reader import Line, Reader
from policing_kg.extraction.records import Conversion, ItemKind, Span

__all__ = ["convert", "roman_to_int"]

_THEMES_HEADING = re.compile(r"^THÈMES\s+FONDAMENTAUX\s+TRANSVERSAUX$")
_THEME = re.compile(r"^([IVX]+)\.\s+(\S.*)$")
_STATEMENT = re.compile(r"^-\s+(\S.*)$")
_ROMAN = {"I": 1, "V": 5, "X": 10}


def roman_to_int(numeral: str) -> int:
    """Return the value of a Roman numeral.

    >>> [roman_to_int(n) for n in ("I", "IV", "V", "IX", "XII")]
    [1, 4, 5, 9, 12]
    """
    total = 0
    for char, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = _ROMAN[char]
        total += -value if following and _ROMAN[following] > value else value
    return total


def _is_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and not any(c.islower() for c in letters)


def convert(reader: Reader) -> Conversion:
    """Read the Global Policing Goals: goals and themes, each with its statements."""
    name = reader.source.name
    intro: list[Span] = []
    parent: tuple[str, ...] | None = None
    parent_notation = ""
    statements = 0
    goals = 0
    in_themes = False

    def span(line: Line, offset: int) -> Span:
        return Span(name, line.start + offset, line.end)

    for line in reader.lines():
        text = line.text
        statement = _STATEMENT.match(text)
        if statement:
            if parent is None:
                raise reader.error(line.start, "a statement before any goal or theme")
            statements += 1
            reader.claim(line.start, line.start + statement.start(1))
            kind = ItemKind.THEME_STATEMENT if in_themes else ItemKind.GOAL_STATEMENT
            reader.add_item(kind, (*parent, "statement", str(statements)),
                            f"{parent_notation}.{statements}",
                            label=[span(line, statement.start(1))], parent=parent)
            continue
        if _THEMES_HEADING.match(text):
            reader.claim(line.start, line.end)
            in_themes, parent = True, None
            continue
        theme = _THEME.match(text) if in_themes else None
        if theme:
            numeral = theme.group(1)
            parent, parent_notation, statements = ("theme", str(roman_to_int(numeral))), numeral, 0
            reader.claim(line.start, line.start + theme.start(2))
            reader.add_item(ItemKind.CROSS_CUTTING_THEME, parent, numeral,
                            label=[span(line, theme.start(2))])
            continue
        if not in_themes and _is_heading(text):
            goals += 1
            parent, parent_notation, statements = ("goal", str(goals)), str(goals), 0
            reader.add_item(ItemKind.GLOBAL_POLICING_GOAL, parent, str(goals),
                            label=[span(line, 0)])
            continue
        if goals == 0 and not in_themes:
            intro.append(span(line, 0))
            continue
        reader.unplaced(line.start, "cannot place this line",
                        "expected a goal heading in capitals, a theme heading 'I. <theme>' "
                        "after THÈMES FONDAMENTAUX TRANSVERSAUX, or a statement opened by '- '")
    document, items = reader.finish(intro)
    return Conversion(document, tuple(items), tuple(reader.ignored))
