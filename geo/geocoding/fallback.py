"""The offline gazetteer first, an online geocoder only for the names it lacks.

:class:`FallbackGeocoder` puts two geopy-style geocoders in a row, and
:func:`geocode_many` looks up a list of names through any one of them.
Neither touches the network itself: the online half is whatever the caller
passes (usually :class:`geo.geocoding.geocode.OnlineGeocoder`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from geopy.location import Location

from geo.errors import GeocoderServiceError, UnknownPlaceError

__all__ = ["CountryCodes", "FallbackGeocoder", "GeocodeResult", "SupportsGeocode", "geocode_many"]

CountryCodes = str | Sequence[str] | None
GeocodeResult = Location | list[Location] | None


class SupportsGeocode(Protocol):
    """Anything with geopy's ``geocode`` method (gazetteer, Nominatim, test stubs)."""

    def geocode(self, query: str, *, exactly_one: bool = True, **kwargs: Any) -> Any:
        """Return a Location, a list of them, or None."""


def _accepted_keywords(func: Callable[..., Any]) -> frozenset[str] | None:
    """Names of the keyword arguments ``func`` takes; None if it takes ``**kwargs``."""
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # builtins and some mocks have no signature
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    )


def _is_miss(found: Any) -> bool:
    """Whether a geocoder answer means "not found" (None or an empty list)."""
    return found is None or (isinstance(found, list) and not found)


class FallbackGeocoder:
    """Ask the offline gazetteer first and an online geocoder only when it misses.

    Parameters
    ----------
    primary : geocoder
        Usually :class:`geo.geocoding.gazetteer.Gazetteer`; a miss is
        :class:`~geo.errors.UnknownPlaceError` or None.
    fallback : geocoder, optional
        Usually :class:`OnlineGeocoder`; None keeps everything offline.

    Examples
    --------
    >>> from geopy.location import Location
    >>> class Stub:
    ...     def __init__(self, places): self.places = places
    ...     def geocode(self, query, *, exactly_one=True, country_codes=None):
    ...         if query not in self.places:
    ...             raise UnknownPlaceError(f"{query!r}: unknown place", query=query,
    ...                                     suggestions=["Kherson"])
    ...         return Location(query, self.places[query], {})
    >>> both = FallbackGeocoder(Stub({"Kherson": (46.64, 32.62)}),
    ...                         Stub({"Chornobaivka": (46.69, 32.55)}))
    >>> print(both.geocode("Chornobaivka").point.format_decimal())
    46.69, 32.55
    >>> both.geocode("Khersn")
    Traceback (most recent call last):
    ...
    geo.errors.UnknownPlaceError: 'Khersn': unknown place
    """

    def __init__(self, primary: SupportsGeocode, fallback: SupportsGeocode | None = None) -> None:
        self.primary = primary
        self.fallback = fallback
        self._fallback_keywords = (
            _accepted_keywords(fallback.geocode) if fallback is not None else frozenset()
        )

    def __repr__(self) -> str:
        return f"FallbackGeocoder({self.primary!r}, {self.fallback!r})"

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: CountryCodes = None,
        **kwargs: Any,
    ) -> GeocodeResult:
        """Return the primary's match, else the fallback's.

        Parameters
        ----------
        query : str
        exactly_one : bool, default True
        country_codes : str or sequence of str, optional
            Passed to both geocoders.
        **kwargs
            Passed to the primary, and to the fallback where its ``geocode``
            accepts them; ``hint`` goes to the primary only.

        Returns
        -------
        geopy.location.Location, list of Location, or None
            None only if the primary missed without raising and the fallback
            missed too.

        Raises
        ------
        geo.errors.UnknownPlaceError
            The primary's own error (with its suggestions) when both miss.
        geo.errors.GeocoderServiceError
            If the fallback service fails.
        """
        miss: UnknownPlaceError | None = None
        try:
            found = self.primary.geocode(
                query, exactly_one=exactly_one, country_codes=country_codes, **kwargs
            )
        except UnknownPlaceError as err:
            miss = err
        else:
            if not _is_miss(found):
                return found
        if self.fallback is not None:
            keywords = self._fallback_keywords
            passed = {
                name: value
                for name, value in kwargs.items()
                if name != "hint" and (keywords is None or name in keywords)
            }
            found = self.fallback.geocode(
                query, exactly_one=exactly_one, country_codes=country_codes, **passed
            )
            if not _is_miss(found):
                return found
        if miss is not None:
            raise miss
        return None


def geocode_many(
    queries: Iterable[str],
    geocoder: SupportsGeocode,
    *,
    progress: bool = False,
    **kwargs: Any,
) -> list[GeocodeResult]:
    """Geocode place names one after another, in order.

    Parameters
    ----------
    queries : iterable of str
    geocoder : geocoder
        Anything with geopy's ``geocode`` (gazetteer, :class:`FallbackGeocoder`, ...).
    progress : bool, default False
        Show a tqdm progress bar on stderr.
    **kwargs
        Passed to every ``geocoder.geocode`` call (``country_codes=...``).

    Returns
    -------
    list
        One result per query, as ``geocoder.geocode`` returned it.

    Raises
    ------
    geo.errors.GeocoderServiceError
        If the service fails midway; the message says how many queries were
        resolved first (online answers are already cached, so a rerun resumes).
    geo.errors.UnknownPlaceError
        As raised by the geocoder for a place it cannot find.

    Examples
    --------
    >>> from geopy.location import Location
    >>> class Stub:
    ...     def geocode(self, query, *, exactly_one=True):
    ...         return Location(query, (50.45, 30.52), {})
    >>> [loc.address for loc in geocode_many(["Kyiv", "Kiev"], Stub())]
    ['Kyiv', 'Kiev']
    """
    queries = list(queries)
    iterator: Iterable[str] = queries
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(queries, desc="geocoding", unit="place")
    results: list[GeocodeResult] = []
    try:
        for query in iterator:
            results.append(geocoder.geocode(query, **kwargs))
    except GeocoderServiceError as err:
        raise GeocoderServiceError(
            f"{err} ({len(results)} of {len(queries)} queries were resolved before the "
            "failure; online answers are cached, so rerunning resumes from there)"
        ) from err
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    return results
