"""Crossings from the track's geometry, whatever its vertex spacing (geo.analysis.crossings via geo.analysis.analyse).

The reference is shapely's own split of each straight lon/lat segment by each
whole country polygon read from ``data/countries.parquet``
(:func:`tests.reference.pieces_along`), with lengths from :class:`pyproj.Geod`:
no boundary segments, rasters or label grids of the library.  Tolerances: a
crossing within 50 m of the reference point (the output is rounded to 1e-5°,
about 1 m), km inside within 0.1 km.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo.analysis.analyse import analyse
from tests.reference import crossings_of, pieces_along, track_frame

GEOD = Geod(ellps="WGS84")

#: East over the Bug at Brest, 41 km: Poland, then Belarus, crossing 7 times between km 3 and 10.
BUG = [(23.35, 52.18), (23.95, 52.18)]
#: East over the Prut (Romania–Moldova) at 47.48 N: 7 crossings within 4 km.
PRUT = [(26.95, 47.48), (27.75, 47.48)]


def metres(a, b) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def densified(vertices, parts: int) -> np.ndarray:
    """The same straight lon/lat line with ``parts - 1`` more vertices on each segment (same geometry)."""
    vertices = np.asarray(vertices, float)
    u = np.arange(parts) / parts
    inner = [a + (b - a) * u[:, None] for a, b in zip(vertices[:-1], vertices[1:])]
    return np.vstack([*inner, vertices[-1:]])


def assert_matches_reference(row, vertices, countries, country: str) -> None:
    """Crossings in order within 50 m of the exact split, and km inside within 0.1 km."""
    pieces = pieces_along(vertices, countries)
    want = crossings_of(pieces)
    got = row["crossings"]
    assert [(c["from"], c["to"]) for c in got] == [(w["from"], w["to"]) for w in want]
    for c, w in zip(got, want):
        assert metres((c["lon"], c["lat"]), w["point"]) < 50.0, (c, w)
    inside = sum(p["km"] for p in pieces if p["country"] == country)
    assert row["inside_km"] == pytest.approx(inside, abs=0.1)


@pytest.fixture(scope="module")
def river_figures():
    lines = [BUG, densified(BUG, 20), PRUT, densified(PRUT, 7)]
    tracks = track_frame(lines, ids=["bug", "bug-dense", "prut", "prut-dense"])
    tracks.loc[2:3, "country"], tracks.loc[2:3, "origin"] = "MD", "RO"
    return analyse(tracks).set_index("id")


def test_the_river_tracks_really_cross_several_times_in_a_few_km(countries):
    for vertices, expected in ((BUG, 7), (PRUT, 7)):
        want = crossings_of(pieces_along(vertices, countries))
        assert len(want) == expected
        span = metres(want[0]["point"], want[-1]["point"])
        assert span < 8000.0


@pytest.mark.parametrize(("track_id", "vertices", "country"), [
    ("bug", BUG, "BY"), ("bug-dense", densified(BUG, 20), "BY"),
    ("prut", PRUT, "MD"), ("prut-dense", densified(PRUT, 7), "MD"),
])
def test_a_straight_track_over_a_meandering_river_crosses_as_often_as_the_line(river_figures, countries, track_id,
                                                                              vertices, country):
    assert_matches_reference(river_figures.loc[track_id], vertices, countries, country)


def test_vertex_spacing_does_not_change_the_crossings(river_figures):
    for sparse, dense in (("bug", "bug-dense"), ("prut", "prut-dense")):
        a, b = river_figures.loc[sparse], river_figures.loc[dense]
        assert [(c["from"], c["to"]) for c in a["crossings"]] == [(c["from"], c["to"]) for c in b["crossings"]]
        for c, d in zip(a["crossings"], b["crossings"]):
            assert metres((c["lon"], c["lat"]), (d["lon"], d["lat"])) < 2.0  # rounding of the output only
        # Lengths are geodesic between vertices: a 40 km lon/lat line is ~0.1 m longer than its chord.
        assert a["inside_km"] == pytest.approx(b["inside_km"], abs=1e-3)
        assert a["inside_minutes"] == pytest.approx(b["inside_minutes"], abs=1e-3)


def test_time_inside_is_split_at_every_crossing(river_figures, countries):
    # Times are km at 170 km/h along each segment (tests.reference.track_frame).
    row = river_figures.loc["bug"]
    inside = sum(p["km"] for p in pieces_along(BUG, countries) if p["country"] == "BY")
    assert row["inside_minutes"] == pytest.approx(inside / 170.0 * 60.0, abs=0.1 / 170.0 * 60.0)


def test_crossing_dicts_say_where_their_time_comes_from(river_figures):
    for c in river_figures.loc["bug", "crossings"]:
        assert set(c) == {"from", "to", "lon", "lat", "t_min", "time", "time_estimated", "time_source",
                          "along_border"}
        assert c["time_source"] == "reported" and c["time_estimated"] is False
        assert c["time"].startswith("2024-07-13T02:0")


def test_a_crossing_takes_the_weaker_time_source_of_its_segment(countries):
    tracks = track_frame([BUG])
    tracks.at[0, "time_source"] = np.array(["reported_approx", "estimated"], dtype=object)
    crossings = analyse(tracks).iloc[0]["crossings"]
    assert {c["time_source"] for c in crossings} == {"estimated"}
    assert all(c["time_estimated"] for c in crossings)
    tracks.at[0, "time_source"] = np.array(["reported", "reported_approx"], dtype=object)
    crossings = analyse(tracks).iloc[0]["crossings"]
    assert {c["time_source"] for c in crossings} == {"reported_approx"}  # weaker than reported; not estimated
    assert not any(c["time_estimated"] for c in crossings)


# ----------------------------------------------------------------------------- the no-country strips


#: A point in the no-country strip OSM leaves between Belarus and Ukraine on the Pripyat
#: (29.12 E, 51.66 N; 0.1-0.6 km from either country, checked below).
STRIP = (29.1229, 51.6569)


def _either_side(countries, km: float = 3.0):
    """Points ``km`` into Ukraine and into Belarus, straight across the strip from STRIP."""
    point = shapely.Point(STRIP)
    ends = {}
    for code in ("UA", "BY"):
        near = shapely.get_coordinates(shapely.shortest_line(point, countries[code].boundary))[1]
        azimuth = GEOD.inv(*STRIP, *near)[0]
        lon, lat, _ = GEOD.fwd(*STRIP, azimuth, km * 1000.0)
        ends[code] = (lon, lat)
    return ends


def test_the_strip_point_is_in_no_country(countries):
    point = shapely.Point(STRIP)
    assert not any(shapely.contains(p, point) for p in countries.values)
    assert shapely.distance(point, countries["BY"]) > 0 and shapely.distance(point, countries["UA"]) > 0


def test_passing_through_a_strip_is_one_crossing_where_the_next_country_begins(countries):
    ends = _either_side(countries)
    vertices = [ends["UA"], STRIP, ends["BY"]]
    pieces = pieces_along(vertices, countries)
    assert [p["country"] for p in pieces] == ["UA", "BY"]
    assert metres(pieces[0]["end"], pieces[1]["start"]) > 100.0  # the strip between them
    row = analyse(track_frame([vertices])).iloc[0]
    assert [(c["from"], c["to"]) for c in row["crossings"]] == [("UA", "BY")]
    assert_matches_reference(row, vertices, countries, "BY")


def test_dipping_into_a_strip_and_back_is_no_crossing(countries):
    ends = _either_side(countries)
    back = GEOD.fwd(*ends["UA"], 90.0, 1000.0)[:2]
    vertices = [ends["UA"], STRIP, back]
    assert {p["country"] for p in pieces_along(vertices, countries)} == {"UA"}
    row = analyse(track_frame([vertices])).iloc[0]
    assert row["crossings"] == []
    assert row["inside_km"] == 0.0


# ----------------------------------------------------------------------------- far-apart vertices


def random_tracks(n: int, seed: int = 20240713) -> list[np.ndarray]:
    """Tracks of 12 vertices 15 km apart from near the Belarus–Ukraine or Belarus–Poland border.

    Starts 5-30 km south of a point of the border (or west of it for Poland),
    heading roughly into Belarus with a little wander per leg.
    """
    rng = np.random.default_rng(seed)
    starts = [(rng.uniform(24.0, 31.0), 51.6, 180.0) for _ in range(n // 2)]
    starts += [(23.5, rng.uniform(51.6, 53.0), 270.0) for _ in range(n - n // 2)]
    lines = []
    for lon, lat, back in starts:
        lon, lat, _ = GEOD.fwd(lon, lat, back, rng.uniform(5.0, 30.0) * 1000.0)
        heading = back + 180.0 + rng.uniform(-40.0, 40.0)
        points = [(lon, lat)]
        for _ in range(11):
            lon, lat, _ = GEOD.fwd(lon, lat, heading + rng.uniform(-10.0, 10.0), 15_000.0)
            points.append((lon, lat))
        lines.append(np.round(np.array(points), 7))
    return lines


@pytest.fixture(scope="module")
def far_apart():
    lines = random_tracks(120)
    return lines, analyse(track_frame(lines)).set_index("id")


def test_tracks_with_vertices_15_km_apart_match_the_exact_split(far_apart, countries):
    lines, figures = far_apart
    several = 0
    for i, vertices in enumerate(lines):
        row = figures.loc[f"track-{i:04d}"]
        assert_matches_reference(row, vertices, countries, "BY")
        several += len(row["crossings"]) > 1
    assert several >= 10  # the sample includes tracks that cross more than once


def test_far_apart_tracks_give_the_same_figures_in_any_company(far_apart):
    lines, figures = far_apart
    alone = analyse(track_frame(lines[:3])).set_index("id")
    for track_id in alone.index:
        for column in ("crossings", "inside_km", "inside_minutes", "depth_km", "warnings"):
            assert alone.loc[track_id, column] == figures.loc[track_id, column], (track_id, column)
