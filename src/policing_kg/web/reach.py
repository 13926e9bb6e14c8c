"""What reaches an item, on its page: grouped by kind, with counts, confidences and routes.

Read from the crosswalk (:mod:`policing_kg.crosswalk.links`), the one definition every view
uses: the ``reaching`` query, the matrices and ``sdg-coverage`` give the same items (a test
compares them). Each row carries ``data-item`` (the IRI of the item that reaches) and
``data-kind``, so that the comparison reads the page as a program would.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from policing_kg.common.iris import PKG, PREFIXES, SDGO
from policing_kg.crosswalk.links import CONFIDENCE_RULE, REACHING_RULE, Crosswalk, Link
from policing_kg.web.graphview import RDFS, SSSOM, GraphView, short_name, sort_statements
from policing_kg.web.html import Page, esc, link, mark, table, term_html

PROV = PREFIXES["prov"]


__all__ = ["REACHABLE", "reach_section", "reach_summary", "crosswalk_links", "reachable"]

#: The kinds of item whose pages say what reaches them.
REACHABLE = frozenset({str(SDGO.Goal), str(SDGO.Target), str(PKG.GlobalPolicingGoal),
                       str(PKG.GoalStatement), str(PKG.ThemeStatement),
                       str(PKG.CrossCuttingTheme), str(PKG.StrategicGoal)})


def _item(page: Page, view: GraphView, crosswalk: Crosswalk, node: str) -> str:
    names = crosswalk.names
    notation = names.notation(node)
    text = f"{notation}. {names.label(node)}" if notation else names.label(node)
    document = names.documents.get(node)
    where = "" if document is None or names.kind(node).startswith(str(SDGO)) else \
        f' <span class="kind">({esc(names.label(document))})</span>'
    return link(page, view, ox.NamedNode(node), text) + where


def reach_summary(crosswalk: Crosswalk, node: str) -> str:
    """Count what reaches it: ``12 items reach it: 4 programme strategies, …``."""
    groups = crosswalk.reachers(node)
    total = len({item for items in groups.values() for item in items})
    if not total:
        return "Nothing reaches it."
    names = crosswalk.names
    parts = [f"{len(items)} {names.kind_label(kind)}" for kind, items in groups.items()]
    return f"{total} item{'s' if total != 1 else ''} reach{'es' if total == 1 else ''} it: " \
        + ", ".join(parts) + "."


def reach_section(page: Page, view: GraphView, crosswalk: Crosswalk, node: str) -> str:
    """Return the section ``What reaches it``: a table per kind, with each link's route."""
    names = crosswalk.names
    links = crosswalk.reaching(node)
    parts = ['<h2 id="reaching">What reaches it</h2>',
             f"<p>{esc(reach_summary(crosswalk, node))} The rule: {esc(REACHING_RULE)}; "
             f"{esc(CONFIDENCE_RULE)}.</p>"]
    if not links:
        return "\n".join(parts)
    by_kind: dict[str, list[Link]] = {}
    for one in links:
        by_kind.setdefault(names.kind(one.subject), []).append(one)
    for kind, rows in by_kind.items():
        items = {one.subject for one in rows}
        parts.append(f'<h3>{esc(names.kind_label(kind))} ({len(items)})</h3>')
        lines = ['<table class="reach">',
                 "<thead><tr>" + "".join(f'<th scope="col">{esc(h)}</th>' for h in (
                     "item", "relation", "reaches", "link", "confidence", "why (route)"))
                 + "</tr></thead><tbody>"]
        for one in rows:
            reached = "" if one.object == node else _item(page, view, crosswalk, one.object)
            lines.append(
                f'<tr data-item="{esc(one.subject)}" data-kind="{esc(kind)}">'
                f"<td>{_item(page, view, crosswalk, one.subject)}</td>"
                f"<td>{esc(names.property_labels.get((one.predicate, 'en'), ''))}</td>"
                f"<td>{reached or 'this'}</td>"
                f'<td><span class="mark mark-{"inferred" if one.inferred else "mappings"}">'
                f'{"inferred" if one.inferred else "asserted"}</span></td>'
                f"<td>{'' if one.confidence is None else esc(f'{one.confidence:g}')}</td>"
                f"<td>{esc(one.reason('en'))}</td></tr>")
        lines.append("</tbody></table>")
        parts.append("\n".join(lines))
    return "\n".join(parts)


def reachable(crosswalk: Crosswalk, node: Any) -> bool:
    """Tell whether the node's page says what reaches it."""
    return crosswalk.names.kind(str(node)) in REACHABLE


def crosswalk_links(page: Page, view: GraphView, node: Any, incoming_too: bool = True) -> str:
    """Return the section ``Crosswalk links``: every link from the node (and to it).

    Each with its justification, confidence, author and reason (an inferred link's route).
    """
    properties = view.crosswalk_properties
    outgoing = [s for s in view.out.get(node, ()) if s.predicate in properties]
    incoming = [s for s in view.into.get(node, ()) if s.predicate in properties] \
        if incoming_too else []
    if not outgoing and not incoming:
        return ""
    parts = ["<h2>Crosswalk links</h2>"]
    for title, statements, other in (("From this", outgoing, "object"),
                                     ("To this", incoming, "subject")):
        if not statements:
            continue
        rows = []
        for statement in sort_statements(statements):
            target = getattr(statement, other)
            mapping = view.mapping_of(statement.subject, statement.predicate, statement.object)
            detail = _mapping_detail(page, view, mapping) if mapping is not None else \
                ["", "", "", ""]
            if statement.layer == "inferred":
                activity = view.value(ox.NamedNode(statement.graph), PROV + "wasGeneratedBy")
                detail[0] = ("inferred by the ontology's property chains"
                             + (f" ({link(page, view, activity)})" if activity else ""))
            rows.append([link(page, view, ox.NamedNode(statement.predicate)),
                         f'<span class="kind">{esc(view.kind(target))}</span> '
                         f"{link(page, view, target, view.numbered(target))}",
                         mark(statement.layer), *detail])
        parts.append(table(["relation", "item", "from", "justification", "confidence",
                            "author", "reasoning"], rows, caption=title))
    return "\n".join(parts)


def _mapping_detail(page: Page, view: GraphView, mapping: Any) -> list[str]:
    justification = view.value(mapping, SSSOM + "mapping_justification")
    confidence = view.value(mapping, SSSOM + "confidence")
    authors = view.values(mapping, SSSOM + "author_id")
    comments = [c for c in view.values(mapping, RDFS + "comment") if isinstance(c, ox.Literal)]
    comment = next((c for c in comments if c.language == "en"), comments[0] if comments else None)
    return [
        link(page, view, mapping, short_name(justification.value)) if justification else "",
        esc(confidence.value) if confidence is not None else "",
        ", ".join(link(page, view, a) for a in authors),
        term_html(page, view, comment) if comment is not None else "",
    ]
