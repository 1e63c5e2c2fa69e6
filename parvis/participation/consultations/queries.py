"""Consultation reads: lists by state, a questionnaire, a resident's answers, the results
(published when the consultation closes) and the anonymous CSV export."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from parvis.kernel.auth import Role, User
from parvis.kernel.db import utcnow
from parvis.kernel.errors import Conflict, Forbidden
from parvis.kernel.i18n import format_datetime
from parvis.kernel.i18n import gettext as _
from parvis.kernel.pagination import MAX_PAGE_SIZE, Page
from parvis.participation.consultations.actions import (
    consultation_link,
    get_consultation,
    state_of,
)
from parvis.participation.consultations.labels import State
from parvis.participation.consultations.models import (
    Consultation,
    ConsultationResponse,
    Question,
    QuestionKind,
)
from parvis.participation.consultations.schemas import (
    SEPARATOR,
    ConsultationPublic,
    ConsultationResults,
    ConsultationSummary,
    OptionCount,
    QuestionPublic,
    QuestionResult,
    RankedOption,
    ResponsePublic,
    ScaleCount,
)


def _in_state(state: State | None, now: datetime) -> Select[Consultation]:
    query = select(Consultation)
    match state:
        case State.UPCOMING:
            return query.where(Consultation.opens_at > now).order_by(
                Consultation.opens_at, Consultation.id
            )
        case State.OPEN:
            return query.where(Consultation.opens_at <= now, Consultation.closes_at > now).order_by(
                Consultation.closes_at, Consultation.id
            )
        case State.CLOSED:
            return query.where(Consultation.closes_at <= now).order_by(
                Consultation.closes_at.desc(), Consultation.id.desc()
            )
        case _:
            return query.order_by(Consultation.closes_at.desc(), Consultation.id.desc())


def response_counts(db: Session, consultation_ids: Sequence[int]) -> dict[int, int]:
    if not consultation_ids:
        return {}
    rows = db.execute(
        select(ConsultationResponse.consultation_id, func.count())
        .where(ConsultationResponse.consultation_id.in_(consultation_ids))
        .group_by(ConsultationResponse.consultation_id)
    )
    return dict(rows.all())


def summaries(
    db: Session,
    consultations: Sequence[Consultation],
    base_url: str = "",
    now: datetime | None = None,
) -> list[ConsultationSummary]:
    now = now or utcnow()
    counts = response_counts(db, [c.id for c in consultations])
    return [
        ConsultationSummary(
            id=c.id,
            title=c.title,
            arrondissement=c.arrondissement,
            opens_at=c.opens_at,
            closes_at=c.closes_at,
            state=state_of(c, now),
            responses=counts.get(c.id, 0),
            url=base_url + consultation_link(c.id),
        )
        for c in consultations
    ]


def list_consultations(
    db: Session,
    state: State | None,
    page: int = 1,
    size: int = 20,
    base_url: str = "",
    now: datetime | None = None,
) -> Page[ConsultationSummary]:
    now = now or utcnow()
    size = min(max(size, 1), MAX_PAGE_SIZE)
    query = _in_state(state, now)
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    found = list(db.scalars(query.limit(size).offset((page - 1) * size)))
    return Page(summaries(db, found, base_url, now), total, page, size)


def _question(question: Question) -> QuestionPublic:
    return QuestionPublic(
        id=question.id,
        position=question.position,
        kind=question.kind,
        text=question.text,
        options=list(question.options),
        max_choices=question.max_choices,
        scale_min=question.scale_min,
        scale_max=question.scale_max,
        required=question.required,
    )


def consultation_detail(
    db: Session, consultation_id: int, base_url: str = "", now: datetime | None = None
) -> ConsultationPublic:
    consultation = get_consultation(db, consultation_id)
    summary = summaries(db, [consultation], base_url, now)[0]
    return ConsultationPublic(
        **summary.model_dump(),
        description=consultation.description,
        questions=[_question(q) for q in consultation.questions],
    )


def response_of(db: Session, consultation_id: int, user_id: int) -> ResponsePublic | None:
    response = db.scalars(
        select(ConsultationResponse).where(
            ConsultationResponse.consultation_id == consultation_id,
            ConsultationResponse.user_id == user_id,
        ),
        execution_options={"populate_existing": True},
    ).one_or_none()
    if response is None:
        return None
    return ResponsePublic(
        consultation_id=consultation_id, answers=response.answers, updated_at=response.updated_at
    )


# Results ---------------------------------------------------------------------------------


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def _result(question: Question, values: list[Any]) -> QuestionResult:
    options = list(question.options)
    result = QuestionResult(
        id=question.id,
        position=question.position,
        kind=question.kind,
        text=question.text,
        answered=len(values),
    )
    match question.kind:
        case QuestionKind.SINGLE | QuestionKind.MULTIPLE:
            chosen = [
                v for value in values for v in (value if isinstance(value, list) else [value])
            ]
            counts = Counter(chosen)
            result.options = [
                OptionCount(option=o, count=counts[o], share=_share(counts[o], len(values)))
                for o in options
            ]
        case QuestionKind.RANKING:
            n = len(options)
            rank_sum: Counter[str] = Counter()
            firsts: Counter[str] = Counter()
            rankings = [v for v in values if isinstance(v, list) and sorted(v) == sorted(options)]
            result.answered = len(rankings)
            for ranking in rankings:
                for rank, option in enumerate(ranking, start=1):
                    rank_sum[option] += rank
                firsts[ranking[0]] += 1
            ranked = [
                RankedOption(
                    option=o,
                    mean_rank=round(rank_sum[o] / len(rankings), 2) if rankings else 0.0,
                    borda=len(rankings) * n - rank_sum[o],
                    first_choices=firsts[o],
                )
                for o in options
            ]
            result.ranking = sorted(ranked, key=lambda r: (-r.borda, options.index(r.option)))
        case QuestionKind.SCALE:
            numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
            result.answered = len(numbers)
            low, high = question.scale_min or 0, question.scale_max or 0
            counts = Counter(numbers)
            result.histogram = [
                ScaleCount(value=v, count=counts[v], share=_share(counts[v], len(numbers)))
                for v in range(low, high + 1)
            ]
            if numbers:
                result.mean = round(statistics.fmean(numbers), 2)
                result.median = float(statistics.median(numbers))
            result.scale_labels = options
        case _:
            # Sorted, so that the order says nothing of who answered when.
            result.texts = sorted((v for v in values if isinstance(v, str)), key=str.casefold)
    return result


def _all_answers(db: Session, consultation_id: int) -> list[dict[str, Any]]:
    return list(
        db.scalars(
            select(ConsultationResponse.answers).where(
                ConsultationResponse.consultation_id == consultation_id
            )
        )
    )


def results(
    db: Session, consultation_id: int, base_url: str = "", now: datetime | None = None
) -> ConsultationResults:
    """The results, once the consultation is closed: before, only the number of responses is
    public, for staff as for residents, so that nobody's answer is swayed by the trend."""
    now = now or utcnow()
    consultation = get_consultation(db, consultation_id)
    if state_of(consultation, now) != State.CLOSED:
        when = format_datetime(consultation.closes_at)
        raise Conflict(
            _("The results are published when the consultation closes, on %(date)s.")
            % {"date": when}
        )
    answers = _all_answers(db, consultation_id)
    questions = [
        _result(q, [a[str(q.id)] for a in answers if a.get(str(q.id)) is not None])
        for q in consultation.questions
    ]
    summary = summaries(db, [consultation], base_url, now)[0]
    return ConsultationResults(consultation=summary, responses=len(answers), questions=questions)


# Export ----------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = SEPARATOR.join(str(v) for v in value)
    elif isinstance(value, int):
        return str(value)
    text = str(value)
    # A spreadsheet would run a text starting like a formula: make it plain text.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def can_export(
    consultation: Consultation, viewer: User | None, now: datetime | None = None
) -> bool:
    """Staff may export at any time; once closed, the responses are open data for everyone."""
    staff = viewer is not None and viewer.has_role(Role.STAFF)
    return staff or state_of(consultation, now) == State.CLOSED


def export_responses(
    db: Session, consultation_id: int, viewer: User | None, now: datetime | None = None
) -> str:
    """Every response as CSV (`;`-separated, UTF-8): one row per response, one column per
    question, no user id, no name and no date, rows sorted by their content so that their
    order reveals nothing. Multiple choices and rankings are joined with " | " (rankings
    first to last)."""
    consultation = get_consultation(db, consultation_id)
    if not can_export(consultation, viewer, now):
        raise Forbidden(_("The responses are open data once the consultation closes."))
    questions = consultation.questions
    rows = sorted(
        [_cell(answers.get(str(q.id))) for q in questions]
        for answers in _all_answers(db, consultation_id)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_cell(f"Q{q.position}. {q.text}") for q in questions])
    writer.writerows(rows)
    return buffer.getvalue()
