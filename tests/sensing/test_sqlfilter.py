"""$filter and $orderby compiled to SQL, checked on SQLite and PostgreSQL with the same data.

The datasets and expectations are those of the official tests (ETS level 3) and of FROST-Server's
test suite (FilterTests, GeoTests, DateTimeTests, JsonPropertiesTests, precedence checks),
inserted straight into the sta_* tables. Each suite has its own id range (ids `base + n`, with n
the index the original test uses), so that one database per module serves all of them.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, event, select, text

from parvis.kernel.db import Base, make_engine
from parvis.sensing import models  # noqa: F401 - registers the sta_* tables
from parvis.sensing.mapping import entity_map
from parvis.sensing.sqlfilter import (
    UnsupportedFilter,
    compile_filter,
    compile_orderby,
    install_sqlite_functions,
    postgis_available,
)
from parvis.sensing.sta.model import model_for
from parvis.sensing.sta.query import parse_filter, parse_orderby

NOW: Final = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
MODEL: Final = model_for("v1.1")
ETS, FILTER, GEO, TIMES, JSON_, MISC = 1000, 2000, 3000, 4000, 5000, 6000
HUGE_ID: Final = 2**53 + 1  # not a float: an exact comparison is needed


def t(text_: str) -> datetime:
    """A UTC date-time from ISO text without zone ("2016-01-01T07:00")."""
    return datetime.fromisoformat(text_).replace(tzinfo=UTC)


def point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def line(*coords: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


def polygon(*coords: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(c) for c in coords]]}


def feature(geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {"name": "wrapped"}}


def result_columns(value: Any) -> dict[str, Any]:
    """An Observation result as the typed result_* columns (see models.ResultType)."""
    columns: dict[str, Any] = {
        "result_type": 0,
        "result_number": None,
        "result_string": None,
        "result_boolean": None,
        "result_json": None,
    }
    if isinstance(value, bool):
        columns.update(result_type=4, result_boolean=value)
    elif isinstance(value, int):
        columns.update(result_type=1, result_number=float(value), result_string=str(value))
    elif isinstance(value, float):
        columns.update(result_type=2, result_number=value, result_string=repr(value))
    elif isinstance(value, str):
        columns.update(result_type=3, result_string=value)
    elif value is not None:
        columns.update(result_type=5, result_json=value)
    return columns


_NAMED: Final = {"name": "", "description": ""}
_DEFAULTS: Final[dict[str, dict[str, Any]]] = {
    "sta_things": {**_NAMED, "properties": None},
    "sta_locations": {
        **_NAMED,
        "encoding_type": "application/geo+json",
        "location": None,
        "properties": None,
    },
    "sta_historical_locations": {"time": t("2015-01-01T00:00"), "thing_id": None},
    "sta_sensors": {**_NAMED, "encoding_type": "text", "metadata": "", "properties": None},
    "sta_observed_properties": {**_NAMED, "definition": "", "properties": None},
    "sta_datastreams": {
        **_NAMED,
        "unit_of_measurement": {"name": "degree Celsius", "symbol": "°C", "definition": "x"},
        "observation_type": "OM_Measurement",
        "observed_area": None,
        "phenomenon_time_start": None,
        "phenomenon_time_end": None,
        "result_time_start": None,
        "result_time_end": None,
        "properties": None,
    },
    "sta_multi_datastreams": {
        **_NAMED,
        "unit_of_measurements": [],
        "observation_type": "OM_ComplexObservation",
        "multi_observation_data_types": [],
        "observed_area": None,
        "phenomenon_time_start": None,
        "phenomenon_time_end": None,
        "result_time_start": None,
        "result_time_end": None,
        "properties": None,
    },
    "sta_features": {
        **_NAMED,
        "encoding_type": "application/geo+json",
        "feature": point(0, 0),
        "properties": None,
    },
    "sta_observations": {
        "result_time": None,
        "valid_time_start": None,
        "valid_time_end": None,
        **result_columns(None),
        "result_quality": None,
        "parameters": None,
        "datastream_id": None,
        "multi_datastream_id": None,
    },
}


@dataclass
class Dataset:
    """Rows for the sta_* tables of one suite: entity ids are `base + n`."""

    base: int
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    sql_nulls: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, table: str, n: int, **values: Any) -> int:
        row = {**_DEFAULTS[table], **values, "id": self.base + n}
        self.rows[table].append(row)
        return self.base + n

    def link(self, table: str, **values: int) -> None:
        self.rows[table].append(values)

    def sql_null(self, table: str, n: int, column: str) -> None:
        """After the insert: a SQL NULL rather than a JSON null in `column`."""
        self.sql_nulls.append((table, self.base + n, column))

    def thing(self, n: int, name: str, properties: Any = None, **values: Any) -> int:
        return self.add("sta_things", n, name=name, properties=properties, **values)

    def location(self, n: int, name: str, geometry: Any, **values: Any) -> int:
        return self.add("sta_locations", n, name=name, location=geometry, **values)

    def things_location(self, thing: int, location: int) -> None:
        self.link("sta_things_locations", thing_id=thing, location_id=location)

    def historical_location(self, n: int, thing: int, time: datetime, *locations: int) -> int:
        ident = self.add("sta_historical_locations", n, thing_id=thing, time=time)
        for location in locations:
            self.link(
                "sta_locations_historical_locations",
                location_id=location,
                historical_location_id=ident,
            )
        return ident

    def datastream(self, n: int, name: str, thing: int, sensor: int, op: int, **values: Any) -> int:
        return self.add(
            "sta_datastreams",
            n,
            name=name,
            thing_id=thing,
            sensor_id=sensor,
            observed_property_id=op,
            **values,
        )

    def observation(
        self,
        n: int,
        datastream: int | None,
        feature: int,
        result: Any,
        phenomenon: datetime | tuple[datetime, datetime],
        **values: Any,
    ) -> int:
        start, end = phenomenon if isinstance(phenomenon, tuple) else (phenomenon, phenomenon)
        return self.add(
            "sta_observations",
            n,
            datastream_id=datastream,
            feature_id=feature,
            phenomenon_time_start=start,
            phenomenon_time_end=end,
            **result_columns(result),
            **values,
        )

    def insert(self, connection: sa.Connection) -> None:
        tables = [table for table in Base.metadata.sorted_tables if table.name in self.rows]
        for table in tables:
            connection.execute(table.insert(), self.rows[table.name])
        for name, ident, column in self.sql_nulls:
            table = Base.metadata.tables[name]
            connection.execute(
                table.update().where(table.c.id == ident).values({column: sa.null()})
            )


# -- the datasets ------------------------------------------------------------------------------


def ets_dataset() -> Dataset:
    """ETS level 3 (Capability3Tests.createEntities): 2 Things whose Locations were swapped,
    4 Datastreams, 12 Observations with results 1..12 on 2015-03-01..12."""
    d = Dataset(ETS)
    for i in (1, 2):
        d.thing(i, f"thing {i}", {"reference": f"first {i}"}, description=f"This is thing {i}")
    d.location(1, "location 1", point(-117.05, 51.05), encoding_type="application/vnd.geo+json")
    d.location(2, "location 2", point(-100.05, 50.05), encoding_type="application/vnd.geo+json")
    d.things_location(d.base + 1, d.base + 2)
    d.things_location(d.base + 2, d.base + 1)
    d.historical_location(1, d.base + 1, t("2015-10-14T21:30:00.104"), d.base + 1)
    d.historical_location(2, d.base + 1, t("2015-10-14T21:30:00.105"), d.base + 2)
    d.historical_location(3, d.base + 2, t("2015-10-14T21:30:00.103"), d.base + 2)
    d.historical_location(4, d.base + 2, t("2015-10-15T00:00:00"), d.base + 1)
    for i, name in enumerate(("sensor 1", "sensor 2", "sensor 3", "sensor 4 "), 1):
        kind = "application/pdf" if i % 2 else "http://www.opengis.net/doc/IS/SensorML/2.0"
        d.add("sta_sensors", i, name=name, description=f"Light flux sensor {i}", encoding_type=kind)
    for i, name in enumerate(("Luminous Flux", "Tempretaure", "Temperature"), 1):
        d.add(
            "sta_observed_properties",
            i,
            name=name,
            definition=f"http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html#{i}",
            description=f"observedProperty {i}",
        )
    streams = [(1, "datastream 1", 1, 1, 1), (2, "datastream 2", 1, 2, 2)]
    streams += [(3, "datastream 3", 2, 3, 3), (4, "datastream 2", 2, 4, 2)]
    for n, name, thing, sensor, op in streams:
        d.datastream(
            n,
            name,
            d.base + thing,
            d.base + sensor,
            d.base + op,
            observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        )
    for i in (1, 2):
        d.add(
            "sta_features",
            i,
            name=f"Generated using location details: location {3 - i}",
            feature=point(-100.05, 50.05) if i == 1 else point(-117.05, 51.05),
        )
    for i in range(1, 13):
        stream = (i - 1) // 3 + 1
        d.observation(
            i, d.base + stream, d.base + (1 if stream < 3 else 2), i, t(f"2015-03-{i:02d}")
        )
    return d


def filter_dataset() -> Dataset:
    """FROST FilterTests: 4 Things, 8 Locations, 7 Datastreams, 36 Observations."""
    d = Dataset(FILTER)
    d.thing(0, "Thing 1")
    d.sql_null("sta_things", 0, "properties")
    d.thing(1, "Thing 2", {"field": 2, "string": "one"})
    d.thing(2, "Thing 3", {"field": 3, "string": "two"})
    d.thing(3, "Thing 4")  # properties: a JSON null
    places = [
        ("Location 1.0", point(8, 51), 1, 0),
        ("Location 1.1", point(8, 52), 1.1, 0),
        ("Location 2", point(8, 53), 2, 1),
        ("Location 3", point(8, 54), 3, 2),
        ("Location 4", polygon((8, 53), (7, 52), (7, 53), (8, 53)), 4, 3),
        ("Location 5", line((5, 52), (5, 53)), 5, None),
        ("Location 6", line((5, 52), (6, 53)), 6, None),
        ("Location 7", line((4, 52), (8, 52)), 7, None),
    ]
    for n, (name, geometry, field_, thing) in enumerate(places):
        d.location(n, name, geometry, properties={"field": field_})
        if thing is not None:
            d.things_location(d.base + thing, d.base + n)
            d.historical_location(
                n, d.base + thing, t("2016-01-01T00:00") + timedelta(hours=n), d.base + n
            )
    for i in range(4):
        d.add("sta_sensors", i, name=f"Sensor {i}")
        d.add("sta_observed_properties", i, name=f"ObservedProperty {i}")
    streams = [(0, 0, 0), (0, 1, 1), (0, 2, 2), (1, 0, 0), (1, 1, 1), (1, 3, 3), (2, 1, 0)]
    for n, (thing, sensor, op) in enumerate(streams):
        d.datastream(n, f"Datastream {n}", d.base + thing, d.base + sensor, d.base + op)
    d.add("sta_features", 0, name="FoI")
    for stream in range(6):
        for i in range(6):
            idx = stream * 6 + i
            quality: Any = idx if idx % 2 == 0 else f"number-{idx}"
            d.observation(
                idx,
                d.base + stream,
                d.base,
                stream * 3 + i,
                t("2016-01-01T01:00") + timedelta(hours=i),
                result_quality=quality,
                parameters={"idx": idx},
            )
    return d


GEO_PLACES: Final = [
    point(8, 51),
    point(8, 52),
    feature(point(8, 53)),  # a Feature is reduced to its geometry
    point(8, 54),
    polygon((8, 53), (7, 52), (7, 53), (8, 53)),
    line((5, 52), (5, 53)),
    feature(line((5, 52), (6, 53))),
    line((4, 52), (8, 52)),
]


def geo_dataset() -> Dataset:
    """FROST GeoTests: points (8,51)..(8,54), a triangle, three lines; Locations and FoIs."""
    d = Dataset(GEO)
    for i in range(4):
        d.thing(i, f"Thing {i + 1}")
    d.add("sta_sensors", 0, name="Sensor 1")
    d.add("sta_observed_properties", 0, name="Temperature")
    # observedArea is the hull of the Datastream's features (server-maintained in FROST).
    areas = [line((8, 51), (8, 52)), point(8, 53), point(8, 54)]
    for n, area in enumerate(areas):
        d.datastream(n, f"Datastream {n + 1}", d.base + n, d.base, d.base, observed_area=area)
    for n, geometry in enumerate(GEO_PLACES):
        d.location(n, f"Location {n}", geometry)
        d.add("sta_features", n, name=f"FoI {n}", feature=geometry)
        if n < 4:
            d.things_location(d.base + n, d.base + n)
    for n, stream in enumerate((0, 0, 1, 2)):
        d.observation(n, d.base + stream, d.base + n, n + 1, t(f"2016-01-0{n + 1}T01:01:01"))
    return d


T2014, T2015 = t("2014-01-01T06:00"), t("2015-01-01T06:00")
T600, T659, T700, T701 = (t(f"2016-01-01T{h}") for h in ("06:00", "06:59", "07:00", "07:01"))
T759, T800, T801, T900 = (t(f"2016-01-01T{h}") for h in ("07:59", "08:00", "08:01", "09:00"))
T2017, T2018 = t("2017-01-01T09:00"), t("2018-01-01T09:00")
T2017_2 = T2017 + timedelta(hours=1)
I2015 = (T2015, T2015 + timedelta(hours=1))
I2017 = (T2017, T2017_2)
# DateTimeTests' Observations: (phenomenonTime, resultTime, validTime), result = index.
TIME_OBSERVATIONS: Final[list[tuple[Any, Any, Any]]] = [
    *((instant, instant, None) for instant in (T600, T659, T700, T701, T759, T800, T801, T900)),
    *(
        (interval, None, interval)
        for interval in (
            (T600, T659),
            (T600, T700),
            (T600, T701),
            (T700, T800),
            (T701, T759),
            (T759, T900),
            (T800, T900),
            (T801, T900),
            (T659, T801),
            (T700, T759),
            (T700, T801),
            (T659, T800),
            (T701, T800),
        )
    ),
    (T2015, T2015, None),
    (T2017, T2017, None),
    (I2015, T2015, I2015),
    (I2017, T2017_2, I2017),
]


def time_dataset() -> Dataset:
    """FROST DateTimeTests: 25 Observations of instants and intervals around 2016-01-01T07:00;
    Datastream 0 spans them (2015-01-01T06:00 to 2017-01-01T10:00), Datastream 1 is empty."""
    d = Dataset(TIMES)
    d.thing(0, "Thing 1")
    d.add("sta_sensors", 0, name="Sensor 1")
    d.add("sta_observed_properties", 0, name="Temperature")
    span = {"phenomenon_time_start": T2015, "phenomenon_time_end": T2017_2}
    span |= {"result_time_start": T2015, "result_time_end": T2017_2}
    d.datastream(0, "Datastream 1", d.base, d.base, d.base, **span)
    d.datastream(1, "Datastream 2", d.base, d.base, d.base)
    d.add("sta_features", 0, name="FoI")
    for n, (phenomenon, result_time, valid) in enumerate(TIME_OBSERVATIONS):
        valid_ends = {"valid_time_start": valid[0], "valid_time_end": valid[1]} if valid else {}
        d.observation(
            n, d.base, d.base, float(n), phenomenon, result_time=result_time, **valid_ends
        )
    return d


def letters(start: int, length: int) -> str:
    return "".join(chr(ord("a") + (start + i) % 26) for i in range(length))


def objects(start: int, length: int) -> list[dict[str, Any]]:
    return [
        {
            "string": letters(v, 10),
            "boolean": v % 2 == 0,
            "int": v,
            "intArray": list(range(v, v + 3)),
        }
        for v in range(start, start + length)
    ]


def int_arrays(start: int, length: int) -> list[list[int]]:
    return [list(range(v, v + length)) for v in range(start, start + length)]


DQ_STATUS: Final = {"DQ_Status": {"code": 2, "label": "Niveau 1", "comment": "Donnée contrôlée"}}
DQ_RESULTS: Final = [
    {"nameOfMeasure": "DQ_Status", "DQ_Result": {"code": 2, "label": "Niveau 1"}},
    {"nameOfMeasure": "DQ_Qualification", "DQ_Result": {"code": 1, "label": "Correcte"}},
]


def json_dataset() -> Dataset:
    """FROST JsonPropertiesTests: Things with typed properties, Observations with parameters
    (13 to 15 with values of the wrong types) and object or array resultQuality."""
    d = Dataset(JSON_)
    for i in range(4):
        properties = {
            "string": letters(i, 10),
            "boolean": i % 2 == 0,
            "int": i + 8,
            "intArray": list(range(i + 8, i + 13)),
            "strArray": [f"s{v}" for v in range(i + 8, i + 13)],
            "intIntArray": int_arrays(i + 8, 3),
            "objArray": objects(i + 8, 3),
        }
        d.thing(i, f"Thing {i}", properties)
    d.add("sta_sensors", 0, name="Sensor 1")
    d.add("sta_observed_properties", 0, name="Temperature")
    celsius = {"name": "degree celcius", "symbol": "°C", "definition": "Cel"}
    fahrenheit = {"name": "degree Fahrenheit", "symbol": "°F", "definition": "[degF]"}
    d.datastream(0, "Datastream 1", d.base, d.base, d.base, unit_of_measurement=celsius)
    d.datastream(1, "Datastream 2", d.base, d.base, d.base, unit_of_measurement=fahrenheit)
    d.add("sta_features", 0, name="FoI")
    for i in range(13):
        parameters = {
            "string": letters(i, 10),
            "boolean": i % 2 == 0,
            "int": i,
            "intArray": list(range(i, i + 5)),
            "intIntArray": int_arrays(i, 3),
            "objArray": objects(i, 3),
        }
        quality = DQ_STATUS if i % 2 == 0 else DQ_RESULTS
        d.observation(
            i,
            d.base,
            d.base,
            i,
            t("2016-01-01T00:00"),
            parameters=parameters,
            result_quality=quality,
        )
    bad: list[dict[str, Any]] = [
        {
            "int": letters(13, 10),
            "string": False,
            "boolean": 13,
            "objArray": list(range(13, 18)),
            "intArray": int_arrays(13, 3),
            "intIntArray": objects(13, 3),
        },
        {
            "boolean": letters(14, 10),
            "int": True,
            "string": 14,
            "intIntArray": list(range(14, 19)),
            "objArray": int_arrays(14, 3),
            "intArray": objects(14, 3),
        },
        {"boolean": "true", "int": "5"},
    ]
    for i, parameters in enumerate(bad, 13):
        d.observation(
            i, d.base, d.base, f"badVales{i - 12}", t("2016-01-01T00:00"), parameters=parameters
        )
    return d


MISC_NAMES: Final = ["B", "a", "_x", "%y", "a_b", "a%b", "ab", "Zeta", "  padded  ", "O'Brien"]
MISC_RANKS: Final[list[Any]] = [2, 10, "9", "missing", 1.5, "sql null", True, -3, "null", "none"]
MISC_RESULTS: Final[list[Any]] = [3, 12, 2.5, "abc", "10", True, False, None, {"a": 1}, [1, 2], -4]
MISC_RESULT_TIMES: Final = {0: t("2015-06-07T08:09:10.250000"), 2: t("2015-06-07T08:09:11")}


def misc_dataset() -> Dataset:
    """Names that need escaping or code-point order, untyped properties, results of every
    type, nullable times, a MultiDatastream and an id beyond 2^53."""
    d = Dataset(MISC)
    for n, (name, rank) in enumerate(zip(MISC_NAMES, MISC_RANKS, strict=True)):
        properties: Any = {"rank": rank, "tag": None if n == 2 else name.lower()}
        if rank == "missing":
            properties = {}
        elif rank == "null":
            properties = None
        elif rank == "none":
            properties = {"other": 1}
        elif n == 7:
            properties["nested"] = {"k": [1, {"z": "deep"}]}
        d.thing(n, name, properties, description="with spaces" if n == 8 else f"thing {n}")
        if rank == "sql null":
            d.sql_null("sta_things", n, "properties")
    d.thing(HUGE_ID - MISC, "huge")
    for i in range(2):
        d.add("sta_sensors", i, name=f"sensor {i}")
        d.add("sta_observed_properties", i, name=("op one", "op two")[i])
    spans = [
        (t("2020-01-01T00:00"), t("2020-01-02T00:00")),
        (t("2020-01-01T00:00"), t("2020-01-03T00:00")),
        (None, None),
        (t("2019-12-31T00:00"), t("2020-01-05T00:00")),
    ]
    names = ["ds alpha", "ds beta", "ds gamma", "Ds delta"]
    for n, ((start, end), name, thing) in enumerate(zip(spans, names, (0, 1, 1, 7), strict=True)):
        d.datastream(
            n,
            name,
            d.base + thing,
            d.base,
            d.base,
            description=f"stream {n}",
            phenomenon_time_start=start,
            phenomenon_time_end=end,
        )
    d.add("sta_multi_datastreams", 0, name="md", thing_id=d.base, sensor_id=d.base)
    for rank, op in enumerate((1, 0)):
        d.link(
            "sta_multi_datastreams_observed_properties",
            multi_datastream_id=d.base,
            rank=rank,
            observed_property_id=d.base + op,
        )
    d.add("sta_features", 0, name="FoI")
    for n, result in enumerate(MISC_RESULTS):
        start = t("2020-01-01T00:00") + timedelta(hours=n if n not in (3,) else 0)
        end = start + timedelta(hours=5 if n == 2 else 0, minutes=30 if n == 3 else 0)
        d.observation(
            n,
            d.base + (0 if n < 10 else 1),
            d.base,
            result,
            (start, end),
            result_time=MISC_RESULT_TIMES.get(n),
        )
    d.observation(
        11,
        None,
        d.base,
        [1, "x"],
        t("2020-01-02T00:00"),
        multi_datastream_id=d.base,
    )
    return d


DATASETS: Final[list[Callable[[], Dataset]]] = [
    ets_dataset,
    filter_dataset,
    geo_dataset,
    time_dataset,
    json_dataset,
    misc_dataset,
]


# -- the databases -----------------------------------------------------------------------------


@dataclass
class Db:
    engine: Engine
    dialect: str
    postgis: bool

    def table(self, entity_set: str) -> sa.Table:
        found = MODEL.entity_set(entity_set)
        assert found is not None
        return entity_map(found.name).table

    def ids(
        self,
        entity_set: str,
        filter_: str,
        base: int | None,
        *,
        now: datetime = NOW,
        table: sa.FromClause | None = None,
    ) -> set[int]:
        """The ids (minus `base`) of the entities of one suite matching a $filter."""
        table = self.table(entity_set) if table is None else table
        found = MODEL.entity_set(entity_set)
        assert found is not None
        condition = compile_filter(
            parse_filter(filter_, entity_set),
            found.name,
            table,
            dialect=self.dialect,
            now=now,
            postgis=self.postgis,
        )
        query = select(table.c.id).where(condition)
        if base is not None:
            query = query.where(table.c.id.between(base, base + 999))
            with self.engine.connect() as connection:
                return {ident - base for ident in connection.scalars(query)}
        with self.engine.connect() as connection:
            return set(connection.scalars(query))

    def ordered(self, entity_set: str, orderby: str, base: int) -> list[int]:
        table = self.table(entity_set)
        found = MODEL.entity_set(entity_set)
        assert found is not None
        clauses = compile_orderby(
            parse_orderby(orderby, entity_set),
            found.name,
            table,
            dialect=self.dialect,
            postgis=self.postgis,
        )
        query = (
            select(table.c.id)
            .where(table.c.id.between(base, base + 999))
            .order_by(*clauses, table.c.id)
        )
        with self.engine.connect() as connection:
            return [ident - base for ident in connection.scalars(query)]


def _truncate_sta(engine: Engine) -> None:
    names = ", ".join(f'"{name}"' for name in Base.metadata.tables if name.startswith("sta_"))
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} CASCADE"))


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    """One migrated database per module and dialect, with every suite's data."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("sqlfilter") / "parvis.db"
        shutil.copy(template, path)
        engine = make_engine(f"sqlite:///{path}")
        event.listen(engine, "connect", lambda connection, _: install_sqlite_functions(connection))
    else:
        engine = make_engine(request.getfixturevalue("pg_database"))
        _truncate_sta(engine)
    with engine.begin() as connection:
        for dataset in DATASETS:
            dataset().insert(connection)
        postgis = postgis_available(connection) if request.param == "postgresql" else True
    yield Db(engine, request.param, postgis)
    if request.param == "postgresql":
        _truncate_sta(engine)
    engine.dispose()


# -- ETS level 3 and FROST's Capability3Tests --------------------------------------------------


def test_priority_of_query_options(db: Db) -> None:
    # checkQueriesPriorityOrdering: `result gt '3'` compares text, so 4..9 match, not 10..12.
    assert db.ids("Observations", "result gt '3'", ETS) == {4, 5, 6, 7, 8, 9}
    matching = set(db.ids("Observations", "result gt '3'", ETS))
    ordered = [n for n in db.ordered("Observations", "phenomenonTime asc", ETS) if n in matching]
    assert ordered[2] == 6


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ("result eq 2 and result eq 1 or result eq 1", {1}),
        ("(result eq 2 and result eq 1) or result eq 1", {1}),
        ("result eq 2 and (result eq 1 or result eq 1)", set()),
        ("not result lt 1 and not result gt 1", {1}),
        ("1 add result mul 2 sub -1 eq 4", {1}),
        ("6 div 2 sub result eq 2", {1}),
        ("1 add 2.0 mod (result add 1) eq 1", {1}),
        ("14 div (result add 1) mod 3 mul 3 eq 3", {1}),
    ],
)
def test_precedence(db: Db, filter_: str, expected: set[int]) -> None:
    assert db.ids("Observations", filter_, ETS) == expected


def _java_compare(value: Any, sample: Any, op: str) -> bool:
    if value is None:
        return False  # the ETS crashes on a null property: it must never come back
    outcomes = {
        "lt": value < sample,
        "le": value <= sample,
        "eq": value == sample,
        "ne": value != sample,
        "ge": value >= sample,
        "gt": value > sample,
    }
    return bool(outcomes[op])


ETS_SAMPLES: Final = [
    ("Things", "name", "'thing 1'"),
    ("Things", "description", "'This is thing 1'"),
    ("Locations", "name", "'location 2'"),
    ("Locations", "encodingType", "'application/vnd.geo+json'"),
    ("HistoricalLocations", "time", "2015-10-14T21:30:00.104Z"),
    ("HistoricalLocations", "time", "2015-10-14T22:30:00.104+01:00"),
    ("Datastreams", "name", "'datastream 1'"),
    ("Sensors", "name", "'sensor 1'"),
    ("Sensors", "encodingType", "'application/pdf'"),
    ("ObservedProperties", "name", "'Luminous Flux'"),
    ("ObservedProperties", "description", "'observedProperty 1'"),
    ("Observations", "phenomenonTime", "2015-03-02T00:00:00.000Z"),
    ("Observations", "resultTime", "2015-03-02T00:00:00.000Z"),
    ("Observations", "result", "'2'"),
    ("FeaturesOfInterest", "name", "'Generated using location details: location 1'"),
]
_COLUMNS: Final = {
    "encodingType": "encoding_type",
    "phenomenonTime": "phenomenon_time_start",
    "resultTime": "result_time",
    "result": "result_string",
}


@pytest.mark.parametrize(("entity_set", "prop", "sample"), ETS_SAMPLES)
def test_ets_filter_samples(db: Db, entity_set: str, prop: str, sample: str) -> None:
    """readEntitiesWithFilterQO, and complete: exactly the entities satisfying the comparison
    (strings by code point, `result` as text against a quoted sample, times as instants)."""
    table = db.table(entity_set)
    column = table.c[_COLUMNS.get(prop, prop)]
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.id, column).where(table.c.id.between(ETS, ETS + 999))
        ).all()
    value: Any = sample[1:-1] if sample.startswith("'") else datetime.fromisoformat(sample)
    for op in ("lt", "le", "eq", "ne", "ge", "gt"):
        expected = {ident - ETS for ident, v in rows if _java_compare(v, value, op)}
        assert db.ids(entity_set, f"{prop} {op} {sample}", ETS) == expected, op


def test_ets_orderby(db: Db) -> None:
    assert db.ordered("Observations", "result", ETS) == list(range(1, 13))
    assert db.ordered("Observations", "phenomenonTime desc", ETS) == list(range(12, 0, -1))
    # Datastream names repeat: ties go by the next key, then by id.
    assert db.ordered("Datastreams", "name desc, description", ETS) == [3, 2, 4, 1]
    assert db.ordered("Locations", "location", ETS) == [2, 1]  # by the GeoJSON text
    assert db.ordered("HistoricalLocations", "time", ETS) == [3, 1, 2, 4]


# -- FROST FilterTests -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_set", "filter_", "expected"),
    [
        ("Things", "Locations/name eq 'Location 2'", {1}),
        ("Things", "startswith(HistoricalLocations/Locations/name, 'Location 1')", {0}),
        ("Things", "HistoricalLocations/Locations/properties/field eq properties/field", {1, 2}),
        (
            "ObservedProperties",
            "Datastreams/Thing/Datastreams/ObservedProperty/name eq 'ObservedProperty 0'",
            {0, 1, 2, 3},
        ),
        (
            "ObservedProperties",
            "Datastreams/Thing/Datastreams/ObservedProperty/name eq 'ObservedProperty 3'",
            {0, 1, 3},
        ),
        ("Things", "substring(properties/string, 1) eq 'wo'", {2}),
        ("Things", "substring(properties/string, 1, 1) eq 'w'", {2}),
        ("Things", "substring(name, 4) eq 'g 4'", {3}),
        ("Things", "substring(name, 4, 3) eq 'g 4'", {3}),
        ("Things", "properties/field eq null", {0, 3}),
        ("Things", "Datastreams/id eq null", {3}),
        ("Things", "properties/field ne null", {1, 2}),
        ("Things", "Datastreams/id ne null", {0, 1, 2}),
        ("Observations", "resultQuality eq 'number-1'", {1}),
        ("Observations", "resultQuality eq 2", {2}),
        # Five hops down to the Features of Interest (ETS: Datastreams/Observations/...).
        ("Things", "Datastreams/Observations/FeatureOfInterest/name eq 'FoI'", {0, 1}),
        ("Sensors", "Datastreams/Observations/parameters/idx eq 35", {3}),
    ],
)
def test_frost_filter(db: Db, entity_set: str, filter_: str, expected: set[int]) -> None:
    assert db.ids(entity_set, filter_, FILTER) == expected


# -- FROST GeoTests ----------------------------------------------------------------------------

POLYGON: Final = "geography'POLYGON((7.5 51.5, 7.5 53.5, 8.5 53.5, 8.5 51.5, 7.5 51.5))'"


@pytest.mark.parametrize(
    ("entity_set", "filter_", "expected"),
    [
        ("Locations", "geo.distance(location, geography'POINT(8 54.1)') lt 1", {3}),
        (
            "Locations",
            "geo.distance(location, geography'POINT(8 54.1)') gt 1",
            {0, 1, 2, 4, 5, 6, 7},
        ),
        (
            "Observations",
            "geo.distance(FeatureOfInterest/feature, geography'POINT(8 54.1)') lt 1",
            {3},
        ),
        (
            "Observations",
            "geo.distance(FeatureOfInterest/feature, geography'POINT(8 54.1)') gt 1",
            {0, 1, 2},
        ),
        ("Locations", "geo.intersects(location, geography'LINESTRING(7.5 51, 7.5 54)')", {4, 7}),
        (
            "FeaturesOfInterest",
            "geo.intersects(feature, geography'LINESTRING(7.5 51, 7.5 54)')",
            {4, 7},
        ),
        ("Datastreams", f"geo.intersects(observedArea, {POLYGON})", {0, 1}),
        ("Locations", "geo.length(location) gt 1", {6, 7}),
        ("Locations", "geo.length(location) ge 1", {5, 6, 7}),
        ("Locations", "geo.length(location) eq 1", {5}),
        ("Locations", "geo.length(location) ne 1", {0, 1, 2, 3, 4, 6, 7}),
        ("Locations", "geo.length(location) le 4", {0, 1, 2, 3, 4, 5, 6, 7}),
        ("Locations", "geo.length(location) lt 4", {0, 1, 2, 3, 4, 5, 6}),
        ("FeaturesOfInterest", "geo.length(feature) gt 1", {6, 7}),
        ("FeaturesOfInterest", "geo.length(feature) eq 1", {5}),
        ("Locations", f"st_contains({POLYGON}, location)", {1, 2}),
        ("Observations", f"st_contains({POLYGON}, FeatureOfInterest/feature)", {1, 2}),
        ("Datastreams", f"st_contains({POLYGON}, observedArea)", {1}),
        ("Locations", "st_crosses(geography'LINESTRING(7.5 51.5, 7.5 53.5)', location)", {4, 7}),
        (
            "FeaturesOfInterest",
            "st_crosses(geography'LINESTRING(7.5 51.5, 7.5 53.5)', feature)",
            {4, 7},
        ),
        ("Locations", f"st_disjoint({POLYGON}, location)", {0, 3, 5, 6}),
        ("FeaturesOfInterest", f"st_disjoint({POLYGON}, feature)", {0, 3, 5, 6}),
        ("Locations", "st_equals(location, geography'POINT(8 53)')", {2}),
        ("FeaturesOfInterest", "st_equals(feature, geography'POINT(8 53)')", {2}),
        ("Locations", "st_intersects(location, geography'LINESTRING(7.5 51, 7.5 54)')", {4, 7}),
        ("Datastreams", f"st_intersects(observedArea, {POLYGON})", {0, 1}),
        ("Locations", f"st_overlaps({POLYGON}, location)", {4}),
        ("FeaturesOfInterest", f"st_overlaps({POLYGON}, feature)", {4}),
        ("Locations", f"st_relate({POLYGON}, location, 'T********')", {1, 2, 4, 7}),
        ("FeaturesOfInterest", f"st_relate({POLYGON}, feature, 't********')", {1, 2, 4, 7}),
        (
            "Locations",
            "st_touches(geography'POLYGON((8 53, 7.5 54.5, 8.5 54.5, 8 53))', location)",
            {2, 4},
        ),
        ("Locations", "st_within(geography'POINT(7.5 52.75)', location)", {4}),
        ("FeaturesOfInterest", "st_within(geography'POINT(7.5 52.75)', feature)", {4}),
        # Paths through relations and into JSON, a geometry literal with an SRID.
        (
            "Things",
            "st_within(Locations/location, geography'POLYGON((7 50, 9 50, 9 52.5, 7 52.5, 7 50))')",
            {0, 1},
        ),
        ("Locations", "st_equals(location, geometry'SRID=4326;POINT(8 53)')", {2}),
        ("Locations", "geo.distance(location, location) eq 0", {0, 1, 2, 3, 4, 5, 6, 7}),
        ("Locations", "location/type eq 'Feature'", {2, 6}),
    ],
)
def test_frost_geo(db: Db, entity_set: str, filter_: str, expected: set[int]) -> None:
    assert db.ids(entity_set, filter_, GEO) == expected


# -- FROST DateTimeTests -----------------------------------------------------------------------


def iso(value: datetime | tuple[datetime, datetime]) -> str:
    if isinstance(value, tuple):
        return f"{iso(value[0])}/{iso(value[1])}"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


I700_800 = (T700, T800)
# The values DateTimeTests.testDsTpl compares Datastream times with, in its order.
DS_VALUES: Final[list[Any]] = [
    T2014,
    T2015,
    T700,
    T2017_2,
    T2018,
    I700_800,
    (T2014, T2015),
    (T2014, T2017_2),
    (T2014, T2018),
    (T2015, T2017_2),
    (T2015, T2018),
    (T2017_2, T2018),
]
# relation: (results of `<time> rel <value>` for resultTime, validTime, phenomenonTime with
# T700 then I700_800; of `<value> rel <time>` likewise; of `<ds time> rel <value>` for
# DS_VALUES), as listed by DateTimeTests test01 to test12.
TIME_RELATIONS: Final[dict[str, tuple[tuple[Any, ...], ...]]] = {
    "lt": (
        (
            (0, 1, 21, 23),
            (8, 9, 23),
            (0, 1, 8, 9, 21, 23),
            (0, 1, 21, 23),
            (8, 9, 23),
            (0, 1, 8, 9, 21, 23),
        ),
        (
            (3, 4, 5, 6, 7, 22, 24),
            (12, 13, 14, 15, 20, 24),
            (3, 4, 5, 6, 7, 12, 13, 14, 15, 20, 22, 24),
            (5, 6, 7, 22, 24),
            (14, 15, 24),
            (5, 6, 7, 14, 15, 22, 24),
        ),
        ((), (), (), (0,), (0,), (), (), (), (), (), (), (0,)),
    ),
    "gt": (
        (
            (3, 4, 5, 6, 7, 22, 24),
            (12, 13, 14, 15, 20, 24),
            (3, 4, 5, 6, 7, 12, 13, 14, 15, 20, 22, 24),
            (5, 6, 7, 22, 24),
            (14, 15, 24),
            (5, 6, 7, 14, 15, 22, 24),
        ),
        (
            (0, 1, 21, 23),
            (8, 9, 23),
            (0, 1, 8, 9, 21, 23),
            (0, 1, 21, 23),
            (8, 9, 23),
            (0, 1, 8, 9, 21, 23),
        ),
        ((0,), (), (), (), (), (), (0,), (), (), (), (), ()),
    ),
    "le": (
        (
            (0, 1, 2, 21, 23),
            (8, 9, 23),
            (0, 1, 2, 8, 9, 21, 23),
            (0, 1, 2, 21, 23),
            (8, 9, 10, 11, 17, 19, 23),
            (0, 1, 2, 8, 9, 10, 11, 17, 19, 21, 23),
        ),
        (
            (2, 3, 4, 5, 6, 7, 22, 24),
            (11, 12, 13, 14, 15, 17, 18, 20, 24),
            (2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 17, 18, 20, 22, 24),
            (5, 6, 7, 22, 24),
            (11, 13, 14, 15, 18, 20, 24),
            (5, 6, 7, 11, 13, 14, 15, 18, 20, 22, 24),
        ),
        ((), (), (), (0,), (0,), (), (), (), (), (0,), (0,), (0,)),
    ),
    "ge": (
        (
            (2, 3, 4, 5, 6, 7, 22, 24),
            (11, 12, 13, 14, 15, 17, 18, 20, 24),
            (2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 17, 18, 20, 22, 24),
            (5, 6, 7, 22, 24),
            (11, 13, 14, 15, 18, 20, 24),
            (5, 6, 7, 11, 13, 14, 15, 18, 20, 22, 24),
        ),
        (
            (0, 1, 2, 21, 23),
            (8, 9, 23),
            (0, 1, 2, 8, 9, 21, 23),
            (0, 1, 2, 21, 23),
            (8, 9, 10, 11, 17, 19, 23),
            (0, 1, 2, 8, 9, 10, 11, 17, 19, 21, 23),
        ),
        ((0,), (0,), (), (), (), (), (0,), (0,), (), (0,), (), ()),
    ),
    "eq": (
        ((2,), (), (2,), (), (11,), (11,)),
        ((2,), (), (2,), (), (11,), (11,)),
        ((), (), (), (), (), (), (), (), (), (0,), (), ()),
    ),
    "before": (
        (
            (0, 1, 21, 23),
            (8, 9, 23),
            (0, 1, 8, 9, 21, 23),
            (0, 1, 21, 23),
            (8, 9, 23),
            (0, 1, 8, 9, 21, 23),
        ),
        (
            (3, 4, 5, 6, 7, 22, 24),
            (12, 13, 14, 15, 20, 24),
            (3, 4, 5, 6, 7, 12, 13, 14, 15, 20, 22, 24),
            (5, 6, 7, 22, 24),
            (14, 15, 24),
            (5, 6, 7, 14, 15, 22, 24),
        ),
        ((), (), (), (0,), (0,), (), (), (), (), (), (), (0,)),
    ),
    "after": (
        (
            (3, 4, 5, 6, 7, 22, 24),
            (12, 13, 14, 15, 20, 24),
            (3, 4, 5, 6, 7, 12, 13, 14, 15, 20, 22, 24),
            (5, 6, 7, 22, 24),
            (14, 15, 24),
            (5, 6, 7, 14, 15, 22, 24),
        ),
        (
            (0, 1, 21, 23),
            (8, 9, 23),
            (0, 1, 8, 9, 21, 23),
            (0, 1, 21, 23),
            (8, 9, 23),
            (0, 1, 8, 9, 21, 23),
        ),
        ((0,), (), (), (), (), (), (0,), (), (), (), (), ()),
    ),
    "meets": (
        ((2,), (9, 11, 17, 18), (2, 9, 11, 17, 18), (2, 5), (9, 14), (2, 5, 9, 14)),
        ((2,), (9, 11, 17, 18), (2, 9, 11, 17, 18), (2, 5), (9, 14), (2, 5, 9, 14)),
        ((), (0,), (), (0,), (), (), (0,), (), (), (), (), (0,)),
    ),
    "overlaps": (
        (
            (2,),
            (10, 11, 16, 17, 18, 19),
            (2, 10, 11, 16, 17, 18, 19),
            (2, 3, 4),
            (10, 11, 12, 13, 16, 17, 18, 19, 20),
            (2, 3, 4, 10, 11, 12, 13, 16, 17, 18, 19, 20),
        ),
        (
            (2,),
            (10, 11, 16, 17, 18, 19),
            (2, 10, 11, 16, 17, 18, 19),
            (2, 3, 4),
            (10, 11, 12, 13, 16, 17, 18, 19, 20),
            (2, 3, 4, 10, 11, 12, 13, 16, 17, 18, 19, 20),
        ),
        ((), (0,), (0,), (), (), (0,), (), (0,), (0,), (0,), (0,), ()),
    ),
    "starts": (
        ((2,), (11, 17, 18), (2, 11, 17, 18), (2,), (11, 17, 18), (2, 11, 17, 18)),
        ((2,), (11, 17, 18), (2, 11, 17, 18), (2,), (11, 17, 18), (2, 11, 17, 18)),
        ((), (0,), (), (), (), (), (), (), (), (0,), (0,), ()),
    ),
    "finishes": (
        ((2,), (9,), (2, 9), (5,), (11, 19, 20), (5, 11, 19, 20)),
        ((2,), (9,), (2, 9), (5,), (11, 19, 20), (5, 11, 19, 20)),
        ((), (), (), (0,), (), (), (), (0,), (), (0,), (), ()),
    ),
}
TIME_PROPERTIES: Final = ("resultTime", "validTime", "phenomenonTime")


def _relation(relation: str, a: str, b: str) -> str:
    if relation in ("lt", "gt", "le", "ge", "eq"):
        return f"{a} {relation} {b}"
    return f"{relation}({a},{b})"


@pytest.mark.parametrize("relation", list(TIME_RELATIONS))
def test_frost_time_relations(db: Db, relation: str) -> None:
    time_value, value_time, datastreams = TIME_RELATIONS[relation]
    cases = [(prop, value) for value in (T700, I700_800) for prop in TIME_PROPERTIES]
    for (prop, value), forward, backward in zip(cases, time_value, value_time, strict=True):
        forward_filter = _relation(relation, prop, iso(value))
        assert db.ids("Observations", forward_filter, TIMES) == set(forward), forward_filter
        backward_filter = _relation(relation, iso(value), prop)
        assert db.ids("Observations", backward_filter, TIMES) == set(backward), backward_filter
    for value, expected in zip(DS_VALUES, datastreams, strict=True):
        for prop in ("phenomenonTime", "resultTime"):
            ds_filter = _relation(relation, prop, iso(value))
            assert db.ids("Datastreams", ds_filter, TIMES) == set(expected), ds_filter


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        (f"during(resultTime,{iso(I700_800)})", {2, 3, 4}),
        (f"during(validTime,{iso(I700_800)})", {11, 12, 17, 20}),
        (f"during(phenomenonTime,{iso(I700_800)})", {2, 3, 4, 11, 12, 17, 20}),
        (f"during({iso(T700)},validTime)", {10, 11, 16, 17, 18, 19}),
        (f"during({iso(T700)},phenomenonTime)", {10, 11, 16, 17, 18, 19}),
        (f"during({iso(I700_800)},validTime)", {11, 16, 18, 19}),
        (f"during({iso(I700_800)},phenomenonTime)", {11, 16, 18, 19}),
        ("year(resultTime) eq 2015", {21, 23}),
        ("year(validTime) eq 2015", {23}),
        ("year(phenomenonTime) eq 2015", {21, 23}),
        (f"resultTime add duration'PT1H' gt {iso(T900)}", {6, 7, 22, 24}),
        (f"validTime add duration'PT1H' gt {iso(T900)}", {15, 24}),
        (f"phenomenonTime add duration'PT1H' gt {iso(T900)}", {6, 7, 15, 22, 24}),
        (f"resultTime gt {iso(T900)} sub duration'PT1H'", {6, 7, 22, 24}),
        (f"validTime gt {iso(T900)} sub duration'PT1H'", {15, 24}),
        (f"phenomenonTime gt {iso(T900)} sub duration'PT1H'", {6, 7, 15, 22, 24}),
        (f"resultTime sub duration'PT1H' gt {iso(T700)}", {6, 7, 22, 24}),
        (f"validTime sub duration'PT1H' gt {iso(T700)}", {15, 24}),
        (f"phenomenonTime sub duration'PT1H' gt {iso(T700)}", {6, 7, 15, 22, 24}),
        (f"resultTime lt {iso((T600, T700))} add duration'PT1H'", {0, 1, 21, 23}),
        (f"validTime lt {iso((T600, T700))} add duration'PT1H'", {8, 9, 23}),
        (f"phenomenonTime lt {iso((T600, T700))} add duration'PT1H'", {0, 1, 8, 9, 21, 23}),
        (f"resultTime gt {iso((T800, T900))} sub duration'PT1H'", {5, 6, 7, 22, 24}),
        (f"validTime gt {iso((T800, T900))} sub duration'PT1H'", {14, 15, 24}),
        (f"phenomenonTime gt {iso((T800, T900))} sub duration'PT1H'", {5, 6, 7, 14, 15, 22, 24}),
        (f"phenomenonTime sub {iso(T800)} eq duration'PT1H'", {7}),
        (f"not resultTime lt {iso(T700)} and not resultTime ge {iso(T800)}", {2, 3, 4}),
        (
            f"not validTime lt {iso(T700)} and not validTime ge {iso(T800)}",
            {10, 11, 12, 13, 16, 17, 18, 19, 20},
        ),
        (
            f"not phenomenonTime lt {iso(T700)} and not phenomenonTime ge {iso(T800)}",
            {2, 3, 4, 10, 11, 12, 13, 16, 17, 18, 19, 20},
        ),
        # ne is the negation of eq; null times never compare.
        (f"validTime ne {iso(I700_800)}", {8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 23, 24}),
        ("validTime eq null", {0, 1, 2, 3, 4, 5, 6, 7, 21, 22}),
        ("resultTime ne null", {0, 1, 2, 3, 4, 5, 6, 7, 21, 22, 23, 24}),
    ],
)
def test_frost_times(db: Db, filter_: str, expected: set[int]) -> None:
    assert db.ids("Observations", filter_, TIMES) == expected


def test_now(db: Db) -> None:
    now = T800 + timedelta(minutes=30)
    found = db.ids("Observations", "phenomenonTime gt now() sub duration'PT1H'", TIMES, now=now)
    assert found == {4, 5, 6, 7, 13, 14, 15, 22, 24}


@pytest.mark.parametrize(
    "filter_",
    [
        f"during(resultTime,{iso(T700)})",
        f"during(validTime,{iso(T700)})",
        f"during(phenomenonTime,{iso(T700)})",
        f"during({iso(T700)},resultTime)",
        f"during({iso(I700_800)},resultTime)",
    ],
)
def test_during_needs_an_interval(db: Db, filter_: str) -> None:
    with pytest.raises(UnsupportedFilter) as raised:
        db.ids("Observations", filter_, TIMES)
    assert raised.value.status == 400


# -- FROST JsonPropertiesTests -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_set", "filter_", "expected"),
    [
        ("Things", f"properties/string eq '{letters(2, 10)}'", {2}),
        ("Observations", f"parameters/string eq '{letters(2, 10)}'", {2}),
        ("Things", "substringof('cdefgh', properties/string)", {0, 1, 2}),
        ("Observations", "substringof('cdefgh', parameters/string)", {0, 1, 2}),
        ("Things", "properties/objArray[0]/string eq 'jklmnopqrs'", {1}),
        ("Observations", "parameters/objArray[0]/string eq 'jklmnopqrs'", {9}),
        ("Observations", "parameters/int eq '5'", {5, 15}),
        ("Things", "properties/int eq 10", {2}),
        ("Observations", "parameters/int eq 2", {2}),
        ("Things", "properties/int gt 9", {2, 3}),
        ("Observations", "parameters/int gt 8", {9, 10, 11, 12}),
        ("Things", "properties/int lt 9", {0}),
        ("Observations", "parameters/int lt 8", {0, 1, 2, 3, 4, 5, 6, 7}),
        ("Things", "properties/intArray[1] gt 10", {2, 3}),
        ("Observations", "parameters/intArray[1] gt 9", {9, 10, 11, 12}),
        ("Things", "properties/intArray[1] lt 10", {0}),
        ("Observations", "parameters/intArray[1] lt 9", {0, 1, 2, 3, 4, 5, 6, 7}),
        ("Things", "properties/intIntArray[1][0] gt 10", {2, 3}),
        ("Observations", "parameters/intIntArray[1][0] gt 9", {9, 10, 11, 12}),
        ("Things", "properties/objArray[1]/intArray[0] gt 10", {2, 3}),
        ("Observations", "parameters/objArray[1]/intArray[0] gt 9", {9, 10, 11, 12}),
        ("Things", "properties/boolean eq false", {1, 3}),
        ("Observations", "parameters/boolean eq false", {1, 3, 5, 7, 9, 11}),
        ("Things", "properties/boolean", {0, 2}),
        ("Observations", "parameters/boolean", {0, 2, 4, 6, 8, 10, 12}),
        ("Things", "not properties/boolean", {1, 3}),
        ("Observations", "not parameters/boolean", {1, 3, 5, 7, 9, 11}),
        ("Things", "properties/objArray[1]/boolean", {1, 3}),
        ("Observations", "parameters/objArray[1]/boolean", {1, 3, 5, 7, 9, 11}),
        ("Datastreams", "unitOfMeasurement/symbol eq '°C'", {0}),
        ("Datastreams", "unitOfMeasurement/symbol eq '°F'", {1}),
        ("Datastreams", "unitOfMeasurement/name eq 'degree celcius'", {0}),
        ("Datastreams", "unitOfMeasurement/definition eq '[degF]'", {1}),
        ("Observations", "parameters/int eq Datastream/Thing/properties/int", {8}),
        ("Observations", "parameters/string eq Datastream/Thing/properties/string", {0}),
        (
            "Observations",
            "parameters/boolean eq Datastream/Thing/properties/boolean",
            {0, 2, 4, 6, 8, 10, 12, 15},
        ),
        ("Observations", "resultQuality/DQ_Status/code eq 2", {0, 2, 4, 6, 8, 10, 12}),
        ("Observations", "resultQuality[0]/DQ_Result/code eq 2", {1, 3, 5, 7, 9, 11}),
        (
            "Observations",
            "resultQuality[-1]/nameOfMeasure eq 'DQ_Qualification'",
            {1, 3, 5, 7, 9, 11},
        ),
        ("Observations", "result eq 'badVales2'", {14}),
        ("Observations", "result ge 11", {11, 12}),
        ("Observations", "length(result) eq 9", {13, 14, 15}),
    ],
)
def test_frost_json(db: Db, entity_set: str, filter_: str, expected: set[int]) -> None:
    assert db.ids(entity_set, filter_, JSON_) == expected


# -- strings, numbers, untyped values, relations, ordering -------------------------------------


def _names(predicate: Callable[[str], bool]) -> set[int]:
    return {n for n, name in enumerate(MISC_NAMES) if predicate(name)}


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        # LIKE wildcards in literals are plain characters; case matters on SQLite too.
        ("startswith(name, 'a_')", _names(lambda s: s.startswith("a_"))),
        ("startswith(name, 'a%')", _names(lambda s: s.startswith("a%"))),
        ("substringof('%', name)", _names(lambda s: "%" in s)),
        ("contains(name, '_')", _names(lambda s: "_" in s)),
        ("endswith(name, '_b')", _names(lambda s: s.endswith("_b"))),
        ("endswith(name, 'B')", _names(lambda s: s.endswith("B"))),
        ("startswith(name, 'A')", set()),
        ("endswith(name, '')", _names(lambda s: True)),
        ("startswith(name, description)", set()),
        ("endswith(description, concat('ing ', substring(name, 0, 0)))", set()),
        ("contains(description, substring(name, 1))", _names(lambda s: len(s) == 1)),
        ("length(name) eq 2", _names(lambda s: len(s) == 2)),
        ("indexof(name, 'b') eq 1", _names(lambda s: s.find("b") == 1)),
        ("indexof(name, 'q') eq -1", _names(lambda s: "q" not in s)),
        ("substring(name, 1) eq 'b'", _names(lambda s: s[1:] == "b")),
        ("substring(name, 1, 1) eq '_'", _names(lambda s: s[1:2] == "_")),
        ("substring(name, -3, 1) eq 'a'", _names(lambda s: s[:1] == "a")),
        ("substring(name, 1, -1) eq ''", _names(lambda s: True)),
        ("tolower(name) eq 'b'", _names(lambda s: s.lower() == "b")),
        ("toupper(name) eq 'AB'", _names(lambda s: s.upper() == "AB")),
        ("trim(name) eq 'padded'", _names(lambda s: s.strip() == "padded")),
        ("concat(name, '!') eq 'ab!'", {6}),
        ("concat(concat(name, ' '), description) eq 'a thing 1'", {1}),
        ("name eq 'O''Brien'", {9}),
        ("name gt 'Z'", _names(lambda s: s > "Z")),
        ("name le 'a'", _names(lambda s: s <= "a")),
        ("name lt 'a_'", _names(lambda s: s < "a_")),
        ("'a' lt name", _names(lambda s: s > "a")),
        ("id eq '6000'", {0}),
        ("description ne name", _names(lambda s: True)),
    ],
)
def test_strings(db: Db, filter_: str, expected: set[int]) -> None:
    assert db.ids("Things", filter_, MISC) == expected


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ("properties/rank gt 1", {0, 1, 4}),
        ("properties/rank lt 0", {7}),
        ("properties/rank eq '9'", {2}),
        ("properties/rank eq '10'", {1}),
        ("properties/rank eq true", {6}),
        ("properties/rank ne true", set()),
        ("properties/rank", {6}),
        ("properties/rank eq null", {3, 5, 8, 9}),
        ("properties/rank ne null", {0, 1, 2, 4, 6, 7}),
        ("properties/tag eq null", {2, 3, 5, 8, 9}),
        ("properties eq null", {5, 8}),
        ("properties ne null", {0, 1, 2, 3, 4, 6, 7, 9}),
        ("properties/nested/k[1]/z eq 'deep'", {7}),
        ("properties/nested/k[-1]/z eq 'deep'", {7}),
        ("properties/nested/k[0] eq 1", {7}),
        ("properties/nested/k[5] eq null", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}),
        ("properties/rank add 1 gt 2.5", {0, 1}),
        ("properties/rank eq properties/rank", {0, 1, 2, 4, 6, 7}),
        ("properties/rank eq properties/tag", set()),
        ("properties/tag eq tolower(name)", {0, 1, 4, 6, 7}),
        ("properties/rank gt properties/other", set()),
    ],
)
def test_untyped_properties(db: Db, filter_: str, expected: set[int]) -> None:
    assert db.ids("Things", filter_, MISC) == expected


def _results(predicate: Callable[[Any], bool]) -> set[int]:
    return {n for n, value in enumerate(MISC_RESULTS) if predicate(value)}


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


ALL_OBSERVATIONS: Final = set(range(12))


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ("result gt 2", _results(lambda v: (_number(v) or 0) > 2)),
        ("result eq 10", set()),
        ("result eq '10'", {4}),
        ("result eq 'abc'", {3}),
        ("result gt 'a'", {3, 5, 6, 8}),  # 'abc', the booleans and JSON as text
        ("result eq true", {5}),
        ("result eq false", {6}),
        ("result", {5}),
        ("not result", {6}),
        ("result eq null", {7}),
        ("result ne null", ALL_OBSERVATIONS - {7}),
        ("result eq result", ALL_OBSERVATIONS - {7}),
        ("result add 1 eq 4", {0}),
        ("result mul 2 gt 7", {1}),
        ("-result eq 4", {10}),
        ("result div 0 eq 1", set()),
        ("result mod 0 eq 0", set()),
        ("result mod 5 eq 2", {1}),
        ("result mod 5 eq -4", {10}),
        ("result mod 2 eq 0.5", {2}),
        ("round(result) eq 3", {0, 2}),
        ("floor(result) eq 2", {2}),
        ("ceiling(result) eq 3", {0, 2}),
        ("round(-2.5) eq -3 and 6 div 4 eq 1.5 and 7 mod 2 eq 1", ALL_OBSERVATIONS),
        ("1 div 0 eq null", ALL_OBSERVATIONS),
        ("result/a eq 1", {8}),
        ("result[1] eq 2", {9}),
        ("result[1] eq 'x'", {11}),
        ("length(result) eq 3", {2, 3}),  # '2.5', 'abc'
        ("st_within(result, geography'POINT(1 2)')", set()),
        ("id eq 6003", {3}),
        ("Datastream/name eq 'ds beta'", {10}),
        ("Datastream/id eq null", {11}),
        ("MultiDatastream/name eq 'md'", {11}),
        ("MultiDatastream/ObservedProperties/name eq 'op one'", {11}),
        ("Datastream/Thing/properties/tag eq 'b'", set(range(10))),
    ],
)
def test_results_and_numbers(db: Db, filter_: str, expected: set[int]) -> None:
    assert db.ids("Observations", filter_, MISC) == expected


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ("year(resultTime) eq 2015 and month(resultTime) eq 6 and day(resultTime) eq 7", {0, 2}),
        ("hour(resultTime) eq 8 and minute(resultTime) eq 9 and second(resultTime) eq 10", {0}),
        ("fractionalseconds(resultTime) eq 0.25", {0}),
        ("fractionalseconds(resultTime) eq 0", {2}),
        ("date(resultTime) eq 2015-06-07", {0, 2}),
        ("time(resultTime) eq 08:09:10.25", {0}),
        ("time(resultTime) lt 08:09:11", {0}),
        ("resultTime ge 2015-06-07", {0, 2}),
        ("resultTime gt 2015-06-07", set()),
        ("08:09:11 le resultTime", {2}),
        ("totaloffsetminutes(resultTime) eq 0", {0, 2}),
        ("year(date(resultTime)) eq 2015 and second(time(resultTime)) eq 11", {2}),
        ("hour(phenomenonTime) eq 1", {1}),
        ("resultTime add duration'P1D' eq 2015-06-08T08:09:10.25Z", {0}),
        ("resultTime sub 2015-06-07T08:09:10Z eq duration'PT0.25S'", {0}),
        ("resultTime sub duration'PT0.75S' eq 2015-06-07T08:09:10.25Z", {2}),
        ("resultTime sub resultTime eq duration'PT0S'", {0, 2}),
        ("phenomenonTime sub resultTime gt duration'P1000D'", {0, 2}),
        ("(resultTime sub 2015-06-07T08:09:10Z) mul 4 eq duration'PT1S'", {0}),
        ("resultTime add duration'P999999999D' gt now()", set()),
        ("resultTime sub duration'P999999999D' lt now()", set()),
        ("phenomenonTime lt now()", ALL_OBSERVATIONS),
        ("mindatetime() lt resultTime and maxdatetime() gt resultTime", {0, 2}),
        ("resultTime ne 2015-06-07T08:09:11Z", {0}),
        ("2015-06-07 add duration'PT8H9M11S' eq resultTime", {2}),
        ("phenomenonTime eq 2020-01-01T00:00:00Z/2020-01-01T00:30:00Z", {3}),
        ("phenomenonTime eq 2020-01-01T00:00:00Z", {0}),
    ],
)
def test_times(db: Db, filter_: str, expected: set[int]) -> None:
    assert db.ids("Observations", filter_, MISC) == expected


@pytest.mark.parametrize(
    ("entity_set", "filter_", "expected"),
    [
        ("Things", "Datastreams/name eq 'ds gamma' and Datastreams/name eq 'ds beta'", {1}),
        ("Things", "Datastreams/name eq 'ds gamma' and Datastreams/description eq 'stream 1'", {1}),
        ("Things", "not Datastreams/name eq 'ds alpha'", set(range(10)) - {0}),
        ("Things", "Datastreams/phenomenonTime eq null", set(range(10)) - {0, 7}),
        ("Things", "Datastreams/phenomenonTime ne null", {0, 1, 7}),
        ("Things", "Locations/id eq null", set(range(10))),
        ("Things", "MultiDatastreams/ObservedProperties/name eq 'op one'", {0}),
        ("Things", "Datastreams/Observations/result eq 'abc'", {0}),
        ("Things", "Datastreams/Observations/result gt 11", {0}),
        ("ObservedProperties", "MultiDatastreams/Thing/name eq 'B'", {0, 1}),
        ("Datastreams", "Thing/name eq Thing/name and Thing/properties/rank gt 5", {1, 2}),
        ("Datastreams", "Thing/id eq null", set()),
        ("Datastreams", "Observations/id eq null", {2, 3}),
    ],
)
def test_relations(db: Db, entity_set: str, filter_: str, expected: set[int]) -> None:
    assert db.ids(entity_set, filter_, MISC) == expected


def test_aliased_table(db: Db) -> None:
    things = db.table("Things").alias("outer_things")
    found = db.ids("Things", "Datastreams/name eq 'ds beta' or name eq 'B'", None, table=things)
    assert found == {MISC, MISC + 1}


def test_ids_beyond_double_precision(db: Db) -> None:
    assert db.ids("Things", f"id eq {HUGE_ID}", None) == {HUGE_ID}
    assert db.ids("Things", f"id eq {HUGE_ID - 1}", None) == set()
    assert db.ids("Things", f"id gt {HUGE_ID - 1}", None) == {HUGE_ID}
    assert HUGE_ID in db.ids("Things", "id lt 99999999999999999999", None)
    assert db.ids("Things", f"id add 1 eq {HUGE_ID + 1}", None) == {HUGE_ID}


@pytest.mark.parametrize(
    ("entity_set", "orderby", "expected"),
    [
        ("Things", "name", sorted(range(10), key=lambda n: MISC_NAMES[n])),
        ("Things", "name desc", sorted(range(10), key=lambda n: MISC_NAMES[n], reverse=True)),
        # Non-numbers first by their text (missing ones first), then numbers.
        ("Things", "properties/rank", [3, 5, 8, 9, 2, 6, 7, 4, 0, 1]),
        ("Things", "properties/rank desc", [1, 0, 4, 7, 6, 2, 3, 5, 8, 9]),
        ("Things", "length(name) desc, name", [8, 9, 7, 5, 4, 3, 2, 6, 0, 1]),
        ("Datastreams", "phenomenonTime", [2, 3, 0, 1]),
        ("Datastreams", "phenomenonTime desc", [1, 0, 3, 2]),
        ("Datastreams", "Thing/name desc, name", [1, 2, 3, 0]),
        ("Datastreams", "Thing/name, id desc", [0, 3, 2, 1]),
        ("Observations", "resultTime desc", [2, 0, *range(1, 2), *range(3, 12)]),
        ("Observations", "phenomenonTime", [0, 3, 1, 2, *range(4, 12)]),
        ("Observations", "Datastream/name", [11, *range(10), 10]),
        (
            "Observations",
            "Datastream/Thing/name desc, result",
            [10, 7, 4, 9, 3, 6, 5, 8, 2, 0, 1, 11],
        ),
        ("Observations", "result", [7, 4, 11, 9, 3, 6, 5, 8, 10, 2, 0, 1]),
        ("Locations", "location", []),
    ],
)
def test_orderby(db: Db, entity_set: str, orderby: str, expected: list[int]) -> None:
    assert db.ordered(entity_set, orderby, MISC) == expected


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_set", "filter_", "expected"),
    [
        # Where PostgreSQL would raise (bigint or float8 overflow, division by zero, time out of
        # range, negative substring length), the filter answers as SQLite does.
        ("Things", "id mul 9223372036854775807 gt 0", set(range(10))),
        ("Things", "substring(name, properties/rank) eq ''", {0, 1}),
        ("Things", "properties/rank mod 0 eq null", set(range(10))),
        ("Things", "round(1e308 mul 10) gt 0", set(range(10))),
        ("Observations", "result mul 1e308 mul 1e308 gt 0", {0, 1, 2}),
        ("Observations", "result div 1e-300 div 1e-300 gt 0", {0, 1, 2}),
        (
            "Observations",
            "2015-01-01T00:00:00Z sub duration'P999999999D' eq null",
            ALL_OBSERVATIONS,
        ),
        ("Observations", "(resultTime sub phenomenonTime) mul 1e300 lt duration'PT0S'", {0, 2}),
    ],
)
def test_no_database_error(db: Db, entity_set: str, filter_: str, expected: set[int]) -> None:
    assert db.ids(entity_set, filter_, MISC) == expected


@pytest.mark.parametrize(
    ("entity_set", "filter_"),
    [
        ("Things", "name eq true"),
        ("Things", "name eq 2015-01-01T00:00:00Z"),
        ("Things", "properties/x gt 2015-01-01T00:00:00Z"),
        ("Locations", "location eq geography'POINT(1 2)'"),
        ("Locations", "st_relate(location, location, name)"),
        ("Observations", "result add 1"),
        ("Observations", "phenomenonTime eq 2015-01-01"),
        ("Observations", "year(result) eq 2015"),
        ("Observations", "hour(date(resultTime)) eq 1"),
        ("Observations", "phenomenonTime sub resultTime eq 3"),
    ],
)
def test_type_errors(db: Db, entity_set: str, filter_: str) -> None:
    with pytest.raises(UnsupportedFilter) as raised:
        db.ids(entity_set, filter_, MISC)
    assert raised.value.status == 400


def test_spatial_functions_need_postgis() -> None:
    expr = parse_filter("st_within(location, geography'POINT(1 2)')", "Locations")
    table = entity_map("Location").table
    with pytest.raises(UnsupportedFilter) as raised:
        compile_filter(expr, "Location", table, dialect="postgresql", now=NOW, postgis=False)
    assert raised.value.status == 501
    assert "PostGIS" in raised.value.message
    orderby = parse_orderby("geo.distance(location, geography'POINT(1 2)')", "Locations")
    with pytest.raises(UnsupportedFilter):
        compile_orderby(orderby, "Locations", table, dialect="postgresql", postgis=False)
    # Without a spatial function, nothing needs PostGIS.
    compile_filter(
        parse_filter("name eq 'x'", "Locations"),
        "Location",
        table,
        dialect="postgresql",
        now=NOW,
        postgis=False,
    )


def test_postgis_available(db: Db) -> None:
    with db.engine.connect() as connection:
        assert postgis_available(connection) is (db.dialect == "postgresql")


def test_sqlite_functions_never_raise() -> None:
    import sqlite3

    connection = sqlite3.connect(":memory:")
    install_sqlite_functions(connection)
    queries = {
        "parvis_mod(1, 0)": None,
        "parvis_mod(-7.5, 2)": -1.5,
        "parvis_mod('x', 2)": None,
        "parvis_floor(-2.5)": -3,
        "parvis_ceiling(1e300)": 1e300,
        "parvis_lower('ÉTÉ')": "été",
        "parvis_time_add('garbage', 1)": None,
        "parvis_time_add('9999-12-31 23:59:59.999999', 1)": None,
        "parvis_time_add('0999-01-01 00:00:00.000000', 1)": "0999-01-01 00:00:00.000001",
        "parvis_time_diff('2016-01-01 00:00:01.000000', '2016-01-01 00:00:00.500000')": 500000,
        "parvis_geo_distance('{\"type\": \"Point\"}', '[]')": None,
        # PostGIS ST_Length: a polygon's perimeter is not its length.
        'parvis_geo_length(\'{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}\')': (
            0.0
        ),
        "parvis_geo_predicate('within', 'not json', 'null')": None,
        'parvis_geo_predicate(\'buffer\', \'{"type":"Point","coordinates":[0,0]}\','
        ' \'{"type":"Point","coordinates":[0,0]}\')': None,
        'parvis_geo_relate(\'{"type":"Point","coordinates":[0,0]}\','
        ' \'{"type":"Point","coordinates":[0,0]}\', \'T*F**FFF*\')': 1,
    }
    for query, expected in queries.items():
        assert connection.execute(f"SELECT {query}").fetchone() == (expected,), query
    connection.close()
