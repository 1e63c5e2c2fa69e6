"""JSON API of city projects under /api/projects."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status

from parvis import indicators, participation
from parvis.indicators import ObjectiveCreate, ObjectivePublic, Pillar
from parvis.kernel.storage import MAX_IMAGE_BYTES
from parvis.kernel.web.deps import CtxDep, DbDep, Id, StaffDep, UserDep
from parvis.kernel.web.problems import PROBLEM_RESPONSES
from parvis.projects import actions, queries
from parvis.projects.models import Status
from parvis.projects.schemas import (
    JournalEntryCreate,
    JournalEntryPublic,
    ProjectCreate,
    ProjectDetail,
    ProjectPage,
    ProjectUpdate,
    StatusChangeIn,
    SupportState,
)

router = APIRouter(prefix="/api/projects", tags=["projects"], responses=PROBLEM_RESPONSES)


def _detail(request: Request, db: DbDep, ctx: CtxDep, project_id: Id) -> ProjectDetail:
    return queries.project_detail(db, project_id, request.app.state.tools, ctx.settings.base_url)


@router.get("", response_model=ProjectPage, summary="List projects")
def list_projects(
    db: DbDep,
    ctx: CtxDep,
    arrondissement: Annotated[int | None, Query(ge=1, le=20)] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    pillar: Pillar | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ProjectPage:
    filters = queries.ProjectFilters(arrondissement, status_, pillar, q.strip())
    found = queries.list_projects(db, filters, page, size)
    items = queries.publish_page(db, found, ctx.settings.base_url)
    return ProjectPage(
        items=items, total=found.total, page=found.page, size=found.size, pages=found.pages
    )


@router.get(".geojson", summary="Projects with a location, as GeoJSON")
def projects_geojson(
    db: DbDep,
    arrondissement: Annotated[int | None, Query(ge=1, le=20)] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    pillar: Pillar | None = None,
) -> dict[str, Any]:
    return queries.projects_geojson(db, queries.ProjectFilters(arrondissement, status_, pillar))


@router.post("", response_model=ProjectDetail, status_code=status.HTTP_201_CREATED)
def create_project(
    request: Request,
    response: Response,
    db: DbDep,
    ctx: CtxDep,
    user: StaffDep,
    data: ProjectCreate,
) -> ProjectDetail:
    project = actions.create_project(db, user, data)
    response.headers["Location"] = f"/api/projects/{project.id}"
    return _detail(request, db, ctx, project.id)


@router.get("/{project_id}", response_model=ProjectDetail, summary="Read a project")
def read_project(request: Request, db: DbDep, ctx: CtxDep, project_id: Id) -> ProjectDetail:
    return _detail(request, db, ctx, project_id)


@router.patch("/{project_id}", response_model=ProjectDetail, summary="Update a project")
def update_project(
    request: Request, db: DbDep, ctx: CtxDep, user: StaffDep, project_id: Id, data: ProjectUpdate
) -> ProjectDetail:
    actions.update_project(db, project_id, data)
    return _detail(request, db, ctx, project_id)


@router.post("/{project_id}/status", response_model=ProjectDetail, summary="Change the status")
def change_status(
    request: Request,
    db: DbDep,
    ctx: CtxDep,
    user: StaffDep,
    project_id: Id,
    data: StatusChangeIn,
) -> ProjectDetail:
    actions.change_status(ctx, db, user, project_id, data.status, data.note)
    return _detail(request, db, ctx, project_id)


@router.post(
    "/{project_id}/journal",
    response_model=JournalEntryPublic,
    status_code=201,
    summary="Post a dated update to the project's journal",
)
def post_journal(
    db: DbDep, ctx: CtxDep, user: StaffDep, project_id: Id, data: JournalEntryCreate
) -> JournalEntryPublic:
    entry = actions.post_journal_entry(ctx, db, user, project_id, data)
    return JournalEntryPublic(
        id=entry.id,
        title=entry.title,
        body=entry.body,
        author=entry.author_name,
        published_at=entry.published_at,
    )


@router.post(
    "/{project_id}/objectives",
    response_model=list[ObjectivePublic],
    status_code=201,
    summary="Add an objective",
)
def add_objective(
    db: DbDep, user: StaffDep, project_id: Id, data: ObjectiveCreate
) -> list[ObjectivePublic]:
    queries.get_project(db, project_id)
    indicators.add_objective(db, project_id, data)
    return indicators.objectives_of(db, project_id)


@router.get("/{project_id}/supports", response_model=SupportState, summary="Supports")
def read_supports(db: DbDep, user: UserDep, project_id: Id) -> SupportState:
    queries.get_project(db, project_id)
    _follows, supported = participation.relation_of(db, user.id, actions.TARGET, project_id)
    count = participation.support_count(db, actions.TARGET, project_id)
    return SupportState(project_id=project_id, supports=count, supported=supported)


@router.put("/{project_id}/supports", response_model=SupportState, summary="Support (once)")
def support(db: DbDep, user: UserDep, project_id: Id) -> SupportState:
    queries.get_project(db, project_id)
    participation.support(db, user, actions.TARGET, project_id)
    count = participation.support_count(db, actions.TARGET, project_id)
    return SupportState(project_id=project_id, supports=count, supported=True)


@router.delete("/{project_id}/supports", response_model=SupportState, summary="Withdraw support")
def withdraw(db: DbDep, user: UserDep, project_id: Id) -> SupportState:
    queries.get_project(db, project_id)
    participation.withdraw_support(db, user, actions.TARGET, project_id)
    count = participation.support_count(db, actions.TARGET, project_id)
    return SupportState(project_id=project_id, supports=count, supported=False)


@router.put("/{project_id}/image", response_model=ProjectDetail, summary="Set the cover image")
def set_image(
    request: Request,
    db: DbDep,
    ctx: CtxDep,
    user: StaffDep,
    project_id: Id,
    image: Annotated[UploadFile, File(description="JPEG, PNG or WebP, 5 MB at most")],
    alt: Annotated[str, Form(max_length=200, description="Text alternative of the image")],
) -> ProjectDetail:
    data = image.file.read(MAX_IMAGE_BYTES + 1)
    actions.set_project_image(ctx, db, project_id, data, alt)
    return _detail(request, db, ctx, project_id)


@router.delete("/{project_id}/image", response_model=ProjectDetail, summary="Remove the image")
def remove_image(
    request: Request, db: DbDep, ctx: CtxDep, user: StaffDep, project_id: Id
) -> ProjectDetail:
    actions.remove_project_image(ctx, db, project_id)
    return _detail(request, db, ctx, project_id)
