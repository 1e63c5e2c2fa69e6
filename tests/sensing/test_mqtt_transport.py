"""The MQTT transport against real brokers: a private Mosquitto and the embedded amqtt broker,
with real paho clients as devices and a handler that records what it is given."""

from __future__ import annotations

import base64
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from parvis.sensing.mqtt.acl import (
    Principal,
    device_grants,
    may_publish,
    may_subscribe,
    parse_task_status_topic,
    task_status_topic,
)
from parvis.sensing.mqtt.bridge import (
    CREATE_FILTERS,
    Message,
    MqttBridge,
    TransientError,
    is_notification,
)
from parvis.sensing.mqtt.client import probe_protocol
from parvis.sensing.mqtt.embedded import EmbeddedBroker
from parvis.sensing.mqtt.mosquitto import (
    MOSQUITTO,
    Account,
    MosquittoInstance,
    hash_password,
    render_acl,
    render_password_file,
    verify_password,
)
from tests import services

HAS_MOSQUITTO = services.require("Mosquitto", Path(MOSQUITTO).exists())

BRIDGE = Principal("parvis-bridge", staff=True)
STAFF = Principal("staff", staff=True)
DEVICE = Principal(
    "device-1", datastreams=frozenset({5}), multi_datastreams=frozenset({8}),
    tasking_capabilities=frozenset({4}),
)  # fmt: skip
OTHER = Principal("device-2", datastreams=frozenset({6}), tasking_capabilities=frozenset({9}))
SECRETS = {p.username: f"secret-of-{p.username}" for p in (BRIDGE, STAFF, DEVICE, OTHER)}
OWN = "v1.1/Datastreams(5)/Observations"
FOREIGN = "v1.1/Datastreams(6)/Observations"


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class Recorder:
    """A Handler: records each committed batch; `failures` first calls raise TransientError."""

    def __init__(self, failures: int = 0, delay: float = 0.0) -> None:
        self.failures = failures
        self.delay = delay
        self.calls = 0
        self.batches: list[list[Message]] = []
        self.down = threading.Event()  # set: the database is down

    @property
    def messages(self) -> list[Message]:
        return [m for batch in self.batches for m in batch]

    def payloads(self, topic: str | None = None) -> list[bytes]:
        return [m.payload for m in self.messages if topic is None or m.topic == topic]

    def handle_batch(self, messages: Sequence[Message]) -> None:
        self.calls += 1
        if self.down.is_set() or self.failures > 0:
            self.failures = max(0, self.failures - 1)
            raise TransientError("database is down")
        time.sleep(self.delay)
        self.batches.append(list(messages))

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        assert wait_until(lambda: len(self.messages) >= count, timeout), self.payloads()
        return self.messages


class Users:
    """An Authenticator over the test principals and their secrets."""

    def __init__(self, principals: Sequence[Principal]) -> None:
        self.principals = {p.username: p for p in principals}

    def authenticate(self, username: str, password: str) -> Principal | None:
        principal = self.principals.get(username)
        return principal if principal and SECRETS[username] == password else None


class Client:
    """A paho client (a device or staff) with what it received."""

    def __init__(
        self,
        port: int,
        username: str | None,
        *,
        password: str | None = None,
        client_id: str | None = None,
        clean: bool = True,
        will: str | None = None,
    ) -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"{username}-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv311,
            clean_session=clean,
        )
        if username is not None:
            self.client.username_pw_set(username, password or SECRETS.get(username))
        if will is not None:
            self.client.will_set(will, b'{"result": "will"}', qos=1)
        self.received: list[tuple[str, bytes]] = []
        self.granted: dict[int, list[ReasonCode]] = {}
        self.connack: ReasonCode | None = None
        self._connacked = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, m: self.received.append((m.topic, m.payload))
        self.client.on_subscribe = lambda c, u, mid, rcs, p: self.granted.setdefault(mid, rcs)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self._connacked.wait(10), "no CONNACK"

    def _on_connect(
        self, c: mqtt.Client, u: object, f: mqtt.ConnectFlags, rc: ReasonCode, p: object
    ) -> None:
        self.connack = rc
        self._connacked.set()
        if rc.is_failure:
            c.disconnect()  # no reconnection attempts with refused credentials

    @property
    def accepted(self) -> bool:
        return self.connack is not None and not self.connack.is_failure

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        if qos:
            info.wait_for_publish(10)

    def subscribe(self, topic: str) -> list[ReasonCode]:
        _rc, mid = self.client.subscribe(topic, qos=1)
        assert wait_until(lambda: mid in self.granted, 5)
        return self.granted[mid]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        # Break the cycle through the callbacks: freed at once, paho closes its socket pair.
        self.client.on_connect = self.client.on_message = self.client.on_subscribe = None


@pytest.fixture
def clients() -> Iterator[Callable[..., Client]]:
    made: list[Client] = []

    def connect(port: int, username: str | None, **kwargs: object) -> Client:
        made.append(Client(port, username, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    yield connect
    for client in made:
        client.close()


@pytest.fixture
def bridges() -> Iterator[Callable[..., MqttBridge]]:
    made: list[MqttBridge] = []

    def start(port: int, handler: Recorder, **kwargs: object) -> MqttBridge:
        options: dict[str, object] = {
            "username": BRIDGE.username, "password": SECRETS[BRIDGE.username],
            "batch_wait": 0.02, **kwargs,
        }  # fmt: skip
        bridge = MqttBridge(handler, port=port, **options)  # type: ignore[arg-type]
        made.append(bridge)
        bridge.start()
        assert bridge.wait_ready(10), "the bridge did not connect"
        return bridge

    yield start
    for bridge in made:
        bridge.stop()


def need_mosquitto(available: bool = HAS_MOSQUITTO, what: str = MOSQUITTO) -> None:
    if not available:
        if services.IN_CI:
            pytest.fail(f"Mosquitto is required in CI but {what} is missing")
        pytest.skip(f"Mosquitto is not installed ({what})")


@pytest.fixture
def mosquitto() -> Iterator[MosquittoInstance]:
    need_mosquitto()
    accounts = [
        Account(p, hash_password(SECRETS[p.username])) for p in (BRIDGE, STAFF, DEVICE, OTHER)
    ]
    with MosquittoInstance(accounts) as instance:
        yield instance


@pytest.fixture
def embedded() -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker(Users([BRIDGE, STAFF, DEVICE, OTHER]), port=0) as broker:
        yield broker


def numbered(count: int, start: int = 0) -> list[bytes]:
    return [b'{"result": %d}' % i for i in range(start, start + count)]


# -- pure parts ------------------------------------------------------------------------------


def test_device_may_publish_only_observations_of_its_own_streams() -> None:
    for version in ("v1.0", "v1.1"):
        assert may_publish(DEVICE, f"{version}/Datastreams(5)/Observations")
        assert may_publish(DEVICE, f"{version}/MultiDatastreams(8)/Observations")
    assert may_publish(DEVICE, task_status_topic(4))
    for topic in (
        "v1.1/Datastreams(6)/Observations",  # another device's
        "v1.1/Datastreams(05)/Observations",  # not canonical: Mosquitto would not match it
        "v1.1/Observations",  # the Datastream would be in the payload
        "v1.1/FeaturesOfInterest(5)/Observations",
        "v1.1/MultiDatastreams(5)/Observations",
        "v1.1/TaskingCapabilities(4)/Tasks",  # devices execute Tasks, they do not create them
        "v1.1/Datastreams(5)/Tasks",
        "v1.1/Datastreams(5)",
        "v2.0/Datastreams(5)/Observations",
        task_status_topic(9),
        "v1.1/Datastreams(5)/Observations/x",
        "v1.1/+/Observations",
        "",
    ):
        assert not may_publish(DEVICE, topic), topic


def test_device_may_subscribe_only_to_its_own_tasks_and_observations() -> None:
    assert may_subscribe(DEVICE, "v1.1/TaskingCapabilities(4)/Tasks")
    assert may_subscribe(DEVICE, "v1.0/TaskingCapabilities(4)/Tasks")
    assert may_subscribe(DEVICE, OWN)
    for topic_filter in (
        "v1.1/TaskingCapabilities(9)/Tasks",
        "v1.1/TaskingCapabilities(4)/Observations",
        "v1.1/TaskingCapabilities(+)/Tasks",
        "v1.1/+/Tasks",
        "v1.1/#",
        "#",
        FOREIGN,
        "v1.1/Observations",
        "v1.1/Datastreams(5)/Observations?$select=result",
        task_status_topic(4),
    ):
        assert not may_subscribe(DEVICE, topic_filter), topic_filter


def test_staff_may_publish_and_subscribe_everywhere() -> None:
    assert may_publish(STAFF, "v1.1/Observations")
    assert may_publish(STAFF, "v1.1/Things(1)")  # the bridge's notifications
    assert not may_publish(STAFF, "v1.1/+/Observations")  # not a topic name
    assert may_subscribe(STAFF, "#")
    assert may_subscribe(STAFF, "v1.1/+/Tasks")


def test_grants_agree_with_the_checks() -> None:
    grants = device_grants(DEVICE)
    assert all(may_publish(DEVICE, t) for t in grants.write)
    assert all(may_subscribe(DEVICE, t) for t in grants.read)
    assert "v1.0/TaskingCapabilities(4)/Tasks" in grants.read
    assert parse_task_status_topic(task_status_topic(4)) == 4
    assert parse_task_status_topic("parvis/TaskingCapabilities(x)/TaskStatus") is None


def test_create_filters_cover_the_create_topics() -> None:
    assert len(CREATE_FILTERS) == 9
    for topic in (
        "v1.1/Observations", "v1.0/Datastreams(12)/Observations",
        "v1.1/FeaturesOfInterest(3)/Observations", "v1.1/MultiDatastreams(2)/Observations",
        "v1.1/Tasks", "v1.0/TaskingCapabilities(4)/Tasks", task_status_topic(4),
    ):  # fmt: skip
        assert any(mqtt.topic_matches_sub(f, topic) for f in CREATE_FILTERS), topic
    assert not any(mqtt.topic_matches_sub(f, "v1.1/Things(1)") for f in CREATE_FILTERS)


def test_notifications_are_recognised_by_their_id() -> None:
    assert is_notification(b'{"@iot.id": 7, "@iot.selfLink": "http://x/v1.1/Observations(7)"}')
    assert is_notification(b'{"result": 1, "@iot.id": 7}')
    assert not is_notification(b'{"result": 1, "Datastream": {"@iot.id": 7}}')
    assert not is_notification(b'{"result": 1}')
    assert not is_notification(b'"@iot.id"')
    assert not is_notification(b"not json @iot.id")


def test_mosquitto_files() -> None:
    digest = hash_password("s3cret")
    assert digest.startswith("$7$101$")
    assert verify_password("s3cret", digest)
    assert not verify_password("other", digest)
    salt, raw = (base64.b64decode(part) for part in digest.split("$")[3:])
    assert (len(salt), len(raw)) == (12, 64)  # as mosquitto_passwd writes them
    assert render_password_file([("device-1", digest)]) == f"device-1:{digest}\n"
    with pytest.raises(ValueError, match="user name"):
        render_password_file([("a:b", digest)])
    with pytest.raises(ValueError, match="user name"):
        render_acl([Principal("a b")])
    acl = render_acl([DEVICE, STAFF])
    assert "user staff\ntopic readwrite #\n" in acl
    assert "topic write v1.1/Datastreams(5)/Observations\n" in acl
    assert "topic read v1.0/TaskingCapabilities(4)/Tasks\n" in acl
    assert "+" not in acl.split("user staff")[0]


def test_hashes_of_mosquitto_passwd_are_verified(tmp_path: Path) -> None:
    need_mosquitto(shutil.which("mosquitto_passwd") is not None, "mosquitto_passwd")
    path = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(path), "dev", "pw"], check=True)
    digest = path.read_text().strip().split(":", 1)[1]
    assert digest.startswith("$7$101$")
    assert verify_password("pw", digest)
    assert not verify_password("px", digest)


def test_probe_of_a_closed_port() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert probe_protocol("127.0.0.1", port, timeout=1) is None


# -- Mosquitto -------------------------------------------------------------------------------


def test_batches_keep_the_order_of_each_device(
    mosquitto: MosquittoInstance, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    recorder = Recorder(delay=0.02)  # a slow commit lets the next batch fill up
    bridge = bridges(mosquitto.port, recorder, batch_size=100)
    assert bridge.protocol == "5"
    device, other = (
        clients(mosquitto.port, DEVICE.username),
        clients(mosquitto.port, OTHER.username),
    )
    for a, b in zip(numbered(400), numbered(400, 1000), strict=True):
        device.client.publish(OWN, a, qos=1)
        other.client.publish(FOREIGN, b, qos=1)
    recorder.wait_for(800)
    assert recorder.payloads(OWN) == numbered(400)
    assert recorder.payloads(FOREIGN) == numbered(400, 1000)
    assert max(len(b) for b in recorder.batches) <= 100
    assert len(recorder.batches) < 80  # batched, not one call per message
    assert bridge.stats.acked == 800 and bridge.stats.retries == 0


def test_publications_with_mqtt5_properties_take_paho_s_own_path(
    mosquitto: MosquittoInstance, bridges: Callable[..., MqttBridge]
) -> None:
    recorder = Recorder()
    bridge = bridges(mosquitto.port, recorder)
    device = mqtt.Client(CallbackAPIVersion.VERSION2, "v5-device", protocol=mqtt.MQTTv5)
    device.username_pw_set(DEVICE.username, SECRETS[DEVICE.username])
    device.connect("127.0.0.1", mosquitto.port)
    device.loop_start()
    try:
        properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        properties.ContentType = "application/json"
        for payload in numbered(3):  # with, without, with properties: one order
            with_properties = payload != numbered(3)[1]
            device.publish(
                OWN, payload, qos=1, properties=properties if with_properties else None
            ).wait_for_publish(5)
        recorder.wait_for(3)
        assert recorder.payloads() == numbered(3)
        assert wait_until(lambda: bridge.stats.acked == 3)
    finally:
        device.disconnect()
        device.loop_stop()
        device.on_connect = None


def test_a_batch_is_retried_in_order_and_acknowledged_once_committed(
    mosquitto: MosquittoInstance, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    recorder = Recorder(failures=2)
    bridge = bridges(mosquitto.port, recorder)
    device = clients(mosquitto.port, DEVICE.username)
    for payload in numbered(50):
        device.publish(OWN, payload)
    recorder.wait_for(50)
    time.sleep(0.2)
    assert recorder.payloads() == numbered(50)  # each once, in order
    assert bridge.stats.retries == 2
    assert wait_until(lambda: bridge.stats.acked == 50)


def test_nothing_is_acknowledged_before_the_commit(
    mosquitto: MosquittoInstance, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    down = Recorder()
    down.down.set()
    first = bridges(mosquitto.port, down)
    device = clients(mosquitto.port, DEVICE.username)
    for payload in numbered(20):
        device.publish(OWN, payload)
    assert wait_until(lambda: first.stats.received == 20 and first.stats.retries > 0)
    first.stop()
    assert first.stats.acked == 0
    # The broker still holds every message for the session: the next bridge gets them all.
    recorder = Recorder()
    bridges(mosquitto.port, recorder)
    recorder.wait_for(20)
    assert recorder.payloads() == numbered(20)


def test_messages_queued_while_the_bridge_is_away_survive_a_broker_restart(
    mosquitto: MosquittoInstance, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    bridges(mosquitto.port, Recorder()).stop()  # leaves its persistent session behind
    device = clients(mosquitto.port, DEVICE.username)
    for payload in numbered(100):
        device.publish(OWN, payload)  # PUBACKed by the broker: accepted
    device.close()
    mosquitto.restart()
    recorder = Recorder()
    bridges(mosquitto.port, recorder)
    recorder.wait_for(100)
    time.sleep(0.2)
    assert recorder.payloads() == numbered(100)


def test_a_broker_restart_under_a_running_bridge_loses_nothing(
    mosquitto: MosquittoInstance, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    recorder = Recorder()
    recorder.down.set()  # the messages stay in flight, unacknowledged, across the restart
    bridge = bridges(mosquitto.port, recorder)
    device = clients(mosquitto.port, DEVICE.username)
    for payload in numbered(50):
        device.publish(OWN, payload)
    assert wait_until(lambda: bridge.stats.received == 50)
    device.close()
    mosquitto.restart()
    assert wait_until(lambda: bridge.stats.connects == 2)
    assert bridge.wait_ready(10)
    recorder.down.clear()
    device = clients(mosquitto.port, DEVICE.username)
    for payload in numbered(50, 50):
        device.publish(OWN, payload)
    recorder.wait_for(100)
    time.sleep(0.2)
    # The broker sent the 50 again (DUP): recognised, acknowledged, not handled twice.
    assert recorder.payloads() == numbered(100)
    assert bridge.stats.duplicates == 50
    assert wait_until(lambda: bridge.stats.acked == 100)


def test_mosquitto_enforces_the_device_rights(
    mosquitto: MosquittoInstance, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    recorder = Recorder()
    bridges(mosquitto.port, recorder)
    assert not clients(mosquitto.port, DEVICE.username, password="wrong").accepted
    assert not clients(mosquitto.port, None).accepted  # anonymous
    device = clients(mosquitto.port, DEVICE.username)
    for topic in (FOREIGN, "v1.1/Observations", "v1.1/TaskingCapabilities(4)/Tasks"):
        device.publish(topic, b'{"result": "denied"}')  # dropped by the broker, silently
    device.publish(OWN, b'{"result": "own"}')
    device.publish(task_status_topic(4), b'{"status": "done"}')
    recorder.wait_for(2)
    time.sleep(0.2)
    assert [m.topic for m in recorder.messages] == [OWN, task_status_topic(4)]

    device.subscribe("v1.1/TaskingCapabilities(9)/Tasks")  # granted, yet never delivered
    device.subscribe("v1.1/#")
    device.subscribe("v1.1/TaskingCapabilities(4)/Tasks")
    staff = clients(mosquitto.port, STAFF.username)
    staff.publish("v1.1/TaskingCapabilities(9)/Tasks", b'{"taskingParameters": {"n": 9}}')
    staff.publish("v1.1/TaskingCapabilities(4)/Tasks", b'{"taskingParameters": {"n": 4}}')
    assert wait_until(lambda: len(device.received) >= 1)
    time.sleep(0.2)
    assert device.received == [
        ("v1.1/TaskingCapabilities(4)/Tasks", b'{"taskingParameters": {"n": 4}}')
    ]
    # Staff may create anywhere: the Tasks and an Observation reached the bridge.
    staff.publish("v1.1/Observations", b'{"result": "staff"}')
    recorder.wait_for(5)
    assert [m.topic for m in recorder.messages[2:]] == [
        "v1.1/TaskingCapabilities(9)/Tasks",
        "v1.1/TaskingCapabilities(4)/Tasks",
        "v1.1/Observations",
    ]


def test_mosquitto_reloads_credentials_and_rights(
    mosquitto: MosquittoInstance,
    bridges: Callable[..., MqttBridge],
    clients: Callable[..., Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = Recorder()
    bridges(mosquitto.port, recorder)
    newcomer = Principal("device-3", datastreams=frozenset({7}))
    monkeypatch.setitem(SECRETS, newcomer.username, "secret-of-device-3")
    assert not clients(mosquitto.port, newcomer.username).accepted
    mosquitto.add_accounts([Account(newcomer, hash_password(SECRETS[newcomer.username]))])
    device = clients(mosquitto.port, newcomer.username)
    assert device.accepted
    device.publish("v1.1/Datastreams(7)/Observations", b'{"result": 7}')
    recorder.wait_for(1)
    assert recorder.messages[0].topic == "v1.1/Datastreams(7)/Observations"


def test_a_device_cannot_take_the_session_of_the_bridge(
    mosquitto: MosquittoInstance, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    recorder = Recorder()
    bridge = bridges(mosquitto.port, recorder)
    intruder = clients(mosquitto.port, DEVICE.username, client_id=bridge.client_id)
    assert intruder.accepted  # under its own user name: use_username_as_clientid
    intruder.publish(OWN, b'{"result": 1}')
    recorder.wait_for(1)
    assert bridge.stats.connects == 1


def test_the_bridge_does_not_receive_its_own_notifications(
    mosquitto: MosquittoInstance, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    recorder = Recorder()
    bridge = bridges(mosquitto.port, recorder)
    device = clients(mosquitto.port, DEVICE.username)
    device.subscribe(OWN)
    # Longer than 127 bytes: a two-byte remaining length.
    link = b"http://x/v1.1/Observations(1)" + b"/" * 300
    notification = b'{"@iot.id": 1, "@iot.selfLink": "%s"}' % link
    assert bridge.publish(OWN, notification, qos=1)  # paho's path
    assert bridge.publish(OWN, notification)  # QoS 0: written by LeanClient
    assert bridge.publish_many([(OWN, notification), ("v1.1/Observations", notification)])
    device.publish(OWN, b'{"result": 2}')
    recorder.wait_for(1)
    assert wait_until(lambda: len(device.received) == 4)  # subscribers do get them
    assert device.received.count((OWN, notification)) == 3  # intact
    time.sleep(0.2)
    assert recorder.payloads() == [b'{"result": 2}']
    assert bridge.stats.notifications == 0  # No Local: the broker did not even send it back


# -- the embedded broker (amqtt, MQTT 3.1.1) --------------------------------------------------


def test_embedded_broker_enforces_the_device_rights(
    embedded: EmbeddedBroker, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    recorder = Recorder()
    bridge = bridges(embedded.port, recorder)
    assert bridge.protocol == "3.1.1"
    assert not clients(embedded.port, DEVICE.username, password="wrong").accepted
    assert not clients(embedded.port, None).accepted
    assert not clients(embedded.port, DEVICE.username, will=FOREIGN).accepted
    device = clients(embedded.port, DEVICE.username)
    for topic in (FOREIGN, "v1.1/Observations", "v1.1/TaskingCapabilities(4)/Tasks"):
        device.publish(topic, b'{"result": "denied"}')
    device.publish(OWN, b'{"result": "own"}')
    recorder.wait_for(1)
    time.sleep(0.2)
    assert [m.topic for m in recorder.messages] == [OWN]

    assert device.subscribe("v1.1/TaskingCapabilities(9)/Tasks")[0].is_failure
    assert device.subscribe("v1.1/#")[0].is_failure
    assert not device.subscribe("v1.1/TaskingCapabilities(4)/Tasks")[0].is_failure
    staff = clients(embedded.port, STAFF.username)
    staff.publish("v1.1/TaskingCapabilities(9)/Tasks", b'{"n": 9}')
    staff.publish("v1.1/TaskingCapabilities(4)/Tasks", b'{"n": 4}')
    staff.publish("v1.1/Observations", b'{"result": "staff"}')
    recorder.wait_for(4)
    assert wait_until(lambda: len(device.received) >= 1)
    time.sleep(0.2)
    assert device.received == [("v1.1/TaskingCapabilities(4)/Tasks", b'{"n": 4}')]
    # New rights apply to the live session at once.
    embedded.update_principal(replace(DEVICE, datastreams=frozenset({5, 6})))
    time.sleep(0.1)
    device.publish(FOREIGN, b'{"result": "granted"}')
    recorder.wait_for(5)
    assert recorder.messages[-1].topic == FOREIGN


def test_embedded_broker_keeps_the_bridge_session_and_own_notifications_are_dropped(
    embedded: EmbeddedBroker, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    bridges(embedded.port, Recorder()).stop()
    device = clients(embedded.port, DEVICE.username)
    for payload in numbered(20):
        device.publish(OWN, payload)  # queued in the bridge's session
    recorder = Recorder()
    bridge = bridges(embedded.port, recorder)
    recorder.wait_for(20)
    assert recorder.payloads() == numbered(20)
    # MQTT 3.1.1 has no No Local: the notifications come back and are dropped.
    assert bridge.publish(OWN, b'{"@iot.id": 1, "result": 0}', qos=1)
    assert bridge.publish_many([(OWN, b'{"@iot.id": 2, "result": 0}')])
    device.publish(OWN, b'{"result": 99}')
    recorder.wait_for(21)
    time.sleep(0.2)
    assert recorder.payloads()[20:] == [b'{"result": 99}']
    assert bridge.stats.notifications == 2


def test_the_bridge_reconnects_to_a_restarted_embedded_broker(
    bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    users = Users([BRIDGE, DEVICE])
    with EmbeddedBroker(users, port=0) as first:
        port = first.port
        recorder = Recorder()
        bridge = bridges(port, recorder)
    with EmbeddedBroker(users, port=port):
        assert wait_until(lambda: bridge.stats.connects == 2)
        assert bridge.wait_ready(10)  # subscribed again: the new broker has no session
        clients(port, DEVICE.username).publish(OWN, b'{"result": 1}')
        recorder.wait_for(1)
        bridge.stop()


def test_embedded_broker_protects_sessions_and_keeps_nothing_retained(
    embedded: EmbeddedBroker, bridges: Callable[..., MqttBridge], clients: Callable[..., Client]
) -> None:
    recorder = Recorder()
    bridge = bridges(embedded.port, recorder)
    assert not clients(embedded.port, DEVICE.username, client_id=bridge.client_id).accepted
    assert not clients(
        embedded.port, BRIDGE.username, password="wrong", client_id=bridge.client_id
    ).accepted
    device = clients(embedded.port, DEVICE.username, client_id="device-1")
    device.publish(OWN, b'{"result": 1}', retain=True)
    recorder.wait_for(1)
    assert bridge.stats.connects == 1  # never cut off
    later = clients(embedded.port, DEVICE.username)
    later.subscribe(OWN)
    later.subscribe("v1.1/TaskingCapabilities(4)/Tasks")
    device.publish(OWN, b'{"result": 2}')
    assert wait_until(lambda: len(later.received) >= 1)
    time.sleep(0.2)
    assert later.received == [(OWN, b'{"result": 2}')]  # not the retained one
