"""The page of one node (an item, a document, an SDG, a mapping, a source file…) and its RDF.

Every page shows the node's labels in French and English, each marked with the layer it comes
from (source text, official, translation, editorial), its place in its document, the exact
source passages in the context of their file with the span highlighted, every crosswalk link
in and out with its justification, author and confidence (inferred links marked as inferred),
and every other statement about it. Beside it: the node's RDF in four formats.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from policing_kg.common.iris import PREFIXES
from policing_kg.common.sorting import natural_key
from policing_kg.errors import PolicingKGError
from policing_kg.web.graphview import (
    DCTERMS,
    PKG,
    RDF_TYPE,
    RDFS,
    SKOS,
    GraphView,
    short_name,
    sort_statements,
)
from policing_kg.web.html import Page, esc, link, mark, table, term_html
from policing_kg.web.paths import FORMATS, page_path
from policing_kg.web.reach import crosswalk_links

__all__ = ["SourceTexts", "resource_page", "resource_rdf", "owned_nodes", "LABEL_PREDICATES",
           "source_page", "as_json"]

SKOSXL = PREFIXES["skosxl"]
OA = PREFIXES["oa"]
LABEL_PREDICATES = {SKOS + "prefLabel": "preferred", SKOS + "altLabel": "alternative",
                    DCTERMS + "title": "title", RDFS + "label": "label"}
TEXT_PREDICATES = {DCTERMS + "description": "Description", SKOS + "definition": "Definition",
                   RDFS + "comment": "Comment", SKOS + "scopeNote": "Scope note",
                   SKOS + "editorialNote": "Editorial note"}
SOURCE_PREDICATES = {PKG + "labelSource": "label", PKG + "descriptionSource": "description",
                     PKG + "headingSource": "heading"}
#: Sub-nodes written inside their owner's page and RDF (and given small pages of their own).
OWNED = ("/source/", "/label/", "/assignment", "/parameter/", "/position", "/quote")
CONTEXT_LINES = 2


@dataclass(frozen=True)
class SourceText:
    """A source file's text, with where each line starts (offsets in code points)."""

    name: str
    text: str
    starts: tuple[int, ...]

    def line_of(self, offset: int) -> int:
        """Return the 1-based line of a code-point offset."""
        return bisect.bisect_right(self.starts, offset)

    def line_span(self, first: int, last: int) -> tuple[int, int]:
        """Offsets of the start of line ``first`` and the end of line ``last`` (1-based)."""
        first = max(1, first)
        last = min(len(self.starts), last)
        end = self.starts[last] - 1 if last < len(self.starts) else len(self.text)
        return self.starts[first - 1], end


class SourceTexts:
    """The project's source files by name, read once and checked against the release."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files: dict[str, SourceText] = {}
        for name, text in files.items():
            starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
            if text.endswith("\n"):
                starts.pop()
            self.files[name] = SourceText(name, text, tuple(starts))

    def get(self, iri: str) -> SourceText | None:
        """Return the text of a ``…/id/source/FILE`` node, or None."""
        return self.files.get(iri.rsplit("/", 1)[-1])


def owned_nodes(view: GraphView, node: Any) -> list[Any]:
    """Return the sub-nodes described with a node: its source passages, labels, parameters."""
    if not isinstance(node, ox.NamedNode):
        return []
    found: list[Any] = []
    queue = [node]
    seen = {node}
    while queue:
        current = queue.pop(0)
        for statement in view.out.get(current, ()):
            target = statement.object
            if target in seen:
                continue
            owned = isinstance(target, ox.BlankNode) or (
                isinstance(target, ox.NamedNode) and target.value.startswith(node.value)
                and any(part in target.value[len(node.value):] for part in OWNED))
            if owned and target in view.out:
                seen.add(target)
                found.append(target)
                queue.append(target)
    return found


def resource_rdf(view: GraphView, node: Any) -> list[ox.Triple]:
    """Return the node's description: what it says, what its sub-nodes say, and what links to it."""
    triples: dict[tuple[str, str, str], ox.Triple] = {}
    for subject in (node, *owned_nodes(view, node)):
        for statement in view.out.get(subject, ()):
            triple = ox.Triple(statement.subject, ox.NamedNode(statement.predicate),
                               statement.object)
            triples.setdefault((str(triple.subject), statement.predicate, str(triple.object)),
                               triple)
    for statement in view.into.get(node, ()):
        if isinstance(statement.subject, ox.NamedNode):
            triple = ox.Triple(statement.subject, ox.NamedNode(statement.predicate),
                               statement.object)
            triples.setdefault((str(triple.subject), statement.predicate, str(triple.object)),
                               triple)

    def key(item: tuple[tuple[str, str, str], ox.Triple]) -> tuple[object, ...]:
        (s, p, o), _ = item
        return (natural_key(s), 0 if p == RDF_TYPE else 1, natural_key(p), natural_key(o), o)

    return [triple for _, triple in sorted(triples.items(), key=key)]


def _breadcrumbs(page: Page, view: GraphView, node: Any) -> str:
    chain: list[Any] = []
    current = node
    for _ in range(20):
        parents = view.values(current, SKOS + "broader")
        if not parents or parents[0] in chain:
            break
        chain.insert(0, parents[0])
        current = parents[0]
    scheme = view.value(node, SKOS + "inScheme")
    parts = ([link(page, view, scheme)] if scheme is not None else []) + \
        [link(page, view, n, view.numbered(n)) for n in chain]
    if not parts:
        return ""
    return ('<nav aria-label="Breadcrumbs"><p class="breadcrumbs">'
            + " › ".join(parts) + "</p></nav>")



def _labels(page: Page, view: GraphView, node: Any) -> str:
    xl = {}
    for predicate in (SKOSXL + "prefLabel", SKOSXL + "altLabel"):
        for label_node in view.values(node, predicate):
            form = view.value(label_node, SKOSXL + "literalForm")
            if form is not None:
                xl[(predicate.rsplit("#", 1)[-1], form)] = label_node
    rows = []
    for statement in sort_statements([s for s in view.out.get(node, ())
                                      if s.predicate in LABEL_PREDICATES]):
        literal = statement.object
        if not isinstance(literal, ox.Literal):
            continue
        what = LABEL_PREDICATES[statement.predicate]
        key = "prefLabel" if what == "preferred" else "altLabel"
        label_node = xl.get((key, literal))
        note = ""
        if label_node is not None:
            note = esc(view.kind(label_node))
            source = view.value(label_node, DCTERMS + "source")
            if source is not None:
                note += f" — {term_html(page, view, source)}"
            original = view.value(label_node, PKG + "translationOf")
            if original is not None:
                note += f' — translates <q{_lang(original)}>{esc(original.value)}</q>'
        rows.append([esc(what), esc(literal.language or ""), term_html(page, view, literal),
                     mark(statement.layer), note])
    if not rows:
        return ""
    return "<h2>Labels</h2>\n" + table(["label", "language", "text", "from", "note"], rows,
                                        css="labels")


def _lang(literal: Any) -> str:
    return f' lang="{esc(literal.language)}"' if getattr(literal, "language", None) else ""


def _texts(page: Page, view: GraphView, node: Any) -> str:
    parts = []
    for predicate, title in TEXT_PREDICATES.items():
        statements = [s for s in view.out.get(node, ()) if s.predicate == predicate
                      and isinstance(s.object, ox.Literal)]
        for statement in sorted(statements, key=lambda s: (s.object.language or "", s.graph)):
            parts.append(f"<h2>{esc(title)} {mark(statement.layer)}</h2>")
            parts += [f"<p{_lang(statement.object)}>{esc(paragraph)}</p>"
                      for paragraph in statement.object.value.split("\n\n")]
    return "\n".join(parts)


def _children(page: Page, view: GraphView, node: Any) -> str:
    narrower = view.ordered(view.values(node, SKOS + "narrower")
                            + view.subjects(SKOS + "broader", node))
    top = view.ordered(view.values(node, SKOS + "hasTopConcept"))
    parts = []
    if top:
        parts.append("<h2>Outline</h2>")
        parts.append(_outline(page, view, top, set()))
    elif narrower:
        parts.append("<h2>Listed under it</h2>")
        parts.append("<ul class=\"plain\">" + "".join(
            f"<li>{link(page, view, child, view.numbered(child))}</li>"
            for child in dict.fromkeys(narrower)) + "</ul>")
    return "\n".join(parts)


def _outline(page: Page, view: GraphView, nodes: Sequence[Any], seen: set[Any]) -> str:
    items = []
    for node in dict.fromkeys(nodes):
        if node in seen:
            continue
        seen.add(node)
        kind = view.kind(node)
        children = view.ordered(dict.fromkeys(view.values(node, SKOS + "narrower")
                                              + view.subjects(SKOS + "broader", node)))
        inner = _outline(page, view, children, seen) if children else ""
        items.append(f'<li><span class="kind">{esc(kind)}</span> '
                     f"{link(page, view, node, view.numbered(node))}{inner}</li>")
    return '<ol class="outline">' + "".join(items) + "</ol>"


def _passages(page: Page, view: GraphView, node: Any, sources: SourceTexts) -> str:
    parts = []
    for predicate, field in SOURCE_PREDICATES.items():
        for passage in view.values(node, predicate):
            source = view.value(passage, OA + "hasSource")
            selectors = view.values(passage, OA + "hasSelector")
            start = end = None
            exact = None
            for selector in selectors:
                begins, ends = view.value(selector, OA + "start"), view.value(selector, OA + "end")
                if begins is not None and ends is not None:
                    start, end = int(begins.value), int(ends.value)
                quote = view.value(selector, OA + "exact")
                if quote is not None:
                    exact = quote.value
            text = sources.get(source.value) if source is not None else None
            if text is None or source is None or start is None or end is None:
                continue
            if exact is not None and text.text[start:end] != exact:
                raise PolicingKGError(f"the passage of {passage.value} does not match its "
                                      f"source {text.name} at {start}-{end}",
                                      hint="rebuild the release from this checkout")
            first, last = text.line_of(start), text.line_of(max(start, end - 1))
            before, after = text.line_span(first - CONTEXT_LINES, last + CONTEXT_LINES)
            excerpt = (esc(text.text[before:start]) + f"<mark>{esc(text.text[start:end])}</mark>"
                       + esc(text.text[end:after]))
            source_page = page_path(source.value)
            where = (f'<a href="{page.href(f"{source_page}#L{first}")}">{esc(text.name)}, '
                     f"line {first}" + (f"–{last}" if last != first else "") + "</a>"
                     if source_page else esc(text.name))
            parts.append(f'<figure id="passage-{esc(_anchor(passage.value, node.value))}">'
                         f"<figcaption>The {esc(field)} in its source: {where} "
                         f"(characters {start}–{end})</figcaption>"
                         f'<pre class="passage" lang="fr">{excerpt}</pre></figure>')
    return ("<h2>In the source</h2>\n" + "\n".join(parts)) if parts else ""


def _anchor(iri: str, owner: str) -> str:
    return iri[len(owner):].strip("/").replace("/", "-") or "self"


def _statements(page: Page, view: GraphView, node: Any) -> str:
    rows = [[link(page, view, ox.NamedNode(s.predicate), short_name(s.predicate)),
             term_html(page, view, s.object), mark(s.layer)]
            for s in sort_statements(view.out.get(node, ()))]
    incoming = [[link(page, view, s.subject), link(page, view, ox.NamedNode(s.predicate),
                                                    short_name(s.predicate)), mark(s.layer)]
                for s in sort_statements([s for s in view.into.get(node, ())
                                          if isinstance(s.subject, ox.NamedNode)])]
    parts = ["<h2>Every statement</h2>",
             table(["property", "value", "from"], rows, caption="About this node")]
    if incoming:
        parts.append(table(["node", "property", "from"], incoming, caption="Links to this node"))
    return "\n".join(parts)


def _formats(page: Page, base: str) -> str:
    links = " ".join(f'<a href="{page.href(f"{base}.{suffix}")}" type="{media}">{suffix}</a>'
                     for suffix, media in FORMATS.items() if suffix != "html")
    return f"<p>This page as data: {links}</p>"


def resource_page(view: GraphView, node: Any, sources: SourceTexts, json_ld: Any,
                  extra: Sequence[str] = ()) -> Page:
    """Return the page of one node (see the module's docstring)."""
    iri = node.value
    path = page_path(iri)
    assert path is not None
    base = path.removesuffix(".html")
    labels = [v for v in view.values(node, SKOS + "prefLabel") if isinstance(v, ox.Literal)]
    title = view.label(node)
    title_lang = next((lit.language for lit in labels if lit.value == title), None)
    notation = view.notation(node)
    page = Page(path, f"{notation}. {title}" if notation and not title.startswith("SDG")
                else title,
                description=f"{view.kind(node)}: {title}",
                alternates=[f"{base}.{s}" for s in FORMATS if s != "html"], json_ld=json_ld,
                title_lang=title_lang)
    kind = view.kind(node)
    page.add(f'<p><span class="kind">{esc(kind)}</span></p>' if kind else "",
             _breadcrumbs(page, view, node),
             f'<p>IRI: <a class="iri" href="{esc(iri)}">{esc(iri)}</a></p>',
             _labels(page, view, node), _texts(page, view, node),
             _passages(page, view, node, sources), _children(page, view, node), *extra,
             crosswalk_links(page, view, node, incoming_too=not extra),
             _statements(page, view, node),
             _formats(page, base))
    for owned in owned_nodes(view, node):
        if isinstance(owned, ox.NamedNode):
            page.add(f'<h2 id="{esc(_anchor(owned.value, iri))}">'
                     f"{esc(short_name(owned.value))}</h2>", _owned_table(page, view, owned))
    return page


def _owned_table(page: Page, view: GraphView, node: Any) -> str:
    rows = [[link(page, view, ox.NamedNode(s.predicate), short_name(s.predicate)),
             term_html(page, view, s.object), mark(s.layer)]
            for s in sort_statements(view.out.get(node, ()))]
    return table(["property", "value", "from"], rows)


def source_page(view: GraphView, node: Any, text: SourceText, json_ld: Any) -> Page:
    """Return a source file's page: its description, then its whole text, each line an anchor."""
    page = resource_page(view, node, SourceTexts({}), json_ld)
    lines = text.text.split("\n")
    if text.text.endswith("\n"):
        lines.pop()
    body = "".join(f'<span id="L{n}">{esc(line) or " "}</span>'
                   for n, line in enumerate(lines, start=1))
    page.add("<h2>The text</h2>", f"<p>{len(lines)} lines, as extracted from the PDF "
             "(the README of data/sources says how).</p>",
             f'<pre class="source-text" lang="fr">{body}</pre>')
    return page


def as_json(data: bytes) -> Any:
    """Return the JSON-LD bytes of a node's RDF, as an object to embed in its page."""
    return json.loads(data)
