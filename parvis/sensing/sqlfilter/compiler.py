"""From the parser's AST to typed SQL values, and $filter predicates to WHERE conditions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import ColumnElement, FromClause, and_, not_, or_

from parvis.sensing.mapping import Storage, entity_map
from parvis.sensing.sqlfilter.arithmetic import arithmetic, negate
from parvis.sensing.sqlfilter.coerce import condition
from parvis.sensing.sqlfilter.compare import compare
from parvis.sensing.sqlfilter.functions import call
from parvis.sensing.sqlfilter.scope import JoinScope, RootScope, Scope
from parvis.sensing.sqlfilter.sqlbase import Sql
from parvis.sensing.sqlfilter.values import (
    Bool,
    Duration,
    Geom,
    Instant,
    Interval,
    Json,
    Null,
    Num,
    NumClass,
    Result,
    Str,
    Value,
    boolean,
)
from parvis.sensing.sta.model import PropertyType
from parvis.sensing.sta.query.nodes import (
    Binary,
    BinaryOperator,
    Call,
    Expr,
    Literal,
    LiteralType,
    Path,
    Unary,
    UnaryOperator,
)
from parvis.sensing.sta.query.nodes import Interval as IntervalValue
from parvis.sensing.sta.query.wkt import Geometry


def navigated_paths(expr: Expr) -> Iterator[Path]:
    """The paths of `expr` that walk relations."""
    if isinstance(expr, Path):
        if expr.navigation:
            yield expr
    elif isinstance(expr, Call):
        for arg in expr.args:
            yield from navigated_paths(arg)
    elif isinstance(expr, Unary):
        yield from navigated_paths(expr.operand)
    elif isinstance(expr, Binary):
        yield from navigated_paths(expr.left)
        yield from navigated_paths(expr.right)


def has_null(expr: Expr) -> bool:
    if isinstance(expr, Literal):
        return expr.type is LiteralType.NULL
    if isinstance(expr, Call):
        return any(has_null(arg) for arg in expr.args)
    if isinstance(expr, Unary):
        return has_null(expr.operand)
    if isinstance(expr, Binary):
        return has_null(expr.left) or has_null(expr.right)
    return False


class Compiler:
    def __init__(self, sql: Sql, entity_type: str, table: FromClause) -> None:
        self.sql = sql
        self.entity_type = entity_type
        self.table = table

    # -- $filter -------------------------------------------------------------------------------

    def predicate(self, expr: Expr) -> ColumnElement[bool]:
        """The WHERE condition of a $filter."""
        if isinstance(expr, Binary) and expr.op is BinaryOperator.AND:
            return and_(self.predicate(expr.left), self.predicate(expr.right))
        if isinstance(expr, Binary) and expr.op is BinaryOperator.OR:
            return or_(self.predicate(expr.left), self.predicate(expr.right))
        if isinstance(expr, Unary) and expr.op is UnaryOperator.NOT:
            return not_(self.predicate(expr.operand))
        return self.atom(expr)

    def atom(self, expr: Expr) -> ColumnElement[bool]:
        """A comparison or a boolean function: an EXISTS when its paths walk relations.

        A `null` literal in it (`Datastreams/id eq null`) makes the relations outer-joined, so
        that a missing related entity counts as one whose properties are null (FROST does so).
        """
        paths = list(navigated_paths(expr))
        if not paths:
            return condition(self.sql, self.value(expr, RootScope(self.table)))
        scope = JoinScope(
            self.table,
            self.entity_type,
            [path.navigation for path in paths],
            outer=has_null(expr),
            visible=self.sql.visible,
        )
        return scope.exists(condition(self.sql, self.value(expr, scope)))

    # -- values --------------------------------------------------------------------------------

    def value(self, expr: Expr, scope: Scope) -> Value:
        if isinstance(expr, Literal):
            return self.literal(expr)
        if isinstance(expr, Path):
            return self.path(expr, scope)
        if isinstance(expr, Call):
            return call(self.sql, expr.function, [self.value(arg, scope) for arg in expr.args])
        if isinstance(expr, Unary):
            operand = self.value(expr.operand, scope)
            if expr.op is UnaryOperator.NOT:
                return Bool(not_(condition(self.sql, operand)))
            return negate(self.sql, operand)
        left = self.value(expr.left, scope)
        right = self.value(expr.right, scope)
        if expr.op is BinaryOperator.AND:
            return Bool(and_(condition(self.sql, left), condition(self.sql, right)))
        if expr.op is BinaryOperator.OR:
            return Bool(or_(condition(self.sql, left), condition(self.sql, right)))
        if expr.op.is_comparison:
            return Bool(compare(self.sql, expr.op, left, right))
        return arithmetic(self.sql, expr.op, left, right)

    def literal(self, lit: Literal) -> Value:
        sql, value = self.sql, lit.value
        match lit.type:
            case LiteralType.NULL:
                return Null()
            case LiteralType.BOOLEAN:
                return Bool(boolean(bool(value)))
            case LiteralType.INTEGER | LiteralType.DECIMAL:
                assert isinstance(value, int | Decimal)
                return sql.number(value)
            case LiteralType.STRING:
                assert isinstance(value, str)
                return sql.string(value)
            case LiteralType.DATETIME:
                assert isinstance(value, datetime)
                return sql.instant(value)
            case LiteralType.DATE:
                assert isinstance(value, date)
                return sql.date(value)
            case LiteralType.TIME:
                assert isinstance(value, time)
                return sql.time(value)
            case LiteralType.DURATION:
                assert isinstance(value, timedelta)
                return Duration(sql.number(value // timedelta(microseconds=1)))
            case LiteralType.INTERVAL:
                assert isinstance(value, IntervalValue)
                start, end = sql.instant(value.start).expr, sql.instant(value.end).expr
                return Interval(start, end, (value.start, value.end))
        assert isinstance(value, Geometry)
        return Geom(literal=value)

    def path(self, path: Path, scope: Scope) -> Value:
        owner = path.navigation[-1].target if path.navigation else path.entity_type
        stored = entity_map(owner).properties[path.property.name]

        def col(name: str) -> sa.ColumnElement[object]:
            return scope.column(path.navigation, name)

        match stored.storage:
            case Storage.ID:
                return Num(col(stored.column), NumClass.INT)
            case Storage.INTERVAL | Storage.PHENOMENON:
                return Interval(col(stored.column + "_start"), col(stored.column + "_end"))
            case Storage.RESULT:
                if path.subpath:
                    return Json(col("result_json"), path.subpath)
                return Result(
                    col("result_type"),
                    col("result_number"),
                    col("result_string"),
                    col("result_boolean"),
                    col("result_json"),
                )
        column = col(stored.column)
        kind = path.property.type
        if kind is PropertyType.STRING:
            return Str(column)
        if kind is PropertyType.INSTANT:
            return Instant(column)
        if kind is PropertyType.GEOMETRY and not path.subpath:
            return Geom(doc=column)
        return Json(column, path.subpath)
