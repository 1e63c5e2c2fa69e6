"""The HTML forms of consultations: a resident's answers, and the staff form with its
questions written in a small text format.

The questions format (one block per question, blocks separated by an empty line):

    [single] Should the square be closed to cars on Sundays?
    Yes
    No

    [multiple 2] What would you like on the square?
    Trees
    Benches
    A fountain

    [ranking] Rank these projects
    ...

    [scale 1-5] How pleasant is the square today?
    Not at all
    Very

    [text optional] Anything else?

The first line is the kind in square brackets, then the question. In the brackets: a number
after `multiple` is the most options one may choose; `low-high` (or `low..high`) after `scale`
gives its values; `optional` marks a question one may leave unanswered. The next lines are the
options, one per line (a leading "- " is dropped); for a scale, two lines label its lowest and
highest ends. Kinds and `optional` are also understood in French: choix (or unique), multiple
(or choix-multiple), classement, échelle (or note), texte (or libre), facultatif.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import PARIS, lazy
from parvis.kernel.i18n import gettext as _
from parvis.participation.consultations.models import Question, QuestionKind
from parvis.participation.consultations.schemas import ConsultationCreate

KINDS = {
    "single": QuestionKind.SINGLE,
    "choice": QuestionKind.SINGLE,
    "choix": QuestionKind.SINGLE,
    "unique": QuestionKind.SINGLE,
    "choix-unique": QuestionKind.SINGLE,
    "multiple": QuestionKind.MULTIPLE,
    "choix-multiple": QuestionKind.MULTIPLE,
    "ranking": QuestionKind.RANKING,
    "rank": QuestionKind.RANKING,
    "classement": QuestionKind.RANKING,
    "scale": QuestionKind.SCALE,
    "échelle": QuestionKind.SCALE,
    "echelle": QuestionKind.SCALE,
    "note": QuestionKind.SCALE,
    "text": QuestionKind.TEXT,
    "texte": QuestionKind.TEXT,
    "libre": QuestionKind.TEXT,
}
OPTIONAL = {"optional", "facultatif", "facultative", "optionnel", "optionnelle"}
FIRST_LINE = re.compile(r"\[(?P<spec>[^\]]*)\]\s*(?P<text>.*)")
RANGE = re.compile(r"(?P<low>-?\d{1,3})\s*(?:\.\.|-|–|à|to)\s*(?P<high>-?\d{1,3})")
NUMBER = re.compile(r"\d{1,3}")
WHOLE_NUMBER = re.compile(r"-?\d{1,4}")
BLOCKS = re.compile(r"\n\s*\n")
FIELDS = ("title", "description", "arrondissement", "opens_at", "closes_at", "questions")
LABELS = {
    "title": lazy("Title"),
    "description": lazy("Description"),
    "arrondissement": lazy("Arrondissement concerned"),
    "opens_at": lazy("Opens on"),
    "closes_at": lazy("Closes on"),
    "questions": lazy("Questions"),
    "text": lazy("Question"),
    "options": lazy("Options"),
}
PROBLEMS = {
    "missing": lazy("%(field)s is required."),
    "string_too_short": lazy("%(field)s is too short."),
    "string_too_long": lazy("%(field)s is too long."),
    "too_short": lazy("%(field)s: add at least one."),
    "too_long": lazy("%(field)s has too many items."),
    "greater_than_equal": lazy("%(field)s is too small."),
    "less_than_equal": lazy("%(field)s is too large."),
}


def _question_error(number: int, message: str) -> str:
    return _("Question %(number)d: %(message)s") % {"number": number, "message": message}


def _parse_block(number: int, block: str) -> tuple[dict[str, Any] | None, list[str]]:
    lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
    first = FIRST_LINE.fullmatch(lines[0])
    if first is None:
        message = _("start with the kind in square brackets, such as [single].")
        return None, [_question_error(number, message)]
    tokens = first["spec"].replace(",", " ").lower().split()
    if not tokens or tokens[0] not in KINDS:
        message = _("the kind must be single, multiple, ranking, scale or text.")
        return None, [_question_error(number, message)]
    question: dict[str, Any] = {"kind": KINDS[tokens[0]], "text": first["text"]}
    errors = []
    for token in tokens[1:]:
        scale = RANGE.fullmatch(token)
        if token in OPTIONAL:
            question["required"] = False
        elif question["kind"] == QuestionKind.MULTIPLE and NUMBER.fullmatch(token):
            question["max_choices"] = int(token)
        elif question["kind"] == QuestionKind.SCALE and scale is not None:
            question["scale_min"], question["scale_max"] = int(scale["low"]), int(scale["high"])
        else:
            message = _("“%(word)s” is not understood in the brackets.") % {"word": token}
            errors.append(_question_error(number, message))
    question["options"] = [re.sub(r"^[-*•]\s+", "", line) for line in lines[1:]]
    return (None if errors else question), errors


def parse_questions(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The questions of the staff form's text, and the problems found, one sentence each."""
    questions: list[dict[str, Any]] = []
    errors: list[str] = []
    blocks = [b for b in BLOCKS.split(text.replace("\r\n", "\n")) if b.strip()]
    for number, block in enumerate(blocks, start=1):
        question, problems = _parse_block(number, block)
        errors.extend(problems)
        if question is not None:
            questions.append(question)
    return questions, errors


def form_values(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in FIELDS}


def _paris_datetime(text: str) -> datetime:
    """A datetime-local field (YYYY-MM-DDTHH:MM) is Paris time."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def parse_consultation(values: dict[str, str]) -> tuple[ConsultationCreate | None, list[str]]:
    errors: list[str] = []
    data: dict[str, Any] = {"title": values["title"], "description": values["description"]}
    if values["arrondissement"]:
        if not values["arrondissement"].isdigit():
            errors.append(_("Choose the arrondissement from the list."))
        else:
            data["arrondissement"] = int(values["arrondissement"])
    for name in ("opens_at", "closes_at"):
        try:
            data[name] = _paris_datetime(values[name])
        except ValueError:
            label = _(LABELS[name])
            errors.append(_("%(field)s must be a date and a time.") % {"field": label})
    data["questions"], problems = parse_questions(values["questions"])
    errors.extend(problems)
    if errors:
        return None, errors
    try:
        return ConsultationCreate.model_validate(data), []
    except ValidationError as exc:
        return None, [_explain(error) for error in exc.errors()]


def _explain(error: Any) -> str:
    """A sentence in the reader's language for a validation error, not pydantic's English."""
    loc = [part for part in error["loc"] if part not in ("function-after",)]
    if error["type"] == "value_error":
        message = str(error["ctx"]["error"])
    else:
        name = next((str(p) for p in reversed(loc) if str(p) in LABELS), "")
        field = _(LABELS[name]) if name else ""
        message = _(PROBLEMS.get(error["type"], lazy("%(field)s is not valid."))) % {"field": field}
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        return _question_error(loc[1] + 1, message)
    return message


# A resident's answers --------------------------------------------------------------------


def field_name(question: Question) -> str:
    return f"q{question.id}"


def answers_from_form(questions: list[Question], form: FormData) -> dict[str, Any]:
    """The answers as the API takes them; what cannot be right is kept for the check to refuse
    with a readable message (and for the form to show again)."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = field_name(question)
        value: Any
        match question.kind:
            case QuestionKind.MULTIPLE:
                value = [str(v) for v in form.getlist(name)]
            case QuestionKind.RANKING:
                ranks = [
                    str(form.get(f"{name}-{r}", "")) for r in range(1, len(question.options) + 1)
                ]
                value = ranks if any(ranks) else None
            case QuestionKind.SCALE:
                raw = str(form.get(name, "")).strip()
                value = int(raw) if WHOLE_NUMBER.fullmatch(raw) else raw
            case _:
                raw_value = form.get(name)
                value = raw_value if isinstance(raw_value, str) else None
        answers[str(question.id)] = value
    return answers


def errors_by_question(error: InvalidInput) -> dict[str, str]:
    """Question id -> the problem with its answer, from an InvalidInput of check_answers."""
    found: dict[str, str] = {}
    for item in error.errors:
        loc = item.get("loc", [])
        if len(loc) == 2 and loc[0] == "answers":
            found.setdefault(str(loc[1]), str(item.get("msg", "")))
    return found
