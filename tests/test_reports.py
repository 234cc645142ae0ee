"""Specification of geo.reports.report: the incident report format and its loader.

Fixtures are the four seed reports in ``seeds/`` and the small files in
``tests/data/reports/`` (hand-written for these tests; ``bad-*`` files are
broken on purpose).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from geo.errors import GeoError, ReportFormatError
from geo.reports.report import DRONE_TYPES, Problem, Report, parse_duration, resolve_drone
from geo.reports.loading import check_places, load_report, load_reports, parse_report

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DATA = REPO / "tests" / "data" / "reports"
UTC = dt.timezone.utc

MINIMAL = """\
id: minimal
title: Minimal report
date: 2024-07-16
timezone: Europe/Minsk
drone: shahed-136
country: BY
origin: UA
outcome: unknown
summary: A minimal report.
sources:
  - id: hajun
    publisher: Belarusian Hajun
route:
{route}
"""


def minimal(route: str) -> str:
    """A valid report around the given (indented) route lines."""
    return MINIMAL.format(route=route)


def problems_of(text: str, **kwargs) -> list[Problem]:
    with pytest.raises(ReportFormatError) as caught:
        parse_report(text, path="x.yaml", **kwargs)
    return caught.value.problems


@pytest.fixture(scope="module")
def seeds() -> dict[str, Report]:
    return {report.id: report for report in load_reports(SEEDS)}


# ----------------------------------------------------------------------------- seeds


def test_the_four_seeds_load_and_their_places_resolve(gazetteer):
    reports = load_reports(SEEDS, geocoder=gazetteer)
    assert [r.id for r in reports] == [
        "2024-07-11-loyew",
        "2024-07-13-homel-minsk",
        "2024-07-16-naroulia",
        "2024-07-16-over-60-km",
    ]
    assert {(r.country, r.origin, r.drone) for r in reports} == {("BY", "UA", "shahed-136")}


def test_seed_routes_say_what_the_sources_say(seeds):
    loyew = seeds["2024-07-11-loyew"]
    assert [(w.kind, w.name, w.role) for w in loyew.route] == [
        ("from", "UA", "waypoint"),
        ("place", "Loyew", "entry"),
        ("place", "Polesie State Radioecological Reserve", "exit"),
    ]
    assert loyew.route[2].after == dt.timedelta(hours=1) and loyew.route[2].time_approx_min == 30
    assert loyew.outcome == "exited" and loyew.responses == ("Mi-24",)

    homel = seeds["2024-07-13-homel-minsk"]
    assert homel.reported.distance_km.value == 350 and homel.reported.distance_km.approx
    assert homel.reported.duration.value == dt.timedelta(hours=3)
    assert homel.route[-1].kind == "toward" and homel.route[-1].status == "presumed"
    assert homel.outcome == "lost"

    dawn = seeds["2024-07-16-over-60-km"]
    assert [w.kind for w in dawn.route] == ["from"]
    assert (dawn.reported.depth_km.value, dawn.reported.depth_km.qualifier) == (60, "over")

    naroulia = seeds["2024-07-16-naroulia"]
    toward = naroulia.route[-1]
    assert (toward.toward, toward.distance_km, toward.measured_from) == ("Naroulia", 120, "border")
    assert naroulia.route[0].time == dt.datetime(2024, 7, 16, 5, 0, tzinfo=UTC)
    assert naroulia.outcome == "exploded"


def test_seed_sources_have_no_invented_urls(seeds):
    assert all(source.url is None for report in seeds.values() for source in report.sources)


# ----------------------------------------------------------------------------- the format


def test_every_waypoint_kind_parses():
    report = load_report(DATA / "good-all-kinds.yaml")
    assert [w.kind for w in report.route] == ["from", "place", "region", "toward", "coords"]
    assert [w.name for w in report.route] == ["UA", "Loyew", "Mahiliou", "Naroulia", None]
    coords = report.route[-1]
    assert (coords.lat, coords.lon, coords.uncertainty_km, coords.role) == (51.80, 29.50, 5, "end")
    assert report.route[3].measured_from == "border" and report.route[3].status == "presumed"
    assert report.drone == "shahed-136"  # the alias Geran-2
    assert report.country == "BY"  # written "Belarus"
    assert report.sources[0].url == "https://example.org/report"


def test_waypoints_carry_their_yaml_line():
    report = load_report(DATA / "good-all-kinds.yaml")
    assert [w.line for w in report.route] == [22, 25, 31, 33, 38]
    assert report.line_of("route[1].after") == 28
    assert report.line_of("route[1].note") == 25  # not written: the waypoint's line


def test_hhmm_times_resolve_with_the_files_date_and_timezone():
    report = load_report(DATA / "good-all-kinds.yaml")
    first = report.route[0].time
    assert first.tzinfo is not None
    assert first == dt.datetime(2024, 7, 16, 1, 0, tzinfo=UTC)  # 04:00 in Minsk (UTC+3)


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ('"04:00"', dt.datetime(2024, 7, 16, 1, 0, tzinfo=UTC)),
        ("04:00", dt.datetime(2024, 7, 16, 1, 0, tzinfo=UTC)),  # unquoted: not YAML 1.1's 240
        ('"2024-07-16T04:00"', dt.datetime(2024, 7, 16, 1, 0, tzinfo=UTC)),
        ('"2024-07-16T04:00+02:00"', dt.datetime(2024, 7, 16, 2, 0, tzinfo=UTC)),
        ("2024-07-17T01:30Z", dt.datetime(2024, 7, 17, 1, 30, tzinfo=UTC)),
    ],
)
def test_time_forms(written, utc):
    report = parse_report(minimal(f"  - from: UA\n    time: {written}"))
    assert report.route[0].time == utc


@pytest.mark.parametrize(
    ("approx", "minutes"), [("", 0.0), ("\n    approx: true", 30.0), ("\n    approx: 10", 10.0)]
)
def test_approx_is_minutes_of_uncertainty(approx, minutes):
    report = parse_report(minimal(f'  - from: UA\n    time: "04:00"{approx}'))
    assert report.route[0].time_approx_min == minutes


def test_untimed_waypoints_have_no_uncertainty():
    report = parse_report(minimal("  - from: UA"))
    assert report.route[0].time is None and report.route[0].time_approx_min is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3h", dt.timedelta(hours=3)),
        ("1h30m", dt.timedelta(minutes=90)),
        ("90 min", dt.timedelta(minutes=90)),
        ("PT3H", dt.timedelta(hours=3)),
        ("PT1H30M", dt.timedelta(minutes=90)),
        ("2 hours", dt.timedelta(hours=2)),
        ("45m", dt.timedelta(minutes=45)),
    ],
)
def test_durations_parse(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["3", "three hours", "0h", "PT", "1h 30", "h3"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError, match="expected a duration like 3h"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("written", "value", "approx", "qualifier"),
    [
        ("350", 350, False, None),
        ("{value: 350, approx: true}", 350, True, None),
        ("over 60", 60, False, "over"),
        ('"about 350 km"', 350, True, None),
        ("{value: 60, qualifier: over}", 60, False, "over"),
    ],
)
def test_reported_figures_keep_value_approx_and_qualifier(written, value, approx, qualifier):
    text = minimal("  - from: UA").replace("route:", f"reported:\n  depth_km: {written}\nroute:")
    depth = parse_report(text).reported.depth_km
    assert (depth.value, depth.approx, depth.qualifier) == (value, approx, qualifier)


def test_an_empty_route_is_refused_even_with_reported_figures():
    text = minimal("  []").replace("route:\n  []", "reported:\n  depth_km: over 60\nroute: []")
    [problem] = problems_of(text)
    assert problem.field == "route" and "'- from: UA'" in problem.message
    assert parse_report(minimal("  - from: UA")).route[0].kind == "from"  # the unplaced form


def test_drone_types_give_speed_envelopes():
    shahed = DRONE_TYPES[resolve_drone("shahed")]
    assert shahed.cruise_kmh == (150, 185) and shahed.typical_kmh == 170
    assert {"shahed-136", "gerbera", "unknown"} <= set(DRONE_TYPES)
    assert all(low < t.typical_kmh < high for t in DRONE_TYPES.values() for low, high in [t.cruise_kmh])


def test_reports_are_read_only():
    report = load_report(DATA / "good-all-kinds.yaml")
    with pytest.raises(ValueError):
        report.id = "other"
    with pytest.raises(ValueError):
        report.route[0].time = None


# ----------------------------------------------------------------------------- problems


def test_a_bad_file_reports_every_problem_on_its_own_line():
    path = DATA / "bad-many-problems.yaml"
    with pytest.raises(ReportFormatError) as caught:
        load_report(path)
    err = caught.value
    assert isinstance(err, GeoError) and isinstance(err, ValueError)
    found = [(p.line, p.field) for p in err.problems]
    assert found == [
        (1, "id"),
        (5, "drone"),
        (8, "outcome"),
        (15, "route[0].time"),
        (17, "route[1].status"),
        (18, "route[1].sources[1]"),
        (19, "route[2]"),
        (23, "route[3].tme"),
    ]
    lines = str(err).splitlines()
    assert len(lines) == len(err.problems)
    assert all(line.startswith(f"{path}:") for line in lines)
    assert f"{path}:15: route[0].time: '25:00' is not a time; expected HH:MM or ISO 8601" in str(err)
    assert "did you mean 'shahed'?" in str(err)
    assert "did you mean 'time'?" in str(err)


def test_estimated_written_by_hand_is_refused():
    [problem] = problems_of(minimal("  - from: UA\n    status: estimated"))
    assert (problem.line, problem.field) == (15, "route[0].status")
    assert "reserved" in problem.message and "reported or presumed" in problem.message


def test_unknown_source_id():
    [problem] = problems_of(minimal("  - from: UA\n    sources: [hajun, hajoon]"))
    assert str(problem) == (
        "x.yaml:15: route[0].sources[1]: 'hajoon' is not a source id of this report; expected one of: hajun"
    )


def test_a_time_without_offset_needs_a_timezone():
    text = minimal('  - from: UA\n    time: "04:00"').replace("timezone: Europe/Minsk\n", "")
    [problem] = problems_of(text)
    assert problem.field == "route[0].time" and "timezone: Europe/Minsk" in problem.message


def test_times_must_follow_route_order():
    [problem] = problems_of(minimal('  - from: UA\n    time: "23:30"\n  - place: Loyew\n    time: "00:30"'))
    assert problem.field == "route[1].time" and "2024-07-17T01:00" in problem.message


def test_unknown_place_and_region_say_did_you_mean(gazetteer):
    with pytest.raises(ReportFormatError) as caught:
        load_report(DATA / "bad-unknown-place.yaml", geocoder=gazetteer)
    place, region = caught.value.problems
    assert (place.line, place.field) == (11, "route[0].place")
    assert "'Narovlyaski' is not in the gazetteer; did you mean: Narovlya" in place.message
    assert (region.line, region.field) == (12, "route[1].region")
    assert "did you mean: Mahiliou (BY-MA)?" in region.message


def test_without_a_geocoder_regions_are_still_checked_but_names_are_not():
    with pytest.raises(ReportFormatError) as caught:
        load_report(DATA / "bad-unknown-place.yaml")
    assert [p.field for p in caught.value.problems] == ["route[1].region"]


def test_unknown_places_are_reported_with_the_files_other_problems(gazetteer):
    text = minimal("  - place: Narovlyaski\n  - {lat: 27.57, lon: 53.9}").replace("date: 2024-07-16",
                                                                                "date: 2024-13-16")
    problems = problems_of(text, geocoder=gazetteer)
    assert [(p.line, p.field) for p in problems] == [(3, "date"), (14, "route[0].place"), (15, "route[1].lat")]
    assert "did you mean: Narovlya" in problems[1].message and "swapped" in problems[2].message


def test_coordinates_far_from_both_countries_measure_their_distance_exactly(countries):
    from pyproj import Geod

    import shapely

    lat, lon = 27.57, 53.9  # Minsk with lat and lon swapped: southern Iran
    [problem] = problems_of(minimal(f"  - {{lat: {lat}, lon: {lon}}}"))
    km = {code: Geod(ellps="WGS84").inv(*[lon, lat], *shapely.get_coordinates(
        shapely.shortest_line(shapely.Point(lon, lat), countries[code].boundary))[1])[2] / 1000
          for code in ("BY", "UA")}
    shown = [float(x.replace(",", "")) for x in re.findall(r"about ([0-9,]+) km from Belarus and ([0-9,]+) km",
                                                           problem.message)[0]]
    # The planar nearest point is not the geodesic one this far away: agree to 3%.
    assert shown == pytest.approx([km["BY"], km["UA"]], rel=0.03)


def test_check_places_returns_problems_without_raising(gazetteer):
    report = parse_report(minimal("  - place: Narovlyaski\n  - region: BY-MA"))  # no geocoder: names unchecked
    assert [p.field for p in check_places([report], gazetteer)] == ["route[0].place"]
    assert check_places([load_report(DATA / "good-all-kinds.yaml")], gazetteer) == []


def test_unknown_country_says_did_you_mean():
    [problem] = problems_of(minimal("  - from: UA").replace("country: BY", "country: Belarussia"))
    assert problem.field == "country" and "did you mean" in problem.message and "Belarus (BY)" in problem.message


def test_yaml_syntax_error_gives_file_and_line():
    path = DATA / "bad-yaml.yaml"
    with pytest.raises(ReportFormatError) as caught:
        load_report(path)
    assert str(caught.value).startswith(f"{path}:6: YAML syntax error")
    assert "\n" not in str(caught.value)


def test_duplicate_keys_are_reported():
    problems = problems_of(minimal("  - from: UA").replace("origin: UA", "origin: UA\norigin: RU"))
    assert [(p.line, p.field) for p in problems] == [(8, "origin")]
    assert "first on line 7" in problems[0].message


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path):
    with pytest.raises(ReportFormatError, match="cannot be read"):
        load_report(tmp_path / "nope.yaml")


# ----------------------------------------------------------------------------- directories


def test_a_directory_loads_all_its_yaml_files_sorted(tmp_path):
    for name in ("b.yml", "a.yaml", "c.yaml"):
        text = (SEEDS / "2024-07-16-naroulia.yaml").read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("id: 2024-07-16-naroulia", f"id: {name[0]}"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a report", encoding="utf-8")
    reports = load_reports(tmp_path)
    assert [Path(r.path).name for r in reports] == ["a.yaml", "b.yml", "c.yaml"]
    assert [r.id for r in reports] == ["a", "b", "c"]


def test_problems_are_collected_across_files_and_ids_must_be_unique(tmp_path):
    shutil.copy(SEEDS / "2024-07-16-naroulia.yaml", tmp_path / "a.yaml")
    shutil.copy(SEEDS / "2024-07-16-naroulia.yaml", tmp_path / "b.yaml")
    with pytest.raises(ReportFormatError) as caught:
        load_reports([tmp_path, DATA / "bad-yaml.yaml"])
    assert [(Path(p.path).name, p.field) for p in caught.value.problems] == [
        ("b.yaml", "id"),
        ("bad-yaml.yaml", ""),
    ]


def test_problems_come_in_the_order_the_files_were_given(tmp_path):
    for name in ("z.yaml", "a.yaml"):
        (tmp_path / name).write_text("id: Not A Slug\n", encoding="utf-8")
    with pytest.raises(ReportFormatError) as caught:
        load_reports([tmp_path / "z.yaml", tmp_path / "a.yaml"])
    names = [Path(p.path).name for p in caught.value.problems]
    assert names == sorted(names, key=["z.yaml", "a.yaml"].index) and names[0] == "z.yaml"


@pytest.mark.parametrize("line, expected", [
    ("label: " + "x" * 41, "at most 40 characters"),
    ('label: "two\\nlines"', "more than one line"),
    ("label: '  '", "is blank"),
])
def test_a_reports_label_is_one_short_line(line, expected):
    text = (SEEDS / "2024-07-16-naroulia.yaml").read_text(encoding="utf-8")
    assert "label: Naroulia\n" in text
    lines = text.splitlines()
    at = lines.index("label: Naroulia") + 1  # the YAML line the message must name
    with pytest.raises(ReportFormatError) as err:
        parse_report(text.replace("label: Naroulia", line), path="r.yaml")
    (first,) = [m for m in str(err.value).splitlines() if "label" in m]
    assert first.startswith(f"r.yaml:{at}: label: ") and expected in first


def test_a_report_without_a_label_is_named_by_its_title():
    text = (SEEDS / "2024-07-16-naroulia.yaml").read_text(encoding="utf-8").replace("label: Naroulia\n", "")
    assert parse_report(text, path="r.yaml").label is None
