"""The flow diagram (issue 18, item 8): programme work → Global Policing Goal statements → SDG
targets, counted from the crosswalk, as a static SVG with deterministic bytes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from policing_kg.common.store import open_store
from policing_kg.crosswalk.flows import (
    FLOW_NAME,
    flow,
    flow_figure,
    flow_svg,
    statement_parents,
    write_flows,
)
from policing_kg.crosswalk.links import Crosswalk, read_crosswalk
from policing_kg.release.build import BuildResult

from ..conftest import ID, PKG

Release = tuple[Path, BuildResult]
STATEMENTS = {PKG + "GoalStatement", PKG + "ThemeStatement"}


@pytest.fixture(scope="module")
def crosswalk(release: Release) -> Crosswalk:
    return read_crosswalk(open_store(release[0]))


def parent_by_path(statement: str) -> str:
    """A statement's goal or theme by its IRI (``…/goal/7/statement/6`` → ``…/goal/7``)."""
    return statement.rsplit("/statement/", 1)[0]


def test_statements_are_counted_by_their_goal_or_theme(crosswalk: Crosswalk) -> None:
    parents = statement_parents(crosswalk.names)
    statements = [n for n, k in crosswalk.names.kinds.items() if k in STATEMENTS]
    assert statements and all(parents[s] == parent_by_path(s) for s in statements)


def test_bands_count_the_crosswalk_links(crosswalk: Crosswalk) -> None:
    data = flow(crosswalk)
    kind = crosswalk.names.kind
    delivers = {(link.subject, link.object) for link in crosswalk.links
                if link.predicate == PKG + "delivers"
                and kind(link.subject) == PKG + "ProgrammeStrategy"
                and kind(link.object) in STATEMENTS}
    assert data.delivered == dict(Counter((p, parent_by_path(s)) for p, s in delivers))
    delivered = {s for _, s in delivers}
    contributes = {(link.subject, link.object) for link in crosswalk.links
                   if link.predicate == PKG + "contributesToSDG" and link.subject in delivered
                   and kind(link.object) == "http://metadata.un.org/sdg/ontology#Target"}
    assert data.contributing == dict(Counter((parent_by_path(s), t) for s, t in contributes))
    assert len(data.programmes) == 4 and len(data.goals) <= 12
    assert set(data.targets) == {t for _, t in contributes}
    assert data.goals[0] == ID + "gpg-2023/goal/1"
    # natural order: goals 1..7, then themes I..V; SDG targets 16.4 before 16.a
    codes = [t.rsplit("/", 1)[-1] for t in data.targets]
    assert codes == sorted(codes, key=lambda c: [int(p) if p.isdigit() else 100 + ord(p)
                                                  for p in c.split(".")])


def test_flow_svg_is_deterministic_and_readable(crosswalk: Crosswalk, tmp_path: Path) -> None:
    first, second = flow_svg(crosswalk), flow_svg(crosswalk)
    assert first == second
    assert b"<svg" in first[:500] and b'width="720pt"' in first[:800]
    assert b"<dc:date>" not in first and b"Matplotlib" not in first
    assert flow_svg(crosswalk, "fr") != first
    figure = flow_figure(crosswalk)
    width, height = figure.get_size_inches()
    assert width == 10 and 0.4 <= width / height <= 2.5
    texts = [t for axes in figure.axes for t in axes.texts]
    assert min(t.get_fontsize() for t in texts) >= 9
    shown = " ".join(t.get_text() for t in texts)
    assert "Counter-Terrorism" in shown and "Goal 5 Tackle corruption" in shown
    assert "16.4 Significantly reduce" in shown


def test_write_flows(release: Release, tmp_path: Path) -> None:
    lines = write_flows(release[0], tmp_path)
    assert lines[0].startswith(f"{FLOW_NAME}: 4 programmes → ")
    assert (tmp_path / f"{FLOW_NAME}.svg").read_bytes().startswith(b"<?xml")
