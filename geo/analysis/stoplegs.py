"""The legs table: every track's legs from one stop to the next, with the figures outputs label them with.

A leg runs between consecutive stops of a placed track (the vertices with
``stop_index >= 0``); all its segments share one status, since a status
belongs to a leg between stops.  :func:`stop_legs` builds one row a leg for
all tracks at once, from flat arrays (no per-track loop), so it costs a few
milliseconds for 10,000 tracks and stays out of :func:`geo.analysis.analyse.analyse`'s
archive path: the presentation layer asks for it when it draws legs.

Columns (:data:`LEG_COLUMNS`):

- ``id``, ``leg`` (0, 1, ... within the track), ``from_stop`` and ``to_stop``
  (indices into the track's ``stops``), ``first_vertex`` and ``last_vertex``
  (indices into the track's vertices), ``status``;
- ``km``: its length along the track (the sum of its segments' geodesic km on
  WGS84), ``minutes`` between its ends, ``speed_kmh`` (NaN where no time
  passes), ``t_start_min`` and ``t_end_min``;
- ``time_source``: the weakest time source (order of
  :data:`geo.tracks.build.TIME_SOURCES`) among the vertices the leg's time rests
  on: its inner vertices, or its two ends when it has none (an estimated
  entry stop just before a timed crossing does not make the whole leg
  estimated); ``time_estimated`` is whether that is ``estimated``, i.e. the
  time rests on the drone's assumed speed;
- ``mid_lon``, ``mid_lat``: the point halfway along it (straight in lon/lat
  between vertices), where a map puts its label; ``mid_segment`` (the vertex
  its segment starts at, within the track) and ``mid_fraction`` along that
  segment, so a projected drawing can find the same point.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.reference.projection import GEOD
from geo.tracks.timing import source_rank

__all__ = ["LEG_COLUMNS", "stop_legs"]

LEG_COLUMNS = (
    "id", "leg", "from_stop", "to_stop", "first_vertex", "last_vertex", "status", "km", "minutes", "speed_kmh",
    "t_start_min", "t_end_min", "time_source", "time_estimated", "mid_lon", "mid_lat", "mid_segment",
    "mid_fraction",
)


def stop_legs(tracks: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row a leg (from a stop to the next) of every placed track, in the tracks' order.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        From :func:`geo.tracks.build.build_tracks`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LEG_COLUMNS` (see the module docstring); unplaced
        tracks have no rows.
    """
    placed = tracks["placed"].to_numpy(bool)
    if not placed.any():
        return _frame({})
    coords, part = shapely.get_coordinates(tracks.geometry.to_numpy()[placed], return_index=True)
    lon, lat = coords[:, 0], coords[:, 1]
    stop_index = np.concatenate(tracks["stop_index"].to_numpy()[placed]).astype(np.int64)
    t = np.concatenate(tracks["t_min"].to_numpy()[placed]).astype(float)
    source = np.concatenate(tracks["time_source"].to_numpy()[placed]).astype(object)
    status = np.concatenate(tracks["seg_status"].to_numpy()[placed]).astype(object)  # per segment

    start = np.flatnonzero(np.r_[True, part[1:] != part[:-1]])  # each track's first vertex
    base = start[part]  # per vertex: its track's first vertex
    same = part[1:] == part[:-1]
    _, _, metres = GEOD.inv(lon[:-1][same], lat[:-1][same], lon[1:][same], lat[1:][same])
    step = np.zeros(len(lon))
    step[1:][same] = np.asarray(metres) / 1000.0
    along = np.cumsum(step)  # km along all the vertices: a track's legs are differences within it

    stop = np.flatnonzero(stop_index >= 0)
    pair = np.flatnonzero(part[stop[1:]] == part[stop[:-1]])
    first, last = stop[pair], stop[pair + 1]
    km = along[last] - along[first]
    weakest = _weakest_source(source, first, last)
    mid_lon, mid_lat, mid_k, mid_g = _halfway(along, lon, lat, first, last, km)
    minutes = t[last] - t[first]
    with np.errstate(divide="ignore", invalid="ignore"):
        kmh = np.where(minutes > 0, km / minutes * 60.0, np.nan)
    track = part[first]
    ids = tracks["id"].to_numpy(object)[np.flatnonzero(placed)][track]
    leg = np.arange(len(first)) - np.searchsorted(track, track, side="left")
    # Segment j runs from vertex j to j + 1 within its track; each track has one fewer segment than vertices.
    seg_of = first - part[first]
    return _frame({
        "id": ids, "leg": leg, "from_stop": stop_index[first], "to_stop": stop_index[last],
        "first_vertex": first - base[first], "last_vertex": last - base[first],
        "status": status[seg_of] if len(first) else np.empty(0, object),
        "km": km, "minutes": minutes, "speed_kmh": kmh, "t_start_min": t[first], "t_end_min": t[last],
        "time_source": weakest, "time_estimated": weakest == "estimated",
        "mid_lon": mid_lon, "mid_lat": mid_lat, "mid_segment": mid_k - base[first], "mid_fraction": mid_g,
    })


def _frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """The legs table, with its columns in order (empty ones typed)."""
    empty = {"id": object, "status": object, "time_source": object, "time_estimated": bool}
    data = {c: columns.get(c, np.empty(0, empty.get(c, float))) for c in LEG_COLUMNS}
    for c in ("leg", "from_stop", "to_stop", "first_vertex", "last_vertex", "mid_segment"):
        data[c] = np.asarray(data[c], np.int64)
    for c in ("id", "status", "time_source"):  # text kept as objects, whatever pandas would infer
        data[c] = pd.Series(data[c], dtype=object)
    return pd.DataFrame(data, columns=list(LEG_COLUMNS))


def _weakest_source(source: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Per leg, the weakest time source of its inner vertices (of its ends when it has none).

    Ranked by :func:`geo.tracks.timing.source_rank` (several unknown sources in one leg: the first by name).
    """
    if len(first) == 0:
        return np.empty(0, object)
    names = sorted(set(source.tolist()))
    rank = np.array([source_rank(s) for s in names])
    r = rank[np.searchsorted(names, source)]
    inner = last - first > 1
    lo = np.where(inner, first + 1, first)
    hi = np.where(inner, last - 1, last)  # inclusive
    bounds = np.empty(2 * len(lo), np.int64)
    bounds[0::2], bounds[1::2] = lo, hi + 1
    worst = np.maximum.reduceat(np.r_[r, -np.inf], bounds)[0::2]
    by_rank = {}
    for name, value in zip(names, rank.tolist()):
        by_rank.setdefault(value, name)
    return np.array([by_rank[w] for w in worst.tolist()], dtype=object)


def _halfway(along: np.ndarray, lon: np.ndarray, lat: np.ndarray, first: np.ndarray, last: np.ndarray,
             km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The lon/lat point halfway along each leg, its segment's first vertex and the fraction along that segment.

    ``along`` is km along all the vertices, never decreasing (it does not
    restart at a track's first vertex, so one sorted search finds every leg's point).
    """
    if len(first) == 0:
        return np.empty(0), np.empty(0), np.empty(0, np.int64), np.empty(0)
    target = along[first] + km / 2.0
    k = np.clip(np.searchsorted(along, target, side="left"), first + 1, last)
    span = along[k] - along[k - 1]
    frac = np.divide(target - along[k - 1], span, out=np.zeros(len(k)), where=span > 0)
    return (lon[k - 1] + frac * (lon[k] - lon[k - 1]), lat[k - 1] + frac * (lat[k] - lat[k - 1]), k - 1, frac)
