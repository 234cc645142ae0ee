"""Specification of the times along a track: reported times pace the span they describe.

Every expected value is computed here, not read back from geo: where the track
crosses a border is found with shapely on the country polygons read directly
from ``data/countries.parquet`` (``tests/reference.py``), distances along the
track with :class:`pyproj.Geod`, and a time at a crossing is read off the
vertices the way any consumer reads them (linear in distance between the two
vertices around it).
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo.geocoding.gazetteer import Gazetteer
from geo.reports.loading import parse_report
from geo.tracks.build import TIME_SOURCES, build_tracks
from tests.reference import made_up_report

GEOD = Geod(ellps="WGS84")
UTC = dt.UTC

def track(route: str, *, reported: str = "", id: str = "test-flight"):
    text = made_up_report(route, id=id, reported=reported, summary="A made-up flight for the timing tests.")
    return build_tracks([parse_report(text)], Gazetteer()).iloc[0]


def seed(tracks, name: str):
    return tracks.loc[name]


def along_km(row) -> np.ndarray:
    xy = shapely.get_coordinates(row.geometry)
    _, _, metres = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    return np.concatenate([[0.0], np.cumsum(metres)]) / 1000.0


def crossings(row, polygon) -> list[dict]:
    """Every crossing of ``polygon``'s boundary, in flight order: along-track km, time, direction, sources.

    Found per segment with shapely (the segments are at most 2 km, so a straight
    segment in degrees is the geodesic to well under a metre); the time is
    interpolated by distance between the segment's two vertices.
    """
    xy = shapely.get_coordinates(row.geometry)
    cum = along_km(row)
    t = np.asarray(row.t_min, float)
    source = np.asarray(row.time_source, object)
    boundary = polygon.boundary
    out = []
    for i in range(len(xy) - 1):
        seg = shapely.LineString(xy[i:i + 2])
        if not shapely.intersects(seg, boundary):
            continue
        for p in shapely.get_parts(shapely.intersection(seg, boundary)):
            for x, y in shapely.get_coordinates(p):
                km = GEOD.inv(xy[i, 0], xy[i, 1], x, y)[2] / 1000.0
                frac = km / (cum[i + 1] - cum[i]) if cum[i + 1] > cum[i] else 0.0
                out.append({"km": cum[i] + km, "t": t[i] + frac * (t[i + 1] - t[i]),
                            "entering": bool(shapely.contains_xy(polygon, *xy[i + 1])),
                            "sources": (source[i], source[i + 1])})
    return sorted(out, key=lambda c: c["km"])


# ----------------------------------------------------------------------------- vocabulary


def test_reported_approx_ranks_between_reported_and_interpolated():
    assert TIME_SOURCES == ("reported", "reported_approx", "interpolated", "estimated")


# ----------------------------------------------------------------------------- the seeds


def test_homel_minsk_three_hours_run_from_the_entry_crossing_to_the_end(seed_tracks_by_id, countries):
    row = seed(seed_tracks_by_id, "2024-07-13-homel-minsk")
    entry = next(c for c in crossings(row, countries["BY"]) if c["entering"])
    t = np.asarray(row.t_min, float)
    assert t[-1] - entry["t"] == pytest.approx(180.0, abs=1.0)
    assert bool(row.duration_paced)
    # Spread by distance: every vertex inside the span is where a uniform pace puts it (0.1 min).
    cum = along_km(row)
    inside = cum >= entry["km"]
    pace = 180.0 / (cum[-1] - entry["km"])
    np.testing.assert_allclose(t[inside], entry["t"] + (cum[inside] - entry["km"]) * pace, atol=0.1)
    # The span's ends carry the approximate duration; between them, interpolated; only before
    # the entry crossing is anything estimated (at the typical speed).
    source = np.asarray(row.time_source, object)
    assert source[-1] == "reported_approx"
    assert set(entry["sources"]) == {"reported_approx"}
    assert set(source[inside]) <= {"reported_approx", "interpolated"}
    assert set(source[cum < entry["km"]]) <= {"estimated", "reported_approx"}
    assert row.clock == "relative" and pd.isna(row.t0) and pd.isna(row.t0_source)


def test_loyew_exit_crossing_is_an_hour_after_the_entry_crossing_not_after_the_reserve(seed_tracks_by_id, countries):
    # The seed: in over Loyew (role entry: its time is the entry crossing's), back into Ukraine
    # "about an hour later" (after: 1h on the reserve, role exit: the exit crossing's time),
    # and reported.duration 1h "between crossing in and crossing back out".
    row = seed(seed_tracks_by_id, "2024-07-11-loyew")
    found = crossings(row, countries["BY"])
    entry = next(c for c in found if c["entering"])
    exit_ = [c for c in found if not c["entering"]][-1]
    assert exit_["t"] - entry["t"] == pytest.approx(60.0, abs=0.1)
    t = np.asarray(row.t_min, float)
    cum = along_km(row)
    at = np.flatnonzero(np.asarray(row.stop_index) >= 0)
    labels = [s["label"] for s in row.stops]
    loyew, reserve = at[labels.index("Loyew")], at[labels.index("Polesie State Radioecological Reserve")]
    # Between the crossings the hour is spread by distance: Loyew, ~2 km in, is reached a minute
    # or two after the entry crossing, and the reserve's centre well before the exit crossing.
    pace = 60.0 / (exit_["km"] - entry["km"])
    assert t[loyew] - entry["t"] == pytest.approx((cum[loyew] - entry["km"]) * pace, abs=0.05)
    assert t[reserve] - entry["t"] == pytest.approx((cum[reserve] - entry["km"]) * pace, abs=0.05)
    assert exit_["t"] - t[reserve] > 5.0
    assert set(entry["sources"]) == {"reported"}          # the zero the delay counts from
    assert set(exit_["sources"]) == {"reported_approx"}    # "about an hour"
    assert row.clock == "relative" and pd.isna(row.t0_source)


def test_naroulia_crossing_at_about_8_is_reported_approx_not_estimated(seed_tracks_by_id, countries):
    row = seed(seed_tracks_by_id, "2024-07-16-naroulia")
    entry = next(c for c in crossings(row, countries["BY"]) if c["entering"])
    assert row.clock == "absolute" and row.t0 == dt.datetime(2024, 7, 16, 5, 0, tzinfo=UTC)  # 08:00 Minsk
    assert row.t0_source == "reported_approx"
    assert entry["t"] == pytest.approx(0.0, abs=0.05)
    assert "estimated" not in entry["sources"]
    assert set(entry["sources"]) == {"reported_approx"}
    # The stop that carries the time says where it applies and what its own position's time is.
    first = row.stops[0]
    assert first["time_at"] == "entry crossing" and first["time_source"] == "estimated"


def test_the_unplaced_over_60_km_seed_keeps_its_clock_time(seed_tracks_by_id):
    row = seed(seed_tracks_by_id, "2024-07-16-over-60-km")
    assert not row.placed
    assert row.clock == "absolute"
    assert row.t0 == dt.datetime(2024, 7, 16, 1, 0, tzinfo=UTC)  # 04:00 Minsk (UTC+3)
    assert row.t0_source == "reported_approx"
    assert not bool(row.duration_paced)


def test_every_row_has_a_t0_source(seed_tracks_by_id):
    tracks = seed_tracks_by_id
    assert "t0_source" in tracks.columns
    for clock, t0, source in zip(tracks["clock"], tracks["t0"], tracks["t0_source"]):
        if clock == "absolute":
            assert not pd.isna(t0) and source in ("reported", "reported_approx")
        else:
            assert pd.isna(source)


def test_stop_dicts_say_their_time_source_and_match_tier(seed_tracks_by_id):
    tracks = seed_tracks_by_id
    for stops, sources, index in zip(tracks["stops"], tracks["time_source"], tracks["stop_index"]):
        at = np.flatnonzero(np.asarray(index) >= 0)
        assert [s["time_source"] for s in stops] == list(np.asarray(sources, object)[at])
    loyew = seed(seed_tracks_by_id, "2024-07-11-loyew").stops[1]
    raw = Gazetteer().geocode("Loyew", exactly_one=True, hint="BY-HO").raw
    assert loyew["matched"]["match"] == raw["match"] and loyew["matched"]["score"] == raw["score"]


# ----------------------------------------------------------------------------- synthetic reports


def test_clock_times_on_entry_and_exit_apply_at_the_crossings(countries):
    row = track("""\
  - from: UA
    time: "04:00"
  - place: Naroulia
    hint: BY-HO
  - place: Loyew
    hint: BY-HO
    role: exit
    time: "05:00"
""")
    found = crossings(row, countries["BY"])
    entry = next(c for c in found if c["entering"])
    exit_ = [c for c in found if not c["entering"]][-1]
    assert entry["t"] == pytest.approx(0.0, abs=0.01) and exit_["t"] == pytest.approx(60.0, abs=0.01)
    assert set(entry["sources"]) == set(exit_["sources"]) == {"reported"}
    assert row.t0_source == "reported"


def test_a_duration_with_one_clock_time_paces_from_that_time(countries):
    row = track("""\
  - from: UA
    time: "04:00"
  - place: Homel
    hint: BY-HO
  - place: Zhlobyn
    hint: BY-HO
""", reported="  duration: 1h30m\n")
    entry = next(c for c in crossings(row, countries["BY"]) if c["entering"])
    t = np.asarray(row.t_min, float)
    assert entry["t"] == pytest.approx(0.0, abs=0.01)
    assert t[-1] == pytest.approx(90.0, abs=0.01)
    assert np.asarray(row.time_source, object)[-1] == "reported"  # an exact duration
    assert bool(row.duration_paced)


def test_a_duration_the_clock_times_already_fix_does_not_pace():
    # Both ends of the span (here the whole track, all inside Belarus) are reported: 60 min,
    # whatever "3 hours" says. The checks, not the timeline, weigh the disagreement.
    row = track("""\
  - {lat: 52.0, lon: 27.0, time: "04:00"}
  - {lat: 52.6, lon: 28.5, time: "05:00"}
""", reported="  duration: 3h\n")
    t = np.asarray(row.t_min, float)
    assert (t[0], t[-1]) == (0.0, 60.0)
    assert not bool(row.duration_paced)


def test_a_duration_fills_what_the_clock_times_leave_uncovered():
    # Inside the whole way; 04:00 and 04:30 at the middle stops cover that stretch, and the rest of
    # the reported 90 minutes is shared by distance between the two untimed ends, at one pace.
    row = track("""\
  - {lat: 52.0, lon: 27.0}
  - {lat: 52.3, lon: 27.5, time: "04:00"}
  - {lat: 52.5, lon: 28.0, time: "04:30"}
  - {lat: 52.9, lon: 28.4}
""", reported="  duration: {value: 90 min, approx: true}\n")
    stops = [(27.0, 52.0), (27.5, 52.3), (28.0, 52.5), (28.4, 52.9)]
    _, _, m = GEOD.inv(*np.array(stops[:-1]).T, *np.array(stops[1:]).T)
    free_km = (m[0] + m[2]) / 1000.0
    pace = 60.0 / free_km  # minutes per km on the untimed ends
    at = np.flatnonzero(np.asarray(row.stop_index) >= 0)
    t = np.asarray(row.t_min, float)[at] - np.asarray(row.t_min, float)[at][1]
    np.testing.assert_allclose(t, [-m[0] / 1000.0 * pace, 0.0, 30.0, 30.0 + m[2] / 1000.0 * pace], atol=0.01)
    source = list(np.asarray(row.time_source, object)[at])
    assert source == ["reported_approx", "reported", "reported", "reported_approx"]


def test_an_approximate_stop_time_is_reported_approx():
    row = track("""\
  - {lat: 52.0, lon: 27.0, time: "04:00", approx: 15}
  - {lat: 52.5, lon: 27.5, after: 20 min}
  - {lat: 52.6, lon: 28.5}
""")
    at = np.flatnonzero(np.asarray(row.stop_index) >= 0)
    assert list(np.asarray(row.time_source, object)[at]) == ["reported_approx", "reported_approx", "estimated"]
    assert np.asarray(row.t_min, float)[at[1]] == pytest.approx(20.0, abs=1e-9)
    assert row.t0_source == "reported_approx"


def test_a_duration_that_is_only_a_bound_paces_nothing():
    row = track("""\
  - {lat: 52.0, lon: 27.0}
  - {lat: 52.6, lon: 28.5}
""", reported="  duration: {value: 3h, qualifier: over}\n")
    assert not bool(row.duration_paced)
    assert set(row.time_source) == {"estimated"}  # at the typical speed, as without a duration


def test_the_vertices_that_carry_a_crossing_time_lie_on_the_line(seed_tracks_by_id):
    # Loyew's two timed crossings each add two vertices; every vertex that is not a stop
    # still lies on the geodesic of its leg (pyproj: less than 1 m to either side), and
    # no two vertices are farther apart than before (2 km).
    row = seed(seed_tracks_by_id, "2024-07-11-loyew")
    xy = shapely.get_coordinates(row.geometry)
    at = np.flatnonzero(np.asarray(row.stop_index) >= 0)
    for i, j in itertools.pairwise(at):
        inner = xy[i + 1:j]
        az0 = GEOD.inv(*xy[i], *xy[j])[0]
        az, _, dist = GEOD.inv(np.full(len(inner), xy[i, 0]), np.full(len(inner), xy[i, 1]), inner[:, 0], inner[:, 1])
        assert np.all(np.abs(dist * np.sin(np.radians(az - az0))) < 1.0)
    _, _, step = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    assert step.max() <= 2000.05
    assert np.sum(step < 5.0) == 2  # one 2 m pair of knot vertices per timed crossing


def test_from_gives_the_border_the_entry_is_estimated_on():
    from tests.reference import border_line, brute_force_km

    row = track("""\
  - from: PL
  - {lat: 52.10, lon: 24.30}
""")
    entry = row.stops[0]
    assert entry["label"] == "entry from PL (estimated)"
    # BORDER_OFFSET_KM (1 km) across the Poland border, not on the Ukraine one.
    assert brute_force_km(entry["lon"], entry["lat"], border_line("BY", "PL")) <= 1.01
