"""Bike-share stations republished as a GBFS 2.3 feed: what Parvis knows, in the standard any
GBFS client reads (the source feed may be older, or quirky, like Vélib's)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parvis.kernel.errors import NotFound
from parvis.kernel.i18n import gettext as _
from parvis.mobility.models import BikeStation, Feed, FeedKind, Operator

VERSION = "2.3"
TTL = 60
SPDX = {"ODbL 1.0": "ODbL-1.0", "Licence Ouverte / Etalab 2.0": "etalab-2.0"}


def _stations(db: Session, slug: str) -> tuple[list[BikeStation], datetime]:
    operator = db.scalar(select(Operator).where(Operator.slug == slug))
    if operator is None:
        raise NotFound(_("No operator {slug}.").format(slug=slug))
    query = (
        select(BikeStation)
        .join(Feed, Feed.id == BikeStation.feed_id)
        .where(Feed.operator_id == operator.id, Feed.kind == FeedKind.GBFS)
        .order_by(BikeStation.id)
    )
    stations = list(db.scalars(query))
    if not stations:
        raise NotFound(_("This operator has no bike-share stations."))
    updated = db.scalar(
        select(func.max(BikeStation.updated_at)).where(BikeStation.id.in_([s.id for s in stations]))
    )
    return stations, updated or datetime.now(UTC)


def _envelope(data: dict[str, Any], updated: datetime) -> dict[str, Any]:
    return {"last_updated": int(updated.timestamp()), "ttl": TTL, "version": VERSION, "data": data}


def discovery(db: Session, slug: str, base_url: str) -> dict[str, Any]:
    _found, updated = _stations(db, slug)
    root = f"{base_url}/open-data/mobility/{slug}"
    feeds = [
        {"name": name, "url": f"{root}/{name}.json"}
        for name in ("system_information", "station_information", "station_status")
    ]
    return _envelope({"fr": {"feeds": feeds}, "en": {"feeds": feeds}}, updated)


def system_information(db: Session, slug: str) -> dict[str, Any]:
    operator = db.scalar(select(Operator).where(Operator.slug == slug))
    _found, updated = _stations(db, slug)
    assert operator is not None
    data: dict[str, Any] = {
        "system_id": f"parvis-{slug}",
        "language": "fr",
        "name": operator.name,
        "timezone": "Europe/Paris",
    }
    if operator.website:
        data["url"] = operator.website
    if operator.licence in SPDX:
        data["license_id"] = SPDX[operator.licence]
    if operator.attribution:
        data["attribution_organization_name"] = operator.attribution
    return _envelope(data, updated)


def station_information(db: Session, slug: str) -> dict[str, Any]:
    stations, updated = _stations(db, slug)
    rows = []
    for s in stations:
        row: dict[str, Any] = {
            "station_id": s.station_id,
            "name": s.name,
            "lat": s.lat,
            "lon": s.lon,
        }
        if s.capacity is not None:
            row["capacity"] = s.capacity
        if s.address:
            row["address"] = s.address
        rows.append(row)
    return _envelope({"stations": rows}, updated)


def station_status(db: Session, slug: str) -> dict[str, Any]:
    stations, updated = _stations(db, slug)
    rows = []
    for s in stations:
        if s.bikes_available is None:
            continue
        reported = s.last_reported or s.updated_at
        row: dict[str, Any] = {
            "station_id": s.station_id,
            "num_bikes_available": s.bikes_available,
            "is_installed": s.is_installed,
            "is_renting": s.is_renting,
            "is_returning": s.is_returning,
            "last_reported": int(reported.timestamp()),
        }
        if s.docks_available is not None:
            row["num_docks_available"] = s.docks_available
        rows.append(row)
    return _envelope({"stations": rows}, updated)
