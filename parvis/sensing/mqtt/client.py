"""paho-mqtt tuned for the bridge, and a probe of the broker's MQTT version.

At 20,000 messages/s paho's own receive path costs about 50 µs of CPU a message with MQTT v5:
an MQTTMessage (with a Condition) and a Properties object filled by trying each of the 27
property names per PUBLISH, three recv() calls and a select() per packet, a send() per PUBACK.
`LeanClient` takes it to about 11 µs (measured by benchmarks/mqtt_transport.py), and writes
QoS 0 notifications in about 2 µs each instead of 15. It overrides paho internals
(`_create_socket`, `_handle_publish`, `_in_packet`, `_packet_queue`, `_protocol`, `_sock`) of
paho-mqtt 2.1 and 2.2; the transport tests run every path (with and without properties, v5 and
3.1.1), so an upgrade that breaks them shows.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, Literal

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode, MQTTProtocolVersion

_READ_SIZE: Final = 1 << 16

ProtocolVersion = Literal["5", "3.1.1"]


def probe_protocol(host: str, port: int, timeout: float = 5.0) -> ProtocolVersion | None:
    """Whether the broker speaks MQTT v5: one anonymous v5 CONNECT, and the CONNACK's format.

    A v5 broker answers a v5 CONNACK (refusing us or not), a 3.1.1 broker a 2-byte one with
    "unacceptable protocol version". Sent without properties: amqtt 0.12 misreads a v5 CONNECT
    that has some and never answers. None: the broker cannot be reached.
    """
    client_id = f"parvis-probe-{secrets.token_hex(4)}".encode()
    # Protocol "MQTT" level 5, clean start, keep-alive 10 s, no properties; then the client id.
    body = b"\x00\x04MQTT\x05\x02\x00\x0a\x00" + len(client_id).to_bytes(2, "big") + client_id
    try:
        with socket.create_connection((host, port), timeout) as sock:
            sock.sendall(b"\x10" + bytes([len(body)]) + body)
            answer = b""
            while len(answer) < 2:
                chunk = sock.recv(64)
                if not chunk:
                    break
                answer += chunk
    except TimeoutError:
        return "3.1.1"  # a v5 broker answers at once
    except OSError:
        return None
    if len(answer) < 2 or answer[0] != 0x20:
        return "3.1.1" if answer == b"" else None  # closed without a word: not a v5 broker
    return "3.1.1" if answer[1] == 2 else "5"


def _remaining_length(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = n >> 7, n & 0x7F
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


Deliver = Callable[[mqtt.Client, bytes, bytes, int, int, bool], None]


class BufferedSocket:
    """Serves paho's small reads (a packet's first byte, its length, the rest) from one
    64 KiB recv(): three system calls a message fewer."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._data = b""
        self._pos = 0

    def recv(self, size: int) -> bytes:
        if self._pos >= len(self._data):
            self._data = self._sock.recv(_READ_SIZE)  # BlockingIOError: paho waits for more
            self._pos = 0
        chunk = self._data[self._pos : self._pos + size]
        self._pos += len(chunk)
        return chunk

    def pending(self) -> int:
        """Bytes read but not served yet (plus those an SSL socket holds)."""
        held = getattr(self._sock, "pending", None)
        return len(self._data) - self._pos + (held() if held is not None else 0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)  # send, fileno, setblocking, close...


class LeanClient(mqtt.Client):
    """paho's client with a lean path for the PUBLISH packets the bridge receives.

    paho decodes each into an MQTTMessage (with a Condition for its `info`) and, with MQTT v5,
    a Properties object that it fills by trying each of the 27 property names: about 20 µs a
    message, half the bridge's CPU at 20,000 messages/s. QoS 0 and 1 PUBLISHes without
    properties (all that devices send) go straight to `deliver(client, topic, payload, mid,
    qos, dup)`; anything else takes paho's own path (and `on_message`). Acknowledgement stays
    with the bridge (`manual_ack`).
    """

    deliver: Deliver | None = None

    def ack_many(self, mids: Sequence[int]) -> None:
        """PUBACKs for QoS 1 messages, written at once (paho writes one per system call).
        A PUBACK is 4 bytes in MQTT 3.1.1 and, with reason "success", in v5 (as paho's)."""
        if mids:
            packet = b"".join(b"\x40\x02" + mid.to_bytes(2, "big") for mid in mids)
            self._packet_queue(mqtt.PUBACK, packet, 0, 1)

    def publish_many(self, items: Iterable[tuple[str, bytes]]) -> bool:
        """QoS 0 PUBLISHes (not retained) written at once, without paho's per-message objects
        (about 15 µs each); False when disconnected, as paho drops QoS 0 messages then."""
        if not self.is_connected():
            return False
        properties = b"\x00" if self._protocol == MQTTProtocolVersion.MQTTv5 else b""
        parts = []
        for topic, payload in items:
            raw = topic.encode()
            if not raw or b"+" in raw or b"#" in raw:
                raise ValueError(f"not a topic name: {topic!r}")
            body = len(raw).to_bytes(2, "big") + raw + properties + payload
            parts.append(b"\x30" + _remaining_length(len(body)) + body)
        if parts:
            # Command 0: paho reads it only to run PUBLISH and DISCONNECT callbacks after writing.
            self._packet_queue(0, b"".join(parts), 0, 0)
        return True

    def _create_socket(self) -> Any:
        return BufferedSocket(super()._create_socket())

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        # paho reads one packet per select() when it has nothing in flight: read every
        # packet already buffered instead.
        rc = super().loop_read(max_packets)
        sock = self._sock
        while rc == MQTTErrorCode.MQTT_ERR_SUCCESS and isinstance(sock, BufferedSocket):
            if sock.pending() == 0:
                break
            rc = super().loop_read(max_packets)
            sock = self._sock
        return rc

    def _handle_publish(self) -> MQTTErrorCode:
        header: int = self._in_packet["command"]
        packet: bytes | bytearray = self._in_packet["packet"]
        qos = (header & 0x06) >> 1
        deliver = self.deliver
        if deliver is None or qos == 2 or len(packet) < 2:
            return super()._handle_publish()
        end = 2 + int.from_bytes(packet[:2], "big")
        topic = packet[2:end]
        mid = 0
        if qos:
            mid = int.from_bytes(packet[end : end + 2], "big")
            end += 2
        if self._protocol == MQTTProtocolVersion.MQTTv5:
            if packet[end : end + 1] != b"\x00":
                return super()._handle_publish()  # properties (or a short packet)
            end += 1
        if not topic or len(packet) < end:
            return super()._handle_publish()  # malformed: paho's error handling
        deliver(self, bytes(topic), bytes(packet[end:]), mid, qos, bool(header & 0x08))
        return MQTTErrorCode.MQTT_ERR_SUCCESS


def release(client: mqtt.Client) -> None:
    client.disconnect()
    client.loop_stop()
    # No callback left pointing back at the bridge: freed by reference counting, the client
    # closes its internal socket pair in __del__ (a garbage-collected cycle may finalise the
    # sockets first, which warns).
    client.on_connect = client.on_disconnect = client.on_subscribe = client.on_message = None
    if isinstance(client, LeanClient):
        client.deliver = None
