"""dataArray extension (18-088 §13): CreateObservations decoding, $resultFormat=dataArray."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

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
