"""The site's search: one rule, written once in Python, answered three ways.

``search_files`` writes ``search-index.json`` (every item of the documents, the documents
themselves, and every SDG goal and target: labels, notation, kind, page, and the text to match)
and ``search.html``, whose small script reads ``?q=`` and the index (a relative URL, so the page
works on any static host) and lists the matches. ``policing-kg serve`` answers
``/search.html?q=…`` itself, from the same index and :func:`search`, with the results in the
page (no JavaScript needed). The script implements the same rule, its constants written from
this module's (the tests run it in Chromium and compare).

The rule:

- **Folding** (:func:`fold`): Unicode compatibility decomposition (NFKD) with the marks dropped
  (``é`` → ``e``), lower case, ``œ`` → ``oe``, ``æ`` → ``ae``, typographic apostrophes
  (``’ ‘ ʼ``) → ``'``, every run of spaces one space. The stored query ``label-search``
  (:mod:`policing_kg.access.search`) folds case, accents, ``œ`` and apostrophes alike, so the
  site and the command line find the same items for the same words: every item that
  ``label-search`` finds, the site finds, and of the site's finds, those with the words as one
  phrase in one ``skos:prefLabel`` are exactly ``label-search``'s. (The site also finds the words
  apart, in any order, in the item's notation, id, kind and alternative labels, and documents;
  ``label-search`` folds an accented letter to a wildcard, so on the command line ``e`` would
  also match ``à``: no real word shows the difference.)
- **Matching** (:func:`search`): the query is folded and cut into words at spaces; an item
  matches when every word is found in its text (notation, id, kind, French and English labels,
  alternative labels), anywhere.
- **Ranking**: 0, the query is the item's notation or id (``16.4``, ``gpg-2023/goal/3``); 1, it
  is one of the item's labels; 2, a label holds it as a phrase; 3, a label holds every word;
  4, the rest. Within a rank, the shorter label first, then the index's order (the project's
  items by id, then the SDGs by code). At most :data:`LIMIT` are shown, with the count.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from policing_kg.common.iris import SDG
from policing_kg.common.sorting import natural_key
from policing_kg.web.graphview import RDF_TYPE, SKOS, GraphView
from policing_kg.web.html import Page, esc
from policing_kg.web.paths import page_path

__all__ = ["search_files", "fold", "query_words", "search", "search_index", "search_page",
           "read_index", "LIMIT", "INDEX_FILE", "PAGE_FILE", "Match"]

#: The files ``search_files`` writes, by site path.
PAGE_FILE = "search.html"
INDEX_FILE = "search-index.json"
#: The most results a page shows (the count says how many there are).
LIMIT = 50
#: Letters folded beyond NFKD (which leaves them whole), after lower case.
_EXTRA = {"œ": "oe", "æ": "ae", "’": "'", "‘": "'", "ʼ": "'"}
#: What counts as a space (JavaScript's ``\s`` and Python's ``str.isspace`` differ: both
#: implementations use this list).
_SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
           "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
_SPACE_CLASS = "[" + "".join(f"\\u{ord(c):04x}" for c in _SPACES) + "]+"
_SPACE_RUN = re.compile(_SPACE_CLASS)
_SDG_KINDS = {"Goal": "SDG goal", "Target": "SDG target"}
#: The text to match, a part a line: the notation, the id, the kind, then the labels.
_LABELS_FROM = 3

Match = Mapping[str, Any]


def fold(text: str) -> str:
    r"""Return ``text`` as the search compares it (see the module's docstring).

    >>> fold("  L’ÉCHANGE  d'Informations\u00a0(Œuvre) ")
    "l'echange d'informations (oeuvre)"
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    lower = "".join(_EXTRA.get(c, c) for c in bare.lower())
    return _SPACE_RUN.sub(" ", lower).strip(" ")


def query_words(query: str) -> list[str]:
    """Return the words of a query, folded (none for an empty one)."""
    folded = fold(query)
    return folded.split(" ") if folded else []


def _rank(text: str, query: str, words: Sequence[str]) -> tuple[int, int] | None:
    """Return an item's rank for a query (lower first), or None if a word is missing."""
    if not all(word in text for word in words):
        return None
    lines = text.split("\n")
    if query in (lines[0], lines[1]):
        return (0, 0)
    best: tuple[int, int] | None = None
    for label in lines[_LABELS_FROM:]:
        if label == query:
            tier = 1
        elif query in label:
            tier = 2
        elif all(word in label for word in words):
            tier = 3
        else:
            continue
        key = (tier, len(label))
        if best is None or key < best:
            best = key
    return best or (4, 0)


def search(items: Sequence[Match], query: str) -> list[Match]:
    """Return the items (of the index) that match ``query``, best first (all of them)."""
    words = query_words(query)
    if not words:
        return []
    query = " ".join(words)
    ranked = []
    for position, item in enumerate(items):
        rank = _rank(item["text"], query, words)
        if rank is not None:
            ranked.append((rank, position, item))
    ranked.sort(key=lambda found: (found[0], found[1]))
    return [item for _, _, item in ranked]


# --- the index ----------------------------------------------------------------------------
def _literals(view: GraphView, node: Any, predicate: str) -> list[ox.Literal]:
    return [v for v in view.values(node, predicate) if isinstance(v, ox.Literal)]


def _in_language(literals: Sequence[ox.Literal], language: str) -> str:
    return next((str(lit.value) for lit in literals if lit.language == language), "")


def _kind(view: GraphView, node: Any) -> str:
    kind = view.kind(node)
    if kind:
        return kind
    for cls in view.types(node):
        if cls.startswith(SDG) and cls.rsplit("#", 1)[-1] in _SDG_KINDS:
            return _SDG_KINDS[cls.rsplit("#", 1)[-1]]
    if ox.NamedNode(SKOS + "ConceptScheme") in view.values(node, RDF_TYPE):
        return "document"
    return ""


def _searchable(view: GraphView, node: Any) -> bool:
    """Say if a node is searched: an item of a document, an SDG goal or target, a document."""
    path = page_path(node.value)
    if path is None or "#" in path:
        return False
    if view.values(node, SKOS + "inScheme"):
        return True
    return path.startswith("id/") and \
        ox.NamedNode(SKOS + "ConceptScheme") in view.values(node, RDF_TYPE)


def search_index(view: GraphView) -> list[dict[str, Any]]:
    """Return the index's items: the project's items by id, then the SDGs by code."""
    items: list[dict[str, Any]] = []
    for node in view.nodes():
        if not _searchable(view, node):
            continue
        preferred = _literals(view, node, SKOS + "prefLabel")
        alternative = sorted({str(lit.value) for lit in _literals(view, node, SKOS + "altLabel")},
                             key=natural_key)
        english, french = _in_language(preferred, "en"), _in_language(preferred, "fr")
        others = sorted({str(lit.value) for lit in preferred} - {english, french},
                        key=natural_key)
        if not (english or french or others):
            english = view.label(node)
        path = page_path(node.value) or ""
        item_id = path.removesuffix(".html").removeprefix("id/")
        kind, notation = _kind(view, node), view.notation(node)
        labels = [label for label in (english, french, *others, *alternative) if label]
        text = "\n".join(fold(part) for part in (notation, item_id, kind, *labels))
        items.append({"id": item_id, "path": path, "kind": kind, "notation": notation,
                      "en": english, "fr": french, "alt": [*others, *alternative], "text": text})
    items.sort(key=lambda item: (item["id"].startswith("sdg/"), natural_key(item["id"])))
    return items


def _index_bytes(items: Sequence[Mapping[str, Any]]) -> bytes:
    """Return the index as JSON: a header, then one item a line (sorted keys; no dates)."""
    header = {
        "about": "The search index of the policing-kg site: every item of the documents, "
                 "the documents, and every SDG goal and target. search.html reads it.",
        "fields": {"id": "the item's id, as the command line takes it (gpg-2023/goal/3, "
                         "sdg/16.4)",
                   "path": "its page, relative to the site's root",
                   "kind": "the label of its class", "notation": "its number in the source",
                   "en": "its English label", "fr": "its French label", "alt": "its other labels",
                   "text": "what the search matches: notation, id, kind and every label, "
                           "folded (case, accents, œ and apostrophes), one per line"},
        "limit": LIMIT,
    }
    head = json.dumps(header, ensure_ascii=False, sort_keys=True)
    lines = [json.dumps(item, ensure_ascii=False, sort_keys=True) for item in items]
    return (head[:-1] + ', "items": [\n' + ",\n".join(lines) + "\n]}\n").encode("utf-8")


def read_index(data: bytes) -> list[dict[str, Any]]:
    """Return the items of a ``search-index.json``."""
    items: list[dict[str, Any]] = json.loads(data)["items"]
    return items


# --- the page -----------------------------------------------------------------------------
_INTRO = ("<p>Finds the items of the documents, the documents themselves, and the SDG goals "
          "and targets, by their French and English labels, their number "
          "(<code>16.4</code>) or their id (<code>gpg-2023/goal/3</code>). Every word must "
          "match, anywhere; case, accents and apostrophes do not matter. On the command line: "
          "<code>policing-kg query label-search --param text=…</code>.</p>")
_NO_SCRIPT = ("<noscript><p>On a static host this page needs JavaScript to search. Without "
              "it, search where the site is served by <code>policing-kg serve</code> (which "
              "answers this page itself), or on the command line: "
              "<code>policing-kg query label-search --param text=…</code>.</p></noscript>")


def status_text(query: str, total: int) -> str:
    """Return the sentence that says what was found (the script writes the same)."""
    shown = _SPACE_RUN.sub(" ", query).strip(" ")
    if not query_words(query):
        return "Type one or more words in the search box."
    if total == 0:
        return f"No item matches “{shown}”."
    found = "1 item matches" if total == 1 else f"{total} items match"
    more = f": the first {LIMIT} are shown" if total > LIMIT else ""
    return f"{found} “{shown}”{more}."


_HEAD = ('<table class="results search-results"><thead><tr><th scope="col">Item</th>'
         '<th scope="col">Kind</th><th scope="col">Number</th><th scope="col">Id</th></tr>'
         "</thead><tbody>")


def _row(item: Match) -> str:
    lang, name = ("en", item["en"]) if item["en"] else ("fr", item["fr"])
    if not name:
        name, lang = (item["alt"] or [item["id"]])[0], ""
    lang_attr = f' lang="{lang}"' if lang else ""
    cell = f'<a href="{esc(item["path"])}"{lang_attr}>{esc(name)}</a>'
    if lang == "en" and item["fr"]:
        cell += f'<br><span class="alt" lang="fr">{esc(item["fr"])}</span>'
    if item["alt"]:
        cell += '<br><span class="alt">also: ' + esc("; ".join(item["alt"])) + "</span>"
    return (f'<tr><td>{cell}</td><td class="kind">{esc(item["kind"])}</td>'
            f'<td>{esc(item["notation"])}</td><td class="iri">{esc(item["id"])}</td></tr>')


def results_html(query: str, found: Sequence[Match]) -> str:
    """Return the results as the script writes them: the count, then a table of the first."""
    parts = [f'<p id="search-status" role="status">{esc(status_text(query, len(found)))}</p>']
    if found:
        parts += [_HEAD, *(_row(item) for item in found[:LIMIT]), "</tbody></table>"]
    return "\n".join(parts)


def search_page(query: str | None = None, found: Sequence[Match] = ()) -> Page:
    """Return the search page.

    With ``query``, its results are already in it (``serve``); without, it is the static page,
    whose script searches.
    """
    page = Page(PAGE_FILE, "Search",
                description="Search the items of INTERPOL's strategy documents and the SDGs "
                "by label, number or id.")
    page.search_value = query or ""
    page.add(_INTRO)
    if query is None:
        page.add(_NO_SCRIPT, '<section id="search-results" aria-label="Results"></section>',
                 f"<script>\n{script()}</script>")
    else:
        page.add('<section id="search-results" aria-label="Results">',
                 results_html(query, found), "</section>")
    return page


def search_files(view: GraphView) -> dict[str, bytes]:
    """Return the search page and its index, by site path."""
    return {PAGE_FILE: search_page().render(), INDEX_FILE: _index_bytes(search_index(view))}


def script() -> str:
    """Return the page's script: the rule of :func:`search`, in JavaScript."""
    constants = json.dumps({"limit": LIMIT, "extra": _EXTRA, "space": _SPACE_CLASS,
                            "labelsFrom": _LABELS_FROM, "index": INDEX_FILE},
                           ensure_ascii=True, sort_keys=True)
    return _SCRIPT.replace("/*CONSTANTS*/{}", constants).replace("</", "<\\/")


# The same rule as fold, _rank, search, status_text and results_html; its constants are
# written from this module's. No framework; ES2018 (\p{M} and String.prototype.normalize).
_SCRIPT = r"""(function () {
  "use strict";
  var C = /*CONSTANTS*/{};
  var SPACE = new RegExp(C.space, "g"), MARK = /\p{M}/gu;
  function has(text, word) { return text.indexOf(word) >= 0; }
  function fold(text) {
    var bare = text.normalize("NFKD").replace(MARK, "").toLowerCase(), out = "";
    for (var ch of bare) {
      out += Object.prototype.hasOwnProperty.call(C.extra, ch) ? C.extra[ch] : ch;
    }
    return out.replace(SPACE, " ").replace(/^ +| +$/g, "");
  }
  function words(query) { var folded = fold(query); return folded ? folded.split(" ") : []; }
  function rank(text, query, ws) {
    if (!ws.every(function (w) { return has(text, w); })) { return null; }
    var lines = text.split("\n"), best = null;
    if (query === lines[0] || query === lines[1]) { return [0, 0]; }
    lines.slice(C.labelsFrom).forEach(function (label) {
      var tier = label === query ? 1 : has(label, query) ? 2
        : ws.every(function (w) { return has(label, w); }) ? 3 : 0;
      var key = [tier, Array.from(label).length];  // in code points, as Python counts
      if (tier && (best === null || key[0] < best[0] || (key[0] === best[0] && key[1] < best[1]))) {
        best = key;
      }
    });
    return best || [4, 0];
  }
  function search(items, query) {
    var ws = words(query), whole = ws.join(" "), ranked = [];
    if (!ws.length) { return []; }
    items.forEach(function (item, position) {
      var r = rank(item.text, whole, ws);
      if (r !== null) { ranked.push([r[0], r[1], position, item]); }
    });
    ranked.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return ranked.map(function (found) { return found[3]; });
  }
  function statusText(query, total) {
    var shown = query.replace(SPACE, " ").replace(/^ +| +$/g, "");
    if (!words(query).length) { return "Type one or more words in the search box."; }
    if (total === 0) { return "No item matches \u201c" + shown + "\u201d."; }
    return (total === 1 ? "1 item matches" : total + " items match") + " \u201c" + shown +
      "\u201d" + (total > C.limit ? ": the first " + C.limit + " are shown" : "") + ".";
  }
  function element(name, attributes, text) {
    var node = document.createElement(name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text) { node.textContent = text; }
    return node;
  }
  function row(item) {
    var lang = item.en ? "en" : "fr", name = item.en || item.fr;
    if (!name) { name = (item.alt.length ? item.alt : [item.id])[0]; lang = ""; }
    var tr = element("tr", {}), td = tr.appendChild(element("td", {}));
    td.appendChild(element("a", lang ? {href: item.path, lang: lang} : {href: item.path}, name));
    if (lang === "en" && item.fr) {
      td.appendChild(element("br", {}));
      td.appendChild(element("span", {"class": "alt", lang: "fr"}, item.fr));
    }
    if (item.alt.length) {
      td.appendChild(element("br", {}));
      td.appendChild(element("span", {"class": "alt"}, "also: " + item.alt.join("; ")));
    }
    tr.appendChild(element("td", {"class": "kind"}, item.kind));
    tr.appendChild(element("td", {}, item.notation));
    tr.appendChild(element("td", {"class": "iri"}, item.id));
    return tr;
  }
  function say(text, role) {
    var results = document.getElementById("search-results");
    results.textContent = "";
    return results.appendChild(element("p", {id: "search-status", role: role}, text)).parentNode;
  }
  function show(query, found) {
    var results = say(statusText(query, found.length), "status");
    if (!found.length) { return; }
    var table = element("table", {"class": "results search-results"}), head = element("tr", {});
    ["Item", "Kind", "Number", "Id"].forEach(function (name) {
      head.appendChild(element("th", {scope: "col"}, name));
    });
    table.appendChild(element("thead", {})).appendChild(head);
    var body = table.appendChild(element("tbody", {}));
    found.slice(0, C.limit).forEach(function (item) { body.appendChild(row(item)); });
    results.appendChild(table);
  }
  window.policingKgSearch = {fold: fold, words: words, search: search, statusText: statusText};
  var query = new URLSearchParams(window.location.search).get("q") || "";
  var box = document.getElementById("site-search");
  if (box) { box.value = query; }
  if (!words(query).length) { show(query, []); return; }
  fetch(C.index).then(function (response) {
    if (!response.ok) { throw new Error("HTTP " + response.status); }
    return response.json();
  }).then(function (index) {
    window.policingKgSearch.items = index.items;
    show(query, search(index.items, query));
  }).catch(function (error) {
    say("The search index could not be read (" + (error.message || error) + "). Open the " +
        "site from a web server rather than from the disk, or search on the command line: " +
        "policing-kg query label-search --param text=\u2026", "alert");
  });
})();
"""
