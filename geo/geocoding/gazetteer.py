"""Offline gazetteer: place names to coordinates, with geopy's geocoder contract.

:class:`Gazetteer` answers like :class:`geopy.geocoders.Nominatim` (a
:class:`geopy.location.Location`, or a ranked list) from the shipped tables
``data/places.parquet`` and ``data/place_names.parquet`` (built by
``scripts/build_gazetteer.py`` from GeoNames cities500 and
``data/curated_places.yaml``).  It never touches the network.

Matching, in tiers (:data:`MATCH_TIERS`, ``raw["match"]``), best first:

1. ``"exact"``: the query, ignoring case, accents and punctuation
   (:func:`geo.geocoding.names.plain`: *Pripyat* = *Pripyat'*), is one of the place's
   *own* names: its name, or a spelling of that name in Latin letters or its
   country's script (*Gomel*, *Гомель* for Homyel'; the build's
   ``own_spellings`` decides, ``raw["own_name"]`` tells);
2. ``"folded"``: the query's romanisation-insensitive key
   (:func:`geo.geocoding.names.fold_keys`) is an own name's (*Naroulia* ~ *Narovlya*);
3. ``"alternate"``: the query, exact or folded, is another name of the place,
   historic or foreign (GeoNames lists *Chornobyl* among Lazurnyi's names);
4. ``"fuzzy"``, only if nothing above matches: a typo.  Candidates are the
   spellings within one edit of the query as typed (:func:`geo.geocoding.names.plain`;
   two edits from :data:`TWO_EDITS_FROM` letters), else those under keys
   within one edit of its key (a transliteration mixed with a typo); ``score``
   is the OSA similarity as typed, at least :data:`FUZZY_CUTOFF` (*Loyewwq*,
   two letters more than *Loyew*, is refused).  rapidfuzz scores; the
   candidates come from prefix ranges of sorted keys (:class:`geo.geocoding.names.NearKeys`,
   hand-written because ``process.extract`` over all 61,000 keys costs 4.7 ms
   a query, the ranges 0.1 ms; see :mod:`geo.geocoding.names`), built on the first typo
   (about 0.3 s).

Ranking: the ``hint`` (places in a hinted region, then country, then the
rest); the tier (fuzzy: fewer edits, own names first, score); the kind (a
curated feature, then city, town, village); population; ``place_id``, so that
ties break the same way every time.  ``country_codes`` filters (like
Nominatim's); ``hint`` only reorders.  :meth:`Gazetteer.ambiguity` says when
the best candidates lie more than :data:`AMBIGUITY_KM` apart and neither the
hint nor the tier tells them apart.
"""

from __future__ import annotations

import math
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
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

from geo.reference.datafiles import PLACE_NAMES, PLACES, data_path
from geo.errors import DataError, GeocoderOptionError, GeoError, UnknownPlaceError
from geo.geocoding.names import NearKeys, NearSpellings, fold_keys, plain, typed_matches

__all__ = ["AMBIGUITY_KM", "FUZZY_CUTOFF", "KIND_RANK", "MATCH_TIERS", "Ambiguity", "Gazetteer"]

#: Minimum score (0-100) of a fuzzy match: OSA similarity of the query, as typed, to a spelling.
#: 80 lets one edit through from five letters on (*Minks*: 80) and refuses two in seven
#: (*Loyewwq*: 71); two edits are looked for only from :data:`TWO_EDITS_FROM` letters.
FUZZY_CUTOFF = 80.0
#: Minimum score for a name to be offered as a suggestion after a miss.
SUGGESTION_CUTOFF = 60.0
#: Spellings and keys this long (or longer) may be two edits from the query; shorter ones one edit.
TWO_EDITS_FROM = 12
#: Keys shorter than this are not matched fuzzily (one edit in three letters is another name).
FUZZY_MIN_LETTERS = 4
#: Match tiers, best first (``raw["match"]``).
MATCH_TIERS = ("exact", "folded", "alternate", "fuzzy")
#: Rank of each kind of place (lower ranks first); unknown kinds rank with villages.
#: Curated features (``data/curated_places.yaml``) exist because reports name them.
KIND_RANK = {"area": 0, "reserve": 0, "site": 0, "abandoned": 0, "city": 1, "town": 2, "village": 3}
#: Candidates farther apart than this (km, great circle) that neither hint nor tier separates are ambiguous.
#: Beyond 100 km a wrong pick moves a track by more than its usual uncertainty and often across a region.
AMBIGUITY_KM = 100.0
#: Country names for ``Location.address``; other codes are shown as they are.
COUNTRY_NAMES = {
    "BY": "Belarus", "UA": "Ukraine", "PL": "Poland", "LT": "Lithuania", "LV": "Latvia",
    "EE": "Estonia", "MD": "Moldova", "RO": "Romania", "SK": "Slovakia", "HU": "Hungary",
    "RU": "Russia",
}
_EXACT, _FOLDED, _ALTERNATE, _FUZZY = range(4)
_HINT_REGION, _HINT_COUNTRY, _HINT_NONE = 0, 1, 2
_EARTH_KM = 6371.0088  # mean radius: great-circle distances within 0.5% of the ellipsoid's


class _NoNetworkAdapter(BaseSyncAdapter):
    """geopy adapter that refuses every request: the gazetteer is offline."""

    def get_json(self, url, *, timeout, headers):  # noqa: D102 - geopy interface
        raise GeoError(f"Gazetteer is offline and does not fetch {url}")

    get_text = get_json


@lru_cache(maxsize=16384)
def _normalise(query: str) -> tuple[str, tuple[str, ...]]:
    """(exact key: the :func:`geo.geocoding.names.plain` form, folded keys) of a query; memoised, queries repeat."""
    text = unicodedata.normalize("NFC", query).strip()
    return plain(text), fold_keys(text)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle km between two (lat, lon) points."""
    (lat1, lon1), (lat2, lon2) = (map(math.radians, p) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


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
        self._own = names.column("own").combine_chunks()
        self._rows: dict[str, list[tuple[int, str, bool]]] = {}  # per-key memo, at most len(keys)
        self._address_point: dict[int, tuple[str, Point]] = {}  # per-place memo (Points are immutable)
        self._near: NearKeys | None = None  # the two fuzzy indexes, built on the first typo (~0.3 s)
        self._typed: NearSpellings | None = None

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

    def rows(self, key: str) -> list[tuple[int, str, bool]]:
        """(place, spelling, own name?) of every name whose folded key is ``key``."""
        found = self._rows.get(key)
        if found is None:
            i = bisect_left(self.keys, key)
            if i == len(self.keys) or self.keys[i] != key:
                return []
            start, count = self._starts[i], self._starts[i + 1] - self._starts[i]
            found = self._rows[key] = list(zip(
                self._place.slice(start, count).to_pylist(), self._variant.slice(start, count).to_pylist(),
                self._own.slice(start, count).to_pylist(),
            ))
        return found

    def near(self, key: str) -> dict[str, int]:
        """Index keys near ``key`` (:func:`_max_edits`), with their edit counts."""
        if self._near is None:
            self._near = NearKeys(self.keys)
        return self._near.near(key, _max_edits(key))

    def near_typed(self, typed: str) -> list[tuple[int, str, bool]]:
        """(place, spelling, own) of every spelling whose plain form is near ``typed`` (:func:`_max_edits`)."""
        if self._typed is None:
            self._typed = NearSpellings(self._variant)
            self._lists = (self._place.to_pylist(), self._variant.to_pylist(), self._own.to_pylist())
        places, spellings, own = self._lists
        return [(places[r], spellings[r], own[r]) for r in self._typed.rows(typed, _max_edits(typed))]


def _max_edits(text: str) -> int:
    """Edits a fuzzy match may have: one, or two from :data:`TWO_EDITS_FROM` letters."""
    return 2 if len(text) >= TWO_EDITS_FROM else 1


def _load_tables(data_dir: Path | None) -> _Tables:
    paths = [(Path(data_dir) / name) if data_dir else data_path(name) for name in (PLACES, PLACE_NAMES)]
    try:  # ParquetFile.read avoids importing pyarrow.dataset (0.4 s) as read_table does
        places = pq.ParquetFile(paths[0]).read()
        names = pq.ParquetFile(paths[1], read_dictionary=["key"]).read(columns=["key", "variant", "place", "own"])
        return _Tables(places, names)
    except (OSError, ValueError, KeyError) as err:  # missing or corrupt files; KeyError: a column missing (old build)
        raise DataError(
            f"{err}: cannot read the gazetteer; rebuild it with "
            "'python scripts/build_gazetteer.py --sources <data-sources> --out data'"
        ) from err


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


@dataclass(frozen=True)
class _Match:
    """How one place matched: the spelling, tier, score, own name or not, and (fuzzy) edits as typed."""

    spelling: str
    tier: int
    score: float = 100.0
    own: bool = True
    edits: int = 0

    def order(self) -> tuple:
        """Sort key within a hint rank: tier, then (fuzzy) edits, own name first, score."""
        return (self.tier, self.edits, not self.own, -self.score)


@dataclass(frozen=True)
class Ambiguity:
    """The best place for a name and its rivals (far apart, matching alike); see :meth:`Gazetteer.ambiguity`.

    ``places`` is best first; ``distance_km`` is from the best to the nearest
    rival; ``hint`` is what picks the best (a country code, else a region
    id), or None when no hint can (a rival in the same region).
    """

    query: str
    places: tuple[Location, ...]
    distance_km: float
    hint: str | None


class Gazetteer(Geocoder):
    """Offline geocoder over the shipped gazetteer, with geopy's contract.

    Parameters
    ----------
    data_dir : str or pathlib.Path, optional
        Directory holding ``places.parquet`` and ``place_names.parquet``;
        default :func:`geo.reference.datafiles.data_dir`.  Files are read on first use.

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
    >>> [(place.raw["name"], place.raw["match"]) for place in gazetteer.geocode("Chornobyl", exactly_one=False)]
    [('Chornobyl', 'exact'), ('Lazurnyi', 'alternate')]
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
            Allow the fuzzy tier (typos) when no other tier matches.
        timeout : float, optional
            Accepted for geopy compatibility and ignored (no network).

        Returns
        -------
        geopy.location.Location or list of Location
            ``address`` is ``"Name, Region, Country"``, ``point`` is
            (lat, lon), ``raw`` a dict with ``place_id``, ``name``,
            ``matched`` (the spelling matched), ``match`` (a
            :data:`MATCH_TIERS` value), ``own_name`` (whether ``matched`` is
            one of the place's own names), ``score`` (0-100: 100 unless
            fuzzy, else the similarity as typed), ``country``, ``region_id``,
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
        >>> gazetteer.geocode("Zhlbin").raw["match"], gazetteer.geocode("Zhlbin").raw["score"]
        ('fuzzy', 85.7)
        >>> gazetteer.geocode("Minsk", country_codes="ua")
        Traceback (most recent call last):
        ...
        geo.errors.UnknownPlaceError: no place matches 'Minsk' in UA in the gazetteer; did you mean: ...
        """
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise GeocoderOptionError(f"limit {limit!r} must be an integer >= 1")
        ranked, _ = self._ranked(query, country_codes=country_codes, hint=hint, fuzzy=fuzzy)
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
        >>> for place in Gazetteer().candidates("Gorki", limit=3):
        ...     print(place.address, place.raw["match"], place.raw["population"])
        Horki, Mahiliou, Belarus exact 28626
        Górki, Podkarpackie Voivodeship, Poland exact 1800
        Hirky, Volyn, Ukraine exact 778
        """
        return self.geocode(
            query, exactly_one=False, country_codes=country_codes, hint=hint, limit=limit, fuzzy=fuzzy
        )

    def ambiguity(
        self,
        query: str,
        *,
        hint: str | Sequence[str] | None = None,
        country_codes: str | Sequence[str] | None = None,
        km: float = AMBIGUITY_KM,
    ) -> Ambiguity | None:
        """Say whether the best places for a name lie far apart with nothing to choose between them.

        The best candidate's *rivals* are the candidates more than ``km`` from
        it that the hint and the tier rank alike (fuzzy matches: also the same
        edits and score).  Kind and population do not count: they rank, but
        do not say which place a report meant.  ``query``, ``hint`` and ``country_codes`` are as for
        :meth:`geocode`; nothing matching raises the same
        :class:`~geo.errors.UnknownPlaceError`.

        Returns
        -------
        Ambiguity or None
            None if the best candidate has no rival.

        Examples
        --------
        >>> gazetteer = Gazetteer()
        >>> found = gazetteer.ambiguity("Prypiat")
        >>> [place.raw["region_id"] for place in found.places], found.hint
        (['UA-32', 'UA-07'], 'UA-32')
        >>> print(gazetteer.ambiguity("Prypiat", hint="UA-32"))
        None
        """
        ranked, hint_rank = self._ranked(query, country_codes=country_codes, hint=hint, fuzzy=True)
        t = self.tables
        best, match = ranked[0]

        def alike(place: int, m: _Match) -> tuple:
            return (hint_rank(place), m.tier, m.edits, m.score)

        at, wanted = (t.lat[best], t.lon[best]), alike(best, match)
        rivals = [place for place, m in ranked[1:]
                  if alike(place, m) == wanted and _km(at, (t.lat[place], t.lon[place])) > km]
        if not rivals:
            return None
        settle: str | None = t.country[best]
        if any(t.country[p] == t.country[best] for p in rivals):
            settle = None if any(t.region_id[p] == t.region_id[best] for p in rivals) else t.region_id[best]
        matches = dict(ranked)
        places = tuple(self._location(p, matches[p]) for p in (best, *rivals))
        nearest = min(_km(at, (t.lat[p], t.lon[p])) for p in rivals)
        return Ambiguity(query=query, places=places, distance_km=nearest, hint=settle)

    # -- internals -----------------------------------------------------------

    def _ranked(
        self,
        query: str,
        *,
        country_codes: str | Sequence[str] | None,
        hint: str | Sequence[str] | None,
        fuzzy: bool,
    ):
        """Matches as (place, :class:`_Match`), best first, and the hint rank function used."""
        if not isinstance(query, str) or not query.strip():
            raise GeocoderOptionError(f"query {query!r}: a place name is required (e.g. 'Homel')")
        t = self.tables
        allowed = _codes(country_codes)
        exact_key, folded_keys = _normalise(query)

        # An exact spelling folds to the query's key, so one index serves the
        # first three tiers: the plain forms and the row's own flag tell them apart.
        found: dict[int, _Match] = {}
        best: dict[int, tuple[int, bool]] = {}  # per place: (tier, not spelt as the query), lowest wins
        for key in folded_keys:
            for place, spelling, own in t.rows(key):
                same = plain(spelling) == exact_key
                tier = (_EXACT if same else _FOLDED) if own else _ALTERNATE
                if place not in best or (tier, not same) < best[place]:
                    best[place], found[place] = (tier, not same), _Match(spelling, tier, own=own)
        if allowed is not None:
            found = {p: m for p, m in found.items() if t.country[p] in allowed}
        if not found and fuzzy:
            found = self._fuzzy(query, folded_keys, allowed, FUZZY_CUTOFF)
        if not found:
            raise self._miss(query, folded_keys, allowed)

        countries, regions, region_names = _hints(hint)

        def hint_rank(place: int) -> int:
            if hint is None:
                return _HINT_NONE
            if t.region_id[place] in regions or (
                region_names and t.region[place] and region_names & set(fold_keys(t.region[place]))
            ):
                return _HINT_REGION
            return _HINT_COUNTRY if t.country[place] in countries else _HINT_NONE

        def rank(place: int) -> tuple:
            return (
                hint_rank(place),
                *found[place].order(),
                KIND_RANK.get(t.kind[place], KIND_RANK["village"]),
                -t.population[place],
                t.place_id[place],
            )

        return [(place, found[place]) for place in sorted(found, key=rank)], hint_rank

    def _fuzzy(
        self, query: str, folded_keys: tuple[str, ...], allowed: frozenset[str] | None, cutoff: float
    ) -> dict[int, _Match]:
        """Places with a spelling near the query as typed, or under a key near the query's, scored as typed.

        The spellings near the query as typed hold every one-edit match; the
        keys near the query's key add transliterations mixed with a typo, and
        are looked at only when the first find none at one edit.
        """
        t = self.tables
        typed = plain(query)
        if len(typed) < FUZZY_MIN_LETTERS:
            return {}
        found = self._scored(typed, t.near_typed(typed), allowed, cutoff)
        if not found or min(m.edits for m in found.values()) > 1:
            rows = [row for key in folded_keys if len(key) >= FUZZY_MIN_LETTERS for near in t.near(key)
                    for row in t.rows(near)]
            for place, match in self._scored(typed, rows, allowed, cutoff).items():
                if place not in found or match.order() < found[place].order():
                    found[place] = match
        return found

    def _scored(self, typed: str, rows: list, allowed, cutoff: float) -> dict[int, _Match]:
        """The best fuzzy match per place among ``rows`` (place, spelling, own) at ``cutoff`` or more."""
        t = self.tables
        rows = [row for row in dict.fromkeys(rows) if allowed is None or t.country[row[0]] in allowed]
        found: dict[int, _Match] = {}
        for i, score, edits in typed_matches(typed, [spelling for _, spelling, _ in rows], cutoff):
            place, spelling, own = rows[i]
            match = _Match(spelling, _FUZZY, score, own, edits)
            if place not in found or match.order() < found[place].order():
                found[place] = match
        return found

    def _miss(
        self, query: str, folded_keys: tuple[str, ...], allowed: frozenset[str] | None
    ) -> UnknownPlaceError:
        """The error for a query that matches nothing, with the closest names (by key: Indel ratio)."""
        t = self.tables
        close: dict[int, float] = {}
        for query_key in folded_keys:  # a wider net than the fuzzy tier: every key
            for key, score, _ in process.extract(query_key, t.keys, scorer=fuzz.ratio,
                                                 score_cutoff=SUGGESTION_CUTOFF, limit=50):
                for place, _, _ in t.rows(key):
                    if allowed is None or t.country[place] in allowed:
                        close[place] = max(score, close.get(place, 0.0))
        best = sorted(close, key=lambda p: (-close[p], -t.population[p], t.place_id[p]))[:5]
        suggestions = [t.name[p] for p in best]
        where = f" in {', '.join(sorted(allowed))}" if allowed else ""
        shown = ", ".join(f"{t.name[p]} ({t.country[p]}, {t.region[p]})" for p in best)
        fix = (f"did you mean: {shown}?" if best
               else "check the spelling, or add the place to data/curated_places.yaml")
        return UnknownPlaceError(
            f"no place matches {query!r}{where} in the gazetteer; {fix}", query=query, suggestions=suggestions
        )

    def _location(self, place: int, match: _Match) -> Location:
        t = self.tables
        address, point = t.address_point(place)
        raw: dict[str, Any] = {"place_id": t.place_id[place], "name": t.name[place], "matched": match.spelling,
                               "match": MATCH_TIERS[match.tier], "own_name": match.own, "score": match.score}
        raw.update((column, getattr(t, column)[place]) for column in _RAW_COLUMNS)
        return Location(address, point, raw)


_RAW_COLUMNS = ("country", "region_id", "region", "kind", "population", "uncertainty_km", "lat", "lon", "source")
