"""The map page's own elements: what geo adds to a folium page, without its text being compiled twice.

folium and branca render a page's parts twice, the second time as template
source (see :mod:`geo.present.htmlsafe`): :class:`Literal` text is never
compiled, and :class:`InertMacroElement` renders each macro of its template
once.  The elements built on it (the attribution, the legend, the label
declutterer, the footer, the time slider on one common clock, the vector
overview map) take their scripts from ``templates/*.js.j2``
(:func:`geo.outputs.web.page.element_template`).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from branca.element import Element, MacroElement
import folium
from folium import plugins

from geo.outputs.web.page import element_template
from geo.present.htmlsafe import safe_json

__all__ = ["Literal", "InertMacroElement", "Attribution", "Legend", "Declutter", "Footer", "Timeline",
           "VectorMiniMap", "Popup", "KeyboardAccess", "NARROW_PX", "RELATIVE_EPOCH"]

#: Viewport width (CSS px) up to which the layer control and the legend start collapsed (an article column is
#: about 680 px, where open they covered a third of the map).
NARROW_PX = 720
#: The synthetic day the time slider plays on: every track starts at its midnight (T+0).
RELATIVE_EPOCH = pd.Timestamp("2000-01-01T00:00:00Z")


class Literal(Element):
    """Text put into the page exactly as given: never compiled as a Jinja template.

    ``branca.element.Element(text)`` compiles ``text``; this does not.  Use it
    for page parts geo writes itself, after escaping every outside string in them.

    Examples
    --------
    >>> Literal("{{ 6*7 }}").render()
    '{{ 6*7 }}'
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Literal"
        self.text = str(text)

    def render(self, **kwargs: Any) -> str:
        """The text, unchanged."""
        return self.text


class InertMacroElement(MacroElement):
    """A MacroElement whose rendered header, html and script reach the page as :class:`Literal` text.

    branca's ``MacroElement.render`` wraps each rendered macro in
    ``Element(...)``, compiling it a second time; this renders each macro once.
    Put it after folium's classes in the bases (``class X(plugins.MiniMap,
    InertMacroElement)``) so that their own ``render`` (which adds scripts and
    styles) still runs first.
    """

    def render(self, **kwargs: Any) -> None:
        """Render each macro of the template once, and the children."""
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(Literal(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class Attribution(InertMacroElement):
    _template = element_template("attribution.js.j2")

    def __init__(self, text: str):
        super().__init__()
        self._name = "Attribution"
        self.text = text


class Legend(InertMacroElement):
    _template = element_template("legend.js.j2")

    def __init__(self, html: str):
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.narrow_px = int(NARROW_PX)


class KeyboardAccess(InertMacroElement):
    """Tab reaches the controls first, then each route and waypoint as a named button (Enter opens its
    popup), then the markers, each named by its tooltip; shapes without a popup stay out of the order."""

    _template = element_template("keyboard.js.j2")

    def __init__(self):
        super().__init__()
        self._name = "KeyboardAccess"


class Declutter(InertMacroElement):
    """Keep permanent labels off each other and off the crossing and end markers.

    After every view change and layer toggle each label, in order (depth labels, then leg labels,
    then region names), stays where Leaflet put it, or is nudged up or down by one or two label
    heights, or is hidden if it overlaps whatever was placed before it in every one of those spots.
    """

    _template = element_template("declutter.js.j2")

    def __init__(self):
        super().__init__()
        self._name = "Declutter"


class Footer(InertMacroElement):
    """Page text after the map div (sources, byline, unplaced incidents) and the height message."""

    _template = element_template("footer.js.j2")

    def __init__(self, html: str):
        super().__init__()
        self._name = "Footer"
        self.html = html


class Timeline(plugins.TimestampedGeoJson, InertMacroElement):
    """TimestampedGeoJson on one common clock: every track starts at T+0 (its first point).

    The slider steps every ``step_min`` minutes from T+0 to the longest track's
    end and reads ``T+1:45``; it sits in a full-width strip along the bottom of
    the map (a control corner of its own), without the frames-per-second knob.
    Absolute clock times stay in the popups.
    """

    _template = element_template("timeline.js.j2")

    default_css = [(name, url) for name, url in plugins.TimestampedGeoJson.default_css
                   if "highlight" not in url]  # a code-highlighting stylesheet the slider does not use
    # Not jQuery nor jQuery UI (85 + 228 KB: the slider's knobs are its own) nor moment (50 KB: its times are
    # written by _getDisplayDateFormat in timeline.js.j2, and TimeDimension itself needs only iso8601).
    default_js = [(name, url) for name, url in plugins.TimestampedGeoJson.default_js
                  if "jquery" not in url and "moment" not in url]

    def __init__(self, data: dict[str, Any], *, step_min: int, end_min: float):
        super().__init__(data, period=f"PT{step_min}M", auto_play=False, loop=False, add_last_point=True,
                         transition_time=250, speed_slider=False, time_slider_drag_update=True,
                         date_options="YYYY-MM-DD HH:mm")
        self.options["position"] = "geofull"
        self.data = safe_json(data)
        self.epoch_year = RELATIVE_EPOCH.year
        epoch_ms = int(RELATIVE_EPOCH.timestamp() * 1000)
        steps = math.ceil(round(max(float(end_min), 0.0) / step_min, 6))
        self.times = [epoch_ms + k * step_min * 60_000 for k in range(steps + 1)]


class VectorMiniMap(plugins.MiniMap, InertMacroElement):
    """A minimap drawn from the shipped country outlines (no tiles: works offline)."""

    _template = element_template("vector_minimap.js.j2")

    def __init__(self, data: dict[str, Any], **kwargs):
        super().__init__(**kwargs)
        self.data = safe_json(data)


class Popup(folium.Popup):
    """folium's popup without jQuery: its HTML is handed to Leaflet as a JSON string (``popup.js.j2``).

    folium builds every popup with ``$(`...`)[0]``, which made the page carry jQuery (85 KB) for
    nothing else; Leaflet's ``setContent`` takes the HTML string itself.
    """

    _template = element_template("popup.js.j2")
