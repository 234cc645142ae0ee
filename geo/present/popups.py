"""The popups of an incident and of a stop, as safe HTML (the web map's, and Google Earth's balloons)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from geo.present.htmlsafe import safe_html
from geo.analysis.ranges import range_kind
from geo.present.style import OUTCOME_LABEL, TIME_SOURCE_LABEL
from geo.present.words import clock_text, depth_words, source_words, has_value, hours_minutes, inside_time_note, km_text, km_with_range

__all__ = ["sources_by_report", "source_html", "stop_popup", "track_popup"]


def sources_by_report(reports: Sequence[Any] | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for report in reports or []:
        out[report.id] = {s.id: s for s in report.sources}
    return out


def source_html(source: Any) -> str:
    """One source as safe HTML (:func:`geo.present.words.source_words`, escaped)."""
    return safe_html(source_words(source))


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
    body = "".join(f"<dt>{safe_html(k)}:</dt> <dd>{safe_html(v)}</dd>" for k, v in rows)
    cited = [sources[s] if s in sources else s for s in stop.get("sources") or []]
    src = "".join(f"<li>{source_html(s) if not isinstance(s, str) else safe_html(s)}</li>" for s in cited)
    note = f"<p>{safe_html(stop['note'])}</p>" if stop.get("note") else ""
    return (f"<div class=\"geo-popup\"><h3>{safe_html(stop['label'])}</h3><p>{safe_html(summary_of)}</p>"
            f"<dl>{body}</dl>{note}" + (f"<b>Sources</b><ul>{src}</ul>" if src else "") + "</div>")


def track_popup(track: pd.Series, fig: pd.Series, summary: str | None) -> str:
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
    body = "".join(f"<dt>{safe_html(k)}:</dt> <dd>{safe_html(v)}</dd>" for k, v in rows)
    checks = "".join(f"<li><b>{safe_html(c['check'])}: {safe_html(c['status'])}</b> {safe_html(c['sentence'])}</li>"
                     for c in fig["checks"] or [])
    warnings = "".join(f"<li>{safe_html(w['sentence'])}</li>" for w in fig.get("warnings") or [])
    return (f"<div class=\"geo-popup\"><h3>{safe_html(track['title'])}</h3>"
            f"<p><small>{safe_html(track['id'])} · {safe_html(track['date'])}</small></p>"
            + (f"<p>{safe_html(summary)}</p>" if summary else "")
            + f"<dl>{body}</dl>" + (f"<b>Warnings</b><ul>{warnings}</ul>" if warnings else "")
            + (f"<b>Checks</b><ul>{checks}</ul>" if checks else "") + "</div>")

