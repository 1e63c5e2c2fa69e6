"""The embedded MQTT broker of the default setup: amqtt (MQTT 3.1.1 only) in its own thread
with its own asyncio loop, every user authenticated through an `Authenticator` and every
PUBLISH, SUBSCRIBE and delivery checked by `acl.may_publish`/`acl.may_subscribe`.

Limits, by design of the default setup (production runs Mosquitto, see `mosquitto.py`):
- nothing is persisted: a restart loses persistent sessions and the QoS 1 messages queued in
  them (the bridge re-subscribes when it reconnects);
- amqtt waits 5 s for a PUBACK and then forgets the message, and forgets in-flight messages
  when a subscriber disconnects: the bridge, which acknowledges after its database commit,
  loses nothing while it stays connected, but a database outage longer than that followed by a
  bridge crash can lose the messages it held.

amqtt 0.12.1 looks up, erases (clean session) or rewrites (credentials, will) the existing
session of a client id *before* authenticating the CONNECT, and even stores a refused
connection in place of a live session: anyone could cut the bridge off, or plant a will on its
session. `_Broker` therefore authenticates right after reading the CONNECT, refuses a client id
whose session belongs to another user, and only then lets amqtt's session handling run. It also
sends every retained message that matches *anyone's* subscription to a reconnecting client,
without the delivery check: retained messages are refused (STA does not use them).
These corrections override amqtt internals; the transport tests exercise each of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Protocol

from amqtt.broker import Broker  # type: ignore[import-untyped]
from amqtt.contexts import Action  # type: ignore[import-untyped]
from amqtt.errors import AMQTTError, MQTTError, NoDataError  # type: ignore[import-untyped]
from amqtt.mqtt.connack import NOT_AUTHORIZED, ConnackPacket  # type: ignore[import-untyped]
from amqtt.mqtt.protocol.broker_handler import (  # type: ignore[import-untyped]
    BrokerProtocolHandler,
)
from amqtt.plugins.base import BaseTopicPlugin  # type: ignore[import-untyped]
from amqtt.utils import gen_client_id  # type: ignore[import-untyped]

from parvis.sensing.mqtt.acl import Principal, may_publish, may_subscribe

log = logging.getLogger(__name__)

_PRINCIPAL: Final = "parvis.principal"  # Session.attributes keys (namespaced, as amqtt asks)
_OWNER: Final = "parvis.owner"


class Authenticator(Protocol):
    """Checks MQTT credentials (a device token, staff or the bridge's internal secret)."""

    def authenticate(self, username: str, password: str) -> Principal | None: ...


class TopicPlugin(BaseTopicPlugin):  # type: ignore[misc]
    """PUBLISH: may_publish; SUBSCRIBE and each delivery (RECEIVE): may_subscribe."""

    @dataclass
    class Config:
        pass

    async def topic_filtering(
        self, *, session: Any = None, topic: str | None = None, action: Any = None
    ) -> bool:
        principal = session.attributes.get(_PRINCIPAL) if session is not None else None
        if not isinstance(principal, Principal) or not topic:
            return False
        if action == Action.PUBLISH:
            return may_publish(principal, topic)
        return may_subscribe(principal, topic)


class _Broker(Broker):  # type: ignore[misc]
    """amqtt's broker with the corrections listed in the module docstring."""

    def __init__(
        self, config: dict[str, Any], authenticator: Authenticator, loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__(config, loop=loop)
        self._authenticator = authenticator

    async def _initialize_client_session(
        self, reader: Any, writer: Any, remote_address: str, remote_port: int
    ) -> tuple[Any, Any]:
        # amqtt 0.12.1's method, with authentication first.
        try:
            handler, session = await BrokerProtocolHandler.init_from_connect(
                reader, writer, self.plugins_manager
            )
        except MQTTError as exc:
            with contextlib.suppress(OSError):
                await writer.close()
            raise MQTTError(exc) from exc
        except (AMQTTError, NoDataError, OSError) as exc:
            # OSError: a client that left at once, e.g. a bridge probing the MQTT version.
            raise AMQTTError(exc) from exc
        principal = await self._principal(session)
        if principal is None:
            with contextlib.suppress(OSError):
                await ConnackPacket.build(0, NOT_AUTHORIZED).to_stream(writer)
                await writer.close()
            raise MQTTError(f"{remote_address}:{remote_port} not authorized")
        session.attributes[_OWNER] = principal.username
        session.attributes[_PRINCIPAL] = principal
        if session.clean_session:
            if session.client_id:
                await self._delete_session(session.client_id)
            else:
                session.client_id = gen_client_id()
            session.parent = 0
        elif session.client_id in self._sessions:
            existing = self._sessions[session.client_id][0]
            for name in (
                "will_flag", "will_message", "will_topic", "will_qos", "will_retain",
                "keep_alive", "username", "password",
            ):  # fmt: skip
                setattr(existing, name, getattr(session, name))
            existing.attributes[_PRINCIPAL] = principal
            session = existing
            session.parent = 1
        else:
            session.parent = 0
        delay = self.config.get("timeout-disconnect-delay", 0)
        if session.keep_alive > 0 and isinstance(delay, int):
            session.keep_alive += delay
        return handler, session

    async def _principal(self, session: Any) -> Principal | None:
        """The authenticated user of a CONNECT, or None to refuse it."""
        username, password = session.username, session.password
        if not username:
            return None  # anonymous
        try:
            # In a worker thread: checking a password hash is slow.
            principal = await asyncio.to_thread(
                self._authenticator.authenticate, username, password or ""
            )
        except Exception:
            log.exception("MQTT authentication of %r failed", username)
            return None
        if principal is None:
            log.info("MQTT user %r: bad credentials", username)
            return None
        if session.will_flag and not may_publish(principal, session.will_topic or ""):
            log.info("MQTT user %r refused: will on a forbidden topic", username)
            return None
        existing = self._sessions.get(session.client_id, (None, None))[0]
        owner = existing.attributes.get(_OWNER) if existing is not None else None
        if owner is not None and owner != principal.username:
            log.warning("MQTT user %r refused: client id of %r", username, owner)
            return None
        return principal

    async def _authenticate(self, session: Any, listener: Any) -> bool:
        # Done in _initialize_client_session: a session that gets here is authenticated.
        return isinstance(session.attributes.get(_PRINCIPAL), Principal)

    async def retain_message(
        self, source_session: Any, topic_name: Any, data: Any, qos: Any = None
    ) -> None:
        if source_session is not None:
            return None  # refused, see the module docstring
        await super().retain_message(source_session, topic_name, data, qos)


class EmbeddedBroker:
    """amqtt on `host:port` (port 0: a free one, see `port` after `start()`).

    ```
    with EmbeddedBroker(authenticator, port=0) as broker:
        bridge = MqttBridge(handler, port=broker.port, ...)
    ```
    """

    def __init__(
        self,
        authenticator: Authenticator,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        max_connections: int = 0,
    ) -> None:
        self.host = host
        self.port = port
        self._authenticator = authenticator
        self._max_connections = max_connections
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._broker: Any = None

    def _config(self) -> dict[str, Any]:
        return {
            "listeners": {
                "default": {
                    "type": "tcp",
                    "bind": f"{self.host}:{self.port}",
                    "max_connections": self._max_connections,
                }
            },
            "plugins": {
                f"{__name__}.TopicPlugin": {},
            },
        }

    def start(self, timeout: float = 10.0) -> int:
        """Start the broker thread and listen; returns the port."""
        if self._loop is not None:
            return self.port
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=self._run, args=(loop,), name="parvis-mqtt-broker")
        self._loop, self._thread = loop, thread
        thread.start()
        try:
            self.port = asyncio.run_coroutine_threadsafe(self._start(), loop).result(timeout)
        except BaseException:
            self._close_loop(timeout)
            raise
        log.info("embedded MQTT broker listening on %s:%d", self.host, self.port)
        return self.port

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_forever()

    async def _start(self) -> int:
        self._broker = _Broker(self._config(), self._authenticator, asyncio.get_running_loop())
        await self._broker.start()
        # The only way to learn the port chosen for `port=0` is the listening socket.
        sockets = self._broker._servers["default"].instance.sockets
        port: int = sockets[0].getsockname()[1]
        return port

    def update_principal(self, principal: Principal) -> None:
        """New rights for the live sessions of `principal.username` (a new datastream, ...)."""
        loop = self._loop
        if loop is None:
            return

        def update() -> None:
            for session, _handler in list(self._broker.sessions.values()):
                if session.attributes.get(_OWNER) == principal.username:
                    session.attributes[_PRINCIPAL] = principal

        loop.call_soon_threadsafe(update)

    def stop(self, timeout: float = 10.0) -> None:
        """Disconnect every client, close the listener, and end the thread and its loop."""
        loop = self._loop
        if loop is None:
            return
        if self._broker is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout)
            except Exception:
                log.exception("embedded MQTT broker did not shut down cleanly")
        self._close_loop(timeout)

    async def _shutdown(self) -> None:
        broker, self._broker = self._broker, None
        await broker.shutdown()
        # Connection handlers that amqtt leaves behind: end them so that none is destroyed
        # pending when the loop closes.
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.get_running_loop().shutdown_asyncgens()
        await asyncio.get_running_loop().shutdown_default_executor()

    def _close_loop(self, timeout: float) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        if not thread.is_alive():
            loop.close()

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
