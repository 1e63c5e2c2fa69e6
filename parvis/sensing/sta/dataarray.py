"""The dataArray extension (OGC 18-088 §13): compact Observation lists, in and out.

In: `POST CreateObservations` with `[{"Datastream": {"@iot.id": 1}, "components": [...],
"dataArray": [[...], ...]}, ...]`. Each row becomes an Observation checked by `parse_create`;
a bad row yields a `PayloadError` in its slot and the others go on (the response then has
`"error"` there). A malformed group (no Datastream, unknown component) fails the whole request.
Out: `$resultFormat=dataArray` groups Observations by (Multi)Datastream.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from parvis.sensing.sta.payload import (
    Link,
    NewEntity,
    PayloadError,
    parse_create,
    parse_id,
)
from parvis.sensing.sta.query.errors import QueryError

# Observation properties a dataArray row may carry; FROST's default order for GET.
PROPERTY_COMPONENTS: Final = (
    "id",
    "phenomenonTime",
    "result",
    "resultTime",
    "resultQuality",
    "validTime",
    "parameters",
)
# Links a row may carry instead of a nested object (18-088 §13.2 example).
_FOI_COMPONENTS: Final = ("FeatureOfInterest/id", "FeatureOfInterest/@iot.id")
_CREATE_COMPONENTS: Final = frozenset(PROPERTY_COMPONENTS[1:]) | frozenset(_FOI_COMPONENTS)
ERROR: Final = "error"  # the response slot of a row that was not created (18-088 §13.2)

RowResult = NewEntity | PayloadError


def _stream(group: Mapping[str, Any], where: str) -> tuple[str, int]:
    present = [name for name in ("Datastream", "MultiDatastream") if name in group]
    if len(present) != 1:
        raise PayloadError(
            "a dataArray group needs exactly one of Datastream or MultiDatastream", where
        )
    name = present[0]
    link = group[name]
    if not isinstance(link, dict) or set(link) != {"@iot.id"}:
        raise PayloadError(f'{name} must be {{"@iot.id": <id>}}', f"{where}/{name}")
    return name, parse_id(link["@iot.id"], f"{where}/{name}/@iot.id")


def _components(group: Mapping[str, Any], where: str) -> tuple[str, ...]:
    components = group.get("components")
    if not isinstance(components, list) or not components:
        raise PayloadError("components must be a non-empty array of names", f"{where}/components")
    for i, name in enumerate(components):
        if name not in _CREATE_COMPONENTS:
            known = ", ".join(sorted(_CREATE_COMPONENTS))
            raise PayloadError(
                f"unknown component {name!r} (known: {known})", f"{where}/components[{i}]"
            )
    if len(set(components)) != len(components):
        raise PayloadError("components must not repeat", f"{where}/components")
    if "result" not in components:
        raise PayloadError("components must include result", f"{where}/components")
    return tuple(components)


def decode_create_observations(body: object, *, version: str = "v1.1") -> tuple[RowResult, ...]:
    """The Observations of a CreateObservations body, one result per row, in order.

    Raises PayloadError for a malformed body or group; row problems land in the row's slot.
    """
    if not isinstance(body, list):
        raise PayloadError("CreateObservations expects an array of dataArray groups", "")
    results: list[RowResult] = []
    for g, group in enumerate(body):
        where = f"[{g}]"
        if not isinstance(group, dict):
            raise PayloadError("a dataArray group is an object", where)
        extra = set(group) - {"Datastream", "MultiDatastream", "components", "dataArray"}
        if extra:
            raise PayloadError(f"unknown member(s) {', '.join(sorted(extra))}", where)
        stream, stream_id = _stream(group, where)
        components = _components(group, where)
        rows = group.get("dataArray")
        if not isinstance(rows, list):
            raise PayloadError("dataArray must be an array of rows", f"{where}/dataArray")
        for r, row in enumerate(rows):
            results.append(
                _row(stream, stream_id, components, row, f"{where}/dataArray[{r}]", version)
            )
    return tuple(results)


def _row(
    stream: str, stream_id: int, components: tuple[str, ...], row: object, where: str, version: str
) -> RowResult:
    if not isinstance(row, list) or len(row) != len(components):
        return PayloadError(f"a row must be an array of {len(components)} values", where)
    observation: dict[str, Any] = {stream: {"@iot.id": stream_id}}
    for name, value in zip(components, row, strict=True):
        if name in _FOI_COMPONENTS:
            observation["FeatureOfInterest"] = {"@iot.id": value}
        else:
            observation[name] = value
    try:
        return parse_create("Observation", observation, version=version)
    except PayloadError as e:
        return PayloadError(e.message, f"{where}/{e.path}" if e.path else where)


def encode_create_response(results: Iterable[object]) -> list[str]:
    """The CreateObservations response: a row's selfLink (a str), or "error" for anything else
    (its PayloadError, or None when storing failed)."""
    return [r if isinstance(r, str) else ERROR for r in results]


def components_for(select: Sequence[str] = ()) -> tuple[str, ...]:
    """The components of a `$resultFormat=dataArray` response for `$select` (default: all)."""
    if not select:
        return PROPERTY_COMPONENTS
    out: list[str] = []
    for name in select:
        canonical = "id" if name == "@iot.id" else name
        if canonical not in PROPERTY_COMPONENTS:
            raise QueryError(
                f"$select: {name} cannot be a dataArray component "
                f"(known: {', '.join(PROPERTY_COMPONENTS)})",
                None,
                option="$select",
            )
        if canonical not in out:
            out.append(canonical)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ObservationRow:
    """One Observation to encode: its stream and its already JSON-formatted values."""

    stream: Link  # Link("Datastream", 1) or Link("MultiDatastream", 2)
    values: Mapping[str, object]


def encode_data_array(
    rows: Iterable[ObservationRow], components: Sequence[str], *, base_url: str
) -> list[dict[str, object]]:
    """Group rows by stream (first-appearance order, keeping row order within a group).

    `base_url` is the versioned service root (`https://host/v1.1`).
    """
    groups: dict[Link, list[list[object]]] = {}
    for row in rows:
        groups.setdefault(row.stream, []).append([row.values.get(c) for c in components])
    out: list[dict[str, object]] = []
    for link, data in groups.items():
        entity_set = "Datastreams" if link.entity_type == "Datastream" else "MultiDatastreams"
        out.append(
            {
                f"{link.entity_type}@iot.navigationLink": f"{base_url}/{entity_set}({link.id})",
                "components": list(components),
                "dataArray@iot.count": len(data),
                "dataArray": data,
            }
        )
    return out


def encode_data_array_response(
    groups: list[dict[str, object]], *, count: int | None = None, next_link: str | None = None
) -> dict[str, object]:
    """The collection body: `@iot.count` / `@iot.nextLink` only when given (18-088 §13.1)."""
    body: dict[str, object] = {}
    if count is not None:
        body["@iot.count"] = count
    if next_link is not None:
        body["@iot.nextLink"] = next_link
    body["value"] = groups
    return body
