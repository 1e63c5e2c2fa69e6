"""$filter (and $orderby expressions): a tokenizer and a precedence-climbing (Pratt) parser.

The grammar is OData 4.0's common expression as used by 18-088 §9.3.3.5: literals, property paths
through relations, the operators of Table 22 and the functions of Table 23 (see `functions`).
The parser checks argument counts and, where the kinds are known statically, argument kinds; it
resolves every path against the data model of the entity type being filtered.

Lenient where clients are known to differ (each documented in docs/sensing-sta-query.md):
keywords and function names in any case; `+hh:mm` offsets whose `+` a form decoder turned into a
space (`2015-10-14T21:30:00 01:00`); `not` over a whole comparison (see nodes.PRECEDENCE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Final, NoReturn

from parvis.sensing.sta.model import DataModel, EntityType, PropertyType, model_for
from parvis.sensing.sta.query.context import Context, resolve_value_path, split_path, suggest
from parvis.sensing.sta.query.functions import DE9IM_CHARS, FUNCTIONS, Kind, accepts
from parvis.sensing.sta.query.nodes import (
    EQUALITY,
    NEGATION,
    PRECEDENCE,
    Binary,
    BinaryOperator,
    Call,
    Expr,
    Interval,
    Literal,
    LiteralType,
    Path,
    Unary,
    UnaryOperator,
)
from parvis.sensing.sta.query.wkt import WktError, parse_wkt

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
# Nesting limit of parentheses, function calls and prefix operators: deep enough for any real
# query, and far below Python's recursion limit (a RecursionError would be a 500).
MAX_DEPTH: Final = 100

# -- tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "number", "literal", "word", "(", ")", ",", "-", "end"
    text: str
    pos: int
    literal: Literal | None = None

    def describe(self) -> str:
        if self.kind == "end":
            return "the end of the expression"
        text = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return f"'{text}'" if self.kind != "literal" or not text.startswith("'") else text


_SPACE: Final = " \t\r\n"
# A path: names (Unicode letters allowed, as in OData identifiers and JSON keys such as
# `properties/propriétaire`), '/'-separated, each optionally followed by `[index]`s.
_WORD: Final = re.compile(
    r"(?:[^\W\d]|@)[\w.@\-]*(?:\[-?[0-9]+\])*(?:/[\w.@\-]+(?:\[-?[0-9]+\])*)*"
)
# Numbers and times are ASCII only (re.ASCII): `\d` would also match other scripts' digits.
_NUMBER: Final = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", re.ASCII)
_DATETIME: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(?:(Z|z)|([+-])(\d{2})(?::?(\d{2}))?)?",
    re.ASCII,
)
# A `+hh:mm` offset whose `+` became a space when the query was form-decoded.
_DECODED_PLUS_OFFSET: Final = re.compile(r" (\d{2}):?(\d{2})(?![\w:.])", re.ASCII)
_DATE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\dT])", re.ASCII)
_TIME: Final = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?", re.ASCII)
_DURATION: Final = re.compile(
    r"([-+])?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?",
    re.ASCII,
)
_DIGITS: Final = frozenset("0123456789")
# `Locations/any(l:` — the start of an OData lambda, up to its ':'.
_LAMBDA: Final = re.compile(r"/(?:any|all)\(\s*\w+\s*$")
_TYPED_PREFIXES: Final = {
    "geography": LiteralType.GEOGRAPHY,
    "geometry": LiteralType.GEOMETRY,
    "duration": LiteralType.DURATION,
}

_BINARY_WORDS: Final = {op.value: op for op in BinaryOperator}
_KEYWORDS: Final = frozenset({*_BINARY_WORDS, "not", "true", "false", "null", "asc", "desc"})


class _Lexer:
    def __init__(self, text: str, ctx: Context) -> None:
        self.text = text
        self.ctx = ctx

    def tokens(self) -> list[Token]:
        text = self.text
        out: list[Token] = []
        pos = 0
        while True:
            while pos < len(text) and text[pos] in _SPACE:
                pos += 1
            if pos >= len(text):
                out.append(Token("end", "", pos))
                return out
            token = self.token(pos)
            out.append(token)
            pos = token.pos + len(token.text)

    def token(self, pos: int) -> Token:
        text = self.text
        c = text[pos]
        if c in "(),-":
            return Token(c, c, pos)
        if c == "'":
            return self.string(pos)
        if c in _DIGITS:
            return self.digits(pos)
        if c.isalpha() or c in "_@":
            if c == "P":
                interval = self.duration_interval(pos)
                if interval is not None:
                    return interval
            return self.word(pos)
        if c == '"':
            self.ctx.fail("strings are written in single quotes ('...')", pos, "'\"'")
        if c in "\u2018\u2019\u201c\u201d":
            self.ctx.fail("typographic quote: write strings in ASCII single quotes ('...')", pos)
        if c == ":" and _LAMBDA.search(text, 0, pos):
            self.ctx.fail("lambda operators (any, all) are not supported", pos, "':'")
        self.ctx.fail("unexpected character", pos, repr(c))

    def string(self, pos: int) -> Token:
        text = self.text
        i = pos + 1
        chars: list[str] = []
        while True:
            end = text.find("'", i)
            if end < 0:
                self.ctx.fail("unterminated string starting", pos)
            chars.append(text[i:end])
            if end + 1 < len(text) and text[end + 1] == "'":
                chars.append("'")  # '' is an escaped quote
                i = end + 2
                continue
            raw = text[pos : end + 1]
            return Token("literal", raw, pos, Literal(LiteralType.STRING, "".join(chars), pos))

    def word(self, pos: int) -> Token:
        text = self.text
        m = _WORD.match(text, pos)
        if m is None:  # not expected after a letter, '_' or '@'; never let it be a 500
            self.ctx.fail("unexpected character", pos, repr(text[pos]))
        end = m.end()
        if end < len(text) and text[end] == "/":
            found = repr(text[end + 1]) if end + 1 < len(text) else "the end of the expression"
            self.ctx.fail("expected a property name after '/'", end + 1, found)
        if end < len(text) and text[end] == "'":
            return self.typed(pos, m.group(), end)
        return Token("word", m.group(), pos)

    def typed(self, pos: int, prefix: str, quote: int) -> Token:
        kind = _TYPED_PREFIXES.get(prefix.lower())
        if kind is None:
            hint = ""
            if prefix.lower() in ("datetime", "datetimeoffset", "date", "time"):
                hint = "; write date-times unquoted, e.g. 2015-01-01T00:00:00Z"
            self.ctx.fail(
                f"unknown literal prefix {prefix}'...' (known: geography, geometry, "
                f"duration){hint}",
                pos,
            )
        end = self.text.find("'", quote + 1)
        if end < 0:
            self.ctx.fail(f"unterminated {prefix.lower()} literal starting", pos)
        body = self.text[quote + 1 : end]
        raw = self.text[pos : end + 1]
        if kind is LiteralType.DURATION:
            value = self.lex_duration(body, quote + 1, whole=True)
            return Token("literal", raw, pos, Literal(kind, value, pos))
        try:
            geometry = parse_wkt(body)
        except WktError as e:
            self.ctx.fail(
                f"invalid WKT in {prefix.lower()} literal: {e.message}", quote + 1 + e.position
            )
        return Token("literal", raw, pos, Literal(kind, geometry, pos))

    # -- numbers and temporal values --

    def digits(self, pos: int) -> Token:
        text = self.text
        m = _DATETIME.match(text, pos)
        if m is not None:
            start, end = self.lex_datetime(m)
            if end < len(text) and text[end] == "/":
                return self.interval(pos, start, end + 1)
            return Token("literal", text[pos:end], pos, Literal(LiteralType.DATETIME, start, pos))
        m = _DATE.match(text, pos)
        if m is not None:
            try:
                day = date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError as e:
                self.ctx.fail(f"invalid date {m.group()} ({e})", pos)
            return Token("literal", m.group(), pos, Literal(LiteralType.DATE, day, pos))
        m = _TIME.match(text, pos)
        if m is not None:
            micro = self.micros(m[4], pos)
            try:
                tod = time(int(m[1]), int(m[2]), int(m[3] or 0), micro)
            except ValueError as e:
                self.ctx.fail(f"invalid time of day {m.group()} ({e})", pos)
            return Token("literal", m.group(), pos, Literal(LiteralType.TIME, tod, pos))
        m = _NUMBER.match(text, pos)
        assert m is not None  # text[pos] is a digit
        return Token("number", m.group(), pos)

    def micros(self, fraction: str | None, pos: int) -> int:
        if not fraction:
            return 0
        if len(fraction) > 6 and fraction[6:].strip("0"):
            self.ctx.fail("fractional seconds finer than microseconds are not supported", pos)
        return int((fraction + "000000")[:6])

    def lex_datetime(self, m: re.Match[str]) -> tuple[datetime, int]:
        """The UTC date-time matched by _DATETIME, and where its text ends."""
        pos = m.start()
        end = m.end()
        if m[8]:
            offset = timedelta(0)
        elif m[9]:
            offset = timedelta(hours=int(m[10]), minutes=int(m[11] or 0))
            if m[9] == "-":
                offset = -offset
        else:
            plus = _DECODED_PLUS_OFFSET.match(self.text, end)
            if plus is None:
                self.ctx.fail(
                    f"date-time {m.group()} needs a time zone (Z or +hh:mm / -hh:mm)", pos
                )
            offset = timedelta(hours=int(plus[1]), minutes=int(plus[2]))
            end = plus.end()
        if offset >= timedelta(hours=24) or int(m[11] or 0) >= 60:
            self.ctx.fail(f"invalid time zone offset in {self.text[pos:end]}", pos)
        micros = self.micros(m[7], pos)  # outside the try: QueryError is a ValueError
        try:
            value = datetime(
                int(m[1]),
                int(m[2]),
                int(m[3]),
                int(m[4]),
                int(m[5]),
                int(m[6] or 0),
                micros,
                tzinfo=timezone(offset),
            ).astimezone(UTC)
        except (ValueError, OverflowError) as e:
            self.ctx.fail(f"invalid date-time {self.text[pos:end]} ({e})", pos)
        return value, end

    def lex_duration(self, body: str, pos: int, *, whole: bool) -> timedelta:
        m = _DURATION.match(body)
        if m is None or m.group() in ("P", "-P", "+P") or m.group().endswith("T"):
            self.ctx.fail(f"invalid ISO 8601 duration {body!r}", pos)
        if whole and m.end() != len(body):
            self.ctx.fail(f"invalid ISO 8601 duration {body!r}", pos)
        if m[2] or m[3]:
            self.ctx.fail("durations in years or months have no fixed length; use days (P30D)", pos)
        value = timedelta(
            weeks=int(m[4] or 0),
            days=int(m[5] or 0),
            hours=int(m[6] or 0),
            minutes=int(m[7] or 0),
            seconds=int(m[8] or 0),
            microseconds=self.micros(m[9], pos),
        )
        return -value if m[1] == "-" else value

    def interval(self, pos: int, start: datetime, second: int) -> Token:
        text = self.text
        m = _DATETIME.match(text, second)
        if m is not None:
            end_value, end = self.lex_datetime(m)
        else:
            d = _DURATION.match(text, second)
            if d is None or d.end() == second:
                self.ctx.fail("expected a date-time or a duration after '/' of an interval", second)
            end_value = start + self.lex_duration(d.group(), second, whole=True)
            end = d.end()
        return self.make_interval(pos, start, end_value, end)

    def duration_interval(self, pos: int) -> Token | None:
        """`P1D/2015-01-01T00:00:00Z`: a duration before the end of an interval."""
        text = self.text
        d = _DURATION.match(text, pos)
        if d is None or d.end() >= len(text) or text[d.end()] != "/":
            return None
        m = _DATETIME.match(text, d.end() + 1)
        if m is None:
            return None
        end_value, end = self.lex_datetime(m)
        start = end_value - self.lex_duration(d.group(), pos, whole=True)
        return self.make_interval(pos, start, end_value, end)

    def make_interval(self, pos: int, start: datetime, end_value: datetime, end: int) -> Token:
        if end_value < start:
            self.ctx.fail("the interval ends before it starts", pos)
        raw = self.text[pos:end]
        return Token(
            "literal", raw, pos, Literal(LiteralType.INTERVAL, Interval(start, end_value), pos)
        )


def tokenize(text: str, ctx: Context | None = None) -> list[Token]:
    """The tokens of a $filter expression, ending with an "end" token."""
    return _Lexer(text, ctx or Context("$filter")).tokens()


# -- kinds -------------------------------------------------------------------------------------

_LITERAL_KINDS: Final = {
    LiteralType.NULL: Kind.NULL,
    LiteralType.BOOLEAN: Kind.BOOLEAN,
    LiteralType.INTEGER: Kind.INTEGER,
    LiteralType.DECIMAL: Kind.NUMBER,
    LiteralType.STRING: Kind.STRING,
    LiteralType.DATETIME: Kind.DATETIME,
    LiteralType.DATE: Kind.DATE,
    LiteralType.TIME: Kind.TIMEOFDAY,
    LiteralType.DURATION: Kind.DURATION,
    LiteralType.INTERVAL: Kind.DATETIME,
    LiteralType.GEOGRAPHY: Kind.GEOMETRY,
    LiteralType.GEOMETRY: Kind.GEOMETRY,
}
_PROPERTY_KINDS: Final = {
    PropertyType.ID: Kind.INTEGER,
    PropertyType.STRING: Kind.STRING,
    PropertyType.INSTANT: Kind.DATETIME,
    PropertyType.INTERVAL: Kind.DATETIME,
    PropertyType.TIME: Kind.DATETIME,
    PropertyType.GEOMETRY: Kind.GEOMETRY,
    PropertyType.OBJECT: Kind.ANY,
    PropertyType.ARRAY: Kind.ANY,
    PropertyType.ANY: Kind.ANY,
}
_LOOSE: Final = frozenset({Kind.ANY, Kind.NULL})
_NUMERIC: Final = frozenset({Kind.INTEGER, Kind.NUMBER})
_TEMPORAL: Final = frozenset({Kind.DATETIME, Kind.DATE})


def _path_kind(path: Path) -> Kind:
    return Kind.ANY if path.subpath else _PROPERTY_KINDS[path.property.type]


def _arithmetic_kind(op: BinaryOperator, left: Kind, right: Kind) -> Kind | None:
    """The kind of `left op right`, or None when the operator cannot combine them."""
    if left in _LOOSE or right in _LOOSE:
        return Kind.ANY
    if left in _NUMERIC and right in _NUMERIC:
        # FROST's precedence tests need div to divide exactly, so it never stays an integer.
        both_int = left is Kind.INTEGER and right is Kind.INTEGER
        return Kind.INTEGER if both_int and op is not BinaryOperator.DIV else Kind.NUMBER
    if op in (BinaryOperator.ADD, BinaryOperator.SUB):
        if left in _TEMPORAL and right is Kind.DURATION:
            return Kind.DATETIME
        if op is BinaryOperator.ADD and left is Kind.DURATION and right in _TEMPORAL:
            return Kind.DATETIME
        if op is BinaryOperator.SUB and left in _TEMPORAL and right in _TEMPORAL:
            return Kind.DURATION
        if left is Kind.DURATION and right is Kind.DURATION:
            return Kind.DURATION
    if op in (BinaryOperator.MUL, BinaryOperator.DIV) and left is Kind.DURATION:
        return Kind.DURATION if right in _NUMERIC else None
    return None


# -- the parser --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderBy:
    """One `$orderby` item: an expression (usually a path) and its direction."""

    expr: Expr
    descending: bool = False


class ExpressionParser:
    def __init__(
        self,
        text: str,
        entity_type: EntityType,
        model: DataModel,
        ctx: Context,
        *,
        allow_many: bool = True,
    ) -> None:
        self.text = text
        self.entity_type = entity_type
        self.model = model
        self.ctx = ctx
        self.allow_many = allow_many
        self.tokens = _Lexer(text, ctx).tokens()
        self.i = 0
        self.depth = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def unexpected(self, token: Token, what: str) -> NoReturn:
        """Fail with "expected <what>", naming OData operators Parvis does not implement."""
        if token.kind == "word" and token.text.lower() in ("in", "has"):
            self.ctx.fail(f"the {token.text.lower()} operator is not supported", token.pos)
        self.ctx.fail(f"expected {what}", token.pos, token.describe())

    def operator(self, token: Token) -> BinaryOperator | None:
        if token.kind != "word":
            return None
        return _BINARY_WORDS.get(token.text.lower())

    # Pratt loop: parse a prefix ("nud"), then fold in operators binding at least `min_bp`.
    def expression(self, min_bp: int) -> tuple[Expr, Kind]:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                self.ctx.fail(
                    f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                    self.peek().pos,
                )
            return self.climb(min_bp)
        finally:
            self.depth -= 1

    def climb(self, min_bp: int) -> tuple[Expr, Kind]:
        left, left_kind = self.prefix()
        while True:
            token = self.peek()
            op = self.operator(token)
            if op is None or PRECEDENCE[op] < min_bp:
                return left, left_kind
            self.advance()
            right, right_kind = self.expression(PRECEDENCE[op] + 1)  # left-associative
            left_kind = self.check_binary(op, token, left, left_kind, right, right_kind)
            left = Binary(op, left, right, position=left.position)

    def check_binary(
        self, op: BinaryOperator, token: Token, left: Expr, lk: Kind, right: Expr, rk: Kind
    ) -> Kind:
        if op.is_logical:
            for operand, operand_kind in ((left, lk), (right, rk)):
                self.require_boolean(operand, operand_kind, f"the operands of {op.value}")
            return Kind.BOOLEAN
        if op.is_comparison:
            return Kind.BOOLEAN
        kind = _arithmetic_kind(op, lk, rk)
        if kind is None:
            self.ctx.fail(f"{op.value} cannot combine {lk.value} and {rk.value}", token.pos)
        return kind

    def require_boolean(self, expr: Expr, kind: Kind, what: str) -> None:
        if kind not in (Kind.BOOLEAN, Kind.ANY, Kind.NULL):
            self.ctx.fail(f"{what} must be boolean", expr.position, kind.value)

    def prefix(self) -> tuple[Expr, Kind]:
        token = self.peek()
        if token.kind == "literal":
            self.advance()
            assert token.literal is not None
            return token.literal, _LITERAL_KINDS[token.literal.type]
        if token.kind == "number":
            self.advance()
            return self.number(token.text, token.pos), self.number_kind(token.text)
        if token.kind == "-":
            return self.negation()
        if token.kind == "(":
            self.advance()
            expr, kind = self.expression(0)
            close = self.peek()
            if close.kind != ")":
                opened = self.ctx.offset + token.pos
                self.unexpected(close, f"')' to close the '(' at position {opened}")
            self.advance()
            return expr, kind
        if token.kind == "word":
            return self.word(token)
        self.ctx.fail("expected an operand", token.pos, token.describe())

    def number(self, text: str, pos: int) -> Literal:
        if any(c in text for c in ".eE"):
            return Literal(LiteralType.DECIMAL, Decimal(text), pos)
        value = int(text)
        if INT64_MIN <= value <= INT64_MAX:
            return Literal(LiteralType.INTEGER, value, pos)
        # OData reads integers beyond Edm.Int64 as decimals; keep them exact.
        return Literal(LiteralType.DECIMAL, Decimal(value), pos)

    def number_kind(self, text: str) -> Kind:
        return Kind.NUMBER if any(c in text for c in ".eE") else Kind.INTEGER

    def negation(self) -> tuple[Expr, Kind]:
        minus = self.advance()
        following = self.peek()
        if following.kind == "number":
            # A signed number literal: fold, so that -9223372036854775808 stays an INTEGER.
            self.advance()
            literal = self.number("-" + following.text, minus.pos)
            return literal, _LITERAL_KINDS[literal.type]
        operand, kind = self.expression(NEGATION)
        if kind not in _NUMERIC | _LOOSE | {Kind.DURATION}:
            self.ctx.fail("'-' needs a number or a duration", operand.position, kind.value)
        return Unary(UnaryOperator.NEG, operand, position=minus.pos), kind

    def word(self, token: Token) -> tuple[Expr, Kind]:
        lowered = token.text.lower()
        if lowered in _KEYWORDS:
            self.advance()
            if lowered == "true" or lowered == "false":
                return Literal(LiteralType.BOOLEAN, lowered == "true", token.pos), Kind.BOOLEAN
            if lowered == "null":
                return Literal(LiteralType.NULL, None, token.pos), Kind.NULL
            if lowered == "not":
                # `not` takes a whole comparison: `not a eq b` is `not (a eq b)`.
                operand, kind = self.expression(EQUALITY)
                self.require_boolean(operand, kind, "the operand of not")
                return Unary(UnaryOperator.NOT, operand, position=token.pos), Kind.BOOLEAN
            self.ctx.fail("expected an operand", token.pos, token.describe())
        if self.peek(1).kind == "(":
            return self.call(token)
        segments = split_path(self.text[: token.pos + len(token.text)], token.pos, self.ctx)
        path = resolve_value_path(
            segments,
            self.entity_type,
            self.model,
            self.ctx,
            allow_many=self.allow_many,
            usage=self.ctx.label.rsplit("/", 1)[-1],
        )
        self.advance()
        return path, _path_kind(path)

    def call(self, token: Token) -> tuple[Expr, Kind]:
        name = token.text.lower()
        spec = FUNCTIONS.get(name)
        if spec is None:
            last = name.rsplit("/", 1)[-1]
            if "/" in name and last in ("any", "all"):
                self.ctx.fail("lambda operators (any, all) are not supported", token.pos)
            self.ctx.fail(
                f"unknown function {token.text}()" + suggest(name, tuple(FUNCTIONS)), token.pos
            )
        self.advance()
        self.advance()  # "("
        args: list[tuple[Expr, Kind]] = []
        if self.peek().kind != ")":
            args.append(self.expression(0))
            while self.peek().kind == ",":
                self.advance()
                args.append(self.expression(0))
        close = self.peek()
        if close.kind != ")":
            self.unexpected(close, f"',' or ')' in the arguments of {name}()")
        self.advance()
        if not spec.min_args <= len(args) <= spec.max_args:
            self.ctx.fail(f"{name}() takes {spec.arity_text()}, not {len(args)},", token.pos)
        for index, ((arg, kind), param) in enumerate(zip(args, spec.params, strict=False)):
            if not accepts(param, kind):
                self.ctx.fail(
                    f"argument {index + 1} of {name}() must be {param.value}",
                    arg.position,
                    kind.value,
                )
        if name == "st_relate":
            self.check_de9im(args[2][0])
        return Call(name, tuple(a for a, _ in args), position=token.pos), spec.returns

    def check_de9im(self, arg: Expr) -> None:
        if isinstance(arg, Literal) and isinstance(arg.value, str):
            pattern = arg.value.upper()
            if len(pattern) != 9 or not set(pattern) <= DE9IM_CHARS:
                self.ctx.fail(
                    "the st_relate pattern must be 9 characters among T F * 0 1 2 "
                    "(a DE-9IM matrix such as 'T********')",
                    arg.position,
                )

    def at_end(self, what: str) -> None:
        token = self.peek()
        if token.kind != "end":
            self.unexpected(token, what)

    def parse_filter(self) -> Expr:
        expr, kind = self.expression(0)
        self.at_end("an operator or the end of the expression")
        if kind not in (Kind.BOOLEAN, Kind.ANY, Kind.NULL):
            self.ctx.fail("expected a boolean expression", expr.position, kind.value)
        return expr

    def parse_orderby(self) -> tuple[OrderBy, ...]:
        items: list[OrderBy] = []
        while True:
            expr, _kind = self.expression(0)
            descending = False
            token = self.peek()
            if token.kind == "word" and token.text.lower() in ("asc", "desc"):
                descending = token.text.lower() == "desc"
                self.advance()
            items.append(OrderBy(expr, descending))
            if self.peek().kind != ",":
                self.at_end("'asc', 'desc', ',' or the end of $orderby")
                return tuple(items)
            self.advance()


def resolve_entity_type(entity_type: EntityType | str, model: DataModel) -> EntityType:
    if isinstance(entity_type, EntityType):
        return entity_type
    found = model.entity_set(entity_type)
    if found is not None:
        return found
    try:
        return model.entity_type(entity_type)
    except KeyError:
        # The caller's bug, not the client's: the HTTP layer passes a parsed path's target.
        raise ValueError(f"unknown entity type or entity set {entity_type!r}") from None


def parse_filter(
    text: str,
    entity_type: EntityType | str,
    *,
    version: str = "v1.1",
    context: Context | None = None,
) -> Expr:
    """Parse a $filter expression evaluated on entities of `entity_type`.

    `entity_type` is an EntityType or a name ("Thing" or "Things"). Raises QueryError.
    """
    model = model_for(version)
    ctx = context or Context("$filter")
    return ExpressionParser(
        text, resolve_entity_type(entity_type, model), model, ctx
    ).parse_filter()


def parse_orderby(
    text: str,
    entity_type: EntityType | str,
    *,
    version: str = "v1.1",
    context: Context | None = None,
) -> tuple[OrderBy, ...]:
    """Parse a $orderby value: `expr [asc|desc], ...`. Raises QueryError."""
    model = model_for(version)
    ctx = context or Context("$orderby")
    parser = ExpressionParser(
        text, resolve_entity_type(entity_type, model), model, ctx, allow_many=False
    )
    if parser.peek().kind == "end":
        ctx.fail("expected a property or an expression", 0, "the end of $orderby")
    return parser.parse_orderby()
