"""Label placement on the print map: a fixed greedy rule, so the same figure gets the same labels.

Labels are placed in order of importance; each takes the first free spot among its candidates
(:func:`around` a point, :func:`spots` inside an area, :func:`edge_spots` along a border).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from matplotlib.transforms import Bbox, offset_copy
from shapely.ops import polylabel

from geo.errors import plain_text


class Labels:
    """Greedy label placement: each label takes the first free spot of its candidates.

    Labels are placed in order of importance; a spot is free if the label's box
    lies inside the map frame and overlaps no marker, track vertex or label
    placed before it.  Labels that find no free spot are dropped unless
    ``required``.  Deterministic: the same figure gives the same choices.
    """

    def __init__(self, ax, renderer, scale: float):
        self.ax, self.renderer, self.scale = ax, renderer, scale
        self.boxes = np.empty((0, 4))
        frame = ax.get_window_extent(renderer)
        self.frame = (frame.x0, frame.y0, frame.x1, frame.y1)
        self.pt = ax.figure.dpi / 72.0

    def block_points(self, x, y, radius_pt: float) -> None:
        """Reserve a square of ``radius_pt`` around each map point (markers, track vertices)."""
        if len(np.atleast_1d(x)) == 0:
            return
        disp = self.ax.transData.transform(np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]))
        r = radius_pt * self.pt * self.scale
        self.boxes = np.vstack([self.boxes, np.column_stack([disp - r, disp + r])])

    def block(self, bbox: Bbox) -> None:
        self.boxes = np.vstack([self.boxes, [[bbox.x0, bbox.y0, bbox.x1, bbox.y1]]])

    def _overlaps(self, b: Bbox) -> int:
        """How many reserved boxes ``b`` overlaps (a box outside the frame counts as many)."""
        fx0, fy0, fx1, fy1 = self.frame
        k = self.boxes
        hits = int(np.sum((k[:, 0] < b.x1) & (b.x0 < k[:, 2]) & (k[:, 1] < b.y1) & (b.y0 < k[:, 3])))
        return hits + (10_000 if (b.x0 < fx0 or b.y0 < fy0 or b.x1 > fx1 or b.y1 > fy1) else 0)

    def _free(self, b: Bbox) -> bool:
        return self._overlaps(b) == 0

    def place(self, x: float, y: float, text: str, candidates: Sequence[tuple[float, float, str, str]], *,
              required: bool = False, pad_pt: float = 1.0, **style) -> Any:
        """Put ``text`` at map point (x, y) offset by the first free candidate (dx_pt, dy_pt, ha, va)."""
        fig = self.ax.figure
        text = plain_text(text)  # no control character reaches the SVG (nor matplotlib's missing-glyph warnings)
        best = None  # for a required label: the candidate that covers the fewest others
        for dx, dy, ha, va in candidates:
            transform = offset_copy(self.ax.transData, fig=fig, x=dx * self.scale, y=dy * self.scale,
                                    units="points")
            label = self.ax.text(x, y, text, transform=transform, ha=ha, va=va, parse_math=False, **style)
            box = label.get_window_extent(self.renderer).padded(pad_pt * self.pt * self.scale)
            if self._free(box):
                self.block(box)
                if best is not None:
                    best[0].remove()
                return label
            cost = self._overlaps(box)
            if required and (best is None or cost < best[2]):
                if best is not None:
                    best[0].remove()
                best = (label, box, cost)
            else:
                label.remove()
        if best is not None:
            self.block(best[1])
            return best[0]
        return None


def around(d: float) -> list[tuple[float, float, str, str]]:
    """Candidate offsets around a point, in cartographic order of preference (right, left, above...)."""
    e = d * 0.75
    return [(d, 0, "left", "center"), (-d, 0, "right", "center"), (e, e, "left", "bottom"),
            (-e, e, "right", "bottom"), (e, -e, "left", "top"), (-e, -e, "right", "top"),
            (0, d, "center", "bottom"), (0, -d, "center", "top")]


def spots(shape, n: int = 7) -> list[tuple[float, float]]:
    """Candidate label points in an area: its pole of inaccessibility first, then a grid by distance to it."""
    if shape.is_empty:
        return []
    biggest = max(shapely.get_parts(shape), key=lambda p: p.area)
    pole = polylabel(biggest, tolerance=max(biggest.length / 500.0, 1.0))
    x0, y0, x1, y1 = biggest.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1])
    pts = shapely.points(gx.ravel(), gy.ravel())
    keep = shapely.contains(biggest, pts)
    grid = np.column_stack([gx.ravel()[keep], gy.ravel()[keep]])
    order = np.lexsort((grid[:, 0], grid[:, 1], np.hypot(grid[:, 0] - pole.x, grid[:, 1] - pole.y)))
    return [(pole.x, pole.y)] + [tuple(p) for p in grid[order]]


def edge_spots(edge, view) -> list[tuple[float, float]]:
    """Candidate points along a band's edge, from the view's left and right sides inwards."""
    if edge is None or edge.is_empty:
        return []
    x0, y0, x1, y1 = view
    out = []
    for f in (0.06, 0.94, 0.2, 0.8, 0.35, 0.65, 0.5):
        xs = x0 + f * (x1 - x0)
        cut = shapely.intersection(edge, shapely.LineString([(xs, y0), (xs, y1)]))
        pts = shapely.get_coordinates(cut)
        if len(pts):
            out.append(tuple(pts[np.argmin(pts[:, 1])]))
    return out
