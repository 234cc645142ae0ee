"""Display-only shapes: a track's uncertainty corridor and the bands of distance from a border.

Drawn by the web map and the print image alike; simplified and rounded for
display, never measured from (every figure comes from :mod:`geo.analysis.analyse`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
import shapely

from geo.reference import borders
from geo.reference.projection import from_plane, to_plane
from geo.present.words import country_names

__all__ = ["BANDS_KM", "COORD_DIGITS", "AREA_DIGITS", "corridor", "distance_bands", "plane_geometry",
           "lonlat_geometry", "geojson_of", "feature_collection", "screen_angle_deg"]

#: Bands of distance from the crossed border (km).
BANDS_KM = (25, 50, 100, 200)
#: Display-only simplification tolerances in LCC_EUROPE metres.
SIMPLIFY_COUNTRY_M = 1500.0
SIMPLIFY_BAND_M = 1500.0
SIMPLIFY_REGION_M = 1000.0
SIMPLIFY_BORDER_M = 300.0
#: Each distance band is buffered from the border simplified by this fraction of its distance.
BAND_SIMPLIFY_FRACTION = 0.01
SIMPLIFY_CORRIDOR_M = 300.0
#: Decimals of displayed coordinates: tracks and points (~1 m), simplified areas (~10 m).
COORD_DIGITS = 5
AREA_DIGITS = 4


def plane_geometry(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(to_plane(xy[:, 0], xy[:, 1])))


def lonlat_geometry(geom, digits: int = AREA_DIGITS):
    return shapely.transform(geom, lambda xy: np.round(np.column_stack(from_plane(xy[:, 0], xy[:, 1])), digits))


def geojson_of(geom) -> dict[str, Any]:
    return json.loads(shapely.to_geojson(geom))


def feature_collection(geoms: Iterable, props: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": geojson_of(g), "properties": p}
                         for g, p in zip(geoms, props) if g is not None and not shapely.is_empty(g)]}


def corridor(lon: np.ndarray, lat: np.ndarray, unc_km: np.ndarray) -> shapely.Geometry:
    """The uncertainty corridor of a track, in lon/lat (display only).

    The union, over consecutive vertices, of the convex hull of the two discs of
    radius ``unc_km`` (km) around them, built in :data:`geo.reference.projection.LCC_EUROPE`
    (conformal; its scale is within 1% of true between 45° N and 60° N) and
    simplified by :data:`SIMPLIFY_CORRIDOR_M`.

    Examples
    --------
    >>> band = corridor(np.array([30.0, 30.0]), np.array([52.0, 53.0]), np.array([5.0, 10.0]))
    >>> band.geom_type, 52.8 < band.bounds[3] - 0.09 < 53.1
    ('Polygon', True)
    """
    x, y = to_plane(lon, lat)
    discs = shapely.buffer(shapely.points(x, y), np.asarray(unc_km, float) * 1000.0, quad_segs=8)
    if len(discs) == 1:
        shape = discs[0]
    else:
        shape = shapely.union_all(shapely.convex_hull(shapely.union(discs[:-1], discs[1:])))
    return lonlat_geometry(shapely.simplify(shape, SIMPLIFY_CORRIDOR_M), COORD_DIGITS)


@lru_cache(maxsize=16)
def distance_bands(country: str, origin: str) -> tuple[str, str] | None:
    """GeoJSON (as text) of the distance bands from the ``country``–``origin`` border, and of the border.

    Buffers of the border line in LCC_EUROPE, clipped to ``country``, simplified:
    display only.  Cached: the reference data do not change within a process.
    """
    try:
        border = borders.shared_border(country, origin).geometry
    except borders.UnknownCountryError:
        return None
    names = country_names()
    frame = borders.countries().set_index("country")
    inside = shapely.simplify(plane_geometry(frame.geometry[country]), SIMPLIFY_COUNTRY_M)
    border_p = shapely.simplify(plane_geometry(border), SIMPLIFY_BORDER_M)
    rings, labels, previous = [], [], None
    for k, d in enumerate(BANDS_KM):
        # A band's edge moves by at most the simplification: 1% of its distance is invisible at map scale,
        # and buffering the simplified line is ~10x faster for the wide bands.
        line = shapely.simplify(border_p, max(SIMPLIFY_BORDER_M, d * 1000.0 * BAND_SIMPLIFY_FRACTION))
        reach = shapely.intersection(shapely.buffer(line, d * 1000.0, quad_segs=4), inside)
        ring = reach if previous is None else shapely.difference(reach, previous)
        previous = reach
        rings.append(shapely.simplify(ring, SIMPLIFY_BAND_M))
        lo = 0 if k == 0 else BANDS_KM[k - 1]
        labels.append({"band": k, "text": f"{lo}–{d} km from the {names.get(origin, origin)} border"})
    data = feature_collection(lonlat_geometry(np.array(rings, dtype=object)), labels)
    line = geojson_of(lonlat_geometry(border_p, COORD_DIGITS))
    return json.dumps(data, sort_keys=True), json.dumps(line, sort_keys=True)


def screen_angle_deg(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """The angle (degrees, clockwise from east, as CSS rotates) of a line on a web map's screen.

    Web Mercator is conformal, so the angle is the same at every zoom: an end tick drawn across the
    line at this angle plus 90 stays across it.

    Examples
    --------
    >>> round(screen_angle_deg(30.0, 52.0, 31.0, 52.0), 6), round(screen_angle_deg(30.0, 52.0, 30.0, 53.0), 6)
    (0.0, -90.0)
    """
    def mercator_y(lat: float) -> float:
        return float(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))

    dx, dy = np.radians(lon1 - lon0), mercator_y(lat1) - mercator_y(lat0)
    return float(np.degrees(np.arctan2(-dy, dx))) + 0.0  # screen y grows downwards (+ 0.0: no -0.0)
