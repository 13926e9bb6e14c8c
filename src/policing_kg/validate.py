"""SHACL validation of the dataset with pyshacl, reported as plain records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH

from policing_kg.errors import DataError

if TYPE_CHECKING:
    from policing_kg.contributions import Contribution

__all__ = ["ShapeResult", "ShapeReport", "load_shapes", "validate_graph", "validate_store",
           "validation_store",
           "validate_with_pyshacl"]


@dataclass(frozen=True, order=True)
class ShapeResult:
    """One validation result: the focus node, the shape's severity, path, value and message."""

    severity: str
    focus: str
    path: str
    value: str
    message: str
    shape: str


@dataclass(frozen=True)
class ShapeReport:
    """The outcome of validating a graph."""

    conforms: bool
    results: tuple[ShapeResult, ...]

    def violations(self) -> list[ShapeResult]:
        """Return the results of severity ``Violation``."""
        return [r for r in self.results if r.severity == "Violation"]


def load_shapes(directory: Path) -> Graph:
    """Read every ``*.ttl`` file of ``shapes/`` into one shapes graph."""
    shapes = Graph()
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise DataError("no shapes (*.ttl)", where=str(directory))
    for path in files:
        try:
            shapes.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many kinds of parse error
            raise DataError(f"the shapes do not parse: {exc}", where=str(path)) from None
    return shapes


def _text(graph: Graph, node: object) -> str:
    return "" if node is None else str(node)


def _pyshacl_results(data: Graph, shapes: Graph) -> list[ShapeResult]:
    from pyshacl import validate  # heavy: imported only when validating

    _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True,
                            allow_warnings=True)
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        results.append(ShapeResult(
            severity=str(severity).rsplit("#", 1)[-1] if isinstance(severity, URIRef) else "",
            focus=_text(report, report.value(result, SH.focusNode)),
            path=_text(report, report.value(result, SH.resultPath)),
            value=_text(report, report.value(result, SH.value)),
            message=_text(report, report.value(result, SH.resultMessage)),
            shape=_text(report, report.value(result, SH.sourceShape)),
        ))
    return results


def _report(results: list[ShapeResult]) -> ShapeReport:
    return ShapeReport(not any(r.severity == "Violation" for r in results),
                       tuple(sorted(results)))


def validate_with_pyshacl(data: Graph, shapes: Graph) -> ShapeReport:
    """Validate with plain pyshacl, every constraint included: the reference answers."""
    return _report(_pyshacl_results(data, shapes))


@dataclass(frozen=True)
class _SparqlConstraint:
    shape: str
    severity: str
    message: str
    query: str


def _sparql_constraints(shapes: Graph) -> tuple[Graph, list[_SparqlConstraint]]:
    """Split the shapes: core shapes for pyshacl, SHACL-SPARQL constraints as queries.

    Each query finds every violation in one evaluation (``$this`` joined with the targets).
    """
    from policing_kg.shacl_sparql import Unsupported, target_query

    core = Graph()
    core += shapes
    constraints = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        core.remove((shape, SH.sparql, constraint))
        if shapes.value(constraint, SH.deactivated) == Literal(True):
            continue
        select = shapes.value(constraint, SH.select)
        try:
            targets = target_query(shapes, shape)
        except Unsupported:
            targets = None
        if select is None or targets is None:
            raise DataError(f"SHACL-SPARQL constraint {constraint} needs sh:select and a "
                            "target on its shape", where="shapes/")
        declarations = []
        for prefixes in shapes.objects(constraint, SH.prefixes):
            for declaration in shapes.objects(prefixes, SH.declare):
                prefix = shapes.value(declaration, SH.prefix)
                namespace = shapes.value(declaration, SH.namespace)
                declarations.append(f"PREFIX {prefix}: <{namespace}>")
        severity = shapes.value(shape, SH.severity) or SH.Violation
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        query = "\n".join([*sorted(set(declarations)),
                           f"SELECT * WHERE {{ {targets} {{ {select} }} }}"])
        constraints.append(_SparqlConstraint(str(shape), str(severity).rsplit("#", 1)[-1],
                                             str(message or ""), query))
    return core, constraints


def _run(store: object, shape: str, severity: str, message: str, path: str,
         query: str) -> Iterator[ShapeResult]:
    import pyoxigraph as ox

    assert isinstance(store, ox.Store)
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = {v.value for v in solutions.variables}
    for solution in solutions:
        focus = solution["this"]
        value = solution["value"] if "value" in names else None
        yield ShapeResult(
            severity=severity, focus=getattr(focus, "value", ""), path=path,
            value="" if value is None else str(getattr(value, "value", value)),
            message=message, shape=shape)


def validate_store(store: object, shapes: Graph,
                   data: Callable[[], Graph] | None = None) -> ShapeReport:
    """Validate the graph in a pyoxigraph store (all its named graphs, as one) with ``shapes``.

    Core constraints are compiled to SPARQL (:mod:`policing_kg.shacl_sparql`) and SHACL-SPARQL
    constraints run as they are: each constraint is one query over the whole graph, instead of
    pyshacl's evaluation focus node by focus node. A shape the compiler cannot translate is
    checked by pyshacl, on the rdflib graph that ``data`` returns (built from the store when
    not given). The answers are plain pyshacl's (:func:`validate_with_pyshacl`; the tests
    compare them on every shape case, the real graph and a synthetic one).
    """
    from policing_kg.shacl_sparql import compile_shapes, residual_constraints

    core, constraints = _sparql_constraints(shapes)
    compiled, residual = compile_shapes(core)
    results: set[ShapeResult] = set()
    for c in compiled:
        results.update(_run(store, c.shape, c.severity, c.message, c.path, c.query))
    for s in constraints:
        results.update(_run(store, s.shape, s.severity, s.message, "", s.query))
    if any(True for _ in residual_constraints(residual)):
        graph = data() if data is not None else _store_graph(store)
        results.update(_pyshacl_results(graph, residual))
    return _report(sorted(results))


def _store_graph(store: object) -> Graph:
    import pyoxigraph as ox

    assert isinstance(store, ox.Store)
    return graph_of_quads(store.quads_for_pattern(None, None, None, None), "s")


def validation_store(quads: Iterable[object]) -> object:
    """Load pyoxigraph quads (or triples) into a store for :func:`validate_store`.

    pyoxigraph stores a valid ``"2"^^xsd:positiveInteger`` as ``"2"^^xsd:integer``, which would
    hide a wrong sh:datatype: the integer subtypes are kept under surrogate datatypes here.
    """
    import pyoxigraph as ox

    from policing_kg.shacl_sparql import DERIVED_INTEGERS, SURROGATE

    xsd = "http://www.w3.org/2001/XMLSchema#"
    surrogates = {xsd + name: ox.NamedNode(SURROGATE + name) for name in DERIVED_INTEGERS}

    def keep(quad: Any) -> Any:
        term = quad.object
        datatype = getattr(term, "datatype", None)
        if datatype is not None and datatype.value in surrogates:
            term = ox.Literal(term.value, datatype=surrogates[datatype.value])
        graph = getattr(quad, "graph_name", ox.DefaultGraph())
        return ox.Quad(quad.subject, quad.predicate, term, graph)

    store = ox.Store()
    store.bulk_extend(keep(quad) for quad in quads)
    return store


def validate_graph(data: Graph, shapes: Graph) -> ShapeReport:
    """Validate ``data`` (which includes the ontology) against ``shapes``: see validate_store."""
    import pyoxigraph as ox

    from policing_kg.publish import to_oxigraph

    triples = (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
               for s, p, o in data)
    return validate_store(validation_store(triples), shapes, lambda: data)


SEVERITY_RANK = {"Info": 0, "Warning": 1, "Violation": 2}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Finding:
    """A validation result placed in a contributed file: the item, what is wrong, and where."""

    severity: str
    focus: str
    label: str
    path: str
    value: str
    message: str
    shape: str
    file: str | None
    line: int | None


@dataclass(frozen=True)
class ContributionReport:
    """What validating contributions found.

    ``outside`` counts results about nodes that no contributed file names (they belong to the
    published graph, not to the contribution).
    """

    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    outside: int

    def count(self, severity: str) -> int:
        """Return how many findings have this severity."""
        return sum(1 for f in self.findings if f.severity == severity)

    def fails(self, fail_on: str) -> bool:
        """Return whether any finding is at least as severe as ``fail_on``."""
        threshold = SEVERITY_RANK[fail_on]
        return any(SEVERITY_RANK.get(f.severity, 2) >= threshold for f in self.findings)


def _to_rdflib(term: object, blank_prefix: str) -> object:
    from rdflib import BNode, Literal

    kind = type(term).__name__
    value = getattr(term, "value", "")
    if kind == "NamedNode":
        return URIRef(value)
    if kind == "BlankNode":
        return BNode(f"{blank_prefix}{value}")
    language = getattr(term, "language", None)
    if language:
        return Literal(value, lang=language)
    datatype = getattr(term, "datatype", None)
    if datatype is None or datatype.value == _XSD_STRING:
        return Literal(value)  # RDF 1.1: a simple literal is an xsd:string; rdflib differs
    return Literal(value, datatype=URIRef(datatype.value))


def graph_of_quads(quads: object, blank_prefix: str = "b") -> Graph:
    """Return the union of pyoxigraph quads as one rdflib graph (blank nodes kept apart)."""
    graph = Graph()
    for quad in quads:  # type: ignore[attr-defined]
        graph.add((_to_rdflib(quad.subject, blank_prefix),  # type: ignore[arg-type]
                   _to_rdflib(quad.predicate, blank_prefix),
                   _to_rdflib(quad.object, blank_prefix)))
    return graph


def _label(store: Any, node: str) -> str:
    import pyoxigraph as ox

    if not node.startswith(("http://", "https://", "urn:")):
        return ""
    labels: dict[str | None, str] = {}
    prefix = "http://www.w3.org/2004/02/skos/core#prefLabel"
    for quad in store.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(prefix), None):
        labels.setdefault(getattr(quad.object, "language", None), quad.object.value)
    label = labels.get("en") or labels.get("fr") or next(iter(sorted(labels.values())), "")
    return label if len(label) <= 120 else label[:120] + "…"


def _compact(term: str) -> str:
    from policing_kg.iris import PREFIXES

    if not term:
        return ""
    prefix, namespace = max(((p, n) for p, n in PREFIXES.items() if term.startswith(n)),
                            key=lambda pn: len(pn[1]), default=("", ""))
    local = term[len(namespace):]
    if prefix and local and all(c.isalnum() or c in "-_." for c in local):
        return f"{prefix}:{local}"
    return term


def _renamed(quads: Iterable[Any], blank_prefix: str) -> Iterator[Any]:
    """Rename the quads' blank nodes, so that two files' ``_:b0`` stay apart."""
    import pyoxigraph as ox

    def term(value: Any) -> Any:
        return ox.BlankNode(blank_prefix + value.value) if isinstance(value, ox.BlankNode) \
            else value

    for quad in quads:
        yield ox.Quad(term(quad.subject), quad.predicate, term(quad.object), ox.DefaultGraph())


def validate_contributions(contributions: Sequence[Contribution], published: Any,
                           shapes: Graph) -> ContributionReport:
    """Validate contributed files together with the published graph (so references resolve).

    ``published`` is the published graph as pyoxigraph quads (or an rdflib graph). Only results
    about nodes that a contributed file names are reported, each with the file and line of the
    statement that introduces its focus node. The graph is held by pyoxigraph only: a
    contribution of a million triples validates in seconds.
    """
    from itertools import chain

    if isinstance(published, Graph):
        import pyoxigraph as ox

        from policing_kg.publish import to_oxigraph

        published = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                     for s, p, o in published]
    store = validation_store(chain(
        _renamed(published, "p"),
        *(_renamed(c.quads, f"c{index}_") for index, c in enumerate(contributions))))
    report = validate_store(store, shapes)
    mentioned = [(c, c.mentioned()) for c in contributions]
    findings = []
    outside = 0
    for result in report.results:
        owner = next((c for c, names in mentioned if result.focus in names), None)
        if owner is None:
            outside += 1
            continue
        value = result.value if len(result.value) <= 200 else result.value[:200] + "…"
        findings.append(Finding(
            severity=result.severity, focus=result.focus, label=_label(store, result.focus),
            path=_compact(result.path), value=value, message=result.message,
            shape=_compact(result.shape), file=str(owner.path),
            line=owner.line_of(result.focus)))
    findings.sort(key=lambda f: (f.file or "", f.line or 0, f.focus,
                                 -SEVERITY_RANK.get(f.severity, 2), f.path, f.message))
    return ContributionReport(tuple(str(c.path) for c in contributions), tuple(findings), outside)


__all__ += ["Finding", "ContributionReport", "SEVERITY_RANK", "validate_contributions",
            "graph_of_quads"]
