"""SensorThings API: ingestion over MQTT and HTTP beside PostgreSQL's own COPY of the same rows,
and reads on 10 million Observations beside the naive SQL of a FROST-like server.

    python benchmarks/sensing.py [--observations 10000000] [--streams 1000] [--devices 1000]
                                 [--mqtt-messages 200000] [--http-rows 500000]
                                 [--databases postgresql,sqlite] [--profile]

For each database in the same run (PostgreSQL on 127.0.0.1, then a temporary SQLite file in
WAL mode) the script creates a fresh database, a Sensor, an ObservedProperty and one Thing per
device (with a GeoJSON Location and the FeatureOfInterest generated from it), --streams
Datastreams spread over the Things, a device credential per Thing
(`parvis.sensing.credentials.insert_credential`) and a staff account with an API token. Then:

1. MQTT ingestion. A private Mosquitto (`MosquittoInstance`) gets one account and ACL per
   device, from the credential's stored Mosquitto hash, and one for the server. The server's
   side runs in this process exactly as `SensingRuntime` starts it with `mqtt_mode="external"`
   (MqttBridge -> Ingest.handle_batch -> bulk.insert_observations, then Service.notify). The
   devices are a separate process: raw MQTT 3.1.1 connections on asyncio with pre-built QoS 1
   PUBLISH packets (as benchmarks/mqtt_transport.py drives them), each keeping --window
   messages in flight, --mqtt-messages in all on `v1.1/Datastreams(id)/Observations`, as fast
   as the broker takes them. Sustained rate = Observations committed per second between 10 %
   and 90 % of the total. Run twice: with the server's notifications (each new Observation's
   JSON published on its topics, as in production) and without (services without a
   publisher). The time the handler spends in each step is measured around the calls
   (parsing, inserting, the streams' counters, notifying, the rest: commit and bookkeeping).
2. HTTP `POST /sta/v1.1/CreateObservations`: `parvis serve --workers N` in production mode
   (MQTT off), a client process posting dataArray bodies of --http-batch rows over --http-clients
   keep-alive connections with the staff API token.
3. After each ingestion, the database's own fastest path for the same rows, timed in the same
   run: COPY FROM STDIN on PostgreSQL, one prepared INSERT with executemany on SQLite (plus the
   streams' counters): the limit.
4. Reads: --observations rows in the --streams Datastreams (one a minute, minute after minute
   for every stream, as they would arrive), loaded with COPY (PostgreSQL) or executemany
   (SQLite), the Datastreams' counters and time ranges set, then VACUUM ANALYZE / ANALYZE (on
   PostgreSQL the small Datastreams table, bloated by the ingestion phases, is first measured
   and rewritten with VACUUM FULL: see `datastreams_table` in the results). Over
   HTTP (the same server, sequential requests on one keep-alive connection), median and p95
   of: (a) the latest Observation of every Datastream in one request, (b) one day of one
   Datastream, (c) `$count` of all Observations, (d) page 1 and page 1,000 of one Datastream
   with `$top=10`, reached by following nextLinks ($skiptoken), and the same page with
   `$skip=9990`. Beside them, in SQL on the same database: the naive peers (a window function
   for the latest per Datastream, an exact `count(*)`, `OFFSET 9990`) and the floor (the same
   index access as ours, without HTTP and JSON).

It prints a table and writes everything, with the machine, the commit and each phase's CPU
shares (this process, the devices, Mosquitto, the web server, PostgreSQL's backends of the
benchmark database, the rest of the machine), to benchmarks/results/sensing.json. All these
processes share the machine's cores. Everything stays on 127.0.0.1; the PostgreSQL database
--pg-database (parvis_bench_sensing_<pid> by default) is created, then dropped unless --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import http.client
import io
import json
import multiprocessing as mp
import os
import platform
import pstats
import random
import re
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection as PipeEnd
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from parvis.kernel.context import Context

RESULTS = ROOT / "benchmarks" / "results" / "sensing.json"
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
AIM = {
    "mqtt_obs_per_s": 20_000,
    "http_obs_per_s": 50_000,
    "latest_ms": 50,
    "day_ms": 10,
    "count_ms": 100,
}
BRIDGE_USER = "parvis"  # the server's own MQTT account (settings.mqtt_username's default)
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
GEOJSON = "application/geo+json"
# Each phase writes its own period, so rows of different phases never share a time.
READS_START = datetime(2025, 1, 1, tzinfo=UTC)
MQTT_START = datetime(2026, 1, 1, tzinfo=UTC)
HTTP_START = datetime(2027, 1, 1, tzinfo=UTC)
# Results are 15.0 ... 34.9: short JSON numbers whose repr is the text sent.
VALUES = [f"{15 + i / 10:.1f}" for i in range(200)]


def value_of(stream_index: int, minute: int) -> str:
    return VALUES[(stream_index * 7 + minute) % len(VALUES)]


# -- small helpers ---------------------------------------------------------------------------


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parvis_command() -> list[str]:
    script = Path(sys.executable).parent / "parvis"
    return [str(script)] if script.exists() else [sys.executable, "-m", "parvis"]


def clean_env(**values: str) -> dict[str, str]:
    """The current environment without any PARVIS_* setting, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARVIS_")}
    env.update(values)
    return env


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        return commit + ("+uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def cpu_model() -> str:
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float | None:
    with suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def stats_ms(seconds: Sequence[float]) -> dict[str, float]:
    """median, p95, min, max (milliseconds) and n of timings in seconds."""
    if not seconds:
        return {}
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "median": round(statistics.median(ordered) * 1000, 2),
        "p95": round(p95 * 1000, 2),
        "min": round(ordered[0] * 1000, 2),
        "max": round(ordered[-1] * 1000, 2),
        "n": len(ordered),
    }


def code_fingerprint() -> str:
    """A short hash of parvis/sensing/ as it is on disk (the working tree may be ahead of the
    commit): which server code a result was measured on."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "parvis" / "sensing").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def machine_busy(seconds: float = 2.0) -> tuple[float, list[str]]:
    """Percent of the machine busy over `seconds` (while this benchmark is idle), and the
    processes that took the most of it."""
    p0, (b0, t0) = _all_procs(), _machine()
    time.sleep(seconds)
    p1, (b1, t1) = _all_procs(), _machine()
    if t1 <= t0:
        return 0.0, []
    used = sorted(
        (
            (cpu - p0[pid][2], f"{comm} ({pid})")
            for pid, (comm, _pp, cpu) in p1.items()
            if pid in p0
        ),
        reverse=True,
    )
    ours = {os.getpid(), *(p.pid for p in mp.active_children())}
    top = [
        f"{name}{' (ours)' if int(name.rsplit('(', 1)[1][:-1]) in ours else ''} "
        f"{100 * cpu / (t1 - t0):.0f} %"
        for cpu, name in used[:3]
        if cpu > 0
    ]
    return round(100 * (b1 - b0) / (t1 - t0), 1), top


def wait_until_quiet(args: argparse.Namespace) -> float:
    """Wait (at most --quiet-wait s) while other work keeps the idle machine busier than
    --quiet-threshold %; the share found last."""
    deadline = time.monotonic() + args.quiet_wait
    busy, top = machine_busy()
    said = False
    while busy > args.quiet_threshold and time.monotonic() < deadline:
        if not said:
            print(
                f"   the machine is {busy:.0f} % busy ({', '.join(top)}); waiting "
                f"(at most {args.quiet_wait:g} s) ...",
                flush=True,
            )
            said = True
        time.sleep(3)
        busy, top = machine_busy()
    return busy


# -- CPU accounting (Linux /proc; empty elsewhere) -------------------------------------------


def _proc_stat(pid: int) -> tuple[str, int, float] | None:
    """(command, parent pid, CPU seconds of the process itself) or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _all_procs() -> dict[int, tuple[str, int, float]]:
    found = {}
    if Path("/proc").exists():
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (stat := _proc_stat(int(entry.name))) is not None:
                found[int(entry.name)] = stat
    return found


def _machine() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


def _backend_of(pid: int, database: str) -> bool:
    """Whether a postgres process serves the benchmark database (its title names it)."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, UnicodeDecodeError):
        return False
    return f" {database} " in title


@dataclass
class CpuMeter:
    """CPU seconds of named process trees, of the benchmark database's PostgreSQL backends and
    of the whole machine, to give each a share of the machine over a phase."""

    pg_database: str = ""
    trees: dict[str, int] = field(default_factory=dict)  # name -> root pid

    def snapshot(self) -> dict[str, Any]:
        procs = _all_procs()
        groups: dict[str, dict[int, float]] = {}
        for name, root in self.trees.items():
            tree, changed = {root}, True
            while changed:
                changed = False
                for pid, (_comm, ppid, _cpu) in procs.items():
                    if ppid in tree and pid not in tree and pid != os.getpid():
                        tree.add(pid)
                        changed = True
            groups[name] = {p: procs[p][2] for p in tree if p in procs}
        if self.pg_database:
            groups["postgresql"] = {
                p: cpu
                for p, (comm, _ppid, cpu) in procs.items()
                if comm == "postgres" and _backend_of(p, self.pg_database)
            }
        busy, total = _machine()
        return {"groups": groups, "busy": busy, "total": total}

    @staticmethod
    def shares(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        """Percent of the machine (100 = every core busy) over the interval."""
        total = after["total"] - before["total"]
        if total <= 0:
            return {}
        out: dict[str, float] = {}
        for name, now in after["groups"].items():
            then = before["groups"].get(name, {})
            # per process: one that ended meanwhile does not count negatively
            out[name] = round(100 * sum(c - then.get(p, 0.0) for p, c in now.items()) / total, 1)
        out["whole_machine"] = round(100 * (after["busy"] - before["busy"]) / total, 1)
        out["other"] = round(
            out["whole_machine"] - sum(v for k, v in out.items() if k != "whole_machine"), 1
        )
        return out


# -- databases -------------------------------------------------------------------------------


@dataclass
class Database:
    kind: str  # postgresql | sqlite
    url: str  # SQLAlchemy URL
    version: str
    pg_name: str = ""  # the benchmark database, on PostgreSQL
    raw_url: str = ""  # libpq URL (PostgreSQL) or file path (SQLite)

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.kind == "postgresql" else "SQLite"


def recreate_pg_database(server: str, name: str, create: bool = True) -> str:
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        fail(f"--pg-database must be a plain lower-case identifier, not {name!r}")
    admin = server.replace("postgresql+psycopg://", "postgresql://", 1) + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            if create:
                conn.execute(f"CREATE DATABASE {name}")
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else ""
    except psycopg.OperationalError as error:
        fail(f"cannot reach PostgreSQL at {server}: {error}".strip())
    return ""


@contextmanager
def database(kind: str, args: argparse.Namespace, workdir: Path) -> Iterator[Database]:
    if kind == "postgresql":
        version = recreate_pg_database(args.pg_url, args.pg_database)
        url = f"{args.pg_url}/{args.pg_database}"
        raw = url.replace("postgresql+psycopg://", "postgresql://", 1)
        try:
            yield Database(kind, url, f"PostgreSQL {version}", args.pg_database, raw)
        finally:
            if not args.keep:
                recreate_pg_database(args.pg_url, args.pg_database, create=False)
    else:
        path = workdir / "parvis_sensing.db"
        yield Database(
            kind, f"sqlite:///{path}", f"SQLite {sqlite3.sqlite_version} (WAL)", raw_url=str(path)
        )


@dataclass
class Fixture:
    """What the database holds before any Observation: ids of streams, their features and
    Things, the devices (one per Thing) and the staff token."""

    streams: list[int]  # Datastream ids, in order
    features: dict[int, int]  # Datastream id -> its generated FeatureOfInterest id
    devices: list[tuple[str, str, list[int]]]  # (username, secret, own Datastream ids)
    mqtt_hashes: dict[str, str]  # username -> Mosquitto hash stored with the credential
    token: str  # staff API token


def create_fixture(ctx: Context, streams: int, devices: int) -> Fixture:
    """Things, Locations with their generated features, Datastreams and credentials, written
    with plain inserts (as the service would store them), a staff account and its token."""
    from sqlalchemy import insert, select

    from parvis.kernel.auth import Role
    from parvis.kernel.auth.actions import create_api_token, sign_up
    from parvis.sensing.credentials import insert_credential
    from parvis.sensing.mapping import ENTITIES
    from parvis.sensing.models import DeviceCredential

    def table(name: str) -> Any:
        return ENTITIES[name].table

    def many(conn: Any, t: Any, rows: list[dict[str, Any]]) -> list[int]:
        stmt = insert(t).returning(t.c.id, sort_by_parameter_order=True)
        return [int(i) for i in conn.execute(stmt, rows).scalars().all()]

    with ctx.engine.begin() as conn:
        sensor = many(
            conn,
            table("Sensor"),
            [
                {
                    "name": "Thermometer",
                    "description": "A benchmark thermometer",
                    "encoding_type": "application/pdf",
                    "metadata": "https://example.org/sheet.pdf",
                    "properties": None,
                }
            ],
        )[0]
        prop = many(
            conn,
            table("ObservedProperty"),
            [
                {
                    "name": "Air temperature",
                    "definition": "http://vocab.nerc.ac.uk/standard_name/air_temperature/",
                    "description": "Temperature of the air",
                    "properties": None,
                }
            ],
        )[0]
        things = many(
            conn,
            table("Thing"),
            [
                {
                    "name": f"Station {i}",
                    "description": "A benchmark station",
                    "properties": None,
                    "private": False,
                    "project_id": None,
                }
                for i in range(devices)
            ],
        )
        points = [
            {
                "type": "Point",
                "coordinates": [2.25 + 0.2 * (i % 50) / 50, 48.81 + 0.1 * (i // 50 % 20) / 20],
            }
            for i in range(devices)
        ]
        features = many(
            conn,
            table("FeatureOfInterest"),
            [
                {
                    "name": f"Place {i}",
                    "description": "Generated using location details: a street",
                    "encoding_type": GEOJSON,
                    "feature": points[i],
                    "properties": None,
                }
                for i in range(devices)
            ],
        )
        places = many(
            conn,
            table("Location"),
            [
                {
                    "name": f"Place {i}",
                    "description": "a street",
                    "encoding_type": GEOJSON,
                    "location": points[i],
                    "properties": None,
                    "generated_feature_id": features[i],
                }
                for i in range(devices)
            ],
        )
        links = ENTITIES["Thing"].relations["Locations"].link
        assert links is not None
        conn.execute(
            insert(links),
            [{"thing_id": t, "location_id": p} for t, p in zip(things, places, strict=True)],
        )
        unit = {
            "name": "degree Celsius",
            "symbol": "°C",
            "definition": "http://qudt.org/vocab/unit/DEG_C",
        }
        ds = many(
            conn,
            table("Datastream"),
            [
                {
                    "name": f"Air temperature {j}",
                    "description": "Air temperature, every minute",
                    "unit_of_measurement": unit,
                    "observation_type": MEASUREMENT,
                    "observed_area": None,
                    "properties": None,
                    "observation_count": 0,
                    "thing_id": things[j % devices],
                    "sensor_id": sensor,
                    "observed_property_id": prop,
                }
                for j in range(streams)
            ],
        )
        owned: list[list[int]] = [[] for _ in range(devices)]
        for j, sid in enumerate(ds):
            owned[j % devices].append(sid)
        device_list = []
        for i, thing in enumerate(things):
            username, secret = f"bench-device-{i}", secrets.token_urlsafe(24)
            insert_credential(conn, thing, username, secret)
            device_list.append((username, secret, owned[i]))
        hashes = {
            str(u): str(h)
            for u, h in conn.execute(select(DeviceCredential.username, DeviceCredential.mqtt_hash))
        }
    with ctx.sessions() as db:
        user = sign_up(
            ctx,
            db,
            email="bench-staff@example.org",
            password=secrets.token_urlsafe(18),
            display_name="Benchmark staff",
            role=Role.STAFF,
            confirmed=True,
        )
        token = create_api_token(db, user, "benchmark")
    return Fixture(
        streams=ds,
        features={sid: features[j % devices] for j, sid in enumerate(ds)},
        devices=device_list,
        mqtt_hashes=hashes,
        token=token,
    )


def reset_observations(db: Database, engine: Engine) -> None:
    """No Observation left, every Datastream back to zero."""
    from sqlalchemy import text

    with engine.begin() as conn:
        if db.kind == "postgresql":
            conn.execute(text("TRUNCATE sta_observations"))
        else:
            conn.execute(text("DELETE FROM sta_observations"))
        conn.execute(
            text(
                "UPDATE sta_datastreams SET observation_count = 0, phenomenon_time_start = NULL, "
                "phenomenon_time_end = NULL, result_time_start = NULL, result_time_end = NULL"
            )
        )
    if db.kind == "sqlite":
        with closing(sqlite3.connect(db.raw_url)) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# -- rows, in every format -------------------------------------------------------------------

# One row: (Datastream id, FeatureOfInterest id, time, result text).
RowTuple = tuple[int, int, datetime, str]


def pg_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S+00")


def sqlite_time(t: datetime) -> str:
    # As SQLAlchemy's DateTime stores it on SQLite (UTC, the offset dropped).
    return t.strftime("%Y-%m-%d %H:%M:%S.%f")


def iso_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def device_rows(fixture: Fixture, total: int, start: datetime) -> list[list[RowTuple]]:
    """What each device publishes: its messages round-robin over its streams, a minute apart."""
    per = [total // len(fixture.devices)] * len(fixture.devices)
    for i in range(total % len(fixture.devices)):
        per[i] += 1
    index = {sid: j for j, sid in enumerate(fixture.streams)}
    out = []
    for (_user, _secret, own), count in zip(fixture.devices, per, strict=True):
        rows = []
        for k in range(count):
            sid = own[k % len(own)]
            minute = k // len(own)
            t = start + timedelta(minutes=minute)
            rows.append((sid, fixture.features[sid], t, value_of(index[sid], minute)))
        out.append(rows)
    return out


def http_bodies(fixture: Fixture, total: int, batch: int, start: datetime) -> list[list[RowTuple]]:
    """CreateObservations bodies of `batch` rows, each for one stream, the streams in turn."""
    bodies = []
    n = len(fixture.streams)
    for b in range((total + batch - 1) // batch):
        j = b % n
        sid = fixture.streams[j]
        first = (b // n) * batch
        rows = []
        for k in range(min(batch, total - b * batch)):
            minute = first + k
            t = start + timedelta(minutes=minute)
            rows.append((sid, fixture.features[sid], t, value_of(j, minute)))
        bodies.append(rows)
    return bodies


def copy_text(rows: Iterable[RowTuple]) -> str:
    return "".join(
        f"{pg}\t{pg}\t2\t{v}\t{v}\t{sid}\t{foi}\n"
        for sid, foi, t, v in rows
        for pg in (pg_time(t),)
    )


COPY_SQL = (
    "COPY sta_observations (phenomenon_time_start, phenomenon_time_end, result_type, "
    "result_number, result_string, datastream_id, feature_id) FROM STDIN"
)
SQLITE_INSERT = (
    "INSERT INTO sta_observations (phenomenon_time_start, phenomenon_time_end, result_type, "
    "result_number, result_string, datastream_id, feature_id) VALUES (?, ?, 2, ?, ?, ?, ?)"
)


def spans_of(rows: Iterable[RowTuple]) -> dict[int, list[Any]]:
    """Per stream: [count, first time, last time]."""
    spans: dict[int, list[Any]] = {}
    for sid, _foi, t, _v in rows:
        span = spans.get(sid)
        if span is None:
            spans[sid] = [1, t, t]
        else:
            span[0] += 1
            span[1] = min(span[1], t)
            span[2] = max(span[2], t)
    return spans


def update_streams_sql(db: Database, spans: dict[int, list[Any]], raw: Any) -> None:
    """Add to the streams' counters and widen their phenomenonTime, in one statement
    (PostgreSQL) or one executemany (SQLite), on a raw DB-API connection."""
    if db.kind == "postgresql":
        raw.execute(
            "UPDATE sta_datastreams d SET observation_count = d.observation_count + v.n, "
            "phenomenon_time_start = LEAST(d.phenomenon_time_start, v.t0), "
            "phenomenon_time_end = GREATEST(d.phenomenon_time_end, v.t1) "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[], %s::timestamptz[]) "
            "AS v(id, n, t0, t1) WHERE d.id = v.id",
            (
                list(spans),
                [s[0] for s in spans.values()],
                [s[1] for s in spans.values()],
                [s[2] for s in spans.values()],
            ),
        )
    else:
        raw.executemany(
            "UPDATE sta_datastreams SET observation_count = observation_count + ?, "
            "phenomenon_time_start = min(coalesce(phenomenon_time_start, ?), ?), "
            "phenomenon_time_end = max(coalesce(phenomenon_time_end, ?), ?) WHERE id = ?",
            [
                (
                    s[0],
                    sqlite_time(s[1]),
                    sqlite_time(s[1]),
                    sqlite_time(s[2]),
                    sqlite_time(s[2]),
                    sid,
                )
                for sid, s in spans.items()
            ],
        )


def bulk_limit(db: Database, rows: list[RowTuple], args: argparse.Namespace) -> dict[str, Any]:
    """The database's own fastest load of `rows` (prepared before the clock starts): COPY on
    PostgreSQL, executemany of one prepared INSERT on SQLite; with the counters, one commit."""
    spans = spans_of(rows)
    busy = wait_until_quiet(args)
    if db.kind == "postgresql":
        import psycopg

        data = copy_text(rows).encode()
        with psycopg.connect(db.raw_url) as conn:
            started = time.perf_counter()
            with conn.cursor() as cur:
                with cur.copy(COPY_SQL) as copy:
                    for i in range(0, len(data), 1 << 20):
                        copy.write(data[i : i + (1 << 20)])
                update_streams_sql(db, spans, cur)
            conn.commit()
            seconds = time.perf_counter() - started
        method = "COPY FROM STDIN (text), one transaction"
    else:
        params = [
            (sqlite_time(t), sqlite_time(t), float(v), v, sid, foi) for sid, foi, t, v in rows
        ]
        lite = sqlite3.connect(db.raw_url, timeout=30)
        try:
            lite.execute("PRAGMA synchronous=NORMAL")
            started = time.perf_counter()
            with lite:
                lite.executemany(SQLITE_INSERT, params)
                update_streams_sql(db, spans, lite)
            seconds = time.perf_counter() - started
        finally:
            lite.close()
        method = "executemany of a prepared INSERT, one transaction"
    return {
        "method": method,
        "rows": len(rows),
        "seconds": round(seconds, 3),
        "rows_per_s": round(len(rows) / seconds),
        "machine_busy_before_pct": busy,
    }


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
    """MQTT 3.1.1 CONNECT: clean session, user name and password, keep-alive 300 s (a device
    sends no PINGREQ while it waits for the start, and the broker drops a client silent for
    1.5 times its keep-alive)."""
    body = b"\x00\x04MQTT\x04\xc2\x01\x2c" + _str(client_id) + _str(username) + _str(password)
    return b"\x10" + _varint(len(body)) + body


def publish_packets(rows: Sequence[tuple[int, str, str]]) -> list[bytes]:
    """QoS 1 PUBLISH packets, packet ids 1, 2, ... (wrapping), for (stream, time, result)."""
    packets = []
    for k, (sid, when, result) in enumerate(rows):
        topic = _str(f"v1.1/Datastreams({sid})/Observations")
        payload = b'{"phenomenonTime":"%s","result":%s}' % (when.encode(), result.encode())
        body = topic + (k % 65535 + 1).to_bytes(2, "big") + payload
        packets.append(b"\x32" + _varint(len(body)) + body)
    return packets


@dataclass
class DeviceCounters:
    connected: int = 0
    refused: int = 0
    sent: int = 0
    acked: int = 0
    done: int = 0


async def _device(
    port: int,
    username: str,
    secret: str,
    packets: list[bytes],
    window: int,
    counters: DeviceCounters,
    go: asyncio.Event,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(connect_packet(username, username, secret))
    connack = await reader.readexactly(4)
    if connack[3] != 0:
        counters.refused += 1
        writer.close()
        return
    counters.connected += 1
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
            done, pending = divmod(pending, 4)  # PUBACK: 40 02 id id (devices subscribe to nothing)
            inflight -= done
            counters.acked += done
            wake.set()

    acks = asyncio.create_task(read_acks())
    await go.wait()
    sent = 0
    while sent < len(packets):
        room = min(window - inflight, len(packets) - sent)
        if room > 0:
            writer.write(b"".join(packets[sent : sent + room]))
            sent += room
            inflight += room
            counters.sent += room
            await writer.drain()
        if inflight >= window:
            wake.clear()
            await wake.wait()
    deadline = asyncio.get_running_loop().time() + 120
    while inflight > 0 and asyncio.get_running_loop().time() < deadline:
        wake.clear()
        with suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), 1)
    counters.done += 1
    writer.write(b"\xe0\x00")  # DISCONNECT
    with suppress(ConnectionError):
        await writer.drain()
    writer.close()
    acks.cancel()


async def _devices(
    port: int, specs: list[tuple[str, str, list[tuple[int, str, str]]]], window: int, pipe: PipeEnd
) -> None:
    counters = DeviceCounters()
    go = asyncio.Event()
    packets = [publish_packets(rows) for _u, _s, rows in specs]
    tasks = []
    for (username, secret, _rows), own in zip(specs, packets, strict=True):
        tasks.append(
            asyncio.create_task(_device(port, username, secret, own, window, counters, go))
        )
        await asyncio.sleep(0)  # connect gradually: 1,000 CONNECTs in one burst help no one
    while counters.connected + counters.refused < len(specs):
        await asyncio.sleep(0.02)
    pipe.send(("ready", counters.connected, counters.refused))
    pipe.recv()  # go
    cpu0 = os.times()
    started = time.monotonic()
    go.set()
    total = sum(len(p) for p in packets)
    # The moment the broker has acknowledged every message (it then holds them for the bridge).
    while counters.acked < total and any(not t.done() for t in tasks):
        await asyncio.sleep(0.01)
    all_acked = time.monotonic()
    await asyncio.gather(*tasks, return_exceptions=True)
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    pipe.send(("done", counters.sent, counters.acked, started, all_acked, cpu))


def devices_main(
    port: int, specs: list[tuple[str, str, list[tuple[int, str, str]]]], window: int, pipe: PipeEnd
) -> None:
    asyncio.run(_devices(port, specs, window, pipe))


# -- MQTT ingestion --------------------------------------------------------------------------


@dataclass
class Timers:
    """Seconds spent in each instrumented step of the server's MQTT handler (worker thread)."""

    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed


@contextmanager
def instrumented(
    ingest: Any, services: Iterable[Any], engine: Engine, profile: cProfile.Profile | None
) -> Iterator[tuple[Timers, list[int]]]:
    """Time the handler's steps and count its SQL statements, without touching server code:
    instance attributes shadow the methods, module attributes the imported functions."""
    from sqlalchemy import event

    import parvis.sensing.bulk as bulk
    import parvis.sensing.ingest as ingest_module
    from parvis.sensing.actions import Writer

    timers = Timers()
    statements = [0]

    def count(*_a: Any, **_k: Any) -> None:
        statements[0] += 1

    handle = ingest.handle_batch
    if profile is not None:

        def handle_profiled(messages: Any) -> None:
            profile.enable()
            try:
                handle(messages)
            finally:
                profile.disable()

        ingest.handle_batch = timers.wrap("handle_batch", handle_profiled)
    else:
        ingest.handle_batch = timers.wrap("handle_batch", handle)
    ingest._parse = timers.wrap("parse", ingest._parse)
    for service in services:
        service.notify = timers.wrap("notify", service.notify)
    # (module, attribute, timer): the handler's steps, each replaced only if it exists (the
    # server code evolves; a missing step is simply not timed).
    steps = [
        (ingest_module, "insert_observations", "insert_observations"),
        (bulk, "extend_stream_times", "insert: streams' counters and times"),
        (bulk, "widen_observed_areas", "insert: streams' observedArea"),
        (bulk, "insert_rows", "insert: rows"),
        (bulk, "_stream_allowed", "insert: stream checks"),
        (bulk, "_stream_things", "insert: stream checks"),
        (Writer, "_generated_feature", "insert: feature lookups"),
        (bulk, "_generated_features", "insert: feature lookups"),
        (bulk, "_existing_features", "insert: feature lookups"),
    ]
    saved = [
        (owner, name, getattr(owner, name)) for owner, name, _t in steps if hasattr(owner, name)
    ]
    for (owner, name, timer), (_o, _n, fn) in zip(
        [s for s in steps if hasattr(s[0], s[1])], saved, strict=True
    ):
        setattr(owner, name, timers.wrap(timer, fn))
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield timers, statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
        for owner, name, fn in saved:
            setattr(owner, name, fn)
        for service in services:
            vars(service).pop("notify", None)
        vars(ingest).pop("_parse", None)
        vars(ingest).pop("handle_batch", None)


def mqtt_phase(
    db: Database,
    ctx: Context,
    fixture: Fixture,
    broker: Any,
    args: argparse.Namespace,
    *,
    notify: bool,
) -> dict[str, Any]:
    from parvis.sensing.runtime import SensingRuntime

    rows = device_rows(fixture, args.mqtt_messages, MQTT_START)
    specs = [
        (user, secret, [(sid, iso_time(t), v) for sid, _foi, t, v in own])
        for (user, secret, _streams), own in zip(fixture.devices, rows, strict=True)
    ]
    total = sum(len(r) for r in rows)
    runtime = SensingRuntime(ctx)
    runtime.start()
    bridge = runtime.bridge
    assert bridge is not None
    if not bridge.wait_ready(15):
        fail("the server's MQTT bridge did not connect to Mosquitto")
    if not notify:
        for service in runtime.services.values():
            service.publisher = None
    ingest: Any = bridge.handler
    meter = CpuMeter(db.pg_name, {"server (this process)": os.getpid(), "mosquitto": broker.pid})
    profile = cProfile.Profile() if args.profile else None
    ours, theirs = mp.get_context("spawn").Pipe()
    child = mp.get_context("spawn").Process(
        target=devices_main, args=(broker.port, specs, args.window, theirs)
    )
    samples: list[tuple[float, int]] = []
    # Before the devices connect: they stay silent until "go" (no PINGREQ).
    busy = wait_until_quiet(args)
    try:
        child.start()
        meter.trees["devices"] = child.pid or 0
        _tag, connected, refused = ours.recv()
        if refused or connected != len(specs):
            fail(f"{refused} of {len(specs)} devices refused by Mosquitto")
        time.sleep(1.0)
        with instrumented(ingest, runtime.services.values(), ctx.engine, profile) as (
            timers,
            statements,
        ):
            stored0, rejected0 = ingest.stored, ingest.rejected
            handled0 = bridge.stats.handled
            load0 = load_average()
            before = meter.snapshot()
            ours.send("go")
            go = time.monotonic()
            last_progress, last = go, -1
            while True:
                # Messages whose batch the handler returned from: committed and notified (the
                # bridge acknowledges them next).
                now = time.monotonic()
                done = bridge.stats.handled - handled0
                samples.append((now, done))
                if done >= total:
                    break
                if done != last:
                    last_progress, last = now, done
                elif now - last_progress > 60:
                    fail(f"MQTT ingestion stalled at {done} of {total} for 60 s")
                time.sleep(0.02)
            after = meter.snapshot()
            finished = time.monotonic()
            _tag, _sent, acked, dev_start, dev_acked, dev_cpu = ours.recv()
            statement_count = statements[0]
            split = dict(timers.seconds)
        child.join(60)
    finally:
        runtime.stop()
        if child.is_alive():
            child.terminate()
            child.join(10)
    stored = ingest.stored - stored0
    rejected = ingest.rejected - rejected0

    def crossing(fraction: float) -> float:
        target = fraction * total
        previous = (go, 0)
        for t, n in samples:
            if n >= target:
                (t0, n0) = previous
                return t0 + (t - t0) * ((target - n0) / (n - n0)) if n > n0 else t
            previous = (t, n)
        return samples[-1][0]

    t10, t90 = crossing(0.1), crossing(0.9)
    sustained = 0.8 * total / (t90 - t10) if t90 > t10 else 0.0
    per_obs = {k: round(v / max(stored, 1) * 1e6, 1) for k, v in split.items()}
    handler = split.get("handle_batch", 0.0)
    accounted = (
        split.get("parse", 0.0) + split.get("insert_observations", 0.0) + split.get("notify", 0.0)
    )
    per_obs["commit_and_rest"] = round((handler - accounted) / max(stored, 1) * 1e6, 1)
    result: dict[str, Any] = {
        "notifications": notify,
        "devices": len(specs),
        "messages": total,
        "stored": stored,
        "rejected": rejected,
        "sustained_obs_per_s": round(sustained),
        "end_to_end_obs_per_s": round(stored / (finished - go)),
        "end_to_end_s": round(finished - go, 2),
        "broker_accepted_per_s": round(acked / (dev_acked - dev_start))
        if dev_acked > dev_start
        else None,
        "broker_accepted_all_after_s": round(dev_acked - go, 2),
        "batches": timers.calls.get("handle_batch", 0),
        "mean_batch": round(stored / max(timers.calls.get("handle_batch", 1), 1), 1),
        "sql_statements_per_obs": round(statement_count / max(stored, 1), 2),
        "handler_us_per_obs": per_obs,
        "handler_busy_pct_of_wall": round(100 * handler / (finished - go), 1),
        "bridge_stats": vars(bridge.stats).copy(),
        "devices_cpu_s": round(dev_cpu, 2),
        "cpu_share_pct": CpuMeter.shares(before, after),
        "load_average_before": load0,
        "window_per_device": args.window,
        "machine_busy_before_pct": busy,
    }
    if profile is not None:
        result["profile_top"] = profile_top(profile)
    return result


def report_mqtt(result: dict[str, Any]) -> None:
    limit = result["limit"]
    print(
        f"   MQTT, notifications {'on' if result['notifications'] else 'off'}: "
        f"{result['sustained_obs_per_s']:,} obs/s sustained "
        f"({result['end_to_end_obs_per_s']:,} end to end, "
        f"{result['sql_statements_per_obs']} SQL statements/obs); "
        f"{limit['method'].split(' ')[0]} of the same rows {limit['rows_per_s']:,} rows/s\n"
        f"     handler µs/obs: {result['handler_us_per_obs']}\n"
        f"     CPU %: {result['cpu_share_pct']}",
        flush=True,
    )


def profile_top(profile: cProfile.Profile, limit: int = 25) -> list[str]:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    lines = [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]
    return [re.sub(r"\S*/(site-packages|parvis)/", r"\1/", line) for line in lines[-limit - 1 :]]


# -- the web server and an HTTP client -------------------------------------------------------


@contextmanager
def web_server(db: Database, args: argparse.Namespace, workdir: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = clean_env(
        PARVIS_DATABASE_URL=db.url,
        PARVIS_ENVIRONMENT="production",
        PARVIS_SECRET_KEY=secrets.token_urlsafe(48),
        PARVIS_BASE_URL=f"http://127.0.0.1:{port}",
        PARVIS_MQTT_MODE="off",
    )
    cmd = [
        *parvis_command(),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
    ]
    log = workdir / f"server-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                fail(f"the server stopped ({proc.returncode}); its log:\n{log.read_text()}")
            with suppress(OSError):
                if http_get(base, "/sta/v1.1")[0] == 200:
                    break
            if time.monotonic() > deadline:
                fail(f"the server did not answer within 90 s; its log:\n{log.read_text()}")
            time.sleep(0.3)
        yield base, proc.pid
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the group this script started
                proc.wait(timeout=10)


def http_get(
    base: str, path: str, conn: http.client.HTTPConnection | None = None
) -> tuple[int, bytes]:
    own = conn is None
    if conn is None:
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def _post_worker(
    base: str,
    token: str,
    bodies: list[bytes],
    rows: list[int],
    next_index: Iterator[int],
    lock: threading.Lock,
    log: list[tuple[int, float, float, int, int]],
) -> None:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=300)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    while True:
        with lock:
            i = next(next_index, None)
        if i is None:
            break
        started = time.monotonic()
        conn.request("POST", "/sta/v1.1/CreateObservations", body=bodies[i], headers=headers)
        response = conn.getresponse()
        answer = response.read()
        errors = answer.count(b'"error') if response.status == 201 else rows[i]
        log.append((response.status, started, time.monotonic(), rows[i], errors))
    conn.close()


def http_client_main(
    base: str, token: str, bodies: list[list[tuple[int, str, str]]], clients: int, pipe: PipeEnd
) -> None:
    """The HTTP client process: encode every body first, then post them over `clients`
    keep-alive connections, each taking the next body when its answer is in."""
    encoded = [
        json.dumps(
            [
                {
                    "Datastream": {"@iot.id": rows[0][0]},
                    "components": ["phenomenonTime", "result"],
                    "dataArray": [[when, float(result)] for _sid, when, result in rows],
                }
            ],
            separators=(",", ":"),
        ).encode()
        for rows in bodies
    ]
    counts = [len(rows) for rows in bodies]
    pipe.send(("ready", sum(len(b) for b in encoded)))
    pipe.recv()
    log: list[tuple[int, float, float, int, int]] = []
    lock = threading.Lock()
    order = iter(range(len(encoded)))
    cpu0 = os.times()
    started = time.monotonic()
    threads = [
        threading.Thread(target=_post_worker, args=(base, token, encoded, counts, order, lock, log))
        for _ in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ended = time.monotonic()
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    pipe.send(("done", started, ended, log, cpu))


def http_phase(
    db: Database, fixture: Fixture, args: argparse.Namespace, workdir: Path
) -> tuple[dict[str, Any], list[RowTuple]]:
    bodies = http_bodies(fixture, args.http_rows, args.http_batch, HTTP_START)
    plain = [[(sid, iso_time(t), v) for sid, _foi, t, v in rows] for rows in bodies]
    with web_server(db, args, workdir) as (base, pid):
        # Warm-up: a small body per worker connection (each worker opens its pool, imports...).
        warm = [
            [
                (fixture.streams[0], iso_time(HTTP_START - timedelta(days=1, minutes=i)), "20.0")
                for i in range(10)
            ]
        ]
        ctx = mp.get_context("spawn")
        for _ in range(2 * args.workers):
            ours, theirs = ctx.Pipe()
            p = ctx.Process(target=http_client_main, args=(base, fixture.token, warm, 1, theirs))
            p.start()
            ours.recv()
            ours.send("go")
            _tag, _s, _e, log, _cpu = ours.recv()
            p.join(30)
            if log[0][0] != 201:
                fail(f"CreateObservations answered {log[0][0]} during the warm-up")
        meter = CpuMeter(db.pg_name, {"web server": pid})
        ours, theirs = ctx.Pipe()
        child = ctx.Process(
            target=http_client_main, args=(base, fixture.token, plain, args.http_clients, theirs)
        )
        child.start()
        meter.trees["client"] = child.pid or 0
        _tag, body_bytes = ours.recv()
        busy = wait_until_quiet(args)
        load0 = load_average()
        before = meter.snapshot()
        ours.send("go")
        _tag, started, ended, log, client_cpu = ours.recv()
        after = meter.snapshot()
        child.join(60)
    statuses: dict[str, int] = {}
    for status, *_rest in log:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    stored = sum(r for s, _a, _b, r, e in log if s == 201) - sum(
        e for s, _a, _b, _r, e in log if s == 201
    )
    seconds = ended - started
    result = {
        "rows": args.http_rows,
        "rows_per_body": args.http_batch,
        "bodies": len(bodies),
        "body_mib_mean": round(body_bytes / len(bodies) / 2**20, 2),
        "client_connections": args.http_clients,
        "workers": args.workers,
        "statuses": statuses,
        "stored": stored,
        "seconds": round(seconds, 2),
        "obs_per_s": round(stored / seconds),
        "request_ms": stats_ms([b - a for _s, a, b, _r, _e in log]),
        "client_cpu_s": round(client_cpu, 2),
        "cpu_share_pct": CpuMeter.shares(before, after),
        "load_average_before": load0,
        "machine_busy_before_pct": busy,
    }
    return result, [row for rows in bodies for row in rows]


# -- reads on a large table ------------------------------------------------------------------


def load_observations(db: Database, fixture: Fixture, total: int) -> dict[str, Any]:
    """`total` Observations spread evenly over the streams, one a minute from READS_START, in
    arrival order (minute after minute, every stream), with each stream's counter and time
    range; then VACUUM (ANALYZE) (PostgreSQL) or ANALYZE (SQLite)."""
    per_stream = total // len(fixture.streams)
    streams = [(j, sid, fixture.features[sid]) for j, sid in enumerate(fixture.streams)]
    started = time.perf_counter()
    if db.kind == "postgresql":
        import psycopg

        with psycopg.connect(db.raw_url) as conn:
            with conn.cursor() as cur, cur.copy(COPY_SQL) as copy:
                for minute in range(per_stream):
                    pg = pg_time(READS_START + timedelta(minutes=minute))
                    copy.write(
                        "".join(
                            f"{pg}\t{pg}\t2\t{v}\t{v}\t{sid}\t{foi}\n"
                            for j, sid, foi in streams
                            for v in (value_of(j, minute),)
                        )
                    )
            spans = {
                sid: [per_stream, READS_START, READS_START + timedelta(minutes=per_stream - 1)]
                for sid in fixture.streams
            }
            update_streams_sql(db, spans, conn)
            conn.commit()
        loaded = time.perf_counter()
        with psycopg.connect(db.raw_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")  # the whole database, as autovacuum would
            size = conn.execute("SELECT pg_total_relation_size('sta_observations')").fetchone()
    else:
        lite = sqlite3.connect(db.raw_url, timeout=30)
        try:
            lite.execute("PRAGMA synchronous=NORMAL")
            lite.execute("PRAGMA cache_size=-1000000")  # 1 GB for the load's index pages
            chunk = max(1, 1_000_000 // len(streams))
            for first in range(0, per_stream, chunk):
                with lite:
                    lite.executemany(
                        SQLITE_INSERT,
                        (
                            (st, st, float(v), v, sid, foi)
                            for minute in range(first, min(first + chunk, per_stream))
                            for st in (sqlite_time(READS_START + timedelta(minutes=minute)),)
                            for j, sid, foi in streams
                            for v in (value_of(j, minute),)
                        ),
                    )
            spans = {
                sid: [per_stream, READS_START, READS_START + timedelta(minutes=per_stream - 1)]
                for sid in fixture.streams
            }
            with lite:
                update_streams_sql(db, spans, lite)
            loaded = time.perf_counter()
            lite.execute("ANALYZE")
            lite.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            lite.close()
        size = (Path(db.raw_url).stat().st_size,)
    done = time.perf_counter()
    rows = per_stream * len(streams)
    return {
        "rows": rows,
        "per_stream": per_stream,
        "method": "COPY FROM STDIN, then VACUUM (ANALYZE)"
        if db.kind == "postgresql"
        else "executemany of a prepared INSERT (1M rows a transaction), then ANALYZE",
        "load_s": round(loaded - started, 1),
        "rows_per_s": round(rows / (loaded - started)),
        "analyze_s": round(done - loaded, 1),
        "size_mib": round(int(size[0]) / 2**20) if size else None,
    }


def datastreams_table(db: Database) -> dict[str, Any]:
    """PostgreSQL: the Datastreams table as the ingestion phases left it (each batch updates
    its streams' counters and times, leaving a dead row version per stream and batch): its
    size, its dead versions, and the median time of the scan behind `$count`."""
    import psycopg

    with psycopg.connect(db.raw_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pg_relation_size('sta_datastreams'), n_live_tup, n_dead_tup, n_tup_upd, "
            "n_tup_hot_upd, autovacuum_count FROM pg_stat_user_tables "
            "WHERE relname = 'sta_datastreams'"
        ).fetchone()
        setting = conn.execute("SHOW autovacuum").fetchone()
        times = []
        for _ in range(11):
            started = time.perf_counter()
            conn.execute("SELECT sum(observation_count) FROM sta_datastreams").fetchone()
            times.append(time.perf_counter() - started)
    assert row is not None and setting is not None
    return {
        "size_kib": round(row[0] / 1024),
        "live_rows": row[1],
        "dead_row_versions": row[2],
        "updates": row[3],
        "hot_updates": row[4],
        "autovacuum_runs": row[5],
        "autovacuum_setting": setting[0],
        "sum_of_counters_ms": round(statistics.median(times[1:]) * 1000, 2),
    }


def rewrite_datastreams(db: Database) -> None:
    import psycopg

    with psycopg.connect(db.raw_url, autocommit=True) as conn:
        conn.execute("VACUUM FULL sta_datastreams")


class Sql:
    """Timed queries on a raw connection of the benchmark database (psycopg or sqlite3)."""

    def __init__(self, db: Database) -> None:
        self.kind = db.kind
        if db.kind == "postgresql":
            import psycopg

            self.conn: Any = psycopg.connect(db.raw_url, autocommit=True)
        else:
            self.conn = sqlite3.connect(db.raw_url, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")

    def time(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[Any], float]:
        if self.kind == "sqlite":
            sql = sql.replace("%s", "?")
        started = time.perf_counter()
        rows = list(self.conn.execute(sql, tuple(params)).fetchall())
        return rows, time.perf_counter() - started

    def at(self, t: datetime) -> Any:
        return t if self.kind == "postgresql" else sqlite_time(t)

    def close(self) -> None:
        self.conn.close()


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    seconds = time.perf_counter() - started
    if response.status != 200:
        fail(f"GET {path} answered {response.status}: {body[:500]!r}")
    return json.loads(body), seconds


def local_path(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def q(value: str) -> str:
    return quote(value, safe="$=(),;/'")


def reads_phase(
    db: Database, fixture: Fixture, args: argparse.Namespace, workdir: Path, load: dict[str, Any]
) -> dict[str, Any]:
    per_stream = load["per_stream"]
    total = load["rows"]
    n_streams = len(fixture.streams)
    rng = random.Random(2025)
    window = min(1440, per_stream)
    windows = max(1, per_stream // window)
    pages = min(1000, per_stream // 10)
    out: dict[str, Any] = {"rows": total, "streams": n_streams, "repeats": args.read_repeats}
    sql = Sql(db)
    with web_server(db, args, workdir) as (base, pid):
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=300)
        meter = CpuMeter(db.pg_name, {"web server": pid})
        out["machine_busy_before_pct"] = wait_until_quiet(args)
        load0 = load_average()
        before = meter.snapshot()

        def repeat(
            path: Callable[[], str], times: int, check: Callable[[dict[str, Any]], None]
        ) -> dict[str, float]:
            for _ in range(3):  # warm-up
                body, _s = timed_get(conn, path())
            check(body)
            return stats_ms([timed_get(conn, path())[1] for _ in range(times)])

        # (a) the latest Observation of every Datastream
        top = min(n_streams, 10_000)
        latest_path = f"/sta/v1.1/Datastreams?$top={top}&$select=id,name&$expand=" + q(
            "Observations($orderby=phenomenonTime desc;$top=1;$select=result,phenomenonTime)"
        )
        last_time = iso_time(READS_START + timedelta(minutes=per_stream - 1))[:-1]

        def check_latest(body: dict[str, Any]) -> None:
            values = body["value"]
            assert len(values) == top, len(values)
            assert all(len(v["Observations"]) == 1 for v in values)
            assert all(
                v["Observations"][0]["phenomenonTime"].startswith(last_time) for v in values
            ), values[0]

        out["latest"] = {
            "path": latest_path,
            "http": repeat(lambda: latest_path, max(10, args.read_repeats // 4), check_latest),
        }
        print(f"   (a) latest of every datastream: {out['latest']['http']}", flush=True)

        # (b) one day of one Datastream
        def day_path() -> str:
            sid = rng.choice(fixture.streams)
            start = READS_START + timedelta(minutes=window * rng.randrange(windows))
            end = start + timedelta(minutes=window)
            flt = f"phenomenonTime ge {iso_time(start)} and phenomenonTime lt {iso_time(end)}"
            return (
                f"/sta/v1.1/Datastreams({sid})/Observations?$filter={q(flt)}"
                f"&$top={window}&$select=result,phenomenonTime"
            )

        def check_day(body: dict[str, Any]) -> None:
            assert len(body["value"]) == window, len(body["value"])

        out["day"] = {
            "window_minutes": window,
            "http": repeat(day_path, args.read_repeats, check_day),
        }
        print(f"   (b) one day of one datastream: {out['day']['http']}", flush=True)

        # (c) $count of all Observations
        count_path = "/sta/v1.1/Observations?$count=true&$top=1"

        def check_count(body: dict[str, Any]) -> None:
            assert body["@iot.count"] == total, body["@iot.count"]

        out["count"] = {"http": repeat(lambda: count_path, args.read_repeats, check_count)}
        print(f"   (c) $count of all observations: {out['count']['http']}", flush=True)

        # (d) page 1 and page `pages` of one Datastream, following nextLinks
        paging: dict[str, Any] = {"pages": pages}
        sid = fixture.streams[n_streams // 2]
        for order, suffix in (("id (default)", ""), ("phenomenonTime", "&$orderby=phenomenonTime")):
            first = f"/sta/v1.1/Datastreams({sid})/Observations?$top=10{suffix}"
            path, walk = first, []
            body: dict[str, Any] = {}
            for _ in range(pages):
                body, seconds = timed_get(conn, path)
                walk.append(seconds)
                last_path = path
                if "@iot.nextLink" not in body:
                    break
                path = local_path(body["@iot.nextLink"])
            assert len(walk) == pages and len(body["value"]) == 10, (len(walk), body)
            assert "$skiptoken" in last_path or pages == 1, last_path
            reps = args.read_repeats
            paging[order] = {
                "page_1": repeat(lambda f=first: f, reps, lambda b: None),  # type: ignore[misc]
                f"page_{pages}": repeat(lambda p=last_path: p, reps, lambda b: None),  # type: ignore[misc]
                f"walk_pages_1_to_{pages}": {
                    "first_10": stats_ms(walk[:10]),
                    "last_10": stats_ms(walk[-10:]),
                    "total_s": round(sum(walk), 2),
                },
                f"page_{pages}_path": last_path,
            }
            if order.startswith("id"):
                skip_path = (
                    f"/sta/v1.1/Datastreams({sid})/Observations?$top=10&$skip={(pages - 1) * 10}"
                )
                paging[order][f"page_{pages}_by_skip"] = repeat(
                    lambda p=skip_path: p,  # type: ignore[misc]
                    reps,
                    lambda b: None,
                )
            print(
                f"   (d) paging by {order}: page 1 {paging[order]['page_1']['median']} ms, "
                f"page {pages} {paging[order][f'page_{pages}']['median']} ms",
                flush=True,
            )
        out["paging"] = paging
        after = meter.snapshot()
        out["cpu_share_pct"] = CpuMeter.shares(before, after)
        out["load_average_before"] = load0
        conn.close()

    # The peers and the floor, in SQL on the same database (no server running).
    peers: dict[str, Any] = {}
    reps = args.read_repeats
    slow = args.slow_repeats
    window_sql = (
        "SELECT datastream_id, result_number, phenomenon_time_start FROM ("
        " SELECT datastream_id, result_number, phenomenon_time_start, row_number() OVER"
        " (PARTITION BY datastream_id ORDER BY phenomenon_time_start DESC, id DESC) AS rn"
        " FROM sta_observations WHERE datastream_id IS NOT NULL) s WHERE rn = 1"
    )
    peers["latest_window_function"] = timed_sql(sql, window_sql, (), slow, expect=n_streams)
    if db.kind == "postgresql":
        lateral = (
            "SELECT d.id, d.name, o.result_string, o.phenomenon_time_start FROM"
            " (SELECT id, name FROM sta_datastreams ORDER BY id LIMIT %s) d"
            " JOIN LATERAL (SELECT result_string, phenomenon_time_start FROM sta_observations o"
            " WHERE o.datastream_id = d.id ORDER BY phenomenon_time_start DESC, id DESC LIMIT 1)"
            " o ON true"
        )
        peers["latest_floor"] = timed_sql(sql, lateral, (top,), reps, expect=n_streams)
        peers["latest_floor_sql"] = "LATERAL join, LIMIT 1 per Datastream"
    else:

        def latest_loop() -> float:
            started = time.perf_counter()
            for s in fixture.streams[:top]:
                sql.conn.execute(
                    "SELECT result_string, phenomenon_time_start FROM sta_observations WHERE"
                    " datastream_id = ? ORDER BY phenomenon_time_start DESC, id DESC LIMIT 1",
                    (s,),
                ).fetchall()
            return time.perf_counter() - started

        latest_loop()
        peers["latest_floor"] = stats_ms([latest_loop() for _ in range(reps)])
        peers["latest_floor_sql"] = "one indexed query per Datastream"
    day_sql = (
        "SELECT result_string, phenomenon_time_start FROM sta_observations WHERE datastream_id = %s"
        " AND phenomenon_time_start >= %s AND phenomenon_time_start < %s ORDER BY id LIMIT %s"
    )
    times = []
    for _ in range(reps + 3):
        s = rng.choice(fixture.streams)
        start = READS_START + timedelta(minutes=window * rng.randrange(windows))
        rows, seconds = sql.time(
            day_sql, (s, sql.at(start), sql.at(start + timedelta(minutes=window)), window)
        )
        assert len(rows) == window
        times.append(seconds)
    peers["day_sql"] = stats_ms(times[3:])
    peers["count_star"] = timed_sql(
        sql, "SELECT count(*) FROM sta_observations", (), slow, expect=1
    )
    peers["count_counters"] = timed_sql(
        sql, "SELECT sum(observation_count) FROM sta_datastreams", (), reps, expect=1
    )
    offset_sql = (
        "SELECT id, result_string, phenomenon_time_start FROM sta_observations"
        " WHERE datastream_id = %s ORDER BY id LIMIT 10 OFFSET %s"
    )
    peers["offset_page_1"] = timed_sql(sql, offset_sql, (sid, 0), reps, expect=10)
    peers[f"offset_page_{pages}"] = timed_sql(
        sql, offset_sql, (sid, (pages - 1) * 10), reps, expect=10
    )
    peers["offset"] = (pages - 1) * 10
    sql.close()
    out["sql"] = peers
    return out


def timed_sql(
    sql: Sql, text: str, params: Sequence[Any], times: int, *, expect: int
) -> dict[str, float]:
    rows, _s = sql.time(text, params)  # warm-up (and check)
    assert len(rows) == expect, (text, len(rows))
    return stats_ms([sql.time(text, params)[1] for _ in range(times)])


# -- one database ----------------------------------------------------------------------------


def bench_database(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    from parvis.app import build_context
    from parvis.kernel.migrate import upgrade
    from parvis.kernel.settings import Settings
    from parvis.sensing.mqtt.acl import Principal
    from parvis.sensing.mqtt.mosquitto import Account, MosquittoInstance, hash_password

    out: dict[str, Any] = {"database": kind}
    with (
        tempfile.TemporaryDirectory(prefix="parvis-sensing-bench-") as tmp,
        database(kind, args, Path(tmp)) as db,
    ):
        workdir = Path(tmp)
        out["version"] = db.version
        print(f"\n== {db.version}", flush=True)
        bridge_secret = secrets.token_urlsafe(32)
        port = free_port()
        settings = Settings(
            database_url=db.url,
            environment="production",
            secret_key=secrets.token_urlsafe(48),
            base_url="http://127.0.0.1:8000",
            mqtt_mode="external",
            mqtt_host="127.0.0.1",
            mqtt_port=port,
            mqtt_username=BRIDGE_USER,
            mqtt_password=bridge_secret,
            jobs_in_process=False,
            _env_file=None,
        )
        ctx = build_context(settings)
        try:
            upgrade(ctx.engine)
            started = time.perf_counter()
            fixture = create_fixture(ctx, args.streams, args.devices)
            out["fixture_s"] = round(time.perf_counter() - started, 1)
            print(
                f"   {args.devices} Things and devices, {args.streams} Datastreams "
                f"({out['fixture_s']} s)",
                flush=True,
            )
            accounts = [Account(Principal(BRIDGE_USER, staff=True), hash_password(bridge_secret))]
            accounts += [
                Account(Principal(user, datastreams=frozenset(own)), fixture.mqtt_hashes[user])
                for user, _secret, own in fixture.devices
            ]
            phases = [p.strip() for p in args.phases.split(",")]
            if "mqtt" in phases:
                out["mqtt"] = []
                broker = MosquittoInstance(accounts, port=port, directory=workdir / "mosquitto")
                broker.start()
                try:
                    for notify in (True, False):
                        result = mqtt_phase(db, ctx, fixture, broker, args, notify=notify)
                        rows = [
                            r
                            for own in device_rows(fixture, args.mqtt_messages, MQTT_START)
                            for r in own
                        ]
                        result["limit"] = bulk_limit(db, rows, args)
                        out["mqtt"].append(result)
                        report_mqtt(result)
                        reset_observations(db, ctx.engine)
                finally:
                    broker.close()
            if "http" in phases:
                result, rows = http_phase(db, fixture, args, workdir)
                reset_observations(db, ctx.engine)
                result["limit"] = bulk_limit(db, rows, args)
                out["http"] = result
                limit = result["limit"]["rows_per_s"]
                print(
                    f"   HTTP CreateObservations: {result['obs_per_s']:,} obs/s "
                    f"({result['statuses']}); limit {limit:,} rows/s; "
                    f"CPU %: {result['cpu_share_pct']}",
                    flush=True,
                )
                reset_observations(db, ctx.engine)
            if "reads" in phases:
                if db.kind == "postgresql":
                    # Kept apart from the reads: the ingestion phases above bloat the small
                    # Datastreams table (more so with autovacuum off), which every listing of
                    # Datastreams and every $count then scans.
                    before = datastreams_table(db)
                    rewrite_datastreams(db)
                    out["datastreams_table"] = {
                        "after_ingestion": before,
                        "after_vacuum_full": datastreams_table(db),
                    }
                    print(
                        f"   Datastreams table after the ingestion phases: "
                        f"{before['size_kib']:,} KiB, {before['dead_row_versions']:,} dead row "
                        f"versions, a scan {before['sum_of_counters_ms']} ms (autovacuum "
                        f"{before['autovacuum_setting']}); rewritten (VACUUM FULL) before reading",
                        flush=True,
                    )
                print(f"   loading {args.observations:,} observations ...", flush=True)
                load = load_observations(db, fixture, args.observations)
                out["load"] = load
                print(
                    f"   loaded in {load['load_s']} s ({load['rows_per_s']:,} rows/s), "
                    f"analyze {load['analyze_s']} s, {load['size_mib']} MiB",
                    flush=True,
                )
                out["reads"] = reads_phase(db, fixture, args, workdir, load)
        finally:
            ctx.jobs.close()
            ctx.engine.dispose()
    return out


# -- report ----------------------------------------------------------------------------------


# (label, aim, "rate" or "ms", path in a database's results; "N" stands for the last page)
TABLE: list[tuple[str, str, str, tuple[Any, ...]]] = [
    ("MQTT, notifications on", "≥ 20,000/s", "rate", ("mqtt", 0, "sustained_obs_per_s")),
    ("MQTT, notifications off", "≥ 20,000/s", "rate", ("mqtt", 1, "sustained_obs_per_s")),
    ("  limit: bulk load of the same rows", "", "rate", ("mqtt", 0, "limit", "rows_per_s")),
    ("HTTP CreateObservations", "≥ 50,000/s", "rate", ("http", "obs_per_s")),
    ("  limit: bulk load of the same rows", "", "rate", ("http", "limit", "rows_per_s")),
    ("bulk load of the read set", "", "rate", ("load", "rows_per_s")),
    ("(a) latest of every Datastream", "≤ 50 ms", "ms", ("reads", "latest", "http")),
    ("  floor: same access in SQL", "", "ms", ("reads", "sql", "latest_floor")),
    ("  naive: window function in SQL", "", "ms", ("reads", "sql", "latest_window_function")),
    ("(b) one day of one Datastream", "≤ 10 ms", "ms", ("reads", "day", "http")),
    ("  same range in SQL", "", "ms", ("reads", "sql", "day_sql")),
    ("(c) $count of all Observations", "≤ 100 ms", "ms", ("reads", "count", "http")),
    ("  naive: count(*) in SQL", "", "ms", ("reads", "sql", "count_star")),
    ("(d) page 1, by id (default order)", "", "ms", ("reads", "paging", "id (default)", "page_1")),
    ("    page N by nextLink", "≈ page 1", "ms", ("reads", "paging", "id (default)", "page_N")),
    ("    page N by $skip", "", "ms", ("reads", "paging", "id (default)", "page_N_by_skip")),
    ("    page 1, by phenomenonTime", "", "ms", ("reads", "paging", "phenomenonTime", "page_1")),
    ("    page N by nextLink", "≈ page 1", "ms", ("reads", "paging", "phenomenonTime", "page_N")),
    ("  naive: OFFSET 0 in SQL", "", "ms", ("reads", "sql", "offset_page_1")),
    ("  naive: OFFSET (N - 1) × 10 in SQL", "", "ms", ("reads", "sql", "offset_page_N")),
]  # fmt: skip


def lookup(run: dict[str, Any], path: tuple[Any, ...]) -> Any:
    pages = run.get("reads", {}).get("paging", {}).get("pages")
    node: Any = run
    for key in path:
        if isinstance(key, str) and pages is not None:
            key = key.replace("_N", f"_{pages}")
        if (isinstance(node, dict) and key in node) or (
            isinstance(node, list) and isinstance(key, int) and key < len(node)
        ):
            node = node[key]
        else:
            return None
    return node


def cell(kind: str, value: Any) -> str:
    if value is None:
        return "–"
    if kind == "rate":
        return f"{value:,.0f}/s"
    return f"{value['median']:,.1f} / {value['p95']:,.1f} ms"


def table(runs: list[dict[str, Any]]) -> str:
    """One line per figure (rates, or median / p95), one column per database."""
    head = ["figure", "aim", *[Database(r["database"], "", "").label for r in runs]]
    body = [
        [label, aim, *[cell(kind, lookup(r, path)) for r in runs]]
        for label, aim, kind, path in TABLE
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    fmt = "  ".join(f"{{:{'<' if i < 2 else '>'}{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*row) for row in body]
    if runs and (pages := lookup(runs[0], ("reads", "paging", "pages"))):
        out.append(f"N = {pages}; ms: median / p95 of the timed requests (or SQL runs)")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--observations", type=int, default=10_000_000, help="rows of the read set (10,000,000)"
    )
    parser.add_argument("--streams", type=int, default=1000, help="Datastreams (1,000)")
    parser.add_argument(
        "--devices", type=int, default=1000, help="MQTT devices, one Thing each (1,000)"
    )
    parser.add_argument(
        "--mqtt-messages", type=int, default=200_000, help="messages of all devices (200,000)"
    )
    parser.add_argument(
        "--window", type=int, default=20, help="QoS 1 messages in flight per device (20)"
    )
    parser.add_argument("--http-rows", type=int, default=500_000, help="rows posted (500,000)")
    parser.add_argument("--http-batch", type=int, default=5000, help="rows per body (5,000)")
    parser.add_argument("--http-clients", type=int, default=2, help="client connections (2)")
    parser.add_argument("--workers", type=int, default=2, help="web worker processes (2)")
    parser.add_argument(
        "--read-repeats", type=int, default=100, help="timed requests per read (100)"
    )
    parser.add_argument(
        "--slow-repeats", type=int, default=5, help="timed runs of the slow SQL peers (5)"
    )
    parser.add_argument(
        "--databases", default="postgresql,sqlite", help="postgresql, sqlite or both (both)"
    )
    parser.add_argument("--phases", default="mqtt,http,reads", help="any of mqtt,http,reads (all)")
    parser.add_argument("--profile", action="store_true", help="cProfile the MQTT handler")
    parser.add_argument(
        "--quiet-threshold",
        type=float,
        default=20,
        help="before a measure, wait while the idle machine is busier than this percent (20)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120,
        help="longest wait for a quiet machine, seconds (120)",
    )
    parser.add_argument(
        "--pg-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432",
        help="PostgreSQL server, without a database name",
    )
    parser.add_argument(
        "--pg-database",
        default=f"parvis_bench_sensing_{os.getpid()}",
        help="database created (dropped first if it exists) and dropped at the end",
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="JSON file (benchmarks/results/sensing.json)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # leave through the finally blocks
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    if not kinds or any(k not in ("postgresql", "sqlite") for k in kinds):
        fail("--databases takes postgresql, sqlite or both")
    if args.devices > args.streams:
        fail("every device needs a Datastream: --devices at most --streams")
    if args.observations < args.streams:
        fail("--observations must be at least --streams")

    cores = os.cpu_count() or 1
    started = datetime.now(UTC)
    load0 = load_average()
    print(
        f"SensorThings benchmark: {args.devices:,} devices, {args.streams:,} Datastreams, "
        f"{args.mqtt_messages:,} MQTT messages, {args.http_rows:,} HTTP rows, "
        f"{args.observations:,} Observations to read; {cores} cores, load average {load0}",
        flush=True,
    )
    fingerprint = code_fingerprint()
    runs = [bench_database(kind, args) for kind in kinds]
    shared = (
        f"The devices' process, Mosquitto, the server (bridge and handler in this process, or the "
        f"{args.workers} web workers), the HTTP client and PostgreSQL share the same {cores} cores."
    )
    report = {
        "benchmark": "SensorThings API: ingestion (MQTT, HTTP) and reads",
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "aim": AIM,
        "parameters": {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
            if k not in ("output",)
        },
        "machine": {
            "cpu_cores": cores,
            "cpu_model": cpu_model(),
            "memory_gib": memory_gib(),
            "os": platform.platform(),
            "python": platform.python_version(),
            "load_average_start": load0,
            "load_average_end": load_average(),
            "note": shared,
        },
        "git_commit": git_commit(),
        "sensing_code_sha256": fingerprint,
        "sensing_code_changed_during_run": fingerprint != code_fingerprint(),
        "databases": runs,
        "cpu_share_note": "percent of the whole machine (100 = every core busy) during each "
        "measured phase, per process group; `other` is everything else on the machine",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print()
    print(table(runs))
    print(f"\nNote: {shared}\nWritten to {args.output}")


if __name__ == "__main__":
    main()
