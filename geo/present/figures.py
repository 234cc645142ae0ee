"""The one check every output makes before drawing: the figures belong to the tracks."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

__all__ = ["check_figures"]


def check_figures(tracks: gpd.GeoDataFrame, figures: pd.DataFrame, error: type[Exception] = ValueError) -> None:
    """Raise ``error`` unless ``figures`` are ``analyse(tracks)``: the same incidents, in the same order.

    Every writer of tracks with their figures (maps, images, exports) checks this first.
    """
    if len(tracks) != len(figures) or list(tracks["id"]) != list(figures["id"]):
        raise error("figures do not match tracks; pass analyse(tracks) for the same tracks")
