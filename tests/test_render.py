"""geo.outputs.web.render: the published map, tested as text (no browser).

The seeds are rendered once per module (online and offline); an injection
report puts hostile strings in every free-text field a report has.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
import subprocess
import textwrap

import pandas as pd
import pytest
from click.testing import CliRunner

from geo.analysis.analyse import analyse
from geo.cli import cli
from geo.present.words import incident_name
from geo.outputs.web.elements import NARROW_PX
from geo.outputs.web.render import (ATTRIBUTION, RenderOptionError, embed_html, make_map, map_html, safe_html,
                        write_map)
from geo.reports.loading import load_reports
from geo.tracks.build import build_tracks

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "${alert(1)}",
    "`);alert(1);//",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "\\u003cscript\\u003ealert(1)",
]

# Substrings that must never reach the page: what each payload would look like unescaped
# in HTML, in a JS template literal, or in a JSON string that Leaflet puts into innerHTML.
FORBIDDEN = [
    "<script>alert", "<img src=x", "\\u003cimg", "\\u003cscript", "${alert", "`);alert", "</script><script>",
    'href="javascript:', "onerror=alert(1)>",
]


@pytest.fixture(scope="module")
def online(seeds):
    reports, tracks, figures = seeds
    return map_html(tracks, figures, reports=reports, byline="By the data desk")


@pytest.fixture(scope="module")
def offline(seeds):
    reports, tracks, figures = seeds
    return map_html(tracks, figures, reports=reports, offline=True)


def _injection_yaml(payload: str) -> str:
    q = payload.replace("\\", "\\\\").replace('"', '\\"')
    return textwrap.dedent(f"""\
        id: injected-report
        title: "{q} title"
        date: 2024-07-16
        timezone: Europe/Minsk
        drone: shahed-136
        country: BY
        origin: UA
        outcome: exploded
        summary: "{q} summary"
        reported:
          depth_km: 30
          note: "{q} reported note"
        sources:
          - id: src
            publisher: "{q} publisher"
            title: "{q} source title"
            via: "{q} via"
            note: "{q} source note"
            date: 2024-07-16
        route:
          - from: UA
            time: "08:00"
            sources: [src]
            note: "{q} from note"
          - place: Naroulia
            hint: BY-HO
            sources: [src]
            note: "{q} place note"
          - {{lat: 52.30, lon: 29.60, uncertainty_km: 3, note: "{q} coords note", sources: [src]}}
        """)


@pytest.fixture(scope="module")
def injected(tmp_path_factory, gazetteer):
    """One page whose every free-text field holds every payload (one render keeps the test fast)."""
    payload = " | ".join(PAYLOADS)
    path = tmp_path_factory.mktemp("injection") / "injected.yaml"
    path.write_text(_injection_yaml(payload), encoding="utf-8")
    reports = load_reports([str(path)], geocoder=gazetteer)
    tracks = build_tracks(reports, gazetteer)
    return map_html(tracks, analyse(tracks), reports=reports, tiles="none", title=f"{payload} headline",
                    byline=f"{payload} byline", description=f"{payload} standfirst")


# ----------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("text, expected", [
    ("<b>", "&lt;b&gt;"),
    ('a"b\'c', "a&#34;b&#39;c"),
    ("${x}", "&#36;&#123;x&#125;"),
    ("{{ 6*7 }} {% if %} {# c #}", "&#123;&#123; 6*7 &#125;&#125; &#123;% if %&#125; &#123;# c #&#125;"),
    ("`x`", "&#96;x&#96;"),
    ("a\\u0041", "a&#92;u0041"),
    (None, ""),
    (12.5, "12.5"),
])
def test_safe_html_escapes_html_and_template_literals(text, expected):
    assert safe_html(text) == expected


@pytest.mark.parametrize("payload", PAYLOADS)
def test_report_text_never_reaches_the_page_unescaped(injected, payload):
    html = injected
    assert "coords note" in html  # the report was drawn, notes and all
    for bad in FORBIDDEN:
        assert bad not in html, bad
    if any(c in payload for c in "<>\"'`$\\"):
        assert payload not in html


def test_injected_page_is_valid_javascript(injected):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    html = injected
    script = "\n;\n".join(re.findall(r"<script>(.*?)</script>", html, re.S))
    result = subprocess.run([node, "--check", "-"], input=script, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[:2000]


# ----------------------------------------------------------------------------- content


def test_render_is_deterministic(seeds, online):
    reports, tracks, figures = seeds
    again = map_html(tracks, figures, reports=reports, byline="By the data desk")
    assert again == online
    assert not re.search(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])", online)  # no random folium ids left


def test_every_placed_incident_has_a_layer(seeds, online):
    _, tracks, _ = seeds
    overlays = re.search(r"overlays :\s*\{(.*?)\},\s*\};", online, re.S).group(1)
    for i in range(len(tracks)):  # each by its short name (the layer list shows no file slug)
        name = json.dumps(incident_name(tracks.loc[i]))[1:-1]
        assert (name in overlays) == bool(tracks.loc[i, "placed"])


def test_unplaced_incident_is_in_the_side_list(seeds, online):
    _, tracks, _ = seeds
    unplaced = list(tracks.loc[~tracks["placed"].astype(bool), "id"])
    assert unplaced == ["2024-07-16-over-60-km"]
    side = re.search(r'<section class="geo-unplaced".*?</section>', online, re.S).group(0)
    assert 'id="geo-unplaced-2024-07-16-over-60-km"' in side
    assert "over 60 km past the border" in side


def test_accessible_description_has_each_computed_depth(seeds, online):
    _, _, figures = seeds
    described = re.search(r'<div id="geo-map-description"[^>]*>(.*?)</div>', online, re.S).group(1)
    assert 'aria-describedby="geo-map-description"' in online
    for depth, lo_hi in zip(figures.loc[figures["placed"], "depth_km"], figures.loc[figures["placed"], "depth_km_range"]):
            assert f"{depth:,.0f} km (certainly {lo_hi[0]:,.0f}–{lo_hi[1]:,.0f} km)" in described  # a bound
    noscript = re.search(r"<noscript>(.*?)</noscript>", online, re.S).group(1)
    assert "11 Jul · Loyew: entered Belarus from Ukraine near 51.94 N 30.81 E" in noscript


def test_attribution_and_sources_on_the_page(online):
    for text in ("OpenStreetMap contributors", "GeoNames (CC BY 4.0)", "Natural Earth", "Esri"):
        assert text in online
    assert "addAttribution(" in online and "Natural Earth" in ATTRIBUTION
    assert "Belarusian Hajun (monitoring group)" in online
    assert "Telegram post on the overnight drone attack" in online
    assert "By the data desk" in online


def test_controls_and_layers_present(online):
    assert "L.Control.Measure" not in online and "moment.min.js" not in online  # 164 KB a reader does not need
    for needle in ("L.control.fullscreen", "L.Control.MiniMap", "L.control.scale",
                   "L.timeDimension", "setText(", "Distance from the crossed border", "Regions entered",
                   "geo-legend", "postMessage"):
        assert needle in online, needle


def test_online_seed_map_is_small(online):
    assert len(online.encode("utf-8")) < 300_000


def test_offline_map_needs_no_network(offline):
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?https?://", offline, re.I)
    assert not re.search(r"L\.tileLayer\(\s*\"https?://", offline)
    assert "L.Control.MiniMap" in offline  # drawn from the shipped outlines


def test_tiles_none_and_unknown_provider(seeds):
    reports, tracks, figures = seeds
    html = map_html(tracks, figures, reports=reports, tiles="none")
    assert "L.tileLayer(" not in html and "arcgisonline" not in html
    with pytest.raises(RenderOptionError, match="not an xyzservices provider"):
        make_map(tracks, figures, tiles="No.Such.Tiles")
    import xyzservices

    if xyzservices.providers.query_name("CartoDB.Positron").requires_token():  # since xyzservices 2025
        with pytest.raises(RenderOptionError, match="API key"):
            make_map(tracks, figures, tiles="CartoDB.Positron")
        keyed = map_html(tracks, figures, tiles="CartoDB.Positron", tiles_key="k3y")
        assert "key=k3y" in keyed and "insert your" not in keyed


def test_embed_snippet_is_a_responsive_titled_iframe():
    snippet = embed_html("map.html", title='Drones <over> "Belarus"', description="Four flights.")
    assert 'src="./map.html"' in snippet and "width:100%" in snippet
    assert 'title="Drones &lt;over&gt; &#34;Belarus&#34;"' in snippet
    assert "geoMapHeight" in snippet and "aria-describedby=" in snippet


def test_write_map_and_cli(tmp_path, seeds):
    reports, tracks, figures = seeds
    written = write_map(tmp_path / "seed.html", tracks, figures, reports=reports, tiles="none", embed=True)
    assert [p.name for p in written] == ["seed.html", "seed.embed.html"]
    result = CliRunner().invoke(cli, ["map", "-o", str(tmp_path / "cli.html"), "--tiles", "none",
                                      "--title", "Test <map>"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "cli.html").read_text(encoding="utf-8")
    assert "<title>Test &lt;map&gt;</title>" in page
    bad = CliRunner().invoke(cli, ["map", "-o", str(tmp_path / "x.html"), "--tiles", "Nope"])
    assert bad.exit_code != 0 and "not an xyzservices provider" in bad.output


# ----------------------------------------------------------------------------- layout and labels


def _timeline_data(html: str) -> tuple[list[int], list[list[str]]]:
    times = json.loads(re.search(r"L\.timeDimension\(\s*\{times: (\[[^\]]*\])", html).group(1))
    data = json.loads(re.search(r"_data = L\.geoJson\((\{.*?\}), \{\s*interactive: false,\s*pointToLayer", html,
                                re.S).group(1))
    return times, [f["properties"]["times"] for f in data["features"]]


def test_time_slider_plays_every_track_from_t0_on_one_clock(online, seeds):
    times, per_track = _timeline_data(online)
    epoch_ms = 946_684_800_000  # 2000-01-01T00:00Z: T+0
    step = times[1] - times[0]
    assert times[0] == epoch_ms and 2 * 60_000 <= step <= 5 * 60_000
    assert times == [epoch_ms + k * step for k in range(len(times))]  # evenly spaced
    assert 10 <= len(times) <= 60
    for track_times in per_track:
        assert track_times[0] == "2000-01-01T00:00:00Z"  # every track starts at T+0
        assert track_times == sorted(track_times) and all(t.startswith("2000-01-01T0") for t in track_times)
    _, tracks, _ = seeds
    longest = max(float(t[-1] - t[0]) for t in tracks.loc[tracks["placed"], "t_min"])  # minutes
    end = dt.datetime(2000, 1, 1) + dt.timedelta(minutes=math.ceil(longest * 60_000 / step) * step / 60_000)
    assert max(t[-1] for t in per_track) == end.strftime("%Y-%m-%dT%H:%M:%SZ")  # the longest track's end, on the grid
    assert '"T+" + h + ":"' in online and '"speedSlider": false' in online
    assert '"position": "geofull"' in online and "geo-full-width" in online


def test_leg_labels_only_on_long_legs_with_the_assumed_speed_in_the_legend(online):
    labels = re.findall(r'`<div>\s*(\d[\d,]* km · [^<]*?)\s*</div>`', online)
    assert "28 km · ~10 min*" in labels  # Naroulia's first leg: 28 km at the assumed 170 km/h
    assert abs(28 / 170 * 60 - 10) < 0.5
    (vitebsk,) = [lab for lab in labels if lab.startswith("164 km · ")]  # the presumed leg to Vitebsk
    paced = 391 / 3  # Homel-Minsk: its 391 km inside Belarus paced by the reported 3 hours
    assert "*" not in vitebsk and abs(float(vitebsk.split(" · ")[-1].split(" km/h")[0]) - paced) <= 1
    assert all(int(lab.split(" km")[0].replace(",", "")) >= 25 for lab in labels)
    assert not any("assumed" in lab or "(at " in lab for lab in labels)
    assert "* time at 170 km/h, assumed" in online  # the footnote, in the legend
    assert not {"2", "17"} & {lab.split(" km")[0] for lab in labels}  # the short legs at the Loyew crossing


def test_panels_placed_apart_and_collapsible(online):
    assert f'"collapsed": window.matchMedia("(max-width: {NARROW_PX}px)").matches' in online  # layer list, on phones
    assert re.search(r'L\.control\(\{position: "bottomleft"\}\)', online)  # the legend
    assert "\\u003cdetails class=\\\"geo-legend-box\\\" open\\u003e\\u003csummary\\u003eLegend" in online
    minimap = re.search(r"new L\.Control\.MiniMap\(.*?\{(.*?)\}\s*\)", online, re.S).group(1)
    assert '"bottomright"' in minimap and '"zoomLevelOffset": -4' in minimap
    assert "@media (max-width:600px){.leaflet-control-minimap{display:none!important}" in online
    assert "Declutter" not in online and "geo-depth" in online and ".translate" in online


# ----------------------------------------------------------------------------- archive view


@pytest.fixture(scope="module")
def archive(seeds):
    """The three placed seeds repeated 70 times (210 incidents, above ARCHIVE_TRACKS)."""
    from geo.outputs.web.render import ARCHIVE_TRACKS

    _reports, tracks, _figures = seeds
    placed = tracks[tracks["placed"].astype(bool)]
    copies = []
    for k in range(70):
        copy = placed.copy()
        copy["id"] = [f"{i}-{k:03d}" for i in placed["id"]]
        copies.append(copy)
    many = pd.concat(copies, ignore_index=True)
    assert len(many) > ARCHIVE_TRACKS
    return many, analyse(many)


def test_an_archive_is_drawn_as_one_canvas_layer_and_described_as_a_set(archive):
    tracks, figures = archive
    html = map_html(tracks, figures, tiles="none")
    assert html.count("new L.GeoBulkLines(") == 1
    assert "TimestampedGeoJson" not in html  # no per-incident slider
    assert "2024-07-11-loyew-000" not in html.split("geo-map-description", 1)[1].split("</div>", 1)[0]
    deepest = float(figures["depth_km"].max())  # whole km, rounded once
    assert f"{len(tracks):,} incidents" in html
    assert f"largest {deepest:,.0f} km" in html
    assert html == map_html(tracks, figures, tiles="none")
    assert len(html.encode()) < 600_000  # 210 tracks: the lines are a few bytes per vertex
