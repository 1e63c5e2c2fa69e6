"""Real data into the SensorThings tables: the Airparif 2025 hourly series, and the demo's
actuators (dimmable street lights, a park irrigation valve)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Engine, func, insert, select, update

from parvis.sensing import airparif
from parvis.sensing.actions import extend_stream_times
from parvis.sensing.areas import widen_observed_areas
from parvis.sensing.codec import result_columns
from parvis.sensing.fastinsert import insert_rows
from parvis.sensing.models import (
    Actuator,
    Datastream,
    FeatureOfInterest,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    TaskingCapability,
    Thing,
    ThingLocation,
)

MEASUREMENT: Final = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
_CHUNK: Final = 5000


@dataclass(frozen=True)
class AirparifReport:
    stations: int
    datastreams: int
    observations: int
    skipped: int  # datastreams already loaded


def _one(conn: Connection, model: Any, where: Any) -> int | None:
    return conn.scalar(select(model.id).where(where).limit(1))


def _insert(conn: Connection, model: Any, **values: Any) -> int:
    t = model.__table__
    return int(conn.execute(insert(t).values(**values).returning(t.c.id)).scalar_one())


def _thing_of(conn: Connection, station: airparif.Station) -> tuple[int, int]:
    """The station's Thing and its generated FeatureOfInterest, created once."""
    code_match = Thing.properties["airparif_code"].as_string() == station.code
    thing_id = _one(conn, Thing, code_match)
    point = {"type": "Point", "coordinates": [station.lon, station.lat]}
    if thing_id is None:
        thing_id = _insert(
            conn,
            Thing,
            name=f"Station Airparif {station.name}",
            description=f"Station de mesure de la qualité de l'air Airparif « {station.name} »",
            properties={
                "airparif_code": station.code,
                "typology": station.typology,
                "in_paris": station.in_paris,
                "source": "Airparif",
                "licence": "ODbL 1.0",
            },
            private=False,
        )
        location_id = _insert(
            conn,
            Location,
            name=station.name,
            description=f"Station Airparif {station.code}",
            encoding_type="application/geo+json",
            location=point,
        )
        conn.execute(insert(ThingLocation).values(thing_id=thing_id, location_id=location_id))
    location = conn.execute(
        select(Location.id, Location.generated_feature_id, Location.name, Location.description)
        .join(ThingLocation, ThingLocation.location_id == Location.id)
        .where(ThingLocation.thing_id == thing_id)
        .order_by(Location.id)
        .limit(1)
    ).one()
    feature_id = location.generated_feature_id
    if feature_id is None:
        feature_id = _insert(
            conn,
            FeatureOfInterest,
            name=location.name,
            description=f"Generated using location details: {location.description}",
            encoding_type="application/geo+json",
            feature=point,
        )
        conn.execute(
            update(Location)
            .where(Location.id == location.id)
            .values(generated_feature_id=feature_id)
        )
    return thing_id, int(feature_id)


def _property_of(conn: Connection, prop: airparif.ObservedProperty) -> int:
    found = _one(conn, ObservedProperty, ObservedProperty.definition == prop.definition)
    if found is not None:
        return found
    return _insert(
        conn,
        ObservedProperty,
        name=prop.name,
        definition=prop.definition,
        description=prop.description,
    )


def _sensor_of(conn: Connection, prop: airparif.ObservedProperty) -> int:
    name = f"Analyseur {prop.name} Airparif"
    found = _one(conn, Sensor, Sensor.name == name)
    if found is not None:
        return found
    return _insert(
        conn,
        Sensor,
        name=name,
        description=f"Analyseur de référence {prop.name} du réseau Airparif (moyennes horaires)",
        encoding_type="text/html",
        metadata="https://www.airparif.fr/surveiller-la-pollution/les-stations-de-mesure",
    )


def import_airparif(
    engine: Engine,
    stations: dict[str, airparif.Station] | None = None,
    series: Sequence[airparif.Series] | None = None,
) -> AirparifReport:
    """Load the series (by default the shipped 2025 NOx and CO files), one Thing per station and
    one Datastream per station and pollutant. Running it again adds nothing."""
    if stations is None or series is None:
        stations, series = airparif.load_shipped()
    things: set[int] = set()
    datastreams = observations = skipped = 0
    with engine.begin() as conn:
        for one in series:
            prop = airparif.OBSERVED_PROPERTIES[one.pollutant_code]
            op_id = _property_of(conn, prop)
            sensor_id = _sensor_of(conn, prop)
            for member in one.stations:
                station = stations.get(member.code)
                if station is None:
                    continue  # no public position for it: not loaded (data/README.md)
                thing_id, feature_id = _thing_of(conn, station)
                things.add(thing_id)
                name = f"{prop.name} — {station.name}"
                ds_id = _one(
                    conn,
                    Datastream,
                    (Datastream.thing_id == thing_id) & (Datastream.observed_property_id == op_id),
                )
                if ds_id is None:
                    ds_id = _insert(
                        conn,
                        Datastream,
                        name=name,
                        description=(
                            f"Moyenne horaire de {prop.name} à la station {station.name} (Airparif)"
                        ),
                        unit_of_measurement=one.unit.as_sta(),
                        observation_type=MEASUREMENT,
                        properties={"source": "Airparif", "licence": "ODbL 1.0"},
                        thing_id=thing_id,
                        sensor_id=sensor_id,
                        observed_property_id=op_id,
                    )
                datastreams += 1
                if conn.scalar(select(func.count()).where(Observation.datastream_id == ds_id)):
                    skipped += 1
                    continue
                rows = []
                first = last = None
                for end, value in one.observations(member.code):
                    start, stop = airparif.phenomenon_time(end)
                    row = {
                        "phenomenon_time_start": start,
                        "phenomenon_time_end": stop,
                        "result_time": end,
                        "valid_time_start": None,
                        "valid_time_end": None,
                        "result_quality": None,
                        "parameters": None,
                        "datastream_id": ds_id,
                        "multi_datastream_id": None,
                        "feature_id": feature_id,
                        **result_columns(value),
                    }
                    rows.append(row)
                    first = first or (start, end)
                    last = (stop, end)
                for i in range(0, len(rows), _CHUNK):
                    insert_rows(conn, rows[i : i + _CHUNK])
                observations += len(rows)
                if first and last:
                    extend_stream_times(
                        conn,
                        "Datastream",
                        {ds_id: (first[0], last[0], first[1], last[1])},
                        {ds_id: len(rows)},
                    )
                    widen_observed_areas(conn, "Datastream", {ds_id: {feature_id}})
    return AirparifReport(len(things), datastreams, observations, skipped)


# -- actuators of the demo -----------------------------------------------------------------

LIGHT_PARAMETERS: Final = {
    "type": "DataRecord",
    "field": [
        {
            "name": "brightness",
            "label": "Intensité",
            "description": "Intensité lumineuse demandée, en pourcentage",
            "type": "Count",
            "uom": {"code": "%"},
            "constraint": {"type": "AllowedValues", "interval": [[0, 100]]},
        },
        {
            "name": "duration",
            "label": "Durée",
            "description": "Durée de la consigne, en minutes (absente : jusqu'à nouvel ordre)",
            "type": "Count",
            "uom": {"code": "min"},
            "optional": True,
            "constraint": {"type": "AllowedValues", "interval": [[1, 1440]]},
        },
    ],
}
VALVE_PARAMETERS: Final = {
    "type": "DataRecord",
    "field": [
        {
            "name": "state",
            "label": "État",
            "type": "Category",
            "constraint": {"type": "AllowedTokens", "value": ["open", "closed"]},
        },
        {
            "name": "minutes",
            "label": "Durée d'arrosage",
            "type": "Count",
            "uom": {"code": "min"},
            "optional": True,
            "constraint": {"type": "AllowedValues", "interval": [[1, 240]]},
        },
    ],
}
DEMO_ACTUATORS: Final = (
    # (thing name, description, lon, lat, actuator, capability, parameters)
    (
        "Candélabre connecté — quai de la Tournelle",
        "Éclairage public à intensité variable (LED), quai de la Tournelle (5e)",
        2.3539,
        48.8504,
        "Driver LED gradable",
        "Gradation de l'éclairage",
        LIGHT_PARAMETERS,
    ),
    (
        "Candélabre connecté — rue de Rivoli",
        "Éclairage public à intensité variable (LED), rue de Rivoli (4e)",
        2.3561,
        48.8556,
        "Driver LED gradable",
        "Gradation de l'éclairage",
        LIGHT_PARAMETERS,
    ),
    (
        "Vanne d'arrosage — square du Temple",
        "Électrovanne du réseau d'arrosage du square du Temple – Elie Wiesel (3e)",
        2.3607,
        48.8644,
        "Électrovanne d'arrosage",
        "Ouverture de la vanne",
        VALVE_PARAMETERS,
    ),
)


def load_demo_actuators(engine: Engine) -> int:
    """The demo's street lights and irrigation valve (repeatable)."""
    created = 0
    with engine.begin() as conn:
        for name, description, lon, lat, actuator, capability, params in DEMO_ACTUATORS:
            if _one(conn, Thing, Thing.name == name) is not None:
                continue
            thing_id = _insert(
                conn,
                Thing,
                name=name,
                description=description,
                properties={"demo": True},
                private=False,
            )
            location_id = _insert(
                conn,
                Location,
                name=name,
                description=description,
                encoding_type="application/geo+json",
                location={"type": "Point", "coordinates": [lon, lat]},
            )
            conn.execute(insert(ThingLocation).values(thing_id=thing_id, location_id=location_id))
            actuator_id = _one(conn, Actuator, Actuator.name == actuator) or _insert(
                conn,
                Actuator,
                name=actuator,
                description=actuator,
                encoding_type="text/html",
                metadata="https://www.paris.fr/pages/l-eclairage-public-2385",
            )
            _insert(
                conn,
                TaskingCapability,
                name=capability,
                description=f"{capability} — {name}",
                tasking_parameters=params,
                thing_id=thing_id,
                actuator_id=actuator_id,
            )
            created += 1
    return created
