"""One pass over a contribution's quads, as they go into the validation store.

A contribution of a million statements is never held as Python objects: each quad, as the parser
gives it, is renamed and kept for the store (:func:`~policing_kg.checks.shacl.store.surrogate`)
and leaves behind only what the checks need. :class:`Scan` keeps

- whether a term is not allowed (a scheme other than http(s) or urn, an ill-typed literal) or
  is a SHACL term: the file is then read again to name the first such term in file order;
- the IRIs the file names as a subject or an object (:meth:`Scan.mentioned`);
- for the closed world of the project's namespaces (:mod:`policing_kg.checks.vocabulary`),
  the few terms and links that can be at fault: :meth:`Scan.problems` gives the problems
  :func:`~policing_kg.checks.vocabulary.check_terms` gives for the same quads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

import pyoxigraph as ox

from policing_kg.checks.shacl.store import is_well_formed, surrogate
from policing_kg.checks.vocabulary import (
    _PKG,
    _RDF_TYPE,
    _SDG,
    TermProblem,
    Vocabulary,
    statements,
    undefined_problems,
    unknown_problems,
    unrelated_problems,
    walk_terms,
)
from policing_kg.common.iris import BASE

__all__ = ["Scan", "ALLOWED_SCHEMES"]

ALLOWED_SCHEMES = ("http://", "https://", "urn:")
_SHACL = "http://www.w3.org/ns/shacl#"
_KEPT = ("http://www.w3.org/2001/XMLSchema#string",
         "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
_OURS = (BASE, _SDG)
_SURROGATE = "urn:policing-kg:validation:"


class Scan:
    """What one pass over a contribution's quads leaves for its checks.

    Nothing here depends on the release: the file is read before the release is (a bad file is
    refused before anything else is read), and :meth:`problems` weighs what was noted against
    the release's :class:`~policing_kg.checks.vocabulary.Vocabulary`.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.count = 0
        self.bad = False  # a term not allowed, or an ill-typed literal
        self.shacl = False  # a term of the SHACL namespace
        self.subjects: set[str] = set()  # the IRIs named as a subject
        self.objects: set[str] = set()  # ... as an object
        self.quoted: set[str] = set()  # ... inside a triple term that is an object
        self.nested: set[str] = set()  # ... as the subject or object of a quoted statement
        # for the closed world:
        self.predicates: dict[str, str] = {}  # predicate -> the focus of its first statement
        self.classes: dict[str, str] = {}  # pkg: class (rdf:type) -> the same
        self.pkg_terms: set[str] = set()  # pkg: IRIs as a subject or another object
        self.pkg_statements: list[tuple[str, str, str]] = []  # statements about pkg: terms
        self.typed: dict[str, set[str]] = {}  # a project or SDG IRI -> its classes
        self.candidates: dict[str, None] = {}  # subjects outside the project's namespaces
        self.links: list[tuple[str, str]] = []  # links to a blank node or to such an IRI

    def mentioned(self) -> set[str]:
        """Return every IRI the file names as a subject or an object (in triple terms too)."""
        return self.subjects | self.objects | self.quoted

    def load(self, quads: Iterable[Any]) -> Iterator[ox.Quad]:
        """Return the quads as the validation store keeps them, noting what the checks need.

        (What :meth:`_statement` and :meth:`_link` note is noted here too, inline, for the
        quads without a triple term: a million quads pass here.)
        """
        named, blank, literal, triple = ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple
        prefix, subjects, objects = self.prefix, self.subjects, self.objects
        predicates, classes, pkg_terms = self.predicates, self.classes, self.pkg_terms
        pkg_statements, typed = self.pkg_statements, self.typed
        candidates, links = self.candidates, self.links
        ours, pkg, rdf_type = _OURS, _PKG, _RDF_TYPE
        graphs: set[str] = set()
        count = 0
        for quad in quads:
            count += 1
            s, p, o, g = quad.subject, quad.predicate, quad.object, quad.graph_name
            ts, to = type(s), type(o)
            if type(g) is named and g.value not in graphs:
                graphs.add(g.value)
                self._iri(g.value)
            if ts is triple or to is triple or (ts is not named and ts is not blank):
                if ts is named:
                    subjects.add(s.value)
                self._nested(quad)
                self._link(s, o)
                if to is literal:
                    o = self._literal(o)
                yield ox.Quad(self._renamed(s), p, self._renamed(o))
                continue
            predicate = p.value
            value = o.value if to is named else None
            if ts is named:
                key = s.value
                subjects.add(key)
                if predicate not in predicates:
                    predicates[predicate] = key
                if not key.startswith(ours):
                    candidates[key] = None
                elif key.startswith(pkg):
                    pkg_terms.add(key)
                    pkg_statements.append((key, predicate, "_:" if to is blank else str(o)))
                elif value is not None and predicate == rdf_type:
                    typed.setdefault(key, set()).add(value)
            else:
                label = s.value
                if predicate not in predicates:
                    predicates[predicate] = label
                key = "_:" + label
                s = blank(prefix + label)
            if value is not None:
                objects.add(value)
                if not value.startswith(ours):
                    links.append((key, value))
                elif value.startswith(pkg):
                    if predicate != rdf_type:
                        pkg_terms.add(value)
                    elif value not in classes:
                        classes[value] = key if ts is named else key[2:]
            elif to is literal:
                if not o.language and o.datatype.value not in _KEPT:
                    o = self._literal(o)
            elif to is blank:
                label = o.value
                links.append((key, "_:" + label))
                o = blank(prefix + label)
            yield ox.Quad(s, p, o)
        self.count = count
        for iri in chain(subjects, objects, predicates):
            self._iri(iri)

    def _literal(self, term: Any) -> Any:
        """Return a literal as the store keeps it; note an ill-typed one."""
        kept = surrogate(term)
        if kept is not term and kept.datatype.value[len(_SURROGATE)] == "0":
            self.bad = True
        return kept

    def _iri(self, iri: str) -> None:
        if not iri.startswith(ALLOWED_SCHEMES):
            self.bad = True
        if iri.startswith(_SHACL):
            self.shacl = True

    def _renamed(self, term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(self.prefix + term.value)
        if isinstance(term, ox.Triple):
            return ox.Triple(self._renamed(term.subject), term.predicate,
                             self._renamed(term.object))
        return term

    def _nested(self, quad: Any) -> None:
        """Note the terms of a quad with a triple term (the rare, slow way)."""
        for is_object, position in ((False, quad.subject), (True, quad.object)):
            for term in walk_terms(position):
                if isinstance(term, ox.NamedNode):
                    self._iri(term.value)
                    if is_object:
                        self.quoted.add(term.value)
                elif isinstance(term, ox.Literal) and not term.language and \
                        term.datatype.value not in _KEPT and \
                        not is_well_formed(term.value, term.datatype.value):
                    self.bad = True
        for s, p, o in statements([quad]):
            self._statement(s, p, o)
            self.nested.update(t.value for t in (s, o) if isinstance(t, ox.NamedNode))

    def _statement(self, s: Any, p: Any, o: Any) -> None:
        """Note a statement for the closed world (asserted, or quoted in a triple term)."""
        named = ox.NamedNode
        predicate = p.value
        if predicate not in self.predicates:
            self.predicates[predicate] = str(getattr(s, "value", s))
        if type(s) is named:
            subject = s.value
            if subject.startswith(_PKG):
                self.pkg_terms.add(subject)
                self.pkg_statements.append(
                    (subject, predicate, "_:" if isinstance(o, ox.BlankNode) else str(o)))
            elif predicate == _RDF_TYPE and type(o) is named and subject.startswith(_OURS):
                self.typed.setdefault(subject, set()).add(o.value)
        if type(o) is named:
            value = o.value
            if value.startswith(_PKG):
                if predicate != _RDF_TYPE:
                    self.pkg_terms.add(value)
                elif value not in self.classes:
                    self.classes[value] = str(getattr(s, "value", s))

    def _link(self, s: Any, o: Any) -> None:
        """Note a subject outside the project's namespaces, and a link that may reach one."""
        named, blank = ox.NamedNode, ox.BlankNode
        ts, to = type(s), type(o)
        if ts is named:
            key = s.value
            if not key.startswith(_OURS):
                self.candidates[key] = None
        elif ts is blank:
            key = str(s)
        else:
            return
        if to is blank:
            self.links.append((key, str(o)))
        elif to is named:
            value = o.value
            if not value.startswith(_OURS):
                self.links.append((key, value))

    def problems(self, vocabulary: Vocabulary) -> list[TermProblem]:
        """Return what :func:`~policing_kg.checks.vocabulary.check_terms` finds in the quads."""
        graph_nodes, nodes = vocabulary.graph_nodes, vocabulary.nodes
        found = undefined_problems(self.predicates, self.classes, self.pkg_terms, vocabulary)
        found += unrelated_problems(
            (key for key in self.candidates if key not in graph_nodes),
            ((key, target) for key, target in self.links if target not in graph_nodes),
            vocabulary)
        found += [pkg_statement(s, p) for s, p, o in self.pkg_statements
                  if (s, p, o) not in vocabulary.pkg_statements]
        unknown = {iri for iri in chain(self.subjects, self.objects, self.nested)
                   if iri.startswith(_OURS) and iri not in nodes}
        found += unknown_problems(sorted(unknown), self.typed, vocabulary)
        return found


def pkg_statement(subject: str, predicate: str) -> TermProblem:
    """Return the problem of a statement about a ``pkg:`` term that the ontology does not make."""
    from policing_kg.checks.vocabulary import RULE, _short

    return TermProblem(
        subject, subject, predicate,
        f"{_short(subject)}: the terms of the pkg: namespace are defined only by the "
        "ontology (ontology/policing-kg.ttl), not by contributions", RULE)
