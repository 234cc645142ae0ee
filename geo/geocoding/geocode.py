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

How long answers are trusted
----------------------------
A place found (a *hit*) is kept until the file is deleted: Nominatim's data
for an existing place changes slowly, and an investigation is better served by
the same name giving the same coordinates every time it is run.  "No result"
(a *miss*) is trusted for :data:`MISS_TTL_DAYS` days and then asked again,
since a missing place is what OpenStreetMap's mappers add or rename.

A row that cannot be read back (results not JSON, not a list of objects with
numeric ``lat``/``lon`` and a ``display_name``, a bad ``result_limit`` or
``fetched_at``) is treated as a miss: one warning line names the file and the
problem, the query is asked again and the row replaced.  A file that is not a
usable cache, or one locked beyond the wait, raises
:class:`~geo.errors.DataError` (one line, saying what to do).

File format
-----------
A SQLite 3 database with ``PRAGMA user_version = 2`` (:data:`CACHE_FORMAT`)
and two tables::

    answers(endpoint, query, country_codes, results, result_limit, fetched_at)
        PRIMARY KEY (endpoint, query, country_codes)
    requests(endpoint PRIMARY KEY, last_request_at)

``endpoint`` is the search URL (``https://nominatim.openstreetmap.org/search``);
``query`` is NFC-normalised, whitespace-collapsed and casefolded;
``country_codes`` sorted lower-case ISO alpha-2 codes joined by commas (``""``
for none); ``results`` a JSON list of Nominatim's raw objects, ``[]`` for a
miss; ``result_limit`` how many results were asked for; ``fetched_at`` ISO
8601 UTC; ``last_request_at`` Unix seconds when the last request to that
endpoint ended.  A cache written by an earlier ``geo`` (``user_version`` 0,
one table ``nominatim`` keyed without the endpoint) is not migrated: its rows
cannot say which service answered them, so they are left unread and the new
tables are added beside them.  The file reveals what is being looked up, so it
is kept private: its folder is created ``0700`` and the file ``0600`` (SQLite
gives its ``-journal``/``-wal`` side files the file's mode); an existing file
readable by others is tightened to ``0600``, and so is geo's own default
folder.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import os
import sqlite3
import stat
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import geopy.exc
from geopy.adapters import AdapterHTTPError, BaseAdapter, RequestsAdapter, URLLibAdapter
from geopy.geocoders import Nominatim
from geopy.location import Location
from pyproj import Geod

from geo.errors import (
    DataError,
    GeocoderOptionError,
    GeocoderServiceError,
    UnknownPlaceError,
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

MISS_TTL_DAYS = 30
"""Days a cached "no result" is trusted before the query is asked again.

A month: places missing from OpenStreetMap get mapped or renamed, which is why
the online fallback was asked in the first place, yet re-asking a list of
unknown names more often than monthly would mostly repeat requests that
Nominatim's usage policy asks clients to cache.  Hits do not expire.
"""

LOCK_WAIT_MARGIN_SECONDS = 30.0
"""Added to twice the longest time one request may hold the cache's lock to give
the default ``lock_wait_seconds`` (see the module docstring)."""

CACHE_FORMAT = 2
"""``PRAGMA user_version`` of the cache files this module writes and reads."""

# The way out that every cache error offers.
_ELSEWHERE = "pass another cache path (--cache)"

# How often a process waiting for the cache's lock looks again (seconds).
_LOCK_POLL_SECONDS = 0.1

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

_CACHE_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS answers (
    endpoint TEXT NOT NULL,         -- search URL the answer came from
    query TEXT NOT NULL,            -- normalised query (NFC, single spaces, casefolded)
    country_codes TEXT NOT NULL,    -- sorted lower-case ISO alpha-2 codes, comma-joined
    results TEXT NOT NULL,          -- JSON list of Nominatim raw results; [] records a miss
    result_limit INTEGER NOT NULL,  -- how many results were asked for
    fetched_at TEXT NOT NULL,       -- ISO 8601 UTC
    PRIMARY KEY (endpoint, query, country_codes)
)""",
    """
CREATE TABLE IF NOT EXISTS requests (
    endpoint TEXT PRIMARY KEY,      -- search URL
    last_request_at REAL NOT NULL   -- Unix seconds when the last request to it ended
)""",
    f"PRAGMA user_version = {CACHE_FORMAT}",
)

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
    """geopy's HTTP adapter without retries of its own: OnlineGeocoder does them, spaced."""
    if RequestsAdapter.is_available:
        # requests would otherwise silently resend timed-out requests twice at once.
        return partial(RequestsAdapter, max_retries=0)
    return URLLibAdapter


# -- cache -----------------------------------------------------------------------


class _Key(NamedTuple):
    """Primary key of one cached answer."""

    endpoint: str
    query: str  # normalised
    country_codes: str  # comma-joined

    def describe(self) -> str:
        """``'kherson' (countrycodes=ua)``, for messages."""
        where = f" (countrycodes={self.country_codes})" if self.country_codes else ""
        return f"{self.query!r}{where}"


def _is_busy(err: sqlite3.Error) -> bool:
    """Whether SQLite said another connection holds a lock it needs."""
    code = getattr(err, "sqlite_errorcode", None)
    if code is None:
        return "locked" in str(err)
    return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class _DamagedRow(Exception):
    """A cached row cannot be read back; the message says what is wrong with it."""


def _read_row(results: Any, result_limit: Any, fetched_at: Any) -> tuple[list, int, datetime]:
    """A cached row's results, limit and fetch time, or _DamagedRow saying what is wrong."""
    try:
        raws = json.loads(results)
    except (TypeError, ValueError) as err:  # JSONDecodeError is a ValueError
        raise _DamagedRow(f"results are not JSON ({_one_line(str(err), max_chars=60)})") from err
    if not isinstance(raws, list):
        raise _DamagedRow(f"results are a JSON {type(raws).__name__}, not a list")
    for number, raw in enumerate(raws, start=1):
        if not isinstance(raw, dict):
            raise _DamagedRow(f"result {number} is a {type(raw).__name__}, not an object")
        if not isinstance(raw.get("display_name"), str):
            raise _DamagedRow(f"result {number} has no display_name")
        for field, bound in (("lat", 90.0), ("lon", 180.0)):
            try:
                degrees = float(raw[field])
            except (KeyError, TypeError, ValueError):
                raise _DamagedRow(
                    f"result {number} has no numeric {field!r} "
                    f"({_one_line(repr(raw.get(field)), max_chars=40)})"
                ) from None
            if not -bound <= degrees <= bound:  # also refuses NaN
                raise _DamagedRow(f"result {number} has {field!r} {degrees!r} out of range")
    if isinstance(result_limit, bool) or not isinstance(result_limit, int) or result_limit < 1:
        raise _DamagedRow(f"result_limit {result_limit!r} is not a whole number >= 1")
    try:
        when = datetime.fromisoformat(fetched_at)
    except (TypeError, ValueError):
        raise _DamagedRow(f"fetched_at {fetched_at!r} is not an ISO 8601 time") from None
    return raws, result_limit, when if when.tzinfo else when.replace(tzinfo=UTC)


class _Cache:
    """The SQLite file behind :class:`OnlineGeocoder`: private, shared, locked."""

    def __init__(self, path: Path, *, lock_wait_seconds: float) -> None:
        self.path = path
        self.lock_wait_seconds = lock_wait_seconds

    # -- opening ---------------------------------------------------------------

    def _make_private(self) -> None:
        """Create folder (0700) and file (0600) if missing; tighten a readable file."""
        folder = self.path.parent
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)  # whatever the umask
        elif folder == default_cache_path().parent:  # geo's own folder, maybe from an older geo
            _remove_group_and_other_access(folder)
        # An empty file is an empty SQLite database; creating it here sets its mode,
        # which SQLite then gives the -journal and -wal files too.
        os.close(os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o600))
        _remove_group_and_other_access(self.path)

    def connect(self) -> sqlite3.Connection:
        """Open the cache, creating it or adding this format's tables if needed.

        Raises DataError if the file cannot be made private or has another
        format, sqlite3.Error otherwise (:meth:`error` makes that one line).
        """
        try:
            self._make_private()
        except OSError as err:
            raise DataError(
                f"{self.path}: cannot open the geocoding cache privately "
                f"({_one_line(str(err))}); check the permissions of the file and its "
                f"folder, move it aside, or {_ELSEWHERE}"
            ) from err
        connection = sqlite3.connect(
            self.path, timeout=self.lock_wait_seconds, isolation_level=None
        )
        try:
            version = connection.execute("PRAGMA user_version").fetchall()[0][0]
            if version == 0:  # a new file, or one from an older geo: add this format's tables
                with self.locked(connection):
                    for statement in _CACHE_SCHEMA:  # not executescript: it would commit
                        connection.execute(statement)
            elif version != CACHE_FORMAT:
                raise DataError(
                    f"{self.path}: geocoding cache has format {version}, this geo reads "
                    f"format {CACHE_FORMAT}; use the geo that wrote it, or {_ELSEWHERE}"
                )
        except BaseException:
            connection.close()
            raise
        return connection

    def error(self, err: sqlite3.Error) -> DataError:
        """One actionable line for a failure to read, lock or write the cache."""
        if _is_busy(err):
            return DataError(
                f"{self.path}: another geo process is using this geocoding cache (locked "
                f"with no progress for {self.lock_wait_seconds:g} s); wait for it to finish "
                f"and retry, or {_ELSEWHERE}"
            )
        return DataError(
            f"{self.path}: not a usable geocoding cache (SQLite: {_one_line(str(err))}); "
            f"move it aside or {_ELSEWHERE}"
        )

    # -- the write lock --------------------------------------------------------

    def _begin_immediate(self, connection: sqlite3.Connection) -> None:
        """Take the write lock, waiting while other processes hold it and make progress.

        Gives up (sqlite3.OperationalError "database is locked") only after
        ``lock_wait_seconds`` in which no other connection committed anything.
        """
        connection.execute(f"PRAGMA busy_timeout = {round(_LOCK_POLL_SECONDS * 1000)}")
        try:
            deadline = time.monotonic() + self.lock_wait_seconds
            seen = None
            while True:
                try:
                    connection.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as err:
                    if not _is_busy(err) or time.monotonic() > deadline:
                        raise
                try:  # changes whenever another connection commits
                    version = connection.execute("PRAGMA data_version").fetchall()[0][0]
                except sqlite3.OperationalError as err:
                    if not _is_busy(err):  # busy: an exclusive lock, no news
                        raise
                    continue
                if seen is not None and version != seen:
                    deadline = time.monotonic() + self.lock_wait_seconds
                seen = version
        finally:
            connection.execute(f"PRAGMA busy_timeout = {round(self.lock_wait_seconds * 1000)}")

    @contextmanager
    def locked(self, connection: sqlite3.Connection) -> Iterator[None]:
        """Hold the write lock for the block; commit at its end, even on an error.

        Committing after a failed request keeps the time it ended, so that
        other processes still wait for the next slot.
        """
        self._begin_immediate(connection)
        try:
            yield
        finally:
            if connection.in_transaction:
                connection.execute("COMMIT")

    # -- rows ------------------------------------------------------------------

    def lookup(
        self, connection: sqlite3.Connection, key: _Key, wanted: int, *, warn: bool
    ) -> list[dict[str, Any]] | None:
        """Cached raw results covering ``wanted`` results, or None to ask the service.

        None also for an expired miss and for a damaged row (logged once if ``warn``).
        """
        rows = connection.execute(
            "SELECT results, result_limit, fetched_at FROM answers "
            "WHERE endpoint = ? AND query = ? AND country_codes = ?",
            key,
        ).fetchall()
        if not rows:
            return None
        try:
            raws, limit, fetched_at = _read_row(*rows[0])
        except _DamagedRow as problem:
            if warn:
                logger.warning(
                    "%s: cached answer for %s from %s is damaged (%s); asking again and "
                    "replacing it",
                    self.path, key.describe(), key.endpoint, problem,
                )
            return None
        if not raws and datetime.now(UTC) - fetched_at > timedelta(days=MISS_TTL_DAYS):
            return None
        # Fewer results than were asked for means the list is complete.
        if len(raws) < limit or limit >= wanted:
            return raws
        return None

    @staticmethod
    def store(
        connection: sqlite3.Connection, key: _Key, raws: list[dict[str, Any]], limit: int
    ) -> None:
        """Record one answer (or a miss); committed when the lock is released."""
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        connection.execute(
            "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
            (*key, json.dumps(raws), limit, fetched_at),
        )

    @staticmethod
    def last_request_at(connection: sqlite3.Connection, endpoint: str) -> float | None:
        """Unix time the last request to ``endpoint`` ended, by any process.

        None if there was none; now if the recorded time is damaged (wait a full slot).
        """
        rows = connection.execute(
            "SELECT last_request_at FROM requests WHERE endpoint = ?", (endpoint,)
        ).fetchall()
        if not rows:
            return None
        try:
            when = float(rows[0][0])
        except (TypeError, ValueError):
            return time.time()
        return when if math.isfinite(when) else time.time()

    @staticmethod
    def record_request(connection: sqlite3.Connection, endpoint: str) -> None:
        """Note that a request to ``endpoint`` ended now (call with the lock held)."""
        connection.execute(
            "INSERT OR REPLACE INTO requests VALUES (?, ?)", (endpoint, time.time())
        )


def _remove_group_and_other_access(path: Path) -> None:
    """chmod away group and other permissions (0644 -> 0600, 0755 -> 0700)."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:
        os.chmod(path, mode & 0o700)


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
        self._cache = _Cache(self.cache_path, lock_wait_seconds=self.lock_wait_seconds)
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
        key = _Key(self.url, _normalise_query(query), ",".join(codes))

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
        key: _Key,
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
            reason = _one_line(str(err))
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
