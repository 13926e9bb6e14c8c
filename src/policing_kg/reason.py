"""OWL reasoning with owlready2 and HermiT: is the ontology with its data consistent.

HermiT runs on Java (17 or later). Pellet, as bundled with owlready2 0.50/0.51, needs a newer
Java than Debian 12 ships, so HermiT is the reasoner here.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph
from rdflib.collection import Collection
from rdflib.term import Node

from policing_kg.errors import PolicingKGError

__all__ = ["Consistency", "ReasonerUnavailable", "check_consistency", "explain_inconsistency"]


class ReasonerUnavailable(PolicingKGError):
    """The reasoner cannot run here (no Java)."""


@dataclass(frozen=True)
class Consistency:
    """The reasoner's verdict, with its explanation when the graph is inconsistent."""

    consistent: bool
    explanation: str = ""
    triples: int = 0


def check_consistency(graph: Graph, *, java: str | None = None) -> Consistency:
    """Load ``graph`` (ontology + data) into owlready2 and ask HermiT whether it is consistent."""
    java = java or shutil.which("java")
    if java is None:
        raise ReasonerUnavailable("Java was not found, and HermiT needs it",
                                  hint="install a Java runtime (Debian: openjdk-17-jre-headless) "
                                  "or build with --skip-reasoner")
    import owlready2  # heavy: imported only when reasoning

    owlready2.JAVA_EXE = java
    with tempfile.TemporaryDirectory(prefix="policing-kg-reason-") as directory:
        path = Path(directory) / "graph.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            del exc
            return Consistency(False, explain_inconsistency(graph), len(graph))
        finally:
            world.close()
    return Consistency(True, "", len(graph))


def _disjoint_pairs(graph: Graph) -> set[frozenset[Node]]:
    pairs: set[frozenset[Node]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        pairs.add(frozenset((a, b)))
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        head = graph.value(axiom, OWL.members)
        if head is None:
            continue
        members = list(Collection(graph, head))
        pairs.update(frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1 :])
    return pairs


def explain_inconsistency(graph: Graph) -> str:
    """Name an individual that belongs to two disjoint classes, the usual cause here."""
    pairs = _disjoint_pairs(graph)
    for individual in sorted(set(graph.subjects(RDF.type, None)), key=str):
        classes: set[Node] = set()
        for asserted in graph.objects(individual, RDF.type):
            classes.update(c for c in graph.transitive_objects(asserted, RDFS.subClassOf)
                           if c is not None)
        for pair in sorted(pairs, key=lambda p: sorted(map(str, p))):
            if pair <= classes:
                a, b = sorted(map(str, pair))
                return f"{individual} is both a {a} and a {b}, which are disjoint"
    return "the ontology and its data are inconsistent (HermiT gave no detail)"
