"""ets-sta10 conformance level 1 (A.1 Sensing Core, `sensingCore/Capability1Tests.java`) over
HTTP, on the v1.0 view the official suite tests and on v1.1 (where FROST's port of it accepts 204
for a null property). The dataset is the deep-insert Thing of the suite's `index.md`."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.sensing.sta_http import (
    INDEX_THING,
    MAX_ID,
    PLURAL,
    PROPERTIES,
    RELATIONS,
    SETS,
    TYPE,
    Sta,
    is_plural,
    target,
)

RESOURCE_PATH_LEVEL = 4
SENSING_NAMES = {*SETS, "MultiDatastreams"}
TASKING_NAMES = {"TaskingCapabilities", "Tasks", "Actuators"}


@pytest.fixture(scope="module")
def dataset(module_staff: Sta) -> Sta:
    module_staff.create("Things", INDEX_THING)
    return module_staff.anonymous()  # reads are open


@pytest.fixture(params=["v1.0", "v1.1"])
def reader(dataset: Sta, request: pytest.FixtureRequest) -> Sta:
    return dataset.at(request.param)


def check_entity(sta: Sta, entity_type: str, entity: dict[str, Any]) -> None:
    """Control information, every mandatory property (null included) and every relation."""
    id_ = entity.get("@iot.id")
    assert isinstance(id_, int), entity
    self_link = sta.url(f"{PLURAL[entity_type]}({id_})")
    assert entity["@iot.selfLink"] == self_link
    for name in PROPERTIES[entity_type]:
        assert name in entity, (entity_type, name, entity)
    for relation in RELATIONS[entity_type]:
        link = entity[f"{relation}@iot.navigationLink"]
        assert link in (f"{self_link}/{relation}", f"{PLURAL[entity_type]}({id_})/{relation}")


def test_read_entities_and_check_response(reader: Sta) -> None:
    for entity_set in SETS:
        values = reader.values(entity_set)
        assert values, f"{entity_set} is empty"
        for entity in values[:2]:
            check_entity(reader, TYPE[entity_set], entity)


def test_read_nonexistent_entity(reader: Sta) -> None:
    for entity_set in SETS:
        assert reader.get(f"{entity_set}({MAX_ID})").status_code == 404, entity_set
        # Past 64 bits no row can match either: still a 404, never a 500.
        assert reader.get(f"{entity_set}({MAX_ID + 1})").status_code == 404, entity_set
    thing = reader.ids("Things")[0]
    assert reader.get(f"Things({MAX_ID})/Datastreams").status_code == 404
    assert reader.get(f"Things({thing})/Datastreams({MAX_ID})").status_code == 404
    assert reader.get(f"Things({MAX_ID})/name").status_code == 404
    assert reader.get(f"Things({MAX_ID})/Datastreams/$ref").status_code == 404


def test_read_entity_and_check_response(reader: Sta) -> None:
    for entity_set in SETS:
        first = reader.values(entity_set)[0]
        entity = reader.json(f"{entity_set}({first['@iot.id']})")
        check_entity(reader, TYPE[entity_set], entity)
        assert entity == first


def test_read_property_of_entity_and_its_value(reader: Sta) -> None:
    for entity_set in SETS:
        entity_type = TYPE[entity_set]
        entity = reader.values(entity_set)[0]
        path = f"{entity_set}({entity['@iot.id']})"
        for name in PROPERTIES[entity_type]:
            response = reader.get(f"{path}/{name}")
            raw = reader.get(f"{path}/{name}/$value")
            if entity[name] is None:
                # Observation.resultTime of this dataset. The v1.0 suite wants 200 and the
                # property; v1.1 answers a null property with 204 (18-088 §9.2.4, FROST).
                if reader.version == "v1.0":
                    assert response.status_code == 200
                    assert response.json() == {name: None}
                    assert raw.status_code == 200
                    assert "{" not in raw.text
                else:
                    assert response.status_code == 204, response.text
                    assert raw.status_code == 204
                continue
            assert response.status_code == 200, (path, name, response.text)
            assert response.json() == {name: entity[name]}
            assert raw.status_code == 200, (path, name, raw.text)
            if name in ("location", "feature", "unitOfMeasurement"):
                assert raw.text.index("{") == 0, raw.text
            else:
                assert "{" not in raw.text, raw.text
                assert raw.text == str(entity[name])


def walk(sta: Sta, names: list[str], ids: list[int | None], seen: list[str]) -> None:
    """`readRelatedEntity`: GET the path, its `$ref`, then each relation, up to 4 segments."""
    if len(names) > RESOURCE_PATH_LEVEL:
        return
    parts = [n if i is None else f"{n}({i})" for n, i in zip(names, ids, strict=False)]
    path = "/".join([*parts, *names[len(ids) :]])
    seen.append(path)
    head = names[-1]
    body = sta.json(path)
    if is_plural(head):
        assert body["value"], f"expecting a non-empty list for {path}"
        first = body["value"][0]["@iot.id"]
    else:
        first = body["@iot.id"]
        assert body["@iot.selfLink"] == sta.url(f"{PLURAL[target(head)]}({first})")
    refs = sta.json(f"{path}/$ref")
    if is_plural(head):
        assert refs["value"], path
        for item in refs["value"][:2]:
            assert list(item) == ["@iot.selfLink"], (path, item)
        assert refs["value"][0]["@iot.selfLink"] == sta.url(f"{head}({first})")
    else:
        assert list(refs) == ["@iot.selfLink"], (path, refs)
    if len(names) == RESOURCE_PATH_LEVEL:
        return
    ids.append(first if is_plural(head) else None)
    for relation in RELATIONS[target(head)]:
        names.append(relation)
        walk(sta, names, ids, seen)
        names.pop()
    ids.pop()


def test_resource_paths(reader: Sta) -> None:
    seen: list[str] = []
    for entity_set in SETS:
        walk(reader, [entity_set], [], seen)
    # e.g. the ETS's own examples are among them
    thing, datastream = reader.ids("Things")[0], reader.ids("Datastreams")[0]
    assert f"Things({thing})/Datastreams({datastream})/Sensor/Datastreams" in seen
    assert any(
        p.startswith("Observations(") and p.endswith(")/Datastream/Thing/Locations") for p in seen
    )
    assert any(
        p.startswith("HistoricalLocations(") and "/Thing/HistoricalLocations(" in p for p in seen
    )


def check_root(sta: Sta, allowed: set[str]) -> dict[str, Any]:
    """`checkServiceRootUri`: every item has name and url, url = root + '/' + name exactly."""
    response = sta.get("")
    assert response.status_code == 200
    root = response.json()
    assert root["value"]
    names = set()
    for item in root["value"]:
        assert item["url"] == f"{sta.root}/{item['name']}"
        names.add(item["name"])
    assert set(SETS) <= names <= allowed, names
    # no trailing-slash redirect (the ETS's POST does not follow redirects)
    assert sta.get("/").status_code == 200
    return root  # type: ignore[no-any-return]


def test_service_root(reader: Sta) -> None:
    root = check_root(reader, SENSING_NAMES | TASKING_NAMES)
    conformance = root["serverSettings"]["conformance"]
    assert "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete" in conformance
    if reader.version == "v1.1":
        # FROST's suite lets the tasking sets be listed when the tasking class is declared.
        names = {item["name"] for item in root["value"]}
        assert names >= TASKING_NAMES
        assert any(
            c.startswith("http://www.opengis.net/spec/iot_tasking/1.0/") for c in conformance
        )


def test_service_root_for_the_official_suite(
    reader: Sta, module_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ets-sta10 aborts its whole run on any name beyond the sensing sets.
    monkeypatch.setattr(module_app.state.ctx.settings, "sta_hide_tasking", True)
    check_root(reader, SENSING_NAMES)


def test_unknown_version_and_set_are_404(reader: Sta) -> None:
    assert reader.get(f"{reader.root[:-4]}v9.9/Things").status_code == 404
    assert reader.get("Thingz").status_code == 404
