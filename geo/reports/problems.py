"""What is wrong with a report, said as one line: the file, the line, the field, what was expected."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a report file; ``str()`` is one line.

    Examples
    --------
    >>> print(Problem("seeds/x.yaml", 14, "route[2].time", "'25:00' is not a time; expected HH:MM"))
    seeds/x.yaml:14: route[2].time: '25:00' is not a time; expected HH:MM
    """

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def sort_key(self) -> tuple:
        """Order of display: by file, then line (a stable sort keeps field order within a line)."""
        return (self.path, self.line or 0)


def line_number(lines: Mapping[tuple, int], loc: Sequence) -> int | None:
    loc = tuple(loc)
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")


def field_path(loc: Sequence) -> str:
    """A field path as shown: ``route[2].time``; a key that is not a plain name is quoted (``['\\r']``)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _NAME.fullmatch(str(part)):
            text += f".{part}" if text else str(part)
        else:
            text += f"[{shortened(str(part), 40)}]"
    return text


def shortened(value: Any, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
