"""The texts printed beside a map: one entry of the key per incident, and the sources line.

The print image lays them out; the words are decided here, from the same
figures and sentences the web map and the exports use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from geo.analysis.ranges import range_kind
from geo.present.words import (OUTCOME_SENTENCE, checks_summary, date_text, depth_words, has_value, hours_minutes,
                               inside_time_note, km_text, km_with_range, reported_text)

__all__ = ["key_entry", "sources_line"]


def key_entry(track: pd.Series, fig_row: pd.Series, names: Mapping[str, str],
              warnings: Sequence[str] = ()) -> tuple[str, str]:
    """One entry of a printed map's key: the date and title, then the figures that matter and the warnings.

    ``warnings`` are the incident's warnings in words (:attr:`geo.present.scene.IncidentView.warnings`).
    """
    country = track["country"]
    head = f"{date_text(track['date'])} · {track['title']}"
    if not fig_row["placed"]:
        reported = reported_text(track)
        return head, "Not on the map: no place along its path was named" + (
            f"; reported {reported}." if reported else ".")
    parts = []
    if has_value(fig_row["depth_km"]):
        parts.append(depth_words(fig_row))
    if has_value(fig_row["inside_minutes"]):
        est = inside_time_note(bool(fig_row["inside_minutes_estimated"]), bool(track.get("duration_paced")))
        parts.append(f"{km_text(fig_row['inside_km'])} and {hours_minutes(fig_row['inside_minutes'])}{est} inside "
                     f"{names.get(country, country)}")
    parts.append(f"route {km_with_range(fig_row['length_km'], fig_row['length_km_range'], range_kind('length_km_range'))}")
    parts.append(OUTCOME_SENTENCE.get(track["outcome"], track["outcome"]))
    summary = checks_summary(fig_row["checks"])
    if summary:
        parts.append(summary)
    parts.extend(f"note: {w}" for w in warnings)
    body = "; ".join(parts)
    return head, f"{body[0].upper()}{body[1:]}."


def sources_line(publications: Sequence[dict[str, Any]]) -> str:
    """Every publication cited, once, with the dates it was cited with; those relayed by the same
    outlet together (plain text)."""
    grouped: dict[str, dict[tuple, list]] = {}
    for entry in publications:  # those relayed by the same outlet together
        grouped.setdefault(entry["via"], {})[(entry["publisher"], entry["title"])] = entry["dates"]
    listed = []
    for via, publications in grouped.items():
        items = [publisher + (f", “{title}”" if title else "") + "".join(f", {date_text(d)}" for d in sorted(dates))
                 for (publisher, title), dates in publications.items()]
        listed.append("; ".join(items) + (f" ({'all ' if len(items) > 1 else ''}via {via})" if via else ""))
    return ("Sources: " + "; ".join(listed) + ".") if listed else ""
