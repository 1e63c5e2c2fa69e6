"""One-to-all earliest arrivals (`earliest_arrivals`) against the connection scan, and the
route metadata the multimodal planner reads (`route_types`, `route_short_names`)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from parvis.mobility.routing import Timetable, earliest_arrivals, load_timetable, search
from parvis.mobility.routing.reference import Reference
from tests.mobility.routing_helpers import DAY, Feed, table, transilien
from tests.mobility.test_routing_random import random_feed

H = 3600


def build(tmp_path: Path, feed: Feed) -> Timetable:
    return load_timetable(feed.write(tmp_path), (date(2017, 1, 9), date(2017, 1, 15)))


def arrivals(
    tt: Timetable, origins: list[tuple[str, int]], seconds: int, day: date = DAY, **kw: int
) -> dict[str, int]:
    """earliest_arrivals by stop id (reached stops only), checked against the reference."""
    o = [(tt.stop_index[s], a) for s, a in origins]
    got = earliest_arrivals(tt, o, day, seconds, **kw)
    assert got.dtype == np.int64 and got.shape == (tt.n_stops,)
    assert got.tolist() == Reference(tt).earliest_arrivals(o, day, seconds, **kw)
    return {tt.stop_ids[i]: int(t) for i, t in enumerate(got.tolist()) if t >= 0}


def test_rides_walks_and_the_origins_access_time(tmp_path: Path) -> None:
    f = Feed()
    f.trip("l1", ("A", "08:00:00"), ("B", "08:10:00"), ("C", "08:30:00"), route="L1")
    f.trip("l2", ("C", "08:40:00"), ("D", "09:00:00"), route="L2")
    f.stops += ["W", "Z"]  # W: a walk from B; Z: no service, no footpath
    f.transfers.append(("B", "W", 2, 150))
    tt = build(tmp_path, f)
    assert arrivals(tt, [("A", 120)], 7 * H) == {
        "A": 7 * H + 120,  # the origin: the query time plus its access time
        "B": 8 * H + 600,
        "W": 8 * H + 750,  # on foot, exact seconds
        "C": 8 * H + 1800,
        "D": 9 * H,
    }
    # several origins: each stop keeps the earliest
    assert arrivals(tt, [("A", 0), ("C", 3 * H)], 7 * H)["C"] == 8 * H + 1800
    # at most one ride: D needs two
    assert "D" not in arrivals(tt, [("A", 0)], 7 * H, max_transfers=0)
    # nothing may arrive more than max_travel_time after the query time
    assert arrivals(tt, [("A", 0)], 7 * H, max_travel_time=H + 1800) == {
        "A": 7 * H,
        "B": 8 * H + 600,
        "W": 8 * H + 750,
        "C": 8 * H + 1800,
    }
    # an origin whose access alone takes longer than that is not reached either
    assert arrivals(tt, [("A", 2 * H)], 7 * H, max_travel_time=H) == {}
    # missed at 08:01: the next day's trip would arrive more than 24 h later
    assert arrivals(tt, [("A", 0)], 8 * H + 60) == {"A": 8 * H + 60}
    assert arrivals(tt, [("A", 0)], 8 * H + 60, max_travel_time=25 * H)["D"] == 33 * H


def test_unreachable_stops_are_minus_one(tmp_path: Path) -> None:
    f = Feed().trip("t", ("A", "08:00:00"), ("B", "08:30:00"))
    f.stops += ["Z"]
    tt = build(tmp_path, f)
    s = tt.stop_index
    got = earliest_arrivals(tt, [(s["B"], 0)], DAY, 7 * H)
    assert got.tolist() == [-1, 7 * H, -1]  # the line only goes from A to B
    assert earliest_arrivals(tt, [(s["Z"], 0)], DAY, 7 * H).tolist() == [-1, -1, 7 * H]
    assert earliest_arrivals(tt, [], DAY, 7 * H).tolist() == [-1, -1, -1]
    with pytest.raises(ValueError, match="outside the timetable's days"):
        earliest_arrivals(tt, [(s["A"], 0)], date(2018, 1, 1), 7 * H)
    with pytest.raises(ValueError, match="max_transfers"):
        earliest_arrivals(tt, [(s["A"], 0)], DAY, 7 * H, max_transfers=-1)


def test_midnight_both_ways(tmp_path: Path) -> None:
    f = Feed()
    f.calendar = {
        "thu": ("0001000", "20170101", "20171231"),
        "fri": ("0000100", "20170101", "20171231"),
    }
    f.trip("late", ("A", "24:10:00"), ("B", "24:30:00"), service="thu", route="L1")
    f.trip("early", ("B", "00:40:00"), ("C", "01:00:00"), service="fri", route="L2")
    tt = build(tmp_path, f)
    # Thursday 23:50: Thursday's 24:10 trip, then Friday's 00:40 one, past 86,400
    assert arrivals(tt, [("A", 0)], 23 * H + 50 * 60) == {
        "A": 23 * H + 50 * 60,
        "B": 24 * H + 1800,
        "C": 25 * H,
    }
    # Friday 00:05: Thursday's trip is still running
    friday = DAY + timedelta(days=1)
    assert arrivals(tt, [("A", 0)], 300, day=friday) == {"A": 300, "B": 1800, "C": 3600}
    # Thursday + 24:05 is Friday 00:05: times stay after midnight of the day given
    assert arrivals(tt, [("A", 0)], 24 * H + 300) == {
        "A": 24 * H + 300,
        "B": 24 * H + 1800,
        "C": 25 * H,
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_random_networks_agree_with_the_connection_scan(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    tt = load_timetable(random_feed(rng).write(tmp_path), (date(2017, 1, 11), date(2017, 1, 14)))
    ref = Reference(tt)
    reached = 0
    for _ in range(100):
        origins = [(rng.randrange(tt.n_stops), rng.choice((0, 0, 90))) for _ in range(2)]
        day = DAY + timedelta(days=rng.choice((-1, 0, 1)))
        seconds = rng.randrange(0, 86_400)
        kw = {
            "max_transfers": rng.choice((0, 1, 5)),
            "max_travel_time": rng.choice((3 * H, 86_400)),
        }
        got = earliest_arrivals(tt, origins, day, seconds, **kw)
        assert got.tolist() == ref.earliest_arrivals(origins, day, seconds, **kw)
        reached += int((got >= 0).sum())
    assert reached > 500  # not a network where nothing is reached


def test_transilien_agrees_with_the_connection_scan_and_with_search() -> None:
    tt = load_timetable(transilien(), (DAY, DAY))
    ref = Reference(tt)
    rng = random.Random(12)
    served = sorted(set(tt.route_stops.tolist()))
    stations = [i for i in range(tt.n_stops) if tt.stop_type[i] == 1]
    total = 0
    for n in range(120):
        origins = [(rng.choice(served), rng.choice((0, 0, 240))) for _ in range(rng.randint(1, 3))]
        seconds = rng.randrange(0, 86_400)
        travel = 4 * H if n % 2 else 86_400
        got = earliest_arrivals(tt, origins, DAY, seconds, max_travel_time=travel)
        assert got.tolist() == ref.earliest_arrivals(
            origins, DAY, seconds, max_travel_time=travel
        ), (origins, seconds)
        total += int((got >= 0).sum())
        # the same earliest arrival as a one-to-one search (its fastest journey)
        for station in rng.sample(stations, 3):
            dests = [(s, 0) for s in tt.stops_of(tt.stop_ids[station])]
            journeys = search(tt, origins, dests, DAY, seconds, max_travel_time=travel)
            reachable = [int(got[s]) for s, _ in dests if got[s] >= 0]
            fastest = journeys[-1].arrival if journeys else -1
            assert (min(reachable) if reachable else -1) == fastest, (origins, seconds, station)
    assert total > 120 * 100  # most of the network is reached from most origins


def test_route_types_and_short_names(tmp_path: Path) -> None:
    f = Feed().trip("t", ("A", "08:00:00"), ("B", "08:30:00"), route="R2")
    f.extra["routes.txt"] = table(
        ["route_id", "route_short_name", "route_long_name", "route_type"],
        [["R1", "", "Long one", 2], ["R2", "B7", "Bus seven", 3]],
    )
    tt = build(tmp_path, f)
    assert tt.route_ids == ["R1", "R2"]
    assert tt.route_types.dtype == np.int32 and tt.route_types.tolist() == [2, 3]
    assert tt.route_short_names == ["", "B7"]
    assert tt.route_names == ["Long one", "B7"]  # short name, else long name, else id
    # the route of a trip of the timetable, as the planner reads it
    trip = int(tt.trip_feed[0])
    assert tt.route_types[tt.trip_route[trip]] == 3


def test_transilien_route_types() -> None:
    tt = load_timetable(transilien(), (DAY, DAY))
    assert len(tt.route_types) == len(tt.route_ids) == len(tt.route_short_names)
    assert set(tt.route_types.tolist()) <= {0, 1, 2, 3}
    assert 2 in tt.route_types.tolist()  # trains
