"""Reading GTFS: what is kept, and every problem reported with its file and line."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from parvis.mobility.routing import GtfsError, load_timetable, read_gtfs
from parvis.mobility.routing.gtfs import parse_time
from tests.mobility.routing_helpers import Feed, table


def line_feed() -> Feed:
    return Feed().trip("t1", ("A", "08:00:00"), ("B", "08:10:00", "08:11:00"), ("C", "08:20:00"))


def problems(feed_path: Path) -> list[str]:
    return [str(p) for p in read_gtfs(feed_path).problems]


def test_parse_time_accepts_hours_past_midnight_and_rejects_garbage() -> None:
    assert parse_time("8:05:09") == 8 * 3600 + 5 * 60 + 9
    assert parse_time("25:10:00") == 25 * 3600 + 600
    for bad in ("8:5:00", "08:60:00", "08:00", "aa:00:00", "08:00:61", ":10:00"):
        with pytest.raises(ValueError, match="not a GTFS time"):
            parse_time(bad)


def test_reads_a_small_feed(tmp_path: Path) -> None:
    feed = read_gtfs(line_feed().write(tmp_path))
    assert feed.stop_ids == ["A", "B", "C"]
    assert feed.trip_ids == ["t1"]
    assert feed.st_arr.tolist() == [28800, 29400, 30000]
    assert feed.st_dep.tolist() == [28800, 29460, 30000]
    assert feed.problems == []
    assert feed.date_range() == (date(2017, 1, 1), date(2017, 12, 31))


def test_reads_a_folder_and_a_zip_with_a_subfolder(tmp_path: Path) -> None:
    files = line_feed().files()
    folder = tmp_path / "gtfs"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_text(content)
    assert read_gtfs(folder).trip_ids == ["t1"]
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as z:
        for name, content in files.items():
            z.writestr(f"export/{name}", content)
    assert read_gtfs(nested).trip_ids == ["t1"]


def test_a_missing_required_file_is_fatal(tmp_path: Path) -> None:
    f = line_feed()
    path = tmp_path / "broken.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name, content in f.files().items():
            if name != "stop_times.txt":
                z.writestr(name, content)
    with pytest.raises(GtfsError, match=r"stop_times.txt: error: required file is missing"):
        read_gtfs(path)


def test_no_calendar_at_all_is_fatal(tmp_path: Path) -> None:
    f = line_feed()
    f.calendar = {}
    with pytest.raises(GtfsError, match=r"neither calendar\.txt nor calendar_dates\.txt"):
        read_gtfs(f.write(tmp_path))


def test_a_missing_required_column_is_fatal_with_its_line(tmp_path: Path) -> None:
    f = line_feed()
    f.extra["trips.txt"] = table(["route_id", "trip_id"], [["R1", "t1"]])
    with pytest.raises(GtfsError) as caught:
        read_gtfs(f.write(tmp_path))
    assert "trips.txt:1: error: missing required column(s): service_id" in str(caught.value)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "feed.zip"
    path.write_text("hello")
    with pytest.raises(GtfsError, match="cannot open the feed"):
        read_gtfs(path)


def test_bad_rows_are_reported_with_file_and_line_and_their_trips_dropped(
    tmp_path: Path,
) -> None:
    f = line_feed()
    f.trip("bad_time", ("A", "09:00:00"), ("B", "09:6O:00"), ("C", "09:20:00"))
    f.trip("unknown_stop", ("A", "10:00:00"), ("X", "10:10:00"))
    f.trip("backwards", ("A", "11:00:00"), ("B", "10:50:00"))
    f.trip("lonely", ("A", "12:00:00"))
    f.trip("good", ("A", "13:00:00"), ("C", "13:30:00"))
    f.stops.remove("X")
    files = f.files()
    files["stop_times.txt"] += "ghost,14:00:00,14:00:00,A,1,0,0\n"
    files["stop_times.txt"] += "good,13:40:00,13:40:00,B,2,0,0\n"  # duplicate stop_sequence
    files["trips.txt"] += "NOPE,all,orphan\n"
    files["stop_times.txt"] += "t1,08:30:00,08:30:00,C,9,0,0,extra\n"
    files["stop_times.txt"] += "t1,08:40:00,08:40:00,A,10\n"  # trailing fields left out: fine
    path = tmp_path / "errors.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    feed = read_gtfs(path)
    found = [str(p) for p in feed.problems]
    # line numbers count the header as line 1
    assert (
        "stop_times.txt:6: error: trip 'bad_time': bad stop_sequence, time, pickup_type or "
        "drop_off_type: trip dropped" in found
    )
    assert (
        "stop_times.txt:9: error: trip 'unknown_stop': unknown stop_id 'X': trip dropped" in found
    )
    assert "stop_times.txt:11: error: trip 'backwards': times go backwards: trip dropped" in found
    assert "stop_times.txt:12: warning: trip 'lonely' has a single stop time: ignored" in found
    assert "stop_times.txt:15: error: unknown trip_id 'ghost': row ignored" in found
    assert "stop_times.txt:16: error: trip 'good': duplicate stop_sequence: trip dropped" in found
    assert "stop_times.txt:17: error: 8 fields where the header has 7: row ignored" in found
    assert "trips.txt:8: error: trip 'orphan': unknown route_id 'NOPE': trip ignored" in found
    assert len(feed.errors) == 7
    kept = {
        feed.trip_ids[t] for t in range(len(feed.trip_ids)) if feed.trip_st[t + 1] > feed.trip_st[t]
    }
    assert kept == {"t1"}
    # the timetable is still built, with the problems attached; strict refuses the feed
    tt = load_timetable(path)
    assert tt.n_trips == 1 and len(tt.problems) == len(feed.problems)
    with pytest.raises(GtfsError, match="7 problems"):
        load_timetable(path, strict=True)


def test_missing_intermediate_times_are_interpolated(tmp_path: Path) -> None:
    f = Feed().trip("t", ("A", "08:00:00"), ("B", ""), ("C", ""), ("D", "08:30:00"))
    feed = read_gtfs(f.write(tmp_path))
    assert feed.st_arr.tolist() == [28800, 29400, 30000, 30600]
    assert feed.problems == []
    f2 = Feed().trip("t", ("A", ""), ("B", "08:10:00"))
    assert (
        "the first and last stop times must have times" in problems(f2.write(tmp_path, "2.zip"))[0]
    )


def test_services_from_calendar_and_calendar_dates(tmp_path: Path) -> None:
    f = line_feed()
    f.calendar = {"weekdays": ("1111100", "20170101", "20170131")}
    f.calendar_dates = [
        ("weekdays", "20170112", 2),
        ("weekdays", "20170114", 1),
        ("once", "20170120", 1),
    ]
    f.trips[0].service = "weekdays"
    f.trip("t2", ("A", "09:00:00"), ("C", "09:20:00"), service="once")
    f.trip("t3", ("A", "09:00:00"), ("C", "09:20:00"), service="nowhere")
    path = f.write(tmp_path)
    assert (
        "trips.txt:4: warning: service_id 'nowhere' is in no calendar: it never runs"
        in problems(path)
    )
    tt = load_timetable(path, (date(2017, 1, 9), date(2017, 1, 21)))
    assert tt.n_trips == 2  # t3 never runs
    t1 = tt.trip_ids.index("t1")
    runs = [
        tt.first_day.toordinal() + d
        for d in range(tt.n_days)
        if tt.is_active(int((tt.trip_feed == t1).nonzero()[0][0]), d)
    ]
    days = {date.fromordinal(d).day for d in runs}
    assert 12 not in days and 14 in days and 13 in days and 15 not in days


def test_unsupported_things_are_warnings(tmp_path: Path) -> None:
    f = line_feed()
    f.extra["frequencies.txt"] = table(
        ["trip_id", "start_time", "end_time", "headway_secs"], [["t1", "08:00:00", "09:00:00", 600]]
    )
    f.extra["transfers.txt"] = table(
        ["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time", "from_trip_id"],
        [
            ["A", "B", 2, 60, "t1"],
            ["A", "B", 5, "", ""],
            ["A", "Q", 2, 60, ""],
            ["A", "B", 2, "", ""],
        ],
    )
    found = problems(f.write(tmp_path))
    assert "frequencies.txt: warning: frequency-based trips are not supported: ignored" in found
    assert (
        "transfers.txt:2: warning: trip- or route-specific transfers are not supported: "
        "row ignored" in found
    )
    assert (
        "transfers.txt:3: warning: in-seat transfers (types 4 and 5) are not supported: "
        "row ignored" in found
    )
    assert "transfers.txt:4: error: unknown stop 'Q': row ignored" in found
    assert "transfers.txt:5: error: transfer_type 2 without min_transfer_time: row ignored" in found
