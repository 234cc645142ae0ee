"""The popups of an incident and of a stop, as safe HTML (the web map's, and Google Earth's balloons)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from geo.present.templating import macro
from geo.analysis.ranges import range_kind
from geo.present.style import OUTCOME_LABEL, TIME_SOURCE_LABEL
from geo.present.words import clock_text, date_text, depth_words, source_words, has_value, hours_minutes, inside_time_note, km_text, km_with_range

__all__ = ["sources_by_report", "stop_popup", "track_popup"]


def sources_by_report(reports: Sequence[Any] | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for report in reports or []:
        out[report.id] = {s.id: s for s in report.sources}
    return out


def stop_popup(track: pd.Series, stop: dict[str, Any], t_min: float, t_source: str,
                sources: dict[str, Any], summary_of: str) -> str:
    rows = [("Status", stop["status"]), ("Where", f"{stop['lat']:.4f} N {stop['lon']:.4f} E, "
                                                  f"±{stop['uncertainty_km']:.0f} km")]
    when = clock_text(track, t_min, date=True)
    source = stop.get("time_source") or t_source
    rows.append(("Time", f"{when} ({TIME_SOURCE_LABEL.get(source, source)})"))
    matched = stop.get("matched") or {}
    if matched.get("name"):
        region = f", {matched.get('region')}" if matched.get("region") else ""
        tier = f"; {matched['match']} match" if matched.get("match") else ""
        rows.append(("Gazetteer", f"{matched['name']}{region} ({matched.get('kind', '')}{tier})"))
    cited = [sources[s] if s in sources else s for s in stop.get("sources") or []]
    told = [s if isinstance(s, str) else source_words(s) for s in cited]
    return macro("geo.present", "popups.html.j2", "stop", stop["label"], summary_of, rows, stop.get("note") or "",
                 told)


def track_popup(track: pd.Series, fig: pd.Series, view: Any) -> str:
    """An incident's popup: its figures as rows, then the warnings and checks of ``view``
    (its :class:`geo.present.scene.IncidentView`), in words."""
    rows = [("Length", km_with_range(fig["length_km"], fig["length_km_range"], range_kind('length_km_range')))]
    by = fig["length_by_status_km"] or {}
    split = ", ".join(f"{k} {v:,.0f}" for k, v in by.items() if v)
    if split:
        rows[0] = ("Length", rows[0][1] + f" [{split}]")
    if has_value(fig["depth_km"]):
        rows.append(("Depth", depth_words(fig)))
    if has_value(fig["inside_minutes"]):
        est = inside_time_note(bool(fig["inside_minutes_estimated"]), bool(track.get("duration_paced")))
        rows.append((f"Inside {track['country']}", f"{km_text(fig['inside_km'])}, {hours_minutes(fig['inside_minutes'])}{est}"))
    for leg in fig["speeds"] or []:
        if leg["kmh"] is not None:
            rows.append(("Speed", f"{leg['from']} to {leg['to']}: {leg['kmh']:,.0f} km/h"))
    rows.append(("Drone", f"{track['drone_name']} ({track['speed_min_kmh']:.0f}–{track['speed_max_kmh']:.0f} km/h)"))
    rows.append(("Outcome", OUTCOME_LABEL.get(track["outcome"], track["outcome"])))
    checks = [(c.check, c.status, c.sentence) for c in view.checks]
    return macro("geo.present", "popups.html.j2", "incident", track["title"], date_text(track["date"]),
                 view.summary or "", rows, list(view.warnings), checks)
