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

from typing import TYPE_CHECKING

from geo.errors import DataError

__all__ = ["data_dir", "data_path", "seeds_dir", "read_geoparquet", "COUNTRIES", "REGIONS", "BORDERS", "PLACES", "PLACE_NAMES"]

COUNTRIES = "countries.parquet"
REGIONS = "regions.parquet"
BORDERS = "borders.parquet"
PLACES = "places.parquet"
PLACE_NAMES = "place_names.parquet"

_PACKAGE = Path(__file__).resolve().parents[1]  # geo/


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
    return _shipped_dir()


@lru_cache(maxsize=1)
def _shipped_dir() -> Path:
    """Where the shipped data is: looked up once (every border lookup asks for a file's path)."""
    for candidate in (_PACKAGE / "data", _PACKAGE.parent / "data"):
        if (candidate / COUNTRIES).exists():
            return candidate
    return _PACKAGE.parent / "data"


def seeds_dir() -> Path:
    """The incident reports shipped with the project (July 2024, Belarus).

    ``geo/seeds`` inside an installed wheel, ``seeds/`` in a checkout.
    """
    here = _PACKAGE
    for candidate in (here / "seeds", here.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    raise DataError(f"{here.parent / 'seeds'}: the shipped seed reports are missing; reinstall geo")


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


if TYPE_CHECKING:  # geopandas is imported lazily: the gazetteer alone does not need it
    import geopandas as gpd


@lru_cache(maxsize=1)
def _wgs84():
    from pyproj import CRS

    return CRS.from_epsg(4326)


def read_geoparquet(path: Path) -> gpd.GeoDataFrame:
    """Read one of the shipped GeoParquet files (WKB ``geometry``, EPSG:4326).

    Faster than :func:`geopandas.read_parquet` for these small files because it
    skips parsing the CRS stored in each file: the build writes EPSG:4326 only.
    """
    import geopandas as gpd
    import pyarrow.parquet as pq
    import shapely

    try:
        table = pq.ParquetFile(path).read()
    except OSError as err:
        raise DataError(f"{path}: cannot read reference data ({err}); rebuild it with "
                        "'python scripts/build_data.py'") from err
    geometry = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    frame = table.drop(["geometry"]).to_pandas()
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=_wgs84())
