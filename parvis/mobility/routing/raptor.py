"""RAPTOR over the flat-array timetable, compiled with numba.

Round k finds the earliest arrival at every stop with at most k rides (Delling, Pajor, Werneck,
"Round-Based Public Transit Routing", 2012). A destination whose arrival improves in round k
gives one journey of the Pareto set over (arrival, rides): later rounds only keep journeys that
arrive strictly earlier. The usual prunings are applied: a stop keeps one best arrival over all
rounds (local pruning) and no label later than the best arrival at the destination is kept
(target pruning); only the routes through stops improved in the previous round are scanned.

Labels. A stop has an *arrival* (the earliest time one is there, by a ride or on foot) and a
*ready* time (the earliest time one can board there: the arrival by a ride plus the stop's
change time, or the arrival on foot, or the departure time at an origin). Rides board on ready
times; destinations are reached on arrival times. Footpaths are relaxed after each round from
the stops improved by a ride; they are transitively closed, so one footpath is enough.

Days. Times in a query are seconds after midnight of the query date. Trips of the service days
from `-(max GTFS time // 24 h)` (usually the previous day) to the one holding the latest
allowed arrival (usually the next day) are used, shifted by whole days. A route whose trips
stay FIFO across a day boundary is scanned once, picking the earliest trip over all these days;
any other route is scanned once per day.

`range_search` answers a departure window by running a search at each departure time in the
window (latest first) and keeping the journeys that are Pareto-optimal over (departure,
arrival, rides).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from parvis.mobility.routing._jit import DAY, INF, jit
from parvis.mobility.routing.timetable import Timetable

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Arr = npt.NDArray[Any]

RIDE = 0
WALK = 1
ORIGIN = 2

DEFAULT_MAX_TRANSFERS = 5
DEFAULT_MAX_TRAVEL_TIME = DAY
MAX_LEGS = 64


@dataclass(frozen=True, slots=True)
class Leg:
    """A ride on one trip, or a walk between two stops (a transfer). Times are seconds after
    midnight of `day`, the query date (86,400 and more after midnight). `service_day` is the
    day the trip belongs to in the feed (the day before `day` for a trip of the previous
    evening running past midnight)."""

    kind: Literal["ride", "walk"]
    from_stop: str
    to_stop: str
    departure: int
    arrival: int
    day: date
    route_id: str | None = None
    trip_id: str | None = None
    service_day: date | None = None

    @property
    def departure_time(self) -> datetime:
        return datetime.combine(self.day, time()) + timedelta(seconds=self.departure)

    @property
    def arrival_time(self) -> datetime:
        return datetime.combine(self.day, time()) + timedelta(seconds=self.arrival)


@dataclass(frozen=True, slots=True)
class Journey:
    """One journey of a Pareto set: `departure` and `arrival` in seconds after midnight of
    `day`; `rides` trips, hence `transfers = rides - 1` (0 for a walk or no move at all)."""

    day: date
    departure: int
    arrival: int
    rides: int
    legs: tuple[Leg, ...] = field(default=())

    @property
    def transfers(self) -> int:
        return max(self.rides - 1, 0)

    @property
    def duration(self) -> int:
        return self.arrival - self.departure

    @property
    def departure_time(self) -> datetime:
        return datetime.combine(self.day, time()) + timedelta(seconds=self.departure)

    @property
    def arrival_time(self) -> datetime:
        return datetime.combine(self.day, time()) + timedelta(seconds=self.arrival)


class _Workspace:
    """Per-thread scratch arrays of one timetable (labels per stop, and per round)."""

    def __init__(self, tt: Timetable, rounds: int) -> None:
        n = tt.n_stops
        self.rounds = rounds
        i32 = np.int32
        self.best_arr = np.full(n, INF, dtype=i32)
        self.best_arr_src = np.zeros(n, dtype=i32)
        self.best_ready = np.full(n, INF, dtype=i32)
        self.best_ready_round = np.zeros(n, dtype=i32)
        self.marked = np.zeros(n, dtype=np.uint8)
        self.mark_list = np.zeros(n, dtype=i32)
        self.improved = np.zeros(n, dtype=np.uint8)
        self.improved_list = np.zeros(n, dtype=i32)
        self.route_pos = np.full(max(tt.n_routes, 1), -1, dtype=i32)
        self.route_list = np.zeros(max(tt.n_routes, 1), dtype=i32)
        self.egress = np.full(n, INF, dtype=i32)
        self.per_round = np.zeros((11, rounds, n), dtype=i32)
        self.res = np.zeros((4, rounds), dtype=np.int64)
        self.legs = np.zeros((MAX_LEGS, 8), dtype=np.int64)


_local = threading.local()


def _workspace(tt: Timetable, rounds: int) -> _Workspace:
    cache: dict[int, tuple[Timetable, _Workspace]] = getattr(_local, "cache", None) or {}
    _local.cache = cache
    hit = cache.get(id(tt))
    if hit is not None and hit[0] is tt and hit[1].rounds >= rounds:
        return hit[1]
    if len(cache) > 4:
        cache.clear()
    ws = _Workspace(tt, max(rounds, DEFAULT_MAX_TRANSFERS + 2))
    cache[id(tt)] = (tt, ws)
    return ws


def search(
    tt: Timetable,
    origins: list[tuple[int, int]],
    destinations: list[tuple[int, int]],
    day: date,
    seconds: int,
    *,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    max_travel_time: int = DEFAULT_MAX_TRAVEL_TIME,
) -> list[Journey]:
    """The Pareto set over (arrival, rides) of journeys leaving at `seconds` after midnight of
    `day` from the (stop index, access seconds) pairs of `origins` to those of `destinations`
    (egress seconds added to the arrival), with at most `max_transfers` transfers and arriving
    at most `max_travel_time` seconds after the departure. Sorted by rides; an empty list
    means no journey."""
    day, seconds = _normalise(tt, day, seconds)
    return _search(tt, origins, destinations, day, seconds, max_transfers, max_travel_time)


def _search(
    tt: Timetable,
    origins: list[tuple[int, int]],
    destinations: list[tuple[int, int]],
    day: date,
    seconds: int,
    max_transfers: int,
    max_travel_time: int,
) -> list[Journey]:
    """`search` on a checked day; `seconds` may go past midnight."""
    if max_transfers < 0:
        raise ValueError("max_transfers must be >= 0")
    rounds = max_transfers + 2
    ws = _workspace(tt, rounds)
    o = np.array([s for s, _ in origins], dtype=np.int32)
    o_t = np.array([seconds + a for _, a in origins], dtype=np.int32)
    d = np.array([s for s, _ in destinations], dtype=np.int32)
    d_e = np.array([e for _, e in destinations], dtype=np.int32)
    if len(o) == 0 or len(d) == 0:
        return []
    pr = ws.per_round
    n_res = _run_timetable(
        tt, ws, o, o_t, d, d_e, tt.day_index(day), rounds, seconds + max_travel_time
    )
    journeys = []
    for i in range(n_res):
        k, stop, kind, arrival = (int(x) for x in ws.res[:, i])
        n_legs = _legs(
            k,
            stop,
            kind,
            tt.route_stop_off,
            tt.route_stops,
            tt.route_trip_off,
            tt.route_time_off,
            tt.dep,
            pr,
            ws.legs,
        )
        journeys.append(_journey(tt, day, seconds, arrival, k, ws.legs[:n_legs], origins))
    return journeys


def _run_timetable(
    tt: Timetable,
    ws: _Workspace,
    o: I32,
    o_t: I32,
    d: I32,
    d_e: I32,
    qday: int,
    rounds: int,
    t_max: int,
) -> int:
    """Run the kernel on the timetable's arrays; the labels are left in `ws`."""
    return int(
        _run(
            tt.route_stop_off,
            tt.route_stops,
            tt.route_board,
            tt.route_alight,
            tt.route_trip_off,
            tt.route_time_off,
            tt.route_xday_fifo,
            tt.arr,
            tt.dep,
            tt.trip_service,
            tt.svc_bits,
            tt.stop_route_off,
            tt.stop_route,
            tt.stop_route_pos,
            tt.fp_off,
            tt.fp_to,
            tt.fp_dur,
            tt.change_time,
            o,
            o_t,
            d,
            d_e,
            qday,
            tt.n_days,
            rounds,
            t_max,
            -(tt.max_time // DAY),
            t_max // DAY,
            ws.best_arr,
            ws.best_arr_src,
            ws.best_ready,
            ws.best_ready_round,
            ws.marked,
            ws.mark_list,
            ws.improved,
            ws.improved_list,
            ws.route_pos,
            ws.route_list,
            ws.egress,
            ws.per_round,
            ws.res,
        )
    )


def earliest_arrivals(
    tt: Timetable,
    origins: Sequence[tuple[int, int]],
    day: date,
    seconds: int,
    *,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    max_travel_time: int = DEFAULT_MAX_TRAVEL_TIME,
) -> I64:
    """One-to-all: for every stop, the earliest time one can be standing there (after rides
    and/or a footpath) leaving the (stop index, access seconds) pairs of `origins` at `seconds`
    after midnight of `day`, with at most `max_transfers` transfers; -1 where it cannot be
    reached within `max_travel_time`. Times are seconds after midnight of the `day` given
    (past 86,400 for the next day); an origin gets `seconds` plus its access time. Days and
    midnight as in `search`, without any target pruning."""
    if max_transfers < 0:
        raise ValueError("max_transfers must be >= 0")
    day_n, seconds_n = _normalise(tt, day, seconds)
    shift = seconds - seconds_n  # back to times after midnight of the day given
    out = np.full(tt.n_stops, -1, dtype=np.int64)
    if not origins:
        return out
    rounds = max_transfers + 2
    ws = _workspace(tt, rounds)
    o = np.array([s for s, _ in origins], dtype=np.int32)
    o_t = np.array([seconds_n + a for _, a in origins], dtype=np.int32)
    none = np.zeros(0, dtype=np.int32)  # no destination: no target pruning
    t_max = seconds_n + max_travel_time
    _run_timetable(tt, ws, o, o_t, none, none, tt.day_index(day_n), rounds, t_max)
    best = ws.best_arr.astype(np.int64)
    # The kernel bounds rides and walks by t_max, but not an origin's own access time.
    reached = best <= t_max
    out[reached] = best[reached] + shift
    return out


def range_search(
    tt: Timetable,
    origins: list[tuple[int, int]],
    destinations: list[tuple[int, int]],
    day: date,
    start: int,
    end: int,
    *,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    max_travel_time: int = DEFAULT_MAX_TRAVEL_TIME,
) -> list[Journey]:
    """The journeys leaving between `start` and `end` (seconds after midnight of `day`) that
    are Pareto-optimal over (later departure, earlier arrival, fewer rides), by departure.
    `max_travel_time` counts from each departure time searched."""
    if end < start:
        raise ValueError("the departure window ends before it starts")
    day, start_n = _normalise(tt, day, start)
    end, start = end + start_n - start, start_n
    times = _departures(tt, origins, day, start, end)
    found: list[Journey] = []
    for t in sorted(times, reverse=True):
        found += _search(tt, origins, destinations, day, t, max_transfers, max_travel_time)
    keep: dict[tuple[int, int, int], Journey] = {}
    for j in found:
        if j.departure < start:
            continue
        key = (j.departure, j.arrival, j.rides)
        if key in keep:
            continue
        if any(
            o.departure >= j.departure and o.arrival <= j.arrival and o.rides <= j.rides
            for o in found
            if (o.departure, o.arrival, o.rides) != key and o.departure >= start
        ):
            continue
        keep[key] = j
    return sorted(keep.values(), key=lambda j: (j.departure, j.rides))


def _normalise(tt: Timetable, day: date, seconds: int) -> tuple[date, int]:
    day = day + timedelta(days=seconds // DAY)
    seconds %= DAY
    first, last = tt.query_days
    if not first <= day <= last:
        raise ValueError(f"{day} is outside the timetable's days ({first} .. {last})")
    return day, seconds


def _departures(
    tt: Timetable, origins: list[tuple[int, int]], day: date, start: int, end: int
) -> set[int]:
    """Every time in [start, end] at which leaving an origin catches a trip just in time
    (directly or after a footpath), plus `start` itself."""
    qday = tt.day_index(day)
    out = {start}
    for s, access in origins:
        near = [(s, access)] + [
            (int(tt.fp_to[e]), access + int(tt.fp_dur[e]))
            for e in range(tt.fp_off[s], tt.fp_off[s + 1])
        ]
        for q, lead in near:
            for e in range(tt.stop_route_off[q], tt.stop_route_off[q + 1]):
                r, p = int(tt.stop_route[e]), int(tt.stop_route_pos[e])
                if not tt.route_board[tt.route_stop_off[r] + p]:
                    continue
                t0, t1 = int(tt.route_trip_off[r]), int(tt.route_trip_off[r + 1])
                col = tt.dep[tt.route_time_off[r] + p * (t1 - t0) :][: t1 - t0]
                for dd in range(-(tt.max_time // DAY), (end + lead) // DAY + 1):
                    b = qday + dd
                    if not 0 <= b < tt.n_days:
                        continue
                    times = col.astype(np.int64) + dd * DAY - lead
                    idx = np.flatnonzero((times >= start) & (times <= end))
                    bits = tt.svc_bits[tt.trip_service[t0 + idx], b >> 3] >> (b & 7) & 1
                    out.update(times[idx[bits == 1]].tolist())
    return out


def _journey(
    tt: Timetable,
    day: date,
    seconds: int,
    arrival: int,
    rides: int,
    legs: npt.NDArray[np.int64],
    origins: list[tuple[int, int]],
) -> Journey:
    out: list[Leg] = []
    rows = legs.tolist()
    for i, (kind, a, b, dep, arr, trip, dd, _route) in enumerate(rows):
        if kind == RIDE:
            feed_trip = int(tt.trip_feed[trip])
            out.append(
                Leg(
                    "ride",
                    tt.stop_ids[a],
                    tt.stop_ids[b],
                    dep,
                    arr,
                    day,
                    tt.route_ids[tt.trip_route[feed_trip]],
                    tt.trip_ids[feed_trip],
                    day + timedelta(days=dd),
                )
            )
        else:
            if i == 0 and len(rows) > 1:  # leave as late as possible for the first ride
                dep, arr = rows[1][3] - (arr - dep), rows[1][3]
            out.append(Leg("walk", tt.stop_ids[a], tt.stop_ids[b], dep, arr, day))
    if rows:
        first = rows[0]
        access = min((acc for s, acc in origins if s == first[1]), default=0)
        departure = out[0].departure - access
    else:
        departure = seconds
    return Journey(day, departure, arrival, rides, tuple(out))


# --------------------------------------------------------------------------------------------
# Compiled kernels. Per-round arrays (ws.per_round[x, round, stop]):
# 0 ride arrival, 1 trip, 2 day offset, 3 boarding position, 4 alighting position, 5 route,
# 6 round of the ready label boarded on, 7 kind of the ready label (RIDE, WALK, ORIGIN),
# 8 footpath source stop, 9 footpath departure, 10 footpath arrival.


@jit
def _run(
    r_stop_off: Arr,
    r_stops: Arr,
    r_board: Arr,
    r_alight: Arr,
    r_trip_off: Arr,
    r_time_off: Arr,
    r_xfifo: Arr,
    t_arr: Arr,
    t_dep: Arr,
    trip_svc: Arr,
    svc_bits: Arr,
    s_route_off: Arr,
    s_route: Arr,
    s_route_pos: Arr,
    fp_off: Arr,
    fp_to: Arr,
    fp_dur: Arr,
    change: Arr,
    orig: Arr,
    orig_t: Arr,
    dest: Arr,
    dest_e: Arr,
    qday: int,
    n_days: int,
    n_rounds: int,
    t_max: int,
    d_lo: int,
    d_hi: int,
    best_arr: Arr,
    best_arr_src: Arr,
    best_ready: Arr,
    best_ready_round: Arr,
    marked: Arr,
    mark_list: Arr,
    improved: Arr,
    improved_list: Arr,
    route_pos: Arr,
    route_list: Arr,
    egress: Arr,
    pr: Arr,
    res: Arr,
) -> int:
    best_arr[:] = INF
    best_ready[:] = INF
    for i in range(len(dest)):
        if dest_e[i] < egress[dest[i]]:
            egress[dest[i]] = dest_e[i]
    limit = t_max + 1  # arrivals must be < limit
    target = INF  # best arrival at a destination so far (egress included)
    n_marked = 0

    # Round 0: the origins, then the footpaths from them.
    for i in range(len(orig)):
        s = orig[i]
        t = orig_t[i]
        if t < best_ready[s]:
            best_ready[s] = t
            best_ready_round[s] = 0
            pr[7, 0, s] = ORIGIN
            best_arr[s] = t
            best_arr_src[s] = ORIGIN
            if marked[s] == 0:
                marked[s] = 1
                mark_list[n_marked] = s
                n_marked += 1
    for i in range(len(orig)):
        s = orig[i]
        t = orig_t[i]
        for e in range(fp_off[s], fp_off[s + 1]):
            q = fp_to[e]
            f = t + fp_dur[e]
            if f < best_ready[q] and f < limit:
                best_ready[q] = f
                best_ready_round[q] = 0
                pr[7, 0, q] = WALK
                pr[8, 0, q] = s
                pr[9, 0, q] = t
                pr[10, 0, q] = f
                if f < best_arr[q]:
                    best_arr[q] = f
                    best_arr_src[q] = WALK
                if marked[q] == 0:
                    marked[q] = 1
                    mark_list[n_marked] = q
                    n_marked += 1
    n_res = 0
    recorded = INF
    best_v, best_d = _best_target(dest, best_arr, egress)
    if best_v < limit:
        res[0, n_res] = 0
        res[1, n_res] = best_d
        res[2, n_res] = best_arr_src[best_d] & 3
        res[3, n_res] = best_v
        n_res += 1
        recorded = best_v
        target = best_v

    for k in range(1, n_rounds):
        if n_marked == 0:
            break
        # The routes through the stops marked last round, from their first marked stop.
        n_q = 0
        for mi in range(n_marked):
            s = mark_list[mi]
            marked[s] = 2  # boarding at s is worth trying this round
            for e in range(s_route_off[s], s_route_off[s + 1]):
                r = s_route[e]
                p = s_route_pos[e]
                if r_board[r_stop_off[r] + p] == 0:
                    continue
                if route_pos[r] < 0:
                    route_list[n_q] = r
                    n_q += 1
                    route_pos[r] = p
                elif p < route_pos[r]:
                    route_pos[r] = p
        n_prev = n_marked
        n_marked = 0
        n_impr = 0
        for ri in range(n_q):
            r = route_list[ri]
            p0 = route_pos[r]
            route_pos[r] = -1
            if r_xfifo[r]:
                n_impr, target = _scan(
                    r,
                    p0,
                    d_lo,
                    d_hi,
                    k,
                    r_stop_off,
                    r_stops,
                    r_board,
                    r_alight,
                    r_trip_off,
                    r_time_off,
                    t_arr,
                    t_dep,
                    trip_svc,
                    svc_bits,
                    qday,
                    n_days,
                    best_arr,
                    best_arr_src,
                    best_ready,
                    best_ready_round,
                    improved,
                    improved_list,
                    marked,
                    n_impr,
                    egress,
                    target,
                    limit,
                    pr,
                )
            else:
                for dd in range(d_lo, d_hi + 1):
                    n_impr, target = _scan(
                        r,
                        p0,
                        dd,
                        dd,
                        k,
                        r_stop_off,
                        r_stops,
                        r_board,
                        r_alight,
                        r_trip_off,
                        r_time_off,
                        t_arr,
                        t_dep,
                        trip_svc,
                        svc_bits,
                        qday,
                        n_days,
                        best_arr,
                        best_arr_src,
                        best_ready,
                        best_ready_round,
                        improved,
                        improved_list,
                        marked,
                        n_impr,
                        egress,
                        target,
                        limit,
                        pr,
                    )
        for mi in range(n_prev):
            marked[mark_list[mi]] = 0
        # Changes at the same stop, then footpaths, from the stops reached by a ride.
        for ii in range(n_impr):
            s = improved_list[ii]
            improved[s] = 0
            ready = np.int64(pr[0, k, s]) + change[s]
            if ready < best_ready[s]:
                best_ready[s] = ready
                best_ready_round[s] = k
                pr[7, k, s] = RIDE
                if marked[s] == 0:
                    marked[s] = 1
                    mark_list[n_marked] = s
                    n_marked += 1
        bound = min(target, limit)
        for ii in range(n_impr):
            s = improved_list[ii]
            a = pr[0, k, s]
            for e in range(fp_off[s], fp_off[s + 1]):
                q = fp_to[e]
                f = a + fp_dur[e]
                if f < best_ready[q] and f < bound:
                    best_ready[q] = f
                    best_ready_round[q] = k
                    pr[7, k, q] = WALK
                    pr[8, k, q] = s
                    pr[9, k, q] = a
                    pr[10, k, q] = f
                    if marked[q] == 0:
                        marked[q] = 1
                        mark_list[n_marked] = q
                        n_marked += 1
                    if f < best_arr[q]:
                        best_arr[q] = f
                        best_arr_src[q] = k * 4 + WALK
                        if egress[q] < INF and f + egress[q] < target:
                            target = f + egress[q]
                            bound = min(target, limit)
        best_v, best_d = _best_target(dest, best_arr, egress)
        if best_v < recorded and best_v < limit:
            res[0, n_res] = k
            res[1, n_res] = best_d
            res[2, n_res] = best_arr_src[best_d] & 3
            res[3, n_res] = best_v
            n_res += 1
            recorded = best_v

    for mi in range(n_marked):
        marked[mark_list[mi]] = 0
    for i in range(len(dest)):
        egress[dest[i]] = INF
    return n_res


@jit
def _best_target(
    dest: Arr,
    best_arr: Arr,
    egress: Arr,
) -> tuple[int, int]:
    best_v = INF
    best_d = -1
    for i in range(len(dest)):
        d = dest[i]
        if best_arr[d] < INF:
            v = best_arr[d] + egress[d]
            if v < best_v:
                best_v = v
                best_d = d
    return best_v, best_d


@jit
def _scan(
    r: int,
    p0: int,
    dl: int,
    dh: int,
    k: int,
    r_stop_off: Arr,
    r_stops: Arr,
    r_board: Arr,
    r_alight: Arr,
    r_trip_off: Arr,
    r_time_off: Arr,
    t_arr: Arr,
    t_dep: Arr,
    trip_svc: Arr,
    svc_bits: Arr,
    qday: int,
    n_days: int,
    best_arr: Arr,
    best_arr_src: Arr,
    best_ready: Arr,
    best_ready_round: Arr,
    improved: Arr,
    improved_list: Arr,
    marked: Arr,
    n_impr: int,
    egress: Arr,
    target: int,
    limit: int,
    pr: Arr,
) -> tuple[int, int]:
    """Scan route r from position p0 with the trips of day offsets dl..dh."""
    so = r_stop_off[r]
    m = r_stop_off[r + 1] - so
    t_off = r_trip_off[r]
    nt = r_trip_off[r + 1] - t_off
    tb = r_time_off[r]
    bound = min(target, limit)
    cur = -1
    cur_dd = 0
    shift = 0
    b_pos = -1
    b_round = 0
    for i in range(p0, m):
        s = r_stops[so + i]
        col = tb + i * nt
        if cur >= 0 and r_alight[so + i] != 0:
            a = t_arr[tb + cur * m + i] + shift
            if a < best_arr[s] and a < bound:
                best_arr[s] = a
                best_arr_src[s] = k * 4 + RIDE
                pr[0, k, s] = a
                pr[1, k, s] = t_off + cur
                pr[2, k, s] = cur_dd
                pr[3, k, s] = b_pos
                pr[4, k, s] = i
                pr[5, k, s] = r
                pr[6, k, s] = b_round
                if improved[s] == 0:
                    improved[s] = 1
                    improved_list[n_impr] = s
                    n_impr += 1
                if egress[s] < INF and a + egress[s] < target:
                    target = a + egress[s]
                    bound = min(target, limit)
        # Boarding is tried only where the ready time improved last round: at any other stop,
        # the trips that can be caught were already ridden in an earlier round.
        if r_board[so + i] != 0 and marked[s] == 2:
            ready = best_ready[s]
            if ready < bound:
                best_t = INF if cur < 0 else t_dep[col + cur] + shift
                if ready < best_t:
                    best_j = -1
                    best_dd = 0
                    for dd in range(dl, dh + 1):
                        b = qday + dd
                        if b < 0 or b >= n_days:
                            continue
                        sh = dd * DAY
                        if t_dep[col + nt - 1] + sh < ready:
                            continue
                        if t_dep[col] + sh >= best_t:
                            break
                        want = ready - sh
                        lo = 0
                        hi = nt
                        while lo < hi:
                            mid = (lo + hi) >> 1
                            if t_dep[col + mid] < want:
                                lo = mid + 1
                            else:
                                hi = mid
                        j = lo
                        byte = b >> 3
                        bit = b & 7
                        while j < nt:
                            tv = t_dep[col + j] + sh
                            if tv >= best_t:
                                break
                            if (svc_bits[trip_svc[t_off + j], byte] >> bit) & 1:
                                best_j = j
                                best_dd = dd
                                best_t = tv
                                break
                            j += 1
                    if best_j >= 0:
                        cur = best_j
                        cur_dd = best_dd
                        shift = best_dd * DAY
                        b_pos = i
                        b_round = best_ready_round[s]
    return n_impr, target


@jit
def _legs(
    k: int,
    stop: int,
    kind: int,
    r_stop_off: Arr,
    r_stops: Arr,
    r_trip_off: Arr,
    r_time_off: Arr,
    t_dep: Arr,
    pr: Arr,
    out: Arr,
) -> int:
    """Walk the labels back from (round k, stop) and write the legs, first leg first:
    kind, from stop, to stop, departure, arrival, trip, day offset, route."""
    n = 0
    s = stop
    r = k
    if kind == ORIGIN:
        return 0
    if kind == WALK:
        q = pr[8, r, s]
        out[n, 0] = WALK
        out[n, 1] = q
        out[n, 2] = s
        out[n, 3] = pr[9, r, s]
        out[n, 4] = pr[10, r, s]
        out[n, 5] = -1
        out[n, 6] = 0
        out[n, 7] = -1
        n += 1
        s = q
        if r == 0:
            r = -1
    while r > 0 and n < out.shape[0] - 2:
        trip = pr[1, r, s]
        route = pr[5, r, s]
        b_pos = pr[3, r, s]
        dd = pr[2, r, s]
        nt = r_trip_off[route + 1] - r_trip_off[route]
        b_stop = r_stops[r_stop_off[route] + b_pos]
        out[n, 0] = RIDE
        out[n, 1] = b_stop
        out[n, 2] = s
        out[n, 3] = t_dep[r_time_off[route] + b_pos * nt + trip - r_trip_off[route]] + dd * DAY
        out[n, 4] = pr[0, r, s]
        out[n, 5] = trip
        out[n, 6] = dd
        out[n, 7] = route
        n += 1
        r = pr[6, r, s]
        s = b_stop
        how = pr[7, r, s]
        if how == ORIGIN:
            break
        if how == WALK:
            q = pr[8, r, s]
            out[n, 0] = WALK
            out[n, 1] = q
            out[n, 2] = s
            out[n, 3] = pr[9, r, s]
            out[n, 4] = pr[10, r, s]
            out[n, 5] = -1
            out[n, 6] = 0
            out[n, 7] = -1
            n += 1
            s = q
    for i in range(n // 2):
        for c in range(8):
            tmp = out[i, c]
            out[i, c] = out[n - 1 - i, c]
            out[n - 1 - i, c] = tmp
    return n
