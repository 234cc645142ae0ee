"""Report and option text is never template source: a probe in every text field and every text option of `geo map`.

folium and branca compile rendered page parts as Jinja templates a second time
(see geo/present/htmlsafe.py), so text that reaches them as a value could still run as
template code.  Here every free-text field of a report and every text option of
``geo map`` holds a probe with Jinja's three delimiters, a JavaScript template
substitution, a backtick, ``</script>`` and markup, each probe tagged with its
field.  The map is written by the CLI online, offline and with ``--embed``.
The page text, decoded as a browser would (character references, JSON escapes),
must hold each probe exactly as written wherever its tag appears, and
``6*7`` must never have become 42.  tests/browser/test_probe_browser.py checks
the same in Chromium.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import cli

#: What each probe says after its tag: Jinja's delimiters, a JS substitution, a backtick, </script>, markup.
PROBE = "{{ 6*7 }} {% if true %}IF{% endif %} {# hidden #} ${6*7} `tick` </script> <kbd>k</kbd> &amp;"
#: The report's free-text fields (the tag of each probe names it).
REPORT_FIELDS = ("title", "summary", "reported-note", "response", "publisher", "source-title", "via",
                 "source-note", "from-note", "place-note", "toward-note", "region-note", "coords-note")
#: The text options of `geo map`.
OPTION_FIELDS = ("option-title", "option-byline", "option-description")
#: Fields a reader sees on the map page (the others are kept in the data only; the region waypoint
#: adds no stop here, since the straight leg from Loyew already enters the Homel region).
SHOWN_FIELDS = ("title", "summary", "publisher", "source-title", "via", "from-note", "place-note",
                "toward-note", "coords-note", *OPTION_FIELDS)
#: A source address with the same probe, as far as an address can carry it (no spaces).
URL_PROBE = "https://example.org/{{7*6}}/{%if%}/{#c#}/${7*6}/`x`"


def probe(field: str) -> str:
    """The probe for one field: ``<<field>>`` and then :data:`PROBE`."""
    return f"<<{field}>> {PROBE}"


def _quoted(field: str) -> str:
    return json.dumps(probe(field))  # a JSON string is a YAML double-quoted scalar


def probe_report() -> str:
    """A valid report whose every free-text field is a probe."""
    q = _quoted
    return textwrap.dedent(f"""\
        id: probe-report
        title: {q("title")}
        date: 2024-07-16
        timezone: Europe/Minsk
        drone: shahed-136
        country: BY
        origin: UA
        outcome: exploded
        summary: {q("summary")}
        reported:
          depth_km: 100
          note: {q("reported-note")}
        responses: [{q("response")}]
        sources:
          - id: src
            publisher: {q("publisher")}
            title: {q("source-title")}
            via: {q("via")}
            note: {q("source-note")}
            url: {json.dumps(URL_PROBE)}
            date: 2024-07-16
        route:
          - from: UA
            time: "08:00"
            sources: [src]
            note: {q("from-note")}
          - place: Loyew
            sources: [src]
            note: {q("place-note")}
          - region: Homel region
            note: {q("region-note")}
          - {{lat: 52.60, lon: 30.40, uncertainty_km: 3, note: {q("coords-note")}, sources: [src]}}
          - toward: Zhlobin
            sources: [src]
            note: {q("toward-note")}
        """)


def write_probe_maps(folder: Path) -> dict[str, Path]:
    """``geo map`` on the probe report with a probe in every text option: online, offline and embed."""
    report = folder / "probe.yaml"
    report.write_text(probe_report(), encoding="utf-8")
    options = ["--title", probe("option-title"), "--byline", probe("option-byline"),
               "--description", probe("option-description")]
    out = {"online": folder / "online.html", "offline": folder / "offline.html", "embed": folder / "embedded.html"}
    runs = {"online": [], "offline": ["--offline"], "embed": ["--offline", "--embed"]}
    for mode, extra in runs.items():
        result = CliRunner().invoke(cli, ["map", str(report), "-o", str(out[mode]), *options, *extra])
        assert result.exit_code == 0, result.output
    out["snippet"] = folder / "embedded.embed.html"
    return out


def decoded(page: str) -> str:
    """The text of a page as the browser ends up with it: JSON ``\\u`` escapes, then character references."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    return html.unescape(text)


@pytest.fixture(scope="module")
def maps(tmp_path_factory) -> dict[str, Path]:
    return write_probe_maps(tmp_path_factory.mktemp("probe"))


@pytest.mark.parametrize("mode", ["online", "offline", "embed"])
def test_every_shown_field_appears_exactly_as_written(maps, mode):
    text = decoded(maps[mode].read_text(encoding="utf-8"))
    missing = [field for field in SHOWN_FIELDS if probe(field) not in text]
    assert missing == []


@pytest.mark.parametrize("mode", ["online", "offline", "embed", "snippet"])
def test_nothing_was_evaluated_anywhere(maps, mode):
    page = maps[mode].read_text(encoding="utf-8")
    text = decoded(page)
    # Wherever a tag appears, the whole probe follows it: no delimiter was consumed, nothing evaluated.
    for tag in re.findall(r"<<([a-z-]+)>>", text):
        assert text.count(f"<<{tag}>>") == text.count(probe(tag)), tag
    assert ">> 42" not in text and "IF {#" not in text
    # No Jinja delimiter of a probe is in the raw page: each is written as a character reference or escape.
    assert "{{ 6*7 }}" not in page and "{% if true %}" not in page and "{# hidden #}" not in page
    assert "${6*7}" not in page and "`tick`" not in page


def test_the_source_address_keeps_its_characters(maps):
    offline = decoded(maps["offline"].read_text(encoding="utf-8"))
    online = decoded(maps["online"].read_text(encoding="utf-8"))
    assert f"[{URL_PROBE}]" in offline  # offline pages name the link
    assert f'href="{URL_PROBE}"' in online


def test_the_embed_snippet_carries_the_title_and_description_as_text(maps):
    snippet = maps["snippet"].read_text(encoding="utf-8")
    text = decoded(snippet)
    assert f'title="{probe("option-title")}"' in text
    assert probe("option-description") in text
    assert 'src="./embedded.html"' in snippet


def test_a_tiles_key_that_is_not_a_key_is_refused(tmp_path):
    result = CliRunner().invoke(cli, ["map", "-o", str(tmp_path / "m.html"), "--tiles", "CartoDB.Positron",
                                      "--tiles-key", "{{ 6*7 }}"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "tiles key" in result.output and "{{ 6*7 }}" not in result.output
    assert not (tmp_path / "m.html").exists()


@pytest.mark.parametrize("name", ["javascript:alert(1).html", "a#b?c%d.html", "x\"onload=alert(1).html"])
def test_the_embed_snippet_links_a_hostile_file_name_as_a_relative_url(tmp_path, name):
    from urllib.parse import unquote, urljoin

    result = CliRunner().invoke(cli, ["map", "-o", str(tmp_path / name), "--tiles", "none", "--embed"])
    assert result.exit_code == 0, result.output
    snippet = (tmp_path / name).with_name(Path(name).stem + ".embed.html").read_text(encoding="utf-8")
    src = html.unescape(re.search(r'<iframe src="([^"]*)"', snippet).group(1))
    assert src.startswith("./") and ":" not in src and "#" not in src and "?" not in src
    # Resolved against the snippet's own address, it is the map file, whatever the name holds.
    base = "https://news.example.org/graphics/snippet.html"
    assert unquote(urljoin(base, src)) == f"https://news.example.org/graphics/{name}"
