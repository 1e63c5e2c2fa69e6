"""JSON API of consultations under /api/consultations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from parvis.kernel.errors import NotFound
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.deps import CtxDep, DbDep, Id, StaffDep, UserDep
from parvis.kernel.web.problems import PROBLEM_RESPONSES
from parvis.participation.consultations import actions, queries
from parvis.participation.consultations.labels import State
from parvis.participation.consultations.schemas import (
    ConsultationCreate,
    ConsultationPage,
    ConsultationPublic,
    ConsultationResults,
    ResponseIn,
    ResponsePublic,
)

router = APIRouter(prefix="/api/consultations", tags=["consultations"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=ConsultationPage, summary="List consultations")
def list_consultations(
    db: DbDep,
    ctx: CtxDep,
    state: State | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ConsultationPage:
    found = queries.list_consultations(db, state, page, size, ctx.settings.base_url)
    return ConsultationPage(
        items=found.items, total=found.total, page=found.page, size=found.size, pages=found.pages
    )


@router.post(
    "",
    response_model=ConsultationPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Create a consultation (staff)",
)
def create_consultation(
    response: Response, db: DbDep, ctx: CtxDep, user: StaffDep, data: ConsultationCreate
) -> ConsultationPublic:
    consultation = actions.create_consultation(db, user, data)
    response.headers["Location"] = f"/api/consultations/{consultation.id}"
    return queries.consultation_detail(db, consultation.id, ctx.settings.base_url)


@router.get("/{consultation_id}", response_model=ConsultationPublic, summary="Read one")
def read_consultation(db: DbDep, ctx: CtxDep, consultation_id: Id) -> ConsultationPublic:
    return queries.consultation_detail(db, consultation_id, ctx.settings.base_url)


@router.get(
    "/{consultation_id}/results",
    response_model=ConsultationResults,
    summary="Results, once closed (409 before)",
)
def read_results(db: DbDep, ctx: CtxDep, consultation_id: Id) -> ConsultationResults:
    return queries.results(db, consultation_id, ctx.settings.base_url)


@router.get("/{consultation_id}/responses/me", response_model=ResponsePublic, summary="My response")
def read_my_response(db: DbDep, user: UserDep, consultation_id: Id) -> ResponsePublic:
    actions.get_consultation(db, consultation_id)
    found = queries.response_of(db, consultation_id, user.id)
    if found is None:
        raise NotFound(_("You have not answered this consultation."))
    return found


@router.put(
    "/{consultation_id}/responses/me",
    response_model=ResponsePublic,
    summary="Answer, or replace my answer (until closing)",
    responses={201: {"description": "First answer", "model": ResponsePublic}},
)
def submit_my_response(
    response: Response, db: DbDep, user: UserDep, consultation_id: Id, data: ResponseIn
) -> ResponsePublic:
    saved, created = actions.submit_response(db, user, consultation_id, data.answers)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return ResponsePublic(
        consultation_id=consultation_id, answers=saved.answers, updated_at=saved.updated_at
    )
