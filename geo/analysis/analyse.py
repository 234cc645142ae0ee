"""Measure tracks against borders: length, crossings, depth, time inside, speed, checks, warnings.

:func:`analyse` takes the GeoDataFrame of :func:`geo.tracks.build.build_tracks` and
returns one row of figures per track.  Every step works on all vertices of all
tracks at once (numpy, shapely and pyproj array calls); rows never depend on
each other, so the same function can run on partitions of a large archive.

How each figure is measured
---------------------------
* **Lengths** are geodesic (WGS84) sums over the track's segments, split by leg
  status.  A segment is the straight lon/lat line between two vertices, as
  shapely and the map draw it.
* **Crossings** come from the geometry (:mod:`geo.analysis.crossings`): every segment
  is cut at every point where it meets a country boundary, however far apart
  its vertices, and each piece is labelled with the country it lies in.  A
  crossing is a change of country along the track, in flight order; a
  no-country strip along a river between A and B is skipped (one crossing
  A→B, at the point where B begins), and dipping into a strip and back is
  none.  Its time is interpolated along its segment; its ``time_source`` is
  the weaker of the segment's two ends.
* **Length and time inside** the country are sums over its pieces, so they
  are split exactly at every crossing.  **Regions** are assigned by each
  piece's midpoint (pieces are at most a segment long, 2 km on built tracks;
  Natural Earth's interior lines are no more precise than that).
* **Depth** (:mod:`geo.analysis.depth`) is the largest geodesic distance from the
  border the track first crossed into the country (``depth_from``: the
  country it came from; with no entry crossing, the stated origin; with
  neither sharing a border, the whole boundary), over the continuous track
  inside the country, not only its vertices: within
  :data:`geo.analysis.depth.TOLERANCE_KM` below the true maximum.  Presumed legs count
  only for ``depth_with_presumed_km``.  ``depth_origin_km`` is the same
  measured from the stated origin's border; ``depth_any_km`` from the
  country's whole boundary.
* **Uncertainty**: the length range comes from moving every stop within its
  radius (a fixed set of :data:`SAMPLES` deterministic offsets per stop, the
  same for every track, so results do not depend on which other tracks are
  analysed): an interval, not a bound.  The depth range is a **bound**: every
  point of the real track is within the depth uncertainty ``u`` (interpolated
  along each segment) of a point of the drawn one, and distance to a line
  changes by at most as much as the point moves, so
  ``max(d - u) <= depth <= max(d + u)`` with both maxima over the continuous
  track (each found as the depth is).
* **Warnings** (:mod:`geo.analysis.borderwarnings`): the track never enters the
  country, enters it from another country than the stated origin, or runs
  along a border for a long stretch (the crossings there are then qualified).

How it stays fast
-----------------
Exact nearest-border searches are the costly step, and only the pieces that
can hold a track's deepest point need them: a distance raster of the border
(:mod:`geo.reference.distancefield`) bounds every piece, and only pieces whose bound
reaches their track's best lower bound are searched, then cut finer only
where a deeper point could hide (the answer is the same;
``tests/test_analyse.py`` checks it).  A raster of all boundaries rules out
the segments that cannot meet one before the exact intersections, and
point-in-polygon answers come from a label raster wherever no boundary is
near (:mod:`geo.reference.labelgrid`).  Per-track figures are reductions over each
track's contiguous run of pieces (:mod:`geo.analysis.runs`); the per-track lists of
dicts are built flat and sliced (``benchmarks/bench_analyse.py``).  The two
figures that need nothing else (the length ranges and the depth from the
whole boundary, about a fifth of the work, in numpy and GEOS calls that
release the GIL) run on a second thread while the rest is measured, and the
vertices are projected to the conformal plane once for every lookup after.
"""

from __future__ import annotations

import contextlib
import gc
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.reference import borders
from geo.analysis.borderwarnings import along_border, along_border_warning, entered_from_other, never_entered, on_stretch
from geo.analysis.checks import TimedLegs, all_checks
from geo.analysis.clocks import Clocks, clocks, rounded, start_times
from geo.analysis.crossings import Pieces, cut_segments, find_crossings
from geo.analysis.depth import Path, any_border_depths, track_depths
from geo.analysis.lengthrange import SAMPLES, length_ranges
from geo.reference.projection import GEOD, to_plane
from geo.analysis.runs import first_where, runs, split_into, sums_between
from geo.tracks.timing import source_rank

__all__ = ["FIGURE_COLUMNS", "SAMPLES", "analyse"]

#: Columns of the table :func:`analyse` returns.
FIGURE_COLUMNS = (
    "id", "placed", "length_km", "length_km_range", "length_by_status_km",
    "crossings", "depth_km", "depth_km_range", "depth_from", "depth_origin_km", "deepest_point", "depth_any_km",
    "depth_with_presumed_km", "inside_km", "inside_minutes", "inside_minutes_estimated", "regions",
    "duration_minutes", "speeds", "checks", "warnings",
)


def analyse(tracks: gpd.GeoDataFrame) -> pd.DataFrame:
    """Measure every track against the borders; one row of figures per track.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        As returned by :func:`geo.tracks.build.build_tracks`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FIGURE_COLUMNS` (see the module docstring for how each
        is measured):

        * ``length_km``, its ``(min, max)`` ``length_km_range`` and
          ``length_by_status_km``;
        * ``crossings``: list of dicts in flight order, ``from``, ``to``
          (alpha-2), ``lon``, ``lat``, ``t_min``, ``time`` (ISO, or None
          without a clock), ``time_estimated`` (either end of its segment has
          an estimated time), ``time_source`` (the weaker of the two ends'
          sources) and ``along_border`` (it lies on an ``along_border``
          stretch, so it is an artefact of the drawing);
        * ``depth_km`` past the border ``depth_from`` (alpha-2 code of the
          country whose border it is measured from, None for the whole
          boundary) and its ``depth_km_range`` (a bound), ``depth_origin_km``
          (the same from the stated origin's border: equal to ``depth_km``
          unless the track entered from elsewhere), the ``deepest_point``
          (with its nearest border point, for drawing the perpendicular),
          ``depth_any_km`` from the country's whole boundary and
          ``depth_with_presumed_km`` counting presumed legs too;
        * km and minutes inside the country and each region (in order of
          entry), implied speeds between reported times, ``checks`` of every
          reported figure (:mod:`geo.analysis.checks`);
        * ``warnings``: list of dicts, ``warning`` (``never_entered``,
          ``entered_from_other``, ``along_border``), ``sentence`` in plain
          words with the numbers, and those figures
          (:mod:`geo.analysis.borderwarnings`).

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
#: Threads for the steps that need only the pieces (see :func:`_measure_with`).
ASIDE_THREADS = 2


def _analyse(tracks: gpd.GeoDataFrame) -> pd.DataFrame:
    """:func:`analyse` on one partition (index 0..n-1)."""
    n = len(tracks)
    out: dict[str, Any] = {"id": list(tracks["id"]), "placed": list(tracks["placed"].astype(bool))}
    for col in ("length_km", "depth_km", "depth_origin_km", "depth_any_km", "depth_with_presumed_km", "inside_km",
                "inside_minutes", "duration_minutes"):
        out[col] = np.full(n, np.nan)
    for col in ("length_km_range", "depth_km_range"):
        out[col] = [(np.nan, np.nan)] * n
    out["length_by_status_km"] = [{} for _ in range(n)]
    out["inside_minutes_estimated"] = np.full(n, None, dtype=object)  # nothing measured for an unplaced track
    out["deepest_point"] = [None] * n
    out["depth_from"] = [None] * n
    for col in ("crossings", "regions", "speeds", "warnings"):
        out[col] = [[] for _ in range(n)]
    legs = TimedLegs.empty()
    if tracks["placed"].to_numpy(bool).any():
        legs = _measure(tracks, out)
    out["checks"] = all_checks(tracks, out, legs)
    out["depth_from"] = pd.Series(out["depth_from"], dtype=object)  # None stays None (not a missing string)
    return pd.DataFrame(out, columns=list(FIGURE_COLUMNS))


# ----------------------------------------------------------------------------- vertices, segments, pieces


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

    x, y = to_plane(coords[:, 0], coords[:, 1])  # once, for every distance lookup after
    return {
        "track": track,
        "lon": coords[:, 0],
        "lat": coords[:, 1],
        "x": np.asarray(x, dtype=float),
        "y": np.asarray(y, dtype=float),
        "t": concat("t_min"),
        "unc": concat("unc_km"),
        "depth_unc": concat("depth_unc_km"),
        "time_source": concat("time_source", object),
        "stop_index": concat("stop_index", int),
    }


def _segments(v: dict[str, np.ndarray], tracks: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """Every segment of every placed track: its vertices, geodesic km, leg status, whether a time is estimated."""
    same = v["track"][1:] == v["track"][:-1]
    a = np.flatnonzero(same)
    b = a + 1
    _, _, metres = GEOD.inv(v["lon"][a], v["lat"][a], v["lon"][b], v["lat"][b])
    placed = tracks["placed"].to_numpy(bool)
    status = np.concatenate(tracks["seg_status"].to_numpy()[placed]) if placed.any() else np.empty(0, object)
    estimated = v["time_source"] == "estimated"
    return {"a": a, "b": b, "km": np.asarray(metres) / 1000.0, "status": status, "track": v["track"][a],
            "estimated": estimated[a] | estimated[b]}


def _weaker(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The weaker of two time sources (:func:`geo.tracks.timing.source_rank`)."""
    names = sorted(set(a.tolist()) | set(b.tolist()))
    ra = np.array([source_rank(s) for s in names])
    ia, ib = np.searchsorted(names, a), np.searchsorted(names, b)
    return np.where(ra[ib] > ra[ia], b, a)


# ----------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class _Cut:
    """What the figures are computed from: vertices, segments, the pieces cut at boundaries, clocks."""

    v: dict[str, np.ndarray]
    seg: dict[str, np.ndarray]
    pieces: Pieces
    minutes: np.ndarray
    inside: np.ndarray
    t0: Clocks

    def at(self, key: str, piece: np.ndarray, g: np.ndarray) -> np.ndarray:
        """A per-vertex quantity (``t``, ``depth_unc``) at fraction ``g`` of each piece's segment."""
        s = self.pieces.seg[piece]
        start, stop = self.v[key][self.seg["a"][s]], self.v[key][self.seg["b"][s]]
        return start + g * (stop - start)

    def clock_at(self, position: np.ndarray) -> list[str | None]:
        """Clock time at positions along the pieces (piece index + fraction along it)."""
        k = np.minimum(np.floor(position).astype(np.int64), len(self.pieces.km) - 1)
        g = self.pieces.g0[k] + (position - k) * (self.pieces.g1[k] - self.pieces.g0[k])
        return clocks(self.t0, self.pieces.track[k], self.at("t", k, g))


def _measure(tracks: gpd.GeoDataFrame, out: dict[str, Any]) -> TimedLegs:
    """Fill ``out`` for the placed tracks; return the legs between reported times (for the checks)."""
    with ThreadPoolExecutor(max_workers=ASIDE_THREADS, thread_name_prefix="geo-analyse") as aside:
        return _measure_with(tracks, out, aside)


def _measure_with(tracks: gpd.GeoDataFrame, out: dict[str, Any], aside: ThreadPoolExecutor) -> TimedLegs:
    """:func:`_measure`, with the steps that need only the pieces run on the threads ``aside``.

    The length ranges, the stretches along a border and the depth from the
    whole boundary (about half of the work, mostly numpy, pyproj and GEOS
    calls, which release the GIL) run there while this thread builds the other
    figures; each is a pure function of its arguments, so the result is the
    same as running them in turn.
    """
    n = len(tracks)
    v = _vertices(tracks)
    seg = _segments(v, tracks)
    placed = np.flatnonzero(tracks["placed"].to_numpy(bool))
    ranges = aside.submit(length_ranges, v, seg, n)
    pieces = cut_segments(v["lon"], v["lat"], seg["a"], seg["b"], seg["km"], seg["track"], (v["x"], v["y"]))
    country = tracks["country"].to_numpy(object)
    cut = _Cut(v, seg, pieces, (v["t"][seg["b"]] - v["t"][seg["a"]])[pieces.seg] * (pieces.g1 - pieces.g0),
               pieces.country == country[pieces.track], start_times(tracks))
    path = Path(pieces.lon0, pieces.lat0, pieces.lon1, pieces.lat1, pieces.km, pieces.track, pieces.x0, pieces.y0,
                pieces.x1, pieces.y1)
    firm = seg["status"][pieces.seg] != "presumed"
    stretches = aside.submit(along_border, pieces)
    any_border = aside.submit(any_border_depths, path, cut.inside, firm, country)
    out["inside_km"][placed] = np.bincount(pieces.track, weights=pieces.km * cut.inside, minlength=n)[placed]
    out["inside_minutes"][placed] = np.bincount(pieces.track, weights=cut.minutes * cut.inside, minlength=n)[placed]
    estimated = np.bincount(pieces.track, weights=seg["estimated"][pieces.seg] & cut.inside, minlength=n) > 0
    out["inside_minutes_estimated"][placed] = estimated[placed]
    _region_figures(pieces, cut.minutes, out)
    piece, came_from, entered = find_crossings(pieces)
    entry = first_where(entered == country[pieces.track[piece]], pieces.track[piece], n)
    entered_from = np.full(n, "", dtype=object)
    entered_from[entry >= 0] = came_from[entry[entry >= 0]]
    every = np.arange(len(pieces.km))
    depths = track_depths(path, cut.inside, firm, cut.at("depth_unc", every, pieces.g0),
                          cut.at("depth_unc", every, pieces.g1), country, tracks["origin"].to_numpy(object),
                          entered_from, with_any_border=False)
    legs = _speed_figures(tracks, v, seg, placed, out)
    crossing = _crossing_figures(cut, (piece, came_from, entered), stretches.result(), out)
    _warnings(tracks, cut, depths, crossing, entry, stretches.result(), out)
    _lengths(v, seg, n, placed, out, ranges.result())
    _depth_figures(cut, replace(depths, any_border=any_border.result()), out)
    return legs


@dataclass(frozen=True)
class _Crossings:
    """All tracks' crossings (flat, in flight order): piece where the new country begins, codes, records."""

    piece: np.ndarray
    track: np.ndarray
    came_from: np.ndarray
    entered: np.ndarray
    records: list[dict[str, Any]]
    stretch: np.ndarray


def _crossing_figures(cut: _Cut, found: tuple[np.ndarray, np.ndarray, np.ndarray], stretches,
                      out: dict[str, Any]) -> _Crossings:
    """Each track's crossings (``found`` by :func:`geo.analysis.crossings.find_crossings`), as dicts, in flight order."""
    pieces, v, seg = cut.pieces, cut.v, cut.seg
    piece, came_from, entered = found
    s = pieces.seg[piece]
    t = cut.at("t", piece, pieces.g0[piece])
    stretch = on_stretch(stretches, pieces.track[piece], piece.astype(float))
    source = _weaker(v["time_source"][seg["a"][s]], v["time_source"][seg["b"][s]])
    records = [
        {"from": str(f), "to": str(e), "lon": x, "lat": y, "t_min": tm, "time": clock, "time_estimated": est,
         "time_source": str(src), "along_border": bool(on >= 0)}
        for f, e, x, y, tm, clock, est, src, on in zip(
            came_from, entered, rounded(pieces.lon0[piece], 5), rounded(pieces.lat0[piece], 5), rounded(t, 1),
            clocks(cut.t0, pieces.track[piece], t), seg["estimated"][s].tolist(), source.tolist(), stretch.tolist())
    ]
    split_into(out["crossings"], records, pieces.track[piece])
    return _Crossings(piece, pieces.track[piece], came_from, entered, records, stretch)


def _lengths(v: dict[str, np.ndarray], seg: dict[str, np.ndarray], n: int, placed: np.ndarray,
             out: dict[str, Any], ranges: tuple[np.ndarray, np.ndarray]) -> None:
    """Length, by leg status, its range (from :func:`geo.analysis.lengthrange.length_ranges`), each track's duration."""
    km, strack = seg["km"], seg["track"]
    length = np.bincount(strack, weights=km, minlength=n)
    by_status = {s: np.bincount(strack, weights=km * (seg["status"] == s), minlength=n)
                 for s in ("reported", "presumed", "estimated")}
    range_lo, range_hi = ranges
    out["length_km"][placed] = length[placed]
    starts = runs(v["track"])
    ends = np.r_[starts[1:], len(v["track"])] - 1
    out["duration_minutes"][v["track"][starts]] = v["t"][ends] - v["t"][starts]
    rounded_km = {s: np.round(by_status[s], 1).tolist() for s in by_status}
    for row in placed.tolist():
        out["length_by_status_km"][row] = {s: rounded_km[s][row] for s in rounded_km}
        out["length_km_range"][row] = (float(range_lo[row]), float(range_hi[row]))


def _region_figures(pieces: Pieces, minutes: np.ndarray, out: dict[str, Any]) -> None:
    """Km and minutes in each region, by piece midpoint, regions in order of entry."""
    region = borders.region_at(*pieces.midpoints())
    r_track, r_region, r_km, r_min = _regions(pieces.track, region, pieces.km, minutes)
    names = dict(zip(borders.regions()["region_id"], borders.regions()["name"]))
    regions = [{"region_id": r, "name": str(names.get(r, r)), "km": k, "minutes": m}
               for r, k, m in zip(r_region, np.round(r_km, 1).tolist(), np.round(r_min, 1).tolist())]
    split_into(out["regions"], regions, r_track)


def _regions(owner: np.ndarray, region: np.ndarray, km: np.ndarray, minutes: np.ndarray):
    """Per track and region: km and minutes, regions in order of entry (tracks in order)."""
    where = np.flatnonzero(region != "")
    if len(where) == 0:
        return np.empty(0, np.int64), [], np.empty(0), np.empty(0)
    codes, names = pd.factorize(region[where])
    key = owner[where] * len(names) + codes
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    sums_km = np.bincount(inverse, weights=km[where])
    sums_min = np.bincount(inverse, weights=minutes[where])
    order = np.argsort(first, kind="stable")  # by first piece: tracks in order, regions by entry
    return owner[where][first[order]], names[codes[first[order]]].tolist(), sums_km[order], sums_min[order]


def _depth_figures(cut: _Cut, depths, out: dict[str, Any]) -> None:
    """Depth, its bound, where it is reached, and the depths from the other borders."""
    has = np.flatnonzero(np.isfinite(depths.depth))
    point = depths.deepest
    out["depth_km"][has] = depths.depth[has]
    out["depth_origin_km"][has] = depths.origin[has]
    out["depth_any_km"][has] = depths.any_border[has]
    entered = np.flatnonzero(np.isfinite(depths.with_presumed))
    out["depth_with_presumed_km"][entered] = depths.with_presumed[entered]
    for row in entered.tolist():
        out["depth_from"][row] = depths.depth_from[row]
    piece = point.piece[has]
    pieces = cut.pieces
    t_deep = cut.at("t", piece, pieces.g0[piece] + point.u[has] * (pieces.g1[piece] - pieces.g0[piece]))
    for row, x, y, bx, by, tm, clock, lo, hi in zip(
            has.tolist(), rounded(point.lon[has], 5), rounded(point.lat[has], 5), rounded(point.foot_lon[has], 5),
            rounded(point.foot_lat[has], 5), rounded(t_deep, 1), clocks(cut.t0, has, t_deep),
            depths.low[has].tolist(), depths.high[has].tolist()):
        out["depth_km_range"][row] = (lo, hi)
        out["deepest_point"][row] = {"lon": x, "lat": y, "border_lon": bx, "border_lat": by, "t_min": tm,
                                     "time": clock}


def _warnings(tracks: gpd.GeoDataFrame, cut: _Cut, depths, crossing: _Crossings, entry: np.ndarray, stretches,
              out: dict[str, Any]) -> None:
    """Each track's warnings (:mod:`geo.analysis.borderwarnings`), in the order of their codes."""
    n, pieces = len(tracks), cut.pieces
    country, origin = tracks["country"].to_numpy(object), tracks["origin"].to_numpy(object)
    entered = np.bincount(pieces.track, weights=cut.inside, minlength=n) > 0
    never = np.flatnonzero(tracks["placed"].to_numpy(bool) & ~entered)
    closest = np.full(n, np.nan)
    geoms = tracks.geometry.to_numpy()
    for c in sorted(set(country[never].tolist())):  # a handful of countries
        rows = never[country[never] == c]
        closest[rows] = borders.closest_approach_km(geoms[rows], c)
    for row in never.tolist():
        visited = dict.fromkeys(c for c in pieces.country[pieces.track == row].tolist() if c)
        out["warnings"][row].append(never_entered(country[row], list(visited), closest[row]))
    for row in np.flatnonzero(entry >= 0).tolist():
        first = crossing.records[entry[row]]
        if first["from"] != origin[row]:
            stated = origin[row] if borders.shares_border(country[row], origin[row]) else None
            out["warnings"][row].append(entered_from_other(
                country[row], origin[row], first["from"], first, depths.depth_from[row], stated,
                depths.depth[row], depths.origin[row]))
    total = np.bincount(crossing.track, minlength=n)
    on = np.bincount(crossing.stretch[crossing.stretch >= 0], minlength=len(stretches.km))
    begin, end = cut.clock_at(stretches.start), cut.clock_at(stretches.stop)
    for s, row in enumerate(stretches.track.tolist()):
        out["warnings"][row].append(along_border_warning(stretches.km[s], stretches.border[s], int(on[s]),
                                                         int(total[row]), (begin[s], end[s])))


def _speed_figures(tracks: gpd.GeoDataFrame, v: dict[str, np.ndarray], seg: dict[str, np.ndarray],
                   placed: np.ndarray, out: dict[str, Any]) -> TimedLegs:
    """Speeds between consecutive stops whose times were reported (the legs the checks judge)."""
    g = v["track"]
    source = v["time_source"]
    stop = np.flatnonzero(v["stop_index"] >= 0)
    sources = pd.unique(source[stop])  # reported, or reported with a tolerance: a time the report gives
    timed = stop[np.isin(source[stop], [s for s in sources if str(s).startswith("reported")])]
    pair = np.flatnonzero(g[timed[1:]] == g[timed[:-1]])
    s1, s2 = timed[pair], timed[pair + 1]
    leg_km = sums_between(seg["km"], seg["a"], s1, s2)
    leg_min = v["t"][s2] - v["t"][s1]
    labels = _stop_labels(tracks, placed)
    leg_track = g[s1]
    label_at = labels["offset"][leg_track]
    from_label = labels["label"][label_at + v["stop_index"][s1]]
    to_label = labels["label"][label_at + v["stop_index"][s2]]
    approx = labels["approx"][label_at + v["stop_index"][s1]] + labels["approx"][label_at + v["stop_index"][s2]]
    km_r, min_r = np.round(leg_km, 1), np.round(leg_min, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        kmh_r = np.where(leg_min > 0, np.round(leg_km / leg_min * 60.0, 1), np.nan)
    speeds = [{"from": f, "to": t, "km": k, "minutes": m, "kmh": None if h != h else h}
              for f, t, k, m, h in zip(from_label.tolist(), to_label.tolist(), km_r.tolist(), min_r.tolist(),
                                       kmh_r.tolist())]
    split_into(out["speeds"], speeds, leg_track)
    return TimedLegs(leg_track, from_label, to_label, km_r, min_r, kmh_r, unc=v["unc"][s1] + v["unc"][s2],
                     approx_min=approx)


def _stop_labels(tracks: gpd.GeoDataFrame, placed: np.ndarray) -> dict[str, np.ndarray]:
    """Every placed track's stop labels and time tolerances (minutes, 0 if none), and where each track's begin."""
    stops = tracks["stops"].to_numpy()
    counts = np.zeros(len(tracks), np.int64)
    counts[placed] = [len(stops[r]) for r in placed.tolist()]
    rows = placed.tolist()
    # Two flat passes: one list of (label, tolerance) pairs unzipped with zip(*) took 10x longer (0.15 s / 200k stops).
    label = [s["label"] for r in rows for s in stops[r]] or [""]
    approx = [s.get("time_approx_min") for r in rows for s in stops[r]] or [None]
    return {"label": np.array(label, dtype=object), "approx": np.nan_to_num(np.array(approx, dtype=float)),
            "offset": np.cumsum(counts) - counts}
