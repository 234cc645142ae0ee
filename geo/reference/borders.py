"""Countries, admin-1 regions and the borders between them, measured geodesically.

The polygons are the OpenStreetMap administrative boundaries shipped in
``data/`` (see ``data/README.md``): valid, non-overlapping, and de jure, so
Crimea and Sevastopol are Ukraine.  Every function here is vectorised over
arrays of points given as (lon, lat) in degrees; distances are geodesic km on
the WGS84 ellipsoid.

Examples
--------
>>> from geo.reference import borders
>>> borders.resolve_country("Belarus")
'BY'
>>> borders.country_at([27.56, 30.52], [53.90, 50.45]).tolist()
['BY', 'UA']
>>> info = borders.shared_border("BY", "UA")
>>> 1076 < info.touching_km < 1084
True
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from rapidfuzz import fuzz, process

from geo.reference.datafiles import BORDERS, COUNTRIES, REGIONS, data_path, read_geoparquet
from geo.reference.distancefield import DistanceField, plane_extent, scale_factor, segment_distance, segment_foot
from geo.errors import UnknownCountryError
from geo.reference.labelgrid import LabelGrid
from geo.reference.projection import from_plane, geodesic_km, to_plane

__all__ = [
    "NOT_A_BORDER",
    "countries",
    "country_names",
    "regions",
    "borders",
    "resolve_country",
    "resolve_region",
    "SharedBorder",
    "shared_border",
    "country_at",
    "region_at",
    "nearest_border_point",
    "border_segments",
    "nearest_border_segment",
    "near_land_border",
    "closest_approach_km",
    "shares_border",
    "distance_bounds_km",
    "plane_distance_bounds_km",
    "distance_to_border_km",
]

#: Boundary stretches that are not borders: the cut edge of the Russia window.
NOT_A_BORDER = ("window",)
#: From this many points on, searches against a country's whole boundary go stretch by
#: stretch (one per neighbour), each bounded by its distance raster (built once per
#: stretch, 0.2-0.8 s).  GEOS's tree search is quick for points on one side of a stretch
#: of border, but a point ringed by border at similar distances on every side (a
#: country's interior against its whole boundary) makes it visit much of the tree;
#: searching only the stretches that can be nearest is about 2.5x as fast.
BULK_POINTS = 1_000
#: From this many points on, point-in-polygon answers come from a label raster
#: (built once per file, about 0.5 s) wherever no boundary is near.
GRID_POINTS = 10_000

# ----------------------------------------------------------------------------- loading


@lru_cache(maxsize=4)
def _read(name: str, mtime: float) -> gpd.GeoDataFrame:
    return read_geoparquet(data_path(name))


def _load(name: str) -> gpd.GeoDataFrame:
    path = data_path(name)
    return _read(name, path.stat().st_mtime)


def countries() -> gpd.GeoDataFrame:
    """Country polygons: ``country`` (ISO alpha-2), ``iso3``, ``name``, ``geometry``.

    Returns a copy, so callers may modify it.

    Examples
    --------
    >>> frame = countries()
    >>> {"BY", "UA", "PL", "RU"} <= set(frame["country"])
    True
    """
    return _load(COUNTRIES).copy()


def country_names() -> dict[str, str]:
    """Each shipped country's short English name by ISO alpha-2 code, as the outputs show it.

    Examples
    --------
    >>> country_names()["BY"], country_names()["UA"]
    ('Belarus', 'Ukraine')
    """
    path = data_path(COUNTRIES)
    return dict(_short_names(str(path), path.stat().st_mtime))  # a copy: callers may change theirs


@lru_cache(maxsize=4)
def _short_names(path: str, mtime: float) -> dict[str, str]:
    """:func:`country_names` of one countries file (keyed as :func:`_read` is, so a changed file is read anew)."""
    frame = _read(COUNTRIES, mtime)
    return {c: n.split(" (")[0] for c, n in zip(frame["country"], frame["name"])}


#: The words a region's own name may already end with (then no "region" is added).
REGION_KINDS = ("region", "oblast", "voblast", "voivodeship", "krai", "kray", "county", "province", "republic",
                "okrug", "district", "municipality", "raion")


def region_label(name: str, *, wrap: bool = False) -> str:
    """A region's name as readers see it: 'Vitebsk region' (no code), its own kind kept ('Krasnodar Krai').

    ``wrap`` puts "region" on a second line, for a label on a printed map.

    Examples
    --------
    >>> region_label("Vitebsk"), region_label("Lower Silesian Voivodeship"), region_label("Homel", wrap=True)
    ('Vitebsk region', 'Lower Silesian Voivodeship', 'Homel\\nregion')
    """
    if name.rsplit(" ", 1)[-1].casefold() in REGION_KINDS:
        return name
    return f"{name}\nregion" if wrap else f"{name} region"


def regions(country: str | None = None) -> gpd.GeoDataFrame:
    """Admin-1 regions, optionally of one country.

    Columns: ``region_id`` (ISO 3166-2), ``country``, ``name``, ``kind``,
    ``gn_a1_code`` (GeoNames admin-1 key), ``gn_id``, ``alt_names`` ('|'-joined),
    ``geometry``.  The regions of a country partition it exactly.

    Examples
    --------
    >>> sorted(regions("BY")["region_id"])
    ['BY-BR', 'BY-HM', 'BY-HO', 'BY-HR', 'BY-MA', 'BY-MI', 'BY-VI']
    """
    frame = _load(REGIONS)
    if country is not None:
        frame = frame[frame["country"] == resolve_country(country)]
    return frame.copy()


def borders() -> gpd.GeoDataFrame:
    """Every country's boundary split by what lies across it.

    Columns: ``country``, ``neighbour`` (alpha-2, ``sea`` or ``window``),
    ``neighbour_in_data``, ``length_km`` (geodesic), ``touching_km`` (the part
    where both polygons meet within 100 m), ``geometry`` (MultiLineString).
    """
    return _load(BORDERS).copy()


# ----------------------------------------------------------------------------- names


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    frame = _load(COUNTRIES)
    table: dict[str, str] = {}
    for code, iso3, name in zip(frame["country"], frame["iso3"], frame["name"]):
        for key in (code, iso3, name, name.split(" (")[0]):
            table[key.casefold()] = code
    return table


def resolve_country(code_or_name: str) -> str:
    """Return the ISO alpha-2 code of a shipped country, given a code or name.

    Accepts alpha-2 (``"by"``), alpha-3 (``"BLR"``) or the English name, in any case.

    Raises
    ------
    UnknownCountryError
        Naming the close matches, e.g. ``'Belarussia' is not a country in the
        reference data; did you mean: Belarus (BY)?``

    Examples
    --------
    >>> resolve_country("blr"), resolve_country("Ukraine")
    ('BY', 'UA')
    """
    table = _country_names()
    key = str(code_or_name).strip().casefold()
    if key in table:
        return table[key]
    frame = _load(COUNTRIES)
    labels = {f"{n.split(' (')[0]} ({c})": c for c, n in zip(frame["country"], frame["name"])}
    choices = list(table)
    matches = process.extract(key, choices, scorer=fuzz.WRatio, limit=6, score_cutoff=50)
    suggestions: list[str] = []
    for match, _score, _ in matches:
        label = next(lab for lab, c in labels.items() if c == table[match])
        if label not in suggestions:
            suggestions.append(label)
    known = ", ".join(sorted(frame["country"]))
    hint = f"did you mean: {', '.join(suggestions[:3])}? " if suggestions else ""
    raise UnknownCountryError(
        f"{code_or_name!r} is not a country in the reference data; {hint}known codes: {known}",
        suggestions=suggestions[:3],
    )


#: Words that say "a region" around a region's name ("the Minsk region", "Homel oblast").
REGION_WORDS = re.compile(
    r"\b(the|region|regions|oblast|oblasts|voblasts|voblast|obl|province|voivodeship|county|"
    r"област[ьи]|вобласць|область)\b\.?", re.IGNORECASE
)


def resolve_region(name: str, *, country: str | None = None) -> str:
    """Return the ISO 3166-2 id of an admin-1 region given its id or one of its names.

    Words such as "region" or "oblast" are ignored.  When a name fits several
    regions (Minsk: the region and the city), the region whose main name it is
    wins, and a city region only if the name says "city".

    Examples
    --------
    >>> resolve_region("Gomel"), resolve_region("BY-MA"), resolve_region("Mahiliou region")
    ('BY-HO', 'BY-MA', 'BY-MA')
    >>> resolve_region("the Minsk region"), resolve_region("Minsk City")
    ('BY-MI', 'BY-HM')
    """
    from geo.geocoding.names import fold  # the gazetteer's romanisation-insensitive key

    frame = regions(country)
    key = str(name).strip()
    ids = frame["region_id"].tolist()
    if key.upper() in ids:
        return key.upper()
    folded = fold(REGION_WORDS.sub(" ", key)) or fold(key)
    # (rank, region id) per folded name: 0 = the region's main name, 1 = an alternate.
    options: dict[str, list[tuple[int, str]]] = {}
    for rid, main, alts in zip(frame["region_id"], frame["name"], frame["alt_names"].fillna("")):
        for rank, variant in [(0, main), *((1, a) for a in alts.split("|"))]:
            variant_key = fold(REGION_WORDS.sub(" ", variant)) if variant else ""
            if variant_key:
                options.setdefault(variant_key, []).append((rank, rid))
    if folded in options:
        return min(options[folded])[1]
    matches = process.extract(folded, list(options), scorer=fuzz.ratio, limit=3, score_cutoff=60)
    names = dict(zip(frame["region_id"], frame["name"]))
    suggestions = list(dict.fromkeys(f"{names[min(options[m])[1]]} ({min(options[m])[1]})" for m, _, _ in matches))
    hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise UnknownCountryError(f"{name!r} is not an admin-1 region in the reference data{hint}",
                              suggestions=suggestions)


# ----------------------------------------------------------------------------- shared borders


@dataclass(frozen=True)
class SharedBorder:
    """The border between two countries, as drawn in the reference data."""

    a: str
    b: str
    geometry: shapely.Geometry
    length_km: float
    touching_km: float
    ends: tuple[tuple[float, float], tuple[float, float]]
    """The two end points (lon, lat): the farthest-apart ends of the line's parts."""

    def __str__(self) -> str:
        (x0, y0), (x1, y1) = self.ends
        return (
            f"{self.a}–{self.b} border: {self.length_km:,.1f} km "
            f"({self.touching_km:,.1f} km where the polygons meet); "
            f"ends at {y0:.5f} N {x0:.5f} E and {y1:.5f} N {x1:.5f} E"
        )


def shared_border(a: str, b: str) -> SharedBorder:
    """Return the border between countries ``a`` and ``b`` (codes or names).

    The line is ``a``'s own boundary where ``b`` lies across it; its length is
    geodesic.  Raises :class:`UnknownCountryError` for unknown countries and when
    the two do not share a border.

    Examples
    --------
    >>> border = shared_border("Belarus", "UA")
    >>> round(border.length_km, -1)
    1090.0
    """
    a, b = resolve_country(a), resolve_country(b)
    frame = _load(BORDERS)
    row = frame[(frame["country"] == a) & (frame["neighbour"] == b)]
    if row.empty:
        across = sorted(frame.loc[(frame["country"] == a) & frame["neighbour_in_data"], "neighbour"])
        raise UnknownCountryError(
            f"{a} and {b} share no border in the reference data; {a}'s neighbours are {', '.join(across)}",
            suggestions=across,
        )
    geom = row.geometry.iloc[0]
    coords = [shapely.get_coordinates(p) for p in shapely.get_parts(geom)]
    ends = np.array([c[i] for c in coords for i in (0, -1)])
    # Of all part ends, the two farthest apart are the border's ends (tripoints).
    i, j = np.triu_indices(len(ends), 1)
    far = np.argmax(geodesic_km(ends[i, 0], ends[i, 1], ends[j, 0], ends[j, 1]))
    e0, e1 = sorted([tuple(map(float, ends[i[far]])), tuple(map(float, ends[j[far]]))])
    return SharedBorder(
        a=a,
        b=b,
        geometry=geom,
        length_km=float(row["length_km"].iloc[0]),
        touching_km=float(row["touching_km"].iloc[0]),
        ends=(e0, e1),
    )


# ----------------------------------------------------------------------------- point in polygon


@lru_cache(maxsize=4)
def _prepared(name: str, mtime: float) -> tuple[np.ndarray, np.ndarray]:
    """The polygons prepared for point tests, and their bounds."""
    geoms = _read(name, mtime).geometry.to_numpy().copy()
    shapely.prepare(geoms)
    # One test of each now builds GEOS's point locators, which it otherwise builds lazily and not
    # thread-safely (libgeos/geos#825) on the first test, from whichever thread makes it first.
    bounds = shapely.bounds(geoms)
    shapely.contains_xy(geoms, bounds[:, 0], bounds[:, 1])
    return geoms, bounds


@lru_cache(maxsize=8)
def _keys(name: str, key: str, mtime: float) -> np.ndarray:
    """A data file's ``key`` column as an object array (cached: a column copy a call cost 0.3 ms and more)."""
    keys = _load(name)[key].to_numpy(dtype=object)
    keys.setflags(write=False)
    return keys


def _points_in(name: str, key: str, lon, lat) -> np.ndarray:
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    mtime = data_path(name).stat().st_mtime
    keys = _keys(name, key, mtime)
    out = np.full(len(lon), "", dtype=object)
    exact = np.arange(len(lon))
    if len(lon) >= GRID_POINTS:  # most points answered from the label raster; the rest tested exactly
        label = _label_grid(name, mtime).lookup(lon, lat)
        known = np.flatnonzero(label >= 0)
        out[known] = np.append(keys, "")[label[known]]
        exact = np.flatnonzero(label < 0)
    index = _polygon_index(name, lon[exact], lat[exact])
    out[exact] = np.append(keys, "")[index]
    return out


def _polygon_index(name: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Row of the polygon containing each point (the number of rows where none)."""
    prepared, bounds = _prepared(name, data_path(name).stat().st_mtime)
    out = np.full(len(lon), len(prepared), dtype=np.int32)
    # Each polygon in turn tests the points inside its bounds not yet placed,
    # against its prepared geometry (no point geometries are built); a point
    # exactly on a shared edge goes to the first polygon in the file's order.
    order = np.argsort(lon, kind="stable")
    sorted_lon = lon[order]
    first = np.searchsorted(sorted_lon, bounds[:, 0], side="left")
    stop = np.searchsorted(sorted_lon, bounds[:, 2], side="right")
    todo = np.ones(len(lon), dtype=bool)
    for i in np.flatnonzero(stop > first).tolist():  # polygons with points within their longitudes
        _, y0, _, y1 = bounds[i]
        candidates = order[first[i]:stop[i]]
        candidates = candidates[todo[candidates] & (lat[candidates] >= y0) & (lat[candidates] <= y1)]
        if len(candidates) == 0:
            continue
        hit = candidates[shapely.intersects_xy(prepared[i], lon[candidates], lat[candidates])]
        out[hit] = i
        todo[hit] = False
    return out


@lru_cache(maxsize=4)
def _label_grid(name: str, mtime: float) -> LabelGrid:
    prepared, _ = _prepared(name, mtime)
    return LabelGrid.from_polygons(prepared, lambda lon, lat: _polygon_index(name, lon, lat))


def country_at(lon, lat) -> np.ndarray:
    """ISO alpha-2 code of the country containing each point ('' where none).

    A point in the territorial sea is in its coastal country; on the high seas,
    or in a no-country strip the OSM polygons leave along some rivers, it is in none.

    Examples
    --------
    >>> country_at([23.72, 31.0], [52.10, 43.5]).tolist()
    ['BY', '']
    """
    return _points_in(COUNTRIES, "country", lon, lat)


def region_at(lon, lat) -> np.ndarray:
    """ISO 3166-2 id of the admin-1 region containing each point ('' where none).

    Examples
    --------
    >>> region_at([30.99, 30.34], [52.43, 53.91]).tolist()
    ['BY-HO', 'BY-MA']
    """
    return _points_in(REGIONS, "region_id", lon, lat)


# ----------------------------------------------------------------------------- distances

#: From this many points on, GEOS's searches run in :data:`THREADS` threads (GEOS releases the GIL);
#: each point's answer is the same whichever thread finds it.
PARALLEL_POINTS = 1_000
THREADS = max(1, min(4, os.cpu_count() or 1))


@lru_cache(maxsize=1)
def _pool(pid: int) -> ThreadPoolExecutor:
    """The threads of this process (keyed on its id: a forked child gets threads of its own)."""
    return ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="geo-borders")


def _in_threads(fn, *arrays: np.ndarray) -> np.ndarray:
    """``fn`` applied elementwise to equal-length arrays, in chunks on :data:`THREADS` threads when large."""
    n = len(arrays[0])
    if n < PARALLEL_POINTS or THREADS < 2:
        return fn(*arrays)
    bounds = np.linspace(0, n, THREADS + 1).astype(np.int64)
    parts = _pool(os.getpid()).map(lambda i: fn(*(a[bounds[i]:bounds[i + 1]] for a in arrays)), range(THREADS))
    return np.concatenate(list(parts))


def _nearest_segments(tree: shapely.STRtree, points: np.ndarray) -> np.ndarray:
    """The index of the tree geometry nearest each point (every point has one)."""
    return _in_threads(lambda p: tree.query_nearest(p, all_matches=False, return_distance=False)[1], points)


class _LineIndex:
    """Border lines split into segments in the conformal plane, with an STRtree."""

    def __init__(self, lines: np.ndarray):
        parts, line_of_part = shapely.get_parts(lines, return_index=True)
        parts, sub = shapely.get_parts(parts, return_index=True)
        coords, part = shapely.get_coordinates(parts, return_index=True)
        x, y = to_plane(coords[:, 0], coords[:, 1])
        xy = np.column_stack([x, y])
        same = part[1:] == part[:-1]
        self.starts, self.ends = xy[:-1][same], xy[1:][same]
        self.owner = line_of_part[sub][part[:-1][same]]  # which of ``lines`` each segment is from
        starts, ends = self.starts, self.ends
        self.segments = shapely.linestrings(np.stack([starts, ends], axis=1))
        self.tree = shapely.STRtree(self.segments)


@lru_cache(maxsize=64)
def _line_index(country: str, neighbour: str | None, mtime: float) -> _LineIndex:
    frame = _load(BORDERS)
    rows = frame[(frame["country"] == country) & ~frame["neighbour"].isin(NOT_A_BORDER)]
    if neighbour is not None:
        rows = rows[rows["neighbour"] == neighbour]
        if rows.empty:
            shared_border(country, neighbour)  # raises the helpful error
    return _LineIndex(rows.geometry.values)


#: Boundary stretches that face the sea (a coast or the territorial sea's outer limit), not a country.
COAST = ("sea",)


@lru_cache(maxsize=2)
def _land_index(mtime: float) -> tuple[_LineIndex, np.ndarray]:
    """Every border between two countries (both sides): segments and each stretch's ``A–B`` pair."""
    frame = _load(BORDERS)
    rows = frame[~frame["neighbour"].isin(NOT_A_BORDER + COAST)]
    pairs = np.array(["–".join(sorted(p)) for p in zip(rows["country"], rows["neighbour"])], dtype=object)
    return _LineIndex(rows.geometry.values), pairs


def land_border_upper_km(lon, lat, country: str) -> np.ndarray:
    """A guaranteed upper bound (km) of each point's distance to a border between two countries, fast.

    The smallest upper bound, from their distance rasters, of ``country``'s
    (a code) stretches facing a neighbour (coasts excluded); inf where none.
    """
    mtime = data_path(BORDERS).stat().st_mtime
    x, y = to_plane(np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float)))
    upper = np.full(len(x), np.inf)
    for nb in _land_neighbours(country, mtime):
        upper = np.minimum(upper, _field(country, nb, mtime).bounds_km(x, y)[1])
    return upper


@lru_cache(maxsize=64)
def _land_neighbours(country: str, mtime: float) -> tuple[str, ...]:
    frame = _load(BORDERS)
    rows = frame[(frame["country"] == country) & ~frame["neighbour"].isin(NOT_A_BORDER + COAST)]
    return tuple(sorted(set(rows["neighbour"].tolist())))


def near_land_border(lon, lat, km, *, which: bool = False):
    """Which points lie within ``km`` of a border between two countries (and, optionally, which border).

    Coasts and the cut edge of the Russia window are not borders; borders with
    countries outside the data are.  The test is done in the conformal plane
    with ``km`` scaled by the plane's scale at each point's latitude (exact to
    a part in a million at these distances).

    Parameters
    ----------
    lon, lat : array_like
        Points in degrees.
    km : float or array_like
        Distance (one, or one per point).
    which : bool
        Also return the nearest border of each point within reach, by its
        two alpha-2 codes in order (``'BY–PL'``; ``''`` where not near).

    Examples
    --------
    >>> near, pair = near_land_border([23.63, 27.56], [52.05, 53.90], 2.0, which=True)  # by the Bug; Minsk
    >>> near.tolist(), pair.tolist()
    ([True, False], ['BY–PL', ''])
    """
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    index, pairs = _land_index(data_path(BORDERS).stat().st_mtime)
    x, y = to_plane(lon, lat)
    points = shapely.points(x, y)
    reach = np.broadcast_to(np.asarray(km, dtype=float) * 1000.0 * scale_factor(lat), points.shape)
    # The segments' tree, not one prepared MultiLineString: GEOS builds a prepared geometry's
    # distance index lazily and not thread-safely (libgeos/geos#825), and two threads testing
    # points against it crashed the process; the tree is built when made, and was quicker too
    # (0.09 s against 0.15 s for 60,000 points near the Belarus-Ukraine border).
    near = _in_threads(lambda p, r: _any_within(index.tree, p, r), points, reach)
    if not which:
        return near
    pair = np.full(len(lon), "", dtype=object)
    at = np.flatnonzero(near)
    got, seg = index.tree.query_nearest(points[at], all_matches=False)
    pair[at[got]] = pairs[index.owner[seg]]
    return near, pair


def _any_within(tree: shapely.STRtree, points: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Whether any geometry of ``tree`` lies within ``reach`` of each point."""
    hit = np.zeros(len(points), bool)
    hit[tree.query(points, predicate="dwithin", distance=reach)[0]] = True
    return hit


def closest_approach_km(lines: np.ndarray, country: str) -> np.ndarray:
    """Geodesic km from each lon/lat line to ``country``'s border where the two come closest.

    The closest pair of points is found in the conformal plane (lines drawn
    straight there, which for segments of a few km is within metres of the
    lon/lat lines), then measured on the ellipsoid.  ``country`` is a code.

    Examples
    --------
    >>> import shapely
    >>> km = closest_approach_km(np.array([shapely.LineString([(30.5, 50.45), (31.3, 51.5)])]), "BY")  # Kyiv-Chernihiv
    >>> bool(30 < km[0] < 35)
    True
    """
    index = _line_index(country, None, data_path(BORDERS).stat().st_mtime)
    planes = shapely.transform(lines, lambda xy: np.column_stack(to_plane(xy[:, 0], xy[:, 1])))
    out = np.full(len(lines), np.nan)
    at, seg = index.tree.query_nearest(planes, all_matches=False)
    if len(at):
        xy = shapely.get_coordinates(shapely.shortest_line(planes[at], index.segments[seg])).reshape(-1, 2, 2)
        lon, lat = from_plane(xy[..., 0], xy[..., 1])
        out[at] = geodesic_km(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])
    return out


def shares_border(a: str, b: str) -> bool:
    """True if countries ``a`` and ``b`` (codes) have a border stretch in the data."""
    return (a, b) in _stretch_pairs(data_path(BORDERS).stat().st_mtime)


@lru_cache(maxsize=2)
def _stretch_pairs(mtime: float) -> frozenset[tuple[str, str]]:
    """Every (country, neighbour) pair of the border stretches (a set: asked per track group, ~10 µs not ~10 ms)."""
    frame = _load(BORDERS)
    return frozenset(zip(frame["country"].tolist(), frame["neighbour"].tolist()))


@lru_cache(maxsize=64)
def _field(country: str, neighbour: str | None, mtime: float) -> DistanceField:
    index = _line_index(country, neighbour, mtime)
    frame = _load(COUNTRIES)
    minx, miny, maxx, maxy = frame.geometry[frame["country"] == country].iloc[0].bounds
    corners_x, corners_y = np.meshgrid(np.linspace(minx, maxx, 33), np.linspace(miny, maxy, 33))
    extent = plane_extent(corners_x.ravel(), corners_y.ravel())
    xy = np.concatenate([index.starts, index.ends])
    extent = (min(extent[0], xy[:, 0].min()), min(extent[1], xy[:, 1].min()),
              max(extent[2], xy[:, 0].max()), max(extent[3], xy[:, 1].max()))
    return DistanceField.from_segments(index.starts, index.ends, extent)


def distance_bounds_km(lon, lat, country: str, *, neighbour: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Guaranteed lower and upper bounds of :func:`nearest_border_point`'s distance, fast.

    For pruning: read from a distance raster of the border (see
    :mod:`geo.reference.distancefield`), so the cost is an array lookup per point after
    a one-off build (about 0.1-0.3 s per country and neighbour).  The bounds
    are within about 1 km plus the projection's scale variation (a few parts
    per thousand) of each other; points outside the country's extent get
    ``(0, inf)``.

    Examples
    --------
    >>> lo, hi = distance_bounds_km([29.49784], [51.79724], "BY", neighbour="UA")  # Naroulia
    >>> bool(lo[0] <= 27.5 <= hi[0]) and bool(hi[0] - lo[0] < 2.0)
    True
    """
    x, y = to_plane(np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float)))
    return plane_distance_bounds_km(x, y, country, neighbour=neighbour)


def plane_distance_bounds_km(x, y, country: str, *, neighbour: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`distance_bounds_km` for points already in the conformal plane (LCC_EUROPE metres)."""
    country = resolve_country(country)
    neighbour = resolve_country(neighbour) if neighbour is not None else None
    field = _field(country, neighbour, data_path(BORDERS).stat().st_mtime)
    return field.bounds_km(np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(y, dtype=float)))


@lru_cache(maxsize=64)
def _stretch_neighbours(country: str, mtime: float) -> tuple[str, ...]:
    """The neighbour of each stretch of ``country``'s boundary, in the order of :func:`_line_index`'s lines.

    Cached: filtering the borders frame took 2 ms a call, most of a small search's time.
    """
    frame = _load(BORDERS)
    rows = frame[(frame["country"] == country) & ~frame["neighbour"].isin(NOT_A_BORDER)]
    return tuple(rows["neighbour"].tolist())


def _nearest_by_stretch(x: np.ndarray, y: np.ndarray, country: str, whole: _LineIndex, mtime: float,
                        upper_m: np.ndarray | None) -> np.ndarray:
    """Nearest segment of a country's whole boundary, searched stretch by stretch (index into ``whole``).

    A point deep inside a country is ringed by border at similar distances,
    and a search of the whole boundary visits much of it; a point is on one
    side of each stretch facing one neighbour, where GEOS's tree search is
    quick.  Each stretch's distance raster bounds every point's distance to it,
    and a point searches only the stretches whose lower bound is within the
    smallest upper bound (and ``upper_m``, if given): about one per point.
    """
    neighbours = _stretch_neighbours(country, mtime)
    best = np.full(len(x), np.inf)
    out = np.full(len(x), -1, dtype=np.int64)
    bounds = [_field(country, nb, mtime).bounds_km(x, y) for nb in neighbours]
    reach = np.minimum.reduce([up for _, up in bounds])
    if upper_m is not None:
        reach = np.minimum(reach, np.asarray(upper_m, float) / 1000.0 / _field(country, None, mtime).k_min)
    for r, (nb, (lower, _)) in enumerate(zip(neighbours, bounds)):
        at = np.flatnonzero(lower <= reach)
        if len(at) == 0:
            continue
        part = _line_index(country, nb, mtime)
        seg = _nearest_segments(part.tree, shapely.points(x[at], y[at]))
        d = segment_distance(x[at], y[at], part.starts[seg], part.ends[seg])
        better = d < best[at]
        best[at[better]] = d[better]
        out[at[better]] = np.searchsorted(whole.owner, r) + seg[better]  # a stretch's segments, in the same order
    return out


def nearest_border_point(
    lon, lat, country: str, *, neighbour: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest point of a country's border to each point, and the distance to it.

    Parameters
    ----------
    lon, lat : float or array_like
        Points in degrees.
    country : str
        Whose boundary to measure to (code or name).
    neighbour : str, optional
        Measure only to the stretch shared with this neighbour (e.g. the
        entry border of an incursion); by default the whole boundary except the
        artificial cut of the Russia window.

    Returns
    -------
    (lon, lat, km) : tuple of numpy.ndarray
        The nearest border point in degrees and the geodesic distance in km.

    Notes
    -----
    The nearest point is found in a conformal (Lambert) plane, where angles and
    so perpendiculars are true; the distance to it is then measured on the
    ellipsoid.  Against a brute-force geodesic search the result agrees to
    better than 0.01% (see ``tests/test_borders.py``).
    """
    country = resolve_country(country)
    neighbour = resolve_country(neighbour) if neighbour is not None else None
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    x, y = to_plane(lon, lat)
    seg_idx = nearest_border_segment(x, y, country, neighbour=neighbour)
    starts, ends = border_segments(country, neighbour=neighbour)
    fx, fy = segment_foot(x, y, starts[seg_idx], ends[seg_idx])
    blon, blat = from_plane(fx, fy)
    return np.asarray(blon), np.asarray(blat), geodesic_km(lon, lat, blon, blat)


def border_segments(country: str, *, neighbour: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The border :func:`nearest_border_point` measures to, as two-point segments in the conformal plane.

    Returns ``(starts, ends)``, ``(n, 2)`` arrays of LCC_EUROPE metres (codes,
    not names, for ``country`` and ``neighbour``); :func:`nearest_border_segment`
    indexes them.
    """
    index = _line_index(country, neighbour, data_path(BORDERS).stat().st_mtime)
    return index.starts, index.ends


def nearest_border_segment(x: np.ndarray, y: np.ndarray, country: str, *, neighbour: str | None = None,
                           upper_m: np.ndarray | None = None, bulk: bool | None = None) -> np.ndarray:
    """Index into :func:`border_segments` of the segment nearest each plane point (LCC_EUROPE metres).

    The search behind :func:`nearest_border_point`: GEOS's tree, or, for many
    points against a country's whole boundary, a search stretch by stretch
    bounded by their distance rasters.  ``country`` and ``neighbour`` are
    codes.  ``upper_m``, if given, is an upper bound of each point's planar
    distance to the border (say, its distance to a segment known to be near):
    the stretch search then skips the stretches farther than that.  ``bulk``
    forces the choice (by default: from :data:`BULK_POINTS` points on), for a
    caller that measures a large job in small batches.
    """
    x, y = np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(y, dtype=float))
    mtime = data_path(BORDERS).stat().st_mtime
    index = _line_index(country, neighbour, mtime)
    seg_idx = np.full(len(x), -1, dtype=np.int64)
    if neighbour is None and (len(x) >= BULK_POINTS if bulk is None else bulk):  # ringed: stretch by stretch
        seg_idx = _nearest_by_stretch(x, y, country, index, mtime, upper_m)
    rest = np.flatnonzero(seg_idx < 0)
    if len(rest):
        seg_idx[rest] = _nearest_segments(index.tree, shapely.points(x[rest], y[rest]))
    return seg_idx


def distance_to_border_km(lon, lat, country: str | None = None, *, neighbour: str | None = None) -> np.ndarray:
    """Geodesic distance in km from each point to a country's border.

    Parameters
    ----------
    lon, lat : float or array_like
        Points in degrees.
    country : str, optional
        The country whose border counts.  By default, each point's own country
        (``country_at``); points in no country then get NaN.
    neighbour : str, optional
        Only the stretch shared with this neighbour.

    Returns
    -------
    numpy.ndarray
        Distances in km (positive whether the point is inside or outside).

    Examples
    --------
    >>> km = distance_to_border_km([29.49784, 27.56653], [51.79724, 53.90019])  # Naroulia, Minsk
    >>> km.round(1).tolist()
    [27.5, 120.1]
    """
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    if country is not None:
        return nearest_border_point(lon, lat, country, neighbour=neighbour)[2]
    where = country_at(lon, lat)
    out = np.full(len(lon), np.nan)
    for code in np.unique(where[where != ""]):  # a handful of countries, each vectorised
        mask = where == code
        out[mask] = nearest_border_point(lon[mask], lat[mask], code, neighbour=neighbour)[2]
    return out
