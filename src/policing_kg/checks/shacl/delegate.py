"""The delegate engine, pyshacl.

It checks the shapes the compiler cannot translate exactly, and it is the reference that the
compiled engine is tested against.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from policing_kg.checks.shacl.results import ShapeReport, ShapeResult, ShapesError, render_path

__all__ = ["pyshacl_results", "validate_with_pyshacl", "report_results"]

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def report_results(report: Graph, shapes: Graph) -> Iterator[ShapeResult]:
    """Read a SHACL validation report graph (pyshacl's) as results."""
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        component = report.value(result, SH.sourceConstraintComponent)
        focus = report.value(result, SH.focusNode)
        shape = report.value(result, SH.sourceShape)
        if not isinstance(severity, URIRef) or focus is None or shape is None:
            raise ShapesError("pyshacl returned a result without severity, focus or shape")
        path_node = report.value(result, SH.resultPath)
        path = ""
        if path_node is not None:
            source = report if (path_node, None, None) in report else shapes
            path = render_path(source, path_node)
        messages = tuple(sorted((m for m in report.objects(result, SH.resultMessage)
                                 if isinstance(m, Literal)),
                                key=lambda m: (m.language or "", str(m))))
        yield ShapeResult(
            focus=focus, path=path, value=report.value(result, SH.value), severity=severity,
            shape=shape,
            component=component if isinstance(component, URIRef) else URIRef(""),
            messages=messages, constraint=report.value(result, SH.sourceConstraint))


def pyshacl_results(data: Graph, shapes: Graph, only: Collection[Node] | None = None,
                    *, advanced: bool = True) -> list[ShapeResult]:
    """Validate ``data`` with pyshacl; with ``only``, just those shapes keep their targets.

    The other shapes stay in the shapes graph (a delegated shape may refer to them through
    sh:node, sh:property, sh:or...), but select no focus nodes of their own.
    """
    from pyshacl import validate  # heavy: imported only when a shape is delegated

    graph = Graph()  # a copy: pyshacl adds triples to the shapes graph it is given
    graph += shapes
    for prefix, namespace in shapes.namespaces():
        graph.bind(prefix, namespace, override=False)
    if only is not None:
        classes = {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}
        for subject in set(graph.subjects()):
            if subject in only:
                continue
            for predicate in _TARGETS:
                graph.remove((subject, predicate, None))
            for kind in classes:  # an implicit class target
                if (subject, RDF.type, SH.NodeShape) in graph or \
                        (subject, RDF.type, SH.PropertyShape) in graph:
                    graph.remove((subject, RDF.type, kind))
    try:
        _, report, _ = validate(data, shacl_graph=graph, inference="none", advanced=advanced,
                                allow_warnings=True)
    except Exception as exc:  # pyshacl raises several kinds of error for a bad shapes graph
        detail = " ".join(str(exc).split())[:300]
        raise ShapesError(f"the shapes graph is not valid SHACL: {type(exc).__name__}: {detail}",
                          where="shapes", hint="fix the shape it names") from None
    if not isinstance(report, Graph):  # pyshacl's ValidationFailure: a constraint could not run
        detail = " ".join(str(getattr(report, "message", report)).split())[:300]
        raise ShapesError(f"a constraint could not be evaluated: {detail}", where="shapes",
                          hint="fix the shape it names")
    return list(report_results(report, graph))


def validate_with_pyshacl(data: Graph, shapes: Graph) -> ShapeReport:
    """Validate with plain pyshacl, every shape included: the reference answers."""
    return ShapeReport.of(pyshacl_results(data, shapes))
