"""Many polylines on one canvas: a small Leaflet layer for bulk track maps.

:func:`bulk_lines` adds to a :class:`folium.Map` one layer that owns a single
``<canvas>`` the size of the map, decodes every track once from integer
deltas, projects it (spherical Mercator, as Leaflet's ``EPSG3857``) and strokes
each track with ``moveTo``/``lineTo``, colour by colour (one ``strokeStyle`` per batch).  It redraws on ``moveend``, ``zoomend``
and ``resize`` and follows the zoom animation with a CSS transform, as
Leaflet's own renderers do.  The lines are inert (no clicks, no hover): at
tens of thousands of tracks that is the point.

Encoding: coordinates are rounded to ``digits`` decimals as integers
(``round(value * 10**digits)``); the (lon, lat) pairs of all tracks, grouped
by colour, form one stream of differences, each from the previous vertex
(the first track's first vertex from 0), written as one JSON string that the
page parses with ``JSON.parse``.  Every string that reaches JavaScript goes
through :func:`json.dumps` (with ``<`` escaped, so nothing can close the
``<script>``).  Same input, same output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import folium
import numpy as np
from folium.template import Template

from geo.outputs.web.elements import InertMacroElement

__all__ = ["bulk_lines", "BulkLines"]

#: The layer class, defined once per page (``L.GeoBulkLines``).  Our own code, no third-party plugin.
BULK_LINES_JS = r"""
if (!L.GeoBulkLines) {
L.GeoBulkLines = L.Layer.extend({
    options: {weight: 2, opacity: 0.9, pane: 'overlayPane'},

    initialize: function (packed, options) {
        L.setOptions(this, options);
        var scale = packed.scale, d = JSON.parse(packed.deltas), n = d.length / 2;
        // Mercator in world units (0..1 at zoom 0, times 256 * 2^zoom for pixels), once for all zooms.
        var u = new Float64Array(d.length), x = 0, y = 0, D = Math.PI / 180, MAXLAT = 85.0511287798;
        var west = Infinity, south = Infinity, east = -Infinity, north = -Infinity;
        for (var i = 0; i < d.length; i += 2) {
            x += d[i]; y += d[i + 1];
            var lng = x / scale, lat = Math.max(Math.min(y / scale, MAXLAT), -MAXLAT);
            if (lng < west) west = lng; if (lng > east) east = lng;
            if (lat < south) south = lat; if (lat > north) north = lat;
            u[i] = lng / 360 + 0.5;
            u[i + 1] = 0.5 - Math.log(Math.tan(Math.PI / 4 + lat * D / 2)) / (2 * Math.PI);
        }
        this._u = u;
        this._lengths = packed.lengths;        // vertices per track, tracks grouped by colour
        this._colours = packed.colours;        // one per batch
        this._counts = packed.counts;          // tracks per batch
        this._bounds = n ? L.latLngBounds([south, west], [north, east]) : null;
    },

    getBounds: function () { return this._bounds; },

    getEvents: function () {
        var events = {zoomend: this._redraw, moveend: this._redraw, resize: this._redraw,
                      viewreset: this._redraw};
        if (this._zoomAnimated) events.zoomanim = this._animateZoom;
        return events;
    },

    onAdd: function (map) {
        var canvas = this._canvas = L.DomUtil.create('canvas', 'geo-bulk-lines');
        canvas.style.pointerEvents = 'none';
        this._zoomAnimated = map._zoomAnimated;
        if (this._zoomAnimated) L.DomUtil.addClass(canvas, 'leaflet-zoom-animated');
        this._ctx = canvas.getContext('2d');
        this.getPane().appendChild(canvas);
        this._redraw();
    },

    onRemove: function () {
        L.DomUtil.remove(this._canvas);
        this._canvas = this._ctx = null;
    },

    _animateZoom: function (e) {
        var map = this._map, scale = map.getZoomScale(e.zoom, this._zoom);
        var offset = map.getSize().multiplyBy(-0.5 * scale).add(map.project(this._center, e.zoom))
                        .subtract(map._getNewPixelOrigin(e.center, e.zoom));
        L.DomUtil.setTransform(this._canvas, offset, scale);
    },

    _redraw: function () {
        var map = this._map;
        if (!map || !this._canvas) return;
        var size = map.getSize(), topLeft = map.containerPointToLayerPoint([0, 0]).round();
        var dpr = window.devicePixelRatio || 1, canvas = this._canvas, ctx = this._ctx;
        this._zoom = map.getZoom();
        this._center = map.getCenter();
        L.DomUtil.setPosition(canvas, topLeft);
        var w = Math.round(size.x * dpr), h = Math.round(size.y * dpr);
        if (canvas.width !== w || canvas.height !== h) {
            canvas.width = w; canvas.height = h;
            canvas.style.width = size.x + 'px'; canvas.style.height = size.y + 'px';
        } else {
            ctx.setTransform(1, 0, 0, 1, 0, 0);
            ctx.clearRect(0, 0, w, h);
        }
        // canvas pixel = world pixel - pixel origin - topLeft (layer point of the container's corner)
        var k = 256 * Math.pow(2, this._zoom), origin = map.getPixelOrigin();
        var ox = origin.x + topLeft.x, oy = origin.y + topLeft.y;
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.lineWidth = this.options.weight;
        ctx.globalAlpha = this.options.opacity;
        ctx.lineCap = 'round';
        ctx.lineJoin = 'round';
        var u = this._u, lengths = this._lengths, p = 0, t = 0;
        for (var c = 0; c < this._colours.length; c++) {
            // One colour per batch; one stroke per track: a single path of thousands of overlapping
            // sub-paths rasterises far slower in Chromium (10,000 tracks: ~1.7 s against ~1.2 s drawn).
            ctx.strokeStyle = this._colours[c];
            for (var end = t + this._counts[c]; t < end; t++) {
                var m = lengths[t];
                if (m > 0) {
                    ctx.beginPath();
                    ctx.moveTo(u[p] * k - ox, u[p + 1] * k - oy);
                    for (var j = 1; j < m; j++) ctx.lineTo(u[p + 2 * j] * k - ox, u[p + 2 * j + 1] * k - oy);
                    ctx.stroke();
                }
                p += 2 * m;
            }
        }
    }
});
}
"""


def _js(value) -> str:
    """``value`` as a JavaScript literal: JSON, compact, with ``<`` escaped (safe inside ``<script>``)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).replace("<", "\\u003c")


def pack(tracks_coords: Sequence[np.ndarray], colours: Sequence[str], *, digits: int = 4) -> dict:
    """The layer's data: tracks grouped by colour (first-seen order), integer deltas as one JSON string.

    Returns ``{"scale", "deltas", "lengths", "colours", "counts"}``.
    """
    if len(tracks_coords) != len(colours):
        raise ValueError(f"{len(tracks_coords)} tracks but {len(colours)} colours")
    if not (isinstance(digits, (int, np.integer)) and 0 <= digits <= 7):
        raise ValueError(f"digits must be an integer from 0 to 7, not {digits!r}")
    scale = 10 ** int(digits)
    order: dict[str, list[int]] = {}
    for k, colour in enumerate(colours):
        order.setdefault(str(colour), []).append(k)
    parts, lengths = [], []
    for indices in order.values():
        for k in indices:
            track = np.asarray(tracks_coords[k], dtype=float).reshape(-1, 2)
            if not np.isfinite(track).all():
                raise ValueError(f"track {k} has a non-finite coordinate")
            parts.append(track)
            lengths.append(len(track))
    flat = np.concatenate(parts) if parts else np.zeros((0, 2))
    ints = np.round(flat * scale).astype(np.int64).reshape(-1)
    deltas = np.diff(ints.reshape(-1, 2), axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).reshape(-1)
    return {"scale": scale,
            "deltas": "[" + ",".join(map(str, deltas.tolist())) + "]",
            "lengths": lengths,
            "colours": list(order),
            "counts": [len(v) for v in order.values()]}


class BulkLines(InertMacroElement):
    """One :data:`L.GeoBulkLines <BULK_LINES_JS>` layer on the parent map (see :func:`bulk_lines`)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.layer_js }}
        new L.GeoBulkLines({{ this.packed }}, {{ this.options }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, tracks_coords: Sequence[np.ndarray], colours: Sequence[str], *, digits: int = 4,
                 weight: float = 2, opacity: float = 0.9):
        super().__init__()
        self._name = "BulkLines"
        self.layer_js = BULK_LINES_JS
        self.packed = _js(pack(tracks_coords, colours, digits=digits))
        self.options = _js({"weight": float(weight), "opacity": float(opacity)})


def bulk_lines(map: folium.Map, tracks_coords: Sequence[np.ndarray], colours: Sequence[str], *,
               digits: int = 4, weight: float = 2, opacity: float = 0.9) -> BulkLines:
    """Draw every track on ``map`` through one canvas layer; returns the element (already added to ``map``).

    ``tracks_coords``: one array of (lon, lat) vertices per track (any length);
    ``colours``: one CSS colour per track.  Coordinates are kept to ``digits``
    decimals (4: ~11 m).  ``weight`` (pixels) and ``opacity`` as Leaflet's
    path options; ``weight=1`` draws hairlines, which Chromium rasterises about
    twice as fast as 2-pixel lines.  Set the map's view (``fit_bounds``) before or after:
    the layer draws once the map has a view and again whenever it changes.
    """
    element = BulkLines(tracks_coords, colours, digits=digits, weight=weight, opacity=opacity)
    element.add_to(map)
    return element
