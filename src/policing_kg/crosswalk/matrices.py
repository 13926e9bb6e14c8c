"""Crosswalk matrices: which items of one kind link to which of another, as CSV and heatmaps.

Every matrix reads the one crosswalk of the release (:func:`~policing_kg.crosswalk.links.
read_crosswalk`: every link, curated or inferred) and nothing else: a cell holds the links that
:meth:`Crosswalk.reaching` gives for it, so a matrix cannot disagree with the queries, pages and
counts that read the same crosswalk. Each matrix states its counting rule (``Matrix.rule``, one
sentence, shown as the picture's caption and on the site).

Written per matrix: ``NAME.csv`` (one row per row item, names first and the IRI last; a cell is
the value or empty where nothing links; ``not_mappable`` tells a row ruled not mappable from one
merely unlinked), ``NAME.long.csv`` (one line per linked cell), and the heatmap as ``NAME.svg``
and ``NAME.png``, labelled with short names. The pictures are drawn by
:mod:`policing_kg.crosswalk.heatmaps`, with deterministic bytes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from policing_kg.assembly.names import Names, clip
from policing_kg.common.files import write_atomically
from policing_kg.common.iris import PKG, SDGO, short_id
from policing_kg.crosswalk.heatmaps import heatmap_figure, save_figure
from policing_kg.crosswalk.links import Crosswalk, Link, read_crosswalk

__all__ = ["Matrix", "MATRICES", "build_matrix", "build_matrices",
           "matrix_csv", "matrix_long_csv", "write_matrix", "write_matrices", "short_name"]

_P = str(PKG)
SERVES, DELIVERS, CONTRIBUTES, BUILDS_ON = (_P + "serves", _P + "delivers",
                                            _P + "contributesToSDG", _P + "buildsOnTheme")
GPG, THEME, PROGRAMME = _P + "GlobalPolicingGoal", _P + "CrossCuttingTheme", \
    _P + "ProgrammeStrategy"
OBJECTIVE, OUTCOME, STRATEGIC_GOAL = _P + "ProgrammeObjective", _P + "ExpectedOutcome", \
    _P + "StrategicGoal"
STATEMENTS = (_P + "GoalStatement", _P + "ThemeStatement")
SDG_GOAL, SDG_TARGET = str(SDGO.Goal), str(SDGO.Target)

#: The value a link without a confidence counts as (the documents' own structure is certain).
_CERTAIN = 1.0


@dataclass(frozen=True)
class Matrix:
    """Rows × columns of values (``None`` where nothing links), with what the values mean."""

    name: str
    title: str
    #: what a cell holds, in a few words (the colour bar's label)
    value: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]
    #: the counting rule, one sentence (the caption)
    rule: str = ""
    #: ``count`` (whole numbers) or ``confidence`` (0..1)
    measure: str = "confidence"
    #: short names for the axes (``3 Improve law…``, ``16.4 Significantly reduce…``; the CSV's
    #: column heads)
    row_names: tuple[str, ...] = ()
    column_names: tuple[str, ...] = ()
    #: the same, unclipped (the picture clips them to the room it has)
    row_titles: tuple[str, ...] = ()
    column_titles: tuple[str, ...] = ()
    #: the row items' labels and notations, in the matrix's language
    row_labels: tuple[str, ...] = ()
    row_notations: tuple[str, ...] = ()
    column_labels: tuple[str, ...] = ()
    #: per row: ruled not mappable (``sssom:NoTermFound``) in a set of the links counted
    not_mappable: tuple[bool, ...] = ()
    #: per cell: the crosswalk links behind it
    links: tuple[tuple[tuple[Link, ...], ...], ...] = ()

    @property
    def filled(self) -> int:
        """How many cells hold a value (a link)."""
        return sum(1 for row in self.values for value in row if value is not None)


#: For a matrix, the links behind the cell of a row item and a column item.
CellLinks = Callable[[Crosswalk, str, str], list[Link]]


@dataclass(frozen=True)
class _Spec:
    title: str
    value: str
    rule: str
    measure: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cell: CellLinks
    #: only the column items some row reaches (else every item of the column kinds)
    reached_columns: bool = False
    #: the predicate of the links counted (for the rulings of ``not_mappable``)
    predicate: str = ""
    #: the row is the link's subject (else its object: no ruling applies to the row)
    row_is_subject: bool = True


def _from_row(predicate: str) -> CellLinks:
    """Take the row item's links of ``predicate`` that reach the column item."""
    def cell(crosswalk: Crosswalk, row: str, column: str) -> list[Link]:
        return [link for link in crosswalk.reaching(column)
                if link.subject == row and link.predicate == predicate]
    return cell


def _from_column(predicate: str) -> CellLinks:
    """Take the column item's links of ``predicate`` that reach the row item."""
    def cell(crosswalk: Crosswalk, row: str, column: str) -> list[Link]:
        return [link for link in crosswalk.reaching(row)
                if link.subject == column and link.predicate == predicate]
    return cell


def _from_column_items(predicate: str) -> CellLinks:
    """Take the links of ``predicate`` reaching the row item from the column's items."""
    def cell(crosswalk: Crosswalk, row: str, column: str) -> list[Link]:
        return [link for link in crosswalk.reaching(row) if link.predicate == predicate
                and crosswalk.names.documents.get(link.subject) == column]
    return cell


_EMPTY = "an empty cell: no link"
#: name -> how the matrix is made
MATRICES: dict[str, _Spec] = {
    "policing-goals-by-sdgs": _Spec(
        "Global Policing Goals (2023) × SDG goals",
        "SDG nodes reached (the goal and its targets)",
        "A cell counts the SDG nodes (the SDG goal itself and its targets) that the Global "
        "Policing Goal reaches by a contributes-to-SDG link, curated or inferred; an SDG goal is "
        f"reached through its targets; {_EMPTY}.",
        "count", (GPG,), (SDG_GOAL,), _from_row(CONTRIBUTES), predicate=CONTRIBUTES),
    "policing-goals-by-sdg-targets": _Spec(
        "Global Policing Goals and themes (2023) × the SDG targets they reach",
        "confidence of the link",
        "A cell is the confidence of the goal's or theme's contributes-to-SDG link to the "
        "target, curated or inferred from its statements (an inferred link is as strong as the "
        f"weakest link of its strongest route); {_EMPTY}.",
        "confidence", (GPG, THEME), (SDG_TARGET,), _from_row(CONTRIBUTES),
        reached_columns=True, predicate=CONTRIBUTES),
    "objectives-by-sf-goals": _Spec(
        "2022-2025 programme objectives × Strategic Framework 2026-2030 goals",
        "confidence of the link",
        "A cell is the confidence of the objective's serves link to the strategic goal; "
        f"{_EMPTY}; a row not mappable (hatched): the objective was ruled to serve no strategic "
        "goal.",
        "confidence", (OBJECTIVE,), (STRATEGIC_GOAL,), _from_row(SERVES), predicate=SERVES),
    "themes-by-programmes": _Spec(
        "Cross-cutting themes (2023) × 2022-2025 programme strategies",
        "objectives and outcomes building on it",
        "A cell counts the programme's objectives and expected outcomes that build on the theme "
        f"(builds-on-theme links); {_EMPTY}.",
        "count", (THEME,), (PROGRAMME,), _from_column_items(BUILDS_ON), predicate=BUILDS_ON,
        row_is_subject=False),
    "statements-by-programmes": _Spec(
        "Global Policing Goal and theme statements (2023) × 2022-2025 programme strategies",
        "confidence of the link",
        "A cell is the confidence of the programme strategy's delivers link to the statement, "
        "inferred from its objectives and outcomes (as strong as the weakest link of its "
        f"strongest route); {_EMPTY}.",
        "confidence", STATEMENTS, (PROGRAMME,), _from_column(DELIVERS), predicate=DELIVERS,
        row_is_subject=False),
    "policing-goals-by-programmes": _Spec(
        "Global Policing Goals (2023) × 2022-2025 programme strategies",
        "confidence of the link",
        "A cell is the confidence of the programme strategy's serves link to the Global "
        f"Policing Goal; {_EMPTY}.",
        "confidence", (GPG,), (PROGRAMME,), _from_column(SERVES), predicate=SERVES,
        row_is_subject=False),
    "programmes-by-sdg-targets": _Spec(
        "2022-2025 programme strategies × the SDG targets they reach",
        "confidence of the link",
        "A cell is the confidence of the programme strategy's contributes-to-SDG link to the "
        "target, inferred through the Global Policing Goals it serves and its objectives and "
        f"outcomes (as strong as the weakest link of its strongest route); {_EMPTY}.",
        "confidence", (PROGRAMME,), (SDG_TARGET,), _from_row(CONTRIBUTES),
        reached_columns=True, predicate=CONTRIBUTES),
}


_PROGRAMME_WORDS = re.compile(r"^(Stratégie (mondiale )?(de lutte contre (la |le )?|d['’]|de )"
                              r")|( global)? strategy$", re.IGNORECASE)


def short_name(names: Names, node: str, lang: str = "en", width: int = 40) -> str:
    """Return a short name for a chart.

    :meth:`Names.axis` (``3 Improve law…``, ``16.4 Significantly…``); a programme strategy
    without the word "strategy" (``Counter-Terrorism``); an objective or outcome after its
    programme's code (``OEC 3 Support countries'…``: the names' axis label of an objective puts
    the programme's whole title first, which leaves no room for the rest).
    """
    kind = names.kind(node)
    if kind == PROGRAMME:
        title = _PROGRAMME_WORDS.sub("", names.label(node, lang)).strip()
        return clip(title[:1].upper() + title[1:], width)
    if kind in (OBJECTIVE, OUTCOME):
        document = names.documents.get(node, "")
        code = short_id(document).split("-")[0]
        code = code.upper() if len(code) <= 4 else code.capitalize()
        return clip(f"{code} {names.notation(node)} {names.label(node, lang)}", width)
    return names.axis(node, lang, width)


_UNCLIPPED = 400


def _nodes(names: Names, kinds: Sequence[str]) -> list[str]:
    return sorted((node for node, kind in names.kinds.items() if kind in kinds),
                  key=names.sort_key)


def _value(measure: str, links: Sequence[Link], spec: _Spec) -> float | None:
    if not links:
        return None
    if measure == "count":
        # distinct items: the SDG nodes reached, or the items building on the theme
        ends = {link.object for link in links} if spec.row_is_subject else \
            {link.subject for link in links}
        return float(len(ends))
    return max(_CERTAIN if link.confidence is None else link.confidence for link in links)


def build_matrix(crosswalk: Crosswalk, name: str, lang: str = "en") -> Matrix:
    """Make the matrix ``name`` (one of :data:`MATRICES`) from the crosswalk."""
    spec = MATRICES[name]
    names = crosswalk.names
    rows = _nodes(names, spec.rows)
    columns = _nodes(names, spec.columns)
    cells = {(r, c): spec.cell(crosswalk, r, c) for r in rows for c in columns}
    if spec.reached_columns:
        columns = [c for c in columns if any(cells[(r, c)] for r in rows)]
    counted_sets = {link.mapping_set for links in cells.values() for link in links
                    if not link.inferred}
    ruled = {ruling.subject for ruling in crosswalk.rulings
             if spec.row_is_subject and ruling.predicate == spec.predicate
             and ruling.mapping_set in counted_sets}
    column_names = [short_name(names, c, lang) for c in columns]
    if len(set(column_names)) < len(column_names):  # never two columns of one name
        column_names = [names.label(c, lang) for c in columns]
    return Matrix(
        name, spec.title, spec.value, tuple(rows), tuple(columns),
        tuple(tuple(_value(spec.measure, cells[(r, c)], spec) for c in columns) for r in rows),
        rule=spec.rule, measure=spec.measure,
        row_names=tuple(short_name(names, r, lang) for r in rows),
        column_names=tuple(column_names),
        row_titles=tuple(short_name(names, r, lang, _UNCLIPPED) for r in rows),
        column_titles=tuple(short_name(names, c, lang, _UNCLIPPED) for c in columns),
        row_labels=tuple(names.label(r, lang) for r in rows),
        row_notations=tuple(names.notation(r) for r in rows),
        column_labels=tuple(names.label(c, lang) for c in columns),
        not_mappable=tuple(r in ruled for r in rows),
        links=tuple(tuple(tuple(cells[(r, c)]) for c in columns) for r in rows))


def build_matrices(store: object, lang: str = "en",
                   crosswalk: Crosswalk | None = None) -> list[Matrix]:
    """Read every matrix of :data:`MATRICES` from a pyoxigraph store holding the release.

    A caller that has read the release's crosswalk already passes it, so it is read once.
    """
    crosswalk = crosswalk or read_crosswalk(store)
    return [build_matrix(crosswalk, name, lang) for name in MATRICES]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def matrix_csv(matrix: Matrix) -> bytes:
    """Write the matrix for spreadsheets and pandas, names first and the IRI last.

    ``notation,label,<a column per column item, headed by its short name>,not_mappable,iri``;
    a cell is the value, empty where nothing links; ``not_mappable`` is ``true`` where the row
    item was ruled not mappable (``sssom:NoTermFound``) in a set of the links counted.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["notation", "label", *matrix.column_names, "not_mappable", "iri"])
    for i, row in enumerate(matrix.rows):
        writer.writerow([matrix.row_notations[i], matrix.row_labels[i],
                         *(_number(v) for v in matrix.values[i]),
                         "true" if matrix.not_mappable[i] else "false", row])
    return buffer.getvalue().encode("utf-8")


def matrix_long_csv(matrix: Matrix) -> bytes:
    """Write the matrix as a tidy table: one line per linked cell, in the matrix's order.

    Columns: ``row_label, column_label, value, row_iri, column_iri``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row_label", "column_label", "value", "row_iri", "column_iri"])
    for i, row in enumerate(matrix.rows):
        for j, column in enumerate(matrix.columns):
            value = matrix.values[i][j]
            if value is not None:
                writer.writerow([matrix.row_labels[i], matrix.column_labels[j], _number(value),
                                 row, column])
    return buffer.getvalue().encode("utf-8")


def _write_bytes(path: Path, content: bytes) -> None:
    def write(target: Path) -> None:
        target.write_bytes(content)

    write_atomically(path, write)


def write_matrix(matrix: Matrix, out_dir: Path) -> list[Path]:
    """Write ``NAME.csv``, ``NAME.long.csv``, ``NAME.svg`` and ``NAME.png``; return the paths.

    Each file is written atomically.
    """
    from policing_kg.common.files import os_error

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, out_dir, "cannot make the folder") from None
    written = []
    for suffix, content in ((".csv", matrix_csv(matrix)), (".long.csv", matrix_long_csv(matrix))):
        path = out_dir / f"{matrix.name}{suffix}"
        _write_bytes(path, content)
        written.append(path)
    figure = heatmap_figure(matrix)
    for kind in ("svg", "png"):

        def save(path: Path, kind: str = kind) -> None:
            save_figure(figure, path, kind)

        target = out_dir / f"{matrix.name}.{kind}"
        write_atomically(target, save)
        written.append(target)
    return written


def write_matrices(dist: Path, out_dir: Path) -> list[str]:
    """Do what ``crosswalk matrix`` does: write every matrix and the flow diagram.

    Return a line per picture written.
    """
    from policing_kg.common.store import open_store
    from policing_kg.crosswalk.flows import write_flow

    store = open_store(dist)
    crosswalk = read_crosswalk(store)
    lines = []
    for name in MATRICES:
        matrix = build_matrix(crosswalk, name)
        paths = write_matrix(matrix, out_dir)
        lines.append(f"{matrix.name}: {len(matrix.rows)} × {len(matrix.columns)}, "
                     f"{matrix.filled} linked cells -> {', '.join(str(p) for p in paths)}")
    lines.append(write_flow(crosswalk, out_dir))
    return lines
