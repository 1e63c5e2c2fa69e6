"""Where each SensorThings entity type and property lives in the database.

One table per entity type; a property is one column, a pair of columns (a time interval) or,
for an Observation's result, the typed result columns. A navigation property is a foreign key on
either side or a link table. The filter compiler, the reads and the writes all go through this
map, so that the schema is described once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from sqlalchemy import ColumnElement, Table, and_, select
from sqlalchemy.sql import Select

from parvis.kernel.db import Base
from parvis.sensing import models as m


class Storage(enum.Enum):
    COLUMN = "column"  # one column (strings, JSON documents, instants)
    INTERVAL = "interval"  # <column>_start, <column>_end; both null when absent
    PHENOMENON = "phenomenon"  # an Observation's phenomenonTime: start = end for an instant
    RESULT = "result"  # an Observation's result: result_type + typed columns
    ID = "id"


@dataclass(frozen=True, slots=True)
class PropertyMap:
    storage: Storage
    column: str  # the column, or the prefix of the interval's columns


@dataclass(frozen=True, slots=True)
class Relation:
    """How a navigation property joins its source to its target.

    - `here`: the source holds `column` pointing at the target's id (Datastream.Thing);
    - `there`: the target holds `column` pointing at the source's id (Thing.Datastreams);
    - `link`: `link` table with `source_column` and `target_column` (Thing.Locations).
    """

    kind: str
    column: str = ""
    link: Table | None = None
    source_column: str = ""
    target_column: str = ""


@dataclass(frozen=True, slots=True)
class EntityMap:
    table: Table
    properties: dict[str, PropertyMap]
    relations: dict[str, Relation]


def _t(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _col(name: str) -> PropertyMap:
    return PropertyMap(Storage.COLUMN, name)


def _named(**extra: PropertyMap) -> dict[str, PropertyMap]:
    return {
        "id": PropertyMap(Storage.ID, "id"),
        "name": _col("name"),
        "description": _col("description"),
        "properties": _col("properties"),
        **extra,
    }


_THINGS_LOCATIONS: Final = _t(m.ThingLocation)
_LOCATIONS_HISTORY: Final = _t(m.LocationHistoricalLocation)
_MD_PROPERTIES: Final = _t(m.MultiDatastreamObservedProperty)


def _here(column: str) -> Relation:
    return Relation("here", column=column)


def _there(column: str) -> Relation:
    return Relation("there", column=column)


def _link(table: Table, source: str, target: str) -> Relation:
    return Relation("link", link=table, source_column=source, target_column=target)


ENTITIES: Final[dict[str, EntityMap]] = {
    "Thing": EntityMap(
        _t(m.Thing),
        _named(),
        {
            "Locations": _link(_THINGS_LOCATIONS, "thing_id", "location_id"),
            "HistoricalLocations": _there("thing_id"),
            "Datastreams": _there("thing_id"),
            "MultiDatastreams": _there("thing_id"),
            "TaskingCapabilities": _there("thing_id"),
        },
    ),
    "Location": EntityMap(
        _t(m.Location),
        _named(encodingType=_col("encoding_type"), location=_col("location")),
        {
            "Things": _link(_THINGS_LOCATIONS, "location_id", "thing_id"),
            "HistoricalLocations": _link(
                _LOCATIONS_HISTORY, "location_id", "historical_location_id"
            ),
        },
    ),
    "HistoricalLocation": EntityMap(
        _t(m.HistoricalLocation),
        {"id": PropertyMap(Storage.ID, "id"), "time": _col("time")},
        {
            "Thing": _here("thing_id"),
            "Locations": _link(_LOCATIONS_HISTORY, "historical_location_id", "location_id"),
        },
    ),
    "Sensor": EntityMap(
        _t(m.Sensor),
        _named(encodingType=_col("encoding_type"), metadata=_col("metadata")),
        {"Datastreams": _there("sensor_id"), "MultiDatastreams": _there("sensor_id")},
    ),
    "ObservedProperty": EntityMap(
        _t(m.ObservedProperty),
        _named(definition=_col("definition")),
        {
            "Datastreams": _there("observed_property_id"),
            "MultiDatastreams": _link(
                _MD_PROPERTIES, "observed_property_id", "multi_datastream_id"
            ),
        },
    ),
    "Datastream": EntityMap(
        _t(m.Datastream),
        _named(
            unitOfMeasurement=_col("unit_of_measurement"),
            observationType=_col("observation_type"),
            observedArea=_col("observed_area"),
            phenomenonTime=PropertyMap(Storage.INTERVAL, "phenomenon_time"),
            resultTime=PropertyMap(Storage.INTERVAL, "result_time"),
        ),
        {
            "Thing": _here("thing_id"),
            "Sensor": _here("sensor_id"),
            "ObservedProperty": _here("observed_property_id"),
            "Observations": _there("datastream_id"),
        },
    ),
    "MultiDatastream": EntityMap(
        _t(m.MultiDatastream),
        _named(
            unitOfMeasurements=_col("unit_of_measurements"),
            observationType=_col("observation_type"),
            multiObservationDataTypes=_col("multi_observation_data_types"),
            observedArea=_col("observed_area"),
            phenomenonTime=PropertyMap(Storage.INTERVAL, "phenomenon_time"),
            resultTime=PropertyMap(Storage.INTERVAL, "result_time"),
        ),
        {
            "Thing": _here("thing_id"),
            "Sensor": _here("sensor_id"),
            "ObservedProperties": _link(
                _MD_PROPERTIES, "multi_datastream_id", "observed_property_id"
            ),
            "Observations": _there("multi_datastream_id"),
        },
    ),
    "FeatureOfInterest": EntityMap(
        _t(m.FeatureOfInterest),
        _named(encodingType=_col("encoding_type"), feature=_col("feature")),
        {"Observations": _there("feature_id")},
    ),
    "Observation": EntityMap(
        _t(m.Observation),
        {
            "id": PropertyMap(Storage.ID, "id"),
            "phenomenonTime": PropertyMap(Storage.PHENOMENON, "phenomenon_time"),
            "result": PropertyMap(Storage.RESULT, "result"),
            "resultTime": _col("result_time"),
            "resultQuality": _col("result_quality"),
            "validTime": PropertyMap(Storage.INTERVAL, "valid_time"),
            "parameters": _col("parameters"),
        },
        {
            "Datastream": _here("datastream_id"),
            "MultiDatastream": _here("multi_datastream_id"),
            "FeatureOfInterest": _here("feature_id"),
        },
    ),
    "Actuator": EntityMap(
        _t(m.Actuator),
        _named(encodingType=_col("encoding_type"), metadata=_col("metadata")),
        {"TaskingCapabilities": _there("actuator_id")},
    ),
    "TaskingCapability": EntityMap(
        _t(m.TaskingCapability),
        _named(taskingParameters=_col("tasking_parameters")),
        {
            "Thing": _here("thing_id"),
            "Actuator": _here("actuator_id"),
            "Tasks": _there("tasking_capability_id"),
        },
    ),
    "Task": EntityMap(
        _t(m.Task),
        {
            "id": PropertyMap(Storage.ID, "id"),
            "taskingParameters": _col("tasking_parameters"),
            "creationTime": _col("creation_time"),
        },
        {"TaskingCapability": _here("tasking_capability_id")},
    ),
}


def entity_map(entity_type: str) -> EntityMap:
    return ENTITIES[entity_type]


def join_condition(
    relation: Relation, source: Table, target: Table, link: Table | None = None
) -> ColumnElement[bool]:
    """The condition joining `source` rows to their related `target` rows (aliases allowed);
    for a link relation, `link` is the (aliased) link table, joined on both sides."""
    if relation.kind == "here":
        return source.c[relation.column] == target.c.id
    if relation.kind == "there":
        return target.c[relation.column] == source.c.id
    assert link is not None
    return and_(
        link.c[relation.source_column] == source.c.id,
        link.c[relation.target_column] == target.c.id,
    )


def related_ids(
    relation: Relation, target: Table, source_id: ColumnElement[int]
) -> Select[tuple[int]]:
    """SELECT the ids of the targets related to the source whose id is `source_id`."""
    if relation.kind == "there":
        return select(target.c.id).where(target.c[relation.column] == source_id)
    if relation.kind == "link":
        assert relation.link is not None
        return select(relation.link.c[relation.target_column]).where(
            relation.link.c[relation.source_column] == source_id
        )
    raise ValueError("a 'here' relation has a single target: read its column")
