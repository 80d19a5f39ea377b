"""Playwright (Python) driving Debian's Chromium against pytest-django's live server.

The browser is never downloaded (no ``playwright install``): it is /usr/bin/chromium. Without it these
tests skip, unless PLATFORM_REQUIRE_BROWSER=1 (CI), where a missing browser fails.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PLATFORM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
THREE_JS = REPO_ROOT / "static" / "vendor" / "three" / "build" / "three.module.js"

# Playwright's sync API runs an event loop in the test's thread; Django would then refuse ORM calls from
# the test ("async context"). The test only reads and seeds rows between browser steps, never concurrently.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("PLATFORM_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    _require(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install -y chromium)")
    _require(THREE_JS.exists(), "three.js is missing: run scripts/fetch_assets.py")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Screens:
    """Saves named screenshots under test-artifacts/screenshots/ (kept by CI, ignored by git)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def shoot(self, page, name: str, *, full_page: bool = True) -> Path:
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def screens() -> Screens:
    return Screens(SCREENSHOTS)


@pytest.fixture
def new_page(chromium):
    """A fresh browser context (its own cookies) per person; pages log their script errors for the test."""
    contexts = []

    def make(width: int = 1280, height: int = 800):
        context = chromium.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.script_errors = []
        page.on("pageerror", lambda error: page.script_errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


def wait_for_js(page, expression: str, *, timeout_ms: int) -> None:
    """Poll a JavaScript expression until it is truthy (page.evaluate is not subject to the page's CSP)."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {expression}")
