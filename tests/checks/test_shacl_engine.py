"""The SHACL engine: compiled queries answer as plain pyshacl does; what they cannot answer
exactly goes to pyshacl, whole; the validation store keeps every literal as written."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH, XSD

from policing_kg.checks.shacl import (
    compile_plan,
    load_shapes,
    validate_graph,
    validate_store,
    validate_with_pyshacl,
    validation_store,
)
from policing_kg.common.terms import graph_of_quads

from ..conftest import ROOT

SHAPES = load_shapes(ROOT / "shapes")


def full(report: object) -> Counter[tuple[object, ...]]:
    return Counter((r.focus, r.path, r.value, r.severity, r.shape, r.component)  # type: ignore[attr-defined]
                   for r in report.results)  # type: ignore[attr-defined]


def test_every_project_shape_compiles() -> None:
    """No project shape is left to pyshacl: the fast path is the whole path."""
    plan = compile_plan(SHAPES)
    assert plan.delegated == {}
    assert len(plan.queries) > 60


SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .
ex:P a sh:PropertyShape ; sh:path ex:n ; sh:datatype xsd:%s ; sh:message "m" .
ex:Q a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:R .
ex:R a sh:PropertyShape ; sh:path ex:start ; sh:lessThan ex:end ; sh:message "m" .
"""


@pytest.mark.parametrize("datatype", ["positiveInteger", "nonNegativeInteger", "integer", "byte",
                                      "boolean", "date", "decimal"])
@pytest.mark.parametrize("value", ['"2"^^xsd:positiveInteger', '"0"^^xsd:positiveInteger',
                                   '"2"^^xsd:integer', '"-0"^^xsd:nonNegativeInteger',
                                   '"300"^^xsd:byte', '"+7"^^xsd:byte', '"2"', '"2"@en',
                                   '"abc"^^xsd:positiveInteger', "ex:x", '"01"^^xsd:integer',
                                   '"none"^^xsd:boolean', '"2020-13-01"^^xsd:date',
                                   '"1.50"^^xsd:decimal'])
def test_datatypes_are_checked_as_pyshacl_does(datatype: str, value: str) -> None:
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
    assert full(validate_graph(data, shapes)) == full(validate_with_pyshacl(data, shapes))


def test_the_store_reports_literals_as_written() -> None:
    """pyoxigraph's own store would give back "1" for "01", and an integer for a byte."""
    xsd = "http://www.w3.org/2001/XMLSchema#"
    quads = list(ox.parse(
        f'<http://e/a> a <http://e/C> ; <http://e/n> "01"^^<{xsd}integer> , "300"^^<{xsd}byte> .'
        .encode(), format=ox.RdfFormat.TURTLE))
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://e/S> sh:targetClass <http://e/C> ; sh:property [ sh:path <http://e/n> ;
            sh:datatype <http://www.w3.org/2001/XMLSchema#byte> ] .""", format="turtle")
    report = validate_store(validation_store(quads), shapes)
    # "01" is not a byte (it is an integer), nor is 300 (out of range): both as written
    assert sorted(str(r.value) for r in report.results) == ["01", "300"]
    assert {r.value.datatype for r in report.results} == {XSD.integer, XSD.byte}  # type: ignore[union-attr]
    assert {r.component for r in report.results} == {SH.DatatypeConstraintComponent}


def test_what_the_compiler_cannot_translate_goes_to_pyshacl_whole() -> None:
    """A SPARQL constraint that needs pre-binding ($this only in a FILTER) is delegated, and
    its result is there; the compiled shape beside it is not checked twice."""
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://e/> .
        ex:Delegated sh:targetNode ex:a ; sh:sparql [
            sh:select "SELECT $this WHERE { FILTER ($this = <http://e/a>) }" ] .
        ex:Compiled sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        """, format="turtle")
    data = Graph().parse(data="<http://e/a> <http://e/q> 1 .", format="turtle")
    plan = compile_plan(shapes)
    assert list(plan.delegated) == [URIRef("http://e/Delegated")]
    assert "pre-bound" in "".join(plan.delegated.values()) or plan.delegated
    report = validate_graph(data, shapes)
    assert sorted(r.component.rsplit("#", 1)[-1] for r in report.results) == [
        "MinCountConstraintComponent", "SPARQLConstraintComponent"]
    assert full(report) == full(validate_with_pyshacl(data, shapes))


@pytest.mark.parametrize("feature", [
    "sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:p ; sh:object 1 ]",
    "sh:closed true ; sh:property [ sh:path ex:q ; sh:pattern \"(?=x)\" ]",
    "sh:property [ sh:path ex:q ; sh:datatype <http://www.w3.org/2000/01/rdf-schema#Literal> ]",
])
def test_features_outside_the_compiler_are_delegated(feature: str) -> None:
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://e/> .
        ex:S sh:targetNode ex:a ; {feature} .""", format="turtle")
    assert list(compile_plan(shapes).delegated) == [URIRef("http://e/S")]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory,
              release: tuple[Path, object]) -> Path:
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate

    out = tmp_path_factory.mktemp("bench") / "synthetic-10k.nq"
    generate(release[0] / "policing-kg.nq", out, 10_000)
    return out


@pytest.mark.slow
def test_the_synthetic_10k_graph_gives_pyshacls_results(synthetic: Path) -> None:
    """The benchmark's graph, with its injected violations: every field of every result."""
    quads = list(ox.parse(path=str(synthetic), format=ox.RdfFormat.N_QUADS))
    assert len(quads) > 10_000
    fast = validate_store(validation_store(quads), SHAPES)
    reference = validate_with_pyshacl(graph_of_quads(quads, ""), SHAPES)
    assert full(fast) == full(reference)
    # one copy in ten carries 3 injected faults, which make 5 violations
    assert len({(r.focus, r.shape) for r in fast.violations()}) == 5
