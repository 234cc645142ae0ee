"""A track's stops, and the geodesic helpers that locating and timing share.

A :class:`Stop` is one located waypoint of a track: reported, or added by the
tool (an estimated entry, a region's vertex, a point placed from a distance).
The line between stops follows geodesics, densified every :data:`DENSIFY_KM`
(:func:`densify`), so the drawn line and the computed crossings agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from geo.reference.projection import GEOD, from_plane, to_plane

__all__ = ["DENSIFY_KM", "Stop", "densified_line", "densify"]

#: Densify legs so consecutive vertices are at most this far apart (km).
DENSIFY_KM = 2.0


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
        Reported time (UTC), if any; ``after`` a reported delay since the previous waypoint.
    time_source : str or None
        Where the time at the stop's own position comes from (one of
        :data:`geo.tracks.timing.TIME_SOURCES`); set once the track is timed.
    time_at : str or None
        Where the stop's reported time or delay applies: ``stop``, or
        ``entry crossing`` / ``exit crossing`` for entry and exit waypoints.
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
    time_source: str | None = None
    time_at: str | None = None

    @property
    def timed(self) -> bool:
        """True if the report gives this stop a time or a delay."""
        return self.time is not None or self.after is not None

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
            "time_source": self.time_source,
            "time_at": self.time_at,
            "role": self.role,
            "sources": list(self.sources),
            "note": self.note,
            "matched": dict(self.matched),
        }


# ----------------------------------------------------------------------------- geodesy helpers


def forward(lon: float, lat: float, azimuth: float, km: float) -> tuple[float, float]:
    """The point ``km`` along the geodesic from (lon, lat) at ``azimuth`` degrees."""
    x, y, _ = GEOD.fwd(lon, lat, azimuth, km * 1000.0)
    return float(x), float(y)


def azimuth(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Initial azimuth (degrees) of the geodesic from point 1 to point 2."""
    az, _, _ = GEOD.inv(lon1, lat1, lon2, lat2)
    return float(az)


def plane_geom(geom):
    """``geom`` in the conformal plane of :mod:`geo.reference.projection`."""
    return shapely.transform(geom, lambda xy: np.column_stack(to_plane(xy[:, 0], xy[:, 1])))


def lonlat_point(point_plane) -> tuple[float, float]:
    """(lon, lat) of a point in the conformal plane."""
    lon, lat = from_plane(point_plane.x, point_plane.y)
    return float(lon), float(lat)


def densified_line(stops: Sequence[Stop]) -> shapely.LineString:
    """The densified line through ``stops`` (lon/lat)."""
    lon, lat, _ = densify([s.lon for s in stops], [s.lat for s in stops])
    return shapely.linestrings(lon, lat)


def densify(lon: Sequence[float], lat: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
