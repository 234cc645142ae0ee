"""Estimated entry and exit points: where on the border, and how uncertain.

A report that says only where a drone came from (``from: UA``), or that a
place was where it left (``role: exit``), gives no crossing point.  The tool
estimates one:

**Where.**  The point of the border with that country nearest to the stop it
is derived from, ``P`` (the first located waypoint for an entry; the exit
waypoint for an exit), moved :data:`BORDER_OFFSET_KM` across onto that
country's side so the track really crosses the border.

**How uncertain (the rule).**  The drone could have crossed anywhere on that
border from which ``P`` is reached in a plausible line: one at most an
allowance longer than the shortest, ``d0`` (from ``P`` to the nearest border
point), once ``P``'s own radius ``r`` is allowed for.  The plausible stretch is
the border points ``B`` with::

    dist(B, P) <= d0 + max(ENTRY_ALLOWANCE_KM, (1 / cos(ENTRY_ANGLE_DEG) - 1) * d0) + r

The allowance is the extra path of an entry :data:`ENTRY_ANGLE_DEG` (45)
degrees off the straight-in direction on a straight border, for a first place
up to 120 km deep: ``120 * (sqrt(2) - 1)``, about 50 km
(:data:`ENTRY_ALLOWANCE_KM`); deeper places get the 45-degree detour itself.
A fixed allowance, rather than a multiple of ``d0`` alone, also covers borders
that bend: a place can be close to one stretch of border and have come from
another.  The radius is the distance from the estimated point to the farthest
point of that stretch, plus ``r`` (``P`` may be anywhere in its own circle),
and never less than :data:`ESTIMATED_BORDER_MIN_KM`.  The border is sampled
every :data:`BORDER_SAMPLE_DEG` degrees (about 1 km).

Measured on synthetic flights whose true entry is known
(``tests/test_uncertainty.py``: 460 flights over the BY-UA, BY-PL and BY-LT
borders, up to 45 degrees off straight-in, 25-120 km to the first place) the
radius covers the true entry in about 94% of cases, with a median radius of
about 85 km; a multiple of ``d0`` alone (1.5 d0) covered 76%.  Centring the
estimate in the stretch instead of at the nearest point would shrink the
median radius by about 15%; it is not done, so that the entry leg stays the
shortest way in.

**A named crossing.**  When ``P`` is itself the entry (or exit) waypoint and
the border passes within its radius plus :data:`ESTIMATED_BORDER_MIN_KM`
(``d0 <= r + ESTIMATED_BORDER_MIN_KM``: "entered over Loyew", "left over the
reserve"), the report names where it crossed: the stretch is the border within
``r + ESTIMATED_BORDER_MIN_KM`` of ``P``, and the radius the distance to its
farthest point, at least ``r``.  An exit waypoint deeper inside is only the
last place before the exit, and gets the plausible-line rule.

The heading to the next place is not used: it tells where the drone went after
``P``, which says little about where it came from (the seeds turn by up to 90
degrees between named places).  ``tests/test_uncertainty.py`` checks the rule
on synthetic flights whose true entry is known.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely

from geo.reference import borders
from geo.reference.projection import GEOD
from geo.reports.report import Waypoint
from geo.tracks.stops import Stop, azimuth, forward

__all__ = ["BORDER_OFFSET_KM", "ENTRY_ALLOWANCE_KM", "ENTRY_ANGLE_DEG", "ESTIMATED_BORDER_MIN_KM", "border_stop",
           "plausible_radius_km"]

#: Least uncertainty (km) of an entry or exit point estimated on the border.
ESTIMATED_BORDER_MIN_KM = 10.0
#: Estimated entry and exit points are put this far (km) across the border, on the
#: origin side, so that the track crosses the border where the analysis looks for it
#: (beyond the no-country strips, up to ~650 m wide, that OSM leaves along rivers).
BORDER_OFFSET_KM = 1.0
#: A path from the border to the first place is plausible up to this much (km) longer than the shortest ...
ENTRY_ALLOWANCE_KM = 50.0
#: ... or, for deep places, as long as an entry this many degrees off the straight-in direction.
ENTRY_ANGLE_DEG = 45.0
#: Spacing (degrees) of the border samples the plausible stretch is found on.
BORDER_SAMPLE_DEG = 0.01


def _neighbour(country: str, other: str) -> str | None:
    return other if borders.shares_border(country, other) else None


@lru_cache(maxsize=16)
def _border_samples(country: str, neighbour: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Points along ``country``'s border with ``neighbour`` (or all of it but the Russia window's cut)."""
    frame = borders.borders()
    rows = frame[(frame["country"] == country) & (frame["neighbour"] != "window")]
    if neighbour is not None:
        rows = rows[rows["neighbour"] == neighbour]
    line = shapely.segmentize(shapely.union_all(rows.geometry.values), BORDER_SAMPLE_DEG)
    xy = shapely.get_coordinates(line)
    return xy[:, 0].copy(), xy[:, 1].copy()


def plausible_radius_km(p: Stop, at: tuple[float, float], shortest_km: float, country: str,
                        neighbour: str | None, *, named: bool = False) -> float:
    """Radius (km) around ``at`` covering the border stretch ``p`` is plausibly reached from.

    ``named``: ``p`` is the entry or exit waypoint itself.  See the module docstring for the rules.
    """
    lon, lat = _border_samples(country, neighbour)
    _, _, to_p = GEOD.inv(np.full(len(lon), p.lon), np.full(len(lat), p.lat), lon, lat)
    to_p = np.asarray(to_p) / 1000.0
    if named and shortest_km <= p.uncertainty_km + ESTIMATED_BORDER_MIN_KM:
        near, extra = to_p <= p.uncertainty_km + ESTIMATED_BORDER_MIN_KM, 0.0
    else:
        detour = (1.0 / np.cos(np.radians(ENTRY_ANGLE_DEG)) - 1.0) * shortest_km
        near, extra = to_p <= shortest_km + max(ENTRY_ALLOWANCE_KM, detour) + p.uncertainty_km, p.uncertainty_km
    if not near.any():
        return max(ESTIMATED_BORDER_MIN_KM, p.uncertainty_km)
    _, _, from_at = GEOD.inv(np.full(int(near.sum()), at[0]), np.full(int(near.sum()), at[1]), lon[near], lat[near])
    farthest = float(np.max(from_at)) / 1000.0
    return max(ESTIMATED_BORDER_MIN_KM, p.uncertainty_km, farthest + extra)


def border_stop(towards: Stop, country: str, other: str, *, kind: str, label: str, wp: Waypoint | None,
                index: int) -> Stop:
    """The estimated entry (``kind="entry"``) or exit (``"exit"``) on the border with ``other``.

    Parameters
    ----------
    towards : Stop
        The stop it is derived from: the first located waypoint (entry) or the exit waypoint.
    country, other : str
        The country entered, and the one the drone came from or went back to.
    kind, label : str
        The stop's kind and label.
    wp : Waypoint or None
        The ``from`` waypoint an entry stands for (its time, sources and note), if any.
    index : int
        That waypoint's index in the route, or -1.
    """
    neighbour = _neighbour(country, other)
    blon, blat, km = borders.nearest_border_point(towards.lon, towards.lat, country, neighbour=neighbour)
    # Just across the border, on the other country's side, so the track really crosses it.
    az = azimuth(towards.lon, towards.lat, float(blon[0]), float(blat[0])) if km[0] > 0 else 0.0
    lon, lat = forward(float(blon[0]), float(blat[0]), az, BORDER_OFFSET_KM)
    unc = plausible_radius_km(towards, (lon, lat), float(km[0]), country, neighbour, named=towards.role == kind)
    timed = wp is not None and (wp.time is not None or wp.after is not None)
    return Stop(
        lon=lon, lat=lat, uncertainty_km=unc, status="estimated", label=label, kind=kind,
        waypoint=index, time=wp.time if wp else None, time_approx_min=wp.time_approx_min if wp else None,
        after=wp.after if wp else None, role="entry" if kind == "entry" else "exit",
        sources=tuple(wp.sources) if wp else (), note=wp.note if wp else None,
        time_at=f"{'entry' if kind == 'entry' else 'exit'} crossing" if timed else None,
    )
