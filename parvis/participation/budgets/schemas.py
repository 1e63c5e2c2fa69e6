from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from parvis.kernel.geojson import Point
from parvis.participation import budgeting
from parvis.participation.budgets.models import BallotKind, EnvelopeKind, Feasibility, Phase

Money = Annotated[int, Field(ge=0, le=10**12)]
DbId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class EnvelopeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: EnvelopeKind
    arrondissement: Annotated[int, Field(ge=1, le=20)] | None = None
    name: str = Field(min_length=2, max_length=120)
    budget_eur: Money

    @model_validator(mode="after")
    def arrondissement_matches_kind(self) -> Self:
        if self.kind == EnvelopeKind.ARRONDISSEMENT and self.arrondissement is None:
            raise ValueError("an arrondissement envelope names its arrondissement")
        if self.kind == EnvelopeKind.CITY and self.arrondissement is not None:
            raise ValueError("the city-wide envelope has no arrondissement")
        return self


class EditionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=3, max_length=160)
    description: str = Field(default="", max_length=20_000)
    ballot_kind: BallotKind = BallotKind.APPROVAL
    min_choices: int = Field(default=1, ge=0, le=100)
    max_choices: int | None = Field(default=None, ge=1, le=100)
    points: int | None = Field(default=None, ge=1, le=1000, description="Cumulative ballots")
    rule: str = Field(default="greedy", max_length=40)
    rule_options: dict[str, Any] = Field(default_factory=dict)
    envelopes: list[EnvelopeCreate] = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def consistent(self) -> Self:
        if self.max_choices is not None and self.max_choices < self.min_choices:
            raise ValueError("max_choices is below min_choices")
        if self.ballot_kind == BallotKind.CUMULATIVE and not self.points:
            raise ValueError("a cumulative ballot needs its number of points")
        _check_rule(self.rule, self.ballot_kind, self.rule_options)
        if sum(e.kind == EnvelopeKind.CITY for e in self.envelopes) > 1:
            raise ValueError("an edition has one city-wide envelope at most")
        arrondissements = [e.arrondissement for e in self.envelopes if e.kind == "arrondissement"]
        if len(arrondissements) != len(set(arrondissements)):
            raise ValueError("one envelope per arrondissement")
        return self


class BudgetProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    envelope_id: DbId
    title: str = Field(min_length=3, max_length=160)
    summary: str = Field(min_length=3, max_length=400)
    description: str = Field(default="", max_length=20_000)
    cost_eur: Money | None = None
    location: Point | None = None


class FeasibilityReview(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    feasibility: Literal["feasible", "infeasible"]
    cost_eur: Money | None = Field(default=None, description="Required when feasible")
    reason: str = Field(default="", max_length=5_000, description="Shown to everyone")


class PhaseChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phase: Phase


class BallotIn(BaseModel):
    """project id → 1 (approval, knapsack), points (cumulative) or grade 0–3 (majority
    judgment: 0 « Pas convaincu·e », 1 « Pourquoi pas », 2 « J'aime bien », 3 « J'adore »)."""

    model_config = ConfigDict(extra="forbid")

    choices: dict[str, Annotated[int, Field(ge=0, le=1000)]] = Field(max_length=500)


class PaperBallotIn(BallotIn):
    paper_ref: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[\w\-/ .]+$",
        description="Polling station and sheet number, as written on the sheet",
    )


class BallotReceipt(BaseModel):
    envelope_id: int
    receipt: str = Field(description="Keep it: after the count, check it is in the published list")


class ProjectPublic(BaseModel):
    id: int
    envelope_id: int
    title: str
    summary: str
    cost_eur: int | None
    feasibility: Feasibility
    feasibility_reason: str
    selected: bool | None
    city_project_id: int | None


class EnvelopePublic(BaseModel):
    id: int
    kind: EnvelopeKind
    arrondissement: int | None
    name: str
    budget_eur: int


class EditionPublic(BaseModel):
    id: int
    year: int
    title: str
    description: str
    phase: Phase
    ballot_kind: BallotKind
    min_choices: int
    max_choices: int | None
    points: int | None
    rule: str
    envelopes: list[EnvelopePublic]


def _check_rule(rule: str, kind: BallotKind, options: dict[str, Any]) -> None:
    """The rule exists, suits the ballot, and accepts its options (tried on an empty count)."""
    if rule not in budgeting.RULES:
        raise ValueError(f"unknown counting rule {rule!r}; see `parvis budget rules`")
    judged = kind == BallotKind.MAJORITY_JUDGMENT
    if judged != (rule == "majority-judgment"):
        raise ValueError("majority-judgment ballots go with the majority-judgment rule, only")
    vote_type = {BallotKind.CUMULATIVE: "cumulative", BallotKind.MAJORITY_JUDGMENT: "scoring"}
    empty = budgeting.Election.build({"1": 1}, 1, [], vote_type=vote_type.get(kind, "approval"))
    try:
        budgeting.count(empty, rule, **options)
    except (budgeting.BudgetingError, TypeError) as error:
        raise ValueError(f"the rule {rule!r} does not accept these options: {error}") from None
