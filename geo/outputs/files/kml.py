"""Tracks and figures to KML and KMZ for Google Earth (through simplekml).

The document holds the shared styles and one top folder (the title and how to
read the file); in it, one folder per incident holds its legs as LineStrings
styled by status, a timed ``gx:Track`` (when the report gives a clock time),
the waypoints, the border crossings, and the deepest point with its line to
the border.  An incident that cannot be placed gets a folder with its
description and no placemark, and is listed in the top folder's description.
Balloons carry the web map's popup text (:mod:`geo.outputs.web.render`), so Google Earth
and the map say the same.  The file validates against the OGC KML 2.2 schema
(with Google's ``gx`` extensions).

KML has no dashed lines: the map's solid/dashed/dotted legs (reported,
presumed, estimated; :data:`geo.present.style.DASH`) become wide and opaque,
thinner and translucent, thinnest and most transparent lines in the incident's
colour (:data:`LEG_STYLE`); the document's description says so.

Safety: descriptions are HTML in CDATA, built only from the autoescaping templates of
:mod:`geo.present` (``popups.html.j2``, ``balloons.html.j2``), whose outside text goes through
:func:`geo.present.htmlsafe.safe_html` (which escapes ``>``, so no text can close the
CDATA); every balloon's
template is ``$[description]``, so names, which Google Earth would otherwise put
into the balloon as HTML, are shown as plain text only.

Determinism: simplekml numbers elements from a global counter, restarted for
each document (and written ``k0``, ``k1``... as the schema's ``xs:ID`` needs a
letter first); the KMZ's single entry has a fixed timestamp.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import markupsafe
import simplekml

from geo.errors import ExportError, plain_text
from geo.present.figures import check_figures
from geo.present.popups import track_popup
from geo.present.scene import IncidentView, build_scene
from geo.present.templating import macro
from geo.present.shapes import COORD_DIGITS
from geo.present.style import MARK_INK, STATUS_LABEL
from geo.present.words import ATTRIBUTION, clock_text
from geo.outputs.files.layers import stamp


__all__ = ["LEG_STYLE", "kml_document", "to_kml", "to_kmz"]

#: Line width (px) and opacity (0-1) of a leg, by status: KML's stand-in for the map's dashes.
LEG_STYLE = {"reported": (4.0, 1.0), "presumed": (3.0, 0.7), "estimated": (2.0, 0.45)}
#: Width and opacity of the timed track's own line (drawn over the legs).
TRACK_LINE = (1.0, 0.9)
#: Google Earth's stock icons (loaded by Google Earth itself, as for any KML).
ICONS = {
    "reported": "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png",
    "other": "http://maps.google.com/mapfiles/kml/shapes/donut.png",
    "crossing": "http://maps.google.com/mapfiles/kml/shapes/open-diamond.png",
    "deepest": "http://maps.google.com/mapfiles/kml/shapes/target.png",
    "track": "http://earth.google.com/images/kml-icons/track-directional/track-0.png",
}
#: The deepest point's line to the border, and the crossings: dark grey as on the map.
DARK = MARK_INK
#: Name of the entry in a KMZ (what Google Earth opens).
KMZ_ENTRY = "doc.kml"


class _ElementId(int):
    """simplekml's element counter, printed as a valid ``xs:ID`` (``k12``, not ``12``)."""

    def __str__(self) -> str:
        return f"k{int(self)}"

    def __add__(self, other: int) -> _ElementId:
        return _ElementId(int(self) + other)


def _kml_color(hex_rgb: str, opacity: float = 1.0) -> str:
    """``#RRGGBB`` and an opacity to KML's ``aabbggrr``.

    Examples
    --------
    >>> _kml_color("#0072B2", 0.5)
    '80b27200'
    """
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{round(opacity * 255):02x}{b}{g}{r}".lower()


def _cdata(html: str) -> str:
    """HTML for a description; ``html`` must come from safe_html-escaped parts (no ``]]>`` can occur)."""
    return f"<![CDATA[{html}]]>"


def _style(*, line: tuple[str, float, float] | None = None, icon: str | None = None, color: str | None = None,
           scale: float = 1.0, label_scale: float = 1.0) -> simplekml.Style:
    style = simplekml.Style()
    style.balloonstyle.text = "$[description]"
    if line is not None:
        hex_rgb, width, opacity = line
        style.linestyle.color = _kml_color(hex_rgb, opacity)
        style.linestyle.width = width
    if icon is not None:
        style.iconstyle.icon.href = icon
        style.iconstyle.scale = scale
        if color is not None:
            style.iconstyle.color = _kml_color(color)
        style.labelstyle.scale = label_scale
    return style


def _coords(lon: np.ndarray, lat: np.ndarray) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in np.round(np.column_stack([lon, lat]), COORD_DIGITS)]


def _track_times(track: pd.Series, minutes: np.ndarray) -> list[str]:
    """ISO 8601 instants (to the second, in the report's time zone) of a track's vertices."""
    t0 = pd.Timestamp(track["t0"])
    offsets = pd.to_timedelta(np.round(np.asarray(minutes, float) * 60.0), unit="s")
    return [(t0 + offset).isoformat() for offset in offsets]


def _doc_description(tracks: gpd.GeoDataFrame, unplaced: list[str]) -> str:
    widths = "; ".join(f"{STATUS_LABEL[s]}: {w:g} px at {o:.0%} opacity" for s, (w, o) in LEG_STYLE.items())
    return _balloon("document", widths, unplaced, markupsafe.Markup(ATTRIBUTION))


def _balloon(which: str, *args: Any) -> str:
    """A KML-only balloon text (``geo/present/templates/balloons.html.j2``)."""
    return macro("geo.present", "balloons.html.j2", which, *args)


class _Styles:
    """The shared styles of a document, made once each and kept at the Document's top (by key)."""

    def __init__(self, document: simplekml.Document):
        self.document = document
        self.made: dict[str, simplekml.Style] = {}

    def __call__(self, key: str, **kwargs) -> simplekml.Style:
        if key not in self.made:
            self.made[key] = _style(**kwargs)
            self.document.styles.append(self.made[key])  # shared styles belong to the Document (written at its top)
        return self.made[key]


def _add_incident(folder: simplekml.Folder, track: pd.Series, fig: pd.Series, view: IncidentView,
                  style: _Styles) -> None:
    """Fill an incident's folder as the presentation model ``view`` says: legs, timed track, waypoints,
    crossings, deepest point (shared styles)."""
    popup = track_popup(track, fig, view)
    coords = shapely.get_coordinates(track.geometry)
    _add_legs(folder, view, coords, popup, style)
    if track["clock"] == "absolute":
        _add_timed_track(folder, track, view, coords, popup, style)
    _add_stops(folder, view, style)
    _add_marks(folder, view, style)


def _add_legs(folder: simplekml.Folder, view: IncidentView, coords: np.ndarray, popup: str, style: _Styles) -> None:
    """One line a leg, from a stop to the next, in the incident's colour and styled by status."""
    color = view.color
    for leg in view.legs:  # per leg, from a stop to the next: a handful per incident
        width, opacity = LEG_STYLE[leg.status]
        line = coords[leg.first_vertex:leg.last_vertex + 1]
        mark = folder.newlinestring(name=f"{leg.status} leg: {leg.from_label} → {leg.to_label}",
                                    coords=_coords(line[:, 0], line[:, 1]), tessellate=1)
        mark.description = _cdata(_balloon("leg", leg.sentence, markupsafe.Markup(popup)))
        mark.style = style(f"leg:{color}:{leg.status}", line=(color, width, opacity))


def _add_timed_track(folder: simplekml.Folder, track: pd.Series, view: IncidentView, coords: np.ndarray,
                     popup: str, style: _Styles) -> None:
    """A gx:Track for Google Earth's time slider, with the times at each stop and where they come from."""
    color = view.color
    t = np.asarray(track["t_min"], float)
    time_source = np.asarray(track["time_source"], object)
    times = [(clock_text(track, t[d], date=True), stop["label"], time_source[d])
             for stop, d in zip(track["stops"], np.flatnonzero(np.asarray(track["stop_index"]) >= 0))]
    note = _balloon("timed_track", track["drone_name"], f"{track['speed_typical_kmh']:,.0f}", times)
    trk = folder.newgxtrack(name=f"timed track: {track['id']}")
    trk.newwhen(_track_times(track, t))
    trk.newgxcoord(_coords(coords[:, 0], coords[:, 1]))
    trk.description = _cdata(popup + note)
    trk.style = style(f"track:{color}", line=(color, *TRACK_LINE), icon=ICONS["track"], color=color, scale=1.2)


def _add_stops(folder: simplekml.Folder, view: IncidentView, style: _Styles) -> None:
    """The stops, each with its popup; the last one named by how the track ended."""
    color = view.color
    for i, stop in enumerate(view.stops):  # per stop
        name = view.end.sentence if i == len(view.stops) - 1 else stop.name
        mark = folder.newpoint(name=name, coords=[(stop.lon, stop.lat)])
        mark.description = _cdata(stop.popup)
        kind = "reported" if stop.status == "reported" else "other"
        mark.style = style(f"stop:{color}:{kind}", icon=ICONS[kind], color=color, scale=0.9, label_scale=0.8)


def _add_marks(folder: simplekml.Folder, view: IncidentView, style: _Styles) -> None:
    """The border crossings and the deepest point with its line to the border."""
    for c in view.crossings:
        mark = folder.newpoint(name=f"{c.from_country}→{c.to_country}", coords=_coords([c.lon], [c.lat]))
        mark.description = _cdata(_balloon("text", c.sentence))
        mark.style = style("crossing", icon=ICONS["crossing"], color=DARK, label_scale=0.7)

    d = view.deepest
    if d is not None:
        mark = folder.newpoint(name="deepest point", coords=_coords([d.lon], [d.lat]))
        mark.description = _cdata(_balloon("text", f"deepest point: {d.words}"))
        mark.style = style("deepest", icon=ICONS["deepest"], color=DARK, label_scale=0.7)
        line = folder.newlinestring(name=f"distance to {d.border}",
                                    coords=_coords([d.lon, d.border_lon], [d.lat, d.border_lat]), tessellate=1)
        line.description = mark.description
        line.style = style("to-border", line=(DARK, 1.5, 0.9))


def kml_document(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *, reports: Sequence[Any] | None = None,
                 title: str | None = None) -> simplekml.Kml:
    """Build the KML document (a :class:`simplekml.Kml`) of incidents.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        From :func:`geo.tracks.build.build_tracks`.
    figures : pandas.DataFrame
        From :func:`geo.analysis.analyse.analyse` of the same tracks, in the same order.
    reports : sequence of geo.reports.report.Report, optional
        Their summaries and sources go into the balloons, as on the web map.
    title : str, optional
        The document's name (default: the title the web map and the print image get).

    Returns
    -------
    simplekml.Kml
        One folder per incident; render with :func:`to_kml`.
    """
    check_figures(tracks, figures, ExportError)
    tracks = tracks.reset_index(drop=True)
    figures = figures.reset_index(drop=True)
    # Element ids count from 0 in every document (as Kml.resetidcounter() does), so the same input gives the
    # same bytes, and read k0, k1, ...: the schema's xs:ID cannot start with a digit.
    simplekml.base.Kmlable._globalid = _ElementId(0)
    try:
        return _build(tracks, figures, reports=reports, title=title)
    finally:
        simplekml.base.Kmlable._globalid = int(simplekml.base.Kmlable._globalid)


def _build(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *, reports: Sequence[Any] | None,
           title: str | None) -> simplekml.Kml:
    # The Document holds only the shared styles: simplekml writes a container's styles before its name,
    # which the schema allows only when there is no name.  The top folder carries the name and description.
    scene = build_scene(tracks, figures, reports=reports, title=title)
    kml = simplekml.Kml()
    top = kml.newfolder(name=scene.title, open=1)
    texts = scene.descriptions
    style = _Styles(kml.document)
    unplaced = []
    for i in range(len(tracks)):  # per incident: a folder each
        track, fig, view = tracks.loc[i], figures.loc[i], scene.incident(i)
        folder = top.newfolder(name=view.heading)
        summary = view.summary
        if not bool(track["placed"]):
            unplaced.append(texts[track["id"]])
            folder.name = f"{track['id']}: {track['title']} (not placed)"
            folder.description = _cdata(_balloon("unplaced", track["title"], summary, texts[track["id"]]))
            continue
        note = "" if track["clock"] == "absolute" else _balloon("no_clock")
        folder.description = _cdata(track_popup(track, fig, view) + note)
        _add_incident(folder, track, fig, view, style)
    top.description = _cdata(_doc_description(tracks, unplaced))
    return kml


def to_kml(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *, reports: Sequence[Any] | None = None,
           title: str | None = None) -> str:
    """The incidents as KML text (UTF-8); see :func:`kml_document`.

    Written compactly (simplekml's indenting re-parses the document with minidom, which may turn a CDATA
    description into escaped text).  Any control character that reached the text (from the Python API or a
    gazetteer; :data:`geo.errors.CONTROL_CHARACTERS`) is replaced by U+FFFD, so the file stays well-formed
    XML: the document's own markup holds none, so this touches only text.
    """
    return plain_text(kml_document(tracks, figures, reports=reports, title=title).kml(format=False))


def to_kmz(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *, reports: Sequence[Any] | None = None,
           title: str | None = None, timestamp: dt.datetime | None = None) -> bytes:
    """The KML of :func:`to_kml` zipped as ``doc.kml``, with a fixed entry time and mode.

    ``timestamp`` defaults to :func:`geo.outputs.files.layers.stamp` (the latest incident's date).
    """
    text = to_kml(tracks, figures, reports=reports, title=title)
    when = (timestamp or stamp(tracks)).timetuple()[:6]
    info = zipfile.ZipInfo(KMZ_ENTRY, date_time=max(when, (1980, 1, 1, 0, 0, 0)))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever the platform: the same bytes everywhere
    info.external_attr = 0o644 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
