"""Benchmark the offline gazetteer: load time and warm lookups per second.

Run from the checkout (not a test)::

    python benchmarks/bench_gazetteer.py [--seconds 2]

Measures, in one run:

- the time to read ``places.parquet`` and ``place_names.parquet``, and to
  build the lookup indexes (``Gazetteer().tables``);
- warm lookups/s of :meth:`Gazetteer.geocode` over a mixed list of real
  queries (exact, folded, Cyrillic, hinted, country-restricted), repeated;
- warm lookups/s over distinct spellings sampled from the names table, with
  the query memo cleared first, so no query is answered from a cache;
- a naive baseline: a linear scan that folds every spelling for each query
  and compares keys.  It is timed on a slice of the names table and
  extrapolated linearly to the whole table (the scan is linear by design).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyarrow.parquet as pq  # noqa: E402

from geo import gazetteer as gz  # noqa: E402
from geo.datafiles import PLACE_NAMES, PLACES, data_path  # noqa: E402
from geo.names import fold_keys  # noqa: E402

MIXED_QUERIES: list[tuple[str, dict]] = [
    ("Minsk", {}),
    ("Homel", {}),
    ("Gomel", {}),
    ("Loyew", {}),
    ("Mogilev", {}),
    ("Vitebsk", {}),
    ("Chernihiv", {}),
    ("Luninets", {}),
    ("Naroulia", {}),  # folded
    ("Zhlobyn", {}),  # folded
    ("Mahiliou", {}),
    ("Vitsebsk", {}),
    ("Лоеў", {}),  # Cyrillic
    ("Наровля", {}),
    ("Гомель", {}),
    ("Чернігів", {}),
    ("Brest", {"hint": "BY"}),  # hinted
    ("Gorki", {"hint": "BY"}),
    ("Horki", {"hint": "BY-MA"}),
    ("Minsk", {"country_codes": ["BY", "UA"]}),  # restricted
    ("Polesie State Radioecological Reserve", {}),
    ("PSRER", {}),
]


def rate(function, items, seconds: float) -> float:
    """Calls per second of ``function(item)`` cycled over ``items`` for about ``seconds``."""
    done, start = 0, time.perf_counter()
    while True:
        for item in items:
            function(item)
        done += len(items)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def naive_lookup(query: str, keys_of, variants: list[str]) -> list[int]:
    """Baseline: fold every spelling (no index, no memo) and compare with the query's keys."""
    wanted = set(keys_of(query))
    return [row for row, variant in enumerate(variants) if wanted & set(keys_of(variant))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement (default 2)")
    args = parser.parse_args()

    start = time.perf_counter()
    pq.ParquetFile(data_path(PLACES)).read()
    names = pq.ParquetFile(data_path(PLACE_NAMES)).read()
    read_s = time.perf_counter() - start
    gazetteer = gz.Gazetteer()
    start = time.perf_counter()
    gazetteer.tables
    load_s = time.perf_counter() - start
    print(f"read places + names parquet:      {read_s * 1000:7.1f} ms")
    print(f"Gazetteer load + indexes:         {load_s * 1000:7.1f} ms "
          f"({len(gazetteer):,} places, {names.num_rows:,} name rows)")

    def lookup(item):
        query, options = item
        return gazetteer.geocode(query, **options)

    for item in MIXED_QUERIES:  # warm up, and check every query resolves
        lookup(item)
    mixed = rate(lookup, MIXED_QUERIES, args.seconds)
    print(f"mixed real queries (memoised):    {mixed:10,.0f} lookups/s  ({len(MIXED_QUERIES)} queries)")

    variants = names.column("variant").to_pylist()
    distinct = random.Random(0).sample(sorted(set(variants)), 20_000)
    gz._normalise.cache_clear()
    fold_keys.cache_clear()
    start = time.perf_counter()
    for query in distinct:
        gazetteer.geocode(query, exactly_one=False, limit=5)
    fresh = len(distinct) / (time.perf_counter() - start)
    print(f"distinct spellings (no memo):     {fresh:10,.0f} lookups/s  ({len(distinct):,} queries, each once)")

    fold_uncached = fold_keys.__wrapped__
    subset = variants[:5_000]
    queries = [query for query, _ in MIXED_QUERIES[:4]]
    start = time.perf_counter()
    for query in queries:
        naive_lookup(query, fold_uncached, subset)
    per_query_s = (time.perf_counter() - start) / len(queries) * len(variants) / len(subset)
    baseline = 1 / per_query_s
    print(f"naive linear scan (extrapolated): {baseline:10,.2f} lookups/s  "
          f"(timed on {len(subset):,} of {len(variants):,} rows x {len(queries)} queries)")
    print(f"speed-up: {mixed / baseline:,.0f}x (mixed), {fresh / baseline:,.0f}x (distinct)")


if __name__ == "__main__":
    main()
