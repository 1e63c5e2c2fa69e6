"""SQLite's SQL. What SQLite lacks (spatial predicates, floor, an exact modulo, time
arithmetic at microsecond precision, Unicode case mapping) are Python functions registered on
each connection (sqlite_functions.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import case, cast, func, literal, literal_column

from parvis.sensing.sqlfilter.sqlbase import (
    ARITH_SQL,
    CMP,
    Sql,
    geojson_text,
    int64,
    int_literal,
)
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

# Date and time parts: the offset and length of each in SQLAlchemy's SQLite text formats.
_PARTS: Final[dict[type, dict[str, tuple[int, int]]]] = {
    Instant: {
        "year": (1, 4),
        "month": (6, 2),
        "day": (9, 2),
        "hour": (12, 2),
        "minute": (15, 2),
        "second": (18, 2),
        "micro": (21, 6),
    },
    Date: {"year": (1, 4), "month": (6, 2), "day": (9, 2)},
    TimeOfDay: {"hour": (1, 2), "minute": (4, 2), "second": (7, 2), "micro": (10, 6)},
}


class SqliteSql(Sql):
    name = "sqlite"

    def bind_number(self, value: int | Decimal, cls: NumClass) -> SqlExpr:
        # SQLite has no decimal type (SQLAlchemy warns on Decimal binds): floats beyond int64
        # (only durations get there: the parser makes larger integer literals decimals).
        if int64(value):
            return int_literal(int(value))
        return literal(float(value), sa.Float())

    def number(self, value: int | Decimal) -> Num:
        cls = NumClass.INT if int64(value) else NumClass.FLOAT
        return Num(self.bind_number(value, cls), cls, value)

    def compare_numbers(self, op: BinaryOperator, a: Num, b: Num) -> SqlExpr:
        return CMP[op](a.expr, b.expr)

    def arithmetic(self, op: BinaryOperator, a: Num, b: Num) -> Num:
        if op is BinaryOperator.DIV:
            # Floating-point division; division by zero is null in SQLite.
            quotient = cast(a.expr, sa.Float()).op("/", return_type=sa.Float())(b.expr)
            return Num(quotient, NumClass.FLOAT)
        if op is BinaryOperator.MOD:
            # SQLite's % truncates its operands to integers; OData's mod is fmod.
            return Num(func.parvis_mod(a.expr, b.expr, type_=sa.Float()), NumClass.FLOAT)
        expr = a.expr.op(ARITH_SQL[op], return_type=sa.Float())(b.expr)
        both_int = a.cls is NumClass.INT and b.cls is NumClass.INT
        return Num(expr, NumClass.INT if both_int else NumClass.FLOAT)

    def negate(self, a: Num) -> Num:
        return Num(-a.expr, a.cls)

    def rounding(self, function: str, a: Num) -> Num:
        if function == "round":
            return Num(func.round(a.expr, type_=sa.Float()), NumClass.FLOAT)
        name = "parvis_floor" if function == "floor" else "parvis_ceiling"
        return Num(getattr(func, name)(a.expr, type_=sa.Float()), NumClass.FLOAT)

    # SQLite's LIKE ignores ASCII case: compare substrings instead.
    def contains(self, haystack: Str, needle: Str) -> SqlExpr:
        return func.instr(haystack.expr, needle.expr) > 0

    def startswith(self, haystack: Str, prefix: Str) -> SqlExpr:
        return func.substr(haystack.expr, 1, func.length(prefix.expr)) == prefix.expr

    def endswith(self, haystack: Str, suffix: Str) -> SqlExpr:
        start = func.length(haystack.expr) - func.length(suffix.expr) + 1
        return func.substr(haystack.expr, start) == suffix.expr

    def length(self, s: Str) -> Num:
        return Num(func.length(s.expr, type_=sa.Integer()), NumClass.INT)

    def indexof(self, haystack: Str, needle: Str) -> Num:
        return Num(func.instr(haystack.expr, needle.expr, type_=sa.Integer()) - 1, NumClass.INT)

    def _clamp_position(self, n: Num, offset: int) -> SqlExpr:
        if isinstance(n.literal, int):  # bounded as on PostgreSQL (int4)
            return int_literal(min(max(n.literal, 0), 2**31 - 2) + offset)
        return cast(func.max(n.expr, 0), sa.Integer()) + offset

    def case_map(self, function: str, s: Str) -> Str:
        # SQLite's lower()/upper() only map ASCII letters.
        name = "parvis_lower" if function == "tolower" else "parvis_upper"
        return Str(getattr(func, name)(s.expr, type_=sa.Text()))

    def shift(self, instant: SqlExpr, micros: Num) -> SqlExpr:
        return func.parvis_time_add(instant, micros.expr, type_=sa.Text())

    def difference(self, a: SqlExpr, b: SqlExpr) -> Num:
        return Num(func.parvis_time_diff(a, b, type_=sa.BigInteger()), NumClass.INT)

    def part(self, name: str, value: Instant | Date | TimeOfDay) -> Num:
        start, size = _PARTS[type(value)][name]
        return Num(cast(func.substr(value.expr, start, size), sa.Integer()), NumClass.INT)

    def to_date(self, instant: SqlExpr) -> SqlExpr:
        return func.substr(instant, 1, 10)

    def to_time(self, instant: SqlExpr) -> SqlExpr:
        return func.substr(instant, 12)

    def date_start(self, day: SqlExpr) -> SqlExpr:
        return day.op("||", return_type=sa.Text())(literal_column("' 00:00:00.000000'"))

    def _path(self, path: tuple[str | int, ...]) -> SqlExpr:
        text = "$"
        for key in path:
            if isinstance(key, str):
                text += f'."{key}"'  # the parser allows only [\w.@-] in keys: no quote
            elif key < 0:
                text += f"[#{key}]"
            else:
                text += f"[{key}]"
        return literal(text, sa.Text())

    def _type(self, j: Json) -> SqlExpr:
        return func.json_type(j.doc, self._path(j.path))

    def _extract(self, j: Json) -> SqlExpr:
        return func.json_extract(j.doc, self._path(j.path))

    def json_number(self, j: Json) -> SqlExpr:
        return case((self._type(j).in_(["integer", "real"]), self._extract(j)))

    def json_string(self, j: Json) -> SqlExpr:
        # PostgreSQL gives the text as stored, which SQLAlchemy wrote with json.dumps: floats,
        # objects and arrays are written back that way (json_extract would minify them).
        kind = self._type(j)
        as_stored = func.parvis_json_text(self._extract(j), type_=sa.Text())
        whens: list[tuple[Any, Any]] = [
            (kind == "true", literal_column("'true'")),
            (kind == "false", literal_column("'false'")),
            (kind == "real", as_stored),
        ]
        # The whole document is its own text (cast: a JSON column has NUMERIC affinity).
        containers = cast(j.doc, sa.Text()) if not j.path else as_stored
        whens.append((kind.in_(["object", "array"]), containers))
        return case(*whens, else_=cast(self._extract(j), sa.Text()))

    def json_boolean(self, j: Json) -> SqlExpr:
        kind = self._type(j)
        return sa.type_coerce(case((kind == "true", 1), (kind == "false", 0)), sa.Boolean())

    def json_is_null(self, j: Json) -> SqlExpr:
        return self._extract(j).is_(None)

    def json_object(self, j: Json) -> SqlExpr:
        if not j.path:
            return case((self._type(j) == "object", j.doc))
        return case((self._type(j) == "object", self._extract(j)))

    def document_text(self, doc: SqlExpr) -> SqlExpr:
        # A JSON column has NUMERIC affinity in SQLite: a scalar document may be a number.
        return cast(doc, sa.Text())

    def _geometry(self, g: Geom) -> SqlExpr:
        # The Python functions read GeoJSON text (a Feature is reduced to its geometry there).
        if g.literal is not None:
            return literal(geojson_text(g.literal), sa.Text())
        assert g.doc is not None
        return sa.type_coerce(g.doc, sa.Text())

    def geo_distance(self, a: Geom, b: Geom) -> Num:
        expr = func.parvis_geo_distance(self._geometry(a), self._geometry(b), type_=sa.Float())
        return Num(expr, NumClass.FLOAT)

    def geo_length(self, a: Geom) -> Num:
        return Num(func.parvis_geo_length(self._geometry(a), type_=sa.Float()), NumClass.FLOAT)

    def geo_predicate(self, predicate: str, a: Geom, b: Geom) -> SqlExpr:
        result = func.parvis_geo_predicate(
            literal(predicate, sa.Text()), self._geometry(a), self._geometry(b)
        )
        return sa.type_coerce(result, sa.Boolean())

    def geo_relate(self, a: Geom, b: Geom, pattern: str) -> SqlExpr:
        result = func.parvis_geo_relate(
            self._geometry(a), self._geometry(b), literal(pattern, sa.Text())
        )
        return sa.type_coerce(result, sa.Boolean())
