"""RAPTOR against the plain connection scan, on hundreds of random queries: the same earliest
arrivals and the same Pareto sets (arrival, rides), and every journey feasible."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from parvis.mobility.routing import Timetable, load_timetable, search
from parvis.mobility.routing.reference import Reference
from tests.mobility.routing_helpers import DAY, Feed, check_journey, transilien


def random_feed(rng: random.Random) -> Feed:
    """A small random network: lines over shared stops, trips at any hour (some past
    midnight, some overtaking), weekday / one-date services, random footpaths and change
    times, a few pick-up and drop-off restrictions."""
    f = Feed(stations={"S0": ["S0a", "S0b"], "S1": ["S1a", "S1b", "S1c"]})
    stops = [f"P{i}" for i in range(20)] + ["S0a", "S0b", "S1a", "S1b", "S1c"]
    f.calendar = {
        "all": ("1111111", "20170101", "20171231"),
        "wk": ("1111100", "20170101", "20171231"),
        "we": ("0000011", "20170101", "20171231"),
    }
    f.calendar_dates = [("wk", "20170112", 2), ("once", "20170112", 1), ("once", "20170113", 1)]
    services = ["all", "all", "wk", "we", "once"]
    for line in range(8):
        path = rng.sample(stops, rng.randint(3, 8))
        base = [rng.randint(60, 900) for _ in path]
        for k in range(rng.randint(6, 18)):
            t = rng.randint(3 * 3600, 27 * 3600)
            times = []
            for i, stop in enumerate(path):
                if i:
                    t += max(30, base[i] + rng.choice((0, 0, 0, rng.randint(-300, 600))))
                dwell = rng.choice((0, 0, 60, 120))
                times.append((stop, t, t + dwell))
                t += dwell
            restrict = {rng.randrange(len(path)): 1} if rng.random() < 0.1 else {}
            f.trip(
                f"L{line}T{k}",
                *times,
                route=f"L{line}",
                service=rng.choice(services),
                pickup=restrict if rng.random() < 0.5 else {},
                dropoff=restrict if rng.random() < 0.5 else {},
            )
    for _ in range(12):
        a, b = rng.sample(stops, 2)
        f.transfers.append((a, b, 2, rng.randint(0, 600)))
    for _ in range(3):
        s = rng.choice(stops)
        f.transfers.append((s, s, 2, rng.choice((0, 30, 300))))
    f.transfers.append(("S1", "S1", 2, 200))  # a station: applies to all its stops
    return f


def compare(
    tt: Timetable,
    ref: Reference,
    rng: random.Random,
    places: list[list[int]],
    n: int,
    days: list[date],
    max_travel_time: int = 86_400,
) -> int:
    found = 0
    for _ in range(n):
        a, b = rng.sample(range(len(places)), 2) if rng.random() < 0.97 else (0, 0)
        day = rng.choice(days)
        seconds = rng.randrange(0, 86_400)
        o = [(s, 0) for s in places[a]]
        d = [(s, 0) for s in places[b]]
        journeys = search(tt, o, d, day, seconds, max_travel_time=max_travel_time)
        expected = ref.pareto(o, d, day, seconds, max_travel_time=max_travel_time)
        assert [(j.rides, j.arrival) for j in journeys] == expected, (a, b, day, seconds)
        for j in journeys:
            check_journey(tt, j, places[a], places[b], seconds)
        found += bool(journeys)
    return found


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_networks_agree_with_the_connection_scan(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    tt = load_timetable(random_feed(rng).write(tmp_path), (date(2017, 1, 11), date(2017, 1, 14)))
    ref = Reference(tt)
    places = [tt.stops_of(s) for s in tt.stop_ids if tt.stop_type[tt.stop_index[s]] in (0, 1)]
    days = [DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)]
    found = compare(tt, ref, rng, places, 200, days)
    assert found > 20  # the random networks are not empty


def test_transilien_agrees_with_the_connection_scan() -> None:
    tt = load_timetable(transilien(), (DAY, DAY))
    ref = Reference(tt)
    served = set(tt.route_stops.tolist())
    places = [
        tt.stops_of(s)
        for i, s in enumerate(tt.stop_ids)
        if tt.stop_type[i] == 1 and served & set(tt.stops_of(s))
    ]
    assert len(places) > 400
    found = compare(tt, ref, random.Random(2017), places, 200, [DAY], max_travel_time=4 * 3600)
    assert found > 120
