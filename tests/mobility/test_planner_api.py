"""The journey planner through its interfaces: the JSON API, the resident's page and the CLI,
on the real Transilien timetable and the real Vélib' stations of the demo."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parvis.cli import app as cli
from parvis.demo_mobility import GTFS, load_mobility
from parvis.kernel.settings import Settings
from parvis.mobility.routing import earliest_arrivals, load_timetable, query

ERMONT = "StopArea:DUA8727605"
SAINT_LAZARE = "StopArea:DUA8738400"
LA_DEFENSE = "StopArea:DUA8738221"
GARE_DU_NORD = "48.8809,2.3553"
DEFENSE_COORDS = "48.8918,2.2379"
DAY = "2017-01-12"  # a Thursday of the feed


@pytest.fixture
def demo(app: FastAPI) -> FastAPI:
    with app.state.ctx.sessions() as db:
        load_mobility(app.state.ctx, db)
    return app


def _plan(client: TestClient, **params: str) -> dict:  # type: ignore[type-arg]
    response = client.get(
        "/api/mobility/plan",
        params={"date": DAY, "time": "08:00", **params},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200, response.text
    data: dict = response.json()  # type: ignore[type-arg]
    return data


def _check_journey(journey: dict, asked: datetime) -> None:  # type: ignore[type-arg]
    legs = journey["legs"]
    assert legs
    assert datetime.fromisoformat(legs[0]["departure"]) >= asked
    for before, after in itertools.pairwise(legs):
        assert before["arrival"] <= after["departure"]
        assert before["to"]["name"] == after["from"]["name"]
    assert journey["departure"] == legs[0]["departure"]
    assert journey["arrival"] == legs[-1]["arrival"]
    assert journey["co2_g"] == pytest.approx(sum(leg["co2_g"] for leg in legs), abs=0.5)


def test_plan_between_stops_is_never_better_than_the_earliest_arrival(
    demo: FastAPI, client: TestClient
) -> None:
    data = _plan(client, **{"from": ERMONT, "to": SAINT_LAZARE})
    assert data["from"]["stop_id"] == f"sncf-transilien:{ERMONT}"
    assert data["to"]["name"] == "PARIS SAINT-LAZARE"
    assert data["journeys"], data
    asked = datetime(2017, 1, 12, 8, 0)
    for journey in data["journeys"]:
        _check_journey(journey, asked)
        assert journey["co2_g"] < journey["car"]["co2_g"]
    rides = [leg for j in data["journeys"] for leg in j["legs"] if "trip_id" in leg]
    assert rides and all(leg["operator"] == "SNCF Transilien" for leg in rides)

    # No journey can arrive before the one-to-all earliest arrival of the routing core.
    with demo.state.ctx.sessions() as db:
        network = demo.state.mobility_network.get(db)
    tt = network.timetable
    origins = [(s, 0) for s in tt.stops_of(f"sncf-transilien:{ERMONT}")]
    best = earliest_arrivals(tt, origins, date(2017, 1, 12), 8 * 3600)
    target = min(int(best[s]) for s in tt.stops_of(f"sncf-transilien:{SAINT_LAZARE}"))
    first = min(datetime.fromisoformat(j["arrival"]) for j in data["journeys"])
    assert (first - datetime(2017, 1, 12)).total_seconds() >= target


def test_plan_from_coordinates_offers_velib_and_counts_co2(
    demo: FastAPI, client: TestClient
) -> None:
    data = _plan(client, **{"from": GARE_DU_NORD, "to": DEFENSE_COORDS})
    journeys = data["journeys"]
    assert journeys
    for journey in journeys:
        _check_journey(journey, datetime(2017, 1, 12, 8, 0))
        assert journey["car"]["distance_m"] > 9000  # about 9.4 km as the crow flies
    velib = [leg for j in journeys for leg in j["legs"] if leg["mode"] == "bikeshare"]
    assert velib, [j["modes"] for j in journeys]
    for leg in velib:
        assert leg["pickup"]["bikes_available"] >= 1
        assert leg["dropoff"]["docks_available"] >= 1
        assert leg["co2_g"] < 0.1 * leg["distance_m"]  # grams, not a car's ~0.2 g/m

    only_transit = _plan(client, **{"from": GARE_DU_NORD, "to": DEFENSE_COORDS}, modes="transit")
    modes = {leg["mode"] for j in only_transit["journeys"] for leg in j["legs"]}
    assert "bikeshare" not in modes


def test_arrive_by_and_timetable_only(demo: FastAPI, client: TestClient) -> None:
    data = _plan(
        client, **{"from": ERMONT, "to": SAINT_LAZARE, "arrive_by": "true", "time": "09:00"}
    )
    assert data["journeys"]
    for journey in data["journeys"]:
        assert datetime.fromisoformat(journey["arrival"]) <= datetime(2017, 1, 12, 9, 0)
    plain = _plan(client, **{"from": ERMONT, "to": SAINT_LAZARE, "timetable_only": "true"})
    assert plain["timetable_only"] is True
    assert all(leg["mode"] != "bikeshare" for j in plain["journeys"] for leg in j["legs"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "StopArea:NOWHERE", "to": SAINT_LAZARE}, "No stop"),
        ({"from": ERMONT, "to": SAINT_LAZARE, "date": "2030-01-01"}, "2030-01-01"),
        ({"from": "10.0,10.0", "to": SAINT_LAZARE}, "outside"),
        ({"from": "91,2", "to": SAINT_LAZARE}, "latitude"),
    ],
)
def test_plan_refuses_bad_places_and_days_with_a_problem(
    demo: FastAPI, client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get(
        "/api/mobility/plan",
        params={"date": DAY, "time": "08:00", **params},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.json()["detail"]


def test_plan_validates_its_parameters(demo: FastAPI, client: TestClient) -> None:
    for params in (
        {"from": ERMONT, "to": SAINT_LAZARE, "date": "12/01/2017", "time": "08:00"},
        {"from": ERMONT, "to": SAINT_LAZARE, "date": DAY, "time": "25:00"},
        {"from": ERMONT, "to": SAINT_LAZARE, "date": DAY, "time": "08:00", "modes": "rocket"},
        {"to": SAINT_LAZARE, "date": DAY, "time": "08:00"},
        {"from": ERMONT, "to": SAINT_LAZARE, "date": DAY, "time": "08:00", "max_walk": "-1"},
    ):
        response = client.get("/api/mobility/plan", params=params)
        assert response.status_code == 422, params


def test_no_journey_is_an_answer_not_an_error(demo: FastAPI, client: TestClient) -> None:
    # Walking only, from Ermont to La Défense (13 km): no journey within the walking limits.
    data = _plan(client, **{"from": ERMONT, "to": LA_DEFENSE}, modes="walk")
    assert data["journeys"] == []
    assert data["message"]


def test_stops_and_isochrone(demo: FastAPI, client: TestClient) -> None:
    stops = client.get("/api/mobility/stops", params={"q": "saint-lazare"}).json()
    assert {"PARIS SAINT-LAZARE", "HAUSSMANN SAINT-LAZARE"} <= {s["name"] for s in stops}
    stops = client.get("/api/mobility/stops", params={"q": "Paris Saint-Lazare"}).json()
    assert stops[0]["name"] == "PARIS SAINT-LAZARE"
    assert stops[0]["id"] == f"sncf-transilien:{SAINT_LAZARE}"
    assert client.get("/api/mobility/stops", params={"q": "x"}).status_code == 422
    response = client.get(
        "/api/mobility/isochrone",
        params={"from": SAINT_LAZARE, "date": DAY, "time": "08:00", "minutes": 20},
    )
    assert response.status_code == 200, response.text
    reached = [f for f in response.json()["features"] if f["geometry"]["type"] == "Point"]
    assert len(reached) > 5
    assert all(0 <= f["properties"]["minutes"] <= 20 for f in reached)


def test_planner_page_without_javascript(demo: FastAPI, client: TestClient) -> None:
    page = client.get("/mobility", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert 'name="from"' in page.text
    assert (
        'min="2016-12-01" max="2017-06-07"' in page.text
    )  # the timetable's days bound the date field
    result = client.get(
        "/mobility",
        params={
            "from": "ermont eaubonne",
            "to": SAINT_LAZARE,
            "date": DAY,
            "time": "08:00",
            "modes": ["transit", "walk"],
        },
        headers={"Accept-Language": "fr"},
    )
    assert result.status_code == 200
    assert "ERMONT EAUBONNE" in result.text
    assert 'class="journey card"' in result.text
    assert "CO₂" in result.text
    error = client.get(
        "/mobility",
        params={"from": "nulle part", "to": SAINT_LAZARE, "date": DAY, "time": "08:00"},
    )
    assert error.status_code == 200
    assert 'role="alert"' in error.text


def test_cli_plan_timetable_only_matches_the_routing_core(
    demo: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARVIS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PARVIS_STORAGE_URL", settings.storage_url)
    result = CliRunner().invoke(
        cli,
        [
            "mobility",
            "plan",
            "--from",
            ERMONT,
            "--to",
            SAINT_LAZARE,
            "--date",
            DAY,
            "--time",
            "08:00",
            "--timetable-only",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    tt = load_timetable(GTFS, (date(2017, 1, 12), date(2017, 1, 12)))
    expected = query(tt, ERMONT, SAINT_LAZARE, datetime(2017, 1, 12, 8, 0))
    assert expected
    best = min(j.arrival_time for j in expected)
    assert min(datetime.fromisoformat(j["arrival"]) for j in data["journeys"]) == best
    for journey in data["journeys"]:
        assert journey["transfers"] >= 0
        assert all("departure" in leg and "arrival" in leg for leg in journey["legs"])


def test_cli_imports_and_refuses(
    demo: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PARVIS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PARVIS_STORAGE_URL", settings.storage_url)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip: no stops.txt
    result = CliRunner().invoke(
        cli, ["mobility", "import-gtfs", str(broken), "--operator", "sncf-transilien"]
    )
    assert result.exit_code == 1
    assert "Refused" in result.output
    assert "stops.txt" in result.output
