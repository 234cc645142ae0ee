"""Jinja environments for the HTML geo writes itself: one per package holding a ``templates/`` folder.

Templates are files of the package (never strings from outside), rendered with
autoescaping (for ``*.html.j2``), :class:`jinja2.StrictUndefined` and an ``h``
filter: :func:`geo.present.htmlsafe.safe_html`, which also writes braces, ``$``
and backticks as character references (a value that misses the filter is still
escaped by autoescaping).  :mod:`geo.present.popups` and
:mod:`geo.outputs.web.page` use it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
import markupsafe

from geo.present.htmlsafe import safe_html

__all__ = ["environment", "macro", "render"]


def _h(value: Any) -> markupsafe.Markup:
    """An outside string as inert HTML text (see :mod:`geo.present.htmlsafe`)."""
    return markupsafe.Markup(safe_html(value))


@lru_cache(maxsize=None)
def environment(package: str) -> jinja2.Environment:
    """The environment of ``package``'s ``templates/`` folder."""
    env = jinja2.Environment(loader=jinja2.PackageLoader(package, "templates"),
                             autoescape=jinja2.select_autoescape(["html.j2"], default=False),
                             undefined=jinja2.StrictUndefined)
    env.filters["h"] = _h
    return env


def render(package: str, name: str, **values: Any) -> str:
    """Render ``package``'s ``templates/<name>`` with ``values``."""
    return environment(package).get_template(name).render(**values)


def macro(package: str, name: str, which: str, *args: Any) -> str:
    """Call the macro ``which`` of ``package``'s ``templates/<name>`` with ``args``."""
    return str(getattr(environment(package).get_template(name).module, which)(*args))
