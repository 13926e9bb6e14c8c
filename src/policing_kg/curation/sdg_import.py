"""``policing-kg sdg import FILE_OR_URL``: the UN's SDG vocabulary, kept for the next build.

It reads the UN's SDG Knowledge Organization System (Turtle or RDF/XML, a file or a URL, with
every defence a reader of RDF has) and keeps what the project's table does not say — the
indicators with their labels, notations and targets, and the goals' and targets' links — in
``imported/sdg/``, which later builds add to the reference layer with a record of where it came
from. Only http(s) and ``urn:`` IRIs and code-like notations are kept. The table stays the
source of the titles: every title the vocabulary gives otherwise is listed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from policing_kg.common.iris import ID, SDG, SDGO, SPDX
from policing_kg.curation.sdg_table import (
    _LANGUAGES,
    SCHEME,
    LabelDifference,
    SdgTable,
    compare_labels,
)
from policing_kg.errors import DataError, PolicingKGError

__all__ = ["ImportReport", "import_vocabulary", "imported_triples", "IMPORT_FOLDER"]

#: Where ``sdg import`` keeps what it read (generated; not committed).
IMPORT_FOLDER = Path("imported") / "sdg"
_IMPORT_FILE = "un-sdg-kos.nt"
_RECORD_FILE = "source.toml"
_RECORD = URIRef(ID + "import/un-sdg-kos")
_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ImportReport:
    """What an import read and kept, and how the vocabulary compares with the table."""

    source: str
    sha256: str
    goals: int
    targets: int
    indicators: int
    triples: int
    unknown: list[str]
    differences: list[LabelDifference]
    written: Path
    #: indicators that the vocabulary gives two labels in one language (kept, as given)
    doubled: list[str] = field(default_factory=list)
    #: what was left out: IRIs that are not http(s) or urn, notations that are not codes
    refused: list[str] = field(default_factory=list)

    @property
    def undocumented(self) -> list[LabelDifference]:
        """The differences from the table that the table does not record (they fail)."""
        return [d for d in self.differences if not d.documented]

    def lines(self) -> list[str]:
        """Say what was read and kept, and how its titles compare with the table."""
        lines = [f"read {self.source} (sha256 {self.sha256[:16]}…): {self.goals} goals, "
                 f"{self.targets} targets, {self.indicators} indicators",
                 f"kept {self.triples} triples in {self.written}; the next build adds them "
                 "to the reference layer"]
        if self.unknown:
            lines.append(f"not in the project's table, left out: {', '.join(self.unknown)}")
        if self.refused:
            shown = "; ".join(self.refused[:5]) + ("; …" if len(self.refused) > 5 else "")
            lines.append(f"left out, not safe to publish ({len(self.refused)}): {shown}")
        if self.doubled:
            lines.append("two labels in one language in the vocabulary itself (kept as given): "
                         + ", ".join(self.doubled))
        lines.append(f"titles that differ from the table: {len(self.differences)} "
                     f"({len(self.undocumented)} undocumented)")
        return lines + [f"  {d.line()}" for d in self.differences]


def _read_source(source: str, timeout: float) -> tuple[bytes, str | None]:
    """Return the bytes of a file or an http(s) URL, and the media type the server gave."""
    if "://" in source:
        from policing_kg.common.http import check_url, request

        check_url(source)
        _check_iri(source)  # the import's record names its source by this IRI

        response = request("GET", source, headers={
            "Accept": "text/turtle, application/rdf+xml;q=0.9"}, timeout=timeout,
            max_bytes=_MAX_BYTES)
        if response.status >= 400:
            raise PolicingKGError(f"HTTP {response.status} {response.reason}", where=source,
                                  hint="check the URL")
        return response.body, response.media_type
    from policing_kg.common.reading import read_capped

    try:
        return read_capped(Path(source), _MAX_BYTES, hint="the UN's vocabulary is under 1 MB: "
                           "is this the right file?"), None
    except PolicingKGError as exc:
        if exc.what == "no such file":
            raise PolicingKGError("no such file", where=source,
                                  hint="give the path of the UN's SDG KOS (Turtle or RDF/XML)"
                                  ) from None
        raise


def _check_iri(source: str) -> None:
    """Refuse a URL that is not a valid IRI, before any request: one line, not a traceback."""
    import pyoxigraph as ox

    from policing_kg.common.text import clean

    try:
        ox.NamedNode(source)
    except ValueError as exc:
        raise PolicingKGError(f"the URL is not a valid IRI ({clean(str(exc), 80)})",
                              where=clean(source, 120),
                              hint="percent-encode the characters an IRI may not hold "
                              "(a space is %20, a double quote %22)") from None


def _format(source: str, data: bytes, media: str | None) -> Any:
    import pyoxigraph as ox

    name = source.lower().split("?", 1)[0]
    if media in ("application/rdf+xml", "application/xml", "text/xml") or name.endswith(
            (".rdf", ".owl", ".xml")):
        return ox.RdfFormat.RDF_XML
    if media == "text/turtle" or name.endswith(".ttl"):
        return ox.RdfFormat.TURTLE
    head = data.lstrip()[:200]
    return ox.RdfFormat.RDF_XML if head.startswith(b"<?xml") or b"<rdf:RDF" in head \
        else ox.RdfFormat.TURTLE


def _parse(source: str, data: bytes, media: str | None) -> Graph:
    """Parse the vocabulary with the defences every reader of RDF has (no DOCTYPE...)."""
    import pyoxigraph as ox

    from policing_kg.common.reading import check_structure, decode, parse
    from policing_kg.common.terms import graph_of_quads

    fmt = _format(source, data, media)
    name = "RDF_XML" if fmt == ox.RdfFormat.RDF_XML else "TURTLE"
    check_structure(source, decode(source, data), name)
    try:
        return graph_of_quads(parse(source, data, name, base_iri=SDG))
    except PolicingKGError as exc:
        kind = "RDF/XML" if name == "RDF_XML" else "Turtle"
        raise PolicingKGError(f"not valid {kind}: {exc.what.removeprefix('syntax error: ')}",
                              where=exc.where or source,
                              hint="give the UN's SDG KOS as Turtle (.ttl) or RDF/XML (.rdf)"
                              ) from None


def _selected(graph: Graph, table: SdgTable) -> tuple[list[tuple[Any, Any, Any]], dict[str, int],
                                                     list[str], list[str]]:
    """Select what the import keeps: indicators in full, the links the table lacks."""
    codes = {row.iri for row in table.rows}
    goals = set(graph.subjects(RDF.type, SDGO.Goal))
    targets = set(graph.subjects(RDF.type, SDGO.Target))
    unknown = sorted(str(node).removeprefix(SDG) for node in (goals | targets) - codes)
    kept: list[tuple[Any, Any, Any]] = []
    refused: list[str] = []

    def links(node: Any) -> list[tuple[Any, Any, Any]]:
        found = []
        for match in sorted(graph.objects(node, SKOS.exactMatch), key=str):
            if _safe_iri(match):
                found.append((node, SKOS.exactMatch, match))
            else:
                refused.append(f"{str(node).removeprefix(SDG)} skos:exactMatch "
                               f"{str(match)[:60]!r}")
        return found

    for node in sorted((goals | targets) & codes, key=str):
        kept += links(node)
        kept.append((node, PROV.wasDerivedFrom, _RECORD))
    indicators = 0
    for node in sorted(graph.subjects(RDF.type, SDGO.Indicator), key=str):
        if not isinstance(node, URIRef) or not _safe_iri(node) or not str(node).startswith(SDG):
            refused.append(f"indicator {str(node)[:60]!r} (not an IRI of the UN's SDGs)")
            continue
        parents = [t for t in graph.objects(node, SKOS.broader) if t in codes]
        if not parents:
            continue  # an indicator of a target the table does not know
        indicators += 1
        kept += [(node, RDF.type, SDGO.Indicator), (node, RDF.type, SKOS.Concept),
                 (node, SKOS.inScheme, SCHEME), (node, PROV.wasDerivedFrom, _RECORD)]
        for target in sorted(parents, key=str):
            kept += [(node, SKOS.broader, target), (target, SKOS.narrower, node),
                     (node, SDGO.isIndicatorOf, target), (target, SDGO.hasIndicator, node)]
        for label in sorted(graph.objects(node, SKOS.prefLabel), key=lambda t: t.n3()):
            if isinstance(label, Literal) and label.language in _LANGUAGES:
                kept.append((node, SKOS.prefLabel,
                             Literal(" ".join(str(label).split()), lang=label.language)))
        for notation in sorted(graph.objects(node, SKOS.notation), key=lambda t: t.n3()):
            if isinstance(notation, Literal) and _NOTATION.match(str(notation)):
                kept.append((node, SKOS.notation, notation))
            else:
                refused.append(f"{str(node).removeprefix(SDG)} skos:notation "
                               f"{str(notation)[:40]!r}")
        kept += links(node)
    counts = {"goals": len(goals & codes), "targets": len(targets & codes),
              "indicators": indicators}
    return kept, counts, unknown, refused


_SAFE_IRI = re.compile(r"^(https?://|urn:)[^\s<>\"{}|\\^`\x00-\x1f\x7f]+$")
_NOTATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _safe_iri(node: Any) -> bool:
    """Only http(s) and urn IRIs come into the release from outside (no javascript:, file:)."""
    return isinstance(node, URIRef) and bool(_SAFE_IRI.match(str(node)))


def import_vocabulary(source: str, root: Path, table: SdgTable, *,
                      timeout: float = 60.0) -> ImportReport:
    """Read the UN's SDG vocabulary and keep what the table lacks in ``imported/sdg/``."""
    from policing_kg.common.files import write_atomically

    data, media = _read_source(source, timeout)
    graph = _parse(source, data, media)
    kept, counts, unknown, refused = _selected(graph, table)
    if counts["goals"] == 0:
        raise PolicingKGError("no SDG goal (sdgo:Goal on http://metadata.un.org/sdg/N) found",
                              where=source, hint="is this the UN's SDG KOS?")
    digest = hashlib.sha256(data).hexdigest()
    shown = source if "://" in source else Path(source).name
    record: list[tuple[Any, Any, Any]] = [
        (_RECORD, RDF.type, PROV.Entity),
        (_RECORD, DCTERMS.title, Literal("The UN's SDG vocabulary, as imported", lang="en")),
        (_RECORD, DCTERMS.source, URIRef(source) if "://" in source else Literal(shown)),
        (_RECORD, PROV.wasDerivedFrom, SCHEME),
        (_RECORD, SPDX.checksum, URIRef(str(_RECORD) + "#sha256")),
        (URIRef(str(_RECORD) + "#sha256"), SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
        (URIRef(str(_RECORD) + "#sha256"), SPDX.checksumValue, Literal(digest)),
    ]
    folder = root / IMPORT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    lines = sorted({_nt(triple) for triple in record + kept})
    def write_triples(path: Path) -> None:
        path.write_text("".join(lines), encoding="utf-8")

    def write_note(path: Path) -> None:
        path.write_text(note, encoding="utf-8")

    write_atomically(folder / _IMPORT_FILE, write_triples)
    note = (f'# Written by `policing-kg sdg import`; not committed.\nsource = "{shown}"\n'
            f'sha256 = "{digest}"\ngoals = {counts["goals"]}\ntargets = {counts["targets"]}\n'
            f'indicators = {counts["indicators"]}\n')
    write_atomically(folder / _RECORD_FILE, write_note)
    differences, _ = compare_labels(table, graph)
    languages: dict[tuple[str, str], int] = {}
    for subject, predicate, value in kept:
        if predicate == SKOS.prefLabel and isinstance(value, Literal):
            key = (str(subject).removeprefix(SDG), str(value.language))
            languages[key] = languages.get(key, 0) + 1
    doubled = sorted(f"{code} @{lang}" for (code, lang), n in languages.items() if n > 1)
    return ImportReport(shown, digest, counts["goals"], counts["targets"], counts["indicators"],
                        len(lines), unknown, differences, folder / _IMPORT_FILE, doubled,
                        refused)


def _nt(triple: tuple[Any, Any, Any]) -> str:
    """One N-Triples line, written by pyoxigraph (rdflib's n3() is not N-Triples)."""
    import pyoxigraph as ox

    from policing_kg.common.terms import to_oxigraph

    s, p, o = (to_oxigraph(term) for term in triple)
    return f"{ox.Triple(s, p, o)} .\n"  # type: ignore[arg-type]


def imported_triples(root: Path) -> Iterable[tuple[Any, Any, Any]]:
    """Return what an earlier ``sdg import`` kept, if there is one (else nothing)."""
    import pyoxigraph as ox

    path = root / IMPORT_FOLDER / _IMPORT_FILE
    if not path.is_file():
        return []
    from policing_kg.common.terms import graph_of_quads

    try:
        return list(graph_of_quads(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)))
    except (SyntaxError, OSError) as exc:
        raise DataError(f"the imported SDG vocabulary is unreadable: {exc}", where=str(path),
                        hint="run `policing-kg sdg import` again, or delete imported/sdg/"
                        ) from None


def import_into(project: Any, source: str, *, timeout: float = 60.0) -> ImportReport:
    """Do what ``sdg import`` does: read the project's table, import the vocabulary for it."""
    from policing_kg.curation.sdg_table import load_sdg_table

    project.check()
    table = load_sdg_table(project.sdg_table, str(project.sdg_table.relative_to(project.root)))
    return import_vocabulary(source, project.root, table, timeout=timeout)


__all__ += ["import_into"]
