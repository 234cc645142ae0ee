"""What a leg of a track is: a run of segments of one status, and whether its time is assumed."""

from __future__ import annotations

import numpy as np

__all__ = ["status_runs", "leg_estimated"]


def status_runs(status: np.ndarray) -> list[tuple[int, int, str]]:
    """Runs of equal segment status: (first vertex, last vertex inclusive, status)."""
    if len(status) == 0:
        return []
    cut = np.flatnonzero(status[1:] != status[:-1]) + 1
    starts = np.r_[0, cut]
    ends = np.r_[cut, len(status)]
    return [(int(s), int(e), str(status[s])) for s, e in zip(starts, ends)]


def leg_estimated(time_source: np.ndarray, a: int, b: int) -> bool:
    """Whether the time of the leg from vertex ``a`` to ``b`` rests on the assumed speed.

    Its inner vertices say so (an estimated entry stop just before a timed
    crossing does not make the whole leg estimated); a leg without inner
    vertices goes by its ends.
    """
    inner = time_source[a + 1:b] if b - a > 1 else time_source[[a, b]]
    return bool(np.any(inner == "estimated"))

