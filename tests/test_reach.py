"""geo.analysis.reach against independent computations: pyproj geodesics, shapely in a UTM plane, brute force.

Every track here is built by hand with only the columns geo.analysis.reach reads, so the
tests do not depend on how geo.tracks.build times a report.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from geo.analysis.reach import REACH_COLUMNS, reachability
from tests.reference import border_line, brute_force_km, country_polygons

GEOD = Geod(ellps="WGS84")
UTM35 = Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True)  # metric, independent of geo


def point_from(lon, lat, azimuth, km):
    """The point ``km`` along the geodesic from (lon, lat) at ``azimuth``."""
    x, y, _ = GEOD.fwd(lon, lat, azimuth, km * 1000.0)
    return float(x), float(y)


def track(track_id, fixes, *, speed=200.0, country="BY", origin="UA"):
    """A one-row frame: ``fixes`` are dicts with lon, lat, unc, t, source and optional label, approx, after, status."""
    stops = [{"label": f.get("label", f"fix {i}"), "lon": f["lon"], "lat": f["lat"], "uncertainty_km": f.get("unc", 0.0),
              "time": f.get("time"), "after_min": f.get("after"), "time_approx_min": f.get("approx"),
              "status": f.get("status", "reported")} for i, f in enumerate(fixes)]
    row = {
        "id": track_id, "country": country, "origin": origin, "speed_limit_kmh": speed, "stops": stops,
        "stop_index": np.arange(len(fixes)), "t_min": np.array([f["t"] for f in fixes], dtype=float),
        "time_source": np.array([f["source"] for f in fixes], dtype=object),
        "unc_km": np.array([f.get("unc", 0.0) for f in fixes], dtype=float),
        "geometry": shapely.LineString([(f["lon"], f["lat"]) for f in fixes]) if len(fixes) > 1 else None,
    }
    return gpd.GeoDataFrame([row], geometry="geometry", crs="EPSG:4326")


def fix(lon, lat, t, source="reported", **extra):
    return {"lon": lon, "lat": lat, "t": t, "source": source, **extra}


def geodesic_sum_km(points, f1, f2):
    lon, lat = points[:, 0], points[:, 1]
    _, _, a = GEOD.inv(np.full(len(lon), f1[0]), np.full(len(lon), f1[1]), lon, lat)
    _, _, b = GEOD.inv(lon, lat, np.full(len(lon), f2[0]), np.full(len(lon), f2[1]))
    return (np.asarray(a) + np.asarray(b)) / 1000.0


# Two fixes 100 km apart inside Belarus, 60 minutes apart: at 200 km/h the path is at most 200 km.
F1 = (28.0, 53.0)
F2 = point_from(*F1, 35.0, 100.0)


def test_ellipse_boundary_is_the_geodesic_ellipse():
    reach = reachability(track("e", [fix(*F1, 0.0), fix(*F2, 60.0)]))
    pair = reach["reach_pairs"].iloc[0][0]
    assert pair["max_path_km"] == pytest.approx(200.0) and pair["reachable"]
    assert pair["distance_km"] == pytest.approx(100.0, abs=1e-3)
    ring = shapely.get_coordinates(pair["ellipse"].exterior)
    sums = geodesic_sum_km(ring, F1, F2)
    assert np.all(np.abs(sums / 200.0 - 1.0) < 0.005)  # the requirement: 0.5%
    assert np.abs(sums - 200.0).max() < 0.001  # measured: under 1 m
    # Between vertices the straight edges stay within 10 m inside the curve.
    mids = (ring[:-1] + ring[1:]) / 2
    assert np.all(geodesic_sum_km(mids, F1, F2) <= 200.0 + 1e-3)
    assert geodesic_sum_km(mids, F1, F2).min() > 200.0 - 0.01
    # Area of an ellipse with semi-axes 100 and sqrt(100^2 - 50^2) km (the area is geodesic).
    assert pair["area_km2"] == pytest.approx(math.pi * 100.0 * math.sqrt(100.0**2 - 50.0**2), rel=0.005)
    assert shapely.equals(reach["reach_geometry"].iloc[0], pair["ellipse"])


def test_uncertain_fixes_enlarge_the_ellipse_and_approximate_times_lengthen_the_path():
    reach = reachability(track("u", [fix(*F1, 0.0, unc=5.0, time="2024-07-16T04:00:00+03:00", approx=15.0),
                                     fix(*F2, 60.0, "reported_approx", unc=10.0, time="2024-07-16T05:00:00+03:00")]))
    pair = reach["reach_pairs"].iloc[0][0]
    assert pair["slack_minutes"] == 45.0  # 15 given, 30 for an approximate time without a number
    assert pair["max_path_km"] == pytest.approx(200.0 * 105.0 / 60.0)
    sums = geodesic_sum_km(shapely.get_coordinates(pair["ellipse"].exterior), F1, F2)
    assert np.abs(sums - (pair["max_path_km"] + 15.0)).max() < 0.001


def test_a_delay_after_the_previous_fix_counts_its_own_uncertainty_only():
    reach = reachability(track("d", [fix(*F1, 0.0, approx=20.0), fix(*F2, 60.0, after=60.0, approx=10.0)]))
    assert reach["reach_pairs"].iloc[0][0]["slack_minutes"] == 10.0


def test_a_pair_out_of_reach_is_flagged():
    far = point_from(*F1, 35.0, 300.0)
    reach = reachability(track("far", [fix(*F1, 0.0, unc=10.0), fix(*far, 60.0, unc=10.0)]))
    pair = reach["reach_pairs"].iloc[0][0]
    assert pair["reachable"] is False and pair["ellipse"] is None
    assert pair["required_kmh"] == pytest.approx(280.0, abs=0.1)  # (300 - 10 - 10) km in one hour
    assert reach["reach_reachable"].iloc[0] is False and reach["reach_geometry"].iloc[0] is None
    # 210 km is within reach once both radii of 10 km are allowed for.
    near = point_from(*F1, 35.0, 210.0)
    pair = reachability(track("near", [fix(*F1, 0.0, unc=10.0), fix(*near, 60.0, unc=10.0)]))["reach_pairs"][0][0]
    assert pair["reachable"] is True and pair["required_kmh"] == pytest.approx(190.0, abs=0.1)


def test_a_tight_pair_is_exactly_the_set_reachable_from_the_discs():
    u, path = 20.0, 90.0  # 100 km apart, 27 minutes at 200 km/h: part of each disc is out of reach
    reach = reachability(track("tight", [fix(*F1, 0.0, unc=u), fix(*F2, 27.0, unc=u)]))
    region = reach["reach_pairs"].iloc[0][0]["ellipse"]
    lon, lat = np.meshgrid(np.linspace(26.5, 30.0, 240), np.linspace(52.3, 54.4, 240))
    pts = np.column_stack([lon.ravel(), lat.ravel()])
    _, _, a = GEOD.inv(np.full(len(pts), F1[0]), np.full(len(pts), F1[1]), pts[:, 0], pts[:, 1])
    _, _, b = GEOD.inv(pts[:, 0], pts[:, 1], np.full(len(pts), F2[0]), np.full(len(pts), F2[1]))
    score = np.maximum(np.asarray(a) / 1000 - u, 0) + np.maximum(np.asarray(b) / 1000 - u, 0)
    inside = shapely.contains_xy(region, pts[:, 0], pts[:, 1])
    clear = np.abs(score - path) > 0.05  # away from the boundary, membership must agree exactly
    assert np.array_equal(inside[clear], score[clear] <= path)
    assert (score <= path).sum() > 1000 and ((score > path) & (a / 1000 + b / 1000 <= path + 2 * u)).sum() > 100


@pytest.fixture(scope="module")
def border_case():
    """Fixes either side of the BY-UA border near Naroulia; 60 min at 200 km/h."""
    f1 = (29.45, 51.55)  # Ukraine
    f2 = point_from(*f1, 10.0, 100.0)  # Belarus
    reach = reachability(track("border", [fix(*f1, 0.0), fix(*f2, 60.0)]))
    return f1, f2, reach


def brute_force_depth(f1, f2, line, step_km=0.5):
    """Max over a step_km grid of points with |F1P|+|PF2| <= 200 km inside Belarus of the UTM distance to ``line``."""
    lon0, lat0 = (f1[0] + f2[0]) / 2, (f1[1] + f2[1]) / 2
    dlat, dlon = step_km / 111.2, step_km / (111.2 * math.cos(math.radians(lat0)))
    lon, lat = np.meshgrid(np.arange(lon0 - 1.7, lon0 + 1.7, dlon), np.arange(lat0 - 1.0, lat0 + 1.0, dlat))
    pts = np.column_stack([lon.ravel(), lat.ravel()])
    within = geodesic_sum_km(pts, f1, f2) <= 200.0
    assert not (within.reshape(lon.shape)[[0, -1], :].any() or within.reshape(lon.shape)[:, [0, -1]].any())
    pts = pts[within]
    by = country_polygons()["BY"]
    shapely.prepare(by)
    pts = pts[shapely.contains_xy(by, pts[:, 0], pts[:, 1])]
    x, y = UTM35.transform(pts[:, 0], pts[:, 1])
    xy, part = shapely.get_coordinates(shapely.get_parts(line), return_index=True)
    lx, ly = UTM35.transform(xy[:, 0], xy[:, 1])
    metric = np.column_stack([lx, ly])
    same = part[1:] == part[:-1]  # consecutive vertices of one part: a segment of the border
    tree = shapely.STRtree(shapely.linestrings(np.stack([metric[:-1][same], metric[1:][same]], axis=1)))
    _, dist = tree.query_nearest(shapely.points(x, y), return_distance=True, all_matches=False)
    return float(dist.max() / 1000.0)


def test_depth_from_the_origin_border_equals_a_brute_force_search(border_case):
    f1, f2, reach = border_case
    pair = reach["reach_pairs"].iloc[0][0]
    brute = brute_force_depth(f1, f2, border_line("BY", "UA"))
    assert pair["depth_border"] == "UA"
    assert abs(pair["depth_km"] - brute) < 1.0
    assert pair["depth_km"] >= brute - 0.05  # a grid can only find less than the maximum
    assert pair["depth_error_km"] <= 0.05 and reach["reach_depth_km"].iloc[0] == pair["depth_km"]


def test_depth_from_the_whole_boundary_equals_a_brute_force_search(border_case):
    f1, f2, reach = border_case
    pair = reach["reach_pairs"].iloc[0][0]
    brute = brute_force_depth(f1, f2, border_line("BY"))
    assert abs(pair["depth_any_km"] - brute) < 1.0 and pair["depth_any_km"] >= brute - 0.05


def test_the_deepest_point_is_a_point_of_the_region_in_the_country(border_case):
    f1, f2, reach = border_case
    deepest = reach["reach_deepest_point"].iloc[0]
    assert geodesic_sum_km(np.array([[deepest["lon"], deepest["lat"]]]), f1, f2)[0] <= 200.0 + 1e-3
    assert shapely.contains_xy(country_polygons()["BY"], deepest["lon"], deepest["lat"])
    km = brute_force_km(deepest["lon"], deepest["lat"], border_line("BY", "UA"))
    assert deepest["km"] == pytest.approx(km, abs=0.01)


def test_a_region_outside_the_country_has_no_depth():
    kyiv = (30.52, 50.45)
    reach = reachability(track("ua", [fix(*kyiv, 0.0), fix(*point_from(*kyiv, 90.0, 50.0), 20.0)]))
    pair = reach["reach_pairs"].iloc[0][0]
    assert pair["reachable"] and pair["ellipse"] is not None
    assert math.isnan(pair["depth_km"]) and math.isnan(reach["reach_depth_km"].iloc[0])


def test_fewer_than_two_timed_fixes_give_nothing():
    one = track("one", [fix(*F1, 0.0, "estimated"), fix(*F2, 30.0), fix(28.5, 53.8, 60.0, "interpolated")])
    presumed = track("presumed", [fix(*F1, 0.0), fix(*F2, 60.0, status="presumed")])
    same_time = track("same", [fix(*F1, 10.0), fix(*F2, 10.0)])
    empty = gpd.GeoDataFrame([{"id": "none", "country": "BY", "origin": "UA", "speed_limit_kmh": 225.0, "stops": [],
                               "stop_index": np.empty(0, int), "t_min": np.empty(0), "time_source": np.empty(0),
                               "unc_km": np.empty(0), "geometry": None}], geometry="geometry", crs="EPSG:4326")
    for frame in (one, presumed, same_time, empty):
        row = reachability(frame).iloc[0]
        assert row["reach_pairs"] == [] and row["reach_geometry"] is None and row["reach_deepest_point"] is None
        assert math.isnan(row["reach_depth_km"]) and row["reach_reachable"] is None


def test_rows_are_independent_of_the_frame():
    frames = [
        track("a", [fix(*F1, 0.0, unc=3.0), fix(*F2, 60.0), fix(29.0, 54.0, 100.0, unc=5.0)]),
        track("b", [fix(*F1, 0.0)]),
        track("c", [fix(*F1, 0.0, unc=10.0), fix(*point_from(*F1, 35.0, 300.0), 60.0)]),
        track("d", [fix(29.45, 51.55, 0.0), fix(*point_from(29.45, 51.55, 10.0, 100.0), 60.0)], speed=150.0),
    ]
    together = reachability(gpd.GeoDataFrame(gpd.pd.concat(frames, ignore_index=True), crs="EPSG:4326"))
    assert list(together.columns) == list(REACH_COLUMNS) and list(together["id"]) == ["a", "b", "c", "d"]
    assert [len(p) for p in together["reach_pairs"]] == [2, 0, 1, 1]
    for i, frame in enumerate(frames):
        alone = reachability(frame).iloc[0]
        for got, want in zip(together["reach_pairs"].iloc[i], alone["reach_pairs"], strict=True):
            assert got.keys() == want.keys()
            for key in got:
                assert same(got[key], want[key]), key
        assert same(together["reach_geometry"].iloc[i], alone["reach_geometry"])
        for key in ("reach_depth_km", "reach_depth_any_km", "reach_deepest_point", "reach_reachable"):
            assert same(together[key].iloc[i], alone[key]), key


def same(a, b) -> bool:
    """Exactly equal, NaN equal to NaN and geometries compared vertex by vertex."""
    if isinstance(a, shapely.Geometry) or isinstance(b, shapely.Geometry):
        return a is not None and b is not None and a.equals_exact(b, 0)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def test_the_loyew_hour_is_a_reach_between_its_two_crossings(seeds):
    """'Back into Ukraine about an hour later': the fixes are the entry and exit crossings."""
    _, tracks, figures = seeds
    row = figures.set_index("id").loc["2024-07-11-loyew"]
    (pair,) = row["reach_pairs"]
    crossings = row["crossings"]
    assert (pair["from"], pair["to"]) == ("entry crossing", "exit crossing")
    assert pair["minutes"] == pytest.approx(crossings[1]["t_min"] - crossings[0]["t_min"], abs=0.5)
    # The flown line between the crossings is a path the drone could have taken, so it lies in the area,
    # and the area reaches at least as deep as the line does.
    line = tracks.set_index("id").loc["2024-07-11-loyew", "geometry"]
    assert shapely.covers(shapely.buffer(row["reach_geometry"], 1e-6), line)
    assert row["reach_depth_km"] >= row["depth_km"]
