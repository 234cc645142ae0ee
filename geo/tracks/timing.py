"""Times along a track: reported clock times, delays and durations pace the line by distance.

**Anchors.**  A reported time fixes the time at one point of the track:

* ``time:`` on a waypoint applies at its stop; on a waypoint with role
  ``entry``, or on ``from: XX`` (its estimated entry), at the *entry crossing*
  nearest to that stop along the track; on a waypoint with role ``exit``, at
  the *exit crossing* nearest to it.  Crossings are where the densified line
  enters or leaves the country's polygon (found with shapely; the no-country
  strips OSM leaves along rivers count as outside);
* ``after:`` is a delay since the previous located waypoint, counted from where
  that waypoint's time applies (its stop or its crossing) to where this one's
  applies.  When the previous waypoint has no time, the delay starts a relative
  clock there if no time precedes it; otherwise that waypoint's time is first
  extrapolated (and the result is ``estimated``).

The clock's zero is the first reported clock time (``absolute``); without one,
``t_min`` counts from the track's first vertex (``relative``).  Between two
anchors, times are interpolated by distance.

**Duration.**  ``reported.duration`` is the time inside the country: from the
first entry crossing (or the track's start, if it starts inside) to the last
exit crossing (or the track's end, if it ends inside).  The part of that span
the anchors leave open (before the first, after the last) is flown at one pace,
so that the span lasts the duration: ``(D - minutes the anchors cover inside the
span) / (km they leave open)``.  The duration paces nothing, and the reported
times stand (the checks weigh any disagreement), when anchors fix both ends of
the span, when they already use up the duration, or when the duration is only a
bound ("over 3 h").

**Elsewhere** times are extrapolated at the drone type's typical speed.

**Sources** (:data:`TIME_SOURCES`, firmest first): at an anchor ``reported``,
or ``reported_approx`` when the time is approximate (``approx``) or counted from
an approximate one; at the paced span's ends the duration's own (approximate:
``reported_approx``); between anchors and inside the paced span
``interpolated``; the rest ``estimated``.

**Knots.**  A time that applies at a crossing, or at a paced span's end that is
not a vertex, is carried by two vertices inserted on the geodesic
:data:`KNOT_HALF_WIDTH_KM` either side of it, both with its source: the
crossing then lies between two vertices that carry its time, which is how a
consumer reads a crossing's time (linear in distance between the vertices
around it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely

from geo.reference import borders
from geo.reference.projection import GEOD
from geo.reports.report import DurationFigure
from geo.tracks.stops import Stop

__all__ = ["KNOT_HALF_WIDTH_KM", "TIME_SOURCES", "Timeline", "clock_zero", "source_rank", "time_track"]

#: Where a vertex's time comes from, from firmest to weakest.
TIME_SOURCES = ("reported", "reported_approx", "interpolated", "estimated")
#: Half the distance (km) between the two vertices that carry a time at a crossing.
KNOT_HALF_WIDTH_KM = 0.001
#: Points closer than this along the track (km) are the same point.
_SAME_KM = 1e-6


@dataclass(frozen=True)
class Timeline:
    """A timed line: the (possibly knotted) vertices, their times and time sources.

    ``lon``, ``lat``, ``leg`` and ``km`` (distance along the track) describe the
    vertices, ``stop_at`` the vertex of each stop; ``t`` minutes since ``zero``
    (or since the first vertex when ``zero`` is None), ``source`` per vertex;
    ``paced`` whether the reported duration paced the span inside the country.
    """

    lon: np.ndarray
    lat: np.ndarray
    leg: np.ndarray
    km: np.ndarray
    stop_at: np.ndarray
    t: np.ndarray
    source: np.ndarray
    zero: dt.datetime | None
    zero_source: str | None
    paced: bool


@dataclass(frozen=True)
class _Anchor:
    km: float
    t: float
    source: str


def _approx_source(approx_min: float | None) -> str:
    return "reported_approx" if (approx_min or 0.0) > 0 else "reported"


def source_rank(source: str) -> float:
    """How weak a time source is, for picking the weaker of several: its place in :data:`TIME_SOURCES`.

    ``estimated`` is the weakest (infinite); a source not in that list ranks just above it.

    Examples
    --------
    >>> [source_rank(s) for s in ("reported", "interpolated", "other", "estimated")]
    [0, 2, 2.5, inf]
    """
    if source == "estimated":
        return float("inf")
    return TIME_SOURCES.index(source) if source in TIME_SOURCES else len(TIME_SOURCES) - 1.5


def _weaker(a: str, b: str) -> str:
    return max(a, b, key=TIME_SOURCES.index)


def clock_zero(stops: Sequence) -> tuple[dt.datetime | None, str | None]:
    """The first reported clock time of ``stops`` (stops or waypoints), and its source."""
    first = next((s for s in stops if s.time is not None), None)
    if first is None:
        return None, None
    return first.time, _approx_source(first.time_approx_min)


# ----------------------------------------------------------------------------- crossings


@lru_cache(maxsize=8)
def _country_shape(country: str):
    frame = borders.countries()
    polygon = frame.geometry[frame["country"] == country].iloc[0]
    return polygon.boundary


def _points_at(lon, lat, km, at_km) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``at_km`` along the line (on the geodesic of the segment each falls on)."""
    at_km = np.asarray(at_km, float)
    i = np.clip(np.searchsorted(km, at_km, side="right") - 1, 0, len(km) - 2)
    az, _, _ = GEOD.inv(lon[i], lat[i], lon[i + 1], lat[i + 1])
    x, y, _ = GEOD.fwd(lon[i], lat[i], az, (at_km - km[i]) * 1000.0)
    return np.asarray(x, float), np.asarray(y, float)


def crossings(lon, lat, km, country: str) -> tuple[np.ndarray, np.ndarray]:
    """Where the line enters and leaves ``country``: along-track km of entries, and of exits (sorted)."""
    empty = np.empty(0)
    if len(lon) < 2:
        return empty, empty
    line = shapely.linestrings(lon, lat)
    hits = shapely.get_coordinates(shapely.intersection(line, _country_shape(country)))
    if not len(hits):
        return empty, empty
    # Along-track position of each hit: its segment (planar in degrees, over at most
    # DENSIFY_KM) and the geodesic distance from the segment's start.
    s = shapely.line_locate_point(line, shapely.points(hits))
    step = np.hypot(np.diff(lon), np.diff(lat))
    seg = np.clip(np.searchsorted(np.r_[0.0, np.cumsum(step)], s, side="right") - 1, 0, len(lon) - 2)
    _, _, metres = GEOD.inv(lon[seg], lat[seg], hits[:, 0], hits[:, 1])
    at = np.unique(np.round(km[seg] + np.asarray(metres) / 1000.0, 9))
    probe = 0.5 * KNOT_HALF_WIDTH_KM
    blon, blat = _points_at(lon, lat, km, np.clip(at - probe, 0, km[-1]))
    alon, alat = _points_at(lon, lat, km, np.clip(at + probe, 0, km[-1]))
    before = borders.country_at(blon, blat) == country
    after = borders.country_at(alon, alat) == country
    return at[~before & after], at[before & ~after]


def _time_km(stop: Stop, km: float, entries: np.ndarray, exits: np.ndarray) -> float:
    """Where along the track a stop's reported time applies."""
    if stop.role == "entry" and len(entries):
        return float(entries[np.argmin(np.abs(entries - km))])
    if stop.role == "exit" and len(exits):
        return float(exits[np.argmin(np.abs(exits - km))])
    return km


# ----------------------------------------------------------------------------- anchors and pace


def _evaluate(anchors: Sequence[_Anchor], km: float, rate: float) -> float:
    """Time at ``km`` from the anchors alone: interpolated between them, extrapolated at ``rate`` (min/km)."""
    xs = np.array([a.km for a in anchors])
    ts = np.array([a.t for a in anchors])
    if km < xs[0]:
        return float(ts[0] - (xs[0] - km) * rate)
    if km > xs[-1]:
        return float(ts[-1] + (km - xs[-1]) * rate)
    return float(np.interp(km, xs, ts))


def _anchors(stops: Sequence[Stop], where: Sequence[float], zero: dt.datetime | None,
             rate: float) -> list[_Anchor]:
    """The reported times and delays as anchors, sorted along the track (one per point)."""
    found: dict[int, _Anchor] = {}
    for i, s in enumerate(stops):
        if s.time is not None:
            found[i] = _Anchor(where[i], (s.time - zero).total_seconds() / 60.0, _approx_source(s.time_approx_min))
    for i, s in enumerate(stops):
        if s.after is None or s.time is not None or i == 0:
            continue
        j = next((k for k in range(i - 1, -1, -1) if 0 <= stops[k].waypoint < s.waypoint), i - 1)  # previous waypoint
        if j in found:
            ref = found[j]
        elif not found:
            ref = found[j] = _Anchor(where[j], 0.0, "reported")  # a relative clock starts at the reference
        else:
            ref = _Anchor(where[j], _evaluate(sorted(found.values(), key=lambda a: a.km), where[j], rate),
                          "estimated")
        found[i] = _Anchor(where[i], ref.t + s.after.total_seconds() / 60.0,
                           _weaker(ref.source, _approx_source(s.time_approx_min)))
    out: list[_Anchor] = []
    for a in sorted(found.values(), key=lambda a: a.km):  # stable: route order among equals
        if not out or a.km - out[-1].km > _SAME_KM:
            out.append(a)
    return out


def _span(km: np.ndarray, inside: np.ndarray, entries: np.ndarray, exits: np.ndarray) -> tuple[float, float] | None:
    """The stretch inside the country that a reported duration covers, or None if the track never enters."""
    if len(entries):
        start = float(entries[0])
    elif inside[0]:
        start = 0.0
    else:
        return None
    end = float(exits[-1]) if not inside[-1] and len(exits) and exits[-1] > start else float(km[-1])
    return (start, end) if end - start > _SAME_KM else None


def _pace(anchors: Sequence[_Anchor], span: tuple[float, float], minutes: float) -> float | None:
    """Minutes per km over the part of ``span`` the anchors leave open, or None if the duration paces nothing."""
    a, b = span
    if not anchors:
        covered, open_km = 0.0, b - a
    else:
        x1, x2 = anchors[0].km, anchors[-1].km
        open_km = max(0.0, min(x1, b) - a) + max(0.0, b - max(x2, a))
        lo, hi = max(a, x1), min(b, x2)
        covered = _evaluate(anchors, hi, 0.0) - _evaluate(anchors, lo, 0.0) if hi > lo else 0.0
    left = minutes - covered
    if open_km <= _SAME_KM or left <= 0:
        return None
    return left / open_km


def _duration(figure: DurationFigure | None) -> tuple[float, str] | None:
    """A reported duration that can pace a span (minutes, source), or None (none, or only a bound)."""
    if figure is None or figure.qualifier:
        return None
    return figure.value.total_seconds() / 60.0, _approx_source(1.0 if figure.approx else 0.0)


# ----------------------------------------------------------------------------- knots, times, sources


def _knotted(lon, lat, leg, km, knots: Sequence[tuple[float, str]]):
    """Insert the vertices that carry each knot's time; return the new arrays and {vertex: source}."""
    add: list[float] = []
    marked: list[tuple[float, str]] = []
    for x, source in knots:
        points = [x] if np.any(np.abs(km - x) <= _SAME_KM) else [x - KNOT_HALF_WIDTH_KM, x + KNOT_HALF_WIDTH_KM]
        for y in points:
            if -_SAME_KM <= y <= km[-1] + _SAME_KM:
                marked.append((y, source))
                if not np.any(np.abs(km - y) <= _SAME_KM) and all(abs(y - z) > _SAME_KM for z in add):
                    add.append(y)
    if add:
        new = np.array(sorted(add))
        plon, plat = _points_at(lon, lat, km, new)
        seg = np.clip(np.searchsorted(km, new, side="right") - 1, 0, len(km) - 2)
        order = np.argsort(np.r_[km, new], kind="stable")
        lon, lat = np.r_[lon, plon][order], np.r_[lat, plat][order]
        leg, km = np.r_[leg, leg[seg]][order], np.r_[km, new][order]
    marks: dict[int, str] = {}
    for y, source in marked:
        i = int(np.argmin(np.abs(km - y)))
        marks[i] = min(source, marks.get(i, source), key=TIME_SOURCES.index)  # the firmer, where two meet
    return lon, lat, leg, km, marks


def _times(km: np.ndarray, anchors: Sequence[_Anchor], span: tuple[float, float] | None, pace: float | None,
           rate: float) -> np.ndarray:
    """Minutes at each vertex: interpolated between anchors; beyond them at ``pace`` inside the span, else ``rate``."""

    def flown(x):  # minutes to fly from 0 to x at the open stretches' rates
        out = rate * np.asarray(x, float)
        if pace is not None:
            out = out + (pace - rate) * (np.clip(x, span[0], span[1]) - span[0])
        return out

    if not anchors:
        return flown(km)
    xs, ts = np.array([a.km for a in anchors]), np.array([a.t for a in anchors])
    t = np.interp(km, xs, ts)
    left, right = km < xs[0], km > xs[-1]
    t[left] = ts[0] - (flown(xs[0]) - flown(km[left]))
    t[right] = ts[-1] + flown(km[right]) - flown(xs[-1])
    return t


def _sources(km: np.ndarray, anchors: Sequence[_Anchor], span: tuple[float, float] | None,
             marks: dict[int, str]) -> np.ndarray:
    """Each vertex's time source (see the module docstring); ``span`` only when it was paced."""
    source = np.full(len(km), "estimated", dtype=object)
    fixed = np.zeros(len(km), bool)
    if len(anchors) >= 2:
        xs = np.array([a.km for a in anchors])
        weak = np.array([a.source == "estimated" for a in anchors])
        k = np.clip(np.searchsorted(xs, km, side="right") - 1, 0, len(xs) - 2)
        fixed = (km > xs[0]) & (km < xs[-1])
        source[fixed & ~(weak[k] | weak[k + 1])] = "interpolated"
    elif anchors:
        fixed = np.abs(km - anchors[0].km) <= _SAME_KM
    if span is not None:
        source[(km > span[0]) & (km < span[1]) & ~fixed] = "interpolated"
    for i, s in marks.items():
        source[i] = s
    return source


def _along_km(lon, lat) -> np.ndarray:
    _, _, metres = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return np.concatenate([[0.0], np.cumsum(np.asarray(metres) / 1000.0)])


def time_track(stops: Sequence[Stop], lon, lat, leg, country: str, duration: DurationFigure | None,
               typical_kmh: float) -> Timeline:
    """Time the densified line through ``stops`` (see the module docstring for the rules).

    Parameters
    ----------
    stops : sequence of Stop
        The located stops, in flight order.
    lon, lat, leg : numpy.ndarray
        The densified line (:func:`geo.tracks.stops.densify`).
    country : str
        The country entered (its crossings place entry and exit times and the duration's span).
    duration : geo.reports.report.DurationFigure or None
        The report's ``reported.duration``.
    typical_kmh : float
        Speed for times the report does not give.

    Returns
    -------
    Timeline
    """
    lon, lat, leg = np.asarray(lon, float), np.asarray(lat, float), np.asarray(leg)
    km = _along_km(lon, lat)
    stop_km = km[np.flatnonzero(np.r_[True, leg[1:] != leg[:-1]])]
    rate = 60.0 / typical_kmh
    pacing = _duration(duration)
    needs = pacing is not None or (any(s.timed for s in stops) and any(s.role in ("entry", "exit") for s in stops))
    entries, exits = crossings(lon, lat, km, country) if needs else (np.empty(0), np.empty(0))
    where = [_time_km(s, float(k), entries, exits) for s, k in zip(stops, stop_km)]
    zero, zero_source = clock_zero(stops)
    anchors = _anchors(stops, where, zero, rate)
    span = pace = None
    if pacing is not None:
        inside = borders.country_at(lon[[0, -1]], lat[[0, -1]]) == country
        span = _span(km, inside, entries, exits)
        pace = _pace(anchors, span, pacing[0]) if span else None
    knots = [(a.km, a.source) for a in anchors]
    if pace is not None:
        knots += [(span[0], pacing[1]), (span[1], pacing[1])]
    lon, lat, leg, km, marks = _knotted(lon, lat, leg, km, knots)
    t = _times(km, anchors, span, pace, rate)
    if zero is None:
        t = t - t[0]
    return Timeline(lon=lon, lat=lat, leg=leg, km=km, stop_at=np.flatnonzero(np.r_[True, leg[1:] != leg[:-1]]),
                    t=t, source=_sources(km, anchors, span if pace is not None else None, marks),
                    zero=zero, zero_source=zero_source, paced=pace is not None)
