"""MQTT topics of the STA MQTT extension (OGC 18-088 §14; Tasking: OGC 17-079 §9).

Create: PUBLISH an Observation on `v1.1/Observations` or `v1.1/Datastreams(1)/Observations`
(any navigation collection of Observations), a Task on `v1.1/Tasks` or
`v1.1/TaskingCapabilities(1)/Tasks`. Subscribe: a collection (`v1.1/Things`,
`v1.1/Things(1)/Datastreams`), an entity (`v1.1/Things(1)`), a property (`v1.1/Things(1)/name`)
or a collection with `?$select=a,b`. Paths are parsed by the URL path parser; `matches` decides
which subscriptions receive a created or updated entity.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, NoReturn

from parvis.sensing.sta.model import VERSIONS, model_for
from parvis.sensing.sta.payload import Binding, binding_for
from parvis.sensing.sta.query.context import suggest
from parvis.sensing.sta.query.errors import QueryError
from parvis.sensing.sta.query.path import PathKind, ResourcePath, parse_path

# Entity types a client may create by PUBLISH (14.1; 17-079 §9).
CREATABLE: Final = frozenset({"Observation", "Task"})


class TopicKind(enum.Enum):
    COLLECTION = "collection"
    ENTITY = "entity"
    PROPERTY = "property"


@dataclass(frozen=True, slots=True)
class CreateTopic:
    """Where a PUBLISHed entity goes: its type, and the bound parent of a navigation path."""

    version: str
    entity_type: str
    binding: Binding | None


@dataclass(frozen=True, slots=True)
class Topic:
    """A subscription topic. `select` lists the `$select`ed names (empty: whole entities)."""

    version: str
    path: ResourcePath
    select: tuple[str, ...] = ()

    @property
    def kind(self) -> TopicKind:
        return {
            PathKind.COLLECTION: TopicKind.COLLECTION,
            PathKind.ENTITY: TopicKind.ENTITY,
            PathKind.PROPERTY: TopicKind.PROPERTY,
        }[self.path.kind]

    @property
    def entity_type(self) -> str:
        """The type of the entities whose changes the topic reports."""
        assert self.path.target is not None  # collections, entities and properties have one
        return self.path.target.name

    @property
    def parent_navigation(self) -> str | None:
        """For `X(1)/Nav` collections: the event entity's navigation back to X (e.g. `Thing`)."""
        segments = self.path.segments
        if self.kind is not TopicKind.COLLECTION or segments[-1].navigation is None:
            return None
        return segments[-1].navigation.inverse

    @property
    def parent_id(self) -> int | None:
        """The id of the collection's parent, when the topic names it (`Things(5)/...`)."""
        if self.parent_navigation is None:
            return None
        return self.path.segments[-2].id

    @property
    def entity_id(self) -> int | None:
        """The id of the entity of an entity or property topic, when the topic names it."""
        if self.kind is TopicKind.COLLECTION:
            return None
        return self.path.segments[-1].id

    def text(self) -> str:
        query = f"?$select={','.join(self.select)}" if self.select else ""
        return f"{self.version}/{self.path.canonical()}{query}"


@dataclass(frozen=True, slots=True)
class EntityEvent:
    """A created (`changed` None) or updated entity, with its links after the change.

    `links` maps a navigation name of the entity to the ids it leads to (to-one: one id).
    """

    entity_type: str
    id: int
    links: Mapping[str, frozenset[int]] = field(default_factory=lambda: MappingProxyType({}))
    changed: frozenset[str] | None = None


def _fail(topic: str, message: str) -> NoReturn:
    raise QueryError(f"topic {topic!r}: {message}", None)


def _split(topic: str) -> tuple[str, str, str | None]:
    if any(c in topic for c in "#+"):
        # MQTT wildcards would subscribe to topics nobody publishes (no STA semantics).
        _fail(topic, "wildcards (# and +) are not supported")
    path, _, query = topic.partition("?")
    version, _, rest = path.partition("/")
    if version not in VERSIONS:
        _fail(topic, f"must start with a version ({' or '.join(VERSIONS)}), e.g. v1.1/Things")
    return version, rest, query if "?" in topic else None


def _parse(topic: str, version: str, rest: str) -> ResourcePath:
    try:
        return parse_path(rest, version)
    except QueryError as e:
        raise QueryError(f"topic {topic!r}: {e.message}", e.position, status=e.status) from None


def parse_create_topic(topic: str) -> CreateTopic:
    """The target of a PUBLISH: a collection of Observations or Tasks (raises QueryError)."""
    version, rest, query = _split(topic)
    if query is not None:
        _fail(topic, "query options are not allowed when publishing")
    resource = _parse(topic, version, rest)
    target = resource.target
    if resource.kind is not PathKind.COLLECTION or target is None or target.name not in CREATABLE:
        _fail(topic, "publish Observations or Tasks to a collection, e.g. v1.1/Observations")
    return CreateTopic(version, target.name, binding_for(resource))


def parse_topic(topic: str) -> Topic:
    """A SUBSCRIBE topic: collection, entity, property, or collection with `?$select=`."""
    version, rest, query = _split(topic)
    resource = _parse(topic, version, rest)
    if resource.kind not in (PathKind.COLLECTION, PathKind.ENTITY, PathKind.PROPERTY):
        _fail(topic, f"cannot subscribe to a {resource.kind.value} path")
    if query is None:
        return Topic(version, resource)
    name, eq, value = query.partition("=")
    if name != "$select" or not eq:
        _fail(topic, "the only query option of a topic is $select (18-088 §14.2.4)")
    if resource.kind is not PathKind.COLLECTION:
        _fail(topic, "$select applies to collection topics")
    et = resource.target
    assert et is not None
    names: list[str] = []
    for raw in value.split(","):
        item = raw.strip()
        member = et.member(item)
        if member is None:
            _fail(
                topic,
                f"$select: unknown property {item!r} of {et.name}" + suggest(item, et.member_names),
            )
        if member.name not in names:
            names.append(member.name)
    return Topic(version, resource, tuple(names))


def matches(topic: Topic, event: EntityEvent, *, resolved_id: int | None = None) -> bool:
    """Whether a subscriber of `topic` receives `event`.

    Collections get created and updated members (with `$select`, updates only when a selected
    property changed); entities get their updates; properties get changes of that property.
    A topic reached through a to-one navigation (`Datastreams(1)/Thing`, `Observations(1)/
    Datastream/Observations`) does not name the id it needs: the service passes it as
    `resolved_id` (it also checks, on subscribe, that earlier path steps are consistent).
    """
    if event.entity_type != topic.entity_type:
        return False
    kind = topic.kind
    if kind is TopicKind.COLLECTION:
        nav = topic.parent_navigation
        if nav is not None:
            parent = topic.parent_id if topic.parent_id is not None else resolved_id
            if parent is None:
                raise ValueError(f"{topic.text()}: resolve the parent id first")
            if parent not in event.links.get(nav, frozenset()):
                return False
        if topic.select and event.changed is not None:
            return not event.changed.isdisjoint(topic.select)
        return True
    wanted = topic.entity_id if topic.entity_id is not None else resolved_id
    if wanted is None:
        raise ValueError(f"{topic.text()}: resolve the entity id first")
    if event.id != wanted or event.changed is None:
        return False
    if kind is TopicKind.ENTITY:
        return True
    assert topic.path.property is not None
    return topic.path.property.name in event.changed


def topics_for(version: str, event: EntityEvent) -> tuple[str, ...]:
    """The canonical topics without `$select` that a stock broker can be sent `event` on.

    The entity set, each `Parent(id)/Nav` collection, the entity (updates) and each changed
    property; a broker without subscription hooks can serve these (see team notes §1.7).
    """
    model = model_for(version)
    et = model.entity_type(event.entity_type)
    topics = [f"{version}/{et.entity_set}"]
    for nav in et.navigation:
        for parent in sorted(event.links.get(nav.name, frozenset())):
            back = model.inverse(nav)
            if back.many:
                topics.append(f"{version}/{model.target(nav).entity_set}({parent})/{back.name}")
    if event.changed is not None:
        topics.append(f"{version}/{et.entity_set}({event.id})")
        topics.extend(
            f"{version}/{et.entity_set}({event.id})/{name}"
            for name in sorted(event.changed)
            if et.get_property(name) is not None
        )
    return tuple(topics)
