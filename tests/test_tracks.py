"""Specification of geo.tracks.build: from a validated report to a densified, timed track.

Every expected value here is computed independently of ``geo``: distances and
geodesics with :class:`pyproj.Geod`, point-in-polygon with shapely, on the
reference polygons and border lines read directly with geopandas from
``data/*.parquet``.  Reports are written inline as YAML, so each test shows the
input it specifies.
"""

from __future__ import annotations

import datetime as dt
import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo.reference.datafiles import data_path
from geo.geocoding.gazetteer import Gazetteer
from geo.reports.loading import parse_report
from geo.tracks.build import (
    BORDER_OFFSET_KM,
    DENSIFY_KM,
    ESTIMATED_BORDER_MIN_KM,
    REGION_ENTRY_KM,
    REGION_INSET_KM,
    build_tracks,
)
from tests.reference import brute_force_km, made_up_report

GEOD = Geod(ellps="WGS84")
#: Typical cruise speed of a Shahed-136 that the reports below fly (km/h); the
#: figure the brief gives for timing a report without any time.
SHAHED_TYPICAL_KMH = 170.0

# ----------------------------------------------------------------------------- helpers and fixtures


def report(route: str, *, id: str = "test-flight"):
    """A valid report around ``route`` (YAML list items, indented two spaces)."""
    return parse_report(made_up_report(route, id=id, summary="A made-up flight for the tests of geo.tracks.build."))


def track(route: str):
    """The one track row built from ``route`` with the offline gazetteer."""
    return build_tracks([report(route)], Gazetteer()).iloc[0]


def coords(row) -> np.ndarray:
    return shapely.get_coordinates(row.geometry)


def stop_vertices(row) -> np.ndarray:
    """Indices of the line's vertices that are stops, in stop order."""
    index = np.asarray(row.stop_index)
    at = np.flatnonzero(index >= 0)
    assert (index[at] == np.arange(len(row.stops))).all()
    return at


@pytest.fixture(scope="module")
def regions():
    return gpd.read_parquet(data_path("regions.parquet")).set_index("region_id").geometry


def on_ua_side(lon: float, lat: float, countries) -> bool:
    """In Ukraine, or in no country at all (OSM leaves no-country strips along border rivers)."""
    inside = [code for code, geom in countries.items() if shapely.contains_xy(geom, lon, lat)]
    return inside in (["UA"], [])


# ----------------------------------------------------------------------------- geometry


COORDS_ROUTE = """\
  - {lat: 52.00, lon: 27.00}
  - {lat: 52.45, lon: 27.60}
  - {lat: 52.47, lon: 27.61}
  - {lat: 53.10, lon: 26.40}
"""
WAYPOINTS = [(27.00, 52.00), (27.60, 52.45), (27.61, 52.47), (26.40, 53.10)]


def test_coords_waypoints_are_vertices_exactly_where_written():
    row = track(COORDS_ROUTE)
    at = stop_vertices(row)
    # Coordinates are stored rounded to 1e-7 degrees (about 1 cm): compare at that precision.
    np.testing.assert_allclose(coords(row)[at], WAYPOINTS, atol=1e-7, rtol=0)
    assert [s["kind"] for s in row.stops] == ["coords"] * 4
    assert at[0] == 0 and at[-1] == len(coords(row)) - 1


def test_line_is_densified_to_at_most_densify_km_between_vertices():
    xy = coords(track(COORDS_ROUTE))
    _, _, metres = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    # DENSIFY_KM exactly, plus 5 cm for the 1e-7 degree rounding of both ends of a piece.
    assert metres.max() <= DENSIFY_KM * 1000.0 + 0.05
    # ... and not needlessly dense: each leg is cut into ceil(length / DENSIFY_KM) pieces.
    _, _, leg_m = GEOD.inv(*np.array(WAYPOINTS[:-1]).T, *np.array(WAYPOINTS[1:]).T)
    assert len(xy) - 1 == int(sum(np.ceil(leg_m / (DENSIFY_KM * 1000.0))))


def test_densified_points_lie_on_the_geodesic_between_waypoints():
    row = track(COORDS_ROUTE)
    xy, at = coords(row), stop_vertices(row)
    for k, (i, j) in enumerate(itertools.pairwise(at)):
        (lon1, lat1), (lon2, lat2) = WAYPOINTS[k], WAYPOINTS[k + 1]
        inner = xy[i + 1 : j]
        # The geodesic's own evenly spaced points (pyproj's inv_intermediate, both ends
        # included as points 0 and -1, then dropped).
        ref = GEOD.inv_intermediate(lon1, lat1, lon2, lat2, npts=len(inner) + 2, initial_idx=0, terminus_idx=0,
                                    return_back_azimuth=True)
        ref_lon, ref_lat = np.asarray(ref.lons)[1:-1], np.asarray(ref.lats)[1:-1]
        _, _, off = GEOD.inv(inner[:, 0], inner[:, 1], ref_lon, ref_lat)
        # Within 1 m: the points are the same up to the 1 cm coordinate rounding.
        assert np.all(off < 1.0), (k, off.max())
        # And by a second route: seen from the leg's start, every point is on the leg's initial
        # azimuth, less than 1 m to either side.
        az, _, dist = GEOD.inv(np.full(len(inner), lon1), np.full(len(inner), lat1), inner[:, 0], inner[:, 1],
                               return_back_azimuth=True)
        az0, _, _ = GEOD.inv(lon1, lat1, lon2, lat2, return_back_azimuth=True)
        lateral_m = dist * np.sin(np.radians(az - az0))
        assert np.all(np.abs(lateral_m) < 1.0), (k, np.abs(lateral_m).max())


# ----------------------------------------------------------------------------- estimated entry and exit


def test_from_origin_then_a_place_starts_at_an_estimated_entry_just_across_the_border(countries, by_ua_border):
    row = track("""\
  - from: UA
  - place: Loyew
    hint: BY-HO
""")
    entry, loyew = row.stops[0], row.stops[1]
    assert (entry["kind"], entry["status"], entry["role"]) == ("entry", "estimated", "entry")
    # The report's spelling is shown; the gazetteer's name is kept as an attribute.
    assert loyew["label"] == "Loyew" and loyew["matched"]["name"] == "Loyev" and loyew["status"] == "reported"
    lon, lat = coords(row)[stop_vertices(row)[0]]
    # Put BORDER_OFFSET_KM across the border; + 10 m for the 20 m brute-force sampling
    # and the 1e-7 degree rounding (both far below that).
    assert brute_force_km(lon, lat, by_ua_border) <= BORDER_OFFSET_KM + 0.01
    assert on_ua_side(lon, lat, countries)
    # The leg from the estimated entry to the place is estimated, all of it.
    first_leg = np.asarray(row.seg_status)[: stop_vertices(row)[1]]
    assert len(first_leg) >= 1 and set(first_leg) == {"estimated"}


def test_an_exit_place_adds_an_estimated_exit_just_across_the_border(countries, by_ua_border):
    row = track("""\
  - {lat: 52.40, lon: 29.60}
  - place: Naroulia
    hint: BY-HO
    role: exit
""")
    assert [s["kind"] for s in row.stops] == ["coords", "place", "exit"]
    exit_ = row.stops[-1]
    assert (exit_["status"], exit_["role"]) == ("estimated", "exit")
    lon, lat = coords(row)[-1]
    assert brute_force_km(lon, lat, by_ua_border) <= BORDER_OFFSET_KM + 0.01  # as for the entry
    assert on_ua_side(lon, lat, countries)
    # Naroulia is ~27 km from the border: the exit leg is real, and estimated.
    last_leg = np.asarray(row.seg_status)[stop_vertices(row)[1]:]
    assert len(last_leg) >= 10 and set(last_leg) == {"estimated"}


# ----------------------------------------------------------------------------- regions


def test_a_region_the_straight_leg_already_crosses_adds_no_vertex(regions):
    start, end = (30.0, 52.6), (30.2, 55.0)  # Homel region -> Vitebsk region
    leg = shapely.LineString(GEOD.npts(*start, *end, 200))
    assert shapely.intersects(leg, regions["BY-MA"])  # the leg passes over the Mahiliou region
    row = track("""\
  - {lat: 52.6, lon: 30.0}
  - region: BY-MA
  - {lat: 55.0, lon: 30.2}
""")
    assert [s["kind"] for s in row.stops] == ["coords", "coords"]


def test_a_region_the_straight_leg_misses_adds_a_vertex_inside_it(regions):
    start, end = (30.0, 52.0), (30.5, 52.5)  # both in the Homel region, far from Brest's
    leg = shapely.LineString([start, *GEOD.npts(*start, *end, 50), end])
    assert not shapely.intersects(leg, regions["BY-BR"])
    row = track("""\
  - {lat: 52.0, lon: 30.0}
  - region: BY-BR
  - {lat: 52.5, lon: 30.5}
""")
    assert [s["kind"] for s in row.stops] == ["coords", "region", "coords"]
    lon, lat = coords(row)[stop_vertices(row)[1]]
    assert shapely.contains_xy(regions["BY-BR"], lon, lat)
    # REGION_INSET_KM inside, measured in the library's conformal plane: its scale
    # differs from the ellipsoid's by under 1% here, so allow 5% either way.
    depth = brute_force_km(lon, lat, regions["BY-BR"].boundary)
    assert REGION_INSET_KM * 0.95 <= depth <= REGION_INSET_KM * 1.05
    assert row.stops[1]["uncertainty_km"] == REGION_ENTRY_KM


# ----------------------------------------------------------------------------- "towards X"


@pytest.mark.parametrize(("place", "km", "heading"), [
    ("Naroulia", 120, "north"),      # the seed: past Naroulia, on north
    ("Homel", 60, "north-west"),
    ("Homel", 30, None),             # no heading: straight at Homel from the estimated entry
])
def test_toward_with_distance_from_border_ends_that_far_from_the_origin_border(place, km, heading, by_ua_border):
    heading_line = f"    heading: {heading}\n" if heading else ""
    row = track(f"""\
  - from: UA
  - toward: {place}
    hint: BY-HO
    distance_km: {km}
    measured_from: border
{heading_line}""")
    end = row.stops[-1]
    assert end["status"] == "estimated" and end["matched"]["placed_from"] == "measured_from_border"
    lon, lat = coords(row)[-1]
    # 1%: the library finds the distance along a 0.5 km sampled walk and interpolates.
    assert brute_force_km(lon, lat, by_ua_border) == pytest.approx(km, rel=0.01)


def test_a_region_before_the_first_place_is_not_dropped(regions):
    row = track("""\
  - region: BY-MA
  - place: Homel
    hint: BY-HO
  - {lat: 52.5, lon: 27.5}
""")
    kinds = [s["kind"] for s in row.stops]
    assert "region" in kinds
    lon, lat = coords(row)[stop_vertices(row)[kinds.index("region")]]
    assert shapely.contains_xy(regions["BY-MA"], lon, lat)


def test_toward_with_distance_from_border_ends_inside_the_country(countries):
    row = track("""\
  - from: UA
  - place: Loyew
    hint: BY-HO
  - toward: Naroulia
    hint: BY-HO
    distance_km: 100
    measured_from: border
    heading: south
""")
    lon, lat = coords(row)[-1]
    assert shapely.contains_xy(countries["BY"], lon, lat)  # got 29.498 E 50.485 N, 100 km into Ukraine


# ----------------------------------------------------------------------------- times


def test_two_clock_times_are_interpolated_by_distance():
    row = track("""\
  - {lat: 52.0, lon: 27.0, time: "04:00"}
  - {lat: 52.5, lon: 27.5}
  - {lat: 52.6, lon: 28.5, time: "05:00"}
""")
    xy = coords(row)
    _, _, step = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    along = np.concatenate([[0.0], np.cumsum(step)])
    t = np.asarray(row.t_min, dtype=float)
    assert row.clock == "absolute"
    assert (t[0], t[-1]) == (0.0, 60.0)
    mid = len(xy) // 2
    assert row.stop_index[mid] == -1  # a densified vertex, not a stop
    # 60 minutes shared by distance; 0.01 min (0.6 s) covers the 1 cm coordinate rounding.
    assert t[mid] == pytest.approx(60.0 * along[mid] / along[-1], abs=0.01)
    assert np.allclose(t, 60.0 * along / along[-1], atol=0.01)
    at = stop_vertices(row)
    assert list(np.asarray(row.time_source)[at]) == ["reported", "interpolated", "reported"]


def test_a_report_without_times_is_timed_at_the_drones_typical_speed():
    row = track("""\
  - {lat: 52.0, lon: 27.0}
  - {lat: 52.5, lon: 27.5}
""")
    xy = coords(row)
    _, _, step = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    along_km = np.concatenate([[0.0], np.cumsum(step)]) / 1000.0
    assert row.clock == "relative" and row.t0 is None
    # minutes = km / 170 km/h; 0.01 min is 28 m of flight, far above the rounding.
    np.testing.assert_allclose(np.asarray(row.t_min, float), along_km / SHAHED_TYPICAL_KMH * 60.0, atol=0.01)
    assert set(row.time_source) == {"estimated"}


def test_after_gives_that_many_minutes_between_the_two_stops():
    row = track("""\
  - {lat: 52.0, lon: 27.0, time: "04:00"}
  - {lat: 52.5, lon: 27.5, after: 1h}
  - {lat: 52.6, lon: 28.5}
""")
    at = stop_vertices(row)
    t = np.asarray(row.t_min, float)
    assert t[at[1]] - t[at[0]] == pytest.approx(60.0, abs=1e-9)
    assert list(np.asarray(row.time_source)[at]) == ["reported", "reported", "estimated"]


def test_clock_times_are_read_in_the_reports_time_zone():
    row = track("""\
  - {lat: 52.0, lon: 27.0, time: "04:00"}
  - {lat: 52.5, lon: 27.5}
""")
    # Minsk is UTC+3 all year.
    assert row.t0 == dt.datetime(2024, 7, 16, 1, 0, tzinfo=dt.UTC)


# ----------------------------------------------------------------------------- uncertainty


def test_each_stop_carries_an_uncertainty_radius():
    row = track("""\
  - from: UA
  - place: Loyew
    hint: BY-HO
  - region: BY-BR
  - {lat: 52.5, lon: 30.5, uncertainty_km: 3}
""")
    kinds = [s["kind"] for s in row.stops]
    assert kinds == ["entry", "place", "region", "coords"]
    gazetteer_km = Gazetteer().geocode("Loyew", exactly_one=True, hint="BY-HO").raw["uncertainty_km"]
    entry, loyew, region, point = row.stops
    assert entry["uncertainty_km"] >= ESTIMATED_BORDER_MIN_KM
    assert loyew["uncertainty_km"] == pytest.approx(gazetteer_km)
    assert region["uncertainty_km"] == REGION_ENTRY_KM
    assert point["uncertainty_km"] == 3.0
    # The per-vertex radius is the stop's own at each stop (as_dict rounds to 0.1 km).
    unc = np.asarray(row.unc_km, float)[stop_vertices(row)]
    np.testing.assert_allclose(unc, [s["uncertainty_km"] for s in row.stops], atol=0.05)


# ----------------------------------------------------------------------------- unplaceable


def test_an_incident_with_only_a_from_is_kept_unplaced():
    frame = build_tracks([report("  - from: UA\n    time: \"04:00\"\n", id="only-from"),
                          report("  - {lat: 52.0, lon: 27.0}\n  - {lat: 52.5, lon: 27.5}\n", id="placed")],
                         Gazetteer())
    assert list(frame["id"]) == ["only-from", "placed"]  # never dropped, order kept
    row = frame.iloc[0]
    assert not row.placed
    assert row.geometry is None
    assert len(row.t_min) == 0 and len(row.seg_status) == 0
    assert bool(frame.iloc[1].placed)
