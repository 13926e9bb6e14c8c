r"""Reading RDF from outside, defensively: the same defences for every command that reads it.

Before a parser sees anything: the bytes are read with a cap (never trusting the size a file
system reports: a file of ``/proc`` says 0), from a regular file only (a FIFO would block);
the text must be UTF-8 without a byte-order mark or NUL; RDF/XML may not declare another
encoding (UTF-7...), a DOCTYPE or entities (they expand without bound, or read local files), nor
nest elements deeper than :data:`MAX_DEPTH`; JSON-LD may not nest deeper than :data:`MAX_DEPTH`
either (pyoxigraph's JSON-LD parser crashes the process on ten thousand nested objects), nor
name a remote ``@context``. A parse error is one line with its line and column; a parser that
runs out of memory is one line too. Lines are counted at ``\n`` only, as the parsers count them.
"""

from __future__ import annotations

import json
import re
import stat
import xml.parsers.expat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from policing_kg.common.text import clean
from policing_kg.errors import PolicingKGError

__all__ = ["InputError", "MAX_DEPTH", "read_capped", "decode", "check_structure", "parse",
           "parse_each", "parser", "parse_errors", "line_column", "FORMAT_NAMES"]

MAX_DEPTH = 64
_POSITION = re.compile(r"line (\d+)(?: between columns (\d+) and \d+| column (\d+))?")
#: the encoding an XML declaration names (it can only come first)
_XML_ENCODING = re.compile(r"""<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([^"'>]*)\1""")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
#: Format name -> what people call it
FORMAT_NAMES = {"TURTLE": "Turtle", "TRIG": "TriG", "N_TRIPLES": "N-Triples",
                "N_QUADS": "N-Quads", "JSON_LD": "JSON-LD", "RDF_XML": "RDF/XML"}


class InputError(PolicingKGError):
    """A file that cannot be read as RDF (exit code 2)."""


def line_column(text: str, offset: int) -> tuple[int, int]:
    r"""Return the 1-based line and column of an offset (lines end at ``\n`` only)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _regular_size(path: Path, max_bytes: int, hint: str) -> int:
    """Refuse what is not a regular file, or says it is over ``max_bytes``; return its size."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError("no such file", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", where=str(path)) from None
    if not stat.S_ISREG(mode):
        raise InputError("not a regular file", where=str(path),
                         hint="give a file (not a folder, a device or a pipe)")
    size = path.stat().st_size
    if size > max_bytes:  # refused unread; a file that says less is still read with the cap
        raise InputError(f"{size} bytes, over the limit of {max_bytes}", where=str(path),
                         hint=hint)
    return size


def _over(path: Path, max_bytes: int, size: int, hint: str) -> InputError:
    return InputError(f"over the limit of {max_bytes} bytes (more than its size of {size} "
                      "says)", where=str(path), hint=hint)


def read_capped(path: Path, max_bytes: int, *, hint: str = "raise --max-bytes") -> bytes:
    """Read a regular file, refusing it once it is over ``max_bytes`` (whatever it claims)."""
    size = _regular_size(path, max_bytes, hint)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", where=str(path)) from None
    if len(data) > max_bytes:
        raise _over(path, max_bytes, size, hint)
    return data


def decode(where: str, data: bytes) -> str:
    """Return the bytes as UTF-8 text, or refuse them in one line saying what and where."""
    if not data.strip():
        raise InputError("empty file", where=where, hint="give a file with RDF statements")
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputError("starts with a UTF-8 byte-order mark", where=f"{where}:1",
                         hint="save the file as UTF-8 without BOM")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("UTF-16 text (byte-order mark)", where=f"{where}:1",
                         hint="save the file as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise InputError("contains a NUL byte", where=f"{where}:{line}",
                         hint="the file is binary or corrupted: save it as UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"not UTF-8 (byte 0x{data[exc.start]:02x})",
                         where=f"{where}:{line}:{column}",
                         hint="save the file as UTF-8 (it looks like Latin-1 or another "
                         "legacy encoding)") from None


def _xml_encoding(where: str, text: str) -> None:
    """Refuse an XML declaration that names an encoding other than UTF-8 (the bytes are UTF-8).

    The parsers read UTF-8 only; expat raises on a multi-byte encoding such as UTF-7, and
    would read another single-byte one as something other than what the text says.
    """
    declared = _XML_ENCODING.match(text)
    if declared and declared.group(2).lower().replace("_", "-") not in ("utf-8", "utf8"):
        line, column = line_column(text, declared.start(2))
        raise InputError(f'RDF/XML that declares encoding="{clean(declared.group(2), 40)}" '
                         "is refused (only UTF-8 is read)", where=f"{where}:{line}:{column}",
                         hint='save the file as UTF-8 and declare encoding="UTF-8" (or no '
                         "encoding)")


def _xml_depth(where: str, text: str) -> None:
    _xml_encoding(where, text)
    for marker in ("<!DOCTYPE", "<!ENTITY"):
        index = text.find(marker)
        if index >= 0:
            line, column = line_column(text, index)
            raise InputError("RDF/XML with a DOCTYPE or entity declaration is refused "
                             "(entities can expand without bound or read local files)",
                             where=f"{where}:{line}:{column}",
                             hint="remove the DOCTYPE and write the values out")
    parser = xml.parsers.expat.ParserCreate()
    depth = [0]

    class TooDeep(Exception):
        pass

    def start(name: str, attributes: Any) -> None:
        depth[0] += 1
        if depth[0] > MAX_DEPTH:
            raise TooDeep

    def end(name: str) -> None:
        depth[0] -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(text.encode("utf-8"), True)
    except TooDeep:
        raise InputError(f"RDF/XML nested more than {MAX_DEPTH} elements deep",
                         where=f"{where}:{parser.CurrentLineNumber}",
                         hint="write the nested descriptions as separate nodes") from None
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(f"not well-formed XML: {xml.parsers.expat.ErrorString(exc.code)}",
                         where=f"{where}:{exc.lineno}:{exc.offset + 1}",
                         hint="fix the XML") from None
    except ValueError as exc:  # what expat cannot read at all (an encoding it does not know)
        raise InputError(f"not XML that can be read ({' '.join(str(exc).split())[:120]})",
                         where=where, hint="save the file as UTF-8 RDF/XML") from None


def _json_depth(where: str, text: str) -> Any:
    depth = deepest = 0
    for match in re.finditer(r"[\[\]{}]", _STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_DEPTH:
                raise InputError(f"JSON nested more than {MAX_DEPTH} levels deep", where=where,
                                 hint="flatten the document (nodes can refer to each other "
                                 "by @id)")
    try:  # numbers are not read as numbers: a number of 5,000 digits is valid JSON
        return json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", where=f"{where}:{exc.lineno}:{exc.colno}",
                         hint="fix the JSON syntax") from None


def _contexts(document: Any) -> Iterator[tuple[str, Any]]:
    stack: list[tuple[str, Any]] = [("$", document)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    values = value if isinstance(value, list) else [value]
                    for index, context in enumerate(values):
                        yield f"{where}.@context[{index}]", context
                        stack.append((f"{where}.@context[{index}]", context))
                else:
                    stack.append((f"{where}.{key}", value))
        elif isinstance(node, list):
            stack.extend((f"{where}[{index}]", value) for index, value in enumerate(node))


def check_structure(where: str, text: str, format_name: str) -> Any:
    """Refuse entity declarations, deep nesting and remote contexts; return the JSON-LD."""
    if format_name == "RDF_XML":
        _xml_depth(where, text)
    if format_name == "JSON_LD":
        document = _json_depth(where, text)
        for path, context in _contexts(document):
            if isinstance(context, str) or (isinstance(context, dict) and "@import" in context):
                raise InputError(f"remote JSON-LD @context refused ({path})", where=where,
                                 hint="inline the context as a JSON object: nothing is ever "
                                 "fetched")
        return document
    return None


def parse(where: str, data: bytes, format_name: str, base_iri: str | None = None) -> list[Any]:
    """Parse with pyoxigraph; a syntax error is one line with its line and column."""
    return list(parse_each(where, data, format_name, base_iri))


def parse_each(where: str, source: Any, format_name: str,
               base_iri: str | None = None) -> Iterator[Any]:
    """Parse as :func:`parse` does, one quad at a time.

    ``source`` is the bytes, or a :class:`~policing_kg.common.pieces.CappedReader` of the file.
    """
    with parse_errors(where, source):
        yield from parser(source, format_name, base_iri)


def parser(source: Any, format_name: str, base_iri: str | None = None) -> Iterator[Any]:
    """Return pyoxigraph's parser of ``source`` (its errors are :func:`parse_errors`' to word)."""
    import pyoxigraph as ox

    return ox.parse(source, format=getattr(ox.RdfFormat, format_name), base_iri=base_iri)


@contextmanager
def parse_errors(where: str, source: Any = None) -> Iterator[None]:
    """Turn what a parser raises in the block into one :class:`InputError` line."""
    try:
        yield
    except MemoryError:
        raise InputError("too large to parse in the memory there is", where=where,
                         hint="split the file") from None
    except (SyntaxError, ValueError, OSError) as exc:
        if getattr(source, "over", False):
            raise source.error() from None
        if isinstance(exc, OSError) and not isinstance(exc, SyntaxError):
            raise InputError(f"cannot read it ({exc.strerror or exc})", where=where) from None
        raise _syntax_error(where, exc) from None
    if getattr(source, "over", False):
        raise source.error()


def _syntax_error(where: str, exc: Exception) -> InputError:
    message = " ".join(str(exc).split())
    position = _POSITION.search(message)
    located = where
    if position:
        column = position.group(2) or position.group(3)
        located = f"{where}:{position.group(1)}" + (f":{column}" if column else "")
    detail = re.sub(r"^Parser error at line \d+[^:]*: ", "", message)
    detail = re.sub(r" \(line \d+\)$", "", detail)
    if len(detail) > 200:
        detail = detail[:199] + "…"
    hint = "fix the syntax"
    if "No scheme found" in detail or "base IRI" in detail.lower():
        detail, hint = "relative IRI", "write absolute IRIs (https://w3id.org/...)"
    elif "LoadDocumentCallback" in detail:
        detail, hint = "remote JSON-LD context", "inline the context"
    return InputError(f"syntax error: {detail}", where=located, hint=hint)


def _sha256_of(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_dump(path: Path, format_name: str = "N_QUADS") -> list[Any]:
    """Read a release dump, checked against the release's ``SHA256SUMS`` first.

    A file cut short, edited or replaced is one line that says so, not a parser's traceback.
    """
    import pyoxigraph as ox

    hint = "rebuild it with `policing-kg build` (or `make`), or download the release again"
    if not path.is_file():
        raise InputError("no release here", where=str(path),
                         hint="run `policing-kg build` (or `make`) first")
    sums = path.parent / "SHA256SUMS"
    if sums.is_file():
        listed: dict[str, str] = {}
        try:
            for line in sums.read_text("utf-8").splitlines():
                if line.strip():
                    digest, name = line.split(None, 1)
                    listed[name.strip()] = digest
        except (ValueError, UnicodeDecodeError, OSError):
            raise InputError("SHA256SUMS is damaged", where=str(sums), hint=hint) from None
        expected = listed.get(path.name)
        if expected is not None and _sha256_of(path) != expected.strip():
            raise InputError("the file does not match its SHA-256 in SHA256SUMS (cut short or "
                             "changed)", where=str(path), hint=hint)
    try:
        return list(ox.parse(path=str(path), format=getattr(ox.RdfFormat, format_name)))
    except MemoryError:
        raise InputError("too large to read in the memory there is", where=str(path)) from None
    except (SyntaxError, ValueError, OSError) as exc:
        detail = " ".join(str(exc).split())[:160]
        raise InputError(f"the release file is damaged ({detail})", where=str(path),
                         hint=hint) from None


__all__ += ["read_dump"]
