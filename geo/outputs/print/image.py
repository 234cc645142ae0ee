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
by a fixed rule (:class:`geo.outputs.print.placement.Labels`); the same input gives byte-identical SVG and
pixel-identical PNG.  Report text is drawn literally: ``$`` never starts
mathtext (``text.parse_math`` is off) and this is not HTML, so ``<b>`` is text.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.transforms import Bbox

from geo.reference import borders
from geo.atomic import check_target, write_atomic
from geo.errors import plain_text
from geo.present.figures import check_figures
from geo.present.legs import status_runs
from geo.present.captions import key_entry, sources_line
from geo.present.scene import IncidentView, Scene, build_scene
from geo.present.shapes import BANDS_KM, corridor, distance_bands
from geo.present.style import (
    PRINT,
    PRINT_DEPTH_LW,
    BAND_FILL,
    BORDER_STYLE,
    COUNTRY_STYLE,
    DASH,
    ORIGIN_STYLE,
    OUTCOME_SYMBOL,
    REGION_STYLE,
)
from geo.errors import RenderOptionError
from geo.outputs.print import canvas, furniture, labelling, placement
from geo.outputs.print.canvas import map_crs

__all__ = ["FORMATS", "DEFAULT_WIDTH_PX", "DEFAULT_HEIGHT_PX", "DEFAULT_DPI", "PRESETS", "image_size", "MIN_SIDE_PX", "DPI_RANGE",
           "MAX_SIDE_PX", "MAX_PIXELS", "RC", "map_crs", "image_format", "check_size", "render_image", "write_image"]

#: File extensions :func:`write_image` writes, and the matplotlib format of each.
FORMATS = {".png": "png", ".svg": "svg"}
#: Default size: 8 × 10 inches at 200 dpi (a portrait page graphic).
DEFAULT_WIDTH_PX = 1600
DEFAULT_HEIGHT_PX = 2000
DEFAULT_DPI = 200
#: Sizes for a page: (width px, height px, dpi). The dpi sets how large the type is drawn; the
#: smallest text on each (the map's grid labels, 5.2 pt scaled) measures about 9.1 px at ``column``
#: (an article column), 10.3 px at ``half`` and 14.4 px at ``full`` (tests/test_image.py measures it).
PRESETS = {"column": (600, 1200, 230.0), "half": (1000, 1250, 150.0), "full": (1600, 2000, 200.0)}
#: Smallest image accepted (px) and dpi range: below these the text cannot fit.
MIN_SIDE_PX = 300
DPI_RANGE = (50, 1200)
#: Largest image accepted: at most this many pixels a side (a 55 in print at 300 dpi; matplotlib's own limit
#: is 65,536) ...
MAX_SIDE_PX = 16_384
#: ... and this many pixels in all (100 megapixels; about A1 at 350 dpi).  PNG and SVG alike are drawn on an
#: RGBA canvas of the full size, 4 bytes a pixel (400 MB here), plus a copy to encode a PNG.
MAX_PIXELS = 100_000_000

#: matplotlib settings in force while drawing and saving.
RC = {
    "font.family": canvas.FONT,
    "font.sans-serif": [canvas.FONT],
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
#: The design width (inches) at which the font sizes apply; smaller images scale them down.
DESIGN_WIDTH_IN = 7.0
#: Legs at least this long (km) get a direction arrow at their middle.
ARROW_MIN_KM = 20.0
#: The view: the tracks' extent plus this fraction of its larger side, and at least this span (km).
VIEW_PAD = 0.10
VIEW_MIN_KM = 260.0
#: Margins of the page (inches).
MARGIN_IN = 0.32



# ----------------------------------------------------------------------------- projection








# ----------------------------------------------------------------------------- small drawing helpers














# ----------------------------------------------------------------------------- label placement






# ----------------------------------------------------------------------------- the map






def _draw_context(m: canvas.PrintMap, tracks: gpd.GeoDataFrame, figures: pd.DataFrame,
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
                else ORIGIN_STYLE["fillColor"] if code in origins else canvas.OTHER_FILL)
        canvas.area(ax, shape, facecolor=fill, edgecolor="none", zorder=1)
        context["countries"][code] = shape
    outlines = shapely.line_merge(shapely.union_all([shapely.boundary(g) for g in context["countries"].values()]))
    canvas.lines(ax, shapely.intersection(outlines, m.box), colors=canvas.OUTLINE, linewidths=m.pt(0.6), zorder=2.4,
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
        canvas.lines(ax, shapely.intersection(shapely.boundary(shape), m.box),
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
            canvas.area(ax, shape, facecolor=BAND_FILL[band], alpha=0.13, edgecolor="none", zorder=2)
            # The band's far edge: the outline of everything up to it, less the country's own outline.
            reach = shape if reach is None else shapely.union(reach, shape)
            outline = shapely.boundary(context["countries"].get(country, shapely.Polygon()))
            edge = shapely.difference(shapely.boundary(reach), shapely.buffer(outline, 3 * m.simplify_m))
            edge = shapely.simplify(shapely.intersection(edge, m.box), m.simplify_m)
            canvas.lines(ax, edge, colors=PRINT["band_edge"], linewidths=m.pt(0.45), linestyles=(0, (3, 3)), zorder=2.3)
            context["bands"].append((BANDS_KM[band], edge))
        border = m.project(shapely.geometry.shape(line))
        canvas.lines(ax, shapely.intersection(border, m.box), colors=BORDER_STYLE["color"],
               linewidths=m.pt(canvas.BORDER_LW), alpha=BORDER_STYLE["opacity"], zorder=2.6, capstyle="round")
        context["border"] = (country, origin, border)
    return context




def _draw_track(m: canvas.PrintMap, labels: placement.Labels, track: pd.Series, fig_row: pd.Series, view: IncidentView,
                number: int) -> dict[str, Any]:
    """One placed incident, as the presentation model ``view`` says: corridor, legs by status, arrows,
    waypoints, crossings, deepest point, end.  Returns what the labels are placed from, in map units."""
    coords = shapely.get_coordinates(track.geometry)
    x, y = m.proj.xy(coords[:, 0], coords[:, 1])
    _draw_lines(m, track, fig_row, view, coords, x, y)
    leg_labels = _draw_arrows(m, view, x, y)
    return {"x": x, "y": y, "leg_labels": leg_labels, "color": view.color, "number": number,
            **_draw_points(m, labels, track, view, x, y)}


def _draw_lines(m: canvas.PrintMap, track: pd.Series, fig_row: pd.Series, view: IncidentView, coords: np.ndarray,
                x: np.ndarray, y: np.ndarray) -> None:
    """The uncertainty corridor, the possible area's outline and the legs by status, on a halo."""
    ax, color = m.ax, view.color
    lon, lat = coords[:, 0], coords[:, 1]
    unc = np.asarray(track["unc_km"], float)
    status = np.asarray(track["seg_status"], object)

    canvas.area(ax, m.project(corridor(lon, lat, unc), simplify=False), facecolor=color, alpha=0.16,
          edgecolor="none", zorder=3)
    reach = fig_row.get("reach_geometry")
    if reach is not None and not shapely.is_empty(reach):  # where it could have been (geo.analysis.reach): an outline
        canvas.lines(ax, m.project(reach, simplify=False), colors=color, linewidths=m.pt(0.8), linestyles=(0, (2, 3)),
               alpha=0.8, zorder=3, gid=f"reach-{track['id']}")
    lw = m.pt(canvas.TRACK_LW)
    ax.plot(x, y, color=canvas.HALO, linewidth=lw + m.pt(1.6), solid_capstyle="round", solid_joinstyle="round",
            zorder=4)
    for first, last, st in status_runs(status):
        ax.plot(x[first:last + 1], y[first:last + 1], color=color, linewidth=lw, linestyle=canvas.dashes(st),
                dash_capstyle="round", solid_capstyle="round", solid_joinstyle="round", zorder=5,
                gid=f"leg-{track['id']}-{first}-{st}")


def _draw_arrows(m: canvas.PrintMap, view: IncidentView, x: np.ndarray, y: np.ndarray) -> list[tuple[float, float, str, bool]]:
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


def _draw_points(m: canvas.PrintMap, labels: placement.Labels, track: pd.Series, view: IncidentView, x: np.ndarray,
                 y: np.ndarray) -> dict[str, Any]:
    """Waypoints, crossings, the deepest point with its line to the border, and the end symbol."""
    ax, color = m.ax, view.color
    stops = track["stops"]
    sx, sy = m.proj.xy([s["lon"] for s in stops], [s["lat"] for s in stops])
    for s, px, py in zip(stops, sx, sy):  # per stop
        reported = s["status"] == "reported"
        ax.plot([px], [py], marker="o", markersize=m.pt(5.2 if reported else 4.6), markeredgewidth=m.pt(1.2),
                markeredgecolor=canvas.HALO if reported else color, markerfacecolor=color if reported else canvas.HALO,
                zorder=8, linestyle="none")
    labels.block_points(x[::2], y[::2], 1.6)
    labels.block_points(sx, sy, 3.5)

    crossings = view.crossings
    cx, cy = m.proj.xy([c.lon for c in crossings], [c.lat for c in crossings])
    for k, (c, px, py) in enumerate(zip(crossings, cx, cy)):
        ax.plot([px], [py], marker="D", markersize=m.pt(5.5), markerfacecolor=canvas.HALO, markeredgecolor=canvas.INK,
                markeredgewidth=m.pt(1.1), zorder=9, linestyle="none", gid=f"crossing-{track['id']}-{k}")
    labels.block_points(cx, cy, 4.0)

    deepest = view.deepest
    depth = None
    if deepest is not None:
        (dx, bx), (dy, by) = m.proj.xy([deepest.lon, deepest.border_lon], [deepest.lat, deepest.border_lat])
        # A measure, not a route: a thin solid line with a tick across each end (a two-point marker
        # turned to the line's own angle: the map's axes keep x and y to one scale).
        ax.plot([dx, bx], [dy, by], color=canvas.INK, linewidth=m.pt(PRINT_DEPTH_LW), zorder=7)
        tick = (2, 0, float(np.degrees(np.arctan2(by - dy, bx - dx))))
        ax.plot([dx, bx], [dy, by], marker=tick, markersize=m.pt(6), markeredgecolor=canvas.INK,
                markeredgewidth=m.pt(PRINT_DEPTH_LW), zorder=7, linestyle="none")
        ax.plot([dx], [dy], marker="o", markersize=m.pt(7.5), markerfacecolor=color, markeredgecolor=canvas.INK,
                markeredgewidth=m.pt(1.3), zorder=9.5, linestyle="none", gid=f"deepest-{track['id']}")
        labels.block_points([dx], [dy], 4.5)
        depth = (dx, dy, bx, by)

    ex, ey = sx[-1], sy[-1]
    ax.plot([ex], [ey], marker="o", markersize=m.pt(11), markerfacecolor=color, markeredgecolor=canvas.HALO,
            markeredgewidth=m.pt(1.3), zorder=10, linestyle="none")
    ax.plot([ex], [ey], marker=canvas.symbol(OUTCOME_SYMBOL.get(track["outcome"], "•")), markersize=m.pt(6.5),
            markerfacecolor=canvas.HALO, markeredgecolor="none", zorder=10.5, linestyle="none",
            gid=f"end-{track['id']}")
    labels.block_points([ex], [ey], 6.0)
    return {"stops": stops, "sx": sx, "sy": sy, "crossings": crossings, "cx": cx, "cy": cy, "depth": depth,
            "deepest": deepest, "end": (ex, ey)}
























# ----------------------------------------------------------------------------- key, header and footer






# ----------------------------------------------------------------------------- the figure


def image_size(preset: str | None = None, *, width: int | None = None, height: int | None = None,
               dpi: float | None = None) -> tuple[int, int, float]:
    """The (width px, height px, dpi) to draw: the preset's (or the defaults), each overridden where given.

    Examples
    --------
    >>> image_size(), image_size("column"), image_size("column", dpi=200)
    ((1600, 2000, 200), (600, 1200, 230.0), (600, 1200, 200))
    """
    if preset is not None and preset not in PRESETS:
        raise RenderOptionError(f"image preset {preset!r} is not known; expected one of: {', '.join(PRESETS)}")
    w, h, d = PRESETS[preset] if preset else (DEFAULT_WIDTH_PX, DEFAULT_HEIGHT_PX, DEFAULT_DPI)
    return (width if width is not None else w, height if height is not None else h, dpi if dpi is not None else d)


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
    proj = canvas.Projector(canvas.map_crs(tracks))

    top = page.header(scene.title, scene.standfirst(interactive=False)) + 0.14 * scale
    bottom = page.footer([sources_line(scene.publications),
                          f"Map data: {canvas.plain(scene.attribution)}. {canvas.projection_text(proj.crs)}. Drawn with geo."])
    colors = {i: c for i, c in enumerate(scene.colors) if c}  # placed incidents only
    entries = [(i + 1, colors.get(i, canvas.FAINT), *key_entry(tracks.loc[i], figures.loc[i], names,
                                                                scene.incident(i).warnings))
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
    key = _draw_map(canvas.PrintMap(fig, ax, proj, _view(tracks, figures, proj, ax_w / ax_h), scale), renderer, tracks,
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
    _draw_map(canvas.PrintMap(fig, ax, proj, _view(tracks, figures, proj, ax_w / (ax_h - below)), scale), renderer, tracks,
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
        wrapped = canvas.wrap(plain_text(text), width_in * self.dpi, size, self.renderer, weight=weight)
        label = self.fig.text(x_in / self.w_in, 1 - y_in / self.h_in if top else y_in / self.h_in, wrapped,
                              ha="left", va="top" if top else "bottom", fontsize=size, fontweight=weight,
                              parse_math=False, **{"color": canvas.INK, **style})
        return label.get_window_extent(self.renderer).height / self.dpi

    def header(self, headline: str, standfirst: str) -> float:
        """A rule, the headline, the standfirst; returns the inches they take from the top."""
        m, s = self.margin, self.scale
        self.fig.add_artist(Line2D([m / self.w_in, 1 - m / self.w_in], [1 - m * 0.7 / self.h_in] * 2, color=canvas.INK,
                                   linewidth=1.6 * s, transform=self.fig.transFigure))
        width = self.w_in - 2 * m
        y = m * 1.05
        y += self.text(m, y, headline, canvas.SIZE["title"], width_in=width, top=True, weight="bold", gid="title",
                       linespacing=1.15)
        y += 0.07 * s
        return y + self.text(m, y, standfirst, canvas.SIZE["standfirst"], width_in=width, top=True, linespacing=1.3,
                             gid="standfirst")

    def footer(self, paragraphs: list[str]) -> float:
        """Sources and attribution at the foot; returns the inches they take from the bottom."""
        m = self.margin
        text = "\n".join(p for p in paragraphs if p)
        return m * 0.8 + self.text(m, m * 0.8, text, canvas.SIZE["foot"], width_in=self.w_in - 2 * m, top=False,
                                   color=canvas.MUTED, linespacing=1.35, gid="attribution")

    def key(self, entries: list[tuple[int, str, str, str]], *, x: float, width: float, y: float,
            downwards: bool) -> float:
        """The numbered key to the incidents (number, colour, headline, figures), stacked from ``y``
        (inches from the top going down, or from the bottom going up); returns where it ends."""
        s = self.scale
        indent = 0.3 * s
        size = canvas.SIZE["key"]
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


def _draw_map(m: canvas.PrintMap, renderer, tracks, figures, scene: Scene,
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
    furniture.graticule(m)
    context = _draw_context(m, tracks, figures, names)
    labels = placement.Labels(ax, renderer, scale)

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
        return furniture.legend(m, statuses, outcomes, context.get("border", (None, None))[:2], names, assumed_kmh,
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
        corner, hidden = furniture.corner_for(m, renderer, legend.get_window_extent(renderer), points, [], entered)
        if hidden and must_fit:
            return key
        legend.set_loc(corner)
        taken = [legend.get_window_extent(renderer).padded(4 * scale)]
        labels.block(taken[0])
    bar = Bbox.from_bounds(0, 0, frame.width * (furniture.SCALEBAR_MAX + 0.12), frame.height * 0.08)
    bar_corner, _ = furniture.corner_for(m, renderer, bar, points, [corner], entered, avoid=taken, prefer_lower=True)
    for artist in furniture.scalebar(m, bar_corner):
        taken.append(artist.get_window_extent(renderer).padded(3 * scale))
        labels.block(taken[-1])
    inset_w = min(furniture.LOCATOR_IN * scale, frame.width / dpi * 0.3, frame.height / dpi * 0.3)
    inset_box = Bbox.from_bounds(0, 0, inset_w * dpi, inset_w * dpi)
    inset_corner, _ = furniture.corner_for(m, renderer, inset_box, points, [corner, bar_corner], entered, avoid=taken)
    inset = furniture.locator(m, tracks, inset_corner, inset_w, names) if inset_corner else None
    if inset is not None:
        labels.block(inset.get_window_extent(renderer).padded(4 * scale))

    labelling.place_labels(m, labels, drawn, context, names)
    return None


def _draw_tracks(m: canvas.PrintMap, labels: placement.Labels, tracks, figures, scene: Scene) -> tuple[list, list[str], list[str],
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




def _view(tracks, figures, proj: canvas.Projector, aspect: float) -> tuple[float, float, float, float]:
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
        lon0, lat0, lon1, lat1 = canvas.lonlat_bounds(tracks)
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
