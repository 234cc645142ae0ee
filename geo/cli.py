"""The ``geo`` command line: a thin layer over the library.

Each command parses its options, calls one library function and prints.  Any
:class:`geo.errors.GeoError` becomes one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from . import __version__
from .errors import GeoError, ReportFormatError, UnknownPlaceError

__all__ = ["main", "cli"]

#: Exit status for input the user can fix (a bad file, an unknown name).
EXIT_BAD_INPUT = 2
#: Exit status when some names could not be geocoded.
EXIT_NOT_FOUND = 1


class _BadOutput(click.ClickException):
    """An output file click cannot judge (e.g. its extension): ``Error: ...`` on one line, exit status 2."""

    exit_code = EXIT_BAD_INPUT


def _check_output(check, output: str) -> None:
    """Run ``check(output)`` (e.g. :func:`geo.layers.export_format`) before any work; a GeoError is a usage error."""
    try:
        check(output)
    except GeoError as err:
        raise _BadOutput(str(err)) from err


class _GeoGroup(click.Group):
    """A click group that turns library errors into one clean line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReportFormatError as err:
            # Every problem of every file, one line each, then exit 2.
            for problem in err.problems:
                click.echo(str(problem), err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except GeoError as err:
            raise click.ClickException(str(err).splitlines()[0]) from err


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
    return (
        f"{rec['name']:<24} {rec['lat']:9.5f} N {rec['lon']:9.5f} E  {rec['country']:<2}  "
        f"{region:<24} {rec['kind']:<8} {unc_text:>10}  ({rec['match']} match on {rec['matched']!r})"
    )


def _geocoder(online: bool, user_agent: str | None, cache: str | None):
    from .gazetteer import Gazetteer

    gazetteer = Gazetteer()
    if not online:
        return gazetteer
    from .geocode import FallbackGeocoder, OnlineGeocoder

    return FallbackGeocoder(gazetteer, OnlineGeocoder(user_agent=user_agent, cache_path=cache))


@cli.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--country", "-c", "hints", multiple=True, metavar="CODE",
              help="Prefer places in this country or region (e.g. BY, BY-HO); repeatable. Ranks, never excludes.")
@click.option("--only", "only", multiple=True, metavar="CODE",
              help="Restrict to this country (ISO alpha-2); repeatable.")
@click.option("--alternatives", "-n", default=3, show_default=True, type=click.IntRange(0, 20),
              help="How many runner-up candidates to print per name.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--online", is_flag=True,
              help="Ask OpenStreetMap Nominatim for names the offline gazetteer lacks (needs --user-agent).")
@click.option("--user-agent", envvar="GEO_USER_AGENT", help="User-Agent for online services: your app and contact.")
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
        click.echo(json.dumps(results, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        for item in results:
            if item["best"] is None:
                click.echo(f"{item['query']}: {item['error']}", err=True)
                continue
            click.echo(f"{item['query']}\n  = {_place_line(item['best'])}")
            for alt in item["alternatives"]:
                click.echo(f"    {_place_line(alt)}")
    if missing:
        sys.exit(EXIT_NOT_FOUND)


# ----------------------------------------------------------------------------- borders


@cli.command(name="borders")
@click.option("--between", nargs=2, metavar="A B", help="Two countries (codes or names): print their shared border.")
@click.option("--country", metavar="A", help="One country: list every stretch of its boundary.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def borders_cmd(between, country, as_json):
    """Print the length and end points of a shared border, or a country's boundary stretches."""
    from . import borders

    if between:
        border = borders.shared_border(*between)
        if as_json:
            (x0, y0), (x1, y1) = border.ends
            click.echo(json.dumps({
                "a": border.a, "b": border.b,
                "length_km": round(border.length_km, 1), "touching_km": round(border.touching_km, 1),
                "ends": [{"lon": round(x0, 5), "lat": round(y0, 5)}, {"lon": round(x1, 5), "lat": round(y1, 5)}],
            }, indent=2, sort_keys=True))
        else:
            click.echo(str(border))
        return
    if not country:
        raise click.UsageError("give --between A B or --country A")
    code = borders.resolve_country(country)
    frame = borders.borders()
    rows = frame[frame["country"] == code][["neighbour", "length_km", "touching_km"]]
    if as_json:
        click.echo(json.dumps(rows.to_dict(orient="records"), indent=2, sort_keys=True))
    else:
        for neighbour, length, touching in rows.itertuples(index=False):
            click.echo(f"{code}–{neighbour:<7} {length:9,.1f} km   ({touching:,.1f} km where the polygons meet)")


# ----------------------------------------------------------------------------- analyze


def _load(reports: tuple[str, ...]):
    """Validate, geocode and build REPORT files (default: the shipped seeds): a :class:`geo.Incidents`."""
    from .api import load

    return load(list(reports) or None)


@cli.command()
@click.argument("reports", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json", "geojson"]), default="table",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (atomically) instead of standard output.")
def analyze(reports, fmt, output):
    """Measure incident REPORTs (YAML files or folders; default: the shipped seeds) against the borders.

    Prints, per incident: length (with range), border crossings, depth past the
    border, time inside the country and each region, implied speeds, and a check
    of every reported figure.  Bad report files: every problem on its own line,
    exit status 2.
    """
    from .export import render, write_atomic

    incidents = _load(reports)
    text = render(incidents.tracks, incidents.figures, fmt)
    if output:
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


# ----------------------------------------------------------------------------- map


@cli.command(name="map")
@click.argument("reports", nargs=-1, type=click.Path(exists=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="map.html",
              show_default=True, help="The HTML page to write (atomically).")
@click.option("--offline", is_flag=True,
              help="Inline every script and style and draw no tiles: the page works without a network.")
@click.option("--embed", is_flag=True, help="Also write NAME.embed.html: a responsive iframe snippet.")
@click.option("--title", help="Headline (default: made from the incidents).")
@click.option("--byline", help="Byline printed under the map.")
@click.option("--description", help="Standfirst under the headline (default: how to read the map).")
@click.option("--tiles", default=None, metavar="NAME|none",
              help="Basemap: an xyzservices provider name, or 'none' for the shipped outlines only "
                   "[default: Esri.WorldGrayCanvas].")
@click.option("--tiles-key", envvar="GEO_TILES_KEY", help="API key for tile providers that need one.")
def map_cmd(reports, output, offline, embed, title, byline, description, tiles, tiles_key):
    """Draw incident REPORTs (YAML files or folders; default: the shipped seeds) on a web map.

    Writes one self-contained HTML page (Leaflet): tracks by leg status with their
    uncertainty, crossings, depth, regions, a time slider, sources and attribution.
    """
    from .api import write_map

    written = write_map(output, _load(reports), title=title, byline=byline, description=description, tiles=tiles,
                        tiles_key=tiles_key, offline=offline, embed=embed)
    for path in written:
        click.echo(f"wrote {path} ({path.stat().st_size / 1024:,.0f} KB)", err=True)


# ----------------------------------------------------------------------------- export


@cli.command(name="export")
@click.argument("reports", nargs=-1, type=click.Path(exists=True))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The file to write (atomically); its extension picks the format: .geojson/.json, .gpkg, .csv, "
                   ".kml or .kmz.")
def export_cmd(reports, output):
    """Export incident REPORTs (YAML files or folders; default: the shipped seeds) for analysts.

    GeoPackage: layers tracks, legs, waypoints, crossings and deepest_points with
    every figure as attributes; GeoJSON and CSV: as `geo analyze -f geojson|csv`;
    KML/KMZ: for Google Earth, a folder per incident with styled legs, a timed
    track and the map's popups.  The same reports give the same file.
    """
    from .api import write_export
    from .layers import export_format

    _check_output(export_format, output)  # before any work: a bad extension is a usage error (exit 2)
    path = write_export(output, _load(reports))
    click.echo(f"wrote {path} ({path.stat().st_size / 1024:,.0f} KB)", err=True)


# ----------------------------------------------------------------------------- image


@cli.command()
@click.argument("reports", nargs=-1, type=click.Path(exists=True))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The image to write (atomically): .png or .svg.")
@click.option("--width", type=click.IntRange(min=1), help="Width in pixels [default: 1600].")
@click.option("--height", type=click.IntRange(min=1), help="Height in pixels [default: 2000].")
@click.option("--dpi", type=click.FloatRange(min=1), help="Dots per inch: with the size, sets the size of "
                                                           "the text [default: 200, i.e. 8 × 10 in].")
@click.option("--title", help="Headline (default: made from the incidents).")
def image(reports, output, width, height, dpi, title):
    """Draw incident REPORTs (YAML files or folders; default: the shipped seeds) on a static map for print.

    PNG or SVG, by the extension: tracks by leg status with their uncertainty,
    crossings, depth, regions, a key, scale bar, sources and attribution, in a
    Lambert conformal projection.  The same reports give the same file.
    """
    from .api import write_image
    from .image import image_format

    _check_output(image_format, output)  # before any work: a bad extension is a usage error (exit 2)
    path = write_image(output, _load(reports), title=title, width=width, height=height, dpi=dpi)
    click.echo(f"wrote {path} ({path.stat().st_size / 1024:,.0f} KB)", err=True)


def main(argv: list[str] | None = None) -> None:
    """Run the ``geo`` command line (the console-script entry point)."""
    cli.main(args=argv, prog_name="geo")


if __name__ == "__main__":  # pragma: no cover
    main()
