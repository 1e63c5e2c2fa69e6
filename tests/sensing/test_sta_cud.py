"""ets-sta10 conformance level 2 (A.3 Create-Update-Delete, `createUpdateDelete/
Capability2Tests.java`) and FROST-Server's additions (`c02cud`: PUT, JSON Patch, AdditionalTests,
ResultTypesTests), over HTTP on both databases."""

from __future__ import annotations

import random
from typing import Any

from httpx2 import Response

from tests.sensing.sta_http import (
    MAX_ID,
    MEASUREMENT,
    PROPERTIES,
    SETS,
    TYPE,
    Sta,
    datastream,
    feature,
    instant,
    location,
    observed_property,
    point,
    sensor,
)

TIMES = {"phenomenonTime", "resultTime", "time", "validTime"}


def assert_invalid(response: Response) -> None:
    """The ETS's postInvalid: 400 or 409."""
    assert response.status_code in (400, 409), (response.status_code, response.text)


def assert_empty(sta: Sta, *sets: str) -> None:
    for entity_set in sets:
        assert sta.values(entity_set) == [], entity_set


def assert_not_empty(sta: Sta, *sets: str) -> None:
    for entity_set in sets:
        assert sta.values(entity_set), entity_set


def same_time(a: object, b: object) -> bool:
    """Times compared as instants (ZonedDateTime.parse), intervals split on '/'."""
    if not isinstance(a, str) or not isinstance(b, str):
        return a == b
    return [instant(x) for x in a.split("/")] == [instant(x) for x in b.split("/")]


def check_stored(sta: Sta, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """GET the entity: every property posted is stored as posted (JSON-equal, times as
    instants); relations are not compared here."""
    entity: dict[str, Any] = sta.json(path)
    for name, value in body.items():
        if name[0].isupper() or name.startswith("@"):
            continue
        if name in TIMES:
            assert same_time(entity[name], value), (path, name, entity[name], value)
        else:
            assert entity[name] == value, (path, name, entity[name], value)
    return entity


def post(sta: Sta, path: str, body: dict[str, Any]) -> int:
    """The ETS's post helper: 201, id from Location, then GET it and compare."""
    new_id = sta.create(path, body)
    entity_set = path.rsplit("/", 1)[-1]
    check_stored(sta, f"{entity_set}({new_id})", body)
    return new_id


def stream_on(sta: Sta, thing: int) -> int:
    return sta.create(
        "Datastreams",
        datastream(
            "datastream 1",
            Thing={"@iot.id": thing},
            Sensor=sensor("sensor 1"),
            ObservedProperty=observed_property("Luminous Flux"),
        ),
    )


def located_stream(sta: Sta) -> tuple[int, int, int]:
    """(thing, location, datastream): a Thing with one GeoJSON Location and a Datastream."""
    thing = sta.create(
        "Things",
        {"name": "thing 1", "description": "thing 1", "Locations": [location("location 1")]},
    )
    loc = sta.ids(f"Things({thing})/Locations")[0]
    return thing, loc, stream_on(sta, thing)


# -- P1: invalid deep inserts leave nothing behind ----------------------------------------------


def test_create_invalid_entities_with_deep_insert(sta: Sta) -> None:
    # (a) a Thing whose Datastream lacks its Sensor: nothing of the tree is stored
    body = {
        "name": "Office Building",
        "description": "Office Building",
        "properties": {"reference": "first"},
        "Locations": [location("West Roof")],
        "Datastreams": [
            {
                **datastream("Light exposure."),
                "ObservedProperty": observed_property("Luminous Flux"),
            }
        ],
    }
    assert_invalid(sta.post("Things", body))
    assert_empty(
        sta, "Things", "Locations", "HistoricalLocations", "Datastreams", "ObservedProperties"
    )

    # (b) Datastreams missing one of their three required relations
    thing = post(sta, "Things", {"name": "thing 1", "description": "thing 1"})
    op, sen, owner = (
        {"ObservedProperty": observed_property("Luminous Flux")},
        {"Sensor": sensor("sensor 1")},
        {"Thing": {"@iot.id": thing}},
    )
    for related in ({**owner, **op}, {**owner, **sen}, {**op, **sen}):
        assert_invalid(sta.post("Datastreams", datastream("datastream 1", **related)))
    assert_empty(
        sta, "Datastreams", "Sensors", "Observations", "FeaturesOfInterest", "ObservedProperties"
    )

    # (c) a Thing without Location: no FeatureOfInterest can be derived
    stream = stream_on(sta, thing)
    observation = {"phenomenonTime": "2015-03-01T00:00:00Z", "result": 1}
    assert_invalid(sta.post("Observations", {**observation, "Datastream": {"@iot.id": stream}}))
    no_encoding = {k: v for k, v in feature("foi").items() if k != "encodingType"}
    assert_invalid(
        sta.post(
            "Observations",
            {**observation, "Datastream": {"@iot.id": stream}, "FeatureOfInterest": no_encoding},
        )
    )
    assert_empty(sta, "Observations", "FeaturesOfInterest")


# -- P2: creation -------------------------------------------------------------------------------


def test_create_entities(sta: Sta) -> None:
    thing = post(
        sta,
        "Things",
        {"name": "thing 1", "description": "thing 1", "properties": {"reference": "first"}},
    )
    loc_body = {
        "name": "bow river",
        "description": "bow river",
        "encodingType": "application/vnd.geo+json",
        "location": point(-114.05, 51.05),
    }
    loc = post(sta, "Locations", loc_body)
    sen = post(sta, "Sensors", sensor("Fuguro Barometer"))
    op = post(sta, "ObservedProperties", observed_property("DewPoint Temperature"))
    foi = post(sta, "FeaturesOfInterest", feature("A weather station."))
    stream = post(
        sta,
        "Datastreams",
        datastream(
            "Data coming from sensor on ISS.",
            Thing={"@iot.id": thing},
            ObservedProperty={"@iot.id": op},
            Sensor={"@iot.id": sen},
        ),
    )
    assert sta.json(f"Datastreams({stream})/Thing")["@iot.id"] == thing
    assert sta.json(f"Datastreams({stream})/Sensor")["@iot.id"] == sen
    assert sta.json(f"Datastreams({stream})/ObservedProperty")["@iot.id"] == op
    post(
        sta,
        "Observations",
        {
            "phenomenonTime": "2015-03-01T00:40:00.000Z",
            "result": 8,
            "Datastream": {"@iot.id": stream},
            "FeatureOfInterest": {"@iot.id": foi},
        },
    )

    response = sta.patch(f"Things({thing})", {"Locations": [{"@iot.id": loc}]})
    assert response.status_code == 200, response.text
    assert sta.ids(f"Things({thing})/Locations") == [loc]

    # resultTime kept; the FeatureOfInterest generated from the Thing's Location
    with_time = {
        "phenomenonTime": "2015-03-01T00:00:00Z",
        "resultTime": "2015-03-01T01:00:00Z",
        "result": 100,
        "Datastream": {"@iot.id": stream},
    }
    response = sta.post("Observations", with_time)
    assert response.status_code == 201, response.text
    assert same_time(response.json()["resultTime"], with_time["resultTime"])
    generated = sta.json(f"Observations({response.json()['@iot.id']})/FeatureOfInterest")
    assert generated["feature"] == loc_body["location"]

    # no resultTime: serialised as null, not left out
    response = sta.post(
        "Observations",
        {
            "phenomenonTime": "2015-03-01T00:00:00Z",
            "result": 100,
            "Datastream": {"@iot.id": stream},
        },
    )
    assert response.status_code == 201
    assert "resultTime" in response.json() and response.json()["resultTime"] is None

    post(
        sta,
        "HistoricalLocations",
        {
            "time": "2015-03-01T00:40:00.000Z",
            "Thing": {"@iot.id": thing},
            "Locations": [{"@iot.id": loc}],
        },
    )


def test_create_entities_with_deep_insert(sta: Sta) -> None:
    loc = location("Saint Louis University")
    op = observed_property("Luminous Flux")
    sen = sensor("Acme Fluxomatic 1000")
    stream = datastream("Light exposure.", ObservedProperty=op, Sensor=sen)
    thing = sta.create(
        "Things",
        {
            "name": "Office Building",
            "description": "Office",
            "Locations": [loc],
            "Datastreams": [stream],
        },
    )
    [stored_loc] = sta.values(f"Things({thing})/Locations")
    assert {k: stored_loc[k] for k in loc} == loc
    [stored_stream] = sta.values(f"Things({thing})/Datastreams")
    assert {k: stored_stream[k] for k in PROPERTIES["Datastream"]} == {
        k: stream[k] for k in PROPERTIES["Datastream"]
    }
    stored_sensor = sta.json(f"Datastreams({stored_stream['@iot.id']})/Sensor")
    assert {k: stored_sensor[k] for k in sen} == sen
    stored_op = sta.json(f"Datastreams({stored_stream['@iot.id']})/ObservedProperty")
    assert {k: stored_op[k] for k in op} == op
    # the Thing got its first HistoricalLocation at that Location
    [history] = sta.values(f"Things({thing})/HistoricalLocations")
    assert sta.ids(f"HistoricalLocations({history['@iot.id']})/Locations") == [
        stored_loc["@iot.id"]
    ]

    # a Datastream linking its Thing, with new ObservedProperty, Sensor and Observations
    deep = datastream(
        "Second stream",
        Thing={"@iot.id": thing},
        ObservedProperty=observed_property("Second Luminous Flux"),
        Sensor=sensor("sensor 2"),
        Observations=[{"phenomenonTime": "2015-03-01T00:10:00Z", "result": 10}],
    )
    second = sta.create("Datastreams", deep)
    [observation] = sta.values(f"Datastreams({second})/Observations")
    assert same_time(observation["phenomenonTime"], "2015-03-01T00:10:00Z")
    assert observation["result"] == 10

    # an Observation with its own new FeatureOfInterest
    foi = feature("A weather station.", -114.05, 51.05)
    obs = sta.create(
        "Observations",
        {
            "phenomenonTime": "2015-03-01T00:00:00Z",
            "result": 100,
            "Datastream": {"@iot.id": second},
            "FeatureOfInterest": foi,
        },
    )
    stored_foi = sta.json(f"Observations({obs})/FeatureOfInterest")
    assert {k: stored_foi[k] for k in foi} == foi


def test_deep_insert_does_not_depend_on_member_order(sta: Sta) -> None:
    # JSON members are unordered (RFC 8259): Datastreams listed before Locations must still
    # find the Location their Observations' FeatureOfInterest is generated from.
    body = {
        "name": "thing",
        "description": "thing",
        "Datastreams": [
            datastream(
                "ds",
                ObservedProperty=observed_property("op"),
                Sensor=sensor("s"),
                Observations=[{"phenomenonTime": "2015-03-01T00:10:00Z", "result": 1}],
            )
        ],
        "Locations": [location("here", 2.35, 48.85)],
    }
    thing = sta.create("Things", body)
    [obs] = sta.ids("Observations")
    assert sta.json(f"Observations({obs})/FeatureOfInterest")["feature"] == point(2.35, 48.85)
    assert len(sta.ids(f"Things({thing})/HistoricalLocations")) == 1


# -- P3: invalid entities -----------------------------------------------------------------------


def test_create_invalid_entities(sta: Sta) -> None:
    thing = sta.create("Things", {"name": "thing", "description": "no location"})
    sen = sta.create("Sensors", sensor("sensor"))
    op = sta.create("ObservedProperties", observed_property("op"))
    links = {
        "Thing": {"@iot.id": thing},
        "Sensor": {"@iot.id": sen},
        "ObservedProperty": {"@iot.id": op},
    }
    for missing in links:
        body = datastream("ds", **{k: v for k, v in links.items() if k != missing})
        assert_invalid(sta.post("Datastreams", body))
    assert_empty(sta, "Datastreams")
    stream = sta.create("Datastreams", datastream("ds", **links))
    assert_invalid(
        sta.post("Observations", {"phenomenonTime": "2015-03-01T00:00:00Z", "result": 1})
    )
    assert_invalid(
        sta.post(
            "Observations",
            {
                "phenomenonTime": "2015-03-01T00:00:00Z",
                "result": 1,
                "Datastream": {"@iot.id": stream},
            },
        )
    )
    # a link to an entity that does not exist
    assert_invalid(
        sta.post(
            "Observations",
            {"result": 1, "Datastream": {"@iot.id": MAX_ID}, "FeatureOfInterest": feature("f")},
        )
    )
    assert_empty(sta, "Observations", "FeaturesOfInterest")


# -- P4: updates --------------------------------------------------------------------------------


def full_dataset(sta: Sta) -> dict[str, int]:
    """One entity of each type, all related (the ETS's createEntities)."""
    thing, loc, stream = located_stream(sta)
    obs = sta.create(
        "Observations",
        {
            "phenomenonTime": "2015-03-01T00:00:00Z",
            "result": 1,
            "resultTime": "2015-03-01T00:00:00Z",
            "Datastream": {"@iot.id": stream},
        },
    )
    return {
        "Thing": thing,
        "Location": loc,
        "HistoricalLocation": sta.ids(f"Things({thing})/HistoricalLocations")[0],
        "Datastream": stream,
        "Sensor": sta.json(f"Datastreams({stream})/Sensor")["@iot.id"],
        "ObservedProperty": sta.json(f"Datastreams({stream})/ObservedProperty")["@iot.id"],
        "Observation": obs,
        "FeatureOfInterest": sta.json(f"Observations({obs})/FeatureOfInterest")["@iot.id"],
    }


PATCHES = [
    ("Thing", {"description": "This is a PATCHED Test Thing From TestNG"}),
    ("Location", {"location": point(114.05, -50)}),
    ("HistoricalLocation", {"time": "2015-07-01T00:00:00.000Z"}),
    ("Sensor", {"metadata": "PATCHED"}),
    ("ObservedProperty", {"description": "PATCHED"}),
    ("FeatureOfInterest", {"feature": point(114.05, -51.05)}),
    ("Datastream", {"description": "Patched Description"}),
    (
        "Datastream",
        {
            "unitOfMeasurement": {
                "name": "Entropy2",
                "symbol": "S2",
                "definition": "http://qudt.org/vocab/unit#Entropy2",
            }
        },
    ),
    ("Observation", {"phenomenonTime": "2015-07-01T00:40:00.000Z"}),
]


def check_update(before: dict[str, Any], after: dict[str, Any], diffs: dict[str, Any]) -> None:
    entity_type = next(TYPE[s] for s in SETS if f"/{s}(" in before["@iot.selfLink"])
    for name in PROPERTIES[entity_type]:
        expected = diffs.get(name, before[name])
        if name in TIMES:
            assert same_time(after[name], expected), (name, after[name], expected)
        else:
            assert after[name] == expected, (name, after[name], expected)


def test_patch_entities(sta: Sta) -> None:
    ids = full_dataset(sta)
    for entity_type, diffs in PATCHES:
        path = f"{_set(entity_type)}({ids[entity_type]})"
        before = sta.json(path)
        response = sta.patch(path, diffs)
        assert response.status_code == 200, (path, response.text)
        after = sta.json(path)
        check_update(before, after, diffs)
        assert response.json() == after


def _set(entity_type: str) -> str:
    return next(s for s in SETS if TYPE[s] == entity_type)


def test_invalid_patch_entities(sta: Sta) -> None:
    ids = full_dataset(sta)
    thing, stream = ids["Thing"], ids["Datastream"]
    inline_stream = {
        "unitOfMeasurement": {"name": "Lumen", "symbol": "lm", "definition": "http://x/Lumen"},
        "Thing": {"@iot.id": thing},
    }
    cases = [
        (f"Things({thing})", {"Locations": [location("West Roof")]}),
        (
            f"Things({thing})",
            {"Datastreams": [{"unitOfMeasurement": inline_stream["unitOfMeasurement"]}]},
        ),
        (f"Sensors({ids['Sensor']})", {"Datastreams": [inline_stream]}),
        (f"ObservedProperties({ids['ObservedProperty']})", {"Datastreams": [inline_stream]}),
        (f"Datastreams({stream})", {"ObservedProperty": observed_property("Count")}),
        (f"Datastreams({stream})", {"Sensor": sensor("Acme Traffic 2000")}),
        (f"Datastreams({stream})", {"Thing": {"name": "test", "description": "test"}}),
        (
            f"Datastreams({stream})",
            {
                "Observations": [
                    {
                        "phenomenonTime": "2015-03-01T00:00:00Z",
                        "result": 92122,
                        "resultQuality": "High",
                    }
                ]
            },
        ),
    ]
    for path, body in cases:
        before = sta.json(path)
        response = sta.patch(path, body)
        assert response.status_code == 400, (path, body, response.status_code, response.text)
        assert sta.json(path) == before
    assert len(sta.ids("Locations")) == 1
    assert len(sta.ids("Datastreams")) == 1


PUTS = [
    (
        "Thing",
        {
            "name": "This is a Updated Test Thing From TestNG",
            "description": "This is a Updated Test Thing From TestNG",
        },
    ),
    (
        "Location",
        {
            "encodingType": "application/vnd.geo+json",
            "name": "UPDATED NAME",
            "description": "UPDATED DESCRIPTION",
            "location": point(-114.05, 50),
        },
    ),
    ("HistoricalLocation", {"time": "2015-08-01T00:00:00.000Z"}),
    (
        "Sensor",
        {
            "name": "UPDATED",
            "description": "UPDATED",
            "encodingType": "application/pdf",
            "metadata": "UPDATED",
        },
    ),
    ("ObservedProperty", {"name": "POIUYTREW", "definition": "ZXCVB", "description": "POIUYTREW"}),
    (
        "FeatureOfInterest",
        {
            "encodingType": "application/vnd.geo+json",
            "feature": point(-114.05, 51.05),
            "description": "POIUYTREW",
            "name": "POIUYTREW",
        },
    ),
    (
        "Datastream",
        {
            "name": "Data coming from sensor on ISS.",
            "description": "Data coming from sensor on ISS.",
            "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation",
            "unitOfMeasurement": {
                "name": "Entropy",
                "symbol": "S",
                "definition": "http://qudt.org/vocab/unit#Entropy",
            },
        },
    ),
    ("Observation", {"result": "99", "phenomenonTime": "2015-08-01T00:40:00.000Z"}),
]


def test_put_entities(sta: Sta) -> None:
    # FROST test06PutEntities: given properties replaced, relations kept.
    ids = full_dataset(sta)
    for entity_type, body in PUTS:
        path = f"{_set(entity_type)}({ids[entity_type]})"
        before = sta.json(path)
        response = sta.put(path, body)
        assert response.status_code == 200, (path, response.text)
        after = sta.json(path)
        diffs = dict(body)
        if entity_type == "Observation":
            diffs["resultTime"] = None  # PUT replaces: not given is null
        check_update(before, after, diffs)
    stream = ids["Datastream"]
    assert sta.json(f"Datastreams({stream})/Thing")["@iot.id"] == ids["Thing"]
    assert sta.json(f"Observations({ids['Observation']})/Datastream")["@iot.id"] == stream
    # PUT needs every mandatory property, and takes no inline entity
    assert sta.put(f"Things({ids['Thing']})", {"name": "only a name"}).status_code == 400
    body = {"name": "x", "description": "x", "Locations": [location("inline")]}
    assert sta.put(f"Things({ids['Thing']})", body).status_code == 400


def test_json_patch(sta: Sta) -> None:
    # FROST JsonPatchTests: add, copy and move inside properties, on Things and Datastreams.
    ids = full_dataset(sta)
    for path in (f"Things({ids['Thing']})", f"Datastreams({ids['Datastream']})"):
        response = sta.patch(
            path, [{"op": "add", "path": "/properties", "value": {"key1": 1}}], json_patch=True
        )
        assert response.status_code == 200, response.text
        assert sta.json(path)["properties"] == {"key1": 1}
        operations = [
            {"op": "copy", "from": "/properties/key1", "path": "/properties/keyCopy1"},
            {"op": "move", "from": "/properties/key1", "path": "/properties/key2"},
        ]
        assert sta.patch(path, operations, json_patch=True).status_code == 200
        assert sta.json(path)["properties"] == {"keyCopy1": 1, "key2": 1}
        replace = [{"op": "replace", "path": "/name", "value": "renamed"}]
        assert sta.patch(path, replace, json_patch=True).status_code == 200
        assert sta.json(path)["name"] == "renamed"
        # a failing test operation changes nothing
        failing = [
            {"op": "replace", "path": "/name", "value": "again"},
            {"op": "test", "path": "/name", "value": "not the name"},
        ]
        assert sta.patch(path, failing, json_patch=True).status_code in (400, 409)
        assert sta.json(path)["name"] == "renamed"


# -- P5: deletes --------------------------------------------------------------------------------


def test_delete_entities(sta: Sta) -> None:
    ids = full_dataset(sta)
    for entity_set in SETS:
        entity_type = TYPE[entity_set]
        path = f"{entity_set}({ids[entity_type]})"
        if sta.get(path).status_code == 404:
            continue  # already gone with its parent (a Thing's HistoricalLocations)
        response = sta.delete(path)
        assert response.status_code == 200, (path, response.text)
        assert sta.get(path).status_code == 404
    assert_empty(sta, *SETS)


def test_delete_nonexistent_entities(sta: Sta) -> None:
    for entity_set in SETS:
        assert sta.delete(f"{entity_set}({MAX_ID})").status_code == 404


def entities_for_delete(sta: Sta) -> None:
    """Deep-insert Thing + Location + Datastream, then an Observation without FoI."""
    thing = sta.create(
        "Things",
        {
            "name": "thing",
            "description": "thing",
            "Locations": [location("loc")],
            "Datastreams": [
                datastream("ds", ObservedProperty=observed_property("op"), Sensor=sensor("s"))
            ],
        },
    )
    stream = sta.ids(f"Things({thing})/Datastreams")[0]
    sta.create(
        f"Datastreams({stream})/Observations",
        {"phenomenonTime": "2015-03-01T00:00:00Z", "result": 1},
    )


ALL = set(SETS)
INTEGRITY = [
    ("Things", {"Things", "Datastreams", "HistoricalLocations", "Observations"}),
    ("Datastreams", {"Datastreams", "Observations"}),
    ("Locations", {"Locations", "HistoricalLocations"}),
    ("HistoricalLocations", {"HistoricalLocations"}),
    ("Sensors", {"Sensors", "Datastreams", "Observations"}),
    ("ObservedProperties", {"ObservedProperties", "Datastreams", "Observations"}),
    ("FeaturesOfInterest", {"FeaturesOfInterest", "Observations"}),
    ("Observations", {"Observations"}),
]


def delete_everything(sta: Sta) -> None:
    """The suite's deleteEverythings: GET each set, DELETE each id, until empty."""
    for entity_set in SETS:
        while ids := sta.ids(entity_set):
            for id_ in ids:
                assert sta.delete(f"{entity_set}({id_})").status_code in (200, 404)


def test_delete_integrity(sta: Sta) -> None:
    for deleted, gone in INTEGRITY:
        entities_for_delete(sta)
        [first] = sta.ids(deleted)
        assert sta.delete(f"{deleted}({first})").status_code == 200
        for entity_set in sorted(gone):
            assert sta.values(entity_set) == [], (deleted, entity_set)
        for entity_set in sorted(ALL - gone):
            assert sta.values(entity_set), (deleted, entity_set)
        delete_everything(sta)


# -- FROST AdditionalTests ---------------------------------------------------------------------


def test_feature_from_the_geojson_one_of_several_locations(sta: Sta) -> None:
    texts = [
        {"name": "address", "description": "address", "encodingType": "text/plain", "location": ""},
        location("Location 1.0", 8, 51) | {"encodingType": "application/geo+json"},
        {"name": "directions", "description": "how", "encodingType": "text/plain", "location": ""},
    ]
    thing = sta.create("Things", {"name": "Thing 1", "description": "first", "Locations": texts})
    stream = stream_on(sta, thing)
    obs = sta.create("Observations", {"result": 1.0, "Datastream": {"@iot.id": stream}})
    foi = sta.json(f"Observations({obs})/FeatureOfInterest")
    assert foi["feature"] == point(8, 51)


def test_phenomenon_time_is_set_when_omitted(sta: Sta) -> None:
    _thing, _loc, stream = located_stream(sta)
    obs = sta.create("Observations", {"result": 1.0, "Datastream": {"@iot.id": stream}})
    assert sta.json(f"Observations({obs})")["phenomenonTime"] is not None


def test_generated_feature_is_reused_and_recreated_after_deletion(sta: Sta) -> None:
    _thing, _loc, stream = located_stream(sta)
    first = sta.create("Observations", {"result": 1, "Datastream": {"@iot.id": stream}})
    second = sta.create("Observations", {"result": 2, "Datastream": {"@iot.id": stream}})
    foi = sta.json(f"Observations({first})/FeatureOfInterest")["@iot.id"]
    assert sta.json(f"Observations({second})/FeatureOfInterest")["@iot.id"] == foi
    assert len(sta.ids("FeaturesOfInterest")) == 1
    assert sta.delete(f"FeaturesOfInterest({foi})").status_code == 200
    third = sta.create("Observations", {"result": 3, "Datastream": {"@iot.id": stream}})
    again = sta.json(f"Observations({third})/FeatureOfInterest")["@iot.id"]
    assert again != foi


def test_historical_location_moves_the_thing_only_when_latest(sta: Sta) -> None:
    thing = sta.create("Things", {"name": "Thing 1", "description": "first"})
    locs = [sta.create("Locations", location(f"Location {i}.0", 8, 50 + i)) for i in (1, 2, 3)]
    assert sta.patch(f"Things({thing})", {"Locations": [{"@iot.id": locs[0]}]}).status_code == 200
    [history] = sta.ids(f"Things({thing})/HistoricalLocations")
    patched = sta.patch(f"HistoricalLocations({history})", {"time": "2016-01-01T06:00:00.000Z"})
    assert patched.status_code == 200
    later = {
        "time": "2016-01-01T07:00:00.000Z",
        "Thing": {"@iot.id": thing},
        "Locations": [{"@iot.id": locs[1]}],
    }
    sta.create("HistoricalLocations", later)
    assert sta.ids(f"Things({thing})/Locations") == [locs[1]]
    earlier = later | {"time": "2016-01-01T05:00:00.000Z", "Locations": [{"@iot.id": locs[2]}]}
    sta.create("HistoricalLocations", earlier)
    assert sta.ids(f"Things({thing})/Locations") == [locs[1]]
    assert len(sta.ids(f"Things({thing})/HistoricalLocations")) == 3


def test_mismatched_nested_paths(sta: Sta) -> None:
    loc = sta.create("Locations", location("LocationThing1", 8, 50))
    one = sta.create(
        "Things", {"name": "Thing 1", "description": "1", "Locations": [{"@iot.id": loc}]}
    )
    two = sta.create(
        "Things", {"name": "Thing 2", "description": "2", "Locations": [{"@iot.id": loc}]}
    )
    stream = stream_on(sta, one)
    obs = sta.create("Observations", {"result": 1.0, "Datastream": {"@iot.id": stream}})
    good = f"Things({one})/Datastreams({stream})/Observations"
    bad = f"Things({two})/Datastreams({stream})/Observations"
    body = {"phenomenonTime": "2015-03-01T03:00:00.000Z", "result": 300}
    assert sta.get(good).status_code == 200
    assert sta.get(bad).status_code == 404
    assert sta.post(good, body).status_code == 201
    assert sta.post(bad, body).status_code != 201
    assert sta.put(f"{good}({obs})", body | {"result": 301}).status_code == 200
    assert sta.put(f"{bad}({obs})", body | {"result": 302}).status_code == 404
    assert sta.patch(f"{good}({obs})", {"result": 303}).status_code == 200
    assert sta.patch(f"{bad}({obs})", {"result": 304}).status_code != 200
    assert sta.json(f"Observations({obs})")["result"] == 303
    assert sta.delete(f"{bad}({obs})").status_code == 404
    assert sta.get(f"{good}({obs})").status_code == 200
    assert sta.delete(f"{good}({obs})").status_code == 200
    assert sta.get(f"{good}({obs})").status_code == 404


def test_conflicting_navigation_properties(sta: Sta) -> None:
    _thing, _loc, stream = located_stream(sta)
    _other, _loc2, other = located_stream(sta)
    body = {"phenomenonTime": "2015-03-01T00:00:00Z", "result": 1}
    conflict = sta.post(
        f"Datastreams({stream})/Observations", body | {"Datastream": {"@iot.id": other}}
    )
    assert conflict.status_code == 400, conflict.text
    same = sta.post(
        f"Datastreams({stream})/Observations", body | {"Datastream": {"@iot.id": stream}}
    )
    assert same.status_code == 201, same.text
    assert sta.ids(f"Datastreams({other})/Observations") == []


# -- FROST ResultTypesTests --------------------------------------------------------------------


def test_result_types_round_trip(sta: Sta) -> None:
    _thing, _loc, stream = located_stream(sta)
    big = random.randrange(2**62, 2**63)  # FROST's MQTT tests: a random 64-bit long
    results: list[object] = [
        True,
        False,
        "fourty two",
        1,
        1.23,
        -(2**63),
        big,
        {"number": 1.23, "string": "One comma twentythree", "boolean": True},
        [1.23, "One comma twentythree", True],
        None,
    ]
    for result in results:
        obs = sta.create("Observations", {"result": result, "Datastream": {"@iot.id": stream}})
        stored = sta.json(f"Observations({obs})")["result"]
        assert stored == result and type(stored) is type(result), (result, stored)
    # a result set to null by PATCH
    obs = sta.create("Observations", {"result": 1.23, "Datastream": {"@iot.id": stream}})
    assert sta.patch(f"Observations({obs})", {"result": None}).status_code == 200
    assert sta.json(f"Observations({obs})")["result"] is None
    # the exact 64-bit integer also through $filter and $select
    found = sta.values(f"Observations?$filter=result eq {big}&$select=result")
    assert found == [{"result": big}]


def test_result_quality_round_trip(sta: Sta) -> None:
    _thing, _loc, stream = located_stream(sta)
    status = {
        "code": "http://id.eaufrance.fr/nsa/446#2",
        "label": "Niveau 1",
        "comment": "Donnée contrôlée niveau 1 (données contrôlées)",
    }
    for quality in ({"DQ_Status": status}, [{"nameOfMeasure": "DQ_Status", "DQ_Result": status}]):
        obs = sta.create(
            "Observations",
            {"result": 1.0, "resultQuality": quality, "Datastream": {"@iot.id": stream}},
        )
        assert sta.json(f"Observations({obs})")["resultQuality"] == quality


def test_creation_answers_201_with_location_and_the_entity(sta: Sta) -> None:
    response = sta.post("Things", {"name": "t", "description": "d"})
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == body["@iot.selfLink"]
    assert body["name"] == "t"
    assert "Datastreams@iot.navigationLink" in body


def test_unknown_members_and_bad_values_are_400(sta: Sta) -> None:
    assert sta.post("Things", {"name": "t", "description": "d", "colour": "red"}).status_code == 400
    assert sta.post("Things", {"name": 1, "description": "d"}).status_code == 400
    response = sta.http.post(
        sta.url("Things"),
        content=b"{not json",
        headers={**sta.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == 400
    assert sta.post("Things(1)", {"name": "t", "description": "d"}).status_code in (400, 405)
    assert_empty(sta, "Things")


def test_datastream_times_follow_its_observations(sta: Sta) -> None:
    _thing, _loc, stream = located_stream(sta)
    for day in (3, 1, 2):
        sta.create(
            f"Datastreams({stream})/Observations",
            {"phenomenonTime": f"2015-03-0{day}T00:00:00Z", "result": day},
        )
    assert same_time(
        sta.json(f"Datastreams({stream})")["phenomenonTime"],
        "2015-03-01T00:00:00Z/2015-03-03T00:00:00Z",
    )
    assert sta.json(f"Datastreams({stream})/observationType") == {"observationType": MEASUREMENT}


def test_null_and_nested_properties(sta: Sta) -> None:
    # FROST FilterTests: a null property is 204 in v1.1, with or without $value
    bare = sta.create("Things", {"name": "bare", "description": "d"})
    assert sta.get(f"Things({bare})/properties").status_code == 204
    assert sta.get(f"Things({bare})/properties/$value").status_code == 204
    full = sta.create(
        "Things", {"name": "full", "description": "d", "properties": {"a": {"b": [1, 2]}}}
    )
    assert sta.json(f"Things({full})/properties") == {"properties": {"a": {"b": [1, 2]}}}
    assert sta.json(f"Things({full})/properties/a/b") == {"b": [1, 2]}
    assert sta.get(f"Things({full})/properties/a/$value").text == '{"b":[1,2]}'
    assert sta.get(f"Things({full})/properties/missing").status_code == 204
