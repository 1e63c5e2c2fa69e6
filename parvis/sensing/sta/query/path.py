"""Resource paths (18-088 §9.2): what comes after the service root, e.g. `Things(1)/Datastreams`.

Usages 1-8 of the spec: the service root, an entity set, an entity `Set(id)`, a property, its
`$value`, a navigation property (to one or to many, nested to any depth), and `$ref`. Parvis
uses 64-bit integer ids, so `Things('abc')` is refused with a message saying so.
"""

from __future__ import annotations

import builtins
import enum
import re
from dataclasses import dataclass, field
from typing import Final, NoReturn

from parvis.sensing.sta.model import (
    DataModel,
    EntityType,
    NavigationProperty,
    Property,
    model_for,
)
from parvis.sensing.sta.query.context import suggest
from parvis.sensing.sta.query.errors import QueryError

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1

# Resources that are not entity sets but live at the service root.
BATCH: Final = "$batch"  # 18-088 §11
CREATE_OBSERVATIONS: Final = "CreateObservations"  # dataArray POST, 18-088 §13


class PathKind(enum.Enum):
    SERVICE_ROOT = "service root"  # "" or "/"
    COLLECTION = "collection"  # Things, Things(1)/Datastreams
    ENTITY = "entity"  # Things(1), Observations(1)/Datastream
    PROPERTY = "property"  # Things(1)/name, Things(1)/properties/owner
    VALUE = "value"  # Things(1)/name/$value
    REF = "ref"  # Things(1)/Datastreams/$ref, Observations(1)/Datastream/$ref
    BATCH = "batch"  # $batch
    CREATE_OBSERVATIONS = "create observations"  # CreateObservations


@dataclass(frozen=True, slots=True)
class PathSegment:
    """One entity-addressing step: an entity set or a navigation property, with its id if any."""

    entity_type: EntityType
    navigation: NavigationProperty | None  # None for the first step (an entity set)
    id: int | None = None
    position: int = field(default=-1, compare=False)

    @property
    def name(self) -> str:
        return self.entity_type.entity_set if self.navigation is None else self.navigation.name

    @property
    def is_collection(self) -> bool:
        """Whether this step addresses several entities (a set or to-many relation, no id)."""
        return self.id is None and (self.navigation is None or self.navigation.many)

    def text(self) -> str:
        return self.name if self.id is None else f"{self.name}({self.id})"


@dataclass(frozen=True, slots=True)
class ResourcePath:
    """A parsed resource path. `segments` address entities; the tail fields refine them."""

    version: str
    segments: tuple[PathSegment, ...] = ()
    property: Property | None = None
    subpath: tuple[str | int, ...] = ()  # inside a JSON property: properties/owner -> ("owner",)
    value: bool = False  # .../$value
    ref: bool = False  # .../$ref
    special: str | None = None  # BATCH or CREATE_OBSERVATIONS

    @builtins.property
    def kind(self) -> PathKind:
        if self.special == BATCH:
            return PathKind.BATCH
        if self.special == CREATE_OBSERVATIONS:
            return PathKind.CREATE_OBSERVATIONS
        if not self.segments:
            return PathKind.SERVICE_ROOT
        if self.ref:
            return PathKind.REF
        if self.value:
            return PathKind.VALUE
        if self.property is not None:
            return PathKind.PROPERTY
        return PathKind.COLLECTION if self.segments[-1].is_collection else PathKind.ENTITY

    @builtins.property
    def target(self) -> EntityType | None:
        """The entity type of the addressed entities (of the property's owner), if any."""
        return self.segments[-1].entity_type if self.segments else None

    @builtins.property
    def is_collection(self) -> bool:
        """Whether the path addresses several entities (possibly as references)."""
        return bool(self.segments) and self.property is None and self.segments[-1].is_collection

    def canonical(self) -> str:
        """The path in canonical form (no leading '/'), e.g. `Things(1)/Datastreams/$ref`."""
        if self.special is not None:
            return self.special
        parts = [s.text() for s in self.segments]
        if self.property is not None:
            parts.append(self.property.name)
        text = "/".join(parts)
        for key in self.subpath:
            text += f"[{key}]" if isinstance(key, int) else f"/{key}"
        if self.value:
            text += "/$value"
        if self.ref:
            text += "/$ref"
        return text


# A raw step: name, optional (key), optional [index]... ; positions are offsets in the path.
_NAME: Final = re.compile(r"[^/()\[\]]+")
_INDEX: Final = re.compile(r"\[(-?[0-9]+)\]")
_INTEGER: Final = re.compile(r"-?[0-9]+")


@dataclass(frozen=True, slots=True)
class _Step:
    name: str
    position: int
    key: str | None = None
    key_position: int = -1
    indices: tuple[tuple[int, int], ...] = ()  # (index, position)


def _fail(message: str, position: int, status: int = 400) -> NoReturn:
    raise QueryError(f"path: {message} at position {position}", position, status=status)


def _split(path: str, start: int) -> list[_Step]:
    steps: list[_Step] = []
    pos = start
    while pos < len(path):
        m = _NAME.match(path, pos)
        if m is None:
            found = "'/'" if path[pos] == "/" else repr(path[pos])
            _fail(f"expected a name, found {found}", pos)
        name, pos = m.group(), m.end()
        key: str | None = None
        key_pos = -1
        if pos < len(path) and path[pos] == "(":
            key_pos = pos + 1
            close = _closing_paren(path, pos)
            key, pos = path[pos + 1 : close], close + 1
        indices: list[tuple[int, int]] = []
        while (idx := _INDEX.match(path, pos)) is not None:
            indices.append((int(idx.group(1)), pos))
            pos = idx.end()
        steps.append(_Step(name, m.start(), key, key_pos, tuple(indices)))
        if pos < len(path):
            if path[pos] != "/":
                _fail(f"unexpected {path[pos]!r}", pos)
            pos += 1
            if pos == len(path):
                _fail("expected a name after '/'", pos)
    return steps


def _closing_paren(path: str, open_pos: int) -> int:
    quoted = False
    for i in range(open_pos + 1, len(path)):
        c = path[i]
        if c == "'":
            quoted = not quoted  # '' inside a quoted id toggles twice: still inside
        elif c == ")" and not quoted:
            return i
    _fail("unbalanced '('", open_pos)


def _parse_id(step: _Step, et: EntityType) -> int:
    key = step.key
    assert key is not None
    if key.startswith("'"):
        _fail(
            f"{et.entity_set}({key}): Parvis uses integer ids, not strings; "
            f"write {et.entity_set}(<integer>)",
            step.key_position,
            404,
        )
    if not _INTEGER.fullmatch(key):
        found = repr(key) if key else "nothing"
        _fail(f"expected an integer id in {et.entity_set}(...), found {found}", step.key_position)
    value = int(key)
    if not INT64_MIN <= value <= INT64_MAX:
        # No entity can have it; 404 like any other missing id (never a 500 from the database).
        _fail(
            f"{et.entity_set}({key}): no such entity (ids are 64-bit integers)",
            step.key_position,
            404,
        )
    return value


def _unknown_set(step: _Step, model: DataModel) -> NoReturn:
    hint = suggest(step.name, model.entity_set_names)
    if re.fullmatch(r"v\d+\.\d+", step.name):
        hint = " (the version belongs to the service root, not to the path)"
    _fail(f"unknown entity set {step.name}{hint}", step.position, 404)


def parse_path(path: str, version: str = "v1.1", *, model: DataModel | None = None) -> ResourcePath:
    """Parse the resource path after the service root (`Things(1)/Datastreams`, `/Things`).

    One leading and one trailing '/' are ignored; "" and "/" are the service root. The path
    must already be percent-decoded. Raises QueryError (status 400 for malformed paths, 404 for
    names or ids that cannot exist).
    """
    try:
        model = model or model_for(version)
    except ValueError as e:
        raise QueryError(str(e), None, status=404) from None
    start = 1 if path.startswith("/") else 0
    end = len(path) - 1 if len(path) > start and path.endswith("/") else len(path)
    steps = _split(path[:end], start)
    if not steps:
        return ResourcePath(model.version)
    first = steps[0]
    if first.name in (BATCH, CREATE_OBSERVATIONS):
        if len(steps) > 1 or first.key is not None or first.indices:
            _fail(f"{first.name} takes no further path", first.position)
        return ResourcePath(model.version, special=first.name)
    et = model.entity_set(first.name)
    if et is None:
        _unknown_set(first, model)
    if first.indices:
        _fail("an array index cannot follow an entity set", first.indices[0][1])
    segments = [
        PathSegment(
            et, None, _parse_id(first, et) if first.key is not None else None, first.position
        )
    ]
    return _walk(model, steps[1:], segments)


def _walk(model: DataModel, steps: list[_Step], segments: list[PathSegment]) -> ResourcePath:
    prop: Property | None = None
    subpath: list[str | int] = []
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        if step.name in ("$ref", "$value"):
            if not last:
                _fail(f"{step.name} must end the path", steps[i + 1].position)
            if step.key is not None or step.indices:
                _fail(f"{step.name} takes no id or index", step.position)
            if step.name == "$ref":
                if prop is not None:
                    _fail("$ref follows entities, not a property", step.position)
                return ResourcePath(model.version, tuple(segments), ref=True)
            if prop is None:
                _fail("$value follows a property (e.g. Things(1)/name/$value)", step.position)
            return ResourcePath(model.version, tuple(segments), prop, tuple(subpath), value=True)
        if step.name.startswith("$"):
            _fail(f"unknown path option {step.name} (known: $ref, $value)", step.position, 404)
        if prop is not None:
            # Inside a JSON property: any key.
            if step.key is not None:
                _fail("a key in parentheses cannot follow a property", step.key_position - 1)
            subpath.append(step.name)
            subpath.extend(index for index, _ in step.indices)
            continue
        current = segments[-1]
        et = current.entity_type
        if current.is_collection:
            _fail(
                f"{current.name} is a collection: address one entity, e.g. "
                f"{current.name}(1)/{step.name}",
                step.position,
            )
        member = et.member(step.name)
        if member is None:
            _fail(
                f"unknown property {step.name} of {et.name}" + suggest(step.name, et.member_names),
                step.position,
                404,
            )
        if isinstance(member, NavigationProperty):
            entity_id: int | None = None
            target = model.target(member)
            if step.key is not None:
                if not member.many:
                    _fail(
                        f"{member.name} is a single entity and takes no id",
                        step.key_position - 1,
                    )
                entity_id = _parse_id(step, target)
            if step.indices:
                _fail("an array index cannot follow a navigation property", step.indices[0][1])
            segments.append(PathSegment(target, member, entity_id, step.position))
            continue
        if step.key is not None:
            _fail(f"{member.name} is a property and takes no id", step.key_position - 1)
        if step.indices and not member.type.has_subpaths:
            _fail(f"{member.name} is not an array", step.indices[0][1])
        prop = member
        subpath.extend(index for index, _ in step.indices)
        if (
            not prop.type.has_subpaths
            and i + 1 < len(steps)
            and steps[i + 1].name not in ("$value", "$ref")
        ):
            _fail(
                f"{prop.name} of {et.name} is a {prop.type.value} and has no sub-properties",
                steps[i + 1].position,
            )
    return ResourcePath(model.version, tuple(segments), prop, tuple(subpath))
