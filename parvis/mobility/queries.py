"""Reads of the mobility domain: operators and their feeds, imports, bike-share stations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parvis.kernel.pagination import Page
from parvis.mobility.models import BikeStation, Feed, FeedImport, Operator, SharedVehicle


@dataclass(frozen=True)
class FeedView:
    feed: Feed
    operator: Operator
    current: FeedImport | None
    last: FeedImport | None  # the latest attempt, accepted or refused


def list_operators(db: Session) -> list[Operator]:
    return list(db.scalars(select(Operator).order_by(Operator.name)))


def feeds_of(db: Session, operators: list[Operator]) -> dict[int, list[FeedView]]:
    """The feeds of each operator with their import in use and their latest attempt."""
    by_id = {o.id: o for o in operators}
    feeds = db.scalars(
        select(Feed).where(Feed.operator_id.in_(by_id)).order_by(Feed.operator_id, Feed.slug)
    ).all()
    imports = {
        i.id: i
        for i in db.scalars(
            select(FeedImport).where(FeedImport.id.in_([f.current_import_id for f in feeds]))
        )
    }
    latest: dict[int, FeedImport] = {}
    for row in db.scalars(
        select(FeedImport)
        .where(FeedImport.feed_id.in_([f.id for f in feeds]))
        .order_by(FeedImport.id.desc())
    ):
        latest.setdefault(row.feed_id, row)
    out: dict[int, list[FeedView]] = {o: [] for o in by_id}
    for f in feeds:
        current = imports.get(f.current_import_id) if f.current_import_id else None
        out[f.operator_id].append(FeedView(f, by_id[f.operator_id], current, latest.get(f.id)))
    return out


def imports_of(db: Session, feed_id: int, limit: int = 20) -> list[FeedImport]:
    return list(
        db.scalars(
            select(FeedImport)
            .where(FeedImport.feed_id == feed_id)
            .order_by(FeedImport.id.desc())
            .limit(limit)
        )
    )


def get_import(db: Session, import_id: int) -> FeedImport | None:
    return db.get(FeedImport, import_id)


def stations_geojson(db: Session, feed_id: int | None = None) -> dict[str, Any]:
    """Bike-share stations with their live status, as a GeoJSON FeatureCollection."""
    query = (
        select(BikeStation, Feed, Operator)
        .join(Feed, Feed.id == BikeStation.feed_id)
        .join(Operator, Operator.id == Feed.operator_id)
    )
    if feed_id is not None:
        query = query.where(BikeStation.feed_id == feed_id)
    features = [
        {
            "type": "Feature",
            "id": f"{operator.slug}:{s.station_id}",
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": station_properties(s, operator),
        }
        for s, _feed, operator in db.execute(query.order_by(BikeStation.id))
    ]
    return {"type": "FeatureCollection", "features": features}


def station_properties(s: BikeStation, operator: Operator) -> dict[str, Any]:
    return {
        "operator": operator.slug,
        "station_id": s.station_id,
        "name": s.name,
        "capacity": s.capacity,
        "bikes_available": s.bikes_available,
        "mechanical": s.mechanical,
        "ebike": s.ebike,
        "docks_available": s.docks_available,
        "is_renting": s.is_renting,
        "is_returning": s.is_returning,
        "last_reported": s.last_reported.isoformat() if s.last_reported else None,
    }


def find_stations(db: Session, q: str, page: int, size: int) -> Page[tuple[BikeStation, Operator]]:
    """Stations whose name contains `q` (case ignored), by name, a page at a time."""
    query = (
        select(BikeStation, Operator)
        .join(Feed, Feed.id == BikeStation.feed_id)
        .join(Operator, Operator.id == Feed.operator_id)
    )
    if q:
        query = query.where(func.lower(BikeStation.name).contains(q.lower(), autoescape=True))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.execute(
        query.order_by(BikeStation.name, BikeStation.id).offset((page - 1) * size).limit(size)
    )
    return Page(list(rows), total, page, size)


def vehicles_geojson(db: Session) -> dict[str, Any]:
    """Free-floating vehicles available now (neither reserved nor disabled), as GeoJSON."""
    query = (
        select(SharedVehicle, Operator)
        .join(Feed, Feed.id == SharedVehicle.feed_id)
        .join(Operator, Operator.id == Feed.operator_id)
        .where(SharedVehicle.is_reserved.is_(False), SharedVehicle.is_disabled.is_(False))
        .order_by(SharedVehicle.id)
    )
    features = [
        {
            "type": "Feature",
            "id": f"{operator.slug}:{v.vehicle_id}",
            "geometry": {"type": "Point", "coordinates": [v.lon, v.lat]},
            "properties": {
                "operator": operator.slug,
                "vehicle_type_id": v.vehicle_type_id or None,
                "current_range_meters": v.current_range_meters,
                "last_reported": v.last_reported.isoformat() if v.last_reported else None,
            },
        }
        for v, operator in db.execute(query)
    ]
    return {"type": "FeatureCollection", "features": features}
