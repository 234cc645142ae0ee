"""Analysed figures to text, CSV, JSON and GeoJSON, written atomically (by :mod:`geo.atomic`).

Every writer here is deterministic: keys are sorted, floats rounded to a fixed
precision (km to 0.1, coordinates to 1e-5 degrees), so the same input gives
byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.present.shapes import COORD_DIGITS
from geo.present.checkwords import with_sentences
from geo.present.words import (TIME_SOURCE_WORDS, inside_time_note, km_or_dash, minutes_or_dash, range_brief,
                               reach_sentence, time_words)
from geo.analysis.ranges import RANGE_KINDS, RANGE_MEANING

__all__ = ["FORMATS", "FORMULA_STARTS", "records", "to_json", "to_geojson", "csv_cell", "to_csv", "to_table",
           "render"]

#: Output formats of ``geo analyze``.
FORMATS = ("table", "csv", "json", "geojson")

#: A CSV text cell starting with one of these is run as a formula by spreadsheets (OWASP, "CSV injection"):
#: :func:`to_csv` writes it after a ``'``, which shows as text.  Numbers are written as they are.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: Digits kept for figures that 0.1 would blur: coordinates, and shares (0.418, not 0.4).
_KEY_DIGITS = {"lon": COORD_DIGITS, "lat": COORD_DIGITS, "border_lon": COORD_DIGITS, "border_lat": COORD_DIGITS,
               "presumed_share": 3, "reported_to_measured": 2}


def _clean(value: Any, digits: int = 1) -> Any:
    """JSON-safe, rounded copy of ``value`` (NaN -> None, numpy -> Python)."""
    if isinstance(value, dict):
        return {str(k): _clean(v, _KEY_DIGITS.get(k, digits)) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_clean(v, digits) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else round(float(value), digits)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, shapely.Geometry):  # the reachable area: GeoJSON, to the coordinates' precision
        return json.loads(shapely.to_geojson(shapely.set_precision(value, 10.0 ** -COORD_DIGITS)))
    return value


def records(tracks: gpd.GeoDataFrame, figures: pd.DataFrame) -> list[dict[str, Any]]:
    """One JSON-ready dict per incident: its identity, reported figures and computed figures.

    Each check and warning carries its ``sentence`` (:func:`geo.present.checkwords.with_sentences`).
    """
    out = []
    for track, (_, fig) in zip(tracks.itertuples(index=False), figures.iterrows()):
        item = {
            "id": track.id, "title": track.title, "date": track.date, "country": track.country,
            "origin": track.origin, "drone": track.drone, "outcome": track.outcome, "placed": bool(fig["placed"]),
            "clock": track.clock,
            "duration_paced": bool(getattr(track, "duration_paced", False)),
            "reported_time": track.t0.isoformat() if track.clock == "absolute" and track.t0 is not None else None,
            "reported_time_source": getattr(track, "t0_source", None),
            "reported": {
                "distance_km": track.reported_distance_km, "distance_qualifier": track.reported_distance_qualifier,
                "duration_minutes": track.reported_duration_min,
                "duration_qualifier": track.reported_duration_qualifier,
                "depth_km": track.reported_depth_km, "depth_qualifier": track.reported_depth_qualifier,
            },
        }
        for column in figures.columns:
            if column not in ("id", "placed"):
                item[column] = fig[column]
        for column in ("checks", "warnings"):  # in words, as every output says them
            if column in item:
                item[column] = with_sentences(item[column])
        item["range_kinds"] = {column: {"kind": kind, "meaning": RANGE_MEANING[kind]}
                               for column, kind in RANGE_KINDS.items()}
        item["stops"] = track.stops
        out.append(_clean(item))
    return out


def to_json(tracks: gpd.GeoDataFrame, figures: pd.DataFrame) -> str:
    """The figures as a JSON list (one object per incident)."""
    return json.dumps(records(tracks, figures), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def to_geojson(tracks: gpd.GeoDataFrame, figures: pd.DataFrame) -> str:
    """A FeatureCollection: each incident's line (null geometry if unplaced) with its figures."""
    features = []
    for geom, item in zip(tracks.geometry, records(tracks, figures)):
        geometry = None
        if geom is not None and not shapely.is_empty(geom):
            geometry = {"type": "LineString",
                        "coordinates": np.round(shapely.get_coordinates(geom), COORD_DIGITS).tolist()}
        features.append({"type": "Feature", "id": item["id"], "geometry": geometry, "properties": item})
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    lo, hi = item["length_km_range"] or (None, None)
    dlo, dhi = item["depth_km_range"] or (None, None)
    checks = item["checks"] or []
    return {
        "id": item["id"], "date": item["date"], "country": item["country"], "origin": item["origin"],
        "drone": item["drone"], "outcome": item["outcome"], "placed": item["placed"],
        "length_km": item["length_km"], "length_km_min": lo, "length_km_max": hi,
        "length_km_range_kind": RANGE_KINDS["length_km_range"],
        "depth_km": item["depth_km"], "depth_km_min": dlo, "depth_km_max": dhi,
        "depth_km_range_kind": RANGE_KINDS["depth_km_range"],
        "depth_any_km": item["depth_any_km"], "inside_km": item["inside_km"],
        "inside_minutes": item["inside_minutes"],
        "crossings": ";".join(f"{c['from']}>{c['to']}@{c['lat']},{c['lon']}" for c in item["crossings"] or []),
        "regions": ";".join(f"{r['region_id']}:{r['km']}" for r in item["regions"] or []),
        "reported_distance_km": item["reported"]["distance_km"],
        "reported_duration_minutes": item["reported"]["duration_minutes"],
        "reported_depth_km": item["reported"]["depth_km"],
        "checks_contradicting": sum(c["status"] == "contradicts" for c in checks),
        "checks": " | ".join(f"{c['status']}: {c['sentence']}" for c in checks),
    }


def csv_cell(value: Any) -> Any:
    """``value`` as :func:`to_csv` writes it: text a spreadsheet would run as a formula gets a leading ``'``.

    A carriage return in text (alone or before a line feed) becomes a line feed, which the csv module quotes
    (it leaves a CR unquoted, and a reader then ends the row there).  Numbers are returned as they are.

    Examples
    --------
    >>> csv_cell("=1+1"), csv_cell("@SUM(A1:A9)"), csv_cell("-2+3"), csv_cell(-2.5), csv_cell("UA>BY")
    ("'=1+1", "'@SUM(A1:A9)", "'-2+3", -2.5, 'UA>BY')
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def to_csv(tracks: gpd.GeoDataFrame, figures: pd.DataFrame) -> str:
    """One CSV row per incident with the headline figures; text cells are guarded by :func:`csv_cell`."""
    rows = [{key: csv_cell(value) for key, value in _flat(item).items()} for item in records(tracks, figures)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["id"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def to_table(tracks: gpd.GeoDataFrame, figures: pd.DataFrame) -> str:
    """A readable summary per incident, for the terminal."""
    lines = []
    raw_rows = figures.to_dict("records")
    for item, raw in zip(records(tracks, figures), raw_rows):
        # Whole km are rounded once, from the unrounded figures (not from records' 0.1 km).
        item.update({k: _clean(raw[k], digits=9) for k in ("length_km", "length_km_range", "depth_km",
                                                         "depth_km_range", "depth_any_km",
                                                         "depth_with_presumed_km", "inside_km")})
        lines.append(f"{item['id']}  {item['title']}")
        if item["stops"]:
            route = " → ".join(
                f"{s['label']} ({s['lat']:.3f} N {s['lon']:.3f} E ±{s['uncertainty_km']:.0f} km)"
                for s in item["stops"]
            )
            lines.append(f"  route         {route}")
        if not item["placed"]:
            lines.append("  not placed: no position in the report; reported figures only")
            if item.get("reported_time"):
                source = TIME_SOURCE_WORDS.get(item.get("reported_time_source"), "reported")
                lines.append(f"  time          {item['reported_time']} ({source})")
        else:
            by = item["length_by_status_km"] or {}
            split = ", ".join(f"{k} {v:,.0f}" for k, v in by.items() if v)
            lines.append(f"  length        {km_or_dash(item['length_km'])}{range_brief(item['length_km_range'], RANGE_KINDS['length_km_range'])}  [{split}]")
            lines.append(f"  depth         {km_or_dash(item['depth_km'])}{range_brief(item['depth_km_range'], RANGE_KINDS['depth_km_range'])} past the "
                         f"{item.get('depth_from') or 'nearest'} border; {km_or_dash(item['depth_any_km'])} from any border")
            if item.get("depth_from") and item.get("depth_from") != item["origin"] and item.get("depth_origin_km"):
                lines.append(f"                {km_or_dash(item['depth_origin_km'])} past the {item['origin']} border "
                             "(the origin reported)")
            if item.get("depth_with_presumed_km") and item["depth_with_presumed_km"] != item["depth_km"]:
                lines.append(f"                {km_or_dash(item['depth_with_presumed_km'])} counting presumed legs")
            est = inside_time_note(bool(item["inside_minutes_estimated"]), bool(item.get("duration_paced")))
            lines.append(f"  inside {item['country']}     {km_or_dash(item['inside_km'])}, "
                         f"{minutes_or_dash(item['inside_minutes'])}{est}")
            for c in item["crossings"] or []:
                before, est = time_words(c.get("time_source"), bool(c["time_estimated"]))
                when = c["time"] or f"T{round(c['t_min']):+d} min after the first timed point"
                lines.append(f"  crossing      {c['from']}→{c['to']} at {c['lat']:.4f} N {c['lon']:.4f} E, "
                             f"{before}{when}{est}")
            for r in item["regions"] or []:
                lines.append(f"  region        {r['name']} ({r['region_id']}): {km_or_dash(r['km'])}, {minutes_or_dash(r['minutes'])}")
            for p in item.get("reach_pairs") or []:
                lines.append(f"  reach         {reach_sentence(p, item['origin'])}")
        for w in item.get("warnings") or []:
            lines.append(f"  warning       {w['sentence']}")
        for c in item["checks"] or []:
            lines.append(f"  check {c['check']:<9} {c['status']:<13}{c['sentence']}")
        lines.append("")
    return "\n".join(lines)


def render(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, fmt: str) -> str:
    """The figures in one of :data:`FORMATS`."""
    writers = {"table": to_table, "csv": to_csv, "json": to_json, "geojson": to_geojson}
    if fmt not in writers:
        raise ValueError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return writers[fmt](tracks, figures)
