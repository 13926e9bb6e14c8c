"""No node of the release is out of every shape's reach.

SHACL checks only the nodes its shapes target: a class that no shape targets is a hole (the 2017
goals and their concept scheme were one, and a second English label on them passed). This lists
every class of the release's nodes in the project's namespaces and fails on one whose nodes no
``sh:targetClass`` reaches, directly or through ``rdfs:subClassOf`` in the data, as the engine
applies it.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import SH

from policing_kg.checks.shacl import load_shapes
from policing_kg.common.iris import BASE
from policing_kg.release.build import BuildResult

from ..conftest import ROOT

_CLASSES = """
    SELECT DISTINCT ?node ?class WHERE {
        ?node a ?class .
        FILTER (isIRI(?node) && STRSTARTS(STR(?node), "%s"))
    }
"""
_SUPERCLASSES = """
    SELECT DISTINCT ?class ?super WHERE {
        ?node a ?class . ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?super .
    }
"""


def release_classes(dist: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Return each class of the project's nodes with its nodes, and each class's superclasses."""
    store = ox.Store()
    store.load(path=str(dist / "policing-kg.nq"), format=ox.RdfFormat.N_QUADS)
    nodes: dict[str, set[str]] = {}
    rows = store.query(_CLASSES % BASE, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        nodes.setdefault(row["class"].value, set()).add(row["node"].value)
    supers: dict[str, set[str]] = {}
    rows = store.query(_SUPERCLASSES, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        supers.setdefault(row["class"].value, {row["class"].value}).add(row["super"].value)
    return nodes, supers


def untargeted(dist: Path) -> dict[str, list[str]]:
    """Return each class whose nodes (some of them) no shape targets, with a few such nodes."""
    shapes = load_shapes(ROOT / "shapes")
    targets = {str(c) for c in shapes.objects(None, SH.targetClass) if isinstance(c, URIRef)}
    nodes, supers = release_classes(dist)
    types: dict[str, set[str]] = {}
    for cls, members in nodes.items():
        for node in members:
            types.setdefault(node, set()).add(cls)

    def reached(node: str) -> bool:
        return any(supers.get(cls, {cls}) & targets for cls in types[node])

    return {cls: sorted(n for n in members if not reached(n))[:3]
            for cls, members in sorted(nodes.items()) if not all(map(reached, members))}


def test_every_class_of_the_release_is_targeted_by_a_shape(
        release: tuple[Path, BuildResult]) -> None:
    nodes, _ = release_classes(release[0])
    assert len(nodes) > 20, sorted(nodes)  # the listing itself works
    assert untargeted(release[0]) == {}
