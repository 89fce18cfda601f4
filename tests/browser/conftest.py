"""Browser tests: Playwright drives Debian's Chromium, and axe-core checks every page visited.

Playwright never downloads a browser here: ``executable_path`` points at Debian's Chromium. The
browser lives for one test only (docs/decisions/0007-browser-tests.md): Playwright's event loop then
starts after the test database is ready and stops before it is cleaned, so Django's per-thread
connections stay as the rest of the suite expects.
"""

import os
from urllib.parse import urldefrag

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import sync_playwright

# While Playwright's loop runs in the test's thread, the test still uses Django's ORM synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(chromium_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
            # Connections the test opened while the loop ran belong to that loop's context.
            connections.close_all()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


class AccessibilityAudit:
    """Runs axe-core (WCAG 2.2 A and AA) on a page and remembers which pages it checked."""

    def __init__(self, page) -> None:
        self.page = page
        self.axe = Axe()
        self.visited: list[str] = []
        self.checked: set[str] = set()
        self.refused: list[str] = []
        page.on("framenavigated", self._record)
        page.on("console", self._console)

    def _console(self, message) -> None:
        # The browser reports each thing the Content Security Policy blocked.
        if "Content Security Policy" in message.text:
            self.refused.append(f"{self.page.url}: {message.text}")

    def _record(self, frame) -> None:
        if frame == self.page.main_frame:
            self.visited.append(urldefrag(frame.url).url)

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        results = self.axe.run(
            self.page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}}
        )
        violations = results.response["violations"]
        assert not violations, f"axe-core on {self.page.url}:\n{results.generate_report()}"
        assert not self.refused, "blocked by the Content Security Policy:\n" + "\n".join(
            self.refused
        )
        self.checked.add(urldefrag(self.page.url).url)

    def unchecked(self) -> list[str]:
        return [url for url in self.visited if url not in self.checked]


@pytest.fixture
def audit(page):
    """The page under test with its accessibility audit; a page visited but never checked fails."""
    audit = AccessibilityAudit(page)
    yield audit
    assert audit.unchecked() == [], "pages visited without an axe-core check"


@pytest.fixture
def sign_in(browser, live_server):
    """Signs a user in, in a browser context of their own: ``page, audit = sign_in(user)``.

    Several people can take turns in one journey; a page any of them visited but never checked
    with axe-core fails the test.
    """
    from conftest import TEST_PASSWORD

    audits: list[AccessibilityAudit] = []

    def signed_in(user):
        page = browser.new_context(locale="en-GB", timezone_id="Europe/London").new_page()
        page.set_default_timeout(15_000)
        audit = AccessibilityAudit(page)
        audits.append(audit)
        page.goto(f"{live_server.url}/accounts/sign-in/")
        audit.check()
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        audit.check()
        return page, audit

    yield signed_in
    assert [a.unchecked() for a in audits] == [[] for _ in audits], (
        "pages visited without an axe-core check"
    )
