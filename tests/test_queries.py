"""Stored queries: the catalogue's metadata, parameter binding, and the outline's order."""

from __future__ import annotations

from pathlib import Path

import pytest

from policing_kg.build import BuildResult
from policing_kg.errors import PolicingKGError
from policing_kg.queries import bind_parameters, load_catalogue, open_store, run_query

from .conftest import ROOT

CATALOGUE = load_catalogue(ROOT / "queries")


def test_every_stored_query_has_its_metadata() -> None:
    assert CATALOGUE
    for query in CATALOGUE.values():
        assert query.title and query.description and query.examples
        for parameter in query.parameters:
            assert f"?{parameter.name}" in query.text


def test_parameters_are_bound_as_terms_not_text() -> None:
    query = CATALOGUE["document-outline"]
    text = bind_parameters(query, {"document": "gpg-2023"})
    assert text.endswith("VALUES (?document) { (<https://w3id.org/policing-kg/id/gpg-2023>) }\n")
    for hostile in ("gpg-2023> } DROP ALL; {", "x y", "<x>", "a\"b"):
        with pytest.raises(PolicingKGError):
            bind_parameters(query, {"document": hostile})


def test_outline_lists_each_goal_followed_by_its_statements(
        release: tuple[Path, BuildResult]) -> None:
    result = run_query(CATALOGUE["document-outline"], {"document": "gpg-2023"},
                       open_store(release[0]))
    notations = [row[0] for row in result.rows]
    assert len(notations) == 85
    expected_start = ["1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2", "2.1"]
    assert notations[: len(expected_start)] == expected_start
    assert notations[-5:] == ["V", "V.1", "V.2", "V.3", "V.4"]
