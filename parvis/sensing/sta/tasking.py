"""A Task's taskingParameters checked against its TaskingCapability (17-079 §7).

A capability describes its parameters as an SWE Common JSON `DataRecord`: a list of `field`s,
each with a `name`, a `type` (Boolean, Count, Quantity, Category, Text, Time) and optionally
a `constraint` (`AllowedValues` with `interval`s or `value`s, `AllowedTokens` with `value`s or
a `pattern`) and `optional: true`. A Task gives `{name: value}` for those fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from parvis.sensing.sta.payload import PayloadError

FIELD_TYPES: Final = frozenset({"Boolean", "Count", "Quantity", "Category", "Text", "Time"})


def _where(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def check_capability(schema: object, path: str = "taskingParameters") -> None:
    """A capability's own taskingParameters must be a DataRecord we can check Tasks against."""
    if not isinstance(schema, Mapping):
        raise PayloadError("expected an SWE Common DataRecord object", path)
    fields = schema.get("field")
    if not isinstance(fields, list) or not fields:
        raise PayloadError("a DataRecord needs a non-empty 'field' array", path)
    names: set[str] = set()
    for i, spec in enumerate(fields):
        where = f"{path}/field[{i}]"
        if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
            raise PayloadError("each field needs a 'name'", where)
        if spec.get("type") not in FIELD_TYPES:
            known = ", ".join(sorted(FIELD_TYPES))
            raise PayloadError(f"unknown field type {spec.get('type')!r} (one of {known})", where)
        if spec["name"] in names:
            raise PayloadError(f"field {spec['name']!r} given twice", where)
        names.add(spec["name"])


def check_task_parameters(schema: object, params: object, path: str = "taskingParameters") -> None:
    """Raise PayloadError unless `params` fits the capability's DataRecord `schema`."""
    if not isinstance(params, Mapping):
        raise PayloadError("expected a JSON object of parameter values", path)
    if not isinstance(schema, Mapping) or not isinstance(schema.get("field"), list):
        return  # a capability without a DataRecord accepts any parameters
    fields = {f["name"]: f for f in schema["field"] if isinstance(f, Mapping) and "name" in f}
    for name in params:
        if name not in fields:
            known = ", ".join(sorted(fields))
            raise PayloadError(f"unknown parameter {name!r} (this capability takes: {known})", path)
    for name, spec in fields.items():
        if name not in params:
            if not spec.get("optional", False):
                raise PayloadError(f"missing parameter {name!r}", path)
            continue
        _check_value(spec, params[name], _where(path, name))


def _check_value(spec: Mapping[str, Any], value: object, where: str) -> None:
    kind = spec.get("type")
    if kind == "Boolean":
        if not isinstance(value, bool):
            raise PayloadError("expected true or false", where)
        return
    if kind in ("Count", "Quantity"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PayloadError("expected a number", where)
        if kind == "Count" and not (isinstance(value, int) or float(value).is_integer()):
            raise PayloadError("expected a whole number", where)
        _check_number(spec.get("constraint"), float(value), where)
        return
    if kind == "Time":
        if not isinstance(value, str):
            raise PayloadError("expected an ISO 8601 time", where)
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise PayloadError("expected an ISO 8601 time", where) from None
        return
    if not isinstance(value, str):
        raise PayloadError("expected a string", where)
    _check_token(spec.get("constraint"), value, where)


def _intervals(raw: object) -> list[tuple[float, float]]:
    if not isinstance(raw, list) or not raw:
        return []
    if all(isinstance(x, int | float) for x in raw) and len(raw) == 2:
        raw = [raw]  # [0, 100] as well as [[0, 100]]
    out = []
    for pair in raw:
        if isinstance(pair, list) and len(pair) == 2:
            out.append((float(pair[0]), float(pair[1])))
    return out


def _check_number(constraint: object, value: float, where: str) -> None:
    if not isinstance(constraint, Mapping):
        return
    intervals = _intervals(constraint.get("interval"))
    values = constraint.get("value")
    allowed: Sequence[object] = values if isinstance(values, list) else []
    if not intervals and not allowed:
        return
    if any(lo <= value <= hi for lo, hi in intervals) or value in allowed:
        return
    ranges = [f"{lo:g}–{hi:g}" for lo, hi in intervals] + [str(v) for v in allowed]
    raise PayloadError(f"{value:g} is outside the allowed values ({', '.join(ranges)})", where)


def _check_token(constraint: object, value: str, where: str) -> None:
    if not isinstance(constraint, Mapping):
        return
    values = constraint.get("value")
    if isinstance(values, list) and values and value not in values:
        allowed = ", ".join(str(v) for v in values)
        raise PayloadError(f"{value!r} is not one of the allowed values ({allowed})", where)
    pattern = constraint.get("pattern")
    if isinstance(pattern, str) and re.fullmatch(pattern, value) is None:
        raise PayloadError(f"{value!r} does not match the pattern {pattern}", where)
