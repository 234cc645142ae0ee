"""Specification of ``geo analyze``: output formats, files, and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import cli
from geo.reference.datafiles import seeds_dir

REPORTS = Path(__file__).parent / "data" / "reports"
BAD = REPORTS / "bad-many-problems.yaml"
SEED_IDS = sorted(p.stem for p in seeds_dir().glob("*.yaml"))
UNPLACED = "2024-07-16-over-60-km"


@pytest.fixture(scope="module")
def run():
    def invoke(*args: str):
        return CliRunner().invoke(cli, ["analyze", *args], catch_exceptions=False)

    return invoke


@pytest.fixture(scope="module")
def as_json(run):
    result = run("--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_seeds_are_the_four_shipped_reports():
    assert SEED_IDS == ["2024-07-11-loyew", "2024-07-13-homel-minsk", "2024-07-16-naroulia", UNPLACED]


def test_default_analyses_the_seeds_as_a_table(run):
    result = run()
    assert result.exit_code == 0, result.output
    for track_id in SEED_IDS:
        assert track_id in result.stdout
    assert "not placed" in result.stdout  # the seed with no position is listed, not dropped


def test_json_is_a_list_with_every_figure(as_json):
    assert isinstance(as_json, list)
    assert sorted(item["id"] for item in as_json) == SEED_IDS
    required = {"id", "length_km", "length_km_range", "depth_km", "depth_km_range", "inside_km",
                "inside_minutes", "crossings", "regions", "checks"}
    for item in as_json:
        assert required <= item.keys(), item["id"]


def test_json_carries_the_seed_figures(as_json):
    by_id = {item["id"]: item for item in as_json}
    loyew = by_id["2024-07-11-loyew"]
    assert [(c["from"], c["to"]) for c in loyew["crossings"]] == [("UA", "BY"), ("BY", "UA")]
    assert by_id[UNPLACED]["length_km"] is None  # NaN is written as null, not NaN
    assert by_id["2024-07-16-naroulia"]["depth_km"] == pytest.approx(120.0, abs=2.0)


def test_geojson_is_a_feature_collection_with_null_geometry_for_the_unplaced(run):
    result = run("--format", "geojson")
    assert result.exit_code == 0, result.output
    collection = json.loads(result.stdout)
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert sorted(features) == SEED_IDS
    assert features[UNPLACED]["geometry"] is None
    for track_id in set(SEED_IDS) - {UNPLACED}:
        geometry = features[track_id]["geometry"]
        assert geometry["type"] == "LineString" and len(geometry["coordinates"]) >= 2
        lon, lat = geometry["coordinates"][0]
        assert 20 < lon < 35 and 50 < lat < 56  # (lon, lat) order, around Belarus


def test_csv_has_one_row_per_incident(run):
    result = run("--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted(row["id"] for row in rows) == SEED_IDS
    assert {"length_km", "depth_km", "inside_km", "crossings"} <= rows[0].keys()


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "geojson"])
def test_output_file_is_written_and_reproducible(fmt, run, tmp_path):
    first, second = tmp_path / f"first.{fmt}", tmp_path / f"second.{fmt}"
    for path in (first, second):
        result = run("--format", fmt, "-o", str(path))
        assert result.exit_code == 0, result.output
        assert result.stdout == ""  # the figures go to the file only
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text(encoding="utf-8") == run("--format", fmt).stdout
    # Written atomically: no temporary file left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, second.name])


def test_reports_given_on_the_command_line_are_analysed(run):
    result = run("--format", "json", str(REPORTS / "synthetic-straight-crossing.yaml"))
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)
    assert item["id"] == "synthetic-straight-crossing"
    assert [(c["from"], c["to"]) for c in item["crossings"]] == [("UA", "BY")]


# ----------------------------------------------------------------------------- bad input

#: The problems in bad-many-problems.yaml, by line and field (read off the file).
BAD_PROBLEMS = [
    (1, "id"), (5, "drone"), (8, "outcome"), (15, "route[0].time"), (17, "route[1].status"),
    (18, "route[1].sources[1]"), (19, "route[2]"), (23, "route[3].tme"),
]


def test_bad_report_exits_2_with_every_problem_on_its_own_line(run):
    result = run(str(BAD))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(": ", 2)[:2] for line in lines] == [[f"{BAD}:{n}", field] for n, field in BAD_PROBLEMS]
    assert all(len(line.split(": ", 2)[2]) > 10 for line in lines)  # each says what is wrong


def test_bad_report_with_output_leaves_no_file(run, tmp_path):
    target = tmp_path / "out.json"
    result = run("--format", "json", "-o", str(target), str(BAD))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
