"""Comparison operators, and the relations between instants and intervals.

Comparisons follow SQL: with a null operand they are never true, except `eq null` and `ne null`
which test for null. Times follow FROST-Server (its DateTimeTests are the reference): an
interval is less than an instant when it ends at or before it, greater when it starts after it,
equal when both its ends are the instant; `ne` is the negation of `eq`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import sqlalchemy as sa
from sqlalchemy import and_, case, not_, or_

from parvis.sensing.sqlfilter.coerce import as_bool, as_num, as_str, is_null, need_time
from parvis.sensing.sqlfilter.errors import type_error
from parvis.sensing.sqlfilter.sqlbase import CMP, Sql
from parvis.sensing.sqlfilter.values import (
    Bool,
    Date,
    Duration,
    Instant,
    Interval,
    Json,
    Null,
    Num,
    Result,
    SqlExpr,
    Str,
    TimeOfDay,
    Value,
    boolean,
    kind_name,
)
from parvis.sensing.sta.query.nodes import BinaryOperator

# Comparison operators as relation codes; the time functions use the letters (FROST's codes).
OPERATOR_RELATIONS: Final = {
    BinaryOperator.EQ: "eq",
    BinaryOperator.NE: "ne",
    BinaryOperator.GT: "gt",
    BinaryOperator.GE: "ge",
    BinaryOperator.LT: "lt",
    BinaryOperator.LE: "le",
}
FUNCTION_RELATIONS: Final = {
    "before": "before",
    "after": "after",
    "meets": "meets",
    "overlaps": "overlaps",
    "starts": "starts",
    "finishes": "finishes",
}

_Rel = Callable[[SqlExpr, SqlExpr, SqlExpr, SqlExpr], SqlExpr]

# relation(start1, end1, start2, end2) for an interval compared with an interval; an instant
# t is the interval [t, t] except where FROST's instant tables differ (see _instant_*).
_INTERVALS: Final[dict[str, _Rel]] = {
    "eq": lambda s1, e1, s2, e2: and_(s1 == s2, e1 == e2),
    "ne": lambda s1, e1, s2, e2: or_(s1 != s2, e1 != e2),
    "gt": lambda s1, e1, s2, e2: and_(s1 >= e2, s1 > s2),
    "ge": lambda s1, e1, s2, e2: and_(s1 >= s2, e1 >= e2),
    "lt": lambda s1, e1, s2, e2: and_(e1 <= s2, s1 < s2),
    "le": lambda s1, e1, s2, e2: and_(s1 <= s2, e1 <= e2),
    "after": lambda s1, e1, s2, e2: and_(s1 >= e2, s1 > s2),
    "before": lambda s1, e1, s2, e2: and_(e1 <= s2, s1 < s2),
    "contains": lambda s1, e1, s2, e2: and_(s1 <= s2, e1 > s2, e1 >= e2),
    "meets": lambda s1, e1, s2, e2: or_(s1 == e2, e1 == s2),
    "overlaps": lambda s1, e1, s2, e2: or_(and_(s1 < e2, s2 < e1), s1 == s2),
    "starts": lambda s1, e1, s2, e2: s1 == s2,
    "finishes": lambda s1, e1, s2, e2: e1 == e2,
}
# An instant t compared with an interval [s, e].
_INSTANT_INTERVAL: Final[dict[str, Callable[[SqlExpr, SqlExpr, SqlExpr], SqlExpr]]] = {
    "eq": lambda t, s, e: and_(t == s, t == e),
    "ne": lambda t, s, e: or_(t != s, t != e),
    "gt": lambda t, s, e: and_(t >= e, t > s),
    "ge": lambda t, s, e: t >= e,
    "lt": lambda t, s, e: t < s,
    "le": lambda t, s, e: t <= s,
    "after": lambda t, s, e: and_(t >= e, t > s),
    "before": lambda t, s, e: t < s,
    "meets": lambda t, s, e: or_(t == s, t == e),
    "overlaps": lambda t, s, e: or_(t == s, and_(s <= t, e > t)),
    "starts": lambda t, s, e: t == s,
    "finishes": lambda t, s, e: t == e,
}
# An interval [s, e] compared with an instant t.
_INTERVAL_INSTANT: Final[dict[str, Callable[[SqlExpr, SqlExpr, SqlExpr], SqlExpr]]] = {
    "eq": lambda s, e, t: and_(s == t, e == t),
    "ne": lambda s, e, t: or_(s != t, e != t),
    "gt": lambda s, e, t: s > t,
    "ge": lambda s, e, t: s >= t,
    "lt": lambda s, e, t: and_(e <= t, s < t),
    "le": lambda s, e, t: e <= t,
    "after": lambda s, e, t: s > t,
    "before": lambda s, e, t: and_(e <= t, s < t),
    "contains": lambda s, e, t: and_(s <= t, e > t),
    "meets": lambda s, e, t: or_(s == t, e == t),
    "overlaps": lambda s, e, t: or_(s == t, and_(s <= t, e > t)),
    "starts": lambda s, e, t: s == t,
    "finishes": lambda s, e, t: e == t,
}
# Two instants.
_INSTANTS: Final[dict[str, Callable[[SqlExpr, SqlExpr], SqlExpr]]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "after": lambda a, b: a > b,
    "before": lambda a, b: a < b,
    "meets": lambda a, b: a == b,
    "overlaps": lambda a, b: a == b,
    "starts": lambda a, b: a == b,
    "finishes": lambda a, b: a == b,
}


def time_relation(sql: Sql, relation: str, a: Value, b: Value, what: str) -> SqlExpr:
    """`relation` between two times (instants or intervals; dates are their midnight UTC)."""
    first = need_time(sql, a, what)
    second = need_time(sql, b, what)
    if isinstance(first, Instant):
        if relation == "contains":
            raise type_error(f"{what}: the container must be a time interval, not a date-time")
        if isinstance(second, Instant):
            return _INSTANTS[relation](first.expr, second.expr)
        return _INSTANT_INTERVAL[relation](first.expr, second.start, second.end)
    if isinstance(second, Instant):
        return _INTERVAL_INSTANT[relation](first.start, first.end, second.expr)
    return _INTERVALS[relation](first.start, first.end, second.start, second.end)


def _dynamic(sql: Sql, op: BinaryOperator, a: Value, b: Value) -> SqlExpr:
    """Two untyped values (JSON, results): as numbers when both are, else as strings."""
    na, nb = as_num(sql, a), as_num(sql, b)
    sa_, sb = as_str(sql, a), as_str(sql, b)
    assert na is not None and nb is not None and sa_ is not None and sb is not None
    both_numbers = and_(na.expr.is_not(None), nb.expr.is_not(None))
    return sa.type_coerce(
        case(
            (both_numbers, sql.compare_numbers(op, na, nb)),
            else_=sql.compare_strings(op, sa_.expr, sb.expr),
        ),
        sa.Boolean(),
    )


def _untyped(sql: Sql, op: BinaryOperator, dyn: Value, other: Value, flipped: bool) -> SqlExpr:
    """An untyped value against a typed one: looked at as the other's type."""
    if isinstance(other, Num):
        num = as_num(sql, dyn)
        assert num is not None
        pair = (other, num) if flipped else (num, other)
        return sql.compare_numbers(op, *pair)
    if isinstance(other, Str):
        text = as_str(sql, dyn)
        assert text is not None
        a, b = (other.expr, text.expr) if flipped else (text.expr, other.expr)
        return sql.compare_strings(op, a, b)
    if isinstance(other, Bool):
        flag = as_bool(sql, dyn)
        assert flag is not None
        a, b = (other.expr, flag) if flipped else (flag, other.expr)
        return CMP[op](a, b)
    raise type_error(
        f"{op.value} cannot compare {kind_name(dyn)} with {kind_name(other)}; compare it with "
        "a number, a string or a boolean"
    )


_TIMES: Final = (Instant, Interval)


def compare(sql: Sql, op: BinaryOperator, a: Value, b: Value) -> SqlExpr:
    if isinstance(a, Null) or isinstance(b, Null):
        other = b if isinstance(a, Null) else a
        if op is BinaryOperator.EQ:
            return is_null(sql, other)
        if op is BinaryOperator.NE:
            return not_(is_null(sql, other))
        return boolean(False)  # SQL: an order comparison with null is never true
    dynamic = (Json, Result)
    if isinstance(a, dynamic) and isinstance(b, dynamic):
        return _dynamic(sql, op, a, b)
    if isinstance(a, dynamic):
        return _untyped(sql, op, a, b, flipped=False)
    if isinstance(b, dynamic):
        return _untyped(sql, op, b, a, flipped=True)
    if isinstance(a, Num) and isinstance(b, Num):
        return sql.compare_numbers(op, a, b)
    if isinstance(a, Str | Num) and isinstance(b, Str | Num):
        # '5' against an id: compare the number's text.
        left = a.expr if isinstance(a, Str) else sql.number_text(a)
        right = b.expr if isinstance(b, Str) else sql.number_text(b)
        return sql.compare_strings(op, left, right)
    if isinstance(a, Bool) and isinstance(b, Bool):
        return CMP[op](a.expr, b.expr)
    if isinstance(a, Duration) and isinstance(b, Duration):
        return sql.compare_numbers(op, a.micros, b.micros)
    if isinstance(a, _TIMES) and isinstance(b, _TIMES):
        return time_relation(sql, OPERATOR_RELATIONS[op], a, b, op.value)
    # A date or a time of day against an instant compares the instant's UTC date or time.
    if isinstance(a, Date) and isinstance(b, Date | Instant):
        right = b.expr if isinstance(b, Date) else sql.to_date(b.expr)
        return CMP[op](a.expr, right)
    if isinstance(a, Instant) and isinstance(b, Date):
        return CMP[op](sql.to_date(a.expr), b.expr)
    if isinstance(a, TimeOfDay) and isinstance(b, TimeOfDay | Instant):
        right = b.expr if isinstance(b, TimeOfDay) else sql.to_time(b.expr)
        return CMP[op](a.expr, right)
    if isinstance(a, Instant) and isinstance(b, TimeOfDay):
        return CMP[op](sql.to_time(a.expr), b.expr)
    raise type_error(f"{op.value} cannot compare {kind_name(a)} with {kind_name(b)}")
