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
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pyoxigraph as ox

from policing_kg.checks import DEFAULT_MAX_BYTES
from policing_kg.checks.vocabulary import statements, walk_terms
from policing_kg.common.reading import (
    InputError,
    check_structure,
    decode,
    line_column,
    parse,
    read_capped,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "InputError",
    "Contribution",
    "read_contribution",
]

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
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_BASE = re.compile(r"^\s*(@base\b|BASE\b)", re.IGNORECASE | re.MULTILINE)
_XML_BASE = re.compile(r"\bxml:base\s*=")
_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


@dataclass(frozen=True)
class Contribution:
    """A contributed file: its text and its quads (as pyoxigraph terms)."""

    path: Path
    text: str
    quads: tuple[Any, ...]

    def mentioned(self) -> set[str]:
        """Every IRI the file names as a subject or an object (in triple terms too)."""
        named, triple = ox.NamedNode, ox.Triple
        names = {quad.subject.value for quad in self.quads if type(quad.subject) is named}
        for quad in self.quads:
            obj = quad.object
            if type(obj) is named:
                names.add(obj.value)
            elif type(obj) is triple:
                names.update(inner.value for inner in walk_terms(obj) if type(inner) is named)
        return names

    @cached_property
    def _prefixes(self) -> list[tuple[str, str]]:
        """The prefixes the file declares (read once; N-Triples and N-Quads declare none)."""
        if self.path.suffix.lower() in (".nt", ".nq"):
            return []
        return list(dict.fromkeys(_PREFIX.findall(self.text)))

    @cached_property
    def _newlines(self) -> array[int]:
        r"""The offset of every ``\n`` of the text (a line's number is found by bisection)."""
        return array("q", (m.start() for m in re.finditer("\n", self.text)))

    def _line_at(self, offset: int) -> int:
        return bisect_left(self._newlines, offset) + 1

    @cached_property
    def _leading(self) -> dict[str, int]:
        r"""Return each token's first line as the first token of a line.

        One pass over the text (a file with ten thousand nodes on one line is read once, not
        once per node). Lines end at ``\n`` only, as the parsers count them.
        """
        leading: dict[str, int] = {}
        for number, line in enumerate(self.text.split("\n"), 1):
            stripped = line.lstrip()
            if stripped.startswith('"@id":'):
                stripped = stripped[len('"@id":'):].lstrip()
            first = _TOKEN.match(stripped)
            if first:
                leading.setdefault(first.group().rstrip(",;."), number)
        return leading

    @cached_property
    def _anywhere(self) -> dict[str, int]:
        """Return each token's first line (read only when a node is not a line's first token)."""
        anywhere: dict[str, int] = {}
        for number, line in enumerate(self.text.split("\n"), 1):
            for token in _TOKEN.findall(line):
                anywhere.setdefault(token.rstrip(",;."), number)
        return anywhere

    def line_of(self, iri: str) -> int | None:
        """Return the line of the statement that introduces ``iri``.

        That is where it first stands as a subject, else where it first appears at all.
        """
        spellings = [f"<{iri}>", f'"{iri}"']
        for prefix, namespace in self._prefixes:
            if namespace and iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace) :]
                spellings += [f"{prefix}:{local}", f"{prefix}:{_escape_local(local)}"]
        leading = self._leading
        starts = [leading[s] for s in spellings if s in leading]
        if starts:
            return min(starts)
        anywhere = self._anywhere
        found = [anywhere[s] for s in spellings if s in anywhere]
        return min(found) if found else None

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
        for spelling in dict.fromkeys(spellings):
            start = self.text.find(spelling)
            while start >= 0:
                end = start + len(spelling)
                tag = re.match(r"@([A-Za-z0-9-]+)", self.text[end:end + 40])
                if language is None or tag is None or tag.group(1).lower() == language.lower():
                    line = self._line_at(start)
                    (tagged if tag is not None or language is None else untagged).append(line)
                start = self.text.find(spelling, end)
        return sorted(set(tagged)) or sorted(set(untagged))


#: The tokens a line is searched for: IRIs in <>, strings, prefixed names.
_TOKEN = re.compile(r'<[^<>\s]*>|"(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w.-]*:(?:[\w:%.-]|\\.)*')


def _escape_local(local: str) -> str:
    return re.sub(r"([~.\-!$&'()*+,;=/?#@%_])", r"\\\1", local)


def _check_text(path: Path, text: str, format_name: str) -> None:
    """Refuse what would resolve IRIs against a base: contributions write them in full."""
    match = _BASE.search(text) if format_name in ("TURTLE", "TRIG") else None
    if match:
        line, column = line_column(text, match.start(1))
        raise InputError("@base is not allowed in contributions", where=f"{path}:{line}:{column}",
                         hint="write absolute IRIs (https://w3id.org/policing-kg/id/...)")
    if format_name == "RDF_XML":
        base = _XML_BASE.search(text)
        if base:
            line, column = line_column(text, base.start())
            raise InputError("xml:base is not allowed in contributions",
                             where=f"{path}:{line}:{column}", hint="write absolute IRIs")
    document = check_structure(str(path), text, format_name)
    if format_name == "JSON_LD" and '"@base"' in text and _has_base(document):
        raise InputError("@base is not allowed in contributions", where=str(path),
                         hint="write absolute IRIs")


def _has_base(document: Any) -> bool:
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            context = node.get("@context")
            for item in context if isinstance(context, list) else [context]:
                if isinstance(item, dict) and "@base" in item:
                    return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


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


def _terms(quads: tuple[Any, ...]) -> tuple[set[str], set[tuple[str, str]]]:
    """Return the distinct IRIs of the quads, and their distinct typed literals (value, type).

    Triple terms are walked into; a literal typed ``xsd:string`` or ``rdf:langString`` is left
    out (nothing to check).
    """
    named, literal, triple = ox.NamedNode, ox.Literal, ox.Triple
    iris: set[str] = set()
    literals: set[tuple[str, str]] = set()
    nested: list[Any] = []
    for quad in quads:
        subject, predicate, obj, graph = quad.subject, quad.predicate, quad.object, \
            quad.graph_name
        iris.add(predicate.value)
        if type(subject) is named:
            iris.add(subject.value)
        if type(graph) is named:
            iris.add(graph.value)
        kind = type(obj)
        if kind is named:
            iris.add(obj.value)
        elif kind is literal:
            if not obj.language:
                literals.add((obj.value, obj.datatype.value))
        elif kind is triple:
            nested.append(obj)
    for term in (t for top in nested for t in walk_terms(top)):
        if type(term) is named:
            iris.add(term.value)
        elif type(term) is literal and not term.language:
            literals.add((term.value, term.datatype.value))
    literals = {(v, d) for v, d in literals if d not in (_XSD_STRING, _LANG_STRING)}
    return iris, literals


def _check_each_term(contribution: Contribution) -> None:
    from policing_kg.checks.shacl.store import is_well_formed

    iris, literals = _terms(contribution.quads)
    if any(not iri.startswith(_ALLOWED_SCHEMES) for iri in iris) or \
            any(not is_well_formed(value, datatype) for value, datatype in literals):
        _refuse_first_bad_term(contribution)
    if any(iri.startswith(_SHACL) for iri in iris):
        _check_shacl(contribution)


def _refuse_first_bad_term(contribution: Contribution) -> None:
    """Refuse the first term (in the order of the file) that is not allowed or is ill-typed."""
    from policing_kg.checks.shacl.store import is_well_formed
    from policing_kg.common.text import clean

    for quad in contribution.quads:
        for term in (t for position in (quad.subject, quad.predicate, quad.object,
                                        quad.graph_name) for t in walk_terms(position)):
            kind = type(term).__name__
            if kind == "NamedNode":
                if not term.value.startswith(_ALLOWED_SCHEMES):
                    line = contribution.line_of(term.value)
                    shown = clean(term.value, 80)
                    raise InputError(f"IRI with a scheme that is not allowed: <{shown}>",
                                     where=f"{contribution.path}:{line or '?'}",
                                     hint="use http(s): or urn: IRIs")
            elif kind == "Literal" and not term.language and \
                    term.datatype.value not in (_XSD_STRING, _LANG_STRING) and \
                    not is_well_formed(term.value, term.datatype.value):
                line = _find(contribution.text, term.value)
                raise InputError(f'ill-typed literal "{clean(term.value, 60)}"'
                                 f"^^<{clean(term.datatype.value, 80)}>",
                                 where=f"{contribution.path}:{line or '?'}",
                                 hint="give a value of that datatype, or change the datatype")


def _find(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return None if index < 0 else text.count("\n", 0, index) + 1


def read_contribution(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Contribution:
    """Read, check and parse one contributed file; raise :class:`InputError` on bad input."""
    format_name = FORMATS.get(path.suffix.lower())
    if not path.exists() and not path.is_symlink():
        raise InputError("no such file", where=str(path))
    if format_name is None:
        raise InputError(f"unknown file type {path.suffix!r}", where=str(path),
                         hint=f"use one of {', '.join(sorted(FORMATS))}")
    data = read_capped(path, max_bytes, hint="split the contribution, or raise --max-bytes")
    text = decode(str(path), data)
    _check_text(path, text, format_name)
    contribution = Contribution(path, text, tuple(parse(str(path), data, format_name)))
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
