"""Answers hold the release's terms, term for term, on every store (docs/design.md, Literals).

Every example of every stored query runs embedded (pyoxigraph) and on Apache Jena, in memory
(ARQ) and in TDB2, both reading the release's N-Quads with the union of its named graphs as the
default graph; the answers must be the same terms (tests/access/parity.py). The Oxigraph server
and Virtuoso are compared the same way by test_oxigraph.py and test_virtuoso.py.

The release writes every number and boolean in one form (policing_kg.common.literals), the
form the embedded store gives back: this test fails if a literal is written otherwise. Where a
store cannot give the release's term (a double on TDB2, an integer of a derived type embedded),
those columns alone are compared by value (parity.DOUBLES, parity.DERIVED_INTEGERS).

Jena is Debian's (bench/jena.py); the tests skip, saying why, only where it cannot run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench import jena
from policing_kg.access.queries import QueryResult, bind_parameters
from policing_kg.common.literals import canonical_literal
from policing_kg.curation.catalogue import StoredQuery
from policing_kg.release.build import BuildResult

from .parity import DERIVED_INTEGERS, DOUBLES, Runner, assert_same_terms, cells, examples

REASON = jena.available()
if REASON and os.environ.get("CI") == "true":
    pytest.fail(f"CI=true but Jena cannot run: {REASON}", pytrace=False)
XSD = "http://www.w3.org/2001/XMLSchema#"


def test_the_release_writes_every_literal_in_its_canonical_form(
        release: tuple[Path, BuildResult]) -> None:
    """The premise of the comparisons: no literal of any dump is written otherwise."""
    dist = release[0]
    typed = 0
    for name, fmt in (("policing-kg.nq", ox.RdfFormat.N_QUADS),
                      ("policing-kg.trig", ox.RdfFormat.TRIG), ("void.ttl", ox.RdfFormat.TURTLE)):
        for quad in ox.parse(path=dist / name, format=fmt):
            literal = quad.object
            if isinstance(literal, ox.Literal) and not literal.language:
                assert canonical_literal(literal.value, literal.datatype.value) == literal.value, (
                    name, str(quad))
                typed += 1
    assert typed


@pytest.mark.parametrize("datatype", ["double", "float", "decimal", "integer",
                                      "nonNegativeInteger", "boolean"])
def test_the_written_form_is_the_form_the_embedded_store_gives_back(datatype: str) -> None:
    """Oxigraph keeps numbers and booleans as values: what it writes back is the release's form."""
    given = ["0.95", "1.0", "1", "1.0E0", "6.0E-1", "+007", "-0.0", "0.50", ".5", "1e-7",
             "1.5e21", "123456789012.5", "0.1", "3.4028235E38", "1", "0", "true", "false",
             "INF", "-INF", "NaN", "1E400"]
    iri = XSD + datatype
    store = ox.Store()
    subject = ox.NamedNode("https://example.org/s")
    kept = 0
    for number, lexical in enumerate(given):
        literal = ox.Literal(lexical, datatype=ox.NamedNode(iri))
        store.add(ox.Quad(subject, ox.NamedNode(f"https://example.org/p{number}"), literal))
    for quad in store:
        lexical = given[int(quad.predicate.value.rsplit("p", 1)[1])]
        answered = quad.object
        assert isinstance(answered, ox.Literal)
        written = canonical_literal(lexical, iri)
        assert written == answered.value, (lexical, datatype, written, answered.value)
        kept += written != lexical
    assert kept  # some were written otherwise, and are now as the store gives them


def test_every_column_compared_by_value_is_named_and_there() -> None:
    """The by-value cells are exactly the confidences and the derived integers, no others."""
    with_confidence = {query.name for query, _, _ in examples()
                       if "?confidence" in query.text.split("WHERE")[0]}
    assert set(DOUBLES) == with_confidence


def _jena_result(main_class: str, *args: str) -> QueryResult:
    done = jena.run(main_class, *args, "--results=json", timeout=300)
    assert done.returncode == 0, (main_class, done.stderr[-2000:])
    data = done.stdout.encode("utf-8")
    json.loads(data)  # a whole SPARQL results document, not a log line
    return QueryResult(data)


def _query_file(folder: Path, query: StoredQuery, params: Mapping[str, str]) -> Path:
    path = folder / f"{query.name}.rq"
    path.write_text(bind_parameters(query, params), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def union_of_graphs(release: tuple[Path, BuildResult],
                    tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release's N-Quads with the graph names dropped: the union default graph, as triples.

    ARQ has no union default graph for a dataset in memory (that is TDB's option), and reads only
    the default graph of an N-Quads file given as ``--graph``; the triples are copied as written
    (pyoxigraph's parser keeps every lexical form)."""
    path = tmp_path_factory.mktemp("jena") / "union.nt"
    quads = ox.parse(path=release[0] / "policing-kg.nq", format=ox.RdfFormat.N_QUADS)
    ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), path,
                 format=ox.RdfFormat.N_TRIPLES)
    return path


#: what each Jena store cannot give term for term (tests/access/parity.py says why)
JENA_BY_VALUE = {"arq": DERIVED_INTEGERS, "tdb2": cells(DERIVED_INTEGERS, DOUBLES)}


@pytest.mark.slow
@pytest.mark.parametrize("store", ["arq", "tdb2"])
def test_every_stored_query_gives_the_same_terms_on_jena(
        store: str, release: tuple[Path, BuildResult], union_of_graphs: Path,
        tmp_path: Path) -> None:
    if REASON:
        pytest.skip(f"Jena cannot run here: {REASON}")
    run: Runner
    if store == "arq":
        def run(query: StoredQuery, params: Mapping[str, str]) -> QueryResult:
            return _jena_result("arq.sparql", "--data", str(union_of_graphs),
                                "--query", str(_query_file(tmp_path, query, params)))
    else:
        location = tmp_path / "tdb2"
        loaded = jena.run("tdb2.tdbloader", "--loc", str(location),
                          str(release[0] / "policing-kg.nq"))
        assert loaded.returncode == 0, loaded.stderr[-2000:]

        def run(query: StoredQuery, params: Mapping[str, str]) -> QueryResult:
            return _jena_result("tdb2.tdbquery", "--loc", str(location),
                                "--set", "tdb2:unionDefaultGraph=true",
                                "--query", str(_query_file(tmp_path, query, params)))
    assert assert_same_terms(run, release[0], JENA_BY_VALUE[store]) == len(list(examples()))
