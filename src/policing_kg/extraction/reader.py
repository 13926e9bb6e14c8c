"""What every converter shares: the document's text, ignore rules, and the coverage ledger.

The ledger makes sure no text is dropped silently.

A converter claims every passage it reads (an item's text, a heading it consumed, a marker).
When it is done, :meth:`Reader.finish` fails on every line of non-blank text that nothing
claimed and no ignore rule set aside, each at its ``file:line``: the line quoted, what the
converter expected there (:meth:`Reader.unplaced`), and the ``ignore`` rule to paste into the
manifest if the line is no item's text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from policing_kg.errors import DataError, PolicingKGError, Problems, SourceError
from policing_kg.extraction.records import (
    DocumentRecord,
    Field,
    ItemKind,
    ItemRecord,
    Span,
    collapse,
)
from policing_kg.extraction.sources import DocumentSpec, SourceText

__all__ = ["Line", "Reader"]

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


@dataclass(frozen=True)
class Line:
    """A non-blank line of the document, trimmed: its span and its text."""

    number: int
    start: int
    end: int
    text: str


class Reader:
    """A document's text, masked where the manifest's ignore rules apply, and a coverage ledger."""

    def __init__(self, source: SourceText, spec: DocumentSpec) -> None:
        self.source = source
        self.spec = spec
        self.part = source.part(spec.lines)
        self._claimed: list[tuple[int, int]] = []
        self.ignored: list[tuple[int, str]] = []
        self.items: list[ItemRecord] = []
        #: offset -> (what is wrong, what the converter expected), for lines it did not place
        self._unplaced: dict[int, tuple[str, str]] = {}
        rules = {collapse(rule.text): rule for rule in spec.ignore}
        used: set[str] = set()
        masked = list(source.text)
        for start, end in self._raw_lines():
            key = collapse(source.text[start:end])
            rule = rules.get(key)
            if rule is None:
                continue
            used.add(key)
            masked[start:end] = " " * (end - start)
            self._claimed.append((start, end))
            self.ignored.append((source.line_of(start), rule.reason))
        unused = [text for text in rules if text not in used]
        Problems.raise_if_any([DataError(
            f"ignore rule matches no line: {text!r} (document {spec.id})",
            where=spec.where or f"manifest, document {spec.id}",
            hint="remove the rule, or copy the line's text exactly (whitespace aside)")
            for text in unused], what=f"ignore rules of document {spec.id} that match nothing")
        self.text = "".join(masked)

    # -- reading -------------------------------------------------------------------------------

    def _raw_lines(self) -> Iterator[tuple[int, int]]:
        start = self.part.start
        while start < self.part.end:
            newline = self.source.text.find("\n", start, self.part.end)
            end = self.part.end if newline < 0 else newline
            yield start, end
            start = end + 1

    def lines(self) -> Iterator[Line]:
        """Yield the document's non-blank lines (ignored lines are blank), trimmed."""
        for start, end in self._raw_lines():
            span = self.trim(start, end)
            if span is not None:
                yield Line(self.source.line_of(span.start), span.start, span.end,
                           self.text[span.start : span.end])

    def trim(self, start: int, end: int) -> Span | None:
        """Return ``[start, end)`` without its leading and trailing whitespace, or ``None``."""
        chunk = self.text[start:end]
        stripped = chunk.strip()
        if not stripped:
            return None
        lead = len(chunk) - len(chunk.lstrip())
        return Span(self.source.name, start + lead, start + lead + len(stripped))

    def paragraphs(self, start: int, end: int) -> list[Span]:
        """Split ``[start, end)`` at blank lines into trimmed paragraph spans."""
        spans: list[Span] = []
        cursor = start
        for gap in _BLANK_LINE.finditer(self.text, start, end):
            span = self.trim(cursor, gap.start())
            if span is not None:
                spans.append(span)
            cursor = gap.end()
        span = self.trim(cursor, end)
        if span is not None:
            spans.append(span)
        return spans

    def text_of(self, spans: Sequence[Span]) -> str:
        """Return the spans' text: each paragraph's whitespace collapsed, blank line between."""
        paragraphs = [p for s in spans for p in self.paragraphs(s.start, s.end)]
        return "\n\n".join(collapse(self.source.cut(p)) for p in paragraphs)

    # -- the ledger ----------------------------------------------------------------------------

    def claim(self, start: int, end: int) -> None:
        """Mark ``[start, end)`` as read (a heading or a marker the layout consumed)."""
        self._claimed.append((start, end))

    def unplaced(self, offset: int, what: str, expected: str) -> None:
        """Leave the line at ``offset`` unclaimed, saying what is wrong and what was expected.

        :meth:`finish` reports it with every other line that nothing placed.
        """
        self._unplaced[self.source.line_of(offset)] = (what, expected)

    def ignore_rule(self, text: str) -> str:
        """Return the manifest's ``ignore`` rule that would set ``text`` aside, ready to paste."""
        return (f"{{ text = {json.dumps(collapse(text), ensure_ascii=False)}, "
                f"reason = \"WHY it is no item's text\" }}")

    def _unplaced_error(self, start: int, end: int) -> SourceError:
        line = self.source.text[start:end].strip()
        number = self.source.line_of(start)
        what, expected = self._unplaced.get(number, ("cannot place this line",
                                                     "the converter did not expect text here"))
        quoted = line if len(line) <= 100 else line[:99] + "…"
        record = self.spec.where or "data/sources/manifest.toml"
        return self.error(start, f"{what}: «{quoted}»",
                          f"{expected}; if it is no item's text, add to `ignore` of document "
                          f"{self.spec.id} ({record}): "
                          f"{self.ignore_rule(line)}")

    def error(self, offset: int, what: str, hint: str | None = None) -> SourceError:
        """Return an error that points at the line of ``offset``."""
        return SourceError(what, where=f"{self.source.where(offset)} (document {self.spec.id})",
                           hint=hint)

    def add_item(
        self,
        kind: ItemKind,
        path: tuple[str, ...],
        notation: str | None,
        *,
        label: Sequence[Span] = (),
        description: Sequence[Span] = (),
        heading: Sequence[Span] = (),
        parent: tuple[str, ...] | None = None,
        parent_is_editorial: bool = False,
        language: str | None = None,
    ) -> ItemRecord:
        """Record an item whose text is in ``label`` and ``description`` spans; claim them."""
        spans: dict[Field, tuple[Span, ...]] = {}
        for key, group in ((Field.LABEL, label), (Field.DESCRIPTION, description),
                           (Field.HEADING, heading)):
            if group:
                spans[key] = tuple(group)
                for span in group:
                    self.claim(span.start, span.end)
        if any(other.path == path for other in self.items):
            spans_given = [*label, *heading, *description]
            where = spans_given[0].start if spans_given else self.part.start
            raise self.error(where, f"two items would get the IRI path {'/'.join(path)}")
        record = ItemRecord(
            document=self.spec.id,
            kind=kind,
            path=path,
            notation=notation,
            position=len(self.items) + 1,
            language=language or self.spec.language,
            label=self.text_of(label) if label else None,
            parent=parent,
            parent_is_editorial=parent_is_editorial,
            description=self.text_of(description) if description else None,
            spans=spans,
        )
        self.items.append(record)
        return record

    def finish(self, description: Sequence[Span] = ()) -> tuple[DocumentRecord, list[ItemRecord]]:
        """Check that every non-blank character was read or set aside; return the records."""
        for span in description:
            self.claim(span.start, span.end)
        claimed = sorted(self._claimed)
        cursor = self.part.start
        problems: list[PolicingKGError] = []
        reported: set[int] = set()
        for start, end in [*claimed, (self.part.end, self.part.end)]:
            gap = self.text[cursor:start] if start > cursor else ""
            if gap.strip():  # each line of the gap that holds text, quoted whole
                for match in re.finditer(r"[^\n]*\S[^\n]*", gap):
                    offset = cursor + match.start() + len(match.group()) \
                        - len(match.group().lstrip())
                    first = self.source.text.rfind("\n", 0, offset) + 1
                    last = self.source.text.find("\n", offset)
                    last = len(self.source.text) if last < 0 else last
                    if self.source.line_of(offset) not in reported:
                        reported.add(self.source.line_of(offset))
                        problems.append(self._unplaced_error(first, last))
            cursor = max(cursor, end)
        Problems.raise_if_any(problems, what=f"lines of document {self.spec.id} that no item "
                              "holds")
        document = DocumentRecord(
            document=self.spec.id,
            part=self.part,
            description=self.text_of(description) if description else None,
            description_spans=tuple(description),
        )
        return document, self.items
