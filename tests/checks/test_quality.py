"""The quality report: each check finds the defect it names, and the release has no error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from policing_kg.checks.quality import CHECKS, quality_report

from ..conftest import ID, ROOT, copy_project

PREFIXES = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix pkg: <https://w3id.org/policing-kg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix sssom: <https://w3id.org/sssom/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix id: <https://w3id.org/policing-kg/id/> .
@prefix d: <https://w3id.org/policing-kg/id/doc/> .
"""

#: A clean little scheme: two concepts, labelled in both languages, one under the other.
CLEAN = """
id:doc a skos:ConceptScheme ; skos:prefLabel "Doc"@en , "Doc"@fr ; skos:hasTopConcept d:a .
d:a a skos:Concept ; skos:inScheme id:doc ; skos:topConceptOf id:doc ; skos:notation "1" ;
    skos:prefLabel "A"@en , "A fr"@fr ; skos:narrower d:b .
d:b a skos:Concept ; skos:inScheme id:doc ; skos:broader d:a ; skos:notation "2" ;
    skos:prefLabel "B"@en , "B fr"@fr .
"""

#: check id -> Turtle added to CLEAN that the check must find (and only that check's item).
DEFECTS = {
    "missing-label-en": 'd:c a skos:Concept ; skos:inScheme id:doc ; skos:broader d:a ; '
                        'skos:prefLabel "C fr"@fr .',
    "missing-label-fr": 'd:c a skos:Concept ; skos:inScheme id:doc ; skos:broader d:a ; '
                        'skos:prefLabel "C"@en .',
    "missing-language-tag": 'd:a skos:altLabel "untagged" .',
    "empty-label": 'd:a skos:altLabel " "@en .',
    "multiple-pref-labels": 'd:a skos:prefLabel "A again"@en .',
    "pref-alt-overlap": 'd:a skos:altLabel "A"@en .',
    "duplicate-label": 'd:b skos:altLabel "x"@en . d:c a skos:Concept ; '
                       'skos:inScheme id:doc ; skos:broader d:a ; skos:prefLabel "b"@en , "C"@fr .',
    "duplicate-notation": 'd:b skos:notation "1" .',
    "missing-in-scheme": 'd:c a skos:Concept ; skos:broader d:a ; skos:prefLabel "C"@en , "C"@fr .',
    "scheme-without-label": 'id:doc2 a skos:ConceptScheme .',
    "orphan-concept": 'd:c a skos:Concept ; skos:inScheme id:doc ; skos:prefLabel "C"@en , "C"@fr .',
    "top-concept-with-broader": 'd:a skos:broader d:b .',
    "hierarchy-cycle": 'd:a skos:broader d:b .',
    "relation-clash": 'd:b skos:related d:a .',
    "mapping-in-scheme": 'd:b skos:exactMatch d:a .',
    "dangling-reference": 'd:b pkg:serves id:nothing .',
    "stray-whitespace": 'd:a skos:altLabel "two  spaces"@en .',
    "missing-definition": 'pkg:Thing a owl:Class ; <http://www.w3.org/2000/01/rdf-schema#label> "thing"@en .',
    "missing-class-label": 'pkg:Thing a owl:Class ; skos:definition "A thing."@en .',
    "ontology-metadata": '<https://w3id.org/policing-kg/ontology> a owl:Ontology ; dcterms:title "t"@en .',
    "mapping-without-justification": '<https://w3id.org/policing-kg/id/mapping/1> sssom:subject_id d:a .',
    "unidirectional-hierarchy": 'd:c a skos:Concept ; skos:inScheme id:doc ; skos:broader d:a ; '
                                'skos:prefLabel "C"@en , "C"@fr .',
}


def _report(turtle: str) -> dict[str, int]:
    store = ox.Store()
    store.load(PREFIXES + turtle, format=ox.RdfFormat.TURTLE)
    return {check.id: len(found) for check, found in quality_report(store, "test").findings}


def test_every_check_has_a_defect_to_find() -> None:
    assert set(DEFECTS) == {check.id for check in CHECKS}


def test_the_clean_scheme_has_no_finding() -> None:
    assert set(_report(CLEAN).values()) == {0}


@pytest.mark.parametrize("check", sorted(DEFECTS))
def test_each_check_finds_its_defect(check: str) -> None:
    counts = _report(CLEAN + DEFECTS[check])
    assert counts[check] >= 1, counts


def test_a_clean_check_stays_quiet_on_other_defects() -> None:
    counts = _report(CLEAN + DEFECTS["duplicate-notation"])
    assert counts["duplicate-notation"] == 2  # each of the two concepts
    assert counts["hierarchy-cycle"] == 0 and counts["missing-label-en"] == 0


def test_the_release_report(release: tuple[Path, object]) -> None:
    dist, _ = release
    report = json.loads((dist / "quality-report.json").read_text("utf-8"))
    assert report["summary"]["error"] == 0
    by_id = {c["id"]: c for c in report["checks"]}
    assert set(by_id) == {check.id for check in CHECKS}
    assert by_id["missing-label-en"]["count"] == 0  # every item has English (issue 13)
    assert by_id["duplicate-notation"]["count"] == 0
    assert by_id["scheme-without-label"]["count"] == 0
    # the 2017 goals are known by their official English names only (FACTS.md)
    assert [i["item"] for i in by_id["missing-label-fr"]["items"]] == \
        [f"{ID}gpg-2017/goal/{n}" for n in range(1, 8)]
    markdown = (dist / "quality-report.md").read_text("utf-8")
    assert "| `missing-label-en` | error | 0 |" in markdown
    assert report["shacl"]["conforms"] is True


def test_report_command_exit_codes(release: tuple[Path, object]) -> None:
    dist, _ = release
    done = subprocess.run([sys.executable, "-m", "policing_kg", "report", "--dist", str(dist),
                           "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["error"] == 0
    missing = subprocess.run([sys.executable, "-m", "policing_kg", "report", "--dist",
                              str(dist / "nothing")], capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_an_error_fails_the_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    ontology = project / "ontology" / "policing-kg.ttl"
    ontology.write_text(ontology.read_text("utf-8") + '\npkg:Unlabelled a owl:Class ; '
                        'skos:definition "A class without a label."@en .\n', "utf-8")
    done = subprocess.run([sys.executable, "-m", "policing_kg", "build", "--project", str(project),
                           "--dist", str(tmp_path / "dist"), "--skip-reasoner"],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "1 quality error(s)" in done.stderr and "missing-class-label (" in done.stderr
    assert "pkg:Unlabelled" in done.stderr or "ontology#Unlabelled" in done.stderr
    assert not (tmp_path / "dist").exists()
