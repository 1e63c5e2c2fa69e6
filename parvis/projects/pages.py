"""HTML pages of city projects: list with filters and map, project page, staff forms."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from parvis import indicators, participation, territory
from parvis.indicators import MeasurementCreate, ObjectiveCreate, Pillar
from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.deps import (
    CtxDep,
    DbDep,
    Id,
    ModeratorDep,
    OptionalUserDep,
    StaffDep,
    UserDep,
    check_csrf_form,
)
from parvis.kernel.web.templating import redirect, render
from parvis.projects import actions, queries
from parvis.projects.forms import form_values, parse_project
from parvis.projects.labels import STATUS_LABELS
from parvis.projects.models import Status
from parvis.projects.schemas import JournalEntryCreate, ProjectUpdate

router = APIRouter(dependencies=[Depends(check_csrf_form)], include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]
T = actions.TARGET


def _optional_int(text: str | None, low: int, high: int) -> int | None:
    try:
        value = int(text) if text else None
    except ValueError:
        return None
    return value if value is not None and low <= value <= high else None


def _filters_from(request: Request) -> queries.ProjectFilters:
    params = request.query_params
    status = params.get("status", "")
    pillar = params.get("pillar", "")
    return queries.ProjectFilters(
        arrondissement=_optional_int(params.get("arrondissement"), 1, 20),
        status=Status(status) if status in Status._value2member_map_ else None,
        pillar=Pillar(pillar) if pillar in Pillar._value2member_map_ else None,
        q=params.get("q", "").strip()[:100],
    )


@router.get("/projects", response_class=HTMLResponse)
def list_page(request: Request, db: DbDep, user: OptionalUserDep) -> Response:
    filters = _filters_from(request)
    page_number = _optional_int(request.query_params.get("page"), 1, 10_000) or 1
    found = queries.list_projects(db, filters, page_number, 12)
    query = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(
        request,
        "projects/list.html",
        page=found,
        projects=queries.publish_page(db, found),
        filters=filters,
        arrondissements=territory.arrondissement_names(db),
        statuses=STATUS_LABELS,
        query=query,
    )


def _project_context(
    request: Request, db: DbDep, ctx: CtxDep, user: OptionalUserDep, project_id: Id
) -> dict[str, Any]:
    detail = queries.project_detail(db, project_id, request.app.state.tools)
    follows = supports = False
    if user is not None:
        follows, supports = participation.relation_of(db, user.id, T, project_id)
    return {
        "project": detail,
        "comments": participation.comments_of(db, T, project_id),
        "comment_total": participation.comment_count(db, T, project_id),
        "follows": follows,
        "supports": supports,
        "followers": participation.follower_count(db, T, project_id),
        "arrondissements": territory.arrondissement_names(db),
        "statuses": STATUS_LABELS,
        "next_statuses": [s for s in Status if Status(detail.status).can_move_to(s)],
    }


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    request: Request, db: DbDep, ctx: CtxDep, user: OptionalUserDep, project_id: Id
) -> Response:
    context = _project_context(request, db, ctx, user, project_id)
    return render(request, "projects/detail.html", **context)


def _back(project_id: Id, anchor: str = "") -> str:
    return f"/projects/{project_id}{anchor}"


@router.post("/projects/{project_id}/follow")
def follow(db: DbDep, user: UserDep, project_id: Id, action: Annotated[str, Form()]) -> Response:
    queries.get_project(db, project_id)
    if action == "unfollow":
        participation.unfollow(db, user, T, project_id)
        return redirect(_back(project_id), _("You no longer follow this project."))
    participation.follow(db, user, T, project_id)
    return redirect(_back(project_id), _("You follow this project: you will be notified."))


@router.post("/projects/{project_id}/support")
def support(db: DbDep, user: UserDep, project_id: Id, action: Annotated[str, Form()]) -> Response:
    queries.get_project(db, project_id)
    if action == "withdraw":
        participation.withdraw_support(db, user, T, project_id)
        return redirect(_back(project_id), _("Your support is withdrawn."))
    participation.support(db, user, T, project_id)
    return redirect(_back(project_id), _("Thank you for your support."))


@router.post("/projects/{project_id}/comments")
def comment(
    request: Request,
    db: DbDep,
    ctx: CtxDep,
    user: UserDep,
    project_id: Id,
    body: Text,
    parent_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    queries.get_project(db, project_id)
    parent = int(parent_id) if parent_id.isdigit() else None
    try:
        created = participation.add_comment(db, user, T, project_id, body, parent)
    except InvalidInput as error:
        context = _project_context(request, db, ctx, user, project_id)
        return render(
            request,
            "projects/detail.html",
            status_code=422,
            comment_error=error.detail,
            comment_body=body,
            **context,
        )
    return redirect(_back(project_id, f"#comment-{created.id}"), _("Your comment is published."))


@router.get("/comments/{comment_id}/report", response_class=HTMLResponse)
def report_form(request: Request, db: DbDep, user: UserDep, comment_id: Id) -> Response:
    return render(request, "projects/report.html", comment_id=comment_id, error="")


@router.post("/comments/{comment_id}/report")
def report(
    request: Request,
    db: DbDep,
    user: UserDep,
    comment_id: Id,
    reason: Annotated[str, Form(max_length=400)],
) -> Response:
    try:
        reported = participation.report_comment(db, user, comment_id, reason)
    except InvalidInput as error:
        return render(
            request,
            "projects/report.html",
            status_code=422,
            comment_id=comment_id,
            error=error.detail,
        )
    back = f"/{reported.target_type}s/{reported.target_id}#comment-{reported.id}"
    return redirect(back, _("Thank you: a moderator will look at this comment."))


@router.get("/moderation", response_class=HTMLResponse)
def moderation(request: Request, db: DbDep, user: ModeratorDep) -> Response:
    return render(
        request,
        "projects/moderation.html",
        reported=participation.reported_comments(db),
        hidden=participation.hidden_comments(db),
    )


@router.post("/moderation/comments/{comment_id}")
def moderate(
    db: DbDep,
    user: ModeratorDep,
    comment_id: Id,
    action: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    hide = action == "hide"
    participation.moderate_comment(db, user, comment_id, hide=hide, reason=reason)
    return redirect("/moderation", _("Comment hidden.") if hide else _("Comment restored."))


# Staff pages ----------------------------------------------------------------------------


def _edit_form(
    request: Request, db: DbDep, values: dict[str, Any], errors: list[str], project_id: Id | None
) -> Response:
    return render(
        request,
        "projects/edit.html",
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        project_id=project_id,
        arrondissements=territory.arrondissement_names(db),
    )


EMPTY = {
    "title": "",
    "summary": "",
    "description": "",
    "department": "",
    "budget_eur": "",
    "residents_reached": "",
    "start_date": "",
    "end_date": "",
    "geometry": "",
    "arrondissements": [],
}


@router.get("/staff/projects/new", response_class=HTMLResponse)
def new_project_form(request: Request, db: DbDep, user: StaffDep) -> Response:
    return _edit_form(request, db, dict(EMPTY), [], None)


@router.post("/staff/projects/new")
async def create_project(request: Request, db: DbDep, user: StaffDep) -> Response:
    values = form_values(await request.form())
    data, errors = parse_project(values)
    if data is None:
        return _edit_form(request, db, values, errors, None)
    try:
        project = actions.create_project(db, user, data)
    except InvalidInput as error:
        return _edit_form(request, db, values, [error.detail], None)
    return redirect(_back(project.id), _("The project is created."))


@router.get("/staff/projects/{project_id}/edit", response_class=HTMLResponse)
def edit_project_form(request: Request, db: DbDep, user: StaffDep, project_id: Id) -> Response:
    import json

    p = queries.get_project(db, project_id)
    values = {
        "title": p.title,
        "summary": p.summary,
        "description": p.description,
        "department": p.department,
        "budget_eur": "" if p.budget_eur is None else p.budget_eur,
        "residents_reached": "" if p.residents_reached is None else p.residents_reached,
        "start_date": p.start_date or "",
        "end_date": p.end_date or "",
        "geometry": json.dumps(p.geometry) if p.geometry else "",
        "arrondissements": [str(n) for n in p.arrondissements],
    }
    return _edit_form(request, db, values, [], project_id)


@router.post("/staff/projects/{project_id}/edit")
async def update_project(request: Request, db: DbDep, user: StaffDep, project_id: Id) -> Response:
    queries.get_project(db, project_id)
    values = form_values(await request.form())
    data, errors = parse_project(values)
    if data is None:
        return _edit_form(request, db, values, errors, project_id)
    update = ProjectUpdate.model_validate(data.model_dump())
    try:
        actions.update_project(db, project_id, update)
    except InvalidInput as error:
        return _edit_form(request, db, values, [error.detail], project_id)
    return redirect(_back(project_id), _("The project is saved."))


@router.post("/staff/projects/{project_id}/status")
def change_status(
    db: DbDep,
    ctx: CtxDep,
    user: StaffDep,
    project_id: Id,
    status: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    if status not in Status._value2member_map_:
        raise InvalidInput(_("Unknown status."))
    actions.change_status(ctx, db, user, project_id, Status(status), note)
    return redirect(_back(project_id, "#history"), _("The status is changed."))


@router.post("/staff/projects/{project_id}/journal")
def post_journal(
    request: Request,
    db: DbDep,
    ctx: CtxDep,
    user: StaffDep,
    project_id: Id,
    title: Annotated[str, Form(max_length=160)],
    body: Text,
) -> Response:
    try:
        data = JournalEntryCreate(title=title, body=body)
    except ValidationError:
        message = _("A journal entry needs a title (3 characters or more) and a text.")
        raise InvalidInput(message) from None
    entry = actions.post_journal_entry(ctx, db, user, project_id, data)
    return redirect(_back(project_id, f"#journal-{entry.id}"), _("The update is published."))


@router.post("/staff/projects/{project_id}/objectives")
def add_objective(
    db: DbDep,
    user: StaffDep,
    project_id: Id,
    pillar: Annotated[str, Form()],
    indicator: Annotated[str, Form(max_length=160)],
    unit: Annotated[str, Form(max_length=40)],
    baseline: Annotated[str, Form()],
    target: Annotated[str, Form()],
    deadline: Annotated[str, Form()] = "",
) -> Response:
    queries.get_project(db, project_id)
    try:
        data = ObjectiveCreate.model_validate(
            {
                "pillar": pillar,
                "indicator": indicator,
                "unit": unit,
                "baseline": baseline.replace(",", "."),
                "target": target.replace(",", "."),
                "deadline": deadline or None,
            }
        )
    except ValidationError:
        message = _("An objective needs a pillar, an indicator, a unit, and numbers.")
        raise InvalidInput(message) from None
    indicators.add_objective(db, project_id, data)
    return redirect(_back(project_id, "#objectives"), _("The objective is added."))


@router.post("/staff/objectives/{objective_id}/measurements")
def add_measurement(
    db: DbDep,
    user: StaffDep,
    objective_id: Id,
    value: Annotated[str, Form()],
    measured_on: Annotated[str, Form()] = "",
) -> Response:
    project_id = indicators.objective_project(db, objective_id)
    if project_id is None:
        raise InvalidInput(_("No such objective."))
    try:
        data = MeasurementCreate.model_validate(
            {"value": value.replace(",", "."), "measured_on": measured_on or date.today()}
        )
    except ValidationError:
        raise InvalidInput(_("A measurement is a number and a date.")) from None
    indicators.record_measurement(db, objective_id, data, user_id=user.id)
    return redirect(_back(project_id, "#objectives"), _("The measurement is recorded."))


@router.get("/staff/priorities", response_class=HTMLResponse)
def priorities(request: Request, db: DbDep, user: StaffDep) -> Response:
    return render(
        request, "projects/priorities.html", rows=queries.prioritise(db), statuses=STATUS_LABELS
    )
