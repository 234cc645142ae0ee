"""The sha256 of every output geo makes from the shipped seeds: a fingerprint for refactoring.

Run from the checkout::

    python scripts/output_hashes.py                     # print the fingerprint (JSON)
    python scripts/output_hashes.py --write FILE        # record it
    python scripts/output_hashes.py --check FILE        # compare with a record; exit 1 on a difference

It runs the CLI as a user would, each command in its own process, on the
seeds (``seeds/``): ``geo analyze -f json``; ``geo map`` online, offline and
with ``--embed``; ``geo image`` to SVG and PNG; ``geo export`` to GeoJSON,
CSV, KML, KMZ and GeoPackage.  A move that changes no behaviour keeps every
hash; a step that changes an output on purpose says which, and why, in its
commit message, and records the new fingerprint.

The hashes hold on one machine's library versions (matplotlib's SVG and
PNG writers, GDAL's GeoPackage writer and folium's HTML can change between
releases), so this is a tool for a refactoring session, not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Output file name -> the geo command line that writes it (``{out}`` is the file).
COMMANDS = {
    "analyze.json": None,  # stdout of ``geo analyze -f json``
    "map.html": ["map", "-o", "{out}"],
    "map-offline.html": ["map", "--offline", "-o", "{out}"],
    "map-embed.html": ["map", "--embed", "-o", "{out}"],
    "map-embed.embed.html": None,  # written beside map-embed.html
    "image.svg": ["image", "-o", "{out}"],
    "image.png": ["image", "-o", "{out}"],
    "export.geojson": ["export", "-o", "{out}"],
    "export.csv": ["export", "-o", "{out}"],
    "export.kml": ["export", "-o", "{out}"],
    "export.kmz": ["export", "-o", "{out}"],
    "export.gpkg": ["export", "-o", "{out}"],
}


def _geo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from geo.cli import main; main()", *args], cwd=ROOT,
                          capture_output=True, check=True)


def fingerprint() -> dict[str, str]:
    """The sha256 of each output in :data:`COMMANDS`, by file name."""
    with tempfile.TemporaryDirectory(prefix="geo-hashes-") as tmp:
        out = Path(tmp)
        (out / "analyze.json").write_bytes(_geo("analyze", "-f", "json").stdout)
        for name, command in COMMANDS.items():
            if command:
                _geo(*(part.replace("{out}", str(out / name)) for part in command))
        return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in COMMANDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path, help="record the fingerprint in this JSON file")
    group.add_argument("--check", type=Path, help="compare with the fingerprint recorded in this JSON file")
    args = parser.parse_args(argv)
    hashes = fingerprint()
    if args.check:
        recorded = json.loads(args.check.read_text(encoding="utf-8"))
        changed = sorted(k for k in set(recorded) | set(hashes) if recorded.get(k) != hashes.get(k))
        for name in changed:
            print(f"{name}: {recorded.get(name, 'absent')} -> {hashes.get(name, 'absent')}")
        print("identical" if not changed else f"{len(changed)} of {len(hashes)} outputs differ")
        return 1 if changed else 0
    text = json.dumps(hashes, indent=2, sort_keys=True) + "\n"
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
