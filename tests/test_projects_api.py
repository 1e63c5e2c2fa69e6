"""The JSON API of projects: filters, pagination, writes by role, problem+json errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from parvis.kernel.auth import User

PROJECT = {
    "title": "Capteurs de bruit rue de Lappe",
    "summary": "Mesurer le bruit la nuit pour apaiser la rue avec les riverains.",
    "description": "## Pourquoi\nLes riverains se plaignent. <script>alert(1)</script>",
    "department": "Direction de la Prévention",
    "arrondissements": [11],
    "geometry": {"type": "Point", "coordinates": [2.3722, 48.8532]},
    "budget_eur": 120000,
    "start_date": "2027-01-01",
    "end_date": "2027-12-31",
}


def create(client: TestClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post("/api/projects", json=PROJECT | changes, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_staff_creates_a_project_that_anyone_can_read(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    created = create(client, api_token(staff))
    assert created["status"] == "idea"
    assert created["arrondissements"] == [11]
    read = client.get(f"/api/projects/{created['id']}")
    assert read.status_code == 200
    assert read.json()["title"] == PROJECT["title"]
    assert read.json()["status_history"][0]["to_status"] == "idea"
    assert client.post("/api/projects", json=PROJECT).status_code == 401


def test_a_resident_cannot_create_or_change_a_project(
    client: TestClient, staff: User, resident: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    project = create(client, api_token(staff))
    headers = api_token(resident)
    refused = client.post("/api/projects", json=PROJECT, headers=headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 403
    patch = client.patch(
        f"/api/projects/{project['id']}", json={"title": "Pirate"}, headers=headers
    )
    assert patch.status_code == 403
    assert client.get(f"/api/projects/{project['id']}").json()["title"] == PROJECT["title"]


def test_list_filters_by_arrondissement_status_and_pillar(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    a = create(client, headers, arrondissements=[11])
    b = create(client, headers, title="Piste cyclable", arrondissements=[19])
    city = create(client, headers, title="Plan arbres", arrondissements=[])
    client.post(f"/api/projects/{b['id']}/status", json={"status": "design"}, headers=headers)
    objective = {
        "pillar": "ecological",
        "indicator": "Vélos/jour",
        "unit": "vélos",
        "baseline": 100,
        "target": 500,
    }
    assert (
        client.post(
            f"/api/projects/{b['id']}/objectives", json=objective, headers=headers
        ).status_code
        == 201
    )

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/projects?{query}")
        assert response.status_code == 200
        return {p["id"] for p in response.json()["items"]}

    assert ids("arrondissement=11") == {a["id"], city["id"]}  # city-wide is near everyone
    assert ids("status=design") == {b["id"]}
    assert ids("pillar=ecological") == {b["id"]}
    assert ids("q=piste") == {b["id"]}
    assert ids("") == {a["id"], b["id"], city["id"]}


def test_pagination(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    for i in range(5):
        create(client, headers, title=f"Projet numéro {i}")
    first = client.get("/api/projects?size=2&page=1").json()
    last = client.get("/api/projects?size=2&page=3").json()
    assert (first["total"], first["pages"], len(first["items"])) == (5, 3, 2)
    assert len(last["items"]) == 1
    seen = {
        p["id"]
        for page in (1, 2, 3)
        for p in client.get(f"/api/projects?size=2&page={page}").json()["items"]
    }
    assert len(seen) == 5


def test_status_lifecycle_is_recorded_and_enforced(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    project = create(client, headers)
    url = f"/api/projects/{project['id']}/status"
    assert (
        client.post(url, json={"status": "design", "note": "Skip"}, headers=headers).status_code
        == 200
    )
    too_far_back = client.post(url, json={"status": "idea"}, headers=headers)
    assert too_far_back.status_code == 422
    back = client.post(url, json={"status": "consultation"}, headers=headers)
    assert back.status_code == 200
    assert too_far_back.headers["content-type"] == "application/problem+json"
    history = client.get(f"/api/projects/{project['id']}").json()["status_history"]
    assert [h["to_status"] for h in history] == ["idea", "design", "consultation"]
    assert history[1]["changed_by"] == staff.display_name
    assert history[1]["note"] == "Skip"


def test_bad_input_gets_problem_json_never_a_500(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    cases: list[dict[str, Any]] = [
        PROJECT | {"arrondissements": [21]},
        PROJECT | {"geometry": {"type": "Point", "coordinates": [5.0, 45.0]}},
        PROJECT
        | {"geometry": {"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85]]]}},
        PROJECT | {"budget_eur": -5},
        PROJECT | {"end_date": "2026-01-01"},
        PROJECT | {"unknown": 1},
        {"title": "x"},
    ]
    for body in cases:
        response = client.post("/api/projects", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["title"] == "Invalid input"
    broken = client.post(
        "/api/projects",
        content=b"{not json",
        headers=headers | {"content-type": "application/json"},
    )
    assert broken.status_code == 422
    assert client.get("/api/projects/999999").status_code == 404
    assert client.get("/api/projects/abc").status_code == 422
    assert client.get("/api/projects?size=1000").status_code == 422
    assert client.get("/api/projects").json()["total"] == 0  # nothing half-written


def test_description_markdown_is_sanitised_on_the_page(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    project = create(client, api_token(staff))
    page = client.get(f"/projects/{project['id']}")
    assert page.status_code == 200
    assert "<h2>Pourquoi</h2>" in page.text
    assert "<script>alert(1)</script>" not in page.text


def test_supports_once_per_resident(
    client: TestClient,
    staff: User,
    resident: User,
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    project = create(client, api_token(staff))
    url = f"/api/projects/{project['id']}/supports"
    headers = api_token(resident)
    assert client.put(url, headers=headers).json() == {
        "project_id": project["id"],
        "supports": 1,
        "supported": True,
    }
    assert client.put(url, headers=headers).json()["supports"] == 1
    other = make_user()
    assert client.put(url, headers=api_token(other)).json()["supports"] == 2
    assert client.delete(url, headers=headers).json()["supports"] == 1
    unconfirmed = make_user(confirmed=False)
    assert client.put(url, headers=api_token(unconfirmed)).status_code == 403
    assert client.get(f"/api/projects/{project['id']}").json()["supports"] == 1


def test_session_cookie_writes_need_the_csrf_header(
    client: TestClient, resident: User, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    from tests.conftest import csrf, sign_in

    project = create(client, api_token(staff))
    sign_in(client, resident)
    url = f"/api/projects/{project['id']}/supports"
    assert client.put(url).status_code == 401
    assert client.put(url, headers={"X-CSRF-Token": csrf(client)}).status_code == 200
