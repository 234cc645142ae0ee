"""Depth: the greatest distance from a border over the continuous track, not only at its vertices.

:func:`deepest` takes straight lon/lat pieces of tracks (as :mod:`geo.analysis.crossings`
cuts them, each inside one country) and a border, and returns per track the
largest distance from that border reached anywhere along the pieces, at most
:data:`TOLERANCE_KM` below the true maximum (and never above it: it is the
distance of a point of the track).  It can also maximise the distance plus a
weight that varies linearly along each piece (the depth uncertainty, for the
depth range), over a subset of the pieces (the firm ones).
:func:`track_depths` gives every figure :func:`geo.analysis.analyse.analyse` reports.

Why the maximum can be mid-segment, and how it is found
-------------------------------------------------------
The distance from a border line, along a straight segment, is the smaller of
the distances to each border segment; each of those is convex along the
segment, so the minimum peaks only at the segment's ends or where its nearest
border segment changes (a ridge between two stretches of border, e.g. the
middle of a bay).  :func:`deepest` bounds every interval between two measured
points: with ``A`` the nearest border segment at one end and ``B`` at the
other, the distance in between is at most ``min(dist to A, dist to B)``, and
each of those lies below its chord (convexity), so the interval holds no
point deeper than where the two chords cross; when ``A`` is ``B`` that is the
deeper end.  (A weight linear along the piece keeps all of this true.)
Intervals whose bound cannot beat their track's best point by more than the
tolerance are dropped; each other one is cut where ``A`` and ``B`` are equally
far (the ridge: found by bisection, no search needed), or, after
:data:`RIDGE_ROUNDS` rounds, into :data:`SPLIT` equal parts, and measured
again, until none is left.  The chords are drawn in the conformal plane, where
the distances are found, and scaled to geodesic km by the measured ratio; a
lon/lat straight line bows from its chord there by at most ``L² / 8R``
(``R`` = :data:`BOW_RADIUS_M`), which the bound adds.

How it stays fast
-----------------
Exact nearest-border searches are the costly step.  A distance raster of the
border (:func:`geo.reference.borders.distance_bounds_km`) bounds every piece end: first
the ends whose upper bound reaches their track's best lower bound are
measured, then only the pieces whose bound ``(U_a + U_b + km) / 2`` (distance
changes by at most as much as the point moves) reaches the best value measured
so far.  On most of those the chords agree with the deeper end at once; a
point measured inside an interval is searched only as far as its distance to
the interval's known border segments.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from geo.reference import borders
from geo.reference.distancefield import segment_distance, segment_foot
from geo.reference.projection import from_plane, geodesic_km, to_plane
from geo.analysis.runs import group_argmax, group_max

__all__ = ["EXACT_ALL_BELOW", "TOLERANCE_KM", "Path", "Objective", "Deepest", "deepest", "TrackDepths",
           "measured_from", "track_depths", "any_border_depths"]

#: The depth found is at most this (km) below the maximum over the continuous track.
TOLERANCE_KM = 0.02
#: Rounds that cut an interval at its ridge; later rounds cut it into SPLIT equal parts.
RIDGE_ROUNDS = 4
SPLIT = 4
#: Spacing (km) of the raster's bounds along a piece when deciding whether to measure it.
SAMPLE_KM = 1.0
#: At most this many rounds of cutting.
MAX_ROUNDS = 24
#: Below this many piece ends an exact search of them all is cheaper than building
#: the distance raster that prunes it (about 0.2-0.8 s per border, once per process).
EXACT_ALL_BELOW = 2_000
#: Smallest radius of curvature (m) of a lon/lat straight line in the LCC_EUROPE plane
#: between 42° and 62° N (3,390 km, sampled), rounded down: an interval of length L bows
#: at most L² / (8 R) from its chord.
BOW_RADIUS_M = 3.0e6


@dataclass(frozen=True)
class Path:
    """Straight lon/lat pieces of tracks, track after track, in flight order.

    ``group`` is each piece's track (sorted); ``km`` its geodesic length;
    ``x0`` ... ``y1`` the ends in the conformal plane.
    """

    lon0: np.ndarray
    lat0: np.ndarray
    lon1: np.ndarray
    lat1: np.ndarray
    km: np.ndarray
    group: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray

    def at(self, piece: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, ...]:
        """Points at fraction ``u`` along pieces: lon, lat and plane x, y (projected only off the ends)."""
        lon = self.lon0[piece] + u * (self.lon1[piece] - self.lon0[piece])
        lat = self.lat0[piece] + u * (self.lat1[piece] - self.lat0[piece])
        start, end = u == 0.0, u == 1.0
        lon, lat = np.where(end, self.lon1[piece], lon), np.where(end, self.lat1[piece], lat)
        x = np.where(start, self.x0[piece], self.x1[piece])
        y = np.where(start, self.y0[piece], self.y1[piece])
        mid = np.flatnonzero(~(start | end))
        if len(mid):
            x[mid], y[mid] = to_plane(lon[mid], lat[mid])
        return lon, lat, x, y

    def take(self, which: np.ndarray) -> Path:
        """The pieces ``which`` (sorted), as a path."""
        return Path(*(getattr(self, f.name)[which] for f in fields(self)))


@dataclass(frozen=True)
class Objective:
    """Maximise distance + weight over the ``active`` pieces; the weight runs from ``w0`` to ``w1`` along each."""

    w0: np.ndarray
    w1: np.ndarray
    active: np.ndarray


@dataclass(frozen=True)
class Deepest:
    """Per track: the maximum of an objective, and where it is reached.

    ``km`` is NaN and ``piece`` -1 for tracks with no active piece; ``u`` is
    the fraction along the piece (lon/lat), ``foot`` the nearest border point.
    """

    km: np.ndarray
    piece: np.ndarray
    u: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    foot_lon: np.ndarray
    foot_lat: np.ndarray


@dataclass(frozen=True)
class _Points:
    """Measured points of the path: where, and the border segment nearest each."""

    piece: np.ndarray
    u: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    seg: np.ndarray
    km: np.ndarray
    planar: np.ndarray
    foot_x: np.ndarray
    foot_y: np.ndarray

    def take(self, which) -> _Points:
        return _Points(*(getattr(self, f.name)[which] for f in fields(self)))


class _Border:
    """One border (a country's, or its stretch facing a neighbour) and exact measurements against it."""

    def __init__(self, country: str, neighbour: str | None, bulk: bool):
        self.country, self.neighbour, self.bulk = country, neighbour, bulk
        self.starts, self.ends = borders.border_segments(country, neighbour=neighbour)

    def measure(self, piece: np.ndarray, u: np.ndarray, path: Path, near: tuple[np.ndarray, ...] = ()) -> _Points:
        """Measure points at fraction ``u`` along pieces; ``near``: border segments known to be close (bounds)."""
        lon, lat, x, y = path.at(piece, u)
        upper = None
        if near:
            upper = np.minimum.reduce([self.planar_to(x, y, seg) for seg in near]) * (1 + 1e-9) + 1e-6
        seg = borders.nearest_border_segment(x, y, self.country, neighbour=self.neighbour, upper_m=upper,
                                             bulk=self.bulk or None)
        fx, fy = segment_foot(x, y, self.starts[seg], self.ends[seg])
        # A foot on a vertex is as near to both segments meeting there: take the first, so that
        # which search found it (and so which other tracks were measured alongside) never matters.
        at_start = (fx == self.starts[seg, 0]) & (fy == self.starts[seg, 1]) & (seg > 0)
        before = np.maximum(seg - 1, 0)
        joined = at_start & (self.ends[before, 0] == self.starts[seg, 0]) & (self.ends[before, 1] == self.starts[seg, 1])
        seg = np.where(joined, before, seg)
        flon, flat = from_plane(fx, fy)
        km = geodesic_km(lon, lat, flon, flat)
        return _Points(piece, u, lon, lat, x, y, seg, km, np.hypot(x - fx, y - fy), fx, fy)

    def planar_to(self, x: np.ndarray, y: np.ndarray, seg: np.ndarray) -> np.ndarray:
        """Planar distance from each point to the given border segment."""
        return segment_distance(x, y, self.starts[seg], self.ends[seg])


def deepest(path: Path, n: int, country: str, neighbour: str | None, objectives: list[Objective],
            *, tolerance_km: float = TOLERANCE_KM) -> list[Deepest]:
    """The maximum of each objective over the continuous path, per track.

    Parameters
    ----------
    path : Path
        The pieces to search (each inside ``country``).
    n : int
        Number of tracks (``path.group`` < n).
    country, neighbour : str
        The border measured from: ``country``'s stretch facing ``neighbour``,
        or its whole boundary (``None``), as :func:`geo.reference.borders.nearest_border_point`.
    objectives : list of Objective
        What to maximise: distance plus a weight linear along each piece.

    Returns
    -------
    list of Deepest
        One per objective: at most ``tolerance_km`` below its true maximum.
    """
    border = _Border(country, neighbour, bulk=2 * len(path.km) >= EXACT_ALL_BELOW)  # a large job, in batches
    found = [_Best(n) for _ in objectives]
    left, right = _candidate_ends(path, n, border, objectives, found, tolerance_km)
    for rounds in range(MAX_ROUNDS):
        keep = _could_be_deeper(left, right, border, path, objectives, found, tolerance_km)
        if not keep.any():
            break
        left, right = _cut(left.take(keep), right.take(keep), border, path, objectives, found, rounds)
    return [best.result() for best in found]


def _nodes(path: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """Each piece's start and end node: a piece that starts where the previous one ended shares its node."""
    joined = np.r_[False, (path.group[1:] == path.group[:-1]) & (path.lon0[1:] == path.lon1[:-1])
                   & (path.lat0[1:] == path.lat1[:-1])][:len(path.km)]
    size = 2 - joined.astype(np.int64)
    offset = np.cumsum(size) - size
    return np.where(joined, offset - 1, offset), offset + size - 1, int(size.sum())


class _Nodes:
    """The pieces' end points, each measured at most once."""

    def __init__(self, path: Path, border: _Border):
        self.start, self.end, count = _nodes(path)
        self.piece, self.u = np.zeros(count, np.int64), np.zeros(count)
        self.piece[self.end], self.u[self.end] = np.arange(len(path.km)), 1.0
        self.piece[self.start], self.u[self.start] = np.arange(len(path.km)), 0.0
        self.x, self.y = np.zeros(count), np.zeros(count)
        self.x[self.end], self.y[self.end] = path.x1, path.y1
        self.x[self.start], self.y[self.start] = path.x0, path.y0
        self.measured = np.zeros(count, bool)
        self.points = border.measure(np.empty(0, np.int64), np.empty(0), path)
        self.row = np.full(count, -1)
        self.path, self.border = path, border

    def measure(self, nodes: np.ndarray) -> _Points:
        """Measure the nodes not yet measured; return them (in path order)."""
        nodes = np.unique(nodes[~self.measured[nodes]])
        new = self.border.measure(self.piece[nodes], self.u[nodes], self.path)
        self.row[nodes] = len(self.points.km) + np.arange(len(nodes))
        self.points = _Points(*(np.r_[getattr(self.points, f.name), getattr(new, f.name)] for f in fields(new)))
        self.measured[nodes] = True
        return new

    def km(self, nodes: np.ndarray) -> np.ndarray:
        """Measured km at the nodes (NaN where not measured)."""
        return np.where(self.measured[nodes], self.points.km[np.maximum(self.row[nodes], 0)], np.nan)

    def ends(self, pieces: np.ndarray) -> tuple[_Points, _Points]:
        """The measured ends of the pieces, as intervals (piece and fraction their own)."""
        left, right = self.points.take(self.row[self.start[pieces]]), self.points.take(self.row[self.end[pieces]])
        zero, one = np.zeros(len(pieces)), np.ones(len(pieces))
        return (_Points(pieces, zero, *(getattr(left, f.name) for f in fields(left)[2:])),
                _Points(pieces, one, *(getattr(right, f.name) for f in fields(right)[2:])))


def _candidate_ends(path: Path, n: int, border: _Border, objectives: list[Objective],
                    found: list[_Best], tolerance_km: float) -> tuple[_Points, _Points]:
    """Measure the pieces that could hold a track's maximum, at their ends; return them as intervals.

    With many pieces the raster's bounds decide: first the ends whose upper
    bound reaches the best lower bound of their track are measured; then a
    piece with one end measured is bounded by that end's nearest border
    segment (convex along the piece: at most its value at either end), one
    with neither by ``(U_a + U_b + km) / 2``; only the pieces whose bound beats
    the best measured point by more than the tolerance are measured at both ends.
    """
    nodes = _Nodes(path, border)

    def measure(which: np.ndarray) -> None:
        new = nodes.measure(which)
        for best, objective in zip(found, objectives):
            best.update(new, objective, path.group)

    active = np.logical_or.reduce([o.active for o in objectives])
    if 2 * len(path.km) < EXACT_ALL_BELOW:
        pieces = np.flatnonzero(active)
        measure(np.r_[nodes.start[pieces], nodes.end[pieces]])
        return nodes.ends(pieces)
    lo, up = borders.plane_distance_bounds_km(nodes.x, nodes.y, border.country, neighbour=border.neighbour)
    lo0, up0, lo1, up1 = lo[nodes.start], up[nodes.start], lo[nodes.end], up[nodes.end]
    first = []
    for o in objectives:
        floor = group_max(np.where(o.active, np.maximum(lo0 + o.w0, lo1 + o.w1), np.nan), path.group, n)
        first += [nodes.start[o.active & (up0 + o.w0 >= floor[path.group])],
                  nodes.end[o.active & (up1 + o.w1 >= floor[path.group])]]
    measure(np.concatenate(first))
    bound = _one_sided(path, nodes, border, objectives, (up0, up1))
    need = [o.active & (b > best.km[path.group] + tolerance_km) for o, b, best in zip(objectives, bound, found)]
    # Those pieces again, bounded from the raster along them: none deeper than its track's best point
    # measured so far (not even by the tolerance) is dropped, so the result is as if all were measured.
    pieces = np.flatnonzero(np.logical_or.reduce(need))
    sampled = _sampled_bounds(path, pieces, border, objectives)
    need = np.logical_or.reduce([nd[pieces] & (b > best.km[path.group[pieces]])
                                 for nd, b, best in zip(need, sampled, found)])
    pieces = pieces[need]
    measure(np.r_[nodes.start[pieces], nodes.end[pieces]])
    return nodes.ends(pieces)


def _sampled_bounds(path: Path, pieces: np.ndarray, border: _Border, objectives: list[Objective]) -> list[np.ndarray]:
    """Per objective, an upper bound of each piece's maximum from the raster's upper bounds along it.

    The piece is cut into ``m`` equal parts of at most :data:`SAMPLE_KM`; over
    a part whose ends have upper bounds ``U_i`` and ``U_j`` (plus weights) the
    distance is at most ``(U_i + U_j + km / m) / 2`` (it changes by at most as
    much as the point moves), with a margin for the lon/lat line's length.
    """
    if len(pieces) == 0:
        return [np.empty(0) for _ in objectives]
    km = path.km[pieces]
    m = np.maximum(1, np.ceil(km / SAMPLE_KM)).astype(np.int64)
    owner = np.repeat(np.arange(len(pieces)), m + 1)
    first = np.cumsum(m + 1) - (m + 1)
    u = (np.arange(len(owner)) - first[owner]) / m[owner]
    p = pieces[owner]
    lon = path.lon0[p] + u * (path.lon1[p] - path.lon0[p])
    lat = path.lat0[p] + u * (path.lat1[p] - path.lat0[p])
    up = borders.distance_bounds_km(lon, lat, border.country, neighbour=border.neighbour)[1]
    step = (km / m * (1 + 1e-3) + 1e-3)[owner[:-1]]
    inner = np.flatnonzero(owner[1:] == owner[:-1])  # consecutive samples of one piece
    out = []
    for o in objectives:
        w = o.w0[p] + u * (o.w1[p] - o.w0[p])
        v = up + w
        part = (v[inner] + v[inner + 1] + step[inner] + np.abs(w[inner + 1] - w[inner])) / 2
        b = np.full(len(pieces), -np.inf)
        np.maximum.at(b, owner[inner], part)
        out.append(b)
    return out


def _one_sided(path: Path, nodes: _Nodes, border: _Border, objectives: list[Objective],
               upper: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
    """Per objective, a bound of each piece's maximum from what is known of its ends.

    Both ends measured: +inf (the chords decide).  One: the larger of that end's
    value and its nearest border segment's distance from the other end (the
    distance to that segment is convex along the piece, and at least the
    distance to the border), plus the bow.  None: Lipschitz from the raster's
    upper bounds.
    """
    at0, at1 = nodes.measured[nodes.start], nodes.measured[nodes.end]
    known_end = np.where(at0, nodes.start, nodes.end)
    other_end = np.where(at0, nodes.end, nodes.start)
    one = np.flatnonzero(at0 ^ at1)
    known = nodes.points.take(nodes.row[known_end[one]])
    x, y = nodes.x[other_end[one]], nodes.y[other_end[one]]
    ratio = _ratio(known)
    via = border.planar_to(x, y, known.seg) * ratio
    span = np.hypot(x - known.x, y - known.y)
    bow = span * span / (8.0 * BOW_RADIUS_M) * ratio
    from_start = at0[one]
    out = []
    for o in objectives:
        b = (upper[0] + o.w0 + upper[1] + o.w1 + path.km + np.abs(o.w1 - o.w0)) / 2
        w_known = np.where(from_start, o.w0[one], o.w1[one])
        w_other = np.where(from_start, o.w1[one], o.w0[one])
        b[one] = np.maximum(known.km + w_known, via + w_other) + bow
        b[at0 & at1] = np.inf
        out.append(b)
    return out


def _weight(objective: Objective, piece: np.ndarray, u: np.ndarray) -> np.ndarray:
    w = objective.w0[piece] + u * (objective.w1[piece] - objective.w0[piece])
    return np.where(objective.active[piece], w, np.nan)


class _Best:
    """The best point so far of each track, for one objective."""

    def __init__(self, n: int):
        self.km = np.full(n, -np.inf)
        self.piece = np.full(n, -1)
        self.u, self.lon, self.lat, self.foot_x, self.foot_y = (np.full(n, np.nan) for _ in range(5))

    def update(self, points: _Points, objective: Objective, group_of_piece: np.ndarray) -> None:
        """Take the points (sorted by piece) that beat their track's best so far (the first, on a tie)."""
        value = points.km + _weight(objective, points.piece, points.u)
        first = group_argmax(value, group_of_piece[points.piece], len(self.km))
        rows = np.flatnonzero(first >= 0)
        rows = rows[value[first[rows]] > self.km[rows]]
        at = first[rows]
        self.km[rows], self.piece[rows], self.u[rows] = value[at], points.piece[at], points.u[at]
        self.lon[rows], self.lat[rows] = points.lon[at], points.lat[at]
        self.foot_x[rows], self.foot_y[rows] = points.foot_x[at], points.foot_y[at]

    def result(self) -> Deepest:
        found = self.piece >= 0
        foot_lon, foot_lat = np.full(len(self.km), np.nan), np.full(len(self.km), np.nan)
        if found.any():
            foot_lon[found], foot_lat[found] = from_plane(self.foot_x[found], self.foot_y[found])
        return Deepest(km=np.where(found, self.km, np.nan), piece=self.piece, u=self.u, lon=self.lon, lat=self.lat,
                       foot_lon=foot_lon, foot_lat=foot_lat)


def _could_be_deeper(left: _Points, right: _Points, border: _Border, path: Path, objectives: list[Objective],
                     found: list[_Best], tolerance_km: float) -> np.ndarray:
    """Which intervals (left to right, on one piece) could hold a point deeper than their track's best + tolerance."""
    ratio = np.maximum(_ratio(left), _ratio(right))
    # Each end's distance to the other end's nearest border segment: the far ends of the two chords.
    via_left = border.planar_to(right.x, right.y, left.seg) * ratio
    via_right = border.planar_to(left.x, left.y, right.seg) * ratio
    span_m = np.hypot(right.x - left.x, right.y - left.y)
    bow_km = span_m * span_m / (8.0 * BOW_RADIUS_M) * ratio
    group = path.group[left.piece]
    keep = np.zeros(len(left.km), bool)
    for objective, best in zip(objectives, found):
        w0, w1 = _weight(objective, left.piece, left.u), _weight(objective, right.piece, right.u)
        bound = _chords_cross(left.km + w0, via_left + w1, via_right + w0, right.km + w1) + bow_km
        keep |= bound > best.km[group] + tolerance_km  # NaN (inactive) compares False
    return keep


def _ratio(points: _Points) -> np.ndarray:
    """Geodesic km per planar metre at each point (the plane's scale is within 1% of 1 here)."""
    return np.divide(points.km, points.planar, out=np.full(len(points.km), 1e-3 * 1.01),
                     where=points.planar > 1.0)


def _chords_cross(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """max over u in [0, 1] of min(a0 + u (a1 - a0), b0 + u (b1 - b0))."""
    ends = np.maximum(np.minimum(a0, b0), np.minimum(a1, b1))
    da, db = a1 - a0, b1 - b0
    with np.errstate(divide="ignore", invalid="ignore"):
        u = (b0 - a0) / (da - db)
    inside = (u > 0) & (u < 1)
    return np.where(inside, np.maximum(ends, a0 + np.where(inside, u, 0.0) * da), ends)


def _ridge(left: _Points, right: _Points, border: _Border, steps: int = 40) -> np.ndarray:
    """Where along each interval (0-1, on its planar chord) its ends' nearest border segments are equally far.

    0.5 where the two ends share their nearest segment; kept within 1-99%.
    """
    lo, hi = np.zeros(len(left.km)), np.ones(len(left.km))
    dx, dy = right.x - left.x, right.y - left.y
    # Both segments' vectors once (the same arithmetic as segment_distance, without re-indexing each step).
    sides = []
    for seg in (left.seg, right.seg):
        a, b = border.starts[seg], border.ends[seg]
        d = b - a
        length2 = d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]
        sides.append((a[:, 0], a[:, 1], d[:, 0], d[:, 1], np.where(length2 > 0, length2, 1.0)))

    def planar(x, y, a0, a1, d0, d1, den):
        t = np.clip(((x - a0) * d0 + (y - a1) * d1) / den, 0.0, 1.0)
        return np.hypot(x - (a0 + t * d0), y - (a1 + t * d1))

    for _ in range(steps):
        mid = (lo + hi) / 2
        x, y = left.x + mid * dx, left.y + mid * dy
        nearer_left = planar(x, y, *sides[0]) <= planar(x, y, *sides[1])
        lo, hi = np.where(nearer_left, mid, lo), np.where(nearer_left, hi, mid)
    return np.clip(np.where(left.seg == right.seg, 0.5, (lo + hi) / 2), 0.01, 0.99)


def _cut(left: _Points, right: _Points, border: _Border, path: Path, objectives: list[Objective],
         found: list[_Best], rounds: int) -> tuple[_Points, _Points]:
    """Cut each interval (at its ridge, or into SPLIT), measure the new points, return the new intervals in order."""
    m = len(left.km)
    if rounds < RIDGE_ROUNDS:
        k = _ridge(left, right, border)[:, None]
    else:
        k = np.broadcast_to(np.arange(1, SPLIT) / SPLIT, (m, SPLIT - 1))
    cuts = k.shape[1]
    u = (left.u[:, None] + (right.u - left.u)[:, None] * k).ravel()
    near = (np.repeat(left.seg, cuts), np.repeat(right.seg, cuts))
    new = border.measure(np.repeat(left.piece, cuts), u, path, near)
    for best, objective in zip(found, objectives):
        best.update(new, objective, path.group)
    # Points of each interval in order: left, the new ones, right; consecutive pairs are the new intervals.
    stacked = [np.concatenate([getattr(left, f.name)[:, None], getattr(new, f.name).reshape(m, cuts),
                               getattr(right, f.name)[:, None]], axis=1) for f in fields(left)]
    return _Points(*(a[:, :-1].ravel() for a in stacked)), _Points(*(a[:, 1:].ravel() for a in stacked))


# ----------------------------------------------------------------------------- the depth figures of tracks


@dataclass(frozen=True)
class TrackDepths:
    """Per track: the depth figures :func:`geo.analysis.analyse.analyse` reports (NaN where nothing is inside).

    ``depth`` is from the border ``depth_from`` (alpha-2; None for the whole
    boundary), over the firm pieces; ``low``/``high`` its bound; ``origin``
    the same measured from the stated origin's border; ``with_presumed``
    over every piece inside; ``any_border`` from the whole boundary; ``deepest``
    where ``depth`` is reached.
    """

    depth: np.ndarray
    low: np.ndarray
    high: np.ndarray
    depth_from: np.ndarray
    origin: np.ndarray
    with_presumed: np.ndarray
    any_border: np.ndarray
    deepest: Deepest


def measured_from(country: np.ndarray, origin: np.ndarray, entered_from: np.ndarray) -> np.ndarray:
    """The border each track's depth is measured from: the one it first crossed into ``country``.

    That is the country it came from, where it shares a border with ``country``;
    else (no entry crossing, or one from the sea side of a strip) the stated
    origin, where that shares one; else None: the whole boundary.
    """
    out = np.full(len(country), None, dtype=object)
    for c, o, e in sorted(set(zip(country.tolist(), origin.tolist(), entered_from.tolist()))):  # a handful
        rows = (country == c) & (origin == o) & (entered_from == e)
        out[rows] = e if e and borders.shares_border(c, e) else (o if borders.shares_border(c, o) else None)
    return out


def track_depths(path: Path, inside: np.ndarray, firm: np.ndarray, unc0: np.ndarray, unc1: np.ndarray,
                 country: np.ndarray, origin: np.ndarray, entered_from: np.ndarray, *,
                 with_any_border: bool = True) -> TrackDepths:
    """The depth figures of every track, from its pieces (``path``: all tracks' pieces in flight order).

    ``inside`` marks the pieces in the track's country, ``firm`` those not on
    a presumed leg, ``unc0``/``unc1`` the depth uncertainty (km) at each
    piece's ends; ``country``, ``origin`` and ``entered_from`` (the country
    of the first crossing into ``country``, '' if none) are per track.
    Without ``with_any_border``, ``any_border`` is left NaN (see
    :func:`any_border_depths`).
    """
    n = len(country)
    depth, low, high, with_presumed, at_origin, any_border = (np.full(n, np.nan) for _ in range(6))
    point = Deepest(np.full(n, np.nan), np.full(n, -1), *(np.full(n, np.nan) for _ in range(5)))
    crossed = measured_from(country, origin, entered_from)
    stated = measured_from(country, origin, np.full(n, "", dtype=object))
    zero, every = np.zeros(len(path.km)), np.ones(len(path.km), bool)
    for c, frm, rows, sub in _by_border(path, inside, country, crossed):
        z, f = zero[sub], firm[sub]
        found = deepest(path.take(sub), n, c, frm, [Objective(z, z, f), Objective(unc0[sub], unc1[sub], f),
                                                         Objective(-unc0[sub], -unc1[sub], f),
                                                         Objective(z, z, every[sub])])
        depth[rows], high[rows], with_presumed[rows] = found[0].km[rows], found[1].km[rows], found[3].km[rows]
        low[rows] = np.clip(found[2].km[rows], 0.0, None)
        for name in Deepest.__dataclass_fields__:
            getattr(point, name)[rows] = getattr(found[0], name)[rows]
        hit = rows[found[0].piece[rows] >= 0]
        point.piece[hit] = sub[found[0].piece[hit]]  # back to the index in ``path``
    at_origin[:] = depth
    differs = np.array([a != b for a, b in zip(crossed.tolist(), stated.tolist())], bool)
    for c, frm, rows, sub in _by_border(path, inside & differs[path.group], country, stated):
        (found,) = deepest(path.take(sub), n, c, frm, [Objective(zero[sub], zero[sub], firm[sub])])
        at_origin[rows] = found.km[rows]
    if with_any_border:
        any_border = any_border_depths(path, inside, firm, country)
    return TrackDepths(depth, low, high, crossed, at_origin, with_presumed, any_border, point)


def any_border_depths(path: Path, inside: np.ndarray, firm: np.ndarray, country: np.ndarray) -> np.ndarray:
    """Per track, the depth over its firm pieces inside from the country's whole boundary (NaN if none).

    The ``any_border`` figure of :func:`track_depths`, on its own: it needs
    nothing the other figures find, so a caller can run it alongside them.
    """
    n = len(country)
    out = np.full(n, np.nan)
    zero = np.zeros(len(path.km))
    for c, _, rows, sub in _by_border(path, inside, country, np.full(n, None, dtype=object)):
        (found,) = deepest(path.take(sub), n, c, None, [Objective(zero[sub], zero[sub], firm[sub])])
        out[rows] = found.km[rows]
    return out


def _by_border(path: Path, inside: np.ndarray, country: np.ndarray, border: np.ndarray):
    """For each (country, border) pair of the tracks with pieces inside: the pair, its tracks and their pieces."""
    tracks = np.unique(path.group[inside])
    for c, frm in sorted(set(zip(country[tracks].tolist(), border[tracks].tolist())), key=lambda k: (k[0], k[1] or "")):
        rows = tracks[(country[tracks] == c) & np.array([b == frm for b in border[tracks].tolist()], bool)]
        chosen = np.zeros(len(country), bool)
        chosen[rows] = True
        yield c, frm, rows, np.flatnonzero(inside & chosen[path.group])
