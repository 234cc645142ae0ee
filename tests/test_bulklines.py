"""Specification of geo.outputs.web.bulklines: the packed data decodes back to the tracks, and pages are stable."""

from __future__ import annotations

import json

import folium
import numpy as np
import pytest

from geo.outputs.web.bulklines import bulk_lines, pack

TRACKS = [np.array([[30.79343, 51.94115], [29.983, 51.65], [30.02688, 51.50581]]),
          np.array([[27.56653, 53.90019], [30.34044, 53.90876]]),
          np.array([[23.71749, 52.10894], [24.0, 52.5], [24.5, 53.0], [25.0, 53.2]])]
COLOURS = ["#0072b2", "#d55e00", "#0072b2"]


def decode(packed: dict) -> list[np.ndarray]:
    """What the page's script does: cumulative sums of the deltas, split by track length."""
    xy = np.cumsum(np.array(json.loads(packed["deltas"])).reshape(-1, 2), axis=0) / packed["scale"]
    return np.split(xy, np.cumsum(packed["lengths"])[:-1])


def test_packed_tracks_decode_to_the_input_within_the_rounding():
    packed = pack(TRACKS, COLOURS, digits=4)
    # Tracks are grouped by colour, in order of first appearance: blue (0, 2), then orange (1).
    assert packed["colours"] == ["#0072b2", "#d55e00"] and packed["counts"] == [2, 1]
    for got, want in zip(decode(packed), [TRACKS[0], TRACKS[2], TRACKS[1]]):
        np.testing.assert_allclose(got, want, atol=0.5e-4)


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="3 tracks but 2 colours"):
        pack(TRACKS, COLOURS[:2])
    with pytest.raises(ValueError, match="non-finite"):
        pack([np.array([[np.nan, 1.0], [2.0, 3.0]])], ["red"])


def test_the_same_tracks_give_the_same_page_and_colours_are_json_escaped():
    def page() -> str:
        m = folium.Map(location=[52, 28], zoom_start=6, tiles=None)
        bulk_lines(m, TRACKS, ["</script><script>alert(1)</script>", "red", "blue"])
        return m.get_root().render()

    html = page()
    # folium's own element ids are random (geo.outputs.web.render makes them stable); the layer's call is not.
    layer = html[html.index("new L.GeoBulkLines("):html.index(").addTo(", html.index("new L.GeoBulkLines("))]
    assert layer in page()
    assert "</script><script>alert(1)" not in html
    assert "\\u003c/script>\\u003cscript>alert(1)\\u003c/script>" in html
