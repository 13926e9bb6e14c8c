"""OWL reasoning with owlready2 and HermiT: is the ontology with its data consistent.

HermiT runs on Java (17 or later). Pellet, as bundled with owlready2 0.50/0.51, needs a newer
Java than Debian 12 ships, so HermiT is the reasoner here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, Graph, Literal
from rdflib.collection import Collection
from rdflib.term import Node

from policing_kg.errors import PolicingKGError

__all__ = [
    "Consistency",
    "ReasonerUnavailable",
    "check_consistency",
    "explain_inconsistency",
    "hermit_links",
]


class ReasonerUnavailable(PolicingKGError):
    """The reasoner cannot run here (no Java)."""


@dataclass(frozen=True)
class Consistency:
    """The reasoner's verdict, with its explanation when the graph is inconsistent."""

    consistent: bool
    explanation: str = ""
    triples: int = 0


@contextmanager
def _hermit(graph: Graph, java: str | None, *, infer_links: bool) -> Iterator[Any]:
    """Load ``graph`` into a fresh owlready2 world and run HermiT on it; yield the world.

    Raises owlready2's ``OwlReadyInconsistentOntologyError`` when the graph is inconsistent.
    """
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
        here = os.getcwd() if os.path.isdir(".") else None
        # HermiT makes its default base IRI from the working folder, and fails in "/"
        os.chdir(directory)
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, infer_property_values=infer_links, debug=0)
            yield world
        except owlready2.OwlReadyJavaError as exc:
            detail = " ".join(str(exc).split())[-200:]
            raise ReasonerUnavailable(f"HermiT failed: {detail}",
                                      hint="check the Java runtime (java -version), or build "
                                      "with --skip-reasoner") from None
        finally:
            world.close()
            if here is not None:
                os.chdir(here)


def check_consistency(graph: Graph, *, java: str | None = None) -> Consistency:
    """Load ``graph`` (ontology + data) into owlready2 and ask HermiT whether it is consistent."""
    import owlready2

    try:
        with _hermit(graph, java, infer_links=False):
            pass
    except owlready2.OwlReadyInconsistentOntologyError:
        return Consistency(False, explain_inconsistency(graph), len(graph))
    return Consistency(True, "", len(graph))


def hermit_links(graph: Graph, properties: set[str], *, java: str | None = None
                 ) -> set[tuple[str, str, str]]:
    """Return the links of ``properties`` that HermiT infers and ``graph`` does not state."""
    stated = {(str(s), str(p), str(o)) for s, p, o in graph if str(p) in properties}
    with _hermit(graph, java, infer_links=True) as world:
        found = {(str(s), str(p), str(o)) for s, p, o in world.as_rdflib_graph()
                 if str(p) in properties and not isinstance(o, Literal)}
    return {link for link in found - stated if link[0] != link[2]}


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
    # the classes each individual is stated to have, or gets from a property's domain or range
    given: dict[Node, dict[Node, str]] = {}
    for s, o in graph.subject_objects(RDF.type):
        given.setdefault(s, {})[o] = "stated"
    for prop, domain in graph.subject_objects(RDFS.domain):
        for s in graph.subjects(prop, None):
            given.setdefault(s, {}).setdefault(domain, f"the domain of {prop}")
    for prop, range_ in graph.subject_objects(RDFS.range):
        for o in graph.objects(None, prop):
            if not isinstance(o, Literal):
                given.setdefault(o, {}).setdefault(range_, f"the range of {prop}")
    for individual in sorted(given, key=str):
        classes: dict[Node, str] = {}
        for cls, why in given[individual].items():
            for sup in graph.transitive_objects(cls, RDFS.subClassOf):
                if sup is not None:
                    classes.setdefault(sup, why)
        for pair in sorted(pairs, key=lambda p: sorted(map(str, p))):
            if pair <= set(classes):
                a, b = sorted(pair, key=str)
                reasons = sorted({classes[a], classes[b]} - {"stated"})
                because = f" (from {' and '.join(reasons)})" if reasons else ""
                return (f"{individual} is both a {a} and a {b}, which are disjoint{because}")
    return "the ontology and its data are inconsistent (HermiT gave no detail)"
