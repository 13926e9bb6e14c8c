"""One converter of RDF terms between rdflib (the graph builder) and pyoxigraph (the store).

>>> from rdflib import Literal, URIRef
>>> to_oxigraph(Literal("2", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")))
<Literal value=2 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
>>> to_rdflib(to_oxigraph(Literal("texte", lang="fr")))
rdflib.term.Literal('texte', lang='fr')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

__all__ = ["to_oxigraph", "to_rdflib", "graph_of_quads", "oxigraph_store", "quads_of_graph",
           "XSD_STRING"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to a pyoxigraph term (blank nodes keep their label)."""
    if isinstance(term, URIRef):
        try:
            return ox.NamedNode(str(term))
        except ValueError as exc:  # rdflib only warns about an IRI that pyoxigraph refuses
            from policing_kg.common.text import clean
            from policing_kg.errors import PolicingKGError

            raise PolicingKGError(f"{clean(str(term), 80)!r} is not a valid IRI "
                                  f"({clean(str(exc), 80)})",
                                  hint="percent-encode the characters an IRI may not hold "
                                  "(a space is %20, a double quote %22)") from None
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: Any, blank_prefix: str = "") -> Node:
    """Convert a pyoxigraph term to an rdflib term (``blank_prefix`` keeps files' blanks apart).

    A simple literal becomes an rdflib literal without datatype: RDF 1.1 reads both as
    ``xsd:string``, and rdflib compares them as different terms otherwise.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(blank_prefix + term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        # as written: rdflib would otherwise rewrite "01"^^xsd:integer as "1"
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"not a term rdflib can hold: {term!r}")


def graph_of_quads(quads: Iterable[Any], blank_prefix: str = "b") -> Graph:
    """Return the union of pyoxigraph quads (or triples) as one rdflib graph."""
    graph = Graph()
    for quad in quads:
        graph.add((to_rdflib(quad.subject, blank_prefix), to_rdflib(quad.predicate, blank_prefix),
                   to_rdflib(quad.object, blank_prefix)))
    return graph


def quads_of_graph(graph: Graph) -> list[ox.Quad]:
    """Return an rdflib graph's triples as pyoxigraph quads in the default graph."""
    return [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
            for s, p, o in graph]


def oxigraph_store(graph: Graph) -> ox.Store:
    """Load an rdflib graph into a new in-memory pyoxigraph store (default graph)."""
    store = ox.Store()
    store.bulk_extend(quads_of_graph(graph))
    return store
