"""Run one SHACL engine of PyPI on a data file and a shapes file; print its time and results.

    python bench/peer_engine.py ENGINE DATA.nq SHAPES.ttl RESULTS.json

This file is run by each peer's own Python (``bench/results/peers/ENGINE``, made by
:mod:`bench.peers`), so it imports nothing of policing-kg and only the engine it runs. The
results are written in one normal form (:func:`key`) that the project's engine and pyshacl
are also written in, so that their answers compare: focus, path, value, severity, source
shape, component, each an N-Triples term (blank nodes as ``_:``, a path as the IRIs it uses).
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import Any

_XSD_STRING = "^^<http://www.w3.org/2001/XMLSchema#string>"
_IRI = re.compile(r"<([^>]*)>|(\w[\w+.-]*:[^\s<>()|/^*+?\"]+)")


def term(text: Any) -> str:
    """Write an N-Triples term in one spelling: IRIs in <>, blank nodes as _:, no ^^xsd:string."""
    if text is None:
        return ""
    value = str(text).strip()
    if not value:
        return ""
    if value.startswith("_:"):
        return "_:"
    if value.startswith('"'):
        return value[:-len(_XSD_STRING)] if value.endswith(_XSD_STRING) else value
    if value.startswith("<") and value.endswith(">"):
        return value
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        return f"<{value}>"
    return json.dumps(value)  # a bare lexical form


def path(text: Any) -> str:
    """Write a result path as the IRIs it uses, ``^`` first if it goes backwards."""
    if text is None:
        return ""
    value = str(text).strip()
    if "<" not in value and re.match(r"^\^?[A-Za-z][A-Za-z0-9+.-]*:\S+$", value):
        return ("^" if value.startswith("^") else "") + f"<{value.lstrip('^')}>"  # a bare IRI
    iris = ["<" + (a or b) + ">" for a, b in _IRI.findall(value)]
    return ("^" if "^" in value or "inverse" in value.lower() else "") + "/".join(iris)


def key(focus: Any, result_path: Any, value: Any, severity: Any, shape: Any,
        component: Any) -> list[str]:
    """Return the normal form of one result."""
    return [term(focus), path(result_path), term(value), str(severity).strip("<>"),
            term(shape), str(component).strip("<>")]


def run_shacl(data: str, shapes: str) -> list[list[str]]:
    """Validate with the `shacl` package (Rust)."""
    import shacl  # type: ignore[import-not-found]

    report = shacl.Shapes.from_file(shapes).validate_file(data)
    return [key(r.focus_node, r.path, r.value, r.severity_iri, r.source_shape, r.component_iri)
            for r in report.results]


def run_shacl_rust(data: str, shapes: str) -> list[list[str]]:
    """Validate with the `shacl-rust` package."""
    import shacl_rust  # type: ignore[import-not-found]

    report = shacl_rust.validate_file(data, shapes)
    return [key(r.get("focusNode"), r.get("resultPath"), r.get("value"), r.get("severity"),
                r.get("sourceShape"), r.get("sourceConstraintComponent"))
            for r in report["results"]]


def run_pyrudof(data: str, shapes: str) -> list[list[str]]:
    """Validate with pyrudof (rudof, Rust)."""
    import pyrudof  # type: ignore[import-not-found]

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data, format=pyrudof.RDFFormat.NQuads)
    rudof.read_shacl(shapes)
    severities = {"Violation", "Warning", "Info"}
    results = []
    for r in rudof.validate_shacl():
        severity = r.severity if r.severity not in severities else \
            f"http://www.w3.org/ns/shacl#{r.severity}"
        results.append(key(r.focus_node, r.path, r.value, severity, r.source_shape,
                           r.constraint_component))
    return results


def rdflib_report(report: Any) -> list[list[str]]:
    """Read a pySHACL report graph (pyshacl's, or a compatible engine's) in the normal form."""
    from rdflib import RDF, Literal, URIRef
    from rdflib.namespace import SH

    def n3(node: Any) -> str:
        if node is None:
            return ""
        if isinstance(node, Literal) and node.datatype == URIRef(_XSD_STRING[3:-1]):
            return Literal(str(node)).n3()
        return node.n3() if isinstance(node, (URIRef, Literal)) else "_:"

    def path_text(node: Any) -> str:
        if node is None:
            return ""
        if isinstance(node, URIRef):
            return f"<{node}>"
        inverse = report.value(node, SH.inversePath)
        return f"^<{inverse}>" if inverse is not None else "(complex)"

    return [key(n3(report.value(r, SH.focusNode)), path_text(report.value(r, SH.resultPath)),
                n3(report.value(r, SH.value)), report.value(r, SH.resultSeverity),
                n3(report.value(r, SH.sourceShape)),
                report.value(r, SH.sourceConstraintComponent))
            for r in report.subjects(RDF.type, SH.ValidationResult)]


def run_pyshacl_turbo(data: str, shapes: str) -> list[list[str]]:
    """Validate with pyshacl-turbo (pySHACL's interface, Rust inside)."""
    import pyshacl_turbo  # type: ignore[import-not-found]
    from rdflib import Dataset, Graph

    dataset = Dataset()
    dataset.parse(data, format="nquads")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    _, report, _ = pyshacl_turbo.validate(graph, shacl_graph=Graph().parse(shapes))
    return rdflib_report(report)


ENGINES = {"shacl": run_shacl, "shacl-rust": run_shacl_rust, "pyrudof": run_pyrudof,
           "pyshacl-turbo": run_pyshacl_turbo}


def main(argv: list[str]) -> None:
    """Run ENGINE on DATA and SHAPES; write RESULTS; print the time as JSON."""
    engine, data, shapes, out = argv
    start = time.perf_counter()
    results = ENGINES[engine](data, shapes)
    seconds = time.perf_counter() - start
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(sorted(results), handle)
    print(json.dumps({"seconds": seconds, "results": len(results)}))


if __name__ == "__main__":
    main(sys.argv[1:])
