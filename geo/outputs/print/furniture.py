"""The print map's furniture: graticule, scale bar, overview map, key to the symbols, and the corner each goes in."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.collections import LineCollection
from matplotlib.legend_handler import HandlerPatch, HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox, offset_copy
from shapely.ops import polylabel

from geo.reference import borders
from geo.errors import plain_text
from geo.present.shapes import BANDS_KM
from geo.present.words import PRINT_LEGEND, assumed_speed_note
from geo.present.style import (
    PRINT,
    PRINT_DEPTH_LW,
    BAND_FILL,
    BORDER_STYLE,
    ORIGIN_STYLE,
    OUTCOME_LABEL,
    OUTCOME_SYMBOL,
    REGION_STYLE,
    STATUS_LABEL,
)
from geo.outputs.print import canvas


#: Nice scale-bar lengths (km), the longest under SCALEBAR_MAX of the map's width is used.
SCALEBAR_KM = (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


SCALEBAR_MAX = 0.28


#: Width of the overview map in a corner (inches, at the design width).
LOCATOR_IN = 1.35


def graticule(m: canvas.PrintMap) -> None:
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
    ax.add_collection(LineCollection([np.column_stack(xy) for _, _, xy in lines], colors=canvas.GRATICULE,
                                     linewidths=m.pt(0.35), zorder=1.5), autolim=False)
    style = {"fontsize": m.pt(canvas.SIZE["grid"]), "color": canvas.FAINT, "parse_math": False, "clip_on": False}
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


def scalebar(m: canvas.PrintMap, corner: str | None) -> list[Any]:
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
    artists = [ax.add_patch(Rectangle((bx + i * length / 2, by), length / 2, h, facecolor=canvas.INK if i == 0 else canvas.HALO,
                                      edgecolor=canvas.INK, linewidth=m.pt(0.6), zorder=13, gid=f"scalebar-{i}"))
               for i in range(2)]
    style = {"fontsize": m.pt(canvas.SIZE["grid"] + 0.6), "color": canvas.INK, "path_effects": canvas.HALO_EFFECT, "zorder": 13,
             "parse_math": False, "va": "bottom"}
    lift = offset_copy(ax.transData, fig=m.fig, y=m.pt(2), units="points")
    artists.append(ax.text(bx, by + h, "0", ha="center", transform=lift, **style))
    artists.append(ax.text(bx + length / 2, by + h, f"{km / 2:g}", ha="center", transform=lift, **style))
    artists.append(ax.text(bx + length, by + h, f"{km:g} km", ha="left", transform=lift, gid="scalebar-label",
                           **style))
    return artists


def locator(m: canvas.PrintMap, tracks: gpd.GeoDataFrame, corner: str, width_in: float, names: dict[str, str]):
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
        fill = canvas.LOCATOR_FILL if code in entered else ORIGIN_STYLE["fillColor"] if code in codes else canvas.OTHER_FILL
        canvas.area(inset, shape, facecolor=fill, edgecolor=canvas.OUTLINE, linewidth=m.pt(0.35), zorder=1)
        if code in codes and shape.area > 0.05 * (x1 - x0) * (y1 - y0):
            pole = polylabel(max(shapely.get_parts(shape), key=lambda p: p.area), tolerance)
            inset.text(pole.x, pole.y, plain_text(names.get(code, code)), ha="center", va="center", fontsize=m.pt(5.4),
                       color=canvas.MUTED, parse_math=False, zorder=3)
    canvas.lines(inset, view.exterior, colors=canvas.INK, linewidths=m.pt(1.0), zorder=4)
    return inset


def legend(m: canvas.PrintMap, statuses: list[str], outcomes: list[str], country_pair: tuple[str | None, str | None],
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

    lw = m.pt(canvas.TRACK_LW)
    header(PRINT_LEGEND["routes"])
    for st in statuses:
        add(Line2D([], [], color=canvas.INK, linewidth=lw, linestyle=canvas.dashes(st), dash_capstyle="round"),
            STATUS_LABEL[st])
    add(Patch(facecolor=PRINT["corridor_key"], alpha=0.35, edgecolor="none"), PRINT_LEGEND["corridor"])
    if reach:
        add(Line2D([], [], color=canvas.INK, linewidth=m.pt(0.8), linestyle=(0, (2, 3))), PRINT_LEGEND["reach"])
    if assumed_kmh:  # the footnote of the leg labels marked *
        add(Line2D([], [], color="none"), assumed_speed_note(assumed_kmh))
    header(PRINT_LEGEND["points"])
    add(Line2D([], [], color="none", marker="o", markersize=m.pt(5.2), markerfacecolor=canvas.INK,
               markeredgecolor=canvas.HALO), PRINT_LEGEND["place"])
    if any(s != "reported" for s in statuses):
        add(Line2D([], [], color="none", marker="o", markersize=m.pt(4.6), markerfacecolor=canvas.HALO,
                   markeredgecolor=canvas.INK, markeredgewidth=m.pt(1.2)), PRINT_LEGEND["other_point"])
    add(Line2D([], [], color="none", marker="D", markersize=m.pt(5), markerfacecolor=canvas.HALO, markeredgecolor=canvas.INK,
               markeredgewidth=m.pt(1.1)), PRINT_LEGEND["crossing"])
    add((Line2D([0, 1], [0, 0], color=canvas.INK, linewidth=m.pt(PRINT_DEPTH_LW), marker=(2, 0, 0),
                markersize=m.pt(6), markeredgecolor=canvas.INK, markeredgewidth=m.pt(PRINT_DEPTH_LW)),
         Line2D([], [], color="none", marker="o", markersize=m.pt(6.5), markerfacecolor=canvas.FAINT,
                markeredgecolor=canvas.INK)),
        PRINT_LEGEND["deepest"])
    for outcome in outcomes:  # the end symbol, white on a grey disc as on the map (in its track's colour)
        add((Line2D([], [], color="none", marker="o", markersize=m.pt(10), markerfacecolor=canvas.FAINT,
                    markeredgecolor="none"),
             Line2D([], [], color="none", marker=canvas.symbol(OUTCOME_SYMBOL.get(outcome, "•")), markersize=m.pt(6),
                    markerfacecolor=canvas.HALO, markeredgecolor="none")),
            PRINT_LEGEND["end"].format(outcome=OUTCOME_LABEL.get(outcome, outcome)))
    country, origin = country_pair
    if country is not None:
        header(PRINT_LEGEND["borders"])
        add(Line2D([], [], color=BORDER_STYLE["color"], linewidth=m.pt(canvas.BORDER_LW), alpha=BORDER_STYLE["opacity"]),
            PRINT_LEGEND["crossed"].format(country=names.get(country, country), origin=names.get(origin, origin)))
        add(Patch(facecolor=BAND_FILL[1], alpha=0.3, edgecolor=PRINT["band_edge"], linestyle=(0, (3, 3)),
                  linewidth=m.pt(0.45)), PRINT_LEGEND["bands"].format(bands=", ".join(str(b) for b in BANDS_KM)))
        add(Line2D([], [], color=REGION_STYLE["color"], linewidth=m.pt(0.7), linestyle=(0, (4, 3))),
            PRINT_LEGEND["region"])
    legend = m.ax.legend(handles, [plain_text(label) for label in labels], loc="upper left", ncols=columns, fontsize=m.pt(canvas.SIZE["legend"]), frameon=True,
                         framealpha=0.94, edgecolor=PRINT["legend_edge"], fancybox=False, borderpad=0.8, labelspacing=0.5,
                         handlelength=2.6, handleheight=0.9, handletextpad=0.6, alignment="left",
                         handler_map={Patch: HandlerPatch(), tuple: HandlerTuple(ndivide=1, pad=0)})
    texts = legend.get_texts()
    for k in headers:
        texts[k].set_fontweight("bold")
    legend.get_frame().set_linewidth(m.pt(0.5))
    legend.set_zorder(20)
    return legend


def corner_for(m: canvas.PrintMap, renderer, artist_box: Bbox, points: np.ndarray, taken: list[str],
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
