"""The legs table (geo.analysis.stoplegs): one row a leg, from each stop to the next, for every output to label.

Checked on the seeds against pyproj's geodesic length of each leg's own vertices, the tracks'
own times, and an independent walk along the track for the point halfway.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.reference.projection import GEOD
from geo.analysis.stoplegs import LEG_COLUMNS, stop_legs

KM_TOL = 1e-6


@pytest.fixture(scope="module")
def legs(seeds):
    _, tracks, _ = seeds
    return stop_legs(tracks)


def _placed(seeds):
    _, tracks, figures = seeds
    return [(tracks.loc[i], figures.loc[i]) for i in range(len(tracks)) if tracks.loc[i, "placed"]]


def test_a_leg_runs_from_each_stop_to_the_next_and_the_legs_add_up_to_the_length(seeds, legs):
    assert list(legs.columns) == list(LEG_COLUMNS)
    for track, fig in _placed(seeds):
        rows = legs[legs["id"] == track["id"]]
        n = len(track["stops"])
        assert rows["leg"].tolist() == list(range(n - 1))
        assert rows["from_stop"].tolist() == list(range(n - 1))
        assert rows["to_stop"].tolist() == list(range(1, n))
        assert rows["km"].sum() == pytest.approx(fig["length_km"], abs=KM_TOL * n)


def test_unplaced_incidents_have_no_legs(seeds, legs):
    _, tracks, _ = seeds
    unplaced = set(tracks.loc[~tracks["placed"].astype(bool), "id"])
    assert unplaced and not unplaced & set(legs["id"])


def test_each_leg_is_as_long_as_its_vertices_on_the_ellipsoid_and_takes_the_time_between_its_ends(seeds, legs):
    for track, _ in _placed(seeds):
        coords = shapely.get_coordinates(track.geometry)
        t = np.asarray(track["t_min"], float)
        status = np.asarray(track["seg_status"], object)
        at = np.flatnonzero(np.asarray(track["stop_index"]) >= 0)
        rows = legs[legs["id"] == track["id"]]
        for leg, a, b in zip(rows.itertuples(), at[:-1], at[1:]):
            assert (leg.first_vertex, leg.last_vertex) == (a, b)
            km = GEOD.line_length(coords[a:b + 1, 0], coords[a:b + 1, 1]) / 1000.0
            assert leg.km == pytest.approx(km, abs=KM_TOL)
            assert leg.minutes == pytest.approx(t[b] - t[a], abs=1e-9)
            assert set(status[a:b]) == {leg.status}  # one status a leg
            if leg.minutes > 0:
                assert leg.speed_kmh == pytest.approx(km / (t[b] - t[a]) * 60.0, rel=1e-9)


def test_the_label_point_is_halfway_along_the_leg(seeds, legs):
    for track, _ in _placed(seeds):
        coords = shapely.get_coordinates(track.geometry)
        _, _, metres = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
        along = np.r_[0.0, np.cumsum(metres) / 1000.0]
        rows = legs[legs["id"] == track["id"]]
        for leg in rows.itertuples():
            half = (along[leg.first_vertex] + along[leg.last_vertex]) / 2
            assert leg.mid_lon == pytest.approx(np.interp(half, along, coords[:, 0]), abs=1e-9)
            assert leg.mid_lat == pytest.approx(np.interp(half, along, coords[:, 1]), abs=1e-9)
            k, g = leg.mid_segment, leg.mid_fraction
            assert along[k] - 1e-9 <= half <= along[k + 1] + 1e-9 and 0.0 <= g <= 1.0
            assert coords[k, 0] + g * (coords[k + 1, 0] - coords[k, 0]) == pytest.approx(leg.mid_lon, abs=1e-9)


def test_a_leg_is_estimated_only_when_its_time_rests_on_the_assumed_speed(legs):
    by_id = {id_: rows for id_, rows in legs.groupby("id")}
    # Loyew: 'about 4 a.m.' in and 'an hour later' out are reported; the estimated entry and exit
    # stops sit next to timed crossings, so no leg's time is assumed.
    assert not by_id["2024-07-11-loyew"]["time_estimated"].any()
    # Naroulia: only 'around 8 a.m.' at the crossing; the rest is paced at the drone's typical speed.
    assert by_id["2024-07-16-naroulia"]["time_estimated"].all()
    assert (by_id["2024-07-16-naroulia"]["time_source"] == "estimated").all()


def test_a_tracks_legs_do_not_depend_on_the_tracks_measured_with_it(seeds, legs):
    _, tracks, _ = seeds
    alone = pd.concat([stop_legs(tracks.iloc[[i]]) for i in range(len(tracks))], ignore_index=True)
    numeric = ["km", "minutes", "mid_lon", "mid_lat", "mid_fraction"]
    pd.testing.assert_frame_equal(alone.drop(columns=numeric), legs.drop(columns=numeric))
    np.testing.assert_allclose(alone[numeric].to_numpy(float), legs[numeric].to_numpy(float), rtol=0, atol=1e-9)


def test_no_placed_track_gives_an_empty_table_with_the_columns(seeds):
    _, tracks, _ = seeds
    empty = stop_legs(tracks[~tracks["placed"].astype(bool)])
    assert empty.empty and list(empty.columns) == list(LEG_COLUMNS)
