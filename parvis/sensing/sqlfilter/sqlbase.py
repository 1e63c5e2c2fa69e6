"""The SQL that differs between SQLite and PostgreSQL, behind one interface: `Sql`.

The compiler (compiler.py) decides what an expression means; a `Sql` object writes it for one
database (sqlite_sql.py, postgres_sql.py) so that both give the same answers.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import ColumnElement, cast, func, literal

from parvis.kernel.db import UTCDateTime
from parvis.sensing.sqlfilter.scope import Visible
from parvis.sensing.sqlfilter.values import (
    Date,
    Geom,
    Instant,
    Json,
    Num,
    NumClass,
    SqlExpr,
    Str,
    TimeOfDay,
)
from parvis.sensing.sta.query.nodes import BinaryOperator
from parvis.sensing.sta.query.wkt import Geometry

CMP: Final[dict[BinaryOperator, Callable[[Any, Any], ColumnElement[bool]]]] = {
    BinaryOperator.EQ: operator.eq,
    BinaryOperator.NE: operator.ne,
    BinaryOperator.GT: operator.gt,
    BinaryOperator.GE: operator.ge,
    BinaryOperator.LT: operator.lt,
    BinaryOperator.LE: operator.le,
}
ARITH_SQL: Final = {
    BinaryOperator.ADD: "+",
    BinaryOperator.SUB: "-",
    BinaryOperator.MUL: "*",
}
GEOMETRY_TYPES: Final = (
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)
# st_* and geo.intersects -> the DE-9IM predicate (PostGIS ST_<Name>, shapely's method).
SPATIAL_PREDICATES: Final = {
    "st_equals": "equals",
    "st_disjoint": "disjoint",
    "st_touches": "touches",
    "st_within": "within",
    "st_overlaps": "overlaps",
    "st_crosses": "crosses",
    "st_intersects": "intersects",
    "geo.intersects": "intersects",
    "st_contains": "contains",
}
# The range of Python's datetime, in microseconds since the epoch: time arithmetic leaving it
# gives null on both databases (PostgreSQL would raise "timestamp out of range").
MIN_MICROS: Final = -62_135_596_800_000_000
MAX_MICROS: Final = 253_402_300_799_999_999
SPAN: Final = MAX_MICROS - MIN_MICROS  # no shift within years 1 to 9999 is longer
UTC_MIN: Final = datetime(1, 1, 1, tzinfo=UTC)
UTC_MAX: Final = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def geojson_text(geometry: Geometry) -> str:
    return json.dumps(geometry.to_geojson())


def int_literal(value: int) -> SqlExpr:
    return literal(value, sa.BigInteger())


def int64(value: int | Decimal) -> bool:
    return isinstance(value, int) and -(2**63) <= value < 2**63


class Sql:
    """What both databases write alike; subclasses hold the differences."""

    name = ""

    def __init__(
        self, *, now: datetime, postgis: bool = True, visible: Visible | None = None
    ) -> None:
        self.now = now
        self.postgis = postgis
        self.visible = visible  # see scope.Visible

    # -- literals ------------------------------------------------------------------------------

    def number(self, value: int | Decimal) -> Num:
        raise NotImplementedError

    def bind_number(self, value: int | Decimal, cls: NumClass) -> SqlExpr:
        """A number literal bound in the SQL type of `cls` (to compare without a cast)."""
        raise NotImplementedError

    def string(self, value: str) -> Str:
        return Str(literal(value, sa.Text()), value)

    def instant(self, value: datetime) -> Instant:
        return Instant(literal(value, UTCDateTime()), value)

    def date(self, value: date) -> Date:
        return Date(literal(value, sa.Date()))

    def time(self, value: time) -> TimeOfDay:
        return TimeOfDay(literal(value, sa.Time()))

    # -- numbers -------------------------------------------------------------------------------

    def compare_numbers(self, op: BinaryOperator, a: Num, b: Num) -> SqlExpr:
        raise NotImplementedError

    def arithmetic(self, op: BinaryOperator, a: Num, b: Num) -> Num:
        raise NotImplementedError

    def negate(self, a: Num) -> Num:
        raise NotImplementedError

    def rounding(self, function: str, a: Num) -> Num:
        raise NotImplementedError

    def number_text(self, a: Num) -> SqlExpr:
        if a.literal is not None:  # the same text on both databases ('5' eq id)
            return literal(str(a.literal), sa.Text())
        return cast(a.expr, sa.Text())

    # -- strings -------------------------------------------------------------------------------

    def compare_strings(self, op: BinaryOperator, a: SqlExpr, b: SqlExpr) -> SqlExpr:
        return CMP[op](a, b)

    def contains(self, haystack: Str, needle: Str) -> SqlExpr:
        raise NotImplementedError

    def startswith(self, haystack: Str, prefix: Str) -> SqlExpr:
        raise NotImplementedError

    def endswith(self, haystack: Str, suffix: Str) -> SqlExpr:
        raise NotImplementedError

    def length(self, s: Str) -> Num:
        raise NotImplementedError

    def indexof(self, haystack: Str, needle: Str) -> Num:
        raise NotImplementedError

    def substring(self, s: Str, start: Num, length: Num | None) -> Str:
        """OData substring: 0-based start; a negative start or length counts as 0."""
        first = self._clamp_position(start, 1)
        if length is None:
            return Str(func.substr(s.expr, first))
        return Str(func.substr(s.expr, first, self._clamp_position(length, 0)))

    def _clamp_position(self, n: Num, offset: int) -> SqlExpr:
        raise NotImplementedError

    def case_map(self, function: str, s: Str) -> Str:
        raise NotImplementedError

    def trim(self, s: Str) -> Str:
        return Str(func.trim(s.expr))

    def concat(self, a: Str, b: Str) -> Str:
        return Str(a.expr.op("||", return_type=sa.Text())(b.expr))

    # -- time ----------------------------------------------------------------------------------

    def shift(self, instant: SqlExpr, micros: Num) -> SqlExpr:
        """The instant moved by a duration; null outside years 1 to 9999."""
        raise NotImplementedError

    def difference(self, a: SqlExpr, b: SqlExpr) -> Num:
        """a - b in microseconds."""
        raise NotImplementedError

    def part(self, name: str, value: Instant | Date | TimeOfDay) -> Num:
        """year ... second, or "micro" (the microseconds within the second)."""
        raise NotImplementedError

    def to_date(self, instant: SqlExpr) -> SqlExpr:
        raise NotImplementedError

    def to_time(self, instant: SqlExpr) -> SqlExpr:
        raise NotImplementedError

    def date_start(self, day: SqlExpr) -> SqlExpr:
        """Midnight UTC of a date, as an instant."""
        raise NotImplementedError

    # -- JSON ----------------------------------------------------------------------------------

    def json_number(self, j: Json) -> SqlExpr:
        raise NotImplementedError

    def json_string(self, j: Json) -> SqlExpr:
        raise NotImplementedError

    def json_boolean(self, j: Json) -> SqlExpr:
        raise NotImplementedError

    def json_is_null(self, j: Json) -> SqlExpr:
        raise NotImplementedError

    def json_object(self, j: Json) -> SqlExpr:
        """The JSON object at the path (for GeoJSON), or null when it is not an object."""
        raise NotImplementedError

    def document_text(self, doc: SqlExpr) -> SqlExpr:
        """A whole JSON document as text, for ordering."""
        raise NotImplementedError

    # -- geometry ------------------------------------------------------------------------------

    def geo_distance(self, a: Geom, b: Geom) -> Num:
        raise NotImplementedError

    def geo_length(self, a: Geom) -> Num:
        raise NotImplementedError

    def geo_predicate(self, predicate: str, a: Geom, b: Geom) -> SqlExpr:
        raise NotImplementedError

    def geo_relate(self, a: Geom, b: Geom, pattern: str) -> SqlExpr:
        raise NotImplementedError

    # -- ordering ------------------------------------------------------------------------------

    def order_string(self, expr: SqlExpr) -> SqlExpr:
        return expr

    def order(self, expr: SqlExpr, *, descending: bool) -> SqlExpr:
        """Nulls first ascending, last descending: SQLite's order, spelt out for PostgreSQL."""
        return expr.desc() if descending else expr.asc()
