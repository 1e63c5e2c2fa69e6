"""Shared by the parsers: error context and the resolution of property paths against the model."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Final, NoReturn

from parvis.sensing.sta.model import DataModel, EntityType, NavigationProperty, Property
from parvis.sensing.sta.query.errors import QueryError
from parvis.sensing.sta.query.nodes import Path


@dataclass(frozen=True, slots=True)
class Context:
    """Where the text being parsed sits: in which option, at which offset of its value.

    `label` prefixes messages ("$filter", "$expand/Datastreams/$filter"); `offset` is added to
    local positions so that positions always index the top-level option's value.
    """

    label: str
    option: str | None = None
    offset: int = 0
    status: int = 400

    def error(
        self, message: str, position: int, found: str | None = None, *, status: int | None = None
    ) -> QueryError:
        absolute = self.offset + position
        text = f"{self.label}: {message} at position {absolute}"
        if found is not None:
            # Echo enough of the input to locate it, not a whole pasted query.
            text += f", found {found if len(found) <= 60 else found[:57] + '...'}"
        return QueryError(
            text, absolute, option=self.option or self.label, status=status or self.status
        )

    def fail(
        self, message: str, position: int, found: str | None = None, *, status: int | None = None
    ) -> NoReturn:
        raise self.error(message, position, found, status=status)

    def nested(self, label: str, offset: int) -> Context:
        return Context(f"{self.label}/{label}", self.option or self.label, self.offset + offset)


def suggest(name: str, candidates: tuple[str, ...]) -> str:
    """` (did you mean X?)` when a candidate is close (case slips are the common case)."""
    lowered = {c.lower(): c for c in candidates}
    if name.lower() in lowered:
        return f" (did you mean {lowered[name.lower()]}?)"
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


# One segment of a path: a name, or an array index `[n]` glued to the previous name.
_NAME: Final = re.compile(r"[\w.@\-]+")
_INDEX: Final = re.compile(r"\[(-?[0-9]+)\]")


@dataclass(frozen=True, slots=True)
class Segment:
    value: str | int  # a name, or an array index
    position: int  # local to the parsed text


def split_path(text: str, start: int, ctx: Context) -> list[Segment]:
    """Split `a/b[1]/c` (from text[start:], which holds exactly the path) into segments."""
    segments: list[Segment] = []
    pos = start
    end = len(text)
    while True:
        m = _NAME.match(text, pos)
        if m is None:
            found = repr(text[pos]) if pos < end else "the end of the path"
            what = "a property name" if not segments else "a property name after '/'"
            ctx.fail(f"expected {what}", pos, found)
        segments.append(Segment(m.group(), pos))
        pos = m.end()
        while (idx := _INDEX.match(text, pos)) is not None:
            segments.append(Segment(int(idx.group(1)), pos))
            pos = idx.end()
        if pos >= end:
            return segments
        if text[pos] != "/":
            ctx.fail("unexpected character in a path", pos, repr(text[pos]))
        pos += 1


def _unknown(ctx: Context, name: str, et: EntityType, pos: int) -> NoReturn:
    ctx.fail(
        f"unknown property {name} of {et.name}" + suggest(name, et.member_names),
        pos,
    )


def resolve_value_path(
    segments: list[Segment],
    entity_type: EntityType,
    model: DataModel,
    ctx: Context,
    *,
    allow_many: bool = True,
    usage: str = "$filter",
) -> Path:
    """Resolve `Nav/.../property/key/...` (as in $filter and $orderby) to a Path."""
    navs: list[NavigationProperty] = []
    current = entity_type
    for i, seg in enumerate(segments):
        if isinstance(seg.value, int):
            # split_path starts with a name, so an index here follows a navigation property.
            ctx.fail(
                f"an array index cannot follow the navigation property {navs[-1].name}",
                seg.position,
            )
        member = current.member(seg.value)
        if member is None:
            _unknown(ctx, seg.value, current, seg.position)
        if isinstance(member, NavigationProperty):
            if member.many and not allow_many:
                ctx.fail(
                    f"{member.name} is a collection of {current.name}; {usage} needs a single "
                    "value per entity",
                    seg.position,
                )
            navs.append(member)
            current = model.target(member)
            continue
        if not member.type.queryable:
            ctx.fail(f"{member.name} cannot be used in {usage}", seg.position)
        return Path(
            entity_type.name,
            tuple(navs),
            member,
            _subpath(segments[i + 1 :], member, current, ctx),
            position=segments[0].position,
        )
    last = navs[-1]
    ctx.fail(
        f"{last.name} is a navigation property of {last.source}; {usage} needs one of its "
        f"properties, e.g. {last.name}/id",
        segments[-1].position,
    )


def _subpath(
    rest: list[Segment], prop: Property, owner: EntityType, ctx: Context
) -> tuple[str | int, ...]:
    if rest and not prop.type.has_subpaths:
        ctx.fail(
            f"{prop.name} of {owner.name} is a {prop.type.value} and has no sub-properties",
            rest[0].position,
        )
    return tuple(seg.value for seg in rest)
