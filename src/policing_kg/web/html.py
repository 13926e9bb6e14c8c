"""The pieces of every page: the frame, escaped text, links, RDF terms for people.

The frame holds the navigation, a search box, a skip link and the languages. No JavaScript:
every page reads without it (the static search page alone has a script; see :mod:`.search`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

import pyoxigraph as ox

from policing_kg.web.graphview import LAYER_NAMES, GraphView, short_name
from policing_kg.web.paths import FORMATS, page_path, relative

__all__ = ["esc", "Page", "term_html", "link", "table", "mark", "STYLE"]

#: The site's sections, in the navigation bar: (file, label).
SECTIONS = (("index.html", "Home"), ("documents.html", "Documents"), ("sdg.html", "SDGs"),
            ("crosswalks.html", "Crosswalks"), ("query/index.html", "Queries"),
            ("ontology.html", "Ontology"))


def esc(text: object) -> str:
    """Escape text for HTML (quotes included)."""
    return escape(str(text), quote=True)


def mark(layer: str) -> str:
    """Return the badge that says where a value comes from (source text, translation…)."""
    name = LAYER_NAMES.get(layer, layer)
    return f'<span class="mark mark-{esc(layer)}">{esc(name)}</span>'


def lang_attr(literal: Any) -> str:
    language = getattr(literal, "language", None)
    return f' lang="{esc(language)}"' if language else ""


class Page:
    """One HTML page: its site path, title and body parts; ``render`` gives its bytes."""

    def __init__(self, path: str, title: str, *, description: str = "",
                 alternates: Sequence[str] = (), json_ld: Any = None,
                 title_lang: str | None = None) -> None:
        self.path = path
        self.title = title
        self.description = description
        self.alternates = alternates
        self.json_ld = json_ld
        self.title_lang = title_lang
        #: The words the header's search box shows (the search page's query).
        self.search_value = ""
        self.parts: list[str] = []

    def add(self, *html: str) -> None:
        """Append HTML to the main content."""
        self.parts.extend(html)

    def href(self, to_file: str) -> str:
        """Return a relative link from this page to another site file."""
        return esc(relative(self.path, to_file))

    def render(self) -> bytes:
        """Return the page, as UTF-8 bytes (deterministic)."""
        head = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(self.title)} · policing-kg</title>",
        ]
        if self.description:
            head.append(f'<meta name="description" content="{esc(self.description[:300])}">')
        head.append(f'<link rel="stylesheet" href="{self.href("style.css")}">')
        for alternate in self.alternates:
            suffix = alternate.rsplit(".", 1)[-1]
            head.append(f'<link rel="alternate" type="{FORMATS[suffix]}" '
                        f'href="{self.href(alternate)}">')
        if self.json_ld is not None:
            data = json.dumps(self.json_ld, ensure_ascii=False, indent=1, sort_keys=False)
            data = data.replace("</", "<\\/")
            head.append(f'<script type="application/ld+json">\n{data}\n</script>')
        head.append("</head>")
        nav = " ".join(
            f'<a href="{self.href(target)}"'
            + (' aria-current="page"' if target == self.path else "") + f">{esc(label)}</a>"
            for target, label in SECTIONS)
        title_lang = f' lang="{esc(self.title_lang)}"' if self.title_lang else ""
        body = [
            "<body>",
            '<a class="skip" href="#main">Skip to the content</a>',
            f'<header><nav aria-label="Site">{nav}</nav>',
            f'<form class="search" role="search" action="{self.href("search.html")}" '
            'method="get"><label for="site-search">Search items</label> '
            '<input type="search" id="site-search" name="q" '
            f'value="{esc(self.search_value)}" spellcheck="false"> '
            '<button type="submit">Search</button></form></header>',
            '<main id="main">',
            f"<h1{title_lang}>{esc(self.title)}</h1>",
            *self.parts,
            "</main>",
            '<footer><p>policing-kg: INTERPOL\'s strategy documents as linked data. The '
            "project's additions are CC BY 4.0; the quoted source texts are INTERPOL's. "
            f'<a href="{self.href("index.html#cite")}">How to cite</a>.</p></footer>',
            "</body>",
            "</html>",
        ]
        return ("\n".join(head + body) + "\n").encode("utf-8")


def link(page: Page, view: GraphView, node: Any, text: str | None = None) -> str:
    """Return a link to a node's page if it has one (else its IRI), named by its label."""
    if isinstance(node, ox.BlankNode):
        return f"<span>{esc(text or '_:' + node.value)}</span>"
    iri = str(node.value)
    name = text if text is not None else view.label(node)
    target = page_path(iri)
    literal = _label_literal(view, node) if text is None else None
    lang = lang_attr(literal) if literal is not None else ""
    if target is None:
        return f'<a href="{esc(iri)}"{lang}>{esc(name)}</a>'
    return f'<a href="{page.href(target)}"{lang}>{esc(name)}</a>'


def _label_literal(view: GraphView, node: Any) -> Any:
    name = view.label(node)
    for predicate in ("http://www.w3.org/2004/02/skos/core#prefLabel",
                      "http://www.w3.org/2000/01/rdf-schema#label",
                      "http://purl.org/dc/terms/title"):
        for literal in view.values(node, predicate):
            if isinstance(literal, ox.Literal) and literal.value == name:
                return literal
    return None


def term_html(page: Page, view: GraphView, term: Any) -> str:
    """Return an RDF term for people: a link for an IRI, the text (and language) of a literal."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        note = "" if term.language or datatype in ("string", "langString") else \
            f' <span class="datatype">({esc(short_name(term.datatype.value))})</span>'
        text = esc(term.value).replace("\n", "<br>")
        return f"<span{lang_attr(term)}>{text}</span>{note}"
    if isinstance(term, ox.NamedNode) and page_path(term.value) is None:
        return f'<a href="{esc(term.value)}">{esc(short_name(term.value))}</a>'
    return link(page, view, term)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "",
          css: str = "") -> str:
    """Return a table of already-escaped cells, with header cells scoped to columns."""
    klass = f' class="{esc(css)}"' if css else ""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    lines = [f"<table{klass}>"]
    if caption:
        lines.append(f"<caption>{esc(caption)}</caption>")
    lines.append(f"<thead><tr>{head}</tr></thead><tbody>")
    lines += ["<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows]
    lines.append("</tbody></table>")
    return "\n".join(lines)


STYLE = """\
:root { --ink: #1b1b1b; --muted: #555; --line: #d0d7de; --accent: #0b57a4; --bg: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: var(--bg); }
header { background: #0b2545; padding: .5rem 1rem; display: flex; flex-wrap: wrap;
         gap: .5rem 1rem; align-items: center; justify-content: space-between; }
header nav a { color: #fff; margin-right: 1rem; text-decoration: none; font-weight: 600; }
header nav a[aria-current="page"] { text-decoration: underline; }
header a:focus-visible, header input:focus-visible, header button:focus-visible {
  outline-color: #ffd166; }
form.search { display: flex; gap: .4rem; align-items: center; color: #fff; }
form.search label { font-weight: 600; }
form.search input { font: inherit; padding: .2rem .4rem; width: 16rem; max-width: 50vw;
                    border: 1px solid #8aa4c8; border-radius: .2rem; }
form.search button { font: inherit; padding: .2rem .7rem; border: 1px solid #fff;
                     border-radius: .2rem; background: #e8eef6; color: #0b2545; cursor: pointer; }
.search-results .alt { color: var(--muted); font-size: .9rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
footer { max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: var(--muted);
         font-size: .9rem; border-top: 1px solid var(--line); }
a { color: var(--accent); }
a:focus-visible, summary:focus-visible, button:focus-visible, textarea:focus-visible,
select:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: 1rem; z-index: 10; }
h1 { font-size: 1.6rem; line-height: 1.25; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
thead th { background: #f3f6f9; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
.iri { font-family: ui-monospace, monospace; font-size: .9rem; word-break: break-all; }
.kind { color: var(--muted); text-transform: uppercase; font-size: .8rem; letter-spacing: .05em; }
.mark { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: .6rem;
        border: 1px solid var(--line); white-space: nowrap; }
.mark-document { background: #e8f5e9; } .mark-translations { background: #fff3e0; }
.mark-editorial { background: #fce4ec; } .mark-reference { background: #e3f2fd; }
.mark-mappings { background: #ede7f6; } .mark-inferred { background: #fffde7;
                                                          border-style: dashed; }
.datatype { color: var(--muted); font-size: .8rem; }
.breadcrumbs { color: var(--muted); }
.passage { background: #f8f8f8; border-left: 4px solid var(--line); padding: .5rem 1rem;
           white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: .9rem;
           overflow-x: auto; }
.passage mark { background: #ffe066; }
.source-text { white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: .9rem; }
.source-text span[id] { display: block; }
.source-text span[id]:target { background: #ffe066; }
ol.outline, ul.plain { padding-left: 1.2rem; }
.matrix td.n { text-align: right; }
textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .9rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
"""
