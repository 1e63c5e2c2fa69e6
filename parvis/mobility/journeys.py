"""The journey planner behind the API, the pages and the CLI: parse where and when, call the
pure planning core on the network in use with live bike-share status, and shape the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import gettext as _
from parvis.mobility import planning
from parvis.mobility.network import Network, NetworkCache, fold, load_stations
from parvis.mobility.schemas import StopPublic

Mode = Literal["transit", "walk", "bike", "bikeshare"]
DEFAULT_MODES: tuple[Mode, ...] = ("transit", "walk", "bikeshare")
COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
# A place farther than this from every stop of the network is outside the area served.
MAX_DISTANCE_TO_NETWORK_M = 30_000.0
TIMEZONE = "Europe/Paris"
NAMED_WITHIN_M = 500.0  # a point this close to a stop is named after it
DEFAULTS = planning.Preferences()


@dataclass(frozen=True)
class PlanRequest:
    origin: str
    destination: str
    when: datetime  # local time of the feeds
    arrive_by: bool = False
    modes: tuple[str, ...] | None = None
    max_transfers: int = 5
    max_walk_m: int = 1000
    wheelchair: bool = False
    timetable_only: bool = False
    weights: dict[str, float] = field(default_factory=dict)


class PlanQuery(BaseModel):
    """Query parameters of /api/mobility/plan."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    origin: str = Field(
        alias="from", min_length=1, max_length=120, description="`lat,lon` or a feed's stop id"
    )
    destination: str = Field(
        alias="to", min_length=1, max_length=120, description="`lat,lon` or a feed's stop id"
    )
    date: date
    time: time
    arrive_by: bool = Field(default=False, description="Arrive by `time` instead of leaving")
    modes: list[Mode] = Field(default=list(DEFAULT_MODES), max_length=4)
    max_walk: Annotated[int, Field(ge=0, le=5000, description="Metres walked at most")] = 1000
    max_transfers: Annotated[int, Field(ge=0, le=8)] = 5
    wheelchair: bool = Field(default=False, description="Step-free trips and stops only")
    timetable_only: bool = Field(default=False, description="Only the feeds, stop to stop")
    transfer_penalty: Annotated[
        float | None, Field(ge=0, le=3600, description="Seconds a transfer is worth")
    ] = None
    walk_weight: Annotated[float | None, Field(ge=0.1, le=10)] = None
    co2_weight: Annotated[
        float | None, Field(ge=0, le=10_000, description="Seconds one kg of CO2 is worth")
    ] = None

    def to_request(self) -> PlanRequest:
        weights = {
            k: v
            for k, v in (
                ("transfer_penalty_s", self.transfer_penalty),
                ("weight_walk", self.walk_weight),
                ("co2_weight_s_per_kg", self.co2_weight),
            )
            if v is not None
        }
        return PlanRequest(
            origin=self.origin,
            destination=self.destination,
            when=datetime.combine(self.date, self.time),
            arrive_by=self.arrive_by,
            modes=tuple(self.modes),
            max_transfers=self.max_transfers,
            max_walk_m=self.max_walk,
            wheelchair=self.wheelchair,
            timetable_only=self.timetable_only,
            weights=weights,
        )


class IsochroneQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    origin: str = Field(alias="from", min_length=1, max_length=120)
    date: date
    time: time
    minutes: Annotated[int, Field(ge=5, le=120)] = 30
    max_walk: Annotated[int, Field(ge=0, le=5000)] = 1000


def _network(db: Session, cache: NetworkCache) -> Network:
    network = cache.get(db)
    if network is None:
        raise InvalidInput(_("No timetable has been imported yet."))
    return network


def resolve_place(network: Network, text: str, *, stops_only: bool = False) -> planning.Place:
    """A place from `lat,lon`, a stop id of a feed, or the exact name of a station."""
    tt = network.feed
    match = COORDINATES.match(text)
    if match and not stops_only:
        lat, lon = float(match[1]), float(match[2])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidInput(_("Coordinates are latitude,longitude in degrees."))
        near = planning.haversine_m(lat, lon, tt.stop_lat, tt.stop_lon)
        if not len(near) or float(np.nanmin(near)) > MAX_DISTANCE_TO_NETWORK_M:
            raise InvalidInput(_("This place is outside the area the timetables serve."))
        nearest = int(np.nanargmin(near))
        name = f"{lat:.5f}, {lon:.5f}"
        if float(near[nearest]) <= NAMED_WITHIN_M:  # a rider knows the station better
            name = _("{place} (near {stop})").format(place=name, stop=tt.stop_names[nearest])
        return planning.Place(lat=lat, lon=lon, name=name)
    try:
        stop_id = network.resolve_stop(text.strip())
    except InvalidInput:
        by_name = [
            i for i in network.find_stops(text, limit=50) if fold(tt.stop_names[i]) == fold(text)
        ]
        if len(by_name) != 1:
            raise
        stop_id = tt.stop_ids[by_name[0]]
    i = network.stop_index[stop_id]
    return planning.Place(
        lat=float(tt.stop_lat[i]),
        lon=float(tt.stop_lon[i]),
        name=tt.stop_names[i],
        stop_id=stop_id,
    )


def plan_journeys(db: Session, cache: NetworkCache, request: PlanRequest) -> dict[str, Any]:
    network = _network(db, cache)
    first, last = network.query_days
    if not first <= request.when.date() <= last:
        raise InvalidInput(
            _("There is no timetable for {day}: the timetables cover {first} to {last}.").format(
                day=request.when.date().isoformat(), first=first.isoformat(), last=last.isoformat()
            )
        )
    origin = resolve_place(network, request.origin, stops_only=request.timetable_only)
    destination = resolve_place(network, request.destination, stops_only=request.timetable_only)
    modes = frozenset(request.modes or DEFAULT_MODES)
    weights = request.weights
    try:
        prefs = planning.Preferences(
            modes=modes,
            max_walk_m=float(request.max_walk_m),
            max_transfers=request.max_transfers,
            wheelchair=request.wheelchair,
            arrive_by=request.arrive_by,
            timetable_only=request.timetable_only,
            transfer_penalty_s=weights.get("transfer_penalty_s", DEFAULTS.transfer_penalty_s),
            weight_walk=weights.get("weight_walk", DEFAULTS.weight_walk),
            co2_weight_s_per_kg=weights.get("co2_weight_s_per_kg", DEFAULTS.co2_weight_s_per_kg),
        )
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    if request.timetable_only:
        core = planning.Network(network.plain, operators=network.prefixes)
    else:
        timetable = network.step_free if request.wheelchair else network.timetable
        stations = [station_of(s) for s in load_stations(db)]
        core = planning.Network(timetable, stations, operators=network.prefixes)
    try:
        found = planning.plan(core, origin, destination, request.when, prefs)
    except planning.PlanningError as error:
        raise InvalidInput(str(error)) from None
    return {
        "from": place_json(origin),
        "to": place_json(destination),
        "when": request.when.isoformat(),
        "timezone": TIMEZONE,
        "arrive_by": request.arrive_by,
        "timetable_only": request.timetable_only,
        "journeys": [journey_json(network, j) for j in found],
        "message": None if found else _("No journey found for this query."),
    }


def station_of(row: Any) -> planning.BikeStation:
    return planning.BikeStation(
        station_id=row.station_id,
        name=row.name,
        lat=row.lat,
        lon=row.lon,
        bikes_available=row.bikes_available or 0,
        docks_available=row.docks_available or 0,
        is_renting=bool(row.is_renting and row.is_installed),
        is_returning=bool(row.is_returning and row.is_installed),
    )


def place_json(place: planning.Place) -> dict[str, Any]:
    return {"name": place.name, "lat": place.lat, "lon": place.lon, "stop_id": place.stop_id}


def journey_json(network: Network, j: planning.PlannedJourney) -> dict[str, Any]:
    return {
        "departure": j.departure.isoformat(),
        "arrival": j.arrival.isoformat(),
        "duration_s": j.duration_s,
        "transfers": j.transfers,
        "walk_m": round(j.walk_m),
        "bike_m": round(j.bike_m),
        "co2_g": round(j.co2_g, 1),
        "car": {"co2_g": round(j.car_co2_g, 1), "distance_m": round(j.car_distance_m)},
        "cost": round(j.cost, 1),
        "modes": list(j.modes),
        "legs": [leg_json(network, leg) for leg in j.legs],
    }


def leg_json(network: Network, leg: planning.PlannedLeg) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mode": leg.mode,
        "from": place_json(leg.from_place),
        "to": place_json(leg.to_place),
        "departure": leg.departure.isoformat(),
        "arrival": leg.arrival.isoformat(),
        "duration_s": int((leg.arrival - leg.departure).total_seconds()),
        "distance_m": round(leg.distance_m),
        "co2_g": round(leg.co2_g, 1),
        "geometry": {
            "type": "LineString",
            "coordinates": [[lon, lat] for lat, lon in leg.geometry],
        },
    }
    if leg.route_id:
        out["route_id"] = leg.route_id
        out["route_name"] = leg.route_name
        out["trip_id"] = leg.trip_id
        prefix = leg.route_id.split(":", 1)[0]
        out["operator"] = network.prefixes.get(prefix, prefix)
    if leg.pickup_station is not None:
        out["pickup"] = _station_json(leg.pickup_station)
    if leg.dropoff_station is not None:
        out["dropoff"] = _station_json(leg.dropoff_station)
    if leg.stops:
        out["stops"] = [
            {"stop_id": c.stop_id, "name": c.name, "arrival": c.arrival.isoformat()}
            for c in leg.stops
        ]
    return out


def _station_json(s: planning.BikeStation) -> dict[str, Any]:
    return {
        "station_id": s.station_id,
        "name": s.name,
        "bikes_available": s.bikes_available,
        "docks_available": s.docks_available,
    }


def stop_public(network: Network, i: int) -> StopPublic:
    tt = network.feed
    stop_id = tt.stop_ids[i]
    prefix = stop_id.split(":", 1)[0]
    return StopPublic(
        id=stop_id,
        name=tt.stop_names[i],
        lat=float(tt.stop_lat[i]),
        lon=float(tt.stop_lon[i]),
        operator=network.prefixes.get(prefix, prefix),
    )


def reach(db: Session, cache: NetworkCache, query: IsochroneQuery) -> dict[str, Any]:
    """Stops reachable within `minutes`, with the minutes it takes, as GeoJSON."""
    network = _network(db, cache)
    origin = resolve_place(network, query.origin)
    prefs = planning.Preferences(max_walk_m=float(query.max_walk))
    core = planning.Network(network.timetable, operators=network.prefixes)
    when = datetime.combine(query.date, query.time)
    try:
        reached = planning.isochrone(core, origin, when, query.minutes, prefs)
    except planning.PlanningError as error:
        raise InvalidInput(str(error)) from None
    collection = planning.isochrone_geojson(reached, query.minutes, origin=origin, prefs=prefs)
    collection["properties"] = {"origin": place_json(origin), "minutes": query.minutes}
    return collection


def default_day(network: Network | None, today: date) -> date:
    """Today, or (for a timetable of other dates, like the demo's) the same weekday five
    weeks after the timetable starts, so that the planner opens on a day with service."""
    if network is None:
        return today
    first, last = network.query_days
    if first <= today <= last:
        return today
    day = first + timedelta(days=35 + (today.weekday() - first.weekday()) % 7)
    return day if day <= last else first
