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
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import borders
from pyproj import Proj

from .formatting import hours_minutes
from .projection import GEOD, LCC_EUROPE, to_plane

__all__ = ["SAMPLES", "analyse", "FIGURE_COLUMNS"]

_LCC = Proj(LCC_EUROPE)

#: The coarse depth bound measures to the border simplified by this much (m), in the
#: plane; its error is at most that plus the plane's scale error (< 2% in Europe).
COARSE_KM = 2.5
COARSE_REL = 0.02

#: Number of position samples per stop for the length range.
SAMPLES = 256
#: How much longer than the route through the named places a reported distance
#: may be before it is flagged (drones rarely fly straight between the places named).
DETOUR_ALLOWANCE = 1.35
#: Relative tolerance for an approximate reported figure ("about 60 km").
APPROX_TOLERANCE = 0.15

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
    series = pd.Series(np.where(codes == "", None, codes), dtype=object)
    by_track = series.groupby(track)
    return by_track.ffill().fillna(by_track.bfill()).fillna("").to_numpy(dtype=object)


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
    lines = shapely.linestrings(
        np.stack([np.column_stack([v["lon"][a[changes]], v["lat"][a[changes]]]),
                  np.column_stack([v["lon"][b[changes]], v["lat"][b[changes]]])], axis=1)
    )
    # The first point where the segment meets the entered country's boundary
    # (or, failing that, the boundary of the country left).
    first = np.full((len(changes), 2), np.nan)
    for codes in (cb, ca):
        todo = np.isnan(first[:, 0])
        for code in np.unique(codes[todo]):  # a handful of countries, each vectorised
            rows = np.flatnonzero(todo & (codes == code))
            first[rows] = _first_boundary_hits(lines[rows], v["lon"][a[changes[rows]]],
                                               v["lat"][a[changes[rows]]], code)
    missing = np.isnan(first[:, 0])  # no boundary hit (numerical): use the midpoint
    first[missing, 0] = (v["lon"][a[changes]][missing] + v["lon"][b[changes]][missing]) / 2
    first[missing, 1] = (v["lat"][a[changes]][missing] + v["lat"][b[changes]][missing]) / 2
    _, _, to_x = GEOD.inv(v["lon"][a[changes]], v["lat"][a[changes]], first[:, 0], first[:, 1])
    frac = np.clip(np.asarray(to_x) / 1000.0 / np.maximum(seg["km"][changes], 1e-12), 0, 1)
    return changes, ca, cb, first, frac


@lru_cache(maxsize=32)
def _boundary_segments(code: str, mtime: float) -> tuple[np.ndarray, shapely.STRtree]:
    """A country's boundary as two-point segments (lon/lat), with an STRtree."""
    frame = borders.countries()
    boundary = frame.geometry[frame["country"] == code].iloc[0].boundary
    coords, part = shapely.get_coordinates(shapely.get_parts(boundary), return_index=True)
    same = part[1:] == part[:-1]
    segments = shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
    return segments, shapely.STRtree(segments)


def _first_boundary_hits(lines: np.ndarray, lon0: np.ndarray, lat0: np.ndarray, code: str) -> np.ndarray:
    """For each line, the point where it first meets ``code``'s boundary (NaN if nowhere).

    Intersecting with the boundary's two-point segments found by an STRtree is
    ~30x faster than intersecting with the whole 10,000-vertex boundary.
    """
    from .datafiles import COUNTRIES, data_path

    segments, tree = _boundary_segments(code, data_path(COUNTRIES).stat().st_mtime)
    out = np.full((len(lines), 2), np.nan)
    line_idx, seg_idx = tree.query(lines, predicate="intersects")
    if len(line_idx) == 0:
        return out
    hits = shapely.intersection(lines[line_idx], segments[seg_idx])
    xy, owner = shapely.get_coordinates(hits, return_index=True)
    owner = line_idx[owner]
    dist = np.hypot(xy[:, 0] - lon0[owner], xy[:, 1] - lat0[owner])  # ranking only: nearest to the start
    order = np.lexsort((dist, owner))
    owner, xy = owner[order], xy[order]
    keep = np.r_[True, owner[1:] != owner[:-1]]
    out[owner[keep]] = xy[keep]
    return out


@lru_cache(maxsize=64)
def _unit_disc(stop: int) -> tuple[np.ndarray, np.ndarray]:
    """SAMPLES fixed offsets in the unit disc for the stop at position ``stop`` in its track."""
    rng = np.random.default_rng([20240716, stop])
    r = np.sqrt(rng.random(SAMPLES))
    azimuth = rng.random(SAMPLES) * 360.0
    return r, azimuth


def _length_ranges(v: dict[str, np.ndarray], n: int, chunk: int = 50_000) -> dict[int, tuple[float, float]]:
    """min-max of the stop-to-stop geodesic length when each stop moves within its radius.

    The stops are the vertices with ``stop_index >= 0``; their ``unc`` is the
    stop's radius.  Each stop is moved by :data:`SAMPLES` fixed offsets in the
    conformal plane (an offset of u km on the ground is u·k there, k the local
    scale factor; directions are uniform, so the grid's rotation does not
    matter), and each moved leg is measured in the plane and scaled by its
    unmoved leg's geodesic/planar ratio: within 0.1% of moving the stops on the
    ellipsoid, and ~20x faster.  Worked in chunks of whole tracks.
    """
    at = np.flatnonzero(v["stop_index"] >= 0)
    if len(at) == 0:
        return {}
    owner, position = v["track"][at], v["stop_index"][at]
    lon, lat, unc = v["lon"][at], v["lat"][at], v["unc"][at]
    x, y = to_plane(lon, lat)
    scale = np.asarray(_LCC.get_factors(lon, lat).meridional_scale)
    same = owner[1:] == owner[:-1]
    _, _, metres = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    planar = np.hypot(np.diff(x), np.diff(y))
    ratio = np.where(same & (planar > 0), np.asarray(metres) / np.where(planar > 0, planar, 1.0), 1.0)
    positions = range(int(position.max()) + 1)
    unit_r = np.stack([_unit_disc(p)[0] for p in positions], axis=1).astype(np.float32)
    unit_az = np.radians(np.stack([_unit_disc(p)[1] for p in positions], axis=1))
    unit_sin, unit_cos = np.sin(unit_az).astype(np.float32), np.cos(unit_az).astype(np.float32)
    lo_out = np.full(n, np.nan)
    hi_out = np.full(n, np.nan)
    starts = np.flatnonzero(np.r_[True, ~same])
    longest = int(np.diff(np.r_[starts, len(at)]).max())
    bounds = [*starts[::max(1, chunk // max(1, longest) // 16)], len(at)]
    for c0, c1 in zip(bounds[:-1], bounds[1:]):  # memory-bounded chunks of whole tracks
        p = position[c0:c1]
        # Offsets (SAMPLES, stops) in metres in the plane, in float32: they are at
        # most tens of km, so single precision keeps them to a few millimetres.
        reach = unit_r[:, p] * (unc[c0:c1] * 1000.0 * scale[c0:c1]).astype(np.float32)
        off_x, off_y = reach * unit_sin[:, p], reach * unit_cos[:, p]
        leg_x = np.diff(x[c0:c1]).astype(np.float32) + np.diff(off_x, axis=1)
        leg_y = np.diff(y[c0:c1]).astype(np.float32) + np.diff(off_y, axis=1)
        legs = np.hypot(leg_x, leg_y) * (ratio[c0:c1 - 1] * same[c0:c1 - 1] / 1000.0).astype(np.float32)
        # Sum each track's legs from its own first leg (the zeroed leg between
        # tracks adds 0.0), so a total does not depend on the tracks beside it.
        o = owner[c0:c1]
        first = np.flatnonzero(np.r_[True, o[1:] != o[:-1]])
        totals = np.add.reduceat(legs, first, axis=1) if legs.shape[1] else np.zeros((SAMPLES, len(first)))
        lo_out[o[first]] = totals.min(axis=0).astype(float)
        hi_out[o[first]] = totals.max(axis=0).astype(float)
    return {int(t): (float(lo_out[t]), float(hi_out[t])) for t in np.unique(owner)}


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
    """
    n = len(tracks)
    tracks = tracks.reset_index(drop=True)
    out = {col: [None] * n for col in FIGURE_COLUMNS}
    out["id"] = list(tracks["id"])
    out["placed"] = list(tracks["placed"].astype(bool))
    placed = tracks["placed"].to_numpy(bool)
    empty_lists = {"crossings": [], "regions": [], "speeds": []}
    for col, value in empty_lists.items():
        out[col] = [list(value) for _ in range(n)]
    nan_cols = ("length_km", "depth_km", "depth_any_km", "depth_with_presumed_km", "inside_km", "inside_minutes",
                "duration_minutes")
    for col in nan_cols:
        out[col] = [np.nan] * n
    for col in ("length_km_range", "depth_km_range"):
        out[col] = [(np.nan, np.nan)] * n
    out["length_by_status_km"] = [{} for _ in range(n)]
    out["inside_minutes_estimated"] = [True] * n

    if placed.any():
        _measure(tracks, out)
    rows = tracks.drop(columns=tracks.geometry.name).to_dict("records")
    out["checks"] = [_checks(rows[i], {k: out[k][i] for k in out}) for i in range(n)]
    return pd.DataFrame(out, columns=list(FIGURE_COLUMNS))


def _measure(tracks: gpd.GeoDataFrame, out: dict[str, list]) -> None:
    n = len(tracks)
    v = _vertices(tracks)
    seg = _segments(v, tracks)
    km, strack = seg["km"], seg["track"]

    # Length, by leg status.
    length = np.bincount(strack, weights=km, minlength=n)
    by_status = {s: np.bincount(strack, weights=km * (seg["status"] == s), minlength=n)
                 for s in ("reported", "presumed", "estimated")}
    ranges = _length_ranges(v, n)

    # Countries and crossings.
    country = borders.country_at(v["lon"], v["lat"])
    filled = _fill_no_country(country, v["track"])
    changes, ca, cb, xpt, frac = _crossings(v, seg, filled)
    t_a, t_b = v["t"][seg["a"]], v["t"][seg["b"]]
    t_cross = t_a[changes] + frac * (t_b[changes] - t_a[changes])
    est_a = v["time_source"][seg["a"]] == "estimated"
    est_b = v["time_source"][seg["b"]] == "estimated"

    # Inside the target country: split crossing segments at the crossing point.
    target = tracks["country"].to_numpy(object)[strack]
    inside_a = filled[seg["a"]] == target
    inside_b = filled[seg["b"]] == target
    weight = (inside_a & inside_b).astype(float)
    weight[changes] = np.where(inside_a[changes], frac, 0.0) + np.where(inside_b[changes], 1.0 - frac, 0.0)
    dt_min = t_b - t_a
    inside_km = np.bincount(strack, weights=km * weight, minlength=n)
    inside_min = np.bincount(strack, weights=dt_min * weight, minlength=n)
    inside_est = np.bincount(strack, weights=((est_a | est_b) & (weight > 0)).astype(float), minlength=n) > 0

    # Regions by segment midpoint, in order of entry.
    mid_lon = (v["lon"][seg["a"]] + v["lon"][seg["b"]]) / 2
    mid_lat = (v["lat"][seg["a"]] + v["lat"][seg["b"]]) / 2
    region = borders.region_at(mid_lon, mid_lat)
    reg = pd.DataFrame({"track": strack, "region": region, "km": km, "min": dt_min,
                        "order": np.arange(len(km))})
    reg = reg[reg["region"] != ""]
    names = dict(zip(borders.regions()["region_id"], borders.regions()["name"]))
    per_region = reg.groupby(["track", "region"], sort=False).agg(km=("km", "sum"), minutes=("min", "sum"),
                                                                   order=("order", "min")).reset_index()
    per_region = per_region.sort_values(["track", "order"], kind="stable")

    # Depth past the border with the origin country, over vertices inside the target country.
    vt = tracks["country"].to_numpy(object)[v["track"]]
    vo = tracks["origin"].to_numpy(object)[v["track"]]
    inside_v = country == vt
    nv = len(v["lon"])
    depth = np.full(nv, np.nan)
    depth_any = np.full(nv, np.nan)
    upper = np.full(nv, np.nan)  # a cheap upper bound of ``depth``
    foot = np.full((nv, 2), np.nan)
    # A vertex counts for depth unless every leg it lies on is presumed; those count
    # only for depth_with_presumed_km ("presumably flew to Vitebsk" is not a position).
    presumed = seg["status"] == "presumed"
    on_presumed = np.zeros(nv, bool)
    on_firm = np.zeros(nv, bool)
    for ends in (seg["a"], seg["b"]):
        on_presumed[ends[presumed]] = True
        on_firm[ends[~presumed]] = True
    firm = on_firm | ~on_presumed

    # Exact distances only where a maximum can be: a coarse bound (distance to the
    # border line simplified by COARSE_M, in the plane) first, then the exact
    # nearest-point search for the vertices whose upper bound reaches the best
    # lower bound of their track (for depth, depth - u and depth + u alike).
    pairs = pd.DataFrame({"c": vt[inside_v], "o": vo[inside_v]}).drop_duplicates()
    unc = v["depth_unc"]
    for c, o in pairs.itertuples(index=False):  # one pass per (country, origin) pair: a handful
        mask = np.flatnonzero(inside_v & (vt == c) & (vo == o))
        neighbour = o if borders.shares_border(c, o) else None
        coarse = borders.coarse_distance_km(v["lon"][mask], v["lat"][mask], c, neighbour=neighbour)
        lower_m, upper_m = coarse * (1 - COARSE_REL) - COARSE_KM, coarse * (1 + COARSE_REL) + COARSE_KM
        upper[mask] = upper_m
        track_m, firm_m, u = v["track"][mask], firm[mask], unc[mask]

        def reaches(low: np.ndarray, high: np.ndarray, keep: np.ndarray) -> np.ndarray:
            best = pd.Series(np.where(keep, low, -np.inf)).groupby(track_m).transform("max").to_numpy()
            return keep & (high >= best)

        need = (reaches(lower_m, upper_m, firm_m) | reaches(lower_m + u, upper_m + u, firm_m)
                | reaches(lower_m - u, upper_m - u, firm_m)
                | reaches(lower_m, upper_m, np.ones(len(mask), bool)))  # with presumed legs
        idx = mask[need]
        blon, blat, d = borders.nearest_border_point(v["lon"][idx], v["lat"][idx], c, neighbour=neighbour)
        depth[idx], foot[idx, 0], foot[idx, 1] = d, blon, blat

    def measure_any(idx: np.ndarray) -> None:
        for c in np.unique(vt[idx]):  # a handful of countries, each vectorised
            sub = idx[vt[idx] == c]
            depth_any[sub] = borders.distance_to_border_km(v["lon"][sub], v["lat"][sub], c)

    dframe = pd.DataFrame({"track": v["track"], "d": depth, "lo": depth - unc,
                           "hi": depth + unc, "any": depth_any, "i": np.arange(nv)})
    with_presumed = dframe[inside_v].groupby("track")["d"].max()
    dframe = dframe[inside_v & firm]
    deepest = dframe.loc[dframe.groupby("track")["d"].idxmax().dropna().astype(int)] if len(dframe) else dframe
    lo = dframe.groupby("track")["lo"].max().clip(lower=0)
    hi = dframe.groupby("track")["hi"].max()
    # Depth from any border: exact only where the coarse bound says a vertex could
    # be the track's deepest (as for the depth past the origin border above).
    rows = dframe["i"].to_numpy(int)
    any_upper = np.full(len(rows), np.nan)
    any_lower = np.full(len(rows), np.nan)
    for c in np.unique(vt[rows]):  # a handful of countries, each vectorised
        sub = np.flatnonzero(vt[rows] == c)
        coarse = borders.coarse_distance_km(v["lon"][rows[sub]], v["lat"][rows[sub]], c)
        any_lower[sub] = coarse * (1 - COARSE_REL) - COARSE_KM
        any_upper[sub] = coarse * (1 + COARSE_REL) + COARSE_KM
    best = pd.Series(any_lower).groupby(v["track"][rows]).transform("max").to_numpy()
    measure_any(rows[any_upper >= best])
    dframe["any"] = depth_any[rows]
    any_max = dframe.groupby("track")["any"].max()

    # Durations and speeds between stops with reported times.
    start = pd.Series(v["t"]).groupby(v["track"]).first()
    end = pd.Series(v["t"]).groupby(v["track"]).last()

    # Speeds between consecutive stops whose times were reported (same track).
    step = np.zeros(len(v["lon"]))
    step[seg["b"]] = km
    # Distance along each track, summed within the track only (row independence).
    gcum = pd.Series(step).groupby(v["track"]).cumsum().to_numpy()
    timed = np.flatnonzero((v["stop_index"] >= 0) & (v["time_source"] == "reported"))
    pair = np.flatnonzero(v["track"][timed[1:]] == v["track"][timed[:-1]])
    s1, s2 = timed[pair], timed[pair + 1]
    leg_km, leg_min = gcum[s2] - gcum[s1], v["t"][s2] - v["t"][s1]

    # Assemble the per-track output objects: plain Python, once per track (the
    # computing above is done); groups are slices of arrays sorted by track.
    def slices(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.searchsorted(keys, np.arange(n), "left"), np.searchsorted(keys, np.arange(n), "right")

    c_lo, c_hi = slices(strack[changes])
    p_lo, p_hi = slices(v["track"][s1])
    r_track = per_region["track"].to_numpy()
    r_lo, r_hi = slices(r_track)
    r_region, r_km, r_min = (per_region[c].tolist() for c in ("region", "km", "minutes"))
    deep = dict(zip(deepest["track"].to_numpy(), deepest["i"].to_numpy(int)))
    stops_col = tracks["stops"].to_numpy()
    t0_col, clock_col = tracks["t0"].to_numpy(), tracks["clock"].to_numpy()
    for row in np.flatnonzero(tracks["placed"].to_numpy(bool)):
        t0 = t0_col[row] if clock_col[row] == "absolute" else None
        out["length_km"][row] = float(length[row])
        out["length_by_status_km"][row] = {s: round(float(by_status[s][row]), 1) for s in by_status}
        out["length_km_range"][row] = ranges.get(int(row), (np.nan, np.nan))
        out["crossings"][row] = [
            {
                "from": str(ca[k]), "to": str(cb[k]),
                "lon": round(float(xpt[k, 0]), 5), "lat": round(float(xpt[k, 1]), 5),
                "t_min": round(float(t_cross[k]), 1), "time": _clock(t0, t_cross[k]),
                "time_estimated": bool(est_a[changes[k]] or est_b[changes[k]]),
            }
            for k in range(c_lo[row], c_hi[row])
        ]
        out["inside_km"][row] = float(inside_km[row])
        out["inside_minutes"][row] = float(inside_min[row])
        out["inside_minutes_estimated"][row] = bool(inside_est[row])
        out["duration_minutes"][row] = float(end[row] - start[row])
        if row in deep:
            i = deep[row]
            out["depth_km"][row] = float(depth[i])
            out["depth_km_range"][row] = (float(lo[row]), float(hi[row]))
            out["depth_any_km"][row] = float(any_max[row])
            out["depth_with_presumed_km"][row] = float(with_presumed[row])
            out["deepest_point"][row] = {
                "lon": round(float(v["lon"][i]), 5), "lat": round(float(v["lat"][i]), 5),
                "border_lon": round(float(foot[i, 0]), 5), "border_lat": round(float(foot[i, 1]), 5),
                "t_min": round(float(v["t"][i]), 1), "time": _clock(t0, v["t"][i]),
            }
        out["regions"][row] = [
            {"region_id": r_region[k], "name": str(names.get(r_region[k], r_region[k])),
             "km": round(float(r_km[k]), 1), "minutes": round(float(r_min[k]), 1)}
            for k in range(r_lo[row], r_hi[row])
        ]
        stops = stops_col[row]
        out["speeds"][row] = [
            {"from": stops[v["stop_index"][s1[k]]]["label"], "to": stops[v["stop_index"][s2[k]]]["label"],
             "km": round(float(leg_km[k]), 1), "minutes": round(float(leg_min[k]), 1),
             "kmh": round(float(leg_km[k] / leg_min[k] * 60.0), 1) if leg_min[k] > 0 else None}
            for k in range(p_lo[row], p_hi[row])
        ]


def _clock(t0, minutes: float) -> str | None:
    """ISO time ``minutes`` after ``t0``, to the minute (reported times are no finer)."""
    if t0 is None or pd.isna(t0) or not np.isfinite(minutes):
        return None
    start = t0.to_pydatetime() if isinstance(t0, pd.Timestamp) else t0
    at = start + dt.timedelta(minutes=float(minutes), seconds=30)
    return at.replace(second=0, microsecond=0).isoformat()


# ----------------------------------------------------------------------------- checks


def _check(name: str, status: str, sentence: str, **figures) -> dict[str, Any]:
    return {"check": name, "status": status, "sentence": sentence, **figures}


def _checks(track, fig: dict[str, Any]) -> list[dict[str, Any]]:
    """Every reported figure against the computed one, and speeds against the drone's envelope."""
    checks = []
    vmin, vmax = float(track["speed_min_kmh"]), float(track["speed_max_kmh"])
    drone = track["drone_name"]
    length, (llo, lhi) = fig["length_km"], fig["length_km_range"]

    reported = track["reported_distance_km"]
    if pd.notna(reported):
        q = _qualifier(track, "reported_distance_qualifier")
        said = f"reported {_q(q)}{reported:,.0f} km"
        if not fig["placed"]:
            checks.append(_check("distance", "n/a", f"{said}; no route could be placed to measure it against",
                                 reported_km=reported))
        else:
            route = f"the route through the named places measures {length:,.0f} km ({llo:,.0f}–{lhi:,.0f} km)"
            slack = 1 - APPROX_TOLERANCE if q else 1.0
            if reported < llo * slack:
                status, verdict = "warn", "shorter than the shortest route through the places named"
            elif reported > lhi * DETOUR_ALLOWANCE:
                status, verdict = "warn", (f"more than {DETOUR_ALLOWANCE:.2f}× the route through the places "
                                           "named: places are missing or it detoured widely")
            else:
                status, verdict = "ok", "consistent, allowing for detours between the places named"
            checks.append(_check("distance", status, f"{said}; {route}: {verdict}", reported_km=reported,
                                 computed_km=round(length, 1)))

    duration = track["reported_duration_min"]
    if pd.notna(duration):
        q = _qualifier(track, "reported_duration_qualifier")
        said = f"reported {_q(q)}{hours_minutes(duration)}"
        basis = reported if pd.notna(reported) else length
        if pd.isna(basis):
            checks.append(_check("duration", "n/a", f"{said}; no distance to compare it with",
                                 reported_minutes=duration))
        else:
            implied = basis / (duration / 60.0)
            which = "the reported distance" if pd.notna(reported) else "the measured route"
            need = f"{hours_minutes(basis / vmax * 60)}–{hours_minutes(basis / vmin * 60)}"
            slack = APPROX_TOLERANCE if q else 0.0
            ok = vmin * (1 - slack) <= implied <= vmax * (1 + slack)
            checks.append(_check(
                "duration", "ok" if ok else "warn",
                f"{said}: {which} ({basis:,.0f} km) in that time means {implied:,.0f} km/h; "
                f"a {drone} at {vmin:.0f}–{vmax:.0f} km/h needs {need}",
                reported_minutes=duration, implied_kmh=round(implied, 1)))

    depth = track["reported_depth_km"]
    if pd.notna(depth):
        q = _qualifier(track, "reported_depth_qualifier")
        said = f"reported {_q(q)}{depth:,.0f} km past the border"
        if fig["placed"] and pd.isna(fig["depth_km"]):
            checks.append(_check("depth", "n/a", f"{said}; no firm position inside the country to measure it at",
                                 reported_km=depth))
        elif not fig["placed"]:
            checks.append(_check("depth", "n/a", f"{said}; no place named, so it cannot be measured: "
                                 f"at {vmin:.0f}–{vmax:.0f} km/h a straight run that deep takes at least "
                                 f"{hours_minutes(depth / vmax * 60)}", reported_km=depth))
        else:
            dlo, dhi = fig["depth_km_range"]
            computed = f"the track reaches {fig['depth_km']:,.0f} km ({dlo:,.0f}–{dhi:,.0f} km)"
            # The end was placed from this very figure (and it could be reached): nothing to check.
            placed_from = any(s.get("matched", {}).get("placed_from") == "measured_from_border"
                              and abs(s["matched"].get("placed_distance_km", np.nan) - depth) <= 0.01 * depth
                              for s in track["stops"])
            if placed_from and abs(fig["depth_km"] - depth) <= 0.02 * depth:
                checks.append(_check("depth", "n/a", f"{said}; the end was placed from this figure, so the "
                                     f"track agrees by construction ({computed})", reported_km=depth,
                                     computed_km=round(fig["depth_km"], 1)))
                return checks + _speed_checks(fig, vmin, vmax, drone)
            if q in ("over", "at least"):
                ok = dhi >= depth
            elif q in ("under", "up to"):
                ok = dlo <= depth
            else:
                slack = APPROX_TOLERANCE if q else 0.0
                ok = dlo * (1 - slack) <= depth <= dhi * (1 + slack)
            checks.append(_check("depth", "ok" if ok else "warn", f"{said}; {computed}",
                                 reported_km=depth, computed_km=round(fig["depth_km"], 1)))

    return checks + _speed_checks(fig, vmin, vmax, drone)


def _speed_checks(fig: dict[str, Any], vmin: float, vmax: float, drone: str) -> list[dict[str, Any]]:
    """One check per timed leg outside the drone's envelope; the legs within it share one check."""
    legs = [leg for leg in fig["speeds"] or [] if leg["kmh"] is not None]
    low, high = vmin * (1 - APPROX_TOLERANCE), vmax * (1 + APPROX_TOLERANCE)
    envelope = f"a {drone} cruises at {vmin:.0f}–{vmax:.0f} km/h"
    checks, fine = [], []
    for leg in legs:
        if low <= leg["kmh"] <= high:
            fine.append(leg)
            continue
        why = ("slower than its cruise speed: it flew a longer path than the straight line, "
               "or the times are approximate" if leg["kmh"] < low else
               "faster than its cruise speed: a time or a place is probably wrong")
        checks.append(_check(
            "speed", "warn",
            f"{leg['from']} to {leg['to']}: {leg['km']:,.0f} km in {hours_minutes(leg['minutes'])} is {leg['kmh']:,.0f} km/h; "
            f"{envelope} — {why}", implied_kmh=leg["kmh"]))
    if len(fine) == 1:
        leg = fine[0]
        checks.append(_check(
            "speed", "ok", f"{leg['from']} to {leg['to']}: {leg['km']:,.0f} km in {hours_minutes(leg['minutes'])} is "
            f"{leg['kmh']:,.0f} km/h; {envelope}", implied_kmh=leg["kmh"]))
    elif fine:
        speeds = [leg["kmh"] for leg in fine]
        checks.append(_check(
            "speed", "ok", f"{len(fine)} timed legs at {min(speeds):,.0f}–{max(speeds):,.0f} km/h; {envelope}",
            implied_kmh=round(sum(leg["km"] for leg in fine) / sum(leg["minutes"] for leg in fine) * 60.0, 1)))
    return checks


def _q(qualifier: str | None) -> str:
    return f"{qualifier} " if qualifier else ""


def _qualifier(track, column: str) -> str | None:
    """A reported figure's qualifier, or None (a frame turns missing ones into NaN)."""
    value = track[column]
    return value if isinstance(value, str) and value else None
