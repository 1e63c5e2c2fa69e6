"""ets-sta10 conformance level 3 (A.2 Filtering, `filteringExtension/Capability3Tests.java`) on
its own dataset, FROST-Server's additions (`c03filtering`: operator precedence, nested expand),
and server-driven paging: nextLinks are absolute, present iff more rows exist, and lead through a
collection exactly once."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from parvis.kernel.auth import User
from tests.sensing.sta_http import (
    PROPERTIES,
    RELATIONS,
    SETS,
    TYPE,
    Sta,
    datastream,
    instant,
    is_plural,
    location,
    observed_property,
    sensor,
    target,
    unit,
)

TOTALS = {
    "Things": 2,
    "Locations": 2,
    "HistoricalLocations": 4,
    "Datastreams": 4,
    "Sensors": 4,
    "ObservedProperties": 3,
    "Observations": 12,
    "FeaturesOfInterest": 2,
}


@dataclass(frozen=True)
class Level3:
    sta: Sta  # anonymous: reads are open
    things: list[int]
    locations: list[int]
    datastreams: list[int]
    observations: list[int]


def _thing(n: int, loc: dict[str, Any], streams: list[dict[str, Any]]) -> dict[str, Any]:
    names = {1: "first", 2: "second"}
    return {
        "name": f"thing {n}",
        "description": f"thing {n}",
        "properties": {"reference": names[n]},
        "Locations": [loc],
        "Datastreams": streams,
    }


def build_level3(staff: Sta) -> Level3:
    """`Capability3Tests.createEntities()`, step by step."""
    centigrade = unit("Centigrade", "C")
    thing1 = staff.create(
        "Things",
        _thing(
            1,
            location("location 1", -117.05, 51.05),
            [
                datastream(
                    "datastream 1",
                    ObservedProperty=observed_property("Luminous Flux"),
                    Sensor=sensor("sensor 1"),
                ),
                datastream(
                    "datastream 2",
                    unitOfMeasurement=centigrade,
                    ObservedProperty=observed_property("Tempretaure", "observedProperty 2"),
                    Sensor=sensor("sensor 2", "Tempreture sensor"),
                ),
            ],
        ),
    )
    [loc1] = staff.ids(f"Things({thing1})/Locations")
    ds1, ds2 = staff.ids(f"Things({thing1})/Datastreams")
    # the suite reads "observedPropertyId2" from datastream 1: thing 2 links that one
    op2 = staff.json(f"Datastreams({ds1})/ObservedProperty")["@iot.id"]
    thing2 = staff.create(
        "Things",
        _thing(
            2,
            location("location 2", -100.05, 50.05),
            [
                datastream(
                    "datastream 3",
                    ObservedProperty=observed_property(
                        "Second Luminous Flux", "observedProperty 3"
                    ),
                    Sensor=sensor("sensor 3", "Second Light flux sensor"),
                ),
                datastream(
                    "datastream 2",
                    unitOfMeasurement=centigrade,
                    ObservedProperty={"@iot.id": op2},
                    Sensor=sensor("sensor 4 ", "Second Tempreture sensor"),
                ),
            ],
        ),
    )
    [loc2] = staff.ids(f"Things({thing2})/Locations")
    ds3, ds4 = staff.ids(f"Things({thing2})/Datastreams")
    for thing, loc in ((thing1, loc2), (thing2, loc1)):
        response = staff.patch(f"Things({thing})", {"Locations": [{"@iot.id": loc}]})
        assert response.status_code == 200, response.text
        assert len(staff.ids(f"Things({thing})/HistoricalLocations")) == 2
    observations = []
    for i in range(12):
        stream = (ds1, ds2, ds3, ds4)[i // 3]
        body = {"phenomenonTime": f"2015-03-{i + 1:02d}T00:00:00Z", "result": i + 1}
        observations.append(staff.create(f"Datastreams({stream})/Observations", body))
    return Level3(
        staff.anonymous(), [thing1, thing2], [loc1, loc2], [ds1, ds2, ds3, ds4], observations
    )


@pytest.fixture(scope="module")
def level3(module_staff: Sta) -> Level3:
    data = build_level3(module_staff)
    # The 8 totals every check below relies on: Thing.Locations is replaced by a PATCH (which
    # records a HistoricalLocation) and the generated FeatureOfInterest is reused per Location.
    for entity_set, total in TOTALS.items():
        assert len(data.sta.values(entity_set)) == total, entity_set
    return data


@pytest.fixture
def sta(level3: Level3) -> Sta:
    return level3.sta


def first_id(sta: Sta, entity_set: str) -> int:
    """'The first entity' of the suite: value[0] of the unordered set (so: id order)."""
    ids = sta.ids(entity_set)
    assert ids == sorted(ids), entity_set
    return ids[0]


def test_dataset_totals(level3: Level3) -> None:
    for entity_set, total in TOTALS.items():
        body = level3.sta.json(f"{entity_set}?$count=true")
        assert body["@iot.count"] == total, entity_set
        assert len(body["value"]) == total
        assert "@iot.nextLink" not in body


# -- $select ------------------------------------------------------------------------------------


def check_select(entity_type: str, entities: list[dict[str, Any]], selected: list[str]) -> None:
    for entity in entities[:2]:
        for name in PROPERTIES[entity_type]:
            assert (name in entity) == (name in selected), (entity_type, name, selected, entity)
        assert not any(key.endswith("@iot.navigationLink") for key in entity), entity


def select_paths(sta: Sta) -> list[tuple[str, str]]:
    """Each set, and each relation (singular too) of its first entity: (path, entity type)."""
    paths = []
    for entity_set in SETS:
        paths.append((entity_set, TYPE[entity_set]))
        first = first_id(sta, entity_set)
        for relation in RELATIONS[TYPE[entity_set]]:
            paths.append((f"{entity_set}({first})/{relation}", target(relation)))
    return paths


def entities_at(sta: Sta, path: str) -> list[dict[str, Any]]:
    body = sta.json(path)
    return body.get("value", [body])  # type: ignore[no-any-return]


def test_select(sta: Sta) -> None:
    for path, entity_type in select_paths(sta):
        cumulative: list[str] = []
        for name in PROPERTIES[entity_type]:
            check_select(entity_type, entities_at(sta, f"{path}?$select={name}"), [name])
            cumulative.append(name)
            query = f"{path}?$select={','.join(cumulative)}"
            check_select(entity_type, entities_at(sta, query), cumulative)


def test_select_keeps_only_what_is_named(sta: Sta) -> None:
    [obs] = sta.values("Observations?$top=1&$select=id,result")
    assert obs == {"@iot.id": sta.ids("Observations")[0], "result": 1}
    [ds] = sta.values("Datastreams?$top=1&$select=unitOfMeasurement/name,Thing")
    assert ds["unitOfMeasurement"] == {"name": "Lumen"}
    assert ds["Thing@iot.navigationLink"].endswith("/Thing")
    assert set(ds) == {"unitOfMeasurement", "Thing@iot.navigationLink"}


# -- $expand ------------------------------------------------------------------------------------


def check_expanded(entity_type: str, entities: list[dict[str, Any]], expanded: list[str]) -> None:
    """Expanded plural = array, singular = object with every mandatory property; the other
    relations keep their navigationLink; `a/b` paths expand b inside a."""
    heads: dict[str, list[str]] = {}
    for item in expanded:
        head, _, rest = item.partition("/")
        heads.setdefault(head, [])
        if rest:
            heads[head].append(rest)
    for entity in entities[:2]:
        for relation in RELATIONS[entity_type]:
            if relation not in heads:
                assert f"{relation}@iot.navigationLink" in entity, (relation, entity)
                assert relation not in entity
                continue
            value = entity[relation]
            members = value if is_plural(relation) else [value]
            assert isinstance(value, list if is_plural(relation) else dict), (relation, value)
            for member in members[:2]:
                for name in PROPERTIES[target(relation)]:
                    assert name in member, (relation, name, member)
            if heads[relation] and members:
                check_expanded(target(relation), members, heads[relation])


def test_expand(sta: Sta) -> None:
    for path, entity_type in select_paths(sta):
        cumulative: list[str] = []
        for relation in RELATIONS[entity_type]:
            check_expanded(entity_type, entities_at(sta, f"{path}?$expand={relation}"), [relation])
            cumulative.append(relation)
            entities = entities_at(sta, f"{path}?$expand={','.join(cumulative)}")
            check_expanded(entity_type, entities, cumulative)


def test_expand_two_levels_with_merged_prefixes(sta: Sta) -> None:
    for entity_set in SETS:
        entity_type = TYPE[entity_set]
        cumulative: list[str] = []
        for relation in RELATIONS[entity_type]:
            for inner in RELATIONS[target(relation)]:
                item = f"{relation}/{inner}"
                entities = entities_at(sta, f"{entity_set}?$expand={item}")
                check_expanded(entity_type, entities, [item])
                # the first expanded member carries the inner relation
                value = entities[0][relation]
                member = value[0] if isinstance(value, list) else value
                assert inner in member, (entity_set, item, member)
                cumulative.append(item)
        # Datastreams/Thing,Datastreams/Sensor,... share a prefix: one expansion
        entities = entities_at(sta, f"{entity_set}?$expand={','.join(cumulative)}")
        check_expanded(entity_type, entities, cumulative)


def test_expand_with_options(level3: Level3) -> None:
    sta = level3.sta
    ds2 = level3.datastreams[1]
    body = sta.json(
        f"Datastreams({ds2})?$expand=Observations($orderby=phenomenonTime desc;$top=2;$skip=0;"
        "$count=true;$select=result)"
    )
    assert body["Observations@iot.count"] == 3
    assert body["Observations"] == [{"result": 6}, {"result": 5}]
    assert body["Observations@iot.nextLink"].startswith(
        f"{sta.root}/Datastreams({ds2})/Observations"
    )
    rest = sta.json(body["Observations@iot.nextLink"])
    assert [o["result"] for o in rest["value"]] == [4]
    body = sta.json(f"Datastreams({ds2})?$expand=Observations($top=2;$skip=1;$filter=result ge 5)")
    assert [o["result"] for o in body["Observations"]] == [6]
    assert "Observations@iot.nextLink" not in body
    # per parent: each Datastream gets its own first Observation
    streams = sta.values("Datastreams?$expand=Observations($top=1;$orderby=result desc)")
    assert [s["Observations"][0]["result"] for s in streams] == [3, 6, 9, 12]


def test_nested_expand(level3: Level3) -> None:
    # FROST readEntitiesWithExpandNested, its documented example
    sta = level3.sta
    op1 = first_id(sta, "ObservedProperties")
    body = sta.json(
        f"ObservedProperties({op1})?$select=name,description&$expand=Datastreams("
        "$select=name,unitOfMeasurement,Thing,ObservedProperty;"
        "$expand=Thing($select=name,Datastreams,Locations),Sensor($select=description,metadata),"
        "ObservedProperty($select=name,description),Observations($select=result,Datastream;"
        "$count=false);$count=true)"
    )
    assert set(body) == {"name", "description", "Datastreams", "Datastreams@iot.count"}
    assert body["Datastreams@iot.count"] == 2
    [first, second] = body["Datastreams"]
    assert {first["name"], second["name"]} == {"datastream 1", "datastream 2"}
    for stream in (first, second):
        assert set(stream) == {
            "name",
            "unitOfMeasurement",
            "Thing",
            "ObservedProperty",
            "Sensor",
            "Observations",
        }, stream
        assert set(stream["Thing"]) == {
            "name",
            "Datastreams@iot.navigationLink",
            "Locations@iot.navigationLink",
        }
        assert set(stream["Sensor"]) == {"description", "metadata"}
        assert stream["ObservedProperty"] == {
            "name": "Luminous Flux",
            "description": "observedProperty 1",
        }
        assert len(stream["Observations"]) == 3
        for obs in stream["Observations"]:
            assert set(obs) == {"result", "Datastream@iot.navigationLink"}


# -- $top and $skip -----------------------------------------------------------------------------


def relation_totals(level: Level3) -> dict[str, int]:
    """Sizes of the plural relations of each set's first entity, in this dataset."""
    sta = level.sta
    f = {s: first_id(sta, s) for s in SETS}
    return {
        f"Things({f['Things']})/Locations": 1,
        f"Things({f['Things']})/HistoricalLocations": 2,
        f"Things({f['Things']})/Datastreams": 2,
        f"Locations({f['Locations']})/HistoricalLocations": 2,
        f"Locations({f['Locations']})/Things": 1,
        f"HistoricalLocations({f['HistoricalLocations']})/Locations": 1,
        f"Datastreams({f['Datastreams']})/Observations": 3,
        f"Sensors({f['Sensors']})/Datastreams": 1,
        f"ObservedProperties({f['ObservedProperties']})/Datastreams": 2,
        f"FeaturesOfInterest({f['FeaturesOfInterest']})/Observations": 6,
    }


def test_top(level3: Level3) -> None:
    sta = level3.sta
    collections = {**TOTALS, **relation_totals(level3)}
    for path, total in collections.items():
        for top in (1, 2, 3, 4, 5, 12, 13):
            body = sta.json(f"{path}?$top={top}")
            assert len(body["value"]) == min(top, total), (path, top)
            assert ("@iot.nextLink" in body) == (total > top), (path, top, body)
    # the suite's own relation expectations
    f = {s: first_id(sta, s) for s in SETS}
    body = sta.json(f"FeaturesOfInterest({f['FeaturesOfInterest']})/Observations?$top=3")
    assert len(body["value"]) == 3 and "@iot.nextLink" in body
    body = sta.json(f"Datastreams({f['Datastreams']})/Observations?$top=3")
    assert len(body["value"]) == 3 and "@iot.nextLink" not in body


def test_skip(level3: Level3) -> None:
    sta = level3.sta
    for entity_set, total in TOTALS.items():
        all_ids = sta.ids(entity_set)
        for skip in (1, 2, 3, 4, 12):
            body = sta.json(f"{entity_set}?$skip={skip}")
            assert [v["@iot.id"] for v in body["value"]] == all_ids[skip:], (entity_set, skip)
            assert len(body["value"]) == max(total - skip, 0)
            assert "@iot.nextLink" not in body
    for path, total in relation_totals(level3).items():
        body = sta.json(f"{path}?$skip=1")
        assert len(body["value"]) == total - 1, path
        assert "@iot.nextLink" not in body


def test_top_and_skip_together(level3: Level3) -> None:
    sta = level3.sta
    ids = level3.observations
    body = sta.json("Observations?$top=3&$skip=4")
    assert [v["@iot.id"] for v in body["value"]] == ids[4:7]
    assert sta.json(body["@iot.nextLink"])["value"][0]["@iot.id"] == ids[7]
    body = sta.json("Observations?$top=3&$skip=10")
    assert [v["@iot.id"] for v in body["value"]] == ids[10:]
    assert "@iot.nextLink" not in body


# -- $orderby -----------------------------------------------------------------------------------


def java_text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def compare(a: object, b: object) -> int:
    """`compareForOrder`: same classes compare naturally, anything else as text."""
    if type(a) is type(b) and isinstance(a, int | float | str) and not isinstance(a, bool):
        return (a > b) - (a < b)  # type: ignore[operator]
    x, y = java_text(a), java_text(b)
    return (x > y) - (x < y)


def check_order(entities: list[dict[str, Any]], keys: list[tuple[str, bool]], what: str) -> None:
    for previous, current in itertools.pairwise(entities):
        for name, descending in keys:
            c = compare(previous[name], current[name])
            assert (c >= 0) if descending else (c <= 0), (what, name, previous, current)
            if c != 0:
                break


def orderby_checks(sta: Sta, path: str, entity_type: str) -> None:
    properties = [p for p in PROPERTIES[entity_type] if p != "unitOfMeasurement"]
    sep = "&" if "?" in path else "?"
    for name in properties:
        check_order(sta.values(f"{path}{sep}$orderby={name}"), [(name, False)], path)
        check_order(sta.values(f"{path}{sep}$orderby={name}%20asc"), [(name, False)], path)
        check_order(sta.values(f"{path}{sep}$orderby={name}%20desc"), [(name, True)], path)
    for n in range(1, len(properties) + 1):
        names = properties[:n]
        for suffix, descending in (("", False), ("%20asc", False), ("%20desc", True)):
            query = ",".join(f"{p}{suffix}" for p in names)
            entities = sta.values(f"{path}{sep}$orderby={query}")
            check_order(entities, [(p, descending) for p in names], f"{path} {query}")


def test_orderby(sta: Sta) -> None:
    for entity_set in SETS:
        entity_type = TYPE[entity_set]
        orderby_checks(sta, entity_set, entity_type)
        first = first_id(sta, entity_set)
        for relation in RELATIONS[entity_type]:
            if is_plural(relation):
                orderby_checks(sta, f"{entity_set}({first})/{relation}", target(relation))


def test_orderby_result_is_numeric_and_times_are_fixed_width(level3: Level3) -> None:
    sta = level3.sta
    results = [o["result"] for o in sta.values("Observations?$orderby=result desc")]
    assert results == list(range(12, 0, -1))
    times = [o["phenomenonTime"] for o in sta.values("Observations")]
    assert times[0] == "2015-03-01T00:00:00.000Z"
    assert len({len(t) for t in times}) == 1
    # asc is the default direction, ties broken by id; case-insensitive direction
    ids = [o["@iot.id"] for o in sta.values("Datastreams?$orderby=unitOfMeasurement/name DESC")]
    assert ids == [level3.datastreams[i] for i in (0, 2, 1, 3)]


# -- $count -------------------------------------------------------------------------------------


def test_count(level3: Level3) -> None:
    sta = level3.sta
    for entity_set, total in TOTALS.items():
        assert sta.json(f"{entity_set}?$count=true")["@iot.count"] == total
        assert "@iot.count" not in sta.json(f"{entity_set}?$count=false")
        assert "@iot.count" not in sta.json(entity_set)
        # the count ignores $top and $skip
        body = sta.json(f"{entity_set}?$count=true&$top=1&$skip=1")
        assert body["@iot.count"] == total
    for path, total in relation_totals(level3).items():
        assert sta.json(f"{path}?$count=true")["@iot.count"] == total, path
    assert sta.get("Things?$count=maybe").status_code == 400


# -- $filter ------------------------------------------------------------------------------------

SAMPLES: dict[str, tuple[object, ...]] = {
    # util/EntityPropertiesSampleValue.java, by property index (None: not filtered)
    "Thing": ("'thing 1'", "'thing 1'"),
    "Location": ("'location 2'", "'location 2'", "'application/vnd.geo+json'", None),
    "HistoricalLocation": (datetime(2015, 10, 14, 21, 30, 0, 104000, tzinfo=UTC),),
    "Datastream": (
        "'datastream 1'",
        "'datastream 1'",
        None,
        "'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement'",
    ),
    "Sensor": ("'sensor 1'", "'sensor 1'", "'application/pdf'", "'Light flux sensor'"),
    "ObservedProperty": (
        "'Luminous Flux'",
        "'http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html/LuminousFlux'",
        "'observedProperty 1'",
    ),
    "Observation": (datetime(2015, 3, 2, tzinfo=UTC), "'2'", datetime(2015, 3, 2, tzinfo=UTC)),
    "FeatureOfInterest": (
        "'Generated using location details: location 1'",
        "'Generated using location details: location 1'",
        "'application/vnd.geo+json'",
        None,
    ),
}
OPERATORS: dict[str, Callable[[int], bool]] = {
    # result of sample.compareTo(value), as the suite checks it
    "lt": lambda r: r > 0,
    "le": lambda r: r >= 0,
    "eq": lambda r: r == 0,
    "ne": lambda r: r != 0,
    "ge": lambda r: r <= 0,
    "gt": lambda r: r < 0,
}


def literal(sample: object) -> str:
    if isinstance(sample, datetime):
        # printed in a zone with an offset, as the JVM does: '+' must travel encoded
        local = sample.astimezone(timezone(timedelta(hours=1)))
        return quote(local.isoformat(timespec="milliseconds"))
    return quote(str(sample))


def sample_compare(sample: object, value: object) -> int:
    assert value is not None, "a comparison with null must be false: no such item returned"
    if isinstance(sample, datetime):
        assert isinstance(value, str)
        other = instant(value.split("/")[0])
        return (sample > other) - (sample < other)
    assert isinstance(sample, str)
    text = sample[1:-1]
    value_text = value if isinstance(value, str) else java_text(value)
    return (text > value_text) - (text < value_text)


def filter_checks(sta: Sta, path: str, entity_type: str) -> None:
    sep = "&" if "?" in path else "?"
    for name, sample in zip(PROPERTIES[entity_type], SAMPLES[entity_type], strict=True):
        if sample is None:
            continue  # location, feature, unitOfMeasurement
        for op, holds in OPERATORS.items():
            query = f"{path}{sep}$filter={name}%20{op}%20{literal(sample)}"
            for entity in sta.values(query):
                assert name in entity, (query, entity)
                assert holds(sample_compare(sample, entity[name])), (query, entity[name])


def test_filter(sta: Sta) -> None:
    for entity_set in SETS:
        entity_type = TYPE[entity_set]
        filter_checks(sta, entity_set, entity_type)
        first = first_id(sta, entity_set)
        for relation in RELATIONS[entity_type]:
            if not is_plural(relation):
                break  # the suite `return`s at the first singular relation
            filter_checks(sta, f"{entity_set}({first})/{relation}", target(relation))


def test_filter_finds_what_it_should(level3: Level3) -> None:
    # completeness, which the suite does not check
    sta = level3.sta

    def results(expression: str) -> list[int]:
        return sorted(o["result"] for o in sta.values(f"Observations?$filter={expression}"))

    assert results("result lt '2'") == [1, 10, 11, 12]  # a string literal compares as text
    assert results("result lt 2") == [1]
    assert results("result eq '2'") == [2]
    assert results("phenomenonTime ge 2015-03-11T00:00:00Z") == [11, 12]
    assert results("phenomenonTime lt 2015-03-02T01:00:00%2B01:00") == [1]
    assert results("resultTime eq null") == list(range(1, 13))
    assert results("resultTime ne null") == []
    assert results("resultTime lt 2015-03-02T00:00:00Z") == []
    assert results("resultTime ne 2015-03-02T00:00:00Z") == []  # null compares false
    assert results("Datastream/name eq 'datastream 2'") == [4, 5, 6, 10, 11, 12]
    assert results("Datastream/Thing/name eq 'thing 2'") == [7, 8, 9, 10, 11, 12]
    names = [t["name"] for t in sta.values("Things?$filter=Locations/name eq 'location 1'")]
    assert names == ["thing 2"]
    names = [d["name"] for d in sta.values("Datastreams?$filter=Observations/result gt 10")]
    assert names == ["datastream 2"]
    assert [t["name"] for t in sta.values("Things?$filter=properties/reference eq 'second'")] == [
        "thing 2"
    ]


def test_priority_ordering(sta: Sta) -> None:
    # $filter, $count, $orderby, $skip, $top: only string comparison of result with '3' gives
    # 6 rows (4..9), and the third of them by time is 6.
    body = sta.json(
        "Observations?$count=true&$top=1&$skip=2&$orderby=phenomenonTime%20asc"
        "&$filter=result%20gt%20'3'"
    )
    assert body["@iot.count"] == 6
    assert len(body["value"]) == 1
    assert str(body["value"][0]["result"]) == "6"


@pytest.mark.parametrize(
    ("expression", "count"),
    [
        ("result eq 2 and result eq 1 or result eq 1", 1),
        ("(result eq 2 and result eq 1) or result eq 1", 1),
        ("result eq 2 and (result eq 1 or result eq 1)", 0),
        ("not result lt 1 and not result gt 1", 1),
        ("1 add result mul 2 sub -1 eq 4", 1),
        ("6 div 2 sub result eq 2", 1),
        ("1 add 2.0 mod (result add 1) eq 1", 1),
        ("14 div (result add 1) mod 3 mul 3 eq 3", 1),  # div is not integer division
    ],
)
def test_precedence(sta: Sta, expression: str, count: int) -> None:
    # FROST checkAndOrPrecendece and checkArithmeticPrecendece
    values = sta.values(f"Observations?$filter={quote(expression)}")
    assert len(values) == count, expression
    for obs in values:
        assert str(obs["result"]) == "1"


def test_unsupported_option_is_501_and_bad_ones_400(sta: Sta) -> None:
    assert sta.get("Things?$frobnicate=1").status_code == 501
    assert sta.get("Things?$top=-1").status_code == 400
    assert sta.get("Things?$filter=name eq").status_code == 400
    assert sta.get("Things?$orderby=colour").status_code == 400
    assert sta.get("Things?$expand=Sensors").status_code == 400
    # custom options (no '$') are ignored
    assert sta.get("Things?colour=red").status_code == 200


# -- paging -------------------------------------------------------------------------------------


def test_next_links_are_absolute_and_only_when_more(level3: Level3) -> None:
    sta = level3.sta
    body = sta.json("Observations?$top=5&$filter=result gt 2&$count=true")
    link = body["@iot.nextLink"]
    assert link.startswith(f"{sta.root}/Observations?")
    seen = [o["result"] for o in body["value"]]
    while "@iot.nextLink" in body:
        body = sta.json(body["@iot.nextLink"])
        assert body.get("@iot.count", 10) == 10
        seen += [o["result"] for o in body["value"]]
    assert seen == list(range(3, 13))
    # v1.0 links point at v1.0
    assert (
        sta.at("v1.0").json("Things?$top=1")["@iot.nextLink"].startswith(f"{sta.at('v1.0').root}/")
    )
    # a nextLink of a relation stays on the relation
    f = first_id(sta, "FeaturesOfInterest")
    link = sta.json(f"FeaturesOfInterest({f})/Observations?$top=4")["@iot.nextLink"]
    assert link.startswith(f"{sta.root}/FeaturesOfInterest({f})/Observations?")
    assert len(sta.values(link)) == 2


def test_skiptoken_from_elsewhere_is_400(sta: Sta) -> None:
    assert sta.get("Observations?$skiptoken=bm9wZQ").status_code == 400


def follow(sta: Sta, path: str) -> tuple[list[dict[str, Any]], int]:
    """Every entity reached by following nextLinks from `path`, and the number of pages."""
    body = sta.json(path)
    entities = list(body["value"])
    pages = 1
    while "@iot.nextLink" in body:
        assert body["@iot.nextLink"].startswith("https://testserver/sta/v1.1/")
        body = sta.json(body["@iot.nextLink"])
        assert body["value"], "a nextLink must lead to more rows"
        entities += body["value"]
        pages += 1
    return entities, pages


def test_following_next_links_through_250_observations(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    sta = Sta(client, api_token(staff))  # a database of its own
    thing = sta.create(
        "Things",
        {"name": "pager", "description": "pager", "Locations": [location("here", 2.35, 48.85)]},
    )
    stream = sta.create(
        "Datastreams",
        datastream(
            "pages",
            Thing={"@iot.id": thing},
            Sensor=sensor("s"),
            ObservedProperty=observed_property("op"),
        ),
    )
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    # pairs share a phenomenonTime: the order needs its tie-breaker to page correctly
    rows = [[(t0 + timedelta(minutes=i // 2)).isoformat(), i] for i in range(250)]
    response = sta.post(
        "CreateObservations",
        [
            {
                "Datastream": {"@iot.id": stream},
                "components": ["phenomenonTime", "result"],
                "dataArray": rows,
            }
        ],
    )
    assert response.status_code == 201, response.text
    assert not [s for s in response.json() if "error" in s]

    entities, pages = follow(sta, f"Datastreams({stream})/Observations")
    assert pages == 3
    ids = [e["@iot.id"] for e in entities]
    assert ids == sorted(set(ids)) and len(ids) == 250
    assert [e["result"] for e in entities] == list(range(250))

    entities, pages = follow(
        sta, f"Datastreams({stream})/Observations?$orderby=phenomenonTime%20desc"
    )
    assert pages == 3
    assert sorted(e["result"] for e in entities) == list(range(250))
    times = [e["phenomenonTime"] for e in entities]
    assert times == sorted(times, reverse=True)

    entities, pages = follow(sta, "Observations?$orderby=phenomenonTime&$top=7&$select=result")
    assert pages == 36
    assert [e["result"] for e in entities] == list(range(250))
    assert all(set(e) == {"result"} for e in entities)

    entities, _pages = follow(sta, "Observations?$orderby=result desc&$top=60")
    assert [e["result"] for e in entities] == list(range(249, -1, -1))

    body = sta.json("Observations?$count=true&$top=1000")
    assert body["@iot.count"] == 250 and len(body["value"]) == 250
    assert "@iot.nextLink" not in body
    # the server caps $top (FROST's maxTop) rather than refusing it
    assert len(sta.values("Observations?$top=100000")) == 250


def test_links_follow_the_request_host(sta: Sta) -> None:
    # the same dataset seen through another host name (no configured root to go stale)
    body = sta.http.get(
        "http://other.example/sta/v1.1/Things?$top=1", headers={"Host": "other.example"}
    ).json()
    assert body["value"][0]["@iot.selfLink"].startswith("http://other.example/sta/v1.1/Things(")
    assert body["@iot.nextLink"].startswith("http://other.example/sta/v1.1/Things?")
