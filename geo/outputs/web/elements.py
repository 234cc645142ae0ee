"""Page parts geo writes itself, put into the folium page without being compiled as templates.

folium and branca render a page's parts twice, the second time as template
source (see :mod:`geo.present.htmlsafe`): :class:`Literal` text is never
compiled, and :class:`InertMacroElement` renders each macro of its template once.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, MacroElement

__all__ = ["Literal", "InertMacroElement"]


class Literal(Element):
    """Text put into the page exactly as given: never compiled as a Jinja template.

    ``branca.element.Element(text)`` compiles ``text``; this does not.  Use it
    for page parts geo writes itself, after escaping every outside string in them.

    Examples
    --------
    >>> Literal("{{ 6*7 }}").render()
    '{{ 6*7 }}'
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Literal"
        self.text = str(text)

    def render(self, **kwargs: Any) -> str:
        """The text, unchanged."""
        return self.text


class InertMacroElement(MacroElement):
    """A MacroElement whose rendered header, html and script reach the page as :class:`Literal` text.

    branca's ``MacroElement.render`` wraps each rendered macro in
    ``Element(...)``, compiling it a second time; this renders each macro once.
    Put it after folium's classes in the bases (``class X(plugins.MiniMap,
    InertMacroElement)``) so that their own ``render`` (which adds scripts and
    styles) still runs first.
    """

    def render(self, **kwargs: Any) -> None:
        """Render each macro of the template once, and the children."""
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(Literal(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
