"""A catalogue of bad input, as a hostile or careless user gives it: one clean line each, and nothing written.

Every case is one thing wrong with one run of ``geo map`` (or ``geo image``,
``geo export``, ``geo analyze``, ``geo geocode``): a report file broken in one
way, a bad option value, or an output path that cannot be written.  Each must
end with a non-zero exit status and exactly one line on stderr that names the
file and line (or the option, or the path) and the field, with no traceback and
no file left at the target (nor a temporary file beside it).

The report cases are :data:`BASE` (a valid report, checked first) with one
change each; the line a problem must name is the line of the file holding the
case's ``at`` text, so a table entry says where the problem is, not what the
loader happens to print.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import cli

BASE = """\
id: bad-input
title: A drone crosses from Ukraine
date: 2024-07-11
timezone: Europe/Minsk
drone: shahed-136
country: BY
origin: UA
outcome: crashed
summary: A drone entered Belarus over Loyew and came down near Homel.
reported:
  distance_km: 60
  duration: 1h
sources:
  - id: src
    publisher: A monitoring group
    url: https://example.org/post
route:
  - from: UA
    time: "04:00"
    approx: true
    sources: [src]
  - place: Loyew
    hint: BY-HO
    note: Seen over the town.
  - {lat: 52.30, lon: 30.90, uncertainty_km: 5}
  - toward: Homel
    distance_km: 20
    after: 30m
    role: end
"""


@dataclass(frozen=True)
class Bad:
    """One broken report: ``old`` replaced by ``new`` in :data:`BASE` (or ``text`` as the whole file).

    ``field`` is the field the line must name ("" for the file as a whole), ``at`` a text on the line it
    must name (None: no line), ``says`` words the message must contain.
    """

    name: str
    old: str = ""
    new: str = ""
    field: str = ""
    at: str | None = None
    says: str = ""
    text: str | bytes | None = None

    def content(self) -> str | bytes:
        if self.text is not None:
            return self.text
        assert self.old in BASE, self.old
        return BASE.replace(self.old, self.new, 1)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))
DEEP_BLOCK = "".join(f"{'  ' * k}k{k}:\n" for k in range(12)) + "  " * 12 + "x: 1\n"

REPORTS = [
    # Characters that must not be in a report.
    Bad("nul-byte", "title: A drone", "title: A dro\x00ne", "title", "title:", "U+0000"),
    Bad("esc-by-yaml-escape", "title: A drone crosses from Ukraine", 'title: "A drone \\e[31mred"', "title",
        "title:", "U+001B"),
    Bad("bel-in-a-note", "note: Seen over the town.", 'note: "Seen \\a over the town."', "route[1].note",
        "note:", "U+0007"),
    Bad("del-raw", "summary: A drone", "summary: A \x7fdrone", "summary", "summary:", "U+007F"),
    Bad("c1-control-raw", "publisher: A monitoring", "publisher: A \x85monitoring", "sources[0].publisher",
        "publisher:", "U+0085"),
    Bad("lone-surrogate-by-escape", "title: A drone crosses from Ukraine", 'title: "A drone \\ud800"', "",
        "title:", "escape"),
    Bad("control-character-in-a-key", "title: A drone", '"ti\\x1btle": x\ntitle: A drone', "['ti\\x1btle']",
        "ti\\x1btle", "U+001B"),
    # YAML features a report does not need.
    Bad("alias-bomb", text=BOMB, at="a: &a", says="anchor"),
    Bad("one-alias", "summary: A drone entered Belarus over Loyew and came down near Homel.",
        "summary: *t", at="summary: *t", says="alias"),
    Bad("anchor", "summary: A drone", "summary: &s A drone", at="summary: &s", says="anchor"),
    Bad("python-tag", "title: A drone crosses from Ukraine", 'title: !!python/object/apply:os.system ["id"]',
        at="title:", says="tag"),
    Bad("custom-tag", "drone: shahed-136", "drone: !drone shahed-136", at="drone:", says="tag"),
    Bad("binary-tag", "title: A drone crosses from Ukraine", "title: !!binary aGk=", at="title:", says="tag"),
    Bad("set-tag", "outcome: crashed", "outcome: crashed\nresponses: !!set {Mi-24: null}", at="responses:",
        says="tag"),
    Bad("int-tag-on-text", "distance_km: 60", "distance_km: !!int sixty", at="distance_km: !!int",
        says="whole number"),
    Bad("deep-flow-nesting", "outcome: crashed", "outcome: crashed\nresponses: " + "[" * 50 + "]" * 50,
        at="responses:", says="nested more than"),
    Bad("deep-block-nesting", text=DEEP_BLOCK, at="  " * 8 + "k8:", says="nested more than"),
    # Files that are not a report.
    Bad("too-large", "summary: A drone", "summary: " + "A drone " * 40_000, says="larger than 256 KB"),
    Bad("not-utf8", text=b"id: x\ntitle: \xff\xfe\n", says="not UTF-8"),
    Bad("empty-file", text="", at="", says="empty"),
    Bad("only-comments", text="# nothing here\n", at="# nothing", says="empty"),
    Bad("a-list-at-the-top", text="- id: x\n- id: y\n", at="- id: x", says="expected a mapping"),
    Bad("syntax-error", "title: A drone crosses from Ukraine", "title: [unclosed", at="date:",
        says="YAML syntax error"),
    Bad("tab-indentation", "    hint: BY-HO", "\thint: BY-HO", at="\thint", says="YAML syntax error"),
    Bad("duplicate-key", "origin: UA", "origin: UA\norigin: RU", "origin", "origin: RU", "given again"),
    # Values no drone report can mean.
    Bad("after-99999999h", "after: 30m", "after: 99999999h", "route[3].after", "after:", "longer than 48 hours"),
    Bad("duration-100h", "duration: 1h", "duration: 100h", "reported.duration", "duration:", "48 hours"),
    Bad("approx-1e9-minutes", "approx: true", "approx: 1000000000.0", "route[0].approx", "approx:",
        "minutes from 0 to 720"),
    Bad("lat-lon-swapped", "{lat: 52.30, lon: 30.90", "{lat: 30.90, lon: 52.30", "route[2].lat", "{lat: 30.90",
        "swapped"),
    Bad("point-in-africa", "{lat: 52.30, lon: 30.90", "{lat: 10.0, lon: 10.0", "route[2].lat", "{lat: 10.0",
        "check the numbers"),
    Bad("uncertainty-1e12", "uncertainty_km: 5}", "uncertainty_km: 1.0e12}", "route[2].uncertainty_km",
        "uncertainty_km:", "more than 300"),
    Bad("uncertainty-infinite", "uncertainty_km: 5}", "uncertainty_km: 1.0e999}", "route[2].uncertainty_km",
        "uncertainty_km:", "not a finite number"),
    Bad("uncertainty-zero", "uncertainty_km: 5}", "uncertainty_km: 0}", "route[2].uncertainty_km",
        "uncertainty_km:", "not more than 0"),
    Bad("lat-not-a-number", "{lat: 52.30", "{lat: nan", "route[2].lat", "{lat: nan", "lat"),
    Bad("lat-beyond-the-pole", "{lat: 52.30", "{lat: 91.0", "route[2].lat", "{lat: 91.0", "-90 to 90"),
    Bad("toward-distance-1e9", "distance_km: 20", "distance_km: 1e9", "route[3].distance_km",
        "distance_km: 1e9", "more than 3,000"),
    Bad("reported-distance-5000", "distance_km: 60", "distance_km: 5000", "reported.distance_km.value",
        "distance_km: 5000", "more than 3,000"),
    Bad("reported-depth-negative", "duration: 1h", "duration: 1h\n  depth_km: -5", "reported.depth_km.value",
        "depth_km:", "less than 0"),
    Bad("huge-integer", "distance_km: 60", "distance_km: 6" + "0" * 5000, at="distance_km: 6",
        says="whole number"),
    Bad("empty-route", BASE[BASE.index("route:"):], "route: []\n", "route", "route:", "'- from: UA'"),
    Bad("unknown-hint", "hint: BY-HO", "hint: BY-HQ", "route[1].hint", "hint:", "did you mean"),
    Bad("unknown-place", "place: Loyew", "place: Qwxzvbnq", "route[1].place", "place:", "did you mean"),
    Bad("unknown-region", "  - place: Loyew\n    hint: BY-HO\n    note: Seen over the town.\n",
        "  - region: Mahilevo region\n", "route[1].region", "region:", "did you mean"),
    Bad("unknown-country", "country: BY", "country: Belarussia", "country", "country:", "did you mean"),
    Bad("unknown-origin", "origin: UA", "origin: XX", "origin", "origin:", "not a country"),
    Bad("unknown-drone", "drone: shahed-136", "drone: shaheed", "drone", "drone:", "did you mean"),
    Bad("time-25h", 'time: "04:00"', 'time: "25:00"', "route[0].time", "time:", "not a time"),
    Bad("month-13", "date: 2024-07-11", "date: 2024-13-11", "date", "date:", "not a date"),
    Bad("unknown-timezone", "timezone: Europe/Minsk", "timezone: Europe/Minks", "timezone", "timezone:",
        "did you mean"),
    Bad("misspelt-field", "summary: A drone", "sumary: A drone", "sumary", "sumary:", "did you mean 'summary'"),
    Bad("status-estimated-by-hand", "role: end", "role: end\n    status: estimated", "route[3].status",
        "status:", "reserved"),
    Bad("unknown-source-id", "sources: [src]", "sources: [hajun]", "route[0].sources[0]", "sources: [hajun]",
        "not a source id"),
    Bad("javascript-url", "url: https://example.org/post", "url: javascript:alert(1)", "sources[0].url", "url:",
        "not a web address"),
    Bad("times-out-of-order", "after: 30m", 'time: "03:00"', "route[3].time", 'time: "03:00"', "earlier than"),
    Bad("heading-400", "role: end", "role: end\n    heading: 400", "route[3].heading", "heading:",
        "not a heading"),
    Bad("id-not-a-slug", "id: bad-input", "id: Bad Input!", "id", "id:", "not a report id"),
    Bad("from-unknown-country", "  - from: UA", "  - from: Narnia", "route[0].from", "- from: Narnia",
        "not a country"),
    Bad("time-and-after", "after: 30m", 'after: 30m\n    time: "05:00"', "route[3].after", "after:",
        "together with time"),
    Bad("no-sources", BASE[BASE.index("sources:"):BASE.index("route:")], "", "sources", "id: bad-input",
        "is missing"),
]


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def _one_line(result) -> str:
    """The one line on stderr, after checking there is exactly one and no traceback."""
    assert result.exit_code not in (0, None), result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # an exit, not a crash
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def _no_output(folder: Path, target: Path) -> None:
    assert not target.exists(), target
    assert [p.name for p in folder.iterdir() if p.name.startswith(f".{target.name}")] == []


def test_the_base_report_is_valid(runner, tmp_path):
    path = tmp_path / "base.yaml"
    path.write_text(BASE, encoding="utf-8")
    result = runner.invoke(cli, ["map", str(path), "-o", str(tmp_path / "map.html"), "--tiles", "none"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "map.html").exists()


@pytest.mark.parametrize("case", REPORTS, ids=lambda case: case.name)
def test_a_broken_report_is_one_line_naming_file_line_and_field(runner, tmp_path, case):
    path = tmp_path / f"{case.name}.yaml"
    content = case.content()
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(cli, ["map", str(path), "-o", str(out / "map.html"), "--tiles", "none"])
    line = _one_line(result)
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    if case.at is None:
        where = f"{path}: "
    else:
        number = next((n for n, row in enumerate(text.splitlines() or [""], 1) if case.at in row), 1)
        where = f"{path}:{number}: "
    assert line.startswith(where + (f"{case.field}: " if case.field else "")), (where, line)
    assert case.says in line
    _no_output(out, out / "map.html")


def test_the_catalogue_is_at_least_sixty_cases():
    assert len(REPORTS) + len(OPTIONS) + len(SPECIAL_FILES) + len(OUTPUTS) >= 60


# ----------------------------------------------------------------------------- report arguments that are not files


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def _empty_folder(tmp_path: Path) -> Path:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "notes.txt").write_text("not a report", encoding="utf-8")
    return tmp_path / "reports"


SPECIAL_FILES = {
    "dev-zero": (lambda tmp_path: Path("/dev/zero"), "is not a regular file"),
    "named-pipe": (_fifo, "is not a regular file"),
    "folder-without-reports": (_empty_folder, "has no *.yaml"),
    "missing-file": (lambda tmp_path: tmp_path / "nope.yaml", "does not exist"),
}


@pytest.mark.parametrize("name", SPECIAL_FILES)
def test_a_report_argument_that_is_not_a_report_file(runner, tmp_path, name):
    make, says = SPECIAL_FILES[name]
    given = make(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    line = _one_line(runner.invoke(cli, ["map", str(given), "-o", str(out / "map.html")]))
    assert str(given) in line and says in line
    _no_output(out, out / "map.html")


# ----------------------------------------------------------------------------- options

OPTIONS = {
    "title-with-esc": (["map", "--title", "Drones\x1b[2J"], "--title", "U+001B"),
    "byline-with-bel": (["map", "--byline", "Desk\x07"], "--byline", "U+0007"),
    "description-with-nul": (["map", "--description", "A\x00B"], "--description", "U+0000"),
    "unknown-tiles": (["map", "--tiles", "Nope.Tiles"], "tiles", "not an xyzservices provider"),
    "tiles-key-with-a-template": (["map", "--tiles", "CartoDB.Positron", "--tiles-key", "{{ 6*7 }}"],
                                  "tiles key", "letters, digits"),
    "tiles-needing-a-key": (["map", "--tiles", "CartoDB.Positron"], "tiles", "API key"),
    "unknown-option": (["map", "--frobnicate"], "--frobnicate", "No such option"),
    "image-too-wide": (["image", "--width", "100000"], "image size", "16,384"),
    "image-dpi-zero": (["image", "--dpi", "0"], "--dpi", "range"),
    "image-dpi-huge": (["image", "--dpi", "100000"], "dpi", "1200"),
    "analyze-unknown-format": (["analyze", "--format", "xlsx"], "--format", "is not one of"),
    "geocode-name-with-esc": (["geocode", "Lo\x1b[31myew"], "NAMES", "U+001B"),
    "geocode-too-many-alternatives": (["geocode", "Loyew", "-n", "99"], "--alternatives", "range"),
    "geocode-online-with-a-library-user-agent": (["geocode", "Loyew", "--online", "--user-agent", "geopy/2.4"],
                                                 "user_agent", "library default"),
}


@pytest.mark.parametrize("name", OPTIONS)
def test_a_bad_option_is_one_line_naming_it(runner, tmp_path, name):
    args, names, says = OPTIONS[name]
    target = tmp_path / ("map.png" if args[0] == "image" else "map.html")
    extra = ["-o", str(target)] if args[0] in ("map", "image") else []
    line = _one_line(runner.invoke(cli, [*args, *extra]))
    assert line.startswith("Error: ") and names in line and says in line, line
    assert "\x1b" not in line and "\x07" not in line and "\x00" not in line
    _no_output(tmp_path, target)


# ----------------------------------------------------------------------------- output paths

OUTPUTS = {
    "map-into-a-missing-folder": (["map"], "missing/map.html", "No such file or directory"),
    "map-onto-a-folder": (["map"], "folder", "Is a directory"),
    "map-under-a-file": (["map"], "file.txt/map.html", "Not a directory"),
    "map-into-sys": (["map"], "/sys/map.html", "cannot write"),
    "embed-snippet-onto-a-folder": (["map", "--embed"], "page.html", "page.embed.html: cannot write"),
    "image-with-an-unknown-extension": (["image"], "map.jpg", ".jpg"),
    "export-with-an-unknown-extension": (["export"], "incidents.shp", ".shp"),
    "export-into-a-missing-folder": (["export"], "missing/incidents.gpkg", "No such file or directory"),
    "analyze-into-a-missing-folder": (["analyze", "-f", "json"], "missing/figures.json",
                                      "No such file or directory"),
}


@pytest.mark.parametrize("name", OUTPUTS)
def test_an_output_that_cannot_be_written_is_one_line_naming_it(runner, tmp_path, name):
    args, given, says = OUTPUTS[name]
    (tmp_path / "folder").mkdir()
    (tmp_path / "page.embed.html").mkdir()  # the snippet's name taken by a folder
    (tmp_path / "file.txt").write_text("a file", encoding="utf-8")
    target = Path(given) if given.startswith("/") else tmp_path / given
    before = sorted(p.name for p in tmp_path.iterdir())
    line = _one_line(runner.invoke(cli, [*args, "-o", str(target)]))
    assert line.startswith(f"Error: {target.with_suffix('')}") and says in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, nothing left behind
    assert list((tmp_path / "folder").iterdir()) == []
