"""add, sub, mul, div, mod and negation: on numbers, and on times with durations.

`div` always divides exactly (floating point), as FROST-Server's precedence tests need. Times
follow FROST too: an interval moved by a duration moves both its ends; the difference of two
times (intervals through their start) is a duration.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from parvis.sensing.sqlfilter.coerce import as_num
from parvis.sensing.sqlfilter.errors import type_error
from parvis.sensing.sqlfilter.sqlbase import Sql
from parvis.sensing.sqlfilter.values import (
    Date,
    Duration,
    Instant,
    Interval,
    Null,
    Num,
    SqlExpr,
    Value,
    kind_name,
)
from parvis.sensing.sta.query.nodes import BinaryOperator

ADD, SUB = BinaryOperator.ADD, BinaryOperator.SUB


def _start(sql: Sql, value: Instant | Interval | Date) -> SqlExpr:
    if isinstance(value, Interval):
        return value.start
    if isinstance(value, Date):
        return sql.date_start(value.expr)
    return value.expr


def _moved(value: datetime, micros: int | Decimal) -> datetime | None:
    try:
        return value + timedelta(microseconds=int(micros))
    except OverflowError:
        return None


def _shift(sql: Sql, value: Instant | Interval | Date, micros: Num) -> Value:
    # Literals are moved here: out of range gives null, as the SQL does (see Sql.shift).
    if micros.literal is not None and isinstance(value, Instant) and value.literal is not None:
        moved = _moved(value.literal, micros.literal)
        return Null() if moved is None else sql.instant(moved)
    if micros.literal is not None and isinstance(value, Interval) and value.literal is not None:
        start, end = (_moved(end, micros.literal) for end in value.literal)
        if start is None or end is None:
            return Null()
        return Interval(sql.instant(start).expr, sql.instant(end).expr, (start, end))
    if isinstance(value, Interval):
        return Interval(sql.shift(value.start, micros), sql.shift(value.end, micros))
    return Instant(sql.shift(_start(sql, value), micros))


def _minus(sql: Sql, micros: Num) -> Num:
    return sql.negate(micros) if micros.literal is None else sql.number(-micros.literal)


def arithmetic(sql: Sql, op: BinaryOperator, a: Value, b: Value) -> Value:
    if isinstance(a, Null) or isinstance(b, Null):
        return Null()
    times = (Instant, Interval, Date)
    if op in (ADD, SUB):
        if isinstance(a, times) and isinstance(b, Duration):
            micros = b.micros if op is ADD else _minus(sql, b.micros)
            return _shift(sql, a, micros)
        if op is ADD and isinstance(a, Duration) and isinstance(b, times):
            return _shift(sql, b, a.micros)
        if op is SUB and isinstance(a, times) and isinstance(b, times):
            return Duration(sql.difference(_start(sql, a), _start(sql, b)))
        if isinstance(a, Duration) and isinstance(b, Duration):
            return Duration(sql.arithmetic(op, a.micros, b.micros))
    if isinstance(a, Duration) and op in (BinaryOperator.MUL, BinaryOperator.DIV):
        factor = as_num(sql, b)
        if factor is not None:
            return Duration(sql.arithmetic(op, a.micros, factor))
    left, right = as_num(sql, a), as_num(sql, b)
    if left is None or right is None:
        raise type_error(f"{op.value} cannot combine {kind_name(a)} and {kind_name(b)}")
    return sql.arithmetic(op, left, right)


def negate(sql: Sql, value: Value) -> Value:
    if isinstance(value, Null):
        return value
    if isinstance(value, Duration):
        return Duration(sql.negate(value.micros))
    number = as_num(sql, value)
    if number is None:
        raise type_error(f"'-' needs a number or a duration, not {kind_name(value)}")
    return sql.negate(number)
