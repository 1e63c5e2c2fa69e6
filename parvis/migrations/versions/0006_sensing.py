"""sensing: SensorThings entities, tasking, device credentials

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 00:37:17.745507
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import parvis.kernel.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create_postgis() -> None:
    """PostGIS gives the spatial filters of the SensorThings API on PostgreSQL. Without it the
    tables still work and a spatial filter answers 501, so a machine without PostGIS can run."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
    ).scalar()
    if available:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))


def upgrade() -> None:
    _create_postgis()
    op.create_table(
        "sta_actuators",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("encoding_type", sa.String(length=200), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_actuators")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sta_features",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("encoding_type", sa.String(length=100), nullable=False),
        sa.Column("feature", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_features")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sta_observed_properties",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_observed_properties")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sta_sensors",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("encoding_type", sa.String(length=200), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_sensors")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sta_locations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("encoding_type", sa.String(length=100), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.Column(
            "generated_feature_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["generated_feature_id"],
            ["sta_features.id"],
            name=op.f("fk_sta_locations_generated_feature_id_sta_features"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_locations")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sta_things",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.Column("private", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_sta_things_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_things")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sta_things", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sta_things_project_id"), ["project_id"], unique=False)

    op.create_table(
        "sta_datastreams",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit_of_measurement", sa.JSON(), nullable=False),
        sa.Column("observation_type", sa.Text(), nullable=False),
        sa.Column("observed_area", sa.JSON(), nullable=True),
        sa.Column(
            "phenomenon_time_start", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "phenomenon_time_end", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("result_time_start", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_time_end", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.Column("observation_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("thing_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "sensor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "observed_property_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["observed_property_id"],
            ["sta_observed_properties.id"],
            name=op.f("fk_sta_datastreams_observed_property_id_sta_observed_properties"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sensor_id"],
            ["sta_sensors.id"],
            name=op.f("fk_sta_datastreams_sensor_id_sta_sensors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thing_id"],
            ["sta_things.id"],
            name=op.f("fk_sta_datastreams_thing_id_sta_things"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_datastreams")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sta_datastreams", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_datastreams_observed_property_id"),
            ["observed_property_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sta_datastreams_sensor_id"), ["sensor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sta_datastreams_thing_id"), ["thing_id"], unique=False)

    op.create_table(
        "sta_device_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thing_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("mqtt_hash", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", parvis.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["thing_id"],
            ["sta_things.id"],
            name=op.f("fk_sta_device_credentials_thing_id_sta_things"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_device_credentials")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sta_device_credentials_token_hash")),
        sa.UniqueConstraint("username", name=op.f("uq_sta_device_credentials_username")),
    )
    with op.batch_alter_table("sta_device_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_device_credentials_thing_id"), ["thing_id"], unique=False
        )

    op.create_table(
        "sta_historical_locations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("time", parvis.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("thing_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["thing_id"],
            ["sta_things.id"],
            name=op.f("fk_sta_historical_locations_thing_id_sta_things"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_historical_locations")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sta_historical_locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_historical_locations_thing_id"), ["thing_id"], unique=False
        )

    op.create_table(
        "sta_multi_datastreams",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit_of_measurements", sa.JSON(), nullable=False),
        sa.Column("observation_type", sa.Text(), nullable=False),
        sa.Column("multi_observation_data_types", sa.JSON(), nullable=False),
        sa.Column("observed_area", sa.JSON(), nullable=True),
        sa.Column(
            "phenomenon_time_start", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "phenomenon_time_end", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("result_time_start", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_time_end", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.Column("observation_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("thing_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "sensor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["sensor_id"],
            ["sta_sensors.id"],
            name=op.f("fk_sta_multi_datastreams_sensor_id_sta_sensors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thing_id"],
            ["sta_things.id"],
            name=op.f("fk_sta_multi_datastreams_thing_id_sta_things"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_multi_datastreams")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sta_multi_datastreams", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_multi_datastreams_sensor_id"), ["sensor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sta_multi_datastreams_thing_id"), ["thing_id"], unique=False
        )

    op.create_table(
        "sta_tasking_capabilities",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tasking_parameters", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=True),
        sa.Column("thing_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "actuator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["actuator_id"],
            ["sta_actuators.id"],
            name=op.f("fk_sta_tasking_capabilities_actuator_id_sta_actuators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thing_id"],
            ["sta_things.id"],
            name=op.f("fk_sta_tasking_capabilities_thing_id_sta_things"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_tasking_capabilities")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sta_tasking_capabilities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_tasking_capabilities_actuator_id"), ["actuator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sta_tasking_capabilities_thing_id"), ["thing_id"], unique=False
        )

    op.create_table(
        "sta_things_locations",
        sa.Column("thing_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["sta_locations.id"],
            name=op.f("fk_sta_things_locations_location_id_sta_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thing_id"],
            ["sta_things.id"],
            name=op.f("fk_sta_things_locations_thing_id_sta_things"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("thing_id", "location_id", name=op.f("pk_sta_things_locations")),
    )
    with op.batch_alter_table("sta_things_locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_things_locations_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "sta_locations_historical_locations",
        sa.Column(
            "location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "historical_location_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["historical_location_id"],
            ["sta_historical_locations.id"],
            name=op.f(
                "fk_sta_locations_historical_locations_historical_location_id_sta_historical_locations"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["sta_locations.id"],
            name=op.f("fk_sta_locations_historical_locations_location_id_sta_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "location_id",
            "historical_location_id",
            name=op.f("pk_sta_locations_historical_locations"),
        ),
    )
    with op.batch_alter_table("sta_locations_historical_locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_locations_historical_locations_historical_location_id"),
            ["historical_location_id"],
            unique=False,
        )

    op.create_table(
        "sta_multi_datastreams_observed_properties",
        sa.Column(
            "multi_datastream_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column(
            "observed_property_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["multi_datastream_id"],
            ["sta_multi_datastreams.id"],
            name=op.f(
                "fk_sta_multi_datastreams_observed_properties_multi_datastream_id_sta_multi_datastreams"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["observed_property_id"],
            ["sta_observed_properties.id"],
            name=op.f(
                "fk_sta_multi_datastreams_observed_properties_observed_property_id_sta_observed_properties"
            ),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "multi_datastream_id", "rank", name=op.f("pk_sta_multi_datastreams_observed_properties")
        ),
    )
    with op.batch_alter_table("sta_multi_datastreams_observed_properties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_multi_datastreams_observed_properties_observed_property_id"),
            ["observed_property_id"],
            unique=False,
        )

    op.create_table(
        "sta_observations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "phenomenon_time_start", parvis.kernel.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "phenomenon_time_end", parvis.kernel.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("result_time", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_time_start", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_time_end", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_type", sa.SmallInteger(), nullable=False),
        sa.Column("result_number", sa.Float(), nullable=True),
        sa.Column("result_string", sa.Text(), nullable=True),
        sa.Column("result_boolean", sa.Boolean(), nullable=True),
        sa.Column("result_json", sa.JSON(), nullable=True),
        sa.Column("result_quality", sa.JSON(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=True),
        sa.Column(
            "datastream_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "multi_datastream_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "feature_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["datastream_id"],
            ["sta_datastreams.id"],
            name=op.f("fk_sta_observations_datastream_id_sta_datastreams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["sta_features.id"],
            name=op.f("fk_sta_observations_feature_id_sta_features"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["multi_datastream_id"],
            ["sta_multi_datastreams.id"],
            name=op.f("fk_sta_observations_multi_datastream_id_sta_multi_datastreams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_observations")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sta_observations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sta_observations_datastream_time",
            ["datastream_id", "phenomenon_time_start", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sta_observations_feature_id"), ["feature_id"], unique=False
        )
        batch_op.create_index(
            "ix_sta_observations_multi_datastream_time",
            ["multi_datastream_id", "phenomenon_time_start", "id"],
            unique=False,
        )

    op.create_table(
        "sta_tasks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("creation_time", parvis.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tasking_parameters", sa.JSON(), nullable=False),
        sa.Column(
            "tasking_capability_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=12), server_default="pending", nullable=False),
        sa.Column("status_time", parvis.kernel.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tasking_capability_id"],
            ["sta_tasking_capabilities.id"],
            name=op.f("fk_sta_tasks_tasking_capability_id_sta_tasking_capabilities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_tasks")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sta_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_tasks_tasking_capability_id"),
            ["tasking_capability_id"],
            unique=False,
        )

    op.create_table(
        "sta_objective_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column(
            "datastream_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("aggregate", sa.String(length=8), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("created_at", parvis.kernel.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["datastream_id"],
            ["sta_datastreams.id"],
            name=op.f("fk_sta_objective_feeds_datastream_id_sta_datastreams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objectives.id"],
            name=op.f("fk_sta_objective_feeds_objective_id_objectives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sta_objective_feeds")),
        sa.UniqueConstraint("objective_id", name=op.f("uq_sta_objective_feeds_objective_id")),
    )
    with op.batch_alter_table("sta_objective_feeds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sta_objective_feeds_datastream_id"), ["datastream_id"], unique=False
        )

    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("sta_objective_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_objective_feeds_datastream_id"))

    op.drop_table("sta_objective_feeds")
    with op.batch_alter_table("sta_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_tasks_tasking_capability_id"))

    op.drop_table("sta_tasks")
    with op.batch_alter_table("sta_observations", schema=None) as batch_op:
        batch_op.drop_index("ix_sta_observations_multi_datastream_time")
        batch_op.drop_index(batch_op.f("ix_sta_observations_feature_id"))
        batch_op.drop_index("ix_sta_observations_datastream_time")

    op.drop_table("sta_observations")
    with op.batch_alter_table("sta_multi_datastreams_observed_properties", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_sta_multi_datastreams_observed_properties_observed_property_id")
        )

    op.drop_table("sta_multi_datastreams_observed_properties")
    with op.batch_alter_table("sta_locations_historical_locations", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_sta_locations_historical_locations_historical_location_id")
        )

    op.drop_table("sta_locations_historical_locations")
    with op.batch_alter_table("sta_things_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_things_locations_location_id"))

    op.drop_table("sta_things_locations")
    with op.batch_alter_table("sta_tasking_capabilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_tasking_capabilities_thing_id"))
        batch_op.drop_index(batch_op.f("ix_sta_tasking_capabilities_actuator_id"))

    op.drop_table("sta_tasking_capabilities")
    with op.batch_alter_table("sta_multi_datastreams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_multi_datastreams_thing_id"))
        batch_op.drop_index(batch_op.f("ix_sta_multi_datastreams_sensor_id"))

    op.drop_table("sta_multi_datastreams")
    with op.batch_alter_table("sta_historical_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_historical_locations_thing_id"))

    op.drop_table("sta_historical_locations")
    with op.batch_alter_table("sta_device_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_device_credentials_thing_id"))

    op.drop_table("sta_device_credentials")
    with op.batch_alter_table("sta_datastreams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_datastreams_thing_id"))
        batch_op.drop_index(batch_op.f("ix_sta_datastreams_sensor_id"))
        batch_op.drop_index(batch_op.f("ix_sta_datastreams_observed_property_id"))

    op.drop_table("sta_datastreams")
    with op.batch_alter_table("sta_things", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sta_things_project_id"))

    op.drop_table("sta_things")
    op.drop_table("sta_locations")
    op.drop_table("sta_sensors")
    op.drop_table("sta_observed_properties")
    op.drop_table("sta_features")
    op.drop_table("sta_actuators")
    # ### end Alembic commands ###
