"""Reachability between timed fixes: where a drone could have been, and how deep it could have got.

Two fixes with reported times, *F1* at *t1* and *F2* at *t2*, and the drone
type's fastest plausible ground speed *v* (``speed_limit_kmh``) bound every
path the drone can have flown between them: it is no longer than
``L = v * (t2 - t1)``.  Every point *P* it passed satisfies
``|F1 P| + |P F2| <= L``: an ellipse on the ellipsoid with the fixes as foci.
Each fix is known only within its radius (*u1*, *u2*), and each reported
time within its ``approx`` minutes, so the region is the set of points with::

    max(|F1 P| - u1, 0) + max(|P F2| - u2, 0) <= L,    L = v * (t2 - t1 + slack)

that is, the ellipse ``|F1 P| + |P F2| <= L + u1 + u2`` (the foci's discs
enlarged by their radii), trimmed only where a pair is tight (``L`` close to
the distance, where part of a fix's disc lies beyond reach of the other
disc).  Nothing outside it is possible at that speed; nothing inside is
claimed to have happened.  The union of the pairs' regions is an honest
corridor for the map.

Accuracy
--------
* The ellipse's boundary is solved on the WGS84 ellipsoid, point by point
  (Newton's method along geodesics from *F1*, with :data:`geo.reference.projection.GEOD`):
  ``|F1 P| + |P F2|`` equals ``L`` to better than 1 m at each of the
  :data:`BOUNDARY_POINTS` vertices (``tests/test_reach.py`` measures it with
  ``pyproj.Geod``).  Between vertices the polygon's straight edges (in
  lon/lat) cut inside the curve by a few metres at most for regions of a few
  hundred km.
* The farthest distance from the border over the region inside the country is
  found by branch and bound on a local azimuthal equidistant plane: the distance
  to a line is 1-Lipschitz, so a cell's maximum is at most its sampled value
  plus its extent; cells are split until no cell can beat the best sampled
  point (a point of the region) by more than :data:`DEPTH_TOLERANCE_KM`.  The
  figure is therefore a lower bound within 0.05 km of the true maximum (each
  pair's ``depth_error_km`` says how close it got), plus the 0.01% of
  :func:`geo.reference.borders.nearest_border_point`.

Examples
--------
Two fixes 64.6 km apart, an hour (give or take 30 minutes) between them, at 225 km/h:

>>> a = Fix(stop=0, label="Loyew", lon=30.79343, lat=51.94115, unc_km=2.0, t_min=0.0, approx_min=0.0,
...         after=False, status="reported", time_source="reported")
>>> b = Fix(stop=1, label="Polesie reserve", lon=29.983, lat=51.65, unc_km=26.2, t_min=60.0, approx_min=30.0,
...         after=True, status="reported", time_source="reported")
>>> pair = reach_pair(a, b, 225.0, "BY", "UA")
>>> pair["max_path_km"], pair["reachable"], round(pair["depth_km"])
(337.5, True, 175)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo.reference import borders
from geo.reference.projection import GEOD
from geo.reports.report import DEFAULT_APPROX_MIN  # the minutes of a time written approx: true

__all__ = [
    "BOUNDARY_POINTS",
    "DEPTH_TOLERANCE_KM",
    "REACH_COLUMNS",
    "TIMED_SOURCES",
    "Fix",
    "ellipse_boundary",
    "farthest_from_border",
    "reach_pair",
    "reach_region",
    "reachability",
    "timed_fixes",
    "with_reachability",
]

#: The output columns of :func:`reachability`, in order.
REACH_COLUMNS = ("id", "reach_pairs", "reach_geometry", "reach_depth_km", "reach_depth_any_km",
                 "reach_deepest_point", "reach_reachable")
#: Time sources that make a stop a timed fix.
TIMED_SOURCES = ("reported", "reported_approx")
#: Vertices of each ellipse (and of each uncertainty disc), evenly spaced in eccentric anomaly.
BOUNDARY_POINTS = 720
#: The farthest-from-border figure is within this many km of the region's true maximum.
DEPTH_TOLERANCE_KM = 0.05
#: Cells evaluated per refinement step of the depth search at most (the rest are bounded, not refined).
MAX_CELLS = 40_000
#: Plane distances times this bound ground distances (azimuthal equidistant: radial scale 1,
#: transverse scale >= 1; the margin covers the ellipsoid and regions up to thousands of km).
_LIPSCHITZ = 1.001


@dataclass(frozen=True)
class Fix:
    """A stop with a reported time: where (lon, lat, radius in km) and when (minutes)."""

    stop: int
    label: str
    lon: float
    lat: float
    unc_km: float
    t_min: float
    approx_min: float
    after: bool
    """True if its time is a delay (``after``) from the previous stop rather than a clock time."""
    status: str
    time_source: str


# ----------------------------------------------------------------------------- timed fixes


def _number(value: Any, default: float = math.nan) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return default
    return out if math.isfinite(out) else default


def _array(row: Any, key: str) -> np.ndarray:
    value = row.get(key) if hasattr(row, "get") else None
    if value is None or (np.isscalar(value) and pd.isna(value)):
        return np.empty(0)
    return np.asarray(value)


def timed_fixes(row: Any, *, include_presumed: bool = False) -> list[Fix]:
    """The points of one track whose times were reported, in flight order.

    Parameters
    ----------
    row : mapping or pandas.Series
        One row of :func:`geo.tracks.build.build_tracks`: ``stops`` and the per-vertex
        ``stop_index``, ``time_source``, ``t_min`` and ``unc_km``.
    include_presumed : bool
        Count stops whose position is only presumed ("presumably towards
        Vitebsk"); by default they are not fixes.

    Returns
    -------
    list of Fix
        A vertex is timed when its time source is one of :data:`TIMED_SOURCES`:
        a stop with a reported time, or a border crossing that a reported time
        applies to (:mod:`geo.tracks.timing` puts such a time on two vertices a metre
        either side of the crossing; they make one fix).  Its radius is the
        larger of the stop's ``uncertainty_km`` (for a crossing, the stop whose
        time it carries) and the vertex's ``unc_km``; its time tolerance is that
        stop's ``time_approx_min`` (:data:`geo.reports.report.DEFAULT_APPROX_MIN` for
        an approximate time without one).
    """
    stops = list(row.get("stops") or [])
    index = _array(row, "stop_index").astype(int, copy=False)
    sources, minutes, unc = _array(row, "time_source"), _array(row, "t_min"), _array(row, "unc_km")
    geom = row.get("geometry")
    if geom is None or len(sources) == 0:
        return []
    coords = shapely.get_coordinates(geom)
    crossing_stop = {s.get("time_at"): k for k, s in enumerate(stops) if s.get("time_at") in CROSSING_TIMES}
    fixes: list[Fix] = []
    for vertex in np.flatnonzero(np.isin(sources, TIMED_SOURCES)).tolist():
        t = _number(minutes[vertex])
        lon, lat = float(coords[vertex, 0]), float(coords[vertex, 1])
        if fixes and abs(fixes[-1].t_min - t) < 0.01 and abs(fixes[-1].lat - lat) + abs(fixes[-1].lon - lon) < 1e-3:
            continue  # the second vertex of a crossing's pair
        k = int(index[vertex])
        if k < 0:
            which = _crossing_kind(coords, vertex, str(row.get("country") or ""))
            k = crossing_stop.get(which, -1)
            label = which
        else:
            label = str(stops[k].get("label") or f"stop {k}") if k < len(stops) else f"stop {k}"
        stop = stops[k] if 0 <= k < len(stops) else {}
        status = str(stop.get("status") or "reported")
        if not math.isfinite(t) or (status == "presumed" and not include_presumed and index[vertex] >= 0):
            continue
        radius = max(_number(stop.get("uncertainty_km"), 0.0), _number(unc[vertex], 0.0))
        approx = _number(stop.get("time_approx_min"), 0.0)
        if sources[vertex] == "reported_approx" and approx <= 0:
            approx = DEFAULT_APPROX_MIN
        fixes.append(Fix(stop=k, label=label, lon=lon, lat=lat, unc_km=radius, t_min=t, approx_min=approx,
                         after=stop.get("time") is None and stop.get("after_min") is not None,
                         status=status, time_source=str(sources[vertex])))
    return fixes


#: What a stop's ``time_at`` says when its time is a crossing's (geo.tracks.timing).
CROSSING_TIMES = ("entry crossing", "exit crossing")


def _crossing_kind(coords: np.ndarray, vertex: int, country: str) -> str:
    """``entry crossing`` or ``exit crossing``: which way the line crosses at a timed vertex that is no stop."""
    lo, hi = max(vertex - 1, 0), min(vertex + 1, len(coords) - 1)
    inside = borders.country_at(coords[[lo, hi], 0], coords[[lo, hi], 1]) == country
    return "exit crossing" if inside[0] and not inside[1] else "entry crossing"


def _slack_min(a: Fix, b: Fix) -> float:
    """How much longer than nominal the time between two fixes can have been (minutes)."""
    if b.after:  # "an hour later" counts from the fix before: only the delay's own uncertainty
        return b.approx_min
    return a.approx_min + b.approx_min


# ----------------------------------------------------------------------------- geometry


def ellipse_boundary(lon1: float, lat1: float, lon2: float, lat2: float, sum_km: float,
                     n: int = BOUNDARY_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Points P with ``|F1 P| + |P F2| = sum_km`` on the WGS84 ellipsoid, counter-clockwise.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float
        The foci in degrees.
    sum_km : float
        The sum of the geodesic distances, km; must exceed the foci's distance.
    n : int
        Number of points, evenly spaced in the eccentric anomaly of the planar
        ellipse with the same axes (which is the starting guess).

    Returns
    -------
    (lon, lat) : tuple of numpy.ndarray
        Each point lies on the geodesic from F1 at its bearing, at the distance
        solving ``r + |P F2| = sum_km`` by Newton's method (residual < 1 m).

    Examples
    --------
    >>> lon, lat = ellipse_boundary(28.0, 52.0, 29.5, 52.0, 200.0, n=8)
    >>> _, _, a = GEOD.inv([28.0] * 8, [52.0] * 8, lon, lat)
    >>> _, _, b = GEOD.inv(lon, lat, [29.5] * 8, [52.0] * 8)
    >>> bool(np.all(np.abs((a + b) / 1000 - 200.0) < 1e-3))
    True
    """
    az12, _, d_m = GEOD.inv(lon1, lat1, lon2, lat2)
    d, total = d_m / 1000.0, float(sum_km)
    if not total > d:
        raise ValueError(f"the sum {total:.3f} km must exceed the foci's distance {d:.3f} km")
    a, c = total / 2.0, d / 2.0
    b = math.sqrt(max(a * a - c * c, 0.0))
    e = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
    x, y = a * np.cos(e) + c, b * np.sin(e)  # from F1, x towards F2, y to its left
    r = np.hypot(x, y)
    bearing = az12 - np.degrees(np.arctan2(y, x))  # azimuths run clockwise
    lon0, lat0 = np.full(n, float(lon1)), np.full(n, float(lat1))
    to2_lon, to2_lat = np.full(n, float(lon2)), np.full(n, float(lat2))
    for _ in range(12):
        plon, plat, back = GEOD.fwd(lon0, lat0, bearing, r * 1000.0)
        az_p2, _, g = GEOD.inv(plon, plat, to2_lon, to2_lat)
        residual = r + np.asarray(g) / 1000.0 - total
        if np.all(np.abs(residual) < 1e-5):
            break
        slope = 1.0 - np.cos(np.radians(np.asarray(az_p2) - (np.asarray(back) + 180.0)))
        r = np.clip(r - residual / np.maximum(slope, 1e-9), 0.0, total)
    plon, plat, _ = GEOD.fwd(lon0, lat0, bearing, r * 1000.0)
    return np.asarray(plon), np.asarray(plat)


def _disc(lon: float, lat: float, radius_km: float, n: int = BOUNDARY_POINTS) -> shapely.Polygon:
    """The geodesic disc around a point, as a lon/lat polygon."""
    az = np.linspace(0.0, -360.0, n, endpoint=False)  # counter-clockwise
    plon, plat, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_km * 1000.0))
    return shapely.Polygon(np.column_stack([plon, plat]))


def reach_region(a: Fix, b: Fix, path_km: float) -> shapely.Polygon | None:
    """Where the drone can have been between two fixes if its path was at most ``path_km`` long.

    Parameters
    ----------
    a, b : Fix
        The fixes (only ``lon``, ``lat`` and ``unc_km`` are used).
    path_km : float
        The longest possible path, km (speed limit times the longest elapsed time).

    Returns
    -------
    shapely.Polygon or None
        EPSG:4326.  The points P with ``max(|F1 P| - u1, 0) + max(|P F2| - u2, 0)
        <= path_km``: the ellipse of sum ``path_km + u1 + u2``, less the parts
        of each fix's disc that lie beyond ``path_km + u`` of the other fix
        (only present when the pair is tight).  None when the fixes cannot be
        joined at all (``distance - u1 - u2 > path_km``).
    """
    _, _, d_m = GEOD.inv(a.lon, a.lat, b.lon, b.lat)
    d = d_m / 1000.0
    total = path_km + a.unc_km + b.unc_km
    if d - a.unc_km - b.unc_km > path_km or total <= 0:
        return None
    total = max(total, d + 1e-6)  # exactly tight: a sliver along the geodesic
    lon, lat = ellipse_boundary(a.lon, a.lat, b.lon, b.lat, total)
    region = shapely.Polygon(np.column_stack([lon, lat]))
    for near, far in ((a, b), (b, a)):
        if near.unc_km > 0 and d + near.unc_km > path_km + far.unc_km:  # part of near's disc is out of reach
            beyond = shapely.difference(_disc(near.lon, near.lat, near.unc_km),
                                        _disc(far.lon, far.lat, path_km + far.unc_km))
            region = shapely.difference(region, beyond)
    region = shapely.make_valid(region) if not shapely.is_valid(region) else region
    return shapely.normalize(region)


# ----------------------------------------------------------------------------- farthest from the border


@lru_cache(maxsize=256)
def _local_plane(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    """Azimuthal equidistant plane centred on (lon, lat): forward and inverse transformers."""
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m +no_defs")
    return (Transformer.from_crs("EPSG:4326", crs, always_xy=True),
            Transformer.from_crs(crs, "EPSG:4326", always_xy=True))


def _cells_samples(region: shapely.Geometry, cx: np.ndarray, cy: np.ndarray, h: float):
    """For each square cell (centre, half side h), a point of the region in it (NaN if none)."""
    boxes = shapely.box(cx - h, cy - h, cx + h, cy + h)
    hit = shapely.intersects(boxes, region)
    sx, sy = np.full(len(cx), np.nan), np.full(len(cx), np.nan)
    inside = hit & shapely.contains_xy(region, cx, cy)
    sx[inside], sy[inside] = cx[inside], cy[inside]
    edge = np.flatnonzero(hit & ~inside)
    if len(edge):
        points = shapely.point_on_surface(shapely.intersection(boxes[edge], region))
        xy = shapely.get_coordinates(points)
        ok = ~shapely.is_empty(points)
        sx[edge[ok]], sy[edge[ok]] = xy[:, 0], xy[:, 1]
    return sx, sy


def _branch_and_bound(region: shapely.Geometry, value, tol_km: float) -> tuple[float, float, float, float]:
    """Maximise a 1-Lipschitz function (km of plane metres) over a plane region.

    Returns the best value found at a point of the region, that point, and how
    much the true maximum can exceed it (<= ``tol_km`` unless :data:`MAX_CELLS` stopped it).
    """
    shapely.prepare(region)
    vx, vy = shapely.get_coordinates(region).T
    vals = value(vx, vy)
    best = int(np.nanargmax(vals))
    best_v, best_x, best_y = float(vals[best]), float(vx[best]), float(vy[best])
    minx, miny, maxx, maxy = region.bounds
    h = max(maxx - minx, maxy - miny, 1.0) / 16.0
    gx = np.arange(minx + h, maxx + h, 2 * h)
    gy = np.arange(miny + h, maxy + h, 2 * h)
    cx, cy = (v.ravel() for v in np.meshgrid(gx, gy))
    ceiling = best_v  # the largest upper bound of any cell not refined further
    while len(cx):
        sx, sy = _cells_samples(region, cx, cy, h)
        keep = np.isfinite(sx)
        cx, cy, sx, sy = cx[keep], cy[keep], sx[keep], sy[keep]
        vals = value(sx, sy)
        if len(vals) and np.nanmax(vals) > best_v:
            i = int(np.nanargmax(vals))
            best_v, best_x, best_y = float(vals[i]), float(sx[i]), float(sy[i])
        reach = np.hypot(np.abs(sx - cx) + h, np.abs(sy - cy) + h) * _LIPSCHITZ / 1000.0
        upper = vals + reach
        refine = upper > best_v + tol_km
        if 4 * refine.sum() > MAX_CELLS:
            refine[:] = False
        ceiling = max(ceiling, float(upper[~refine].max(initial=best_v)))
        live = np.flatnonzero(refine)
        if len(live) == 0:
            break
        h /= 2.0
        cx = np.concatenate([cx[live] + dx * h for dx in (-1, 1) for _ in (0, 1)])
        cy = np.concatenate([cy[live] + dy * h for _ in (0, 1) for dy in (-1, 1)])
    return best_v, best_x, best_y, max(ceiling - best_v, 0.0)


def farthest_from_border(region: shapely.Geometry, country: str, *, neighbour: str | None = None,
                         country_geometry: shapely.Geometry | None = None,
                         tol_km: float = DEPTH_TOLERANCE_KM) -> dict[str, Any] | None:
    """The point of ``region`` inside ``country`` farthest from its border, and that distance.

    Parameters
    ----------
    region : shapely.Geometry
        A polygon in EPSG:4326 (e.g. from :func:`reach_region`).
    country : str
        Alpha-2 code of the country whose border counts.
    neighbour : str, optional
        Only the stretch shared with this neighbour (the border with the
        origin); by default the whole boundary (as :func:`geo.reference.borders.distance_to_border_km`).
    country_geometry : shapely.Geometry, optional
        The country's polygon, if the caller has it (else read from :func:`geo.reference.borders.countries`).
    tol_km : float
        The search stops when no point can be more than this much farther.

    Returns
    -------
    dict or None
        ``km`` (geodesic), ``lon``, ``lat`` of the farthest point found,
        ``border_lon``, ``border_lat`` (its nearest border point) and
        ``error_km`` (the true maximum is at most this much more); None when
        the region does not enter the country.
    """
    if country_geometry is None:
        frame = borders.countries()
        country_geometry = frame.loc[frame["country"] == country, "geometry"].iloc[0]
    parts = shapely.get_parts(shapely.intersection(region, country_geometry))
    inside = shapely.union_all(parts[shapely.area(parts) > 0])  # no stray lines or points
    if inside.is_empty:
        return None
    x0, y0, x1, y1 = inside.bounds
    forward, inverse = _local_plane(round((x0 + x1) / 2, 6), round((y0 + y1) / 2, 6))
    plane = shapely.transform(inside, lambda xy: np.column_stack(forward.transform(xy[:, 0], xy[:, 1])))

    def km(x, y):
        lon, lat = inverse.transform(np.asarray(x), np.asarray(y))
        return borders.distance_to_border_km(lon, lat, country, neighbour=neighbour)

    _, x, y, error = _branch_and_bound(plane, km, tol_km)
    lon, lat = inverse.transform(x, y)
    blon, blat, dist = borders.nearest_border_point([lon], [lat], country, neighbour=neighbour)
    return {"km": round(float(dist[0]), 3), "lon": round(float(lon), 6), "lat": round(float(lat), 6),
            "border_lon": round(float(blon[0]), 6), "border_lat": round(float(blat[0]), 6),
            "error_km": round(error, 4)}


# ----------------------------------------------------------------------------- pairs and tracks


def reach_pair(a: Fix, b: Fix, speed_kmh: float, country: str | None, neighbour: str | None = None, *,
               country_geometry: shapely.Geometry | None = None) -> dict[str, Any]:
    """The reachability figure of two consecutive timed fixes.

    Parameters
    ----------
    a, b : Fix
        The earlier and the later fix.
    speed_kmh : float
        The drone type's fastest plausible ground speed.
    country : str or None
        The country the report is about (alpha-2); None skips the depths.
    neighbour : str, optional
        The origin, when it shares a border with ``country``: ``depth_km`` is
        measured from that stretch; else from the whole boundary.
    country_geometry : shapely.Geometry, optional

    Returns
    -------
    dict
        See :func:`reachability` (``reach_pairs``).
    """
    _, _, d_m = GEOD.inv(a.lon, a.lat, b.lon, b.lat)
    distance = float(d_m) / 1000.0
    minutes = b.t_min - a.t_min
    slack = _slack_min(a, b)
    longest = minutes + slack
    path_km = speed_kmh * longest / 60.0
    needed = max(distance - a.unc_km - b.unc_km, 0.0)
    region = reach_region(a, b, path_km) if math.isfinite(path_km) else None
    deep = deep_any = None
    if region is not None and country:
        deep_any = farthest_from_border(region, country, country_geometry=country_geometry)
        deep = (farthest_from_border(region, country, neighbour=neighbour, country_geometry=country_geometry)
                if neighbour else deep_any)
    area = abs(GEOD.geometry_area_perimeter(region)[0]) / 1e6 if region is not None else math.nan
    return {
        "from": a.label, "to": b.label, "from_stop": a.stop, "to_stop": b.stop,
        "from_time_source": a.time_source, "to_time_source": b.time_source,
        "minutes": round(minutes, 3), "slack_minutes": round(slack, 3),
        "distance_km": round(distance, 3), "from_unc_km": round(a.unc_km, 3), "to_unc_km": round(b.unc_km, 3),
        "speed_limit_kmh": float(speed_kmh), "max_path_km": round(path_km, 3),
        "required_kmh": round(needed / longest * 60.0, 1) if longest > 0 else math.inf,
        "reachable": bool(needed <= path_km),
        "depth_km": round(deep["km"], 3) if deep else math.nan,
        "depth_border": (neighbour or "all") if country else None,
        "depth_any_km": round(deep_any["km"], 3) if deep_any else math.nan,
        "depth_error_km": max((d["error_km"] for d in (deep, deep_any) if d), default=math.nan),
        "deepest_point": deep, "area_km2": round(area, 1), "ellipse": region,
    }


def _track(row: Any, geometries: dict[str, shapely.Geometry]) -> dict[str, Any]:
    """The reachability columns of one track (see :func:`reachability`)."""
    out = {"id": row.get("id"), "reach_pairs": [], "reach_geometry": None, "reach_depth_km": math.nan,
           "reach_depth_any_km": math.nan, "reach_deepest_point": None, "reach_reachable": None}
    fixes = timed_fixes(row)
    speed = _number(row.get("speed_limit_kmh"))
    if len(fixes) < 2 or not speed > 0:
        return out
    country = row.get("country") if row.get("country") in geometries else None
    origin = row.get("origin")
    neighbour = origin if country and origin and borders.shares_border(country, origin) else None
    pairs = []
    for a, b in itertools.pairwise(fixes):
        if math.isfinite(b.t_min - a.t_min) and b.t_min - a.t_min > 0:
            pairs.append(reach_pair(a, b, speed, country, neighbour, country_geometry=geometries.get(country)))
    if not pairs:
        return out
    shapes = [p["ellipse"] for p in pairs if p["ellipse"] is not None]
    depths = [p["depth_km"] if math.isfinite(p["depth_km"]) else -math.inf for p in pairs]
    deepest = int(np.argmax(depths))
    out.update(
        reach_pairs=pairs,
        reach_geometry=shapely.normalize(shapely.union_all(shapes)) if shapes else None,
        reach_depth_km=pairs[deepest]["depth_km"],
        reach_depth_any_km=float(np.nanmax([p["depth_any_km"] for p in pairs]))
        if any(math.isfinite(p["depth_any_km"]) for p in pairs) else math.nan,
        reach_deepest_point=pairs[deepest]["deepest_point"],
        reach_reachable=all(p["reachable"] for p in pairs),
    )
    return out


def reachability(tracks: pd.DataFrame) -> pd.DataFrame:
    """The reachability figure of every track: one row per track, in the same order.

    Parameters
    ----------
    tracks : pandas.DataFrame or geopandas.GeoDataFrame
        As :func:`geo.tracks.build.build_tracks` returns (``id``, ``country``,
        ``origin``, ``speed_limit_kmh``, ``stops`` and the per-vertex
        ``stop_index``, ``time_source``, ``t_min``, ``unc_km``); missing
        columns count as absent.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REACH_COLUMNS`, same index as ``tracks``:

        ``reach_pairs``
            list of dicts, one per consecutive pair of timed fixes with a
            positive, finite time between them: ``from``/``to`` (labels),
            ``from_stop``/``to_stop``, their time sources, ``minutes``
            (nominal), ``slack_minutes`` (how much longer it can have been,
            from the times' ``approx``), ``distance_km`` (geodesic, centre to
            centre), ``from_unc_km``/``to_unc_km``, ``speed_limit_kmh``,
            ``max_path_km`` (speed x (minutes + slack)), ``required_kmh`` (the
            slowest average speed that joins the fixes' discs in the longest
            time), ``reachable`` (``distance - u1 - u2 <= max_path_km``),
            ``depth_km`` (farthest any point of the region inside
            ``country`` is from the border named in ``depth_border``: the
            origin, or ``all`` when the origin shares no border),
            ``depth_any_km`` (from the whole boundary), ``depth_error_km``
            (how much farther the true maximum can be), ``deepest_point``
            (lon, lat, border_lon, border_lat, km, error_km),
            ``area_km2`` (geodesic) and ``ellipse`` (shapely Polygon, EPSG:4326,
            None if unreachable).  Depths are NaN where the region does not
            enter the country.
        ``reach_geometry``
            the union of the pairs' regions (Polygon or MultiPolygon,
            EPSG:4326): the honest corridor, or None.
        ``reach_depth_km``, ``reach_depth_any_km``
            the largest over the pairs, km (NaN without pairs).
        ``reach_deepest_point``
            the ``deepest_point`` of the pair with the largest ``depth_km``.
        ``reach_reachable``
            True if every pair is reachable at the speed limit, False if one
            is not (evidence against the report), None without pairs.

    Notes
    -----
    Rows do not depend on each other.  Tracks with fewer than two timed fixes
    get an empty list, None and NaN.
    """
    frame = borders.countries()
    wanted = set(tracks["country"]) if "country" in tracks else set()
    geometries = {c: g for c, g in zip(frame["country"], frame.geometry) if c in wanted}
    rows = [_track(row, geometries) for _, row in tracks.iterrows()]
    floats = ("reach_depth_km", "reach_depth_any_km")
    return pd.DataFrame({col: pd.Series([r[col] for r in rows], index=tracks.index,
                                        dtype=float if col in floats else object) for col in REACH_COLUMNS})


def with_reachability(figures: pd.DataFrame, tracks: Any) -> pd.DataFrame:
    """``figures`` (of :func:`geo.analysis.analyse.analyse`) with the columns of :func:`reachability` beside them.

    Kept apart from :func:`geo.analysis.analyse.analyse`, whose archive speed it would
    set (each pair of timed fixes costs about 0.1 s), so that an archive can be
    measured without it; :class:`geo.api.Incidents` adds it.
    """
    reach = reachability(tracks).drop(columns="id")
    return pd.concat([figures, reach.set_index(figures.index)], axis=1)
