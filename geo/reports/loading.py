"""Reading report files: the YAML with line numbers, the cross-checks pydantic cannot express, and the messages.

Every problem in a file comes back at once as a :class:`geo.reports.problems.Problem`
(file, line, field, what was expected), in the order of the file; :func:`load_reports`
raises one :class:`geo.errors.ReportFormatError` listing them all.  The models
themselves are :mod:`geo.reports.report`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz, process

from geo.errors import ReportFormatError
from geo.reports.places import WrittenPoint, place_problems, place_warnings, written_points
from geo.reports.problems import Problem, field_path, line_number, shortened
from geo.reports.report import (DRONE_TYPES, OUTCOMES, POSITION_KEYS, REPORT_SUFFIXES, DurationFigure, Figure, Report,
                                ReportedFigures, Source, Waypoint, zone_named)
from geo.reports.yamlfile import Document, parse_yaml, read_report_text


__all__ = ["check_place_warnings", "check_places", "load_report", "load_reports", "parse_report"]

_LOG = logging.getLogger(__name__)


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
            context["timezone"] = zone_named(str(zone))
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
        given = [k for k in POSITION_KEYS if point.get(k) is not None]
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
