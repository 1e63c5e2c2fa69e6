"""MQTT topics (18-088 §14, 17-079 §9): parsing and which subscriptions receive an event."""

from __future__ import annotations

import pytest

from parvis.sensing.sta.mqtt_topics import (
    CreateTopic,
    EntityEvent,
    TopicKind,
    matches,
    parse_create_topic,
    parse_topic,
    topics_for,
)
from parvis.sensing.sta.payload import Binding, Link
from parvis.sensing.sta.query import QueryError


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("v1.1/Observations", CreateTopic("v1.1", "Observation", None)),
        (
            "v1.1/Datastreams(1)/Observations",
            CreateTopic("v1.1", "Observation", Binding("Datastream", Link("Datastream", 1))),
        ),
        (
            "v1.1/FeaturesOfInterest(2)/Observations",
            CreateTopic(
                "v1.1", "Observation", Binding("FeatureOfInterest", Link("FeatureOfInterest", 2))
            ),
        ),
        ("v1.0/Tasks", CreateTopic("v1.0", "Task", None)),
        (
            "v1.0/TaskingCapabilities(1)/Tasks",
            CreateTopic("v1.0", "Task", Binding("TaskingCapability", Link("TaskingCapability", 1))),
        ),
    ],
)
def test_create_topics(topic: str, expected: CreateTopic) -> None:
    assert parse_create_topic(topic) == expected


@pytest.mark.parametrize(
    ("topic", "message", "status"),
    [
        (
            "v1.1/Things",
            "topic 'v1.1/Things': publish Observations or Tasks to a collection, "
            "e.g. v1.1/Observations",
            400,
        ),
        (
            "v1.1/Observations(1)",
            "topic 'v1.1/Observations(1)': publish Observations or Tasks "
            "to a collection, e.g. v1.1/Observations",
            400,
        ),
        (
            "v1.1/Observations?$select=result",
            "topic 'v1.1/Observations?$select=result': "
            "query options are not allowed when publishing",
            400,
        ),
        (
            "v2.0/Observations",
            "topic 'v2.0/Observations': must start with a version (v1.0 or v1.1), e.g. v1.1/Things",
            400,
        ),
        (
            "Observations",
            "topic 'Observations': must start with a version (v1.0 or v1.1), e.g. v1.1/Things",
            400,
        ),
        (
            "v1.1/Obsrvations",
            "topic 'v1.1/Obsrvations': path: unknown entity set Obsrvations "
            "(did you mean Observations?) at position 0",
            404,
        ),
        ("v1.1/#", "topic 'v1.1/#': wildcards (# and +) are not supported", 400),
    ],
)
def test_create_topic_errors(topic: str, message: str, status: int) -> None:
    with pytest.raises(QueryError) as info:
        parse_create_topic(topic)
    assert (info.value.message, info.value.status) == (message, status)


def test_subscribe_topics() -> None:
    t = parse_topic("v1.1/Things")
    assert (t.kind, t.entity_type, t.parent_navigation, t.select) == (
        TopicKind.COLLECTION,
        "Thing",
        None,
        (),
    )
    t = parse_topic("v1.1/Datastreams(1)/Observations")
    assert (t.kind, t.parent_navigation, t.parent_id) == (TopicKind.COLLECTION, "Datastream", 1)
    t = parse_topic("v1.1/Datastreams(1)")
    assert (t.kind, t.entity_id) == (TopicKind.ENTITY, 1)
    t = parse_topic("v1.1/Datastreams(1)/observedArea")
    assert t.kind is TopicKind.PROPERTY and t.path.property is not None
    assert t.path.property.name == "observedArea"
    t = parse_topic("v1.1/Datastreams(1)/Observations?$select=phenomenonTime,result")
    assert t.select == ("phenomenonTime", "result")
    assert t.text() == "v1.1/Datastreams(1)/Observations?$select=phenomenonTime,result"
    assert parse_topic("v1.1/Things?$select=@iot.id,name,id").select == ("id", "name")


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ("v1.1", "cannot subscribe to a service root path"),
        ("v1.1/Things(1)/name/$value", "cannot subscribe to a value path"),
        ("v1.1/Things/$ref", "cannot subscribe to a ref path"),
        ("v1.1/Things?$top=1", "the only query option of a topic is $select (18-088 §14.2.4)"),
        ("v1.1/Things(1)?$select=name", "$select applies to collection topics"),
        (
            "v1.1/Things?$select=nme",
            "$select: unknown property 'nme' of Thing (did you mean name?)",
        ),
    ],
)
def test_subscribe_errors(topic: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_topic(topic)
    assert info.value.message == f"topic {topic!r}: {message}"


OBS_CREATED = EntityEvent(
    "Observation", 10, {"Datastream": frozenset({1}), "FeatureOfInterest": frozenset({3})}
)
OBS_UPDATED = EntityEvent(
    "Observation", 10, {"Datastream": frozenset({1})}, changed=frozenset({"result"})
)


@pytest.mark.parametrize(
    ("topic", "event", "expected"),
    [
        ("v1.1/Observations", OBS_CREATED, True),
        ("v1.1/Observations", OBS_UPDATED, True),
        ("v1.1/Things", OBS_CREATED, False),
        ("v1.1/Datastreams(1)/Observations", OBS_CREATED, True),
        ("v1.1/Datastreams(2)/Observations", OBS_CREATED, False),
        ("v1.1/FeaturesOfInterest(3)/Observations", OBS_CREATED, True),
        ("v1.1/Things(5)/Datastreams(1)/Observations", OBS_CREATED, True),
        ("v1.1/Observations(10)", OBS_CREATED, False),
        ("v1.1/Observations(10)", OBS_UPDATED, True),
        ("v1.1/Observations(11)", OBS_UPDATED, False),
        ("v1.1/Observations(10)/result", OBS_UPDATED, True),
        ("v1.1/Observations(10)/phenomenonTime", OBS_UPDATED, False),
        ("v1.1/Observations?$select=result", OBS_UPDATED, True),
        ("v1.1/Observations?$select=phenomenonTime", OBS_UPDATED, False),
        ("v1.1/Observations?$select=phenomenonTime", OBS_CREATED, True),
        # many-to-many: a Location linked to Thing 5
        (
            "v1.1/Things(5)/Locations",
            EntityEvent("Location", 2, {"Things": frozenset({4, 5})}),
            True,
        ),
    ],
)
def test_matches(topic: str, event: EntityEvent, expected: bool) -> None:
    assert matches(parse_topic(topic), event) is expected


def test_matches_needs_resolution_for_to_one_steps() -> None:
    topic = parse_topic("v1.1/Observations(10)/Datastream/Observations")
    with pytest.raises(ValueError, match="resolve the parent id first"):
        matches(topic, OBS_CREATED)
    assert matches(topic, OBS_CREATED, resolved_id=1)
    entity = parse_topic("v1.1/Observations(10)/Datastream")
    ds = EntityEvent("Datastream", 1, changed=frozenset({"name"}))
    with pytest.raises(ValueError, match="resolve the entity id first"):
        matches(entity, ds)
    assert matches(entity, ds, resolved_id=1)
    assert not matches(entity, ds, resolved_id=2)


def test_topics_for() -> None:
    assert topics_for("v1.1", OBS_CREATED) == (
        "v1.1/Observations",
        "v1.1/Datastreams(1)/Observations",
        "v1.1/FeaturesOfInterest(3)/Observations",
    )
    assert topics_for("v1.1", OBS_UPDATED) == (
        "v1.1/Observations",
        "v1.1/Datastreams(1)/Observations",
        "v1.1/Observations(10)",
        "v1.1/Observations(10)/result",
    )
    loc = EntityEvent("Location", 2, {"Things": frozenset({5})})
    assert topics_for("v1.1", loc) == ("v1.1/Locations", "v1.1/Things(5)/Locations")
    # every generated topic parses and matches its event
    for text in topics_for("v1.1", OBS_UPDATED):
        assert matches(parse_topic(text), OBS_UPDATED)
