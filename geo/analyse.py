"""Measure tracks against borders: length, crossings, depth, time inside, speed, checks.

:func:`analyse` takes the GeoDataFrame of :func:`geo.tracks.build_tracks` and
returns one row of figures per track.  Every step works on all vertices of all
tracks at once (numpy, shapely and pyproj array calls); rows never depend on
each other, so the same function can run on partitions of a large archive.

How each figure is measured
---------------------------
* Lengths are geodesic (WGS84) sums over the densified line, split by leg status.
* Crossings are where consecutive vertices lie in different countries (a
  no-country strip along a river is skipped over); the crossing point is where
  the segment meets the boundary of the country entered, its time interpolated.
* Depth past the crossed border: the largest geodesic distance, over the
  track's own vertices inside the entered country, from the border with the
  origin country; also the depth from the country's whole boundary.
* Length and time inside the country split segments exactly where they meet
  the boundary; regions are assigned by segment midpoint (segments are at most
  2 km long, and Natural Earth's interior lines are no more precise than that).
* Uncertainty: the length range comes from moving every stop within its radius
  (a fixed set of :data:`SAMPLES` deterministic offsets per stop, the same for
  every track, so results do not depend on which other tracks are analysed);
  the depth range is a bound: distance to a line changes by at most as much as
  the point moves, so ``max(d - u) <= depth <= max(d + u)`` over the vertices.

How it stays fast
-----------------
Exact nearest-border searches are the costly step, and only a track's deepest
vertex needs one: a distance raster of the border (:mod:`geo.distancefield`)
gives every vertex guaranteed bounds, and only vertices whose upper bound
reaches their track's best lower bound are searched exactly (the answer is the
same; ``tests/test_analyse.py`` checks it).  Point-in-polygon answers come
from a label raster wherever no boundary is near (:mod:`geo.labelgrid`).
Per-track figures are reductions over each track's contiguous run of
vertices; the per-track lists of dicts are built flat and sliced.  On this
project's benchmark that is 5,000-7,700 tracks/s, about the speed of the bare
primitives alone (``benchmarks/bench_analyse.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Proj

from . import borders
from .checks import TimedLegs, all_checks
from .projection import GEOD, LCC_EUROPE, to_plane

__all__ = ["FIGURE_COLUMNS", "SAMPLES", "analyse"]

_LCC = Proj(LCC_EUROPE)

#: The coarse depth bound measures to the border simplified by this much (m), in the
#: plane; its error is at most that plus the plane's scale error (< 2% in Europe).
COARSE_KM = 2.5
COARSE_REL = 0.02

#: Number of position samples per stop for the length range.
SAMPLES = 256

#: Columns of the table :func:`analyse` returns.
FIGURE_COLUMNS = (
    "id", "placed", "length_km", "length_km_range", "length_by_status_km",
    "crossings", "depth_km", "depth_km_range", "deepest_point", "depth_any_km", "depth_with_presumed_km",
    "inside_km", "inside_minutes", "inside_minutes_estimated", "regions",
    "duration_minutes", "speeds", "checks",
)


# ----------------------------------------------------------------------------- vertices


def _vertices(tracks: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """All vertices of all placed tracks, with their per-vertex attributes."""
    placed = tracks["placed"].to_numpy(bool)
    geoms = tracks.geometry.to_numpy()[placed]
    rows = np.flatnonzero(placed)
    coords, part = shapely.get_coordinates(geoms, return_index=True)
    track = rows[part]

    def concat(column: str, dtype=float) -> np.ndarray:
        values = tracks[column].to_numpy()[placed]
        return np.concatenate(values).astype(dtype) if len(values) else np.empty(0, dtype)

    return {
        "track": track,
        "lon": coords[:, 0],
        "lat": coords[:, 1],
        "t": concat("t_min"),
        "unc": concat("unc_km"),
        "depth_unc": concat("depth_unc_km"),
        "time_source": concat("time_source", object),
        "stop_index": concat("stop_index", int),
    }


def _fill_no_country(codes: np.ndarray, track: np.ndarray) -> np.ndarray:
    """Within each track, give no-country vertices the code of the previous one (or next)."""
    empty = codes == ""
    if not empty.any():
        return codes
    n = len(codes)
    at = np.arange(n)
    starts = _runs(track)
    first = np.repeat(starts, np.diff(np.r_[starts, n]))       # each vertex's track start
    last = np.repeat(np.r_[starts[1:], n] - 1, np.diff(np.r_[starts, n]))
    before = np.maximum.accumulate(np.where(empty, -1, at))      # last coded vertex so far
    after = np.minimum.accumulate(np.where(empty, n, at)[::-1])[::-1]  # next coded vertex
    forward = np.where(after <= last, codes[np.minimum(after, n - 1)], "")
    return np.where(before >= first, codes[np.maximum(before, 0)], forward).astype(object)


# ----------------------------------------------------------------------------- figures


def _segments(v: dict[str, np.ndarray], tracks: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    same = v["track"][1:] == v["track"][:-1]
    a = np.flatnonzero(same)
    b = a + 1
    _, _, metres = GEOD.inv(v["lon"][a], v["lat"][a], v["lon"][b], v["lat"][b])
    placed = tracks["placed"].to_numpy(bool)
    status = np.concatenate(tracks["seg_status"].to_numpy()[placed]) if placed.any() else np.empty(0, object)
    return {"a": a, "b": b, "km": np.asarray(metres) / 1000.0, "status": status, "track": v["track"][a]}


def _crossings(v, seg, country_filled):
    """Segment-level crossings: indices, from/to codes, points and fractions along the segment."""
    a, b = seg["a"], seg["b"]
    changes = np.flatnonzero((country_filled[a] != country_filled[b]) & (country_filled[a] != "")
                             & (country_filled[b] != ""))
    if len(changes) == 0:
        return changes, np.empty(0, object), np.empty(0, object), np.empty((0, 2)), np.empty(0)
    ca, cb = country_filled[a[changes]], country_filled[b[changes]]
    ends = np.stack([np.column_stack([v["lon"][a[changes]], v["lat"][a[changes]]]),
                     np.column_stack([v["lon"][b[changes]], v["lat"][b[changes]]])], axis=1)
    lines = shapely.linestrings(ends)
    # The first point where the segment meets the entered country's boundary
    # (or, failing that, the boundary of the country left).
    first = np.full((len(changes), 2), np.nan)
    for codes in (cb, ca):
        todo = np.isnan(first[:, 0])
        for code in np.unique(codes[todo]):  # a handful of countries, each vectorised
            rows = np.flatnonzero(todo & (codes == code))
            first[rows] = _first_boundary_hits(lines[rows], ends[rows], code)
    missing = np.isnan(first[:, 0])  # no boundary hit (numerical): use the midpoint
    first[missing, 0] = (v["lon"][a[changes]][missing] + v["lon"][b[changes]][missing]) / 2
    first[missing, 1] = (v["lat"][a[changes]][missing] + v["lat"][b[changes]][missing]) / 2
    _, _, to_x = GEOD.inv(v["lon"][a[changes]], v["lat"][a[changes]], first[:, 0], first[:, 1])
    frac = np.clip(np.asarray(to_x) / 1000.0 / np.maximum(seg["km"][changes], 1e-12), 0, 1)
    return changes, ca, cb, first, frac


@lru_cache(maxsize=32)
def _boundary_segments(code: str, mtime: float) -> tuple[np.ndarray, np.ndarray, shapely.STRtree]:
    """A country's boundary as two-point segments (lon/lat): geometries, their ``(n, 2, 2)`` ends, an STRtree."""
    frame = borders.countries()
    boundary = frame.geometry[frame["country"] == code].iloc[0].boundary
    coords, part = shapely.get_coordinates(shapely.get_parts(boundary), return_index=True)
    same = part[1:] == part[:-1]
    ends = np.stack([coords[:-1][same], coords[1:][same]], axis=1)
    segments = shapely.linestrings(ends)
    return segments, ends, shapely.STRtree(segments)


def _first_boundary_hits(lines: np.ndarray, ends: np.ndarray, code: str) -> np.ndarray:
    """For each two-point line (geometries, and their ``(n, 2, 2)`` ends), the point where it
    first meets ``code``'s boundary (NaN if nowhere).

    The STRtree of the boundary's two-point segments gives the pairs whose
    envelopes meet; each pair is then intersected exactly in numpy (two
    segments in the lon/lat plane, as shapely would), about 30x faster than
    intersecting with the whole 10,000-vertex boundary.
    """
    from .datafiles import COUNTRIES, data_path

    segments, segment_ends, tree = _boundary_segments(code, data_path(COUNTRIES).stat().st_mtime)
    out = np.full((len(lines), 2), np.nan)
    line_idx, seg_idx = tree.query(lines)
    if len(line_idx) == 0:
        return out
    p, r = ends[line_idx, 0], ends[line_idx, 1] - ends[line_idx, 0]
    q = segment_ends[seg_idx]
    q1, sv = q[:, 0], q[:, 1] - q[:, 0]
    denom = r[:, 0] * sv[:, 1] - r[:, 1] * sv[:, 0]
    w = q1 - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (w[:, 0] * sv[:, 1] - w[:, 1] * sv[:, 0]) / denom
        u = (w[:, 0] * r[:, 1] - w[:, 1] * r[:, 0]) / denom
    hit = (denom != 0) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    # Parallel pairs that touch (collinear overlaps) are left to shapely.
    parallel = np.flatnonzero(denom == 0)
    parallel = parallel[shapely.intersects(lines[line_idx[parallel]], segments[seg_idx[parallel]])]
    owner, along = line_idx[hit], t[hit]
    xy = p[hit] + r[hit] * along[:, None]
    if len(parallel):
        touch = shapely.intersection(lines[line_idx[parallel]], segments[seg_idx[parallel]])
        txy, which = shapely.get_coordinates(touch, return_index=True)
        towner = line_idx[parallel][which]
        tr = ends[towner, 1] - ends[towner, 0]
        talong = np.einsum("ij,ij->i", txy - ends[towner, 0], tr) / np.maximum(np.einsum("ij,ij->i", tr, tr), 1e-300)
        owner, along, xy = np.r_[owner, towner], np.r_[along, talong], np.vstack([xy, txy])
    order = np.lexsort((along, owner))  # per line, the hit nearest its start
    owner, xy = owner[order], xy[order]
    keep = np.r_[True, owner[1:] != owner[:-1]] if len(owner) else np.empty(0, bool)
    out[owner[keep]] = xy[keep]
    return out


@lru_cache(maxsize=64)
def _unit_disc(stop: int) -> tuple[np.ndarray, np.ndarray]:
    """SAMPLES fixed offsets in the unit disc for the stop at position ``stop`` in its track."""
    rng = np.random.default_rng([20240716, stop])
    r = np.sqrt(rng.random(SAMPLES))
    azimuth = rng.random(SAMPLES) * 360.0
    return r, azimuth


def _length_ranges(v: dict[str, np.ndarray], seg: dict[str, np.ndarray], n: int,
                   chunk: int = 640) -> tuple[np.ndarray, np.ndarray]:
    """min-max of the stop-to-stop geodesic length when each stop moves within its radius.

    The stops are the vertices with ``stop_index >= 0``; their ``unc`` is the
    stop's radius.  Each stop is moved by :data:`SAMPLES` fixed offsets in the
    conformal plane (an offset of u km on the ground is u·k there, k the local
    scale factor; directions are uniform, so the grid's rotation does not
    matter), and each moved leg is measured in the plane and scaled by its
    unmoved leg's ratio of length along the track (geodesic) to planar chord:
    within 0.1% of moving the stops on the ellipsoid, and ~20x faster.

    Tracks with the same number of stops are worked together, in cache-sized
    chunks, as (tracks, legs, samples) arrays in single precision (offsets are
    at most tens of km, so float32 keeps them to a few millimetres); each
    track's legs are summed in their own order, whatever else is in the chunk.
    """
    lo_out = np.full(n, np.nan)
    hi_out = np.full(n, np.nan)
    at = np.flatnonzero(v["stop_index"] >= 0)
    if len(at) == 0:
        return lo_out, hi_out
    owner, position = v["track"][at], v["stop_index"][at]
    lon, lat, unc = v["lon"][at], v["lat"][at], v["unc"][at]
    x, y = to_plane(lon, lat)
    same = owner[1:] == owner[:-1]
    # Each leg's length along the track (its segments are geodesic pieces), from the segments.
    metres = np.zeros(len(at) - 1)
    legs = np.flatnonzero(same)
    metres[legs] = _sums_between(seg["km"], seg["a"], at[legs], at[legs + 1]) * 1000.0
    planar = np.hypot(np.diff(x), np.diff(y))
    ratio = np.where(same & (planar > 0), metres / np.where(planar > 0, planar, 1.0), 1.0)
    # Per stop: reach in the plane; per leg (from that stop to the next): vector and scale.
    unit_x, unit_y = _unit_offsets(int(position.max()) + 1)
    reach = (unc * 1000.0 * _scale_factor(lat)).astype(np.float32)
    dx, dy = np.diff(x).astype(np.float32), np.diff(y).astype(np.float32)
    weight = (ratio / 1000.0).astype(np.float32)
    starts = _runs(owner)
    counts = np.diff(np.r_[starts, len(at)])
    for count in np.unique(counts).tolist():
        group = np.flatnonzero(counts == count)
        if count == 1:  # a single stop: no leg to move
            lo_out[owner[starts[group]]] = hi_out[owner[starts[group]]] = 0.0
            continue
        stops = starts[group][:, None] + np.arange(count)  # (tracks, stops)
        step = max(1, chunk // count)
        for t0 in range(0, len(group), step):
            s = stops[t0:t0 + step]
            k = s[:, :-1]  # each leg, by the index of its first stop
            off_x = unit_x[position[s]] * reach[s][..., None]
            off_y = unit_y[position[s]] * reach[s][..., None]
            leg_x = np.subtract(off_x[:, 1:], off_x[:, :-1])
            leg_x += dx[k][..., None]
            leg_y = np.subtract(off_y[:, 1:], off_y[:, :-1])
            leg_y += dy[k][..., None]
            lengths = np.multiply(leg_x, leg_x, out=leg_x)
            lengths += np.multiply(leg_y, leg_y, out=leg_y)
            np.sqrt(lengths, out=lengths)
            lengths *= weight[k][..., None]
            totals = lengths.sum(axis=1)  # (tracks, samples): legs added one after another
            rows = owner[s[:, 0]]
            lo_out[rows] = totals.min(axis=1)
            hi_out[rows] = totals.max(axis=1)
    return lo_out, hi_out


@lru_cache(maxsize=1)
def _scale_table() -> tuple[np.ndarray, np.ndarray]:
    lat = np.linspace(-89.0, 89.0, 178 * 100 + 1)
    return lat, np.asarray(_LCC.get_factors(np.zeros_like(lat), lat).meridional_scale)


def _scale_factor(lat: np.ndarray) -> np.ndarray:
    """LCC_EUROPE's scale factor at each latitude.

    A Lambert conformal conic's scale depends on latitude only, and smoothly:
    interpolated from a table every 0.01° it is within 2e-8 of pyproj's value.
    """
    table_lat, table_k = _scale_table()
    return np.interp(lat, table_lat, table_k)


@lru_cache(maxsize=8)
def _unit_offsets(positions: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions, SAMPLES) float32 east and north components of the unit-disc offsets."""
    r = np.stack([_unit_disc(p)[0] for p in range(positions)])
    azimuth = np.radians(np.stack([_unit_disc(p)[1] for p in range(positions)]))
    return (r * np.sin(azimuth)).astype(np.float32), (r * np.cos(azimuth)).astype(np.float32)


def analyse(tracks: gpd.GeoDataFrame) -> pd.DataFrame:
    """Measure every track against the borders; one row of figures per track.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        As returned by :func:`geo.tracks.build_tracks`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FIGURE_COLUMNS`: lengths in km (``length_km`` and its
        ``(min, max)`` range, by leg status), ``crossings`` (list of dicts:
        ``from``, ``to``, ``lon``, ``lat``, ``t_min``, ``time``,
        ``time_estimated``), ``depth_km`` past the border with the origin
        country and its range, the ``deepest_point`` (with the nearest border
        point, for drawing the perpendicular), ``depth_any_km`` from the
        country's whole boundary, km and minutes inside the country and each
        region (in order of entry), implied speeds, and ``checks`` of every
        reported figure (``ok`` / ``warn`` / ``n/a`` with a sentence).

    Notes
    -----
    Rows never depend on each other, so a large archive is measured in
    partitions of whole tracks (about :data:`PARTITION_VERTICES` vertices
    each): the arrays of a partition stay small enough for the processor's
    caches, and the result is the same as measuring all at once.
    """
    tracks = tracks.reset_index(drop=True)
    vertices = np.cumsum(shapely.get_num_coordinates(tracks.geometry.to_numpy()))
    with _cyclic_gc_paused():
        if len(vertices) and vertices[-1] > PARTITION_VERTICES:
            cuts = np.unique(np.searchsorted(vertices, np.arange(PARTITION_VERTICES, vertices[-1],
                                                                 PARTITION_VERTICES)))
            bounds = [0, *(cuts + 1).tolist(), len(tracks)]
            return pd.concat([_analyse(tracks.iloc[a:b].reset_index(drop=True))
                              for a, b in zip(bounds[:-1], bounds[1:]) if b > a], ignore_index=True)
        return _analyse(tracks)


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Pause CPython's cyclic garbage collector, restoring its previous state after.

    :func:`analyse` builds millions of small dicts and lists (the per-track
    crossings, regions, speeds and checks), none of them in a reference cycle,
    so the collector has nothing to find; left running, it rescans the whole
    heap (the tracks' own millions of objects included) every few hundred
    thousand allocations, which made 100,000 tracks about 20% slower per track
    than 10,000.  Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Vertices measured at a time (see :func:`analyse`).
PARTITION_VERTICES = 200_000


def _analyse(tracks: gpd.GeoDataFrame) -> pd.DataFrame:
    """:func:`analyse` on one partition (index 0..n-1)."""
    n = len(tracks)
    out: dict[str, Any] = {"id": list(tracks["id"]), "placed": list(tracks["placed"].astype(bool))}
    for col in ("length_km", "depth_km", "depth_any_km", "depth_with_presumed_km", "inside_km", "inside_minutes",
                "duration_minutes"):
        out[col] = np.full(n, np.nan)
    for col in ("length_km_range", "depth_km_range"):
        out[col] = [(np.nan, np.nan)] * n
    out["length_by_status_km"] = [{} for _ in range(n)]
    out["inside_minutes_estimated"] = np.ones(n, bool)
    out["deepest_point"] = [None] * n
    for col in ("crossings", "regions", "speeds"):
        out[col] = [[] for _ in range(n)]
    legs = TimedLegs.empty()
    if tracks["placed"].to_numpy(bool).any():
        legs = _measure(tracks, out)
    out["checks"] = all_checks(tracks, out, legs)
    return pd.DataFrame(out, columns=list(FIGURE_COLUMNS))


# ----------------------------------------------------------------------------- per-track reductions
#
# Vertices and segments are stored track after track, so a per-track figure is a
# reduction over contiguous runs: each track's result involves its own values
# only (in their own order), never its neighbours'.


def _runs(groups: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in ``groups`` (sorted)."""
    return np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else np.empty(0, np.int64)


def _group_max(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Per-group maximum of ``values`` (NaN ignored) over sorted ``groups``; NaN where a group has none."""
    out = np.full(n, -np.inf)
    if len(values):
        starts = _runs(groups)
        out[groups[starts]] = np.maximum.reduceat(np.where(np.isnan(values), -np.inf, values), starts)
    out[out == -np.inf] = np.nan
    return out


def _group_min(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Per-group minimum, as :func:`_group_max`."""
    return -_group_max(-values, groups, n)


def _first_where(mask: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Per group, the first index where ``mask`` holds (-1 where it never does)."""
    at = np.flatnonzero(mask)
    out = np.full(n, -1)
    keep = _runs(groups[at])
    out[groups[at[keep]]] = at[keep]
    return out


def _reaches(lower: np.ndarray, upper: np.ndarray, keep: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Which kept values could be their group's maximum, given bounds of each value."""
    best = _group_max(np.where(keep, lower, np.nan), groups, int(groups.max()) + 1 if len(groups) else 0)
    return keep & (upper >= best[groups])


# ----------------------------------------------------------------------------- measuring

#: Below this many points an exact search of them all is cheaper than building
#: the distance raster that prunes it (about 0.2-0.8 s per border, once per process).
EXACT_ALL_BELOW = 2_000


def _deepest_candidates(lon, lat, country: str, neighbour: str | None, groups: np.ndarray,
                        unc: np.ndarray | None, firm: np.ndarray) -> np.ndarray:
    """Which points could give their track's maximum distance (or distance ± unc) to the border.

    Every point, when there are few; otherwise those whose upper bound (from
    :func:`geo.borders.distance_bounds_km`) reaches the best lower bound of
    their track, among the ``firm`` points and among all points.
    """
    if len(lon) < EXACT_ALL_BELOW:
        return np.ones(len(lon), bool)
    lower, upper = borders.distance_bounds_km(lon, lat, country, neighbour=neighbour)
    need = _reaches(lower, upper, firm, groups) | _reaches(lower, upper, np.ones(len(lon), bool), groups)
    if unc is not None:
        need |= _reaches(lower + unc, upper + unc, firm, groups) | _reaches(lower - unc, upper - unc, firm, groups)
    return need


def _measure(tracks: gpd.GeoDataFrame, out: dict[str, Any]) -> TimedLegs:
    """Fill ``out`` for the placed tracks; return the legs between reported times (for the checks)."""
    n = len(tracks)
    v = _vertices(tracks)
    seg = _segments(v, tracks)
    km, strack, g = seg["km"], seg["track"], v["track"]
    lon, lat = v["lon"], v["lat"]
    nv = len(lon)

    # Length, by leg status, and its range.
    length = np.bincount(strack, weights=km, minlength=n)
    by_status = {s: np.bincount(strack, weights=km * (seg["status"] == s), minlength=n)
                 for s in ("reported", "presumed", "estimated")}
    range_lo, range_hi = _length_ranges(v, seg, n)

    # Countries and crossings.
    country = borders.country_at(lon, lat)
    filled = _fill_no_country(country, g)
    changes, ca, cb, xpt, frac = _crossings(v, seg, filled)
    t_a, t_b = v["t"][seg["a"]], v["t"][seg["b"]]
    t_cross = t_a[changes] + frac * (t_b[changes] - t_a[changes])
    est_a = v["time_source"][seg["a"]] == "estimated"
    est_b = v["time_source"][seg["b"]] == "estimated"

    # Inside the target country: split crossing segments at the crossing point.
    country_col, origin_col = tracks["country"].to_numpy(object), tracks["origin"].to_numpy(object)
    target = country_col[strack]
    inside_a = filled[seg["a"]] == target
    inside_b = filled[seg["b"]] == target
    weight = (inside_a & inside_b).astype(float)
    weight[changes] = np.where(inside_a[changes], frac, 0.0) + np.where(inside_b[changes], 1.0 - frac, 0.0)
    dt_min = t_b - t_a
    inside_km = np.bincount(strack, weights=km * weight, minlength=n)
    inside_min = np.bincount(strack, weights=dt_min * weight, minlength=n)
    inside_est = np.bincount(strack, weights=((est_a | est_b) & (weight > 0)).astype(float), minlength=n) > 0

    # Regions by segment midpoint, in order of entry.
    region = borders.region_at((lon[seg["a"]] + lon[seg["b"]]) / 2, (lat[seg["a"]] + lat[seg["b"]]) / 2)
    r_track, r_region, r_km, r_min = _regions(strack, region, km, dt_min)

    # Depth past the border with the origin country, over vertices inside the target country.
    # A vertex counts unless every leg it lies on is presumed; those count only for
    # depth_with_presumed_km ("presumably flew to Vitebsk" is not a position).
    inside_v = country == country_col[g]
    presumed = seg["status"] == "presumed"
    on_presumed = np.zeros(nv, bool)
    on_firm = np.zeros(nv, bool)
    for ends in (seg["a"], seg["b"]):
        on_presumed[ends[presumed]] = True
        on_firm[ends[~presumed]] = True
    firm = on_firm | ~on_presumed
    unc = v["depth_unc"]
    depth = np.full(nv, np.nan)
    foot = np.full((nv, 2), np.nan)
    entered = np.bincount(g, weights=inside_v, minlength=n) > 0
    for c, o in sorted(set(zip(country_col[entered], origin_col[entered]))):  # a handful of pairs
        mask = np.flatnonzero(inside_v & ((country_col == c) & (origin_col == o))[g])
        neighbour = o if borders.shares_border(c, o) else None
        idx = mask[_deepest_candidates(lon[mask], lat[mask], c, neighbour, g[mask], unc[mask], firm[mask])]
        foot[idx, 0], foot[idx, 1], depth[idx] = borders.nearest_border_point(lon[idx], lat[idx], c,
                                                                               neighbour=neighbour)
    firm_depth = np.where(inside_v & firm, depth, np.nan)
    depth_max = _group_max(firm_depth, g, n)
    depth_lo = np.clip(_group_max(firm_depth - unc, g, n), 0.0, None)
    depth_hi = _group_max(firm_depth + unc, g, n)
    with_presumed = _group_max(np.where(inside_v, depth, np.nan), g, n)
    deepest = _first_where(firm_depth == depth_max[g], g, n)

    # Depth from any border of the country, over the same vertices.
    depth_any = np.full(nv, np.nan)
    rows = np.flatnonzero(inside_v & firm)
    for c in sorted(set(country_col[entered])):  # a handful of countries
        sub = rows[country_col[g[rows]] == c]
        sub = sub[_deepest_candidates(lon[sub], lat[sub], c, None, g[sub], None, np.ones(len(sub), bool))]
        depth_any[sub] = borders.distance_to_border_km(lon[sub], lat[sub], c)
    any_max = _group_max(depth_any[rows], g[rows], n)

    # Durations, and speeds between consecutive stops whose times were reported.
    starts = _runs(g)
    ends = np.r_[starts[1:], nv] - 1
    timed = np.flatnonzero((v["stop_index"] >= 0) & (v["time_source"] == "reported"))
    pair = np.flatnonzero(g[timed[1:]] == g[timed[:-1]])
    s1, s2 = timed[pair], timed[pair + 1]
    leg_km = _sums_between(km, seg["a"], s1, s2)
    leg_min = v["t"][s2] - v["t"][s1]

    # The per-track objects: flat lists built in one pass each, then sliced per track.
    placed = np.flatnonzero(tracks["placed"].to_numpy(bool))
    t0 = _start_times(tracks)
    out["length_km"][placed] = length[placed]
    out["inside_km"][placed] = inside_km[placed]
    out["inside_minutes"][placed] = inside_min[placed]
    out["inside_minutes_estimated"][placed] = inside_est[placed]
    out["duration_minutes"][g[starts]] = v["t"][ends] - v["t"][starts]
    rounded = {s: np.round(by_status[s], 1).tolist() for s in by_status}
    for row in placed.tolist():
        out["length_by_status_km"][row] = {s: rounded[s][row] for s in rounded}
        out["length_km_range"][row] = (float(range_lo[row]), float(range_hi[row]))

    crossings = [
        {"from": str(f), "to": str(t), "lon": x, "lat": y, "t_min": tm, "time": clock, "time_estimated": e}
        for f, t, x, y, tm, clock, e in zip(
            ca, cb, _rounded(xpt[:, 0], 5), _rounded(xpt[:, 1], 5), _rounded(t_cross, 1),
            _clocks(t0, strack[changes], t_cross), (est_a[changes] | est_b[changes]).tolist())
    ]
    _split_into(out["crossings"], crossings, strack[changes])

    names = dict(zip(borders.regions()["region_id"], borders.regions()["name"]))
    regions = [{"region_id": r, "name": str(names.get(r, r)), "km": k, "minutes": m}
               for r, k, m in zip(r_region, np.round(r_km, 1).tolist(), np.round(r_min, 1).tolist())]
    _split_into(out["regions"], regions, r_track)

    has_deep = np.flatnonzero(np.isfinite(depth_max))
    out["depth_km"][has_deep] = depth_max[has_deep]
    out["depth_any_km"][has_deep] = any_max[has_deep]
    out["depth_with_presumed_km"][has_deep] = with_presumed[has_deep]
    i_deep = deepest[has_deep]
    for row, x, y, bx, by, tm, clock in zip(
            has_deep.tolist(), _rounded(lon[i_deep], 5), _rounded(lat[i_deep], 5), _rounded(foot[i_deep, 0], 5),
            _rounded(foot[i_deep, 1], 5), _rounded(v["t"][i_deep], 1), _clocks(t0, has_deep, v["t"][i_deep])):
        out["depth_km_range"][row] = (float(depth_lo[row]), float(depth_hi[row]))
        out["deepest_point"][row] = {"lon": x, "lat": y, "border_lon": bx, "border_lat": by, "t_min": tm,
                                     "time": clock}

    labels = _stop_labels(tracks, placed)
    leg_track = g[s1]
    label_at = labels["offset"][leg_track]
    from_label = labels["label"][label_at + v["stop_index"][s1]]
    to_label = labels["label"][label_at + v["stop_index"][s2]]
    km_r, min_r = np.round(leg_km, 1), np.round(leg_min, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        kmh_r = np.where(leg_min > 0, np.round(leg_km / leg_min * 60.0, 1), np.nan)
    speeds = [{"from": f, "to": t, "km": k, "minutes": m, "kmh": None if h != h else h}
              for f, t, k, m, h in zip(from_label.tolist(), to_label.tolist(), km_r.tolist(), min_r.tolist(),
                                       kmh_r.tolist())]
    _split_into(out["speeds"], speeds, leg_track)
    return TimedLegs(leg_track, from_label, to_label, km_r, min_r, kmh_r)


def _rounded(values: np.ndarray, digits: int) -> list[float]:
    """Python floats rounded as :func:`round` does.

    ``np.round`` agrees with :func:`round` except next to a decimal tie (where
    ``x * 10**digits`` is itself rounded); those few are left to :func:`round`.
    """
    out = np.round(values, digits).tolist()
    scaled = np.asarray(values, dtype=float) * 10.0 ** digits
    for i in np.flatnonzero(np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6).tolist():
        out[i] = round(float(values[i]), digits)
    return out


def _sums_between(km: np.ndarray, seg_start: np.ndarray, v1: np.ndarray, v2: np.ndarray) -> np.ndarray:
    """Length along the track between vertices ``v1`` and ``v2`` (same track, ``v1 < v2``).

    Summed from ``v1``'s own segment on, so the result does not depend on other tracks.
    """
    if len(v1) == 0:
        return np.empty(0)
    j1, j2 = np.searchsorted(seg_start, v1), np.searchsorted(seg_start, v2)
    bounds = np.empty(2 * len(j1), np.int64)
    bounds[0::2], bounds[1::2] = j1, j2
    return np.add.reduceat(np.r_[km, 0.0], bounds)[0::2]


def _regions(strack: np.ndarray, region: np.ndarray, km: np.ndarray, minutes: np.ndarray):
    """Per track and region: km and minutes, regions in order of entry (tracks in order)."""
    where = np.flatnonzero(region != "")
    if len(where) == 0:
        return np.empty(0, np.int64), [], np.empty(0), np.empty(0)
    codes, names = pd.factorize(region[where])
    key = strack[where] * len(names) + codes
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    sums_km = np.bincount(inverse, weights=km[where])
    sums_min = np.bincount(inverse, weights=minutes[where])
    order = np.argsort(first, kind="stable")  # by first segment: tracks in order, regions by entry
    return (strack[where][first[order]], names[codes[first[order]]].tolist(), sums_km[order], sums_min[order])


def _split_into(target: list[list], items: list, owners: np.ndarray) -> None:
    """Put consecutive runs of ``items`` (owned by sorted ``owners``) into ``target[owner]``."""
    starts = _runs(owners)
    for owner, lo, hi in zip(owners[starts].tolist(), starts.tolist(), np.r_[starts[1:], len(items)].tolist()):
        target[owner] = items[lo:hi]


def _stop_labels(tracks: gpd.GeoDataFrame, placed: np.ndarray) -> dict[str, np.ndarray]:
    """Every placed track's stop labels in one array, and where each track's begin."""
    stops = tracks["stops"].to_numpy()
    counts = np.zeros(len(tracks), np.int64)
    counts[placed] = [len(stops[r]) for r in placed.tolist()]
    label = np.array([s["label"] for r in placed.tolist() for s in stops[r]] or [""], dtype=object)
    return {"label": label, "offset": np.cumsum(counts) - counts}


@dataclass(frozen=True)
class _Clocks:
    """Each track's clock zero: wall-clock microseconds since 1970 in its zone, the zone, and whether it has one."""

    wall_us: np.ndarray
    zone: np.ndarray
    has: np.ndarray


def _start_times(tracks: gpd.GeoDataFrame) -> _Clocks:
    """The clock zero of every track whose clock is absolute (converted per time zone, vectorised)."""
    n = len(tracks)
    t0 = tracks["t0"].to_numpy(object)
    has = (tracks["clock"].to_numpy(object) == "absolute") & pd.notna(t0)
    rows = np.flatnonzero(has)
    wall = np.zeros(n, np.int64)
    zone = np.full(n, None, dtype=object)
    zone[rows] = [t.tzinfo for t in t0[rows]]
    for tz in pd.unique(zone[rows]):  # a handful of zones
        these = rows[zone[rows] == tz] if tz is not None else rows[pd.isna(zone[rows])]
        stamps = pd.DatetimeIndex(list(t0[these]))
        wall[these] = (stamps.tz_localize(None) if stamps.tz is not None else stamps).as_unit("us").asi8
    return _Clocks(wall, zone, has)


def _clocks(t0: _Clocks, owner: np.ndarray, minutes: np.ndarray) -> list[str | None]:
    """ISO times ``minutes`` after each owner's clock zero, to the nearest minute (reported times are no finer).

    None where the owner has no clock.  Wall-clock arithmetic in the zero's
    zone, as ``t0 + timedelta`` does; each distinct minute of each zone is
    formatted once.
    """
    out: list[str | None] = [None] * len(minutes)
    ok = np.flatnonzero(t0.has[owner] & np.isfinite(minutes)) if len(minutes) else np.empty(0, np.int64)
    if len(ok) == 0:
        return out
    at = (t0.wall_us[owner[ok]] + np.round(minutes[ok] * 60e6).astype(np.int64) + 30_000_000) // 60_000_000
    formatted: dict[tuple[Any, int], str] = {}
    for i, zone, minute in zip(ok.tolist(), t0.zone[owner[ok]].tolist(), at.tolist()):
        text = formatted.get((zone, minute))
        if text is None:
            text = (_EPOCH + dt.timedelta(minutes=minute)).replace(tzinfo=zone).isoformat()
            formatted[(zone, minute)] = text
        out[i] = text
    return out


_EPOCH = dt.datetime(1970, 1, 1)
