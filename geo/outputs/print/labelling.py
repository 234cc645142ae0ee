"""Labelling the print map: which labels it gets, in which order of importance, and where each may go.

Places named in the reports first, then the depths, the incidents' numbers, crossing times, leg labels,
and last the context (countries, regions, bands, cities), each placed by
:class:`geo.outputs.print.placement.Labels`.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.reference.datafiles import PLACES, data_path
from geo.present.words import region_label
from geo.present.style import (
    PRINT,
    REGION_STYLE,
)
from geo.outputs.print import canvas, placement


#: Place labels longer than this (characters) are broken into lines.
PLACE_LABEL_CHARS = 22


#: Cities shown for orientation: at least this many people, at most this many labels.
CITY_MIN_POPULATION = 100_000


CITY_MAX = 12


#: A city this close (km) to a labelled waypoint is not labelled again.
CITY_NEAR_STOP_KM = 12.0


def _cities(m: canvas.PrintMap, stops_xy: np.ndarray) -> list[tuple[float, float, str, int]]:
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


def badge_style(m: canvas.PrintMap, color: str, size: float) -> dict[str, Any]:
    return {"fontsize": size, "fontweight": "bold", "color": "white",
            "bbox": {"boxstyle": "circle,pad=0.22", "facecolor": color, "edgecolor": "white",
                     "linewidth": m.pt(0.8)}}


def _label_places(m: canvas.PrintMap, labels: placement.Labels, track: pd.Series, fig_row: pd.Series, drawn: dict[str, Any]) -> None:
    """Name the waypoints the report gives (the tool's own estimates are told by the symbols)."""
    last = len(drawn["stops"]) - 1
    for k, (s, px, py) in enumerate(zip(drawn["stops"], drawn["sx"], drawn["sy"])):
        if s["status"] == "estimated" or s.get("kind") in ("entry", "exit"):
            continue
        reported = s["status"] == "reported"
        text = "\n".join(textwrap.wrap(s["label"], PLACE_LABEL_CHARS, break_on_hyphens=False)) or s["label"]
        spots = placement.around(10 if k == last else 6) + placement.around(16) + placement.around(26)
        labels.place(px, py, text, spots, required=reported, linespacing=1.05,
                     fontsize=m.pt(canvas.SIZE["place"]), color=canvas.INK, path_effects=canvas.HALO_EFFECT, zorder=11,
                     fontweight="bold" if reported else "normal", fontstyle="normal" if reported else "italic")


def _label_depth(m: canvas.PrintMap, labels: placement.Labels, track: pd.Series, fig_row: pd.Series, drawn: dict[str, Any]) -> None:
    """The depth, by the middle of the line from the deepest point to the border (as on the web map)."""
    if drawn["depth"] is None:
        return
    dx, dy, bx, by = drawn["depth"]
    deepest = drawn["deepest"]
    text = deepest.label + (f"\n({deepest.bound})" if deepest.bound else "")  # the range on a line of its own
    style = {"fontsize": m.pt(canvas.SIZE["depth"]), "color": canvas.INK, "fontweight": "bold", "path_effects": canvas.HALO_EFFECT,
             "zorder": 11, "linespacing": 1.05}
    if labels.place((dx + bx) / 2, (dy + by) / 2, text, placement.around(5), **style) is None:
        labels.place(dx, dy, text, placement.around(8) + placement.around(16) + placement.around(26), required=True, **style)


def _label_badge(m: canvas.PrintMap, labels: placement.Labels, track: pd.Series, fig_row: pd.Series, drawn: dict[str, Any]) -> None:
    """The incident's number by its end, linking the track to the key under the map."""
    ex, ey = drawn["end"]
    labels.place(ex, ey, str(drawn["number"]), placement.around(11), required=True, zorder=12,
                 **badge_style(m, drawn["color"], m.pt(7)))


def _label_crossings(m: canvas.PrintMap, labels: placement.Labels, track: pd.Series, fig_row: pd.Series,
                     drawn: dict[str, Any]) -> None:
    """Crossing times, where the report gives clock times (``~`` marks one not reported exactly)."""
    for c, px, py in zip(drawn["crossings"], drawn["cx"], drawn["cy"]):
        if c.clock_label is None:
            continue
        labels.place(px, py, c.clock_label, placement.around(6), fontsize=m.pt(canvas.SIZE["place"] - 0.6), color=canvas.INK,
                     path_effects=canvas.HALO_EFFECT, zorder=11)


def _label_legs(m: canvas.PrintMap, labels: placement.Labels, drawn: dict[str, Any]) -> None:
    """Leg labels (km, time, implied speed; ``*`` for a time at an assumed speed) beside each long leg."""
    for x, y, text, _estimated in drawn["leg_labels"]:
        labels.place(x, y, text, placement.around(6), fontsize=m.pt(canvas.SIZE["leg"]), color=canvas.MUTED, path_effects=canvas.HALO_EFFECT,
                     zorder=10.8)


def _label_context(m: canvas.PrintMap, labels: placement.Labels, context: dict[str, Any], names: dict[str, str],
                   cities: list[tuple[float, float, str, int]]) -> None:
    """Region names, cities, distance-band labels and country names, where there is room."""
    for rid, (name, shape) in context["regions"].items():
        for px, py in placement.spots(shape):
            if labels.place(px, py, region_label(name, wrap=True), [(0, 0, "center", "center")], fontsize=m.pt(canvas.SIZE["region"]),
                            color=REGION_STYLE["color"], fontstyle="italic", path_effects=canvas.HALO_EFFECT, zorder=10.5,
                            linespacing=1.0) is not None:
                break
    for x, y, name, population in cities:  # a dozen at most
        size = 3.4 if population >= 1_000_000 else 2.6
        spot = labels.place(x, y, name, placement.around(3.5 + size / 2), fontsize=m.pt(canvas.SIZE["city"]), color=PRINT["city"],
                            path_effects=canvas.HALO_EFFECT, zorder=9)
        if spot is not None:
            m.ax.plot([x], [y], marker="s" if population >= 1_000_000 else "o", markersize=m.pt(size),
                      markerfacecolor=PRINT["city"], markeredgecolor=canvas.HALO, markeredgewidth=m.pt(0.5), zorder=9,
                      linestyle="none")
            labels.block_points([x], [y], size / 2 + 0.5)
    for d, edge in context["bands"]:
        for px, py in placement.edge_spots(edge, m.view):
            if labels.place(px, py, f"{d} km", [(0, 0, "center", "center")], fontsize=m.pt(canvas.SIZE["band"]),
                            color=PRINT["place_muted"], path_effects=canvas.HALO_EFFECT, zorder=10.4) is not None:
                break
    for code, shape in context["countries"].items():
        inside = shapely.intersection(shape, m.box)
        if inside.is_empty or inside.area < m.box.area * 0.02:
            continue
        text = " ".join(names.get(code, code).upper())
        for px, py in placement.spots(inside):
            if labels.place(px, py, text, [(0, 0, "center", "center")], fontsize=m.pt(canvas.SIZE["country"]),
                            color=PRINT["country_name"], fontweight="bold", zorder=2.8, pad_pt=3) is not None:
                break


def place_labels(m: canvas.PrintMap, labels: placement.Labels, drawn: list, context: dict[str, Any], names: dict[str, str]) -> None:
    """The labels, most important first: places, depths, badges, crossing times, legs, then the context."""
    for phase in (_label_places, _label_depth, _label_badge, _label_crossings):
        for track, fig_row, d in drawn:
            phase(m, labels, track, fig_row, d)
    for _, _, d in drawn:
        _label_legs(m, labels, d)
    stops_xy = (np.vstack([np.column_stack([d["sx"], d["sy"]]) for _, _, d in drawn]) if drawn
                else np.empty((0, 2)))
    _label_context(m, labels, context, names, _cities(m, stops_xy))
