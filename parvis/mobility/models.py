"""Operators of the territory, their feeds, every import of a feed, and bike-share stations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parvis.kernel.db import Base, utcnow


class OperatorKind(StrEnum):
    TRANSIT = "transit"  # public transport
    BIKESHARE = "bikeshare"
    OTHER = "other"


class FeedKind(StrEnum):
    GTFS = "gtfs"
    GBFS = "gbfs"


class ImportStatus(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"  # the previous accepted import stays in use


class Operator(Base):
    __tablename__ = "mobility_operators"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OperatorKind] = mapped_column(String(16))
    website: Mapped[str] = mapped_column(String(300), default="")
    licence: Mapped[str] = mapped_column(String(120), default="")
    attribution: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feed(Base):
    __tablename__ = "mobility_feeds"
    __table_args__ = (UniqueConstraint("operator_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(
        ForeignKey("mobility_operators.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(40))
    kind: Mapped[FeedKind] = mapped_column(String(8))
    source_url: Mapped[str] = mapped_column(String(500), default="")
    # GBFS feeds with a source URL are polled this often (at least their own `ttl`).
    poll_seconds: Mapped[int] = mapped_column(default=60)
    # The import in use; no foreign key, so that feeds and imports do not depend on each
    # other (imports are only ever deleted with their feed).
    current_import_id: Mapped[int | None]
    last_polled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedImport(Base):
    """One attempt to import a feed, accepted or refused, with what was found wrong in it."""

    __tablename__ = "mobility_feed_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(
        ForeignKey("mobility_feeds.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ImportStatus] = mapped_column(String(10))
    # The file as received (GTFS zip) or the normalised snapshot (GBFS), for open data.
    file_key: Mapped[str | None] = mapped_column(String(220))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    error_count: Mapped[int]
    warning_count: Mapped[int]
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    note: Mapped[str] = mapped_column(Text, default="")


class BikeStation(Base):
    """A bike-share station and its last known status (replaced at every poll)."""

    __tablename__ = "mobility_bike_stations"
    __table_args__ = (UniqueConstraint("feed_id", "station_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(
        ForeignKey("mobility_feeds.id", ondelete="CASCADE"), index=True
    )
    station_id: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float]
    lon: Mapped[float]
    capacity: Mapped[int | None]
    address: Mapped[str] = mapped_column(String(300), default="")
    bikes_available: Mapped[int | None]
    docks_available: Mapped[int | None]
    mechanical: Mapped[int | None]
    ebike: Mapped[int | None]
    is_installed: Mapped[bool] = mapped_column(default=True)
    is_renting: Mapped[bool] = mapped_column(default=False)
    is_returning: Mapped[bool] = mapped_column(default=False)
    last_reported: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SharedVehicle(Base):
    """A free-floating vehicle (bike, scooter...) of a GBFS feed, where it was last seen;
    the feed's rows are replaced at every poll."""

    __tablename__ = "mobility_vehicles"
    __table_args__ = (UniqueConstraint("feed_id", "vehicle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(
        ForeignKey("mobility_feeds.id", ondelete="CASCADE"), index=True
    )
    vehicle_id: Mapped[str] = mapped_column(String(120))
    vehicle_type_id: Mapped[str] = mapped_column(String(80), default="")
    lat: Mapped[float]
    lon: Mapped[float]
    is_reserved: Mapped[bool] = mapped_column(default=False)
    is_disabled: Mapped[bool] = mapped_column(default=False)
    current_range_meters: Mapped[float | None]
    last_reported: Mapped[datetime | None]
