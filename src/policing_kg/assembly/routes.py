"""The routes of the inferred links: which links each one chains, how strong it is, in words.

Every link the ontology's property chains infer (:mod:`.inference`) gets one SSSOM record in
the ``inferred`` graph, beside the curated records of the ``mappings`` graph, so that every
link of the release, asserted or inferred, is a ``sssom:Mapping`` with a subject, predicate,
object, justification, author, confidence and reason. An inferred record is justified by
``semapv:MappingChaining``; ``prov:wasDerivedFrom`` names the records of the links it chains
(curated rows, or other inferred records); its ``rdfs:comment`` gives each route in words, in
English and French, strongest first.

The confidence rule: a route is as strong as its weakest link (the document's own structure,
"goal 3 includes statement 3.1", is certain and does not weaken it); a link reached by several
routes is as strong as its strongest route. So ``fcac-2022 serves goal 5 (0.95)`` and ``goal 5
contributes to SDG target 16.5 (0.95)`` make ``fcac-2022 contributes to 16.5`` at 0.95.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from policing_kg.assembly.inference import REASONING, rules_from_ontology, sub_properties
from policing_kg.assembly.names import Names
from policing_kg.common.iris import BASE, ID, PKG
from policing_kg.curation.mappings import (
    NO_TERM_FOUND,
    SEMAPV,
    SSSOM,
    MappingSet,
    mapping_key,
    mapping_node,
)

__all__ = ["Route", "Step", "INFERRED_SET", "inferred_record", "find_routes", "route_words",
           "route_triples", "confidence_text", "STRUCTURE_WORDS"]

#: The mapping set of the inferred records.
INFERRED_SET = BASE + "mappings/inferred"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
#: How the document's own structure reads in a route (the chain's first step).
STRUCTURE_WORDS = {
    _SKOS + "narrower": ("includes", "comprend"),
    _SKOS + "broader": ("is part of", "fait partie de"),
    _SKOS + "hasTopConcept": ("has", "comprend"),
}
_WHICH = {"en": ", which ", "fr": ", qui "}
_OR = {"en": "; or: ", "fr": " ; ou : "}


@dataclass(frozen=True)
class Step:
    """One step of a route: a link (with its confidence) or the document's structure."""

    subject: str
    predicate: str
    object: str
    #: the link's confidence; ``None`` for a step of the document's structure
    confidence: float | None
    inferred: bool = False


@dataclass(frozen=True)
class Route:
    """How one inferred link follows: the steps it chains, through ``via``."""

    subject: str
    predicate: str
    object: str
    via: str
    steps: tuple[Step, ...]

    @property
    def confidence(self) -> float:
        """The weakest link of the route (the document's structure counts as certain)."""
        return min((s.confidence for s in self.steps if s.confidence is not None), default=1.0)


def inferred_record(subject: str, predicate: str, obj: str) -> str:
    """Return the IRI of an inferred link's SSSOM record."""
    local = predicate.rsplit("#", 1)[-1]
    return f"{BASE}mapping/inferred/{mapping_key(subject)}/{local}/{mapping_key(obj)}"


def confidence_text(value: float, lang: str = "en") -> str:
    """Write a confidence as people read it: ``0.95`` (``0,95`` in French)."""
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "fr" else text


def find_routes(store: Any, ontology: Graph, inferred: Iterable[tuple[str, str, str]],
                asserted: dict[tuple[str, str, str], float]) -> dict[tuple[str, str, str],
                                                                      list[Route]]:
    """Return every route of every inferred link, strongest first.

    Return every route of every inferred link, strongest first, from a store that holds the
    graph with its inferred links (union of graphs); ``asserted`` gives each curated link's
    confidence (the strongest where a link is stated twice).
    """
    inferred = set(inferred)
    crosswalk = set(sub_properties(ontology, PKG.crosswalkRelation))
    found: dict[tuple[str, str, str], list[tuple[str, tuple[tuple[str, str, str], ...]]]] = \
        defaultdict(list)
    for rule in rules_from_ontology(ontology):
        alternatives = [sub_properties(ontology, URIRef(step.lstrip("^"))) for step in rule.chain]
        if len(rule.chain) == 1:  # a symmetric property: (x p y) from (y p x)
            for x, y in _pairs(store, alternatives[0]):
                if (y, rule.head, x) in inferred:
                    found[(y, rule.head, x)].append(("", ((x, rule.head, y),)))
            continue
        first, second = alternatives
        by_start: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for prop in second:
            for m, y in _pairs(store, [prop]):
                by_start[m].append((prop, y))
        for prop in first:
            for x, m in _pairs(store, [prop]):
                for prop2, y in by_start.get(m, []):
                    if (x, rule.head, y) in inferred and x != y:
                        found[(x, rule.head, y)].append((m, ((x, prop, m), (m, prop2, y))))
    strength = _strengths(found, asserted, inferred)
    routes: dict[tuple[str, str, str], list[Route]] = {}
    for link, derivations in found.items():
        made = []
        for via, triples in sorted(set(derivations)):
            steps = tuple(Step(s, p, o, None if p not in crosswalk else
                               strength.get((s, p, o), asserted.get((s, p, o), 1.0)),
                               (s, p, o) in inferred) for s, p, o in triples)
            made.append(Route(*link, via, steps))
        routes[link] = sorted(made, key=lambda r: -r.confidence)
    return routes


def _pairs(store: Any, properties: Sequence[str]) -> list[tuple[str, str]]:
    values = " ".join(f"<{p}>" for p in properties)
    query = f"SELECT ?x ?y WHERE {{ VALUES ?p {{ {values} }} ?x ?p ?y . FILTER isIRI(?y) }}"
    return sorted((r["x"].value, r["y"].value)
                  for r in store.query(query, use_default_graph_as_union=True))


def _strengths(found: dict[tuple[str, str, str], list[tuple[str, tuple[tuple[str, str, str],
                                                                        ...]]]],
               asserted: dict[tuple[str, str, str], float],
               inferred: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], float]:
    """Each inferred link's confidence (max over routes of min over links), to a fixpoint."""
    strength = {link: 0.0 for link in found}

    def of(triple: tuple[str, str, str]) -> float:
        if triple in inferred:
            return strength.get(triple, 0.0)
        return asserted.get(triple, 1.0)  # the document's structure: certain

    changed = True
    while changed:
        changed = False
        for link, derivations in found.items():
            best = max(min(of(t) for t in triples) for _, triples in derivations)
            if best > strength[link]:
                strength[link] = best
                changed = True
    return strength


def route_words(route: Route, names: Names, lang: str = "en") -> str:
    """Write one route in words.

    One route in words: ``Financial Crime and Anti-Corruption strategy serves goal 5 (0.95),
    which contributes to SDG target 16.5 (0.95)``.
    """
    parts = []
    for number, step in enumerate(route.steps):
        verb = _verb(step.predicate, names, lang)
        subject = names.name(step.subject, lang, article=True) if number == 0 else ""
        obj = names.name(step.object, lang, within=step.subject, article=True)
        text = f"{subject} {verb} {obj}".strip()
        if step.confidence is not None:
            mark = ("inferred, " if lang == "en" else "inféré, ") if step.inferred else ""
            text += f" ({mark}{confidence_text(step.confidence, lang)})"
        parts.append(text)
    return names.sentence(_WHICH[lang].join(parts))


#: Verbs for a sentence where the property's label does not read as one.
_VERBS = {str(PKG.contributesToSDG): ("contributes to", "contribue à"),
          str(PKG.revisedAs): ("was revised as", "a été révisé en")}


def _verb(predicate: str, names: Names, lang: str) -> str:
    index = 0 if lang == "en" else 1
    if predicate in STRUCTURE_WORDS:
        return STRUCTURE_WORDS[predicate][index]
    if predicate in _VERBS:
        return _VERBS[predicate][index]
    return names.property_labels.get((predicate, lang)) or predicate.rsplit("#", 1)[-1]


def route_triples(routes: dict[tuple[str, str, str], list[Route]], sets: Sequence[MappingSet],
                  names: Names) -> list[tuple[Any, Any, Any]]:
    """Return the inferred records (``sssom:Mapping``, in their set), each with its routes."""
    sssom = SSSOM
    records: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for mapping_set in sets:
        for m in mapping_set.mappings:
            if m.object != NO_TERM_FOUND:
                records[(m.subject, m.predicate, m.object)].append(
                    mapping_node(mapping_set, m))
    for link in routes:
        records[link] = [inferred_record(*link)]
    set_node = URIRef(INFERRED_SET)
    triples: list[tuple[Any, Any, Any]] = [
        (set_node, RDF.type, URIRef(sssom + "MappingSet")),
        (set_node, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")),
        (set_node, DCTERMS.title, Literal("Inferred links", lang="en")),
        (set_node, DCTERMS.description, Literal(
            "Every link that the ontology's property chains infer from the curated mapping "
            "sets and the documents' structure, with the links it chains (prov:wasDerivedFrom) "
            "and its routes in words. A route is as strong as its weakest link; a link reached "
            "by several routes is as strong as its strongest route.", lang="en")),
        (set_node, DCTERMS.source, Literal("policing-kg build (owl:propertyChainAxiom)")),
        (set_node, PROV.wasGeneratedBy, REASONING),
    ]
    project = URIRef(str(ID) + "agent/policing-kg")
    for link in sorted(routes):
        made = routes[link]
        node = URIRef(inferred_record(*link))
        s, p, o = link
        triples += [
            (set_node, URIRef(sssom + "mappings"), node),
            (node, RDF.type, URIRef(sssom + "Mapping")),
            (node, URIRef(sssom + "subject_id"), URIRef(s)),
            (node, URIRef(sssom + "predicate_id"), URIRef(p)),
            (node, URIRef(sssom + "object_id"), URIRef(o)),
            (node, URIRef(sssom + "mapping_justification"), URIRef(SEMAPV + "MappingChaining")),
            (node, URIRef(sssom + "author_id"), project),
            (node, PROV.wasAttributedTo, project),
            (node, PROV.wasGeneratedBy, REASONING),
            (node, URIRef(sssom + "confidence"), Literal(str(made[0].confidence),
                                                         datatype=XSD.double)),
        ]
        for lang in ("en", "fr"):
            words = _OR[lang].join(route_words(route, names, lang) for route in made)
            triples.append((node, RDFS.comment, Literal(words, lang=lang)))
        for route in made:
            for step in route.steps:
                for record in records.get((step.subject, step.predicate, step.object), []):
                    triples.append((node, PROV.wasDerivedFrom, URIRef(record)))
    return triples
