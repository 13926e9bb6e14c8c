"""The quality report: the qSKOS, Skosify and ROBOT ``report`` checks that apply to this graph.

Each check is a SPARQL query over the union of the release's graphs that selects the items
concerned (``?item``, with an optional ``?detail``), with a level: an ``error`` fails the build,
a ``warning`` or ``info`` is reported. Checks are run on the project's own resources (IRIs
under ``id/`` and the ontology's ``pkg:`` terms), not on the UN's SDG vocabulary, which the
project does not maintain. :data:`NOT_RUN` says which checks of those tools are left out, and
why.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from policing_kg.common.iris import ID, PKG, sparql_prefixes
from policing_kg.common.sorting import natural_key

__all__ = ["CHECKS", "NOT_RUN", "QualityCheck", "QualityReport", "quality_report", "LEVELS"]

LEVELS = ("error", "warning", "info")


@dataclass(frozen=True)
class QualityCheck:
    """One check: its id, level, the tools that define it, what it finds, and its query."""

    id: str
    level: str
    origin: str
    description: str
    where: str


_OWN = f'FILTER(STRSTARTS(STR(?item), "{ID}"))'
_CONCEPT = f"?item a skos:Concept . {_OWN}"

CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck("missing-label-en", "error",
                 "qSKOS Incomplete Language Coverage; ROBOT missing_label",
                 "a concept with no English preferred label",
                 f'{_CONCEPT} FILTER NOT EXISTS {{ ?item skos:prefLabel ?l '
                 f'FILTER(LANGMATCHES(LANG(?l), "en")) }}'),
    QualityCheck("missing-label-fr", "warning", "qSKOS Incomplete Language Coverage",
                 "a concept with no French preferred label",
                 f'{_CONCEPT} FILTER NOT EXISTS {{ ?item skos:prefLabel ?l '
                 f'FILTER(LANGMATCHES(LANG(?l), "fr")) }}'),
    QualityCheck("missing-language-tag", "error", "qSKOS Omitted or Invalid Language Tags",
                 "a label without a language tag",
                 f"?item skos:prefLabel|skos:altLabel|skosxl:literalForm ?detail . {_OWN} "
                 'FILTER(LANG(?detail) = "")'),
    QualityCheck("empty-label", "error", "qSKOS Empty Labels",
                 "a label that is empty or only spaces",
                 f"?item skos:prefLabel|skos:altLabel|dcterms:title ?l . {_OWN} "
                 'FILTER(REGEX(STR(?l), "^\\\\s*$")) BIND(LANG(?l) AS ?detail)'),
    QualityCheck("multiple-pref-labels", "error",
                 "SKOS integrity condition S14; ROBOT multiple_labels",
                 "two preferred labels in one language",
                 f"?item skos:prefLabel ?a, ?b . {_OWN} "
                 "FILTER(LANG(?a) = LANG(?b) && STR(?a) < STR(?b)) BIND(LANG(?a) AS ?detail)"),
    QualityCheck("pref-alt-overlap", "error", "SKOS integrity condition S13; qSKOS "
                 "Disjoint Labels Violation", "the same text as preferred and alternative label",
                 f"?item skos:prefLabel ?detail ; skos:altLabel ?detail . {_OWN}"),
    QualityCheck("duplicate-label", "warning",
                 "qSKOS Ambiguous Labeling; ROBOT duplicate_label",
                 "two concepts of one scheme with the same preferred label (case aside)",
                 f"{_CONCEPT} ?item skos:inScheme ?scheme ; skos:prefLabel ?l . "
                 "?other skos:inScheme ?scheme ; skos:prefLabel ?m . FILTER(?other != ?item) "
                 "FILTER(LANG(?l) = LANG(?m) && LCASE(STR(?l)) = LCASE(STR(?m))) "
                 "BIND(STR(?other) AS ?detail)"),
    QualityCheck("duplicate-notation", "error", "Skosify; SKOS notations unique in a scheme",
                 "two concepts of one scheme with the same notation (same datatype)",
                 f"{_CONCEPT} ?item skos:inScheme ?scheme ; skos:notation ?n . "
                 "?other skos:inScheme ?scheme ; skos:notation ?n . FILTER(?other != ?item) "
                 "BIND(CONCAT(STR(?n), \" = \", STR(?other)) AS ?detail)"),
    QualityCheck("missing-in-scheme", "error", "qSKOS Missing In-Scheme",
                 "a concept in no concept scheme",
                 f"{_CONCEPT} FILTER NOT EXISTS {{ ?item skos:inScheme ?s }}"),
    QualityCheck("scheme-without-label", "error", "Skosify (concept scheme has no label)",
                 "a concept scheme without a preferred label",
                 f"?item a skos:ConceptScheme . {_OWN} "
                 "FILTER NOT EXISTS { ?item skos:prefLabel ?l }"),
    QualityCheck("orphan-concept", "warning", "qSKOS Orphan Concepts",
                 "a concept with no hierarchical or top-concept relation",
                 f"{_CONCEPT} FILTER NOT EXISTS {{ ?item skos:broader|skos:narrower|"
                 "skos:topConceptOf|^skos:hasTopConcept|skos:related ?x }"),
    QualityCheck("top-concept-with-broader", "error",
                 "qSKOS Top Concept Having Broader Concepts",
                 "a top concept that also has a broader concept",
                 f"{_CONCEPT} ?item skos:topConceptOf ?s ; skos:broader ?b . "
                 "?b skos:inScheme ?s BIND(STR(?b) AS ?detail)"),
    QualityCheck("hierarchy-cycle", "error", "qSKOS Hierarchical Cycles",
                 "a concept that is its own broader concept, directly or not",
                 f"{_CONCEPT} ?item skos:broader+ ?item"),
    QualityCheck("relation-clash", "error", "qSKOS Associative vs. Hierarchical Relation "
                 "Clashes", "two concepts both hierarchically and associatively related",
                 f"{_CONCEPT} ?item skos:broader+ ?x ; skos:related|^skos:related ?x "
                 "BIND(STR(?x) AS ?detail)"),
    QualityCheck("mapping-in-scheme", "warning", "qSKOS Mapping Relations Misuse",
                 "a SKOS mapping relation between two concepts of the same scheme",
                 f"{_CONCEPT} ?item skos:exactMatch|skos:closeMatch|skos:broadMatch|"
                 "skos:narrowMatch|skos:relatedMatch ?x . ?item skos:inScheme ?s . "
                 "?x skos:inScheme ?s BIND(STR(?x) AS ?detail)"),
    QualityCheck("dangling-reference", "error", "qSKOS Missing Out-Links (within the graph); "
                 "ROBOT missing_target", "a link to one of the project's IRIs that the graph "
                 "does not describe",
                 f"?item ?p ?x . {_OWN} FILTER(ISIRI(?x) && STRSTARTS(STR(?x), \"{ID}\")) "
                 "FILTER(?p IN (skos:broader, skos:narrower, skos:inScheme, skos:topConceptOf, "
                 "skos:hasTopConcept, pkg:serves, pkg:buildsOnTheme, "
                 "pkg:revisedAs)) FILTER NOT EXISTS { ?x a ?type } "
                 "BIND(STR(?x) AS ?detail)"),
    QualityCheck("stray-whitespace", "warning", "ROBOT whitespace; Skosify",
                 "a label or note with leading, trailing or doubled spaces, or a control "
                 "character",
                 f"?item skos:prefLabel|skos:altLabel|skos:definition|skos:scopeNote|"
                 f"skos:editorialNote|dcterms:title|dcterms:description|rdfs:label|"
                 f"rdfs:comment ?l . {_OWN} "
                 'FILTER(REGEX(STR(?l), "^\\\\s|\\\\s$|  |[\\\\x00-\\\\x09\\\\x0B-\\\\x1F]")) '
                 "BIND(STR(?l) AS ?detail)"),
    QualityCheck("missing-definition", "warning", "ROBOT missing_definition",
                 "a class or property of the ontology without a definition",
                 "{ ?item a owl:Class } UNION { ?item a owl:ObjectProperty } UNION "
                 "{ ?item a owl:DatatypeProperty } UNION { ?item a owl:AnnotationProperty } "
                 f'FILTER(STRSTARTS(STR(?item), "{PKG}")) '
                 "FILTER NOT EXISTS { ?item skos:definition|rdfs:comment ?d }"),
    QualityCheck("missing-class-label", "error", "ROBOT missing_label",
                 "a class or property of the ontology without an English label",
                 "{ ?item a owl:Class } UNION { ?item a owl:ObjectProperty } UNION "
                 "{ ?item a owl:DatatypeProperty } UNION { ?item a owl:AnnotationProperty } "
                 f'FILTER(STRSTARTS(STR(?item), "{PKG}")) '
                 "FILTER NOT EXISTS { ?item rdfs:label|skos:prefLabel ?l "
                 'FILTER(LANGMATCHES(LANG(?l), "en")) }'),
    QualityCheck("ontology-metadata", "error", "ROBOT missing_ontology_title, "
                 "missing_ontology_description, missing_ontology_license, missing_version_iri",
                 "the ontology without a title, description, licence or version IRI",
                 "?item a owl:Ontology . VALUES ?p { dcterms:title dcterms:description "
                 "dcterms:license owl:versionIRI owl:versionInfo } "
                 "FILTER NOT EXISTS { ?item ?p ?v } BIND(STR(?p) AS ?detail)"),
    QualityCheck("mapping-without-justification", "error", "SSSOM (mapping_justification is "
                 "required)", "a mapping without a justification or with a confidence outside "
                 "0-1",
                 "?item sssom:subject_id ?s . { FILTER NOT EXISTS { ?item "
                 "sssom:mapping_justification ?j } } UNION { ?item sssom:confidence ?c "
                 "FILTER(?c < 0 || ?c > 1) BIND(STR(?c) AS ?detail) }"),
    QualityCheck("unidirectional-hierarchy", "info", "qSKOS Unidirectionally Related Concepts",
                 "skos:broader asserted without the inverse skos:narrower (SKOS entails it)",
                 f"{_CONCEPT} ?item skos:broader ?b . FILTER NOT EXISTS {{ ?b skos:narrower "
                 "?item } BIND(STR(?b) AS ?detail)"),
)

#: Checks of qSKOS, Skosify and ROBOT ``report`` that are not run, and why.
NOT_RUN: tuple[tuple[str, str], ...] = (
    ("qSKOS Undocumented Concepts; ROBOT missing_definition on items",
     "an item is a sentence of its source: its text is its label, and the source defines "
     "nothing further"),
    ("qSKOS Overlapping Labels (across schemes)",
     "documents reuse words on purpose (a 2023 goal and its 2017 name are different items)"),
    ("qSKOS Missing Out-Links (to the web), Broken Links",
     "would fetch the web; the program touches no network unless given a URL"),
    ("ROBOT deprecated_* and equivalent_class checks", "the ontology deprecates nothing and "
     "states no class equivalences"),
    ("qSKOS Solely Transitively Related, Valueless Associative Relations",
     "the graph asserts no skos:broaderTransitive or skos:related"),
)


@dataclass(frozen=True)
class Finding:
    """One item a check selected, with what it found there."""

    item: str
    detail: str


@dataclass(frozen=True)
class QualityReport:
    """Each check with what it found, in the checks' order."""

    version: str
    findings: tuple[tuple[QualityCheck, tuple[Finding, ...]], ...]

    def count(self, level: str) -> int:
        """How many findings there are at one level."""
        return sum(len(found) for check, found in self.findings if check.level == level)

    def errors(self) -> list[tuple[QualityCheck, Finding]]:
        """Every finding at the level ``error``."""
        return [(check, f) for check, found in self.findings if check.level == "error"
                for f in found]

    def to_json(self) -> dict[str, object]:
        """Return the report as plain values (what ``quality-report.json`` holds)."""
        return {
            "version": self.version,
            "summary": {level: self.count(level) for level in LEVELS},
            "checks": [{"id": c.id, "level": c.level, "origin": c.origin,
                        "description": c.description, "count": len(found),
                        "items": [{"item": f.item, "detail": f.detail} for f in found]}
                       for c, found in self.findings],
            "not_run": [{"check": name, "why": why} for name, why in NOT_RUN],
        }

    def json_bytes(self) -> bytes:
        """``quality-report.json``: sorted, indented, one trailing newline."""
        return (json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n").encode()

    def markdown(self) -> str:
        """``quality-report.md``: a table of every check, then what each found."""
        summary = ", ".join(f"{self.count(level)} {level}(s)" for level in LEVELS)
        lines = [f"# Quality report: policing-kg {self.version}", "",
                 f"{summary}. An error fails the build; warnings and infos are reported.", "",
                 "| check | level | found | from | what it finds |",
                 "| --- | --- | ---: | --- | --- |"]
        lines += [f"| `{c.id}` | {c.level} | {len(found)} | {c.origin} | {c.description} |"
                  for c, found in self.findings]
        for check, found in self.findings:
            if not found:
                continue
            lines += ["", f"## `{check.id}` ({check.level}, {len(found)})", ""]
            lines += [f"- <{f.item}>" + (f" — {_md(f.detail)}" if f.detail else "")
                      for f in found]
        lines += ["", "## Not run", ""]
        lines += [f"- {name}: {why}" for name, why in NOT_RUN]
        return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    shown = " ".join(text.split())
    shown = shown if len(shown) <= 160 else shown[:159] + "…"
    return shown.replace("|", "\\|").replace("<", "&lt;")


def quality_report(store: ox.Store, version: str,
                   checks: Sequence[QualityCheck] = CHECKS) -> QualityReport:
    """Run the checks on a store (its default graph the union of the release's graphs)."""
    prefixes = sparql_prefixes()
    findings = []
    for check in checks:
        query = (f"{prefixes}SELECT DISTINCT ?item ?detail WHERE {{ {check.where} }}")
        rows = {(str(getattr(r["item"], "value", r["item"])),
                 "" if r["detail"] is None else str(getattr(r["detail"], "value", r["detail"])))
                for r in store.query(query, use_default_graph_as_union=True)}  # type: ignore[union-attr]
        ordered = sorted(rows, key=lambda row: (natural_key(row[0]), natural_key(row[1])))
        findings.append((check, tuple(Finding(item, detail) for item, detail in ordered)))
    return QualityReport(version, tuple(findings))
