"""Specification of geo.geocoding.gazetteer.Gazetteer, on the real built data/ files.

Reference coordinates come from the GeoNames source table itself (the row of
the intended geonameid), not from the built gazetteer under test.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from pyproj import Geod
from shapely.geometry import box

from geo.errors import GeoError, UnknownPlaceError

REPO = Path(__file__).resolve().parent.parent
SOURCES = Path(os.environ.get("GEO_DATA_SOURCES", REPO.parent / "shared" / "data-sources"))
GEONAMES_TSV = SOURCES / "geonames" / "cities500.east-europe.tsv"
CURATED = REPO / "data" / "curated_places.yaml"
WGS84 = Geod(ellps="WGS84")
RAW_KEYS = {
    "place_id", "name", "matched", "match", "own_name", "score", "country", "region_id", "region",
    "kind", "population", "uncertainty_km", "lat", "lon", "source",
}


@pytest.fixture(scope="module")
def reference() -> dict[str, tuple[float, float]]:
    """place_id -> (lat, lon) from the GeoNames source and the curated file."""
    if not GEONAMES_TSV.exists():
        pytest.skip(f"{GEONAMES_TSV} not staged; set GEO_DATA_SOURCES")
    with GEONAMES_TSV.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        coords = {f"geonames:{r['geonameid']}": (float(r["latitude"]), float(r["longitude"])) for r in rows}
    for entry in yaml.safe_load(CURATED.read_text(encoding="utf-8"))["places"]:
        coords[f"curated:{entry['id']}"] = (entry["lat"], entry["lon"])
    return coords


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return WGS84.inv(a[1], a[0], b[1], b[0])[2] / 1000


@pytest.fixture(scope="module")
def build_module():
    spec = importlib.util.spec_from_file_location("build_gazetteer", REPO / "scripts" / "build_gazetteer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- every reported spelling lands within 5 km of the intended place ----------

@pytest.mark.parametrize(
    "query, place_id",
    [
        ("Loyew", "geonames:625907"),
        ("Loev", "geonames:625907"),
        ("Лоеў", "geonames:625907"),
        ("Naroulia", "geonames:624799"),
        ("Narovlya", "geonames:624799"),
        ("Наровля", "geonames:624799"),
        ("Homel", "geonames:627907"),
        ("Gomel", "geonames:627907"),
        ("Zhlobyn", "geonames:618806"),
        ("Mahiliou", "geonames:625665"),
        ("Mogilev", "geonames:625665"),
        ("Minsk", "geonames:625144"),
        ("Vitebsk", "geonames:620127"),
        ("Vitsebsk", "geonames:620127"),
        ("Luninets", "geonames:625818"),
        ("Chernihiv", "geonames:710735"),
        ("Chernigov", "geonames:710735"),
        ("Polesie State Radioecological Reserve", "curated:polesie-reserve"),
        # typos
        ("Zhlobinn", "geonames:618806"),
        ("Mogiljov", "geonames:625665"),
        ("Homell", "geonames:627907"),
        ("Zhlbin", "geonames:618806"),
    ],
)
def test_spelling_resolves_within_5_km(gazetteer, reference, query, place_id):
    found = gazetteer.geocode(query)
    assert distance_km((found.latitude, found.longitude), reference[place_id]) < 5
    assert found.raw["place_id"] == place_id


@pytest.mark.parametrize(
    "query, match",
    [("Loyew", "exact"), ("LOYEW", "exact"), ("Naroulia", "folded"), ("Zhlobyn", "folded"), ("Zhlbin", "fuzzy")],
)
def test_match_tier_is_reported(gazetteer, query, match):
    from geo.geocoding.gazetteer import FUZZY_CUTOFF

    raw = gazetteer.geocode(query).raw
    assert raw["match"] == match
    assert (raw["score"] == 100) == (match != "fuzzy") and FUZZY_CUTOFF <= raw["score"] <= 100


# -- hints rank, country_codes restrict ---------------------------------------

@pytest.mark.parametrize("hint", ["BY", "by", ["PL", "BY"]])
def test_hint_by_picks_brest_belarus(gazetteer, hint):
    assert gazetteer.geocode("Brest", hint=hint).raw["place_id"] == "geonames:629634"


@pytest.mark.parametrize("hint", ["BY", "BY-MA", "by-ma", "Mahiliou", ["UA", "Mahilioŭ"]])
def test_hint_picks_horki_for_gorki(gazetteer, hint):
    assert gazetteer.geocode("Gorki", hint=hint).raw["place_id"] == "geonames:627905"


def test_without_hint_ambiguous_names_give_ranked_runner_ups(gazetteer):
    gorki = gazetteer.candidates("Gorki", limit=None)
    ids = [loc.raw["place_id"] for loc in gorki]
    # Horki (Russian Горки, Gorki) is the largest place whose own name this is; Nizhny Novgorod,
    # formerly Gorky, has it only as a historic name and ranks after every own-name match
    assert ids[0] == "geonames:627905"
    nizhny = ids.index("geonames:520555")
    assert gorki[nizhny].raw["match"] == "alternate"
    assert all(loc.raw["own_name"] for loc in gorki[:nizhny])
    brest = [loc.raw["place_id"] for loc in gazetteer.candidates("Brest")]
    assert brest[0] == "geonames:629634" and len(brest) > 1


def test_hint_only_reorders(gazetteer):
    plain = {loc.raw["place_id"] for loc in gazetteer.candidates("Gorki", limit=None)}
    hinted = {loc.raw["place_id"] for loc in gazetteer.candidates("Gorki", hint="PL", limit=None)}
    assert plain == hinted


@pytest.mark.parametrize("codes", ["PL", "pl", ["pl"], ("LT", "PL")])
def test_country_codes_restrict(gazetteer, codes):
    found = gazetteer.geocode("Minsk", exactly_one=False, country_codes=codes)
    assert found and {loc.raw["country"] for loc in found} == {"PL"}


def test_country_codes_can_exclude_everything(gazetteer):
    with pytest.raises(UnknownPlaceError, match="in UA"):
        gazetteer.geocode("Minsk", country_codes="UA", fuzzy=False)


# -- errors -------------------------------------------------------------------

def test_unknown_place_raises_with_suggestions(gazetteer):
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.geocode("Zhlobinovskaya Slobodka")
    error = caught.value
    assert isinstance(error, LookupError) and error.query == "Zhlobinovskaya Slobodka"
    assert error.suggestions and "did you mean" in str(error)


def test_nonsense_raises_unknown_place(gazetteer):
    with pytest.raises(UnknownPlaceError, match="no place matches 'Qqxxzzv'"):
        gazetteer.geocode("Qqxxzzv")


def test_fuzzy_can_be_switched_off(gazetteer):
    with pytest.raises(UnknownPlaceError):
        gazetteer.geocode("Zhlbin", fuzzy=False)


@pytest.mark.parametrize("query", ["", "   ", None])
def test_blank_query_is_a_value_error(gazetteer, query):
    with pytest.raises(ValueError, match="place name is required") as caught:
        gazetteer.geocode(query)
    assert isinstance(caught.value, GeoError)


@pytest.mark.parametrize("option", [{"country_codes": "BLR"}, {"limit": 0}])
def test_bad_options_are_value_errors(gazetteer, option):
    with pytest.raises(ValueError):
        gazetteer.geocode("Minsk", **option)


# -- geopy's contract ---------------------------------------------------------

def test_geopy_contract(gazetteer):
    assert isinstance(gazetteer, Geocoder)
    best = gazetteer.geocode("Homel", timeout=5)
    assert isinstance(best, Location)
    assert best.address == "Homyel', Homel, Belarus"
    assert (best.latitude, best.longitude) == (best.raw["lat"], best.raw["lon"])
    assert tuple(best.point)[:2] == (best.latitude, best.longitude)
    assert set(best.raw) == RAW_KEYS
    many = gazetteer.geocode("Gorki", exactly_one=False, limit=2)
    assert isinstance(many, list) and len(many) == 2 and all(isinstance(loc, Location) for loc in many)
    assert many[0].raw == gazetteer.geocode("Gorki").raw


def test_curated_reserve_is_an_area_with_its_citation(gazetteer):
    raw = gazetteer.geocode("PSRER").raw
    assert raw["kind"] == "reserve" and raw["region_id"] == "BY-HO" and raw["population"] == 0
    assert raw["uncertainty_km"] == pytest.approx(26.2, abs=0.1)
    assert "Wikipedia" in raw["source"]
    assert gazetteer.geocode("Полесский государственный радиационно-экологический заповедник").raw == {
        **raw, "matched": "Полесский государственный радиационно-экологический заповедник"
    }


# -- the built tables and the builder ----------------------------------------

def test_built_tables_are_consistent(gazetteer, reference):
    places = pd.read_parquet(REPO / "data" / "places.parquet")
    names = pd.read_parquet(REPO / "data" / "place_names.parquet")
    assert places["place_id"].is_unique and places["place_id"].is_monotonic_increasing
    assert set(places["place_id"]) == set(reference)  # every GeoNames row and curated entry
    assert places["region_id"].notna().all()
    assert names["key"].is_monotonic_increasing
    assert names["place"].between(0, len(places) - 1).all()
    assert len(gazetteer) == len(places)


def test_region_falls_back_to_polygon_then_nearest(build_module):
    regions = gpd.GeoDataFrame(
        {"region_id": ["XX-A", "XX-B"], "country": ["XX", "XX"], "name": ["A", "B"], "gn_a1_code": ["XX.01", None]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    places = pd.DataFrame(
        {"country": ["XX"] * 3, "admin1": ["XX.01", "XX.99", "XX.99"], "lat": [0.5, 0.5, 0.5], "lon": [1.5, 1.5, 2.2]}
    )
    assert build_module._assign_regions(places, regions).tolist() == ["XX-A", "XX-B", "XX-B"]


def test_write_is_deterministic(build_module, tmp_path):
    places = pd.DataFrame(
        {"place_id": ["curated:a", "geonames:1"], "name": ["A", "B"], "lat": [1.0, 2.0], "lon": [3.0, 4.0],
         "country": ["BY", "BY"], "region_id": ["BY-HO", None], "region": ["Gomel", None],
         "kind": ["area", "town"], "population": [0, 5000], "uncertainty_km": [9.0, 2.0], "source": ["x", "y"]}
    )
    names = pd.DataFrame({"key": ["b", "a"], "variant": ["B", "A"], "place": [1, 0], "own": [True, False]})
    digests = []
    for out in (tmp_path / "one", tmp_path / "two"):
        paths = build_module.write_gazetteer(places, names, out)
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in paths])
    assert digests[0] == digests[1]
    assert pd.read_parquet(tmp_path / "one" / "place_names.parquet")["key"].tolist() == ["a", "b"]
