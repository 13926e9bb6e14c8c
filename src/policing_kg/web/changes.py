"""The changelog page (``changes.html``): the release's notes and its differences from the last.

Read from the release's ``changes.json`` and the notes in its description (``adms:versionNotes``
of each version, newest first); every item named links to its page.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from policing_kg.common.iris import ID
from policing_kg.common.sorting import natural_key
from policing_kg.web.graphview import GraphView
from policing_kg.web.html import Page, esc, table
from policing_kg.web.paths import page_path

__all__ = ["changelog_page", "release_version"]

_DCAT = "http://www.w3.org/ns/dcat#"
_NOTES = "http://www.w3.org/ns/adms#versionNotes"
_ISSUED = "http://purl.org/dc/terms/issued"


def release_version(view: GraphView) -> str:
    """Return the release's version, as its description gives it."""
    found = view.value(ox.NamedNode(ID + "dataset"), _DCAT + "version")
    return found.value if found is not None else "unknown"


def _cell(page: Page, value: str) -> str:
    path = page_path(value) if value.startswith(str(ID)) else None
    shown = esc(value.removeprefix(str(ID)))
    return f'<a href="{page.href(path)}">{shown}</a>' if path else shown


def changelog_page(view: GraphView, changes: dict[str, Any] | None) -> Page:
    """Return the changelog: each version with its date and notes; this one's differences."""
    page = Page("changes.html", "Changes", description="What each release of policing-kg "
                "changed: its notes, and its differences from the previous release.")
    versions = []
    for node in view.values(ox.NamedNode(ID + "dataset"), _DCAT + "hasVersion"):
        version = view.value(node, _DCAT + "version")
        issued = view.value(node, _ISSUED)
        notes = view.value(node, _NOTES)
        if version is not None:
            versions.append((version.value, issued.value if issued else "",
                             notes.value if notes else ""))
    versions.sort(key=lambda v: natural_key(v[0]), reverse=True)
    for number, (version, issued, notes) in enumerate(versions):
        page.add(f'<h2 id="v{esc(version)}">{esc(version)}'
                 + (f" ({esc(issued)})" if issued else "") + "</h2>",
                 f"<p>{esc(' '.join(notes.split()))}</p>")
        if number == 0 and changes is not None:
            page.add(_differences(page, changes))
    if changes is None:
        page.add("<p>This is the first release: there is nothing to compare it with.</p>")
    return page


def _differences(page: Page, changes: dict[str, Any]) -> str:
    counts = changes.get("counts", {})
    parts = [f"<h3>Changes from {esc(str(changes.get('old', '')))}</h3>",
             table(["what", "how many"], [[esc(k.replace(".", " ")), esc(str(n))]
                                          for k, n in counts.items()])]
    if changes.get("shacl_note"):
        parts.append(f"<p>{esc(str(changes['shacl_note']))}</p>")
    for group, kinds in changes.items():
        if not isinstance(kinds, dict) or group == "counts":
            continue
        for kind, rows in kinds.items():
            if not rows:
                continue
            headers = list(rows[0].keys())
            parts.append(f"<h4>{esc(group.capitalize())} {esc(kind)} ({len(rows)})</h4>")
            parts.append(table(headers, [[_cell(page, str(row.get(h, ""))) for h in headers]
                                         for row in rows]))
    return "".join(parts)
