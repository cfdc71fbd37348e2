"""A headless Chromium for the HTML report's browser tests.

The tests drive the system's Chromium (Debian's ``chromium`` package) through Playwright;
no browser is ever downloaded. Without Playwright or a browser they skip with the reason,
unless ``CONFORMANCE_REQUIRE_BROWSER=1`` (set by CI), where that is a failure.
"""
from __future__ import annotations

import os
import shutil

import pytest

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def find_browser() -> str | None:
    """The Chromium to drive: $CONFORMANCE_CHROMIUM, else the first one on PATH."""
    explicit = os.environ.get("CONFORMANCE_CHROMIUM")
    if explicit:
        return explicit
    return next((path for path in map(shutil.which, BROWSER_NAMES) if path), None)


def _unavailable(reason: str):
    if os.environ.get("CONFORMANCE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CONFORMANCE_REQUIRE_BROWSER=1: the browser tests must run)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """A launched headless Chromium, shared by the session's browser tests."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install 'refgrad[test]')")
    executable = find_browser()
    if executable is None:
        _unavailable("no Chromium found on PATH (apt-get install chromium), and "
                     "CONFORMANCE_CHROMIUM is not set")
    manager = sync_playwright().start()
    try:
        try:
            browser = manager.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        except Error as exc:
            _unavailable(f"Chromium at {executable} did not start: {exc}")
        yield browser
        browser.close()
    finally:
        manager.stop()


@pytest.fixture
def browser_page(chromium):
    """A fresh page in its own context, with clipboard access granted and every dialog
    (alert, confirm) recorded in ``page.dialogs`` and dismissed."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.dialogs = []
    page.errors = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()
