"""Reads of the Wi-Fi domain: the inventory as GeoJSON, plans, the assets of a project."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parvis.wifi.models import WifiCandidate, WifiPlan, WifiSite


def _point(lat: float, lon: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def sites_geojson(db: Session) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "id": s.code,
            "geometry": _point(s.lat, s.lon),
            "properties": {
                "kind": "site",
                "code": s.code,
                "name": s.name,
                "address": s.address,
                "access_points": s.access_points,
                "state": s.state,
                "operational": s.operational,
            },
        }
        for s in db.scalars(select(WifiSite).order_by(WifiSite.id))
    ]
    return {"type": "FeatureCollection", "features": features}


def candidates_geojson(db: Session, ids: list[int] | None = None) -> dict[str, Any]:
    query = select(WifiCandidate).order_by(WifiCandidate.id)
    if ids is not None:
        query = query.where(WifiCandidate.id.in_(ids))
    features = [
        {
            "type": "Feature",
            "id": c.id,
            "geometry": _point(c.lat, c.lon),
            "properties": {"kind": c.kind, "name": c.name, "cost_eur": c.cost_eur},
        }
        for c in db.scalars(query)
    ]
    return {"type": "FeatureCollection", "features": features}


def list_plans(db: Session, ids: list[int] | None = None) -> list[WifiPlan]:
    query = select(WifiPlan).order_by(WifiPlan.id.desc())
    if ids is not None:
        query = query.where(WifiPlan.id.in_(ids))
    return list(db.scalars(query.limit(100)))


def plans_of_project(db: Session, project_id: int) -> list[WifiPlan]:
    return list(db.scalars(select(WifiPlan).where(WifiPlan.project_id == project_id)))


def chosen_candidates(db: Session, plan: WifiPlan) -> list[WifiCandidate]:
    return list(
        db.scalars(
            select(WifiCandidate)
            .where(WifiCandidate.id.in_(plan.chosen))
            .order_by(WifiCandidate.id)
        )
    )


def inventory_counts(db: Session) -> dict[str, int]:
    sites = list(db.scalars(select(WifiSite)))
    return {
        "sites": len(sites),
        "operational_sites": sum(s.operational for s in sites),
        "access_points": sum(s.access_points for s in sites),
        "candidates": len(list(db.scalars(select(WifiCandidate.id)))),
    }
