"""Specification of how ``geo`` writes files: atomically, with one clear line when it cannot.

Every writing command (``geo map``, ``geo map --embed``, ``geo image`` PNG and
SVG, ``geo analyze -o``, ``geo export`` to each format) is run in-process with
click's CliRunner on the shipped seeds, into a folder that is missing, a folder
in the way, a path under a regular file, a read-only place (``/sys``: even root
cannot create files there), a full disk, a refused rename and an interrupted
write (the last three simulated in-process by replacing ``os.write``,
``os.fsync``, ``os.replace`` or GDAL's writer).  Each must
exit non-zero with exactly one line ``Error: PATH: cannot write: REASON...`` on
stderr, no traceback, the previous file byte for byte as it was (or no file) and
no temporary file left.  Then: file modes (umask, kept mode), the sweep of stale
temporary files, the image size limit, control characters, and CSV cells.

The seeds are loaded once for the module (:func:`geo.load`) and handed to every
command in place of its own load, so each run costs only its drawing and writing.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import geo
import geo.cli
from geo.api import Incidents
from geo.atomic import STALE_AFTER_SECONDS, TEMP_MARK, building, sweep_stale, temp_name, write_atomic
from geo.errors import CONTROL_CHARACTERS, ExportError, OutputError
from geo.outputs.files.export import to_csv
from geo.outputs.web.render import RenderOptionError

#: The image size the tests draw (as tests/test_image.py): the default page at half the pixels.
SMALL = ["--width", "800", "--height", "1000", "--dpi", "100"]
#: Every writing command: its arguments before ``-o`` and the file it writes.
COMMANDS = {
    "map": (["map"], "map.html"),
    "map --embed": (["map", "--embed"], "map.html"),
    "image png": (["image", *SMALL], "map.png"),
    "image svg": (["image", *SMALL], "map.svg"),
    "analyze -o": (["analyze", "--format", "json"], "figures.json"),
    "export gpkg": (["export"], "incidents.gpkg"),
    "export geojson": (["export"], "incidents.geojson"),
    "export csv": (["export"], "incidents.csv"),
    "export kml": (["export"], "incidents.kml"),
    "export kmz": (["export"], "incidents.kmz"),
}
PREVIOUS = b"the previous file, which must survive\n"
ESC = "\x1b"


@pytest.fixture(scope="module")
def incidents():
    """The shipped seeds, loaded and analysed once."""
    loaded = geo.load()
    assert len(loaded.figures) == 4
    return loaded


@pytest.fixture
def run(incidents, monkeypatch):
    """Run ``geo ARGS``, every command getting the seeds loaded once instead of loading them itself."""
    monkeypatch.setattr(geo.cli, "_load", lambda reports: incidents)

    def invoke(*args: str):
        return CliRunner().invoke(geo.cli.cli, [str(a) for a in args])

    return invoke


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a command starts loading reports (it should have stopped before)."""
    def refuse(reports):
        raise AssertionError("the command loaded the reports before refusing its options")

    monkeypatch.setattr(geo.cli, "_load", refuse)
    return lambda *args: CliRunner().invoke(geo.cli.cli, [str(a) for a in args])


def _targets(command: str, target: Path) -> list[Path]:
    """The files ``command`` writes when told ``-o target``."""
    return [target, target.with_name(target.stem + ".embed.html")] if "--embed" in command else [target]


def _one_error_line(result, *, path: Path | str, reason: str | None = None) -> str:
    """Assert the one-line failure: non-zero exit, one ``Error: PATH: cannot write`` line, no traceback."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(f"Error: {path}: cannot write: "), line
    if reason is not None:
        assert line.startswith(f"Error: {path}: cannot write: {reason}"), line
    assert result.stdout == ""
    return line


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_MARK in p.name)


def _fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def _break_writes(monkeypatch, error: BaseException, *, only: str = "") -> None:
    """Make every write into a temporary file of geo (whose path holds ``only``) write half its bytes, then raise."""
    real_write = os.write

    def write(fd, data):
        name = _fd_path(fd)
        if TEMP_MARK in name and only in name:
            real_write(fd, bytes(data[: max(1, len(data) // 2)]))
            raise error
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


def _break_gdal(monkeypatch, error: BaseException) -> None:
    """Make GDAL write the GeoPackage's first layer, then raise ``error`` (as GDAL on a full disk, or Ctrl-C)."""
    import pyogrio

    real = pyogrio.write_dataframe
    calls = []

    def write_dataframe(frame, path, **kwargs):
        calls.append(path)
        if len(calls) > 1:
            raise error
        return real(frame, path, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", write_dataframe)


# ----------------------------------------------------------------------------- paths that cannot be written


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_folder_fails_before_any_work(command, no_work, tmp_path):
    args, name = COMMANDS[command]
    target = tmp_path / "nowhere" / name
    result = no_work(*args, "-o", target)
    line = _one_error_line(result, path=target, reason="No such file or directory")
    assert "create it first" in line
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_target_that_is_a_folder_fails_before_any_work(command, no_work, tmp_path):
    args, name = COMMANDS[command]
    target = tmp_path / name
    target.mkdir()
    result = no_work(*args, "-o", target)
    _one_error_line(result, path=target, reason="Is a directory")
    assert result.exit_code == 1
    assert target.is_dir() and list(target.iterdir()) == [] and [p.name for p in tmp_path.iterdir()] == [name]


@pytest.mark.parametrize("command", COMMANDS)
def test_path_under_a_regular_file_fails_before_any_work(command, no_work, tmp_path):
    args, name = COMMANDS[command]
    (tmp_path / "notes.txt").write_bytes(PREVIOUS)
    target = tmp_path / "notes.txt" / name
    result = no_work(*args, "-o", target)
    _one_error_line(result, path=target, reason="Not a directory")
    assert result.exit_code == 1
    assert (tmp_path / "notes.txt").read_bytes() == PREVIOUS and len(list(tmp_path.iterdir())) == 1


def test_embed_snippet_in_the_way_fails_before_the_page_is_written(no_work, tmp_path):
    page = tmp_path / "map.html"
    page.write_bytes(PREVIOUS)
    (tmp_path / "map.embed.html").mkdir()
    result = no_work("map", "--embed", "-o", page)
    _one_error_line(result, path=tmp_path / "map.embed.html", reason="Is a directory")
    assert page.read_bytes() == PREVIOUS and _temporaries(tmp_path) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_read_only_place_fails_and_leaves_nothing(command, run):
    """``/sys`` refuses new files even to root (tests run as root, for whom chmod stops nothing)."""
    args, name = COMMANDS[command]
    target = Path("/sys") / name
    assert not target.exists()
    result = run(*args, "-o", target)
    # sysfs refuses a new file with EACCES, and a new folder (where GDAL builds a GeoPackage) with EPERM.
    reason = "Operation not permitted" if command == "export gpkg" else "Permission denied"
    _one_error_line(result, path=target, reason=reason)
    assert not target.exists() and _temporaries(Path("/sys")) == []


# ----------------------------------------------------------------------------- failures while writing


def _check_previous_kept(result, command: str, target: Path, *, reason: str, exit_code: int | None = None):
    line = _one_error_line(result, path=target, reason=reason)
    if exit_code is not None:
        assert result.exit_code == exit_code
    for path in _targets(command, target):
        assert path.read_bytes() == PREVIOUS, f"{path} changed"
    assert _temporaries(target.parent) == []
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(p.name for p in _targets(command, target))
    return line


def _previous(command: str, target: Path) -> None:
    for path in _targets(command, target):
        path.write_bytes(PREVIOUS)


def _disk_full_while_writing(monkeypatch, command: str) -> tuple[str, int]:
    if command == "export gpkg":
        import pyogrio.errors

        _break_gdal(monkeypatch, pyogrio.errors.DataSourceError("sqlite3_exec(CREATE TABLE) failed: "
                                                                "database or disk is full"))
        return ("GDAL could not write the GeoPackage: sqlite3_exec(CREATE TABLE) failed: database or disk is full; "
                "check the disk has space", 1)
    _break_writes(monkeypatch, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    return "No space left on device; free some disk space", 1


def _disk_full_at_fsync(monkeypatch, command: str) -> tuple[str, int]:
    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)
    return "No space left on device; free some disk space", 1


def _denied_at_rename(monkeypatch, command: str) -> tuple[str, int]:
    def replace(src, dst):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "replace", replace)
    return "Permission denied", 1


def _interrupted_while_writing(monkeypatch, command: str) -> tuple[str, int]:
    if command == "export gpkg":
        _break_gdal(monkeypatch, KeyboardInterrupt())
    else:
        _break_writes(monkeypatch, KeyboardInterrupt())
    return "interrupted", 130


#: Failures while writing, each set up by a function of (monkeypatch, command) giving (reason, exit status).
FAILURES = {
    "disk full while writing": _disk_full_while_writing,
    "disk full at fsync": _disk_full_at_fsync,
    "permission denied at rename": _denied_at_rename,
    "interrupted while writing": _interrupted_while_writing,
}


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("command", COMMANDS)
def test_failure_while_writing_keeps_the_previous_file(command, failure, run, monkeypatch, tmp_path):
    args, name = COMMANDS[command]
    target = tmp_path / name
    _previous(command, target)
    reason, exit_code = FAILURES[failure](monkeypatch, command)
    result = run(*args, "-o", target)
    _check_previous_kept(result, command, target, reason=reason, exit_code=exit_code)


def test_embed_snippet_that_cannot_be_written_leaves_both_files_as_they_were(run, monkeypatch, tmp_path):
    """The page is written first; the snippet failing after it must not leave a new page with an old snippet."""
    target = tmp_path / "map.html"
    _previous("map --embed", target)
    _break_writes(monkeypatch, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), only=".embed.html")
    result = run("map", "--embed", "-o", target)
    _one_error_line(result, path=tmp_path / "map.embed.html", reason="No space left on device")
    assert target.read_bytes() == PREVIOUS and (tmp_path / "map.embed.html").read_bytes() == PREVIOUS
    assert _temporaries(tmp_path) == []


def test_api_write_failures_are_export_errors_and_os_errors(incidents, tmp_path):
    """Callers that caught ExportError (or OSError) keep working; the error carries the system's errno."""
    with pytest.raises(ExportError, match="cannot write: No such file or directory") as caught:
        geo.write_export(tmp_path / "nowhere" / "x.csv", incidents)
    assert isinstance(caught.value, OutputError) and isinstance(caught.value, OSError)
    assert caught.value.errno == errno.ENOENT and caught.value.filename == str(tmp_path / "nowhere" / "x.csv")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "map.png").mkdir()
    with pytest.raises(OutputError, match="Is a directory"):
        geo.write_image(tmp_path / "map.png", incidents)  # refused before anything is drawn
    (tmp_path / "page.embed.html").mkdir()
    with pytest.raises(OutputError, match="page.embed.html: cannot write: Is a directory"):
        geo.write_map(tmp_path / "page.html", incidents, embed=True)  # the snippet's place: before the page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png", "page.embed.html"]


# ----------------------------------------------------------------------------- modes and temporary files


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    yield
    os.umask(previous)


@pytest.mark.parametrize("command", ["analyze -o", "export gpkg", "map --embed"])
def test_new_files_get_the_umask_and_replaced_files_keep_their_mode(command, run, umask_027, tmp_path):
    args, name = COMMANDS[command]
    target = tmp_path / name
    result = run(*args, "-o", target)
    assert result.exit_code == 0, result.output
    for path in _targets(command, target):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path  # 0o666 & ~0o027
        os.chmod(path, 0o600)
    result = run(*args, "-o", target)
    assert result.exit_code == 0, result.output
    for path in _targets(command, target):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert _temporaries(tmp_path) == []


def test_replacing_a_setuid_file_keeps_only_its_permission_bits(tmp_path):
    target = tmp_path / "figures.json"
    target.write_bytes(PREVIOUS)
    os.chmod(target, 0o4755)
    write_atomic(target, "{}\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o755 and target.read_text() == "{}\n"


@pytest.fixture
def dead_pid():
    """The process id of a child that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_next_write_sweeps_stale_temporaries_of_its_target_only(run, dead_pid, tmp_path):
    target = tmp_path / "figures.json"
    stale = tmp_path / temp_name(target, pid=dead_pid)                      # a killed run's half-written file
    stale_build = tmp_path / temp_name(target, pid=dead_pid)                 # a killed GeoPackage build
    old = tmp_path / temp_name(target, pid=os.getpid())                      # a live pid, but hours old
    live = tmp_path / temp_name(target, pid=os.getpid())                     # a write under way: kept
    other = tmp_path / temp_name(tmp_path / "map.html", pid=dead_pid)        # another target's: kept
    unrelated = [tmp_path / ".figures.json.swp", tmp_path / ".figures.json.geo-tmp-notes",
                 tmp_path / f".figures.json{TEMP_MARK}{dead_pid}-NOTHEX00"]
    for path in [stale, old, live, other, *unrelated]:
        path.write_bytes(b"half")
    stale_build.mkdir()
    (stale_build / "figures.json").write_bytes(b"half")
    hours_ago = time.time() - STALE_AFTER_SECONDS - 60
    os.utime(old, (hours_ago, hours_ago))

    result = run("analyze", "--format", "json", "-o", target)
    assert result.exit_code == 0, result.output
    left = {p.name for p in tmp_path.iterdir()}
    assert not {stale.name, stale_build.name, old.name} & left
    assert {live.name, other.name, target.name, *(p.name for p in unrelated)} <= left
    assert all(p.read_bytes() == b"half" for p in [live, other, *unrelated])


def test_sweep_leaves_links_alone(dead_pid, tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_bytes(PREVIOUS)
    link = tmp_path / temp_name(tmp_path / "map.html", pid=dead_pid)
    link.symlink_to(keep)
    assert sweep_stale(tmp_path / "map.html") == []
    assert link.is_symlink() and keep.read_bytes() == PREVIOUS


def test_gpkg_build_folder_of_a_killed_run_is_swept_and_a_build_leaves_nothing(dead_pid, tmp_path):
    target = tmp_path / "incidents.gpkg"
    stale = tmp_path / temp_name(target, pid=dead_pid)
    stale.mkdir()
    (stale / "incidents.gpkg-journal").write_bytes(b"half")
    with building(target) as build:
        assert build.parent.name.startswith(f".incidents.gpkg{TEMP_MARK}{os.getpid()}-")
        build.write_bytes(b"built")
    assert [p.name for p in tmp_path.iterdir()] == ["incidents.gpkg"] and target.read_bytes() == b"built"


def test_a_very_long_name_still_gets_a_temporary_beside_it(tmp_path):
    target = tmp_path / ("n" * 240 + ".json")
    write_atomic(target, "{}")
    assert target.read_text() == "{}" and len(temp_name(target).encode()) <= 255


# ----------------------------------------------------------------------------- image size


def test_image_too_large_is_refused_before_any_work(no_work, tmp_path):
    result = no_work("image", "-o", tmp_path / "huge.png", "--width", "100000", "--height", "100000")
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: image size 100000×100000 px is too large: at most 16,384 px a side and "
                           "100 megapixels"), line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("size", [("16385", "400"), ("12000", "9000")])  # one side too long; too many pixels
def test_image_limits_are_a_side_and_a_pixel_count(size, no_work, tmp_path):
    result = no_work("image", "-o", tmp_path / "huge.svg", "--width", size[0], "--height", size[1])
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1 and "too large" in result.stderr


def test_image_dpi_out_of_range_is_refused_before_any_work(no_work, tmp_path):
    result = no_work("image", "-o", tmp_path / "map.png", "--dpi", "100000")
    assert result.exit_code == 2 and result.stderr.splitlines() == ["Error: dpi 100000.0: expected 50 to 1200"]


def test_image_at_the_highest_dpi_and_the_default_size_says_there_is_no_room(run, tmp_path):
    result = run("image", "-o", tmp_path / "map.png", "--dpi", "1200")
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert "leaves no room for the map" in line and "lower the dpi" in line
    assert list(tmp_path.iterdir()) == []


def test_api_image_too_large_is_refused_before_drawing(incidents, tmp_path):
    with pytest.raises(RenderOptionError, match="too large"):
        geo.write_image(tmp_path / "huge.png", incidents, width=100_000, height=100_000)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- control characters


@pytest.mark.parametrize("args, option", [
    (["map", "--title"], "--title"), (["map", "--byline"], "--byline"), (["map", "--description"], "--description"),
    (["map", "--tiles"], "--tiles"), (["map", "--tiles-key"], "--tiles-key"), (["image", "-o", "x.png", "--title"],
                                                                               "--title"),
    (["geocode", "Minsk", "--user-agent"], "--user-agent"), (["geocode", "Minsk", "--country"], "--country[1]"),
])
def test_control_characters_in_text_options_are_refused_before_any_work(args, option, no_work):
    result = no_work(*args, f"ab{ESC}[2Jc")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"Error: {option}: contains a control character (U+001B) at position 3; expected plain text"]
    assert ESC not in result.output


@pytest.mark.parametrize("char", ["\x07", "\x00", "\r", "\x7f", "\x9b", "\ud800", "\uffff"])
def test_every_kind_of_control_character_is_refused_in_geocode_names(char, no_work):
    result = no_work("geocode", "Minsk", f"Go{char}rki")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: NAMES[2]: contains a control character (U+{ord(char):04X}) at position 3; expected plain text"]


def test_control_characters_from_the_environment_are_refused(no_work):
    result = CliRunner(env={"GEO_TILES_KEY": f"key{ESC}"}).invoke(geo.cli.cli, ["map", "-o", "x.html"])
    assert result.exit_code == 2 and "--tiles-key: contains a control character (U+001B)" in result.stderr


def test_tab_and_newline_are_plain_text(run, tmp_path):
    result = run("map", "-o", tmp_path / "map.html", "--title", "Drones\tover\nBelarus")
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def hostile(incidents):
    """The seeds with control characters in their titles and place labels, as the Python API may pass them."""
    tracks = incidents.tracks.copy()
    # No lone surrogate: pandas keeps the layers' text as Arrow strings, which cannot hold one (the SVG test
    # passes one in the title).
    tracks["title"] = [f"{title} \x1b[31mred\x07\x00 \ufffe end" for title in tracks["title"]]
    tracks["stops"] = [[{**stop, "label": f"{stop['label']}\x1b]0;owned\x07"} for stop in stops]
                       for stops in tracks["stops"]]
    return Incidents(reports=incidents.reports, tracks=tracks)


def _no_control_characters(text: str) -> None:
    assert CONTROL_CHARACTERS.search(text) is None, repr(CONTROL_CHARACTERS.search(text))


def test_kml_never_holds_a_control_character(hostile, tmp_path):
    from lxml import etree

    for name in ("hostile.kml", "hostile.kmz"):
        path = geo.write_export(tmp_path / name, hostile)
        raw = path.read_bytes() if name.endswith(".kml") else zipfile.ZipFile(path).read("doc.kml")
        text = raw.decode("utf-8")
        _no_control_characters(text)
        root = etree.fromstring(raw)  # strict XML 1.0: refuses any control character
        assert "\ufffd[31mred" in "".join(root.itertext())


def test_svg_never_holds_a_control_character(hostile, tmp_path):
    path = geo.write_image(tmp_path / "hostile.svg", hostile, title="Title\x1b[2J\x00 \ud800", width=800,
                           height=1000, dpi=100)
    text = path.read_text(encoding="utf-8")
    _no_control_characters(text)
    root = ET.fromstring(path.read_bytes())
    drawn = " ".join("".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Title\ufffd[2J\ufffd \ufffd" in drawn and "\ufffd[31mred" in drawn


def test_nothing_printed_holds_a_control_character(run, hostile, monkeypatch, tmp_path):
    monkeypatch.setattr(geo.cli, "_load", lambda reports: hostile)
    for fmt, shown in [("table", "\\x1b[31mred\\x07\\x00"), ("json", "\\u001b[31mred\\u0007\\u0000"),
                       ("geojson", "\\u001b[31mred\\u0007\\u0000"), ("csv", "")]:
        result = run("analyze", "--format", fmt)
        assert result.exit_code == 0, result.output
        _no_control_characters(result.output)
        assert shown in result.stdout
        if fmt != "table" and fmt != "csv":
            json.loads(result.stdout)  # still JSON: the escapes are JSON's


def test_file_names_with_control_characters_are_printed_visibly(run, tmp_path):
    target = tmp_path / f"figures{ESC}[2J.json"
    result = run("analyze", "-o", target)
    assert result.exit_code == 0 and target.exists()
    assert result.stderr == f"wrote {tmp_path}/figures\\x1b[2J.json\n"
    missing = tmp_path / f"no{ESC}]0;where\x07" / "figures.json"
    result = run("analyze", "-o", missing)
    assert result.exit_code == 1
    _no_control_characters(result.output)
    assert result.stderr.startswith(f"Error: {tmp_path}/no\\x1b]0;where\\x07/figures.json: cannot write: ")
    result = run("analyze", tmp_path / f"report{ESC}[2J.yaml")  # click's own usage error
    assert result.exit_code == 2
    _no_control_characters(result.output)


# ----------------------------------------------------------------------------- CSV cells


def test_csv_text_cells_cannot_run_as_formulas(incidents):
    tracks, figures = incidents.tracks.copy(), incidents.figures.copy()
    tracks["id"] = figures["id"] = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1:A9)"]
    tracks["drone"] = ["\t=1", "\r=1", "shahed", "=cmd|' /C calc'!A0"]
    tracks["reported_distance_km"] = [-5.0, None, 350.0, 60.0]
    rows = list(csv.DictReader(io.StringIO(to_csv(tracks, figures))))
    assert [r["id"] for r in rows] == ["'=HYPERLINK(\"http://evil\")", "'+1+1", "'-2+3", "'@SUM(A1:A9)"]
    assert [r["drone"] for r in rows] == ["'\t=1", "'\n=1", "shahed", "'=cmd|' /C calc'!A0"]  # CR: a line break
    assert rows[0]["reported_distance_km"] == "-5.0"  # a number stays a number, minus sign and all
    assert all(float(r["length_km"]) > 0 for r in rows if r["placed"] == "True")
