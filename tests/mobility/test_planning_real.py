"""The planner on the real SNCF Transilien feed (December 2016) with the real Vélib' stations
of 2025-10-18 (their live status of that morning)."""

from __future__ import annotations

import json
import time
from datetime import date, datetime

import pytest

from parvis.mobility.planning import (
    BikeStation,
    Network,
    Place,
    Preferences,
    isochrone,
    isochrone_geojson,
    plan,
)
from parvis.mobility.routing import load_timetable, query
from tests.mobility.routing_helpers import ROOT, transilien
from tests.mobility.test_planning import check_consistent
from tests.services import IN_CI

VELIB = ROOT.parent / "shared" / "data" / "mobility" / "gbfs_velib" / "2025-10-18"
DAY = date(2017, 1, 12)
GARE_DU_NORD = Place(48.8809, 2.3553, "Gare du Nord")
LA_DEFENSE = Place(48.8918, 2.2379, "La Défense")


def velib_stations() -> list[BikeStation]:
    """station_information joined with station_status, the few fields the planner needs."""
    if not VELIB.exists():
        message = f"the Vélib' snapshot is not at {VELIB}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    info = json.loads((VELIB / "station_information.json").read_text(encoding="utf-8"))
    status = json.loads((VELIB / "station_status.json").read_text(encoding="utf-8"))
    where = {s["station_id"]: s for s in info["data"]["stations"]}
    out = []
    for s in status["data"]["stations"]:
        i = where.get(s["station_id"])
        if i is None:
            continue
        out.append(
            BikeStation(
                station_id=str(s["station_id"]),
                name=i["name"],
                lat=float(i["lat"]),
                lon=float(i["lon"]),
                bikes_available=int(s["num_bikes_available"]),
                docks_available=int(s["num_docks_available"]),
                is_renting=bool(s["is_renting"]),
                is_returning=bool(s["is_returning"]),
                operator="Vélib' Métropole",
            )
        )
    return out


@pytest.fixture(scope="module")
def paris() -> Network:
    tt = load_timetable(transilien(), date_range=(DAY, DAY))
    stations = velib_stations()
    assert len(stations) == 1495
    return Network(tt, stations)


def test_gare_du_nord_to_la_defense(paris: Network) -> None:
    started = time.perf_counter()
    journeys = plan(paris, GARE_DU_NORD, LA_DEFENSE, datetime(2017, 1, 12, 8, 0))
    assert time.perf_counter() - started < 5.0
    assert 1 <= len(journeys) <= 5
    for j in journeys:
        check_consistent(j, GARE_DU_NORD, LA_DEFENSE)
        assert j.departure >= datetime(2017, 1, 12, 8, 0)
        assert j.departure <= datetime(2017, 1, 12, 9, 0)
        assert j.co2_g < j.car_co2_g
    rail = [j for j in journeys if "suburban_rail" in j.modes]
    assert rail
    shared = [j for j in journeys if "bikeshare" in j.modes]
    assert shared
    # Rides carry the stops they pass, with the timetable's times, and their line name.
    ride = next(leg for leg in rail[0].legs if leg.mode == "suburban_rail")
    assert ride.route_name in {"A", "B", "D", "E", "L", "U"}
    assert len(ride.stops) >= 2 and len(ride.geometry) == len(ride.stops)
    assert [s.arrival for s in ride.stops] == sorted(s.arrival for s in ride.stops)
    assert ride.distance_m > 2000
    # The Vélib' leg starts at a station with a bike and ends at one with a dock.
    leg = next(x for x in shared[0].legs if x.mode == "bikeshare")
    assert leg.pickup_station is not None and leg.pickup_station.bikes_available >= 1
    assert leg.dropoff_station is not None and leg.dropoff_station.docks_available >= 1
    assert leg.pickup_station.operator == "Vélib' Métropole"


def test_arrive_by_on_the_real_feed(paris: Network) -> None:
    wanted = datetime(2017, 1, 12, 9, 0)
    prefs = Preferences(arrive_by=True)
    journeys = plan(paris, GARE_DU_NORD, LA_DEFENSE, wanted, prefs)
    assert journeys
    for j in journeys:
        check_consistent(j, GARE_DU_NORD, LA_DEFENSE)
        assert j.arrival <= wanted
    assert journeys[0].arrival >= datetime(2017, 1, 12, 8, 30)


def test_timetable_only_agrees_with_the_routing_core(paris: Network) -> None:
    a = paris.place_of_stop("StopArea:DUA8727605")  # Ermont-Eaubonne
    b = paris.place_of_stop("StopArea:DUA8738400")
    prefs = Preferences(timetable_only=True, window_s=0)
    when = datetime(2017, 1, 12, 8, 0)
    journeys = plan(paris, a, b, when, prefs)
    core = query(paris.timetable, "StopArea:DUA8727605", "StopArea:DUA8738400", when)
    assert journeys and core
    assert min(j.arrival for j in journeys) == min(j.arrival_time for j in core)
    assert all(leg.mode in {"suburban_rail", "wait", "walk"} for j in journeys for leg in j.legs)


def test_isochrone_from_gare_du_nord(paris: Network) -> None:
    reached = isochrone(paris, GARE_DU_NORD, datetime(2017, 1, 12, 8, 0), 30)
    names = {name: minutes for _, name, _, _, minutes in reached}
    assert names["GARE DE PARIS NORD"] <= 3
    assert names["CHATELET LES HALLES"] <= 15
    assert all(0 <= m <= 30 for m in names.values())
    assert [r[4] for r in reached] == sorted(r[4] for r in reached)
    geo = isochrone_geojson(reached, 30, origin=GARE_DU_NORD)
    assert len(geo["features"]) > len(reached)


def test_the_velib_snapshot_is_the_expected_one() -> None:
    stations = velib_stations()
    assert sum(s.bikes_available for s in stations) == 18067
    assert sum(s.docks_available for s in stations) == 27893
