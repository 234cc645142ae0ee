"""Romanisation-insensitive keys for place names.

News reports spell the same Belarusian or Ukrainian town in Belarusian, Russian
or Ukrainian, in Cyrillic or in one of several Latin romanisations (national,
BGN/PCGN, Polish, German, ad hoc English).  :func:`fold` reduces a name to a
*skeleton* on which those spellings meet:

>>> [fold(n) for n in ("Loyew", "Loev", "Лоеў", "Lojeŭ")]
['loev', 'loev', 'loev', 'loev']
>>> [fold(n) for n in ("Naroulia", "Narovlya", "Наровля", "Нароўля")]
['narovla', 'narovla', 'narovla', 'narovla']

The skeleton is an index key, never shown to users.  It is built in three steps:

1. Cyrillic ч to ``c`` (it is unambiguous there), ``unidecode`` (Cyrillic and diacritics to ASCII: ``ŭ``→``u``, ``ž``→``z``,
   ``ь``→``'``), lower case, apostrophes deleted, other non-alphanumerics to
   spaces;
2. the rewrite rules of :data:`RULES`, applied in order (order matters: a
   longer spelling must be rewritten before a shorter one it contains, e.g.
   ``shch`` before ``sh`` and ``ch``, ``zh`` before ``h`` is touched);
3. spaces removed and doubled letters collapsed.

The digraph ``ch`` is ambiguous: it is х in Polish, German and Czech-derived
spellings (*Chojniki* = Khoiniki) but ч in English romanisation
(*Chernihiv*).  :func:`fold_keys` therefore returns one key per reading; index
*and* query all of them.  :func:`fold` returns the first (ч) key.

Keys near a key
---------------
:class:`NearKeys` finds the index keys within one or two edits (optimal string
alignment: a letter dropped, added, replaced, or two neighbours swapped) of a
misspelt query's key.  rapidfuzz scores the candidates; the class only narrows
them.  A key within one edit of the query shares with it either its first
``(n - 1) // 2`` letters or its last ``n - (n - 1) // 2 - 1`` (the edit falls
on one side of the middle letter), so two prefix ranges in sorted lists (keys,
and keys reversed, per length) hold every such key.  Measured on the 61,417
keys of the shipped gazetteer (``benchmarks/bench_gazetteer.py``): rapidfuzz's
``process.extract`` over all keys takes 4.7 ms a query (cdist 1.0 ms in a
batch); over the two ranges it takes about 0.1 ms.  For two edits the ranges
hold the keys whose edits both fall on one side (about half of them): the
gazetteer allows two only in long keys, where one edit is the common case.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA
from unidecode import unidecode

__all__ = ["PLAIN_DROP", "RULES", "NearKeys", "NearSpellings", "fold", "fold_keys", "plain", "typed_matches"]

_VOWELS = "aeiou"

#: Ordered rewrite rules ``(pattern, replacement, why)`` applied to the
#: lower-case ASCII form.  Each rule sees the output of the previous one.
RULES: tuple[tuple[str, str, str], ...] = (
    # -- consonant clusters, longest first ---------------------------------
    (r"schtsch|shch|szcz", "s", "щ: Russian/Ukrainian shch, Polish szcz, German schtsch"),
    (r"tsch", "c", "ч in German spelling (Tschernihiw); before sch and ts"),
    (r"sch", "s", "ш in German spelling (Schodsina)"),
    (r"zh|rz", "z", "ж: zh, Polish rz, ž (already z after unidecode)"),
    (r"sh|sz", "s", "ш: sh, Polish sz, š (already s)"),
    (r"kh", "h", "х: kh (Kharkiv); ch handled by the two readings below"),
    (r"cz|ts|tz", "c", "ц/ч: ts, Polish cz, German tz, c and č (already c)"),
    (r"ch", "{ch}", "ч (English: Chernihiv) or х (Polish/German: Chojniki): two keys"),
    (r"g", "h", "г: Russian g, Belarusian/Ukrainian h (Gomel ~ Homel)"),
    (r"x", "ks", "x = ks (Aleksandriya ~ Alexandria)"),
    (r"w", "v", "в: Polish/German w (Lojew ~ Loev)"),
    (r"(?<=[aeo])u", "v", "ў after a vowel: Belarusian u (Naroulia ~ Narovlya)"),
    (r"[iyj][iyj]\b", "i", "adjective endings -iy/-yi/-yy/-ij/-ii (Polesskiy ~ Polesskij)"),
    (r"[yj]", "i", "y/j as vowel or glide: Zhlobyn ~ Zhlobin, Lojew ~ Loyew"),
    (r"i(?=[aeiou])", "", "iotation/softness: ya/ia/ja ~ a, ye/je/ie ~ e (Loyev ~ Loev)"),
)

_COMPILED = tuple((re.compile(pattern), repl) for pattern, repl, _ in RULES)
_CYRILLIC_CHE = str.maketrans("чЧ", "cC")  # Cyrillic ч is unambiguous: skip the two readings
_CH_READINGS = ("c", "h")  # ч first: fold() returns the English-romanisation key
_APOSTROPHES = re.compile(r"['`\"]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLES = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def fold_keys(name: str) -> tuple[str, ...]:
    """Return the romanisation-insensitive keys of a place name.

    Parameters
    ----------
    name : str
        A place name in any script.

    Returns
    -------
    tuple of str
        One key, or two when the name contains ``ch`` (read as ч, then as х).
        Empty tuple if nothing alphanumeric is left.

    Examples
    --------
    >>> fold_keys("Gomel"), fold_keys("Homel'")
    (('homel',), ('homel',))
    >>> fold_keys("Chernigov")
    ('cernihov', 'hernihov')
    >>> fold_keys("Chojniki"), fold_keys("Khoiniki"), fold_keys("Чернігів")
    (('coiniki', 'hoiniki'), ('hoiniki',), ('cernihiv',))
    >>> fold_keys("Polesskiy"), fold_keys("Polesskij"), fold_keys("Palieski")
    (('poleski',), ('poleski',), ('paleski',))
    >>> fold_keys("  -- ")
    ()
    """
    text = unidecode(unicodedata.normalize("NFC", name).translate(_CYRILLIC_CHE)).lower()
    text = _NON_ALNUM.sub(" ", _APOSTROPHES.sub("", text))
    for pattern, repl in _COMPILED:
        text = pattern.sub(repl, text)
    readings = _CH_READINGS if "{ch}" in text else ("",)
    keys: list[str] = []
    for ch in readings:
        key = text.replace("{ch}", ch)
        if ch:  # the reading may create new patterns (c + i + vowel, h + h)
            key = _COMPILED[-1][0].sub("", key)
        key = _DOUBLES.sub(r"\1", key.replace(" ", ""))
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)


def fold(name: str) -> str:
    """Return the primary romanisation-insensitive key of a place name.

    Parameters
    ----------
    name : str
        A place name in any script.

    Returns
    -------
    str
        The first key of :func:`fold_keys`, or ``""`` if there is none.

    Examples
    --------
    >>> fold("Zhlobyn") == fold("Zhlobin") == fold("Жлобін")
    True
    >>> fold("Vitsebsk"), fold("Vicebsk"), fold("Viciebsk")
    ('vicebsk', 'vicebsk', 'vicebsk')
    >>> fold("Mahilyow"), fold("Mahiliou"), fold("Mogilyov")
    ('mahilov', 'mahilov', 'mohilov')
    """
    keys = fold_keys(name)
    return keys[0] if keys else ""


#: What :func:`plain` keeps (and, in :mod:`pyarrow.compute` terms, what it deletes the rest of).
PLAIN_DROP = r"[^\pL\pN]"


@lru_cache(maxsize=65536)
def plain(name: str) -> str:
    """Return a spelling as typed, for counting a typist's edits: case, accents and punctuation dropped.

    Unicode NFD, lower case, then only letters and digits (combining accents
    are neither).  Letters stay in their script (a typo in Cyrillic is one
    edit in Cyrillic, while a transliteration could make it two: х is
    ``kh``), and nothing is folded (*Loyewwq* folds to one letter more than
    *Loyew*, but is typed with two).  The gazetteer computes the same form for
    every spelling at once with ``pyarrow.compute`` (``utf8_normalize``,
    ``utf8_lower``, ``replace_substring_regex`` with :data:`PLAIN_DROP`).

    Examples
    --------
    >>> plain("Homyel'"), plain("Лоеў"), plain("Brest-Litovsk"), plain("Floreşti")
    ('homyel', 'лоеу', 'brestlitovsk', 'floresti')
    """
    return "".join(ch for ch in unicodedata.normalize("NFD", name).lower() if ch.isalnum())


def typed_matches(typed: str, spellings: list[str], cutoff: float) -> list[tuple[int, float, int]]:
    """(index, score 0-100, edits) of each spelling whose :func:`plain` form is ``cutoff`` or more like ``typed``.

    The score is :func:`rapidfuzz.distance.OSA.normalized_similarity` × 100
    (one edit in five letters is 80), rounded to 0.1; edits are OSA edits.

    Examples
    --------
    >>> typed_matches("zhlbin", ["Zhlobin", "Žlobin", "Minsk"], 80)
    [(0, 85.7, 1)]
    """
    forms = [plain(spelling) for spelling in spellings]
    # rapidfuzz rounds a normalised cutoff into a distance one and drops scores equal to it: ask
    # for a little less (scores are multiples of 1/length), then apply the cutoff exactly
    found = process.extract(typed, forms, scorer=OSA.normalized_similarity, score_cutoff=cutoff / 100 - 0.005,
                            limit=None)
    return [(i, round(100 * similarity, 1), OSA.distance(typed, form))
            for form, similarity, i in found if 100 * similarity + 1e-9 >= cutoff]


class NearKeys:
    """The keys of an index within one or two edits of a key (see the module docstring).

    Parameters
    ----------
    keys : iterable of str
        The index keys (any order; duplicates are harmless).

    Examples
    --------
    >>> near = NearKeys(["zlobin", "zlobinka", "homel", "minsk"])
    >>> near.near("zlbin"), near.near("zlobimka", 2), near.near("qqq")
    ({'zlobin': 1}, {'zlobinka': 1}, {})
    """

    def __init__(self, keys: Iterable[str]) -> None:
        by_length: dict[int, list[str]] = {}
        for key in keys:
            by_length.setdefault(len(key), []).append(key)
        self._forward = {n: sorted(group) for n, group in by_length.items()}
        self._backward = {n: sorted([key[::-1] for key in group]) for n, group in by_length.items()}

    @staticmethod
    def _range(sorted_keys: list[str], prefix: str) -> list[str]:
        start = bisect_left(sorted_keys, prefix)
        return sorted_keys[start:bisect_left(sorted_keys, prefix + "\U0010ffff", start)]

    def near(self, key: str, max_edits: int = 1) -> dict[str, int]:
        """Index keys within ``max_edits`` edits of ``key``, with their edit counts (``key`` included)."""
        split = (len(key) - 1) // 2
        head, tail = key[:split], key[split + 1:][::-1]
        found: dict[str, int] = {}
        for length in range(len(key) - max_edits, len(key) + max_edits + 1):
            for lists, part, query, flip in ((self._forward, head, key, False),
                                             (self._backward, tail, key[::-1], True)):
                choices = self._range(lists.get(length, []), part)
                for choice, edits, _ in process.extract(query, choices, scorer=OSA.distance,
                                                        score_cutoff=max_edits, limit=None):
                    found[choice[::-1] if flip else choice] = int(edits)
        return found


class NearSpellings:
    """The rows of a column of spellings whose :func:`plain` form is within one or two edits of a typed one.

    Parameters
    ----------
    spellings : pyarrow.Array of str
        One spelling per row.  Their plain forms are computed in Arrow (a
        Python loop over the gazetteer's 135,000 spellings takes 0.3 s; this
        about 0.1 s) and grouped by form (sorted, so that each form's rows are
        one slice of ``order``).

    Examples
    --------
    >>> import pyarrow as pa
    >>> NearSpellings(pa.array(["Zhlobin", "Minsk", "Жлобин", "Zhlobin"])).rows("zhlbin")
    [0, 3]
    """

    def __init__(self, spellings) -> None:
        import pyarrow.compute as pc  # only the gazetteer, which has pyarrow loaded, builds one

        forms = pc.replace_substring_regex(pc.utf8_lower(pc.utf8_normalize(spellings, "NFD")), PLAIN_DROP, "")
        order = pc.sort_indices(forms)
        grouped = forms.take(order)
        changed = pc.indices_nonzero(pc.not_equal(grouped[1:], grouped[:-1])).to_pylist()
        self._starts = [0, *(row + 1 for row in changed), len(grouped)]
        self._forms: list[str] = pc.unique(grouped).to_pylist()  # sorted, as grouped is
        self._order: list[int] = order.to_pylist()
        self._near = NearKeys(self._forms)

    def rows(self, typed: str, max_edits: int = 1) -> list[int]:
        """Row numbers of the spellings within ``max_edits`` of ``typed`` (a :func:`plain` form)."""
        found = []
        for form in self._near.near(typed, max_edits):
            i = bisect_left(self._forms, form)
            found += self._order[self._starts[i]:self._starts[i + 1]]
        return sorted(found)
