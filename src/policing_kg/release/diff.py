"""What changed between two releases, item by item (``policing-kg diff OLD NEW``).

A release is read from its folder (``dist/``) or its archive (``.tar.gz``), each checked
against its ``SHA256SUMS``. Items (the documents and their concepts, under ``id/``) are compared
by IRI: added, removed, moved (renumbered to another IRI with the same text, or placed under
another parent), re-labelled (a label or notation outside the source text), text changed (the
source text itself). Translations, mappings (SSSOM records) and inferred links are compared as
sets, and so are the SHACL results, which a release keeps in ``quality-report.json`` (for an
older release without them, they are computed with the shapes given, and the output says so).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policing_kg.common.iris import BASE, ID, PKG
from policing_kg.common.literals import XSD, canonical_literal
from policing_kg.common.sorting import natural_key
from policing_kg.errors import PolicingKGError
from policing_kg.release.archive import checked_files, read_archive

__all__ = ["Snapshot", "read_snapshot", "snapshot_of", "diff_releases", "ReleaseDiff"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SSSOM = "https://w3id.org/sssom/"
_DOCUMENT_GRAPH = BASE + "graph/document/"
_LABELS = {_SKOS + "prefLabel", _SKOS + "altLabel", _SKOS + "hiddenLabel", _SKOS + "notation",
           "http://purl.org/dc/terms/title"}
_TEXTS = {_SKOS + "prefLabel", "http://purl.org/dc/terms/description"}


@dataclass
class Snapshot:
    """A release as the diff reads it: its quads and its SHACL results."""

    version: str
    quads: list[ox.Quad]
    shacl: list[dict[str, str]] | None
    shacl_computed: bool = False


def _version(quads: Sequence[ox.Quad], void: bytes | None) -> str:
    dataset, version = ID + "dataset", "http://www.w3.org/ns/dcat#version"
    statements: list[Any] = list(quads)
    if void:
        statements += list(ox.parse(void, format=ox.RdfFormat.TURTLE))
    for statement in statements:
        if _value(statement.subject) == dataset and statement.predicate.value == version:
            return _value(statement.object)
    return "unknown"


def _value(term: Any) -> str:
    return str(getattr(term, "value", ""))


def _shacl(report: bytes | None) -> list[dict[str, str]] | None:
    if report is None:
        return None
    try:
        return list(json.loads(report)["shacl"]["results"])
    except (ValueError, KeyError, TypeError):
        return None


def read_snapshot(path: Path, sha256: str | None = None) -> Snapshot:
    """Read a release folder or archive, every file checked against its SHA256SUMS first.

    An archive is checked against ``sha256`` first, where its release record gives one.
    """
    if path.is_dir():
        from policing_kg.common.files import SITE, is_archive_name

        try:
            files = checked_files({p.name: p.read_bytes() for p in path.iterdir() if p.is_file()
                                   and p.name != SITE and not is_archive_name(p.name)}, path)
        except OSError as exc:
            raise PolicingKGError(f"cannot read the release ({exc.strerror})",
                                  where=str(path)) from None
    elif path.name.endswith(".tar.gz") and path.is_file():
        files = read_archive(path, sha256)  # checked against its SHA256SUMS there
    else:
        raise PolicingKGError("not a release", where=str(path),
                              hint="give a release folder (dist/) or its .tar.gz archive")
    try:
        quads = list(ox.parse(files["policing-kg.nq"], format=ox.RdfFormat.N_QUADS))
        version = _version(quads, files.get("void.ttl"))
    except (SyntaxError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:160]
        raise PolicingKGError(f"the release does not parse ({detail})", where=str(path)) \
            from None
    report = files.get("quality-report.json")
    shacl = _shacl(report) if report is not None else None
    if report is not None and shacl is None:
        raise PolicingKGError("quality-report.json has no SHACL results", where=str(path),
                              hint="rebuild the release")
    return Snapshot(version, quads, shacl)


def snapshot_of(version: str, quads: list[ox.Quad], shacl: list[dict[str, str]]) -> Snapshot:
    """Return the snapshot of a release being built, not yet written."""
    return Snapshot(version, quads, shacl)


def _term(term: Any) -> str:
    if isinstance(term, ox.Literal):
        if term.language:
            return f"{term.value}@{term.language}"
        datatype = term.datatype.value
        if datatype.startswith("http://www.w3.org/2001/XMLSchema#"):
            return term.value  # a string or a number: its datatype says nothing to a reader
        return f"{term.value}^^{datatype.replace(str(PKG), 'pkg:')}"
    return str(getattr(term, "value", term))


@dataclass
class _Item:
    kinds: set[str] = field(default_factory=set)
    parents: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)


def _index(snapshot: Snapshot) -> dict[str, Any]:
    items: dict[str, _Item] = defaultdict(_Item)
    translations, mappings, inferred = set(), {}, set()
    records: dict[str, dict[str, str]] = defaultdict(dict)
    concepts = {_SKOS + "Concept", _SKOS + "ConceptScheme"}
    typed: set[str] = set()
    schemes: set[str] = set()
    for quad in snapshot.quads:
        s, p, o = quad.subject, quad.predicate.value, quad.object
        graph, subject, value = _value(quad.graph_name), _value(s), _value(o)
        if p == _RDF_TYPE and value in concepts and subject.startswith(str(ID)):
            typed.add(subject)
            if value == _SKOS + "ConceptScheme":
                schemes.add(subject)
        if graph == BASE + "graph/mappings" and p.startswith(_SSSOM) \
                and isinstance(s, ox.NamedNode):
            records[subject][p.removeprefix(_SSSOM)] = _term(o)
        if graph == BASE + "graph/inferred" and p.startswith(str(PKG)) \
                and isinstance(o, ox.NamedNode):
            inferred.add((subject, p, value))
        if not subject.startswith(str(ID)):
            continue
        item = items[subject]
        if p == _RDF_TYPE and value.startswith(str(PKG)):
            item.kinds.add(value.removeprefix(str(PKG)))
        elif p == _SKOS + "broader":
            item.parents.add(value)
        elif graph == BASE + "graph/translations" and p == _SKOS + "prefLabel":
            translations.add((subject, getattr(o, "language", None) or "", value))
        elif graph.startswith(_DOCUMENT_GRAPH) and p in _TEXTS:
            item.texts.add(f"{p.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}: {_term(o)}")
        elif p in _LABELS:
            item.labels.add(f"{p.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}: {_term(o)}")
    for iri in schemes:  # a document's title is a label, not a text of its source
        titles = {t for t in items[iri].texts if t.startswith("prefLabel: ")}
        items[iri].texts -= titles
        items[iri].labels |= titles
    for record in records.values():
        if {"subject_id", "predicate_id", "object_id"} <= record.keys():
            key = (record["subject_id"], record["predicate_id"], record["object_id"])
            # by value: an earlier release wrote a confidence of 1 as "1.0" (common/literals.py)
            mappings[key] = canonical_literal(record.get("confidence", ""), XSD + "double")
    return {"items": {iri: items[iri] for iri in typed}, "translations": translations,
            "mappings": mappings, "inferred": inferred}


def _sorted(rows: Iterable[dict[str, str]], *keys: str) -> list[dict[str, str]]:
    return sorted(rows, key=lambda row: tuple(natural_key(str(row.get(k, ""))) for k in keys))


def _label(item: _Item) -> str:
    texts = sorted(item.texts)
    return texts[0].split(": ", 1)[1] if texts else ""


@dataclass
class ReleaseDiff:
    """The differences, as plain values (what ``changes.json`` holds)."""

    old: str
    new: str
    data: dict[str, Any]

    def counts(self) -> dict[str, int]:
        """How many changes of each kind (``items.added``, ``shacl.appeared``, …)."""
        return {f"{group}.{kind}": len(rows) for group, kinds in self.data.items()
                if isinstance(kinds, dict) for kind, rows in kinds.items()}

    def to_json(self) -> dict[str, Any]:
        """Return the diff with its counts."""
        return {"old": self.old, "new": self.new, "counts": self.counts(), **self.data}

    def json_bytes(self) -> bytes:
        """``changes.json``."""
        return (json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n").encode()

    def markdown(self, notes: str | None = None, date: str | None = None) -> str:
        """Return a summary with counts, then every change (``CHANGES.md``)."""
        heading = f"# policing-kg {self.new}" + (f" ({date})" if date else "")
        lines = [heading, ""]
        if notes:
            lines += [notes.strip(), ""]
        lines += [f"## Changes from {self.old}", "", "| what | how many |", "| --- | ---: |"]
        lines += [f"| {name.replace('.', ' ')} | {n} |" for name, n in self.counts().items()]
        if self.data.get("shacl_note"):
            lines += ["", str(self.data["shacl_note"])]
        for group, kinds in self.data.items():
            if not isinstance(kinds, dict):
                continue
            for kind, rows in kinds.items():
                if rows:
                    lines += ["", f"### {group.capitalize()} {kind} ({len(rows)})", ""]
                    lines += [f"- {_row(row)}" for row in rows]
        return "\n".join(lines) + "\n"


def _row(row: dict[str, str]) -> str:
    def short(text: str) -> str:
        text = " ".join(str(text).split()).replace(str(ID), "").replace(str(PKG), "pkg:")
        text = text.replace("http://metadata.un.org/sdg/", "sdg/").replace("|", "\\|")
        return text if len(text) <= 140 else text[:139] + "…"

    return "; ".join(f"{key}: {short(value)}" for key, value in row.items() if value != "")


def _translations(before: set[tuple[str, str, str]],
                  after: set[tuple[str, str, str]]) -> dict[str, list[dict[str, str]]]:
    """Return the translations added, removed or changed (same item and language, new text)."""
    old = {(i, lang): t for i, lang, t in before}
    new = {(i, lang): t for i, lang, t in after}
    return {
        "added": _sorted(({"item": i, "language": lang, "text": new[(i, lang)]}
                          for i, lang in new.keys() - old.keys()), "item", "language"),
        "removed": _sorted(({"item": i, "language": lang, "text": old[(i, lang)]}
                            for i, lang in old.keys() - new.keys()), "item", "language"),
        "changed": _sorted(({"item": i, "language": lang, "before": old[(i, lang)],
                             "after": new[(i, lang)]}
                            for i, lang in old.keys() & new.keys()
                            if old[(i, lang)] != new[(i, lang)]), "item", "language"),
    }


def _shacl_key(result: dict[str, str]) -> tuple[str, ...]:
    return tuple(str(result.get(k, "")) for k in ("focus", "path", "component", "severity",
                                                  "message"))


def diff_releases(old: Snapshot, new: Snapshot) -> ReleaseDiff:
    """Compare two releases (see the module's docstring)."""
    a, b = _index(old), _index(new)
    items_a, items_b = a["items"], b["items"]
    added = set(items_b) - set(items_a)
    removed = set(items_a) - set(items_b)
    moved = []
    by_text = {(frozenset(items_b[i].kinds), frozenset(items_b[i].texts)): i for i in added
               if items_b[i].texts}
    for iri in sorted(removed, key=natural_key):
        twin = by_text.get((frozenset(items_a[iri].kinds), frozenset(items_a[iri].texts)))
        if twin is not None and twin in added:
            moved.append({"item": twin, "from": iri, "how": "renumbered (same text)"})
            added.discard(twin)
            removed.discard(iri)
    relabelled, changed = [], []
    for iri in set(items_a) & set(items_b):
        before, after = items_a[iri], items_b[iri]
        if before.parents != after.parents:
            moved.append({"item": iri, "from": ", ".join(sorted(before.parents)),
                          "to": ", ".join(sorted(after.parents)), "how": "another parent"})
        if before.texts != after.texts:
            changed.append({"item": iri, "before": " | ".join(sorted(before.texts - after.texts)),
                            "after": " | ".join(sorted(after.texts - before.texts))})
        if before.labels != after.labels:
            relabelled.append({"item": iri,
                               "removed": " | ".join(sorted(before.labels - after.labels)),
                               "added": " | ".join(sorted(after.labels - before.labels))})

    def item_rows(iris: Iterable[str], index: dict[str, _Item]) -> list[dict[str, str]]:
        return _sorted(({"item": i, "kind": ", ".join(sorted(index[i].kinds)),
                         "label": _label(index[i])} for i in iris), "item")

    def link_rows(links: Iterable[tuple[str, str, str]]) -> list[dict[str, str]]:
        return _sorted(({"subject": s, "predicate": p, "object": o} for s, p, o in links),
                       "subject", "predicate", "object")

    def mapping_rows(keys: Iterable[tuple[str, str, str]],
                     confidence: dict[tuple[str, str, str], str]) -> list[dict[str, str]]:
        return _sorted(({"subject": s, "predicate": p, "object": o,
                         "confidence": confidence[(s, p, o)]} for s, p, o in keys),
                       "subject", "predicate", "object")

    shacl_a = {_shacl_key(r): r for r in old.shacl or []}
    shacl_b = {_shacl_key(r): r for r in new.shacl or []}
    data: dict[str, Any] = {
        "items": {
            "added": item_rows(added, items_b), "removed": item_rows(removed, items_a),
            "moved": _sorted(moved, "item", "how"), "relabelled": _sorted(relabelled, "item"),
            "text changed": _sorted(changed, "item"),
        },
        "translations": _translations(a["translations"], b["translations"]),
        "mappings": {
            "added": mapping_rows(b["mappings"].keys() - a["mappings"].keys(), b["mappings"]),
            "removed": mapping_rows(a["mappings"].keys() - b["mappings"].keys(), a["mappings"]),
            "confidence changed": _sorted(
                ({"subject": s, "predicate": p, "object": o,
                  "before": a["mappings"][(s, p, o)], "after": b["mappings"][(s, p, o)]}
                 for s, p, o in a["mappings"].keys() & b["mappings"].keys()
                 if a["mappings"][(s, p, o)] != b["mappings"][(s, p, o)]), "subject"),
        },
        "inferred": {"added": link_rows(b["inferred"] - a["inferred"]),
                     "removed": link_rows(a["inferred"] - b["inferred"])},
        "shacl": {
            "appeared": _sorted((shacl_b[k] for k in shacl_b.keys() - shacl_a.keys()),
                                "focus", "path", "component"),
            "disappeared": _sorted((shacl_a[k] for k in shacl_a.keys() - shacl_b.keys()),
                                   "focus", "path", "component"),
        },
    }
    notes = [f"{s.version} keeps no SHACL results: its results here are those of this "
             f"checkout's shapes on {s.version}'s data (what today's shapes say of it)"
             for s in (old, new) if s.shacl_computed]
    if notes:
        data["shacl_note"] = "Note: " + "; ".join(notes) + "."
    return ReleaseDiff(old.version, new.version, data)


def compute_shacl(snapshot: Snapshot, shapes: Any) -> None:
    """Fill in a release's SHACL results where it does not keep them (older releases)."""
    if snapshot.shacl is not None:
        return
    from policing_kg.checks.shacl import validate_store, validation_store

    report = validate_store(validation_store(snapshot.quads), shapes)
    snapshot.shacl = shacl_rows(report.results)
    snapshot.shacl_computed = True


def shacl_rows(results: Iterable[Any]) -> list[dict[str, str]]:
    """SHACL results as the release keeps them (``quality-report.json``, key ``shacl``)."""
    rows = [{"focus": str(r.focus), "path": r.path,
             "component": str(r.component).rsplit("#", 1)[-1],
             "severity": r.level, "value": "" if r.value is None else str(r.value),
             "message": r.message} for r in results]
    return _sorted(rows, "focus", "path", "component", "value")


__all__ += ["compute_shacl", "shacl_rows"]
