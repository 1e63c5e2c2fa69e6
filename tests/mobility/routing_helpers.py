"""Small GTFS feeds written by the tests, and a checker of journeys against the timetable.

`Feed` here is a plain description: stops, trips (each a list of (stop, arrival, departure)
with times as 'HH:MM:SS' or seconds), services and transfers; `write()` turns it into a GTFS
zip in a temporary folder. The real Transilien feed lives in `../shared/data/mobility/` next
to the repository: outside CI a test that needs it is skipped when it is absent; under CI=true
it fails.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from parvis.mobility.routing import Journey, Timetable
from tests.services import IN_CI

ROOT = Path(__file__).resolve().parents[2]
TRANSILIEN = (
    ROOT.parent
    / "shared"
    / "data"
    / "mobility"
    / "gtfs_sncf_transilien_2016-12"
    / "transilien_gtfs_lines.zip"
)

DAY = date(2017, 1, 12)  # a Thursday
Time = str | int


def transilien() -> Path:
    if not TRANSILIEN.exists():
        message = f"the Transilien GTFS is not at {TRANSILIEN}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return TRANSILIEN


def hms(t: Time) -> str:
    if isinstance(t, str):
        return t
    return f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"


@dataclass
class Trip:
    id: str
    times: list[tuple[str, Time, Time]]
    service: str = "all"
    route: str = "R1"
    pickup: dict[int, int] = field(default_factory=dict)  # position -> pickup_type
    dropoff: dict[int, int] = field(default_factory=dict)
    wheelchair: int | str | None = None  # wheelchair_accessible (None: the cell is empty)


@dataclass
class Feed:
    stops: list[str] = field(default_factory=list)
    stations: dict[str, list[str]] = field(default_factory=dict)  # station -> its stops
    trips: list[Trip] = field(default_factory=list)
    # service -> (weekday flags "1111100", start, end)
    calendar: dict[str, tuple[str, str, str]] = field(
        default_factory=lambda: {"all": ("1111111", "20170101", "20171231")}
    )
    calendar_dates: list[tuple[str, str, int]] = field(default_factory=list)
    transfers: list[tuple[str, str, int, int | None]] = field(default_factory=list)
    coords: dict[str, tuple[float, float]] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)  # file name -> raw content
    # stop or station -> wheelchair_boarding; the column is written only when some are given
    wheelchair: dict[str, int | str] = field(default_factory=dict)

    def trip(
        self, id: str, *times: tuple[str, Time, Time] | tuple[str, Time], **kw: object
    ) -> Feed:
        rows = [(t[0], t[1], t[2] if len(t) > 2 else t[1]) for t in times]  # type: ignore[misc]
        for stop, _, _ in rows:
            if stop not in self.stops and not any(stop in v for v in self.stations.values()):
                self.stops.append(stop)
        self.trips.append(Trip(id, rows, **kw))  # type: ignore[arg-type]
        return self

    def files(self) -> dict[str, str]:
        out: dict[str, str] = {}
        routes = sorted({t.route for t in self.trips} | {"R1"})
        out["agency.txt"] = table(
            ["agency_id", "agency_name", "agency_url", "agency_timezone"],
            [["A", "Agency", "https://example.org", "Europe/Paris"]],
        )
        stop_rows = []
        for i, s in enumerate(self.stops):
            lat, lon = self.coords.get(s, (48.8 + i * 0.01, 2.3))
            stop_rows.append([s, s, lat, lon, 0, ""])
        for station, kids in self.stations.items():
            lat, lon = self.coords.get(station, (49.0, 2.0))
            stop_rows.append([station, station, lat, lon, 1, ""])
            for k in kids:
                klat, klon = self.coords.get(k, (lat, lon))
                stop_rows.append([k, k, klat, klon, 0, station])
        stop_header = [
            "stop_id",
            "stop_name",
            "stop_lat",
            "stop_lon",
            "location_type",
            "parent_station",
        ]
        if self.wheelchair:
            stop_header.append("wheelchair_boarding")
            stop_rows = [[*row, self.wheelchair.get(str(row[0]), "")] for row in stop_rows]
        out["stops.txt"] = table(stop_header, stop_rows)
        out["routes.txt"] = table(
            ["route_id", "agency_id", "route_short_name", "route_type"],
            [[r, "A", r, 3] for r in routes],
        )
        trip_header = ["route_id", "service_id", "trip_id"]
        trip_rows: list[list[object]] = [[t.route, t.service, t.id] for t in self.trips]
        if any(t.wheelchair is not None for t in self.trips):
            trip_header.append("wheelchair_accessible")
            for row, t in zip(trip_rows, self.trips, strict=True):
                row.append("" if t.wheelchair is None else t.wheelchair)
        out["trips.txt"] = table(trip_header, trip_rows)
        st_rows = []
        for t in self.trips:
            for i, (stop, a, d) in enumerate(t.times):
                st_rows.append(
                    [t.id, hms(a), hms(d), stop, i + 1, t.pickup.get(i, 0), t.dropoff.get(i, 0)]
                )
        out["stop_times.txt"] = table(
            [
                "trip_id",
                "arrival_time",
                "departure_time",
                "stop_id",
                "stop_sequence",
                "pickup_type",
                "drop_off_type",
            ],
            st_rows,
        )
        if self.calendar:
            out["calendar.txt"] = table(
                [
                    "service_id",
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday",
                    "start_date",
                    "end_date",
                ],
                [[s, *flags, start, end] for s, (flags, start, end) in self.calendar.items()],
            )
        if self.calendar_dates:
            out["calendar_dates.txt"] = table(
                ["service_id", "date", "exception_type"], [list(r) for r in self.calendar_dates]
            )
        if self.transfers:
            out["transfers.txt"] = table(
                ["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"],
                [[a, b, k, "" if s is None else s] for a, b, k, s in self.transfers],
            )
        out.update(self.extra)
        return out

    def write_folder(self, folder: Path) -> Path:
        """The feed as a folder of .txt files (the reader takes both)."""
        folder.mkdir(parents=True, exist_ok=True)
        for file, content in self.files().items():
            (folder / file).write_text(content, encoding="utf-8")
        return folder

    def write(self, folder: Path, name: str = "feed.zip") -> Path:
        path = folder / name
        with zipfile.ZipFile(path, "w") as z:
            for file, content in self.files().items():
                z.writestr(file, content)
        return path


def table(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def check_journey(
    tt: Timetable, j: Journey, origins: list[int], destinations: list[int], departure: int
) -> None:
    """A journey must be feasible under the timetable-only semantics: every ride is a real
    trip of a service day (boarding and alighting allowed, times as in the timetable), every
    walk a footpath of exact length, every change at a stop at least its change time."""
    assert j.rides == sum(leg.kind == "ride" for leg in j.legs)
    if not j.legs:
        assert set(origins) & set(destinations)
        assert j.arrival == departure
        return
    assert tt.stop_index[j.legs[0].from_stop] in origins
    assert tt.stop_index[j.legs[-1].to_stop] in destinations
    assert j.legs[0].departure >= departure
    assert j.arrival == j.legs[-1].arrival
    fp = {
        (s, int(tt.fp_to[e])): int(tt.fp_dur[e])
        for s in range(tt.n_stops)
        for e in range(tt.fp_off[s], tt.fp_off[s + 1])
    }
    previous = None
    for leg in j.legs:
        a, b = tt.stop_index[leg.from_stop], tt.stop_index[leg.to_stop]
        if leg.kind == "walk":
            assert leg.arrival - leg.departure == fp[(a, b)]
            if previous is not None:
                assert previous.kind == "ride" and previous.arrival <= leg.departure
        else:
            assert leg.trip_id is not None and leg.service_day is not None
            shift = (leg.service_day - j.day).days * 86_400
            _check_ride(tt, leg.trip_id, a, b, leg.departure - shift, leg.arrival - shift)
            assert tt.is_active(_trip_index(tt, leg.trip_id), tt.day_index(leg.service_day))
            if previous is not None:
                if previous.kind == "ride":
                    assert previous.to_stop == leg.from_stop
                    assert leg.departure >= previous.arrival + int(tt.change_time[a])
                else:
                    assert leg.departure >= previous.arrival
        previous = leg


def _trip_index(tt: Timetable, trip_id: str) -> int:
    feed_trip = tt.trip_ids.index(trip_id)
    return int((tt.trip_feed == feed_trip).nonzero()[0][0])


def _check_ride(tt: Timetable, trip_id: str, a: int, b: int, dep: int, arr: int) -> None:
    t = _trip_index(tt, trip_id)
    r = int((tt.route_trip_off <= t).nonzero()[0][-1])
    so, se = int(tt.route_stop_off[r]), int(tt.route_stop_off[r + 1])
    nt = int(tt.route_trip_off[r + 1] - tt.route_trip_off[r])
    j = t - int(tt.route_trip_off[r])
    base = int(tt.route_time_off[r])
    stops = tt.route_stops[so:se].tolist()
    for i, s in enumerate(stops):
        if s == a and tt.route_board[so + i] and int(tt.dep[base + i * nt + j]) == dep:
            for i2 in range(i + 1, len(stops)):
                if (
                    stops[i2] == b
                    and tt.route_alight[so + i2]
                    and int(tt.arr[base + j * len(stops) + i2]) == arr
                ):
                    return
    raise AssertionError(f"no ride {trip_id} from {a} at {dep} to {b} at {arr}")
