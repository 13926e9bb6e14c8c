"""Stored queries: the catalogue's metadata, parameter binding, and the outline's order."""

from __future__ import annotations

from pathlib import Path

import pytest

from policing_kg.access.queries import bind_parameters, open_store, run_query
from policing_kg.curation.catalogue import load_catalogue
from policing_kg.errors import PolicingKGError
from policing_kg.release.build import BuildResult

from ..conftest import ROOT

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
    where = text.index("WHERE {")
    values = text.index("VALUES (?document ?lang) "
                        "{ (<https://w3id.org/policing-kg/id/gpg-2023> \"en\") }")
    assert where < values < where + 20
    for hostile in ("gpg-2023> } DROP ALL; {", "x y", "<x>", "a\"b"):
        with pytest.raises(PolicingKGError):
            bind_parameters(query, {"document": hostile})


def test_a_subselect_that_returns_a_parameter_is_bound_too(tmp_path: Path) -> None:
    """Only the variables a sub-select returns; not in a comment, not inside an expression."""
    reaching = bind_parameters(CATALOGUE["reaching"], {"item": "sdg/16.4"})
    assert reaching.count("VALUES") == 2
    assert reaching.count("VALUES (?item) { (<http://metadata.un.org/sdg/16.4>) }") == 1
    (tmp_path / "q.rq").write_text(
        "# title: t\n# description: d\n# param: item iri The item\n"
        "# param: lang language The language\n# example: policing-kg query q --param item=x\n"
        "SELECT ?n ?item WHERE {\n"
        "  # SELECT ?item WHERE { a comment }\n"
        "  { SELECT (COUNT(?item) AS ?n) WHERE { ?item ?p ?o } }\n"
        "  { SELECT DISTINCT ?lang\n      ?item WHERE { ?item ?p ?lang } }\n"
        "  { SELECT * WHERE { ?item ?p ?o } }\n"
        "}\n", encoding="utf-8")
    text = bind_parameters(load_catalogue(tmp_path)["q"], {"item": "sdg/5", "lang": "fr"})
    sdg5 = "<http://metadata.un.org/sdg/5>"
    assert text.count("VALUES") == 2, text
    assert f'VALUES (?item ?lang) {{ ({sdg5} "fr") }}' in text
    assert ("?item WHERE {\n  VALUES (?item ?lang) " in text.split("SELECT DISTINCT")[1])


def test_bound_subselects_change_no_answer(release: tuple[Path, BuildResult],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example of every query with a sub-select: the same rows, in the same order, with
    and without the sub-selects' blocks (see bind_parameters)."""
    import policing_kg.access.queries as queries

    store = open_store(release[0])
    compared = 0
    for query in CATALOGUE.values():
        if query.text.upper().count("SELECT") < 2:
            continue
        for example in query.examples:
            params = query.example_params(example)
            bound = run_query(query, params, store).rows
            with monkeypatch.context() as patch:
                patch.setattr(queries, "_bind_subselects", lambda text, values: text)
                assert run_query(query, params, store).rows == bound, example
            compared += 1
    assert compared >= 6


def test_outline_lists_each_goal_followed_by_its_statements(
        release: tuple[Path, BuildResult]) -> None:
    result = run_query(CATALOGUE["document-outline"], {"document": "gpg-2023"},
                       open_store(release[0]))
    column = result.variables.index("notation")
    notations = [row[column] for row in result.rows]
    assert len(notations) == 85
    expected_start = ["1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2", "2.1"]
    assert notations[: len(expected_start)] == expected_start
    assert notations[-5:] == ["V", "V.1", "V.2", "V.3", "V.4"]


@pytest.mark.parametrize("text, expected", [
    ("cooperation internationale", {"gpg-2023/goal/1", "gpg-2023/theme/2/statement/5"}),
    ("COOPÉRATION INTERNATIONALE", {"gpg-2023/goal/1", "gpg-2023/theme/2/statement/5"}),
    ("l’echange d'informations", {"oec-2022/outcome/4", "sf-2026/goal/1"}),
    ("prejudiciales", {"gpg-2023/goal/7"}),
    ("vulnerable groups", {"gpg-2023/goal/3", "gpg-2023/goal/3/statement/1",
                           "gpg-2023/goal/3/statement/2", "gpg-2023/goal/3/statement/4",
                           "oec-2022/mandate"}),
    # every item is in English too (the project's translations, issue 13)
    ("foreign terrorist fighters", {"gpg-2023/goal/2/statement/1"}),
    ("combattants terroristes etrangers", {"gpg-2023/goal/2/statement/1"}),
    ("zzz nothing", set()),
])
def test_label_search_ignores_case_accents_and_apostrophes(
        release: tuple[Path, BuildResult], text: str, expected: set[str]) -> None:
    result = run_query(CATALOGUE["label-search"], {"text": text}, open_store(release[0]))
    column = result.variables.index("item")
    found = {row[column] for row in result.rows}
    items = {iri.removeprefix("https://w3id.org/policing-kg/id/") for iri in found
             if iri.startswith("https://w3id.org/policing-kg/id/")}
    assert items == expected


def test_label_search_finds_sdg_titles_too(release: tuple[Path, BuildResult]) -> None:
    result = run_query(CATALOGUE["label-search"], {"text": "pots-de-vin"}, open_store(release[0]))
    column = result.variables.index("item")
    assert {row[column] for row in result.rows} == {"http://metadata.un.org/sdg/16.5"}
    result = run_query(CATALOGUE["label-search"], {"text": "COOPERATION INTERNATIONALE"},
                       open_store(release[0]))
    assert "http://metadata.un.org/sdg/16.a" in {row[column] for row in result.rows}


def test_every_query_runs_on_its_examples_and_gives_rows(release: tuple[Path, BuildResult]) -> None:
    import shlex

    store = open_store(release[0])
    assert len(CATALOGUE) >= 10
    for query in CATALOGUE.values():
        for example in query.examples:
            words = shlex.split(example)
            assert words[:3] == ["policing-kg", "query", query.name], example
            params = dict(words[i + 1].split("=", 1) for i, w in enumerate(words) if w == "--param")
            assert run_query(query, params, store).rows, example
