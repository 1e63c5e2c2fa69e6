"""Several operators' feeds merged into one (`merge_feeds`): prefixed ids, the same journeys
inside each feed as before, and journeys from one feed to another over walking links."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from parvis.mobility.routing import (
    Journey,
    Timetable,
    WalkLinks,
    build_timetable,
    earliest_arrivals,
    merge_feeds,
    query,
    read_gtfs,
    search,
)
from parvis.mobility.routing.gtfs import Feed as GtfsFeed
from parvis.mobility.routing.reference import Reference
from tests.mobility.routing_helpers import DAY, Feed, check_journey, hms, transilien

H = 3600
SAINT_LAZARE = (48.875442, 2.324806)  # StopPoint:DUA8738400 in the Transilien feed


def legs(j: Journey, prefix: str = "") -> list[tuple[object, ...]]:
    """A journey's legs, ids prefixed as a merged feed writes them."""

    def p(x: str | None) -> str | None:
        return None if x is None else prefix + x

    return [
        (
            leg.kind,
            p(leg.from_stop),
            p(leg.to_stop),
            leg.departure,
            leg.arrival,
            p(leg.route_id),
            p(leg.trip_id),
            leg.service_day,
        )
        for leg in j.legs
    ]


def same_journeys(merged: list[Journey], alone: list[Journey], prefix: str) -> None:
    """The journeys of the merged timetable are those of the feed alone, ids prefixed."""
    assert [(j.departure, j.arrival, j.rides) for j in merged] == [
        (j.departure, j.arrival, j.rides) for j in alone
    ]
    assert [legs(j) for j in merged] == [legs(j, prefix) for j in alone]


def bus_feed() -> Feed:
    """A bus line from E, 67 m north of the Saint-Lazare platform, to Z 2.7 km further; its
    ids ("R1", "all", "E"...) are the helpers' usual ones, on purpose."""
    f = Feed()
    lat, lon = SAINT_LAZARE
    f.coords = {"E": (lat + 0.0006, lon), "M": (lat + 0.012, lon), "Z": (lat + 0.025, lon)}
    for k in range(6 * 6, 22 * 6):  # every 10 minutes from 06:00 to 22:00
        t = k * 600
        f.trip(f"b{k}", ("E", hms(t)), ("M", hms(t + 420)), ("Z", hms(t + 900)))
    return f


def sample_places(tt: Timetable, rng: random.Random, n: int) -> list[tuple[str, str]]:
    served = set(tt.route_stops.tolist())
    stations = [
        s
        for i, s in enumerate(tt.stop_ids)
        if tt.stop_type[i] == 1 and served & set(tt.stops_of(s))
    ]
    return [(a, b) for a, b in (rng.sample(stations, 2) for _ in range(n))]


def test_transilien_and_a_bus_feed_keep_their_own_journeys(tmp_path: Path) -> None:
    sncf = read_gtfs(transilien())
    bus = read_gtfs(bus_feed().write(tmp_path))
    merged = merge_feeds([("sncf", sncf), ("bus", bus)])
    alone = build_timetable(sncf, (DAY, DAY))
    bus_alone = build_timetable(bus, (DAY, DAY))
    tt = build_timetable(merged, (DAY, DAY))
    n = alone.n_stops

    assert tt.stop_ids == [f"sncf:{s}" for s in alone.stop_ids] + ["bus:E", "bus:M", "bus:Z"]
    assert tt.stop_parent[:n].tolist() == alone.stop_parent.tolist()
    assert (
        tt.route_ids[-1] == "bus:R1" and tt.route_types.tolist()[:-1] == sncf.route_types.tolist()
    )
    assert [str(p) for p in tt.problems] == [f"sncf:{p}" for p in alone.problems]
    assert tt.n_trips == alone.n_trips + bus_alone.n_trips
    assert tt.n_footpaths == alone.n_footpaths  # transfers.txt of each feed, nothing between

    rng = random.Random(5)
    found = 0
    for a, b in sample_places(alone, rng, 60):
        when = (DAY, rng.randrange(4 * H, 23 * H))
        expected = query(alone, a, b, when, max_travel_time=4 * H)
        same_journeys(
            query(tt, f"sncf:{a}", f"sncf:{b}", when, max_travel_time=4 * H), expected, "sncf:"
        )
        found += bool(expected)
    assert found > 30
    for h in (5, 8, 21):
        same_journeys(
            query(tt, "bus:E", "bus:Z", (DAY, h * H)),
            query(bus_alone, "E", "Z", (DAY, h * H)),
            "bus:",
        )

    # one-to-all: the Transilien part is unchanged, and no bus stop is reached without a walk
    served = sorted(set(alone.route_stops.tolist()))
    for _ in range(20):
        origins = [(rng.choice(served), 0)]
        seconds = rng.randrange(0, 86_400)
        got = earliest_arrivals(tt, origins, DAY, seconds)
        assert got[:n].tolist() == earliest_arrivals(alone, origins, DAY, seconds).tolist()
        assert got[n:].tolist() == [-1, -1, -1]


def test_a_journey_from_one_feed_to_another_over_a_walking_link(tmp_path: Path) -> None:
    merged = merge_feeds(
        [("sncf", read_gtfs(transilien())), ("bus", read_gtfs(bus_feed().write(tmp_path)))]
    )
    plain = build_timetable(merged, (DAY, DAY))
    origin, dest = "sncf:StopArea:DUA8727605", "bus:Z"  # Ermont-Eaubonne to the bus terminus
    assert query(plain, origin, dest, (DAY, 8 * H)) == []
    walk = WalkLinks(max_distance_m=150, speed_m_s=1.2, max_seconds=600)
    tt = build_timetable(merged, (DAY, DAY), walk_links=walk)
    journeys = query(tt, origin, dest, (DAY, 8 * H))
    assert journeys
    o, d = tt.stops_of(origin), tt.stops_of(dest)
    expected = Reference(tt).pareto([(s, 0) for s in o], [(s, 0) for s in d], DAY, 8 * H)
    assert [(j.rides, j.arrival) for j in journeys] == expected
    for j in journeys:
        check_journey(tt, j, o, d, 8 * H)
    j = journeys[-1]  # the earliest arrival
    # the train to Saint-Lazare, the 67 m walk between the two feeds, the bus
    crossing = [leg for leg in j.legs if leg.kind == "walk" and leg.to_stop == "bus:E"]
    assert len(crossing) == 1
    assert crossing[0].from_stop == "sncf:StopPoint:DUA8738400"
    assert crossing[0].arrival - crossing[0].departure == 56  # ceil(66.7 m / 1.2 m/s)
    assert j.legs[0].kind == "ride" and j.legs[0].trip_id is not None
    assert j.legs[0].trip_id.startswith("sncf:")
    assert j.legs[-1].kind == "ride" and j.legs[-1].route_id == "bus:R1"


def small(stop_time: str = "08:00:00") -> Feed:
    f = Feed(stations={"S": ["B"]})
    f.trip("t1", ("A", stop_time), ("B", "08:30:00"))
    f.stops.append("C")
    f.transfers.append(("B", "C", 2, 60))
    return f


def test_merged_arrays_ids_calendars_transfers_and_problems(tmp_path: Path) -> None:
    one = small()
    one.calendar = {"all": ("1111100", "20170101", "20171231")}  # weekdays
    one.calendar_dates = [("all", "20170112", 2)]  # but not Thursday the 12th
    one.wheelchair = {"A": 1, "S": 2}
    two = small("08:10:00")
    two.calendar = {"all": ("0000011", "20170101", "20171231")}  # weekends
    two.trip("bad", ("A", "09:00:00"), ("B", "08:00:00"))  # times go backwards: a problem
    two.trips[0].wheelchair = 1
    f1 = read_gtfs(one.write(tmp_path, "one.zip"))
    f2 = read_gtfs(two.write(tmp_path, "two.zip"))
    m = merge_feeds([("one", f1), ("two", f2)])

    assert m.stop_ids == ["one:A", "one:C", "one:S", "one:B", "two:A", "two:C", "two:S", "two:B"]
    assert m.stop_names == f1.stop_names + f2.stop_names
    assert [m.stop_ids[p] if p >= 0 else None for p in m.stop_parent.tolist()] == [
        None, None, None, "one:S", None, None, None, "two:S",
    ]  # fmt: skip
    assert m.route_ids == ["one:R1", "two:R1"]
    assert m.trip_ids == ["one:t1", "two:t1", "two:bad"]
    assert m.trip_route.tolist() == [0, 1, 1]
    assert m.service_ids == ["one:all", "two:all"]
    assert m.trip_service.tolist() == [0, 1, 1]
    assert m.cal_weekdays.tolist() == [[1, 1, 1, 1, 1, 0, 0], [0, 0, 0, 0, 0, 1, 1]]
    assert m.ex_service.tolist() == [0]
    # stop times follow their trips ("bad" has none: dropped by the reader)
    assert m.trip_st.tolist() == [0, 2, 4, 4]
    assert [m.stop_ids[s] for s in m.st_stop.tolist()] == ["one:A", "one:B", "two:A", "two:B"]
    assert [m.stop_ids[s] for s in m.tr_from.tolist() + m.tr_to.tolist()] == [
        "one:B", "two:B", "one:C", "two:C",
    ]  # fmt: skip
    assert m.stop_wheelchair.tolist() == [1, 0, 2, 0, 0, 0, 0, 0]
    assert m.trip_wheelchair.tolist() == [0, 1, 0]
    assert [p.file for p in m.problems] == ["two:stop_times.txt"]
    assert m.problems[0].line == f2.problems[0].line and m.problem_count == 1
    assert m.date_range() == (date(2017, 1, 1), date(2017, 12, 31))

    tt = build_timetable(m, (date(2017, 1, 9), date(2017, 1, 15)))
    fp = {
        (tt.stop_ids[s], tt.stop_ids[tt.fp_to[e]])
        for s in range(tt.n_stops)
        for e in range(tt.fp_off[s], tt.fp_off[s + 1])
    }
    assert fp == {("one:B", "one:C"), ("one:C", "one:B"), ("two:B", "two:C"), ("two:C", "two:B")}
    assert tt.stop_wheelchair.tolist() == [1, 0, 2, 2, 0, 0, 0, 0]  # one:B inherits one:S
    # each feed keeps its own calendar: feed one runs on weekdays but not on the 12th
    for day, trip in (
        (date(2017, 1, 11), "one:t1"),  # Wednesday
        (DAY, None),  # Thursday 12th: removed
        (date(2017, 1, 14), "two:t1"),  # Saturday
    ):
        rides = [
            leg.trip_id
            for s in ("one:A", "two:A")
            for j in query(tt, s, ["one:S", "two:S"], (day, 7 * H), max_travel_time=3 * H)
            for leg in j.legs
            if leg.kind == "ride"
        ]
        assert rides == ([trip] if trip else []), day


def test_bad_prefixes_and_no_feed_at_all(tmp_path: Path) -> None:
    f = read_gtfs(small().write(tmp_path))
    for bad in ([("a", f), ("a", f)], [("", f)], [("a:b", f)]):
        with pytest.raises(ValueError, match="prefix"):
            merge_feeds(bad)
    empty: GtfsFeed = merge_feeds([])
    assert empty.stop_ids == [] and empty.trip_st.tolist() == [0]
    tt = build_timetable(empty, (DAY, DAY))
    assert tt.n_stops == 0 and tt.n_routes == 0
    assert earliest_arrivals(tt, [], DAY, 8 * H).tolist() == []
    assert search(tt, [], [], DAY, 8 * H) == []
    assert np.array_equal(merge_feeds([("x", f)]).st_arr, f.st_arr)
