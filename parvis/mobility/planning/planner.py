"""plan(): door-to-door journeys by public transport, walking, cycling and bike share.

Candidates: the direct walk, own-bike and bike-share trips, and public transport reached on
foot, by own bike or by bike share and left on foot or by bike share. Each way of reaching
the network is its own RAPTOR search, so that each shows up. Depart-at queries search the
departures of a window after the time asked (several departures); arrive-by queries find the
latest departure that arrives in time (a binary search over departure times: the earliest
arrival never decreases when leaving later), then search the window before it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from parvis.mobility.planning.access import (
    Access,
    bike_accesses,
    bikeshare_accesses,
    direct_trips,
    usable,
    walk_accesses,
)
from parvis.mobility.planning.co2 import BIKE, BIKESHARE
from parvis.mobility.planning.geo import haversine_m
from parvis.mobility.planning.journeys import Clock, direct_journey, transit_journey
from parvis.mobility.planning.model import (
    TRANSIT,
    Place,
    PlannedJourney,
    PlanningError,
    Preferences,
)
from parvis.mobility.planning.network import Network
from parvis.mobility.planning.ranking import select
from parvis.mobility.routing import Journey, Timetable, range_search, search

DAY = 86_400
SAME_PLACE_M = 1.0

Search = Callable[[list[tuple[int, int]], list[tuple[int, int]]], list[Journey]]


def plan(
    network: Network,
    origin: Place,
    destination: Place,
    when: datetime,
    prefs: Preferences | None = None,
) -> list[PlannedJourney]:
    """Journeys from `origin` to `destination` leaving at `when` (or arriving by `when` with
    `prefs.arrive_by`), ranked by generalised cost, at most `prefs.max_journeys`. `when` is
    the feed's local time when naive; an aware datetime is converted to `prefs.timezone`
    and the journeys' times are then aware too. An empty list means no journey; a day
    outside the timetable raises PlanningError."""
    prefs = prefs or Preferences()
    clock, asked = clock_of(network.timetable, when, prefs)
    check_wheelchair(network, prefs)
    if prefs.timetable_only:
        return _plan_timetable_only(network, origin, destination, clock, asked, prefs)
    if _same_place(origin, destination):
        return [_already_there(network, origin, destination, clock, asked, prefs)]
    candidates: list[PlannedJourney] = []
    for parts in direct_trips(network, origin, destination, prefs):
        seconds = sum(p.seconds for p in parts)
        start = asked - seconds if prefs.arrive_by else asked
        candidates.append(
            direct_journey(network, parts, start, origin, destination, clock, prefs, 0)
        )
    if TRANSIT in prefs.modes:
        candidates += _transit(network, origin, destination, clock, asked, prefs)
    return select(candidates, prefs)


def clock_of(tt: Timetable, when: datetime, prefs: Preferences) -> tuple[Clock, int]:
    """The query day's clock and the time asked in seconds after its midnight; PlanningError
    if the day is not one the timetable can answer for."""
    if when.tzinfo is not None:
        try:
            zone = ZoneInfo(prefs.timezone)
        except (KeyError, ValueError) as e:
            raise PlanningError(f"unknown time zone {prefs.timezone!r}") from e
        local = when.astimezone(zone)
        midnight = datetime.combine(local.date(), time(), tzinfo=zone)
    else:
        local = when
        midnight = datetime.combine(local.date(), time())
    day = local.date()
    first, last = tt.query_days
    if not first <= day <= last:
        raise PlanningError(
            f"no timetable for {day.isoformat()}: the timetable covers "
            f"{first.isoformat()} to {last.isoformat()}"
        )
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return Clock(day, midnight), seconds


def check_wheelchair(net: Network, prefs: Preferences) -> None:
    """A wheelchair query needs a timetable built for it (`build_timetable(...,
    wheelchair=True)` leaves out the trips and stops the feed says are not accessible): the
    planner will not pretend otherwise."""
    if prefs.wheelchair and not net.timetable.wheelchair:
        raise PlanningError(
            "wheelchair journeys need a timetable built with wheelchair=True; "
            "this one keeps trips and stops that are not accessible"
        )


def _same_place(a: Place, b: Place) -> bool:
    if a.stop_id is not None and a.stop_id == b.stop_id:
        return True
    return haversine_m(a.lat, a.lon, b.lat, b.lon) < SAME_PLACE_M


def _already_there(
    net: Network, origin: Place, destination: Place, clock: Clock, asked: int, prefs: Preferences
) -> PlannedJourney:
    return direct_journey(net, (), asked, origin, destination, clock, prefs, 0)


def _transit(
    net: Network,
    origin: Place,
    destination: Place,
    clock: Clock,
    asked: int,
    prefs: Preferences,
) -> list[PlannedJourney]:
    walk_in = usable(net, walk_accesses(net, origin, prefs, egress=False), prefs)
    walk_out = usable(net, walk_accesses(net, destination, prefs, egress=True), prefs)
    searches = [(walk_in, walk_out)]
    if not prefs.wheelchair:
        if BIKE in prefs.modes:
            bike_in = usable(net, _better(bike_accesses(net, origin, prefs), walk_in), prefs)
            searches.append((bike_in, walk_out))
        if BIKESHARE in prefs.modes and net.stations:
            share_in = bikeshare_accesses(net, origin, prefs, egress=False)
            share_out = bikeshare_accesses(net, destination, prefs, egress=True)
            searches.append((usable(net, _better(share_in, walk_in), prefs), walk_out))
            searches.append((walk_in, usable(net, _better(share_out, walk_out), prefs)))
    run = _searcher(net.timetable, clock.day, asked, prefs)
    out: list[PlannedJourney] = []
    for ins, outs in searches:
        if not ins or not outs:
            continue
        journeys = run(_pairs(ins), _pairs(outs))
        for j in journeys:
            if j.rides == 0:
                continue  # walking between stops only: the direct walk covers it
            first = net.timetable.stop_index[j.legs[0].from_stop]
            last = net.timetable.stop_index[j.legs[-1].to_stop]
            out.append(
                transit_journey(
                    net,
                    j,
                    ins[first].parts,
                    outs[last].parts,
                    origin,
                    destination,
                    clock,
                    prefs,
                    asked,
                )
            )
    return out


def _better(accesses: dict[int, Access], walking: dict[int, Access]) -> dict[int, Access]:
    """Only the stops a bike gets to sooner than walking does: a bike leg is offered where it
    helps."""
    return {s: a for s, a in accesses.items() if s not in walking or a.seconds < walking[s].seconds}


def _pairs(accesses: dict[int, Access]) -> list[tuple[int, int]]:
    return [(s, a.seconds) for s, a in accesses.items()]


def _searcher(tt: Timetable, day: date, asked: int, prefs: Preferences) -> Search:
    """The RAPTOR search for the query: a departure window after `asked`, or the journeys
    arriving by `asked`."""
    kw = {"max_transfers": prefs.max_transfers}

    def depart_at(o: list[tuple[int, int]], d: list[tuple[int, int]]) -> list[Journey]:
        if prefs.window_s == 0:
            return search(tt, o, d, day, asked, max_travel_time=prefs.max_travel_s, **kw)
        end = asked + prefs.window_s
        found = range_search(tt, o, d, day, asked, end, max_travel_time=prefs.max_travel_s, **kw)
        # A search at the end of the window may leave a little later: not in the window.
        return [j for j in found if j.departure + (j.day - day).days * DAY <= end]

    def arrive_by(o: list[tuple[int, int]], d: list[tuple[int, int]]) -> list[Journey]:
        # Do not search before the first day the timetable can start a query on.
        floor = (tt.query_days[0] - day).days * DAY
        lo = max(asked - prefs.max_travel_s, floor)

        def arrives(t: int) -> bool:
            return bool(search(tt, o, d, day, t, max_travel_time=asked - t, **kw))

        if not arrives(lo):
            return []
        hi = asked
        while lo < hi:  # the latest departure in [lo, hi] that arrives by `asked`
            mid = (lo + hi + 1) // 2
            if arrives(mid):
                lo = mid
            else:
                hi = mid - 1
        start = max(lo - prefs.window_s, floor)
        found = range_search(tt, o, d, day, start, lo, max_travel_time=asked - start, **kw)
        return [j for j in found if j.arrival + (j.day - day).days * DAY <= asked]

    return arrive_by if prefs.arrive_by else depart_at


def _plan_timetable_only(
    net: Network,
    origin: Place,
    destination: Place,
    clock: Clock,
    asked: int,
    prefs: Preferences,
) -> list[PlannedJourney]:
    """Only the routing core between stop ids: no walking or cycling to or from the network
    (the mode comparisons use)."""
    if origin.stop_id is None or destination.stop_id is None:
        raise PlanningError("a timetable-only query needs a stop id at both ends")
    o = [(s, 0) for s in net.stops_of(origin.stop_id)]
    d = [(s, 0) for s in net.stops_of(destination.stop_id)]
    out: list[PlannedJourney] = []
    for j in _searcher(net.timetable, clock.day, asked, prefs)(o, d):
        if not j.legs:  # origin and destination share a stop
            out.append(_already_there(net, origin, destination, clock, asked, prefs))
            continue
        out.append(transit_journey(net, j, (), (), origin, destination, clock, prefs, asked))
    return select(out, prefs)
