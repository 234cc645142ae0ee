"""Guaranteed bounds on the distance to a border, read from a raster.

Finding the nearest point of a 10,000-vertex border is the costly part of
measuring depth, and most of it is wasted: a track's depth is reached at its
*deepest* point, so only the pieces of track that could hold it need the
exact search (:mod:`geo.analysis.depth`).  A :class:`DistanceField` tells which: it
rasterises the border in the conformal plane, runs a Euclidean distance
transform (:func:`scipy.ndimage.distance_transform_edt`) once, and then
answers, for any number of points at the cost of an array lookup, a lower and
an upper bound of the exact geodesic distance
:func:`geo.reference.borders.nearest_border_point` returns.  The same raster over
lon/lat degrees (``geodesic=False``) bounds the planar distance to every
country boundary for :mod:`geo.analysis.crossings`.

Why the bounds hold
-------------------
Let ``h`` be the pixel size.  The border is densified to steps of at most
``h/2`` and every pixel holding one of those points is marked; the transform
gives each pixel centre ``c`` the distance ``E`` to the nearest marked centre.

* Upper: a marked centre is within ``h·√2/2`` of a border point, and the
  point ``p`` within ``h·√2/2`` of its pixel centre, so ``d(p) <= E + h·√2``.
* Lower: the border point nearest ``c`` is within ``h/4`` of a densified point,
  whose pixel centre is within ``h·√2/2`` of it, so ``E <= d(c) + h/4 + h·√2/2``
  and ``d(p) >= E - h/4 - h·√2``.

Those are planar distances.  The geodesic distance ``s`` to the nearest
planar point lies within ``[d / k_max, d / k_min]``, where ``k`` is the
projection's scale factor over the raster (the planar chord is at most
``k_max·s``; the chord's preimage is a path of length at most ``d / k_min``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import Proj

from geo.reference.projection import LCC_EUROPE, from_plane, to_plane

__all__ = ["DistanceField", "scale_factor", "segment_foot", "segment_distance"]

#: At most this many pixels per field (float32: 4 bytes each).
MAX_PIXELS = 3_000_000
#: Never finer than this (m): finer pixels cost more than they prune.
MIN_PIXEL_M = 200.0
#: Room around the line's extent (m), so the country's own points all fall inside.
MARGIN_M = 5_000.0

_PROJ = Proj(LCC_EUROPE)


@dataclass(frozen=True)
class DistanceField:
    """Distance-to-line bounds over a raster in the LCC_EUROPE plane.

    Build one with :meth:`from_segments`; query it with :meth:`bounds_km`.

    Attributes
    ----------
    x0, y0 : float
        Plane coordinates (m) of the raster's lower-left corner.
    pixel_m : float
        Pixel size (m).
    distance_m : numpy.ndarray
        float32 (rows, cols): distance from each pixel centre to the nearest
        pixel the line passes through.
    slack_m : float
        Largest planar error of a lookup (``h·(√2 + 1/4)`` plus a metre, or a
        thousandth of a pixel when the raster is not in plane metres).
    k_min, k_max : float
        Range of the projection's scale factor over the raster.
    """

    x0: float
    y0: float
    pixel_m: float
    distance_m: np.ndarray
    slack_m: float
    k_min: float
    k_max: float

    @classmethod
    def from_segments(cls, starts: np.ndarray, ends: np.ndarray, extent: tuple[float, float, float, float],
                      *, max_pixels: int = MAX_PIXELS, min_pixel_m: float = MIN_PIXEL_M,
                      margin_m: float = MARGIN_M, geodesic: bool = True) -> DistanceField:
        """Rasterise line segments (plane metres, ``(n, 2)`` arrays) over ``extent`` (xmin, ymin, xmax, ymax).

        The extent is grown by ``margin_m`` and must contain the segments.  With
        ``geodesic=False`` the coordinates may be in any planar unit (lon/lat
        degrees, say; ``min_pixel_m`` and ``margin_m`` are then in that unit):
        only :meth:`planar_bounds` is meaningful, ``k_min = k_max = 1``.
        """
        xmin, ymin, xmax, ymax = (extent[0] - margin_m, extent[1] - margin_m,
                                  extent[2] + margin_m, extent[3] + margin_m)
        pixel = max(min_pixel_m, float(np.sqrt((xmax - xmin) * (ymax - ymin) / max_pixels)))
        cols = int(np.ceil((xmax - xmin) / pixel))
        rows = int(np.ceil((ymax - ymin) / pixel))

        # Densify every segment to steps of at most pixel/2 and mark their pixels.
        length = np.hypot(*(ends - starts).T)
        steps = np.maximum(1, np.ceil(length / (pixel / 2)).astype(np.int64))
        owner = np.repeat(np.arange(len(starts)), steps + 1)
        first = np.repeat(np.cumsum(steps + 1) - (steps + 1), steps + 1)
        frac = (np.arange(len(owner)) - first) / steps[owner]
        xy = starts[owner] + (ends[owner] - starts[owner]) * frac[:, None]
        col = np.clip(((xy[:, 0] - xmin) // pixel).astype(np.int64), 0, cols - 1)
        row = np.clip(((xy[:, 1] - ymin) // pixel).astype(np.int64), 0, rows - 1)
        from scipy import ndimage  # imported here: scipy takes half a second to import, and small jobs never need it

        free = np.ones((rows, cols), dtype=bool)
        free[row, col] = False
        distance = ndimage.distance_transform_edt(free, sampling=pixel).astype(np.float32)

        k_min, k_max = _scale_range(xmin, ymin, xmax, ymax) if geodesic else (1.0, 1.0)
        allowance = 1.0 if geodesic else pixel * 1e-3  # float32 rounding of the transform
        return cls(x0=xmin, y0=ymin, pixel_m=pixel, distance_m=distance,
                   slack_m=pixel * (np.sqrt(2.0) + 0.25) + allowance, k_min=k_min, k_max=k_max)

    def _lookup(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """The transform's value at each plane point, and whether the point is on the raster."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        rows, cols = self.distance_m.shape
        col = np.floor((x - self.x0) / self.pixel_m)
        row = np.floor((y - self.y0) / self.pixel_m)
        on = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
        e = np.full(len(x), np.nan)
        e[on] = self.distance_m[row[on].astype(np.int64), col[on].astype(np.int64)]
        return e, on

    def upper_m(self, x, y) -> np.ndarray:
        """An upper bound of the *planar* distance (m) from each plane point to the line (inf off the raster)."""
        e, on = self._lookup(x, y)
        return np.where(on, e + self.slack_m, np.inf)

    def planar_bounds(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the *planar* distance (raster units) from each point to the line.

        Points off the raster get ``(0, inf)``: no bound.

        Examples
        --------
        >>> field = DistanceField.from_segments(np.array([[0.0, 0.0]]), np.array([[10.0, 0.0]]),
        ...                                     (0.0, 0.0, 10.0, 0.0), min_pixel_m=0.05, margin_m=5.0,
        ...                                     geodesic=False)
        >>> lower, upper = field.planar_bounds(np.array([5.0, 50.0]), np.array([3.0, 0.0]))
        >>> bool(lower[0] <= 3.0 <= upper[0]) and bool(upper[0] - lower[0] < 0.5), float(lower[1])
        (True, 0.0)
        """
        e, on = self._lookup(x, y)
        lower = np.where(on, np.maximum(0.0, e - self.slack_m), 0.0)
        upper = np.where(on, e + self.slack_m, np.inf)
        return lower, upper

    def bounds_km(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds (km) of the geodesic distance from plane points (m) to the line.

        Points off the raster get ``(0, inf)``: no bound.
        """
        e, on = self._lookup(x, y)
        lower = np.zeros(len(e))
        upper = np.full(len(e), np.inf)
        lower[on] = np.maximum(0.0, e[on] - self.slack_m) / self.k_max / 1000.0
        upper[on] = (e[on] + self.slack_m) / self.k_min / 1000.0
        return lower, upper


@lru_cache(maxsize=1)
def _scale_table() -> tuple[np.ndarray, np.ndarray]:
    lat = np.linspace(-89.0, 89.0, 178 * 100 + 1)
    return lat, np.asarray(_PROJ.get_factors(np.zeros_like(lat), lat).meridional_scale)


def scale_factor(lat: np.ndarray) -> np.ndarray:
    """LCC_EUROPE's scale factor at each latitude.

    A Lambert conformal conic's scale depends on latitude only, and smoothly:
    interpolated from a table every 0.01° it is within 2e-8 of pyproj's value.

    Examples
    --------
    >>> [round(float(k), 4) for k in scale_factor(np.array([45.0, 52.5, 60.0]))]
    [1.0, 0.9914, 1.0]
    """
    table_lat, table_k = _scale_table()
    return np.interp(lat, table_lat, table_k)


def segment_foot(x: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The point of each segment a–b (``(n, 2)`` arrays) nearest each plane point (x, y).

    Examples
    --------
    >>> fx, fy = segment_foot(np.array([5.0]), np.array([3.0]), np.array([[0.0, 0.0]]), np.array([[10.0, 0.0]]))
    >>> float(fx[0]), float(fy[0])
    (5.0, 0.0)
    """
    d = b - a
    length2 = d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]
    t = np.clip(((x - a[:, 0]) * d[:, 0] + (y - a[:, 1]) * d[:, 1]) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    return a[:, 0] + t * d[:, 0], a[:, 1] + t * d[:, 1]


def segment_distance(x: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Planar distance from each point (x, y) to its segment a–b."""
    fx, fy = segment_foot(x, y, a, b)
    return np.hypot(x - fx, y - fy)


def _scale_range(xmin: float, ymin: float, xmax: float, ymax: float) -> tuple[float, float]:
    """Min and max of LCC_EUROPE's scale factor over a plane rectangle.

    In a Lambert conformal conic the scale factor depends on latitude only, so
    the range over the rectangle is the range over the latitudes it spans
    (sampled finely, widened by a part in 10^6 for the sampling).
    """
    edge = np.linspace(0.0, 1.0, 65)
    x = np.concatenate([xmin + (xmax - xmin) * edge, np.full(65, xmax), xmin + (xmax - xmin) * edge,
                        np.full(65, xmin)])
    y = np.concatenate([np.full(65, ymin), ymin + (ymax - ymin) * edge, np.full(65, ymax),
                        ymin + (ymax - ymin) * edge])
    _, lat = from_plane(x, y)
    # The latitude extremes of a rectangle in a conic projection lie on its edges.
    lats = np.linspace(float(np.min(lat)), float(np.max(lat)), 512)
    lon0 = np.full(len(lats), float(from_plane((xmin + xmax) / 2, (ymin + ymax) / 2)[0]))
    k = np.asarray(_PROJ.get_factors(lon0, lats).meridional_scale)
    return float(k.min()) * (1 - 1e-6), float(k.max()) * (1 + 1e-6)


def plane_extent(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float, float]:
    """The plane rectangle (m) around points given in degrees."""
    x, y = to_plane(lon, lat)
    return float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y))
