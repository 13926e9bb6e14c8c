"""Every document's items against the hand-written fixture tests/expected/items.toml."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from policing_kg.assembly.assemble import Assembly
from policing_kg.common.datafiles import load_toml
from policing_kg.extraction.records import Field, collapse

from ..conftest import ROOT
from ..corpus import manifest

EXPECTED = load_toml(ROOT / "tests" / "expected" / "items.toml")


@pytest.mark.parametrize("document", sorted(EXPECTED["counts"]))
def test_counts_per_document_and_kind(assembly: Assembly, document: str) -> None:
    conversion = next(c for c in assembly.conversions if c.document.document == document)
    assert Counter(i.kind.value for i in conversion.items) == EXPECTED["counts"][document]


def test_the_documents_are_those_of_the_fixture(assembly: Assembly) -> None:
    assert sorted(c.document.document for c in assembly.conversions) == sorted(EXPECTED["counts"])


@pytest.mark.parametrize("parent", sorted(EXPECTED["statements"]))
def test_statements_per_goal_and_theme(items: dict[str, Any], parent: str) -> None:
    document, *path = parent.split("/")
    children = [i for i in items.values() if i.document == document and i.parent == tuple(path)]
    assert len(children) == EXPECTED["statements"][parent]
    assert [int(c.path[-1]) for c in children] == list(range(1, len(children) + 1))


@pytest.mark.parametrize("expected", EXPECTED["item"], ids=[e["key"] for e in EXPECTED["item"]])
def test_exact_texts(items: dict[str, Any], expected: dict[str, str]) -> None:
    item = items[expected["key"]]
    if "label" in expected:
        assert item.label == collapse(expected["label"])
    if "notation" in expected:
        assert item.notation == expected["notation"]
    if "parent" in expected:
        assert "/".join((item.document, *item.parent)) == expected["parent"]
    if "description_begins" in expected:
        assert item.description.startswith(expected["description_begins"])
    if "description_ends" in expected:
        assert item.description.endswith(expected["description_ends"])
    if "heading" in expected:
        assert item.label is None
        assert Field.HEADING in item.spans


def test_positions_follow_reading_order(assembly: Assembly) -> None:
    for conversion in assembly.conversions:
        spans = [min(s.start for group in i.spans.values() for s in group)
                 for i in conversion.items if i.kind.value != "ProgrammeObjective"
                 or Field.LABEL in i.spans]
        assert spans == sorted(spans), conversion.document.document
        positions = [i.position for i in conversion.items]
        assert positions == list(range(1, len(positions) + 1))


def test_every_item_has_its_language(items: dict[str, Any]) -> None:
    """Each item in its document's language (the manifest), as many as tests/expected/ counts."""
    languages = {s.id: s.language for s in manifest(ROOT)}
    wanted: Counter[str] = Counter()
    for document, counts in EXPECTED["counts"].items():
        wanted[languages[document]] += sum(counts.values())
    assert Counter(i.language for i in items.values()) == wanted
    assert all(i.language == languages[i.document] for i in items.values())
