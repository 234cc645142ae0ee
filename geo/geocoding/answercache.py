"""The answer cache of the online geocoder: one SQLite file that processes share.

:class:`geo.geocoding.geocode.OnlineGeocoder` keeps every answer here (its module says how
processes share the file and space their requests); this module is the file itself.

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

import json
import logging
import math
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from geo.errors import DataError

__all__ = ["AnswerCache", "CACHE_FORMAT", "CacheKey", "LOCK_WAIT_MARGIN_SECONDS", "MISS_TTL_DAYS", "default_cache_path",
           "one_line"]

logger = logging.getLogger(__name__)

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


def one_line(text: str, *, max_chars: int = 200) -> str:
    """Collapse whitespace (and newlines) in an error text and cut it short."""
    line = " ".join(str(text).split())
    return line if len(line) <= max_chars else line[: max_chars - 3] + "..."


class CacheKey(NamedTuple):
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
        raise _DamagedRow(f"results are not JSON ({one_line(str(err), max_chars=60)})") from err
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
                    f"({one_line(repr(raw.get(field)), max_chars=40)})"
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


class AnswerCache:
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
                f"({one_line(str(err))}); check the permissions of the file and its "
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
            f"{self.path}: not a usable geocoding cache (SQLite: {one_line(str(err))}); "
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
        self, connection: sqlite3.Connection, key: CacheKey, wanted: int, *, warn: bool
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
        connection: sqlite3.Connection, key: CacheKey, raws: list[dict[str, Any]], limit: int
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
