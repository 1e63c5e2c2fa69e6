"""Airparif hourly series and station positions: a pure parser (standard library only).

Shipped files (in `parvis/data/airparif/`, see data/README.md; ODbL 1.0, « Source : Airparif »):

- `airparif_nox_hourly_2025.csv`: hourly NOx (µg/m³, expressed as NO2) at 39 Île-de-France
  stations, 8,760 hours;
- `airparif_co_hourly_2025.csv`: hourly CO (mg/m³) at 2 stations (A1, PA01H), same layout;
- `stations.csv`: `code,name,lat,lon,typology,in_paris,source`, one row per station code of the
  two series. Positions come from the national station referential (LCSQA/INERIS "Dataset D"),
  matched to Airparif's short codes by station name; `typology` is that referential's area
  classification (`urban`, `suburban`, `rural-regional`), empty when not known.

A series file is Airparif's open-data export: six header rows, then one row per hour.

    ,SOULT:NOX,RN20:NOX,...        id `CODE:POLLUTANT` per column
    ,Boulevard Soult,...           station name
    ,SOULT,RN20,...                station code
    ,oxydes d azote,...            pollutant name
    ,NOX,NOX,...                   pollutant code
    ,microg/m3,microg/m3,...       unit
    2025-01-01 01:00:00Z,,50.8,... UTC timestamp, then one value per station (empty: missing)

A timestamp is the end of its one-hour averaging period: the 2025 files run from
`2025-01-01 01:00:00Z` (the hour 00:00-01:00 UTC) to `2026-01-01 00:00:00Z`. Use
`phenomenon_time` for the STA interval. The timestamps are UTC, so there is no DST gap or
repeated hour. Values are kept as published: a few are slightly negative (analyser noise around
zero, e.g. -1.3 µg/m³ NOx); a column may have no value at all (a closed station still listed).

Any departure from that layout raises `AirparifFormatError` naming the line and column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Final

ATTRIBUTION: Final = "Source : Airparif"
LICENCE: Final = "ODbL-1.0"
PERIOD: Final = timedelta(hours=1)  # the averaging period ending at each timestamp

NOX_FILE: Final = "airparif_nox_hourly_2025.csv"
CO_FILE: Final = "airparif_co_hourly_2025.csv"
STATIONS_FILE: Final = "stations.csv"
STATIONS_HEADER: Final = ("code", "name", "lat", "lon", "typology", "in_paris", "source")

# EEA air-quality pollutant vocabulary: 9 is "NOX as NO2" (µg/m³), 10 is "CO" (mg/m³).
NOX_DEFINITION: Final = "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/9"
CO_DEFINITION: Final = "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/10"

HEADER_ROWS: Final = 6
_HEADER_LABELS: Final = (
    "id (CODE:POLLUTANT)",
    "station name",
    "station code",
    "pollutant name",
    "pollutant code",
    "unit",
)
_TIMESTAMP: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})Z")


class AirparifFormatError(ValueError):
    """A file that does not follow the expected layout; `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit of measurement: UCUM-like `code`, display `symbol`, QUDT `definition`."""

    code: str
    symbol: str
    name: str
    definition: str

    def as_sta(self) -> dict[str, str]:
        """The STA `unitOfMeasurement` object of a Datastream."""
        return {"name": self.name, "symbol": self.symbol, "definition": self.definition}


MICROGRAM_PER_M3: Final = Unit(
    "ug/m3", "µg/m³", "microgram per cubic metre", "http://qudt.org/vocab/unit/MicroGM-PER-M3"
)
MILLIGRAM_PER_M3: Final = Unit(
    "mg/m3", "mg/m³", "milligram per cubic metre", "http://qudt.org/vocab/unit/MilliGM-PER-M3"
)
# Unit labels of the Airparif files (and obvious spellings of the same units).
UNITS: Final[Mapping[str, Unit]] = {
    "microg/m3": MICROGRAM_PER_M3,
    "µg/m3": MICROGRAM_PER_M3,
    "µg/m³": MICROGRAM_PER_M3,
    "ug/m3": MICROGRAM_PER_M3,
    "mg/m3": MILLIGRAM_PER_M3,
    "mg/m³": MILLIGRAM_PER_M3,
}


@dataclass(frozen=True, slots=True)
class ObservedProperty:
    """What a series measures, for the STA ObservedProperty."""

    code: str
    name: str
    definition: str
    description: str


NOX: Final = ObservedProperty(
    "NOX",
    "NOx",
    NOX_DEFINITION,
    "Nitrogen oxides (NO + NO2), mass concentration expressed as NO2",
)
CO: Final = ObservedProperty("CO", "CO", CO_DEFINITION, "Carbon monoxide, mass concentration")
OBSERVED_PROPERTIES: Final[Mapping[str, ObservedProperty]] = {"NOX": NOX, "CO": CO}


@dataclass(frozen=True, slots=True)
class Station:
    """A measuring station with its position (WGS84) and where that position comes from."""

    code: str
    name: str
    lat: float
    lon: float
    typology: str | None
    in_paris: bool
    source: str = ""


@dataclass(frozen=True, slots=True)
class SeriesStation:
    """A station column of a series file."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Series:
    """One pollutant at several stations. `values[i][k]` is station i at `times[k]` (None:
    missing); `times` are aware UTC datetimes, strictly increasing, each the end of its hour."""

    pollutant_code: str
    pollutant_name: str
    unit: Unit
    stations: tuple[SeriesStation, ...]
    times: tuple[datetime, ...]
    values: tuple[tuple[float | None, ...], ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.stations)

    @property
    def observed_property(self) -> ObservedProperty | None:
        return OBSERVED_PROPERTIES.get(self.pollutant_code)

    def column(self, code: str) -> tuple[float | None, ...]:
        """The values of one station, aligned with `times`; KeyError if it is not in the file."""
        for station, values in zip(self.stations, self.values, strict=True):
            if station.code == code:
                return values
        raise KeyError(code)

    def count(self, code: str) -> int:
        """How many hours of one station have a value."""
        return sum(v is not None for v in self.column(code))

    def observations(self, code: str) -> Iterator[tuple[datetime, float]]:
        """(end of hour, value) for the hours of one station that have a value."""
        for time, value in zip(self.times, self.column(code), strict=True):
            if value is not None:
                yield time, value


def phenomenon_time(end: datetime) -> tuple[datetime, datetime]:
    """The averaging interval `[end - 1 h, end]` of a value stamped `end`."""
    return end - PERIOD, end


def parse_timestamp(text: str) -> datetime:
    """`2025-01-01 01:00:00Z` (or with `T`) as an aware UTC datetime; ValueError otherwise."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a UTC timestamp like '2025-01-01 01:00:00Z'")
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date and time: {exc}") from None


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) per CSV record; trailing blank lines are ignored."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    blank: int | None = None
    try:
        for cells in reader:
            if not cells:
                blank = blank or reader.line_num
                continue
            if blank is not None:
                raise AirparifFormatError("empty line", blank)
            yield reader.line_num, cells
    except csv.Error as exc:
        raise AirparifFormatError(f"bad CSV: {exc}", reader.line_num) from None


def _number(cell: str, line: int, column: int, what: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise AirparifFormatError(f"{what} {cell!r} is not a number", line, column) from None
    if not math.isfinite(value):
        raise AirparifFormatError(f"{what} {cell!r} is not a finite number", line, column)
    return value


def _same(cells: list[str], line: int, label: str) -> str:
    """The value shared by every station column of a header row."""
    first = cells[1]
    if not first:
        raise AirparifFormatError(f"empty {label}", line, 2)
    for j, cell in enumerate(cells[1:], start=2):
        if cell != first:
            raise AirparifFormatError(
                f"{label} {cell!r} differs from {first!r} (one pollutant per file)", line, j
            )
    return first


def _header(rows: list[tuple[int, list[str]]]) -> tuple[list[SeriesStation], str, str, Unit]:
    first_line, ids = rows[0]
    width = len(ids)
    if width < 2:
        raise AirparifFormatError("the header needs at least one station column", first_line)
    for (line, cells), label in zip(rows, _HEADER_LABELS, strict=True):
        if len(cells) != width:
            raise AirparifFormatError(
                f"the {label} row has {len(cells)} columns, the id row {width}",
                line,
                min(len(cells), width) + 1,
            )
        if cells[0].strip():
            raise AirparifFormatError(
                f"the {label} row must start with an empty cell, not {cells[0]!r}", line, 1
            )
    (_, names_row), (codes_line, codes), (_, pnames), (pcodes_line, pcodes) = rows[1:5]
    units_line, units = rows[5]
    pollutant_code = _same(pcodes, pcodes_line, "pollutant code")
    pollutant_name = _same(pnames, rows[3][0], "pollutant name")
    label = _same(units, units_line, "unit")
    unit = UNITS.get(label)
    if unit is None:
        raise AirparifFormatError(f"unknown unit {label!r} (known: {', '.join(UNITS)})", units_line)
    stations: list[SeriesStation] = []
    seen: set[str] = set()
    for j in range(1, width):
        code = codes[j].strip()
        if not code:
            raise AirparifFormatError("empty station code", codes_line, j + 1)
        if code in seen:
            raise AirparifFormatError(f"station code {code!r} appears twice", codes_line, j + 1)
        seen.add(code)
        if ids[j] != f"{code}:{pollutant_code}":
            raise AirparifFormatError(
                f"id {ids[j]!r} does not match station {code!r} and pollutant "
                f"{pollutant_code!r} (expected {code}:{pollutant_code})",
                first_line,
                j + 1,
            )
        stations.append(SeriesStation(code, names_row[j].strip()))
    return stations, pollutant_code, pollutant_name, unit


def read_series(text: str) -> Series:
    """Parse one Airparif hourly CSV (see the module docstring for the layout)."""
    rows = _rows(text)
    header: list[tuple[int, list[str]]] = []
    for row in rows:
        header.append(row)
        if len(header) == HEADER_ROWS:
            break
    if len(header) < HEADER_ROWS:
        line = header[-1][0] + 1 if header else 1
        missing = _HEADER_LABELS[len(header)]
        raise AirparifFormatError(
            f"truncated header: {len(header)} of {HEADER_ROWS} header rows, "
            f"the {missing} row is missing",
            line,
        )
    stations, pollutant_code, pollutant_name, unit = _header(header)
    width = len(stations) + 1
    times: list[datetime] = []
    columns: list[list[float | None]] = [[] for _ in stations]
    for line, cells in rows:
        if len(cells) != width:
            raise AirparifFormatError(
                f"{len(cells)} columns, the header has {width}", line, min(len(cells), width) + 1
            )
        try:
            time = parse_timestamp(cells[0].strip())
        except ValueError as exc:
            raise AirparifFormatError(str(exc), line, 1) from None
        if times and time <= times[-1]:
            raise AirparifFormatError(
                f"timestamp {cells[0]!r} does not follow {times[-1]:%Y-%m-%d %H:%M:%SZ} "
                "(timestamps must increase)",
                line,
                1,
            )
        times.append(time)
        for j, (cell, column) in enumerate(zip(cells[1:], columns, strict=True), start=2):
            cell = cell.strip()
            column.append(
                None if not cell else _number(cell, line, j, f"{stations[j - 2].code} value")
            )
    return Series(
        pollutant_code=pollutant_code,
        pollutant_name=pollutant_name,
        unit=unit,
        stations=tuple(stations),
        times=tuple(times),
        values=tuple(tuple(column) for column in columns),
    )


def read_stations(text: str) -> dict[str, Station]:
    """Parse `stations.csv` (`code,name,lat,lon,typology,in_paris,source`), keyed by code."""
    rows = _rows(text)
    first = next(rows, None)
    if first is None:
        raise AirparifFormatError("empty stations file", 1)
    line, header = first
    if tuple(h.strip() for h in header) != STATIONS_HEADER:
        raise AirparifFormatError(
            f"header {','.join(header)!r} is not {','.join(STATIONS_HEADER)!r}", line
        )
    stations: dict[str, Station] = {}
    for line, cells in rows:
        if len(cells) != len(STATIONS_HEADER):
            raise AirparifFormatError(
                f"{len(cells)} columns, the header has {len(STATIONS_HEADER)}",
                line,
                min(len(cells), len(STATIONS_HEADER)) + 1,
            )
        code, name, lat_text, lon_text, typology, in_paris, source = (c.strip() for c in cells)
        if not code:
            raise AirparifFormatError("empty station code", line, 1)
        if code in stations:
            raise AirparifFormatError(f"station code {code!r} appears twice", line, 1)
        lat = _number(lat_text, line, 3, "latitude")
        lon = _number(lon_text, line, 4, "longitude")
        if not -90 <= lat <= 90:
            raise AirparifFormatError(f"latitude {lat} is out of range", line, 3)
        if not -180 <= lon <= 180:
            raise AirparifFormatError(f"longitude {lon} is out of range", line, 4)
        if in_paris not in ("0", "1"):
            raise AirparifFormatError(f"in_paris must be 0 or 1, not {in_paris!r}", line, 6)
        stations[code] = Station(code, name, lat, lon, typology or None, in_paris == "1", source)
    return stations


def missing_stations(series: Series, stations: Mapping[str, Station]) -> tuple[str, ...]:
    """The station codes of a series that have no position."""
    return tuple(code for code in series.codes if code not in stations)


def _shipped_text(name: str) -> str:
    return (files("parvis") / "data" / "airparif" / name).read_bytes().decode("utf-8")


def load_shipped() -> tuple[dict[str, Station], tuple[Series, Series]]:
    """The shipped stations and the 2025 series: `(stations, (nox, co))`."""
    stations = read_stations(_shipped_text(STATIONS_FILE))
    return stations, (read_series(_shipped_text(NOX_FILE)), read_series(_shipped_text(CO_FILE)))
