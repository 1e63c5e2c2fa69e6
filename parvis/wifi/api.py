"""JSON API of the Wi-Fi backbone under /api/wifi: inventory, coverage, extension plans."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.deps import CtxDep, DbDep, Id, StaffDep
from parvis.kernel.web.problems import PROBLEM_RESPONSES
from parvis.wifi import actions, analysis, queries
from parvis.wifi.exports import plan_csv, plan_geojson
from parvis.wifi.models import WifiPlan
from parvis.wifi.schemas import Attach, PlanCreate, PointIn

router = APIRouter(prefix="/api/wifi", tags=["wifi"], responses=PROBLEM_RESPONSES)
Cell = Annotated[float, Query(ge=25, le=500, description="Demand-grid cell size, metres")]
Radius = Annotated[float, Query(gt=0, le=2000, description="Coverage radius, metres")]
MAX_UPLOAD = 5 * 1024 * 1024


def plan_json(plan: WifiPlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "title": plan.title,
        "mode": plan.mode,
        "params": plan.params,
        "status": plan.status,
        "summary": plan.summary,
        "chosen": plan.chosen,
        "by_arrondissement": plan.by_arrondissement,
        "curve": plan.curve,
        "project_id": plan.project_id,
        "created_at": plan.created_at.isoformat(),
        "links": {
            "sites": f"/api/wifi/plans/{plan.id}/sites.geojson",
            "csv": f"/api/wifi/plans/{plan.id}/sites.csv",
            "instance": f"/api/wifi/plans/{plan.id}/instance.json",
        },
    }


@router.get("/sites", summary="Paris Wi-Fi sites (GeoJSON)")
def sites(db: DbDep) -> dict[str, Any]:
    return queries.sites_geojson(db)


@router.post("/sites", status_code=status.HTTP_201_CREATED, summary="Add a site (staff)")
def add_site(db: DbDep, _staff: StaffDep, data: PointIn) -> dict[str, Any]:
    site = actions.add_site(db, data.name, data.lat, data.lon, data.access_points)
    return {"code": site.code, "name": site.name, "lat": site.lat, "lon": site.lon}


@router.post(
    "/sites/import",
    status_code=status.HTTP_201_CREATED,
    summary="Add sites from a CSV (lat, lon columns) or GeoJSON file (staff)",
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/geo+json": {"schema": {"type": "object"}},
            }
        }
    },
)
async def import_sites(request: Request, db: DbDep, _staff: StaffDep) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_UPLOAD:
        raise InvalidInput(_("The file is larger than 5 MB."))
    name = "upload.geojson" if "json" in request.headers.get("content-type", "") else "upload.csv"
    rows = actions.import_sites(db, body, name)
    return {"added": len(rows), "codes": [r.code for r in rows]}


@router.get("/candidates", summary="Candidate mounting points (GeoJSON)")
def candidates(db: DbDep) -> dict[str, Any]:
    return queries.candidates_geojson(db)


@router.post(
    "/candidates",
    status_code=status.HTTP_201_CREATED,
    summary="Add candidates from a CSV (lat, lon columns) or GeoJSON file (staff)",
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/geo+json": {"schema": {"type": "object"}},
            }
        }
    },
)
async def upload_candidates(
    request: Request,
    db: DbDep,
    _staff: StaffDep,
    cost_eur: Annotated[float, Query(gt=0, le=1e7)] = 1.0,
) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_UPLOAD:
        raise InvalidInput(_("The file is larger than 5 MB."))
    kind = request.headers.get("content-type", "")
    name = "upload.geojson" if "json" in kind else "upload.csv"
    rows = actions.import_candidates(db, body, name, cost_eur=cost_eur)
    return {"added": len(rows), "ids": [r.id for r in rows]}


@router.get("/coverage", summary="Covered shares of area and population, by area")
def coverage(db: DbDep, cell: Cell = 50.0, radius: Radius = 100.0) -> dict[str, Any]:
    return analysis.report_json(analysis.coverage_now(db, cell, radius))


@router.get("/coverage/cells", summary="Covered and uncovered demand cells (GeoJSON)")
def coverage_cells(
    db: DbDep,
    cell: Annotated[float, Query(ge=100, le=500)] = 200.0,
    radius: Radius = 100.0,
) -> dict[str, Any]:
    return analysis.cells_geojson(db, cell, radius)


@router.post(
    "/coverage/devices",
    summary="Which of these devices are out of coverage, with the estimated signal there",
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/geo+json": {"schema": {"type": "object"}},
            }
        }
    },
)
async def check_devices(request: Request, db: DbDep, radius: Radius = 100.0) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_UPLOAD:
        raise InvalidInput(_("The file is larger than 5 MB."))
    json_body = "json" in request.headers.get("content-type", "")
    return analysis.check_devices(
        db, body, "devices.geojson" if json_body else "devices.csv", radius
    )


@router.get("/plans", summary="Saved extension plans")
def list_plans(db: DbDep) -> list[dict[str, Any]]:
    return [plan_json(p) for p in queries.list_plans(db)]


@router.post(
    "/plans",
    status_code=status.HTTP_201_CREATED,
    summary="Compute and save an extension plan (staff)",
)
def create_plan(
    response: Response, db: DbDep, ctx: CtxDep, staff: StaffDep, data: PlanCreate
) -> dict[str, Any]:
    plan = actions.create_plan(db, ctx.storage, data, user=staff)
    response.headers["Location"] = f"/api/wifi/plans/{plan.id}"
    return plan_json(plan)


@router.get("/plans/{plan_id}", summary="One plan")
def read_plan(db: DbDep, plan_id: Id) -> dict[str, Any]:
    return plan_json(actions.get_plan(db, plan_id))


@router.get("/plans/{plan_id}/sites.geojson", summary="The new sites of a plan (GeoJSON)")
def plan_sites(db: DbDep, plan_id: Id) -> dict[str, Any]:
    return plan_geojson(db, actions.get_plan(db, plan_id))


@router.get("/plans/{plan_id}/sites.csv", summary="The new sites of a plan (CSV)")
def plan_sites_csv(db: DbDep, plan_id: Id) -> Response:
    plan = actions.get_plan(db, plan_id)
    return Response(
        plan_csv(db, plan),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="plan-{plan.id}.csv"'},
    )


@router.get("/plans/{plan_id}/instance.json", summary="The whole instance and its solution")
def plan_instance(db: DbDep, ctx: CtxDep, plan_id: Id) -> Response:
    plan = actions.get_plan(db, plan_id)
    if plan.instance_key is None:
        raise InvalidInput(_("This plan has no saved instance."))
    data, _type = ctx.storage.load(plan.instance_key)
    return Response(
        data,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="plan-{plan.id}-instance.json"'},
    )


@router.put("/plans/{plan_id}/project", summary="Attach a plan to a city project (staff)")
def attach(db: DbDep, ctx: CtxDep, _staff: StaffDep, plan_id: Id, data: Attach) -> dict[str, Any]:
    plan = actions.attach_plan(ctx, db, actions.get_plan(db, plan_id), data.project_id)
    return plan_json(plan)
