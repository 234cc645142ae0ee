"""The template probe of tests/test_template_probe.py in Chromium: what a reader sees is the text as written.

The probe report (a probe in every free-text field) is drawn by ``geo map`` with
a probe in every text option, online, offline and embedded in an article page.
Every popup and tooltip is opened; the page's visible text, its title, and the
popup and tooltip texts must hold each shown field's probe exactly, nothing
may have run (no dialog, no page error, no ``window.__probe`` global), and the
page may reach for nothing but its own file.  The online page's CDN scripts are
served from folium-offline's copies (the same files, by URL), tiles are refused.
"""

from __future__ import annotations

import pytest

from geo.outputs.web.assets import asset_table
from tests.browser.conftest import VIEWPORT
from tests.test_template_probe import SHOWN_FIELDS, probe, write_probe_maps

pytestmark = pytest.mark.browser

#: Everything a reader can see or hear of the page: visible text, title, every popup and tooltip.
READER_TEXTS = """() => {
    const texts = [document.title, document.body.innerText, document.body.textContent];
    const map = Object.values(window).find(v => v instanceof L.Map);
    map.eachLayer(l => {
        if (l.getPopup && l.getPopup()) {
            l.openPopup();
            const box = l.getPopup().getElement()?.querySelector('.leaflet-popup-content');
            if (box) texts.push(box.textContent);
        }
        if (l.getTooltip && l.getTooltip()) {
            l.openTooltip();
            const el = l.getTooltip().getElement();
            if (el) texts.push(el.textContent);
        }
    });
    document.querySelectorAll('[aria-label], [title]').forEach(el => {
        texts.push(el.getAttribute('aria-label') || '', el.getAttribute('title') || '');
    });
    return texts;
}"""


@pytest.fixture(scope="module")
def probe_maps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("probe-browser")
    maps = write_probe_maps(folder)
    host = folder / "article.html"
    host.write_text("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Article</title></head>"
                    "<body><p>Article text before the map.</p>" + maps["snippet"].read_text(encoding="utf-8")
                    + "<p>Article text after the map.</p></body></html>", encoding="utf-8")
    maps["article"] = host
    return maps


def _open(browser, path, *, serve_cdn: bool):
    """Open a local page; CDN files answered from folium-offline's copies if ``serve_cdn``, all else refused."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, service_workers="block")
    log = {"outside": [], "errors": [], "dialogs": []}
    table = asset_table()

    def route(r):
        url = r.request.url
        key = "//" + url.split("//", 1)[-1] if url.startswith(("http:", "https:")) else None
        if url.startswith(("file:", "data:")):
            r.continue_()
        elif serve_cdn and key in table:
            kind = "text/css" if key.endswith(".css") else "application/javascript"
            r.fulfill(status=200, body=table[key], content_type=kind)
        else:
            log["outside"].append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return context, page, log


def _wait_drawn(frame):
    frame.wait_for_function("() => document.querySelectorAll('path.leaflet-interactive').length > 0")


@pytest.mark.parametrize("mode", ["online", "offline"])
def test_a_reader_sees_every_probe_as_written_and_nothing_runs(browser, probe_maps, mode):
    context, page, log = _open(browser, probe_maps[mode], serve_cdn=mode == "online")
    try:
        _wait_drawn(page)
        texts = page.evaluate(READER_TEXTS)
        page.wait_for_timeout(200)  # handlers of anything injected would have run by now
        joined = "\n".join(texts)
        assert [field for field in SHOWN_FIELDS if probe(field) not in joined] == []
        assert ">> 42" not in joined
        assert log["dialogs"] == [] and log["errors"] == []
        assert page.evaluate("() => document.querySelectorAll('kbd').length") == 0  # the probe's <kbd> stayed text
        if mode == "offline":
            assert log["outside"] == []
        else:  # online: only basemap tiles and the libraries' own images were asked for (and refused here)
            hosts = {url.split("/")[2] for url in log["outside"]}
            assert hosts <= {"server.arcgisonline.com", "cdnjs.cloudflare.com", "cdn.jsdelivr.net"}, hosts
    finally:
        context.close()


def test_the_embedded_map_loads_by_its_relative_address_and_shows_the_probes(browser, probe_maps):
    context, page, log = _open(browser, probe_maps["article"], serve_cdn=False)
    try:
        frame = page.frame_locator("figure.geo-map-embed iframe")
        frame.locator(".geo-map > .leaflet-map-pane .leaflet-overlay-pane path").first.wait_for()
        inner = next(f for f in page.frames if f.url.endswith("/embedded.html"))
        texts = inner.evaluate(READER_TEXTS)
        joined = "\n".join(texts)
        assert [field for field in SHOWN_FIELDS if probe(field) not in joined] == []
        caption = page.locator("figure.geo-map-embed figcaption").text_content()
        assert probe("option-title") in caption  # one visible line: the title and the sources
        hidden = page.locator("figure.geo-map-embed [id^=geo-embed-desc]").text_content()
        assert probe("option-description") in hidden  # the long text, for screen readers
        assert page.locator("figure.geo-map-embed iframe").get_attribute("title") == probe("option-title")
        assert log["dialogs"] == [] and log["errors"] == [] and log["outside"] == []
    finally:
        context.close()
