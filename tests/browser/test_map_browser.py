"""The offline map in a real headless Chromium: drawn, interactive, silent on the network, inert to injection.

The seed map is written with ``geo map --offline`` and opened from ``file://``
with every other request aborted; the injection page puts hostile text (the
corpus of tests/test_render.py plus ``window.__pwned`` sentinels) in every free
text field of a report, and every popup and tooltip is opened on it.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.analysis.analyse import analyse
from geo.cli import cli
from geo.reference.datafiles import seeds_dir
from geo.present.style import PALETTE
from geo.present.words import incident_name
from geo.outputs.web.render import map_html
from geo.reports.loading import load_reports
from geo.tracks.build import build_tracks
from tests.browser.conftest import PHONE_VIEWPORT
from tests.test_render import PAYLOADS, _injection_yaml

pytestmark = pytest.mark.browser

#: Payloads that set a sentinel instead of calling alert, and markup the text corpus lacks.
SENTINELS = ['<img src=x onerror="window.__pwned=1">', "<svg onload=alert(1)>", '<svg onload="window.__pwned=1">',
             "<iframe src=\"javascript:window.__pwned=1\">"]
SCREENSHOT = "/tmp/geo-seed-map.png"
PHONE_SCREENSHOT = "/tmp/geo-seed-map-phone.png"
#: How far (RGB distance) a screenshot pixel may be from the track colour.
COLOUR_TOLERANCE = 60


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def seeds(gazetteer):
    reports = load_reports([str(seeds_dir())], geocoder=gazetteer)
    tracks = build_tracks(reports, gazetteer)
    return tracks.reset_index(drop=True)


@pytest.fixture(scope="module")
def seed_map(tmp_path_factory):
    """The offline seed map, written by the CLI, and the names of its JavaScript objects."""
    path = tmp_path_factory.mktemp("map") / "seed.html"
    result = CliRunner().invoke(cli, ["map", "--offline", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path, _names(path.read_text(encoding="utf-8"))


def _names(html: str) -> dict:
    """The map variable, the incident layers by their name in the layer list, the time-slider layer (folium
    names, made stable)."""
    overlays = re.search(r"overlays :\s*\{(.*?)\},\s*\};", html, re.S).group(1)
    groups = {json.loads(f'"{name}"'): group for name, group in
              re.findall(r"\\u25a0\\u003c/span\\u003e ([^\"]+)\" : (feature_group_\w+)", overlays)}
    return {"map": re.search(r"var (map_\w+) = L\.map\(", html).group(1),
            "groups": groups,
            "timeline": re.search(r"var (\w+) = L\.timeDimension\.layer\.geoJson\(", html).group(1)}


@pytest.fixture(scope="module")
def placed(seeds):
    """(incident's short name, colour, track row) of every placed incident, in drawing order."""
    rows = [row for _, row in seeds.iterrows() if bool(row["placed"])]
    return [(incident_name(row), PALETTE[k % len(PALETTE)], row) for k, row in enumerate(rows)]


@pytest.fixture
def seed_page(open_offline, seed_map):
    path, names = seed_map
    page, log = open_offline(path)
    return page, log, names, path


# ----------------------------------------------------------------------------- helpers

#: The incident's route lines: its polylines (not polygons) that are in the DOM, with their stroke.
ROUTE_PATHS = """([group]) => {
    const out = [];
    window[group].eachLayer(l => {
        if (l instanceof L.Polyline && !(l instanceof L.Polygon) && l._path)
            out.push({connected: l._path.isConnected, stroke: l._path.getAttribute('stroke'),
                      opacity: l.options.opacity, n: l.getLatLngs().length,
                      first: [l.getLatLngs()[0].lat, l.getLatLngs()[0].lng]});
    });
    return out;
}"""


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def _near(image, x: float, y: float, colour: tuple[int, int, int], radius: int = 3) -> bool:
    """Whether a pixel within ``radius`` of (x, y) is within COLOUR_TOLERANCE of ``colour``."""
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            px, py = int(round(x)) + dx, int(round(y)) + dy
            if 0 <= px < image.width and 0 <= py < image.height:
                r, g, b = image.getpixel((px, py))[:3]
                if ((r - colour[0]) ** 2 + (g - colour[1]) ** 2 + (b - colour[2]) ** 2) ** 0.5 <= COLOUR_TOLERANCE:
                    return True
    return False


# ----------------------------------------------------------------------------- the seed map


def test_offline_page_loads_nothing_and_logs_no_error(seed_page):
    page, log, names, path = seed_page
    page.wait_for_timeout(300)  # late loads (fonts, images of controls) would show up here
    assert log.outside(path.resolve().as_uri()) == []
    assert log.console_errors == []
    assert log.page_errors == []
    assert page.evaluate(f"() => window.{names['map']} instanceof L.Map")


def test_every_placed_track_is_drawn(seed_page, placed):
    page, _, names, _ = seed_page
    assert sorted(names["groups"]) == sorted(i for i, _, _ in placed)
    for incident, colour, track in placed:
        paths = page.evaluate(ROUTE_PATHS, [names["groups"][incident]])
        visible = [p for p in paths if p["connected"] and p["stroke"] == colour and p["opacity"] > 0]
        assert visible, f"{incident}: no route drawn in {colour}"
        lon0, lat0 = track.geometry.coords[0]
        assert any(p["first"] == pytest.approx([lat0, lon0], abs=1e-4) for p in visible), incident


def test_waypoint_popup_shows_the_stop(seed_page, placed):
    page, _, names, _ = seed_page
    for incident, _, track in placed[:2]:
        stop = track["stops"][0]
        text = page.evaluate("""([group, lat, lon]) => {
            let hit = null;
            window[group].eachLayer(l => {
                if (!hit && l instanceof L.CircleMarker && l.getPopup() &&
                    Math.abs(l.getLatLng().lat - lat) < 1e-6 && Math.abs(l.getLatLng().lng - lon) < 1e-6) hit = l;
            });
            if (!hit) return null;
            hit.openPopup();  // (a closed popup fades out for 200 ms: read this one's own element)
            const box = hit.getPopup().getElement().querySelector('.leaflet-popup-content');
            return {h3: box.querySelector('h3').textContent, all: box.innerText};
        }""", [names["groups"][incident], stop["lat"], stop["lon"]])
        assert text is not None, f"{incident}: no waypoint marker with a popup at the first stop"
        assert text["h3"] == stop["label"]
        assert track["title"] in text["all"]
        assert f"Status: {stop['status']}" in text["all"]
        assert f"{stop['lat']:.4f} N {stop['lon']:.4f} E, ±{stop['uncertainty_km']:.0f} km" in text["all"]


def test_layer_control_hides_and_shows_a_track(seed_page, placed):
    page, _, names, _ = seed_page
    incident, colour, _ = placed[0]
    group = names["groups"][incident]
    box = page.locator(".leaflet-control-layers-overlays label", has_text=incident).locator("input")

    def drawn() -> int:
        return sum(p["connected"] for p in page.evaluate(ROUTE_PATHS, [group]) if p["stroke"] == colour)

    assert box.is_checked() and drawn() > 0
    box.uncheck()  # a real click: fails if anything covers the checkbox
    assert drawn() == 0 and not page.evaluate(f"() => {names['map']}.hasLayer({group})")
    box.check()
    assert drawn() > 0 and page.evaluate(f"() => {names['map']}.hasLayer({group})")


def test_every_layer_name_is_visible(seed_page, placed):
    page, _, _, _ = seed_page
    covered = page.evaluate("""() => [...document.querySelectorAll('.leaflet-control-layers-overlays label span span')]
        .filter(s => { const r = s.getBoundingClientRect();
                       const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                       return !(top && top.closest('.leaflet-control-layers')); })
        .map(s => s.textContent.trim())""")
    assert covered == []


def _boxes(page) -> dict:
    """Bounding boxes (viewport px) of the map and its panels; None for one that is not shown."""
    return page.evaluate("""() => {
        const box = sel => {
            const e = document.querySelector(sel);
            if (!e) return null;
            const r = e.getBoundingClientRect();
            return r.width && r.height ? {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                                          width: r.width, height: r.height} : null;
        };
        return {map: box('.geo-map'), layers: box('.leaflet-control-layers'), legend: box('.geo-legend'),
                slider: box('.leaflet-bar-timecontrol'), minimap: box('.leaflet-control-minimap')};
    }""")


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def test_panels_do_not_cover_each_other(seed_page):
    page, _, _, _ = seed_page
    boxes = _boxes(page)
    panels = {k: v for k, v in boxes.items() if k != "map" and v is not None}
    assert set(panels) == {"layers", "legend", "slider", "minimap"}
    for one in panels:
        for other in panels:
            if one < other:
                assert not _overlap(panels[one], panels[other]), (one, other)
    # The slider is one strip along the bottom of the map, the full width of it.
    assert boxes["slider"]["width"] >= boxes["map"]["width"] - 1
    assert boxes["slider"]["bottom"] == pytest.approx(boxes["map"]["bottom"], abs=1)
    assert boxes["slider"]["height"] <= 32


def test_phone_map_is_usable(open_offline, seed_map):
    image_module = pytest.importorskip("PIL.Image", reason="the screenshot check needs Pillow")
    path, _ = seed_map
    page, log = open_offline(path, viewport=PHONE_VIEWPORT)
    page.screenshot(path=PHONE_SCREENSHOT)  # for people to look at
    image = image_module.open(PHONE_SCREENSHOT)
    assert image.size[0] == PHONE_VIEWPORT["width"]
    boxes = _boxes(page)
    assert boxes["map"]["height"] >= 0.6 * PHONE_VIEWPORT["height"]
    assert boxes["map"]["right"] <= PHONE_VIEWPORT["width"] + 1  # no sideways scrolling
    assert not _overlap(boxes["legend"], boxes["layers"])
    assert boxes["minimap"] is None  # dropped on narrow screens
    # Layer list and legend start closed: together they cover little of the map.
    covered = sum(b["width"] * b["height"] for k, b in boxes.items() if k in ("layers", "legend"))
    assert covered < 0.1 * boxes["map"]["width"] * boxes["map"]["height"]
    # ... and open on demand; the opened legend stays clear of the layer control.
    page.locator(".geo-legend summary").click()
    opened = _boxes(page)
    assert opened["legend"]["height"] > boxes["legend"]["height"]
    assert not _overlap(opened["legend"], opened["layers"])
    assert log.page_errors == []


def test_time_slider_moves_the_tracks(seed_page):
    page, _, names, _ = seed_page
    state = f"""() => {{
        const td = {names['map']}.timeDimension, current = {names['timeline']}._currentLayer;
        const shapes = current ? current.getLayers().map(l => l instanceof L.Polyline
            ? 'line:' + l.getLatLngs().length : 'point:' + l.getLatLng().lat.toFixed(5) + ',' + l.getLatLng().lng.toFixed(5)) : [];
        return {{index: td.getAvailableTimes().indexOf(td.getCurrentTime()), n: td.getAvailableTimes().length,
                 label: document.querySelector('.timecontrol-date').textContent, shapes: shapes.join(' ')}};
    }}"""
    start = page.evaluate(state)
    assert start["index"] == 0 and start["n"] > 2 and start["shapes"]
    page.locator(".timecontrol-forward").click()  # the slider's own step button
    page.wait_for_function(f"() => {names['map']}.timeDimension.getCurrentTime() !== "
                           f"{names['map']}.timeDimension.getAvailableTimes()[0]")
    page.wait_for_timeout(150)
    stepped = page.evaluate(state)
    assert stepped["index"] == 1 and stepped["label"] != start["label"]
    assert stepped["shapes"] != start["shapes"]
    page.evaluate(f"() => {names['map']}.timeDimension.setCurrentTimeIndex({start['n'] - 1})")
    page.wait_for_timeout(300)
    end = page.evaluate(state)
    assert end["index"] == start["n"] - 1 and end["shapes"] != stepped["shapes"]
    lines = [int(s.split(":")[1]) for s in end["shapes"].split() if s.startswith("line:")]
    assert len(lines) >= 2 and sum(lines) > sum(int(s.split(":")[1]) for s in start["shapes"].split()
                                                 if s.startswith("line:"))


def test_screenshot_has_track_colour_along_the_track(seed_page, placed):
    image_module = pytest.importorskip("PIL.Image", reason="the pixel check needs Pillow: pip install '.[test]'")
    page, _, names, _ = seed_page
    page.screenshot(path=SCREENSHOT)  # the page as a reader sees it, for people to look at
    # The check looks at the routes themselves: hide the permanent labels drawn over them.
    page.add_style_tag(content=".leaflet-tooltip-pane{visibility:hidden}")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    image = image_module.open(io.BytesIO(page.screenshot())).convert("RGB")
    for incident, colour, track in placed:
        lonlat = list(track.geometry.coords)
        points = page.evaluate(f"""([coords]) => {{
            const m = {names['map']}, box = m.getContainer().getBoundingClientRect();
            return coords.map(([lon, lat]) => {{ const p = m.latLngToContainerPoint([lat, lon]);
                                                 return [p.x + box.left, p.y + box.top]; }});
        }}""", [lonlat])
        # Midpoints between vertices: on the line, away from the waypoint markers.
        mids = [((x0 + x1) / 2, (y0 + y1) / 2) for (x0, y0), (x1, y1) in zip(points[:-1], points[1:])]
        inside = [(x, y) for x, y in mids if 0 <= x < image.width and 0 <= y < image.height]
        assert inside, f"{incident}: track is outside the screenshot"
        hits = sum(_near(image, x, y, _rgb(colour)) for x, y in inside)
        assert hits >= 0.6 * len(inside), f"{incident}: {hits} of {len(inside)} points near the track are {colour}"
    # Control: far from every track (western Belarus) no pixel has a track's colour.
    far = page.evaluate(f"""() => {{ const m = {names['map']}, box = m.getContainer().getBoundingClientRect();
                                     const p = m.latLngToContainerPoint([53.6, 24.6]);
                                     return [p.x + box.left, p.y + box.top]; }}""")
    for _, colour, _ in placed:
        assert not _near(image, *far, _rgb(colour), radius=6)


# ----------------------------------------------------------------------------- injection


@pytest.fixture(scope="module")
def injected_map(tmp_path_factory, gazetteer):
    payload = " | ".join(PAYLOADS + SENTINELS)
    folder = tmp_path_factory.mktemp("injection")
    (folder / "injected.yaml").write_text(_injection_yaml(payload), encoding="utf-8")
    reports = load_reports([str(folder / "injected.yaml")], geocoder=gazetteer)
    tracks = build_tracks(reports, gazetteer)
    html = map_html(tracks, analyse(tracks), reports=reports, offline=True, title=f"{payload} headline",
                    byline=f"{payload} byline", description=f"{payload} standfirst")
    path = folder / "injected.html"
    path.write_text(html, encoding="utf-8")
    return path, _names(html)


def test_injected_text_stays_text_in_every_popup_and_tooltip(open_offline, injected_map):
    path, names = injected_map
    page, log = open_offline(path)
    shown = page.evaluate(f"""() => {{
        const texts = [];
        {names['map']}.eachLayer(l => {{
            if (l.getPopup && l.getPopup()) {{
                l.openPopup();
                const el = l.getPopup().getElement();
                const box = el && el.querySelector('.leaflet-popup-content');
                if (box) texts.push(box.textContent);
            }}
            if (l.getTooltip && l.getTooltip()) {{
                l.openTooltip();
                const el = l.getTooltip().getElement();
                if (el) texts.push(el.textContent);
            }}
        }});
        return texts;
    }}""")
    page.hover(".leaflet-control-layers")
    page.wait_for_timeout(300)  # onerror/onload handlers of anything injected would have run by now
    assert log.dialogs == []
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert log.page_errors == [] and log.outside(path.resolve().as_uri()) == []
    # The payloads were shown, as text, in the popups (not dropped, not parsed).
    assert any("<script>alert(1)</script>" in t and 'onerror="window.__pwned=1"' in t for t in shown)
    assert page.evaluate("() => document.querySelectorAll('.leaflet-popup-content img, .leaflet-tooltip img, "
                         ".leaflet-popup-content svg, .leaflet-popup-content iframe').length") == 0


# ----------------------------------------------------------------------------- what a reader sees (issue 12)


def test_reader_facing_text_carries_no_file_slug_code_or_doubled_word(seed_page, seeds):
    page, _, _, _ = seed_page
    # Everything a reader can read: the page's text, the permanent labels, and every tooltip and popup opened.
    texts = page.evaluate("""() => {
        const out = [document.body.innerText];
        Object.values(window).filter(v => v instanceof L.Map).forEach(m => m.eachLayer(l => {
            const t = l.getTooltip && l.getTooltip(), p = l.getPopup && l.getPopup();
            if (t) out.push(String(t.getContent()));
            if (p) { const c = p.getContent(); out.push(typeof c === 'string' ? c : (c.innerText || c.textContent || '')); }
        }));
        return out;
    }""")
    text = "\n".join(re.sub(r"<[^>]+>", " ", t) for t in texts)
    for incident in seeds["id"]:
        assert incident not in text, f"the file slug {incident} is shown to readers"
    assert not re.search(r"\([A-Z]{2}-[A-Z0-9]{1,3}\)", text), re.search(r"\([A-Z]{2}-[A-Z0-9]{1,3}\)", text)
    assert not re.search(r"\b(\w+) \1\b", text.replace("(estimated) (estimated)", "DOUBLED")), "a doubled word"
    assert "DOUBLED" not in text.replace("(estimated) (estimated)", "DOUBLED")
    assert "Tiles: Tiles" not in text


def test_the_page_allows_pinch_zoom(seed_page):
    page, _, _, _ = seed_page
    (viewport,) = page.evaluate("() => [...document.querySelectorAll('meta[name=viewport]')].map(m => m.content)")
    assert "user-scalable=no" not in viewport.replace(" ", "") and "maximum-scale=1" not in viewport.replace(" ", "")


def test_every_marker_that_takes_a_click_opens_a_popup_and_labels_take_none(seed_page):
    page, _, names, _ = seed_page
    found = page.evaluate(f"""() => {{
        const out = {{mute: [], labels: 0}};
        {names['map']}.eachLayer(l => {{
            if (!(l instanceof L.Marker || l instanceof L.CircleMarker)) return;
            const interactive = l.options.interactive !== false;
            const tip = l.getTooltip && l.getTooltip();
            if (tip && tip.options.permanent && !interactive) out.labels += 1;
            if (interactive && !l.getPopup()) out.mute.push(tip ? String(tip.getContent()) : String(l.getLatLng()));
        }});
        return out;
    }}""")
    assert found["mute"] == [], f"markers that take a click but open nothing: {found['mute']}"
    assert found["labels"] >= 6  # leg, depth and region labels: anchors that let clicks through


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """The offline seed map with its embed snippet, in an article page whose column is 100% of the window."""
    folder = tmp_path_factory.mktemp("embed")
    result = CliRunner().invoke(cli, ["map", "--offline", "--embed", "-o", str(folder / "seed.html")])
    assert result.exit_code == 0, result.output
    snippet = (folder / "seed.embed.html").read_text(encoding="utf-8")
    host = folder / "article.html"
    host.write_text("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Article</title>"
                    "<style>body{margin:0;font:16px/1.5 serif} main{max-width:680px;margin:0 auto}</style></head>"
                    f"<body><main><p>Text before the map.</p>{snippet}<p>Text after.</p></main></body></html>",
                    encoding="utf-8")
    return host


@pytest.mark.parametrize("width", [320, 680, 1280])
def test_the_embed_shows_one_caption_line_and_follows_the_pages_height(browser, embedded, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    outside = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                  else (outside.append(r.request.url), r.abort()))
    try:
        page = context.new_page()
        page.goto(embedded.resolve().as_uri(), wait_until="load")
        page.frame_locator("figure.geo-map-embed iframe").locator(".geo-map > .leaflet-map-pane .leaflet-overlay-pane path"
                                                                  ).first.wait_for()
        # The iframe takes the height of the map page's content (the page tells it), so nothing is cut off.
        inner = next(f for f in page.frames if f.url.endswith("/seed.html"))
        content = inner.evaluate("""() => Math.max(...[...document.body.children].map(e =>
            e.getBoundingClientRect().bottom + scrollY))""")
        page.wait_for_function("""(content) => Math.abs(document.querySelector('figure.geo-map-embed iframe')
            .getBoundingClientRect().height - content) <= 2""", arg=content)
        assert content > 600
        caption = page.evaluate("""() => { const c = document.querySelector('figure.geo-map-embed figcaption');
            const s = getComputedStyle(c), lh = parseFloat(s.lineHeight) || 1.5 * parseFloat(s.fontSize);
            return {height: c.getBoundingClientRect().height, line: lh, text: c.textContent}; }""")
        assert caption["height"] <= caption["line"] * 1.2, caption  # one line, whatever the column
        assert caption["text"].startswith("4 reported drone flights into Belarus") and "Source" in caption["text"]
        hidden = page.evaluate("""() => { const d = document.querySelector('[id^=geo-embed-desc]');
            const r = d.getBoundingClientRect(); return {w: r.width, h: r.height, n: d.textContent.length}; }""")
        assert hidden["w"] <= 1 and hidden["h"] <= 1 and hidden["n"] > 200  # for screen readers only
        assert outside == []
    finally:
        context.close()


@pytest.mark.parametrize("width, opened", [(680, False), (1280, True)])
def test_the_legend_and_the_layer_list_start_closed_in_an_article_column(open_offline, seed_map, width, opened):
    path, _ = seed_map
    page, _ = open_offline(path, viewport={"width": width, "height": 800})
    state = page.evaluate("""() => ({legend: document.querySelector('.geo-legend details').open,
        layers: document.querySelector('.leaflet-control-layers').classList.contains('leaflet-control-layers-expanded')})""")
    assert state == {"legend": opened, "layers": opened}


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE_VIEWPORT], ids=["desktop", "phone"])
def test_axe_finds_no_critical_or_serious_violation(open_offline, seed_map, viewport):
    if not AXE.exists():
        pytest.skip(f"the accessibility test needs axe-core at {AXE}: npm install axe-core (.ci/run does)")
    path, _ = seed_map
    page, _ = open_offline(path, viewport=viewport)
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = page.evaluate("""async () => (await axe.run(document)).violations
        .filter(v => v.impact === 'critical' || v.impact === 'serious')
        .map(v => `${v.impact} ${v.id}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`)""")
    assert violations == []


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE_VIEWPORT], ids=["desktop", "phone"])
def test_every_popup_stays_inside_the_map_with_its_close_button_in_reach(open_offline, seed_map, viewport):
    path, names = seed_map
    page, _ = open_offline(path, viewport=viewport)
    count = page.evaluate(f"""() => {{ let n = 0; {names['map']}.eachLayer(l => {{ if (l.getPopup && l.getPopup()) n++; }});
                                       return n; }}""")
    assert count >= 10
    for k in range(count):  # open each in turn, as a click would (Leaflet pans the map to fit it)
        found = page.evaluate(f"""(k) => new Promise(done => {{
            const layers = []; {names['map']}.eachLayer(l => {{ if (l.getPopup && l.getPopup()) layers.push(l); }});
            const l = layers[k], at = l.getLatLng ? l.getLatLng() : l.getBounds().getCenter();
            {names['map']}.closePopup(); l.openPopup(at);
            setTimeout(() => {{
                const pop = l.getPopup().getElement(), map = {names['map']}.getContainer().getBoundingClientRect();
                const r = pop.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect();
                const x = pop.querySelector('.leaflet-popup-close-button').getBoundingClientRect();
                const top = document.elementFromPoint(x.left + x.width / 2, x.top + x.height / 2);
                done({{inside: r.top >= map.top - 1 && r.bottom <= map.bottom + 1 && r.left >= map.left - 1
                               && r.right <= map.right + 1,
                       close: !!top && !!top.closest('.leaflet-popup-close-button'),
                       text: pop.innerText.slice(0, 60)}});
            }}, 400);  // after the pan
        }})""", k)
        assert found["inside"] and found["close"], found


def test_the_depth_measure_is_a_thin_solid_line_with_end_ticks_not_a_route(seed_page, seeds):
    page, _, names, _ = seed_page
    drawn = page.evaluate(f"""() => {{
        const lines = [], ticks = [];
        {names['map']}.eachLayer(l => {{
            if (l instanceof L.Polyline && !(l instanceof L.Polygon) && l.getLatLngs().length === 2 &&
                l.options.interactive === false) lines.push({{weight: l.options.weight, dash: l.options.dashArray,
                ends: l.getLatLngs().map(p => [p.lat, p.lng])}});
            if (l instanceof L.Marker && l.getElement() && l.getElement().querySelector('.geo-depth-tick'))
                ticks.push([l.getLatLng().lat, l.getLatLng().lng]);
        }});
        return {{lines, ticks}};
    }}""")
    placed_rows = [row for _, row in seeds.iterrows() if row["placed"]]
    assert len(drawn["lines"]) == len(placed_rows) == 3  # each placed seed goes past the border: one measure each
    for line in drawn["lines"]:
        assert line["dash"] is None and line["weight"] < 2  # routes are 3.5 px, and dashed where presumed
        for end in line["ends"]:  # a tick across each end
            assert any(abs(t[0] - end[0]) < 1e-6 and abs(t[1] - end[1]) < 1e-6 for t in drawn["ticks"])


def test_tab_reaches_the_controls_then_each_incident_and_its_points_all_named(seed_page, placed):
    page, _, _, _ = seed_page
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("""() => { const e = document.activeElement;
            const label = e.labels && e.labels.length ? e.labels[0].textContent : '';
            return {where: e.closest('.leaflet-control-container') ? 'control' :
                           e.tagName.toLowerCase() === 'path' ? 'shape' : e.closest('.geo-map') ? 'map' : 'page',
                    name: (e.getAttribute('aria-label') || label || e.textContent || e.getAttribute('title') || '')
                          .trim()}; }"""))
    where = [s["where"] for s in seen]
    first_shape = where.index("shape")
    assert set(where[1:first_shape]) == {"control"}  # after the map itself: every control, before any shape
    assert all(s["name"] for s in seen if s["where"] in ("control", "shape")), [s for s in seen if not s["name"]]
    routes = [s["name"] for s in seen if s["where"] == "shape" and ": " in s["name"] and " · " in s["name"]]
    assert [r.split(":")[0] for r in routes] == [name for name, _, _ in placed][:len(routes)] and len(routes) >= 2


@pytest.mark.parametrize("width", [390, 680, 1280])
def test_the_attribution_leaves_the_scale_bar_alone(open_offline, seed_map, width):
    path, _ = seed_map
    page, _ = open_offline(path, viewport={"width": width, "height": 800})
    boxes = page.evaluate("""() => [".leaflet-control-attribution", ".leaflet-control-scale"].map(s => {
        const r = document.querySelector(".geo-map " + s).getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; })""")
    assert not _overlap(*boxes), boxes
