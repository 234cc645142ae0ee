"""Specification of the ``geo`` command line (geocode, borders)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from pyproj import Geod

from geo.reference import borders
from geo.cli import cli

GEOD = Geod(ellps="WGS84")


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_geocode_prints_the_best_match_and_runner_ups(run):
    result = run("geocode", "Gorki", "--country", "BY")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Gorki"
    assert lines[1].startswith("  = Horki") and " BY " in lines[1] and "BY-MA" in lines[1]
    assert "km" in lines[1]  # the uncertainty radius
    assert len(lines) > 2  # runner-ups follow


def test_geocode_json_has_every_field_and_lands_on_geonames(run):
    result = run("geocode", "Лоеў", "Naroulia", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [item["query"] for item in data] == ["Лоеў", "Naroulia"]
    best = data[0]["best"]
    assert set(best) >= {"name", "lat", "lon", "country", "region", "region_id", "kind", "uncertainty_km"}
    # GeoNames 625907 (Loyev) and 624799 (Narovlya), read off the cities500 table.
    assert GEOD.inv(best["lon"], best["lat"], 30.79343, 51.94115)[2] < 5000
    best = data[1]["best"]
    assert GEOD.inv(best["lon"], best["lat"], 29.49784, 51.79724)[2] < 5000


def test_geocode_unknown_name_suggests_and_exits_non_zero(run):
    result = CliRunner().invoke(cli, ["geocode", "Minsk", "Zhlobnyyy"])  # click >= 8.2 keeps stderr apart
    assert result.exit_code == 1
    assert "Minsk" in result.stdout  # the good name is still printed
    assert "did you mean" in result.stderr and "Zhlobin" in result.stderr
    assert "Traceback" not in result.stderr


def test_borders_between_prints_length_and_ends(run):
    result = run("borders", "--between", "BY", "UA", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    border = borders.shared_border("BY", "UA")
    assert data["length_km"] == pytest.approx(border.length_km, abs=0.05)
    assert 1076 <= data["touching_km"] <= 1084
    ends = {(e["lon"], e["lat"]) for e in data["ends"]}
    # The BY-UA-PL and BY-UA-RU tripoints, within 1.5 km.
    for lon, lat in [(23.620, 51.507), (31.782, 52.113)]:
        assert min(GEOD.inv(x, y, lon, lat)[2] for x, y in ends) < 1500


def test_borders_text_output_is_one_readable_line(run):
    result = run("borders", "--between", "Belarus", "Ukraine")
    assert result.exit_code == 0
    assert result.output.startswith("BY–UA border: 1,08") and result.output.count("\n") == 1


def test_unknown_country_is_one_line_with_suggestions_and_no_traceback():
    result = CliRunner().invoke(cli, ["borders", "--between", "BY", "Ukrane"])
    assert result.exit_code != 0
    assert "did you mean: Ukraine (UA)" in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0
