"""`policing-kg serve` follows the release: a new build into its folder is served once its site
is written, pages, files and /sparql together, with no failed request in between."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from policing_kg.curation.releases import load_releases, set_versions
from policing_kg.web.site import SiteResult

from ..conftest import ROOT, copy_project
from .conftest import Server
from .test_server import request

pytestmark = pytest.mark.slow

VERSION = ("SELECT ?v WHERE { <https://w3id.org/policing-kg/id/dataset> "
           "<http://www.w3.org/2002/07/owl#versionInfo> ?v }")
PAGE = "/id/gpg-2023/goal/3.html"


def page_version(body: bytes) -> str:
    found = re.search(rb'"version": "([^"]+)"', body)
    assert found is not None, body[:200]
    return found.group(1).decode()


def sparql_version(server: Server) -> tuple[int, str]:
    status, _, body = request(server, "GET", "/sparql?" + urllib.parse.urlencode(
        {"query": VERSION}), headers={"Accept": "application/sparql-results+json"})
    if status != 200:
        return status, ""
    (row,) = json.loads(body)["results"]["bindings"]
    return status, row["v"]["value"]


class Poller(threading.Thread):
    """A client asking for pages, files and /sparql without a pause, noting every answer."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.pages: list[str] = []
        self.answers: list[str] = []
        self.rounds = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                status, _, body = request(self.server, "GET", "/index.html")
                if status != 200:
                    self.failures.append(f"/index.html {status}")
                    continue
                self.pages.append(page_version(body))
                for path in (PAGE, "/style.css", "/search.html?q=goal"):
                    status = request(self.server, "GET", path)[0]
                    if status != 200:
                        self.failures.append(f"{path} {status}")
                status, version = sparql_version(self.server)
                if status != 200:
                    self.failures.append(f"/sparql {status}")
                else:
                    self.answers.append(version)
                self.rounds += 1
            except OSError as exc:
                self.failures.append(f"connection: {exc}")


def changes(seen: list[str]) -> list[str]:
    """The versions in the order they were first answered (each once if it never goes back)."""
    return [v for i, v in enumerate(seen) if i == 0 or seen[i - 1] != v]


def test_serve_follows_a_new_build_with_no_failed_request(
        site: tuple[Path, SiteResult], tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    dist = tmp_path / "dist"
    shutil.copytree(site[0], dist)
    old = load_releases(project / "releases" / "releases.toml").current.version
    new = "99.0.0"
    # a new version in the copy's record; the old one names its archive, copied beside it
    archive = dist / f"policing-kg-{old}.tar.gz"
    shutil.copy(archive, project / "releases" / archive.name)
    record = project / "releases" / "releases.toml"
    text = record.read_text("utf-8")
    head = f'[[release]]\nversion = "{old}"\n'
    assert head in text
    record.write_text(text.replace(head, (
        f'[[release]]\nversion = "{new}"\ndate = 2099-01-01\nnotes = """A test release."""\n\n'
        f'{head}archive = "{archive.name}"\n'
        f'sha256 = "{hashlib.sha256(archive.read_bytes()).hexdigest()}"\n'), 1), "utf-8")
    # the copy's code says the new version too (the build refuses versions that disagree)
    shutil.copytree(ROOT / "src", project / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "CITATION.cff"):
        shutil.copy(ROOT / name, project / name)
    assert set_versions(project, load_releases(record).current)
    environment = {**os.environ, "PYTHONPATH": str(project / "src")}
    old_site_sums = (dist / "site" / "SHA256SUMS").read_bytes()

    server = Server(dist, "--workers", "1")
    poller = Poller(server)
    poller.start()
    try:
        time.sleep(1)
        command = [sys.executable, "-m", "policing_kg"]
        built = subprocess.run([*command, "build", "--skip-reasoner", "--project", str(project),
                                "--dist", str(dist)], capture_output=True, text=True,
                               timeout=600, env=environment)
        assert built.returncode == 0, built.stderr
        # build keeps the previous site; the server goes on with the previous release, whole
        assert (dist / "site" / "SHA256SUMS").read_bytes() == old_site_sums
        assert f'"{new}"' not in (dist / "site" / "index.html").read_text("utf-8")
        time.sleep(2)
        assert sparql_version(server) == (200, old)
        assert page_version(request(server, "GET", "/index.html")[2]) == old
        assert request(server, "GET", f"/release/{old}/SHA256SUMS")[0] == 200
        # a server started now says the site is not the release's
        refused = subprocess.run([*command, "serve", "--dist", str(dist), "--port", "0"],
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1
        assert "the site is of another build" in refused.stderr

        written = subprocess.run([*command, "site", "--project", str(project), "--dist",
                                  str(dist)], capture_output=True, text=True, timeout=600,
                                 env=environment)
        assert written.returncode == 0, written.stderr
        deadline = time.monotonic() + 120
        while sparql_version(server) != (200, new):
            assert time.monotonic() < deadline, "serve did not follow the new release"
            time.sleep(0.2)
        # pages, files and /sparql agree: the new release
        for path in ("/index.html", PAGE):  # both read (and kept in memory) before
            assert request(server, "GET", path)[2] == (dist / "site" / path[1:]).read_bytes()
        assert page_version(request(server, "GET", "/index.html")[2]) == new
        status, _, sums = request(server, "GET", f"/release/{new}/SHA256SUMS")
        assert status == 200 and sums == (dist / "SHA256SUMS").read_bytes()
        assert request(server, "GET", f"/release/{old}/SHA256SUMS")[0] == 404
        rounds = poller.rounds
        deadline = time.monotonic() + 30
        while poller.rounds < rounds + 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        poller.stop.set()
        poller.join(60)
        server.process.terminate()  # it removes its snapshots (thousands of links) first
        server.process.wait(180)
    assert poller.failures == []
    assert changes(poller.pages) == [old, new] and changes(poller.answers) == [old, new]
    assert poller.rounds > 10
    log = server.process.stdout.read() if server.process.stdout else ""
    assert f"serving release {old}" in log and f"now serving release {new}" in log
    assert "its site is not written yet" in log or "another build" in log
    assert not list(tmp_path.glob(".dist.serving-*"))  # the snapshots are removed
