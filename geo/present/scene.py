"""The presentation model: what a reader is told and shown, built once by :func:`build_scene`.

A :class:`Scene` is made from the tracks, their figures and the reports.  It
holds the decisions every output would otherwise make on its own: each
incident's colour, heading, the report's summary, its description, and its
legs with their figures (from the analysis' legs table,
:func:`geo.analysis.stoplegs.stop_legs`) and their words.  The web map, the print
image, KML and the GeoPackage draw from it; none of them measures a leg or
picks a colour.

The legs table, the legs' views and the descriptions are made when first
asked for (an archive view of 100,000 incidents draws none of them: the
table alone takes about 5 s there, and one object a leg would cost about
2 µs and 400 bytes each).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.stoplegs import stop_legs
from geo.present.checkwords import check_sentence, warning_sentence
from geo.present.popups import sources_by_report, stop_popup
from geo.present.style import OUTCOME_SYMBOL, track_colors
from geo.present.words import (ATTRIBUTION, cited_publications, country_names, crossing_clock_label,
                               crossing_sentence, default_title, depth_border, depth_label, depth_words, describe,
                               end_sentence, has_value, incident_name, leg_label, leg_sentence, standfirst,
                               stop_name)

__all__ = ["StopView", "CheckView", "CrossingView", "DeepestView", "EndView", "IncidentView", "LegView", "Scene", "build_scene"]


@dataclass(frozen=True)
class LegView:
    """One leg, from a stop to the next, as a reader sees it.

    The figures are the legs table's (:mod:`geo.analysis.stoplegs`); ``label`` is the
    short label a map puts beside the leg (None when the leg is too short to
    carry one) and ``sentence`` the line a balloon or table gives it.
    """

    index: int
    from_stop: int
    to_stop: int
    first_vertex: int
    last_vertex: int
    status: str
    km: float
    minutes: float
    speed_kmh: float
    t_start_min: float
    t_end_min: float
    time_source: str
    time_estimated: bool
    mid_lon: float
    mid_lat: float
    mid_segment: int
    mid_fraction: float
    from_label: str
    to_label: str
    label: str | None
    sentence: str


@dataclass(frozen=True)
class CrossingView:
    """A border crossing: where, between which countries, and what a reader is told of it."""

    lon: float
    lat: float
    from_country: str
    to_country: str
    t_min: float | None
    time_estimated: bool
    sentence: str
    clock_label: str | None


@dataclass(frozen=True)
class DeepestView:
    """The point deepest past the border, the nearest border point, and its words.

    ``words`` is the long form (``52 km (certainly 50–55 km) past the Ukraine
    border``), ``label`` and ``bound`` the short one a map puts by the line to
    the border, ``border`` the border it is measured from.
    """

    lon: float
    lat: float
    border_lon: float
    border_lat: float
    words: str
    label: str
    bound: str | None
    border: str


@dataclass(frozen=True)
class EndView:
    """Where a track ended, its outcome's symbol and sentence."""

    lon: float
    lat: float
    symbol: str
    sentence: str


@dataclass(frozen=True)
class StopView:
    """One stop of a track (a waypoint the report names, or one geo estimated), as a reader sees it.

    ``name`` is its display name with its status ("Loyew (reported)"), for a
    tooltip or a placemark; ``popup`` its popup as safe HTML
    (:func:`geo.present.popups.stop_popup`).
    """

    lon: float
    lat: float
    label: str
    status: str
    name: str
    popup: str


@dataclass(frozen=True)
class CheckView:
    """One check of the reported figures: which (``distance``...), its status and its sentence."""

    check: str
    status: str
    sentence: str


@dataclass(frozen=True)
class IncidentView:
    """One incident as every output shows it (its row in the tracks, in order).

    ``name`` is its short name for legends and layer lists (no file slug:
    :func:`geo.present.words.incident_name`); ``heading`` names it with its id,
    for files an analyst keeps.  ``crossings``, ``deepest`` and ``end`` are empty or None for an incident
    that cannot be placed (or, for ``deepest``, that has no depth).  ``checks``
    and ``warnings`` are the analysis' checks and warnings in words
    (:mod:`geo.present.checkwords`), placed or not, and ``stops`` its stops
    (none when unplaced).  Those three are made when first read: most views
    (a GeoPackage of an archive) draw none of them, and the stops' popups cost
    about 1 ms an incident.
    """

    row: int
    id: str
    name: str
    placed: bool
    color: str | None
    heading: str
    summary: str | None
    legs: tuple[LegView, ...]
    crossings: tuple[CrossingView, ...]
    deepest: DeepestView | None
    end: EndView | None
    track: pd.Series = field(repr=False, compare=False)
    figures: pd.Series = field(repr=False, compare=False)
    sources: Mapping[str, Any] = field(repr=False, compare=False)

    @functools.cached_property
    def checks(self) -> tuple[CheckView, ...]:
        """The checks of the reported figures, in words."""
        return tuple(CheckView(c["check"], c["status"], check_sentence(c)) for c in self.figures["checks"] or [])

    @functools.cached_property
    def warnings(self) -> tuple[str, ...]:
        """The warnings, in words."""
        return tuple(warning_sentence(w) for w in self.figures.get("warnings") or [])

    @functools.cached_property
    def stops(self) -> tuple[StopView, ...]:
        """The stops, with their names and popups (none for an incident that cannot be placed)."""
        return _stops(self.track, self.sources) if self.placed else ()


@dataclass(frozen=True)
class Scene:
    """Everything the outputs draw, for one set of incidents (see :func:`build_scene`).

    Per page: the ``title``, the standfirst (:meth:`standfirst`), the
    ``publications`` cited (one entry per publication, with every date and
    link) and the data ``attribution`` (HTML); per incident, :meth:`incident`.
    """

    tracks: gpd.GeoDataFrame
    figures: pd.DataFrame
    colors: tuple[str | None, ...]
    summaries: Mapping[str, str | None]
    sources: Mapping[str, dict[str, Any]]
    names: Mapping[str, str]
    title: str
    publications: tuple[dict[str, Any], ...]
    attribution: str = ATTRIBUTION
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def standfirst(self, *, interactive: bool) -> str:
        """The sentence under the title: how to read the map (``interactive``: the web map's version)."""
        return standfirst(self.tracks, interactive=interactive)

    def incident(self, row: int) -> IncidentView:
        """The incident on row ``row`` of the tracks, with its legs."""
        if row not in self._cache:
            track, fig = self.tracks.loc[row], self.figures.loc[row]
            placed = bool(track["placed"])
            self._cache[row] = IncidentView(
                row=row, id=str(track["id"]), name=incident_name(track), placed=placed, color=self.colors[row],
                heading=f"{track['id']}: {track['title']}", summary=self.summaries.get(track["id"]),
                legs=self._legs_of(row, track), crossings=_crossings(track, fig) if placed else (),
                deepest=_deepest(fig) if placed else None, end=_end(track) if placed else None,
                track=track, figures=fig, sources=self.sources.get(track["id"], {}))
        return self._cache[row]

    @functools.cached_property
    def legs(self) -> pd.DataFrame:
        """The legs table of the tracks (:func:`geo.analysis.stoplegs.stop_legs`), made when first drawn."""
        return stop_legs(self.tracks)

    @functools.cached_property
    def descriptions(self) -> dict[str, str]:
        """One plain paragraph per incident, by id (:func:`geo.present.words.describe`)."""
        return describe(self.tracks, self.figures)

    @functools.cached_property
    def _leg_rows(self) -> dict[str, tuple[int, int]]:
        ids = self.legs["id"].to_numpy(object)
        if len(ids) == 0:
            return {}
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        ends = np.r_[starts[1:], len(ids)]
        return {str(ids[s]): (int(s), int(e)) for s, e in zip(starts, ends)}

    @functools.cached_property
    def _leg_columns(self) -> dict[str, list]:
        """The legs table as one Python list per column: a slice of rows as records cost pandas
        about 4 ms an incident (most of a view's time), a list index nothing."""
        return {name: self.legs[name].tolist() for name in self.legs.columns}

    def _legs_of(self, row: int, track: pd.Series) -> tuple[LegView, ...]:
        lo, hi = self._leg_rows.get(str(track["id"]), (0, 0))
        stops = track["stops"] if bool(track["placed"]) else []
        views = []
        columns = self._leg_columns
        for k in range(lo, hi):  # per leg: a handful per incident
            rec = {name: values[k] for name, values in columns.items()}
            views.append(LegView(
                index=int(rec["leg"]), from_stop=int(rec["from_stop"]), to_stop=int(rec["to_stop"]),
                first_vertex=int(rec["first_vertex"]), last_vertex=int(rec["last_vertex"]),
                status=str(rec["status"]), km=float(rec["km"]), minutes=float(rec["minutes"]),
                speed_kmh=float(rec["speed_kmh"]), t_start_min=float(rec["t_start_min"]),
                t_end_min=float(rec["t_end_min"]), time_source=str(rec["time_source"]),
                time_estimated=bool(rec["time_estimated"]), mid_lon=float(rec["mid_lon"]),
                mid_lat=float(rec["mid_lat"]), mid_segment=int(rec["mid_segment"]),
                mid_fraction=float(rec["mid_fraction"]),
                from_label=stops[int(rec["from_stop"])]["label"], to_label=stops[int(rec["to_stop"])]["label"],
                label=leg_label(float(rec["km"]), float(rec["minutes"]), bool(rec["time_estimated"])),
                sentence=leg_sentence(stops[int(rec["from_stop"])]["label"], stops[int(rec["to_stop"])]["label"],
                                      float(rec["km"]), float(rec["minutes"]), bool(rec["time_estimated"]),
                                      str(rec["status"]), float(track["speed_typical_kmh"]))))
        return tuple(views)


def _stops(track: pd.Series, sources: Mapping[str, Any]) -> tuple[StopView, ...]:
    t = np.asarray(track["t_min"], float)
    time_source = np.asarray(track["time_source"], object)
    at = np.flatnonzero(np.asarray(track["stop_index"], int) >= 0)
    return tuple(StopView(lon=stop["lon"], lat=stop["lat"], label=stop["label"], status=stop["status"],
                          name=stop_name(stop["label"], stop["status"]),
                          popup=stop_popup(track, stop, t[d], str(time_source[d]), sources, track["title"]))
                 for stop, d in zip(track["stops"], at))  # per stop: a handful per incident


def _crossings(track: pd.Series, fig: pd.Series) -> tuple[CrossingView, ...]:
    return tuple(CrossingView(lon=c["lon"], lat=c["lat"], from_country=c["from"], to_country=c["to"],
                              t_min=c.get("t_min"), time_estimated=bool(c.get("time_estimated")),
                              sentence=crossing_sentence(track, c), clock_label=crossing_clock_label(track, c))
                 for c in fig["crossings"] or [])


def _deepest(fig: pd.Series) -> DeepestView | None:
    deepest = fig["deepest_point"]
    if not isinstance(deepest, dict) or not has_value(fig["depth_km"]):
        return None
    label, bound = depth_label(fig)
    return DeepestView(lon=deepest["lon"], lat=deepest["lat"], border_lon=deepest["border_lon"],
                       border_lat=deepest["border_lat"], words=depth_words(fig), label=label, bound=bound,
                       border=depth_border(fig))


def _end(track: pd.Series) -> EndView:
    end = track["stops"][-1]
    return EndView(lon=end["lon"], lat=end["lat"], symbol=OUTCOME_SYMBOL.get(track["outcome"], "•"),
                   sentence=end_sentence(track, end["label"]))


def build_scene(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *,
                reports: Sequence[Any] | None = None, title: str | None = None) -> Scene:
    """The presentation model of a run: built once, drawn by every output.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        From :func:`geo.tracks.build.build_tracks` (reindexed 0..n-1 here).
    figures : pandas.DataFrame
        From :func:`geo.analysis.analyse.analyse` of the same tracks, in the same order.
    reports : sequence of geo.reports.report.Report, optional
        For the summaries and sources.
    title : str, optional
        The page's title (default: one made from the incidents' countries and dates).

    Returns
    -------
    Scene
    """
    tracks = tracks.reset_index(drop=True)
    names = country_names()
    return Scene(
        tracks=tracks, figures=figures.reset_index(drop=True),
        colors=tuple(track_colors(tracks)), summaries={r.id: r.summary for r in reports or []},
        sources=sources_by_report(reports), names=names, title=title or default_title(tracks, names),
        publications=tuple(cited_publications(reports)))
