"""The STA entity model: complete, consistent, and as the spec and the ETS describe it."""

from __future__ import annotations

import pytest

from parvis.sensing.sta.model import (
    MODELS,
    Cardinality,
    NavigationProperty,
    PropertyType,
    model_for,
)

V11 = model_for("v1.1")

# ets-sta10 util/EntityType.java: mandatory properties and relations it checks on every entity.
ETS = {
    "Thing": (["name", "description"], ["Datastreams", "HistoricalLocations", "Locations"]),
    "Location": (
        ["name", "description", "encodingType", "location"],
        ["HistoricalLocations", "Things"],
    ),
    "HistoricalLocation": (["time"], ["Thing", "Locations"]),
    "Datastream": (
        ["name", "description", "unitOfMeasurement", "observationType"],
        ["Thing", "Sensor", "ObservedProperty", "Observations"],
    ),
    "Sensor": (["name", "description", "encodingType", "metadata"], ["Datastreams"]),
    "ObservedProperty": (["name", "definition", "description"], ["Datastreams"]),
    "Observation": (
        ["phenomenonTime", "result", "resultTime"],
        ["Datastream", "FeatureOfInterest"],
    ),
    "FeatureOfInterest": (["name", "description", "encodingType", "feature"], ["Observations"]),
}


def test_entity_sets() -> None:
    assert V11.entity_set_names == (
        "Things",
        "Locations",
        "HistoricalLocations",
        "Datastreams",
        "MultiDatastreams",
        "Sensors",
        "ObservedProperties",
        "Observations",
        "FeaturesOfInterest",
        "TaskingCapabilities",
        "Tasks",
        "Actuators",
    )
    assert {t.part for t in V11.entity_types} == {"sensing", "multidatastream", "tasking"}


@pytest.mark.parametrize("version", sorted(MODELS))
def test_every_navigation_has_its_inverse(version: str) -> None:
    model = model_for(version)
    for et in model.entity_types:
        for nav in et.navigation:
            assert nav.source == et.name
            inverse = model.inverse(nav)
            assert inverse.source == nav.target
            assert inverse.target == nav.source
            assert model.inverse(inverse) == nav
            # Naming convention: to-many navigations carry the target's entity set name.
            if nav.many:
                assert nav.name == model.target(nav).entity_set
            else:
                assert nav.name == nav.target


def test_many_to_many_relations() -> None:
    pairs = sorted(
        f"{nav.source}.{nav.name}"
        for et in V11.entity_types
        for nav in et.navigation
        if V11.is_many_to_many(nav)
    )
    assert pairs == [
        "HistoricalLocation.Locations",
        "Location.HistoricalLocations",
        "Location.Things",
        "MultiDatastream.ObservedProperties",
        "ObservedProperty.MultiDatastreams",
        "Thing.Locations",
    ]


def test_required_relations() -> None:
    required = sorted(
        f"{nav.source}.{nav.name}"
        for et in V11.entity_types
        for nav in et.navigation
        if nav.required
    )
    assert required == [
        "Datastream.ObservedProperty",
        "Datastream.Sensor",
        "Datastream.Thing",
        "HistoricalLocation.Locations",
        "HistoricalLocation.Thing",
        "MultiDatastream.ObservedProperties",
        "MultiDatastream.Sensor",
        "MultiDatastream.Thing",
        "Observation.FeatureOfInterest",
        "Task.TaskingCapability",
        "TaskingCapability.Actuator",
        "TaskingCapability.Thing",
    ]


@pytest.mark.parametrize("name", sorted(ETS))
def test_ets_mandatory_members(name: str) -> None:
    et = V11.entity_type(name)
    properties, relations = ETS[name]
    mandatory = [p.name for p in et.properties if p.mandatory and p.name not in ("id", "selfLink")]
    assert mandatory == properties
    sensing_navs = {n.name for n in et.navigation if V11.target(n).part == "sensing"}
    assert sensing_navs == set(relations)


def test_members_and_aliases() -> None:
    thing = V11.entity_type("Thing")
    assert thing.member("@iot.id") is thing.get_property("id")
    assert thing.member("@iot.selfLink") is thing.get_property("selfLink")
    assert thing.get_property("Datastreams") is None
    nav = thing.get_navigation("Datastreams")
    assert isinstance(nav, NavigationProperty)
    assert nav.cardinality is Cardinality.MANY
    assert thing.get_navigation("name") is None
    assert V11.entity_set("Things") is thing
    assert V11.entity_set("Thing") is None


def test_property_types() -> None:
    obs = V11.entity_type("Observation")
    types = {p.name: p.type for p in obs.properties}
    assert types == {
        "id": PropertyType.ID,
        "selfLink": PropertyType.SELF_LINK,
        "phenomenonTime": PropertyType.TIME,
        "result": PropertyType.ANY,
        "resultTime": PropertyType.INSTANT,
        "resultQuality": PropertyType.ANY,
        "validTime": PropertyType.INTERVAL,
        "parameters": PropertyType.OBJECT,
    }
    task = V11.entity_type("Task")
    creation = task.get_property("creationTime")
    assert creation is not None
    assert creation.read_only
    assert PropertyType.GEOMETRY.has_subpaths
    assert not PropertyType.STRING.has_subpaths
    assert not PropertyType.SELF_LINK.queryable


def test_properties_object_by_version() -> None:
    v10 = model_for("v1.0")
    with_properties = sorted(t.name for t in v10.entity_types if t.get_property("properties"))
    assert with_properties == ["Actuator", "TaskingCapability", "Thing"]
    with_properties = sorted(t.name for t in V11.entity_types if t.get_property("properties"))
    assert with_properties == [
        "Actuator",
        "Datastream",
        "FeatureOfInterest",
        "Location",
        "MultiDatastream",
        "ObservedProperty",
        "Sensor",
        "TaskingCapability",
        "Thing",
    ]


def test_unknown_version() -> None:
    with pytest.raises(ValueError, match=r"unknown SensorThings API version 'v2\.0'"):
        model_for("v2.0")


def test_short_reprs() -> None:
    thing = V11.entity_type("Thing")
    assert repr(thing) == "EntityType('Thing')"
    assert repr(thing.get_property("name")) == "Property('name', STRING)"
    assert repr(thing.get_navigation("Locations")) == (
        "NavigationProperty(Thing.Locations -> Location, MANY)"
    )
    assert repr(V11) == "DataModel('v1.1')"
