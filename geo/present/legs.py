"""How a track is drawn leg by leg: runs of segments of one status (the legs' figures come from :mod:`geo.analysis.stoplegs`)."""

from __future__ import annotations

import numpy as np

__all__ = ["status_runs"]


def status_runs(status: np.ndarray) -> list[tuple[int, int, str]]:
    """Runs of equal segment status: (first vertex, last vertex inclusive, status)."""
    if len(status) == 0:
        return []
    cut = np.flatnonzero(status[1:] != status[:-1]) + 1
    starts = np.r_[0, cut]
    ends = np.r_[cut, len(status)]
    return [(int(s), int(e), str(status[s])) for s, e in zip(starts, ends)]
