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

from geo.reference.datafiles import data_path

GEOD = Geod(ellps="WGS84")


def brute_force_km(lon: float, lat: float, line, spacing_deg: float = 0.0002) -> float:
    """Distance from a point to ``line``: the least geodesic distance to its points ~20 m apart.

    No projection and no nearest-point search, so independent of geo.reference.borders.  With
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


# ----------------------------------------------------------------------------- straight-line tracks and their exact split


def pieces_along(vertices, polygons) -> list[dict]:
    """The track through ``vertices`` (straight lon/lat segments) split by every country polygon, in flight order.

    Each piece is ``{"segment", "t0", "t1", "country", "start", "end", "km"}``:
    the segment it is on, its fractions along that segment, the alpha-2 code of
    the polygon it lies in, its end points and its geodesic length.  Parts of
    the track in no polygon are left out.  Shapely's own intersection of each
    segment with each whole polygon: no boundary segments, no rasters.
    """
    vertices = np.asarray(vertices, float)
    out = []
    for k, (a, b) in enumerate(zip(vertices[:-1], vertices[1:])):
        segment = shapely.LineString([a, b])
        found = []
        for code, polygon in polygons.items():
            for part in shapely.get_parts(shapely.intersection(segment, polygon)):
                if part.geom_type != "LineString" or part.length == 0:
                    continue
                ends = [shapely.line_locate_point(segment, shapely.Point(p), normalized=True) for p in
                        (part.coords[0], part.coords[-1])]
                found.append((min(ends), max(ends), code))
        for t0, t1, code in sorted(found):
            start, end = a + (b - a) * t0, a + (b - a) * t1
            out.append({"segment": k, "t0": t0, "t1": t1, "country": code, "start": tuple(start), "end": tuple(end),
                        "km": float(GEOD.inv(*start, *end)[2] / 1000.0)})
    return out


def crossings_of(pieces: list[dict]) -> list[dict]:
    """Changes of country between consecutive pieces (a gap in no country is skipped over), in flight order.

    Each is ``{"from", "to", "point", "segment", "t"}``: the point where the country entered begins.
    """
    out = []
    for before, after in zip(pieces[:-1], pieces[1:]):
        if before["country"] != after["country"]:
            out.append({"from": before["country"], "to": after["country"], "point": after["start"],
                        "segment": after["segment"], "t": after["t0"]})
    return out


def sample_line(vertices, step_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``step_km`` (or closer) along each straight lon/lat segment, both ends included.

    Returns the points ``(n, 2)`` and the segment each lies on.
    """
    vertices = np.asarray(vertices, float)
    points, owner = [], []
    for k, (a, b) in enumerate(zip(vertices[:-1], vertices[1:])):
        n = max(1, int(math.ceil(GEOD.inv(*a, *b)[2] / 1000.0 / step_km)))
        u = np.arange(n + 1) / n
        points.append(a + (b - a) * u[:, None])
        owner.append(np.full(n + 1, k))
    return np.vstack(points), np.concatenate(owner)


def _local_plane(lon, lat, lon0: float, lat0: float):
    """An equirectangular plane (km) around (lon0, lat0): good to ~1% over a few hundred km, for narrowing only."""
    return (np.asarray(lon) - lon0) * 111.32 * math.cos(math.radians(lat0)), (np.asarray(lat) - lat0) * 110.57


def deepest_by_sampling(points: np.ndarray, line, *, narrow_km: float = 3.0, refine_m: float = 2.0,
                        step_km: float = 0.05) -> tuple[float, np.ndarray]:
    """The largest geodesic distance from ``points`` (dense samples of a track, every ``step_km``) to ``line``.

    The samples within a few km of the largest, by a local flat-earth estimate
    (1% + ``narrow_km`` of slack), are measured by brute force
    (:func:`brute_force_many_km`); around the best, the track is sampled again
    every ``refine_m`` metres on both sides up to one step away, and measured
    the same way.  Returns the distance and the point.
    """
    lon0, lat0 = float(np.mean(points[:, 0])), float(np.mean(points[:, 1]))
    bxy = np.column_stack(_local_plane(*shapely.get_coordinates(shapely.segmentize(line, 0.01)).T, lon0, lat0))
    tree = shapely.STRtree(shapely.points(bxy))
    x, y = _local_plane(points[:, 0], points[:, 1], lon0, lat0)
    _, rough = tree.query_nearest(shapely.points(x, y), return_distance=True, all_matches=False)
    near = np.flatnonzero(rough >= rough.max() * 0.99 - narrow_km)
    exact = brute_force_many_km(points[near, 0], points[near, 1], line)
    best = near[int(np.argmax(exact))]
    lo, hi = points[max(best - 1, 0)], points[min(best + 1, len(points) - 1)]
    n = max(2, int(GEOD.inv(*lo, *hi)[2] / refine_m))
    fine = lo + (hi - lo) * (np.arange(n + 1) / n)[:, None]
    d = brute_force_many_km(fine[:, 0], fine[:, 1], line)
    return float(d.max()), fine[int(np.argmax(d))]


def track_frame(lines, *, country: str = "BY", origin: str = "UA", speed_kmh: float = 170.0, unc_km: float = 2.0,
                statuses=None, ids=None):
    """A GeoDataFrame in the format of :func:`geo.tracks.build.build_tracks` with one track per vertex list.

    Every vertex is a stop with a reported time (``speed_kmh`` along the
    geodesic segments from 02:00 UTC), a radius of ``unc_km``; the segments
    are straight lon/lat lines, as the library draws them.  ``statuses`` gives
    each track's per-segment leg statuses (default all ``reported``).
    """
    import pandas as pd

    frames = []
    t0 = pd.Timestamp("2024-07-13T02:00:00", tz="UTC")
    for i, vertices in enumerate(lines):
        vertices = np.asarray(vertices, float)
        _, _, metres = GEOD.inv(vertices[:-1, 0], vertices[:-1, 1], vertices[1:, 0], vertices[1:, 1])
        t_min = np.r_[0.0, np.cumsum(metres) / 1000.0 / speed_kmh * 60.0]
        n = len(vertices)
        stops = [{"label": f"point {k}", "kind": "coords", "status": "reported", "lon": float(vertices[k, 0]),
                  "lat": float(vertices[k, 1]), "uncertainty_km": unc_km, "waypoint": k,
                  "time": (t0 + pd.Timedelta(minutes=float(t_min[k]))).isoformat(), "time_approx_min": None,
                  "after_min": None, "role": "waypoint", "sources": [], "note": None, "matched": {}}
                 for k in range(n)]
        frames.append({
            "id": ids[i] if ids else f"track-{i:04d}", "title": "synthetic", "date": "2024-07-13",
            "country": country, "origin": origin, "drone": "shahed-136", "drone_name": "Shahed-136",
            "speed_min_kmh": 150.0, "speed_max_kmh": 185.0, "speed_typical_kmh": 170.0, "speed_limit_kmh": 225.0,
            "outcome": None, "stops": stops, "reported_distance_km": np.nan, "reported_distance_qualifier": None,
            "reported_duration_min": np.nan, "reported_duration_qualifier": None, "reported_depth_km": np.nan,
            "reported_depth_qualifier": None, "placed": True, "clock": "absolute", "t0": t0, "t_min": t_min,
            "time_source": np.full(n, "reported", dtype=object), "unc_km": np.full(n, unc_km),
            "depth_unc_km": np.full(n, unc_km),
            "seg_status": np.asarray(statuses[i] if statuses else ["reported"] * (n - 1), dtype=object),
            "stop_index": np.arange(n), "geometry": shapely.LineString(vertices),
        })
    return gpd.GeoDataFrame(frames, geometry="geometry", crs="EPSG:4326")


def made_up_report(route: str, *, id: str = "test-flight", origin: str = "UA", reported: str = "",
                   summary: str = "A made-up flight for the tests.") -> str:
    """The YAML text of a valid made-up report (Shahed-136, Belarus, Minsk time) around ``route``.

    ``route`` is YAML list items indented two spaces; ``reported`` the body of the
    ``reported:`` mapping (indented two spaces) or a flow mapping, if any.
    """
    if reported and not reported.lstrip().startswith("{"):
        reported = "\n" + reported.rstrip("\n")
    return (f"id: {id}\ntitle: A made-up flight for the tests\ndate: 2024-07-16\ntimezone: Europe/Minsk\n"
            f"drone: shahed-136\ncountry: BY\norigin: {origin}\noutcome: unknown\nsummary: {summary}\n"
            "sources: [{id: test, publisher: Test fixture}]\n"
            + (f"reported: {reported}\n" if reported else "") + "route:\n" + route)
