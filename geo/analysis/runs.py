"""Per-track reductions over flat arrays stored track after track.

:mod:`geo.analysis.analyse` keeps the vertices, segments and pieces of all tracks in
flat arrays, each track's values one contiguous run.  A per-track figure is
then a reduction over runs: each track's result involves its own values only
(in their own order), never its neighbours', so a track's figures do not
depend on which other tracks are measured with it.

Examples
--------
>>> import numpy as np
>>> groups = np.array([0, 0, 2, 2, 2])
>>> runs(groups).tolist()
[0, 2]
>>> group_max(np.array([1.0, 3.0, 2.0, np.nan, 5.0]), groups, 3).tolist()
[3.0, nan, 5.0]
"""

from __future__ import annotations

import numpy as np

__all__ = ["runs", "group_max", "group_min", "group_argmax", "first_where", "reaches", "sums_between",
           "split_into"]


def runs(groups: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in ``groups`` (sorted)."""
    return np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else np.empty(0, np.int64)


def group_max(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Per-group maximum of ``values`` (NaN ignored) over sorted ``groups``; NaN where a group has none."""
    out = np.full(n, -np.inf)
    if len(values):
        starts = runs(groups)
        out[groups[starts]] = np.maximum.reduceat(np.where(np.isnan(values), -np.inf, values), starts)
    out[out == -np.inf] = np.nan
    return out


def group_min(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Per-group minimum, as :func:`group_max`."""
    return -group_max(-values, groups, n)


def group_argmax(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Per group (sorted ``groups``), the index of its first largest value (-1 where it has none or all NaN)."""
    best = group_max(values, groups, n)
    return first_where(values == best[groups] if len(groups) else np.empty(0, bool), groups, n)


def first_where(mask: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Per group, the first index where ``mask`` holds (-1 where it never does)."""
    at = np.flatnonzero(mask)
    out = np.full(n, -1)
    keep = runs(groups[at])
    out[groups[at[keep]]] = at[keep]
    return out


def reaches(lower: np.ndarray, upper: np.ndarray, keep: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Which kept values could be their group's maximum, given bounds of each value."""
    best = group_max(np.where(keep, lower, np.nan), groups, int(groups.max()) + 1 if len(groups) else 0)
    return keep & (upper >= best[groups])


def sums_between(km: np.ndarray, seg_start: np.ndarray, v1: np.ndarray, v2: np.ndarray) -> np.ndarray:
    """Length along the track between vertices ``v1`` and ``v2`` (same track, ``v1 < v2``).

    ``km`` is per segment, ``seg_start`` each segment's first vertex.  Summed
    from ``v1``'s own segment on, so the result does not depend on other tracks.
    """
    if len(v1) == 0:
        return np.empty(0)
    j1, j2 = np.searchsorted(seg_start, v1), np.searchsorted(seg_start, v2)
    bounds = np.empty(2 * len(j1), np.int64)
    bounds[0::2], bounds[1::2] = j1, j2
    return np.add.reduceat(np.r_[km, 0.0], bounds)[0::2]


def split_into(target: list[list], items: list, owners: np.ndarray) -> None:
    """Put consecutive runs of ``items`` (owned by sorted ``owners``) into ``target[owner]``."""
    starts = runs(owners)
    for owner, lo, hi in zip(owners[starts].tolist(), starts.tolist(), np.r_[starts[1:], len(items)].tolist()):
        target[owner] = items[lo:hi]
