"""The legs of every track, from one stop to the next, with the figures each output labels them with.

A leg runs between consecutive stops (the vertices with ``stop_index >= 0``)
and all its segments share one status (a status belongs to a leg between
stops).  Per leg, for all tracks at once:

- ``km``: its length along the track (the sum of its segments' geodesic km);
- ``minutes`` between its ends, and the implied speed;
- ``estimated``: whether its time rests on the drone's assumed speed, which
  its inner vertices say (an estimated entry stop just before a timed
  crossing does not make the whole leg estimated); a leg without inner
  vertices goes by its ends;
- ``mid_lon``, ``mid_lat``: the point halfway along it, where a map puts its
  label, and ``mid_segment``, the segment that point lies on (for the label's side).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .runs import sums_between

__all__ = ["StopLegs", "stop_legs"]


@dataclass(frozen=True)
class StopLegs:
    """All tracks' legs, track after track, in flight order (vertex indices are global)."""

    track: np.ndarray
    first: np.ndarray
    last: np.ndarray
    km: np.ndarray
    minutes: np.ndarray
    status: np.ndarray
    estimated: np.ndarray
    mid_lon: np.ndarray
    mid_lat: np.ndarray
    mid_segment: np.ndarray


def stop_legs(v: dict[str, np.ndarray], seg: dict[str, np.ndarray]) -> StopLegs:
    """The legs between consecutive stops of every track (``v``, ``seg``: as :mod:`geo.analyse` builds them)."""
    stop = np.flatnonzero(v["stop_index"] >= 0)
    pair = np.flatnonzero(v["track"][stop[1:]] == v["track"][stop[:-1]])
    first, last = stop[pair], stop[pair + 1]
    km = sums_between(seg["km"], seg["a"], first, last)
    estimated_at = np.r_[0, np.cumsum(v["time_source"] == "estimated")]  # estimated vertices before each
    inner = estimated_at[last] - estimated_at[first + 1]
    ends = (v["time_source"][first] == "estimated") | (v["time_source"][last] == "estimated")
    estimated = np.where(last - first > 1, inner > 0, ends)
    mid_lon, mid_lat, mid_segment = _halfway(v, seg, first, km)
    status = seg["status"][np.searchsorted(seg["a"], first)] if len(first) else np.empty(0, object)
    return StopLegs(v["track"][first], first, last, km, v["t"][last] - v["t"][first], status,
                    estimated.astype(bool), mid_lon, mid_lat, mid_segment)


def _halfway(v: dict[str, np.ndarray], seg: dict[str, np.ndarray], first: np.ndarray,
             km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lon/lat point halfway along each leg (straight in lon/lat between vertices), and the vertex its segment starts at."""
    if len(first) == 0:
        return np.empty(0), np.empty(0), np.empty(0, np.int64)
    along = np.zeros(len(v["lon"]))  # km along the whole vertex array, never decreasing
    along[seg["b"]] = seg["km"]
    along = np.cumsum(along)
    target = along[first] + km / 2.0
    k = np.clip(np.searchsorted(along, target, side="left"), first + 1, len(along) - 1)
    span = along[k] - along[k - 1]
    frac = np.divide(target - along[k - 1], span, out=np.zeros(len(k)), where=span > 0)
    return (v["lon"][k - 1] + frac * (v["lon"][k] - v["lon"][k - 1]),
            v["lat"][k - 1] + frac * (v["lat"][k] - v["lat"][k - 1]), k - 1)
