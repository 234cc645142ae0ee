"""Reports to tracks: locate each waypoint, fill in what the report leaves out, time the line.

One incident becomes one track: a LineString whose vertices are the reported
waypoints joined along geodesics and densified every :data:`DENSIFY_KM`, so the
drawn line and the computed crossings agree.  The work is split by what it does:

* :mod:`geo.tracks.locating` geocodes the waypoints and estimates what the report
  leaves out (entry and exit points, region vertices, points placed from a
  distance or a heading), each with an uncertainty radius that never narrows at
  a constructed or presumed point;
* :mod:`geo.tracks.entry` places estimated entry and exit points on the border and
  gives their radius (the border stretch the first place is plausibly reached
  from);
* :mod:`geo.tracks.timing` times the line: reported clock times and delays apply
  where they belong (a time on an entry or exit waypoint at the crossing),
  a reported duration paces the span inside the country, and the rest is
  interpolated by distance or extrapolated at the drone type's typical speed.

Each vertex carries an uncertainty radius (km); each leg a status
(``reported``, ``presumed``, ``estimated``); each time a source
(:data:`TIME_SOURCES`).  The result is a GeoDataFrame with one row per incident
(see :func:`build_tracks`); per-vertex arrays are stored in object columns
aligned with the line's coordinates, so analysis can work on all tracks at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.reference import borders
from geo.tracks.entry import (
    BORDER_OFFSET_KM,
    ENTRY_ALLOWANCE_KM,
    ENTRY_ANGLE_DEG,
    ESTIMATED_BORDER_MIN_KM,
)
from geo.tracks.locating import (
    HEADING_UNCERTAINTY_DEG,
    REGION_ENTRY_KM,
    REGION_INSET_KM,
    REPORTED_DISTANCE_REL,
    locate,
)
from geo.reports.report import Report
from geo.tracks.stops import DENSIFY_KM, Stop, densify
from geo.tracks.timing import TIME_SOURCES, clock_zero, time_track

__all__ = [
    "BORDER_OFFSET_KM",
    "DENSIFY_KM",
    "ENTRY_ALLOWANCE_KM",
    "ENTRY_ANGLE_DEG",
    "ESTIMATED_BORDER_MIN_KM",
    "HEADING_UNCERTAINTY_DEG",
    "REGION_ENTRY_KM",
    "REGION_INSET_KM",
    "REPORTED_DISTANCE_REL",
    "STATUSES",
    "TIME_SOURCES",
    "Stop",
    "build_track",
    "build_tracks",
    "locate",
]

#: Leg statuses, from firmest to weakest.
STATUSES = ("reported", "presumed", "estimated")


def _leg_status(a: Stop, b: Stop) -> str:
    """A leg is presumed if it leads to a presumed stop, estimated if either end was estimated."""
    if b.status == "presumed":
        return "presumed"
    if a.status == "estimated" or b.status == "estimated":
        return "estimated"
    return "reported"


def _qualifier(figure) -> str | None:
    if figure is None:
        return None
    if figure.qualifier:
        return figure.qualifier
    return "about" if figure.approx else None


def _identity(report: Report) -> dict[str, Any]:
    """The row's columns that do not depend on locating: identity, drone, reported figures."""
    drone, figures = report.drone_type, report.reported
    return {
        "id": report.id,
        "title": report.title,
        "label": report.label,
        "date": report.date.isoformat(),
        "country": borders.resolve_country(report.country),
        "origin": borders.resolve_country(report.origin),
        "drone": drone.key,
        "drone_name": drone.name,
        "speed_min_kmh": drone.cruise_kmh[0],
        "speed_max_kmh": drone.cruise_kmh[1],
        "speed_typical_kmh": drone.typical_kmh,
        "speed_limit_kmh": drone.max_kmh,
        "outcome": report.outcome,
        "stops": [],
        "reported_distance_km": figures.distance_km.value if figures.distance_km else np.nan,
        "reported_distance_qualifier": _qualifier(figures.distance_km),
        "reported_duration_min": figures.duration.value.total_seconds() / 60 if figures.duration else np.nan,
        "reported_duration_qualifier": _qualifier(figures.duration),
        "reported_depth_km": figures.depth_km.value if figures.depth_km else np.nan,
        "reported_depth_qualifier": _qualifier(figures.depth_km),
    }


def _unplaced(report: Report, stops: list[Stop]) -> dict[str, Any]:
    """The columns of an incident that cannot be drawn; a reported clock time is kept."""
    zero, source = clock_zero(report.route)
    return {
        "stops": [s.as_dict() for s in stops], "geometry": None, "placed": False,
        "clock": "absolute" if zero is not None else "none", "t0": zero, "t0_source": source, "duration_paced": False,
        "t_min": np.empty(0), "time_source": np.empty(0), "unc_km": np.empty(0), "depth_unc_km": np.empty(0),
        "seg_status": np.empty(0, dtype=object), "stop_index": np.empty(0, dtype=int),
    }


def build_track(report: Report, geocoder=None) -> dict[str, Any]:
    """Build one incident's track row (see :func:`build_tracks` for the columns)."""
    row = _identity(report)
    stops = locate(report, geocoder)
    if len(stops) < 2:
        row.update(_unplaced(report, stops))
        return row
    dlon, dlat, leg = densify([s.lon for s in stops], [s.lat for s in stops])
    line = time_track(stops, dlon, dlat, leg, row["country"], report.reported.duration, report.drone_type.typical_kmh)
    stop_km = line.km[line.stop_at]
    stops = [replace(s, time_source=str(line.source[i])) for s, i in zip(stops, line.stop_at)]
    unc = np.interp(line.km, stop_km, [s.uncertainty_km for s in stops])
    depth_unc = np.interp(line.km, stop_km,
                          [s.depth_uncertainty_km if s.depth_uncertainty_km is not None else s.uncertainty_km
                           for s in stops])
    statuses = np.array([_leg_status(a, b) for a, b in itertools.pairwise(stops)], dtype=object)
    stop_index = np.full(len(line.lon), -1)
    stop_index[line.stop_at] = np.arange(len(stops))
    row.update(
        stops=[s.as_dict() for s in stops],
        geometry=shapely.linestrings(np.round(line.lon, 7), np.round(line.lat, 7)),
        placed=True,
        clock="absolute" if line.zero is not None else "relative",
        t0=line.zero,
        t0_source=line.zero_source,
        duration_paced=line.paced,
        t_min=line.t,
        time_source=line.source,
        unc_km=unc,
        depth_unc_km=depth_unc,
        seg_status=statuses[np.minimum(line.leg[:-1], len(stops) - 2)],
        stop_index=stop_index,
    )
    return row


def build_tracks(reports: Iterable[Report], geocoder=None) -> gpd.GeoDataFrame:
    """Build the tracks of many reports: one row per incident.

    Parameters
    ----------
    reports : iterable of geo.reports.report.Report
    geocoder : geopy-style geocoder, optional
        Defaults to the offline gazetteer (one instance shared by all reports).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; ``geometry`` is the densified LineString (None when the
        incident cannot be placed, ``placed`` False).  Per-vertex arrays aligned
        with the line's coordinates: ``t_min`` (minutes since ``t0``, negative
        before it, or since the first vertex when ``clock`` is ``relative``),
        ``time_source`` (one of :data:`TIME_SOURCES`), ``unc_km``,
        ``depth_unc_km``, ``stop_index`` (index into ``stops`` or -1); per
        segment: ``seg_status``.  ``clock`` is ``absolute`` when the report
        gives a clock time (kept, as ``t0``, even when the incident cannot be
        placed), ``relative`` or ``none``; ``t0_source`` says whether ``t0`` is
        ``reported`` or ``reported_approx`` (None without a clock time);
        ``duration_paced`` is True when the reported duration paced the times
        inside the country (see :mod:`geo.tracks.timing`).  Also the report's identity,
        drone envelope (``speed_min_kmh``...), outcome, ``stops`` (list of dicts,
        each with its ``time_source`` and, for a timed stop, ``time_at``: where
        its reported time applies) and the reported figures
        (``reported_distance_km``, ``reported_duration_min``,
        ``reported_depth_km`` with their qualifiers).
    """
    if geocoder is None:
        from geo.geocoding.gazetteer import Gazetteer

        geocoder = Gazetteer()
    rows = [build_track(report, geocoder) for report in reports]  # per report: locating is I/O-like
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return frame
