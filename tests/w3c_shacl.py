"""The W3C SHACL test suite (core and SHACL-SPARQL), run through any engine.

Each test's expected report is compared with the engine's as a set of results, each result
its focus node, path, value, severity, source shape and constraint component; blank nodes are
compared as blank nodes (the two reports must be isomorphic graphs). A test whose expected
result is ``sht:Failure`` passes when the engine refuses the shapes.

``python -m tests.w3c_shacl [SUITE]`` prints each engine's score (the README quotes it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import SH
from rdflib.term import Node

from policing_kg.checks.shacl import ShapeResult, ShapesError, render_path, validate_graph
from policing_kg.checks.shacl.delegate import report_results

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "w3c-shacl-tests"

#: An engine: (data, shapes) -> (conforms, results); raises ShapesError on a bad shapes graph.
Engine = Callable[[Graph, Graph], tuple[bool, list[ShapeResult]]]


@dataclass
class SuiteTest:
    """One test: its data and shapes graphs and what the report must be."""

    id: str
    label: str
    data: Graph
    shapes: Graph
    failure: bool
    conforms: bool
    expected: Graph


def normalise(conforms: bool, results: Iterable[tuple[Node, str, Node | None, Node, Node, Node]]
              ) -> Graph:
    """A report as a graph of its results' six fields (a path written as SPARQL text)."""
    graph = Graph()
    report = BNode()
    graph.add((report, SH.conforms, Literal(conforms)))
    for focus, path, value, severity, shape, component in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, SH.focusNode, focus))
        if path:
            graph.add((node, SH.resultPath, Literal(path)))
        if value is not None:
            graph.add((node, SH.value, value))
        graph.add((node, SH.resultSeverity, severity))
        graph.add((node, SH.sourceShape, shape))
        graph.add((node, SH.sourceConstraintComponent, component))
    return graph


def _parse(path: Path, cache: dict[Path, Graph]) -> Graph:
    if path not in cache:
        cache[path] = Graph().parse(path, format="turtle", publicID=path.as_uri())
    return cache[path]


def _entries(manifest: Path, cache: dict[Path, Graph]) -> Iterable[tuple[Path, Graph, Node]]:
    graph = _parse(manifest, cache)
    for included in sorted(graph.objects(None, MF.include), key=str):
        yield from _entries(Path(str(included).removeprefix("file://")), cache)
    for head in graph.objects(None, MF.entries):
        for entry in Collection(graph, head):
            yield manifest, graph, entry


def load_suite(root: Path = SUITE) -> list[SuiteTest]:
    """Read every sht:Validate test of the suite's manifests."""
    cache: dict[Path, Graph] = {}
    tests = []
    for _manifest, graph, entry in _entries(root / "manifest.ttl", cache):
        if (entry, RDF.type, SHT.Validate) not in graph:
            continue
        action = graph.value(entry, MF.action)
        data_iri = graph.value(action, SHT.dataGraph)
        shapes_iri = graph.value(action, SHT.shapesGraph)
        data = _parse(Path(str(data_iri).removeprefix("file://")), cache)
        shapes = _parse(Path(str(shapes_iri).removeprefix("file://")), cache)
        result = graph.value(entry, MF.result)
        name = str(entry).removeprefix(root.as_uri() + "/")
        label = str(graph.value(entry, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) or "")
        if result == SHT.Failure:
            tests.append(SuiteTest(name, label, data, shapes, True, False, Graph()))
            continue
        conforms = bool(graph.value(result, SH.conforms).value)  # type: ignore[union-attr]
        expected = []
        for node in graph.objects(result, SH.result):
            path_node = graph.value(node, SH.resultPath)
            expected.append((graph.value(node, SH.focusNode),
                             render_path(graph, path_node) if path_node is not None else "",
                             graph.value(node, SH.value), graph.value(node, SH.resultSeverity),
                             graph.value(node, SH.sourceShape),
                             graph.value(node, SH.sourceConstraintComponent)))
        tests.append(SuiteTest(name, label, data, shapes, False, conforms,
                               normalise(conforms, expected)))  # type: ignore[arg-type]
    return tests


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=False)
    return copy


def run(test: SuiteTest, engine: Engine) -> tuple[bool, str]:
    """Run one test: (passed, what happened)."""
    data = _copy(test.data)  # each engine gets its own copies (pyshacl adds to its graphs)
    shapes = data if test.shapes is test.data else _copy(test.shapes)
    try:
        conforms, results = engine(data, shapes)
    except ShapesError as exc:
        return test.failure, f"refused the shapes: {exc.line()}"
    if test.failure:
        return False, "accepted shapes that the suite says are invalid"
    got = normalise(conforms, ((r.focus, r.path, r.value, r.severity, r.shape, r.component)
                               for r in results))
    if isomorphic(got, test.expected):
        return True, "the expected report"
    return False, (f"{len(results)} results (conforms {conforms}); expected "
                   f"{len(set(test.expected.objects(None, SH.result)))} "
                   f"(conforms {test.conforms})")


def project_engine(data: Graph, shapes: Graph) -> tuple[bool, list[ShapeResult]]:
    """The project's engine (compiled queries, pyshacl for the shapes it cannot compile)."""
    report = validate_graph(data, shapes)  # SHACL: a report conforms when it has no result
    return not report.results, list(report.results)


def pyshacl_engine(data: Graph, shapes: Graph) -> tuple[bool, list[ShapeResult]]:
    """Plain pyshacl, default options."""
    from pyshacl import validate

    try:
        conforms, report, _ = validate(data, shacl_graph=shapes)
    except Exception as exc:  # pyshacl's errors for bad shapes graphs
        raise ShapesError(f"{type(exc).__name__}: {exc}") from None
    if not isinstance(report, Graph):
        raise ShapesError(f"validation failure: {getattr(report, 'message', report)}")
    return bool(conforms), list(report_results(report, shapes))


def compiled_only_engine(data: Graph, shapes: Graph) -> tuple[bool, list[ShapeResult]]:
    """The compiled queries alone (what the compiler translated, nothing delegated)."""
    from policing_kg.checks.shacl import _run as run_query
    from policing_kg.checks.shacl import compile_plan
    from policing_kg.checks.shacl.store import graph_store

    plan = compile_plan(shapes)
    if plan.delegated:
        raise ShapesError(f"delegated: {sorted(map(str, plan.delegated.values()))[:1]}")
    store = graph_store(data)
    results = [r for q in plan.queries for r in run_query(store, q)]
    return not results, results


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else SUITE
    tests = load_suite(root)
    engines = {"policing-kg": project_engine, "pyshacl": pyshacl_engine}
    scores = {name: {"core": 0, "sparql": 0} for name in engines}
    totals = {"core": 0, "sparql": 0}
    compiled = {"core": 0, "sparql": 0}
    for test in tests:
        part = "core" if test.id.startswith("core/") else "sparql"
        totals[part] += 1
        line = []
        for name, engine in engines.items():
            passed, why = run(test, engine)
            scores[name][part] += passed
            line.append(f"{name}: {'pass' if passed else 'FAIL'} ({why})")
        whole, why = run(test, compiled_only_engine)
        compiled[part] += whole and "delegated" not in why
        print(f"{test.id}: " + "; ".join(line))
    for name, score in scores.items():
        print(f"{name}: core {score['core']}/{totals['core']}, "
              f"sparql {score['sparql']}/{totals['sparql']}")
    print(f"answered by the compiled queries alone: core {compiled['core']}, "
          f"sparql {compiled['sparql']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
