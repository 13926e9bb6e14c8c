"""The W3C SHACL test suite (core and SHACL-SPARQL), run through any engine.

Each test's expected report is compared with the engine's as a set of results, each result
its focus node, path, value, severity, source shape and constraint component; blank nodes are
compared as blank nodes (the two reports must be isomorphic graphs). A test whose expected
result is ``sht:Failure`` passes when the engine refuses the shapes. Every file is read with
:func:`read_turtle`, literals as written (rdflib's parser would read ``"1"^^xsd:boolean`` as
``"true"``); Apache Jena reads the files itself (:func:`run_jena`).

``python -m tests.w3c_shacl [SUITE]`` prints each engine's score (CONTRIBUTING.md's table quotes
them: :func:`table_scores` reads it back); ``--jena`` adds Apache Jena's.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import SH
from rdflib.term import Node

from policing_kg.checks.shacl import ShapeResult, ShapesError, render_path, validate_graph
from policing_kg.checks.shacl.delegate import report_results
from policing_kg.checks.shacl.shapes import read_turtle
from policing_kg.common.terms import graph_of_quads

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
# Resolved, links included: the files' IRIs are their resolved paths (read_turtle's base), and
# a test's id is its IRI less the suite's (``../shared`` may be a symbolic link).
SUITE = (Path(__file__).resolve().parent.parent.parent / "shared" / "w3c-shacl-tests").resolve()
#: where the scores are quoted: the table of CONTRIBUTING.md's section on the engine
TABLE = Path(__file__).resolve().parent.parent / "CONTRIBUTING.md"

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
    data_file: Path
    shapes_file: Path

    @property
    def part(self) -> str:
        """``core`` or ``sparql`` (SHACL-SPARQL)."""
        return "core" if self.id.startswith("core/") else "sparql"


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
    if path not in cache:  # each file its own blank nodes
        cache[path] = read_turtle(path, f"f{len(cache)}_")
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
    root = root.resolve()
    cache: dict[Path, Graph] = {}
    tests = []
    for _manifest, graph, entry in _entries(root / "manifest.ttl", cache):
        if (entry, RDF.type, SHT.Validate) not in graph:
            continue
        action = graph.value(entry, MF.action)
        data_iri = graph.value(action, SHT.dataGraph)
        shapes_iri = graph.value(action, SHT.shapesGraph)
        data_file = Path(str(data_iri).removeprefix("file://"))
        shapes_file = Path(str(shapes_iri).removeprefix("file://"))
        data, shapes = _parse(data_file, cache), _parse(shapes_file, cache)
        result = graph.value(entry, MF.result)
        name = str(entry).removeprefix(root.as_uri() + "/")
        label = str(graph.value(entry, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) or "")
        if result == SHT.Failure:
            tests.append(SuiteTest(name, label, data, shapes, True, False, Graph(), data_file,
                                   shapes_file))
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
                               normalise(conforms, expected),  # type: ignore[arg-type]
                               data_file, shapes_file))
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
    return judge(test, conforms, results)


def judge(test: SuiteTest, conforms: bool, results: list[ShapeResult]) -> tuple[bool, str]:
    """Whether an engine's report (the shapes accepted) is the test's: (passed, why)."""
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


def run_jena(test: SuiteTest) -> tuple[bool, str]:
    """Run one test through Apache Jena's ``shacl validate`` (``bench/jena.py``): (passed, why).

    Jena reads the test's files itself; its report (Turtle) is read like pyshacl's. A run
    that ends in an error, without a report, counts as refusing the shapes.
    """
    import pyoxigraph as ox

    answer = jena().run("shacl.shacl", "validate", "--shapes", str(test.shapes_file),
                      "--data", str(test.data_file), timeout=120)
    if answer.returncode != 0 or "ValidationReport" not in answer.stdout:
        errors = [line for line in answer.stderr.splitlines() if line.strip()]
        return test.failure, f"refused the shapes: {errors[0] if errors else 'no report'}"
    report = graph_of_quads(ox.parse(answer.stdout.encode(), format=ox.RdfFormat.TURTLE), "r")
    verdict = next(report.objects(None, SH.conforms), None)
    if not isinstance(verdict, Literal):
        return False, "a report without sh:conforms"
    try:
        results = list(report_results(report, test.shapes))
    except ShapesError as exc:
        return False, exc.line()
    return judge(test, str(verdict) in ("true", "1"), results)


def jena() -> Any:
    """The module ``bench/jena.py`` (Apache Jena from Debian's jars)."""
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    from bench import jena as module

    return module


def jena_version() -> str:
    """The version of Jena's SHACL jar installed (Debian names a link to it by its version)."""
    jar = Path("/usr/share/java/jena-shacl.jar")
    named = sorted(jar.parent.glob("jena-shacl-*.jar"))
    return named[0].name.removeprefix("jena-shacl-").removesuffix(".jar") if named else "?"


Runner = Callable[[SuiteTest], tuple[bool, str]]


def runner(engine: Engine) -> Runner:
    """The runner of one of this module's engines."""
    return lambda test: run(test, engine)


def totals(tests: Iterable[SuiteTest]) -> dict[str, int]:
    """How many tests of each part (``core``, ``sparql``) there are."""
    counts = {"core": 0, "sparql": 0}
    for test in tests:
        counts[test.part] += 1
    return counts


def table_scores(path: Path = TABLE) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Read the W3C table of CONTRIBUTING.md: (its totals, each engine's scores).

    The table's header is ``| engine | core (N) | SHACL-SPARQL (N) |``; each row gives the
    engine's name and its two scores (a row of words, not numbers, is left out).
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    header = re.compile(r"\|\s*engine\s*\|\s*core \((\d+)\)\s*\|\s*SHACL-SPARQL \((\d+)\)\s*\|")
    row = re.compile(r"\|\s*([^|]+?)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|$")
    matches = [(n, header.fullmatch(line.strip())) for n, line in enumerate(lines)]
    number, found = next(((n, m) for n, m in matches if m), (0, None))
    if found is None:
        raise ValueError(f"{path}: no table | engine | core (N) | SHACL-SPARQL (N) |")
    quoted = {"core": int(found.group(1)), "sparql": int(found.group(2))}
    rows: dict[str, dict[str, int]] = {}
    for line in lines[number + 2:]:
        if not line.startswith("|"):
            break
        cells = row.fullmatch(line.strip())
        if cells:
            rows[cells.group(1)] = {"core": int(cells.group(2)), "sparql": int(cells.group(3))}
    return quoted, rows


def main(argv: list[str]) -> int:
    with_jena = "--jena" in argv
    argv = [a for a in argv if a != "--jena"]
    root = Path(argv[0]) if argv else SUITE
    tests = load_suite(root)
    engines = {"policing-kg": runner(project_engine), "pyshacl": runner(pyshacl_engine)}
    if with_jena:
        engines[f"Apache Jena {jena_version()}"] = run_jena
    scores = {name: {"core": 0, "sparql": 0} for name in engines}
    total = totals(tests)
    compiled = {"core": 0, "sparql": 0}
    for test in tests:
        part = test.part
        line = []
        for name, engine in engines.items():
            passed, why = engine(test)
            scores[name][part] += passed
            line.append(f"{name}: {'pass' if passed else 'FAIL'} ({why})")
        whole, why = run(test, compiled_only_engine)
        compiled[part] += whole and "delegated" not in why
        print(f"{test.id}: " + "; ".join(line))
    for name, score in scores.items():
        print(f"{name}: core {score['core']}/{total['core']}, "
              f"sparql {score['sparql']}/{total['sparql']}")
    print(f"answered by the compiled queries alone: core {compiled['core']}, "
          f"sparql {compiled['sparql']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
