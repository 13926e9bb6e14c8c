"""The SHACL-to-SPARQL engine answers as plain pyshacl does, at every scale it is used for."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph

from policing_kg.shacl_sparql import compile_shapes, residual_constraints
from policing_kg.validate import (
    graph_of_quads,
    load_shapes,
    validate_graph,
    validate_store,
    validate_with_pyshacl,
    validation_store,
)

from .conftest import ROOT

SHAPES = load_shapes(ROOT / "shapes")


def keys(report: object) -> set[tuple[str, str, str]]:
    return {(r.focus, r.shape, r.severity) for r in report.results}  # type: ignore[attr-defined]


def test_every_project_shape_compiles() -> None:
    """No shape is left to pyshacl: the fast path is the whole path."""
    from policing_kg.validate import _sparql_constraints

    core, _ = _sparql_constraints(SHAPES)
    compiled, residual = compile_shapes(core)
    assert len(compiled) > 60
    assert sorted(set(map(str, residual_constraints(residual)))) == []


SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .
ex:P a sh:PropertyShape ; sh:path ex:n ; sh:datatype xsd:%s ; sh:message "m" .
ex:Q a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:R .
ex:R a sh:PropertyShape ; sh:path ex:start ; sh:lessThan ex:end ; sh:message "m" .
"""


@pytest.mark.parametrize("datatype", ["positiveInteger", "nonNegativeInteger", "integer", "byte"])
@pytest.mark.parametrize("value", ['"2"^^xsd:positiveInteger', '"0"^^xsd:positiveInteger',
                                   '"2"^^xsd:integer', '"-0"^^xsd:nonNegativeInteger',
                                   '"300"^^xsd:byte', '"+7"^^xsd:byte', '"2"', '"2"@en',
                                   '"abc"^^xsd:positiveInteger', "ex:x"])
def test_integer_subtypes_are_checked_as_pyshacl_does(datatype: str, value: str) -> None:
    data = Graph().parse(data=f"""
        @prefix ex: <http://example.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        ex:a rdf:type ex:C ; ex:n {value} ;
            ex:start "3"^^xsd:nonNegativeInteger ; ex:end "12"^^xsd:positiveInteger .
        ex:b rdf:type ex:C ; ex:n {value} ;
            ex:start "12"^^xsd:nonNegativeInteger ; ex:end "3"^^xsd:nonNegativeInteger .
        """, format="turtle")
    shapes = Graph().parse(data=SHAPE % datatype, format="turtle")
    assert keys(validate_graph(data, shapes)) == keys(validate_with_pyshacl(data, shapes))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory,
              release: tuple[Path, object]) -> Path:
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate

    out = tmp_path_factory.mktemp("bench") / "synthetic-10k.nq"
    generate(release[0] / "policing-kg.nq", out, 10_000)
    return out


def test_the_synthetic_10k_graph_gives_pyshacls_results(synthetic: Path) -> None:
    """The benchmark's graph, with its injected violations: same (focus, shape, severity)."""
    import pyoxigraph as ox

    quads = list(ox.parse(path=str(synthetic), format=ox.RdfFormat.N_QUADS))
    assert len(quads) > 10_000
    fast = validate_store(validation_store(quads), SHAPES)
    reference = validate_with_pyshacl(graph_of_quads(quads), SHAPES)
    assert keys(fast) == keys(reference)
    # one copy in ten carries 3 injected faults, which make 5 violations
    assert len({(r.focus, r.shape) for r in fast.violations()}) == 5
