"""The scalars a report writes as text: durations, clock times, headings, and figures with a qualifier ("over 60 km")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


from geo.reports.problems import shortened


#: Longer than such a drone stays in the air (a Shahed-136 at cruise speed covers its range in ~12 h).
MAX_DURATION = dt.timedelta(hours=48)


_TIME_EXPECTED = "expected HH:MM or ISO 8601 like 2024-07-16T04:00+03:00"


DURATION_EXPECTED = "expected a duration like 3h, 1h30m, 90 min or PT3H"


_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0}


_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(hours|hour|hrs|hr|h|minutes|minute|mins|min|m|seconds|second|secs|sec|s)(?![a-z])",
    re.IGNORECASE,
)


_DURATION_TEXT = re.compile(rf"(?:\s*{_DURATION_PART.pattern}\s*(?:,|and)?)+\s*", re.IGNORECASE)


_ISO_DURATION = re.compile(
    r"P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)


#: Compass words accepted for ``heading`` (degrees clockwise from north).
COMPASS = MappingProxyType({
    "n": 0.0, "north": 0.0, "nne": 22.5, "ne": 45.0, "northeast": 45.0, "north-east": 45.0, "ene": 67.5,
    "e": 90.0, "east": 90.0, "ese": 112.5, "se": 135.0, "southeast": 135.0, "south-east": 135.0,
    "sse": 157.5, "s": 180.0, "south": 180.0, "ssw": 202.5, "sw": 225.0, "southwest": 225.0,
    "south-west": 225.0, "wsw": 247.5, "w": 270.0, "west": 270.0, "wnw": 292.5, "nw": 315.0,
    "northwest": 315.0, "north-west": 315.0, "nnw": 337.5,
})


def parse_heading(value: str | float) -> float:
    """Parse a compass heading: a word (``north``, ``NE``) or degrees from north.

    Examples
    --------
    >>> parse_heading("north"), parse_heading("SW"), parse_heading(100)
    (0.0, 225.0, 100.0)
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a heading; expected a compass word like north or NE, or degrees 0-360")
    if isinstance(value, (int, float)) and 0 <= value <= 360:
        return float(value) % 360.0
    key = str(value).strip().casefold()
    if key in COMPASS:
        return COMPASS[key]
    raise ValueError(f"{shortened(value)} is not a heading; expected a compass word like north or NE, or degrees 0-360")


def parse_duration(value: str | dt.timedelta) -> dt.timedelta:
    """Parse a duration as people write it: ``3h``, ``1h30m``, ``90 min``, ``PT3H``.

    Raises
    ------
    ValueError
        For anything else, including bare numbers (no unit) and zero.

    Examples
    --------
    >>> [str(parse_duration(text)) for text in ("3h", "1h30m", "90 min", "PT3H", "2 hours")]
    ['3:00:00', '1:30:00', '1:30:00', '3:00:00', '2:00:00']
    >>> parse_duration(90)
    Traceback (most recent call last):
    ...
    ValueError: 90 has no unit; expected a duration like 3h, 1h30m, 90 min or PT3H
    """
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"{value!r} has no unit; {DURATION_EXPECTED}")
    elif not isinstance(value, str):
        raise ValueError(f"{value!r} is not a duration; {DURATION_EXPECTED}")
    elif iso := _ISO_DURATION.fullmatch(value.strip().upper()):
        if value.strip().upper() in ("P", "PT") or value.strip().upper().endswith("T"):
            raise ValueError(f"{value!r} is not a duration; {DURATION_EXPECTED}")
        days, hours, minutes, secs = (float(x) if x else 0.0 for x in iso.groups())
        seconds = days * 86400 + hours * 3600 + minutes * 60 + secs
    elif _DURATION_TEXT.fullmatch(value):
        seconds = sum(float(n) * _UNITS[unit[0].lower()] for n, unit in _DURATION_PART.findall(value))
    else:
        raise ValueError(f"{shortened(value)} is not a duration; {DURATION_EXPECTED}")
    if seconds <= 0:
        raise ValueError(f"{shortened(value)} is not longer than zero; {DURATION_EXPECTED}")
    if not seconds <= MAX_DURATION.total_seconds():
        raise ValueError(f"{shortened(value)} is longer than {MAX_DURATION.total_seconds() / 3600:.0f} hours, "
                         "longer than a drone of these types stays in the air; check the number and the unit")
    return dt.timedelta(seconds=seconds)


CLOCK_PATTERN = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE)


def parse_time(value: str | dt.datetime, *, day: dt.date | None, tz: dt.tzinfo | None) -> dt.datetime:
    """Resolve a written time to a timezone-aware datetime.

    ``HH:MM`` (optionally ``:SS`` and an offset) falls on ``day``; an ISO 8601
    datetime carries its own date.  A time without an offset is read in ``tz``.

    Raises
    ------
    ValueError
        If the text is not a time, or no ``day`` / ``tz`` is there to complete it.

    Examples
    --------
    >>> from zoneinfo import ZoneInfo
    >>> minsk = ZoneInfo("Europe/Minsk")
    >>> parse_time("04:00", day=dt.date(2024, 7, 16), tz=minsk).isoformat()
    '2024-07-16T04:00:00+03:00'
    >>> parse_time("2024-07-16T04:00Z", day=None, tz=None).isoformat()
    '2024-07-16T04:00:00+00:00'
    >>> parse_time("25:00", day=dt.date(2024, 7, 16), tz=minsk)
    Traceback (most recent call last):
    ...
    ValueError: '25:00' is not a time; expected HH:MM or ISO 8601 like 2024-07-16T04:00+03:00
    """
    bad = ValueError(f"{value!r} is not a time; {_TIME_EXPECTED}")
    if isinstance(value, dt.datetime):
        when = value
    elif not isinstance(value, str):
        raise bad
    elif clock := CLOCK_PATTERN.fullmatch(value.strip()):
        hour, minute, second = (int(x) if x else 0 for x in clock.groups()[:3])
        if hour > 23 or minute > 59 or second > 59:
            raise bad
        if day is None:
            raise ValueError(f"{value!r} is a time of day but the report has no date; add 'date: 2024-07-16'")
        offset = clock.group(4)
        when = dt.datetime(day.year, day.month, day.day, hour, minute, second)
        if offset:
            when = dt.datetime.fromisoformat(f"{when.isoformat()}{'+00:00' if offset.upper() == 'Z' else offset}")
    else:
        try:
            when = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise bad from None
        if ":" not in value:  # a bare date is not a time
            raise bad
    if when.tzinfo is None:
        if tz is None:
            raise ValueError(
                f"{value!r} has no UTC offset and the report has no timezone; "
                "add 'timezone: Europe/Minsk' (an IANA zone) at the top, or write an offset like 04:00+03:00"
            )
        when = when.replace(tzinfo=tz)
    return when


_QUALIFIER_WORDS = {
    "over": "over", "more than": "over", "above": "over", "beyond": "over",
    "under": "under", "less than": "under", "below": "under",
    "at least": "at least", "up to": "up to", "at most": "up to",
}


_APPROX_WORDS = ("about", "around", "approximately", "approx.", "approx", "roughly", "some",
                 "nearly", "almost", "c.", "ca.", "~")


_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def _split_qualifier(text: str) -> tuple[str, str | None, bool]:
    """('over 60 km') -> ('60 km', 'over', False); ('about 3h') -> ('3h', None, True)."""
    rest = text.strip()
    lowered = rest.casefold()
    for word in sorted(_QUALIFIER_WORDS, key=len, reverse=True):
        if lowered.startswith(word + " "):
            return rest[len(word):].strip(), _QUALIFIER_WORDS[word], False
    for word in _APPROX_WORDS:
        if lowered.startswith(word) and (word == "~" or lowered[len(word):][:1] in (" ", "")):
            return rest[len(word):].strip(), None, True
    return rest, None, False


def figure_input(data: Any, parse_value, expected: str) -> Any:
    """Shorthand figures (a scalar or a phrase) to the mapping form."""
    if isinstance(data, Mapping) or data is None:
        return data
    if isinstance(data, str):
        rest, qualifier, approx = _split_qualifier(data)
        return {"value": parse_value(rest, original=data), "qualifier": qualifier, "approx": approx}
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return {"value": parse_value(data, original=data)}
    raise ValueError(f"{data!r} is not a figure; {expected}")


KM_EXPECTED = "expected a number of km like 350, a phrase like 'over 60' or 'about 350 km', or {value: 60, qualifier: over}"


def km_figure(value: Any, *, original: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = re.fullmatch(rf"({_NUMBER.pattern})\s*(?:km|kilometres|kilometers)?", str(value).strip(), re.I)
    if not match:
        raise ValueError(f"{original!r} is not a distance; {KM_EXPECTED}")
    return float(match.group(1).replace(",", ""))


def duration_figure(value: Any, *, original: Any) -> dt.timedelta:
    try:
        return parse_duration(value)
    except ValueError as err:
        if "longer than" in str(err):  # a duration, but not one a drone flies
            raise
        raise ValueError(
            f"{shortened(original)} is not a duration; {DURATION_EXPECTED}, 'about 3h', or {{value: 3h, approx: true}}"
        ) from None
