"""Colours, line styles, symbols and CSS of the published maps, and which incident gets which colour.

Kept apart from the code that draws (the web map, the print image, KML) so a
newsroom can restyle its maps in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
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
    "CSS",
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

#: The page's own styles (the map, the panels, labels on the map).
CSS = """
html,body{height:auto!important}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;background:#fff}
.geo-head,.geo-foot{padding:8px 12px;max-width:60em}
.geo-head h1{font-size:1.25em;margin:0 0 4px}
.geo-head p,.geo-foot p{margin:2px 0}
.geo-foot{font-size:12px;color:#444}
.geo-map{position:relative;width:100%;height:560px}
@media (max-width:600px){.geo-map{height:520px}.geo-head h1{font-size:1.1em}.geo-head p{font-size:13px}}
.geo-visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.geo-legend{background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;font-size:11px;line-height:1.4;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:250px}
.geo-legend summary{cursor:pointer;font-weight:600;font-size:12px}
.geo-legend-body{max-height:280px;overflow-y:auto}
.geo-map .leaflet-control-scale-line:not(:first-child){display:none}
.geo-legend b{display:block;margin-top:2px}
.geo-legend svg{vertical-align:middle;margin-right:4px}
.geo-legend .geo-note{margin-top:3px;font-style:italic}
.leaflet-control-layers{font-size:12px;line-height:1.35}
.leaflet-control-layers-expanded{padding:4px 8px 4px 6px}
.geo-map .leaflet-bottom.leaflet-left,.geo-map .leaflet-bottom.leaflet-right{bottom:28px}
.geo-map .leaflet-bottom.geo-full-width{left:0;right:0;bottom:0}
.geo-map .geo-full-width .leaflet-bar-timecontrol{display:flex;margin:0;width:100%;border:0;border-top:1px solid #bbb;border-radius:0;box-shadow:none;background:rgba(255,255,255,.94)}
.geo-full-width .leaflet-bar-timecontrol .leaflet-control-timecontrol{float:none;flex:none;height:27px;line-height:27px;border-radius:0}
.geo-full-width .leaflet-bar-timecontrol a.timecontrol-date,.geo-full-width .leaflet-bar-timecontrol a.timecontrol-date:hover{min-width:64px;padding:0 8px;font:600 12px/27px system-ui,sans-serif;text-align:center}
.geo-full-width .leaflet-bar-timecontrol .timecontrol-dateslider{flex:1 1 auto;border-right:0}
.geo-full-width .leaflet-bar-timecontrol .timecontrol-dateslider .slider{width:auto;margin:7px 12px}
@media (max-width:600px){.leaflet-control-minimap{display:none!important}.geo-legend-body{max-height:260px}.geo-map .leaflet-control-attribution{font-size:9px;max-width:calc(100vw - 90px);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}}
.geo-unplaced{font-size:13px}
.geo-unplaced li{margin-bottom:4px}
.leaflet-tooltip.geo-leg{background:rgba(255,255,255,.85);border:0;box-shadow:none;padding:0 3px;font-size:11px;line-height:15px;color:#222}
.leaflet-tooltip.geo-leg:before{display:none}
.leaflet-tooltip.geo-region{background:transparent;border:0;box-shadow:none;font-size:12px;font-style:italic;color:#54278f;text-shadow:0 0 3px #fff,0 0 3px #fff}
.leaflet-tooltip.geo-region:before{display:none}
.leaflet-tooltip.geo-depth{background:rgba(255,255,255,.9);border:1px solid #999;font-size:11px;padding:1px 4px}
.geo-end{font-size:15px;line-height:20px;text-align:center;color:#fff;border-radius:50%;border:2px solid #fff;box-shadow:0 0 2px #000}
.geo-cross{width:10px;height:10px;margin:1px;background:#fff;border:2px solid #222;transform:rotate(45deg)}
.geo-cross-icon,.geo-end-icon{background:none;border:0}
.geo-popup{font-size:13px;max-width:320px}
.geo-popup h3{font-size:14px;margin:0 0 4px}
.geo-popup dl{margin:0}
.geo-popup dt{font-weight:600;display:inline}
.geo-popup dd{display:inline;margin:0}
.geo-popup dd:after{content:"";display:block}
.geo-popup ul{margin:2px 0;padding-left:16px}
"""


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
