"""RAPTOR on hand-made feeds: the timetable-only semantics, case by case."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from parvis.mobility.routing import (
    Journey,
    Timetable,
    WalkLinks,
    load_timetable,
    query,
    range_search,
)
from parvis.mobility.routing.reference import Reference
from tests.mobility.routing_helpers import DAY, Feed, check_journey

H = 3600


def at(h: int, m: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=h, minutes=m)


def build(tmp_path: Path, feed: Feed, **kw: object) -> Timetable:
    return load_timetable(feed.write(tmp_path), (date(2017, 1, 9), date(2017, 1, 15)), **kw)  # type: ignore[arg-type]


def plan(tt: Timetable, a: str, b: str, when: datetime, **kw: object) -> list[Journey]:
    journeys = query(tt, a, b, when, **kw)  # type: ignore[arg-type]
    seconds = when.hour * H + when.minute * 60
    origins, dests = tt.stops_of(a), tt.stops_of(b)
    for j in journeys:
        check_journey(tt, j, origins, dests, seconds)
    if "window" not in kw:
        ref = Reference(tt).pareto(
            [(s, 0) for s in origins],
            [(s, 0) for s in dests],
            when.date(),
            seconds,
            **{k: v for k, v in kw.items() if k in ("max_transfers", "max_travel_time")},  # type: ignore[arg-type]
        )
        assert [(j.rides, j.arrival) for j in journeys] == ref
    return journeys


def summary(journeys: list[Journey]) -> list[tuple[int, str]]:
    return [(j.transfers, f"{j.arrival // H:02d}:{j.arrival // 60 % 60:02d}") for j in journeys]


def two_lines(second_departs: str, **transfer: int) -> Feed:
    """A -> B on line 1 (arrives 08:10), B -> C on line 2 (leaves at `second_departs`)."""
    f = Feed()
    f.trip("l1", ("A", "08:00:00"), ("B", "08:10:00"), route="L1")
    f.trip("l2", ("B", second_departs), ("C", "08:40:00"), route="L2")
    if transfer:
        f.transfers.append(("B", "B", 2, transfer["same_stop"]))
    return f


def test_a_direct_ride_with_its_legs(tmp_path: Path) -> None:
    tt = build(
        tmp_path,
        Feed().trip(
            "t", ("A", "08:00:00"), ("B", "08:10:00", "08:12:00"), ("C", "08:30:00"), route="RER"
        ),
    )
    (j,) = plan(tt, "A", "C", at(7, 30))
    assert (j.departure, j.arrival, j.rides, j.transfers) == (8 * H, 8 * H + 1800, 1, 0)
    (leg,) = j.legs
    assert (leg.kind, leg.from_stop, leg.to_stop, leg.route_id, leg.trip_id) == (
        "ride",
        "A",
        "C",
        "RER",
        "t",
    )
    assert leg.departure_time == at(8) and leg.arrival_time == at(8, 30)
    assert j.departure_time == at(8) and j.duration == 1800
    # missed: tomorrow's trip arrives more than 24 h after 08:01
    assert plan(tt, "A", "C", at(8, 1)) == []
    # ... but less than 24 h after 08:31
    (tomorrow,) = plan(tt, "A", "C", at(8, 31))
    assert tomorrow.arrival == 24 * H + 8 * H + 1800
    assert tomorrow.legs[0].service_day == DAY + timedelta(days=1)


def test_a_change_at_the_same_stop_takes_120_seconds(tmp_path: Path) -> None:
    assert plan(build(tmp_path, two_lines("08:11:00")), "A", "C", at(8)) == []
    (j,) = plan(build(tmp_path, two_lines("08:12:00")), "A", "C", at(8))
    assert summary([j]) == [(1, "08:40")]
    assert [leg.kind for leg in j.legs] == ["ride", "ride"]


def test_the_feed_can_set_the_change_time_at_a_stop(tmp_path: Path) -> None:
    (j,) = plan(build(tmp_path, two_lines("08:11:00", same_stop=45)), "A", "C", at(8))
    assert summary([j]) == [(1, "08:40")]
    assert plan(build(tmp_path, two_lines("08:12:00", same_stop=150)), "A", "C", at(8)) == []


def walk_feed(seconds: int, departs: str) -> Feed:
    f = Feed()
    f.trip("l1", ("A", "08:00:00"), ("B", "08:10:00"), route="L1")
    f.trip("l2", ("D", departs), ("E", "08:40:00"), route="L2")
    f.transfers.append(("B", "D", 2, seconds))
    return f


def test_footpaths_take_their_exact_seconds(tmp_path: Path) -> None:
    # 150 s is not rounded to 2 minutes: 08:12 is too early, 08:13 is fine
    assert plan(build(tmp_path, walk_feed(150, "08:12:00")), "A", "E", at(8)) == []
    (j,) = plan(build(tmp_path, walk_feed(150, "08:13:00")), "A", "E", at(8))
    assert [(leg.kind, leg.departure, leg.arrival) for leg in j.legs] == [
        ("ride", 8 * H, 8 * H + 600),
        ("walk", 8 * H + 600, 8 * H + 750),
        ("ride", 8 * H + 780, 8 * H + 2400),
    ]
    # a walk to the destination ends at an exact second
    (w,) = plan(build(tmp_path, walk_feed(150, "08:13:00")), "A", "D", at(8))
    assert w.arrival == 8 * H + 750 and w.rides == 1


def test_footpaths_are_symmetric_and_transitively_closed(tmp_path: Path) -> None:
    f = Feed()
    f.trip("l1", ("A", "08:00:00"), ("B", "08:10:00"), route="L1")
    f.trip("l2", ("E", "08:20:00"), ("F", "08:40:00"), route="L2")
    f.stops += ["C"]
    f.transfers += [("C", "B", 2, 100), ("E", "C", 2, 200), ("C", "E", 2, 250)]
    tt = build(tmp_path, f)
    fp = {
        (tt.stop_ids[s], tt.stop_ids[tt.fp_to[e]]): int(tt.fp_dur[e])
        for s in range(tt.n_stops)
        for e in range(tt.fp_off[s], tt.fp_off[s + 1])
    }
    # given C->B only: B->C too; C<->E given both ways, 200 and 250: the shorter both ways;
    # B->E closed through C
    assert fp == {
        ("B", "C"): 100,
        ("C", "B"): 100,
        ("C", "E"): 200,
        ("E", "C"): 200,
        ("B", "E"): 300,
        ("E", "B"): 300,
    }
    (j,) = plan(tt, "A", "F", at(8))
    assert [(leg.kind, leg.from_stop, leg.to_stop) for leg in j.legs] == [
        ("ride", "A", "B"),
        ("walk", "B", "E"),
        ("ride", "E", "F"),
    ]


def test_footpaths_come_only_from_transfers_txt_unless_walking_links_are_on(
    tmp_path: Path,
) -> None:
    f = Feed()
    f.trip("l1", ("A", "08:00:00"), ("B", "08:10:00"), route="L1")
    f.trip("l2", ("D", "08:20:00"), ("E", "08:40:00"), route="L2")
    f.coords = {"B": (48.85, 2.35), "D": (48.851, 2.35)}  # 111 m apart
    assert plan(build(tmp_path, f), "A", "E", at(8)) == []
    tt = build(tmp_path, f, walk_links=WalkLinks(max_distance_m=200, speed_m_s=1.0))
    (j,) = plan(tt, "A", "E", at(8))
    assert j.legs[1].kind == "walk" and j.legs[1].arrival - j.legs[1].departure == 112


def test_a_journey_may_start_and_end_with_a_walk(tmp_path: Path) -> None:
    f = Feed()
    f.trip("l1", ("B", "08:30:00"), ("C", "08:50:00"))
    f.stops += ["A", "D"]
    f.transfers += [("A", "B", 2, 300), ("C", "D", 2, 90)]
    (j,) = plan(build(tmp_path, f), "A", "D", at(8))
    # the first walk leaves as late as possible
    assert [(leg.kind, leg.departure, leg.arrival) for leg in j.legs] == [
        ("walk", 8 * H + 1500, 8 * H + 1800),
        ("ride", 8 * H + 1800, 8 * H + 3000),
        ("walk", 8 * H + 3000, 8 * H + 3090),
    ]
    assert j.departure == 8 * H + 1500 and j.arrival == 8 * H + 3090
    (walk,) = plan(build(tmp_path, f), "A", "B", at(8))
    assert (walk.rides, walk.transfers, walk.arrival) == (0, 0, 8 * H + 300)


def test_a_query_at_23_50_crosses_midnight(tmp_path: Path) -> None:
    f = Feed()
    f.calendar = {
        "thu": ("0001000", "20170101", "20171231"),
        "fri": ("0000100", "20170101", "20171231"),
    }
    f.trip("late", ("A", "24:10:00"), ("B", "24:30:00"), service="thu")
    f.trip("early", ("B", "00:40:00"), ("C", "01:00:00"), service="fri")
    tt = build(tmp_path, f)
    (j,) = plan(tt, "A", "C", at(23, 50))
    assert summary([j]) == [(1, "25:00")]
    assert [leg.service_day for leg in j.legs] == [DAY, DAY + timedelta(days=1)]
    assert j.arrival_time == at(1, day=DAY + timedelta(days=1))
    # just after midnight, Thursday's 24:10 trip is still there on Friday at 00:10
    (k,) = plan(tt, "A", "B", at(0, 5, DAY + timedelta(days=1)))
    assert (k.departure, k.arrival) == (600, 1800)
    assert k.legs[0].service_day == DAY


def test_previous_day_trips_keep_their_change_times_and_footpaths(tmp_path: Path) -> None:
    f = Feed()
    f.trip("late", ("A", "23:40:00"), ("B", "24:20:00"), route="L1")
    f.trip("next", ("B", "00:21:00"), ("C", "00:50:00"), route="L2")
    f.trip("next2", ("B", "00:22:00"), ("C", "00:55:00"), route="L2")
    (j,) = plan(build(tmp_path, f), "A", "C", at(23, 30))
    assert summary([j]) == [(1, "24:55")]


def test_services_on_a_given_date_only(tmp_path: Path) -> None:
    f = Feed()
    f.calendar = {}
    f.calendar_dates = [("special", "20170112", 1)]
    f.trip("t", ("A", "10:00:00"), ("B", "10:30:00"), service="special")
    f.trip("u", ("A", "11:00:00"), ("B", "11:30:00"), service="special")
    tt = build(tmp_path, f)
    assert summary(plan(tt, "A", "B", at(9))) == [(0, "10:30")]
    assert plan(tt, "A", "B", at(9, day=DAY + timedelta(days=1))) == []
    # the day before, the 24 h horizon reaches the special day
    (j,) = plan(tt, "A", "B", at(11, day=DAY - timedelta(days=1)))
    assert j.arrival == 24 * H + 10 * H + 1800


def test_a_stop_with_no_service_and_unreachable_destinations(tmp_path: Path) -> None:
    f = Feed().trip("t", ("A", "08:00:00"), ("B", "08:30:00"))
    f.stops += ["Z"]
    tt = build(tmp_path, f)
    assert plan(tt, "Z", "B", at(7)) == []
    assert plan(tt, "A", "Z", at(7)) == []
    assert plan(tt, "B", "A", at(7)) == []  # the line only goes one way
    with pytest.raises(KeyError, match="unknown stop or station 'nowhere'"):
        query(tt, "nowhere", "A", at(7))
    with pytest.raises(ValueError, match="outside the timetable's days"):
        query(tt, "A", "B", at(7, day=date(2018, 1, 1)))


def test_origin_equals_destination(tmp_path: Path) -> None:
    tt = build(tmp_path, Feed().trip("t", ("A", "08:00:00"), ("B", "08:30:00")))
    (j,) = plan(tt, "A", "A", at(7))
    assert (j.legs, j.rides, j.departure, j.arrival) == ((), 0, 7 * H, 7 * H)


def test_stations_mean_all_their_stops(tmp_path: Path) -> None:
    f = Feed(stations={"S": ["S1", "S2"]})
    f.trip("t1", ("A", "08:00:00"), ("S1", "08:30:00"))
    f.trip("t2", ("A", "08:05:00"), ("S2", "08:20:00"))
    tt = build(tmp_path, f)
    assert tt.stops_of("S") == [tt.stop_index["S1"], tt.stop_index["S2"]]
    (j,) = plan(tt, "A", "S", at(8))
    assert j.legs[-1].to_stop == "S2"


def pareto_feed() -> Feed:
    f = Feed()
    f.trip("slow", ("A", "08:00:00"), ("X", "08:30:00"), ("D", "09:30:00"), route="Slow")
    f.trip("fast1", ("A", "08:05:00"), ("B", "08:15:00"), route="F1")
    f.trip("fast2", ("B", "08:20:00"), ("C", "08:35:00"), route="F2")
    f.trip("fast3", ("C", "08:40:00"), ("D", "09:00:00"), route="F3")
    f.trip("mid", ("A", "08:01:00"), ("Y", "08:10:00"), route="M1")
    f.trip("mid2", ("Y", "08:15:00"), ("D", "09:20:00"), route="M2")
    return f


def test_the_pareto_set_over_arrival_and_transfers(tmp_path: Path) -> None:
    tt = build(tmp_path, pareto_feed())
    assert summary(plan(tt, "A", "D", at(8))) == [(0, "09:30"), (1, "09:20"), (2, "09:00")]
    assert summary(plan(tt, "A", "D", at(8), max_transfers=1)) == [(0, "09:30"), (1, "09:20")]
    assert summary(plan(tt, "A", "D", at(8), max_transfers=0)) == [(0, "09:30")]
    assert plan(tt, "A", "D", at(8), max_travel_time=3000) == []  # nothing before 08:50


def test_at_most_five_transfers_by_default(tmp_path: Path) -> None:
    f = Feed()
    stops = [f"S{i}" for i in range(8)]
    for i in range(7):
        f.trip(
            f"t{i}",
            (stops[i], 8 * H + 600 * i),
            (stops[i + 1], 8 * H + 600 * i + 300),
            route=f"L{i}",
        )
    tt = build(tmp_path, f)
    assert summary(plan(tt, "S0", "S6", at(8))) == [(5, "08:55")]
    assert plan(tt, "S0", "S7", at(8)) == []  # would need 6 transfers
    assert summary(plan(tt, "S0", "S7", at(8), max_transfers=6)) == [(6, "09:05")]


def test_overtaking_trips_are_split_into_fifo_routes(tmp_path: Path) -> None:
    f = Feed()
    f.trip("omnibus", ("A", "08:00:00"), ("B", "08:20:00"), ("C", "09:00:00"))
    f.trip("express", ("A", "08:05:00"), ("B", "08:15:00"), ("C", "08:30:00"))
    f.trip("later", ("A", "08:10:00"), ("B", "08:30:00"), ("C", "09:10:00"))
    tt = build(tmp_path, f)
    assert tt.n_routes == 2
    assert summary(plan(tt, "A", "C", at(7, 55))) == [(0, "08:30")]
    assert summary(plan(tt, "B", "C", at(8, 16))) == [(0, "09:00")]


def test_routes_not_fifo_across_midnight_are_scanned_day_by_day(tmp_path: Path) -> None:
    f = Feed()
    # 23:50 -> 24:40 on one day, 00:05 -> 00:20 the next: the later trip arrives first
    f.trip("night", ("A", "23:50:00"), ("B", "24:00:00"), ("C", "24:40:00"))
    f.trip("dawn", ("A", "00:05:00"), ("B", "00:10:00"), ("C", "00:20:00"))
    tt = build(tmp_path, f)
    assert tt.route_xday_fifo.tolist() == [0]
    (j,) = plan(tt, "A", "C", at(23, 45))
    assert j.arrival == 24 * H + 1200 and j.legs[0].trip_id == "dawn"


def test_pick_up_and_drop_off_restrictions(tmp_path: Path) -> None:
    f = Feed()
    f.trip(
        "t", ("A", "08:00:00"), ("B", "08:10:00"), ("C", "08:20:00"), pickup={1: 1}, dropoff={1: 1}
    )
    f.trip("u", ("B", "08:30:00"), ("C", "08:40:00"), route="R2")
    tt = build(tmp_path, f)
    assert plan(tt, "A", "B", at(8)) == []  # no drop-off at B
    assert summary(plan(tt, "B", "C", at(8))) == [(0, "08:40")]  # no pick-up at B on t
    assert summary(plan(tt, "A", "C", at(8))) == [(0, "08:20")]  # riding through B is fine


def test_a_departure_window(tmp_path: Path) -> None:
    f = Feed()
    for i, (dep, arr) in enumerate(
        [
            ("08:00:00", "08:40:00"),
            ("08:20:00", "08:50:00"),
            ("08:40:00", "09:30:00"),
            ("09:00:00", "09:40:00"),
            ("10:00:00", "10:40:00"),
        ]
    ):
        f.trip(f"t{i}", ("A", dep), ("B", arr))
    tt = build(tmp_path, f)
    journeys = plan(tt, "A", "B", at(8), window=3600)
    # 08:40 -> 09:30 is dominated by 09:00 -> 09:40? no: it arrives earlier; kept.
    assert [(j.departure // 60, j.arrival // 60) for j in journeys] == [
        (480, 520),
        (500, 530),
        (520, 570),
        (540, 580),
    ]
    assert [
        (j.departure // 60) for j in plan(tt, "A", "B", at(8, 30), window=timedelta(minutes=20))
    ] == [520]
    s = tt.stop_index
    assert range_search(tt, [(s["A"], 0)], [(s["B"], 0)], DAY, 8 * H, 8 * H) == [
        plan(tt, "A", "B", at(8))[0]
    ]


def test_a_feed_with_errors_still_routes_on_its_good_trips(tmp_path: Path) -> None:
    f = Feed()
    f.trip("broken", ("A", "08:00:00"), ("B", "07:00:00"))
    f.trip("good", ("A", "09:00:00"), ("B", "09:30:00"))
    tt = build(tmp_path, f)
    assert [p.severity for p in tt.problems] == ["error"]
    assert summary(plan(tt, "A", "B", at(8))) == [(0, "09:30")]


def test_a_departure_window_across_midnight(tmp_path: Path) -> None:
    f = Feed()
    f.trip("a", ("A", "23:40:00"), ("B", "23:55:00"))
    f.trip("b", ("A", "24:20:00"), ("B", "24:35:00"))
    f.trip("c", ("A", "00:10:00"), ("B", "00:25:00"))  # every day: 24:10 the next night
    tt = build(tmp_path, f)
    journeys = plan(tt, "A", "B", at(23, 30), window=3600)
    assert [(j.departure // 60, j.arrival // 60) for j in journeys] == [
        (1420, 1435),
        (1450, 1465),
        (1460, 1475),
    ]
    assert [j.legs[0].service_day for j in journeys] == [DAY, DAY + timedelta(days=1), DAY]
    s = tt.stop_index
    later = range_search(tt, [(s["A"], 0)], [(s["B"], 0)], DAY, 24 * H + 5 * 60, 24 * H + 900)
    assert [(j.day, j.departure // 60) for j in later] == [(DAY + timedelta(days=1), 10)]
