"""JSON API of proposals under /api/proposals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from parvis import participation
from parvis.kernel.errors import Conflict
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.deps import CtxDep, DbDep, Id, StaffDep, UserDep
from parvis.kernel.web.problems import PROBLEM_RESPONSES
from parvis.participation.proposals import actions, queries
from parvis.participation.proposals.labels import Category
from parvis.participation.proposals.models import ProposalState
from parvis.participation.proposals.schemas import (
    Answer,
    Merge,
    ProposalCreate,
    ProposalPage,
    ProposalPublic,
    SupportState,
)

router = APIRouter(prefix="/api/proposals", tags=["proposals"], responses=PROBLEM_RESPONSES)
T = actions.TARGET


def _one(db: DbDep, ctx: CtxDep, proposal_id: int) -> ProposalPublic:
    proposal = actions.get_proposal(db, proposal_id)
    return queries.publish(db, [proposal], ctx.settings.base_url)[0]


@router.get("", response_model=ProposalPage, summary="List proposals")
def list_proposals(
    db: DbDep,
    ctx: CtxDep,
    arrondissement: Annotated[int | None, Query(ge=1, le=20)] = None,
    category: Category | None = None,
    state: ProposalState | None = None,
    edition: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    q: Annotated[str, Query(max_length=100)] = "",
    sort: Annotated[str, Query(pattern="^(recent|supports)$")] = "recent",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ProposalPage:
    filters = queries.ProposalFilters(arrondissement, category, state, edition, q.strip(), sort)
    found = queries.list_proposals(db, filters, page, size)
    items = queries.publish(db, found.items, ctx.settings.base_url)
    return ProposalPage(
        items=items, total=found.total, page=found.page, size=found.size, pages=found.pages
    )


@router.get(".geojson", summary="Proposals with a location, as GeoJSON")
def proposals_geojson(
    db: DbDep,
    arrondissement: Annotated[int | None, Query(ge=1, le=20)] = None,
    category: Category | None = None,
) -> dict[str, Any]:
    filters = queries.ProposalFilters(arrondissement=arrondissement, category=category)
    return queries.proposals_geojson(db, filters)


@router.post("", response_model=ProposalPublic, status_code=status.HTTP_201_CREATED)
def submit(
    response: Response, db: DbDep, ctx: CtxDep, user: UserDep, data: ProposalCreate
) -> ProposalPublic:
    proposal = actions.submit_proposal(db, user, data)
    response.headers["Location"] = f"/api/proposals/{proposal.id}"
    return _one(db, ctx, proposal.id)


@router.get("/{proposal_id}", response_model=ProposalPublic, summary="Read a proposal")
def read(db: DbDep, ctx: CtxDep, proposal_id: Id) -> ProposalPublic:
    return _one(db, ctx, proposal_id)


@router.put("/{proposal_id}/supports", response_model=SupportState, summary="Support (once)")
def support(db: DbDep, user: UserDep, proposal_id: Id) -> SupportState:
    proposal = actions.get_proposal(db, proposal_id)
    if proposal.state != ProposalState.OPEN:
        raise Conflict(_("This proposal is closed to supports."))
    participation.support(db, user, T, proposal_id)
    count = participation.support_count(db, T, proposal_id)
    return SupportState(proposal_id=proposal_id, supports=count, supported=True)


@router.delete("/{proposal_id}/supports", response_model=SupportState, summary="Withdraw support")
def withdraw(db: DbDep, user: UserDep, proposal_id: Id) -> SupportState:
    actions.get_proposal(db, proposal_id)
    participation.withdraw_support(db, user, T, proposal_id)
    count = participation.support_count(db, T, proposal_id)
    return SupportState(proposal_id=proposal_id, supports=count, supported=False)


@router.post("/{proposal_id}/answer", response_model=ProposalPublic, summary="Answer (staff)")
def answer(db: DbDep, ctx: CtxDep, user: StaffDep, proposal_id: Id, data: Answer) -> ProposalPublic:
    actions.answer_proposal(ctx, db, user, proposal_id, data)
    return _one(db, ctx, proposal_id)


@router.post("/{proposal_id}/merge", response_model=ProposalPublic, summary="Merge into another")
def merge(db: DbDep, ctx: CtxDep, user: StaffDep, proposal_id: Id, data: Merge) -> ProposalPublic:
    target = actions.merge_proposals(ctx, db, user, proposal_id, data)
    return _one(db, ctx, target.id)
