"""The MQTT extension end to end (18-088 §14, 17-079 §9): paho devices and clients, a real
Mosquitto with per-device passwords and ACLs, the bridge, the database (both), the notifications
(FROST's c07/c08 checks), Tasks reaching their actuator, and no accepted message lost when the
database drops every connection."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from parvis.sensing.credentials import insert_credential
from parvis.sensing.ingest import Ingest
from parvis.sensing.models import Task
from parvis.sensing.mqtt.acl import Principal, task_status_topic
from parvis.sensing.mqtt.bridge import MqttBridge
from parvis.sensing.mqtt.mosquitto import Account, MosquittoInstance, hash_password
from parvis.sensing.queries import STAFF
from parvis.sensing.runtime import Authenticator
from parvis.sensing.service import Service
from parvis.sensing.sta.model import VERSIONS
from tests.sensing.test_mqtt_transport import Client, need_mosquitto, wait_until

BRIDGE_SECRET = "bridge-secret-for-tests"
DEVICE_SECRET = "device-secret-for-tests"
STAFF_SECRET = "staff-secret-for-tests"
LIGHT = {
    "type": "DataRecord",
    "field": [
        {"name": "brightness", "type": "Count", "constraint": {"interval": [[0, 100]]}},
    ],
}


class World:
    """A Thing with a Datastream and an actuator, its device's credential, a broker and the
    server's bridge, all on the test's database."""

    def __init__(self, app: FastAPI) -> None:
        ctx = app.state.ctx
        self.engine = ctx.engine
        self.services = {v: Service(self.engine, "https://parvis.test/sta", v) for v in VERSIONS}
        self.sta = self.services["v1.1"]
        created = self.sta.post("Things", _thing("Lampadaire 1"), STAFF)
        assert created.status == 201, created.body
        self.thing = created.body["@iot.id"]
        other = self.sta.post("Things", _thing("Lampadaire 2"), STAFF).body["@iot.id"]
        self.stream = self._ids(f"Things({self.thing})/Datastreams")[0]
        self.other_stream = self._ids(f"Things({other})/Datastreams")[0]
        self.capability = self._ids(f"Things({self.thing})/TaskingCapabilities")[0]
        with self.engine.begin() as conn:
            insert_credential(conn, self.thing, "lamp-1", DEVICE_SECRET)
        device = Authenticator(ctx, BRIDGE_SECRET).authenticate("lamp-1", DEVICE_SECRET)
        assert device is not None and device.datastreams == {self.stream}
        self.broker = MosquittoInstance(
            [
                Account(Principal("parvis-bridge", staff=True), hash_password(BRIDGE_SECRET)),
                Account(Principal("agent", staff=True), hash_password(STAFF_SECRET)),
                Account(device, hash_password(DEVICE_SECRET)),
            ]
        )
        self.port = self.broker.start()
        self.ingest = Ingest(self.services)
        self.bridge = MqttBridge(
            self.ingest,
            port=self.port,
            username="parvis-bridge",
            password=BRIDGE_SECRET,
            batch_wait=0.02,
            backoff=(0.05, 0.5),
        )
        for service in self.services.values():
            service.publisher = self.bridge
        self.bridge.start()
        assert self.bridge.wait_ready(10)
        self.clients: list[Client] = []

    def _ids(self, path: str) -> list[int]:
        answer = self.sta.get(path, "", STAFF)
        return [v["@iot.id"] for v in answer.body["value"]]

    def client(self, username: str, password: str) -> Client:
        client = Client(self.port, username, password=password)
        assert client.accepted
        self.clients.append(client)
        return client

    def observations(self) -> list[dict[str, Any]]:
        body = self.sta.get(
            f"Datastreams({self.stream})/Observations", "$orderby=id&$top=10000", STAFF
        ).body
        values: list[dict[str, Any]] = body["value"]
        return values

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.bridge.stop()
        self.broker.close()


def _thing(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": "Candélabre connecté",
        "Locations": [
            {
                "name": name,
                "description": "quai",
                "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [2.35, 48.85]},
            }
        ],
        "Datastreams": [
            {
                "name": f"Luminosité {name}",
                "description": "lux",
                "unitOfMeasurement": {"name": "lux", "symbol": "lx", "definition": "ucum:lx"},
                "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
                "Sensor": {
                    "name": "photodiode",
                    "description": "p",
                    "encodingType": "text/html",
                    "metadata": "m",
                },
                "ObservedProperty": {
                    "name": "éclairement",
                    "definition": "lux",
                    "description": "e",
                },
            }
        ],
        "TaskingCapabilities": [
            {
                "name": "Gradation",
                "description": "dim",
                "taskingParameters": LIGHT,
                "Actuator": {
                    "name": "driver LED",
                    "description": "d",
                    "encodingType": "text/html",
                    "metadata": "m",
                },
            }
        ],
    }


@pytest.fixture
def world(app: FastAPI) -> Iterator[World]:
    need_mosquitto()
    made = World(app)
    yield made
    made.close()


def test_a_device_publishes_observations_and_subscribers_get_what_a_get_shows(world: World) -> None:
    watcher = world.client("agent", STAFF_SECRET)
    watcher.subscribe(f"v1.1/Datastreams({world.stream})/Observations")
    watcher.subscribe("v1.1/Observations")
    device = world.client("lamp-1", DEVICE_SECRET)
    big = random.randint(2**62, 2**63 - 1)  # FROST's c07: a random 64-bit long
    payload = {"phenomenonTime": "2026-11-26T10:00:00Z", "result": big, "parameters": {"lamp": 1}}
    device.publish(f"v1.1/Datastreams({world.stream})/Observations", json.dumps(payload).encode())
    assert wait_until(lambda: len(world.observations()) == 1)
    stored = world.observations()[0]
    assert stored["result"] == big and stored["parameters"] == {"lamp": 1}

    # Subscribers of a create topic also see the device's own message (a plain broker relays
    # it): the server's notification is the one with an id.
    def notifications() -> dict[str, Any]:
        return {topic: json.loads(body) for topic, body in watcher.received if b'"@iot.id"' in body}

    assert wait_until(lambda: len(notifications()) == 2)
    by_topic = notifications()
    assert by_topic[f"v1.1/Datastreams({world.stream})/Observations"] == stored
    assert by_topic["v1.1/Observations"] == stored


def test_a_device_may_not_write_to_another_datastream_nor_lie_in_the_body(world: World) -> None:
    device = world.client("lamp-1", DEVICE_SECRET)
    device.publish(f"v1.1/Datastreams({world.other_stream})/Observations", b'{"result": 1}')
    mismatched = {"result": 2, "Datastream": {"@iot.id": world.other_stream}}
    device.publish(
        f"v1.1/Datastreams({world.stream})/Observations", json.dumps(mismatched).encode()
    )
    device.publish(f"v1.1/Datastreams({world.stream})/Observations", b"not json")
    device.publish(f"v1.1/Datastreams({world.stream})/Observations", b'{"result": 3}')
    assert wait_until(lambda: [o["result"] for o in world.observations()] == [3])
    assert world.ingest.rejected >= 2  # the mismatched body and the bad JSON
    other = world.sta.get(f"Datastreams({world.other_stream})/Observations", "", STAFF).body
    assert other["value"] == []


def test_staff_create_observations_and_deep_inserts_on_any_topic(world: World) -> None:
    staff = world.client("agent", STAFF_SECRET)
    staff.publish(
        "v1.1/Observations",
        json.dumps({"result": 5, "Datastream": {"@iot.id": world.stream}}).encode(),
    )
    deep = {
        "result": 6,
        "Datastream": {"@iot.id": world.stream},
        "FeatureOfInterest": {
            "name": "quai",
            "description": "q",
            "encodingType": "application/geo+json",
            "feature": {"type": "Point", "coordinates": [2.36, 48.86]},
        },
    }
    staff.publish("v1.1/Observations", json.dumps(deep).encode())
    assert wait_until(lambda: sorted(o["result"] for o in world.observations()) == [5, 6])


def test_a_task_reaches_its_actuator_which_reports_its_status(world: World) -> None:
    device = world.client("lamp-1", DEVICE_SECRET)
    device.subscribe(f"v1.1/TaskingCapabilities({world.capability})/Tasks")
    created = world.sta.post(
        f"TaskingCapabilities({world.capability})/Tasks",
        {"taskingParameters": {"brightness": 40}},
        STAFF,
    )
    assert created.status == 201, created.body
    refused = world.sta.post(
        f"TaskingCapabilities({world.capability})/Tasks",
        {"taskingParameters": {"brightness": 140}},
        STAFF,
    )
    assert refused.status == 400 and "allowed" in refused.body["message"]
    assert wait_until(lambda: len(device.received) == 1)
    _topic, body = device.received[0]
    task = json.loads(body)
    assert (
        task["taskingParameters"] == {"brightness": 40}
        and task["@iot.id"] == created.body["@iot.id"]
    )
    device.publish(
        task_status_topic(world.capability),
        json.dumps({"task": task["@iot.id"], "status": "done"}).encode(),
    )

    def status() -> str | None:
        with world.engine.connect() as conn:
            return conn.scalar(select(Task.status).where(Task.id == task["@iot.id"]))

    assert wait_until(lambda: status() == "done")
    # a Task published over MQTT by staff is checked like one over HTTP
    staff = world.client("agent", STAFF_SECRET)
    staff.publish(
        f"v1.1/TaskingCapabilities({world.capability})/Tasks",
        b'{"taskingParameters": {"brightness": 70}}',
    )
    staff.publish(
        f"v1.1/TaskingCapabilities({world.capability})/Tasks",
        b'{"taskingParameters": {"colour": 1}}',
    )

    # The device also sees staff's raw create messages on that topic; the Tasks have ids.
    def tasks() -> list[dict[str, Any]]:
        return [json.loads(body) for _t, body in device.received if b'"@iot.id"' in body]

    assert wait_until(lambda: len(tasks()) == 2)
    assert tasks()[1]["taskingParameters"] == {"brightness": 70}
    stored = world.sta.get(f"TaskingCapabilities({world.capability})/Tasks", "", STAFF).body
    assert len(stored["value"]) == 2


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True
)
def test_no_accepted_observation_is_lost_while_the_database_is_down(world: World) -> None:
    """A real outage: the database refuses connections and drops the open ones while the
    device goes on publishing; the broker keeps the messages, the bridge retries its batch
    unacknowledged, and once the database is back every Observation is there."""
    import psycopg

    from tests import services

    name = world.engine.url.database
    device = world.client("lamp-1", DEVICE_SECRET)
    topic = f"v1.1/Datastreams({world.stream})/Observations"
    for i in range(100):
        device.publish(topic, b'{"result": %d}' % i)
    assert wait_until(lambda: len(world.observations()) == 100, timeout=30)
    with psycopg.connect(services.PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            for i in range(100, 300):
                device.publish(topic, b'{"result": %d}' % i)  # the broker accepts them
            assert wait_until(lambda: world.bridge.stats.retries >= 2, timeout=30)
            assert world.bridge.stats.acked == 100  # nothing acknowledged while down
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert wait_until(lambda: len({o["result"] for o in world.observations()}) == 300, timeout=60)
    # Every one (delivery is at least once: a commit whose answer was lost may come again).
    assert {o["result"] for o in world.observations()} == set(range(300))
