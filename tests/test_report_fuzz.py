"""The report loader on hostile input (hypothesis): it raises only ReportFormatError, and quickly.

Four kinds of input: random bytes in a file; text drawn from YAML's own
punctuation; random documents of the report vocabulary dumped as YAML; and the
shipped seeds with random edits (characters inserted, deleted or replaced),
checked with the gazetteer too, so that the names such edits make are
geocoded.  Whatever comes in, the loader either returns reports or raises
:class:`geo.errors.ReportFormatError`, whose every line names the file; no other
exception escapes, and no example takes longer than :data:`DEADLINE_MS` (a
hang, like the alias bomb that once took minutes, fails the test).
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from geo.errors import ReportFormatError
from geo.reports.loading import load_reports, parse_report

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.yaml"))
SEED_TEXTS = [path.read_text(encoding="utf-8") for path in SEEDS]
#: Longest time one example may take (ms): generous on a loaded 2-core machine, far below a hang.
DEADLINE_MS = 3000
FUZZ = settings(max_examples=120, deadline=DEADLINE_MS, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

#: Keys and values of the report format, so random documents reach the validators, not just the parser.
KEYS = ["id", "title", "date", "timezone", "drone", "country", "origin", "outcome", "summary", "reported",
        "responses", "sources", "route", "publisher", "url", "via", "note", "place", "toward", "region", "from",
        "lat", "lon", "time", "after", "approx", "status", "role", "hint", "distance_km", "measured_from",
        "heading", "uncertainty_km", "depth_km", "duration", "value", "qualifier", "path", "lines", "kind"]
WORDS = ["BY", "UA", "Loyew", "Homel", "04:00", "2024-07-16", "Europe/Minsk", "shahed", "exploded", "over 60",
         "3h", "north", "border", "presumed", "estimated", "entry", "about 350 km", "1e9", "nan", "-1", "inf",
         "{{ 6*7 }}", "\x1b[31m", "PT3H", "99999999h", "BY-HO", "hajun", "https://example.org/x"]
scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True)
           | st.sampled_from(WORDS) | st.text(max_size=30))
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8),
                                                                 inner, max_size=8),
    max_leaves=40,
)
yaml_text = st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?\n\t  abcxyz019.~\\") + ["\x00", "é",
                                                                                                 "\u2028"]),
                    max_size=400)


def _edit(text: str, edits: list[tuple[int, int, str]]) -> str:
    for position, kind, char in edits:
        at = position % (len(text) + 1)
        if kind == 0:
            text = text[:at] + char + text[at:]
        elif kind == 1:
            text = text[:at] + text[at + 1:]
        else:
            text = text[:at] + char + text[at + 1:]
    return text


edited_seeds = st.builds(
    _edit, st.sampled_from(SEED_TEXTS),
    st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 2),
                       st.sampled_from(list(":-[]{}&*! \n#'\"0123456789.aZ\x1b") + ["\t", "  ", "é"])),
             min_size=1, max_size=6),
)


def _loads_or_refuses(call, shown: str) -> None:
    started = time.perf_counter()
    try:
        call()
    except ReportFormatError as err:
        lines = str(err).splitlines()
        assert lines and all(line.startswith(shown) for line in lines), lines[:3]
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert elapsed_ms < DEADLINE_MS, f"took {elapsed_ms:.0f} ms"


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_in_a_file(tmp_path, data):
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    _loads_or_refuses(lambda: load_reports([path]), str(path))


@FUZZ
@given(yaml_text)
def test_text_made_of_yaml_punctuation(text):
    _loads_or_refuses(lambda: parse_report(text, path="fuzz.yaml"), "fuzz.yaml")


@FUZZ
@given(documents)
def test_random_documents_of_the_report_vocabulary(document):
    try:
        text = yaml.safe_dump(document, allow_unicode=True)
    except yaml.YAMLError:
        assume(False)  # not representable as YAML
    _loads_or_refuses(lambda: parse_report(text, path="fuzz.yaml"), "fuzz.yaml")


@FUZZ
@given(edited_seeds)
def test_seeds_with_random_edits_geocoded(gazetteer, text):
    _loads_or_refuses(lambda: parse_report(text, path="fuzz.yaml", geocoder=gazetteer), "fuzz.yaml")
