"""Reports to tracks: locate each waypoint, fill in what the report leaves out, time the line.

One incident becomes one track: a LineString whose vertices are the reported
waypoints joined along geodesics and densified every :data:`DENSIFY_KM`, so the
drawn line and the computed crossings agree.  What the report leaves out is
estimated and marked so:

* ``from: UA`` with no named entry point: the entry is put on the border with
  the origin country, at the point nearest to the first located waypoint
  (for ``toward: X``, nearest to X);
* an ``exit`` waypoint: the track goes on to the nearest point of the border
  with the origin country;
* ``region: R``: a vertex is added only where the straight leg misses R, at the
  point of R nearest to that leg (2 km inside it);
* ``toward: X`` with ``distance_km`` D: the end is placed on the heading to X
  (continued past X if need be) where it is D km from the border
  (``measured_from: border``) or from the previous point;
* times are interpolated by distance between timed waypoints and extrapolated
  at the drone type's typical cruise speed where the report gives too few.

Each vertex carries an uncertainty radius (km); each leg a status
(``reported``, ``presumed``, ``estimated``); each time a source (``reported``,
``interpolated``, ``estimated``).  The result is a GeoDataFrame with one row
per incident (see :func:`build_tracks`); per-vertex arrays are stored in
object columns aligned with the line's coordinates, so analysis can work on
all tracks at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from . import borders
from .errors import UnknownPlaceError
from .projection import GEOD, from_plane, geodesic_km, to_plane
from .reports import Report, Waypoint

__all__ = [
    "DENSIFY_KM",
    "STATUSES",
    "TIME_SOURCES",
    "Stop",
    "locate",
    "build_track",
    "build_tracks",
]

#: Densify legs so consecutive vertices are at most this far apart (km).
DENSIFY_KM = 2.0
#: Leg statuses, from firmest to weakest.
STATUSES = ("reported", "presumed", "estimated")
#: Where a vertex's time comes from, from firmest to weakest.
TIME_SOURCES = ("reported", "interpolated", "estimated")

#: Uncertainty (km) of an entry or exit point estimated on the border: at least
#: this, and at least half the distance to the waypoint it was derived from.
ESTIMATED_BORDER_MIN_KM = 10.0
#: Estimated entry and exit points are put this far (km) across the border, on the
#: origin side, so that the track crosses the border where the analysis looks for it
#: (beyond the no-country strips, up to ~650 m wide, that OSM leaves along rivers).
BORDER_OFFSET_KM = 1.0
#: Uncertainty (km) of a vertex added for "entered region R": where in R is unknown.
REGION_ENTRY_KM = 20.0
#: How far inside a region its added vertex is put (km).
REGION_INSET_KM = 2.0
#: Heading uncertainty (degrees) for "towards X": the lateral error grows with distance.
HEADING_UNCERTAINTY_DEG = 15.0
#: Relative uncertainty of a reported distance ("some 120 km").
REPORTED_DISTANCE_REL = 0.10


@dataclass(frozen=True)
class Stop:
    """A located waypoint of a track (reported, or added by the tool).

    Attributes
    ----------
    lon, lat : float
        Position in degrees.
    uncertainty_km : float
        Radius within which the drone was, given what the report says.
    depth_uncertainty_km : float
        How far the distance from the border may be off (≤ ``uncertainty_km``;
        smaller when the report gives the distance from the border itself).
    status : str
        ``reported`` / ``presumed`` as written, ``estimated`` if added or derived.
    label : str
        What to call it (the place name, "entry (estimated)", ...).
    kind : str
        ``place``, ``coords``, ``region``, ``toward``, ``entry``, ``exit``.
    waypoint : int
        Index in the report's route, or -1 for a stop the tool added.
    time : datetime or None
        Reported time (UTC), if any; ``after`` a reported delay since the previous stop.
    """

    lon: float
    lat: float
    uncertainty_km: float
    status: str
    label: str
    kind: str
    waypoint: int = -1
    depth_uncertainty_km: float | None = None
    time: dt.datetime | None = None
    time_approx_min: float | None = None
    after: dt.timedelta | None = None
    role: str = "waypoint"
    sources: tuple[str, ...] = ()
    note: str | None = None
    matched: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain, JSON-friendly description (for popups and exports)."""
        return {
            "label": self.label,
            "kind": self.kind,
            "status": self.status,
            "lon": round(self.lon, 5),
            "lat": round(self.lat, 5),
            "uncertainty_km": round(self.uncertainty_km, 1),
            "waypoint": self.waypoint,
            "time": self.time.isoformat() if self.time else None,
            "time_approx_min": self.time_approx_min,
            "after_min": self.after.total_seconds() / 60 if self.after else None,
            "role": self.role,
            "sources": list(self.sources),
            "note": self.note,
            "matched": dict(self.matched),
        }


# ----------------------------------------------------------------------------- geodesy helpers


def _forward(lon: float, lat: float, azimuth: float, km: float) -> tuple[float, float]:
    x, y, _ = GEOD.fwd(lon, lat, azimuth, km * 1000.0)
    return float(x), float(y)


def _azimuth(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    az, _, _ = GEOD.inv(lon1, lat1, lon2, lat2)
    return float(az)


def _plane_geom(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(to_plane(xy[:, 0], xy[:, 1])))


def _lonlat_point(point_plane) -> tuple[float, float]:
    lon, lat = from_plane(point_plane.x, point_plane.y)
    return float(lon), float(lat)


# ----------------------------------------------------------------------------- locating


def _geocode(geocoder, name: str, hint: str | None, report: Report):
    try:
        return geocoder.geocode(name, exactly_one=True, hint=hint or report.country)
    except TypeError:  # a plain geopy geocoder without ``hint``
        return geocoder.geocode(name, exactly_one=True)


def _place_stop(wp: Waypoint, index: int, location, *, kind: str, status: str) -> Stop:
    raw = dict(getattr(location, "raw", {}) or {})
    unc = float(wp.uncertainty_km or raw.get("uncertainty_km") or 5.0)
    return Stop(
        lon=float(location.longitude), lat=float(location.latitude), uncertainty_km=unc, status=status,
        label=str(raw.get("name") or wp.name), kind=kind, waypoint=index, time=wp.time,
        time_approx_min=wp.time_approx_min, after=wp.after, role=wp.role, sources=tuple(wp.sources),
        note=wp.note,
        matched={k: raw[k] for k in ("place_id", "name", "region_id", "region", "kind", "country") if k in raw},
    )


def _entry_on_border(towards: Stop, country: str, origin: str, *, kind: str, label: str, wp: Waypoint | None,
                     index: int) -> Stop:
    blon, blat, km = borders.nearest_border_point(towards.lon, towards.lat, country, neighbour=origin)
    unc = max(ESTIMATED_BORDER_MIN_KM, 0.5 * float(km[0]))
    # Just across the border, on the origin side, so the track really crosses it.
    azimuth = _azimuth(towards.lon, towards.lat, float(blon[0]), float(blat[0])) if km[0] > 0 else 0.0
    lon, lat = _forward(float(blon[0]), float(blat[0]), azimuth, BORDER_OFFSET_KM)
    return Stop(
        lon=lon, lat=lat, uncertainty_km=unc, status="estimated", label=label, kind=kind,
        waypoint=index, time=wp.time if wp else None, time_approx_min=wp.time_approx_min if wp else None,
        after=wp.after if wp else None, role="entry" if kind == "entry" else "exit",
        sources=tuple(wp.sources) if wp else (), note=wp.note if wp else None,
    )


def _point_at_border_distance(start: Stop, azimuth: float, country: str, origin: str, km: float,
                              max_km: float = 1500.0) -> tuple[float, float, bool]:
    """Walk from ``start`` along ``azimuth`` until ``km`` from the border with ``origin``.

    Only points inside ``country`` count (a heading back out never reaches a
    depth *inside*).  Returns (lon, lat, reached): when the walk never gets
    ``km`` deep inside the country, the deepest point inside it that the walk
    passed (or ``start``), with ``reached`` False, so the analysis checks the
    reported figure instead of taking it as given.
    """
    steps = np.arange(0.0, max_km, 0.5)
    lon, lat, _ = GEOD.fwd(np.full_like(steps, start.lon), np.full_like(steps, start.lat),
                           np.full_like(steps, azimuth), steps * 1000.0)
    lon, lat = np.asarray(lon), np.asarray(lat)
    inside = borders.country_at(lon, lat) == country
    dist = np.where(inside, borders.distance_to_border_km(lon, lat, country, neighbour=origin), -np.inf)
    beyond = np.flatnonzero(dist >= km)
    if len(beyond) == 0 or beyond[0] == 0:
        # Never that deep, or already deeper at the start: no point on the walk fits.
        best = int(np.argmax(dist)) if np.isfinite(dist).any() and not len(beyond) else 0
        return float(lon[best]), float(lat[best]), False
    i = int(beyond[0])
    if not np.isfinite(dist[i - 1]):
        return float(lon[i]), float(lat[i]), True
    # Linear interpolation between the two samples around the crossing of ``km``.
    f = (km - dist[i - 1]) / (dist[i] - dist[i - 1])
    s = steps[i - 1] + f * (steps[i] - steps[i - 1])
    return (*_forward(start.lon, start.lat, azimuth, s), True)


def _region_vertex(prev: Stop, nxt: Stop | None, region_id: str, wp: Waypoint, index: int,
                   status: str) -> Stop | None:
    """The vertex to add for "entered region R", or None if the leg already enters R."""
    region = borders.regions().set_index("region_id").geometry[region_id]
    region_p = _plane_geom(region)
    inner = region_p.buffer(-REGION_INSET_KM * 1000.0)
    if inner.is_empty:
        inner = region_p
    if nxt is not None:
        leg = _densified_line([prev, nxt])
        if shapely.intersects(leg, region):
            return None
        target = _plane_geom(leg)
    else:
        target = shapely.points(*to_plane(prev.lon, prev.lat))
    point = shapely.get_point(shapely.shortest_line(inner, target), 0)
    lon, lat = _lonlat_point(point)
    name = borders.regions().set_index("region_id")["name"][region_id]
    return Stop(
        lon=lon, lat=lat, uncertainty_km=REGION_ENTRY_KM, status=status, label=f"{name} region ({region_id})",
        kind="region", waypoint=index, time=wp.time, time_approx_min=wp.time_approx_min, after=wp.after,
        role=wp.role, sources=tuple(wp.sources), note=wp.note, matched={"region_id": region_id},
    )


def locate(report: Report, geocoder=None) -> list[Stop]:
    """Turn a report's route into located stops, adding what the tool must estimate.

    Parameters
    ----------
    report : geo.reports.Report
        A validated report.
    geocoder : geopy-style geocoder, optional
        Defaults to the offline :class:`geo.gazetteer.Gazetteer`.

    Returns
    -------
    list of Stop
        In flight order; empty if nothing in the report can be placed (e.g. only
        ``from: UA``), in which case the incident is analysed from its reported
        figures alone.

    Raises
    ------
    geo.errors.UnknownPlaceError
        If a place cannot be geocoded (run :func:`geo.reports.check_places` first
        to get every problem at once).
    """
    if geocoder is None:
        from .gazetteer import Gazetteer

        geocoder = Gazetteer()
    country = borders.resolve_country(report.country)
    origin = borders.resolve_country(report.origin)
    stops: list[Stop] = []
    pending_from: tuple[int, Waypoint] | None = None
    pending_regions: list[tuple[int, Waypoint, str]] = []

    def flush_regions(nxt: Stop | None) -> None:
        for index, wp, region_id in pending_regions:
            if not stops and nxt is None:
                continue
            # Before the first located stop, the region is entered on the way to it.
            prev = stops[-1] if stops else nxt
            added = _region_vertex(prev, None if prev is nxt else nxt, region_id, wp, index, wp.status)
            if added is not None and not stops and shapely.intersects(
                borders.regions().set_index("region_id").geometry[region_id], shapely.Point(nxt.lon, nxt.lat)
            ):
                added = None  # the first stop is itself in the region
            if added is not None:
                stops.append(added)
        pending_regions.clear()

    def begin(first: Stop) -> None:
        nonlocal pending_from
        if not stops and pending_from is not None:
            index, wp = pending_from
            stops.append(_entry_on_border(first, country, origin, kind="entry",
                                          label=f"entry from {origin} (estimated)", wp=wp, index=index))
            pending_from = None

    for index, wp in enumerate(report.route):
        status = wp.status
        if wp.kind == "from":
            pending_from = (index, wp)
            continue
        if wp.kind == "region":
            pending_regions.append((index, wp, borders.resolve_region(wp.region)))
            continue
        if wp.kind == "coords":
            stop = Stop(lon=float(wp.lon), lat=float(wp.lat), uncertainty_km=float(wp.uncertainty_km or 1.0),
                        status=status, label=wp.note or f"{wp.lat:.4f} N {wp.lon:.4f} E", kind="coords",
                        waypoint=index, time=wp.time, time_approx_min=wp.time_approx_min, after=wp.after,
                        role=wp.role, sources=tuple(wp.sources), note=wp.note)
        else:
            name = wp.place if wp.kind == "place" else wp.toward
            location = _geocode(geocoder, name, wp.hint, report)
            if location is None:
                raise UnknownPlaceError(f"no place matches {name!r}", query=name)
            stop = _place_stop(wp, index, location, kind=wp.kind, status=status)
        found = _toward_stops(stop, wp, stops, country, origin, begin) if wp.kind == "toward" else [stop]
        begin(found[0])
        flush_regions(found[0])
        stops.extend(found)
        stop = found[-1]
        if wp.role == "exit":
            stops.append(_entry_on_border(stop, country, origin, kind="exit",
                                          label=f"exit to {origin} (estimated)", wp=None, index=-1))
    flush_regions(None)
    return stops


def _toward_stops(target: Stop, wp: Waypoint, stops: list[Stop], country: str, origin: str, begin) -> list[Stop]:
    """Resolve "towards X [for D km [on heading H]]" into the stops it implies."""
    if wp.distance_km is None:
        # Heading only: X itself, but only presumed reached.
        return [replace(target, status="presumed", label=f"towards {target.label}")]
    begin(target)  # an entry estimated from X: the heading starts at the border
    start = stops[-1] if stops else target
    passed: list[Stop] = []
    if wp.heading is not None:
        # It flew towards X, then on along ``heading``: X is presumed passed.
        passed = [replace(target, status="presumed", label=f"towards {target.label}", role="waypoint")]
        start = passed[0]
        azimuth = wp.heading
    else:
        azimuth = _azimuth(start.lon, start.lat, target.lon, target.lat)
    placed_from = "measured_from_previous"
    if wp.measured_from == "border":
        lon, lat, reached = _point_at_border_distance(start, azimuth, country, origin, wp.distance_km)
        depth_unc = REPORTED_DISTANCE_REL * wp.distance_km if reached else None
        placed_from = "measured_from_border" if reached else "border_distance_not_reached"
    else:
        lon, lat = _forward(start.lon, start.lat, azimuth, wp.distance_km)
        depth_unc = None
    travelled = float(geodesic_km(start.lon, start.lat, lon, lat))
    lateral = travelled * np.tan(np.radians(HEADING_UNCERTAINTY_DEG))
    unc = float(np.hypot(lateral, REPORTED_DISTANCE_REL * wp.distance_km) + target.uncertainty_km)
    where = "from the border" if wp.measured_from == "border" else "on"
    end = replace(
        target, lon=lon, lat=lat, uncertainty_km=unc, status="estimated", depth_uncertainty_km=depth_unc,
        label=f"{wp.distance_km:g} km {where} towards {target.label} (estimated)",
        matched={**target.matched, "placed_from": placed_from, "placed_distance_km": wp.distance_km},
    )
    return [*passed, end]


# ----------------------------------------------------------------------------- lines and times


def _densified_line(stops: Sequence[Stop]) -> shapely.LineString:
    lon, lat, _ = _densify([s.lon for s in stops], [s.lat for s in stops])
    return shapely.linestrings(lon, lat)


def _densify(lon: Sequence[float], lat: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points along the geodesics between consecutive stops, at most DENSIFY_KM apart.

    Returns lon, lat and, per point, the index of the leg it starts (the last
    point gets the number of legs).
    """
    out_lon, out_lat, out_leg = [lon[0]], [lat[0]], [0]
    for i in range(len(lon) - 1):  # per leg of one report: a handful
        _, _, metres = GEOD.inv(lon[i], lat[i], lon[i + 1], lat[i + 1])
        n = int(np.ceil(metres / (DENSIFY_KM * 1000.0))) - 1
        if n > 0:
            mid = GEOD.npts(lon[i], lat[i], lon[i + 1], lat[i + 1], n)
            out_lon.extend(p[0] for p in mid)
            out_lat.extend(p[1] for p in mid)
            out_leg.extend([i] * n)
        out_lon.append(lon[i + 1])
        out_lat.append(lat[i + 1])
        out_leg.append(i + 1)
    return np.asarray(out_lon), np.asarray(out_lat), np.asarray(out_leg)


def _leg_status(a: Stop, b: Stop) -> str:
    """A leg is presumed if it leads to a presumed stop, estimated if either end was estimated."""
    if b.status == "presumed":
        return "presumed"
    if a.status == "estimated" or b.status == "estimated":
        return "estimated"
    return "reported"


def _stop_times(stops: Sequence[Stop], cum_km: np.ndarray, speed_kmh: float
                ) -> tuple[np.ndarray, np.ndarray, dt.datetime | None]:
    """Minutes since the clock's zero for each stop, the source of each, and the zero.

    The zero is the first reported clock time, if any (so times are absolute);
    otherwise the first stop that a reported delay (``after``) is counted from.
    """
    n = len(stops)
    t = np.full(n, np.nan)
    source = np.array(["estimated"] * n, dtype=object)
    zero = next((s.time for s in stops if s.time is not None), None)
    for i, s in enumerate(stops):
        if s.time is not None and zero is not None:
            t[i] = (s.time - zero).total_seconds() / 60.0
            source[i] = "reported"
    for i, s in enumerate(stops):
        if s.after is None or i == 0:
            continue
        if np.isnan(t[i - 1]) and np.all(np.isnan(t)):
            t[i - 1] = 0.0  # a relative clock: zero at the stop the delay counts from
            source[i - 1] = "reported"
        if np.isnan(t[i - 1]):
            t[i - 1] = _fill(t, cum_km, speed_kmh)[i - 1]
        if np.isnan(t[i]):
            t[i] = t[i - 1] + s.after.total_seconds() / 60.0
            source[i] = "reported" if source[i - 1] == "reported" else "estimated"
    known = ~np.isnan(t)
    if not known.any():
        t[0] = 0.0  # no time at all: minutes since the first stop, all estimated
        known[0] = True
    filled = _fill(t, cum_km, speed_kmh)
    between = ~known & (np.arange(n) > np.flatnonzero(known)[0]) & (np.arange(n) < np.flatnonzero(known)[-1])
    source[between] = "interpolated"
    return filled, source, zero


def _fill(t: np.ndarray, cum_km: np.ndarray, speed_kmh: float) -> np.ndarray:
    """Interpolate missing times by distance; extrapolate at ``speed_kmh``."""
    known = np.flatnonzero(~np.isnan(t))
    if len(known) == 0:
        return cum_km / speed_kmh * 60.0
    out = np.interp(cum_km, cum_km[known], t[known])
    first, last = known[0], known[-1]
    out[:first] = t[first] - (cum_km[first] - cum_km[:first]) / speed_kmh * 60.0
    out[last + 1:] = t[last] + (cum_km[last + 1:] - cum_km[last]) / speed_kmh * 60.0
    return out


def build_track(report: Report, geocoder=None) -> dict[str, Any]:
    """Build one incident's track row (see :func:`build_tracks` for the columns)."""
    drone = report.drone_type
    stops = locate(report, geocoder)
    row: dict[str, Any] = {
        "id": report.id,
        "title": report.title,
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
        "stops": [s.as_dict() for s in stops],
    }
    figures = report.reported
    row["reported_distance_km"] = figures.distance_km.value if figures.distance_km else np.nan
    row["reported_distance_qualifier"] = _qualifier(figures.distance_km)
    row["reported_duration_min"] = figures.duration.value.total_seconds() / 60 if figures.duration else np.nan
    row["reported_duration_qualifier"] = _qualifier(figures.duration)
    row["reported_depth_km"] = figures.depth_km.value if figures.depth_km else np.nan
    row["reported_depth_qualifier"] = _qualifier(figures.depth_km)
    if len(stops) < 2:
        row.update(geometry=None, placed=False, clock="none", t0=None, t_min=np.empty(0), time_source=np.empty(0),
                   unc_km=np.empty(0), depth_unc_km=np.empty(0), seg_status=np.empty(0, dtype=object),
                   stop_index=np.empty(0, dtype=int))
        return row
    lon = [s.lon for s in stops]
    lat = [s.lat for s in stops]
    _, _, leg_m = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    cum_km = np.concatenate([[0.0], np.cumsum(np.asarray(leg_m) / 1000.0)])
    t_stop, source_stop, zero = _stop_times(stops, cum_km, drone.typical_kmh)
    dlon, dlat, leg = _densify(lon, lat)
    # Fraction along each leg, by distance, for every dense vertex.
    _, _, step_m = GEOD.inv(dlon[:-1], dlat[:-1], dlon[1:], dlat[1:])
    dense_cum = np.concatenate([[0.0], np.cumsum(np.asarray(step_m) / 1000.0)])
    is_stop = np.r_[True, leg[1:] != leg[:-1]]
    stop_at = np.flatnonzero(is_stop)  # dense index of each stop
    stop_cum = dense_cum[stop_at]
    t_dense = np.interp(dense_cum, stop_cum, t_stop)
    unc = np.interp(dense_cum, stop_cum, [s.uncertainty_km for s in stops])
    depth_unc = np.interp(dense_cum, stop_cum,
                          [s.depth_uncertainty_km if s.depth_uncertainty_km is not None else s.uncertainty_km
                           for s in stops])
    rank = {name: i for i, name in enumerate(TIME_SOURCES)}
    src_rank = np.array([rank[s] for s in source_stop])
    leg_of = np.minimum(leg, len(stops) - 2)  # dense vertex -> leg it lies on
    weakest = np.maximum(src_rank[leg_of], src_rank[leg_of + 1])
    weakest[stop_at] = src_rank
    statuses = np.array([_leg_status(a, b) for a, b in zip(stops[:-1], stops[1:])], dtype=object)
    stop_index = np.full(len(dlon), -1)
    stop_index[stop_at] = np.arange(len(stops))
    row.update(
        geometry=shapely.linestrings(np.round(dlon, 7), np.round(dlat, 7)),
        placed=True,
        clock="absolute" if zero is not None else "relative",
        t0=zero,
        t_min=t_dense,
        time_source=np.array(TIME_SOURCES, dtype=object)[weakest],
        unc_km=unc,
        depth_unc_km=depth_unc,
        seg_status=statuses[leg[:-1]],
        stop_index=stop_index,
    )
    return row


def _qualifier(figure) -> str | None:
    if figure is None:
        return None
    if figure.qualifier:
        return figure.qualifier
    return "about" if figure.approx else None


def build_tracks(reports: Iterable[Report], geocoder=None) -> gpd.GeoDataFrame:
    """Build the tracks of many reports: one row per incident.

    Parameters
    ----------
    reports : iterable of geo.reports.Report
    geocoder : geopy-style geocoder, optional
        Defaults to the offline gazetteer (one instance shared by all reports).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; ``geometry`` is the densified LineString (None when the
        incident cannot be placed, ``placed`` False).  Per-vertex arrays aligned
        with the line's coordinates: ``t_min`` (minutes since ``t0``, or since the
        first stop when ``clock`` is ``relative``), ``time_source``, ``unc_km``,
        ``depth_unc_km``, ``stop_index`` (index into ``stops`` or -1); per segment:
        ``seg_status``.  Also the report's identity, drone envelope
        (``speed_min_kmh``...), outcome, ``stops`` (list of dicts) and the reported
        figures (``reported_distance_km``, ``reported_duration_min``,
        ``reported_depth_km`` with their qualifiers).
    """
    if geocoder is None:
        from .gazetteer import Gazetteer

        geocoder = Gazetteer()
    rows = [build_track(report, geocoder) for report in reports]  # per report: locating is I/O-like
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return frame
