"""Shared by the STA parser tests: a structural printer for ASTs."""

from __future__ import annotations

from parvis.sensing.sta.query import (
    Binary,
    Call,
    Expr,
    Literal,
    Path,
    Unary,
    UnaryOperator,
    parse_filter,
)
from parvis.sensing.sta.query.nodes import format_literal, format_path


def sexpr(expr: Expr) -> str:
    """Fully parenthesised prefix form: `(add a (mul b c))`, so that structure is explicit."""
    if isinstance(expr, Literal):
        return format_literal(expr)
    if isinstance(expr, Path):
        return format_path(expr)
    if isinstance(expr, Call):
        return "(" + " ".join([expr.function, *(sexpr(a) for a in expr.args)]) + ")"
    if isinstance(expr, Unary):
        op = "not" if expr.op is UnaryOperator.NOT else "neg"
        return f"({op} {sexpr(expr.operand)})"
    assert isinstance(expr, Binary)
    return f"({expr.op.value} {sexpr(expr.left)} {sexpr(expr.right)})"


def tree(text: str, entity_type: str = "Observations") -> str:
    """sexpr of a parsed filter."""
    return sexpr(parse_filter(text, entity_type))
