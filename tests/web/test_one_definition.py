"""One definition behind every view (issue 18, item 2).

For every SDG goal and target, every Global Policing Goal, every goal and theme statement and
every strategic goal of the release, the items that reach it are the same by the crosswalk
(Python), the ``reaching`` query, the matrices' CSV files as the site publishes them, the counts
of ``sdg-coverage`` and the item's page. The items come from the release, never from here.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from policing_kg.access.queries import run_query
from policing_kg.common.store import open_store
from policing_kg.crosswalk.links import Crosswalk, read_crosswalk
from policing_kg.curation.catalogue import load_catalogue
from policing_kg.web.paths import page_path
from policing_kg.web.site import SiteResult

from ..conftest import PKG, ROOT

SDGO = "http://metadata.un.org/sdg/ontology#"
KINDS = {SDGO + "Goal", SDGO + "Target", PKG + "GlobalPolicingGoal", PKG + "GoalStatement",
         PKG + "ThemeStatement", PKG + "StrategicGoal"}
#: Each matrix: whether its columns (else its rows) are the items reached. A view's own
#: definition, not a fact of the corpus.
REACHED_AXIS = {"policing-goals-by-sdgs": "column", "policing-goals-by-sdg-targets": "column",
                "programmes-by-sdg-targets": "column", "objectives-by-sf-goals": "column",
                "statements-by-programmes": "row", "policing-goals-by-programmes": "row"}
Site = tuple[Path, SiteResult]


@pytest.fixture(scope="module")
def crosswalk(site: Site) -> Crosswalk:
    return read_crosswalk(open_store(site[0]))


def reached_items(crosswalk: Crosswalk) -> list[str]:
    items = sorted(n for n, k in crosswalk.names.kinds.items() if k in KINDS)
    assert {crosswalk.names.kind(n) for n in items} == KINDS  # every kind is in the release
    return items


def expected(crosswalk: Crosswalk, node: str) -> set[str]:
    return {link.subject for link in crosswalk.reaching(node)}


def test_the_reaching_query_gives_the_crosswalk(site: Site, crosswalk: Crosswalk) -> None:
    query = load_catalogue(ROOT / "queries")["reaching"]
    result = run_query(query, {}, open_store(site[0]))  # every item at once
    index = result.variables.index("item"), result.variables.index("subject")
    by_query: dict[str, set[str]] = defaultdict(set)
    for row in result.rows:
        by_query[row[index[0]] or ""].add(row[index[1]] or "")
    for node in reached_items(crosswalk):
        assert by_query.get(node, set()) == expected(crosswalk, node), node


def test_the_matrices_give_the_crosswalk(site: Site, crosswalk: Crosswalk) -> None:
    folder = site[0] / "site" / "crosswalks"
    for name, axis in REACHED_AXIS.items():
        with (folder / f"{name}.long.csv").open(encoding="utf-8") as handle:
            cells = list(csv.DictReader(handle))
        assert cells, name
        reached, reaching = ("column_iri", "row_iri") if axis == "column" else \
            ("row_iri", "column_iri")
        kinds = {crosswalk.names.kind(cell[reaching]) for cell in cells}
        nodes = {cell[reached] for cell in cells}
        by_matrix: dict[str, set[str]] = defaultdict(set)
        for cell in cells:
            by_matrix[cell[reached]].add(cell[reaching])
        # every item of the reached kind: the matrix's items of the reaching kinds are exactly
        # those that reach it (none where the crosswalk has none)
        reached_kind = {crosswalk.names.kind(n) for n in nodes}
        for node in (n for n in reached_items(crosswalk)
                     if crosswalk.names.kind(n) in reached_kind):
            want = {s for s in expected(crosswalk, node) if crosswalk.names.kind(s) in kinds}
            assert by_matrix.get(node, set()) == want, (name, node)


def test_sdg_coverage_counts_the_crosswalk(site: Site, crosswalk: Crosswalk) -> None:
    query = load_catalogue(ROOT / "queries")["sdg-coverage"]
    result = run_query(query, {}, open_store(site[0]))
    names = crosswalk.names
    counted = {"policing_goals": {PKG + "GlobalPolicingGoal"},
               "statements": {PKG + "GoalStatement", PKG + "ThemeStatement"},
               "programmes": {PKG + "ProgrammeStrategy"}}
    for row in result.rows:
        values = dict(zip(result.variables, row, strict=True))
        node = values["sdg"] or ""
        reaching = expected(crosswalk, node)
        for column, kinds in counted.items():
            assert int(values[column] or 0) == sum(1 for s in reaching
                                                   if names.kind(s) in kinds), (node, column)
        targets = [n for n, k in names.kinds.items() if k == SDGO + "Target"
                   and n.rsplit("/", 1)[-1].split(".")[0] == node.rsplit("/", 1)[-1]]
        assert int(values["targets"] or 0) == len(targets)
        assert int(values["targets_reached"] or 0) == sum(1 for t in targets
                                                           if crosswalk.reaching(t))


def test_every_page_gives_the_crosswalk(site: Site, crosswalk: Crosswalk) -> None:
    folder = site[0] / "site"
    for node in reached_items(crosswalk):
        path = page_path(node)
        assert path is not None, node
        html = (folder / path).read_text("utf-8")
        assert 'id="reaching"' in html, node
        shown = set(re.findall(r'<tr data-item="([^"]+)"', html))
        assert shown == expected(crosswalk, node), node


def test_the_analysts_guide_names_pages_that_exist(site: Site) -> None:
    """Each everyday question of docs/analysts.md names a page of the site that answers it."""
    guide = (ROOT / "docs" / "analysts.md").read_text("utf-8")
    rows = [line for line in guide.splitlines() if re.match(r"\| \d+\. ", line)]
    assert len(rows) >= 14
    folder = site[0] / "site"
    for row in rows:
        page = row.rstrip(" |").rsplit("|", 1)[-1]
        paths = re.findall(r"`([A-Za-z0-9/._-]+\.(?:html|tsv)(?:#[a-z0-9-]+)?)`", page)
        assert paths, row
        for path in paths:
            file, _, anchor = path.partition("#")
            if file.startswith("release/VERSION/"):
                file = file.replace("VERSION", next((folder / "release").iterdir()).name)
            assert (folder / file).is_file(), (row, file)
            if anchor:
                assert f'id="{anchor}"' in (folder / file).read_text("utf-8"), (row, anchor)
