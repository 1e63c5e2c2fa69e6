"""The timetable in flat arrays, as RAPTOR reads it.

- **Stops**: every row of stops.txt (stations too, for names and for station-to-station
  queries); only stops and platforms carry routes.
- **Routes** are stop patterns: trips with the same stop sequence (and the same pick-up /
  drop-off permissions at each stop) form one route, whatever their GTFS route. The trips of a
  route are sorted by departure and are FIFO: no trip overtakes another at any stop. Trips that
  would overtake go to another route of the same pattern (greedy first fit), as in nigiri.
  `route_stops[route_stop_off[r]:route_stop_off[r + 1]]` are the stops of route `r`.
- **Stop times** are int32 seconds after midnight of the trip's service day, laid out for the
  way RAPTOR reads them. Departures are stop-major: the departure of trip `j` of route `r` at
  its `i`-th stop is `dep[route_time_off[r] + i * n_trips(r) + j]`, so the binary search for
  the first trip leaving a stop reads contiguous memory. Arrivals are trip-major:
  `arr[route_time_off[r] + j * n_stops(r) + i]`, so riding a trip along the route does too.
- **Service days** are bitsets: one row of `svc_bits` per GTFS service, one bit per day of
  `[first_day, first_day + n_days)` (little-endian bit order within each byte). The days loaded
  are the requested range plus one day on each side, so that a query on the first day sees the
  previous evening's trips running past midnight and a late query sees the next morning.
- **Footpaths** are a CSR (`fp_off`, `fp_to`, `fp_dur`, exact seconds), symmetric and
  transitively closed (shortest walks), without self loops; `change_time[s]` is the time to
  change trains at the same stop `s`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from parvis.mobility.routing._jit import DAY, INF, jit
from parvis.mobility.routing.gtfs import Feed, Problem, inherited_stop_wheelchair

I32 = npt.NDArray[np.int32]
Arr = npt.NDArray[Any]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]

DEFAULT_CHANGE_TIME = 120
"""Seconds to change at the same stop, unless transfers.txt says otherwise for that stop."""


@dataclass(frozen=True, slots=True)
class WalkLinks:
    """Extra walking links between nearby stops, for the multimodal planner (off in the
    timetable-only mode). Links never override a transfer given by the feed; the closure of
    the footpath graph is then bounded by `max_seconds` (with links alone, an unbounded
    closure would connect a whole city)."""

    max_distance_m: float = 400.0
    speed_m_s: float = 1.2
    max_seconds: int = 900


@dataclass(eq=False)
class Timetable:
    """See the module docstring for the layout. Per GTFS route (indexed by
    `trip_route[trip_feed[t]]` for timetable trip `t`, not by pattern route): `route_ids`,
    `route_names` (short name, else long name, else id), `route_short_names` ("" if none) and
    `route_types` (GTFS route_type). Wheelchair access, 0 no information, 1 yes, 2 no:
    `stop_wheelchair` per stop (a 0 inherits its parent station's value) and `trip_wheelchair`
    per timetable trip; `wheelchair` says whether the timetable was built for wheelchair
    users (inaccessible trips left out, no boarding or alighting at inaccessible stops)."""

    stop_ids: list[str]
    stop_names: list[str]
    stop_lat: F64
    stop_lon: F64
    stop_parent: I32
    stop_type: U8
    route_stop_off: I32
    route_stops: I32
    route_board: U8
    route_alight: U8
    route_trip_off: I32
    route_time_off: I64
    route_xday_fifo: U8
    arr: I32
    dep: I32
    trip_service: I32
    trip_feed: I32
    svc_bits: U8
    first_day: date
    n_days: int
    stop_route_off: I32
    stop_route: I32
    stop_route_pos: I32
    fp_off: I32
    fp_to: I32
    fp_dur: I32
    change_time: I32
    max_time: int
    trip_ids: list[str]
    trip_route: I32
    route_ids: list[str]
    route_names: list[str]
    route_types: I32
    route_short_names: list[str]
    stop_wheelchair: U8
    trip_wheelchair: U8
    wheelchair: bool = False
    problems: list[Problem] = field(default_factory=list)
    build_seconds: float = 0.0
    stop_index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.stop_index:
            self.stop_index = {s: i for i, s in enumerate(self.stop_ids)}
        children: dict[int, list[int]] = {}
        for s in np.flatnonzero(self.stop_parent >= 0):
            children.setdefault(int(self.stop_parent[s]), []).append(int(s))
        self._children = children

    @property
    def n_stops(self) -> int:
        return len(self.stop_ids)

    @property
    def n_routes(self) -> int:
        return len(self.route_stop_off) - 1

    @property
    def n_trips(self) -> int:
        return len(self.trip_service)

    @property
    def n_stop_times(self) -> int:
        return len(self.arr)

    @property
    def n_footpaths(self) -> int:
        return len(self.fp_to)

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.n_days - 1)

    @property
    def query_days(self) -> tuple[date, date]:
        """The days a query may start on (the loaded days less the margins)."""
        return self.first_day + timedelta(days=1), self.last_day - timedelta(days=1)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (ids and names not counted)."""
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))

    def stops_of(self, stop_id: str) -> list[int]:
        """The stops a query from or to `stop_id` means: a station's stops and platforms
        (location_type 1 with children), or the stop itself. KeyError if unknown."""
        i = self.stop_index[stop_id]
        kids = [c for c in self._children.get(i, []) if self.stop_type[c] in (0, 4)]
        return kids if self.stop_type[i] == 1 and kids else [i]

    def is_active(self, trip: int, day_index: int) -> bool:
        """Does timetable trip `trip` run on service day `first_day + day_index`?"""
        if not 0 <= day_index < self.n_days:
            return False
        row = self.svc_bits[self.trip_service[trip]]
        return bool((row[day_index >> 3] >> (day_index & 7)) & 1)

    def day_index(self, day: date) -> int:
        return (day - self.first_day).days


def build_timetable(
    feed: Feed,
    date_range: tuple[date, date] | None = None,
    *,
    change_time: int = DEFAULT_CHANGE_TIME,
    walk_links: WalkLinks | None = None,
    wheelchair: bool = False,
) -> Timetable:
    """Build the timetable of `feed` for queries on the days of `date_range` (inclusive; the
    whole feed by default). With `wheelchair=True`, trips whose wheelchair_accessible is 2 are
    left out and nobody boards or alights at a stop whose (inherited) wheelchair_boarding is 2;
    "no information" (0) is allowed."""
    started = time.perf_counter()
    if date_range is None:
        date_range = feed.date_range() or (date.today(), date.today())
    first, last = date_range
    if last < first:
        raise ValueError(f"empty date range {first} .. {last}")
    first_day = first - timedelta(days=1)
    n_days = (last - first).days + 3

    active = _service_days(feed, first_day.toordinal(), n_days)
    svc_bits = np.packbits(active, axis=1, bitorder="little")
    n_st = np.diff(feed.trip_st)
    runs = np.asarray(active.any(axis=1), dtype=bool)[feed.trip_service]
    stop_wc = inherited_stop_wheelchair(feed)
    if wheelchair:
        runs &= feed.trip_wheelchair != 2
    kept = np.flatnonzero((n_st >= 2) & runs).astype(np.int32)

    flags = (feed.st_pickup | (feed.st_dropoff << 1)).astype(np.uint8)
    if wheelchair:
        # Before the patterns are formed: a stop nobody can use splits routes like pickup_type 1.
        flags[stop_wc[feed.st_stop] == 2] = 0
    has = n_st > 0
    flags[feed.trip_st[:-1][has]] &= 1  # nobody alights at the first stop
    flags[feed.trip_st[1:][has] - 1] &= 2  # nobody boards at the last one
    routes = _routes(feed, kept, flags)

    stops_r, board_r, alight_r, trips_r, arr_r, dep_r, xfifo = routes
    route_stop_off = _offsets([len(s) for s in stops_r])
    route_trip_off = _offsets([len(t) for t in trips_r])
    route_time_off = np.zeros(len(stops_r) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in arr_r], out=route_time_off[1:])
    route_stops = _cat(stops_r, np.int32)
    trip_feed = _cat(trips_r, np.int32)
    arr = _cat(arr_r, np.int32)
    dep = _cat(dep_r, np.int32)

    # stop -> (route, position) pairs, by stop
    n_stops = len(feed.stop_ids)
    route_of = np.repeat(np.arange(len(stops_r), dtype=np.int32), np.diff(route_stop_off))
    pos = np.arange(len(route_stops), dtype=np.int32) - route_stop_off[route_of]
    order = np.argsort(route_stops, kind="stable")
    stop_route_off = np.zeros(n_stops + 1, dtype=np.int32)
    np.cumsum(np.bincount(route_stops, minlength=n_stops), out=stop_route_off[1:])

    problems = list(feed.problems)
    fp_off, fp_to, fp_dur, change = _footpaths(feed, change_time, walk_links, problems)

    return Timetable(
        stop_ids=feed.stop_ids,
        stop_names=feed.stop_names,
        stop_lat=feed.stop_lat,
        stop_lon=feed.stop_lon,
        stop_parent=feed.stop_parent,
        stop_type=feed.stop_type,
        route_stop_off=route_stop_off,
        route_stops=route_stops,
        route_board=_cat(board_r, np.uint8),
        route_alight=_cat(alight_r, np.uint8),
        route_trip_off=route_trip_off,
        route_time_off=route_time_off,
        route_xday_fifo=np.array(xfifo, dtype=np.uint8),
        arr=arr,
        dep=dep,
        trip_service=feed.trip_service[trip_feed].astype(np.int32),
        trip_feed=trip_feed,
        svc_bits=svc_bits,
        first_day=first_day,
        n_days=n_days,
        stop_route_off=stop_route_off,
        stop_route=route_of[order],
        stop_route_pos=pos[order],
        fp_off=fp_off,
        fp_to=fp_to,
        fp_dur=fp_dur,
        change_time=change,
        max_time=int(max(arr.max(initial=0), dep.max(initial=0))),
        trip_ids=feed.trip_ids,
        trip_route=feed.trip_route,
        route_ids=feed.route_ids,
        route_names=feed.route_names,
        route_types=feed.route_types.astype(np.int32),
        route_short_names=feed.route_short_names,
        stop_wheelchair=stop_wc,
        trip_wheelchair=feed.trip_wheelchair[trip_feed].astype(np.uint8),
        wheelchair=wheelchair,
        problems=problems,
        build_seconds=time.perf_counter() - started,
    )


def _offsets(sizes: list[int]) -> I32:
    out = np.zeros(len(sizes) + 1, dtype=np.int32)
    np.cumsum(sizes, out=out[1:])
    return out


def _cat(parts: Sequence[Arr], dtype: type[np.generic]) -> Arr:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _service_days(feed: Feed, first_ordinal: int, n_days: int) -> npt.NDArray[np.bool_]:
    """active[service, day] for the days `first_ordinal + k`, k < n_days."""
    days = np.arange(first_ordinal, first_ordinal + n_days, dtype=np.int64)
    weekday = (days - 1) % 7  # date.fromordinal(1) is a Monday
    active = (
        feed.cal_weekdays[:, weekday].astype(bool)
        & (days[None, :] >= feed.cal_start[:, None])
        & (days[None, :] <= feed.cal_end[:, None])
    )
    k = feed.ex_day.astype(np.int64) - first_ordinal
    inside = (k >= 0) & (k < n_days)
    # Removals then additions: a date both added and removed stays added.
    for value in (0, 1):
        m = inside & (feed.ex_added == value)
        active[feed.ex_service[m], k[m]] = bool(value)
    return active


_Routes = tuple[list[I32], list[U8], list[U8], list[I32], list[I32], list[I32], list[bool]]


def _routes(feed: Feed, kept: I32, flags: U8) -> _Routes:
    """Group the kept trips into stop patterns, sort them, split overtaking trips."""
    stop_bytes = feed.st_stop.tobytes()
    flag_bytes = flags.tobytes()
    starts = feed.trip_st
    groups: dict[bytes, list[int]] = {}
    for t in kept.tolist():
        a, b = int(starts[t]), int(starts[t + 1])
        groups.setdefault(stop_bytes[4 * a : 4 * b] + flag_bytes[a:b], []).append(t)

    out: _Routes = ([], [], [], [], [], [], [])
    for trips_list in groups.values():
        trips = np.array(trips_list, dtype=np.int32)
        a0 = int(starts[trips[0]])
        m = int(starts[trips[0] + 1]) - a0
        idx = starts[trips][:, None] + np.arange(m, dtype=np.int32)[None, :]
        arr = feed.st_arr[idx]
        dep = feed.st_dep[idx]
        order = _lex_order(arr, dep)
        trips, arr, dep = trips[order], arr[order], dep[order]
        for lane in _fifo_lanes(arr, dep):
            la, ld = arr[lane], dep[lane]
            out[0].append(feed.st_stop[a0 : a0 + m].copy())
            out[1].append((flags[a0 : a0 + m] & 1).astype(np.uint8))
            out[2].append((flags[a0 : a0 + m] >> 1).astype(np.uint8))
            out[3].append(trips[lane])
            out[4].append(la.ravel())
            out[5].append(np.ascontiguousarray(ld.T).ravel())
            out[6].append(_fifo_across_days(la, ld))
    return out


def _lex_order(arr: I32, dep: I32) -> npt.NDArray[np.intp]:
    """Trips by departure at the first stop, then by their times at the next stops."""
    m = arr.shape[1]
    keys: list[I32] = []
    for i in range(m - 1, 0, -1):
        keys += [dep[:, i], arr[:, i]]
    keys.append(dep[:, 0])
    return np.lexsort(keys)


def _is_fifo(arr: I32, dep: I32) -> bool:
    return bool((np.diff(arr, axis=0) >= 0).all() and (np.diff(dep, axis=0) >= 0).all())


def _fifo_lanes(arr: I32, dep: I32) -> list[npt.NDArray[np.intp]]:
    n = arr.shape[0]
    if _is_fifo(arr, dep):
        return [np.arange(n)]
    lanes: list[list[int]] = []
    for row in range(n):
        for lane in lanes:
            last = lane[-1]
            if (arr[row] >= arr[last]).all() and (dep[row] >= dep[last]).all():
                lane.append(row)
                break
        else:
            lanes.append([row])
    return [np.array(lane) for lane in lanes]


def _fifo_across_days(arr: I32, dep: I32) -> bool:
    """Are the route's trips still FIFO once a day's trips and the next day's are merged?
    Then one scan can pick the earliest trip over several service days; otherwise the router
    scans the route once per day."""
    if int(arr.max()) - int(dep.min()) >= DAY:
        return False
    a2 = np.vstack([arr, arr + DAY])
    d2 = np.vstack([dep, dep + DAY])
    order = _lex_order(a2, d2)
    return _is_fifo(a2[order], d2[order])


def _footpaths(
    feed: Feed, change_time: int, walk: WalkLinks | None, problems: list[Problem]
) -> tuple[I32, I32, I32, I32]:
    """Footpaths from transfers.txt (and walking links if asked), made symmetric and
    transitively closed; change times at the same stop."""
    n = len(feed.stop_ids)
    change = np.full(n, change_time, dtype=np.int32)
    children: dict[int, list[int]] = {}
    for s in np.flatnonzero(feed.stop_parent >= 0).tolist():
        if feed.stop_type[s] in (0, 4):
            children.setdefault(int(feed.stop_parent[s]), []).append(s)

    def expand(s: int) -> tuple[list[int], bool]:
        if feed.stop_type[s] == 1 and s in children:
            return children[s], True
        return [s], False

    # (from, to) -> (priority, seconds): a row naming two stops beats a row naming stations.
    given: dict[tuple[int, int], tuple[int, int]] = {}
    forbidden: set[tuple[int, int]] = set()
    self_times: dict[int, tuple[int, int]] = {}
    for a, b, kind, secs in zip(
        feed.tr_from.tolist(),
        feed.tr_to.tolist(),
        feed.tr_type.tolist(),
        feed.tr_seconds.tolist(),
        strict=True,
    ):
        froms, fa = expand(a)
        tos, fb = expand(b)
        prio = int(fa) + int(fb)
        for x in froms:
            for y in tos:
                if kind == 3:
                    forbidden.add((x, y))
                    if x == y:
                        self_times[x] = (prio, INF)
                    continue
                value = max(secs, 0)
                if x == y:
                    if secs >= 0 and (x not in self_times or self_times[x][0] >= prio):
                        self_times[x] = (prio, value)
                    continue
                old = given.get((x, y))
                if old is None or (prio, value) < old:
                    given[(x, y)] = (prio, value)
    for s, (_, secs) in self_times.items():
        change[s] = secs
    # Symmetric: a walk from x to y can be walked back; when the feed gives both directions
    # with different times, the shorter is used both ways.
    edges: dict[tuple[int, int], int] = {}
    for (x, y), (_, secs) in given.items():
        for pair in ((x, y), (y, x)):
            if pair not in forbidden and secs < edges.get(pair, INF):
                edges[pair] = secs

    limit = INF
    if walk is not None:
        limit = walk.max_seconds
        for x, y, secs in _nearby(feed, walk):
            if (x, y) not in edges and (x, y) not in forbidden:
                edges[(x, y)] = secs

    if not edges:
        none = np.zeros(0, dtype=np.int32)
        return np.zeros(n + 1, dtype=np.int32), none, none.copy(), change
    pairs = np.array(list(edges), dtype=np.int32)
    secs_arr = np.array(list(edges.values()), dtype=np.int32)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    src, dst, dur = pairs[order, 0], pairs[order, 1], secs_arr[order]
    off = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(src, minlength=n), out=off[1:])
    c_src, c_dst, c_dur = _closure(n, off, dst, dur, limit)
    if forbidden:
        keep = np.array(
            [(x, y) not in forbidden for x, y in zip(c_src.tolist(), c_dst.tolist(), strict=True)],
            dtype=bool,
        )
        c_src, c_dst, c_dur = c_src[keep], c_dst[keep], c_dur[keep]
    order = np.lexsort((c_dst, c_dur, c_src))
    off = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(c_src, minlength=n), out=off[1:])
    return off, c_dst[order].astype(np.int32), c_dur[order].astype(np.int32), change


def _nearby(feed: Feed, walk: WalkLinks) -> list[tuple[int, int, int]]:
    """Pairs of stops (stops and platforms) within walking distance, both ways, with the
    walking time (straight line at `speed_m_s`, rounded up to the second)."""
    ok = np.flatnonzero(
        np.isin(feed.stop_type, (0, 4)) & np.isfinite(feed.stop_lat) & np.isfinite(feed.stop_lon)
    )
    if len(ok) < 2:
        return []
    lat0 = math.radians(float(np.median(feed.stop_lat[ok])))
    y = np.radians(feed.stop_lat[ok]) * 6_371_000.0
    x = np.radians(feed.stop_lon[ok]) * 6_371_000.0 * math.cos(lat0)
    cell = walk.max_distance_m
    cx = np.floor(x / cell).astype(np.int64)
    cy = np.floor(y / cell).astype(np.int64)
    buckets: dict[tuple[int, int], list[int]] = {}
    for i, key in enumerate(zip(cx.tolist(), cy.tolist(), strict=True)):
        buckets.setdefault(key, []).append(i)
    out: list[tuple[int, int, int]] = []
    for (bx, by), members in buckets.items():
        near = [
            j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in buckets.get((bx + dx, by + dy), [])
        ]
        a = np.array(members)
        b = np.array(near)
        dist = np.hypot(x[a][:, None] - x[b][None, :], y[a][:, None] - y[b][None, :])
        ia, ib = np.nonzero((dist <= walk.max_distance_m) & (a[:, None] != b[None, :]))
        secs = np.ceil(dist[ia, ib] / walk.speed_m_s).astype(np.int64)
        out += zip(ok[a[ia]].tolist(), ok[b[ib]].tolist(), secs.tolist(), strict=True)
    return out


@jit
def _closure(
    n: int,
    off: Arr,
    to: Arr,
    dur: Arr,
    limit: int,
) -> tuple[Arr, Arr, Arr]:
    """Shortest walks from every stop over the footpath graph (Dijkstra, bounded by `limit`
    seconds): the transitive closure, without self loops."""
    cap = max(16, 2 * len(to))
    o_src = np.empty(cap, dtype=np.int32)
    o_dst = np.empty(cap, dtype=np.int32)
    o_dur = np.empty(cap, dtype=np.int32)
    k = 0
    dist = np.full(n, INF, dtype=np.int64)
    done = np.zeros(n, dtype=np.uint8)
    seen = np.empty(n, dtype=np.int64)
    heap_d = np.empty(len(to) + 1, dtype=np.int64)
    heap_v = np.empty(len(to) + 1, dtype=np.int64)
    for s in range(n):
        if off[s] == off[s + 1]:
            continue
        n_seen = 0
        size = 0
        dist[s] = 0
        seen[n_seen] = s
        n_seen += 1
        heap_d[0] = 0
        heap_v[0] = s
        size = 1
        while size > 0:
            d = heap_d[0]
            v = heap_v[0]
            size -= 1
            # sift down the last element from the root
            if size > 0:
                ld = heap_d[size]
                lv = heap_v[size]
                i = 0
                while True:
                    c = 2 * i + 1
                    if c >= size:
                        break
                    if c + 1 < size and heap_d[c + 1] < heap_d[c]:
                        c += 1
                    if heap_d[c] >= ld:
                        break
                    heap_d[i] = heap_d[c]
                    heap_v[i] = heap_v[c]
                    i = c
                heap_d[i] = ld
                heap_v[i] = lv
            if done[v] or d > dist[v]:
                continue
            done[v] = 1
            if v != s:
                if k == cap:
                    cap *= 2
                    o_src = np.concatenate((o_src, np.empty(cap - k, dtype=np.int32)))
                    o_dst = np.concatenate((o_dst, np.empty(cap - k, dtype=np.int32)))
                    o_dur = np.concatenate((o_dur, np.empty(cap - k, dtype=np.int32)))
                o_src[k] = s
                o_dst[k] = v
                o_dur[k] = d
                k += 1
            for e in range(off[v], off[v + 1]):
                w = to[e]
                nd = d + dur[e]
                if nd <= limit and nd < dist[w]:
                    if dist[w] == INF:
                        seen[n_seen] = w
                        n_seen += 1
                    dist[w] = nd
                    if size == len(heap_d):
                        heap_d = np.concatenate((heap_d, np.empty(size, dtype=np.int64)))
                        heap_v = np.concatenate((heap_v, np.empty(size, dtype=np.int64)))
                    # sift up
                    i = size
                    size += 1
                    while i > 0:
                        p = (i - 1) // 2
                        if heap_d[p] <= nd:
                            break
                        heap_d[i] = heap_d[p]
                        heap_v[i] = heap_v[p]
                        i = p
                    heap_d[i] = nd
                    heap_v[i] = w
        for i in range(n_seen):
            dist[seen[i]] = INF
            done[seen[i]] = 0
    return o_src[:k], o_dst[:k], o_dur[:k]
