"""A synthetic timetable of Île-de-France size: build time, memory, query time of our core.

    python benchmarks/synthetic_idf.py [--scale 1.0] [--queries 200] [--seed 7] [--gtfs]

No full IDFM feed could be had (its stop_times.txt is about 1 GB), so this script makes one of
the same order: about 40,000 stops (20,000 stations with one stop per direction, denser towards
the centre of a 60 x 60 km square), 1,900 lines (10 % rail-like: longer, faster, with express
variants; the rest bus-like) running both ways from 05:00 to 25:00 with peak and off-peak
headways and slower trips at peak hours (so that some trips overtake others), about 10 million
stop times, weekday and weekend services, and transfers.txt-like footpaths between the two
stops of a station and to stations less than 150 m away.

The feed is generated as arrays (`Feed`), then `build_timetable` builds the timetable for one
weekday (loaded: that day and the days around it), as for the real feed. Reported: generation
and build time, the growth of the process's resident memory during the build, the size of the
timetable arrays, and the median / p95 time of random station-to-station queries (departure
uniform over the day, at most 5 transfers, arrival within 24 h). With `--gtfs` the feed is
also written as a GTFS zip and read back with `read_gtfs` (parse time; slow: minutes).
Writes benchmarks/results/synthetic_idf.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parvis.mobility.routing import build_timetable, read_gtfs, search  # noqa: E402
from parvis.mobility.routing.gtfs import Feed  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "synthetic_idf.json"
DAY = date(2017, 1, 12)  # a Thursday
SIDE_M = 60_000.0


def rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def generate(scale: float, seed: int) -> Feed:
    rng = np.random.default_rng(seed)
    n_stations = int(20_000 * scale)
    n_lines = int(1_900 * scale)
    # stations: a dense core and a sparser ring, clipped to the square
    xy = rng.normal(0.0, 11_000.0, size=(n_stations, 2))
    xy = np.clip(xy, -SIDE_M / 2, SIDE_M / 2)
    cell = 1_000.0
    grid: dict[tuple[int, int], list[int]] = {}
    for i, (x, y) in enumerate(xy.tolist()):
        grid.setdefault((int(x // cell), int(y // cell)), []).append(i)

    def near(i: int, radius: float) -> list[int]:
        x, y = xy[i]
        cx, cy = int(x // cell), int(y // cell)
        r = math.ceil(radius / cell)
        out = []
        for dx in range(-r, r + 1):
            for dy in range(-r, r + 1):
                out += grid.get((cx + dx, cy + dy), [])
        return out

    stop_ids: list[str] = []
    stop_type: list[int] = []
    parent: list[int] = []
    lat: list[float] = []
    lon: list[float] = []
    for i, (x, y) in enumerate(xy.tolist()):
        la, lo = 48.8566 + y / 111_320.0, 2.3522 + x / (111_320.0 * math.cos(0.8527))
        stop_ids += [f"station{i}", f"stop{i}a", f"stop{i}b"]
        stop_type += [1, 0, 0]
        parent += [-1, 3 * i, 3 * i]
        lat += [la, la, la]
        lon += [lo, lo + 0.0003, lo - 0.0003]

    trip_route: list[int] = []
    trip_service: list[int] = []
    st_stop: list[np.ndarray] = []
    st_arr: list[np.ndarray] = []
    st_dep: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    pyrng = random.Random(seed)
    for line in range(n_lines):
        rail = line % 10 == 0
        n_stops = pyrng.randint(18, 40) if rail else pyrng.randint(15, 35)
        step = 1_800.0 if rail else 450.0
        # a path: from a random station, go roughly in one direction, nearest station ahead
        cur = pyrng.randrange(n_stations)
        heading = pyrng.uniform(0, 2 * math.pi)
        path = [cur]
        seen = {cur}
        while len(path) < n_stops:
            heading += pyrng.gauss(0, 0.35)
            tx = xy[cur, 0] + step * math.cos(heading)
            ty = xy[cur, 1] + step * math.sin(heading)
            cands = [c for c in near(cur, step * 1.6) if c not in seen]
            if not cands:
                break
            d = [(xy[c, 0] - tx) ** 2 + (xy[c, 1] - ty) ** 2 for c in cands]
            cur = cands[int(np.argmin(d))]
            path.append(cur)
            seen.add(cur)
        if len(path) < 3:
            continue
        p = np.array(path)
        dist = np.hypot(*(xy[p[1:]] - xy[p[:-1]]).T)
        speed = 14.0 if rail else 5.0
        run = np.maximum(60, np.round(dist / speed / 30) * 30).astype(np.int64)
        dwell = 60 if rail else 0
        variants = [np.arange(len(p))]
        if rail:  # an express variant skipping every other stop
            variants.append(np.r_[np.arange(0, len(p) - 1, 2), len(p) - 1])
        for direction in (0, 1):
            order = p if direction == 0 else p[::-1]
            seg = run if direction == 0 else run[::-1]
            stops = 3 * order + 1 + direction
            for v, keep in enumerate(variants):
                # departures: 05:00-25:00, peak headways 07-09:30 and 16:30-19:30
                head_peak = pyrng.choice((270, 330, 420, 480, 690, 840))
                head_off = head_peak * 2
                if v == 1:
                    head_peak, head_off = head_peak * 2, head_peak * 4
                starts = []
                t = 5 * 3600 + pyrng.randrange(0, head_off)
                while t < 25 * 3600:
                    starts.append(t)
                    peak = 7 * 3600 <= t < 9.5 * 3600 or 16.5 * 3600 <= t < 19.5 * 3600
                    t += head_peak if peak else head_off
                starts_a = np.array(starts, dtype=np.int64)
                cum = np.r_[0, np.cumsum(seg + dwell)][keep]
                for s0 in starts_a.tolist():
                    peak = 7 * 3600 <= s0 < 9.5 * 3600 or 16.5 * 3600 <= s0 < 19.5 * 3600
                    factor = 1.25 if peak else 1.0
                    arr = s0 + np.round(cum * factor).astype(np.int64)
                    dep = arr + np.where(np.arange(len(keep)) == 0, 0, dwell)
                    dep[-1] = arr[-1]
                    st_stop.append(stops[keep])
                    st_arr.append(arr)
                    st_dep.append(dep)
                    lengths.append(np.array([len(keep)]))
                    trip_route.append(line)
                    trip_service.append(0 if pyrng.random() < 0.95 else 1)

    n_trips = len(trip_route)
    counts = np.concatenate(lengths)
    trip_st = np.zeros(n_trips + 1, dtype=np.int32)
    np.cumsum(counts, out=trip_st[1:])
    n_st = int(trip_st[-1])

    # footpaths: the two stops of a station, and stations less than 150 m apart
    tr: list[tuple[int, int, int]] = []
    for i in range(n_stations):
        tr.append((3 * i + 1, 3 * i + 2, pyrng.choice((60, 90, 120))))
        for j in near(i, 150.0):
            if j > i:
                d = float(np.hypot(*(xy[i] - xy[j])))
                if d <= 150.0:
                    secs = math.ceil(d / 1.1) + 60
                    tr += [(3 * i + 1, 3 * j + 1, secs), (3 * i + 2, 3 * j + 2, secs)]
    tr_a = np.array(tr, dtype=np.int32)
    i32 = np.int32
    return Feed(
        stop_ids=stop_ids,
        stop_names=stop_ids,
        stop_lat=np.array(lat),
        stop_lon=np.array(lon),
        stop_type=np.array(stop_type, dtype=np.uint8),
        stop_parent=np.array(parent, dtype=i32),
        route_ids=[f"line{i}" for i in range(n_lines)],
        route_names=[f"{i}" for i in range(n_lines)],
        route_types=np.array([2 if i % 10 == 0 else 3 for i in range(n_lines)], dtype=i32),
        trip_ids=[f"trip{i}" for i in range(n_trips)],
        trip_route=np.array(trip_route, dtype=i32),
        trip_service=np.array(trip_service, dtype=i32),
        trip_st=trip_st,
        st_stop=np.concatenate(st_stop).astype(i32),
        st_arr=np.concatenate(st_arr).astype(i32),
        st_dep=np.concatenate(st_dep).astype(i32),
        st_pickup=np.ones(n_st, dtype=np.uint8),
        st_dropoff=np.ones(n_st, dtype=np.uint8),
        service_ids=["weekday", "weekend"],
        cal_weekdays=np.array([[1, 1, 1, 1, 1, 0, 0], [0, 0, 0, 0, 0, 1, 1]], dtype=np.uint8),
        cal_start=np.array([date(2017, 1, 1).toordinal()] * 2, dtype=i32),
        cal_end=np.array([date(2017, 12, 31).toordinal()] * 2, dtype=i32),
        ex_service=np.zeros(0, dtype=i32),
        ex_day=np.zeros(0, dtype=i32),
        ex_added=np.zeros(0, dtype=np.uint8),
        tr_from=tr_a[:, 0].copy(),
        tr_to=tr_a[:, 1].copy(),
        tr_type=np.full(len(tr_a), 2, dtype=i32),
        tr_seconds=tr_a[:, 2].copy(),
        tr_line=np.arange(2, len(tr_a) + 2, dtype=i32),
    )


def write_gtfs(feed: Feed, path: Path) -> None:
    def hms(t: int) -> str:
        return f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        rows = ["stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station"]
        for i, s in enumerate(feed.stop_ids):
            p = feed.stop_parent[i]
            rows.append(
                f"{s},{s},{feed.stop_lat[i]:.6f},{feed.stop_lon[i]:.6f},"
                f"{feed.stop_type[i]},{feed.stop_ids[p] if p >= 0 else ''}"
            )
        z.writestr("stops.txt", "\n".join(rows) + "\n")
        z.writestr(
            "routes.txt",
            "route_id,route_short_name,route_type\n"
            + "".join(
                f"{r},{n},{t}\n"
                for r, n, t in zip(
                    feed.route_ids, feed.route_names, feed.route_types.tolist(), strict=True
                )
            ),
        )
        z.writestr(
            "trips.txt",
            "route_id,service_id,trip_id\n"
            + "".join(
                f"{feed.route_ids[r]},{feed.service_ids[s]},{t}\n"
                for r, s, t in zip(
                    feed.trip_route.tolist(), feed.trip_service.tolist(), feed.trip_ids, strict=True
                )
            ),
        )
        z.writestr(
            "calendar.txt",
            "service_id,monday,tuesday,wednesday,thursday,friday,"
            "saturday,sunday,start_date,end_date\n"
            "weekday,1,1,1,1,1,0,0,20170101,20171231\n"
            "weekend,0,0,0,0,0,1,1,20170101,20171231\n",
        )
        z.writestr(
            "transfers.txt",
            "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"
            + "".join(
                f"{feed.stop_ids[a]},{feed.stop_ids[b]},2,{s}\n"
                for a, b, s in zip(
                    feed.tr_from.tolist(),
                    feed.tr_to.tolist(),
                    feed.tr_seconds.tolist(),
                    strict=True,
                )
            ),
        )
        with z.open("stop_times.txt", "w") as out:
            out.write(b"trip_id,arrival_time,departure_time,stop_id,stop_sequence\n")
            stops, arrs, deps = (feed.st_stop.tolist(), feed.st_arr.tolist(), feed.st_dep.tolist())
            off = feed.trip_st.tolist()
            for t, tid in enumerate(feed.trip_ids):
                chunk = [
                    f"{tid},{hms(arrs[k])},{hms(deps[k])},{feed.stop_ids[stops[k]]},{k - off[t]}\n"
                    for k in range(off[t], off[t + 1])
                ]
                out.write("".join(chunk).encode())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--gtfs", action="store_true", help="also write and parse a GTFS zip")
    args = ap.parse_args()
    load_before = os.getloadavg()
    report: dict[str, Any] = {
        "scale": args.scale,
        "seed": args.seed,
        "day": DAY.isoformat(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    start = time.perf_counter()
    feed = generate(args.scale, args.seed)
    report["generate_s"] = time.perf_counter() - start
    feed_bytes = sum(v.nbytes for v in vars(feed).values() if isinstance(v, np.ndarray))
    report["feed"] = {
        "stops": int((feed.stop_type == 0).sum()),
        "stations": int((feed.stop_type == 1).sum()),
        "lines": len(feed.route_ids),
        "trips": len(feed.trip_ids),
        "stop_times": len(feed.st_stop),
        "transfers": len(feed.tr_from),
        "array_bytes": feed_bytes,
    }
    print(f"generated in {report['generate_s']:.1f} s: {report['feed']}", flush=True)

    if args.gtfs:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "synthetic.zip"
            start = time.perf_counter()
            write_gtfs(feed, path)
            report["gtfs_write_s"] = time.perf_counter() - start
            report["gtfs_zip_bytes"] = path.stat().st_size
            gc.collect()
            before = rss()
            start = time.perf_counter()
            parsed = read_gtfs(path)
            report["gtfs_parse_s"] = time.perf_counter() - start
            report["gtfs_parse_rss_growth_bytes"] = rss() - before
            assert len(parsed.st_stop) == len(feed.st_stop), parsed.problems[:5]
            print(
                f"GTFS zip {path.stat().st_size / 2**20:.0f} MB written in "
                f"{report['gtfs_write_s']:.0f} s, parsed in {report['gtfs_parse_s']:.0f} s",
                flush=True,
            )
            del parsed

    # a first (small) build compiles or loads the numba code
    build_timetable(generate(0.01, 1), (DAY, DAY))
    gc.collect()
    before = rss()
    start = time.perf_counter()
    tt = build_timetable(feed, (DAY, DAY))
    report["build_s"] = time.perf_counter() - start
    report["build_rss_growth_bytes"] = rss() - before
    report["timetable"] = {
        "stops": tt.n_stops,
        "routes": tt.n_routes,
        "trips": tt.n_trips,
        "stop_times": tt.n_stop_times,
        "footpaths": tt.n_footpaths,
        "array_bytes": tt.nbytes,
        "routes_not_fifo_across_days": int((tt.route_xday_fifo == 0).sum()),
    }
    print(f"built in {report['build_s']:.1f} s: {report['timetable']}", flush=True)

    served = set(tt.route_stops.tolist())
    stations = [
        i
        for i in range(tt.n_stops)
        if tt.stop_type[i] == 1 and any(s in served for s in tt.stops_of(tt.stop_ids[i]))
    ]
    rng = random.Random(args.seed)
    queries = [(*rng.sample(stations, 2), rng.randrange(0, 1440) * 60) for _ in range(args.queries)]
    times: list[float] = []
    found = 0
    gc.collect()
    before = rss()
    for i, (a, b, t) in enumerate(queries):
        o = [(s, 0) for s in tt.stops_of(tt.stop_ids[a])]
        d = [(s, 0) for s in tt.stops_of(tt.stop_ids[b])]
        start = time.perf_counter()
        journeys = search(tt, o, d, DAY, t)
        elapsed = time.perf_counter() - start
        if i >= 5:  # the first queries allocate the scratch arrays
            times.append(elapsed)
        found += bool(journeys)
    ordered = sorted(times)
    report["query"] = {
        "n": len(times),
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
        "with_journey": found,
        "scratch_rss_bytes": rss() - before,
    }
    report["peak_rss_bytes"] = _peak_rss()
    report["load_average"] = {"before": load_before[0], "after": os.getloadavg()[0]}
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    q = report["query"]
    print(
        f"queries: median {q['median_ms']:.1f} ms, p95 {q['p95_ms']:.1f} ms "
        f"({found}/{len(queries)} with a journey); timetable arrays "
        f"{tt.nbytes / 2**20:.0f} MB, build RSS growth "
        f"{report['build_rss_growth_bytes'] / 2**20:.0f} MB, peak RSS "
        f"{report['peak_rss_bytes'] / 2**20:.0f} MB; load average {load_before[0]:.1f}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


def _peak_rss() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


if __name__ == "__main__":
    sys.exit(main())
