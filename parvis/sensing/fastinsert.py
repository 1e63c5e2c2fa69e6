"""Observations into the table at the database's own speed.

SQLAlchemy's executemany spends about 40 µs of Python per row on type processing, which caps
ingestion near 25,000 rows/s whatever the database can do. Observations are the one table that
grows by millions of rows, so their rows go straight to the driver, inside the caller's
transaction: PostgreSQL's COPY (ids drawn from the sequence first, so each row's id is known),
and SQLite's executemany (rows get consecutive rowids: the transaction holds the write lock and
the table has no AUTOINCREMENT, so the ids are the last rowid and the n - 1 before it).
The values are written in the very formats SQLAlchemy's types use, so reads see no difference.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, cast

from sqlalchemy import Connection, Table, text

from parvis.sensing.models import Observation

TABLE: Final = cast(Table, Observation.__table__)
COLUMNS: Final = tuple(c.key for c in TABLE.columns if c.key != "id")
_JSON: Final = frozenset({"result_json", "result_quality", "parameters"})
_TIMES: Final = frozenset(
    {
        "phenomenon_time_start",
        "phenomenon_time_end",
        "result_time",
        "valid_time_start",
        "valid_time_end",
    }
)


def _sqlite_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    v = value.astimezone(UTC)
    return f"{v:%Y-%m-%d %H:%M:%S}.{v.microsecond:06d}"  # SQLAlchemy's SQLite DATETIME text


def _json_text(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def insert_rows(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert Observation rows (every column but id) and return their new ids in order."""
    if not rows:
        return []
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return _copy(conn, rows)
    if dialect == "sqlite":
        return _sqlite(conn, rows)
    ids = conn.execute(
        TABLE.insert().returning(TABLE.c.id, sort_by_parameter_order=True), list(rows)
    ).scalars()
    return [int(i) for i in ids]


# PostgreSQL types of COLUMNS, for a binary COPY (no text to format and parse for each value).
_PG_TYPES: Final = {
    "phenomenon_time_start": "timestamptz",
    "phenomenon_time_end": "timestamptz",
    "result_time": "timestamptz",
    "valid_time_start": "timestamptz",
    "valid_time_end": "timestamptz",
    "result_type": "int2",
    "result_number": "float8",
    "result_string": "text",
    "result_boolean": "bool",
    "result_json": "json",
    "result_quality": "json",
    "parameters": "json",
    "datastream_id": "int8",
    "multi_datastream_id": "int8",
    "feature_id": "int8",
}


def _copy(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    from psycopg.types.json import Json

    ids = [
        int(i)
        for i in conn.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('sta_observations', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": len(rows)},
        ).scalars()
    ]
    driver = conn.connection.driver_connection
    assert driver is not None
    columns = ", ".join(("id", *COLUMNS))
    json_at = [i for i, c in enumerate(COLUMNS, start=1) if c in _JSON]
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY sta_observations ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(["int8", *(_PG_TYPES[c] for c in COLUMNS)])
        for new_id, row in zip(ids, rows, strict=True):
            values = [new_id, *map(row.get, COLUMNS)]
            for i in json_at:
                if values[i] is not None:
                    values[i] = Json(values[i])
            copy.write_row(values)
    return ids


def _sqlite(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    driver = conn.connection.driver_connection
    assert driver is not None
    marks = ", ".join("?" for _ in COLUMNS)
    sql = f"INSERT INTO sta_observations ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608
    params = [
        tuple(
            _sqlite_time(row.get(c))
            if c in _TIMES
            else _json_text(row.get(c))
            if c in _JSON
            else row.get(c)
            for c in COLUMNS
        )
        for row in rows
    ]
    cursor = driver.cursor()
    try:
        cursor.executemany(sql, params)
        last = int(cursor.execute("SELECT last_insert_rowid()").fetchone()[0])
    finally:
        cursor.close()
    return list(range(last - len(rows) + 1, last + 1))
