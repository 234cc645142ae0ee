"""Scripts and stylesheets of a folium page, inlined so the page works without a network.

:func:`inline_assets` replaces every CDN ``<script src>`` and stylesheet
``<link>`` of a rendered page with the file's content, taken from the asset
table of the ``folium-offline`` package (a registry dependency of geo: nothing
is fetched at run time and no third-party code is copied into this repository).

The stylesheets are then made self-contained: images and fonts they reference
by a relative or remote URL are dropped (folium-offline already ships most of
them as ``data:`` URIs), and :data:`OFFLINE_CSS` gives the controls that lose an
image a text fallback.  :func:`external_references` lists whatever could still
make the browser load something; :func:`inline_assets` refuses to return a page
that has any.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata

from geo.errors import RenderOptionError

__all__ = ["OFFLINE_CSS", "asset_table", "external_references", "inline_assets", "self_contained_css"]

#: Text fallbacks for control icons whose image no installed package provides
#: (leaflet-minimap's ``images/toggle.svg``): an arrow the plugin rotates like the image.
OFFLINE_CSS = (".leaflet-control-minimap-toggle-display{background-image:none!important;text-align:center;"
               "text-decoration:none;color:#333;font:bold 14px/19px system-ui,sans-serif}"
               ".leaflet-control-minimap-toggle-display:before{content:\"\\2198\"}")

_REMOTE = r"(?:https?:)?//[^\"'\s>]+"
_SCRIPT = re.compile(r"<script\b[^>]*?\bsrc\s*=\s*([\"'])(" + _REMOTE + r")\1[^>]*>\s*</script\s*>", re.I)
_LINK = re.compile(r"<link\b[^>]*>", re.I)
_HREF = re.compile(r"\bhref\s*=\s*([\"'])(" + _REMOTE + r")\1", re.I)
_STYLESHEET = re.compile(r"\brel\s*=\s*([\"'])[^\"']*\bstylesheet\b[^\"']*\1", re.I)
_CSS_URL = re.compile(r"url\(\s*(?:\"([^\"]*)\"|'([^']*)'|([^)\"']*))\s*\)", re.I)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.I)
_SRC_DECL = re.compile(r"(\bsrc\s*:)([^;}]*)(;?)", re.I)
_IMPORT = re.compile(r"@import\b[^;]*;", re.I)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)
_FETCHING_TAG = re.compile(r"<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?"
                           r"\b(?:src|href|data|srcset)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", re.I)


def _key(url: str) -> str:
    """A URL without its scheme: ``http:``, ``https:`` and protocol-relative spellings match."""
    return re.sub(r"^(?:https?:)?//", "//", url.strip(), flags=re.I)


@lru_cache(maxsize=1)
def asset_table() -> Mapping[str, str]:
    """The CDN files folium-offline ships, by URL without its scheme (``//host/path``).

    Read once per process from ``offlinefolium.elements._res``, the package's
    private table; checked, because a private name can change in any release.

    Raises
    ------
    RenderOptionError
        If folium-offline is missing or no longer has a usable table.
    """
    try:
        module = importlib.import_module("offlinefolium.elements")
    except ImportError as err:
        raise RenderOptionError("offline maps need the folium-offline package: "
                                "pip install 'folium-offline>=0.20,<1'") from err
    table = getattr(module, "_res", None)
    entries = {_key(url): text for url, text in table.items()
               if isinstance(url, str) and isinstance(text, str)} if isinstance(table, Mapping) else {}
    if not entries:
        try:
            version = metadata.version("folium-offline")
        except metadata.PackageNotFoundError:  # pragma: no cover - imported, so installed
            version = "?"
        raise RenderOptionError(f"folium-offline {version} has no asset table (offlinefolium.elements._res) "
                                "geo can read; install a release that has it: pip install 'folium-offline>=0.20,<0.21'")
    return entries


def _content(url: str) -> str:
    table = asset_table()
    text = table.get(_key(url))
    if text is None:
        near = difflib.get_close_matches(_key(url), list(table), n=1, cutoff=0.6)
        hint = f" (folium-offline has {'https:' + near[0]})" if near else ""
        raise RenderOptionError(f"offline: folium-offline ships no copy of {url}{hint}; drop the plugin that "
                                "needs it or point the plugin at a URL folium-offline ships")
    return text


def _local(target: str) -> bool:
    """Whether a CSS ``url()`` target loads nothing: a ``data:`` URI or a fragment (``#default#VML``)."""
    return target.startswith(("data:", "#")) or not target


def _url_target(match: re.Match) -> str:
    return next(g for g in match.groups() if g is not None).strip()


def self_contained_css(css: str) -> str:
    """``css`` without any ``url()`` that would load a file; ``data:`` URIs are kept.

    In ``@font-face`` rules only the ``data:`` sources of ``src`` are kept (a
    rule with none loses ``src``); elsewhere an outside ``url()`` becomes
    ``none``.  ``@import`` rules are dropped.

    Examples
    --------
    >>> self_contained_css("a{background:url(images/x.png) no-repeat}")
    'a{background:none no-repeat}'
    >>> self_contained_css("@font-face{font-family:F;src:url('//cdn/f.eot') format('eot'),"
    ...                    "url(data:font/woff;base64,AA) format('woff')}")
    "@font-face{font-family:F;src:url(data:font/woff;base64,AA) format('woff')}"
    """
    def font_face(rule: re.Match) -> str:
        def src(decl: re.Match) -> str:
            keep = [item for item in _split_top_level(decl.group(2))
                    if all(_local(_url_target(u)) for u in _CSS_URL.finditer(item))]
            return f"{decl.group(1)}{','.join(keep)}{decl.group(3)}" if keep else ""

        return _SRC_DECL.sub(src, rule.group(0))

    css = _IMPORT.sub("", css)
    css = _FONT_FACE.sub(font_face, css)
    return _CSS_URL.sub(lambda m: m.group(0) if _local(_url_target(m)) else "none", css)


def _split_top_level(text: str) -> list[str]:
    """Split a CSS value list on the commas outside parentheses and quotes."""
    items, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    return [item for item in items if item]


def external_references(html: str) -> list[str]:
    """Every URL in ``html`` the browser would load on its own: tags' sources and CSS ``url()``s.

    Links a reader may click (``<a href>``) are not loads and are not listed.

    Examples
    --------
    >>> external_references('<img src="https://x/y.png"><a href="https://z">z</a>'
    ...                     '<style>b{background:url(i.png)}</style>')
    ['https://x/y.png', 'i.png']
    """
    found = [m.group(1) for m in _FETCHING_TAG.finditer(html)]
    for block in _STYLE_BLOCK.finditer(html):
        found += [_url_target(m) for m in _CSS_URL.finditer(block.group(1)) if not _local(_url_target(m))]
        found += _IMPORT.findall(block.group(1))
    return found


def inline_assets(html: str) -> str:
    """Replace every CDN ``<script src>`` and stylesheet ``<link>`` in ``html`` with its content.

    Stylesheets are made self-contained (:func:`self_contained_css`) and
    :data:`OFFLINE_CSS` is added before ``</head>``.  Same input, same output.

    Raises
    ------
    RenderOptionError
        If folium-offline ships no copy of an asset, or the page would still
        load something (:func:`external_references`).

    Examples
    --------
    >>> page = inline_assets('<head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">'
    ...                      '</script></head>')
    >>> page.startswith("<head><script>/* leaflet.js */"), "leafletjs.com" in page, "<script src" in page
    (True, True, False)
    """
    def script(match: re.Match) -> str:
        url = match.group(2)
        code = re.sub(r"</(script)", r"<\\/\1", _content(url), flags=re.I).replace("<!--", "<\\!--")
        return f"<script>/* {url.rsplit('/', 1)[-1]} */\n{code}\n</script>"

    def link(match: re.Match) -> str:
        tag = match.group(0)
        href = _HREF.search(tag)
        if href is None or not _STYLESHEET.search(tag):
            return tag
        url = href.group(2)
        css = re.sub(r"</(style)", r"<\\/\1", self_contained_css(_content(url)), flags=re.I)
        return f"<style>/* {url.rsplit('/', 1)[-1]} */\n{css}\n</style>"

    html = _LINK.sub(link, html)  # stylesheets first: the scripts inlined next are not searched for tags
    html = _SCRIPT.sub(script, html)
    html = html.replace("</head>", f"<style>{OFFLINE_CSS}</style>\n</head>", 1)
    left = external_references(html)
    if left:
        raise RenderOptionError(f"offline: the page would still load {', '.join(sorted(set(left))[:5])}; "
                                "inline it or drop the element that needs it")
    return html
