"""Clock times of figures: minutes since a track's clock zero as ISO times in its zone.

Examples
--------
>>> rounded(np.array([0.125, 2.675, 1.25]), 2), rounded(np.array([1.25]), 1)
([0.12, 2.67, 1.25], [1.2])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["Clocks", "start_times", "clocks", "rounded"]


def rounded(values: np.ndarray, digits: int) -> list[float]:
    """Python floats rounded as :func:`round` does.

    ``np.round`` agrees with :func:`round` except next to a decimal tie (where
    ``x * 10**digits`` is itself rounded); those few are left to :func:`round`.
    """
    out = np.round(values, digits).tolist()
    scaled = np.asarray(values, dtype=float) * 10.0 ** digits
    for i in np.flatnonzero(np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6).tolist():
        out[i] = round(float(values[i]), digits)
    return out


@dataclass(frozen=True)
class Clocks:
    """Each track's clock zero: wall-clock microseconds since 1970 in its zone, the zone, and whether it has one."""

    wall_us: np.ndarray
    zone: np.ndarray
    has: np.ndarray


def start_times(tracks: gpd.GeoDataFrame) -> Clocks:
    """The clock zero of every track whose clock is absolute (converted per time zone, vectorised)."""
    n = len(tracks)
    t0 = tracks["t0"].to_numpy(object)
    has = (tracks["clock"].to_numpy(object) == "absolute") & pd.notna(t0)
    rows = np.flatnonzero(has)
    wall = np.zeros(n, np.int64)
    zone = np.full(n, None, dtype=object)
    zone[rows] = [t.tzinfo for t in t0[rows]]
    for tz in pd.unique(zone[rows]):  # a handful of zones
        these = rows[zone[rows] == tz] if tz is not None else rows[pd.isna(zone[rows])]
        stamps = pd.DatetimeIndex(list(t0[these]))
        wall[these] = (stamps.tz_localize(None) if stamps.tz is not None else stamps).as_unit("us").asi8
    return Clocks(wall, zone, has)


def clocks(t0: Clocks, owner: np.ndarray, minutes: np.ndarray) -> list[str | None]:
    """ISO times ``minutes`` after each owner's clock zero, to the nearest minute (reported times are no finer).

    None where the owner has no clock.  Wall-clock arithmetic in the zero's
    zone, as ``t0 + timedelta`` does; each distinct minute of each zone is
    formatted once.
    """
    out: list[str | None] = [None] * len(minutes)
    ok = np.flatnonzero(t0.has[owner] & np.isfinite(minutes)) if len(minutes) else np.empty(0, np.int64)
    if len(ok) == 0:
        return out
    at = (t0.wall_us[owner[ok]] + np.round(minutes[ok] * 60e6).astype(np.int64) + 30_000_000) // 60_000_000
    formatted: dict[tuple[Any, int], str] = {}
    for i, zone, minute in zip(ok.tolist(), t0.zone[owner[ok]].tolist(), at.tolist()):
        text = formatted.get((zone, minute))
        if text is None:
            text = (_EPOCH + dt.timedelta(minutes=minute)).replace(tzinfo=zone).isoformat()
            formatted[(zone, minute)] = text
        out[i] = text
    return out


_EPOCH = dt.datetime(1970, 1, 1)
