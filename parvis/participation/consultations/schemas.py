"""Consultations in and out: a questionnaire with its questions, a response, the results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from parvis.kernel.i18n import gettext as _
from parvis.participation.consultations.labels import State
from parvis.participation.consultations.models import QuestionKind

MAX_QUESTIONS = 50
MIN_OPTIONS, MAX_OPTIONS = 2, 30
MAX_OPTION_LENGTH = 200
SCALE_LOWEST, SCALE_HIGHEST = -10, 100
MAX_SCALE_POINTS = 11  # 0 to 10 at most: one radio button per point
MAX_TEXT_ANSWER = 5_000
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)
# Multiple choices and rankings are joined with this in the CSV export: no option holds it.
SEPARATOR = " | "


def _no_nul(value: str) -> str:
    """PostgreSQL stores no NUL character: refuse it as a client's mistake, not a 500."""
    if "\x00" in value:
        raise ValueError(_("A text contains a NUL character."))
    return value


class QuestionCreate(BaseModel):
    """One question. `options` are the choices of single, multiple and ranking questions; for
    a scale they are optional labels of its two ends (lowest first)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: QuestionKind
    text: str = Field(min_length=3, max_length=400)
    options: list[Annotated[str, Field(max_length=MAX_OPTION_LENGTH)]] = Field(
        default_factory=list, max_length=MAX_OPTIONS
    )
    max_choices: int | None = Field(default=None, ge=1, le=MAX_OPTIONS)
    scale_min: int | None = Field(default=None, ge=SCALE_LOWEST, le=SCALE_HIGHEST)
    scale_max: int | None = Field(default=None, ge=SCALE_LOWEST, le=SCALE_HIGHEST)
    required: bool = True

    @field_validator("text")
    @classmethod
    def refuse_nul(cls, text: str) -> str:
        return _no_nul(text)

    @field_validator("options")
    @classmethod
    def clean_options(cls, options: list[str]) -> list[str]:
        cleaned = [" ".join(_no_nul(option).split()) for option in options]
        if any(not option for option in cleaned):
            raise ValueError(_("An option is empty."))
        if len({option.casefold() for option in cleaned}) != len(cleaned):
            raise ValueError(_("Two options are the same."))
        if any("|" in option for option in cleaned):
            raise ValueError(_("An option cannot contain the character |."))
        return cleaned

    @model_validator(mode="after")
    def check_kind(self) -> Self:
        kind, count = self.kind, len(self.options)
        if kind in CHOICE_KINDS and not MIN_OPTIONS <= count <= MAX_OPTIONS:
            raise ValueError(_("A choice or ranking question needs 2 to 30 options."))
        if kind == QuestionKind.TEXT and count:
            raise ValueError(_("A free-text question has no options."))
        if kind == QuestionKind.SCALE and count not in (0, 2):
            raise ValueError(_("A scale takes no labels, or exactly two: its lowest and highest."))
        if self.max_choices is not None:
            if kind != QuestionKind.MULTIPLE:
                raise ValueError(_("Only a multiple-choice question has a maximum of choices."))
            if self.max_choices > count:
                raise ValueError(_("The maximum of choices is larger than the number of options."))
        if kind == QuestionKind.SCALE:
            low, high = self.scale_min, self.scale_max
            if low is None or high is None:
                raise ValueError(_("A scale needs its lowest and highest values."))
            if not low < high or high - low + 1 > MAX_SCALE_POINTS:
                raise ValueError(_("A scale goes up from its lowest value, 11 points at most."))
        elif self.scale_min is not None or self.scale_max is not None:
            raise ValueError(_("Only a scale has lowest and highest values."))
        return self


class ConsultationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=3, max_length=160)
    description: str = Field(default="", max_length=20_000, description="Markdown")
    arrondissement: Annotated[int, Field(ge=1, le=20)] | None = Field(
        default=None,
        description="The arrondissement concerned; None: the whole city. Anyone may answer.",
    )
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    questions: list[QuestionCreate] = Field(min_length=1, max_length=MAX_QUESTIONS)

    @field_validator("title", "description")
    @classmethod
    def refuse_nul(cls, text: str) -> str:
        return _no_nul(text)

    @model_validator(mode="after")
    def check_dates(self) -> Self:
        if self.closes_at <= self.opens_at:
            raise ValueError(_("The consultation must close after it opens."))
        return self


AnswerValue = StrictStr | StrictInt | list[StrictStr] | None


class ResponseIn(BaseModel):
    """Answers by question id: an option (single), a list of options (multiple), every option
    in order of preference (ranking), a whole number (scale) or a text; null or absent when
    an optional question is not answered."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, AnswerValue] = Field(max_length=MAX_QUESTIONS)


class ResponsePublic(BaseModel):
    consultation_id: int
    answers: dict[str, StrictStr | StrictInt | list[StrictStr]]
    updated_at: datetime


class QuestionPublic(BaseModel):
    id: int
    position: int
    kind: QuestionKind
    text: str
    options: list[str]
    max_choices: int | None
    scale_min: int | None
    scale_max: int | None
    required: bool


class ConsultationSummary(BaseModel):
    id: int
    title: str
    arrondissement: int | None
    opens_at: datetime
    closes_at: datetime
    state: State
    responses: int
    url: str


class ConsultationPublic(ConsultationSummary):
    description: str
    questions: list[QuestionPublic]


class ConsultationPage(BaseModel):
    items: list[ConsultationSummary]
    total: int
    page: int
    size: int
    pages: int


class OptionCount(BaseModel):
    option: str
    count: int
    share: float = Field(description="Of the respondents who answered the question, 0 to 1")


class RankedOption(BaseModel):
    option: str
    mean_rank: float = Field(description="1 is first; the lower, the more preferred")
    borda: int = Field(description="Points: n - rank for each response (n options)")
    first_choices: int


class ScaleCount(BaseModel):
    value: int
    count: int
    share: float


class QuestionResult(BaseModel):
    id: int
    position: int
    kind: QuestionKind
    text: str
    answered: int
    options: list[OptionCount] = Field(default_factory=list, description="single, multiple")
    ranking: list[RankedOption] = Field(default_factory=list, description="best first")
    mean: float | None = Field(default=None, description="scale")
    median: float | None = Field(default=None, description="scale")
    histogram: list[ScaleCount] = Field(default_factory=list, description="scale")
    scale_labels: list[str] = Field(default_factory=list, description="scale: its two ends")
    texts: list[str] = Field(default_factory=list, description="free texts, in no order")


class ConsultationResults(BaseModel):
    consultation: ConsultationSummary
    responses: int
    questions: list[QuestionResult]
