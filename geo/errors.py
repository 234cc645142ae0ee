"""One exception tree for the whole package.

Every error the package raises on purpose is a :class:`GeoError`; each subclass
also inherits the builtin that fits, so callers may catch either.  The CLI turns
a ``GeoError`` into one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import re

__all__ = [
    "GeoError",
    "DataError",
    "UnknownCountryError",
    "UnknownPlaceError",
    "GeocoderServiceError",
    "GeocoderOptionError",
    "ReportFormatError",
    "ExportError",
    "OutputError",
    "ControlCharacterError",
    "RenderOptionError",
    "CONTROL_CHARACTERS",
    "check_plain_text",
    "plain_text",
    "visible",
]


class GeoError(Exception):
    """Base class of every error raised on purpose by ``geo``."""


class DataError(GeoError, OSError):
    """Reference data is missing, unreadable or out of date."""


class UnknownCountryError(GeoError, KeyError):
    """A country code or name matches no country in the reference data."""

    def __init__(self, message: str, *, suggestions: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.suggestions = list(suggestions or [])

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.message


class UnknownPlaceError(GeoError, LookupError):
    """A place name matches nothing in the gazetteer (nor online, if enabled)."""

    def __init__(self, message: str, *, query: str = "", suggestions: list | None = None):
        super().__init__(message)
        self.message = message
        self.query = query
        self.suggestions = list(suggestions or [])

    def __str__(self) -> str:
        return self.message


class GeocoderServiceError(GeoError, ConnectionError):
    """An online geocoding service failed (network, timeout, HTTP error)."""


class GeocoderOptionError(GeoError, ValueError):
    """A geocoder was given an unusable option (no user agent, a bad timeout, a blank query)."""


class ReportFormatError(GeoError, ValueError):
    """One or more incident report files are malformed.

    ``problems`` holds every problem found (objects with ``path``, ``line``,
    ``field`` and ``message``, e.g. :class:`geo.reports.report.Problem`); ``str()`` is
    one line per problem, ``path:line: field: what is wrong; what was expected``.
    """

    def __init__(self, problems: list) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


class ExportError(GeoError, ValueError):
    """An export cannot be written: an unsupported file extension, a missing directory, a write failure."""


class OutputError(ExportError, OSError):
    """An output file cannot be written (raised by :mod:`geo.atomic`): a missing folder, no space, no permission.

    Also an :class:`ExportError` (so callers of :func:`geo.outputs.files.fileexport.write_export` catch it as before) and an
    :class:`OSError`: ``errno`` and ``strerror`` are the system's (``strerror`` is the reason, e.g. "No space
    left on device"; ``errno`` is None for a reason that is not a system error), ``filename`` the target.
    ``str()`` is one line, ``PATH: cannot write: REASON; what to do next``, with control characters in the
    path made visible (:func:`visible`).

    Examples
    --------
    >>> import errno
    >>> err = OutputError("out/map.html", "No such file or directory", errno=errno.ENOENT,
    ...                   hint="folder out does not exist; create it first")
    >>> print(err)
    out/map.html: cannot write: No such file or directory; folder out does not exist; create it first
    >>> isinstance(err, OSError), isinstance(err, ExportError), err.errno == errno.ENOENT
    (True, True, True)
    """

    def __init__(self, path: str | os.PathLike[str], reason: str, *, errno: int | None = None,
                 hint: str = "") -> None:
        super().__init__(f"{os.fspath(path)}: cannot write: {reason}")
        # Set by hand: OSError parses (errno, strerror, filename) only when it is the first builtin base.
        self.errno, self.strerror, self.filename = errno, reason, os.fspath(path)
        self.hint = hint

    def __str__(self) -> str:
        text = f"{visible(self.filename, newlines=False)}: cannot write: {self.strerror}"
        return f"{text}; {self.hint}" if self.hint else text

    def __reduce__(self):
        return (_output_error, (self.filename, self.strerror, self.errno, self.hint))


def _output_error(path: str, reason: str, errno: int | None, hint: str) -> OutputError:
    return OutputError(path, reason, errno=errno, hint=hint)


class ControlCharacterError(GeoError, ValueError):
    """Text that must be plain holds a control character (see :data:`CONTROL_CHARACTERS`)."""


# ----------------------------------------------------------------------------- control characters

#: What ``geo`` never writes into XML (KML, SVG) or to a terminal, and refuses in text options: the C0
#: controls but tab and newline (U+0000-U+0008, U+000B-U+001F, so ESC, BEL, NUL and CR), DEL (U+007F),
#: the C1 controls (U+0080-U+009F), UTF-16 surrogates (U+D800-U+DFFF: alone they are no character; Python
#: holds undecodable bytes of a file name as these) and the non-characters U+FFFE and U+FFFF.  All but
#: the C1 controls are invalid in XML 1.0; terminals act on ESC, BEL and the C1 controls.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")  # the same, with tab and newline


def check_plain_text(text: str, *, field: str) -> str:
    r"""Return ``text`` if it holds no control character, else raise :class:`ControlCharacterError`.

    Parameters
    ----------
    text : str
        The text to check.
    field : str
        What the text is, for the message (e.g. ``"--title"``).

    Raises
    ------
    ControlCharacterError
        Naming ``field``, the first control character (as U+XXXX) and its position, counted from 1.

    Examples
    --------
    >>> check_plain_text("Drones over Belarus", field="--title")
    'Drones over Belarus'
    >>> check_plain_text("ab\x1b[2J", field="--title")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.ControlCharacterError: --title: contains a control character (U+001B) at position 3; ...
    """
    found = CONTROL_CHARACTERS.search(text)
    if found is not None:
        raise ControlCharacterError(f"{field}: contains a control character (U+{ord(found.group()):04X}) at "
                                    f"position {found.start() + 1}; expected plain text")
    return text


def plain_text(text: str) -> str:
    r"""``text`` with every control character (:data:`CONTROL_CHARACTERS`) replaced by U+FFFD.

    What the KML and SVG writers do to any that reach them, so that the files stay well-formed XML.

    Examples
    --------
    >>> print(ascii(plain_text("Homel\x1b[31m region\x00")))
    'Homel\ufffd[31m region\ufffd'
    """
    return CONTROL_CHARACTERS.sub("\ufffd", text)


def _escape(match: re.Match[str], json: bool) -> str:
    code = ord(match.group())
    if json:
        return f"\\u{code:04x}"
    return {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(match.group()) or (
        f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


def visible(text: str, *, newlines: bool = True, json: bool = False) -> str:
    r"""``text`` safe to print: each control character (:data:`CONTROL_CHARACTERS`) written as an escape.

    Everything the ``geo`` command line prints goes through this, so no report text, place name or file
    name (a file may be named with an ESC) can drive the terminal.

    Parameters
    ----------
    text : str
        What to print.
    newlines : bool
        Keep tabs and newlines; with False they are escaped too, so the text stays on one line.
    json : bool
        Write ``\u001b`` instead of ``\x1b``: valid inside a JSON string (JSON text holds control
        characters only in strings).

    Examples
    --------
    >>> print(visible("map\x1b[2J.html"))
    map\x1b[2J.html
    >>> print(visible("two\nlines", newlines=False), visible('"\x7f"', json=True))
    two\nlines "\u007f"
    """
    pattern = CONTROL_CHARACTERS if newlines else _LINE_BREAKS
    return pattern.sub(lambda match: _escape(match, json), text)


class RenderOptionError(GeoError, ValueError):
    """A map option is unusable (an unknown tile provider, an asset that cannot be inlined)."""
