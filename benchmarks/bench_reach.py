"""Benchmark and accuracy check of :mod:`geo.analysis.reach` (the reachability figure).

Run from the checkout (not a test)::

    python benchmarks/bench_reach.py [--pairs 200] [--depth-pairs 6] [--step-km 0.25] [--seed 7]

Measures, on random pairs of timed fixes around the Belarus-Ukraine border
(fixed seed):

- the ellipse boundary: the largest ``| |F1 P| + |P F2| - L |`` over every
  vertex of ``--pairs`` ellipses (foci 1-600 km apart, ``L/d`` from 1.0001 to
  10), measured with ``pyproj.Geod``;
- the depth (farthest distance from the BY-UA border, and from Belarus's whole
  boundary, over the region inside Belarus) against a brute-force grid search
  (``--step-km`` spacing; membership by ``Geod`` sums and ``shapely.contains_xy``,
  distance by shapely in UTM 35N); the grid can only find less than the
  maximum, so ``geo - grid`` should lie in ``[-0.05, grid spacing]``;
- the time per pair of :func:`geo.analysis.reach.reach_pair` (warm caches).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod, Transformer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.analysis.reach import Fix, ellipse_boundary, reach_pair
from tests.reference import border_line, country_polygons

GEOD = Geod(ellps="WGS84")
UTM35 = Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True)


def fix(lon, lat, t, unc=0.0):
    return Fix(stop=0, label="f", lon=lon, lat=lat, unc_km=unc, t_min=t, approx_min=0.0, after=False,
               status="reported", time_source="reported")


def sums_km(lon, lat, f1, f2):
    n = len(lon)
    _, _, a = GEOD.inv(np.full(n, f1[0]), np.full(n, f1[1]), lon, lat)
    _, _, b = GEOD.inv(lon, lat, np.full(n, f2[0]), np.full(n, f2[1]))
    return (np.asarray(a) + np.asarray(b)) / 1000.0


def ellipse_accuracy(rng, pairs):
    worst = 0.0
    for _ in range(pairs):
        lon1, lat1 = rng.uniform(22, 34), rng.uniform(48, 57)
        d = rng.uniform(1, 600)
        total = d * math.exp(rng.uniform(math.log(1.0001), math.log(10)))
        lon2, lat2, _ = GEOD.fwd(lon1, lat1, rng.uniform(-180, 180), d * 1000)
        lon, lat = ellipse_boundary(lon1, lat1, lon2, lat2, total)
        worst = max(worst, float(np.abs(sums_km(lon, lat, (lon1, lat1), (lon2, lat2)) - total).max()))
    return worst


def segments_tree(line):
    xy, part = shapely.get_coordinates(shapely.get_parts(line), return_index=True)
    x, y = UTM35.transform(xy[:, 0], xy[:, 1])
    xy = np.column_stack([x, y])
    same = part[1:] == part[:-1]
    return shapely.STRtree(shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1)))


def grid_depth(f1, f2, total, step_km, by, trees):
    lat0 = (f1[1] + f2[1]) / 2
    half_lat, half_lon = total / 2 / 111.0 + 0.1, total / 2 / (111.0 * math.cos(math.radians(lat0 + 3))) + 0.1
    lon0 = (f1[0] + f2[0]) / 2
    dlat, dlon = step_km / 111.2, step_km / (111.2 * math.cos(math.radians(lat0)))
    lon, lat = np.meshgrid(np.arange(lon0 - half_lon, lon0 + half_lon, dlon),
                           np.arange(lat0 - half_lat, lat0 + half_lat, dlat))
    lon, lat = lon.ravel(), lat.ravel()
    keep = shapely.contains_xy(by, lon, lat)
    lon, lat = lon[keep], lat[keep]
    keep = sums_km(lon, lat, f1, f2) <= total
    x, y = UTM35.transform(lon[keep], lat[keep])
    out = []
    for tree in trees:
        _, dist = tree.query_nearest(shapely.points(x, y), return_distance=True, all_matches=False)
        out.append(float(dist.max() / 1000.0) if len(dist) else math.nan)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--depth-pairs", type=int, default=6)
    parser.add_argument("--step-km", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    worst = ellipse_accuracy(rng, args.pairs)
    print(f"ellipse boundary: max | |F1P|+|PF2| - L | over {args.pairs} ellipses = {worst * 1000:.4f} m")

    by = country_polygons()["BY"]
    shapely.prepare(by)
    trees = [segments_tree(border_line("BY", "UA")), segments_tree(border_line("BY"))]
    reach_pair(fix(29.45, 51.55, 0), fix(29.6, 52.4, 60), 200.0, "BY", "UA")  # warm the caches
    times, diffs = [], []
    print(f"{'path km':>8} {'depth':>9} {'grid':>9} {'any':>9} {'grid':>9} {'err bound':>9} {'s/pair':>7}")
    for _ in range(args.depth_pairs):
        lon1, lat1 = rng.uniform(25.0, 31.0), rng.uniform(51.2, 52.0)
        lon2, lat2, _ = GEOD.fwd(lon1, lat1, rng.uniform(-40, 40), rng.uniform(20, 150) * 1000)
        minutes = rng.uniform(20, 90)
        t = time.perf_counter()
        pair = reach_pair(fix(lon1, lat1, 0), fix(lon2, lat2, minutes), 200.0, "BY", "UA")
        times.append(time.perf_counter() - t)
        if pair["ellipse"] is None:
            continue
        grid, grid_any = grid_depth((lon1, lat1), (lon2, lat2), pair["max_path_km"], args.step_km, by, trees)
        diffs += [pair["depth_km"] - grid, pair["depth_any_km"] - grid_any]
        print(f"{pair['max_path_km']:8.1f} {pair['depth_km']:9.3f} {grid:9.3f} {pair['depth_any_km']:9.3f} "
              f"{grid_any:9.3f} {pair['depth_error_km']:9.3f} {times[-1]:7.3f}")
    diffs = np.array(diffs)
    finite = diffs[np.isfinite(diffs)]
    print(f"depth - grid: min {finite.min():+.3f} km, max {finite.max():+.3f} km "
          f"(grid spacing {args.step_km} km); median time per pair {np.median(times):.3f} s")
    ok = worst < 0.001 and finite.min() >= -0.05 and finite.max() <= args.step_km
    print("target (boundary < 1 m, depth within [-0.05 km, grid spacing] of the grid):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
