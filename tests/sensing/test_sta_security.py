"""Who may do what on the SensorThings API: reads are open data, writes need staff (Basic with
e-mail and password, or a Bearer API token) or a device credential limited to its own Thing's
Datastreams; a private Thing and what hangs from it are seen only by staff and its devices."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from parvis.kernel.auth import Role, User
from parvis.sensing.credentials import issue_credential, revoke_credential
from parvis.sensing.models import Thing
from tests.conftest import PASSWORD
from tests.sensing.sta_http import (
    Sta,
    datastream,
    location,
    observed_property,
    sensor,
)

TokenFor = Callable[[User], dict[str, str]]


def basic(name: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@dataclass(frozen=True)
class Site:
    """Two located Things sharing a Sensor, each with a Datastream and an Observation."""

    things: tuple[int, int]
    streams: tuple[int, int]
    observations: tuple[int, int]
    sensor: int


def build_site(sta: Sta) -> Site:
    shared = sta.create("Sensors", sensor("shared sensor"))
    things, streams, observations = [], [], []
    for n in (1, 2):
        thing = sta.create(
            "Things",
            {"name": f"thing {n}", "description": "d", "Locations": [location(f"place {n}", n, n)]},
        )
        stream = sta.create(
            "Datastreams",
            datastream(
                f"stream {n}",
                Thing={"@iot.id": thing},
                Sensor={"@iot.id": shared},
                ObservedProperty=observed_property(f"op {n}"),
            ),
        )
        obs = sta.create(
            f"Datastreams({stream})/Observations",
            {"phenomenonTime": "2015-03-01T00:00:00Z", "result": 40 + n},
        )
        things.append(thing)
        streams.append(stream)
        observations.append(obs)
    return Site(
        (things[0], things[1]),
        (streams[0], streams[1]),
        (observations[0], observations[1]),
        shared,
    )


OBSERVATION = {"phenomenonTime": "2015-03-02T00:00:00Z", "result": 7}


def test_reads_are_open(sta: Sta) -> None:
    build_site(sta)
    anonymous = sta.anonymous()
    assert anonymous.get("").status_code == 200
    assert len(anonymous.values("Things")) == 2
    assert len(anonymous.values("Observations")) == 2


def test_writes_without_credentials_are_401(sta: Sta) -> None:
    site = build_site(sta)
    anonymous = sta.anonymous()
    thing = f"Things({site.things[0]})"
    answers = [
        anonymous.post("Things", {"name": "t", "description": "d"}),
        anonymous.patch(thing, {"name": "x"}),
        anonymous.put(thing, {"name": "x", "description": "y"}),
        anonymous.patch(thing, [{"op": "replace", "path": "/name", "value": "x"}], json_patch=True),
        anonymous.delete(thing),
        anonymous.post(f"Datastreams({site.streams[0]})/Observations", OBSERVATION),
        anonymous.post("CreateObservations", []),
    ]
    for response in answers:
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith("Basic")
    for headers in (
        {"Authorization": "Bearer pv_not-a-token"},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Digest x"},
        basic("nobody@example.org", PASSWORD),
    ):
        response = Sta(sta.http, headers).post("Things", {"name": "t", "description": "d"})
        assert response.status_code == 401, (headers, response.text)
    assert sta.json(thing)["name"] == "thing 1"
    assert len(sta.ids("Things")) == 2


def test_a_resident_may_read_but_not_write(sta: Sta, resident: User, api_token: TokenFor) -> None:
    build_site(sta)
    for headers in (basic(resident.email, PASSWORD), api_token(resident)):
        as_resident = Sta(sta.http, headers)
        assert len(as_resident.values("Things")) == 2
        response = as_resident.post("Things", {"name": "t", "description": "d"})
        assert response.status_code == 403, response.text
        assert as_resident.delete(f"Things({sta.ids('Things')[0]})").status_code == 403
    assert len(sta.ids("Things")) == 2


def test_staff_write_with_basic_or_bearer(
    client: TestClient, make_user: Callable[..., User], api_token: TokenFor
) -> None:
    member = make_user(Role.STAFF)
    with_password = Sta(client, basic(member.email, PASSWORD))
    with_token = Sta(client, api_token(member))
    first = with_password.create("Things", {"name": "by password", "description": "d"})
    second = with_token.create("Things", {"name": "by token", "description": "d"})
    assert with_password.patch(f"Things({second})", {"name": "renamed"}).status_code == 200
    assert with_token.delete(f"Things({first})").status_code == 200
    assert [t["name"] for t in with_token.values("Things")] == ["renamed"]
    wrong = Sta(client, basic(member.email, "not the password"))
    assert wrong.post("Things", {"name": "t", "description": "d"}).status_code == 401
    admin = make_user(Role.ADMIN)  # roles are ordered: an admin is staff too
    assert Sta(client, api_token(admin)).create("Things", {"name": "a", "description": "d"})


def device(app: FastAPI, thing: int) -> tuple[str, str]:
    with app.state.ctx.sessions() as db:
        issued = issue_credential(db, thing, "test device")
    return issued.username, issued.secret


def test_a_device_writes_observations_of_its_own_thing_only(sta: Sta, app: FastAPI) -> None:
    site = build_site(sta)
    name, secret = device(app, site.things[0])
    own, other = site.streams
    for headers in (basic(name, secret), {"Authorization": f"Bearer {secret}"}):
        dev = Sta(sta.http, headers)
        dev.create("Observations", {**OBSERVATION, "Datastream": {"@iot.id": own}})
        dev.create(f"Datastreams({own})/Observations", OBSERVATION)
        refused = dev.post("Observations", {**OBSERVATION, "Datastream": {"@iot.id": other}})
        assert refused.status_code == 403, refused.text
        refused = dev.post(f"Datastreams({other})/Observations", OBSERVATION)
        assert refused.status_code == 403, refused.text
        assert dev.post("Things", {"name": "t", "description": "d"}).status_code == 403
        deep = {
            **OBSERVATION,
            "Datastream": datastream(
                "new",
                Thing={"@iot.id": site.things[0]},
                Sensor=sensor("s"),
                ObservedProperty=observed_property("p"),
            ),
        }
        assert dev.post("Observations", deep).status_code == 403
        obs = site.observations[0]
        assert dev.patch(f"Observations({obs})", {"result": 0}).status_code == 403
        assert dev.delete(f"Observations({obs})").status_code == 403
        slots = dev.post(
            "CreateObservations",
            [
                {
                    "Datastream": {"@iot.id": stream},
                    "components": ["phenomenonTime", "result"],
                    "dataArray": [["2015-03-03T00:00:00Z", 9]],
                }
                for stream in (own, other)
            ],
        )
        assert slots.status_code == 201
        assert slots.json()[0].startswith(sta.url("Observations("))
        assert slots.json()[1].startswith("error")
    assert len(sta.ids(f"Datastreams({own})/Observations")) == 7
    assert len(sta.ids(f"Datastreams({other})/Observations")) == 1
    assert len(sta.ids("Things")) == 2 and len(sta.ids("Datastreams")) == 2
    # a wrong secret, then a revoked credential, are refused
    assert Sta(sta.http, basic(name, "guess")).post("Observations", OBSERVATION).status_code == 401
    with app.state.ctx.sessions() as db:
        revoke_credential(db, name)
    revoked = Sta(sta.http, basic(name, secret))
    response = revoked.post(f"Datastreams({own})/Observations", OBSERVATION)
    assert response.status_code == 401


def make_private(app: FastAPI, thing: int) -> None:
    with app.state.ctx.sessions() as db:
        db.execute(update(Thing).where(Thing.id == thing).values(private=True))
        db.commit()


@pytest.fixture
def private_site(sta: Sta, app: FastAPI) -> Site:
    site = build_site(sta)
    make_private(app, site.things[0])
    return site


def test_a_private_thing_is_hidden_from_anonymous_readers(sta: Sta, private_site: Site) -> None:
    site = private_site
    anonymous = sta.anonymous()
    thing, stream, obs = site.things[0], site.streams[0], site.observations[0]
    hidden = [
        f"Things({thing})",
        f"Things({thing})/name",
        f"Things({thing})/name/$value",
        f"Things({thing})/Datastreams",
        f"Things({thing})/Locations",
        f"Things({thing})/Datastreams/$ref",
        f"Datastreams({stream})",
        f"Datastreams({stream})/Observations",
        f"Datastreams({stream})/Thing",
        f"Observations({obs})",
        f"Observations({obs})/Datastream",
        f"Observations({obs})/FeatureOfInterest",
        f"Sensors({site.sensor})/Datastreams({stream})",
    ]
    for path in hidden:
        assert anonymous.get(path).status_code == 404, path
    assert anonymous.ids("Things") == [site.things[1]]
    assert anonymous.ids("Datastreams") == [site.streams[1]]
    assert anonymous.ids("Observations") == [site.observations[1]]
    assert len(anonymous.values("Locations")) == 1
    assert len(anonymous.values("HistoricalLocations")) == 1
    # the FeatureOfInterest generated from its Location would tell where it is
    assert len(anonymous.values("FeaturesOfInterest")) == 1
    assert anonymous.json("Observations?$count=true")["@iot.count"] == 1
    assert len(anonymous.json("Things/$ref")["value"]) == 1
    assert anonymous.ids(f"Sensors({site.sensor})/Datastreams") == [site.streams[1]]
    shared = anonymous.json(f"Sensors({site.sensor})?$expand=Datastreams")
    assert [d["@iot.id"] for d in shared["Datastreams"]] == [site.streams[1]]
    data = anonymous.json("Observations?$resultFormat=dataArray")
    assert [g["dataArray@iot.count"] for g in data["value"]] == [1]


def test_a_private_thing_does_not_leak_through_filters(sta: Sta, private_site: Site) -> None:
    anonymous = sta.anonymous()
    assert anonymous.values("Sensors?$filter=Datastreams/name eq 'stream 1'") == []
    assert anonymous.values("ObservedProperties?$filter=Datastreams/Thing/name eq 'thing 1'") == []
    assert anonymous.values("FeaturesOfInterest?$filter=Observations/result eq 41") == []
    # the public one is still found that way
    assert len(anonymous.values("Sensors?$filter=Datastreams/name eq 'stream 2'")) == 1


def test_a_private_thing_is_seen_by_staff_and_its_own_devices(
    sta: Sta, app: FastAPI, private_site: Site
) -> None:
    site = private_site
    assert len(sta.ids("Things")) == 2
    assert sta.json(f"Observations({site.observations[0]})")["result"] == 41
    name, secret = device(app, site.things[0])
    own = Sta(sta.http, basic(name, secret))
    assert len(own.ids("Things")) == 2
    assert own.json(f"Datastreams({site.streams[0]})/Observations")["value"][0]["result"] == 41
    own.create(f"Datastreams({site.streams[0]})/Observations", OBSERVATION)
    name, secret = device(app, site.things[1])
    other = Sta(sta.http, {"Authorization": f"Bearer {secret}"})
    assert other.ids("Things") == [site.things[1]]
    assert other.get(f"Datastreams({site.streams[0]})").status_code == 404
    refused = other.post(f"Datastreams({site.streams[0]})/Observations", OBSERVATION)
    assert refused.status_code in (403, 404)
