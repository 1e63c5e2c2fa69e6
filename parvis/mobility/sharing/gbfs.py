"""Read GBFS (General Bikeshare Feed Specification) files, v1.0 to v3.x, into frozen records.

Pure: the standard library only, no database, no HTTP. Each `parse_*` function takes the bytes
(or text, or an already decoded dict) of one file and returns a `FeedResult` (or a
`Discovery` for `gbfs.json`); `parse_snapshot` takes several files (name -> content, as
fetched over HTTP) and cross-checks them; `read_snapshot` does the same for a folder.

What is read, whatever the version:

- `station_information.json` -> `Station`; a v3 `name` is a list of localized strings (one is
  chosen with `language`), a v1/v2 `name` is a string.
- `station_status.json` -> `StationStatus`; `num_bikes_available` (v1/v2) or
  `num_vehicles_available` (v3); booleans as JSON booleans (v2+, v3) or 0/1 (v1).
- `free_bike_status.json` (v1/v2, `bikes[].bike_id`) or `vehicle_status.json` (v3,
  `vehicles[].vehicle_id`) -> `Vehicle`, free-floating vehicles only: since v2.1 these files
  may also list vehicles docked at a station (with a `station_id`); those are counted in
  `FeedResult.skipped`, not returned (the station status already counts them).
- `vehicle_types.json` (v2.1+) -> `VehicleType`, used to tell mechanical bikes from e-bikes.
- `gbfs.json` -> `Discovery` (feed name -> URL; v1/v2 per language, v3 a single list).
- Timestamps: POSIX seconds (v1/v2) or RFC 3339 strings (v3) -> aware UTC datetimes.

Vélib' Métropole quirks handled: `station_id` as a JSON number (made a string), no
`last_updated` but `lastUpdatedOther`, camelCase duplicates (`numBikesAvailable`,
`numDocksAvailable`; the snake_case field wins), `stationCode` (used as `short_name` when
there is none), `num_bikes_available_types` as `[{"mechanical": n}, {"ebike": n}]` (or a
dict), `station_opening_hours: null`, and names double-encoded as UTF-8 read as Windows-1252
("CharlÃƒÂ©ty", repaired to "Charléty"). A file is read leniently whatever version it
declares; a shape that does not match the declared version is reported once per file as a
warning (with a count), not once per row.

Problems (`Problem`, located by file and row) come in three kinds:

- **fatal** (`Problem.fatal`, severity "error"): the file is refused as a whole and the result
  holds no records: not UTF-8, not JSON, top level not an object, no `data` object, no list
  of stations / vehicles / feeds, an empty station list, or no valid row at all in a
  non-empty list. For a snapshot: no station or vehicle file at all, or an unreadable file.
- **error**: one row (or one feed entry) is dropped, the rest is kept: a missing or invalid
  required field (`station_id`, `name`, `lat`, `lon`, the bike count, the three booleans,
  `is_reserved`/`is_disabled`, `lat`/`lon` of a free-floating vehicle), a negative count,
  lat/lon out of range or at (0, 0), a duplicate id (the first row is kept).
- **warning**: everything is kept (at most one optional value is ignored): `ttl` or
  `last_updated` missing, an invalid optional value (`capacity`, `last_reported`,
  per-type counts...), bikes + docks > capacity, a status for a station missing from
  `station_information.json` (that status is left out of the snapshot), a station without a
  status, counts per type that do not add up, version-shape mismatches.

Callers decide: `result.fatal` means "do not import this file"; `result.has_errors` means
"some rows were dropped".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, Literal, TypeVar

Severity = Literal["error", "warning"]
BikeKind = Literal["mechanical", "ebike"]
Raw = bytes | str | Mapping[str, Any]
T = TypeVar("T")

STATION_INFORMATION = "station_information.json"
STATION_STATUS = "station_status.json"
FREE_BIKE_STATUS = "free_bike_status.json"
VEHICLE_STATUS = "vehicle_status.json"
VEHICLE_TYPES = "vehicle_types.json"
GBFS = "gbfs.json"

LITERAL_BIKE_KINDS: Mapping[str, BikeKind] = MappingProxyType(
    {"mechanical": "mechanical", "ebike": "ebike"}
)
"""Vehicle type ids that name their kind themselves (Vélib' style), matched case-insensitively."""


# --------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file. `where` locates it in the file (`stations[12] (station
    42)`, `data.en.feeds[3]`...; "" for the whole file). `fatal`: the file was refused."""

    file: str
    where: str
    message: str
    severity: Severity = "error"
    fatal: bool = False

    def __str__(self) -> str:
        where = f"{self.file}: {self.where}" if self.where else self.file
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Station:
    """A station from `station_information.json`. `short_name` is the feed's `short_name`, or
    its `stationCode` (Vélib', the number shown on the station) when there is none.
    `rental_methods` are lowercased (GBFS 1.x wrote them in capitals). `opening_hours` is
    `station_opening_hours` (v3, OSM opening_hours syntax)."""

    station_id: str
    name: str
    lat: float
    lon: float
    capacity: int | None = None
    short_name: str | None = None
    address: str | None = None
    is_virtual: bool = False
    rental_methods: tuple[str, ...] = ()
    opening_hours: str | None = None


@dataclass(frozen=True, slots=True)
class StationStatus:
    """Availability at one station (`station_status.json`). `bikes_available` is every
    vehicle available (`num_bikes_available`, or v3 `num_vehicles_available`);
    `mechanical`/`ebike` split it when the feed says so (None when unknown). `docks_available`
    is None for stations without docks (virtual or valet stations, GBFS 2.0+)."""

    station_id: str
    bikes_available: int
    docks_available: int | None
    mechanical: int | None
    ebike: int | None
    is_installed: bool
    is_renting: bool
    is_returning: bool
    last_reported: datetime | None
    bikes_disabled: int | None = None
    docks_disabled: int | None = None


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A free-floating vehicle (not at a station) from `free_bike_status.json` (`bike_id`) or
    `vehicle_status.json` (`vehicle_id`). Its id is rotated after each trip (GBFS 2.0+): do
    not use it to follow a vehicle."""

    vehicle_id: str
    lat: float
    lon: float
    is_reserved: bool
    is_disabled: bool
    vehicle_type_id: str | None = None
    current_range_meters: float | None = None
    last_reported: datetime | None = None


@dataclass(frozen=True, slots=True)
class VehicleType:
    """A vehicle type from `vehicle_types.json` (GBFS 2.1+)."""

    vehicle_type_id: str
    form_factor: str
    propulsion_type: str
    name: str | None = None
    max_range_meters: float | None = None

    @property
    def bike_kind(self) -> BikeKind | None:
        """'mechanical' for a human-powered bicycle, 'ebike' for an electric one, else None
        (scooters, cars, mopeds...)."""
        if self.form_factor not in ("bicycle", "cargo_bicycle"):
            return None
        if self.propulsion_type == "human":
            return "mechanical"
        if self.propulsion_type in ("electric_assist", "electric"):
            return "ebike"
        return None


@dataclass(frozen=True, slots=True)
class FeedResult(Generic[T]):
    """The records of one file, its header and its problems. When `fatal`, `items` is empty.
    `skipped`: rows left out on purpose, not errors (vehicles docked at a station)."""

    file: str
    items: tuple[T, ...]
    version: str | None
    last_updated: datetime | None
    ttl: int | None
    problems: tuple[Problem, ...]
    skipped: int = 0

    @property
    def fatal(self) -> bool:
        return any(p.fatal for p in self.problems)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


@dataclass(frozen=True, slots=True)
class Discovery:
    """`gbfs.json`: the feeds of a system. `feeds` maps feed name (`station_status`...) to URL
    for `language` (v1/v2 publish one list per language; v3 a single list, `language` None).
    `feeds_by_language` has every language (v3: one entry under "")."""

    file: str
    version: str | None
    last_updated: datetime | None
    ttl: int | None
    language: str | None
    feeds: Mapping[str, str]
    feeds_by_language: Mapping[str, Mapping[str, str]]
    problems: tuple[Problem, ...]

    @property
    def fatal(self) -> bool:
        return any(p.fatal for p in self.problems)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def url(self, name: str) -> str | None:
        return self.feeds.get(name)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What `parse_snapshot` / `read_snapshot` found. `statuses` maps station_id to status
    (only stations of `stations` when station_information was read). `version` is the
    declared GBFS version (None when no file declares one: GBFS 1.0 has no `version` field,
    Vélib' omits it). `last_updated` is the one of the live counts (`station_status.json`,
    else the vehicles file, else `station_information.json`). `files` lists the files read;
    `source` (a folder or URL) names the whole snapshot in problems."""

    source: str
    stations: tuple[Station, ...]
    statuses: Mapping[str, StationStatus]
    vehicles: tuple[Vehicle, ...]
    vehicle_types: tuple[VehicleType, ...]
    version: str | None
    last_updated: datetime | None
    discovery: Discovery | None
    files: tuple[str, ...]
    problems: tuple[Problem, ...]

    @property
    def fatal(self) -> bool:
        return any(p.fatal for p in self.problems)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


# --------------------------------------------------------------------------------------------
# Reading context: problems, and quirks reported once per file


class _Refused(Exception):
    """The file cannot be used at all (the fatal problem is already recorded)."""


class _Context:
    def __init__(self, file: str, language: str | None = None) -> None:
        self.file = file
        self.language = language
        self.version: str | None = None
        self.major: int | None = None
        self.problems: list[Problem] = []
        self._quirks: dict[str, list[Any]] = {}  # message -> [count, first where]

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message, "error"))

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message, "warning"))

    def refuse(self, message: str) -> _Refused:
        self.problems.append(Problem(self.file, "", f"{message}: file refused", "error", True))
        return _Refused(message)

    def quirk(self, where: str, message: str) -> None:
        """A tolerated deviation, reported once per file with a count."""
        seen = self._quirks.setdefault(message, [0, where])
        seen[0] += 1

    def finish(self) -> tuple[Problem, ...]:
        for message, (count, where) in self._quirks.items():
            if not where:
                text = message
            elif count == 1:
                text = f"{message} (at {where})"
            else:
                text = f"{message} ({count} times, first at {where})"
            self.problems.append(Problem(self.file, "", text, "warning"))
        self._quirks.clear()
        return tuple(self.problems)

    @property
    def label(self) -> str:
        return f"GBFS {self.version}" if self.version else "GBFS"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _load(raw: Raw, ctx: _Context) -> Mapping[str, Any]:
    """The top-level object of a file, or _Refused."""
    if isinstance(raw, Mapping):
        doc: object = raw
    else:
        if isinstance(raw, bytes | bytearray):
            try:
                text = bytes(raw).decode("utf-8-sig")
            except UnicodeDecodeError as e:
                raise ctx.refuse(f"not UTF-8 text ({e.reason} at byte {e.start})") from None
        else:
            text = raw.removeprefix("\ufeff")
        try:
            doc = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as e:
            raise ctx.refuse(f"not JSON ({e.msg} at line {e.lineno} column {e.colno})") from None
        except (ValueError, RecursionError) as e:
            raise ctx.refuse(f"not JSON ({e})") from None
    if not isinstance(doc, Mapping):
        raise ctx.refuse(f"the top level is {_json_type(doc)}, not an object")
    return doc


def _header(doc: Mapping[str, Any], ctx: _Context) -> tuple[datetime | None, int | None]:
    """Reads `version` (into ctx), `last_updated` and `ttl`."""
    version = doc.get("version")
    if isinstance(version, str) and version.strip():
        ctx.version = version.strip()
        match = re.match(r"\d+", ctx.version)
        ctx.major = int(match.group()) if match else None
    elif version is not None:
        ctx.warn("", f"version is {_json_type(version)}, not a version string: ignored")

    last_updated: datetime | None = None
    if "last_updated" in doc:
        last_updated = _timestamp(doc["last_updated"], ctx, "", "last_updated")
    elif "lastUpdatedOther" in doc:
        ctx.warn("", "last_updated missing: the non-standard lastUpdatedOther was used")
        last_updated = _timestamp(doc["lastUpdatedOther"], ctx, "", "lastUpdatedOther")
    else:
        ctx.warn("", "last_updated missing: the time of the data is unknown")

    ttl: int | None = None
    if "ttl" not in doc:
        ctx.warn("", "ttl missing")
    else:
        ttl = _int(doc["ttl"])
        if ttl is None or ttl < 0:
            ctx.warn("", f"ttl {doc['ttl']!r} is not a non-negative integer: ignored")
            ttl = None
    return last_updated, ttl


def _data(doc: Mapping[str, Any], ctx: _Context) -> Mapping[str, Any]:
    if "data" not in doc:
        raise ctx.refuse("no data object")
    data = doc["data"]
    if not isinstance(data, Mapping):
        raise ctx.refuse(f"data is {_json_type(data)}, not an object")
    return data


def _list(data: Mapping[str, Any], keys: Sequence[str], ctx: _Context) -> list[Any]:
    for key in keys:
        if key in data:
            rows = data[key]
            if not isinstance(rows, list):
                raise ctx.refuse(f"data.{key} is {_json_type(rows)}, not an array")
            return rows
    names = " or ".join(f"data.{k}" for k in keys)
    raise ctx.refuse(f"no {names} array")


# --------------------------------------------------------------------------------------------
# Values


def _int(value: object) -> int | None:
    """An integer (an integral float such as 12.0 is accepted), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _timestamp(value: object, ctx: _Context, where: str, field: str) -> datetime | None:
    """POSIX seconds (v1/v2) or an RFC 3339 string (v3) -> an aware UTC datetime; else a
    warning and None. Either form is accepted whatever the version (with a quirk warning)."""
    result: datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
        if math.isfinite(seconds) and seconds >= 0:
            if seconds > 1e11:  # about year 5138 in seconds: these are milliseconds
                ctx.quirk(where, f"{field} is in milliseconds, not seconds: divided by 1000")
                seconds /= 1000
            try:
                result = datetime.fromtimestamp(seconds, UTC)
            except (OverflowError, OSError, ValueError):
                result = None
        if result is not None and ctx.major is not None and ctx.major >= 3:
            ctx.quirk(where, f"{field} is POSIX seconds, not an RFC 3339 string ({ctx.label})")
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().upper())
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            result = parsed.astimezone(UTC)
        if result is not None and ctx.major is not None and ctx.major < 3:
            ctx.quirk(where, f"{field} is an RFC 3339 string, not POSIX seconds ({ctx.label})")
    if result is None:
        ctx.warn(
            where,
            f"{field} {value!r} is not a timestamp (POSIX seconds, or RFC 3339 with an "
            "offset): ignored",
        )
    return result


def _flag(value: object, ctx: _Context, where: str, field: str) -> bool | None:
    """A JSON boolean (v2+) or 0/1 (v1), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        if ctx.major is not None and ctx.major >= 2:
            ctx.quirk(where, f"{field} is 0/1, not a JSON boolean ({ctx.label})")
        return bool(value)
    return None


def _id(value: object, ctx: _Context, where: str, field: str) -> str | None:
    """An ID: a non-empty string; a JSON number is accepted (quirk) and made a string."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int) and not isinstance(value, bool):
        ctx.quirk(where, f"{field} is a number, not a string: converted")
        return str(value)
    return None


_MOJIBAKE = re.compile("[ÃÂÅâ][\u0080-\u00bf\u0152-\u02dc\u2013-\u2122 ]")


def _repair(text: str) -> str:
    """Undo UTF-8 that was read as Windows-1252 (possibly twice): 'CharlÃƒÂ©ty' -> 'Charléty'.
    A string is changed only when re-encoding it gives valid UTF-8."""
    if not _MOJIBAKE.search(text):
        return text
    repaired = text
    for _ in range(3):
        try:
            candidate = repaired.encode("cp1252").decode("utf-8")
        except UnicodeError:
            try:
                candidate = repaired.encode("latin-1").decode("utf-8")
            except UnicodeError:
                break
        if candidate == repaired:
            break
        repaired = candidate
    if repaired != text:
        # 'à' is C3 A0: its no-break space often ends up a plain space, leaving "Ã ".
        repaired = re.sub("Ã +", "à ", repaired)
    return repaired


def _text(
    value: object, ctx: _Context, where: str, field: str, localized: bool = True
) -> tuple[bool, str | None]:
    """A display text: a string, or for a `localized` field (v3 `name`, `short_name`) a list
    of localized strings, one chosen by language. Returns (valid, text); (True, None) for an
    absent value (null or an empty list)."""
    text: str | None
    if value is None:
        return True, None
    if isinstance(value, str):
        if localized and ctx.major is not None and ctx.major >= 3:
            ctx.quirk(where, f"{field} is a string, not a list of localized strings ({ctx.label})")
        text = value
    elif isinstance(value, list) and localized:
        if ctx.major is not None and ctx.major < 3:
            ctx.quirk(where, f"{field} is a list of localized strings ({ctx.label})")
        texts: list[tuple[str, str]] = []
        for item in value:
            if not isinstance(item, Mapping) or not isinstance(item.get("text"), str):
                return False, None
            language = item.get("language")
            texts.append((language if isinstance(language, str) else "", item["text"]))
        if not texts:
            return True, None
        text = _choose_language(texts, ctx.language)
    else:
        return False, None
    repaired = _repair(text).strip()
    if repaired != text.strip():
        ctx.quirk(where, f"{field} was mis-encoded (UTF-8 read as Windows-1252): repaired")
    return True, repaired or None


def _choose_language(texts: Sequence[tuple[str, str]], language: str | None) -> str:
    """The text in `language` (exact, then same primary subtag: 'fr' matches 'fr-FR'), else
    the first one."""
    if language:
        wanted = language.lower()
        for lang, text in texts:
            if lang.lower() == wanted:
                return text
        for lang, text in texts:
            if lang.lower().split("-")[0] == wanted.split("-")[0]:
                return text
    return texts[0][1]


def _position(
    row: Mapping[str, Any], ctx: _Context, where: str, what: str
) -> tuple[float, float] | None:
    """lat/lon of a row, or None after reporting why (errors: the row is dropped)."""
    ok = True
    values: dict[str, float] = {}
    for field, limit in (("lat", 90.0), ("lon", 180.0)):
        if field not in row or row[field] is None:
            ctx.error(where, f"{field} missing: {what} dropped")
            ok = False
            continue
        number = _number(row[field])
        if number is None:
            ctx.error(where, f"{field} {row[field]!r} is not a number: {what} dropped")
            ok = False
        elif not -limit <= number <= limit:
            ctx.error(
                where, f"{field} {number} is out of range [-{limit:g}, {limit:g}]: {what} dropped"
            )
            ok = False
        else:
            values[field] = number
    if not ok:
        return None
    if values["lat"] == 0 and values["lon"] == 0:
        ctx.error(where, f"lat/lon is (0, 0), a placeholder, not a position: {what} dropped")
        return None
    return values["lat"], values["lon"]


def _pick(
    row: Mapping[str, Any], names: Sequence[str], fallback: str | None, ctx: _Context, where: str
) -> tuple[str, object] | None:
    """The first present (non-null) field among `names`, else the camelCase `fallback` (with a
    quirk); a fallback that disagrees with the standard field is a warning."""
    for name in names:
        if row.get(name) is not None:
            if fallback and row.get(fallback) is not None and row[fallback] != row[name]:
                ctx.warn(
                    where,
                    f"{fallback} {row[fallback]!r} differs from {name} {row[name]!r}: {name} used",
                )
            return name, row[name]
    if fallback and row.get(fallback) is not None:
        ctx.quirk(where, f"{names[0]} missing: the non-standard {fallback} was used")
        return fallback, row[fallback]
    return None


def _where(kind: str, index: int, ident: str | None = None, noun: str = "station") -> str:
    return f"{kind}[{index}] ({noun} {ident})" if ident else f"{kind}[{index}]"


def _row_id(
    row: Mapping[str, Any], keys: Sequence[str], ctx: _Context, kind: str, index: int, what: str
) -> str | None:
    """The row's id (first of `keys` present), or None after an error."""
    where = _where(kind, index)
    for key in keys:
        if key in row and row[key] is not None:
            ident = _id(row[key], ctx, where, key)
            if ident is None:
                ctx.error(where, f"{key} {row[key]!r} is not an ID: {what} dropped")
            return ident
    ctx.error(where, f"{keys[0]} missing: {what} dropped")
    return None


def _finish(
    ctx: _Context,
    file: str,
    items: list[T],
    last_updated: datetime | None,
    ttl: int | None,
    skipped: int = 0,
) -> FeedResult[T]:
    return FeedResult(file, tuple(items), ctx.version, last_updated, ttl, ctx.finish(), skipped)


def _refused(ctx: _Context, file: str) -> FeedResult[Any]:
    return FeedResult(file, (), ctx.version, None, None, ctx.finish())


# --------------------------------------------------------------------------------------------
# station_information.json


def parse_station_information(
    raw: Raw, *, file: str = STATION_INFORMATION, language: str | None = None
) -> FeedResult[Station]:
    """Stations of a `station_information.json` (bytes, JSON text or decoded dict). `file`
    names the source in problems (a path or URL); `language` picks the v3 localized name."""
    ctx = _Context(file, language)
    try:
        doc = _load(raw, ctx)
        last_updated, ttl = _header(doc, ctx)
        rows = _list(_data(doc, ctx), ("stations",), ctx)
        if not rows:
            raise ctx.refuse("data.stations is empty")
        stations: list[Station] = []
        first: dict[str, int] = {}
        for index, row in enumerate(rows):
            station = _station(row, index, ctx, first)
            if station is not None:
                stations.append(station)
        if not stations:
            raise ctx.refuse(f"none of the {len(rows)} stations is valid")
    except _Refused:
        return _refused(ctx, file)
    return _finish(ctx, file, stations, last_updated, ttl)


def _station(row: object, index: int, ctx: _Context, first: dict[str, int]) -> Station | None:
    if not isinstance(row, Mapping):
        ctx.error(_where("stations", index), f"is {_json_type(row)}, not an object: dropped")
        return None
    sid = _row_id(row, ("station_id",), ctx, "stations", index, "station")
    if sid is None:
        return None
    where = _where("stations", index, sid)
    if sid in first:
        ctx.error(where, f"duplicate station_id (first at stations[{first[sid]}]): dropped")
        return None

    name: str | None = None
    if row.get("name") is None:
        ctx.error(where, "name missing: station dropped")
    else:
        valid, name = _text(row["name"], ctx, where, "name")
        if not valid:
            ctx.error(where, f"name {row['name']!r} is not a text: station dropped")
        elif name is None:
            ctx.error(where, "name is empty: station dropped")
    position = _position(row, ctx, where, "station")
    if position is None or name is None:
        return None
    first[sid] = index  # only kept rows count as "first": a dropped row hides nothing

    capacity: int | None = None
    if row.get("capacity") is not None:
        capacity = _int(row["capacity"])
        if capacity is None or capacity < 0:
            ctx.warn(where, f"capacity {row['capacity']!r} is not a non-negative integer: ignored")
            capacity = None

    short_name: str | None = None
    if row.get("short_name") is not None:
        valid, short_name = _text(row["short_name"], ctx, where, "short_name")
        if not valid:
            ctx.warn(where, f"short_name {row['short_name']!r} is not a text: ignored")
    if short_name is None and row.get("stationCode") is not None:
        code = row["stationCode"]
        if isinstance(code, str | int) and not isinstance(code, bool) and str(code).strip():
            short_name = str(code).strip()

    address: str | None = None
    if row.get("address") is not None:
        valid, address = _text(row["address"], ctx, where, "address", localized=False)
        if not valid:
            ctx.warn(where, f"address {row['address']!r} is not a text: ignored")

    is_virtual = row.get("station_area") is not None
    if row.get("is_virtual_station") is not None:
        flag = _flag(row["is_virtual_station"], ctx, where, "is_virtual_station")
        if flag is None:
            ctx.warn(
                where, f"is_virtual_station {row['is_virtual_station']!r} is not a boolean: ignored"
            )
        else:
            is_virtual = is_virtual or flag

    methods: tuple[str, ...] = ()
    if row.get("rental_methods") is not None:
        value = row["rental_methods"]
        if isinstance(value, list) and all(isinstance(m, str) for m in value):
            methods = tuple(m.strip().lower() for m in value)
        else:
            ctx.warn(where, f"rental_methods {value!r} is not an array of strings: ignored")

    hours: str | None = None
    if row.get("station_opening_hours") is not None:
        if isinstance(row["station_opening_hours"], str):
            hours = row["station_opening_hours"].strip() or None
        else:
            ctx.warn(
                where,
                f"station_opening_hours {row['station_opening_hours']!r} is not a string: ignored",
            )

    lat, lon = position
    return Station(
        station_id=sid,
        name=name,
        lat=lat,
        lon=lon,
        capacity=capacity,
        short_name=short_name,
        address=address,
        is_virtual=is_virtual,
        rental_methods=methods,
        opening_hours=hours,
    )


# --------------------------------------------------------------------------------------------
# station_status.json


def parse_station_status(
    raw: Raw,
    *,
    file: str = STATION_STATUS,
    bike_kinds: Mapping[str, BikeKind] | None = None,
) -> FeedResult[StationStatus]:
    """Statuses of a `station_status.json`. `bike_kinds` maps the system's vehicle type ids to
    'mechanical'/'ebike' (see `bike_kinds`, from `vehicle_types.json`) to split the v2.1+/v3
    `vehicle_types_available` counts; type ids literally named 'mechanical' or 'ebike' are
    always understood. Without them, only the total is known (mechanical/ebike None)."""
    ctx = _Context(file)
    kinds = {k.lower(): v for k, v in (bike_kinds or {}).items()}
    system_kinds = set(kinds.values())
    for literal, kind in LITERAL_BIKE_KINDS.items():
        kinds.setdefault(literal, kind)
    try:
        doc = _load(raw, ctx)
        last_updated, ttl = _header(doc, ctx)
        rows = _list(_data(doc, ctx), ("stations",), ctx)
        if not rows:
            raise ctx.refuse("data.stations is empty")
        statuses: list[StationStatus] = []
        first: dict[str, int] = {}
        for index, row in enumerate(rows):
            status = _status(row, index, ctx, first, kinds, system_kinds)
            if status is not None:
                statuses.append(status)
        if not statuses:
            raise ctx.refuse(f"none of the {len(rows)} station statuses is valid")
    except _Refused:
        return _refused(ctx, file)
    return _finish(ctx, file, statuses, last_updated, ttl)


def _count(
    row: Mapping[str, Any],
    names: Sequence[str],
    fallback: str | None,
    ctx: _Context,
    where: str,
    required: bool,
) -> tuple[bool, int | None]:
    """A non-negative count: (ok, value). A missing required count, or an invalid or negative
    one, is an error (ok False: the row is dropped)."""
    picked = _pick(row, names, fallback, ctx, where)
    if picked is None:
        if required:
            ctx.error(where, f"{names[0]} missing: status dropped")
        return not required, None
    name, value = picked
    count = _int(value)
    if count is None:
        ctx.error(where, f"{name} {value!r} is not an integer: status dropped")
        return False, None
    if count < 0:
        ctx.error(where, f"{name} is {count}, a negative count: status dropped")
        return False, None
    return True, count


def _status(
    row: object,
    index: int,
    ctx: _Context,
    first: dict[str, int],
    kinds: Mapping[str, BikeKind],
    system_kinds: set[BikeKind],
) -> StationStatus | None:
    if not isinstance(row, Mapping):
        ctx.error(_where("stations", index), f"is {_json_type(row)}, not an object: dropped")
        return None
    sid = _row_id(row, ("station_id",), ctx, "stations", index, "status")
    if sid is None:
        return None
    where = _where("stations", index, sid)
    if sid in first:
        ctx.error(where, f"duplicate station_id (first at stations[{first[sid]}]): dropped")
        return None

    v3 = ctx.major is not None and ctx.major >= 3
    vehicles = ("num_vehicles_available", "num_bikes_available")
    bikes_names = vehicles if v3 else vehicles[::-1]
    if (
        v3
        and row.get("num_vehicles_available") is None
        and row.get("num_bikes_available") is not None
    ):
        ctx.quirk(where, f"num_bikes_available instead of num_vehicles_available ({ctx.label})")
    ok_bikes, bikes = _count(row, bikes_names, "numBikesAvailable", ctx, where, required=True)
    ok_docks, docks = _count(
        row, ("num_docks_available",), "numDocksAvailable", ctx, where, required=False
    )
    flags: dict[str, bool] = {}
    for field in ("is_installed", "is_renting", "is_returning"):
        if row.get(field) is None:
            ctx.error(where, f"{field} missing: status dropped")
            continue
        flag = _flag(row[field], ctx, where, field)
        if flag is None:
            ctx.error(where, f"{field} {row[field]!r} is not a boolean (or 0/1): status dropped")
        else:
            flags[field] = flag
    if not (ok_bikes and ok_docks and bikes is not None and len(flags) == 3):
        return None
    first[sid] = index

    disabled: dict[str, int | None] = {}
    for key, names in (
        ("bikes", ("num_vehicles_disabled", "num_bikes_disabled")),
        ("docks", ("num_docks_disabled",)),
    ):
        disabled[key] = None
        picked = _pick(row, names, None, ctx, where)
        if picked is not None:
            value = _int(picked[1])
            if value is None or value < 0:
                ctx.warn(where, f"{picked[0]} {picked[1]!r} is not a non-negative integer: ignored")
            else:
                disabled[key] = value

    mechanical, ebike = _kinds(row, bikes, ctx, where, kinds, system_kinds)

    last_reported: datetime | None = None
    if row.get("last_reported") is None:
        ctx.warn(where, "last_reported missing")
    else:
        last_reported = _timestamp(row["last_reported"], ctx, where, "last_reported")

    return StationStatus(
        station_id=sid,
        bikes_available=bikes,
        docks_available=docks,
        mechanical=mechanical,
        ebike=ebike,
        is_installed=flags["is_installed"],
        is_renting=flags["is_renting"],
        is_returning=flags["is_returning"],
        last_reported=last_reported,
        bikes_disabled=disabled["bikes"],
        docks_disabled=disabled["docks"],
    )


def _kinds(
    row: Mapping[str, Any],
    bikes: int,
    ctx: _Context,
    where: str,
    kinds: Mapping[str, BikeKind],
    system_kinds: set[BikeKind],
) -> tuple[int | None, int | None]:
    """(mechanical, ebike) from Vélib's num_bikes_available_types, else from
    vehicle_types_available; None where unknown."""
    types = row.get("num_bikes_available_types")
    if types is not None:
        merged: dict[str, object] = {}
        if isinstance(types, Mapping):
            merged.update(types)
        elif isinstance(types, list) and all(isinstance(t, Mapping) for t in types):
            for item in types:
                merged.update(item)
        counts = {k: _int(v) for k, v in merged.items() if k in ("mechanical", "ebike")}
        if not merged or any(c is None or c < 0 for c in counts.values()):
            ctx.warn(
                where,
                f"num_bikes_available_types {types!r} is not a list of counts per type: ignored",
            )
        else:
            mechanical, ebike = counts.get("mechanical"), counts.get("ebike")
            if mechanical is not None and ebike is not None and mechanical + ebike != bikes:
                ctx.warn(
                    where,
                    f"num_bikes_available_types add up to {mechanical + ebike}, "
                    f"not num_bikes_available {bikes}",
                )
            return mechanical, ebike

    available = row.get("vehicle_types_available")
    if available is None:
        return None, None
    per_type: list[tuple[str, int]] = []
    if isinstance(available, list):
        for item in available:
            if not isinstance(item, Mapping):
                break
            type_id, count = item.get("vehicle_type_id"), _int(item.get("count"))
            if not isinstance(type_id, str) or count is None or count < 0:
                break
            per_type.append((type_id, count))
        else:
            total = sum(c for _, c in per_type)
            if total != bikes:
                ctx.warn(
                    where,
                    f"vehicle_types_available add up to {total}, not the {bikes} vehicles "
                    "available",
                )
            found: dict[BikeKind, int] = dict.fromkeys(system_kinds, 0)
            for type_id, count in per_type:
                kind = kinds.get(type_id.lower())
                if kind is not None:
                    found[kind] = found.get(kind, 0) + count
            return found.get("mechanical"), found.get("ebike")
    ctx.warn(
        where,
        f"vehicle_types_available {available!r} is not a list of "
        "{vehicle_type_id, count}: ignored",
    )
    return None, None


# --------------------------------------------------------------------------------------------
# free_bike_status.json (v1/v2) and vehicle_status.json (v3)


def parse_vehicle_status(raw: Raw, *, file: str = VEHICLE_STATUS) -> FeedResult[Vehicle]:
    """Free-floating vehicles of a `free_bike_status.json` (v1/v2, `data.bikes[].bike_id`) or a
    `vehicle_status.json` (v3, `data.vehicles[].vehicle_id`); the shape is recognised, not the
    file name. Vehicles at a station (with a `station_id`) are counted in `skipped`. An empty
    list is valid (every vehicle may be on a trip)."""
    ctx = _Context(file)
    try:
        doc = _load(raw, ctx)
        last_updated, ttl = _header(doc, ctx)
        data = _data(doc, ctx)
        v3 = ctx.major is not None and ctx.major >= 3
        keys = ("vehicles", "bikes") if v3 or "bikes" not in data else ("bikes", "vehicles")
        rows = _list(data, keys, ctx)
        kind = keys[0] if keys[0] in data else keys[1]
        expected = "vehicles" if v3 else "bikes"
        if kind != expected and ctx.major is not None:
            ctx.quirk("", f"data.{kind} instead of data.{expected} ({ctx.label})")
        vehicles: list[Vehicle] = []
        skipped = 0
        first: dict[str, int] = {}
        for index, row in enumerate(rows):
            if isinstance(row, Mapping) and row.get("station_id") is not None:
                skipped += 1
                continue
            vehicle = _vehicle(row, index, kind, ctx, first)
            if vehicle is not None:
                vehicles.append(vehicle)
        if rows and not vehicles and not skipped:
            raise ctx.refuse(f"none of the {len(rows)} vehicles is valid")
    except _Refused:
        return _refused(ctx, file)
    return _finish(ctx, file, vehicles, last_updated, ttl, skipped)


def _vehicle(
    row: object, index: int, kind: str, ctx: _Context, first: dict[str, int]
) -> Vehicle | None:
    if not isinstance(row, Mapping):
        ctx.error(_where(kind, index), f"is {_json_type(row)}, not an object: dropped")
        return None
    id_keys = ("bike_id", "vehicle_id") if kind == "bikes" else ("vehicle_id", "bike_id")
    vid = _row_id(row, id_keys, ctx, kind, index, "vehicle")
    if vid is None:
        return None
    where = _where(kind, index, vid, "vehicle")
    if vid in first:
        ctx.error(where, f"duplicate {id_keys[0]} (first at {kind}[{first[vid]}]): dropped")
        return None

    flags: dict[str, bool] = {}
    for field in ("is_reserved", "is_disabled"):
        if row.get(field) is None:
            ctx.error(where, f"{field} missing: vehicle dropped")
            continue
        flag = _flag(row[field], ctx, where, field)
        if flag is None:
            ctx.error(where, f"{field} {row[field]!r} is not a boolean (or 0/1): vehicle dropped")
        else:
            flags[field] = flag
    position = _position(row, ctx, where, "vehicle")
    if position is None or len(flags) < 2:
        return None
    first[vid] = index

    type_id: str | None = None
    if row.get("vehicle_type_id") is not None:
        type_id = _id(row["vehicle_type_id"], ctx, where, "vehicle_type_id")
        if type_id is None:
            ctx.warn(where, f"vehicle_type_id {row['vehicle_type_id']!r} is not an ID: ignored")

    range_m: float | None = None
    if row.get("current_range_meters") is not None:
        range_m = _number(row["current_range_meters"])
        if range_m is None or range_m < 0:
            ctx.warn(
                where,
                f"current_range_meters {row['current_range_meters']!r} is not a non-negative "
                "number: ignored",
            )
            range_m = None

    last_reported: datetime | None = None
    if row.get("last_reported") is not None:
        last_reported = _timestamp(row["last_reported"], ctx, where, "last_reported")

    lat, lon = position
    return Vehicle(
        vehicle_id=vid,
        lat=lat,
        lon=lon,
        is_reserved=flags["is_reserved"],
        is_disabled=flags["is_disabled"],
        vehicle_type_id=type_id,
        current_range_meters=range_m,
        last_reported=last_reported,
    )


# --------------------------------------------------------------------------------------------
# vehicle_types.json


def parse_vehicle_types(
    raw: Raw, *, file: str = VEHICLE_TYPES, language: str | None = None
) -> FeedResult[VehicleType]:
    """Vehicle types of a `vehicle_types.json` (GBFS 2.1+). Only what tells bikes apart is
    kept: id, form factor, propulsion, name, maximum range."""
    ctx = _Context(file, language)
    try:
        doc = _load(raw, ctx)
        last_updated, ttl = _header(doc, ctx)
        rows = _list(_data(doc, ctx), ("vehicle_types",), ctx)
        types: list[VehicleType] = []
        first: dict[str, int] = {}
        for index, row in enumerate(rows):
            vehicle_type = _vehicle_type(row, index, ctx, first)
            if vehicle_type is not None:
                types.append(vehicle_type)
        if rows and not types:
            raise ctx.refuse(f"none of the {len(rows)} vehicle types is valid")
    except _Refused:
        return _refused(ctx, file)
    return _finish(ctx, file, types, last_updated, ttl)


def _vehicle_type(
    row: object, index: int, ctx: _Context, first: dict[str, int]
) -> VehicleType | None:
    kind = "vehicle_types"
    if not isinstance(row, Mapping):
        ctx.error(_where(kind, index), f"is {_json_type(row)}, not an object: dropped")
        return None
    tid = _row_id(row, ("vehicle_type_id",), ctx, kind, index, "vehicle type")
    if tid is None:
        return None
    where = _where(kind, index, tid, "vehicle type")
    if tid in first:
        ctx.error(where, f"duplicate vehicle_type_id (first at {kind}[{first[tid]}]): dropped")
        return None
    values: dict[str, str] = {}
    for field in ("form_factor", "propulsion_type"):
        value = row.get(field)
        if isinstance(value, str) and value.strip():
            values[field] = value.strip().lower()
        else:
            what = "missing" if value is None else f"{value!r} is not a string"
            ctx.error(where, f"{field} {what}: vehicle type dropped")
    if len(values) < 2:
        return None
    first[tid] = index
    name: str | None = None
    if row.get("name") is not None:
        valid, name = _text(row["name"], ctx, where, "name")
        if not valid:
            ctx.warn(where, f"name {row['name']!r} is not a text: ignored")
    max_range = _number(row.get("max_range_meters"))
    return VehicleType(tid, values["form_factor"], values["propulsion_type"], name, max_range)


def bike_kinds(types: Iterable[VehicleType]) -> dict[str, BikeKind]:
    """Vehicle type id -> 'mechanical' / 'ebike', for `parse_station_status(bike_kinds=...)`."""
    return {t.vehicle_type_id: kind for t in types if (kind := t.bike_kind) is not None}


# --------------------------------------------------------------------------------------------
# gbfs.json


def parse_discovery(raw: Raw, *, file: str = GBFS, language: str | None = None) -> Discovery:
    """The feeds listed by a `gbfs.json`: v1/v2 `data: {lang: {feeds: [{name, url}]}}`, v3
    `data: {feeds: [...]}`. `language` picks the v1/v2 language (exact, then primary subtag,
    else the first one listed)."""
    ctx = _Context(file, language)
    chosen: str | None = None
    by_language: dict[str, Mapping[str, str]] = {}
    last_updated: datetime | None = None
    ttl: int | None = None
    try:
        doc = _load(raw, ctx)
        last_updated, ttl = _header(doc, ctx)
        data = _data(doc, ctx)
        if "feeds" in data:
            if ctx.major is not None and ctx.major < 3:
                ctx.quirk("", f"data.feeds without a language ({ctx.label})")
            by_language[""] = _feeds(data["feeds"], "data.feeds", ctx)
        else:
            if ctx.major is not None and ctx.major >= 3:
                ctx.quirk("", f"feeds listed per language ({ctx.label})")
            for lang, value in data.items():
                path = f"data.{lang}"
                if not isinstance(value, Mapping) or "feeds" not in value:
                    ctx.warn(path, "not a {feeds: [...]} object: ignored")
                    continue
                by_language[lang] = _feeds(value["feeds"], f"{path}.feeds", ctx)
        if not any(by_language.values()):
            raise ctx.refuse("no feed listed")
        if "" in by_language:
            chosen = None
        else:
            languages = [lang for lang, feeds in by_language.items() if feeds]
            chosen = _choose_language([(lang, lang) for lang in languages], language)
            if language and chosen.split("-")[0].lower() != language.split("-")[0].lower():
                ctx.warn("", f"no feeds in language {language!r}: {chosen!r} used")
    except _Refused:
        return Discovery(
            file,
            ctx.version,
            None,
            None,
            None,
            MappingProxyType({}),
            MappingProxyType({}),
            ctx.finish(),
        )
    feeds = by_language["" if chosen is None else chosen]
    return Discovery(
        file,
        ctx.version,
        last_updated,
        ttl,
        chosen,
        feeds,
        MappingProxyType(by_language),
        ctx.finish(),
    )


def _feeds(value: object, path: str, ctx: _Context) -> Mapping[str, str]:
    if not isinstance(value, list):
        ctx.error(path, f"is {_json_type(value)}, not an array: ignored")
        return MappingProxyType({})
    feeds: dict[str, str] = {}
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            ctx.error(where, f"is {_json_type(item)}, not an object: feed ignored")
            continue
        name, url = item.get("name"), item.get("url")
        if not isinstance(name, str) or not name.strip():
            ctx.error(where, "name missing: feed ignored")
        elif not isinstance(url, str) or not url.strip():
            ctx.error(where, f"url missing for feed {name!r}: feed ignored")
        elif name in feeds:
            ctx.warn(where, f"feed {name!r} listed twice: the first URL is kept")
        else:
            feeds[name] = url.strip()
    return MappingProxyType(feeds)


# --------------------------------------------------------------------------------------------
# Cross-checks and folders


def cross_check(
    stations: Sequence[Station],
    statuses: Sequence[StationStatus],
    *,
    file: str = STATION_STATUS,
) -> tuple[tuple[StationStatus, ...], tuple[Problem, ...]]:
    """Checks statuses against station information: a status for an unknown station is left
    out (warning), a station without status is reported (warning), bikes + docks available
    above the capacity is reported (warning). Returns the statuses kept and the problems."""
    by_id = {s.station_id: s for s in stations}
    kept: list[StationStatus] = []
    problems: list[Problem] = []
    for status in statuses:
        where = f"station {status.station_id}"
        station = by_id.get(status.station_id)
        if station is None:
            problems.append(
                Problem(
                    file,
                    where,
                    "status for a station not in station_information: ignored",
                    "warning",
                )
            )
            continue
        kept.append(status)
        docks = status.docks_available or 0
        if station.capacity is not None and status.bikes_available + docks > station.capacity:
            problems.append(
                Problem(
                    file,
                    where,
                    f"{status.bikes_available} bikes + {docks} docks available = "
                    f"{status.bikes_available + docks} > capacity {station.capacity}",
                    "warning",
                )
            )
    with_status = {s.station_id for s in kept}
    for station in stations:
        if station.station_id not in with_status:
            problems.append(
                Problem(file, f"station {station.station_id}", "station has no status", "warning")
            )
    return tuple(kept), tuple(problems)


SNAPSHOT_FILES = (
    GBFS,
    VEHICLE_TYPES,
    STATION_INFORMATION,
    STATION_STATUS,
    VEHICLE_STATUS,
    FREE_BIKE_STATUS,
)
"""The files a snapshot is made of (others, such as system_information.json, are ignored)."""


def parse_snapshot(
    files: Mapping[str, Raw], *, language: str | None = None, source: str = "snapshot"
) -> Snapshot:
    """Reads a GBFS snapshot given as file name -> content (`gbfs.json`,
    `station_information.json`, `station_status.json`, `free_bike_status.json` or
    `vehicle_status.json`, `vehicle_types.json`; each optional, content as bytes, text or a
    decoded dict), and cross-checks the files (see `cross_check`). A fatal problem in one
    file leaves that file's records out, and `Snapshot.fatal` is then True. `source` names
    the snapshot in problems about it as a whole."""
    problems: list[Problem] = []
    read = tuple(name for name in SNAPSHOT_FILES if files.get(name) is not None)

    discovery: Discovery | None = None
    if (content := files.get(GBFS)) is not None:
        discovery = parse_discovery(content, language=language)
        problems.extend(discovery.problems)

    results: list[FeedResult[Any]] = []
    types: tuple[VehicleType, ...] = ()
    kinds: dict[str, BikeKind] | None = None
    if (content := files.get(VEHICLE_TYPES)) is not None:
        types_result = parse_vehicle_types(content, language=language)
        types, kinds = types_result.items, bike_kinds(types_result.items)
        results.append(types_result)

    info: FeedResult[Station] | None = None
    if (content := files.get(STATION_INFORMATION)) is not None:
        info = parse_station_information(content, language=language)
        results.append(info)

    status: FeedResult[StationStatus] | None = None
    if (content := files.get(STATION_STATUS)) is not None:
        status = parse_station_status(content, bike_kinds=kinds)
        results.append(status)

    vehicles: FeedResult[Vehicle] | None = None
    present = [n for n in (VEHICLE_STATUS, FREE_BIKE_STATUS) if files.get(n) is not None]
    if len(present) == 2:
        read = tuple(name for name in read if name != FREE_BIKE_STATUS)
        problems.append(
            Problem(
                FREE_BIKE_STATUS,
                "",
                f"both {VEHICLE_STATUS} and {FREE_BIKE_STATUS} present: {FREE_BIKE_STATUS} ignored",
                "warning",
            )
        )
    if present:
        vehicles = parse_vehicle_status(files[present[0]], file=present[0])
        results.append(vehicles)

    for result in results:
        problems.extend(result.problems)

    if info is None and status is None and vehicles is None:
        problems.append(
            Problem(
                source,
                "",
                f"no GBFS file ({STATION_INFORMATION}, {STATION_STATUS}, {VEHICLE_STATUS} or "
                f"{FREE_BIKE_STATUS}): snapshot refused",
                "error",
                True,
            )
        )

    statuses = status.items if status is not None else ()
    if info is not None and status is not None and not info.fatal and not status.fatal:
        statuses, checked = cross_check(info.items, statuses)
        problems.extend(checked)
    elif status is not None and info is None:
        problems.append(
            Problem(
                STATION_INFORMATION,
                "",
                f"missing: the statuses of {STATION_STATUS} cannot be checked",
                "warning",
            )
        )
    elif info is not None and status is None:
        problems.append(
            Problem(STATION_STATUS, "", "missing: stations have no availability", "warning")
        )

    versions = {r.file: r.version for r in results if r.version is not None}
    if discovery is not None and discovery.version is not None:
        versions = {GBFS: discovery.version, **versions}
    if len(set(versions.values())) > 1:
        listed = ", ".join(f"{f} {v}" for f, v in versions.items())
        problems.append(
            Problem(source, "", f"files declare different GBFS versions: {listed}", "warning")
        )
    version = next(iter(versions.values()), None)

    live: tuple[FeedResult[Any] | None, ...] = (status, vehicles, info)
    last_updated = next((r.last_updated for r in live if r and r.last_updated), None)

    return Snapshot(
        source=source,
        stations=info.items if info is not None else (),
        statuses=MappingProxyType({s.station_id: s for s in statuses}),
        vehicles=vehicles.items if vehicles is not None else (),
        vehicle_types=types,
        version=version,
        last_updated=last_updated,
        discovery=discovery,
        files=read,
        problems=tuple(problems),
    )


def read_snapshot(folder: Path | str, *, language: str | None = None) -> Snapshot:
    """`parse_snapshot` of the files of `folder` (named after their feed, `SNAPSHOT_FILES`).
    A file that exists but cannot be read is a fatal problem."""
    folder = Path(folder)
    files: dict[str, Raw] = {}
    unreadable: list[Problem] = []
    for name in SNAPSHOT_FILES:
        path = folder / name
        if path.is_file():
            try:
                files[name] = path.read_bytes()
            except OSError as e:
                message = f"cannot be read ({e.strerror}): file refused"
                unreadable.append(Problem(name, "", message, "error", True))
    snapshot = parse_snapshot(files, language=language, source=str(folder))
    if not unreadable:
        return snapshot
    return replace(snapshot, problems=(*unreadable, *snapshot.problems))
