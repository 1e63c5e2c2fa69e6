"""dataArray extension (18-088 §13): CreateObservations decoding, $resultFormat=dataArray."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from parvis.sensing.sta.dataarray import (
    PROPERTY_COMPONENTS,
    ObservationRow,
    components_for,
    decode_create_observations,
    encode_create_response,
    encode_data_array,
    encode_data_array_response,
)
from parvis.sensing.sta.payload import Link, NewEntity, PayloadError
from parvis.sensing.sta.query import QueryError
from tests.sensing.sta_http import (
    MAX_ID,
    Sta,
    datastream,
    feature,
    location,
    observed_property,
    sensor,
)

# 18-088 §13.2 example request
SPEC_BODY = [
    {
        "Datastream": {"@iot.id": 1},
        "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
        "dataArray": [["2010-12-23T10:20:00-0700", 20, 1], ["2010-12-23T10:21:00-0700", 30, 1]],
    },
    {
        "Datastream": {"@iot.id": 2},
        "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
        "dataArray": [["2010-12-23T10:20:00-0700", 65, 1], ["2010-12-23T10:21:00-0700", 60, 1]],
    },
]


def test_spec_example() -> None:
    rows = decode_create_observations(SPEC_BODY)
    assert len(rows) == 4
    first = rows[0]
    assert isinstance(first, NewEntity)
    tz = timezone(-timedelta(hours=7))
    assert first.properties["phenomenonTime"] == datetime(2010, 12, 23, 10, 20, tzinfo=tz)
    assert first.properties["phenomenonTime"] == datetime(2010, 12, 23, 17, 20, tzinfo=UTC)
    assert first.related == {
        "Datastream": (Link("Datastream", 1),),
        "FeatureOfInterest": (Link("FeatureOfInterest", 1),),
    }
    assert first.server_defaults == frozenset()
    last = rows[3]
    assert isinstance(last, NewEntity) and last.related["Datastream"] == (Link("Datastream", 2),)


def test_bad_rows_keep_their_slot() -> None:
    # FROST DataArrayTests: one row with FoI "probablyNotAValidId"; FoI-less rows are fine.
    body = [
        {
            "MultiDatastream": {"@iot.id": 3},
            "components": ["phenomenonTime", "result", "FeatureOfInterest/@iot.id"],
            "dataArray": [
                ["2010-12-23T10:20:00Z", [1, 2], 1],
                ["2010-12-23T10:20:00Z", [1, 2], "probablyNotAValidId"],
                ["yesterday", 1, 1],
                ["2010-12-23T10:20:00Z", 1],
                "not a row",
            ],
        },
        {
            "Datastream": {"@iot.id": 1},
            "components": ["result", "resultTime", "validTime", "parameters", "resultQuality"],
            "dataArray": [[9223372036854775807, None, None, {"a": 1}, None]],
        },
    ]
    rows = decode_create_observations(body)
    assert isinstance(rows[0], NewEntity)
    assert rows[0].related["MultiDatastream"] == (Link("MultiDatastream", 3),)
    errors = [(r.message, r.path) for r in rows if isinstance(r, PayloadError)]
    assert errors == [
        ("Parvis uses integer ids, found a string", "[0]/dataArray[1]/FeatureOfInterest/@iot.id"),
        ("not an ISO 8601 date-time: 'yesterday'", "[0]/dataArray[2]/phenomenonTime"),
        ("a row must be an array of 3 values", "[0]/dataArray[3]"),
        ("a row must be an array of 3 values", "[0]/dataArray[4]"),
    ]
    last = rows[-1]
    assert isinstance(last, NewEntity)
    assert last.properties["result"] == 9223372036854775807
    assert last.server_defaults == {"phenomenonTime", "FeatureOfInterest"}
    results = ["http://x/v1.1/Observations(1)", *rows[1:5], None, "http://x/v1.1/Observations(2)"]
    assert encode_create_response(results) == [
        "http://x/v1.1/Observations(1)",
        *(["error"] * 5),
        "http://x/v1.1/Observations(2)",
    ]


@pytest.mark.parametrize(
    ("body", "message", "path"),
    [
        ({}, "CreateObservations expects an array of dataArray groups", ""),
        ([1], "a dataArray group is an object", "[0]"),
        (
            [{"components": ["result"], "dataArray": []}],
            "a dataArray group needs exactly one of Datastream or MultiDatastream",
            "[0]",
        ),
        (
            [{"Datastream": 1, "components": ["result"], "dataArray": []}],
            'Datastream must be {"@iot.id": <id>}',
            "[0]/Datastream",
        ),
        (
            [{"Datastream": {"@iot.id": "a"}, "components": ["result"], "dataArray": []}],
            "Parvis uses integer ids, found a string",
            "[0]/Datastream/@iot.id",
        ),
        (
            [{"Datastream": {"@iot.id": 1}, "components": [], "dataArray": []}],
            "components must be a non-empty array of names",
            "[0]/components",
        ),
        (
            [{"Datastream": {"@iot.id": 1}, "components": ["result", "id"], "dataArray": []}],
            "unknown component 'id' (known: FeatureOfInterest/@iot.id, FeatureOfInterest/id, "
            "parameters, phenomenonTime, result, resultQuality, resultTime, validTime)",
            "[0]/components[1]",
        ),
        (
            [{"Datastream": {"@iot.id": 1}, "components": ["result", "result"], "dataArray": []}],
            "components must not repeat",
            "[0]/components",
        ),
        (
            [{"Datastream": {"@iot.id": 1}, "components": ["phenomenonTime"], "dataArray": []}],
            "components must include result",
            "[0]/components",
        ),
        (
            [{"Datastream": {"@iot.id": 1}, "components": ["result"], "dataArray": {}}],
            "dataArray must be an array of rows",
            "[0]/dataArray",
        ),
        (
            [{"Datastream": {"@iot.id": 1}, "components": ["result"], "dataArray": [], "x": 1}],
            "unknown member(s) x",
            "[0]",
        ),
    ],
)
def test_body_errors(body: object, message: str, path: str) -> None:
    with pytest.raises(PayloadError) as info:
        decode_create_observations(body)
    assert (info.value.message, info.value.path) == (message, path)


def test_components_for_select() -> None:
    assert components_for() == PROPERTY_COMPONENTS
    assert components_for(["result", "phenomenonTime", "@iot.id", "id"]) == (
        "result",
        "phenomenonTime",
        "id",
    )
    with pytest.raises(QueryError) as info:
        components_for(["FeatureOfInterest"])
    assert info.value.option == "$select"
    assert info.value.message.startswith(
        "$select: FeatureOfInterest cannot be a dataArray component"
    )


def test_encode_groups_spec_shape() -> None:
    rows = [
        ObservationRow(
            Link("Datastream", 1),
            {
                "id": 1,
                "phenomenonTime": "2005-08-05T12:21:13Z",
                "resultTime": "2005-08-05T12:21:13Z",
                "result": 20,
            },
        ),
        ObservationRow(Link("MultiDatastream", 2), {"id": 2, "result": [1, 2]}),
        ObservationRow(
            Link("Datastream", 1),
            {"id": 3, "phenomenonTime": "2005-08-05T12:22:08Z", "resultTime": None, "result": 30},
        ),
    ]
    groups = encode_data_array(
        rows, ("id", "phenomenonTime", "resultTime", "result"), base_url="http://x/v1.1"
    )
    assert groups == [
        {
            "Datastream@iot.navigationLink": "http://x/v1.1/Datastreams(1)",
            "components": ["id", "phenomenonTime", "resultTime", "result"],
            "dataArray@iot.count": 2,
            "dataArray": [
                [1, "2005-08-05T12:21:13Z", "2005-08-05T12:21:13Z", 20],
                [3, "2005-08-05T12:22:08Z", None, 30],
            ],
        },
        {
            "MultiDatastream@iot.navigationLink": "http://x/v1.1/MultiDatastreams(2)",
            "components": ["id", "phenomenonTime", "resultTime", "result"],
            "dataArray@iot.count": 1,
            "dataArray": [[2, None, None, [1, 2]]],
        },
    ]
    body = encode_data_array_response(groups, count=3, next_link="http://x/next")
    assert list(body) == ["@iot.count", "@iot.nextLink", "value"]
    assert encode_data_array_response([]) == {"value": []}


# -- over HTTP (FROST-Server's c06dataarrays/DataArrayTests) ------------------------------------


def _streams(sta: Sta) -> list[int]:
    """Two Datastreams on a located Thing, three Observations each (results 1..6)."""
    thing = sta.create(
        "Things",
        {"name": "t", "description": "t", "Locations": [location("here", 2.35, 48.85)]},
    )
    streams = [
        sta.create(
            "Datastreams",
            datastream(
                f"ds {n}",
                Thing={"@iot.id": thing},
                Sensor=sensor(f"s {n}"),
                ObservedProperty=observed_property(f"op {n}"),
            ),
        )
        for n in (1, 2)
    ]
    for i in range(6):
        sta.create(
            f"Datastreams({streams[i // 3]})/Observations",
            {"phenomenonTime": f"2015-03-0{i + 1}T00:00:00Z", "result": i + 1},
        )
    return streams


def _rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a dataArray response as dicts, checking each group's shape."""
    rows = []
    for group in body["value"]:
        assert group["Datastream@iot.navigationLink"].startswith("https://testserver/sta/v1.1/")
        assert group["dataArray@iot.count"] == len(group["dataArray"])
        for row in group["dataArray"]:
            assert len(row) == len(group["components"])
            rows.append(dict(zip(group["components"], row, strict=True)))
    return rows


def test_get_data_array(sta: Sta) -> None:
    streams = _streams(sta)
    body = sta.json("Observations?$count=true&$top=3&$resultFormat=dataArray")
    assert body["@iot.count"] == 6
    assert body["@iot.nextLink"].startswith("https://testserver/sta/v1.1/Observations?")
    [group] = body["value"]
    assert group["Datastream@iot.navigationLink"] == sta.url(f"Datastreams({streams[0]})")
    assert group["components"] == list(PROPERTY_COMPONENTS)
    rows = _rows(body)
    assert [r["result"] for r in rows] == [1, 2, 3]
    assert rows[0]["phenomenonTime"] == "2015-03-01T00:00:00.000Z"
    assert rows[0]["resultTime"] is None
    assert [r["id"] for r in rows] == sta.ids(f"Datastreams({streams[0]})/Observations")
    rest = sta.json(body["@iot.nextLink"])
    assert "@iot.nextLink" not in rest
    assert [r["result"] for r in _rows(rest)] == [4, 5, 6]
    assert rest["value"][0]["Datastream@iot.navigationLink"] == sta.url(
        f"Datastreams({streams[1]})"
    )


def test_get_data_array_with_select_and_on_a_datastream(sta: Sta) -> None:
    streams = _streams(sta)
    body = sta.json("Observations?$resultFormat=dataArray&$select=result,phenomenonTime")
    for group in body["value"]:
        assert sorted(group["components"]) == ["phenomenonTime", "result"]
    assert [r["result"] for r in _rows(body)] == [1, 2, 3, 4, 5, 6]
    body = sta.json(
        f"Datastreams({streams[1]})/Observations?$resultFormat=dataArray&$orderby=result desc"
    )
    assert len(body["value"]) == 1
    assert [r["result"] for r in _rows(body)] == [6, 5, 4]
    assert sta.get("Things?$resultFormat=dataArray").status_code == 400


def test_create_observations(sta: Sta) -> None:
    streams = _streams(sta)
    foi = sta.create("FeaturesOfInterest", feature("station"))
    body = [
        {
            "Datastream": {"@iot.id": streams[0]},
            "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
            "dataArray": [
                ["2010-12-23T10:20:00-0700", 20, foi],
                ["2010-12-23T10:21:00-0700", 30, "probablyNotAValidId"],
                ["2010-12-23T10:22:00-0700", 40, MAX_ID],
                ["2010-12-23T10:23:00-0700", 50, foi],
            ],
        },
        {
            "Datastream": {"@iot.id": streams[1]},
            "components": ["phenomenonTime", "result"],
            "dataArray": [["2010-12-23T10:20:00Z", 65], ["2010-12-23T10:21:00Z", 60]],
        },
    ]
    response = sta.post("CreateObservations", body)
    assert response.status_code == 201, response.text
    slots = response.json()
    assert len(slots) == 6 and all(isinstance(s, str) for s in slots)
    assert slots[1].startswith("error") and slots[2].startswith("error")
    created = [slots[i] for i in (0, 3, 4, 5)]
    for link in created:
        assert link.startswith(sta.url("Observations("))
    first = sta.json(created[0])
    assert first["result"] == 20
    assert first["phenomenonTime"] == "2010-12-23T17:20:00.000Z"
    assert sta.json(f"{created[1]}/FeatureOfInterest")["@iot.id"] == foi
    # the two rows without FeatureOfInterest share the one generated from the Location
    generated = {sta.json(f"{link}/FeatureOfInterest")["@iot.id"] for link in created[2:]}
    assert len(generated) == 1 and foi not in generated
    assert len(sta.ids("FeaturesOfInterest")) == 2
    assert len(sta.ids("Observations")) == 10


def test_create_observations_needs_credentials(sta: Sta) -> None:
    streams = _streams(sta)
    body = [
        {
            "Datastream": {"@iot.id": streams[0]},
            "components": ["phenomenonTime", "result"],
            "dataArray": [["2010-12-23T10:20:00Z", 1]],
        }
    ]
    assert sta.anonymous().post("CreateObservations", body).status_code == 401
    assert sta.get("CreateObservations").status_code == 405
    missing = [body[0] | {"Datastream": {"@iot.id": MAX_ID}}]
    response = sta.post("CreateObservations", missing)
    assert response.status_code == 201
    assert response.json()[0].startswith("error")
    assert len(sta.ids("Observations")) == 6
