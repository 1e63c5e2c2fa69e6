"""Distances on the sphere and a small spatial index for stops and bike-share stations.

Everything is "as the crow flies": the planner has no street network, so walking and cycling
distances are straight lines times a detour factor (see `Preferences`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""

METRES_PER_DEGREE_LAT = math.pi / 180.0 * EARTH_RADIUS_M


@overload
def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float: ...


@overload
def haversine_m(lat1: float, lon1: float, lat2: F64, lon2: F64) -> F64: ...


def haversine_m(lat1: float, lon1: float, lat2: float | F64, lon2: float | F64) -> float | F64:
    """Great-circle distance in metres between two points given in degrees; with arrays for
    the second point, the distances to each (NaN stays NaN)."""
    if isinstance(lat2, np.ndarray) or isinstance(lon2, np.ndarray):
        return haversine_many(lat1, lon1, np.asarray(lat2, float), np.asarray(lon2, float))
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def haversine_many(lat: float, lon: float, lats: F64, lons: F64) -> F64:
    """Distances in metres from one point to arrays of points (NaN stays NaN)."""
    p1 = math.radians(lat)
    p2 = np.radians(lats)
    dl = np.radians(lons - lon)
    a = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: F64 = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return out


def path_length_m(points: list[tuple[float, float]]) -> float:
    """Length of a polyline of (lat, lon) points, hop by hop; hops with a missing coordinate
    (NaN) are skipped."""
    total = 0.0
    for (a_lat, a_lon), (b_lat, b_lon) in itertools.pairwise(points):
        d = haversine_m(a_lat, a_lon, b_lat, b_lon)
        if math.isfinite(d):
            total += d
    return total


def offset_point(
    lat: float, lon: float, distance_m: float, bearing_deg: float
) -> tuple[float, float]:
    """The point `distance_m` away from (lat, lon) in direction `bearing_deg` (0 = north)."""
    d = distance_m / EARTH_RADIUS_M
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0


def circle_polygon(
    lat: float, lon: float, radius_m: float, sides: int = 16
) -> list[tuple[float, float]]:
    """A closed ring of `sides` (lat, lon) vertices (the first repeated at the end)
    approximating the circle of `radius_m` around (lat, lon)."""
    ring = [offset_point(lat, lon, radius_m, 360.0 * k / sides) for k in range(sides)]
    return [*ring, ring[0]]


@dataclass(frozen=True, eq=False)
class PointIndex:
    """Points sorted by latitude: a query reads the band of latitudes within the radius with
    two binary searches, then measures only that band (O(log n + band) per query, which for
    ~1,000 stops or ~1,500 stations of a city is a few microseconds of numpy)."""

    lat: F64
    lon: F64
    _order: I64 = field(init=False, repr=False)
    _sorted_lat: F64 = field(init=False, repr=False)

    def __post_init__(self) -> None:
        lat = np.asarray(self.lat, dtype=np.float64)
        lon = np.asarray(self.lon, dtype=np.float64)
        if lat.shape != lon.shape:
            raise ValueError("lat and lon must have the same length")
        # Points without coordinates are left out of the index, never returned.
        ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
        order = ok[np.argsort(lat[ok], kind="stable")].astype(np.int64)
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "lon", lon)
        object.__setattr__(self, "_order", order)
        object.__setattr__(self, "_sorted_lat", lat[order])

    def __len__(self) -> int:
        return len(self.lat)

    def within(self, lat: float, lon: float, radius_m: float) -> tuple[I64, F64]:
        """(indices, distances in metres) of the points within `radius_m` of (lat, lon),
        nearest first."""
        if not (math.isfinite(lat) and math.isfinite(lon)) or radius_m < 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        dlat = radius_m / METRES_PER_DEGREE_LAT
        lo = int(np.searchsorted(self._sorted_lat, lat - dlat, side="left"))
        hi = int(np.searchsorted(self._sorted_lat, lat + dlat, side="right"))
        band = self._order[lo:hi]
        dist = haversine_many(lat, lon, self.lat[band], self.lon[band])
        keep = dist <= radius_m
        idx, dist = band[keep], dist[keep]
        order = np.argsort(dist, kind="stable")
        return idx[order], dist[order]
