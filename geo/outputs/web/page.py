"""The map page's own HTML, JavaScript and CSS, from the Jinja templates and static files in ``templates/``.

Three kinds of file live there, shipped as package data:

- ``*.html.j2``: the page text geo writes itself (header, legend, footer, the
  embed snippet), rendered by :func:`render_html` with autoescaping on and
  :class:`jinja2.StrictUndefined`.  Outside strings go through the ``h``
  filter (:func:`geo.present.htmlsafe.safe_html`, which also writes braces,
  ``$`` and backticks as character references); a value that misses it is
  still escaped by autoescaping.
- ``*.js.j2``: the ``script`` (and ``html``) macros of the page's own folium
  elements (:mod:`geo.outputs.web.elements`), loaded by
  :func:`element_template` with folium's template class (its ``tojson`` and
  ``tojavascript`` filters) and rendered once each.
- ``*.css`` and ``*.js``: static text, inlined by :func:`static_text`.

Nothing here is built from report text: templates are files of the package,
never strings that came from outside.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import jinja2
import markupsafe
from folium.template import Template

from geo.present.htmlsafe import safe_html

__all__ = ["element_template", "render_html", "static_text"]

_PACKAGE = "geo.outputs.web"


@lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """The text of ``templates/<name>`` (a stylesheet or a script), exactly as shipped."""
    return files(_PACKAGE).joinpath("templates", name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def element_template(name: str) -> Template:
    """The folium template of one of the page's own elements (``templates/<name>``, macros only)."""
    return Template(static_text(name))


def _h(value: Any) -> markupsafe.Markup:
    """An outside string as inert HTML text (see :mod:`geo.present.htmlsafe`)."""
    return markupsafe.Markup(safe_html(value))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader(_PACKAGE, "templates"),
                             autoescape=jinja2.select_autoescape(["html.j2"], default=False),
                             undefined=jinja2.StrictUndefined)
    env.filters["h"] = _h
    return env


def render_html(name: str, **values: Any) -> str:
    """Render the page template ``templates/<name>`` with ``values`` (autoescaped).

    Examples
    --------
    >>> "&lt;b&gt;" in render_html("embed.html.j2", src="./m.html", title="<b>", description="", desc_id="d",
    ...                            height_px=10)
    True
    """
    return _environment().get_template(name).render(**values)
