"""$batch (18-088 §11): multipart/mixed with change sets, and OData's JSON batch; the checks
of FROST's BatchTests, read for their meaning (status, Location, atomicity, references, URL
forms) rather than for FROST's exact text."""

from __future__ import annotations

import email.parser
import email.policy
import json
from typing import Any

from tests.sensing.sta_http import ROOT, Sta, id_from_location

BOUNDARY = "batch_36522ad7-fc75-4b56-8c71-56071383e77b"
CHANGESET = "changeset_77162fcd-b8da-41ac-a9f8-9357efbbd"


def _things(sta: Sta) -> list[int]:
    return [
        sta.create(
            "Things",
            {"name": f"Thing {i}", "description": "It's a thing.", "properties": {"int": i + 8}},
        )
        for i in range(6)
    ]


def _post_batch(sta: Sta, content: str, boundary: str = BOUNDARY) -> Any:
    response = sta.http.post(
        f"{sta.root}/$batch",
        content=content.encode(),
        headers={**sta.headers, "Content-Type": f"multipart/mixed;boundary={boundary}"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("multipart/mixed")
    return response


def _parts(response: Any) -> list[tuple[dict[str, str], str]]:
    """(headers, body) of each answered request, change sets flattened, in order."""
    raw = f"Content-Type: {response.headers['content-type']}\r\n\r\n".encode() + response.content
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    out = []
    for part in message.walk():
        if part.get_content_type() != "application/http":
            continue
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        head, _sep, body = payload.decode().partition("\r\n\r\n")
        lines = head.split("\r\n")
        headers = {"status": lines[0].split()[1]}
        if part["Content-ID"] is not None:
            headers["content-id"] = str(part["Content-ID"])
        for line in lines[1:]:
            name, _s, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        out.append((headers, body.strip()))
    return out


def test_multipart_batch_with_a_change_set(sta: Sta) -> None:
    things = _things(sta)
    content = (
        f"--{BOUNDARY}\r\nContent-Type: application/http\r\n\r\n"
        f"GET /sta/v1.1/Things({things[0]})?$select=name HTTP/1.1\r\nHost: localhost\r\n\r\n\r\n"
        f"--{BOUNDARY}\r\nContent-Type: multipart/mixed;boundary={CHANGESET}\r\n\r\n"
        f"--{CHANGESET}\r\nContent-Type: application/http\r\nContent-ID: 1\r\n\r\n"
        "POST /sta/v1.1/Things HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        'Content-Length: 36\r\n\r\n{"name":"New","description":"Thing"}\r\n'
        f"--{CHANGESET}\r\nContent-Type: application/http\r\nContent-ID: 2\r\n\r\n"
        f"PATCH /sta/v1.1/Things({things[0]}) HTTP/1.1\r\nHost: localhost\r\n"
        'Content-Type: application/json\r\nContent-Length: 18\r\n\r\n{"name":"Patched"}\r\n'
        f"--{CHANGESET}--\r\n"
        f"--{BOUNDARY}\r\nContent-Type: application/http\r\n\r\n"
        "GET /sta/v1.1/Things(9223372036854775807) HTTP/1.1\r\nHost: localhost\r\n\r\n\r\n"
        f"--{BOUNDARY}--"
    )
    parts = _parts(_post_batch(sta, content))
    assert [h["status"] for h, _ in parts] == ["200", "201", "200", "404"]
    assert json.loads(parts[0][1]) == {"name": "Thing 0"}  # read before the change set ran
    new_id = id_from_location(parts[1][0]["location"])
    assert parts[1][0]["content-id"] == "1"
    assert parts[1][0]["location"] == f"{ROOT}/v1.1/Things({new_id})"
    assert sta.json(f"Things({new_id})")["name"] == "New"
    assert sta.json(f"Things({things[0]})")["name"] == "Patched"
    assert json.loads(parts[3][1])["code"] == 404


def test_change_set_references_new_entities_in_urls_and_bodies(sta: Sta) -> None:
    thing = _things(sta)[0]
    op = sta.create(
        "ObservedProperties",
        {"name": "T", "definition": "http://ucom.org/temperature", "description": "t"},
    )
    sensor = {
        "name": "DS18B20",
        "description": "air temperature",
        "encodingType": "application/pdf",
        "metadata": "m",
    }
    datastream = {
        "name": "Temperature Thing 5",
        "description": "The temperature of thing 5",
        "unitOfMeasurement": {"name": "degree Celsius", "symbol": "°C", "definition": "ucum"},
        "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        "ObservedProperty": {"@iot.id": op},
        "Sensor": {"@iot.id": "$sensor1"},
    }
    observation = {
        "phenomenonTime": "2024-01-01T00:00:00Z",
        "result": 3,
        "FeatureOfInterest": {
            "name": "f",
            "description": "f",
            "encodingType": "application/geo+json",
            "feature": {"type": "Point", "coordinates": [2.35, 48.85]},
        },
    }

    def request(content_id: str, line: str, body: object) -> str:
        text = json.dumps(body)
        return (
            f"--{CHANGESET}\r\nContent-Type: application/http\r\nContent-ID: {content_id}\r\n\r\n"
            f"{line} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(text.encode())}\r\n\r\n{text}\r\n"
        )

    content = (
        f"--{BOUNDARY}\r\nContent-Type: multipart/mixed;boundary={CHANGESET}\r\n\r\n"
        + request("sensor1", "POST /sta/v1.1/Sensors", sensor)
        + request("ds", f"POST /sta/v1.1/Things({thing})/Datastreams", datastream)
        + request("obs", "POST $ds/Observations", observation)
        + f"--{CHANGESET}--\r\n--{BOUNDARY}--"
    )
    parts = _parts(_post_batch(sta, content))
    assert [h["status"] for h, _ in parts] == ["201", "201", "201"]
    sensor_id = id_from_location(parts[0][0]["location"])
    ds_id = id_from_location(parts[1][0]["location"])
    assert sta.json(f"Datastreams({ds_id})/Sensor")["@iot.id"] == sensor_id
    assert sta.json(f"Datastreams({ds_id})/Thing")["@iot.id"] == thing
    assert [o["result"] for o in sta.values(f"Datastreams({ds_id})/Observations")] == [3]


def test_a_failing_change_set_keeps_nothing(sta: Sta) -> None:
    content = (
        f"--{BOUNDARY}\r\nContent-Type: multipart/mixed;boundary={CHANGESET}\r\n\r\n"
        f"--{CHANGESET}\r\nContent-Type: application/http\r\nContent-ID: 1\r\n\r\n"
        "POST Things HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
        '{"name":"Kept?","description":"no"}\r\n'
        f"--{CHANGESET}\r\nContent-Type: application/http\r\nContent-ID: 2\r\n\r\n"
        "POST Datastreams HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
        '{"name":"no sensor","description":"x"}\r\n'
        f"--{CHANGESET}--\r\n--{BOUNDARY}--"
    )
    parts = _parts(_post_batch(sta, content))
    assert len(parts) == 1 and parts[0][0]["status"] == "400"
    assert parts[0][0]["content-id"] == "2"
    assert sta.values("Things") == []


def test_batch_urls_relative_absolute_and_encoded(sta: Sta) -> None:
    _things(sta)
    content = (
        f"--batch_test\r\nContent-Type: application/http\r\n\r\n"
        "GET Things?$count=true&$filter=properties/int%20eq%2010&$select=name HTTP/1.1\r\n\r\n\r\n"
        f"--batch_test\r\nContent-Type: application/http\r\n\r\n"
        f"GET {ROOT}/v1.1/Things?$count=true&$filter=properties/int%20eq%2011&$select=name HTTP/1.1"
        "\r\n\r\n\r\n--batch_test--"
    )
    parts = _parts(_post_batch(sta, content, "batch_test"))
    assert [json.loads(b) for _, b in parts] == [
        {"@iot.count": 1, "value": [{"name": "Thing 2"}]},
        {"@iot.count": 1, "value": [{"name": "Thing 3"}]},
    ]


def test_json_batch_with_an_atomicity_group(sta: Sta) -> None:
    things = _things(sta)
    request = {
        "requests": [
            {"id": "0", "method": "get", "url": f"Things({things[0]})?$select=name"},
            {
                "id": "1",
                "atomicityGroup": "group1",
                "method": "post",
                "url": "Things",
                "body": {"name": "New", "description": "Thing"},
            },
            {
                "id": "2",
                "atomicityGroup": "group1",
                "method": "patch",
                "url": f"Things({things[0]})",
                "body": {"name": "Json Patched"},
            },
            {
                "id": "3",
                "atomicityGroup": "group1",
                "method": "patch",
                "headers": {"content-type": "application/json-patch+json"},
                "url": f"Things({things[1]})",
                "body": [
                    {"op": "replace", "path": "/name", "value": "Thing 1 Updated"},
                    {"op": "add", "path": "/properties/new", "value": "Changes"},
                ],
            },
            {"id": "4", "method": "get", "url": "Things(9223372036854775807)"},
        ]
    }
    response = sta.post("$batch", request)
    assert response.status_code == 200, response.text
    answers = response.json()["responses"]
    assert [(a["id"], a["status"]) for a in answers] == [
        ("0", 200),
        ("1", 201),
        ("2", 200),
        ("3", 200),
        ("4", 404),
    ]
    assert answers[0]["body"] == {"name": "Thing 0"}
    new_id = id_from_location(answers[1]["location"])
    assert sta.json(f"Things({new_id})")["name"] == "New"
    updated = sta.json(f"Things({things[1]})")
    assert updated["name"] == "Thing 1 Updated" and updated["properties"]["new"] == "Changes"
    assert answers[4]["body"]["code"] == 404


def test_batch_writes_need_credentials_and_bad_batches_are_400(sta: Sta) -> None:
    anonymous = sta.anonymous()
    response = anonymous.post(
        "$batch",
        {
            "requests": [
                {
                    "id": "1",
                    "method": "post",
                    "url": "Things",
                    "body": {"name": "x", "description": "y"},
                }
            ]
        },
    )
    assert response.status_code == 200
    assert response.json()["responses"][0]["status"] == 401
    assert sta.values("Things") == []
    assert sta.post("$batch", {"not": "a batch"}).status_code == 400
    bad = sta.http.post(
        f"{sta.root}/$batch",
        content=b"garbage",
        headers={**sta.headers, "Content-Type": "multipart/mixed;boundary=b"},
    )
    assert bad.status_code == 400
    assert "--b" in bad.json()["message"]
