"""What a shape says, read for the compiler: its parameters, severity, messages, path.

``Unsupported`` is raised for whatever the compiler does not translate exactly (the engine
then hands the shape, whole, to pyshacl).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from policing_kg.checks.shacl.results import ShapesError, render_path
from policing_kg.checks.shacl.store import constant
from policing_kg.common.reading import parse
from policing_kg.common.terms import graph_of_quads
from policing_kg.errors import DataError

__all__ = ["Unsupported", "ShapeReader", "COMPONENTS", "Focus", "read_turtle"]


def read_turtle(path: Path, blank_prefix: str = "") -> Graph:
    """Read a Turtle file (shapes or data) as rdflib, every literal exactly as written.

    rdflib's own parser rewrites ``"1"^^xsd:boolean`` as ``"true"``, which SHACL does not read
    as true (W3C test ``uniqueLang-002``): pyoxigraph parses, and each literal keeps its text.
    Labelled blank nodes keep their label after ``blank_prefix`` (give each file its own), and
    the file's prefixes are bound. A syntax error is one line (file, line, column).
    """
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror})", where=where) from None
    base = path.resolve().as_uri()
    parser = ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base)
    try:
        quads = list(parser)
    except (SyntaxError, ValueError, MemoryError):
        parse(where, data, "TURTLE", base_iri=base)  # raises it as one line, with its position
        raise
    graph = graph_of_quads(quads, blank_prefix)
    for prefix, namespace in parser.prefixes.items():
        graph.bind(prefix, namespace, override=False)
    return graph




class Unsupported(Exception):
    """A shape the compiler cannot translate exactly (the delegate checks it)."""


#: A focus: given a variable name, a SPARQL pattern that binds it to each focus node, and the
#: variables of the pattern that must be kept with it. A nested property shape's focus nodes
#: are the values of its parent's focus nodes, and SHACL reports a result for each path that
#: reaches them (an address shared by two persons is validated twice): the parents' focus
#: nodes are carried along as *context*, and queries select and group by them too.
Focus = Callable[[str], tuple[str, tuple[str, ...]]]

#: Constraint parameters -> the component SHACL reports for them.
COMPONENTS: dict[URIRef, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
    SH.closed: SH.ClosedConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
#: Components about each value node on its own.
_PER_VALUE = {SH["class"], SH.datatype, SH.nodeKind, SH.minExclusive, SH.minInclusive,
              SH.maxExclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern,
              SH.languageIn, SH["in"], SH["not"], SH["and"], SH["or"], SH.xone, SH.node}
#: Parameters that only qualify another one (read where that one is compiled).
_QUALIFIERS = {SH.flags, SH.qualifiedValueShape, SH.qualifiedValueShapesDisjoint,
               SH.ignoredProperties}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
#: Terms of a shape that constrain nothing.
_DESCRIPTIVE = {RDF.type, SH.path, SH.severity, SH.message, SH.name, SH.description,
                SH.deactivated, SH.order, SH.group, SH.defaultValue, *_TARGETS}
_SUBCLASS = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_MAX_DEPTH = 8
_DEFAULT_MESSAGES = {
    SH.ClassConstraintComponent: "Value does not have the class the shape requires",
    SH.DatatypeConstraintComponent: "Value is not a literal of the datatype the shape requires",
    SH.NodeKindConstraintComponent: "Value is not of the node kind the shape requires",
    SH.MinCountConstraintComponent: "Fewer values than the shape requires",
    SH.MaxCountConstraintComponent: "More values than the shape allows",
    SH.UniqueLangConstraintComponent: "More than one value in the same language",
    SH.QualifiedMinCountConstraintComponent: "Fewer values of the qualified shape than required",
    SH.QualifiedMaxCountConstraintComponent: "More values of the qualified shape than allowed",
    SH.ClosedConstraintComponent: "A property the closed shape does not allow",
    SH.HasValueConstraintComponent: "The value the shape requires is missing",
}


_TRUE = Literal("true", datatype=XSD.boolean)


def _is_true(node: Node | None) -> bool:
    """Whether a parameter is ``true``: the term itself, as SHACL says (``"1"`` is not)."""
    return isinstance(node, Literal) and node.datatype == XSD.boolean \
        and str(node) == str(_TRUE)


def _integer(node: Node, what: str) -> int:
    if not isinstance(node, Literal) or not isinstance(node.value, int) \
            or isinstance(node.value, bool):
        raise Unsupported(f"{what} {node!r} is not an integer")
    return node.value


def _list(shapes: Graph, head: Node) -> list[Node]:
    if head != RDF.nil and shapes.value(head, RDF.first) is None:
        raise Unsupported(f"{head!r} is not an RDF list")
    return list(Collection(shapes, head))


def _iri_or_literal(node: Node) -> str:
    try:
        return constant(node)
    except ValueError:
        raise Unsupported(f"a blank node {node} as a constraint parameter") from None


def _plain(node: Node) -> str:
    """Return a literal parameter as SPARQL compares it (by value, not as the store keeps it)."""
    if isinstance(node, (URIRef, Literal)):
        return node.n3()
    raise Unsupported(f"a blank node {node} as a constraint parameter")


#: Regular-expression syntax that Python (pyshacl) and pyoxigraph do not read alike.
_REGEX_UNSAFE = re.compile(r"\(\?[=!<]|\\[1-9]|\\[pP]\{|\(\?[a-zA-Z]+\)|\\[AZzbBGh]")


def _regex(pattern: str, flags: str) -> tuple[str, str]:
    if _REGEX_UNSAFE.search(pattern) or set(flags) - set("imsx"):
        raise Unsupported(f"the regular expression {pattern!r} (flags {flags!r})")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ShapesError(f"sh:pattern {pattern!r} is not a valid regular expression ({exc})"
                          ) from None
    return pattern, flags


class ShapeReader:
    """Reads the shapes of one shapes graph; gives fresh variable names for each query."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self._names = count(1)
        self.custom_parameters = self._custom_parameters()

    def fresh(self) -> str:
        """Return a variable name not used anywhere else in the query being written."""
        return f"?v{next(self._names)}"

    def _custom_parameters(self) -> set[Node]:
        """Return the parameters of SPARQL-based constraint components (however typed)."""
        parameters: set[Node] = set()
        for parameter in self.shapes.objects(None, SH.parameter):
            parameters.update(self.shapes.objects(parameter, SH.path))
        return parameters

    # -- what a shape says ---------------------------------------------------------------------

    def one(self, shape: Node, predicate: URIRef) -> Node | None:
        """Return the single value of a parameter (a shape that gives it twice is not compiled)."""
        values = list(self.shapes.objects(shape, predicate))
        if len(values) > 1:
            raise Unsupported(f"{predicate} given {len(values)} times")
        return values[0] if values else None

    def severity(self, shape: Node) -> URIRef:
        """Return the shape's severity (sh:Violation when it gives none)."""
        severity = self.one(shape, SH.severity)
        if severity is None:
            return SH.Violation
        if not isinstance(severity, URIRef):
            raise Unsupported(f"the severity {severity!r}")
        return severity

    def messages(self, shape: Node, component: URIRef) -> tuple[Literal, ...]:
        """Return the shape's messages, or a generic one."""
        given = sorted((m for m in self.shapes.objects(shape, SH.message)
                        if isinstance(m, Literal)), key=lambda m: (m.language or "", str(m)))
        if given:
            return tuple(given)
        return (Literal(_DEFAULT_MESSAGES.get(component, "Value does not conform to the "
                                              f"{str(component).rsplit('#', 1)[-1]}")),)

    def constraints(self, shape: Node) -> Iterator[tuple[URIRef, Node]]:
        """Return the shape's constraint parameters in a stable order; refuse the unknown."""
        for predicate, parameter in sorted(self.shapes.predicate_objects(shape),
                                           key=lambda po: (str(po[0]), str(po[1]))):
            if predicate in _DESCRIPTIVE or predicate in _QUALIFIERS:
                continue
            if predicate in self.custom_parameters:
                raise Unsupported(f"the SPARQL-based constraint component of {predicate}")
            if predicate in COMPONENTS or predicate in (SH.property,):
                yield predicate, parameter  # type: ignore[misc]
            elif isinstance(predicate, URIRef) and str(predicate).startswith(str(SH)):
                raise Unsupported(f"{predicate} (not SHACL Core)")

    def path(self, shape: Node) -> tuple[str, bool]:
        """Return the shape's path as SPARQL, and whether it can be of length zero."""
        node = self.shapes.value(shape, SH.path)
        if node is None:
            raise Unsupported("no sh:path")
        return render_path(self.shapes, node), self._nullable(node)

    def _nullable(self, path: Node, depth: int = 0) -> bool:
        if depth > 32 or isinstance(path, URIRef):
            return False
        if self.shapes.value(path, RDF.first) is not None:
            return all(self._nullable(s, depth + 1) for s in Collection(self.shapes, path))
        if self.shapes.value(path, SH.zeroOrMorePath) is not None \
                or self.shapes.value(path, SH.zeroOrOnePath) is not None:
            return True
        for wrapper in (SH.inversePath, SH.oneOrMorePath):
            inner = self.shapes.value(path, wrapper)
            if inner is not None:
                return self._nullable(inner, depth + 1)
        options = self.shapes.value(path, SH.alternativePath)
        if options is not None:
            return any(self._nullable(s, depth + 1) for s in Collection(self.shapes, options))
        return False

    # -- value nodes ---------------------------------------------------------------------------

    def values(self, shape: Node, focus: str, this: str, value: str) -> str:
        """Return a pattern binding ``this`` to each focus node and ``value`` to each of its values.

        ``focus`` is the focus pattern already written for ``this``.
        """
        if self.shapes.value(shape, SH.path) is None:
            return f"{focus} BIND ({this} AS {value})"
        path, nullable = self.path(shape)
        if not nullable:
            return f"{focus} {this} {path} {value} ."
        return (f"{{ {focus} {this} {path} {value} . }} UNION "
                f"{{ {focus} BIND ({this} AS {value}) }}")

    def values_of(self, shape: Node, node: str, value: str) -> str:
        """Return a pattern for the values of a bound ``node`` (inside FILTER EXISTS)."""
        if self.shapes.value(shape, SH.path) is None:
            return f"BIND ({node} AS {value})"
        path, nullable = self.path(shape)
        if not nullable:
            return f"{node} {path} {value} ."
        return f"{{ {node} {path} {value} . }} UNION {{ BIND ({node} AS {value}) }}"
