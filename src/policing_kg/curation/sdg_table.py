"""The UN Sustainable Development Goals: the project's own table (``sdg_import`` adds the UN's).

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

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from policing_kg.common.iris import SDG, SDGO
from policing_kg.errors import DataError

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
]

SCHEME = URIRef("http://metadata.un.org/sdg")
_LANGUAGES = ("en", "fr")
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
    """The table: its rows in file order, and where its titles come from (a URL)."""

    path: str
    rows: tuple[SdgRow, ...]
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
    from policing_kg.common import datafiles as typed
    from policing_kg.common.datafiles import load_toml

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
    return SdgTable(shown, tuple(rows), str(source.get("url", "")))


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
