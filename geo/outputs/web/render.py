"""Tracks and figures to a publishable web map (Leaflet, through folium).

:func:`make_map` draws what :func:`geo.tracks.build.build_tracks` and
:func:`geo.analysis.analyse.analyse` computed: one layer per incident (the route by leg
status, its uncertainty corridor, direction arrows, waypoints, crossings, the
deepest point and the end, leg labels), the countries involved, the crossed
border, bands of distance from it and the regions entered; then a legend, a
time slider, the sources and the attribution.  :func:`map_html` renders it to
deterministic HTML; :func:`write_map` writes it atomically.

Display geometry is simplified and rounded here only: every figure shown comes
from ``figures`` as computed, never from the simplified shapes.

Safety: every string that comes from a report reaches the page only through
:func:`safe_html` (HTML text and attributes, and folium's popups and tooltips,
which are JavaScript template literals) or JSON with ``<`` escaped.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import folium
import geopandas as gpd
import markupsafe
import numpy as np
import pandas as pd
import shapely
from branca.element import Html
from folium import plugins
from folium.utilities import JsCode

from geo.reference import borders
from geo.atomic import write_atomic_many
from geo.outputs.web.bulklines import bulk_lines
from geo.errors import RenderOptionError
from geo.present.figures import check_figures
from geo.present.words import (ATTRIBUTION, WEB_LEGEND, archive_legend_text, assumed_speed_note, date_text, describe,
                               credit_line, describe_archive, region_label, reported_text, tiles_credit)
from geo.present.legs import status_runs
from geo.present.popups import track_popup
from geo.present.scene import IncidentView, Scene, build_scene
from geo.present.shapes import (AREA_DIGITS, BANDS_KM, COORD_DIGITS, SIMPLIFY_COUNTRY_M, SIMPLIFY_REGION_M,
                             corridor, distance_bands, feature_collection, geojson_of, lonlat_geometry,
                             plane_geometry, screen_angle_deg)
from geo.outputs.web.elements import (NARROW_PX, RELATIVE_EPOCH, Attribution, Declutter, Footer, KeyboardAccess, Legend, Literal, Popup,
                                      Timeline, VectorMiniMap)
from geo.outputs.web.page import mark, render_html, static_text
from geo.present.htmlsafe import relative_url, safe_html
from geo.present.style import (
    ARCHIVE_SWATCH,
    BAND_EDGE,
    DEPTH_LINE,
    DEPTH_TICK_PX,
    MARK_FILL,
    MARK_INK,
    BAND_FILL,
    BORDER_STYLE,
    COUNTRY_STYLE,
    DASH,
    ORIGIN_STYLE,
    OUTCOME_LABEL,
    OUTCOME_SYMBOL,
    REACH_LABEL,
    REGION_STYLE,
    STATUS_LABEL,
)

__all__ = [
    "ATTRIBUTION",
    "BANDS_KM",
    "DEFAULT_TILES",
    "TILES_NONE",
    "RenderOptionError",
    "corridor",
    "safe_html",
    "describe",
    "describe_archive",
    "make_map",
    "map_html",
    "embed_html",
    "inline_assets",
    "write_map",
    "embed_path",
]

#: The default basemap (an xyzservices provider name): light grey and keyless
#: (CartoDB.Positron now needs an API key; pass one with ``tiles_key``).
DEFAULT_TILES = "Esri.WorldGrayCanvas"
#: ``tiles=TILES_NONE`` draws only the shipped vector layers.
TILES_NONE = "none"
#: At most this many points per track in the time slider.
TIMELINE_POINTS = 80
#: Candidate slider steps (minutes); the smallest that keeps at most TIMELINE_MAX_STEPS steps is used.
TIMELINE_STEPS_MIN = (2, 3, 5, 10, 15, 30, 60)
TIMELINE_MAX_STEPS = 60
#: Screen offset (px) of a leg label from its leg.
LEG_LABEL_OFFSET_PX = 8
#: The overview map: zoom relative to the main map's, and size (px).
MINIMAP_ZOOM_OFFSET = -4
MINIMAP_SIZE_PX = (120, 100)
#: Above this many placed incidents the map is an archive view: every track is one
#: line on a single canvas layer (geo.outputs.web.bulklines), without per-incident layers,
#: labels, corridors or time slider, and the text describes the set, not each one.
ARCHIVE_TRACKS = 200
#: Above this many, archive lines are 1 px hairlines: they overplot anyway, and
#: Chromium draws them about twice as fast (benchmarks/bench_map.py).
ARCHIVE_HAIRLINE_TRACKS = 2000
#: Map height in pixels (fixed, so an embedding page can size its iframe from it).
MAP_HEIGHT_PX = 560
#: The tallest a popup gets (CSS px): the map is 520 px tall on a phone, and its controls take the corners.
POPUP_MAX_HEIGHT_PX = 300

#: What an API key for tiles may contain: it goes into the tile URL as it is.
_TILES_KEY = re.compile(r"[A-Za-z0-9._~-]{1,512}")
_HEX_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


# ----------------------------------------------------------------------------- time slider


def _timeline_step(max_minutes: float) -> int:
    """The slider step (minutes): the smallest of TIMELINE_STEPS_MIN giving at most TIMELINE_MAX_STEPS steps.

    Examples
    --------
    >>> _timeline_step(66.0), _timeline_step(139.0), _timeline_step(2000.0)
    (2, 3, 60)
    """
    for step in TIMELINE_STEPS_MIN:
        if math.ceil(max(float(max_minutes), 0.0) / step) + 1 <= TIMELINE_MAX_STEPS:
            return step
    return TIMELINE_STEPS_MIN[-1]


def _timeline_times(minutes: np.ndarray, step: int) -> list[str]:
    """Minutes after a track's first point, up to the next slider step, as times on RELATIVE_EPOCH's day.

    A vertex appears at the first step at or after its time, so the slider never runs ahead of a track.
    """
    steps = np.ceil(np.round(np.asarray(minutes, float) / step, 6)) * step
    return [(RELATIVE_EPOCH + pd.Timedelta(minutes=int(m))).strftime("%Y-%m-%dT%H:%M:%SZ") for m in steps]


# ----------------------------------------------------------------------------- geometry helpers


def _latlon(lon: np.ndarray, lat: np.ndarray) -> list[list[float]]:
    """(lon, lat) arrays to folium's [[lat, lon], ...], rounded."""
    return np.round(np.column_stack([lat, lon]), COORD_DIGITS).tolist()


# ----------------------------------------------------------------------------- folium elements


class _Map(folium.Map):
    """folium.Map without bootstrap, Font Awesome, Awesome Markers and jQuery (none is used): a lighter page."""

    # Not jQuery either: folium's popups needed it, geo's own (elements.Popup) do not.
    default_js = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")]
    default_css = [("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")]

    def _repr_html_(self, **kwargs) -> str:
        """Jupyter's view: the page :func:`map_html` makes, in an iframe (inlined if made ``offline``).

        folium's own view would load the scripts from their CDNs even for an
        offline map, and leave out the page's title, notes and sources.
        """
        html = _render(self, offline=getattr(self, "_geo_offline", False))
        return mark("notebook_frame", html, getattr(self, "_geo_title", "Map"), MAP_HEIGHT_PX + 260)


# ----------------------------------------------------------------------------- drawing


def _tile_provider(tiles: str | None, key: str | None = None):
    """The xyzservices provider named ``tiles`` (None for no tiles), with its API key filled in."""
    if tiles is None or str(tiles).lower() == TILES_NONE:
        return None
    import xyzservices

    try:
        provider = xyzservices.providers.query_name(str(tiles))
    except ValueError as err:
        raise RenderOptionError(
            f"tiles {tiles!r}: not an xyzservices provider; give a name such as {DEFAULT_TILES}, "
            f"OpenStreetMap.Mapnik or CartoDB.Positron (with a key), or '{TILES_NONE}'") from err
    if provider.requires_token():
        if not key:
            raise RenderOptionError(
                f"tiles {tiles!r} need an API key from their provider: pass tiles_key (geo map --tiles-key, "
                f"or GEO_TILES_KEY), or use keyless tiles such as {DEFAULT_TILES}")
        if not _TILES_KEY.fullmatch(str(key)):
            raise RenderOptionError(
                "tiles key: expected the provider's API key, made of letters, digits and . _ ~ - only")
        token = next(k for k, v in provider.items() if isinstance(v, str) and "<insert your" in v)
        provider = provider(**{token: key})
    return provider


_Path = TypeVar("_Path", folium.CircleMarker, folium.PolyLine)


def _inert(marker: _Path) -> _Path:
    """A label's anchor or a drawn measure that takes no click or tap (folium drops Leaflet's ``interactive``
    option from its vector layers)."""
    marker.options["interactive"] = False
    return marker


def _popup(html: str, max_width: int = 340) -> folium.Popup:
    """A popup from HTML built here with :func:`safe_html` on every outside string.

    At most :data:`POPUP_MAX_HEIGHT_PX` tall (longer content scrolls inside it), and panned clear of the
    map's edges and controls when it opens, so it never runs past the map and its close button stays in reach.
    """
    return Popup(Html(html, script=True), max_width=max_width, max_height=POPUP_MAX_HEIGHT_PX,
                        auto_pan_padding_top_left=[60, 60], auto_pan_padding_bottom_right=[20, 70])


def _draw_track(group: folium.FeatureGroup, track: pd.Series, fig: pd.Series,
                view: IncidentView) -> tuple[dict[str, Any], bool]:
    """Draw one placed incident into its layer, as the presentation model ``view`` says.

    Returns its feature for the time slider (with ``minutes`` since its first point) and whether a
    leg label shows a time estimated at the drone's typical speed.
    """
    coords = shapely.get_coordinates(track.geometry)
    _draw_lines(group, track, fig, view, coords)
    assumed = _draw_leg_labels(group, view, coords)
    _draw_waypoints(group, view)
    _draw_marks(group, view)
    return _slider_feature(track, view, coords), assumed


def _draw_lines(group: folium.FeatureGroup, track: pd.Series, fig: pd.Series, view: IncidentView,
                coords: np.ndarray) -> None:
    """The uncertainty corridor, the possible area, the legs by status and the clickable whole route."""
    color = view.color
    lon, lat = coords[:, 0], coords[:, 1]
    unc = np.asarray(track["unc_km"], float)
    status = np.asarray(track["seg_status"], object)
    title = f"{view.name}: {track['title']}"
    folium.GeoJson(geojson_of(corridor(lon, lat, unc)), name=None, control=False,
                   style_function=lambda _f, c=color: {"color": c, "weight": 0, "fillColor": c,
                                                        "fillOpacity": 0.15},
                   tooltip=folium.Tooltip(safe_html(f"uncertainty corridor: {view.name}"))).add_to(group)
    reach = fig.get("reach_geometry")
    if reach is not None and not shapely.is_empty(reach):
        folium.GeoJson(geojson_of(shapely.transform(reach, lambda xy: np.round(xy, COORD_DIGITS))), name=None, control=False,
                       style_function=lambda _f, c=color: {"color": c, "weight": 1, "dashArray": "2 4",
                                                            "fillColor": c, "fillOpacity": 0.05},
                       tooltip=folium.Tooltip(safe_html(REACH_LABEL))).add_to(group)
    for first, last, st in status_runs(status):
        folium.PolyLine(_latlon(lon[first:last + 1], lat[first:last + 1]), color=color, weight=3.5,
                        opacity=0.95, dash_array=DASH.get(st)).add_to(group)
    # A wide transparent line over the whole route: the click target for the summary, and the arrows' path.
    whole = folium.PolyLine(_latlon(lon, lat), color=color, weight=14, opacity=0.0,
                            popup=_popup(track_popup(track, fig, view), 380),
                            tooltip=folium.Tooltip(safe_html(title)))
    whole.add_to(group)
    plugins.PolyLineTextPath(whole, "          ►          ", repeat=True, offset=5,
                             attributes={"fill": color, "font-size": "14", "opacity": "1"}).add_to(group)


def _draw_leg_labels(group: folium.FeatureGroup, view: IncidentView, coords: np.ndarray) -> bool:
    """Leg labels beside each leg long enough to carry one; whether one shows a time at an assumed speed."""
    color = view.color
    lon, lat = coords[:, 0], coords[:, 1]
    # Leg labels (km, time, implied speed) beside the point halfway along each leg long enough to
    # carry one: figures, words and point from the presentation model (the analysis' legs table).
    assumed = False
    for leg in view.legs:  # per leg: a handful per track
        label = leg.label
        if label is None:
            continue
        assumed |= leg.time_estimated
        mlon, mlat = leg.mid_lon, leg.mid_lat
        # Beside the line: right of a north-south leg, above an east-west one.
        k = leg.mid_segment + 1
        dx = (lon[k] - lon[k - 1]) * math.cos(math.radians(mlat))
        dy = lat[k] - lat[k - 1]
        direction, offset = (("right", (LEG_LABEL_OFFSET_PX, 0)) if abs(dy) >= abs(dx)
                             else ("top", (0, -LEG_LABEL_OFFSET_PX)))
        _inert(folium.CircleMarker([round(mlat, COORD_DIGITS), round(mlon, COORD_DIGITS)], radius=2, color=color,
                                   weight=1, fill=True, fill_opacity=1,
                                   tooltip=folium.Tooltip(safe_html(label), permanent=True, direction=direction,
                                                          class_name="geo-leg", offset=offset))).add_to(group)
    return assumed


def _draw_waypoints(group: folium.FeatureGroup, view: IncidentView) -> None:
    """The stops, each with its popup (place, status, position and uncertainty, time and its source)."""
    color = view.color
    for stop in view.stops:  # per stop
        folium.CircleMarker([stop.lat, stop.lon], radius=5 if stop.status == "reported" else 4,
                            color=color, weight=2, fill=True,
                            fill_color=MARK_FILL if stop.status != "reported" else color, fill_opacity=1,
                            popup=_popup(stop.popup), tooltip=folium.Tooltip(safe_html(stop.name))).add_to(group)


def _draw_marks(group: folium.FeatureGroup, view: IncidentView) -> None:
    """The border crossings, the deepest point with its line to the border, and the end."""
    color = view.color
    # Border crossings, with time.
    for c in view.crossings:
        folium.Marker([c.lat, c.lon],
                      icon=folium.DivIcon(html=mark("crossing_icon", c.sentence), icon_size=(14, 14), icon_anchor=(7, 7),
                                          class_name="geo-cross-icon"),
                      tooltip=folium.Tooltip(safe_html(c.sentence)),
                      popup=_popup(mark("popup_text", c.sentence))).add_to(group)

    # The deepest point and its perpendicular to the border.
    deepest = view.deepest
    if deepest is not None:
        short = deepest.label + (f" ({deepest.bound})" if deepest.bound else "")
        _inert(folium.PolyLine([[deepest.lat, deepest.lon], [deepest.border_lat, deepest.border_lon]],
                               color=MARK_INK, **DEPTH_LINE)).add_to(group)
        across = round(screen_angle_deg(deepest.lon, deepest.lat, deepest.border_lon, deepest.border_lat) + 90.0, 1)
        for lat, lon in ((deepest.lat, deepest.lon), (deepest.border_lat, deepest.border_lon)):  # the end ticks
            size = 2 * DEPTH_TICK_PX
            folium.Marker([lat, lon], interactive=False, keyboard=False,
                          icon=folium.DivIcon(html=mark("depth_tick", across, DEPTH_TICK_PX), icon_size=(size, 2),
                                              icon_anchor=(DEPTH_TICK_PX, 1), class_name="geo-tick-icon")
                          ).add_to(group)
        mid_lat = round((deepest.lat + deepest.border_lat) / 2, COORD_DIGITS)
        mid_lon = round((deepest.lon + deepest.border_lon) / 2, COORD_DIGITS)
        _inert(folium.CircleMarker([mid_lat, mid_lon], radius=0, opacity=0,
                                   tooltip=folium.Tooltip(safe_html(short), permanent=True, direction="center",
                                                          class_name="geo-depth"))).add_to(group)
        words = f"deepest point: {deepest.words}"
        folium.CircleMarker([deepest.lat, deepest.lon], radius=6, color=MARK_INK, weight=2, fill=True,
                            fill_color=color, fill_opacity=1, tooltip=folium.Tooltip(safe_html(words)),
                            popup=_popup(mark("popup_text", words))).add_to(group)

    # The end, by outcome.
    end = view.end
    folium.Marker([end.lat, end.lon],
                  icon=folium.DivIcon(html=mark("end_icon", color, end.sentence, end.symbol),
                                      icon_size=(24, 24), icon_anchor=(12, 12), class_name="geo-end-icon"),
                  tooltip=folium.Tooltip(safe_html(end.sentence)),
                  popup=_popup(mark("popup_text", end.sentence))).add_to(group)


def _slider_feature(track: pd.Series, view: IncidentView, coords: np.ndarray) -> dict[str, Any]:
    """The time-slider feature: the line sampled at the stops and evenly between them, with the
    minutes since the track's first point (made into slider times by make_map, on one clock for all)."""
    color = view.color
    lon = coords[:, 0]
    t = np.asarray(track["t_min"], float)
    at = np.flatnonzero(np.asarray(track["stop_index"], int) >= 0)
    keep = np.zeros(len(lon), bool)
    keep[np.linspace(0, len(lon) - 1, min(len(lon), TIMELINE_POINTS)).round().astype(int)] = True
    keep[at] = True
    idx = np.flatnonzero(keep)
    return {"type": "Feature",
            "geometry": {"type": "LineString",
                         "coordinates": np.round(coords[idx], COORD_DIGITS).tolist()},
            "properties": {"minutes": np.round(t[idx] - t[0], 3).tolist(),
                           "style": {"color": color, "weight": 7, "opacity": 0.45},
                           "iconstyle": {"radius": 6, "color": MARK_FILL, "weight": 2, "fillColor": color,
                                         "fillOpacity": 1}}}


def _draw_context(m: folium.Map, tracks: gpd.GeoDataFrame, figures: pd.DataFrame,
                  names: dict[str, str]) -> dict[str, Any]:
    """Countries, the crossed borders with their distance bands, and the regions entered."""
    placed = tracks[tracks["placed"].astype(bool)]
    pairs = list(dict.fromkeys(zip(placed["country"], placed["origin"])))
    codes = list(dict.fromkeys([*tracks["country"], *tracks["origin"]]))
    frame = borders.countries()
    frame = frame[frame["country"].isin(codes)].set_index("country").loc[[c for c in codes if c in set(frame["country"])]]
    plane = plane_geometry(frame.geometry.to_numpy())
    simple = shapely.simplify(plane, SIMPLIFY_COUNTRY_M)
    entered = set(placed["country"])
    country_data = feature_collection(lonlat_geometry(simple),
                                       [{"code": c, "entered": c in entered} for c in frame.index])
    countries = folium.FeatureGroup(name="Countries", control=True)
    folium.GeoJson(country_data,
                   style_function=lambda f: COUNTRY_STYLE if f["properties"]["entered"] else ORIGIN_STYLE
                   ).add_to(countries)
    countries.add_to(m)

    bands = folium.FeatureGroup(name="Distance from the crossed border", control=True)
    for country, origin in pairs:  # one per (entered, origin) pair: a handful
        drawn = distance_bands(country, origin)
        if drawn is None:
            continue
        bands_data, line = json.loads(drawn[0]), json.loads(drawn[1])
        folium.GeoJson(bands_data, style_function=lambda f: {"color": BAND_EDGE, "weight": 0.6, "dashArray": "3 3",
                                                             "fillColor": BAND_FILL[f["properties"]["band"]],
                                                             "fillOpacity": 0.10},
                       tooltip=folium.GeoJsonTooltip(["text"], labels=False)).add_to(bands)
        folium.GeoJson(line, style_function=lambda _f: BORDER_STYLE,
                       tooltip=folium.Tooltip(safe_html(f"{names.get(country, country)}–"
                                                        f"{names.get(origin, origin)} border (crossed)"))
                       ).add_to(bands)
    bands.add_to(m)

    region_ids = list(dict.fromkeys(r["region_id"] for regs in figures["regions"] for r in (regs or [])))
    regions = borders.regions()
    regions = regions[regions["region_id"].isin(region_ids)].set_index("region_id")
    regions = regions.loc[[r for r in region_ids if r in regions.index]]
    layer = folium.FeatureGroup(name="Regions entered", control=True)
    if len(regions):
        rplane = shapely.simplify(plane_geometry(regions.geometry.to_numpy()), SIMPLIFY_REGION_M)
        outlines = lonlat_geometry(shapely.boundary(rplane))
        folium.GeoJson(feature_collection(outlines, [{} for _ in outlines]),
                       style_function=lambda _f: REGION_STYLE).add_to(layer)
        points = shapely.point_on_surface(lonlat_geometry(rplane))
        for rid, name, point in zip(regions.index, regions["name"], points):  # per region: a handful
            _inert(folium.CircleMarker([round(point.y, AREA_DIGITS), round(point.x, AREA_DIGITS)], radius=0,
                                       opacity=0, tooltip=folium.Tooltip(safe_html(region_label(name)), permanent=True,
                                                                         direction="center", class_name="geo-region"))
                   ).add_to(layer)
    layer.add_to(m)
    return country_data


def _legend_html(items: list[tuple[str, str]], assumed_kmh: dict[str, float] | None = None,
                 reach: bool = False) -> str:
    """The legend's HTML (``templates/legend.html.j2``): incidents, legs, the footnote, the symbols."""
    outcomes = " · ".join(f"{sym} {safe_html(OUTCOME_LABEL[k])}" for k, sym in OUTCOME_SYMBOL.items())
    symbols = ([markupsafe.escape(WEB_LEGEND["corridor"])]
               + ([markupsafe.Markup(safe_html(WEB_LEGEND["reach"].format(reach=REACH_LABEL)))] if reach else [])
               + [markupsafe.escape(WEB_LEGEND["points"]), markupsafe.Markup(outcomes),
                  markupsafe.escape(WEB_LEGEND["bands"].format(bands=", ".join(str(b) for b in BANDS_KM)))])
    return render_html("legend.html.j2", incidents=items, legs=[(DASH[s], STATUS_LABEL[s]) for s in DASH],
                       note=assumed_speed_note(assumed_kmh) if assumed_kmh else None, symbols=symbols)


def _draw_archive(m: folium.Map, tracks: gpd.GeoDataFrame, scene: Scene, rows: list[int]) -> list[tuple[str, str]]:
    """An archive: every placed track as a plain line on one canvas layer; its legend entry."""
    coords = [shapely.get_coordinates(g) for g in tracks.geometry.to_numpy()[rows]]
    weight = 1 if len(rows) > ARCHIVE_HAIRLINE_TRACKS else 2
    bulk_lines(m, coords, [scene.colors[i] for i in rows], digits=AREA_DIGITS, weight=weight)
    return [(ARCHIVE_SWATCH, archive_legend_text(len(rows)))]


def _draw_incidents(m: folium.Map, tracks: gpd.GeoDataFrame, figures: pd.DataFrame, scene: Scene,
                    rows: list[int]) -> tuple[list[tuple[str, str]], list[dict[str, Any]], dict[str, float]]:
    """One layer per placed incident: its legend entries, slider features, and assumed speeds by drone."""
    legend_items, timeline = [], []
    assumed_kmh: dict[str, float] = {}  # drone name -> typical speed, where a leg label assumes it
    for i in rows:  # one layer per incident: a handful
        track, fig, view = tracks.loc[i], figures.loc[i], scene.incident(i)
        label = mark("layer_name", view.color, view.name)
        group = folium.FeatureGroup(name=label, control=True, show=True)
        feature, assumed = _draw_track(group, track, fig, view)
        timeline.append(feature)
        if assumed:
            assumed_kmh.setdefault(str(track["drone_name"]), float(track["speed_typical_kmh"]))
        group.add_to(m)
        legend_items.append((view.color, view.name))
    return legend_items, timeline, assumed_kmh


def _add_controls(m: folium.Map, provider: Any, country_data: dict[str, Any], *, archive: bool) -> None:
    """The layer list, the measuring tool, full screen and the overview map."""
    # Open on wide screens; an icon that opens on tap on narrow ones (the list would cover the map).
    folium.LayerControl(position="topright",
                        collapsed=JsCode(f"window.matchMedia(\"(max-width: {NARROW_PX}px)\").matches")).add_to(m)
    plugins.Fullscreen(position="topleft").add_to(m)
    minimap = {"position": "bottomright", "toggle_display": True, "zoom_level_offset": MINIMAP_ZOOM_OFFSET,
               "width": MINIMAP_SIZE_PX[0], "height": MINIMAP_SIZE_PX[1]}
    if archive:
        pass  # an archive spans its own overview: no minimap (and a faster first draw)
    elif provider is not None:
        plugins.MiniMap(tile_layer=folium.TileLayer(provider), **minimap).add_to(m)
    else:
        VectorMiniMap(country_data, **minimap).add_to(m)


def _add_timeline(m: folium.Map, timeline: list[dict[str, Any]]) -> None:
    """The time slider, every track on one clock from T+0, if any track is drawn."""
    if not timeline:
        return
    end_min = max((max(f["properties"]["minutes"], default=0.0) for f in timeline), default=0.0)
    step = _timeline_step(end_min)
    for feature in timeline:
        feature["properties"]["times"] = _timeline_times(feature["properties"].pop("minutes"), step)
    Timeline({"type": "FeatureCollection", "features": timeline}, step_min=step, end_min=end_min).add_to(m)


def _add_page_text(m: folium.Map, title: str, lede: str, texts: dict[str, str]) -> None:
    """The page's title, stylesheet and the text before the map (``templates/head.html.j2``)."""
    root = m.get_root()
    root.header.add_child(Literal(mark("page_title", title)), name="geo_title")
    root.header.add_child(Literal(mark("stylesheet", markupsafe.Markup(static_text("map.css")))), name="geo_css")
    head = render_html("head.html.j2", title=title, lede=lede, texts=list(texts.values()))
    root.html.add_child(Literal(head), name="geo_head")


def make_map(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *, reports: Sequence[Any] | None = None,
             title: str | None = None, byline: str | None = None, description: str | None = None,
             tiles: str | None = DEFAULT_TILES, tiles_key: str | None = None,
             offline: bool = False) -> folium.Map:
    """Draw incidents on a Leaflet map.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        From :func:`geo.tracks.build.build_tracks`.
    figures : pandas.DataFrame
        From :func:`geo.analysis.analyse.analyse` of the same tracks, same order.
    reports : sequence of geo.reports.report.Report, optional
        The reports the tracks came from: their summaries go into the track
        popups and their sources into the popups and the source line.
    title, byline, description : str, optional
        Page text; the title and description default to ones made from the data.
    tiles : str or None
        An xyzservices provider name (default ``CartoDB.Positron``) or ``"none"``
        (or None) for the shipped vector layers only.  ``offline`` implies none.
    tiles_key : str, optional
        API key for providers that need one (e.g. ``CartoDB.Positron``).
    offline : bool
        Draw nothing that needs the network (no tiles); inline the scripts with
        :func:`map_html` ``(offline=True)``.

    Returns
    -------
    folium.Map
        Render it with :func:`map_html` for deterministic, escaped HTML.

    Raises
    ------
    RenderOptionError
        For a tile provider name xyzservices does not know.
    """
    tracks = tracks.reset_index(drop=True)
    figures = figures.reset_index(drop=True)
    check_figures(tracks, figures, RenderOptionError)
    provider = None if offline else _tile_provider(tiles, tiles_key)
    scene = build_scene(tracks, figures, reports=reports, title=title)
    names, title = scene.names, scene.title
    placed_count = int(tracks["placed"].astype(bool).sum())
    # An archive is described as a set (describe_archive, below), not track by track.
    texts = scene.descriptions if placed_count <= ARCHIVE_TRACKS else {}

    m = _Map(location=[53.0, 28.0], zoom_start=6, tiles=None, control_scale=True, prefer_canvas=False,
             height=MAP_HEIGHT_PX)
    if provider is not None:
        folium.TileLayer(provider, name=provider.name, control=False).add_to(m)
    country_data = _draw_context(m, tracks, figures, names)

    placed_rows = [i for i in range(len(tracks)) if bool(tracks.loc[i, "placed"])]
    archive = len(placed_rows) > ARCHIVE_TRACKS
    if archive:
        legend_items, timeline, assumed_kmh = _draw_archive(m, tracks, scene, placed_rows), [], {}
    else:
        legend_items, timeline, assumed_kmh = _draw_incidents(m, tracks, figures, scene, placed_rows)
    if placed_rows:
        each = shapely.bounds(tracks.geometry.to_numpy()[placed_rows])  # (n, 4), no union needed
        bounds = (each[:, 0].min(), each[:, 1].min(), each[:, 2].max(), each[:, 3].max())
        m.fit_bounds([[round(bounds[1] - 0.3, 3), round(bounds[0] - 0.5, 3)],
                      [round(bounds[3] + 0.3, 3), round(bounds[2] + 0.5, 3)]])
    _add_controls(m, provider, country_data, archive=archive)
    _add_timeline(m, timeline)
    reach = "reach_geometry" in figures and any(g is not None for g in figures["reach_geometry"])
    Legend(_legend_html(legend_items, assumed_kmh, reach)).add_to(m)
    Declutter().add_to(m)
    KeyboardAccess().add_to(m)
    tiles_attribution = "" if provider is None else f" · {tiles_credit(provider.html_attribution)}"
    Attribution(scene.attribution).add_to(m)

    # Page text: before the map div (title, description, accessible description), then after it.
    if archive:
        texts = {"archive": describe_archive(tracks, figures)}
    _add_page_text(m, title, description or scene.standfirst(interactive=True), texts)
    Footer(_footer_html(scene, byline, offline=offline, tiles_attribution=tiles_attribution)).add_to(m)
    m._geo_title = title  # read by map_html for the map's accessible name
    m._geo_scene = scene  # read by write_map for the embed snippet's caption
    m._geo_offline = offline  # read by the notebook view (_Map._repr_html_)
    return m


def _footer_html(scene: Scene, byline: str | None, *, offline: bool, tiles_attribution: str) -> str:
    """The footer's HTML (``templates/footer.html.j2``)."""
    tracks = scene.tracks
    unplaced = [{"id": tracks.loc[i, "id"], "name": scene.incident(i).name, "title": tracks.loc[i, "title"],
                 "reported": reported_text(tracks.loc[i]) or "no figures",
                 "checks": "; ".join(c.sentence for c in scene.incident(i).checks)}
                for i in range(len(tracks)) if not bool(tracks.loc[i, "placed"])]
    sources = [{**entry, "dates": [date_text(d) for d in entry["dates"]]} for entry in scene.publications]
    return render_html("footer.html.j2", unplaced=unplaced, sources=sources, byline=byline, offline=offline,
                       attribution=markupsafe.Markup(scene.attribution), tiles_attribution=markupsafe.Markup(tiles_attribution))


# ----------------------------------------------------------------------------- HTML


def inline_assets(html: str) -> str:
    """Replace every CDN ``<script src>`` and stylesheet ``<link>`` with its content.

    See :func:`geo.outputs.web.assets.inline_assets` (folium-offline's copies; control icons
    made to work without the network).

    Raises
    ------
    RenderOptionError
        If an asset has no offline copy (the page would need the network).
    """
    from geo.outputs.web import assets

    return assets.inline_assets(html)


def _stable_ids(html: str) -> str:
    """Replace folium's random element ids with sequential ones, in order of first appearance."""
    mapping: dict[str, str] = {}

    def sub(match: re.Match) -> str:
        return mapping.setdefault(match.group(0), f"n{len(mapping) + 1}")

    return _HEX_ID.sub(sub, html)


def _render(m: folium.Map, *, offline: bool) -> str:
    html = m.get_root().render()
    name = m.get_name()
    title = getattr(m, "_geo_title", "Map")
    html = html.replace(f"<div class=\"folium-map\" id=\"{name}\" ",
                        f"<div class=\"folium-map geo-map\" id=\"{name}\" role=\"region\" "
                        f"aria-label=\"{safe_html('Map: ' + title)}\" aria-describedby=\"geo-map-description\" ", 1)
    html = html.replace("<html>", "<html lang=\"en\">", 1)
    html = _VIEWPORT.sub(VIEWPORT, html, count=1)  # folium's forbids pinch-zoom (WCAG 1.4.4)
    if offline:
        html = inline_assets(html)
    html = _stable_ids(html)
    # Trailing spaces vary with folium's templates, not with the data: strip them for smaller, stabler files.
    return "\n".join(line.rstrip() for line in html.splitlines() if line.strip()) + "\n"


#: The page's viewport: pinch-zoom allowed (folium's own sets maximum-scale=1.0, user-scalable=no).
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
_VIEWPORT = re.compile(r'<meta\s+name="viewport"[^>]*>', re.S)


def map_html(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *, reports: Sequence[Any] | None = None,
             title: str | None = None, byline: str | None = None, description: str | None = None,
             tiles: str | None = DEFAULT_TILES, tiles_key: str | None = None, offline: bool = False) -> str:
    """The map as one HTML page: same input, byte-identical output.

    Parameters are those of :func:`make_map`; with ``offline=True`` every
    script and stylesheet is inlined and no tiles are drawn.
    """
    m = make_map(tracks, figures, reports=reports, title=title, byline=byline, description=description,
                 tiles=tiles, tiles_key=tiles_key, offline=offline)
    return _render(m, offline=offline)


def embed_html(page: str, *, title: str, description: str = "", credit: str = "",
               height_px: int = MAP_HEIGHT_PX + 260) -> str:
    """An HTML snippet embedding the map page ``page`` in a responsive iframe.

    Under the map, one visible line: the title and ``credit`` (the sources in a
    few words), cut with an ellipsis where the column is narrow (the whole line
    in its tooltip).  ``description``, the long text, is visually hidden: the
    iframe names it with ``aria-describedby`` for screen readers.

    ``page`` is the map's file name, published beside the snippet: the iframe's
    ``src`` is that name as a relative URL (:func:`geo.outputs.web.htmlsafe.relative_url`),
    so no name, however written, can run script or break the link.  The iframe
    is 100% wide; its height follows the ``postMessage`` the map page sends
    with its document height.

    Examples
    --------
    >>> snippet = embed_html("javascript:alert(1)#.html", title="Map")
    >>> 'src="./javascript%3Aalert%281%29%23.html"' in snippet
    True
    """
    name = Path(page).name
    desc_id = "geo-embed-desc-" + (re.sub(r"[^a-z0-9-]+", "-", Path(name).stem.lower()).strip("-") or "map")
    caption = f"{title}. {credit}" if credit else title
    return render_html("embed.html.j2", src=relative_url(name), title=title, description=description,
                       caption=caption, desc_id=desc_id, height_px=int(height_px)) + "\n"


def write_map(path: str | os.PathLike[str], tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *,
              reports: Sequence[Any] | None = None, title: str | None = None, byline: str | None = None,
              description: str | None = None, tiles: str | None = DEFAULT_TILES, tiles_key: str | None = None,
              offline: bool = False, embed: bool = False) -> list[Path]:
    """Write the map page to ``path`` atomically (and ``<name>.embed.html`` with ``embed``).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    path = Path(path)
    m = make_map(tracks, figures, reports=reports, title=title, byline=byline, description=description,
                 tiles=tiles, tiles_key=tiles_key, offline=offline)
    files = [(path, _render(m, offline=offline))]
    if embed:  # the page's own title and descriptions (made once, by the presentation model)
        text = description or " ".join(m._geo_scene.descriptions.values())
        credit = credit_line(m._geo_scene.publications)
        files.append((embed_path(path), embed_html(path.name, title=m._geo_title, description=text, credit=credit)))
    return write_atomic_many(files)  # both or neither


def embed_path(path: str | os.PathLike[str]) -> Path:
    """Where ``write_map(..., embed=True)`` writes the snippet: ``<name>.embed.html`` beside the page.

    Examples
    --------
    >>> embed_path("out/map.html").as_posix()
    'out/map.embed.html'
    """
    path = Path(path)
    return path.with_name(path.stem + ".embed.html")
