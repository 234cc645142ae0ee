"""One OnlineGeocoder in a process of its own, for the cross-process tests in test_geocode_online.

Run as ``python -m tests.geocode_worker JOB`` where JOB is a JSON object with the
keyword arguments of :class:`geo.geocoding.geocode.OnlineGeocoder` under ``"options"`` and
the place names to look up, in order, under ``"names"``.  The worker builds its
geocoder, prints ``ready``, waits for one line on stdin (so that the test can
start every worker at the same moment, after their imports), geocodes the names
and prints one JSON line: the ``place_id`` of each answer, or null for a miss.
A failure goes to stderr and exits with status 1.
"""

from __future__ import annotations

import json
import sys

from geo.errors import GeoError
from geo.geocoding.geocode import OnlineGeocoder


def main(argv: list[str]) -> int:
    """Run the job in ``argv[0]``; return the exit status."""
    job = json.loads(argv[0])
    geocoder = OnlineGeocoder(**job["options"])
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        found = [geocoder.geocode(name) for name in job["names"]]
    except GeoError as err:
        print(f"geocode_worker: {err}", file=sys.stderr)
        return 1
    print(json.dumps([location and location.raw["place_id"] for location in found]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
