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

from geo.outputs.web.elements import InertMacroElement
from geo.outputs.web.page import element_template, static_text

__all__ = ["bulk_lines", "BulkLines"]

#: The layer class, defined once per page (``L.GeoBulkLines``), from ``templates/bulklines.js``.
#: Our own code, no third-party plugin.
BULK_LINES_JS = static_text("bulklines.js")


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

    _template = element_template("bulklines_layer.js.j2")

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
