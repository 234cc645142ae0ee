"""How figures are written in sentences, tables and maps, in one place.

Every output (the web map, the print image, KML, the file exports, the
terminal table) takes its words and number formats from here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.reference import borders
from geo.analysis.ranges import range_kind
from geo.present.style import OUTCOME_LABEL, STATUS_LABEL

__all__ = ["depth_border", "depth_words", "standfirst", "source_words", "cited_publications", "RANGE_WORDS", "TIME_SOURCE_WORDS", "checks_summary", "hours_minutes", "range_words", "inside_time_note", "reach_sentence", "time_words", "ATTRIBUTION", "LEG_LABEL_MIN_KM", "whole_km", "km_text", "km_with_range", "has_value", "clock_text", "date_text", "country_names", "reported_text", "describe", "leg_label", "leg_sentence", "default_title",
           "OUTCOME_SENTENCE", "assumed_speed_note", "WEB_LEGEND", "crossing_sentence", "crossing_clock_label",
           "depth_label", "end_sentence", "describe_archive", "archive_legend_text", "km_or_dash", "minutes_or_dash",
           "range_brief", "projection_words", "stop_name", "incident_name",
           "region_label", "tiles_credit", "credit_line", "PRINT_LEGEND"]

region_label = borders.region_label  # the reference data's naming rule, re-exported for the outputs


#: The outcome as a sentence ends with it (the print key: "..., left the country").
OUTCOME_SENTENCE = {"exited": "left the country", "exploded": "exploded", "crashed": "crashed",
                    "shot_down": "shot down", "lost": "then lost from view", "unknown": "end unknown"}


def hours_minutes(minutes: float) -> str:
    """A duration in whole minutes, as people read it.

    Examples
    --------
    >>> hours_minutes(66.4), hours_minutes(45), hours_minutes(-0.6)
    ('1 h 06 min', '45 min', '-1 min')
    """
    whole = int(round(float(minutes)))
    h, m = divmod(abs(whole), 60)
    sign = "-" if whole < 0 else ""
    return f"{sign}{h} h {m:02d} min" if h else f"{sign}{m} min"


def checks_summary(checks) -> str:
    """One phrase for a reader: how the reported figures fared (empty if none could be checked).

    Examples
    --------
    >>> checks_summary([{"check": "distance", "status": "consistent"}, {"check": "speed", "status": "contradicts"}])
    'reported figures checked: speed contradicts the track, distance consistent'
    >>> checks_summary([{"check": "depth", "status": "cannot check"}])
    ''
    """
    checked = [c for c in checks or [] if c["status"] != "cannot check"]
    if not checked:
        return ""
    ordered = sorted(checked, key=lambda c: c["status"] != "contradicts")  # stable: contradictions first
    verdicts = [f"{c['check']} {'contradicts the track' if c['status'] == 'contradicts' else 'consistent'}"
                for c in ordered]
    return "reported figures checked: " + ", ".join(verdicts)


#: How a range of each kind is written after its figure (``{lo}`` and ``{hi}`` in whole km).
RANGE_WORDS = {"bound": "certainly {lo}–{hi} km", "interval": "{lo}–{hi} km within the uncertainties"}


def range_words(lo: float, hi: float, kind: str) -> str:
    """A range as readers are told it, saying what kind it is.

    Examples
    --------
    >>> range_words(5.2, 44.4, "bound"), range_words(363, 423.2, "interval")
    ('certainly 5–44 km', '363–423 km within the uncertainties')
    """
    return RANGE_WORDS[kind].format(lo=f"{float(lo):,.0f}", hi=f"{float(hi):,.0f}")


def time_words(source: str | None, estimated: bool = False) -> tuple[str, str]:
    """What goes before and after a clock time, by its source (:data:`geo.tracks.build.TIME_SOURCES`).

    Examples
    --------
    >>> time_words("reported"), time_words("reported_approx"), time_words("estimated")
    (('', ''), ('about ', ''), ('', ' (time estimated)'))
    """
    if source is None:
        source = "estimated" if estimated else "reported"
    return {"reported_approx": ("about ", ""), "interpolated": ("", " (time interpolated)"),
            "estimated": ("", " (time estimated)")}.get(source, ("", ""))


#: A time source (:data:`geo.tracks.build.TIME_SOURCES`) in a few words.
TIME_SOURCE_WORDS = {"reported": "reported", "reported_approx": "reported, approx",
                     "interpolated": "interpolated", "estimated": "estimated"}


def reach_sentence(pair: dict, origin: str) -> str:
    """One pair of timed fixes of :func:`geo.analysis.reach.reachability`, as a reader is told it.

    Examples
    --------
    >>> pair = {"from": "entry crossing", "to": "exit crossing", "minutes": 60.0, "slack_minutes": 30.0,
    ...         "speed_limit_kmh": 225.0, "max_path_km": 337.5, "reachable": True, "depth_km": 173.8,
    ...         "distance_km": 72.6, "required_kmh": 20.8}
    >>> reach_sentence(pair, "UA")
    'entry crossing to exit crossing, 1 h 00 min (up to 1 h 30 min): no faster than 225 km/h, it covered at most 338 km and was never more than 174 km from the UA border'
    """
    span = hours_minutes(pair["minutes"])
    if pair.get("slack_minutes"):
        span += f" (up to {hours_minutes(pair['minutes'] + pair['slack_minutes'])})"
    head = f"{pair['from']} to {pair['to']}, {span}"
    if not pair["reachable"]:
        return (f"{head}: {pair['distance_km']:,.0f} km apart needs at least {pair['required_kmh']:,.0f} km/h, "
                f"above its {pair['speed_limit_kmh']:,.0f} km/h at most: the times or places contradict each other")
    deep = pair.get("depth_km")
    depth = (f" and was never more than {deep:,.0f} km from the {origin} border" if deep is not None and deep == deep
             else "")
    return (f"{head}: no faster than {pair['speed_limit_kmh']:,.0f} km/h, it covered at most "
            f"{pair['max_path_km']:,.0f} km{depth}")


def inside_time_note(estimated: bool, paced: bool) -> str:
    """What follows the time inside the country: how it is known.

    Examples
    --------
    >>> inside_time_note(True, False), inside_time_note(False, True), inside_time_note(False, False)
    (' (estimated)', ' (as reported)', '')
    """
    if paced:
        return " (as reported)"
    return " (estimated)" if estimated else ""


#: Attribution of the shipped reference data (see data/README.md); the tiles' is added to it.
ATTRIBUTION = ("© <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap contributors</a> (ODbL) · "
               "GeoNames (CC BY 4.0) · Made with Natural Earth")
#: Legs shorter than this (km) get no permanent km/time label: it would hide the route.
LEG_LABEL_MIN_KM = 25.0


def whole_km(value: float) -> str:
    """Whole km as ``geo analyze`` prints them (rounded once, from the computed figure)."""
    return f"{float(value):,.0f}"


def km_text(value: float) -> str:
    return f"{whole_km(value)} km"


def km_with_range(value: float, pair: Sequence[float], kind: str) -> str:
    """A figure with its range, saying whether the range is a bound or an interval (:mod:`geo.analysis.ranges`)."""
    lo, hi = pair
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return km_text(value)
    return f"{whole_km(value)} km ({range_words(lo, hi, kind)})"


def has_value(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def clock_text(track: pd.Series, minutes: float, *, date: bool = False) -> str:
    """A vertex's time: local clock time for absolute clocks, ``T+...`` for relative ones."""
    if track["clock"] == "absolute" and has_value(track["t0"]) and not pd.isna(track["t0"]):
        when = (pd.Timestamp(track["t0"]) + pd.Timedelta(minutes=float(minutes))).round("min")
        return when.strftime("%Y-%m-%d %H:%M (UTC%z)" if date else "%H:%M")
    return f"T+{hours_minutes(minutes)}"


def date_text(value: Any) -> str:
    if value is None:
        return ""
    return pd.Timestamp(value).strftime("%-d %b %Y")


def country_names() -> dict[str, str]:
    return borders.country_names()


def reported_text(track: pd.Series) -> str:
    parts = []
    for label, col, unit in (("distance", "reported_distance", "km"), ("depth", "reported_depth", "km")):
        value = track.get(f"{col}_km")
        if has_value(value):
            q = track.get(f"{col}_qualifier")
            suffix = " past the border" if label == "depth" else " flown"
            parts.append(f"{q + ' ' if q else ''}{value:,.0f} {unit}{suffix}")
    duration = track.get("reported_duration_min")
    if has_value(duration):
        q = track.get("reported_duration_qualifier")
        parts.append(f"{q + ' ' if q else ''}{hours_minutes(duration)} in the air")
    return "; ".join(parts)


def _describe_one(track: pd.Series, fig: pd.Series, names: dict[str, str]) -> str:
    country, origin = track["country"], track["origin"]
    cname, oname = names.get(country, country), names.get(origin, origin)
    head = f"{incident_name(track)}: "
    if not fig["placed"]:
        reported = reported_text(track)
        return (head + f"reported in {cname} airspace, coming from {oname}, but no place along its path was "
                f"named, so it is not on the map" + (f"; reported: {reported}." if reported else "."))
    parts = []
    crossings = fig["crossings"] or []
    for k, c in enumerate(crossings):
        where = f"near {c['lat']:.2f} N {c['lon']:.2f} E"
        before, est = time_words(c.get("time_source"), bool(c.get("time_estimated")))
        when = f" at {before}{clock_text(track, c['t_min'])}" if c.get("t_min") is not None else ""
        est = est if when else ""
        if c["to"] == country:
            verb = "entered" if k == 0 else "re-entered"
            parts.append(f"{verb} {cname} from {names.get(c['from'], c['from'])} {where}{when}{est}")
        else:
            back = " back" if c["to"] == origin else ""
            parts.append(f"left{back} into {names.get(c['to'], c['to'])} {where}{when}{est}")
    if not crossings:
        parts.append(f"flew inside {cname}")
    if has_value(fig["depth_km"]):
        parts.insert(1 if crossings else 0,
                     f"went {depth_words(fig)}")
    minutes = fig["inside_minutes"]
    inside = f"{km_text(fig['inside_km'])} and about {hours_minutes(minutes)} inside" if has_value(minutes) else ""
    if inside:
        parts.insert(2 if crossings and has_value(fig["depth_km"]) else 1, inside)
    regions = [r["name"] for r in fig["regions"] or [] if str(r["region_id"]).startswith(country + "-")]
    if regions:
        parts.append("over the " + ", ".join(regions) + (" regions" if len(regions) > 1 else " region"))
    exits = crossings and crossings[-1]["from"] == country
    if not exits:
        end = track["stops"][-1]
        parts.append(f"{OUTCOME_LABEL.get(track['outcome'], track['outcome'])} near {end['lat']:.2f} N "
                     f"{end['lon']:.2f} E" if track["outcome"] != "lost"
                     else f"was lost from view after {end['lat']:.2f} N {end['lon']:.2f} E")
    text = head + ", ".join(parts) + "."
    for warning in fig.get("warnings") or []:
        text += f" Note: {warning['sentence']}."
    text += f" Route {km_with_range(fig['length_km'], fig['length_km_range'], range_kind('length_km_range'))} long"
    summary = checks_summary(fig["checks"])
    if summary:
        text += f"; {summary}"
    return text + "."


def describe(tracks: gpd.GeoDataFrame, figures: pd.DataFrame) -> dict[str, str]:
    """A plain-text description of every incident, from the computed figures.

    Used as the map's accessible description and its ``<noscript>`` fallback.

    Returns
    -------
    dict
        Incident id -> one paragraph of text (not escaped).
    """
    names = country_names()
    # One sentence per incident: plain Python over a handful of rows.
    return {track["id"]: _describe_one(track, fig, names)
            for (_, track), (_, fig) in zip(tracks.reset_index(drop=True).iterrows(),
                                            figures.reset_index(drop=True).iterrows())}


def leg_label(km: float, minutes: float, estimated: bool) -> str | None:
    """A leg's permanent label, or None for a leg too short to carry one (LEG_LABEL_MIN_KM).

    An estimated time is marked ``~`` and ``*`` (the legend's footnote gives the assumed speed).

    Examples
    --------
    >>> leg_label(164.2, 57.9, True), leg_label(65.0, 23.0, False), leg_label(17.0, 6.0, True)
    ('164 km · ~58 min*', '65 km · 23 min · 170 km/h', None)
    """
    if not (np.isfinite(km) and km >= LEG_LABEL_MIN_KM):
        return None
    if not np.isfinite(minutes):
        return km_text(km)
    if estimated:
        return f"{km_text(km)} · ~{hours_minutes(minutes)}*"
    kmh = f" · {km / minutes * 60:,.0f} km/h" if minutes > 0 else ""
    return f"{km_text(km)} · {hours_minutes(minutes)}{kmh}"


def leg_sentence(from_label: str, to_label: str, km: float, minutes: float, estimated: bool, status: str,
                 drone_kmh: float) -> str:
    """One line about a leg: its ends, km, minutes (marked when estimated) and status.

    Examples
    --------
    >>> leg_sentence("A", "B", 28.5, 10.1, True, "presumed", 170.0)
    'Leg A → B: 28.5 km, ~10 min (time estimated at 170 km/h); presumed (“probably towards …”)'
    """
    time = "" if pd.isna(minutes) else (f", {'~' if estimated else ''}{hours_minutes(minutes)}"
                                        + (f" (time estimated at {drone_kmh:,.0f} km/h)" if estimated else ""))
    return f"Leg {from_label} → {to_label}: {km:,.1f} km{time}; {STATUS_LABEL[status]}"


def default_title(tracks: gpd.GeoDataFrame, names: dict[str, str]) -> str:
    countries = list(dict.fromkeys(tracks["country"]))
    where = " and ".join(names.get(c, c) for c in countries) or "the border"
    dates = sorted(tracks["date"])
    if not dates:
        return f"Drone flights into {where}"
    first, last = pd.Timestamp(dates[0]), pd.Timestamp(dates[-1])
    if first == last:
        span = first.strftime("%-d %B %Y")
    elif (first.year, first.month) == (last.year, last.month):
        span = f"{first.day}–{last.strftime('%-d %B %Y')}"
    else:
        span = f"{first.strftime('%-d %B %Y')} – {last.strftime('%-d %B %Y')}"
    n = len(tracks)
    return f"{n} reported drone flight{'s' if n != 1 else ''} into {where}, {span}"


def depth_border(fig: pd.Series | dict) -> str:
    """The border a depth is measured from, as a reader names it: ``the Ukraine border``.

    ``the nearest border`` when it is measured from the country's whole
    boundary (``depth_from`` None: neither the country entered from nor the
    stated origin shares a border with it).

    Examples
    --------
    >>> depth_border({"depth_from": "UA"}), depth_border({"depth_from": None})
    ('the Ukraine border', 'the nearest border')
    """
    code = fig.get("depth_from")
    return f"the {country_names().get(code, code)} border" if code else "the nearest border"


def depth_words(fig: pd.Series | dict) -> str:
    """A track's depth with its bound and its border, the same in every output.

    Examples
    --------
    >>> depth_words({"depth_km": 52.4, "depth_km_range": (50.1, 54.9), "depth_from": "UA"})
    '52 km (certainly 50–55 km) past the Ukraine border'
    """
    value = km_with_range(fig["depth_km"], fig["depth_km_range"], range_kind("depth_km_range"))
    return f"{value} past {depth_border(fig)}"


def standfirst(tracks: pd.DataFrame, *, interactive: bool) -> str:
    """The paragraph under a map's title: how the routes are drawn (and, on the web, where the details are).

    Examples
    --------
    >>> standfirst(pd.DataFrame({"placed": [True, False]}), interactive=False)[:62]
    'Routes as reported, joined through the places the sources name'
    """
    placed = int(tracks["placed"].astype(bool).sum())
    text = (f"Routes as reported, joined through the places the sources name ({placed} of {len(tracks)} "
            "incidents could be placed). Solid lines are reported legs, dashed presumed, dotted estimated; "
            "the shaded band around each route is where the drone may have been.")
    return text + (" Click a route or a point for the details and the sources." if interactive else "")


def source_words(source: Any) -> str:
    """One cited source as a line of plain text: publisher, “title”, date (via whom).

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> source_words(S(publisher="Belarusian Hajun", title=None, date="2024-07-16", via="Kyiv Independent"))
    'Belarusian Hajun, 16 Jul 2024 (via Kyiv Independent)'
    """
    parts = [str(source.publisher)]
    if source.title:
        parts.append(f"“{source.title}”")
    if source.date:
        parts.append(date_text(source.date))
    return ", ".join(parts) + (f" (via {source.via})" if source.via else "")


def cited_publications(reports: Sequence[Any] | None) -> list[dict[str, Any]]:
    """Every publication the reports cite, once: publisher, title, via, and every date and web link it was cited with.

    In the order first cited; dates sorted; only ``http(s)`` links kept.
    """
    grouped: dict[tuple, dict[str, Any]] = {}
    for report in reports or []:
        for s in report.sources:
            entry = grouped.setdefault((s.publisher, s.title or "", s.via or ""),
                                       {"publisher": s.publisher, "title": s.title or "", "via": s.via or "",
                                        "dates": [], "urls": []})
            if s.date and s.date not in entry["dates"]:
                entry["dates"].append(s.date)
            if s.url and s.url not in entry["urls"] and re.match(r"^https?://", s.url):
                entry["urls"].append(s.url)
    for entry in grouped.values():
        entry["dates"].sort()
    return list(grouped.values())


def assumed_speed_note(assumed_kmh: dict[str, float]) -> str:
    """The footnote of leg labels marked ``*``: the assumed speed their times rest on (by drone, if several).

    Examples
    --------
    >>> assumed_speed_note({"Shahed-136": 170.0})
    '* time at 170 km/h, assumed'
    >>> assumed_speed_note({"Shahed-136": 170.0, "Gerbera": 150.0})
    "* time at the drone's typical speed, assumed (Gerbera 150 km/h, Shahed-136 170 km/h)"
    """
    speeds = sorted(set(assumed_kmh.values()))
    if len(speeds) == 1:
        return f"* time at {speeds[0]:.0f} km/h, assumed"
    return "* time at the drone's typical speed, assumed (" + ", ".join(
        f"{name} {kmh:.0f} km/h" for name, kmh in sorted(assumed_kmh.items())) + ")"


#: The web map's key to its symbols, in the order it lists them.
#: The printed key's headings and entries ({...} filled in by the print image).
PRINT_LEGEND = {
    "routes": "Routes (one colour each)", "corridor": "where it may have been", "reach": "could have been (top speed)",
    "points": "Points", "place": "place named in the report", "other_point": "presumed or estimated point",
    "crossing": "border crossing", "deepest": "deepest point, distance to the border", "end": "end: {outcome}",
    "borders": "Borders", "crossed": "{country}–{origin} (crossed)", "bands": "{bands} km from it",
    "region": "region entered",
}

WEB_LEGEND = {
    "corridor": "shaded band: where the drone may have been (uncertainty)",
    "reach": "dotted outline: {reach}",
    "points": "◇ border crossing · ● deepest point; the thin line with end ticks measures its distance to the border",
    "bands": "grey bands: {bands} km from the crossed border",
}


def crossing_sentence(track: pd.Series, crossing: dict) -> str:
    """A border crossing with its clock time, as a popup or a balloon says it.

    ``(time estimated)`` when the time rests on the drone's assumed speed.
    """
    est = " (time estimated)" if crossing.get("time_estimated") else ""
    return f"Crossed {crossing['from']}→{crossing['to']} at {clock_text(track, crossing['t_min'], date=True)}{est}"


def crossing_clock_label(track: pd.Series, crossing: dict) -> str | None:
    """The short label a print map puts by a crossing (``crossed ~04:00``), or None without a clock time.

    ``~`` marks a time that was not reported exactly.
    """
    if track["clock"] != "absolute" or crossing.get("t_min") is None:
        return None
    source = crossing.get("time_source", "estimated" if crossing.get("time_estimated") else "reported")
    return "crossed " + ("" if source == "reported" else "~") + clock_text(track, crossing["t_min"])


def depth_label(fig: pd.Series | dict) -> tuple[str, str | None]:
    """The label by the line from the deepest point to the border: ``52 km from border`` and its range words.

    Examples
    --------
    >>> depth_label({"depth_km": 52.4, "depth_km_range": (50.1, 54.9)})
    ('52 km from border', 'certainly 50–55 km')
    """
    lo, hi = fig["depth_km_range"]
    bound = range_words(lo, hi, range_kind("depth_km_range")) if has_value(lo) and has_value(hi) else None
    return f"{km_text(fig['depth_km'])} from border", bound


def end_sentence(track: pd.Series, place: str) -> str:
    """How a track ended, and where: ``End: exploded (Minsk region)``."""
    return f"End: {OUTCOME_LABEL.get(track['outcome'], track['outcome'])} ({place})"


def describe_archive(tracks: gpd.GeoDataFrame, figures: pd.DataFrame) -> str:
    """One paragraph about a whole archive of incidents, from the computed figures.

    Examples
    --------
    >>> import pandas as pd
    >>> tracks = pd.DataFrame({"id": ["a", "b", "c"], "placed": [True, True, False], "country": ["BY"] * 3})
    >>> figures = pd.DataFrame({"id": ["a", "b", "c"], "depth_km": [10.0, 30.0, float("nan")],
    ...                         "crossings": [[{}], [{}, {}], []]})
    >>> describe_archive(tracks, figures)
    '3 incidents, 2 placed on the map, with 3 border crossings. Depth past the crossed border: median 20 km, largest 30 km (b).'
    """
    placed = tracks["placed"].astype(bool).to_numpy()
    depth = pd.to_numeric(figures["depth_km"], errors="coerce").to_numpy(dtype=float)
    crossings = sum(len(c or []) for c in figures["crossings"])
    text = f"{len(tracks):,} incidents, {int(placed.sum()):,} placed on the map, with {crossings:,} border crossings."
    if np.isfinite(depth).any():
        deepest = int(np.nanargmax(depth))
        text += (f" Depth past the crossed border: median {whole_km(float(np.nanmedian(depth)))} km, "
                 f"largest {whole_km(float(depth[deepest]))} km ({figures['id'].iloc[deepest]}).")
    return text


def archive_legend_text(n: int) -> str:
    """The legend's one entry for an archive drawn as plain lines."""
    return (f"{n:,} incidents, one line each; colours only tell neighbouring tracks apart "
            "(archive view: see geo analyze for figures)")


def km_or_dash(value: float | None, digits: int = 0) -> str:
    """Km as the terminal table prints them: ``1,234 km``, or ``—`` when there is no figure."""
    return "—" if value is None else f"{value:,.{digits}f} km"


def minutes_or_dash(value: float | None) -> str:
    """A duration as the terminal table prints it (``1 h 05 min``), or ``—``."""
    return "—" if value is None else hours_minutes(value)


def range_brief(pair: Sequence[float] | None, kind: str) -> str:
    """A range as the terminal table appends it to its figure: `` (5–44, bound)``; empty without one.

    Examples
    --------
    >>> range_brief((5.2, 43.9), "bound"), range_brief(None, "bound")
    (' (5–44, bound)', '')
    """
    if not pair or pair[0] is None:
        return ""
    return f" ({pair[0]:,.0f}–{pair[1]:,.0f}, {kind})"


def projection_words(lat1: float, lat2: float, lon0: float) -> str:
    """A Lambert conformal conic projection as a print map's footer names it.

    Examples
    --------
    >>> projection_words(52.0, 54.5, 29.5)
    'Lambert conformal conic projection (standard parallels 52° and 54.5° N, central meridian 29.5° E)'
    """
    return (f"Lambert conformal conic projection (standard parallels {lat1:g}° and {lat2:g}° N, "
            f"central meridian {lon0:g}° E)")


def stop_name(label: str, status: str) -> str:
    """A stop's display name with its status, once: 'Loyew (reported)', and 'entry (estimated)' as it is.

    Examples
    --------
    >>> stop_name("Loyew", "reported"), stop_name("entry (estimated)", "estimated")
    ('Loyew (reported)', 'entry (estimated)')
    """
    return label if f"({status})" in label else f"{label} ({status})"


def incident_name(track: pd.Series) -> str:
    """The short name a legend or a layer list gives an incident: its date and the report's label (or title).

    Examples
    --------
    >>> incident_name(pd.Series({"date": "2024-07-16", "label": "Naroulia", "title": "Shahed heads for Naroulia"}))
    '16 Jul · Naroulia'
    >>> incident_name(pd.Series({"date": "2024-07-16", "label": None, "title": "Shahed heads for Naroulia"}))
    '16 Jul · Shahed heads for Naroulia'
    """
    label = track.get("label")
    label = label if isinstance(label, str) and label else track["title"]
    return f"{pd.Timestamp(track['date']).strftime('%-d %b')} · {label}"


def tiles_credit(attribution: str) -> str:
    """A tile provider's credit line (HTML from xyzservices) as the footer says it, without 'Tiles: Tiles ©'.

    Examples
    --------
    >>> tiles_credit("Tiles &copy; Esri &mdash; Esri, DeLorme, NAVTEQ"), tiles_credit("&copy; OpenStreetMap")
    ('Tiles &copy; Esri &mdash; Esri, DeLorme, NAVTEQ', 'Tiles: &copy; OpenStreetMap')
    """
    return attribution if attribution.lstrip().casefold().startswith("tiles") else f"Tiles: {attribution}"


def credit_line(publications: Sequence[dict[str, Any]]) -> str:
    """The sources in a few words, for a one-line caption: 'Source: Belarusian Hajun (via Kyiv Independent)'.

    Publishers in the order first cited; of each ``via``, its first part (before a comma).

    Examples
    --------
    >>> credit_line([{"publisher": "Hajun", "via": "Kyiv Independent, weekly round-up"},
    ...              {"publisher": "Nasha Niva", "via": ""}])
    'Sources: Hajun, Nasha Niva (via Kyiv Independent)'
    >>> credit_line([])
    ''
    """
    publishers = list(dict.fromkeys(p["publisher"] for p in publications))
    vias = list(dict.fromkeys(p["via"].split(",")[0].strip() for p in publications if p.get("via")))
    if not publishers:
        return ""
    head = "Sources: " if len(publishers) > 1 else "Source: "
    return head + ", ".join(publishers) + (f" (via {', '.join(vias)})" if vias else "")
