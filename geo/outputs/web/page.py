"""The map page's own HTML, JavaScript and CSS, from the Jinja templates and static files in ``templates/``.

Three kinds of file live there, shipped as package data:

- ``*.html.j2``: the page text geo writes itself (header, legend, footer, the
  embed snippet, and in ``marks.html.j2`` the small parts drawn through folium:
  icons, popups, layer names, the title), rendered by :func:`render_html` and
  :func:`mark` in the environment of :mod:`geo.present.templating`
  (autoescaping, :class:`jinja2.StrictUndefined`, and the ``h`` filter,
  :func:`geo.present.htmlsafe.safe_html`, for outside strings).
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

from folium.template import Template

from geo.present import templating

__all__ = ["element_template", "mark", "render_html", "static_text"]

_PACKAGE = "geo.outputs.web"


@lru_cache(maxsize=1)
def _shipped() -> frozenset[str]:
    """The names of the files in ``templates/``."""
    return frozenset(p.name for p in files(_PACKAGE).joinpath("templates").iterdir())


@lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """The text of ``templates/<name>`` (a stylesheet or a script), exactly as shipped.

    ``name`` must be one of the shipped files: the text is the package's own,
    never anything from outside (:func:`element_template` compiles it).
    """
    if name not in _shipped():
        raise ValueError(f"{name!r} is not a file of {_PACKAGE}'s templates/")
    return files(_PACKAGE).joinpath("templates", name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def element_template(name: str) -> Template:
    """The folium template of one of the page's own elements (``templates/<name>``, macros only).

    Only a shipped ``*.js.j2`` file is compiled; values (report text included)
    reach it at render time, never as template source.
    """
    if not name.endswith(".js.j2"):
        raise ValueError(f"{name!r} is not an element template (templates/*.js.j2)")
    return Template(static_text(name))


def render_html(name: str, **values: Any) -> str:
    """Render the page template ``templates/<name>`` with ``values`` (autoescaped).

    Examples
    --------
    >>> "&lt;b&gt;" in render_html("embed.html.j2", src="./m.html", title="<b>", description="", caption="<b>",
    ...                            desc_id="d", height_px=10)
    True
    """
    return templating.render(_PACKAGE, name, **values)


def mark(which: str, *args: Any) -> str:
    """One of the small page parts in ``templates/marks.html.j2`` (an icon, a popup, a layer name...), filled in.

    Examples
    --------
    >>> mark("popup_text", "<b>{{x}}</b>")
    '<div class="geo-popup">&lt;b&gt;&#123;&#123;x&#125;&#125;&lt;/b&gt;</div>'
    """
    return templating.macro(_PACKAGE, "marks.html.j2", which, *args)
