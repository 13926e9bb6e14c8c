"""One test (at least) for each point of data/sources/EXTRACTION.md, and for text the
converters cannot place."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from policing_kg.assembly.assemble import Assembly
from policing_kg.curation.labels import OutcomeGrouping, load_outcome_grouping
from policing_kg.errors import DataError, SourceError
from policing_kg.extraction import convert_document
from policing_kg.extraction.sources import SourceText, load_manifest, read_source

from ..conftest import ROOT

SOURCES = ROOT / "data" / "sources"


def spec(document: str) -> Any:
    return next(s for s in load_manifest(SOURCES / "manifest.toml") if s.id == document)


def convert_text(document: str, text: str, grouping: OutcomeGrouping | None = None) -> Any:
    the_spec = spec(document)
    return convert_document(the_spec, SourceText(the_spec.file, text.encode("utf-8")),
                            grouping.parents() if grouping else None)


def real_text(document: str) -> str:
    return read_source(SOURCES, spec(document).file).text


# -- columns: outcomes fall three to an objective in the order 4, 1, 2, 3 ----------------------

@pytest.mark.parametrize("document", ["oec-2022", "cyber-2022"])
def test_outcomes_fall_three_to_an_objective_in_column_order(items: dict[str, Any],
                                                             document: str) -> None:
    parents = [items[f"{document}/outcome/{n}"].parent[-1] for n in range(1, 13)]
    assert parents == ["4"] * 3 + ["1"] * 3 + ["2"] * 3 + ["3"] * 3
    assert not any(items[f"{document}/outcome/{n}"].parent_is_editorial for n in range(1, 13))


def test_column_header_must_agree_with_the_manifest() -> None:
    the_spec = dataclasses.replace(spec("ct-2022"), outcome_columns=(1, 2, 3, 4))
    source = read_source(SOURCES, the_spec.file)
    grouping = load_outcome_grouping(ROOT / the_spec.outcome_grouping, "ct-2022")
    with pytest.raises(SourceError, match=r"002_68c0d7c7c8e935b1\.txt:33 .*\[4, 1, 2, 3\]"):
        convert_document(the_spec, source, grouping)


# -- Counter-Terrorism: 13 bullets, grouping editorial, objectives without wording ------------

def test_counter_terrorism_grouping_is_editorial(items: dict[str, Any]) -> None:
    outcomes = [items[f"ct-2022/outcome/{n}"] for n in range(1, 14)]
    assert all(o.parent_is_editorial for o in outcomes)
    assert all(items[f"ct-2022/objective/{n}"].label is None for n in range(1, 5))


def test_counter_terrorism_without_grouping_fails_instead_of_guessing() -> None:
    with pytest.raises(SourceError, match="13 outcomes do not fall evenly into 4 columns"):
        convert_text("ct-2022", real_text("ct-2022"))


def test_grouping_that_misses_an_outcome_fails(tmp_path: Path) -> None:
    original = (ROOT / "data/curation/ct-2022-outcome-grouping.toml").read_text("utf-8")
    cut = original[: original.rindex("[[assignment]]")]
    path = tmp_path / "grouping.toml"
    path.write_text(cut, "utf-8")
    grouping = load_outcome_grouping(path, "ct-2022")
    with pytest.raises(SourceError, match=r"covers outcomes .*the text has"):
        convert_text("ct-2022", real_text("ct-2022"), grouping)


def test_counter_terrorism_broader_links_live_only_in_the_editorial_graph(
        assembly: Assembly) -> None:
    from rdflib import URIRef
    from rdflib.namespace import SKOS

    outcome = URIRef("https://w3id.org/policing-kg/id/ct-2022/outcome/5")
    graphs = {str(g) for _, _, _, g in assembly.dataset.quads((outcome, SKOS.broader, None, None))}
    assert graphs == {"https://w3id.org/policing-kg/graph/editorial"}


# -- line breaks, run-in headings, stray headings ----------------------------------------------

def test_bullets_broken_mid_phrase_are_joined(items: dict[str, Any]) -> None:
    assert items["oec-2022/outcome/5"].label == (
        "Contribuer à éliminer les lacunes en matière d’information pour soutenir les enquêtes "
        "menées par les pays.")


def test_run_in_headings_split_the_objectives(items: dict[str, Any]) -> None:
    assert items["fcac-2022/objective/1"].label.endswith("financial crime and corruption.")
    assert "OBJECTIVE" not in items["fcac-2022/objective/1"].label
    assert items["fcac-2022/objective/2"].label.startswith("Support member countries")


@pytest.mark.parametrize("heading", ["CAPACITÉS", "RÉSULTATS ESCOMPTÉS"])
def test_stray_headings_belong_to_no_item(items: dict[str, Any], heading: str) -> None:
    assert not [k for k, i in items.items() if heading in (i.label or "")]


# -- non-breaking spaces, apostrophes, typos ---------------------------------------------------

def test_non_breaking_spaces_in_headings_are_read(items: dict[str, Any]) -> None:
    assert "\u00a0" in real_text("sf-2026")
    goal = items["sf-2026/goal/1"]
    assert goal.label == "Être la plateforme mondiale de référence pour l’échange d’informations policières"
    assert not any("\u00a0" in (i.label or "") + (i.description or "") for i in items.values())


def test_apostrophes_are_kept_as_in_the_source(items: dict[str, Any]) -> None:
    assert "l'application" in items["sf-2026/mission"].label  # the one straight line of 001
    assert "l’échange" in items["sf-2026/goal/1"].label
    assert "'" in items["gpg-2023/goal/3"].label and "’" not in items["gpg-2023/goal/3"].label


def test_source_typos_are_kept(items: dict[str, Any]) -> None:
    assert "PRÉJUDICIALES" in items["gpg-2023/goal/7"].label
    assert "contre la désinformation et à la désinformation" in items["gpg-2023/goal/1/statement/6"].label


# -- 004: repeated cover, lost SDG icons -------------------------------------------------------

def test_cover_and_icon_captions_are_set_aside_with_reasons(assembly: Assembly) -> None:
    gpg = next(c for c in assembly.conversions if c.document.document == "gpg-2023")
    lines = dict(gpg.ignored_lines)
    assert sum("SDG icons" in reason for reason in lines.values()) == 7
    assert lines[5].startswith("cover") and lines[229].startswith("cover")
    assert all("ONU Objectifs" not in (i.label or "") for i in gpg.items)


# -- text that cannot be placed fails with file and line ---------------------------------------

def test_prose_after_a_goal_fails_with_file_and_line() -> None:
    text = real_text("gpg-2023").replace(
        "ONU Objectifs de développement durable\n",
        "ONU Objectifs de développement durable\nUne phrase égarée sans tiret.\n", 1)
    with pytest.raises(SourceError, match=r"004_da3c5f2f6630bbbe\.txt:53 .*cannot place"):
        convert_text("gpg-2023", text)


def test_an_extra_paragraph_in_a_leaflet_fails_with_file_and_line() -> None:
    text = real_text("oec-2022").replace("CAPACITÉS", "Un paragraphe inconnu.\n\nCAPACITÉS")
    with pytest.raises(SourceError, match=r"000_9be6c647ac29f33b\.txt:198 .*cannot be placed"):
        convert_text("oec-2022", text)


def test_whitespace_alone_between_items_is_fine() -> None:
    text = real_text("sf-2026").replace("Notre vision", "Notre vision\n\u00a0", 1)
    items = convert_text("sf-2026", text).items
    assert items[0].label == "Unis contre la criminalité"


def test_unexpected_prose_before_the_objectives_is_kept_as_introduction() -> None:
    text = real_text("cyber-2022").replace("2022 - 2025\n", "2022 - 2025\nENCART\n", 1)
    conversion = convert_text("cyber-2022", text)
    assert conversion.document.description.endswith("ENCART")


def test_a_heading_with_no_text_fails() -> None:
    text = real_text("oec-2022").replace("MANDAT\n", "MANDAT\n\nMANDAT\n", 1)
    with pytest.raises(SourceError, match=r"000_9be6c647ac29f33b\.txt:6 .*mandate with no text"):
        convert_text("oec-2022", text)


def test_an_ignore_rule_that_matches_nothing_fails() -> None:
    the_spec = spec("oec-2022")
    text = real_text("oec-2022").replace("CAPACITÉS", "")
    with pytest.raises(DataError, match="ignore rule matches no line: 'CAPACITÉS'"):
        convert_document(the_spec, SourceText(the_spec.file, text.encode()), None)


def test_a_source_that_is_not_utf8_fails_with_one_line() -> None:
    with pytest.raises(SourceError, match="not UTF-8"):
        SourceText("x.txt", "é".encode("latin-1"))
