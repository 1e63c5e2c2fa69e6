"""HTML pages of mobility: the journey planner, the operators and their open data, the
bike-share stations. Every page works without JavaScript; the maps are an enhancement."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from parvis.kernel.errors import InvalidInput
from parvis.kernel.web.deps import CtxDep, DbDep, check_csrf_form
from parvis.kernel.web.templating import render
from parvis.mobility import journeys, queries
from parvis.mobility.api import network_cache
from parvis.mobility.journeys import DEFAULT_MODES, PlanQuery
from parvis.mobility.labels import KIND_LABELS, MODE_LABELS, STATUS_LABELS

router = APIRouter(dependencies=[Depends(check_csrf_form)], include_in_schema=False)
MODES = ("transit", "walk", "bikeshare", "bike")
STATIONS_PER_PAGE = 50


def _form(request: Request, default_day: date) -> dict[str, Any]:
    params = request.query_params
    asked = "from" in params or "to" in params
    modes = [m for m in params.getlist("modes") if m in MODES] or list(DEFAULT_MODES)
    return {
        "from": params.get("from", "")[:120],
        "to": params.get("to", "")[:120],
        "date": params.get("date", default_day.isoformat())[:10],
        "time": params.get("time", "08:30")[:5],
        "arrive_by": params.get("arrive_by") == "true",
        "modes": modes,
        "wheelchair": params.get("wheelchair") == "true",
        "asked": asked,
    }


@router.get("/mobility", response_class=HTMLResponse)
def planner_page(request: Request, db: DbDep) -> Response:
    cache = network_cache(request)
    network = cache.get(db)
    form = _form(request, journeys.default_day(network, date.today()))
    result: dict[str, Any] | None = None
    error: str | None = None
    if form["asked"] and network is not None:
        try:
            query = PlanQuery.model_validate(
                {
                    "from": form["from"],
                    "to": form["to"],
                    "date": form["date"],
                    "time": form["time"],
                    "arrive_by": form["arrive_by"],
                    "modes": form["modes"] or list(DEFAULT_MODES),
                    "wheelchair": form["wheelchair"],
                }
            )
            result = journeys.plan_journeys(db, cache, query.to_request())
        except ValidationError as invalid:
            error = _validation_message(invalid)
        except InvalidInput as invalid:
            error = invalid.detail
    days = network.query_days if network is not None else None
    return render(
        request,
        "mobility/planner.html",
        form=form,
        result=result,
        error=error,
        days=days,
        modes=MODES,
        journeys_json=json.dumps(result["journeys"] if result else []),
        when=_parse_when(form),
        mode_labels=MODE_LABELS,
    )


def _validation_message(invalid: ValidationError) -> str:
    from parvis.kernel.i18n import gettext as _

    fields = {str(e["loc"][0]) for e in invalid.errors() if e["loc"]}
    if fields & {"date", "time"}:
        return _("Give a date (YYYY-MM-DD) and a time (HH:MM).")
    return _("Give a place of departure and a destination.")


def _parse_when(form: dict[str, Any]) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(form["date"]), time.fromisoformat(form["time"]))
    except ValueError:
        return None


@router.get("/mobility/operators", response_class=HTMLResponse)
def operators_page(request: Request, db: DbDep, ctx: CtxDep) -> Response:
    operators = queries.list_operators(db)
    return render(
        request,
        "mobility/operators.html",
        operators=operators,
        feeds=queries.feeds_of(db, operators),
        base_url=ctx.settings.base_url,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
    )


@router.get("/mobility/stations", response_class=HTMLResponse)
def stations_page(request: Request, db: DbDep) -> Response:
    q = request.query_params.get("q", "").strip()[:80]
    page_text = request.query_params.get("page", "1")
    page = int(page_text) if page_text.isdigit() and 1 <= int(page_text) <= 10_000 else 1
    found = queries.find_stations(db, q, page, STATIONS_PER_PAGE)
    return render(request, "mobility/stations.html", q=q, found=found)
