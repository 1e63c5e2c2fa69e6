"""$orderby items to ORDER BY expressions, the same order on both databases.

Ascending puts nulls first and descending last; strings go by code point (Java's
String.compareTo, which the official tests use); JSON documents and GeoJSON by their text; a
time interval by its start, then its end; an untyped value (a result, a JSON member) by its
number, then its text, so that numbers sort numerically after the non-numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import FromClause

from parvis.sensing.sqlfilter.coerce import result_string
from parvis.sensing.sqlfilter.compiler import Compiler
from parvis.sensing.sqlfilter.scope import ScalarScope
from parvis.sensing.sqlfilter.sqlbase import Sql
from parvis.sensing.sqlfilter.values import (
    Bool,
    Date,
    Duration,
    Geom,
    Instant,
    Interval,
    Json,
    Num,
    Result,
    SqlExpr,
    Str,
    TimeOfDay,
    Value,
)
from parvis.sensing.sta.query.filter import OrderBy


def order_keys(sql: Sql, value: Value) -> list[SqlExpr]:
    """What to sort on, in order; constants (literals, null) sort nothing."""
    if isinstance(value, Num):
        return [] if value.literal is not None else [value.expr]
    if isinstance(value, Str):
        return [] if value.literal is not None else [sql.order_string(value.expr)]
    if isinstance(value, Bool | Instant | Date | TimeOfDay):
        return [value.expr]
    if isinstance(value, Interval):
        return [value.start, value.end]
    if isinstance(value, Duration):
        return order_keys(sql, value.micros)
    if isinstance(value, Geom):
        return [] if value.doc is None else [sql.order_string(sql.document_text(value.doc))]
    if isinstance(value, Json):
        if not value.path:
            return [sql.order_string(sql.document_text(value.doc))]
        return [sql.json_number(value), sql.order_string(sql.json_string(value))]
    if isinstance(value, Result):
        return [value.number, sql.order_string(result_string(value))]
    return []  # Null


def order_by(
    sql: Sql, orderby: Sequence[OrderBy], entity_type: str, table: FromClause
) -> list[SqlExpr]:
    compiler = Compiler(sql, entity_type, table)
    scope = ScalarScope(table)  # $orderby paths only walk to-one relations
    clauses: list[SqlExpr] = []
    for item in orderby:
        for key in order_keys(sql, compiler.value(item.expr, scope)):
            clauses.append(sql.order(key, descending=item.descending))
    return clauses
