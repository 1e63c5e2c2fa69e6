"""The planner's view of a timetable and of the bike-share stations, with spatial indices.

`Network(timetable, stations)` is cheap to rebuild when the station status changes: what
depends on the timetable alone (spatial index of the stops, trip and route look-ups) is
computed once per timetable and cached.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from parvis.mobility.planning.co2 import mode_of_route_type
from parvis.mobility.planning.geo import PointIndex
from parvis.mobility.planning.model import BikeStation, Place, PlanningError
from parvis.mobility.routing import Timetable

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
DAY = 86_400


@dataclass(frozen=True, slots=True)
class Call:
    """A stop of a ride: stop index, arrival and departure in seconds after midnight of the
    journey's day."""

    stop: int
    arrival: int
    departure: int


class _TimetableIndex:
    """What the planner needs from a timetable, computed once."""

    def __init__(self, tt: Timetable) -> None:
        has_route = np.diff(tt.stop_route_off) > 0
        # Only stops that some trip serves are worth walking to.
        self.stops: I64 = np.flatnonzero(has_route).astype(np.int64)
        self.points = PointIndex(tt.stop_lat[self.stops], tt.stop_lon[self.stops])
        self.trip_of: dict[str, int] = {
            tt.trip_ids[int(feed_trip)]: t for t, feed_trip in enumerate(tt.trip_feed.tolist())
        }
        self.route_of: dict[str, int] = {r: i for i, r in enumerate(tt.route_ids)}
        self.route_modes: list[str] = [mode_of_route_type(int(t)) for t in tt.route_types]
        shorts = tt.route_short_names
        self.route_labels: list[str] = [
            (shorts[i] if i < len(shorts) and shorts[i] else tt.route_names[i])
            for i in range(len(tt.route_ids))
        ]


_cache: weakref.WeakKeyDictionary[Timetable, _TimetableIndex] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _index_of(tt: Timetable) -> _TimetableIndex:
    with _lock:
        found = _cache.get(tt)
    if found is None:
        found = _TimetableIndex(tt)
        with _lock:
            _cache[tt] = found
    return found


class Network:
    """A timetable (built with or without walking links) and bike-share stations.
    `operators` maps a stop-id prefix (the text before the first ":") to an operator name,
    for timetables merged from several feeds; `route_modes` overrides the mode of a route
    (route_id -> mode of `co2.TRANSIT_MODES`) when its GTFS route_type says too little."""

    def __init__(
        self,
        timetable: Timetable,
        stations: Sequence[BikeStation] = (),
        *,
        operators: Mapping[str, str] | None = None,
        route_modes: Mapping[str, str] | None = None,
    ) -> None:
        self.timetable = timetable
        self.stations: tuple[BikeStation, ...] = tuple(stations)
        self.operators: dict[str, str] = dict(operators or {})
        self._route_modes = dict(route_modes or {})
        self._tt = _index_of(timetable)
        s = self.stations
        self.station_lat: F64 = np.array([x.lat for x in s], dtype=np.float64)
        self.station_lon: F64 = np.array([x.lon for x in s], dtype=np.float64)
        self._can_rent = np.array([x.is_renting and x.bikes_available >= 1 for x in s], dtype=bool)
        self._can_return = np.array(
            [x.is_returning and x.docks_available >= 1 for x in s], dtype=bool
        )
        self._station_points = PointIndex(self.station_lat, self.station_lon)

    # -- stops -------------------------------------------------------------------------------

    def stops_near(self, lat: float, lon: float, radius_m: float) -> tuple[I64, F64]:
        """(stop indices, straight-line metres) of the served stops within `radius_m`,
        nearest first."""
        idx, dist = self._tt.points.within(lat, lon, radius_m)
        return self._tt.stops[idx], dist

    def routes_at(self, stop: int) -> int:
        """How many routes (stop patterns) serve stop `stop`."""
        off = self.timetable.stop_route_off
        return int(off[stop + 1] - off[stop])

    def stops_of(self, stop_id: str) -> list[int]:
        """The stop indices a stop or station id means; PlanningError if unknown."""
        try:
            return self.timetable.stops_of(stop_id)
        except KeyError:
            raise PlanningError(f"unknown stop or station {stop_id!r}") from None

    def stop_place(self, stop: int) -> Place:
        tt = self.timetable
        lat, lon = float(tt.stop_lat[stop]), float(tt.stop_lon[stop])
        if not (np.isfinite(lat) and np.isfinite(lon)):
            lat, lon = 0.0, 0.0  # a stop without coordinates: the feed reported it
        return Place(lat, lon, tt.stop_names[stop], tt.stop_ids[stop])

    def place_of_stop(self, stop_id: str) -> Place:
        """A Place for a stop or station id (its coordinates, name and id)."""
        tt = self.timetable
        if stop_id not in tt.stop_index:
            raise PlanningError(f"unknown stop or station {stop_id!r}")
        return self.stop_place(tt.stop_index[stop_id])

    def operator_of(self, stop_id: str) -> str:
        """The operator name of a stop of a merged timetable ("" if none is known)."""
        prefix = stop_id.split(":", 1)[0]
        return self.operators.get(prefix, "")

    # -- bike-share stations -----------------------------------------------------------------

    def stations_near(
        self,
        lat: float,
        lon: float,
        radius_m: float,
        *,
        to_rent: bool = False,
        to_return: bool = False,
    ) -> tuple[I64, F64]:
        """(station indices, straight-line metres) within `radius_m`, nearest first; only
        stations renting with a bike available (`to_rent`) or returning with a free dock
        (`to_return`) when asked."""
        idx, dist = self._station_points.within(lat, lon, radius_m)
        keep = np.ones(len(idx), dtype=bool)
        if to_rent:
            keep &= self._can_rent[idx]
        if to_return:
            keep &= self._can_return[idx]
        return idx[keep], dist[keep]

    def station_place(self, station: int) -> Place:
        s = self.stations[station]
        return Place(s.lat, s.lon, s.name)

    # -- routes and rides --------------------------------------------------------------------

    def route_mode(self, route_id: str | None) -> str:
        if route_id is None:
            return "bus"
        if route_id in self._route_modes:
            return self._route_modes[route_id]
        i = self._tt.route_of.get(route_id)
        return "bus" if i is None else self._tt.route_modes[i]

    def route_label(self, route_id: str | None) -> str | None:
        i = None if route_id is None else self._tt.route_of.get(route_id)
        return route_id if i is None else self._tt.route_labels[i]

    def ride_calls(
        self, trip_id: str, from_stop: int, to_stop: int, departure: int, arrival: int, shift: int
    ) -> list[Call]:
        """The stops of trip `trip_id` from boarding at `from_stop` (leaving at `departure`)
        to alighting at `to_stop` (at `arrival`); times in seconds after midnight of the
        journey's day, `shift` being the trip's service day minus that day, in seconds.
        Empty if the trip is not found as given."""
        tt = self.timetable
        t = self._tt.trip_of.get(trip_id)
        if t is None:
            return []
        r = int(np.searchsorted(tt.route_trip_off, t, side="right")) - 1
        j = t - int(tt.route_trip_off[r])
        so, m = int(tt.route_stop_off[r]), int(tt.route_stop_off[r + 1] - tt.route_stop_off[r])
        nt = int(tt.route_trip_off[r + 1] - tt.route_trip_off[r])
        base = int(tt.route_time_off[r])
        stops = tt.route_stops[so : so + m].tolist()
        arr = [int(tt.arr[base + j * m + i]) + shift for i in range(m)]
        dep = [int(tt.dep[base + i * nt + j]) + shift for i in range(m)]
        # Match on times as well as stops: a route may pass the same stop twice.
        first = next((i for i in range(m) if stops[i] == from_stop and dep[i] == departure), None)
        if first is None:
            return []
        last = next(
            (i for i in range(first + 1, m) if stops[i] == to_stop and arr[i] == arrival), None
        )
        if last is None:
            return []
        return [Call(stops[i], arr[i], dep[i]) for i in range(first, last + 1)]
