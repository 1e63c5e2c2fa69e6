"""Every write of the Wi-Fi domain: the inventory (sites, candidate mounting points) and the
extension plans, saved with their whole instance."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parvis.kernel.auth import User
from parvis.kernel.context import Context
from parvis.kernel.errors import InvalidInput, NotFound
from parvis.kernel.i18n import gettext as _
from parvis.kernel.storage import Storage
from parvis.wifi.analysis import grid_of, load_inventory
from parvis.wifi.models import CandidateKind, PlanMode, WifiCandidate, WifiPlan, WifiSite
from parvis.wifi.planning.coverage import report_coverage
from parvis.wifi.planning.greedy import greedy_max_cover
from parvis.wifi.planning.grid import DemandGrid
from parvis.wifi.planning.instance import plan_document
from parvis.wifi.planning.model import PlanningError, Point
from parvis.wifi.planning.problem import Instance, build_instance
from parvis.wifi.planning.reduce import reduce_instance
from parvis.wifi.planning.solve import (
    Plan,
    evaluate,
    maximize_coverage,
    minimize_sites,
    reach_counts,
)
from parvis.wifi.planning.sources import (
    distance_outside_paris,
    load_candidates,
    parse_points_csv,
    parse_points_geojson,
    read_wifi_sites,
)
from parvis.wifi.schemas import PlanCreate

Progress = Callable[[str], None]
OPERATIONAL = "opérationnel"


def _quiet(_step: str) -> None:
    return None


@dataclass(frozen=True)
class PlanWasAttached:
    """A plan became the tools and an objective of a city project (the app makes the
    objective: the projects and indicators domains are not ours to write)."""

    plan_id: int
    project_id: int
    title: str
    baseline_share: float
    target_share: float


def load_opendata(db: Session) -> tuple[int, int]:
    """The Paris Wi-Fi sites and the shipped candidate mounting points, added when missing
    (repeatable); returns (sites, candidates) in the database."""
    known_sites = set(db.scalars(select(WifiSite.code)))
    for site in read_wifi_sites():
        if site.id in known_sites:
            continue
        db.add(
            WifiSite(
                code=site.id,
                name=site.name[:200],
                address=site.address[:300],
                postcode=site.postcode[:10],
                lat=site.lat,
                lon=site.lon,
                access_points=site.access_points,
                state=site.state[:60],
                operational=site.state.lower().startswith(OPERATIONAL[:5]),
            )
        )
    known: set[tuple[str, str]] = {
        (str(k), r) for k, r in db.execute(select(WifiCandidate.kind, WifiCandidate.ref))
    }
    for c in load_candidates():
        ref = c.id.split(":", 1)[-1][:80]
        if (c.kind, ref) in known:
            continue
        known.add((c.kind, ref))
        db.add(
            WifiCandidate(
                kind=CandidateKind(c.kind), ref=ref, name=c.name[:200], lat=c.lat, lon=c.lon
            )
        )
    db.commit()
    return len(set(db.scalars(select(WifiSite.id)))), len(set(db.scalars(select(WifiCandidate.id))))


def add_site(
    db: Session, name: str, lat: float, lon: float, access_points: int, code: str = ""
) -> WifiSite:
    outside = distance_outside_paris(np.array([lat]), np.array([lon]))
    if float(outside[0]) > 0:
        raise InvalidInput(_("This point is outside Paris."))
    site = WifiSite(
        code=code or f"manual-{uuid.uuid4().hex[:10]}",
        name=name,
        lat=lat,
        lon=lon,
        access_points=access_points,
        state="opérationnel",
        source="manual",
    )
    db.add(site)
    db.commit()
    return site


def import_candidates(
    db: Session, data: bytes, filename: str, *, cost_eur: float = 1.0
) -> list[WifiCandidate]:
    """Candidate mounting points from a staff upload (CSV with lat/lon columns, or GeoJSON
    points). Every row is checked first: one bad row refuses the whole file, nothing saved."""
    points = _parse_points(data, filename)
    rows = [
        WifiCandidate(
            kind=CandidateKind.OTHER,
            ref=f"{p.id or n}-{uuid.uuid4().hex[:8]}"[:80],
            name=(p.name or p.id or "")[:200],
            lat=p.lat,
            lon=p.lon,
            cost_eur=cost_eur,
            source="upload",
        )
        for n, p in enumerate(points, 1)
    ]
    db.add_all(rows)
    db.commit()
    return rows


def import_sites(db: Session, data: bytes, filename: str) -> list[WifiSite]:
    """Sites from a staff upload (CSV with lat/lon columns, or GeoJSON points), one access
    point each; one bad row refuses the whole file."""
    points = _parse_points(data, filename)
    rows = [
        WifiSite(
            code=f"upload-{uuid.uuid4().hex[:12]}",
            name=(p.name or p.id or f"Site {n}")[:200],
            lat=p.lat,
            lon=p.lon,
            access_points=1,
            state=OPERATIONAL,
            source="upload",
        )
        for n, p in enumerate(points, 1)
    ]
    db.add_all(rows)
    db.commit()
    return rows


def _parse_points(data: bytes, filename: str) -> tuple[Point, ...]:
    try:
        if filename.lower().endswith((".geojson", ".json")):
            points = parse_points_geojson(data, source=filename)
        else:
            points = parse_points_csv(data, source=filename)
    except PlanningError as error:
        raise InvalidInput(str(error)) from None
    if not points:
        raise InvalidInput(_("The file holds no point."))
    return tuple(points)


def get_plan(db: Session, plan_id: int) -> WifiPlan:
    plan = db.get(WifiPlan, plan_id)
    if plan is None:
        raise NotFound(_("No plan {id}.").format(id=plan_id))
    return plan


def create_plan(
    db: Session,
    storage: Storage,
    data: PlanCreate,
    *,
    user: User | None = None,
    progress: Progress = _quiet,
) -> WifiPlan:
    """Solve a scenario on the inventory in the database and save it with its instance."""
    radius = data.radius()
    inventory = load_inventory(db, kinds=data.kinds or None)
    if not inventory.candidates:
        raise InvalidInput(_("There is no candidate mounting point to choose from."))
    progress("grid")
    grid = grid_of(data.cell_m)
    instance = build_instance(grid, inventory.sites, inventory.candidates, radius)
    progress("solve")
    try:
        if data.mode == PlanMode.SET_COVER:
            assert data.target_share is not None
            plan = minimize_sites(
                instance,
                target=data.target_share,
                by_cost=data.by_cost,
                method=data.method,
                time_limit=data.time_limit,
            )
        else:
            plan = maximize_coverage(
                instance,
                p=data.new_sites if data.mode == PlanMode.MAX_COVER else None,
                budget=data.budget_eur if data.mode == PlanMode.BUDGET else None,
                method=data.method,
                backup_weight=data.backup_weight,
                time_limit=data.time_limit,
            )
    except PlanningError as error:
        raise InvalidInput(str(error)) from None
    progress("save")
    chosen = [inventory.candidate_rows[i] for i in plan.chosen]
    key = f"wifi/plans/{uuid.uuid4().hex}.json"
    # The whole instance with its solution (candidate ids are database ids): anyone can
    # re-check the plan with another solver, or read it back with `read_plan`.
    document = finite({**plan_document(plan), "request": data.model_dump(mode="json")})
    storage.save(key, json.dumps(document, allow_nan=False).encode(), "application/json")
    baseline = evaluate(instance, []).covered_weight
    row = WifiPlan(
        title=data.title,
        mode=data.mode,
        params={**data.model_dump(mode="json"), "radius_used_m": radius},
        status=plan.status,
        summary=finite(summary_of(plan, baseline, instance.total_weight, len(chosen))),
        chosen=chosen,
        by_arrondissement=by_arrondissement(grid, instance, plan),
        curve=coverage_curve(instance, len(chosen)),
        instance_key=key,
        created_by=user.id if user else None,
    )
    db.add(row)
    db.commit()
    return row


def finite(value: Any) -> Any:
    """JSON has no NaN nor infinity (PostgreSQL refuses them): an undefined figure is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def summary_of(plan: Plan, baseline: float, total_weight: float, chosen: int) -> dict[str, Any]:
    ev = plan.evaluation
    return {
        "status": plan.status,
        "message": plan.message,
        "method": plan.method,
        "model": plan.model,
        "new_sites": chosen,
        "objective": plan.objective,
        "bound": plan.bound,
        "gap": plan.gap,
        "seconds": round(plan.seconds, 3),
        "baseline_share": baseline / total_weight if total_weight else 0.0,
        "covered_share": ev.covered_weight / total_weight if total_weight else 0.0,
        "covered_population": round(ev.covered_population),
        "cost": ev.cost,
        "greedy_objective": plan.greedy_objective,
        "best_reachable_share": plan.best_reachable_share,
        "sizes": asdict(plan.sizes) if is_dataclass(plan.sizes) else {},
    }


def by_arrondissement(grid: DemandGrid, instance: Instance, plan: Plan) -> list[dict[str, Any]]:
    """Population covered before and after the plan, per arrondissement."""
    before = report_coverage(
        grid, reach_counts(instance, []) >= 1, radius_m=instance.radius_m, sites=0
    )
    after = report_coverage(
        grid, reach_counts(instance, plan.chosen) >= 1, radius_m=instance.radius_m, sites=0
    )
    return [
        {"code": b.code, "name": b.name, "before": b.population_share, "after": a.population_share}
        for b, a in zip(before.by_arrondissement, after.by_arrondissement, strict=True)
    ]


def coverage_curve(instance: Instance, n: int, points: int = 12) -> list[list[float]]:
    """[new sites, population share covered] along the greedy order up to `n` sites (the
    curve is cheap this way; each exact plan is one point of its own)."""
    if n <= 0 or instance.total_weight <= 0:
        return []
    order = greedy_max_cover(reduce_instance(instance), p=n).chosen.tolist()
    steps = sorted({round(n * k / (points - 1)) for k in range(points)})
    total = instance.total_weight
    return [
        [float(k), evaluate(instance, order[:k]).covered_weight / total]
        for k in steps
        if k <= len(order)
    ]


def attach_plan(ctx: Context, db: Session, plan: WifiPlan, project_id: int) -> WifiPlan:
    """Make a plan the Wi-Fi tools of a city project, and its coverage an objective."""
    try:
        with db.begin_nested():
            plan.project_id = project_id
            db.flush()
    except IntegrityError:  # the foreign key: no such project
        raise NotFound(_("No city project {id}.").format(id=project_id)) from None
    db.commit()
    baseline = float(plan.summary.get("baseline_share") or 0.0)
    target = float(plan.summary.get("covered_share") or 0.0)
    ctx.events.publish(PlanWasAttached(plan.id, project_id, plan.title, baseline, target))
    return plan
