"""Curated mapping sets (SSSOM TSV under ``data/mappings/``): reading, checking, coverage, RDF.

Each set becomes RDF twice: SSSOM's own form (a ``sssom:Mapping`` per row, with its
justification, author, confidence and comment, in its ``sssom:MappingSet``) and the direct
triple (``subject predicate object``) that queries follow. Rows whose object is
``sssom:NoTermFound`` record that an item was looked at and cannot be mapped; they have no
direct triple.

Every bad row is reported, each at its ``file:line``, not only the first (:class:`Problems`).
Exit codes (the README's table), the same from ``build``, ``lint`` and ``crosswalk check``: a
row that reads but does not conform (an empty column, a justification that is not SEMAPV's, an
undeclared prefix, a confidence out of range, an unknown item, a property that is not a
crosswalk property, a row stated twice) is a contribution that does not conform, exit **1**
(:class:`NonConformingData`); a file that cannot be read as SSSOM at all (not UTF-8, a YAML
header that does not parse, a missing column or header key) is bad input, exit **2**.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policing_kg.errors import DataError, NonConformingData, PolicingKGError, Problems

__all__ = [
    "SSSOM",
    "SEMAPV",
    "Mapping",
    "MappingSet",
    "load_mapping_set",
    "load_mapping_sets",
    "check_mapping_sets",
    "mapping_triples",
    "mapping_node",
    "mapping_key",
    "NO_TERM_FOUND",
    "Coverage",
    "coverage",
]

SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
NO_TERM_FOUND = SSSOM + "NoTermFound"
#: The justifications of the SEMAPV vocabulary that a curated set may use.
JUSTIFICATIONS = frozenset(SEMAPV + name for name in (
    "ManualMappingCuration", "LexicalMatching", "LogicalReasoning", "MappingReview",
    "BackgroundKnowledgeBasedMatching", "CompositeMatching", "SemanticSimilarityThresholdMatching",
    "MappingChaining", "StructuralMatching", "UnspecifiedMatching",
))
_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification", "author_id")
_ID = "https://w3id.org/policing-kg/id/"


@dataclass(frozen=True)
class Mapping:
    """One row of a mapping set, with its CURIEs expanded to IRIs."""

    subject: str
    predicate: str
    object: str
    justification: str
    author: str
    confidence: float | None
    comment: str
    line: int
    see_also: str = ""


@dataclass(frozen=True)
class MappingSet:
    """A mapping set: its metadata (the YAML header) and its rows."""

    path: str
    id: str
    name: str
    metadata: dict[str, Any]
    mappings: tuple[Mapping, ...]


def _expand(curie: str, converter: Any, where: str) -> str:
    """Expand a CURIE with the set's curie_map (the ``curies`` library); IRIs stay."""
    if curie.startswith(("http://", "https://")):
        return curie
    iri = converter.expand(curie)
    if iri is None:
        raise NonConformingData(f"{curie!r} uses a prefix that curie_map does not declare",
                                where=where, hint="declare it in the header's curie_map")
    return str(iri)


#: The columns of a set, in the order SSSOM's specification lists them (those used here).
COLUMN_ORDER = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label",
                "mapping_justification", "author_id", "confidence", "see_also", "comment")
#: Header keys in the order they are written (others follow, in the order given).
HEADER_ORDER = ("curie_map", "mapping_set_id", "mapping_set_version", "mapping_set_title",
                "mapping_set_description", "license", "creator_id")


def sssom_text(metadata: dict[str, Any], rows: list[dict[str, str]],
               column_order: Sequence[str] = COLUMN_ORDER) -> str:
    """Write an SSSOM TSV: the YAML header (``#``), then the table, with correct TSV quoting.

    CURIEs are written with the header's curie_map (a row's IRIs may be given in full).
    A field with a tab, a newline or a double quote is quoted as TSV (and CSV) readers expect:
    sssom-py (pandas) reads back exactly what was written.
    """
    import curies
    import yaml

    ordered = {k: metadata[k] for k in HEADER_ORDER if k in metadata}
    ordered.update({k: v for k, v in metadata.items() if k not in ordered})
    converter = curies.Converter.from_prefix_map(
        {**{str(k): str(v) for k, v in ordered.get("curie_map", {}).items()},
         "sssom": SSSOM})
    header = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=10**9,
                            default_flow_style=False)
    lines = ["#" + (f" {line}" if line else "") for line in header.rstrip("\n").split("\n")]
    columns = [c for c in column_order if any(row.get(c) for row in rows)
               or c in _COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column, "") or ""
            if column.endswith("_id") or column in ("mapping_justification", "derived_from"):
                value = "|".join(converter.compress(part, passthrough=True) if "://" in part
                                 else part for part in value.split("|"))
            cells.append(value)
        writer.writerow(cells)
    return "\n".join(lines) + "\n" + buffer.getvalue()


def load_mapping_set(path: Path, name: str | None = None) -> MappingSet:
    """Read one SSSOM TSV file (``#``-prefixed YAML header, then a tab-separated table)."""
    import yaml

    shown = name or str(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read: {exc}", where=shown) from None
    lines = text.splitlines()
    header = [line[1:] for line in lines if line.startswith("#")]
    body_start = sum(1 for line in lines if line.startswith("#"))
    try:
        metadata = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise DataError(f"the YAML header does not parse: {detail}", where=shown,
                        hint="quote values that hold ': '") from None
    from policing_kg.common import datafiles as typed

    metadata = typed.table(metadata, "the YAML header", shown)
    for key in ("mapping_set_id", "license", "curie_map"):
        if key not in metadata:
            raise DataError(f"the header lacks {key}", where=shown)
    for key in ("mapping_set_id", "license"):
        typed.text(metadata, key, shown)
    for key in ("mapping_set_title", "mapping_set_description", "mapping_set_version"):
        if metadata.get(key) is not None and not isinstance(metadata[key], (str, int, float)):
            raise DataError(f"`{key}` must be text, not {typed.kind_of(metadata[key])}",
                            where=shown)
    curie_map_table = typed.table(metadata["curie_map"], "curie_map", shown)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in curie_map_table.items()):
        raise DataError("curie_map must map prefixes to namespaces (text to text)", where=shown)
    import curies

    curie_map = dict(curie_map_table)
    curie_map.setdefault("sssom", SSSOM)
    converter = curies.Converter.from_prefix_map(curie_map)
    reader = csv.DictReader(io.StringIO("\n".join(lines[body_start:])), delimiter="\t")
    missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError(f"missing column(s): {', '.join(missing)}", where=shown)
    rows = []
    problems: list[PolicingKGError] = []
    for index, row in enumerate(reader):
        line = body_start + 2 + index
        try:
            rows.append(_row(row, line, f"{shown}:{line}", converter))
        except PolicingKGError as exc:
            problems.append(exc)
    Problems.raise_if_any(problems, what=f"bad mapping row(s) in {shown}")
    set_name = path.name.removesuffix(".sssom.tsv")
    return MappingSet(shown, str(metadata["mapping_set_id"]), set_name, metadata, tuple(rows))


def _row(row: dict[str, Any], line: int, where: str, converter: Any) -> Mapping:
    """Read one row of a set (its problems are the contribution's: exit 1)."""
    values = {k: (v or "").strip() for k, v in row.items() if k is not None}
    empty = [c for c in _COLUMNS if not values.get(c)]
    if empty:
        raise NonConformingData(f"empty {', '.join(empty)}", where=where,
                                hint="every mapping needs subject, predicate, object, a SEMAPV "
                                "justification and an author")
    justification = _expand(values["mapping_justification"], converter, where)
    if justification not in JUSTIFICATIONS:
        raise NonConformingData(
            f"{values['mapping_justification']!r} is not a SEMAPV justification", where=where,
            hint="use e.g. semapv:ManualMappingCuration")
    confidence = None
    if values.get("confidence"):
        try:
            confidence = float(values["confidence"])
        except ValueError:
            confidence = -1.0
        if not 0.0 <= confidence <= 1.0:
            raise NonConformingData(f"confidence {values['confidence']!r} is not between 0 and 1",
                                    where=where, hint="give a number from 0 to 1, e.g. 0.8")
    return Mapping(
        subject=_expand(values["subject_id"], converter, where),
        predicate=_expand(values["predicate_id"], converter, where),
        object=_expand(values["object_id"], converter, where),
        justification=justification,
        author=_expand(values["author_id"], converter, where),
        confidence=confidence,
        comment=values.get("comment", ""),
        line=line,
        see_also=_see_also(values.get("see_also", ""), where),
    )


def _see_also(value: str, where: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise NonConformingData(f"see_also {value!r} is not an http(s) URL", where=where,
                        hint="give the page where the mapping's source says so")
    return value


def load_mapping_sets(directory: Path, root: Path | None = None) -> list[MappingSet]:
    """Read every ``*.sssom.tsv`` of ``data/mappings/``, cited by their path in the project."""
    sets = []
    problems: list[PolicingKGError] = []
    for path in sorted(directory.glob("*.sssom.tsv")):
        shown = str(path.relative_to(root)) if root else str(path)
        try:
            sets.append(load_mapping_set(path, shown))
        except Problems as exc:
            problems += exc.problems
        except PolicingKGError as exc:
            problems.append(exc)
    Problems.raise_if_any(problems, what="bad mapping row(s)")
    return sets


def check_mapping_sets(sets: Sequence[MappingSet], known: set[str],
                       predicates: set[str]) -> None:
    """Fail on a mapping that points at no item, uses no crosswalk property, or is repeated.

    ``known`` holds the IRIs a mapping may name; ``predicates`` the crosswalk properties.
    """
    seen: dict[tuple[str, str, str], str] = {}
    problems: list[PolicingKGError] = []
    for mapping_set in sets:
        for m in mapping_set.mappings:
            where = f"{mapping_set.path}:{m.line}"
            if m.predicate not in predicates:
                names = ", ".join(sorted(p.rsplit("#", 1)[-1] for p in predicates))
                problems.append(NonConformingData(f"{m.predicate} is not a crosswalk property",
                                                  where=where, hint=f"one of {names}"))
            for role, iri in (("subject", m.subject), ("object", m.object)):
                if iri != NO_TERM_FOUND and iri not in known:
                    problems.append(NonConformingData(
                        f"the {role} {iri} is not an item of the graph", where=where,
                        hint="check the IRI (document/kind/number)"))
            key = (m.subject, m.predicate, m.object)
            if key in seen:
                problems.append(NonConformingData("this mapping is stated twice", where=where,
                                                  hint=f"the first is at {seen[key]}; delete "
                                                  "this row"))
            seen.setdefault(key, where)
    Problems.raise_if_any(problems, what="bad mapping row(s)")


def mapping_key(iri: str) -> str:
    """Return the path of a node in a mapping record's IRI: ``gpg-2023/goal/3``, ``sdg/16.4``."""
    if iri.startswith(_ID):
        return iri[len(_ID):]
    if iri == NO_TERM_FOUND:
        return "none"
    if iri.startswith("http://metadata.un.org/sdg/"):
        return "sdg/" + iri.rsplit("/", 1)[-1]
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def mapping_node(mapping_set: MappingSet, m: Mapping) -> str:
    """Return the IRI of a mapping row's ``sssom:Mapping`` node."""
    local = m.predicate.rsplit("#", 1)[-1]
    return ("https://w3id.org/policing-kg/mapping/"
            f"{mapping_set.name}/{mapping_key(m.subject)}/{local}/{mapping_key(m.object)}")


def mapping_triples(sets: Iterable[MappingSet]) -> list[tuple[Any, Any, Any]]:
    """Return the sets in SSSOM's RDF form and as direct triples."""
    from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, PROV

    sssom = Namespace(SSSOM)
    triples: list[tuple[Any, Any, Any]] = []
    for mapping_set in sets:
        set_node = URIRef(mapping_set.id)
        meta = mapping_set.metadata
        triples += [(set_node, RDF.type, sssom.MappingSet),
                    (set_node, DCTERMS.license, URIRef(str(meta["license"]))),
                    (set_node, DCTERMS.source, Literal(mapping_set.path))]
        for key, predicate in (("mapping_set_title", DCTERMS.title),
                               ("mapping_set_description", DCTERMS.description)):
            if meta.get(key):
                triples.append((set_node, predicate, Literal(str(meta[key]), lang="en")))
        if meta.get("mapping_set_version"):
            version = Literal(str(meta["mapping_set_version"]))
            triples.append((set_node, sssom.mapping_set_version, version))
        for m in mapping_set.mappings:
            node = URIRef(mapping_node(mapping_set, m))
            triples += [
                (set_node, sssom.mappings, node),
                (node, RDF.type, sssom.Mapping),
                (node, sssom.subject_id, URIRef(m.subject)),
                (node, sssom.predicate_id, URIRef(m.predicate)),
                (node, sssom.object_id, URIRef(m.object)),
                (node, sssom.mapping_justification, URIRef(m.justification)),
                (node, sssom.author_id, URIRef(m.author)),
                (node, PROV.wasAttributedTo, URIRef(m.author)),
            ]
            if m.confidence is not None:
                triples.append((node, sssom.confidence, Literal(str(m.confidence),
                                                                 datatype=XSD.double)))
            if m.comment:
                triples.append((node, RDFS.comment, Literal(m.comment, lang="en")))
            if m.see_also:
                triples += [(node, sssom.see_also, Literal(m.see_also, datatype=XSD.anyURI)),
                            (node, RDFS.seeAlso, URIRef(m.see_also))]
            if m.object != NO_TERM_FOUND:
                triples.append((URIRef(m.subject), URIRef(m.predicate), URIRef(m.object)))
    return triples


@dataclass(frozen=True)
class Coverage:
    """What the mapping sets cover: items with no mapping, per kind, and items ruled unmappable."""

    unmapped: dict[str, list[str]]
    unmappable: list[str]
    mappings: int


def coverage(sets: Sequence[MappingSet], items: dict[str, str]) -> Coverage:
    """Report which items (IRI -> kind) no mapping touches, as subject or as object."""
    touched: set[str] = set()
    unmappable: set[str] = set()
    count = 0
    for mapping_set in sets:
        for m in mapping_set.mappings:
            count += 1
            if m.object == NO_TERM_FOUND:
                unmappable.add(m.subject)
            else:
                touched.update((m.subject, m.object))
    unmapped: dict[str, list[str]] = {}
    for iri, kind in sorted(items.items()):
        if iri not in touched and iri not in unmappable:
            unmapped.setdefault(kind, []).append(iri)
    return Coverage(unmapped, sorted(unmappable), count)
