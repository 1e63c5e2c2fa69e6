"""How far one gets in a given time: the stops (stations) reached by public transport with a
walk at the start, and a GeoJSON picture of it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from parvis.mobility.planning.access import usable, walk_accesses
from parvis.mobility.planning.geo import circle_polygon
from parvis.mobility.planning.model import Place, PlanningError, Preferences
from parvis.mobility.planning.network import Network
from parvis.mobility.planning.planner import check_wheelchair, clock_of
from parvis.mobility.routing import earliest_arrivals

Reached = tuple[str, str, float, float, int]
"""(stop or station id, name, lat, lon, minutes)."""


def isochrone(
    network: Network,
    origin: Place,
    when: datetime,
    max_minutes: int,
    prefs: Preferences | None = None,
) -> list[Reached]:
    """The stops reached within `max_minutes` leaving `origin` at `when`, walking to the
    stops within `prefs.max_walk_m` (or from the origin's own stop), then riding and walking
    between stops; a stop of a station is reported as its station (the quickest of its
    stops). Minutes are rounded up. Sorted by minutes, then name."""
    prefs = prefs or Preferences()
    if max_minutes < 0:
        raise PlanningError("max_minutes must be >= 0")
    tt = network.timetable
    clock, asked = clock_of(tt, when, prefs)
    check_wheelchair(network, prefs)
    accesses = usable(network, walk_accesses(network, origin, prefs, egress=False), prefs)
    origins = [(s, a.seconds) for s, a in accesses.items() if a.seconds <= max_minutes * 60]
    if not origins:
        return []
    arrivals = earliest_arrivals(
        tt,
        origins,
        clock.day,
        asked,
        max_transfers=prefs.max_transfers,
        max_travel_time=max_minutes * 60,
    )
    reached = np.flatnonzero((arrivals >= 0) & (arrivals - asked <= max_minutes * 60))
    best: dict[int, int] = {}
    for s in reached.tolist():
        minutes = math.ceil((int(arrivals[s]) - asked) / 60)
        parent = int(tt.stop_parent[s])
        key = parent if parent >= 0 and tt.stop_type[parent] == 1 else s
        if minutes <= max_minutes and minutes < best.get(key, max_minutes + 1):
            best[key] = minutes
    out = [
        (
            tt.stop_ids[k],
            tt.stop_names[k],
            float(tt.stop_lat[k]),
            float(tt.stop_lon[k]),
            m,
        )
        for k, m in best.items()
    ]
    out.sort(key=lambda r: (r[4], r[1], r[0]))
    return out


def isochrone_geojson(
    reached: Sequence[Reached],
    max_minutes: int,
    *,
    origin: Place | None = None,
    prefs: Preferences | None = None,
    circles: bool = True,
    sides: int = 16,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: a Point per stop reached (properties `stop_id`, `name`,
    `minutes`) and, with `circles`, a Polygon per stop (and one around `origin`) of the
    ground still walkable in the minutes left (a `sides`-gon; straight-line radius = minutes
    left × walking speed ÷ detour factor; property `minutes_left`). Coordinates are
    [lon, lat], as GeoJSON wants."""
    prefs = prefs or Preferences()
    metres_per_minute = 60.0 * prefs.walk_speed_m_s / prefs.walk_detour
    features: list[dict[str, Any]] = []
    for stop_id, name, lat, lon, minutes in reached:
        if not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"stop_id": stop_id, "name": name, "minutes": minutes},
            }
        )
    if circles:
        centres: list[tuple[float, float, int, str | None]] = [
            (lat, lon, max_minutes - m, sid) for sid, _, lat, lon, m in reached
        ]
        if origin is not None:
            centres.append((origin.lat, origin.lon, max_minutes, None))
        for lat, lon, left, sid in centres:
            if left <= 0 or not (math.isfinite(lat) and math.isfinite(lon)):
                continue
            ring = circle_polygon(lat, lon, left * metres_per_minute, sides)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[x, y] for y, x in ring]],
                    },
                    "properties": {"stop_id": sid, "minutes_left": left},
                }
            )
    return {"type": "FeatureCollection", "features": features}
