"""The Wi-Fi backbone through its interfaces: the real inventory in the database, coverage,
plans saved with their whole instance (re-checked here from the file alone), project link."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parvis.cli import app as cli
from parvis.kernel.auth import User
from parvis.kernel.settings import Settings
from parvis.wifi.actions import load_opendata
from tests.conftest import csrf, sign_in
from tests.test_projects_api import PROJECT

EN = {"Accept-Language": "en"}


@pytest.fixture
def inventory(app: FastAPI) -> tuple[int, int]:
    with app.state.ctx.sessions() as db:
        return load_opendata(db)


def test_the_real_inventory_loads_once(app: FastAPI, inventory: tuple[int, int]) -> None:
    sites, candidates = inventory
    assert sites == 277
    assert 7_500 < candidates < 9_000  # ~4,960 crossings + 1,465 Vélib' + 615 + 1,210
    with app.state.ctx.sessions() as db:
        assert load_opendata(db) == inventory


def test_coverage_today(client: TestClient, inventory: tuple[int, int]) -> None:
    data = client.get("/api/wifi/coverage", params={"radius": 100, "cell": 50}).json()
    assert data["sites"] < 277  # only sites in service count
    share = data["city"]["population_share"]
    assert 0.05 < share < 0.11, share  # the research note measured 7.9 % at 100 m
    assert len(data["by_arrondissement"]) == 20
    assert len(data["by_quartier"]) == 80
    wider = client.get("/api/wifi/coverage", params={"radius": 150, "cell": 50}).json()
    assert wider["city"]["population_share"] > share
    assert client.get("/api/wifi/coverage", params={"radius": -5}).status_code == 422
    cells = client.get("/api/wifi/coverage/cells", params={"cell": 300}).json()
    assert any(f["properties"]["covered"] for f in cells["features"])
    assert not all(f["properties"]["covered"] for f in cells["features"])


def _recheck(document: dict[str, Any]) -> float:
    """The covered weight of the saved choice, from the exported document alone."""
    instance = document["instance"]
    weight = instance["cells"]["weight"]
    ids = [c["id"] for c in instance["candidates"]]
    chosen = {ids.index(c) for c in document["solution"]["chosen"]}
    cover, fixed = instance["cover"], instance["fixed"]
    total = 0.0
    for cell, w in enumerate(weight):
        reached = fixed["ptr"][cell + 1] > fixed["ptr"][cell] or any(
            c in chosen for c in cover["index"][cover["ptr"][cell] : cover["ptr"][cell + 1]]
        )
        total += w if reached else 0.0
    return total


def test_a_plan_is_saved_with_an_instance_anyone_can_recheck(
    client: TestClient,
    staff: User,
    resident: User,
    api_token: Callable[[User], dict[str, str]],
    inventory: tuple[int, int],
) -> None:
    body = {"title": "Cinquante bornes", "new_sites": 50, "radius_m": 100, "cell_m": 200}
    assert client.post("/api/wifi/plans", json=body).status_code == 401
    assert client.post("/api/wifi/plans", json=body, headers=api_token(resident)).status_code == 403
    response = client.post("/api/wifi/plans", json=body, headers=api_token(staff))
    assert response.status_code == 201, response.text
    plan = response.json()
    summary = plan["summary"]
    assert summary["status"] == "optimal"
    assert summary["new_sites"] == 50
    assert summary["covered_share"] > summary["baseline_share"]
    assert summary["gap"] is not None and summary["gap"] <= 1e-6
    assert len(plan["by_arrondissement"]) == 20
    assert plan["curve"][0] == [0.0, pytest.approx(summary["baseline_share"])]
    assert plan["curve"][-1][0] == 50

    document = client.get(plan["links"]["instance"]).json()
    assert len(document["solution"]["chosen"]) == 50
    assert _recheck(document) == pytest.approx(summary["objective"], rel=1e-9)
    assert {int(c) for c in document["solution"]["chosen"]} == set(plan["chosen"])

    sites = client.get(plan["links"]["sites"]).json()
    assert len(sites["features"]) == 50
    csv_text = client.get(plan["links"]["csv"]).text
    assert len(csv_text.strip().splitlines()) == 51


def test_bad_plans_are_refused_and_an_unreachable_target_says_so(
    client: TestClient,
    staff: User,
    api_token: Callable[[User], dict[str, str]],
    inventory: tuple[int, int],
) -> None:
    headers = {**api_token(staff), **EN}
    for body in (
        {"title": "Rayon négatif", "new_sites": 5, "radius_m": -5},
        {"title": "Rayon absurde", "new_sites": 5, "radius_m": 50_000},
        {"title": "Sans nombre", "mode": "max_cover"},
        {"title": "Cible", "mode": "set_cover", "target_share": 1.5},
        {"title": "x", "new_sites": 5},
    ):
        response = client.post("/api/wifi/plans", json=body, headers=headers)
        assert response.status_code == 422, body
    response = client.post(
        "/api/wifi/plans",
        json={
            "title": "Tout couvrir avec les fontaines",
            "mode": "set_cover",
            "target_share": 1.0,
            "kinds": ["fountain"],
            "radius_m": 50,
            "cell_m": 200,
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    summary = response.json()["summary"]
    assert summary["status"] == "infeasible"
    assert 0 < summary["best_reachable_share"] < 1
    assert "%" in summary["message"] or "reach" in summary["message"]


def test_a_plan_becomes_a_tool_and_an_objective_of_a_project(
    client: TestClient,
    staff: User,
    api_token: Callable[[User], dict[str, str]],
    inventory: tuple[int, int],
    territory: None,
) -> None:
    headers = api_token(staff)
    project = client.post("/api/projects", json=PROJECT, headers=headers).json()
    plan = client.post(
        "/api/wifi/plans",
        json={"title": "Wi-Fi des places", "new_sites": 20, "cell_m": 200},
        headers=headers,
    ).json()
    missing = client.put(
        f"/api/wifi/plans/{plan['id']}/project", json={"project_id": 99_999}, headers=headers
    )
    assert missing.status_code == 404
    response = client.put(
        f"/api/wifi/plans/{plan['id']}/project", json={"project_id": project["id"]}, headers=headers
    )
    assert response.status_code == 200, response.text
    page = client.get(f"/projects/{project['id']}")
    assert f"/wifi/plans/{plan['id']}" in page.text
    assert "Wi-Fi des places" in page.text
    objectives = client.get(f"/api/projects/{project['id']}").json()["objectives"]
    wifi = [o for o in objectives if "Wi-Fi" in o["indicator"]]
    assert len(wifi) == 1
    assert wifi[0]["target"] == pytest.approx(round(100 * plan["summary"]["covered_share"], 1))
    assert wifi[0]["baseline"] < wifi[0]["target"]


def test_staff_upload_candidates_all_or_nothing(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = {**api_token(staff), "Content-Type": "text/csv", **EN}
    bad = "name,lat,lon\nKiosque,48.8566,2.3522\nVersailles,48.8049,2.1204\n"
    response = client.post("/api/wifi/candidates", content=bad, headers=headers)
    assert response.status_code == 422
    assert "line 3" in response.json()["detail"]
    assert client.get("/api/wifi/candidates").json()["features"] == []
    good = "name,lat,lon\nKiosque,48.8566,2.3522\nSquare,48.8600,2.3400\n"
    response = client.post("/api/wifi/candidates", content=good, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["added"] == 2
    assert len(client.get("/api/wifi/candidates").json()["features"]) == 2


def test_pages_and_the_staff_form(
    client: TestClient, staff: User, inventory: tuple[int, int]
) -> None:
    page = client.get("/wifi", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert page.text.count('<th scope="row">') >= 20 + 80
    assert client.get("/wifi/plans/new", follow_redirects=False).status_code in (303, 401, 403)
    sign_in(client, staff)
    form = client.get("/wifi/plans/new")
    assert form.status_code == 200
    refused = client.post(
        "/wifi/plans",
        data={"csrf_token": csrf(client), "title": "Trop", "mode": "max_cover", "radius_m": "-3"},
    )
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    done = client.post(
        "/wifi/plans",
        data={
            "csrf_token": csrf(client),
            "title": "Dix bornes",
            "mode": "max_cover",
            "new_sites": "10",
            "radius_m": "100",
            "kinds": ["crossing", "velib"],
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    plan_page = client.get(done.headers["location"])
    assert plan_page.status_code == 200
    assert "Dix bornes" in plan_page.text
    listing = client.get("/wifi/plans", params={"compare": ["1"]})
    assert "Dix bornes" in listing.text


def test_cli_plan_json(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, inventory: tuple[int, int]
) -> None:
    monkeypatch.setenv("PARVIS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PARVIS_STORAGE_URL", settings.storage_url)
    runner = CliRunner()
    result = runner.invoke(
        cli, ["wifi", "plan", "--new-sites", "10", "--radius", "100", "--cell", "200", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["new_sites"] == 10
    assert data["covered_share"] > data["baseline_share"]
    assert {"objective", "bound", "gap", "seconds", "status"} <= set(data)
    coverage = runner.invoke(cli, ["wifi", "coverage", "--radius", "100", "--json"])
    assert coverage.exit_code == 0, coverage.output
    assert json.loads(coverage.stdout)["city"]["population_share"] > 0
    bad = runner.invoke(cli, ["wifi", "plan", "--new-sites", "10", "--radius", "-1"])
    assert bad.exit_code == 2


def test_devices_out_of_coverage_with_their_signal(
    client: TestClient, inventory: tuple[int, int]
) -> None:
    # One device at a Wi-Fi site (Hôtel de Ville area) and one in the middle of the Bois.
    sites = client.get("/api/wifi/sites").json()["features"]
    on = next(f for f in sites if f["properties"]["operational"])
    lon, lat = on["geometry"]["coordinates"]
    body = f"id,name,lat,lon\na,near,{lat},{lon}\nb,bois,48.8627,2.2525\n"
    response = client.post(
        "/api/wifi/coverage/devices",
        content=body,
        headers={"Content-Type": "text/csv"},
        params={"radius": 100},
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["devices"], data["covered"]) == (2, 1)
    (far,) = data["out_of_coverage"]
    assert far["device"] == "b"
    assert far["distance_m"] > 100
    assert far["signal_dbm"] < -60
    bad = client.post(
        "/api/wifi/coverage/devices",
        content="id,lat,lon\nx,91,2\n",
        headers={"Content-Type": "text/csv", **EN},
    )
    assert bad.status_code == 422


def test_staff_add_sites_by_hand_and_by_geojson(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = {**api_token(staff), **EN}
    one = {"name": "Kiosque du square", "lat": 48.8566, "lon": 2.3522, "access_points": 2}
    assert client.post("/api/wifi/sites", json=one, headers=headers).status_code == 201
    outside = {**one, "lat": 48.81, "lon": 2.21}  # in the box, outside the city
    response = client.post("/api/wifi/sites", json=outside, headers=headers)
    assert response.status_code == 422
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "A"},
             "geometry": {"type": "Point", "coordinates": [2.35, 48.86]}},
            {"type": "Feature", "properties": {"name": "B"},
             "geometry": {"type": "Point", "coordinates": [2.36, 48.87]}},
        ],
    }  # fmt: skip
    response = client.post(
        "/api/wifi/sites/import",
        content=json.dumps(collection),
        headers={**headers, "Content-Type": "application/geo+json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["added"] == 2
    assert len(client.get("/api/wifi/sites").json()["features"]) == 3
    broken = {**collection, "features": [{"type": "Feature", "geometry": None}]}
    response = client.post(
        "/api/wifi/sites/import",
        content=json.dumps(broken),
        headers={**headers, "Content-Type": "application/geo+json"},
    )
    assert response.status_code == 422
    assert len(client.get("/api/wifi/sites").json()["features"]) == 3
