"""Every shape is tested: base.ttl conforms to all of them, and each case of cases.toml gives
exactly the expected focus nodes and severities for its shape. A shape without a failing case
fails the suite."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH

from policing_kg.checks.shacl import load_shapes, validate_graph, validate_with_pyshacl
from policing_kg.checks.shacl.delegate import report_results
from policing_kg.common.datafiles import load_toml

from ..conftest import EXPECTED, ID, ROOT

PKGSH = "https://w3id.org/policing-kg/shapes#"
HERE = ROOT / "tests" / "shapes"
BASE_TEXT = (HERE / "base.ttl").read_text("utf-8")
PREFIXES = "\n".join(line for line in BASE_TEXT.splitlines() if line.startswith("@prefix"))
CASES: list[dict[str, Any]] = load_toml(HERE / "cases.toml")["case"]
SHAPES = load_shapes(ROOT / "shapes")
ONTOLOGY = Graph().parse(ROOT / "ontology" / "policing-kg.ttl")
CONSTRAINT_PARAMETERS = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minLength, SH.maxLength,
    SH.pattern, SH.languageIn, SH.uniqueLang, SH["in"], SH["or"], SH.lessThan,
    SH.qualifiedValueShape, SH.minInclusive, SH.maxInclusive,
}


def shape_id(result_shape: str, constraint: str | None) -> str:
    name = constraint if constraint and constraint.startswith(PKGSH) else result_shape
    return name.removeprefix(PKGSH)


def constraint_bearing_shapes() -> set[str]:
    shapes = {str(s) for s, p, _ in SHAPES if p in CONSTRAINT_PARAMETERS and isinstance(s, URIRef)}
    shapes |= {str(s) for s in SHAPES.subjects(RDF.type, SH.SPARQLConstraint)}
    return {s.removeprefix(PKGSH) for s in shapes if s.startswith(PKGSH)}


def graph_for(case: dict[str, Any]) -> Graph:
    graph = Graph().parse(data=BASE_TEXT, format="turtle")
    if "delete" in case:
        for triple in Graph().parse(data=PREFIXES + "\n" + case["delete"], format="turtle"):
            assert triple in graph, f"delete names a triple that base.ttl lacks: {triple}"
            graph.remove(triple)
    if "add" in case:
        graph += Graph().parse(data=PREFIXES + "\n" + case["add"], format="turtle")
    return graph + ONTOLOGY


_REPORTS: dict[int, tuple[Graph, Graph]] = {}


def reference_report(index: int) -> tuple[Graph, Graph]:
    """The case's graph and plain pyshacl's report on it (computed once per case)."""
    from pyshacl import validate

    if index not in _REPORTS:
        graph = graph_for(CASES[index])
        _, report, _ = validate(graph, shacl_graph=SHAPES, inference="none", advanced=True,
                                allow_warnings=True)
        _REPORTS[index] = (graph, report)
    return _REPORTS[index]


def results_by_shape(report: Graph) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = str(report.value(result, SH.sourceShape))
        constraint = report.value(result, SH.sourceConstraint)
        key = shape_id(shape, str(constraint) if constraint is not None else None)
        focus = str(report.value(result, SH.focusNode)).removeprefix(ID)
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        found.setdefault(key, set()).add((focus, severity))
    return found


def test_the_base_graph_conforms_to_every_shape() -> None:
    report = validate_graph(Graph().parse(data=BASE_TEXT, format="turtle") + ONTOLOGY, SHAPES)
    assert report.results == ()


@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=[f"{c['shape']}-{n}" for n, c in enumerate(CASES)])
def test_each_case_reports_exactly_its_focus_nodes(index: int) -> None:
    case = CASES[index]
    found = results_by_shape(reference_report(index)[1])
    expected = {(focus, severity) for focus, severity in case["expect"]}
    assert found.get(case["shape"], set()) == expected


def test_every_shape_has_a_failing_case() -> None:
    failing = {c["shape"] for c in CASES if c["expect"]}
    missing = sorted(constraint_bearing_shapes() - failing)
    assert missing == [], f"shapes with no failing example in tests/shapes/cases.toml: {missing}"


def test_every_case_names_a_real_shape() -> None:
    known = constraint_bearing_shapes()
    assert sorted({c["shape"] for c in CASES} - known) == []


def test_every_shape_has_a_message_and_a_severity() -> None:
    shapes = set(SHAPES.subjects(RDF.type, SH.NodeShape)) | set(
        SHAPES.subjects(RDF.type, SH.PropertyShape)) | set(
        SHAPES.subjects(RDF.type, SH.SPARQLConstraint))
    assert len(shapes) > 60
    for shape in shapes:
        assert SHAPES.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), shape
        message = SHAPES.value(shape, SH.message)
        assert message is not None and len(str(message)) > 15, shape


def full(results: Any) -> Counter[tuple[object, ...]]:
    """Every field SHACL reports, each result counted (a report is a multiset)."""
    return Counter((r.focus, r.path, r.value, r.severity, r.shape, r.component) for r in results)


@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=[f"{c['shape']}-{n}" for n, c in enumerate(CASES)])
def test_the_fast_engine_answers_as_pyshacl_does(index: int) -> None:
    """Focus, path, value, severity, shape and component: the compiled engine's are pyshacl's."""
    graph, report = reference_report(index)
    reference = full(report_results(report, SHAPES))
    assert full(validate_graph(graph, SHAPES).results) == reference


@pytest.mark.slow
def test_the_fast_engine_answers_as_pyshacl_does_on_the_real_graph(assembly: Any) -> None:
    from policing_kg.assembly.graph import union_graph

    graph = union_graph(assembly.dataset)
    fast, reference = validate_graph(graph, SHAPES), validate_with_pyshacl(graph, SHAPES)
    assert full(fast.results) == full(reference.results)
    assert len(fast.results) == EXPECTED["shacl"]["results_on_the_real_graph"]


def test_the_base_graph_exercises_every_node_shape() -> None:
    """base.ttl is each shape's conforming example only if the shape has focus nodes there."""
    graph = Graph().parse(data=BASE_TEXT, format="turtle") + ONTOLOGY
    for shape in SHAPES.subjects(RDF.type, SH.NodeShape):
        targets: set[object] = set()
        for cls in SHAPES.objects(shape, SH.targetClass):
            subclasses = set(graph.transitive_subjects(RDFS.subClassOf, cls))
            targets |= {s for c in subclasses for s in graph.subjects(RDF.type, c)}
        for predicate in SHAPES.objects(shape, SH.targetSubjectsOf):
            targets |= set(graph.subjects(predicate, None))
        assert targets, f"base.ttl has no focus node for {shape}"
