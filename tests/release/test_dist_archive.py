"""`--dist` takes a release archive: checked against its .sha256, unpacked once (safely) into the
cache, and answered as its folder is; a command that writes a release refuses it."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.release.build import BuildResult

from ..conftest import ROOT

Release = tuple[Path, BuildResult]


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("POLICING_KG_CACHE", str(folder))
    return folder


def archive_copy(release: Release, target: Path, sidecar: bool = True) -> Path:
    """The release's archive (and its .sha256 when asked) copied into ``target``."""
    (archive,) = release[0].glob("policing-kg-*.tar.gz")
    target.mkdir(exist_ok=True)
    shutil.copy(archive, target / archive.name)
    if sidecar:
        shutil.copy(archive.with_name(archive.name + ".sha256"), target)
    return target / archive.name


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_query_and_validate_answer_from_the_archive_as_from_the_folder(
        release: Release, cache: Path, tmp_path: Path) -> None:
    archive = archive_copy(release, tmp_path / "download")
    for args in (["query", "documents", "--format", "csv", "--project", str(ROOT)],
                 ["validate", str(ROOT / "tests/contributions/translation.ttl"), "--project",
                  str(ROOT)]):
        from_folder = run(*args, "--dist", str(release[0]))
        from_archive = run(*args, "--dist", str(archive))
        assert from_folder[0] == 0, from_folder[2]
        assert from_archive == from_folder  # same exit, same answer, no note (it is checked)
    (unpacked,) = (cache / "releases").iterdir()
    assert (unpacked / "SHA256SUMS").read_bytes() == (release[0] / "SHA256SUMS").read_bytes()
    # unpacked once: a second use reads the cache (its files stay the same ones)
    inode = (unpacked / "policing-kg.nq").stat().st_ino
    assert run("query", "documents", "--project", str(ROOT), "--dist", str(archive))[0] == 0
    assert (unpacked / "policing-kg.nq").stat().st_ino == inode


def test_an_archive_without_its_sha256_is_used_and_said_unchecked(
        release: Release, cache: Path, tmp_path: Path) -> None:
    archive = archive_copy(release, tmp_path / "download", sidecar=False)
    code, out, err = run("query", "documents", "--format", "csv", "--project", str(ROOT),
                         "--dist", str(archive))
    assert code == 0 and out.startswith("title,")
    assert err.startswith("note: ") and "no .sha256" in err and err.count("\n") == 1


def test_an_archive_that_does_not_match_its_sha256_is_one_line(
        release: Release, cache: Path, tmp_path: Path) -> None:
    archive = archive_copy(release, tmp_path / "download")
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    code, out, err = run("query", "documents", "--project", str(ROOT), "--dist", str(archive))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "does not match the SHA-256 of its .sha256" in err
    assert not (cache / "releases").exists() or not any((cache / "releases").iterdir())


def test_the_checkouts_published_archives_are_checked_against_their_records(cache: Path) -> None:
    from policing_kg.curation.releases import load_releases
    from policing_kg.release.unpacked import unpack_release

    record = ROOT / "releases" / "releases.toml"
    published = [r for r in load_releases(record).releases if r.archive]
    assert published, "releases.toml names no published archive"
    for release in published:
        assert release.archive is not None
        archive = record.with_name(release.archive)
        assert not archive.with_name(archive.name + ".sha256").exists()  # the record checks it
        unpacked = unpack_release(archive)
        assert unpacked.checked and unpacked.sha256 == release.sha256, release.version


@pytest.mark.parametrize("recorded", ["right", "wrong"])
def test_an_archive_beside_a_release_record_is_checked_against_it(
        release: Release, cache: Path, tmp_path: Path, recorded: str) -> None:
    archive = archive_copy(release, tmp_path / "releases", sidecar=False)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    (archive.parent / "releases.toml").write_text(
        '[[release]]\nversion = "9.9.9"\ndate = 2026-01-01\nnotes = "A test."\n'
        f'archive = "{archive.name}"\n'
        f'sha256 = "{digest if recorded == "right" else "0" * 64}"\n', "utf-8")
    code, out, err = run("query", "documents", "--format", "csv", "--project", str(ROOT),
                         "--dist", str(archive))
    if recorded == "right":
        assert (code, err) == (0, "") and out.startswith("title,")  # checked: no note
    else:
        assert code == 2 and out == "" and err.count("\n") == 1
        assert "does not match the SHA-256 of its record in" in err and "git checkout" in err


def test_an_archive_with_a_path_out_of_its_folder_is_refused(
        cache: Path, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("policing-kg-9.9.9/../../escaped.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    archive = tmp_path / "policing-kg-9.9.9.tar.gz"
    archive.write_bytes(buffer.getvalue())
    code, _, err = run("query", "documents", "--project", str(ROOT), "--dist", str(archive))
    assert code == 2 and err.count("\n") == 1 and "unexpected member" in err
    assert not list(tmp_path.rglob("escaped.txt"))


def test_a_file_that_is_no_archive_and_build_into_an_archive_are_refused(
        release: Release, cache: Path, tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello", "utf-8")
    code, _, err = run("query", "documents", "--project", str(ROOT), "--dist", str(other))
    assert code == 2 and "not a release folder, nor a release archive" in err
    code, _, err = run("query", "documents", "--project", str(ROOT), "--dist",
                       str(tmp_path / "policing-kg-9.9.9.tar.gz"))
    assert code == 2 and err.count("\n") == 1 and "no such release archive" in err, err
    archive = archive_copy(release, tmp_path / "download")
    before = archive.read_bytes()
    code, _, err = run("build", "--project", str(ROOT), "--dist", str(archive))
    assert code == 2 and err.count("\n") == 1 and "`build` writes a release folder" in err
    assert archive.read_bytes() == before


@pytest.mark.slow
def test_serve_serves_an_archive_with_its_site_written_once(
        release: Release, cache: Path, tmp_path: Path) -> None:
    import os

    from ..web.conftest import Server
    from ..web.test_server import SELECT, request, sparql_get

    archive = archive_copy(release, tmp_path / "download")
    env = dict(os.environ)  # with POLICING_KG_CACHE (the fixture's)
    server = Server(archive, "--workers", "1", "--project", str(ROOT))
    try:
        status, _, body = request(server, "GET", "/index.html")
        assert status == 200 and b"<h1" in body
        assert sparql_get(server, SELECT)[0] == 200
    finally:
        server.stop()
    (unpacked,) = (tmp_path / "cache" / "releases").iterdir()
    assert (unpacked / "site" / "SHA256SUMS").is_file()
    assert subprocess.run([sys.executable, "-m", "policing_kg", "query", "documents", "--dist",
                           str(archive), "--project", str(ROOT)], env=env, capture_output=True,
                          timeout=300).returncode == 0
