"""Crosswalk matrices: the cells come from the mapping sets; pictures are deterministic."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.release.build import BuildResult

from ..conftest import EXPECTED


def run_matrix(release: tuple[Path, BuildResult], out: Path) -> str:
    result = CliRunner().invoke(cli, ["crosswalk", "matrix", "--dist", str(release[0]),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_matrices_as_csv_svg_png(tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    out = run_matrix(release, tmp_path / "a")
    assert all(line in out for line in EXPECTED["matrices"]["lines"]), out
    rows = {r[0]: r[1:] for r in csv.reader((tmp_path / "a/objectives-by-sf-goals.csv").open())}
    assert rows[""] == ["sf-2026/goal/1", "sf-2026/goal/2", "sf-2026/goal/3", "sf-2026/goal/4"]
    assert rows["oec-2022/objective/3"] == ["0", "0.95", "0", "0"]
    assert rows["ct-2022/objective/1"] == ["0", "0", "0", "0"]
    themes = {r[0]: r[1:] for r in csv.reader((tmp_path / "a/themes-by-programmes.csv").open())}
    # theme I: ct outcome 8; cyber objective 1 and outcome 6; fcac objectives 2 and 4; oec 1 and 2
    assert themes["gpg-2023/theme/1"] == ["1", "2", "2", "2"]
    for name in ("objectives-by-sf-goals", "themes-by-programmes", "policing-goals-by-programmes"):
        assert (tmp_path / f"a/{name}.png").read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in (tmp_path / f"a/{name}.svg").read_bytes()[:500]


def test_pictures_are_byte_identical_across_runs(tmp_path: Path,
                                                 release: tuple[Path, BuildResult]) -> None:
    run_matrix(release, tmp_path / "a")
    run_matrix(release, tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
