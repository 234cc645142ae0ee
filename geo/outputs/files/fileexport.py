"""Write tracks and figures to a file in the format its extension names (GeoJSON, GeoPackage, CSV, KML, KMZ).

The dispatcher over the file outputs: :mod:`geo.outputs.files.export` (JSON, GeoJSON,
CSV), :mod:`geo.outputs.files.layers` (GeoPackage) and :mod:`geo.outputs.files.kml` (KML, KMZ), which do
not import each other's writers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.atomic import check_target, write_atomic
from geo.errors import ExportError
from geo.outputs.files.export import to_csv, to_geojson
from geo.outputs.files.kml import to_kml, to_kmz
from geo.outputs.files.layers import layers, stamp, write_gpkg
from geo.present.figures import check_figures

__all__ = ["EXPORT_FORMATS", "export_format", "write_export"]

#: File extensions :func:`write_export` knows, and the format each writes.
EXPORT_FORMATS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".csv": "csv",
                  ".kml": "kml", ".kmz": "kmz"}


def export_format(path: str | os.PathLike[str]) -> str:
    """The export format for ``path``, from its extension (case-insensitive).

    Raises
    ------
    geo.errors.ExportError
        For an extension not in :data:`EXPORT_FORMATS`.

    Examples
    --------
    >>> export_format("out/incidents.GPKG"), export_format("a.json")
    ('gpkg', 'geojson')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ExportError(f"{os.fspath(path)}: cannot export to {suffix or 'a file without an extension'!s}; "
                          f"expected one of {', '.join(EXPORT_FORMATS)}")
    return EXPORT_FORMATS[suffix]


def write_export(path: str | os.PathLike[str], tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *,
                 reports: Sequence[Any] | None = None) -> Path:
    """Write the tracks and figures to ``path`` in the format its extension names.

    ``.geojson``/``.json``: :func:`geo.outputs.files.export.to_geojson` (one feature per
    incident, figures nested); ``.gpkg``: the five :data:`geo.outputs.files.layers.LAYERS`; ``.csv``:
    :func:`geo.outputs.files.export.to_csv` (as ``geo analyze -f csv``); ``.kml``/``.kmz``:
    :func:`geo.outputs.files.kml.to_kml` (Google Earth: a folder per incident, styled legs,
    a timed ``gx:Track``, the map's popups).  Every file is written atomically,
    and the same input gives the same bytes.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its directory must exist.
    tracks, figures
        From :func:`geo.tracks.build.build_tracks` and :func:`geo.analysis.analyse.analyse`.
    reports : sequence of geo.reports.report.Report, optional
        The reports: summaries and sources for the popups and attributes.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    geo.errors.ExportError
        For an unsupported extension, or figures of other tracks; and as
        :class:`geo.errors.OutputError` (a subclass) for a missing folder (before
        any work) or a file that cannot be written.  Nothing is left behind and
        a previous file is kept as it was.

    Examples
    --------
    >>> write_export("incidents.shp", None, None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.ExportError: incidents.shp: cannot export to .shp; expected one of .geojson, .json, .gpkg, ...
    """
    fmt = export_format(path)
    path = check_target(path)  # a missing folder fails before any work
    check_figures(tracks, figures, ExportError)
    if fmt == "gpkg":
        return write_gpkg(path, layers(tracks, figures, reports=reports), timestamp=stamp(tracks))
    if fmt == "geojson":
        return write_atomic(path, to_geojson(tracks, figures))
    if fmt == "csv":
        return write_atomic(path, to_csv(tracks, figures))
    if fmt == "kml":
        return write_atomic(path, to_kml(tracks, figures, reports=reports))
    return write_atomic(path, to_kmz(tracks, figures, reports=reports, timestamp=stamp(tracks)))
