"""Translatable labels of the sensing domain (message ids are English), results with their
unit, and the SWE Common DataRecord of a TaskingCapability told in words."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from parvis.kernel.i18n import format_number, lazy
from parvis.kernel.i18n import gettext as _

NBSP = "\u00a0"

KIND_LABELS = {
    "sensor": lazy("Sensor"),
    "actuator": lazy("Actuator"),
}

# Task.status, as the device last reported it.
STATUS_LABELS = {
    "pending": lazy("Waiting for the device"),
    "accepted": lazy("Accepted by the device"),
    "running": lazy("Being carried out"),
    "done": lazy("Carried out"),
    "failed": lazy("Failed"),
    "rejected": lazy("Refused by the device"),
}

# SWE Common 2.0 simple components.
TYPE_LABELS = {
    "Count": lazy("whole number"),
    "Quantity": lazy("number"),
    "Boolean": lazy("yes or no"),
    "Category": lazy("choice"),
    "Text": lazy("text"),
    "Time": lazy("date and time"),
    "DataRecord": lazy("group of values"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def unit_symbol(unit: object) -> str:
    """The symbol of a Datastream's unitOfMeasurement (its name when it has no symbol)."""
    if isinstance(unit, dict):
        for key in ("symbol", "name"):
            value = unit.get(key)
            if isinstance(value, str) and value:
                return value
    return ""


def with_unit(number: str, unit: str) -> str:
    return f"{number}{NBSP}{unit}" if unit else number


def format_result(value: object, unit: str = "") -> str:
    """An Observation's result as a reader expects it: numbers in the page's language with
    their unit, yes or no, text as it is, documents as compact JSON."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return with_unit(format_number(value), unit)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ": "))[:200]


# -- tasking parameters ------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """One field of a tasking DataRecord, in words."""

    name: str
    label: str
    description: str
    expected: str  # the kind of value, its allowed values or interval and its unit
    unit: str
    optional: bool


def _uom(field: dict[str, Any]) -> str:
    uom = field.get("uom")
    if not isinstance(uom, dict):
        return ""
    for key in ("symbol", "code"):
        value = uom.get(key)
        if isinstance(value, str) and value:
            return value
    href = uom.get("href")
    if isinstance(href, str) and href:
        return href.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return ""


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def _intervals(raw: object) -> list[tuple[object, object]]:
    if not isinstance(raw, list) or not raw:
        return []
    if len(raw) == 2 and not any(isinstance(x, list) for x in raw):
        return [(raw[0], raw[1])]  # a single interval written flat: [0, 100]
    return [(x[0], x[1]) for x in raw if isinstance(x, list) and len(x) == 2]


def _allowed(field: dict[str, Any], unit: str) -> str:
    constraint = field.get("constraint")
    if not isinstance(constraint, dict):
        return _("in %(unit)s") % {"unit": unit} if unit else ""
    parts: list[str] = []
    values = constraint.get("value", constraint.get("values"))
    if isinstance(values, list) and values:
        shown = ", ".join(_scalar(v) for v in values)
        parts.append(_("one of: %(values)s") % {"values": with_unit(shown, unit)})
    for low, high in _intervals(constraint.get("interval", constraint.get("intervals"))):
        parts.append(
            _("from %(low)s to %(high)s")
            % {"low": _scalar(low), "high": with_unit(_scalar(high), unit)}
        )
    pattern = constraint.get("pattern")
    if isinstance(pattern, str) and pattern:
        parts.append(_("matching the pattern %(pattern)s") % {"pattern": pattern})
    if not parts and unit:
        return _("in %(unit)s") % {"unit": unit}
    return (" " + _("or") + " ").join(parts)


def _fields(record: object) -> list[dict[str, Any]]:
    if not isinstance(record, dict):
        return []
    fields = record.get("field", record.get("fields"))
    return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def describe_parameters(record: object, prefix: str = "") -> list[Parameter]:
    """The fields of a SWE Common DataRecord (as in TaskingCapability.taskingParameters), one
    line each; the fields of a nested record follow with their parent's label before theirs."""
    out: list[Parameter] = []
    for field in _fields(record):
        name = str(field.get("name", ""))
        label = str(field.get("label") or name)
        if prefix:
            label = f"{prefix} › {label}"
        kind = str(field.get("type", ""))
        if kind == "DataRecord":
            out.extend(describe_parameters(field, label))
            continue
        unit = _uom(field)
        words = _(TYPE_LABELS[kind]) if kind in TYPE_LABELS else kind
        allowed = _allowed(field, unit)
        out.append(
            Parameter(
                name=name,
                label=label,
                description=str(field.get("description", "")),
                expected=f"{words}, {allowed}" if words and allowed else words or allowed,
                unit=unit,
                optional=bool(field.get("optional", False)),
            )
        )
    return out


def describe_task(values: object, record: object) -> list[str]:
    """A Task's parameters as `label: value unit`, labelled from its capability's DataRecord."""
    if not isinstance(values, dict):
        return [format_result(values)] if values is not None else []
    known = {str(f.get("name", "")): f for f in _fields(record)}
    out = []
    for name, value in values.items():
        field = known.get(str(name), {})
        label = str(field.get("label") or name)
        out.append(
            _("%(label)s: %(value)s") % {"label": label, "value": format_result(value, _uom(field))}
        )
    return out
