"""Small geometry helpers on GeoJSON (WGS84 lon/lat), no database extension needed."""

from __future__ import annotations

import math
from typing import Any

from parvis.kernel.errors import InvalidInput

# Paris with the two woods and a margin: a coordinate outside is a mistake, not a place.
PARIS_BBOX = (2.2, 48.80, 2.48, 48.91)
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _check_position(position: Any) -> tuple[float, float]:
    if (
        not isinstance(position, list | tuple)
        or len(position) != 2
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in position)
    ):
        raise InvalidInput("a position is [longitude, latitude]")
    lon, lat = float(position[0]), float(position[1])
    west, south, east, north = PARIS_BBOX
    if not (west <= lon <= east and south <= lat <= north):
        raise InvalidInput(f"position {lon}, {lat} is outside Paris")
    return lon, lat


def validate_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """Accept a GeoJSON Point or Polygon inside Paris; return it normalised."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Point":
        lon, lat = _check_position(coordinates)
        return {"type": "Point", "coordinates": [lon, lat]}
    if kind == "Polygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise InvalidInput("a Polygon has at least one ring")
        rings = []
        for ring in coordinates:
            if not isinstance(ring, list) or len(ring) < 4:
                raise InvalidInput("a Polygon ring has at least four positions")
            points = [list(_check_position(p)) for p in ring]
            if points[0] != points[-1]:
                raise InvalidInput("a Polygon ring must be closed (first position = last)")
            rings.append(points)
        return {"type": "Polygon", "coordinates": rings}
    raise InvalidInput("geometry must be a GeoJSON Point or Polygon")


def representative_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """A point for markers: the Point itself or the mean of a Polygon's outer ring."""
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        return float(lon), float(lat)
    ring = geometry["coordinates"][0][:-1]
    return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
