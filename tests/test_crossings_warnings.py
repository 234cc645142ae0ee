"""Warnings: never entered, entered from another country than the stated origin, along a border.

References as in tests/test_crossings.py and tests/test_depth.py: shapely on the
shipped polygons, pyproj Geod brute force to border lines read from
``data/borders.parquet``, fine sampling.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo.analysis.analyse import FIGURE_COLUMNS, analyse
from geo.analysis.borderwarnings import ALONG_BORDER_KM, ALONG_BORDER_MIN_KM, WARNING_CODES
from geo.present.checkwords import warning_sentence
from tests.reference import (border_line, brute_force_many_km, crossings_of, deepest_by_sampling, pieces_along,
                             sample_line, track_frame)

GEOD = Geod(ellps="WGS84")

#: Up the Bug from south of Brest, following the Poland–Belarus border (46 km, all within 1.8 km of it).
ALONG_BUG = [(23.55, 51.60), (23.55, 51.72), (23.62, 51.80), (23.63, 51.93), (23.67, 52.00)]
#: From Poland east into Belarus north of Brest: the report says it came from Ukraine.
FROM_POLAND = [(23.40, 52.60), (24.60, 52.75), (25.40, 53.00)]
#: From Russia (Bryansk oblast) west into Belarus: the report says it came from Ukraine.
FROM_RUSSIA = [(32.60, 53.10), (31.40, 53.20), (30.50, 53.40)]
#: Kyiv to near Chernihiv, all in Ukraine: the report says Belarus.
IN_UKRAINE = [(30.52, 50.45), (31.20, 51.20), (31.28, 51.45)]


def kinds(row) -> list[str]:
    return [w["warning"] for w in row["warnings"]]


@pytest.fixture(scope="module")
def rows():
    lines = [ALONG_BUG, FROM_POLAND, FROM_RUSSIA, IN_UKRAINE, [(23.35, 52.18), (23.95, 52.18)]]
    ids = ["along-bug", "from-poland", "from-russia", "in-ukraine", "over-the-bug"]
    return analyse(track_frame(lines, ids=ids)).set_index("id")


def test_warnings_is_a_figure_column_of_plain_dicts(rows):
    assert "warnings" in FIGURE_COLUMNS and {"depth_from", "depth_origin_km"} <= set(FIGURE_COLUMNS)
    for warnings in rows["warnings"]:
        for w in warnings:
            assert w["warning"] in WARNING_CODES and isinstance(warning_sentence(w), str) and warning_sentence(w).endswith(".")


# ----------------------------------------------------------------------------- never entered


def test_a_track_that_never_enters_the_country_says_so_and_how_near_it_came(rows, countries):
    row = rows.loc["in-ukraine"]
    assert {p["country"] for p in pieces_along(IN_UKRAINE, countries)} == {"UA"}
    (w,) = row["warnings"]
    assert w["warning"] == "never_entered" and w["visited"] == ["UA"]
    points, _ = sample_line(IN_UKRAINE, 0.05)
    closest = brute_force_many_km(points[:, 0], points[:, 1], border_line("BY")).min()
    assert w["closest_km"] == pytest.approx(closest, abs=0.1)
    assert f"{w['closest_km']:,.1f} km" in warning_sentence(w) and "never enters Belarus (BY)" in warning_sentence(w)
    assert np.isnan(row["depth_km"]) and row["depth_from"] is None and row["inside_km"] == 0.0


# ----------------------------------------------------------------------------- entered from elsewhere


@pytest.mark.parametrize(("track_id", "vertices", "came_from"), [
    ("from-poland", FROM_POLAND, "PL"), ("from-russia", FROM_RUSSIA, "RU")])
def test_entering_from_another_country_measures_depth_from_the_border_crossed(rows, countries, track_id, vertices,
                                                                              came_from):
    row = rows.loc[track_id]
    pieces = pieces_along(vertices, countries)
    (first,) = [c for c in crossings_of(pieces) if c["to"] == "BY"][:1]
    assert first["from"] == came_from
    assert row["depth_from"] == came_from
    inside = np.array([p for p in sample_line(vertices, 0.05)[0] if shapely.contains_xy(countries["BY"], *p)])
    crossed, _ = deepest_by_sampling(inside, border_line("BY", came_from))
    stated, _ = deepest_by_sampling(inside, border_line("BY", "UA"))
    assert row["depth_km"] == pytest.approx(crossed, abs=0.05)
    assert row["depth_origin_km"] == pytest.approx(stated, abs=0.05)
    (w,) = [w for w in row["warnings"] if w["warning"] == "entered_from_other"]
    assert (w["entered_from"], w["origin"], w["depth_from"]) == (came_from, "UA", came_from)
    assert w["depth_km"] == row["depth_km"] and w["depth_origin_km"] == row["depth_origin_km"]
    assert f"{row['depth_km']:,.1f} km" in warning_sentence(w) and f"{row['depth_origin_km']:,.1f} km" in warning_sentence(w)


def test_entering_from_the_stated_origin_gives_no_warning(rows):
    row = rows.loc["over-the-bug"]  # from Poland, where the report (origin UA) says Ukraine: warned
    assert kinds(row) == ["entered_from_other"]
    tracks = track_frame([[(23.35, 52.18), (23.95, 52.18)]], origin="PL")  # the same track, origin PL
    row = analyse(tracks).iloc[0]
    assert row["warnings"] == [] and row["depth_from"] == "PL" and row["depth_origin_km"] == row["depth_km"]


# ----------------------------------------------------------------------------- along a border


def reference_stretch_km(vertices, within_km: float = ALONG_BORDER_KM) -> float:
    """The longest run of 50 m samples all within ``within_km`` of the Poland–Belarus border, in km."""
    points, _ = sample_line(vertices, 0.05)
    near = brute_force_many_km(points[:, 0], points[:, 1], border_line("BY", "PL"), spacing_deg=0.001) <= within_km
    steps = GEOD.inv(points[:-1, 0], points[:-1, 1], points[1:, 0], points[1:, 1])[2] / 1000.0
    best = run = 0.0
    for ok, km in zip(near[:-1] & near[1:], steps):
        run = run + km if ok else 0.0
        best = max(best, run)
    return best


def test_a_track_along_a_border_is_warned_and_its_crossings_qualified(rows, countries):
    row = rows.loc["along-bug"]
    want = reference_stretch_km(ALONG_BUG)
    assert want >= ALONG_BORDER_MIN_KM
    (w,) = [w for w in row["warnings"] if w["warning"] == "along_border"]
    # Sampled every 0.5 km by the library, every 50 m here: a sample's worth at each end.
    assert w["km"] == pytest.approx(want, abs=1.0)
    assert w["border"] == "BY–PL" and w["within_km"] == ALONG_BORDER_KM
    crossings = row["crossings"]
    assert len(crossings) == len(crossings_of(pieces_along(ALONG_BUG, countries))) >= 5
    flagged = [c for c in crossings if c["along_border"]]
    assert w["crossings_on_stretch"] == len(flagged) == len(crossings) and w["crossings"] == len(crossings)
    assert f"{len(flagged)} of its {len(crossings)} crossings" in warning_sentence(w)
    assert f"within {ALONG_BORDER_KM:g} km" in warning_sentence(w) and "Belarus–Poland border" in warning_sentence(w)


def test_a_short_pass_over_a_meandering_border_is_not_along_it(rows):
    row = rows.loc["over-the-bug"]  # 7 crossings within 7 km, but only ~11 km of it near the border
    assert len(row["crossings"]) == 7
    assert "along_border" not in kinds(row) and not any(c["along_border"] for c in row["crossings"])


def test_the_stretch_search_gives_the_same_warnings_when_it_narrows_down(monkeypatch):
    import geo.analysis.borderwarnings

    tracks = track_frame([ALONG_BUG, FROM_POLAND])
    plain = analyse(tracks)
    monkeypatch.setattr(geo.analysis.borderwarnings, "SAMPLE_ALL_BELOW", 0)
    assert analyse(tracks)["warnings"].tolist() == plain["warnings"].tolist()
    assert analyse(tracks)["crossings"].tolist() == plain["crossings"].tolist()
