"""Dumps: every format parses back to the same graph; byte-identical builds; atomic writes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from policing_kg import __version__
from policing_kg.project import Project
from policing_kg.release import publish as publish_module
from policing_kg.release.build import BuildResult, build_release

from ..conftest import ROOT, copy_project
from ..corpus import named_graphs

#: the union of the graphs (a plain RDF parser of each finds every triple)
DUMP_FORMATS = {"policing-kg.ttl": "turtle", "policing-kg.nt": "nt", "policing-kg.jsonld": "json-ld"}
#: the named graphs
DATASET_FORMATS = {"policing-kg.trig": "trig", "policing-kg.nq": "nquads"}
EXPECTED_FILES = {"policing-kg.ttl", "policing-kg.nt", "policing-kg.trig", "policing-kg.nq",
                  "policing-kg.jsonld", "context.jsonld", "policing-kg-ontology.ttl", "void.ttl",
                  "quality-report.json", "quality-report.md", "CHANGES.md", "changes.json",
                  "policing-kg-crosswalk.sssom.tsv", "SHA256SUMS"}
#: Beside them, not listed in SHA256SUMS (which they hold): the archive and its checksum.
ARCHIVE_FILES = {f"policing-kg-{__version__}.tar.gz", f"policing-kg-{__version__}.tar.gz.sha256"}


def load_dataset(path: Path, fmt: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(path, format=fmt)
    return dataset


def quads(dataset: Dataset) -> set[tuple[str, str, str, str]]:
    return {(s.n3(), p.n3(), o.n3(), str(g)) for s, p, o, g in dataset.quads((None, None, None, None))}


def graphs(dataset: Dataset) -> dict[str, Graph]:
    """Each named graph of a dataset, as a graph (blank nodes compared by isomorphism)."""
    out: dict[str, Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        out.setdefault(str(g), Graph()).add((s, p, o))
    return out


def same_graphs(a: dict[str, Graph], b: dict[str, Graph]) -> bool:
    return a.keys() == b.keys() and all(isomorphic(a[k], b[k]) for k in a)


def test_release_files(release: tuple[Path, BuildResult]) -> None:
    out, _ = release
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES | ARCHIVE_FILES


def test_checksums_match_the_files(release: tuple[Path, BuildResult]) -> None:
    out, _ = release
    lines = (out / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == len(EXPECTED_FILES) - 1
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_every_format_parses_back_to_the_same_graph(release: tuple[Path, BuildResult]) -> None:
    out, result = release
    reference = Graph().parse(out / "policing-kg.nt", format="nt")
    assert len(reference) == result.release.triples  # type: ignore[union-attr]
    for name, fmt in DUMP_FORMATS.items():
        assert isomorphic(Graph().parse(out / name, format=fmt), reference), name
    reference_dataset = load_dataset(out / "policing-kg.nq", "nquads")
    assert len(quads(reference_dataset)) == result.release.quads  # type: ignore[union-attr]
    for name, fmt in DATASET_FORMATS.items():
        dataset = load_dataset(out / name, fmt)
        assert same_graphs(graphs(dataset), graphs(reference_dataset)), name
        union = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        assert isomorphic(union, reference), name


def test_trig_has_one_named_graph_per_layer(release: tuple[Path, BuildResult]) -> None:
    out, result = release
    graphs = {g for *_, g in quads(load_dataset(out / "policing-kg.trig", "trig"))}
    # the layers, and one graph per document of the manifest
    assert {str(g) for g in graphs} == named_graphs(ROOT)


def test_void_describes_the_release(release: tuple[Path, BuildResult]) -> None:
    out, result = release
    void = Graph().parse(out / "void.ttl")
    rows = list(void.query("""
        PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?triples ?version ?license (COUNT(DISTINCT ?dump) AS ?dumps) WHERE {
          ?d a void:Dataset ; void:triples ?triples ; dcat:version ?version ;
             dcterms:license ?license ; void:dataDump ?dump } GROUP BY ?triples ?version ?license"""))
    assert len(rows) == 1
    triples, version, license_, dumps = rows[0]
    assert int(triples) == result.release.triples  # type: ignore[union-attr]
    assert str(version) == __version__ and int(dumps) == 6  # five dumps and the archive
    assert str(license_) == "https://creativecommons.org/licenses/by/4.0/"
    sums = dict(reversed(line.split("  ")) for line in (out / "SHA256SUMS").read_text().splitlines())
    checksum_values = {str(v) for v in void.objects(None, None) if len(str(v)) == 64}
    assert {sums[name] for name in sums if name != "void.ttl"} <= checksum_values
    per_graph = {str(s): int(o) for s, o in void.query(
        "SELECT ?g ?n WHERE { ?d <http://rdfs.org/ns/void#subset> ?g . "
        "?g <http://rdfs.org/ns/void#triples> ?n }")}
    assert sum(per_graph.values()) == result.release.quads  # type: ignore[union-attr]


def _cli_build(out: Path, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run([sys.executable, "-m", "policing_kg", "build", "--skip-reasoner",
                    "--project", str(ROOT), "--dist", str(out)],
                   check=True, env=env, capture_output=True)
    return (out / "SHA256SUMS").read_text()


@pytest.mark.slow
def test_builds_are_byte_identical_across_hash_seeds(tmp_path: Path,
                                                     release: tuple[Path, BuildResult]) -> None:
    first = _cli_build(tmp_path / "a", "1")
    second = _cli_build(tmp_path / "b", "4242")
    assert first == second
    for name in EXPECTED_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # and the same bytes as the session's in-process build
    assert first == (release[0] / "SHA256SUMS").read_text()


def test_a_failed_publish_leaves_the_previous_release_intact(
        tmp_path: Path, project: Project, monkeypatch: pytest.MonkeyPatch,
        release: tuple[Path, BuildResult]) -> None:
    import shutil

    from policing_kg.errors import PolicingKGError

    out = tmp_path / "dist"
    shutil.copytree(release[0], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = {"n": 0}
    real = publish_module.ox.serialize

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(publish_module.ox, "serialize", failing)
    with pytest.raises(PolicingKGError, match="cannot write the release .No space left on device"):
        build_release(project, out, reason=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")]


def test_the_release_does_not_depend_on_where_the_checkout_is(
        tmp_path: Path, release: tuple[Path, BuildResult]) -> None:

    copy = copy_project(tmp_path / "elsewhere")
    build_release(Project(copy), tmp_path / "dist", reason=False)
    assert (tmp_path / "dist" / "SHA256SUMS").read_text() == \
        (release[0] / "SHA256SUMS").read_text()


def test_the_json_ld_dump_is_compacted_with_the_published_context(
        release: tuple[Path, BuildResult]) -> None:
    """Short keys for a JSON consumer, the context inline and in context.jsonld, and every
    triple for pyoxigraph's JSON-LD parser as for rdflib's."""
    import json

    import pyoxigraph as ox

    out, _ = release
    document = json.loads((out / "policing-kg.jsonld").read_text("utf-8"))
    context = json.loads((out / "context.jsonld").read_text("utf-8"))["@context"]
    assert document["@context"] == context and context["skos"].endswith("/core#")
    goal = next(n for n in document["@graph"] if n["@id"] == "pkgid:gpg-2023/goal/3")
    assert "pkg:GlobalPolicingGoal" in goal["@type"]
    assert {"@value": goal["skos:prefLabel"][0]["@value"], "@language": "fr"} in \
        goal["skos:prefLabel"]
    triples = {q.triple for q in ox.parse(path=str(out / "policing-kg.jsonld"),
                                          format=ox.RdfFormat.JSON_LD)}
    reference = {q.triple for q in ox.parse(path=str(out / "policing-kg.nt"),
                                            format=ox.RdfFormat.N_TRIPLES)}
    assert triples == reference
