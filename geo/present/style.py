"""Colours, line styles and symbols of the published maps, and which incident gets which colour.

Kept apart from the code that draws (the web map, the print image, KML) so a
newsroom can restyle its maps in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "DEPTH_LINE",
    "PRINT_DEPTH_LW",
    "DEPTH_TICK_PX",
    "track_colors",
    "PALETTE",
    "DASH",
    "STATUS_LABEL",
    "OUTCOME_SYMBOL",
    "OUTCOME_LABEL",
    "BAND_FILL",
    "COUNTRY_STYLE",
    "ORIGIN_STYLE",
    "BORDER_STYLE",
    "REGION_STYLE",
]

#: Okabe–Ito colours (safe for the common colour-vision deficiencies), yellow left out:
#: it vanishes on a light basemap.  Incidents take them in order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

#: SVG dash patterns per leg status: reported solid, presumed dashed, estimated dotted.
DASH = {"reported": None, "presumed": "10 7", "estimated": "2 6"}

#: How each leg status reads in the legend.
STATUS_LABEL = {"reported": "reported", "presumed": "presumed (“probably towards …”)",
                "estimated": "estimated by the tool"}

#: What the reachability area means (drawn between timed fixes, see geo.analysis.reach).
REACH_LABEL = ("possible area: where it could have been between two reported times, at the drone "
               "type's top plausible ground speed (not a track)")

#: How each time source (geo.tracks.build.TIME_SOURCES) reads.
TIME_SOURCE_LABEL = {"reported": "reported", "reported_approx": "reported, approx",
                     "interpolated": "interpolated between reported times",
                     "estimated": "estimated at the type's typical speed"}

#: The end marker's symbol, by the report's outcome.
OUTCOME_SYMBOL = {"exited": "↩", "exploded": "✸", "crashed": "✕", "shot_down": "⊗", "lost": "?", "unknown": "…"}
#: ... and how it reads.
OUTCOME_LABEL = {"exited": "left the country", "exploded": "exploded", "crashed": "crashed",
                 "shot_down": "shot down", "lost": "lost track of", "unknown": "end unknown"}

#: Fill of the distance bands, nearest the border first (grey ramp: leaves colour to the tracks).
BAND_FILL = ("#4d4d4d", "#737373", "#969696", "#bdbdbd")

COUNTRY_STYLE = {"color": "#555555", "weight": 1.2, "fillColor": "#f4f1ea", "fillOpacity": 0.35}
ORIGIN_STYLE = {"color": "#555555", "weight": 1.2, "fillColor": "#e6e6e6", "fillOpacity": 0.25}
BORDER_STYLE = {"color": "#b2182b", "weight": 3.5, "opacity": 0.8}
REGION_STYLE = {"color": "#6a51a3", "weight": 1.4, "dashArray": "4 3", "fill": False}



def track_colors(tracks: gpd.GeoDataFrame) -> list[str | None]:
    """Each incident's colour on the web map (:data:`PALETTE` in turn over placed incidents).

    Examples
    --------
    >>> import pandas as pd
    >>> track_colors(pd.DataFrame({"placed": [True, False, True]}))
    ['#0072B2', None, '#D55E00']
    """
    placed = np.asarray(tracks["placed"], bool)
    rank = np.cumsum(placed) - 1
    return [PALETTE[int(k) % len(PALETTE)] if p else None for p, k in zip(placed, rank)]


# ----------------------------------------------------------------------------- marks, and the print palette

#: What both maps draw in ink rather than in an incident's colour (the line to the border, the deepest point's ring).
MARK_INK = "#222222"
#: The fill of hollow points (presumed or estimated stops, the time slider's moving point).
MARK_FILL = "#ffffff"
#: The web map's outline of the distance bands.
BAND_EDGE = "#777777"
#: The archive view's one legend swatch (its colours only tell neighbouring tracks apart).
ARCHIVE_SWATCH = "#555555"

#: The print image's palette; the track colours, dashes, symbols and fills above are the web map's too.
PRINT = {
    "ink": "#1a1a1a", "muted": "#555555", "faint": "#8c8c8c", "halo": "white",
    "other_fill": "#fbfbfa",      # countries neither entered nor crossed from
    "locator_fill": "#d8cdb4",    # the country entered, on the overview map (darker than on the map)
    "outline": "#9a9a9a", "graticule": "#d9d9d9", "frame": "#7d7d7d", "legend_edge": "#c8c8c8",
    "corridor_key": "#9a9a9a",    # the key's swatch for the uncertainty corridor
    "region_other": "#b9b9b9",    # regions not entered
    "band_edge": "#7a7a7a",
    "city": "#3c3c3c", "place_muted": "#4d4d4d", "country_name": "#a3a3a3",
}
#: The print image's one font (ships with matplotlib, so every machine draws the same glyphs).
PRINT_FONT = "DejaVu Sans"
#: The print image's font sizes (pt) at its design width.
PRINT_SIZE_PT = {"title": 15.5, "standfirst": 8.2, "key": 7.2, "foot": 6.0, "place": 7.0, "city": 6.2,
                 "country": 10.5, "region": 6.6, "leg": 5.8, "band": 5.6, "depth": 6.8, "legend": 6.2, "grid": 5.2}
#: The print image's line widths (pt) at its design width: tracks and the crossed border.
PRINT_TRACK_LW = 2.1
PRINT_BORDER_LW = 2.2

#: The depth measure on the web map: a thin solid line from the deepest point to the border, with a
#: tick across each end, like a dimension line (a dashed line read as another route).
DEPTH_LINE = {"weight": 1.25, "opacity": 0.85}
#: The same measure on the print image: its line width (points).
PRINT_DEPTH_LW = 0.7
#: Half the length of each end tick, in screen pixels.
DEPTH_TICK_PX = 5
