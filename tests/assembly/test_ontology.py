"""The ontology: metadata, every term documented in en and fr, OWL consistency with HermiT."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from policing_kg import __version__
from policing_kg.assembly.assemble import Assembly
from policing_kg.assembly.graph import union_graph
from policing_kg.checks.consistency import check_consistency
from policing_kg.common.iris import PKG, VANN

from ..conftest import ROOT, java_available

ONTOLOGY = URIRef("https://w3id.org/policing-kg/ontology")
REQUIRED_CLASSES = {
    "StrategyDocument", "StrategicFramework", "GlobalPolicingGoals", "ProgrammeStrategy",
    "Vision", "Mission", "Mandate", "StrategicGoal", "GlobalPolicingGoal", "ProgrammeObjective",
    "ExpectedOutcome", "CrossCuttingTheme", "Statement", "GoalStatement", "ThemeStatement",
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "policing-kg.ttl")


def test_metadata(ontology: Graph, assembly: Assembly) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    # the version is the release record's, added by the build (tests/release/test_releases.py)
    built = union_graph(assembly.dataset)
    assert built.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY}/{__version__}")
    assert str(built.value(ONTOLOGY, OWL.versionInfo)) == __version__
    assert ontology.value(ONTOLOGY, DCTERMS.license) is not None
    assert ontology.value(ONTOLOGY, DCTERMS.creator) is not None
    assert {t.language for t in ontology.objects(ONTOLOGY, DCTERMS.title)} == {"en", "fr"}
    assert str(ontology.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "pkg"
    assert str(ontology.value(ONTOLOGY, VANN.preferredNamespaceUri)) == str(PKG)


def test_required_classes_and_sdg_classes_are_declared(ontology: Graph) -> None:
    classes = {str(c).removeprefix(str(PKG)) for c in ontology.subjects(RDF.type, OWL.Class)}
    assert REQUIRED_CLASSES <= classes
    assert (URIRef("http://metadata.un.org/sdg/ontology#Goal"), RDF.type, OWL.Class) in ontology
    assert (URIRef("http://metadata.un.org/sdg/ontology#Target"), RDF.type, OWL.Class) in ontology


def test_every_term_has_labels_in_en_and_fr_and_a_definition(ontology: Graph) -> None:
    terms = {s for s in ontology.subjects(RDF.type, None)
             if isinstance(s, URIRef) and str(s).startswith(str(PKG))}
    assert len(terms) >= 30
    for term in terms:
        languages = sorted(o.language for o in ontology.objects(term, RDFS.label)
                           if isinstance(o, Literal))
        assert languages == ["en", "fr"], term
        assert any(isinstance(d, Literal) and d.language == "en"
                   for d in ontology.objects(term, SKOS.definition)), term


def test_crosswalk_property_hierarchy(ontology: Graph) -> None:
    parent = {str(s).removeprefix(str(PKG)): str(o).removeprefix(str(PKG))
              for s, o in ontology.subject_objects(RDFS.subPropertyOf) if str(s).startswith(str(PKG))}
    assert parent["serves"] == "supports"
    assert parent["contributesToSDG"] == "supports"
    assert parent["supports"] == "crosswalkRelation"
    assert parent["alignedWith"] == "crosswalkRelation"
    assert parent["buildsOnTheme"] == "crosswalkRelation"
    assert (PKG.alignedWith, RDF.type, OWL.SymmetricProperty) in ontology


def test_every_class_and_property_used_by_the_data_is_declared(
        release: tuple[Path, object], ontology: Graph) -> None:
    declared = set(ontology.subjects(RDF.type, None))
    data = Dataset()
    data.parse(release[0] / "policing-kg.nq", format="nquads")
    used_classes = {o for _, _, o, _ in data.quads((None, RDF.type, None, None))}
    used_properties = {p for _, p, _, _ in data.quads((None, None, None, None))}
    undeclared = sorted(str(t) for t in (used_classes | used_properties) - declared - {RDF.type}
                        if not str(t).startswith((str(OWL), str(RDFS), str(RDF))))
    assert undeclared == []


needs_java = pytest.mark.skipif(not java_available(), reason="no Java here: HermiT cannot run "
                                "(install openjdk-17-jre-headless; CI does)")


@pytest.mark.slow
@needs_java
def test_hermit_finds_ontology_and_data_consistent(assembly: Assembly) -> None:
    result = check_consistency(union_graph(assembly.dataset))
    assert result.consistent, result.explanation


@pytest.mark.slow
@needs_java
def test_hermit_finds_a_disjointness_clash_and_names_it(assembly: Assembly) -> None:
    graph = union_graph(assembly.dataset)
    goal = URIRef("https://w3id.org/policing-kg/id/gpg-2023/goal/1")
    graph.add((goal, RDF.type, PKG.ProgrammeObjective))
    result = check_consistency(graph)
    assert not result.consistent
    assert str(goal) in result.explanation and "disjoint" in result.explanation
