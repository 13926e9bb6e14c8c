"""Shared fixtures: the real project, one assembled dataset and one release per session.

An audit hook fails any test whose code opens a network connection beyond this machine.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policing_kg.build import Assembly, BuildResult, Project, assemble, build_release

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/policing-kg/id/"
PKG = "https://w3id.org/policing-kg/ontology#"
GRAPH = "https://w3id.org/policing-kg/graph/"
SHARED = ROOT.parent / "shared"


def _no_network(event: str, args: tuple[Any, ...]) -> None:
    if event in ("socket.connect", "socket.connect_ex") and len(args) > 1:
        address = args[1]
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1", "localhost")
                                          or host.startswith("/")):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
    if event == "socket.getaddrinfo" and args and args[0] not in (None, "localhost", "127.0.0.1",
                                                                   "::1"):
        raise RuntimeError(f"test tried to resolve a host name: {args[0]!r}")


sys.addaudithook(_no_network)


def java_available() -> bool:
    """Java is needed by HermiT; on CI it must be there (``.ci/run`` installs it)."""
    if shutil.which("java"):
        return True
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but no Java: .ci/run must install openjdk-17-jre-headless")
    return False


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
