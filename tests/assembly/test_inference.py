"""Inferred links: the ontology's chains, materialised into the `inferred` graph, and HermiT
finding the same links (and naming the clash when a contribution makes the graph inconsistent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from policing_kg.assembly.assemble import Assembly
from policing_kg.assembly.inference import rules_from_ontology
from policing_kg.cli import cli

from ..conftest import EXPECTED, GRAPH, ID, PKG, ROOT, copy_project, java_available

SKOS = "http://www.w3.org/2004/02/skos/core#"
INFERRED = URIRef(GRAPH + "inferred")
needs_java = pytest.mark.skipif(not java_available(), reason="no Java here: HermiT cannot run "
                                "(install openjdk-17-jre-headless; CI does)")


def test_the_rules_come_from_the_ontology() -> None:
    rules = rules_from_ontology(Graph().parse(ROOT / "ontology" / "policing-kg.ttl"))
    assert {(r.head.rsplit("#")[-1], tuple(s.rsplit("#")[-1] for s in r.chain)) for r in rules} == {
        ("serves", ("broader", "serves")),
        ("contributesToSDG", ("serves", "contributesToSDG")),
        ("contributesToSDG", ("narrower", "contributesToSDG")),
        ("delivers", ("narrower", "delivers")),
        ("delivers", ("hasTopConcept", "delivers")),
        ("contributesToSDG", ("hasTopConcept", "contributesToSDG")),
        ("alignedWith", (f"^{PKG}alignedWith".rsplit("#")[-1],)),
    }


def test_outcomes_serve_what_their_objective_serves(assembly: Assembly) -> None:
    serves = URIRef(PKG + "serves")
    inferred = {(str(s), str(o)) for s, _, o, _ in
                assembly.dataset.quads((None, serves, None, INFERRED))}
    # oec-2022 objective 2 serves SF goal 2, so its three outcomes (7, 8, 9) do
    for n in (7, 8, 9):
        assert (ID + f"oec-2022/outcome/{n}", ID + "sf-2026/goal/2") in inferred
    # the inferred links are not stated anywhere else
    for s, o in inferred:
        assert not [g for *_, g in assembly.dataset.quads((URIRef(s), serves, URIRef(o), None))
                    if g != INFERRED]
    # Counter-Terrorism objectives are not mapped: nothing to infer for their outcomes
    assert not [s for s, _ in inferred if "/ct-2022/" in s]
    assert len(inferred) == EXPECTED["inference"]["inferred_serves"]


def test_goals_reach_the_targets_of_their_statements(assembly: Assembly) -> None:
    inferred = {(str(s), str(p).rsplit("#", 1)[-1], str(o)) for s, p, o, _ in
                assembly.dataset.quads((None, None, None, INFERRED))}
    # statement 3.1 is mapped to 10.7 (curated), goal 3 itself is not: it reaches 10.7 through
    # its statement
    assert (ID + "gpg-2023/goal/3", "contributesToSDG",
            "http://metadata.un.org/sdg/10.7") in inferred
    # an objective delivers what its outcomes deliver: Counter-Terrorism outcome 4 (placed
    # under objective 1 by the editorial grouping) delivers statement 1.1
    delivers = URIRef(PKG + "delivers")
    assert (URIRef(ID + "ct-2022/outcome/4"), delivers, URIRef(ID + "gpg-2023/goal/1/statement/1"),
            URIRef(GRAPH + "mappings")) in assembly.dataset
    assert (ID + "ct-2022/objective/1", "delivers", ID + "gpg-2023/goal/1/statement/1") in inferred
    # and a programme strategy delivers what its objectives deliver, asserted or inferred
    assert (ID + "ct-2022", "delivers", ID + "gpg-2023/goal/1/statement/1") in inferred
    delivers = [s for s, p, _ in inferred if p == "delivers"]
    assert delivers and all("/objective/" in s or "/" not in s.removeprefix(ID) for s in delivers)


def test_the_inferred_graph_says_how_it_was_made(assembly: Assembly) -> None:
    prov = "http://www.w3.org/ns/prov#"
    assert (INFERRED, URIRef(prov + "wasGeneratedBy"),
            URIRef(ID + "activity/materialise-chains"), INFERRED) in assembly.dataset


@pytest.mark.slow
@needs_java
def test_hermit_infers_the_same_links() -> None:
    result = CliRunner().invoke(cli, ["reason", "--project", str(ROOT)])
    assert result.exit_code == 0, result.stderr
    count = EXPECTED["inference"]["inferred_links"]
    assert f"inferred links: {count} by HermiT, {count} materialised by the build" in result.stdout
    assert "they are the same links" in result.stdout


@needs_java
def test_an_inconsistent_contribution_is_explained(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    mappings = project / "data" / "mappings" / "programme-objectives-to-sf-goals.sssom.tsv"
    mappings.write_text(mappings.read_text("utf-8") +
                        "pkgid:oec-2022/objective/1\tpkg:serves\tpkgid:gpg-2023/theme/1\t"
                        "semapv:ManualMappingCuration\tpkgid:agent/policing-kg\t0.5\ta theme\n",
                        "utf-8")
    result = CliRunner().invoke(cli, ["reason", "--project", str(project)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert (f"{ID}gpg-2023/theme/1 is both a {PKG}CrossCuttingTheme and a {PKG}Goal, which "
            f"are disjoint (from the range of {PKG}serves)") in result.stderr
