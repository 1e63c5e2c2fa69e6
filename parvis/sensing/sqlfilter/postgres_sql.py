"""PostgreSQL's SQL: NUMERIC arithmetic, UTC date parts, `json` operators and PostGIS."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import case, cast, func, literal, literal_column
from sqlalchemy.dialects.postgresql import ARRAY

from parvis.kernel.db import UTCDateTime
from parvis.sensing.sqlfilter.errors import UnsupportedFilter
from parvis.sensing.sqlfilter.sqlbase import (
    ARITH_SQL,
    CMP,
    GEOMETRY_TYPES,
    MAX_MICROS,
    MIN_MICROS,
    SPAN,
    Sql,
    int64,
    int_literal,
    like_escape,
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
from parvis.sensing.sta.query.wkt import Geometry


class PostgresSql(Sql):
    name = "postgresql"

    def number(self, value: int | Decimal) -> Num:
        cls = NumClass.INT if int64(value) else NumClass.NUMERIC
        return Num(self.bind_number(value, cls), cls, value)

    def bind_number(self, value: int | Decimal, cls: NumClass) -> SqlExpr:
        if cls is NumClass.INT and int64(value):
            return int_literal(int(value))
        if cls is NumClass.FLOAT:
            return literal(float(value), sa.Float())
        return literal(Decimal(value), sa.Numeric())

    def _numeric(self, a: Num) -> SqlExpr:
        # Arithmetic in NUMERIC: no bigint or float8 overflow or underflow error, where
        # SQLite would go on with a float (PostgreSQL raises them even in untaken branches).
        if a.literal is not None:
            return self.bind_number(a.literal, NumClass.NUMERIC)
        if a.cls is NumClass.FLOAT:
            # float8::numeric keeps 15 digits; the text is the shortest exact form.
            return cast(cast(a.expr, sa.Text()), sa.Numeric())
        return a.expr if a.cls is NumClass.NUMERIC else cast(a.expr, sa.Numeric())

    def compare_numbers(self, op: BinaryOperator, a: Num, b: Num) -> SqlExpr:
        left, right = a.expr, b.expr
        if a.literal is not None and b.literal is not None:
            left, right = self._numeric(a), self._numeric(b)
        elif a.literal is not None:
            left = self.bind_number(a.literal, b.cls)
        elif b.literal is not None:
            right = self.bind_number(b.literal, a.cls)
        elif a.cls is not b.cls and NumClass.NUMERIC in (a.cls, b.cls):
            # numeric vs float8 would cast the numeric to float8, which can overflow.
            left, right = self._numeric(a), self._numeric(b)
        return CMP[op](left, right)

    def arithmetic(self, op: BinaryOperator, a: Num, b: Num) -> Num:
        zero: SqlExpr = literal_column("0")
        left, right = self._numeric(a), self._numeric(b)
        if op in (BinaryOperator.DIV, BinaryOperator.MOD):
            # NUMERIC division keeps at least 16 significant digits: not an integer division.
            symbol = "/" if op is BinaryOperator.DIV else "%"
            expr = left.op(symbol, return_type=sa.Numeric())(func.nullif(right, zero))
        else:
            expr = left.op(ARITH_SQL[op], return_type=sa.Numeric())(right)
        return Num(expr, NumClass.NUMERIC)

    def negate(self, a: Num) -> Num:
        return Num(-self._numeric(a), NumClass.NUMERIC)

    def rounding(self, function: str, a: Num) -> Num:
        # round(numeric) rounds half away from zero like SQLite; round(float8) is platform-bound.
        name = "ceil" if function == "ceiling" else function
        return Num(getattr(func, name)(self._numeric(a), type_=sa.Numeric()), NumClass.NUMERIC)

    def compare_strings(self, op: BinaryOperator, a: SqlExpr, b: SqlExpr) -> SqlExpr:
        if op in (BinaryOperator.EQ, BinaryOperator.NE):
            return CMP[op](a, b)
        # Code-point order, like SQLite's BINARY and Java's String.compareTo.
        return CMP[op](a.collate("C"), b)

    def contains(self, haystack: Str, needle: Str) -> SqlExpr:
        if needle.literal is not None:
            return haystack.expr.like(f"%{like_escape(needle.literal)}%", escape="\\")
        return func.strpos(haystack.expr, needle.expr) > 0

    def startswith(self, haystack: Str, prefix: Str) -> SqlExpr:
        if prefix.literal is not None:
            return haystack.expr.like(f"{like_escape(prefix.literal)}%", escape="\\")
        return func.left(haystack.expr, func.length(prefix.expr)) == prefix.expr

    def endswith(self, haystack: Str, suffix: Str) -> SqlExpr:
        if suffix.literal is not None:
            return haystack.expr.like(f"%{like_escape(suffix.literal)}", escape="\\")
        return func.right(haystack.expr, func.length(suffix.expr)) == suffix.expr

    def length(self, s: Str) -> Num:
        return Num(func.char_length(s.expr, type_=sa.Integer()), NumClass.INT)

    def indexof(self, haystack: Str, needle: Str) -> Num:
        return Num(func.strpos(haystack.expr, needle.expr, type_=sa.Integer()) - 1, NumClass.INT)

    def _clamp_position(self, n: Num, offset: int) -> SqlExpr:
        if isinstance(n.literal, int):
            return literal(min(max(n.literal, 0), 2**31 - 2) + offset, sa.Integer())
        # substr() takes int4 and rejects a negative length; CASE keeps a null null (greatest()
        # would skip it, where SQLite's max() gives null).
        value = self._numeric(n)
        bounded = case((value < 0, 0), (value > 2**31 - 2, 2**31 - 2), else_=func.floor(value))
        return cast(bounded, sa.Integer()) + offset

    def case_map(self, function: str, s: Str) -> Str:
        name = "lower" if function == "tolower" else "upper"
        return Str(getattr(func, name)(s.expr, type_=sa.Text()))

    def trim(self, s: Str) -> Str:
        return Str(func.btrim(s.expr, type_=sa.Text()))

    def _epoch_micros(self, instant: SqlExpr) -> SqlExpr:
        return sa.extract("epoch", instant) * 1_000_000

    def shift(self, instant: SqlExpr, micros: Num) -> SqlExpr:
        amount = self._numeric(micros)
        target = self._epoch_micros(instant) + amount
        # The planner folds a constant interval even where the guard would skip it: keep it
        # within the interval range (the guard uses the true amount).
        if micros.literal is not None:
            bounded: SqlExpr = literal(float(min(max(micros.literal, -SPAN), SPAN)), sa.Float())
        else:
            bounded = cast(func.least(func.greatest(amount, -SPAN), SPAN), sa.Float())
        moved = instant + bounded * literal_column("INTERVAL '1 microsecond'")
        return case((target.between(MIN_MICROS, MAX_MICROS), moved))

    def difference(self, a: SqlExpr, b: SqlExpr) -> Num:
        expr = (sa.extract("epoch", a) - sa.extract("epoch", b)) * 1_000_000
        return Num(sa.type_coerce(expr, sa.Numeric()), NumClass.NUMERIC)

    def part(self, name: str, value: Instant | Date | TimeOfDay) -> Num:
        expr = value.expr
        if isinstance(value, Instant):  # parts of the UTC time, whatever the session's zone
            expr = func.timezone("UTC", expr)
        if name == "micro":
            return Num(sa.extract("microseconds", expr) % 1_000_000, NumClass.NUMERIC)
        if name == "second":
            return Num(func.floor(sa.extract("second", expr)), NumClass.NUMERIC)
        return Num(sa.extract(name, expr), NumClass.NUMERIC)

    def to_date(self, instant: SqlExpr) -> SqlExpr:
        return cast(func.timezone("UTC", instant), sa.Date())

    def to_time(self, instant: SqlExpr) -> SqlExpr:
        return cast(func.timezone("UTC", instant), sa.Time())

    def date_start(self, day: SqlExpr) -> SqlExpr:
        return func.timezone("UTC", cast(day, sa.DateTime()), type_=UTCDateTime())

    def _path(self, path: tuple[str | int, ...]) -> SqlExpr:
        return literal([str(key) for key in path], ARRAY(sa.Text()))

    def _json(self, j: Json) -> SqlExpr:
        if not j.path:
            return j.doc
        return j.doc.op("#>", return_type=sa.JSON())(self._path(j.path))

    def _text(self, j: Json) -> SqlExpr:
        return j.doc.op("#>>", return_type=sa.Text())(self._path(j.path))

    def json_number(self, j: Json) -> SqlExpr:
        is_number = func.json_typeof(self._json(j)) == "number"
        return case((is_number, cast(self._text(j), sa.Numeric())))

    def json_string(self, j: Json) -> SqlExpr:
        return self._text(j)

    def json_boolean(self, j: Json) -> SqlExpr:
        is_boolean = func.json_typeof(self._json(j)) == "boolean"
        return case((is_boolean, cast(self._text(j), sa.Boolean())))

    def json_is_null(self, j: Json) -> SqlExpr:
        return self._text(j).is_(None)

    def json_object(self, j: Json) -> SqlExpr:
        value = self._json(j)
        return case((func.json_typeof(value) == "object", value))

    def document_text(self, doc: SqlExpr) -> SqlExpr:
        return cast(doc, sa.Text())

    def _geometry(self, g: Geom) -> SqlExpr:
        if not self.postgis:
            raise UnsupportedFilter(
                "spatial functions need PostGIS, which this PostgreSQL database does not have"
            )
        if g.literal is not None:
            flat = Geometry(g.literal.type, g.literal.coordinates)  # planar, SRID dropped
            return func.ST_GeomFromText(literal(flat.wkt, sa.Text()), 4326)
        assert g.doc is not None

        def member(doc: SqlExpr, key: str, op: str) -> SqlExpr:
            return doc.op(op, return_type=sa.JSON() if op == "->" else sa.Text())(
                literal_column(f"'{key}'")
            )

        feature = case(
            (member(g.doc, "type", "->>") == "Feature", member(g.doc, "geometry", "->")),
            else_=g.doc,
        )
        # Anything but a GeoJSON geometry is null, never an error from ST_GeomFromGeoJSON.
        return case(
            (
                member(feature, "type", "->>").in_(GEOMETRY_TYPES),
                func.ST_SetSRID(func.ST_GeomFromGeoJSON(cast(feature, sa.Text())), 4326),
            )
        )

    def geo_distance(self, a: Geom, b: Geom) -> Num:
        expr = func.ST_Distance(self._geometry(a), self._geometry(b), type_=sa.Float())
        return Num(expr, NumClass.FLOAT)

    def geo_length(self, a: Geom) -> Num:
        return Num(func.ST_Length(self._geometry(a), type_=sa.Float()), NumClass.FLOAT)

    def geo_predicate(self, predicate: str, a: Geom, b: Geom) -> SqlExpr:
        function = getattr(func, "ST_" + predicate.capitalize())
        result: SqlExpr = function(self._geometry(a), self._geometry(b), type_=sa.Boolean())
        return result

    def geo_relate(self, a: Geom, b: Geom, pattern: str) -> SqlExpr:
        result: SqlExpr = func.ST_Relate(
            self._geometry(a), self._geometry(b), literal(pattern, sa.Text()), type_=sa.Boolean()
        )
        return result

    def order_string(self, expr: SqlExpr) -> SqlExpr:
        return expr.collate("C")

    def order(self, expr: SqlExpr, *, descending: bool) -> SqlExpr:
        return expr.desc().nulls_last() if descending else expr.asc().nulls_first()
