"""The presentation model, read as a specification: every output tells a reader the same thing.

Each test states one thing a reader is told, and checks it in what the outputs wrote (the web
map's HTML, the KML, the GeoPackage), against the seeds and an independent computation where
there is a figure, never against the function that produced it.
"""

from __future__ import annotations

import html
import json
import re
from xml.etree import ElementTree

import fastkml
import numpy as np
import pyogrio
import pytest
import shapely

from geo.outputs.files.fileexport import write_export
from geo.reference.projection import GEOD
from geo.outputs.web.render import map_html

KML = {"k": "http://www.opengis.net/kml/2.2"}
LEG_LABEL = re.compile(r"L\.circleMarker\(\s*\[([-\d.]+), ([-\d.]+)\],\s*\{[^}]*\"color\": \"(#[0-9A-Fa-f]{6})\"[^}]*"
                       r"\"radius\": 2[^}]*\}\s*\)\.addTo\([^)]*\);\s*\w+\.bindTooltip\(\s*`<div>\s*([^<]*?)\s*</div>`")


@pytest.fixture(scope="module")
def outputs(seeds, tmp_path_factory):
    reports, tracks, figures = seeds
    where = tmp_path_factory.mktemp("present")
    page = map_html(tracks, figures, reports=reports, offline=True)
    kml = write_export(where / "seeds.kml", tracks, figures, reports=reports)
    gpkg = write_export(where / "seeds.gpkg", tracks, figures, reports=reports)
    (document,) = fastkml.KML.from_string(kml.read_bytes()).features
    (top,) = document.features
    folders = {f.name.split(":")[0]: f for f in top.features}
    root = ElementTree.fromstring(kml.read_bytes())
    line_colors = {style.get("id"): style.findtext("k:LineStyle/k:color", namespaces=KML)
                   for style in root.iter(f"{{{KML['k']}}}Style")}
    return {"html": page, "kml": folders, "kml_line_colors": line_colors, "kml_title": top.name,
            "legs": pyogrio.read_dataframe(gpkg, layer="legs"),
            "tracks": pyogrio.read_dataframe(gpkg, layer="tracks").set_index("id")}


def _popups(page: str) -> str:
    """Every popup's HTML on the map page (each is handed to Leaflet as a JSON string)."""
    return "\n".join(json.loads(m) for m in re.findall(r'\.setContent\(("(?:[^"\\]|\\.)*")\);', page))


def _placed(seeds):
    _, tracks, _ = seeds
    return [tracks.loc[i] for i in range(len(tracks)) if tracks.loc[i, "placed"]]


def _halfway(track):
    """Per leg (stop to stop): km along the track's vertices on the ellipsoid, and the lon/lat halfway."""
    coords = shapely.get_coordinates(track.geometry)
    _, _, metres = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    along = np.r_[0.0, np.cumsum(metres) / 1000.0]
    at = np.flatnonzero(np.asarray(track["stop_index"]) >= 0)
    half = (along[at[:-1]] + along[at[1:]]) / 2
    return along[at[1:]] - along[at[:-1]], np.interp(half, along, coords[:, 0]), np.interp(half, along, coords[:, 1])


def test_every_file_output_has_one_leg_from_each_stop_to_the_next(seeds, outputs):
    for track in _placed(seeds):
        labels = [s["label"] for s in track["stops"]]
        rows = outputs["legs"][outputs["legs"]["id"] == track["id"]].sort_values("leg")
        assert list(zip(rows["from_stop"], rows["to_stop"])) == list(zip(labels[:-1], labels[1:]))
        kml_legs = [m.name for m in outputs["kml"][track["id"]].features if " leg: " in (m.name or "")]
        assert kml_legs == [f"{st} leg: {a} → {b}" for st, a, b in zip(rows["status"], labels[:-1], labels[1:])]


def test_a_legs_km_is_the_same_figure_in_the_kml_the_geopackage_and_on_the_map(seeds, outputs):
    labels_on_map = LEG_LABEL.findall(outputs["html"])
    for track in _placed(seeds):
        km, _, _ = _halfway(track)
        rows = outputs["legs"][outputs["legs"]["id"] == track["id"]].sort_values("leg")
        np.testing.assert_allclose(rows["km"], km, atol=0.05)  # rounded to 0.1 km in the file
        balloons = [m.description for m in outputs["kml"][track["id"]].features if " leg: " in (m.name or "")]
        said = [float(re.search(r": ([\d,.]+) km", b).group(1).replace(",", "")) for b in balloons]
        np.testing.assert_allclose(said, km, atol=0.05)
        color = outputs["tracks"].loc[track["id"], "color"]
        on_map = [float(text.split(" km")[0]) for *_, c, text in labels_on_map if c == color]
        # The map labels every leg long enough to carry one, in whole km.
        assert on_map and all(any(abs(x - k) <= 0.5 for k in km) for x in on_map)


def test_the_maps_leg_labels_sit_halfway_along_their_legs(seeds, outputs):
    found = LEG_LABEL.findall(outputs["html"])
    for track in _placed(seeds):
        color = outputs["tracks"].loc[track["id"], "color"]
        points = np.array([[float(lon), float(lat)] for lat, lon, c, _ in found if c == color])
        _, lon, lat = _halfway(track)
        for p in points:  # each label is at some leg's halfway point, to the map's 1e-5 degrees
            assert np.min(np.hypot(lon - p[0], lat - p[1])) <= 2e-5


def test_an_incident_has_one_colour_in_every_output(seeds, outputs):
    for track in _placed(seeds):
        color = outputs["tracks"].loc[track["id"], "color"]
        assert set(outputs["legs"].loc[outputs["legs"]["id"] == track["id"], "color"]) == {color}
        # On the map: the labels halfway along this incident's legs are drawn in its colour.
        _, lon, lat = _halfway(track)
        drawn = {c for la, lo, c, _ in LEG_LABEL.findall(outputs["html"])
                 if np.min(np.hypot(lon - float(lo), lat - float(la))) <= 2e-5}
        assert drawn == {color}
        # KML writes aabbggrr: the same red, green and blue.
        r, g, b = color[1:3], color[3:5], color[5:7]
        used = {m.style_url.url.lstrip("#") for m in outputs["kml"][track["id"]].features if " leg: " in (m.name or "")}
        assert used and {outputs["kml_line_colors"][u][2:].lower() for u in used} == {f"{b}{g}{r}".lower()}


def test_the_maps_popup_and_the_kml_balloon_tell_the_reports_own_summary(seeds, outputs):
    reports, _, _ = seeds
    told = [r for r in reports if r.summary]
    assert told
    for report in told:
        first = report.summary.split(".")[0]
        assert first in html.unescape(outputs["kml"][report.id].description)
        if report.id in set(outputs["legs"]["id"]):  # placed: its popup on the map says it too
            assert html.escape(first, quote=False).replace("'", "&#39;") in _popups(outputs["html"])


def test_the_page_has_one_title_in_every_output(outputs):
    title = re.search(r"<title>([^<]*)</title>", outputs["html"]).group(1)
    assert html.unescape(title) == outputs["kml_title"]
    assert re.search(r'<h1 id="geo-title">([^<]*)</h1>', outputs["html"]).group(1) == title


def test_a_depth_is_told_with_the_border_it_was_measured_from_in_every_output(seeds, outputs):
    _, tracks, figures = seeds
    names = {"UA": "Ukraine", "BY": "Belarus", "RU": "Russia", "PL": "Poland"}  # looked up, not read from geo
    for i in range(len(tracks)):
        fig = figures.loc[i]
        if not tracks.loc[i, "placed"] or fig["depth_from"] is None:
            continue
        border = f"the {names[fig['depth_from']]} border"
        kml_names = [m.name for m in outputs["kml"][tracks.loc[i, "id"]].features]
        assert f"distance to {border}" in kml_names
        assert re.search(r"km\)? past " + border, html.unescape(outputs["html"]))  # "25 km (certainly 5–44 km) past"


def test_a_crossing_is_told_with_the_same_time_on_the_map_and_in_kml_and_a_reported_time_stays_as_reported(outputs):
    # The article: the Naroulia drone crossed "at about 8 a.m." on 16 July (Minsk time, UTC+3).
    told = {m.name: html.unescape(m.description) for m in outputs["kml"]["2024-07-16-naroulia"].features
            if "→" in (m.name or "") and " leg: " not in m.name}
    assert list(told) == ["UA→BY"]
    sentence = re.search(r"Crossed UA→BY at [^<]*", told["UA→BY"]).group(0)
    assert sentence == "Crossed UA→BY at 2024-07-16 08:00 (UTC+0300)"  # reported: not marked estimated
    assert sentence in html.unescape(outputs["html"])


def test_a_leg_labels_speed_is_its_km_over_its_minutes(outputs):
    labels = [text for *_, text in LEG_LABEL.findall(outputs["html"])]
    timed = [re.fullmatch(r"([\d,]+) km · (?:(\d+) h )?(\d+) min · ([\d,]+) km/h", t) for t in labels]
    assert sum(m is not None for m in timed) >= 4
    for m in filter(None, timed):
        km, minutes = float(m.group(1).replace(",", "")), 60 * int(m.group(2) or 0) + int(m.group(3))
        # Each figure is rounded for the label (km and minutes to the unit): the speed agrees within that rounding.
        low, high = (km - 0.5) / (minutes + 0.5) * 60, (km + 0.5) / max(minutes - 0.5, 0.5) * 60
        assert low - 0.5 <= float(m.group(4).replace(",", "")) <= high + 0.5, m.group(0)
    # A leg whose time rests on the assumed speed says so (~ and the footnote's *), and gives no speed.
    assumed = [t for t in labels if t.endswith("*")]
    assert assumed and all("~" in t and "km/h" not in t for t in assumed)


def test_the_distance_check_says_how_much_of_the_route_rests_on_named_places_and_on_presumed_legs(seeds, outputs):
    # The article: the Homel-Minsk drone flew "350 km" and was "presumably" heading for Vitebsk.
    _, tracks, _ = seeds
    told = 0
    for i in range(len(tracks)):
        track = tracks.loc[i]
        if not track["placed"] or not np.isfinite(track["reported_distance_km"]):
            continue
        coords = shapely.get_coordinates(track.geometry)
        _, _, metres = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
        presumed = np.asarray(track["seg_status"], object) == "presumed"
        firm, guessed = metres[~presumed].sum() / 1000.0, metres[presumed].sum() / 1000.0
        balloon = html.unescape(outputs["kml"][track["id"]].description)
        sentence = re.search(r"reported [^<]*? km; the named places account for [^<]*", balloon).group(0)
        said = re.search(r"account for ([\d,]+) km", sentence).group(1)
        assert abs(float(said.replace(",", "")) - firm) <= 1.0
        if guessed > 0:
            km, share, whole = re.search(r"presumed legs for ([\d,]+) km more \((\d+)% of the ([\d,]+) km", sentence).groups()
            assert abs(float(km.replace(",", "")) - guessed) <= 1.0
            assert abs(int(share) - 100 * guessed / (firm + guessed)) <= 1.0
            assert abs(float(whole.replace(",", "")) - (firm + guessed)) <= 1.0
        # The same words on the map and in the GeoPackage's checks.
        assert html.escape(sentence, quote=False).replace("'", "&#39;") in _popups(outputs["html"])
        assert sentence in outputs["tracks"].loc[track["id"], "checks"]
        told += 1
    assert told >= 1  # the Homel-Minsk report gives one


def test_a_stop_is_named_once_with_its_status_on_the_map_and_in_kml(seeds, outputs):
    _, tracks, _ = seeds
    tooltips = re.findall(r"\.bindTooltip\(\s*`<div>\s*([^<]*?)\s*</div>`", outputs["html"])
    checked = 0
    for track in _placed(seeds):
        placemarks = [m.name for m in outputs["kml"][track["id"]].features]
        for stop in track["stops"][:-1]:  # the last one is named by how the track ended
            status = f"({stop['status']})"
            (name,) = {n for n in placemarks if n.startswith(stop["label"].split(" (")[0]) and n.endswith(status)
                       and " leg: " not in n}
            assert name.count(status) == 1
            assert html.unescape(name) in {html.unescape(t) for t in tooltips}
            checked += 1
    assert checked >= 6
