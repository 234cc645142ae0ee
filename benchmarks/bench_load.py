"""Benchmark: how long the reference data takes to load, against the staged GeoJSON.

Run::

    python benchmarks/bench_load.py [--repeat 5]

Each measurement runs in a fresh Python process (so nothing is cached in
memory), imports the libraries first, and then times only the reading of the
data one run of ``geo`` needs: countries, regions, borders, and the gazetteer's
two tables.  The baseline, in the same run, reads the same content from the
staged sources the way a naive tool would (GeoJSON + TSV).  Target: < 0.3 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHIPPED = """
import time, geopandas, pandas, pyarrow.parquet
from geo.reference import borders
from geo.geocoding.gazetteer import Gazetteer
t = time.perf_counter()
borders.countries(), borders.regions(), borders.borders()
Gazetteer().tables  # both gazetteer tables, with the lookup index built
print(time.perf_counter() - t)
"""

STAGED = """
import time, geopandas, pandas, pyogrio
src = {src!r}
t = time.perf_counter()
geopandas.read_file(src + "/osm-geo-maps/countries-maritime-10m.east-europe.geojson")
geopandas.read_file(src + "/natural-earth-10m/ne_10m_admin_1_states_provinces.east-europe.geojson")
pandas.read_csv(src + "/geonames/cities500.east-europe.tsv", sep="\\t")
print(time.perf_counter() - t)
"""


def run(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sources", default=str(ROOT.parent / "shared" / "data-sources"))
    args = parser.parse_args()
    shipped = [run(SHIPPED) for _ in range(args.repeat)]
    print(f"shipped data (GeoParquet/Parquet): median {statistics.median(shipped):.3f} s "
          f"(min {min(shipped):.3f}, max {max(shipped):.3f}) over {args.repeat} fresh processes")
    if Path(args.sources).exists():
        staged = [run(STAGED.format(src=args.sources)) for _ in range(args.repeat)]
        print(f"baseline, staged GeoJSON + TSV:   median {statistics.median(staged):.3f} s "
              f"(regions and gazetteer not yet built: a lower bound)")
        print(f"ratio baseline / shipped: {statistics.median(staged) / statistics.median(shipped):.1f}x")
    target = 0.3
    verdict = "meets" if statistics.median(shipped) < target else "MISSES"
    print(f"target < {target} s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
