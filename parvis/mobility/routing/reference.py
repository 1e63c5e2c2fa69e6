"""A plain connection scan over the same timetable: the slow, simple reference the tests
compare RAPTOR with.

It shares nothing with `raptor.py` but the timetable arrays and the semantics: the
connections (one per pair of consecutive stops of a trip running on a service day of the
query window, shifted by whole days) are scanned by departure time, with one label per stop
and per number of rides (exactly k), so the Pareto set over (arrival, rides) falls out of
prefix minima.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from parvis.mobility.routing._jit import DAY, INF
from parvis.mobility.routing.timetable import Timetable

I64 = npt.NDArray[np.int64]


class Reference:
    def __init__(self, tt: Timetable) -> None:
        self.tt = tt
        parts: list[list[I64]] = [[] for _ in range(8)]
        for r in range(tt.n_routes):
            so, se = int(tt.route_stop_off[r]), int(tt.route_stop_off[r + 1])
            t0, t1 = int(tt.route_trip_off[r]), int(tt.route_trip_off[r + 1])
            m, nt = se - so, t1 - t0
            base = int(tt.route_time_off[r])
            dep = tt.dep[base : base + m * nt].reshape(m, nt).astype(np.int64)
            arr = tt.arr[base : base + m * nt].reshape(nt, m).T.astype(np.int64)
            stops = tt.route_stops[so:se].astype(np.int64)
            pos = np.repeat(np.arange(m - 1), nt)
            trip = np.tile(np.arange(t0, t1), m - 1)
            parts[0].append(dep[:-1].ravel())
            parts[1].append(arr[1:].ravel())
            parts[2].append(stops[pos])
            parts[3].append(stops[pos + 1])
            parts[4].append(trip)
            parts[5].append(tt.route_board[so:se].astype(np.int64)[pos])
            parts[6].append(tt.route_alight[so:se].astype(np.int64)[pos + 1])
            parts[7].append(pos)
        self.conn = [np.concatenate(p) if p else np.zeros(0, np.int64) for p in parts]
        self.fps: list[list[tuple[int, int]]] = [
            list(
                zip(
                    tt.fp_to[tt.fp_off[s] : tt.fp_off[s + 1]].tolist(),
                    tt.fp_dur[tt.fp_off[s] : tt.fp_off[s + 1]].tolist(),
                    strict=True,
                )
            )
            for s in range(tt.n_stops)
        ]
        self.change = tt.change_time.tolist()

    def pareto(
        self,
        origins: list[tuple[int, int]],
        destinations: list[tuple[int, int]],
        day: date,
        seconds: int,
        *,
        max_transfers: int = 5,
        max_travel_time: int = DAY,
    ) -> list[tuple[int, int]]:
        """[(rides, arrival)] Pareto-optimal, by rides; arrival in seconds after midnight of
        `day` (normalised like RAPTOR's: `seconds` taken modulo a day)."""
        arrival, t_max = self._scan(origins, day, seconds, max_transfers, max_travel_time)
        out: list[tuple[int, int]] = []
        best = INF
        for k in range(len(arrival)):
            t = min(
                (arrival[k][d] + e for d, e in destinations if arrival[k][d] < INF), default=INF
            )
            if t < best and t <= t_max:
                out.append((k, t))
                best = t
        return out

    def earliest_arrivals(
        self,
        origins: list[tuple[int, int]],
        day: date,
        seconds: int,
        *,
        max_transfers: int = 5,
        max_travel_time: int = DAY,
    ) -> list[int]:
        """One-to-all: the earliest arrival at every stop with at most `max_transfers + 1`
        rides, in seconds after midnight of the `day` given; -1 if not reached by
        `seconds + max_travel_time`."""
        arrival, t_max = self._scan(origins, day, seconds, max_transfers, max_travel_time)
        shift = seconds - seconds % DAY  # the scan's times are after the normalised midnight
        best = [min(column) for column in zip(*arrival, strict=True)]
        return [t + shift if t <= t_max else -1 for t in best]

    def _scan(
        self,
        origins: list[tuple[int, int]],
        day: date,
        seconds: int,
        max_transfers: int,
        max_travel_time: int,
    ) -> tuple[list[list[int]], int]:
        """arrival[k][stop] with exactly k rides (INF if none), and the latest arrival
        allowed, both in seconds after the normalised query day's midnight."""
        tt = self.tt
        day = day + timedelta(days=seconds // DAY)
        seconds %= DAY
        qday = tt.day_index(day)
        t_max = seconds + max_travel_time
        d_lo, d_hi = -(tt.max_time // DAY), t_max // DAY
        n_dd = d_hi - d_lo + 1
        dep, arr, frm, to, trip, board, alight, pos = self.conn
        chunks = []
        for dd in range(d_lo, d_hi + 1):
            b = qday + dd
            if not 0 <= b < tt.n_days:
                continue
            d = dep + dd * DAY
            bits = tt.svc_bits[tt.trip_service[trip], b >> 3] >> (b & 7) & 1
            m = (bits == 1) & (d >= seconds) & (d <= t_max)
            chunks.append(
                (
                    d[m],
                    arr[m] + dd * DAY,
                    frm[m],
                    to[m],
                    trip[m] * n_dd + dd - d_lo,
                    board[m],
                    alight[m],
                    pos[m],
                )
            )
        cols = [np.concatenate([c[i] for c in chunks]) for i in range(8)]
        order = np.lexsort((cols[7], cols[4], cols[1], cols[0]))
        c_dep, c_arr, c_from, c_to, c_key, c_board, c_alight, _ = (x[order].tolist() for x in cols)

        n = tt.n_stops
        rides = max_transfers + 1
        arrival = [[INF] * n for _ in range(rides + 1)]
        ready = [[INF] * n for _ in range(rides + 1)]
        for s, access in origins:
            t = seconds + access
            arrival[0][s] = min(arrival[0][s], t)
            ready[0][s] = min(ready[0][s], t)
        for s, access in origins:
            t = seconds + access
            for q, w in self.fps[s]:
                if t + w <= t_max:
                    arrival[0][q] = min(arrival[0][q], t + w)
                    ready[0][q] = min(ready[0][q], t + w)
        on_trip = [bytearray(len(tt.trip_service) * n_dd) for _ in range(rides + 1)]
        change, fps = self.change, self.fps
        for cd, ca, u, v, key, bo, al in zip(
            c_dep, c_arr, c_from, c_to, c_key, c_board, c_alight, strict=True
        ):
            for k in range(1, rides + 1):
                if not (on_trip[k][key] or (bo and ready[k - 1][u] <= cd)):
                    continue
                on_trip[k][key] = 1
                if al and ca < arrival[k][v] and ca <= t_max:
                    arrival[k][v] = ca
                    ready[k][v] = min(ready[k][v], ca + change[v])
                    for q, w in fps[v]:
                        f = ca + w
                        if f <= t_max:
                            arrival[k][q] = min(arrival[k][q], f)
                            ready[k][q] = min(ready[k][q], f)
        return arrival, t_max
