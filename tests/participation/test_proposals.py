"""Proposals: residents submit and support, staff merge duplicates and answer each one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from parvis.kernel.auth import User
from tests.conftest import outbox

IDEA = {
    "title": "Un jardin partagé square Maurice-Gardette",
    "description": "Transformer la pelouse inutilisée en jardin partagé géré par les voisins.",
    "category": "environment",
    "arrondissement": 11,
    "location": {"type": "Point", "coordinates": [2.3765, 48.8648]},
}

Tokens = Callable[[User], dict[str, str]]


def submit(client: TestClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post("/api/proposals", json=IDEA | changes, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_resident_submits_and_others_support(
    client: TestClient, resident: User, make_user: Callable[..., User], api_token: Tokens
) -> None:
    proposal = submit(client, api_token(resident))
    assert proposal["state"] == "open" and proposal["author"] == resident.display_name
    url = f"/api/proposals/{proposal['id']}/supports"
    for _ in range(2):
        assert client.put(url, headers=api_token(make_user())).status_code == 200
    assert client.get(f"/api/proposals/{proposal['id']}").json()["supports"] == 2
    listed = client.get("/api/proposals?arrondissement=11&category=environment").json()
    assert [p["id"] for p in listed["items"]] == [proposal["id"]]
    assert client.get("/api/proposals?arrondissement=12").json()["total"] == 0
    geo = client.get("/api/proposals.geojson").json()
    assert geo["features"][0]["geometry"]["coordinates"] == [2.3765, 48.8648]


def test_bad_proposals_are_refused(
    client: TestClient, resident: User, make_user: Callable[..., User], api_token: Tokens
) -> None:
    headers = api_token(resident)
    for bad in (
        {"title": "x"},
        {"category": "weather"},
        {"arrondissement": 21},
        {"location": {"type": "Point", "coordinates": [5.37, 43.29]}},  # Marseille
        {"description": "court"},
        {"edition_id": 999},
    ):
        response = client.post("/api/proposals", json=IDEA | bad, headers=headers)
        assert response.status_code in (404, 422), bad
        assert response.headers["content-type"] == "application/problem+json"
    unconfirmed = api_token(make_user(confirmed=False))
    assert client.post("/api/proposals", json=IDEA, headers=unconfirmed).status_code == 403
    assert client.post("/api/proposals", json=IDEA).status_code == 401
    assert client.get("/api/proposals").json()["total"] == 0


def test_staff_merge_duplicates_and_supports_follow(
    client: TestClient,
    resident: User,
    staff: User,
    make_user: Callable[..., User],
    api_token: Tokens,
) -> None:
    a = submit(client, api_token(resident))
    b = submit(client, api_token(make_user()), title="Jardin partagé rue Oberkampf")
    supporter = api_token(make_user())
    client.put(f"/api/proposals/{a['id']}/supports", headers=supporter)
    client.put(f"/api/proposals/{b['id']}/supports", headers=supporter)
    client.put(f"/api/proposals/{a['id']}/supports", headers=api_token(make_user()))
    headers = api_token(staff)
    refused = client.post(
        f"/api/proposals/{a['id']}/merge", json={"into": b["id"]}, headers=api_token(resident)
    )
    assert refused.status_code == 403
    merged = client.post(
        f"/api/proposals/{a['id']}/merge",
        json={"into": b["id"], "note": "Même lieu"},
        headers=headers,
    )
    assert merged.status_code == 200
    # the shared supporter counts once: 2, not 3
    assert merged.json()["id"] == b["id"] and merged.json()["supports"] == 2
    source = client.get(f"/api/proposals/{a['id']}").json()
    assert source["state"] == "merged" and source["merged_into"] == b["id"]
    again = client.post(f"/api/proposals/{a['id']}/merge", json={"into": b["id"]}, headers=headers)
    assert again.status_code == 409
    itself = client.post(f"/api/proposals/{b['id']}/merge", json={"into": b["id"]}, headers=headers)
    assert itself.status_code == 422
    closed = client.put(f"/api/proposals/{a['id']}/supports", headers=api_token(make_user()))
    assert closed.status_code == 409


def test_staff_answer_decline_with_reason_and_author_is_told(
    client: TestClient, app: FastAPI, resident: User, staff: User, api_token: Tokens
) -> None:
    proposal = submit(client, api_token(resident))
    url = f"/api/proposals/{proposal['id']}/answer"
    headers = api_token(staff)
    no_reason = client.post(url, json={"state": "declined"}, headers=headers)
    assert no_reason.status_code == 422
    declined = client.post(
        url,
        json={"state": "declined", "answer": "Le square est classé : pas de jardin."},
        headers=headers,
    )
    assert declined.status_code == 200
    assert declined.json()["state"] == "declined"
    assert "classé" in declined.json()["answer"]
    assert client.post(url, json={"state": "accepted"}, headers=headers).status_code == 409
    mails = [m for m in outbox(app) if resident.email in m]
    assert len(mails) == 1  # the author follows their own proposal


def test_a_proposal_becomes_a_city_project(
    client: TestClient, resident: User, staff: User, api_token: Tokens
) -> None:
    proposal = submit(client, api_token(resident))
    answered = client.post(
        f"/api/proposals/{proposal['id']}/answer",
        json={"state": "to_project", "answer": "La Ville lance le projet."},
        headers=api_token(staff),
    )
    assert answered.status_code == 200
    linked = client.get(f"/api/proposals/{proposal['id']}").json()["linked_id"]
    assert linked is not None
    project = client.get(f"/api/projects/{linked}").json()
    assert project["title"] == IDEA["title"] and project["arrondissements"] == [11]
    assert project["geometry"]["coordinates"] == [2.3765, 48.8648]
