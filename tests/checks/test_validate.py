"""The build validates its own output with SHACL and refuses to publish on a violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from policing_kg.assembly.graph import union_graph
from policing_kg.checks.shacl import load_shapes, validate_graph
from policing_kg.cli import cli
from policing_kg.common.iris import PKG
from policing_kg.project import Project
from policing_kg.release.build import BuildFailed, build_release

from ..conftest import EXPECTED, ID, ROOT, copy_project


@pytest.fixture(scope="module")
def shapes() -> object:
    return load_shapes(ROOT / "shapes")


def test_the_real_graph_conforms(assembly: object, shapes: object) -> None:
    report = validate_graph(union_graph(assembly.dataset), shapes)  # type: ignore[attr-defined]
    assert report.conforms
    assert {r.level for r in report.results} <= {"Info"}
    assert len(report.results) == EXPECTED["shacl"]["results_on_the_real_graph"]
    # the notes: items not yet in English, documents with no introduction
    untranslated = {r.focus for r in report.results if "no English label yet" in r.message}
    assert len(untranslated) == EXPECTED["shacl"]["items_without_english"]
    no_intro = {str(r.focus) for r in report.results if "no introduction" in r.message}
    assert no_intro == {ID + "fcac-2022", ID + "ct-2022"}


@pytest.mark.parametrize("change, focus, message", [
    (lambda g: g.remove((URIRef(ID + "gpg-2023/goal/2"), SKOS.prefLabel, None)),
     "gpg-2023/goal/2", "needs a language-tagged label"),
    (lambda g: g.add((URIRef(ID + "gpg-2023/goal/2"), SKOS.prefLabel, Literal("Autre", lang="fr"))),
     "gpg-2023/goal/2", "at most one per language"),
    (lambda g: g.set((URIRef(ID + "gpg-2023/goal/2"), SKOS.notation, Literal("2a"))),
     "gpg-2023/goal/2", "its number"),
    (lambda g: g.set((URIRef(ID + "oec-2022/outcome/1"), SKOS.broader, URIRef(ID + "gpg-2023/goal/1"))),
     "oec-2022/outcome/1", "under a programme objective"),
    (lambda g: g.remove((URIRef(ID + "sf-2026/vision"), URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None)),
     "sf-2026/vision", "passage of its source text"),
    (lambda g: g.add((URIRef(ID + "gpg-2023/goal/9"), RDF.type, PKG.GlobalPolicingGoal)),
     "gpg-2023/goal/9", "exactly one strategy document"),
])
def test_each_broken_graph_is_reported_at_its_focus(assembly: object, shapes: object,
                                                    change: object, focus: str, message: str) -> None:
    graph = union_graph(assembly.dataset)  # type: ignore[attr-defined]
    change(graph)  # type: ignore[operator]
    report = validate_graph(graph, shapes)
    assert not report.conforms
    hits = [r for r in report.violations() if str(r.focus) == ID + focus and message in r.message]
    assert hits, [(r.focus, r.message) for r in report.results]


def test_a_violation_stops_the_build_and_keeps_the_previous_release(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    # a shape that the real graph cannot satisfy
    (project / "shapes" / "extra.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix pkg: <https://w3id.org/policing-kg/ontology#> .\n"
        "<urn:x:shape> a sh:NodeShape ; sh:targetClass pkg:Vision ;\n"
        "  sh:property [ sh:path pkg:nothing ; sh:minCount 1 ; sh:message \"needs nothing\" ] .\n")
    out = tmp_path / "dist"
    build_release(Project(ROOT), out, reason=False)  # the previous release
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(BuildFailed, match="1 SHACL violation"):
        build_release(Project(project), out, reason=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--dist", str(out),
                                      "--skip-reasoner"])
    assert result.exit_code == 1
    assert "needs nothing" in result.stderr and "previous dist/ is intact" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_broken_source_fails_the_build_with_file_and_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    source = project / "data" / "sources" / "004_da3c5f2f6630bbbe.txt"
    source.write_text(source.read_text("utf-8").replace("- Traquer", "Traquer"), "utf-8")
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--dist",
                                      str(tmp_path / "dist"), "--skip-reasoner"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: 004_da3c5f2f6630bbbe.txt:192 (document gpg-2023): "
                                    "cannot place this line")
    assert not (tmp_path / "dist").exists()
