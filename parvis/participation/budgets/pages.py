"""HTML pages of participatory budgets: editions, ballots, results, staff management."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from parvis.kernel.errors import InvalidInput, ParvisError
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.deps import (
    CtxDep,
    DbDep,
    Id,
    OptionalUserDep,
    StaffDep,
    UserDep,
    check_csrf_form,
)
from parvis.kernel.web.templating import redirect, render
from parvis.participation.budgets import actions, queries
from parvis.participation.budgets.labels import (
    BALLOT_LABELS,
    FEASIBILITY_LABELS,
    GRADES,
    PHASE_LABELS,
)
from parvis.participation.budgets.models import BallotKind, EnvelopeKind, Phase
from parvis.participation.budgets.schemas import (
    BudgetProjectCreate,
    EditionCreate,
    FeasibilityReview,
)

router = APIRouter(dependencies=[Depends(check_csrf_form)], include_in_schema=False)
LABELS: dict[str, Any] = {
    "phases": PHASE_LABELS,
    "ballots": BALLOT_LABELS,
    "feasibilities": FEASIBILITY_LABELS,
    "grades": GRADES,
}


@router.get("/budgets", response_class=HTMLResponse)
def editions(request: Request, db: DbDep, user: OptionalUserDep) -> Response:
    return render(request, "budgets/list.html", editions=queries.list_editions(db), **LABELS)


@router.get("/budgets/{edition_id}", response_class=HTMLResponse)
def edition_page(request: Request, db: DbDep, user: OptionalUserDep, edition_id: Id) -> Response:
    edition = actions.get_edition(db, edition_id)
    envelopes = [(e, queries.projects_of(db, e.id)) for e in queries.envelopes_of(db, edition.id)]
    chosen = queries.voter_arrondissement(db, edition.id, user.id) if user else None
    return render(
        request,
        "budgets/edition.html",
        edition=edition,
        envelopes=envelopes,
        chosen_arrondissement=chosen,
        turnout=queries.turnout(db, edition.id),
        overview=queries.results_overview(db, edition.id)
        if Phase(edition.phase).rank >= Phase.RESULTS.rank
        else [],
        phase_list=list(Phase),
        **LABELS,
    )


def _ballot_context(db: DbDep, ctx: CtxDep, user: UserDep, envelope_id: int) -> dict[str, Any]:
    envelope, edition = actions.get_envelope(db, envelope_id)
    return {
        "envelope": envelope,
        "edition": edition,
        "projects": queries.projects_of(db, envelope.id, on_ballot=True),
        "current": actions.current_ballot(ctx, db, user, envelope.id) or {},
        "chosen_arrondissement": queries.voter_arrondissement(db, edition.id, user.id),
        **LABELS,
    }


@router.get("/budgets/envelopes/{envelope_id}/vote", response_class=HTMLResponse)
def ballot_form(
    request: Request, db: DbDep, ctx: CtxDep, user: UserDep, envelope_id: Id
) -> Response:
    return render(
        request, "budgets/ballot.html", error="", **_ballot_context(db, ctx, user, envelope_id)
    )


@router.post("/budgets/envelopes/{envelope_id}/vote")
async def vote(
    request: Request, db: DbDep, ctx: CtxDep, user: UserDep, envelope_id: Id
) -> Response:
    form = await request.form()
    envelope, edition = actions.get_envelope(db, envelope_id)
    choices = _choices_from(form, BallotKind(edition.ballot_kind))
    try:
        receipt = actions.cast_ballot(ctx, db, user, envelope_id, choices)
    except ParvisError as error:
        context = _ballot_context(db, ctx, user, envelope_id)
        context["current"] = choices
        return render(
            request, "budgets/ballot.html", status_code=error.status, error=error.detail, **context
        )
    return render(
        request, "budgets/receipt.html", envelope=envelope, edition=edition, receipt=receipt
    )


def _choices_from(form: Any, kind: BallotKind) -> dict[str, int]:
    """Checkboxes `project` (approval, knapsack), or `p<ID>` fields with points or grades."""
    if kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
        return {str(v): 1 for v in form.getlist("project") if str(v).isdigit()}
    choices = {}
    for key, value in form.items():
        if key.startswith("p") and key[1:].isdigit() and str(value).strip():
            text = str(value).strip()
            if not text.isdigit():
                raise InvalidInput(_("Points and mentions are whole numbers."))
            choices[key[1:]] = int(text)
    return choices


@router.get("/budgets/envelopes/{envelope_id}/results", response_class=HTMLResponse)
def results(request: Request, db: DbDep, user: OptionalUserDep, envelope_id: Id) -> Response:
    envelope, edition = actions.get_envelope(db, envelope_id)
    if Phase(edition.phase).rank < Phase.RESULTS.rank:
        return render(
            request,
            "error.html",
            status_code=409,
            status=409,
            detail=_("The results are published when the vote is over."),
        )
    projects = queries.projects_of(db, envelope.id, on_ballot=True)
    tallies = queries.tally(
        db, envelope.id, [p.id for p in projects], BallotKind(edition.ballot_kind)
    )
    projects.sort(key=lambda p: (not p.selected, -tallies[p.id].score, p.id))
    spent = sum(p.cost_eur or 0 for p in projects if p.selected)
    receipt = request.query_params.get("receipt", "").strip()[:64]
    counted = queries.receipt_published(db, envelope.id, receipt) if receipt else None
    return render(
        request,
        "budgets/results.html",
        edition=edition,
        envelope=envelope,
        projects=projects,
        tallies=tallies,
        result=queries.result_of(db, envelope.id),
        spent=spent,
        top=max((t.score for t in tallies.values()), default=0) or 1,
        receipt=receipt,
        counted=counted,
        **LABELS,
    )


# Staff ------------------------------------------------------------------------------------


@router.get("/staff/budgets/new", response_class=HTMLResponse)
def new_edition_form(request: Request, user: StaffDep) -> Response:
    return render(request, "budgets/new.html", errors=[], values={}, **LABELS)


@router.post("/staff/budgets/new")
async def create_edition(request: Request, db: DbDep, user: StaffDep) -> Response:
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}

    def number(name: str) -> int | None:
        text = values.get(name, "").replace(" ", "").replace("\u202f", "")
        return int(text) if text.isdigit() else None

    envelopes: list[dict[str, Any]] = []
    if number("city_budget"):
        envelopes.append(
            {
                "kind": EnvelopeKind.CITY,
                "name": _("Whole city"),
                "budget_eur": number("city_budget"),
            }
        )
    for n in range(1, 21):
        if number(f"budget_{n}"):
            envelopes.append(
                {
                    "kind": EnvelopeKind.ARRONDISSEMENT,
                    "arrondissement": n,
                    "name": f"Paris {n}",
                    "budget_eur": number(f"budget_{n}"),
                }
            )
    data = {
        "year": number("year"),
        "title": values.get("title", ""),
        "description": values.get("description", ""),
        "ballot_kind": values.get("ballot_kind"),
        "min_choices": number("min_choices") or 0,
        "max_choices": number("max_choices"),
        "points": number("points"),
        "rule": values.get("rule") or "greedy",
        "envelopes": envelopes,
    }
    try:
        edition = actions.create_edition(db, EditionCreate.model_validate(data))
    except ValidationError as exc:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return render(
            request, "budgets/new.html", status_code=422, errors=errors, values=values, **LABELS
        )
    return redirect(f"/staff/budgets/{edition.id}", _("The participatory budget is created."))


@router.get("/staff/budgets/{edition_id}", response_class=HTMLResponse)
def manage(request: Request, db: DbDep, user: StaffDep, edition_id: Id) -> Response:
    edition = actions.get_edition(db, edition_id)
    envelopes = [
        (e, queries.projects_of(db, e.id), queries.paper_sheets(db, e.id))
        for e in queries.envelopes_of(db, edition.id)
    ]
    following = [p for p in Phase if p.rank == Phase(edition.phase).rank + 1]
    return render(
        request,
        "budgets/manage.html",
        edition=edition,
        envelopes=envelopes,
        next_phase=following[0] if following else None,
        **LABELS,
    )


@router.post("/staff/budgets/{edition_id}/phase")
def next_phase(
    db: DbDep, ctx: CtxDep, user: StaffDep, edition_id: Id, phase: Annotated[str, Form()]
) -> Response:
    if phase not in Phase._value2member_map_:
        raise InvalidInput(_("Unknown phase."))
    actions.change_phase(ctx, db, edition_id, Phase(phase))
    return redirect(f"/staff/budgets/{edition_id}", _("The budget moved to its next phase."))


@router.post("/staff/budgets/{edition_id}/projects")
def add_project(
    db: DbDep,
    user: StaffDep,
    edition_id: Id,
    envelope_id: Annotated[str, Form()],
    title: Annotated[str, Form(max_length=160)],
    summary: Annotated[str, Form(max_length=400)],
) -> Response:
    try:
        data = BudgetProjectCreate.model_validate(
            {
                "envelope_id": int(envelope_id) if envelope_id.isdigit() else 0,
                "title": title,
                "summary": summary,
            }
        )
    except ValidationError:
        raise InvalidInput(_("A project needs its envelope, a title and a summary.")) from None
    actions.add_project(db, data)
    return redirect(f"/staff/budgets/{edition_id}", _("The project is added."))


@router.post("/staff/budgets/projects/{project_id}/feasibility")
def review(
    db: DbDep,
    user: StaffDep,
    project_id: Id,
    feasibility: Annotated[str, Form()],
    cost_eur: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    cost = cost_eur.replace(" ", "").replace("\u202f", "")
    try:
        data = FeasibilityReview.model_validate(
            {
                "feasibility": feasibility,
                "cost_eur": int(cost) if cost.isdigit() else None,
                "reason": reason,
            }
        )
    except ValidationError:
        raise InvalidInput(_("Say whether the project is feasible.")) from None
    project = actions.review_feasibility(db, project_id, data)
    return redirect(
        f"/staff/budgets/{project.edition_id}#project-{project.id}", _("The review is saved.")
    )


@router.get("/staff/budgets/envelopes/{envelope_id}/paper", response_class=HTMLResponse)
def paper_form(request: Request, db: DbDep, user: StaffDep, envelope_id: Id) -> Response:
    envelope, edition = actions.get_envelope(db, envelope_id)
    return render(
        request,
        "budgets/paper.html",
        envelope=envelope,
        edition=edition,
        status=None,
        error="",
        projects=queries.projects_of(db, envelope.id, on_ballot=True),
        sheets=queries.paper_sheets(db, envelope.id),
        **LABELS,
    )


@router.post("/staff/budgets/envelopes/{envelope_id}/paper")
async def enter_paper(request: Request, db: DbDep, user: StaffDep, envelope_id: Id) -> Response:
    form = await request.form()
    envelope, edition = actions.get_envelope(db, envelope_id)
    status, error = None, ""
    try:
        choices = _choices_from(form, BallotKind(edition.ballot_kind))
        status = actions.enter_paper_ballot(
            db, user, envelope_id, str(form.get("paper_ref", "")), choices
        )
    except ParvisError as failure:
        error = failure.detail
    return render(
        request,
        "budgets/paper.html",
        status_code=200 if status else 422,
        envelope=envelope,
        edition=edition,
        status=status,
        error=error,
        projects=queries.projects_of(db, envelope.id, on_ballot=True),
        sheets=queries.paper_sheets(db, envelope.id),
        **LABELS,
    )
