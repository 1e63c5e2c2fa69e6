"""JSON API of participatory budgets under /api/budgets."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from parvis.kernel.errors import Conflict
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.deps import CtxDep, DbDep, Id, StaffDep, UserDep
from parvis.kernel.web.problems import PROBLEM_RESPONSES
from parvis.participation.budgets import actions, queries
from parvis.participation.budgets.counting import export_pabulib
from parvis.participation.budgets.models import BudgetProject, Edition, Envelope, Phase
from parvis.participation.budgets.schemas import (
    BallotIn,
    BallotReceipt,
    BudgetProjectCreate,
    EditionCreate,
    EditionPublic,
    EnvelopePublic,
    FeasibilityReview,
    PaperBallotIn,
    PhaseChange,
    ProjectPublic,
)

router = APIRouter(
    prefix="/api/budgets", tags=["participatory budget"], responses=PROBLEM_RESPONSES
)


def edition_public(db: DbDep, edition: Edition) -> EditionPublic:
    envelopes = [
        EnvelopePublic(
            id=e.id,
            kind=e.kind,
            arrondissement=e.arrondissement,
            name=e.name,
            budget_eur=e.budget_eur,
        )
        for e in queries.envelopes_of(db, edition.id)
    ]
    return EditionPublic(
        id=edition.id,
        year=edition.year,
        title=edition.title,
        description=edition.description,
        phase=edition.phase,
        ballot_kind=edition.ballot_kind,
        min_choices=edition.min_choices,
        max_choices=edition.max_choices,
        points=edition.points,
        rule=edition.rule,
        envelopes=envelopes,
    )


def project_public(p: BudgetProject) -> ProjectPublic:
    return ProjectPublic(
        id=p.id,
        envelope_id=p.envelope_id,
        title=p.title,
        summary=p.summary,
        cost_eur=p.cost_eur,
        feasibility=p.feasibility,
        feasibility_reason=p.feasibility_reason,
        selected=p.selected,
        city_project_id=p.city_project_id,
    )


def _after_count(db: DbDep, envelope_id: int) -> tuple[Envelope, Edition]:
    envelope, edition = actions.get_envelope(db, envelope_id)
    if Phase(edition.phase).rank < Phase.RESULTS.rank:
        raise Conflict(_("The results are published when the vote is over."))
    return envelope, edition


@router.get("", response_model=list[EditionPublic], summary="Editions")
def list_editions(db: DbDep) -> list[EditionPublic]:
    return [edition_public(db, e) for e in queries.list_editions(db)]


@router.post("", response_model=EditionPublic, status_code=status.HTTP_201_CREATED)
def create_edition(db: DbDep, user: StaffDep, data: EditionCreate) -> EditionPublic:
    return edition_public(db, actions.create_edition(db, data))


@router.get("/{edition_id}", response_model=EditionPublic, summary="An edition")
def read_edition(db: DbDep, edition_id: Id) -> EditionPublic:
    return edition_public(db, actions.get_edition(db, edition_id))


@router.post("/{edition_id}/phase", response_model=EditionPublic, summary="Next phase (staff)")
def change_phase(
    db: DbDep, ctx: CtxDep, user: StaffDep, edition_id: Id, data: PhaseChange
) -> EditionPublic:
    return edition_public(db, actions.change_phase(ctx, db, edition_id, data.phase))


@router.get("/envelopes/{envelope_id}/projects", response_model=list[ProjectPublic])
def envelope_projects(db: DbDep, envelope_id: Id) -> list[ProjectPublic]:
    actions.get_envelope(db, envelope_id)
    return [project_public(p) for p in queries.projects_of(db, envelope_id)]


@router.post("/projects", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED)
def add_project(db: DbDep, user: StaffDep, data: BudgetProjectCreate) -> ProjectPublic:
    return project_public(actions.add_project(db, data))


@router.post("/projects/{project_id}/feasibility", response_model=ProjectPublic)
def review(db: DbDep, user: StaffDep, project_id: Id, data: FeasibilityReview) -> ProjectPublic:
    return project_public(actions.review_feasibility(db, project_id, data))


@router.put("/envelopes/{envelope_id}/ballot", response_model=BallotReceipt, summary="Vote")
def vote(db: DbDep, ctx: CtxDep, user: UserDep, envelope_id: Id, data: BallotIn) -> BallotReceipt:
    receipt = actions.cast_ballot(ctx, db, user, envelope_id, data.choices)
    return BallotReceipt(envelope_id=envelope_id, receipt=receipt)


class MyBallot(BaseModel):
    envelope_id: int
    choices: dict[str, int] | None


@router.get("/envelopes/{envelope_id}/ballot", response_model=MyBallot, summary="My ballot")
def my_ballot(db: DbDep, ctx: CtxDep, user: UserDep, envelope_id: Id) -> MyBallot:
    actions.get_envelope(db, envelope_id)
    return MyBallot(
        envelope_id=envelope_id, choices=actions.current_ballot(ctx, db, user, envelope_id)
    )


class PaperStatusOut(BaseModel):
    paper_ref: str
    entries: int
    state: str


@router.post(
    "/envelopes/{envelope_id}/paper", response_model=PaperStatusOut, summary="Type a paper ballot"
)
def paper(db: DbDep, user: StaffDep, envelope_id: Id, data: PaperBallotIn) -> PaperStatusOut:
    done = actions.enter_paper_ballot(db, user, envelope_id, data.paper_ref, data.choices)
    return PaperStatusOut(paper_ref=done.paper_ref, entries=done.entries, state=done.state)


class ResultOut(BaseModel):
    envelope_id: int
    rule: str
    ballots: int
    selected: list[int]
    explanation: dict[str, Any]


@router.get("/envelopes/{envelope_id}/results", response_model=ResultOut, summary="Results")
def results(db: DbDep, envelope_id: Id) -> ResultOut:
    _after_count(db, envelope_id)
    result = queries.result_of(db, envelope_id)
    if result is None:
        raise Conflict(_("The count of this envelope is not done yet."))
    return ResultOut(
        envelope_id=envelope_id,
        rule=result.rule,
        ballots=result.ballots,
        selected=result.selected,
        explanation=result.explanation,
    )


@router.get(
    "/envelopes/{envelope_id}/ballots.pb",
    summary="Anonymous ballots (Pabulib)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def ballots_pabulib(db: DbDep, envelope_id: Id) -> Response:
    envelope, edition = _after_count(db, envelope_id)
    body = export_pabulib(db, edition, envelope)
    name = f"parvis_{edition.year}_{envelope.id}.pb"
    return Response(
        body,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class ReceiptCheck(BaseModel):
    counted: bool


@router.get("/envelopes/{envelope_id}/receipts/{receipt}", response_model=ReceiptCheck)
def check_receipt(db: DbDep, envelope_id: Id, receipt: str) -> ReceiptCheck:
    _after_count(db, envelope_id)
    return ReceiptCheck(counted=queries.receipt_published(db, envelope_id, receipt[:64]))


@router.get("/envelopes/{envelope_id}/winners.geojson", summary="Winning projects on the map")
def winners_geojson(db: DbDep, envelope_id: Id) -> dict[str, Any]:
    _after_count(db, envelope_id)
    return queries.winners_geojson(db, envelope_id)
