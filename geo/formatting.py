"""How figures are written in sentences, tables and maps, in one place."""

from __future__ import annotations

__all__ = ["RANGE_WORDS", "TIME_SOURCE_WORDS", "checks_summary", "hours_minutes", "range_words", "time_words"]


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
