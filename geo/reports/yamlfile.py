"""Report files to plain data, safely: a size cap, plain characters, a small YAML subset, and line numbers.

A report file is hostile input, so it is read as data and nothing more:

- at most :data:`MAX_REPORT_BYTES` are read (a report is a few KB; this also
  stops ``/dev/zero`` and multi-GB files), and only from a regular file;
- C0 and C1 control characters (other than tab and line breaks) and
  non-characters are refused, wherever they are -- written raw or made by a
  YAML escape such as ``"\\e"`` -- each with the line and field it is in;
- anchors and aliases (``&a``, ``*a``) are refused at the first one, so an
  "alias bomb" (a 1 KB file that expands to gigabytes) costs nothing;
- explicit tags other than the standard ``!!str``, ``!!int``, ``!!float``,
  ``!!bool``, ``!!null``, ``!!seq`` and ``!!map`` are refused (no
  ``!!python/...``, no custom types);
- collections nested deeper than :data:`MAX_NESTING` are refused before the
  composer recurses into them;
- the YAML 1.1 surprises are off: ``04:00`` stays text (not 240), ``no`` stays
  text (not False), dates stay text.

Parsing uses libyaml's event parser where PyYAML has it (about four times
faster than the pure-Python one: a 244 KB report parses and composes in
0.24 s against 1.1 s on this machine), with PyYAML's own Python composer on
top, so that the checks above run on each event as it arrives.  Refusals are
:class:`Refused` problems; everything else about the file (its fields and
values) is judged by :mod:`geo.reports.report`.
"""

from __future__ import annotations

import bisect
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from geo.errors import CONTROL_CHARACTERS

__all__ = ["MAX_REPORT_BYTES", "MAX_NESTING", "STANDARD_TAGS", "Document", "read_report_text", "parse_yaml"]

#: Largest report file read (bytes).  The shipped reports are 2-3 KB; a report with a thousand
#: waypoints is about 150 KB.  A file this size parses in about a quarter of a second.
MAX_REPORT_BYTES = 256 * 1024
#: Deepest nesting of lists and mappings accepted.  A report needs four
#: (top level, route, a waypoint, its sources).
MAX_NESTING = 8
#: The explicit tags a report may use (YAML's core schema); anything else is refused.
STANDARD_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null",
                                                                    "seq", "map"))
_YAML_TAG = "tag:yaml.org,2002:"

#: Characters a report may not contain in its text, raw: C0 controls but tab, LF and CR, DEL, C1
#: controls, lone surrogates and the non-characters U+FFFE and U+FFFF.
_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: ... and in a value (after YAML escapes): the same, and CR too (the package's one definition).
_VALUE_CONTROL = CONTROL_CHARACTERS
_LINE_BREAK = re.compile("\r\n|[\r\n\u2028\u2029]")
#: At most this many control-character problems are listed per file (a binary file has thousands).
_MAX_CONTROL_PROBLEMS = 10


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


class Refused(yaml.MarkedYAMLError):
    """Something a report may not use (an alias, a tag, deep nesting), at a position in the file."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(problem=message, problem_mark=mark)


def _int(loader: SafeConstructor, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    try:
        return int(text)
    except ValueError:
        raise ConstructorError(None, None, f"{text[:40]!r} is not a whole number (or has too many digits)",
                               node.start_mark) from None


def _float(loader: SafeConstructor, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node)
    try:
        return float(text)
    except ValueError:
        raise ConstructorError(None, None, f"{text[:40]!r} is not a number", node.start_mark) from None


def _bool(loader: SafeConstructor, node: yaml.ScalarNode) -> bool:
    text = loader.construct_scalar(node)
    if text.lower() not in ("true", "false"):
        raise ConstructorError(None, None, f"{text[:40]!r} is not true or false", node.start_mark)
    return text.lower() == "true"


class _Checks:
    """The refusals, applied as the composer meets each event (mixed into both loaders)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise Refused(event.start_mark, f"'*{event.anchor}' is an alias; anchors and aliases are not "
                                            "accepted in a report: write each value out")
        if event.anchor is not None:
            raise Refused(event.start_mark, f"'&{event.anchor}' is an anchor; anchors and aliases are not "
                                            "accepted in a report: write each value out")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in STANDARD_TAGS:
            shown = "!!" + tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else tag
            raise Refused(event.start_mark, f"the tag {shown[:60]!r} is not accepted; expected plain values, "
                                            "lists and mappings (remove the tag)")
        if not isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise Refused(event.start_mark, f"lists and mappings are nested more than {MAX_NESTING} deep; "
                                                "a report needs at most 4 levels (check the indentation)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _configure(loader: type) -> type:
    """YAML without its 1.1 surprises: 04:00, no/yes and dates stay text; numbers only when they look like it."""
    dropped = ("bool", "int", "float", "timestamp")
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in {_YAML_TAG + d for d in dropped}]
        for first, resolvers in Resolver.yaml_implicit_resolvers.items()
    }
    loader.add_implicit_resolver(_YAML_TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))
    loader.add_implicit_resolver(_YAML_TAG + "int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
    loader.add_implicit_resolver(_YAML_TAG + "float",
                                 re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
                                 list("-+0123456789."))
    loader.add_constructor(_YAML_TAG + "bool", _bool)
    loader.add_constructor(_YAML_TAG + "int", _int)
    loader.add_constructor(_YAML_TAG + "float", _float)
    loader.add_constructor(_YAML_TAG + "timestamp", SafeConstructor.construct_yaml_str)
    return loader


@_configure
class _PyLoader(_Checks, yaml.SafeLoader):
    """PyYAML's pure-Python parser and composer, with the refusals."""


if yaml.__with_libyaml__:
    @_configure
    class _Loader(_Checks, yaml.cyaml.CParser, Composer, SafeConstructor, Resolver):
        """libyaml's event parser under PyYAML's Python composer (which the refusals hook into)."""

        def __init__(self, stream: str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        # CParser composes in C, where no check can run: compose in Python instead.
        get_single_node = Composer.get_single_node
        check_node = Composer.check_node
        get_node = Composer.get_node
else:  # pragma: no cover - PyYAML built without libyaml
    _Loader = _PyLoader


@dataclass
class Document:
    """A report file as data: ``data`` (None if unreadable), the line of every field, and the problems.

    ``lines`` maps a field path such as ``("route", 2, "time")`` to the line of
    its key or item; ``problems`` are ``(path, line, message)`` triples.
    """

    data: Any = None
    lines: dict[tuple, int] = field(default_factory=dict)
    problems: list[tuple[tuple, int | None, str]] = field(default_factory=list)


def read_report_text(path: Path) -> tuple[str | None, str | None]:
    """The text of a report file, or why it cannot be read: ``(text, None)`` or ``(None, reason)``.

    Reads at most :data:`MAX_REPORT_BYTES` + 1 bytes, from a regular file only,
    and decodes them as UTF-8.

    Examples
    --------
    >>> read_report_text(Path("/dev/zero"))
    (None, 'is not a regular file; expected a YAML report file')
    """
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block, /dev/zero never end
            return None, "is not a regular file; expected a YAML report file"
        with path.open("rb") as handle:
            raw = handle.read(MAX_REPORT_BYTES + 1)
    except OSError as err:
        return None, f"cannot be read ({err.strerror or err}); expected a readable YAML file"
    if len(raw) > MAX_REPORT_BYTES:
        return None, (f"is larger than {MAX_REPORT_BYTES // 1024} KB; a report describes one incident in a few KB "
                      "(split it, one file per incident)")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return None, f"is not UTF-8 text (byte {err.start}); expected a UTF-8 YAML file"


def parse_yaml(text: str) -> Document:
    """Parse the YAML text of one report under the refusals of this module.

    Returns
    -------
    Document
        ``data`` is None when the text could not be parsed at all; problems
        then say why, with the line.

    Examples
    --------
    >>> doc = parse_yaml("id: x\\nroute:\\n  - place: Loyew\\n    time: 04:00\\n")
    >>> doc.data, doc.lines[("route", 0, "time")]
    ({'id': 'x', 'route': [{'place': 'Loyew', 'time': '04:00'}]}, 4)
    >>> parse_yaml("a: &x [1]\\nb: *x\\n").problems
    [((), 1, "'&x' is an anchor; anchors and aliases are not accepted in a report: write each value out")]
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_REPORT_BYTES:
        return Document(problems=[((), None, f"is larger than {MAX_REPORT_BYTES // 1024} KB; a report describes "
                                             "one incident in a few KB (split it, one file per incident)")])
    raw_controls = [(m.start(), m.group(0)) for m in _RAW_CONTROL.finditer(text)]
    clean = _RAW_CONTROL.sub("\ufffd", text) if raw_controls else text
    loader = _Loader(clean)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        return Document(problems=_raw_control_problems(clean, raw_controls, {}) + [_yaml_problem(err)])
    except yaml.YAMLError as err:
        return Document(problems=[((), None, f"YAML error: {' '.join(str(err).split())}; expected valid YAML")])
    finally:
        loader.dispose()
    doc = Document(data=data)
    if node is not None:
        doc.lines[()] = node.start_mark.line + 1
        _walk(node, (), doc)
    doc.problems = _raw_control_problems(clean, raw_controls, doc.lines) + doc.problems
    return doc


def _yaml_problem(err: yaml.MarkedYAMLError) -> tuple[tuple, int | None, str]:
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else None
    if isinstance(err, Refused):
        return (), line, str(err.problem)
    if "nesting depth" in str(err.problem):  # libyaml's own limit (1,000 levels) came first
        return (), line, (f"lists and mappings are nested more than {MAX_NESTING} deep; a report needs at most "
                          "4 levels (check the brackets and the indentation)")
    if isinstance(err, ConstructorError) and err.problem_mark is not None and not err.context:
        return (), line, f"{err.problem}; expected a value of the type its tag names (or remove the tag)"
    what = " ".join(" ".join(str(part).split()) for part in (err.context, err.problem) if part)
    return (), line, (f"YAML syntax error: {what}; expected valid YAML "
                      "(check indentation, the ': ' after each key, and quote text containing ': ' or '#')")


def _walk(node: yaml.Node, path: tuple, doc: Document) -> None:
    """Record the line of every key and item, duplicate keys, and control characters in values."""
    if isinstance(node, yaml.ScalarNode):
        _value_controls(node, path, doc)
    elif isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else f"<{key.tag} key>"
            here = (*path, name)
            line = key.start_mark.line + 1
            if name in seen:
                doc.problems.append((here, line, f"{str(name)[:60]!r} is given again (first on line {seen[name]}); "
                                                 "expected each field once"))
            else:
                doc.lines[here] = line
                seen[name] = line
            if isinstance(key, yaml.ScalarNode) and _VALUE_CONTROL.search(key.value):
                _value_controls(key, here, doc, what="field name")
            _walk(value, here, doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            doc.lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), doc)


def _value_controls(node: yaml.ScalarNode, path: tuple, doc: Document, *, what: str = "text") -> None:
    found = _VALUE_CONTROL.search(node.value)
    if found and len([p for p in doc.problems if "control character" in p[2]]) < _MAX_CONTROL_PROBLEMS:
        doc.problems.append((path, node.start_mark.line + 1,
                             f"the {what} holds the control character {_codepoint(found.group(0))} at character "
                             f"{found.start() + 1}; expected plain text (tab and line breaks are the only "
                             "control characters allowed)"))


def _raw_control_problems(text: str, found: list[tuple[int, str]],
                          lines: Mapping[tuple, int]) -> list[tuple[tuple, int | None, str]]:
    """One problem per line holding raw control characters, naming the field that line belongs to."""
    if not found:
        return []
    breaks = [m.end() for m in _LINE_BREAK.finditer(text)]
    by_line: dict[int, tuple[int, str]] = {}
    for pos, char in found:
        line = bisect.bisect_right(breaks, pos) + 1
        by_line.setdefault(line, (pos - (breaks[line - 2] if line > 1 else 0) + 1, char))
    # The field a line belongs to: the deepest key or item that starts on it or before it.
    starts = sorted(((line, len(path), path) for path, line in lines.items() if path), key=lambda t: (t[0], t[1]))
    problems = []
    for line, (column, char) in list(by_line.items())[:_MAX_CONTROL_PROBLEMS]:
        k = bisect.bisect_right([s[0] for s in starts], line) - 1
        path = starts[k][2] if k >= 0 else ()
        problems.append((path, line, f"holds the control character {_codepoint(char)} at column {column}; "
                                     "expected plain text (tab and line breaks are the only control characters "
                                     "allowed)"))
    if len(by_line) > _MAX_CONTROL_PROBLEMS:
        problems.append(((), None, f"control characters on {len(by_line) - _MAX_CONTROL_PROBLEMS} more lines "
                                   "(is this a text file?)"))
    return problems
