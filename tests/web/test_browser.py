"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright (the system
browser; nothing is downloaded). A reader goes from the landing page to Global Policing Goal 3,
one of its statements, its highlighted source passage, the SDG targets the goal is mapped to
and back; then runs a stored query in the editor and reads its rows; and uses the keyboard.
Screenshots are kept in test-output/screenshots/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

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
    back = page.locator("table", has=page.locator("caption", has_text="To this"))
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
