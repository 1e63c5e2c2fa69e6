"""Whole requests: the spec's example URLs, and checks ported from ets-sta10 and FROST-Server."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest

from parvis.sensing.sta.model import PropertyType, model_for
from parvis.sensing.sta.query import (
    PathKind,
    QueryError,
    Request,
    format_expr,
    format_query,
    parse_filter,
    parse_query,
    parse_request,
)
from tests.sensing.helpers import sexpr, tree

V11 = model_for("v1.1")
ROOT = "http://example.org/v1.1"


def request(url: str) -> Request:
    """Parse a full example URL the way the HTTP layer will: decoded path, raw query."""
    parts = urlsplit(url)
    assert parts.path.startswith("/v1.1")
    return parse_request(unquote(parts.path.removeprefix("/v1.1")), parts.query)


# 18-088 §9.2-§9.3 and §13 example requests, verbatim (spaces included).
SPEC_URLS = [
    f"{ROOT}/",
    f"{ROOT}/ObservedProperties",
    f"{ROOT}/Things(1)",
    f"{ROOT}/Observations(1)/resultTime",
    f"{ROOT}/Observations(1)/resultTime/$value",
    f"{ROOT}/Datastreams(1)/Observations",
    f"{ROOT}/Datastreams(1)/Observations/$ref",
    f"{ROOT}/Datastreams(1)/Observations(1)",
    f"{ROOT}/Datastreams(1)/Observations(1)/resultTime",
    f"{ROOT}/Datastreams(1)/Observations(1)/FeatureOfInterest",
    f"{ROOT}/Observations?$orderby=ID&$top=10".replace("ID", "id"),  # spec: "$orderby=ID"
    f"{ROOT}/Things?$expand=Datastreams",
    f"{ROOT}/Things?$expand=Datastreams/ObservedProperty",
    f"{ROOT}/Datastreams(1)?$expand=Observations,ObservedProperty",
    f"{ROOT}/Datastreams(1)?$expand=Observations($filter=result eq 1)",
    f"{ROOT}/Observations?$select=result,resultTime",
    f"{ROOT}/Datastreams(1)?$select=id&$expand=Observations/FeatureOfInterest",
    f"{ROOT}/Datastreams(1)?$expand=Observations($select=result)",
    f"{ROOT}/Observations?$orderby=result",
    f"{ROOT}/Things?$top=5",
    f"{ROOT}/Observations?$top=5&$orderby=phenomenonTime%20desc",
    f"{ROOT}/Things?$skip=5",
    f"{ROOT}/Observations?$skip=2&$top=2&$orderby=resultTime",
    f"{ROOT}/Things?$count=true",
    f"{ROOT}/Observations?$filter=result lt 10.00",
    f"{ROOT}/Observations?$filter=Datastream/id eq 1",
    f"{ROOT}/Things?$filter=geo.distance(Locations/location, geography'POINT(-122 43)') gt 1",
    f"{ROOT}/Datastreams?$filter=unitOfMeasurement/name eq 'degree Celsius'",
    f"{ROOT}/Datastreams?$filter=unitOfMeasurement/name ne 'degree Celsius'",
    f"{ROOT}/Observations?$filter=result gt 20.0",
    f"{ROOT}/Observations?$filter=result ge 20.0",
    f"{ROOT}/Observations?$filter=result lt 100",
    f"{ROOT}/Observations?$filter=result le 100",
    f"{ROOT}/Observations?$filter=result le 3.5 and FeatureOfInterest/id eq 1",
    f"{ROOT}/Observations?$filter=result gt 20 or result le 3.5",
    f"{ROOT}/Things?$filter=not startswith(description,'test')",
    f"{ROOT}/Observations?$filter=result add 5 gt 10",
    f"{ROOT}/Observations?$filter=result sub 5 gt 10",
    f"{ROOT}/Observations?$filter=result mul 2 gt 2000",
    f"{ROOT}/Observations?$filter=result div 2 gt 4",
    f"{ROOT}/Observations?$filter=result mod 2 eq 0",
    f"{ROOT}/Observations?$filter=(result sub 5) gt 10",
    f"{ROOT}/Observations?$resultFormat=dataArray",
    f"{ROOT}/Datastreams(1)/Observations?$resultFormat=dataArray",
    f"{ROOT}/Datastreams(1)/Observations?$resultFormat=dataArray&$skip=3",
    f"{ROOT}/MultiDatastreams(1)/Observations?$resultFormat=dataArray",
    f"{ROOT}/ObservedProperties?$top=5&$skip=5",
]


@pytest.mark.parametrize("url", SPEC_URLS)
def test_spec_example_urls(url: str) -> None:
    parsed = request(url)
    if parsed.query is not None:
        assert parse_query(format_query(parsed.query), parsed.query.entity_type) == parsed.query


def test_spec_example_traps() -> None:
    # §9.3.3.5 Example 4 uses typographic quotes around FOI_1.
    with pytest.raises(QueryError, match="typographic quote"):
        request(
            f"{ROOT}/Things?$expand=Datastreams/Observations/FeatureOfInterest&$filter="
            "Datastreams/Observations/FeatureOfInterest/id eq \u2018FOI_1\u2019 and "
            "Datastreams/Observations/resultTime ge 2010-06-01T00:00:00Z"
        )
    # ...and, with ASCII quotes, it parses (a string compared with an integer id: the SQL
    # layer decides; it matches nothing).
    fixed = request(
        f"{ROOT}/Things?$expand=Datastreams/Observations/FeatureOfInterest&$filter="
        "Datastreams/Observations/FeatureOfInterest/id eq 'FOI_1' and "
        "Datastreams/Observations/resultTime ge 2010-06-01T00:00:00Z and "
        "Datastreams/Observations/resultTime le 2010-07-01T00:00:00Z"
    )
    assert fixed.query is not None
    assert sexpr(fixed.query.filter) == (  # type: ignore[arg-type]
        "(and (and (eq Datastreams/Observations/FeatureOfInterest/id 'FOI_1') "
        "(ge Datastreams/Observations/resultTime 2010-06-01T00:00:00Z)) "
        "(le Datastreams/Observations/resultTime 2010-07-01T00:00:00Z))"
    )
    # §9.3.3.1 Example 2 orders Observations by "Datastreams/id": Observations have a Datastream.
    with pytest.raises(QueryError, match=r"unknown property Datastreams of Observation \(did you "):
        request(
            f"{ROOT}/Observations?$expand=Datastream&$orderby=Datastreams/id desc, phenomenonTime"
        )
    request(f"{ROOT}/Observations?$expand=Datastream&$orderby=Datastream/id desc, phenomenonTime")
    # The first example URL orders by "ID": property names are case-sensitive.
    with pytest.raises(
        QueryError, match=r"unknown property ID of Observation \(did you mean id\?\)"
    ):
        request(f"{ROOT}/Observations?$orderby=ID&$top=10")


def test_request_rules() -> None:
    collection = parse_request("Things(1)/Datastreams", "$top=2&$select=name")
    assert collection.path.kind is PathKind.COLLECTION
    assert collection.query is not None
    assert collection.query.entity_type is V11.entity_type("Datastream")
    singular = parse_request("Observations(1)/Datastream", "$expand=Thing")
    assert singular.query is not None
    assert singular.query.entity_type is V11.entity_type("Datastream")
    ref = parse_request("Things(1)/Datastreams/$ref", "$top=1&$filter=name eq 'x'&$orderby=id")
    assert ref.query is not None
    assert ref.query.top == 1
    root = parse_request("", "foo=bar")
    assert root.query is None
    assert parse_request("Things(1)/name").query is None
    for path in ("", "Things(1)/name", "Things(1)/name/$value", "$batch"):
        with pytest.raises(QueryError, match=r"\$top: query options do not apply to a"):
            parse_request(path, "$top=1")
    with pytest.raises(QueryError, match=r"\$select: not allowed with \$ref"):
        parse_request("Things(1)/Datastreams/$ref", "$select=id")
    with pytest.raises(QueryError, match=r"\$expand: not allowed with \$ref"):
        parse_request("Things/$ref", "$expand=Datastreams")
    with pytest.raises(QueryError, match="dataArray needs a collection of Observations"):
        parse_request("Observations(1)", "$resultFormat=dataArray")
    with pytest.raises(QueryError, match="dataArray applies to Observations, not Things"):
        parse_request("Things", "$resultFormat=dataArray")


def test_error_json() -> None:
    with pytest.raises(QueryError) as info:
        parse_request("Things", "$filter=name eq )")
    assert info.value.to_json() == {
        "code": 400,
        "type": "error",
        "message": "$filter: expected an operand at position 8, found ')'",
    }
    assert repr(info.value).endswith(", 8, option='$filter', status=400)")


# -- ets-sta10 (official test suite, conformance levels 1-3) ----------------------------------

# util/EntityPropertiesSampleValue.java, as the ETS URL-encodes them (URLEncoder: ' ' -> '+').
ETS_SAMPLES = {
    "Things": {"name": "'thing 1'", "description": "'thing 1'"},
    "Locations": {
        "name": "'location 2'",
        "description": "'location 2'",
        "encodingType": "'application/vnd.geo+json'",
    },
    "HistoricalLocations": {"time": "2015-10-14T21:30:00.104Z"},
    "Datastreams": {
        "name": "'datastream 1'",
        "description": "'datastream 1'",
        "observationType": "'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement'",
    },
    "Sensors": {
        "name": "'sensor 1'",
        "description": "'sensor 1'",
        "encodingType": "'application/pdf'",
        "metadata": "'Light flux sensor'",
    },
    "ObservedProperties": {
        "name": "'Luminous Flux'",
        "definition": "'http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html/LuminousFlux'",
        "description": "'observedProperty 1'",
    },
    "Observations": {
        "phenomenonTime": "2015-03-02T00:00:00.000Z",
        "result": "'2'",
        "resultTime": "2015-03-02T00:00:00.000Z",
    },
    "FeaturesOfInterest": {
        "name": "'Generated using location details: location 1'",
        "description": "'Generated using location details: location 1'",
        "encodingType": "'application/vnd.geo+json'",
    },
}


def _form(value: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(value)


@pytest.mark.parametrize("entity_set", sorted(ETS_SAMPLES))
def test_ets_filter_on_every_property(entity_set: str) -> None:
    # filteringExtension.Capability3Tests.readEntitiesWithFilterQO: on the set and on each
    # plural relation of an entity.
    et = V11.entity_set(entity_set)
    assert et is not None
    for prop, value in ETS_SAMPLES[entity_set].items():
        for op in ("lt", "le", "eq", "ne", "ge", "gt"):
            qs = f"$filter={prop}%20{op}%20{_form(value)}"
            parse_request(entity_set, qs)
            for nav in V11.entity_set(entity_set).navigation:  # type: ignore[union-attr]
                if nav.many and V11.target(nav).part == "sensing":
                    target = V11.target(nav).entity_set
                    if prop in ETS_SAMPLES.get(target, {}):
                        parse_request(f"{entity_set}(1)/{nav.name}", qs)
    # The ETS prints times in the JVM's zone: '+01:00' URL-encoded, or decoded to a space.
    parse_request("HistoricalLocations", "$filter=time%20lt%202015-10-14T22:30:00.104%2B01:00")
    parse_request("HistoricalLocations", "$filter=time lt 2015-10-14T22:30:00.104+01:00")


def test_ets_select_and_expand_lists() -> None:
    # readEntitiesWithSelectQO / readEntitiesWithExpandQO: each mandatory property alone and
    # cumulated; each relation alone, cumulated, and two levels deep (shared prefixes).
    for et in V11.entity_types:
        if et.part != "sensing":
            continue
        props = [
            p.name for p in et.properties if p.mandatory and p.type is not PropertyType.SELF_LINK
        ]
        for i in range(len(props)):
            parse_request(et.entity_set, f"$select={props[i]}")
            parse_request(et.entity_set, f"$select={','.join(props[: i + 1])}")
        navs = [n for n in et.navigation if V11.target(n).part == "sensing"]
        for i, nav in enumerate(navs):
            parse_request(et.entity_set, f"$expand={nav.name}")
            parse_request(et.entity_set, "$expand=" + ",".join(n.name for n in navs[: i + 1]))
            target = V11.target(nav)
            inner = [n for n in target.navigation if V11.target(n).part == "sensing"]
            deep = ",".join(f"{nav.name}/{n.name}" for n in inner)
            query = parse_query({"$expand": deep}, et)
            assert len(query.expand) == 1
            assert len(query.expand[0].query.expand) == len(inner)
            parse_request(f"{et.entity_set}(1)/{nav.name}", f"$select={props[0]}")


def test_ets_priority_ordering_query() -> None:
    # Capability3Tests.checkQueriesPriorityOrdering
    parsed = parse_request(
        "Observations",
        "$count=true&$top=1&$skip=2&$orderby=phenomenonTime%20asc&$filter=result%20gt%20'3'",
    )
    query = parsed.query
    assert query is not None
    assert (query.count, query.top, query.skip) == (True, 1, 2)
    assert sexpr(query.filter) == "(gt result '3')"  # type: ignore[arg-type]


def test_ets_nonexistent_id_probe() -> None:
    # readNonexistentEntity / deleteNoneexistentEntities use Long.MAX_VALUE: parse, then 404.
    for et in V11.entity_types:
        parsed = parse_request(f"{et.entity_set}(9223372036854775807)")
        assert parsed.path.segments[0].id == 9223372036854775807


# -- FROST-Server (QueryParserTest, FilterTests, GeoTests, DateTimeTests, JsonPropertiesTests) --

FROST_FILTERS = [
    ("Observations", "result eq 800000113797"),
    ("Observations", "(result sub 5) gt 10"),
    ("Observations", "Datastream/id eq 1"),
    ("Datastreams", "Thing/Locations/location eq 1"),
    ("Observations", "result gt '3'"),
    ("Things", "description eq 'utf-8: 水位高度'"),
    ("Things", "properties/building.Thing/name eq 'Main'"),
    ("HistoricalLocations", "time gt 2015-10-14T23:30:00.104+02:00"),
    ("HistoricalLocations", "time gt 2015-10-14T23:30:00.104+02:00 add duration'P1D'"),
    ("HistoricalLocations", "time gt 2015-10-14T01:01:01.000+02:00/2015-10-14T23:30:00.104+02:00"),
    ("Observations", "overlaps(phenomenonTime,2015-10-14T01:01:01.000+02:00/P1D)"),
    ("Observations", "overlaps(phenomenonTime,P1D/2015-10-14T01:01:01.000+02:00)"),
    ("Observations", "round(result add 0.1) eq 2"),
    ("Things", "Locations/name eq 'Location 2'"),
    ("Things", "startswith(HistoricalLocations/Locations/name, 'Location 1')"),
    (
        "ObservedProperties",
        "Datastreams/Thing/Datastreams/ObservedProperty/name eq 'ObservedProperty 0'",
    ),
    ("Things", "substring(properties/string, 1) eq 'wo'"),
    ("Things", "substring(properties/string, 1, 1) eq 'w'"),
    ("Things", "substring(name, 4, 3) eq 'g 4'"),
    ("Things", "properties/field eq null"),
    ("Things", "Datastreams/id eq null"),
    ("Things", "Datastreams/id ne null"),
    ("Observations", "resultQuality eq 'number-1'"),
    ("Observations", "startswith(FeatureOfInterest/name,'Location 1')"),
    ("Locations", "geo.distance(location, geography'POINT(8 54.1)') lt 1"),
    ("Observations", "geo.distance(FeatureOfInterest/feature, geography'POINT(8 54.1)') gt 1"),
    ("FeaturesOfInterest", "geo.intersects(feature, geography'LINESTRING(7.5 51, 7.5 54)')"),
    ("Locations", "geo.length(location) ne 1"),
    ("Locations", "st_crosses(geography'LINESTRING(7.5 51.5, 7.5 53.5)', location)"),
    ("Locations", "st_equals(location, geography'POINT(8 53)')"),
    ("Locations", "st_touches(geography'POLYGON((8 53, 7.5 54.5, 8.5 54.5, 8 53))', location)"),
    ("Locations", "st_within(geography'POINT(7.5 52.75)', location)"),
    ("Datastreams", "geo.intersects(observedArea, geography'POINT(7.5 52.75)')"),
    ("Observations", "during(resultTime,2016-01-01T07:00:00.000Z/2016-01-01T08:00:00.000Z)"),
    ("Observations", "before(2016-01-01T07:00:00.000Z, validTime)"),
    ("Observations", "year(validTime) eq 2015"),
    ("Observations", "validTime add duration'PT1H' gt 2016-01-01T09:00:00.000Z"),
    (
        "Observations",
        "phenomenonTime lt 2016-01-01T06:00:00.000Z/2016-01-01T07:00:00.000Z add duration'PT1H'",
    ),
    (
        "Observations",
        "not validTime lt 2016-01-01T07:00:00.000Z and not validTime ge 2016-01-01T08:00:00.000Z",
    ),
    ("Things", "substringof('cdefgh', properties/string)"),
    ("Things", "properties/objArray[0]/string eq 'jklmnopqrs'"),
    ("Observations", "parameters/int eq '5'"),
    ("Things", "properties/intIntArray[1][0] gt 10"),
    ("Things", "properties/objArray[1]/intArray[0] gt 10"),
    ("Things", "properties/boolean eq true"),
    ("Things", "properties/boolean"),
    ("Things", "not properties/boolean"),
    ("Things", "properties/objArray[1]/boolean"),
    ("Observations", "parameters/boolean eq Datastream/Thing/properties/boolean"),
    ("Observations", "resultQuality/DQ_Status/code eq 2"),
]


@pytest.mark.parametrize(("entity_set", "text"), FROST_FILTERS)
def test_frost_filters(entity_set: str, text: str) -> None:
    expr = parse_filter(text, entity_set)
    assert parse_filter(format_expr(expr), entity_set) == expr


@pytest.mark.parametrize(
    ("entity_set", "text", "fragment"),
    [
        ("Things", "Locations/any(l:l/name eq 'Location 2')", "lambda operators"),
        ("Things", "properties/int in (8,9)", "the in operator is not supported"),
        ("Things", "9 in properties/intArray", "the in operator is not supported"),
        ("Things", "name eq principalName()", "unknown function principalName()"),
    ],
)
def test_frost_extensions_we_refuse(entity_set: str, text: str, fragment: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_filter(text, entity_set)
    assert fragment in str(info.value)


def test_unknown_entity_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown entity type or entity set 'Users'"):
        parse_filter("id eq 1", "Users")


def test_frost_filter_structure() -> None:
    # FROST QueryParserTest.testFilterOnly1: exact trees.
    assert tree("(result sub 5) gt 10") == "(gt (sub result 5) 10)"
    assert tree("14 div (result add 1) mod 3 mul 3 eq 3") == (
        "(eq (mul (mod (div 14 (add result 1)) 3) 3) 3)"
    )
