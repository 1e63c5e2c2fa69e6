"""The typed AST of $filter / $orderby expressions, and its canonical printer.

Every node is a frozen dataclass. `position` (0-based offset of the node's first character in the
parsed text) serves error messages only: it is left out of equality, so that an AST printed with
`format_expr` and parsed again compares equal to the original.

Paths are resolved against the data model while parsing: a `Path` holds the model's
`NavigationProperty` objects it walks through and the `Property` it ends on, so that the SQL
layer needs no second look-up.
"""

from __future__ import annotations

import builtins
import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from parvis.sensing.sta.model import NavigationProperty, Property
from parvis.sensing.sta.query.wkt import Geometry


class LiteralType(enum.Enum):
    """The type of a literal, as written (OData primitive types used by STA)."""

    NULL = "null"
    BOOLEAN = "boolean"  # value: bool
    INTEGER = "integer"  # value: int, within the signed 64-bit range
    DECIMAL = "decimal"  # value: Decimal (1.5, 1e3, and integers beyond 64 bits)
    STRING = "string"  # value: str, quotes removed and '' unescaped
    DATETIME = "datetime"  # value: aware datetime, converted to UTC
    DATE = "date"  # value: date
    TIME = "time"  # value: time (time of day, naive)
    DURATION = "duration"  # value: timedelta (duration'P1DT2H')
    INTERVAL = "interval"  # value: Interval (start/end, start/duration, duration/end)
    GEOGRAPHY = "geography"  # value: Geometry (geography'POINT(1 2)')
    GEOMETRY = "geometry"  # value: Geometry (geometry'POINT(1 2)')


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed-open time interval [start, end) with UTC-aware ends (TM_Period)."""

    start: datetime
    end: datetime


LiteralValue = (
    None | bool | int | Decimal | str | datetime | date | time | timedelta | Interval | Geometry
)


@dataclass(frozen=True, slots=True)
class Literal:
    type: LiteralType
    value: LiteralValue
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True, slots=True)
class Path:
    """`Nav1/Nav2/property/key/[index]`, resolved from the entity type `entity_type`.

    `navigation` lists the relations walked (possibly none), `property` is where the path
    lands, `subpath` addresses inside a JSON property (`properties/owner` -> ("owner",),
    `result[2]` -> (2,)). A path through a to-many relation (`many`) has "any" semantics in
    $filter: `Datastreams/name eq 'x'` on Things matches Things having such a Datastream.
    """

    entity_type: str
    navigation: tuple[NavigationProperty, ...]
    property: Property
    subpath: tuple[str | int, ...] = ()
    position: int = field(default=-1, compare=False)

    @builtins.property
    def many(self) -> bool:
        return any(nav.many for nav in self.navigation)


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; `function` is the canonical lower-case name (`geo.distance`)."""

    function: str
    args: tuple[Expr, ...]
    position: int = field(default=-1, compare=False)


class UnaryOperator(enum.Enum):
    NOT = "not"
    NEG = "-"


class BinaryOperator(enum.Enum):
    OR = "or"
    AND = "and"
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
    ADD = "add"
    SUB = "sub"
    MUL = "mul"
    DIV = "div"
    MOD = "mod"

    @property
    def precedence(self) -> int:
        return PRECEDENCE[self]

    @property
    def is_logical(self) -> bool:
        return self in (BinaryOperator.AND, BinaryOperator.OR)

    @property
    def is_comparison(self) -> bool:
        return PRECEDENCE[self] in (EQUALITY, RELATIONAL)

    @property
    def is_arithmetic(self) -> bool:
        return PRECEDENCE[self] in (ADDITIVE, MULTIPLICATIVE)


@dataclass(frozen=True, slots=True)
class Unary:
    op: UnaryOperator
    operand: Expr
    position: int = field(default=-1, compare=False)


@dataclass(frozen=True, slots=True)
class Binary:
    op: BinaryOperator
    left: Expr
    right: Expr
    position: int = field(default=-1, compare=False)


Expr = Literal | Path | Call | Unary | Binary

# OData 4.0 URL conventions §5.1.1.9, lowest first. One deliberate difference: `not` takes a
# whole comparison (`not a eq b` = `not (a eq b)`), as in SQL and FROST-Server, instead of a
# primary expression. For boolean operands both readings agree; for others OData's is a type
# error, so this is strictly more permissive (and FROST's precedence tests need it).
OR_: Final = 10
AND_: Final = 20
NOT_: Final = 25
EQUALITY: Final = 30
RELATIONAL: Final = 40
ADDITIVE: Final = 50
MULTIPLICATIVE: Final = 60
NEGATION: Final = 70
PRIMARY: Final = 100

PRECEDENCE: Final = {
    BinaryOperator.OR: OR_,
    BinaryOperator.AND: AND_,
    BinaryOperator.EQ: EQUALITY,
    BinaryOperator.NE: EQUALITY,
    BinaryOperator.GT: RELATIONAL,
    BinaryOperator.GE: RELATIONAL,
    BinaryOperator.LT: RELATIONAL,
    BinaryOperator.LE: RELATIONAL,
    BinaryOperator.ADD: ADDITIVE,
    BinaryOperator.SUB: ADDITIVE,
    BinaryOperator.MUL: MULTIPLICATIVE,
    BinaryOperator.DIV: MULTIPLICATIVE,
    BinaryOperator.MOD: MULTIPLICATIVE,
}


# -- canonical printing ------------------------------------------------------------------------


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return expr.op.precedence
    if isinstance(expr, Unary):
        return NOT_ if expr.op is UnaryOperator.NOT else NEGATION
    return PRIMARY


def format_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, microseconds only when non-zero."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def _format_time(value: time) -> str:
    text = value.strftime("%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text


def format_duration(value: timedelta) -> str:
    """OData edm:Duration: [-]P[nD][T[nH][nM][n[.f]S]]."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}P"
    if value.days:
        text += f"{value.days}D"
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or value.microseconds or (not value.days and not clock):
        frac = f".{value.microseconds:06d}".rstrip("0") if value.microseconds else ""
        clock += f"{seconds}{frac}S"
    return text + ("T" + clock if clock else "")


def _format_decimal(value: Decimal) -> str:
    text = str(value)
    # An integral Decimal printed bare would read back as an INTEGER when it fits 64 bits.
    if not any(c in text for c in ".eE") and -(2**63) <= int(value) < 2**63:
        text += ".0"
    return text


def format_literal(lit: Literal) -> str:
    """The literal as it must be written in a $filter."""
    value = lit.value
    kind = lit.type
    if kind is LiteralType.NULL:
        return "null"
    if kind is LiteralType.BOOLEAN:
        return "true" if value else "false"
    if kind is LiteralType.INTEGER:
        assert isinstance(value, int)
        return str(value)
    if kind is LiteralType.DECIMAL:
        assert isinstance(value, Decimal)
        return _format_decimal(value)
    if kind is LiteralType.STRING:
        assert isinstance(value, str)
        return "'" + value.replace("'", "''") + "'"
    if kind is LiteralType.DATETIME:
        assert isinstance(value, datetime)
        return format_datetime(value)
    if kind is LiteralType.DATE:
        assert isinstance(value, date)
        return value.isoformat()
    if kind is LiteralType.TIME:
        assert isinstance(value, time)
        return _format_time(value)
    if kind is LiteralType.DURATION:
        assert isinstance(value, timedelta)
        return f"duration'{format_duration(value)}'"
    if kind is LiteralType.INTERVAL:
        assert isinstance(value, Interval)
        return f"{format_datetime(value.start)}/{format_datetime(value.end)}"
    assert isinstance(value, Geometry)
    return f"{kind.value}'{value.wkt}'"


def format_path(path: Path) -> str:
    text = "/".join([*(nav.name for nav in path.navigation), path.property.name])
    for key in path.subpath:
        text += f"[{key}]" if isinstance(key, int) else f"/{key}"
    return text


def format_expr(expr: Expr) -> str:
    """Canonical $filter text: lower-case keywords, single spaces, minimal parentheses.

    `parse_filter(format_expr(e), ...) == e` for every AST the parser produces.
    """
    if isinstance(expr, Literal):
        return format_literal(expr)
    if isinstance(expr, Path):
        return format_path(expr)
    if isinstance(expr, Call):
        return f"{expr.function}({', '.join(format_expr(a) for a in expr.args)})"
    if isinstance(expr, Unary):
        operand = format_expr(expr.operand)
        if expr.op is UnaryOperator.NOT:
            # `not` takes a comparison: anything looser (and, or) needs parentheses.
            if _precedence(expr.operand) < EQUALITY:
                operand = f"({operand})"
            return f"not {operand}"
        # `-1` would read back as a negative literal, `--x` is unclear: only atoms go bare.
        if not isinstance(expr.operand, Path | Call):
            operand = f"({operand})"
        return f"-{operand}"
    prec = expr.op.precedence
    left = format_expr(expr.left)
    right = format_expr(expr.right)
    if _precedence(expr.left) < prec:
        left = f"({left})"
    # Operators are left-associative: an equal-precedence right operand needs parentheses.
    if _precedence(expr.right) <= prec:
        right = f"({right})"
    return f"{left} {expr.op.value} {right}"
