"""The checks and the warnings in words: one sentence each, with the numbers it rests on.

:mod:`geo.analysis.checks` and :mod:`geo.analysis.borderwarnings` decide;
each check is a dict with its ``check``, ``status``, ``reason`` and the
figures its sentence quotes, each warning one with its ``warning`` code and
figures.  This module is the only place that words them, so the JSON, the
terminal table, the map's popups, KML and the print image say the same thing.
:func:`with_sentences` gives a copy of a list with each item's ``sentence``
added, the form the file exports carry.

Examples
--------
>>> check_sentence({"check": "distance", "status": "cannot check", "reason": "no_route",
...                 "reported_km": 120.0, "qualifier": None, "approx": True})
'reported about 120 km; no route could be placed to measure it against'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from geo.present.words import country_names, hours_minutes

__all__ = ["check_sentence", "warning_sentence", "with_sentences"]

#: What each basis of a duration check is, in the sentence's brackets.
BASIS_WORDS = {"named_places_inside": "at least, between the named places inside",
               "reported_distance": "the reported distance",
               "reported_distance_least": "the reported distance, at its least"}
#: What explains figures that look slow, where a check says so.
SLOW_WORDS = ("slower than cruise on paper: it loitered, flew a longer path than the straight {line}, "
              "or the times are approximate")


def _bound(check: dict[str, Any]) -> str:
    """The reported figure's bound word as said before it: ``over ``, ``about `` or nothing."""
    if check.get("qualifier"):
        return f"{check['qualifier']} "
    return "about " if check.get("approx") else ""


def _cruise(check: dict[str, Any]) -> str:
    lo, hi = check["cruise_kmh"]
    return f"a {check['drone']} cruises at {lo:.0f}–{hi:.0f} km/h"


def _distance(c: dict[str, Any]) -> str:
    said = f"reported {_bound(c)}{c['reported_km']:,.0f} km"
    if c["reason"] == "no_route":
        return f"{said}; no route could be placed to measure it against"
    route = f"the named places account for {c['firm_km']:,.0f} km (at least {c['firm_min_km']:,.0f} km)"
    if c["presumed_km"] > 0:
        route += (f", and presumed legs for {c['presumed_km']:,.0f} km more ({c['presumed_share']:.0%} of the "
                  f"{c['computed_km']:,.0f} km measured)")
    verdict = {
        "shorter_than_places": "the reported distance is shorter than the named places are apart at their closest",
        "needs_presumed_or_detour": ("consistent only if it flew on along the presumed legs or detoured between "
                                     "the places named"),
        "far_longer": (f"consistent, but {c['reported_to_measured']:.1f}× the measured route: places are missing "
                       "or it detoured widely"),
        "allows_detours": "consistent, allowing for detours between the places named",
    }[c["reason"]]
    return f"{said}; {route}: {verdict}"


def _duration(c: dict[str, Any]) -> str:
    said = f"reported {_bound(c)}{hours_minutes(c['reported_minutes'])} inside"
    if c.get("same_span_as"):
        said += f" (the same span as the timed leg {c['same_span_as'][0]} to {c['same_span_as'][1]})"
    if c["reason"] == "no_distance":
        return f"{said}; no distance to compare it with"
    longest = c["longest_minutes"]
    within = f" in at most {hours_minutes(longest)}" if longest is not None else ""
    parts = "; ".join(f"{b['km']:,.0f} km ({BASIS_WORDS[b['basis']]})" + (
        f"{within} needs at least {b['needed_kmh']:,.0f} km/h" if b["needed_kmh"] is not None else "")
        for b in c["bases"])
    envelope = f"{_cruise(c)} (at most about {c['limit_kmh']:.0f} km/h over the ground)"
    verdict = {"impossible": ": impossible in that time",
               "slow_on_paper": ": consistent — " + SLOW_WORDS.format(line="lines"),
               "fits": ": consistent"}[c["reason"]]
    return f"{said}; {parts}; {envelope}{verdict}"


def _depth(c: dict[str, Any]) -> str:
    said = f"reported {_bound(c)}{c['reported_km']:,.0f} km past the border"
    if c["reason"] == "no_route":
        return (f"{said}; no place named, so it cannot be measured: a straight run that deep takes at least "
                f"{hours_minutes(c['min_minutes_at_cruise'])} at cruise speed")
    if c["reason"] == "no_firm_position":
        return f"{said}; no firm position inside the country to measure it at"
    lo, hi = c["computed_range_km"]
    computed = f"the track's firm positions reach {c['computed_km']:,.0f} km (between {lo:,.0f} and {hi:,.0f} km)"
    verdict = {"built_from_figure": None,
               "place_deeper": "a named place lies deeper than reported",
               "needs_deeper_flight": "consistent only if it flew deeper than the places named",
               "fits": "consistent"}[c["reason"]]
    if verdict is None:
        return f"{said}; the end was placed from this figure, so the track agrees by construction ({computed})"
    return f"{said}; {computed}: {verdict}"


def _speed(c: dict[str, Any]) -> str:
    if c["legs"] == 1:
        head = f"{c['from']} to {c['to']}: {c['km']:,.0f} km in {hours_minutes(c['minutes'])} is {c['implied_kmh']:,.0f} km/h"
    else:
        head = f"{c['legs']} timed legs at {c['slowest_kmh']:,.0f}–{c['fastest_kmh']:,.0f} km/h"
    if c["reason"] == "impossible":
        return (f"{head}, and even at the closest positions and the longest time the uncertainties allow it needs "
                f"{c['needed_kmh']:,.0f} km/h; {_cruise(c)} and cannot exceed about {c['limit_kmh']:.0f} km/h: "
                "a time or a place is wrong")
    slow = " — " + SLOW_WORDS.format(line="line") if c["reason"] == "slow_on_paper" else ""
    return f"{head}; {_cruise(c)}: consistent{slow}"


_CHECK_WORDS = {"distance": _distance, "duration": _duration, "depth": _depth, "speed": _speed}


def check_sentence(check: dict[str, Any]) -> str:
    """One check (as :func:`geo.analysis.checks.all_checks` makes it) in a sentence with its numbers.

    Parameters
    ----------
    check : dict
        ``check``, ``status``, ``reason`` and the figures that reason quotes.

    Returns
    -------
    str
        What was reported, what the track and the drone type allow, and the verdict.
    """
    return _CHECK_WORDS[check["check"]](check)


def _name(code: str | None) -> str:
    """A country's display name with its code, 'Belarus (BY)' (the code alone outside the data)."""
    if not code:
        return "no country"
    name = country_names().get(code)
    return f"{name} ({code})" if name else code


def _pair(a: str, b: str | None) -> str:
    names = country_names()
    return f"{names.get(a, a)}–{names.get(b, b)} border" if b else f"whole boundary of {names.get(a, a)}"


def _never_entered(w: dict[str, Any]) -> str:
    visited = w["visited"]
    where = " and ".join(_name(c) for c in visited) if visited else "no country of the reference data"
    near = f"; it comes within {w['closest_km']:,.1f} km of its border" if w["closest_km"] is not None else ""
    country = _name(w["country"])
    return (f"The track never enters {country}, the country the report names: it lies in {where}{near}. "
            f"Its crossings and depth do not describe an incursion into {country}.")


def _entered_from_other(w: dict[str, Any]) -> str:
    entry, country = w["entry"], w["country"]
    when = f" at {entry['time'][11:16]}" if entry.get("time") else ""
    where = f"{entry['lat']:.3f} N {entry['lon']:.3f} E"
    if w["stated_from"]:
        stated = f"from the {_pair(country, w['stated_from'])} it is {w['depth_origin_km']:,.1f} km"
    else:
        stated = (f"{_name(w['origin'])} has no border with {_name(country)}, so from its whole boundary it is "
                  f"{w['depth_origin_km']:,.1f} km")
    return (f"The track enters {_name(country)} from {_name(w['entered_from'])}, not from {_name(w['origin'])} as "
            f"the report says (first at {where}{when}). Depth is measured from the border it crossed, the "
            f"{_pair(country, w['depth_from'])}: {w['depth_km']:,.1f} km; {stated}.")


def _along_border(w: dict[str, Any]) -> str:
    a, b = w["border"].split("–")
    start, end = w["start_time"], w["end_time"]
    span = f" ({start[11:16]}–{end[11:16]})" if start and end else ""
    on, total = w["crossings_on_stretch"], w["crossings"]
    count = (f"{on} of its {total} crossing{'s' if total != 1 else ''} lie{'s' if on == 1 else ''} on that "
             "stretch" if on else "none of its crossings lies on it")
    return (f"For {w['km']:,.0f} km{span} the track runs within {w['within_km']:g} km of the {_pair(a, b)}; "
            f"{count}. Along a border this close, how often the line crosses depends on metres of error in the "
            "track and in the border, so those crossings are not separate incursions.")


_WARNING_WORDS = {"never_entered": _never_entered, "entered_from_other": _entered_from_other,
                  "along_border": _along_border}


def warning_sentence(warning: dict[str, Any]) -> str:
    """One warning (:mod:`geo.analysis.borderwarnings`) in sentences, with its numbers and country names."""
    return _WARNING_WORDS[warning["warning"]](warning)


def with_sentences(items: Iterable[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Copies of checks or warnings, each with its ``sentence`` added (as the file exports carry them)."""
    out = []
    for item in items or []:
        words = check_sentence(item) if "check" in item else warning_sentence(item)
        out.append({**item, "sentence": words})
    return out
