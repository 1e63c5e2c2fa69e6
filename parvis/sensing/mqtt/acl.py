"""Who may publish and subscribe where over MQTT: staff anywhere, a device on its own topics.

Pure: the embedded broker asks `may_publish`/`may_subscribe` on every PUBLISH and SUBSCRIBE,
and `mosquitto.py` renders `device_grants` as a Mosquitto ACL file, so both brokers enforce
the same rules. A device:

- publishes Observations on `v1.x/Datastreams(id)/Observations` or
  `v1.x/MultiDatastreams(id)/Observations` of its own streams (the broker cannot read payloads,
  so `v1.x/Observations` with a Datastream link in the body is staff only), and reports the
  progress of its Tasks on `parvis/TaskingCapabilities(id)/TaskStatus` (a Parvis topic: the
  STA Tasking extension defines none, and an STA-looking topic would collide with the server's
  notifications);
- subscribes to `v1.x/TaskingCapabilities(id)/Tasks` of its own capabilities (the Tasks it must
  execute) and to the Observations collection of its own streams (to see what was stored).

Topics are compared literally in their canonical form (`Datastreams(5)`, not `Datastreams(05)`),
as Mosquitto does, and devices get no wildcards: a filter is allowed only if every topic it
matches is, and literal topics make that trivially true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from parvis.sensing.sta.model import VERSIONS

TASK_STATUS_PREFIX: Final = "parvis"
_ID = r"(0|[1-9][0-9]{0,18})"  # canonical decimal, as `str(int)` writes it
_VERSION = "|".join(re.escape(v) for v in VERSIONS)
_STA = re.compile(
    rf"({_VERSION})/(Datastreams|MultiDatastreams|TaskingCapabilities)\({_ID}\)/(Observations|Tasks)"
)
_TASK_STATUS = re.compile(rf"{TASK_STATUS_PREFIX}/TaskingCapabilities\({_ID}\)/TaskStatus")


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated MQTT user: staff (and the server's bridge), or a device and what it owns."""

    username: str
    staff: bool = False
    datastreams: frozenset[int] = frozenset()
    multi_datastreams: frozenset[int] = frozenset()
    tasking_capabilities: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Grants:
    """The literal topics a device may publish to (`write`) and subscribe to (`read`)."""

    write: tuple[str, ...]
    read: tuple[str, ...]


def task_status_topic(capability_id: int) -> str:
    """Where a device reports the progress of the Tasks of one of its TaskingCapabilities."""
    return f"{TASK_STATUS_PREFIX}/TaskingCapabilities({capability_id})/TaskStatus"


def parse_task_status_topic(topic: str) -> int | None:
    """The TaskingCapability id of a task-status topic; None for any other topic."""
    match = _TASK_STATUS.fullmatch(topic)
    return int(match.group(1)) if match else None


def has_wildcard(topic: str) -> bool:
    return "+" in topic or "#" in topic


def device_grants(principal: Principal) -> Grants:
    """Every topic a device may use, sorted; the same sets `may_publish`/`may_subscribe` test."""
    observations = [
        f"{version}/{entity_set}({i})/Observations"
        for version in VERSIONS
        for entity_set, ids in (
            ("Datastreams", principal.datastreams),
            ("MultiDatastreams", principal.multi_datastreams),
        )
        for i in sorted(ids)
    ]
    tasks = [
        f"{version}/TaskingCapabilities({i})/Tasks"
        for version in VERSIONS
        for i in sorted(principal.tasking_capabilities)
    ]
    status = [task_status_topic(i) for i in sorted(principal.tasking_capabilities)]
    return Grants(write=(*observations, *status), read=(*tasks, *observations))


def _own(principal: Principal, entity_set: str, id_: int) -> bool:
    owned = {
        "Datastreams": principal.datastreams,
        "MultiDatastreams": principal.multi_datastreams,
        "TaskingCapabilities": principal.tasking_capabilities,
    }[entity_set]
    return id_ in owned


def _sta_topic(topic: str) -> tuple[str, int, str] | None:
    match = _STA.fullmatch(topic)
    if match is None:
        return None
    entity_set, id_, collection = match.group(2), int(match.group(3)), match.group(4)
    if (entity_set == "TaskingCapabilities") != (collection == "Tasks"):
        return None  # Datastreams(1)/Tasks or TaskingCapabilities(1)/Observations
    return entity_set, id_, collection


def may_publish(principal: Principal, topic: str) -> bool:
    """Whether `principal` may PUBLISH on `topic` (a topic name: wildcards are never valid)."""
    if not topic or has_wildcard(topic):
        return False
    if principal.staff:
        return True  # staff and the server's bridge: creations anywhere, notifications
    capability = parse_task_status_topic(topic)
    if capability is not None:
        return capability in principal.tasking_capabilities
    parsed = _sta_topic(topic)
    if parsed is None:
        return False
    entity_set, id_, collection = parsed
    return collection == "Observations" and _own(principal, entity_set, id_)


def may_subscribe(principal: Principal, topic_filter: str) -> bool:
    """Whether `principal` may SUBSCRIBE to `topic_filter` (also asked per delivered topic)."""
    if not topic_filter:
        return False
    if principal.staff:
        return True
    if has_wildcard(topic_filter):
        return False  # literal grants only: no filter can be shown to stay within them
    parsed = _sta_topic(topic_filter)
    return parsed is not None and _own(principal, parsed[0], parsed[1])
