"""Independent reference computations the tests compare the library against.

Nothing here calls geo's measuring code: distances are brute-force geodesics
(pyproj) to densely sampled border points read straight from data/*.parquet.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod

from geo.datafiles import data_path

GEOD = Geod(ellps="WGS84")


def brute_force_km(lon: float, lat: float, line, spacing_deg: float = 0.0002) -> float:
    """Distance from a point to ``line``: the least geodesic distance to its points ~20 m apart.

    No projection and no nearest-point search, so independent of geo.borders.  With
    points 20 m apart the result overestimates the true distance by under 0.1 m at
    distances of a kilometre or more.
    """
    xy = shapely.get_coordinates(shapely.segmentize(line, spacing_deg))
    _, _, metres = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
    return float(metres.min() / 1000.0)


def brute_force_many_km(lon, lat, line, spacing_deg: float = 0.0002) -> np.ndarray:
    """``brute_force_km`` for many points, measuring each only to the border points that
    could be nearest: those within 5% (+2 km) of the nearest by a local flat-earth
    estimate, whose error over a few hundred km is well under 1%."""
    xy = shapely.get_coordinates(shapely.segmentize(line, spacing_deg))
    out = []
    for x, y in zip(np.atleast_1d(lon), np.atleast_1d(lat)):
        flat = 111.2 * np.hypot((xy[:, 0] - x) * math.cos(math.radians(y)), xy[:, 1] - y)
        near = xy[flat <= flat.min() * 1.05 + 2.0]
        _, _, metres = GEOD.inv(np.full(len(near), x), np.full(len(near), y), near[:, 0], near[:, 1])
        out.append(metres.min() / 1000.0)
    return np.array(out)


def border_line(country: str, neighbour: str | None = None):
    """A country's boundary (without the Russia window's cut), or its stretch facing ``neighbour``."""
    frame = gpd.read_parquet(data_path("borders.parquet"))
    rows = frame[(frame["country"] == country) & (frame["neighbour"] != "window")]
    if neighbour:
        rows = rows[rows["neighbour"] == neighbour]
    return shapely.union_all(rows.geometry.values)


def country_polygons():
    """Country polygons by ISO alpha-2 code, read straight from data/countries.parquet."""
    return gpd.read_parquet(data_path("countries.parquet")).set_index("country").geometry
