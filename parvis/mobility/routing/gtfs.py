"""Read a GTFS feed (a zip or a folder) into plain arrays, locating every problem by file and line.

Only what routing needs is kept: stops, routes, trips, stop times, services (calendar and
calendar_dates), transfers and the wheelchair columns. `merge_feeds` makes one feed of several,
with prefixed ids. The reader uses the `csv` module and `array` (no pandas), keeps
going past bad rows and reports each one as a `Problem` (file, line, message):

- a missing required file or column, or an unreadable file, is fatal (`GtfsError`);
- a bad row is an *error*: the row is skipped, and when it belongs to a trip the whole trip is
  dropped (a trip with a hole in it must not be ridden);
- something suspicious but harmless (a trip that never runs, an unsupported file) is a
  *warning*.

Times are kept as GTFS writes them: seconds after midnight of the service day (noon minus
12 h), possibly 24:00:00 or more for trips running past midnight.
"""

from __future__ import annotations

import csv
import gc
import io
import zipfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import numpy.typing as npt

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]

MAX_PROBLEMS = 1000
"""At most this many problems are kept one by one; the rest are only counted."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a feed: where (file and 1-based line, the header being line 1;
    0 for the whole file) and what."""

    file: str
    line: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


class GtfsError(ValueError):
    """The feed cannot be used (a required file or column is missing), or, with `strict=True`,
    the feed has errors. `problems` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"invalid GTFS feed ({len(problems)} problems):\n{shown}{more}")


@dataclass(eq=False)
class Feed:
    """A GTFS feed as arrays. Indices refer to the lists of ids (`stop_ids[i]`...).

    Stop times are grouped by trip, in `stop_sequence` order: the stop times of trip `t` are
    `trip_st[t]:trip_st[t + 1]`. Trips with an error have no stop times."""

    stop_ids: list[str]
    stop_names: list[str]
    stop_lat: F64
    stop_lon: F64
    stop_type: U8
    stop_parent: I32
    route_ids: list[str]
    route_names: list[str]
    route_types: I32
    trip_ids: list[str]
    trip_route: I32
    trip_service: I32
    trip_st: I32
    st_stop: I32
    st_arr: I32
    st_dep: I32
    st_pickup: U8
    st_dropoff: U8
    service_ids: list[str]
    cal_weekdays: U8
    cal_start: I32
    cal_end: I32
    ex_service: I32
    ex_day: I32
    ex_added: U8
    tr_from: I32
    tr_to: I32
    tr_type: I32
    tr_seconds: I32
    tr_line: I32
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    # Optional columns, defaulted so that feeds built in code need not give them.
    route_short_names: list[str] = field(default_factory=list)
    """GTFS route_short_name per route ("" when empty or absent)."""
    stop_wheelchair: U8 = field(default_factory=lambda: np.zeros(0, dtype=np.uint8))
    """stops.wheelchair_boarding as written (0 no info, 1 accessible, 2 not); not inherited
    from the parent station here: `inherited_stop_wheelchair` does that."""
    trip_wheelchair: U8 = field(default_factory=lambda: np.zeros(0, dtype=np.uint8))
    """trips.wheelchair_accessible (0 no info, 1 accessible, 2 not)."""

    def __post_init__(self) -> None:
        # A feed built without the optional columns gets their "no information" values.
        if not self.route_short_names and self.route_ids:
            self.route_short_names = [""] * len(self.route_ids)
        if not len(self.stop_wheelchair) and self.stop_ids:
            self.stop_wheelchair = np.zeros(len(self.stop_ids), dtype=np.uint8)
        if not len(self.trip_wheelchair) and self.trip_ids:
            self.trip_wheelchair = np.zeros(len(self.trip_ids), dtype=np.uint8)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def date_range(self) -> tuple[date, date] | None:
        """First and last day on which some service may run, from calendar and
        calendar_dates; None for a feed without any service."""
        days: list[int] = []
        has_cal = self.cal_start >= 0
        if has_cal.any():
            days += [int(self.cal_start[has_cal].min()), int(self.cal_end[has_cal].max())]
        added = self.ex_day[self.ex_added == 1]
        if len(added):
            days += [int(added.min()), int(added.max())]
        if not days:
            return None
        return date.fromordinal(min(days)), date.fromordinal(max(days))


class _Source:
    """The files of a feed: members of a zip (possibly inside one folder) or files of a folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, str] = {}
        if path.is_dir():
            self._names = {p.name: str(p) for p in path.iterdir() if p.suffix == ".txt"}
        else:
            try:
                self._zip = zipfile.ZipFile(path)
            except (OSError, zipfile.BadZipFile) as exc:
                raise GtfsError([Problem(path.name, 0, f"cannot open the feed: {exc}")]) from exc
            for info in self._zip.infolist():
                base = info.filename.rsplit("/", 1)[-1]
                if base.endswith(".txt") and not info.is_dir():
                    self._names.setdefault(base, info.filename)

    def has(self, name: str) -> bool:
        return name in self._names

    def open(self, name: str) -> IO[str]:
        raw: IO[bytes]
        if self._zip is not None:
            raw = self._zip.open(self._names[name])
        else:
            raw = open(self._names[name], "rb")  # noqa: SIM115 - closed by the caller
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


class _Reader:
    """Collects problems and reads tables row by row."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.count = 0
        self.fatal = False

    def report(
        self, file: str, line: int, message: str, severity: Literal["error", "warning"] = "error"
    ) -> None:
        self.count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(file, line, message, severity))

    def _rows(
        self, name: str, required: tuple[str, ...], optional: tuple[str, ...], size: int
    ) -> Iterator[tuple[list[int], list[list[str]], list[int]]]:
        """Yield (lines, rows padded to the header's width, column indices) by batches."""
        if not self.source.has(name):
            return
        with self.source.open(name) as handle:
            reader = csv.reader(handle)
            try:
                header = next(reader)
            except StopIteration:
                self.report(name, 1, "empty file (no header)")
                self.fatal = True
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                self.report(name, 1, f"unreadable header: {exc}")
                self.fatal = True
                return
            columns = {h.strip(): i for i, h in enumerate(header)}
            missing = [c for c in required if c not in columns]
            if missing:
                self.report(name, 1, f"missing required column(s): {', '.join(missing)}")
                self.fatal = True
                return
            idx = [columns[c] for c in required] + [columns.get(c, -1) for c in optional]
            width = len(header)
            lines: list[int] = []
            rows: list[list[str]] = []
            while True:
                try:
                    for row in reader:
                        if len(row) != width:
                            if not row or (len(row) == 1 and not row[0].strip()):
                                continue
                            if len(row) > width:
                                self.report(
                                    name,
                                    reader.line_num,
                                    f"{len(row)} fields where the header has {width}: row ignored",
                                )
                                continue
                            row += [""] * (width - len(row))  # trailing empty fields left out
                        lines.append(reader.line_num)
                        rows.append(row)
                        if len(rows) == size:
                            yield lines, rows, idx
                            lines, rows = [], []
                    break
                except (csv.Error, UnicodeDecodeError) as exc:
                    self.report(name, reader.line_num, f"unreadable row: {exc}")
                    break
            if rows:
                yield lines, rows, idx

    def table(
        self, name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> Iterator[tuple[int, list[str | None]]]:
        """Yield (line, [value of each required then optional column]); missing optional
        columns and empty cells give None. Rows with a wrong number of fields are reported."""
        for lines, rows, idx in self._rows(name, required, optional, 1 << 12):
            for line, row in zip(lines, rows, strict=True):
                yield line, [(row[i].strip() or None) if i >= 0 else None for i in idx]

    def chunks(
        self,
        name: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
        size: int = 1 << 14,
    ) -> Iterator[tuple[list[int], list[tuple[str, ...] | None]]]:
        """Yield the rows by chunks, as columns (raw strings; None for a missing optional
        column), with their line numbers: for the big files."""
        for lines, rows, idx in self._rows(name, required, optional, size):
            yield lines, self._columns(rows, idx)

    @staticmethod
    def _columns(rows: list[list[str]], idx: list[int]) -> list[tuple[str, ...] | None]:
        cols = list(zip(*rows, strict=True))
        return [cols[i] if i >= 0 else None for i in idx]


def parse_time(text: str) -> int:
    """'H:MM:SS' or 'HH:MM:SS' (hours may exceed 23) to seconds; ValueError otherwise."""
    parts = text.split(":")
    if (
        len(parts) != 3
        or len(parts[1]) != 2
        or len(parts[2]) != 2
        or not (parts[0].isdigit() and parts[1].isdigit() and parts[2].isdigit())
        or int(parts[1]) > 59
        or int(parts[2]) > 59
    ):
        raise ValueError(f"not a GTFS time: {text!r}")
    return int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2])


def parse_date(text: str) -> int:
    """'YYYYMMDD' to a proleptic ordinal (`date.toordinal`); ValueError otherwise."""
    if len(text) != 8 or not text.isdigit():
        raise ValueError(text)
    return date(int(text[:4]), int(text[4:6]), int(text[6:])).toordinal()


def _lookup(values: tuple[str, ...], index: dict[str, int]) -> I64:
    """index[value] for each value (-1 if absent; values are stripped only when needed)."""
    out = np.array([index.get(x, -1) for x in values], dtype=np.int64)
    for i in np.flatnonzero(out < 0).tolist():
        out[i] = index.get(values[i].strip(), -1)
    return out


def _times(values: tuple[str, ...] | None, cache: dict[str, int], n: int) -> I64:
    """Seconds for each time; -1 when empty, -3 when invalid."""
    if values is None:
        return np.full(n, -1, dtype=np.int64)
    out = np.array([cache.get(x, -2) for x in values], dtype=np.int64)
    for i in np.flatnonzero(out == -2).tolist():
        value = cache.get(values[i])
        if value is None:
            text = values[i].strip()
            try:
                value = cache[values[i]] = parse_time(text) if text else -1
            except ValueError:
                value = -3
        out[i] = value
    return out


def _int(text: str | None, default: int) -> int:
    return default if text is None else int(text)


def read_gtfs(path: str | Path) -> Feed:
    """Read a GTFS zip (or a folder of .txt files). Raises `GtfsError` when a required file or
    column is missing; every other problem is in `Feed.problems`."""
    source = _Source(Path(path))
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived rows: the cyclic collector would only slow down
    try:
        return _read(source)
    finally:
        source.close()
        if collecting:
            gc.enable()


def _read(source: _Source) -> Feed:
    r = _Reader(source)
    for name in ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt"):
        if not source.has(name):
            r.report(name, 0, "required file is missing")
            r.fatal = True
    if not source.has("calendar.txt") and not source.has("calendar_dates.txt"):
        r.report("calendar.txt", 0, "neither calendar.txt nor calendar_dates.txt is present")
        r.fatal = True
    if r.fatal:
        raise GtfsError(r.problems)
    if source.has("frequencies.txt"):
        r.report(
            "frequencies.txt", 0, "frequency-based trips are not supported: ignored", "warning"
        )

    # stops.txt
    stop_index: dict[str, int] = {}
    stop_ids: list[str] = []
    names: list[str] = []
    lats = array("d")
    lons = array("d")
    types = array("B")
    stop_wc = array("B")
    parents_raw: list[tuple[int, str | None]] = []
    for line, (sid, sname, lat, lon, ltype, parent, wc) in r.table(
        "stops.txt",
        ("stop_id",),
        (
            "stop_name",
            "stop_lat",
            "stop_lon",
            "location_type",
            "parent_station",
            "wheelchair_boarding",
        ),
    ):
        if sid is None:
            r.report("stops.txt", line, "empty stop_id")
            continue
        if sid in stop_index:
            r.report("stops.txt", line, f"duplicate stop_id {sid!r}: row ignored")
            continue
        try:
            la = float(lat) if lat is not None else float("nan")
            lo = float(lon) if lon is not None else float("nan")
            lt = _int(ltype, 0)
        except ValueError:
            r.report("stops.txt", line, f"bad stop_lat, stop_lon or location_type for {sid!r}")
            la, lo, lt = float("nan"), float("nan"), 0
        stop_index[sid] = len(stop_ids)
        stop_ids.append(sid)
        names.append(sname or "")
        lats.append(la)
        lons.append(lo)
        types.append(lt if 0 <= lt <= 4 else 0)
        stop_wc.append(_wheelchair(r, "stops.txt", line, "wheelchair_boarding", wc))
        parents_raw.append((line, parent))
    stop_parent = np.full(len(stop_ids), -1, dtype=np.int32)
    for i, (line, parent) in enumerate(parents_raw):
        if parent is not None:
            p = stop_index.get(parent)
            if p is None:
                r.report("stops.txt", line, f"unknown parent_station {parent!r}", "warning")
            else:
                stop_parent[i] = p

    # routes.txt
    route_index: dict[str, int] = {}
    route_names: list[str] = []
    route_short: list[str] = []
    route_types = array("i")
    for line, (rid, short, long_, rtype) in r.table(
        "routes.txt", ("route_id",), ("route_short_name", "route_long_name", "route_type")
    ):
        if rid is None:
            r.report("routes.txt", line, "empty route_id")
            continue
        if rid in route_index:
            r.report("routes.txt", line, f"duplicate route_id {rid!r}: row ignored")
            continue
        try:
            rt = _int(rtype, 3)
        except ValueError:
            r.report("routes.txt", line, f"bad route_type {rtype!r}", "warning")
            rt = 3
        route_index[rid] = len(route_names)
        route_names.append(short or long_ or rid)
        route_short.append(short or "")
        route_types.append(rt)

    # calendar.txt
    service_index: dict[str, int] = {}
    cal_rows: dict[int, tuple[list[int], int, int]] = {}
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    for line, vals in r.table("calendar.txt", ("service_id", *weekdays, "start_date", "end_date")):
        sid = vals[0]
        if sid is None:
            r.report("calendar.txt", line, "empty service_id")
            continue
        try:
            mask = [int(v or "") for v in vals[1:8]]
            if any(m not in (0, 1) for m in mask):
                raise ValueError
            start, end = parse_date(vals[8] or ""), parse_date(vals[9] or "")
        except ValueError:
            r.report("calendar.txt", line, f"bad weekday flag or date for service {sid!r}")
            continue
        s = service_index.setdefault(sid, len(service_index))
        if s in cal_rows:
            r.report("calendar.txt", line, f"duplicate service_id {sid!r}: row ignored")
            continue
        cal_rows[s] = (mask, start, end)

    # calendar_dates.txt
    ex_service = array("i")
    ex_day = array("i")
    ex_added = array("B")
    for line, (sid, day, kind) in r.table(
        "calendar_dates.txt", ("service_id", "date", "exception_type")
    ):
        try:
            d = parse_date(day or "")
            k = int(kind or "")
            if sid is None or k not in (1, 2):
                raise ValueError
        except ValueError:
            r.report("calendar_dates.txt", line, "bad service_id, date or exception_type")
            continue
        ex_service.append(service_index.setdefault(sid, len(service_index)))
        ex_day.append(d)
        ex_added.append(1 if k == 1 else 0)

    # trips.txt
    trip_index: dict[str, int] = {}
    trip_ids: list[str] = []
    trip_route = array("i")
    trip_service = array("i")
    trip_wc = array("B")
    unknown_services: set[str] = set()
    for line, (rid, sid, tid, wc) in r.table(
        "trips.txt", ("route_id", "service_id", "trip_id"), ("wheelchair_accessible",)
    ):
        if tid is None:
            r.report("trips.txt", line, "empty trip_id")
            continue
        if tid in trip_index:
            r.report("trips.txt", line, f"duplicate trip_id {tid!r}: row ignored")
            continue
        route = route_index.get(rid or "")
        if route is None:
            r.report("trips.txt", line, f"trip {tid!r}: unknown route_id {rid!r}: trip ignored")
            continue
        if sid is None:
            r.report("trips.txt", line, f"trip {tid!r}: empty service_id: trip ignored")
            continue
        if sid not in service_index:
            if sid not in unknown_services:
                r.report(
                    "trips.txt",
                    line,
                    f"service_id {sid!r} is in no calendar: it never runs",
                    "warning",
                )
            unknown_services.add(sid)
        trip_index[tid] = len(trip_ids)
        trip_ids.append(tid)
        trip_route.append(route)
        trip_service.append(service_index.setdefault(sid, len(service_index)))
        trip_wc.append(_wheelchair(r, "trips.txt", line, "wheelchair_accessible", wc))

    # stop_times.txt, by chunks of rows turned into columns (the one big file)
    n_trips = len(trip_ids)
    bad_trip = np.zeros(n_trips, dtype=bool)
    stop_ok = np.isin(np.frombuffer(types, dtype=np.uint8), (0, 4))
    parts: list[list[I32]] = [[] for _ in range(7)]
    times: dict[str, int] = {"": -1}
    codes = {"": 0, "0": 0, "1": 1, "2": 2, "3": 3}
    unknown_trips: set[str] = set()
    for lines, chunk in r.chunks(
        "stop_times.txt",
        ("trip_id", "stop_sequence", "stop_id"),
        ("arrival_time", "departure_time", "pickup_type", "drop_off_type"),
    ):
        n = len(lines)
        tids, seqs, sids = (c or ("",) * n for c in chunk[:3])
        ti = _lookup(tids, trip_index)
        si = _lookup(sids, stop_index)
        seq = np.array([int(x) if x.isdigit() else -1 for x in seqs], dtype=np.int64)
        for i in np.flatnonzero(seq < 0).tolist():
            text = seqs[i].strip()
            seq[i] = int(text) if text.isdigit() else -1
        arr_dep = [_times(c, times, n) for c in chunk[3:5]]
        flags = [
            np.zeros(n, dtype=np.int64) if c is None else _lookup(c, codes) for c in chunk[5:7]
        ]
        for i in np.flatnonzero(ti < 0).tolist():
            if tids[i] not in unknown_trips:
                r.report("stop_times.txt", lines[i], f"unknown trip_id {tids[i]!r}: row ignored")
            unknown_trips.add(tids[i])
        known = ti >= 0
        bad_stop = known & ((si < 0) | ~stop_ok[np.maximum(si, 0)])
        for i in np.flatnonzero(bad_stop).tolist():
            what = "unknown stop_id" if si[i] < 0 else "stop_id is not a stop or platform"
            r.report(
                "stop_times.txt", lines[i], f"trip {tids[i]!r}: {what} {sids[i]!r}: trip dropped"
            )
        bad_field = (
            known
            & ~bad_stop
            & (
                (seq < 0)
                | (arr_dep[0] == -3)
                | (arr_dep[1] == -3)
                | (flags[0] < 0)
                | (flags[1] < 0)
            )
        )
        for i in np.flatnonzero(bad_field).tolist():
            r.report(
                "stop_times.txt",
                lines[i],
                f"trip {tids[i]!r}: bad stop_sequence, time, pickup_type or drop_off_type: trip "
                "dropped",
            )
        bad_trip[ti[bad_stop | bad_field]] = True
        good = known & ~bad_stop & ~bad_field
        a, d = arr_dep[0][good], arr_dep[1][good]
        a, d = np.where(a < 0, d, a), np.where(d < 0, a, d)
        for part, values in zip(
            parts,
            (
                ti[good],
                seq[good],
                si[good],
                a,
                d,
                (flags[0][good] != 1) | ((flags[1][good] != 1) << 1),
                np.array(lines, dtype=np.int64)[good],
            ),
            strict=True,
        ):
            part.append(values.astype(np.int32))
    st_trip, st_seq, st_stop, st_arr, st_dep, st_flags, st_line = (
        np.concatenate(p) if p else np.zeros(0, dtype=np.int32) for p in parts
    )

    # transfers.txt
    tr_from = array("i")
    tr_to = array("i")
    tr_type = array("i")
    tr_secs = array("i")
    tr_lines = array("i")
    for line, (fs, ts, ttype, mtt, ftrip, ttrip, froute, troute) in r.table(
        "transfers.txt",
        ("from_stop_id", "to_stop_id"),
        (
            "transfer_type",
            "min_transfer_time",
            "from_trip_id",
            "to_trip_id",
            "from_route_id",
            "to_route_id",
        ),
    ):
        if any(v is not None for v in (ftrip, ttrip, froute, troute)):
            r.report(
                "transfers.txt",
                line,
                "trip- or route-specific transfers are not supported: row ignored",
                "warning",
            )
            continue
        a_ = stop_index.get(fs or "")
        b_ = stop_index.get(ts or "")
        if a_ is None or b_ is None:
            r.report(
                "transfers.txt", line, f"unknown stop {fs if a_ is None else ts!r}: row ignored"
            )
            continue
        try:
            tkind = _int(ttype, 0)
            secs = _int(mtt, -1)
            if tkind not in range(6) or (mtt is not None and secs < 0):
                raise ValueError
        except ValueError:
            r.report("transfers.txt", line, "bad transfer_type or min_transfer_time: row ignored")
            continue
        if tkind == 2 and secs < 0:
            r.report(
                "transfers.txt", line, "transfer_type 2 without min_transfer_time: row ignored"
            )
            continue
        if tkind in (4, 5):
            r.report(
                "transfers.txt",
                line,
                "in-seat transfers (types 4 and 5) are not supported: row ignored",
                "warning",
            )
            continue
        tr_from.append(a_)
        tr_to.append(b_)
        tr_type.append(tkind)
        tr_secs.append(secs)
        tr_lines.append(line)

    if r.fatal:
        raise GtfsError(r.problems)

    trip_st, cols = _group_stop_times(
        r,
        n_trips,
        trip_ids,
        bad_trip,
        st_trip,
        st_seq,
        st_stop,
        st_arr,
        st_dep,
        st_flags,
        st_line,
    )

    n_services = len(service_index)
    cal_weekdays = np.zeros((n_services, 7), dtype=np.uint8)
    cal_start = np.full(n_services, -1, dtype=np.int32)
    cal_end = np.full(n_services, -1, dtype=np.int32)
    for s, (mask, start, end) in cal_rows.items():
        cal_weekdays[s] = mask
        cal_start[s] = start
        cal_end[s] = end

    return Feed(
        stop_ids=stop_ids,
        stop_names=names,
        stop_lat=np.frombuffer(lats, dtype=np.float64).copy(),
        stop_lon=np.frombuffer(lons, dtype=np.float64).copy(),
        stop_type=np.frombuffer(types, dtype=np.uint8).copy(),
        stop_parent=stop_parent,
        route_ids=list(route_index),
        route_names=route_names,
        route_types=_i32(route_types),
        route_short_names=route_short,
        stop_wheelchair=np.frombuffer(stop_wc, dtype=np.uint8).copy(),
        trip_wheelchair=np.frombuffer(trip_wc, dtype=np.uint8).copy(),
        trip_ids=trip_ids,
        trip_route=_i32(trip_route),
        trip_service=_i32(trip_service),
        trip_st=trip_st,
        st_stop=cols[0],
        st_arr=cols[1],
        st_dep=cols[2],
        st_pickup=(cols[3] & 1).astype(np.uint8),
        st_dropoff=((cols[3] >> 1) & 1).astype(np.uint8),
        service_ids=list(service_index),
        cal_weekdays=cal_weekdays,
        cal_start=cal_start,
        cal_end=cal_end,
        ex_service=_i32(ex_service),
        ex_day=_i32(ex_day),
        ex_added=np.frombuffer(ex_added, dtype=np.uint8).copy(),
        tr_from=_i32(tr_from),
        tr_to=_i32(tr_to),
        tr_type=_i32(tr_type),
        tr_seconds=_i32(tr_secs),
        tr_line=_i32(tr_lines),
        problems=r.problems,
        problem_count=r.count,
    )


def _wheelchair(r: _Reader, file: str, line: int, column: str, text: str | None) -> int:
    """0 (no information), 1 (accessible) or 2 (not); anything else is 0 with a warning."""
    if text is None:
        return 0
    if text in ("0", "1", "2"):
        return int(text)
    r.report(file, line, f"bad {column} {text!r}: taken as 0 (no information)", "warning")
    return 0


def inherited_stop_wheelchair(feed: Feed) -> U8:
    """wheelchair_boarding per stop, a 0 (no information) taking its parent's value, as the
    GTFS spec says for the stops and entrances of a station (and, up the chain, for boarding
    areas of a platform)."""
    out = feed.stop_wheelchair.astype(np.uint8).copy()
    parent = feed.stop_parent
    # Each pass climbs one level; GTFS hierarchies are at most three deep (area, platform,
    # station), and a cycle of parents (a broken feed) must not loop forever.
    for _ in range(4):
        todo = np.flatnonzero((out == 0) & (parent >= 0))
        if not len(todo):
            break
        values = out[parent[todo]]
        if not values.any():
            break
        out[todo] = values
    return out


def _i32(values: array[int]) -> I32:
    return (
        np.frombuffer(values, dtype=np.int32).astype(np.int32)
        if len(values)
        else np.zeros(0, dtype=np.int32)
    )


def _group_stop_times(
    r: _Reader,
    n_trips: int,
    trip_ids: list[str],
    bad_trip: npt.NDArray[np.bool_],
    st_trip: I32,
    st_seq: I32,
    st_stop: I32,
    st_arr: I32,
    st_dep: I32,
    st_flags: I32,
    st_line: I32,
) -> tuple[I32, tuple[I32, I32, I32, I32]]:
    """Sort stop times by (trip, stop_sequence), check each trip, interpolate missing times;
    drop the trips with an error. Returns the CSR offsets per trip and the columns
    (stop, arrival, departure, flags)."""
    order = np.lexsort((st_seq, st_trip))
    trip, seq = st_trip[order], st_seq[order]
    stop = st_stop[order]
    arr = st_arr[order]
    dep = st_dep[order]
    flags = st_flags[order]
    lines = st_line[order]
    n = len(trip)
    same = np.zeros(n, dtype=bool)
    if n:
        same[1:] = trip[1:] == trip[:-1]
    first = ~same
    last = np.ones(n, dtype=bool)
    if n:
        last[:-1] = first[1:]

    def flag(mask: npt.NDArray[np.bool_], message: str) -> None:
        for i in np.flatnonzero(mask & ~bad_trip[trip]).tolist():
            if not bad_trip[trip[i]]:
                r.report(
                    "stop_times.txt",
                    int(lines[i]),
                    f"trip {trip_ids[trip[i]]!r}: {message}: trip dropped",
                )
                bad_trip[trip[i]] = True

    repeated = np.zeros(n, dtype=bool)
    repeated[1:] = same[1:] & (seq[1:] == seq[:-1])
    flag(repeated, "duplicate stop_sequence")
    flag((first | last) & (arr < 0), "the first and last stop times must have times")

    # Interpolate the times missing at intermediate stops, linearly in stop order.
    missing = np.flatnonzero((arr < 0) & ~bad_trip[trip])
    if len(missing):
        timed = np.flatnonzero(arr >= 0)
        nxt = timed[np.searchsorted(timed, missing)]
        prv = timed[np.searchsorted(timed, missing) - 1]
        frac = (missing - prv) / (nxt - prv)
        est = np.floor(dep[prv] + frac * (arr[nxt] - dep[prv])).astype(np.int32)
        arr[missing] = est
        dep[missing] = est

    ok = ~bad_trip[trip]
    backwards = ok & (dep < arr)
    if n:
        backwards[1:] |= same[1:] & ok[1:] & (arr[1:] < dep[:-1])
    flag(backwards, "times go backwards")

    counts = np.bincount(trip[~bad_trip[trip]], minlength=n_trips)
    for t in np.flatnonzero((counts == 1) & ~bad_trip):
        r.report(
            "stop_times.txt",
            int(lines[np.searchsorted(trip, t)]),
            f"trip {trip_ids[t]!r} has a single stop time: ignored",
            "warning",
        )
        bad_trip[t] = True
    keep = ~bad_trip[trip]
    trip = trip[keep]
    counts = np.bincount(trip, minlength=n_trips)
    trip_st = np.zeros(n_trips + 1, dtype=np.int32)
    np.cumsum(counts, out=trip_st[1:])
    return trip_st, (
        stop[keep].astype(np.int32),
        arr[keep].astype(np.int32),
        dep[keep].astype(np.int32),
        flags[keep].astype(np.int32),
    )


def merge_feeds(feeds: Sequence[tuple[str, Feed]]) -> Feed:
    """One feed from several operators' feeds: every id (stop, route, trip, service) becomes
    `f"{prefix}:{id}"` so that ids never collide, index arrays are shifted, calendars and
    calendar dates are kept per (prefixed) service, transfers stay within their feed, and each
    problem's file becomes `f"{prefix}:{file}"`. Prefixes must be distinct, non-empty and
    without ":" (so a merged id splits back at its first ":"). No footpath joins two feeds:
    that is what `WalkLinks` do when the timetable is built."""
    prefixes = [p for p, _ in feeds]
    for p in prefixes:
        if not p or ":" in p:
            raise ValueError(f"bad feed prefix {p!r}: it must be non-empty and without ':'")
    if len(set(prefixes)) != len(prefixes):
        raise ValueError(f"duplicate feed prefixes in {prefixes}")

    def ids(get: Callable[[Feed], list[str]]) -> list[str]:
        return [f"{p}:{x}" for p, f in feeds for x in get(f)]

    def cat(get: Callable[[Feed], npt.NDArray[Any]], dtype: type[np.generic]) -> Any:
        parts = [get(f) for _, f in feeds]
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    def shifted(get: Callable[[Feed], I32], size: Callable[[Feed], int]) -> I32:
        """Index arrays moved past the previous feeds' rows; -1 (none) stays -1."""
        parts: list[I32] = []
        offset = 0
        for _, f in feeds:
            a = get(f).astype(np.int32)
            parts.append(np.where(a >= 0, a + offset, a).astype(np.int32))
            offset += size(f)
        return np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, dtype=np.int32)

    # Stop times stay grouped by trip: each feed's CSR offsets move past the previous rows.
    starts: list[I32] = []
    base = 0
    for _, f in feeds:
        starts.append((f.trip_st[:-1] + base).astype(np.int32))
        base += int(f.trip_st[-1])
    trip_st = np.concatenate([*starts, np.array([base], dtype=np.int32)]).astype(np.int32)

    def n_stops(f: Feed) -> int:
        return len(f.stop_ids)

    def n_services(f: Feed) -> int:
        return len(f.service_ids)

    return Feed(
        stop_ids=ids(lambda f: f.stop_ids),
        stop_names=[x for _, f in feeds for x in f.stop_names],
        stop_lat=cat(lambda f: f.stop_lat, np.float64),
        stop_lon=cat(lambda f: f.stop_lon, np.float64),
        stop_type=cat(lambda f: f.stop_type, np.uint8),
        stop_parent=shifted(lambda f: f.stop_parent, n_stops),
        route_ids=ids(lambda f: f.route_ids),
        route_names=[x for _, f in feeds for x in f.route_names],
        route_types=cat(lambda f: f.route_types, np.int32),
        route_short_names=[x for _, f in feeds for x in f.route_short_names],
        trip_ids=ids(lambda f: f.trip_ids),
        trip_route=shifted(lambda f: f.trip_route, lambda f: len(f.route_ids)),
        trip_service=shifted(lambda f: f.trip_service, n_services),
        trip_st=trip_st,
        st_stop=shifted(lambda f: f.st_stop, n_stops),
        st_arr=cat(lambda f: f.st_arr, np.int32),
        st_dep=cat(lambda f: f.st_dep, np.int32),
        st_pickup=cat(lambda f: f.st_pickup, np.uint8),
        st_dropoff=cat(lambda f: f.st_dropoff, np.uint8),
        service_ids=ids(lambda f: f.service_ids),
        cal_weekdays=(
            np.vstack([f.cal_weekdays.reshape(-1, 7) for _, f in feeds]).astype(np.uint8)
            if feeds
            else np.zeros((0, 7), dtype=np.uint8)
        ),
        cal_start=cat(lambda f: f.cal_start, np.int32),
        cal_end=cat(lambda f: f.cal_end, np.int32),
        ex_service=shifted(lambda f: f.ex_service, n_services),
        ex_day=cat(lambda f: f.ex_day, np.int32),
        ex_added=cat(lambda f: f.ex_added, np.uint8),
        tr_from=shifted(lambda f: f.tr_from, n_stops),
        tr_to=shifted(lambda f: f.tr_to, n_stops),
        tr_type=cat(lambda f: f.tr_type, np.int32),
        tr_seconds=cat(lambda f: f.tr_seconds, np.int32),
        tr_line=cat(lambda f: f.tr_line, np.int32),
        stop_wheelchair=cat(lambda f: f.stop_wheelchair, np.uint8),
        trip_wheelchair=cat(lambda f: f.trip_wheelchair, np.uint8),
        problems=[
            Problem(f"{p}:{x.file}", x.line, x.message, x.severity)
            for p, f in feeds
            for x in f.problems
        ],
        problem_count=sum(f.problem_count for _, f in feeds),
    )
