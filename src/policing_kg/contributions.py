"""Contributed RDF files, read defensively before anything is validated.

Each check ends in one :class:`InputError` line (what, where, what to do): files over the size
limit are refused before they are read; encodings, NUL bytes and byte-order marks are checked
before parsing; RDF/XML with a DOCTYPE (entity declarations: "billion laughs", external
entities) and JSON-LD with a remote ``@context`` are refused before a parser sees them; ``@base``
and relative IRIs are refused; SHACL and SPARQL inside a contribution are refused (nothing a
contributor writes is ever executed); ill-typed literals are reported with their line.
Parsing is pyoxigraph's, which never touches the network.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from policing_kg.checks.vocabulary import statements, walk_terms
from policing_kg.errors import PolicingKGError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "InputError",
    "Contribution",
    "read_contribution",
]

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
#: File ending -> (pyoxigraph format name, human name)
FORMATS: dict[str, str] = {
    ".ttl": "TURTLE",
    ".trig": "TRIG",
    ".nt": "N_TRIPLES",
    ".nq": "N_QUADS",
    ".jsonld": "JSON_LD",
    ".json": "JSON_LD",
    ".rdf": "RDF_XML",
    ".owl": "RDF_XML",
    ".xml": "RDF_XML",
}
_ALLOWED_SCHEMES = ("http://", "https://", "urn:")
_SHACL = "http://www.w3.org/ns/shacl#"
_BASE = re.compile(r"^\s*(@base\b|BASE\b)", re.IGNORECASE | re.MULTILINE)
_XML_BASE = re.compile(r"\bxml:base\s*=")
_POSITION = re.compile(r"line (\d+)(?: between columns (\d+) and \d+| column (\d+))?")
_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


class InputError(PolicingKGError):
    """A contributed file that cannot be validated (exit code 2)."""


@dataclass(frozen=True)
class Contribution:
    """A contributed file: its text and its quads (as pyoxigraph terms)."""

    path: Path
    text: str
    quads: tuple[Any, ...]

    def mentioned(self) -> set[str]:
        """Every IRI the file names as a subject or an object (in triple terms too)."""
        names: set[str] = set()
        for quad in self.quads:
            for term in (quad.subject, quad.object):
                for inner in walk_terms(term):
                    if type(inner).__name__ == "NamedNode":
                        names.add(inner.value)
        return names

    @cached_property
    def _prefixes(self) -> list[tuple[str, str]]:
        """The prefixes the file declares (read once)."""
        return list(dict.fromkeys(_PREFIX.findall(self.text)))

    @cached_property
    def _line_starts(self) -> dict[str, int]:
        """The first line that each leading token (a statement's subject) starts."""
        starts: dict[str, int] = {}
        for number, line in enumerate(self.text.splitlines(), 1):
            stripped = line.lstrip()
            if stripped.startswith('"@id":'):
                stripped = stripped[len('"@id":'):].lstrip()
            token = stripped.split(None, 1)[0].rstrip(",") if stripped else ""
            if token:
                starts.setdefault(token, number)
        return starts

    def line_of(self, iri: str) -> int | None:
        """Return the line of the statement that introduces ``iri``.

        That is where it first stands as a subject, else where it first appears at all.
        """
        spellings = [f"<{iri}>", f'"{iri}"']
        for prefix, namespace in self._prefixes:
            if namespace and iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace) :]
                spellings += [f"{prefix}:{local}", f"{prefix}:{_escape_local(local)}"]
        starts = [self._line_starts[s] for s in spellings if s in self._line_starts]
        if starts:
            return min(starts)
        first_anywhere = None
        for number, line in enumerate(self.text.splitlines(), 1):
            stripped = line.lstrip()
            for spelling in spellings:
                if stripped.startswith(spelling) or stripped.startswith(f'"@id": {spelling}'):
                    return number
                if first_anywhere is None and spelling in line:
                    first_anywhere = number
        return first_anywhere


def _escape_local(local: str) -> str:
    return re.sub(r"([~.\-!$&'()*+,;=/?#@%_])", r"\\\1", local)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _check_bytes(path: Path, data: bytes) -> str:
    if not data.strip():
        raise InputError("empty file", where=str(path), hint="give a file with RDF statements")
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputError("starts with a UTF-8 byte-order mark", where=f"{path}:1",
                         hint="save the file as UTF-8 without BOM")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("UTF-16 text (byte-order mark)", where=f"{path}:1",
                         hint="save the file as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise InputError("contains a NUL byte", where=f"{path}:{line}",
                         hint="the file is binary or corrupted: save it as UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"not UTF-8 (byte 0x{data[exc.start]:02x})",
                         where=f"{path}:{line}:{column}",
                         hint="save the file as UTF-8 (it looks like Latin-1 or another "
                         "legacy encoding)") from None


def _check_text(path: Path, text: str, format_name: str) -> None:
    match = _BASE.search(text) if format_name in ("TURTLE", "TRIG") else None
    if match:
        line, column = _line_column(text, match.start(1))
        raise InputError("@base is not allowed in contributions", where=f"{path}:{line}:{column}",
                         hint="write absolute IRIs (https://w3id.org/policing-kg/id/...)")
    if format_name == "RDF_XML":
        for marker in ("<!DOCTYPE", "<!ENTITY"):
            index = text.find(marker)
            if index >= 0:
                line, column = _line_column(text, index)
                raise InputError("RDF/XML with a DOCTYPE or entity declaration is refused "
                                 "(entities can expand without bound or read local files)",
                                 where=f"{path}:{line}:{column}",
                                 hint="remove the DOCTYPE and write the values out")
        base = _XML_BASE.search(text)
        if base:
            line, column = _line_column(text, base.start())
            raise InputError("xml:base is not allowed in contributions",
                             where=f"{path}:{line}:{column}", hint="write absolute IRIs")
    if format_name == "JSON_LD":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", where=f"{path}:{exc.lineno}:{exc.colno}",
                             hint="fix the JSON syntax") from None
        for where, context in _contexts(document):
            if isinstance(context, str) or (isinstance(context, dict) and "@import" in context):
                raise InputError(f"remote JSON-LD @context refused ({where})",
                                 where=str(path),
                                 hint="inline the context as a JSON object: validation never "
                                 "fetches anything")
            if isinstance(context, dict) and "@base" in context:
                raise InputError("@base is not allowed in contributions", where=str(path),
                                 hint="write absolute IRIs")


def _contexts(node: object, where: str = "$") -> Iterator[tuple[str, object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                values = value if isinstance(value, list) else [value]
                for index, context in enumerate(values):
                    yield f"{where}.@context[{index}]", context
                    yield from _contexts(context, f"{where}.@context[{index}]")
            else:
                yield from _contexts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _contexts(value, f"{where}[{index}]")


def _parse(path: Path, text: str, format_name: str) -> list[Any]:
    import pyoxigraph as ox

    try:
        return list(ox.parse(text.encode("utf-8"), format=getattr(ox.RdfFormat, format_name)))
    except SyntaxError as exc:
        message = str(exc)
        position = _POSITION.search(message)
        where = str(path)
        if position:
            column = position.group(2) or position.group(3)
            where = f"{path}:{position.group(1)}" + (f":{column}" if column else "")
        detail = re.sub(r"^Parser error at line \d+[^:]*: ", "", message)
        detail = re.sub(r" \(line \d+\)$", "", detail)
        hint = "fix the syntax"
        if "No scheme found" in detail or "base IRI" in detail.lower():
            detail, hint = "relative IRI", "write absolute IRIs (https://w3id.org/policing-kg/id/...)"
        elif "LoadDocumentCallback" in detail:
            detail, hint = "remote JSON-LD context", "inline the context"
        raise InputError(f"syntax error: {detail}", where=where, hint=hint) from None


def _check_terms(contribution: Contribution) -> None:
    # rdflib logs a traceback when it meets an ill-typed literal: this check reports it instead.
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        _check_each_term(contribution)
    finally:
        logger.setLevel(level)


#: The SHACL terms a contribution may use: those that *describe* SPARQL (the query catalogue
#: the release itself publishes), never those that make shapes, constraints, targets, rules,
#: validators or functions, which could change what validation checks or run code.
_SHACL_DESCRIPTIONS = frozenset(_SHACL + name for name in (
    "",  # the namespace itself (rdfs:isDefinedBy sh:)
    "SPARQLExecutable", "SPARQLSelectExecutable", "SPARQLAskExecutable",
    "SPARQLConstructExecutable", "SPARQLUpdateExecutable", "select", "ask", "construct",
    "update", "prefixes", "declare", "prefix", "namespace", "PrefixDeclaration",
))
_SPARQL_TEXT = frozenset(_SHACL + name for name in ("select", "ask", "construct", "update"))
_EXECUTABLES = frozenset(_SHACL + name for name in (
    "SPARQLExecutable", "SPARQLSelectExecutable", "SPARQLAskExecutable",
    "SPARQLConstructExecutable", "SPARQLUpdateExecutable"))
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _refuse_shacl(contribution: Contribution, iri: str, why: str) -> None:
    line = contribution.line_of(iri) or _find(contribution.text, "sh:")
    raise InputError(f"contributions may not carry SHACL shapes, constraints, rules or SPARQL "
                     f"that validation could run ({why})",
                     where=f"{contribution.path}:{line or '?'}",
                     hint="shapes live in the project's shapes/ folder; a contribution may "
                     "describe stored queries (sh:SPARQLExecutable with sh:select) only")


def _check_shacl(contribution: Contribution) -> None:
    executables: set[str] = set()
    for s, p, o in statements(contribution.quads):
        if p.value == _RDF_TYPE and getattr(o, "value", "") in _EXECUTABLES:
            executables.add(str(s))
    for s, p, o in statements(contribution.quads):
        for term in (s, p, o):
            if type(term).__name__ != "NamedNode" or not term.value.startswith(_SHACL):
                continue
            if term.value not in _SHACL_DESCRIPTIONS:
                _refuse_shacl(contribution, term.value, f"found <{term.value}>")
        if p.value in _SPARQL_TEXT and str(s) not in executables:
            _refuse_shacl(contribution, p.value, f"<{p.value}> on a node that is not typed "
                          "sh:SPARQLExecutable")


def _check_each_term(contribution: Contribution) -> None:
    from rdflib import Literal as RdfLiteral
    from rdflib import URIRef

    for quad in contribution.quads:
        for term in (t for position in (quad.subject, quad.predicate, quad.object,
                                        quad.graph_name) for t in walk_terms(position)):
            kind = type(term).__name__
            if kind == "NamedNode":
                if not term.value.startswith(_ALLOWED_SCHEMES):
                    line = contribution.line_of(term.value)
                    raise InputError(f"IRI with a scheme that is not allowed: <{term.value}>",
                                     where=f"{contribution.path}:{line or '?'}",
                                     hint="use http(s): or urn: IRIs")
            elif kind == "Literal" and term.datatype is not None:
                literal = RdfLiteral(term.value, datatype=URIRef(term.datatype.value))
                if literal.ill_typed:
                    line = _find(contribution.text, term.value)
                    raise InputError(f'ill-typed literal "{term.value}"^^<{term.datatype.value}>',
                                     where=f"{contribution.path}:{line or '?'}",
                                     hint="give a value of that datatype, or change the datatype")
    _check_shacl(contribution)


def _find(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return None if index < 0 else text.count("\n", 0, index) + 1


def read_contribution(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Contribution:
    """Read, check and parse one contributed file; raise :class:`InputError` on bad input."""
    if not path.is_file():
        raise InputError("no such file", where=str(path))
    format_name = FORMATS.get(path.suffix.lower())
    if format_name is None:
        raise InputError(f"unknown file type {path.suffix!r}", where=str(path),
                         hint=f"use one of {', '.join(sorted(FORMATS))}")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{size} bytes, over the limit of {max_bytes}", where=str(path),
                         hint="split the contribution, or raise --max-bytes")
    data = path.read_bytes()
    text = _check_bytes(path, data)
    _check_text(path, text, format_name)
    contribution = Contribution(path, text, tuple(_parse(path, text, format_name)))
    if not contribution.quads:
        raise InputError("no RDF statements", where=str(path),
                         hint="the file parses but says nothing")
    _check_terms(contribution)
    return contribution


def read_contributions(paths: Iterable[Path], max_bytes: int = DEFAULT_MAX_BYTES
                       ) -> list[Contribution]:
    """Read every contributed file (the first bad one stops with its error)."""
    return [read_contribution(path, max_bytes) for path in paths]


__all__ += ["read_contributions"]
