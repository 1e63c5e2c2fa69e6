"""The tables behind the SensorThings API: sensing (18-088), MultiDatastreams and tasking (17-079),
plus the per-device credentials.

Ids are 64-bit (BIGINT on PostgreSQL; SQLite's INTEGER PRIMARY KEY is already 64-bit and only
that spelling auto-increments). JSON documents are stored as the client sent them (plain JSON,
not JSONB, which would reorder keys). An Observation keeps its result in typed columns: the
number for numeric comparison and ordering, and the exact text for output (64-bit integers stay
exact) and for comparisons with a string literal, as the official tests expect.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parvis.kernel.db import Base, UTCDateTime, utcnow

BigId: Final = BigInteger().with_variant(Integer(), "sqlite")
# Python None is SQL NULL (not the JSON text 'null'): `parameters eq null` and IS NULL agree.
Json: Final = JSON(none_as_null=True)


# SQLite reuses the largest id of a deleted row; ids of SensorThings entities are public and
# must never name another entity later (FROST's checks delete and recreate).
_NO_REUSE: Final[dict[str, Any]] = {"sqlite_autoincrement": True}


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return mapped_column(
        BigId, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index
    )


class ResultType:
    """How `sta_observations.result_*` hold a result."""

    NULL: Final = 0
    INTEGER: Final = 1  # result_number (for comparisons) + result_string (exact)
    FLOAT: Final = 2  # result_number + result_string
    STRING: Final = 3  # result_string
    BOOLEAN: Final = 4  # result_boolean
    JSON: Final = 5  # result_json (objects and arrays)


class Thing(Base):
    __tablename__ = "sta_things"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    properties: Mapped[Any | None] = mapped_column(Json)
    # A private Thing, its Datastreams and their Observations are not open data: only staff and
    # the Thing's own devices read them.
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The city project this Thing serves (one of the project's tools), by table name.
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )


class Location(Base):
    __tablename__ = "sta_locations"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    encoding_type: Mapped[str] = mapped_column(String(100))
    location: Mapped[Any] = mapped_column(Json)
    properties: Mapped[Any | None] = mapped_column(Json)
    # The FeatureOfInterest generated from this Location, reused by every Observation that
    # needs one (FROST's GEN_FOI_ID): one feature per place, not one per Observation.
    generated_feature_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sta_features.id", ondelete="SET NULL")
    )


class ThingLocation(Base):
    __tablename__ = "sta_things_locations"

    thing_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_things.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_locations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class HistoricalLocation(Base):
    __tablename__ = "sta_historical_locations"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime)
    thing_id: Mapped[int] = _fk("sta_things.id")


class LocationHistoricalLocation(Base):
    __tablename__ = "sta_locations_historical_locations"

    location_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_locations.id", ondelete="CASCADE"), primary_key=True
    )
    historical_location_id: Mapped[int] = mapped_column(
        BigId,
        ForeignKey("sta_historical_locations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )


class Sensor(Base):
    __tablename__ = "sta_sensors"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    encoding_type: Mapped[str] = mapped_column(String(200))
    metadata_: Mapped[Any] = mapped_column("metadata", Json)
    properties: Mapped[Any | None] = mapped_column(Json)


class ObservedProperty(Base):
    __tablename__ = "sta_observed_properties"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    definition: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    properties: Mapped[Any | None] = mapped_column(Json)


class Datastream(Base):
    __tablename__ = "sta_datastreams"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    unit_of_measurement: Mapped[Any] = mapped_column(Json)
    observation_type: Mapped[str] = mapped_column(Text)
    observed_area: Mapped[Any | None] = mapped_column(Json)
    phenomenon_time_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phenomenon_time_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_time_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_time_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    properties: Mapped[Any | None] = mapped_column(Json)
    # Kept exact by every write of Observations, so that `$count` of a stream, or of all
    # Observations, needs no scan of millions of rows.
    observation_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    thing_id: Mapped[int] = _fk("sta_things.id")
    sensor_id: Mapped[int] = _fk("sta_sensors.id")
    observed_property_id: Mapped[int] = _fk("sta_observed_properties.id")


class MultiDatastream(Base):
    __tablename__ = "sta_multi_datastreams"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    unit_of_measurements: Mapped[Any] = mapped_column(Json)
    observation_type: Mapped[str] = mapped_column(Text)
    multi_observation_data_types: Mapped[Any] = mapped_column(Json)
    observed_area: Mapped[Any | None] = mapped_column(Json)
    phenomenon_time_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phenomenon_time_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_time_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_time_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    properties: Mapped[Any | None] = mapped_column(Json)
    # Kept exact by every write of Observations, so that `$count` of a stream, or of all
    # Observations, needs no scan of millions of rows.
    observation_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    thing_id: Mapped[int] = _fk("sta_things.id")
    sensor_id: Mapped[int] = _fk("sta_sensors.id")


class MultiDatastreamObservedProperty(Base):
    """The ordered ObservedProperties of a MultiDatastream (rank = position in its results)."""

    __tablename__ = "sta_multi_datastreams_observed_properties"

    multi_datastream_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_multi_datastreams.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    observed_property_id: Mapped[int] = _fk("sta_observed_properties.id")


class FeatureOfInterest(Base):
    __tablename__ = "sta_features"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    encoding_type: Mapped[str] = mapped_column(String(100))
    feature: Mapped[Any] = mapped_column(Json)
    properties: Mapped[Any | None] = mapped_column(Json)


class Observation(Base):
    __tablename__ = "sta_observations"
    __table_args__ = (
        # The latest value of a datastream, a period of it and its pages (keyset on time, id)
        # are all index range scans.
        Index(
            "ix_sta_observations_datastream_time", "datastream_id", "phenomenon_time_start", "id"
        ),
        Index(
            "ix_sta_observations_multi_datastream_time",
            "multi_datastream_id",
            "phenomenon_time_start",
            "id",
        ),
        _NO_REUSE,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # An instant is stored as start = end, so that instants and intervals compare alike.
    phenomenon_time_start: Mapped[datetime] = mapped_column(UTCDateTime)
    phenomenon_time_end: Mapped[datetime] = mapped_column(UTCDateTime)
    result_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_time_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_time_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_type: Mapped[int] = mapped_column(SmallInteger)
    result_number: Mapped[float | None] = mapped_column(Float)
    result_string: Mapped[str | None] = mapped_column(Text)
    result_boolean: Mapped[bool | None] = mapped_column(Boolean)
    result_json: Mapped[Any | None] = mapped_column(Json)
    result_quality: Mapped[Any | None] = mapped_column(Json)
    parameters: Mapped[Any | None] = mapped_column(Json)
    datastream_id: Mapped[int | None] = _fk("sta_datastreams.id", nullable=True, index=False)
    multi_datastream_id: Mapped[int | None] = _fk(
        "sta_multi_datastreams.id", nullable=True, index=False
    )
    feature_id: Mapped[int] = _fk("sta_features.id")


class Actuator(Base):
    __tablename__ = "sta_actuators"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    encoding_type: Mapped[str] = mapped_column(String(200))
    metadata_: Mapped[Any] = mapped_column("metadata", Json)
    properties: Mapped[Any | None] = mapped_column(Json)


class TaskingCapability(Base):
    __tablename__ = "sta_tasking_capabilities"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    tasking_parameters: Mapped[Any] = mapped_column(Json)
    properties: Mapped[Any | None] = mapped_column(Json)
    thing_id: Mapped[int] = _fk("sta_things.id")
    actuator_id: Mapped[int] = _fk("sta_actuators.id")


class Task(Base):
    __tablename__ = "sta_tasks"
    __table_args__ = _NO_REUSE

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tasking_parameters: Mapped[Any] = mapped_column(Json)
    tasking_capability_id: Mapped[int] = _fk("sta_tasking_capabilities.id")
    # What the device last reported (Parvis, not 17-079: the core has no status): pending,
    # accepted, running, done, failed, rejected.
    status: Mapped[str] = mapped_column(String(12), default="pending", server_default="pending")
    status_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_message: Mapped[str | None] = mapped_column(Text)


class DeviceCredential(Base):
    """A device's own secret: it may write to its Thing's Datastreams and read its Tasks.

    The secret is a random token of 256 bits, so SHA-256 is enough to store it (argon2 is for
    passwords people choose) and a request is checked in microseconds. `mqtt_hash` is the same
    secret in Mosquitto's password-file format, written when the credential is created (the
    secret is never stored), so that a production Mosquitto can check it too.
    """

    __tablename__ = "sta_device_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    thing_id: Mapped[int] = _fk("sta_things.id")
    username: Mapped[str] = mapped_column(String(80), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    mqtt_hash: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ObjectiveFeed(Base):
    """A project objective whose indicator is measured by a Datastream: its latest value, or
    an aggregate (mean, min, max, sum) over the last `period_days` days."""

    __tablename__ = "sta_objective_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), unique=True
    )
    datastream_id: Mapped[int] = _fk("sta_datastreams.id")
    aggregate: Mapped[str] = mapped_column(String(8), default="latest")
    period_days: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
