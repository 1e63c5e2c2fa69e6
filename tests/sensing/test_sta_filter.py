"""$filter: tokenizer, operators and precedence, functions, literals, paths, errors, round trip."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from parvis.sensing.sta.model import model_for
from parvis.sensing.sta.query import (
    FUNCTIONS,
    Binary,
    BinaryOperator,
    Call,
    Geometry,
    Interval,
    Kind,
    Literal,
    LiteralType,
    Path,
    QueryError,
    format_expr,
    parse_filter,
    parse_orderby,
    tokenize,
)
from tests.sensing.helpers import sexpr, tree

OBS = model_for("v1.1").entity_type("Observation")


def lit(text: str) -> Literal:
    """The literal on the right of `result eq <text>`."""
    expr = parse_filter(f"result eq {text}", "Observations")
    assert isinstance(expr, Binary)
    assert isinstance(expr.right, Literal)
    return expr.right


def error(text: str, entity_type: str = "Observations") -> QueryError:
    with pytest.raises(QueryError) as info:
        parse_filter(text, entity_type)
    return info.value


# -- operators ---------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["eq", "ne", "gt", "ge", "lt", "le"])
def test_comparison_operators(op: str) -> None:
    expr = parse_filter(f"result {op} 10", "Observations")
    assert expr == Binary(
        BinaryOperator(op),
        Path("Observation", (), OBS.get_property("result")),  # type: ignore[arg-type]
        Literal(LiteralType.INTEGER, 10),
    )
    assert BinaryOperator(op).is_comparison


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "mod"])
def test_arithmetic_operators(op: str) -> None:
    assert tree(f"result {op} 5 gt 10") == f"(gt ({op} result 5) 10)"
    assert BinaryOperator(op).is_arithmetic


@pytest.mark.parametrize("op", ["and", "or"])
def test_logical_operators(op: str) -> None:
    assert tree(f"result le 3.5 {op} FeatureOfInterest/id eq 1") == (
        f"({op} (le result 3.5) (eq FeatureOfInterest/id 1))"
    )
    assert BinaryOperator(op).is_logical


def test_not_operator() -> None:
    assert tree("not startswith(description,'test')", "Things") == (
        "(not (startswith description 'test'))"
    )


def test_grouping_operator() -> None:
    assert tree("(result sub 5) gt 10") == "(gt (sub result 5) 10)"


def test_keywords_are_case_insensitive() -> None:
    assert tree("result EQ 1 AND Not result Gt 2 or TRUE") == (
        "(or (and (eq result 1) (not (gt result 2))) true)"
    )
    assert tree("YEAR(resultTime) eq 2015") == "(eq (year resultTime) 2015)"


# -- precedence --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "structure"),
    [
        # multiplicative over additive, both left-associative
        ("result add 2 mul 3 eq 4", "(eq (add result (mul 2 3)) 4)"),
        ("result mul 2 add 3 eq 4", "(eq (add (mul result 2) 3) 4)"),
        ("result sub 2 sub 3 eq 4", "(eq (sub (sub result 2) 3) 4)"),
        ("result div 2 mul 3 mod 4 eq 5", "(eq (mod (mul (div result 2) 3) 4) 5)"),
        ("result sub (2 sub 3) eq 4", "(eq (sub result (sub 2 3)) 4)"),
        # additive over comparison, comparison over and, and over or
        (
            "result add 1 gt 2 and result lt 3 or result eq 4",
            "(or (and (gt (add result 1) 2) (lt result 3)) (eq result 4))",
        ),
        (
            "result eq 1 or result eq 2 and result eq 3",
            "(or (eq result 1) (and (eq result 2) (eq result 3)))",
        ),
        # OData: relational (gt ge lt le) binds tighter than equality (eq ne)
        ("result lt 1 eq true", "(eq (lt result 1) true)"),
        ("true eq result lt 1", "(eq true (lt result 1))"),
        # not takes a whole comparison, and stops at and/or
        ("not result eq 1 and result eq 2", "(and (not (eq result 1)) (eq result 2))"),
        ("not result lt 1 and not result gt 1", "(and (not (lt result 1)) (not (gt result 1)))"),
        ("not (result eq 1 and result eq 2)", "(not (and (eq result 1) (eq result 2)))"),
        ("not not result eq 1", "(not (not (eq result 1)))"),
        ("result eq 1 or not result add 1 eq 2", "(or (eq result 1) (not (eq (add result 1) 2)))"),
        # unary minus binds tighter than mul; a minus before a number makes a literal
        ("-result mul 2 eq 4", "(eq (mul (neg result) 2) 4)"),
        ("-(result add 1) eq 4", "(eq (neg (add result 1)) 4)"),
        ("result sub -1 eq 4", "(eq (sub result -1) 4)"),
        ("- 1 eq result", "(eq -1 result)"),
        ("-(1) eq result", "(eq (neg 1) result)"),
        # parentheses everywhere are harmless
        ("((result)) eq ((1))", "(eq result 1)"),
    ],
)
def test_precedence(text: str, structure: str) -> None:
    assert tree(text) == structure


def test_frost_precedence_checks() -> None:
    # FROST-Server.Tests Capability3Tests.checkAndOrPrecendece / checkArithmeticPrecendece.
    assert tree("result eq 2 and result eq 1 or result eq 1") == (
        "(or (and (eq result 2) (eq result 1)) (eq result 1))"
    )
    assert tree("result eq 2 and (result eq 1 or result eq 1)") == (
        "(and (eq result 2) (or (eq result 1) (eq result 1)))"
    )
    assert tree("(result eq 2 and result eq 1) or result eq 1") == (
        "(or (and (eq result 2) (eq result 1)) (eq result 1))"
    )
    assert tree("1 add result mul 2 sub -1 eq 4") == "(eq (sub (add 1 (mul result 2)) -1) 4)"
    assert tree("6 div 2 sub result eq 2") == "(eq (sub (div 6 2) result) 2)"
    assert tree("1 add 2.0 mod (result add 1) eq 1") == "(eq (add 1 (mod 2.0 (add result 1))) 1)"
    assert tree("14 div (result add 1) mod 3 mul 3 eq 3") == (
        "(eq (mul (mod (div 14 (add result 1)) 3) 3) 3)"
    )


def test_positions() -> None:
    expr = parse_filter("result  add 2 gt  year(resultTime)", "Observations")
    assert isinstance(expr, Binary)
    assert expr.position == 0
    assert isinstance(expr.left, Binary)
    assert expr.left.right.position == 12
    assert isinstance(expr.right, Call)
    assert expr.right.position == 18
    assert expr.right.args[0].position == 23


# -- literals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("'abc'", LiteralType.STRING, "abc"),
        ("''", LiteralType.STRING, ""),
        ("'it''s'", LiteralType.STRING, "it's"),
        ("'it''''s two quotes'", LiteralType.STRING, "it''s two quotes"),
        ("'a;b,c)(d'", LiteralType.STRING, "a;b,c)(d"),
        ("'utf-8: 水位高度'", LiteralType.STRING, "utf-8: 水位高度"),
        ("0", LiteralType.INTEGER, 0),
        ("800000113797", LiteralType.INTEGER, 800000113797),
        ("9223372036854775807", LiteralType.INTEGER, 9223372036854775807),
        ("-9223372036854775808", LiteralType.INTEGER, -9223372036854775808),
        ("-17", LiteralType.INTEGER, -17),
        ("9223372036854775808", LiteralType.DECIMAL, Decimal("9223372036854775808")),
        ("-9223372036854775809", LiteralType.DECIMAL, Decimal("-9223372036854775809")),
        ("10.00", LiteralType.DECIMAL, Decimal("10.00")),
        ("-0.5", LiteralType.DECIMAL, Decimal("-0.5")),
        ("1.5E3", LiteralType.DECIMAL, Decimal("1500")),
        ("2e-3", LiteralType.DECIMAL, Decimal("0.002")),
        ("0.1", LiteralType.DECIMAL, Decimal("0.1")),  # exact, not the float 0.1
        ("true", LiteralType.BOOLEAN, True),
        ("False", LiteralType.BOOLEAN, False),
        ("null", LiteralType.NULL, None),
        ("NULL", LiteralType.NULL, None),
        ("2010-06-01T00:00:00Z", LiteralType.DATETIME, datetime(2010, 6, 1, tzinfo=UTC)),
        (
            "2015-10-14T23:30:00.104+02:00",
            LiteralType.DATETIME,
            datetime(2015, 10, 14, 21, 30, 0, 104000, tzinfo=UTC),
        ),
        (
            "2010-12-23T10:20:00-0700",
            LiteralType.DATETIME,
            datetime(2010, 12, 23, 17, 20, tzinfo=UTC),
        ),
        ("2010-12-23T10:20-07", LiteralType.DATETIME, datetime(2010, 12, 23, 17, 20, tzinfo=UTC)),
        (
            "2015-01-01T00:30:00+01:00",
            LiteralType.DATETIME,
            datetime(2014, 12, 31, 23, 30, tzinfo=UTC),
        ),
        (
            "2015-03-02T00:00:00,5Z",
            LiteralType.DATETIME,
            datetime(2015, 3, 2, 0, 0, 0, 500000, tzinfo=UTC),
        ),
        (
            "2015-03-02T00:00:00.123456000Z",
            LiteralType.DATETIME,
            datetime(2015, 3, 2, 0, 0, 0, 123456, tzinfo=UTC),
        ),
        # a '+' decoded to a space by a form decoder (unencoded '+' in a URL)
        (
            "2015-10-14T21:30:00.104 01:00",
            LiteralType.DATETIME,
            datetime(2015, 10, 14, 20, 30, 0, 104000, tzinfo=UTC),
        ),
        ("2015-03-01", LiteralType.DATE, date(2015, 3, 1)),
        ("12:30", LiteralType.TIME, time(12, 30)),
        ("23:59:59.5", LiteralType.TIME, time(23, 59, 59, 500000)),
        ("duration'P1D'", LiteralType.DURATION, timedelta(days=1)),
        ("duration'PT1H30M'", LiteralType.DURATION, timedelta(hours=1, minutes=30)),
        ("duration'-P2W'", LiteralType.DURATION, -timedelta(days=14)),
        (
            "duration'P12DT23H59M59.999999S'",
            LiteralType.DURATION,
            timedelta(days=12, hours=23, minutes=59, seconds=59, microseconds=999999),
        ),
        (
            "2015-10-14T01:01:01.000+02:00/2015-10-14T23:30:00.104+02:00",
            LiteralType.INTERVAL,
            Interval(
                datetime(2015, 10, 13, 23, 1, 1, tzinfo=UTC),
                datetime(2015, 10, 14, 21, 30, 0, 104000, tzinfo=UTC),
            ),
        ),
        (
            "2015-10-14T01:01:01Z/P1D",
            LiteralType.INTERVAL,
            Interval(
                datetime(2015, 10, 14, 1, 1, 1, tzinfo=UTC),
                datetime(2015, 10, 15, 1, 1, 1, tzinfo=UTC),
            ),
        ),
        (
            "P1DT1H/2015-10-14T01:01:01Z",
            LiteralType.INTERVAL,
            Interval(
                datetime(2015, 10, 13, 0, 1, 1, tzinfo=UTC),
                datetime(2015, 10, 14, 1, 1, 1, tzinfo=UTC),
            ),
        ),
        ("geography'POINT(-122 43)'", LiteralType.GEOGRAPHY, Geometry("Point", (-122.0, 43.0))),
        ("geometry'POINT (30 10)'", LiteralType.GEOMETRY, Geometry("Point", (30.0, 10.0))),
        (
            "geography'SRID=4326;POINT(1.5 2 3)'",
            LiteralType.GEOGRAPHY,
            Geometry("Point", (1.5, 2.0, 3.0), 4326),
        ),
        (
            "geography'LINESTRING (30 10, 10 30, 40 40)'",
            LiteralType.GEOGRAPHY,
            Geometry("LineString", ((30.0, 10.0), (10.0, 30.0), (40.0, 40.0))),
        ),
        (
            "geography'POLYGON ((30 10, 10 20, 20 40, 40 40, 30 10))'",
            LiteralType.GEOGRAPHY,
            Geometry(
                "Polygon", (((30.0, 10.0), (10.0, 20.0), (20.0, 40.0), (40.0, 40.0), (30.0, 10.0)),)
            ),
        ),
        (
            "geography'polygon((0 0,0 1,1 1,0 0),(0.1 0.1,0.1 0.2,0.2 0.2,0.1 0.1))'",
            LiteralType.GEOGRAPHY,
            Geometry(
                "Polygon",
                (
                    ((0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (0.0, 0.0)),
                    ((0.1, 0.1), (0.1, 0.2), (0.2, 0.2), (0.1, 0.1)),
                ),
            ),
        ),
        (
            "geography'MULTIPOINT((1 2), (3 4))'",
            LiteralType.GEOGRAPHY,
            Geometry("MultiPoint", ((1.0, 2.0), (3.0, 4.0))),
        ),
        (
            "geography'MULTIPOINT(1 2, 3 4)'",
            LiteralType.GEOGRAPHY,
            Geometry("MultiPoint", ((1.0, 2.0), (3.0, 4.0))),
        ),
        (
            "geography'MULTILINESTRING((1 2, 3 4), (5 6, 7 8))'",
            LiteralType.GEOGRAPHY,
            Geometry("MultiLineString", (((1.0, 2.0), (3.0, 4.0)), ((5.0, 6.0), (7.0, 8.0)))),
        ),
        (
            "geography'MULTIPOLYGON(((0 0, 0 1, 1 1, 0 0)))'",
            LiteralType.GEOGRAPHY,
            Geometry("MultiPolygon", ((((0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (0.0, 0.0)),),)),
        ),
        ("geography'POINT Z (1 2 3)'", LiteralType.GEOGRAPHY, Geometry("Point", (1.0, 2.0, 3.0))),
    ],
)
def test_literals(text: str, kind: LiteralType, value: object) -> None:
    literal = lit(text)
    assert literal.type is kind
    assert literal.value == value
    assert type(literal.value) is type(value)  # True must not pass for 1, nor 1 for Decimal(1)


def test_datetimes_are_aware_utc() -> None:
    value = lit("2015-10-14T23:30:00.104-05:30").value
    assert isinstance(value, datetime)
    assert value.tzinfo is UTC
    assert value == datetime(2015, 10, 15, 5, 0, 0, 104000, tzinfo=UTC)


def test_geometry_literal_exports() -> None:
    value = lit("geography'POLYGON ((30 10, 10 20, 20 40, 40 40, 30 10))'").value
    assert isinstance(value, Geometry)
    assert value.wkt == "POLYGON((30 10, 10 20, 20 40, 40 40, 30 10))"
    assert value.to_geojson() == {
        "type": "Polygon",
        "coordinates": [[[30.0, 10.0], [10.0, 20.0], [20.0, 40.0], [40.0, 40.0], [30.0, 10.0]]],
    }
    srid = lit("geometry'SRID=4326;POINT(1e2 -0.5)'").value
    assert isinstance(srid, Geometry)
    assert srid.wkt == "SRID=4326;POINT(100 -0.5)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("result eq 'abc", "$filter: unterminated string starting at position 10"),
        (
            'result eq "abc"',
            "$filter: strings are written in single quotes ('...') at position 10, found '\"'",
        ),
        (
            "result eq \u2018abc\u2019",
            "$filter: typographic quote: write strings in ASCII single quotes ('...') at position "
            "10",
        ),
        (
            "result eq 2015-01-01T00:00:00",
            "$filter: date-time 2015-01-01T00:00:00 needs a time zone (Z or +hh:mm / -hh:mm) at "
            "position 10",
        ),
        (
            "result eq 2015-02-30T00:00:00Z",
            "$filter: invalid date-time 2015-02-30T00:00:00Z (day is out of range for month) at "
            "position 10",
        ),
        (
            "result eq 2015-01-01T00:00:00+25:00",
            "$filter: invalid time zone offset in 2015-01-01T00:00:00+25:00 at position 10",
        ),
        (
            "result eq 2015-01-01T00:00:00.1234567Z",
            "$filter: fractional seconds finer than microseconds are not supported at position 10",
        ),
        (
            "result eq 2015-13-01",
            "$filter: invalid date 2015-13-01 (month must be in 1..12) at position 10",
        ),
        (
            "result eq 24:00",
            "$filter: invalid time of day 24:00 (hour must be in 0..23) at position 10",
        ),
        (
            "result eq duration'P1Y'",
            "$filter: durations in years or months have no fixed length; use days (P30D) at "
            "position 19",
        ),
        ("result eq duration'1D'", "$filter: invalid ISO 8601 duration '1D' at position 19"),
        ("result eq duration'PT'", "$filter: invalid ISO 8601 duration 'PT' at position 19"),
        (
            "result eq 2015-01-02T00:00:00Z/2015-01-01T00:00:00Z",
            "$filter: the interval ends before it starts at position 10",
        ),
        (
            "result eq 2015-01-02T00:00:00Z/tomorrow",
            "$filter: expected a date-time or a duration after '/' of an interval at position 31",
        ),
        (
            "result eq datetime'2015-01-01T00:00:00Z'",
            "$filter: unknown literal prefix datetime'...' (known: geography, geometry, "
            "duration); write date-times unquoted, e.g. 2015-01-01T00:00:00Z at position 10",
        ),
        (
            "result eq guid'1'",
            "$filter: unknown literal prefix guid'...' (known: geography, geometry, duration) at "
            "position 10",
        ),
        (
            "result eq geography'POINT(1 2)",
            "$filter: unterminated geography literal starting at position 10",
        ),
        (
            "result eq geography'POINT(1)'",
            "$filter: invalid WKT in geography literal: expected a coordinate in WKT, found ')' "
            "at position 27",
        ),
        (
            "result eq geography'POINT(1 2 3 4)'",
            "$filter: invalid WKT in geography literal: a WKT position has 2 or 3 coordinates (x "
            "y [z]) at position 32",
        ),
        (
            "result eq geography'CIRCLE(1 2)'",
            "$filter: invalid WKT in geography literal: expected a WKT geometry type (POINT, "
            "LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON), found 'CIRCLE' at "
            "position 20",
        ),
        (
            "result eq geography'POLYGON((0 0, 1 1, 1 0, 0 1))'",
            "$filter: invalid WKT in geography literal: a POLYGON ring must be closed (last "
            "position = first position) at position 28",
        ),
        (
            "result eq geography'POLYGON((0 0, 1 1, 0 0))'",
            "$filter: invalid WKT in geography literal: a POLYGON ring needs at least 4 positions "
            "at position 28",
        ),
        (
            "result eq geography'LINESTRING(0 0)'",
            "$filter: invalid WKT in geography literal: a LINESTRING needs at least 2 positions "
            "at position 30",
        ),
        (
            "result eq geography'LINESTRING(0 0, 1 1 1)'",
            "$filter: invalid WKT in geography literal: all positions of a WKT geometry need the "
            "same dimension at position 36",
        ),
        (
            "result eq geography'POINT EMPTY'",
            "$filter: invalid WKT in geography literal: empty geometries are not supported at "
            "position 26",
        ),
        (
            "result eq geography'POINT(1 2) x'",
            "$filter: invalid WKT in geography literal: unexpected 'x' after the WKT geometry at "
            "position 31",
        ),
        (
            "result eq geography'POINT(1 2'",
            "$filter: invalid WKT in geography literal: expected ')' in WKT, found the end of the "
            "WKT at position 29",
        ),
        (
            "result eq geography'POINT(1e999 2)'",
            "$filter: invalid WKT in geography literal: coordinate 1e999 is out of range at "
            "position 26",
        ),
        (
            "result eq geography'POINT(1 # 2)'",
            "$filter: invalid WKT in geography literal: unexpected character '#' in WKT at "
            "position 28",
        ),
        (
            "result eq geography'SRID=x;POINT(1 2)'",
            "$filter: invalid WKT in geography literal: expected an integer SRID at position 25",
        ),
    ],
)
def test_bad_literals(text: str, message: str) -> None:
    err = error(text)
    assert str(err) == message
    assert err.status == 400


# -- functions ---------------------------------------------------------------------------------

# One valid argument of each kind, on Locations (name: string, location: geometry).
ARGUMENTS = {
    Kind.STRING: "name",
    Kind.INTEGER: "2",
    Kind.NUMBER: "1.5",
    Kind.DATETIME: "2015-01-01T00:00:00Z",
    Kind.GEOMETRY: "location",
}


def _call(name: str, count: int) -> str:
    spec = FUNCTIONS[name]
    params = list(spec.params[:count]) + [Kind.STRING] * (count - len(spec.params))
    args = [ARGUMENTS[p] for p in params]
    if name == "st_relate" and count == 3:
        args[2] = "'T********'"
    return f"{name}({', '.join(args)})"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_with_its_arities(name: str) -> None:
    spec = FUNCTIONS[name]
    for count in range(spec.min_args, spec.max_args + 1):
        text = _call(name, count)
        boolean = text if spec.returns is Kind.BOOLEAN else f"{text} eq null"
        expr = parse_filter(boolean, "Locations")
        call = expr if spec.returns is Kind.BOOLEAN else expr.left  # type: ignore[union-attr]
        assert isinstance(call, Call)
        assert call.function == name
        assert len(call.args) == count
        assert parse_filter(format_expr(expr), "Locations") == expr


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_rejects_bad_arities(name: str) -> None:
    spec = FUNCTIONS[name]
    bad = [spec.max_args + 1] + ([spec.min_args - 1] if spec.min_args else [])
    for count in bad:
        text = f"{_call(name, count)} eq null"
        err = error(text, "Locations")
        assert str(err) == (
            f"$filter: {name}() takes {spec.arity_text()}, not {count}, at position 0"
        )


def test_spec_function_examples() -> None:
    # 18-088 Table 23, made boolean where the spec shows a bare value.
    on = {
        "Things": [
            "substringof('Sensor Things',description)",
            "endswith(description,'Things')",
            "startswith(description,'Sensor')",
            "length(description) eq 13",
            "indexof(description,'Sensor') eq 1",
            "substring(description,1) eq 'ensor Things'",
            "substring(description,2,4) eq 'nsor'",
            "tolower(description) eq 'sensor things'",
            "toupper(description) eq 'SENSOR THINGS'",
            "trim(description) eq 'Sensor Things'",
            "contains(description,'Things')",
        ],
        "Datastreams": [
            "concat(concat(unitOfMeasurement/symbol,', '), unitOfMeasurement/name) eq "
            "'degree, Celsius'",
        ],
        "Observations": [
            "year(resultTime) eq 2015",
            "month(resultTime) eq 12",
            "day(resultTime) eq 8",
            "hour(resultTime) eq 1",
            "minute(resultTime) eq 0",
            "second(resultTime) eq 0",
            "fractionalseconds(resultTime) eq 0",
            "date(resultTime) ne date(validTime)",
            "time(resultTime) le validTime",
            "totaloffsetminutes(resultTime) eq 60",
            "resultTime ge now()",
            "resultTime eq mindatetime()",
            "resultTime eq maxdatetime()",
            "round(result) eq 32",
            "floor(result) eq 32",
            "ceiling(result) eq 33",
        ],
        "Locations": [
            "geo.distance(location, geography'POINT (30 10)') gt 1",
            "geo.length(geography'LINESTRING (30 10, 10 30, 40 40)') gt 1",
            "geo.intersects(location, geography'POLYGON ((30 10, 10 20, 20 40, 40 40, 30 10))')",
            "st_equals(location, geography'POINT (30 10)')",
            "st_disjoint(location, geography'POLYGON ((30 10, 10 20, 20 40, 40 40, 30 10))')",
            "st_touches(location, geography'LINESTRING (30 10, 10 30, 40 40)')",
            "st_within(location, geography'POLYGON ((30 10, 10 20, 20 40, 40 40, 30 10))')",
            "st_overlaps(location, geography'POLYGON ((30 10, 10 20, 20 40, 40 40, 30 10))')",
            "st_crosses(location, geography'LINESTRING (30 10, 10 30, 40 40)')",
            "st_intersects(location, geography'LINESTRING (30 10, 10 30, 40 40)')",
            "st_contains(location, geography'POINT (30 10)')",
            "st_relate(location, geography'POLYGON ((30 10, 10 20, 20 40, 40 40, 30 10))', "
            "'T********')",
        ],
    }
    for entity_set, filters in on.items():
        for text in filters:
            expr = parse_filter(text, entity_set)
            assert parse_filter(format_expr(expr), entity_set) == expr, text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "length(1) eq 1",
            "$filter: argument 1 of length() must be a string at position 7, found an integer",
        ),
        (
            "year('2015') eq 1",
            "$filter: argument 1 of year() must be a date-time at position 5, found a string",
        ),
        (
            "substring(name, 1.5) eq 'a'",
            "$filter: argument 2 of substring() must be an integer at position 16, found a number",
        ),
        (
            "startswith(location, 'x')",
            "$filter: argument 1 of startswith() must be a string at position 11, found a geometry",
        ),
        (
            "st_within(location, 'POINT(1 2)')",
            "$filter: argument 2 of st_within() must be a geometry at position 20, found a string",
        ),
        (
            "geo.distance(location, 3) lt 1",
            "$filter: argument 2 of geo.distance() must be a geometry at position 23, found an "
            "integer",
        ),
        (
            "round('x') eq 1",
            "$filter: argument 1 of round() must be a number at position 6, found a string",
        ),
        (
            "st_relate(location, location, 'T*')",
            "$filter: the st_relate pattern must be 9 characters among T F * 0 1 2 (a DE-9IM "
            "matrix such as 'T********') at position 30",
        ),
        ("now(1) eq null", "$filter: now() takes no arguments, not 1, at position 0"),
        ("length() eq 1", "$filter: length() takes 1 argument, not 0, at position 0"),
        (
            "substring(name) eq 'a'",
            "$filter: substring() takes 2 or 3 arguments, not 1, at position 0",
        ),
        (
            "substring(name, 1, 2, 3) eq 'a'",
            "$filter: substring() takes 2 or 3 arguments, not 4, at position 0",
        ),
        (
            "st_relate(location, location) eq true",
            "$filter: st_relate() takes 3 arguments, not 2, at position 0",
        ),
        (
            "lenght(name) eq 1",
            "$filter: unknown function lenght() (did you mean length?) at position 0",
        ),
        ("geo.within(location, location)", "$filter: unknown function geo.within() at position 0"),
        (
            "length(name eq 1",
            "$filter: expected ',' or ')' in the arguments of length() at position 16, found the "
            "end of the expression",
        ),
        ("length(name,) eq 1", "$filter: expected an operand at position 12, found ')'"),
    ],
)
def test_bad_function_calls(text: str, message: str) -> None:
    assert str(error(text, "Locations")) == message


def test_json_values_pass_every_kind_check() -> None:
    # Results and JSON properties are untyped: only the database can decide.
    for text in (
        "length(result) eq 1",
        "year(result) eq 2015",
        "st_within(parameters/area, geography'POINT(1 2)')",
        "substring(parameters/s, parameters/i) eq 'a'",
        "result add parameters/x gt 1",
        "result",
        "not result",
        "result and parameters/ok",
    ):
        parse_filter(text, "Observations")


# -- paths -------------------------------------------------------------------------------------


def test_paths_through_relations() -> None:
    expr = parse_filter("Datastream/ObservedProperty/name eq 'NO2'", "Observations")
    assert isinstance(expr, Binary)
    path = expr.left
    assert isinstance(path, Path)
    assert path.entity_type == "Observation"
    assert [n.name for n in path.navigation] == ["Datastream", "ObservedProperty"]
    assert [n.target for n in path.navigation] == ["Datastream", "ObservedProperty"]
    assert path.property.name == "name"
    assert not path.many

    many = parse_filter("Thing/Locations/location eq null", "Datastreams")
    assert isinstance(many, Binary)
    assert isinstance(many.left, Path)
    assert many.left.many  # "any" semantics through Thing/Locations


@pytest.mark.parametrize(
    ("text", "subpath"),
    [
        ("properties/owner eq 'John Doe'", ("owner",)),
        ("properties/building.Thing/name eq 'Main'", ("building.Thing", "name")),
        ("properties/array[1] gt 3", ("array", 1)),
        ("properties/array[1][2] gt 3", ("array", 1, 2)),
        ("properties/array[1]/deeper[2] gt 3", ("array", 1, "deeper", 2)),
        ("properties/array/1/deeper/2 gt 3", ("array", "1", "deeper", "2")),
        ("properties[0]/x eq 1", (0, "x")),
        ("properties/test_name gt 3", ("test_name",)),
        ("properties/serial-number eq 'A-1'", ("serial-number",)),
    ],
)
def test_json_sub_paths(text: str, subpath: tuple[str | int, ...]) -> None:
    expr = parse_filter(text, "Things")
    assert isinstance(expr, Binary)
    assert isinstance(expr.left, Path)
    assert expr.left.property.name == "properties"
    assert expr.left.subpath == subpath
    assert parse_filter(format_expr(expr), "Things") == expr


def test_json_sub_paths_elsewhere() -> None:
    for entity_set, text in [
        ("Observations", "result/value gt 1"),
        ("Observations", "result[2] gt 1"),
        ("Observations", "parameters/objArray[0]/string eq 'jklmnopqrs'"),
        ("Observations", "resultQuality[0]/DQ_Result/code eq 2"),
        ("Observations", "resultQuality/DQ_Status/code eq 2"),
        ("Observations", "parameters/int eq Datastream/Thing/properties/int"),
        ("Datastreams", "unitOfMeasurement/name eq 'degree Celsius'"),
        ("Locations", "location/properties/priority eq 3"),
        ("Locations", "location/properties/4frost eq 3"),
        ("Things", "HistoricalLocations/Locations/properties/field eq properties/field"),
    ]:
        parse_filter(text, entity_set)


def test_unicode_names_and_ascii_numbers() -> None:
    expr = parse_filter("properties/propriétaire eq 'Ville de Paris'", "Things")
    assert isinstance(expr, Binary)
    assert isinstance(expr.left, Path)
    assert expr.left.subpath == ("propriétaire",)
    assert str(error("é eq 1", "Things")) == "$filter: unknown property é of Thing at position 0"
    # Digits of other scripts are not numbers (Python's \d and int() would accept them).
    assert str(error("result eq \u0663", "Observations")) == (
        "$filter: unexpected character at position 10, found '\u0663'"
    )


def test_id_aliases() -> None:
    assert parse_filter("@iot.id eq 1", "Things") == parse_filter("id eq 1", "Things")
    assert format_expr(parse_filter("Datastream/@iot.id eq 1", "Observations")) == (
        "Datastream/id eq 1"
    )


@pytest.mark.parametrize(
    ("entity_set", "text", "message"),
    [
        ("Things", "foo eq 1", "$filter: unknown property foo of Thing at position 0"),
        (
            "Things",
            "Name eq 'x'",
            "$filter: unknown property Name of Thing (did you mean name?) at position 0",
        ),
        (
            "Observations",
            "Datastreams/id eq 1",
            "$filter: unknown property Datastreams of Observation (did you mean Datastream?) at "
            "position 0",
        ),
        (
            "Datastreams",
            "Thing/custom eq 1",
            "$filter: unknown property custom of Thing at position 6",
        ),
        (
            "Observations",
            "Datastream eq 1",
            "$filter: Datastream is a navigation property of Observation; $filter needs one of "
            "its properties, e.g. Datastream/id at position 0",
        ),
        (
            "Things",
            "name/first eq 'x'",
            "$filter: name of Thing is a string and has no sub-properties at position 5",
        ),
        ("Things", "selfLink eq 'x'", "$filter: selfLink cannot be used in $filter at position 0"),
        (
            "Things",
            "properties/ eq 1",
            "$filter: expected a property name after '/' at position 11, found ' '",
        ),
        (
            "Things",
            "Locations[0]/name eq 'x'",
            "$filter: an array index cannot follow the navigation property Locations at position 9",
        ),
        (
            "Things",
            "Locations/any(l:l/name eq 'x')",
            "$filter: lambda operators (any, all) are not supported at position 15, found ':'",
        ),
        (
            "Things",
            "Locations/any(x)",
            "$filter: lambda operators (any, all) are not supported at position 0",
        ),
        (
            "Observations",
            "properties/owner eq 'x'",
            "$filter: unknown property properties of Observation at position 0",
        ),
    ],
)
def test_bad_paths(entity_set: str, text: str, message: str) -> None:
    assert str(error(text, entity_set)) == message


def test_v10_has_properties_only_on_thing() -> None:
    parse_filter("properties/x eq 1", "Things", version="v1.0")
    parse_filter("properties/x eq 1", "Sensors", version="v1.1")
    with pytest.raises(QueryError, match="unknown property properties of Sensor"):
        parse_filter("properties/x eq 1", "Sensors", version="v1.0")


# -- syntax errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "$filter: expected an operand at position 0, found the end of the expression"),
        ("   ", "$filter: expected an operand at position 3, found the end of the expression"),
        ("result eq )", "$filter: expected an operand at position 10, found ')'"),
        (
            "(result eq 1",
            "$filter: expected ')' to close the '(' at position 0 at position 12, found the end "
            "of the expression",
        ),
        (
            "result eq 1)",
            "$filter: expected an operator or the end of the expression at position 11, found ')'",
        ),
        (
            "result eq 1 result",
            "$filter: expected an operator or the end of the expression at position 12, found "
            "'result'",
        ),
        (
            "result eq",
            "$filter: expected an operand at position 9, found the end of the expression",
        ),
        ("eq 1", "$filter: expected an operand at position 0, found 'eq'"),
        ("result eq and", "$filter: expected an operand at position 10, found 'and'"),
        (
            "result eq 1 and",
            "$filter: expected an operand at position 15, found the end of the expression",
        ),
        ("result == 1", "$filter: unexpected character at position 7, found '='"),
        ("result eq 1:2", "$filter: unexpected character at position 11, found ':'"),
        ("result eq 1 && true", "$filter: unexpected character at position 12, found '&'"),
        ("result in (1, 2)", "$filter: the in operator is not supported at position 7"),
        ("(result has 1)", "$filter: the has operator is not supported at position 8"),
        ("length(name in ('a'))", "$filter: the in operator is not supported at position 12"),
        (
            "result eq 1,",
            "$filter: expected an operator or the end of the expression at position 11, found ','",
        ),
        (
            "result eq 1 asc",
            "$filter: expected an operator or the end of the expression at position 12, found "
            "'asc'",
        ),
        (
            "result eq 12abc",
            "$filter: expected an operator or the end of the expression at position 12, found "
            "'abc'",
        ),
        ("$it/result eq 1", "$filter: unexpected character at position 0, found '$'"),
        ("name", "$filter: expected a boolean expression at position 0, found a string"),
        (
            "Datastream/id add 1",
            "$filter: expected a boolean expression at position 0, found an integer",
        ),
        (
            "length(description)",
            "$filter: expected a boolean expression at position 0, found an integer",
        ),
        (
            "name and true",
            "$filter: the operands of and must be boolean at position 0, found a string",
        ),
        (
            "true or 1",
            "$filter: the operands of or must be boolean at position 8, found an integer",
        ),
        ("not name", "$filter: the operand of not must be boolean at position 4, found a string"),
        ("name add 1 eq 2", "$filter: add cannot combine a string and an integer at position 5"),
        (
            "now() add now() eq now()",
            "$filter: add cannot combine a date-time and a date-time at position 6",
        ),
        ("-name eq 1", "$filter: '-' needs a number or a duration at position 1, found a string"),
        ("1 add true eq 2", "$filter: add cannot combine an integer and a boolean at position 2"),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    err = error(text, "Things" if "name" in text or "description" in text else "Observations")
    assert str(err) == message
    assert err.position == int(message.rsplit("at position ", 1)[1].split(",")[0])
    assert err.option == "$filter"


def test_nesting_limit() -> None:
    deep = "(" * 150 + "result eq 1" + ")" * 150
    assert "nested too deeply" in str(error(deep))
    ok = "(" * 50 + "result eq 1" + ")" * 50
    assert tree(ok) == "(eq result 1)"


def test_temporal_arithmetic() -> None:
    assert tree("phenomenonTime sub duration'PT1H' gt now()") == (
        "(gt (sub phenomenonTime duration'PT1H') (now))"
    )
    assert tree("phenomenonTime sub 2016-01-01T08:00:00Z eq duration'PT1H'") == (
        "(eq (sub phenomenonTime 2016-01-01T08:00:00Z) duration'PT1H')"
    )
    assert tree("resultTime gt 2016-01-01T09:00:00Z sub duration'PT1H'") == (
        "(gt resultTime (sub 2016-01-01T09:00:00Z duration'PT1H'))"
    )
    assert tree("duration'P1D' add now() gt resultTime") == (
        "(gt (add duration'P1D' (now)) resultTime)"
    )
    assert tree("resultTime sub now() gt duration'P1D' mul 2") == (
        "(gt (sub resultTime (now)) (mul duration'P1D' 2))"
    )


# -- tokenizer -----------------------------------------------------------------------------------


def test_tokenizer() -> None:
    tokens = tokenize("geo.distance(location, geography'POINT(1 2)') lt -1.5 and not x")
    assert [(t.kind, t.text, t.pos) for t in tokens] == [
        ("word", "geo.distance", 0),
        ("(", "(", 12),
        ("word", "location", 13),
        (",", ",", 21),
        ("literal", "geography'POINT(1 2)'", 23),
        (")", ")", 44),
        ("word", "lt", 46),
        ("-", "-", 49),
        ("number", "1.5", 50),
        ("word", "and", 54),
        ("word", "not", 58),
        ("word", "x", 62),
        ("end", "", 63),
    ]


# -- $orderby expressions --------------------------------------------------------------------------


def test_orderby_expressions() -> None:
    items = parse_orderby("phenomenonTime desc, result, Datastream/id ASC", "Observations")
    assert [(sexpr(i.expr), i.descending) for i in items] == [
        ("phenomenonTime", True),
        ("result", False),
        ("Datastream/id", False),
    ]
    items = parse_orderby("geo.distance(location, geography'POINT(1 2)') desc", "Locations")
    assert sexpr(items[0].expr) == "(geo.distance location geography'POINT(1 2)')"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            "$orderby: expected a property or an expression at position 0, found the end of "
            "$orderby",
        ),
        (
            "result desc desc",
            "$orderby: expected 'asc', 'desc', ',' or the end of $orderby at position 12, found "
            "'desc'",
        ),
        ("result,", "$orderby: expected an operand at position 7, found the end of the expression"),
        (
            "FeatureOfInterest/Observations/id",
            "$orderby: Observations is a collection of FeatureOfInterest; $orderby needs a single "
            "value per entity at position 18",
        ),
        (
            "Datastreams/id desc",
            "$orderby: unknown property Datastreams of Observation (did you mean Datastream?) at "
            "position 0",
        ),
    ],
)
def test_bad_orderby(text: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_orderby(text, "Observations")
    assert str(info.value) == message


# -- round trip ----------------------------------------------------------------------------------


ROUND_TRIP = [
    "not result eq 1 and result eq 2",
    "not (result eq 1 and result eq 2)",
    "(not result) eq true",
    "result eq (not result)",
    "result sub (2 sub 3) eq 4",
    "result sub 2 sub 3 eq 4",
    "(result eq 1) eq (result eq 2)",
    "result eq 1 eq true",
    "result lt 1 eq true",
    "(result eq 1) lt true",
    "result eq 1 or (result eq 2 or result eq 3)",
    "-(1) eq result",
    "-(-result) eq result",
    "-(result mul 2) eq 1",
    "- -1 eq result",
    "result eq 'it''s'",
    "result eq 1.0",
    "result eq 5E0",
    "result eq 1E+3",
    "result eq -0.0",
    "result eq 9223372036854775808",
    "result eq -9223372036854775808",
    "resultTime eq 2015-10-14T23:30:00.104+02:00",
    "phenomenonTime eq 2015-10-14T01:01:01Z/P1DT2H3M4.5S",
    "result eq duration'-P1DT0.000001S'",
    "result eq duration'PT0S'",
    "result eq 2015-03-01 or result eq 12:00:00.25",
    "st_within(geography'POINT(7.5 52.75)', FeatureOfInterest/feature)",
    "geo.intersects(FeatureOfInterest/feature, geometry'SRID=4326;MULTIPOLYGON(((0 0,0 1,1 1,0 "
    "0)))')",
    "substring(Datastream/name, -1, 2) eq concat('a', Datastream/Thing/properties/x)",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_round_trip(text: str) -> None:
    expr = parse_filter(text, "Observations")
    canonical = format_expr(expr)
    assert parse_filter(canonical, "Observations") == expr
    assert format_expr(parse_filter(canonical, "Observations")) == canonical


def test_canonical_form() -> None:
    assert format_expr(parse_filter("(  result  ADD 1 ) Gt 2", "Observations")) == (
        "result add 1 gt 2"
    )
    assert format_expr(parse_filter("not (not result eq 1)", "Observations")) == (
        "not (not result eq 1)"
    )
    assert format_expr(parse_filter("result eq 2015-10-14T23:30:00+02:00", "Observations")) == (
        "result eq 2015-10-14T21:30:00Z"
    )


class _Gen:
    """Random $filter texts over Observations, with random spacing, case and parentheses."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def sp(self) -> str:
        return self.r.choice([" ", " ", "  ", "\t"])

    def kw(self, word: str) -> str:
        return word.upper() if self.r.random() < 0.2 else word

    def wrap(self, text: str) -> str:
        return f"({self.sp().strip()}{text})" if self.r.random() < 0.3 else text

    def boolean(self, depth: int) -> str:
        r = self.r
        choice = r.randrange(7 if depth > 0 else 3)
        if choice == 0:
            op = r.choice(["eq", "ne", "gt", "ge", "lt", "le"])
            left, right = self.number(depth - 1), self.number(depth - 1)
            return f"{left}{self.sp()}{self.kw(op)}{self.sp()}{right}"
        if choice == 1:
            return r.choice(["true", "false", "parameters/ok"])
        if choice == 2:
            return f"startswith({self.string(depth - 1)},{self.sp()}{self.string(depth - 1)})"
        if choice in (3, 4):
            op = self.kw(r.choice(["and", "or"]))
            return self.wrap(
                f"{self.boolean(depth - 1)}{self.sp()}{op}{self.sp()}{self.boolean(depth - 1)}"
            )
        if choice == 5:
            return f"{self.kw('not')} {self.wrap(self.boolean(depth - 1))}"
        point = f"POINT({r.randint(-9, 9)} {r.random():.3f})"
        return f"st_within(FeatureOfInterest/feature, geography'{point}')"

    def number(self, depth: int) -> str:
        r = self.r
        choice = r.randrange(8 if depth > 0 else 4)
        if choice == 0:
            return str(r.choice([0, 1, -1, 2**63 - 1, -(2**63), 2**64, r.randint(-999, 999)]))
        if choice == 1:
            return r.choice(["1.5", "-0.25", "1E3", "2.50", "1e-7"])
        if choice == 2:
            return r.choice(["result", "Datastream/id", "parameters/x", "@iot.id"])
        if choice == 3:
            return f"length({self.string(0)})"
        if choice in (4, 5):
            op = self.kw(r.choice(["add", "sub", "mul", "div", "mod"]))
            return self.wrap(
                f"{self.number(depth - 1)}{self.sp()}{op}{self.sp()}{self.number(depth - 1)}"
            )
        if choice == 6:
            return f"-{self.wrap(self.number(depth - 1))}"
        return f"round({self.number(depth - 1)})"

    def string(self, depth: int) -> str:
        r = self.r
        choice = r.randrange(4 if depth > 0 else 2)
        if choice == 0:
            return "'" + r.choice(["", "a", "it''s", "x;y", "(z)"]) + "'"
        if choice == 1:
            return r.choice(["Datastream/name", "FeatureOfInterest/description"])
        if choice == 2:
            return f"tolower({self.string(depth - 1)})"
        return f"concat({self.string(depth - 1)}, {self.string(depth - 1)})"


def test_random_round_trips() -> None:
    gen = _Gen(20240501)
    for _ in range(400):
        text = gen.boolean(4)
        expr = parse_filter(text, "Observations")
        canonical = format_expr(expr)
        again = parse_filter(canonical, "Observations")
        assert again == expr, (text, canonical)
        assert format_expr(again) == canonical
        assert sexpr(again) == sexpr(expr)
