from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from parvis.kernel.web.deps import DbDep
from parvis.kernel.web.problems import PROBLEM_RESPONSES
from parvis.territory.queries import boundaries_geojson

router = APIRouter(prefix="/api", tags=["territory"], responses=PROBLEM_RESPONSES)


@router.get("/boundaries/{level}", summary="Boundaries of Paris as GeoJSON (ODbL, Ville de Paris)")
def boundaries(db: DbDep, level: Literal["arrondissements", "quartiers"]) -> dict[str, Any]:
    return boundaries_geojson(db, level)
