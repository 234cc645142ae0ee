"""The few calls a notebook needs: load reports, analyse them, draw and export them.

Each function here joins the pipeline's stages so that a notebook user never
has to pass the same tracks, figures and reports around by hand:

* :func:`load` reads, validates and geocodes report files and builds their
  tracks, giving an :class:`Incidents`;
* :func:`analyze` measures them against the borders (the figures are computed
  once per :class:`Incidents` and kept);
* :func:`make_map` draws them on a Leaflet map that displays inline in Jupyter,
  :func:`write_map` writes that map as one HTML page;
* :func:`write_export` writes GeoPackage, GeoJSON, CSV, KML or KMZ, and
  :func:`write_image` a PNG or SVG map for print.

The function names are not those of the subpackages (:mod:`geo.analysis`,
:mod:`geo.outputs`, ...), so importing one never takes over an API name.  The
``geo`` command line calls the same functions.

Nothing heavy is imported until a function is called, so ``import geo`` stays
cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - hints only; the imports below are slow
    import folium
    import geopandas as gpd
    import pandas as pd

    from geo.reports.report import Report

__all__ = ["Incidents", "load", "analyze", "make_map", "write_map", "write_export", "write_image"]

_PathLike = str | os.PathLike[str]


@dataclass(frozen=True, eq=False, repr=False)
class Incidents:
    """Loaded incident reports and their tracks; the figures follow on first use.

    Made by :func:`load`; pass it to :func:`analyze`, :func:`make_map`,
    :func:`write_map`, :func:`write_export` and :func:`write_image`.

    Attributes
    ----------
    reports : list of geo.reports.report.Report
        The validated reports, in the order loaded (see :func:`geo.reports.loading.load_reports`).
    tracks : geopandas.GeoDataFrame
        One row per report, same order (see :func:`geo.tracks.build.build_tracks`).
    figures : pandas.DataFrame
        One row of figures per track (see :func:`geo.analysis.analyse.analyse`), computed
        from ``tracks`` the first time it is read, then kept: change a copy of the
        tracks and build a new ``Incidents`` rather than editing them in place.
    """

    reports: list[Report]
    tracks: gpd.GeoDataFrame

    @cached_property
    def figures(self) -> pd.DataFrame:
        """The figures of every track (:func:`geo.analysis.analyse.analyse`) with its reachability
        (:func:`geo.analysis.reach.reachability`: where it could have been between timed fixes), computed once."""
        from geo.analysis.analyse import analyse
        from geo.analysis.reach import with_reachability

        return with_reachability(analyse(self.tracks), self.tracks)

    def __len__(self) -> int:
        return len(self.reports)

    def __repr__(self) -> str:
        placed = int(self.tracks["placed"].astype(bool).sum()) if len(self.tracks) else 0
        return f"Incidents({len(self)} report{'s' if len(self) != 1 else ''}, {placed} placed on the map)"


def load(paths: _PathLike | Iterable[_PathLike] | None = None, *, geocoder: Any = None) -> Incidents:
    """Read, validate and geocode incident reports, and build their tracks.

    Parameters
    ----------
    paths : str, os.PathLike or iterable of them, optional
        YAML report files, or folders of them (their ``*.yaml``/``*.yml`` files,
        sorted by name).  By default the reports shipped with ``geo``
        (:func:`geo.reference.datafiles.seeds_dir`).
    geocoder : geopy-style geocoder, optional
        Resolves the place names, both to check them and to place the tracks.
        By default the offline gazetteer (:class:`geo.geocoding.gazetteer.Gazetteer`).
        For an online fallback, pass
        ``geo.geocoding.geocode.FallbackGeocoder(Gazetteer(), OnlineGeocoder(user_agent=...))``.

    Returns
    -------
    Incidents
        ``reports`` and ``tracks``, one per report in the order loaded; ``figures``
        on first use.

    Raises
    ------
    geo.errors.ReportFormatError
        With every problem of every file (one line each, ``file:line: field: ...``),
        including names the geocoder cannot find, and when ``paths`` names no file.

    Examples
    --------
    >>> import geo
    >>> incidents = geo.load()                # the four shipped reports, July 2024
    >>> incidents
    Incidents(4 reports, 3 placed on the map)
    >>> list(incidents.tracks["id"])
    ['2024-07-11-loyew', '2024-07-13-homel-minsk', '2024-07-16-naroulia', '2024-07-16-over-60-km']
    >>> incidents.reports[1].title
    'Shahed flies some 350 km across Belarus, from the Homel region into the Minsk region'
    """
    from geo.reference.datafiles import seeds_dir
    from geo.errors import ReportFormatError
    from geo.reports.report import Problem
    from geo.reports.loading import load_reports
    from geo.tracks.build import build_tracks

    if geocoder is None:
        from geo.geocoding.gazetteer import Gazetteer

        geocoder = Gazetteer()
    if paths is None:
        paths = [seeds_dir()]
    elif isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise ReportFormatError([Problem("geo.load", None, "paths",
                                         "no report file given; expected YAML files or folders of them "
                                         "(or None for the shipped reports)")])
    reports = load_reports(paths, geocoder=geocoder)
    return Incidents(reports=reports, tracks=build_tracks(reports, geocoder))


def analyze(incidents: Incidents) -> pd.DataFrame:
    """Measure the incidents against the borders: one row of figures per incident.

    The same table as ``incidents.figures`` (computed on the first call, then
    kept), and as ``geo analyze`` prints.

    Parameters
    ----------
    incidents : Incidents
        From :func:`load`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`geo.analysis.analyse.FIGURE_COLUMNS`, in the order of ``incidents.tracks``:
        ``length_km`` and ``length_km_range`` (min, max), ``crossings``,
        ``depth_km`` past the border with the origin country and ``depth_km_range``,
        ``depth_any_km`` from any border, ``inside_km`` and ``inside_minutes``,
        ``regions``, ``speeds`` and ``checks`` (see :func:`geo.analysis.analyse.analyse`).
        Incidents that cannot be placed have NaN figures and their checks only.

    Examples
    --------
    >>> import geo
    >>> figures = geo.analyze(geo.load())
    >>> row = figures.set_index("id").loc["2024-07-13-homel-minsk"]
    >>> low, high = row["length_km_range"]
    >>> print(f"{row['length_km']:.0f} km ({low:.0f}-{high:.0f}), {row['depth_km']:.1f} km past the border")
    392 km (295-504), 214.5 km past the border
    >>> [(c["from"], c["to"]) for c in row["crossings"]]
    [('UA', 'BY')]
    """
    return incidents.figures


def make_map(incidents: Incidents, *, title: str | None = None, byline: str | None = None,
             description: str | None = None, tiles: str | None = None, tiles_key: str | None = None,
             offline: bool = False) -> folium.Map:
    """Draw the incidents on a Leaflet web map; in Jupyter it displays inline.

    Parameters
    ----------
    incidents : Incidents
        From :func:`load`.
    title, byline, description : str, optional
        Page text; the title and the description are made from the data by default.
    tiles : str, optional
        Basemap: an xyzservices provider name, or ``"none"`` for the shipped
        outlines only.  By default :data:`geo.outputs.web.render.DEFAULT_TILES`.
    tiles_key : str, optional
        API key for tile providers that need one.
    offline : bool
        No basemap tiles, and when displayed in a notebook every script and
        style is inlined: the map needs no network at all.

    Returns
    -------
    folium.Map
        Displayed in Jupyter as the page :func:`write_map` writes (in an iframe).

    Examples
    --------
    >>> import geo
    >>> m = geo.make_map(geo.load(), offline=True)
    >>> html = m._repr_html_()              # what Jupyter shows
    >>> html.startswith("<iframe srcdoc="), "cdn.jsdelivr.net" in html
    (True, False)
    """
    from geo.outputs.web.render import DEFAULT_TILES
    from geo.outputs.web.render import make_map as _make_map

    return _make_map(incidents.tracks, incidents.figures, reports=incidents.reports, title=title, byline=byline,
                     description=description, tiles=tiles or DEFAULT_TILES, tiles_key=tiles_key, offline=offline)


def write_map(path: _PathLike, incidents: Incidents, *, title: str | None = None, byline: str | None = None,
              description: str | None = None, tiles: str | None = None, tiles_key: str | None = None,
              offline: bool = False, embed: bool = False) -> list[Path]:
    """Write the web map of the incidents as one HTML page, atomically (``geo map``).

    Parameters
    ----------
    path : str or os.PathLike
        The page to write.
    incidents : Incidents
        From :func:`load`.
    title, byline, description, tiles, tiles_key
        As for :func:`make_map`.
    offline : bool
        Inline every script and style and draw no tiles: the page works without
        a network (about 700 KB instead of 180 KB for the shipped reports).
    embed : bool
        Also write ``<name>.embed.html``, a responsive iframe snippet for a web page.

    Returns
    -------
    list of pathlib.Path
        The files written; the same incidents give byte-identical files.

    Raises
    ------
    geo.errors.OutputError
        If a file cannot be written: a missing folder or a folder in the way (before the
        map is drawn), no permission, a full disk.  Then no file is replaced: the page and
        its snippet are written together (:func:`geo.atomic.write_atomic_many`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import geo
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = geo.write_map(Path(tmp) / "map.html", geo.load(), offline=True, embed=True)
    ...     print([p.name for p in written], "cdn.jsdelivr.net" in written[0].read_text(encoding="utf-8"))
    ['map.html', 'map.embed.html'] False
    """
    from geo.atomic import check_target
    from geo.outputs.web.render import DEFAULT_TILES
    from geo.outputs.web.render import write_map as _write_map

    for target in map_paths(path, embed=embed):  # before the (slow) map
        check_target(target)
    return _write_map(path, incidents.tracks, incidents.figures, reports=incidents.reports, title=title,
                      byline=byline, description=description, tiles=tiles or DEFAULT_TILES,
                      tiles_key=tiles_key, offline=offline, embed=embed)  # page and snippet: both or neither


def map_paths(path: _PathLike, *, embed: bool = False) -> list[Path]:
    """The files :func:`write_map` writes: the page, and with ``embed`` its snippet (named as geo.outputs.web.render names it)."""
    from geo.outputs.web.render import embed_path

    return [Path(path), embed_path(path)] if embed else [Path(path)]


def write_export(path: _PathLike, incidents: Incidents) -> Path:
    """Write the incidents and their figures for GIS tools or Google Earth, by extension (``geo export``).

    Parameters
    ----------
    path : str or os.PathLike
        ``.gpkg`` (GeoPackage with the layers :data:`geo.outputs.files.layers.LAYERS`),
        ``.geojson``/``.json``, ``.csv``, ``.kml`` or ``.kmz``; its folder must exist.
    incidents : Incidents
        From :func:`load`.

    Returns
    -------
    pathlib.Path
        The file written (atomically; the same incidents give the same bytes).

    Raises
    ------
    geo.errors.ExportError
        For another extension, before anything is written; as its subclass
        :class:`geo.errors.OutputError` for a missing folder (before the work) or a file
        that cannot be written (no permission, a full disk), the previous file kept.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pyogrio
    >>> import geo
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = geo.write_export(Path(tmp) / "incidents.gpkg", geo.load())
    ...     print([name for name, _ in pyogrio.list_layers(path)])
    ['tracks', 'legs', 'waypoints', 'crossings', 'deepest_points']
    """
    from geo.outputs.files.fileexport import write_export as _write_export

    return _write_export(path, incidents.tracks, incidents.figures, reports=incidents.reports)


def write_image(path: _PathLike, incidents: Incidents, *, title: str | None = None, width: int | None = None,
                height: int | None = None, dpi: float | None = None, preset: str | None = None) -> Path:
    """Draw the incidents on a static map for print: PNG or SVG, by extension (``geo image``).

    Parameters
    ----------
    path : str or os.PathLike
        ``.png`` or ``.svg``.
    incidents : Incidents
        From :func:`load`.
    title : str, optional
        Headline; made from the incidents by default.
    width, height : int, optional
        Size in pixels; by default 1600 × 2000.
    dpi : float, optional
        Dots per inch (by default 200, i.e. 8 × 10 in): with the size, sets the size of the text.
    preset : {"column", "half", "full"}, optional
        A size for a page (:data:`geo.outputs.print.image.PRESETS`): about 600, 1000 and 1600 px wide,
        with type that stays legible at that width; ``width``, ``height`` and ``dpi`` override it.

    Returns
    -------
    pathlib.Path
        The file written (atomically; the same incidents give the same bytes).

    Raises
    ------
    geo.errors.RenderOptionError
        For another extension, or a size or dpi outside the limits of :func:`geo.outputs.print.image.check_size`
        (at most 16,384 px a side and 100 megapixels), before anything is drawn.
    geo.errors.OutputError
        If the file cannot be written (a missing folder, before anything is drawn; no
        permission, a full disk), the previous file kept.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from matplotlib.image import imread
    >>> import geo
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = geo.write_image(Path(tmp) / "map.png", geo.load(), width=800, height=1000, dpi=100)
    ...     print(imread(path).shape[:2])   # rows, columns
    (1000, 800)
    """
    from geo.outputs.print.image import write_image as _write_image

    from geo.outputs.print.image import image_size

    width, height, dpi = image_size(preset, width=width, height=height, dpi=dpi)
    return _write_image(path, incidents.tracks, incidents.figures, reports=incidents.reports, title=title,
                        width=width, height=height, dpi=dpi)
