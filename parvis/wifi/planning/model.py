"""Plain data of Wi-Fi planning: existing sites, candidate mounting points, uploaded points.

Every record is a small frozen dataclass with WGS84 coordinates in degrees; the numeric work
(grids, coverage, solvers) happens on numpy arrays built from them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]

OPERATIONAL = "Opérationnel"
"""The `Etat du site` of a working Paris Wi-Fi site (the others: closed for works, being
deployed, under study)."""

MAX_RADIUS_M = 2000.0
"""The largest coverage radius accepted: well beyond any Wi-Fi link (free space at 2.4 GHz
gives about 1.2 km uplink), so a larger value is a unit error."""


class PlanningError(ValueError):
    """Input that cannot be planned with: bad file, bad geometry, out-of-range parameter."""


@dataclass(frozen=True, slots=True)
class Site:
    """An existing Paris Wi-Fi site: one published position for `access_points` APs."""

    id: str
    name: str
    lat: float
    lon: float
    access_points: int
    state: str
    address: str = ""
    postcode: str = ""

    @property
    def operational(self) -> bool:
        return self.state == OPERATIONAL


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place where a new site could be mounted: `kind` is "crossing", "velib", "toilet",
    "fountain" or a staff-chosen kind; `cost` is in any unit the planner budgets in.
    `members` counts the source points merged into it (traffic-signal modules of one
    crossing)."""

    id: str
    kind: str
    name: str
    lat: float
    lon: float
    cost: float = 1.0
    members: int = 1


@dataclass(frozen=True, slots=True)
class Point:
    """A point read from a staff upload: a device, a candidate or a site; `weight` defaults
    to 1 (one device)."""

    id: str
    name: str
    lat: float
    lon: float
    weight: float = 1.0


def check_radius(radius_m: float) -> float:
    """`radius_m` as a float, or a PlanningError saying why it cannot be a coverage radius."""
    value = _number(radius_m, "radius")
    if not 0.0 < value <= MAX_RADIUS_M:
        raise PlanningError(f"radius must be in (0, {MAX_RADIUS_M:.0f}] metres, got {value:g}")
    return value


def check_cost(cost: float, what: str) -> float:
    value = _number(cost, what)
    if value <= 0.0:
        raise PlanningError(f"{what} must be positive, got {value:g}")
    return value


def _number(value: float, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PlanningError(f"{what} is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise PlanningError(f"{what} must be finite, got {value!r}")
    return number
