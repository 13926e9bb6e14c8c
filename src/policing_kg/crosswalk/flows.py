"""The flow diagram: 2022-2025 programme work → Global Policing Goal statements → SDG targets.

A Sankey diagram read from the crosswalk (:mod:`policing_kg.crosswalk.links`), as a static
SVG with deterministic bytes. Left, the programme strategies; in the middle, the Global Policing
Goals and cross-cutting themes whose statements the programmes deliver (the statements counted
by their goal or theme); right, the SDG targets those delivered statements contribute to. A band
is as wide as the links it stands for:

- programme → goal or theme: the programme strategy's delivers links to the goal's or theme's
  statements (links inferred from its objectives and outcomes), one per statement;
- goal or theme → SDG target: the contributes-to-SDG links from those delivered statements to
  the target, one per statement.

A node is as tall as the larger of what flows in and what flows out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policing_kg.assembly.names import Names
from policing_kg.crosswalk.heatmaps import (
    DPI,
    FONT,
    MAX_WIDTH,
    drawing,
    figure_bytes,
    fit,
    wrap_text,
)
from policing_kg.crosswalk.links import Crosswalk, read_crosswalk
from policing_kg.crosswalk.matrices import (
    CONTRIBUTES,
    DELIVERS,
    GPG,
    PROGRAMME,
    SDG_TARGET,
    STATEMENTS,
    THEME,
    short_name,
)

__all__ = ["Flow", "FLOW_NAME", "FLOW_RULE", "flow", "flow_svg", "write_flow", "write_flows"]

#: The file name (without suffix) of the flow diagram.
FLOW_NAME = "programme-work-to-sdg-targets"
FLOW_TITLE = ("2022-2025 programme work → Global Policing Goal statements (2023) → SDG targets")
#: How the bands are counted (the caption).
FLOW_RULE = ("Left bands: the statements of the goal or theme that the programme strategy "
             "delivers (its delivers links, inferred from its objectives and outcomes). Right "
             "bands: the contributes-to-SDG links from those delivered statements to the target. "
             "One unit of width per link; a node is as tall as the larger of its inflow and "
             "outflow.")
_HEADINGS = ("Programme strategies", "Global Policing Goals and themes", "SDG targets")
#: Colour-blind-safe colours (Okabe and Ito) for the programme strategies' bands.
_PALETTE = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
#: The UN's colours of the SDGs (for the targets' nodes and bands).
_SDG_COLOURS = {
    "1": "#E5243B", "2": "#DDA63A", "3": "#4C9F38", "4": "#C5192D", "5": "#FF3A21",
    "6": "#26BDE2", "7": "#FCC30B", "8": "#A21942", "9": "#FD6925", "10": "#DD1367",
    "11": "#FD9D24", "12": "#BF8B2E", "13": "#3F7E44", "14": "#0A97D9", "15": "#56C02B",
    "16": "#00689D", "17": "#19486A"}


@dataclass(frozen=True)
class Flow:
    """The nodes of each column (in reading order) and the bands between them (link counts)."""

    programmes: tuple[str, ...]
    goals: tuple[str, ...]
    targets: tuple[str, ...]
    #: (programme, goal or theme) -> how many of its statements the programme delivers
    delivered: dict[tuple[str, str], int]
    #: (goal or theme, target) -> how many delivered statements contribute to the target
    contributing: dict[tuple[str, str], int]


def statement_parents(names: Names) -> dict[str, str]:
    """Return each goal or theme statement's Global Policing Goal or theme.

    Statement ``7.6`` belongs to goal ``7``, ``V.4`` to theme ``V``: by notation, within the
    document (the names hold no ``skos:broader``).
    """
    heads = {(names.documents.get(node, ""), names.notation(node)): node
             for node, kind in names.kinds.items() if kind in (GPG, THEME)}
    parents = {}
    for node, kind in names.kinds.items():
        if kind in STATEMENTS:
            notation = names.notation(node).rsplit(".", 1)[0]
            parent = heads.get((names.documents.get(node, ""), notation))
            if parent is not None:
                parents[node] = parent
    return parents


def flow(crosswalk: Crosswalk) -> Flow:
    """Count the crosswalk's links as a flow (see the module's docstring)."""
    names = crosswalk.names
    parents = statement_parents(names)
    delivered: dict[tuple[str, str], set[str]] = defaultdict(set)
    statements: set[str] = set()
    for statement, parent in parents.items():
        for link in crosswalk.reaching(statement):
            if link.predicate == DELIVERS and names.kind(link.subject) == PROGRAMME:
                delivered[(link.subject, parent)].add(statement)
                statements.add(statement)
    contributing: dict[tuple[str, str], set[str]] = defaultdict(set)
    for statement in statements:
        for link in crosswalk.from_item(statement):
            if link.predicate == CONTRIBUTES and names.kind(link.object) == SDG_TARGET:
                contributing[(parents[statement], link.object)].add(statement)
    order = names.sort_key
    return Flow(tuple(sorted({p for p, _ in delivered}, key=order)),
                tuple(sorted({g for _, g in delivered}, key=order)),
                tuple(sorted({t for _, t in contributing}, key=order)),
                {key: len(value) for key, value in sorted(delivered.items())},
                {key: len(value) for key, value in sorted(contributing.items())})


def _band(axes: Any, x0: float, top0: float, x1: float, top1: float, size: float,
          colour: str) -> None:
    """Draw a band from (x0, top0) to (x1, top1), ``size`` tall at both ends (y down)."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    middle = (x0 + x1) / 2
    vertices = [(x0, top0), (middle, top0), (middle, top1), (x1, top1),
                (x1, top1 + size), (middle, top1 + size), (middle, top0 + size),
                (x0, top0 + size), (x0, top0)]
    codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO,
             MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.CLOSEPOLY]
    axes.add_patch(PathPatch(MPath(vertices, codes), facecolor=colour, edgecolor="none",
                             alpha=0.45))


def _wrap_to(text: str, size: float, width_px: float, lines: int) -> list[str]:
    """Cut ``text`` into at most ``lines`` lines that fit ``width_px`` pixels."""
    return wrap_text(text, size, width_px / DPI, lines)


def flow_figure(crosswalk: Crosswalk, lang: str = "en") -> Any:
    """Draw the flow diagram as a matplotlib figure (1000 px wide at 100 dpi)."""
    with drawing():
        return _draw_flow(crosswalk, lang)


def _draw_flow(crosswalk: Crosswalk, lang: str) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from policing_kg.crosswalk.links import sdg_goal_of

    names = crosswalk.names
    data = flow(crosswalk)
    unit, gap = 9.0, 12.0
    least = 2 * FONT["tick"] * 1.25 * DPI / 72 + 6  # room for two lines of a name
    width_px = MAX_WIDTH * DPI
    columns = {"left": (12.0, 200.0), "middle": (392.0, 622.0), "right": (780.0, 988.0)}

    def inflow(node: str) -> int:
        return sum(n for (_, b), n in data.delivered.items() if b == node) + \
            sum(n for (_, b), n in data.contributing.items() if b == node)

    def outflow(node: str) -> int:
        return sum(n for (a, _), n in data.delivered.items() if a == node) + \
            sum(n for (a, _), n in data.contributing.items() if a == node)

    def heights(nodes: tuple[str, ...]) -> dict[str, float]:
        return {n: max(least, unit * max(inflow(n), outflow(n))) for n in nodes}

    sizes = {**heights(data.programmes), **heights(data.goals), **heights(data.targets)}
    column_nodes = {"left": data.programmes, "middle": data.goals, "right": data.targets}
    body = max(sum(sizes[n] for n in nodes) + gap * (len(nodes) - 1)
               for nodes in column_nodes.values())
    # the header: title, caption, headings
    title_lines = _wrap_to(FLOW_TITLE, FONT["title"], width_px - 36, 3)
    caption_lines = _wrap_to(FLOW_RULE, FONT["caption"], width_px - 36, 6)
    line_title, line_caption = FONT["title"] * 1.35 * DPI / 72, FONT["caption"] * 1.35 * DPI / 72
    header = 16 + len(title_lines) * line_title + 8 + len(caption_lines) * line_caption + 14
    heading_h = FONT["tick"] * 1.4 * DPI / 72 + 8
    top = header + heading_h
    height_px = top + body + 16
    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width_px)
    axes.set_ylim(height_px, 0)
    axes.set_axis_off()
    y = 16.0
    for line in title_lines:
        axes.text(12, y, line, fontsize=FONT["title"], fontweight="bold", va="top")
        y += line_title
    y += 8
    for line in caption_lines:
        axes.text(12, y, line, fontsize=FONT["caption"], va="top", color="#333333")
        y += line_caption
    for heading, (x0, x1) in zip(_HEADINGS, columns.values(), strict=True):
        axes.text((x0 + x1) / 2, header, heading, fontsize=FONT["tick"], fontweight="bold",
                  va="top", ha="center", color="#222222")

    # place the nodes: each column centred in the body
    tops: dict[str, float] = {}
    for nodes in column_nodes.values():
        total = sum(sizes[n] for n in nodes) + gap * (len(nodes) - 1)
        y = top + (body - total) / 2
        for node in nodes:
            tops[node] = y
            y += sizes[node] + gap
    colours = {p: _PALETTE[i % len(_PALETTE)] for i, p in enumerate(data.programmes)}

    def target_colour(node: str) -> str:
        goal = sdg_goal_of(node) or ""
        return _SDG_COLOURS.get(goal.rsplit("/", 1)[-1], "#8da0cb")

    # the bands, stacked in the order of the nodes at their other end
    def draw(bands: dict[tuple[str, str], int], sources: tuple[str, ...],
             targets: tuple[str, ...], x0: float, x1: float, colour: Any) -> None:
        out_used: dict[str, float] = defaultdict(float)
        in_used: dict[str, float] = defaultdict(float)
        out_start = {n: tops[n] + (sizes[n] - unit * outflow_of(bands, n)) / 2 for n in sources}
        in_start = {n: tops[n] + (sizes[n] - unit * inflow_of(bands, n)) / 2 for n in targets}
        for source in sources:
            for target in targets:
                count = bands.get((source, target), 0)
                if not count:
                    continue
                size = unit * count
                _band(axes, x0, out_start[source] + out_used[source], x1,
                      in_start[target] + in_used[target], size, colour(source, target))
                out_used[source] += size
                in_used[target] += size

    draw(data.delivered, data.programmes, data.goals, columns["left"][1], columns["middle"][0],
         lambda source, _: colours[source])
    draw(data.contributing, data.goals, data.targets, columns["middle"][1],
         columns["right"][0], lambda _, target: target_colour(target))

    # the nodes: labelled boxes
    def box(node: str, x0: float, x1: float, edge: str, text: str, note: str) -> None:
        axes.add_patch(Rectangle((x0, tops[node]), x1 - x0, sizes[node], facecolor="#f4f6f9",
                                 edgecolor=edge, linewidth=1.2))
        axes.add_patch(Rectangle((x0, tops[node]), 5, sizes[node], facecolor=edge,
                                 edgecolor="none"))
        room = x1 - x0 - 16
        line_h = FONT["tick"] * 1.25 * DPI / 72
        fits = max(1, int((sizes[node] - 4) // line_h))
        lines = _wrap_to(text, FONT["tick"], room, min(fits, 3))
        if len(lines) < fits and note:
            note = fit(note, FONT["note"], room / DPI)
            lines.append(note)
        y_text = tops[node] + (sizes[node] - line_h * len(lines)) / 2 + line_h / 2
        for k, line in enumerate(lines):
            grey = bool(note) and k == len(lines) - 1 and line == note
            axes.text(x0 + 11, y_text + k * line_h, line, va="center", ha="left",
                      fontsize=FONT["note"] if grey else FONT["tick"],
                      color="#555555" if grey else "#111111")

    for node in data.programmes:
        count = outflow(node)
        box(node, *columns["left"], colours[node], short_name(names, node, lang, 60),
            f"delivers {count} statement{'s' if count != 1 else ''}")
    for node in data.goals:
        box(node, *columns["middle"], "#555555", _goal_name(names, node, lang),
            f"{inflow(node)} delivered, {outflow(node)} to SDG targets")
    for node in data.targets:
        box(node, *columns["right"], target_colour(node), names.axis(node, lang, 60),
            f"from {inflow(node)} statement{'s' if inflow(node) != 1 else ''}")
    return figure


def _goal_name(names: Names, node: str, lang: str) -> str:
    noun = ("Goal" if lang == "en" else "Objectif") if names.kind(node) == GPG else \
        ("Theme" if lang == "en" else "Thème")
    return f"{noun} {names.axis(node, lang, 80)}"


def outflow_of(bands: dict[tuple[str, str], int], node: str) -> int:
    """Return what leaves ``node`` in ``bands``."""
    return sum(n for (a, _), n in bands.items() if a == node)


def inflow_of(bands: dict[tuple[str, str], int], node: str) -> int:
    """Return what reaches ``node`` in ``bands``."""
    return sum(n for (_, b), n in bands.items() if b == node)


def flow_svg(crosswalk: Crosswalk, lang: str = "en") -> bytes:
    """Return the flow diagram as SVG (deterministic bytes), 1000 px wide."""
    return figure_bytes(flow_figure(crosswalk, lang), "svg")


def flow_png(crosswalk: Crosswalk, lang: str = "en") -> bytes:
    """Return the flow diagram as PNG (deterministic bytes), 1000 px wide."""
    return figure_bytes(flow_figure(crosswalk, lang), "png")


def write_flow(crosswalk: Crosswalk, out_dir: Path) -> str:
    """Write ``FLOW_NAME.svg`` into ``out_dir``; return a line saying what."""
    from policing_kg.common.files import os_error, write_atomically

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, out_dir, "cannot make the folder") from None
    data = flow(crosswalk)
    content = flow_svg(crosswalk)
    path = out_dir / f"{FLOW_NAME}.svg"

    def write(target: Path) -> None:
        target.write_bytes(content)

    write_atomically(path, write)
    return (f"{FLOW_NAME}: {len(data.programmes)} programmes → {len(data.goals)} goals and "
            f"themes → {len(data.targets)} SDG targets, {sum(data.delivered.values())} + "
            f"{sum(data.contributing.values())} links -> {path}")


def write_flows(dist: Path, out_dir: Path) -> list[str]:
    """Write the release's flow diagram into ``out_dir``; a line saying what."""
    from policing_kg.common.store import open_store

    return [write_flow(read_crosswalk(open_store(dist)), out_dir)]
