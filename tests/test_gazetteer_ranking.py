"""Specification of the gazetteer's ranking, tiers, typos, ambiguity and curated places (issue 10).

Reference points are read from the sources, never from the built gazetteer: the
GeoNames cities500 row of the intended place (``../shared/data-sources``), or a
figure quoted from the Wikipedia article that ``data/curated_places.yaml``
cites for an entry (its distance to the border, to a city), checked against
the shipped borders with pyproj.  Tolerances are stated per test.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import yaml

from geo.errors import UnknownPlaceError
from geo.geocoding.gazetteer import AMBIGUITY_KM, FUZZY_CUTOFF, MATCH_TIERS
from geo.reports.places import WrittenPoint, place_problems, place_warnings
from tests.reference import GEOD, border_line, brute_force_km

REPO = Path(__file__).resolve().parent.parent
SOURCES = Path(os.environ.get("GEO_DATA_SOURCES", REPO.parent / "shared" / "data-sources"))
GEONAMES_TSV = SOURCES / "geonames" / "cities500.east-europe.tsv"
CURATED = REPO / "data" / "curated_places.yaml"

#: The GeoNames rows the tests name (geonameid), looked up in the TSV by the `source` fixture.
CHORNOBYL, LAZURNYI, VARNIAI, PRYPIAT_VOLYN, VILNIUS = 710403, 13645596, 593378, 696105, 593116
#: Where the issue says the abandoned city of Prypiat is (51.405 N 30.057 E), as (lat, lon).
PRYPIAT_CITY = (51.405, 30.057)


@pytest.fixture(scope="module")
def source() -> dict[int, tuple[float, float]]:
    """geonameid -> (lat, lon) from the staged GeoNames TSV."""
    if not GEONAMES_TSV.exists():
        pytest.skip(f"{GEONAMES_TSV} not staged; set GEO_DATA_SOURCES")
    with GEONAMES_TSV.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {int(r["geonameid"]): (float(r["latitude"]), float(r["longitude"])) for r in rows}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic km between two (lat, lon) points (WGS84)."""
    return GEOD.inv(a[1], a[0], b[1], b[0])[2] / 1000


def at(location) -> tuple[float, float]:
    return location.latitude, location.longitude


# -- an own name outranks another place's alternate name ----------------------

@pytest.mark.parametrize("query", ["Chornobyl", "Чорнобиль", "CHORNOBYL", "Chornobil'"])
def test_own_name_beats_another_places_alternate_name(gazetteer, source, query):
    found = gazetteer.candidates(query, limit=None)
    assert km(at(found[0]), source[CHORNOBYL]) < 2  # the village in Kyiv oblast, 51.27 N 30.22 E
    assert found[0].raw["own_name"] and found[0].raw["match"] in ("exact", "folded")
    # Lazurnyi (Donetsk oblast) lists "Chornobyl" among its names: still a candidate, ranked after
    lazurnyi = [loc for loc in found if km(at(loc), source[LAZURNYI]) < 2]
    assert lazurnyi and lazurnyi[0].raw["match"] == "alternate" and not lazurnyi[0].raw["own_name"]
    assert km(source[CHORNOBYL], source[LAZURNYI]) > 500  # the trap is 600 km wide


def test_the_russian_spelling_is_an_own_name_too(gazetteer, source):
    found = gazetteer.geocode("Chernobyl")  # Russian Чернобыль: one of Ukraine's languages
    assert km(at(found), source[CHORNOBYL]) < 2 and found.raw["own_name"]


def test_a_hint_still_beats_the_tier(gazetteer, source):
    # hints rank first: a report that says Donetsk oblast means the place there
    assert km(at(gazetteer.geocode("Chornobyl", hint="UA-14")), source[LAZURNYI]) < 2


def test_medininkai_is_the_border_village_not_varniai(gazetteer, source):
    found = gazetteer.candidates("Medininkai")
    medininkai = at(found[0])
    assert found[0].raw["match"] == "exact" and found[0].raw["country"] == "LT"
    # the cited article: "29 km (18 mi) from Vilnius and 2 km (1.2 mi) from the Lithuanian-Belarusian border"
    assert km(medininkai, source[VILNIUS]) == pytest.approx(29, abs=2)
    assert brute_force_km(medininkai[1], medininkai[0], border_line("LT", "BY")) == pytest.approx(2, abs=0.5)
    # Varniai's historic name: a candidate, as an alternate, 248 km away
    varniai = [loc for loc in found if km(at(loc), source[VARNIAI]) < 2]
    assert varniai and varniai[0].raw["match"] == "alternate"
    assert km(medininkai, source[VARNIAI]) > 200


@pytest.mark.parametrize("query", ["Prypiat", "Pripyat", "Прип'ять", "Припять"])
def test_prypiat_is_the_abandoned_city(gazetteer, source, query):
    found = gazetteer.geocode(query)
    assert km(at(found), PRYPIAT_CITY) < 1
    assert km(at(found), source[PRYPIAT_VOLYN]) > 400  # not the village in Volyn
    assert found.raw["region_id"] == "UA-32"


def test_chornobyl_nuclear_power_plant_is_curated_where_its_article_puts_it(gazetteer, source):
    plant = gazetteer.geocode("Chornobyl NPP")
    assert plant.raw["kind"] == "site" and "Wikipedia" in plant.raw["source"]
    # the article: "14.5 km (9.0 mi) northwest of the city of Chornobyl"
    azimuth, _, metres = GEOD.inv(source[CHORNOBYL][1], source[CHORNOBYL][0], plant.longitude, plant.latitude)
    assert metres / 1000 == pytest.approx(14.5, abs=2) and -90 < azimuth < 0
    assert km(at(plant), PRYPIAT_CITY) < 5  # Prypiat was built for the plant's workers


# -- tiers ----------------------------------------------------------------------

def test_tier_names(gazetteer):
    assert MATCH_TIERS == ("exact", "folded", "alternate", "fuzzy")


@pytest.mark.parametrize(
    "query, tier, own",
    [
        ("Loyew", "exact", True),          # GeoNames' own spelling
        ("Pripyat'", "exact", True),       # apostrophes and case do not count
        ("Mogilev", "exact", True),        # Russian name of Mahilyow: one of its country's languages
        ("Naroulia", "folded", True),      # another romanisation of Нароўля
        ("Zhlbin", "fuzzy", True),         # a typo
    ],
)
def test_tiers_in_raw(gazetteer, query, tier, own):
    raw = gazetteer.geocode(query).raw
    assert (raw["match"], raw["own_name"]) == (tier, own)
    assert raw["score"] == 100 if tier != "fuzzy" else FUZZY_CUTOFF <= raw["score"] < 100


def test_alternate_tier_in_raw(gazetteer):
    # the runner-up for Medininkai is Varniai, by its historic name
    raw = gazetteer.geocode("Medininkai", exactly_one=False)[1].raw
    assert (raw["match"], raw["matched"], raw["own_name"]) == ("alternate", "Medininkai", False)


# -- typos ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "typo, geonameid",
    [
        ("Zhlobni", 618806),       # swapped: Zhlobin
        ("Mozry", 625324),         # swapped: Mazyr (Mozyr)
        ("Vitebks", 620127),       # swapped: Vitebsk
        ("Lunients", 625818),      # swapped: Luninets
        ("Hrodan", 627904),        # swapped: Hrodna
        ("Mahilyw", 625665),       # dropped: Mahilyow
        ("Chornobl", 710403),      # dropped: Chornobyl
        ("Гомль", 627907),         # dropped, in Cyrillic: Гомель
        ("Минкс", 625144),         # swapped, in Cyrillic: Минск
        ("Rechitsaa", 622794),     # doubled: Rechitsa
        ("Pinks", 623549),         # swapped: Pinsk
        ("Bobriusk", 630468),      # transliteration (Bobruisk) with a swap: Babruysk
        ("Svetlagorks", 621074),   # Belarusian vowels (Svetlahorsk) and a swap: Svetlogorsk
        ("Kalinkavihy", 627751),   # Belarusian spelling, one letter dropped: Kalinkavichy
        ("Chernigiv", 710735),     # Russian g in the Ukrainian name: Chernihiv
    ],
)
def test_realistic_misspellings_resolve_within_5_km(gazetteer, source, typo, geonameid):
    assert km(at(gazetteer.geocode(typo)), source[geonameid]) < 5


def test_a_nonsense_tail_is_refused_with_the_name_suggested(gazetteer):
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.geocode("Loyewwq")  # two letters more than Loyew: 71% alike as typed
    assert "Loyev" in caught.value.suggestions
    one_more = gazetteer.geocode("Loyewq").raw  # one letter more: a typo, with its score
    assert one_more["name"] == "Loyev" and one_more["match"] == "fuzzy" and one_more["score"] < 90


def test_short_names_are_not_matched_fuzzily(gazetteer):
    with pytest.raises(UnknownPlaceError):
        gazetteer.geocode("Lda")  # one edit in three letters is another name


# -- far-apart candidates that nothing separates -----------------------------------

def test_ambiguity_names_both_places_and_the_settling_hint(gazetteer, source):
    found = gazetteer.ambiguity("Prypiat", hint="BY")  # a report about Belarus: neither is in BY
    assert found is not None and found.hint == "UA-32"  # both are in Ukraine: the region settles it
    best, rival = found.places[:2]
    assert km(at(best), PRYPIAT_CITY) < 1 and km(at(rival), source[PRYPIAT_VOLYN]) < 2
    assert found.distance_km == pytest.approx(km(at(best), at(rival)), rel=0.005)  # great circle vs WGS84
    assert found.distance_km > AMBIGUITY_KM
    assert gazetteer.ambiguity("Prypiat", hint="UA-32") is None  # the hint settles it


def test_ambiguity_across_countries_is_settled_by_the_country(gazetteer):
    found = gazetteer.ambiguity("Gorki")  # Horki (BY), Górki (PL), Hirky (UA): all own names
    assert found is not None and found.places[0].raw["country"] == "BY" and found.hint == "BY"
    assert {loc.raw["country"] for loc in found.places[1:]} >= {"PL", "UA"}
    assert gazetteer.ambiguity("Gorki", hint="BY") is None


@pytest.mark.parametrize("query", ["Chornobyl", "Medininkai", "Vinnytsya", "Homel"])
def test_no_ambiguity_when_the_tier_separates(gazetteer, query):
    assert gazetteer.ambiguity(query, hint="UA") is None


def test_report_validation_warns_about_far_apart_candidates(gazetteer):
    points = [WrittenPoint(0, "place", "Loyew", "BY-HO"), WrittenPoint(1, "place", "Prypiat"),
              WrittenPoint(2, "toward", "Prypiat", "UA-32")]
    warnings = place_warnings(points, country="BY", origin="UA", geocoder=gazetteer)
    assert [(i, field) for i, field, _ in warnings] == [(1, "place")]
    message = warnings[0][2]
    assert "Prypiat (abandoned, Kyiv, UA-32)" in message and "Prypiat (village, Volyn, UA-07)" in message
    assert "hint: UA-32" in message and "km apart" in message
    # a warning, not a problem: the report stays valid
    assert place_problems(points, country="BY", origin="UA", geocoder=gazetteer) == []


def test_geocoders_without_ambiguity_give_no_warnings():
    class Plain:
        def geocode(self, query, exactly_one=True):
            raise AssertionError("not called")

    assert place_warnings([WrittenPoint(0, "place", "Prypiat")], country="BY", origin="UA", geocoder=Plain()) == []


# -- curated places ------------------------------------------------------------------

def test_curated_places_cite_a_source_and_lie_in_their_region():
    regions = gpd.read_parquet(REPO / "data" / "regions.parquet").set_index("region_id").geometry
    entries = yaml.safe_load(CURATED.read_text(encoding="utf-8"))["places"]
    assert 0 < len(entries) <= 12  # a modest list
    for entry in entries:
        assert "Wikipedia" in entry["source"], entry["id"]
        assert regions[entry["region_id"]].contains(shapely.Point(entry["lon"], entry["lat"])), entry["id"]
