"""The UN Sustainable Development Goals: the project's own table, and the UN's vocabulary.

``data/sdg/sdg-goals-targets.toml`` holds the 17 goals and 169 targets (official English and
French titles, English short titles). The build emits them into the ``reference`` layer on the
UN's own IRIs (``http://metadata.un.org/sdg/16.4``), typed with the UN SDG ontology, with the
two notations of the UN's SDG Knowledge Organization System (KOS) and the hierarchy.

``policing-kg sdg import FILE_OR_URL`` reads the UN's SDG KOS itself (Turtle or RDF/XML) and
keeps what the table does not say — the 232 indicators with their labels, notations and
targets, and the goals' and targets' ``skos:exactMatch`` links — in ``imported/sdg/``, which
later builds add to the reference layer with a record of where it came from. The table stays
the source of the goals' and targets' titles; the import compares them and lists every
difference (:func:`compare_labels`).
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

from policing_kg.errors import DataError, PolicingKGError
from policing_kg.iris import ID, SDGO, SPDX

__all__ = [
    "SDG",
    "SCHEME",
    "SdgRow",
    "SdgTable",
    "load_sdg_table",
    "sdg_code",
    "sdg_triples",
    "LabelDifference",
    "compare_labels",
    "ImportReport",
    "import_vocabulary",
    "imported_triples",
    "IMPORT_FOLDER",
]

SDG = "http://metadata.un.org/sdg/"
SCHEME = URIRef("http://metadata.un.org/sdg")
#: Where ``sdg import`` keeps what it read (generated; not committed).
IMPORT_FOLDER = Path("imported") / "sdg"
_IMPORT_FILE = "un-sdg-kos.nt"
_RECORD_FILE = "source.toml"
_RECORD = URIRef(ID + "import/un-sdg-kos")
_LANGUAGES = ("en", "fr")
_MAX_BYTES = 64 * 1024 * 1024
_GOAL = re.compile(r"^(1[0-7]|[1-9])$")
_TARGET = re.compile(r"^(1[0-7]|[1-9])\.([1-9][0-9]?|[a-z])$")


@dataclass(frozen=True)
class SdgRow:
    """A goal or a target of the table."""

    kind: str  # "goal" or "target"
    code: str
    en: str
    fr: str
    short_en: str | None = None
    #: Languages in which the UN's KOS is known to differ from the official text, and why.
    kos_differs: dict[str, str] = field(default_factory=dict)

    @property
    def iri(self) -> URIRef:
        """The UN's IRI of the goal or target."""
        return URIRef(SDG + self.code)

    @property
    def goal(self) -> str:
        """The code of the goal (the goal itself, or the target's goal)."""
        return self.code.split(".", 1)[0]


@dataclass(frozen=True)
class SdgTable:
    """The table: its rows in file order, and where its titles come from."""

    path: str
    rows: tuple[SdgRow, ...]
    source_title: str
    source_url: str

    @property
    def goals(self) -> list[SdgRow]:
        """The goals, in order."""
        return [row for row in self.rows if row.kind == "goal"]

    @property
    def targets(self) -> list[SdgRow]:
        """The targets, in order."""
        return [row for row in self.rows if row.kind == "target"]


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{key} is missing or empty", where=where,
                        hint="every row needs code, en and fr (and short_en for a goal)")
    return value


def load_sdg_table(path: Path, shown: str | None = None) -> SdgTable:
    """Read and check the table: code formats, no duplicates, every target under a goal."""
    shown = shown or str(path)
    from policing_kg import typed
    from policing_kg.sources import load_toml

    try:
        data = load_toml(path)
    except DataError as exc:
        raise DataError(exc.what, where=shown, hint=exc.hint) from None
    source = typed.table(data.get("source", {}), "source", shown)
    rows: list[SdgRow] = []
    seen: set[str] = set()
    for kind, pattern in (("goal", _GOAL), ("target", _TARGET)):
        for entry in typed.records(data, kind, shown):
            code = entry.get("code", "")
            if not isinstance(code, str):
                raise DataError(f"`code` must be text, not {typed.kind_of(code)}",
                                where=f"{shown} [[{kind}]] code = {code!r}",
                                hint="quote it: code = \"16.4\"")
            where = f"{shown} [[{kind}]] code = {code!r}"
            if not pattern.match(code):
                example = "16" if kind == "goal" else "16.4 or 16.a"
                raise DataError(f"{code!r} is not the code of an SDG {kind}", where=where,
                                hint=f"write it as the UN does: {example}")
            if code in seen:
                raise DataError(f"{kind} {code} is listed twice", where=where)
            seen.add(code)
            differs = entry.get("kos_differs", {})
            if not isinstance(differs, dict) or set(differs) - set(_LANGUAGES) or not all(
                    isinstance(v, str) and v.strip() for v in differs.values()):
                raise DataError("kos_differs must map en or fr to the reason", where=where)
            rows.append(SdgRow(
                kind=kind, code=code, en=_text(entry, "en", where), fr=_text(entry, "fr", where),
                short_en=_text(entry, "short_en", where) if kind == "goal" else None,
                kos_differs=dict(differs),
            ))
    goals = {row.code for row in rows if row.kind == "goal"}
    for row in rows:
        if row.kind == "target" and row.goal not in goals:
            raise DataError(f"target {row.code} has no goal {row.goal} in the table", where=shown)
    return SdgTable(shown, tuple(rows), str(source.get("title", "")), str(source.get("url", "")))


def sdg_code(code: str) -> str:
    """Return the long form of an SDG code, as the UN's KOS writes it (``sdgo:SDGCode``).

    >>> [sdg_code(c) for c in ("1", "16", "1.1", "16.10", "1.a")]
    ['01', '16', '01.01', '16.10', '01.0a']
    """
    goal, _, target = code.partition(".")
    long = goal.zfill(2)
    if target:
        long += "." + target.zfill(2)
    return long


def sdg_triples(table: SdgTable) -> list[tuple[Any, Any, Any]]:
    """Return the table as RDF on the UN's IRIs: types, notations, labels, hierarchy, source."""
    source = URIRef(table.source_url) if table.source_url else None
    triples: list[tuple[Any, Any, Any]] = [
        (SCHEME, RDF.type, SKOS.ConceptScheme),
        (SCHEME, DCTERMS.title, Literal("Sustainable Development Goals", lang="en")),
        (SCHEME, DCTERMS.title, Literal("Objectifs de développement durable", lang="fr")),
    ]
    for row in table.rows:
        node = row.iri
        triples += [
            (node, RDF.type, SKOS.Concept),
            (node, RDF.type, SDGO.Goal if row.kind == "goal" else SDGO.Target),
            (node, SKOS.inScheme, SCHEME),
            (node, SKOS.notation, Literal(sdg_code(row.code), datatype=SDGO.SDGCode)),
            (node, SKOS.notation, Literal(row.code, datatype=SDGO.SDGCodeCompact)),
            (node, SKOS.prefLabel, Literal(" ".join(row.en.split()), lang="en")),
            (node, SKOS.prefLabel, Literal(" ".join(row.fr.split()), lang="fr")),
        ]
        if source is not None:
            triples.append((node, DCTERMS.source, source))
        if row.kind == "goal":
            triples += [(node, SKOS.topConceptOf, SCHEME), (SCHEME, SKOS.hasTopConcept, node)]
            if row.short_en:
                triples.append((node, SKOS.altLabel, Literal(row.short_en, lang="en")))
        else:
            goal = URIRef(SDG + row.goal)
            triples += [(node, SKOS.broader, goal), (goal, SKOS.narrower, node),
                        (goal, SDGO.hasTarget, node), (node, SDGO.isTargetOf, goal)]
    return triples


# -- comparing the table with the UN's vocabulary ------------------------------------------------


def _fold(text: str) -> str:
    """Whitespace aside (all of it), and the non-breaking hyphen U+2011 read as a hyphen."""
    return re.sub(r"\s+", "", text.replace("\u2011", "-"))


@dataclass(frozen=True)
class LabelDifference:
    """A title of the table that the UN's vocabulary gives otherwise (or not at all)."""

    code: str
    language: str
    field: str  # "title" or "short title"
    ours: str
    theirs: str | None
    documented: str | None  # the table's reason, when it records this difference

    def line(self) -> str:
        """One line for a report."""
        theirs = "(none)" if self.theirs is None else repr(self.theirs)
        state = f"documented: {self.documented}" if self.documented else "UNDOCUMENTED"
        return (f"{self.code} {self.field} @{self.language}: table {self.ours!r} / "
                f"UN {theirs} [{state}]")


def compare_labels(table: SdgTable, graph: Graph) -> tuple[list[LabelDifference], list[str]]:
    """Compare every title of the table with the vocabulary's labels (whitespace aside).

    Returns the differences, and the table's documented differences that no longer differ
    (stale notes, ``"16.4 fr"``).
    """
    differences: list[LabelDifference] = []
    stale: list[str] = []
    for row in table.rows:
        labels: dict[str, list[str]] = {}
        for label in graph.objects(row.iri, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language:
                labels.setdefault(label.language, []).append(str(label))
        for language in _LANGUAGES:
            ours = getattr(row, language)
            theirs = labels.get(language, [])
            documented = row.kos_differs.get(language)
            if any(_fold(ours) == _fold(t) for t in theirs):
                if documented:
                    stale.append(f"{row.code} {language}")
                continue
            differences.append(LabelDifference(row.code, language, "title", ours,
                                               theirs[0] if theirs else None, documented))
        if row.short_en:
            alternatives = [str(a) for a in graph.objects(row.iri, SKOS.altLabel)
                            if isinstance(a, Literal) and a.language == "en"]
            if not any(_fold(row.short_en) == _fold(a) for a in alternatives):
                differences.append(LabelDifference(
                    row.code, "en", "short title", row.short_en,
                    alternatives[0] if alternatives else None, None))
    return differences, stale


# -- importing the UN's vocabulary ---------------------------------------------------------------


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


def _read_source(source: str, timeout: float) -> tuple[bytes, str | None]:
    """Return the bytes of a file or an http(s) URL, and the media type the server gave."""
    if "://" in source:
        from policing_kg.rdf.http import request

        response = request("GET", source, headers={
            "Accept": "text/turtle, application/rdf+xml;q=0.9"}, timeout=timeout,
            max_bytes=_MAX_BYTES)
        if response.status >= 400:
            raise PolicingKGError(f"HTTP {response.status} {response.reason}", where=source,
                                  hint="check the URL")
        return response.body, response.media_type
    from policing_kg.rdf.reading import read_capped

    try:
        return read_capped(Path(source), _MAX_BYTES, hint="the UN's vocabulary is under 1 MB: "
                           "is this the right file?"), None
    except PolicingKGError as exc:
        if exc.what == "no such file":
            raise PolicingKGError("no such file", where=source,
                                  hint="give the path of the UN's SDG KOS (Turtle or RDF/XML)"
                                  ) from None
        raise


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

    from policing_kg.rdf.reading import check_structure, decode, parse
    from policing_kg.rdf.terms import graph_of_quads

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
    from policing_kg.rdf.files import write_atomically

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

    from policing_kg.rdf.terms import to_oxigraph

    s, p, o = (to_oxigraph(term) for term in triple)
    return f"{ox.Triple(s, p, o)} .\n"  # type: ignore[arg-type]


def imported_triples(root: Path) -> Iterable[tuple[Any, Any, Any]]:
    """Return what an earlier ``sdg import`` kept, if there is one (else nothing)."""
    import pyoxigraph as ox

    path = root / IMPORT_FOLDER / _IMPORT_FILE
    if not path.is_file():
        return []
    from policing_kg.rdf.terms import graph_of_quads

    try:
        return list(graph_of_quads(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)))
    except (SyntaxError, OSError) as exc:
        raise DataError(f"the imported SDG vocabulary is unreadable: {exc}", where=str(path),
                        hint="run `policing-kg sdg import` again, or delete imported/sdg/"
                        ) from None
