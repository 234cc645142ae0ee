"""How figures are written in sentences, tables and maps, in one place."""

from __future__ import annotations

__all__ = ["checks_summary", "hours_minutes"]


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
