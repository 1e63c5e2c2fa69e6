"""Looking at a value as a number, a string, a boolean, a geometry or a time.

JSON values and results are untyped: compared with a number they are looked at as numbers (and
match only where they are numbers), with a string as strings (numbers as their text, as the
official tests expect of `result gt '3'`), with a boolean as booleans.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import ColumnElement, case, cast, literal_column

from parvis.sensing.models import ResultType
from parvis.sensing.sqlfilter.errors import type_error
from parvis.sensing.sqlfilter.sqlbase import Sql
from parvis.sensing.sqlfilter.values import (
    Bool,
    Date,
    Duration,
    Geom,
    Instant,
    Interval,
    Json,
    Null,
    Num,
    NumClass,
    Result,
    SqlExpr,
    Str,
    TimeOfDay,
    Value,
    boolean,
    kind_name,
)


def result_string(r: Result) -> SqlExpr:
    """A result as text: numbers as they were sent, booleans as true/false, JSON as its text."""
    return case(
        (
            r.type == ResultType.BOOLEAN,
            case((r.boolean, literal_column("'true'")), else_=literal_column("'false'")),
        ),
        (r.type == ResultType.JSON, cast(r.json, sa.Text())),
        else_=r.string,
    )


def as_num(sql: Sql, value: Value) -> Num | None:
    if isinstance(value, Num):
        return value
    if isinstance(value, Json):
        return Num(sql.json_number(value), NumClass.NUMERIC)
    if isinstance(value, Result):
        return result_number(sql, value)
    return None


def result_number(sql: Sql, r: Result) -> Num:
    """A numeric result, exact for integers (64-bit results are kept as text: the float column
    would make 7532165645793396046 equal to its neighbours, or to nothing on SQLite)."""
    if sql.name == "postgresql":
        exact = case(
            (r.type == ResultType.INTEGER, cast(r.string, sa.Numeric())),
            else_=cast(r.number, sa.Numeric()),
        )
        return Num(exact, NumClass.NUMERIC)
    exact = case((r.type == ResultType.INTEGER, cast(r.string, sa.Integer())), else_=r.number)
    return Num(exact, NumClass.FLOAT)


def as_str(sql: Sql, value: Value) -> Str | None:
    if isinstance(value, Str):
        return value
    if isinstance(value, Json):
        return Str(sql.json_string(value))
    if isinstance(value, Result):
        return Str(result_string(value))
    return None


def as_bool(sql: Sql, value: Value) -> SqlExpr | None:
    if isinstance(value, Bool):
        return value.expr
    if isinstance(value, Json):
        return sql.json_boolean(value)
    if isinstance(value, Result):
        return value.boolean
    return None


def need_num(sql: Sql, value: Value, what: str) -> Num:
    found = as_num(sql, value)
    if found is None:
        raise type_error(f"{what} must be a number, not {kind_name(value)}")
    return found


def need_str(sql: Sql, value: Value, what: str) -> Str:
    found = as_str(sql, value)
    if found is None:
        raise type_error(f"{what} must be a string, not {kind_name(value)}")
    return found


def need_geom(sql: Sql, value: Value, what: str) -> Geom:
    if isinstance(value, Geom):
        return value
    if isinstance(value, Json):
        return Geom(doc=sql.json_object(value))
    if isinstance(value, Result):
        return Geom(doc=value.json)
    raise type_error(f"{what} must be a geometry, not {kind_name(value)}")


def need_time(sql: Sql, value: Value, what: str) -> Instant | Interval:
    """An instant or an interval; a date is its midnight UTC."""
    if isinstance(value, Instant | Interval):
        return value
    if isinstance(value, Date):
        return Instant(sql.date_start(value.expr))
    raise type_error(f"{what} must be a date-time or a time interval, not {kind_name(value)}")


def condition(sql: Sql, value: Value) -> ColumnElement[bool]:
    """A value used as a predicate ($filter itself, and/or/not operands)."""
    if isinstance(value, Null):
        return sa.type_coerce(sa.null(), sa.Boolean())
    if isinstance(value, Bool):
        # Already a condition; type_coerce would drop its parentheses under not_() on SQLite.
        return value.expr
    found = as_bool(sql, value)
    if found is None:
        raise type_error(f"expected a boolean expression, not {kind_name(value)}")
    return sa.type_coerce(found, sa.Boolean())  # a single column or CASE: no grouping lost


def is_null(sql: Sql, value: Value) -> ColumnElement[bool]:
    """`value eq null`: missing JSON members and JSON nulls are null too."""
    if isinstance(value, Null):
        return boolean(True)
    if isinstance(value, Interval):
        return value.start.is_(None)  # both ends are null together
    if isinstance(value, Duration):
        return value.micros.expr.is_(None)
    if isinstance(value, Json):
        return sql.json_is_null(value)
    if isinstance(value, Result):
        return value.type == ResultType.NULL
    if isinstance(value, Geom):
        if value.doc is None:
            return boolean(False)
        return sql.json_is_null(Json(value.doc))
    if isinstance(value, Num | Str | Bool | Instant | Date | TimeOfDay):
        return value.expr.is_(None)
    raise AssertionError(value)  # pragma: no cover - every kind is handled above
