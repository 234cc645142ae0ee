"""Reported figures against measured ones: one check per reported fact.

Moved out of :mod:`geo.analyse`, which measures; this module only judges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .formatting import hours_minutes

__all__ = ["APPROX_TOLERANCE", "DETOUR_ALLOWANCE", "TimedLegs", "all_checks"]

#: How much longer than the route through the named places a reported distance
#: may be before it is flagged (drones rarely fly straight between the places named).
DETOUR_ALLOWANCE = 1.35
#: Relative tolerance for an approximate reported figure ("about 60 km").
APPROX_TOLERANCE = 0.15


@dataclass(frozen=True)
class TimedLegs:
    """The legs between consecutive stops with reported times, over all tracks (flat arrays)."""

    track: np.ndarray
    from_label: np.ndarray
    to_label: np.ndarray
    km: np.ndarray
    minutes: np.ndarray
    kmh: np.ndarray

    @classmethod
    def empty(cls) -> TimedLegs:
        e = np.empty(0)
        return cls(np.empty(0, np.int64), np.empty(0, object), np.empty(0, object), e, e, e)


def _runs(groups: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else np.empty(0, np.int64)


def _group_max(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -np.inf)
    if len(values):
        starts = _runs(groups)
        out[groups[starts]] = np.maximum.reduceat(np.where(np.isnan(values), -np.inf, values), starts)
    out[out == -np.inf] = np.nan
    return out


def _group_min(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    return -_group_max(-values, groups, n)


def _first_where(mask: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    at = np.flatnonzero(mask)
    out = np.full(n, -1)
    keep = _runs(groups[at])
    out[groups[at[keep]]] = at[keep]
    return out



def _check(name: str, status: str, sentence: str, **figures) -> dict[str, Any]:
    return {"check": name, "status": status, "sentence": sentence, **figures}


def all_checks(tracks: gpd.GeoDataFrame, out: dict[str, Any], legs: TimedLegs) -> list[list[dict[str, Any]]]:
    """Each track's checks: its reported figures (where it has any), then its speeds."""
    reported = tracks[["reported_distance_km", "reported_duration_min", "reported_depth_km"]].notna().any(axis=1)
    speed_checks = _speed_checks(tracks, legs.track, legs.from_label, legs.to_label, legs.km, legs.minutes,
                                 legs.kmh, len(tracks))
    checks = [list(c) for c in speed_checks]
    rows = np.flatnonzero(reported.to_numpy())
    if len(rows):
        records = tracks.iloc[rows].drop(columns=tracks.geometry.name).to_dict("records")
        for row, track in zip(rows.tolist(), records):
            fig = {k: out[k][row] for k in out}
            checks[row] = _reported_checks(track, fig) + checks[row]
    return checks


def _reported_checks(track, fig: dict[str, Any]) -> list[dict[str, Any]]:
    """Every reported figure (distance, duration, depth) against the computed one."""
    checks = []
    vmin, vmax = float(track["speed_min_kmh"]), float(track["speed_max_kmh"])
    drone = track["drone_name"]
    length, (llo, lhi) = fig["length_km"], fig["length_km_range"]

    reported = track["reported_distance_km"]
    if pd.notna(reported):
        q = _qualifier(track, "reported_distance_qualifier")
        said = f"reported {_q(q)}{reported:,.0f} km"
        if not fig["placed"]:
            checks.append(_check("distance", "n/a", f"{said}; no route could be placed to measure it against",
                                 reported_km=reported))
        else:
            route = f"the route through the named places measures {length:,.0f} km ({llo:,.0f}–{lhi:,.0f} km)"
            slack = 1 - APPROX_TOLERANCE if q else 1.0
            if reported < llo * slack:
                status, verdict = "warn", "shorter than the shortest route through the places named"
            elif reported > lhi * DETOUR_ALLOWANCE:
                status, verdict = "warn", (f"more than {DETOUR_ALLOWANCE:.2f}× the route through the places "
                                           "named: places are missing or it detoured widely")
            else:
                status, verdict = "ok", "consistent, allowing for detours between the places named"
            checks.append(_check("distance", status, f"{said}; {route}: {verdict}", reported_km=reported,
                                 computed_km=round(length, 1)))

    duration = track["reported_duration_min"]
    if pd.notna(duration):
        q = _qualifier(track, "reported_duration_qualifier")
        said = f"reported {_q(q)}{hours_minutes(duration)}"
        basis = reported if pd.notna(reported) else length
        if pd.isna(basis):
            checks.append(_check("duration", "n/a", f"{said}; no distance to compare it with",
                                 reported_minutes=duration))
        else:
            implied = basis / (duration / 60.0)
            which = "the reported distance" if pd.notna(reported) else "the measured route"
            need = f"{hours_minutes(basis / vmax * 60)}–{hours_minutes(basis / vmin * 60)}"
            slack = APPROX_TOLERANCE if q else 0.0
            ok = vmin * (1 - slack) <= implied <= vmax * (1 + slack)
            checks.append(_check(
                "duration", "ok" if ok else "warn",
                f"{said}: {which} ({basis:,.0f} km) in that time means {implied:,.0f} km/h; "
                f"a {drone} at {vmin:.0f}–{vmax:.0f} km/h needs {need}",
                reported_minutes=duration, implied_kmh=round(implied, 1)))

    depth = track["reported_depth_km"]
    if pd.notna(depth):
        q = _qualifier(track, "reported_depth_qualifier")
        said = f"reported {_q(q)}{depth:,.0f} km past the border"
        if fig["placed"] and pd.isna(fig["depth_km"]):
            checks.append(_check("depth", "n/a", f"{said}; no firm position inside the country to measure it at",
                                 reported_km=depth))
        elif not fig["placed"]:
            checks.append(_check("depth", "n/a", f"{said}; no place named, so it cannot be measured: "
                                 f"at {vmin:.0f}–{vmax:.0f} km/h a straight run that deep takes at least "
                                 f"{hours_minutes(depth / vmax * 60)}", reported_km=depth))
        else:
            dlo, dhi = fig["depth_km_range"]
            computed = f"the track reaches {fig['depth_km']:,.0f} km ({dlo:,.0f}–{dhi:,.0f} km)"
            # The end was placed from this very figure (and it could be reached): nothing to check.
            placed_from = any(s.get("matched", {}).get("placed_from") == "measured_from_border"
                              and abs(s["matched"].get("placed_distance_km", np.nan) - depth) <= 0.01 * depth
                              for s in track["stops"])
            if placed_from and abs(fig["depth_km"] - depth) <= 0.02 * depth:
                checks.append(_check("depth", "n/a", f"{said}; the end was placed from this figure, so the "
                                     f"track agrees by construction ({computed})", reported_km=depth,
                                     computed_km=round(fig["depth_km"], 1)))
                return checks
            if q in ("over", "at least"):
                ok = dhi >= depth
            elif q in ("under", "up to"):
                ok = dlo <= depth
            else:
                slack = APPROX_TOLERANCE if q else 0.0
                ok = dlo * (1 - slack) <= depth <= dhi * (1 + slack)
            checks.append(_check("depth", "ok" if ok else "warn", f"{said}; {computed}",
                                 reported_km=depth, computed_km=round(fig["depth_km"], 1)))

    return checks


def _speed_checks(tracks: gpd.GeoDataFrame, leg_track: np.ndarray, from_label: np.ndarray, to_label: np.ndarray,
                  km: np.ndarray, minutes: np.ndarray, kmh: np.ndarray, n: int) -> list[list[dict[str, Any]]]:
    """Per track: one check per timed leg outside the drone's envelope; the legs within it share one.

    The legs' figures are the rounded ones the table shows (so the sentences add up).
    """
    vmin = tracks["speed_min_kmh"].to_numpy(float)
    vmax = tracks["speed_max_kmh"].to_numpy(float)
    drone = tracks["drone_name"].to_numpy(object)
    low, high = vmin[leg_track] * (1 - APPROX_TOLERANCE), vmax[leg_track] * (1 + APPROX_TOLERANCE)
    timed = np.isfinite(kmh)
    fine = timed & (kmh >= low) & (kmh <= high)
    checks: list[list[dict[str, Any]]] = [[] for _ in range(n)]

    def envelope(row: int) -> str:
        return f"a {drone[row]} cruises at {vmin[row]:.0f}–{vmax[row]:.0f} km/h"

    for k in np.flatnonzero(timed & ~fine).tolist():  # the exceptions, one by one
        row = int(leg_track[k])
        why = ("slower than its cruise speed: it flew a longer path than the straight line, "
               "or the times are approximate" if kmh[k] < low[k] else
               "faster than its cruise speed: a time or a place is probably wrong")
        checks[row].append(_check(
            "speed", "warn", f"{from_label[k]} to {to_label[k]}: {km[k]:,.0f} km in {hours_minutes(minutes[k])} "
            f"is {kmh[k]:,.0f} km/h; {envelope(row)} — {why}", implied_kmh=float(kmh[k])))

    at = np.flatnonzero(fine)
    owner = leg_track[at]
    count = np.bincount(owner, minlength=n)
    fastest, slowest = _group_max(kmh[at], owner, n), _group_min(kmh[at], owner, n)
    km_sum = np.bincount(owner, weights=km[at], minlength=n)
    min_sum = np.bincount(owner, weights=minutes[at], minlength=n)
    first = _first_where(np.ones(len(at), bool), owner, n)
    for row in np.flatnonzero(count).tolist():
        if count[row] == 1:
            k = at[first[row]]
            sentence = (f"{from_label[k]} to {to_label[k]}: {km[k]:,.0f} km in {hours_minutes(minutes[k])} is "
                        f"{kmh[k]:,.0f} km/h; {envelope(row)}")
            implied = float(kmh[k])
        else:
            sentence = (f"{count[row]} timed legs at {slowest[row]:,.0f}–{fastest[row]:,.0f} km/h; "
                        f"{envelope(row)}")
            implied = round(km_sum[row] / min_sum[row] * 60.0, 1)
        checks[row].append(_check("speed", "ok", sentence, implied_kmh=implied))
    return checks


def _q(qualifier: str | None) -> str:
    return f"{qualifier} " if qualifier else ""


def _qualifier(track, column: str) -> str | None:
    """A reported figure's qualifier, or None (a frame turns missing ones into NaN)."""
    value = track[column]
    return value if isinstance(value, str) and value else None
