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
gazetteer results.

The cache, and politeness across processes
------------------------------------------
Answers are cached in one SQLite file (default :func:`default_cache_path`),
one row per endpoint (``OnlineGeocoder.url``), normalised query and country
filter, committed as soon as it is known, so a batch that fails halfway resumes
where it stopped and a repeated query costs no request.  Several ``geo``
processes may share the file; together they send one request per distinct
(endpoint, query, country filter) and at most one request per
``min_delay_seconds`` to each endpoint:

1. A lookup reads the cache without any lock, so a hit costs no request, no
   delay and no wait for other processes.
2. On a miss the process first sleeps until the endpoint's next free slot
   (without the lock, so that others may take their turn meanwhile), then takes
   the cache's write lock (``BEGIN IMMEDIATE``), looks again (another process
   may have asked meanwhile), waits for the slot again if someone else took it,
   sends the request (with its retries), stores the answer and the time the
   request ended, and commits, which releases the lock.  The time is recorded
   even when the request fails.
3. Slots are counted from the *end* of the previous request, so the service
   sees requests at least ``min_delay_seconds`` apart however long each one
   took, and never two at once.  Wall-clock time (``time.time()``) is shared by
   all processes; a clock set backwards delays the next request by at most
   ``min_delay_seconds``.
4. Waiting for the lock is not failing: another process may hold it for up to
   ``min_delay_seconds + (max_retries + 1) * timeout + max_retries *
   error_wait_seconds`` (a slow or failing service).  The default
   ``lock_wait_seconds`` is twice that plus :data:`LOCK_WAIT_MARGIN_SECONDS`,
   and it starts again whenever another process commits to the cache, so only
   a lock held with no progress for that long is reported as busy.  SQLite's
   locks are not fair; the sleep in step 2 keeps one process from holding the
   lock for its whole list.

geopy's ``RateLimiter`` is not used, although it does spacing and retries:
its state lives in one process, so processes sharing a cache would each send a
request per second (four of them sent 440 requests for 300 names), and it logs
every retry as a warning with a full traceback and the call's arguments (the
names being looked up).  The replacement here is the loop in
``OnlineGeocoder._fetch_with_retries``, spaced through the cache as above,
logging one line per retry on the ``geo.geocoding.geocode`` logger.

"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import Any

import geopy.exc
from geopy.adapters import AdapterHTTPError, BaseAdapter, RequestsAdapter, URLLibAdapter
from geopy.geocoders import Nominatim
from geopy.location import Location
from pyproj import Geod

from geo.geocoding.answercache import (
    CACHE_FORMAT,
    LOCK_WAIT_MARGIN_SECONDS,
    MISS_TTL_DAYS,
    AnswerCache,
    CacheKey,
    default_cache_path,
    one_line,
)
from geo.geocoding.fallback import CountryCodes, FallbackGeocoder, GeocodeResult, geocode_many
from geo.errors import (
    GeocoderOptionError,
    GeocoderServiceError,
)

__all__ = [
    "SOURCE_NOMINATIM",
    "MIN_UNCERTAINTY_KM",
    "NOMINATIM_DOMAIN",
    "MISS_TTL_DAYS",
    "LOCK_WAIT_MARGIN_SECONDS",
    "CACHE_FORMAT",
    "GeocoderOptionError",
    "OnlineGeocoder",
    "FallbackGeocoder",
    "geocode_many",
    "bbox_uncertainty_km",
    "default_cache_path",
]

logger = logging.getLogger(__name__)

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
    """geopy's HTTP adapter without retries of its own: OnlineGeocoder does them, spaced."""
    if RequestsAdapter.is_available:
        # requests would otherwise silently resend timed-out requests twice at once.
        return partial(RequestsAdapter, max_retries=0)
    return URLLibAdapter



# -- the online geocoder ------------------------------------------------------------


class _NotRetried(Exception):
    """Carries a permanent geopy error past the retry loop."""

    def __init__(self, error: geopy.exc.GeopyError):
        super().__init__(str(error))
        self.error = error


class OnlineGeocoder:
    """Nominatim (OpenStreetMap) geocoder with a rate limit, retries and a disk cache.

    The cache is consulted before the rate limit, so a cached answer costs no
    request and no delay; each new answer, including "no result", is committed
    to the cache as soon as it arrives.  Processes sharing one cache file share
    its rate limit too and never ask the same question twice (see the module
    docstring for the design, the file format and how long answers are kept).

    Parameters
    ----------
    user_agent : str
        Identifies your application to the service, e.g.
        ``"drone-geo/0.1 (newsroom@example.org)"``.  Required: a missing, blank,
        library-default (``"geopy/..."``) or sample value raises
        :class:`GeocoderOptionError`.
    cache_path : str or pathlib.Path, optional
        SQLite file of cached answers, created on first use (folder ``0700``,
        file ``0600``); default :func:`default_cache_path`.
    domain : str, default ``"nominatim.openstreetmap.org"``
        Host (and optional ``:port``) of the Nominatim service.
    scheme : {"https", "http"}, default ``"https"``
    timeout : float, default 10.0
        Seconds to wait for one answer.
    min_delay_seconds : float, default 1.0
        Minimum seconds from the end of one request to the start of the next
        one to the same service, across every process sharing the cache
        (Nominatim's policy: 1 request/s).
    max_retries : int, default 2
        Retries of a request that failed for a transient reason (timeout, 5xx,
        429, connection refused); refused queries (4xx) are not retried.
    error_wait_seconds : float, default 5.0
        Seconds to back off before each retry; at least ``min_delay_seconds``.
    country_codes : str or sequence of str, optional
        Default ISO 3166-1 alpha-2 filter (``"ua"`` or ``["ua", "pl"]``), used when
        :meth:`geocode` is given none.
    lock_wait_seconds : float, optional
        How long to wait for another process's lock on the cache, counted
        from the last time that process made progress, before giving up with
        :class:`~geo.errors.DataError`.  Default: twice the longest a request
        may hold the lock (``min_delay_seconds + (max_retries + 1) * timeout +
        max_retries * error_wait_seconds``) plus :data:`LOCK_WAIT_MARGIN_SECONDS`;
        112 s with the other defaults.

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
    >>> online.lock_wait_seconds
    112.0
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
        lock_wait_seconds: float | None = None,
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
        if lock_wait_seconds is None:
            longest_hold = (
                min_delay_seconds
                + (max_retries + 1) * timeout
                + max_retries * error_wait_seconds
            )
            lock_wait_seconds = 2 * longest_hold + LOCK_WAIT_MARGIN_SECONDS
        elif not lock_wait_seconds > 0:
            raise GeocoderOptionError(
                f"OnlineGeocoder: lock_wait_seconds {lock_wait_seconds!r} must be > 0 seconds"
            )
        self.user_agent = user_agent
        self.cache_path = Path(cache_path) if cache_path is not None else default_cache_path()
        self.country_codes = _normalise_country_codes(country_codes)
        self.timeout = timeout
        self.min_delay_seconds = min_delay_seconds
        self.max_retries = max_retries
        self.error_wait_seconds = error_wait_seconds
        self.lock_wait_seconds = float(lock_wait_seconds)
        self._cache = AnswerCache(self.cache_path, lock_wait_seconds=self.lock_wait_seconds)
        self._nominatim = Nominatim(
            user_agent=user_agent,
            domain=domain,
            scheme=scheme,
            timeout=timeout,
            adapter_factory=_adapter_factory(),
        )

    @property
    def url(self) -> str:
        """The search endpoint requests go to (also part of every cache key)."""
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
            If the cache file is not a usable cache, cannot be made private, or
            another process holds its lock beyond ``lock_wait_seconds``.
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
        key = CacheKey(self.url, _normalise_query(query), ",".join(codes))

        try:
            with closing(self._cache.connect()) as connection:
                raws = self._cache.lookup(connection, key, wanted, warn=True)
                if raws is None:
                    raws = self._ask(connection, key, query, codes, wanted)
        except sqlite3.Error as err:
            raise self._cache.error(err) from err
        locations = [self._location(raw) for raw in raws[:wanted]]
        if exactly_one:
            return locations[0] if locations else None
        return locations

    # -- network ---------------------------------------------------------------

    def _ask(
        self,
        connection: sqlite3.Connection,
        key: CacheKey,
        query: str,
        codes: tuple[str, ...],
        wanted: int,
    ) -> list[dict[str, Any]]:
        """Fetch and store a missing answer, holding the cache's lock (module docstring)."""
        self._wait_for_slot(connection)  # without the lock: others may go first
        with self._cache.locked(connection):
            raws = self._cache.lookup(connection, key, wanted, warn=False)
            if raws is not None:  # another process asked while this one waited
                return raws
            self._wait_for_slot(connection)
            raws = self._fetch_with_retries(connection, query, codes, wanted)
            self._cache.store(connection, key, raws, wanted)
        return raws

    def _wait_for_slot(self, connection: sqlite3.Connection) -> None:
        """Sleep until ``min_delay_seconds`` after the last request to this endpoint ended."""
        last = self._cache.last_request_at(connection, self.url)
        if last is None:
            return
        # At most one delay, even if the clock was set back since the last request.
        wait = min(last + self.min_delay_seconds - time.time(), self.min_delay_seconds)
        if wait > 0:
            time.sleep(wait)

    def _fetch(self, query: str, codes: tuple[str, ...], limit: int) -> list[dict[str, Any]]:
        """One request; the raw JSON objects."""
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

    def _fetch_with_retries(
        self, connection: sqlite3.Connection, query: str, codes: tuple[str, ...], limit: int
    ) -> list[dict[str, Any]]:
        """Fetch, retrying transient failures; one log line per retry, one error at the end.

        Call with the cache's lock held: each attempt's end is recorded for the
        other processes' rate limit.
        """
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self.error_wait_seconds)  # >= min_delay_seconds since the last end
            try:
                return self._fetch(query, codes, limit)
            except _NotRetried as wrapped:
                err: geopy.exc.GeopyError = wrapped.error
                break
            except geopy.exc.GeocoderServiceError as caught:
                err = caught
                if attempt < self.max_retries:
                    logger.warning(
                        "Nominatim at %s: %s; retry %d of %d in %g s",
                        self.url, self._describe(err), attempt + 1, self.max_retries,
                        self.error_wait_seconds,
                    )
            except geopy.exc.GeopyError as caught:  # not a service failure: not retried
                err = caught
                break
            finally:
                self._cache.record_request(connection, self.url)
        where = f" (countrycodes={','.join(codes)})" if codes else ""
        raise GeocoderServiceError(
            f"Nominatim at {self.url} failed for {query!r}{where}: "
            f"{self._describe(err)}; {_advice(err)}"
        ) from err

    def _describe(self, err: geopy.exc.GeopyError) -> str:
        """``ErrorClass: reason`` on one line; a timeout says how long was waited."""
        if isinstance(err, geopy.exc.GeocoderTimedOut) and not isinstance(
            err.__cause__, AdapterHTTPError  # geopy maps HTTP 503/504 to "timed out" too
        ):
            reason = f"no answer within {self.timeout:g} s"
        else:
            reason = one_line(str(err))
        return f"{type(err).__name__}: {reason}"

    @staticmethod
    def _location(raw: dict[str, Any]) -> Location:
        """A geopy Location from one raw Nominatim object, marked as online."""
        raw = {
            **raw,
            "source": SOURCE_NOMINATIM,
            "uncertainty_km": bbox_uncertainty_km(raw.get("boundingbox")),
        }
        return Location(raw.get("display_name"), (float(raw["lat"]), float(raw["lon"])), raw)
