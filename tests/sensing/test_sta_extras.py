"""MultiDatastreams (18-088 §12) over HTTP, and bad input at the edge: a clear 4xx, nothing
half written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sensing.sta_http import Sta, location, observed_property, sensor


def _multi(sta: Sta) -> tuple[int, int, list[int]]:
    thing = sta.create(
        "Things",
        {"name": "Station", "description": "weather", "Locations": [location("roof", 2.35, 48.85)]},
    )
    body = {
        "name": "Weather",
        "description": "temperature and humidity",
        "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_ComplexObservation",
        "multiObservationDataTypes": [
            "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
            "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        ],
        "unitOfMeasurements": [
            {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
            {"name": "percent", "symbol": "%", "definition": "ucum:%"},
        ],
        "Thing": {"@iot.id": thing},
        "Sensor": sensor("station"),
        "ObservedProperties": [observed_property("temperature"), observed_property("humidity")],
    }
    multi = sta.create("MultiDatastreams", body)
    ops = sta.ids(f"MultiDatastreams({multi})/ObservedProperties")
    return thing, multi, ops


def test_a_multidatastream_keeps_its_observed_properties_in_order_and_array_results(
    sta: Sta,
) -> None:
    thing, multi, ops = _multi(sta)
    names = [p["name"] for p in sta.values(f"MultiDatastreams({multi})/ObservedProperties")]
    assert names == ["temperature", "humidity"] and len(ops) == 2
    created = sta.post(
        f"MultiDatastreams({multi})/Observations",
        {"result": [21.5, 40], "phenomenonTime": "2026-01-01T00:00:00Z"},
    )
    assert created.status_code == 201, created.text
    wrong = sta.post(f"MultiDatastreams({multi})/Observations", {"result": [21.5]})
    assert wrong.status_code == 400 and "array of 2 values" in wrong.json()["message"]
    rows = sta.post(
        "CreateObservations",
        [
            {
                "MultiDatastream": {"@iot.id": multi},
                "components": ["phenomenonTime", "result"],
                "dataArray": [["2026-01-01T01:00:00Z", [20.0, 41]], ["2026-01-01T02:00:00Z", 19]],
            }
        ],
    )
    assert rows.status_code == 201
    assert rows.json()[0].startswith("https://") and rows.json()[1].startswith("error")
    observations = sta.values(f"MultiDatastreams({multi})/Observations?$orderby=phenomenonTime")
    assert [o["result"] for o in observations] == [[21.5, 40], [20.0, 41]]
    expanded = sta.json(
        f"Observations({observations[0]['@iot.id']})?$expand=MultiDatastream($select=name)"
    )
    assert expanded["MultiDatastream"] == {"name": "Weather"}
    assert (
        sta.json(f"Things({thing})?$expand=MultiDatastreams($count=true)")[
            "MultiDatastreams@iot.count"
        ]
        == 1
    )
    assert (
        sta.json(f"MultiDatastreams({multi})")["phenomenonTime"]
        == "2026-01-01T00:00:00.000Z/2026-01-01T01:00:00.000Z"
    )
    # deleting one of its ObservedProperties deletes the MultiDatastream and its Observations
    assert sta.delete(f"ObservedProperties({ops[1]})").status_code == 200
    assert sta.values("MultiDatastreams") == [] and sta.values("Observations") == []


def test_bad_input_gets_a_clear_error_and_nothing_is_written(
    sta: Sta, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(
        method: str,
        path: str,
        body: bytes | None,
        status: int,
        words: str,
        kind: str = "application/json",
    ) -> None:
        response = sta.http.request(
            method, sta.url(path), content=body, headers={**sta.headers, "Content-Type": kind}
        )
        assert response.status_code == status, (path, response.text)
        message: str = response.json()["message"]
        assert words in message, message

    refused("POST", "Things", b'{"name": "x", ', 400, "not valid JSON")
    refused(
        "POST",
        "Things",
        b'{"name": "x", "description": "y", "colour": 1}',
        400,
        "unknown property colour",
    )
    refused("POST", "Things", b'{"name": "x", "description": NaN}', 400, "not valid JSON")
    refused("GET", "Things?$filter=name eq", None, 400, "$filter")
    refused("GET", "Things?$orderby=nom", None, 400, "nom")
    refused("GET", "Things(9223372036854775807)", None, 404, "")
    refused("GET", "Things(99999999999999999999)", None, 404, "")
    refused("GET", "Thingz", None, 404, "Thingz")
    refused("PATCH", "Things(1)", b"[]", 404, "")  # no such Thing
    monkeypatch.setattr("parvis.sensing.api.MAX_BODY", 1024)
    refused(
        "POST",
        "Things",
        b'{"name": "' + b"x" * 2000 + b'", "description": "y"}',
        413,
        "larger than",
    )
    assert sta.values("Things") == []
    # a deep insert that fails deep inside leaves nothing behind
    deep: dict[str, Any] = {
        "name": "t",
        "description": "d",
        "Locations": [location("l")],
        "Datastreams": [
            {
                "name": "d",
                "description": "d",
                "unitOfMeasurement": {"name": "n", "symbol": "s", "definition": "x"},
                "observationType": "x",
                "Sensor": {"@iot.id": 424242},
                "ObservedProperty": observed_property("p"),
            }
        ],
    }
    response = sta.post("Things", deep)
    assert response.status_code == 400 and "no Sensor with id 424242" in response.json()["message"]
    for entity_set in (
        "Things",
        "Locations",
        "HistoricalLocations",
        "Datastreams",
        "ObservedProperties",
    ):
        assert sta.values(entity_set) == [], entity_set


def test_the_observed_area_covers_the_features_observed(sta: Sta) -> None:
    thing = sta.create("Things", {"name": "Bus", "description": "a moving sensor"})
    stream = sta.create(
        "Datastreams",
        {
            "name": "NO2 on the bus",
            "description": "mobile",
            "unitOfMeasurement": {"name": "µg/m³", "symbol": "µg/m³", "definition": "x"},
            "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
            "Thing": {"@iot.id": thing},
            "Sensor": sensor("no2"),
            "ObservedProperty": observed_property("NO2"),
        },
    )
    assert sta.get(f"Datastreams({stream})/observedArea").status_code == 204  # nothing yet
    for i, (x, y) in enumerate([(2.30, 48.85), (2.40, 48.85), (2.35, 48.90)]):
        feature = {
            "name": f"stop {i}",
            "description": "s",
            "encodingType": "application/geo+json",
            "feature": {"type": "Point", "coordinates": [x, y]},
        }
        assert (
            sta.post(
                f"Datastreams({stream})/Observations", {"result": i, "FeatureOfInterest": feature}
            ).status_code
            == 201
        )
    area = sta.json(f"Datastreams({stream})/observedArea")["observedArea"]
    assert area["type"] == "Polygon"
    corners = {tuple(round(c, 6) for c in p) for p in area["coordinates"][0]}
    assert corners == {(2.30, 48.85), (2.40, 48.85), (2.35, 48.90)}
    inside = "geo.intersects(observedArea, geography'POINT(2.35 48.87)')"
    outside = "geo.intersects(observedArea, geography'POINT(2.50 48.87)')"
    assert sta.ids(f"Datastreams?$filter={inside}") == [stream]
    assert sta.ids(f"Datastreams?$filter={outside}") == []
