"""Where tracks cross country boundaries, found from the geometry of every segment.

Every segment of every track (a straight line in lon/lat, as shapely and the
drawn map take it) is cut at *every* point where it meets the boundary of any
shipped country, whatever the spacing of the track's vertices.  Between two
such points a piece of segment lies in one country or in none, so each piece
is labelled by the country containing its midpoint, and:

* a **crossing** is a change of country between consecutive labelled pieces
  of a track.  Pieces in no country (the strips OSM leaves along some rivers,
  up to ~650 m wide, or the open sea) are skipped over: A, strip, B is one
  crossing A→B, at the point where B begins; A, strip, A is none;
* **length and time inside** a country are sums over its pieces, each
  piece's share of its segment measured geodesically (times are linear in
  distance along a segment, as :mod:`geo.tracks.build` interpolates them).

How it stays fast
-----------------
The boundaries are two-point segments in an STRtree; each pair of track and
boundary segments whose envelopes meet is intersected in numpy (as shapely
would, in the lon/lat plane).  With many segments, a distance raster of all
boundaries in degrees (:class:`geo.reference.distancefield.DistanceField`) first rules
out the segments that cannot reach one: a segment of length ``L`` meets a
boundary only if its end points' distances to it add up to at most ``L``.

Examples
--------
>>> import numpy as np
>>> ends = np.array([[[23.35, 52.18], [23.95, 52.18]]])   # 41 km east over the Bug by Brest
>>> owner, along = boundary_hits(ends)
>>> len(along), bool(np.all(np.diff(along) > 0))
(7, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely

from geo.reference import borders
from geo.reference.datafiles import COUNTRIES, data_path
from geo.reference.distancefield import DistanceField
from geo.reference.projection import geodesic_km, to_plane

__all__ = ["PREFILTER_SEGMENTS", "Pieces", "boundary_hits", "cut_segments", "find_crossings"]

#: From this many segments on, the boundary raster rules out segments far from any boundary
#: (built once per process, about half a second; below this the tree alone is quicker).
PREFILTER_SEGMENTS = 5_000
#: Hits nearer than this (as a fraction of the segment) are one point; hits nearer than
#: this to a segment's end are at its vertex, where the pieces on either side already differ.
SAME_HIT = 1e-12


@dataclass(frozen=True)
class _Boundaries:
    """Every shipped country's boundary as two-point lon/lat segments, with an STRtree."""

    ends: np.ndarray
    segments: np.ndarray
    tree: shapely.STRtree


@lru_cache(maxsize=2)
def _boundaries(mtime: float) -> _Boundaries:
    rings = shapely.get_rings(shapely.get_parts(borders.countries().geometry.to_numpy()))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    ends = np.stack([coords[:-1][same], coords[1:][same]], axis=1)
    segments = shapely.linestrings(ends)
    return _Boundaries(ends, segments, shapely.STRtree(segments))


@lru_cache(maxsize=2)
def _boundary_field(mtime: float) -> DistanceField:
    """Bounds of the lon/lat-plane distance (degrees) to the nearest boundary."""
    ends = _boundaries(mtime).ends
    xy = ends.reshape(-1, 2)
    extent = (float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max()))
    return DistanceField.from_segments(ends[:, 0], ends[:, 1], extent, min_pixel_m=0.002, margin_m=0.1,
                                       geodesic=False)


def boundary_hits(ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every point where each two-point lon/lat line meets a country boundary.

    Parameters
    ----------
    ends : numpy.ndarray
        ``(n, 2, 2)``: each line's start and end (lon, lat).

    Returns
    -------
    (owner, along) : tuple of numpy.ndarray
        The line of each hit and its fraction along the line (0 at the start),
        sorted by line and then along it; strictly between 0 and 1, one per
        point (a shared border is one point, not one per country).
    """
    mtime = data_path(COUNTRIES).stat().st_mtime
    b = _boundaries(mtime)
    todo = np.arange(len(ends))
    if len(ends) >= PREFILTER_SEGMENTS:
        lower, _ = _boundary_field(mtime).planar_bounds(ends[:, :, 0].ravel(), ends[:, :, 1].ravel())
        length = np.hypot(ends[:, 1, 0] - ends[:, 0, 0], ends[:, 1, 1] - ends[:, 0, 1])
        todo = np.flatnonzero(lower.reshape(-1, 2).sum(axis=1) <= length)
    if len(todo) == 0:
        return np.empty(0, np.int64), np.empty(0)
    lines = shapely.linestrings(ends[todo])
    line_idx, seg_idx = b.tree.query(lines)
    owner, along = _intersect(ends[todo], lines, line_idx, b.ends[seg_idx], b.segments[seg_idx])
    owner = todo[owner]
    keep = (along > SAME_HIT) & (along < 1.0 - SAME_HIT)
    owner, along = owner[keep], along[keep]
    order = np.lexsort((along, owner))
    owner, along = owner[order], along[order]
    fresh = np.r_[True, (owner[1:] != owner[:-1]) | (along[1:] - along[:-1] > SAME_HIT)][:len(owner)]
    return owner[fresh], along[fresh]


def _intersect(ends: np.ndarray, lines: np.ndarray, line_idx: np.ndarray, seg_ends: np.ndarray,
               segments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each pair (line ``line_idx[i]``, boundary segment ``i``) meets: the line and the fraction along it.

    Two segments in the plane, solved in numpy; pairs that are parallel and
    touch (collinear overlaps) are left to shapely, and both ends of an
    overlap count.
    """
    p, r = ends[line_idx, 0], ends[line_idx, 1] - ends[line_idx, 0]
    q1, sv = seg_ends[:, 0], seg_ends[:, 1] - seg_ends[:, 0]
    denom = r[:, 0] * sv[:, 1] - r[:, 1] * sv[:, 0]
    w = q1 - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (w[:, 0] * sv[:, 1] - w[:, 1] * sv[:, 0]) / denom
        u = (w[:, 0] * r[:, 1] - w[:, 1] * r[:, 0]) / denom
    hit = (denom != 0) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    owner, along = line_idx[hit], t[hit]
    parallel = np.flatnonzero(denom == 0)
    parallel = parallel[shapely.intersects(lines[line_idx[parallel]], segments[parallel])]
    if len(parallel):
        touch = shapely.intersection(lines[line_idx[parallel]], segments[parallel])
        txy, which = shapely.get_coordinates(touch, return_index=True)
        towner = line_idx[parallel][which]
        tr = ends[towner, 1] - ends[towner, 0]
        talong = np.einsum("ij,ij->i", txy - ends[towner, 0], tr) / np.maximum(np.einsum("ij,ij->i", tr, tr),
                                                                             1e-300)
        owner, along = np.r_[owner, towner], np.r_[along, talong]
    return owner, along


@dataclass(frozen=True)
class Pieces:
    """Every segment of every track cut at every boundary it meets, in flight order.

    Attributes
    ----------
    seg, track : numpy.ndarray
        Each piece's segment and track (both sorted).
    lon0, lat0, lon1, lat1 : numpy.ndarray
        The piece's ends.
    g0, g1 : numpy.ndarray
        Fraction of its segment's geodesic length before each end (0 and 1
        for an uncut segment), so ``km = g1 - g0`` times the segment's km and
        times and uncertainties interpolate linearly in ``g``.
    km : numpy.ndarray
        Geodesic length.
    country : numpy.ndarray
        Alpha-2 code of the country the piece lies in ('' for none).
    x0, y0, x1, y1 : numpy.ndarray
        The ends in the conformal plane (:func:`geo.reference.projection.to_plane`),
        projected once here for every later distance lookup.
    """

    seg: np.ndarray
    track: np.ndarray
    lon0: np.ndarray
    lat0: np.ndarray
    lon1: np.ndarray
    lat1: np.ndarray
    g0: np.ndarray
    g1: np.ndarray
    km: np.ndarray
    country: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray

    def midpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """Each piece's midpoint (lon, lat) on its straight lon/lat line."""
        return (self.lon0 + self.lon1) / 2, (self.lat0 + self.lat1) / 2


def cut_segments(lon: np.ndarray, lat: np.ndarray, a: np.ndarray, b: np.ndarray, seg_km: np.ndarray,
                 seg_track: np.ndarray, xy: tuple[np.ndarray, np.ndarray] | None = None) -> Pieces:
    """Cut every segment (vertex ``a[i]`` to ``b[i]``) at every boundary it meets, and label the pieces.

    Each cut point's fraction of its segment is measured geodesically from
    both ends, ``g = s_a / (s_a + s_b)``, so the two pieces meeting there agree
    on it and a segment's pieces add up to the whole segment.  ``xy``: the
    vertices in the conformal plane, if already projected.
    """
    ends = np.stack([np.column_stack([lon[a], lat[a]]), np.column_stack([lon[b], lat[b]])], axis=1)
    owner, along = boundary_hits(ends)
    hits = np.bincount(owner, minlength=len(a))
    count = hits + 1
    first = np.cumsum(count) - count
    seg = np.repeat(np.arange(len(a)), count)
    t0, t1 = np.zeros(len(seg)), np.ones(len(seg))
    at = first[owner] + (np.arange(len(owner)) - (np.cumsum(hits) - hits)[owner])  # the piece ending at each hit
    t1[at], t0[at + 1] = along, along
    dlon, dlat = ends[:, 1, 0] - ends[:, 0, 0], ends[:, 1, 1] - ends[:, 0, 1]
    lon0, lat0 = ends[seg, 0, 0] + t0 * dlon[seg], ends[seg, 0, 1] + t0 * dlat[seg]
    lon1, lat1 = ends[seg, 0, 0] + t1 * dlon[seg], ends[seg, 0, 1] + t1 * dlat[seg]
    last = t1 == 1.0  # a segment's last piece ends on its vertex, exactly
    lon1[last], lat1[last] = ends[seg[last], 1, 0], ends[seg[last], 1, 1]
    g0, g1 = t0.copy(), t1.copy()
    hx, hy = ends[owner, 0, 0] + along * dlon[owner], ends[owner, 0, 1] + along * dlat[owner]
    from_a = geodesic_km(ends[owner, 0, 0], ends[owner, 0, 1], hx, hy)
    to_b = geodesic_km(hx, hy, ends[owner, 1, 0], ends[owner, 1, 1])
    total = from_a + to_b
    g = np.divide(from_a, total, out=along.copy(), where=total > 0)
    g1[at], g0[at + 1] = g, g
    km = seg_km[seg] * (g1 - g0)
    whole = hits[seg] == 0
    km[whole] = seg_km[seg[whole]]  # uncut segments keep their own length, bit for bit
    country = borders.country_at((lon0 + lon1) / 2, (lat0 + lat1) / 2)
    vx, vy = xy if xy is not None else to_plane(lon, lat)
    hit_x, hit_y = to_plane(lon1[at], lat1[at])
    x0, y0, x1, y1 = vx[a][seg], vy[a][seg], vx[b][seg], vy[b][seg]
    x1[at], y1[at], x0[at + 1], y0[at + 1] = hit_x, hit_y, hit_x, hit_y
    return Pieces(seg=seg, track=seg_track[seg], lon0=lon0, lat0=lat0, lon1=lon1, lat1=lat1, g0=g0, g1=g1, km=km,
                  country=country, x0=x0, y0=y0, x1=x1, y1=y1)


def find_crossings(pieces: Pieces) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each change of country along a track: the piece where the new country begins, the codes left and entered.

    Pieces in no country are skipped over (see the module docstring); crossings
    come in flight order, track after track.
    """
    coded = np.flatnonzero(pieces.country != "")
    before, after = coded[:-1], coded[1:]
    change = (pieces.track[before] == pieces.track[after]) & (pieces.country[before] != pieces.country[after])
    return after[change], pieces.country[before[change]], pieces.country[after[change]]
