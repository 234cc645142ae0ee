"""The drone catalogue: each type's flight envelope, and the names reports may call it by.

The catalogue is data (``drones.yaml`` beside this module, shipped in the
package): adding a type means adding an entry there, with the public figures
it rests on in ``basis``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from types import MappingProxyType

import yaml
from rapidfuzz import fuzz, process


@dataclass(frozen=True)
class DroneType:
    """Flight envelope of a drone type, for checking reported figures.

    Speeds are ground speeds in km/h, ``cruise_kmh`` a (low, high) envelope.
    ``max_kmh`` is the fastest ground speed that is physically plausible: the
    top of the cruise envelope plus :data:`TAILWIND_KMH` of tailwind.  Only a
    speed above it is evidence against a report (a slower one is explained by
    loitering, a longer path or approximate times).
    """

    key: str
    name: str
    role: str
    cruise_kmh: tuple[float, float]
    typical_kmh: float
    max_range_km: float | None
    aliases: tuple[str, ...] = ()
    basis: str = ""

    @property
    def max_kmh(self) -> float:
        """The fastest plausible ground speed (km/h): cruise maximum plus a strong tailwind."""
        return self.cruise_kmh[1] + TAILWIND_KMH


#: Tailwind allowance (km/h) added to a type's top cruise speed for its fastest
#: plausible ground speed: a 40 km/h wind (about 11 m/s) at cruise altitude is
#: strong but common in winter over Eastern Europe.
TAILWIND_KMH = 40.0


def _catalogue() -> dict[str, DroneType]:
    """The types in ``drones.yaml`` (package data), by key, in the file's order."""
    text = files("geo.reports").joinpath("drones.yaml").read_text(encoding="utf-8")
    return {key: DroneType(key=key, name=str(t["name"]), role=str(t["role"]),
                           cruise_kmh=(float(t["cruise_kmh"][0]), float(t["cruise_kmh"][1])),
                           typical_kmh=float(t["typical_kmh"]),
                           max_range_km=None if t["max_range_km"] is None else float(t["max_range_km"]),
                           aliases=tuple(str(a) for a in t["aliases"]), basis=str(t["basis"]))
            for key, t in yaml.safe_load(text).items()}


#: Known drone types by key (read-only), from ``geo/reports/drones.yaml``: rough public figures,
#: meant as plausibility envelopes, not performance data.
DRONE_TYPES: Mapping[str, DroneType] = MappingProxyType(_catalogue())


_DRONE_NAMES: Mapping[str, str] = MappingProxyType(
    {name: t.key for t in DRONE_TYPES.values() for name in (t.key, *t.aliases)}
)


def _drone_key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().casefold())


def resolve_drone(name: str) -> str:
    """Return the :data:`DRONE_TYPES` key for a drone name or alias.

    Raises
    ------
    ValueError
        For an unknown name, naming the closest known one.

    Examples
    --------
    >>> resolve_drone("Geran-2"), resolve_drone("Shahed 136")
    ('shahed-136', 'shahed-136')
    >>> resolve_drone("shaheed")
    Traceback (most recent call last):
    ...
    ValueError: 'shaheed' is not a known drone type; did you mean 'shahed'? expected one of: ...
    """
    key = _drone_key(str(name))
    if key in _DRONE_NAMES:
        return _DRONE_NAMES[key]
    best = process.extractOne(key, list(_DRONE_NAMES), scorer=fuzz.ratio, score_cutoff=60)
    hint = f"did you mean {best[0]!r}? " if best else ""
    raise ValueError(
        f"{name!r} is not a known drone type; {hint}expected one of: {', '.join(sorted(_DRONE_NAMES))}"
    )
