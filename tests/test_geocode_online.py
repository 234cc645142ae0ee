"""Spec of geo.geocoding.geocode's online fallback, against a local Nominatim stub (never the internet)."""

from __future__ import annotations

import itertools
import json
import logging
import os
import random
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from geopy.location import Location

from geo.errors import DataError, GeocoderServiceError, GeoError, UnknownPlaceError
from geo.geocoding.geocode import (
    MIN_UNCERTAINTY_KM,
    MISS_TTL_DAYS,
    SOURCE_NOMINATIM,
    FallbackGeocoder,
    GeocoderOptionError,
    OnlineGeocoder,
    geocode_many,
)
from tests.nominatim_stub import NominatimStub, nominatim_place

USER_AGENT = "geo-tests/0.1 (tests@example.org)"


@pytest.fixture
def nominatim():
    """A started Nominatim stub on 127.0.0.1; stopped (threads joined) after the test."""
    with NominatimStub() as stub:
        yield stub
    assert not stub.running


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "nominatim.sqlite"


@pytest.fixture
def make_online(nominatim: NominatimStub, cache_path: Path):
    """Build OnlineGeocoders pointed at the stub, fast by default."""

    def make(**options) -> OnlineGeocoder:
        options = {
            "user_agent": USER_AGENT,
            "cache_path": cache_path,
            "domain": nominatim.domain,
            "scheme": "http",
            "timeout": 2.0,
            "min_delay_seconds": 0.0,
            "max_retries": 0,
            "error_wait_seconds": 0.0,
            **options,
        }
        return OnlineGeocoder(**options)

    return make


REPO = Path(__file__).resolve().parent.parent

# Clock granularity allowed when comparing the stub's arrival times with a delay.
CLOCK_SLACK_SECONDS = 0.005


def file_mode(path: Path) -> int:
    """Permission bits of a file or folder, from os.stat."""
    return stat.S_IMODE(os.stat(path).st_mode)


def gaps(requests) -> list[float]:
    """Seconds between consecutive arrivals at the stub (its own clock)."""
    arrivals = sorted(request.received_at for request in requests)
    return [later - earlier for earlier, later in itertools.pairwise(arrivals)]


@contextmanager
def umask(mask: int):
    """Run the block under another umask (process-wide; these tests are single-threaded)."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


@contextmanager
def another_connection(path: Path, begin: str | None = None):
    """A raw SQLite connection to the cache, as another process would hold it."""
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        if begin:
            connection.execute(begin)
        yield connection
        if connection.in_transaction:
            connection.execute("ROLLBACK")


def update_cached(path: Path, column: str, value) -> None:
    """Overwrite one column of every cached answer, behind the geocoder's back."""
    with another_connection(path) as connection:
        connection.execute(f"UPDATE answers SET {column} = ?", (value,))


class StubGazetteer:
    """Offline geocoder with the gazetteer's contract: a miss raises UnknownPlaceError."""

    def __init__(self, places: dict[str, tuple[float, float]]):
        self.places = places
        self.calls: list[tuple[str, dict]] = []

    def geocode(self, query, *, exactly_one=True, country_codes=None, hint=None):
        self.calls.append((query, {"country_codes": country_codes, "hint": hint}))
        if query not in self.places:
            raise UnknownPlaceError(
                f"{query!r}: no such place in the gazetteer", query=query, suggestions=["Kherson"]
            )
        location = Location(query, self.places[query], {"source": "gazetteer"})
        return location if exactly_one else [location]


class RecordingGeocoder:
    """Online-like geocoder that records its calls; knows a few places, else None."""

    def __init__(self, places: dict[str, tuple[float, float]]):
        self.places = places
        self.calls: list[tuple[str, dict]] = []

    def geocode(self, query, *, exactly_one=True, country_codes=None):
        self.calls.append((query, {"country_codes": country_codes}))
        if query not in self.places:
            return None
        return Location(query, self.places[query], {"source": SOURCE_NOMINATIM})


# -- parsing -----------------------------------------------------------------


def test_result_is_a_location_with_coordinates_and_raw(make_online, nominatim):
    location = make_online().geocode("Kherson")

    assert isinstance(location, Location)
    assert (location.latitude, location.longitude) == pytest.approx((46.6354, 32.6169))
    assert location.address == "Kherson, Kherson Oblast, Ukraine"
    assert location.raw["place_id"] == 101
    assert location.raw["boundingbox"] == ["46.5706", "46.7233", "32.4686", "32.7478"]
    assert location.raw["address"]["country_code"] == "ua"
    assert location.raw["source"] == SOURCE_NOMINATIM
    assert location.raw["uncertainty_km"] == pytest.approx(13.6, abs=0.05)
    (request,) = nominatim.requests
    assert request.path == "/search"
    assert request.params["q"] == "Kherson"
    assert request.params["limit"] == "1"


def test_uncertainty_is_floored_at_one_km(make_online):
    point = {"place_id": 1, "lat": "50.45", "lon": "30.52", "display_name": "Pin",
             "boundingbox": ["50.45", "50.45", "30.52", "30.52"]}
    with NominatimStub({"pin": [point]}) as stub:
        location = make_online(domain=stub.domain).geocode("Pin")

    assert location.raw["uncertainty_km"] == MIN_UNCERTAINTY_KM


def test_exactly_one_false_returns_every_match(make_online):
    locations = make_online().geocode("Odesa", exactly_one=False)

    assert [loc.raw["place_id"] for loc in locations] == [303, 304]


# -- cache -------------------------------------------------------------------


def test_identical_query_is_a_cache_hit_without_a_request(make_online, nominatim):
    online = make_online()
    first = online.geocode("Kherson")
    second = online.geocode("  kherson ")  # normalised to the same key

    assert nominatim.request_count == 1
    assert second.point == first.point
    assert second.raw == first.raw


def test_cache_persists_across_instances(make_online, nominatim, cache_path):
    make_online().geocode("Rzeszów")
    assert cache_path.exists()

    again = make_online().geocode("Rzeszów")

    assert nominatim.request_count == 1
    assert again.raw["place_id"] == 202


def test_cache_hit_skips_the_rate_limit_delay(make_online, nominatim):
    online = make_online(min_delay_seconds=0.3, error_wait_seconds=0.3)
    online.geocode("Kherson")

    started = time.monotonic()
    online.geocode("Kherson")

    assert time.monotonic() - started < 0.1
    assert nominatim.request_count == 1


def test_miss_returns_none_and_is_cached(make_online, nominatim):
    online = make_online()

    assert online.geocode("Atlantis") is None
    assert make_online().geocode("Atlantis") is None
    assert online.geocode("Atlantis", exactly_one=False) == []
    assert nominatim.request_count == 1


def test_country_codes_are_a_separate_cache_key(make_online, nominatim):
    online = make_online()

    assert online.geocode("Odesa", country_codes="us").raw["place_id"] == 304
    assert online.geocode("Odesa").raw["place_id"] == 303
    assert online.geocode("Odesa", country_codes=["US"]).raw["place_id"] == 304
    assert nominatim.request_count == 2


def test_cache_key_includes_the_endpoint(make_online, nominatim):
    with NominatimStub() as private:
        public_geocoder, private_geocoder = make_online(), make_online(domain=private.domain)
        for _ in range(2):
            public_geocoder.geocode("Kherson")
            private_geocoder.geocode("Kherson")

    assert nominatim.request_count == 1
    assert private.request_count == 1


@pytest.mark.parametrize(
    ("age_days", "asked_again"), [(MISS_TTL_DAYS - 1, False), (MISS_TTL_DAYS + 1, True)]
)
def test_cached_miss_is_asked_again_once_older_than_the_ttl(
    make_online, nominatim, cache_path, age_days, asked_again
):
    online = make_online()
    assert online.geocode("Atlantis") is None
    fetched_at = datetime.now(UTC) - timedelta(days=age_days)
    update_cached(cache_path, "fetched_at", fetched_at.isoformat(timespec="seconds"))

    assert online.geocode("Atlantis") is None
    assert online.geocode("Atlantis") is None  # a re-asked miss is fresh again

    assert nominatim.request_count == (2 if asked_again else 1)


def test_cached_hit_does_not_expire(make_online, nominatim, cache_path):
    online = make_online()
    online.geocode("Kherson")
    update_cached(cache_path, "fetched_at", "2001-01-01T00:00:00+00:00")

    assert online.geocode("Kherson").raw["place_id"] == 101
    assert nominatim.request_count == 1


DAMAGED_ROWS = {
    "results not JSON": ("results", '[{"lat": "46.63", "lon'),
    "results not a list": ("results", '{"lat": "46.63", "lon": "32.61"}'),
    "result not an object": ("results", "[46.63, 32.61]"),
    "result without lat": ("results", '[{"lon": "32.61", "display_name": "Kherson"}]'),
    "lat of the wrong type": (
        "results", '[{"lat": ["46.63"], "lon": "32.61", "display_name": "Kherson"}]'
    ),
    "lat out of range": ("results", '[{"lat": "NaN", "lon": "32.61", "display_name": "K"}]'),
    "result without display_name": ("results", '[{"lat": "46.63", "lon": "32.61"}]'),
    "result_limit not a number": ("result_limit", "one"),
    "fetched_at not a time": ("fetched_at", "last Tuesday"),
}


@pytest.mark.parametrize("column, value", DAMAGED_ROWS.values(), ids=DAMAGED_ROWS)
def test_damaged_row_is_asked_again_with_one_warning_line(
    make_online, nominatim, cache_path, caplog, column, value
):
    online = make_online()
    online.geocode("Kherson")
    update_cached(cache_path, column, value)
    caplog.set_level(logging.WARNING, logger="geo.geocoding.geocode")

    assert online.geocode("Kherson").raw["place_id"] == 101
    assert online.geocode("Kherson").raw["place_id"] == 101  # the row was replaced

    assert nominatim.request_count == 2
    (warning,) = caplog.records
    message = warning.getMessage()
    assert warning.levelno == logging.WARNING and warning.exc_info is None
    assert "\n" not in message
    assert message.startswith(f"{cache_path}: cached answer for 'kherson' ")
    assert message.endswith("; asking again and replacing it")


def test_cache_from_an_older_geo_is_not_trusted(make_online, nominatim, cache_path):
    cache_path.parent.mkdir()
    wrong = {"lat": "0.0", "lon": "0.0", "display_name": "From some other endpoint"}
    with closing(sqlite3.connect(cache_path)) as old, old:  # the schema before endpoints
        old.execute(
            "CREATE TABLE nominatim (query TEXT NOT NULL, country_codes TEXT NOT NULL, "
            "results TEXT NOT NULL, result_limit INTEGER NOT NULL, fetched_at TEXT NOT NULL, "
            "PRIMARY KEY (query, country_codes))"
        )
        old.execute(
            "INSERT INTO nominatim VALUES ('kherson', '', ?, 1, '2024-05-01T00:00:00+00:00')",
            (json.dumps([wrong]),),
        )

    assert make_online().geocode("Kherson").raw["place_id"] == 101
    assert make_online().geocode("Kherson").raw["place_id"] == 101
    assert nominatim.request_count == 1


def test_cache_of_an_unknown_format_is_one_line(make_online, nominatim, cache_path):
    make_online().geocode("Kherson")
    with another_connection(cache_path) as connection:
        connection.execute("PRAGMA user_version = 99")

    with pytest.raises(DataError) as caught:
        make_online().geocode("Kherson")

    message = str(caught.value)
    assert message.startswith(f"{cache_path}: geocoding cache has format 99")
    assert "pass another cache path (--cache)" in message and "\n" not in message


@pytest.mark.parametrize("kind", ["text file", "folder"])
def test_path_that_is_not_a_cache_is_one_line_naming_it(make_online, nominatim, cache_path, kind):
    cache_path.parent.mkdir()
    if kind == "folder":
        cache_path.mkdir()
    else:
        cache_path.write_text("place,lat,lon\nKherson,46.6354,32.6169\n" * 10)

    with pytest.raises(GeoError) as caught:
        make_online().geocode("Kherson")

    message = str(caught.value)
    assert message.startswith(f"{cache_path}: ")
    assert "move it aside" in message and "pass another cache path (--cache)" in message
    assert "\n" not in message and "delete" not in message
    assert nominatim.request_count == 0


# -- privacy -------------------------------------------------------------------


def test_cache_folder_and_file_are_private_whatever_the_umask(make_online, cache_path):
    with umask(0o000):
        make_online().geocode("Kherson")

    assert file_mode(cache_path.parent) == 0o700
    assert file_mode(cache_path) == 0o600


def test_sqlite_side_files_are_as_private_as_the_cache(make_online, cache_path):
    with umask(0o000):
        make_online().geocode("Kherson")
        with another_connection(cache_path, "BEGIN IMMEDIATE") as writer:
            writer.execute("DELETE FROM answers")
            assert file_mode(Path(f"{cache_path}-journal")) == 0o600
        with another_connection(cache_path) as writer:
            writer.execute("PRAGMA journal_mode = WAL")
            writer.execute("DELETE FROM answers")
            assert file_mode(Path(f"{cache_path}-wal")) == 0o600
            assert file_mode(Path(f"{cache_path}-shm")) == 0o600


def test_readable_cache_file_is_made_private(make_online, cache_path):
    make_online().geocode("Kherson")
    os.chmod(cache_path, 0o644)
    os.chmod(cache_path.parent, 0o755)  # a folder of the user's choosing

    assert make_online().geocode("Kherson").raw["place_id"] == 101

    assert file_mode(cache_path) == 0o600
    assert file_mode(cache_path.parent) == 0o755


def test_geos_own_cache_folder_is_made_private(make_online, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "geo"
    folder.mkdir(parents=True, mode=0o755)
    os.chmod(folder, 0o755)  # as an older geo left it
    (folder / "nominatim.sqlite").touch(mode=0o644)
    os.chmod(folder / "nominatim.sqlite", 0o644)

    make_online(cache_path=None).geocode("Kherson")

    assert file_mode(folder) == 0o700
    assert file_mode(folder / "nominatim.sqlite") == 0o600


# -- one cache, many processes -----------------------------------------------------


def test_processes_sharing_a_cache_ask_each_name_once_and_space_their_requests(cache_path):
    delay = 0.2
    names = [f"Place {number}" for number in range(1, 13)]
    known = {  # the last three are misses, which are cached too
        name.lower(): [
            nominatim_place(
                number, name, 50 + number / 10, 30.5, (50.0, 51.5, 30.0, 31.0),
                country_code="ua", display_name=f"{name}, Ukraine",
            )
        ]
        for number, name in enumerate(names[:9], start=1)
    }
    with NominatimStub(known) as stub:
        jobs, workers = [], []
        for number in range(4):
            shuffle = random.Random(number)
            asked = names + shuffle.sample(names, 6)
            shuffle.shuffle(asked)
            options = {
                "user_agent": f"geo-tests/0.1 worker-{number} (tests@example.org)",
                "cache_path": str(cache_path),
                "domain": stub.domain,
                "scheme": "http",
                "timeout": 5.0,
                "min_delay_seconds": delay,
                "max_retries": 0,
                "error_wait_seconds": delay,
            }
            jobs.append(asked)
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tests.geocode_worker",
                     json.dumps({"options": options, "names": asked})],
                    cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, text=True,
                )
            )
        try:
            assert [worker.stdout.readline() for worker in workers] == ["ready\n"] * 4
            for worker in workers:  # all start together, once their imports are done
                worker.stdin.write("go\n")
                worker.stdin.flush()
            outputs = [worker.communicate(timeout=60) for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.communicate()
        requests = list(stub.requests)

    for asked, worker, (stdout, stderr) in zip(jobs, workers, outputs):
        assert worker.returncode == 0, stderr
        expected = [known[name.lower()][0]["place_id"] if name.lower() in known else None
                    for name in asked]
        assert json.loads(stdout) == expected
    assert sorted(request.params["q"] for request in requests) == sorted(names)
    assert min(gaps(requests)) >= delay - CLOCK_SLACK_SECONDS
    assert len({request.headers["User-Agent"] for request in requests}) > 1  # really shared


def test_geocoders_sharing_a_cache_share_the_rate_limit(make_online, nominatim):
    first = make_online(min_delay_seconds=0.3, error_wait_seconds=0.3)
    second = make_online(min_delay_seconds=0.3, error_wait_seconds=0.3)

    first.geocode("Kherson")
    second.geocode("Rzeszów")
    second.geocode("Kherson")  # first's answer, no request
    first.geocode("Odesa")

    assert [request.params["q"] for request in nominatim.requests] == [
        "Kherson", "Rzeszów", "Odesa"
    ]
    assert min(gaps(nominatim.requests)) >= 0.3 - CLOCK_SLACK_SECONDS


def test_failed_request_still_counts_for_the_rate_limit(make_online, nominatim):
    nominatim.fail(500)
    with pytest.raises(GeocoderServiceError):
        make_online(min_delay_seconds=0.3, error_wait_seconds=0.3).geocode("Kherson")
    nominatim.fail_status = None

    make_online(min_delay_seconds=0.3, error_wait_seconds=0.3).geocode("Kherson")

    assert nominatim.request_count == 2
    assert min(gaps(nominatim.requests)) >= 0.3 - CLOCK_SLACK_SECONDS


def test_cache_hit_needs_no_lock_while_another_process_fetches(make_online, nominatim, cache_path):
    make_online().geocode("Kherson")

    with another_connection(cache_path, "BEGIN IMMEDIATE"):  # mid-request elsewhere
        started = time.monotonic()
        location = make_online(lock_wait_seconds=5.0).geocode("Kherson")
        elapsed = time.monotonic() - started

    assert location.raw["place_id"] == 101
    assert elapsed < 1.0
    assert nominatim.request_count == 1


def test_miss_waits_for_another_process_to_finish_its_request(make_online, nominatim, cache_path):
    make_online().geocode("Kherson")

    def finish_request_in(seconds: float, ready: threading.Event) -> None:
        with another_connection(cache_path, "BEGIN IMMEDIATE"):
            ready.set()
            time.sleep(seconds)

    ready = threading.Event()
    other = threading.Thread(target=finish_request_in, args=(0.5, ready))
    other.start()
    ready.wait(5)
    started = time.monotonic()
    location = make_online(lock_wait_seconds=5.0).geocode("Rzeszów")
    elapsed = time.monotonic() - started
    other.join()

    assert location.raw["place_id"] == 202
    assert elapsed >= 0.4
    assert nominatim.request_count == 2


def test_lock_wait_starts_again_while_other_processes_make_progress(
    make_online, nominatim, cache_path
):
    make_online().geocode("Kherson")
    with another_connection(cache_path) as connection:
        connection.execute("CREATE TABLE elsewhere (n INTEGER)")

    def busy_but_progressing(ready: threading.Event) -> None:
        # 4 x 0.3 s, each ending in a commit: longer in all than the 0.7 s wait below.
        with another_connection(cache_path) as connection:
            for number in range(4):
                connection.execute("BEGIN IMMEDIATE")
                ready.set()
                connection.execute("INSERT INTO elsewhere VALUES (?)", (number,))
                time.sleep(0.3)
                connection.execute("COMMIT")

    ready = threading.Event()
    other = threading.Thread(target=busy_but_progressing, args=(ready,))
    other.start()
    ready.wait(5)
    try:
        location = make_online(lock_wait_seconds=0.7).geocode("Rzeszów")
    finally:
        other.join()

    assert location.raw["place_id"] == 202


@pytest.mark.parametrize("begin", ["BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"])
def test_cache_locked_beyond_the_wait_is_one_line_naming_it(
    make_online, nominatim, cache_path, begin
):
    make_online().geocode("Kherson")

    with another_connection(cache_path, begin), pytest.raises(DataError) as caught:
        started = time.monotonic()
        make_online(lock_wait_seconds=0.3).geocode("Rzeszów")
    elapsed = time.monotonic() - started

    message = str(caught.value)
    assert isinstance(caught.value, GeoError)
    assert message.startswith(f"{cache_path}: another geo process is using this ")
    assert "wait for it to finish and retry, or pass another cache path (--cache)" in message
    assert "\n" not in message and "delete" not in message
    assert elapsed >= 0.3
    assert nominatim.request_count == 1


def test_default_lock_wait_outlasts_the_slowest_request_of_another_process(cache_path):
    online = OnlineGeocoder(
        user_agent=USER_AGENT, cache_path=cache_path,
        timeout=7.0, min_delay_seconds=2.0, max_retries=3, error_wait_seconds=4.0,
    )

    assert online.lock_wait_seconds > 2.0 + (3 + 1) * 7.0 + 3 * 4.0


# -- request -----------------------------------------------------------------


def test_server_receives_the_given_user_agent(make_online, nominatim):
    make_online().geocode("Kherson")

    assert nominatim.requests[0].headers["User-Agent"] == USER_AGENT


def test_country_codes_are_sent_as_countrycodes(make_online, nominatim):
    online = make_online(country_codes="UA")
    assert online.geocode("Rzeszów") is None  # the instance default filters out Poland
    online.geocode("Odesa", country_codes=["pl", "UA"])

    assert nominatim.requests[0].params["countrycodes"] == "ua"
    assert nominatim.requests[1].params["countrycodes"] == "pl,ua"


def test_rate_limiter_spaces_uncached_requests(make_online, nominatim):
    online = make_online(min_delay_seconds=0.3, error_wait_seconds=0.3)

    online.geocode("Kherson")
    online.geocode("Rzeszów")

    first, second = nominatim.requests
    # Server-side arrival times; allow a few ms of jitter between client and server.
    assert second.received_at - first.received_at >= 0.3 - 0.01


# -- failures ----------------------------------------------------------------


def test_server_error_is_one_clear_line_and_cached_results_survive(make_online, nominatim):
    online = make_online()
    online.geocode("Kherson")
    nominatim.fail(500)

    with pytest.raises(GeocoderServiceError) as caught:
        online.geocode("Rzeszów")

    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    assert f"http://{nominatim.domain}/search" in message
    assert "'Rzeszów'" in message
    assert "500" in message
    assert "check the network or run offline" in message
    assert caught.value.__cause__ is not None
    assert isinstance(caught.value, (GeoError, ConnectionError))
    assert online.geocode("Kherson").raw["place_id"] == 101  # from the cache
    assert nominatim.request_count == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_http_errors_name_the_status(make_online, nominatim, status):
    nominatim.fail(status)

    with pytest.raises(GeocoderServiceError, match=f"status code {status}") as caught:
        make_online().geocode("Kherson")

    assert "\n" not in str(caught.value)


def test_transient_errors_are_retried(make_online, nominatim):
    nominatim.fail(500)

    with pytest.raises(GeocoderServiceError):
        make_online(max_retries=2).geocode("Kherson")

    assert nominatim.request_count == 3


def test_each_retry_logs_one_line_without_a_traceback(make_online, nominatim, caplog):
    nominatim.fail(500)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(GeocoderServiceError):
        make_online(max_retries=2, error_wait_seconds=0.05).geocode("Kherson")

    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [record.name for record in warnings] == ["geo.geocoding.geocode", "geo.geocoding.geocode"]
    for number, record in enumerate(warnings, start=1):
        message = record.getMessage()
        assert message.startswith(f"Nominatim at http://{nominatim.domain}/search: ")
        assert "500" in message and "Kherson" not in message and "\n" not in message
        assert message.endswith(f"; retry {number} of 2 in 0.05 s")
    assert not any(record.exc_info or record.exc_text for record in caplog.records)
    assert "Traceback" not in caplog.text
    assert nominatim.request_count == 3


def test_refused_query_is_not_retried(make_online, nominatim):
    nominatim.fail(403)

    with pytest.raises(GeocoderServiceError, match="check the query and the user_agent"):
        make_online(max_retries=2).geocode("Kherson")

    assert nominatim.request_count == 1


def test_timeout_raises_service_error(make_online, nominatim):
    nominatim.delay_seconds = 2.0

    started = time.monotonic()
    with pytest.raises(GeocoderServiceError, match="no answer within 0.2 s.*check the network"):
        make_online(timeout=0.2).geocode("Kherson")

    assert time.monotonic() - started < 1.5
    assert nominatim.request_count == 1  # max_retries=0: no hidden retries below geopy


def test_connection_refused_raises_service_error(make_online, cache_path):
    with NominatimStub() as gone:
        domain = gone.domain  # a port that is free again once the stub stops

    with pytest.raises(GeocoderServiceError, match=f"http://{domain}/search"):
        make_online(domain=domain).geocode("Kherson")


# -- options -----------------------------------------------------------------


@pytest.mark.parametrize("user_agent", [None, "", "   ", "geopy/2.5.0", "my-application"])
def test_user_agent_is_required(user_agent, cache_path):
    with pytest.raises(GeocoderOptionError, match="user_agent") as caught:
        OnlineGeocoder(user_agent=user_agent, cache_path=cache_path)

    assert isinstance(caught.value, GeoError)
    assert isinstance(caught.value, ValueError)
    assert "e.g. user_agent=" in str(caught.value)


def test_lock_wait_must_be_positive(cache_path):
    with pytest.raises(GeocoderOptionError, match="lock_wait_seconds 0 must be > 0"):
        OnlineGeocoder(user_agent=USER_AGENT, cache_path=cache_path, lock_wait_seconds=0)


def test_construction_touches_no_disk(cache_path):
    OnlineGeocoder(user_agent=USER_AGENT, cache_path=cache_path)

    assert not cache_path.parent.exists()


# -- FallbackGeocoder ----------------------------------------------------------


def test_fallback_is_not_asked_when_the_primary_knows_the_place():
    primary = StubGazetteer({"Kherson": (46.64, 32.62)})
    fallback = RecordingGeocoder({"Kherson": (0.0, 0.0)})

    location = FallbackGeocoder(primary, fallback).geocode("Kherson")

    assert location.raw["source"] == "gazetteer"
    assert fallback.calls == []


def test_fallback_answers_a_primary_miss_and_gets_no_hint():
    primary = StubGazetteer({})
    fallback = RecordingGeocoder({"Chornobaivka": (46.69, 32.55)})

    location = FallbackGeocoder(primary, fallback).geocode(
        "Chornobaivka", country_codes="ua", hint="Kherson Oblast"
    )

    assert location.raw["source"] == SOURCE_NOMINATIM
    assert primary.calls == [("Chornobaivka", {"country_codes": "ua", "hint": "Kherson Oblast"})]
    assert fallback.calls == [("Chornobaivka", {"country_codes": "ua"})]


def test_both_missing_reraises_the_primary_error_with_suggestions():
    fallback = RecordingGeocoder({})

    with pytest.raises(UnknownPlaceError) as caught:
        FallbackGeocoder(StubGazetteer({}), fallback).geocode("Khersn")

    assert caught.value.query == "Khersn"
    assert caught.value.suggestions == ["Kherson"]
    assert "gazetteer" in str(caught.value)
    assert len(fallback.calls) == 1


def test_without_fallback_the_primary_error_propagates():
    with pytest.raises(UnknownPlaceError, match="Khersn"):
        FallbackGeocoder(StubGazetteer({})).geocode("Khersn")


def test_fallback_to_online_geocoder(make_online, nominatim):
    both = FallbackGeocoder(StubGazetteer({}), make_online())

    location = both.geocode("Kherson", country_codes=["ua"], hint="Kherson Oblast")

    assert location.raw["source"] == SOURCE_NOMINATIM
    assert nominatim.requests[0].params["countrycodes"] == "ua"


# -- geocode_many ------------------------------------------------------------


def test_geocode_many_collects_results_in_order(make_online, nominatim):
    results = geocode_many(["Kherson", "Atlantis", "Kherson"], make_online(), progress=True)

    assert [r and r.raw["place_id"] for r in results] == [101, None, 101]
    assert nominatim.request_count == 2


def test_geocode_many_failure_says_how_many_were_resolved_and_keeps_them(make_online, nominatim):
    nominatim.fail(500, after=2)

    with pytest.raises(GeocoderServiceError, match="2 of 3 queries were resolved") as caught:
        geocode_many(["Kherson", "Rzeszów", "Odesa"], make_online())

    assert "\n" not in str(caught.value)
    nominatim.fail_status = None
    resumed = geocode_many(["Kherson", "Rzeszów", "Odesa"], make_online())
    assert [r.raw["place_id"] for r in resumed] == [101, 202, 303]
    assert nominatim.request_count == 4  # 2 answered, 1 failed, then only Odesa again
