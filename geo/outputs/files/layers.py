"""Analyst exports: the tracks and their figures as GIS layers, and ``geo export``.

:func:`layers` turns what :func:`geo.tracks.build.build_tracks` and
:func:`geo.analysis.analyse.analyse` computed into five GeoDataFrames (EPSG:4326):

``tracks``
    One LineString per incident (null geometry when it cannot be placed) with
    every analysed figure as an attribute: scalars as they are, ranges as
    ``_min``/``_max``, the length by leg status as ``length_<status>_km``, the
    deepest point as ``deepest_*``, and lists (crossings, regions, speeds,
    checks, stops) as JSON text.
``legs``
    One LineString per leg, from a stop to the next (the analysis' legs table,
    as the maps label them): status (reported, presumed, estimated), km,
    minutes, km/h, from/to stop labels, times and whether they are assumed.
``waypoints``
    The located stops: label, kind, role, status, uncertainty, time and where
    the time comes from, sources, gazetteer match.
``crossings``
    Border crossings: from/to country and time.
``deepest_points``
    The point deepest past the border, with its depth, depth range and the
    nearest border point.

Times: ``time`` / ``start_time`` / ``end_time`` are datetimes in UTC (what
GeoPackage stores), ``*_local`` the same instant as ISO 8601 text in the
report's time zone, ``t_min`` minutes after the incident's clock zero; times
are null when a report gives no clock time (a relative clock).  Figures are
rounded as in :mod:`geo.outputs.files.export`: km and minutes to 0.1, coordinates to 1e-5°.

:func:`write_export` writes GeoJSON, GeoPackage, CSV, KML or KMZ, chosen by
the file's extension, atomically and deterministically.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.atomic import building
from geo.errors import ExportError, OutputError, visible
from geo.outputs.files.export import records
from geo.present.figures import check_figures
from geo.present.shapes import COORD_DIGITS
from geo.present.scene import Scene, build_scene
from geo.present.words import source_words
from geo.analysis.ranges import RANGE_KINDS
from geo.tracks.build import STATUSES

__all__ = [
    "LAYERS",
    "GEOMETRY_TYPES",
    "tracks_layer",
    "legs_layer",
    "waypoints_layer",
    "crossings_layer",
    "deepest_points_layer",
    "layers",
    "write_gpkg",
]

#: The GeoPackage's layers, in order.
LAYERS = ("tracks", "legs", "waypoints", "crossings", "deepest_points")
#: Geometry type of each layer.
GEOMETRY_TYPES = {"tracks": "LineString", "legs": "LineString", "waypoints": "Point", "crossings": "Point",
                  "deepest_points": "Point"}
#: What each layer holds (the GeoPackage's layer descriptions).
LAYER_DESCRIPTIONS = {
    "tracks": "One line per incident with every analysed figure (null geometry if it cannot be placed)",
    "legs": "Runs of consecutive segments with the same status (reported, presumed, estimated)",
    "waypoints": "The located stops of each track, reported or estimated, with their uncertainty",
    "crossings": "Border crossings with the countries left and entered and the time",
    "deepest_points": "The point of each track deepest past the border, with the depth and its range",
}

#: km and minutes are rounded to this many decimals (as in :mod:`geo.outputs.files.export`).
FIGURE_DIGITS = 1

#: Column kinds of the fixed layers (the tracks layer adds any other figure column as text or number).
_LEG_SCHEMA = {
    "id": "str", "leg": "int", "status": "str", "from_stop": "str", "to_stop": "str", "km": "float",
    "minutes": "float", "speed_kmh": "float", "time_source": "str", "time_estimated": "bool",
    "t_start_min": "float", "t_end_min": "float",
    "start_time": "datetime", "start_time_local": "str", "end_time": "datetime", "end_time_local": "str",
    "color": "str",
}
_WAYPOINT_SCHEMA = {
    "id": "str", "stop": "int", "label": "str", "kind": "str", "role": "str", "status": "str",
    "uncertainty_km": "float", "t_min": "float", "time": "datetime", "time_local": "str", "time_source": "str",
    "reported_time": "str", "time_approx_min": "float", "after_min": "float", "sources": "str",
    "source_details": "str", "note": "str", "gazetteer_name": "str", "gazetteer_region": "str",
    "gazetteer_kind": "str", "place_id": "str", "waypoint": "int",
}
_CROSSING_SCHEMA = {
    "id": "str", "crossing": "int", "from_country": "str", "to_country": "str", "t_min": "float",
    "time": "datetime", "time_local": "str", "time_estimated": "bool",
}
_DEEPEST_SCHEMA = {
    "id": "str", "border_with": "str", "depth_km": "float", "depth_km_min": "float", "depth_km_max": "float",
    "depth_any_km": "float", "depth_with_presumed_km": "float", "border_lon": "float", "border_lat": "float",
    "t_min": "float", "time": "datetime", "time_local": "str",
}
_TRACK_SCHEMA = {
    "id": "str", "title": "str", "date": "str", "country": "str", "origin": "str", "drone": "str",
    "drone_name": "str", "speed_min_kmh": "float", "speed_max_kmh": "float", "speed_typical_kmh": "float",
    "outcome": "str", "placed": "bool", "clock": "str",
    "start_time": "datetime", "start_time_local": "str", "end_time": "datetime", "end_time_local": "str",
    "reported_distance_km": "float", "reported_distance_qualifier": "str",
    "reported_duration_minutes": "float", "reported_duration_qualifier": "str",
    "reported_depth_km": "float", "reported_depth_qualifier": "str",
    "length_km": "float", "length_km_min": "float", "length_km_max": "float", "length_km_range_kind": "str",
    **{f"length_{status}_km": "float" for status in STATUSES},
    "crossings_count": "int",
    "depth_km": "float", "depth_km_min": "float", "depth_km_max": "float", "depth_km_range_kind": "str",
    "deepest_lon": "float", "deepest_lat": "float", "deepest_border_lon": "float", "deepest_border_lat": "float",
    "deepest_t_min": "float", "depth_any_km": "float", "depth_with_presumed_km": "float",
    "inside_km": "float", "inside_minutes": "float", "inside_minutes_estimated": "bool",
    "duration_minutes": "float",
    "checks_consistent": "int", "checks_contradicting": "int", "checks_cannot_check": "int",
    "crossings": "json", "regions": "json", "speeds": "json", "checks": "json", "stops": "json",
    "summary": "str", "description": "str", "sources": "str", "color": "str",
}


# ----------------------------------------------------------------------------- helpers


def _round(value: Any, digits: int = FIGURE_DIGITS) -> float | None:
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if np.isfinite(value) else None


def _when(t0: Any, minutes: Any) -> pd.Timestamp | None:
    """The instant ``minutes`` after ``t0``, to the minute as in :mod:`geo.analysis.analyse`; None without a clock."""
    if t0 is None or pd.isna(t0) or minutes is None or not np.isfinite(float(minutes)):
        return None
    return (pd.Timestamp(t0) + pd.Timedelta(minutes=float(minutes), seconds=30)).floor("min")


def _times(when: pd.Timestamp | None) -> tuple[pd.Timestamp | None, str | None]:
    """(UTC instant, local ISO text) of a time, or (None, None)."""
    if when is None:
        return None, None
    return when.tz_convert("UTC"), when.isoformat()


def _t0(track: pd.Series) -> Any:
    return track["t0"] if track["clock"] == "absolute" else None


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _frame(rows: list[dict[str, Any]], schema: dict[str, str], geoms: Sequence[Any]) -> gpd.GeoDataFrame:
    """A GeoDataFrame with the columns of ``schema`` in order and a stable dtype each, whatever the rows."""
    frame = pd.DataFrame(rows, columns=list(schema))
    for column, kind in schema.items():
        values = frame[column]
        if kind == "float":
            frame[column] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif kind == "int":
            frame[column] = values.astype("int64")
        elif kind == "bool":
            frame[column] = values.astype(bool)
        elif kind == "datetime":
            frame[column] = pd.to_datetime(values, utc=True).astype("datetime64[ms, UTC]")
        else:
            frame[column] = values.astype(object).where(values.notna(), None)
    geometry = gpd.GeoSeries(list(geoms), crs="EPSG:4326") if len(rows) else gpd.GeoSeries([], crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def _sources_plain(reports: Sequence[Any] | None) -> dict[str, dict[str, str]]:
    """Report id -> source id -> the source as one line of plain text."""
    out: dict[str, dict[str, str]] = {}
    for report in reports or []:
        texts = {}
        for source in report.sources:
            texts[source.id] = source_words(source) + (f" <{source.url}>" if source.url else "")
        out[report.id] = texts
    return out


def _rounded_line(geom) -> shapely.LineString | None:
    if geom is None or shapely.is_empty(geom):
        return None
    return shapely.linestrings(np.round(shapely.get_coordinates(geom), COORD_DIGITS))


# ----------------------------------------------------------------------------- layers


def tracks_layer(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *,
                 reports: Sequence[Any] | None = None, scene: Scene | None = None) -> gpd.GeoDataFrame:
    """One row per incident, its line and every analysed figure as a flat attribute.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        From :func:`geo.tracks.build.build_tracks`.
    figures : pandas.DataFrame
        From :func:`geo.analysis.analyse.analyse` of the same tracks, in the same order.
    reports : sequence of geo.reports.report.Report, optional
        The reports, for the ``summary`` and ``sources`` columns.
    scene : geo.present.scene.Scene, optional
        The presentation model of the same tracks, if already built (colours, descriptions).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, LineString geometry (None for an incident that cannot be
        placed); the figures as in :func:`geo.outputs.files.export.records`, flattened: ranges
        to ``_min``/``_max``, the length by status to ``length_<status>_km``, the
        deepest point to ``deepest_*``, lists to JSON text.  Figure columns
        added to :func:`geo.analysis.analyse.analyse` later appear at the end.
    """

    tracks = tracks.reset_index(drop=True)
    figures = figures.reset_index(drop=True)
    scene = scene or build_scene(tracks, figures, reports=reports)
    texts, summaries, colors = scene.descriptions, scene.summaries, scene.colors
    sources = _sources_plain(reports)
    schema = dict(_TRACK_SCHEMA)
    known = {"id", "placed", "length_km_range", "length_by_status_km", "depth_km_range", "deepest_point", "range_kinds"}
    rows = []
    for i, item in enumerate(records(tracks, figures)):
        track = tracks.loc[i]
        t = np.asarray(track["t_min"], float)
        start = _times(_when(_t0(track), t[0])) if len(t) else (None, None)
        end = _times(_when(_t0(track), t[-1])) if len(t) else (None, None)
        lo, hi = item["length_km_range"] or (None, None)
        dlo, dhi = item["depth_km_range"] or (None, None)
        deepest = item["deepest_point"] or {}
        by_status = item["length_by_status_km"] or {}
        checks = item["checks"] or []
        row = {
            "id": item["id"], "title": item["title"], "date": item["date"], "country": item["country"],
            "origin": item["origin"], "drone": item["drone"], "drone_name": track["drone_name"],
            "speed_min_kmh": track["speed_min_kmh"], "speed_max_kmh": track["speed_max_kmh"],
            "speed_typical_kmh": track["speed_typical_kmh"], "outcome": item["outcome"],
            "placed": item["placed"], "clock": item["clock"],
            "start_time": start[0], "start_time_local": start[1], "end_time": end[0], "end_time_local": end[1],
            "reported_distance_km": item["reported"]["distance_km"],
            "reported_distance_qualifier": item["reported"]["distance_qualifier"],
            "reported_duration_minutes": item["reported"]["duration_minutes"],
            "reported_duration_qualifier": item["reported"]["duration_qualifier"],
            "reported_depth_km": item["reported"]["depth_km"],
            "reported_depth_qualifier": item["reported"]["depth_qualifier"],
            "length_km_min": lo, "length_km_max": hi, "length_km_range_kind": RANGE_KINDS["length_km_range"],
            **{f"length_{status}_km": by_status.get(status) for status in STATUSES},
            "crossings_count": len(item["crossings"] or []),
            "depth_km_min": dlo, "depth_km_max": dhi, "depth_km_range_kind": RANGE_KINDS["depth_km_range"],
            "deepest_lon": deepest.get("lon"), "deepest_lat": deepest.get("lat"),
            "deepest_border_lon": deepest.get("border_lon"), "deepest_border_lat": deepest.get("border_lat"),
            "deepest_t_min": deepest.get("t_min"),
            "checks_consistent": sum(c["status"] == "consistent" for c in checks),
            "checks_contradicting": sum(c["status"] == "contradicts" for c in checks),
            "checks_cannot_check": sum(c["status"] == "cannot check" for c in checks),
            "summary": summaries.get(item["id"]), "description": texts.get(item["id"]),
            "sources": "; ".join(sources.get(item["id"], {}).values()) or None, "color": colors[i],
        }
        for column, value in item.items():  # figures this module does not know yet: as they are, or JSON
            if column not in row and column not in known and column != "reported":
                row[column] = _json_text(value) if isinstance(value, (list, dict)) else value
        rows.append(row)
    for column in (c for row in rows for c in row if c not in schema):
        schema[column] = _kind([row.get(column) for row in rows])
    return _frame(rows, schema, [_rounded_line(g) for g in tracks.geometry])


def _kind(values: list[Any]) -> str:
    """The column kind for values of an unknown figure (None counts as missing).

    Examples
    --------
    >>> _kind([None, True]), _kind([1, 2.5, None]), _kind(["a", 1])
    ('bool', 'float', 'str')
    """
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, (bool, np.bool_)) for v in present):
        return "bool"
    if present and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in present):
        return "float"
    return "str"


def legs_layer(scene: Scene) -> gpd.GeoDataFrame:
    """One LineString per leg, from a stop to the next (the analysis' legs table, :mod:`geo.analysis.stoplegs`).

    ``km`` is its geodesic length (WGS84), ``minutes`` the time between its
    ends, ``speed_kmh`` the implied speed, ``time_source`` the weakest source
    of the times it rests on and ``time_estimated`` whether that is the
    drone's assumed speed: the same legs, figures and rule as the web map's
    and the print image's leg labels.  The legs of an incident add up to its
    ``length_km``.
    """
    rows, geoms = [], []
    for i in range(len(scene.tracks)):  # per incident
        view = scene.incident(i)
        if not view.placed:
            continue
        track = scene.tracks.loc[i]
        coords = shapely.get_coordinates(track.geometry)
        t0 = _t0(track)
        for leg in view.legs:  # per leg: a handful
            start, end = _times(_when(t0, leg.t_start_min)), _times(_when(t0, leg.t_end_min))
            rows.append({
                "id": view.id, "leg": leg.index, "status": leg.status,
                "from_stop": leg.from_label, "to_stop": leg.to_label,
                "km": _round(leg.km), "minutes": _round(leg.minutes),
                "speed_kmh": _round(leg.speed_kmh) if leg.minutes > 0 else None,
                "time_source": leg.time_source, "time_estimated": leg.time_estimated,
                "t_start_min": _round(leg.t_start_min), "t_end_min": _round(leg.t_end_min),
                "start_time": start[0], "start_time_local": start[1], "end_time": end[0], "end_time_local": end[1],
                "color": view.color,
            })
            geoms.append(shapely.linestrings(np.round(coords[leg.first_vertex:leg.last_vertex + 1], COORD_DIGITS)))
    return _frame(rows, _LEG_SCHEMA, geoms)


def waypoints_layer(tracks: gpd.GeoDataFrame, *, reports: Sequence[Any] | None = None) -> gpd.GeoDataFrame:
    """The stops of every placed track as points (reported places and what the tool estimated).

    ``time`` is the stop's time on the track (``time_source``: reported,
    interpolated between reported times, or estimated at the drone's typical
    speed); ``reported_time`` what the report itself says.  ``sources`` lists
    the report's source ids, ``source_details`` the sources themselves when
    ``reports`` are given.
    """
    sources = _sources_plain(reports)
    rows, geoms = [], []
    for track in tracks.reset_index(drop=True).itertuples(index=False):  # per incident, then per stop
        if not track.placed:
            continue
        stop_index = np.asarray(track.stop_index, int)
        at = np.flatnonzero(stop_index >= 0)
        t = np.asarray(track.t_min, float)
        t0 = track.t0 if track.clock == "absolute" else None
        known = sources.get(track.id, {})
        for k, (stop, dense) in enumerate(zip(track.stops, at)):
            when = _times(_when(t0, t[dense]))
            matched = stop.get("matched") or {}
            cited = list(stop.get("sources") or [])
            rows.append({
                "id": track.id, "stop": k, "label": stop["label"], "kind": stop["kind"], "role": stop["role"],
                "status": stop["status"], "uncertainty_km": stop["uncertainty_km"], "t_min": _round(t[dense]),
                "time": when[0], "time_local": when[1], "time_source": str(track.time_source[dense]),
                "reported_time": stop.get("time"), "time_approx_min": stop.get("time_approx_min"),
                "after_min": stop.get("after_min"), "sources": ", ".join(cited) or None,
                "source_details": "; ".join(known[s] for s in cited if s in known) or None,
                "note": stop.get("note"), "gazetteer_name": matched.get("name"),
                "gazetteer_region": matched.get("region"), "gazetteer_kind": matched.get("kind"),
                "place_id": matched.get("place_id"), "waypoint": stop["waypoint"],
            })
            geoms.append(shapely.Point(round(stop["lon"], COORD_DIGITS), round(stop["lat"], COORD_DIGITS)))
    return _frame(rows, _WAYPOINT_SCHEMA, geoms)


def crossings_layer(tracks: gpd.GeoDataFrame, figures: pd.DataFrame) -> gpd.GeoDataFrame:
    """Every border crossing as a point, with the countries left and entered and the time."""
    rows, geoms = [], []
    for track, item in zip(tracks.reset_index(drop=True).itertuples(index=False), records(tracks, figures)):
        for k, c in enumerate(item["crossings"] or []):
            when = _times(pd.Timestamp(c["time"]) if c["time"] else None)
            rows.append({"id": item["id"], "crossing": k, "from_country": c["from"], "to_country": c["to"],
                         "t_min": c["t_min"], "time": when[0], "time_local": when[1],
                         "time_estimated": c["time_estimated"]})
            geoms.append(shapely.Point(c["lon"], c["lat"]))
    return _frame(rows, _CROSSING_SCHEMA, geoms)


def deepest_points_layer(tracks: gpd.GeoDataFrame, figures: pd.DataFrame) -> gpd.GeoDataFrame:
    """Each incident's point deepest past the border with its origin country, with the depth's range."""
    rows, geoms = [], []
    for item in records(tracks, figures):
        deepest = item["deepest_point"]
        if not deepest or item["depth_km"] is None:
            continue
        lo, hi = item["depth_km_range"] or (None, None)
        when = _times(pd.Timestamp(deepest["time"]) if deepest.get("time") else None)
        rows.append({"id": item["id"], "border_with": item.get("depth_from") or item["origin"], "depth_km": item["depth_km"],
                     "depth_km_min": lo, "depth_km_max": hi, "depth_any_km": item["depth_any_km"],
                     "depth_with_presumed_km": item["depth_with_presumed_km"],
                     "border_lon": deepest["border_lon"], "border_lat": deepest["border_lat"],
                     "t_min": deepest.get("t_min"), "time": when[0], "time_local": when[1]})
        geoms.append(shapely.Point(deepest["lon"], deepest["lat"]))
    return _frame(rows, _DEEPEST_SCHEMA, geoms)


def layers(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, *,
           reports: Sequence[Any] | None = None) -> dict[str, gpd.GeoDataFrame]:
    """All five layers (:data:`LAYERS`), by name.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        From :func:`geo.tracks.build.build_tracks`.
    figures : pandas.DataFrame
        From :func:`geo.analysis.analyse.analyse` of the same tracks, in the same order.
    reports : sequence of geo.reports.report.Report, optional
        For summaries and source details.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``tracks``, ``legs``, ``waypoints``, ``crossings``, ``deepest_points``.
    """
    check_figures(tracks, figures, ExportError)
    scene = build_scene(tracks, figures, reports=reports)
    return {
        "tracks": tracks_layer(tracks, figures, reports=reports, scene=scene),
        "legs": legs_layer(scene),
        "waypoints": waypoints_layer(tracks, reports=reports),
        "crossings": crossings_layer(tracks, figures),
        "deepest_points": deepest_points_layer(tracks, figures),
    }


# ----------------------------------------------------------------------------- writing


def stamp(tracks: gpd.GeoDataFrame) -> dt.datetime:
    """The fixed timestamp written into GeoPackage and KMZ files: the latest incident's date (00:00 UTC).

    Both formats embed a time; taking it from the data, not the clock, makes the
    same reports give the same bytes.  1980-01-01 (the ZIP epoch) when there is
    no incident.

    Examples
    --------
    >>> import pandas as pd
    >>> stamp(pd.DataFrame({"date": ["2024-07-11", "2024-07-16"]}))
    datetime.datetime(2024, 7, 16, 0, 0, tzinfo=datetime.timezone.utc)
    """
    dates = [dt.date.fromisoformat(str(d)) for d in tracks["date"]]
    day = max(dates, default=dt.date(1980, 1, 1))
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def write_gpkg(path: str | os.PathLike[str], frames: dict[str, gpd.GeoDataFrame], *,
               timestamp: dt.datetime) -> Path:
    """Write layers to a GeoPackage, atomically (GDAL through pyogrio).

    GDAL builds the file in a temporary folder beside ``path``
    (:func:`geo.atomic.building`: synced, given the mode of the file it replaces
    or the umask's, and renamed into place; a stale folder of an interrupted run
    is removed by the next).  GeoPackage records when each layer last changed
    (``gpkg_contents.last_change``); ``timestamp`` is written there instead of
    the clock (GDAL's ``OGR_CURRENT_DATE``), so the same layers give a
    byte-identical file with the same GDAL and SQLite.

    Raises
    ------
    geo.errors.OutputError
        If the file cannot be written (an :class:`~geo.errors.ExportError` too);
        the previous file is left as it was.
    """
    import pyogrio
    import pyogrio.errors

    path = Path(path)
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options(
        {"OGR_CURRENT_DATE": timestamp.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")})
    try:
        with building(path) as tmp:
            for name, frame in frames.items():
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG",
                                        geometry_type=GEOMETRY_TYPES.get(name), promote_to_multi=False,
                                        layer_options={"DESCRIPTION": LAYER_DESCRIPTIONS.get(name, "")})
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
        reason = visible(str(err).splitlines()[0] if str(err) else type(err).__name__, newlines=False)
        raise OutputError(path, f"GDAL could not write the GeoPackage: {reason}",
                          hint="check the disk has space and the folder is writable") from err
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    return path
