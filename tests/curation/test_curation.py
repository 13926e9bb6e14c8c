"""English labels: official where known (cited), otherwise translations (marked), in layers
of their own; curated files checked against the items they speak of."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from policing_kg.assembly.assemble import Assembly
from policing_kg.assembly.graph import union_graph
from policing_kg.common.iris import PKG, SKOSXL
from policing_kg.curation.labels import Curation, LabelRecord, LabelRole, load_curation
from policing_kg.errors import DataError
from policing_kg.extraction.records import ItemKind

from ..conftest import GRAPH, ID, ROOT
from ..corpus import kind_totals

NEEDS_ENGLISH = {ItemKind.VISION, ItemKind.MISSION, ItemKind.MANDATE, ItemKind.STRATEGIC_GOAL,
                 ItemKind.GLOBAL_POLICING_GOAL, ItemKind.CROSS_CUTTING_THEME,
                 ItemKind.PROGRAMME_OBJECTIVE}


def labels_in(assembly: Assembly, node: str, language: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for _, _, o, g in assembly.dataset.quads((URIRef(node), SKOS.prefLabel, None, None)):
        if isinstance(o, Literal) and o.language == language:
            found.setdefault(str(g).removeprefix(GRAPH), []).append(str(o))
    return found


def test_every_goal_objective_theme_vision_mission_mandate_has_one_english_label(
        assembly: Assembly, items: dict[str, Any]) -> None:
    needing = [k for k, i in items.items() if i.kind in NEEDS_ENGLISH]
    totals = kind_totals(ROOT)  # tests/expected/items.toml's counts
    assert len(needing) == sum(totals[k.value] for k in NEEDS_ENGLISH)
    for key in needing:
        found = labels_in(assembly, ID + key, "en")
        assert sum(len(v) for v in found.values()) == 1, key


def test_official_labels_are_cited_in_the_reference_layer(assembly: Assembly) -> None:
    assert labels_in(assembly, ID + "sf-2026/vision", "en") == {"reference": ["Together against Crime"]}
    node = URIRef(ID + "sf-2026/goal/1/label/en")
    assert (node, RDF.type, PKG.OfficialLabel, URIRef(GRAPH + "reference")) in assembly.dataset
    sources = list(union_graph(assembly.dataset).objects(node, DCTERMS.source))
    assert sources and "93rd General Assembly" in str(sources[0])


def test_translations_are_marked_and_in_their_own_layer(assembly: Assembly) -> None:
    assert labels_in(assembly, ID + "gpg-2023/theme/1", "en") == {
        "translations": ["Data and information sharing"]}
    node = URIRef(ID + "gpg-2023/theme/1/label/en")
    graph = URIRef(GRAPH + "translations")
    assert (node, RDF.type, PKG.TranslatedLabel, graph) in assembly.dataset
    assert (node, PKG.translationOf, Literal("Partage de données et d'informations", lang="fr"),
            graph) in assembly.dataset


def test_2017_goal_names_are_kept_as_former_official_names(assembly: Assembly) -> None:
    goal = URIRef(ID + "gpg-2023/goal/1")
    reference = URIRef(GRAPH + "reference")
    assert (goal, SKOS.altLabel, Literal("Counter the threat of terrorism", lang="en"),
            reference) in assembly.dataset
    node = URIRef(ID + "gpg-2023/goal/1/label/former-en")
    assert (goal, SKOSXL.altLabel, node, reference) in assembly.dataset
    assert (node, RDF.type, PKG.FormerOfficialLabel, reference) in assembly.dataset
    assert "2017" in str(union_graph(assembly.dataset).value(node, DCTERMS.source))


def test_document_graphs_hold_only_extracted_labels(assembly: Assembly,
                                                    items: dict[str, Any]) -> None:
    for key, item in items.items():
        found = labels_in(assembly, ID + key, item.language)
        document_labels = found.get(f"document/{item.document}", [])
        assert document_labels == ([item.label] if item.label else []), key
    english = labels_in(assembly, ID + "gpg-2023/goal/1", "en")
    assert "document/gpg-2023" not in english


def test_counter_terrorism_objectives_have_editorial_labels(assembly: Assembly) -> None:
    for language in ("en", "fr"):
        found = labels_in(assembly, ID + "ct-2022/objective/2", language)
        assert list(found) == ["editorial"]


def _curation(tmp_path: Path, translations: str) -> Curation:
    (tmp_path / "labels").mkdir()
    for name in ("official.toml", "editorial.toml"):
        (tmp_path / "labels" / name).write_text((ROOT / "data/labels" / name).read_text("utf-8"))
    (tmp_path / "labels" / "translations.toml").write_text(translations, "utf-8")
    return load_curation(tmp_path)


def test_a_stale_translation_fails(tmp_path: Path, items: dict[str, Any]) -> None:
    curation = _curation(tmp_path, '[[translation]]\nitem = "gpg-2023/theme/2"\nlanguage = "en"\n'
                         'from = "Collaboration"\ntext = "Collaboration"\n')
    with pytest.raises(DataError, match="gpg-2023/theme/2 does not match the item's text"):
        curation.check(items.values())


def test_a_second_label_in_one_language_fails(items: dict[str, Any]) -> None:
    label = LabelRecord("sf-2026/goal/1", "en", "Another", LabelRole.TRANSLATION,
                        translated_from=items["sf-2026/goal/1"].label, where="here")
    curation = Curation((label, LabelRecord("sf-2026/goal/1", "en", "Be", LabelRole.OFFICIAL,
                                            source="x", where="there")), ())
    with pytest.raises(DataError, match="already has a en label"):
        curation.check(items.values())


def test_a_label_for_an_unknown_item_fails(items: dict[str, Any]) -> None:
    curation = Curation((LabelRecord("gpg-2023/goal/8", "en", "x", LabelRole.OFFICIAL,
                                     source="x", where="official.toml (label 1)"),), ())
    with pytest.raises(DataError, match="official.toml \\(label 1\\): no item 'gpg-2023/goal/8'"):
        curation.check(items.values())


def test_a_translation_without_its_source_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="needs `from`"):
        _curation(tmp_path, '[[translation]]\nitem = "x"\nlanguage = "en"\ntext = "y"\n')


def test_malformed_toml_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"translations\.toml: not valid TOML: .*line 1"):
        _curation(tmp_path, "[[translation]\n")
