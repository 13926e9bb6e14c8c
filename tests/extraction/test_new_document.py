"""A contributor adds a document with no test code to edit: `policing-kg new-document` writes the
files it can, the contributor fills in the blanks, and the corpus checks (tests/corpus.py), which
read every corpus fact from the data and tests/expected/, pass on the grown project."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policing_kg.assembly.assemble import Assembly, assemble
from policing_kg.cli import cli
from policing_kg.common.datafiles import load_toml
from policing_kg.project import Project

from ..conftest import EXPECTED, ROOT, copy_project
from ..corpus import check_coverage, check_graph, check_items, check_release, check_sources

#: A fictitious programme strategy in the layout of data/sources/000_…: three objectives, seven
#: outcomes (which do not divide evenly), one stray line. Never in the release.
FIXTURE = ROOT / "tests" / "fixtures" / "new-document" / "maritime-crime-2026.txt"
DOCUMENT = "maritime-2026"
#: The contributor's English for the fixture's items (the glossary's terms: member countries).
ENGLISH = {
    "mandate": "Help member countries prevent and combat maritime crime, for safer seas and ports.",
    "objective/1": "Strengthen the exchange of police information on suspect ships and crews.",
    "objective/2": "Produce analyses of the maritime threat that serve countries' investigations.",
    "objective/3": "Support port operations and build the capacities of coast guards.",
    "outcome/1": "Creation of a shared register of reported ships.",
    "outcome/2": "Better knowledge of piracy and trafficking routes.",
    "outcome/3": "Publication of regional assessments of the maritime threat.",
    "outcome/4": "More training for port officers and coast guards.",
    "outcome/5": "Joint operations conducted in transit ports.",
    "outcome/6": "Strengthened partnerships with regional maritime organizations.",
    "outcome/7": "Support for financial investigations linked to maritime trafficking.",
}


def scaffold(tmp_path: Path) -> tuple[Path, str]:
    """A copy of the project (its inputs and tests/expected/), and new-document run on it."""
    project = copy_project(tmp_path / "project")
    shutil.copytree(ROOT / "tests" / "expected", project / "tests" / "expected")
    result = CliRunner().invoke(cli, ["new-document", str(FIXTURE), "--id", DOCUMENT,
                                      "--converter", "programme-strategy",
                                      "--project", str(project)])
    assert result.exit_code == 0, result.output
    return project, result.stdout


def fill_in(project: Path) -> None:
    """What the contributor writes after the scaffold: titles, the stray line's reason, the
    grouping's reasoning, the translations (only data files and tests/expected/)."""
    manifest = project / "data" / "sources" / "manifest.toml"
    text = manifest.read_text("utf-8")
    text = text.replace('"TODO: the title as the text gives it"',
                        '"Stratégie de lutte contre la criminalité maritime"')
    text = text.replace('"TODO: the title in en"', '"Maritime Crime strategy"')
    text = re.sub(r'#   (\{ text = "ESSAI"), reason = "TODO" \},  # line \d+',
                  r'    \1, reason = "test marker at the end of the fictitious leaflet" },', text)
    manifest.write_text(text, "utf-8")
    grouping = project / "data" / "curation" / f"{DOCUMENT}-outcome-grouping.toml"
    grouping.write_text(grouping.read_text("utf-8").replace(
        '"TODO: how the outcomes were placed"', '"Reading order, runs of 2-2-3 (test)."').replace(
        'reasoning = "TODO"', 'reasoning = "Reading order (a fictitious document)."'), "utf-8")
    translations = project / "data" / "labels" / "translations.toml"
    text = translations.read_text("utf-8")
    text = re.sub(r'(item = "maritime-2026/([^"]+)"\nlanguage = "en"\nfrom = "[^"]*"\n)text = ""',
                  lambda m: m.group(1) + f'text = "{ENGLISH[m.group(2)]}"', text)
    translations.write_text(text, "utf-8")


def test_the_corpus_checks_pass_on_the_project(assembly: Assembly) -> None:
    check_sources(ROOT)
    check_items(ROOT, assembly)
    check_graph(ROOT, assembly)


def test_the_scaffold_writes_what_it_can_and_lists_the_rest(tmp_path: Path) -> None:
    project, out = scaffold(tmp_path)
    assert "line 44 'ESSAI'" in out and "left to do, in order:" in out
    assert "1 Mandate, 3 ProgrammeObjective, 7 ExpectedOutcome" in out
    steps = [line for line in out.splitlines() if re.match(r"  \d+\. ", line)]
    assert [s.split(". ", 1)[1].split(" ", 1)[0] for s in steps[:4]] == [
        "data/sources/manifest.toml,", "the", f"data/curation/{DOCUMENT}-outcome-grouping.toml:",
        "data/labels/translations.toml:"]
    expected = load_toml(project / "tests" / "expected" / "items.toml")
    assert expected["counts"][DOCUMENT] == {"Mandate": 1, "ProgrammeObjective": 3,
                                            "ExpectedOutcome": 7}
    grouping = load_toml(project / "data" / "curation" / f"{DOCUMENT}-outcome-grouping.toml")
    assert [a["objective"] for a in grouping["assignment"]] == [1, 1, 2, 2, 3, 3, 3]
    stubs = [t for t in load_toml(project / "data" / "labels" / "translations.toml")["translation"]
             if t["item"].startswith(DOCUMENT + "/")]
    assert len(stubs) == 11 and all(t["from"] and t["text"] == "" for t in stubs)
    # the text is copied once; the real project is untouched
    assert len(list((project / "data" / "sources").glob("005_*.txt"))) == 1
    assert not list((ROOT / "data" / "sources").glob("005_*.txt"))


def test_an_unknown_converter_names_the_converters(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    result = CliRunner().invoke(cli, ["new-document", str(FIXTURE), "--id", DOCUMENT,
                                      "--converter", "leaflet", "--project", str(project)])
    assert result.exit_code == 2
    assert "programme-strategy" in result.output and "strategic-framework" in result.output
    assert (project / "data" / "sources" / "manifest.toml").read_bytes() == \
        (ROOT / "data" / "sources" / "manifest.toml").read_bytes()


def test_the_build_names_the_blanks_the_scaffold_left(tmp_path: Path) -> None:
    project, _ = scaffold(tmp_path)
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--dist",
                                      str(tmp_path / "dist")])
    assert result.exit_code != 0
    assert "ESSAI" in result.stderr or "44" in result.stderr, result.stderr


@pytest.mark.slow
def test_a_new_document_builds_and_passes_the_corpus_checks(tmp_path: Path) -> None:
    project, _ = scaffold(tmp_path)
    fill_in(project)
    dist = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--dist", str(dist)])
    assert result.exit_code == 0, result.stderr
    grown = assemble(Project(project))
    assert DOCUMENT in [c.document.document for c in grown.conversions]
    check_sources(project)
    check_items(project, grown)
    check_graph(project, grown)
    check_release(project, dist)
    checked = CliRunner().invoke(cli, ["crosswalk", "check", "--project", str(project)])
    assert checked.exit_code == 0, checked.stderr
    check_coverage(project, checked.stdout, EXPECTED["mappings"]["coverage_lines"])
