"""The default setup: `parvis serve` runs its own MQTT broker (amqtt), and a device with its
Parvis credential publishes Observations to it and receives its Tasks."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from parvis.app import create_app
from parvis.kernel.settings import Settings
from parvis.sensing.credentials import insert_credential
from parvis.sensing.queries import STAFF
from parvis.sensing.runtime import SensingRuntime, bridge_secret
from parvis.sensing.service import Service
from tests.sensing.test_mqtt_sta import LIGHT, _thing
from tests.sensing.test_mqtt_transport import Client, wait_until

SECRET = "embedded-device-secret"


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[tuple[FastAPI, int]]:
    embedded = settings.model_copy(update={"mqtt_mode": "embedded", "mqtt_port": 0})
    app = create_app(embedded)
    with TestClient(app, base_url="https://testserver"):  # runs the lifespan: broker, bridge
        runtime = app.state.sensing
        assert runtime.broker is not None and runtime.bridge is not None
        assert runtime.bridge.wait_ready(10)
        yield app, runtime.broker.port
    app.state.ctx.jobs.close()
    app.state.ctx.engine.dispose()


def test_a_device_uses_the_embedded_broker_with_its_credential(served: tuple[FastAPI, int]) -> None:
    app, port = served
    sta = Service(app.state.ctx.engine, "https://testserver/sta")
    created = sta.post("Things", _thing("Lampadaire"), STAFF)
    assert created.status == 201, created.body
    thing = created.body["@iot.id"]
    stream = sta.get(f"Things({thing})/Datastreams", "", STAFF).body["value"][0]["@iot.id"]
    capability = sta.get(f"Things({thing})/TaskingCapabilities", "", STAFF).body["value"][0]
    assert capability["taskingParameters"] == LIGHT
    with app.state.ctx.engine.begin() as conn:
        insert_credential(conn, thing, "lamp-embedded", SECRET)

    refused = Client(port, "lamp-embedded", password="wrong")
    assert not refused.accepted
    refused.close()
    device = Client(port, "lamp-embedded", password=SECRET)
    try:
        assert device.accepted
        device.subscribe(f"v1.1/TaskingCapabilities({capability['@iot.id']})/Tasks")
        device.publish(f"v1.1/Datastreams({stream})/Observations", b'{"result": 42}')

        def results() -> list[Any]:
            body = sta.get(f"Datastreams({stream})/Observations", "", STAFF).body
            return [o["result"] for o in body["value"]]

        assert wait_until(lambda: results() == [42])
        # the root document advertises the broker
        root = TestClient(app, base_url="https://testserver").get("/sta/v1.1").json()
        endpoints = root["serverSettings"][
            "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation"
        ]["endpoints"]
        assert endpoints == [f"mqtt://127.0.0.1:{port}"]
        # a Task created over HTTP reaches the device through the embedded broker
        task = app.state.sensing.services["v1.1"].post(
            f"TaskingCapabilities({capability['@iot.id']})/Tasks",
            {"taskingParameters": {"brightness": 10}},
            STAFF,
        )
        assert task.status == 201, task.body
        assert wait_until(lambda: any(b'"@iot.id"' in body for _t, body in device.received))
        received = [json.loads(b) for _t, b in device.received if b'"@iot.id"' in b]
        assert received[0]["taskingParameters"] == {"brightness": 10}
    finally:
        device.close()


def test_a_second_worker_shares_the_first_workers_broker(served: tuple[FastAPI, int]) -> None:
    """`serve --workers 2`: the port is taken by the first worker's broker; the second worker
    runs no broker and no receiving bridge, but its notifications reach subscribers."""
    app, port = served
    ctx = app.state.ctx
    second_settings = ctx.settings.model_copy(update={"mqtt_port": port})
    second = SensingRuntime(dataclasses.replace(ctx, settings=second_settings))
    second.start()
    try:
        assert second.broker is None and second.bridge is not None
        assert second.bridge.wait_ready(10) and second.bridge.filters == ()
        watcher = Client(
            port,
            "parvis-bridge",
            password=bridge_secret(ctx.settings.secret_key),
            client_id="watcher",
        )
        try:
            watcher.subscribe("v1.1/Things")
            created = second.services["v1.1"].post(
                "Things", {"name": "n", "description": "d"}, STAFF
            )
            assert created.status == 201
            assert wait_until(lambda: len(watcher.received) == 1)
            assert json.loads(watcher.received[0][1])["@iot.id"] == created.body["@iot.id"]
        finally:
            watcher.close()
    finally:
        second.stop()
