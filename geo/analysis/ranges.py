"""What each figure's range means: a guaranteed bound, or the spread of a stated sample.

A reader given "24 km (5–44)" and "392 km (363–423)" would take both ranges to
mean the same thing; they do not.  Every output names a range's kind from
this table, so the wording is decided once.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["RANGE_KINDS", "RANGE_MEANING", "range_kind"]

#: The kind of each range column of :func:`geo.analysis.analyse.analyse`.
RANGE_KINDS = MappingProxyType({
    "length_km_range": "interval",
    "depth_km_range": "bound",
})

#: What each kind means, in a sentence (for JSON, exports and the map's notes).
RANGE_MEANING = MappingProxyType({
    "bound": ("a guaranteed bound: a point's distance to the border changes by at most as much as the point "
              "moves, so wherever each stop is within its radius the figure lies inside it"),
    "interval": ("the shortest and longest of 256 fixed position samples per stop, each stop moved within its "
                 "radius: the spread of likely values, not a guarantee"),
})


def range_kind(column: str) -> str:
    """The kind (``bound`` or ``interval``) of a range column.

    Examples
    --------
    >>> range_kind("depth_km_range"), range_kind("length_km_range")
    ('bound', 'interval')
    """
    return RANGE_KINDS[column]
