"""Getting to and from the network, and the direct trips: walking, own bike, bike share.

A trip without a street network: each part is a straight line times the mode's detour
factor, at the mode's speed, rounded up to the second. Bike share is walk to a station with a
bike (renting), ride, dock at a station with a free dock (returning), walk on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from parvis.mobility.planning.co2 import BIKE, BIKESHARE, WALK
from parvis.mobility.planning.geo import haversine_m
from parvis.mobility.planning.model import Place, Preferences
from parvis.mobility.planning.network import I64, Network

MAX_ACCESS_STOPS = 40
"""Stops tried per way of reaching the network, the quickest to reach: a bike reaches
hundreds of stops in a dense city and each one adds departures to a range search..."""
HUB_ACCESS_STOPS = 20
"""...plus the stops served by the most routes among those in reach (the big stations a
longer walk or ride is worth it for)."""

STATIONS_TRIED = 3
"""Nearest usable stations tried at each end of a bike-share ride: the nearest with a bike
(or a dock) is almost always the one, a few more cover a long walk to a short ride."""


@dataclass(frozen=True, slots=True)
class Part:
    """One soft-mode leg to be: `seconds` includes unlocking and docking for bike share and
    parking for an own bike."""

    mode: str
    start: Place
    end: Place
    seconds: int
    distance_m: float
    pickup: int | None = None  # station index, bike share only
    dropoff: int | None = None


@dataclass(frozen=True, slots=True)
class Access:
    """How to reach stop `stop` from the origin (or the destination from it): `parts` in
    travel order, `seconds` their total; no parts when the place is that stop."""

    stop: int
    seconds: int
    parts: tuple[Part, ...]
    kind: str


def walk_part(a: Place, b: Place, prefs: Preferences) -> Part:
    distance = haversine_m(a.lat, a.lon, b.lat, b.lon) * prefs.walk_detour
    return Part(WALK, a, b, math.ceil(distance / prefs.walk_speed_m_s), distance)


def bike_part(a: Place, b: Place, prefs: Preferences, extra_s: int) -> Part:
    distance = haversine_m(a.lat, a.lon, b.lat, b.lon) * prefs.bike_detour
    return Part(BIKE, a, b, math.ceil(distance / prefs.bike_speed_m_s) + extra_s, distance)


def walk_radius(prefs: Preferences) -> float:
    """Straight-line radius of a walk of `max_walk_m`."""
    return prefs.max_walk_m / prefs.walk_detour


def walk_accesses(
    net: Network, place: Place, prefs: Preferences, *, egress: bool
) -> dict[int, Access]:
    """Stops within walking distance (and the place's own stops, with no walk)."""
    out: dict[int, Access] = {}
    stops, _ = net.stops_near(place.lat, place.lon, walk_radius(prefs))
    for s in stops.tolist():
        stop = net.stop_place(s)
        part = walk_part(stop, place, prefs) if egress else walk_part(place, stop, prefs)
        out[s] = Access(s, part.seconds, (part,), WALK)
    if place.stop_id is not None:
        for s in net.stops_of(place.stop_id):
            out[s] = Access(s, 0, (), WALK)
    return out


def bike_accesses(net: Network, place: Place, prefs: Preferences) -> dict[int, Access]:
    """Stops reached on one's own bike, parked there (bike and ride: no own bike on the way
    out of the network, it stayed at the first station)."""
    out: dict[int, Access] = {}
    stops, _ = net.stops_near(place.lat, place.lon, prefs.max_bike_access_m / prefs.bike_detour)
    for s in stops.tolist():
        part = bike_part(place, net.stop_place(s), prefs, prefs.bike_park_s)
        out[s] = Access(s, part.seconds, (part,), BIKE)
    return out


def bikeshare_accesses(
    net: Network, place: Place, prefs: Preferences, *, egress: bool
) -> dict[int, Access]:
    """Stops reached by bike share: walk, ride, dock, walk to the stop (or the mirror image
    from a stop to the place for `egress`)."""
    out: dict[int, Access] = {}
    if not net.stations:
        return out
    radius = walk_radius(prefs)
    # The stations at the place's end are the same for every stop: looked up once.
    near, _ = net.stations_near(place.lat, place.lon, radius, to_rent=not egress, to_return=egress)
    if not len(near):
        return out
    reach = prefs.max_bike_access_m / prefs.bike_detour + 2 * radius
    stops, _ = net.stops_near(place.lat, place.lon, reach)
    for s in stops.tolist():
        stop = net.stop_place(s)
        if egress:
            parts = bikeshare_trip(net, stop, place, prefs, prefs.max_bike_access_m, dropoffs=near)
        else:
            parts = bikeshare_trip(net, place, stop, prefs, prefs.max_bike_access_m, pickups=near)
        if parts is not None:
            out[s] = Access(s, sum(p.seconds for p in parts), parts, BIKESHARE)
    return out


def bikeshare_trip(
    net: Network,
    a: Place,
    b: Place,
    prefs: Preferences,
    max_ride_m: float,
    *,
    pickups: I64 | None = None,
    dropoffs: I64 | None = None,
) -> tuple[Part, ...] | None:
    """The quickest walk, bike-share ride and walk from `a` to `b` (None if there is none):
    among the stations nearest to `a` that have a bike and those nearest to `b` that have a
    free dock (looked up unless given, nearest first), two different stations, the ride at
    most `max_ride_m`."""
    radius = walk_radius(prefs)
    if pickups is None:
        pickups, _ = net.stations_near(a.lat, a.lon, radius, to_rent=True)
    if dropoffs is None:
        dropoffs, _ = net.stations_near(b.lat, b.lon, radius, to_return=True)
    if not len(pickups) or not len(dropoffs):
        return None
    best: tuple[int, tuple[Part, ...]] | None = None
    for p in pickups[:STATIONS_TRIED].tolist():
        first = walk_part(a, net.station_place(p), prefs)
        for d in dropoffs[:STATIONS_TRIED].tolist():
            if d == p:
                continue  # a ride back to the same station is a walk
            ride = bike_part(
                net.station_place(p),
                net.station_place(d),
                prefs,
                prefs.bikeshare_unlock_s + prefs.bikeshare_dock_s,
            )
            if ride.distance_m > max_ride_m:
                continue
            last = walk_part(net.station_place(d), b, prefs)
            total = first.seconds + ride.seconds + last.seconds
            if best is None or total < best[0]:
                share = Part(BIKESHARE, ride.start, ride.end, ride.seconds, ride.distance_m, p, d)
                best = (total, (first, share, last))
    return None if best is None else best[1]


def direct_trips(
    net: Network, origin: Place, destination: Place, prefs: Preferences
) -> list[tuple[Part, ...]]:
    """The trips without public transport the preferences allow: walk, own bike, bike
    share (none for a wheelchair user but the walk, i.e. the roll)."""
    out: list[tuple[Part, ...]] = []
    walk = walk_part(origin, destination, prefs)
    if "walk" in prefs.modes and walk.distance_m <= prefs.max_direct_walk_m:
        out.append((walk,))
    if prefs.wheelchair:
        return out
    if BIKE in prefs.modes:
        ride = bike_part(origin, destination, prefs, prefs.bike_park_s)
        if ride.distance_m <= prefs.max_bike_m:
            out.append((ride,))
    if BIKESHARE in prefs.modes:
        parts = bikeshare_trip(net, origin, destination, prefs, prefs.max_bike_m)
        if parts is not None:
            out.append(parts)
    return out


def usable(net: Network, accesses: dict[int, Access], prefs: Preferences) -> dict[int, Access]:
    """Leave out, for a wheelchair user, the stops the feed says are not accessible; keep the
    `MAX_ACCESS_STOPS` quickest to reach and the `HUB_ACCESS_STOPS` served by most routes."""
    wheelchair = net.timetable.stop_wheelchair
    if prefs.wheelchair and len(wheelchair):
        accesses = {s: a for s, a in accesses.items() if int(wheelchair[s]) != 2}
    quickest = sorted(accesses.values(), key=lambda a: (a.seconds, a.stop))
    hubs = sorted(quickest, key=lambda a: -net.routes_at(a.stop))
    kept = quickest[:MAX_ACCESS_STOPS] + hubs[:HUB_ACCESS_STOPS]
    return {a.stop: a for a in sorted(kept, key=lambda a: (a.seconds, a.stop))}
