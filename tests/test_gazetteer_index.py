"""Specification of the gazetteer's hand-written parts: the near-key index and the own-name flags.

The index (:class:`geo.geocoding.names.NearKeys`, :class:`geo.geocoding.names.NearSpellings`) is
checked against a brute-force rapidfuzz scan of every key; the own-name flags
(``own_spellings`` in the build script) against names whose history is known.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from rapidfuzz import process
from rapidfuzz.distance import OSA

from geo.geocoding.names import NearKeys, NearSpellings, plain

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def build_module():
    spec = importlib.util.spec_from_file_location("build_gazetteer", REPO / "scripts" / "build_gazetteer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def keys(gazetteer) -> list[str]:
    return gazetteer.tables.keys


def one_edit(key: str, rng: random.Random) -> str:
    """A random drop, insertion, substitution or swap of neighbours."""
    i = rng.randrange(len(key))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    edit = rng.choice(["drop", "insert", "replace", "swap"])
    if edit == "drop":
        return key[:i] + key[i + 1:]
    if edit == "insert":
        return key[:i] + letter + key[i:]
    if edit == "replace":
        return key[:i] + letter + key[i + 1:]
    i = min(i, len(key) - 2)
    return key[:i] + key[i + 1] + key[i] + key[i + 2:]


def test_near_keys_finds_every_key_one_edit_away(keys):
    """Against rapidfuzz over all 61,000 keys: the same keys, with the same edit counts."""
    rng = random.Random(1)
    index = NearKeys(keys)
    for key in rng.sample([k for k in keys if len(k) >= 3], 300):
        query = one_edit(key, rng)
        brute = {k: int(d) for k, d, _ in process.extract(query, keys, scorer=OSA.distance, score_cutoff=1,
                                                          limit=None)}
        assert index.near(query, 1) == brute, query


def test_near_keys_with_two_edits_finds_a_subset_of_the_truth_including_same_side_edits(keys):
    rng = random.Random(2)
    index = NearKeys(keys)
    for key in rng.sample([k for k in keys if len(k) >= 8], 100):
        half = len(key) // 2
        query = one_edit(one_edit(key[:half], rng), rng) + key[half:]  # both edits before the middle
        found = index.near(query, 2)
        assert OSA.distance(query, key) > 2 or key in found
        assert all(OSA.distance(query, k) == d <= 2 for k, d in found.items())


def test_near_spellings_returns_the_rows_of_every_spelling_one_edit_away_as_typed(gazetteer):
    spellings = gazetteer.tables._variant.to_pylist()
    index = NearSpellings(pa.array(spellings))
    forms = [plain(s) for s in spellings]
    rng = random.Random(3)
    for row in rng.sample(range(len(spellings)), 100):
        if len(forms[row]) < 3:
            continue
        query = one_edit(forms[row], rng)
        brute = sorted(i for _, _, i in process.extract(query, forms, scorer=OSA.distance, score_cutoff=1,
                                                        limit=None))
        assert index.rows(query, 1) == brute, query


@pytest.mark.parametrize(
    "name, country, variant, own",
    [
        ("Lazurnyi", "UA", "Chornobyl", False),   # a former name of the town
        ("Lazurnyi", "UA", "Чорнобиль", False),   # the same, in Ukrainian
        ("Varniai", "LT", "Medininkai", False),   # the town's historic name
        ("Nizhniy Novgorod", "RU", "Gorkiy", False),
        ("Mahilyow", "BY", "Mogilev", True),      # Russian spelling of a Belarusian city
        ("Mahilyow", "BY", "Могилёв", True),
        ("Kyiv", "UA", "Kiev", True),
        ("Navapolatsk", "BY", "Novopolotsk", True),
        ("Mahilyow", "BY", "モギリョフ", False),     # an exonym in another script
    ],
)
def test_own_spellings(build_module, name, country, variant, own):
    assert build_module.own_spellings(name, [variant], country) == [own]


def test_built_names_flag_own_spellings(gazetteer):
    places = pd.read_parquet(REPO / "data" / "places.parquet")
    names = pd.read_parquet(REPO / "data" / "place_names.parquet")
    named = names.merge(places[["name"]], left_on="place", right_index=True, suffixes=("", "_place"))
    assert named.loc[named["variant"] == named["name"], "own"].all()  # every place's own name is own
    lazurnyi = places.index[places["place_id"] == "geonames:13645596"][0]
    rows = names[(names["place"] == lazurnyi) & names["variant"].isin(["Chornobyl", "Чорнобиль"])]
    assert len(rows) >= 2 and not rows["own"].any()
    curated = places.index[places["place_id"].str.startswith("curated:")]
    assert names[names["place"].isin(curated)]["own"].all()
