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

import logging
import re
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from policing_kg.checks import DEFAULT_MAX_BYTES
from policing_kg.checks.lines import BY_LINES, FileLines, note_leading
from policing_kg.checks.scan import ALLOWED_SCHEMES, Scan
from policing_kg.checks.vocabulary import statements, walk_terms
from policing_kg.common.pieces import CappedReader, check_pieces, read_pieces
from policing_kg.common.reading import (
    InputError,
    check_structure,
    decode,
    line_column,
    parse_each,
    parse_errors,
    parser,
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
_SHACL = "http://www.w3.org/ns/shacl#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_BASE = re.compile(r"^\s*(@base\b|BASE\b)", re.IGNORECASE | re.MULTILINE)
_XML_BASE = re.compile(r"\bxml:base\s*=")
_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


class Contribution(FileLines):
    """A contributed file, read once: what its checks need, and the way back to its lines.

    Its quads went into the validation store as they were parsed (:class:`.scan.Scan`); what
    is not kept (the text, the quads) is read again from the file in the rare cases that need
    it: to name the first bad term, to place a result (:class:`.lines.FileLines`).
    """

    def __init__(self, path: Path, format_name: str, max_bytes: int,
                 prefixes: list[tuple[str, str]], scan: Scan, leading: dict[str, int]) -> None:
        super().__init__(path, format_name, max_bytes, prefixes, leading)
        self.scan = scan
        self._literals: dict[tuple[str, str], list[tuple[str, str | None]]] | None = None

    def mentioned(self) -> set[str]:
        """Every IRI the file names as a subject or an object (in triple terms too)."""
        return self.scan.mentioned()

    def read_quads(self) -> Iterator[Any]:
        """Parse the file again, one quad at a time."""
        with CappedReader(self.path, self.max_bytes) as reader:
            yield from parse_each(str(self.path), reader, self.format_name)

    def literals_of(self, subject: str, predicate: str, predicates: Iterable[str]
                    ) -> list[tuple[str, str | None]]:
        """Return the literals (value, language) the file gives ``subject`` by ``predicate``.

        The first call parses the file again, and keeps the literals of every one of
        ``predicates`` (the label properties): the next calls read none.
        """
        if self._literals is None:
            wanted = set(predicates)
            literals: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
            for quad in self.read_quads():
                if quad.predicate.value in wanted and type(quad.object).__name__ == "Literal" \
                        and type(quad.subject).__name__ == "NamedNode":
                    literals.setdefault((quad.subject.value, quad.predicate.value), []).append(
                        (quad.object.value, quad.object.language))
            self._literals = literals
        return self._literals.get((subject, predicate), [])


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
    line = contribution.line_of(iri) or contribution.find_line("sh:")
    raise InputError(f"contributions may not carry SHACL shapes, constraints, rules or SPARQL "
                     f"that validation could run ({why})",
                     where=f"{contribution.path}:{line or '?'}",
                     hint="shapes live in the project's shapes/ folder; a contribution may "
                     "describe stored queries (sh:SPARQLExecutable with sh:select) only")


def _check_shacl(contribution: Contribution) -> None:
    executables: set[str] = set()
    for s, p, o in statements(contribution.read_quads()):
        if p.value == _RDF_TYPE and getattr(o, "value", "") in _EXECUTABLES:
            executables.add(str(s))
    for s, p, o in statements(contribution.read_quads()):
        for term in (s, p, o):
            if type(term).__name__ != "NamedNode" or not term.value.startswith(_SHACL):
                continue
            if term.value not in _SHACL_DESCRIPTIONS:
                _refuse_shacl(contribution, term.value, f"found <{term.value}>")
        if p.value in _SPARQL_TEXT and str(s) not in executables:
            _refuse_shacl(contribution, p.value, f"<{p.value}> on a node that is not typed "
                          "sh:SPARQLExecutable")


def _check_each_term(contribution: Contribution) -> None:
    if contribution.scan.bad:
        _refuse_first_bad_term(contribution)
    if contribution.scan.shacl:
        _check_shacl(contribution)


def _refuse_first_bad_term(contribution: Contribution) -> None:
    """Refuse the first term (in the order of the file) that is not allowed or is ill-typed."""
    from policing_kg.checks.shacl.store import is_well_formed
    from policing_kg.common.text import clean

    for quad in contribution.read_quads():
        for term in (t for position in (quad.subject, quad.predicate, quad.object,
                                        quad.graph_name) for t in walk_terms(position)):
            kind = type(term).__name__
            if kind == "NamedNode":
                if not term.value.startswith(ALLOWED_SCHEMES):
                    line = contribution.line_of(term.value)
                    shown = clean(term.value, 80)
                    raise InputError(f"IRI with a scheme that is not allowed: <{shown}>",
                                     where=f"{contribution.path}:{line or '?'}",
                                     hint="use http(s): or urn: IRIs")
            elif kind == "Literal" and not term.language and \
                    term.datatype.value not in (_XSD_STRING, _LANG_STRING) and \
                    not is_well_formed(term.value, term.datatype.value):
                line = contribution.find_line(term.value)
                raise InputError(f'ill-typed literal "{clean(term.value, 60)}"'
                                 f"^^<{clean(term.datatype.value, 80)}>",
                                 where=f"{contribution.path}:{line or '?'}",
                                 hint="give a value of that datatype, or change the datatype")


def read_contribution(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, *, store: Any = None,
                      prefix: str = "c0_") -> Contribution:
    """Read, check and parse one contributed file; raise :class:`InputError` on bad input.

    Its quads go into ``store`` (a validation store, their blank nodes named with ``prefix``)
    as they are parsed, and what the closed-world checks need is noted
    (:meth:`.scan.Scan.problems`). N-Triples and N-Quads are checked in pieces and parsed from
    the file, never held whole; the other formats are checked as text, and parsed from bytes.
    """
    format_name = FORMATS.get(path.suffix.lower())
    if not path.exists() and not path.is_symlink():
        raise InputError("no such file", where=str(path))
    if format_name is None:
        raise InputError(f"unknown file type {path.suffix!r}", where=str(path),
                         hint=f"use one of {', '.join(sorted(FORMATS))}")
    hint = "split the contribution, or raise --max-bytes"
    source: Any
    leading: dict[str, int] = {}
    if format_name in BY_LINES:
        check_pieces(str(path), read_pieces(path, max_bytes, hint=hint),
                     lambda first, text: note_leading(leading, first, text))
        prefixes: list[tuple[str, str]] = []
        source = CappedReader(path, max_bytes, hint)
    else:
        source = read_capped(path, max_bytes, hint=hint)
        text = decode(str(path), source)
        _check_text(path, text, format_name)
        prefixes = list(dict.fromkeys(_PREFIX.findall(text)))
        note_leading(leading, 1, text)
        del text
    contribution = Contribution(path, format_name, max_bytes, prefixes, Scan(prefix), leading)
    try:
        with parse_errors(str(path), source):
            kept = contribution.scan.load(parser(source, format_name))
            if store is not None:
                store.bulk_extend(kept)
            else:
                deque(kept, maxlen=0)
    finally:
        if isinstance(source, CappedReader):
            source.close()
    del source
    if not contribution.scan.count:
        raise InputError("no RDF statements", where=str(path),
                         hint="the file parses but says nothing")
    _check_terms(contribution)
    return contribution


def read_contributions(paths: Iterable[Path], max_bytes: int = DEFAULT_MAX_BYTES, *,
                       store: Any = None) -> list[Contribution]:
    """Read every contributed file (the first bad one stops with its error), into ``store``."""
    return [read_contribution(Path(path), max_bytes, store=store, prefix=f"c{index}_")
            for index, path in enumerate(paths)]


__all__ += ["read_contributions"]
