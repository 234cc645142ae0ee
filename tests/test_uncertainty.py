"""Specification of the uncertainty of constructed points: never narrower than what they are built from.

Expected values are computed here with :class:`pyproj.Geod`, pyproj's
``Transformer`` and shapely on the border lines and country polygons read
directly from ``data/*.parquet`` (``tests/reference.py``); nothing calls geo's
own measuring code.

The estimated-entry coverage test was written before its rule was implemented
or run: synthetic flights whose true entry is known (points evenly spread along
the Belarus–Ukraine, Belarus–Poland and Belarus–Lithuania borders, each flown
in a straight line 25, 60 or 120 km into Belarus at up to 45 degrees off the
straight-in direction) must have the true entry inside the estimated entry's
radius in at least 90% of cases, and in at least 80% on each border.

The first rule tried (the stretch within 1.5 times the shortest distance)
failed it: 75.7% (median radius 50 km; the old rule, max(10 km, half the
distance), 42.0% with a median of 19 km).  The rule in :mod:`geo.tracks.entry`
(shortest distance plus 50 km, or a 45-degree detour for deep places) was
chosen then, and checked on truths this file does not contain: other points
along the borders, angles -40..35 degrees and 40/90 km (92.9% of 240), and
50-60 degrees off straight-in (96.1% of 128).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from geo.geocoding.gazetteer import Gazetteer
from geo.reports.loading import parse_report
from geo.tracks.build import HEADING_UNCERTAINTY_DEG, build_tracks
from tests.reference import border_line, country_polygons, made_up_report

GEOD = Geod(ellps="WGS84")
#: An equal-area plane for Europe (LAEA, EPSG:3035), used only to lay out the synthetic truths.
TO_PLANE = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)

def report(route: str, *, id: str = "test-flight", origin: str = "UA"):
    return parse_report(made_up_report(route, id=id, origin=origin, summary="A made-up flight for the uncertainty tests."))


def track(route: str, **kwargs):
    return build_tracks([report(route, **kwargs)], Gazetteer()).iloc[0]


def km_between(a: dict, b: dict) -> float:
    return GEOD.inv(a["lon"], a["lat"], b["lon"], b["lat"])[2] / 1000.0


# ----------------------------------------------------------------------------- presumed "towards X"


def test_a_presumed_toward_point_is_at_least_as_uncertain_as_the_stop_it_is_reached_from():
    row = track("""\
  - {lat: 52.90, lon: 30.00, uncertainty_km: 3}
  - toward: Vitebsk
    hint: BY
    status: presumed
""")
    start, end = row.stops
    assert end["status"] == "presumed"
    vitebsk = Gazetteer().geocode("Vitebsk", exactly_one=True, hint="BY").raw
    travelled = km_between(start, end)
    # The heading to X is assumed: the lateral error grows with the distance flown from
    # the previous stop (pyproj), on top of that stop's own radius; and never below X's own.
    expected = 3.0 + travelled * math.tan(math.radians(HEADING_UNCERTAINTY_DEG))
    assert end["uncertainty_km"] >= max(expected, vitebsk["uncertainty_km"]) - 0.05  # as_dict rounds to 0.1 km
    assert end["uncertainty_km"] > start["uncertainty_km"]


def test_the_homel_minsk_seed_widens_towards_vitebsk_instead_of_narrowing(seed_tracks_by_id):
    tracks = seed_tracks_by_id
    row = tracks.loc["2024-07-13-homel-minsk"]
    *_, before, last = row.stops
    assert last["label"].startswith("towards") and last["status"] == "presumed"
    assert last["uncertainty_km"] >= before["uncertainty_km"] + km_between(before, last) * math.tan(
        math.radians(HEADING_UNCERTAINTY_DEG)) - 0.1
    # Along the line the radius then never shrinks on the presumed leg.
    unc = np.asarray(row.unc_km, float)
    at = np.flatnonzero(np.asarray(row.stop_index) >= 0)
    assert np.all(np.diff(unc[at[-2]:]) >= -1e-9)


def test_every_constructed_stop_of_the_seeds_is_at_least_as_uncertain_as_what_it_is_built_from(seed_tracks_by_id):
    tracks = seed_tracks_by_id
    checked = 0
    for stops in tracks["stops"]:
        for i, stop in enumerate(stops):
            own = stop["matched"].get("place_uncertainty_km")  # a presumed X's own (gazetteer) radius
            if stop["kind"] == "entry" and stop["status"] == "estimated":
                nxt = stops[i + 1]  # placed from the first located waypoint's position and radius
                bound = nxt["matched"].get("place_uncertainty_km", nxt["uncertainty_km"])
            elif stop["status"] in ("estimated", "presumed") and i > 0:
                prev = stops[i - 1]
                # Reached from the previous stop; but an estimated entry placed from this very
                # stop holds no knowledge of it, so then the stop's own radius is the bound.
                from_entry = prev["kind"] == "entry" and prev["status"] == "estimated" and own is not None
                bound = own if from_entry else prev["uncertainty_km"]
            else:
                continue
            assert stop["uncertainty_km"] >= bound - 0.05, (stop["label"], bound)
            checked += 1
    assert checked >= 6


# ----------------------------------------------------------------------------- points built from distances


def test_toward_for_a_distance_is_at_least_as_uncertain_as_its_start():
    row = track("""\
  - {lat: 52.30, lon: 29.00, uncertainty_km: 30}
  - toward: Homel
    hint: BY-HO
    distance_km: 50
""")
    _start, end = row.stops
    assert end["status"] == "estimated"
    assert end["uncertainty_km"] >= 30.0 + 50 * math.tan(math.radians(HEADING_UNCERTAINTY_DEG)) - 0.05


def test_a_point_placed_from_the_border_distance_is_at_least_as_uncertain_as_the_estimated_entry():
    row = track("""\
  - from: UA
  - toward: Homel
    hint: BY-HO
    distance_km: 60
    measured_from: border
""")
    entry, end = row.stops[0], row.stops[-1]
    assert entry["kind"] == "entry"
    assert end["uncertainty_km"] >= entry["uncertainty_km"] - 0.05
    # Its depth is the reported one, known to 10%, whatever the lateral spread.
    at_end = np.asarray(row.depth_unc_km, float)[-1]
    assert at_end == pytest.approx(6.0, abs=0.01)


def test_a_region_vertex_is_at_least_as_uncertain_as_the_stop_before_it():
    row = track("""\
  - {lat: 52.00, lon: 30.00, uncertainty_km: 35}
  - region: BY-BR
  - {lat: 52.50, lon: 30.50, uncertainty_km: 3}
""")
    assert [s["kind"] for s in row.stops] == ["coords", "region", "coords"]
    assert row.stops[1]["uncertainty_km"] >= 35.0


def test_an_estimated_entry_is_at_least_as_uncertain_as_the_place_it_is_placed_from():
    row = track("""\
  - from: UA
  - {lat: 52.20, lon: 29.80, uncertainty_km: 40}
""")
    assert row.stops[0]["kind"] == "entry" and row.stops[0]["uncertainty_km"] >= 40.0


def test_an_estimated_exit_is_at_least_as_uncertain_as_the_exit_waypoint(seed_tracks_by_id):
    tracks = seed_tracks_by_id
    stops = tracks.loc["2024-07-11-loyew"].stops
    reserve, exit_ = stops[-2], stops[-1]
    assert exit_["kind"] == "exit" and reserve["role"] == "exit"
    assert exit_["uncertainty_km"] >= reserve["uncertainty_km"] - 0.05


# ----------------------------------------------------------------------------- estimated entry: coverage


#: How many true entry points per border, spread evenly along it (the outer 5% at each end left out).
TRUTH_POINTS = {"UA": 12, "PL": 8, "LT": 10}
#: Angles (degrees) off the straight-in direction, and distances flown (km) to the first named place.
TRUTH_ANGLES = (-45.0, -30.0, -15.0, 0.0, 15.0, 30.0, 45.0)
TRUTH_DISTANCES = (25.0, 60.0, 120.0)
#: The border's general direction at a point: from points this far (m) either side along it.
TANGENT_BASE_M = 15_000.0


def synthetic_truths(origin: str):
    """(true entry lon/lat, first place lon/lat, angle) for flights from ``origin`` into Belarus.

    Laid out in the LAEA plane: a point every 1/n of the border's length, the
    inward normal of the border's general direction there, a straight flight at
    each angle and distance, kept when it stays inside Belarus after its first
    3 km (a plausible line: it does not leave the country and come back).
    """
    by = country_polygons()["BY"]
    by_plane = shapely.transform(by, lambda xy: np.column_stack(TO_PLANE.transform(xy[:, 0], xy[:, 1])))
    line = border_line("BY", origin)
    plane = shapely.transform(line, lambda xy: np.column_stack(TO_PLANE.transform(xy[:, 0], xy[:, 1])))
    n = TRUTH_POINTS[origin]
    out = []
    for k in range(n):
        s = plane.length * (0.05 + 0.9 * (k + 0.5) / n)
        t = np.array(plane.interpolate(s).coords[0])
        a = np.array(plane.interpolate(max(s - TANGENT_BASE_M, 0.0)).coords[0])
        b = np.array(plane.interpolate(min(s + TANGENT_BASE_M, plane.length)).coords[0])
        tangent = (b - a) / np.linalg.norm(b - a)
        normal = np.array([-tangent[1], tangent[0]])
        inside = [shapely.contains_xy(by_plane, *(t + sign * 5000.0 * normal)) for sign in (1, -1)]
        if inside.count(True) != 1:
            continue
        normal = normal if inside[0] else -normal
        for angle in TRUTH_ANGLES:
            c, s_ = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            heading = np.array([c * normal[0] - s_ * normal[1], s_ * normal[0] + c * normal[1]])
            for km in TRUTH_DISTANCES:
                p = t + km * 1000.0 * heading
                if not shapely.contains(by_plane, shapely.LineString([t + 3000.0 * heading, p])):
                    continue
                out.append((TO_LONLAT.transform(*t), TO_LONLAT.transform(*p), angle))
    return out


@pytest.fixture(scope="module")
def entry_coverage():
    """Per border: (covered?, radius km, miss km, angle) for every synthetic truth."""
    result = {}
    for origin in TRUTH_POINTS:
        truths = synthetic_truths(origin)
        reports = [report(f"  - from: {origin}\n  - {{lat: {p[1]:.6f}, lon: {p[0]:.6f}, uncertainty_km: 1}}\n",
                          id=f"truth-{origin.lower()}-{i}", origin=origin) for i, (_, p, _) in enumerate(truths)]
        rows = build_tracks(reports, Gazetteer())
        cases = []
        for (true_entry, _, angle), stops in zip(truths, rows["stops"]):
            entry = stops[0]
            assert entry["kind"] == "entry"
            miss = GEOD.inv(entry["lon"], entry["lat"], *true_entry)[2] / 1000.0
            # as_dict rounds the radius to 0.1 km and the position to 1e-5 degrees (~1 m).
            cases.append((miss <= entry["uncertainty_km"] + 0.05, entry["uncertainty_km"], miss, angle))
        result[origin] = cases
    return result


def test_the_synthetic_truths_are_many_and_on_every_border(entry_coverage):
    for origin, cases in entry_coverage.items():
        assert len(cases) >= 0.5 * TRUTH_POINTS[origin] * len(TRUTH_ANGLES) * len(TRUTH_DISTANCES), origin


def test_an_estimated_entrys_radius_covers_the_true_entry_in_nearly_all_cases(entry_coverage):
    every = [c for cases in entry_coverage.values() for c in cases]
    covered = np.mean([c[0] for c in every])
    radius = np.median([c[1] for c in every])
    print(f"\nestimated entry: covers the true entry in {covered:.1%} of {len(every)} synthetic flights; "
          f"median radius {radius:.1f} km; " + "; ".join(
              f"{o}: {np.mean([c[0] for c in cases]):.1%} of {len(cases)}, median {np.median([c[1] for c in cases]):.1f} km"
              for o, cases in entry_coverage.items()))
    assert covered >= 0.90
    for origin, cases in entry_coverage.items():
        assert np.mean([c[0] for c in cases]) >= 0.80, origin


def test_straight_in_flights_are_covered_and_radii_keep_the_floor(entry_coverage):
    # Written first as "every straight-in flight is covered"; that failed on 5 of 66: a flight
    # straight in at its entry can end closer to another stretch of a bending border (a first place
    # 5 km from the border after 120 km inside). The misses are kept visible here, not hidden.
    straight = [c for cases in entry_coverage.values() for c in cases if c[3] == 0.0]
    assert np.mean([c[0] for c in straight]) >= 0.90
    for cases in entry_coverage.values():
        assert min(c[1] for c in cases) >= 10.0  # ESTIMATED_BORDER_MIN_KM
