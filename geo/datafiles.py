"""Where the shipped reference data lives, and how to read it.

The files in ``data/`` are built by ``scripts/build_data.py`` from the staged
sources and are installed inside the package as ``geo/data``.  In a checkout or
an editable install they are found beside the package instead.  The environment
variable ``GEO_DATA_DIR`` overrides both (useful for testing a rebuilt copy).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .errors import DataError

__all__ = ["data_dir", "data_path", "COUNTRIES", "REGIONS", "BORDERS", "PLACES", "PLACE_NAMES"]

COUNTRIES = "countries.parquet"
REGIONS = "regions.parquet"
BORDERS = "borders.parquet"
PLACES = "places.parquet"
PLACE_NAMES = "place_names.parquet"


def data_dir() -> Path:
    """Return the directory holding the reference data.

    Returns
    -------
    pathlib.Path
        ``$GEO_DATA_DIR`` if set, else ``geo/data`` inside an installed wheel,
        else ``data/`` beside the package in a source checkout.
    """
    override = os.environ.get("GEO_DATA_DIR")
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / COUNTRIES).exists():
            return candidate
    return here.parent / "data"


def data_path(name: str) -> Path:
    """Return the path of one reference file, or raise :class:`DataError`.

    Examples
    --------
    >>> data_path(COUNTRIES).name
    'countries.parquet'
    """
    path = data_dir() / name
    if not path.exists():
        raise DataError(
            f"{path}: reference data file is missing; rebuild it with "
            "'python scripts/build_data.py' or set GEO_DATA_DIR"
        )
    return path
