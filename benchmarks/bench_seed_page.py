"""Benchmark: the offline seed map a newsroom publishes — its weight, and how soon Chromium has drawn it.

Run::

    python benchmarks/bench_seed_page.py [--repeat 5]

The page is what ``geo map --offline`` writes for the shipped seeds.  It is
opened from ``file://`` in headless Chromium (Debian's, through playwright)
with every other request aborted, at 1280×800 with the CPU as it is and again
with Chromium's CPU throttled 4× (``Emulation.setCPUThrottlingRate``, the
"slow phone" of DevTools).  "Drawn" is the time from navigation start to the
second animation frame after Leaflet has put the tracks' paths in the page.

Baseline, in the same run and interleaved with it: the lightest page any
Leaflet map can be, a bare ``L.map`` with one polyline per seed track and
Leaflet inlined, so the ratio says what geo's layers, labels and controls cost
over the library itself.

Targets: the page under 450 KB; drawn in under 0.6 s, and under 1.5 s at 4× CPU slowdown.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import shapely

from geo.api import load
from geo.outputs.web.assets import asset_table
from geo.outputs.web.render import map_html

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LEAFLET = "//cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "//cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
TARGET_KB, TARGET_S, TARGET_SLOW_S = 450, 0.6, 1.5
#: Drawn: Leaflet's paths are in the page and two frames have been painted since.
DRAWN = """() => new Promise(done => {
    const ready = () => document.querySelectorAll('path.leaflet-interactive, path').length > 0;
    const frames = () => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())));
    if (ready()) return frames();
    const seen = new MutationObserver(() => { if (ready()) { seen.disconnect(); frames(); } });
    seen.observe(document.documentElement, {childList: true, subtree: true});
})"""


def bare_page(tracks) -> str:
    """One ``L.map`` with a polyline per placed track, Leaflet inlined: the floor of a Leaflet page."""
    table = asset_table()
    lines = [[[round(y, 5), round(x, 5)] for x, y in shapely.get_coordinates(g)]
             for g, placed in zip(tracks.geometry, tracks["placed"]) if placed]
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>bare</title>"
            f"<style>{table[LEAFLET_CSS]}</style><script>{table[LEAFLET]}</script></head><body style='margin:0'>"
            "<div id='m' style='height:560px'></div><script>"
            f"var m = L.map('m'), ls = {json.dumps(lines)};"
            "var g = L.featureGroup(ls.map(l => L.polyline(l))).addTo(m); m.fitBounds(g.getBounds());"
            "</script></body></html>")


def drawn_seconds(browser, path: Path, slowdown: float) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=1)
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page = context.new_page()
    if slowdown != 1:
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    page.goto(path.as_uri(), wait_until="commit")
    ms = page.evaluate(DRAWN)
    context.close()
    return ms / 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="loads of each page per setting (the median is kept)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    incidents = load()
    pages = {"geo seed map": map_html(incidents.tracks, incidents.figures, reports=incidents.reports, offline=True),
             "bare Leaflet (baseline)": bare_page(incidents.tracks)}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        paths = {}
        for k, (name, html) in enumerate(pages.items()):
            paths[name] = Path(folder) / f"page{k}.html"
            paths[name].write_text(html, encoding="utf-8")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        times = {(name, s): [] for name in pages for s in (1, 4)}
        for _ in range(args.repeat):  # interleaved: every page and setting in each round
            for slowdown in (1, 4):
                for name in pages:
                    times[name, slowdown].append(drawn_seconds(browser, paths[name], slowdown))
        browser.close()
    size_kb = {name: len(html.encode("utf-8")) / 1024 for name, html in pages.items()}
    print(f"{'page':26} {'KB':>7} {'drawn s':>8} {'4x CPU s':>9}")
    for name in pages:
        print(f"{name:26} {size_kb[name]:7.0f} {statistics.median(times[name, 1]):8.3f} "
              f"{statistics.median(times[name, 4]):9.3f}")
    geo_name, base = "geo seed map", "bare Leaflet (baseline)"
    fast, slow = statistics.median(times[geo_name, 1]), statistics.median(times[geo_name, 4])
    print(f"ratio to the baseline: {fast / statistics.median(times[base, 1]):.2f}x drawn, "
          f"{slow / statistics.median(times[base, 4]):.2f}x at 4x CPU, {size_kb[geo_name] / size_kb[base]:.2f}x bytes")
    print(f"targets: < {TARGET_KB} KB -> {'met' if size_kb[geo_name] < TARGET_KB else 'NOT met'}; "
          f"< {TARGET_S} s -> {'met' if fast < TARGET_S else 'NOT met'}; "
          f"< {TARGET_SLOW_S} s at 4x CPU -> {'met' if slow < TARGET_SLOW_S else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
