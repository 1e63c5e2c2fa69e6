"""POST/PATCH/PUT body validation (OGC 18-088 §10, ets-sta10 Level 2 payloads, FROST cases)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from parvis.sensing.sta.payload import (
    Binding,
    Interval,
    Link,
    NewEntity,
    PayloadError,
    binding_for,
    check_geojson,
    parse_create,
    parse_update,
)
from parvis.sensing.sta.query import parse_path

POINT = {"type": "Point", "coordinates": [-114.133, 51.08]}
UNIT = {
    "name": "Degree Celsius",
    "symbol": "degC",
    "definition": "http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html#DegreeCelsius",
}
OM = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"


def error(entity: str, body: object, **kw: Any) -> PayloadError:
    with pytest.raises(PayloadError) as info:
        parse_create(entity, body, **kw)
    assert info.value.status == 400
    return info.value


def update_error(entity: str, body: object, *, partial: bool = True) -> PayloadError:
    with pytest.raises(PayloadError) as info:
        parse_update(entity, body, partial=partial)
    return info.value


# -- spec / ETS examples ---------------------------------------------------------------------


def test_thing_deep_insert_spec_example() -> None:
    # 18-088 §10.2 example: a Thing with a new Location and Datastream (new Sensor/ObsProp).
    body = json.loads(
        json.dumps(
            {
                "name": "Temperature Monitoring System",
                "description": "Sensor system monitoring area temperature",
                "properties": {"Deployment Condition": "Deployed in a third floor balcony"},
                "Locations": [
                    {
                        "name": "UofC CCIT",
                        "description": "University of Calgary, CCIT building",
                        "encodingType": "application/geo+json",
                        "location": POINT,
                    }
                ],
                "Datastreams": [
                    {
                        "name": "Air Temperature DS",
                        "description": "Datastream for recording temperature",
                        "unitOfMeasurement": UNIT,
                        "observationType": OM,
                        "ObservedProperty": {
                            "name": "Area Temperature",
                            "description": "The degree or intensity of heat present in the area",
                            "definition": "http://www.qudt.org/qudt/owl/1.0.0/quantity/"
                            "Instances.html#AreaTemperature",
                        },
                        "Sensor": {
                            "name": "DHT22",
                            "description": "DHT22 temperature sensor",
                            "encodingType": "application/pdf",
                            "metadata": "https://cdn-shop.adafruit.com/datasheets/DHT22.pdf",
                        },
                    }
                ],
            }
        )
    )
    thing = parse_create("Thing", body)
    assert thing.entity_type == "Thing"
    assert thing.properties["name"] == "Temperature Monitoring System"
    (location,) = thing.related["Locations"]
    assert isinstance(location, NewEntity) and location.properties["location"] == POINT
    (ds,) = thing.related["Datastreams"]
    assert isinstance(ds, NewEntity)
    assert set(ds.related) == {"ObservedProperty", "Sensor"}  # Thing comes from the parent
    sensor = ds.related["Sensor"][0]
    assert isinstance(sensor, NewEntity) and sensor.properties["encodingType"] == "application/pdf"
    assert thing.server_defaults == frozenset()


def test_datastream_with_links_ets_create_entities() -> None:
    body = {
        "unitOfMeasurement": UNIT,
        "description": "test datastream.",
        "name": "this is a test datastream.",
        "observationType": OM,
        "Thing": {"@iot.id": 1},
        "ObservedProperty": {"@iot.id": 2},
        "Sensor": {"@iot.id": 3},
    }
    ds = parse_create("Datastream", body)
    assert ds.related == {
        "Thing": (Link("Thing", 1),),
        "ObservedProperty": (Link("ObservedProperty", 2),),
        "Sensor": (Link("Sensor", 3),),
    }


def test_datastream_deep_observations() -> None:
    body = {
        "unitOfMeasurement": UNIT,
        "description": "test datastream.",
        "name": "this is a test datastream.",
        "observationType": OM,
        "Thing": {"@iot.id": 1},
        "ObservedProperty": {"name": "Luminous Flux", "definition": "x", "description": "d"},
        "Sensor": {
            "description": "s",
            "name": "n",
            "encodingType": "http://www.opengis.net/doc/IS/SensorML/2.0",
            "metadata": "<xml/>",
        },
        "Observations": [{"phenomenonTime": "2015-03-01T00:10:00Z", "result": 10}],
    }
    ds = parse_create("Datastream", body)
    (obs,) = ds.related["Observations"]
    assert isinstance(obs, NewEntity)
    assert obs.properties["phenomenonTime"] == datetime(2015, 3, 1, 0, 10, tzinfo=UTC)
    assert obs.properties["resultTime"] is None
    assert obs.server_defaults == {"FeatureOfInterest"}


def test_observation_defaults_and_exact_int64_result() -> None:
    body = json.loads('{"result": 9223372036854775807, "Datastream": {"@iot.id": 1}}')
    obs = parse_create("Observation", body)
    assert obs.properties["result"] == 9223372036854775807
    assert type(obs.properties["result"]) is int
    assert obs.properties["resultTime"] is None
    assert obs.server_defaults == {"phenomenonTime", "FeatureOfInterest"}


def test_observation_with_inline_foi_and_times() -> None:
    obs = parse_create(
        "Observation",
        {
            "phenomenonTime": "2015-03-01T00:00:00+01:00/2015-03-01T01:00:00+01:00",
            "resultTime": "2015-03-01T01:00:00.5-07:00",
            "validTime": "2015-03-01T00:00:00Z/2016-03-01T00:00:00Z",
            "result": {"a": [1, 2]},
            "parameters": {"k": "v"},
            "Datastream": {"@iot.id": 1},
            "FeatureOfInterest": {
                "name": "A weather station.",
                "description": "A weather station.",
                "encodingType": "application/vnd.geo+json",
                "feature": {"type": "Point", "coordinates": [-114.05, 51.05]},
            },
        },
    )
    assert obs.properties["phenomenonTime"] == Interval(
        datetime(2015, 2, 28, 23, tzinfo=UTC), datetime(2015, 3, 1, 0, tzinfo=UTC)
    )
    assert obs.properties["resultTime"] == datetime(2015, 3, 1, 8, 0, 0, 500000, tzinfo=UTC)
    assert obs.server_defaults == frozenset()
    assert isinstance(obs.related["FeatureOfInterest"][0], NewEntity)


def test_historical_location_ets() -> None:
    hl = parse_create(
        "HistoricalLocation",
        {
            "time": "2015-03-01T00:40:00.000Z",
            "Thing": {"@iot.id": 1},
            "Locations": [{"@iot.id": 2}],
        },
    )
    assert hl.related["Locations"] == (Link("Location", 2),)


def test_task_sets_creation_time_and_binding() -> None:
    task = parse_create(
        "Task",
        {"taskingParameters": {"status": "on"}},
        bound_parent=Binding("TaskingCapability", Link("TaskingCapability", 1)),
    )
    assert task.related == {"TaskingCapability": (Link("TaskingCapability", 1),)}
    assert task.server_defaults == {"creationTime"}
    err = error("Task", {"taskingParameters": {}, "creationTime": "2020-01-01T00:00:00Z"})
    assert (err.message, err.path) == ("creationTime is set by the service", "creationTime")


def test_binding_for_paths() -> None:
    assert binding_for(parse_path("Datastreams(1)/Observations")) == Binding(
        "Datastream", Link("Datastream", 1)
    )
    assert binding_for(parse_path("Things(7)/Locations")) == Binding("Things", Link("Thing", 7))
    assert binding_for(parse_path("Observations")) is None


def test_bound_parent_same_link_ok_and_many_to_many_appends() -> None:
    bind = Binding("Datastream", Link("Datastream", 1))
    obs = parse_create(
        "Observation", {"result": 1, "Datastream": {"@iot.id": 1}}, bound_parent=bind
    )
    assert obs.related["Datastream"] == (Link("Datastream", 1),)
    loc = parse_create(
        "Location",
        {
            "name": "n",
            "description": "d",
            "encodingType": "application/geo+json",
            "location": POINT,
            "Things": [{"@iot.id": 3}],
        },
        bound_parent=Binding("Things", Link("Thing", 7)),
    )
    assert loc.related["Things"] == (Link("Thing", 3), Link("Thing", 7))


def test_bound_parent_conflict() -> None:
    err = error(
        "Observation",
        {"result": 1, "Datastream": {"@iot.id": 2}},
        bound_parent=Binding("Datastream", Link("Datastream", 1)),
    )
    assert err.path == "Datastream"
    assert err.message == (
        "mismatched nested path: the URL gives Datastream 1 but the body gives another"
    )


def test_output_annotations_ignored() -> None:
    thing = parse_create(
        "Thing",
        {
            "name": "n",
            "description": "d",
            "@iot.selfLink": "http://x/v1.1/Things(1)",
            "Datastreams@iot.navigationLink": "Things(1)/Datastreams",
        },
    )
    assert dict(thing.properties) == {"name": "n", "description": "d"}


def test_multidatastream() -> None:
    body = {
        "name": "m",
        "description": "d",
        "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_ComplexObservation",
        "unitOfMeasurements": [UNIT, UNIT],
        "multiObservationDataTypes": [OM, OM],
        "Thing": {"@iot.id": 1},
        "Sensor": {"@iot.id": 1},
        "ObservedProperties": [{"@iot.id": 1}, {"@iot.id": 2}],
    }
    assert parse_create("MultiDatastream", body).entity_type == "MultiDatastream"
    err = error("MultiDatastream", {**body, "ObservedProperties": [{"@iot.id": 1}]})
    assert err.message == (
        "a MultiDatastream needs as many of each: unitOfMeasurements has 2, "
        "multiObservationDataTypes has 2, ObservedProperties has 1"
    )


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "body", "message", "path"),
    [
        ("Thing", [], "expected a JSON object as request body, found an array", ""),
        ("Thing", {"name": "n"}, "missing mandatory property description of Thing", ""),
        (
            "Thing",
            {"name": "n", "description": "d", "nmae": 1},
            "unknown property nmae of Thing (did you mean name?)",
            "nmae",
        ),
        ("Thing", {"name": 5, "description": "d"}, "expected a string, found a number", "name"),
        (
            "Thing",
            {"name": None, "description": "d"},
            "name is mandatory and cannot be null",
            "name",
        ),
        (
            "Thing",
            {"name": "n", "description": "d", "properties": [1]},
            "expected a JSON object, found an array",
            "properties",
        ),
        (
            "Thing",
            {"@iot.id": 5, "name": "n", "description": "d"},
            "ids are set by the service",
            "@iot.id",
        ),
        (
            "Observation",
            {"result": 1},
            "an Observation needs exactly one of Datastream or MultiDatastream (neither given)",
            "",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": {"@iot.id": 1}, "MultiDatastream": {"@iot.id": 1}},
            "an Observation needs exactly one of Datastream or MultiDatastream (both given)",
            "",
        ),
        (
            "Observation",
            {"Datastream": {"@iot.id": 1}},
            "missing mandatory property result of Observation",
            "",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": {"@iot.id": "1"}},
            "Parvis uses integer ids, found a string",
            "Datastream/@iot.id",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": {"@iot.id": True}},
            "Parvis uses integer ids, found a boolean",
            "Datastream/@iot.id",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": {"@iot.id": 2**63}},
            "ids are 64-bit integers",
            "Datastream/@iot.id",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": {"@iot.id": 1, "name": "x"}},
            "a link to an existing Datastream carries only @iot.id (found name)",
            "Datastream",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": None},
            "Datastream cannot be null",
            "Datastream",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": [{"@iot.id": 1}]},
            "expected a Datastream object, found an array",
            "Datastream",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": {"@iot.id": 1}, "phenomenonTime": "yesterday"},
            "not an ISO 8601 date-time: 'yesterday'",
            "phenomenonTime",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": {"@iot.id": 1}, "phenomenonTime": "2015-03-01T00:00:00"},
            "date-time needs a time zone (e.g. 'Z' or '+01:00'): '2015-03-01T00:00:00'",
            "phenomenonTime",
        ),
        (
            "Observation",
            {
                "result": 1,
                "Datastream": {"@iot.id": 1},
                "validTime": "2016-01-01T00:00:00Z/2015-01-01T00:00:00Z",
            },
            "interval ends before it starts: '2016-01-01T00:00:00Z/2015-01-01T00:00:00Z'",
            "validTime",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": {"@iot.id": 1}, "validTime": "2016-01-01T00:00:00Z"},
            "expected an ISO 8601 interval 'start/end', found '2016-01-01T00:00:00Z'",
            "validTime",
        ),
        (
            "Observation",
            {"result": 1, "Datastream": {"@iot.id": 1}, "resultTime": 5},
            "expected an ISO 8601 date-time string, found a number",
            "resultTime",
        ),
        (
            "HistoricalLocation",
            {"time": "2015-03-01T00:40:00Z", "Thing": {"@iot.id": 1}, "Locations": []},
            "Locations needs at least one Location",
            "Locations",
        ),
        (
            "Location",
            {
                "name": "n",
                "description": "d",
                "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [1]},
            },
            "a Point position is an array of 2 or 3 numbers",
            "location/coordinates",
        ),
        (
            "Location",
            {
                "name": "n",
                "description": "d",
                "encodingType": "application/geo+json",
                "location": {"type": "Circle"},
            },
            "unknown GeoJSON type 'Circle' (known: Point, MultiPoint, LineString, "
            "MultiLineString, Polygon, MultiPolygon, GeometryCollection, Feature, "
            "FeatureCollection)",
            "location",
        ),
        (
            "Location",
            {
                "name": "n",
                "description": "d",
                "encodingType": "application/geo+json",
                "location": POINT,
                "properties": {},
            },
            "unknown property properties of Location",
            "properties",
        ),
    ],
)
def test_create_errors(entity: str, body: object, message: str, path: str) -> None:
    # v1.0 Locations have no `properties` (added in v1.1).
    v10 = entity == "Location" and isinstance(body, dict) and "properties" in body
    err = error(entity, body, version="v1.0" if v10 else "v1.1")
    assert (err.message, err.path) == (message, path)
    assert str(err) == (f"{path}: {message}" if path else message)
    assert err.to_json() == {"code": 400, "type": "error", "message": str(err)}


def test_ets_deep_insert_missing_sensor() -> None:
    # ets-sta10 createInvalidEntitiesWithDeepInsert (a): the nested Datastream lacks its Sensor.
    body = {
        "name": "Office Building",
        "description": "Office Building",
        "properties": {"reference": "first"},
        "Locations": [
            {
                "name": "West Roof",
                "description": "West Roof",
                "location": {"type": "Point", "coordinates": [-117.05, 51.05]},
                "encodingType": "application/vnd.geo+json",
            }
        ],
        "Datastreams": [
            {
                "unitOfMeasurement": UNIT,
                "name": "Air Temperature DS",
                "description": "Datastream for recording temperature",
                "observationType": OM,
                "ObservedProperty": {
                    "name": "Luminous Flux",
                    "definition": "http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html",
                    "description": "Observed Property Description",
                },
            }
        ],
    }
    err = error("Thing", body)
    assert (err.message, err.path) == (
        "missing Sensor: a Datastream needs its Sensor",
        "Datastreams[0]",
    )


@pytest.mark.parametrize("missing", ["Thing", "Sensor", "ObservedProperty"])
def test_ets_datastream_missing_link(missing: str) -> None:
    body: dict[str, Any] = {
        "unitOfMeasurement": UNIT,
        "name": "n",
        "description": "d",
        "observationType": OM,
        "Thing": {"@iot.id": 1},
        "Sensor": {"@iot.id": 1},
        "ObservedProperty": {"@iot.id": 1},
    }
    del body[missing]
    err = error("Datastream", body)
    assert err.message == f"missing {missing}: a Datastream needs its {missing}"


def test_nested_errors_have_paths() -> None:
    err = error(
        "Thing",
        {
            "name": "n",
            "description": "d",
            "Datastreams": [
                {"@iot.id": 1},
                {
                    "name": "n",
                    "description": "d",
                    "observationType": OM,
                    "unitOfMeasurement": UNIT,
                    "ObservedProperty": {"@iot.id": 1},
                    "Sensor": {"name": 1},
                },
            ],
        },
    )
    assert (err.message, err.path) == (
        "expected a string, found a number",
        "Datastreams[1]/Sensor/name",
    )
    err = error(
        "Datastream",
        {"name": "n", "description": "d", "observationType": OM, "unitOfMeasurement": {"name": 1}},
    )
    assert err.path == "unitOfMeasurement/name"
    err = error(
        "Thing", {"name": "n", "description": "d", "Datastreams": [{"Thing": {"@iot.id": 1}}]}
    )
    assert (err.message, err.path) == (
        "Thing is given by the enclosing entity",
        "Datastreams[0]/Thing",
    )
    err = error("Thing", {"name": "n", "description": "d", "Datastreams": {}})
    assert err.message == "Datastreams expects an array of Datastream entities, found an object"


def test_ets_inline_foi_missing_encoding_type() -> None:
    err = error(
        "Observation",
        {
            "phenomenonTime": "2015-03-01T00:00:00Z",
            "result": 1,
            "Datastream": {"@iot.id": 1},
            "FeatureOfInterest": {"name": "f", "description": "f", "feature": POINT},
        },
    )
    assert (err.message, err.path) == (
        "missing mandatory property encodingType of FeatureOfInterest",
        "FeatureOfInterest",
    )


def test_geometry_only_checked_for_geojson_encoding() -> None:
    loc = parse_create(
        "Location",
        {"name": "n", "description": "d", "encodingType": "text/plain", "location": "somewhere"},
    )
    assert loc.properties["location"] == "somewhere"


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "LineString", "coordinates": [[5, 52], [5, 53]]},
        {"type": "Polygon", "coordinates": [[[8, 53], [7, 52], [7, 53], [8, 53]]]},
        {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4, 5]]},
        {"type": "Feature", "geometry": POINT, "properties": {"priority": 1}},
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None}]},
        {"type": "GeometryCollection", "geometries": [POINT]},
    ],
)
def test_geojson_ok(geometry: object) -> None:
    check_geojson(geometry, "location")


@pytest.mark.parametrize(
    ("geometry", "message", "path"),
    [
        (
            {"type": "LineString", "coordinates": [[5, 52]]},
            "a LineString line needs at least 2 positions",
            "g/coordinates",
        ),
        (
            {"type": "Polygon", "coordinates": [[[8, 53], [7, 52], [7, 53], [8, 54]]]},
            "a Polygon ring must end where it starts",
            "g/coordinates",
        ),
        (
            {"type": "Polygon", "coordinates": [[[8, 53], [8, 53]]]},
            "a Polygon ring needs at least 4 positions",
            "g/coordinates",
        ),
        (
            {"type": "Point", "coordinates": [True, 1]},
            "a Point position is an array of 2 or 3 numbers",
            "g/coordinates",
        ),
        (
            {"type": "Polygon", "coordinates": 5},
            "Polygon coordinates must be an array, found a number",
            "g/coordinates",
        ),
        ({"type": "FeatureCollection"}, "a FeatureCollection needs a 'features' array", "g"),
        (
            {"type": "FeatureCollection", "features": [POINT]},
            "expected a GeoJSON Feature",
            "g/features[0]",
        ),
        (
            {"type": "GeometryCollection", "geometries": [{"type": "Point"}]},
            "a Point position is an array of 2 or 3 numbers",
            "g/geometries[0]/coordinates",
        ),
        ({"type": "GeometryCollection"}, "a GeometryCollection needs a 'geometries' array", "g"),
        ("POINT(1 2)", "expected a GeoJSON object, found a string", "g"),
    ],
)
def test_geojson_errors(geometry: object, message: str, path: str) -> None:
    with pytest.raises(PayloadError) as info:
        check_geojson(geometry, "g")
    assert (info.value.message, info.value.path) == (message, path)


# -- updates ---------------------------------------------------------------------------------


def test_patch_ets_bodies() -> None:
    assert parse_update(
        "Thing", {"description": "This is a PATCHED Test Thing From TestNG"}, partial=True
    ).properties == {"description": "This is a PATCHED Test Thing From TestNG"}
    loc = parse_update(
        "Location",
        {
            "location": {"type": "Point", "coordinates": [114.05, -50]},
            "encodingType": "application/vnd.geo+json",
        },
        partial=True,
    )
    assert loc.partial and loc.links == {}
    hl = parse_update("HistoricalLocation", {"time": "2015-07-01T00:00:00.000Z"}, partial=True)
    assert hl.properties["time"] == datetime(2015, 7, 1, tzinfo=UTC)
    thing = parse_update("Thing", {"Locations": [{"@iot.id": 4}]}, partial=True)
    assert thing.links == {"Locations": (Link("Location", 4),)}
    obs = parse_update(
        "Observation", {"phenomenonTime": "2015-07-01T00:40:00.000+02:00"}, partial=True
    )
    assert obs.properties["phenomenonTime"] == datetime(
        2015, 7, 1, 0, 40, tzinfo=timezone(timedelta(hours=2))
    )


@pytest.mark.parametrize(
    ("entity", "body", "path"),
    [
        ("Thing", {"Locations": [{"name": "l", "description": "d"}]}, "Locations[0]"),
        ("Thing", {"Datastreams": [{"name": "d"}]}, "Datastreams[0]"),
        ("Datastream", {"ObservedProperty": {"name": "o"}}, "ObservedProperty"),
        ("Datastream", {"Sensor": {"name": "s"}}, "Sensor"),
        ("Datastream", {"Thing": {"name": "t", "description": "d"}}, "Thing"),
        ("Sensor", {"Datastreams": [{"name": "x", "Thing": {"@iot.id": 1}}]}, "Datastreams[0]"),
    ],
)
def test_ets_invalid_patch(entity: str, body: object, path: str) -> None:
    err = update_error(entity, body)
    assert err.path == path
    assert err.message.startswith("inline entities are not allowed in an update")


def test_update_errors() -> None:
    err = update_error("Thing", {"id": 3})
    assert (err.message, err.path) == ("ids are set by the service", "id")
    err = update_error("Thing", {"foo": 3})
    assert (err.message, err.path) == ("unknown property foo of Thing", "foo")
    err = update_error("Thing", {"description": "x"}, partial=False)
    assert err.message == "missing mandatory property name of Thing (PUT replaces)"
    err = update_error("Datastream", {"Thing": None})
    assert (err.message, err.path) == ("Thing cannot be null", "Thing")
    err = update_error("Thing", "x")
    assert err.message == "expected a JSON object as request body, found a string"


def test_put_complete() -> None:
    put = parse_update(
        "Observation", {"phenomenonTime": "2015-01-01T00:00:00Z", "result": 1}, partial=False
    )
    assert put.properties["resultTime"] is None and not put.partial
