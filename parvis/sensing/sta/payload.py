"""Validation of create (POST) and update (PATCH/PUT) bodies against the STA entity model.

OGC 18-088 §10 (create/update/delete, deep insert, links by `@iot.id`) and OGC 17-079 (Tasks).
Pure: the HTTP layer passes the decoded JSON (`json.loads`, so integers stay exact Python ints);
the storage layer walks the resulting `NewEntity` tree / `Update`. Whatever the server must decide
itself (phenomenonTime = now, a FeatureOfInterest derived from the Thing's Location, creationTime)
is listed in `NewEntity.server_defaults` rather than invented here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final, NoReturn

from parvis.sensing.sta.model import (
    DataModel,
    EntityType,
    NavigationProperty,
    Property,
    PropertyType,
    model_for,
)
from parvis.sensing.sta.query.context import suggest
from parvis.sensing.sta.query.path import ResourcePath

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1

GEOJSON_ENCODINGS: Final = frozenset({"application/geo+json", "application/vnd.geo+json"})
_NULLABLE: Final = frozenset({"result", "resultTime"})  # mandatory, yet null is a value
# Control annotations a client may echo back from a GET; they carry nothing to store.
_IGNORED_SUFFIXES: Final = ("@iot.navigationLink", "@iot.selfLink")


class PayloadError(ValueError):
    """A request body that cannot be stored; `path` locates the offending member.

    `path` looks like `Datastreams[0]/Sensor/name` ("" for the body itself).
    """

    def __init__(self, message: str, path: str = "", *, status: int = 400) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.message = message
        self.path = path
        self.status = status

    def to_json(self) -> dict[str, Any]:
        """FROST's error body shape, like `QueryError.to_json`."""
        return {"code": self.status, "type": "error", "message": str(self)}

    def __repr__(self) -> str:
        return f"PayloadError({self.message!r}, {self.path!r}, status={self.status!r})"


@dataclass(frozen=True, slots=True)
class Link:
    """A reference to an existing entity (`{"@iot.id": 5}`)."""

    entity_type: str
    id: int


@dataclass(frozen=True, slots=True)
class Interval:
    """An ISO 8601 interval `start/end`, both in UTC."""

    start: datetime
    end: datetime


Related = tuple["NewEntity | Link", ...]


@dataclass(frozen=True, slots=True)
class NewEntity:
    """An entity to create, with its related entities (new ones nested, existing ones linked).

    `properties` holds parsed values (datetimes in UTC, `Interval`s, JSON values as given);
    `related` maps a navigation name to its members (a 1-tuple for to-one navigation);
    `server_defaults` names what the service must fill in (e.g. `phenomenonTime`).
    """

    entity_type: str
    properties: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    related: Mapping[str, Related] = field(default_factory=lambda: MappingProxyType({}))
    server_defaults: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Update:
    """A PATCH (partial) or PUT body: new property values and new links (no inline entities)."""

    entity_type: str
    properties: Mapping[str, object]
    links: Mapping[str, tuple[Link, ...]]
    partial: bool


@dataclass(frozen=True, slots=True)
class Binding:
    """The parent of a POST to a navigation collection: `Datastreams(1)/Observations` gives
    `Binding("Datastream", Link("Datastream", 1))` (the new entity's navigation and target)."""

    navigation: str
    link: Link


# -- helpers ---------------------------------------------------------------------------------


def _fail(message: str, path: str) -> NoReturn:
    raise PayloadError(message, path)


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def _kind(value: object) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _object(value: object, path: str, what: str = "a JSON object") -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(f"expected {what}, found {_kind(value)}", path)
    return value


def parse_id(value: object, path: str) -> int:
    """A 64-bit integer id (`true` and `"5"` are not ids)."""
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(f"Parvis uses integer ids, found {_kind(value)}", path)
    if not INT64_MIN <= value <= INT64_MAX:
        _fail("ids are 64-bit integers", path)
    return value


def parse_instant(value: object, path: str) -> datetime:
    """An ISO 8601 date-time with an offset, in UTC."""
    if not isinstance(value, str):
        _fail(f"expected an ISO 8601 date-time string, found {_kind(value)}", path)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        _fail(f"not an ISO 8601 date-time: {value!r}", path)
    if parsed.tzinfo is None:
        # A local time without offset is ambiguous; the spec's examples all carry one.
        _fail(f"date-time needs a time zone (e.g. 'Z' or '+01:00'): {value!r}", path)
    return parsed.astimezone(UTC)


def parse_interval(value: object, path: str) -> Interval:
    """An ISO 8601 interval `start/end` of two date-times, start not after end."""
    if not isinstance(value, str) or value.count("/") != 1:
        _fail(f"expected an ISO 8601 interval 'start/end', found {_describe(value)}", path)
    first, second = value.split("/")
    start, end = parse_instant(first, path), parse_instant(second, path)
    if start > end:
        _fail(f"interval ends before it starts: {value!r}", path)
    return Interval(start, end)


def parse_time(value: object, path: str) -> datetime | Interval:
    """TM_Object: an instant or an interval."""
    if isinstance(value, str) and "/" in value:
        return parse_interval(value, path)
    return parse_instant(value, path)


def _describe(value: object) -> str:
    return repr(value) if isinstance(value, str) else _kind(value)


# -- GeoJSON ---------------------------------------------------------------------------------

# Nesting depth of `coordinates` per geometry type (Point: [x, y] is depth 1).
_GEOMETRY_DEPTH: Final = {
    "Point": 1,
    "MultiPoint": 2,
    "LineString": 2,
    "MultiLineString": 3,
    "Polygon": 3,
    "MultiPolygon": 4,
}


def check_geojson(value: object, path: str) -> None:
    """A GeoJSON geometry, Feature or FeatureCollection (RFC 7946), checked for shape."""
    obj = _object(value, path, "a GeoJSON object")
    kind = obj.get("type")
    if kind == "Feature":
        geometry = obj.get("geometry")
        if geometry is not None:
            check_geojson(geometry, _join(path, "geometry"))
        return
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            _fail("a FeatureCollection needs a 'features' array", path)
        for i, feature in enumerate(features):
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                _fail("expected a GeoJSON Feature", f"{path}/features[{i}]")
            check_geojson(feature, f"{path}/features[{i}]")
        return
    if kind == "GeometryCollection":
        geometries = obj.get("geometries")
        if not isinstance(geometries, list):
            _fail("a GeometryCollection needs a 'geometries' array", path)
        for i, geometry in enumerate(geometries):
            check_geojson(geometry, f"{path}/geometries[{i}]")
        return
    if not isinstance(kind, str) or kind not in _GEOMETRY_DEPTH:
        known = ", ".join([*_GEOMETRY_DEPTH, "GeometryCollection", "Feature", "FeatureCollection"])
        _fail(f"unknown GeoJSON type {_describe(kind)} (known: {known})", path)
    _check_coordinates(kind, obj.get("coordinates"), _GEOMETRY_DEPTH[kind], path)


def _check_coordinates(kind: str, coords: object, depth: int, path: str) -> None:
    where = _join(path, "coordinates")
    if depth == 1:
        if not isinstance(coords, list) or not 2 <= len(coords) <= 3:
            _fail(f"a {kind} position is an array of 2 or 3 numbers", where)
        for c in coords:
            if isinstance(c, bool) or not isinstance(c, int | float) or not math.isfinite(c):
                _fail(f"a {kind} position is an array of 2 or 3 numbers", where)
        return
    if not isinstance(coords, list):
        _fail(f"{kind} coordinates must be an array, found {_kind(coords)}", where)
    for item in coords:
        _check_coordinates(kind, item, depth - 1, path)
    # Ring/line rules of RFC 7946 §3.1.4-3.1.6 (checked at the level holding positions).
    if depth == 2 and kind in ("LineString", "MultiLineString") and len(coords) < 2:
        _fail(f"a {kind} line needs at least 2 positions", where)
    if depth == 2 and kind in ("Polygon", "MultiPolygon"):
        if len(coords) < 4:
            _fail(f"a {kind} ring needs at least 4 positions", where)
        if coords[0] != coords[-1]:
            _fail(f"a {kind} ring must end where it starts", where)


# -- property values -------------------------------------------------------------------------


def _check_unit(value: object, path: str) -> None:
    unit = _object(value, path)
    for key in ("name", "symbol", "definition"):
        if key in unit and unit[key] is not None and not isinstance(unit[key], str):
            _fail(f"expected a string or null, found {_kind(unit[key])}", _join(path, key))


def _value(
    et: EntityType, prop: Property, value: object, body: Mapping[str, Any], path: str
) -> object:
    """Check and convert one property value (never turning integers into floats)."""
    if value is None:
        # Only optional properties accept null, and two of the Observation: resultTime, and
        # result (of type Any, whose values include null: FROST's ResultTypesTests store one).
        if prop.mandatory and not (et.name == "Observation" and prop.name in _NULLABLE):
            _fail(f"{prop.name} is mandatory and cannot be null", path)
        return None
    t = prop.type
    if t is PropertyType.STRING:
        if not isinstance(value, str):
            _fail(f"expected a string, found {_kind(value)}", path)
        return value
    if t is PropertyType.INSTANT:
        return parse_instant(value, path)
    if t is PropertyType.INTERVAL:
        return parse_interval(value, path)
    if t is PropertyType.TIME:
        return parse_time(value, path)
    if t is PropertyType.OBJECT:
        _object(value, path)
        if prop.name == "unitOfMeasurement":
            _check_unit(value, path)
        return value
    if t is PropertyType.ARRAY:
        if not isinstance(value, list):
            _fail(f"expected an array, found {_kind(value)}", path)
        if prop.name == "unitOfMeasurements":
            for i, unit in enumerate(value):
                _check_unit(unit, f"{path}[{i}]")
        elif prop.name == "multiObservationDataTypes":
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    _fail(f"expected a string, found {_kind(item)}", f"{path}[{i}]")
        return value
    if t is PropertyType.GEOMETRY:
        # location/feature are GeoJSON only when encodingType says so; observedArea always is.
        encoding = body.get("encodingType")
        if prop.name == "observedArea" or encoding in GEOJSON_ENCODINGS:
            check_geojson(value, path)
        return value
    return value  # ANY: result, metadata, resultQuality


# -- create ----------------------------------------------------------------------------------


def _member(et: EntityType, name: str, path: str) -> Property | NavigationProperty:
    found = et.member(name)
    if found is None:
        names = et.member_names
        _fail(f"unknown property {name} of {et.name}" + suggest(name, names), path)
    return found


def _link_or_none(target: EntityType, value: dict[str, Any], path: str) -> Link | None:
    """A Link when `value` is exactly `{"@iot.id": n}`; None for an inline entity."""
    keys = set(value) - {k for k in value if k.endswith(_IGNORED_SUFFIXES)}
    id_keys = keys & {"@iot.id", "id"}
    if not id_keys:
        return None
    if len(id_keys) > 1 or len(keys) > 1:
        others = ", ".join(sorted(keys - id_keys)) or "@iot.id and id"
        _fail(f"a link to an existing {target.name} carries only @iot.id (found {others})", path)
    return Link(target.name, parse_id(value[id_keys.pop()], _join(path, "@iot.id")))


def _related(
    model: DataModel,
    nav: NavigationProperty,
    value: object,
    path: str,
    *,
    inline: bool,
) -> Related:
    target = model.target(nav)
    items: list[tuple[object, str]]
    if nav.many:
        if not isinstance(value, list):
            _fail(
                f"{nav.name} expects an array of {target.name} entities, found {_kind(value)}", path
            )
        items = [(item, f"{path}[{i}]") for i, item in enumerate(value)]
    else:
        if value is None:
            _fail(f"{nav.name} cannot be null", path)
        items = [(value, path)]
    result: list[NewEntity | Link] = []
    for item, where in items:
        obj = _object(item, where, f"a {target.name} object")
        link = _link_or_none(target, obj, where)
        if link is not None:
            result.append(link)
        elif not inline:
            _fail(
                f"inline entities are not allowed in an update; link an existing {target.name} "
                'with {"@iot.id": <id>}',
                where,
            )
        else:
            result.append(_create(model, target, obj, where, back=nav.inverse))
    return tuple(result)


def _create(
    model: DataModel,
    et: EntityType,
    body: dict[str, Any],
    path: str,
    *,
    back: str | None = None,
    binding: Binding | None = None,
) -> NewEntity:
    """One entity of a deep insert; `back` is the navigation implied by the enclosing entity."""
    props: dict[str, object] = {}
    related: dict[str, Related] = {}
    for name, value in body.items():
        where = _join(path, name)
        if name.endswith(_IGNORED_SUFFIXES) or name == "@iot.selfLink":
            continue  # output annotations echoed back: nothing to store
        member = _member(et, name, where)
        if isinstance(member, NavigationProperty):
            if member.name == back:
                _fail(f"{member.name} is given by the enclosing entity", where)
            if member.name in related:
                _fail(f"{member.name} given twice", where)
            related[member.name] = _related(model, member, value, where, inline=True)
            continue
        if member.read_only:
            what = "ids are" if member.type is PropertyType.ID else f"{member.name} is"
            _fail(f"{what} set by the service", where)
        if member.name in props:
            _fail(f"{member.name} given twice", where)
        props[member.name] = _value(et, member, value, body, where)
    if binding is not None:
        _bind(model, et, related, binding, path)
    defaults: set[str] = set()
    for prop in et.properties:
        if not prop.mandatory or prop.name in props:
            continue
        if prop.read_only:
            if prop.type not in (PropertyType.ID, PropertyType.SELF_LINK):
                defaults.add(prop.name)  # Task.creationTime
        elif et.name == "Observation" and prop.name == "phenomenonTime":
            defaults.add(prop.name)  # 18-088 §8.2.7: the server's time when omitted
        elif et.name == "Observation" and prop.name == "resultTime":
            props[prop.name] = None  # "resultTime": null when omitted
        else:
            _fail(f"missing mandatory property {prop.name} of {et.name}", path)
    for nav in et.navigation:
        if nav.name == back or nav.name in related:
            if nav.many and nav.required and not related.get(nav.name, (1,)):
                _fail(f"{nav.name} needs at least one {nav.target}", _join(path, nav.name))
            continue
        if et.name == "Observation" and nav.name == "FeatureOfInterest":
            defaults.add(nav.name)  # derived from the Thing's Location, or 400 by the service
        elif nav.required:
            _fail(f"missing {nav.name}: a {et.name} needs its {nav.name}", path)
    if et.name == "Observation":
        streams = [n for n in ("Datastream", "MultiDatastream") if n in related or n == back]
        if len(streams) != 1:
            found = "both" if streams else "neither"
            _fail(
                "an Observation needs exactly one of Datastream or MultiDatastream "
                f"({found} given)",
                path,
            )
    if et.name == "MultiDatastream":
        _check_multi(props, related, path)
    return NewEntity(
        et.name, MappingProxyType(props), MappingProxyType(related), frozenset(defaults)
    )


def _check_multi(props: Mapping[str, object], related: Mapping[str, Related], path: str) -> None:
    # 18-088 §12: units, data types and ObservedProperties correspond one to one.
    sizes = {
        name: len(value)
        for name, value in (
            ("unitOfMeasurements", props.get("unitOfMeasurements")),
            ("multiObservationDataTypes", props.get("multiObservationDataTypes")),
            ("ObservedProperties", related.get("ObservedProperties")),
        )
        if isinstance(value, list | tuple)
    }
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{k} has {v}" for k, v in sizes.items())
        _fail(f"a MultiDatastream needs as many of each: {listed}", path)


def _bind(
    model: DataModel,
    et: EntityType,
    related: dict[str, Related],
    binding: Binding,
    path: str,
) -> None:
    nav = et.get_navigation(binding.navigation)
    if nav is None or nav.target != binding.link.entity_type:
        raise ValueError(f"{binding!r} is no navigation of {et.name}")  # a caller bug
    given = related.get(nav.name)
    if not nav.many:
        if given is not None and given != (binding.link,):
            _fail(
                f"mismatched nested path: the URL gives {nav.name} "
                f"{binding.link.id} but the body gives another",
                _join(path, nav.name),
            )
        related[nav.name] = (binding.link,)
    elif given is None or binding.link not in given:
        related[nav.name] = (*(given or ()), binding.link)


def binding_for(path: ResourcePath) -> Binding | None:
    """The bound parent of a POST to `path`, e.g. `Datastreams(1)/Observations`; None for a
    plain entity set (or a parent addressed without id, which the service resolves)."""
    segments = path.segments
    if len(segments) < 2 or segments[-1].navigation is None or segments[-2].id is None:
        return None
    nav = segments[-1].navigation
    parent = segments[-2]
    assert parent.id is not None  # checked above
    return Binding(nav.inverse, Link(parent.entity_type.name, parent.id))


def parse_create(
    entity_type: str,
    body: object,
    *,
    version: str = "v1.1",
    bound_parent: Binding | None = None,
) -> NewEntity:
    """Validate a POST body for `entity_type` (singular name) and return the entity tree.

    `bound_parent` is the parent of a POST to a navigation collection (`Datastreams(1)/
    Observations`): it becomes a link, and a different explicit one is an error.
    Raises PayloadError (status 400).
    """
    model = model_for(version)
    et = model.entity_type(entity_type)
    obj = _object(body, "", "a JSON object as request body")
    return _create(model, et, obj, "", binding=bound_parent)


def parse_update(entity_type: str, body: object, *, partial: bool, version: str = "v1.1") -> Update:
    """Validate a PATCH (`partial=True`) or PUT body: links allowed, inline entities not.

    PUT replaces the entity, so every mandatory client-set property must be present.
    """
    model = model_for(version)
    et = model.entity_type(entity_type)
    obj = _object(body, "", "a JSON object as request body")
    props: dict[str, object] = {}
    links: dict[str, tuple[Link, ...]] = {}
    for name, value in obj.items():
        if name.endswith(_IGNORED_SUFFIXES) or name == "@iot.selfLink":
            continue
        member = _member(et, name, name)
        if isinstance(member, NavigationProperty):
            found = _related(model, member, value, name, inline=False)
            links[member.name] = tuple(x for x in found if isinstance(x, Link))
            continue
        if member.read_only:
            what = "ids are" if member.type is PropertyType.ID else f"{member.name} is"
            _fail(f"{what} set by the service", name)
        props[member.name] = _value(et, member, value, obj, name)
    if not partial:
        for prop in et.properties:
            if prop.mandatory and not prop.read_only and prop.name not in props:
                if et.name == "Observation" and prop.name == "resultTime":
                    props[prop.name] = None
                    continue
                _fail(f"missing mandatory property {prop.name} of {et.name} (PUT replaces)", "")
    return Update(et.name, MappingProxyType(props), MappingProxyType(links), partial)
