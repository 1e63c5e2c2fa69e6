"""HTML pages of proposals: list with filters and map, submission form, proposal page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from parvis import participation, territory
from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import gettext as _
from parvis.kernel.storage import MAX_IMAGE_BYTES
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
from parvis.participation.budgets.queries import envelopes_of, list_editions
from parvis.participation.proposals import actions, queries
from parvis.participation.proposals.labels import CATEGORIES, STATE_LABELS
from parvis.participation.proposals.models import ProposalState
from parvis.participation.proposals.schemas import Answer, Merge, ProposalCreate

router = APIRouter(dependencies=[Depends(check_csrf_form)], include_in_schema=False)
T = actions.TARGET


def _int(text: str | None, low: int, high: int) -> int | None:
    return int(text) if text and text.isdigit() and low <= int(text) <= high else None


def _filters(request: Request) -> queries.ProposalFilters:
    params = request.query_params
    state = params.get("state", "")
    category = params.get("category", "")
    return queries.ProposalFilters(
        arrondissement=_int(params.get("arrondissement"), 1, 20),
        category=category if category in CATEGORIES else None,
        state=ProposalState(state) if state in ProposalState._value2member_map_ else None,
        q=params.get("q", "").strip()[:100],
        sort="supports" if params.get("sort") == "supports" else "recent",
    )


@router.get("/proposals", response_class=HTMLResponse)
def list_page(request: Request, db: DbDep, user: OptionalUserDep) -> Response:
    filters = _filters(request)
    page = queries.list_proposals(
        db, filters, _int(request.query_params.get("page"), 1, 10_000) or 1, 12
    )
    query = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(
        request,
        "proposals/list.html",
        page=page,
        proposals=queries.publish(db, page.items),
        filters=filters,
        query=query,
        categories=CATEGORIES,
        states=STATE_LABELS,
        arrondissements=territory.arrondissement_names(db),
    )


def _form(request: Request, db: DbDep, values: dict[str, Any], errors: list[str]) -> Response:
    editions = [e for e in list_editions(db) if e.phase == "submission"]
    return render(
        request,
        "proposals/new.html",
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        categories=CATEGORIES,
        editions=editions,
        arrondissements=territory.arrondissement_names(db),
    )


@router.get("/proposals/new", response_class=HTMLResponse)
def new_form(request: Request, db: DbDep, user: UserDep) -> Response:
    return _form(request, db, {}, [])


@router.post("/proposals/new")
async def submit(request: Request, db: DbDep, user: UserDep) -> Response:
    form = await request.form()
    values = {
        k: str(form.get(k, "")).strip()
        for k in (
            "title",
            "description",
            "category",
            "arrondissement",
            "longitude",
            "latitude",
            "edition_id",
        )
    }
    data: dict[str, Any] = {
        "title": values["title"],
        "description": values["description"],
        "category": values["category"],
        "arrondissement": _int(values["arrondissement"], 1, 20),
        "edition_id": int(values["edition_id"]) if values["edition_id"].isdigit() else None,
    }
    if values["longitude"] or values["latitude"]:
        try:
            point = [
                float(values["longitude"].replace(",", ".")),
                float(values["latitude"].replace(",", ".")),
            ]
        except ValueError:
            return _form(
                request, db, values, [_("The location is two numbers: longitude and latitude.")]
            )
        data["location"] = {"type": "Point", "coordinates": point}
    try:
        proposal = actions.submit_proposal(db, user, ProposalCreate.model_validate(data))
    except ValidationError as exc:
        return _form(request, db, values, list(dict.fromkeys(_explain(e) for e in exc.errors())))
    except InvalidInput as error:
        return _form(request, db, values, [error.detail])
    return redirect(actions.link(proposal.id), _("Your proposal is published. Thank you!"))


def _explain(error: Any) -> str:
    field = str(error["loc"][0]) if error["loc"] else ""
    messages = {
        "title": _("The title has 5 to 160 characters."),
        "description": _("The description has 20 to 10,000 characters."),
        "category": _("Choose a category."),
        "location": _("The location must be in Paris."),
        "edition_id": _("This participatory budget does not take proposals."),
    }
    return messages.get(field, _("Some fields are missing or invalid."))


def _context(
    request: Request, db: DbDep, ctx: CtxDep, user: OptionalUserDep, proposal_id: int
) -> dict[str, Any]:
    proposal = queries.publish(db, [actions.get_proposal(db, proposal_id)])[0]
    follows = supports = False
    if user is not None:
        follows, supports = participation.relation_of(db, user.id, T, proposal_id)
    envelopes = []
    if user is not None and user.has_role("staff") and proposal.state == ProposalState.OPEN:
        envelopes = [
            (e, env)
            for e in list_editions(db)
            if e.phase in ("submission", "co_construction", "feasibility")
            for env in envelopes_of(db, e.id)
        ]
    return {
        "proposal": proposal,
        "follows": follows,
        "supports": supports,
        "comments": participation.comments_of(db, T, proposal_id),
        "states": STATE_LABELS,
        "categories": CATEGORIES,
        "envelopes": envelopes,
        "arrondissements": territory.arrondissement_names(db),
    }


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(
    request: Request, db: DbDep, ctx: CtxDep, user: OptionalUserDep, proposal_id: Id
) -> Response:
    return render(request, "proposals/detail.html", **_context(request, db, ctx, user, proposal_id))


@router.post("/proposals/{proposal_id}/support")
def support(db: DbDep, user: UserDep, proposal_id: Id, action: Annotated[str, Form()]) -> Response:
    proposal = actions.get_proposal(db, proposal_id)
    if action == "withdraw":
        participation.withdraw_support(db, user, T, proposal_id)
        return redirect(actions.link(proposal_id), _("Your support is withdrawn."))
    if proposal.state != ProposalState.OPEN:
        raise InvalidInput(_("This proposal is closed to supports."))
    participation.support(db, user, T, proposal_id)
    return redirect(actions.link(proposal_id), _("Thank you for your support."))


@router.post("/proposals/{proposal_id}/follow")
def follow(db: DbDep, user: UserDep, proposal_id: Id, action: Annotated[str, Form()]) -> Response:
    actions.get_proposal(db, proposal_id)
    if action == "unfollow":
        participation.unfollow(db, user, T, proposal_id)
        return redirect(actions.link(proposal_id), _("You no longer follow this proposal."))
    participation.follow(db, user, T, proposal_id)
    return redirect(actions.link(proposal_id), _("You follow this proposal: you will be notified."))


@router.post("/proposals/{proposal_id}/comments")
def comment(
    request: Request,
    db: DbDep,
    ctx: CtxDep,
    user: UserDep,
    proposal_id: Id,
    body: Annotated[str, Form(max_length=20_000)],
    parent_id: Annotated[str, Form()] = "",
) -> Response:
    actions.get_proposal(db, proposal_id)
    parent = int(parent_id) if parent_id.isdigit() else None
    try:
        created = participation.add_comment(db, user, T, proposal_id, body, parent)
    except InvalidInput as error:
        context = _context(request, db, ctx, user, proposal_id)
        return render(
            request,
            "proposals/detail.html",
            status_code=422,
            comment_error=error.detail,
            comment_body=body,
            **context,
        )
    return redirect(
        f"{actions.link(proposal_id)}#comment-{created.id}", _("Your comment is published.")
    )


@router.post("/proposals/{proposal_id}/images")
def add_image(
    db: DbDep,
    ctx: CtxDep,
    user: UserDep,
    proposal_id: Id,
    image: Annotated[UploadFile, File()],
    alt: Annotated[str, Form(max_length=200)],
) -> Response:
    actions.add_image(ctx, db, user, proposal_id, image.file.read(MAX_IMAGE_BYTES + 1), alt)
    return redirect(actions.link(proposal_id), _("The image is added."))


@router.post("/staff/proposals/{proposal_id}/answer")
def answer(
    db: DbDep,
    ctx: CtxDep,
    user: StaffDep,
    proposal_id: Id,
    state: Annotated[str, Form()],
    answer: Annotated[str, Form(max_length=5_000)] = "",
    envelope_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        data = Answer.model_validate(
            {
                "state": state,
                "answer": answer,
                "envelope_id": int(envelope_id) if envelope_id.isdigit() else None,
            }
        )
    except ValidationError:
        raise InvalidInput(_("Choose an answer.")) from None
    actions.answer_proposal(ctx, db, user, proposal_id, data)
    return redirect(actions.link(proposal_id), _("The answer is published."))


@router.post("/staff/proposals/{proposal_id}/merge")
def merge(
    db: DbDep,
    ctx: CtxDep,
    user: StaffDep,
    proposal_id: Id,
    into: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=1_000)] = "",
) -> Response:
    if not into.isdigit():
        raise InvalidInput(_("Give the number of the proposal to merge into."))
    target = actions.merge_proposals(ctx, db, user, proposal_id, Merge(into=int(into), note=note))
    return redirect(actions.link(target.id), _("The proposals are merged."))
