"""HTML pages of consultations: the list, the questionnaire, the results, the CSV export and
the staff form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from parvis.kernel.db import utcnow
from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import format_number, ngettext
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.deps import DbDep, Id, OptionalUserDep, StaffDep, UserDep, check_csrf_form
from parvis.kernel.web.templating import redirect, render
from parvis.participation.consultations import actions, forms, queries
from parvis.participation.consultations.labels import (
    KIND_LABELS,
    State,
    kind_label,
    scope_label,
    state_label,
)
from parvis.participation.consultations.models import QuestionKind
from parvis.participation.consultations.schemas import ConsultationResults, QuestionResult

router = APIRouter(dependencies=[Depends(check_csrf_form)], include_in_schema=False)
LABELS: dict[str, Any] = {
    "state_label": state_label,
    "scope_label": scope_label,
    "kind_label": kind_label,
}


async def _form(request: Request) -> FormData:
    return await request.form()  # read once by check_csrf_form already: Starlette caches it


FormDep = Annotated[FormData, Depends(_form)]


def _page_number(request: Request) -> int:
    text = request.query_params.get("page", "")
    return int(text) if text.isdigit() and 1 <= int(text) <= 10_000 else 1


@router.get("/consultations", response_class=HTMLResponse)
def list_page(request: Request, db: DbDep, user: OptionalUserDep) -> Response:
    now = utcnow()
    return render(
        request,
        "consultations/list.html",
        open=queries.list_consultations(db, State.OPEN, 1, 100, now=now),
        upcoming=queries.list_consultations(db, State.UPCOMING, 1, 100, now=now),
        closed=queries.list_consultations(db, State.CLOSED, _page_number(request), 20, now=now),
        **LABELS,
    )


def _questionnaire(
    request: Request,
    db: DbDep,
    user: OptionalUserDep,
    consultation_id: int,
    values: dict[str, Any] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    consultation = queries.consultation_detail(db, consultation_id)
    previous = queries.response_of(db, consultation_id, user.id) if user else None
    if values is None:
        values = dict(previous.answers) if previous else {}
    return render(
        request,
        "consultations/detail.html",
        status_code=422 if error else 200,
        consultation=consultation,
        previous=previous,
        values=values,
        error=error,
        field_errors=forms.errors_by_question(error) if error else {},
        **LABELS,
    )


@router.get("/consultations/{consultation_id}", response_class=HTMLResponse)
def consultation_page(
    request: Request, db: DbDep, user: OptionalUserDep, consultation_id: Id
) -> Response:
    return _questionnaire(request, db, user, consultation_id)


@router.post("/consultations/{consultation_id}")
def answer(
    request: Request, db: DbDep, user: UserDep, consultation_id: Id, form: FormDep
) -> Response:
    consultation = actions.get_consultation(db, consultation_id)
    answers = forms.answers_from_form(consultation.questions, form)
    try:
        _saved, created = actions.submit_response(db, user, consultation_id, answers)
    except InvalidInput as error:
        return _questionnaire(request, db, user, consultation_id, answers, error)
    message = (
        _("Thank you: your answer is recorded. You can change it until the consultation closes.")
        if created
        else _("Your answer is updated.")
    )
    return redirect(f"/consultations/{consultation_id}", message)


def _percent(share: float) -> str:
    return f"{format_number(round(share * 100))}\u00a0%"


def chart_rows(result: QuestionResult) -> list[dict[str, Any]]:
    """Bars of a question's chart: a label, the length (0 to 1) and the figures as text."""
    rows: list[dict[str, Any]] = []
    if result.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        for o in result.options:
            text = f"{format_number(o.count)} · {_percent(o.share)}"
            rows.append({"label": o.option, "fraction": o.share, "text": text})
    elif result.kind == QuestionKind.RANKING:
        best = max((r.borda for r in result.ranking), default=0)
        for r in result.ranking:
            text = ngettext(
                "%(num)s point · mean rank %(rank)s", "%(num)s points · mean rank %(rank)s", r.borda
            ) % {"num": format_number(r.borda), "rank": format_number(r.mean_rank)}
            rows.append(
                {"label": r.option, "fraction": r.borda / best if best else 0, "text": text}
            )
    elif result.kind == QuestionKind.SCALE:
        ends = result.scale_labels
        for index, bar in enumerate(result.histogram):
            label = str(bar.value)
            if ends and index == 0:
                label = f"{label} — {ends[0]}"
            elif ends and index == len(result.histogram) - 1:
                label = f"{label} — {ends[1]}"
            text = f"{format_number(bar.count)} · {_percent(bar.share)}"
            rows.append({"label": label, "fraction": bar.share, "text": text})
    return rows


@router.get("/consultations/{consultation_id}/results", response_class=HTMLResponse)
def results_page(
    request: Request, db: DbDep, user: OptionalUserDep, consultation_id: Id
) -> Response:
    consultation = queries.consultation_detail(db, consultation_id)
    results: ConsultationResults | None = None
    if consultation.state == State.CLOSED:
        results = queries.results(db, consultation_id)
    return render(
        request,
        "consultations/results.html",
        consultation=consultation,
        results=results,
        charts={q.id: chart_rows(q) for q in results.questions} if results else {},
        percent=_percent,
        **LABELS,
    )


@router.get("/consultations/{consultation_id}/responses.csv")
def export_csv(db: DbDep, user: OptionalUserDep, consultation_id: Id) -> Response:
    text = queries.export_responses(db, consultation_id, user)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": (
                f'attachment; filename="consultation-{consultation_id}-responses.csv"'
            )
        },
    )


# Staff -----------------------------------------------------------------------------------

EMPTY = dict.fromkeys(forms.FIELDS, "")


def _new_form(request: Request, values: dict[str, str], errors: list[str]) -> Response:
    return render(
        request,
        "consultations/new.html",
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        kinds=KIND_LABELS,
        **LABELS,
    )


@router.get("/staff/consultations/new", response_class=HTMLResponse)
def new_consultation_form(request: Request, user: StaffDep) -> Response:
    return _new_form(request, dict(EMPTY), [])


@router.post("/staff/consultations/new")
def create_consultation(request: Request, db: DbDep, user: StaffDep, form: FormDep) -> Response:
    values = forms.form_values(form)
    data, errors = forms.parse_consultation(values)
    if data is None:
        return _new_form(request, values, errors)
    consultation = actions.create_consultation(db, user, data)
    return redirect(f"/consultations/{consultation.id}", _("The consultation is created."))
