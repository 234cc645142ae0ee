"""Specification of ``geo export`` and :mod:`geo.outputs.files.layers` / :mod:`geo.outputs.files.kml`.

Every file is read back with an independent reader (pyogrio/GDAL, geopandas,
fastkml, the OGC KML 2.2 schema that fastkml ships, zipfile) and its figures
compared with :func:`geo.analysis.analyse.analyse`; lengths are re-measured with
``pyproj.Geod``.  Figures are exported rounded to 0.1 km / 0.1 min and
coordinates to 1e-5 degrees, hence the tolerances.
"""

from __future__ import annotations

import html

import json
import sqlite3
import zipfile

import fastkml
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from fastkml import gx
from fastkml.validator import validate
from pyproj import Geod

from geo.present.words import incident_name
from geo.analysis.analyse import analyse
from geo.cli import cli
from geo.errors import ExportError
from geo.outputs.files.fileexport import EXPORT_FORMATS, write_export
from geo.outputs.files.layers import LAYERS, layers
from geo.reports.loading import load_reports
from geo.tracks.build import build_tracks

KM_TOL = 0.05 + 1e-9       # a figure rounded to 0.1 km (or min)
DEG_TOL = 0.5e-5 + 1e-12   # a coordinate rounded to 1e-5 degrees
GEOD = Geod(ellps="WGS84")
UNPLACED = "2024-07-16-over-60-km"
TIMED = "2024-07-16-naroulia"  # the seed with a clock time
KML_NS = "{http://www.opengis.net/kml/2.2}"

HOSTILE = """\
id: hostile-text
title: "<script>alert('title')</script> & ]]> ${x} `y`"
date: 2024-07-16
timezone: Europe/Minsk
drone: shahed-136
country: BY
origin: UA
outcome: exploded
summary: "<img src=x onerror=alert('summary')> ]]>"
sources:
  - {id: s1, publisher: "<b onmouseover=alert('publisher')>Pub</b>"}
route:
  - {lat: 51.80, lon: 25.60, time: "03:00", note: "<script>alert('note')</script>", sources: [s1]}
  - {lat: 52.20, lon: 25.70, note: "</div>]]><script>alert(2)</script>", sources: [s1]}
"""


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def written(seeds, tmp_path_factory):
    """Every format written twice, into two folders, through the library."""
    reports, tracks, figures = seeds
    out = {}
    for run in ("a", "b"):
        folder = tmp_path_factory.mktemp(f"export-{run}")
        out[run] = {ext: write_export(folder / f"incidents{ext}", tracks, figures, reports=reports)
                    for ext in (".geojson", ".gpkg", ".csv", ".kml", ".kmz")}
    return out


@pytest.fixture(scope="module")
def gpkg(written):
    path = written["a"][".gpkg"]
    return {name: gpd.read_file(path, layer=name) for name in LAYERS}


@pytest.fixture(scope="module")
def by_id(seeds):
    _, tracks, figures = seeds
    return {t["id"]: (t, f) for (_, t), (_, f) in zip(tracks.iterrows(), figures.iterrows())}


@pytest.fixture(scope="module")
def kml_doc(written):
    return fastkml.KML.from_string(written["a"][".kml"].read_text(encoding="utf-8"))


def _incident_folders(doc):
    (document,) = doc.features
    (top,) = document.features
    return top, {f.name.split(":")[0]: f for f in top.features}


def _close(a, b, tol=KM_TOL):
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return (a is None or pd.isna(a)) and (b is None or pd.isna(b))
    return abs(float(a) - float(b)) <= tol


# ----------------------------------------------------------------------------- GeoPackage


def test_gpkg_has_the_five_layers_with_their_geometry_types_and_crs(written):
    path = written["a"][".gpkg"]
    assert pyogrio.list_layers(path).tolist() == [
        ["tracks", "LineString"], ["legs", "LineString"], ["waypoints", "Point"], ["crossings", "Point"],
        ["deepest_points", "Point"]]
    for name in LAYERS:
        assert pyogrio.read_info(path, layer=name)["crs"] == "EPSG:4326"


def test_gpkg_tracks_carry_the_figures_and_the_line(gpkg, by_id):
    tracks = gpkg["tracks"].set_index("id")
    assert sorted(tracks.index) == sorted(by_id)
    for id_, (track, fig) in by_id.items():
        row = tracks.loc[id_]
        for column in ("length_km", "depth_km", "inside_km", "inside_minutes", "depth_any_km", "duration_minutes"):
            assert _close(row[column], fig[column]), (id_, column)
        lo, hi = fig["length_km_range"]
        assert _close(row["length_km_min"], lo) and _close(row["length_km_max"], hi)
        assert row["crossings_count"] == len(fig["crossings"])
        assert row["checks_contradicting"] == sum(c["status"] == "contradicts" for c in fig["checks"])
        assert row["checks_consistent"] + row["checks_contradicting"] + row["checks_cannot_check"] == len(fig["checks"])
        assert [c["to"] for c in json.loads(row["crossings"])] == [c["to"] for c in fig["crossings"]]
        if not track["placed"]:
            assert row.geometry is None and not row["placed"]
            continue
        expected = shapely.get_coordinates(track.geometry)
        np.testing.assert_allclose(shapely.get_coordinates(row.geometry), expected, atol=DEG_TOL)
        for status, km in fig["length_by_status_km"].items():
            assert _close(row[f"length_{status}_km"], km)


def test_gpkg_unplaced_incident_is_a_row_without_geometry(gpkg):
    row = gpkg["tracks"].set_index("id").loc[UNPLACED]
    assert row.geometry is None
    assert row["reported_depth_km"] == 60 and row["reported_depth_qualifier"] == "over"
    assert "no place along its path was named" in row["description"]


def test_gpkg_crossings_are_the_analysed_points(gpkg, by_id):
    layer = gpkg["crossings"]
    for id_, (_, fig) in by_id.items():
        rows = layer[layer["id"] == id_].sort_values("crossing")
        assert len(rows) == len(fig["crossings"])
        for (_, row), c in zip(rows.iterrows(), fig["crossings"]):
            assert (row["from_country"], row["to_country"]) == (c["from"], c["to"])
            assert abs(row.geometry.x - c["lon"]) <= DEG_TOL and abs(row.geometry.y - c["lat"]) <= DEG_TOL
            assert bool(row["time_estimated"]) == c["time_estimated"]
            if c["time"]:
                assert row["time"] == pd.Timestamp(c["time"]) and row["time_local"] == c["time"]
            else:
                assert pd.isna(row["time"])


def test_gpkg_deepest_points_carry_depth_and_range(gpkg, by_id):
    layer = gpkg["deepest_points"].set_index("id")
    placed = [i for i, (t, _) in by_id.items() if t["placed"]]
    assert sorted(layer.index) == sorted(placed)
    for id_ in placed:
        fig = by_id[id_][1]
        row, deepest = layer.loc[id_], fig["deepest_point"]
        assert _close(row["depth_km"], fig["depth_km"])
        assert _close(row["depth_km_min"], fig["depth_km_range"][0])
        assert _close(row["depth_km_max"], fig["depth_km_range"][1])
        assert abs(row.geometry.x - deepest["lon"]) <= DEG_TOL and abs(row.geometry.y - deepest["lat"]) <= DEG_TOL


def test_legs_add_up_to_the_length_and_match_geodesic_lengths(gpkg, by_id):
    legs = gpkg["legs"]
    for id_, (track, fig) in by_id.items():
        rows = legs[legs["id"] == id_].sort_values("leg")
        if not track["placed"]:
            assert rows.empty
            continue
        # Each leg's km against its own geometry, measured here on the ellipsoid.
        for _, row in rows.iterrows():
            assert abs(row["km"] - GEOD.geometry_length(row.geometry) / 1000.0) <= KM_TOL + 0.01
        assert abs(rows["km"].sum() - fig["length_km"]) <= KM_TOL * (len(rows) + 1)
        for status, km in fig["length_by_status_km"].items():
            assert abs(rows.loc[rows["status"] == status, "km"].sum() - km) <= KM_TOL * (len(rows) + 1)
        # One leg from each stop to the next, end to end, as the maps label them.
        labels = [s["label"] for s in track["stops"]]
        assert rows["from_stop"].tolist() == labels[:-1]
        assert rows["to_stop"].tolist() == labels[1:]
        ends = np.array([[g.coords[0], g.coords[-1]] for g in rows.geometry])
        np.testing.assert_allclose(ends[1:, 0], ends[:-1, 1])


def test_waypoints_are_the_stops(gpkg, by_id):
    layer = gpkg["waypoints"]
    for id_, (track, _) in by_id.items():
        rows = layer[layer["id"] == id_].sort_values("stop")
        assert rows["label"].tolist() == [s["label"] for s in track["stops"]]
        assert rows["status"].tolist() == [s["status"] for s in track["stops"]]
        np.testing.assert_allclose(rows["uncertainty_km"], [s["uncertainty_km"] for s in track["stops"]])
        np.testing.assert_allclose(shapely.get_coordinates(rows.geometry),
                                   [[s["lon"], s["lat"]] for s in track["stops"]] or np.empty((0, 2)),
                                   atol=DEG_TOL)
    timed = layer[layer["id"] == TIMED].sort_values("stop")
    assert timed["time_local"].iloc[0] == "2024-07-16T08:00:00+03:00"
    assert timed["time"].iloc[0] == pd.Timestamp("2024-07-16T05:00:00Z")
    assert "Belarusian Hajun" in timed["source_details"].iloc[0]


def test_gpkg_is_deterministic(written):
    a, b = written["a"][".gpkg"], written["b"][".gpkg"]
    for name in LAYERS:
        pd.testing.assert_frame_equal(gpd.read_file(a, layer=name), gpd.read_file(b, layer=name))
    # The timestamps GeoPackage records are the latest incident's date, not the clock: same bytes.
    with sqlite3.connect(a) as con:
        changed = {row[0] for row in con.execute("SELECT last_change FROM gpkg_contents")}
    assert changed == {"2024-07-16T00:00:00.000Z"}
    assert a.read_bytes() == b.read_bytes()


# ----------------------------------------------------------------------------- GeoJSON and CSV


def test_geojson_reads_back_with_the_figures(written, by_id):
    frame = gpd.read_file(written["a"][".geojson"]).set_index("id")
    assert frame.crs.to_epsg() == 4326
    for id_, (track, fig) in by_id.items():
        row = frame.loc[id_]
        for column in ("length_km", "depth_km", "inside_km"):
            assert _close(row[column], fig[column]), (id_, column)
        crossings = row["crossings"] if isinstance(row["crossings"], list) else json.loads(row["crossings"] or "[]")
        assert len(crossings) == len(fig["crossings"])
        for got, c in zip(crossings, fig["crossings"]):
            assert abs(got["lon"] - c["lon"]) <= DEG_TOL and abs(got["lat"] - c["lat"]) <= DEG_TOL
        if track["placed"]:
            np.testing.assert_allclose(shapely.get_coordinates(row.geometry),
                                       shapely.get_coordinates(track.geometry), atol=DEG_TOL)
        else:
            assert row.geometry is None


def test_csv_is_what_geo_analyze_prints(written, tmp_path):
    runner = CliRunner()
    analyzed = runner.invoke(cli, ["analyze", "-f", "csv"], catch_exceptions=False)
    assert analyzed.exit_code == 0
    out = tmp_path / "incidents.csv"
    exported = runner.invoke(cli, ["export", "-o", str(out)], catch_exceptions=False)
    assert exported.exit_code == 0, exported.output
    assert out.read_text(encoding="utf-8") == analyzed.stdout
    assert written["a"][".csv"].read_text(encoding="utf-8") == analyzed.stdout


@pytest.mark.parametrize("ext", [".geojson", ".csv", ".kml", ".kmz"])
def test_same_input_same_bytes(written, ext):
    assert written["a"][ext].read_bytes() == written["b"][ext].read_bytes()


# ----------------------------------------------------------------------------- KML and KMZ


def test_kml_is_valid_against_the_ogc_kml_22_schema(written):
    # fastkml ships the OGC KML 2.2 schema with Google's gx extensions (no network needed).
    assert validate(file_to_validate=written["a"][".kml"]) is True


def test_kml_has_one_folder_per_incident(kml_doc, by_id, seeds):
    _, tracks, _ = seeds
    top, folders = _incident_folders(kml_doc)
    assert list(folders) == list(tracks["id"])
    assert "KML has no dashed lines" in top.description
    row = tracks.set_index("id").loc[UNPLACED]
    assert incident_name(row) in html.unescape(top.description)  # named as the report labels it, not by file
    unplaced = folders[UNPLACED]
    assert unplaced.features == [] and "not placed" in unplaced.name
    for id_, (track, fig) in by_id.items():
        if not track["placed"]:
            continue
        marks = folders[id_].features
        legs = [m for m in marks if m.name.endswith(tuple(f"→ {s['label']}" for s in track["stops"]))
                and " leg: " in m.name]
        assert {m.name.split(" leg:")[0] for m in legs} == set(track["seg_status"])
        names = [m.name for m in marks]
        assert sorted(n for n in names if n in {f"{c['from']}→{c['to']}" for c in fig["crossings"]}) == sorted(
            f"{c['from']}→{c['to']}" for c in fig["crossings"])
        assert sum(m.name == "deepest point" for m in marks) == 1


def test_kml_timed_track_follows_the_vertices_in_time(kml_doc, by_id):
    _, folders = _incident_folders(kml_doc)
    track, _ = by_id[TIMED]
    (mark,) = [m for m in folders[TIMED].features if isinstance(m.kml_geometry, gx.Track)]
    items = mark.kml_geometry.track_items
    times = pd.to_datetime([str(item.when) for item in items])
    assert (np.diff(times.asi8) >= 0).all()
    expected = pd.Timestamp(track["t0"]) + pd.to_timedelta(np.asarray(track["t_min"], float), unit="min")
    assert np.abs((times - expected).total_seconds()).max() <= 0.5
    coords = np.array([item.coord.coords[0][:2] for item in items])
    np.testing.assert_allclose(coords, shapely.get_coordinates(track.geometry), atol=DEG_TOL)
    assert "estimated" in mark.description
    # Reports without a clock time have no timed track, and say so.
    for id_, (t, _) in by_id.items():
        if t["placed"] and t["clock"] != "absolute":
            assert not any(isinstance(m.kml_geometry, gx.Track) for m in folders[id_].features)
            assert "no clock time" in folders[id_].description


def test_kmz_is_the_kml_zipped_as_doc_kml(written):
    with zipfile.ZipFile(written["a"][".kmz"]) as archive:
        (info,) = archive.infolist()
        assert info.filename == "doc.kml"
        assert info.date_time == (2024, 7, 16, 0, 0, 0)
        assert archive.read("doc.kml") == written["a"][".kml"].read_bytes()


def test_report_text_stays_inert_in_kml(tmp_path, gazetteer):
    (tmp_path / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    reports = load_reports([str(tmp_path / "hostile.yaml")], geocoder=gazetteer)
    tracks = build_tracks(reports, gazetteer)
    path = write_export(tmp_path / "hostile.kml", tracks, analyse(tracks), reports=reports)
    raw = path.read_text(encoding="utf-8")
    assert "<script" not in raw and "<img" not in raw and "<b onmouseover" not in raw
    assert validate(file_to_validate=path) is True  # "]]>" in the text did not end a CDATA section
    doc = fastkml.KML.from_string(raw)
    _, folders = _incident_folders(doc)
    folder = folders["hostile-text"]
    html = " ".join([folder.description] + [m.description for m in folder.features])
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror" in html and "<img" not in html and "<script" not in html
    assert "&#36;&#123;x&#125;" in html and "&#96;y&#96;" in html
    # Names are plain text, and never reach a balloon as HTML: every balloon shows the description only.
    assert folder.name.startswith("hostile-text: <script>")
    styles = doc.features[0].styles
    assert styles and all(s.styles[-1].text == "$[description]" for s in styles)
    assert any(isinstance(m.kml_geometry, gx.Track) for m in folder.features)  # it has a clock time


# ----------------------------------------------------------------------------- bad input


def test_bad_extension_is_one_line_exit_2_and_no_file(tmp_path):
    out = tmp_path / "incidents.shp"
    result = CliRunner().invoke(cli, ["export", "-o", str(out)])
    assert result.exit_code == 2  # as `geo image`: the user can fix the command line
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.output and result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert str(out) in result.stderr and all(ext in result.stderr for ext in EXPORT_FORMATS)
    assert list(tmp_path.iterdir()) == []


def test_missing_directory_is_one_line_and_no_traceback(tmp_path):
    result = CliRunner().invoke(cli, ["export", "-o", str(tmp_path / "nowhere" / "x.gpkg")])
    assert result.exit_code != 0
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.output
    assert "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_write_export_rejects_figures_of_other_tracks(seeds, tmp_path):
    _, tracks, figures = seeds
    with pytest.raises(ExportError, match="do not match"):
        write_export(tmp_path / "x.gpkg", tracks, figures.iloc[::-1])
    assert list(tmp_path.iterdir()) == []


def test_layers_of_no_incident_are_empty_with_their_columns(seeds):
    _, tracks, figures = seeds
    out = layers(tracks.iloc[:0], figures.iloc[:0])
    assert list(out) == list(LAYERS)
    assert all(frame.empty and "id" in frame.columns for frame in out.values())
