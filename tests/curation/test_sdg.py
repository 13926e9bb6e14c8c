"""The SDG reference: the project's table, its RDF, and the importer of the UN's vocabulary."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from policing_kg.assembly.assemble import Assembly, assemble
from policing_kg.cli import cli
from policing_kg.common.iris import SDG, SDGO, graph_iri
from policing_kg.curation.sdg_import import import_vocabulary, imported_triples
from policing_kg.curation.sdg_table import compare_labels, load_sdg_table, sdg_code
from policing_kg.errors import DataError
from policing_kg.project import Project

from ..conftest import ROOT, SHARED, copy_project

TABLE = ROOT / "data" / "sdg" / "sdg-goals-targets.toml"
FIXTURES = ROOT / "tests" / "fixtures" / "sdg"
KOS = SHARED / "reference" / "un-sdg-kos.ttl"

#: The official code set, written independently of the table: per goal, how many numbered
#: targets and which lettered ones (A/RES/70/1 and the global indicator framework).
OFFICIAL = {1: (5, "ab"), 2: (5, "abc"), 3: (9, "abcd"), 4: (7, "abc"), 5: (6, "abc"),
            6: (6, "ab"), 7: (3, "ab"), 8: (10, "ab"), 9: (5, "abc"), 10: (7, "abc"),
            11: (7, "abc"), 12: (8, "abc"), 13: (3, "ab"), 14: (7, "abc"), 15: (9, "abc"),
            16: (10, "ab"), 17: (19, "")}


def official_codes() -> set[str]:
    codes = {str(goal) for goal in OFFICIAL}
    for goal, (numbered, letters) in OFFICIAL.items():
        codes |= {f"{goal}.{n}" for n in range(1, numbered + 1)}
        codes |= {f"{goal}.{letter}" for letter in letters}
    return codes


def test_the_table_has_17_goals_and_169_targets() -> None:
    table = load_sdg_table(TABLE)
    assert len(table.goals) == 17
    assert len(table.targets) == 169
    assert len(official_codes()) == 17 + 169


def test_the_table_has_exactly_the_official_codes() -> None:
    table = load_sdg_table(TABLE)
    codes = {row.code for row in table.rows}
    assert codes - official_codes() == set(), "codes that are not official"
    assert official_codes() - codes == set(), "official codes missing from the table"


def test_every_goal_has_a_short_title_and_every_row_two_titles() -> None:
    table = load_sdg_table(TABLE)
    assert all(row.short_en for row in table.goals)
    assert all(row.en.strip() and row.fr.strip() for row in table.rows)
    assert {row.code: row.short_en for row in table.goals}["16"] == \
        "Peace, justice and strong institutions"


def test_long_codes_follow_the_un_kos() -> None:
    assert [sdg_code(c) for c in ("5", "16.4", "16.10", "15.c")] == \
        ["05", "16.04", "16.10", "15.0c"]


def test_the_reference_layer_holds_the_table_on_the_un_iris(assembly: Assembly) -> None:
    reference = assembly.dataset.graph(graph_iri("reference"))
    goals = set(reference.subjects(RDF.type, SDGO.Goal))
    targets = set(reference.subjects(RDF.type, SDGO.Target))
    assert len(goals) == 17 and len(targets) == 169
    target = URIRef(SDG + "16.4")
    assert (target, SKOS.broader, URIRef(SDG + "16")) in reference
    assert (URIRef(SDG + "16"), SDGO.hasTarget, target) in reference
    assert set(reference.objects(target, SKOS.notation)) == {
        Literal("16.04", datatype=SDGO.SDGCode), Literal("16.4", datatype=SDGO.SDGCodeCompact)}
    labels = {label.language for label in reference.objects(target, SKOS.prefLabel)}
    assert labels == {"en", "fr"}
    assert (URIRef(SDG + "16"), SKOS.altLabel,
            Literal("Peace, justice and strong institutions", lang="en")) in reference


@pytest.mark.parametrize(("text", "message"), [
    ('[[goal]]\ncode = "18"\nshort_en = "x"\nen = "x"\nfr = "x"\n', "not the code of an SDG goal"),
    ('[[goal]]\ncode = "1"\nshort_en = "x"\nen = "x"\nfr = "x"\n'
     '[[target]]\ncode = "2.1"\nen = "x"\nfr = "x"\n', "has no goal 2"),
    ('[[goal]]\ncode = "1"\nshort_en = "x"\nen = "x"\n', "fr is missing"),
    ('[[goal]]\ncode = "1"\nshort_en = "x"\nen = "x"\nfr = "x"\n'
     '[[goal]]\ncode = "1"\nshort_en = "x"\nen = "x"\nfr = "x"\n', "listed twice"),
    ('[[goal]]\ncode = "1"\nen = "x"\nfr = "x"\n', "short_en is missing"),
])
def test_a_bad_table_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "table.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(DataError, match=message):
        load_sdg_table(path)


# -- the UN's vocabulary ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def kos() -> Graph:
    if not KOS.is_file():
        pytest.skip(f"the UN's SDG KOS is not at {KOS}: the label agreement cannot be checked")
    graph = Graph()
    graph.parse(KOS, format="turtle")
    return graph


def test_every_title_agrees_with_the_un_kos(kos: Graph) -> None:
    """Whitespace aside, every title equals the UN's; known defects of the KOS are documented."""
    differences, stale = compare_labels(load_sdg_table(TABLE), kos)
    undocumented = [d.line() for d in differences if not d.documented]
    assert undocumented == [], "\n".join(undocumented)
    assert stale == [], f"documented differences that no longer differ: {stale}"
    # what is documented really differs (4 labels of the KOS are defective)
    assert sorted(f"{d.code} {d.language}" for d in differences) == \
        ["14.6 en", "14.6 fr", "17.13 fr", "17.16 fr"]


def test_importing_the_un_kos(kos: Graph, tmp_path: Path) -> None:
    report = import_vocabulary(str(KOS), tmp_path, load_sdg_table(TABLE))
    assert (report.goals, report.targets, report.indicators) == (17, 169, 232)
    assert report.unknown == []
    assert [d for d in report.differences if not d.documented] == []
    assert report.sha256 == hashlib.sha256(KOS.read_bytes()).hexdigest()
    triples = list(imported_triples(tmp_path))
    indicators = {s for s, p, o in triples if p == RDF.type and o == SDGO.Indicator}
    assert len(indicators) == 232
    assert (URIRef(SDG + "C160401"), SKOS.broader, URIRef(SDG + "16.4")) in triples


def _import(tmp_path: Path, name: str) -> tuple[list[tuple[object, object, object]], object]:
    report = import_vocabulary(str(FIXTURES / name), tmp_path, load_sdg_table(TABLE))
    return list(imported_triples(tmp_path)), report


def test_import_keeps_indicators_and_links_and_records_the_source(tmp_path: Path) -> None:
    triples, report = _import(tmp_path, "mini-kos.ttl")
    c160401 = URIRef(SDG + "C160401")
    assert (c160401, RDF.type, SDGO.Indicator) in triples
    assert (c160401, SKOS.broader, URIRef(SDG + "16.4")) in triples
    assert (URIRef(SDG + "16.4"), SDGO.hasIndicator, c160401) in triples
    # whitespace is normalised; only English and French labels are kept
    labels = {o for s, p, o in triples if s == c160401 and p == SKOS.prefLabel}
    assert Literal("Valeur totale des flux financiers illicites entrants et sortants",
                   lang="fr") in labels
    assert {label.language for label in labels} == {"en", "fr"}  # type: ignore[attr-defined]
    # goals and targets: the links, never a second title
    assert (URIRef(SDG + "16"), SKOS.exactMatch,
            URIRef("http://www.wikidata.org/entity/Q00016")) in triples
    assert not [t for t in triples if t[0] == URIRef(SDG + "16.5") and t[1] == SKOS.prefLabel]
    # a goal the table does not know, and its indicators, are left out and reported
    assert report.unknown == ["18"]  # type: ignore[attr-defined]
    assert not [t for t in triples if t[0] == URIRef(SDG + "C180101")]
    # the source, with its checksum
    record = URIRef("https://w3id.org/policing-kg/id/import/un-sdg-kos")
    digest = hashlib.sha256((FIXTURES / "mini-kos.ttl").read_bytes()).hexdigest()
    assert any(s == record and o == Literal("mini-kos.ttl") for s, p, o in triples)
    assert any(o == Literal(digest) for s, p, o in triples)
    # the French title of 16.5 differs from the table's, and is listed
    listed = [(d.code, d.language, d.documented)
              for d in report.differences]  # type: ignore[attr-defined]
    assert ("16.5", "fr", None) in listed


def test_rdf_xml_gives_the_same_vocabulary(tmp_path: Path) -> None:
    turtle, _ = _import(tmp_path / "ttl", "mini-kos.ttl")
    xml, _ = _import(tmp_path / "rdf", "mini-kos.rdf")
    record = "https://w3id.org/policing-kg/id/import/un-sdg-kos"
    assert {t for t in turtle if not str(t[0]).startswith(record)} == \
        {t for t in xml if not str(t[0]).startswith(record)}


def test_the_import_is_deterministic(tmp_path: Path) -> None:
    _import(tmp_path / "a", "mini-kos.ttl")
    _import(tmp_path / "b", "mini-kos.ttl")
    name = Path("imported/sdg/un-sdg-kos.nt")
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_next_build_adds_the_import_to_the_reference_layer(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    _import(root, "mini-kos.ttl")
    dataset = assemble(Project(root)).dataset
    reference = dataset.graph(graph_iri("reference"))
    assert (URIRef(SDG + "C160401"), RDF.type, SDGO.Indicator) in reference
    from policing_kg.assembly.graph import union_graph
    from policing_kg.checks.validate import load_shapes, validate_graph

    report = validate_graph(union_graph(dataset), load_shapes(root / "shapes"))
    assert report.violations() == []


@pytest.mark.parametrize(("source", "message"), [
    ("missing.ttl", "no such file"),
    ("ftp://example.org/sdg.ttl", "only http:// and https://"),
    ("bad", "not valid Turtle"),
    ("empty", "no SDG goal"),
])
def test_bad_import_sources_are_one_line_and_exit_2(tmp_path: Path, source: str,
                                                    message: str) -> None:
    root = copy_project(tmp_path / "project")
    if source == "bad":
        source = str(tmp_path / "bad.ttl")
        Path(source).write_text("<http://metadata.un.org/sdg/1> a \n", "utf-8")
    elif source == "empty":
        source = str(tmp_path / "empty.ttl")
        Path(source).write_text("<http://example.org/a> <http://example.org/b> 1 .\n", "utf-8")
    elif source == "missing.ttl":
        source = str(tmp_path / source)
    result = CliRunner().invoke(cli, ["sdg", "import", source, "--project", str(root)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (root / "imported").exists()


def test_the_cli_lists_differences_and_fails_on_an_undocumented_one(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    result = CliRunner().invoke(cli, ["sdg", "import", str(FIXTURES / "mini-kos.ttl"),
                                      "--project", str(root)])
    assert result.exit_code == 1
    assert "1 goals, 2 targets, 2 indicators" in result.stdout
    assert "16.5 title @fr" in result.stdout and "UNDOCUMENTED" in result.stdout
    assert "left out: 18" in result.stdout
