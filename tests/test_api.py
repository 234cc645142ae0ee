"""Specification of the notebook API: ``geo.load``, ``geo.analyze``, ``geo.make_map``, ``geo.write_*``.

Each call is compared with the pipeline it stands for, run here stage by stage
(``load_reports`` -> ``build_tracks`` -> ``analyse`` -> ``map_html`` /
``write_export`` / ``write_image``): the API must add nothing and lose nothing.
"""

from __future__ import annotations

import html
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import shapely
from geopy.location import Location

import geo
from geo.analysis.analyse import analyse
from geo.reference.datafiles import seeds_dir
from geo.errors import ExportError, ReportFormatError
from geo.outputs.print.image import write_image
from geo.outputs.files.fileexport import write_export
from geo.outputs.web.render import DEFAULT_TILES, RenderOptionError, map_html

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data" / "reports"
SEED_IDS = ["2024-07-11-loyew", "2024-07-13-homel-minsk", "2024-07-16-naroulia", "2024-07-16-over-60-km"]
SMALL = {"width": 640, "height": 800, "dpi": 80}


@pytest.fixture(scope="module")
def incidents():
    return geo.load()


def _same_tracks(got, want) -> None:
    assert list(got["id"]) == list(want["id"])
    assert list(got["stops"]) == list(want["stops"])
    for a, b in zip(got.geometry, want.geometry):
        assert (a is None and b is None) or shapely.equals_exact(a, b, tolerance=0)


# ----------------------------------------------------------------------------- the package


def test_import_geo_is_cheap_and_offers_the_api():
    code = ("import sys, geo; heavy = ['pandas', 'geopandas', 'shapely', 'pyproj', 'numpy', 'folium', "
            "'matplotlib', 'pydantic', 'yaml']; print([m for m in heavy if m in sys.modules]); "
            "print(callable(geo.load))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "True"]


def test_api_names_are_not_taken_over_by_submodules():
    # Importing a submodule binds its name on the package: none may share a name with the API.
    for module in pkgutil.iter_modules(geo.__path__):
        importlib.import_module(f"geo.{module.name}")
    for name in geo.__all__[1:]:
        assert getattr(geo, name) is getattr(geo.api, name), name
    from geo.analysis import analyse as module  # the modules keep their own names

    assert inspect.ismodule(module) and module.analyse is analyse


def test_every_api_function_has_a_numpydoc_example():
    for name in geo.api.__all__:
        doc = inspect.getdoc(getattr(geo, name))
        assert doc and ("Examples\n--------\n>>>" in doc or name == "Incidents"), name


# ----------------------------------------------------------------------------- load


def test_load_defaults_to_the_shipped_reports_as_the_pipeline_reads_them(incidents, seeds):
    reports, tracks, _ = seeds
    assert [r.id for r in incidents.reports] == [r.id for r in reports] == SEED_IDS
    _same_tracks(incidents.tracks, tracks)
    assert len(incidents) == 4 and repr(incidents) == "Incidents(4 reports, 3 placed on the map)"


def test_load_takes_a_file_or_files_and_folders_and_reads_each_file_once():
    one = seeds_dir() / "2024-07-16-naroulia.yaml"
    assert [r.id for r in geo.load(one).reports] == ["2024-07-16-naroulia"]
    assert [r.id for r in geo.load(str(one)).reports] == ["2024-07-16-naroulia"]
    mixed = geo.load([one, seeds_dir()])
    assert [r.id for r in mixed.reports] == ["2024-07-16-naroulia"] + [i for i in SEED_IDS if "naroulia" not in i]


def test_load_places_the_tracks_with_the_geocoder_given(gazetteer):
    """A geocoder that puts Naroulia elsewhere moves the naroulia track's target there."""
    fake = (51.70, 28.80)

    class Moved:
        def __init__(self):
            self.asked = []

        def geocode(self, query, *, exactly_one=True, **options):
            self.asked.append(query)
            if query == "Naroulia":
                return Location("Nowhere", fake, {"name": "Nowhere", "uncertainty_km": 3.0})
            return gazetteer.geocode(query, exactly_one=exactly_one, **options)

    geocoder = Moved()
    track = geo.load(seeds_dir() / "2024-07-16-naroulia.yaml", geocoder=geocoder).tracks.iloc[0]
    assert "Naroulia" in geocoder.asked
    target = next(s for s in track["stops"] if s["kind"] == "toward")
    # Placed where that geocoder says, labelled as the report spells it, the geocoder's name kept beside.
    assert (target["lat"], target["lon"], target["label"]) == (fake[0], fake[1], "towards Naroulia")
    assert target["matched"]["name"] == "Nowhere"


def test_load_of_no_file_or_a_bad_file_says_what_is_wrong_in_one_line_each():
    with pytest.raises(ReportFormatError) as err:
        geo.load([])
    assert str(err.value).count("\n") == 0 and "no report file given" in str(err.value)
    with pytest.raises(ReportFormatError, match="did you mean"):
        geo.load(DATA / "bad-unknown-place.yaml")


# ----------------------------------------------------------------------------- analyze


def test_analyze_gives_the_pipeline_figures_computed_once(incidents, seeds):
    _, _, figures = seeds
    got = geo.analyze(incidents)
    assert got is incidents.figures is geo.analyze(incidents)
    pd.testing.assert_frame_equal(got, figures)


# ----------------------------------------------------------------------------- maps


def test_write_map_writes_what_map_html_makes(incidents, seeds, tmp_path):
    reports, tracks, figures = seeds
    written = geo.write_map(tmp_path / "map.html", incidents, title="Drones", byline="Desk")
    assert written == [tmp_path / "map.html"]
    want = map_html(tracks, figures, reports=reports, title="Drones", byline="Desk", tiles=DEFAULT_TILES)
    assert written[0].read_text(encoding="utf-8") == want


def test_the_notebook_view_of_an_offline_map_is_the_offline_page(incidents, seeds):
    reports, tracks, figures = seeds
    view = geo.make_map(incidents, offline=True)._repr_html_()
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" title="([^"]*)" style="[^"]*"></iframe>', view, flags=re.S)
    assert match, view[:200]
    page = html.unescape(match.group(1))
    assert page == map_html(tracks, figures, reports=reports, offline=True)
    assert "<script src=" not in page and "<link rel=\"stylesheet\" href=" not in page
    assert html.unescape(match.group(2)) == "4 reported drone flights into Belarus, 11–16 July 2024"


# ----------------------------------------------------------------------------- exports and images


@pytest.mark.parametrize("ext", [".gpkg", ".geojson", ".csv", ".kml", ".kmz"])
def test_write_export_writes_what_the_pipeline_writes(incidents, seeds, tmp_path, ext):
    reports, tracks, figures = seeds
    (tmp_path / "api").mkdir()
    (tmp_path / "stages").mkdir()
    got = geo.write_export(tmp_path / "api" / f"incidents{ext}", incidents)
    want = write_export(tmp_path / "stages" / f"incidents{ext}", tracks, figures, reports=reports)
    assert got == tmp_path / "api" / f"incidents{ext}"
    assert got.read_bytes() == want.read_bytes()


def test_write_image_draws_what_the_pipeline_draws(incidents, seeds, tmp_path):
    reports, tracks, figures = seeds
    got = geo.write_image(tmp_path / "api.svg", incidents, title="Drones", **SMALL)
    want = write_image(tmp_path / "stages.svg", tracks, figures, reports=reports, title="Drones", **SMALL)
    assert got.read_bytes() == want.read_bytes()


def test_bad_extensions_fail_before_anything_is_written(incidents, tmp_path):
    with pytest.raises(ExportError, match=r"\.shp"):
        geo.write_export(tmp_path / "x.shp", incidents)
    with pytest.raises(RenderOptionError, match=r"\.png, \.svg"):
        geo.write_image(tmp_path / "x.jpg", incidents)
    assert list(tmp_path.iterdir()) == []
