"""The print map's canvas: its projection, the axes it is drawn on, drawing primitives, palette and font.

The palette, font and sizes are :mod:`geo.present.style`'s; here they get the short names the drawing code uses.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import markupsafe
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path as MplPath
from matplotlib.textpath import TextPath
from pyproj import CRS, Proj, Transformer
from shapely.plotting import patch_from_polygon

from geo.errors import RenderOptionError
from geo.present.words import projection_words
from geo.reference import borders
from geo.present.style import (
    PRINT,
    PRINT_BORDER_LW,
    PRINT_FONT,
    PRINT_SIZE_PT,
    PRINT_TRACK_LW,
    DASH,
)


# The palette, font and sizes, as geo.present.style decides them, under the drawing code's short names.
FONT = PRINT_FONT
INK, MUTED, FAINT, HALO = PRINT["ink"], PRINT["muted"], PRINT["faint"], PRINT["halo"]
OTHER_FILL, LOCATOR_FILL, OUTLINE, GRATICULE = (PRINT["other_fill"], PRINT["locator_fill"], PRINT["outline"],
                                                PRINT["graticule"])
SIZE = PRINT_SIZE_PT
TRACK_LW, BORDER_LW = PRINT_TRACK_LW, PRINT_BORDER_LW
#: The white halo behind labels.
HALO_EFFECT = [patheffects.withStroke(linewidth=2.4, foreground=HALO)]


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
    >>> projection_text(map_crs(tracks))
    'Lambert conformal conic projection (standard parallels 52° and 54.5° N, central meridian 29.5° E)'
    """
    lon0, lat0, lon1, lat1 = lonlat_bounds(tracks)

    def half(value: float) -> float:
        return round(value * 2.0) / 2.0

    span = lat1 - lat0
    return CRS.from_proj4(
        f"+proj=lcc +lat_1={half(lat0 + span / 6):g} +lat_2={half(lat1 - span / 6):g} "
        f"+lat_0={half((lat0 + lat1) / 2):g} +lon_0={half((lon0 + lon1) / 2):g} +datum=WGS84 +units=m +no_defs")


def projection_text(crs: CRS) -> str:
    """How the print footer names the map's projection (:func:`geo.present.words.projection_words`)."""
    p = {param.name: round(param.value, 6) for param in crs.coordinate_operation.params}
    return projection_words(p["Latitude of 1st standard parallel"], p["Latitude of 2nd standard parallel"],
                            p["Longitude of false origin"])


def lonlat_bounds(tracks: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
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


class Projector:
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


def area(ax, geom, **style) -> None:
    """Add a (multi)polygon as one patch (nothing for an empty geometry)."""
    polys = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]
    if polys:  # add_artist, not add_patch: the view is set, so no need to grow the data limits
        ax.add_artist(patch_from_polygon(shapely.MultiPolygon(polys), **style))


def lines(ax, geom, **style) -> LineCollection | None:
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


def dashes(status: str) -> Any:
    """geo.present.style's SVG dash pattern (px at the web's 3.5 px line) as a matplotlib linestyle."""
    pattern = DASH.get(status)
    if not pattern:
        return "solid"
    on_off = [float(v) / 3.5 for v in pattern.split()]
    if on_off[0] <= 0.6:  # dots: a near-zero dash with round caps
        on_off[0] = 0.05
    return (0, tuple(v for v in on_off))


def symbol(char: str) -> MplPath:
    """A glyph of the font as a marker path, centred on its bounding box."""
    path = TextPath((0, 0), char, size=10, prop=FontProperties(family=FONT))
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    return MplPath(path.vertices - [(x0 + x1) / 2, (y0 + y1) / 2], path.codes)


def plain(html: str) -> str:
    """HTML from geo.present.words (attribution) as plain text."""
    return markupsafe.Markup(html).striptags()


def wrap(text: str, width_px: float, size_pt: float, renderer, *, weight: str = "normal") -> str:
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


class PrintMap:
    """Everything drawn on the map axes, in map metres."""

    def __init__(self, fig, ax, proj: Projector, view: tuple[float, float, float, float], scale: float):
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
