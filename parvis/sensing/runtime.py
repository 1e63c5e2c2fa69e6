"""MQTT beside the web process: the embedded broker (default setup) or an external one such as
Mosquitto (production), the server's bridge to it, and who may connect."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select

from parvis.kernel.auth import Role
from parvis.kernel.auth.actions import authenticate
from parvis.kernel.context import Context
from parvis.kernel.errors import ParvisError
from parvis.sensing.credentials import device_viewer
from parvis.sensing.ingest import Ingest
from parvis.sensing.models import Datastream, MultiDatastream, TaskingCapability
from parvis.sensing.mqtt.acl import Principal
from parvis.sensing.mqtt.bridge import MqttBridge
from parvis.sensing.mqtt.embedded import EmbeddedBroker
from parvis.sensing.service import Service
from parvis.sensing.sta.model import VERSIONS

log = logging.getLogger(__name__)
BRIDGE_USER: Final = "parvis-bridge"


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
                things = sorted(device.things)
                return Principal(
                    username,
                    datastreams=frozenset(
                        conn.scalars(select(Datastream.id).where(Datastream.thing_id.in_(things)))
                    ),
                    multi_datastreams=frozenset(
                        conn.scalars(
                            select(MultiDatastream.id).where(MultiDatastream.thing_id.in_(things))
                        )
                    ),
                    tasking_capabilities=frozenset(
                        conn.scalars(
                            select(TaskingCapability.id).where(
                                TaskingCapability.thing_id.in_(things)
                            )
                        )
                    ),
                )
        with self.ctx.sessions() as db:
            try:
                user = authenticate(self.ctx, db, email=username, password=password, client="mqtt")
            except ParvisError:
                return None
            return Principal(username, staff=True) if user.has_role(Role.STAFF) else None


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
        if settings.mqtt_mode == "embedded":
            secret = secrets.token_urlsafe(32)
            self.broker = EmbeddedBroker(Authenticator(self.ctx, secret), host=host, port=port)
            port = self.broker.start()
            username, password = BRIDGE_USER, secret
        self.bridge = MqttBridge(
            Ingest(self.services),
            host=host,
            port=port,
            username=username or None,
            password=password or None,
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
