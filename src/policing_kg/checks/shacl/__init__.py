"""The project's SHACL engine: compiled SPARQL on pyoxigraph, pyshacl for the rest.

:func:`validate_store` compiles every shape it can translate exactly (:mod:`.compiler`,
:mod:`.sparql`) into queries that each find all of a constraint's results at once, runs them
on the validation store (:mod:`.store`), and hands every other shape, whole, to pyshacl
(:mod:`.delegate`). The results are a SHACL report's: focus, path, value, severity, source
shape and component, checked against the W3C SHACL test suite and against plain pyshacl.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal

from policing_kg.checks.shacl.compiler import CompiledQuery, Plan, Unsupported, compile_plan
from policing_kg.checks.shacl.delegate import pyshacl_results, validate_with_pyshacl
from policing_kg.checks.shacl.results import (
    ShapeReport,
    ShapeResult,
    ShapesError,
    render_path,
    sort_key,
)
from policing_kg.checks.shacl.shapes import read_turtle
from policing_kg.checks.shacl.sparql import fill_template
from policing_kg.checks.shacl.store import (
    graph_store,
    restore_rdflib,
    store_graph,
    validation_store,
)
from policing_kg.errors import DataError

__all__ = ["ShapeResult", "ShapeReport", "ShapesError", "Plan", "Unsupported", "load_shapes",
           "compile_plan", "validate_store", "validate_graph", "validation_store",
           "validate_with_pyshacl", "render_path", "sort_key", "store_graph"]


def load_shapes(directory: Path) -> Graph:
    """Read every ``*.ttl`` file of ``shapes/`` into one shapes graph, literals as written."""
    shapes = Graph()
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise DataError("no shapes (*.ttl)", where=str(directory))
    for number, path in enumerate(files):  # each file's blank nodes its own
        graph = read_turtle(path, f"s{number}_")
        shapes += graph
        for prefix, namespace in graph.namespaces():
            shapes.bind(prefix, namespace, override=False)
    return shapes


def _run(store: ox.Store, query: CompiledQuery) -> Iterator[ShapeResult]:
    solutions = store.query(query.text, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        focus = solution["this"]
        if focus is None:
            continue
        value = solution["value"] if "value" in names else None
        path = query.path
        if "path" in names and isinstance(solution["path"], ox.NamedNode):
            path = f"<{solution['path'].value}>"
        messages = query.messages
        if query.templates:
            bound = [(n, str(getattr(solution[n], "value", ""))) for n in names
                     if solution[n] is not None]
            given = solution["message"] if "message" in names else None
            messages = (Literal(given.value),) if isinstance(given, ox.Literal) else tuple(
                Literal(fill_template(str(m), bound), lang=m.language) for m in messages)
            if value is None and query.value_is_focus:
                value = focus
        yield ShapeResult(
            focus=restore_rdflib(focus), path=path,
            value=None if value is None else restore_rdflib(value),
            severity=query.severity, shape=query.shape, component=query.component,
            messages=messages, constraint=query.constraint)


def validate_store(store: ox.Store, shapes: Graph,
                   data: Callable[[], Graph] | None = None) -> ShapeReport:
    """Validate the graph in a validation store (all its named graphs as one) with ``shapes``.

    ``data`` returns the same graph as rdflib, for the delegate; without it, the delegate reads
    the store. The store must come from :func:`validation_store`.
    """
    plan = compile_plan(shapes)
    results: list[ShapeResult] = []
    for query in plan.queries:
        results.extend(_run(store, query))
    if plan.delegated:
        graph = data() if data is not None else store_graph(store)
        results.extend(pyshacl_results(graph, shapes, set(plan.delegated)))
    return ShapeReport.of(results)


def validate_graph(data: Graph, shapes: Graph) -> ShapeReport:
    """Validate an rdflib graph (which includes the ontology) against ``shapes``."""
    return validate_store(graph_store(data), shapes, lambda: data)

