"""The release archive reproduces byte for byte; ``diff`` finds each kind of change."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from policing_kg.common.files import is_archive_name
from policing_kg.curation.releases import load_releases
from policing_kg.errors import PolicingKGError
from policing_kg.release.archive import read_archive, write_archive
from policing_kg.release.diff import Snapshot, diff_releases, read_snapshot

from ..conftest import GRAPH, ID, ROOT
from ..corpus import expected_items

PKG = "https://w3id.org/policing-kg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _archive(dist: Path) -> Path:
    version = load_releases(ROOT / "releases" / "releases.toml").current.version
    return dist / f"policing-kg-{version}.tar.gz"


def test_the_archive_holds_the_release_and_its_checksum(release: tuple[Path, object]) -> None:
    dist, _ = release
    archive = _archive(dist)
    sidecar = archive.with_name(archive.name + ".sha256")
    digest, name = sidecar.read_text("utf-8").split()
    assert name == archive.name and hashlib.sha256(archive.read_bytes()).hexdigest() == digest
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    folder = archive.name.removesuffix(".tar.gz")
    listed = sorted(line.split("  ")[1] for line in
                    (dist / "SHA256SUMS").read_text("utf-8").splitlines())
    assert [m.name for m in members] == [f"{folder}/{n}" for n in sorted([*listed, "SHA256SUMS"])]
    assert {(m.uid, m.gid, m.mode, m.uname) for m in members} == {(0, 0, 0o644, "")}
    assert len({m.mtime for m in members}) == 1
    assert archive.read_bytes()[4:8] == b"\0\0\0\0"  # no time in the gzip header
    files = read_archive(archive, digest)
    assert files["policing-kg.nq"] == (dist / "policing-kg.nq").read_bytes()


def test_the_archive_is_the_same_bytes_again(release: tuple[Path, object], tmp_path: Path) -> None:
    dist, _ = release
    archive = _archive(dist)
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in dist.iterdir():
        if path.is_file() and not is_archive_name(path.name):
            shutil.copy(path, copy / path.name)
    with tarfile.open(archive) as tar:
        mtime = tar.getmembers()[0].mtime
    again = write_archive(copy, tmp_path / archive.name, archive.name.removesuffix(".tar.gz") + "/",
                          mtime)
    assert (tmp_path / archive.name).read_bytes() == archive.read_bytes()
    assert again == hashlib.sha256(archive.read_bytes()).hexdigest()


def test_a_tampered_archive_is_refused(release: tuple[Path, object], tmp_path: Path) -> None:
    dist, _ = release
    data = bytearray(_archive(dist).read_bytes())
    wrong = tmp_path / "wrong.tar.gz"
    wrong.write_bytes(bytes(data))
    with pytest.raises(PolicingKGError, match="does not match the SHA-256"):
        read_archive(wrong, "0" * 64)
    data[len(data) // 2] ^= 0xFF
    wrong.write_bytes(bytes(data))
    with pytest.raises(PolicingKGError):
        read_archive(wrong)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escape")
        tar.addfile(info, io.BytesIO(b""))
    wrong.write_bytes(buffer.getvalue())
    with pytest.raises(PolicingKGError, match="unexpected member"):
        read_archive(wrong)


def _quad(s: str, p: str, o: ox.NamedNode | ox.Literal, graph: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(GRAPH + graph))


def _item(iri: str, text: str, parent: str | None = None) -> list[ox.Quad]:
    quads = [_quad(iri, RDF_TYPE, ox.NamedNode(SKOS + "Concept"), "document/d"),
             _quad(iri, RDF_TYPE, ox.NamedNode(PKG + "GoalStatement"), "document/d"),
             _quad(iri, SKOS + "prefLabel", ox.Literal(text, language="fr"), "document/d")]
    if parent:
        quads.append(_quad(iri, SKOS + "broader", ox.NamedNode(parent), "document/d"))
    return quads


def test_diff_finds_each_kind_of_change() -> None:
    a, b, c, d = (f"{ID}d/goal/1/statement/{n}" for n in range(1, 5))
    g1, g2 = f"{ID}d/goal/1", f"{ID}d/goal/2"
    old = [*_item(a, "Premier."), *_item(b, "Deuxième.", g1), *_item(c, "Troisième."),
           _quad(a, SKOS + "notation", ox.Literal("1"), "document/d"),
           _quad(ID + "mapping/1", "https://w3id.org/sssom/subject_id", ox.Literal(a), "mappings"),
           _quad(ID + "mapping/1", "https://w3id.org/sssom/predicate_id", ox.Literal("p"), "mappings"),
           _quad(ID + "mapping/1", "https://w3id.org/sssom/object_id", ox.Literal("o"), "mappings"),
           _quad(a, PKG + "serves", ox.NamedNode(g1), "inferred")]
    new = [*_item(a, "Premier, changé."), *_item(b, "Deuxième.", g2), *_item(d, "Troisième."),
           _quad(a, SKOS + "notation", ox.Literal("1", datatype=ox.NamedNode(PKG + "N")),
                 "document/d"),
           _quad(a, SKOS + "prefLabel", ox.Literal("First, changed.", language="en"),
                 "translations"),
           *_item(f"{ID}d/goal/1/statement/9", "Nouveau.")]
    shacl_old = [{"focus": a, "path": "p", "component": "MinCountConstraintComponent",
                  "severity": "Warning", "message": "m"}]
    changes = diff_releases(Snapshot("1.0.0", old, shacl_old), Snapshot("1.1.0", new, []))
    counts = changes.counts()
    assert counts["items.added"] == 1 and counts["items.removed"] == 0
    moved = {row["item"]: row for row in changes.data["items"]["moved"]}
    assert moved[d]["from"] == c and moved[d]["how"].startswith("renumbered")
    assert moved[b]["how"] == "another parent" and moved[b]["to"] == g2
    assert [row["item"] for row in changes.data["items"]["text changed"]] == [a]
    assert [row["item"] for row in changes.data["items"]["relabelled"]] == [a]
    assert changes.data["translations"]["added"] == [
        {"item": a, "language": "en", "text": "First, changed."}]
    assert counts["mappings.removed"] == 1 and counts["mappings.added"] == 0
    assert counts["inferred.removed"] == 1
    assert counts["shacl.disappeared"] == 1 and counts["shacl.appeared"] == 0
    markdown = changes.markdown("Notes.", "2026-12-02")
    assert markdown.startswith("# policing-kg 1.1.0 (2026-12-02)\n\nNotes.\n")
    assert "| items added | 1 |" in markdown
    same = diff_releases(Snapshot("1.0.0", old, shacl_old), Snapshot("1.0.0", old, shacl_old))
    assert set(same.counts().values()) == {0}


def test_the_release_carries_its_diff_from_the_previous_one(release: tuple[Path, object]) -> None:
    dist, _ = release
    history = load_releases(ROOT / "releases" / "releases.toml")
    assert history.previous is not None
    changes = json.loads((dist / "changes.json").read_text("utf-8"))
    assert (changes["old"], changes["new"]) == (history.previous.version, history.current.version)
    assert f"## Changes from {history.previous.version}" in (dist / "CHANGES.md").read_text("utf-8")
    assert history.current.notes.splitlines()[0] in (dist / "CHANGES.md").read_text("utf-8")


def test_the_first_release_differs_by_the_translations(release: tuple[Path, object]) -> None:
    """0.1.0 (kept in releases/) against this build: the English of every item came since."""
    from policing_kg.release.diff import read_snapshot

    changes = diff_releases(read_snapshot(ROOT / "releases" / "policing-kg-0.1.0.tar.gz"),
                            read_snapshot(release[0])).to_json()
    assert changes["counts"]["translations.added"] >= 110
    # the items of the documents 0.1.0 did not have (none, until a document is added) are added
    old_documents = {"sf-2026", "gpg-2023", "oec-2022", "fcac-2022", "ct-2022", "cyber-2022"}
    added = sum(sum(counts.values()) for document, counts in
                expected_items(ROOT)["counts"].items() if document not in old_documents)
    assert changes["counts"]["items.added"] == added and changes["counts"]["items.removed"] == 0
    # a translation reworded since 0.1.0 is "changed", not removed and added
    changed = {row["item"]: row for row in changes["translations"]["changed"]}
    assert changed[ID + "gpg-2023/goal/5"]["after"] == "Tackle corruption and financial crime in all its forms"
    assert changes["counts"]["translations.removed"] == 0


def test_diff_command_on_folder_and_archive(release: tuple[Path, object]) -> None:
    dist, _ = release
    history = load_releases(ROOT / "releases" / "releases.toml")
    assert history.previous is not None
    old = history.archive_path(history.previous)
    assert old is not None
    done = subprocess.run([sys.executable, "-m", "policing_kg", "diff", str(old), str(dist),
                           "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    from_command = json.loads(done.stdout)
    assert from_command == json.loads((dist / "changes.json").read_text("utf-8"))
    itself = subprocess.run([sys.executable, "-m", "policing_kg", "diff", str(_archive(dist)),
                             str(dist)], capture_output=True, text=True, cwd=ROOT)
    assert itself.returncode == 0 and "| items added | 0 |" in itself.stdout
    assert "| translations added | 0 |" in itself.stdout
    bad = subprocess.run([sys.executable, "-m", "policing_kg", "diff", str(ROOT / "README.md"),
                          str(dist)], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "not a release" in bad.stderr
    assert read_snapshot(dist).version == history.current.version


def _diff(old: Path, new: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policing_kg", "diff", str(old), str(new)],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("damage", ["void-cut-short", "report-edited", "no-sums", "garbage-sums"])
def test_a_damaged_release_folder_is_one_line(release: tuple[Path, object], tmp_path: Path,
                                              damage: str) -> None:
    dist, _ = release
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in dist.iterdir():
        if path.is_file():
            shutil.copy(path, copy / path.name)
    if damage == "void-cut-short":
        (copy / "void.ttl").write_bytes((copy / "void.ttl").read_bytes()[:500])
    elif damage == "report-edited":
        (copy / "quality-report.json").write_text("{}", "utf-8")
    elif damage == "no-sums":
        (copy / "SHA256SUMS").unlink()
    else:
        (copy / "SHA256SUMS").write_text("not a checksum line\n", "utf-8")
    for args in ((copy, dist), (dist, copy)):
        done = _diff(*args)
        assert done.returncode == 2, done.stdout[:300]
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    report = subprocess.run([sys.executable, "-m", "policing_kg", "report", "--dist", str(copy)],
                            capture_output=True, text=True, cwd=ROOT)
    assert report.returncode == 2 and report.stderr.count("\n") == 1, report.stderr


def test_an_archive_made_by_tar_with_its_folder_entry_is_read(release: tuple[Path, object],
                                                              tmp_path: Path) -> None:
    dist, _ = release
    folder = tmp_path / "policing-kg-x"
    folder.mkdir()
    for path in dist.iterdir():
        if path.is_file() and not is_archive_name(path.name):
            shutil.copy(path, folder / path.name)
    archive = tmp_path / "repacked.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)  # a directory member first, as tar(1) writes
    assert "policing-kg.nq" in read_archive(archive)
    bad = tmp_path / "bad.tar.gz"
    (folder / "SHA256SUMS").write_text("garbage\n", "utf-8")
    with tarfile.open(bad, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    done = _diff(bad, dist)
    assert done.returncode == 2 and "SHA256SUMS is damaged" in done.stderr
