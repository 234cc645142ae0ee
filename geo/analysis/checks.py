"""Reported figures against measured ones: one check per reported fact, one-sided.

:mod:`geo.analysis.analyse` measures; this module judges what the report *says*
(a distance, a duration, a depth, the times at its waypoints) against what
the track and the drone type allow.

The rule
--------
Figures worked out from a report are mostly *bounds*, not measurements.  A
speed computed from straight lines between named places is a lower bound of
the real ground speed: a drone that looks slower than its cruise speed on
paper loitered, flew a longer path than the straight line, or the times are
approximate.  A route through the places named is a lower bound of the
distance flown.  So only two things are evidence against a report:

* something **physically impossible**: faster than the drone type's fastest
  plausible ground speed (:attr:`geo.reports.report.DroneType.max_kmh`, its top
  cruise speed plus a strong tailwind) even with every position moved to its
  most favourable point within its uncertainty and every approximate time
  stretched by its tolerance; or a distance shorter than the places named
  are apart at their closest;
* a **contradiction with another stated figure** (a reported distance that
  cannot be flown in the reported time, a named place deeper than the
  reported depth).

Each check has one of three statuses (:data:`CHECK_STATUSES`):

``contradicts``
    impossible, or against another stated figure; the sentence gives the numbers.
``consistent``
    possible; where the figures look slow or long, the sentence says what
    explains it (loitering, a longer path, approximate times, places missing).
``cannot check``
    nothing to measure it against (no route placed, the track was built from
    this very figure).

One fact gives one check: a reported duration that is the same span as a
timed leg (the same minutes) is checked once, as the duration.  The distance
check states how much of the measured route rests on presumed legs
("presumably towards X" is not a position).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.reports.report import DEFAULT_APPROX_MIN
from geo.analysis.runs import first_where, group_max, group_min

__all__ = ["APPROX_TOLERANCE", "CHECK_REASONS", "CHECK_STATUSES", "DETOUR_ALLOWANCE", "TimedLegs", "all_checks"]

#: The statuses a check can have, from the one that matters most to a reader.
CHECK_STATUSES = ("contradicts", "consistent", "cannot check")
#: Why each check came out as it did (its ``reason``), by check; :mod:`geo.present.checkwords`
#: words each one, and the figures a check carries are the ones its sentence quotes.
CHECK_REASONS = {
    "distance": ("no_route", "shorter_than_places", "needs_presumed_or_detour", "far_longer", "allows_detours"),
    "duration": ("no_distance", "impossible", "slow_on_paper", "fits"),
    "depth": ("no_route", "no_firm_position", "built_from_figure", "place_deeper", "needs_deeper_flight", "fits"),
    "speed": ("impossible", "slow_on_paper", "fits"),
}
#: A reported distance above this multiple of the longest route through the places
#: named is still consistent, but the sentence says places are missing.
DETOUR_ALLOWANCE = 1.35
#: Relative tolerance for an approximate reported distance or depth ("about 60 km").
APPROX_TOLERANCE = 0.15
#: Two timed spans are the same fact when their minutes differ by at most this.
SAME_SPAN_MIN = 1.0


@dataclass(frozen=True)
class TimedLegs:
    """The legs between consecutive stops with reported times, over all tracks (flat arrays).

    ``km`` is along the track, ``minutes`` between the reported times; ``unc``
    the sum of both ends' uncertainty radii (km) and ``approx_min`` the sum of
    both ends' time tolerances (minutes), when known (else zeros).
    """

    track: np.ndarray
    from_label: np.ndarray
    to_label: np.ndarray
    km: np.ndarray
    minutes: np.ndarray
    kmh: np.ndarray
    unc: np.ndarray | None = None
    approx_min: np.ndarray | None = None

    @classmethod
    def empty(cls) -> TimedLegs:
        """No legs."""
        e = np.empty(0)
        return cls(np.empty(0, np.int64), np.empty(0, object), np.empty(0, object), e, e, e)


def _check(name: str, status: str, reason: str, **figures) -> dict[str, Any]:
    assert status in CHECK_STATUSES, status
    assert reason in CHECK_REASONS[name], (name, reason)
    return {"check": name, "status": status, "reason": reason, **figures}


def all_checks(tracks: gpd.GeoDataFrame, out: dict[str, Any], legs: TimedLegs) -> list[list[dict[str, Any]]]:
    """Each track's checks: its reported figures (where it has any), then its timed legs.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        As :func:`geo.tracks.build.build_tracks` returns it.
    out : dict
        The figure columns :func:`geo.analysis.analyse.analyse` has filled (one value per track).
    legs : TimedLegs
        The timed legs of all tracks.

    Returns
    -------
    list of list of dict
        Per track, its checks: ``check`` (``distance``, ``duration``, ``depth``,
        ``speed``), ``status`` (one of :data:`CHECK_STATUSES`), ``reason`` (one of
        :data:`CHECK_REASONS` for that check), and the figures its sentence
        quotes (:func:`geo.present.checkwords.check_sentence` words it).
    """
    n = len(tracks)
    duration = tracks["reported_duration_min"].to_numpy(float)
    same = np.zeros(len(legs.km), bool)
    if len(legs.km):
        same = np.abs(legs.minutes - duration[legs.track]) <= SAME_SPAN_MIN
    checks = _speed_checks(tracks, legs, ~same, n)
    reported = tracks[["reported_distance_km", "reported_duration_min", "reported_depth_km"]].notna().any(axis=1)
    rows = np.flatnonzero(reported.to_numpy())
    twins: dict[int, list[tuple[str, str]]] = {}
    for k in np.flatnonzero(same).tolist():  # the legs that repeat a reported duration: few
        twins.setdefault(int(legs.track[k]), []).append((str(legs.from_label[k]), str(legs.to_label[k])))
    if len(rows):
        records = tracks.iloc[rows].drop(columns=tracks.geometry.name).to_dict("records")
        for row, track in zip(rows.tolist(), records):
            fig = {k: out[k][row] for k in out}
            twin = twins.get(row, [])
            checks[row] = _reported_checks(track, fig, twin) + checks[row]
    return checks


def _reported_checks(track, fig: dict[str, Any], twin: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Every reported figure (distance, duration, depth) against the computed one."""
    checks = []
    if pd.notna(track["reported_distance_km"]):
        checks.append(_distance_check(track, fig))
    if pd.notna(track["reported_duration_min"]):
        checks.append(_duration_check(track, fig, twin))
    if pd.notna(track["reported_depth_km"]):
        checks.append(_depth_check(track, fig))
    return checks


def _firm_route(fig: dict[str, Any]) -> tuple[float, float, float]:
    """The route through the named places without presumed legs: (km, shortest km, presumed km).

    The shortest is the length range's low end less the presumed legs: moving
    every stop within its radius shortens the presumed legs too, so this is a
    little lower than the exact minimum over the firm legs alone (a safe side
    for a lower bound).
    """
    presumed = float((fig["length_by_status_km"] or {}).get("presumed") or 0.0)
    length, (llo, _) = fig["length_km"], fig["length_km_range"]
    return length - presumed, max(0.0, llo - presumed), presumed


def _upper(value: float, q: str | None, approx: bool) -> float:
    """The most a reported figure can mean: ``over 60`` is unbounded, ``about 60`` is 60 plus the tolerance."""
    if q in ("over", "at least"):
        return np.inf
    return value * (1 + APPROX_TOLERANCE) if approx else value


def _lower(value: float, q: str | None, approx: bool) -> float:
    """The least a reported figure can mean."""
    if q in ("under", "up to"):
        return 0.0
    return value * (1 - APPROX_TOLERANCE) if approx else value


def _said(track, column: str, value: float, key: str) -> dict[str, Any]:
    """The reported figure as the check quotes it: its value, bound word and whether it is approximate."""
    q, approx = _qualifier(track, column)
    return {key: value, "qualifier": q, "approx": approx}


def _distance_check(track, fig: dict[str, Any]) -> dict[str, Any]:
    reported = float(track["reported_distance_km"])
    said = _said(track, "reported_distance_qualifier", reported, "reported_km")
    q, approx = said["qualifier"], said["approx"]
    if not fig["placed"]:
        return _check("distance", "cannot check", "no_route", **said)
    firm, firm_lo, presumed = _firm_route(fig)
    length, (_, lhi) = fig["length_km"], fig["length_km_range"]
    figures = {**said, "computed_km": float(length), "firm_km": float(firm), "firm_min_km": float(firm_lo),
               "presumed_km": float(presumed), "presumed_share": float(presumed / length) if length else 0.0,
               "reported_to_measured": float(reported / max(length, 1e-9))}
    if _upper(reported, q, approx) < firm_lo:
        return _check("distance", "contradicts", "shorter_than_places", **figures)
    if reported > firm * (1 + APPROX_TOLERANCE) and presumed > 0 and reported <= lhi * DETOUR_ALLOWANCE:
        reason = "needs_presumed_or_detour"
    elif reported > lhi * DETOUR_ALLOWANCE:
        reason = "far_longer"
    else:
        reason = "allows_detours"
    return _check("distance", "consistent", reason, **figures)


def _envelope(track) -> dict[str, Any]:
    """The drone type's speeds a speed check quotes."""
    return {"drone": track["drone_name"], "cruise_kmh": [float(track["speed_min_kmh"]), float(track["speed_max_kmh"])],
            "limit_kmh": float(track["speed_limit_kmh"])}


def _duration_check(track, fig: dict[str, Any], twin: list[tuple[str, str]]) -> dict[str, Any]:
    duration = float(track["reported_duration_min"])
    said = _said(track, "reported_duration_qualifier", duration, "reported_minutes")
    q, approx = said["qualifier"], said["approx"]
    said["same_span_as"] = list(twin[0]) if twin else None
    vmin, limit = float(track["speed_min_kmh"]), float(track["speed_limit_kmh"])
    longest = np.inf if q in ("over", "at least") else duration + (DEFAULT_APPROX_MIN if approx else 0.0)
    reported_km = track["reported_distance_km"]
    bases = []
    if fig["placed"] and np.isfinite(fig.get("inside_km", np.nan)) and fig["length_km"] > 0:
        _, firm_lo, _ = _firm_route(fig)
        outside = fig["length_km"] - fig["inside_km"]
        bases.append(("named_places_inside", max(0.0, firm_lo - outside)))
    if pd.notna(reported_km):
        rq, rapprox = _qualifier(track, "reported_distance_qualifier")
        least = _lower(float(reported_km), rq, rapprox)
        bases.append(("reported_distance" if least == reported_km else "reported_distance_least", least))
    if not bases:
        return _check("duration", "cannot check", "no_distance", **said)
    hours = longest / 60.0
    bounded = bool(np.isfinite(hours))
    needed = max(km / hours for _, km in bases) if bounded else 0.0
    figures = {**said, **_envelope(track), "longest_minutes": float(longest) if bounded else None,
               "bases": [{"basis": what, "km": float(km), "needed_kmh": float(km / hours) if bounded else None}
                         for what, km in bases],
               "needed_kmh": float(needed)}
    if needed > limit:
        return _check("duration", "contradicts", "impossible", **figures)
    typical = max(km for _, km in bases) / (duration / 60.0) if duration > 0 else np.inf
    return _check("duration", "consistent", "slow_on_paper" if typical < vmin else "fits", **figures)


def _depth_check(track, fig: dict[str, Any]) -> dict[str, Any]:
    depth = float(track["reported_depth_km"])
    said = _said(track, "reported_depth_qualifier", depth, "reported_km")
    q, approx = said["qualifier"], said["approx"]
    if not fig["placed"]:
        return _check("depth", "cannot check", "no_route", **said,
                      min_minutes_at_cruise=float(depth / float(track["speed_max_kmh"]) * 60))
    if pd.isna(fig["depth_km"]):
        return _check("depth", "cannot check", "no_firm_position", **said)
    dlo, dhi = fig["depth_km_range"]
    figures = {**said, "computed_km": float(fig["depth_km"]), "computed_range_km": [float(dlo), float(dhi)]}
    placed_from = any(s.get("matched", {}).get("placed_from") == "measured_from_border"
                      and abs(s["matched"].get("placed_distance_km", np.nan) - depth) <= 0.01 * depth
                      for s in track["stops"])
    if placed_from and abs(fig["depth_km"] - depth) <= 0.02 * depth:
        return _check("depth", "cannot check", "built_from_figure", **figures)
    if _upper(depth, q, approx) < dlo:
        return _check("depth", "contradicts", "place_deeper", **figures)
    reason = "needs_deeper_flight" if _lower(depth, q, approx) > dhi else "fits"
    return _check("depth", "consistent", reason, **figures)


def _speed_checks(tracks: gpd.GeoDataFrame, legs: TimedLegs, keep: np.ndarray, n: int) -> list[list[dict[str, Any]]]:
    """Per track: one check per impossible timed leg; the possible ones share one.

    A leg is impossible when even its shortest length (ends moved towards each
    other by their radii) in its longest time (approximate times stretched by
    their tolerance) needs more than the drone's fastest plausible ground speed.
    The legs' figures are the rounded ones the table shows (so the sentences add up).
    """
    checks: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    if not len(legs.km):
        return checks
    vmin = tracks["speed_min_kmh"].to_numpy(float)
    vmax = tracks["speed_max_kmh"].to_numpy(float)
    limit = tracks["speed_limit_kmh"].to_numpy(float)
    drone = tracks["drone_name"].to_numpy(object)
    unc = legs.unc if legs.unc is not None else np.zeros(len(legs.km))
    slack = legs.approx_min if legs.approx_min is not None else np.zeros(len(legs.km))
    km, minutes, kmh, owner = legs.km, legs.minutes, legs.kmh, legs.track
    timed = keep & np.isfinite(kmh) & (minutes > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.maximum(km - unc, 0.0) / ((minutes + slack) / 60.0)
    impossible = timed & (needed > limit[owner])

    def envelope(row: int) -> dict[str, Any]:
        return {"drone": drone[row], "cruise_kmh": [float(vmin[row]), float(vmax[row])],
                "limit_kmh": float(limit[row])}

    def leg(k: int) -> dict[str, Any]:
        return {"legs": 1, "from": str(legs.from_label[k]), "to": str(legs.to_label[k]), "km": float(km[k]),
                "minutes": float(minutes[k])}

    for k in np.flatnonzero(impossible).tolist():
        row = int(owner[k])
        checks[row].append(_check("speed", "contradicts", "impossible", **leg(k), implied_kmh=float(kmh[k]),
                                  needed_kmh=float(needed[k]), **envelope(row)))
    # The possible legs: one check per track, from per-track reductions (legs are stored track after track).
    possible = np.flatnonzero(timed & ~impossible)
    if len(possible) == 0:
        return checks
    who = owner[possible]
    count = np.bincount(who, minlength=n)
    fastest, slowest = group_max(kmh[possible], who, n), group_min(kmh[possible], who, n)
    km_sum = np.bincount(who, weights=km[possible], minlength=n)
    min_sum = np.bincount(who, weights=minutes[possible], minlength=n)
    first = possible[first_where(np.ones(len(possible), bool), who, n)]
    rows = np.flatnonzero(count)
    for row, k, c, lo, hi, ksum, msum in zip(rows.tolist(), first[rows].tolist(), count[rows].tolist(),
                                             slowest[rows].tolist(), fastest[rows].tolist(), km_sum[rows].tolist(),
                                             min_sum[rows].tolist()):
        if c == 1:
            what, implied = leg(k), float(kmh[k])
        else:
            what, implied = {"legs": int(c), "slowest_kmh": lo, "fastest_kmh": hi}, float(ksum / msum * 60.0)
        reason = "slow_on_paper" if lo < vmin[row] else "fits"
        checks[row].append(_check("speed", "consistent", reason, **what, implied_kmh=implied, **envelope(row)))
    return checks


def _qualifier(track, column: str) -> tuple[str | None, bool]:
    """A reported figure's bound word (``over``...) and whether it is approximate.

    The track frame stores ``about`` as the qualifier of an approximate figure
    (and a frame turns missing ones into NaN).
    """
    value = track[column]
    if not isinstance(value, str) or not value:
        return None, False
    if value == "about":
        return None, True
    return value, False
