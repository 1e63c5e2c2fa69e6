"""MQTT transport throughput: devices -> Mosquitto -> the bridge (no-op handler), beside a
plain paho subscriber and mosquitto_sub (C) receiving the same messages.

    python benchmarks/mqtt_transport.py [--devices 1000] [--duration 10] [--rate 0 20000]
                                        [--subscribers bridge paho mosquitto_sub]

For each subscriber and each total rate (0: as fast as the devices can, each keeping
--window QoS 1 messages in flight) it starts a private Mosquitto (`MosquittoInstance`: one
account and ACL per device), the subscriber, and one publisher process in which the devices are
raw MQTT 3.1.1 connections on asyncio with pre-built PUBLISH packets (a paho client per device
would cost more CPU than the broker). Devices publish on `v1.1/Datastreams(i)/Observations` at
QoS 1; the subscriber takes `v1.1/+/Observations` at QoS 1 (the bridge: MQTT v5, persistent
session, manual acknowledgement after its handler returned).

It prints, per run: messages accepted by the broker per second, messages received per second
by the subscriber (after a warm-up), what was still queued when the devices stopped (drained
afterwards and timed), and the CPU used by the subscriber, Mosquitto and the publisher (all
three share this machine's cores: a production broker would not carry the publishers).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from parvis.sensing.mqtt.acl import Principal  # noqa: E402
from parvis.sensing.mqtt.bridge import Message, MqttBridge  # noqa: E402
from parvis.sensing.mqtt.mosquitto import Account, MosquittoInstance, hash_password  # noqa: E402

TOPIC_FILTER = "v1.1/+/Observations"
SUBSCRIBER = Principal("bench-subscriber", staff=True)
SECRET = "benchmark-secret"  # noqa: S105 - every account's, on a broker that lives for one run
TICKS = os.sysconf("SC_CLK_TCK")


# -- the devices (a child process) -----------------------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = n >> 7, n & 0x7F
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _str(value: str) -> bytes:
    raw = value.encode()
    return len(raw).to_bytes(2, "big") + raw


def connect_packet(client_id: str, username: str, password: str) -> bytes:
    body = b"\x00\x04MQTT\x04\xc2\x00\x3c" + _str(client_id) + _str(username) + _str(password)
    return b"\x10" + _varint(len(body)) + body


def payloads(device: int) -> list[bytes]:
    return [
        b'{"phenomenonTime":"2025-05-01T12:%02d:%02dZ","result":%d.%d}'
        % (i // 60, i % 60, 15 + device % 10, i)
        for i in range(16)
    ]


@dataclass
class Counters:
    sent: int = 0
    acked: int = 0
    refused: int = 0
    connected: int = 0


async def _device(
    index: int,
    port: int,
    counters: Counters,
    go: asyncio.Event,
    timing: dict[str, float],
    window: int,
    per_second: float,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    name = f"bench-device-{index}"
    writer.write(connect_packet(name, name, SECRET))
    connack = await reader.readexactly(4)
    if connack[3] != 0:
        counters.refused += 1
        writer.close()
        return
    counters.connected += 1
    topic = _str(f"v1.1/Datastreams({index + 1})/Observations")
    packets = [(topic, p) for p in payloads(index)]
    inflight = 0
    wake = asyncio.Event()

    async def read_acks() -> None:
        nonlocal inflight
        pending = 0
        while True:
            data = await reader.read(65536)
            if not data:
                return
            pending += len(data)
            done, pending = divmod(pending, 4)  # PUBACK: 40 02 id id
            inflight -= done
            counters.acked += done
            wake.set()

    acks = asyncio.create_task(read_acks())
    await go.wait()
    loop = asyncio.get_running_loop()
    end = timing["end"]
    packet_id = 0
    credit = 0.0
    tick = 0.1
    next_tick = loop.time()
    while loop.time() < end:
        if per_second > 0:
            credit += per_second * tick
            budget = int(credit)
            credit -= budget
        else:
            budget = window
        chunk = []
        while budget > 0 and inflight < window:
            packet_id = packet_id % 65535 + 1
            topic_bytes, payload = packets[packet_id % 16]
            body = topic_bytes + packet_id.to_bytes(2, "big") + payload
            chunk.append(b"\x32" + _varint(len(body)) + body)
            inflight += 1
            budget -= 1
        counters.sent += len(chunk)
        writer.write(b"".join(chunk))
        await writer.drain()
        if per_second > 0:
            next_tick += tick
            await asyncio.sleep(max(0.0, next_tick - loop.time()))
        elif inflight >= window:
            wake.clear()
            await wake.wait()
    deadline = loop.time() + 30
    while inflight > 0 and loop.time() < deadline:
        wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), 1)
    writer.write(b"\xe0\x00")  # DISCONNECT
    await writer.drain()
    writer.close()
    acks.cancel()


async def _devices(
    port: int, count: int, window: int, rate: float, duration: float, conn: Connection
) -> None:
    counters = Counters()
    go = asyncio.Event()
    timing: dict[str, float] = {}
    per_second = rate / count if rate > 0 else 0.0
    tasks = [
        asyncio.create_task(_device(i, port, counters, go, timing, window, per_second))
        for i in range(count)
    ]
    while counters.connected + counters.refused < count:
        await asyncio.sleep(0.05)
    conn.send(("ready", counters.connected, counters.refused))
    conn.recv()  # go
    cpu0 = os.times()
    timing["end"] = asyncio.get_running_loop().time() + duration
    go.set()
    await asyncio.sleep(duration)
    sent, acked = counters.sent, counters.acked
    cpu1 = os.times()
    await asyncio.gather(*tasks)
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    conn.send(("done", sent, acked, counters.sent, counters.acked, cpu))


def publisher_main(
    port: int, count: int, window: int, rate: float, duration: float, conn: Connection
) -> None:
    asyncio.run(_devices(port, count, window, rate, duration, conn))


# -- the subscribers (this process) ----------------------------------------------------------


class NoOp:
    def handle_batch(self, messages: Sequence[Message]) -> None:
        pass


class Subscriber:
    """received(): messages so far; cpu(): CPU seconds of the subscriber so far."""

    received: Callable[[], int]
    cpu: Callable[[], float]

    def stop(self) -> None: ...


def proc_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class BridgeSubscriber(Subscriber):
    def __init__(self, port: int) -> None:
        self.bridge = MqttBridge(
            NoOp(), port=port, username=SUBSCRIBER.username, password=SECRET,
            filters=(TOPIC_FILTER,), batch_size=1000, receive_maximum=10_000,
        )  # fmt: skip
        self.bridge.start()
        assert self.bridge.wait_ready(10)
        self.received = lambda: self.bridge.stats.handled
        self.cpu = time.process_time

    def stop(self) -> None:
        self.bridge.stop()


class PahoSubscriber(Subscriber):
    """paho with automatic acknowledgement and nothing else: the floor of the bridge's cost."""

    def __init__(self, port: int) -> None:
        self.count = 0
        ready = threading.Event()
        client = mqtt.Client(CallbackAPIVersion.VERSION2, "bench-paho", protocol=mqtt.MQTTv5)
        client.username_pw_set(SUBSCRIBER.username, SECRET)

        def on_message(c: mqtt.Client, u: object, m: mqtt.MQTTMessage) -> None:
            self.count += 1

        client.on_message = on_message
        client.on_subscribe = lambda *a: ready.set()
        client.on_connect = lambda c, *a: c.subscribe(TOPIC_FILTER, qos=1)
        client.connect("127.0.0.1", port)
        client.loop_start()
        assert ready.wait(10)
        self.client = client
        self.received = lambda: self.count
        self.cpu = time.process_time

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.client.on_message = self.client.on_subscribe = self.client.on_connect = None


class MosquittoSubSubscriber(Subscriber):
    """mosquitto_sub (C), one line per message read from a pipe by a counting thread."""

    def __init__(self, port: int) -> None:
        self.count = 0
        self.process = subprocess.Popen(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-u", SUBSCRIBER.username,
             "-P", SECRET, "-q", "1", "-t", TOPIC_FILTER, "-i", "bench-mosquitto-sub"],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        self.thread = threading.Thread(target=self._count, daemon=True)
        self.thread.start()
        time.sleep(1.0)  # no readiness signal: give it time to subscribe
        self.received = lambda: self.count
        self.cpu = lambda: proc_cpu(self.process.pid)

    def _count(self) -> None:
        assert self.process.stdout is not None
        while chunk := self.process.stdout.read1(1 << 16):
            self.count += chunk.count(b"\n")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.thread.join(10)
        if self.process.stdout is not None:
            self.process.stdout.close()


SUBSCRIBERS: dict[str, Callable[[int], Subscriber]] = {
    "bridge": BridgeSubscriber,
    "paho": PahoSubscriber,
    "mosquitto_sub": MosquittoSubSubscriber,
}


@dataclass
class Result:
    subscriber: str
    rate: float
    devices: int
    accepted_per_s: float
    received_per_s: float
    backlog: int
    drain_s: float
    sub_cpu_pct: float
    broker_cpu_pct: float
    publisher_cpu_pct: float

    @property
    def sub_us_per_msg(self) -> float:
        return self.sub_cpu_pct / 100 / self.received_per_s * 1e6 if self.received_per_s else 0


def run(
    name: str, devices: int, rate: float, duration: float, warmup: float, window: int
) -> Result:
    accounts = [Account(SUBSCRIBER, hash_password(SECRET))]
    accounts += [
        Account(
            Principal(f"bench-device-{i}", datastreams=frozenset({i + 1})), hash_password(SECRET)
        )
        for i in range(devices)
    ]
    with MosquittoInstance(accounts) as broker:
        assert broker.pid is not None
        subscriber = SUBSCRIBERS[name](broker.port)
        ctx = mp.get_context("spawn")
        ours, theirs = ctx.Pipe()
        child = ctx.Process(
            target=publisher_main, args=(broker.port, devices, window, rate, duration, theirs)
        )
        child.start()
        _tag, connected, refused = ours.recv()
        if refused or connected != devices:
            raise RuntimeError(f"{refused} devices refused")
        ours.send("go")
        start = time.monotonic()
        time.sleep(warmup)
        r0, s0, b0 = subscriber.received(), subscriber.cpu(), proc_cpu(broker.pid)
        t0 = time.monotonic()
        time.sleep(max(0.0, start + duration - time.monotonic()))
        r1, s1, b1 = subscriber.received(), subscriber.cpu(), proc_cpu(broker.pid)
        t1 = time.monotonic()
        _tag, _sent, acked, _all_sent, all_acked, publisher_cpu = ours.recv()
        backlog = acked - r1
        while subscriber.received() < all_acked and time.monotonic() - t1 < 120:
            time.sleep(0.05)
        drain = time.monotonic() - t1
        child.join(30)
        subscriber.stop()
    span = t1 - t0
    return Result(
        name, rate, devices, acked / duration, (r1 - r0) / span, backlog, drain,
        100 * (s1 - s0) / span, 100 * (b1 - b0) / span, 100 * publisher_cpu / duration,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--window", type=int, default=20, help="QoS 1 in flight per device")
    parser.add_argument("--rate", type=float, nargs="+", default=[0, 20000], help="0: max")
    parser.add_argument("--subscribers", nargs="+", default=list(SUBSCRIBERS))
    args = parser.parse_args()
    if shutil.which("mosquitto_sub") is None and "mosquitto_sub" in args.subscribers:
        args.subscribers.remove("mosquitto_sub")
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; {args.devices} devices,"
        f" {args.duration:.0f} s per run (warm-up {args.warmup:.0f} s)"
    )
    header = (
        f"{'subscriber':<14}{'target/s':>10}{'accepted/s':>12}{'received/s':>12}"
        f"{'backlog':>9}{'drain s':>9}{'sub CPU':>9}{'µs/msg':>8}{'broker':>8}{'devices':>9}"
    )
    print(header)
    print("-" * len(header))
    for rate in args.rate:
        for name in args.subscribers:
            r = run(name, args.devices, rate, args.duration, args.warmup, args.window)
            target = f"{rate:,.0f}" if rate else "max"
            print(
                f"{r.subscriber:<14}{target:>10}{r.accepted_per_s:>12,.0f}{r.received_per_s:>12,.0f}"
                f"{r.backlog:>9,}{r.drain_s:>9.1f}{r.sub_cpu_pct:>8.0f}%{r.sub_us_per_msg:>8.1f}"
                f"{r.broker_cpu_pct:>7.0f}%{r.publisher_cpu_pct:>8.0f}%",
                flush=True,
            )


if __name__ == "__main__":
    main()
