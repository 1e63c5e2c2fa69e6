"""What the planner takes and gives: places, bike-share stations, preferences, journeys."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from parvis.mobility.planning.co2 import BIKESHARE, SOFT_MODES

TRANSIT = "transit"
KNOWN_MODES = frozenset({TRANSIT, "walk", "bike", BIKESHARE})
DEFAULT_MODES = frozenset({TRANSIT, "walk", BIKESHARE})


class PlanningError(ValueError):
    """A query the planner cannot answer as asked (a day outside the timetable, an unknown
    stop, bad coordinates); the message says why. No journey is not an error: `plan` then
    returns an empty list."""


@dataclass(frozen=True, slots=True)
class Place:
    """A point to leave from or go to; `stop_id` (a stop or station of the timetable) makes
    its stops origins or destinations with no walk."""

    lat: float
    lon: float
    name: str = ""
    stop_id: str | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and math.isfinite(self.lon)):
            raise PlanningError(f"place {self.name!r} has no coordinates")
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise PlanningError(f"place {self.name!r} is off the globe: {self.lat}, {self.lon}")


@dataclass(frozen=True, slots=True)
class BikeStation:
    """A bike-share station and its live status (from GBFS station_information and
    station_status; parsing GBFS is someone else's job)."""

    station_id: str
    name: str
    lat: float
    lon: float
    bikes_available: int
    docks_available: int
    is_renting: bool = True
    is_returning: bool = True
    operator: str = ""


@dataclass(frozen=True, slots=True)
class Preferences:
    """How to travel, and what "best" means.

    Distances (`max_*_m`) are distances walked or ridden, i.e. straight lines times the
    detour factor. The generalised cost of a journey, in seconds, is

        weight_in_vehicle * ride seconds + weight_walk * walk seconds
        + weight_bike * cycling seconds (own bike or bike share, docking included)
        + weight_wait * wait seconds + transfer_penalty_s * transfers
        + co2_weight_s_per_kg * kg CO2e + weight_slack * slack seconds

    where slack is the time between the time asked and the journey (leaving later than asked,
    or arriving earlier than needed). The defaults favour collective and soft modes: see
    docs/mobility-planning.md."""

    modes: frozenset[str] = DEFAULT_MODES
    max_walk_m: float = 1000.0
    max_direct_walk_m: float = 3000.0
    max_bike_m: float = 10_000.0
    max_bike_access_m: float = 4000.0
    walk_speed_m_s: float = 1.25
    bike_speed_m_s: float = 4.2
    walk_detour: float = 1.3
    bike_detour: float = 1.3
    bikeshare_unlock_s: int = 60
    bikeshare_dock_s: int = 60
    bike_park_s: int = 60
    max_transfers: int = 5
    max_travel_s: int = 4 * 3600
    window_s: int = 3600
    max_journeys: int = 5
    wheelchair: bool = False
    arrive_by: bool = False
    timetable_only: bool = False
    weight_in_vehicle: float = 1.0
    weight_walk: float = 1.2
    weight_bike: float = 1.0
    weight_wait: float = 1.5
    transfer_penalty_s: float = 300.0
    co2_weight_s_per_kg: float = 180.0
    weight_slack: float = 0.25
    timezone: str = "Europe/Paris"

    def __post_init__(self) -> None:
        unknown = set(self.modes) - KNOWN_MODES
        if unknown:
            raise ValueError(f"unknown modes {sorted(unknown)}; known: {sorted(KNOWN_MODES)}")
        positive = {
            "walk_speed_m_s": self.walk_speed_m_s,
            "bike_speed_m_s": self.bike_speed_m_s,
            "max_journeys": self.max_journeys,
            "max_travel_s": self.max_travel_s,
        }
        for name, value in positive.items():
            if not value > 0:
                raise ValueError(f"{name} must be > 0")
        not_negative = {
            "max_walk_m": self.max_walk_m,
            "max_direct_walk_m": self.max_direct_walk_m,
            "max_bike_m": self.max_bike_m,
            "max_bike_access_m": self.max_bike_access_m,
            "bikeshare_unlock_s": self.bikeshare_unlock_s,
            "bikeshare_dock_s": self.bikeshare_dock_s,
            "bike_park_s": self.bike_park_s,
            "max_transfers": self.max_transfers,
            "window_s": self.window_s,
            "weight_in_vehicle": self.weight_in_vehicle,
            "weight_walk": self.weight_walk,
            "weight_bike": self.weight_bike,
            "weight_wait": self.weight_wait,
            "transfer_penalty_s": self.transfer_penalty_s,
            "co2_weight_s_per_kg": self.co2_weight_s_per_kg,
            "weight_slack": self.weight_slack,
        }
        for name, value in not_negative.items():
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0")
        if self.walk_detour < 1 or self.bike_detour < 1:
            raise ValueError("detour factors must be >= 1")


@dataclass(frozen=True, slots=True)
class StopCall:
    """A stop a ride passes (boarding and alighting stops included)."""

    stop_id: str
    name: str
    lat: float
    lon: float
    arrival: datetime
    departure: datetime


@dataclass(frozen=True, slots=True)
class PlannedLeg:
    """One leg: `mode` is "walk", "bike" (own bike), "bikeshare", "wait" (standing at a stop),
    or a transit mode of `co2.TRANSIT_MODES` ("metro", "suburban_rail", "bus"...).
    `distance_m` is the distance travelled (detour factor included for walking and cycling;
    for a ride, the sum of the straight hops between the stops it passes); `co2_g` is that
    distance times the mode's ADEME factor. A bike-share leg names its `pickup_station`
    (which had a bike) and `dropoff_station` (which had a free dock); its time includes
    unlocking and docking. `geometry` is a list of (lat, lon): the stops passed for a ride,
    the two ends otherwise."""

    mode: str
    from_place: Place
    to_place: Place
    departure: datetime
    arrival: datetime
    distance_m: float = 0.0
    co2_g: float = 0.0
    route_id: str | None = None
    route_name: str | None = None
    trip_id: str | None = None
    pickup_station: BikeStation | None = None
    dropoff_station: BikeStation | None = None
    stops: tuple[StopCall, ...] = ()
    geometry: tuple[tuple[float, float], ...] = ()

    @property
    def duration_s(self) -> int:
        return int((self.arrival - self.departure).total_seconds())

    @property
    def is_transit(self) -> bool:
        return self.mode not in SOFT_MODES and self.mode != "wait"


@dataclass(frozen=True, slots=True)
class PlannedJourney:
    """A door-to-door journey: legs contiguous in time (an explicit "wait" leg fills any gap).
    `walk_m` / `bike_m` are the distances walked and cycled (own bike and bike share);
    `co2_g` is the sum of the legs', `car_co2_g` that of the same trip by thermal car over
    `car_distance_m` (straight line times the road detour factor); `cost` is the generalised
    cost in seconds (see `Preferences`); `modes` the distinct leg modes in order, waits
    left out."""

    legs: tuple[PlannedLeg, ...]
    departure: datetime
    arrival: datetime
    duration_s: int
    transfers: int
    walk_m: float
    bike_m: float
    co2_g: float
    car_co2_g: float
    car_distance_m: float
    cost: float
    modes: tuple[str, ...] = field(default=())

    @property
    def co2_saved_g(self) -> float:
        """CO2e avoided compared with the same trip by car."""
        return self.car_co2_g - self.co2_g
