"""Fixtures of the web tests: a release with its site, and `policing-kg serve` running on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from policing_kg.project import Project
from policing_kg.release.build import BuildResult
from policing_kg.web.site import SiteResult, write_site


@pytest.fixture(scope="session")
def site(release: tuple[Path, BuildResult], project: Project,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SiteResult]:
    """A copy of the session's release, with its site written (the release itself untouched)."""
    dist = tmp_path_factory.mktemp("site") / "dist"
    shutil.copytree(release[0], dist)
    return dist, write_site(project, dist)


class Server:
    """`policing-kg serve` in a subprocess, on a free loopback port."""

    def __init__(self, dist: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "policing_kg", "serve", "--dist", str(dist), "--port", "0",
             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "serving" not in line:
            self.process.kill()
            raise AssertionError(f"serve did not start: {line}{self.process.stderr.read()}")
        self.base = line.split(" on ", 1)[1].split()[0].rstrip("/")
        deadline = time.monotonic() + 60
        while True:  # the workers load the release before the server answers
            try:
                with urllib.request.urlopen(f"{self.base}/index.html", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError("serve did not answer") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def server(site: tuple[Path, SiteResult]) -> Iterator[Server]:
    running = Server(site[0], "--query-timeout", "3", "--max-result-bytes", "2000000")
    yield running
    running.stop()
