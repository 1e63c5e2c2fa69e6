"""Consultation writes: staff create a questionnaire, residents answer it once (and may change
their answer until it closes)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parvis.kernel.auth import Role, User
from parvis.kernel.db import utcnow
from parvis.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from parvis.kernel.i18n import format_datetime, ngettext
from parvis.kernel.i18n import gettext as _
from parvis.participation.consultations.labels import State
from parvis.participation.consultations.models import (
    Consultation,
    ConsultationResponse,
    Question,
    QuestionKind,
)
from parvis.participation.consultations.schemas import MAX_TEXT_ANSWER, ConsultationCreate


def consultation_link(consultation_id: int) -> str:
    return f"/consultations/{consultation_id}"


def state_of(consultation: Consultation, now: datetime | None = None) -> State:
    now = now or utcnow()
    if now < consultation.opens_at:
        return State.UPCOMING
    if now < consultation.closes_at:
        return State.OPEN
    return State.CLOSED


def get_consultation(db: Session, consultation_id: int) -> Consultation:
    consultation = db.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound(_("No such consultation."))
    return consultation


def create_consultation(db: Session, author: User, data: ConsultationCreate) -> Consultation:
    if not author.has_role(Role.STAFF):
        raise Forbidden(_("Your role does not allow this."))
    consultation = Consultation(
        title=data.title,
        description=data.description,
        arrondissement=data.arrondissement,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        created_by=author.id,
    )
    consultation.questions = [
        Question(
            position=position,
            kind=question.kind,
            text=question.text,
            options=question.options,
            max_choices=question.max_choices,
            scale_min=question.scale_min,
            scale_max=question.scale_max,
            required=question.required,
        )
        for position, question in enumerate(data.questions, start=1)
    ]
    db.add(consultation)
    db.commit()
    return consultation


# Answers ---------------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _check_answer(question: Question, value: Any) -> Any:
    """The answer in its stored form; raises ValueError with a sentence for the resident."""
    options = question.options
    match question.kind:
        case QuestionKind.SINGLE:
            if not isinstance(value, str) or value not in options:
                raise ValueError(_("Choose one of the options."))
            return value
        case QuestionKind.MULTIPLE:
            if (
                not isinstance(value, list)
                or not all(isinstance(v, str) and v in options for v in value)
                or len(set(value)) != len(value)
            ):
                raise ValueError(_("Choose among the options, each one once."))
            most = question.max_choices or len(options)
            if len(value) > most:
                raise ValueError(
                    ngettext(
                        "Choose %(num)d option at most.", "Choose %(num)d options at most.", most
                    )
                    % {"num": most}
                )
            return [option for option in options if option in value]  # in the options' order
        case QuestionKind.RANKING:
            if (
                not isinstance(value, list)
                or not all(isinstance(v, str) for v in value)
                or sorted(value) != sorted(options)
            ):
                raise ValueError(_("Give each option a different rank, from first to last."))
            return value
        case QuestionKind.SCALE:
            low, high = question.scale_min or 0, question.scale_max or 0
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(
                    _("Choose a whole number from %(low)d to %(high)d.")
                    % {"low": low, "high": high}
                )
            return value
        case _:  # free text
            if not isinstance(value, str):
                raise ValueError(_("Write your answer as a text."))
            text = value.replace("\x00", "").strip()
            if len(text) > MAX_TEXT_ANSWER:
                raise ValueError(_("The answer is too long (5,000 characters at most)."))
            return text


def check_answers(questions: list[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every answer checked against its question; InvalidInput lists each problem with the
    question's id in `loc`, so that forms show it next to the question."""
    known = {str(question.id) for question in questions}
    errors: list[dict[str, Any]] = [
        {
            "loc": ["answers", key],
            "msg": _("This question is not part of the consultation."),
            "type": "unknown_question",
        }
        for key in answers
        if key not in known
    ]
    cleaned: dict[str, Any] = {}
    for question in questions:
        key = str(question.id)
        value = answers.get(key)
        if _is_empty(value):
            if question.required:
                message = _("This question requires an answer.")
                errors.append({"loc": ["answers", key], "msg": message, "type": "missing"})
            continue
        try:
            cleaned[key] = _check_answer(question, value)
        except ValueError as error:
            errors.append({"loc": ["answers", key], "msg": str(error), "type": "invalid_answer"})
    if errors:
        detail = ngettext(
            "%(num)d answer is missing or not valid.",
            "%(num)d answers are missing or not valid.",
            len(errors),
        ) % {"num": len(errors)}
        raise InvalidInput(detail, errors=errors)
    return cleaned


def require_open(consultation: Consultation, now: datetime | None = None) -> None:
    state = state_of(consultation, now)
    if state == State.UPCOMING:
        when = format_datetime(consultation.opens_at)
        raise Conflict(
            _("This consultation is not open yet: it opens on %(date)s.") % {"date": when}
        )
    if state == State.CLOSED:
        when = format_datetime(consultation.closes_at)
        raise Conflict(
            _("This consultation closed on %(date)s: answers are no longer accepted.")
            % {"date": when}
        )


def submit_response(
    db: Session,
    user: User,
    consultation_id: int,
    answers: Mapping[str, Any],
    now: datetime | None = None,
) -> tuple[ConsultationResponse, bool]:
    """Save the resident's answers, replacing the previous ones; True when this is the first.

    Anyone signed in with a confirmed address may answer, whatever the arrondissement of their
    profile: like Paris's own consultations, those who live *or work* in the arrondissement
    concerned take part, and Parvis does not know where people work.
    """
    if not user.is_confirmed:
        raise Forbidden(_("Confirm your email address first: we sent you a link."))
    consultation = get_consultation(db, consultation_id)
    require_open(consultation, now)
    cleaned = check_answers(consultation.questions, answers)
    created = _save(db, consultation.id, user.id, cleaned)
    saved = db.scalars(
        select(ConsultationResponse).where(
            ConsultationResponse.consultation_id == consultation.id,
            ConsultationResponse.user_id == user.id,
        ),
        execution_options={"populate_existing": True},
    ).one()
    return saved, created


def _replaced(db: Session, statement: Any) -> bool:
    return bool(cast("CursorResult[Any]", db.execute(statement)).rowcount)


def _save(db: Session, consultation_id: int, user_id: int, answers: dict[str, Any]) -> bool:
    """One row per resident, even under concurrent submits: update the row if it exists, or
    insert it in a savepoint; when a concurrent submit inserted first, the unique constraint
    refuses the second row and the answers replace the first one's instead."""
    now = utcnow()
    replace = (
        update(ConsultationResponse)
        .where(
            ConsultationResponse.consultation_id == consultation_id,
            ConsultationResponse.user_id == user_id,
        )
        .values(answers=answers, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if _replaced(db, replace):
        db.commit()
        return False
    try:
        with db.begin_nested():
            db.add(
                ConsultationResponse(
                    consultation_id=consultation_id,
                    user_id=user_id,
                    answers=answers,
                    updated_at=now,
                )
            )
    except IntegrityError:
        if not _replaced(db, replace):  # not a duplicate: the consultation is gone
            db.rollback()
            raise Conflict(_("Your answer could not be saved: please try again.")) from None
        db.commit()
        return False
    db.commit()
    return True
