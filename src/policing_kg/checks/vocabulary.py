"""The closed world of the project's own namespaces, for contributions and for the build.

SHACL checks only the nodes its shapes target: a contribution that misspells a class
(``pkg:GoalStatment``) switches validation off for that node, and one that names an item that
does not exist (``gpg-2023/goal/3/statement/42``) passes. Here:

- every ``pkg:`` term a file uses must be a class or property that the ontology defines, and
  only the ontology (``ontology/policing-kg.ttl``) may say anything about those terms;
- every other IRI under ``https://w3id.org/policing-kg/`` that a contribution mentions must be
  in the release, or be introduced in the contribution with a class the ontology or the
  release knows (a new document, a new label node);
- every SDG IRI (``http://metadata.un.org/sdg/…``) must be one the release holds: the UN has
  no target 16.11;
- a node outside those namespaces that a contribution describes must be one the release holds
  or one that the project's nodes link to: anything else is unrelated to the graph.

Each problem names the nearest known term ("did you mean pkg:GoalStatement?").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from policing_kg.common.iris import BASE, PKG

__all__ = ["Vocabulary", "TermProblem", "check_terms", "undefined_terms", "unrelated_nodes",
           "walk_terms", "statements", "undefined_problems", "unrelated_problems",
           "unknown_problems"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PKG = str(PKG)
_SDG = "http://metadata.un.org/sdg/"
_SDG_ONTOLOGY = _SDG + "ontology#"
_CLASS_TYPES = {"http://www.w3.org/2002/07/owl#Class", "http://www.w3.org/2000/01/rdf-schema#Class"}
_PROPERTY_TYPES = {
    "http://www.w3.org/2002/07/owl#ObjectProperty", "http://www.w3.org/2002/07/owl#DatatypeProperty",
    "http://www.w3.org/2002/07/owl#AnnotationProperty",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property",
}
_DATATYPE = "http://www.w3.org/2000/01/rdf-schema#Datatype"
RULE = BASE + "shapes#Vocabulary"


@dataclass(frozen=True)
class TermProblem:
    """A use of a term the project's namespaces do not know."""

    focus: str  # the node the problem is about
    term: str  # the IRI at fault (where the file is searched for its line)
    path: str  # the predicate, where the problem is a statement's
    message: str
    rule: str


def walk_terms(term: Any) -> Iterator[Any]:
    """Return a term, and the terms inside it when it is an RDF 1.2 triple term."""
    if isinstance(term, ox.Triple):
        for inner in (term.subject, term.predicate, term.object):
            yield from walk_terms(inner)
    else:
        yield term


def statements(quads: Iterable[Any]) -> Iterator[tuple[Any, Any, Any]]:
    """Every triple of the quads, the asserted ones and those quoted in triple terms."""
    triple = ox.Triple
    for quad in quads:
        s, p, o = quad.subject, quad.predicate, quad.object
        yield s, p, o
        if type(s) is not triple and type(o) is not triple:
            continue
        stack: list[Any] = [term for term in (s, o) if isinstance(term, triple)]
        while stack:
            inner = stack.pop()
            s, p, o = inner.subject, inner.predicate, inner.object
            yield s, p, o
            for term in (s, o):
                if isinstance(term, triple):
                    stack.append(term)


def _statement(s: Any, p: Any, o: Any) -> tuple[str, str, str]:
    """Return a statement about a term; blank nodes as any blank node (files label apart)."""
    return (s.value, p.value, "_:" if isinstance(o, ox.BlankNode) else str(o))


class Vocabulary:
    """What the release knows: the ontology's terms, its classes, its nodes."""

    def __init__(self, quads: Iterable[Any]) -> None:
        self.classes: set[str] = set()
        self.properties: set[str] = set()
        self.datatypes: set[str] = set()
        self.used_classes: set[str] = set()
        self.nodes: set[str] = set()
        self.graph_nodes: set[str] = set()  # every IRI the release holds as a subject or object
        self.pkg_statements: set[tuple[str, str, str]] = set()
        for s, p, o in statements(quads):
            for term in (s, o):
                if isinstance(term, ox.NamedNode):
                    self.graph_nodes.add(term.value)
                    if term.value.startswith((BASE, _SDG)):
                        self.nodes.add(term.value)
            if isinstance(s, ox.NamedNode) and s.value.startswith(_PKG):
                self.pkg_statements.add(_statement(s, p, o))
            if p.value == _RDF_TYPE and isinstance(o, ox.NamedNode):
                self.used_classes.add(o.value)
                if o.value in _CLASS_TYPES and isinstance(s, ox.NamedNode):
                    self.classes.add(s.value)
                elif o.value in _PROPERTY_TYPES and isinstance(s, ox.NamedNode):
                    self.properties.add(s.value)
                elif o.value == _DATATYPE and isinstance(s, ox.NamedNode):
                    self.datatypes.add(s.value)

    def known_class(self, iri: str) -> bool:
        """Return a class the ontology declares or a node of the release has."""
        return iri in self.classes or iri in self.used_classes


def _short(iri: str) -> str:
    if iri.startswith(_PKG):
        return "pkg:" + iri[len(_PKG):]
    if iri.startswith(BASE + "id/"):
        return iri[len(BASE) + 3:]
    if iri.startswith(_SDG):
        return "sdg/" + iri[len(_SDG):]
    return iri


def _nearest(iri: str, candidates: Iterable[str], what: str) -> str:
    pool = sorted(candidates)
    found = difflib.get_close_matches(iri, pool, n=1, cutoff=0.75)
    if not found:
        return ""
    return f"; did you mean {_short(found[0])}?" if what else f" ({_short(found[0])}?)"


def undefined_terms(quads: Iterable[Any], vocabulary: Vocabulary) -> list[TermProblem]:
    """Return the ``pkg:`` terms used as a class or property that the ontology does not define."""
    problems: dict[tuple[str, str], TermProblem] = {}
    ontology_terms = vocabulary.classes | vocabulary.properties | vocabulary.datatypes
    for s, p, o in statements(quads):
        if p.value.startswith(_PKG) and p.value not in vocabulary.properties:
            problems.setdefault(("p", p.value), _not_a_property(
                str(getattr(s, "value", s)), p.value, vocabulary))
        for role, term in (("s", s), ("o", o)):
            if not isinstance(term, ox.NamedNode) or not term.value.startswith(_PKG):
                continue
            if p.value == _RDF_TYPE and role == "o":
                if term.value not in vocabulary.classes:
                    problems.setdefault(("c", term.value), _not_a_class(
                        str(getattr(s, "value", s)), term.value, vocabulary))
            elif term.value not in ontology_terms and term.value.rstrip("#") != _PKG.rstrip("#"):
                problems.setdefault(("t", term.value), _not_a_term(term.value, ontology_terms))
    return list(problems.values())


def _not_a_property(focus: str, iri: str, vocabulary: Vocabulary) -> TermProblem:
    hint = _nearest(iri, vocabulary.properties, "property")
    return TermProblem(focus, iri, iri, f"{_short(iri)} is not a property of the ontology{hint}",
                       RULE)


def _not_a_class(focus: str, iri: str, vocabulary: Vocabulary) -> TermProblem:
    hint = _nearest(iri, vocabulary.classes, "class")
    return TermProblem(focus, iri, _RDF_TYPE,
                       f"{_short(iri)} is not a class of the ontology{hint}", RULE)


def _not_a_term(iri: str, ontology_terms: set[str]) -> TermProblem:
    hint = _nearest(iri, ontology_terms, "term")
    return TermProblem(iri, iri, "", f"{_short(iri)} is not a term of the ontology{hint}", RULE)


def undefined_problems(predicates: dict[str, str], classes: dict[str, str],
                       pkg_terms: Iterable[str], vocabulary: Vocabulary) -> list[TermProblem]:
    """Return what :func:`undefined_terms` finds, from the terms one pass over the quads noted.

    ``predicates`` and ``classes`` (the ``pkg:`` objects of ``rdf:type``) give the focus of
    their first statement; ``pkg_terms`` are the ``pkg:`` IRIs used as a subject or as another
    object.
    """
    ontology_terms = vocabulary.classes | vocabulary.properties | vocabulary.datatypes
    problems = [_not_a_property(focus, iri, vocabulary) for iri, focus in predicates.items()
                if iri.startswith(_PKG) and iri not in vocabulary.properties]
    problems += [_not_a_class(focus, iri, vocabulary) for iri, focus in classes.items()
                 if iri not in vocabulary.classes]
    problems += [_not_a_term(iri, ontology_terms) for iri in sorted(pkg_terms)
                 if iri not in ontology_terms and iri.rstrip("#") != _PKG.rstrip("#")]
    return problems


def unrelated_nodes(quads: list[Any], vocabulary: Vocabulary) -> list[TermProblem]:
    """Return the nodes a contribution describes that are unrelated to the graph.

    A node is related when it is in the project's namespaces (or the UN's SDG IRIs), is in the
    release, or is linked to from a related node by the contribution (through any chain of
    links). Anything else (``<https://example.org/a> skos:prefLabel "…"``) would be published
    without being part of the graph.
    """
    links: dict[str, list[str]] = {}
    subjects: dict[str, Any] = {}
    named, blank = ox.NamedNode, ox.BlankNode
    for quad in quads:
        s, o = quad.subject, quad.object
        if type(s) is named:
            key = s.value
        elif type(s) is blank:
            key = str(s)
        else:
            continue
        if key not in subjects:
            subjects[key] = s
        if type(o) is named:
            links.setdefault(key, []).append(o.value)
        elif type(o) is blank:
            links.setdefault(key, []).append(str(o))
    related = {key for key, s in subjects.items() if isinstance(s, ox.NamedNode) and (
        key.startswith((BASE, _SDG)) or key in vocabulary.graph_nodes)}
    stack = list(related)
    while stack:
        for target in links.get(stack.pop(), ()):
            if target not in related:
                related.add(target)
                stack.append(target)
    # (a blank node has no name to publish it under: what it says is reached from its links)
    return [_unrelated(key) for key, s in subjects.items()
            if key not in related and isinstance(s, ox.NamedNode)]


def _unrelated(key: str) -> TermProblem:
    return TermProblem(
        key, key, "", f"<{key}> is outside the project's namespaces and nothing of the "
        "project links to it: it is unrelated to the graph. Describe the project's items "
        "(https://w3id.org/policing-kg/id/...) and what they link to, or leave it out", RULE)


def unrelated_problems(candidates: Iterable[str], links: Iterable[tuple[str, str]],
                       vocabulary: Vocabulary) -> list[TermProblem]:
    """Return what :func:`unrelated_nodes` finds, from what one pass over the quads noted.

    ``candidates`` are the IRIs named as a subject that are neither in the project's namespaces
    nor in the release; ``links`` the links (subject, object) to a blank node or to such an
    IRI. A link to any other IRI reaches no candidate: that IRI is related when it is a
    subject, and links nowhere when it is not.
    """
    def related(key: str) -> bool:
        return not key.startswith("_:") and (key.startswith((BASE, _SDG))
                                             or key in vocabulary.graph_nodes)

    graph: dict[str, list[str]] = {}
    for source, target in links:
        graph.setdefault(source, []).append(target)
    reached = {source for source in graph if related(source)}
    stack = list(reached)
    while stack:
        for target in graph.get(stack.pop(), ()):
            if target not in reached:
                reached.add(target)
                stack.append(target)
    return [_unrelated(key) for key in candidates if key not in reached]


def check_terms(quads: list[Any], vocabulary: Vocabulary) -> list[TermProblem]:
    """Every problem of a contribution's quads against the release's vocabulary."""
    problems = undefined_terms(quads, vocabulary) + unrelated_nodes(quads, vocabulary)
    typed: dict[str, set[str]] = {}
    unknown: dict[str, None] = {}  # the IRIs the release does not hold, in order (one pass)
    iri_term, nodes = ox.NamedNode, vocabulary.nodes
    for s, p, o in statements(quads):
        if type(s) is iri_term:
            if p.value == _RDF_TYPE and type(o) is iri_term:
                typed.setdefault(s.value, set()).add(o.value)
            if s.value.startswith(_PKG) and _statement(s, p, o) not in vocabulary.pkg_statements:
                problems.append(TermProblem(
                    s.value, s.value, p.value,
                    f"{_short(s.value)}: the terms of the pkg: namespace are defined only by the "
                    "ontology (ontology/policing-kg.ttl), not by contributions", RULE))
            if s.value not in nodes:
                unknown[s.value] = None
        if type(o) is iri_term and o.value not in nodes:
            unknown[o.value] = None
    return problems + unknown_problems(unknown, typed, vocabulary)


def unknown_problems(unknown: Iterable[str], typed: dict[str, set[str]],
                     vocabulary: Vocabulary) -> list[TermProblem]:
    """Return the problems of the IRIs a contribution names that the release does not hold.

    ``typed`` gives the classes the contribution gives them.
    """
    problems = []
    for iri in unknown:
        if iri.startswith(_PKG):
            continue
        if iri.startswith(_SDG) and not iri.startswith(_SDG_ONTOLOGY):
            sdg_nodes = (n for n in vocabulary.nodes if n.startswith(_SDG))
            problems.append(TermProblem(
                iri, iri, "", f"the UN's SDG vocabulary, as the release holds it, has no "
                f"{_short(iri)}{_nearest(iri, sdg_nodes, 'node')}", RULE))
        elif iri.startswith(BASE):
            classes = typed.get(iri, set())
            if any(vocabulary.known_class(c) for c in classes):
                continue
            near = _nearest(iri, (n for n in vocabulary.nodes if n.startswith(BASE)), "node")
            if classes:
                named = ", ".join(sorted(_short(c) for c in classes))
                why = (f"is new, and its class ({named}) is not one the ontology or the "
                       "release knows")
            else:
                why = ("is not in the release, and the contribution does not introduce it with "
                       "a class (rdf:type)")
            problems.append(TermProblem(iri, iri, "", f"{_short(iri)} {why}{near}", RULE))
    return problems
