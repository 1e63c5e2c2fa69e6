"""Turning parts and RAPTOR journeys into door-to-door journeys, with CO2 and cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from parvis.mobility.planning.access import Part
from parvis.mobility.planning.co2 import (
    BIKE,
    BIKESHARE,
    WAIT,
    WALK,
    car_distance_m,
    car_emissions_g,
    emissions_g,
)
from parvis.mobility.planning.geo import haversine_m, path_length_m
from parvis.mobility.planning.model import (
    BikeStation,
    Place,
    PlannedJourney,
    PlannedLeg,
    Preferences,
    StopCall,
)
from parvis.mobility.planning.network import Network
from parvis.mobility.routing import Journey

DAY = 86_400


@dataclass(frozen=True, slots=True)
class Clock:
    """Seconds after midnight of the query day <-> datetimes (naive local time, or aware in
    the preferences' time zone when the query time was aware). Times are GTFS wall-clock
    times: a day is 86,400 s after midnight, even across a daylight-saving change."""

    day: date
    midnight: datetime

    def at(self, seconds: int) -> datetime:
        return self.midnight + timedelta(seconds=seconds)

    def offset(self, day: date) -> int:
        """Seconds from the query day's midnight to `day`'s."""
        return (day - self.day).days * DAY


@dataclass(slots=True)
class _Draft:
    """A leg in seconds after the query day's midnight, before datetimes."""

    mode: str
    start: Place
    end: Place
    dep: int
    arr: int
    distance_m: float = 0.0
    route_id: str | None = None
    route_name: str | None = None
    trip_id: str | None = None
    pickup: BikeStation | None = None
    dropoff: BikeStation | None = None
    calls: list[tuple[int, int, int]] = field(default_factory=list)  # stop, arr, dep
    geometry: list[tuple[float, float]] = field(default_factory=list)


def _lay(net: Network, parts: tuple[Part, ...], t: int) -> tuple[list[_Draft], int]:
    out: list[_Draft] = []
    for p in parts:
        pickup = None if p.pickup is None else net.stations[p.pickup]
        dropoff = None if p.dropoff is None else net.stations[p.dropoff]
        out.append(
            _Draft(
                p.mode,
                p.start,
                p.end,
                t,
                t + p.seconds,
                p.distance_m,
                pickup=pickup,
                dropoff=dropoff,
                geometry=[(p.start.lat, p.start.lon), (p.end.lat, p.end.lon)],
            )
        )
        t += p.seconds
    return out, t


def _wait(place: Place, t: int, until: int) -> _Draft:
    return _Draft(WAIT, place, place, t, until, geometry=[(place.lat, place.lon)])


def _transit_drafts(net: Network, j: Journey, clock: Clock, prefs: Preferences) -> list[_Draft]:
    """The legs of a RAPTOR journey, with a wait leg wherever one stands at a stop."""
    tt = net.timetable
    shift = clock.offset(j.day)
    out: list[_Draft] = []
    for leg in j.legs:
        a, b = tt.stop_index[leg.from_stop], tt.stop_index[leg.to_stop]
        start, end = net.stop_place(a), net.stop_place(b)
        dep, arr = leg.departure + shift, leg.arrival + shift
        if out and dep > out[-1].arr:
            out.append(_wait(start, out[-1].arr, dep))
        if leg.kind == "walk":
            distance = haversine_m(start.lat, start.lon, end.lat, end.lon) * prefs.walk_detour
            out.append(_Draft(WALK, start, end, dep, arr, distance, geometry=_ends(start, end)))
            continue
        service_shift = 0 if leg.service_day is None else (leg.service_day - j.day).days * DAY
        calls = []
        if leg.trip_id is not None:
            calls = net.ride_calls(leg.trip_id, a, b, leg.departure, leg.arrival, service_shift)
        if calls:
            geometry = [(float(tt.stop_lat[c.stop]), float(tt.stop_lon[c.stop])) for c in calls]
            distance = path_length_m(geometry)
        else:  # not found as given: the straight line between the ends
            geometry = _ends(start, end)
            distance = haversine_m(start.lat, start.lon, end.lat, end.lon)
        out.append(
            _Draft(
                net.route_mode(leg.route_id),
                start,
                end,
                dep,
                arr,
                distance,
                route_id=leg.route_id,
                route_name=net.route_label(leg.route_id),
                trip_id=leg.trip_id,
                calls=[(c.stop, c.arrival + shift, c.departure + shift) for c in calls],
                geometry=geometry,
            )
        )
    return out


def _ends(a: Place, b: Place) -> list[tuple[float, float]]:
    return [(a.lat, a.lon), (b.lat, b.lon)]


def direct_journey(
    net: Network,
    parts: tuple[Part, ...],
    start: int,
    origin: Place,
    destination: Place,
    clock: Clock,
    prefs: Preferences,
    slack: int,
) -> PlannedJourney:
    drafts, _ = _lay(net, parts, start)
    return _finish(net, drafts, start, 0, origin, destination, clock, prefs, slack)


def transit_journey(
    net: Network,
    j: Journey,
    before: tuple[Part, ...],
    after: tuple[Part, ...],
    origin: Place,
    destination: Place,
    clock: Clock,
    prefs: Preferences,
    asked: int,
) -> PlannedJourney:
    """A RAPTOR journey with its access parts before and egress parts after. `asked` is the
    time asked (seconds after the query day's midnight) for the slack."""
    start = j.departure + clock.offset(j.day)
    drafts, t = _lay(net, before, start)
    middle = _transit_drafts(net, j, clock, prefs)
    if middle and middle[0].dep > t:  # cannot happen with RAPTOR's access; kept safe
        drafts.append(_wait(middle[0].start, t, middle[0].dep))
    drafts += middle
    t = drafts[-1].arr if drafts else start
    tail, _ = _lay(net, after, t)
    drafts += tail
    end = drafts[-1].arr if drafts else start
    slack = asked - end if prefs.arrive_by else start - asked
    return _finish(net, drafts, start, j.rides, origin, destination, clock, prefs, max(slack, 0))


def _finish(
    net: Network,
    drafts: list[_Draft],
    start: int,
    rides: int,
    origin: Place,
    destination: Place,
    clock: Clock,
    prefs: Preferences,
    slack: int,
) -> PlannedJourney:
    legs: list[PlannedLeg] = []
    totals = {"ride": 0, WALK: 0, BIKE: 0, WAIT: 0}
    walk_m = bike_m = co2 = 0.0
    modes: list[str] = []
    tt = net.timetable
    for d in drafts:
        seconds = d.arr - d.dep
        co2_g = emissions_g(d.mode, d.distance_m)
        co2 += co2_g
        if d.mode == WALK:
            totals[WALK] += seconds
            walk_m += d.distance_m
        elif d.mode in (BIKE, BIKESHARE):
            totals[BIKE] += seconds
            bike_m += d.distance_m
        elif d.mode == WAIT:
            totals[WAIT] += seconds
        else:
            totals["ride"] += seconds
        if d.mode != WAIT and d.mode not in modes:
            modes.append(d.mode)
        calls = tuple(
            StopCall(
                tt.stop_ids[s],
                tt.stop_names[s],
                float(tt.stop_lat[s]),
                float(tt.stop_lon[s]),
                clock.at(a),
                clock.at(dp),
            )
            for s, a, dp in d.calls
        )
        legs.append(
            PlannedLeg(
                mode=d.mode,
                from_place=d.start,
                to_place=d.end,
                departure=clock.at(d.dep),
                arrival=clock.at(d.arr),
                distance_m=d.distance_m,
                co2_g=co2_g,
                route_id=d.route_id,
                route_name=d.route_name,
                trip_id=d.trip_id,
                pickup_station=d.pickup,
                dropoff_station=d.dropoff,
                stops=calls,
                geometry=tuple(d.geometry),
            )
        )
    end = drafts[-1].arr if drafts else start
    transfers = max(rides - 1, 0)
    cost = (
        prefs.weight_in_vehicle * totals["ride"]
        + prefs.weight_walk * totals[WALK]
        + prefs.weight_bike * totals[BIKE]
        + prefs.weight_wait * totals[WAIT]
        + prefs.transfer_penalty_s * transfers
        + prefs.co2_weight_s_per_kg * co2 / 1000.0
        + prefs.weight_slack * slack
    )
    straight = haversine_m(origin.lat, origin.lon, destination.lat, destination.lon)
    return PlannedJourney(
        legs=tuple(legs),
        departure=clock.at(start),
        arrival=clock.at(end),
        duration_s=end - start,
        transfers=transfers,
        walk_m=walk_m,
        bike_m=bike_m,
        co2_g=co2,
        car_co2_g=car_emissions_g(straight),
        car_distance_m=car_distance_m(straight),
        cost=cost,
        modes=tuple(modes),
    )
