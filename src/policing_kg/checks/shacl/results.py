"""Validation results as plain values, whichever engine produced them, and SHACL paths as text.

A result keeps its terms as RDF terms (an IRI, a blank node, a literal with its datatype or
language), so that two engines' results compare exactly: focus, path, value, severity, source
shape and constraint component.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from policing_kg.errors import PolicingKGError

__all__ = ["ShapeResult", "ShapeReport", "ShapesError", "render_path", "sort_key", "LEVELS"]

#: The severities SHACL defines, by local name; any other IRI is a custom severity.
LEVELS = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


class ShapesError(PolicingKGError):
    """The shapes graph is not well-formed SHACL (what SHACL calls a failure)."""


@dataclass(frozen=True)
class ShapeResult:
    """One validation result: what a ``sh:ValidationResult`` holds.

    ``path`` is the result path in SPARQL property-path syntax with full IRIs (``""`` for a
    node shape's constraint); ``value`` is ``None`` where SHACL gives no ``sh:value``.
    """

    focus: Node
    path: str
    value: Node | None
    severity: URIRef
    shape: Node
    component: URIRef
    messages: tuple[Literal, ...] = field(default=(), compare=False)
    constraint: Node | None = field(default=None, compare=False)

    @property
    def level(self) -> str:
        """The severity's name: ``Violation``, ``Warning``, ``Info`` (or a custom IRI)."""
        return LEVELS.get(self.severity, str(self.severity))

    @property
    def message(self) -> str:
        """The message to show: the English one, else one without a language, else any."""
        by_language = {m.language or "": str(m) for m in self.messages}
        for language in ("en", ""):
            if language in by_language:
                return by_language[language]
        return next(iter(sorted(by_language.values())), "")


def _term_key(term: Node | None) -> tuple[int, str, str]:
    if term is None:
        return (0, "", "")
    if isinstance(term, URIRef):
        return (1, str(term), "")
    if isinstance(term, BNode):
        return (2, str(term), "")
    assert isinstance(term, Literal)
    return (3, str(term), f"{term.language or ''}|{term.datatype or ''}")


def sort_key(result: ShapeResult) -> tuple[object, ...]:
    """Return a total order of results (terms of different kinds do not compare in rdflib)."""
    return (result.level, _term_key(result.focus), result.path, _term_key(result.value),
            _term_key(result.shape), str(result.component))


@dataclass(frozen=True)
class ShapeReport:
    """The outcome of validating a graph: every result, in a stable order."""

    conforms: bool
    results: tuple[ShapeResult, ...]

    @classmethod
    def of(cls, results: Iterable[ShapeResult]) -> ShapeReport:
        """Make a report from results: it conforms if none is a violation.

        Results are a multiset, as in a SHACL report: a focus node with two languages used twice
        gets two ``sh:uniqueLang`` results that differ in nothing a result records.
        """
        ordered = tuple(sorted(results, key=sort_key))
        return cls(not any(r.severity == SH.Violation for r in ordered), ordered)

    def violations(self) -> list[ShapeResult]:
        """Return the results of severity ``sh:Violation``."""
        return [r for r in self.results if r.severity == SH.Violation]


def render_path(graph: Graph, path: Node, depth: int = 0) -> str:
    """Write a SHACL property path as a SPARQL property path, IRIs in full.

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ... <s> sh:path ( <http://e/a> [ sh:inversePath <http://e/b> ]
    ...                [ sh:zeroOrMorePath <http://e/c> ] ) .''',
    ...     format="turtle", publicID="http://e/")
    >>> render_path(g, g.value(URIRef("http://e/s"), SH.path))
    '<http://e/a>/^<http://e/b>/(<http://e/c>)*'
    """
    if depth > 32:
        raise ShapesError("a property path nested more than 32 deep (or a cycle)")
    if isinstance(path, URIRef):
        return f"<{path}>"
    if not isinstance(path, BNode):
        raise ShapesError(f"{path!r} is not a property path")
    if graph.value(path, RDF.first) is not None:
        steps = [render_path(graph, step, depth + 1) for step in Collection(graph, path)]
        if len(steps) < 2:
            raise ShapesError("a sequence path needs at least two steps")
        return "/".join(steps)
    for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"),
                                (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            text = render_path(graph, inner, depth + 1)
            if predicate == SH.inversePath:
                return f"^{text}" if isinstance(inner, URIRef) else f"^({text})"
            return template.format(text)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        options = [render_path(graph, step, depth + 1) for step in Collection(graph, alternatives)]
        if len(options) < 2:
            raise ShapesError("an alternative path needs at least two options")
        return "(" + "|".join(options) + ")"
    raise ShapesError(f"the blank node {path} is not a SHACL property path")
