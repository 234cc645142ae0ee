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

from geo.present.words import hours_minutes
from geo.reports.report import DEFAULT_APPROX_MIN
from geo.analysis.runs import first_where, group_max, group_min

__all__ = ["APPROX_TOLERANCE", "CHECK_STATUSES", "DETOUR_ALLOWANCE", "TimedLegs", "all_checks"]

#: The statuses a check can have, from the one that matters most to a reader.
CHECK_STATUSES = ("contradicts", "consistent", "cannot check")
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


def _check(name: str, status: str, sentence: str, **figures) -> dict[str, Any]:
    assert status in CHECK_STATUSES, status
    return {"check": name, "status": status, "sentence": sentence, **figures}


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
        ``speed``), ``status`` (one of :data:`CHECK_STATUSES`), ``sentence``, and
        the figures the sentence quotes.
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


def _distance_check(track, fig: dict[str, Any]) -> dict[str, Any]:
    reported = float(track["reported_distance_km"])
    q, approx = _qualifier(track, "reported_distance_qualifier")
    said = f"reported {_q(q, approx)}{reported:,.0f} km"
    if not fig["placed"]:
        return _check("distance", "cannot check", f"{said}; no route could be placed to measure it against",
                      reported_km=reported)
    firm, firm_lo, presumed = _firm_route(fig)
    length, (_, lhi) = fig["length_km"], fig["length_km_range"]
    route = f"the named places account for {firm:,.0f} km (at least {firm_lo:,.0f} km)"
    if presumed > 0:
        route += (f", and presumed legs for {presumed:,.0f} km more ({presumed / length:.0%} of the "
                  f"{length:,.0f} km measured)")
    figures = {"reported_km": reported, "computed_km": round(length, 1), "firm_km": round(firm, 1),
               "presumed_km": round(presumed, 1), "presumed_share": round(presumed / length, 3) if length else 0.0}
    if _upper(reported, q, approx) < firm_lo:
        return _check("distance", "contradicts", f"{said}; {route}: the reported distance is shorter than "
                      "the named places are apart at their closest", **figures)
    if reported > firm * (1 + APPROX_TOLERANCE) and presumed > 0 and reported <= lhi * DETOUR_ALLOWANCE:
        verdict = "consistent only if it flew on along the presumed legs or detoured between the places named"
    elif reported > lhi * DETOUR_ALLOWANCE:
        verdict = (f"consistent, but {reported / max(length, 1e-9):.1f}× the measured route: places are missing "
                   "or it detoured widely")
    else:
        verdict = "consistent, allowing for detours between the places named"
    return _check("distance", "consistent", f"{said}; {route}: {verdict}", **figures)


def _duration_check(track, fig: dict[str, Any], twin: list[tuple[str, str]]) -> dict[str, Any]:
    duration = float(track["reported_duration_min"])
    q, approx = _qualifier(track, "reported_duration_qualifier")
    said = f"reported {_q(q, approx)}{hours_minutes(duration)} inside"
    if twin:
        said += f" (the same span as the timed leg {twin[0][0]} to {twin[0][1]})"
    limit, drone = float(track["speed_limit_kmh"]), track["drone_name"]
    vmin, vmax = float(track["speed_min_kmh"]), float(track["speed_max_kmh"])
    longest = np.inf if q in ("over", "at least") else duration + (DEFAULT_APPROX_MIN if approx else 0.0)
    reported_km = track["reported_distance_km"]
    bases = []
    if fig["placed"] and np.isfinite(fig.get("inside_km", np.nan)) and fig["length_km"] > 0:
        _, firm_lo, _ = _firm_route(fig)
        outside = fig["length_km"] - fig["inside_km"]
        bases.append(("at least, between the named places inside", max(0.0, firm_lo - outside)))
    if pd.notna(reported_km):
        rq, rapprox = _qualifier(track, "reported_distance_qualifier")
        least = _lower(float(reported_km), rq, rapprox)
        bases.append(("the reported distance" if least == reported_km else "the reported distance, at its least",
                      least))
    if not bases:
        return _check("duration", "cannot check", f"{said}; no distance to compare it with",
                      reported_minutes=duration)
    hours = longest / 60.0
    within = f" in at most {hours_minutes(longest)}" if np.isfinite(hours) else ""
    parts = [f"{km:,.0f} km ({what}){within} needs at least {km / hours:,.0f} km/h" if np.isfinite(hours)
             else f"{km:,.0f} km ({what})" for what, km in bases]
    needed = max(km / hours for _, km in bases) if np.isfinite(hours) else 0.0
    envelope = f"a {drone} cruises at {vmin:.0f}–{vmax:.0f} km/h (at most about {limit:.0f} km/h over the ground)"
    figures = {"reported_minutes": duration, "needed_kmh": round(needed, 1), "limit_kmh": limit}
    if needed > limit:
        return _check("duration", "contradicts", f"{said}; {'; '.join(parts)}; {envelope}: impossible in that time",
                      **figures)
    typical = max(km for _, km in bases) / (duration / 60.0) if duration > 0 else np.inf
    why = (": consistent — slower than cruise on paper: it loitered, flew a longer path than the straight lines, "
           "or the times are approximate" if typical < vmin else ": consistent")
    return _check("duration", "consistent", f"{said}; {'; '.join(parts)}; {envelope}{why}", **figures)


def _depth_check(track, fig: dict[str, Any]) -> dict[str, Any]:
    depth = float(track["reported_depth_km"])
    q, approx = _qualifier(track, "reported_depth_qualifier")
    said = f"reported {_q(q, approx)}{depth:,.0f} km past the border"
    vmax = float(track["speed_max_kmh"])
    if not fig["placed"]:
        return _check("depth", "cannot check", f"{said}; no place named, so it cannot be measured: a straight "
                      f"run that deep takes at least {hours_minutes(depth / vmax * 60)} at cruise speed",
                      reported_km=depth)
    if pd.isna(fig["depth_km"]):
        return _check("depth", "cannot check", f"{said}; no firm position inside the country to measure it at",
                      reported_km=depth)
    dlo, dhi = fig["depth_km_range"]
    computed = f"the track's firm positions reach {fig['depth_km']:,.0f} km (between {dlo:,.0f} and {dhi:,.0f} km)"
    figures = {"reported_km": depth, "computed_km": round(fig["depth_km"], 1)}
    placed_from = any(s.get("matched", {}).get("placed_from") == "measured_from_border"
                      and abs(s["matched"].get("placed_distance_km", np.nan) - depth) <= 0.01 * depth
                      for s in track["stops"])
    if placed_from and abs(fig["depth_km"] - depth) <= 0.02 * depth:
        return _check("depth", "cannot check", f"{said}; the end was placed from this figure, so the track "
                      f"agrees by construction ({computed})", **figures)
    if _upper(depth, q, approx) < dlo:
        return _check("depth", "contradicts", f"{said}; {computed}: a named place lies deeper than reported",
                      **figures)
    if _lower(depth, q, approx) > dhi:
        verdict = "consistent only if it flew deeper than the places named"
    else:
        verdict = "consistent"
    return _check("depth", "consistent", f"{said}; {computed}: {verdict}", **figures)


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

    def envelope(row: int) -> str:
        return f"a {drone[row]} cruises at {vmin[row]:.0f}–{vmax[row]:.0f} km/h"

    for k in np.flatnonzero(impossible).tolist():
        row = int(owner[k])
        checks[row].append(_check(
            "speed", "contradicts",
            f"{legs.from_label[k]} to {legs.to_label[k]}: {km[k]:,.0f} km in {hours_minutes(minutes[k])} is "
            f"{kmh[k]:,.0f} km/h, and even at the closest positions and the longest time the uncertainties allow "
            f"it needs {needed[k]:,.0f} km/h; {envelope(row)} and cannot exceed about {limit[row]:.0f} km/h: "
            "a time or a place is wrong", implied_kmh=float(kmh[k]), needed_kmh=round(float(needed[k]), 1)))
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
    why = (" — slower than cruise on paper: it loitered, flew a longer path than the straight line, or the "
           "times are approximate")
    for row, k, c, lo, hi, ksum, msum in zip(rows.tolist(), first[rows].tolist(), count[rows].tolist(),
                                             slowest[rows].tolist(), fastest[rows].tolist(), km_sum[rows].tolist(),
                                             min_sum[rows].tolist()):
        if c == 1:
            head = (f"{legs.from_label[k]} to {legs.to_label[k]}: {km[k]:,.0f} km in {hours_minutes(minutes[k])} "
                    f"is {kmh[k]:,.0f} km/h")
            implied = float(kmh[k])
        else:
            head = f"{c} timed legs at {lo:,.0f}–{hi:,.0f} km/h"
            implied = round(ksum / msum * 60.0, 1)
        slow = why if lo < vmin[row] else ""
        checks[row].append(_check("speed", "consistent", f"{head}; {envelope(row)}: consistent{slow}",
                                  implied_kmh=implied))
    return checks


def _q(qualifier: str | None, approx: bool) -> str:
    if qualifier:
        return f"{qualifier} "
    return "about " if approx else ""


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
