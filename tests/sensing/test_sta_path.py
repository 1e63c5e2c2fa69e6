"""Resource paths (18-088 §9.2 usages 1-8), FROST's PathParserTest cases and the ETS walk."""

from __future__ import annotations

import pytest

from parvis.sensing.sta.model import model_for
from parvis.sensing.sta.query import PathKind, QueryError, ResourcePath, parse_path

V11 = model_for("v1.1")


def path_error(path: str) -> QueryError:
    with pytest.raises(QueryError) as info:
        parse_path(path)
    return info.value


@pytest.mark.parametrize(
    ("path", "kind", "canonical"),
    [
        # Usage 1-8 of 18-088 §9.2, with the spec's own examples.
        ("", PathKind.SERVICE_ROOT, ""),
        ("/", PathKind.SERVICE_ROOT, ""),
        ("ObservedProperties", PathKind.COLLECTION, "ObservedProperties"),
        ("/Things(1)", PathKind.ENTITY, "Things(1)"),
        ("Observations(1)/resultTime", PathKind.PROPERTY, "Observations(1)/resultTime"),
        ("Observations(1)/resultTime/$value", PathKind.VALUE, "Observations(1)/resultTime/$value"),
        ("Datastreams(1)/Observations", PathKind.COLLECTION, "Datastreams(1)/Observations"),
        ("Datastreams(1)/Observations/$ref", PathKind.REF, "Datastreams(1)/Observations/$ref"),
        ("Datastreams(1)/Observations(1)", PathKind.ENTITY, "Datastreams(1)/Observations(1)"),
        (
            "Datastreams(1)/Observations(1)/resultTime",
            PathKind.PROPERTY,
            "Datastreams(1)/Observations(1)/resultTime",
        ),
        (
            "Datastreams(1)/Observations(1)/FeatureOfInterest",
            PathKind.ENTITY,
            "Datastreams(1)/Observations(1)/FeatureOfInterest",
        ),
        # More forms
        ("Things/", PathKind.COLLECTION, "Things"),
        ("Things/$ref", PathKind.REF, "Things/$ref"),
        ("Things(1)/$ref", PathKind.REF, "Things(1)/$ref"),
        ("Observations(3)/Datastream/$ref", PathKind.REF, "Observations(3)/Datastream/$ref"),
        ("Things(1)/properties", PathKind.PROPERTY, "Things(1)/properties"),
        ("Things(1)/properties/$value", PathKind.VALUE, "Things(1)/properties/$value"),
        ("Things(1)/properties/owner", PathKind.PROPERTY, "Things(1)/properties/owner"),
        ("Things(1)/properties/owner/$value", PathKind.VALUE, "Things(1)/properties/owner/$value"),
        (
            "Things(1)/properties/property1[2][3]",
            PathKind.PROPERTY,
            "Things(1)/properties/property1[2][3]",
        ),
        (
            "Things(1)/properties/property1[2]/deep[3]",
            PathKind.PROPERTY,
            "Things(1)/properties/property1[2]/deep[3]",
        ),
        (
            "Observations(1)/parameters/property1",
            PathKind.PROPERTY,
            "Observations(1)/parameters/property1",
        ),
        ("Observations(1)/result/property1", PathKind.PROPERTY, "Observations(1)/result/property1"),
        ("Observations(1)/result[2]", PathKind.PROPERTY, "Observations(1)/result[2]"),
        ("Datastreams(1)/observedArea", PathKind.PROPERTY, "Datastreams(1)/observedArea"),
        (
            "Datastreams(1)/unitOfMeasurement/name/$value",
            PathKind.VALUE,
            "Datastreams(1)/unitOfMeasurement/name/$value",
        ),
        ("Things(1)/@iot.id", PathKind.PROPERTY, "Things(1)/id"),
        ("Things(9223372036854775807)", PathKind.ENTITY, "Things(9223372036854775807)"),
        ("Things(-1)", PathKind.ENTITY, "Things(-1)"),
        ("$batch", PathKind.BATCH, "$batch"),
        ("CreateObservations", PathKind.CREATE_OBSERVATIONS, "CreateObservations"),
        ("TaskingCapabilities(1)/Tasks", PathKind.COLLECTION, "TaskingCapabilities(1)/Tasks"),
        (
            "Tasks(1)/TaskingCapability/Actuator",
            PathKind.ENTITY,
            "Tasks(1)/TaskingCapability/Actuator",
        ),
        (
            "MultiDatastreams(7)/Observations",
            PathKind.COLLECTION,
            "MultiDatastreams(7)/Observations",
        ),
    ],
)
def test_paths(path: str, kind: PathKind, canonical: str) -> None:
    parsed = parse_path(path)
    assert parsed.kind is kind
    assert parsed.canonical() == canonical
    if canonical:
        assert parse_path(canonical) == parsed


def test_path_structure() -> None:
    parsed = parse_path("Datastreams(1)/Observations(2)/FeatureOfInterest/name")
    assert [s.text() for s in parsed.segments] == [
        "Datastreams(1)",
        "Observations(2)",
        "FeatureOfInterest",
    ]
    first, second, third = parsed.segments
    assert first.navigation is None
    assert first.entity_type.name == "Datastream"
    assert second.navigation is V11.entity_type("Datastream").get_navigation("Observations")
    assert second.id == 2
    assert third.navigation is not None
    assert third.navigation.name == "FeatureOfInterest"
    assert not third.is_collection
    assert parsed.target is V11.entity_type("FeatureOfInterest")
    assert parsed.property is V11.entity_type("FeatureOfInterest").get_property("name")
    assert not parsed.is_collection
    collection = parse_path("Things(1)/Datastreams")
    assert collection.is_collection
    assert collection.target is V11.entity_type("Datastream")
    assert parse_path("").target is None
    assert parse_path("Things", "v1.0") == ResourcePath(
        "v1.0", parse_path("Things", "v1.0").segments
    )


@pytest.mark.parametrize(
    "path",
    [
        # FROST PathParserTest: deep paths through singular and plural relations.
        "/ObservedProperties(1)/Datastreams(2)/Observations",
        "/Things(1)/Locations(2)/HistoricalLocations(3)/Thing/Datastreams(5)/Sensor/Datastreams(6)"
        "/ObservedProperty/Datastreams(7)/Observations(8)/FeatureOfInterest",
        "/FeaturesOfInterest(1)/Observations(2)/Datastream/Thing/HistoricalLocations(3)"
        "/Locations(4)/Things(1)/properties/property1",
        "/FeaturesOfInterest(1)/Observations(2)/Datastream/Thing/HistoricalLocations(3)"
        "/Locations(4)/Things(1)/properties/property1/subproperty2",
        "/Observations(11)/Datastream/Thing",
        "/Datastreams(5)/Observations(11)/Datastream/Thing",
        # ets-sta10 Capability1Tests.checkResourcePaths examples
        "Things(1)/Datastreams(2)/Sensor/Datastreams",
        "Observations(3)/Datastream/Thing/Locations/$ref",
        "HistoricalLocations(1)/Thing/HistoricalLocations(1)/Locations",
    ],
)
def test_deep_paths(path: str) -> None:
    parsed = parse_path(path)
    assert parse_path(parsed.canonical()) == parsed


def test_every_property_of_every_entity() -> None:
    # FROST PathParserTest.testPathEntityProperty, plus $value.
    for et in V11.entity_types:
        for prop in et.properties:
            parsed = parse_path(f"{et.entity_set}(1)/{prop.name}")
            assert parsed.kind is PathKind.PROPERTY
            assert parsed.property is prop
            assert parse_path(f"{et.entity_set}(1)/{prop.name}/$value").kind is PathKind.VALUE


def test_ets_resource_path_walk() -> None:
    # ets-sta10 checkResourcePaths: from each set, follow every relation up to 4 segments,
    # adding an id after each plural segment, then also ask for $ref.
    count = 0

    def walk(prefix: str, et_name: str, depth: int) -> None:
        nonlocal count
        if depth == 4:
            return
        et = V11.entity_type(et_name)
        for nav in et.navigation:
            path = f"{prefix}/{nav.name}"
            for candidate in (path, path + "/$ref"):
                parsed = parse_path(candidate)
                assert parsed.canonical() == candidate
                count += 1
            walk(path + "(1)" if nav.many else path, nav.target, depth + 1)

    for et in V11.entity_types:
        walk(f"{et.entity_set}(1)", et.name, 1)
    assert count > 500


@pytest.mark.parametrize(
    ("path", "message", "status"),
    [
        ("Thing", "path: unknown entity set Thing (did you mean Things?) at position 0", 404),
        ("things(1)", "path: unknown entity set things (did you mean Things?) at position 0", 404),
        ("Foo", "path: unknown entity set Foo at position 0", 404),
        (
            "v1.1/Things",
            "path: unknown entity set v1.1 (the version belongs to the service root, not to the "
            "path) at position 0",
            404,
        ),
        (
            "Things('abc')",
            "path: Things('abc'): Parvis uses integer ids, not strings; write Things(<integer>) "
            "at position 7",
            404,
        ),
        (
            "Things(1)/Datastreams('x')",
            "path: Datastreams('x'): Parvis uses integer ids, not strings; write "
            "Datastreams(<integer>) at position 22",
            404,
        ),
        (
            "Things(99999999999999999999)",
            "path: Things(99999999999999999999): no such entity (ids are 64-bit integers) at "
            "position 7",
            404,
        ),
        (
            "Things(1.5)",
            "path: expected an integer id in Things(...), found '1.5' at position 7",
            400,
        ),
        (
            "Things()",
            "path: expected an integer id in Things(...), found nothing at position 7",
            400,
        ),
        ("Things(1", "path: unbalanced '(' at position 6", 400),
        ("Things(1)x", "path: unexpected 'x' at position 9", 400),
        ("Things//Datastreams", "path: expected a name, found '/' at position 7", 400),
        ("Things(1)/Datastreams//", "path: expected a name after '/' at position 22", 400),
        (
            "Things/Datastreams",
            "path: Things is a collection: address one entity, e.g. Things(1)/Datastreams at "
            "position 7",
            400,
        ),
        (
            "Things(1)/Datastreams/Sensor",
            "path: Datastreams is a collection: address one entity, e.g. Datastreams(1)/Sensor at "
            "position 22",
            400,
        ),
        ("Things(1)/Foo", "path: unknown property Foo of Thing at position 10", 404),
        (
            "Things(1)/datastreams",
            "path: unknown property datastreams of Thing (did you mean Datastreams?) at position "
            "10",
            404,
        ),
        (
            "Things(1)/Locations(2)/HistoricalLocations(3)/Thing/Datastreams(5)/Sensor/Datastreams(6)/ObservedProperties/Datastreams(8)",
            "path: unknown property ObservedProperties of Datastream (did you mean "
            "ObservedProperty?) at position 89",
            404,
        ),
        (
            "Observations(1)/Datastream(2)",
            "path: Datastream is a single entity and takes no id at position 26",
            400,
        ),
        ("Things(1)/name(2)", "path: name is a property and takes no id at position 14", 400),
        (
            "Things(1)/name/first",
            "path: name of Thing is a string and has no sub-properties at position 15",
            400,
        ),
        ("Things(1)/name[0]", "path: name is not an array at position 14", 400),
        ("Things[0]", "path: an array index cannot follow an entity set at position 6", 400),
        (
            "Things(1)/Datastreams[0]",
            "path: an array index cannot follow a navigation property at position 21",
            400,
        ),
        (
            "Things(1)/$value",
            "path: $value follows a property (e.g. Things(1)/name/$value) at position 10",
            400,
        ),
        ("Things(1)/name/$ref", "path: $ref follows entities, not a property at position 15", 400),
        ("Things(1)/$ref/name", "path: $ref must end the path at position 15", 400),
        ("Things(1)/name/$value/x", "path: $value must end the path at position 22", 400),
        (
            "Things(1)/$count",
            "path: unknown path option $count (known: $ref, $value) at position 10",
            404,
        ),
        ("$batch/Things", "path: $batch takes no further path at position 0", 400),
        (
            "Things(1)/properties/a(1)",
            "path: a key in parentheses cannot follow a property at position 22",
            400,
        ),
    ],
)
def test_bad_paths(path: str, message: str, status: int) -> None:
    err = path_error(path)
    assert str(err) == message
    assert err.status == status
    assert err.position == int(message.rsplit("at position ", 1)[1])


def test_unknown_version() -> None:
    with pytest.raises(QueryError, match="unknown SensorThings API version") as info:
        parse_path("Things", "v2.0")
    assert info.value.status == 404


def test_v10_model() -> None:
    with pytest.raises(QueryError, match="unknown property properties of Sensor"):
        parse_path("Sensors(1)/properties", "v1.0")
    assert parse_path("Sensors(1)/properties").kind is PathKind.PROPERTY
