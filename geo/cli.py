"""The ``geo`` command line: a thin layer over the library.

Each command parses its options, calls one library function and prints.  Any
:class:`geo.errors.GeoError` becomes one line on stderr (``Error: ...``) and a
non-zero exit, never a traceback.  Everything printed goes through
:func:`geo.errors.visible`, so no report text, place name or file name can
drive the terminal.

Exit status:

0
    Done.
1
    An output file cannot be written (:class:`geo.errors.OutputError`): one line
    ``Error: PATH: cannot write: REASON; what to do next``, REASON the system's
    (e.g. "No such file or directory", "Permission denied", "No space left on
    device").  The same status whether the failure shows before the work (a
    missing folder, a folder in the way, checked first) or while writing (a full
    disk).  Nothing half-written is left and a previous file stays as it was
    (:mod:`geo.atomic`).  Also: any other library error, and names ``geo
    geocode`` cannot find.
2
    Input the user can fix: report files (every problem on its own line), an
    output extension no writer knows, an image size or dpi out of range, a
    control character in a text option (``--title``, ``--byline``,
    ``--description``, ``--tiles``, ``--tiles-key``, ``--user-agent``, the names
    and codes given to ``geo geocode``), all before any work; and click's usage
    errors.
130
    Interrupted (Ctrl-C) while a command that writes a file ran: one line
    ``Error: PATH: cannot write: interrupted; ...``, no partial file left.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import click

from geo import __version__
from geo.errors import ControlCharacterError, GeoError, ReportFormatError, UnknownPlaceError, check_plain_text, visible

__all__ = ["main", "cli"]

#: Exit status for input the user can fix (a bad file, a bad option value, an unknown name).
EXIT_BAD_INPUT = 2
#: Exit status when some names could not be geocoded.
EXIT_NOT_FOUND = 1
#: Exit status when a command that writes a file is interrupted (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130

#: Where a writing command notes its output file (in ``ctx.meta``), for the message if it is interrupted.
_OUTPUT_KEY = "geo.output"


def _echo(text: str, *, err: bool = False, nl: bool = True, newlines: bool = True, json: bool = False) -> None:
    """Print ``text`` with every control character made visible (:func:`geo.errors.visible`, which see)."""
    click.echo(visible(text, newlines=newlines, json=json), err=err, nl=nl)


def _wrote(path) -> None:
    """Say on stderr that ``path`` was written, and its size."""
    _echo(f"wrote {path} ({path.stat().st_size / 1024:,.0f} KB)", err=True, newlines=False)


class _Problem(click.ClickException):
    """``Error: MESSAGE`` on one line of stderr (control characters made visible), exit status ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def format_message(self) -> str:
        return visible((self.message.splitlines() or [""])[0], newlines=False)


class _ClickMessage(click.ClickException):
    """One of click's own errors (a usage error quoting what was typed), shown on one line.

    click prints a usage error as three lines (usage, a hint, the error); here it is one,
    ``Error: MESSAGE; see 'geo CMD --help'``, with control characters made visible.
    """

    def __init__(self, err: click.ClickException) -> None:
        super().__init__(err.message)
        self.exit_code, self._err = err.exit_code, err

    def show(self, file=None) -> None:
        ctx = getattr(self._err, "ctx", None)
        see = f"; see '{ctx.command_path} --help'" if isinstance(self._err, click.UsageError) and ctx else ""
        message = " ".join(self._err.format_message().split())
        message = message.rstrip(".") if see else message
        click.echo(visible(f"Error: {message}{see}", newlines=False), file=file or sys.stderr)


def _usage_check(check, *args) -> None:
    """Run ``check(*args)`` (e.g. :func:`geo.outputs.files.fileexport.export_format`) before any work; a GeoError exits 2."""
    try:
        check(*args)
    except GeoError as err:
        raise _Problem(str(err), EXIT_BAD_INPUT) from err


def _plain_text(ctx: click.Context, param: click.Parameter, value):
    """Option callback: refuse a control character in a text option or argument (exit 2, before any work)."""
    values = value if isinstance(value, tuple) else (value,)
    for k, text in enumerate(values):
        if text is None:
            continue
        name = max(param.opts, key=len) if isinstance(param, click.Option) else param.human_readable_name
        field = f"{name}[{k + 1}]" if isinstance(value, tuple) else name  # NAMES[2]: the second name
        try:
            check_plain_text(text, field=field)
        except ControlCharacterError as err:
            raise _Problem(str(err), EXIT_BAD_INPUT) from err
    return value


def _writing(ctx: click.Context, *paths) -> None:
    """Check the output files before any work (:func:`geo.atomic.check_target`) and note the first for Ctrl-C."""
    from geo.atomic import check_target

    ctx.meta[_OUTPUT_KEY] = paths[0]
    for path in paths:
        check_target(path)


class _GeoGroup(click.Group):
    """A click group that turns library errors into one clean line."""

    def make_context(self, *args, **kwargs) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as err:
            raise _ClickMessage(err) from err

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReportFormatError as err:
            # Every problem of every file, one line each, then exit 2.
            for problem in err.problems:
                _echo(str(problem), err=True, newlines=False)
            ctx.exit(EXIT_BAD_INPUT)
        except GeoError as err:  # an OutputError (cannot write) or another library error: exit 1
            raise _Problem(str(err)) from err
        except (_Problem, _ClickMessage):
            raise
        except click.ClickException as err:  # click's own, e.g. a bad option value
            raise _ClickMessage(err) from err
        except KeyboardInterrupt:
            output = ctx.meta.get(_OUTPUT_KEY)
            if output is None:
                raise
            raise _Problem(f"{output}: cannot write: interrupted; no partial file "
                           "was left, and a previous file is as it was", EXIT_INTERRUPTED) from None


@click.group(cls=_GeoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geo")
def cli() -> None:
    """Geocode reported drone flights and measure them against borders."""


# ----------------------------------------------------------------------------- geocode


def _place_record(location) -> dict[str, Any]:
    raw = dict(location.raw)
    return {
        "name": raw.get("name", location.address),
        "lat": round(float(location.latitude), 5),
        "lon": round(float(location.longitude), 5),
        "country": raw.get("country", ""),
        "region_id": raw.get("region_id", ""),
        "region": raw.get("region", ""),
        "kind": raw.get("kind", ""),
        "population": raw.get("population"),
        "uncertainty_km": raw.get("uncertainty_km"),
        "match": raw.get("match", ""),
        "matched": raw.get("matched", ""),
        "score": raw.get("score"),
        "id": raw.get("place_id", raw.get("osm_id", "")),
        "source": raw.get("source", ""),
    }


def _place_line(rec: dict[str, Any]) -> str:
    region = f"{rec['region']} ({rec['region_id']})" if rec["region_id"] else rec["region"]
    unc = rec["uncertainty_km"]
    unc_text = f"±{unc:.1f} km" if isinstance(unc, (int, float)) else "±? km"
    score = f", score {rec['score']:.0f}" if rec.get("match") == "fuzzy" and rec.get("score") is not None else ""
    return (
        f"{rec['name']:<24} {rec['lat']:9.5f} N {rec['lon']:9.5f} E  {rec['country']:<2}  "
        f"{region:<24} {rec['kind']:<9} {unc_text:>10}  ({rec['match']} match on {rec['matched']!r}{score})"
    )


def _geocoder(online: bool, user_agent: str | None, cache: str | None):
    from geo.geocoding.gazetteer import Gazetteer

    gazetteer = Gazetteer()
    if not online:
        return gazetteer
    from geo.geocoding.geocode import FallbackGeocoder, OnlineGeocoder

    return FallbackGeocoder(gazetteer, OnlineGeocoder(user_agent=user_agent, cache_path=cache))


@cli.command()
@click.argument("names", nargs=-1, required=True, callback=_plain_text)
@click.option("--country", "-c", "hints", multiple=True, metavar="CODE", callback=_plain_text,
              help="Prefer places in this country or region (e.g. BY, BY-HO); repeatable. Ranks, never excludes.")
@click.option("--only", "only", multiple=True, metavar="CODE", callback=_plain_text,
              help="Restrict to this country (ISO alpha-2); repeatable.")
@click.option("--alternatives", "-n", default=3, show_default=True, type=click.IntRange(0, 20),
              help="How many runner-up candidates to print per name.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--online", is_flag=True,
              help="Ask OpenStreetMap Nominatim for names the offline gazetteer lacks (needs --user-agent).")
@click.option("--user-agent", envvar="GEO_USER_AGENT", callback=_plain_text,
              help="User-Agent for online services: your app and contact.")
@click.option("--cache", type=click.Path(dir_okay=False), help="On-disk cache for online answers.")
def geocode(names, hints, only, alternatives, as_json, online, user_agent, cache):
    """Resolve place NAMES offline (any spelling or script) and print the best match and runner-ups.

    Exits with status 1 if any name matched nothing; the closest names are suggested.
    """
    geocoder = _geocoder(online, user_agent, cache)
    results, missing = [], 0
    for name in names:
        try:
            found = geocoder.geocode(
                name, exactly_one=False, hint=list(hints) or None, country_codes=list(only) or None
            )
        except UnknownPlaceError as err:
            missing += 1
            results.append({"query": name, "best": None, "alternatives": [], "error": str(err),
                            "suggestions": [str(s) for s in err.suggestions]})
            continue
        if not found:
            missing += 1
            results.append({"query": name, "best": None, "alternatives": [],
                            "error": f"no place matches {name!r}", "suggestions": []})
            continue
        records = [_place_record(loc) for loc in found]
        results.append({"query": name, "best": records[0], "alternatives": records[1 : 1 + alternatives]})
    if as_json:
        _echo(json.dumps(results, ensure_ascii=False, indent=2, sort_keys=True), json=True)
    else:
        for item in results:
            if item["best"] is None:
                _echo(f"{item['query']}: {item['error']}", err=True, newlines=False)
                continue
            _echo(f"{item['query']}\n  = {_place_line(item['best'])}")
            for alt in item["alternatives"]:
                _echo(f"    {_place_line(alt)}")
    if missing:
        sys.exit(EXIT_NOT_FOUND)


# ----------------------------------------------------------------------------- borders


@cli.command(name="borders")
@click.option("--between", nargs=2, metavar="A B", help="Two countries (codes or names): print their shared border.")
@click.option("--country", metavar="A", help="One country: list every stretch of its boundary.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def borders_cmd(between, country, as_json):
    """Print the length and end points of a shared border, or a country's boundary stretches."""
    from geo.reference import borders

    if between:
        border = borders.shared_border(*between)
        if as_json:
            (x0, y0), (x1, y1) = border.ends
            _echo(json.dumps({
                "a": border.a, "b": border.b,
                "length_km": round(border.length_km, 1), "touching_km": round(border.touching_km, 1),
                "ends": [{"lon": round(x0, 5), "lat": round(y0, 5)}, {"lon": round(x1, 5), "lat": round(y1, 5)}],
            }, indent=2, sort_keys=True), json=True)
        else:
            _echo(str(border))
        return
    if not country:
        raise click.UsageError("give --between A B or --country A")
    code = borders.resolve_country(country)
    frame = borders.borders()
    rows = frame[frame["country"] == code][["neighbour", "length_km", "touching_km"]]
    if as_json:
        _echo(json.dumps(rows.to_dict(orient="records"), indent=2, sort_keys=True), json=True)
    else:
        for neighbour, length, touching in rows.itertuples(index=False):
            _echo(f"{code}–{neighbour:<7} {length:9,.1f} km   ({touching:,.1f} km where the polygons meet)")


# ----------------------------------------------------------------------------- analyze


def _load(reports: tuple[str, ...]):
    """Validate, geocode and build REPORT files (default: the shipped seeds): a :class:`geo.Incidents`."""
    from geo.api import load

    return load(list(reports) or None)


@cli.command()
@click.argument("reports", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json", "geojson"]), default="table",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(),
              help="Write to this file (atomically) instead of standard output.")
@click.pass_context
def analyze(ctx, reports, fmt, output):
    """Measure incident REPORTs (YAML files or folders; default: the shipped seeds) against the borders.

    Prints, per incident: length (with range), border crossings, depth past the
    border, time inside the country and each region, implied speeds, and a check
    of every reported figure.  Bad report files: every problem on its own line,
    exit status 2.
    """
    from geo.atomic import write_atomic
    from geo.outputs.files.export import render

    if output:
        _writing(ctx, output)
    incidents = _load(reports)
    text = render(incidents.tracks, incidents.figures, fmt)
    if output:
        write_atomic(output, text)
        _echo(f"wrote {output}", err=True, newlines=False)
    else:
        _echo(text, nl=False, json=fmt in ("json", "geojson"))


# ----------------------------------------------------------------------------- map


@cli.command(name="map")
@click.argument("reports", nargs=-1, type=click.Path(exists=True))
@click.option("--output", "-o", type=click.Path(), default="map.html",
              show_default=True, help="The HTML page to write (atomically).")
@click.option("--offline", is_flag=True,
              help="Inline every script and style and draw no tiles: the page works without a network.")
@click.option("--embed", is_flag=True, help="Also write NAME.embed.html: a responsive iframe snippet.")
@click.option("--title", callback=_plain_text, help="Headline (default: made from the incidents).")
@click.option("--byline", callback=_plain_text, help="Byline printed under the map.")
@click.option("--description", callback=_plain_text,
              help="Standfirst under the headline (default: how to read the map).")
@click.option("--tiles", default=None, metavar="NAME|none", callback=_plain_text,
              help="Basemap: an xyzservices provider name, or 'none' for the shipped outlines only "
                   "[default: Esri.WorldGrayCanvas].")
@click.option("--tiles-key", envvar="GEO_TILES_KEY", callback=_plain_text,
              help="API key for tile providers that need one.")
@click.pass_context
def map_cmd(ctx, reports, output, offline, embed, title, byline, description, tiles, tiles_key):
    """Draw incident REPORTs (YAML files or folders; default: the shipped seeds) on a web map.

    Writes one self-contained HTML page (Leaflet): tracks by leg status with their
    uncertainty, crossings, depth, regions, a time slider, sources and attribution.
    With --embed both files are written, or (on failure) neither.
    """
    from geo.api import map_paths, write_map

    _writing(ctx, *map_paths(output, embed=embed))
    written = write_map(output, _load(reports), title=title, byline=byline, description=description, tiles=tiles,
                        tiles_key=tiles_key, offline=offline, embed=embed)
    for path in written:
        _wrote(path)


# ----------------------------------------------------------------------------- export


@cli.command(name="export")
@click.argument("reports", nargs=-1, type=click.Path(exists=True))
@click.option("--output", "-o", required=True, type=click.Path(),
              help="The file to write (atomically); its extension picks the format: .geojson/.json, .gpkg, .csv, "
                   ".kml or .kmz.")
@click.pass_context
def export_cmd(ctx, reports, output):
    """Export incident REPORTs (YAML files or folders; default: the shipped seeds) for analysts.

    GeoPackage: layers tracks, legs, waypoints, crossings and deepest_points with
    every figure as attributes; GeoJSON and CSV: as `geo analyze -f geojson|csv`;
    KML/KMZ: for Google Earth, a folder per incident with styled legs, a timed
    track and the map's popups.  The same reports give the same file.
    """
    from geo.api import write_export
    from geo.outputs.files.fileexport import export_format

    _usage_check(export_format, output)  # before any work: a bad extension is a usage error (exit 2)
    _writing(ctx, output)
    _wrote(write_export(output, _load(reports)))


# ----------------------------------------------------------------------------- image


@cli.command()
@click.argument("reports", nargs=-1, type=click.Path(exists=True))
@click.option("--output", "-o", required=True, type=click.Path(),
              help="The image to write (atomically): .png or .svg.")
@click.option("--width", type=click.IntRange(min=1), help="Width in pixels [default: 1600; at most 16,384, "
                                                           "and 100 megapixels in all].")
@click.option("--height", type=click.IntRange(min=1), help="Height in pixels [default: 2000].")
@click.option("--dpi", type=click.FloatRange(min=1), help="Dots per inch: with the size, sets the size of "
                                                           "the text [default: 200, i.e. 8 × 10 in].")
@click.option("--preset", type=click.Choice(["column", "half", "full"]),
              help="A size for a page: column (600 px wide, smallest text about 9 px), half (1000 px) or "
                   "full (1600 px); --width, --height and --dpi override it.")
@click.option("--title", callback=_plain_text, help="Headline (default: made from the incidents).")
@click.pass_context
def image(ctx, reports, output, width, height, dpi, preset, title):
    """Draw incident REPORTs (YAML files or folders; default: the shipped seeds) on a static map for print.

    PNG or SVG, by the extension: tracks by leg status with their uncertainty,
    crossings, depth, regions, a key, scale bar, sources and attribution, in a
    Lambert conformal projection.  The same reports give the same file.
    """
    from geo.api import write_image
    from geo.outputs.print.image import check_size, image_format, image_size

    # Before any work: a bad extension, or a size too large to draw, is a usage error (exit 2).
    _usage_check(image_format, output)
    width, height, dpi = image_size(preset, width=width, height=height, dpi=dpi)
    _usage_check(check_size, width, height, dpi)
    _writing(ctx, output)
    _wrote(write_image(output, _load(reports), title=title, width=width, height=height, dpi=dpi))


class _VisibleFormatter(logging.Formatter):
    """Log lines as ``geo.geocoding.geocode: message``, on one line, with control characters made visible."""

    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record), newlines=False)


def _log_to_stderr() -> None:
    """Warnings of the library (e.g. an online retry) as one line each on stderr, never a traceback."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_VisibleFormatter("%(name)s: %(message)s"))
    logger = logging.getLogger("geo")
    if not logger.handlers:
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = False


def main(argv: list[str] | None = None) -> None:
    """Run the ``geo`` command line (the console-script entry point)."""
    _log_to_stderr()
    cli.main(args=argv, prog_name="geo")


if __name__ == "__main__":  # pragma: no cover
    main()
