"""The built-in functions of $filter (18-088 Table 23, and FROST's time relations) in SQL."""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from sqlalchemy import case, literal_column

from parvis.sensing.sqlfilter.coerce import need_geom, need_num, need_str
from parvis.sensing.sqlfilter.compare import FUNCTION_RELATIONS, time_relation
from parvis.sensing.sqlfilter.errors import UnsupportedFilter, type_error
from parvis.sensing.sqlfilter.sqlbase import SPATIAL_PREDICATES, UTC_MAX, UTC_MIN, Sql
from parvis.sensing.sqlfilter.values import (
    Bool,
    Date,
    Instant,
    Interval,
    Null,
    Num,
    NumClass,
    Str,
    TimeOfDay,
    Value,
    kind_name,
)
from parvis.sensing.sta.query.nodes import BinaryOperator

_PARTS: Final = {
    "year": "year",
    "month": "month",
    "day": "day",
    "hour": "hour",
    "minute": "minute",
    "second": "second",
    "fractionalseconds": "micro",
}
_DATE_PARTS: Final = frozenset({"year", "month", "day"})
_TIME_PARTS: Final = frozenset({"hour", "minute", "second", "micro"})


def _temporal(sql: Sql, name: str, value: Value) -> Instant | Date | TimeOfDay:
    """The argument of year() ... time(): an interval counts by its start (as in FROST)."""
    if isinstance(value, Interval):
        return Instant(value.start)
    if isinstance(value, Instant | Date | TimeOfDay):
        return value
    raise type_error(f"{name}() needs a date-time, a date or a time, not {kind_name(value)}")


def _part(sql: Sql, name: str, value: Value) -> Value:
    arg = _temporal(sql, name, value)
    part = _PARTS[name]
    available = {Instant: _DATE_PARTS | _TIME_PARTS, Date: _DATE_PARTS, TimeOfDay: _TIME_PARTS}
    if part not in available[type(arg)]:
        raise type_error(f"{name}() cannot be taken of {kind_name(arg)}")
    number = sql.part(part, arg)
    if name == "fractionalseconds":
        return sql.arithmetic(BinaryOperator.DIV, number, sql.number(1_000_000))
    return number


def _date_or_time(sql: Sql, name: str, value: Value) -> Value:
    arg = _temporal(sql, name, value)
    if name == "date":
        if isinstance(arg, Date):
            return arg
        if isinstance(arg, Instant):
            return Date(sql.to_date(arg.expr))
    elif isinstance(arg, TimeOfDay):
        return arg
    elif isinstance(arg, Instant):
        return TimeOfDay(sql.to_time(arg.expr))
    raise type_error(f"{name}() cannot be taken of {kind_name(arg)}")


def _strings(sql: Sql, name: str, args: list[Value]) -> Value:
    what = f"the arguments of {name}()"
    if name == "substringof":  # substringof(needle, haystack), OData 2
        return Bool(sql.contains(need_str(sql, args[1], what), need_str(sql, args[0], what)))
    if name == "contains":
        return Bool(sql.contains(need_str(sql, args[0], what), need_str(sql, args[1], what)))
    if name == "startswith":
        return Bool(sql.startswith(need_str(sql, args[0], what), need_str(sql, args[1], what)))
    if name == "endswith":
        return Bool(sql.endswith(need_str(sql, args[0], what), need_str(sql, args[1], what)))
    if name == "indexof":
        return sql.indexof(need_str(sql, args[0], what), need_str(sql, args[1], what))
    if name == "concat":
        return sql.concat(need_str(sql, args[0], what), need_str(sql, args[1], what))
    text = need_str(sql, args[0], f"the first argument of {name}()")
    if name == "length":
        return sql.length(text)
    if name == "substring":
        start = need_num(sql, args[1], "the start of substring()")
        length = need_num(sql, args[2], "the length of substring()") if len(args) > 2 else None
        return sql.substring(text, start, length)
    if name == "trim":
        return sql.trim(text)
    return sql.case_map(name, text)  # tolower, toupper


def _spatial(sql: Sql, name: str, args: list[Value]) -> Value:
    what = f"the arguments of {name}()"
    if name == "geo.length":
        return sql.geo_length(need_geom(sql, args[0], what))
    first, second = need_geom(sql, args[0], what), need_geom(sql, args[1], what)
    if name == "geo.distance":
        return sql.geo_distance(first, second)
    if name == "st_relate":
        pattern = args[2]
        if not isinstance(pattern, Str) or pattern.literal is None:
            raise type_error("the pattern of st_relate() must be a string literal ('T********')")
        return Bool(sql.geo_relate(first, second, pattern.literal.upper()))
    return Bool(sql.geo_predicate(SPATIAL_PREDICATES[name], first, second))


_STRING_FUNCTIONS: Final = frozenset(
    {
        "substringof",
        "contains",
        "startswith",
        "endswith",
        "length",
        "indexof",
        "substring",
        "tolower",
        "toupper",
        "trim",
        "concat",
    }
)


def call(sql: Sql, name: str, args: list[Value]) -> Value:
    """The value of `name(args...)`; a null argument gives null, as in SQL."""
    if name == "now":
        return sql.instant(sql.now)
    if name == "mindatetime":
        return sql.instant(UTC_MIN)
    if name == "maxdatetime":
        return sql.instant(UTC_MAX)
    if any(isinstance(arg, Null) for arg in args):
        return Null()
    if name in _STRING_FUNCTIONS:
        return _strings(sql, name, args)
    if name in _PARTS:
        return _part(sql, name, args[0])
    if name in ("date", "time"):
        return _date_or_time(sql, name, args[0])
    if name == "totaloffsetminutes":
        # Times are stored in UTC: the offset is 0 wherever there is a time.
        arg = _temporal(sql, name, args[0])
        zero = case((arg.expr.is_not(None), literal_column("0")))
        return Num(sa.type_coerce(zero, sa.Integer()), NumClass.INT)
    if name in ("round", "floor", "ceiling"):
        number = need_num(sql, args[0], f"the argument of {name}()")
        # An integer stays exact (SQLite's round() would make it a float).
        return number if number.cls is NumClass.INT else sql.rounding(name, number)
    if name.startswith(("geo.", "st_")):
        return _spatial(sql, name, args)
    if name in FUNCTION_RELATIONS:
        return Bool(time_relation(sql, FUNCTION_RELATIONS[name], args[0], args[1], name))
    if name == "during":  # during(a, b): b contains a
        return Bool(time_relation(sql, "contains", args[1], args[0], name))
    raise UnsupportedFilter(f"the function {name}() is not supported")
