"""The glossary: a recurring term reads the same in every translation, and the build checks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from policing_kg.curation.glossary import check_glossary, fold, load_glossary
from policing_kg.curation.labels import LabelRecord, LabelRole, load_curation
from policing_kg.errors import DataError, Problems

from ..conftest import ROOT


def _translation(text: str, source: str, n: int = 1, language: str = "en") -> LabelRecord:
    return LabelRecord(item=f"doc/objective/{n}", language=language, text=text,
                       role=LabelRole.TRANSLATION, translated_from=source,
                       where=f"translations.toml (translation {n})")


def _glossary(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "glossary.toml"
    path.write_text(body, "utf-8")
    return path


TERM = '[[term]]\nfr = ["pays membres"]\nen = ["member countries", "member country"]\n'


def test_fold_ignores_case_apostrophes_and_spacing() -> None:
    assert fold("L’Application\u00a0 DE la loi") == "l'application de la loi"


def test_a_consistent_rendering_passes(tmp_path: Path) -> None:
    terms = load_glossary(_glossary(tmp_path, TERM))
    check_glossary(terms, [_translation("Help member countries.", "Aider les pays membres.", 1),
                           _translation("Each member country acts.",
                                        "Chacun des Pays Membres agit.", 2)])


def test_another_rendering_names_the_translation_and_the_term(tmp_path: Path) -> None:
    terms = load_glossary(_glossary(tmp_path, TERM))
    with pytest.raises(DataError) as caught:
        check_glossary(terms, [_translation("Help member countries.", "Aider les pays membres.", 1),
                               _translation("Help the member states.", "Aider les pays membres.", 2)])
    line = caught.value.line()
    assert line.startswith("translations.toml (translation 2): the translation of doc/objective/2")
    assert "«pays membres»" in line and "«member countries» or «member country»" in line
    assert "glossary.toml (term 1)" in line


def test_translations_into_french_are_not_held_to_it(tmp_path: Path) -> None:
    terms = load_glossary(_glossary(tmp_path, TERM))
    check_glossary(terms, [
        _translation("Help member countries.", "Aider les pays membres.", 1),
        _translation("Each member country acts.", "Chacun des pays membres agit.", 2),
        _translation("Aider les États.", "Help member countries.", 3, "fr")])


def test_a_term_that_does_not_recur_is_refused(tmp_path: Path) -> None:
    terms = load_glossary(_glossary(tmp_path, TERM))
    with pytest.raises(DataError, match="occurs in 1 translated text"):
        check_glossary(terms, [_translation("Help member countries.", "Aider les pays membres.")])


def test_a_term_needs_both_languages(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="`en` needs at least one form"):
        load_glossary(_glossary(tmp_path, '[[term]]\nfr = ["pays membres"]\nen = []\n'))


def test_the_project_glossary_holds_for_every_translation() -> None:
    terms = load_glossary(ROOT / "data" / "labels" / "glossary.toml")
    assert len(terms) >= 20
    check_glossary(terms, load_curation(ROOT / "data").labels)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    terms = load_glossary(_glossary(tmp_path, TERM + '\n[[term]]\nfr = ["les États"]\n'
                                    'en = ["the States"]\n'))
    with pytest.raises(Problems) as caught:
        check_glossary(terms, [_translation("Help member countries.", "Aider les pays membres.", 1),
                               _translation("Help the member states.", "Aider les pays membres.", 2),
                               _translation("Help the nations.", "Aider les États.", 3)])
    lines = caught.value.line().splitlines()
    assert lines[0] == "3 glossary problem(s):"
    assert [Path(line.split(":")[0].strip()).name for line in lines[1:]] == [
        "translations.toml (translation 2)", "translations.toml (translation 3)",
        "glossary.toml (term 2)"]
