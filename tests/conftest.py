"""Fixtures shared by the test modules: reference data read straight from data/."""

from __future__ import annotations

import pytest

from geo.analysis.analyse import analyse
from geo.reference.datafiles import seeds_dir
from geo.geocoding.gazetteer import Gazetteer
from geo.analysis.reach import with_reachability
from geo.reports.loading import load_reports
from geo.tracks.build import build_tracks
from tests.reference import border_line, country_polygons


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """One offline gazetteer for the whole run (its tables load once)."""
    return Gazetteer()


@pytest.fixture(scope="session")
def countries():
    """Country polygons by ISO alpha-2 code (data/countries.parquet)."""
    return country_polygons()


@pytest.fixture(scope="session")
def by_ua_border():
    """The BY-UA border line: borders.parquet row country=BY, neighbour=UA."""
    return border_line("BY", "UA")


@pytest.fixture(scope="session")
def seed_tracks_by_id(gazetteer):
    """The shipped seeds' tracks, indexed by id (built without the analysis). Shared: copy before changing."""
    return build_tracks(load_reports([str(seeds_dir())], geocoder=gazetteer), gazetteer).set_index("id", drop=False)


@pytest.fixture(scope="session")
def seeds(gazetteer):
    """The shipped seed reports through the stages, without the API: (reports, tracks, figures).

    Shared by the whole run: copy before changing anything.
    """
    reports = load_reports([str(seeds_dir())], geocoder=gazetteer)
    tracks = build_tracks(reports, gazetteer)
    return reports, tracks, with_reachability(analyse(tracks), tracks)
