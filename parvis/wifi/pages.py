"""HTML pages of the Wi-Fi backbone: coverage today, the saved plans side by side, one plan,
and the staff form to compute a new one. The maps are an enhancement of the tables."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.deps import CtxDep, DbDep, Id, StaffDep, check_csrf_form
from parvis.kernel.web.templating import redirect, render
from parvis.wifi import actions, analysis, queries
from parvis.wifi.labels import KIND_LABELS
from parvis.wifi.models import CandidateKind, PlanMode
from parvis.wifi.schemas import PlanCreate

router = APIRouter(dependencies=[Depends(check_csrf_form)], include_in_schema=False)
RADII = (50, 100, 150, 250)


def _number(text: str | None, default: float, low: float, high: float) -> float:
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if low <= value <= high else default


@router.get("/wifi", response_class=HTMLResponse)
def coverage_page(request: Request, db: DbDep) -> Response:
    radius = _number(request.query_params.get("radius"), 100.0, 10, 2000)
    report = analysis.coverage_now(db, 50.0, radius)
    return render(
        request,
        "wifi/coverage.html",
        report=report,
        radius=radius,
        radii=RADII,
        counts=queries.inventory_counts(db),
    )


@router.get("/wifi/plans", response_class=HTMLResponse)
def plans_page(request: Request, db: DbDep) -> Response:
    plans = queries.list_plans(db)
    wanted = [int(x) for x in request.query_params.getlist("compare") if x.isdigit()][:4]
    compared = [p for p in plans if p.id in wanted]
    return render(request, "wifi/plans.html", plans=plans, compared=compared)


@router.get("/wifi/plans/new", response_class=HTMLResponse)
def new_plan_page(request: Request, _staff: StaffDep) -> Response:
    return render(
        request,
        "wifi/new.html",
        form={},
        kinds=list(CandidateKind),
        errors=[],
        kind_labels=KIND_LABELS,
    )


@router.post("/wifi/plans", response_class=HTMLResponse)
def create_plan_form(
    request: Request,
    db: DbDep,
    ctx: CtxDep,
    staff: StaffDep,
    title: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "max_cover",
    new_sites: Annotated[str, Form()] = "",
    budget_eur: Annotated[str, Form()] = "",
    target_percent: Annotated[str, Form()] = "",
    radius_m: Annotated[str, Form()] = "100",
    kinds: Annotated[list[str] | None, Form()] = None,
    backup: Annotated[str, Form()] = "",
) -> Response:
    form: dict[str, Any] = {
        "title": title,
        "mode": mode,
        "new_sites": new_sites,
        "budget_eur": budget_eur,
        "target_percent": target_percent,
        "radius_m": radius_m,
        "kinds": kinds or [],
        "backup": backup,
    }
    try:
        data = PlanCreate.model_validate(
            {
                "title": title,
                "mode": mode if mode in PlanMode._value2member_map_ else "max_cover",
                "new_sites": int(new_sites) if new_sites.strip().isdigit() else None,
                "budget_eur": float(budget_eur) if _is_number(budget_eur) else None,
                "target_share": (
                    float(target_percent) / 100 if _is_number(target_percent) else None
                ),
                "radius_m": float(radius_m) if _is_number(radius_m) else -1,
                "kinds": [k for k in kinds or [] if k in CandidateKind._value2member_map_],
                "backup_weight": 0.5 if backup else 0.0,
                "time_limit": 30.0,
            }
        )
        plan = actions.create_plan(db, ctx.storage, data, user=staff)
    except ValidationError as invalid:
        errors = [_field_message(e) for e in invalid.errors()]
        return render(
            request,
            "wifi/new.html",
            422,
            form=form,
            kinds=list(CandidateKind),
            errors=errors,
            kind_labels=KIND_LABELS,
        )
    except InvalidInput as invalid:
        return render(
            request,
            "wifi/new.html",
            422,
            form=form,
            kinds=list(CandidateKind),
            errors=[invalid.detail],
            kind_labels=KIND_LABELS,
        )
    return redirect(f"/wifi/plans/{plan.id}", _("The plan is computed and saved."))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _field_message(error: Any) -> str:
    where = str(error["loc"][0]) if error["loc"] else ""
    messages = {
        "title": _("Give the plan a title (3 to 160 characters)."),
        "radius_m": _("The radius is a number of metres between 1 and 2,000."),
        "new_sites": _("The number of new sites is a whole number from 0 to 20,000."),
        "budget_eur": _("The budget is a positive amount of euros."),
        "target_share": _("The target is a share of the population between 0 and 100 %."),
    }
    if where in messages:
        return messages[where]
    text = str(error.get("msg", ""))
    if "needs new_sites" in text:
        return messages["new_sites"]
    if "needs budget_eur" in text:
        return messages["budget_eur"]
    if "needs target_share" in text:
        return messages["target_share"]
    return _("Check the form.")


@router.get("/wifi/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, db: DbDep, plan_id: Id) -> Response:
    plan = actions.get_plan(db, plan_id)
    chosen = queries.chosen_candidates(db, plan)
    return render(request, "wifi/plan.html", plan=plan, chosen=chosen, kind_labels=KIND_LABELS)


@router.post("/wifi/plans/{plan_id}/project")
def attach_form(
    db: DbDep,
    ctx: CtxDep,
    _staff: StaffDep,
    plan_id: Id,
    project_id: Annotated[str, Form()] = "",
) -> Response:
    plan = actions.get_plan(db, plan_id)
    if not project_id.isdigit():
        return redirect(f"/wifi/plans/{plan.id}", _("Give the number of a city project."))
    actions.attach_plan(ctx, db, plan, int(project_id))
    return redirect(f"/projects/{project_id}", _("The plan is now a tool of this project."))
