"""The crosswalk: every link of a release, asserted or inferred, as one record each.

Read from the graph: the curated rows (``sssom:Mapping`` nodes of the ``mappings`` graph) and
the inferred records (of the ``inferred`` graph, :mod:`policing_kg.assembly.routes`), each
with its subject, predicate, object, justification, author, confidence and reason (for an
inferred link, its routes in words). Every view reads this one definition: the matrices, the
coverage counts, ``crosswalk check``, the pages, the Python API, the release's SSSOM file; the
stored queries read the same records in SPARQL, and a test keeps them equal.

What reaches an item: every link whose object is the item; an SDG goal is also reached by the
links to its targets (a link to target 16.4 reaches SDG 16).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from policing_kg.assembly.names import Names, read_names
from policing_kg.assembly.routes import INFERRED_SET
from policing_kg.common.iris import ID, PKG, SDG, SDGO
from policing_kg.curation.mappings import NO_TERM_FOUND, SEMAPV, SSSOM

__all__ = ["Link", "Crosswalk", "read_crosswalk", "REACHING_RULE", "CONFIDENCE_RULE",
           "sdg_goal_of"]

#: How every view counts what reaches an item (said where the view shows its numbers).
REACHING_RULE = ("an item reaches another when a crosswalk link, curated or inferred, goes "
                 "from it to the other; an SDG goal is also reached through its targets")
#: How an inferred link's confidence is chosen.
CONFIDENCE_RULE = ("an inferred link is as strong as the weakest link of its strongest route "
                   "(the documents' own structure counts as certain)")
_PROV = "http://www.w3.org/ns/prov#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"


@dataclass(frozen=True)
class Link:
    """One record of the crosswalk: a curated row, or an inferred link with its routes."""

    record: str
    mapping_set: str
    subject: str
    predicate: str
    object: str
    justification: str
    author: str
    confidence: float | None
    #: language -> the reason (a curated row's comment; an inferred link's routes in words)
    reasons: tuple[tuple[str, str], ...] = ()
    #: the records of the links an inferred link chains
    derived_from: tuple[str, ...] = ()

    @property
    def inferred(self) -> bool:
        """Whether the build inferred the link (else a curator stated it)."""
        return self.mapping_set == INFERRED_SET

    @property
    def triple(self) -> tuple[str, str, str]:
        """The link as a triple."""
        return (self.subject, self.predicate, self.object)

    def reason(self, lang: str = "en") -> str:
        """Return the reason in ``lang``, else in English."""
        given = dict(self.reasons)
        return given.get(lang) or given.get("en", "")


def sdg_goal_of(node: str) -> str | None:
    """Return the SDG goal of a target's IRI (``…/sdg/16.4`` -> ``…/sdg/16``), else ``None``."""
    if node.startswith(SDG) and "." in node[len(SDG):]:
        return SDG + node[len(SDG):].split(".", 1)[0]
    return None


@dataclass
class Crosswalk:
    """Every link of a release (curated and inferred), the rulings, and the names to show."""

    links: tuple[Link, ...]
    rulings: tuple[Link, ...]
    names: Names
    _by_object: dict[str, list[Link]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by_object: dict[str, list[Link]] = defaultdict(list)
        for link in self.links:
            by_object[link.object].append(link)
            goal = sdg_goal_of(link.object)
            if goal is not None:
                by_object[goal].append(link)
        self._by_object = dict(by_object)

    def reaching(self, node: str) -> list[Link]:
        """Return the links that reach ``node`` (see :data:`REACHING_RULE`), in reading order."""
        links = self._by_object.get(node, [])
        return sorted(links, key=lambda link: (self.names.sort_key(link.subject),
                                               self.names.sort_key(link.object),
                                               link.predicate, link.record))

    def reachers(self, node: str) -> dict[str, list[str]]:
        """Return the items that reach ``node``, grouped by kind (the kind's class IRI)."""
        groups: dict[str, list[str]] = defaultdict(list)
        for link in self.reaching(node):
            kind = self.names.kind(link.subject)
            if link.subject not in groups[kind]:
                groups[kind].append(link.subject)
        return dict(groups)

    def from_item(self, node: str) -> list[Link]:
        """Return the links that leave ``node``."""
        return sorted((link for link in self.links if link.subject == node),
                      key=lambda link: (self.names.sort_key(link.object), link.predicate))

    def strongest(self) -> dict[tuple[str, str, str], Link]:
        """One record per link (the strongest where a link is stated in two sets)."""
        best: dict[tuple[str, str, str], Link] = {}
        for link in self.links:
            held = best.get(link.triple)
            if held is None or (link.confidence or 0.0) > (held.confidence or 0.0):
                best[link.triple] = link
        return best

    def records(self, lang: str = "en") -> list[dict[str, Any]]:
        """Return every link as a row, names first.

        Every link as a row with names first: labels in both languages, kinds, the property's
        label, asserted or inferred, confidence, author, justification, reason, the links it
        chains; IRIs last.
        """
        names = self.names
        rows = []
        for link in sorted(self.links, key=self._order):
            rows.append({
                "subject_label": names.label(link.subject, lang),
                "subject_kind": names.kind_label(link.subject, lang),
                "subject_notation": names.notation(link.subject),
                "property": names.property_labels.get((link.predicate, lang), "")
                or curie(link.predicate),
                "object_label": names.label(link.object, lang),
                "object_kind": names.kind_label(link.object, lang),
                "object_notation": names.notation(link.object),
                "link": "inferred" if link.inferred else "asserted",
                "confidence": link.confidence,
                "author": names.label(link.author, lang) if (link.author, lang) in names.labels
                or (link.author, "en") in names.labels else curie(link.author),
                "justification": curie(link.justification),
                "reason": link.reason(lang),
                "subject_label_en": names.label(link.subject, "en"),
                "subject_label_fr": names.label(link.subject, "fr"),
                "object_label_en": names.label(link.object, "en"),
                "object_label_fr": names.label(link.object, "fr"),
                "mapping_set": curie(link.mapping_set),
                "derived_from": " | ".join(curie(r) for r in link.derived_from),
                "subject": link.subject,
                "predicate": link.predicate,
                "object": link.object,
                "record": link.record,
            })
        return rows

    def _order(self, link: Link) -> tuple[Any, ...]:
        return (self.names.sort_key(link.subject), self.names.sort_key(link.object),
                link.predicate, link.inferred, link.record)


#: CURIE prefixes for people (IRIs of these namespaces are written short).
CURIES = {
    "pkg": str(PKG), "pkgid": str(ID), "sdg": SDG, "sdgo": str(SDGO), "sssom": SSSOM,
    "semapv": SEMAPV, "skos": "http://www.w3.org/2004/02/skos/core#", "prov": _PROV,
    "pkgmap": "https://w3id.org/policing-kg/mapping/",
    "pkgset": "https://w3id.org/policing-kg/mappings/",
}


def curie(iri: str) -> str:
    """Write an IRI as a CURIE where one of :data:`CURIES` fits (``semapv:MappingChaining``)."""
    best = ""
    for prefix, namespace in CURIES.items():
        if iri.startswith(namespace) and len(namespace) > len(CURIES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(CURIES[best]):]}" if best else iri


_RECORDS = f"""
SELECT ?record ?set ?s ?p ?o ?j ?a ?c WHERE {{
  ?set <{SSSOM}mappings> ?record .
  ?record <{SSSOM}subject_id> ?s ; <{SSSOM}predicate_id> ?p ; <{SSSOM}object_id> ?o ;
          <{SSSOM}mapping_justification> ?j ; <{SSSOM}author_id> ?a .
  OPTIONAL {{ ?record <{SSSOM}confidence> ?c }}
}}"""
_COMMENTS = f"""SELECT ?record ?text WHERE {{ ?record a <{SSSOM}Mapping> ;
  <{_RDFS}comment> ?text }}"""
_DERIVED = f"""SELECT ?record ?from WHERE {{ ?record a <{SSSOM}Mapping> ;
  <{_PROV}wasDerivedFrom> ?from . ?from a <{SSSOM}Mapping> }}"""


def read_crosswalk(store: Any, names: Names | None = None) -> Crosswalk:
    """Read the crosswalk from a pyoxigraph store holding a release (the union of its graphs)."""
    def select(query: str) -> Iterable[Any]:
        return store.query(query, use_default_graph_as_union=True)  # type: ignore[no-any-return]

    reasons: dict[str, dict[str, str]] = defaultdict(dict)
    for row in select(_COMMENTS):
        language = getattr(row["text"], "language", None) or "en"
        reasons[row["record"].value][language] = row["text"].value
    derived: dict[str, set[str]] = defaultdict(set)
    for row in select(_DERIVED):
        derived[row["record"].value].add(row["from"].value)
    links: list[Link] = []
    rulings: list[Link] = []
    seen: set[str] = set()
    for row in select(_RECORDS):
        record = row["record"].value
        if record in seen:
            continue
        seen.add(record)
        confidence = row["c"]
        link = Link(record, row["set"].value, row["s"].value, row["p"].value, row["o"].value,
                    row["j"].value, row["a"].value,
                    None if confidence is None else float(confidence.value),
                    tuple(sorted(reasons.get(record, {}).items())),
                    tuple(sorted(derived.get(record, set()))))
        (rulings if link.object == NO_TERM_FOUND else links).append(link)
    names = names or read_names(store)
    order = sorted(links, key=lambda link: link.record)
    return Crosswalk(tuple(order), tuple(sorted(rulings, key=lambda link: link.record)), names)



#: The release's SSSOM file of the whole crosswalk.
CROSSWALK_FILE = "policing-kg-crosswalk.sssom.tsv"
_COLUMNS = ("record_id", "subject_id", "subject_label", "subject_category", "predicate_id",
            "predicate_label", "object_id", "object_label", "object_category",
            "mapping_justification", "author_id", "confidence", "comment", "derived_from",
            "subject_label_fr", "object_label_fr", "source_mapping_set_id")
_EXTENSION = "https://w3id.org/policing-kg/sssom#"


def crosswalk_sssom(crosswalk: Crosswalk, version: str) -> bytes:
    """Write the whole crosswalk as one SSSOM/TSV file.

    The whole crosswalk as one SSSOM/TSV file: every curated row and every inferred link
    (``semapv:MappingChaining``, with the records it chains in ``derived_from``), labels in
    English (``subject_label``) and French (extension slots), kinds as categories.
    """
    from policing_kg.curation.mappings import sssom_text

    names = crosswalk.names
    metadata: dict[str, Any] = {
        "curie_map": {"pkg": str(PKG), "pkgid": str(ID), "sdg": SDG, "sdgo": str(SDGO),
                      "semapv": SEMAPV, "prov": _PROV, "pkgx": _EXTENSION,
                      "pkgmap": CURIES["pkgmap"], "pkgset": CURIES["pkgset"]},
        "mapping_set_id": f"https://w3id.org/policing-kg/release/{version}/crosswalk",
        "mapping_set_version": version,
        "mapping_set_title": "policing-kg: the whole crosswalk, curated and inferred links",
        "mapping_set_description": (
            "Every link of the release, one record each: the curated rows of data/mappings/ "
            "(source_mapping_set_id names their set) and every link the ontology's property "
            "chains infer (semapv:MappingChaining; derived_from lists the records of the links "
            f"it chains; comment gives its routes in words). Confidence: {CONFIDENCE_RULE}. "
            "Labels are English; subject_label_fr and object_label_fr are French."),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "creator_id": [str(ID) + "agent/policing-kg"],
        "extension_definitions": [
            {"slot_name": "derived_from", "property": "prov:wasDerivedFrom",
             "type_hint": "http://www.w3.org/2001/XMLSchema#anyURI"},
            {"slot_name": "subject_label_fr", "property": "pkgx:subject_label_fr"},
            {"slot_name": "object_label_fr", "property": "pkgx:object_label_fr"},
            {"slot_name": "source_mapping_set_id", "property": "pkgx:source_mapping_set_id",
             "type_hint": "http://www.w3.org/2001/XMLSchema#anyURI"},
        ],
    }
    rows = []
    for link in sorted(crosswalk.links, key=crosswalk._order):
        rows.append({
            "record_id": link.record,
            "subject_id": link.subject, "subject_label": names.label(link.subject, "en"),
            "subject_category": names.kind_label(link.subject, "en"),
            "predicate_id": link.predicate,
            "predicate_label": names.property_labels.get((link.predicate, "en"), ""),
            "object_id": link.object, "object_label": names.label(link.object, "en"),
            "object_category": names.kind_label(link.object, "en"),
            "mapping_justification": link.justification, "author_id": link.author,
            "confidence": "" if link.confidence is None else f"{link.confidence:g}",
            "comment": link.reason("en"),
            "derived_from": "|".join(link.derived_from),
            "subject_label_fr": names.label(link.subject, "fr"),
            "object_label_fr": names.label(link.object, "fr"),
            "source_mapping_set_id": link.mapping_set,
        })
    return sssom_text(metadata, rows, _COLUMNS).encode("utf-8")
