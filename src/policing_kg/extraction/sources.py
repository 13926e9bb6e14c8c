"""The source texts and their manifest (``data/sources/manifest.toml``)."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policing_kg.common import datafiles as typed
from policing_kg.common.datafiles import load_toml
from policing_kg.errors import DataError, SourceError
from policing_kg.extraction.records import Span

__all__ = [
    "DOCUMENT_KINDS",
    "IgnoreRule",
    "DocumentSpec",
    "SourceText",
    "load_manifest",
    "read_source",
]

DOCUMENT_KINDS = ("StrategicFramework", "GlobalPolicingGoals", "ProgrammeStrategy")
_LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class IgnoreRule:
    """A source line that is no item's text, with the reason it is set aside."""

    text: str
    reason: str


@dataclass(frozen=True)
class DocumentSpec:
    """One manifest record: a document, where its text is and how to read it."""

    id: str
    kind: str
    title: dict[str, str]
    title_translated: tuple[str, ...]
    publisher: str
    language: str
    file: str
    converter: str
    lines: tuple[int, int] | None = None
    period: tuple[int, int] | None = None
    date: str | None = None
    note: str | None = None
    outcome_columns: tuple[int, ...] = ()
    outcome_grouping: str | None = None
    ignore: tuple[IgnoreRule, ...] = ()
    #: ``manifest.toml:LINE`` of the record's ``[[document]]`` header, and of its ``converter``
    where: str = ""
    converter_where: str = ""


def _spec(record: dict[str, Any], where: str, at: tuple[int, int] | None = None,
          path: str = "") -> DocumentSpec:
    required = ("id", "kind", "title", "publisher", "language", "file", "converter")
    missing = [key for key in required if key not in record]
    if missing:
        raise DataError(f"document record lacks {', '.join(missing)}", where=where)
    known = set(required) | {
        "title_translated", "lines", "period", "date", "note",
        "outcome_columns", "outcome_grouping", "ignore",
    }
    unknown = sorted(set(record) - known)
    if unknown:
        raise DataError(f"unknown key(s) {', '.join(unknown)}", where=where,
                        hint=f"known keys: {', '.join(sorted(known))}")
    for key in ("id", "kind", "publisher", "language", "file", "converter"):
        typed.text(record, key, where)
    if record["kind"] not in DOCUMENT_KINDS:
        raise DataError(f"unknown kind {record['kind']!r}", where=where,
                        hint=f"one of {', '.join(DOCUMENT_KINDS)}")
    title = typed.table(record["title"], "title", where)
    if set(title) != set(_LANGUAGES):
        raise DataError("title needs exactly the languages fr and en", where=where)
    for language in _LANGUAGES:
        typed.text(title, language, f"{where} title")
    if record["language"] not in _LANGUAGES:
        raise DataError(f"language must be one of {_LANGUAGES}", where=where)
    lines = _pair(record, "lines", where)
    if lines is not None and not 1 <= lines[0] <= lines[1]:
        raise DataError("lines must be [first, last], 1-based", where=where)
    period = _pair(record, "period", where)
    ignore = tuple(IgnoreRule(typed.text(r, "text", f"{where} ignore {n}"),
                              typed.text(r, "reason", f"{where} ignore {n}"))
                   for n, r in enumerate(typed.records(record, "ignore", where), 1))
    columns = record.get("outcome_columns", [])
    if not isinstance(columns, list) or not all(isinstance(c, int) and not isinstance(c, bool)
                                                for c in columns):
        raise DataError("`outcome_columns` must be a list of integers", where=where)
    return DocumentSpec(
        id=record["id"],
        kind=record["kind"],
        title=dict(title),
        title_translated=tuple(typed.strings(record, "title_translated", where)),
        publisher=record["publisher"],
        language=record["language"],
        file=record["file"],
        converter=record["converter"],
        lines=lines,
        period=period,
        date=typed.optional_text(record, "date", where),
        note=typed.optional_text(record, "note", where),
        outcome_columns=tuple(columns),
        outcome_grouping=typed.optional_text(record, "outcome_grouping", where),
        ignore=ignore,
        where=f"{path}:{at[0]}" if at else where,
        converter_where=f"{path}:{at[1]}" if at else where,
    )


def _record_lines(path: Path, count: int) -> list[tuple[int, int] | None]:
    """Return, for each ``[[document]]``, the line of its header and of its ``converter``."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return [None] * count
    found: list[list[int]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"^\s*\[\[\s*document\s*\]\]\s*(#.*)?$", line):
            found.append([number, number])
        elif found and re.match(r"^\s*converter\s*=", line):
            found[-1][1] = number
    if len(found) != count:
        return [None] * count
    return [(header, converter) for header, converter in found]


def _pair(record: dict[str, Any], key: str, where: str) -> tuple[int, int] | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2 or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise DataError(f"`{key}` must be two integers, [first, last]", where=where)
    return (value[0], value[1])


def load_manifest(path: Path) -> list[DocumentSpec]:
    """Read the manifest: one :class:`DocumentSpec` per ``[[document]]``, ids unique."""
    records = typed.records(load_toml(path), "document", str(path))
    lines = _record_lines(path, len(records))
    specs = [_spec(record, f"{path}:{lines[n - 1][0]}" if lines[n - 1] else  # type: ignore[index]
                   f"{path} (document {n})", lines[n - 1], str(path))
             for n, record in enumerate(records, 1)]
    seen: set[str] = set()
    for spec in specs:
        if spec.id in seen:
            raise DataError(f"document id {spec.id!r} appears twice", where=str(path))
        seen.add(spec.id)
    if not specs:
        raise DataError("no [[document]] records", where=str(path))
    return specs


class SourceText:
    """A source file's decoded text, with line numbers for offsets (for error messages)."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.byte_size = len(data)
        try:
            self.text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(f"not UTF-8 (byte {exc.start})", where=name,
                              hint="save the source text as UTF-8") from None
        self._line_starts = [0]
        for index, char in enumerate(self.text):
            if char == "\n":
                self._line_starts.append(index + 1)

    def line_of(self, offset: int) -> int:
        """Return the 1-based line number of a character offset."""
        return bisect_right(self._line_starts, offset)

    def where(self, offset: int) -> str:
        """Return ``file:line`` for a character offset."""
        return f"{self.name}:{self.line_of(offset)}"

    def line_count(self) -> int:
        """Return the number of lines (a final newline does not open a new line)."""
        n = len(self._line_starts)
        return n - 1 if self.text.endswith("\n") else n

    def part(self, lines: tuple[int, int] | None) -> Span:
        """Return the span of lines ``first..last`` (1-based, inclusive), or of the whole file."""
        if lines is None:
            return Span(self.name, 0, len(self.text))
        first, last = lines
        if last > self.line_count():
            raise SourceError(f"lines {first}-{last} asked for, the file has {self.line_count()}",
                              where=self.name, hint="fix `lines` in the manifest")
        start = self._line_starts[first - 1]
        end = self._line_starts[last] if last < len(self._line_starts) else len(self.text)
        return Span(self.name, start, end)

    def cut(self, span: Span) -> str:
        """Return the exact text of a span."""
        return self.text[span.start : span.end]


def read_source(directory: Path, name: str) -> SourceText:
    """Read a source file from ``directory`` (the manifest names it)."""
    path = directory / name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError("source file not found", where=str(path),
                          hint="add it to data/sources/ or fix `file` in the manifest") from None
    return SourceText(name, data)
