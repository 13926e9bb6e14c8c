"""Crosswalk matrices: which items of one kind link to which of another, as CSV and heatmaps.

Each matrix is read from the published graph with SPARQL and written as CSV, SVG and PNG.
The pictures are deterministic: no dates or random ids in the SVG, no software stamp in the PNG.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policing_kg.common.files import write_atomically
from policing_kg.common.iris import short_id, sparql_prefixes
from policing_kg.common.sorting import natural_key

__all__ = ["Matrix", "MATRICES", "build_matrices", "write_matrix", "write_matrices"]

_PREFIXES = sparql_prefixes("skos", "pkg", "sssom", "dcterms", "sdgo")


@dataclass(frozen=True)
class Matrix:
    """Rows × columns of values (0 where nothing links), with what the values mean."""

    name: str
    title: str
    value: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]


#: name -> (title, meaning of a cell, rows query, columns query, cells query)
MATRICES = {
    "policing-goals-by-sdgs": (
        "Global Policing Goals (2023) × SDG goals",
        "mappings to the goal or its targets",
        "SELECT ?key WHERE { ?key a pkg:GlobalPolicingGoal }",
        "SELECT ?key WHERE { ?key a sdgo:Goal }",
        """SELECT ?row ?column (COUNT(DISTINCT ?sdg) AS ?value) WHERE {
             ?mapping sssom:subject_id ?row ; sssom:predicate_id pkg:contributesToSDG ;
                      sssom:object_id ?sdg .
             ?row a pkg:GlobalPolicingGoal .
             { ?sdg a sdgo:Goal . BIND(?sdg AS ?column) }
             UNION { ?sdg a sdgo:Target ; skos:broader ?column } } GROUP BY ?row ?column""",
    ),
    "objectives-by-sf-goals": (
        "2022-2025 programme objectives × Strategic Framework 2026-2030 goals",
        "confidence of the mapping (pkg:serves)",
        "SELECT ?key WHERE { ?key a pkg:ProgrammeObjective }",
        "SELECT ?key WHERE { ?key a pkg:StrategicGoal }",
        """SELECT ?row ?column ?value WHERE {
             ?mapping sssom:subject_id ?row ; sssom:predicate_id pkg:serves ;
                      sssom:object_id ?column ; sssom:confidence ?value .
             ?column a pkg:StrategicGoal }""",
    ),
    "themes-by-programmes": (
        "Cross-cutting themes × programme strategies",
        "objectives and outcomes of the programme that build on the theme",
        "SELECT ?key WHERE { ?key a pkg:CrossCuttingTheme }",
        "SELECT ?key WHERE { ?key a pkg:ProgrammeStrategy }",
        """SELECT ?row ?column (COUNT(DISTINCT ?item) AS ?value) WHERE {
             ?item pkg:buildsOnTheme ?row ; skos:inScheme ?column .
             ?column a pkg:ProgrammeStrategy } GROUP BY ?row ?column""",
    ),
    "policing-goals-by-sdg-targets": (
        "Global Policing Goals and themes (2023) × the SDG targets their statements reach",
        "statements of the goal or theme mapped to the target",
        "SELECT ?key WHERE { { ?key a pkg:GlobalPolicingGoal } UNION "
        "{ ?key a pkg:CrossCuttingTheme } }",
        """SELECT DISTINCT ?key WHERE {
             ?mapping sssom:subject_id ?statement ; sssom:predicate_id pkg:contributesToSDG ;
                      sssom:object_id ?key .
             ?key a sdgo:Target .
             { ?statement a pkg:GoalStatement } UNION { ?statement a pkg:ThemeStatement } }""",
        """SELECT ?row ?column (COUNT(DISTINCT ?statement) AS ?value) WHERE {
             ?mapping sssom:subject_id ?statement ; sssom:predicate_id pkg:contributesToSDG ;
                      sssom:object_id ?column .
             ?column a sdgo:Target .
             ?statement skos:broader ?row .
             { ?statement a pkg:GoalStatement } UNION { ?statement a pkg:ThemeStatement } }
           GROUP BY ?row ?column""",
    ),
    "statements-by-programmes": (
        "Global Policing Goal statements (2023) × the 2022-2025 programme strategies",
        "objectives and outcomes of the programme that deliver the statement (pkg:delivers)",
        "SELECT ?key WHERE { { ?key a pkg:GoalStatement } UNION { ?key a pkg:ThemeStatement } }",
        "SELECT ?key WHERE { ?key a pkg:ProgrammeStrategy }",
        """SELECT ?row ?column (COUNT(DISTINCT ?item) AS ?value) WHERE {
             ?mapping sssom:subject_id ?item ; sssom:predicate_id pkg:delivers ;
                      sssom:object_id ?row .
             ?item skos:inScheme ?column .
             ?column a pkg:ProgrammeStrategy } GROUP BY ?row ?column""",
    ),
    "policing-goals-by-programmes": (
        "Global Policing Goals × programme strategies",
        "confidence of the mapping (pkg:serves)",
        "SELECT ?key WHERE { ?key a pkg:GlobalPolicingGoal }",
        "SELECT ?key WHERE { ?key a pkg:ProgrammeStrategy }",
        """SELECT ?row ?column ?value WHERE {
             ?mapping sssom:subject_id ?column ; sssom:predicate_id pkg:serves ;
                      sssom:object_id ?row ; sssom:confidence ?value .
             ?row a pkg:GlobalPolicingGoal }""",
    ),
}


def build_matrices(store: object) -> list[Matrix]:
    """Read every matrix from a pyoxigraph store holding the release."""
    import pyoxigraph as ox

    assert isinstance(store, ox.Store)

    def select(query: str) -> list[dict[str, str]]:
        solutions = store.query(_PREFIXES + query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]

    matrices = []
    for name, (title, value, rows_q, columns_q, cells_q) in MATRICES.items():
        rows = sorted({r["key"] for r in select(rows_q)}, key=natural_key)
        columns = sorted({r["key"] for r in select(columns_q)}, key=natural_key)
        cells = {(c["row"], c["column"]): float(c["value"]) for c in select(cells_q)}
        values = tuple(tuple(cells.get((r, c), 0.0) for c in columns) for r in rows)
        matrices.append(Matrix(name, title, value, tuple(rows), tuple(columns), values))
    return matrices


def _csv(matrix: Matrix) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["", *(short_id(c) for c in matrix.columns)])
    for row, values in zip(matrix.rows, matrix.values, strict=True):
        writer.writerow([short_id(row), *(f"{v:g}" for v in values)])
    return buffer.getvalue().encode("utf-8")


def _figure(matrix: Matrix) -> object:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "policing-kg"
    import matplotlib.pyplot as plt

    height = max(3.0, 0.35 * len(matrix.rows) + 1.8)
    width = max(4.0, 1.2 * len(matrix.columns) + 3.5)
    figure, axes = plt.subplots(figsize=(width, height), dpi=100)
    image = axes.imshow(matrix.values or [[0.0]], cmap="Blues", vmin=0, aspect="auto")
    axes.set_xticks(range(len(matrix.columns)), [short_id(c) for c in matrix.columns],
                    rotation=30, ha="right")
    axes.set_yticks(range(len(matrix.rows)), [short_id(r) for r in matrix.rows])
    for y, values in enumerate(matrix.values):
        for x, value in enumerate(values):
            if value:
                axes.text(x, y, f"{value:g}", ha="center", va="center", fontsize=8,
                          color="white" if value > 0.6 * max(max(v) for v in matrix.values)
                          else "black")
    axes.set_title(matrix.title, fontsize=10)
    figure.colorbar(image, ax=axes, label=matrix.value)
    figure.tight_layout()
    return figure


def write_matrix(matrix: Matrix, out_dir: Path) -> list[Path]:
    """Write ``NAME.csv``, ``NAME.svg`` and ``NAME.png`` (each atomically); return their paths."""
    import matplotlib.pyplot as plt

    from policing_kg.common.files import os_error

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, out_dir, "cannot make the folder") from None
    figure: Any = _figure(matrix)
    csv_path = out_dir / f"{matrix.name}.csv"
    content = _csv(matrix)

    def write_csv(path: Path) -> None:
        path.write_bytes(content)

    write_atomically(csv_path, write_csv)
    written = [csv_path]
    for suffix, metadata in ((".svg", {"Date": None, "Creator": None}),
                             (".png", {"Software": None})):

        def save(path: Path, kind: str = suffix[1:], meta: dict[str, None] = metadata) -> None:
            figure.savefig(path, format=kind, metadata=meta)

        target = out_dir / f"{matrix.name}{suffix}"
        write_atomically(target, save)
        written.append(target)
    plt.close(figure)
    return written


def write_matrices(dist: Path, out_dir: Path) -> list[str]:
    """Do what ``crosswalk matrix`` does: every matrix of the release, written; a line each."""
    from policing_kg.common.store import open_store

    lines = []
    for matrix in build_matrices(open_store(dist)):
        paths = write_matrix(matrix, out_dir)
        filled = sum(1 for row in matrix.values for v in row if v)
        lines.append(f"{matrix.name}: {len(matrix.rows)} × {len(matrix.columns)}, {filled} "
                     f"linked cells -> {', '.join(str(p) for p in paths)}")
    return lines
