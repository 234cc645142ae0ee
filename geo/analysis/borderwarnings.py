"""Warnings a reader needs before quoting a track's crossings or depth.

Each track's ``warnings`` (built by :func:`geo.analysis.analyse.analyse` from
:func:`never_entered`, :func:`entered_from_other` and
:func:`along_border_warning`) are dicts ``{"warning": code, figures...}``, one
per finding, with the numbers that support it and that its sentence quotes
(:func:`geo.present.checkwords.warning_sentence` words it);
:data:`WARNING_CODES` lists the codes:

``never_entered``
    The track never enters the country the report names (its crossings and
    depth are then about somewhere else).
``entered_from_other``
    The first crossing into the country comes from a country other than the
    stated origin; depth is then measured from the border actually crossed
    (``depth_from``), and the stated origin's figure (``depth_origin_km``) is
    given beside it.
``along_border``
    For at least :data:`ALONG_BORDER_MIN_KM` of track the line stays within
    :data:`ALONG_BORDER_KM` of a border between two countries (coasts do not
    count): how many times such a stretch crosses depends on metres of error
    in the track and the border line, so the crossings on it are an artefact
    of the drawing, not separate incursions.  One warning per stretch, saying
    how many of the track's crossings lie on it; those crossings carry
    ``along_border: true``.

How a stretch is found
----------------------
The track is sampled every :data:`ALONG_BORDER_STEP_KM` and each sample
tested against every border within reach (:func:`geo.reference.borders.near_land_border`);
a stretch is a run of consecutive samples that all pass, its length the
track's length between its first and last sample.  Only pieces of track that
could come that close are sampled: with many pieces, a distance raster bounds
each piece's ends, and a piece whose ends are ``d_a`` and ``d_b`` from the
border has at most ``km - max(0, d_a - 2) - max(0, d_b - 2)`` of its length
within 2 km of it; runs of pieces that cannot add up to 20 km are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.reference import borders
from geo.analysis.crossings import Pieces

__all__ = ["ALONG_BORDER_KM", "ALONG_BORDER_MIN_KM", "ALONG_BORDER_STEP_KM", "WARNING_CODES", "Stretches",
           "along_border", "on_stretch", "never_entered", "entered_from_other", "along_border_warning"]

#: A track this close (km) to a border ...
ALONG_BORDER_KM = 2.0
#: ... for at least this much of its length (km) runs along it.
ALONG_BORDER_MIN_KM = 20.0
#: How finely (km) the track is sampled to find such stretches.
ALONG_BORDER_STEP_KM = 0.5
#: Below this many pieces, every piece is sampled (cheaper than the raster that prunes them).
SAMPLE_ALL_BELOW = 2_000
#: Samples per block when narrowing down where to sample (2 km at 0.5 km).
BLOCK = 4
#: About this many samples of a stretch vote on which border it follows.
VOTERS = 16
#: Every code :func:`border_warnings` can give.
WARNING_CODES = ("never_entered", "entered_from_other", "along_border")


@dataclass(frozen=True)
class Stretches:
    """Stretches of track along a border, sorted by track and position.

    A position is a piece index plus the fraction along that piece, so
    positions increase along every track and from one track to the next.
    """

    track: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    km: np.ndarray
    border: np.ndarray


@dataclass(frozen=True)
class _Spans:
    """Parts of pieces, in track order: piece, fractions ``u0``-``u1`` along it, km."""

    piece: np.ndarray
    u0: np.ndarray
    u1: np.ndarray
    km: np.ndarray

    def point(self, pieces: Pieces, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon = pieces.lon0[self.piece] + u * (pieces.lon1[self.piece] - pieces.lon0[self.piece])
        return lon, pieces.lat0[self.piece] + u * (pieces.lat1[self.piece] - pieces.lat0[self.piece])

    def joined(self, pieces: Pieces) -> np.ndarray:
        """Whether each span starts where the previous one ends (same track)."""
        p = self.piece
        same = (p[1:] == p[:-1]) & (self.u0[1:] == self.u1[:-1])
        next_piece = (p[1:] == p[:-1] + 1) & (self.u1[:-1] == 1.0) & (self.u0[1:] == 0.0)
        return np.r_[False, (same | next_piece) & (pieces.track[p[1:]] == pieces.track[p[:-1]])][:len(p)]

    @classmethod
    def grid(cls, pieces: Pieces, step_km: float, which: np.ndarray, block: int = 1,
             blocks: np.ndarray | None = None) -> _Spans:
        """Pieces ``which`` cut into ``m`` equal parts of at most ``step_km``, ``block`` parts a span.

        With ``blocks`` (one per entry of ``which``: the index of a block of
        ``block`` parts), only the single parts of those blocks.  The parts
        depend on neither, so a coarse grid's spans are unions of the fine
        grid's, and pruning with them leaves the fine spans themselves alone.
        """
        m = np.maximum(1, np.ceil(pieces.km[which] / step_km)).astype(np.int64)
        if blocks is None:
            count = -(-m // block)  # blocks per piece, the last one short
            k = (np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)) * block
            width = block
        else:
            count = np.minimum(block, m - blocks * block)  # parts in each block
            k = np.repeat(blocks * block, count) + np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count,
                                                                                             count)
            width = 1
        piece, mm = np.repeat(which, count), np.repeat(m, count)
        k1 = np.minimum(k + width, mm)
        return cls(piece, k / mm, k1 / mm, pieces.km[piece] * (k1 - k) / mm)

    def take(self, which: np.ndarray) -> _Spans:
        return _Spans(self.piece[which], self.u0[which], self.u1[which], self.km[which])


def _room_km(pieces: Pieces, within_km: float) -> np.ndarray:
    """An upper bound of each piece's length within ``within_km`` of a border, from the raster's bounds."""
    lo0, lo1 = np.zeros(len(pieces.km)), np.zeros(len(pieces.km))
    for code in sorted(set(pieces.country.tolist()) - {""}):  # a handful of countries
        m = np.flatnonzero(pieces.country == code)
        # Inside a country, every border between two countries is at least as far as its own boundary.
        lo0[m] = borders.plane_distance_bounds_km(pieces.x0[m], pieces.y0[m], code)[0]
        lo1[m] = borders.plane_distance_bounds_km(pieces.x1[m], pieces.y1[m], code)[0]
    room = pieces.km - np.maximum(0.0, lo0 - within_km) - np.maximum(0.0, lo1 - within_km)
    return np.clip(room, 0.0, None)


def _near(pieces: Pieces, spans: _Spans, u: np.ndarray, km, bulk: bool = True) -> np.ndarray:
    """:func:`geo.reference.borders.near_land_border` at fraction ``u`` of each span, exactly as it answers.

    With ``bulk``, the distance rasters answer most points without the exact
    test: False where the country's whole boundary (from inside, nearer than
    any border between two countries) is surely farther than ``km``, True where
    one of its stretches facing a neighbour (a border between two countries) is
    surely nearer.  The bounds are guaranteed and kept a margin away from
    ``km`` (for the plane's scale), so the answer is the exact test's.
    """
    lon, lat = spans.point(pieces, u)
    km = np.broadcast_to(np.asarray(km, dtype=float), lon.shape)
    unknown, out = np.ones(len(lon), bool), np.zeros(len(lon), bool)
    if bulk:
        country = pieces.country[spans.piece]
        for code in sorted(set(country.tolist()) - {""}):  # a handful of countries
            m = np.flatnonzero(country == code)
            lower = borders.distance_bounds_km(lon[m], lat[m], code)[0]
            unknown[m[lower > km[m] * (1 + 1e-6) + 1e-6]] = False
            m = m[unknown[m]]
            upper = borders.land_border_upper_km(lon[m], lat[m], code)
            sure = m[upper < km[m] * (1 - 1e-6) - 1e-6]
            unknown[sure], out[sure] = False, True
    at = np.flatnonzero(unknown)
    if len(at):
        out[at] = borders.near_land_border(lon[at], lat[at], km[at])
    return out


def _long_runs(spans: _Spans, pieces: Pieces, room: np.ndarray, min_km: float) -> _Spans:
    """The spans in runs of joined spans that could hold ``min_km`` of length within reach of a border."""
    can = room > 0
    fresh = np.r_[True, ~can[:-1]][:len(can)] | ~spans.joined(pieces)
    run = np.cumsum(fresh) - 1
    total = np.bincount(run, weights=np.where(can, room, 0.0))
    return spans.take(np.flatnonzero(can & (total[run] >= min_km)))


def along_border(pieces: Pieces, *, within_km: float = ALONG_BORDER_KM, min_km: float = ALONG_BORDER_MIN_KM,
                 step_km: float = ALONG_BORDER_STEP_KM) -> Stretches:
    """Every stretch of at least ``min_km`` of track within ``within_km`` of a border between two countries."""
    every = np.arange(len(pieces.km))
    if len(pieces.km) < SAMPLE_ALL_BELOW:
        spans = _Spans.grid(pieces, step_km, every)
    else:  # narrow down: whole pieces, then blocks of BLOCK samples, then the samples of the blocks left
        whole = _Spans(every, np.zeros(len(every)), np.ones(len(every)), pieces.km)
        chosen = np.unique(_long_runs(whole, pieces, _room_km(pieces, within_km), min_km).piece)
        blocks = _Spans.grid(pieces, step_km, chosen, BLOCK)
        # A block whose midpoint is farther than within_km + half its length has no point within_km.
        reach = _near(pieces, blocks, (blocks.u0 + blocks.u1) / 2, within_km + blocks.km / 2 + 1e-3)
        blocks = _long_runs(blocks, pieces, np.where(reach, blocks.km, 0.0), min_km)
        m = np.maximum(1, np.ceil(pieces.km[blocks.piece] / step_km)).astype(np.int64)
        spans = _Spans.grid(pieces, step_km, blocks.piece, BLOCK, np.rint(blocks.u0 * m).astype(np.int64) // BLOCK)
    empty = Stretches(*(np.empty(0, t) for t in (np.int64, float, float, float, object)))
    if len(spans.km) == 0:
        return empty
    # Both ends of every span are tested (a joined span's start is its predecessor's end: tested once).
    joined = spans.joined(pieces)
    alone = np.flatnonzero(~np.r_[joined[1:], False])  # spans whose end is no other span's start
    bulk = len(pieces.km) >= SAMPLE_ALL_BELOW
    near = _near(pieces, spans, spans.u0, within_km, bulk)
    near1 = np.r_[near[1:], False]
    near1[alone] = _near(pieces, spans.take(alone), spans.u1[alone], within_km, bulk)
    ok = near & near1
    begins = ok & ~(np.r_[False, ok[:-1]] & joined)
    sid = np.cumsum(begins) - 1
    at = np.flatnonzero(ok)
    if len(at) == 0:
        return empty
    km = np.bincount(sid[at], weights=spans.km[at])
    first, final = np.flatnonzero(begins), at[np.r_[sid[at][1:] != sid[at][:-1], True]]
    keep = np.flatnonzero(km >= min_km)
    if len(keep) == 0:
        return empty
    # The border most of VOTERS samples spread along a stretch are nearest to.
    member = at[np.isin(sid[at], keep)]
    rank = np.arange(len(member)) - np.searchsorted(sid[member], sid[member])
    size = np.bincount(sid[member], minlength=len(km))[sid[member]]
    voters = member[rank % np.maximum(1, size // VOTERS) == 0]
    _, pair = borders.near_land_border(*spans.take(voters).point(pieces, spans.u0[voters]), within_km, which=True)
    codes, names = pd.factorize(pair)
    votes = np.bincount(np.searchsorted(keep, sid[voters]) * len(names) + codes,
                        minlength=len(keep) * len(names)).reshape(len(keep), len(names))
    where = names[votes.argmax(axis=1)]
    return Stretches(track=pieces.track[spans.piece[first[keep]]], start=spans.piece[first[keep]] + spans.u0[first[keep]],
                     stop=spans.piece[final[keep]] + spans.u1[final[keep]], km=km[keep],
                     border=np.array(where, dtype=object))


def on_stretch(stretches: Stretches, track: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Index of the stretch each position (piece + fraction, of ``track``) lies on, -1 where none."""
    if len(stretches.start) == 0:
        return np.full(len(position), -1)
    i = np.maximum(np.searchsorted(stretches.start, position, side="right") - 1, 0)
    ok = (stretches.start[i] <= position) & (position <= stretches.stop[i]) & (stretches.track[i] == track)
    return np.where(ok, i, -1)


# ----------------------------------------------------------------------------- the warnings' figures


def _warning(code: str, **figures) -> dict[str, Any]:
    assert code in WARNING_CODES, code
    return {"warning": code, **figures}


def never_entered(country: str, visited: list[str], closest_km: float) -> dict[str, Any]:
    """The warning for a track that never enters ``country``: where it is, and how near it comes."""
    return _warning("never_entered", country=country, visited=list(visited),
                    closest_km=float(closest_km) if np.isfinite(closest_km) else None)


def entered_from_other(country: str, origin: str, came_from: str, entry: dict[str, Any], depth_from: str | None,
                       stated_from: str | None, depth_km: float, origin_km: float) -> dict[str, Any]:
    """The warning for a track whose first entry into ``country`` is from ``came_from``, not ``origin``.

    ``stated_from`` is ``origin`` where it borders ``country`` (the border the
    stated origin's depth is measured from), else None (its whole boundary).
    """
    return _warning("entered_from_other", country=country, origin=origin, entered_from=came_from,
                    entry={"lat": entry["lat"], "lon": entry["lon"], "time": entry.get("time")},
                    depth_from=depth_from, stated_from=stated_from, depth_km=float(depth_km),
                    depth_origin_km=float(origin_km))


def along_border_warning(km: float, border: str, on: int, total: int, times: tuple[str | None, str | None],
                         within_km: float = ALONG_BORDER_KM) -> dict[str, Any]:
    """The warning for one stretch along a border, qualifying the crossings on it."""
    return _warning("along_border", km=float(km), within_km=within_km, border=border,
                    start_time=times[0], end_time=times[1], crossings_on_stretch=int(on), crossings=int(total))
