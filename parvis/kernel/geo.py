"""Small geometry helpers on WGS84 longitude/latitude, no database extension needed."""

from __future__ import annotations

import math

# Paris with the two woods and a margin: a coordinate outside is a mistake, not a place.
PARIS_BBOX = (2.2, 48.80, 2.48, 48.91)
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
