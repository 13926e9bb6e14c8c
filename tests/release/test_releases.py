"""The release record drives the version, the dates and the release IRIs; all agree."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rdflib import OWL, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID, XSD

from policing_kg import __version__
from policing_kg.common.datafiles import load_toml
from policing_kg.curation.releases import check_versions, load_releases, version_problems
from policing_kg.errors import DataError
from policing_kg.release.metadata import check_base_url

from ..conftest import GRAPH, ID, ROOT, copy_project

RECORD = ROOT / "releases" / "releases.toml"
ONTOLOGY = URIRef("https://w3id.org/policing-kg/ontology")
DATASET = URIRef(ID + "dataset")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")


def test_the_versions_agree() -> None:
    """What the build checks first (one line, exit 2, when they do not): the same as read here."""
    history = load_releases(RECORD)
    current = history.current
    check_versions(ROOT, history, __version__)
    assert version_problems(ROOT, current) == []
    pyproject = load_toml(ROOT / "pyproject.toml")["project"]["version"]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text("utf-8"))
    assert current.version == __version__ == pyproject == citation["version"]
    assert citation["date-released"] == current.date
    assert citation["url"].endswith(f"/release/{current.version}/")
    other = dataclasses.replace(current, version="9.9.9")
    assert version_problems(ROOT, other) == [
        f"pyproject.toml says {current.version}", f"src/policing_kg/__init__.py says "
        f"{current.version}", f"CITATION.cff says {current.version}",
        f"CITATION.cff says {current.version}"]


def test_each_published_release_is_kept_with_its_checksum() -> None:
    import hashlib

    history = load_releases(RECORD)
    for record in history.releases[1:]:
        archive = history.archive_path(record)
        assert archive is not None and archive.is_file(), record.version
        assert hashlib.sha256(archive.read_bytes()).hexdigest() == record.sha256


@pytest.mark.parametrize(("body", "message"), [
    ('[[release]]\nversion = "1.0"\ndate = 2026-12-02\nnotes = "x"\n', "not a version"),
    ('[[release]]\nversion = "1.0.0"\ndate = "2026-12-02"\nnotes = "x"\n', "`date` must be a date"),
    ('[[release]]\nversion = "1.0.0"\ndate = 2026-12-02\n', "`notes` is missing"),
    ('[[release]]\nversion = "0.1.0"\ndate = 2026-12-02\nnotes = "x"\n'
     '[[release]]\nversion = "0.2.0"\ndate = 2026-12-01\nnotes = "y"\n'
     'archive = "a.tar.gz"\nsha256 = "' + "0" * 64 + '"\n', "listed before"),
    ('[[release]]\nversion = "0.2.0"\ndate = 2026-11-01\nnotes = "x"\n'
     '[[release]]\nversion = "0.1.0"\ndate = 2026-12-01\nnotes = "y"\n'
     'archive = "a.tar.gz"\nsha256 = "' + "0" * 64 + '"\n', "dated before"),
    ('[[release]]\nversion = "0.2.0"\ndate = 2026-12-01\nnotes = "x"\n'
     '[[release]]\nversion = "0.1.0"\ndate = 2026-11-01\nnotes = "y"\n', "names no archive"),
    ('[[release]]\nversion = "0.2.0"\ndate = 2026-12-01\nnotes = "x"\narchive = "a.tar.gz"\n',
     "go together"),
    ("", "no [[release]]"),
])
def test_a_bad_record_is_one_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "releases.toml"
    path.write_text(body, "utf-8")
    with pytest.raises(DataError, match=re.escape(message)) as caught:
        load_releases(path)
    assert "\n" not in caught.value.line() and str(path) in caught.value.line()


def test_the_ontology_version_comes_from_the_record(release: tuple[Path, object]) -> None:
    dist, _ = release
    current = load_releases(RECORD).current
    for graph in (Graph().parse(dist / "policing-kg-ontology.ttl"),
                  Dataset().parse(dist / "policing-kg.trig").graph(URIRef(GRAPH + "ontology"))):
        assert graph.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY}/{current.version}")
        assert graph.value(ONTOLOGY, OWL.versionInfo) == Literal(current.version)
        assert graph.value(ONTOLOGY, DCTERMS.modified) == \
            Literal(current.date.isoformat(), datatype=XSD.date)
        previous = load_releases(RECORD).previous
        assert previous is not None
        assert graph.value(ONTOLOGY, OWL.priorVersion) == URIRef(f"{ONTOLOGY}/{previous.version}")
    # the checkout's ontology carries no version of its own: the record is the one place
    assert "versionInfo" not in (ROOT / "ontology" / "policing-kg.ttl").read_text("utf-8")


def test_the_dataset_description(release: tuple[Path, object]) -> None:
    dist, _ = release
    history = load_releases(RECORD)
    current = history.current
    base = f"https://w3id.org/policing-kg/release/{current.version}/"
    dataset = Dataset().parse(dist / "policing-kg.trig")
    inside = dataset.graph(URIRef(GRAPH + "metadata"))
    void = Graph().parse(dist / "void.ttl")
    for graph in (inside, void):
        assert graph.value(DATASET, DCAT.version) == Literal(current.version)
        assert graph.value(DATASET, DCTERMS.issued) == \
            Literal(history.first.date.isoformat(), datatype=XSD.date)
        assert graph.value(DATASET, DCTERMS.modified) == \
            Literal(current.date.isoformat(), datatype=XSD.date)
        assert graph.value(DATASET, DCAT.landingPage) == URIRef("https://w3id.org/policing-kg/")
        assert graph.value(DATASET, VOID.sparqlEndpoint) == \
            URIRef("https://w3id.org/policing-kg/sparql")
        assert len(list(graph.objects(DATASET, VOID.exampleResource))) >= 3
        assert str(graph.value(DATASET, DCTERMS.bibliographicCitation)).endswith(base)
        assert set(graph.objects(DATASET, DCAT.hasVersion)) == {
            URIRef(f"https://w3id.org/policing-kg/release/{r.version}/") for r in history.releases}
        assert graph.value(URIRef(base), ADMS.versionNotes) is not None
        assert history.previous is not None
        assert graph.value(URIRef(base), DCAT.previousVersion) == \
            URIRef(f"https://w3id.org/policing-kg/release/{history.previous.version}/")
        subsets = list(graph.objects(DATASET, VOID.subset))
        assert len(subsets) == len(list(dataset.contexts())) - 1  # every named graph
        assert all(graph.value(s, DCTERMS.title) is not None for s in subsets)
        distributions = list(graph.objects(DATASET, DCAT.distribution))
        for name in ("policing-kg.ttl", "policing-kg.nq", f"policing-kg-{current.version}.tar.gz",
                     "quality-report.json", "CHANGES.md"):
            assert URIRef(base + name) in distributions, name
        for url in distributions:
            assert graph.value(url, DCTERMS.license) is not None, url
            assert graph.value(url, DCAT.mediaType) is not None, url
            assert graph.value(url, DCAT.downloadURL) == url
            assert graph.value(url, DCAT.accessURL) == URIRef(base)
    assert void.value(URIRef(base + "policing-kg.ttl"), DCTERMS["format"]) == \
        URIRef("http://www.w3.org/ns/formats/Turtle")
    # what only void.ttl can say: sizes, checksums and counts
    sums = dict(reversed(line.split("  ")) for line in
                (dist / "SHA256SUMS").read_text("utf-8").splitlines())
    for name, digest in sums.items():
        if name == "void.ttl":
            continue
        checksum = void.value(URIRef(base + name), SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == digest, name
    assert inside.value(DATASET, VOID.triples) is None


def test_base_url_checked_and_joined() -> None:
    assert check_base_url("https://example.org/releases/0.1.0", "0.1.0") == \
        "https://example.org/releases/0.1.0/"
    assert check_base_url("https://example.org/r/", "0.1.0") == "https://example.org/r/"
    assert check_base_url(None, "0.2.0") == "https://w3id.org/policing-kg/release/0.2.0/"
    for bad in ("example.org/releases", "ftp://example.org/", "https:///x", "https://e.org/?a=1",
                "https://e.org/#x", "https://e.org/a b"):
        with pytest.raises(Exception, match="--base-url"):
            check_base_url(bad, "0.1.0")


def test_build_with_a_base_url_writes_joined_links(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    done = subprocess.run([sys.executable, "-m", "policing_kg", "build", "--project", str(project),
                           "--dist", str(tmp_path / "dist"), "--skip-reasoner",
                           "--base-url", "https://example.org/releases/x"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    void = (tmp_path / "dist" / "void.ttl").read_text("utf-8")
    assert "<https://example.org/releases/x/policing-kg-ontology.ttl>" in void
    assert "xpolicing-kg" not in void
    refused = subprocess.run([sys.executable, "-m", "policing_kg", "build", "--project",
                              str(project), "--dist", str(tmp_path / "dist2"),
                              "--base-url", "example.org"], capture_output=True, text=True)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "--base-url must be an absolute http(s) URL" in refused.stderr

