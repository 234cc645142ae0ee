"""One exception tree for the whole package.

Every error the package raises on purpose is a :class:`GeoError`; each subclass
also inherits the builtin that fits, so callers may catch either.  The CLI turns
a ``GeoError`` into one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

__all__ = [
    "GeoError",
    "DataError",
    "UnknownCountryError",
    "UnknownPlaceError",
    "GeocoderServiceError",
    "GeocoderOptionError",
    "ReportFormatError",
    "ExportError",
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
    ``field`` and ``message``, e.g. :class:`geo.reports.Problem`); ``str()`` is
    one line per problem, ``path:line: field: what is wrong; what was expected``.
    """

    def __init__(self, problems: list) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


class ExportError(GeoError, ValueError):
    """An export cannot be written: an unsupported file extension, a missing directory, a write failure."""
