"""Curated mapping sets: reading, the checks that fail a build, the RDF they become, coverage."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from policing_kg.assembly.assemble import Assembly, assemble
from policing_kg.cli import cli
from policing_kg.curation.mappings import NO_TERM_FOUND, load_mapping_set, load_mapping_sets
from policing_kg.errors import DataError
from policing_kg.project import Project

from ..conftest import EXPECTED, GRAPH, ID, PKG, ROOT, copy_project
from ..corpus import check_coverage

MAPPINGS = ROOT / "data" / "mappings"
SSSOM = "https://w3id.org/sssom/"
HEADER = """# curie_map:
#   pkg: https://w3id.org/policing-kg/ontology#
#   pkgid: https://w3id.org/policing-kg/id/
#   semapv: https://w3id.org/semapv/vocab/
# mapping_set_id: https://w3id.org/policing-kg/mappings/test
# license: https://creativecommons.org/licenses/by/4.0/
subject_id\tpredicate_id\tobject_id\tmapping_justification\tauthor_id\tconfidence\tcomment
"""
GOOD = ("pkgid:oec-2022/objective/1\tpkg:serves\tpkgid:sf-2026/goal/1\t"
        "semapv:ManualMappingCuration\tpkgid:agent/policing-kg\t0.9\tinformation exchange\n")


def test_the_curated_sets_load_and_are_in_canonical_form() -> None:
    sets = load_mapping_sets(MAPPINGS, ROOT)
    assert [s.name for s in sets] == ["global-policing-goals-to-sdgs",
                                      "policing-goal-statements-to-sdg-targets",
                                      "policing-goals-2017-to-2023",
                                      "programme-objectives-to-sf-goals",
                                      "programme-objectives-to-themes",
                                      "programme-outcomes-to-sdg-targets",
                                      "programme-strategies-to-policing-goals",
                                      "programme-work-to-policing-goal-statements"]
    for mapping_set in sets:
        assert mapping_set.metadata["license"].startswith("https://creativecommons.org/")
        for m in mapping_set.mappings:
            assert m.comment, f"{mapping_set.path}:{m.line} has no reasoning"
            assert m.justification.startswith("https://w3id.org/semapv/vocab/")
        triples = [(m.subject, m.predicate, m.object) for m in mapping_set.mappings]
        assert len(triples) == len(set(triples))


def write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "test.sssom.tsv"
    path.write_text(HEADER + rows, "utf-8")
    return path


@pytest.mark.parametrize("row, message", [
    ("pkgid:oec-2022/objective/1\tpkg:serves\tpkgid:sf-2026/goal/1\t\tpkgid:agent/policing-kg\t\t\n",
     ":9: empty mapping_justification"),
    ("pkgid:oec-2022/objective/1\tpkg:serves\tpkgid:sf-2026/goal/1\tsemapv:Guesswork\tpkgid:agent/policing-kg\t\t\n",
     ":9: 'semapv:Guesswork' is not a SEMAPV justification"),
    ("pkgid:oec-2022/objective/1\tpkg:serves\tpkgid:sf-2026/goal/1\tsemapv:ManualMappingCuration\tpkgid:agent/policing-kg\t1.5\t\n",
     ":9: confidence '1.5' is not between 0 and 1"),
    ("unknown:x\tpkg:serves\tpkgid:sf-2026/goal/1\tsemapv:ManualMappingCuration\tpkgid:agent/policing-kg\t\t\n",
     ":9: 'unknown:x' uses a prefix that curie_map does not declare"),
])
def test_a_malformed_row_fails_with_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(DataError, match=message.replace("(", "\\(").replace(".", "\\.")):
        load_mapping_set(write(tmp_path, GOOD + row))


@pytest.mark.parametrize("row, message", [
    ("pkgid:oec-2022/objective/9\tpkg:serves\tpkgid:sf-2026/goal/1\tsemapv:ManualMappingCuration\tpkgid:agent/policing-kg\t\tx\n",
     "the subject https://w3id.org/policing-kg/id/oec-2022/objective/9 is not an item"),
    ("pkgid:oec-2022/objective/1\tpkg:serves\tpkgid:sf-2026/goal/9\tsemapv:ManualMappingCuration\tpkgid:agent/policing-kg\t\tx\n",
     "the object https://w3id.org/policing-kg/id/sf-2026/goal/9 is not an item"),
    ("pkgid:oec-2022/objective/1\tpkg:position\tpkgid:sf-2026/goal/1\tsemapv:ManualMappingCuration\tpkgid:agent/policing-kg\t\tx\n",
     "is not a crosswalk property"),
    (GOOD, "this mapping is stated twice"),
])
def test_crosswalk_check_fails_on_a_bad_mapping(tmp_path: Path, row: str, message: str) -> None:
    project = copy_project(tmp_path / "project")
    write(project / "data" / "mappings", GOOD + row).rename(
        project / "data" / "mappings" / "extra.sssom.tsv")
    result = CliRunner().invoke(cli, ["crosswalk", "check", "--project", str(project)])
    assert result.exit_code == 1
    assert message in result.stderr and "extra.sssom.tsv:" in result.stderr
    # every bad row, one a line (GOOD repeats a row of another set: that one is listed too)
    assert all(line.startswith(("error: ", "  ")) for line in result.stderr.splitlines())
    # and the build refuses it too, writing nothing
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--dist",
                                      str(tmp_path / "dist"), "--skip-reasoner"])
    assert result.exit_code == 1 and message in result.stderr  # the same exit code as the check
    assert not (tmp_path / "dist").exists()


def test_a_row_of_the_wrong_kind_fails_the_same_rules_as_its_rdf(
        tmp_path: Path, release: tuple[Path, object]) -> None:
    """pkg:buildsOnTheme pointing at a strategic goal: `crosswalk check` (SSSOM), the build and
    `validate` (the same link as RDF) refuse it with the same shape's message."""
    project = copy_project(tmp_path / "project")
    row = ("pkgid:oec-2022/objective/3\tpkg:buildsOnTheme\tpkgid:sf-2026/goal/1\t"
           "semapv:ManualMappingCuration\tpkgid:agent/policing-kg\t0.5\tx\n")
    write(project / "data" / "mappings", row).rename(
        project / "data" / "mappings" / "extra.sssom.tsv")
    message = "pkg:buildsOnTheme points at a cross-cutting theme that is in the graph."
    result = CliRunner().invoke(cli, ["crosswalk", "check", "--project", str(project)])
    assert result.exit_code == 1
    assert f"data/mappings/extra.sssom.tsv:8: {message}" in result.stderr
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--dist",
                                      str(tmp_path / "dist"), "--skip-reasoner"])
    assert result.exit_code == 1 and message in result.stderr
    rdf = ROOT / "tests" / "contributions" / "mistakes" / "theme-link-to-a-goal.ttl"
    result = CliRunner().invoke(cli, ["validate", str(rdf), "--project", str(ROOT),
                                      "--dist", str(release[0])])  # type: ignore[index]
    assert result.exit_code == 1 and message in result.stdout


def test_crosswalk_shapes_require_the_ranges_the_ontology_declares() -> None:
    """The ontology's rdfs:range of each crosswalk property is what its shape asks for."""
    from rdflib import Graph
    from rdflib.namespace import RDFS, SH

    from policing_kg.checks.shacl import load_shapes

    ontology = Graph().parse(ROOT / "ontology" / "policing-kg.ttl")
    shapes = load_shapes(ROOT / "shapes")
    from rdflib import OWL
    from rdflib.collection import Collection

    crosswalk = URIRef(PKG + "crosswalkRelation")
    checked = 0
    for prop in ontology.transitive_subjects(RDFS.subPropertyOf, crosswalk):
        declared = ontology.value(prop, RDFS.range)
        if declared is None or prop == crosswalk:
            continue
        union = ontology.value(declared, OWL.unionOf)
        ranges = set(Collection(ontology, union)) if union is not None else {declared}
        allowed = {c for r in ranges for c in ontology.transitive_subjects(RDFS.subClassOf, r)}
        for shape in shapes.subjects(SH.path, prop):
            required = set(shapes.objects(shape, SH["class"]))
            for member in shapes.objects(shape, SH["or"]):
                required |= {c for m in Collection(shapes, member)
                             for c in shapes.objects(m, SH["class"])}
            if not required:
                continue  # a shape of another kind on the same path (the IRI pattern of SDGs)
            assert required <= allowed, (prop, required, ranges)
            checked += 1
    assert checked >= 4


def test_crosswalk_check_reports_coverage() -> None:
    result = CliRunner().invoke(cli, ["crosswalk", "check", "--project", str(ROOT)])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    check_coverage(ROOT, out, EXPECTED["mappings"]["coverage_lines"])


def test_interpol_is_the_author_of_its_own_statements_only() -> None:
    """FACTS.md: all seven goals support SDG 5 and 17 and are aligned with 16; nothing finer
    is INTERPOL's, so every target-level link is the project's."""
    (sdg_set,) = [s for s in load_mapping_sets(MAPPINGS, ROOT)
                  if s.name == "global-policing-goals-to-sdgs"]
    interpol = ID + "agent/interpol"
    stated = {(m.subject.rsplit("/", 1)[-1], m.object.rsplit("/", 1)[-1])
              for m in sdg_set.mappings if m.author == interpol}
    assert stated == {(str(g), sdg) for g in range(1, 8) for sdg in ("5", "16", "17")}
    for m in sdg_set.mappings:
        if m.author == interpol:
            assert m.see_also.startswith("https://www.interpol.int/")
        else:
            assert m.author == ID + "agent/policing-kg"
            assert "." in m.object.rsplit("/", 1)[-1], "an editorial link is target-level"


def test_the_2017_goals_are_revised_as_the_2023_goals(assembly: Assembly) -> None:
    graph = assembly.dataset
    links = {(str(s), str(o)) for s, _, o, _ in graph.quads((None, URIRef(PKG + "revisedAs"),
                                                             None, None))}
    assert links == {(f"{ID}gpg-2017/goal/{n}", f"{ID}gpg-2023/goal/{n}") for n in range(1, 8)}
    name = URIRef(ID + "gpg-2017/goal/6")
    assert (name, SKOS.prefLabel, Literal("Curb illicit markets", lang="en"),
            URIRef(GRAPH + "reference")) in graph


def test_a_mapping_to_an_unknown_sdg_target_fails_with_its_line(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    path = root / "data" / "mappings" / "global-policing-goals-to-sdgs.sssom.tsv"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines.append("pkgid:gpg-2023/goal/1\tpkg:contributesToSDG\tsdg:16.99\t"
                 "semapv:ManualMappingCuration\tpkgid:agent/policing-kg\t0.5\t\tA test.\n")
    path.write_text("".join(lines), "utf-8")
    with pytest.raises(DataError, match=rf"sdgs.sssom.tsv:{len(lines)}: the object "
                       r"http://metadata.un.org/sdg/16.99 is not an item"):
        assemble(Project(root))


def test_each_mapping_is_rdf_twice(assembly: Assembly) -> None:
    graph = URIRef(GRAPH + "mappings")
    subject, obj = URIRef(ID + "oec-2022/objective/3"), URIRef(ID + "sf-2026/goal/2")
    assert (subject, URIRef(PKG + "serves"), obj, graph) in assembly.dataset
    node = URIRef("https://w3id.org/policing-kg/mapping/programme-objectives-to-sf-goals/"
                  "oec-2022/objective/3/serves/sf-2026/goal/2")
    for predicate, value in (("subject_id", subject), ("object_id", obj),
                             ("predicate_id", URIRef(PKG + "serves")),
                             ("mapping_justification",
                              URIRef("https://w3id.org/semapv/vocab/ManualMappingCuration"))):
        assert (node, URIRef(SSSOM + predicate), value, graph) in assembly.dataset
    quads = list(assembly.dataset.quads((node, URIRef(SSSOM + "confidence"), None, graph)))
    assert [q[2] for q in quads] == [Literal("0.95", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#double"))]


def test_not_mappable_rows_have_no_direct_triple(assembly: Assembly) -> None:
    objective = URIRef(ID + "ct-2022/objective/1")
    assert not list(assembly.dataset.quads((objective, URIRef(PKG + "serves"), None, None)))
    assert list(assembly.dataset.quads((None, URIRef(SSSOM + "object_id"),
                                        URIRef(NO_TERM_FOUND), None)))


def test_mappings_are_deterministic(project: Project) -> None:
    first = sorted(assemble(project).dataset.quads((None, None, None, URIRef(GRAPH + "mappings"))))
    second = sorted(assemble(project).dataset.quads((None, None, None, URIRef(GRAPH + "mappings"))))
    assert first == second and len(first) > 300
