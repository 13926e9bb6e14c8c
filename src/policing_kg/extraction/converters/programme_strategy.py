"""The programme strategy leaflets (000, 002 a and b, 003): mandate, objectives, outcomes.

Layout, after the extraction flattened the leaflet's columns (see data/sources/EXTRACTION.md):

- prose before the first marker introduces the document;
- ``MANDAT`` is a heading; the mandate follows, between « and »;
- ``OBJECTIF N:`` (``OBJECTIVE N:`` in English) opens an objective; it may run into the end of
  the previous one (``and corruption. OBJECTIVE 2:``);
- a line of objective headings with no wording (``OBJECTIF 4OBJECTIF 1 OBJECTIF 2 OBJECTIF 3``)
  is the header of the outcome columns: it states their order, and it is where objectives whose
  wording the text lacks (Counter-Terrorism) are seen at all;
- every ``•`` opens an expected outcome; the outcomes run on as one list.

Which objective an outcome belongs to: with ``outcome_columns`` in the manifest, the list falls
into equal runs, one per column, in that column order; with ``outcome_grouping``, a curation
file assigns each outcome (the assignment is editorial, and marked as such).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from policing_kg.extraction.reader import Reader
from policing_kg.extraction.records import Conversion, ItemKind, Span, collapse

__all__ = ["convert"]

_MANDATE = re.compile(r"^[^\S\n]*MANDATE?[^\S\n]*$", re.MULTILINE)
_OBJECTIVE = re.compile(r"\bOBJECTI(?:F|VE)[^\S\n]*(\d+)[^\S\n]*:")
_COLUMNS = re.compile(r"^[^\S\n]*(?:OBJECTI(?:F|VE)[^\S\n]*\d+[^\S\n]*){2,}$", re.MULTILINE)
_COLUMN = re.compile(r"OBJECTI(?:F|VE)[^\S\n]*(\d+)")
_BULLET = re.compile(r"•")
_UNNUMBERED = re.compile(r"(OBJECTI(?:F|VE))[^\S\n]*:")
_QUOTED = re.compile(r"^«\s*(.*?)\s*»$", re.DOTALL)


def convert(reader: Reader, grouping: Mapping[int, int] | None = None) -> Conversion:
    """Read a programme strategy leaflet; ``grouping`` maps outcome number to objective number."""
    text, part, name = reader.text, reader.part, reader.source.name
    columns: list[tuple[int, Span]] = []
    markers: list[tuple[int, int, str, int]] = []  # start, end, kind, number
    for match in _COLUMNS.finditer(text, part.start, part.end):
        for column in _COLUMN.finditer(text, match.start(), match.end()):
            columns.append((int(column.group(1)), Span(name, column.start(), column.end())))
        reader.claim(match.start(), match.end())
        markers.append((match.start(), match.end(), "columns", 0))
    for match in _MANDATE.finditer(text, part.start, part.end):
        markers.append((match.start(), match.end(), "mandate", 0))
    for match in _OBJECTIVE.finditer(text, part.start, part.end):
        if not any(m[0] <= match.start() < m[1] for m in markers if m[2] == "columns"):
            markers.append((match.start(), match.end(), "objective", int(match.group(1))))
    bullets = 0
    for match in _BULLET.finditer(text, part.start, part.end):
        bullets += 1
        markers.append((match.start(), match.end(), "outcome", bullets))
    markers.sort()

    intro_end = markers[0][0] if markers else part.end
    intro = reader.paragraphs(part.start, intro_end)
    objectives: dict[int, Span | None] = {}
    objective_at: dict[int, int] = {}  # number -> where its marker is (for errors)
    outcomes: list[tuple[int, Span]] = []
    mandate: Span | None = None
    for index, (start, end, kind, number) in enumerate(markers):
        reader.claim(start, end)
        if kind == "columns":
            continue
        stop = markers[index + 1][0] if index + 1 < len(markers) else part.end
        paragraphs = reader.paragraphs(end, stop)
        if not paragraphs:
            raise reader.error(start, f"{kind} with no text")
        for extra in paragraphs[1:]:  # left unclaimed: finish() quotes each of their lines
            unnumbered = _UNNUMBERED.match(text, extra.start, extra.end)
            if unnumbered:
                raise reader.error(extra.start, "an objective heading without its number: "
                                   f"«{collapse(text[extra.start:extra.end])[:80]}»",
                                   f"write its number, e.g. '{unnumbered.group(1)} "
                                   f"{number + 1 if kind == 'objective' else len(objectives) + 1}"
                                   ":'")
            reader.unplaced(extra.start, f"text after the {kind} cannot be placed",
                            "a blank line ends an item: is a heading missing before it "
                            "(MANDAT, OBJECTIF N:, or • for an outcome)?")
        body = paragraphs[0]
        if kind == "mandate":
            if mandate is not None:
                raise reader.error(start, "a second mandate")
            quoted = _QUOTED.match(text[body.start : body.end])
            if quoted:  # the guillemets frame the mandate; they are not part of its wording
                reader.claim(body.start, body.end)
                body = Span(name, body.start + quoted.start(1), body.start + quoted.end(1))
            mandate = body
        elif kind == "objective":
            if number in objectives:
                raise reader.error(start, f"objective {number} appears twice (first at line "
                                   f"{reader.source.line_of(objective_at[number])})",
                                   "give each objective its own number, 1 to N in order")
            objectives[number] = body
            objective_at[number] = start
        else:
            outcomes.append((number, body))

    column_numbers = [number for number, _ in columns]
    stated = list(reader.spec.outcome_columns)
    if columns and stated and column_numbers != stated:
        raise reader.error(columns[0][1].start,
                           f"the text orders the outcome columns {column_numbers}, the manifest "
                           f"says {list(reader.spec.outcome_columns)}", "make them agree")
    headings = {number: span for number, span in columns}
    for number in headings:
        objectives.setdefault(number, None)
    expected = list(range(1, len(objectives) + 1))
    if sorted(objectives) != expected:
        stray = min(set(objectives) - set(expected))
        missing = sorted(set(expected) - set(objectives))
        where = objective_at.get(stray, headings[stray].start if stray in headings else part.start)
        numbers = ", ".join(str(n) for n in sorted(objectives))
        raise reader.error(where, f"objective {stray} where objective "
                           f"{', '.join(str(n) for n in missing)} is missing: the text numbers "
                           f"its objectives {numbers}, and they should run 1..{len(objectives)}",
                           f"fix this number (OBJECTIF {missing[0]}:), or the text's extraction")

    # Items are recorded in reading order; objectives known only from the column header are
    # ranked there by their number.
    entries: list[tuple[int, int, ItemKind, Span | None, Span | None]] = []
    if mandate is not None:
        entries.append((mandate.start, 0, ItemKind.MANDATE, mandate, None))
    header_start = columns[0][1].start if columns else part.end
    for number in expected:
        wording = objectives[number]
        offset = wording.start if wording else header_start
        entries.append((offset, number, ItemKind.PROGRAMME_OBJECTIVE, wording,
                        None if wording else headings.get(number)))
    for _, number, item_kind, wording, heading in sorted(entries, key=lambda e: (e[0], e[1])):
        if item_kind is ItemKind.MANDATE:
            reader.add_item(item_kind, ("mandate",), None, label=[wording] if wording else [])
        else:
            reader.add_item(item_kind, ("objective", str(number)), str(number),
                            label=[wording] if wording else [],
                            heading=[heading] if heading else [])
    parents = _outcome_parents(reader, outcomes, grouping, len(expected))
    for number, body in outcomes:
        objective = parents[number]
        reader.add_item(ItemKind.EXPECTED_OUTCOME, ("outcome", str(number)), str(number),
                        label=[body], parent=("objective", str(objective)),
                        parent_is_editorial=grouping is not None)
    document, items = reader.finish(intro)
    return Conversion(document, tuple(items), tuple(reader.ignored))


def _outcome_parents(reader: Reader, outcomes: list[tuple[int, Span]],
                     grouping: Mapping[int, int] | None, objective_count: int) -> dict[int, int]:
    if not outcomes:
        return {}
    first = outcomes[0][1].start
    if grouping is not None:
        numbers = {number for number, _ in outcomes}
        if set(grouping) != numbers:
            raise reader.error(first, f"the outcome grouping covers outcomes {sorted(grouping)}, "
                               f"the text has {sorted(numbers)}",
                               f"fix {reader.spec.outcome_grouping}")
        unknown = sorted(o for o in grouping.values() if not 1 <= o <= objective_count)
        if unknown:
            raise reader.error(first, f"the outcome grouping names objective {unknown[0]}, "
                               f"the document has {objective_count}")
        return dict(grouping)
    order = reader.spec.outcome_columns
    if not order:
        raise reader.error(first, "outcomes but no way to place them under objectives",
                           "give outcome_columns or outcome_grouping in the manifest")
    if sorted(order) != list(range(1, objective_count + 1)):
        raise reader.error(first, f"outcome_columns {list(order)} do not name each of the "
                           f"{objective_count} objectives once")
    size, remainder = divmod(len(outcomes), len(order))
    if remainder:
        raise reader.error(first, f"{len(outcomes)} outcomes do not fall evenly into "
                           f"{len(order)} columns: the text does not determine their objectives",
                           "record an editorial assignment with outcome_grouping")
    return {number: order[(index) // size] for index, (number, _) in enumerate(outcomes)}
