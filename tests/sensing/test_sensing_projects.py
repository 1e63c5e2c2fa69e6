"""Parvis, not just a server: a project's tools list its Things, a Datastream measures one of
its objectives, staff make a Thing private and issue device credentials."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from parvis.kernel.auth import User
from tests.sensing.sta_http import Sta, datastream, location, observed_property, sensor
from tests.test_projects_api import create as create_project


def _thing_with_stream(sta: Sta, values: list[float]) -> tuple[int, int]:
    thing = sta.create(
        "Things",
        {
            "name": "Capteur de bruit rue de Lappe",
            "description": "Sonomètre sur candélabre",
            "Locations": [location("rue de Lappe", 2.3722, 48.8532)],
            "Datastreams": [
                datastream(
                    "Bruit nocturne",
                    Sensor=sensor("Sonomètre"),
                    ObservedProperty=observed_property("Niveau sonore"),
                )
            ],
        },
    )
    stream = sta.ids(f"Things({thing})/Datastreams")[0]
    now = datetime.now(UTC)
    rows = [[(now - timedelta(hours=len(values) - i)).isoformat(), v] for i, v in enumerate(values)]
    response = sta.post(
        "CreateObservations",
        [
            {
                "Datastream": {"@iot.id": stream},
                "components": ["phenomenonTime", "result"],
                "dataArray": rows,
            }
        ],
    )
    assert response.status_code == 201, response.text
    return thing, stream


def test_a_project_lists_its_things_and_a_datastream_measures_its_objective(
    client: TestClient, sta: Sta, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    project = create_project(client, headers)
    thing, stream = _thing_with_stream(sta, [70.0, 64.0, 61.0])
    assert client.get(f"/api/projects/{project['id']}").json()["tools"] == []

    attached = client.put(
        f"/api/sensing/things/{thing}", json={"project_id": project["id"]}, headers=headers
    )
    assert attached.status_code == 200, attached.text
    tools = client.get(f"/api/projects/{project['id']}").json()["tools"]
    assert [(t["kind"], t["name"], t["url"]) for t in tools] == [
        ("sensor", "Capteur de bruit rue de Lappe", f"/sensing/things/{thing}")
    ]

    objective = client.post(
        f"/api/projects/{project['id']}/objectives",
        json={
            "pillar": "social",
            "indicator": "Bruit la nuit",
            "unit": "dB(A)",
            "baseline": 70,
            "target": 55,
        },
        headers=headers,
    ).json()[-1]  # the project's objectives
    feed = client.post(
        "/api/sensing/feeds",
        json={
            "objective_id": objective["id"],
            "datastream_id": stream,
            "aggregate": "mean",
            "period_days": 1,
        },
        headers=headers,
    )
    assert feed.status_code == 201, feed.text
    assert feed.json()["value"] == (70.0 + 64.0 + 61.0) / 3
    measured = client.get(f"/api/projects/{project['id']}").json()["objectives"][0]
    assert measured["latest"] == round((70.0 + 64.0 + 61.0) / 3, 4)
    assert measured["history"][-1]["source"] == "sensor"

    latest = client.post(
        "/api/sensing/feeds",
        json={"objective_id": objective["id"], "datastream_id": stream, "aggregate": "latest"},
        headers=headers,
    )
    assert latest.json()["value"] == 61.0


def test_feed_and_thing_settings_are_checked(
    client: TestClient,
    sta: Sta,
    staff: User,
    resident: User,
    api_token: Callable[[User], dict[str, str]],
) -> None:
    headers = api_token(staff)
    thing, stream = _thing_with_stream(sta, [1.0])
    bad: list[tuple[str, str, dict[str, Any], dict[str, str], int]] = [
        ("PUT", f"/api/sensing/things/{thing}", {"project_id": 999_999}, headers, 404),
        ("PUT", "/api/sensing/things/999999", {"private": True}, headers, 404),
        ("PUT", f"/api/sensing/things/{thing}", {"private": True}, api_token(resident), 403),
        ("PUT", f"/api/sensing/things/{thing}", {"private": True}, {}, 401),
        (
            "POST",
            "/api/sensing/feeds",
            {"objective_id": 999_999, "datastream_id": stream},
            headers,
            404,
        ),
        (
            "POST",
            "/api/sensing/feeds",
            {"objective_id": 1, "datastream_id": stream, "aggregate": "median"},
            headers,
            422,
        ),
        ("POST", f"/api/sensing/things/{thing}/credentials", {}, api_token(resident), 403),
    ]
    for method, url, body, sent, expected in bad:
        response = client.request(method, url, json=body, headers=sent)
        assert response.status_code == expected, (method, url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_private_things_and_device_credentials_through_the_staff_api(
    client: TestClient, sta: Sta, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    thing, stream = _thing_with_stream(sta, [5.0])
    issued = client.post(
        f"/api/sensing/things/{thing}/credentials", json={"label": "boîtier 1"}, headers=headers
    )
    assert issued.status_code == 201
    device = Sta(client, {"Authorization": f"Bearer {issued.json()['secret']}"})
    created = device.post(f"Datastreams({stream})/Observations", {"result": 6.0})
    assert created.status_code == 201, created.text

    assert (
        client.put(
            f"/api/sensing/things/{thing}", json={"private": True}, headers=headers
        ).status_code
        == 200
    )
    assert sta.anonymous().get(f"Things({thing})").status_code == 404
    assert sta.anonymous().values("Observations") == []
    assert device.get(f"Datastreams({stream})/Observations").status_code == 200  # its own Thing
    assert client.get(f"/sensing/things/{thing}").status_code == 404

    listed = client.get(f"/api/sensing/things/{thing}/credentials", headers=headers).json()
    assert [(c["username"], c["label"], c["revoked_at"]) for c in listed] == [
        (issued.json()["username"], "boîtier 1", None)
    ]
    assert (
        client.delete(
            f"/api/sensing/credentials/{issued.json()['username']}", headers=headers
        ).status_code
        == 204
    )
    refused = device.post(f"Datastreams({stream})/Observations", {"result": 7.0})
    assert refused.status_code == 401
