"""The files shipped for contributors: an installed package carries the project's data, and the
pre-commit hook and GitHub Action call `policing-kg validate`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT

pytestmark = pytest.mark.slow


def test_an_installed_package_validates_without_a_checkout(
        tmp_path: Path, release: tuple[Path, Any]) -> None:
    source = tmp_path / "source"
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        source.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    for folder in ("src", "data", "ontology", "shapes", "queries", "releases"):
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                    "--no-build-isolation", "--quiet", "-w", str(tmp_path / "wheel")],
                   check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = (tmp_path / "wheel").glob("policing_kg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("policing_kg/_project/data/sources/manifest.toml",
                    "policing_kg/_project/shapes/items.ttl",
                    "policing_kg/_project/ontology/policing-kg.ttl",
                    "policing_kg/_project/queries/document-outline.rq",
                    "policing_kg/_project/releases/releases.toml"):
        assert shipped in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "contributor-repo"
    elsewhere.mkdir()
    contribution = elsewhere / "translation.ttl"
    contribution.write_bytes((ROOT / "tests/contributions/translation.ttl").read_bytes())
    result = subprocess.run(
        [sys.executable, "-c", "from policing_kg.cli import main; main()", "validate",
         "translation.ttl"], cwd=elsewhere, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(site)})
    assert result.returncode == 0, result.stderr
    assert "in 1 file: conforms" in result.stdout
    _installed_queries_answer(site, elsewhere, release[0])


def _installed_queries_answer(site: Path, elsewhere: Path, dist: Path) -> None:
    """Outside the checkout, `query` lists and answers the stored queries installed with it."""
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", "from policing_kg.cli import main; main()",
                               *args], cwd=elsewhere, capture_output=True, text=True,
                              timeout=300, env={**os.environ, "PYTHONPATH": str(site)})

    listed = run("query", "--list")
    assert listed.returncode == 0, listed.stderr
    names = {line.split(":", 1)[0] for line in listed.stdout.splitlines()
             if line and not line.startswith(" ")}
    assert names == {path.stem for path in (ROOT / "queries").glob("*.rq")}
    answered = run("query", "documents", "--format", "csv", "--dist", str(dist))
    assert answered.returncode == 0, answered.stderr
    rows = answered.stdout.splitlines()
    assert rows[0].startswith("title,") and len(rows) > 1


def test_outside_the_checkout_an_editable_install_uses_its_checkout(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "policing_kg", "query", "--list"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert result.returncode == 0, result.stderr
    assert f"{sorted((ROOT / 'queries').glob('*.rq'))[0].stem}: " in result.stdout


def test_no_project_anywhere_is_one_line_saying_where_it_looked(tmp_path: Path) -> None:
    code = tmp_path / "code"
    shutil.copytree(ROOT / "src" / "policing_kg", code / "policing_kg",
                    ignore=shutil.ignore_patterns("__pycache__", "_project"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([sys.executable, "-m", "policing_kg", "query", "--list"],
                            cwd=elsewhere, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(code)})
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "no policing-kg project found" in line
    assert str(elsewhere) in line and str(code / "policing_kg" / "_project") in line


def test_the_pre_commit_hook_runs_validate() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text("utf-8")
    assert "- id: policing-kg-validate" in text
    assert "entry: policing-kg validate" in text
    assert "language: python" in text


def test_the_github_action_reports_as_annotations() -> None:
    text = (ROOT / "action.yml").read_text("utf-8")
    assert "using: composite" in text
    assert "policing-kg validate" in text and "--format github" in text
    workflow = (ROOT / "docs" / "contributor-workflow.yml").read_text("utf-8")
    assert "uses: policing-kg/policing-kg@" in workflow
