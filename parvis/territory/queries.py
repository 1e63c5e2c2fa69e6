from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parvis.kernel.db import pairs
from parvis.territory.models import Arrondissement, Quartier


def arrondissement_names(db: Session) -> dict[int, str]:
    rows = db.execute(select(Arrondissement.number, Arrondissement.official_name))
    return pairs(rows)


def population_by_arrondissement(db: Session) -> dict[int, int]:
    rows = db.execute(select(Arrondissement.number, Arrondissement.population))
    return {number: population or 0 for number, population in rows}


def boundaries_geojson(db: Session, level: str = "arrondissements") -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    if level == "quartiers":
        for q in db.scalars(select(Quartier).order_by(Quartier.insee_code)):
            props = {"code": q.insee_code, "name": q.name, "arrondissement": q.arrondissement}
            features.append({"type": "Feature", "properties": props, "geometry": q.geometry})
    else:
        for a in db.scalars(select(Arrondissement).order_by(Arrondissement.number)):
            props = {"number": a.number, "name": a.official_name, "population": a.population}
            features.append({"type": "Feature", "properties": props, "geometry": a.geometry})
    return {"type": "FeatureCollection", "features": features}


def _in_ring(lon: float, lat: float, ring: list[list[float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _contains(geometry: dict[str, Any], lon: float, lat: float) -> bool:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    for rings in polygons:
        if _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, r) for r in rings[1:]):
            return True
    return False


def locate_arrondissement(db: Session, lon: float, lat: float) -> int | None:
    for number, geometry in db.execute(select(Arrondissement.number, Arrondissement.geometry)):
        if _contains(geometry, lon, lat):
            return int(number)
    return None
