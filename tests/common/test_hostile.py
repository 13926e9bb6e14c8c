"""The hostile and broken corpus (tests/hostile/) through `policing-kg validate`, each in a
subprocess under the no-network hook, with bounded time and memory: exit 1 or 2, one clear
line, never a traceback."""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from policing_kg.checks import contributions
from policing_kg.cli import cli
from policing_kg.common.datafiles import load_toml
from policing_kg.release.build import BuildResult

from .. import no_network
from ..conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile"
EXPECTED: dict[str, dict[str, Any]] = load_toml(HOSTILE / "expected.toml")
MEMORY_LIMIT = 3 * 1024**3
TIME_LIMIT = 120


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_validate(*args: str, dist: Path) -> tuple[int, str, str, float]:
    start = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-m", "tests.no_network", "validate", *args, "--project", str(ROOT),
         "--dist", str(dist)],
        cwd=ROOT, capture_output=True, text=True, timeout=TIME_LIMIT, preexec_fn=_limits,
        env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return process.returncode, process.stdout, process.stderr, time.monotonic() - start


def tree_digest(*folders: Path) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file(name: str, release: tuple[Path, BuildResult]) -> None:
    case = EXPECTED[name]
    code, out, err, _ = run_validate(str(HOSTILE / case["file"]), dist=release[0])
    assert code == case["exit"], err or out
    assert "Traceback" not in out + err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("error: "), err
        assert case["says"] in err
        assert out == ""
    else:
        assert case["says"] in out


def test_a_10_mb_literal_is_a_violation_not_a_crash(tmp_path: Path,
                                                    release: tuple[Path, BuildResult]) -> None:
    path = tmp_path / "big-literal.ttl"
    path.write_text("<https://w3id.org/policing-kg/id/gpg-2023/goal/1/statement/1> "
                    "<http://www.w3.org/2004/02/skos/core#prefLabel> \"" + "a" * 10_000_000
                    + "\"@en .\n", "utf-8")
    code, out, err, _ = run_validate(str(path), dist=release[0])
    assert code == 1, err
    assert "A label is at most 1000 characters long." in out
    assert len(out) < 5000  # the value is shown cut short


def test_a_file_over_the_limit_is_refused_before_parsing(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         release: tuple[Path, BuildResult]) -> None:
    path = tmp_path / "huge.nt"
    line = "<https://w3id.org/policing-kg/id/x> <https://w3id.org/policing-kg/id/p> \"x\" .\n"
    path.write_text(line * (17 * 1024 * 1024 // len(line) + 1), "utf-8")
    code, _, err, elapsed = run_validate(str(path), dist=release[0])
    assert code == 2 and "over the limit of 16777216" in err and "--max-bytes" in err
    assert elapsed < 30

    def never(*args: object) -> object:
        raise AssertionError("parsed a file over the limit")

    monkeypatch.setattr(contributions, "parse_each", never)
    monkeypatch.setattr(contributions.Path, "open", never)
    result = CliRunner().invoke(cli, ["validate", str(path), "--max-bytes", "1000",
                                      "--project", str(ROOT), "--dist", str(release[0])])
    assert result.exit_code == 2 and "over the limit of 1000" in result.stderr


def test_an_external_entity_is_never_read(tmp_path: Path,
                                          release: tuple[Path, BuildResult]) -> None:
    sentinel = tmp_path / "secret.txt"
    sentinel.write_text("TOP SECRET")
    path = tmp_path / "entity.rdf"
    path.write_text((HOSTILE / "external-entity.rdf").read_text().replace(
        "/SENTINEL_PATH", str(sentinel)))
    no_network.OPENED.clear()
    result = CliRunner().invoke(cli, ["validate", str(path), "--project", str(ROOT),
                                      "--dist", str(release[0])])
    assert result.exit_code == 2
    assert "TOP SECRET" not in result.output
    assert str(sentinel) not in no_network.OPENED


def test_validate_writes_nothing(tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    before = tree_digest(ROOT / "data", release[0])
    files = [str(HOSTILE / case["file"]) for case in EXPECTED.values()]
    for file in files:
        CliRunner().invoke(cli, ["validate", file, "--project", str(ROOT),
                                 "--dist", str(release[0])])
    assert tree_digest(ROOT / "data", release[0]) == before
