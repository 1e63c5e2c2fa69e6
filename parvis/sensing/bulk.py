"""Many Observations at once: `POST CreateObservations` and batches of MQTT messages.

Rows are checked one by one (a bad row gets its error in its slot), then the good ones go in
with one multi-row INSERT per thousand rows, and each (Multi)Datastream's time ranges are
widened once per batch. The FeatureOfInterest of rows that name none is looked up (or
generated) once per stream, not once per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, select

from parvis.sensing import codec
from parvis.sensing.actions import (
    Change,
    Writer,
    check_multi_result,
    extend_stream_times,
    multi_size,
)
from parvis.sensing.areas import widen_observed_areas
from parvis.sensing.fastinsert import insert_rows
from parvis.sensing.mapping import ENTITIES
from parvis.sensing.queries import StaError
from parvis.sensing.sta.dataarray import decode_create_observations
from parvis.sensing.sta.payload import (
    GEOJSON_ENCODINGS,
    Binding,
    Link,
    NewEntity,
    PayloadError,
    parse_id,
    parse_instant,
    parse_time,
)

_CHUNK: Final = 10_000  # rows per COPY / executemany: fewer round trips
_STREAM_COLUMNS: Final = {"Datastream": "datastream_id", "MultiDatastream": "multi_datastream_id"}


def create_observations(writer: Writer, body: object, base: str) -> Any:
    from parvis.sensing.service import Answer

    rows = decode_simple(body)
    if rows is None:
        rows = list(decode_create_observations(body, version=writer.version))
    outcomes = insert_observations(writer, rows)
    slots: list[str] = []
    for outcome in outcomes:
        if isinstance(outcome, int):
            slots.append(f"{base}/Observations({outcome})")
        else:
            slots.append(f"error: {outcome}")
    return Answer(201, slots)


# Components the fast decoder reads itself; anything else goes through the generic checks.
_SIMPLE: Final = frozenset(
    {"phenomenonTime", "result", "resultTime", "FeatureOfInterest/id", "FeatureOfInterest/@iot.id"}
)


def decode_simple(body: object) -> list[NewEntity | PayloadError] | None:
    """The rows of a CreateObservations body whose groups carry only times, results and
    FeatureOfInterest ids: the same checks as `decode_create_observations`, without building
    and walking a JSON object per row (a third of the cost of a large body). None when a
    group needs the generic path (which also words the errors of a malformed body)."""
    if not isinstance(body, list):
        return None
    out: list[NewEntity | PayloadError] = []
    for g, group in enumerate(body):
        if not isinstance(group, dict) or set(group) != {"Datastream", "components", "dataArray"}:
            return None
        link, components, data = group["Datastream"], group["components"], group["dataArray"]
        if not (isinstance(link, dict) and set(link) == {"@iot.id"}):
            return None
        stream = link["@iot.id"]
        if isinstance(stream, bool) or not isinstance(stream, int) or not 0 < stream < 2**63:
            return None
        if (
            not isinstance(components, list)
            or "result" not in components
            or not set(components) <= _SIMPLE
            or len(set(components)) != len(components)
            or not isinstance(data, list)
        ):
            return None
        stream_link = (Link("Datastream", stream),)
        for r, row in enumerate(data):
            out.append(_simple_row(components, row, stream_link, f"[{g}]/dataArray[{r}]"))
    return out


_SIMPLE_MEMBERS: Final = frozenset({"phenomenonTime", "result", "resultTime"})


def simple_observation(body: object, binding: Binding) -> NewEntity | PayloadError | None:
    """An Observation published on `v1.1/Datastreams(id)/Observations` with only times and a
    result (what devices send), checked like `parse_create` would, without its generic walk;
    None when the body needs the generic path."""
    if (
        not isinstance(body, dict)
        or "result" not in body
        or not set(body) <= _SIMPLE_MEMBERS
        or binding.navigation not in _STREAM_COLUMNS
    ):
        return None
    names = list(body)
    return _simple_row(names, [body[n] for n in names], (binding.link,), "")


def _simple_row(
    components: list[str], row: object, stream: tuple[Link], where: str
) -> NewEntity | PayloadError:
    if not isinstance(row, list) or len(row) != len(components):
        return PayloadError(f"a row must be an array of {len(components)} values", where)
    props: dict[str, object] = {"resultTime": None}
    related: dict[str, tuple[NewEntity | Link, ...]] = {stream[0].entity_type: stream}
    try:
        for name, value in zip(components, row, strict=True):
            at = f"{where}/{name}" if where else name
            if name == "phenomenonTime":
                props[name] = parse_time(value, at)
            elif name == "resultTime":
                props[name] = None if value is None else parse_instant(value, at)
            elif name == "result":
                props[name] = value
            else:
                related["FeatureOfInterest"] = (Link("FeatureOfInterest", parse_id(value, at)),)
    except PayloadError as e:
        return e
    defaults = frozenset() if "phenomenonTime" in props else frozenset({"phenomenonTime"})
    return NewEntity("Observation", props, related, defaults)


def insert_observations(
    writer: Writer, rows: Sequence[NewEntity | PayloadError]
) -> list[int | str]:
    """Insert the valid simple rows in bulk and return, per row, its new id or its error.

    A row with nested new entities (a deep insert over MQTT) goes through `Writer.create`
    inside a savepoint, so that its failure leaves the batch intact."""
    conn = writer.conn
    outcomes: list[int | str] = ["" for _ in rows]
    simple_rows = {i: _simple(row) for i, row in enumerate(rows) if isinstance(row, NewEntity)}
    # What the batch needs, each looked up once for all its rows (not once per stream: a batch
    # of 1,000 devices touches 1,000 streams).
    streams = _stream_things(conn, {(s[0], s[1]) for s in simple_rows.values() if s is not None})
    features = _existing_features(
        conn, {s[2] for s in simple_rows.values() if s is not None and s[2] is not None}
    )
    generated = _generated_features(
        writer,
        {(s[0], s[1]) for s in simple_rows.values() if s is not None and s[2] is None}
        & set(streams),
    )
    pending: list[tuple[int, dict[str, Any]]] = []
    sizes: dict[int, int] = {}  # ObservedProperties of each MultiDatastream
    for i, row in enumerate(rows):
        if isinstance(row, PayloadError):
            outcomes[i] = str(row)
            continue
        simple = simple_rows[i]
        if simple is None:
            outcomes[i] = _deep(writer, row)
            continue
        stream, stream_id, feature = simple
        thing = streams.get((stream, stream_id))
        if thing is None or not (writer.viewer.staff or thing in writer.viewer.things):
            outcomes[i] = f"no {stream} with id {stream_id} this account may write to"
            continue
        if stream == "MultiDatastream":
            if stream_id not in sizes:
                sizes[stream_id] = multi_size(conn, stream_id)
            try:
                check_multi_result(conn, stream_id, row, "", sizes[stream_id])
            except PayloadError as e:
                outcomes[i] = str(e)
                continue
        values = codec.to_columns("Observation", row.properties)
        if "phenomenonTime" in row.server_defaults:
            values["phenomenon_time_start"] = values["phenomenon_time_end"] = writer.now
        values[_STREAM_COLUMNS[stream]] = stream_id
        other = "multi_datastream_id" if stream == "Datastream" else "datastream_id"
        values[other] = None
        if feature is None:
            got = generated[(stream, stream_id)]
            if isinstance(got, str):
                outcomes[i] = got
                continue
            values["feature_id"] = got
        elif feature not in features:
            outcomes[i] = f"FeatureOfInterest: no FeatureOfInterest with id {feature}"
            continue
        else:
            values["feature_id"] = feature
        pending.append((i, _EMPTY_ROW | values))
    spans: dict[str, dict[int, list[datetime | None]]] = {"Datastream": {}, "MultiDatastream": {}}
    added: dict[str, dict[int, int]] = {"Datastream": {}, "MultiDatastream": {}}
    seen: dict[str, dict[int, set[int]]] = {"Datastream": {}, "MultiDatastream": {}}
    for start in range(0, len(pending), _CHUNK):
        chunk = pending[start : start + _CHUNK]
        ids = insert_rows(conn, [values for _, values in chunk])
        for (i, values), new_id in zip(chunk, ids, strict=True):
            outcomes[i] = int(new_id)
            values["id"] = int(new_id)
            writer.changes.append(Change("Observation", int(new_id), row=values))
            stream = "Datastream" if values["datastream_id"] is not None else "MultiDatastream"
            sid = values["datastream_id"] or values["multi_datastream_id"]
            span = spans[stream].setdefault(sid, [None, None, None, None])
            added[stream][sid] = added[stream].get(sid, 0) + 1
            seen[stream].setdefault(sid, set()).add(values["feature_id"])
            _widen(
                span,
                values["phenomenon_time_start"],
                values["phenomenon_time_end"],
                values["result_time"],
            )
    for stream, by_id in spans.items():
        if by_id:
            extend_stream_times(
                conn,
                stream,
                {k: (v[0], v[1], v[2], v[3]) for k, v in by_id.items()},  # type: ignore[misc]
                added[stream],
            )
            widen_observed_areas(conn, stream, seen[stream])
    return outcomes


_EMPTY_ROW: Final = {c.key: None for c in ENTITIES["Observation"].table.columns if c.key != "id"}


def _widen(
    span: list[datetime | None], start: datetime, end: datetime, result: datetime | None
) -> None:
    span[0] = start if span[0] is None or start < span[0] else span[0]
    span[1] = end if span[1] is None or end > span[1] else span[1]
    if result is not None:
        span[2] = result if span[2] is None or result < span[2] else span[2]
        span[3] = result if span[3] is None or result > span[3] else span[3]


def _simple(row: NewEntity) -> tuple[str, int, int | None] | None:
    """(stream, id, feature id or None) when the row only links existing entities."""
    stream = next((s for s in _STREAM_COLUMNS if s in row.related), None)
    if stream is None:
        return None
    member = row.related[stream][0]
    if not isinstance(member, Link):
        return None
    foi = row.related.get("FeatureOfInterest")
    if foi is None:
        return stream, member.id, None
    if not isinstance(foi[0], Link):
        return None
    return stream, member.id, foi[0].id


def _stream_things(conn: Connection, keys: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """The Thing of each (Multi)Datastream that exists."""
    found: dict[tuple[str, int], int] = {}
    for stream in _STREAM_COLUMNS:
        ids = sorted(i for s, i in keys if s == stream)
        t = ENTITIES[stream].table
        for chunk in _chunks(ids):
            for stream_id, thing in conn.execute(
                select(t.c.id, t.c.thing_id).where(t.c.id.in_(chunk))
            ):
                found[(stream, int(stream_id))] = int(thing)
    return found


def _existing_features(conn: Connection, ids: set[int]) -> set[int]:
    t = ENTITIES["FeatureOfInterest"].table
    found: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        found.update(int(i) for i in conn.scalars(select(t.c.id).where(t.c.id.in_(chunk))))
    return found


def _generated_features(
    writer: Writer, keys: set[tuple[str, int]]
) -> dict[tuple[str, int], int | str]:
    """The FeatureOfInterest generated from each stream's Thing's Location: read in one query
    for the streams that have one already; generated (once per Location) for the others."""
    conn = writer.conn
    things_locations = ENTITIES["Thing"].relations["Locations"].link
    assert things_locations is not None
    loc = ENTITIES["Location"].table
    out: dict[tuple[str, int], int | str] = {}
    for stream in _STREAM_COLUMNS:
        t = ENTITIES[stream].table
        ids = sorted(i for s, i in keys if s == stream)
        for chunk in _chunks(ids):
            rows = conn.execute(
                select(t.c.id, loc.c.encoding_type, loc.c.generated_feature_id)
                .join(things_locations, things_locations.c.thing_id == t.c.thing_id)
                .join(loc, loc.c.id == things_locations.c.location_id)
                .where(t.c.id.in_(chunk))
                .order_by(t.c.id, loc.c.id)
            ).all()
            for stream_id, encoding, feature in rows:
                key = (stream, int(stream_id))
                if key not in out and encoding in GEOJSON_ENCODINGS and feature is not None:
                    out[key] = int(feature)
    for key in sorted(keys - set(out)):
        column = _STREAM_COLUMNS[key[0]]
        try:
            with conn.begin_nested():
                out[key] = writer._generated_feature({column: key[1]}, "")
        except PayloadError as e:
            out[key] = str(e)
    return out


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _deep(writer: Writer, row: NewEntity) -> int | str:
    try:
        with writer.conn.begin_nested():
            return writer.create(row)
    except PayloadError as e:
        return str(e)
    except StaError as e:
        return e.message
