"""The project's own additions, kept apart from what is extracted.

Official English names (facts from outside the texts, each with its source), translations,
editorial labels and the editorial grouping of outcomes. Each is a TOML file under ``data/``
and each record is checked against the extracted items it speaks of.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from policing_kg.common import datafiles as typed
from policing_kg.common.datafiles import load_toml
from policing_kg.errors import DataError
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
]


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

    def check(self, items: Iterable[ItemRecord]) -> None:
        """Fail on a record that names no item, is stale, or gives a language a second label."""
        by_key = {item_key(item): item for item in items}
        taken: dict[tuple[str, str], str] = {}
        for item in by_key.values():
            if item.label is not None:
                taken[(item_key(item), item.language)] = "the source text"
        for label in self.labels:
            labelled = by_key.get(label.item)
            if labelled is None:
                raise DataError(f"no item {label.item!r}", where=label.where,
                                hint="use document/path as in the item's IRI")
            if label.role is LabelRole.TRANSLATION:
                original = collapse(label.translated_from or "")
                if labelled.label is None or original != labelled.label:
                    raise DataError(f"the translation of {label.item} is stale: `from` no longer "
                                    "matches the item's source text", where=label.where,
                                    hint="check the translation against the new text, then "
                                    "update `from`")
            if label.role is LabelRole.FORMER_OFFICIAL:
                versions = {v.id for v in self.versions}
                if (label.version or "").split("/", 1)[0] not in versions:
                    raise DataError(f"the version {label.version!r} is in no [[version]]",
                                    where=label.where,
                                    hint="name the earlier version's node, e.g. gpg-2017/goal/1, "
                                    "and describe gpg-2017 in a [[version]] table")
                continue
            slot = (label.item, label.language)
            if slot in taken:
                raise DataError(f"{label.item} already has a {label.language} label from "
                                f"{taken[slot]}", where=label.where,
                                hint="an item has one preferred label per language")
            taken[slot] = label.where
        for grouping in self.groupings:
            for assignment in grouping.assignments:
                outcome = by_key.get(f"{grouping.document}/outcome/{assignment.outcome}")
                begins = collapse(assignment.begins)
                if outcome is None or not (outcome.label or "").startswith(begins):
                    raise DataError(f"outcome {assignment.outcome} does not begin "
                                    f"{assignment.begins!r}", where=grouping.path,
                                    hint="the source text changed: review the assignment")


_VERSION = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*/goal/[1-9][0-9]*$")


def _versions(path: Path) -> list[FormerVersion]:
    versions = []
    for n, record in enumerate(typed.records(load_toml(path), "version", str(path)), 1):
        where = f"{path} (version {n})"
        versions.append(FormerVersion(
            id=typed.text(record, "id", where), title=typed.text(record, "title", where),
            source=typed.text(record, "source", where),
            replaced_by=typed.text(record, "replaced_by", where),
            note=typed.text(record, "note", where), where=where))
    return versions


def _labels(path: Path, table: str, default_role: LabelRole | None) -> list[LabelRecord]:
    records = []
    for n, record in enumerate(typed.records(load_toml(path), table, str(path)), 1):
        where = f"{path} ({table} {n})"
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
    return Curation(tuple(labels), tuple(groupings), tuple(versions))
