"""Incident reports: the hand-written YAML format and its models (the loader is :mod:`geo.reports.loading`).

One file describes one *reported* incident: a drone that entered a country's
airspace, as the sources tell it.  The file is written by hand from an article,
so the loader is strict but explains itself: every problem in every file is
collected and rendered as one line, ``path:line: field: what is wrong; what
was expected``, and raised together as :class:`~geo.errors.ReportFormatError`.

The format, in short (``seeds/*.yaml`` are complete examples)::

    id: 2024-07-16-naroulia          # unique slug of a-z, 0-9 and '-'
    title: ...                       # one-line headline
    label: Naroulia                  # optional: the short name legends and layer lists use (<= 40 characters)
    date: 2024-07-16                 # local date of the incident
    timezone: Europe/Minsk           # IANA zone; required if a time lacks an offset
    drone: shahed-136                # a DRONE_TYPES key or alias, or "unknown"
    country: BY                      # airspace entered (code or English name)
    origin: UA                       # where the drone came from (code or name)
    outcome: exploded                # one of OUTCOMES
    summary: >-                      # the claim, in the writer's own words
      ...
    reported:                        # figures the sources gave (all optional)
      distance_km: 350               # number, "about 350", "over 60",
      duration: 3h                   #   or {value: 350, approx: true, qualifier: over}
      depth_km: {value: 60, qualifier: over}
      note: ...
    responses: [Mi-24, Su-30]        # aircraft scrambled etc.
    sources:                         # at least one: id, publisher; title, url, date, via, note
      - {id: hajun, publisher: Belarusian Hajun, via: "Kyiv Independent, 2024-07-16"}
    route:                           # ordered waypoints
      - from: UA                     # the side it came from (entry estimated by the tool)
        time: "08:00"                # HH:MM on `date`, or ISO 8601 with or without offset
        approx: true                 # true = 30 minutes either way, or a number of minutes
      - toward: Naroulia             # heading for a place ...
        distance_km: 120             # ... and how far it got,
        measured_from: border        # from the border or the previous waypoint
        heading: north               # optional: the direction it kept after passing the place
      - place: Loyew                 # a named place (gazetteer), optional hint: BY-HO
        role: entry                  # entry | exit | waypoint (default) | end
        after: 1h                    # instead of time: time since the previous waypoint
        status: presumed             # reported (default) | presumed
        sources: [hajun]
      - region: BY-MA                # an admin-1 region, by ISO 3166-2 id or name
      - {lat: 51.80, lon: 29.50, uncertainty_km: 5}

Each waypoint gives exactly one of ``place``, ``region``, ``toward``,
``from``, or ``lat`` with ``lon``.  Times are resolved to timezone-aware
datetimes with the file's ``date`` and ``timezone``.  ``status: estimated`` is
reserved for positions the tool computes.

Quote times (``"04:00"``): the loader reads YAML without its 1.1 surprises
(``04:00`` is not 240, ``no`` is not False), but quoting is the safe habit.

Models are frozen pydantic v2 models: read-only once loaded.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from rapidfuzz import fuzz, process

from geo.errors import ReportFormatError, UnknownCountryError
from geo.reports.places import resolve_hint
from geo.reports.drones import DRONE_TYPES, DroneType, resolve_drone
from geo.reports.problems import Problem, shortened
from geo.reports.scalars import CLOCK_PATTERN, DURATION_EXPECTED, KM_EXPECTED, duration_figure, figure_input, km_figure, parse_duration, parse_heading, parse_time

_LOG = logging.getLogger(__name__)

__all__ = [
    "DroneType",
    "DRONE_TYPES",
    "OUTCOMES",
    "ROLES",
    "STATUSES",
    "WAYPOINT_KINDS",
    "MEASURED_FROM",
    "QUALIFIERS",
    "DEFAULT_APPROX_MIN",
    "REPORT_SUFFIXES",
    "Problem",
    "Source",
    "Figure",
    "DurationFigure",
    "ReportedFigures",
    "Waypoint",
    "Report",
    "POSITION_KEYS",
    "zone_named",
    "resolve_drone",
    "parse_duration",
    "parse_time",
    "ReportFormatError",
]

# ----------------------------------------------------------------------------- vocabulary

#: How an incident ended, as far as the sources say.
OUTCOMES = ("exited", "exploded", "crashed", "shot_down", "lost", "unknown")
#: What a waypoint is on the route.
ROLES = ("entry", "exit", "waypoint", "end")
#: Statuses a writer may give a waypoint; ``"estimated"`` is reserved for the tool.
STATUSES = ("reported", "presumed")
RESERVED_STATUS = "estimated"
#: ``Waypoint.kind`` values: which position field the waypoint gives.
WAYPOINT_KINDS = ("place", "region", "toward", "from", "coords")
#: What a ``toward`` waypoint's ``distance_km`` is counted from.
MEASURED_FROM = ("border", "previous")
#: Bounds a reported figure may carry ("over 60 km"); "about" sets ``approx`` instead.
QUALIFIERS = ("over", "under", "at least", "up to")
#: Minutes of uncertainty meant by ``approx: true`` on a time.
DEFAULT_APPROX_MIN = 30.0
#: File suffixes read when a directory is given.
REPORT_SUFFIXES = (".yaml", ".yml")

#: Limits of what a drone report can mean; beyond them a value is a typo, not a report (see the README).
#: A radius wider than this covers a whole region (Homel region: about 110 km in radius).
MAX_UNCERTAINTY_KM = 300.0
#: Farther than any one-way attack drone listed here flies (Shahed-136: about 2,000 km).
MAX_DISTANCE_KM = 3000.0
#: "About" a time means at most this many minutes either way.
MAX_TIME_APPROX_MIN = 12 * 60.0
#: The longest short label a report may give (it names the incident in legends and layer lists).
LABEL_MAX_CHARS = 40

POSITION_KEYS = ("place", "region", "toward", "from")
_EXACTLY_ONE = "give exactly one of place, region, toward, from, or lat with lon"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# ----------------------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, str_strip_whitespace=True,
                              allow_inf_nan=False)


def _nonblank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("is blank; expected some text")
    return value


def _country(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return value  # pydantic reports the type
    from geo.reference.borders import resolve_country  # geopandas: imported only when needed

    try:
        return resolve_country(value)
    except UnknownCountryError as err:
        raise ValueError(err.message) from None


class Source(_Model):
    """A source of the claim: who said it, and where it was relayed."""

    id: str
    publisher: str
    title: str | None = None
    url: str | None = None
    date: dt.date | None = None
    via: str | None = None
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError(f"{value!r} is not a source id; expected a short slug of a-z, 0-9 and '-', e.g. hajun")
        return value

    @field_validator("publisher", "title", "via", "note", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _nonblank(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", value):
            raise ValueError(f"{value!r} is not a web address; expected http(s)://..., or leave url out")
        return value


class Figure(_Model):
    """A reported distance in km: ``value``, ``approx`` ("about"), ``qualifier`` ("over")."""

    value: float = Field(ge=0, le=MAX_DISTANCE_KM)
    approx: bool = False
    qualifier: Literal["over", "under", "at least", "up to"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return figure_input(data, km_figure, KM_EXPECTED)

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: Any) -> Any:
        return km_figure(value, original=value) if isinstance(value, str) else value


class DurationFigure(_Model):
    """A reported duration: ``value`` (timedelta), ``approx``, ``qualifier``."""

    value: dt.timedelta
    approx: bool = False
    qualifier: Literal["over", "under", "at least", "up to"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return figure_input(data, duration_figure, DURATION_EXPECTED)

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: Any) -> Any:
        return parse_duration(value)


class ReportedFigures(_Model):
    """Figures the sources gave, for the analysis to check (all optional)."""

    distance_km: Figure | None = None
    duration: DurationFigure | None = None
    depth_km: Figure | None = None
    note: str | None = None


class Waypoint(_Model):
    """One point of a route, as written (read-only).

    ``kind`` says which position field is set: ``place``/``toward`` (names for
    the geocoder), ``region`` (admin-1 name or id), ``from_`` (written
    ``from``: a country code, resolved), or ``lat``/``lon`` (``"coords"``).
    ``time`` is timezone-aware; ``time_approx_min`` (written ``approx``) is
    its uncertainty in minutes (0 exact, :data:`DEFAULT_APPROX_MIN` for
    ``approx: true``), None when neither ``time`` nor ``after`` is given.
    ``line`` is the line of the waypoint in its file.
    """

    kind: Literal["place", "region", "toward", "from", "coords"]
    place: str | None = None
    region: str | None = None
    toward: str | None = None
    from_: str | None = Field(None, alias="from")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    role: Literal["entry", "exit", "waypoint", "end"] = "waypoint"
    time: dt.datetime | None = None
    time_approx_min: float | None = Field(None, alias="approx")
    after: dt.timedelta | None = None
    status: Literal["reported", "presumed"] = "reported"
    sources: tuple[str, ...] = ()
    note: str | None = None
    hint: str | None = None
    distance_km: float | None = Field(None, gt=0, le=MAX_DISTANCE_KM)
    measured_from: Literal["border", "previous"] | None = None
    heading: float | None = None
    uncertainty_km: float | None = Field(None, gt=0, le=MAX_UNCERTAINTY_KM)
    line: int | None = None

    @property
    def name(self) -> str | None:
        """The written place, region, toward or from value (None for coords)."""
        return {"place": self.place, "region": self.region, "toward": self.toward, "from": self.from_}.get(self.kind)

    @model_validator(mode="before")
    @classmethod
    def _kind(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            raise ValueError(f"{shortened(data)} is not a waypoint; expected fields such as 'place: Loyew' or 'from: UA'")
        data = dict(data)
        given = [key for key in POSITION_KEYS if data.get(key) is not None or data.get(f"{key}_") is not None]
        coords = [key for key in ("lat", "lon") if data.get(key) is not None]
        if coords:
            given.append("lat/lon")
        if not given:
            raise ValueError(f"no position; {_EXACTLY_ONE}")
        if len(given) > 1:
            raise ValueError(f"gives {' and '.join(given)}; {_EXACTLY_ONE} (one waypoint each)")
        if coords and len(coords) == 1:
            raise ValueError(f"{coords[0]} without {'lon' if coords[0] == 'lat' else 'lat'}; expected both lat and lon")
        kind = "coords" if coords else given[0]
        data.setdefault("kind", kind)
        if kind == "toward" and data.get("measured_from") is None:
            data["measured_from"] = "previous"
        timed = data.get("time") is not None or data.get("after") is not None
        if timed and data.get("approx") is None and data.get("time_approx_min") is None:
            data["approx"] = False
        return data

    @field_validator("place", "region", "toward", "note", "hint", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _nonblank(value)

    @field_validator("hint")
    @classmethod
    def _hint(cls, value: str | None) -> str | None:
        return None if value is None else resolve_hint(value)

    @field_validator("from_", mode="before")
    @classmethod
    def _from(cls, value: Any) -> Any:
        return _country(value)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().casefold() == RESERVED_STATUS:
            raise ValueError(
                "'estimated' is reserved for positions the tool computes; expected reported or presumed"
            )
        return value

    @field_validator("time_approx_min", mode="before")
    @classmethod
    def _approx(cls, value: Any) -> Any:
        if value is None or value is False:
            return 0.0 if value is False else None
        if value is True:
            return DEFAULT_APPROX_MIN
        if isinstance(value, (int, float)) and 0 <= value <= MAX_TIME_APPROX_MIN:
            return float(value)
        raise ValueError(f"{shortened(value)} is not an uncertainty; expected true, false, or minutes from 0 to "
                         f"{MAX_TIME_APPROX_MIN:.0f}, like 30")

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or (isinstance(value, dt.datetime) and value.tzinfo is not None):
            return value
        context = info.context or {}
        day, tz = context.get("date"), context.get("timezone")
        if isinstance(value, str) and CLOCK_PATTERN.fullmatch(value.strip()) and day is None and context.get("date_broken"):
            return None  # the date's own error says it
        if not _has_offset(value) and tz is None and context.get("timezone_broken"):
            return None  # the timezone's own error says it
        return parse_time(value, day=day, tz=tz)

    @field_validator("after", mode="before")
    @classmethod
    def _after(cls, value: Any) -> Any:
        return None if value is None else parse_duration(value)

    @field_validator("sources", mode="before")
    @classmethod
    def _sources(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("heading", mode="before")
    @classmethod
    def _heading(cls, value: Any) -> Any:
        return None if value is None else parse_heading(value)


class Report(_Model):
    """One reported incident, validated (read-only).

    ``country``, ``origin`` and route ``from`` values are ISO alpha-2 codes;
    ``drone`` is a :data:`DRONE_TYPES` key; ``path`` is the file as given to
    the loader and ``lines`` maps field paths (``"route[1].time"``) to lines.
    """

    id: str
    title: str
    label: str | None = Field(None, max_length=LABEL_MAX_CHARS)
    date: dt.date
    timezone: str | None = None
    drone: str
    country: str
    origin: str
    outcome: Literal["exited", "exploded", "crashed", "shot_down", "lost", "unknown"]
    summary: str
    reported: ReportedFigures = ReportedFigures()
    responses: tuple[str, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    route: tuple[Waypoint, ...]
    path: str | None = None
    lines: dict[str, int] = Field(default_factory=dict, repr=False)

    @property
    def drone_type(self) -> DroneType:
        """The :class:`DroneType` of ``drone``."""
        return DRONE_TYPES[self.drone]

    @property
    def zone(self) -> ZoneInfo | None:
        """``timezone`` as a :class:`zoneinfo.ZoneInfo`."""
        return ZoneInfo(self.timezone) if self.timezone else None

    def line_of(self, field: str) -> int | None:
        """Line of a field path such as ``"route[1].time"``, or of its nearest parent."""
        while field:
            if field in self.lines:
                return self.lines[field]
            field = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", field)
        return 1 if self.path else None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a report id; expected a slug of a-z, 0-9 and '-', e.g. 2024-07-16-naroulia"
            )
        return value

    @field_validator("title", "summary", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _nonblank(value)

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, value: Any) -> Any:
        if isinstance(value, str) and ("\n" in value.strip() or "\r" in value):
            raise ValueError("is more than one line; expected a short label on one line, e.g. Naroulia")
        return _nonblank(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            zone_named(value)
        return value

    @field_validator("drone", mode="before")
    @classmethod
    def _drone(cls, value: Any) -> Any:
        return resolve_drone(value) if isinstance(value, str) else value

    @field_validator("country", "origin", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        return _country(value)


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or a ValueError suggesting the closest names."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = process.extract(name, sorted(available_timezones()), scorer=fuzz.WRatio, limit=3, score_cutoff=60)
        hint = f"did you mean {', '.join(m for m, _, _ in close)}? " if close else ""
        raise ValueError(f"{name!r} is not an IANA time zone; {hint}expected e.g. Europe/Minsk or Europe/Kyiv") from None


def _has_offset(value: Any) -> bool:
    if isinstance(value, dt.datetime):
        return value.tzinfo is not None
    return isinstance(value, str) and bool(re.search(r"(?:Z|[+-]\d{2}:?\d{2})\s*$", value.strip(), re.I))
