"""The planar projection used for nearest-point searches, and geodesic helpers.

Distances the package reports are geodesic (WGS84 ellipsoid, via
:class:`pyproj.Geod`).  Planar geometry is used only to *find* things (the
nearest point of a border, an intersection), in a conformal Lambert projection
whose angles are true everywhere, so the point it finds is the geodesic
nearest point to within a second-order error; the distance to it is then
measured on the ellipsoid.
"""

from __future__ import annotations

import numpy as np
from pyproj import CRS, Geod, Transformer

__all__ = ["GEOD", "LCC_EUROPE", "to_plane", "from_plane", "geodesic_km"]

#: The WGS84 ellipsoid: every distance in the package is measured on it.
GEOD = Geod(ellps="WGS84")

#: Lambert conformal conic for Europe (standard parallels 45° N and 60° N).
LCC_EUROPE = CRS.from_proj4(
    "+proj=lcc +lat_1=45 +lat_2=60 +lat_0=50 +lon_0=28 +datum=WGS84 +units=m +no_defs"
)

_FORWARD = Transformer.from_crs("EPSG:4326", LCC_EUROPE, always_xy=True)
_INVERSE = Transformer.from_crs(LCC_EUROPE, "EPSG:4326", always_xy=True)


def to_plane(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project (lon, lat) in degrees to LCC_EUROPE (x, y) in metres."""
    return _FORWARD.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


def from_plane(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Unproject LCC_EUROPE (x, y) in metres to (lon, lat) in degrees."""
    return _INVERSE.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def geodesic_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance in km between two sets of points (arrays broadcast).

    Examples
    --------
    >>> round(float(geodesic_km(30.0, 52.0, 30.0, 53.0)), 3)
    111.277
    """
    lon1, lat1, lon2, lat2 = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (lon1, lat1, lon2, lat2))
    )
    _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist) / 1000.0
