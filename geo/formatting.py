"""How figures are written in sentences, tables and maps, in one place."""

from __future__ import annotations

__all__ = ["hours_minutes"]


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
