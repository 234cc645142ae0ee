"""Specification of geo.reference.borders: the reference polygons and the measurements on them."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo.reference import borders
from geo.errors import GeoError, UnknownCountryError
from tests.reference import border_line, brute_force_km

GEOD = Geod(ellps="WGS84")

# Test points taken from GeoNames (cities500, the staged TSV), not from our polygons:
# name: (lon, lat, country the place is in)
TOWNS = {
    "Loyew": (30.79343, 51.94115, "BY"),
    "Naroulia": (29.49784, 51.79724, "BY"),
    "Brest": (23.71749, 52.10894, "BY"),
    "Minsk": (27.56653, 53.90019, "BY"),
    "Mahiliou": (30.34044, 53.90876, "BY"),
    "Chernihiv": (31.28656, 51.50541, "UA"),
    "Kyiv": (30.52380, 50.45466, "UA"),
}


# ----------------------------------------------------------------------------- reference data


def test_the_countries_required_are_all_shipped():
    codes = set(borders.countries()["country"])
    assert {"BY", "UA", "RU", "PL", "LT", "LV", "EE", "MD", "RO", "SK", "HU"} <= codes


def test_country_polygons_are_valid_and_do_not_overlap():
    frame = borders.countries()
    assert frame.geometry.is_valid.all()
    geoms = frame.geometry.values
    i, j = np.triu_indices(len(geoms), 1)
    overlap = shapely.intersection(geoms[i], geoms[j])
    overlap_m2 = [abs(GEOD.geometry_area_perimeter(g)[0]) for g in overlap]
    # Snapping to a 1e-7° grid leaves at most a needle triangle of ~1 m².
    assert max(overlap_m2) < 5.0


def test_crimea_and_sevastopol_are_ukraine_de_jure():
    simferopol, sevastopol = (34.10, 44.95), (33.52, 44.60)
    assert borders.country_at(*zip(simferopol, sevastopol)).tolist() == ["UA", "UA"]
    assert set(borders.region_at(*zip(simferopol, sevastopol))) == {"UA-43", "UA-40"}


def test_regions_partition_their_country():
    countries = borders.countries().set_index("country")
    regions = borders.regions()
    assert regions.geometry.is_valid.all()
    for code, country in countries.geometry.items():
        union = shapely.union_all(regions[regions["country"] == code].geometry.values)
        # Point-in-polygon works on straight lon/lat edges: densify them before
        # measuring on the ellipsoid, or a zero-width sliver 100 km long along a
        # parallel would count as ~1 km² (the geodesic bows away from the parallel).
        gap_km2 = abs(GEOD.geometry_area_perimeter(shapely.segmentize(country.difference(union), 0.001))[0]) / 1e6
        outside_km2 = abs(GEOD.geometry_area_perimeter(shapely.segmentize(union.difference(country), 0.001))[0]) / 1e6
        # Float overlay leaves slivers of a few hundred m² at most per country,
        # against country areas of 30,000-600,000 km².
        assert gap_km2 < 0.1, code
        assert outside_km2 < 0.1, code


def test_a_point_in_a_region_is_in_that_regions_country():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(22, 33, 5000), rng.uniform(47, 57, 5000)
    country = borders.country_at(lon, lat)
    region = borders.region_at(lon, lat)
    in_region = region != ""
    assert in_region.sum() > 3000
    assert (np.char.ljust(region[in_region].astype(str), 2).astype("<U2") == country[in_region].astype(str)).all()
    assert ((country != "") == in_region).all()


def test_towns_are_in_their_countries_and_regions():
    lon, lat, expected = zip(*TOWNS.values())
    assert borders.country_at(lon, lat).tolist() == list(expected)
    assert borders.region_at(30.79343, 51.94115).tolist() == ["BY-HO"]  # Loyew, Homel region


# ----------------------------------------------------------------------------- shared border


def test_belarus_ukraine_border_length_matches_the_osm_line_and_published_figures():
    border = borders.shared_border("BY", "UA")
    # Where the two OSM polygons meet: the staged README measured 1,076-1,078 km.
    assert 1076 <= border.touching_km <= 1084
    # With the short strips where OSM leaves the river between them: published 1,084-1,111 km.
    assert 1084 <= border.length_km <= 1111
    # The stored length is the geodesic length of the stored line.
    assert border.length_km == pytest.approx(GEOD.geometry_length(border.geometry) / 1000, rel=1e-6)


def test_shared_border_ends_at_the_tripoints():
    (w_lon, w_lat), (e_lon, e_lat) = borders.shared_border("BY", "UA").ends
    # BY-UA-PL and BY-UA-RU tripoints measured on the OSM line (staged README).
    assert GEOD.inv(w_lon, w_lat, 23.620, 51.507)[2] < 1500
    assert GEOD.inv(e_lon, e_lat, 31.782, 52.113)[2] < 1500


def test_both_sides_of_a_border_agree():
    by_side = borders.shared_border("BY", "UA")
    ua_side = borders.shared_border("UA", "BY")
    assert by_side.length_km == pytest.approx(ua_side.length_km, rel=0.01)


@pytest.mark.parametrize("bad", ["Belarussia", "XX", "Ukrain"])
def test_unknown_country_lists_close_matches(bad):
    with pytest.raises(UnknownCountryError) as err:
        borders.resolve_country(bad)
    message = str(err.value)
    assert repr(bad) in message and "\n" not in message
    if bad != "XX":
        assert err.value.suggestions, message
        assert "did you mean" in message


def test_countries_without_a_common_border_say_who_the_neighbours_are():
    with pytest.raises(GeoError, match="neighbours are LT, LV, PL, RU, UA"):
        borders.shared_border("BY", "HU")


# ----------------------------------------------------------------------------- distances


@pytest.mark.parametrize("name", list(TOWNS))
def test_distance_to_border_agrees_with_a_brute_force_geodesic(name):
    lon, lat, country = TOWNS[name]
    expected = brute_force_km(lon, lat, border_line(country))
    got = borders.distance_to_border_km(lon, lat, country)[0]
    assert got == pytest.approx(expected, rel=1e-3)


def test_distance_to_one_neighbour_only():
    lon, lat, _ = TOWNS["Naroulia"]
    expected = brute_force_km(lon, lat, border_line("BY", "UA"))
    assert borders.distance_to_border_km(lon, lat, "BY", neighbour="UA")[0] == pytest.approx(expected, rel=1e-3)
    # The staged README measured 27.5 km from Naroulia to the OSM border.
    assert 25 < expected < 30


def test_distance_is_vectorised_and_uses_each_points_own_country():
    lon, lat, countries = map(np.array, zip(*TOWNS.values()))
    together = borders.distance_to_border_km(lon, lat)
    one_by_one = [borders.distance_to_border_km(x, y, c)[0] for x, y, c in zip(lon, lat, countries)]
    np.testing.assert_allclose(together, one_by_one, rtol=1e-12)
    assert np.isnan(borders.distance_to_border_km(31.0, 43.5)[0])  # Black Sea, no country


def test_distance_on_random_points_matches_brute_force():
    rng = np.random.default_rng(42)
    lon, lat = rng.uniform(24.0, 31.5, 12), rng.uniform(51.6, 55.5, 12)
    inside = borders.country_at(lon, lat) == "BY"
    lon, lat = lon[inside], lat[inside]
    line = border_line("BY")
    got = borders.distance_to_border_km(lon, lat, "BY")
    expected = [brute_force_km(x, y, line) for x, y in zip(lon, lat)]
    np.testing.assert_allclose(got, expected, rtol=1e-3)


def test_nearest_border_point_lies_on_the_border():
    blon, blat, km = borders.nearest_border_point(30.79343, 51.94115, "BY", neighbour="UA")
    line = border_line("BY", "UA")
    assert shapely.distance(shapely.points(blon[0], blat[0]), line) < 1e-5  # degrees: ~1 m
    assert GEOD.inv(30.79343, 51.94115, blon[0], blat[0])[2] / 1000 == pytest.approx(km[0], rel=1e-9)


@pytest.mark.parametrize("country, neighbour", [("BY", "UA"), ("BY", None), ("UA", None), ("RU", "UA")])
def test_distance_bounds_bracket_the_exact_distance_and_are_tight(country, neighbour):
    frame = borders.countries()
    minx, miny, maxx, maxy = frame.geometry[frame["country"] == country].iloc[0].bounds
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(minx, maxx, 3000), rng.uniform(miny, maxy, 3000)
    lo, hi = borders.distance_bounds_km(lon, lat, country, neighbour=neighbour)
    _, _, exact = borders.nearest_border_point(lon, lat, country, neighbour=neighbour)
    assert np.all(lo <= exact) and np.all(exact <= hi)
    # Russia's extract is large, so its raster is coarse (about 1.3 km pixels).
    pixel_km = 1.3 if country == "RU" else 0.7
    assert np.all(hi - lo <= 2 * 1.7 * pixel_km + 0.025 * hi)


def test_distance_bounds_off_the_raster_are_no_bound():
    lo, hi = borders.distance_bounds_km([5.0], [40.0], "BY", neighbour="UA")  # far outside Belarus's extent
    assert lo[0] == 0.0 and hi[0] == np.inf


def _points_near_borders(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random points over Belarus and its neighbours, half of them within ~1 km of a border line."""
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(22.0, 33.0, n // 2), rng.uniform(50.0, 57.0, n // 2)
    lines = borders.borders()
    lines = lines[lines["country"] == "BY"].geometry.values
    on_line = shapely.line_interpolate_point(lines[rng.integers(0, len(lines), n - n // 2)],
                                             rng.random(n - n // 2), normalized=True)
    xy = shapely.get_coordinates(on_line) + rng.normal(0.0, 0.01, (n - n // 2, 2))
    return np.r_[lon, xy[:, 0]], np.r_[lat, xy[:, 1]]


@pytest.mark.parametrize("lookup", [borders.country_at, borders.region_at])
def test_the_label_raster_gives_the_exact_answers(lookup, monkeypatch):
    lon, lat = _points_near_borders(30_000, seed=11)
    monkeypatch.setattr(borders, "GRID_POINTS", 0)
    fast = lookup(lon, lat)
    monkeypatch.setattr(borders, "GRID_POINTS", 10**9)
    exact = lookup(lon, lat)
    assert (fast == exact).all()
    assert len(set(exact)) > 5  # the sample does cover several polygons


def test_the_bulk_nearest_search_finds_the_same_points_as_geos(monkeypatch):
    lon, lat = _points_near_borders(4_000, seed=12)
    inside = borders.country_at(lon, lat) == "BY"
    lon, lat = lon[inside], lat[inside]
    monkeypatch.setattr(borders, "BULK_POINTS", 1)
    bulk = borders.nearest_border_point(lon, lat, "BY")
    monkeypatch.setattr(borders, "BULK_POINTS", 10**9)
    geos = borders.nearest_border_point(lon, lat, "BY")
    for a, b in zip(bulk, geos):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)
