"""The typed SQL values the compiler combines: what a sub-expression is, not only its SQL.

An STA expression is typed by what it denotes (a number, an instant, an interval, a JSON
value...), and a single value may need several SQL expressions: an interval is two columns, a
JSON value is looked at as a number, a string or a boolean depending on what it is compared
with. Each class below is one such kind; the compiler dispatches on them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ColumnElement, literal

from parvis.sensing.sta.query.wkt import Geometry

SqlExpr = ColumnElement[Any]


def boolean(value: bool) -> SqlExpr:
    """A boolean constant that can also be compared with lt/gt (unlike true()/false())."""
    return literal(value, Boolean())


class NumClass(enum.Enum):
    """The SQL type family of a number, which decides how PostgreSQL must compare it."""

    INT = "int"  # exact integers: ids, lengths, integer literals
    FLOAT = "float"  # double precision: result_number, distances, div
    NUMERIC = "numeric"  # exact decimals (PostgreSQL): arithmetic, JSON numbers, date parts


@dataclass(frozen=True, slots=True)
class Num:
    expr: SqlExpr
    cls: NumClass
    # Set for literals, so that a comparison can bind it in the type of the other side.
    literal: int | Decimal | None = None


@dataclass(frozen=True, slots=True)
class Str:
    expr: SqlExpr
    literal: str | None = None


@dataclass(frozen=True, slots=True)
class Bool:
    expr: SqlExpr


@dataclass(frozen=True, slots=True)
class Instant:
    """A UTC instant: timestamptz on PostgreSQL, SQLAlchemy's fixed-width text on SQLite."""

    expr: SqlExpr
    # Set for literals (and now()), so that literal arithmetic is done here, not folded by
    # PostgreSQL's planner (which would raise "out of range" where the SQL gives null).
    literal: datetime | None = None


@dataclass(frozen=True, slots=True)
class Interval:
    start: SqlExpr
    end: SqlExpr
    literal: tuple[datetime, datetime] | None = None


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration in microseconds, the same representation on both databases."""

    micros: Num


@dataclass(frozen=True, slots=True)
class Date:
    expr: SqlExpr


@dataclass(frozen=True, slots=True)
class TimeOfDay:
    expr: SqlExpr


@dataclass(frozen=True, slots=True)
class Geom:
    """A GeoJSON document (a geometry or a Feature) held in `doc`, or a WKT literal."""

    doc: SqlExpr | None = None
    literal: Geometry | None = None


@dataclass(frozen=True, slots=True)
class Json:
    """The value at `path` inside the JSON document `doc` (the whole document for ())."""

    doc: SqlExpr
    path: tuple[str | int, ...] = ()


@dataclass(frozen=True, slots=True)
class Result:
    """An Observation's result: its type code and typed columns (see models.ResultType)."""

    type: SqlExpr
    number: SqlExpr
    string: SqlExpr
    boolean: SqlExpr
    json: SqlExpr


@dataclass(frozen=True, slots=True)
class Null:
    pass


Value = (
    Num
    | Str
    | Bool
    | Instant
    | Interval
    | Duration
    | Date
    | TimeOfDay
    | Geom
    | Json
    | Result
    | Null
)

# What a value is called in messages.
KIND_NAMES: dict[type, str] = {
    Num: "a number",
    Str: "a string",
    Bool: "a boolean",
    Instant: "a date-time",
    Interval: "a time interval",
    Duration: "a duration",
    Date: "a date",
    TimeOfDay: "a time of day",
    Geom: "a geometry",
    Json: "a JSON value",
    Result: "a result",
    Null: "null",
}


def kind_name(value: Value) -> str:
    return KIND_NAMES[type(value)]
