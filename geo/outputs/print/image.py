"""Tracks and figures to a static map for print: PNG or SVG, drawn with matplotlib.

:func:`render_image` draws what the web map (:mod:`geo.outputs.web.render`) shows that makes
sense on paper: the countries, the crossed border with its distance bands, the
regions entered, reference cities, each track by leg status with its
uncertainty corridor and direction, labelled waypoints, crossings (with their
time), the deepest point with its distance to the border, the end by outcome,
leg labels, a key to the symbols, a scale bar, a numbered key to the incidents
(those that cannot be placed included), the sources and the data attribution.
:func:`write_image` writes it atomically, as PNG or SVG by the file's extension.

The map is in a Lambert conformal conic projection fitted to the tracks
(:func:`map_crs`): conformal, so shapes and angles are true, with a scale within
a fraction of a percent of true over a few hundred kilometres; north is up along
the central meridian.  Colours, dashes and symbols come from
:mod:`geo.present.style`, so paper and web agree; print sizes are here.

Determinism: the figure is drawn without pyplot (a :class:`~matplotlib.figure.Figure`
on an Agg canvas), in DejaVu Sans (shipped with matplotlib), with a fixed SVG
hash salt and no dates or software versions in the files, and labels are placed
by a fixed rule (:class:`_Labels`); the same input gives byte-identical SVG and
pixel-identical PNG.  Report text is drawn literally: ``$`` never starts
mathtext (``text.parse_math`` is off) and this is not HTML, so ``<b>`` is text.
"""

from __future__ import annotations

import io
import json
import math
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import markupsafe
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend_handler import HandlerPatch, HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.textpath import TextPath
from matplotlib.transforms import Bbox, offset_copy
from pyproj import CRS, Proj, Transformer
from shapely.ops import polylabel
from shapely.plotting import patch_from_polygon

from geo.reference import borders
from geo.atomic import check_target, write_atomic
from geo.reference.datafiles import PLACES, data_path
from geo.errors import plain_text
from geo.present.figures import check_figures
from geo.present.legs import status_runs
from geo.present.scene import IncidentView, Scene, build_scene
from geo.present.shapes import BANDS_KM, corridor, distance_bands
from geo.present.words import (OUTCOME_SENTENCE, assumed_speed_note, checks_summary, date_text, depth_words, has_value,
                               hours_minutes, inside_time_note, km_text, km_with_range, reported_text)
from geo.present.style import (
    PRINT,
    PRINT_BORDER_LW,
    PRINT_FONT,
    PRINT_SIZE_PT,
    PRINT_TRACK_LW,
    BAND_FILL,
    BORDER_STYLE,
    COUNTRY_STYLE,
    DASH,
    ORIGIN_STYLE,
    OUTCOME_LABEL,
    OUTCOME_SYMBOL,
    REGION_STYLE,
    STATUS_LABEL,
)
from geo.analysis.ranges import range_kind
from geo.errors import RenderOptionError

__all__ = ["FORMATS", "DEFAULT_WIDTH_PX", "DEFAULT_HEIGHT_PX", "DEFAULT_DPI", "MIN_SIDE_PX", "DPI_RANGE",
           "MAX_SIDE_PX", "MAX_PIXELS", "RC", "map_crs", "image_format", "check_size", "render_image", "write_image"]

#: File extensions :func:`write_image` writes, and the matplotlib format of each.
FORMATS = {".png": "png", ".svg": "svg"}
#: Default size: 8 × 10 inches at 200 dpi (a portrait page graphic).
DEFAULT_WIDTH_PX = 1600
DEFAULT_HEIGHT_PX = 2000
DEFAULT_DPI = 200
#: Smallest image accepted (px) and dpi range: below these the text cannot fit.
MIN_SIDE_PX = 300
DPI_RANGE = (50, 1200)
#: Largest image accepted: at most this many pixels a side (a 55 in print at 300 dpi; matplotlib's own limit
#: is 65,536) ...
MAX_SIDE_PX = 16_384
#: ... and this many pixels in all (100 megapixels; about A1 at 350 dpi).  PNG and SVG alike are drawn on an
#: RGBA canvas of the full size, 4 bytes a pixel (400 MB here), plus a copy to encode a PNG.
MAX_PIXELS = 100_000_000

FONT = PRINT_FONT
#: matplotlib settings in force while drawing and saving.
RC = {
    "font.family": FONT,
    "font.sans-serif": [FONT],
    "text.usetex": False,
    "text.parse_math": False,     # report text may contain "$"
    "svg.fonttype": "none",       # text stays text in SVG (editable, searchable)
    "svg.hashsalt": "geo-image",  # stable clip-path and glyph ids
    "path.simplify": True,
    "axes.unicode_minus": False,
    "legend.handlelength": 2.6,
}
#: No date and no software version inside the files: same input, same bytes.
METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}

# The print palette, font and sizes are decided in geo.present.style (as the track colours, dashes and symbols).
INK, MUTED, FAINT, HALO = PRINT["ink"], PRINT["muted"], PRINT["faint"], PRINT["halo"]
OTHER_FILL, LOCATOR_FILL, OUTLINE, GRATICULE = (PRINT["other_fill"], PRINT["locator_fill"], PRINT["outline"],
                                                PRINT["graticule"])
#: The design width (inches) at which the font sizes apply; smaller images scale them down.
DESIGN_WIDTH_IN = 7.0
SIZE = PRINT_SIZE_PT
TRACK_LW, BORDER_LW = PRINT_TRACK_LW, PRINT_BORDER_LW
#: Legs at least this long (km) get a direction arrow at their middle.
ARROW_MIN_KM = 20.0
#: Place labels longer than this (characters) are broken into lines.
PLACE_LABEL_CHARS = 22
#: Cities shown for orientation: at least this many people, at most this many labels.
CITY_MIN_POPULATION = 100_000
CITY_MAX = 12
#: A city this close (km) to a labelled waypoint is not labelled again.
CITY_NEAR_STOP_KM = 12.0
#: The view: the tracks' extent plus this fraction of its larger side, and at least this span (km).
VIEW_PAD = 0.10
VIEW_MIN_KM = 260.0
#: Margins of the page (inches).
MARGIN_IN = 0.32
#: Nice scale-bar lengths (km), the longest under SCALEBAR_MAX of the map's width is used.
SCALEBAR_KM = (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
SCALEBAR_MAX = 0.28
#: Width of the overview map in a corner (inches, at the design width).
LOCATOR_IN = 1.35

_HALO = [patheffects.withStroke(linewidth=2.4, foreground=HALO)]


# ----------------------------------------------------------------------------- projection


def map_crs(tracks: gpd.GeoDataFrame) -> CRS:
    """The map's projection: a Lambert conformal conic fitted to the placed tracks.

    Central meridian and latitude of origin at the middle of the tracks' extent,
    standard parallels at one sixth from its southern and northern edges, all
    rounded to 0.5°, so close inputs share a projection.  Without placed tracks,
    the extent of the countries entered is used.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> tracks = gpd.GeoDataFrame({"placed": [True], "country": ["BY"]},
    ...                           geometry=[shapely.LineString([(29.2, 51.6), (30.2, 55.2)])])
    >>> _projection_text(map_crs(tracks))
    'Lambert conformal conic projection (standard parallels 52° and 54.5° N, central meridian 29.5° E)'
    """
    lon0, lat0, lon1, lat1 = _lonlat_bounds(tracks)

    def half(value: float) -> float:
        return round(value * 2.0) / 2.0

    span = lat1 - lat0
    return CRS.from_proj4(
        f"+proj=lcc +lat_1={half(lat0 + span / 6):g} +lat_2={half(lat1 - span / 6):g} "
        f"+lat_0={half((lat0 + lat1) / 2):g} +lon_0={half((lon0 + lon1) / 2):g} +datum=WGS84 +units=m +no_defs")


def _lonlat_bounds(tracks: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    placed = tracks[tracks["placed"].astype(bool)]
    geoms = placed.geometry.to_numpy() if len(placed) else np.array([], dtype=object)
    if len(geoms) == 0:
        frame = borders.countries()
        geoms = frame[frame["country"].isin(list(tracks["country"]))].geometry.to_numpy()
    if len(geoms) == 0:
        raise RenderOptionError("nothing to draw: no placed track and no known country")
    each = shapely.bounds(geoms)
    return (float(np.nanmin(each[:, 0])), float(np.nanmin(each[:, 1])),
            float(np.nanmax(each[:, 2])), float(np.nanmax(each[:, 3])))


class _Projector:
    """(lon, lat) to map metres, for arrays and shapely geometries."""

    def __init__(self, crs: CRS):
        self.crs = crs
        self._forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        self._proj = Proj(crs)

    def xy(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._forward.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x), np.asarray(y)

    def lonlat(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = self._inverse.transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon), np.asarray(lat)

    def geom(self, geom):
        return shapely.transform(geom, lambda c: np.column_stack(self.xy(c[:, 0], c[:, 1])))

    def scale(self, lon: float, lat: float) -> float:
        """Map metres per true metre at (lon, lat) (conformal: the same in every direction)."""
        return float(self._proj.get_factors(lon, lat).meridional_scale)


# ----------------------------------------------------------------------------- small drawing helpers


def _area(ax, geom, **style) -> None:
    """Add a (multi)polygon as one patch (nothing for an empty geometry)."""
    polys = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]
    if polys:  # add_artist, not add_patch: the view is set, so no need to grow the data limits
        ax.add_artist(patch_from_polygon(shapely.MultiPolygon(polys), **style))


def _lines(ax, geom, **style) -> LineCollection | None:
    """Add every line of ``geom`` (lines or polygon boundaries) as one collection."""
    if geom is None or shapely.is_empty(geom):
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
        geom = shapely.boundary(geom) if geom.geom_type != "GeometryCollection" else geom
    parts = [shapely.get_coordinates(g) for g in shapely.get_parts(geom)
             if g.geom_type in ("LineString", "LinearRing", "MultiLineString")]
    parts = [p for p in parts if len(p) > 1]
    if not parts:
        return None
    collection = LineCollection(parts, **style)
    ax.add_collection(collection, autolim=False)
    return collection


def _dashes(status: str) -> Any:
    """geo.present.style's SVG dash pattern (px at the web's 3.5 px line) as a matplotlib linestyle."""
    pattern = DASH.get(status)
    if not pattern:
        return "solid"
    on_off = [float(v) / 3.5 for v in pattern.split()]
    if on_off[0] <= 0.6:  # dots: a near-zero dash with round caps
        on_off[0] = 0.05
    return (0, tuple(v for v in on_off))


def _symbol(char: str) -> MplPath:
    """A glyph of the font as a marker path, centred on its bounding box."""
    path = TextPath((0, 0), char, size=10, prop=FontProperties(family=FONT))
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    return MplPath(path.vertices - [(x0 + x1) / 2, (y0 + y1) / 2], path.codes)


def _plain(html: str) -> str:
    """HTML from geo.present.words (attribution) as plain text."""
    return markupsafe.Markup(html).striptags()


def _wrap(text: str, width_px: float, size_pt: float, renderer, *, weight: str = "normal") -> str:
    """Break ``text`` into lines no wider than ``width_px`` as the renderer measures them (greedy, by word)."""
    prop = FontProperties(family=FONT, size=size_pt, weight=weight)
    widths: dict[str, float] = {}

    def width(word: str) -> float:  # words are measured once each (kerning across a space is nil)
        if word not in widths:
            widths[word] = renderer.get_text_width_height_descent(word, prop, ismath=False)[0]
        return widths[word]

    space = width("a a") - 2 * width("a")
    out = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for word in paragraph.split(" "):
            extra = width(word) + (space if line else 0.0)
            if line and used + extra > width_px:
                out.append(line)
                line, used = word, width(word)
            else:
                line, used = (f"{line} {word}" if line else word), used + extra
        out.append(line)
    return "\n".join(out)


# ----------------------------------------------------------------------------- label placement


class _Labels:
    """Greedy label placement: each label takes the first free spot of its candidates.

    Labels are placed in order of importance; a spot is free if the label's box
    lies inside the map frame and overlaps no marker, track vertex or label
    placed before it.  Labels that find no free spot are dropped unless
    ``required``.  Deterministic: the same figure gives the same choices.
    """

    def __init__(self, ax, renderer, scale: float):
        self.ax, self.renderer, self.scale = ax, renderer, scale
        self.boxes = np.empty((0, 4))
        frame = ax.get_window_extent(renderer)
        self.frame = (frame.x0, frame.y0, frame.x1, frame.y1)
        self.pt = ax.figure.dpi / 72.0

    def block_points(self, x, y, radius_pt: float) -> None:
        """Reserve a square of ``radius_pt`` around each map point (markers, track vertices)."""
        if len(np.atleast_1d(x)) == 0:
            return
        disp = self.ax.transData.transform(np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]))
        r = radius_pt * self.pt * self.scale
        self.boxes = np.vstack([self.boxes, np.column_stack([disp - r, disp + r])])

    def block(self, bbox: Bbox) -> None:
        self.boxes = np.vstack([self.boxes, [[bbox.x0, bbox.y0, bbox.x1, bbox.y1]]])

    def _overlaps(self, b: Bbox) -> int:
        """How many reserved boxes ``b`` overlaps (a box outside the frame counts as many)."""
        fx0, fy0, fx1, fy1 = self.frame
        k = self.boxes
        hits = int(np.sum((k[:, 0] < b.x1) & (b.x0 < k[:, 2]) & (k[:, 1] < b.y1) & (b.y0 < k[:, 3])))
        return hits + (10_000 if (b.x0 < fx0 or b.y0 < fy0 or b.x1 > fx1 or b.y1 > fy1) else 0)

    def _free(self, b: Bbox) -> bool:
        return self._overlaps(b) == 0

    def place(self, x: float, y: float, text: str, candidates: Sequence[tuple[float, float, str, str]], *,
              required: bool = False, pad_pt: float = 1.0, **style) -> Any:
        """Put ``text`` at map point (x, y) offset by the first free candidate (dx_pt, dy_pt, ha, va)."""
        fig = self.ax.figure
        text = plain_text(text)  # no control character reaches the SVG (nor matplotlib's missing-glyph warnings)
        best = None  # for a required label: the candidate that covers the fewest others
        for dx, dy, ha, va in candidates:
            transform = offset_copy(self.ax.transData, fig=fig, x=dx * self.scale, y=dy * self.scale,
                                    units="points")
            label = self.ax.text(x, y, text, transform=transform, ha=ha, va=va, parse_math=False, **style)
            box = label.get_window_extent(self.renderer).padded(pad_pt * self.pt * self.scale)
            if self._free(box):
                self.block(box)
                if best is not None:
                    best[0].remove()
                return label
            cost = self._overlaps(box)
            if required and (best is None or cost < best[2]):
                if best is not None:
                    best[0].remove()
                best = (label, box, cost)
            else:
                label.remove()
        if best is not None:
            self.block(best[1])
            return best[0]
        return None


def _around(d: float) -> list[tuple[float, float, str, str]]:
    """Candidate offsets around a point, in cartographic order of preference (right, left, above...)."""
    e = d * 0.75
    return [(d, 0, "left", "center"), (-d, 0, "right", "center"), (e, e, "left", "bottom"),
            (-e, e, "right", "bottom"), (e, -e, "left", "top"), (-e, -e, "right", "top"),
            (0, d, "center", "bottom"), (0, -d, "center", "top")]


# ----------------------------------------------------------------------------- the map


class _Map:
    """Everything drawn on the map axes, in map metres."""

    def __init__(self, fig, ax, proj: _Projector, view: tuple[float, float, float, float], scale: float):
        self.fig, self.ax, self.proj, self.view, self.scale = fig, ax, proj, view, scale
        x0, y0, x1, y1 = view
        self.box = shapely.box(x0, y0, x1, y1)
        # A lon/lat box around the view (with a margin) to cut the reference data before projecting.
        gx = np.linspace(x0, x1, 9)
        gy = np.linspace(y0, y1, 9)
        lon, lat = proj.lonlat(*[a.ravel() for a in np.meshgrid(gx, gy)])
        self.lonlat_box = shapely.box(lon.min() - 1.0, lat.min() - 1.0, lon.max() + 1.0, lat.max() + 1.0)
        self.simplify_m = (x1 - x0) / 1500.0  # about a third of a point on an 8-inch map

    def project(self, geom, *, simplify: bool = True):
        """Clip (lon, lat) geometry to the view, project it, simplify for display."""
        geom = shapely.clip_by_rect(geom, *self.lonlat_box.bounds)
        x0, y0, x1, y1 = self.view
        margin = (x1 - x0) * 0.02
        out = shapely.clip_by_rect(shapely.make_valid(self.proj.geom(geom)), x0 - margin, y0 - margin,
                                   x1 + margin, y1 + margin)
        return shapely.simplify(out, self.simplify_m) if simplify else out

    def pt(self, value: float) -> float:
        return value * self.scale


def _graticule(m: _Map) -> None:
    """Faint meridians and parallels every 1° (2° on wide views), labelled outside the frame."""
    ax = m.ax
    x0, y0, x1, y1 = m.view
    lon_min, lat_min, lon_max, lat_max = m.lonlat_box.bounds
    step = 1.0 if (x1 - x0) < 800_000 else 2.0
    lons = np.arange(math.ceil(lon_min / step) * step, lon_max + 1e-9, step)
    lats = np.arange(math.ceil(lat_min / step) * step, lat_max + 1e-9, step)
    dense = np.linspace(0.0, 1.0, 60)
    lines = []
    for lon in lons:  # a dozen lines
        lines.append(("E", lon, m.proj.xy(np.full_like(dense, lon), lat_min + dense * (lat_max - lat_min))))
    for lat in lats:
        lines.append(("N", lat, m.proj.xy(lon_min + dense * (lon_max - lon_min), np.full_like(dense, lat))))
    ax.add_collection(LineCollection([np.column_stack(xy) for _, _, xy in lines], colors=GRATICULE,
                                     linewidths=m.pt(0.35), zorder=1.5), autolim=False)
    style = {"fontsize": m.pt(SIZE["grid"]), "color": FAINT, "parse_math": False, "clip_on": False}
    for kind, value, (x, y) in lines:
        text = f"{value:g}°{kind}"
        if kind == "E":  # where the meridian meets the bottom edge
            cut = shapely.intersection(shapely.LineString(np.column_stack([x, y])),
                                       shapely.LineString([(x0, y0), (x1, y0)]))
            if not cut.is_empty and cut.geom_type == "Point":
                ax.text(cut.x, y0, text, ha="center", va="top", zorder=3,
                        transform=offset_copy(ax.transData, fig=m.fig, y=-m.pt(2), units="points"), **style)
        else:  # where the parallel meets the left edge
            cut = shapely.intersection(shapely.LineString(np.column_stack([x, y])),
                                       shapely.LineString([(x0, y0), (x0, y1)]))
            if not cut.is_empty and cut.geom_type == "Point":
                ax.text(x0, cut.y, text, ha="center", va="bottom", zorder=3, rotation=90,
                        rotation_mode="anchor",
                        transform=offset_copy(ax.transData, fig=m.fig, x=-m.pt(2), units="points"), **style)


def _draw_context(m: _Map, tracks: gpd.GeoDataFrame, figures: pd.DataFrame,
                  names: dict[str, str]) -> dict[str, Any]:
    """Countries, the regions of the entered countries, the crossed borders and their distance bands."""
    ax = m.ax
    placed = tracks[tracks["placed"].astype(bool)]
    entered = list(dict.fromkeys(tracks["country"]))
    origins = list(dict.fromkeys(tracks["origin"]))
    frame = borders.countries()
    context: dict[str, Any] = {"countries": {}, "bands": [], "regions": {}}
    for code, geom in zip(frame["country"], frame.geometry):  # the shipped countries: a dozen
        shape = m.project(geom)
        if shape.is_empty:
            continue
        fill = (COUNTRY_STYLE["fillColor"] if code in entered
                else ORIGIN_STYLE["fillColor"] if code in origins else OTHER_FILL)
        _area(ax, shape, facecolor=fill, edgecolor="none", zorder=1)
        context["countries"][code] = shape
    outlines = shapely.line_merge(shapely.union_all([shapely.boundary(g) for g in context["countries"].values()]))
    _lines(ax, shapely.intersection(outlines, m.box), colors=OUTLINE, linewidths=m.pt(0.6), zorder=2.4,
           capstyle="round")

    # Regions of the countries entered: faint outlines; those entered by a track, named.
    entered_ids = list(dict.fromkeys(r["region_id"] for regs in figures["regions"] for r in (regs or [])))
    regions = borders.regions()
    regions = regions[regions["country"].isin(entered)]
    for rid, name, geom in zip(regions["region_id"], regions["name"], regions.geometry):  # a handful
        shape = m.project(geom)
        if shape.is_empty:
            continue
        hit = rid in entered_ids
        _lines(ax, shapely.intersection(shapely.boundary(shape), m.box),
               colors=REGION_STYLE["color"] if hit else PRINT["region_other"], linewidths=m.pt(0.6 if hit else 0.45),
               linestyles=(0, (4, 3)) if hit else (0, (2, 2)), alpha=0.6 if hit else 1.0, zorder=2.2)
        if hit:
            context["regions"][rid] = (name, shapely.intersection(shape, m.box))

    pairs = list(dict.fromkeys(zip(placed["country"], placed["origin"])))
    for country, origin in pairs:  # one per (entered, origin) pair: a handful
        drawn = distance_bands(country, origin)
        if drawn is None:
            continue
        rings, line = json.loads(drawn[0]), json.loads(drawn[1])
        reach = None
        for feature in rings["features"]:  # nearest the border first
            band = feature["properties"]["band"]
            shape = m.project(shapely.geometry.shape(feature["geometry"]), simplify=False)
            _area(ax, shape, facecolor=BAND_FILL[band], alpha=0.13, edgecolor="none", zorder=2)
            # The band's far edge: the outline of everything up to it, less the country's own outline.
            reach = shape if reach is None else shapely.union(reach, shape)
            outline = shapely.boundary(context["countries"].get(country, shapely.Polygon()))
            edge = shapely.difference(shapely.boundary(reach), shapely.buffer(outline, 3 * m.simplify_m))
            edge = shapely.simplify(shapely.intersection(edge, m.box), m.simplify_m)
            _lines(ax, edge, colors=PRINT["band_edge"], linewidths=m.pt(0.45), linestyles=(0, (3, 3)), zorder=2.3)
            context["bands"].append((BANDS_KM[band], edge))
        border = m.project(shapely.geometry.shape(line))
        _lines(ax, shapely.intersection(border, m.box), colors=BORDER_STYLE["color"],
               linewidths=m.pt(BORDER_LW), alpha=BORDER_STYLE["opacity"], zorder=2.6, capstyle="round")
        context["border"] = (country, origin, border)
    return context


def _cities(m: _Map, stops_xy: np.ndarray) -> list[tuple[float, float, str, int]]:
    """Reference cities in the view, largest first: away from the waypoints already labelled, and one per
    conurbation (GeoNames lists some city districts as places of their own)."""
    places = pd.read_parquet(data_path(PLACES), columns=["name", "lat", "lon", "population"])
    places = places[places["population"].fillna(0) >= CITY_MIN_POPULATION]
    x, y = m.proj.xy(places["lon"].to_numpy(), places["lat"].to_numpy())
    x0, y0, x1, y1 = m.view
    inside = (x > x0) & (x < x1) & (y > y0) & (y < y1)
    chosen = places.assign(x=x, y=y)[inside].sort_values(["population", "name"], ascending=[False, True])
    taken = [tuple(p) for p in stops_xy]
    out = []
    for row in chosen.itertuples(index=False):  # a few dozen at most
        near = min((math.hypot(row.x - px, row.y - py) for px, py in taken), default=math.inf)
        if near > CITY_NEAR_STOP_KM * 1000.0:
            out.append((float(row.x), float(row.y), str(row.name), int(row.population)))
        taken.append((row.x, row.y))
    return out[:CITY_MAX]


def _draw_track(m: _Map, labels: _Labels, track: pd.Series, fig_row: pd.Series, view: IncidentView,
                number: int) -> dict[str, Any]:
    """One placed incident, as the presentation model ``view`` says: corridor, legs by status, arrows,
    waypoints, crossings, deepest point, end.  Returns what the labels are placed from, in map units."""
    coords = shapely.get_coordinates(track.geometry)
    x, y = m.proj.xy(coords[:, 0], coords[:, 1])
    _draw_lines(m, track, fig_row, view, coords, x, y)
    leg_labels = _draw_arrows(m, view, x, y)
    return {"x": x, "y": y, "leg_labels": leg_labels, "color": view.color, "number": number,
            **_draw_points(m, labels, track, view, x, y)}


def _draw_lines(m: _Map, track: pd.Series, fig_row: pd.Series, view: IncidentView, coords: np.ndarray,
                x: np.ndarray, y: np.ndarray) -> None:
    """The uncertainty corridor, the possible area's outline and the legs by status, on a halo."""
    ax, color = m.ax, view.color
    lon, lat = coords[:, 0], coords[:, 1]
    unc = np.asarray(track["unc_km"], float)
    status = np.asarray(track["seg_status"], object)

    _area(ax, m.project(corridor(lon, lat, unc), simplify=False), facecolor=color, alpha=0.16,
          edgecolor="none", zorder=3)
    reach = fig_row.get("reach_geometry")
    if reach is not None and not shapely.is_empty(reach):  # where it could have been (geo.analysis.reach): an outline
        _lines(ax, m.project(reach, simplify=False), colors=color, linewidths=m.pt(0.8), linestyles=(0, (2, 3)),
               alpha=0.8, zorder=3, gid=f"reach-{track['id']}")
    lw = m.pt(TRACK_LW)
    ax.plot(x, y, color=HALO, linewidth=lw + m.pt(1.6), solid_capstyle="round", solid_joinstyle="round",
            zorder=4)
    for first, last, st in status_runs(status):
        ax.plot(x[first:last + 1], y[first:last + 1], color=color, linewidth=lw, linestyle=_dashes(st),
                dash_capstyle="round", solid_capstyle="round", solid_joinstyle="round", zorder=5,
                gid=f"leg-{track['id']}-{first}-{st}")


def _draw_arrows(m: _Map, view: IncidentView, x: np.ndarray, y: np.ndarray) -> list[tuple[float, float, str, bool]]:
    """An arrow halfway along each long leg; the leg labels to place there (x, y, text, time assumed)."""
    ax, color = m.ax, view.color
    # One arrow on each leg long enough, halfway along it, pointing the way it flew; its label there
    # (figures, words and the halfway point from the presentation model).
    leg_labels = []
    for leg in view.legs:  # per leg: a handful
        if leg.km < ARROW_MIN_KM:
            continue
        k, g = leg.mid_segment + 1, leg.mid_fraction
        ax.add_patch(FancyArrowPatch((x[k - 1], y[k - 1]), (x[k], y[k]), arrowstyle="-|>",
                                     mutation_scale=m.pt(9), color=color, linewidth=0, zorder=6,
                                     shrinkA=0, shrinkB=0))
        if leg.label:
            leg_labels.append((float(x[k - 1] + g * (x[k] - x[k - 1])), float(y[k - 1] + g * (y[k] - y[k - 1])),
                               leg.label, leg.time_estimated))
    return leg_labels


def _draw_points(m: _Map, labels: _Labels, track: pd.Series, view: IncidentView, x: np.ndarray,
                 y: np.ndarray) -> dict[str, Any]:
    """Waypoints, crossings, the deepest point with its line to the border, and the end symbol."""
    ax, color = m.ax, view.color
    stops = track["stops"]
    sx, sy = m.proj.xy([s["lon"] for s in stops], [s["lat"] for s in stops])
    for s, px, py in zip(stops, sx, sy):  # per stop
        reported = s["status"] == "reported"
        ax.plot([px], [py], marker="o", markersize=m.pt(5.2 if reported else 4.6), markeredgewidth=m.pt(1.2),
                markeredgecolor=HALO if reported else color, markerfacecolor=color if reported else HALO,
                zorder=8, linestyle="none")
    labels.block_points(x[::2], y[::2], 1.6)
    labels.block_points(sx, sy, 3.5)

    crossings = view.crossings
    cx, cy = m.proj.xy([c.lon for c in crossings], [c.lat for c in crossings])
    for k, (c, px, py) in enumerate(zip(crossings, cx, cy)):
        ax.plot([px], [py], marker="D", markersize=m.pt(5.5), markerfacecolor=HALO, markeredgecolor=INK,
                markeredgewidth=m.pt(1.1), zorder=9, linestyle="none", gid=f"crossing-{track['id']}-{k}")
    labels.block_points(cx, cy, 4.0)

    deepest = view.deepest
    depth = None
    if deepest is not None:
        (dx, bx), (dy, by) = m.proj.xy([deepest.lon, deepest.border_lon], [deepest.lat, deepest.border_lat])
        ax.plot([dx, bx], [dy, by], color=INK, linewidth=m.pt(0.9), linestyle=(0, (4, 2.5)), zorder=7)
        ax.plot([dx], [dy], marker="o", markersize=m.pt(7.5), markerfacecolor=color, markeredgecolor=INK,
                markeredgewidth=m.pt(1.3), zorder=9.5, linestyle="none", gid=f"deepest-{track['id']}")
        ax.plot([bx], [by], marker="|", markersize=m.pt(5), markeredgecolor=INK, markeredgewidth=m.pt(1),
                zorder=7, linestyle="none")
        labels.block_points([dx], [dy], 4.5)
        depth = (dx, dy, bx, by)

    ex, ey = sx[-1], sy[-1]
    ax.plot([ex], [ey], marker="o", markersize=m.pt(11), markerfacecolor=color, markeredgecolor=HALO,
            markeredgewidth=m.pt(1.3), zorder=10, linestyle="none")
    ax.plot([ex], [ey], marker=_symbol(OUTCOME_SYMBOL.get(track["outcome"], "•")), markersize=m.pt(6.5),
            markerfacecolor=HALO, markeredgecolor="none", zorder=10.5, linestyle="none",
            gid=f"end-{track['id']}")
    labels.block_points([ex], [ey], 6.0)
    return {"stops": stops, "sx": sx, "sy": sy, "crossings": crossings, "cx": cx, "cy": cy, "depth": depth,
            "deepest": deepest, "end": (ex, ey)}


def _badge_style(m: _Map, color: str, size: float) -> dict[str, Any]:
    return {"fontsize": size, "fontweight": "bold", "color": "white",
            "bbox": {"boxstyle": "circle,pad=0.22", "facecolor": color, "edgecolor": "white",
                     "linewidth": m.pt(0.8)}}


def _label_places(m: _Map, labels: _Labels, track: pd.Series, fig_row: pd.Series, drawn: dict[str, Any]) -> None:
    """Name the waypoints the report gives (the tool's own estimates are told by the symbols)."""
    last = len(drawn["stops"]) - 1
    for k, (s, px, py) in enumerate(zip(drawn["stops"], drawn["sx"], drawn["sy"])):
        if s["status"] == "estimated" or s.get("kind") in ("entry", "exit"):
            continue
        reported = s["status"] == "reported"
        text = "\n".join(textwrap.wrap(s["label"], PLACE_LABEL_CHARS, break_on_hyphens=False)) or s["label"]
        spots = _around(10 if k == last else 6) + _around(16) + _around(26)
        labels.place(px, py, text, spots, required=reported, linespacing=1.05,
                     fontsize=m.pt(SIZE["place"]), color=INK, path_effects=_HALO, zorder=11,
                     fontweight="bold" if reported else "normal", fontstyle="normal" if reported else "italic")


def _label_depth(m: _Map, labels: _Labels, track: pd.Series, fig_row: pd.Series, drawn: dict[str, Any]) -> None:
    """The depth, by the middle of the line from the deepest point to the border (as on the web map)."""
    if drawn["depth"] is None:
        return
    dx, dy, bx, by = drawn["depth"]
    deepest = drawn["deepest"]
    text = deepest.label + (f"\n({deepest.bound})" if deepest.bound else "")  # the range on a line of its own
    style = {"fontsize": m.pt(SIZE["depth"]), "color": INK, "fontweight": "bold", "path_effects": _HALO,
             "zorder": 11, "linespacing": 1.05}
    if labels.place((dx + bx) / 2, (dy + by) / 2, text, _around(5), **style) is None:
        labels.place(dx, dy, text, _around(8) + _around(16) + _around(26), required=True, **style)


def _label_badge(m: _Map, labels: _Labels, track: pd.Series, fig_row: pd.Series, drawn: dict[str, Any]) -> None:
    """The incident's number by its end, linking the track to the key under the map."""
    ex, ey = drawn["end"]
    labels.place(ex, ey, str(drawn["number"]), _around(11), required=True, zorder=12,
                 **_badge_style(m, drawn["color"], m.pt(7)))


def _label_crossings(m: _Map, labels: _Labels, track: pd.Series, fig_row: pd.Series,
                     drawn: dict[str, Any]) -> None:
    """Crossing times, where the report gives clock times (``~`` marks one not reported exactly)."""
    for c, px, py in zip(drawn["crossings"], drawn["cx"], drawn["cy"]):
        if c.clock_label is None:
            continue
        labels.place(px, py, c.clock_label, _around(6), fontsize=m.pt(SIZE["place"] - 0.6), color=INK,
                     path_effects=_HALO, zorder=11)


def _label_legs(m: _Map, labels: _Labels, drawn: dict[str, Any]) -> None:
    """Leg labels (km, time, implied speed; ``*`` for a time at an assumed speed) beside each long leg."""
    for x, y, text, _estimated in drawn["leg_labels"]:
        labels.place(x, y, text, _around(6), fontsize=m.pt(SIZE["leg"]), color=MUTED, path_effects=_HALO,
                     zorder=10.8)


def _label_context(m: _Map, labels: _Labels, context: dict[str, Any], names: dict[str, str],
                   cities: list[tuple[float, float, str, int]]) -> None:
    """Region names, cities, distance-band labels and country names, where there is room."""
    for rid, (name, shape) in context["regions"].items():
        for px, py in _spots(shape):
            if labels.place(px, py, f"{name}\nregion", [(0, 0, "center", "center")], fontsize=m.pt(SIZE["region"]),
                            color=REGION_STYLE["color"], fontstyle="italic", path_effects=_HALO, zorder=10.5,
                            linespacing=1.0) is not None:
                break
    for x, y, name, population in cities:  # a dozen at most
        size = 3.4 if population >= 1_000_000 else 2.6
        spot = labels.place(x, y, name, _around(3.5 + size / 2), fontsize=m.pt(SIZE["city"]), color=PRINT["city"],
                            path_effects=_HALO, zorder=9)
        if spot is not None:
            m.ax.plot([x], [y], marker="s" if population >= 1_000_000 else "o", markersize=m.pt(size),
                      markerfacecolor=PRINT["city"], markeredgecolor=HALO, markeredgewidth=m.pt(0.5), zorder=9,
                      linestyle="none")
            labels.block_points([x], [y], size / 2 + 0.5)
    for d, edge in context["bands"]:
        for px, py in _edge_spots(edge, m.view):
            if labels.place(px, py, f"{d} km", [(0, 0, "center", "center")], fontsize=m.pt(SIZE["band"]),
                            color=PRINT["place_muted"], path_effects=_HALO, zorder=10.4) is not None:
                break
    for code, shape in context["countries"].items():
        inside = shapely.intersection(shape, m.box)
        if inside.is_empty or inside.area < m.box.area * 0.02:
            continue
        text = " ".join(names.get(code, code).upper())
        for px, py in _spots(inside):
            if labels.place(px, py, text, [(0, 0, "center", "center")], fontsize=m.pt(SIZE["country"]),
                            color=PRINT["country_name"], fontweight="bold", zorder=2.8, pad_pt=3) is not None:
                break


def _spots(shape, n: int = 7) -> list[tuple[float, float]]:
    """Candidate label points in an area: its pole of inaccessibility first, then a grid by distance to it."""
    if shape.is_empty:
        return []
    biggest = max(shapely.get_parts(shape), key=lambda p: p.area)
    pole = polylabel(biggest, tolerance=max(biggest.length / 500.0, 1.0))
    x0, y0, x1, y1 = biggest.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1])
    pts = shapely.points(gx.ravel(), gy.ravel())
    keep = shapely.contains(biggest, pts)
    grid = np.column_stack([gx.ravel()[keep], gy.ravel()[keep]])
    order = np.lexsort((grid[:, 0], grid[:, 1], np.hypot(grid[:, 0] - pole.x, grid[:, 1] - pole.y)))
    return [(pole.x, pole.y)] + [tuple(p) for p in grid[order]]


def _edge_spots(edge, view) -> list[tuple[float, float]]:
    """Candidate points along a band's edge, from the view's left and right sides inwards."""
    if edge is None or edge.is_empty:
        return []
    x0, y0, x1, y1 = view
    out = []
    for f in (0.06, 0.94, 0.2, 0.8, 0.35, 0.65, 0.5):
        xs = x0 + f * (x1 - x0)
        cut = shapely.intersection(edge, shapely.LineString([(xs, y0), (xs, y1)]))
        pts = shapely.get_coordinates(cut)
        if len(pts):
            out.append(tuple(pts[np.argmin(pts[:, 1])]))
    return out


def _scalebar(m: _Map, corner: str | None) -> list[Any]:
    """A scale bar in km, true at its own latitude (the projection's scale factor is applied)."""
    ax = m.ax
    corner = corner or "lower left"
    x0, y0, x1, y1 = m.view
    width, height = x1 - x0, y1 - y0
    left = corner.endswith("left")
    bx = x0 + 0.05 * width if left else None
    by = y0 + 0.045 * height if corner.startswith("lower") else y1 - 0.06 * height
    lon, lat = m.proj.lonlat(x0 + width / 2, by)
    k = m.proj.scale(float(lon), float(lat))
    km = max([v for v in SCALEBAR_KM if v * 1000.0 * k <= SCALEBAR_MAX * width] or [SCALEBAR_KM[0]])
    length = km * 1000.0 * k
    if bx is None:
        bx = x1 - 0.05 * width - length
    h = height * 0.006
    artists = [ax.add_patch(Rectangle((bx + i * length / 2, by), length / 2, h, facecolor=INK if i == 0 else HALO,
                                      edgecolor=INK, linewidth=m.pt(0.6), zorder=13, gid=f"scalebar-{i}"))
               for i in range(2)]
    style = {"fontsize": m.pt(SIZE["grid"] + 0.6), "color": INK, "path_effects": _HALO, "zorder": 13,
             "parse_math": False, "va": "bottom"}
    lift = offset_copy(ax.transData, fig=m.fig, y=m.pt(2), units="points")
    artists.append(ax.text(bx, by + h, "0", ha="center", transform=lift, **style))
    artists.append(ax.text(bx + length / 2, by + h, f"{km / 2:g}", ha="center", transform=lift, **style))
    artists.append(ax.text(bx + length, by + h, f"{km:g} km", ha="left", transform=lift, gid="scalebar-label",
                           **style))
    return artists


def _locator(m: _Map, tracks: gpd.GeoDataFrame, corner: str, width_in: float, names: dict[str, str]):
    """A small overview in a corner of the map: the countries involved, and the map's frame on them."""
    codes = list(dict.fromkeys([*tracks["country"], *tracks["origin"]]))
    frame = borders.countries()
    involved = frame[frame["country"].isin(codes)]
    if involved.empty:
        return None
    shapes = [m.proj.geom(shapely.simplify(g, 0.02)) for g in frame.geometry]  # ~2 km: a thumbnail
    x0, y0, x1, y1 = shapely.total_bounds([s for s, c in zip(shapes, frame["country"]) if c in codes])
    view = shapely.box(*m.view)
    x0, y0 = min(x0, m.view[0]), min(y0, m.view[1])
    x1, y1 = max(x1, m.view[2]), max(y1, m.view[3])
    pad = 0.06 * max(x1 - x0, y1 - y0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    height_in = width_in * (y1 - y0) / (x1 - x0)
    if height_in > width_in * 1.3:  # keep it small: widen a tall extent
        grow = ((y1 - y0) / 1.3 - (x1 - x0)) / 2
        x0, x1, height_in = x0 - grow, x1 + grow, width_in * 1.3
    fig, ax = m.fig, m.ax
    box = ax.get_position()
    fw, fh = fig.get_size_inches()
    gap = 0.07 * m.scale
    left = box.x0 + gap / fw if corner.endswith("left") else box.x1 - (gap + width_in) / fw
    bottom = box.y0 + gap / fh if corner.startswith("lower") else box.y1 - (gap + height_in) / fh
    inset = fig.add_axes((left, bottom, width_in / fw, height_in / fh), gid="locator")
    inset.set_xlim(x0, x1)
    inset.set_ylim(y0, y1)
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_facecolor("white")
    inset.set_zorder(ax.get_zorder() + 1)
    for spine in inset.spines.values():
        spine.set_edgecolor(PRINT["frame"])
        spine.set_linewidth(m.pt(0.5))
    tolerance = (x1 - x0) / 400.0
    entered = set(tracks["country"])
    for code, shape in zip(frame["country"], shapes):  # a dozen countries
        shape = shapely.simplify(shapely.clip_by_rect(shapely.make_valid(shape), x0, y0, x1, y1), tolerance)
        if shape.is_empty:
            continue
        fill = LOCATOR_FILL if code in entered else ORIGIN_STYLE["fillColor"] if code in codes else OTHER_FILL
        _area(inset, shape, facecolor=fill, edgecolor=OUTLINE, linewidth=m.pt(0.35), zorder=1)
        if code in codes and shape.area > 0.05 * (x1 - x0) * (y1 - y0):
            pole = polylabel(max(shapely.get_parts(shape), key=lambda p: p.area), tolerance)
            inset.text(pole.x, pole.y, plain_text(names.get(code, code)), ha="center", va="center", fontsize=m.pt(5.4),
                       color=MUTED, parse_math=False, zorder=3)
    _lines(inset, view.exterior, colors=INK, linewidths=m.pt(1.0), zorder=4)
    return inset


# ----------------------------------------------------------------------------- key, header and footer


def _legend(m: _Map, statuses: list[str], outcomes: list[str], country_pair: tuple[str | None, str | None],
            names: dict[str, str], assumed_kmh: dict[str, float], *, columns: int = 1, reach: bool = False):
    """The key to the symbols (only those drawn), in sections, as a matplotlib legend."""
    handles: list[Any] = []
    labels: list[str] = []
    headers: list[int] = []

    def add(handle, label):
        handles.append(handle)
        labels.append(label)

    def header(label):
        headers.append(len(labels))
        add(Line2D([], [], color="none"), label)

    lw = m.pt(TRACK_LW)
    header("Routes (one colour each)")
    for st in statuses:
        add(Line2D([], [], color=INK, linewidth=lw, linestyle=_dashes(st), dash_capstyle="round"),
            STATUS_LABEL[st])
    add(Patch(facecolor=PRINT["corridor_key"], alpha=0.35, edgecolor="none"), "where it may have been")
    if reach:
        add(Line2D([], [], color=INK, linewidth=m.pt(0.8), linestyle=(0, (2, 3))), "could have been (top speed)")
    if assumed_kmh:  # the footnote of the leg labels marked *
        add(Line2D([], [], color="none"), assumed_speed_note(assumed_kmh))
    header("Points")
    add(Line2D([], [], color="none", marker="o", markersize=m.pt(5.2), markerfacecolor=INK,
               markeredgecolor=HALO), "place named in the report")
    if any(s != "reported" for s in statuses):
        add(Line2D([], [], color="none", marker="o", markersize=m.pt(4.6), markerfacecolor=HALO,
                   markeredgecolor=INK, markeredgewidth=m.pt(1.2)), "presumed or estimated point")
    add(Line2D([], [], color="none", marker="D", markersize=m.pt(5), markerfacecolor=HALO, markeredgecolor=INK,
               markeredgewidth=m.pt(1.1)), "border crossing")
    add(Line2D([0, 1], [0, 0], color=INK, linewidth=m.pt(0.9), linestyle=(0, (4, 2.5)), marker="o",
               markersize=m.pt(6.5), markerfacecolor=FAINT, markeredgecolor=INK, markevery=[0]),
        "deepest point, distance to the border")
    for outcome in outcomes:  # the end symbol, white on a grey disc as on the map (in its track's colour)
        add((Line2D([], [], color="none", marker="o", markersize=m.pt(10), markerfacecolor=FAINT,
                    markeredgecolor="none"),
             Line2D([], [], color="none", marker=_symbol(OUTCOME_SYMBOL.get(outcome, "•")), markersize=m.pt(6),
                    markerfacecolor=HALO, markeredgecolor="none")),
            f"end: {OUTCOME_LABEL.get(outcome, outcome)}")
    country, origin = country_pair
    if country is not None:
        header("Borders")
        add(Line2D([], [], color=BORDER_STYLE["color"], linewidth=m.pt(BORDER_LW), alpha=BORDER_STYLE["opacity"]),
            f"{names.get(country, country)}–{names.get(origin, origin)} (crossed)")
        add(Patch(facecolor=BAND_FILL[1], alpha=0.3, edgecolor=PRINT["band_edge"], linestyle=(0, (3, 3)),
                  linewidth=m.pt(0.45)), ", ".join(str(b) for b in BANDS_KM) + " km from it")
        add(Line2D([], [], color=REGION_STYLE["color"], linewidth=m.pt(0.7), linestyle=(0, (4, 3))),
            "region entered")
    legend = m.ax.legend(handles, [plain_text(label) for label in labels], loc="upper left", ncols=columns, fontsize=m.pt(SIZE["legend"]), frameon=True,
                         framealpha=0.94, edgecolor=PRINT["legend_edge"], fancybox=False, borderpad=0.8, labelspacing=0.5,
                         handlelength=2.6, handleheight=0.9, handletextpad=0.6, alignment="left",
                         handler_map={Patch: HandlerPatch(), tuple: HandlerTuple(ndivide=1, pad=0)})
    texts = legend.get_texts()
    for k in headers:
        texts[k].set_fontweight("bold")
    legend.get_frame().set_linewidth(m.pt(0.5))
    legend.set_zorder(20)
    return legend


def _corner_for(m: _Map, renderer, artist_box: Bbox, points: np.ndarray, taken: list[str],
                keep_clear=None, *, avoid: Sequence[Bbox] = (), prefer_lower: bool = False
                ) -> tuple[str | None, int]:
    """The free corner of the map where a box of ``artist_box``'s size covers the fewest track points,
    then the least of ``keep_clear`` (an area in map metres, e.g. the country entered).

    Corners in ``taken`` or where the box would overlap a box in ``avoid`` are skipped (None if none is
    left).  Returns the corner and how many track points the box covers there.
    """
    frame = m.ax.get_window_extent(renderer)
    w, h = artist_box.width, artist_box.height
    disp = m.ax.transData.transform(points) if len(points) else np.empty((0, 2))
    to_data = m.ax.transData.inverted()
    best, best_score = None, None
    for corner in ("upper left", "lower left", "upper right", "lower right"):
        if corner in taken:
            continue
        x0 = frame.x0 if corner.endswith("left") else frame.x1 - w
        y0 = frame.y1 - h if corner.startswith("upper") else frame.y0
        if any(Bbox.from_bounds(x0, y0, w, h).overlaps(b) for b in avoid):
            continue
        g = 48 * m.pt(1) * m.fig.dpi / 72.0  # room for labels beside the tracks
        count = int(np.sum((disp[:, 0] > x0 - g) & (disp[:, 0] < x0 + w + g) & (disp[:, 1] > y0 - g)
                           & (disp[:, 1] < y0 + h + g)))
        covered = 0.0
        if keep_clear is not None and not keep_clear.is_empty:
            (dx0, dy0), (dx1, dy1) = to_data.transform([(x0, y0), (x0 + w, y0 + h)])
            covered = round(shapely.intersection(keep_clear, shapely.box(dx0, dy0, dx1, dy1)).area
                            / max((dx1 - dx0) * (dy1 - dy0), 1.0), 3)
        score = (not (prefer_lower and corner.startswith("lower")), count, covered)
        if best_score is None or score < best_score:
            best, best_score = corner, score
    return best, (best_score[1] if best_score else 0)


def _incident_text(track: pd.Series, fig_row: pd.Series, names: dict[str, str]) -> tuple[str, str]:
    """One entry of the key under the map: date and title, then the figures that matter."""
    country = track["country"]
    head = f"{date_text(track['date'])} · {track['title']}"
    if not fig_row["placed"]:
        reported = reported_text(track)
        return head, "Not on the map: no place along its path was named" + (
            f"; reported {reported}." if reported else ".")
    parts = []
    if has_value(fig_row["depth_km"]):
        parts.append(depth_words(fig_row))
    if has_value(fig_row["inside_minutes"]):
        est = inside_time_note(bool(fig_row["inside_minutes_estimated"]), bool(track.get("duration_paced")))
        parts.append(f"{km_text(fig_row['inside_km'])} and {hours_minutes(fig_row['inside_minutes'])}{est} inside "
                     f"{names.get(country, country)}")
    parts.append(f"route {km_with_range(fig_row['length_km'], fig_row['length_km_range'], range_kind('length_km_range'))}")
    parts.append(OUTCOME_SENTENCE.get(track["outcome"], track["outcome"]))
    summary = checks_summary(fig_row["checks"])
    if summary:
        parts.append(summary)
    parts.extend(f"note: {w['sentence']}" for w in fig_row.get("warnings") or [])
    body = "; ".join(parts)
    return head, f"{body[0].upper()}{body[1:]}."


def _sources_text(publications: Sequence[dict[str, Any]]) -> str:
    """Every publication cited, once, with the dates it was cited with; those relayed by the same
    outlet together (plain text)."""
    grouped: dict[str, dict[tuple, list]] = {}
    for entry in publications:  # those relayed by the same outlet together
        grouped.setdefault(entry["via"], {})[(entry["publisher"], entry["title"])] = entry["dates"]
    listed = []
    for via, publications in grouped.items():
        items = [publisher + (f", “{title}”" if title else "") + "".join(f", {date_text(d)}" for d in sorted(dates))
                 for (publisher, title), dates in publications.items()]
        listed.append("; ".join(items) + (f" ({'all ' if len(items) > 1 else ''}via {via})" if via else ""))
    return ("Sources: " + "; ".join(listed) + ".") if listed else ""


def _projection_text(crs: CRS) -> str:
    p = {param.name: round(param.value, 6) for param in crs.coordinate_operation.params}
    return (f"Lambert conformal conic projection (standard parallels {p['Latitude of 1st standard parallel']:g}° "
            f"and {p['Latitude of 2nd standard parallel']:g}° N, central meridian "
            f"{p['Longitude of false origin']:g}° E)")


# ----------------------------------------------------------------------------- the figure


def check_size(width_px: int, height_px: int, dpi: float) -> None:
    """Raise :class:`~geo.errors.RenderOptionError` unless the image size and dpi can be drawn; nothing is drawn.

    Sides from :data:`MIN_SIDE_PX` to :data:`MAX_SIDE_PX` whole pixels, at most
    :data:`MAX_PIXELS` in all (the canvas must fit in memory), dpi in :data:`DPI_RANGE`.

    Examples
    --------
    >>> check_size(1600, 2000, 200)
    >>> check_size(100_000, 100_000, 200)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.RenderOptionError: image size 100000×100000 px is too large: at most 16,384 px a side and 100 ...
    """
    if not (isinstance(width_px, (int, np.integer)) and isinstance(height_px, (int, np.integer))) \
            or width_px < MIN_SIDE_PX or height_px < MIN_SIDE_PX:
        raise RenderOptionError(f"image size {width_px}×{height_px} px: width and height must be whole numbers "
                                f"of pixels, at least {MIN_SIDE_PX}")
    if max(width_px, height_px) > MAX_SIDE_PX or int(width_px) * int(height_px) > MAX_PIXELS:
        raise RenderOptionError(f"image size {width_px}×{height_px} px is too large: at most {MAX_SIDE_PX:,} px a "
                                f"side and {MAX_PIXELS / 1e6:g} megapixels in all; for a large print, give fewer "
                                "pixels and a lower dpi (the dpi sets the size of the text, not of the page)")
    if not (DPI_RANGE[0] <= float(dpi) <= DPI_RANGE[1]):
        raise RenderOptionError(f"dpi {dpi}: expected {DPI_RANGE[0]} to {DPI_RANGE[1]}")


def render_image(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *, reports: Sequence[Any] | None = None,
                 title: str | None = None, width_px: int = DEFAULT_WIDTH_PX, height_px: int = DEFAULT_HEIGHT_PX,
                 dpi: float = DEFAULT_DPI) -> Figure:
    """Draw incidents on a static map for print.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        From :func:`geo.tracks.build.build_tracks`.
    figures : pandas.DataFrame
        From :func:`geo.analysis.analyse.analyse` of the same tracks, same order.
    reports : sequence of geo.reports.report.Report, optional
        The reports the tracks came from: their sources are listed under the map.
    title : str, optional
        Headline; by default made from the incidents (as on the web map).
    width_px, height_px : int
        Size of the image in pixels (at ``dpi``; an SVG is ``width_px / dpi`` inches wide).
    dpi : float
        Dots per inch: sets the physical size, hence the size of the text.

    Returns
    -------
    matplotlib.figure.Figure
        On an Agg canvas, not registered with pyplot; save it with :func:`write_image`
        (or ``savefig`` inside ``matplotlib.rc_context(geo.outputs.print.image.RC)``).  The map
        axes has gid ``"map"``; its data coordinates are metres in :func:`map_crs`.

    Raises
    ------
    RenderOptionError
        If the figures do not belong to the tracks, or the size or dpi is unusable (:func:`check_size`,
        checked before anything is drawn).
    """
    check_size(width_px, height_px, dpi)
    tracks = tracks.reset_index(drop=True)
    figures = figures.reset_index(drop=True)
    check_figures(tracks, figures, RenderOptionError)
    with matplotlib.rc_context(RC):
        return _render(tracks, figures, reports, title, int(width_px), int(height_px), float(dpi))


def _render(tracks, figures, reports, title, width_px, height_px, dpi) -> Figure:
    scene = build_scene(tracks, figures, reports=reports, title=title)
    names = scene.names
    w_in, h_in = width_px / dpi, height_px / dpi
    scale = float(np.clip(min(w_in, h_in * 1.25) / DESIGN_WIDTH_IN, 0.55, 1.0))
    fig = Figure(figsize=(w_in, h_in), dpi=dpi, facecolor="white")
    renderer = FigureCanvasAgg(fig).get_renderer()
    page = _Page(fig, renderer, scale)
    proj = _Projector(map_crs(tracks))

    top = page.header(scene.title, scene.standfirst(interactive=False)) + 0.14 * scale
    bottom = page.footer([_sources_text(scene.publications),
                          f"Map data: {_plain(scene.attribution)}. {_projection_text(proj.crs)}. Drawn with geo."])
    colors = {i: c for i, c in enumerate(scene.colors) if c}  # placed incidents only
    entries = [(i + 1, colors.get(i, FAINT), *_incident_text(tracks.loc[i], figures.loc[i], names))
               for i in range(len(tracks))]
    # A wide page keeps the key to the incidents in a column on the right, a tall one under the map.
    side = w_in > 1.15 * h_in
    left, right = page.margin, w_in - page.margin
    beside = None  # where the key to the symbols may go instead of on the map: (x, y, height) in inches
    if side:
        column = max(2.4 * scale, 0.3 * (right - left))
        below = page.key(entries, x=right - column, width=column, y=top, downwards=True) + 0.1 * scale
        right -= column + 0.25 * scale
        beside = (right + 0.25 * scale, below, h_in - below - bottom - 0.1 * scale)
    else:
        bottom = page.key(entries, x=left, width=right - left, y=bottom + 0.1 * scale, downwards=False)
    bottom += 0.12 * scale
    grid = 0.16 * scale  # room for the graticule labels on the left and at the bottom
    ax_w, ax_h = right - left - grid, h_in - top - bottom - grid
    if ax_h < 1.0 or ax_w < 1.0:
        raise RenderOptionError(f"image {width_px}×{height_px} px at {dpi:g} dpi leaves no room for the map "
                                "beside the title and the key; make it larger or lower the dpi")
    ax = fig.add_axes(((left + grid) / w_in, (bottom + grid) / h_in, ax_w / w_in, ax_h / h_in), gid="map")
    key = _draw_map(_Map(fig, ax, proj, _view(tracks, figures, proj, ax_w / ax_h), scale), renderer, tracks,
                    figures, scene, beside, must_fit=not side)
    if key is None:
        return fig
    # The key to the symbols would hide a track wherever it went: draw the map again, smaller, with the
    # key under it, in as many columns as the width takes.
    for columns in (4, 3, 2, 1):
        legend = key(columns)
        box = legend.get_window_extent(renderer)
        legend.remove()
        if box.width <= (right - left) * dpi or columns == 1:
            break
    for axes in list(fig.axes):
        fig.delaxes(axes)
    below = box.height / dpi + 0.05 * scale
    if ax_h - below < max(1.0, 0.45 * ax_h):  # no room under the map either: the key goes on it after all
        below, beside, columns = 0.0, None, 1
    else:
        beside = (left, h_in - bottom - below + 0.05 * scale, box.height / dpi + 0.1)
    ax = fig.add_axes(((left + grid) / w_in, (bottom + below + grid) / h_in, ax_w / w_in, (ax_h - below) / h_in),
                      gid="map")
    _draw_map(_Map(fig, ax, proj, _view(tracks, figures, proj, ax_w / (ax_h - below)), scale), renderer, tracks,
              figures, scene, beside, columns=columns)
    return fig


class _Page:
    """The text around the map, laid out in inches from the top (header) or the bottom (footer, key)."""

    def __init__(self, fig: Figure, renderer, scale: float):
        self.fig, self.renderer, self.scale = fig, renderer, scale
        self.w_in, self.h_in = fig.get_size_inches()
        self.dpi = fig.dpi
        self.margin = MARGIN_IN * scale

    def text(self, x_in: float, y_in: float, text: str, size: float, *, width_in: float, top: bool,
             weight: str = "normal", **style) -> float:
        """Wrapped text with its top (or bottom) edge ``y_in`` from the top (or bottom); returns its height."""
        size *= self.scale
        wrapped = _wrap(plain_text(text), width_in * self.dpi, size, self.renderer, weight=weight)
        label = self.fig.text(x_in / self.w_in, 1 - y_in / self.h_in if top else y_in / self.h_in, wrapped,
                              ha="left", va="top" if top else "bottom", fontsize=size, fontweight=weight,
                              parse_math=False, **{"color": INK, **style})
        return label.get_window_extent(self.renderer).height / self.dpi

    def header(self, headline: str, standfirst: str) -> float:
        """A rule, the headline, the standfirst; returns the inches they take from the top."""
        m, s = self.margin, self.scale
        self.fig.add_artist(Line2D([m / self.w_in, 1 - m / self.w_in], [1 - m * 0.7 / self.h_in] * 2, color=INK,
                                   linewidth=1.6 * s, transform=self.fig.transFigure))
        width = self.w_in - 2 * m
        y = m * 1.05
        y += self.text(m, y, headline, SIZE["title"], width_in=width, top=True, weight="bold", gid="title",
                       linespacing=1.15)
        y += 0.07 * s
        return y + self.text(m, y, standfirst, SIZE["standfirst"], width_in=width, top=True, linespacing=1.3,
                             gid="standfirst")

    def footer(self, paragraphs: list[str]) -> float:
        """Sources and attribution at the foot; returns the inches they take from the bottom."""
        m = self.margin
        text = "\n".join(p for p in paragraphs if p)
        return m * 0.8 + self.text(m, m * 0.8, text, SIZE["foot"], width_in=self.w_in - 2 * m, top=False,
                                   color=MUTED, linespacing=1.35, gid="attribution")

    def key(self, entries: list[tuple[int, str, str, str]], *, x: float, width: float, y: float,
            downwards: bool) -> float:
        """The numbered key to the incidents (number, colour, headline, figures), stacked from ``y``
        (inches from the top going down, or from the bottom going up); returns where it ends."""
        s = self.scale
        indent = 0.3 * s
        size = SIZE["key"]
        for number, color, head, body in (entries if downwards else reversed(entries)):  # a handful
            parts = [(head, "bold"), (body, "normal")] if downwards else [(body, "normal"), (head, "bold")]
            height = 0.0
            for text, weight in parts:
                height += self.text(x + indent, y + height, text, size, width_in=width - indent, top=downwards,
                                    weight=weight, linespacing=1.3, gid=f"key-{number}-{weight}") + 0.015 * s
            badge_y = y if downwards else y + height
            self.fig.text((x + 0.1 * s) / self.w_in, 1 - badge_y / self.h_in if downwards else badge_y / self.h_in,
                          str(number), ha="center", va="top", fontsize=size * s, fontweight="bold", color="white",
                          parse_math=False, bbox={"boxstyle": "circle,pad=0.2", "facecolor": color,
                                                  "edgecolor": "none"})
            y += height + 0.07 * s
        return y


def _draw_map(m: _Map, renderer, tracks, figures, scene: Scene,
              beside: tuple[float, float, float] | None = None, *, columns: int = 1,
              must_fit: bool = False) -> Any:
    """Everything inside the map frame: context, tracks, key to the symbols, scale bar, overview, labels.

    The key to the symbols goes ``beside`` the map if given and there is room (x and y of its top left
    corner and the height available, in inches from the left and the top of the page), else in a corner
    of the map.  With ``must_fit``, a key that would hide part of a track is not drawn: the key is
    returned instead (to be measured and put outside the map); otherwise None.
    """
    ax, scale, dpi = m.ax, m.scale, m.fig.dpi
    names = scene.names
    ax.set_axis_off()
    ax.set_xlim(m.view[0], m.view[2])
    ax.set_ylim(m.view[1], m.view[3])
    ax.set_aspect("auto")  # the view has the axes' aspect: one metre is as long across as up
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor="white", edgecolor="none", zorder=0))
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor="none", edgecolor=PRINT["frame"],
                           linewidth=0.7 * scale, zorder=30, clip_on=False))
    _graticule(m)
    context = _draw_context(m, tracks, figures, names)
    labels = _Labels(ax, renderer, scale)

    drawn, statuses, outcomes, assumed_kmh = _draw_tracks(m, labels, tracks, figures, scene)
    reach = "reach_geometry" in figures and any(g is not None for g in figures["reach_geometry"])

    # The key to the symbols, the scale bar and the overview go where they hide least of the tracks
    # and of the country entered.
    points = np.vstack([np.column_stack([d["x"], d["y"]]) for _, _, d in drawn]
                       + [np.column_stack([d["sx"], d["sy"]]) for _, _, d in drawn]
                       + [np.reshape(d["depth"], (2, 2)) for _, _, d in drawn if d["depth"] is not None]
                       ) if drawn else np.empty((0, 2))
    entered = shapely.union_all([context["countries"][c] for c in dict.fromkeys(tracks["country"])
                                 if c in context["countries"]])
    frame = ax.get_window_extent(renderer)
    def key(n: int):
        return _legend(m, statuses, outcomes, context.get("border", (None, None))[:2], names, assumed_kmh,
                       columns=n, reach=reach)

    legend = key(columns)
    if beside is None and columns == 1 and legend.get_window_extent(renderer).height > 0.6 * frame.height:
        legend.remove()
        legend = key(2)
    w_in, h_in = m.fig.get_size_inches()
    if beside is not None and legend.get_window_extent(renderer).height / dpi <= beside[2]:
        legend.set_bbox_to_anchor((beside[0] / w_in, 1 - beside[1] / h_in), transform=m.fig.transFigure)
        legend.set_loc("upper left")
        legend.set_frame_on(False)
        corner, taken = None, []
    else:
        corner, hidden = _corner_for(m, renderer, legend.get_window_extent(renderer), points, [], entered)
        if hidden and must_fit:
            return key
        legend.set_loc(corner)
        taken = [legend.get_window_extent(renderer).padded(4 * scale)]
        labels.block(taken[0])
    bar = Bbox.from_bounds(0, 0, frame.width * (SCALEBAR_MAX + 0.12), frame.height * 0.08)
    bar_corner, _ = _corner_for(m, renderer, bar, points, [corner], entered, avoid=taken, prefer_lower=True)
    for artist in _scalebar(m, bar_corner):
        taken.append(artist.get_window_extent(renderer).padded(3 * scale))
        labels.block(taken[-1])
    inset_w = min(LOCATOR_IN * scale, frame.width / dpi * 0.3, frame.height / dpi * 0.3)
    inset_box = Bbox.from_bounds(0, 0, inset_w * dpi, inset_w * dpi)
    inset_corner, _ = _corner_for(m, renderer, inset_box, points, [corner, bar_corner], entered, avoid=taken)
    inset = _locator(m, tracks, inset_corner, inset_w, names) if inset_corner else None
    if inset is not None:
        labels.block(inset.get_window_extent(renderer).padded(4 * scale))

    _place_labels(m, labels, drawn, context, names)
    return None


def _draw_tracks(m: _Map, labels: _Labels, tracks, figures, scene: Scene) -> tuple[list, list[str], list[str],
                                                                                  dict[str, float]]:
    """Every placed incident; what was drawn, the leg statuses and outcomes shown, assumed speeds by drone."""
    drawn, statuses, outcomes, assumed_kmh = [], [], [], {}
    for i in (i for i, c in enumerate(scene.colors) if c):  # per placed incident: a handful
        track, fig_row = tracks.loc[i], figures.loc[i]
        d = _draw_track(m, labels, track, fig_row, scene.incident(i), i + 1)
        drawn.append((track, fig_row, d))
        statuses += [s for s in dict.fromkeys(track["seg_status"]) if s not in statuses]
        outcomes += [] if track["outcome"] in outcomes else [track["outcome"]]
        if any(estimated for *_, estimated in d["leg_labels"]):
            assumed_kmh.setdefault(str(track["drone_name"]), float(track["speed_typical_kmh"]))
    return drawn, [s for s in DASH if s in statuses], outcomes, assumed_kmh


def _place_labels(m: _Map, labels: _Labels, drawn: list, context: dict[str, Any], names: dict[str, str]) -> None:
    """The labels, most important first: places, depths, badges, crossing times, legs, then the context."""
    for phase in (_label_places, _label_depth, _label_badge, _label_crossings):
        for track, fig_row, d in drawn:
            phase(m, labels, track, fig_row, d)
    for _, _, d in drawn:
        _label_legs(m, labels, d)
    stops_xy = (np.vstack([np.column_stack([d["sx"], d["sy"]]) for _, _, d in drawn]) if drawn
                else np.empty((0, 2)))
    _label_context(m, labels, context, names, _cities(m, stops_xy))


def _view(tracks, figures, proj: _Projector, aspect: float) -> tuple[float, float, float, float]:
    """The map's extent (metres): every track with its corridor and every depth line, padded, at ``aspect``."""
    xs, ys = [], []
    for i in range(len(tracks)):  # per incident
        if not bool(tracks.loc[i, "placed"]):
            continue
        coords = shapely.get_coordinates(tracks.loc[i, "geometry"])
        x, y = proj.xy(coords[:, 0], coords[:, 1])
        r = np.asarray(tracks.loc[i, "unc_km"], float) * 1000.0
        xs += [x - r, x + r]
        ys += [y - r, y + r]
        deepest = figures.loc[i, "deepest_point"]
        if isinstance(deepest, dict):
            bx, by = proj.xy([deepest["border_lon"]], [deepest["border_lat"]])
            xs.append(bx)
            ys.append(by)
    if xs:
        x, y = np.concatenate(xs), np.concatenate(ys)
        x0, x1, y0, y1 = x.min(), x.max(), y.min(), y.max()
    else:
        lon0, lat0, lon1, lat1 = _lonlat_bounds(tracks)
        x, y = proj.xy([lon0, lon1, lon0, lon1], [lat0, lat0, lat1, lat1])
        x0, x1, y0, y1 = x.min(), x.max(), y.min(), y.max()
    pad = VIEW_PAD * max(x1 - x0, y1 - y0)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = max(x1 - x0, VIEW_MIN_KM * 1000.0), max(y1 - y0, VIEW_MIN_KM * 1000.0)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def image_format(path: str | os.PathLike[str]) -> str:
    """The image format of ``path``, by its extension: ``"png"`` or ``"svg"``.

    Raises
    ------
    RenderOptionError
        For any other extension, naming the path and the extensions supported.

    Examples
    --------
    >>> image_format("map.PNG"), image_format("out/map.svg")
    ('png', 'svg')
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        what = f"extension {path.suffix!r}" if path.suffix else "no extension"
        raise RenderOptionError(f"{path}: cannot write an image with {what}; use one of {', '.join(FORMATS)}")
    return fmt


def write_image(path: str | os.PathLike[str], tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *,
                reports: Sequence[Any] | None = None, title: str | None = None, width: int = DEFAULT_WIDTH_PX,
                height: int = DEFAULT_HEIGHT_PX, dpi: float = DEFAULT_DPI) -> Path:
    """Write the static map to ``path`` atomically: PNG or SVG, by the extension.

    Parameters are those of :func:`render_image` (``width`` and ``height`` in pixels).
    Control characters in any text (:data:`geo.errors.CONTROL_CHARACTERS`) are
    drawn as U+FFFD, so an SVG is always well-formed XML.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    RenderOptionError
        For an extension other than ``.png`` or ``.svg``, or a size or dpi :func:`check_size`
        refuses (before anything is drawn or written), and for the reasons :func:`render_image` gives.
    geo.errors.OutputError
        If the file cannot be written: a missing folder (before anything is drawn), no
        permission, a full disk; the previous file is left as it was.
    """
    path = Path(path)
    fmt = image_format(path)
    check_size(width, height, dpi)
    check_target(path)
    fig = render_image(tracks, figures, reports=reports, title=title, width_px=width, height_px=height, dpi=dpi)
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=METADATA[fmt], facecolor="white")
    data = buffer.getvalue()
    if fmt == "svg":  # whatever text matplotlib wrote (the markup itself holds no control character)
        data = plain_text(data.decode("utf-8")).encode("utf-8")
    return write_atomic(path, data)
