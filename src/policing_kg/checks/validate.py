"""Validating contributions: SHACL with the published graph, and the project's vocabulary.

The SHACL engine is :mod:`policing_kg.checks.shacl`; the closed world of the project's
namespaces is :mod:`policing_kg.checks.vocabulary`. Each result is placed in the contributed
file that introduces its node (``file:line``).
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal
from rdflib.term import Node

from policing_kg.assembly.published import published_quads
from policing_kg.checks.shacl import (
    ShapeReport,
    ShapeResult,
    load_shapes,
    validate_graph,
    validate_store,
    validate_with_pyshacl,
    validation_store,
)
from policing_kg.checks.shacl.store import surrogate
from policing_kg.checks.vocabulary import Vocabulary
from policing_kg.common.terms import graph_of_quads

if TYPE_CHECKING:
    from policing_kg.checks.contributions import Contribution

__all__ = ["ShapeResult", "ShapeReport", "load_shapes", "validate_graph", "validate_store",
           "validation_store", "validate_with_pyshacl", "graph_of_quads", "Finding",
           "ContributionReport", "SEVERITY_RANK", "validate_contributions", "report_of",
           "compact"]

SEVERITY_RANK = {"Info": 0, "Warning": 1, "Violation": 2}


@dataclass(frozen=True)
class Finding:
    """A validation result placed in a contributed file: the item, what is wrong, and where."""

    severity: str
    focus: str
    label: str
    path: str
    value: str
    message: str
    shape: str
    file: str | None
    line: int | None


@dataclass(frozen=True)
class ContributionReport:
    """What validating contributions found.

    ``outside`` counts results about nodes that no contributed file names (they belong to the
    published graph, not to the contribution).
    """

    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    outside: int

    def count(self, severity: str) -> int:
        """Return how many findings have this severity."""
        return sum(1 for f in self.findings if f.severity == severity)

    def fails(self, fail_on: str) -> bool:
        """Return whether any finding is at least as severe as ``fail_on``."""
        threshold = SEVERITY_RANK[fail_on]
        return any(SEVERITY_RANK.get(f.severity, 2) >= threshold for f in self.findings)


def _label(store: ox.Store, node: str) -> str:
    if not node.startswith(("http://", "https://", "urn:")):
        return ""
    labels: dict[str | None, str] = {}
    prefix = "http://www.w3.org/2004/02/skos/core#prefLabel"
    for quad in store.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(prefix), None):
        if isinstance(quad.object, ox.Literal):
            labels.setdefault(quad.object.language, quad.object.value)
    label = labels.get("en") or labels.get("fr") or next(iter(sorted(labels.values())), "")
    return label if len(label) <= 120 else label[:120] + "…"


_IRI_IN_PATH = re.compile(r"<([^>]*)>")


def compact(term: str) -> str:
    """Write an IRI (or every IRI of a SPARQL path) with the release's prefixes.

    >>> compact("<http://www.w3.org/2004/02/skos/core#prefLabel>/^<https://w3id.org/policing-kg/ontology#serves>")
    'skos:prefLabel/^pkg:serves'
    """
    from policing_kg.common.iris import PREFIXES

    def one(iri: str) -> str:
        prefix, namespace = max(((p, n) for p, n in PREFIXES.items() if iri.startswith(n)),
                                key=lambda pn: len(pn[1]), default=("", ""))
        local = iri[len(namespace):]
        if prefix and local and all(c.isalnum() or c in "-_." for c in local):
            return f"{prefix}:{local}"
        return iri

    if term.startswith("<"):
        return _IRI_IN_PATH.sub(lambda m: one(m.group(1)), term)
    return one(term) if term else ""


def _text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _shown(value: Node | None) -> str:
    text = "" if value is None else (str(value) if isinstance(value, Literal) else _text(value))
    return text if len(text) <= 200 else text[:200] + "…"


def report_of(results: Iterable[ShapeResult]) -> ContributionReport:
    """Return a report of the published graph itself (no contribution: nothing to place)."""
    return ContributionReport((), tuple(Finding(
        r.level, _text(r.focus), "", compact(r.path), _shown(r.value), r.message,
        compact(_text(r.shape)), None, None) for r in results), 0)


def _renamed(quads: Iterable[Any], blank_prefix: str) -> Iterator[ox.Quad]:
    """Return the quads as the validation store keeps them, in the default graph.

    Their blank nodes are renamed, so that the published graph's ``_:b0`` and a file's stay
    apart.
    """
    def term(value: Any) -> Any:
        if isinstance(value, ox.BlankNode):
            return ox.BlankNode(blank_prefix + value.value)
        if isinstance(value, ox.Triple):
            return ox.Triple(term(value.subject), value.predicate, term(value.object))
        return value

    blank, triple = ox.BlankNode, ox.Triple
    for quad in quads:
        subject, obj = quad.subject, quad.object
        if type(subject) is blank or type(obj) is blank or type(obj) is triple:
            subject, obj = term(subject), term(obj)
        yield ox.Quad(subject, quad.predicate, surrogate(obj))


#: The properties that carry a label: a result about one is placed at the label's own line.
LABEL_PROPERTIES = frozenset((
    "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#hiddenLabel", "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title", "http://www.w3.org/2008/05/skos-xl#literalForm"))


def _label_line(owner: Contribution, store: Any, result: ShapeResult) -> int | None:
    """Return the line of the label a result is about, when its path is a label property.

    A result with the label as its value (a wrong language tag, a label too long) is placed
    where that label is written; one without (``sh:uniqueLang``: a second label in a language)
    at the first label the file gives in a language that the node has more than once.
    """
    iris = _IRI_IN_PATH.findall(result.path or "")
    if not iris or not set(iris) <= LABEL_PROPERTIES:
        return None
    after = owner.line_of(str(result.focus)) if not isinstance(result.focus, BNode) else None
    if isinstance(result.value, Literal):
        return owner.line_of_literal(str(result.value), result.value.language, after)
    if isinstance(result.focus, BNode) or result.value is not None or \
            result.path != f"<{iris[0]}>":
        return None
    focus, predicate = ox.NamedNode(str(result.focus)), ox.NamedNode(iris[0])
    languages = Counter(q.object.language for q in store.quads_for_pattern(focus, predicate, None)
                        if isinstance(q.object, ox.Literal) and q.object.language)
    lines = [owner.line_of_literal(value, language, after) for value, language
             in owner.literals_of(focus.value, predicate.value, LABEL_PROPERTIES)
             if languages[language or ""] > 1]
    return min((line for line in lines if line), default=None)


def validate_contributions(contributions: Sequence[Contribution], store: ox.Store,
                           shapes: Graph, vocabulary: Vocabulary) -> ContributionReport:
    """Validate contributed files together with the published graph (so references resolve).

    ``store`` is the validation store that holds the published graph and the contributions
    (read into it by :func:`~policing_kg.checks.contributions.read_contribution`, their blank
    nodes named ``c0_``, ``c1_``...). Results about nodes that a contributed file names (or
    about its blank nodes) are reported, each with the file and line of the statement that
    introduces its focus node; so are the terms of the project's namespaces that the release
    does not know (:mod:`.checks.vocabulary`). The graph is held by pyoxigraph: a contribution
    of a million triples validates in seconds.
    """
    report = validate_store(store, shapes)
    mentioned = [(c, c.mentioned(), c.scan.prefix) for c in contributions]
    placed: list[tuple[ShapeResult, Contribution]] = []
    outside = 0
    for result in report.results:
        focus = result.focus
        owner = None
        for contribution, names, prefix in mentioned:
            if str(focus) in names if not isinstance(focus, BNode) else \
                    str(focus).startswith(prefix):
                owner = contribution
                break
        if owner is None:
            outside += 1
            continue
        placed.append((result, owner))
    del mentioned
    problems = [(c, c.scan.problems(vocabulary)) for c in contributions]
    for contribution in contributions:  # every line wanted, in one reading of each file
        contribution.find_lines([str(r.focus) for r, owner in placed if owner is contribution
                                 and not isinstance(r.focus, BNode)]
                                + [p.term for c, found in problems if c is contribution
                                   for p in found])
    findings = []
    for result, owner in placed:
        focus = result.focus
        line = _label_line(owner, store, result) or (
            owner.line_of(str(focus)) if not isinstance(focus, BNode) else None)
        findings.append(Finding(
            severity=result.level, focus=_text(focus), label=_label(store, str(focus)),
            path=compact(result.path), value=_shown(result.value), message=result.message,
            shape=compact(_text(result.shape)), file=str(owner.path), line=line))
    for contribution, found in problems:
        for problem in found:
            findings.append(Finding(
                severity="Violation", focus=problem.focus, label=_label(store, problem.focus),
                path=compact(problem.path), value="", message=problem.message,
                shape=compact(problem.rule), file=str(contribution.path),
                line=contribution.line_of(problem.term)))
    findings.sort(key=lambda f: (f.file or "", f.line or 0, f.focus,
                                 -SEVERITY_RANK.get(f.severity, 2), f.path, f.message))
    return ContributionReport(tuple(str(c.path) for c in contributions), tuple(findings), outside)


def validate_files(project: Any, files: Sequence[Any], dist: Any,
                   max_bytes: int) -> ContributionReport:
    """Do what ``policing-kg validate`` does: read the files, validate them with the release.

    With no file, the published graph itself is validated (nothing to place in a file). Each
    file is read straight into the validation store (the published graph joins it after).
    """
    from policing_kg.checks.contributions import read_contributions

    project.check()
    # Millions of terms are made and none is part of a cycle: the cyclic collector, which
    # would walk them again and again as they accumulate, waits until the report is made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        store = ox.Store()
        contributions = read_contributions(files, max_bytes, store=store)
        shapes = load_shapes(project.shapes)
        published = published_quads(project, Path(dist))
        if not contributions:
            return report_of(validate_store(validation_store(published), shapes).results)
        store.bulk_extend(_renamed(published, "p"))
        vocabulary = Vocabulary(published)
        del published
        return validate_contributions(contributions, store, shapes, vocabulary)
    finally:
        if collecting:
            gc.enable()


__all__ += ["validate_files"]
