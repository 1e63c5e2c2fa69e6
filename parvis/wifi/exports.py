"""A plan's new sites as GeoJSON and CSV, for maps, spreadsheets and other tools."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy.orm import Session

from parvis.wifi.models import WifiPlan
from parvis.wifi.queries import chosen_candidates


def plan_geojson(db: Session, plan: WifiPlan) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "id": c.id,
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {"kind": c.kind, "name": c.name, "cost_eur": c.cost_eur},
        }
        for c in chosen_candidates(db, plan)
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"plan": plan.id, "title": plan.title, **plan.summary},
    }


def plan_csv(db: Session, plan: WifiPlan) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["candidate_id", "kind", "name", "lat", "lon", "cost_eur"])
    for c in chosen_candidates(db, plan):
        writer.writerow([c.id, c.kind, c.name, f"{c.lat:.6f}", f"{c.lon:.6f}", c.cost_eur])
    return out.getvalue()
