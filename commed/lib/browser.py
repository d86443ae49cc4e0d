"""Shared set-up for the browser tests: Debian's Chromium driven by Playwright, and axe-core checks.

Playwright's own browser download is never used: the tests launch /usr/bin/chromium (apt package `chromium`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("COMMED_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@contextmanager
def chromium_page() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable in the test.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"The browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def axe_violations(page: Any) -> list[str]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page; one line per violation and node."""
    from axe_playwright_python.sync_playwright import Axe

    # A page still loading has its markup but perhaps not yet its stylesheet: axe would judge unstyled links
    # (target-size) and report what no visitor sees.
    page.wait_for_load_state("load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            lines.append(f"{page.url}: {violation['id']} ({violation['impact']}): {node['target']}")
    return lines


def sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


class Journey:
    """A person's way through the site in one page: every page visited or submitted is checked with axe-core, and
    the violations are collected in `problems` (a test asserts it is empty at the end)."""

    def __init__(self, page: Any, base_url: str, password: str) -> None:
        self.page = page
        self.base = base_url
        self.password = password
        self.problems: list[str] = []

    def check(self) -> None:
        self.problems.extend(axe_violations(self.page))

    def follow(self, link: Any) -> None:
        """Click a link (a Playwright locator) and check the page it leads to, once that page has loaded. Waiting
        for the navigation itself matters: right after the click the old page is still the loaded one."""
        with self.page.expect_navigation():
            link.click()
        self.check()

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def sign_in(self, username: str) -> None:
        sign_in(self.page, self.base, username, self.password)

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url("**/accounts/login/**")

    def submit(self, name: str) -> None:
        """Press a form's button and check the page the server answers with."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name).click()
        self.check()
