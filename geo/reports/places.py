"""Where a report's waypoints are: names the geocoder must know, regions, and coordinates near the border.

These checks need the reference data (and a geocoder for names), so they run
after a file's own validation, and on every file, valid or not: a report with
a bad date and a misspelt town gets both problems in one run.  They read the
route as written (:func:`written_points`), so they do not depend on the rest of
the file being valid.

Names far apart
---------------
:func:`place_warnings` finds the names whose best candidates lie more than
:data:`geo.geocoding.gazetteer.AMBIGUITY_KM` apart and match alike (same hint rank and
tier; :meth:`geo.geocoding.gazetteer.Gazetteer.ambiguity`): the report may mean either,
so it is a warning, not a problem, and it names the hint that settles it.

Coordinates far from the border
-------------------------------
A waypoint given as ``lat``/``lon`` more than :data:`FAR_FROM_BOTH_KM` from both
the entered country and the origin country is refused: no reported route across
one border goes there, and the usual cause is swapped numbers (``lat: 27.57,
lon: 53.90`` is in Iran; the other way round it is Minsk).  The message says so
when the swapped point lies in, or near, either country.  The distance is to the
nearest vertex of the country's shipped outline (exact to within half a segment,
well under a kilometre; the border data's own resolution), computed only for the
rare points that a cheaper upper bound (the distance to the nearest border point
found in the conformal plane, :func:`geo.reference.borders.nearest_border_point`) puts
beyond the limit.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopy.exc
import numpy as np

from geo.errors import GeoError, UnknownCountryError, UnknownPlaceError

__all__ = ["FAR_FROM_BOTH_KM", "WrittenPoint", "written_points", "resolve_hint", "place_problems", "place_warnings",
           "ambiguity_message"]

#: A waypoint farther than this from both the entered and the origin country is refused (km).
#: The widest reported route across one border stays within a few hundred km of it; a swapped
#: lat/lon in Europe lands 2,000-3,500 km away.
FAR_FROM_BOTH_KM = 1000.0


@dataclass(frozen=True)
class WrittenPoint:
    """What the checks need of one waypoint, as written: its index, kind, name, hint and coordinates."""

    index: int
    kind: str
    name: str | None = None
    hint: str | None = None
    lat: float | None = None
    lon: float | None = None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def written_points(route: Any) -> list[WrittenPoint]:
    """The waypoints of a route as written in a file (mappings only; anything malformed is skipped).

    Examples
    --------
    >>> written_points([{"place": "Loyew", "hint": "BY-HO"}, {"lat": 52.3, "lon": 29.6}, "junk"])
    [WrittenPoint(index=0, kind='place', name='Loyew', hint='BY-HO', lat=None, lon=None), \
WrittenPoint(index=1, kind='coords', name=None, hint=None, lat=52.3, lon=29.6)]
    """
    points = []
    for i, item in enumerate(route if isinstance(route, list) else []):
        if not isinstance(item, Mapping):
            continue
        names = [(kind, _text(item.get(kind))) for kind in ("place", "toward", "region")]
        named = [(kind, name) for kind, name in names if name]
        lat, lon = _number(item.get("lat")), _number(item.get("lon"))
        if len(named) == 1 and item.get("lat") is None:
            points.append(WrittenPoint(i, named[0][0], named[0][1], _text(item.get("hint"))))
        elif not named and lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
            points.append(WrittenPoint(i, "coords", lat=lat, lon=lon))
    return points


def resolve_hint(value: str) -> str:
    """A waypoint's ``hint`` as a country code or region id (``"Homel region"`` -> ``"BY-HO"``).

    Raises
    ------
    ValueError
        If it is neither a shipped country nor an admin-1 region, with the closest of both.

    Examples
    --------
    >>> resolve_hint("Belarus"), resolve_hint("by-ho"), resolve_hint("Mahiliou region")
    ('BY', 'BY-HO', 'BY-MA')
    >>> resolve_hint("BY-XX")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 'BY-XX' is not a country or admin-1 region in the reference data; ...
    """
    from geo.reference.borders import resolve_country, resolve_region

    try:
        return resolve_country(value)
    except UnknownCountryError as country_miss:
        try:
            return resolve_region(value)
        except UnknownCountryError as region_miss:
            close = list(dict.fromkeys([*region_miss.suggestions, *country_miss.suggestions]))[:4]
            hint = f"did you mean: {', '.join(close)}? " if close else ""
            raise ValueError(f"{value!r} is not a country or admin-1 region in the reference data; {hint}"
                             "expected a country code like BY or a region id like BY-HO") from None


def _country_or_none(value: Any) -> str | None:
    from geo.reference.borders import resolve_country

    try:
        return resolve_country(value) if _text(value) else None
    except UnknownCountryError:
        return None


def _hint_or_none(value: str | None) -> str | None:
    try:
        return resolve_hint(value) if value else None
    except ValueError:
        return None


def _accepts_hint(geocoder: Any) -> bool:
    try:
        parameters = inspect.signature(geocoder.geocode).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "hint" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def _region_miss(name: str, country: str | None) -> str | None:
    """Why a region name does not resolve (None if it does), trying ``country`` first."""
    from geo.reference.borders import resolve_region

    try:
        resolve_region(name, country=country)
        return None
    except UnknownCountryError as first:
        try:
            resolve_region(name)
            return None
        except UnknownCountryError:
            hint = f"did you mean: {', '.join(first.suggestions)}? " if first.suggestions else ""
            return (f"{name!r} is not an admin-1 region in the reference data; {hint}"
                    "expected a region name or an ISO 3166-2 id like BY-MA")


def _name_miss(geocoder: Any, point: WrittenPoint, country: str | None, hinted: bool) -> str | None:
    """Why a place or toward name cannot be geocoded (None if it can)."""
    hint = _hint_or_none(point.hint) or country
    options = {"hint": hint} if hinted and hint else {}
    try:
        found = geocoder.geocode(point.name, exactly_one=True, **options)
    except UnknownPlaceError as err:
        suggestions = list(dict.fromkeys(err.suggestions))
        fix = (f"did you mean: {', '.join(suggestions)}?" if suggestions
               else "expected a place in the gazetteer (check the spelling, or add it to data/curated_places.yaml)")
        return f"{point.name!r} is not in the gazetteer; {fix}"
    except (GeoError, geopy.exc.GeopyError) as err:
        return f"{point.name!r} could not be geocoded ({' '.join(str(err).split())[:200]})"
    if found is None or found == []:
        return f"{point.name!r} is not known to the geocoder; expected a findable place name"
    return None


@lru_cache(maxsize=32)
def _outline(country: str) -> np.ndarray:
    """Every vertex of a country's shipped outline, (n, 2) lon/lat."""
    import shapely

    from geo.reference.borders import countries

    frame = countries().set_index("country")
    return shapely.get_coordinates(frame.geometry[country])


def _km_from_country(lon: float, lat: float, country: str) -> float:
    """Geodesic km from a point to a country (0 inside it), to its nearest outline vertex."""
    from geo.reference.borders import country_at, nearest_border_point
    from geo.reference.projection import GEOD

    if country_at([lon], [lat])[0] == country:
        return 0.0
    upper = float(nearest_border_point([lon], [lat], country)[2][0])
    if upper <= FAR_FROM_BOTH_KM:
        return upper
    vertices = _outline(country)
    n = len(vertices)
    _, _, metres = GEOD.inv(np.full(n, lon), np.full(n, lat), vertices[:, 0], vertices[:, 1])
    return float(np.min(metres)) / 1000.0


def _far(point: WrittenPoint, country: str, origin: str, names: Mapping[str, str]) -> str | None:
    """Why coordinates cannot be on this route (None if they can)."""
    away = {code: _km_from_country(point.lon, point.lat, code) for code in dict.fromkeys((country, origin))}
    if min(away.values()) <= FAR_FROM_BOTH_KM:
        return None
    where = " and ".join(f"{km:,.0f} km from {names.get(code, code)}" for code, km in away.items())
    written = f"lat {point.lat:g}, lon {point.lon:g}"
    swapped_ok = abs(point.lon) <= 90 and any(
        _km_from_country(point.lat, point.lon, code) <= FAR_FROM_BOTH_KM for code in away)
    if swapped_ok:
        return (f"{written} is about {where}; lat {point.lon:g}, lon {point.lat:g} would be on the route: "
                "are lat and lon swapped? (lat is degrees north, lon degrees east)")
    return (f"{written} is about {where}; expected a point on the route from {names.get(origin, origin)} into "
            f"{names.get(country, country)}, within {FAR_FROM_BOTH_KM:,.0f} km of one of them (check the numbers)")


def place_problems(points: Iterable[WrittenPoint], *, country: Any, origin: Any,
                   geocoder: Any = None) -> list[tuple[int, str, str]]:
    """Check where the waypoints are: ``(route index, field name, message)`` for each problem.

    Names (``place``, ``toward``) are geocoded when a ``geocoder`` is given,
    with the waypoint's ``hint``, else the report's ``country``, as the hint
    (when the geocoder takes one); regions are resolved; coordinates are
    checked against :data:`FAR_FROM_BOTH_KM`.  ``country`` and ``origin`` are
    as written; a check that needs one that does not resolve is skipped (the
    field's own problem says why).  Never raises for a bad name.

    Examples
    --------
    >>> place_problems([WrittenPoint(0, "coords", lat=27.57, lon=53.9)], country="BY", origin="UA")  # doctest: +ELLIPSIS
    [(0, 'lat', 'lat 27.57, lon 53.9 is about 3,... km from Belarus and 2,... km from Ukraine; lat 53.9, \
lon 27.57 would be on the route: are lat and lon swapped? (lat is degrees north, lon degrees east)')]
    """
    from geo.reference.borders import country_names

    country, origin = _country_or_none(country), _country_or_none(origin)
    hinted = geocoder is not None and _accepts_hint(geocoder)
    problems = []
    for point in points:
        message = None
        if point.kind in ("place", "toward") and geocoder is not None:
            message = _name_miss(geocoder, point, country, hinted)
        elif point.kind == "region":
            hint = _hint_or_none(point.hint)
            message = _region_miss(point.name, hint if hint and len(hint) == 2 else country)
        elif point.kind == "coords" and country and origin:
            message = _far(point, country, origin, country_names())
        if message:
            problems.append((point.index, "lat" if point.kind == "coords" else point.kind, message))
    return problems


def ambiguity_message(found: Any) -> str:
    """One sentence for a :class:`geo.geocoding.gazetteer.Ambiguity`: both places with their regions, and the settling hint.

    Examples
    --------
    >>> from geo.geocoding.gazetteer import Gazetteer
    >>> print(ambiguity_message(Gazetteer().ambiguity("Prypiat")))
    'Prypiat' matches places 411 km apart: Prypiat (abandoned, Kyiv, UA-32) and Prypiat (village, Volyn, UA-07), both by their own name; the first is used; hint: UA-32 settles it (hint: UA-07 for the second)
    """
    def named(place: Any) -> str:
        return f"{place.raw['name']} ({place.raw['kind']}, {place.raw['region']}, {place.raw['region_id']})"

    best, second, *more = found.places
    how = {"alternate": "by another of their names", "fuzzy": "as the same typo"}.get(
        best.raw["match"], "by their own name")
    others = f" and {len(more)} more" if more else ""
    fix = (f"hint: {found.hint} settles it (hint: {second.raw['region_id']} for the second)" if found.hint
           else "no hint separates them (they are in one region): give lat/lon instead")
    return (f"{found.query!r} matches places {found.distance_km:,.0f} km apart: {named(best)} and "
            f"{named(second)}{others}, {'all' if more else 'both'} {how}; the first is used; {fix}")


def place_warnings(points: Iterable[WrittenPoint], *, country: Any, origin: Any,
                   geocoder: Any = None) -> list[tuple[int, str, str]]:
    """Warn about names whose best candidates lie far apart: ``(route index, field name, message)`` each.

    Each ``place`` and ``toward`` name is looked up with the hint that
    :func:`place_problems` geocodes it with (the waypoint's ``hint``, else the
    report's ``country``), by the geocoder's ``ambiguity`` method
    (:meth:`geo.geocoding.gazetteer.Gazetteer.ambiguity`); geocoders without one give no
    warnings.  Names that cannot be geocoded are skipped (they are problems).
    ``origin`` is accepted for symmetry with :func:`place_problems`.

    Examples
    --------
    >>> from geo.geocoding.gazetteer import Gazetteer
    >>> points = [WrittenPoint(0, "place", "Prypiat"), WrittenPoint(1, "place", "Prypiat", hint="UA-32")]
    >>> [(i, field) for i, field, _ in place_warnings(points, country="BY", origin="UA", geocoder=Gazetteer())]
    [(0, 'place')]
    """
    ambiguity = getattr(geocoder, "ambiguity", None)
    if not callable(ambiguity):
        return []
    country = _country_or_none(country)
    warnings = []
    for point in points:
        if point.kind not in ("place", "toward"):
            continue
        hint = _hint_or_none(point.hint) or country
        try:
            found = ambiguity(point.name, hint=hint)
        except (GeoError, geopy.exc.GeopyError):
            continue
        if found is not None:
            warnings.append((point.index, point.kind, ambiguity_message(found)))
    return warnings
