"""What arrives over MQTT: Observations and Tasks published by devices and staff, and the
progress of Tasks reported by actuators. A batch of messages is one transaction; the bridge
acknowledges them (QoS 1) only after it commits, so an accepted message is never lost.

The broker has already checked that the publisher may use the topic (a device only its own
Datastreams and capabilities); the payload is then checked like an HTTP POST to the same path,
so a body naming another Datastream than its topic is refused ("mismatched nested path").
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from parvis.sensing.actions import Writer
from parvis.sensing.bulk import insert_observations, simple_observation
from parvis.sensing.codec import load_json
from parvis.sensing.models import Task
from parvis.sensing.mqtt.acl import parse_task_status_topic
from parvis.sensing.mqtt.bridge import TransientError
from parvis.sensing.queries import StaError
from parvis.sensing.service import STAFF_VIEW, Service
from parvis.sensing.sta.mqtt_topics import CreateTopic, parse_create_topic
from parvis.sensing.sta.payload import NewEntity, PayloadError, parse_create
from parvis.sensing.sta.query.errors import QueryError

log = logging.getLogger(__name__)
TASK_STATUSES: Final = ("accepted", "rejected", "running", "done", "failed")


@functools.lru_cache(maxsize=65_536)
def _create_topic(topic: str) -> CreateTopic:
    """Devices publish on the same few topics again and again: parse each once."""
    return parse_create_topic(topic)


class MessageLike(Protocol):
    @property
    def topic(self) -> str: ...

    @property
    def payload(self) -> bytes: ...


@dataclass
class Ingest:
    """The bridge's handler: `handle_batch` stores a batch in one transaction."""

    services: dict[str, Service]  # by version

    rejected: int = 0
    stored: int = 0

    def handle_batch(self, messages: Sequence[MessageLike]) -> None:
        try:
            self._store(messages)
        except (OperationalError, DBAPIError) as e:
            if (
                isinstance(e, DBAPIError)
                and not e.connection_invalidated
                and not isinstance(e, OperationalError)
            ):
                raise
            raise TransientError(str(e)) from e

    def _store(self, messages: Sequence[MessageLike]) -> None:
        parsed: dict[str, list[NewEntity | PayloadError]] = {}
        statuses: list[tuple[int, dict[str, Any]]] = []
        for message in messages:
            item = self._parse(message)
            if item is None:
                continue
            key, value = item
            if isinstance(value, dict):
                assert isinstance(key, int)
                statuses.append((key, value))
            else:
                assert isinstance(key, str)
                parsed.setdefault(key, []).append(value)
        any_service = next(iter(self.services.values()))
        changes = []
        with any_service.engine.begin() as conn:
            for version, rows in parsed.items():
                writer = Writer(conn, STAFF_VIEW, version, datetime.now(UTC))
                outcomes = insert_observations(writer, rows)
                for outcome in outcomes:
                    if isinstance(outcome, int):
                        self.stored += 1
                    else:
                        self.rejected += 1
                        log.warning("MQTT message refused: %s", outcome)
                changes.append((version, list(writer.changes)))
            for capability, status in statuses:
                self._record_status(conn, capability, status)
        for version, version_changes in changes:
            self.services[version].notify(version_changes)

    def _parse(
        self, message: MessageLike
    ) -> tuple[str | int, NewEntity | PayloadError | dict[str, Any]] | None:
        capability = parse_task_status_topic(message.topic)
        try:
            body = load_json(message.payload)
        except (ValueError, UnicodeDecodeError):
            self.rejected += 1
            log.warning("MQTT message on %s is not JSON", message.topic)
            return None
        if capability is not None:
            if not isinstance(body, dict):
                self.rejected += 1
                return None
            return capability, body
        if isinstance(body, dict) and "@iot.selfLink" in body:
            return None  # one of our own notifications, not a creation
        try:
            topic = _create_topic(message.topic)
        except (QueryError, ValueError) as e:
            self.rejected += 1
            log.warning("MQTT topic refused: %s", e)
            return None
        if topic.version not in self.services:
            return None
        if topic.entity_type == "Observation" and topic.binding is not None:
            simple = simple_observation(body, topic.binding)
            if simple is not None:
                return topic.version, simple
        try:
            return topic.version, parse_create(
                topic.entity_type, body, version=topic.version, bound_parent=topic.binding
            )
        except PayloadError as e:
            return topic.version, e

    def _record_status(self, conn: Any, capability: int, body: dict[str, Any]) -> None:
        task_id, status = body.get("task"), body.get("status")
        if not isinstance(task_id, int) or status not in TASK_STATUSES:
            self.rejected += 1
            log.warning("task status refused: %r", body)
            return
        found = conn.scalar(
            select(Task.id).where(Task.id == task_id, Task.tasking_capability_id == capability)
        )
        if found is None:
            self.rejected += 1
            log.warning("task %s is not a task of capability %s", task_id, capability)
            return
        message = body.get("message")
        conn.execute(
            update(Task)
            .where(Task.id == task_id)
            .values(
                status=status,
                status_time=datetime.now(UTC),
                status_message=str(message)[:2000] if message is not None else None,
            )
        )
        self.stored += 1


__all__ = ["Ingest", "StaError", "TransientError"]
