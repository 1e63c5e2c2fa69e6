"""Wheelchair accessibility: stops.wheelchair_boarding (inherited from the parent station) and
trips.wheelchair_accessible, read into the feed and used by `wheelchair=True` timetables."""

from __future__ import annotations

import copy
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from parvis.mobility.routing import (
    Journey,
    Timetable,
    earliest_arrivals,
    load_timetable,
    query,
    read_gtfs,
    search,
)
from parvis.mobility.routing.reference import Reference
from tests.mobility.routing_helpers import DAY, Feed, check_journey
from tests.mobility.test_routing_random import random_feed

H = 3600
RANGE = (date(2017, 1, 9), date(2017, 1, 15))


def at(h: int, m: int = 0) -> datetime:
    return datetime.combine(DAY, datetime.min.time()) + timedelta(hours=h, minutes=m)


def plan(tt: Timetable, a: str, b: str, when: datetime) -> list[Journey]:
    """query(), every journey checked against the timetable and the Pareto set against the
    connection scan."""
    journeys = query(tt, a, b, when)
    seconds = when.hour * H + when.minute * 60
    origins, dests = tt.stops_of(a), tt.stops_of(b)
    for j in journeys:
        check_journey(tt, j, origins, dests, seconds)
    expected = Reference(tt).pareto(
        [(s, 0) for s in origins], [(s, 0) for s in dests], DAY, seconds
    )
    assert [(j.rides, j.arrival) for j in journeys] == expected
    return journeys


def trips_of(journeys: list[Journey]) -> list[list[str | None]]:
    return [[leg.trip_id for leg in j.legs if leg.kind == "ride"] for j in journeys]


def access_feed() -> Feed:
    f = Feed(stations={"S": ["S1", "S2"], "T": ["T1", "T2"]})
    f.trip("fast", ("A", "08:00:00"), ("C", "08:20:00"), wheelchair=2, route="F")
    f.trip("slow", ("A", "08:05:00"), ("X", "08:15:00"), ("C", "08:40:00"), wheelchair=1)
    f.trip("unknown", ("A", "08:10:00"), ("C", "08:50:00"), route="U")  # empty cell: 0
    f.trip("fromX", ("X", "10:00:00"), ("C", "10:10:00"), wheelchair=1, route="X")
    f.trip("toS2", ("A", "09:00:00"), ("S2", "09:20:00"), wheelchair=1, route="S")
    f.trip("toS1", ("A", "09:05:00"), ("S1", "09:30:00"), wheelchair=1, route="S")
    f.trip("toT1", ("A", "11:00:00"), ("T1", "11:20:00"), wheelchair=1, route="T")
    f.trip("toT2", ("A", "11:05:00"), ("T2", "11:30:00"), wheelchair=1, route="T")
    f.trip("odd", ("B", "12:00:00"), ("C", "12:10:00"), wheelchair="7", route="O")
    # S accessible, S1 inherits it, S2 not; T not, T1 inherits that, T2 says it is; B garbled
    f.wheelchair = {"A": 1, "X": 2, "S": 1, "S2": 2, "T": 2, "T2": 1, "B": "x"}
    return f


def test_the_reader_keeps_the_values_and_the_timetable_inherits_them(tmp_path: Path) -> None:
    folder = access_feed().write_folder(tmp_path / "gtfs")
    feed = read_gtfs(folder)
    raw = dict(zip(feed.stop_ids, feed.stop_wheelchair.tolist(), strict=True))
    assert raw == {
        **{"A": 1, "C": 0, "X": 2, "B": 0},
        **{"S": 1, "S1": 0, "S2": 2, "T": 2, "T1": 0, "T2": 1},
    }
    assert dict(zip(feed.trip_ids, feed.trip_wheelchair.tolist(), strict=True)) == {
        "fast": 2,
        "slow": 1,
        "unknown": 0,
        "fromX": 1,
        "toS2": 1,
        "toS1": 1,
        "toT1": 1,
        "toT2": 1,
        "odd": 0,
    }
    assert [str(p) for p in feed.problems] == [
        "stops.txt:5: warning: bad wheelchair_boarding 'x': taken as 0 (no information)",
        "trips.txt:10: warning: bad wheelchair_accessible '7': taken as 0 (no information)",
    ]
    for wheelchair in (False, True):
        tt = load_timetable(folder, RANGE, wheelchair=wheelchair)
        assert tt.wheelchair is wheelchair
        assert tt.stop_wheelchair.dtype == np.uint8
        stops = dict(zip(tt.stop_ids, tt.stop_wheelchair.tolist(), strict=True))
        assert stops == {**raw, "S1": 1, "T1": 2}
        assert tt.trip_wheelchair.dtype == np.uint8
        trips = {
            tt.trip_ids[int(tt.trip_feed[t])]: int(tt.trip_wheelchair[t]) for t in range(tt.n_trips)
        }
        expected = dict(zip(feed.trip_ids, feed.trip_wheelchair.tolist(), strict=True))
        if wheelchair:
            del expected["fast"]  # left out
        assert trips == expected


def test_without_the_columns_everything_is_unknown_and_allowed(tmp_path: Path) -> None:
    f = access_feed()
    f.wheelchair = {}
    for t in f.trips:
        t.wheelchair = None
    path = f.write(tmp_path)
    feed = read_gtfs(path)
    assert feed.problems == []
    assert not feed.stop_wheelchair.any() and len(feed.stop_wheelchair) == len(feed.stop_ids)
    assert not feed.trip_wheelchair.any() and len(feed.trip_wheelchair) == len(feed.trip_ids)
    plain = load_timetable(path, RANGE)
    access = load_timetable(path, RANGE, wheelchair=True)
    assert access.n_trips == plain.n_trips
    for a, b, h in (("A", "C", 8), ("A", "X", 8), ("X", "C", 9), ("A", "S", 9), ("A", "T", 11)):
        assert plan(access, a, b, at(h)) == plan(plain, a, b, at(h))


def test_inaccessible_trips_and_stops_are_left_out(tmp_path: Path) -> None:
    path = access_feed().write(tmp_path)
    plain = load_timetable(path, RANGE)
    access = load_timetable(path, RANGE, wheelchair=True)

    assert trips_of(plan(plain, "A", "C", at(8))) == [["fast"]]
    # without the inaccessible trip: the accessible one, riding through X (not usable) is fine
    (j,) = plan(access, "A", "C", at(8))
    assert trips_of([j]) == [["slow"]] and j.arrival == 8 * H + 2400
    # "no information" is allowed
    assert trips_of(plan(access, "A", "C", at(8, 6))) == [["unknown"]]
    # nobody alights or boards at X
    assert trips_of(plan(plain, "A", "X", at(8))) == [["slow"]]
    assert plan(access, "A", "X", at(8)) == []
    assert trips_of(plan(plain, "X", "C", at(9, 50))) == [["fromX"]]
    assert plan(access, "X", "C", at(9, 50)) == []
    # stations: S2 says no; S1 inherits S's yes
    assert trips_of(plan(plain, "A", "S", at(9))) == [["toS2"]]
    assert trips_of(plan(access, "A", "S", at(9))) == [["toS1"]]
    # T says no and T1 inherits it; T2 overrides it
    assert trips_of(plan(plain, "A", "T", at(11))) == [["toT1"]]
    assert trips_of(plan(access, "A", "T", at(11))) == [["toT2"]]
    # one-to-all: X is never reached, C only by the accessible trip
    s = access.stop_index
    arrivals = earliest_arrivals(access, [(s["A"], 0)], DAY, 8 * H)
    assert arrivals[s["X"]] == -1 and arrivals[s["C"]] == 8 * H + 2400


def without_inaccessible(f: Feed) -> Feed:
    """The same feed with wheelchair filtering done by hand: inaccessible trips removed,
    pick-up and drop-off forbidden (type 1) at inaccessible stops."""
    out = copy.deepcopy(f)
    station_of = {kid: st for st, kids in f.stations.items() for kid in kids}

    def blocked(stop: str) -> bool:
        value = f.wheelchair.get(stop, 0)
        if value in (0, "") and stop in station_of:
            value = f.wheelchair.get(station_of[stop], 0)
        return value == 2

    out.trips = [t for t in out.trips if t.wheelchair != 2]
    for t in out.trips:
        t.wheelchair = None
        for i, (stop, _, _) in enumerate(t.times):
            if blocked(stop):
                t.pickup[i] = 1
                t.dropoff[i] = 1
    out.wheelchair = {}
    return out


def test_random_networks_match_filtering_by_hand(tmp_path: Path) -> None:
    rng = random.Random(7)
    days = (date(2017, 1, 11), date(2017, 1, 14))
    found = 0
    for n in range(3):
        f = random_feed(rng)
        for t in f.trips:
            t.wheelchair = rng.choice((None, 0, 1, 1, 2))
        places = [*f.stops, *f.stations]
        f.wheelchair = {s: rng.choice((0, 1, 1, 1, 2)) for s in places}
        access = load_timetable(f.write(tmp_path, f"a{n}.zip"), days, wheelchair=True)
        by_hand = load_timetable(without_inaccessible(f).write(tmp_path, f"b{n}.zip"), days)
        assert access.stop_ids == by_hand.stop_ids
        blocked_stops = set(np.flatnonzero(access.stop_wheelchair == 2).tolist())
        assert blocked_stops  # the draw does block some stops
        for _ in range(100):
            a, b = rng.sample(range(access.n_stops), 2)
            seconds = rng.randrange(0, 86_400)
            got = search(access, [(a, 0)], [(b, 0)], DAY, seconds)
            want = search(by_hand, [(a, 0)], [(b, 0)], DAY, seconds)
            assert [(j.rides, j.arrival) for j in got] == [(j.rides, j.arrival) for j in want]
            for j in got:
                check_journey(access, j, [a], [b], seconds)
                for leg in j.legs:
                    if leg.kind == "ride":
                        feed_trip = access.trip_ids.index(str(leg.trip_id))
                        assert f.trips[feed_trip].wheelchair != 2
                        assert access.stop_index[leg.from_stop] not in blocked_stops
                        assert access.stop_index[leg.to_stop] not in blocked_stops
            found += bool(got)
    assert found > 30
