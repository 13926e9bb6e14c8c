r"""The way back from a term to the line of a file that writes it (``file:line``).

A contributed file is not kept in memory once its quads are in the validation store: the first
token of each line is noted as the file is checked (:func:`note_leading`), and the rare
questions that need more (a node that starts no line, a literal's line) read the file again: an
N-Triples or N-Quads file in pieces, another format whole (:class:`FileLines`). Lines end at
``\n`` only, as the parsers count them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from policing_kg.common.pieces import read_pieces
from policing_kg.common.reading import read_capped

__all__ = ["FileLines", "note_leading", "BY_LINES"]

#: The formats whose files are read in pieces (no token, no literal runs over a line's end)
BY_LINES = ("N_TRIPLES", "N_QUADS")


class FileLines:
    """A file's lines, found again when a result is placed."""

    def __init__(self, path: Path, format_name: str, max_bytes: int,
                 prefixes: list[tuple[str, str]], leading: dict[str, int]) -> None:
        self.path, self.format_name, self.max_bytes = path, format_name, max_bytes
        self.prefixes = prefixes
        #: each token's first line as the first token of a line (noted as the file was checked)
        self.leading = leading
        self._lines: dict[str, int | None] = {}

    def read_bytes(self) -> bytes:
        """Read the file again."""
        return read_capped(self.path, self.max_bytes)

    def _pieces(self) -> Iterator[tuple[int, bytes]]:
        r"""Return the bytes in pieces (that end at a ``\n``), each with its first line."""
        first = 1
        for piece in read_pieces(self.path, self.max_bytes):
            yield first, piece
            first += piece.count(b"\n")

    def _spellings(self, iri: str) -> list[str]:
        spellings = [f"<{iri}>", f'"{iri}"']
        for prefix, namespace in self.prefixes:
            if namespace and iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace) :]
                spellings += [f"{prefix}:{local}", f"{prefix}:{escape_local(local)}"]
        return spellings

    def find_lines(self, iris: Iterable[str]) -> None:
        r"""Find the lines of the statements that introduce ``iris``.

        That is where each first stands as a subject (the first token of a line, noted as the
        file was checked), else where it first appears at all as a token (one more reading of
        the file, for them all). Lines end at ``\n`` only, as the parsers count them.
        """
        spellings = {iri: self._spellings(iri) for iri in iris if iri not in self._lines}
        if not spellings:
            return
        leading = self.leading
        elsewhere = [iri for iri, each in spellings.items()
                     if not any(spelling in leading for spelling in each)]
        anywhere = self._anywhere({s for iri in elsewhere for s in spellings[iri]})
        for iri, each in spellings.items():
            found = [leading[s] for s in each if s in leading] or \
                [anywhere[s] for s in each if s in anywhere]
            self._lines[iri] = min(found) if found else None

    def _anywhere(self, wanted: set[str]) -> dict[str, int]:
        """Return the first line where each spelling stands as a token (not just in one)."""
        anywhere: dict[str, int] = {}
        if not wanted:
            return anywhere
        for first, data in self._pieces():  # (a token never runs over the end of a line)
            piece = data.decode("utf-8")
            line, counted = first, 0
            for match in _TOKEN.finditer(piece):
                token = match.group().rstrip(",;.")
                if token in wanted and token not in anywhere:
                    line += piece.count("\n", counted, match.start())
                    counted = match.start()
                    anywhere[token] = line
            if len(anywhere) == len(wanted):
                break
        return anywhere

    def line_of(self, iri: str) -> int | None:
        """Return the line of the statement that introduces ``iri``.

        That is where it first stands as a subject, else where it first appears at all.
        """
        if iri not in self._lines:
            self.find_lines([iri])
        return self._lines[iri]

    def line_of_literal(self, value: str, language: str | None = None,
                        after: int | None = None) -> int | None:
        """Return the line where the literal ``value`` (in ``language``, if given) is written.

        Turtle, TriG and the N-formats write it in double quotes with escapes, JSON-LD as a JSON
        string, RDF/XML as element text; a written language tag is compared without case. Where
        the text is written more than once, the first at or after line ``after`` (its node's).
        """
        lines = self._literal_lines(value, language)
        return next((line for line in lines if line >= (after or 0)), lines[0] if lines else None)

    def _literal_lines(self, value: str, language: str | None) -> list[int]:
        escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\r", "\\r").replace("\t", "\\t"))
        spellings = [f'"{escaped}"', f'"""{value}"""', json.dumps(value, ensure_ascii=False),
                     json.dumps(value), f">{escape(value)}<"]
        tagged: list[int] = []
        untagged: list[int] = []
        # UTF-8: a text is found in the bytes where it is in the text; a spelling with no line
        # break is found in pieces that end at one
        needles = [s.encode("utf-8") for s in dict.fromkeys(spellings)]
        sources: Iterable[tuple[int, bytes]] = self._pieces() \
            if self.format_name in BY_LINES and not any(b"\n" in n for n in needles) \
            else [(1, self.read_bytes())]
        for first, data in sources:
            for spelling in needles:
                start, line, counted = data.find(spelling), first, 0
                while start >= 0:
                    end = start + len(spelling)
                    tag = _TAG.match(data, end, end + 40)
                    if language is None or tag is None or \
                            tag.group(1).decode("ascii").lower() == language.lower():
                        line += data.count(b"\n", counted, start)
                        counted = start
                        (tagged if tag is not None or language is None else untagged).append(line)
                    start = data.find(spelling, end)
        return sorted(set(tagged)) or sorted(set(untagged))

    def find_line(self, needle: str) -> int | None:
        """Return the line where ``needle`` is first written."""
        data = self.read_bytes()
        index = data.find(needle.encode("utf-8"))
        return None if index < 0 else data.count(b"\n", 0, index) + 1



_TAG = re.compile(rb"@([A-Za-z0-9-]+)")
#: The tokens a line is searched for: IRIs in <>, strings, prefixed names.
_TOKEN = re.compile(r'<[^<>\s]*>|"(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w.-]*:(?:[\w:%.-]|\\.)*')


#: A line's first token (after any spaces and a JSON-LD ``"@id":``), if it has one.
_FIRST = re.compile(r'[^\S\n]*(?:"@id":[^\S\n]*)?+(' + _TOKEN.pattern + r")?")


def note_leading(leading: dict[str, int], first: int, text: str) -> None:
    """Note each token's first line as the first token of a line (``first``: the text's).

    A line that starts with the IRI that started the line before starts with that token again
    (an IRI token ends at its ``>``): it is not read (N-Quads give a node's statements in a row).
    """
    previous = "\x00"  # (no line starts with it: the text has no NUL)
    match = _FIRST.match
    for number, line in enumerate(text.split("\n"), first):
        if line.startswith(previous):
            continue
        token = match(line).group(1)  # type: ignore[union-attr]  # (it matches every line)
        if token:
            leading.setdefault(token.rstrip(",;."), number)
            previous = token if token[0] == "<" else "\x00"


def escape_local(local: str) -> str:
    return re.sub(r"([~.\-!$&'()*+,;=/?#@%_])", r"\\\1", local)
