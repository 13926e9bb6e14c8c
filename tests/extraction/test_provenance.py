"""For every node with text: the span recorded in the graph, cut from the file, gives the text."""

from __future__ import annotations

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from policing_kg.assembly.assemble import Assembly
from policing_kg.assembly.graph import union_graph
from policing_kg.common.iris import ID, OA, PKG
from policing_kg.extraction.records import collapse

from ..conftest import ROOT
from ..corpus import kind_totals

SPANS = """
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?node ?property ?resource ?file ?start ?end ?exact WHERE {
  VALUES ?property { pkg:labelSource pkg:descriptionSource pkg:headingSource }
  ?node ?property ?resource .
  ?resource oa:hasSource ?file ; oa:hasSelector ?p , ?q .
  ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?q a oa:TextQuoteSelector ; oa:exact ?exact .
}
"""


def file_text(file_iri: URIRef) -> str:
    name = str(file_iri).rsplit("/", 1)[-1]
    return (ROOT / "data" / "sources" / name).read_text("utf-8")


def test_every_span_gives_back_the_nodes_text(assembly: Assembly) -> None:
    graph = union_graph(assembly.dataset)
    texts: dict[tuple[URIRef, URIRef], list[tuple[int, str]]] = {}
    rows = list(graph.query(SPANS, initNs={"pkg": PKG}))
    assert len(rows) > sum(kind_totals(ROOT).values())
    for node, prop, resource, file, start, end, exact in rows:
        cut = file_text(file)[int(start) : int(end)]
        assert cut == str(exact), resource
        number = int(str(resource).rsplit("/", 1)[-1])
        texts.setdefault((node, prop), []).append((number, cut))
    for (node, prop), parts in texts.items():
        joined = collapse(" ".join(cut for _, cut in sorted(parts)))
        if prop == PKG.labelSource:
            labels = [o for o in graph.objects(node, SKOS.prefLabel)
                      if isinstance(o, Literal) and collapse(str(o)) == joined]
            assert len(labels) == 1, node
        elif prop == PKG.descriptionSource:
            (description,) = graph.objects(node, DCTERMS.description)
            assert collapse(str(description)) == joined, node
        else:
            assert joined.startswith("OBJECTIF"), node
            (notation,) = graph.objects(node, SKOS.notation)
            assert joined.endswith(str(notation))


def test_every_item_has_a_source_span(assembly: Assembly) -> None:
    graph = union_graph(assembly.dataset)
    # the items of the documents (not the SDGs of the reference layer, nor the 2017 goals)
    items = {s for s in graph.subjects(SKOS.inScheme, None)
             if str(s).startswith(str(ID)) and (s, RDF.type, PKG.FormerGoal) not in graph}
    assert len(items) == sum(kind_totals(ROOT).values())  # tests/expected/items.toml
    with_span = {n for n in items if any(
        graph.objects(n, p) for p in (PKG.labelSource, PKG.headingSource))}
    assert with_span == items


def test_spans_use_code_point_offsets(assembly: Assembly) -> None:
    """Offsets count characters, not bytes: the first 'É' of 004 is one position wide."""
    graph = union_graph(assembly.dataset)
    node = URIRef("https://w3id.org/policing-kg/id/gpg-2023/goal/1/source/label/1/position")
    start = int(next(graph.objects(node, OA.start)))
    end = int(next(graph.objects(node, OA.end)))
    text = file_text(URIRef("x/004_da3c5f2f6630bbbe.txt"))
    assert text[start:end].startswith("PERMETTRE À LA")
    assert len(text[start:end].encode("utf-8")) > end - start
