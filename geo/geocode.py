"""Geocode place names: offline gazetteer first, Nominatim online only on request.

This is the only module of ``geo`` that may touch the network, and it does so
only through :class:`OnlineGeocoder`, which the caller must build explicitly
with a real ``user_agent``.  Every geocoder here follows geopy's contract,
``geocode(query, *, exactly_one=True, country_codes=None, ...)`` returning
:class:`geopy.location.Location` objects, so the offline gazetteer, the online
fallback and test stubs are interchangeable.

Online answers carry ``raw["source"] == "nominatim"`` and
``raw["uncertainty_km"]`` (half the geodesic diagonal of Nominatim's bounding
box, at least :data:`MIN_UNCERTAINTY_KM`), so the pipeline can weigh them like
gazetteer results.  They are cached on disk (one SQLite row per normalised
query and country filter, committed as soon as it is known), so a batch that
fails halfway resumes where it stopped and a repeated query costs no request.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import geopy.exc
from geopy.adapters import AdapterHTTPError, BaseAdapter, RequestsAdapter, URLLibAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.location import Location
from pyproj import Geod

from .errors import DataError, GeocoderOptionError, GeocoderServiceError, UnknownPlaceError

__all__ = [
    "SOURCE_NOMINATIM",
    "MIN_UNCERTAINTY_KM",
    "NOMINATIM_DOMAIN",
    "GeocoderOptionError",
    "OnlineGeocoder",
    "FallbackGeocoder",
    "geocode_many",
    "bbox_uncertainty_km",
    "default_cache_path",
]

SOURCE_NOMINATIM = "nominatim"
"""Value of ``Location.raw["source"]`` for answers from :class:`OnlineGeocoder`."""

MIN_UNCERTAINTY_KM = 1.0
"""Floor of ``raw["uncertainty_km"]``: a point is never claimed better than 1 km."""

NOMINATIM_DOMAIN = "nominatim.openstreetmap.org"
USAGE_POLICY_URL = "https://operations.osmfoundation.org/policies/nominatim/"

# Nominatim answers at most this many results when no limit is sent.
_NOMINATIM_DEFAULT_LIMIT = 10

# User agents that identify a library or a documentation sample, not an
# application; Nominatim's usage policy bans them (geopy rejects the same).
_SAMPLE_USER_AGENTS = frozenset(
    {"my-application", "my_app/1", "my_user_agent/1.0", "specify_your_app_name_here"}
)
_LIBRARY_USER_AGENT_PREFIXES = ("geopy/", "python-requests/", "python-urllib/", "curl/")

# geopy errors that say the request itself was refused: retrying cannot help.
_PERMANENT_ERRORS = (
    geopy.exc.GeocoderQueryError,
    geopy.exc.GeocoderAuthenticationFailure,
    geopy.exc.GeocoderInsufficientPrivileges,
    geopy.exc.GeocoderParseError,
)

_CACHE_SCHEMA = """
CREATE TABLE IF NOT EXISTS nominatim (
    query TEXT NOT NULL,            -- normalised query (NFC, single spaces, casefolded)
    country_codes TEXT NOT NULL,    -- sorted lower-case ISO alpha-2 codes, comma-joined
    results TEXT NOT NULL,          -- JSON list of Nominatim raw results; [] records a miss
    result_limit INTEGER NOT NULL,  -- how many results were asked for
    fetched_at TEXT NOT NULL,       -- ISO 8601 UTC
    PRIMARY KEY (query, country_codes)
)
"""

CountryCodes = str | Sequence[str] | None
GeocodeResult = Location | list[Location] | None


class SupportsGeocode(Protocol):
    """Anything with geopy's ``geocode`` method (gazetteer, Nominatim, test stubs)."""

    def geocode(self, query: str, *, exactly_one: bool = True, **kwargs: Any) -> Any:
        """Return a Location, a list of them, or None."""


def default_cache_path() -> Path:
    """Return where :class:`OnlineGeocoder` keeps its cache unless told otherwise.

    Returns
    -------
    pathlib.Path
        ``$XDG_CACHE_HOME/geo/nominatim.sqlite``, or ``~/.cache/geo/nominatim.sqlite``
        when ``XDG_CACHE_HOME`` is unset.  Nothing is created here.

    Examples
    --------
    >>> default_cache_path().name
    'nominatim.sqlite'
    """
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "geo" / "nominatim.sqlite"


def bbox_uncertainty_km(boundingbox: Sequence[str | float] | None) -> float | None:
    """Return half the geodesic diagonal of a Nominatim bounding box, in km.

    Parameters
    ----------
    boundingbox : sequence of 4 str or float, or None
        Nominatim's ``[south, north, west, east]`` in degrees (strings in its JSON).

    Returns
    -------
    float or None
        Half the WGS84 geodesic distance from the south-west to the north-east
        corner, at least :data:`MIN_UNCERTAINTY_KM`; None if the box is missing
        or malformed.

    Examples
    --------
    >>> print(f"{bbox_uncertainty_km(['46.5706', '46.7233', '32.4686', '32.7478']):.1f}")
    13.6
    >>> bbox_uncertainty_km(['50.45', '50.45', '30.52', '30.52'])  # a point: the floor
    1.0
    >>> bbox_uncertainty_km(None) is None
    True
    """
    if boundingbox is None:
        return None
    try:
        south, north, west, east = (float(value) for value in boundingbox)
    except (TypeError, ValueError):
        return None
    if not all(map(math.isfinite, (south, north, west, east))):
        return None
    _, _, diagonal_m = Geod(ellps="WGS84").inv(west, south, east, north)
    return max(diagonal_m / 2000.0, MIN_UNCERTAINTY_KM)


def _normalise_query(query: str) -> str:
    """Cache key of a query: Unicode NFC, whitespace collapsed, casefolded."""
    return " ".join(unicodedata.normalize("NFC", query).split()).casefold()


def _normalise_country_codes(country_codes: CountryCodes) -> tuple[str, ...]:
    """Return sorted, unique, lower-case codes from ``"UA,pl"`` or ``["UA", "pl"]``."""
    if not country_codes:
        return ()
    if isinstance(country_codes, str):
        country_codes = country_codes.split(",")
    return tuple(sorted({code.strip().lower() for code in country_codes if code.strip()}))


def _one_line(text: str, *, max_chars: int = 200) -> str:
    """Collapse whitespace (and newlines) in an error text and cut it short."""
    line = " ".join(str(text).split())
    return line if len(line) <= max_chars else line[: max_chars - 3] + "..."


def _check_user_agent(user_agent: str | None) -> str:
    """Return ``user_agent`` stripped, or raise if it does not identify an application."""
    fix = (
        "pass user_agent='<your application>/<version> (<contact e-mail or URL>)', "
        "e.g. user_agent='drone-geo/0.1 (newsroom@example.org)', as Nominatim's usage "
        f"policy requires ({USAGE_POLICY_URL})"
    )
    if user_agent is None or not str(user_agent).strip():
        raise GeocoderOptionError(f"OnlineGeocoder: user_agent is required; {fix}")
    user_agent = str(user_agent).strip()
    lowered = user_agent.lower()
    if lowered in _SAMPLE_USER_AGENTS or lowered.startswith(_LIBRARY_USER_AGENT_PREFIXES):
        raise GeocoderOptionError(
            f"OnlineGeocoder: user_agent {user_agent!r} is a library default or a "
            f"documentation sample; {fix}"
        )
    return user_agent


def _advice(err: Exception) -> str:
    """What the user can do about a failed request, by geopy error class."""
    if isinstance(err, geopy.exc.GeocoderRateLimited):
        return "wait a while, raise min_delay_seconds, or run offline"
    if isinstance(err, _PERMANENT_ERRORS):
        return "check the query and the user_agent, or run offline"
    return "check the network or run offline"


def _adapter_factory() -> Callable[..., BaseAdapter]:
    """geopy's HTTP adapter without retries of its own: RateLimiter does them, spaced."""
    if RequestsAdapter.is_available:
        # requests would otherwise silently resend timed-out requests twice at once.
        return partial(RequestsAdapter, max_retries=0)
    return URLLibAdapter


class _NotRetried(Exception):
    """Carries a permanent geopy error past RateLimiter, which retries only geopy's."""

    def __init__(self, error: geopy.exc.GeopyError):
        super().__init__(str(error))
        self.error = error


class OnlineGeocoder:
    """Nominatim (OpenStreetMap) geocoder with a rate limit, retries and a disk cache.

    The cache is consulted before the rate limiter, so a cached answer costs no
    request and no delay; each new answer, including "no result", is committed
    to the cache as soon as it arrives.

    Parameters
    ----------
    user_agent : str
        Identifies your application to the service, e.g.
        ``"drone-geo/0.1 (newsroom@example.org)"``.  Required: a missing, blank,
        library-default (``"geopy/..."``) or sample value raises
        :class:`GeocoderOptionError`.
    cache_path : str or pathlib.Path, optional
        SQLite file of cached answers, created on first use; default
        :func:`default_cache_path`.
    domain : str, default ``"nominatim.openstreetmap.org"``
        Host (and optional ``:port``) of the Nominatim service.
    scheme : {"https", "http"}, default ``"https"``
    timeout : float, default 10.0
        Seconds to wait for one answer.
    min_delay_seconds : float, default 1.0
        Minimum seconds between two requests (Nominatim's policy: 1 request/s).
    max_retries : int, default 2
        Retries of a request that failed for a transient reason (timeout, 5xx,
        429, connection refused); refused queries (4xx) are not retried.
    error_wait_seconds : float, default 5.0
        Seconds to back off before each retry; at least ``min_delay_seconds``.
    country_codes : str or sequence of str, optional
        Default ISO 3166-1 alpha-2 filter (``"ua"`` or ``["ua", "pl"]``), used when
        :meth:`geocode` is given none.

    Raises
    ------
    GeocoderOptionError
        If ``user_agent`` or a numeric option is invalid.

    Examples
    --------
    Building a geocoder touches neither the network nor the disk:

    >>> online = OnlineGeocoder(user_agent="drone-geo/0.1 (newsroom@example.org)")
    >>> online.url
    'https://nominatim.openstreetmap.org/search'
    >>> OnlineGeocoder(user_agent="geopy/2.5.0")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.GeocoderOptionError: OnlineGeocoder: user_agent 'geopy/2.5.0' is a library ...
    """

    def __init__(
        self,
        *,
        user_agent: str | None = None,
        cache_path: str | os.PathLike[str] | None = None,
        domain: str = NOMINATIM_DOMAIN,
        scheme: str = "https",
        timeout: float = 10.0,
        min_delay_seconds: float = 1.0,
        max_retries: int = 2,
        error_wait_seconds: float = 5.0,
        country_codes: CountryCodes = None,
    ) -> None:
        user_agent = _check_user_agent(user_agent)
        if scheme not in ("https", "http"):
            raise GeocoderOptionError(
                f"OnlineGeocoder: scheme {scheme!r} is not one of 'https', 'http'"
            )
        if not timeout > 0:
            raise GeocoderOptionError(f"OnlineGeocoder: timeout {timeout!r} must be > 0 seconds")
        if not min_delay_seconds >= 0:
            raise GeocoderOptionError(
                f"OnlineGeocoder: min_delay_seconds {min_delay_seconds!r} must be >= 0"
            )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise GeocoderOptionError(
                f"OnlineGeocoder: max_retries {max_retries!r} must be an integer >= 0"
            )
        if not error_wait_seconds >= min_delay_seconds:
            raise GeocoderOptionError(
                f"OnlineGeocoder: error_wait_seconds {error_wait_seconds!r} must be >= "
                f"min_delay_seconds {min_delay_seconds!r}"
            )
        self.user_agent = user_agent
        self.cache_path = Path(cache_path) if cache_path is not None else default_cache_path()
        self.country_codes = _normalise_country_codes(country_codes)
        self.timeout = timeout
        self._nominatim = Nominatim(
            user_agent=user_agent,
            domain=domain,
            scheme=scheme,
            timeout=timeout,
            adapter_factory=_adapter_factory(),
        )
        self._fetch_limited = RateLimiter(
            self._fetch,
            min_delay_seconds=min_delay_seconds,
            max_retries=max_retries,
            error_wait_seconds=error_wait_seconds,
            swallow_exceptions=False,
        )

    @property
    def url(self) -> str:
        """The search endpoint requests go to."""
        return self._nominatim.api

    def __repr__(self) -> str:
        return f"OnlineGeocoder(url={self.url!r}, cache_path={str(self.cache_path)!r})"

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: CountryCodes = None,
        limit: int | None = None,
    ) -> GeocodeResult:
        """Return the Nominatim match(es) of a place name, from the cache if known.

        Parameters
        ----------
        query : str
            Free-text place name, e.g. ``"Kherson"``.
        exactly_one : bool, default True
            Return the best match only, else a list.
        country_codes : str or sequence of str, optional
            ISO 3166-1 alpha-2 filter sent as ``countrycodes``; default the
            instance's ``country_codes``.
        limit : int, optional
            Most results when ``exactly_one`` is false (Nominatim's default: 10).

        Returns
        -------
        geopy.location.Location, list of Location, or None
            None (or ``[]``) when the service knows no such place.  ``raw`` is
            Nominatim's JSON object plus ``"source": "nominatim"`` and
            ``"uncertainty_km"`` (see :func:`bbox_uncertainty_km`).

        Raises
        ------
        geo.errors.GeocoderServiceError
            If the service fails (network, timeout, HTTP error) after the retries.
        GeocoderOptionError
            If ``query`` is blank or ``limit`` is below 1.
        geo.errors.DataError
            If the cache file is unreadable.
        """
        if not isinstance(query, str) or not query.strip():
            raise GeocoderOptionError(
                f"OnlineGeocoder: query {query!r} must be a non-blank string"
            )
        wanted = 1 if exactly_one else (_NOMINATIM_DEFAULT_LIMIT if limit is None else limit)
        if isinstance(wanted, bool) or not isinstance(wanted, int) or wanted < 1:
            raise GeocoderOptionError(f"OnlineGeocoder: limit {limit!r} must be an integer >= 1")
        query = " ".join(query.split())
        codes = _normalise_country_codes(country_codes) or self.country_codes

        raws = self._cache_get(query, codes, wanted)
        if raws is None:
            raws = self._fetch_or_raise(query, codes, wanted)
            self._cache_put(query, codes, raws, wanted)
        locations = [self._location(raw) for raw in raws[:wanted]]
        if exactly_one:
            return locations[0] if locations else None
        return locations

    # -- network ---------------------------------------------------------------

    def _fetch(self, query: str, codes: tuple[str, ...], limit: int) -> list[dict[str, Any]]:
        """One request (called through the rate limiter); the raw JSON objects."""
        try:
            found = self._nominatim.geocode(
                query,
                exactly_one=False,
                limit=limit,
                country_codes=list(codes),
                addressdetails=True,
            )
        except _PERMANENT_ERRORS as err:
            raise _NotRetried(err) from err
        return [location.raw for location in found or []]

    def _fetch_or_raise(
        self, query: str, codes: tuple[str, ...], limit: int
    ) -> list[dict[str, Any]]:
        """Fetch through the rate limiter; turn geopy failures into one clear line."""
        try:
            return self._fetch_limited(query, codes, limit)
        except _NotRetried as wrapped:
            err: Exception = wrapped.error
        except geopy.exc.GeopyError as caught:
            err = caught
        where = f" (countrycodes={','.join(codes)})" if codes else ""
        if isinstance(err, geopy.exc.GeocoderTimedOut) and not isinstance(
            err.__cause__, AdapterHTTPError  # geopy maps HTTP 503/504 to "timed out" too
        ):
            reason = f"no answer within {self.timeout:g} s"
        else:
            reason = _one_line(str(err))
        raise GeocoderServiceError(
            f"Nominatim at {self.url} failed for {query!r}{where}: "
            f"{type(err).__name__}: {reason}; {_advice(err)}"
        ) from err

    @staticmethod
    def _location(raw: dict[str, Any]) -> Location:
        """A geopy Location from one raw Nominatim object, marked as online."""
        raw = {
            **raw,
            "source": SOURCE_NOMINATIM,
            "uncertainty_km": bbox_uncertainty_km(raw.get("boundingbox")),
        }
        return Location(raw.get("display_name"), (float(raw["lat"]), float(raw["lon"])), raw)

    # -- cache -----------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """Open the cache (creating file and table if needed), or raise DataError."""
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.cache_path, timeout=10.0)
            connection.execute(_CACHE_SCHEMA)
        except (OSError, sqlite3.Error) as err:
            raise DataError(
                f"{self.cache_path}: geocoding cache is unusable ({_one_line(str(err))}); "
                "delete it to start afresh or pass another cache_path"
            ) from err
        return connection

    def _cache_get(
        self, query: str, codes: tuple[str, ...], wanted: int
    ) -> list[dict[str, Any]] | None:
        """Cached raw results covering ``wanted`` results, or None if unknown."""
        with closing(self._connect()) as connection:
            try:
                row = connection.execute(
                    "SELECT results, result_limit FROM nominatim "
                    "WHERE query = ? AND country_codes = ?",
                    (_normalise_query(query), ",".join(codes)),
                ).fetchone()
            except sqlite3.Error as err:
                raise DataError(
                    f"{self.cache_path}: geocoding cache is unreadable ({_one_line(str(err))}); "
                    "delete it to start afresh"
                ) from err
        if row is None:
            return None
        raws = json.loads(row[0])
        # Fewer results than were asked for means the list is complete.
        if len(raws) < row[1] or row[1] >= wanted:
            return raws
        return None

    def _cache_put(
        self, query: str, codes: tuple[str, ...], raws: list[dict[str, Any]], limit: int
    ) -> None:
        """Record one answer (or a miss) and commit at once."""
        fetched_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT OR REPLACE INTO nominatim VALUES (?, ?, ?, ?, ?)",
                (_normalise_query(query), ",".join(codes), json.dumps(raws), limit, fetched_at),
            )


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
        Usually :class:`geo.gazetteer.Gazetteer`; a miss is
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
