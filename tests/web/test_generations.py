"""The release `serve` answers: complete only with its own site, and kept whole (hard links)
whatever replaces its folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policing_kg.curation.releases import load_releases
from policing_kg.errors import PolicingKGError
from policing_kg.web.generations import marker, release_of, snapshot
from policing_kg.web.site import SiteResult

from ..conftest import ROOT


def test_a_release_with_its_own_site_is_complete(site: tuple[Path, SiteResult]) -> None:
    identity = release_of(site[0])
    assert identity.version == load_releases(ROOT / "releases" / "releases.toml").current.version


def test_a_site_of_another_build_or_none_is_not_served(site: tuple[Path, SiteResult],
                                                       tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(site[0], dist)
    sums = dist / "SHA256SUMS"
    sums.write_bytes(sums.read_bytes() + b"")  # the same bytes: still the same release
    assert release_of(dist) == release_of(site[0])
    sums.write_bytes(sums.read_bytes().replace(b"  void.ttl", b"  void.ttl ", 1))
    with pytest.raises(PolicingKGError, match="the site is of another build"):
        release_of(dist)
    shutil.rmtree(dist / "site")
    with pytest.raises(PolicingKGError, match="run `policing-kg site`"):
        release_of(dist)


def test_a_snapshot_outlives_the_folder_it_was_taken_of(site: tuple[Path, SiteResult],
                                                        tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(site[0], dist)
    before = marker(dist)
    taken = snapshot(dist)
    assert taken is not None
    folder, identity = taken
    assert folder.parent == tmp_path and folder.name.startswith(".dist.serving-")
    assert (folder / "policing-kg.nq").stat().st_ino == (dist / "policing-kg.nq").stat().st_ino
    files = sorted(p.relative_to(dist) for p in dist.rglob("*") if p.is_file())
    assert sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file()) == files
    shutil.rmtree(dist)  # what a new build's swap does to the old folder
    assert marker(dist) != before
    assert release_of(folder) == identity
    assert (folder / "site" / "index.html").read_bytes() == \
        (site[0] / "site" / "index.html").read_bytes()
