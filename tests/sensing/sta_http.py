"""Shared by the SensorThings HTTP tests: a small client, the entity tables of the official test
suite (ets-sta10 `util/EntityType.java`) and the datasets it builds."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from fastapi.testclient import TestClient
from httpx2 import Response

ROOT: Final = "https://testserver/sta"
MAX_ID: Final = 9223372036854775807  # the ETS's probe for an id that does not exist
MEASUREMENT: Final = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"

# The 8 sensing sets in the ETS's order of deletion (children first).
SETS: Final = (
    "Observations",
    "FeaturesOfInterest",
    "Datastreams",
    "Sensors",
    "ObservedProperties",
    "HistoricalLocations",
    "Locations",
    "Things",
)
TYPE: Final = {
    "Things": "Thing",
    "Locations": "Location",
    "HistoricalLocations": "HistoricalLocation",
    "Datastreams": "Datastream",
    "Sensors": "Sensor",
    "ObservedProperties": "ObservedProperty",
    "Observations": "Observation",
    "FeaturesOfInterest": "FeatureOfInterest",
}
PLURAL: Final = {v: k for k, v in TYPE.items()}
# Mandatory properties and relations, in the ETS's order (its sample values are by index).
PROPERTIES: Final = {
    "Thing": ("name", "description"),
    "Location": ("name", "description", "encodingType", "location"),
    "Sensor": ("name", "description", "encodingType", "metadata"),
    "ObservedProperty": ("name", "definition", "description"),
    "Observation": ("phenomenonTime", "result", "resultTime"),
    "Datastream": ("name", "description", "unitOfMeasurement", "observationType"),
    "FeatureOfInterest": ("name", "description", "encodingType", "feature"),
    "HistoricalLocation": ("time",),
}
RELATIONS: Final = {
    "Thing": ("Datastreams", "HistoricalLocations", "Locations"),
    "Location": ("HistoricalLocations", "Things"),
    "Sensor": ("Datastreams",),
    "ObservedProperty": ("Datastreams",),
    "Observation": ("Datastream", "FeatureOfInterest"),
    "Datastream": ("Thing", "Sensor", "ObservedProperty", "Observations"),
    "FeatureOfInterest": ("Observations",),
    "HistoricalLocation": ("Thing", "Locations"),
}


def target(relation: str) -> str:
    """The entity type a relation leads to (`Datastreams` and `Datastream` alike)."""
    return TYPE.get(relation, relation)


def is_plural(relation: str) -> bool:
    return relation in TYPE


def id_from_location(location: str) -> int:
    """The id in a Location header, as the ETS reads it (the last `(...)`)."""
    return int(location[location.rindex("(") + 1 : location.rindex(")")])


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Sta:
    """The SensorThings API of the app behind `http`, with the given headers (credentials)."""

    def __init__(
        self, http: TestClient, headers: Mapping[str, str] | None = None, version: str = "v1.1"
    ) -> None:
        self.http = http
        self.headers = dict(headers or {})
        self.version = version
        self.root = f"{ROOT}/{version}"

    def at(self, version: str) -> Sta:
        return Sta(self.http, self.headers, version)

    def anonymous(self) -> Sta:
        return Sta(self.http, None, self.version)

    def url(self, path: str) -> str:
        if path.startswith("http"):
            return path
        return f"{self.root}/{path}" if path else self.root

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        content = None if body is None else json.dumps(body).encode()
        sent = {**self.headers, **(headers or {})}
        if content is not None:
            sent.setdefault("Content-Type", "application/json")
        return self.http.request(method, self.url(path), content=content, headers=sent)

    def get(self, path: str) -> Response:
        # The ETS sends a JSON content type even on GETs.
        return self.request("GET", path, headers={"Content-Type": "application/json"})

    def json(self, path: str) -> Any:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def values(self, path: str) -> list[dict[str, Any]]:
        body = self.json(path)
        assert "value" in body, (path, body)
        values: list[dict[str, Any]] = body["value"]
        return values

    def ids(self, path: str) -> list[int]:
        return [v["@iot.id"] for v in self.values(path)]

    def post(self, path: str, body: object) -> Response:
        return self.request("POST", path, body)

    def create(self, path: str, body: object) -> int:
        """POST, check 201 and the Location header, return the new id (as the ETS does)."""
        response = self.post(path, body)
        assert response.status_code == 201, (path, response.status_code, response.text)
        location = response.headers["location"]
        assert location.startswith(f"{self.root}/"), location
        new_id = id_from_location(location)
        assert response.json()["@iot.id"] == new_id
        return new_id

    def patch(self, path: str, body: object, *, json_patch: bool = False) -> Response:
        kind = "application/json-patch+json" if json_patch else "application/json"
        return self.request("PATCH", path, body, headers={"Content-Type": kind})

    def put(self, path: str, body: object) -> Response:
        return self.request("PUT", path, body)

    def delete(self, path: str) -> Response:
        # The ETS's DELETE: a form content type and no body.
        return self.request(
            "DELETE", path, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )


# -- datasets ---------------------------------------------------------------------------------


def point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def unit(name: str = "Lumen", symbol: str = "lm") -> dict[str, str]:
    return {
        "name": name,
        "symbol": symbol,
        "definition": "http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html/Lumen",
    }


def location(name: str, x: float = -117.05, y: float = 51.05) -> dict[str, Any]:
    return {
        "name": name,
        "description": name,
        "encodingType": "application/vnd.geo+json",
        "location": point(x, y),
    }


def sensor(name: str, metadata: str = "Light flux sensor") -> dict[str, Any]:
    return {
        "name": name,
        "description": name,
        "encodingType": "application/pdf",
        "metadata": metadata,
    }


def observed_property(name: str, description: str = "observedProperty 1") -> dict[str, Any]:
    return {
        "name": name,
        "definition": "http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html/LuminousFlux",
        "description": description,
    }


def datastream(name: str, **related: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": name,
        "unitOfMeasurement": unit(),
        "observationType": MEASUREMENT,
        **related,
    }


def feature(name: str, x: float = -114.05, y: float = 51.05, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": name,
        "encodingType": "application/vnd.geo+json",
        "feature": point(x, y),
        **extra,
    }


# The deep-insert Thing of the ETS's `index.md` (level 1 needs every set non-empty).
INDEX_THING: Final = {
    "description": "thing 1",
    "name": "thing name 1",
    "properties": {"reference": "first"},
    "Locations": [location("location name 1")],
    "Datastreams": [
        {
            **datastream("datastream name 1"),
            "ObservedProperty": observed_property("Luminous Flux"),
            "Sensor": sensor("sensor name 1"),
            "Observations": [
                {"phenomenonTime": "2015-03-03T00:00:00Z", "result": 3},
                {"phenomenonTime": "2015-03-04T00:00:00Z", "result": 4},
            ],
        },
        {
            **datastream("datastream name 2"),
            "unitOfMeasurement": unit("Centigrade", "C"),
            "ObservedProperty": observed_property("Tempretaure", "observedProperty 2"),
            "Sensor": sensor("sensor name 2", "Tempreture sensor"),
            "Observations": [
                {"phenomenonTime": "2015-03-05T00:00:00Z", "result": 5},
                {"phenomenonTime": "2015-03-06T00:00:00Z", "result": 6},
            ],
        },
    ],
}
