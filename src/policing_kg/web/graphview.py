"""The release read for pages: every quad indexed by subject and by object.

Each quad keeps the layer (named graph) it comes from; a node gets what people need to name
it (its best label, its kind).

Built once from the release's N-Quads dump in one pass, so that a site of n nodes is written in
time linear in the size of the graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyoxigraph as ox

from policing_kg.common.iris import BASE, PREFIXES, SDG
from policing_kg.common.sorting import natural_key

__all__ = ["GraphView", "Statement", "LAYER_NAMES", "layer_of", "CROSSWALK_ROOT"]

RDF_TYPE = PREFIXES["rdf"] + "type"
SKOS = PREFIXES["skos"]
RDFS = PREFIXES["rdfs"]
DCTERMS = PREFIXES["dcterms"]
PKG = BASE + "ontology#"
SSSOM = "https://w3id.org/sssom/"
CROSSWALK_ROOT = PKG + "crosswalkRelation"
GRAPH = BASE + "graph/"

#: What each layer is, for people (the marks shown beside every value).
LAYER_NAMES = {
    "document": "source text",
    "translations": "translation",
    "editorial": "editorial",
    "reference": "official",
    "mappings": "curated mapping",
    "inferred": "inferred",
    "ontology": "ontology",
    "queries": "query catalogue",
}


def layer_of(graph: str) -> str:
    """Return the layer of a named graph IRI: ``document``, ``translations``, ``inferred``."""
    tail = graph.removeprefix(GRAPH)
    return tail.split("/", 1)[0]


@dataclass(frozen=True)
class Statement:
    """One quad, as a page shows it: the other end, and the layer it comes from."""

    subject: Any
    predicate: str
    object: Any
    graph: str

    @property
    def layer(self) -> str:
        """The layer (see :data:`LAYER_NAMES`)."""
        return layer_of(self.graph)


def _value(term: Any) -> str:
    return str(getattr(term, "value", term))


class GraphView:
    """Every quad of a release, by subject and by object, with labels and kinds."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.out: dict[Any, list[Statement]] = defaultdict(list)
        self.into: dict[Any, list[Statement]] = defaultdict(list)
        self.triples = 0
        for quad in quads:
            graph = _value(quad.graph_name)
            statement = Statement(quad.subject, quad.predicate.value, quad.object, graph)
            self.out[quad.subject].append(statement)
            if not isinstance(quad.object, ox.Literal):
                self.into[quad.object].append(statement)
            self.triples += 1

    # --- reading -------------------------------------------------------------------------
    def values(self, node: Any, predicate: str) -> list[Any]:
        """Return the objects of ``node predicate ?o``, each once, in the order of the release."""
        seen: dict[Any, None] = {}
        for statement in self.out.get(node, ()):
            if statement.predicate == predicate:
                seen.setdefault(statement.object, None)
        return list(seen)

    def value(self, node: Any, predicate: str) -> Any | None:
        """Return the first object of ``node predicate ?o``, or None."""
        found = self.values(node, predicate)
        return found[0] if found else None

    def subjects(self, predicate: str, node: Any) -> list[Any]:
        """Return the subjects of ``?s predicate node``, each once."""
        seen: dict[Any, None] = {}
        for statement in self.into.get(node, ()):
            if statement.predicate == predicate:
                seen.setdefault(statement.subject, None)
        return list(seen)

    def types(self, node: Any) -> list[str]:
        """Return the node's classes (IRIs), each once."""
        return [t.value for t in self.values(node, RDF_TYPE) if isinstance(t, ox.NamedNode)]

    def instances(self, cls: str) -> list[Any]:
        """Return the nodes typed ``cls``, in natural order of their IRIs."""
        return sorted(self.subjects(RDF_TYPE, ox.NamedNode(cls)),
                      key=lambda n: natural_key(_value(n)))

    def nodes(self) -> list[Any]:
        """Every subject that is an IRI, in natural order."""
        return sorted((n for n in self.out if isinstance(n, ox.NamedNode)),
                      key=lambda n: natural_key(n.value))

    # --- naming --------------------------------------------------------------------------
    def label(self, node: Any, language: str = "en") -> str:
        """Return the node's name for people: a label in ``language``, else any, else its id."""
        for predicate in (SKOS + "prefLabel", RDFS + "label", DCTERMS + "title",
                          "http://xmlns.com/foaf/0.1/name"):
            labels = [v for v in self.values(node, predicate) if isinstance(v, ox.Literal)]
            for wanted in (language, "fr" if language == "en" else "en", None):
                for literal in labels:
                    if wanted is None or literal.language == wanted:
                        return str(literal.value)
        notation = self.value(node, SKOS + "notation")
        if notation is not None and _value(node).startswith(SDG):
            return f"SDG {notation.value}"
        return short_name(_value(node))

    def kind(self, node: Any) -> str:
        """Return the label of the node's most specific class that has one."""
        names = []
        for cls in self.types(node):
            label = self.label_of_class(cls)
            if label:
                names.append(label)
        return names[-1] if names else ""

    def label_of_class(self, cls: str) -> str:
        """Return the English label of a class (the ontology's or a reused one), or ''."""
        node = ox.NamedNode(cls)
        for literal in self.values(node, RDFS + "label"):
            if isinstance(literal, ox.Literal) and literal.language in ("en", None):
                return str(literal.value)
        return ""

    def notation(self, node: Any) -> str:
        """Return the source's numbering of the node (``3.2``), or ''."""
        found = [v for v in self.values(node, SKOS + "notation") if isinstance(v, ox.Literal)]
        for literal in found:  # the UN's compact code (16.4), not the padded one (16.04)
            if literal.datatype.value.endswith("Compact"):
                return str(literal.value)
        return str(found[0].value) if found else ""

    def numbered(self, node: Any) -> str:
        """Return the node's notation and label (``3.2. Strengthen cooperation…``)."""
        notation = self.notation(node)
        return f"{notation}. {self.label(node)}" if notation else self.label(node)

    def position(self, node: Any) -> tuple[object, ...]:
        """Return a sort key in the document's reading order (position, then notation, then IRI)."""
        found = self.value(node, PKG + "position")
        rank = int(found.value) if found is not None and found.value.isdigit() else 10 ** 9
        return (rank, natural_key(self.notation(node)), natural_key(_value(node)))

    def ordered(self, nodes: Iterable[Any]) -> list[Any]:
        """Nodes in reading order."""
        return sorted(nodes, key=self.position)

    # --- the ontology --------------------------------------------------------------------
    @cached_property
    def crosswalk_properties(self) -> frozenset[str]:
        """``pkg:crosswalkRelation`` and every property below it."""
        found = {CROSSWALK_ROOT}
        changed = True
        while changed:
            changed = False
            for statement in self._all_with(RDFS + "subPropertyOf"):
                if _value(statement.object) in found and _value(statement.subject) not in found:
                    found.add(_value(statement.subject))
                    changed = True
        return frozenset(found)

    def _all_with(self, predicate: str) -> list[Statement]:
        return [s for statements in self.out.values() for s in statements
                if s.predicate == predicate]

    def mapping_of(self, subject: Any, predicate: str, obj: Any) -> Any | None:
        """Return the ``sssom:Mapping`` node that records a link, or None."""
        for candidate in self.subjects(SSSOM + "subject_id", subject):
            if ox.NamedNode(predicate) in self.values(candidate, SSSOM + "predicate_id") \
                    and obj in self.values(candidate, SSSOM + "object_id"):
                return candidate
        return None


def short_name(iri: str) -> str:
    """Return an IRI without the project's namespace (``gpg-2023/goal/3``), or a CURIE."""
    for prefix, namespace in (("", BASE + "id/"), ("sdg:", SDG), ("pkg:", PKG),
                              ("semapv:", "https://w3id.org/semapv/vocab/"), ("sssom:", SSSOM)):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return prefix + iri[len(namespace):]
    if iri.startswith(BASE):
        return iri[len(BASE):]
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda pn: -len(pn[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def sort_statements(statements: Sequence[Statement]) -> list[Statement]:
    """Statements in a stable order for pages: predicate, then object, then graph."""
    return sorted(statements, key=lambda s: (natural_key(s.predicate), natural_key(_value(
        s.object)), natural_key(_value(s.subject)), s.graph))


__all__ += ["short_name", "sort_statements", "RDF_TYPE", "SKOS", "RDFS", "DCTERMS", "PKG",
            "SSSOM"]
