"""Reading GBFS: the real Vélib' snapshots, the spec's own examples in v2.3 and v3.0, and every
validation rule with the exact problem it reports."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from parvis.mobility.sharing import (
    FeedResult,
    Problem,
    Station,
    StationStatus,
    cross_check,
    parse_discovery,
    parse_snapshot,
    parse_station_information,
    parse_station_status,
    parse_vehicle_status,
    parse_vehicle_types,
    read_snapshot,
)
from tests.services import IN_CI

ROOT = Path(__file__).resolve().parents[2]
VELIB = ROOT.parent / "shared" / "data" / "mobility" / "gbfs_velib"
FIXTURES = Path(__file__).resolve().parent / "gbfs_fixtures"

NOW = 1_700_000_000  # 2023-11-14T22:13:20Z
NOW_UTC = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def velib(snapshot: str) -> Path:
    folder = VELIB / snapshot
    if not folder.is_dir():
        message = f"the Vélib' GBFS snapshot is not at {folder}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return folder


def doc(key: str, rows: Any, *, version: str | None = "2.3", **header: Any) -> bytes:
    """A GBFS file as bytes: `{"last_updated", "ttl", "version", "data": {key: rows}}`."""
    top: dict[str, Any] = {"last_updated": NOW, "ttl": 60}
    if version is not None:
        top["version"] = version
    top.update(header)
    top["data"] = {key: rows}
    return json.dumps(top).encode()


def info(*rows: dict[str, Any], **kw: Any) -> FeedResult[Station]:
    return parse_station_information(doc("stations", list(rows), **kw))


def status(*rows: dict[str, Any], **kw: Any) -> FeedResult[StationStatus]:
    return parse_station_status(doc("stations", list(rows), **kw))


def station(sid: str = "a", **fields: Any) -> dict[str, Any]:
    return {"station_id": sid, "name": f"Station {sid}", "lat": 48.85, "lon": 2.35, **fields}


def state(sid: str = "a", **fields: Any) -> dict[str, Any]:
    row = {
        "station_id": sid,
        "num_bikes_available": 3,
        "num_docks_available": 7,
        "is_installed": True,
        "is_renting": True,
        "is_returning": True,
        "last_reported": NOW,
    }
    row.update(fields)
    return {k: v for k, v in row.items() if v is not None}


def texts(problems: Iterable[Problem]) -> list[str]:
    return [str(p) for p in problems]


# --------------------------------------------------------------------------------------------
# Real Vélib' snapshots

VELIB_WARNINGS = [
    "station_information.json: warning: last_updated missing: the non-standard "
    "lastUpdatedOther was used",
    "station_status.json: warning: last_updated missing: the non-standard "
    "lastUpdatedOther was used",
]


@pytest.mark.parametrize(
    ("snapshot", "count", "capacity", "bikes", "docks", "over_capacity"),
    [
        ("2025-10-18", 1495, 47_434, 18_067, 27_893, 12),
        ("2024-11-19", 1485, 46_155, 15_626, 29_291, 13),
        ("2022-02-25", 1439, 44_954, 13_960, 29_102, 7),
    ],
)
def test_velib_snapshots(
    snapshot: str, count: int, capacity: int, bikes: int, docks: int, over_capacity: int
) -> None:
    snap = read_snapshot(velib(snapshot))
    assert not snap.fatal
    assert not snap.has_errors
    assert len(snap.stations) == len(snap.statuses) == count
    assert sum(s.capacity or 0 for s in snap.stations) == capacity
    assert sum(s.bikes_available for s in snap.statuses.values()) == bikes
    assert sum(s.docks_available or 0 for s in snap.statuses.values()) == docks
    for s in snap.statuses.values():
        assert s.mechanical is not None
        assert s.ebike is not None
        assert s.mechanical + s.ebike == s.bikes_available
        assert s.last_reported is not None
        assert s.last_reported.tzinfo is UTC
    assert snap.version is None  # Vélib' declares no version
    shown = texts(snap.problems)
    for warning in VELIB_WARNINGS:
        assert warning in shown
    assert (
        f"station_status.json: warning: station_id is a number, not a string: converted "
        f"({count} times, first at stations[0])" in shown
    )
    assert sum("> capacity" in p for p in shown) == over_capacity
    assert all(p.severity == "warning" for p in snap.problems)


def test_velib_2025_details() -> None:
    snap = read_snapshot(velib("2025-10-18"))
    assert snap.files == ("station_information.json", "station_status.json")
    assert snap.last_updated == datetime(2025, 10, 18, 9, 9, 16, tzinfo=UTC)  # of the status
    stations = {s.station_id: s for s in snap.stations}
    assert stations["36255"] == Station(
        station_id="36255",
        name="Toudouze - Clauzel",
        lat=48.87929591733507,
        lon=2.3373600840568547,
        capacity=21,
        short_name="9020",
        rental_methods=("creditcard",),
    )
    assert snap.statuses["36255"] == StationStatus(
        station_id="36255",
        bikes_available=1,
        docks_available=20,
        mechanical=0,
        ebike=1,
        is_installed=True,
        is_renting=True,
        is_returning=True,
        last_reported=datetime(2025, 10, 18, 8, 37, 53, tzinfo=UTC),
    )
    flags = {(s.is_installed, s.is_renting, s.is_returning) for s in snap.statuses.values()}
    assert flags == {(True, True, True), (True, False, False), (False, False, False)}
    assert (
        "station_status.json: station 6298: warning: 27 bikes + 0 docks available = 27 > "
        "capacity 24" in texts(snap.problems)
    )
    info_file = parse_station_information(
        (velib("2025-10-18") / "station_information.json").read_bytes()
    )
    assert info_file.last_updated == datetime(2025, 10, 18, 9, 11, 19, tzinfo=UTC)
    assert info_file.ttl == 3600


def test_velib_2024_names_are_repaired() -> None:
    older = read_snapshot(velib("2024-11-19"))
    newer = {s.station_id: s.name for s in read_snapshot(velib("2025-10-18")).stations}
    names = {s.station_id: s.name for s in older.stations}
    assert names["85002689"] == "Jourdan - Stade Charléty"
    assert not [n for n in names.values() if "Ã" in n or "Â" in n]
    raw = json.loads((velib("2024-11-19") / "station_information.json").read_bytes())
    repaired = [str(r["station_id"]) for r in raw["data"]["stations"] if "Ã" in r["name"]]
    assert len(repaired) == 519
    assert [(names[i], newer[i]) for i in repaired if i in newer and names[i] != newer[i]] == []
    assert (
        "station_information.json: warning: name was mis-encoded (UTF-8 read as Windows-1252): "
        "repaired (519 times, first at stations[4] (station 85002689))" in texts(older.problems)
    )


def test_velib_2022_discovery() -> None:
    snap = read_snapshot(velib("2022-02-25"))
    assert snap.discovery is not None
    assert snap.discovery.language == "en"
    base = "https://velib-metropole-opendata.smoove.pro/opendata/Velib_Metropole/"
    assert dict(snap.discovery.feeds) == {
        name: f"{base}{name}.json"
        for name in ("gbfs", "system_information", "station_information", "station_status")
    }
    assert snap.discovery.url("station_status") == f"{base}station_status.json"
    assert snap.last_updated == datetime(2022, 2, 23, 18, 28, 53, tzinfo=UTC)


# --------------------------------------------------------------------------------------------
# The spec's examples, in v2.3 and in v3.0


def test_spec_examples_read_the_same_in_v23_and_v30() -> None:
    v2 = read_snapshot(FIXTURES / "v2.3")
    v3 = read_snapshot(FIXTURES / "v3.0", language="en")
    assert v2.problems == ()
    assert v3.problems == ()
    assert (v2.version, v3.version) == ("2.3", "3.0")
    assert v2.last_updated == v3.last_updated == datetime(2021, 12, 30, 17, 59, 23, tzinfo=UTC)
    assert v2.stations == v3.stations
    assert v2.statuses == v3.statuses
    assert v2.vehicles == v3.vehicles
    assert v2.vehicle_types == v3.vehicle_types
    pga, station12 = v3.stations
    assert (pga.name, pga.capacity, pga.is_virtual) == ("Parking garage A", None, False)
    assert pga.rental_methods == ("key", "creditcard")
    assert (station12.capacity, station12.is_virtual) == (16, True)
    assert station12.address == "1000 SE Belmont Street"
    # abc123 is a human bicycle, def456 a scooter, ghi789 (absent here) an e-bike.
    assert [(s.bikes_available, s.mechanical, s.ebike) for s in v3.statuses.values()] == [
        (1, 1, 0),
        (6, 2, 0),
    ]
    assert [(s.bikes_disabled, s.docks_disabled) for s in v3.statuses.values()] == [(2, 1), (1, 1)]
    assert v3.statuses["pga"].last_reported == datetime(2021, 1, 5, 17, 2, 5, tzinfo=UTC)
    (vehicle,) = v3.vehicles  # the other one is docked at station 86
    assert vehicle.vehicle_id == "973a5c94-c288-4a2b-afa6-de8aeb6ae2e5"
    assert (vehicle.lat, vehicle.lon, vehicle.vehicle_type_id) == (12.345678, 56.789012, "abc123")
    assert v3.discovery is not None
    assert v3.discovery.language is None
    assert v3.discovery.url("vehicle_status") == "https://www.example.com/gbfs/1/vehicle_status"


def test_parse_snapshot_in_memory_is_read_snapshot() -> None:
    folder = FIXTURES / "v3.0"
    files: dict[str, bytes] = {p.name: p.read_bytes() for p in folder.glob("*.json")}
    files["system_information.json"] = b"not read"
    assert parse_snapshot(files, source=str(folder)) == read_snapshot(folder)
    assert read_snapshot(str(folder)).files == (
        "gbfs.json",
        "vehicle_types.json",
        "station_information.json",
        "station_status.json",
        "vehicle_status.json",
    )


def test_v3_names_follow_the_language() -> None:
    folder = FIXTURES / "v3.0" / "station_information.json"
    raw = folder.read_bytes()
    assert parse_station_information(raw, language="fr").items[0].name == "Parking souterrain A"
    assert parse_station_information(raw, language="fr-CA").items[0].name == (
        "Parking souterrain A"
    )
    assert parse_station_information(raw, language="de").items[0].name == "Parking garage A"
    assert parse_station_information(raw).items[0].name == "Parking garage A"


def test_v2_discovery_languages() -> None:
    raw = (FIXTURES / "v2.3" / "gbfs.json").read_bytes()
    assert parse_discovery(raw).language == "en"
    french = parse_discovery(raw, language="fr")
    assert french.language == "fr"
    assert french.url("station_status") == "https://www.example.com/gbfs/1/fr/station_status"
    assert set(french.feeds_by_language) == {"en", "fr"}
    german = parse_discovery(raw, language="de")
    assert german.language == "en"
    assert texts(german.problems) == ["gbfs.json: warning: no feeds in language 'de': 'en' used"]


# --------------------------------------------------------------------------------------------
# Whole files refused


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<html>502 Bad Gateway</html>", "not JSON (Expecting value at line 1 column 1)"),
        (b"", "not JSON (Expecting value at line 1 column 1)"),
        (b'{"data": {"stations": [}', "not JSON (Expecting value at line 1 column 24)"),
        (b'{"ttl": NaN}', "not JSON (NaN is not valid JSON)"),
        (b"\xff\xfe{}", "not UTF-8 text (invalid start byte at byte 0)"),
        (b"[1, 2]", "the top level is an array, not an object"),
        (b'{"last_updated": 1700000000, "ttl": 0}', "no data object"),
        (b'{"last_updated": 1700000000, "ttl": 0, "data": []}', "data is an array, not an object"),
        (b'{"last_updated": 1700000000, "ttl": 0, "data": {}}', "no data.stations array"),
        (
            b'{"last_updated": 1700000000, "ttl": 0, "data": {"stations": {}}}',
            "data.stations is an object, not an array",
        ),
        (
            b'{"last_updated": 1700000000, "ttl": 0, "data": {"stations": []}}',
            "data.stations is empty",
        ),
    ],
)
def test_broken_files_are_refused(raw: bytes, message: str) -> None:
    for parse in (parse_station_information, parse_station_status):
        result = parse(raw)
        assert result.fatal
        assert result.has_errors
        assert result.items == ()
        fatal = [p for p in result.problems if p.fatal]
        assert texts(fatal) == [f"{result.file}: error: {message}: file refused"]


def test_a_file_without_any_valid_station_is_refused() -> None:
    result = parse_station_information(doc("stations", [{"station_id": "a"}, [1, 2]]))
    assert result.fatal
    assert result.items == ()
    assert texts(result.problems) == [
        "station_information.json: stations[0] (station a): error: name missing: station dropped",
        "station_information.json: stations[0] (station a): error: lat missing: station dropped",
        "station_information.json: stations[0] (station a): error: lon missing: station dropped",
        "station_information.json: stations[1]: error: is an array, not an object: dropped",
        "station_information.json: error: none of the 2 stations is valid: file refused",
    ]


def test_inputs_bytes_text_dict_and_bom_read_the_same() -> None:
    raw = doc("stations", [station("a")])
    as_dict = json.loads(raw)
    results = [
        parse_station_information(x)
        for x in (raw, raw.decode(), as_dict, b"\xef\xbb\xbf" + raw, "\ufeff" + raw.decode())
    ]
    assert all(r == results[0] for r in results)
    assert results[0].items == (Station("a", "Station a", 48.85, 2.35),)
    assert results[0].problems == ()
    assert results[0].last_updated == NOW_UTC
    assert results[0].ttl == 60
    assert results[0].version == "2.3"


def test_file_name_in_problems() -> None:
    result = parse_station_status(b"nope", file="https://example.com/gbfs/station_status")
    assert str(result.problems[0]) == (
        "https://example.com/gbfs/station_status: error: not JSON (Expecting value at line 1 "
        "column 1): file refused"
    )


# --------------------------------------------------------------------------------------------
# Header


def test_header_warnings() -> None:
    raw = json.dumps({"data": {"stations": [station()]}}).encode()
    result = parse_station_information(raw)
    assert result.items
    assert texts(result.problems) == [
        "station_information.json: warning: last_updated missing: the time of the data is unknown",
        "station_information.json: warning: ttl missing",
    ]
    bad = info(station(), last_updated="yesterday", ttl=-1, version=None)
    assert bad.last_updated is None
    assert bad.ttl is None
    assert texts(bad.problems) == [
        "station_information.json: warning: last_updated 'yesterday' is not a timestamp (POSIX "
        "seconds, or RFC 3339 with an offset): ignored",
        "station_information.json: warning: ttl -1 is not a non-negative integer: ignored",
    ]


def test_timestamps() -> None:
    assert info(station(), version="1.1").last_updated == NOW_UTC
    assert (
        info(station(), version="3.0", last_updated="2023-11-14T23:13:20+01:00").last_updated
        == NOW_UTC
    )
    fraction = info(station(), version="3.0", last_updated="2019-07-04T13:33:03.969Z")
    assert fraction.last_updated == datetime(2019, 7, 4, 13, 33, 3, 969000, tzinfo=UTC)
    millis = info(station(), version="2.3", last_updated=NOW * 1000)
    assert millis.last_updated == NOW_UTC
    assert texts(millis.problems) == [
        "station_information.json: warning: last_updated is in milliseconds, not seconds: "
        "divided by 1000"
    ]
    naive = info(station(), version="3.0", last_updated="2023-11-14T22:13:20")
    assert naive.last_updated is None
    assert texts(naive.problems)[:1] == [
        "station_information.json: warning: last_updated '2023-11-14T22:13:20' is not a "
        "timestamp (POSIX seconds, or RFC 3339 with an offset): ignored"
    ]
    posix_in_v3 = info(station(name=[{"text": "A", "language": "en"}]), version="3.0")
    assert posix_in_v3.last_updated == NOW_UTC
    assert texts(posix_in_v3.problems) == [
        "station_information.json: warning: last_updated is POSIX seconds, not an RFC 3339 "
        "string (GBFS 3.0)"
    ]
    rfc_in_v2 = info(station(), version="2.3", last_updated="2023-11-14 22:13:20z")
    assert rfc_in_v2.last_updated == NOW_UTC
    assert texts(rfc_in_v2.problems) == [
        "station_information.json: warning: last_updated is an RFC 3339 string, not POSIX "
        "seconds (GBFS 2.3)"
    ]


# --------------------------------------------------------------------------------------------
# Stations


def test_missing_required_station_fields_drop_the_row() -> None:
    result = info(
        {"name": "no id", "lat": 48.8, "lon": 2.3},
        {"station_id": "b", "lat": 48.8, "lon": 2.3},
        {"station_id": "c", "name": "no lat", "lon": 2.3},
        {"station_id": "d", "name": "no lon", "lat": 48.8},
        {"station_id": "", "name": "empty id", "lat": 48.8, "lon": 2.3},
        {"station_id": "f", "name": "  ", "lat": 48.8, "lon": 2.3},
        station("ok"),
    )
    assert not result.fatal
    assert result.has_errors
    assert [s.station_id for s in result.items] == ["ok"]
    assert texts(result.problems) == [
        "station_information.json: stations[0]: error: station_id missing: station dropped",
        "station_information.json: stations[1] (station b): error: name missing: station dropped",
        "station_information.json: stations[2] (station c): error: lat missing: station dropped",
        "station_information.json: stations[3] (station d): error: lon missing: station dropped",
        "station_information.json: stations[4]: error: station_id '' is not an ID: station dropped",
        "station_information.json: stations[5] (station f): error: name is empty: station dropped",
    ]


def test_positions_are_checked() -> None:
    result = info(
        station("north", lat=91.5),
        station("west", lon=-180.5),
        station("null island", lat=0, lon=0),
        station("text", lat="48.8"),
        station("ok", lat=0.0, lon=2.35),  # on the equator is fine
    )
    assert [s.station_id for s in result.items] == ["ok"]
    assert texts(result.problems) == [
        "station_information.json: stations[0] (station north): error: lat 91.5 is out of range "
        "[-90, 90]: station dropped",
        "station_information.json: stations[1] (station west): error: lon -180.5 is out of range "
        "[-180, 180]: station dropped",
        "station_information.json: stations[2] (station null island): error: lat/lon is (0, 0), "
        "a placeholder, not a position: station dropped",
        "station_information.json: stations[3] (station text): error: lat '48.8' is not a "
        "number: station dropped",
    ]


def test_duplicate_station_ids_keep_the_first() -> None:
    result = info(station("a", name="first"), station("b"), station("a", name="second"))
    assert [(s.station_id, s.name) for s in result.items] == [("a", "first"), ("b", "Station b")]
    assert texts(result.problems) == [
        "station_information.json: stations[2] (station a): error: duplicate station_id (first "
        "at stations[0]): dropped"
    ]
    # A dropped row does not count as the first one.
    result = info(station("a", lat=None), station("a", name="valid"))
    assert [s.name for s in result.items] == ["valid"]


def test_optional_station_fields() -> None:
    result = info(
        station("a", capacity=-3, rental_methods="CREDITCARD", station_opening_hours=7),
        station(
            "b",
            capacity=12.0,
            short_name="B12",
            stationCode="999",
            rental_methods=["KEY", "CreditCard"],
            station_area={"type": "MultiPolygon", "coordinates": []},
            station_opening_hours="Mo-Fr 06:00-22:00",
        ),
        station("c", stationCode=16107, is_virtual_station=1),
        version="1.1",
    )
    a, b, c = result.items
    assert (a.capacity, a.rental_methods, a.opening_hours) == (None, (), None)
    assert (b.capacity, b.short_name, b.rental_methods) == (12, "B12", ("key", "creditcard"))
    assert (b.is_virtual, b.opening_hours) == (True, "Mo-Fr 06:00-22:00")
    assert (c.short_name, c.is_virtual) == ("16107", True)
    assert texts(result.problems) == [
        "station_information.json: stations[0] (station a): warning: capacity -3 is not a "
        "non-negative integer: ignored",
        "station_information.json: stations[0] (station a): warning: rental_methods "
        "'CREDITCARD' is not an array of strings: ignored",
        "station_information.json: stations[0] (station a): warning: station_opening_hours 7 is "
        "not a string: ignored",
    ]


def test_v3_localized_names_and_version_mismatches() -> None:
    v3_row = station("a", name=[{"text": "Gare", "language": "fr"}], short_name=[])
    result = info(v3_row, station("b"), version="3.0")
    assert [s.name for s in result.items] == ["Gare", "Station b"]
    assert result.items[0].short_name is None
    assert texts(result.problems) == [
        "station_information.json: warning: last_updated is POSIX seconds, not an RFC 3339 "
        "string (GBFS 3.0)",
        "station_information.json: warning: name is a string, not a list of localized strings "
        "(GBFS 3.0) (at stations[1] (station b))",
    ]
    in_v2 = info(v3_row, version="2.3")
    assert in_v2.items[0].name == "Gare"
    assert texts(in_v2.problems) == [
        "station_information.json: warning: name is a list of localized strings (GBFS 2.3) (at "
        "stations[0] (station a))",
        "station_information.json: warning: short_name is a list of localized strings (GBFS 2.3) "
        "(at stations[0] (station a))",
    ]
    broken = info(station("a", name=[{"language": "fr"}]), station("b"))
    assert texts(broken.errors) == [
        "station_information.json: stations[0] (station a): error: name [{'language': 'fr'}] is "
        "not a text: station dropped"
    ]


def test_mojibake_is_repaired_and_good_text_is_left_alone() -> None:
    result = info(
        station("a", name="Jourdan - Stade CharlÃƒÂ©ty"),
        station("b", name="Pont du Port Ãƒ  l'Anglais"),
        station("c", name="Mairie du 8ÃƒÂ¨me "),
        station("d", name="SÃ£o Paulo"),  # single round
        station("e", name="São Paulo - Ã  côté"),  # mixed: not valid once re-encoded
        station("f", name="Château d'Eau"),
    )
    assert [s.name for s in result.items] == [
        "Jourdan - Stade Charléty",
        "Pont du Port à l'Anglais",
        "Mairie du 8ème",
        "São Paulo",
        "São Paulo - Ã  côté",
        "Château d'Eau",
    ]
    assert texts(result.problems) == [
        "station_information.json: warning: name was mis-encoded (UTF-8 read as Windows-1252): "
        "repaired (4 times, first at stations[0] (station a))"
    ]


# --------------------------------------------------------------------------------------------
# Station status


def test_status_counts_and_flags() -> None:
    result = status(
        state("neg bikes", num_bikes_available=-1),
        state("neg docks", num_docks_available=-2),
        state("no bikes", num_bikes_available=None),
        state("text bikes", num_bikes_available="3"),
        state("flag", is_renting="yes"),
        state("no flag", is_installed=None),
        state("no docks", num_docks_available=None),
        state("ok"),
    )
    assert [(s.station_id, s.docks_available) for s in result.items] == [
        ("no docks", None),
        ("ok", 7),
    ]
    assert texts(result.problems) == [
        "station_status.json: stations[0] (station neg bikes): error: num_bikes_available is -1, "
        "a negative count: status dropped",
        "station_status.json: stations[1] (station neg docks): error: num_docks_available is -2, "
        "a negative count: status dropped",
        "station_status.json: stations[2] (station no bikes): error: num_bikes_available "
        "missing: status dropped",
        "station_status.json: stations[3] (station text bikes): error: num_bikes_available '3' "
        "is not an integer: status dropped",
        "station_status.json: stations[4] (station flag): error: is_renting 'yes' is not a "
        "boolean (or 0/1): status dropped",
        "station_status.json: stations[5] (station no flag): error: is_installed missing: "
        "status dropped",
    ]


def test_status_last_reported_is_optional_in_practice() -> None:
    result = status(state("a", last_reported=None), state("b", last_reported="soon"))
    assert [s.last_reported for s in result.items] == [None, None]
    assert texts(result.problems) == [
        "station_status.json: stations[0] (station a): warning: last_reported missing",
        "station_status.json: stations[1] (station b): warning: last_reported 'soon' is not a "
        "timestamp (POSIX seconds, or RFC 3339 with an offset): ignored",
    ]


def test_duplicate_statuses_keep_the_first() -> None:
    result = status(state("a", num_bikes_available=1), state("a", num_bikes_available=2))
    assert [s.bikes_available for s in result.items] == [1]
    assert texts(result.problems) == [
        "station_status.json: stations[1] (station a): error: duplicate station_id (first at "
        "stations[0]): dropped"
    ]


def test_v1_and_v2_booleans() -> None:
    rows = [state("a", is_installed=1, is_renting=0, is_returning=1), state("b")]
    v1 = status(*rows, version="1.1")
    assert [(s.is_installed, s.is_renting, s.is_returning) for s in v1.items] == [
        (True, False, True),
        (True, True, True),
    ]
    assert v1.problems == ()
    v2 = status(*rows, version="2.3")
    assert v2.items == v1.items
    assert texts(v2.problems) == [
        f"station_status.json: warning: {field} is 0/1, not a JSON boolean (GBFS 2.3) (at "
        "stations[0] (station a))"
        for field in ("is_installed", "is_renting", "is_returning")
    ]


def test_velib_camel_case_counts() -> None:
    camel = state("a", num_bikes_available=None, num_docks_available=None)
    camel |= {"numBikesAvailable": 4, "numDocksAvailable": 6}
    disagree = state("b") | {"numBikesAvailable": 5, "numDocksAvailable": 7}
    result = status(camel, disagree, version=None)
    assert [(s.bikes_available, s.docks_available) for s in result.items] == [(4, 6), (3, 7)]
    assert texts(result.problems) == [
        "station_status.json: stations[1] (station b): warning: numBikesAvailable 5 differs "
        "from num_bikes_available 3: num_bikes_available used",
        "station_status.json: warning: num_bikes_available missing: the non-standard "
        "numBikesAvailable was used (at stations[0] (station a))",
        "station_status.json: warning: num_docks_available missing: the non-standard "
        "numDocksAvailable was used (at stations[0] (station a))",
    ]


def test_velib_bike_types_list_or_dict() -> None:
    result = status(
        state(
            "list",
            num_bikes_available=3,
            num_bikes_available_types=[{"mechanical": 1}, {"ebike": 2}],
        ),
        state(
            "dict", num_bikes_available=3, num_bikes_available_types={"mechanical": 3, "ebike": 0}
        ),
        state(
            "off",
            num_bikes_available=3,
            num_bikes_available_types=[{"mechanical": 1}, {"ebike": 1}],
        ),
        state("bad", num_bikes_available_types=[{"mechanical": -1}]),
        state("none"),
        version=None,
    )
    assert [(s.station_id, s.mechanical, s.ebike) for s in result.items] == [
        ("list", 1, 2),
        ("dict", 3, 0),
        ("off", 1, 1),
        ("bad", None, None),
        ("none", None, None),
    ]
    assert texts(result.problems) == [
        "station_status.json: stations[2] (station off): warning: num_bikes_available_types add "
        "up to 2, not num_bikes_available 3",
        "station_status.json: stations[3] (station bad): warning: num_bikes_available_types "
        "[{'mechanical': -1}] is not a list of counts per type: ignored",
    ]


def test_vehicle_types_available() -> None:
    def row(sid: str, total: int, **counts: int) -> dict[str, Any]:
        types = [{"vehicle_type_id": k, "count": v} for k, v in counts.items()]
        return state(sid, num_bikes_available=total, vehicle_types_available=types)

    rows = [
        row("opaque", 5, abc=2, xyz=3),
        row("named", 5, Mechanical=2, ebike=3),
        row("ebike only", 2, ebike=2),
        row("off", 9, abc=2, xyz=3),
    ]
    plain = status(*rows)
    assert [(s.bikes_available, s.mechanical, s.ebike) for s in plain.items] == [
        (5, None, None),
        (5, 2, 3),
        (2, None, 2),
        (9, None, None),
    ]
    assert texts(plain.problems) == [
        "station_status.json: stations[3] (station off): warning: vehicle_types_available add "
        "up to 5, not the 9 vehicles available"
    ]
    kinds = parse_station_status(
        doc("stations", rows), bike_kinds={"abc": "mechanical", "zzz": "ebike"}
    )
    assert [(s.mechanical, s.ebike) for s in kinds.items] == [(2, 0), (2, 3), (0, 2), (2, 0)]
    broken = status(state("a", vehicle_types_available=[{"vehicle_type_id": "abc"}]))
    assert (broken.items[0].mechanical, broken.items[0].ebike) == (None, None)
    assert texts(broken.problems) == [
        "station_status.json: stations[0] (station a): warning: vehicle_types_available "
        "[{'vehicle_type_id': 'abc'}] is not a list of {vehicle_type_id, count}: ignored"
    ]


def test_v3_status_counts_vehicles() -> None:
    row = state("a", num_bikes_available=None, last_reported="2023-11-14T22:13:20Z")
    row |= {"num_vehicles_available": 4, "num_vehicles_disabled": 1}
    result = status(row, version="3.0", last_updated="2023-11-14T22:13:20Z")
    assert result.problems == ()
    (only,) = result.items
    assert (only.bikes_available, only.bikes_disabled, only.last_reported) == (4, 1, NOW_UTC)
    missing = status(
        state("a", num_bikes_available=None),
        state("b"),
        version="3.0",
        last_updated="2023-11-14T22:13:20Z",
    )
    assert texts(missing.errors) == [
        "station_status.json: stations[0] (station a): error: num_vehicles_available missing: "
        "status dropped"
    ]


# --------------------------------------------------------------------------------------------
# Cross-checks


def test_cross_check() -> None:
    stations = info(station("a", capacity=10), station("b", capacity=10), station("c")).items
    statuses = status(
        state("a", num_bikes_available=4, num_docks_available=6),
        state("b", num_bikes_available=8, num_docks_available=3),
        state("c", num_bikes_available=80),
        state("ghost"),
    ).items
    kept, problems = cross_check(stations, statuses[:2] + statuses[3:])
    assert [s.station_id for s in kept] == ["a", "b"]
    assert texts(problems) == [
        "station_status.json: station b: warning: 8 bikes + 3 docks available = 11 > capacity 10",
        "station_status.json: station ghost: warning: status for a station not in "
        "station_information: ignored",
        "station_status.json: station c: warning: station has no status",
    ]


def test_snapshot_drops_statuses_of_unknown_stations(tmp_path: Path) -> None:
    (tmp_path / "station_information.json").write_bytes(doc("stations", [station("a")]))
    (tmp_path / "station_status.json").write_bytes(doc("stations", [state("a"), state("zz")]))
    snap = read_snapshot(tmp_path)
    assert list(snap.statuses) == ["a"]
    assert not snap.has_errors
    assert texts(snap.problems) == [
        "station_status.json: station zz: warning: status for a station not in "
        "station_information: ignored"
    ]


def test_snapshot_keeps_the_good_files_when_one_is_broken(tmp_path: Path) -> None:
    (tmp_path / "station_information.json").write_bytes(doc("stations", [station("a")]))
    (tmp_path / "station_status.json").write_bytes(b"<html>oops</html>")
    snap = read_snapshot(tmp_path)
    assert snap.fatal
    assert [s.station_id for s in snap.stations] == ["a"]
    assert dict(snap.statuses) == {}
    assert texts(snap.problems) == [
        "station_status.json: error: not JSON (Expecting value at line 1 column 1): file refused"
    ]


def test_snapshot_of_odd_folders(tmp_path: Path) -> None:
    empty = read_snapshot(tmp_path)
    assert empty.fatal
    assert texts(empty.problems) == [
        f"{tmp_path}: error: no GBFS file (station_information.json, station_status.json, "
        "vehicle_status.json or free_bike_status.json): snapshot refused"
    ]
    (tmp_path / "station_status.json").write_bytes(doc("stations", [state("a")], version="2.2"))
    (tmp_path / "free_bike_status.json").write_bytes(doc("bikes", [], version="2.3"))
    (tmp_path / "vehicle_status.json").write_bytes(doc("vehicles", [], version="2.3"))
    snap = read_snapshot(tmp_path)
    assert not snap.fatal
    assert snap.version == "2.2"
    assert list(snap.statuses) == ["a"]
    assert snap.files == ("station_status.json", "vehicle_status.json")
    assert texts(snap.problems) == [
        "free_bike_status.json: warning: both vehicle_status.json and free_bike_status.json "
        "present: free_bike_status.json ignored",
        "vehicle_status.json: warning: data.vehicles instead of data.bikes (GBFS 2.3)",
        "station_information.json: warning: missing: the statuses of station_status.json "
        "cannot be checked",
        f"{tmp_path}: warning: files declare different GBFS versions: station_status.json "
        "2.2, vehicle_status.json 2.3",
    ]


def test_snapshot_without_status(tmp_path: Path) -> None:
    (tmp_path / "station_information.json").write_bytes(doc("stations", [station("a")]))
    snap = read_snapshot(tmp_path)
    assert snap.last_updated == NOW_UTC
    assert texts(snap.problems) == [
        "station_status.json: warning: missing: stations have no availability"
    ]


# --------------------------------------------------------------------------------------------
# Vehicles


def test_free_bike_status_v2() -> None:
    bikes = [
        {
            "bike_id": "b1",
            "lat": 48.85,
            "lon": 2.35,
            "is_reserved": False,
            "is_disabled": True,
            "vehicle_type_id": "abc",
            "current_range_meters": 1200.5,
            "last_reported": NOW,
        },
        {"bike_id": "docked", "station_id": "s1", "is_reserved": False, "is_disabled": False},
        {"bike_id": "lost", "is_reserved": False, "is_disabled": False},
        {"bike_id": "b1", "lat": 48.86, "lon": 2.36, "is_reserved": False, "is_disabled": False},
        {"bike_id": "b4", "lat": 48.86, "lon": 2.36, "is_reserved": "no", "is_disabled": False},
        {
            "bike_id": "b5",
            "lat": 48.86,
            "lon": 2.36,
            "is_reserved": False,
            "is_disabled": False,
            "current_range_meters": -5,
        },
    ]
    result = parse_vehicle_status(doc("bikes", bikes), file="free_bike_status.json")
    assert result.skipped == 1
    assert [(v.vehicle_id, v.is_disabled) for v in result.items] == [("b1", True), ("b5", False)]
    first = result.items[0]
    assert (first.vehicle_type_id, first.current_range_meters, first.last_reported) == (
        "abc",
        1200.5,
        NOW_UTC,
    )
    assert result.items[1].current_range_meters is None
    assert texts(result.problems) == [
        "free_bike_status.json: bikes[2] (vehicle lost): error: lat missing: vehicle dropped",
        "free_bike_status.json: bikes[2] (vehicle lost): error: lon missing: vehicle dropped",
        "free_bike_status.json: bikes[3] (vehicle b1): error: duplicate bike_id (first at "
        "bikes[0]): dropped",
        "free_bike_status.json: bikes[4] (vehicle b4): error: is_reserved 'no' is not a boolean "
        "(or 0/1): vehicle dropped",
        "free_bike_status.json: bikes[5] (vehicle b5): warning: current_range_meters -5 is not a "
        "non-negative number: ignored",
    ]


def test_free_bike_status_v1_uses_0_and_1() -> None:
    bikes = [{"bike_id": "x", "lat": 48.85, "lon": 2.35, "is_reserved": 1, "is_disabled": 0}]
    result = parse_vehicle_status(doc("bikes", bikes, version=None), file="free_bike_status.json")
    assert [(v.is_reserved, v.is_disabled) for v in result.items] == [(True, False)]
    assert result.problems == ()


def test_vehicle_status_v3() -> None:
    vehicles = [
        {
            "vehicle_id": "v1",
            "lat": 48.85,
            "lon": 2.35,
            "is_reserved": True,
            "is_disabled": False,
            "vehicle_type_id": "ebike",
            "current_range_meters": 16000,
            "last_reported": "2023-11-14T23:13:20+01:00",
        },
        {"vehicle_id": "v2", "station_id": "s9", "is_reserved": False, "is_disabled": False},
        {"vehicle_id": "v3", "lat": 91, "lon": 2.35, "is_reserved": False, "is_disabled": False},
    ]
    result = parse_vehicle_status(
        doc("vehicles", vehicles, version="3.0", last_updated="2023-11-14T22:13:20Z")
    )
    assert result.last_updated == NOW_UTC
    assert result.skipped == 1
    (v1,) = result.items
    assert (v1.vehicle_id, v1.is_reserved, v1.current_range_meters) == ("v1", True, 16000.0)
    assert v1.last_reported == NOW_UTC
    assert texts(result.problems) == [
        "vehicle_status.json: vehicles[2] (vehicle v3): error: lat 91.0 is out of range [-90, "
        "90]: vehicle dropped"
    ]


def test_vehicle_files_refused_or_empty() -> None:
    empty = parse_vehicle_status(
        doc("vehicles", [], version="3.0", last_updated="2023-11-14T22:13:20Z")
    )
    assert (empty.items, empty.fatal, empty.problems) == ((), False, ())
    no_list = parse_vehicle_status(
        doc("stations", [], version="3.0", last_updated="2023-11-14T22:13:20Z")
    )
    assert texts(no_list.problems) == [
        "vehicle_status.json: error: no data.vehicles or data.bikes array: file refused"
    ]
    all_bad = parse_vehicle_status(doc("bikes", [{"bike_id": "x"}]), file="free_bike_status.json")
    assert all_bad.fatal
    assert texts(all_bad.problems)[-1] == (
        "free_bike_status.json: error: none of the 1 vehicles is valid: file refused"
    )


def test_vehicle_types() -> None:
    rows = [
        {"vehicle_type_id": "a", "form_factor": "bicycle", "propulsion_type": "human"},
        {"vehicle_type_id": "b", "form_factor": "bicycle", "propulsion_type": "electric_assist"},
        {"vehicle_type_id": "c", "form_factor": "scooter_standing", "propulsion_type": "electric"},
        {"vehicle_type_id": "d", "form_factor": "bicycle"},
    ]
    result = parse_vehicle_types(doc("vehicle_types", rows))
    assert [(t.vehicle_type_id, t.bike_kind) for t in result.items] == [
        ("a", "mechanical"),
        ("b", "ebike"),
        ("c", None),
    ]
    assert texts(result.problems) == [
        "vehicle_types.json: vehicle_types[3] (vehicle type d): error: propulsion_type missing: "
        "vehicle type dropped"
    ]


# --------------------------------------------------------------------------------------------
# Discovery


def test_discovery_v3_and_bad_entries() -> None:
    feeds = [
        {"name": "station_status", "url": "https://x/ss"},
        {"name": "station_status", "url": "https://x/other"},
        {"name": "station_information"},
        {"url": "https://x/nameless"},
        "vehicle_status",
    ]
    result = parse_discovery(
        doc("feeds", feeds, version="3.0", last_updated="2023-11-14T22:13:20Z")
    )
    assert not result.fatal
    assert result.language is None
    assert dict(result.feeds) == {"station_status": "https://x/ss"}
    assert texts(result.problems) == [
        "gbfs.json: data.feeds[1]: warning: feed 'station_status' listed twice: the first URL "
        "is kept",
        "gbfs.json: data.feeds[2]: error: url missing for feed 'station_information': feed ignored",
        "gbfs.json: data.feeds[3]: error: name missing: feed ignored",
        "gbfs.json: data.feeds[4]: error: is a string, not an object: feed ignored",
    ]


def test_discovery_refused() -> None:
    nothing = parse_discovery(b'{"last_updated": 1700000000, "ttl": 0, "data": {"en": {}}}')
    assert nothing.fatal
    assert dict(nothing.feeds) == {}
    assert texts(nothing.problems) == [
        "gbfs.json: data.en: warning: not a {feeds: [...]} object: ignored",
        "gbfs.json: error: no feed listed: file refused",
    ]
    assert parse_discovery(b"oops").fatal


def test_problem_str() -> None:
    assert str(Problem("a.json", "", "bad", "warning")) == "a.json: warning: bad"
    assert str(Problem("a.json", "stations[3] (station 7)", "bad")) == (
        "a.json: stations[3] (station 7): error: bad"
    )
