"""Benchmark :func:`geo.analysis.analyse.analyse` against MovingPandas and against the vectorised floor.

Run from the checkout (not a test)::

    python benchmarks/bench_analyse.py [--sizes 1000 10000 100000] [--mp-size 1000] [--quick]
                                       [--repeat 3] [--profile-size 10000] [--no-profile]
                                       [--accuracy-size 10000]

Measures, in one run, on synthetic tracks across the Belarus–Ukraine border
(20 vertices 15 km apart, starting 20–80 km inside Ukraine between 24.5° E and
31° E and heading roughly north, so most cross into Belarus; fixed seed):

- tracks/s of ``analyse`` per size and of the floor, each the best of
  ``--repeat`` runs taken in turn (floor, analyse, floor, analyse, ...), so a
  slow spell of the machine hits both; and the processor seconds of each best
  run: ``analyse`` runs its GEOS searches on two threads and two figures on a
  second thread (the machine has two cores), the floor on one, so the wall
  ratio is what a user waits and the CPU ratio is how much work each does;
- baseline (a), MovingPandas as its users would do it, on ``--mp-size`` tracks:
  a ``TrajectoryCollection`` from a points GeoDataFrame, then per trajectory
  ``get_length()`` (geodesic), ``clip()`` with the Belarus polygon and the
  duration and length of each clipped part;
- baseline (b), the floor: only the vectorised primitives, on all tracks at
  once: one ``Geod.inv`` over all segments, ``shapely.contains_xy`` on the
  prepared Belarus polygon, crossings as changes of the inside flag, depth as
  the geodesic distance of every inside vertex to its nearest point of the
  BY–UA border (found with one ``STRtree.query_nearest`` call in the conformal
  plane, the same figure ``analyse`` reports) and the per-track maximum with
  ``np.maximum.reduceat``;
- the ratios against the issue's targets: ``analyse`` >= 200x MovingPandas,
  and within 1.25x of the floor (which finds crossings and depth at vertices
  only, so it does less than ``analyse``: see the accuracy line);
- accuracy on ``--accuracy-size`` tracks against shapely's exact split of each
  line by the Belarus polygon: how many tracks' km inside Belarus differ by
  more than 0.1 km, and how many have another number of crossings (the
  vertex-based crossings of earlier versions got 12.7% of 10,000 tracks wrong
  by more than 0.1 km, by up to 25 km); the timing lines also say on how many
  tracks the depth over the continuous track exceeds the deepest vertex's;
- a cProfile of ``analyse`` on ``--profile-size`` tracks (top 25 by cumulative time).

The distance and label rasters (built once per process and border, like the
data caches) are warmed before timing, by one run of ``analyse`` on 1,000 tracks.  A size is skipped when ``analyse`` would take more than five minutes
(extrapolated from the previous sizes).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from shapely.ops import substring  # noqa: E402

from geo.analysis import analyse as ga  # noqa: E402
from geo.reference import borders  # noqa: E402
from geo.reference.distancefield import segment_foot  # noqa: E402
from geo.reference.projection import GEOD, from_plane, to_plane  # noqa: E402

#: Seed of the synthetic tracks.
SEED = 20240713
#: Vertices per synthetic track (each one a stop).
N_VERTICES = 20
#: Distance between consecutive vertices (km).
STEP_KM = 15.0
#: Cruise speed the times are computed at (km/h).
SPEED_KMH = 170.0
#: The clock's zero of every synthetic track.
T0 = pd.Timestamp("2024-07-13T02:00:00", tz="UTC")
#: Targets from the issue.
TARGET_VS_MOVINGPANDAS = 200.0
TARGET_VS_FLOOR = 1.25
#: Skip a size when analyse is estimated to take longer than this (s).
MAX_SECONDS = 300.0


# ----------------------------------------------------------------------------- synthetic tracks


def _border_latitudes(lons: np.ndarray) -> np.ndarray:
    """Latitude of the BY–UA border on each meridian (its southernmost crossing)."""
    line = borders.shared_border("BY", "UA").geometry
    meridians = shapely.linestrings(np.stack([np.column_stack([lons, np.full_like(lons, 45.0)]),
                                              np.column_stack([lons, np.full_like(lons, 60.0)])], axis=1))
    hits, which = shapely.get_coordinates(shapely.intersection(meridians, line), return_index=True)
    lat = np.full(len(lons), np.inf)
    np.minimum.at(lat, which, hits[:, 1])
    return lat


def synthetic_tracks(n: int, *, seed: int = SEED) -> gpd.GeoDataFrame:
    """``n`` tracks in the format of :func:`geo.tracks.build.build_tracks`, crossing from Ukraine into Belarus."""
    rng = np.random.default_rng(seed)
    grid = np.round(np.arange(24.5, 31.0 + 1e-9, 0.01), 2)
    border_lat = _border_latitudes(grid)
    ok = np.isfinite(border_lat)
    grid, border_lat = grid[ok], border_lat[ok]
    pick = rng.integers(0, len(grid), n)
    south_km = rng.uniform(20.0, 80.0, n)
    heading = rng.uniform(-30.0, 30.0, n)
    jitter = rng.uniform(-5.0, 5.0, (n, N_VERTICES - 1))  # "roughly" north: a little wander per leg

    lon = np.empty((n, N_VERTICES))
    lat = np.empty((n, N_VERTICES))
    x, y, _ = GEOD.fwd(grid[pick], border_lat[pick], np.full(n, 180.0), south_km * 1000.0)
    lon[:, 0], lat[:, 0] = x, y
    for k in range(1, N_VERTICES):  # 19 array calls over all tracks
        x, y, _ = GEOD.fwd(lon[:, k - 1], lat[:, k - 1], heading + jitter[:, k - 1], np.full(n, STEP_KM * 1000.0))
        lon[:, k], lat[:, k] = x, y
    lon, lat = np.round(lon, 7), np.round(lat, 7)

    t_min = np.arange(N_VERTICES) * STEP_KM / SPEED_KMH * 60.0
    stop_index = np.arange(N_VERTICES)
    time_source = np.full(N_VERTICES, "reported", dtype=object)
    unc = np.full(N_VERTICES, 2.0)
    seg_status = np.full(N_VERTICES - 1, "reported", dtype=object)
    iso = [(T0 + pd.Timedelta(minutes=float(m))).isoformat() for m in t_min]
    labels = [f"waypoint {k}" for k in range(N_VERTICES)]
    rlon, rlat = np.round(lon, 5).tolist(), np.round(lat, 5).tolist()
    stops = [
        [{"label": labels[k], "kind": "coords", "status": "reported", "lon": xs[k], "lat": ys[k],
          "uncertainty_km": 2.0, "waypoint": k, "time": iso[k], "time_approx_min": None, "after_min": None,
          "role": "waypoint", "sources": [], "note": None, "matched": {}}
         for k in range(N_VERTICES)]
        for xs, ys in zip(rlon, rlat)
    ]

    def same(value) -> list:
        return [value] * n

    frame = gpd.GeoDataFrame(
        {
            "id": [f"synthetic-{i:06d}" for i in range(n)],
            "title": same("synthetic track"),
            "date": same(T0.date().isoformat()),
            "country": same("BY"),
            "origin": same("UA"),
            "drone": same("shahed-136"),
            "drone_name": same("Shahed-136"),
            "speed_min_kmh": same(150.0),
            "speed_max_kmh": same(185.0),
            "speed_typical_kmh": same(170.0),
            "speed_limit_kmh": same(225.0),
            "outcome": same(None),
            "stops": stops,
            "reported_distance_km": same(np.nan),
            "reported_distance_qualifier": same(None),
            "reported_duration_min": same(np.nan),
            "reported_duration_qualifier": same(None),
            "reported_depth_km": same(np.nan),
            "reported_depth_qualifier": same(None),
            "placed": same(True),
            "clock": same("absolute"),
            "t0": same(T0),
            # The per-vertex arrays are the same for every track: share them (analyse only reads them).
            "t_min": same(t_min),
            "time_source": same(time_source),
            "unc_km": same(unc),
            "depth_unc_km": same(unc),
            "seg_status": same(seg_status),
            "stop_index": same(stop_index),
        },
        geometry=shapely.linestrings(np.stack([lon, lat], axis=-1)),
        crs="EPSG:4326",
    )
    return frame


# ----------------------------------------------------------------------------- the floor


def _by_polygon():
    frame = borders.countries()
    return frame.loc[frame["country"] == "BY"].geometry.iloc[0]


class Border:
    """The BY–UA border as two-point segments in the conformal plane, in a shapely STRtree (built untimed)."""

    def __init__(self):
        line = borders.shared_border("BY", "UA").geometry
        coords, part = shapely.get_coordinates(shapely.get_parts(line), return_index=True)
        x, y = to_plane(coords[:, 0], coords[:, 1])
        xy = np.column_stack([x, y])
        same = part[1:] == part[:-1]
        self.starts, self.ends = xy[:-1][same], xy[1:][same]
        self.tree = shapely.STRtree(shapely.linestrings(np.stack([self.starts, self.ends], axis=1)))


def floor(tracks: gpd.GeoDataFrame, by_polygon, border: Border) -> dict:
    """Length, crossings, inside flags and depth of every track with array calls only.

    Depth is the geodesic distance from every vertex inside Belarus to the
    nearest point of the BY–UA border, found in the conformal plane by one
    ``STRtree.query_nearest`` call (shapely 2 array calls, as the issue defines
    the floor), measured to that point with one ``Geod.inv``.
    """
    coords, part = shapely.get_coordinates(tracks.geometry.to_numpy(), return_index=True)
    lon, lat = coords[:, 0], coords[:, 1]
    n = len(tracks)
    starts = np.flatnonzero(np.r_[True, part[1:] != part[:-1]])
    same = part[1:] == part[:-1]
    _, _, metres = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    length_km = np.bincount(part[:-1], weights=np.where(same, metres, 0.0), minlength=n) / 1000.0
    inside = shapely.contains_xy(by_polygon, lon, lat)
    crossings = np.bincount(part[:-1], weights=(same & (inside[1:] != inside[:-1])), minlength=n).astype(int)
    depth = np.full(len(lon), -np.inf)
    x, y = to_plane(lon[inside], lat[inside])
    _, seg = border.tree.query_nearest(shapely.points(x, y), all_matches=False)
    fx, fy = segment_foot(x, y, border.starts[seg], border.ends[seg])
    blon, blat = from_plane(fx, fy)
    _, _, m = GEOD.inv(lon[inside], lat[inside], blon, blat)
    depth[inside] = np.asarray(m) / 1000.0
    depth_km = np.maximum.reduceat(depth, starts)
    depth_km[~np.isfinite(depth_km)] = np.nan
    return {"length_km": length_km, "crossings": crossings, "depth_km": depth_km}


# ----------------------------------------------------------------------------- MovingPandas


def movingpandas_points(tracks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The tracks as the points GeoDataFrame a MovingPandas user starts from."""
    coords, part = shapely.get_coordinates(tracks.geometry.to_numpy(), return_index=True)
    t_min = np.concatenate(tracks["t_min"].to_numpy())
    # MovingPandas 0.23 under pandas 3 mis-splits tracks whose timestamps are whole
    # seconds unless they are nanoseconds: convert explicitly.
    t = (T0.tz_convert(None) + pd.to_timedelta(t_min, unit="min")).as_unit("ns")
    return gpd.GeoDataFrame({"track_id": tracks["id"].to_numpy()[part], "t": t},
                            geometry=shapely.points(coords), crs="EPSG:4326")


def movingpandas_analysis(points: gpd.GeoDataFrame, by_polygon) -> pd.DataFrame:
    """What a MovingPandas user would write: length, clip to Belarus, each part's duration and length."""
    import movingpandas as mpd

    collection = mpd.TrajectoryCollection(points, traj_id_col="track_id", t="t")
    rows = []
    for traj in collection.trajectories:  # MovingPandas' own idiom: one object per track
        parts = traj.clip(by_polygon)
        rows.append({
            "id": traj.id,
            "length_km": traj.get_length() / 1000.0,
            "parts": len(parts.trajectories),
            "inside_km": sum(p.get_length() for p in parts.trajectories) / 1000.0,
            "inside_minutes": sum(p.get_duration().total_seconds() for p in parts.trajectories) / 60.0,
        })
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- checks


def exact_split(tracks: gpd.GeoDataFrame, by_polygon) -> pd.DataFrame:
    """The reference for km inside Belarus and crossings: shapely's exact split of each line by the polygons.

    ``inside_km`` is the geodesic length of ``intersection(line, Belarus)``.
    ``crossings`` counts the changes between Belarus and another country along
    the line, as ``analyse`` defines a crossing: the line is cut where it meets
    Belarus's boundary, each part is Belarus, another country (it meets one),
    or none (a no-country strip along a river, skipped over).
    """
    lines = tracks.geometry.to_numpy()
    parts = shapely.intersection(lines, by_polygon)
    inside = np.array([GEOD.geometry_length(p) / 1000.0 for p in parts])
    others = _other_countries()
    crossings = np.zeros(len(lines), int)
    for i, line in enumerate(lines):
        hits = shapely.get_coordinates(shapely.intersection(line, by_polygon.boundary))
        if not len(hits):
            continue
        cuts = np.unique(np.r_[0.0, shapely.line_locate_point(line, shapely.points(hits)), line.length])
        states = []
        for a, b in zip(cuts[:-1], cuts[1:]):
            middle = shapely.line_interpolate_point(line, (a + b) / 2)
            if shapely.contains(by_polygon, middle):
                states.append("BY")
            elif shapely.intersects(others, substring(line, a, b)):  # prepared: quick
                states.append("other")
        crossings[i] = sum(x != y for x, y in zip(states[:-1], states[1:]))
    return pd.DataFrame({"inside_km": inside, "crossings": crossings})


def _other_countries():
    """Every shipped country but Belarus, as one prepared geometry."""
    frame = borders.countries()
    union = shapely.union_all(frame.loc[frame["country"] != "BY"].geometry.to_numpy())
    shapely.prepare(union)
    return union


def sanity_check(by_polygon, border: Border) -> None:
    """Run analyse on 10 synthetic tracks and compare with the exact split, the floor and MovingPandas."""
    tracks = synthetic_tracks(10)
    result = ga.analyse(tracks)
    ref = floor(tracks, by_polygon, border)
    exact = exact_split(tracks, by_polygon)
    expected_len = (N_VERTICES - 1) * STEP_KM
    problems = []
    print("sanity check on 10 synthetic tracks (exact: shapely's split of the line by the Belarus polygon; "
          "floor: vertices only):")
    print(f"  {'id':<16} {'len km':>7} {'cross':>5} {'exact':>5} {'floor':>5} {'depth km':>8} {'floor':>8} "
          f"{'in km':>6} {'exact':>6} {'in min':>6} {'speeds':>6}")
    for i, row in result.iterrows():
        n_by = sum(1 for c in row["crossings"] if "BY" in (c["from"], c["to"]))
        print(f"  {row['id']:<16} {row['length_km']:7.1f} {n_by:5d} {exact['crossings'][i]:5d} "
              f"{ref['crossings'][i]:5d} {row['depth_km']:8.2f} {ref['depth_km'][i]:8.2f} {row['inside_km']:6.1f} "
              f"{exact['inside_km'][i]:6.1f} {row['inside_minutes']:6.1f} {len(row['speeds']):6d}")
        if abs(row["length_km"] - expected_len) > 0.01:
            problems.append(f"{row['id']}: length {row['length_km']:.3f} km, expected {expected_len:.1f}")
        if abs(row["length_km"] - ref["length_km"][i]) > 1e-6:
            problems.append(f"{row['id']}: length differs from the floor")
        if n_by != exact["crossings"][i]:
            problems.append(f"{row['id']}: {n_by} BY crossings, the exact split has {exact['crossings'][i]}")
        if abs(row["inside_km"] - exact["inside_km"][i]) > 0.1:
            problems.append(f"{row['id']}: inside_km {row['inside_km']:.3f}, exact {exact['inside_km'][i]:.3f}")
        # Depth over the continuous track is at least the deepest vertex's (the floor's).
        if not (np.isnan(row["depth_km"]) and np.isnan(ref["depth_km"][i])) and \
                not row["depth_km"] >= ref["depth_km"][i] - 1e-6:
            problems.append(f"{row['id']}: depth {row['depth_km']} below the floor's vertex depth {ref['depth_km'][i]}")
        # Times are cumulative km at SPEED_KMH; coordinates rounded to 1e-7 degrees shift lengths by ~1e-6.
        if abs(row["inside_minutes"] - row["inside_km"] / SPEED_KMH * 60) > 1e-4:
            problems.append(f"{row['id']}: inside minutes do not match inside km at {SPEED_KMH:.0f} km/h")
        lo, hi = row["length_km_range"]
        if not lo <= row["length_km"] <= hi:
            problems.append(f"{row['id']}: length {row['length_km']:.1f} outside its range {lo:.1f}-{hi:.1f}")
        if any(abs(s["kmh"] - SPEED_KMH) > 1 for s in row["speeds"]):
            problems.append(f"{row['id']}: an implied speed differs from {SPEED_KMH:.0f} km/h")
        if any(c["status"] in ("warn", "contradicts") for c in row["checks"]):
            problems.append(f"{row['id']}: a check says the (consistent) synthetic report is wrong")
    mp = movingpandas_analysis(movingpandas_points(tracks), by_polygon).set_index("id").loc[result["id"]]
    dlen = np.abs(mp["length_km"].to_numpy() - result["length_km"].to_numpy())
    din = np.abs(mp["inside_km"].to_numpy() - result["inside_km"].to_numpy())
    print(f"  MovingPandas vs analyse: length differs by <= {dlen.max():.3f} km, "
          f"km inside Belarus by <= {din.max():.3f} km (both split the line where it meets the border)")
    if dlen.max() > 0.01:
        problems.append(f"MovingPandas length differs by {dlen.max():.3f} km")
    if din.max() > 0.1:
        problems.append(f"MovingPandas km inside differs by {din.max():.3f} km")
    if problems:
        print("  PROBLEMS:\n    " + "\n    ".join(problems))
    else:
        print("  all consistent")
    print()


def accuracy(n: int, by_polygon) -> None:
    """On ``n`` tracks: how far analyse's km inside Belarus and crossing counts are from the exact split."""
    tracks = synthetic_tracks(n)
    result = ga.analyse(tracks)
    exact = exact_split(tracks, by_polygon)
    off = np.abs(result["inside_km"].to_numpy(float) - exact["inside_km"].to_numpy())
    count = np.array([sum(1 for c in cs if "BY" in (c["from"], c["to"])) for cs in result["crossings"]])
    wrong = int(np.sum(count != exact["crossings"].to_numpy()))
    print(f"accuracy on {n:,} tracks against the exact split: km inside Belarus differs by more than 0.1 km on "
          f"{int(np.sum(off > 0.1)):,} tracks ({np.mean(off > 0.1):.1%}; at most {off.max():.4f} km); "
          f"crossing count differs on {wrong:,}; {int(np.sum(exact['crossings'] > 1)):,} tracks cross "
          f"Belarus's boundary more than once")
    print()


# ----------------------------------------------------------------------------- timing


def _timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def _timed_cpu(fn, *args) -> tuple[float, float, object]:
    """Wall seconds, processor seconds (all threads) and the result of one call."""
    cpu, start = time.process_time(), time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, time.process_time() - cpu, out


def _estimate(history: list[tuple[int, float]], n: int) -> float:
    """Seconds analyse would take on n tracks, from the sizes already timed."""
    (n1, t1) = history[-1]
    exponent = 1.0
    if len(history) >= 2:
        n0, t0 = history[-2]
        if n1 > n0 and t1 > 0 and t0 > 0:
            exponent = max(1.0, np.log(t1 / t0) / np.log(n1 / n0))
    return t1 * (n / n1) ** exponent


def profile(n: int, *, top: int = 25) -> None:
    tracks = synthetic_tracks(n)
    profiler = cProfile.Profile()
    profiler.enable()
    ga.analyse(tracks)
    profiler.disable()
    for key in ("cumulative", "tottime"):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(key).print_stats(top)
        text = buffer.getvalue()
        print(f"cProfile of analyse on {n:,} tracks, top {top} by {key}:")
        print(text[text.find("   ncalls"):].rstrip())
        print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--mp-size", type=int, default=1000, help="tracks for the MovingPandas baseline")
    parser.add_argument("--quick", action="store_true", help="skip sizes above 10,000")
    parser.add_argument("--profile-size", type=int, default=10000)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--accuracy-size", type=int, default=10000,
                        help="tracks to compare with shapely's exact split (0: skip)")
    parser.add_argument("--repeat", type=int, default=3, help="time analyse this many times, keep the best")
    args = parser.parse_args()
    sizes = sorted(s for s in args.sizes if not (args.quick and s > 10000))
    # MovingPandas warns about optional dependencies and, on every clip, about dropping nanoseconds.
    warnings.filterwarnings("ignore", category=UserWarning, module="movingpandas")
    warnings.filterwarnings("ignore", message="Missing optional dependencies")
    warnings.filterwarnings("ignore", message="Discarding nonzero nanoseconds")

    by_polygon = _by_polygon()
    shapely.prepare(by_polygon)
    border = Border()
    # Warm the data caches (reading the data is bench_load's business), including the
    # distance rasters analyse and nearest_border_point build once per process.
    ga.analyse(synthetic_tracks(1000))  # large enough to build every raster analyse uses at scale
    for neighbour in ("UA", None):
        borders.distance_bounds_km([27.5], [53.9], "BY", neighbour=neighbour)
    many = np.full(borders.GRID_POINTS, 27.5), np.full(borders.GRID_POINTS, 53.9)
    borders.country_at(*many), borders.region_at(*many)
    sanity_check(by_polygon, border)
    if args.accuracy_size:
        accuracy(args.accuracy_size, by_polygon)

    mp_tracks = synthetic_tracks(args.mp_size)
    points = movingpandas_points(mp_tracks)
    mp_seconds, _ = _timed(movingpandas_analysis, points, by_polygon)
    mp_rate = args.mp_size / mp_seconds
    print(f"MovingPandas on {args.mp_size:,} tracks: {mp_seconds:.2f} s, {mp_rate:,.1f} tracks/s")

    rows, history = [], []
    for n in sizes:
        if history and (guess := _estimate(history, n)) > MAX_SECONDS:
            print(f"{n:,} tracks: skipped, analyse would take about {guess:,.0f} s (> {MAX_SECONDS:.0f} s)")
            continue
        tracks = synthetic_tracks(n)
        floors, runs = [], []
        for _ in range(max(1, args.repeat)):  # in turn, so both see the same spells of the machine
            floors.append(_timed_cpu(floor, tracks, by_polygon, border))
            runs.append(_timed_cpu(ga.analyse, tracks))
        floor_seconds, floor_cpu, ref = min(floors, key=lambda r: r[0])
        seconds, cpu, result = min(runs, key=lambda r: r[0])
        history.append((n, seconds))
        # Where analyse measures from the BY–UA border, as the floor does (not where it entered from elsewhere).
        same = result["depth_from"].to_numpy(object) == "UA" if "depth_from" in result else np.ones(n, bool)
        deeper = np.where(same, result["depth_km"].to_numpy(float) - ref["depth_km"], np.nan)
        crossed = int(np.sum(np.isfinite(ref["depth_km"])))
        print(f"{n:,} tracks: analyse {seconds:.2f} s, floor {floor_seconds:.3f} s; {crossed:,} tracks enter "
              f"Belarus ({int(np.sum(~same)):,} first from another country than Ukraine); depth over the "
              f"continuous track is deeper than the deepest vertex (the floor's) by > 0.01 km on "
              f"{int(np.nansum(deeper > 0.01)):,} of the others (at most {np.nanmax(deeper):.2f} km), never "
              f"shallower (min {np.nanmin(deeper):+.4f} km)")
        rows.append((n, n / seconds, n / floor_seconds, cpu / floor_cpu))

    print()
    print(f"tracks/s (MovingPandas measured on {args.mp_size:,} tracks)")
    print(f"{'tracks':>8} {'analyse':>10} {'floor':>10} {'MovingPandas':>12} {'analyse/MP':>11} {'floor/analyse':>13} "
          f"{'CPU analyse/floor':>17}")
    for n, rate, floor_rate, cpu_ratio in rows:
        print(f"{n:>8,} {rate:>10,.0f} {floor_rate:>10,.0f} {mp_rate:>12,.1f} {rate / mp_rate:>10,.1f}x "
              f"{floor_rate / rate:>12,.2f}x {cpu_ratio:>16,.2f}x")
    print()
    print(f"targets: analyse >= {TARGET_VS_MOVINGPANDAS:.0f}x MovingPandas; floor/analyse <= {TARGET_VS_FLOOR:.2f}x")
    for n, rate, floor_rate, _ in rows:
        vs_mp, vs_floor = rate / mp_rate, floor_rate / rate
        print(f"{n:>8,}: vs MovingPandas {vs_mp:,.1f}x -> {'met' if vs_mp >= TARGET_VS_MOVINGPANDAS else 'NOT met'}; "
              f"vs floor {vs_floor:,.2f}x -> {'met' if vs_floor <= TARGET_VS_FLOOR else 'NOT met'}")
    print()

    if not args.no_profile:
        profile(args.profile_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
