"""Routing core side by side with pynigiri (MOTIS's nigiri) and pyraptor, in one process.

    python benchmarks/routing.py [--queries 500] [--pyraptor-queries 500] [--day 2017-01-12]

On the real SNCF Transilien GTFS (shared/data/mobility), one weekday, the same random
station-to-station queries (seeded: distinct stations served that day, departure at a whole
minute drawn uniformly over the day, at most 5 transfers, arrival within 24 h) go to:

- **ours**: `parvis.mobility.routing` (flat arrays + numba RAPTOR), timetable-only semantics;
- **pynigiri** (the `bench` extra, MIT) made to follow the same semantics as far as it can: it
  reads a copy of the feed whose stops have unique names and no parent station (nigiri links
  same-name, parent/child and nearby stops by 2-minute footpaths otherwise;
  `link_stop_distance=0`), whose transfers.txt is *our* symmetric, transitively closed
  footpath set with each time rounded *up* to the whole minute (nigiri stores minutes and
  rounds transfers.txt times *down*; with every event of this feed on a whole minute, rounding
  up keeps exactly the same connections feasible), `adjust_footpaths=False`, footpaths from
  the origin on, 2-minute change time at a stop (nigiri's default = ours);
- **pynigiri out of the box** (original feed, default loader): to show what its defaults change;
- **pyraptor** (MIT, pure Python, a readable baseline): a timetable built by an adapter from
  our parsed feed (the trips of the query day and of the days before and after, shifted;
  "stations" = groups of stops joined by our footpaths, with our footpath times). It has no
  change time at a stop, relaxes no footpath from the origin, and may chain trips within one
  round, so it can find earlier (infeasible under our rules) arrivals.

Reported: median and p95 query time, timetable build time, memory (growth of the process's
resident set while building; our arrays' size too), and agreement of earliest arrivals and
of the Pareto sets (transfers, arrival) with ours. nigiri works in whole minutes: a journey of
ours that ends on a footpath arrives at an exact second, so arrivals are compared after
rounding ours up to the minute (exact matches are counted too). Writes
benchmarks/results/routing.json. Another process may load the machine: the load average is
recorded.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
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
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parvis.mobility.routing import Timetable, build_timetable, read_gtfs, search  # noqa: E402
from parvis.mobility.routing.gtfs import Feed  # noqa: E402

FEED = (
    ROOT.parent
    / "shared"
    / "data"
    / "mobility"
    / "gtfs_sncf_transilien_2016-12"
    / ("transilien_gtfs_lines.zip")
)
RESULTS = ROOT / "benchmarks" / "results" / "routing.json"
TZ = ZoneInfo("Europe/Paris")
MAX_TRANSFERS = 5
MAX_TRAVEL = 86_400

Query = tuple[int, int, int]  # origin station, destination station, seconds after midnight
Pareto = list[tuple[int, int]]  # (transfers, arrival seconds after midnight of the day)


def rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(build: Callable[[], Any]) -> tuple[Any, float, int]:
    gc.collect()
    before = rss()
    start = time.perf_counter()
    value = build()
    seconds = time.perf_counter() - start
    return value, seconds, rss() - before


def quantiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
        "n": len(ordered),
    }


def make_queries(tt: Timetable, n: int, seed: int) -> list[Query]:
    served = set(tt.route_stops.tolist())
    stations = [
        i
        for i in range(tt.n_stops)
        if tt.stop_type[i] == 1 and any(s in served for s in tt.stops_of(tt.stop_ids[i]))
    ]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        a, b = rng.sample(stations, 2)
        out.append((a, b, rng.randrange(0, 1440) * 60))
    return out


def pareto_ours(tt: Timetable, q: Query, day: date) -> tuple[Pareto, float]:
    o = [(s, 0) for s in tt.stops_of(tt.stop_ids[q[0]])]
    d = [(s, 0) for s in tt.stops_of(tt.stop_ids[q[1]])]
    start = time.perf_counter()
    journeys = search(tt, o, d, day, q[2], max_transfers=MAX_TRANSFERS, max_travel_time=MAX_TRAVEL)
    elapsed = time.perf_counter() - start
    return [(j.transfers, j.arrival) for j in journeys], elapsed


# ------------------------------------------------------------------------------ pynigiri


def nigiri_feed(src: Path, tt: Timetable, out: Path, *, faithful: bool) -> None:
    """Unzip the feed into `out`; when `faithful`, rewrite stops.txt and transfers.txt so that
    nigiri follows our semantics (see the module docstring)."""
    with zipfile.ZipFile(src) as z:
        for info in z.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if not name.endswith(".txt"):
                continue
            data = z.read(info)
            if faithful and name == "stops.txt":
                data = _flat_stops(data)
            if faithful and name == "transfers.txt":
                continue
            (out / name).write_bytes(data)
    if faithful:
        with open(out / "transfers.txt", "w", newline="") as handle:
            w = csv.writer(handle)
            w.writerow(["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"])
            for s in range(tt.n_stops):
                for e in range(tt.fp_off[s], tt.fp_off[s + 1]):
                    minutes = math.ceil(int(tt.fp_dur[e]) / 60)
                    w.writerow([tt.stop_ids[s], tt.stop_ids[tt.fp_to[e]], 2, minutes * 60])


def _flat_stops(data: bytes) -> bytes:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["stop_id", "stop_name", "stop_lat", "stop_lon", "location_type"])
    for r in rows:
        if (r.get("location_type") or "0") in ("0", ""):
            w.writerow([r["stop_id"], r["stop_id"], r["stop_lat"], r["stop_lon"], 0])
    return buf.getvalue().encode()


class Nigiri:
    def __init__(self, folder: Path, day: date, *, faithful: bool) -> None:
        import pynigiri as ng

        self.ng = ng
        self.faithful = faithful
        cfg = ng.LoaderConfig()
        cfg.default_tz = "Europe/Paris"
        if faithful:
            cfg.link_stop_distance = 0
        src = ng.TimetableSource("feed", str(folder), cfg)
        opts = ng.FinalizeOptions()
        if faithful:
            opts.adjust_footpaths = False
        first = (day - timedelta(days=1)).isoformat()
        last = (day + timedelta(days=2)).isoformat()
        self.tt = ng.load_timetable([src], first, last, opts)
        self.midnight = int(datetime(day.year, day.month, day.day, tzinfo=TZ).timestamp())

    def offsets(self, tt: Timetable, station: int) -> list[Any]:
        out = []
        for s in tt.stops_of(tt.stop_ids[station]):
            loc = self.tt.find_location(tt.stop_ids[s])
            if loc is not None:
                out.append(self.ng.Offset(loc, 0, 0))
        return out

    def query(self, tt: Timetable, q: Query) -> tuple[Pareto, float]:
        ng = self.ng
        query = ng.Query()
        query.start_time = (self.midnight + q[2]) // 60
        query.start = self.offsets(tt, q[0])
        query.destination = self.offsets(tt, q[1])
        query.start_match_mode = ng.LocationMatchMode.EXACT
        query.dest_match_mode = ng.LocationMatchMode.EXACT
        query.use_start_footpaths = True
        query.max_transfers = MAX_TRANSFERS
        query.max_travel_time = MAX_TRAVEL // 60
        start = time.perf_counter()
        journeys = ng.route(self.tt, query)
        elapsed = time.perf_counter() - start
        found = sorted({(j.transfers, j.dest_time * 60 - self.midnight) for j in journeys})
        return _pareto(found), elapsed


def _pareto(points: list[tuple[int, int]]) -> Pareto:
    out: Pareto = []
    for transfers, arrival in sorted(points):
        if not out or arrival < out[-1][1]:
            out.append((transfers, arrival))
    return out


# ------------------------------------------------------------------------------ pyraptor


class PyRaptor:
    def __init__(self, feed: Feed, tt: Timetable, day: date) -> None:
        from loguru import logger
        from pyraptor.model import structures as st
        from pyraptor.model.raptor import RaptorAlgorithm

        logger.remove()
        self.algorithm = RaptorAlgorithm
        qday = tt.day_index(day)
        # stations: groups of stops joined by footpaths
        group = list(range(tt.n_stops))

        def find(x: int) -> int:
            while group[x] != x:
                group[x] = group[group[x]]
                x = group[x]
            return x

        for s in range(tt.n_stops):
            for e in range(tt.fp_off[s], tt.fp_off[s + 1]):
                group[find(s)] = find(int(tt.fp_to[e]))
        stations = st.Stations()
        stops = st.Stops()
        self.stop: dict[int, Any] = {}
        for s in set(tt.route_stops.tolist()) | set(tt.fp_to.tolist()):
            station = stations.add(st.Station(find(s), str(find(s))))
            stop = st.Stop(tt.stop_ids[s], tt.stop_ids[s], station, "")
            station.add_stop(stop)
            self.stop[s] = stops.add(stop)
        trips = st.Trips()
        for r in range(tt.n_routes):
            so, se = int(tt.route_stop_off[r]), int(tt.route_stop_off[r + 1])
            t0, t1 = int(tt.route_trip_off[r]), int(tt.route_trip_off[r + 1])
            nt, base = t1 - t0, int(tt.route_time_off[r])
            for j in range(nt):
                for dd in (-1, 0, 1):
                    if not tt.is_active(t0 + j, qday + dd):
                        continue
                    last_arr = int(tt.arr[base + j * (se - so) + se - so - 1]) + dd * 86_400
                    if last_arr < 0:
                        continue
                    trip = st.Trip()
                    for i in range(se - so):
                        trip.add_stop_time(
                            st.TripStopTime(
                                trip,
                                i,
                                self.stop[int(tt.route_stops[so + i])],
                                int(tt.arr[base + j * (se - so) + i]) + dd * 86_400,
                                int(tt.dep[base + i * nt + j]) + dd * 86_400,
                            )
                        )
                    trips.add(trip)
        routes = st.Routes()
        for trip in trips:
            routes.add(trip)
        transfers = st.Transfers()
        for s in range(tt.n_stops):
            for e in range(tt.fp_off[s], tt.fp_off[s + 1]):
                transfers.add(
                    st.Transfer(
                        from_stop=self.stop[s],
                        to_stop=self.stop[int(tt.fp_to[e])],
                        layovertime=int(tt.fp_dur[e]),
                    )
                )
        self.tt = st.Timetable(
            stations=stations,
            stops=stops,
            trips=trips,
            trip_stop_times=st.TripStopTimes(),
            routes=routes,
            transfers=transfers,
        )
        self.n_trips = len(trips)

    def query(self, tt: Timetable, q: Query) -> tuple[Pareto, float]:
        origin = [self.stop[s] for s in tt.stops_of(tt.stop_ids[q[0]]) if s in self.stop]
        dest = [self.stop[s] for s in tt.stops_of(tt.stop_ids[q[1]]) if s in self.stop]
        start = time.perf_counter()
        bags = self.algorithm(self.tt).run(origin, q[2], MAX_TRANSFERS + 1)
        elapsed = time.perf_counter() - start
        points = []
        for k in range(1, MAX_TRANSFERS + 2):
            best = min(bags[k][s].earliest_arrival_time for s in dest)
            if best <= q[2] + MAX_TRAVEL:
                points.append((k - 1, best))
        return _pareto(points), elapsed


# ------------------------------------------------------------------------------ main


def compare(ours: list[Pareto], theirs: list[Pareto | None], *, minutes: bool) -> dict[str, Any]:
    def up(t: int) -> int:
        return -(-t // 60) * 60 if minutes else t

    same_ea = same_ea_exact = same_pareto = n = 0
    kinds = {"theirs_earlier": 0, "theirs_later": 0, "only_ours": 0, "only_theirs": 0}
    diffs = []
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        if b is None:
            continue
        n += 1
        ea_a = min((t for _, t in a), default=None)
        ea_b = min((t for _, t in b), default=None)
        if ea_a == ea_b:
            same_ea_exact += 1
        if (ea_a is None and ea_b is None) or (
            ea_a is not None and ea_b is not None and up(ea_a) == ea_b
        ):
            same_ea += 1
        else:
            if ea_a is None:
                kinds["only_theirs"] += 1
            elif ea_b is None:
                kinds["only_ours"] += 1
            else:
                kinds["theirs_earlier" if ea_b < up(ea_a) else "theirs_later"] += 1
            if len(diffs) < 20:
                diffs.append({"query": i, "ours": a, "theirs": b})
        if _pareto([(k, up(t)) for k, t in a]) == b:
            same_pareto += 1
    return {
        "queries": n,
        "same_earliest_arrival": same_ea,
        "same_earliest_arrival_to_the_second": same_ea_exact,
        "same_pareto_set": same_pareto,
        "different_earliest_arrival": kinds,
        "differences": diffs,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feed", type=Path, default=FEED)
    ap.add_argument("--day", type=date.fromisoformat, default=date(2017, 1, 12))
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument(
        "--pyraptor-queries",
        type=int,
        default=500,
        help="pyraptor takes about a second a query: run it on the first N",
    )
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--no-pynigiri", action="store_true")
    args = ap.parse_args()
    if not args.feed.exists():
        print(f"feed not found: {args.feed}")
        return 2
    load_before = os.getloadavg()
    day = args.day
    report: dict[str, Any] = {
        "feed": args.feed.name,
        "day": day.isoformat(),
        "queries": args.queries,
        "seed": args.seed,
        "max_transfers": MAX_TRANSFERS,
        "max_travel_time_s": MAX_TRAVEL,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "engines": {},
    }

    # ours: a first build compiles or loads the numba code; the timed build is the second.
    search_warm = build_timetable(read_gtfs(args.feed), (day, day))
    del search_warm

    parse_s = 0.0

    def build_ours() -> tuple[Feed, Timetable]:
        nonlocal parse_s
        start = time.perf_counter()
        feed = read_gtfs(args.feed)
        parse_s = time.perf_counter() - start
        return feed, build_timetable(feed, (day, day))

    (feed, tt), ours_build_s, mem = measure(build_ours)
    queries = make_queries(tt, args.queries, args.seed)
    for q in queries[:20]:
        pareto_ours(tt, q, day)
    ours = []
    ours_t = []
    for q in queries:
        p, t = pareto_ours(tt, q, day)
        ours.append(p)
        ours_t.append(t)
    report["engines"]["ours"] = {
        "build_s": ours_build_s,
        "parse_s": parse_s,
        "rss_growth_bytes": mem,
        "timetable_bytes": tt.nbytes,
        "timetable": {
            "stops": tt.n_stops,
            "routes": tt.n_routes,
            "trips": tt.n_trips,
            "stop_times": tt.n_stop_times,
            "footpaths": tt.n_footpaths,
        },
        "query": quantiles(ours_t),
        "with_journey": sum(1 for p in ours if p),
    }

    results: dict[str, list[Pareto | None]] = {}
    if not args.no_pynigiri:
        for name, faithful in (("pynigiri", True), ("pynigiri-default", False)):
            with tempfile.TemporaryDirectory() as tmp:
                nigiri_feed(args.feed, tt, Path(tmp), faithful=faithful)
                engine, build_s, mem = measure(
                    lambda t=tmp, f=faithful: Nigiri(Path(t), day, faithful=f)
                )
                for q in queries[:20]:
                    engine.query(tt, q)
                res: list[Pareto | None] = []
                times = []
                for q in queries:
                    p, t = engine.query(tt, q)
                    res.append(p)
                    times.append(t)
                results[name] = res
                report["engines"][name] = {
                    "build_s": build_s,
                    "rss_growth_bytes": mem,
                    "query": quantiles(times),
                    "agreement": compare(ours, res, minutes=True),
                }
                del engine

    n_py = min(args.pyraptor_queries, len(queries))
    if n_py > 0:
        engine_py, build_s, mem = measure(lambda: PyRaptor(feed, tt, day))
        res = []
        times = []
        for q in queries[:n_py]:
            p, t = engine_py.query(tt, q)
            res.append(p)
            times.append(t)
        res += [None] * (len(queries) - n_py)
        report["engines"]["pyraptor"] = {
            "build_s": build_s,
            "rss_growth_bytes": mem,
            "query": quantiles(times),
            "trips": engine_py.n_trips,
            "agreement": compare(ours, res, minutes=False),
        }
    load_after = os.getloadavg()
    report["load_average"] = {"before": load_before[0], "after": load_after[0]}
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")

    print(
        f"\nTransilien GTFS, {day} ({tt.n_trips} trips, {tt.n_stop_times} stop times, "
        f"{tt.n_routes} routes, {tt.n_footpaths} footpaths), {len(queries)} random "
        f"station-to-station queries, <= {MAX_TRANSFERS} transfers\n"
    )
    head = (
        f"{'engine':<18}{'median ms':>10}{'p95 ms':>10}{'build s':>9}{'RSS MB':>8}"
        f"{'same EA':>14}{'same Pareto':>14}"
    )
    print(head)
    print("-" * len(head))
    for name, e in report["engines"].items():
        ag = e.get("agreement")
        same = f"{ag['same_earliest_arrival']}/{ag['queries']}" if ag else "(reference)"
        par = f"{ag['same_pareto_set']}/{ag['queries']}" if ag else ""
        print(
            f"{name:<18}{e['query']['median_ms']:>10.3f}{e['query']['p95_ms']:>10.3f}"
            f"{e['build_s']:>9.2f}{e['rss_growth_bytes'] / 2**20:>8.1f}{same:>14}{par:>14}"
        )
    print(
        f"\nours: build = GTFS parse {parse_s:.2f} s (csv module) + timetable "
        f"{ours_build_s - parse_s:.2f} s; timetable arrays {tt.nbytes / 2**20:.1f} MB; "
        f"{report['engines']['ours']['with_journey']} queries with a journey"
    )
    for name in ("pynigiri", "pynigiri-default", "pyraptor"):
        if name in report["engines"]:
            ag = report["engines"][name]["agreement"]
            print(
                f"{name}: identical earliest arrival to the second in "
                f"{ag['same_earliest_arrival_to_the_second']}/{ag['queries']}; different: "
                + ", ".join(f"{k} {v}" for k, v in ag["different_earliest_arrival"].items())
            )
    print(f"load average: {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
