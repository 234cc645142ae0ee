"""Checks are one-sided: only the impossible, or a clash between stated figures, contradicts a report.

Every expectation is worked out here from pyproj distances and the drone type's
published envelope, not from the checks' own numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyproj import Geod

from geo.analysis.analyse import analyse
from geo.analysis.checks import CHECK_STATUSES
from geo.reports.report import DRONE_TYPES
from geo.reports.loading import load_reports, parse_report
from geo.tracks.build import build_tracks
from geo.present.checkwords import check_sentence
from tests.reference import made_up_report

REPORTS = Path(__file__).parent / "data" / "reports"
GEOD = Geod(ellps="WGS84")
SHAHED = DRONE_TYPES["shahed-136"]


def _km(lat1, lon1, lat2, lon2) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def _report(body: str, reported: str = "", id_: str = "check-case") -> str:
    return made_up_report(body, id=id_, reported=reported, summary="Made up for tests/test_checks.py.")


def _checks(gazetteer, *texts: str) -> list[list[dict]]:
    reports = [parse_report(t) for t in texts]
    return list(analyse(build_tracks(reports, gazetteer))["checks"])


def _only(checks: list[dict], name: str) -> dict:
    (check,) = [c for c in checks if c["check"] == name]
    return check


# ----------------------------------------------------------------------------- the seeds


def test_no_seed_is_contradicted(seeds):
    _, _, figures = seeds
    for row in figures.itertuples():
        assert all(c["status"] in CHECK_STATUSES for c in row.checks)
        assert [c for c in row.checks if c["status"] == "contradicts"] == [], row.id


def test_the_loyew_hour_is_one_fact_checked_once(seeds):
    # The report's "about an hour" inside and the waypoint's "after: 1h" describe the same span.
    _, _, figures = seeds
    checks = figures.set_index("id").loc["2024-07-11-loyew", "checks"]
    assert len(checks) == 1
    assert checks[0]["check"] == "duration" and checks[0]["status"] == "consistent"
    assert "slower than cruise" in check_sentence(checks[0])


def test_homel_minsk_distance_says_how_much_rests_on_the_presumed_leg(seeds):
    _, tracks, figures = seeds
    row = figures.set_index("id").loc["2024-07-13-homel-minsk"]
    check = _only(row["checks"], "distance")
    assert check["status"] == "consistent"
    # The presumed leg is the last one: from the last firm stop to "towards Vitebsk".
    stops = tracks.set_index("id").loc["2024-07-13-homel-minsk", "stops"]
    last_firm, vitebsk = stops[-2], stops[-1]
    presumed = _km(last_firm["lat"], last_firm["lon"], vitebsk["lat"], vitebsk["lon"])
    assert check["presumed_km"] == pytest.approx(presumed, abs=1.0)
    assert check["presumed_share"] == pytest.approx(presumed / row["length_km"], abs=0.01)
    assert f"{check['presumed_share']:.0%}" in check_sentence(check)


def test_homel_minsk_three_hours_are_not_doubted_for_being_slow(seeds):
    _, _, figures = seeds
    check = _only(figures.set_index("id").loc["2024-07-13-homel-minsk", "checks"], "duration")
    assert 350 / 3 < SHAHED.cruise_kmh[0]  # slower than cruise on paper...
    assert check["status"] == "consistent"  # ...which loitering or a longer path explains


# ----------------------------------------------------------------------------- distance


def test_an_exact_distance_shorter_than_the_places_at_their_closest_contradicts(gazetteer):
    (checks,) = _checks(gazetteer, (REPORTS / "synthetic-distance-short.yaml").read_text())
    closest = _km(51.80, 25.60, 52.20, 25.70) - 2 * 1.0  # coordinates are +/-1 km
    assert closest > 40
    assert _only(checks, "distance")["status"] == "contradicts"


def test_a_distance_far_beyond_the_route_is_consistent_but_says_places_are_missing(gazetteer):
    (checks,) = _checks(gazetteer, (REPORTS / "synthetic-distance-off.yaml").read_text())
    check = _only(checks, "distance")
    assert check["status"] == "consistent"
    assert "places are missing" in check_sentence(check)


def test_a_distance_with_nothing_placed_cannot_be_checked(gazetteer):
    (checks,) = _checks(gazetteer, (REPORTS / "synthetic-unplaced.yaml").read_text())
    assert _only(checks, "distance")["status"] == "cannot check"


def test_a_rows_checks_do_not_depend_on_the_other_rows(gazetteer):
    short = (REPORTS / "synthetic-distance-short.yaml").read_text()
    alone = _checks(gazetteer, short)[0]
    mixed = _checks(gazetteer, short, (REPORTS / "synthetic-distance-ok.yaml").read_text())[0]
    assert mixed == alone


# ----------------------------------------------------------------------------- speed and duration


TWO_TIMES = """\
  - {{lat: 52.00, lon: 27.00, time: "04:00"}}
  - {{lat: {lat}, lon: 27.00, time: "{time}"}}
"""


def test_a_leg_faster_than_the_drone_can_fly_even_at_the_closest_positions_contradicts(gazetteer):
    # 52.0 N to 53.0 N along 27 E: about 111 km, less 2 km of radii, in 20 minutes.
    (checks,) = _checks(gazetteer, _report(TWO_TIMES.format(lat=53.0, time="04:20")))
    needed = (_km(52.0, 27.0, 53.0, 27.0) - 2.0) / (20 / 60)
    assert needed > SHAHED.max_kmh
    check = _only(checks, "speed")
    assert check["status"] == "contradicts"
    assert check["needed_kmh"] == pytest.approx(needed, rel=0.01)


def test_a_leg_just_under_the_limit_is_consistent(gazetteer):
    # About 111 km in 35 minutes: 190 km/h, above cruise but within a tailwind.
    (checks,) = _checks(gazetteer, _report(TWO_TIMES.format(lat=53.0, time="04:35")))
    assert SHAHED.cruise_kmh[1] < _km(52.0, 27.0, 53.0, 27.0) / (35 / 60) < SHAHED.max_kmh
    assert _only(checks, "speed")["status"] == "consistent"


def test_a_slow_leg_is_consistent_and_says_why(gazetteer):
    (checks,) = _checks(gazetteer, _report(TWO_TIMES.format(lat=53.0, time="06:00")))  # ~55 km/h
    check = _only(checks, "speed")
    assert check["status"] == "consistent"
    assert "loitered" in check_sentence(check)


def test_an_approximate_time_stretches_the_leg_before_it_contradicts(gazetteer):
    # 111 km in 25 min is 267 km/h as written, but "about 04:25" allows 55 minutes: 119 km/h.
    body = """\
  - {lat: 52.00, lon: 27.00, time: "04:00"}
  - {lat: 53.00, lon: 27.00, time: "04:25", approx: true}
"""
    assert _km(52.0, 27.0, 53.0, 27.0) / (25 / 60) > SHAHED.max_kmh
    (checks,) = _checks(gazetteer, _report(body))
    assert _only(checks, "speed")["status"] == "consistent"


def test_a_reported_distance_that_cannot_be_flown_in_the_reported_time_contradicts(gazetteer):
    body = """\
  - {lat: 51.80, lon: 25.60}
  - {lat: 52.20, lon: 25.70}
"""
    (checks,) = _checks(gazetteer, _report(body, reported="{distance_km: 900, duration: 2h}"))
    assert 900 / 2 > SHAHED.max_kmh
    assert _only(checks, "duration")["status"] == "contradicts"
    assert _only(checks, "distance")["status"] == "consistent"  # longer than the route: places missing


# ----------------------------------------------------------------------------- depth


def test_a_named_place_deeper_than_the_reported_depth_contradicts(gazetteer):
    # Naroulia is ~27 km from the border, so "past Naroulia" cannot end 10 km from it.
    body = """\
  - from: UA
  - {toward: Naroulia, hint: BY-HO, distance_km: 10, measured_from: border, heading: north}
"""
    (checks,) = _checks(gazetteer, _report(body, reported="{depth_km: 10}"))
    assert _only(checks, "depth")["status"] == "contradicts"


def test_a_depth_deeper_than_the_places_named_is_consistent_only_if_it_flew_on(gazetteer):
    body = """\
  - from: UA
  - {place: Naroulia, hint: BY-HO}
"""
    (checks,) = _checks(gazetteer, _report(body, reported="{depth_km: {value: 200, qualifier: over}}"))
    check = _only(checks, "depth")
    assert check["status"] == "consistent"
    assert "deeper than the places named" in check_sentence(check)


def test_every_reported_fact_gives_exactly_one_check(gazetteer):
    reports = load_reports([str(p) for p in sorted(REPORTS.glob("synthetic-*.yaml"))], geocoder=gazetteer)
    figures = analyse(build_tracks(reports, gazetteer))
    for report, checks in zip(reports, figures["checks"]):
        names = [c["check"] for c in checks if c["check"] != "speed"]
        stated = [name for name, figure in (("distance", report.reported.distance_km),
                                            ("duration", report.reported.duration),
                                            ("depth", report.reported.depth_km)) if figure is not None]
        assert names == stated, report.id
