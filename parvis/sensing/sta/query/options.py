"""System query options (18-088 §9.3): $filter, $expand, $select, $orderby, $top, $skip, $count,
$resultFormat, parsed into a `Query` validated against the entity type being queried.

`$expand` is recursive: `Datastreams($select=name;$expand=Observations($top=3))`, and
`Datastreams/Sensor` is the same as `Datastreams($expand=Sensor)`; expand items sharing a prefix
are merged (the ETS sends `$expand=Datastreams/Thing,Datastreams/Sensor`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Final
from urllib.parse import parse_qsl, quote, urlencode

from parvis.sensing.sta.model import DataModel, EntityType, NavigationProperty, Property, model_for
from parvis.sensing.sta.query.context import Context, split_path, suggest
from parvis.sensing.sta.query.errors import QueryError
from parvis.sensing.sta.query.filter import ExpressionParser, OrderBy, resolve_entity_type
from parvis.sensing.sta.query.nodes import Expr, format_expr

INT64_MAX: Final = 2**63 - 1
# Levels of $expand (Datastreams/Observations counts 2): generous for real clients, and a bound
# on both the recursion here and the joins the SQL layer will have to run.
MAX_EXPAND_DEPTH: Final = 10


class ResultFormat(enum.Enum):
    DATA_ARRAY = "dataArray"  # 18-088 §13: Observations grouped by Datastream, as arrays


@dataclass(frozen=True, slots=True)
class SelectProperty:
    """`$select=name` or a JSON sub-path `$select=unitOfMeasurement/name`."""

    property: Property
    subpath: tuple[str | int, ...] = ()


@dataclass(frozen=True, slots=True)
class SelectNavigation:
    """`$select=Datastreams`: keep that navigationLink (18-088: navigation names are allowed)."""

    navigation: NavigationProperty


SelectItem = SelectProperty | SelectNavigation


@dataclass(frozen=True, slots=True)
class Query:
    """The query options applying to the entities of `entity_type`.

    Unset options are None / empty: `select == ()` means "every property" (an empty $select is
    an error, so there is no ambiguity). `count` is None when absent, which the spec treats as
    false. `result_format` only ever appears at the top level.
    """

    entity_type: EntityType
    filter: Expr | None = None
    expand: tuple[Expand, ...] = ()
    select: tuple[SelectItem, ...] = ()
    orderby: tuple[OrderBy, ...] = ()
    top: int | None = None
    skip: int | None = None
    count: bool | None = None
    result_format: ResultFormat | None = None

    def expanded(self, name: str) -> Expand | None:
        return next((e for e in self.expand if e.navigation.name == name), None)


@dataclass(frozen=True, slots=True)
class Expand:
    """One expanded navigation property with the options for the entities it brings."""

    navigation: NavigationProperty
    query: Query  # query.entity_type is the navigation's target


# Canonical spelling of each option, by lower-case name (option names are case-insensitive).
OPTIONS: Final = {
    name.lower(): name
    for name in (
        "$filter",
        "$expand",
        "$select",
        "$orderby",
        "$top",
        "$skip",
        "$count",
        "$resultFormat",
    )
}
# 18-088 §9.3.2.1: "Allowed system query options are $filter, $select, $orderby, $skip, $top,
# $count, and $expand" inside $expand(...).
NESTED_OPTIONS: Final = frozenset(OPTIONS) - {"$resultformat"}
# Printing order of format_query (the evaluation order of 18-088 §9.3.1 where it applies).
_ORDER: Final = ("$filter", "$count", "$orderby", "$skip", "$top", "$select", "$expand")

Params = Mapping[str, str] | Iterable[tuple[str, str]] | str


def query_pairs(params: Params) -> list[tuple[str, str]]:
    if isinstance(params, str):
        # A raw query string: '+' is a space (form encoding, as frost-sta-client sends).
        return parse_qsl(params.removeprefix("?"), keep_blank_values=True)
    if isinstance(params, Mapping):
        return list(params.items())
    return list(params)


def parse_query(
    params: Params,
    entity_type: EntityType | str,
    *,
    version: str = "v1.1",
) -> Query:
    """Parse the query options of a request on entities of `entity_type`.

    `params` is a mapping, a list of (name, value) pairs (repeated names are detected) or a raw
    query string. Values must already be percent-decoded. Names without `$` are custom options
    (OData) and ignored. `entity_type` is an EntityType or its name, singular or plural.
    Raises QueryError: 400 for invalid values and repeated options, 501 for unknown `$options`.
    """
    try:
        model = model_for(version)
    except ValueError as e:
        raise QueryError(str(e), None, status=404) from None
    et = resolve_entity_type(entity_type, model)
    options: dict[str, tuple[str, int]] = {}
    for raw_name, value in query_pairs(params):
        name = raw_name.strip()
        if not name.startswith("$"):
            continue
        key = name.lower()
        if key not in OPTIONS:
            raise QueryError(
                f"{name}: unsupported query option (supported: {', '.join(OPTIONS.values())})",
                None,
                option=name,
                status=501,
            )
        if key in options:
            raise QueryError(f"{OPTIONS[key]}: repeated query option", None, option=OPTIONS[key])
        options[key] = (value, 0)
    query = _build(options, et, model, Context(""))
    if query.result_format is ResultFormat.DATA_ARRAY:
        if et.name != "Observation":
            raise QueryError(
                f"$resultFormat: dataArray applies to Observations, not {et.entity_set}",
                None,
                option="$resultFormat",
            )
        if query.expand:
            raise QueryError(
                "$resultFormat: $expand is not allowed with dataArray (18-088 §13)",
                None,
                option="$resultFormat",
            )
    return query


def _option_context(parent: Context, name: str, offset: int) -> Context:
    if not parent.label:
        return Context(name, name, 0)
    return parent.nested(name, offset)


def _build(
    options: Mapping[str, tuple[str, int]],
    et: EntityType,
    model: DataModel,
    parent: Context,
    depth: int = 0,
) -> Query:
    """A Query from {lower-case option name: (value, offset of the value in parent's text)}.

    `depth` is the $expand level of the entities queried (0 for the request's own).
    """
    query = Query(et)
    for key, (value, offset) in options.items():
        name = OPTIONS[key]
        ctx = _option_context(parent, name, offset)
        if key == "$filter":
            query = replace(query, filter=ExpressionParser(value, et, model, ctx).parse_filter())
        elif key == "$orderby":
            parser = ExpressionParser(value, et, model, ctx, allow_many=False)
            if parser.peek().kind == "end":
                ctx.fail("expected a property or an expression", 0, "the end of $orderby")
            query = replace(query, orderby=parser.parse_orderby())
        elif key == "$top":
            query = replace(query, top=_non_negative(value, ctx))
        elif key == "$skip":
            query = replace(query, skip=_non_negative(value, ctx))
        elif key == "$count":
            query = replace(query, count=_boolean(value, ctx))
        elif key == "$select":
            query = replace(query, select=_select(value, et, ctx))
        elif key == "$expand":
            query = replace(query, expand=_expand(value, et, model, ctx, depth))
        else:
            query = replace(query, result_format=_result_format(value, ctx))
    return query


def _non_negative(value: str, ctx: Context) -> int:
    text = value.strip(" ")
    lead = len(value) - len(value.lstrip(" "))
    if not text.isdigit() or not text.isascii():
        found = f"'{text}'" if text else "nothing"
        ctx.fail("expected a non-negative integer", lead, found)
    number = int(text)
    if number > INT64_MAX:
        ctx.fail("the number is too large (at most 9223372036854775807)", lead)
    return number


def _boolean(value: str, ctx: Context) -> bool:
    text = value.strip(" ").lower()
    if text not in ("true", "false"):
        # 18-088 req. request-data/count: any other value is a 400.
        ctx.fail("expected true or false", 0, f"'{value}'" if value else "nothing")
    return text == "true"


def _result_format(value: str, ctx: Context) -> ResultFormat:
    for fmt in ResultFormat:
        if value.strip(" ").lower() == fmt.value.lower():
            return fmt
    supported = ", ".join(f.value for f in ResultFormat)
    ctx.fail(f"unsupported result format (supported: {supported})", 0, f"'{value}'")


# -- splitting lists that may contain parentheses and strings ---------------------------------


def _split_top(text: str, separator: str, ctx: Context) -> list[tuple[str, int]]:
    """Split on `separator` outside parentheses and quotes; (piece stripped, its offset)."""
    pieces: list[tuple[str, int]] = []
    depth = 0
    quoted = False
    start = 0
    opened: list[int] = []
    for i, c in enumerate(text):
        if c == "'":
            quoted = not quoted  # an escaped '' toggles twice
        elif quoted:
            continue
        elif c == "(":
            depth += 1
            opened.append(i)
        elif c == ")":
            if depth == 0:
                ctx.fail("unbalanced ')'", i)
            depth -= 1
            opened.pop()
        elif c == separator and depth == 0:
            pieces.append(_strip(text, start, i))
            start = i + 1
    if quoted:
        ctx.fail("unterminated string", text.rfind("'"))
    if depth:
        ctx.fail("unbalanced '('", opened[-1])
    pieces.append(_strip(text, start, len(text)))
    return pieces


def _strip(text: str, start: int, end: int) -> tuple[str, int]:
    piece = text[start:end]
    stripped = piece.strip(" ")
    return stripped, start + (len(piece) - len(piece.lstrip(" ")))


# -- $select -----------------------------------------------------------------------------------


def _select(value: str, et: EntityType, ctx: Context) -> tuple[SelectItem, ...]:
    items: list[SelectItem] = []
    for piece, offset in _split_top(value, ",", ctx):
        if not piece:
            ctx.fail("expected a property name", offset, "nothing")
        segments = split_path(value[: offset + len(piece)], offset, ctx)
        head = segments[0]
        member = et.member(str(head.value)) if isinstance(head.value, str) else None
        if member is None:
            ctx.fail(
                f"unknown property {head.value} of {et.name}"
                + suggest(str(head.value), et.member_names),
                head.position,
            )
        item: SelectItem
        if isinstance(member, NavigationProperty):
            if len(segments) > 1:
                ctx.fail(
                    f"{member.name} is a navigation property; select its properties with "
                    f"$expand={member.name}($select=...)",
                    segments[1].position,
                )
            item = SelectNavigation(member)
        else:
            if len(segments) > 1 and not member.type.has_subpaths:
                ctx.fail(
                    f"{member.name} of {et.name} is a {member.type.value} and has no "
                    "sub-properties",
                    segments[1].position,
                )
            item = SelectProperty(member, tuple(s.value for s in segments[1:]))
        if item not in items:  # `id,@iot.id` or a repeated name: keep the first
            items.append(item)
    return tuple(items)


# -- $expand -----------------------------------------------------------------------------------


def _expand(
    value: str, et: EntityType, model: DataModel, ctx: Context, depth: int
) -> tuple[Expand, ...]:
    merged: list[Expand] = []
    for piece, offset in _split_top(value, ",", ctx):
        if not piece:
            ctx.fail("expected a navigation property", offset, "nothing")
        merged = _merge(
            merged, [_expand_item(value, piece, offset, et, model, ctx, depth)], ctx, offset
        )
    return tuple(merged)


def _expand_item(
    value: str,
    piece: str,
    offset: int,
    et: EntityType,
    model: DataModel,
    ctx: Context,
    depth: int,
) -> Expand:
    paren = piece.find("(")
    path_text = piece if paren < 0 else piece[:paren].rstrip(" ")
    if paren >= 0 and not piece.endswith(")"):
        ctx.fail(
            "unexpected text after the ')' of the expand options", offset + piece.rfind(")") + 1
        )
    if not path_text:
        ctx.fail("expected a navigation property", offset, f"'{piece[:1]}'")
    segments = split_path(value[: offset + len(path_text)], offset, ctx)
    navs: list[NavigationProperty] = []
    current = et
    for seg in segments:
        nav = current.get_navigation(seg.value) if isinstance(seg.value, str) else None
        if nav is None:
            member = current.member(seg.value) if isinstance(seg.value, str) else None
            if member is not None:
                ctx.fail(
                    f"{seg.value} is a property of {current.name}, not a navigation property "
                    "($select chooses properties)",
                    seg.position,
                )
            names = tuple(n.name for n in current.navigation)
            ctx.fail(
                f"unknown navigation property {seg.value} of {current.name}"
                + suggest(str(seg.value), names),
                seg.position,
            )
        navs.append(nav)
        current = model.target(nav)
        if depth + len(navs) > MAX_EXPAND_DEPTH:
            ctx.fail(
                f"$expand is nested too deeply (more than {MAX_EXPAND_DEPTH} levels)", seg.position
            )
    inner = Query(current)
    if paren >= 0:
        label = "/".join(n.name for n in navs)
        inner = _nested_options(
            piece[paren + 1 : -1], offset + paren + 1, current, model, ctx, label, depth + len(navs)
        )
    # Datastreams/Sensor(opts) == Datastreams($expand=Sensor(opts)): build inside out.
    expand = Expand(navs[-1], inner)
    for nav in reversed(navs[:-1]):
        expand = Expand(nav, Query(model.entity_type(nav.target), expand=(expand,)))
    return expand


def _nested_options(
    text: str,
    offset: int,
    et: EntityType,
    model: DataModel,
    ctx: Context,
    label: str,
    depth: int,
) -> Query:
    options: dict[str, tuple[str, int]] = {}
    local = Context(ctx.label, ctx.option, ctx.offset + offset)
    for piece, start in _split_top(text, ";", local):
        if not piece:
            if text.strip(" "):
                local.fail("expected a query option", start, "nothing")
            continue
        name, eq, option_value = piece.partition("=")
        key = name.strip(" ").lower()
        if not eq or not key.startswith("$"):
            local.fail(f"expected $option=value in the options of {label}", start, f"'{piece}'")
        if key not in NESTED_OPTIONS:
            allowed = ", ".join(OPTIONS[k] for k in OPTIONS if k in NESTED_OPTIONS)
            local.fail(
                f"{name.strip(' ')} is not allowed in $expand options (allowed: {allowed})",
                start,
                # A known option misplaced is a bad request; an unknown one is unimplemented.
                status=400 if key in OPTIONS else 501,
            )
        if key in options:
            local.fail(f"{OPTIONS[key]} is repeated in the options of {label}", start)
        options[key] = (option_value, offset + start + len(name) + 1)
    parent = Context(f"{ctx.label}/{label}", ctx.option or ctx.label, ctx.offset)
    return _build(options, et, model, parent, depth)


def _merge(current: list[Expand], new: list[Expand], ctx: Context, position: int) -> list[Expand]:
    out = list(current)
    for item in new:
        index = next(
            (i for i, e in enumerate(out) if e.navigation.name == item.navigation.name), None
        )
        if index is None:
            out.append(item)
        else:
            merged = _merge_query(item.navigation.name, out[index].query, item.query, ctx, position)
            out[index] = Expand(item.navigation, merged)
    return out


def _merge_query(name: str, a: Query, b: Query, ctx: Context, position: int) -> Query:
    """`Datastreams($top=1),Datastreams/Sensor`: one Query, unless both set the same option."""
    merged = replace(a, expand=tuple(_merge(list(a.expand), list(b.expand), ctx, position)))
    for f in fields(Query):
        if f.name in ("entity_type", "expand"):
            continue
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if vb == f.default or va == vb:
            continue
        if va != f.default:
            ctx.fail(f"{name} is expanded twice with different ${f.name}", position)
        merged = replace(merged, **{f.name: vb})
    return merged


# -- printing ----------------------------------------------------------------------------------


def format_orderby(items: tuple[OrderBy, ...]) -> str:
    return ",".join(format_expr(i.expr) + (" desc" if i.descending else "") for i in items)


def format_select(items: tuple[SelectItem, ...]) -> str:
    out: list[str] = []
    for item in items:
        if isinstance(item, SelectNavigation):
            out.append(item.navigation.name)
            continue
        text = item.property.name
        for key in item.subpath:
            text += f"[{key}]" if isinstance(key, int) else f"/{key}"
        out.append(text)
    return ",".join(out)


def _options(query: Query) -> list[tuple[str, str]]:
    values = {
        "$filter": format_expr(query.filter) if query.filter is not None else None,
        "$count": None if query.count is None else ("true" if query.count else "false"),
        "$orderby": format_orderby(query.orderby) if query.orderby else None,
        "$skip": None if query.skip is None else str(query.skip),
        "$top": None if query.top is None else str(query.top),
        "$select": format_select(query.select) if query.select else None,
        "$expand": format_expand(query.expand) if query.expand else None,
    }
    return [(name, values[name]) for name in _ORDER if values[name] is not None]  # type: ignore[misc]


def format_expand(items: tuple[Expand, ...]) -> str:
    out: list[str] = []
    for item in items:
        inner = ";".join(f"{k}={v}" for k, v in _options(item.query))
        out.append(item.navigation.name + (f"({inner})" if inner else ""))
    return ",".join(out)


def format_query(query: Query) -> list[tuple[str, str]]:
    """Canonical (name, value) pairs: `parse_query(format_query(q), ...) == q`.

    Useful to build nextLinks: `format_query(dataclasses.replace(q, skip=...))`.
    """
    pairs = _options(query)
    if query.result_format is not None:
        pairs.append(("$resultFormat", query.result_format.value))
    return pairs


def format_query_string(query: Query) -> str:
    """`format_query` percent-encoded for a URL (spaces as %20, `+` as %2B, `$` kept)."""
    return urlencode(format_query(query), safe="$/(),;='@:*", quote_via=quote)
