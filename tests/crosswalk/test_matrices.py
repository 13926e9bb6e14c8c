"""Crosswalk matrices (issue 18, items 2, 5 and 8): every cell read from the one crosswalk, CSV
with names first and no ambiguous 0, pictures people can read, with deterministic bytes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.common.store import open_store
from policing_kg.crosswalk.heatmaps import FONT, MAX_WIDTH, figure_bytes
from policing_kg.crosswalk.heatmaps import heatmap_figure as _figure
from policing_kg.crosswalk.links import Crosswalk, Link, read_crosswalk
from policing_kg.crosswalk.matrices import (
    MATRICES,
    Matrix,
    build_matrices,
    build_matrix,
    matrix_csv,
    matrix_long_csv,
)
from policing_kg.release.build import BuildResult

from ..conftest import EXPECTED, ID, PKG

Release = tuple[Path, BuildResult]
SDGO = "http://metadata.un.org/sdg/ontology#"
SDG = "http://metadata.un.org/sdg/"
GPG, THEME, PROGRAMME = PKG + "GlobalPolicingGoal", PKG + "CrossCuttingTheme", \
    PKG + "ProgrammeStrategy"
OBJECTIVE, OUTCOME = PKG + "ProgrammeObjective", PKG + "ExpectedOutcome"
STATEMENTS = {PKG + "GoalStatement", PKG + "ThemeStatement"}

#: Each matrix's rule, written again from its definition (issue 18): the predicate; whether the
#: row item is the link's subject ("row"), its object with the column item the subject
#: ("column"), or its object with the column item the subject's document ("column document");
#: the kinds of the links' subjects and objects; what a cell holds.
RULES: dict[str, tuple[str, str, set[str], set[str], str]] = {
    "policing-goals-by-sdgs": (PKG + "contributesToSDG", "row", {GPG},
                               {SDGO + "Goal", SDGO + "Target"}, "count"),
    "policing-goals-by-sdg-targets": (PKG + "contributesToSDG", "row", {GPG, THEME},
                                      {SDGO + "Target"}, "confidence"),
    "objectives-by-sf-goals": (PKG + "serves", "row", {OBJECTIVE}, {PKG + "StrategicGoal"},
                               "confidence"),
    "themes-by-programmes": (PKG + "buildsOnTheme", "column document", {OBJECTIVE, OUTCOME},
                             {THEME}, "count"),
    "statements-by-programmes": (PKG + "delivers", "column", {PROGRAMME}, STATEMENTS,
                                 "confidence"),
    "policing-goals-by-programmes": (PKG + "serves", "column", {PROGRAMME}, {GPG},
                                     "confidence"),
    "programmes-by-sdg-targets": (PKG + "contributesToSDG", "row", {PROGRAMME},
                                  {SDGO + "Target"}, "confidence"),
}


@pytest.fixture(scope="module")
def crosswalk(release: Release) -> Crosswalk:
    return read_crosswalk(open_store(release[0]))


@pytest.fixture(scope="module")
def matrices(release: Release) -> dict[str, Matrix]:
    return {m.name: m for m in build_matrices(open_store(release[0]))}


def expected_links(crosswalk: Crosswalk, name: str, row: str, column: str) -> list[Link]:
    """The links the rule of matrix ``name`` names for a cell, by ``Crosswalk.reaching``."""
    predicate, side, _, _, _ = RULES[name]
    if side == "row":
        return [link for link in crosswalk.reaching(column)
                if link.subject == row and link.predicate == predicate]
    reaching = [link for link in crosswalk.reaching(row) if link.predicate == predicate]
    if side == "column":
        return [link for link in reaching if link.subject == column]
    return [link for link in reaching if crosswalk.names.documents.get(link.subject) == column]


def run_matrix(release: Release, out: Path) -> str:
    result = CliRunner().invoke(cli, ["crosswalk", "matrix", "--dist", str(release[0]),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_every_matrix_is_defined_and_tested() -> None:
    assert set(MATRICES) == set(RULES)


def test_a_cell_is_filled_exactly_when_the_crosswalk_has_its_links(
        crosswalk: Crosswalk, matrices: dict[str, Matrix]) -> None:
    for name, matrix in matrices.items():
        predicate, side, subjects, objects, measure = RULES[name]
        assert matrix.measure == measure and matrix.rule, name
        for i, row in enumerate(matrix.rows):
            for j, column in enumerate(matrix.columns):
                links = expected_links(crosswalk, name, row, column)
                value = matrix.values[i][j]
                assert (value is not None) == bool(links), (name, row, column)
                assert set(matrix.links[i][j]) == set(links), (name, row, column)
                if not links:
                    continue
                if measure == "count":
                    ends = {link.object if side == "row" else link.subject for link in links}
                    assert value == len(ends), (name, row, column)
                else:
                    assert value == max(link.confidence or 1.0 for link in links)
        # no link the rule names is left out: every such link of the crosswalk is in a cell
        kinds = crosswalk.names.kind
        wanted = {link.record for link in crosswalk.links if link.predicate == predicate
                  and kinds(link.subject) in subjects and kinds(link.object) in objects}
        shown = {link.record for row_links in matrix.links for cell in row_links
                 for link in cell}
        assert shown == wanted, name


def test_an_sdg_goal_is_reached_through_its_targets(crosswalk: Crosswalk,
                                                    matrices: dict[str, Matrix]) -> None:
    matrix = matrices["policing-goals-by-sdgs"]
    assert len(matrix.columns) == 17 and len(matrix.rows) == 7
    for j, goal in enumerate(matrix.columns):
        rows = {matrix.rows[i] for i in range(len(matrix.rows))
                if matrix.values[i][j] is not None}
        assert rows == set(crosswalk.reachers(goal).get(GPG, [])), goal
    # goal 3 reaches SDG 5 itself and its target 5.2
    row = matrix.rows.index(ID + "gpg-2023/goal/3")
    assert matrix.values[row][matrix.columns.index(SDG + "5")] == 2


def test_names_first_and_natural_order(matrices: dict[str, Matrix]) -> None:
    matrix = matrices["policing-goals-by-sdg-targets"]
    codes = [c[len(SDG):] for c in matrix.columns]
    assert codes.index("5.2") < codes.index("10.7") < codes.index("16.2") < codes.index("16.a")
    assert all(name.startswith(code + " ") for name, code in zip(matrix.column_names, codes,
                                                                   strict=True))
    assert matrix.row_names[2].startswith("3 Improve law")
    assert matrix.row_names[7].startswith("I Data and information")
    programmes = matrices["themes-by-programmes"].column_names
    assert programmes == ("Counter-Terrorism", "Global Cybercrime",
                          "Financial Crime and Anti-Corruption", "Organized and Emerging Crime")
    objectives = matrices["objectives-by-sf-goals"].row_names
    assert objectives[0].startswith("CT 1 ") and objectives[-1].startswith("OEC 4 Optimize")


def test_csv_names_first_iri_last_and_no_zero(matrices: dict[str, Matrix]) -> None:
    for matrix in matrices.values():
        rows = list(csv.reader(io.StringIO(matrix_csv(matrix).decode("utf-8"))))
        assert rows[0] == ["notation", "label", *matrix.column_names, "not_mappable", "iri"]
        assert len(set(rows[0])) == len(rows[0])  # pandas needs unique column names
        assert [r[-1] for r in rows[1:]] == list(matrix.rows)
        for line, values in zip(rows[1:], matrix.values, strict=True):
            assert line[2:-2] == ["" if v is None else f"{v:g}" for v in values]
            assert "0" not in line[2:-2]
        long = list(csv.DictReader(io.StringIO(matrix_long_csv(matrix).decode("utf-8"))))
        assert len(long) == matrix.filled
        assert list(long[0]) == ["row_label", "column_label", "value", "row_iri", "column_iri"]
        assert all(r["value"] for r in long)


def test_not_mappable_is_not_unlinked(matrices: dict[str, Matrix]) -> None:
    matrix = matrices["objectives-by-sf-goals"]
    rows = {r["iri"]: r for r in csv.DictReader(io.StringIO(matrix_csv(matrix).decode()))}
    ruled = rows[ID + "ct-2022/objective/1"]
    assert ruled["not_mappable"] == "true"
    assert [ruled[c] for c in matrix.column_names] == ["", "", "", ""]
    linked = rows[ID + "oec-2022/objective/3"]
    assert linked["not_mappable"] == "false" and linked["notation"] == "3"
    assert [linked[c] for c in matrix.column_names] == ["", "0.95", "", ""]
    assert sum(matrix.not_mappable) == 4
    # a ruled row holds no link of the ruled set
    for i, ruled_row in enumerate(matrix.not_mappable):
        if ruled_row:
            assert all(v is None for v in matrix.values[i])


def test_matrices_as_csv_svg_png(tmp_path: Path, release: Release) -> None:
    out = run_matrix(release, tmp_path / "a")
    assert all(line in out for line in EXPECTED["matrices"]["lines"]), out
    themes = {r["iri"]: r for r in csv.DictReader((tmp_path / "a/themes-by-programmes.csv")
                                                   .open(encoding="utf-8"))}
    # theme I: ct outcome 8; cyber objective 1 and outcome 6; fcac objectives 2 and 4; oec 1 and 2
    theme = themes[ID + "gpg-2023/theme/1"]
    assert [theme[c] for c in ("Counter-Terrorism", "Global Cybercrime",
                               "Financial Crime and Anti-Corruption",
                               "Organized and Emerging Crime")] == ["1", "2", "2", "2"]
    assert theme["label"] == "Data and information sharing" and theme["notation"] == "I"
    for name in MATRICES:
        assert (tmp_path / f"a/{name}.png").read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in (tmp_path / f"a/{name}.svg").read_bytes()[:500]
        assert (tmp_path / f"a/{name}.long.csv").is_file()
    assert b"<svg" in (tmp_path / "a/programme-work-to-sdg-targets.svg").read_bytes()[:500]


def test_pictures_are_byte_identical_across_runs(tmp_path: Path, release: Release) -> None:
    run_matrix(release, tmp_path / "a")
    run_matrix(release, tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
    svg = (tmp_path / "a/policing-goals-by-sdgs.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "Matplotlib" not in svg


def test_a_picture_twice_gives_the_same_bytes(crosswalk: Crosswalk) -> None:
    matrix = build_matrix(crosswalk, "policing-goals-by-sdg-targets")
    for kind in ("svg", "png"):
        assert figure_bytes(_figure(matrix), kind) == figure_bytes(_figure(matrix), kind)


def test_pictures_people_can_read(matrices: dict[str, Matrix]) -> None:
    for matrix in matrices.values():
        figure = _figure(matrix)
        width, height = figure.get_size_inches()
        assert width <= MAX_WIDTH + 1e-9, matrix.name
        # no thin strips: never much wider than tall
        assert width / height <= 2.5, (matrix.name, width, height)
        texts = [t for axes in figure.axes for t in axes.texts] + list(figure.texts)
        ticks = [t for axes in figure.axes
                 for t in (*axes.get_xticklabels(), *axes.get_yticklabels()) if t.get_text()]
        assert min(t.get_fontsize() for t in texts + ticks) >= 9, matrix.name
        # the counting rule is in the picture
        shown = " ".join(" ".join(t.get_text() for t in figure.texts).split())
        assert " ".join(matrix.rule.split()) in shown, matrix.name
        # the colour bar: whole numbers for counts, 0..1 for confidences
        bar = figure.axes[1]
        ticks_at = [float(t) for t in bar.get_xticks()
                    if bar.get_xlim()[0] <= t <= bar.get_xlim()[1]]
        if matrix.measure == "count":
            assert ticks_at and all(t == int(t) for t in ticks_at), (matrix.name, ticks_at)
            assert ticks_at[0] == 0
        else:
            assert ticks_at[0] == 0.0 and ticks_at[-1] == 1.0
    wide = _figure(matrices["policing-goals-by-sdg-targets"])
    assert wide.get_size_inches()[0] / wide.get_size_inches()[1] <= 1.5
    assert FONT["cell"] >= 9
