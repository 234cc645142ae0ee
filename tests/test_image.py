"""geo.outputs.print.image: the static map for print (PNG and SVG).

Positions and lengths are checked against pyproj and the WGS84 ellipsoid
directly, not against the module's own helpers; determinism by rendering twice.
The seeds are drawn at 800 × 1000 px and 100 dpi: the default layout (8 × 10 in)
at half the pixels, to keep the module quick.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from pyproj import Geod, Proj, Transformer

from geo.cli import cli
from geo.outputs.print.image import map_crs, render_image, write_image
from geo.present.style import STATUS_LABEL
from geo.outputs.web.render import RenderOptionError

SIZE = {"width": 800, "height": 1000, "dpi": 100}
SVG = "{http://www.w3.org/2000/svg}"
WGS84 = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def figure(seeds):
    reports, tracks, figures = seeds
    return render_image(tracks, figures, reports=reports, width_px=SIZE["width"], height_px=SIZE["height"],
                        dpi=SIZE["dpi"])


@pytest.fixture(scope="module")
def svgs(seeds, tmp_path_factory):
    """The seeds as SVG, rendered twice from scratch."""
    reports, tracks, figures = seeds
    folder = tmp_path_factory.mktemp("svg")
    return [write_image(folder / f"map{k}.svg", tracks, figures, reports=reports, **SIZE).read_bytes()
            for k in range(2)]


def _map_axes(fig):
    return next(ax for ax in fig.axes if ax.get_gid() == "map")


def _artist(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist {gid!r}, found {len(found)}"
    return found[0]


def _svg_text(data: bytes) -> str:
    """Every <text> of an SVG, joined by spaces (wrapped lines are separate elements)."""
    root = ET.fromstring(data)
    return " ".join("".join(el.itertext()) for el in root.iter(f"{SVG}text"))


# ----------------------------------------------------------------------------- determinism and size


def test_svg_is_byte_identical_across_renders(svgs):
    first, second = svgs
    assert first.startswith(b"<?xml") and len(first) > 10_000
    assert first == second
    assert b"<dc:date>" not in first and b"Matplotlib v" not in first


def test_png_is_pixel_identical_and_has_the_requested_size(seeds, tmp_path):
    reports, tracks, figures = seeds
    size = {"width": 701, "height": 903, "dpi": 90}  # not a whole number of inches: no rounding slips
    paths = [write_image(tmp_path / f"map{k}.png", tracks, figures, reports=reports, **size) for k in range(2)]
    images = [Image.open(p) for p in paths]
    assert [im.size for im in images] == [(701, 903)] * 2
    assert images[0].info["dpi"] == pytest.approx((90, 90), abs=0.05)
    assert np.array_equal(np.asarray(images[0]), np.asarray(images[1]))
    assert "Software" not in images[0].info
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map0.png", "map1.png"]  # no temporary left


def test_unusable_size_or_format_is_a_clear_error(seeds, tmp_path):
    reports, tracks, figures = seeds
    with pytest.raises(RenderOptionError, match="at least"):
        render_image(tracks, figures, width_px=120, height_px=800)
    with pytest.raises(RenderOptionError, match=r"map\.jpg.*\.png, \.svg"):
        write_image(tmp_path / "map.jpg", tracks, figures)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- projection


def test_crossings_and_deepest_points_are_where_pyproj_puts_them(figure, seeds):
    _, tracks, figures = seeds
    crs = map_crs(tracks)
    assert crs.to_json_dict()["conversion"]["method"]["name"] == "Lambert Conic Conformal (2SP)"
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    ax = _map_axes(figure)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    checked = 0
    for track_id, crossings, deepest in zip(figures["id"], figures["crossings"], figures["deepest_point"]):
        points = [(f"crossing-{track_id}-{k}", c["lon"], c["lat"]) for k, c in enumerate(crossings or [])]
        if isinstance(deepest, dict):
            points.append((f"deepest-{track_id}", deepest["lon"], deepest["lat"]))
        for gid, lon, lat in points:
            artist = _artist(ax, gid)
            x, y = forward.transform(lon, lat)
            assert artist.get_xdata()[0] == pytest.approx(x, abs=1.0)  # metres
            assert artist.get_ydata()[0] == pytest.approx(y, abs=1.0)
            assert x0 < x < x1 and y0 < y < y1
            checked += 1
    assert checked == 7  # 4 crossings and 3 deepest points in the seeds


def test_map_is_conformal_not_plate_carree(figure, seeds):
    _, tracks, _ = seeds
    ax = _map_axes(figure)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    box = ax.get_window_extent()
    # One metre is as long across as up: the axes' pixel aspect equals the data aspect.
    assert (x1 - x0) / (y1 - y0) == pytest.approx(box.width / box.height, rel=1e-6)
    inverse = Transformer.from_crs(map_crs(tracks), "EPSG:4326", always_xy=True)
    forward = Transformer.from_crs("EPSG:4326", map_crs(tracks), always_xy=True)
    # Map metres are true metres near the middle (within the conic's 0.5% over the seeds' extent)...
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    lon_a, lat_a = inverse.transform(cx - 50_000, cy)
    lon_b, lat_b = inverse.transform(cx + 50_000, cy)
    assert WGS84.inv(lon_a, lat_a, lon_b, lat_b)[2] == pytest.approx(100_000, rel=0.005)
    # ... and meridians converge: at the left edge a meridian leans to the right going north, by the
    # conic's meridian convergence, where plate carrée would draw it vertical.
    lon_edge, lat_mid = inverse.transform(x0, cy)
    (xa, xb), (ya, yb) = forward.transform([lon_edge, lon_edge], [lat_mid - 0.1, lat_mid + 0.1])
    lean = math.degrees(math.atan2(xb - xa, yb - ya))
    assert lean > 1.0
    assert lean == pytest.approx(-Proj(map_crs(tracks)).get_factors(lon_edge, lat_mid).meridian_convergence,
                                 rel=0.01)


def test_scale_bar_is_true_to_scale(figure, seeds):
    _, tracks, _ = seeds
    ax = _map_axes(figure)
    halves = [_artist(ax, f"scalebar-{k}") for k in range(2)]
    left, right = halves[0].get_x(), halves[1].get_x() + halves[1].get_width()
    y = halves[0].get_y()
    km = float(re.fullmatch(r"(\d+) km", _artist(ax, "scalebar-label").get_text()).group(1))
    inverse = Transformer.from_crs(map_crs(tracks), "EPSG:4326", always_xy=True)
    (lon0, lon1), (lat0, lat1) = inverse.transform([left, right], [y, y])
    assert WGS84.inv(lon0, lat0, lon1, lat1)[2] / 1000.0 == pytest.approx(km, rel=0.002)


# ----------------------------------------------------------------------------- content


def test_legend_lists_the_leg_statuses_drawn(figure, seeds):
    _, tracks, _ = seeds
    drawn = {s for statuses, placed in zip(tracks["seg_status"], tracks["placed"]) if placed for s in statuses}
    assert drawn == {"reported", "presumed", "estimated"}
    legend = _map_axes(figure).get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    for status in drawn:
        assert STATUS_LABEL[status] in texts
    assert "end: exploded" in texts and "end: left the country" in texts
    assert "Belarus–Ukraine (crossed)" in texts


def test_title_sources_and_attribution_are_text_in_the_svg(svgs):
    text = _svg_text(svgs[0])
    assert "4 reported drone flights into Belarus, 11–16 July 2024" in text
    assert "Sources: Belarusian Hajun (monitoring group)" in text
    assert "© OpenStreetMap contributors (ODbL) · GeoNames (CC BY 4.0) · Made with Natural Earth" in text
    assert "Lambert conformal conic projection" in text
    # The incident that cannot be placed is listed, not drawn.
    assert "16 Jul 2024 · Shahed flies more than 60 km into Belarus before dawn on 16 July" in text
    assert "Not on the map: no place along its path was named; reported over 60 km past the border." in text


def test_report_text_is_drawn_literally(seeds, tmp_path):
    reports, tracks, figures = seeds
    tracks = tracks.copy()
    tracks.loc[3, "title"] = r"Paid $5 or $\alpha$ & <i>more</i>"  # the unplaced incident: in the key only
    path = write_image(tmp_path / "t.svg", tracks, figures, reports=reports, title="Drones $x$ <b>over</b> 100%",
                       width=640, height=800, dpi=80)
    text = _svg_text(path.read_bytes())
    assert "Drones $x$ <b>over</b> 100%" in text
    assert r"Paid $5 or $\alpha$ & <i>more</i>" in text


def test_incidents_without_a_place_still_give_a_map(seeds):
    reports, tracks, figures = seeds
    keep = (~tracks["placed"].astype(bool)).to_numpy()
    fig = render_image(tracks[keep], figures[keep], reports=reports, width_px=640, height_px=800, dpi=80)
    ax = _map_axes(fig)
    inverse = Transformer.from_crs(map_crs(tracks[keep]), "EPSG:4326", always_xy=True)
    lon, lat = inverse.transform(sum(ax.get_xlim()) / 2, sum(ax.get_ylim()) / 2)
    assert 26.0 < lon < 30.0 and 52.5 < lat < 54.5  # the middle of Belarus, the country entered


# ----------------------------------------------------------------------------- command line


def test_cli_writes_a_png_of_the_requested_size(tmp_path):
    out = tmp_path / "seeds.png"
    result = CliRunner().invoke(cli, ["image", "-o", str(out), "--width", "640", "--height", "800",
                                      "--dpi", "80"])
    assert result.exit_code == 0, result.output
    assert Image.open(out).size == (640, 800)
    assert f"wrote {out}" in result.stderr


def test_cli_bad_extension_is_a_usage_error_one_line_exit_2_and_writes_nothing(tmp_path):
    out = tmp_path / "seeds.jpeg"
    result = CliRunner().invoke(cli, ["image", "-o", str(out)])
    assert result.exit_code == 2  # as `geo export`: the user can fix the command line
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output and result.stdout == ""
    assert lines[0].startswith("Error: ") and str(out) in lines[0] and ".png, .svg" in lines[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("preset, smallest_px", [("column", 9.0), ("half", 10.0), ("full", 14.0)])
def test_a_preset_keeps_every_text_legible_and_on_the_page(seeds, tmp_path, preset, smallest_px):
    from geo.outputs.print.image import PRESETS

    reports, tracks, figures = seeds
    width, height, dpi = PRESETS[preset]
    fig = render_image(tracks, figures, reports=reports, width_px=width, height_px=height, dpi=dpi)
    fig.canvas.draw()  # lays every text out where the file will have it
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text"))
             if t.get_visible() and t.get_text().strip()]
    assert len(texts) > 40
    # A point is 1/72 in: the size each text is drawn at, in pixels of this image.
    assert min(t.get_fontsize() * dpi / 72.0 for t in texts) >= smallest_px
    for t in texts:  # nothing runs off the page
        box = t.get_window_extent(renderer)
        assert box.x0 >= -0.5 and box.y0 >= -0.5 and box.x1 <= width + 0.5 and box.y1 <= height + 0.5, t.get_text()
    result = CliRunner().invoke(cli, ["image", "--preset", preset, "-o", str(tmp_path / "p.png")])
    assert result.exit_code == 0, result.output
    assert Image.open(tmp_path / "p.png").size == (width, height)
