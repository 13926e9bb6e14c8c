"""Heatmaps of the crosswalk matrices, and the drawing the crosswalk's pictures share.

The fonts and sizes of the pictures, text measured and wrapped as matplotlib draws it, the
colour maps, the layout and the heatmap of a :class:`~policing_kg.crosswalk.matrices.Matrix`
(short names on the axes, its counting rule as the caption, the values in the cells, the colour
bar below), and the saving of a figure with deterministic bytes: no dates or random ids in the
SVG, no software stamp in the PNG. The flow diagram (:mod:`policing_kg.crosswalk.flows`) draws
with the same settings.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from policing_kg.assembly.names import clip

if TYPE_CHECKING:
    from policing_kg.crosswalk.matrices import Matrix

__all__ = ["FONT", "DPI", "MAX_WIDTH", "drawing", "text_width", "wrap_text", "fit",
           "heatmap_figure", "save_figure", "figure_bytes"]


#: Font sizes (points) of the pictures: at 100 dpi a 10-inch figure is 1000 px wide.
FONT = {"title": 13.0, "caption": 10.0, "tick": 10.0, "cell": 9.5, "note": 9.5}
DPI = 100
#: The widest picture, in inches (1000 px at :data:`DPI`).
MAX_WIDTH = 10.0
_RC: Any = {"svg.hashsalt": "policing-kg", "svg.fonttype": "path", "font.family": "DejaVu Sans",
       "path.simplify": False}


@contextmanager
def drawing() -> Iterator[None]:
    """Draw with the pictures' settings: Agg, DejaVu Sans, text as paths, a fixed SVG salt."""
    import matplotlib

    matplotlib.use("Agg")
    with matplotlib.rc_context(_RC):
        yield


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Measure ``text`` in inches, as matplotlib draws it (DejaVu Sans)."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    width, _, _ = _measure().get_text_width_height_descent(text, prop, ismath=False)
    return float(width) / 72.0


@lru_cache(maxsize=1)
def _measure() -> Any:
    from matplotlib.textpath import TextToPath

    return TextToPath()


def wrap_text(text: str, size: float, width_in: float, lines: int = 99) -> list[str]:
    """Cut ``text`` into at most ``lines`` lines that fit ``width_in`` inches.

    At ``size`` points; the last line is clipped with an ellipsis if the text is longer.
    """
    # pieces: words, each with what joins it to the next; a word too wide for a line is cut
    # after its hyphens (``Counter-`` ``Terrorism``)
    pieces: list[tuple[str, str]] = []
    for word in text.split():
        parts = re.findall(r"[^-]+-?|-", word) if text_width(word, size) > width_in else [word]
        pieces += [(part, "" if k < len(parts) - 1 else " ") for k, part in enumerate(parts)]
    out: list[str] = []
    while pieces and len(out) < lines:
        line, joiner = pieces.pop(0)
        while pieces and text_width(line + joiner + pieces[0][0], size) <= width_in:
            piece, next_joiner = pieces.pop(0)
            line, joiner = line + joiner + piece, next_joiner
        out.append(line)
    if pieces or (out and text_width(out[-1], size) > width_in):
        rest = "".join(piece + joiner for piece, joiner in pieces).strip()
        out[-1] = fit(f"{out[-1]} {rest}".strip(), size, width_in)
    return out or [""]


def fit(text: str, size: float, width_in: float) -> str:
    """``text`` clipped at a word boundary (with an ellipsis) to fit ``width_in`` inches."""
    text = " ".join(text.split())
    if text_width(text, size) <= width_in:
        return text
    low, high = 4, len(text)  # the longest clip that fits lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if text_width(clip(text, middle), size) <= width_in:
            low = middle
        else:
            high = middle
    return clip(text, low)


def _colours(matrix: Matrix, top: float) -> tuple[Any, Any]:
    """Choose the colour map and norm: whole-number bins for counts (0, white: no link)."""
    import matplotlib
    from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize

    blues = matplotlib.colormaps["Blues"]
    if matrix.measure == "count":
        steps = int(top)
        shades: list[Any] = [blues(0.3 + 0.65 * (k / max(1, steps - 1))) for k in range(steps)]
        cmap = ListedColormap(["#ffffff", *shades])
        return cmap, BoundaryNorm([k - 0.5 for k in range(steps + 2)], cmap.N)
    return blues, Normalize(vmin=0.0, vmax=1.0)


@dataclass(frozen=True)
class _Layout:
    """Where the parts of a heatmap go, in inches."""

    width: float
    height: float
    margin: float
    row_w: float
    cell_w: float
    cell_h: float
    rotate: bool
    heading: float
    title: list[str]
    caption: list[str]
    rows: list[str]
    columns: list[str]
    footer: float
    grid_bottom: float


#: inches: the page's margin, the colour bar's height, and what it needs below it
_MARGIN, _BAR, _BAR_TEXT = 0.25, 0.16, 0.52


def _layout(matrix: Matrix) -> _Layout:
    """Size the heatmap to at most :data:`MAX_WIDTH` wide, clipping names to the room left."""
    rows, columns = len(matrix.rows), len(matrix.columns)
    tick = FONT["tick"]
    room = MAX_WIDTH - 2 * _MARGIN
    rotate = columns > 6
    # names that do not fit on a line get two (up to 30 rows), so they need not take it all
    widest = 3.9 if rows <= 30 else 4.6
    need = min(widest, max((text_width(t, tick) for t in matrix.row_titles), default=1.0)
               + 0.12)
    if rotate:
        cell_w = min(0.42, max(0.28, (room - min(need, 2.6)) / columns))
    else:
        cell_w = min(1.5, max(1.2, (room - need) / max(1, columns)))
    row_w = max(1.5, min(need, room - columns * cell_w))
    cell_h = min(0.42, max(0.3, cell_w))
    if rows * cell_h > 15:
        cell_h = max(0.25, 15 / rows)
    if rows <= 30 and any(text_width(t, tick) > row_w - 0.12 for t in matrix.row_titles):
        # two lines for a name that does not fit in one (the rows grow to hold them)
        row_names = ["\n".join(wrap_text(t, tick, row_w - 0.12, 2)) for t in matrix.row_titles]
        cell_h = max(cell_h, 0.42)
    else:
        row_names = [fit(t, tick, row_w - 0.12) for t in matrix.row_titles]
    if rotate:
        column_names = [fit(t, tick, 3.0) for t in matrix.column_titles]
        heading = max((text_width(n, tick) for n in column_names), default=0.5) + 0.12
    else:
        wrapped = [wrap_text(t, tick, cell_w - 0.12, 4) for t in matrix.column_titles]
        column_names = ["\n".join(lines) for lines in wrapped]
        heading = max((len(lines) for lines in wrapped), default=1) * tick * 1.25 / 72 + 0.12
    width = max(5.0, 2 * _MARGIN + row_w + columns * cell_w)
    text_room = width - 2 * _MARGIN
    title = wrap_text(matrix.title, FONT["title"], text_room)
    caption = wrap_text(matrix.rule, FONT["caption"], text_room)
    header = 0.2 + len(title) * FONT["title"] * 1.35 / 72 + 0.08 \
        + len(caption) * FONT["caption"] * 1.35 / 72 + 0.25
    footer = _MARGIN + (0.2 if any(matrix.not_mappable) else 0.0)
    grid_bottom = footer + _BAR_TEXT + _BAR + 0.2
    height = header + heading + rows * cell_h + grid_bottom
    return _Layout(width, height, _MARGIN, row_w, cell_w, cell_h, rotate, heading, title,
                   caption, row_names, column_names, footer, grid_bottom)


def heatmap_figure(matrix: Matrix) -> Any:
    """Draw the heatmap of ``matrix`` (with the pictures' settings: fonts, hash salt)."""
    with drawing():
        return _heatmap(matrix)


def _heatmap(matrix: Matrix) -> Any:
    """Draw the heatmap: short names on the axes, the rule as a subtitle, numbers in cells.

    The colour bar is below the grid: whole numbers for counts, 0..1 for confidences.
    """
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import MaxNLocator

    rows, columns = len(matrix.rows), len(matrix.columns)
    counts = matrix.measure == "count"
    top = max((v for row in matrix.values for v in row if v is not None), default=1.0)
    at = _layout(matrix)
    width, height, tick = at.width, at.height, FONT["tick"]
    figure = Figure(figsize=(width, height), dpi=DPI)
    y = height - 0.2
    for line in at.title:
        figure.text(at.margin / width, y / height, line, fontsize=FONT["title"],
                    fontweight="bold", va="top", ha="left")
        y -= FONT["title"] * 1.35 / 72
    y -= 0.08
    for line in at.caption:
        figure.text(at.margin / width, y / height, line, fontsize=FONT["caption"], va="top",
                    ha="left", color="#333333")
        y -= FONT["caption"] * 1.35 / 72
    left = at.margin + at.row_w
    grid_w, grid_h = columns * at.cell_w, rows * at.cell_h
    axes = figure.add_axes((left / width, at.grid_bottom / height, grid_w / width,
                            grid_h / height))
    data = np.array([[np.nan if v is None else v for v in row] for row in matrix.values]
                    or [[np.nan]], dtype=float)
    cmap, norm = _colours(matrix, top)
    if counts:
        data = np.nan_to_num(data, nan=0.0)
    cmap = cmap.with_extremes(bad="#ffffff")
    image = axes.imshow(np.ma.masked_invalid(data), cmap=cmap, norm=norm, aspect="auto",
                        interpolation="nearest")
    axes.xaxis.tick_top()
    axes.set_xticks(range(columns), at.columns, rotation=90 if at.rotate else 0, ha="center",
                    va="bottom", fontsize=tick, linespacing=1.1)
    axes.set_yticks(range(rows), at.rows, fontsize=tick, linespacing=1.05)
    axes.tick_params(length=0, pad=4)
    axes.set_xticks([x - 0.5 for x in range(columns + 1)], minor=True)
    axes.set_yticks([y - 0.5 for y in range(rows + 1)], minor=True)
    axes.grid(which="minor", color="#c8c8c8", linewidth=0.6)
    axes.tick_params(which="minor", length=0)
    for spine in axes.spines.values():
        spine.set_color("#999999")
    labels = axes.get_yticklabels()
    for i, ruled_row in enumerate(matrix.not_mappable):
        if ruled_row:
            axes.add_patch(Rectangle((-0.5, i - 0.5), columns, 1, facecolor="none",
                                     edgecolor="#9a9a9a", hatch="///", linewidth=0))
            labels[i].set_color("#777777")
    narrow = at.cell_w < 0.38
    for i, row in enumerate(matrix.values):
        for j, value in enumerate(row):
            if value is None:
                continue
            if counts:
                text, dark = f"{value:g}", value >= max(2.0, 0.6 * top)
            else:
                text, dark = f"{value:.2f}".rstrip("0").rstrip("."), value >= 0.7
                if narrow and text.startswith("0."):
                    text = text[1:]
            axes.text(j, i, text, ha="center", va="center", fontsize=FONT["cell"],
                      color="white" if dark else "#1a1a1a")
    # the colour bar, under the grid
    bar_w = min(max(grid_w, 2.4), 3.6, width - left - at.margin)
    bar = figure.add_axes((left / width, (at.footer + _BAR_TEXT) / height, bar_w / width,
                           _BAR / height))
    colour_bar = figure.colorbar(image, cax=bar, orientation="horizontal")
    if counts:
        colour_bar.set_ticks(MaxNLocator(integer=True).tick_values(0, top))
        bar.set_xlim(-0.5, top + 0.5)
        label = f"{matrix.value} (0: no link)"
    else:
        colour_bar.set_ticks([0.0, 0.25, 0.5, 0.75, 1.0])
        label = matrix.value + (" (.85 is 0.85)" if narrow else "")
    bar.tick_params(labelsize=FONT["note"], length=3)
    colour_bar.outline.set_edgecolor("#999999")
    colour_bar.set_label(label, fontsize=FONT["note"])
    if any(matrix.not_mappable):
        figure.text(at.margin / width, at.margin / height,
                    "Hatched, grey row: ruled not mappable (sssom:NoTermFound), not merely "
                    "unlinked.", fontsize=FONT["note"], color="#555555", va="bottom")
    return figure


def save_figure(figure: Any, path: Path | IO[bytes], kind: str) -> None:
    """Save a matplotlib figure as ``svg`` or ``png`` with deterministic bytes."""
    metadata: dict[str, Any] = {"Date": None, "Creator": None} if kind == "svg" else \
        {"Software": None}
    with drawing():
        figure.savefig(path, format=kind, metadata=metadata, dpi=DPI)


def figure_bytes(figure: Any, kind: str) -> bytes:
    """Return a matplotlib figure as ``svg`` or ``png`` bytes (deterministic)."""
    buffer = io.BytesIO()
    save_figure(figure, buffer, kind)
    return buffer.getvalue()
