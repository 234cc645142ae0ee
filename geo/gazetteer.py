"""Offline gazetteer: place names to coordinates, with geopy's geocoder contract.

:class:`Gazetteer` answers like :class:`geopy.geocoders.Nominatim` (a
:class:`geopy.location.Location`, or a ranked list) from the shipped tables
``data/places.parquet`` and ``data/place_names.parquet`` (built by
``scripts/build_gazetteer.py`` from GeoNames cities500 and
``data/curated_places.yaml``).  It never touches the network.

Matching, in tiers (every tier that finds something contributes; fuzzy runs
only when the first two find nothing in the allowed countries):

1. ``"exact"``: the query equals a spelling, ignoring case (Unicode NFC, then
   :meth:`str.casefold`);
2. ``"folded"``: a romanisation-insensitive key of the query
   (:func:`geo.names.fold_keys`) equals a key of a spelling
   (*Naroulia* ~ *Narovlya* ~ *Наровля*);
3. ``"fuzzy"``: :func:`rapidfuzz.fuzz.ratio` between folded keys is at least
   :data:`FUZZY_CUTOFF` (typos such as *Zhlbin*).

Ranking, best first:

1. the ``hint``: places in a hinted region, then in a hinted country, then the rest;
2. the match tier (exact, folded, fuzzy), then the fuzzy score;
3. the kind: a named area or reserve, then city, town, village;
4. population, largest first;
5. ``place_id``, so that ties are broken the same way every time.

``country_codes`` filters (like Nominatim's); ``hint`` only reorders.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
from geopy.adapters import BaseSyncAdapter
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point
from rapidfuzz import fuzz, process

from .datafiles import PLACE_NAMES, PLACES, data_path
from .errors import DataError, GeocoderOptionError, GeoError, UnknownPlaceError
from .names import fold_keys

__all__ = ["Gazetteer", "FUZZY_CUTOFF", "MATCH_TIERS", "KIND_RANK"]

#: Minimum :func:`rapidfuzz.fuzz.ratio` (0-100) between folded keys for a fuzzy match.
FUZZY_CUTOFF = 85.0
#: Minimum ratio for a name to be offered as a suggestion after a miss.
SUGGESTION_CUTOFF = 60.0
#: Match tiers, best first (``raw["match"]``).
MATCH_TIERS = ("exact", "folded", "fuzzy")
#: Rank of each kind of place (lower ranks first); unknown kinds rank with villages.
KIND_RANK = {"area": 0, "reserve": 0, "city": 1, "town": 2, "village": 3}
#: Country names for ``Location.address``; other codes are shown as they are.
COUNTRY_NAMES = {
    "BY": "Belarus", "UA": "Ukraine", "PL": "Poland", "LT": "Lithuania", "LV": "Latvia",
    "EE": "Estonia", "MD": "Moldova", "RO": "Romania", "SK": "Slovakia", "HU": "Hungary",
    "RU": "Russia",
}
_HINT_REGION, _HINT_COUNTRY, _HINT_NONE = 0, 1, 2


class _NoNetworkAdapter(BaseSyncAdapter):
    """geopy adapter that refuses every request: the gazetteer is offline."""

    def get_json(self, url, *, timeout, headers):  # noqa: D102 - geopy interface
        raise GeoError(f"Gazetteer is offline and does not fetch {url}")

    get_text = get_json


@lru_cache(maxsize=16384)
def _normalise(query: str) -> tuple[str, tuple[str, ...]]:
    """(exact key, folded keys) of a query; memoised, queries repeat in batches."""
    text = unicodedata.normalize("NFC", query).strip()
    return _casefold(text), fold_keys(text)


@lru_cache(maxsize=65536)
def _casefold(spelling: str) -> str:
    return unicodedata.normalize("NFC", spelling).casefold()


class _Tables:
    """The two tables, read once, with the lookup index.

    Only what ranking needs is turned into Python lists up front; the other
    place columns are converted on first use, and the names table stays in
    Arrow, sliced per lookup (the build sorts it by key), so loading stays fast.
    """

    _RANKING = ("place_id", "country", "region_id", "region", "kind", "population")

    def __init__(self, places, names):
        self._places = places
        for column in self._RANKING:
            setattr(self, column, places.column(column).to_pylist())
        keys = names.column("key").combine_chunks()  # dictionary-encoded, sorted by the build
        # rows where the key changes; to_pylist, as to_numpy/take would import pandas (0.4 s)
        changed = pc.indices_nonzero(pc.not_equal(keys.indices[1:], keys.indices[:-1]))
        self.keys: list[str] = keys.dictionary.to_pylist()  # unique folded keys, sorted
        # (+1 in Python: pc.add with a Python scalar imports pandas, 0.25 s)
        self._starts: list[int] = [0, *(row + 1 for row in changed.to_pylist()), len(keys)]
        self._variant = names.column("variant").combine_chunks()
        self._place = names.column("place").combine_chunks()
        self._rows: dict[str, list[tuple[int, str]]] = {}  # per-key memo, at most len(keys)
        self._address_point: dict[int, tuple[str, Point]] = {}  # per-place memo (Points are immutable)

    def __getattr__(self, column: str) -> list:
        # Only called for columns not converted yet: name, lat, lon, uncertainty_km, source.
        if column.startswith("_") or column not in self._places.column_names:
            raise AttributeError(column)
        values = self._places.column(column).to_pylist()
        setattr(self, column, values)
        return values

    def address_point(self, place: int) -> tuple[str, Point]:
        """``("Name, Region, Country", Point(lat, lon))`` of a place, built once."""
        found = self._address_point.get(place)
        if found is None:
            country = self.country[place]
            parts = (self.name[place], self.region[place], COUNTRY_NAMES.get(country, country))
            found = self._address_point[place] = (
                ", ".join(part for part in parts if part), Point(self.lat[place], self.lon[place])
            )
        return found

    def rows(self, key: str) -> list[tuple[int, str]]:
        """(place, spelling) of every name whose folded key is ``key``."""
        found = self._rows.get(key)
        if found is None:
            i = bisect_left(self.keys, key)
            if i == len(self.keys) or self.keys[i] != key:
                return []
            start, count = self._starts[i], self._starts[i + 1] - self._starts[i]
            found = self._rows[key] = list(
                zip(self._place.slice(start, count).to_pylist(), self._variant.slice(start, count).to_pylist())
            )
        return found


def _load_tables(data_dir: Path | None) -> _Tables:
    paths = [(Path(data_dir) / name) if data_dir else data_path(name) for name in (PLACES, PLACE_NAMES)]
    try:  # ParquetFile.read avoids importing pyarrow.dataset (0.4 s) as read_table does
        places = pq.ParquetFile(paths[0]).read()
        names = pq.ParquetFile(paths[1], read_dictionary=["key"]).read(columns=["key", "variant", "place"])
    except (OSError, ValueError) as err:  # pyarrow raises both for missing/corrupt files
        raise DataError(
            f"{err}: cannot read the gazetteer; rebuild it with "
            "'python scripts/build_gazetteer.py --sources <data-sources> --out data'"
        ) from err
    return _Tables(places, names)


def _codes(country_codes: str | Sequence[str] | None) -> frozenset[str] | None:
    if country_codes is None:
        return None
    codes = [country_codes] if isinstance(country_codes, str) else list(country_codes)
    bad = [code for code in codes if not (isinstance(code, str) and len(code) == 2 and code.isalpha())]
    if bad:
        raise GeocoderOptionError(
            f"country_codes: {bad!r} are not ISO 3166-1 alpha-2 codes (e.g. 'BY', ['by', 'ua'])"
        )
    return frozenset(code.upper() for code in codes)


def _hints(hint: str | Sequence[str] | None) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Split hints into (countries, region ids, folded region names)."""
    if hint is None:
        return frozenset(), frozenset(), frozenset()
    items = [hint] if isinstance(hint, str) else list(hint)
    countries, regions, names = set(), set(), set()
    for item in items:
        item = str(item).strip()
        if len(item) == 2 and item.isalpha():
            countries.add(item.upper())
        elif len(item) > 3 and item[2] == "-" and item[:2].isalpha() and " " not in item:
            regions.add(item.upper())
        else:
            names.update(fold_keys(item))
    return frozenset(countries), frozenset(regions), frozenset(names)


class Gazetteer(Geocoder):
    """Offline geocoder over the shipped gazetteer, with geopy's contract.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Directory holding ``places.parquet`` and ``place_names.parquet``;
        default :func:`geo.datafiles.data_dir`.  Files are read on first use.

    Examples
    --------
    >>> gazetteer = Gazetteer()
    >>> loyew = gazetteer.geocode("Loyew")
    >>> loyew.address
    'Loyev, Homel, Belarus'
    >>> print(f"{loyew.latitude:.3f} {loyew.longitude:.3f} {loyew.raw['match']}")
    51.941 30.793 exact
    >>> gazetteer.geocode("Naroulia").raw["match"]
    'folded'
    >>> [place.raw["country"] for place in gazetteer.geocode("Gorki", exactly_one=False, limit=2)]
    ['RU', 'BY']
    """

    def __init__(self, *, data_dir: str | Path | None = None) -> None:
        super().__init__(adapter_factory=_NoNetworkAdapter, user_agent="geo-gazetteer (offline)")
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._tables: _Tables | None = None

    def __repr__(self) -> str:
        return f"Gazetteer(data_dir={str(self.data_dir) if self.data_dir else None!r})"

    @property
    def tables(self) -> _Tables:
        """The loaded tables and indexes (read on first access)."""
        if self._tables is None:
            self._tables = _load_tables(self.data_dir)
        return self._tables

    def __len__(self) -> int:
        """Number of places."""
        return len(self.tables.place_id)

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: str | Sequence[str] | None = None,
        hint: str | Sequence[str] | None = None,
        limit: int | None = None,
        fuzzy: bool = True,
        timeout: float | None = None,
    ) -> Location | list[Location]:
        """Return the best place for a name, or a ranked list of candidates.

        Parameters
        ----------
        query : str
            A place name in any script or romanisation.
        exactly_one : bool, default True
            Return the best :class:`~geopy.location.Location`; if False, a
            list ranked best first.
        country_codes : str or sequence of str, optional
            ISO alpha-2 codes (any case); only places in these countries match.
        hint : str or sequence of str, optional
            Country code (``"BY"``), region id (``"BY-HO"``) or region name
            (``"Homel"``) whose places rank first; nothing is excluded.
        limit : int, optional
            Longest list returned when ``exactly_one`` is False (default all).
        fuzzy : bool, default True
            Allow the fuzzy tier (typos) when exact and folded matching fail.
        timeout : float, optional
            Accepted for geopy compatibility and ignored (no network).

        Returns
        -------
        geopy.location.Location or list of Location
            ``address`` is ``"Name, Region, Country"``, ``point`` is
            (lat, lon), ``raw`` a dict with ``place_id``, ``name``,
            ``matched`` (the spelling matched), ``match`` (a
            :data:`MATCH_TIERS` value), ``score`` (0-100: 100 for exact and
            folded, the key ratio for fuzzy), ``country``, ``region_id``,
            ``region``, ``kind``, ``population``, ``uncertainty_km``, ``lat``,
            ``lon`` and ``source``.

        Raises
        ------
        geo.errors.GeocoderOptionError
            Blank query, bad ``country_codes`` or ``limit`` (a ``ValueError``).
        geo.errors.UnknownPlaceError
            Nothing matches; ``.suggestions`` lists the closest names.

        Examples
        --------
        >>> gazetteer = Gazetteer()
        >>> gazetteer.geocode("Gorki", hint="BY").address
        'Horki, Mahiliou, Belarus'
        >>> gazetteer.geocode("Zhlbin").raw["match"]
        'fuzzy'
        >>> gazetteer.geocode("Minsk", country_codes="ua")
        Traceback (most recent call last):
        ...
        geo.errors.UnknownPlaceError: no place matches 'Minsk' in UA in the gazetteer; did you mean: ...
        """
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise GeocoderOptionError(f"limit {limit!r} must be an integer >= 1")
        ranked = self._ranked(query, country_codes=country_codes, hint=hint, fuzzy=fuzzy)
        if exactly_one:
            return self._location(*ranked[0])
        return [self._location(*found) for found in ranked[:limit]]

    def candidates(
        self,
        query: str,
        *,
        country_codes: str | Sequence[str] | None = None,
        hint: str | Sequence[str] | None = None,
        limit: int | None = 10,
        fuzzy: bool = True,
    ) -> list[Location]:
        """Return the best place and its runner-ups, ranked (see :meth:`geocode`).

        Examples
        --------
        >>> for place in Gazetteer().candidates("Gorki", limit=2):
        ...     print(place.address, place.raw["match"], place.raw["population"])
        Nizhniy Novgorod, Nizhny Novgorod, Russia exact 1259013
        Horki, Mahiliou, Belarus exact 28626
        """
        return self.geocode(
            query, exactly_one=False, country_codes=country_codes, hint=hint, limit=limit, fuzzy=fuzzy
        )

    # -- internals -----------------------------------------------------------

    def _ranked(
        self,
        query: str,
        *,
        country_codes: str | Sequence[str] | None,
        hint: str | Sequence[str] | None,
        fuzzy: bool,
    ) -> list[tuple[int, str, int, float]]:
        """Matches as (place, matched spelling, tier, score), best first."""
        if not isinstance(query, str) or not query.strip():
            raise GeocoderOptionError(f"query {query!r}: a place name is required (e.g. 'Homel')")
        t = self.tables
        allowed = _codes(country_codes)
        exact_key, folded_keys = _normalise(query)

        # An exact spelling folds to the query's key, so one index serves both
        # tiers: rows under the query's keys are exact if the casefolds agree.
        found: dict[int, tuple[str, int, float]] = {}  # place -> (matched, tier, score)
        for key in folded_keys:
            for place, spelling in t.rows(key):
                if _casefold(spelling) == exact_key:
                    found[place] = (spelling, 0, 100.0)
                elif place not in found:
                    found[place] = (spelling, 1, 100.0)
        if allowed is not None:
            found = {p: m for p, m in found.items() if t.country[p] in allowed}
        if not found and fuzzy:
            found = self._fuzzy(folded_keys, allowed, FUZZY_CUTOFF)
        if not found:
            raise self._miss(query, folded_keys, allowed)

        countries, regions, region_names = _hints(hint)

        def hint_rank(place: int) -> int:
            if t.region_id[place] in regions or (
                region_names and t.region[place] and region_names & set(fold_keys(t.region[place]))
            ):
                return _HINT_REGION
            return _HINT_COUNTRY if t.country[place] in countries else _HINT_NONE

        def rank(place: int) -> tuple:
            _, tier, score = found[place]
            return (
                hint_rank(place) if hint is not None else _HINT_NONE,
                tier,
                -score,
                KIND_RANK.get(t.kind[place], KIND_RANK["village"]),
                -t.population[place],
                t.place_id[place],
            )

        return [(place, *found[place]) for place in sorted(found, key=rank)]

    def _fuzzy(
        self, folded_keys: tuple[str, ...], allowed: frozenset[str] | None, cutoff: float
    ) -> dict[int, tuple[str, int, float]]:
        """Places whose folded key is within ``cutoff`` of a query key."""
        t = self.tables
        found: dict[int, tuple[str, int, float]] = {}
        for query_key in folded_keys:
            for key, score, _ in process.extract(
                query_key, t.keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=200
            ):
                for place, spelling in t.rows(key):
                    if allowed is not None and t.country[place] not in allowed:
                        continue
                    if place not in found or score > found[place][2]:
                        found[place] = (spelling, 2, round(float(score), 1))
        return found

    def _miss(
        self, query: str, folded_keys: tuple[str, ...], allowed: frozenset[str] | None
    ) -> UnknownPlaceError:
        """The error for a query that matches nothing, with the closest names."""
        t = self.tables
        close = self._fuzzy(folded_keys, allowed, SUGGESTION_CUTOFF) if folded_keys else {}
        best = sorted(close, key=lambda p: (-close[p][2], -t.population[p], t.place_id[p]))[:5]
        suggestions = [t.name[p] for p in best]
        where = f" in {', '.join(sorted(allowed))}" if allowed else ""
        shown = ", ".join(f"{t.name[p]} ({t.country[p]}, {t.region[p]})" for p in best)
        fix = (f"did you mean: {shown}?" if best
               else "check the spelling, or add the place to data/curated_places.yaml")
        return UnknownPlaceError(
            f"no place matches {query!r}{where} in the gazetteer; {fix}", query=query, suggestions=suggestions
        )

    def _location(self, place: int, matched: str, tier: int, score: float) -> Location:
        t = self.tables
        address, point = t.address_point(place)
        raw: dict[str, Any] = {
            "place_id": t.place_id[place],
            "name": t.name[place],
            "matched": matched,
            "match": MATCH_TIERS[tier],
            "score": score,
            "country": t.country[place],
            "region_id": t.region_id[place],
            "region": t.region[place],
            "kind": t.kind[place],
            "population": t.population[place],
            "uncertainty_km": t.uncertainty_km[place],
            "lat": t.lat[place],
            "lon": t.lon[place],
            "source": t.source[place],
        }
        return Location(address, point, raw)
