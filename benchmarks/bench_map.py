"""Benchmark: a map of many tracks — HTML size, generation time, and time until Chromium has drawn them.

Run::

    python benchmarks/bench_map.py [--sizes 1000 10000] [--digits 4] [--repeat 3] [--keep DIR]

Synthetic tracks (20 vertices each, fixed seed) run from Ukraine across the
Belarus–Ukraine border.  At this scale one layer per incident (what
:func:`geo.outputs.web.render.make_map` draws for a handful of reports) is not an option,
so the tracks go into one GeoJSON layer with coordinates rounded to
``--digits`` decimals, styled in JavaScript from a palette index.  The page is
offline (:func:`geo.outputs.web.assets.inline_assets`) and opened from ``file://`` in
headless Chromium (Debian's, through playwright) with every other request
aborted; "drawn" is the time from navigation start to the second animation
frame after ``load``, once every track has its SVG path (or the canvas
renderer has drawn).  Both renderers are timed: SVG and canvas (``prefer_canvas``);
the integer-delta encoding also as inert lines (``interactive: false``), one
polyline per track or one multi-polyline per palette colour.  Last, the tracks
through one custom layer (:func:`geo.outputs.web.bulklines.bulk_lines`: one canvas the
size of the map, coordinates decoded and projected once, every track stroked
with ``moveTo``/``lineTo``), with 2-pixel lines like the others and with
1-pixel lines.  The default configuration, :data:`DEFAULT`, is printed with
the reason at the end.  For every canvas variant the first page load also
reads back the canvas pixels under a few track vertices ("ink at k/n
vertices"; "own colour" where the track's colour is on top), so an empty draw
cannot pass for a fast one.

Baseline, in the same run: ``folium.GeoJson`` of the same tracks at full
float precision (folium's default path), SVG.

Targets: 10,000 tracks drawn in under 1 s; the file under 5 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium
import numpy as np
import shapely
from branca.element import MacroElement
from folium.template import Template

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.analysis.analyse import analyse  # noqa: E402
from geo.outputs.web.assets import inline_assets  # noqa: E402
from geo.outputs.web.bulklines import bulk_lines  # noqa: E402
from geo.present.style import PALETTE  # noqa: E402
from geo.outputs.web.render import map_html  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
VERTICES = 20
SEED = 20240716
TARGET_DRAW_S = 1.0
TARGET_BYTES = 5_000_000
BULK = "bulk canvas layer (geo.outputs.web.bulklines)"
BULK_HAIR = "bulk canvas layer, 1 px lines"
ARCHIVE = "geo map archive view, offline"
#: The configuration recommended for bulk track maps, and why (the figures printed above back it).
DEFAULT = BULK_HAIR
DEFAULT_WHY = ("one canvas layer of our own (geo.outputs.web.bulklines): integer deltas are the smallest file (under half "
               "the GeoJSON), decoded and projected once, stroked with moveTo/lineTo; at 10,000 tracks the lines "
               "overplot anyway, and 1 px hairlines rasterise about twice as fast as 2 px in software-rendered "
               "Chromium (2026-11-25, 10,000 tracks: 0.59 s against 1.08 s; Leaflet polylines on canvas 1.2-1.4 s, "
               "SVG 1.6-1.9 s)")


class _LeafletOnlyMap(folium.Map):
    """folium.Map with Leaflet alone (no bootstrap, Font Awesome, jQuery): what a track layer needs."""

    default_js = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")]
    default_css = [("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")]


class _TrackLayer(MacroElement):
    """All tracks as one compact GeoJSON layer, coloured from ``properties.c`` (a palette index)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_palette = {{ this.palette|tojson }};
        var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
            style: function (f) {
                return {color: {{ this.get_name() }}_palette[f.properties.c], weight: 2, opacity: 0.9};
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, data: dict):
        super().__init__()
        self._name = "TrackLayer"
        self.palette = list(PALETTE)
        self.data = json.dumps(data, separators=(",", ":"))


class _DeltaTrackLayer(MacroElement):
    """All tracks as integer deltas (``round(value * 10**digits)``), decoded into polylines on one renderer.

    ``per_colour``: one multi-polyline per palette colour instead of one polyline per track;
    ``interactive``: whether the lines take clicks and hovers (hit-testing costs on canvas).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (data, palette, scale, perColour, interactive) {
            var map = {{ this._parent.get_name() }};
            var renderer = map.options.preferCanvas ? L.canvas() : L.svg();
            var parts = palette.map(function () { return []; }), lines = [];
            for (var k = 0; k < data.length; k++) {
                var d = data[k], x = 0, y = 0, latlngs = new Array(d.length / 2);
                for (var i = 0; i < d.length; i += 2) {
                    x += d[i]; y += d[i + 1];
                    latlngs[i / 2] = L.latLng(y / scale, x / scale);
                }
                if (perColour) { parts[k % palette.length].push(latlngs); continue; }
                lines.push(L.polyline(latlngs, {renderer: renderer, color: palette[k % palette.length],
                                                weight: 2, opacity: 0.9, interactive: interactive}));
            }
            if (perColour) {
                lines = parts.map(function (p, c) {
                    return L.polyline(p, {renderer: renderer, color: palette[c], weight: 2, opacity: 0.9,
                                          interactive: interactive});
                });
            }
            L.featureGroup(lines).addTo(map);
        })({{ this.data }}, {{ this.palette|tojson }}, {{ this.scale }}, {{ this.per_colour|tojson }},
           {{ this.interactive|tojson }});
        {% endmacro %}
    """)

    def __init__(self, coords: np.ndarray, digits: int, *, per_colour: bool = False, interactive: bool = True):
        super().__init__()
        self._name = "DeltaTrackLayer"
        self.palette = list(PALETTE)
        self.per_colour = per_colour
        self.interactive = interactive
        self.scale = 10 ** digits
        ints = np.round(coords * self.scale).astype(np.int64).reshape(len(coords), -1)
        ints[:, 2:] = ints[:, 2:] - ints[:, :-2]  # (lon, lat) deltas after the first vertex
        self.data = json.dumps(ints.tolist(), separators=(",", ":"))


def synthetic_tracks(n: int, *, seed: int = SEED) -> np.ndarray:
    """``n`` tracks of VERTICES (lon, lat) vertices from Ukraine into Belarus, shape (n, VERTICES, 2)."""
    rng = np.random.default_rng(seed)
    lon0 = rng.uniform(24.5, 31.5, n)
    lat0 = rng.uniform(50.6, 51.3, n)  # Ukraine, south of the border
    heading = np.deg2rad(rng.uniform(-35, 35, n))  # roughly north
    step_deg = 15.0 / 111.0  # ~15 km between vertices
    wiggle = rng.normal(0, 0.15, (n, VERTICES))
    angle = heading[:, None] + np.cumsum(wiggle, axis=1)
    dlat = step_deg * np.cos(angle)
    dlon = step_deg * np.sin(angle) / np.cos(np.deg2rad(51.5))
    lat = lat0[:, None] + np.cumsum(dlat, axis=1) - dlat[:, :1]
    lon = lon0[:, None] + np.cumsum(dlon, axis=1) - dlon[:, :1]
    return np.stack([lon, lat], axis=2)


def feature_collection(coords: np.ndarray, digits: int | None) -> dict:
    values = coords if digits is None else np.round(coords, digits)
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"c": k % len(PALETTE)},
                          "geometry": {"type": "LineString", "coordinates": line}}
                         for k, line in enumerate(values.tolist())]}


def _bounds(coords: np.ndarray) -> list[list[float]]:
    lon, lat = coords[..., 0], coords[..., 1]
    return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]


def compact_page(coords: np.ndarray, *, digits: int, canvas: bool, delta: bool = False,
                 per_colour: bool = False, interactive: bool = True) -> str:
    m = _LeafletOnlyMap(tiles=None, prefer_canvas=canvas, zoom_control=True)
    m.fit_bounds(_bounds(coords))  # before the tracks: they are projected once, not again for the new view
    if delta:
        _DeltaTrackLayer(coords, digits, per_colour=per_colour, interactive=interactive).add_to(m)
    else:
        _TrackLayer(feature_collection(coords, digits)).add_to(m)
    return inline_assets(m.get_root().render())


def bulk_page(coords: np.ndarray, *, digits: int, weight: float = 2) -> str:
    """All tracks through one :func:`geo.outputs.web.bulklines.bulk_lines` canvas layer (our own ``L.Layer``)."""
    m = _LeafletOnlyMap(tiles=None, zoom_control=True)
    m.fit_bounds(_bounds(coords))
    bulk_lines(m, list(coords), track_colours(len(coords)), digits=digits, weight=weight)
    return inline_assets(m.get_root().render())


def track_colours(n: int) -> list[str]:
    return [PALETTE[k % len(PALETTE)] for k in range(n)]


def baseline_page(coords: np.ndarray) -> str:
    m = _LeafletOnlyMap(tiles=None)
    folium.GeoJson(feature_collection(coords, None)).add_to(m)
    m.fit_bounds(_bounds(coords))
    return inline_assets(m.get_root().render())


DRAWN = """async ([n, canvas]) => {
    const frame = () => new Promise(r => requestAnimationFrame(r));
    if (document.readyState !== 'complete') await new Promise(r => addEventListener('load', r));
    if (!canvas) while (document.querySelectorAll('.leaflet-overlay-pane path').length < n) await frame();
    await frame(); await frame();
    const drawn = canvas ? document.querySelectorAll('canvas.leaflet-zoom-animated').length
                         : document.querySelectorAll('.leaflet-overlay-pane path').length;
    return {ms: performance.now(), drawn: drawn};
}"""


#: Reads back, after the timing, the canvas pixel under a few track vertices (so an empty draw cannot pass).
PIXELS = """(samples) => {
    let map = null;
    for (const k of Object.keys(window)) {
        try { if (window[k] instanceof L.Map) { map = window[k]; break; } } catch (e) {}
    }
    const canvas = document.querySelector('.leaflet-overlay-pane canvas');
    if (!map || !canvas) return null;
    const ctx = canvas.getContext('2d'), rect = canvas.getBoundingClientRect();
    const box = map.getContainer().getBoundingClientRect();
    const sx = canvas.width / rect.width, sy = canvas.height / rect.height;
    return samples.map(([lat, lng]) => {
        const p = map.latLngToContainerPoint([lat, lng]);
        const x = Math.round((box.left + p.x - rect.left) * sx), y = Math.round((box.top + p.y - rect.top) * sy);
        if (x < 1 || y < 1 || x >= canvas.width - 1 || y >= canvas.height - 1) return null;
        const d = ctx.getImageData(x - 1, y - 1, 3, 3).data;
        let best = [0, 0, 0, 0];  // the most opaque of the 3 x 3 pixels around the vertex
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > best[3]) best = [d[i], d[i + 1], d[i + 2], d[i + 3]];
        return best;
    });
}"""
PIXEL_SAMPLES = 24


def pixel_samples(coords: np.ndarray) -> tuple[list[list[float]], list[str]]:
    """A few (lat, lon) vertices spread over the tracks, and each one's track colour."""
    ks = np.linspace(0, len(coords) - 1, min(PIXEL_SAMPLES, len(coords))).astype(int)
    colours = track_colours(len(coords))
    return ([[float(coords[k, VERTICES // 2, 1]), float(coords[k, VERTICES // 2, 0])] for k in ks],
            [colours[k] for k in ks])


def check_pixels(rgba: list | None, colours: list[str]) -> tuple[int, int, int]:
    """(samples, samples with ink, samples in the track's own colour) — other tracks may cross a vertex."""
    if not rgba:
        return len(colours), 0, 0
    inked = own = 0
    for px, colour in zip(rgba, colours):
        if px is None or px[3] < 64:
            continue
        inked += 1
        want = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        own += max(abs(a - b) for a, b in zip(px[:3], want)) <= 48
    return len(colours), inked, own


def time_drawn(browser, path: Path, n: int, *, canvas: bool,
               samples: list[list[float]] | None = None) -> tuple[float, int, list | None]:
    """Seconds from navigation start until the tracks are drawn, what was drawn, and the sampled pixels."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="commit")
    result = page.evaluate(DRAWN, [n, canvas])
    pixels = page.evaluate(PIXELS, samples) if canvas and samples else None
    context.close()
    if errors:
        raise RuntimeError(f"{path.name}: {errors[0]}")
    return result["ms"] / 1000.0, result["drawn"], pixels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--digits", type=int, default=4, help="decimals kept (4: ~11 m)")
    parser.add_argument("--repeat", type=int, default=3, help="page loads per variant (median reported)")
    parser.add_argument("--keep", type=Path, help="write the pages here instead of a temporary folder")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    out = args.keep or Path(tempfile.mkdtemp(prefix="bench-map-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"{'tracks':>7} {'variant':<34} {'HTML MB':>8} {'gen s':>6} {'drawn s':>8}  drawn")
    met = True
    largest: dict[str, tuple[float, int]] = {}  # variant -> (drawn s, bytes) at the largest size
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        time_drawn(browser, _warmup(out), 1, canvas=False)  # first launch costs are not the map's
        for n in args.sizes:
            coords = synthetic_tracks(n)
            variants = [(f"GeoJSON {args.digits} dp, SVG", lambda c=coords: compact_page(c, digits=args.digits,
                                                                                         canvas=False), False),
                        (f"GeoJSON {args.digits} dp, canvas", lambda c=coords: compact_page(c, digits=args.digits,
                                                                                            canvas=True), True),
                        (f"delta ints {args.digits} dp, SVG", lambda c=coords: compact_page(
                            c, digits=args.digits, canvas=False, delta=True), False),
                        (f"delta ints {args.digits} dp, canvas", lambda c=coords: compact_page(
                            c, digits=args.digits, canvas=True, delta=True), True),
                        ("delta, canvas, per track, inert", lambda c=coords: compact_page(
                            c, digits=args.digits, canvas=True, delta=True, interactive=False), True),
                        ("delta, canvas, per colour, inert", lambda c=coords: compact_page(
                            c, digits=args.digits, canvas=True, delta=True, per_colour=True,
                            interactive=False), True),
                        (BULK, lambda c=coords: bulk_page(c, digits=args.digits), True),
                        (BULK_HAIR, lambda c=coords: bulk_page(c, digits=args.digits, weight=1), True),
                        ("baseline folium.GeoJson, SVG", lambda c=coords: baseline_page(c), False)]
            archive = _archive_inputs(n)  # analysed outside the timing: generation is rendering only
            variants.append((ARCHIVE, lambda a=archive: map_html(a[0], a[1], offline=True), True))
            for name, build, canvas in variants:
                t = time.perf_counter()
                html = build()
                gen = time.perf_counter() - t
                slug = "-".join(w.strip(",").lower() for w in name.split() if w.strip(",").isalnum())
                path = out / f"tracks-{n}-{slug}.html"
                path.write_text(html, encoding="utf-8")
                size = path.stat().st_size
                samples, sample_colours = pixel_samples(archive[2] if name == ARCHIVE else coords)
                runs = [time_drawn(browser, path, n, canvas=canvas, samples=samples if i == 0 else None)
                        for i in range(args.repeat)]
                drawn_s = statistics.median(r[0] for r in runs)
                what = f"{runs[0][1]} canvas" if canvas else f"{runs[0][1]} paths"
                if canvas:
                    total, inked, own = check_pixels(runs[0][2], sample_colours)
                    what += f", ink at {inked}/{total} vertices ({own} own colour)"
                    if inked < 0.9 * total:
                        what += " — EMPTY DRAW?"
                        if name == DEFAULT:
                            met = False
                print(f"{n:>7,} {name:<34} {size / 1e6:>8.2f} {gen:>6.2f} {drawn_s:>8.3f}  {what}")
                if n == max(args.sizes):
                    largest[name] = (drawn_s, size)
                if n == 10000 and name == DEFAULT:  # the targets are for the default configuration
                    met &= drawn_s < TARGET_DRAW_S and size < TARGET_BYTES
        browser.close()
    print(f"default: {DEFAULT} ({args.digits} dp) — {DEFAULT_WHY}")
    if largest:
        fastest = min(largest, key=lambda k: largest[k][0])
        print(f"fastest at {max(args.sizes):,} tracks in this run: {fastest} "
              f"({largest[fastest][0]:.3f} s, {largest[fastest][1] / 1e6:.2f} MB)")
    print(f"targets (10,000 tracks: drawn < {TARGET_DRAW_S:.0f} s, file < {TARGET_BYTES / 1e6:.0f} MB): "
          f"{'met' if met else 'NOT met'}" + ("" if 10000 in args.sizes else " (10,000 not run)"))
    print(f"pages in {out}")
    return 0


def _archive_inputs(n: int):
    """Tracks and figures for ``geo map``'s archive view: bench_analyse's synthetic tracks, analysed."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_analyse import synthetic_tracks as analysed_tracks

    tracks = analysed_tracks(n)
    coords = np.stack([shapely.get_coordinates(g) for g in tracks.geometry])
    return tracks, analyse(tracks), coords


def _warmup(folder: Path) -> Path:
    path = folder / "warmup.html"
    path.write_text(compact_page(synthetic_tracks(1), digits=4, canvas=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.exit(main())
