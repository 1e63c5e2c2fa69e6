"""System query options: $expand (nested), $select, $orderby, $top, $skip, $count, $resultFormat."""

from __future__ import annotations

from dataclasses import replace

import pytest

from parvis.sensing.sta.model import model_for
from parvis.sensing.sta.query import (
    Expand,
    Query,
    QueryError,
    ResultFormat,
    SelectNavigation,
    SelectProperty,
    format_expand,
    format_query,
    format_query_string,
    parse_filter,
    parse_query,
)
from tests.sensing.helpers import sexpr

V11 = model_for("v1.1")
THING = V11.entity_type("Thing")
DATASTREAM = V11.entity_type("Datastream")
OBSERVATION = V11.entity_type("Observation")


def query_error(params: object, entity_set: str = "Things") -> QueryError:
    with pytest.raises(QueryError) as info:
        parse_query(params, entity_set)  # type: ignore[arg-type]
    return info.value


def test_empty_query() -> None:
    assert parse_query({}, "Things") == Query(THING)
    assert parse_query("", "Things") == Query(THING)
    assert parse_query([], THING) == Query(THING)


def test_input_forms_agree() -> None:
    as_string = parse_query("$top=10&$filter=name+eq+%27a+b%27&$orderby=name%20desc", "Things")
    as_mapping = parse_query(
        {"$top": "10", "$filter": "name eq 'a b'", "$orderby": "name desc"}, "Things"
    )
    as_pairs = parse_query(
        [("$orderby", "name desc"), ("$filter", "name eq 'a b'"), ("$top", "10")], "Things"
    )
    assert as_string == as_mapping == as_pairs
    assert as_string.top == 10
    assert parse_query("?$top=1", "Things").top == 1


def test_frost_client_encoding() -> None:
    # frost-sta-client form-encodes: %24 for $, + for spaces, %3A, %2C; orderby in upper case.
    query = parse_query(
        "%24filter=result+gt+20+and+phenomenonTime+ge+2024-05-01T00%3A00%3A00Z"
        "&%24orderby=phenomenonTime+DESC&%24select=result%2CphenomenonTime&%24top=2&%24count=true",
        "Observations",
    )
    assert sexpr(query.filter) == (  # type: ignore[arg-type]
        "(and (gt result 20) (ge phenomenonTime 2024-05-01T00:00:00Z))"
    )
    assert query.orderby[0].descending
    assert [s.property.name for s in query.select] == ["result", "phenomenonTime"]  # type: ignore[union-attr]
    assert (query.top, query.count) == (2, True)
    # An offset with '+' must be sent as %2B; sent raw, it decodes to a space, which we accept.
    encoded = parse_query("$filter=phenomenonTime ge 2024-05-01T00:00:00%2B02:00", "Observations")
    raw = parse_query("$filter=phenomenonTime ge 2024-05-01T00:00:00+02:00", "Observations")
    assert encoded == raw
    assert "2024-04-30T22:00:00Z" in format_query(raw)[0][1]


def test_top_skip_count() -> None:
    query = parse_query({"$top": "0", "$skip": "12", "$count": "false"}, "Things")
    assert (query.top, query.skip, query.count) == (0, 12, False)
    assert parse_query({"$count": "TRUE"}, "Things").count is True
    assert parse_query({"$top": " 5 "}, "Things").top == 5
    assert parse_query({"$top": "9223372036854775807"}, "Things").top == 2**63 - 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"$top": "-1"}, "$top: expected a non-negative integer at position 0, found '-1'"),
        ({"$top": "1.5"}, "$top: expected a non-negative integer at position 0, found '1.5'"),
        ({"$top": ""}, "$top: expected a non-negative integer at position 0, found nothing"),
        ({"$top": "+3"}, "$top: expected a non-negative integer at position 0, found '+3'"),
        ({"$top": "٣"}, "$top: expected a non-negative integer at position 0, found '٣'"),
        ({"$skip": "ten"}, "$skip: expected a non-negative integer at position 0, found 'ten'"),
        (
            {"$skip": "9223372036854775808"},
            "$skip: the number is too large (at most 9223372036854775807) at position 0",
        ),
        ({"$count": "1"}, "$count: expected true or false at position 0, found '1'"),
        ({"$count": ""}, "$count: expected true or false at position 0, found nothing"),
        (
            {"$resultFormat": "CSV"},
            "$resultFormat: unsupported result format (supported: dataArray) at position 0, found "
            "'CSV'",
        ),
        ({"$select": ""}, "$select: expected a property name at position 0, found nothing"),
        ({"$select": "name,"}, "$select: expected a property name at position 5, found nothing"),
        ({"$select": "foo"}, "$select: unknown property foo of Thing at position 0"),
        (
            {"$select": "name, Description"},
            "$select: unknown property Description of Thing (did you mean description?) at "
            "position 6",
        ),
        (
            {"$select": "Datastreams/name"},
            "$select: Datastreams is a navigation property; select its properties with "
            "$expand=Datastreams($select=...) at position 12",
        ),
        (
            {"$select": "name/x"},
            "$select: name of Thing is a string and has no sub-properties at position 5",
        ),
        ({"$select": "name)"}, "$select: unbalanced ')' at position 4"),
        ({"$expand": ""}, "$expand: expected a navigation property at position 0, found nothing"),
        (
            {"$expand": "Datastreams,"},
            "$expand: expected a navigation property at position 12, found nothing",
        ),
        (
            {"$expand": "name"},
            "$expand: name is a property of Thing, not a navigation property ($select chooses "
            "properties) at position 0",
        ),
        (
            {"$expand": "Datastream"},
            "$expand: unknown navigation property Datastream of Thing (did you mean Datastreams?) "
            "at position 0",
        ),
        (
            {"$expand": "Datastreams/Sensors"},
            "$expand: unknown navigation property Sensors of Datastream (did you mean Sensor?) at "
            "position 12",
        ),
        ({"$expand": "Datastreams($top=1"}, "$expand: unbalanced '(' at position 11"),
        ({"$expand": "Datastreams($top=1))"}, "$expand: unbalanced ')' at position 19"),
        (
            {"$expand": "Datastreams($top=1)x"},
            "$expand: unexpected text after the ')' of the expand options at position 19",
        ),
        (
            {"$expand": "($top=1)"},
            "$expand: expected a navigation property at position 0, found '('",
        ),
        (
            {"$expand": "Datastreams(top=1)"},
            "$expand: expected $option=value in the options of Datastreams at position 12, found "
            "'top=1'",
        ),
        (
            {"$expand": "Datastreams($top)"},
            "$expand: expected $option=value in the options of Datastreams at position 12, found "
            "'$top'",
        ),
        (
            {"$expand": "Datastreams($top=1;$top=2)"},
            "$expand: $top is repeated in the options of Datastreams at position 19",
        ),
        (
            {"$expand": "Datastreams($top=x)"},
            "$expand/Datastreams/$top: expected a non-negative integer at position 17, found 'x'",
        ),
        (
            {"$expand": "Datastreams($resultFormat=dataArray)"},
            "$expand: $resultFormat is not allowed in $expand options (allowed: $filter, $expand, "
            "$select, $orderby, $top, $skip, $count) at position 12",
        ),
        (
            {"$expand": "Datastreams($filter=name eq 'x;y' and foo eq 1)"},
            "$expand/Datastreams/$filter: unknown property foo of Datastream at position 38",
        ),
        (
            {"$expand": "Datastreams($expand=Observations($orderby=foo))"},
            "$expand/Datastreams/$expand/Observations/$orderby: unknown property foo of "
            "Observation at position 42",
        ),
        (
            {"$expand": "Datastreams($top=1),Datastreams($top=2)"},
            "$expand: Datastreams is expanded twice with different $top at position 20",
        ),
        (
            {"$expand": "Datastreams($filter=name eq 'a'),Datastreams($filter=name eq 'b')"},
            "$expand: Datastreams is expanded twice with different $filter at position 33",
        ),
        ({"$filter": "foo eq 1"}, "$filter: unknown property foo of Thing at position 0"),
        (
            {"$orderby": "Datastreams/name"},
            "$orderby: Datastreams is a collection of Thing; $orderby needs a single value per "
            "entity at position 0",
        ),
        (
            {"$orderby": "name sideways"},
            "$orderby: expected 'asc', 'desc', ',' or the end of $orderby at position 5, found "
            "'sideways'",
        ),
    ],
)
def test_bad_values(params: dict[str, str], message: str) -> None:
    err = query_error(params)
    assert str(err) == message
    assert err.status == 400
    assert err.position == int(message.split(" at position ")[1].split(",")[0])
    assert err.option == next(iter(params))


def test_option_names() -> None:
    # Names are case-insensitive (OData 4.01, FROST); custom options (no '$') are ignored.
    assert parse_query({"$TOP": "3", "$Filter": "name eq 'x'", "foo": "bar"}, "Things") == (
        parse_query({"$top": "3", "$filter": "name eq 'x'"}, "Things")
    )
    err = query_error([("$top", "1"), ("$TOP", "2")])
    assert str(err) == "$top: repeated query option"
    assert (err.status, err.position, err.option) == (400, None, "$top")
    err = query_error({"$search": "x"})
    assert str(err) == (
        "$search: unsupported query option (supported: $filter, $expand, $select, $orderby, $top, "
        "$skip, $count, $resultFormat)"
    )
    assert err.status == 501
    err = query_error({"$expand": "Datastreams($levels=2)"})
    assert err.status == 501
    assert str(err).startswith("$expand: $levels is not allowed in $expand options")


def test_select() -> None:
    with pytest.raises(QueryError, match="unknown property unitOfMeasurement of Thing"):
        parse_query({"$select": "unitOfMeasurement"}, "Things")
    query = parse_query({"$select": "id, @iot.id,name,Datastreams,name"}, "Things")
    assert query.select == (
        SelectProperty(THING.get_property("id")),  # type: ignore[arg-type]
        SelectProperty(THING.get_property("name")),  # type: ignore[arg-type]
        SelectNavigation(THING.get_navigation("Datastreams")),  # type: ignore[arg-type]
    )
    deep = parse_query({"$select": "unitOfMeasurement/name,properties/my[5]/type"}, "Datastreams")
    assert deep.select == (
        SelectProperty(DATASTREAM.get_property("unitOfMeasurement"), ("name",)),  # type: ignore[arg-type]
        SelectProperty(DATASTREAM.get_property("properties"), ("my", 5, "type")),  # type: ignore[arg-type]
    )
    links = parse_query({"$select": "@iot.selfLink,@iot.id"}, "Things")
    assert [s.property.name for s in links.select] == ["selfLink", "id"]  # type: ignore[union-attr]


def test_orderby() -> None:
    query = parse_query({"$orderby": "name desc, id"}, "Things")
    assert [(sexpr(o.expr), o.descending) for o in query.orderby] == [("name", True), ("id", False)]
    frost = parse_query({"$orderby": "@iot.id asc,@iot.id desc"}, "Observations")
    assert [o.descending for o in frost.orderby] == [False, True]
    mixed = parse_query({"$orderby": "Datastream/@iot.id"}, "Observations")
    assert sexpr(mixed.orderby[0].expr) == "Datastream/id"
    json = parse_query({"$orderby": "properties/subprop/name"}, "Things")
    assert sexpr(json.orderby[0].expr) == "properties/subprop/name"


def test_nested_expand() -> None:
    query = parse_query(
        {
            "$expand": "Datastreams($select=name;$expand=Observations($top=3;"
            "$orderby=phenomenonTime desc))"
        },
        "Things",
    )
    (datastreams,) = query.expand
    assert datastreams.navigation.name == "Datastreams"
    assert datastreams.query.entity_type is DATASTREAM
    assert datastreams.query.select == (SelectProperty(DATASTREAM.get_property("name")),)  # type: ignore[arg-type]
    (observations,) = datastreams.query.expand
    assert observations.query.entity_type is OBSERVATION
    assert observations.query.top == 3
    assert [(sexpr(o.expr), o.descending) for o in observations.query.orderby] == [
        ("phenomenonTime", True)
    ]
    assert query.expanded("Datastreams") is datastreams
    assert query.expanded("Locations") is None


def test_expand_with_every_nested_option() -> None:
    # FROST QueryParserTest.testExpandWithSubquery
    query = parse_query(
        "$expand=Observations($filter=result eq 1;$expand=FeatureOfInterest;$select=@iot.id;"
        "$orderby=id;$skip=5;$top=10;$count=true),ObservedProperty&$top=10",
        "Datastreams",
    )
    observations, observed_property = query.expand
    inner = observations.query
    assert sexpr(inner.filter) == "(eq result 1)"  # type: ignore[arg-type]
    assert [e.navigation.name for e in inner.expand] == ["FeatureOfInterest"]
    assert inner.select == (SelectProperty(OBSERVATION.get_property("id")),)  # type: ignore[arg-type]
    assert (inner.skip, inner.top, inner.count) == (5, 10, True)
    assert observed_property.query == Query(V11.entity_type("ObservedProperty"))
    assert query.top == 10


def test_expand_paths_merge() -> None:
    # ets-sta10 sends shared prefixes; FROST testExpandMultipleNavigationPropertiesDeep1/2.
    by_paths = parse_query(
        {"$expand": "Datastreams/Observations,Datastreams/ObservedProperty"}, "Things"
    )
    by_nesting = parse_query(
        {"$expand": "Datastreams($expand=Observations,ObservedProperty)"}, "Things"
    )
    assert by_paths == by_nesting
    assert format_expand(by_paths.expand) == "Datastreams($expand=Observations,ObservedProperty)"
    with_options = parse_query(
        {"$expand": "Datastreams($top=1),Datastreams/Sensor,Datastreams($top=1;$select=id)"},
        "Things",
    )
    (datastreams,) = with_options.expand
    assert datastreams.query.top == 1
    assert [e.navigation.name for e in datastreams.query.expand] == ["Sensor"]
    assert len(datastreams.query.select) == 1
    assert parse_query({"$expand": "Datastreams,Datastreams"}, "Things") == parse_query(
        {"$expand": "Datastreams"}, "Things"
    )


def test_expand_options_on_last_segment() -> None:
    # FROST testExpandDeepQuery: the options apply to the last navigation of the path.
    query = parse_query(
        {"$expand": "Observations/FeatureOfInterest($select=@iot.id)"}, "Datastreams"
    )
    (observations,) = query.expand
    assert observations.query.select == ()
    (foi,) = observations.query.expand
    assert [s.property.name for s in foi.query.select] == ["id"]  # type: ignore[union-attr]


def test_expand_depth_limit() -> None:
    ok = "Datastreams($expand=Thing($expand=" * 2 + "Datastreams" + "))" * 2
    parse_query({"$expand": ok}, "Things")
    deep = "Datastreams($expand=Thing($expand=" * 6 + "Datastreams" + "))" * 6
    err = query_error({"$expand": deep})
    assert "$expand is nested too deeply (more than 10 levels)" in str(err)
    long_path = "/".join(["Datastreams", "Thing"] * 6)
    assert "nested too deeply" in str(query_error({"$expand": long_path}))


def test_strings_may_contain_separators() -> None:
    query = parse_query(
        {"$expand": "Datastreams($filter=name eq 'a;b),(c' or name eq 'it''s;)';$top=2),Locations"},
        "Things",
    )
    datastreams, locations = query.expand
    assert sexpr(datastreams.query.filter) == "(or (eq name 'a;b),(c') (eq name 'it''s;)'))"  # type: ignore[arg-type]
    assert datastreams.query.top == 2
    assert locations.navigation.name == "Locations"


def test_result_format() -> None:
    query = parse_query(
        {"$resultFormat": "dataArray", "$select": "result,phenomenonTime"}, "Observations"
    )
    assert query.result_format is ResultFormat.DATA_ARRAY
    assert parse_query({"$resultFormat": "DATAARRAY"}, "Observations").result_format is (
        ResultFormat.DATA_ARRAY
    )
    err = query_error({"$resultFormat": "dataArray"}, "Things")
    assert str(err) == "$resultFormat: dataArray applies to Observations, not Things"
    err = query_error({"$resultFormat": "dataArray", "$expand": "Datastream"}, "Observations")
    assert str(err) == "$resultFormat: $expand is not allowed with dataArray (18-088 §13)"


def test_entity_type_arguments() -> None:
    assert parse_query({}, "Thing") == parse_query({}, "Things") == parse_query({}, THING)
    with pytest.raises(QueryError, match="unknown SensorThings API version") as info:
        parse_query({}, "Things", version="v9")
    assert info.value.status == 404


# -- round trip and nextLinks --------------------------------------------------------------------


ROUND_TRIPS = [
    ("Things", "$filter=name eq 'x'&$count=true&$orderby=name desc,id&$skip=5&$top=10"),
    (
        "Things",
        "$select=id,name,Datastreams&$expand=Datastreams($select=name;$expand=Observations"
        "($top=3;$orderby=phenomenonTime desc)),Locations",
    ),
    (
        "Datastreams",
        "$expand=Observations($filter=result eq 1;$expand=FeatureOfInterest;"
        "$select=id;$orderby=id;$skip=5;$top=10;$count=true),ObservedProperty&$top=10",
    ),
    ("Observations", "$resultFormat=dataArray&$select=result,phenomenonTime&$top=4&$count=true"),
    ("Things", "$expand=Datastreams($filter=name eq 'a;b)' and substringof('x',description))"),
    ("Things", "$filter=geo.distance(Locations/location, geography'POINT(-122 43)') gt 1"),
]


@pytest.mark.parametrize(("entity_set", "text"), ROUND_TRIPS)
def test_query_round_trip(entity_set: str, text: str) -> None:
    query = parse_query(text, entity_set)
    assert parse_query(format_query(query), entity_set) == query
    assert parse_query(format_query_string(query), entity_set) == query


def test_next_link_building() -> None:
    query = parse_query(
        "$filter=result gt 1.5 and phenomenonTime ge 2024-05-01T00:00:00+02:00"
        "&$orderby=phenomenonTime&$top=100",
        "Observations",
    )
    next_page = replace(query, skip=(query.skip or 0) + 100)
    text = format_query_string(next_page)
    assert text == (
        "$filter=result%20gt%201.5%20and%20phenomenonTime%20ge%202024-04-30T22:00:00Z"
        "&$orderby=phenomenonTime&$skip=100&$top=100"
    )
    assert parse_query(text, "Observations") == next_page


def test_format_query_order() -> None:
    query = parse_query(
        {
            "$top": "1",
            "$skip": "2",
            "$count": "true",
            "$select": "id",
            "$expand": "Datastreams",
            "$orderby": "id",
            "$filter": "id eq 1",
        },
        "Things",
    )
    assert [name for name, _ in format_query(query)] == [
        "$filter",
        "$count",
        "$orderby",
        "$skip",
        "$top",
        "$select",
        "$expand",
    ]


def test_expand_query_defaults() -> None:
    query = parse_query({"$expand": "Datastreams"}, "Things")
    assert query.expand == (Expand(THING.get_navigation("Datastreams"), Query(DATASTREAM)),)  # type: ignore[arg-type]
    assert parse_filter("name eq 'x'", DATASTREAM) == parse_filter("name eq 'x'", "Datastream")
