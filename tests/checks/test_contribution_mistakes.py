"""Contributions held to the vocabulary: each mistake a contributor makes (tests/contributions/
mistakes/, one file each, as written by hand) is a violation at its line; correct contributions
and the release itself still pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.common.datafiles import load_toml
from policing_kg.release.build import BuildResult

from ..conftest import ROOT

MISTAKES = ROOT / "tests" / "contributions" / "mistakes"
EXPECTED: dict[str, dict[str, Any]] = load_toml(MISTAKES / "expected.toml")


def validate(release: tuple[Path, BuildResult], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", *args, "--project", str(ROOT),
                                      "--dist", str(release[0])])
    return result.exit_code, result.stdout, result.stderr


def test_every_mistake_file_has_its_expectation() -> None:
    assert sorted(p.stem for p in MISTAKES.glob("*.ttl")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_mistake_is_reported_where_it_is_made(name: str,
                                                   release: tuple[Path, BuildResult]) -> None:
    case = EXPECTED[name]
    code, out, err = validate(release, str(MISTAKES / f"{name}.ttl"), "--format", "json")
    assert code == case["exit"], out + err
    if code == 2:
        assert err.count("\n") == 1 and all(words in err for words in case["says"]), err
        return
    report = json.loads(out)
    violations = [r for r in report["results"] if r["severity"] == "violation"]
    messages = " | ".join(r["message"] for r in violations)
    for words in case["says"]:
        assert words in messages, messages
    assert sorted({r["line"] for r in violations}) == case["lines"], violations


@pytest.mark.parametrize("name", ["translation.ttl", "new-document.ttl"])
def test_correct_contributions_still_pass(name: str, release: tuple[Path, BuildResult]) -> None:
    code, out, _ = validate(release, str(ROOT / "tests" / "contributions" / name))
    assert code == 0, out


@pytest.mark.parametrize("dump", ["policing-kg.ttl", "policing-kg.nt", "policing-kg.trig",
                                  "policing-kg.nq", "policing-kg.jsonld",
                                  "policing-kg-ontology.ttl"])
def test_the_release_validates_itself(dump: str, release: tuple[Path, BuildResult],
                                      tmp_path: Path) -> None:
    """An operator who mirrors the release and validates each file in CI is not refused."""
    copy = tmp_path / dump
    copy.write_bytes((release[0] / dump).read_bytes())
    code, out, err = validate(release, str(copy), "--format", "json")
    assert code == 0, out + err
    assert json.loads(out)["counts"]["violation"] == 0


@pytest.mark.parametrize("quoted", [
    "<<( ex:s ex:p <file:///etc/passwd> )>>",
    "<<( ex:s <http://www.w3.org/ns/shacl#sparql> ex:c )>>",
    "<<( ex:s ex:p <<( ex:t <http://www.w3.org/ns/shacl#rule> ex:r )>> )>>",
])
def test_checks_look_inside_triple_terms(quoted: str, tmp_path: Path,
                                         release: tuple[Path, BuildResult]) -> None:
    path = tmp_path / "quoted.ttl"
    path.write_text(f"@prefix ex: <http://example.org/> .\nex:a ex:says {quoted} .\n", "utf-8")
    code, _, err = validate(release, str(path))
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err


def test_a_stored_query_described_by_a_contribution_is_accepted(
        release: tuple[Path, BuildResult], tmp_path: Path) -> None:
    """The catalogue's form (sh:SPARQLExecutable with sh:select) is a description, not a shape;
    sh:select on anything else is refused."""
    head = ("@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
            "@prefix ex: <https://w3id.org/policing-kg/query/> .\n")
    described = tmp_path / "described.ttl"
    described.write_text(head + '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                         '@prefix dcterms: <http://purl.org/dc/terms/> .\n'
                         'ex:everything a sh:SPARQLExecutable ; dcterms:identifier "everything" ;'
                         ' rdfs:label "Everything"@en ; rdfs:comment "Every triple."@en ;'
                         ' sh:select "SELECT * WHERE { ?s ?p ?o }" .\n', "utf-8")
    code, out, err = validate(release, str(described))
    assert code == 0, out + err
    loose = tmp_path / "loose.ttl"
    loose.write_text(head + 'ex:x sh:select "SELECT * WHERE { ?s ?p ?o }" .\n', "utf-8")
    code, _, err = validate(release, str(loose))
    assert code == 2 and "not typed sh:SPARQLExecutable" in err
