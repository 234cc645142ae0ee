"""A name whose best candidates lie far apart is loaded, with a warning that names both and the settling hint."""

from __future__ import annotations

import logging

from pyproj import Geod

from geo.reports.loading import load_reports

REPORT = """\
id: ambiguous
title: A made-up flight over a name two places share
date: 2024-07-16
drone: shahed-136
country: UA
origin: BY
outcome: unknown
summary: Made up for tests/test_place_warnings.py.
sources: [{{id: t, publisher: Test fixture}}]
route:
  - {{place: Prypiat{hint}}}
  - {{place: Kyiv}}
"""


def test_an_ambiguous_name_warns_with_both_places_and_the_hint_that_settles_it(tmp_path, gazetteer, caplog):
    path = tmp_path / "ambiguous.yaml"
    path.write_text(REPORT.format(hint=""), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="geo.reports.loading"):
        (report,) = load_reports([path], geocoder=gazetteer)
    (record,) = [r for r in caplog.records if r.name == "geo.reports.loading"]
    message = record.getMessage()
    assert message.startswith(f"{path}:11: route[0].place: ")
    assert "UA-32" in message and "UA-07" in message and "hint: UA-32" in message
    # The two namesakes really are far apart: the abandoned city and the Volyn village.
    city, village = (51.405, 30.057), (51.50, 24.12)
    assert Geod(ellps="WGS84").inv(city[1], city[0], village[1], village[0])[2] / 1000 > 400


def test_the_settling_hint_silences_the_warning(tmp_path, gazetteer, caplog):
    path = tmp_path / "ambiguous.yaml"
    path.write_text(REPORT.format(hint=", hint: UA-32"), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="geo.reports.loading"):
        load_reports([path], geocoder=gazetteer)
    assert [r for r in caplog.records if r.name == "geo.reports.loading"] == []
