"""The server's MQTT client: receives the Observations and Tasks that devices PUBLISH, hands
them to the storage in batches, and acknowledges each only once the storage has committed it.

Delivery (QoS 1 end to end): the bridge keeps a persistent session (MQTT v5 `clean_start=False`
with a session expiry, or 3.1.1 `clean_session=False`), so the broker queues what arrives while
it is away, and acknowledges manually: a PUBACK leaves only after `Handler.handle_batch`
returned. A batch the handler cannot commit now (`TransientError`: the database is down) is
retried, in order and unacknowledged, with a backoff from 0.1 s to 5 s until it succeeds or the
bridge stops; the broker then redelivers whatever was not acknowledged. Delivery is at least
once: a message whose PUBACK was lost in a broken connection is handled again.

Batching: messages are queued in arrival order by the network thread and taken by one worker
thread, up to `batch_size` at a time or whatever came within `batch_wait` seconds of the first;
a slow commit lets the next batch fill up meanwhile (the storage commits once per batch).
With MQTT v5 the bridge asks for up to `receive_maximum` unacknowledged messages in flight
(Mosquitto's `max_inflight_messages` sets it for 3.1.1). The network side costs about 11 µs of
CPU a message (`client.LeanClient`), so 20,000 messages/s take a fifth of a core before the
storage's work.

Redeliveries: after a reconnection into the same session the broker resends, with the DUP
flag and the same packet id, every message not yet acknowledged. The bridge may still hold
those (queued, or being committed): it recognises the copy (same id, topic and payload) and
acknowledges the original once committed instead of handling it twice.

Own notifications: the server publishes the JSON of new Observations and Tasks on the very
topics devices create them on (`v1.1/Datastreams(12)/Observations`). With MQTT v5 the
subscriptions carry No Local, so the broker does not send the bridge its own publications.
MQTT 3.1.1 (amqtt, the embedded broker) has no such option: there, and as a safety net for
notifications published by another connection, a payload whose top-level object has
`@iot.id` or `@iot.selfLink` is a notification, acknowledged and dropped without reaching the
handler. A create never carries either (the service sets ids: the payload check refuses one),
so no valid creation is lost, and the test costs a substring search per message. Publish the
notifications of a committed batch with `publish_many` (QoS 0, one write): at three topics per
Observation, 20,000 Observations/s make 60,000 notifications/s.

Protocol: "auto" probes the broker once (`client.probe_protocol`) and uses v5 when it can;
pass "3.1.1" for the embedded broker to spare it the probe.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Literal, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from parvis.sensing.mqtt.acl import TASK_STATUS_PREFIX
from parvis.sensing.mqtt.client import LeanClient, probe_protocol, release
from parvis.sensing.sta.model import VERSIONS

log = logging.getLogger(__name__)

# Every topic a creation may come on (18-088 §14.1, 17-079 §9), one `+` for `Datastreams(12)`,
# `FeaturesOfInterest(3)`, `TaskingCapabilities(4)`..., and the devices' task-status topics.
CREATE_FILTERS: Final = (
    *(
        f"{version}/{path}"
        for version in VERSIONS
        for path in ("Observations", "+/Observations", "Tasks", "+/Tasks")
    ),
    f"{TASK_STATUS_PREFIX}/+/TaskStatus",
)
_UNSUPPORTED_PROTOCOL: Final = 0x84  # CONNACK reason: the broker speaks no MQTT v5
_IDLE_WAIT: Final = 0.25  # s: how often an idle worker looks at stop and protocol requests


ProtocolOption = Literal["auto", "5", "3.1.1"]


@dataclass(frozen=True, slots=True)
class Message:
    """One received PUBLISH: `mid` and `qos` are the broker's, for information only."""

    topic: str
    payload: bytes
    mid: int
    qos: int


class Handler(Protocol):
    def handle_batch(self, messages: Sequence[Message]) -> None:
        """Commit the valid messages of the batch, log and drop the invalid ones.

        Raise TransientError (wrapping e.g. SQLAlchemy's OperationalError) when nothing could
        be committed for now: the same batch comes again later, none of it acknowledged.
        """
        ...


class TransientError(Exception):
    """The batch could not be committed now (the database is down...): retry, do not ack."""


@dataclass
class BridgeStats:
    """Counters for tests and benchmarks (each written by one thread)."""

    received: int = 0  # PUBLISH packets from the broker, redeliveries included
    handled: int = 0  # messages in batches the handler committed
    batches: int = 0  # successful handle_batch calls
    acked: int = 0  # PUBACKs sent
    retries: int = 0  # failed handle_batch calls
    duplicates: int = 0  # redeliveries recognised as a message already held
    notifications: int = 0  # own notifications (and invalid topics) dropped
    connects: int = 0  # successful CONNACKs


def is_notification(payload: bytes) -> bool:
    """Whether `payload` is an entity as the server publishes it (top-level id or selfLink)."""
    if b'"@iot.' not in payload:
        return False  # the usual case, decided without parsing
    try:
        document = json.loads(payload)
    except ValueError:
        return False
    return isinstance(document, dict) and ("@iot.id" in document or "@iot.selfLink" in document)


class _Pending:
    """A received message on its way: `ack_mid` is the packet id to acknowledge on the
    current connection (None: nothing to acknowledge, or the connection it came on is gone)."""

    __slots__ = ("ack_mid", "done", "message", "skip")

    def __init__(self, message: Message, ack_mid: int | None, *, skip: bool = False) -> None:
        self.message = message
        self.ack_mid = ack_mid
        self.skip = skip  # acknowledged in order but not handed to the handler
        self.done = skip


class MqttBridge:
    """Connects to the broker with staff (internal) credentials, subscribes to
    `filters` at QoS 1, and feeds `handler` in batches (see the module docstring).

    ```
    bridge = MqttBridge(handler, host="127.0.0.1", port=1883, username="parvis",
                        password=secret)
    bridge.start()            # returns at once; connects and reconnects in the background
    bridge.publish("v1.1/Datastreams(12)/Observations", notification_json)
    bridge.stop()
    ```
    """

    def __init__(
        self,
        handler: Handler,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        username: str | None = None,
        password: str | None = None,
        client_id: str = "parvis-bridge",
        protocol: ProtocolOption = "auto",
        filters: Iterable[str] = CREATE_FILTERS,
        batch_size: int = 1000,
        batch_wait: float = 0.05,
        receive_maximum: int = 10_000,
        session_expiry: int = 7 * 24 * 3600,
        keepalive: int = 30,
        backoff: tuple[float, float] = (0.1, 5.0),
    ) -> None:
        if batch_size < 1 or not 1 <= receive_maximum <= 65535:
            raise ValueError("batch_size >= 1 and 1 <= receive_maximum <= 65535")
        self.handler = handler
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.client_id = client_id
        self.protocol_option: ProtocolOption = protocol
        self.filters = tuple(filters)
        self.batch_size, self.batch_wait = batch_size, batch_wait
        self.receive_maximum, self.session_expiry = receive_maximum, session_expiry
        self.keepalive = keepalive
        self.backoff = backoff
        self.stats = BridgeStats()

        self._cond = threading.Condition()
        self._queue: deque[_Pending] = deque()
        self._inflight: list[_Pending] = []
        # Held messages of an earlier connection to the same session, by their packet id:
        # the broker will send them again (DUP) and they are acknowledged then.
        self._stale: dict[int, _Pending] = {}
        self._client: mqtt.Client | None = None
        self._protocol = (
            MQTTProtocolVersion.MQTTv311 if protocol == "3.1.1" else MQTTProtocolVersion.MQTTv5
        )
        self._connected = False
        self._downgrade = False
        self._ready = threading.Event()  # connected and subscribed
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def protocol(self) -> str | None:
        """The MQTT version in use once connected ("5" or "3.1.1"), else None."""
        if not self._connected:
            return None
        return "5" if self._protocol == MQTTProtocolVersion.MQTTv5 else "3.1.1"

    def start(self) -> None:
        """Connect in the background (reconnecting forever) and start the batch worker."""
        if self._worker is not None:
            return
        self._stopping.clear()
        self._worker = threading.Thread(target=self._run, name="parvis-mqtt-bridge", daemon=True)
        self._worker.start()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Wait until connected and subscribed (for tests and start-up checks)."""
        return self._ready.wait(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch being handled (acknowledging it), then disconnect. Messages still
        queued stay unacknowledged: the broker delivers them again to the next session."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.join(timeout)
            if worker.is_alive():
                log.warning("MQTT bridge: the handler did not return within %.0f s", timeout)
        with self._cond:
            client, self._client = self._client, None
            self._connected = False
            self._ready.clear()
        if client is not None:
            release(client)

    def __enter__(self) -> MqttBridge:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def publish(self, topic: str, payload: bytes, qos: int = 0, retain: bool = False) -> bool:
        """Publish a notification (thread-safe); False if it could not even be queued (QoS 0
        while disconnected). On a create topic the payload must be the entity with its
        `@iot.id` (see the module docstring)."""
        client = self._client
        if client is None:
            return False
        if qos == 0 and not retain and isinstance(client, LeanClient):
            return client.publish_many(((topic, payload),))
        info = client.publish(topic, payload, qos=qos, retain=retain)
        return info.rc == MQTTErrorCode.MQTT_ERR_SUCCESS

    def publish_many(self, items: Iterable[tuple[str, bytes]]) -> bool:
        """Publish notifications at QoS 0 in one write (thread-safe): the way to publish the
        notifications of a committed batch (about 2 µs each instead of 15)."""
        client = self._client
        if not isinstance(client, LeanClient):
            return False
        return client.publish_many(items)

    # -- connection (paho's network thread) --------------------------------------------------

    def _connect(self) -> None:
        """A new client in self._client, then its network thread (which calls back at once)."""
        client = self._new_client()
        with self._cond:
            self._client = client
        client.loop_start()

    def _new_client(self) -> mqtt.Client:
        v5 = self._protocol == MQTTProtocolVersion.MQTTv5
        client = LeanClient(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=self._protocol,
            clean_session=None if v5 else False,
            manual_ack=True,
        )
        if self.username is not None:
            client.username_pw_set(self.username, self.password)
        client.max_queued_messages_set(0)  # notifications published while reconnecting
        client.max_inflight_messages_set(1000)
        client.reconnect_delay_set(1, 5)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.deliver = self._receive
        if v5:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = self.session_expiry
            properties.ReceiveMaximum = self.receive_maximum
            client.connect_async(
                self.host, self.port, self.keepalive, clean_start=False, properties=properties
            )
        else:
            client.connect_async(self.host, self.port, self.keepalive)
        return client

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            if reason == _UNSUPPORTED_PROTOCOL and self.protocol_option == "auto":
                with self._cond:
                    self._downgrade = True  # the worker reconnects with MQTT 3.1.1
                    self._cond.notify_all()
                return
            log.warning(
                "MQTT bridge: %s:%d refused the connection: %s", self.host, self.port, reason
            )
            return
        with self._cond:
            if client is not self._client:
                return
            self._connected = True
            self.stats.connects += 1
            held = [*self._inflight, *self._queue]
            if flags.session_present:
                for pending in held:
                    if pending.ack_mid is not None:
                        self._stale[pending.ack_mid] = pending
                        pending.ack_mid = None
            else:
                # A new session: nothing held will be sent again, nor can be acknowledged.
                self._stale.clear()
                for pending in held:
                    pending.ack_mid = None
        log.info(
            "MQTT bridge connected to %s:%d (MQTT %s, session %s)",
            self.host,
            self.port,
            self.protocol,
            "resumed" if flags.session_present else "new",
        )
        if not self.filters:
            self._ready.set()  # a publisher only (another worker receives)
        elif self._protocol == MQTTProtocolVersion.MQTTv5:
            client.subscribe([(f, SubscribeOptions(qos=1, noLocal=True)) for f in self.filters])
        else:
            client.subscribe([(f, 1) for f in self.filters])

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        refused = [f for f, r in zip(self.filters, reasons, strict=False) if r.is_failure]
        if refused:
            log.error("MQTT bridge: subscriptions refused (check its rights): %s", refused)
        self._ready.set()

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        with self._cond:
            if client is self._client:
                self._connected = False
                self._ready.clear()
        if not self._stopping.is_set():
            log.warning("MQTT bridge disconnected from %s:%d: %s", self.host, self.port, reason)

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        # paho's own path: PUBLISH packets with properties (see client.LeanClient).
        self._receive(client, msg._topic, bytes(msg.payload), msg.mid, msg.qos, msg.dup)

    def _receive(
        self, client: mqtt.Client, raw_topic: bytes, payload: bytes, mid: int, qos: int, dup: bool
    ) -> None:
        try:
            topic: str | None = raw_topic.decode()
        except UnicodeDecodeError:
            topic = None  # brokers refuse such topics; acknowledge and drop if one gets here
        ack_mid = mid if qos > 0 else None
        skip = topic is None or is_notification(payload)
        with self._cond:
            if client is not self._client:
                return
            self.stats.received += 1
            if dup and ack_mid is not None:
                held = self._stale.pop(ack_mid, None)
                if held is not None and (held.message.topic, held.message.payload) == (
                    topic,
                    payload,
                ):
                    self.stats.duplicates += 1
                    if held.done:  # committed: acknowledge in turn
                        self._queue.append(_Pending(held.message, ack_mid, skip=True))
                    else:
                        held.ack_mid = ack_mid  # acknowledged once committed
                    self._wake()
                    return
            if skip:
                self.stats.notifications += 1
            message = Message(topic or "", payload, mid, qos)
            self._queue.append(_Pending(message, ack_mid, skip=skip))
            self._wake()

    def _wake(self) -> None:
        # Called with the lock held: wake the worker when it has something to do.
        if len(self._queue) == 1 or len(self._queue) >= self.batch_size:
            self._cond.notify()

    # -- batches (the worker thread) ---------------------------------------------------------

    def _run(self) -> None:
        if not self._establish():
            return
        while not self._stopping.is_set():
            if self._downgrade:
                self._switch_to_v311()
            batch = self._take_batch()
            if not batch:
                continue
            messages = [p.message for p in batch if not p.skip]
            if messages and not self._handle(messages):
                return  # stopped while retrying: nothing acknowledged
            self._acknowledge(batch)

    def _establish(self) -> bool:
        """Learn the protocol if asked to ("auto"), then connect; False if stopped before."""
        delay, longest = self.backoff
        while self.protocol_option == "auto" and not self._stopping.is_set():
            found = probe_protocol(self.host, self.port)
            if found is not None:
                v5 = found == "5"
                self._protocol = MQTTProtocolVersion.MQTTv5 if v5 else MQTTProtocolVersion.MQTTv311
                break
            log.warning(
                "MQTT bridge: %s:%d unreachable, retry in %.1f s", self.host, self.port, delay
            )
            self._stopping.wait(delay)
            delay = min(delay * 2, longest)
        if self._stopping.is_set():
            return False
        self._connect()
        return True

    def _switch_to_v311(self) -> None:
        with self._cond:
            old, self._client = self._client, None
            self._downgrade = False
        log.info("MQTT bridge: %s:%d speaks no MQTT v5, using 3.1.1", self.host, self.port)
        if old is not None:
            release(old)
        self._protocol = MQTTProtocolVersion.MQTTv311
        if not self._stopping.is_set():
            self._connect()

    def _take_batch(self) -> list[_Pending]:
        with self._cond:
            if not self._queue:
                self._cond.wait(_IDLE_WAIT)
            if not self._queue or self._stopping.is_set():
                return []
            deadline = time.monotonic() + self.batch_wait
            while len(self._queue) < self.batch_size and not self._stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            count = min(self.batch_size, len(self._queue))
            batch = [self._queue.popleft() for _ in range(count)]
            self._inflight = batch
            return batch

    def _handle(self, messages: list[Message]) -> bool:
        """Call the handler until it commits the batch (True) or the bridge stops (False)."""
        delay, longest = self.backoff
        while True:
            try:
                self.handler.handle_batch(messages)
            except TransientError as e:
                log.warning("MQTT bridge: batch not committed, retry in %.1f s: %s", delay, e)
            except Exception:
                # A bug, not bad data (the handler drops bad messages): keep the messages
                # rather than lose them, and say so loudly.
                log.exception("MQTT bridge: handler failed, retry in %.1f s", delay)
            else:
                self.stats.handled += len(messages)
                self.stats.batches += 1
                return True
            self.stats.retries += 1
            if self._stopping.wait(delay):
                return False
            delay = min(delay * 2, longest)

    def _acknowledge(self, batch: list[_Pending]) -> None:
        with self._cond:
            self._inflight = []
            client = self._client
            connected = self._connected and isinstance(client, LeanClient)
            mids = []
            for pending in batch:
                pending.done = True
                mid, pending.ack_mid = pending.ack_mid, None
                if mid is None:
                    continue
                if connected:
                    mids.append(mid)
                else:
                    self._stale[mid] = pending  # acknowledged when the broker sends it again
            if mids and isinstance(client, LeanClient):
                # Under the lock, so that no reconnection slips between the check and the
                # PUBACKs (paho only queues them: it holds no lock of its own meanwhile).
                client.ack_many(mids)
                self.stats.acked += len(mids)
