"""Reads for residents' pages and the rest of Parvis (not the SensorThings protocol): the map of
sensors, a Datastream's series, an actuator's tasks, a project's Things, objective feeds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, column, func, select, table
from sqlalchemy.orm import Session

from parvis.kernel.errors import InvalidInput, NotFound
from parvis.sensing import codec
from parvis.sensing.models import (
    Datastream,
    Location,
    ObjectiveFeed,
    Observation,
    ObservedProperty,
    Sensor,
    Task,
    TaskingCapability,
    Thing,
    ThingLocation,
)

AGGREGATES: Final = ("latest", "mean", "min", "max", "sum")
MAX_POINTS: Final = 2000  # a chart draws at most this many points; longer periods are averaged


@dataclass(frozen=True)
class ThingSummary:
    id: int
    name: str
    description: str
    kind: str  # "sensor" or "actuator"
    datastreams: int
    lat: float | None
    lon: float | None
    properties: dict[str, Any]


def _point(geojson: Any) -> tuple[float, float] | None:
    """(lat, lon) of a GeoJSON Point or Feature with a Point geometry."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if isinstance(geojson, dict) and geojson.get("type") == "Point":
        coords = geojson.get("coordinates")
        if isinstance(coords, list) and len(coords) >= 2:
            return float(coords[1]), float(coords[0])
    return None


def public_things(db: Session, *, project_id: int | None = None) -> list[ThingSummary]:
    """Public Things with their first Point location, sensors and actuators apart."""
    ds_count = (
        select(Datastream.thing_id, func.count().label("n"))
        .group_by(Datastream.thing_id)
        .subquery()
    )
    caps = select(TaskingCapability.thing_id).distinct().subquery()
    stmt = (
        select(Thing, ds_count.c.n, caps.c.thing_id)
        .outerjoin(ds_count, ds_count.c.thing_id == Thing.id)
        .outerjoin(caps, caps.c.thing_id == Thing.id)
        .where(Thing.private.is_(False))
        .order_by(Thing.name, Thing.id)
    )
    if project_id is not None:
        stmt = stmt.where(Thing.project_id == project_id)
    rows = db.execute(stmt).all()
    places: dict[int, tuple[float, float]] = {}
    ids = [r[0].id for r in rows]
    for thing_id, geo in db.execute(
        select(ThingLocation.thing_id, Location.location)
        .join(Location, Location.id == ThingLocation.location_id)
        .where(ThingLocation.thing_id.in_(ids))
        .order_by(Location.id)
    ):
        if thing_id not in places and (p := _point(geo)) is not None:
            places[thing_id] = p
    out = []
    for thing, n, cap in rows:
        lat, lon = places.get(thing.id, (None, None))
        props = thing.properties if isinstance(thing.properties, dict) else {}
        out.append(
            ThingSummary(
                thing.id,
                thing.name,
                thing.description,
                "actuator" if cap is not None else "sensor",
                n or 0,
                lat,
                lon,
                props,
            )
        )
    return out


def things_geojson(db: Session) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [t.lon, t.lat]},
            "properties": {
                "id": t.id,
                "name": t.name,
                "kind": t.kind,
                "datastreams": t.datastreams,
                "url": f"/sensing/things/{t.id}",
            },
        }
        for t in public_things(db)
        if t.lat is not None and t.lon is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def public_thing(db: Session, thing_id: int) -> Thing:
    thing = db.get(Thing, thing_id)
    if thing is None or thing.private:
        raise NotFound("No such sensor.")
    return thing


def datastreams_of(db: Session, thing_id: int) -> list[tuple[Datastream, ObservedProperty]]:
    return [
        (ds, op)
        for ds, op in db.execute(
            select(Datastream, ObservedProperty)
            .join(ObservedProperty, ObservedProperty.id == Datastream.observed_property_id)
            .where(Datastream.thing_id == thing_id)
            .order_by(Datastream.name, Datastream.id)
        ).all()
    ]


def public_datastream(db: Session, datastream_id: int) -> tuple[Datastream, Thing]:
    row = db.execute(
        select(Datastream, Thing)
        .join(Thing, Thing.id == Datastream.thing_id)
        .where(Datastream.id == datastream_id)
    ).one_or_none()
    if row is None or row[1].private:
        raise NotFound("No such datastream.")
    return row[0], row[1]


def latest_observation(db: Session, datastream_id: int) -> tuple[datetime, object] | None:
    obs = db.scalars(
        select(Observation)
        .where(Observation.datastream_id == datastream_id)
        .order_by(Observation.phenomenon_time_start.desc(), Observation.id.desc())
        .limit(1)
    ).first()
    if obs is None:
        return None
    return obs.phenomenon_time_start, codec.read_result(
        {
            "result_type": obs.result_type,
            "result_string": obs.result_string,
            "result_number": obs.result_number,
            "result_boolean": obs.result_boolean,
            "result_json": obs.result_json,
        }
    )


def series(
    db: Session, datastream_id: int, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    """Numeric observations of a period, averaged into at most MAX_POINTS buckets."""
    rows = db.execute(
        select(Observation.phenomenon_time_start, Observation.result_number)
        .where(
            Observation.datastream_id == datastream_id,
            Observation.phenomenon_time_start >= start,
            Observation.phenomenon_time_start < end,
            Observation.result_number.is_not(None),
        )
        .order_by(Observation.phenomenon_time_start, Observation.id)
    ).all()
    points = [
        (t if t.tzinfo else t.replace(tzinfo=UTC), float(v)) for t, v in rows if v is not None
    ]
    if len(points) <= MAX_POINTS:
        return points
    span = (end - start) / MAX_POINTS
    buckets: dict[int, list[float]] = {}
    for t, v in points:
        buckets.setdefault(int((t - start) / span), []).append(v)
    return [(start + span * (k + 0.5), sum(vs) / len(vs)) for k, vs in sorted(buckets.items())]


def tasks_of_thing(
    db: Session, thing_id: int, limit: int = 50
) -> list[tuple[Task, TaskingCapability]]:
    return [
        (task, cap)
        for task, cap in db.execute(
            select(Task, TaskingCapability)
            .join(TaskingCapability, TaskingCapability.id == Task.tasking_capability_id)
            .where(TaskingCapability.thing_id == thing_id)
            .order_by(Task.creation_time.desc(), Task.id.desc())
            .limit(limit)
        ).all()
    ]


def capabilities_of(db: Session, thing_id: int) -> list[TaskingCapability]:
    return list(
        db.scalars(
            select(TaskingCapability)
            .where(TaskingCapability.thing_id == thing_id)
            .order_by(TaskingCapability.id)
        )
    )


# -- objective feeds ---------------------------------------------------------------------------

_OBJECTIVES = table("objectives", column("id"), column("project_id"))


@dataclass(frozen=True)
class FeedMeasured:
    """A Datastream measured a project objective (published after commit; app.py records it
    with the indicators domain)."""

    objective_id: int
    value: float
    measured_on: date


def attach_feed(
    db: Session, objective_id: int, datastream_id: int, aggregate: str, period_days: int
) -> ObjectiveFeed:
    if aggregate not in AGGREGATES:
        raise InvalidInput(f"aggregate must be one of {', '.join(AGGREGATES)}")
    if not 1 <= period_days <= 366:
        raise InvalidInput("period_days must be between 1 and 366")
    if db.execute(select(_OBJECTIVES.c.id).where(_OBJECTIVES.c.id == objective_id)).first() is None:
        raise NotFound("No such objective.")
    if db.get(Datastream, datastream_id) is None:
        raise NotFound("No such datastream.")
    feed = db.scalar(select(ObjectiveFeed).where(ObjectiveFeed.objective_id == objective_id))
    if feed is None:
        feed = ObjectiveFeed(objective_id=objective_id)
        db.add(feed)
    feed.datastream_id = datastream_id
    feed.aggregate = aggregate
    feed.period_days = period_days
    db.commit()
    return feed


def measure_feed(conn: Connection | Session, feed: ObjectiveFeed, now: datetime) -> float | None:
    """The value a feed gives now: the latest numeric result, or an aggregate over the last
    `period_days` days (None when the Datastream has nothing numeric in that period)."""
    where = [
        Observation.datastream_id == feed.datastream_id,
        Observation.result_number.is_not(None),
    ]
    if feed.aggregate == "latest":
        value = conn.scalar(
            select(Observation.result_number)
            .where(*where)
            .order_by(Observation.phenomenon_time_start.desc(), Observation.id.desc())
            .limit(1)
        )
        return None if value is None else float(value)
    since = now - timedelta(days=feed.period_days)
    column = Observation.result_number
    aggregate = {
        "mean": func.avg(column),
        "min": func.min(column),
        "max": func.max(column),
        "sum": func.sum(column),
    }[feed.aggregate]
    value = conn.scalar(
        select(aggregate).where(
            *where,
            Observation.phenomenon_time_start >= since,
            Observation.phenomenon_time_start <= now,
        )
    )
    return None if value is None else float(value)


def measure_feeds(db: Session, now: datetime | None = None) -> list[FeedMeasured]:
    now = now or datetime.now(UTC)
    out = []
    for feed in db.scalars(select(ObjectiveFeed).order_by(ObjectiveFeed.id)):
        value = measure_feed(db, feed, now)
        if value is not None:
            out.append(FeedMeasured(feed.objective_id, round(value, 4), now.date()))
    return out


# -- reads of the public pages (sensing/pages.py) -----------------------------------------------


def datastreams_of_things(
    db: Session, thing_ids: list[int]
) -> list[tuple[Datastream, ObservedProperty]]:
    """The Datastreams of several Things with what each observes, by Thing then name."""
    return [
        (ds, op)
        for ds, op in db.execute(
            select(Datastream, ObservedProperty)
            .join(ObservedProperty, ObservedProperty.id == Datastream.observed_property_id)
            .where(Datastream.thing_id.in_(thing_ids))
            .order_by(Datastream.thing_id, Datastream.name, Datastream.id)
        ).all()
    ]


def latest_observations(
    db: Session, datastream_ids: list[int]
) -> dict[int, tuple[datetime, object]]:
    """The latest Observation of each Datastream (one index range scan each), by Datastream."""
    latest_id = (
        select(Observation.id)
        .where(Observation.datastream_id == Datastream.id)
        .order_by(Observation.phenomenon_time_start.desc(), Observation.id.desc())
        .limit(1)
        .correlate(Datastream)
        .scalar_subquery()
    )
    ids = [i for i in db.scalars(select(latest_id).where(Datastream.id.in_(datastream_ids))) if i]
    out: dict[int, tuple[datetime, object]] = {}
    for obs in db.scalars(select(Observation).where(Observation.id.in_(ids))):
        if obs.datastream_id is not None:
            out[obs.datastream_id] = (obs.phenomenon_time_start, _result_of(obs))
    return out


def _result_of(obs: Observation) -> object:
    return codec.read_result(
        {
            "result_type": obs.result_type,
            "result_string": obs.result_string,
            "result_number": obs.result_number,
            "result_boolean": obs.result_boolean,
            "result_json": obs.result_json,
        }
    )


def capabilities_of_things(db: Session, thing_ids: list[int]) -> dict[int, list[TaskingCapability]]:
    out: dict[int, list[TaskingCapability]] = {}
    for cap in db.scalars(
        select(TaskingCapability)
        .where(TaskingCapability.thing_id.in_(thing_ids))
        .order_by(TaskingCapability.thing_id, TaskingCapability.id)
    ):
        out.setdefault(cap.thing_id, []).append(cap)
    return out


def latest_tasks(db: Session, thing_ids: list[int]) -> dict[int, Task]:
    """The latest Task of each actuator Thing, by Thing."""
    out: dict[int, Task] = {}
    for task, thing_id in db.execute(
        select(Task, TaskingCapability.thing_id)
        .join(TaskingCapability, TaskingCapability.id == Task.tasking_capability_id)
        .where(TaskingCapability.thing_id.in_(thing_ids))
        .order_by(TaskingCapability.thing_id, Task.creation_time.desc(), Task.id.desc())
    ):
        out.setdefault(thing_id, task)
    return out


def places_of(db: Session, thing_id: int) -> list[tuple[Location, tuple[float, float] | None]]:
    """A Thing's Locations, each with its (lat, lon) when it is a GeoJSON Point."""
    return [
        (location, _point(location.location))
        for location in db.scalars(
            select(Location)
            .join(ThingLocation, ThingLocation.location_id == Location.id)
            .where(ThingLocation.thing_id == thing_id)
            .order_by(Location.id)
        )
    ]


def datastream_parts(db: Session, ds: Datastream) -> tuple[ObservedProperty, Sensor]:
    """What a Datastream observes and with which Sensor."""
    op = db.get(ObservedProperty, ds.observed_property_id)
    sensor = db.get(Sensor, ds.sensor_id)
    if op is None or sensor is None:
        raise NotFound("No such datastream.")
    return op, sensor


def count_numeric(db: Session, datastream_id: int, start: datetime, end: datetime) -> int:
    """How many numeric Observations `series` reads for this period (before averaging)."""
    return int(
        db.scalar(
            select(func.count()).where(
                Observation.datastream_id == datastream_id,
                Observation.phenomenon_time_start >= start,
                Observation.phenomenon_time_start < end,
                Observation.result_number.is_not(None),
            )
        )
        or 0
    )


def observations_between(
    db: Session, datastream_id: int, start: datetime, end: datetime, chunk: int = 5000
) -> Iterator[tuple[datetime, datetime, datetime | None, object]]:
    """The raw Observations of a period as (phenomenon start, end, result time, result), in
    time order, read in chunks (for downloads)."""
    stmt = (
        select(Observation)
        .where(
            Observation.datastream_id == datastream_id,
            Observation.phenomenon_time_start >= start,
            Observation.phenomenon_time_start < end,
        )
        .order_by(Observation.phenomenon_time_start, Observation.id)
        .execution_options(yield_per=chunk)
    )
    for obs in db.scalars(stmt):
        yield obs.phenomenon_time_start, obs.phenomenon_time_end, obs.result_time, _result_of(obs)
