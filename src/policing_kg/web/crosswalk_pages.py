"""The site's crosswalk pages: the summary on the home page, and the Crosswalks page.

Both read the crosswalk (:mod:`policing_kg.crosswalk.links`), the one definition behind every
view: the heatmaps (each with its counting rule and its table as text alternative), the flow
diagram, the mapping sets, and what nothing covers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from policing_kg.assembly.names import clip
from policing_kg.crosswalk.links import REACHING_RULE, Crosswalk
from policing_kg.web.graphview import DCTERMS, PKG, GraphView, short_name
from policing_kg.web.html import Page, esc, link, table, term_html
from policing_kg.web.sections import COVERAGE_KINDS, links_in

__all__ = ["coverage_summary", "crosswalks_page", "FLOW"]

SDGO = "http://metadata.un.org/sdg/ontology#"
#: The flow diagram's site path.
FLOW = "crosswalks/programme-work-to-sdg-targets.svg"


def coverage_summary(page: Page, view: GraphView, crosswalk: Crosswalk) -> str:
    """Say what the crosswalk covers and what it does not, for the landing page (with links)."""
    names = crosswalk.names

    def reached(kind: str) -> tuple[list[str], list[str]]:
        nodes = sorted((n for n, k in names.kinds.items() if k == kind), key=names.sort_key)
        return ([n for n in nodes if crosswalk.reaching(n)],
                [n for n in nodes if not crosswalk.reaching(n)])

    def named(nodes: Sequence[str]) -> str:
        return ", ".join(link(page, view, ox.NamedNode(n), f"{names.notation(n)} "
                              f"{clip(names.label(n), 40)}".strip()) for n in nodes)

    sdg_in, sdg_out = reached(SDGO + "Goal")
    target_in, target_out = reached(SDGO + "Target")
    goal_in, goal_out = reached(PKG + "StrategicGoal")
    statements = [n for n, k in names.kinds.items()
                  if k in (PKG + "GoalStatement", PKG + "ThemeStatement")]
    delivered = [n for n in statements if any(
        one.predicate == PKG + "delivers" for one in crosswalk.reaching(n))]
    href = page.href
    rows = [
        f"<li><strong>{len(sdg_in)} of {len(sdg_in) + len(sdg_out)} SDGs</strong> and "
        f"<strong>{len(target_in)} of {len(target_in) + len(target_out)} SDG targets</strong> "
        f'are reached by a Global Policing Goal, statement or programme (<a href="'
        f'{href("sdg.html")}">the SDGs, with what reaches each</a>).</li>',
        f"<li><strong>{len(delivered)} of {len(statements)} statements</strong> of the Global "
        "Policing Goals are delivered by 2022-2025 programme work "
        f'(<a href="{href("query/goal-delivery.html")}">per goal</a>).</li>',
        f"<li><strong>{len(goal_in)} of {len(goal_in) + len(goal_out)} strategic goals</strong> "
        "of the Strategic Framework 2026-2030 are served by a 2022-2025 programme objective.</li>",
    ]
    missing = [
        f"<li>SDGs nothing reaches: {named(sdg_out)}.</li>" if sdg_out else "",
        f"<li>Strategic goals nothing serves: {named(goal_out)}.</li>" if goal_out else "",
        f"<li>{len(statements) - len(delivered)} statements no 2022-2025 programme work "
        f'delivers (<a href="{href("query/undelivered-statements.html")}">the list</a>).</li>',
        f'<li>Items of each kind that no link reaches: <a href="'
        f'{href("crosswalks.html#not-covered")}">not covered</a>.</li>',
    ]
    return ("<h2>What the crosswalk covers</h2>"
            f"<p>The crosswalk holds {len(crosswalk.links):,} links: "
            f"{sum(1 for one in crosswalk.links if not one.inferred):,} curated, "
            f"{sum(1 for one in crosswalk.links if one.inferred):,} inferred by the ontology's "
            f"chains, each with its route. {esc(REACHING_RULE[:1].upper() + REACHING_RULE[1:])}."
            "</p>"
            f'<ul>{"".join(rows)}</ul>'
            f'<h2>What it does not cover</h2><ul>{"".join(missing)}</ul>')


def crosswalks_page(view: GraphView, matrices: Sequence[Any], pictures: Mapping[str, str],
                    crosswalk: Crosswalk, flow: str | None = None) -> Page:
    """Return the heatmaps (each with its table as text alternative), mapping sets and coverage."""
    page = Page("crosswalks.html", "Crosswalks",
                description="Which 2022-2025 objectives serve which 2026-2030 goals, which "
                "programmes build on which themes, what maps to the SDGs, and what nothing maps.")
    sets = view.instances("https://w3id.org/sssom/MappingSet")
    rows = [[link(page, view, s), esc(str(len(view.values(s, "https://w3id.org/sssom/mappings")))),
             term_html(page, view, view.value(s, DCTERMS + "description") or ox.Literal(""))]
            for s in sets]
    page.add("<h2>Mapping sets</h2>", table(["set", "mappings", "what it holds"], rows))
    if flow is not None:
        page.add('<h2 id="flow">From programme work to the SDG targets</h2>',
                 f'<figure><img src="{page.href(flow)}" width="1000" alt="Flow diagram: the '
                 "2022-2025 programme strategies, the Global Policing Goals and themes whose "
                 "statements their objectives and outcomes deliver, and the SDG targets those "
                 'statements contribute to; band widths count links."><figcaption>Programme '
                 "work → Global Policing Goal statements (grouped by goal or theme) → SDG "
                 "targets: band widths count the links (pkg:delivers on the left, "
                 "pkg:contributesToSDG on the right).</figcaption></figure>")
    for matrix in matrices:
        picture = pictures.get(matrix.name)
        head = [esc(matrix.value)] + [esc(short_name(c)) for c in matrix.columns]
        body = [[link(page, view, ox.NamedNode(r), short_name(r))]
                + [esc(f"{v:g}") if v else "" for v in values]
                for r, values in zip(matrix.rows, matrix.values, strict=True)]
        rule = getattr(matrix, "rule", "") or matrix.value
        page.add(f'<h2 id="{esc(matrix.name)}">{esc(matrix.title)}</h2>',
                 f"<p>The counting rule: {esc(rule)}</p>")
        if picture:
            page.add(f'<figure><img src="{page.href(picture)}" alt="Heatmap of '
                     f'{esc(matrix.title)}; the same values are in the table below." '
                     f'width="1000"><figcaption>{esc(matrix.title)}: {esc(rule)} '
                     f'<a href="{page.href(picture.replace(".svg", ".csv"))}">CSV</a>'
                     "</figcaption></figure>")
        page.add(table(head, body, caption=f"{matrix.title} (the heatmap's values)",
                       css="matrix"))
    page.add('<h2 id="not-covered">Not covered</h2>', "<p>Items of each kind that no "
             "crosswalk link (curated or inferred, in either direction) touches.</p>")
    rows = []
    for kind in COVERAGE_KINDS:
        items = view.instances(PKG + kind)
        missing = [n for n in items if not links_in(view, n)
                   and not any(s.predicate in view.crosswalk_properties
                               for s in view.out.get(n, ()))]
        rows.append([esc(view.label_of_class(PKG + kind) or kind), esc(str(len(items))),
                     esc(str(len(items) - len(missing))),
                     ", ".join(link(page, view, n, short_name(n.value)) for n in missing)])
    page.add(table(["kind", "items", "linked", "not linked"], rows))
    targets = view.instances(SDGO + "Target")
    unlinked = [t for t in targets if not crosswalk.reaching(t.value)]
    page.add(f"<p>SDG targets: {len(targets) - len(unlinked)} of {len(targets)} reached "
             f"({esc(REACHING_RULE)}).</p>")
    return page


