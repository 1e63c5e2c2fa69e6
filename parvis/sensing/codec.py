"""Between SensorThings JSON values and table columns, both ways (see mapping.py)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Column, Table

from parvis.sensing.mapping import ENTITIES, Storage
from parvis.sensing.models import ResultType
from parvis.sensing.sta.payload import Interval

INT64: Final = 2**63


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def load_json(raw: bytes | str) -> Any:
    """Strict JSON: Python's parser accepts NaN and Infinity, which no JSON column can hold."""
    return json.loads(raw, parse_constant=_no_constant)


def format_time(value: datetime) -> str:
    """One fixed-width UTC format with milliseconds: clients (and the official tests) compare
    times as text, which only orders correctly when every time has the same width."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def format_interval(start: datetime | None, end: datetime | None) -> str | None:
    if start is None or end is None:
        return None
    return f"{format_time(start)}/{format_time(end)}"


def result_columns(value: object) -> dict[str, Any]:
    """The typed result columns of an Observation result (integers stay exact as text)."""
    row: dict[str, Any] = {
        "result_type": ResultType.NULL,
        "result_number": None,
        "result_string": None,
        "result_boolean": None,
        "result_json": None,
    }
    if value is None:
        return row
    if isinstance(value, bool):
        row.update(result_type=ResultType.BOOLEAN, result_boolean=value)
    elif isinstance(value, int):
        row.update(result_type=ResultType.INTEGER, result_number=float(value))
        row["result_string"] = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a result must be a finite number")
        row.update(result_type=ResultType.FLOAT, result_number=value, result_string=repr(value))
    elif isinstance(value, str):
        row.update(result_type=ResultType.STRING, result_string=value)
    else:
        row.update(result_type=ResultType.JSON, result_json=value)
    return row


def read_result(row: Mapping[Any, Any]) -> object:
    kind = row["result_type"]
    if kind == ResultType.INTEGER:
        return int(row["result_string"])
    if kind == ResultType.FLOAT:
        text = row["result_string"]
        return float(text) if text is not None else row["result_number"]
    if kind == ResultType.STRING:
        return row["result_string"]
    if kind == ResultType.BOOLEAN:
        return bool(row["result_boolean"])
    if kind == ResultType.JSON:
        return row["result_json"]
    return None


def to_columns(entity_type: str, properties: Mapping[str, object]) -> dict[str, Any]:
    """Column values for parsed property values (as `payload.parse_create` gives them)."""
    props = ENTITIES[entity_type].properties
    row: dict[str, Any] = {}
    for name, value in properties.items():
        spec = props[name]
        if spec.storage is Storage.ID:
            continue
        if spec.storage is Storage.COLUMN:
            row[spec.column] = value
        elif spec.storage is Storage.INTERVAL:
            start, end = (value.start, value.end) if isinstance(value, Interval) else (None, None)
            row[f"{spec.column}_start"] = start
            row[f"{spec.column}_end"] = end
        elif spec.storage is Storage.PHENOMENON:
            if isinstance(value, Interval):
                row["phenomenon_time_start"], row["phenomenon_time_end"] = value.start, value.end
            else:
                row["phenomenon_time_start"] = row["phenomenon_time_end"] = value
        elif spec.storage is Storage.RESULT:
            row.update(result_columns(value))
    return row


def columns_for(entity_type: str, table: Table, names: tuple[str, ...] | None) -> list[Column[Any]]:
    """The columns to read for the given properties (None: all of them); always the id."""
    props = ENTITIES[entity_type].properties
    wanted = list(props) if names is None else ["id", *names]
    columns: dict[str, Column[Any]] = {}
    for name in wanted:
        spec = props.get(name)
        if spec is None:
            continue
        if spec.storage in (Storage.ID, Storage.COLUMN):
            keys = [spec.column]
        elif spec.storage in (Storage.INTERVAL, Storage.PHENOMENON):
            keys = [f"{spec.column}_start", f"{spec.column}_end"]
        else:
            keys = ["result_type", "result_number", "result_string", "result_boolean"]
            keys.append("result_json")
        for key in keys:
            columns[key] = table.c[key]
    return list(columns.values())


def read_property(entity_type: str, name: str, row: Mapping[Any, Any]) -> object:
    """The JSON value of one property of a row read with `columns_for`."""
    spec = ENTITIES[entity_type].properties[name]
    if spec.storage is Storage.ID:
        return row["id"]
    if spec.storage is Storage.COLUMN:
        value = row[spec.column]
        return format_time(value) if isinstance(value, datetime) else value
    if spec.storage is Storage.INTERVAL:
        return format_interval(row[f"{spec.column}_start"], row[f"{spec.column}_end"])
    if spec.storage is Storage.PHENOMENON:
        start, end = row["phenomenon_time_start"], row["phenomenon_time_end"]
        if start is None:
            return None
        return format_time(start) if start == end else format_interval(start, end)
    return read_result(row)


def value_text(value: object) -> str:
    """`$value`: strings as they are, documents as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
