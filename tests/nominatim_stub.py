"""A local stand-in for Nominatim's ``/search``, for tests that must never go online.

:class:`NominatimStub` serves a fixed table of places on ``127.0.0.1`` at a free
port, in Nominatim's JSON shape (``format=json`` or ``jsonv2``; ``limit``,
``countrycodes`` and ``addressdetails`` honoured).  It records every request
(path, parameters, headers, arrival time) and can be told to fail with an HTTP
status or to answer too slowly.  Use it as a context manager so the server and
all its threads are gone when the test ends.

The places are rounded from OpenStreetMap (© OpenStreetMap contributors, ODbL);
ids and importances are made up.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["PLACES", "RecordedRequest", "NominatimStub", "nominatim_place"]

LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"


def nominatim_place(
    place_id: int,
    name: str,
    lat: float,
    lon: float,
    boundingbox: tuple[float, float, float, float],
    *,
    country_code: str,
    display_name: str,
    osm_type: str = "relation",
    category: str = "boundary",
    type_: str = "administrative",
    importance: float = 0.5,
) -> dict[str, Any]:
    """One search result in Nominatim's jsonv2 shape (numbers as strings, like the API).

    Examples
    --------
    >>> place = nominatim_place(1, "Kyiv", 50.45, 30.52, (50.21, 50.59, 30.24, 30.83),
    ...                         country_code="ua", display_name="Kyiv, Ukraine")
    >>> place["lat"], place["boundingbox"][0], place["address"]["country_code"]
    ('50.45', '50.21', 'ua')
    """
    south, north, west, east = boundingbox
    return {
        "place_id": place_id,
        "licence": LICENCE,
        "osm_type": osm_type,
        "osm_id": place_id * 10,
        "lat": str(lat),
        "lon": str(lon),
        "category": category,
        "type": type_,
        "place_rank": 16,
        "importance": importance,
        "addresstype": "city",
        "name": name,
        "display_name": display_name,
        "address": {"city": name, "country_code": country_code},
        "boundingbox": [str(south), str(north), str(west), str(east)],
    }


# Lower-case query -> results, best first.
PLACES: dict[str, list[dict[str, Any]]] = {
    "kherson": [
        nominatim_place(
            101, "Kherson", 46.6354, 32.6169, (46.5706, 46.7233, 32.4686, 32.7478),
            country_code="ua", display_name="Kherson, Kherson Oblast, Ukraine",
            importance=0.62,
        ),
    ],
    "rzeszów": [
        nominatim_place(
            202, "Rzeszów", 50.0412, 21.9991, (49.9857, 50.0911, 21.9215, 22.0839),
            country_code="pl", display_name="Rzeszów, Podkarpackie Voivodeship, Poland",
            importance=0.58,
        ),
    ],
    "odesa": [
        nominatim_place(
            303, "Odesa", 46.4825, 30.7233, (46.3423, 46.6318, 30.6114, 30.8323),
            country_code="ua", display_name="Odesa, Odesa Oblast, Ukraine", importance=0.66,
        ),
        nominatim_place(
            304, "Odessa", 31.8457, -102.3676, (31.7911, 31.9258, -102.4396, -102.2543),
            country_code="us", display_name="Odessa, Ector County, Texas, United States",
            importance=0.45,
        ),
    ],
}


@dataclass(frozen=True)
class RecordedRequest:
    """One request the stub received."""

    path: str
    params: dict[str, str]
    headers: dict[str, str]
    received_at: float  # time.monotonic() seconds


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.stub._answer(self)

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass


class _Server(ThreadingHTTPServer):
    # Handler threads are joined by server_close(), so none outlives the stub.
    daemon_threads = False
    block_on_close = True

    def __init__(self, stub: NominatimStub):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stub = stub


class NominatimStub:
    """Local HTTP server answering ``/search`` like Nominatim.

    Parameters
    ----------
    places : dict, optional
        Lower-case query -> list of jsonv2 results; default :data:`PLACES`.

    Attributes
    ----------
    requests : list of RecordedRequest
        Every request received, in order.
    fail_status : int or None
        HTTP status to answer with instead of results (e.g. 500).
    fail_after : int
        Number of requests answered normally before ``fail_status`` applies.
    delay_seconds : float
        Seconds to wait before answering (to provoke client timeouts).

    Examples
    --------
    >>> import urllib.request
    >>> with NominatimStub() as stub:
    ...     url = f"{stub.url}/search?q=Kherson&format=json"
    ...     with urllib.request.urlopen(url, timeout=5) as answer:
    ...         print(json.load(answer)[0]["lat"], stub.request_count)
    46.6354 1
    """

    def __init__(self, places: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.places = PLACES if places is None else places
        self.requests: list[RecordedRequest] = []
        self.fail_status: int | None = None
        self.fail_after = 0
        self.delay_seconds = 0.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> NominatimStub:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Cut slow answers short, stop serving and join every thread."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> NominatimStub:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    # -- addresses -------------------------------------------------------------

    @property
    def domain(self) -> str:
        """``127.0.0.1:PORT``, for ``OnlineGeocoder(domain=..., scheme="http")``."""
        assert self._server is not None, "start() the stub first"
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.domain}"

    @property
    def request_count(self) -> int:
        """How many requests arrived (of any path)."""
        with self._lock:
            return len(self.requests)

    def fail(self, status: int = 500, *, after: int = 0) -> None:
        """Answer ``status`` to every request after the next ``after`` ones."""
        with self._lock:
            self.fail_status = status
            self.fail_after = len(self.requests) + after

    # -- answering -------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        params = {key: values[-1] for key, values in parse_qs(split.query).items()}
        with self._lock:
            number = len(self.requests)
            self.requests.append(
                RecordedRequest(
                    split.path, params, dict(handler.headers.items()), time.monotonic()
                )
            )
            failing = self.fail_status is not None and number >= self.fail_after
        if self.delay_seconds and self._stopping.wait(self.delay_seconds):
            return  # the stub is stopping; the client gave up long ago
        if failing:
            self._send(handler, self.fail_status, {"error": "stub failure"})
        elif split.path.rstrip("/") != "/search":
            self._send(handler, 404, {"error": f"no such endpoint {split.path}"})
        else:
            self._send(handler, 200, self._search(params))

    def _search(self, params: dict[str, str]) -> list[dict[str, Any]]:
        results = self.places.get(" ".join(params.get("q", "").split()).lower(), [])
        codes = {c.strip().lower() for c in params.get("countrycodes", "").split(",") if c.strip()}
        if codes:
            results = [r for r in results if r.get("address", {}).get("country_code") in codes]
        results = results[: int(params.get("limit", 10))]
        answered = []
        for result in results:
            result = dict(result)
            if params.get("format", "xml") != "jsonv2" and "category" in result:
                result["class"] = result.pop("category")  # format=json says "class"
                result.pop("place_rank", None)
            if params.get("addressdetails") != "1":
                result.pop("address", None)
            answered.append(result)
        return answered

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and hung up
