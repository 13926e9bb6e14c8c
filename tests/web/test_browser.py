"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright (the system
browser; nothing is downloaded). A reader goes from the landing page to Global Policing Goal 3,
one of its statements, its highlighted source passage, the SDG targets the goal is mapped to
and back; then runs a stored query in the editor and reads its rows; and uses the keyboard.
The search box: on a static host (python's http.server), where the page's script searches and
must follow the Python rule; and on `policing-kg serve` with JavaScript off.
Screenshots are kept in test-output/screenshots/."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policing_kg.web.site import SiteResult

from ..conftest import ROOT
from .conftest import Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI") == "true":
    pytest.fail("CI=true but Chromium is missing: .ci/run must install chromium", pytrace=False)
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed here (apt-get install chromium "
    "chromium-driver); CI runs these")]
SHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=["--no-sandbox", "--disable-gpu",
                                                    # nothing but loopback, whatever a page links
                                                    "--host-resolver-rules=MAP * ~NOTFOUND, "
                                                    "EXCLUDE 127.0.0.1"])
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    opened = context.new_page()
    yield opened
    context.close()


def test_from_the_landing_page_to_a_passage_and_an_sdg_target_and_back(
        server: Server, page: Any) -> None:
    page.goto(f"{server.base}/")
    assert page.title().startswith("policing-kg")
    page.get_by_role("link", name="Global Policing Goals", exact=True).first.click()
    assert page.url.endswith("/id/gpg-2023.html")
    page.get_by_role("link", name="3. Improve law enforcement action to protect vulnerable "
                     "groups").first.click()
    assert page.url.endswith("/id/gpg-2023/goal/3.html")
    assert page.locator("h1").inner_text().startswith("3. Improve law enforcement")
    page.screenshot(path=str(SHOTS / "item-page.png"), full_page=False)

    page.get_by_role("link", name="3.2. Strengthen cooperation").first.click()
    assert page.url.endswith("/id/gpg-2023/goal/3/statement/2.html")
    highlighted = page.locator("pre.passage mark").first
    assert highlighted.inner_text().startswith("Renforcer la coopération, mettre en place")
    assert highlighted.is_visible()
    page.screenshot(path=str(SHOTS / "statement-passage.png"), full_page=False)
    page.locator("figure figcaption a").first.click()  # the passage in its whole file
    assert "/id/source/004_da3c5f2f6630bbbe.txt.html#L" in page.url
    line = page.url.rsplit("#", 1)[1]
    assert page.locator(f"[id='{line}']").inner_text().startswith("- Renforcer la coopération")
    page.go_back()
    page.get_by_role("link", name="3. Improve law enforcement action to protect vulnerable "
                     "groups").first.click()

    crosswalks = page.locator("table", has=page.locator("caption", has_text="From this"))
    target = crosswalks.get_by_role("link", name="5.2", exact=False).first
    target.click()
    assert page.url.endswith("/sdg/5.2.html")
    assert "violence against all women and girls" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "sdg-target.png"), full_page=False)
    back = page.locator("table.reach")  # what reaches the target, grouped by kind
    back.get_by_role("link", name="3. Improve law enforcement", exact=False).first.click()
    assert page.url.endswith("/id/gpg-2023/goal/3.html")


def test_a_stored_query_runs_from_the_editor(server: Server, page: Any) -> None:
    page.goto(f"{server.base}/sparql")
    page.get_by_role("link", name="Which programme objectives serve a strategic goal").click()
    assert "VALUES" in page.locator("textarea").input_value()
    page.get_by_role("button", name="Run").click()
    page.wait_for_selector("table.results")
    caption = page.locator("table.results caption").inner_text()
    assert int(caption.split()[0]) > 0
    assert page.locator("table.results tbody tr").count() == int(caption.split()[0])
    page.screenshot(path=str(SHOTS / "query-editor.png"), full_page=False)
    # a query typed by hand
    page.locator("textarea").fill("SELECT ?n WHERE { VALUES ?n { 1 2 3 } }")
    page.get_by_role("button", name="Run").click()
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() == 3


def test_the_pages_work_with_a_keyboard(server: Server, page: Any) -> None:
    page.goto(f"{server.base}/id/gpg-2023/goal/3.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to the content"
    assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")  # the content's first link: the document, in the breadcrumbs
    assert page.evaluate("document.activeElement.textContent") == "Global Policing Goals"
    page.keyboard.press("Enter")
    page.wait_for_url("**/id/gpg-2023.html")
    assert page.locator("html").get_attribute("lang") == "en"
    # French text is marked as French, for screen readers
    page.goto(f"{server.base}/id/gpg-2023/goal/3.html")
    assert page.locator("td span[lang='fr']").count() >= 1


# --- the search box: on a static host (the script) and on `serve` (without JavaScript) ------
@pytest.fixture(scope="module")
def static_site(site: tuple[Path, SiteResult]) -> Iterator[str]:
    """The site on a plain static file server (Python's http.server), on loopback."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    handler = functools.partial(Quiet, directory=str(site[0] / "site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def search_from_the_header(page: Any, words: str) -> None:
    box = page.get_by_role("searchbox", name="Search items")
    box.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    box.fill(words)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/search.html?q=*")
    page.wait_for_selector("#search-status")


def shown(page: Any) -> tuple[str, list[str]]:
    return (page.locator("#search-status").inner_text(),
            page.locator("table.search-results td.iri").all_inner_texts())


def test_the_search_box_on_a_static_host(static_site: str, page: Any,
                                         site: tuple[Path, SiteResult]) -> None:
    page.goto(f"{static_site}/id/gpg-2023/goal/3/statement/2.html")
    search_from_the_header(page, "Groupes VULNÉRABLES")
    assert page.url.endswith("/search.html?q=Groupes+VULN%C3%89RABLES")
    status, listed = shown(page)
    assert status.startswith("5 items match") and listed[0] == "gpg-2023/goal/3"
    assert page.get_by_role("searchbox", name="Search items").input_value() == \
        "Groupes VULNÉRABLES"
    page.screenshot(path=str(SHOTS / "search-static.png"), full_page=False)
    page.get_by_role("link", name="Improve law enforcement action to protect vulnerable "
                     "groups").click()
    assert page.url.endswith("/id/gpg-2023/goal/3.html")
    # the same page, from its own folder's depth, finds by notation
    search_from_the_header(page, "16.4")
    assert shown(page)[1][0] == "sdg/16.4"


def test_the_search_script_follows_the_python_rule(static_site: str, page: Any,
                                                   site: tuple[Path, SiteResult]) -> None:
    """The page's script and policing_kg.web.search: the same folding of every label and of
    awkward text, the same matches in the same order for many queries, the same page."""
    from policing_kg.web.search import LIMIT, fold, read_index, search, status_text

    from .test_search import QUERIES

    items = read_index((site[0] / "site" / "search-index.json").read_bytes())
    page.goto(f"{static_site}/search.html?q=vulnerable")
    page.wait_for_selector("#search-status")
    texts = sorted({label for item in items for label in (item["en"], item["fr"], *item["alt"])
                    if label}) + ["Œuvre  Æ’‘ʼ", "İstanbul ﬁ ² \u00a0\u2009\ufeff\x1c x",
                                  "Bogotá Ñandú ΣΑΣ", "e\u0301 \u1e9e ß", ""]
    assert page.evaluate("(texts) => texts.map(window.policingKgSearch.fold)", texts) == \
        [fold(text) for text in texts]
    queries = [*QUERIES, "gpg-2023/goal/3", "sdg/16", "peace justice", "goal", "a", "é",
               "’", "les", "the", "crime organisé", "cyber 2022", "outcome 4"]
    for item in items[::9]:  # a word or two of the labels, here and there
        queries += [" ".join((item["en"] or item["fr"]).split()[1:3]).upper()]
    by_script = page.evaluate(
        "(queries) => queries.map((q) => window.policingKgSearch.search("
        "window.policingKgSearch.items, q).map((item) => item.id))", queries)
    assert by_script == [[item["id"] for item in search(items, q)] for q in queries]
    for query in ("cooperation internationale", "3", "zzz nothing", ""):
        page.goto(f"{static_site}/search.html?q={urllib.parse.quote(query)}")
        page.wait_for_selector("#search-status")
        found = search(items, query)
        assert shown(page) == (status_text(query, len(found)),
                               [item["id"] for item in found][:LIMIT])


def test_the_search_on_serve_without_javascript(server: Server, static_site: str,
                                               browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1200,
                                                                        "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{server.base}/id/gpg-2023/goal/3.html")
        search_from_the_header(page, "foreign terrorist fighters")
        status, listed = shown(page)
        assert status == "1 item matches “foreign terrorist fighters”."
        assert listed == ["gpg-2023/goal/2/statement/1"]
        page.screenshot(path=str(SHOTS / "search-serve-no-javascript.png"), full_page=False)
        page.get_by_role("link", name="Detect and disrupt the activities and movements",
                         exact=False).click()
        assert page.url.endswith("/id/gpg-2023/goal/2/statement/1.html")
        # the static host, without JavaScript: the page says what to do
        page.goto(f"{static_site}/search.html?q=terrorism")
        text = page.locator("main").inner_text()
        assert "needs JavaScript" in text and "policing-kg query label-search" in text
    finally:
        context.close()
