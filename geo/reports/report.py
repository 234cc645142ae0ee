"""Incident reports: the hand-written YAML format, its validation, and the loader.

One file describes one *reported* incident: a drone that entered a country's
airspace, as the sources tell it.  The file is written by hand from an article,
so the loader is strict but explains itself: every problem in every file is
collected and rendered as one line, ``path:line: field: what is wrong; what
was expected``, and raised together as :class:`~geo.errors.ReportFormatError`.

The format, in short (``seeds/*.yaml`` are complete examples)::

    id: 2024-07-16-naroulia          # unique slug of a-z, 0-9 and '-'
    title: ...                       # one-line headline
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
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from rapidfuzz import fuzz, process

from geo.errors import ReportFormatError, UnknownCountryError
from geo.reports.places import WrittenPoint, place_problems, place_warnings, resolve_hint, written_points
from geo.reports.yamlfile import Document, parse_yaml, read_report_text
from geo.reports.drones import DRONE_TYPES, DroneType, resolve_drone
from geo.reports.problems import Problem, field_path, line_number, shortened
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
    "resolve_drone",
    "parse_duration",
    "parse_time",
    "parse_report",
    "load_report",
    "load_reports",
    "check_place_warnings",
    "check_places",
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

_POSITION_KEYS = ("place", "region", "toward", "from")
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
        given = [key for key in _POSITION_KEYS if data.get(key) is not None or data.get(f"{key}_") is not None]
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

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            _zoneinfo(value)
        return value

    @field_validator("drone", mode="before")
    @classmethod
    def _drone(cls, value: Any) -> Any:
        return resolve_drone(value) if isinstance(value, str) else value

    @field_validator("country", "origin", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        return _country(value)


# ----------------------------------------------------------------------------- checks


def _zoneinfo(name: str) -> ZoneInfo:
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


def _context(data: Mapping) -> dict[str, Any]:
    """The date and zone that complete written times (None where unusable)."""
    context: dict[str, Any] = {"date": None, "timezone": None, "date_broken": False, "timezone_broken": False}
    day = data.get("date")
    try:
        context["date"] = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day).strip())
    except ValueError:
        context["date_broken"] = day is not None
    zone = data.get("timezone")
    if zone is not None:
        try:
            context["timezone"] = _zoneinfo(str(zone))
        except ValueError:
            context["timezone_broken"] = True
    return context


_RESERVED = {(): ("path", "lines"), ("route",): ("kind", "line")}
_WAYPOINT_ONLY = {
    "distance_km": ("toward",),
    "measured_from": ("toward",),
    "heading": ("toward",),
    "hint": ("place", "toward", "region"),
    "uncertainty_km": ("place", "coords"),
}


def _cross_checks(data: Mapping) -> list[tuple[tuple, str]]:
    """Checks across fields, on the raw data so they run whatever else is wrong."""
    found: list[tuple[tuple, str]] = []
    for key in _RESERVED[()]:
        if key in data:
            found.append(((key,), "is filled in by the loader; remove it"))
    ids: dict[str, int] = {}
    sources = data.get("sources")
    for j, source in enumerate(sources if isinstance(sources, list) else []):
        if isinstance(source, Mapping) and isinstance(source.get("id"), str):
            if source["id"] in ids:
                found.append((("sources", j, "id"), f"{source['id']!r} is already the id of sources[{ids[source['id']]}]; "
                                                    "expected a different id for each source"))
            ids.setdefault(source["id"], j)
    route = data.get("route")
    if isinstance(route, list) and not route:
        found.append((("route",), "is empty; expected at least one waypoint: '- place: Loyew', or, for an "
                                  "incident with no place named, the side it came from ('- from: UA')"))
    for i, point in enumerate(route if isinstance(route, list) else []):
        if not isinstance(point, Mapping):
            continue
        here = ("route", i)
        for key in _RESERVED[("route",)]:
            if key in point:
                found.append(((*here, key), "is filled in by the loader; remove it"))
        cited = point.get("sources")
        cited = [cited] if isinstance(cited, str) else cited
        if isinstance(cited, list) and isinstance(sources, list):
            for j, ref in enumerate(cited):
                if isinstance(ref, str) and ref not in ids:
                    loc = (*here, "sources", j) if isinstance(point.get("sources"), list) else (*here, "sources")
                    known = ", ".join(ids) or "none yet"
                    found.append((loc, f"{ref!r} is not a source id of this report; expected one of: {known}"))
        if point.get("after") is not None:
            if point.get("time") is not None:
                found.append(((*here, "after"), "is given together with time; expected one of time or after"))
            elif i == 0:
                found.append(((*here, "after"), "is on the first waypoint, which has no previous one; "
                                                "expected a time here instead"))
        if point.get("approx") not in (None, False) and point.get("time") is None and point.get("after") is None:
            found.append(((*here, "approx"), "is given but the waypoint has no time or after; "
                                             "expected a time or after to qualify, or no approx"))
        given = [k for k in _POSITION_KEYS if point.get(k) is not None]
        if point.get("lat") is not None or point.get("lon") is not None:
            given.append("coords")
        if len(given) == 1:
            for key, kinds in _WAYPOINT_ONLY.items():
                if point.get(key) is not None and given[0] not in kinds:
                    found.append(((*here, key), f"does not apply to a '{given[0]}' waypoint; "
                                                f"expected only on {' or '.join(kinds)} waypoints"))
    return found


def _time_order(report: Report, route_data: list) -> list[tuple[tuple, str]]:
    found = []
    last: tuple[int, dt.datetime] | None = None
    for i, point in enumerate(report.route):
        if point.time is None:
            continue
        if last is not None and point.time < last[1]:
            written = route_data[i].get("time") if isinstance(route_data[i], Mapping) else point.time
            found.append((("route", i, "time"),
                          f"{written!r} is earlier than route[{last[0]}].time; expected times in route order "
                          f"(after midnight write the full date, e.g. {report.date + dt.timedelta(days=1)}T01:00)"))
        last = (i, point.time)
    return found


_EXPECTED = {
    "id": "a slug of a-z, 0-9 and '-', e.g. 2024-07-16-naroulia",
    "title": "a one-line headline",
    "date": "a date like 2024-07-16",
    "timezone": "an IANA zone such as Europe/Minsk",
    "drone": f"one of: {', '.join(DRONE_TYPES)}",
    "country": "the country whose airspace was entered, e.g. BY or Belarus",
    "origin": "the country the drone came from, e.g. UA",
    "summary": "the claim in your own words",
    "outcome": f"one of {', '.join(OUTCOMES)}",
    "sources": "a list of sources, each with id and publisher",
    "route": "a list of waypoints such as '- from: UA' or '- place: Loyew'",
    "responses": "a list such as [Mi-24, Su-30]",
    "publisher": "who published the claim, e.g. Belarusian Hajun (monitoring group)",
    "value": "a number of km from 0 to 3,000 (farther than these drones fly)",
    "lat": "latitude in degrees, -90 to 90",
    "lon": "longitude in degrees, -180 to 180",
    "distance_km": "a distance in km greater than 0 and at most 3,000 (farther than these drones fly)",
    "heading": "a compass word like north or NE, or degrees 0-360",
    "uncertainty_km": "a radius in km greater than 0 and at most 300 (wider would cover a whole region)",
    "note": "text",
    "reported": "a mapping with distance_km, duration, depth_km or note",
}


def _model_at(loc: tuple) -> type[BaseModel] | None:
    shape = tuple("#" if isinstance(part, int) else part for part in loc[:-1])
    if shape == ():
        return Report
    if shape == ("reported",):
        return ReportedFigures
    if shape in (("reported", "distance_km"), ("reported", "depth_km")):
        return Figure
    if shape == ("reported", "duration"):
        return DurationFigure
    return {("sources", "#"): Source, ("route", "#"): Waypoint}.get(shape)


_INTERNAL = {"path", "lines", "kind", "line"}


def _fields_at(loc: tuple) -> list[str]:
    """The field names a report may give where ``loc`` is."""
    model = _model_at(loc)
    return [f.alias or key for key, f in model.model_fields.items() if key not in _INTERNAL] if model else []


def _meant(loc: tuple) -> str | None:
    """The field an unknown field name at ``loc`` is most likely a misspelling of."""
    names = _fields_at(loc)
    best = process.extractOne(str(loc[-1]), names, scorer=fuzz.ratio, score_cutoff=60) if names else None
    return best[0] if best else None


def _redundant(error: Mapping[str, Any], errors: list, reported: set[tuple]) -> bool:
    """Whether an error only repeats another: one cause, one line.

    Items given but invalid make "too short" redundant; a misspelt field makes the
    field it was meant to be "missing"; a field name holding a control character is
    already reported as such.
    """
    loc, kind = tuple(error["loc"]), error["type"]
    if kind == "too_short":
        return any(tuple(e["loc"])[: len(loc)] == loc and tuple(e["loc"]) != loc for e in errors)
    if kind == "missing":
        return any(tuple(e["loc"])[:-1] == loc[:-1] and e["type"] == "extra_forbidden"
                   and _meant(tuple(e["loc"])) == loc[-1] for e in errors)
    return kind == "extra_forbidden" and loc in reported


def _message(error: Mapping[str, Any]) -> str:
    loc, kind, value = tuple(error["loc"]), error["type"], error.get("input")
    name = next((part for part in reversed(loc) if isinstance(part, str)), "")
    expected = _EXPECTED.get(name)
    if loc and isinstance(loc[-1], int) and name == "sources" and len(loc) == 2:
        expected = "a source such as {id: hajun, publisher: Belarusian Hajun}"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    if kind == "missing":
        return f"is missing; expected {expected or 'a value'}"
    if kind == "extra_forbidden":
        best = _meant(loc)
        hint = f"did you mean {best!r}? " if best else ""
        return f"{name!r} is not a field here; {hint}expected one of: {', '.join(_fields_at(loc))}"
    if kind == "literal_error":
        return f"{shortened(value)} is not allowed; expected one of {error['ctx']['expected']}"
    if kind in ("tuple_type", "list_type"):
        return f"{shortened(value)} is not a list; expected {expected or 'a list'} (write [a, b] or '- a' lines)"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{shortened(value)} is not a mapping of fields; expected {expected or 'name: value lines'}"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        return f"{shortened(value)} is not a date; expected {expected or 'a date like 2024-07-16'}"
    if kind == "finite_number":
        return f"{shortened(value)} is not a finite number; expected {expected or 'a number'}"
    if kind in ("less_than_equal", "less_than", "greater_than", "greater_than_equal"):
        bound = next(iter(error.get("ctx", {}).values()), "")
        if not isinstance(bound, (int, float)):
            return f"{shortened(value)} is out of range; expected {expected or 'a number in range'}"
        relation = {"less_than_equal": "more than", "less_than": "not less than",
                    "greater_than": "not more than", "greater_than_equal": "less than"}[kind]
        return f"{shortened(value)} is {relation} {bound:,g}; expected {expected or 'a number in range'}"
    if kind == "too_short":
        return f"is empty; expected at least one item{f' ({expected})' if expected else ''}"
    reason = error["msg"][:1].lower() + error["msg"][1:]
    return f"{shortened(value)} is not valid ({reason}){f'; expected {expected}' if expected else ''}"


# ----------------------------------------------------------------------------- loading


def _parse(text: str, path: str) -> tuple[Report | None, list[Problem], Document]:
    """Validate one report's text: the report (None if anything is wrong), every problem, and the raw document."""
    doc = parse_yaml(text)
    problems = [Problem(path, line, field_path(loc), message) for loc, line, message in doc.problems]
    data = doc.data
    if not isinstance(data, dict):
        if not problems:  # parsed, but not a report
            problems.append(Problem(path, 1, "", "the file is empty; expected a report (id:, title:, date:, ...)"
                                    if data is None else f"found {type(data).__name__} at the top; expected a "
                                    "mapping of fields (id:, title:, ...)"))
        return None, sorted(problems, key=Problem.sort_key), doc
    lines = doc.lines
    problems += [Problem(path, line_number(lines, loc), field_path(loc), message) for loc, message in _cross_checks(data)]
    route = data.get("route")
    prepared = dict(data, path=path, lines={field_path(loc): line for loc, line in lines.items() if loc})
    if isinstance(route, list):
        prepared["route"] = [dict(point, line=lines.get(("route", i))) if isinstance(point, dict) else point
                             for i, point in enumerate(route)]
    try:
        report = Report.model_validate(prepared, context=_context(data))
    except ValidationError as err:
        errors = err.errors(include_url=False)
        reported = {loc for loc, _, _ in doc.problems}
        for error in errors:
            if not _redundant(error, errors, reported):
                loc = tuple(error["loc"])
                problems.append(Problem(path, line_number(lines, loc), field_path(loc), _message(error)))
        report = None
    if report is not None and not problems:
        problems += [Problem(path, line_number(lines, loc), field_path(loc), message)
                     for loc, message in _time_order(report, route)]
    return (None if problems else report), sorted(problems, key=Problem.sort_key), doc


def parse_report(text: str, *, path: str = "<report>", geocoder: Any = None) -> Report:
    """Validate the YAML text of one report (no file I/O).

    Parameters
    ----------
    text : str
        The YAML document.
    path : str, default "<report>"
        Shown in problems and kept as ``Report.path``.
    geocoder : geopy-style geocoder, optional
        If given, place names and regions are checked too (:func:`check_places`).

    Raises
    ------
    geo.errors.ReportFormatError
        With every problem found, one per line.

    Examples
    --------
    >>> report = parse_report('''
    ... id: example
    ... title: A drone crosses
    ... date: 2024-07-16
    ... timezone: Europe/Minsk
    ... drone: geran-2
    ... country: Belarus
    ... origin: UA
    ... outcome: unknown
    ... summary: An example.
    ... sources: [{id: hajun, publisher: Belarusian Hajun}]
    ... route:
    ...   - from: UA
    ...     time: "04:00"
    ...     approx: true
    ... ''')
    >>> report.drone, report.country, report.route[0].kind, report.route[0].time_approx_min
    ('shahed-136', 'BY', 'from', 30.0)
    >>> print(report.route[0].time.astimezone(dt.timezone.utc).isoformat())
    2024-07-16T01:00:00+00:00
    >>> parse_report("id: Bad Id\\n", path="x.yaml")
    Traceback (most recent call last):
    ...
    geo.errors.ReportFormatError: x.yaml:1: id: 'Bad Id' is not a report id; expected a slug ...
    x.yaml:1: title: is missing; expected a one-line headline
    x.yaml:1: date: is missing; expected a date like 2024-07-16
    ...
    """
    report, problems, doc = _parse(text, path)
    problems += _place_problems(doc, path, geocoder)
    if problems:
        raise ReportFormatError(sorted(problems, key=Problem.sort_key))
    return report


def _read(path: Path, shown: str) -> tuple[Report | None, list[Problem], Document]:
    text, reason = read_report_text(path)
    if text is None:
        return None, [Problem(shown, None, "", reason)], Document()
    return _parse(text, shown)


def _place_problems(doc: Document, path: str, geocoder: Any) -> list[Problem]:
    """Where the route as written goes (:func:`geo.reports.places.place_problems`), for a valid file or not."""
    data = doc.data
    if not isinstance(data, dict):
        return []
    found = place_problems(written_points(data.get("route")), country=data.get("country"),
                           origin=data.get("origin"), geocoder=geocoder)
    return [Problem(path, line_number(doc.lines, ("route", i, name)), f"route[{i}].{name}", message)
            for i, name, message in found]


def load_report(path: str | Path, *, geocoder: Any = None) -> Report:
    """Load and validate one report file.

    Parameters
    ----------
    path : str or pathlib.Path
        A YAML report; shown in problems as given.
    geocoder : geopy-style geocoder, optional
        If given, place names are geocoded too (:func:`check_places`).

    Raises
    ------
    geo.errors.ReportFormatError
        With every problem found in the file.
    """
    return load_reports([path], geocoder=geocoder)[0]


def _files(paths: str | Path | Iterable[str | Path]) -> tuple[list[tuple[Path, str]], list[Problem]]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
            if not found:
                problems.append(Problem(str(given), None, "", "has no *.yaml or *.yml files; expected report files"))
            pairs = [(p, str(p)) for p in found]
        else:
            pairs = [(path, str(given))]
        for file, shown in pairs:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append((file, shown))
    return files, problems


def load_reports(paths: str | Path | Iterable[str | Path], *, geocoder: Any = None) -> list[Report]:
    """Load and validate report files; a directory means its ``*.yaml``/``*.yml`` files, sorted.

    Reports come back in the order given (directory contents sorted by name);
    a file named twice is read once.  Report ids must be unique.  Every file
    is checked in full, valid or not: its fields, where its coordinates are,
    and (with a ``geocoder``) whether its place names can be found.

    Raises
    ------
    geo.errors.ReportFormatError
        With every problem in every file, one per line.
    """
    files, problems = _files(paths)
    reports: list[Report] = []
    owners: dict[str, Report] = {}
    for file, shown in files:  # problems in the order of the files, and by line within each
        report, found, doc = _read(file, shown)
        found = found + _place_problems(doc, shown, geocoder)
        if report is not None and not found and report.id in owners:
            found.append(Problem(shown, report.line_of("id"), "id",
                                 f"{report.id!r} is already the id of {owners[report.id].path}; "
                                 "expected a unique id per report"))
        problems += sorted(found, key=Problem.sort_key)
        if report is None or found:
            continue
        owners[report.id] = report
        reports.append(report)
    if problems:
        raise ReportFormatError(problems)
    if geocoder is not None:
        for warning in check_place_warnings(reports, geocoder):
            _LOG.warning("%s", warning)
    return reports


def check_places(reports: Iterable[Report], geocoder: Any) -> list[Problem]:
    """Geocode every place and toward name, and resolve every region; return the misses.

    Names are geocoded with the waypoint's ``hint``, else the report's
    ``country``, as hint (when the geocoder takes one).  Never raises for bad
    names: a miss, with the geocoder's suggestions, becomes a :class:`Problem`.

    Examples
    --------
    >>> from geo.geocoding.gazetteer import Gazetteer
    >>> report = parse_report('''
    ... id: example
    ... title: A drone crosses
    ... date: 2024-07-16
    ... drone: unknown
    ... country: BY
    ... origin: UA
    ... outcome: unknown
    ... summary: An example.
    ... sources: [{id: hajun, publisher: Belarusian Hajun}]
    ... route: [{place: Narovlyaski}, {region: BY-MA}]
    ... ''')
    >>> print(check_places([report], Gazetteer())[0])
    <report>:11: route[0].place: 'Narovlyaski' is not in the gazetteer; did you mean: Narovlya, ...
    """
    return _route_findings(reports, geocoder, place_problems)


def _route_findings(reports: Iterable[Report], geocoder: Any, find: Any) -> list[Problem]:
    """What ``find`` (:func:`geo.reports.places.place_problems` or ``place_warnings``) says of each
    report's route, as problems naming the file, line and field."""
    found: list[Problem] = []
    for report in reports:
        points = [WrittenPoint(i, point.kind, point.name, point.hint, point.lat, point.lon)
                  for i, point in enumerate(report.route)]
        found += [Problem(report.path or "", report.line_of(f"route[{i}].{name}"), f"route[{i}].{name}", message)
                  for i, name, message in find(points, country=report.country, origin=report.origin,
                                               geocoder=geocoder)]
    return found


def check_place_warnings(reports: Iterable[Report], geocoder: Any) -> list[Problem]:
    """Names whose best candidates lie far apart, with the hint that settles each: warnings, not errors.

    :func:`load_reports` logs each one (``geo.reports.report`` logger; the command line
    prints it as one line on stderr) and goes on with the best candidate.
    See :func:`geo.reports.places.place_warnings`.
    """
    return _route_findings(reports, geocoder, place_warnings)
