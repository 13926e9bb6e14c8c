"""The one crosswalk (issue 18): every link with its record, every inferred link with its routes,
the release's SSSOM file, and the confidence rule."""

from __future__ import annotations

import csv
import io
import math
import warnings
from pathlib import Path

import pytest

from policing_kg.assembly.names import Names
from policing_kg.assembly.routes import Route, Step, route_words
from policing_kg.common.store import open_store
from policing_kg.crosswalk.links import CROSSWALK_FILE, read_crosswalk
from policing_kg.release.build import BuildResult

from ..conftest import ID, PKG

Release = tuple[Path, BuildResult]
SSSOM = "https://w3id.org/sssom/"
INFERRED = "https://w3id.org/policing-kg/graph/inferred"


def graph_links(store: object, graph: str | None = None) -> set[tuple[str, str, str]]:
    scope = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    query = (f"SELECT ?s ?p ?o WHERE {{ ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>* "
             f"<{PKG}crosswalkRelation> . {scope} FILTER (isIRI(?o)) }}")
    return {(r["s"].value, r["p"].value, r["o"].value)  # type: ignore[index]
            for r in store.query(query, use_default_graph_as_union=True)}  # type: ignore[attr-defined]


def test_every_link_has_exactly_its_record(release: Release) -> None:
    store = open_store(release[0])
    crosswalk = read_crosswalk(store)
    assert {link.triple for link in crosswalk.links} == graph_links(store)
    inferred = {link.triple for link in crosswalk.links if link.inferred}
    assert inferred == graph_links(store, INFERRED)  # one record per inferred link
    assert len([link for link in crosswalk.links if link.inferred]) == len(inferred)


def test_an_inferred_link_names_the_records_it_chains(release: Release) -> None:
    crosswalk = read_crosswalk(open_store(release[0]))
    records = {link.record: link for link in crosswalk.links}
    for link in crosswalk.links:
        if not link.inferred:
            continue
        assert link.justification.endswith("MappingChaining") and link.derived_from, link
        assert all(record in records for record in link.derived_from)
        # every route ends where the link ends, and starts where it starts (or, for a chain
        # through the documents' structure, its only crosswalk step ends there)
        chained = [records[r] for r in link.derived_from]
        assert any(c.object == link.object for c in chained), link
        assert link.reason("en") and link.reason("fr") and link.reason("en") != link.reason("fr")
        # the confidence rule: the weakest link of the strongest route, never above a step
        assert link.confidence is not None
        assert link.confidence <= max(c.confidence or 1.0 for c in chained) + 1e-9


def test_the_strongest_route_gives_the_confidence(release: Release) -> None:
    crosswalk = read_crosswalk(open_store(release[0]))
    link = next(one for one in crosswalk.links if one.inferred and one.subject == ID + "fcac-2022"
                and one.object == "http://metadata.un.org/sdg/16.5")
    records = {one.record: one for one in crosswalk.links}
    serves = next(records[r] for r in link.derived_from if records[r].predicate == PKG + "serves")
    target = next(records[r] for r in link.derived_from
                  if records[r].object == link.object)
    assert link.confidence == min(serves.confidence or 1.0, target.confidence or 1.0)


def test_route_words_and_confidence_rule() -> None:
    names = Names(kinds={"a": PKG + "ProgrammeStrategy", "b": PKG + "GlobalPolicingGoal",
                         "c": "http://metadata.un.org/sdg/ontology#Target"},
                  notations={"b": "5", "c": "16.5"}, labels={("a", "en"): "The programme"},
                  property_labels={(PKG + "serves", "en"): "serves"})
    route = Route("a", PKG + "contributesToSDG", "c", "b",
                  (Step("a", PKG + "serves", "b", 0.9), Step("b", PKG + "contributesToSDG",
                                                            "c", 0.7, inferred=True)))
    assert route.confidence == 0.7
    assert route_words(route, names) == ("The programme serves goal 5 (0.9), which "
                                         "contributes to SDG target 16.5 (inferred, 0.7)")
    structure = Route("b", PKG + "contributesToSDG", "c", "x", (
        Step("b", "http://www.w3.org/2004/02/skos/core#narrower", "x", None),
        Step("x", PKG + "contributesToSDG", "c", 0.8)))
    assert structure.confidence == 0.8  # the documents' structure does not weaken a route


def test_the_release_publishes_the_crosswalk_as_sssom(release: Release) -> None:
    sssom_parsers = pytest.importorskip("sssom.parsers", reason="sssom-py is a test dependency")
    path = release[0] / CROSSWALK_FILE
    crosswalk = read_crosswalk(open_store(release[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sssom-py 0.4 warns that it drops extension slots
        msdf = sssom_parsers.parse_sssom_table(str(path))
    expand = msdf.converter.expand
    theirs = {(expand(r["subject_id"]), expand(r["predicate_id"]), expand(r["object_id"]))
              for r in msdf.df.to_dict("records")}
    assert theirs == {link.triple for link in crosswalk.links}
    for record in msdf.df.to_dict("records"):
        assert record["subject_label"] and record["object_label"]
        confidence = record.get("confidence")
        assert confidence is not None and not (isinstance(confidence, float)
                                               and math.isnan(confidence))
    # the extension slots (French labels, chained records) read back as plain TSV
    text = path.read_text("utf-8")
    table = [line for line in text.splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(table)), delimiter="\t"))
    chained = [row for row in rows if row["mapping_justification"] == "semapv:MappingChaining"]
    ids = {row["record_id"] for row in rows}
    assert chained and all(row["derived_from"] for row in chained)
    assert all(part in ids for row in chained for part in row["derived_from"].split("|"))
    assert all(row["subject_label_fr"] and row["object_label_fr"] for row in rows)
