"""Locate a report's waypoints: geocode, estimate what the report leaves out, and say how uncertain.

What the report leaves out is estimated and marked so:

* ``from: UA`` with no named entry point: an entry on the border with that
  country, near the first located waypoint (for ``toward: X``, near X); and an
  ``exit`` waypoint adds an exit on the border with the origin country
  (:mod:`geo.tracks.entry`, which also gives their radius);
* ``region: R``: a vertex is added only where the straight leg misses R, at the
  point of R nearest to that leg (:data:`REGION_INSET_KM` inside it);
* ``toward: X`` with ``distance_km`` D: the end is placed on the heading to X
  (continued past X on ``heading`` if given) where it is D km from the border
  (``measured_from: border``) or from the previous point; without a distance,
  X itself, presumed reached.

Uncertainty never narrows at a constructed or presumed point.  Each is at
least as uncertain as what it is built from, and grows with what it assumes
(``tan`` of :data:`HEADING_UNCERTAINTY_DEG`, about 0.27 km per km flown on an
assumed heading):

* presumed "towards X": ``max(r_X, r_prev) + d(prev, X) * tan(H)``, ``prev``
  the stop it is reached from (but not an estimated entry placed from X
  itself: that holds no knowledge of X, so X grows from its own radius);
* "towards X for D km" (from the previous stop or from the border):
  ``max(r_start, r_X) + hypot(d * tan(H), REPORTED_DISTANCE_REL * D)``, ``d``
  the distance flown from ``start``; its *depth* uncertainty, when placed from
  the border, is ``REPORTED_DISTANCE_REL * D`` (the depth is the reported one);
* a region's vertex: ``max(REGION_ENTRY_KM, r_prev)``;
* estimated entry and exit: :mod:`geo.tracks.entry` (never below the radius of the
  waypoint they are placed from).

A last pass (:func:`widen`), once regions have been inserted, applies the
presumed rule again with each stop's final neighbour and raises every other
presumed or estimated stop (region vertices, points placed from a distance,
estimated exits) to at least the radius of the stop before it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import shapely

from geo.reference import borders
from geo.tracks.entry import border_stop
from geo.errors import UnknownPlaceError
from geo.reference.projection import GEOD, geodesic_km, to_plane
from geo.reports.report import Report, Waypoint
from geo.tracks.stops import Stop, azimuth, densified_line, forward, lonlat_point, plane_geom

__all__ = ["display_name", "HEADING_UNCERTAINTY_DEG", "REGION_ENTRY_KM", "REGION_INSET_KM", "REPORTED_DISTANCE_REL", "locate",
           "widen"]

#: Uncertainty (km) of a vertex added for "entered region R": where in R is unknown.
REGION_ENTRY_KM = 20.0
#: How far inside a region its added vertex is put (km).
REGION_INSET_KM = 2.0
#: Heading uncertainty (degrees) for "towards X": the lateral error grows with distance.
HEADING_UNCERTAINTY_DEG = 15.0
#: Relative uncertainty of a reported distance ("some 120 km").
REPORTED_DISTANCE_REL = 0.10
#: Keys of the geocoder's ``raw`` copied into a stop's ``matched`` (``match``/``score``: the gazetteer's tier).
MATCHED_KEYS = ("place_id", "name", "region_id", "region", "kind", "country", "match", "score")

_TAN_HEADING = float(np.tan(np.radians(HEADING_UNCERTAINTY_DEG)))


def _geocode(geocoder, name: str, hint: str | None, report: Report):
    try:
        return geocoder.geocode(name, exactly_one=True, hint=hint or report.country)
    except TypeError:  # a plain geopy geocoder without ``hint``
        return geocoder.geocode(name, exactly_one=True)


def _time_at(wp: Waypoint) -> str | None:
    if wp.time is None and wp.after is None:
        return None
    return {"entry": "entry crossing", "exit": "exit crossing"}.get(wp.role, "stop")


def display_name(written: str | None, raw: dict) -> str:
    """The name a reader sees for a place: the report's own spelling, the same in every output.

    The gazetteer's name stays in the stop's ``matched``; it is shown instead
    only when the report's spelling matched no name of the place (a fuzzy
    match: a misspelling should not be published).

    Examples
    --------
    >>> display_name("Loyew", {"name": "Loyev", "match": "folded"}), display_name("Loyw", {"name": "Loyev", "match": "fuzzy"})
    ('Loyew', 'Loyev')
    """
    if written and raw.get("match") != "fuzzy":
        return str(written)
    return str(raw.get("name") or written or "")


def _place_stop(wp: Waypoint, index: int, location, *, kind: str, status: str) -> Stop:
    raw = dict(getattr(location, "raw", {}) or {})
    unc = float(wp.uncertainty_km or raw.get("uncertainty_km") or 5.0)
    return Stop(
        lon=float(location.longitude), lat=float(location.latitude), uncertainty_km=unc, status=status,
        label=display_name(wp.name, raw), kind=kind, waypoint=index, time=wp.time,
        time_approx_min=wp.time_approx_min, after=wp.after, role=wp.role, sources=tuple(wp.sources),
        note=wp.note, matched={k: raw[k] for k in MATCHED_KEYS if k in raw}, time_at=_time_at(wp),
    )


def _coords_stop(wp: Waypoint, index: int) -> Stop:
    return Stop(lon=float(wp.lon), lat=float(wp.lat), uncertainty_km=float(wp.uncertainty_km or 1.0),
                status=wp.status, label=wp.note or f"{wp.lat:.4f} N {wp.lon:.4f} E", kind="coords",
                waypoint=index, time=wp.time, time_approx_min=wp.time_approx_min, after=wp.after,
                role=wp.role, sources=tuple(wp.sources), note=wp.note, time_at=_time_at(wp))


def _point_at_border_distance(start: Stop, az: float, country: str, origin: str, km: float,
                              max_km: float = 1500.0) -> tuple[float, float, bool]:
    """Walk from ``start`` along ``az`` until ``km`` from the border with ``origin``.

    Only points inside ``country`` count (a heading back out never reaches a
    depth *inside*).  Returns (lon, lat, reached): when the walk never gets
    ``km`` deep inside the country, the deepest point inside it that the walk
    passed (or ``start``), with ``reached`` False, so the analysis checks the
    reported figure instead of taking it as given.
    """
    steps = np.arange(0.0, max_km, 0.5)
    lon, lat, _ = GEOD.fwd(np.full_like(steps, start.lon), np.full_like(steps, start.lat),
                           np.full_like(steps, az), steps * 1000.0)
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
    return (*forward(start.lon, start.lat, az, s), True)


def _region_vertex(prev: Stop, nxt: Stop | None, region_id: str, wp: Waypoint, index: int,
                   status: str) -> Stop | None:
    """The vertex to add for "entered region R", or None if the leg already enters R."""
    region = borders.regions().set_index("region_id").geometry[region_id]
    region_p = plane_geom(region)
    inner = region_p.buffer(-REGION_INSET_KM * 1000.0)
    if inner.is_empty:
        inner = region_p
    if nxt is not None:
        leg = densified_line([prev, nxt])
        if shapely.intersects(leg, region):
            return None
        target = plane_geom(leg)
    else:
        target = shapely.points(*to_plane(prev.lon, prev.lat))
    point = shapely.get_point(shapely.shortest_line(inner, target), 0)
    lon, lat = lonlat_point(point)
    name = borders.regions().set_index("region_id")["name"][region_id]
    return Stop(
        lon=lon, lat=lat, uncertainty_km=max(REGION_ENTRY_KM, prev.uncertainty_km), status=status,
        label=borders.region_label(name), kind="region", waypoint=index, time=wp.time,
        time_approx_min=wp.time_approx_min, after=wp.after, role=wp.role, sources=tuple(wp.sources),
        note=wp.note, matched={"region_id": region_id}, time_at=_time_at(wp),
    )


def _presumed(target: Stop, prev: Stop | None, **changes) -> Stop:
    """X presumed reached from ``prev``: ``prev``'s radius grown by the heading's error, and at least X's own.

    An estimated entry placed from X itself (the stop before the first located
    one) gives no knowledge of X: its radius is not carried back to X, which
    then grows from its own radius (one uncertainty is not counted twice).
    """
    own = float(target.matched.get("place_uncertainty_km", target.uncertainty_km))
    unc = own
    if prev is not None:
        base = own if (prev.kind == "entry" and prev.status == "estimated") else max(own, prev.uncertainty_km)
        unc = base + float(geodesic_km(prev.lon, prev.lat, target.lon, target.lat)) * _TAN_HEADING
    return replace(target, status="presumed", label=f"towards {target.label}", uncertainty_km=unc,
                   matched={**target.matched, "place_uncertainty_km": own}, **changes)


def _toward_stops(target: Stop, wp: Waypoint, stops: list[Stop], country: str, origin: str, begin) -> list[Stop]:
    """Resolve "towards X [for D km [on heading H]]" into the stops it implies."""
    if wp.distance_km is None:
        # Heading only: X itself, but only presumed reached (widened once its neighbour is final).
        return [_presumed(target, stops[-1] if stops else None)]
    begin(target)  # an entry estimated from X: the heading starts at the border
    start = stops[-1] if stops else target
    passed: list[Stop] = []
    if wp.heading is not None:
        # It flew towards X, then on along ``heading``: X is presumed passed.
        passed = [_presumed(target, stops[-1] if stops else None, role="waypoint", time=None, after=None,
                            time_approx_min=None, time_at=None)]
        start = passed[0]
        az = wp.heading
    else:
        az = azimuth(start.lon, start.lat, target.lon, target.lat)
    placed_from = "measured_from_previous"
    if wp.measured_from == "border":
        lon, lat, reached = _point_at_border_distance(start, az, country, origin, wp.distance_km)
        depth_unc = REPORTED_DISTANCE_REL * wp.distance_km if reached else None
        placed_from = "measured_from_border" if reached else "border_distance_not_reached"
    else:
        lon, lat = forward(start.lon, start.lat, az, wp.distance_km)
        depth_unc = None
    travelled = float(geodesic_km(start.lon, start.lat, lon, lat))
    grown = float(np.hypot(travelled * _TAN_HEADING, REPORTED_DISTANCE_REL * wp.distance_km))
    unc = max(start.uncertainty_km, target.uncertainty_km) + grown
    where = "from the border" if wp.measured_from == "border" else "on"
    end = replace(
        target, lon=lon, lat=lat, uncertainty_km=unc, status="estimated", depth_uncertainty_km=depth_unc,
        label=f"{wp.distance_km:g} km {where} towards {target.label} (estimated)",
        matched={**target.matched, "placed_from": placed_from, "placed_distance_km": wp.distance_km},
    )
    return [*passed, end]


def widen(stops: list[Stop]) -> list[Stop]:
    """Make every presumed or estimated stop at least as uncertain as the stop before it.

    Presumed "towards X" stops also grow by the heading's error over the
    distance from that stop; region vertices and estimated exits keep at least
    its radius.  Estimated entries have their own rule (:mod:`geo.tracks.entry`).
    """
    out = list(stops[:1])
    for stop in stops[1:]:
        prev = out[-1]
        if stop.status == "presumed" and stop.kind == "toward":
            stop = _presumed(replace(stop, label=stop.label.removeprefix("towards ")), prev)
        elif stop.status in ("presumed", "estimated") and stop.uncertainty_km < prev.uncertainty_km:
            stop = replace(stop, uncertainty_km=prev.uncertainty_km)
        out.append(stop)
    return out


class _Route:
    """The stops located so far, and the ``from`` and regions still waiting for the next located stop."""

    def __init__(self, country: str, origin: str):
        self.country, self.origin = country, origin
        self.stops: list[Stop] = []
        self.pending_from: tuple[int, Waypoint] | None = None
        self.pending_regions: list[tuple[int, Waypoint, str]] = []

    def begin(self, first: Stop) -> None:
        """Before the first located stop: the estimated entry a pending ``from`` implies."""
        if self.stops or self.pending_from is None:
            return
        index, wp = self.pending_from
        side = wp.from_ if wp.from_ and borders.shares_border(self.country, wp.from_) else self.origin
        self.stops.append(border_stop(first, self.country, side, kind="entry",
                                      label=f"entry from {side} (estimated)", wp=wp, index=index))
        self.pending_from = None

    def flush_regions(self, nxt: Stop | None) -> None:
        """Add the vertices of the regions reported before ``nxt`` (None at the end of the route)."""
        for index, wp, region_id in self.pending_regions:
            if not self.stops and nxt is None:
                continue
            # Before the first located stop, the region is entered on the way to it.
            prev = self.stops[-1] if self.stops else nxt
            added = _region_vertex(prev, None if prev is nxt else nxt, region_id, wp, index, wp.status)
            if added is not None and not self.stops and shapely.intersects(
                borders.regions().set_index("region_id").geometry[region_id], shapely.Point(nxt.lon, nxt.lat)
            ):
                added = None  # the first stop is itself in the region
            if added is not None:
                self.stops.append(added)
        self.pending_regions.clear()

    def add(self, stop: Stop, wp: Waypoint) -> None:
        """Add a located waypoint's stops (and the estimated exit an ``exit`` role implies)."""
        found = (_toward_stops(stop, wp, self.stops, self.country, self.origin, self.begin)
                 if wp.kind == "toward" else [stop])
        self.begin(found[0])
        self.flush_regions(found[0])
        self.stops.extend(found)
        if wp.role == "exit":
            self.stops.append(border_stop(found[-1], self.country, self.origin, kind="exit",
                                          label=f"exit to {self.origin} (estimated)", wp=None, index=-1))


def locate(report: Report, geocoder=None) -> list[Stop]:
    """Turn a report's route into located stops, adding what the tool must estimate.

    Parameters
    ----------
    report : geo.reports.report.Report
        A validated report.
    geocoder : geopy-style geocoder, optional
        Defaults to the offline :class:`geo.geocoding.gazetteer.Gazetteer`.

    Returns
    -------
    list of Stop
        In flight order; empty if nothing in the report can be placed (e.g. only
        ``from: UA``), in which case the incident is analysed from its reported
        figures alone.

    Raises
    ------
    geo.errors.UnknownPlaceError
        If a place cannot be geocoded (run :func:`geo.reports.loading.check_places` first
        to get every problem at once).
    """
    if geocoder is None:
        from geo.geocoding.gazetteer import Gazetteer

        geocoder = Gazetteer()
    route = _Route(borders.resolve_country(report.country), borders.resolve_country(report.origin))
    for index, wp in enumerate(report.route):
        if wp.kind == "from":
            route.pending_from = (index, wp)
        elif wp.kind == "region":
            route.pending_regions.append((index, wp, borders.resolve_region(wp.region)))
        elif wp.kind == "coords":
            route.add(_coords_stop(wp, index), wp)
        else:
            name = wp.place if wp.kind == "place" else wp.toward
            location = _geocode(geocoder, name, wp.hint, report)
            if location is None:
                raise UnknownPlaceError(f"no place matches {name!r}", query=name)
            route.add(_place_stop(wp, index, location, kind=wp.kind, status=wp.status), wp)
    route.flush_regions(None)
    return widen(route.stops)
