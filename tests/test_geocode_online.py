"""Spec of geo.geocode's online fallback, against a local Nominatim stub (never the internet)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from geopy.location import Location

from geo.errors import GeocoderServiceError, GeoError, UnknownPlaceError
from geo.geocode import (
    MIN_UNCERTAINTY_KM,
    SOURCE_NOMINATIM,
    FallbackGeocoder,
    GeocoderOptionError,
    OnlineGeocoder,
    geocode_many,
)
from tests.nominatim_stub import NominatimStub

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
