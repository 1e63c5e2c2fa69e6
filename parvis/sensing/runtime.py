"""MQTT beside the web process: the embedded broker (default setup) or an external one such as
Mosquitto (production), the server's bridge to it, and who may connect."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from sqlalchemy import Connection, select

from parvis.kernel.auth import Role
from parvis.kernel.auth.actions import authenticate
from parvis.kernel.context import Context
from parvis.kernel.errors import ParvisError
from parvis.sensing.credentials import device_viewer
from parvis.sensing.ingest import Ingest
from parvis.sensing.models import Datastream, DeviceCredential, MultiDatastream, TaskingCapability
from parvis.sensing.mqtt.acl import Principal
from parvis.sensing.mqtt.bridge import CREATE_FILTERS, MqttBridge
from parvis.sensing.mqtt.embedded import EmbeddedBroker
from parvis.sensing.mqtt.mosquitto import hash_password, render_acl, render_password_file
from parvis.sensing.service import Service
from parvis.sensing.sta.model import VERSIONS

log = logging.getLogger(__name__)
BRIDGE_USER: Final = "parvis-bridge"


def bridge_secret(secret_key: str) -> str:
    """The embedded broker's password of the server's own bridge, the same in every worker."""
    return hmac.new(secret_key.encode(), b"parvis mqtt bridge", hashlib.sha256).hexdigest()


@dataclass
class Authenticator:
    """Checks MQTT credentials against Parvis: device credentials, staff accounts, the bridge."""

    ctx: Context
    bridge_secret: str

    def authenticate(self, username: str, password: str) -> Principal | None:
        if username == BRIDGE_USER:
            ok = secrets.compare_digest(password, self.bridge_secret)
            return Principal(username, staff=True) if ok else None
        with self.ctx.engine.connect() as conn:
            device = device_viewer(conn, username=username, secret=password)
            if device is not None:
                return _principal(conn, username, sorted(device.things))
        with self.ctx.sessions() as db:
            try:
                user = authenticate(self.ctx, db, email=username, password=password, client="mqtt")
            except ParvisError:
                return None
            return Principal(username, staff=True) if user.has_role(Role.STAFF) else None


def device_principals(ctx: Context) -> list[tuple[Principal, str]]:
    """Every live device credential as a broker user, with its Mosquitto password hash."""
    table = DeviceCredential.__table__
    out = []
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(table.c.username, table.c.thing_id, table.c.mqtt_hash)
            .where(table.c.revoked_at.is_(None))
            .order_by(table.c.username)
        ).all()
        for username, thing_id, mqtt_hash in rows:
            out.append((_principal(conn, username, [thing_id]), mqtt_hash))
    return out


def _principal(conn: Connection, username: str, things: list[int]) -> Principal:
    return Principal(
        username,
        datastreams=frozenset(
            conn.scalars(select(Datastream.id).where(Datastream.thing_id.in_(things)))
        ),
        multi_datastreams=frozenset(
            conn.scalars(select(MultiDatastream.id).where(MultiDatastream.thing_id.in_(things)))
        ),
        tasking_capabilities=frozenset(
            conn.scalars(select(TaskingCapability.id).where(TaskingCapability.thing_id.in_(things)))
        ),
    )


def write_mosquitto_files(ctx: Context, folder: Path) -> int:
    """`passwd` and `acl` for a production Mosquitto (reload it with SIGHUP afterwards): the
    server's own user (PARVIS_MQTT_USERNAME / PASSWORD) and every live device credential."""
    settings = ctx.settings
    if not settings.mqtt_password:
        raise ValueError("set PARVIS_MQTT_PASSWORD: the server's own MQTT account needs one")
    devices = device_principals(ctx)
    server = Principal(settings.mqtt_username, staff=True)
    entries = [(server, hash_password(settings.mqtt_password)), *devices]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "passwd").write_text(render_password_file((p.username, h) for p, h in entries))
    (folder / "passwd").chmod(0o600)
    (folder / "acl").write_text(render_acl(p for p, _h in entries))
    return len(devices)


@dataclass
class SensingRuntime:
    """What `app.state.sensing` holds: the publisher of notifications and the endpoints."""

    ctx: Context
    broker: EmbeddedBroker | None = None
    bridge: MqttBridge | None = None
    endpoints: tuple[str, ...] = ()
    services: dict[str, Service] = field(default_factory=dict)

    @property
    def publisher(self) -> MqttBridge | None:
        return self.bridge

    def start(self) -> None:
        settings = self.ctx.settings
        if settings.mqtt_mode == "off":
            return
        root = settings.base_url.rstrip("/") + "/sta"
        self.services = {v: Service(self.ctx.engine, root, v) for v in VERSIONS}
        host, port = settings.mqtt_host, settings.mqtt_port
        username, password = settings.mqtt_username, settings.mqtt_password
        protocol: Literal["auto", "3.1.1"] = "auto"
        owner = True  # the process that receives what devices publish
        if settings.mqtt_mode == "embedded":
            # Every worker of `serve --workers N` knows the bridge's secret; the first to bind
            # the port runs the broker and the bridge, the others only publish notifications.
            username, password = BRIDGE_USER, bridge_secret(settings.secret_key)
            protocol = "3.1.1"  # amqtt speaks 3.1.1 only: no probe (and its warning)
            broker = EmbeddedBroker(Authenticator(self.ctx, password), host=host, port=port)
            try:
                port = broker.start()
                self.broker = broker
            except Exception as e:  # amqtt's BrokerError: the port is taken
                if port == 0:
                    raise
                log.info("MQTT port %s taken (%s): this worker only publishes", port, e)
                owner = False
        self.bridge = MqttBridge(
            Ingest(self.services),
            host=host,
            port=port,
            username=username or None,
            password=password or None,
            protocol=protocol,
            filters=CREATE_FILTERS if owner else (),
            client_id="parvis-bridge" if owner else f"parvis-publisher-{os.getpid()}",
        )
        for service in self.services.values():
            service.publisher = self.bridge
        self.bridge.start()
        self.endpoints = (settings.mqtt_public_url or f"mqtt://{host}:{port}",)
        log.info("MQTT %s broker at %s:%s", settings.mqtt_mode, host, port)

    def stop(self) -> None:
        if self.bridge is not None:
            self.bridge.stop()
        if self.broker is not None:
            self.broker.stop()
