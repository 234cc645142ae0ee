"""The map page's own HTML comes from Jinja templates shipped in the package, escaped as it is filled in."""

from __future__ import annotations

from importlib.resources import files

import jinja2
import pytest

from geo.outputs.web.page import render_html, static_text
from geo.outputs.web.render import embed_html

TEMPLATES = files("geo.outputs.web").joinpath("templates")
HOSTILE = "<script>alert(1)</script> {{ 6*7 }} ${x} `y`"


def test_the_page_templates_and_static_files_ship_in_the_package():
    names = {p.name for p in TEMPLATES.iterdir()}
    assert {"head.html.j2", "legend.html.j2", "footer.html.j2", "embed.html.j2", "map.css", "bulklines.js",
            "declutter.js.j2", "timeline.js.j2"} <= names
    assert static_text("map.css").count("{") == static_text("map.css").count("}") > 10


def test_outside_text_is_escaped_with_its_braces_and_never_run():
    page = render_html("head.html.j2", title=HOSTILE, lede=HOSTILE, texts=[HOSTILE])
    assert "<script>" not in page and "42" not in page
    assert page.count("&lt;script&gt;") == 4  # title, lede, and the description twice (hidden, noscript)
    assert "&#123;&#123; 6*7 &#125;&#125;" in page and "&#36;&#123;x&#125;" in page and "&#96;y&#96;" in page


def test_a_value_that_misses_the_h_filter_is_still_escaped():
    # The legend's symbol lines are passed as they are (they are the tool's own words): autoescaping
    # still turns markup in them into text.
    html = render_html("legend.html.j2", incidents=[], legs=[], note=None, symbols=["<b>x</b>"])
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_a_missing_value_is_an_error_not_an_empty_string():
    with pytest.raises(jinja2.UndefinedError):
        render_html("head.html.j2", title="t", texts=[])


def test_the_embed_snippet_escapes_title_and_caption_and_links_only_by_a_relative_url():
    snippet = embed_html("javascript:alert(1).html", title=HOSTILE, description=HOSTILE)
    assert 'src="./javascript%3Aalert%281%29.html"' in snippet
    # The title as the iframe's name, the caption line and its tooltip; the description once, hidden.
    assert "<script>alert" not in snippet and snippet.count("&lt;script&gt;") == 4
    assert snippet.endswith("</figure>\n")


def test_the_small_page_parts_and_the_popups_come_from_templates_and_escape_outside_text():
    from geo.outputs.web.page import mark
    from geo.present.templating import macro

    assert mark("layer_name", "#0072B2", HOSTILE).startswith('<span style="color:#0072B2">■</span> &lt;script&gt;')
    popup = macro("geo.present", "popups.html.j2", "stop", HOSTILE, HOSTILE, [("Status", HOSTILE)], HOSTILE, [HOSTILE])
    assert "<script>" not in popup and popup.count("&lt;script&gt;") == 5 and "&#123;&#123; 6*7" in popup


def test_only_the_packages_own_files_are_ever_compiled_as_templates():
    from geo.outputs.web.page import element_template

    for name in ("../page.py", "map.css", "{{ 6*7 }}.js.j2"):
        with pytest.raises(ValueError):
            element_template(name)
    with pytest.raises(ValueError):
        static_text("../../reports/drones.yaml")
