"""How figures are written in sentences, tables and maps, in one place."""

from __future__ import annotations

__all__ = ["RANGE_WORDS", "TIME_SOURCE_WORDS", "checks_summary", "hours_minutes", "range_words", "inside_time_note", "reach_sentence", "time_words"]


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
    """What goes before and after a clock time, by its source (:data:`geo.tracks.TIME_SOURCES`).

    Examples
    --------
    >>> time_words("reported"), time_words("reported_approx"), time_words("estimated")
    (('', ''), ('about ', ''), ('', ' (time estimated)'))
    """
    if source is None:
        source = "estimated" if estimated else "reported"
    return {"reported_approx": ("about ", ""), "interpolated": ("", " (time interpolated)"),
            "estimated": ("", " (time estimated)")}.get(source, ("", ""))


#: A time source (:data:`geo.tracks.TIME_SOURCES`) in a few words.
TIME_SOURCE_WORDS = {"reported": "reported", "reported_approx": "reported, approx",
                     "interpolated": "interpolated", "estimated": "estimated"}


def reach_sentence(pair: dict, origin: str) -> str:
    """One pair of timed fixes of :func:`geo.reach.reachability`, as a reader is told it.

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
