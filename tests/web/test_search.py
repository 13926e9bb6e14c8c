"""The site's search: its index, its rule (folding, matching, ranking), the same items as the
stored query ``label-search``, the box in every page's header, and ``serve`` answering it with
the results in the page. The script of the static page is run in Chromium by test_browser.py."""

from __future__ import annotations

import html
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from policing_kg.access.queries import open_store, run_query
from policing_kg.common.reading import read_dump
from policing_kg.curation.catalogue import load_catalogue
from policing_kg.web.graphview import GraphView
from policing_kg.web.search import (
    INDEX_FILE,
    LIMIT,
    PAGE_FILE,
    fold,
    query_words,
    read_index,
    search,
    search_files,
    status_text,
)
from policing_kg.web.site import SiteResult

from ..conftest import ROOT
from .conftest import Server

SKOS = "http://www.w3.org/2004/02/skos/core#"
CATALOGUE = load_catalogue(ROOT / "queries")
#: Queries checked against `label-search` (and, in test_browser.py, against the script).
QUERIES = ["cooperation internationale", "COOPÉRATION INTERNATIONALE", "vulnerable groups",
           "16.4", "foreign terrorist fighters", "combattants terroristes etrangers",
           "l’echange d'informations", "L'ECHANGE D’INFORMATIONS", "prejudiciales",
           "pots-de-vin", "terrorism", "cybercriminalité", "trafic d’armes", "3",
           "zzz nothing"]


def ids(found: list[Any]) -> list[str]:
    return [item["id"] for item in found]


@pytest.fixture(scope="module")
def items(site: tuple[Path, SiteResult]) -> list[dict[str, Any]]:
    return read_index((site[0] / "site" / INDEX_FILE).read_bytes())


@pytest.fixture(scope="module")
def in_schemes(site: tuple[Path, SiteResult]) -> set[str]:
    """The ids of the items `label-search` looks at: every node with a skos:inScheme."""
    return {short(q.subject.value) for q in read_dump(site[0] / "policing-kg.nq")
            if q.predicate.value == SKOS + "inScheme"}


def short(iri: str) -> str:
    return iri.removeprefix("https://w3id.org/policing-kg/id/").removeprefix(
        "http://metadata.un.org/")


# --- the rule ----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "folded"), [
    ("COOPÉRATION INTERNATIONALE", "cooperation internationale"),
    ("L’Échange d‘informations", "l'echange d'informations"),
    ("ŒUVRE, cœur, Æther", "oeuvre, coeur, aether"),
    ("  pots-de-vin\u00a0\u2009et\t\n  fraude ", "pots-de-vin et fraude"),
    ("ÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÇ àâäéèêëîïôöùûüÿç", "aaaeeeeiioouuuyc aaaeeeeiioouuuyc"),
    ("Bogotá, Ñandú, İstanbul, ﬁnance, ²", "bogota, nandu, istanbul, finance, 2"),
    ("16.4", "16.4"),
    ("", ""),
])
def test_fold_folds_case_accents_ligatures_apostrophes_and_spaces(text: str,
                                                                  folded: str) -> None:
    assert fold(text) == folded


def test_the_words_of_a_query() -> None:
    assert query_words("  Coopération   INTERNATIONALE ") == ["cooperation", "internationale"]
    assert query_words(" \t ") == []


def test_every_word_must_match_anywhere_in_any_order(items: list[dict[str, Any]]) -> None:
    both = set(ids(search(items, "groups vulnerable")))
    assert both == set(ids(search(items, "vulnerable groups")))
    assert both <= set(ids(search(items, "vulnerable"))) & set(ids(search(items, "groups")))
    assert search(items, "vulnerable zzz") == []
    assert search(items, "") == [] and search(items, "   ") == []
    # words in the French label and in the id at once
    assert "gpg-2023/goal/3" in ids(search(items, "vulnerables gpg-2023"))
    # the alternative labels: the SDGs' short names
    assert ids(search(items, "peace justice"))[0] == "sdg/16"


@pytest.mark.parametrize(("query", "first"), [
    ("16.4", "sdg/16.4"),  # the notation, exactly, first
    ("sdg/16.4", "sdg/16.4"),
    ("gpg-2023/goal/3", "gpg-2023/goal/3"),  # the id
    ("Improve law enforcement action to protect vulnerable groups", "gpg-2023/goal/3"),
    ("vulnerable groups", "gpg-2023/goal/3"),  # the shortest label holding the phrase
    ("Stratégie mondiale de lutte contre la cybercriminalité", "cyber-2022"),  # a document
])
def test_the_ranking(items: list[dict[str, Any]], query: str, first: str) -> None:
    assert ids(search(items, query))[0] == first


def test_the_ranking_puts_notations_then_labels_then_the_rest(
        items: list[dict[str, Any]]) -> None:
    found = search(items, "3")
    notations = [item["notation"] for item in found]
    exact = notations.count("3")
    assert exact >= 5 and notations[:exact] == ["3"] * exact  # every item numbered 3 first
    # an item found by its label outranks one found only by its id or notation
    found = search(items, "terrorism")
    by_label = [any("terrorism" in fold(label) for label in (item["en"], item["fr"],
                                                               *item["alt"]))
                for item in found]
    assert by_label == sorted(by_label, reverse=True)


@pytest.mark.parametrize("query", QUERIES)
def test_the_site_finds_what_label_search_finds(items: list[dict[str, Any]],
                                               in_schemes: set[str],
                                               site: tuple[Path, SiteResult],
                                               query: str) -> None:
    """The rule: label-search looks for the words as one phrase in one skos:prefLabel of an
    item in a scheme; the site for each word anywhere in the item's labels, notation, id and
    kind. So the site finds every item label-search finds, and, of its own finds, those with the
    phrase in a preferred label are exactly label-search's."""
    result = run_query(CATALOGUE["label-search"], {"text": query}, open_store(site[0]))
    column = result.variables.index("item")
    by_query = {short(str(row[column])) for row in result.rows}
    by_site = search(items, query)
    assert by_query <= set(ids(by_site))
    phrase = fold(query)
    with_phrase = {item["id"] for item in by_site if item["id"] in in_schemes
                   and any(phrase in fold(label) for label in (item["en"], item["fr"]) if label)}
    assert with_phrase == by_query


def test_label_search_and_the_site_agree_on_the_issue_s_examples(
        items: list[dict[str, Any]]) -> None:
    assert set(ids(search(items, "vulnerable groups"))) == {
        "gpg-2023/goal/3", "gpg-2023/goal/3/statement/1", "gpg-2023/goal/3/statement/2",
        "gpg-2023/goal/3/statement/4", "oec-2022/mandate"}
    assert ids(search(items, "foreign terrorist fighters")) == ["gpg-2023/goal/2/statement/1"]
    assert ids(search(items, "16.4")) == ["sdg/16.4"]
    assert set(ids(search(items, "cooperation internationale"))) == \
        set(ids(search(items, "COOPÉRATION INTERNATIONALE")))


def test_status_text() -> None:
    assert status_text("", 0) == "Type one or more words in the search box."
    assert status_text(" zzz ", 0) == "No item matches “zzz”."
    assert status_text("goal  3", 1) == "1 item matches “goal 3”."
    assert status_text("3", LIMIT + 1) == \
        f"{LIMIT + 1} items match “3”: the first {LIMIT} are shown."


# --- the index ---------------------------------------------------------------------------
def test_the_index_holds_every_item_every_document_and_every_sdg(
        items: list[dict[str, Any]], in_schemes: set[str], site: tuple[Path, SiteResult]) -> None:
    found = {item["id"] for item in items}
    assert len(found) == len(items)
    documents = {"sf-2026", "gpg-2023", "gpg-2017", "oec-2022", "fcac-2022", "ct-2022",
                 "cyber-2022"}
    assert found == (in_schemes - {"sdg"}) | documents
    kinds = {item["kind"] for item in items}
    assert {"global policing goal", "goal statement", "cross-cutting theme", "theme statement",
            "programme objective", "expected outcome", "mandate", "strategic goal",
            "programme strategy", "SDG goal", "SDG target"} <= kinds
    assert sum(item["kind"] == "SDG goal" for item in items) == 17
    assert sum(item["kind"] == "SDG target" for item in items) == 169
    root = site[0] / "site"
    for item in items:
        assert (root / item["path"]).is_file(), item["id"]
        assert item["kind"] and (item["en"] or item["fr"]), item["id"]
        lines = item["text"].split("\n")
        assert lines[:3] == [fold(item["notation"]), fold(item["id"]), fold(item["kind"])]
        assert set(lines[3:]) == {fold(label) for label in (item["en"], item["fr"],
                                                             *item["alt"]) if label}
    goal = next(item for item in items if item["id"] == "gpg-2023/goal/3")
    assert goal["path"] == "id/gpg-2023/goal/3.html" and goal["notation"] == "3"
    assert goal["en"] == "Improve law enforcement action to protect vulnerable groups"
    assert goal["fr"].startswith("AMÉLIORER L'ACTION")
    target = next(item for item in items if item["id"] == "sdg/16.4")
    assert target["notation"] == "16.4" and target["path"] == "sdg/16.4.html"


def test_the_index_and_the_page_are_the_same_bytes_every_time(
        site: tuple[Path, SiteResult]) -> None:
    view = GraphView(read_dump(site[0] / "policing-kg.nq"))
    first, again = search_files(view), search_files(view)
    assert first == again and set(first) == {PAGE_FILE, INDEX_FILE}
    for name, data in first.items():
        assert (site[0] / "site" / name).read_bytes() == data
    text = first[INDEX_FILE].decode("utf-8")
    assert not re.search(r"\d{4}-\d\d-\d\dT", text)  # no dates
    listed = [item["id"] for item in read_index(first[INDEX_FILE])]
    project = [i for i in listed if not i.startswith("sdg/")]
    assert listed == project + [i for i in listed if i.startswith("sdg/")]
    assert listed.index("sdg/2") < listed.index("sdg/10") < listed.index("sdg/16.4") \
        < listed.index("sdg/16.10") < listed.index("sdg/16.a")


def test_the_static_page_says_how_to_search_without_javascript(
        site: tuple[Path, SiteResult]) -> None:
    text = (site[0] / "site" / PAGE_FILE).read_text("utf-8")
    noscript = re.search(r"<noscript>(.*?)</noscript>", text, re.S)
    assert noscript is not None
    assert "needs JavaScript" in noscript.group(1)
    assert "policing-kg query label-search --param text=" in noscript.group(1)
    assert "policing-kg serve" in noscript.group(1)
    script = re.search(r"<script>(.*?)</script>", text, re.S)
    assert script is not None and '"search-index.json"' in script.group(1)
    assert f'"limit": {LIMIT}' in script.group(1)


def test_every_page_has_the_search_box_in_its_header(site: tuple[Path, SiteResult]) -> None:
    root = site[0] / "site"
    pages = sorted(root.rglob("*.html"))
    assert len(pages) == site[1].pages
    form = re.compile(r'<header>.*?<form class="search" role="search" action="([^"]+)" '
                      r'method="get"><label for="site-search">Search items</label> '
                      r'<input type="search" id="site-search" name="q" value=""[^>]*> '
                      r'<button type="submit">Search</button></form></header>', re.S)
    for path in pages:
        found = form.search(path.read_text("utf-8"))
        assert found is not None, path
        if path.name != "404.html":  # served at any depth; its links are from the root
            assert (path.parent / html.unescape(found.group(1))).resolve() == root / PAGE_FILE


# --- serve -------------------------------------------------------------------------------
def get(server: Server, path: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(server.base + path, timeout=30) as response:
        return response.status, response.headers["content-type"], response.read().decode()


def listed(page: str) -> list[str]:
    return [html.unescape(i) for i in re.findall(r'<td class="iri">([^<]*)</td>', page)]


def status_of(page: str) -> str:
    found = re.search(r'<p id="search-status" role="status">([^<]*)</p>', page)
    assert found is not None
    return html.unescape(found.group(1))


def test_serve_answers_the_search_in_the_page(server: Server) -> None:
    status, media, page = get(server, "/search.html?q=vulnerable")
    assert status == 200 and media == "text/html; charset=utf-8"
    assert "gpg-2023/goal/3" in listed(page)
    assert '<a href="id/gpg-2023/goal/3.html" lang="en">Improve law enforcement action to ' \
        "protect vulnerable groups</a>" in page
    assert re.findall(r"<script[^>]*>", page) == []  # nothing left to a script
    assert 'id="site-search" name="q" value="vulnerable"' in page
    assert get(server, "/search?q=vulnerable")[2] == page


@pytest.mark.parametrize("query", [*QUERIES, "gpg-2023/goal/3", "peace justice", "goal"])
def test_serve_gives_the_matches_of_the_search_function(server: Server,
                                                       items: list[dict[str, Any]],
                                                       query: str) -> None:
    page = get(server, "/search.html?" + urllib.parse.urlencode({"q": query}))[2]
    found = search(items, query)
    assert listed(page) == ids(found)[:LIMIT]
    assert status_of(page) == status_text(query, len(found))


def test_serve_search_without_words_and_with_markup(server: Server) -> None:
    page = get(server, "/search.html")[2]
    assert status_of(page) == "Type one or more words in the search box." and not listed(page)
    page = get(server, "/search.html?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")[2]
    assert "<script>alert" not in page
    assert status_of(page) == "No item matches “<script>alert(1)</script>”."
    page = get(server, "/search.html?q=3")[2]
    assert len(listed(page)) == LIMIT and "the first 50 are shown" in status_of(page)


def test_the_index_node_kinds_come_from_the_graph(site: tuple[Path, SiteResult],
                                                 items: list[dict[str, Any]]) -> None:
    view = GraphView(read_dump(site[0] / "policing-kg.nq"))
    for item in items:
        if not item["id"].startswith("sdg/") and item["kind"] != "document":
            node = ox.NamedNode("https://w3id.org/policing-kg/id/" + item["id"])
            assert item["kind"] == view.kind(node), item["id"]
