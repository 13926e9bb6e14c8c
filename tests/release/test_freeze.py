"""Publishing freezes a release (issue 21): `release start`, `release publish`, and a build that
refuses disagreeing versions or other bytes under a published version's number.

Each test works in a git repository made in a temporary folder from the checkout's files (its
inputs, version files and pins), never in the checkout itself.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policing_kg.common.datafiles import load_toml
from policing_kg.curation.releases import load_releases, releases_text
from policing_kg.release.freeze import PINS, PLACEHOLDER

from ..conftest import ROOT, copy_project

VERSION_FILES = ("pyproject.toml", "src/policing_kg/__init__.py", "CITATION.cff")
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
TODAY = datetime.datetime.now(datetime.timezone.utc).date()


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, check=True)
    return done.stdout


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policing_kg", *args], cwd=repo,
                          capture_output=True, text=True, env={**os.environ, **GIT_ENV})


def make_repo(target: Path) -> Path:
    """A git repository holding the checkout's inputs, version files and pins, committed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    copy_project(target)
    for name in (*VERSION_FILES, *PINS):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, target / name)
    (target / ".gitignore").write_text("/dist/\n", "utf-8")
    git(target, "init", "--quiet", "--initial-branch=main")
    git(target, "add", "-A")
    git(target, "commit", "--quiet", "-m", "fixture")
    return target


def one_line_refusal(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    for needle in needles:
        assert needle in done.stderr, (needle, done.stderr)


def test_the_checkout_says_the_record_s_version_and_its_record_is_canonical() -> None:
    history = load_releases(ROOT / "releases" / "releases.toml")
    assert releases_text(history) == history.path.read_text("utf-8")
    assert history.current.archive is None or history.current.sha256 is not None
    for record in history.releases:
        if record.archive:  # every published version is kept, with its bytes
            archive = history.archive_path(record)
            assert archive is not None
            assert hashlib.sha256(archive.read_bytes()).hexdigest() == record.sha256


def test_a_version_disagreement_is_refused_in_one_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    current = load_releases(repo / "releases" / "releases.toml").current
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(re.sub(r'(?m)^version = "[^"]*"$', 'version = "9.9.9"',
                                pyproject.read_text("utf-8"), count=1), "utf-8")
    done = cli(repo, "build", "--skip-reasoner", "--dist", str(tmp_path / "dist"))
    one_line_refusal(done, "the versions disagree", f"is {current.version}",
                     "pyproject.toml says 9.9.9", "release start")
    assert not (tmp_path / "dist").exists()
    citation = repo / "CITATION.cff"
    shutil.copyfile(ROOT / "pyproject.toml", pyproject)
    citation.write_text(citation.read_text("utf-8").replace(
        f"date-released: {current.date.isoformat()}", "date-released: 2000-01-01"), "utf-8")
    one_line_refusal(cli(repo, "build", "--skip-reasoner", "--dist", str(tmp_path / "dist")),
                     "CITATION.cff says 2000-01-01")


def test_publish_refuses_before_building(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    history = load_releases(repo / "releases" / "releases.toml")
    dist = str(tmp_path / "dist")
    (repo / "data" / "new.txt").write_text("not committed\n", "utf-8")
    one_line_refusal(cli(repo, "release", "publish", "--dist", dist),
                     "the working tree is not clean: data/new.txt", "commit")
    (repo / "data" / "new.txt").unlink()
    if history.current.archive is None:
        git(repo, "tag", f"v{history.current.version}")
        one_line_refusal(cli(repo, "release", "publish", "--dist", dist),
                         f"the tag v{history.current.version} exists already")
        git(repo, "tag", "-d", f"v{history.current.version}")
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    one_line_refusal(cli(repo, "release", "publish", "--dist", dist, "--date", tomorrow),
                     "is in the future")
    assert not (tmp_path / "dist").exists()
    assert not git(repo, "status", "--porcelain")  # the record is as it was


def test_start_checks_its_version_and_date(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    record = repo / "releases" / "releases.toml"
    history = load_releases(record)
    if history.current.archive is None:  # the checkout works on an unpublished version
        one_line_refusal(cli(repo, "release", "start", "99.0.0", "--date", TODAY.isoformat()),
                         f"{history.current.version} is not published yet", "publish it first")
        history = type(history)(history.releases[1:], record)
        record.write_text(releases_text(history), "utf-8")
    newest = history.current
    major, minor, _ = newest.version.split(".")
    after = f"{major}.{int(minor) + 1}.0"
    for args, needle in [
        ((newest.version, "--date", TODAY.isoformat()), "is not after"),
        ((after, "--date", (TODAY + datetime.timedelta(days=1)).isoformat()), "in the future"),
        ((after, "--date", (newest.date - datetime.timedelta(days=1)).isoformat()),
         f"is before {newest.version}'s date"),
        (("1.0", "--date", TODAY.isoformat()), "not a version"),
    ]:
        text = record.read_text("utf-8")
        one_line_refusal(cli(repo, "release", "start", *args), needle)
        assert record.read_text("utf-8") == text


def test_an_archive_kept_without_its_record_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    current = load_releases(repo / "releases" / "releases.toml").current
    if current.archive is not None:
        pytest.skip("the checkout's newest version is published (checked by the slow test)")
    kept = repo / "releases" / f"policing-kg-{current.version}.tar.gz"
    shutil.copyfile(next((ROOT / "releases").glob("*.tar.gz")), kept)
    one_line_refusal(cli(repo, "build", "--skip-reasoner", "--dist", str(tmp_path / "dist")),
                     f"{current.version} is published ({kept.name} is in releases/)",
                     "names no archive")


@pytest.mark.slow
def test_publish_freezes_the_release(tmp_path: Path) -> None:
    """Publish, rebuild (same bytes: accepted), change an input (refused), start the next."""
    repo = make_repo(tmp_path / "repo")
    record = repo / "releases" / "releases.toml"
    history = load_releases(record)
    current = history.current
    assert current.archive is None, "the checkout works on an unpublished version"
    assert history.previous is not None
    if current.notes == PLACEHOLDER.format(previous=history.previous.version):
        pytest.fail("the checkout's newest record has placeholder notes")
    dist = tmp_path / "dist"
    done = cli(repo, "release", "publish", "--skip-reasoner", "--dist", str(dist))
    assert done.returncode == 0, done.stderr
    tag, name = f"v{current.version}", f"policing-kg-{current.version}.tar.gz"
    digest = hashlib.sha256((dist / name).read_bytes()).hexdigest()
    assert (repo / "releases" / name).read_bytes() == (dist / name).read_bytes()
    published = load_releases(record).current
    assert (published.version, published.archive, published.sha256) == \
        (current.version, name, digest)
    assert releases_text(load_releases(record)) == record.read_text("utf-8")
    assert not git(repo, "status", "--porcelain")  # all of it committed
    assert git(repo, "rev-parse", f"{tag}^{{commit}}") == git(repo, "rev-parse", "HEAD")
    assert git(repo, "cat-file", "-t", tag).strip() == "tag"  # annotated
    assert digest in git(repo, "tag", "-l", "--format=%(contents)", tag)
    for pin_file, pattern in PINS.items():
        assert {m.group(2) for m in pattern.finditer((repo / pin_file).read_text("utf-8"))} \
            == {tag}, pin_file
    assert f"tagged it {tag}" in done.stdout and f"git push origin HEAD {tag}" in done.stdout
    one_line_refusal(cli(repo, "release", "publish", "--dist", str(dist)),
                     f"{current.version} is published already")

    # the published version built again gives the same bytes: accepted
    again = tmp_path / "again"
    done = cli(repo, "build", "--skip-reasoner", "--dist", str(again))
    assert done.returncode == 0, done.stderr
    assert (again / name).read_bytes() == (dist / name).read_bytes()

    # an input changed: the same number with other bytes is refused, nothing written
    ontology = repo / "ontology" / "policing-kg.ttl"
    ontology.write_text(ontology.read_text("utf-8") + "# changed after publishing\n", "utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    one_line_refusal(cli(repo, "build", "--skip-reasoner", "--dist", str(tmp_path / "other")),
                     f"{current.version} is published", "other bytes", "release start")
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no dist, no leftovers
    git(repo, "checkout", "--", "ontology/policing-kg.ttl")

    # the next version: its record, and every version file agrees
    done = cli(repo, "release", "start", "99.0.0", "--date", TODAY.isoformat())
    assert done.returncode == 0, done.stderr
    started = load_releases(record)
    assert (started.current.version, started.current.date, started.current.archive) == \
        ("99.0.0", TODAY, None)
    assert started.previous is not None and started.previous.sha256 == digest
    assert load_toml(repo / "pyproject.toml")["project"]["version"] == "99.0.0"
    assert '__version__ = "99.0.0"' in (repo / "src/policing_kg/__init__.py").read_text("utf-8")
    citation = yaml.safe_load((repo / "CITATION.cff").read_text("utf-8"))
    assert citation["version"] == "99.0.0" and citation["date-released"] == TODAY
    assert citation["url"].endswith("/release/99.0.0/")
    git(repo, "commit", "--quiet", "-am", "Start 99.0.0")
    one_line_refusal(cli(repo, "release", "publish", "--dist", str(dist)),
                     "the notes of 99.0.0 are still the placeholder")
