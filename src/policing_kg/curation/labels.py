"""The project's own additions, kept apart from what is extracted.

Official English names (facts from outside the texts, each with its source), translations,
editorial labels and the editorial grouping of outcomes. Each is a TOML file under ``data/``
and each record is checked against the extracted items it speaks of.

A record is named by its ``file:line`` (the line of its ``[[table]]`` header), and every record
that does not conform is reported, not only the first (:class:`~policing_kg.errors.Problems`),
with exit code 1 (:class:`~policing_kg.errors.NonConformingData`): the file reads, what it says
is wrong. A translation whose ``from`` is not its item's text shows both texts, the differing
words marked ``[-from-]{+item's text+}``; it is called *stale* only when ``from`` was the item's
text in the previous release (the text changed since), else it *does not match*.
"""

from __future__ import annotations

import difflib
import enum
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policing_kg.common import datafiles as typed
from policing_kg.common.datafiles import load_toml
from policing_kg.errors import DataError, NonConformingData, PolicingKGError, Problems
from policing_kg.extraction.records import ItemRecord, collapse

__all__ = [
    "LabelRole",
    "LabelRecord",
    "FormerVersion",
    "OutcomeAssignment",
    "OutcomeGrouping",
    "Curation",
    "load_curation",
    "load_outcome_grouping",
    "item_key",
    "word_diff",
]


def word_diff(old: str, new: str) -> str:
    """Return ``new`` with the words that differ from ``old`` marked, as ``git diff --word-diff``.

    >>> word_diff("Renforcer la coopération", "Renforcer la coopération policière")
    'Renforcer la coopération {+policière+}'
    >>> word_diff("a b c", "a x c")
    'a [-b-]{+x+} c'
    """
    before, after = old.split(), new.split()
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts += after[b1:b2]
            continue
        removed = "[-" + " ".join(before[a1:a2]) + "-]" if a2 > a1 else ""
        added = "{+" + " ".join(after[b1:b2]) + "+}" if b2 > b1 else ""
        parts.append(removed + added)
    return " ".join(parts)


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _record_lines(path: Path, table: str) -> list[int]:
    """Return the line of each ``[[table]]`` header of a TOML file, in order."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]\s*(#.*)?$")
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [n for n, line in enumerate(text.splitlines(), 1) if header.match(line)]


def _record_where(path: Path, table: str, count: int) -> Callable[[int], str]:
    """Return how to name the n-th record (1-based): ``file:line``, or ``file (table n)``."""
    lines = _record_lines(path, table)
    if len(lines) == count:
        return lambda n: f"{path}:{lines[n - 1]}"
    return lambda n: f"{path} ({table} {n})"


def _archive_quads(archive: Path) -> list[Any]:
    """Read the N-Quads dump of a release archive, only to word a message.

    (``policing-kg diff`` reads releases with every checksum checked.)
    """
    import tarfile

    import pyoxigraph as ox

    with tarfile.open(archive, "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("policing-kg.nq"))
        handle = tar.extractfile(member)
        assert handle is not None
        return list(ox.parse(handle.read(), format=ox.RdfFormat.N_QUADS))


@functools.lru_cache(maxsize=4)
def _former_texts(data_dir: Path | None) -> tuple[str, dict[str, set[str]]] | None:
    """Return the previous release's version and the texts it gave each item, or ``None``."""
    if data_dir is None:
        return None
    try:
        from policing_kg.curation.releases import load_releases

        history = load_releases(data_dir.parent / "releases" / "releases.toml")
        record = history.current
        archive = history.archive_path(record)
        if archive is None or not archive.is_file():
            record = history.previous  # type: ignore[assignment]
            archive = history.archive_path(record) if record is not None else None
        if record is None or archive is None or not archive.is_file():
            return None
        quads = _archive_quads(archive)
    except Exception:  # noqa: BLE001 - without a readable release, nothing is "stale"
        return None
    import pyoxigraph as ox

    texts: dict[str, set[str]] = {}
    for quad in quads:
        if isinstance(quad.object, ox.Literal) and isinstance(quad.subject, ox.NamedNode):
            texts.setdefault(quad.subject.value, set()).add(collapse(quad.object.value))
    return record.version, texts


def item_key(item: ItemRecord) -> str:
    """Return the key that curation files use for an item: ``document/path``.

    >>> from policing_kg.extraction.records import ItemKind
    >>> item_key(ItemRecord("gpg-2023", ItemKind.GLOBAL_POLICING_GOAL, ("goal", "3"), "3", 3,
    ...                     "fr", "AMÉLIORER"))
    'gpg-2023/goal/3'
    """
    return "/".join((item.document, *item.path))


class LabelRole(enum.Enum):
    """Where a label that the source text does not give comes from."""

    OFFICIAL = "official"  # an official name in that language (FACTS.md), cited
    FORMER_OFFICIAL = "former-official"  # an official name of an earlier version (2017)
    TRANSLATION = "translation"  # the project's translation of the item's source text
    EDITORIAL = "editorial"  # the project's own label where the source has no wording


@dataclass(frozen=True)
class LabelRecord:
    """A label added to an item, with what justifies it."""

    item: str
    language: str
    text: str
    role: LabelRole
    source: str | None = None
    translated_from: str | None = None
    note: str | None = None
    where: str = ""
    #: For a former official name: the earlier version's own node (``gpg-2017/goal/1``).
    version: str | None = None


@dataclass(frozen=True)
class FormerVersion:
    """An earlier version of a document, known only from outside the texts (2017 goals)."""

    id: str
    title: str
    source: str
    replaced_by: str
    note: str
    where: str


@dataclass(frozen=True)
class OutcomeAssignment:
    """The editorial placing of one expected outcome under an objective, with its reasoning."""

    outcome: int
    objective: int
    begins: str
    reasoning: str


@dataclass(frozen=True)
class OutcomeGrouping:
    """An editorial grouping of a document's outcomes (the text does not determine it)."""

    path: str
    document: str
    method: str
    author: str
    assignments: tuple[OutcomeAssignment, ...]

    def parents(self) -> dict[int, int]:
        """Return outcome number -> objective number."""
        return {a.outcome: a.objective for a in self.assignments}


@dataclass(frozen=True)
class Curation:
    """Every curated addition the build merges into the graph."""

    labels: tuple[LabelRecord, ...]
    groupings: tuple[OutcomeGrouping, ...]
    versions: tuple[FormerVersion, ...] = ()

    #: ``data/`` (to read the previous release, so that a changed source text is "stale")
    data_dir: Path | None = None

    def check(self, items: Iterable[ItemRecord]) -> None:
        """Fail on records that name no item, are stale, or give a language a second label.

        Every such record is reported (:class:`Problems`), each at its ``file:line``.
        """
        by_key = {item_key(item): item for item in items}
        taken: dict[tuple[str, str], str] = {}
        problems: list[PolicingKGError] = []
        for item in by_key.values():
            if item.label is not None:
                taken[(item_key(item), item.language)] = "the source text"
        for label in self.labels:
            labelled = by_key.get(label.item)
            if labelled is None:
                problems.append(NonConformingData(
                    f"no item {label.item!r}", where=label.where,
                    hint="use document/path as in the item's IRI"))
                continue
            if label.role is LabelRole.TRANSLATION:
                original = collapse(label.translated_from or "")
                if labelled.label is None or original != labelled.label:
                    problems.append(self._mismatch(label, labelled, original))
            if label.role is LabelRole.FORMER_OFFICIAL:
                versions = {v.id for v in self.versions}
                if (label.version or "").split("/", 1)[0] not in versions:
                    problems.append(NonConformingData(
                        f"the version {label.version!r} is in no [[version]]", where=label.where,
                        hint="name the earlier version's node, e.g. gpg-2017/goal/1, "
                        "and describe gpg-2017 in a [[version]] table"))
                continue
            slot = (label.item, label.language)
            if slot in taken:
                problems.append(NonConformingData(
                    f"{label.item} already has a {label.language} label from {taken[slot]}",
                    where=label.where, hint="an item has one preferred label per language"))
                continue
            taken[slot] = label.where
        for grouping in self.groupings:
            for assignment in grouping.assignments:
                outcome = by_key.get(f"{grouping.document}/outcome/{assignment.outcome}")
                begins = collapse(assignment.begins)
                if outcome is None or not (outcome.label or "").startswith(begins):
                    problems.append(NonConformingData(
                        f"outcome {assignment.outcome} does not begin {assignment.begins!r}",
                        where=grouping.path, hint="the source text changed: review the "
                        "assignment"))
        Problems.raise_if_any(problems, what="curated label record(s) that do not conform")

    def _mismatch(self, label: LabelRecord, item: ItemRecord, original: str) -> DataError:
        """Return the problem of a translation whose ``from`` is not its item's text."""
        if item.label is None:
            return NonConformingData(
                f"the {label.language} translation of {label.item} translates a text the item "
                f"does not have (the source gives it no wording): `from` = {original!r}",
                where=label.where, hint="give it an editorial label in "
                "data/labels/editorial.toml instead, with a `note`")
        former = _former_texts(self.data_dir)
        marked = _shorten(word_diff(original, item.label), 240)
        shown = f"`from` = {_shorten(original)!r}; the item's text = {_shorten(item.label)!r}"
        iri = "https://w3id.org/policing-kg/id/" + label.item
        if former is not None and original in former[1].get(iri, set()):
            return NonConformingData(
                f"the {label.language} translation of {label.item} is stale: its text changed "
                f"since release {former[0]}: {marked} ({shown})", where=label.where,
                hint="review the translation against the new text, then set `from` to it")
        return NonConformingData(
            f"the {label.language} translation of {label.item} does not match the item's text: "
            f"{marked} ({shown})", where=label.where,
            hint="`from` must be the item's text, exactly (whitespace aside): correct it, and "
            "check that `text` translates it")


_VERSION = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*/goal/[1-9][0-9]*$")


def _versions(path: Path) -> list[FormerVersion]:
    versions = []
    entries = typed.records(load_toml(path), "version", str(path))
    named = _record_where(path, "version", len(entries))
    for n, record in enumerate(entries, 1):
        where = named(n)
        versions.append(FormerVersion(
            id=typed.text(record, "id", where), title=typed.text(record, "title", where),
            source=typed.text(record, "source", where),
            replaced_by=typed.text(record, "replaced_by", where),
            note=typed.text(record, "note", where), where=where))
    return versions


def _labels(path: Path, table: str, default_role: LabelRole | None) -> list[LabelRecord]:
    records = []
    entries = typed.records(load_toml(path), table, str(path))
    named = _record_where(path, table, len(entries))
    for n, record in enumerate(entries, 1):
        where = named(n)
        role_name = typed.optional_text(record, "role", where)
        try:
            role = LabelRole(role_name) if role_name is not None else default_role
        except ValueError:
            raise DataError(f"unknown role {role_name!r}", where=where,
                            hint=f"one of {', '.join(r.value for r in LabelRole)}") from None
        if role is None:
            raise DataError("`role` is missing", where=where)
        source = typed.optional_text(record, "source", where)
        translated_from = typed.optional_text(record, "from", where)
        note = typed.optional_text(record, "note", where)
        version = typed.optional_text(record, "version", where)
        records.append(LabelRecord(
            item=typed.text(record, "item", where),
            language=typed.text(record, "language", where),
            text=collapse(typed.text(record, "text", where)),
            role=role, source=source, translated_from=translated_from, note=note,
            where=where, version=version,
        ))
        if role in (LabelRole.OFFICIAL, LabelRole.FORMER_OFFICIAL) and not source:
            raise DataError("an official name needs its source", where=where)
        if role is LabelRole.FORMER_OFFICIAL and not _VERSION.match(str(version)):
            raise DataError("a former official name needs `version`, the earlier version's node",
                            where=where, hint="e.g. version = \"gpg-2017/goal/1\"")
        if role is LabelRole.TRANSLATION and not translated_from:
            raise DataError("a translation needs `from`, the text it translates", where=where)
        if role is LabelRole.EDITORIAL and not note:
            raise DataError("an editorial label needs a `note` saying why", where=where)
    return records


def load_outcome_grouping(path: Path, document: str, name: str | None = None) -> OutcomeGrouping:
    """Read an editorial outcome grouping (``data/curation/*-outcome-grouping.toml``).

    ``name`` is how the graph cites the file (its path in the project, not on this machine).
    """
    data = load_toml(path)
    where = str(path)
    entries = typed.records(data, "assignment", where)
    if not entries:
        raise DataError("no [[assignment]]", where=where,
                        hint="needs method, author and [[assignment]] outcome, objective, "
                        "begins, reasoning")
    assignments = tuple(
        OutcomeAssignment(typed.integer(a, "outcome", f"{where} (assignment {n})"),
                          typed.integer(a, "objective", f"{where} (assignment {n})"),
                          typed.text(a, "begins", f"{where} (assignment {n})"),
                          typed.text(a, "reasoning", f"{where} (assignment {n})"))
        for n, a in enumerate(entries, 1))
    grouping = OutcomeGrouping(name or where, document, typed.text(data, "method", where),
                               typed.text(data, "author", where), assignments)
    outcomes = [a.outcome for a in assignments]
    if len(set(outcomes)) != len(outcomes):
        raise DataError("an outcome is assigned twice", where=where)
    return grouping


def load_curation(data_dir: Path, groupings: Iterable[OutcomeGrouping] = ()) -> Curation:
    """Read the label files under ``data/labels/``."""
    labels = [
        *_labels(data_dir / "labels" / "official.toml", "label", None),
        *_labels(data_dir / "labels" / "translations.toml", "translation", LabelRole.TRANSLATION),
        *_labels(data_dir / "labels" / "editorial.toml", "label", LabelRole.EDITORIAL),
    ]
    versions = _versions(data_dir / "labels" / "official.toml")
    return Curation(tuple(labels), tuple(groupings), tuple(versions), data_dir)
