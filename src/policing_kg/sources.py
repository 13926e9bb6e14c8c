"""The source texts and their manifest (``data/sources/manifest.toml``)."""

from __future__ import annotations

import hashlib
import sys
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policing_kg.errors import DataError, SourceError
from policing_kg.records import Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "DOCUMENT_KINDS",
    "IgnoreRule",
    "DocumentSpec",
    "SourceText",
    "load_manifest",
    "load_toml",
    "read_source",
]

DOCUMENT_KINDS = ("StrategicFramework", "GlobalPolicingGoals", "ProgrammeStrategy")
_LANGUAGES = ("fr", "en")


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML data file; a syntax error becomes one line naming the file and line."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise DataError("file not found", where=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML: {exc}", where=str(path), hint="fix the syntax") from None


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


def _spec(record: dict[str, Any], where: str) -> DocumentSpec:
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
    if record["kind"] not in DOCUMENT_KINDS:
        raise DataError(f"unknown kind {record['kind']!r}", where=where,
                        hint=f"one of {', '.join(DOCUMENT_KINDS)}")
    title = dict(record["title"])
    if set(title) != set(_LANGUAGES):
        raise DataError("title needs exactly the languages fr and en", where=where)
    if record["language"] not in _LANGUAGES:
        raise DataError(f"language must be one of {_LANGUAGES}", where=where)
    lines = record.get("lines")
    if lines is not None and (len(lines) != 2 or not 1 <= lines[0] <= lines[1]):
        raise DataError("lines must be [first, last], 1-based", where=where)
    period = record.get("period")
    try:
        ignore = tuple(IgnoreRule(str(r["text"]), str(r["reason"]))
                       for r in record.get("ignore", []))
    except (KeyError, TypeError):
        raise DataError("each ignore rule needs text and reason", where=where) from None
    return DocumentSpec(
        id=str(record["id"]),
        kind=str(record["kind"]),
        title=title,
        title_translated=tuple(record.get("title_translated", ())),
        publisher=str(record["publisher"]),
        language=str(record["language"]),
        file=str(record["file"]),
        converter=str(record["converter"]),
        lines=(int(lines[0]), int(lines[1])) if lines else None,
        period=(int(period[0]), int(period[1])) if period else None,
        date=record.get("date"),
        note=record.get("note"),
        outcome_columns=tuple(int(n) for n in record.get("outcome_columns", ())),
        outcome_grouping=record.get("outcome_grouping"),
        ignore=ignore,
    )


def load_manifest(path: Path) -> list[DocumentSpec]:
    """Read the manifest: one :class:`DocumentSpec` per ``[[document]]``, ids unique."""
    records = load_toml(path).get("document", [])
    specs = [_spec(record, f"{path} (document {n})") for n, record in enumerate(records, 1)]
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
