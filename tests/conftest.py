"""Shared fixtures: the real project, one assembled dataset and one release per session.

An audit hook (tests/no_network.py) fails any test whose code reaches beyond this machine.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policing_kg.assembly.assemble import Assembly, assemble
from policing_kg.common.datafiles import load_toml
from policing_kg.project import Project
from policing_kg.release.build import BuildResult, build_release

from .no_network import install as install_no_network

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/policing-kg/id/"
PKG = "https://w3id.org/policing-kg/ontology#"
GRAPH = "https://w3id.org/policing-kg/graph/"
SHARED = ROOT.parent / "shared"
#: Counts that follow from the curated data, kept apart from the code (tests/expected/).
EXPECTED: dict[str, Any] = load_toml(ROOT / "tests" / "expected" / "graph.toml")


install_no_network()


def java_available() -> bool:
    """Java is needed by HermiT; on CI it must be there (``.ci/run`` installs it)."""
    if shutil.which("java"):
        return True
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but no Java: .ci/run must install openjdk-17-jre-headless")
    return False


#: What a checkout's copy needs to build (the inputs; not the code, which is installed).
PROJECT_FOLDERS = ("data", "ontology", "shapes", "queries", "releases")


def copy_project(target: Path) -> Path:
    """Copy the project's inputs to ``target`` (a folder to change without touching ROOT)."""
    for folder in PROJECT_FOLDERS:
        shutil.copytree(ROOT / folder, target / folder)
    return target


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def assembly(project: Project) -> Assembly:
    return assemble(project)


@pytest.fixture(scope="session")
def release(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, BuildResult]]:
    out = tmp_path_factory.mktemp("release") / "dist"
    result = build_release(project, out, reason=java_available())
    yield out, result


@pytest.fixture(scope="session")
def items(assembly: Assembly) -> dict[str, Any]:
    return {"/".join((i.document, *i.path)): i for c in assembly.conversions for i in c.items}
