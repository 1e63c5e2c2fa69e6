"""The multimodal planner on hand-made networks, with times, distances and CO2 worked out by
hand (straight lines times the detour factor, at the mode's speed, rounded up)."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from parvis.mobility.planning import (
    EMISSION_G_PER_PKM,
    BikeStation,
    Network,
    Place,
    PlannedJourney,
    PlanningError,
    PointIndex,
    Preferences,
    circle_polygon,
    haversine_m,
    isochrone,
    isochrone_geojson,
    mode_of_route_type,
    plan,
)
from parvis.mobility.planning.ranking import select
from parvis.mobility.routing import Timetable, load_timetable

DAY = date(2017, 1, 12)
R = 6_371_008.8
M_PER_DEG = math.pi / 180 * R


def at(hms: str, day: date = DAY) -> datetime:
    h, m, s = (int(x) for x in hms.split(":"))
    return datetime(day.year, day.month, day.day, h, m, s)


def walk_s(metres: float) -> int:
    return math.ceil(metres * 1.3 / 1.25)


def bike_s(metres: float) -> int:
    return math.ceil(metres * 1.3 / 4.2)


# --------------------------------------------------------------------------------------------
# A small GTFS written by the test: stops on one parallel, routes with their route_type.


@dataclass
class Gtfs:
    stops: dict[str, tuple[float, float]] = field(default_factory=dict)
    routes: dict[str, int] = field(default_factory=dict)  # route -> route_type
    trips: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    stop_wheelchair: dict[str, int] = field(default_factory=dict)
    trip_wheelchair: dict[str, int] = field(default_factory=dict)
    transfers: list[tuple[str, str, int]] = field(default_factory=list)

    def trip(self, trip_id: str, route: str, *times: tuple[str, str]) -> Gtfs:
        self.trips.append((trip_id, route, list(times)))
        return self

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        stop_rows: list[list[object]] = [
            [s, s, lat, lon, 0, "", self.stop_wheelchair.get(s, "")]
            for s, (lat, lon) in self.stops.items()
        ]
        files: dict[str, tuple[list[str], list[list[object]]]] = {
            "agency.txt": (
                ["agency_id", "agency_name", "agency_url", "agency_timezone"],
                [["A", "Agency", "https://example.org", "Europe/Paris"]],
            ),
            "stops.txt": (
                [
                    "stop_id",
                    "stop_name",
                    "stop_lat",
                    "stop_lon",
                    "location_type",
                    "parent_station",
                    "wheelchair_boarding",
                ],
                stop_rows,
            ),
            "routes.txt": (
                ["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"],
                [[r, "A", r, f"Line {r}", t] for r, t in self.routes.items()],
            ),
            "trips.txt": (
                ["route_id", "service_id", "trip_id", "wheelchair_accessible"],
                [[r, "all", t, self.trip_wheelchair.get(t, "")] for t, r, _ in self.trips],
            ),
            "stop_times.txt": (
                ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
                [
                    [t, hms, hms, s, i + 1]
                    for t, _, times in self.trips
                    for i, (s, hms) in enumerate(times)
                ],
            ),
            "calendar.txt": (
                [
                    "service_id",
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday",
                    "start_date",
                    "end_date",
                ],
                [["all", 1, 1, 1, 1, 1, 1, 1, "20170101", "20171231"]],
            ),
            "transfers.txt": (
                ["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"],
                [[a, b, 2, secs] for a, b, secs in self.transfers],
            ),
        }
        for name, (header, rows) in files.items():
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
            (folder / name).write_text(buf.getvalue(), encoding="utf-8")
        return folder


LAT = 48.85
A = (LAT, 2.30)
B = (LAT, 2.33)
C = (LAT, 2.36)
ORIGIN = Place(LAT - 0.002, 2.30, "Home")  # 222 m south of A
DEST = Place(LAT + 0.002, 2.36, "Office")  # 222 m north of C
NEAR_M = 0.002 * M_PER_DEG


def small_gtfs() -> Gtfs:
    """A metro A->B and a tram B->C (a transfer at B), and a slow bus A->C."""
    g = Gtfs(
        stops={"A": A, "B": B, "C": C, "Z": (48.0, 1.0)},
        routes={"M": 1, "T": 0, "BUS": 3, "ZZ": 3},
    )
    g.trip("M0", "M", ("A", "07:05:00"), ("B", "07:12:00"))
    g.trip("T0", "T", ("B", "07:15:00"), ("C", "07:20:00"))
    g.trip("M1", "M", ("A", "08:05:00"), ("B", "08:12:00"))
    g.trip("T1", "T", ("B", "08:15:00"), ("C", "08:20:00"))
    g.trip("M2", "M", ("A", "08:20:00"), ("B", "08:27:00"))
    g.trip("T2", "T", ("B", "08:30:00"), ("C", "08:35:00"))
    g.trip("BUS1", "BUS", ("A", "08:06:00"), ("C", "08:40:00"))
    g.trip("Z1", "ZZ", ("Z", "08:00:00"), ("Z", "08:10:00"))  # elsewhere, for nothing
    return g


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Network:
    folder = small_gtfs().write(tmp_path_factory.mktemp("small"))
    return Network(load_timetable(folder, date_range=(DAY, DAY + timedelta(days=1))))


def transit_prefs(**kw: object) -> Preferences:
    return Preferences(modes=frozenset({"transit", "walk"}), **kw)  # type: ignore[arg-type]


def check_consistent(j: PlannedJourney, origin: Place, destination: Place) -> None:
    """What every journey must satisfy: contiguous legs from the origin to the destination,
    totals that add up, bike-share stations that had a bike and a dock."""
    if not j.legs:
        assert j.departure == j.arrival
        return
    assert j.legs[0].from_place == origin
    assert j.legs[-1].to_place == destination
    assert j.legs[0].departure == j.departure
    assert j.legs[-1].arrival == j.arrival
    assert j.duration_s == (j.arrival - j.departure).total_seconds()
    for a, b in zip(j.legs, j.legs[1:], strict=False):
        assert a.arrival == b.departure, (a, b)
        assert a.to_place == b.from_place
    for leg in j.legs:
        assert leg.departure <= leg.arrival
        assert leg.co2_g == pytest.approx(leg.distance_m * EMISSION_G_PER_PKM[leg.mode] / 1000)
        if leg.mode == "bikeshare":
            assert leg.pickup_station is not None and leg.dropoff_station is not None
            assert leg.pickup_station.bikes_available >= 1 and leg.pickup_station.is_renting
            assert leg.dropoff_station.docks_available >= 1 and leg.dropoff_station.is_returning
        if leg.stops:
            assert leg.stops[0].departure == leg.departure
            assert leg.stops[-1].arrival == leg.arrival
    rides = [leg for leg in j.legs if leg.is_transit]
    assert j.transfers == max(len(rides) - 1, 0)
    assert j.co2_g == pytest.approx(sum(leg.co2_g for leg in j.legs))
    assert j.walk_m == pytest.approx(sum(x.distance_m for x in j.legs if x.mode == "walk"))
    straight = haversine_m(origin.lat, origin.lon, destination.lat, destination.lon)
    assert j.car_distance_m == pytest.approx(straight * 1.3)
    assert j.car_co2_g == pytest.approx(straight * 1.3 * 142.25 / 1000)


# --------------------------------------------------------------------------------------------
# Public transport with walking access and egress


def test_walk_ride_walk_has_the_times_computed_by_hand(small: Network) -> None:
    journeys = plan(small, ORIGIN, DEST, at("08:00:00"), transit_prefs())
    best = journeys[0]
    access = walk_s(NEAR_M)  # 222.4 m * 1.3 / 1.25 m/s = 231.3 -> 232 s
    assert access == 232
    assert [leg.mode for leg in best.legs] == ["walk", "metro", "wait", "tram", "walk"]
    walk_in, metro, wait, tram, walk_out = best.legs
    assert walk_in.departure == at("08:05:00") - timedelta(seconds=access)
    assert walk_in.arrival == metro.departure == at("08:05:00")
    assert metro.arrival == at("08:12:00") == wait.departure
    assert wait.arrival == tram.departure == at("08:15:00")
    assert tram.arrival == at("08:20:00")
    assert walk_out.arrival == at("08:20:00") + timedelta(seconds=access)
    assert best.departure == at("08:01:08") and best.arrival == at("08:23:52")
    assert best.transfers == 1
    assert (metro.route_id, metro.route_name, metro.trip_id) == ("M", "M", "M1")
    assert [s.stop_id for s in metro.stops] == ["A", "B"]
    assert metro.geometry == (A, B)
    assert walk_in.distance_m == pytest.approx(NEAR_M * 1.3)
    assert best.walk_m == pytest.approx(2 * NEAR_M * 1.3)
    check_consistent(best, ORIGIN, DEST)
    for j in journeys:
        check_consistent(j, ORIGIN, DEST)


def test_departures_of_the_window_and_pareto(small: Network) -> None:
    journeys = plan(small, ORIGIN, DEST, at("08:00:00"), transit_prefs())
    seen = [(j.departure.time().isoformat(), j.modes) for j in journeys]
    # The bus (08:02:08 -> 08:43:52) is dominated by the 08:20 metro, which leaves later,
    # arrives earlier (08:38:52) and costs less.
    assert seen == [
        ("08:01:08", ("walk", "metro", "tram")),
        ("08:16:08", ("walk", "metro", "tram")),
    ]
    costs = [j.cost for j in journeys]
    assert costs == sorted(costs)
    # A window of 5 minutes: the 08:20 metro is out of it, and the bus is back.
    short = plan(small, ORIGIN, DEST, at("08:00:00"), transit_prefs(window_s=300))
    assert {j.departure for j in short} == {at("08:01:08"), at("08:02:08")}


def test_cost_formula_and_a_high_transfer_penalty_prefers_the_direct_ride(
    small: Network,
) -> None:
    prefs = transit_prefs(window_s=300)
    first, second = plan(small, ORIGIN, DEST, at("08:00:00"), prefs)
    assert first.modes == ("walk", "metro", "tram")
    assert second.modes == ("walk", "bus")
    ab = haversine_m(*A, *B)
    bc = haversine_m(*B, *C)
    ac = haversine_m(*A, *C)
    co2 = (ab * 4.44 + bc * 4.28) / 1000
    assert first.co2_g == pytest.approx(co2)
    slack = 68  # left home at 08:01:08 for 08:00 asked
    expected = (
        1.0 * (7 + 5) * 60  # in vehicle
        + 1.2 * 2 * 232  # walking
        + 1.5 * 3 * 60  # waiting at B
        + 300  # one transfer
        + 180 * co2 / 1000
        + 0.25 * slack
    )
    assert first.cost == pytest.approx(expected)
    assert second.co2_g == pytest.approx(ac * 122.42 / 1000)
    assert second.cost == pytest.approx(
        34 * 60 + 1.2 * 2 * 232 + 180 * second.co2_g / 1000 + 0.25 * 128
    )
    # An hour's penalty per transfer: the bus ride is better.
    averse = plan(small, ORIGIN, DEST, at("08:00:00"), replace(prefs, transfer_penalty_s=3600))
    assert [j.modes for j in averse] == [("walk", "bus"), ("walk", "metro", "tram")]
    # Valuing CO2 very highly prefers the electric metro and tram even more.
    green = plan(small, ORIGIN, DEST, at("08:00:00"), replace(prefs, co2_weight_s_per_kg=1e5))
    assert green[0].modes == ("walk", "metro", "tram")


def test_co2_is_distance_times_factor_and_beside_the_car(small: Network) -> None:
    j = plan(small, ORIGIN, DEST, at("08:00:00"), transit_prefs())[0]
    metro = j.legs[1]
    assert metro.distance_m == pytest.approx(haversine_m(*A, *B))
    assert metro.co2_g == pytest.approx(metro.distance_m * 4.44 / 1000)
    assert j.legs[0].co2_g == 0.0
    straight = haversine_m(ORIGIN.lat, ORIGIN.lon, DEST.lat, DEST.lon)
    assert j.car_distance_m == pytest.approx(straight * 1.3)
    assert j.car_co2_g == pytest.approx(straight * 1.3 * 0.14225)
    assert j.co2_saved_g == pytest.approx(j.car_co2_g - j.co2_g)
    assert j.co2_g < j.car_co2_g / 20


def test_arrive_by_returns_journeys_arriving_in_time_latest_departure_first(
    small: Network,
) -> None:
    journeys = plan(small, ORIGIN, DEST, at("08:30:00"), transit_prefs(arrive_by=True))
    assert journeys
    assert all(j.arrival <= at("08:30:00") for j in journeys)
    assert [j.departure for j in journeys] == sorted((j.departure for j in journeys), reverse=True)
    assert journeys[0].departure == at("08:01:08")
    assert journeys[0].arrival == at("08:23:52")
    assert at("07:01:08") in {j.departure for j in journeys}
    for j in journeys:
        check_consistent(j, ORIGIN, DEST)
    # Too early for any ride: nothing.
    assert plan(small, ORIGIN, DEST, at("07:10:00"), transit_prefs(arrive_by=True)) == []


def test_origin_stop_id_means_no_walk(small: Network) -> None:
    origin = replace(small.place_of_stop("A"), name="A")
    j = plan(small, origin, DEST, at("08:00:00"), transit_prefs(window_s=0))[0]
    assert j.legs[0].mode == "metro"
    assert j.departure == at("08:05:00")
    assert small.place_of_stop("A") == Place(*A, "A", "A")


def test_timetable_only_uses_stop_ids_and_no_walking(small: Network) -> None:
    prefs = transit_prefs(timetable_only=True, window_s=0)
    a, c = small.place_of_stop("A"), small.place_of_stop("C")
    journeys = plan(small, a, c, at("08:00:00"), prefs)
    assert [[leg.mode for leg in j.legs] for j in journeys] == [
        ["metro", "wait", "tram"],
        ["bus"],
    ]
    assert journeys[0].departure == at("08:05:00")
    assert journeys[0].arrival == at("08:20:00")
    with pytest.raises(PlanningError, match="stop id"):
        plan(small, ORIGIN, c, at("08:00:00"), prefs)


def test_origin_equal_to_destination(small: Network) -> None:
    journeys = plan(small, ORIGIN, ORIGIN, at("08:00:00"))
    assert len(journeys) == 1
    j = journeys[0]
    assert j.legs == () and j.duration_s == 0 and j.co2_g == 0 and j.car_co2_g == 0
    assert j.departure == j.arrival == at("08:00:00")


def test_unreachable_gives_no_journey(small: Network) -> None:
    far = Place(47.5, 1.5, "Nowhere")
    assert plan(small, ORIGIN, far, at("08:00:00")) == []
    # After the last trip of the day: nothing either (the next morning is past 4 h).
    assert plan(small, ORIGIN, DEST, at("20:00:00"), transit_prefs()) == []


def test_days_outside_the_timetable_raise(small: Network) -> None:
    with pytest.raises(PlanningError, match=r"2016-06-01.*2017-01-12 to 2017-01-13"):
        plan(small, ORIGIN, DEST, datetime(2016, 6, 1, 8, 0))
    with pytest.raises(PlanningError):
        isochrone(small, ORIGIN, datetime(2018, 1, 1, 8, 0), 30)
    assert issubclass(PlanningError, ValueError)


def test_aware_times_are_converted_and_given_back_aware(small: Network) -> None:
    when = datetime(2017, 1, 12, 7, 0, tzinfo=UTC)  # 08:00 in Paris (winter)
    j = plan(small, ORIGIN, DEST, when, transit_prefs())[0]
    assert j.departure.utcoffset() == timedelta(hours=1)
    assert j.departure.replace(tzinfo=None) == at("08:01:08")


def test_direct_walk_when_short_enough(small: Network) -> None:
    near = Place(LAT - 0.002, 2.31, "Bakery")  # 731 m east of home
    journeys = plan(small, ORIGIN, near, at("08:00:00"))
    assert [j.modes for j in journeys] == [("walk",)]
    metres = haversine_m(ORIGIN.lat, ORIGIN.lon, near.lat, near.lon)
    assert journeys[0].duration_s == walk_s(metres)
    assert journeys[0].walk_m == pytest.approx(metres * 1.3)
    assert journeys[0].co2_g == 0
    # Walking is a mode one can turn off; nothing else goes there.
    assert plan(small, ORIGIN, near, at("08:00:00"), Preferences(modes=frozenset())) == []


def test_own_bike_direct_and_as_access(small: Network) -> None:
    prefs = Preferences(modes=frozenset({"transit", "bike"}), window_s=300)
    journeys = plan(small, ORIGIN, DEST, at("08:00:00"), prefs)
    kinds = {j.modes for j in journeys}
    assert ("bike",) in kinds
    direct = next(j for j in journeys if j.modes == ("bike",))
    metres = haversine_m(ORIGIN.lat, ORIGIN.lon, DEST.lat, DEST.lon)
    assert direct.duration_s == bike_s(metres) + 60  # parking the bike
    assert direct.bike_m == pytest.approx(metres * 1.3)
    assert direct.co2_g == pytest.approx(metres * 1.3 * 0.17 / 1000)
    for j in journeys:
        check_consistent(j, ORIGIN, DEST)
    # Biking to B (2.2 km) beats walking to A then riding the metro: bike and ride.
    to_b = [j for j in journeys if j.legs[0].mode == "bike" and len(j.legs) > 1]
    assert to_b and to_b[0].legs[0].to_place.stop_id == "B"
    assert to_b[0].legs[1].mode == "tram"


# --------------------------------------------------------------------------------------------
# Bike share


def station(sid: str, lat: float, lon: float, bikes: int, docks: int, **kw: bool) -> BikeStation:
    return BikeStation(sid, f"Station {sid}", lat, lon, bikes, docks, operator="Vélib'", **kw)


STATIONS = [
    station("empty", ORIGIN.lat + 0.0003, ORIGIN.lon, 0, 20),
    station("closed", ORIGIN.lat + 0.0004, ORIGIN.lon, 5, 20, is_renting=False),
    station("ok", ORIGIN.lat + 0.0010, ORIGIN.lon, 3, 10),
    station("full", DEST.lat - 0.0003, DEST.lon, 12, 0),
    station("noreturn", DEST.lat - 0.0004, DEST.lon, 1, 9, is_returning=False),
    station("dock", DEST.lat - 0.0008, DEST.lon, 2, 4),
]


def test_bikeshare_skips_empty_and_full_stations(small: Network) -> None:
    net = Network(small.timetable, STATIONS)
    prefs = Preferences(modes=frozenset({"bikeshare"}))
    journeys = plan(net, ORIGIN, DEST, at("08:00:00"), prefs)
    assert len(journeys) == 1
    j = journeys[0]
    assert [leg.mode for leg in j.legs] == ["walk", "bikeshare", "walk"]
    walk_in, ride, walk_out = j.legs
    assert ride.pickup_station is not None and ride.pickup_station.station_id == "ok"
    assert ride.dropoff_station is not None and ride.dropoff_station.station_id == "dock"
    ok, dock = STATIONS[2], STATIONS[5]
    d1 = haversine_m(ORIGIN.lat, ORIGIN.lon, ok.lat, ok.lon)
    d2 = haversine_m(ok.lat, ok.lon, dock.lat, dock.lon)
    d3 = haversine_m(dock.lat, dock.lon, DEST.lat, DEST.lon)
    assert walk_in.duration_s == walk_s(d1)
    assert ride.duration_s == bike_s(d2) + 60 + 60  # unlock, dock
    assert walk_out.duration_s == walk_s(d3)
    assert j.departure == at("08:00:00")
    assert j.duration_s == walk_s(d1) + bike_s(d2) + 120 + walk_s(d3)
    assert ride.distance_m == pytest.approx(d2 * 1.3)
    assert ride.co2_g == pytest.approx(d2 * 1.3 * 10.95 / 1000)
    assert j.bike_m == pytest.approx(d2 * 1.3)
    check_consistent(j, ORIGIN, DEST)
    # No station with a bike near home: no bike share.
    no_bikes = [s for s in STATIONS if s.station_id != "ok"]
    assert plan(Network(small.timetable, no_bikes), ORIGIN, DEST, at("08:00:00"), prefs) == []


def test_bikeshare_as_access_to_public_transport(small: Network) -> None:
    # A bike near home and a dock by stop B: ride to B, take the tram.
    at_b = [
        station("home", ORIGIN.lat + 0.0005, ORIGIN.lon, 4, 1),
        station("b", B[0] + 0.0005, B[1], 0, 6),
        station("office", DEST.lat, DEST.lon + 0.02, 0, 3),  # too far to help
    ]
    net = Network(small.timetable, at_b)
    prefs = Preferences(modes=frozenset({"transit", "bikeshare"}), window_s=600)
    journeys = plan(net, ORIGIN, DEST, at("07:55:00"), prefs)
    shared = [j for j in journeys if "bikeshare" in j.modes]
    assert len(shared) == 1
    j = shared[0]
    assert [leg.mode for leg in j.legs] == ["walk", "bikeshare", "walk", "tram", "walk"]
    assert j.legs[2].to_place.stop_id == "B"
    assert j.legs[3].departure == at("08:15:00")
    home, b = at_b[0], at_b[1]
    seconds = (
        walk_s(haversine_m(ORIGIN.lat, ORIGIN.lon, home.lat, home.lon))
        + bike_s(haversine_m(home.lat, home.lon, b.lat, b.lon))
        + 120
        + walk_s(haversine_m(b.lat, b.lon, *B))
    )
    assert j.departure == at("08:15:00") - timedelta(seconds=seconds)
    # The walk to A and the metro is there too, and costs more (a transfer, a wait).
    assert ("walk", "metro", "tram") in {x.modes for x in journeys}
    assert journeys[0] is j
    for x in journeys:
        check_consistent(x, ORIGIN, DEST)


# --------------------------------------------------------------------------------------------
# Wheelchair


def test_wheelchair_needs_a_wheelchair_timetable(small: Network, tmp_path: Path) -> None:
    prefs = transit_prefs(wheelchair=True, window_s=300)
    with pytest.raises(PlanningError, match="wheelchair"):
        plan(small, ORIGIN, DEST, at("08:00:00"), prefs)
    g = small_gtfs()
    g.trip_wheelchair = {"M1": 2}  # the 08:05 metro has steps
    g.stop_wheelchair = {"A": 1, "B": 1, "C": 1}
    tt = load_timetable(g.write(tmp_path / "wc"), date_range=(DAY, DAY), wheelchair=True)
    journeys = plan(Network(tt), ORIGIN, DEST, at("08:00:00"), prefs)
    assert journeys
    assert all(leg.trip_id != "M1" for j in journeys for leg in j.legs)
    assert journeys[0].departure == at("08:02:08")  # the bus, which has no steps


# --------------------------------------------------------------------------------------------
# Isochrones


def test_isochrone_minutes_and_geojson(small: Network) -> None:
    reached = isochrone(small, ORIGIN, at("08:00:00"), 25, transit_prefs())
    assert reached == [
        ("A", "A", *A, 4),  # walked: 232 s
        ("B", "B", *B, 12),
        ("C", "C", *C, 20),
    ]
    assert isochrone(small, ORIGIN, at("08:00:00"), 15, transit_prefs())[-1][0] == "B"
    geo = isochrone_geojson(reached, 25, origin=ORIGIN)
    assert geo["type"] == "FeatureCollection"
    points = [f for f in geo["features"] if f["geometry"]["type"] == "Point"]
    polygons = [f for f in geo["features"] if f["geometry"]["type"] == "Polygon"]
    assert [p["properties"]["minutes"] for p in points] == [4, 12, 20]
    assert points[0]["geometry"]["coordinates"] == [A[1], A[0]]
    assert len(polygons) == 4
    ring = polygons[0]["geometry"]["coordinates"][0]
    assert len(ring) == 17 and ring[0] == ring[-1]
    radius = 21 * 60 * 1.25 / 1.3  # 21 minutes left at A
    for lon, lat in ring[:-1]:
        assert haversine_m(A[0], A[1], lat, lon) == pytest.approx(radius, rel=1e-6)
    assert json.loads(json.dumps(geo)) == geo
    assert len(isochrone_geojson(reached, 25, circles=False)["features"]) == 3


# --------------------------------------------------------------------------------------------
# Pieces


def test_point_index_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    lat = 48.8 + rng.random(1500) * 0.2
    lon = 2.2 + rng.random(1500) * 0.3
    lat[5] = np.nan
    index = PointIndex(lat, lon)
    for k in range(20):
        q_lat, q_lon = float(lat[k * 7 + 1]), float(lon[k * 3])
        idx, dist = index.within(q_lat, q_lon, 800.0)
        brute = [
            (i, haversine_m(q_lat, q_lon, float(lat[i]), float(lon[i])))
            for i in range(1500)
            if np.isfinite(lat[i])
        ]
        want = sorted((d, i) for i, d in brute if d <= 800.0)
        assert [i for _, i in want] == idx.tolist()
        assert dist.tolist() == pytest.approx([d for d, _ in want])
    assert len(index.within(48.9, 2.3, -1)[0]) == 0


def test_geometry_helpers() -> None:
    # One degree of latitude on the mean sphere.
    assert haversine_m(48.0, 2.0, 49.0, 2.0) == pytest.approx(M_PER_DEG)
    many = haversine_m(48.0, 2.0, np.array([49.0, 48.0, np.nan]), np.array([2.0, 2.0, 2.0]))
    assert many[:2].tolist() == pytest.approx([M_PER_DEG, 0.0])
    assert np.isnan(many[2])
    ring = circle_polygon(48.85, 2.35, 500.0, 16)
    assert len(ring) == 17
    assert all(haversine_m(48.85, 2.35, a, b) == pytest.approx(500.0) for a, b in ring)


@pytest.mark.parametrize(
    ("route_type", "mode"),
    [
        (0, "tram"),
        (1, "metro"),
        (2, "suburban_rail"),
        (3, "bus"),
        (4, "ferry"),
        (6, "cable"),
        (7, "cable"),
        (11, "trolleybus"),
        (12, "metro"),
        (101, "high_speed_rail"),
        (102, "intercity_rail"),
        (106, "regional_rail"),
        (109, "suburban_rail"),
        (200, "coach"),
        (401, "metro"),
        (700, "bus"),
        (800, "trolleybus"),
        (900, "tram"),
        (1000, "ferry"),
        (1300, "cable"),
        (1400, "cable"),
        (1700, "bus"),
        (99, "bus"),
    ],
)
def test_route_types_map_to_modes(route_type: int, mode: str) -> None:
    assert mode_of_route_type(route_type) == mode
    assert mode in EMISSION_G_PER_PKM


def test_ademe_factors() -> None:
    f = EMISSION_G_PER_PKM
    assert (f["walk"], f["bike"], f["bikeshare"]) == (0.0, 0.17, 10.95)
    assert (f["metro"], f["tram"], f["suburban_rail"]) == (4.44, 4.28, 9.78)
    assert (f["regional_rail"], f["bus"], f["car"]) == (27.69, 122.42, 142.25)
    # Collective and soft modes emit less than a car with one person on board.
    assert all(v < f["car"] for k, v in f.items() if k != "car")


def test_preferences_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown modes"):
        Preferences(modes=frozenset({"car"}))
    with pytest.raises(ValueError, match="walk_speed_m_s"):
        Preferences(walk_speed_m_s=0)
    with pytest.raises(ValueError, match="detour"):
        Preferences(bike_detour=0.5)
    with pytest.raises(PlanningError):
        Place(float("nan"), 2.0)
    with pytest.raises(PlanningError):
        Place(91.0, 2.0)


def test_network_is_cheap_to_rebuild_with_new_station_status(small: Network) -> None:
    tt: Timetable = small.timetable
    net = Network(tt, STATIONS)
    again = Network(tt, [replace(s, bikes_available=0) for s in STATIONS])
    assert net._tt is again._tt  # the timetable's indices are shared
    idx, _ = net.stations_near(ORIGIN.lat, ORIGIN.lon, 500, to_rent=True)
    assert [STATIONS[i].station_id for i in idx] == ["ok"]
    assert len(again.stations_near(ORIGIN.lat, ORIGIN.lon, 500, to_rent=True)[0]) == 0


def test_ranking_keeps_one_of_each_kind_and_drops_dominated_journeys() -> None:
    def journey(dep: int, arr: int, cost: float, *modes: str) -> PlannedJourney:
        d, a = at("08:00:00") + timedelta(minutes=dep), at("08:00:00") + timedelta(minutes=arr)
        return PlannedJourney(
            legs=(),
            departure=d,
            arrival=a,
            duration_s=int((a - d).total_seconds()),
            transfers=0,
            walk_m=0.0,
            bike_m=0.0,
            co2_g=0.0,
            car_co2_g=0.0,
            car_distance_m=0.0,
            cost=cost,
            modes=modes,
        )

    # Each train leaves 10 minutes after the previous one and arrives 10 minutes later.
    trains = [journey(10 * k, 10 * k + 30, 1000 + k, "walk", "rer") for k in range(6)]
    bikes = journey(0, 25, 1400, "bikeshare")  # arrives first
    beaten = journey(0, 31, 1001, "walk", "bus")  # the first train is better
    prefs = Preferences()
    picked = select([*trains, bikes, beaten, trains[0]], prefs)
    assert picked == [*trains[:4], bikes]  # by cost; the bike share makes the list
    too_dear = replace(bikes, cost=1501)  # more than 1.5 times the best: not put forward
    assert select([*trains, too_dear], prefs) == trains[:5]
    assert select(trains, replace(prefs, arrive_by=True)) == trains[:5][::-1]
