"""Untrusted text into HTML as inert data: HTML text, JSON in scripts, relative URLs.

Every string a report or an option supplies reaches the map page through one of
these functions (and a KML balloon's HTML too), and nothing else in :mod:`geo`
builds page text from them:

- :func:`safe_html` for HTML text and attribute values, including the HTML that
  folium places in JavaScript template literals (popups and tooltips);
- :func:`safe_json` for data placed in a ``<script>``;
- :func:`relative_url` for a file name used as a link;
- :class:`geo.outputs.web.elements.Literal` and
  :class:`~geo.outputs.web.elements.InertMacroElement` for page parts of our own.

Why braces are escaped too
--------------------------
folium and branca build the page with Jinja, and render it *twice*:
``MacroElement.render`` (and ``folium.Popup.render``) take the text a template
produced, wrap it in ``branca.element.Element(text)`` -- which compiles its
argument as a new template -- and that is rendered again with the whole page.
So a value that was safely passed to a template the first time is template
*source* the second time: ``{{ 6*7 }}`` in a waypoint note became ``42``, and
``{{ lipsum.__globals__.os.system(...) }}`` ran a command.  Every Jinja
delimiter (``{{``, ``{%``, ``{#``) starts with ``{``; text with no ``{`` cannot
open one, whatever follows it.  :func:`safe_html` therefore writes braces as the
character references ``&#123;`` and ``&#125;``, and :func:`safe_json` writes
braces inside JSON strings as ``\\u007b`` and ``\\u007d`` (JSON's own braces are
always followed by ``"`` or ``}``).  The browser reads both back as braces.
Parts of the page that geo writes itself go through
:class:`geo.outputs.web.elements.Literal`, which is never compiled at all.  (The double render is folium's and branca's; see
``docs/upstream-branca-double-render.md`` for the report to send upstream.)

Hand-written, not markupsafe alone: markupsafe escapes ``& < > " '`` for HTML,
which is necessary but not sufficient here (braces, ``$`` and backticks matter
to Jinja and to JavaScript template literals); it is still what escapes those
five characters.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import markupsafe

__all__ = ["safe_html", "safe_json", "relative_url"]

#: Characters escaped on top of markupsafe's five, and their HTML character references.
_EXTRA_HTML = {"\\": "&#92;", "$": "&#36;", "`": "&#96;", "{": "&#123;", "}": "&#125;"}
_EXTRA_HTML_RE = re.compile("[" + re.escape("".join(_EXTRA_HTML)) + "]")
#: A JSON string token (as json.dumps writes it).
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
#: What must not appear raw inside a <script>, and its JSON escape.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_BRACES = {"{": "\\u007b", "}": "\\u007d"}


def safe_html(text: Any) -> str:
    """Escape ``text`` for HTML text, attribute values and folium's JS template literals.

    markupsafe escapes ``& < > " '``; backslashes, ``$``, backticks and braces
    become character references too, so the text can neither end nor
    interpolate into a ``\\`...\\``` literal, nor open a Jinja tag when folium
    compiles the page a second time (see the module docstring).  ``None``
    becomes the empty string.

    Parameters
    ----------
    text : object
        Converted with ``str()``.

    Returns
    -------
    str
        Text that a browser shows exactly as ``str(text)``.

    Examples
    --------
    >>> safe_html('<b>"${x}"</b> `y` {{ 6*7 }}')
    '&lt;b&gt;&#34;&#36;&#123;x&#125;&#34;&lt;/b&gt; &#96;y&#96; &#123;&#123; 6*7 &#125;&#125;'
    >>> safe_html(None)
    ''
    """
    if text is None:
        return ""
    escaped = str(markupsafe.escape(str(text)))
    return _EXTRA_HTML_RE.sub(lambda m: _EXTRA_HTML[m.group(0)], escaped)


def safe_json(value: Any) -> str:
    """Deterministic JSON that is inert inside a ``<script>`` and for Jinja.

    Keys are sorted and separators compact, so the same value gives the same
    text.  ``< > &`` and the line separators U+2028/U+2029 are written as
    ``\\u`` escapes (no ``</script>`` can end the script), and so are braces
    inside strings (no ``{{`` can reach Jinja); the result parses as the same
    JSON.

    Examples
    --------
    >>> text = safe_json({"b": "</script>{{ x }}", "a": [1, 2]})
    >>> text
    '{"a":[1,2],"b":"\\\\u003c/script\\\\u003e\\\\u007b\\\\u007b x \\\\u007d\\\\u007d"}'
    >>> json.loads(text)["b"]
    '</script>{{ x }}'
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = text.translate(str.maketrans(_SCRIPT_UNSAFE))
    return _JSON_STRING.sub(lambda m: m.group(0).translate(str.maketrans(_BRACES)), text)


def relative_url(name: str) -> str:
    """A file name as a relative URL to a file in the same folder.

    Every character outside RFC 3986's unreserved set is percent-encoded and the
    result starts with ``./``, so a name can neither pick a scheme
    (``javascript:``), nor start a query or fragment, nor climb folders.

    Examples
    --------
    >>> relative_url("map.html"), relative_url("javascript:alert(1).html")
    ('./map.html', './javascript%3Aalert%281%29.html')
    >>> relative_url("a b#c?d%.html")
    './a%20b%23c%3Fd%25.html'
    """
    return "./" + quote(str(name), safe="")
