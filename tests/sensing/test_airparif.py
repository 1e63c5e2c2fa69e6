"""Airparif hourly series and station positions: the shipped files and malformed input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import parvis
from parvis.sensing.airparif import (
    CO_DEFINITION,
    MICROGRAM_PER_M3,
    MILLIGRAM_PER_M3,
    NOX_DEFINITION,
    AirparifFormatError,
    Series,
    Station,
    load_shipped,
    missing_stations,
    phenomenon_time,
    read_series,
    read_stations,
)

DATA = Path(parvis.__file__).parent / "data"
PARIS_STATIONS = {
    "PA07", "PA12", "PA13", "PA18", "PA01H", "CELES", "BONAP", "ELYS",
    "OPERA", "HAUS", "BASCH", "AUT", "BP_EST", "SOULT", "EIFF3",
}  # fmt: skip


@pytest.fixture(scope="module")
def shipped() -> tuple[dict[str, Station], tuple[Series, Series]]:
    return load_shipped()


def raw_table(name: str) -> list[list[str]]:
    """The file split by hand (no csv module): the files have no quoted cells."""
    text = (DATA / "airparif" / name).read_bytes().decode("utf-8")
    return [line.split(",") for line in text.split("\r\n") if line]


# --- the shipped series --------------------------------------------------------------------


def test_shipped_series_shape(shipped: tuple[dict[str, Station], tuple[Series, Series]]) -> None:
    _, (nox, co) = shipped
    assert len(nox.stations) == 39
    assert [s.code for s in co.stations] == ["A1", "PA01H"]
    assert len(nox.times) == len(co.times) == 8760
    assert nox.times == co.times
    assert nox.times[0] == datetime(2025, 1, 1, 1, tzinfo=UTC)
    assert nox.times[-1] == datetime(2026, 1, 1, 0, tzinfo=UTC)
    assert all(t.tzinfo is UTC for t in nox.times)
    # Hourly, no gap and no repeated hour (UTC: no DST change inside the file).
    assert {b - a for a, b in zip(nox.times, nox.times[1:], strict=False)} == {timedelta(hours=1)}
    assert all(len(column) == 8760 for column in (*nox.values, *co.values))


def test_shipped_header(shipped: tuple[dict[str, Station], tuple[Series, Series]]) -> None:
    _, (nox, co) = shipped
    nox_raw, co_raw = (
        raw_table("airparif_nox_hourly_2025.csv"),
        raw_table("airparif_co_hourly_2025.csv"),
    )
    assert list(nox.codes) == nox_raw[2][1:]
    assert [s.name for s in nox.stations] == nox_raw[1][1:]
    assert nox.stations[0].name == "Boulevard Soult"
    assert (nox.pollutant_code, nox.pollutant_name) == ("NOX", "oxydes d azote")
    assert (co.pollutant_code, co.pollutant_name) == ("CO", "Monoxyde de carbone")
    assert nox_raw[5][1] == "microg/m3" and co_raw[5][1] == "mg/m3"
    assert nox.unit == MICROGRAM_PER_M3
    assert (nox.unit.code, nox.unit.symbol) == ("ug/m3", "µg/m³")
    assert co.unit == MILLIGRAM_PER_M3
    assert co.unit.as_sta() == {
        "name": "milligram per cubic metre",
        "symbol": "mg/m³",
        "definition": "http://qudt.org/vocab/unit/MilliGM-PER-M3",
    }
    assert nox.observed_property is not None and co.observed_property is not None
    assert nox.observed_property.definition == NOX_DEFINITION
    assert co.observed_property.definition == CO_DEFINITION
    assert NOX_DEFINITION.endswith("/aq/pollutant/9") and CO_DEFINITION.endswith("/pollutant/10")


@pytest.mark.parametrize(
    ("name", "timestamp", "code", "expected"),
    [
        ("airparif_nox_hourly_2025.csv", "2025-01-01 01:00:00Z", "RN20", 50.8),
        ("airparif_nox_hourly_2025.csv", "2025-01-01 01:00:00Z", "PA01H", 15.1),
        ("airparif_nox_hourly_2025.csv", "2025-01-01 01:00:00Z", "SOULT", None),
        ("airparif_nox_hourly_2025.csv", "2025-01-01 01:00:00Z", "ELYS", None),
        ("airparif_nox_hourly_2025.csv", "2025-07-16 14:00:00Z", "RUR-SO", -1.3),
        ("airparif_nox_hourly_2025.csv", "2025-12-31 22:00:00Z", "A1", 415.4),
        ("airparif_nox_hourly_2025.csv", "2026-01-01 00:00:00Z", "PA01H", None),
        ("airparif_co_hourly_2025.csv", "2025-01-01 01:00:00Z", "PA01H", 0.203),
        ("airparif_co_hourly_2025.csv", "2025-01-01 01:00:00Z", "A1", None),
    ],
)
def test_known_values(
    shipped: tuple[dict[str, Station], tuple[Series, Series]],
    name: str,
    timestamp: str,
    code: str,
    expected: float | None,
) -> None:
    series = shipped[1][0] if "nox" in name else shipped[1][1]
    raw = raw_table(name)
    row = next(r for r in raw[6:] if r[0] == timestamp)
    cell = row[raw[2].index(code)]
    assert (float(cell) if cell else None) == expected  # the raw text, read independently
    k = raw[6:].index(row)
    assert series.times[k].strftime("%Y-%m-%d %H:%M:%SZ") == timestamp
    assert series.column(code)[k] == expected


def test_every_raw_cell_parsed(shipped: tuple[dict[str, Station], tuple[Series, Series]]) -> None:
    _, (nox, co) = shipped
    for series, name in (
        (nox, "airparif_nox_hourly_2025.csv"),
        (co, "airparif_co_hourly_2025.csv"),
    ):
        raw = raw_table(name)
        for j, code in enumerate(raw[2][1:], start=1):
            expected = tuple(float(r[j]) if r[j] else None for r in raw[6:])
            assert series.column(code) == expected, code


def test_value_counts(shipped: tuple[dict[str, Station], tuple[Series, Series]]) -> None:
    _, (nox, co) = shipped
    raw = raw_table("airparif_nox_hourly_2025.csv")
    for j, code in enumerate(raw[2][1:], start=1):
        assert nox.count(code) == sum(1 for r in raw[6:] if r[j]), code
        assert nox.count(code) == len(list(nox.observations(code)))
    assert sum(nox.count(c) for c in nox.codes) == 315_443
    # Listed but without a value all year: Boulevard Soult (closed in 2023), Bagnolet (2016).
    assert nox.count("SOULT") == nox.count("BAGN") == 0
    assert nox.count("PA13") == 8719 and nox.count("RN2") == 6808
    assert (co.count("A1"), co.count("PA01H")) == (0, 8699)
    # The last two hours have no value at any station (not yet published).
    assert all(column[-1] is None and column[-2] is None for column in nox.values)
    # Kept as published: 15 slightly negative NOx values, none below -1.3.
    negatives = [v for column in nox.values for v in column if v is not None and v < 0]
    assert len(negatives) == 15 and min(negatives) == -1.3


def test_observations_and_phenomenon_time(
    shipped: tuple[dict[str, Station], tuple[Series, Series]],
) -> None:
    _, (_, co) = shipped
    first = next(co.observations("PA01H"))
    assert first == (datetime(2025, 1, 1, 1, tzinfo=UTC), 0.203)
    assert phenomenon_time(first[0]) == (datetime(2025, 1, 1, tzinfo=UTC), first[0])
    with pytest.raises(KeyError):
        co.column("PA07")


# --- the shipped stations ------------------------------------------------------------------


def _inside(lon: float, lat: float, rings: list[list[list[float]]]) -> bool:
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def test_every_series_station_has_a_position(
    shipped: tuple[dict[str, Station], tuple[Series, Series]],
) -> None:
    stations, (nox, co) = shipped
    assert missing_stations(nox, stations) == ()
    assert missing_stations(co, stations) == ()
    assert set(stations) == set(nox.codes) | set(co.codes)
    for station in stations.values():
        assert 48.1 < station.lat < 49.3 and 1.4 < station.lon < 3.6, station  # Île-de-France
        assert station.source, station
        assert station.typology in {None, "urban", "suburban", "rural-regional"}
    assert stations["PA01H"].name == "PARIS 1er Les Halles"
    assert (stations["PA01H"].lat, stations["PA01H"].lon) == (48.86212, 2.344616)
    assert "FR04055" in stations["PA01H"].source
    assert stations["RUR-SE"].typology == "rural-regional"
    assert stations["EIFF3"].typology is None


def test_paris_stations(shipped: tuple[dict[str, Station], tuple[Series, Series]]) -> None:
    stations, _ = shipped
    assert {code for code, s in stations.items() if s.in_paris} == PARIS_STATIONS
    for code in PARIS_STATIONS:
        s = stations[code]
        assert 48.81 <= s.lat <= 48.91 and 2.22 <= s.lon <= 2.47, code
    # The flag agrees with the 20 arrondissements shipped with Parvis.
    arrondissements = json.loads((DATA / "paris" / "arrondissements.geojson").read_text("utf-8"))
    polygons = [
        [ring for polygon in ([g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"])
         for ring in polygon]
        for g in (f["geometry"] for f in arrondissements["features"])
    ]  # fmt: skip
    for code, s in stations.items():
        in_paris = any(_inside(s.lon, s.lat, rings) for rings in polygons)
        assert in_paris == s.in_paris, code


# --- malformed input -----------------------------------------------------------------------

HEADER = (
    ",AAA:NOX,BBB:NOX\n"
    ",Station A,Station B\n"
    ",AAA,BBB\n"
    ",oxydes d azote,oxydes d azote\n"
    ",NOX,NOX\n"
    ",microg/m3,microg/m3\n"
)
GOOD = HEADER + "2025-01-01 01:00:00Z,12.5,\n2025-01-01 02:00:00Z,,-0.3\n"


def test_small_file() -> None:
    series = read_series(GOOD)
    assert series.codes == ("AAA", "BBB")
    assert series.times == (
        datetime(2025, 1, 1, 1, tzinfo=UTC),
        datetime(2025, 1, 1, 2, tzinfo=UTC),
    )
    assert series.values == ((12.5, None), (None, -0.3))
    assert read_series(HEADER).times == ()  # a header alone is a series with no hour
    assert read_series("\ufeff" + GOOD.replace("\n", "\r\n") + "\r\n").values == series.values


def _error(text: str) -> AirparifFormatError:
    with pytest.raises(AirparifFormatError) as info:
        read_series(text)
    return info.value


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("", 1, None, "truncated header"),
        (HEADER.split("\n", 3)[0] + "\n" + HEADER.split("\n", 3)[1], 3, None, "truncated header"),
        ("\n".join(HEADER.splitlines()[:3]) + "\n", 4, None, "pollutant name row is missing"),
        (HEADER.replace(",microg/m3,microg/m3\n", ""), 6, None, "the unit row is missing"),
        (
            HEADER.replace(",microg/m3,microg/m3\n", "2025-01-01 01:00:00Z,1,2\n"),
            6,
            1,
            "the unit row must start with an empty cell",
        ),
        (HEADER.replace(",AAA,BBB\n", ",AAA\n"), 3, 3, "station code row has 2 columns"),
        (HEADER.replace(",AAA,BBB", ",AAA,AAA"), 3, 3, "appears twice"),
        (HEADER.replace("BBB:NOX", "BBB:NO2"), 1, 3, "does not match"),
        (HEADER.replace(",NOX,NOX", ",NOX,CO"), 5, 3, "one pollutant per file"),
        (HEADER.replace("microg/m3,microg/m3", "ppb,ppb"), 6, None, "unknown unit 'ppb'"),
        (HEADER + "2025-01-01 01:00:00Z,12.5,abc\n", 7, 3, "BBB value 'abc' is not a number"),
        (HEADER + "2025-01-01 01:00:00Z,nan,\n", 7, 2, "not a finite number"),
        (GOOD + "2025-01-01 03:00:00Z,1,2,3\n", 9, 4, "4 columns, the header has 3"),
        (GOOD + "2025-01-01 03:00:00Z,1\n", 9, 3, "2 columns, the header has 3"),
        (HEADER + "01/01/2025 01:00,1,2\n", 7, 1, "is not a UTC timestamp"),
        (HEADER + "2025-01-01 01:00:00,1,2\n", 7, 1, "is not a UTC timestamp"),
        (HEADER + "2025-02-30 01:00:00Z,1,2\n", 7, 1, "not a valid date"),
        (GOOD + "2025-01-01 02:00:00Z,1,2\n", 9, 1, "timestamps must increase"),
        (GOOD.replace("\n2025-01-01 02", "\n\n2025-01-01 02"), 8, None, "empty line"),
        (HEADER + '2025-01-01 01:00:00Z,"1,2\n', 7, None, "bad CSV"),
    ],
)
def test_malformed_series(text: str, line: int, column: int | None, words: str) -> None:
    error = _error(text)
    assert error.line == line
    assert error.column == column
    assert f"line {line}" in str(error)
    if column is not None:
        assert f"column {column}" in str(error)
    assert words in str(error)
    assert isinstance(error, ValueError)


STATIONS = (
    "code,name,lat,lon,typology,in_paris,source\n"
    "AAA,Station A,48.86,2.34,urban,1,somewhere\n"
    "BBB,Station B,48.5,2.6,,0,elsewhere\n"
)


def test_read_stations() -> None:
    stations = read_stations(STATIONS)
    assert stations["AAA"] == Station("AAA", "Station A", 48.86, 2.34, "urban", True, "somewhere")
    assert stations["BBB"].typology is None and not stations["BBB"].in_paris


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty stations file"),
        (STATIONS.replace("in_paris,source", "in_paris"), 1, "header"),
        (STATIONS.replace("48.5,", "north,"), 3, "latitude 'north' is not a number"),
        (STATIONS.replace("48.5,", "98.5,"), 3, "latitude 98.5 is out of range"),
        (STATIONS.replace(",0,", ",no,"), 3, "in_paris must be 0 or 1"),
        (STATIONS.replace("BBB", "AAA"), 3, "appears twice"),
        (STATIONS + "CCC,Station C,48.5,2.6\n", 4, "4 columns, the header has 7"),
    ],
)
def test_malformed_stations(text: str, line: int, words: str) -> None:
    with pytest.raises(AirparifFormatError) as info:
        read_stations(text)
    assert info.value.line == line
    assert f"line {line}" in str(info.value)
    assert words in str(info.value)
