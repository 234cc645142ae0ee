"""A real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-python.

Every test module here is skipped, with the reason, when the browser or
playwright is missing; ``.ci/run`` installs both.  Pages are opened from
``file://`` with every other request aborted and recorded, so a page that
reaches for the network fails its test instead of hanging on it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GEO_CHROMIUM", "/usr/bin/chromium")
#: Flags for a quiet, sandbox-less headless run (CI runs as root, with no network).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 720}
#: A phone held upright (CSS px).
PHONE_VIEWPORT = {"width": 390, "height": 800}


def launch(playwright):
    """Debian's Chromium through playwright (``playwright install`` is never needed)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@dataclass
class PageLog:
    """What a page did: every request it attempted, console errors, uncaught errors, dialogs."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def outside(self, page_url: str) -> list[str]:
        """Requests other than the page itself and ``data:`` URIs."""
        return [u for u in self.requests if u != page_url and not u.startswith("data:")]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="browser tests need playwright: pip install '.[test]'")
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def open_offline(browser):
    """``open_offline(path, viewport=None) -> (page, log)``: open a local page with the network cut off."""
    contexts = []

    def open_(path: Path, *, viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or VIEWPORT, device_scale_factor=1,
                                      service_workers="block")
        contexts.append(context)
        log = PageLog()

        def route(r):
            url = r.request.url
            log.requests.append(url)
            if url.startswith(("file:", "data:")):
                r.continue_()
            else:
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: log.page_errors.append(str(e)))

        def dialog(d):
            log.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)
        page.goto(path.resolve().as_uri(), wait_until="load")
        # Drawn: Leaflet has put its vector paths in the DOM, and a frame has been painted since.
        page.wait_for_function("() => document.querySelectorAll('path.leaflet-interactive').length > 0")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        return page, log

    yield open_
    for context in contexts:
        context.close()
