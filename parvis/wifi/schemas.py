from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from parvis.wifi.models import CandidateKind, PlanMode
from parvis.wifi.planning.propagation import Band, Environment, Model, usable_radius


class RadiusModel(BaseModel):
    """A usable radius from a link budget and a path-loss model instead of a fixed radius."""

    model_config = ConfigDict(extra="forbid")

    band: Band = Band.GHZ_2_4
    model: Model = Model.P1411
    environment: Environment = Environment.NLOS_URBAN
    location_probability: Annotated[float, Field(ge=0.5, le=0.99)] = 0.9


class PlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=3, max_length=160)
    mode: PlanMode = PlanMode.MAX_COVER
    new_sites: Annotated[int | None, Field(ge=0, le=20_000)] = Field(
        default=None, description="max_cover: how many new sites"
    )
    budget_eur: Annotated[float | None, Field(gt=0, le=1e10)] = Field(
        default=None, description="budget: what the new sites may cost"
    )
    target_share: Annotated[float | None, Field(gt=0, le=1)] = Field(
        default=None, description="set_cover: the share of the population to reach"
    )
    by_cost: bool = Field(default=False, description="set_cover: the cheapest, not the fewest")
    radius_m: Annotated[float | None, Field(gt=0, le=2000)] = Field(
        default=100.0, description="A fixed radius; null to use `propagation`"
    )
    propagation: RadiusModel | None = None
    cell_m: Annotated[float, Field(ge=25, le=500)] = 50.0
    kinds: list[CandidateKind] = Field(
        default_factory=list, max_length=5, description="Candidate kinds; empty: all"
    )
    backup_weight: Annotated[float, Field(ge=0, le=1)] = 0.0
    method: Literal["exact", "greedy"] = "exact"
    time_limit: Annotated[float, Field(gt=0, le=120)] = 30.0

    @model_validator(mode="after")
    def check_mode(self) -> Self:
        needs = {
            PlanMode.MAX_COVER: ("new_sites", self.new_sites),
            PlanMode.BUDGET: ("budget_eur", self.budget_eur),
            PlanMode.SET_COVER: ("target_share", self.target_share),
        }
        name, value = needs[self.mode]
        if value is None:
            raise ValueError(f"{self.mode.value} needs {name}")
        if self.radius_m is None and self.propagation is None:
            raise ValueError("give radius_m or propagation")
        return self

    def radius(self) -> float:
        if self.propagation is None:
            assert self.radius_m is not None
            return self.radius_m
        p = self.propagation
        return usable_radius(
            p.band,
            model=p.model,
            environment=p.environment,
            location_probability=p.location_probability,
        ).radius_m


class PointIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=200)
    lat: Annotated[float, Field(ge=48.80, le=48.92)]
    lon: Annotated[float, Field(ge=2.20, le=2.48)]
    access_points: Annotated[int, Field(ge=1, le=100)] = 1


class Attach(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: Annotated[int, Field(ge=1, le=2_147_483_647)]
