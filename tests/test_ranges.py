"""Every range says what it is: a guaranteed bound or a sampled interval, in every output."""

from __future__ import annotations

import csv
import io
import json

from geo.outputs.files.export import to_csv, to_json, to_table
from geo.present.words import range_words
from geo.analysis.ranges import RANGE_KINDS, RANGE_MEANING


def test_json_names_each_ranges_kind_and_meaning(seeds):
    _, tracks, figures = seeds
    for item in json.loads(to_json(tracks, figures)):
        assert item["range_kinds"] == {c: {"kind": k, "meaning": RANGE_MEANING[k]} for c, k in RANGE_KINDS.items()}


def test_csv_has_a_kind_column_beside_each_range(seeds):
    _, tracks, figures = seeds
    rows = list(csv.DictReader(io.StringIO(to_csv(tracks, figures))))
    assert {r["depth_km_range_kind"] for r in rows} == {"bound"}
    assert {r["length_km_range_kind"] for r in rows} == {"interval"}


def test_the_table_and_the_map_wording_say_bound_or_interval(seeds):
    _, tracks, figures = seeds
    table = to_table(tracks, figures)
    placed = figures[figures["placed"]]
    for lo, hi in placed["depth_km_range"]:
        assert f"({lo:,.0f}–{hi:,.0f}, bound)" in table
    for lo, hi in placed["length_km_range"]:
        assert f"({lo:,.0f}–{hi:,.0f}, interval)" in table
    assert range_words(5, 44, "bound").startswith("certainly")
    assert "uncertainties" in range_words(5, 44, "interval")
