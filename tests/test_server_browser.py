"""The pages in a real headless browser: Debian's chromium driven by Playwright, against the app
served by uvicorn on a loopback port. Screenshots go to test-output/ for a person to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from copytrace.pipeline import Models
from copytrace.server import create_app
from copytrace.server_results import pair_href
from serving import CONFLICTING, ORIGINAL, SPIN, Server, seed_store

CHROMIUM = "/usr/bin/chromium"  # Debian's package (scripts/system-deps.sh); never a download
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUT = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seeds: Path, models: Models) -> Iterator[str]:
    """The app over the seeds' store, served on a free loopback port; yields its address."""
    db = seed_store(tmp_path_factory.mktemp("browser") / "news.ct", seeds, models)
    app = create_app(db, models=models)
    with Server(app) as running:
        yield running.url
    app.state.service.readers.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium under Playwright; a missing chromium fails the test, loudly."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium; install it with "
            "scripts/system-deps.sh (make test runs it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab that records script errors (a page must raise none)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()
    assert errors == []


def shot(page: Any, name: str) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / name
    page.screenshot(path=str(path), full_page=False)
    return path


def test_the_seeds_story_and_the_spin_pair(server: str, page: Any) -> None:
    page.goto(server + "/")
    page.get_by_role("link", name="Russia said its forces").click()
    page.wait_for_url("**/stories/s1")
    assert page.locator("svg.graph").is_visible()
    assert page.locator("table.facts mark.cf").count() >= 1  # 12,000 troops against 10,000
    shot(page, "browser-story.png")

    page.locator(f'ul.relations a[href="{pair_href(SPIN, ORIGINAL)}"]').click()
    page.wait_for_url("**/pair?*")
    derived, source = page.locator(".side[data-side=d]"), page.locator(".side[data-side=s]")
    numbers = derived.locator(".p[data-p]").evaluate_all("els => els.map(e => e.dataset.p)")
    assert len(set(numbers)) >= 10
    assert set(numbers) == set(
        source.locator(".p[data-p]").evaluate_all("els => els.map(e => e.dataset.p)")
    )
    assert page.locator(".evidence").inner_text().count("%") >= 3  # coverage, order, facts
    assert derived.locator(".u").count() >= 1  # the added headline is not aligned: dimmed

    # Hovering a passage lights its counterpart; the keys move along and across.
    derived.locator(".p[data-p='3']").first.hover()
    assert "active" in (source.locator(".p[data-p='3']").first.get_attribute("class") or "")
    derived.locator(".p[data-p='1']").first.focus()
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.dataset.p") == "2"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.closest('.side').dataset.side") == "s"
    assert shot(page, "browser-pair-000-001.png").stat().st_size > 10_000


def test_a_conflict_is_marked_on_both_sides(server: str, page: Any) -> None:
    page.goto(server + pair_href(CONFLICTING, ORIGINAL))
    marks = page.locator(".side mark.cf")
    assert marks.count() >= 2
    assert "12,000" in page.locator(".side[data-side=d] mark.cf").first.inner_text() or (
        "12,000" in page.locator(".side[data-side=s] mark.cf").first.inner_text()
    )
    marks.first.scroll_into_view_if_needed()
    shot(page, "browser-pair-004-001.png")


def test_find_the_sources_of_a_pasted_text(server: str, page: Any, seeds: Path) -> None:
    page.goto(server + "/find")
    text = (seeds / f"{SPIN}.txt").read_text(encoding="utf-8")
    page.locator("textarea#text").fill(text)
    page.get_by_role("button", name="Find sources").click()
    page.wait_for_selector("#sources")
    assert ORIGINAL in page.locator("#sources").inner_text()
    assert page.locator(".pair.open").count() >= 1
    shot(page, "browser-find.png")
