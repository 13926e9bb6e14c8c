"""Inferred links: the ontology's property chains and symmetric properties, materialised.

The rules are read from the ontology (``owl:propertyChainAxiom``, ``owl:SymmetricProperty``,
sub-properties for the chain steps) and applied with SPARQL on pyoxigraph until nothing new
follows. This scales where a description-logic reasoner does not; on the real graph a test
checks that HermiT (``reason.hermit_links``) infers exactly the same links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection

from policing_kg.common.iris import ID, PKG

__all__ = [
    "Rule", "rules_from_ontology", "materialise", "materialise_store", "REASONING",
    "inferred_layer", "sub_properties",
]

#: The activity that produced the inferred graph, for its provenance.
REASONING = URIRef(ID + "activity/materialise-chains")


@dataclass(frozen=True)
class Rule:
    """``head`` holds between x and y when the chain of properties leads from x to y."""

    head: str
    chain: tuple[str, ...]


def sub_properties(ontology: Graph, prop: URIRef) -> list[str]:
    """Return ``prop`` and every property below it (``rdfs:subPropertyOf``, transitively)."""
    found = {prop}
    grown = True
    while grown:
        grown = False
        for sub in list(ontology.subjects(RDFS.subPropertyOf, None)):
            if ontology.value(sub, RDFS.subPropertyOf) in found and sub not in found:
                found.add(sub)  # type: ignore[arg-type]
                grown = True
    return sorted(str(p) for p in found)


def rules_from_ontology(ontology: Graph) -> list[Rule]:
    """Read the chain axioms (and symmetric properties) of the ontology as rules."""
    rules = []
    for head, chain in ontology.subject_objects(OWL.propertyChainAxiom):
        steps = tuple(str(step) for step in Collection(ontology, chain))
        rules.append(Rule(str(head), steps))
    for prop in ontology.subjects(RDF.type, OWL.SymmetricProperty):
        rules.append(Rule(str(prop), ("^" + str(prop),)))
    return sorted(rules, key=lambda r: (r.head, r.chain))


def _step(ontology: Graph, step: str) -> str:
    if step.startswith("^"):
        return f"^<{step[1:]}>"
    alternatives = sub_properties(ontology, URIRef(step))
    return "(" + "|".join(f"<{p}>" for p in alternatives) + ")"


def materialise(graph: Graph, ontology: Graph) -> set[tuple[str, str, str]]:
    """Return the links the rules add to ``graph`` (not those it already has), to a fixpoint."""
    from policing_kg.common.terms import oxigraph_store

    return materialise_store(oxigraph_store(graph), ontology)


def materialise_store(store: object, ontology: Graph) -> set[tuple[str, str, str]]:
    """Return the links the rules add to the graph in a pyoxigraph store, to a fixpoint.

    All the store's named graphs are read as one; the links found are added to its default
    graph.
    """
    import pyoxigraph as ox

    assert isinstance(store, ox.Store)
    queries = []
    for rule in rules_from_ontology(ontology):
        path = "/".join(_step(ontology, step) for step in rule.chain)
        queries.append((rule.head, f"SELECT DISTINCT ?x ?y WHERE {{ ?x {path} ?y . "
                                    f"FILTER NOT EXISTS {{ ?x <{rule.head}> ?y }} "
                                    "FILTER (?x != ?y) }"))
    inferred: set[tuple[str, str, str]] = set()
    while True:
        new = []
        for head, query in queries:
            for solution in store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
                x, y = solution["x"], solution["y"]
                if isinstance(x, ox.NamedNode) and isinstance(y, ox.NamedNode):
                    new.append((x.value, head, y.value))
        if not new:
            return inferred
        for s, p, o in new:
            store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)))
            inferred.add((s, p, o))


def inferred_layer(links: Iterable[tuple[str, str, str]]) -> list[tuple[object, object, object]]:
    """Return the inferred graph's triples: the links, and how they were inferred."""
    from rdflib import Literal
    from rdflib.namespace import PROV

    from policing_kg.common.iris import graph_iri

    graph = graph_iri("inferred")
    triples: list[tuple[object, object, object]] = [
        (URIRef(s), URIRef(p), URIRef(o)) for s, p, o in sorted(links)]
    triples += [
        (graph, RDF.type, PROV.Entity),
        (graph, PROV.wasGeneratedBy, REASONING),
        (REASONING, RDF.type, PROV.Activity),
        (REASONING, RDFS.comment, Literal(
            "Links inferred from the crosswalk mappings by the ontology's property chains "
            "(owl:propertyChainAxiom) and symmetric properties, materialised with SPARQL; "
            "HermiT (owlready2) infers the same links (tested). Not stated by any source or "
            "mapping set.", lang="en")),
        (REASONING, PROV.used, URIRef(str(PKG).rstrip("#"))),
    ]
    return triples
