"""The length range: how long each track could be, with every stop moved within its radius.

:func:`length_ranges` moves each stop by :data:`SAMPLES` fixed offsets in
its uncertainty disc (the same offsets for every track, so a track's range
does not depend on which others are measured with it) and reports the
shortest and longest stop-to-stop length: an interval of likely values, not
a bound (see :mod:`geo.analysis.ranges`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from geo.reference.distancefield import scale_factor
from geo.analysis.runs import runs, sums_between

__all__ = ["SAMPLES", "length_ranges"]

#: Number of position samples per stop for the length range.
SAMPLES = 256


@lru_cache(maxsize=64)
def _unit_disc(stop: int) -> tuple[np.ndarray, np.ndarray]:
    """SAMPLES fixed offsets in the unit disc for the stop at position ``stop`` in its track."""
    rng = np.random.default_rng([20240716, stop])
    r = np.sqrt(rng.random(SAMPLES))
    azimuth = rng.random(SAMPLES) * 360.0
    return r, azimuth


def length_ranges(v: dict[str, np.ndarray], seg: dict[str, np.ndarray], n: int,
                  chunk: int = 640) -> tuple[np.ndarray, np.ndarray]:
    """min-max of the stop-to-stop geodesic length when each stop moves within its radius.

    The stops are the vertices with ``stop_index >= 0``; their ``unc`` is the
    stop's radius, ``x``/``y`` its position in the conformal plane.  Each stop
    is moved by :data:`SAMPLES` fixed offsets in the conformal plane (an
    offset of u km on the ground is u·k there, k the local scale factor;
    directions are uniform, so the grid's rotation does not matter), and each
    moved leg is measured in the plane and scaled by its unmoved leg's ratio
    of length along the track (geodesic) to planar chord: within 0.1% of
    moving the stops on the ellipsoid, and ~20x faster.

    Tracks with the same number of stops are worked together, in cache-sized
    chunks, as (tracks, legs, samples) arrays in single precision (offsets are
    at most tens of km, so float32 keeps them to a few millimetres); each
    track's legs are summed in their own order, whatever else is in the chunk.
    """
    lo_out = np.full(n, np.nan)
    hi_out = np.full(n, np.nan)
    at = np.flatnonzero(v["stop_index"] >= 0)
    if len(at) == 0:
        return lo_out, hi_out
    owner, position = v["track"][at], v["stop_index"][at]
    lat, unc = v["lat"][at], v["unc"][at]
    x, y = v["x"][at], v["y"][at]
    same = owner[1:] == owner[:-1]
    # Each leg's length along the track (its segments are geodesic pieces), from the segments.
    metres = np.zeros(len(at) - 1)
    legs = np.flatnonzero(same)
    metres[legs] = sums_between(seg["km"], seg["a"], at[legs], at[legs + 1]) * 1000.0
    planar = np.hypot(np.diff(x), np.diff(y))
    ratio = np.where(same & (planar > 0), metres / np.where(planar > 0, planar, 1.0), 1.0)
    # Per stop: reach in the plane; per leg (from that stop to the next): vector and scale.
    unit_x, unit_y = _unit_offsets(int(position.max()) + 1)
    reach = (unc * 1000.0 * scale_factor(lat)).astype(np.float32)
    dx, dy = np.diff(x).astype(np.float32), np.diff(y).astype(np.float32)
    weight = (ratio / 1000.0).astype(np.float32)
    starts = runs(owner)
    counts = np.diff(np.r_[starts, len(at)])
    for count in np.unique(counts).tolist():
        group = np.flatnonzero(counts == count)
        if count == 1:  # a single stop: no leg to move
            lo_out[owner[starts[group]]] = hi_out[owner[starts[group]]] = 0.0
            continue
        stops = starts[group][:, None] + np.arange(count)  # (tracks, stops)
        step = max(1, chunk // count)
        for t0 in range(0, len(group), step):
            s = stops[t0:t0 + step]
            k = s[:, :-1]  # each leg, by the index of its first stop
            off_x = unit_x[position[s]] * reach[s][..., None]
            off_y = unit_y[position[s]] * reach[s][..., None]
            leg_x = np.subtract(off_x[:, 1:], off_x[:, :-1])
            leg_x += dx[k][..., None]
            leg_y = np.subtract(off_y[:, 1:], off_y[:, :-1])
            leg_y += dy[k][..., None]
            lengths = np.multiply(leg_x, leg_x, out=leg_x)
            lengths += np.multiply(leg_y, leg_y, out=leg_y)
            np.sqrt(lengths, out=lengths)
            lengths *= weight[k][..., None]
            totals = lengths.sum(axis=1)  # (tracks, samples): legs added one after another
            rows = owner[s[:, 0]]
            lo_out[rows] = totals.min(axis=1)
            hi_out[rows] = totals.max(axis=1)
    return lo_out, hi_out


@lru_cache(maxsize=8)
def _unit_offsets(positions: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions, SAMPLES) float32 east and north components of the unit-disc offsets."""
    r = np.stack([_unit_disc(p)[0] for p in range(positions)])
    azimuth = np.radians(np.stack([_unit_disc(p)[1] for p in range(positions)]))
    return (r * np.sin(azimuth)).astype(np.float32), (r * np.cos(azimuth)).astype(np.float32)

